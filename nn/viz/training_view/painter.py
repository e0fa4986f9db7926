"""The training view's picture: a matplotlib figure redrawn frame by frame.

The painter is given what it draws and nothing else: a :class:`Scene` (the network's shape
and activations, the data, the task) once, then per picture a frame's weights and the loss
history (:class:`Curves`). It reads no view and no model: it computes the model's outputs
from the weights itself, on NumPy arrays (the heat maps need the model at thousands of
points, too many for Values), with the activations of :mod:`nn.activations`.

The figure, at :data:`DPI` (96: 720 × 403 pixels), has every text at least 10 pixels high:

- a caption across the top (epoch, step, loss, accuracy, learning rate);
- on the left the network: each connection as thick as |w|, blue for w > 0, orange for
  w < 0; each neuron a square showing its output over the input plane (2-D inputs), along
  x (1-D inputs) or for one sample (other inputs), blue above 0, orange below; a legend;
- on the right the data and what the model makes of it: the decision boundary over the plane
  (classes), the prediction over the plane (regression), the fitted curve (1-D inputs), or
  the prediction against the target (regression on more inputs), with a legend;
- below it the loss curve (one line over all the steps) and, for classes, the accuracy.

The colours are those of :mod:`nn.viz.palette`. The replay page shows the two halves as two
pictures (they stack on a phone); the GIF and the live picture show the whole figure.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from nn.activations import ACTIVATIONS
from nn.viz.palette import CLASS_COLORS, NEGATIVE, NEUTRAL, POSITIVE, class_color
from nn.viz.training_view.axes import decades, loss_axis

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]

__all__ = ["DPI", "INSTALL_HINT", "SMALLEST_TEXT", "Scene", "Curves", "Painter", "forward"]

DPI = 96                 # the default resolution of every picture: 720 × 403 pixels
SMALLEST_TEXT = 8.0      # points: 10.7 pixels at 96 dpi (a point is 1/72 inch)
WIDTH, HEIGHT = 7.5, 4.2  # inches
TOP = 30 / 403           # the caption's band, as a fraction of the height
INK, FAINT = "#222222", "#666666"
ACCURACY = "#2e8b57"     # not a class colour: the accuracy curve is no class

INSTALL_HINT = ("TrainingView draws with matplotlib (the 'demo' extra): "
                "pip install 'stepgrad[demo]'")


@dataclass(frozen=True)
class Scene:
    """What stays the same in every picture of one training.

    ``sizes`` counts the inputs then each layer's neurons; ``activations`` names each
    layer's activation (a key of :data:`nn.activations.ACTIVATIONS`). ``task`` is
    ``"binary"``, ``"classes"`` or ``"regression"``; ``sample`` is the sample whose
    activations the squares show when the inputs are neither 1-D nor 2-D.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    inputs: tuple[tuple[float, ...], ...]
    targets: tuple[float, ...]
    task: str
    resolution: int = 40
    sample: int = 0

    @property
    def labels(self) -> list[float]:
        """The distinct labels of a classification, smallest first (the legend's entries)."""
        return sorted(set(self.targets))


@dataclass(frozen=True)
class Curves:
    """The history under the loss panel: one loss (and accuracy, or None) per step. A frame
    draws the part up to its step; the axes span the whole history."""

    steps: Sequence[int]
    losses: Sequence[float]
    accuracies: Sequence[float | None]
    label: str = "loss"


def forward(sizes: Sequence[int], activations: Sequence[str], params: Sequence[float],
            points: Array) -> list[Array]:
    """Each layer's outputs for every row of ``points``, computed from ``params`` (layer by
    layer, neuron by neuron, each neuron's weights then its bias: the order of an MLP's
    ``parameters()``). The same sums and activations as :class:`nn.Neuron`, on arrays.

    Examples:
        >>> import numpy as np
        >>> out = forward([2, 1], ["linear"], [2.0, -1.0, 0.5], np.array([[1.0, 3.0]]))
        >>> out[0].tolist()            # 0.5 + 2·1 + (−1)·3
        [[-0.5]]
    """
    import numpy as np

    out, pos, a = [], 0, points
    for (nin, nout), name in zip(pairwise(sizes), activations):
        block = np.asarray(params[pos:pos + nout * (nin + 1)], dtype=float)
        pos += nout * (nin + 1)
        block = block.reshape(nout, nin + 1)
        a = ACTIVATIONS[name].on_array(a @ block[:, :nin].T + block[:, nin])
        out.append(a)
    return out


def _px(fig: Any, points: float) -> float:
    """``points`` as a fraction of the figure's height."""
    return points / 72 / float(fig.get_figheight())


class Painter:
    """A matplotlib figure (no pyplot: nothing global changes) updated frame by frame.

    The figure is built once. What never changes between frames (axes, labels, tick labels,
    legends, the frames of the neurons' squares) is drawn once and kept as a background;
    each picture restores that background and draws over it only what moves: the
    connections, one image per column of neurons (its heat maps stacked), the right panel's
    image, lines and points, the curves and the caption. The background is drawn again only
    when the resolution, the loss axis or the accuracy axis changes.
    """

    def __init__(self, scene: Scene) -> None:
        try:
            import numpy as np
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.colors import LinearSegmentedColormap, to_rgba
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError(INSTALL_HINT) from None
        self.np = np
        self.scene = scene
        self.cmap = LinearSegmentedColormap.from_list("stepgrad", [NEGATIVE, NEUTRAL,
                                                                   POSITIVE])
        self.fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
        self.canvas: Any = FigureCanvasAgg(self.fig)
        self.moving: list[Any] = []      # what each picture draws over the background
        self.background: Any = None
        self.background_key: tuple[Any, ...] | None = None
        self.axis_of: tuple[int, tuple[str, float, float]] | None = None  # (steps, axis)
        self.title = self.fig.text(0.012, 1 - 0.35 * TOP, "", fontsize=10, weight="bold",
                                   va="center", color=INK)
        self.pos_rgba, self.neg_rgba = to_rgba(POSITIVE), to_rgba(NEGATIVE)
        data = np.asarray(scene.inputs, dtype=float)
        self.data = data
        self.targets = np.asarray(scene.targets, dtype=float)
        self.dims = scene.sizes[0]
        r = scene.resolution
        low, high = data.min(axis=0), data.max(axis=0)
        pad = 0.1 * np.maximum(high - low, 1e-9) + 1e-3
        self.low, self.high = low - pad, high + pad
        if self.dims == 2:
            self.xs = np.linspace(self.low[0], self.high[0], r)
            self.ys = np.linspace(self.low[1], self.high[1], r)
            gx, gy = np.meshgrid(self.xs, self.ys)
            self.grid = np.column_stack([gx.ravel(), gy.ravel()])
        elif self.dims == 1:
            self.xs = np.linspace(self.low[0], self.high[0], 4 * r)
            self.grid = self.xs[:, None]
        else:
            self.grid = data[scene.sample:scene.sample + 1]
        self._network_axes()
        self._data_axes()
        self._curve_axes()
        for artist in self.moving:
            artist.set_animated(True)    # left out of the background

    # layout ------------------------------------------------------------------------------

    def _network_axes(self) -> None:
        from matplotlib.collections import LineCollection, PatchCollection
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch, Rectangle

        np, fig, scene = self.np, self.fig, self.scene
        legend_h = 2 * _px(fig, 8 * 1.45) + 0.01
        bottom, height = legend_h, 1 - TOP - legend_h
        ax = fig.add_axes((0.0, bottom, 0.5, height))
        ax.set_axis_off()
        w_in, h_in = 0.5 * WIDTH, height * HEIGHT
        ax.set_xlim(0, w_in)
        ax.set_ylim(0, h_in)
        columns = list(scene.sizes)
        tallest = max(columns)
        head = 0.22                      # inches above the squares: the columns' names
        size = min(0.75 * (h_in - head) / tallest, 0.45)
        gap = (w_in - 0.3) / len(columns)
        # Each column of neurons is one image: its squares' heat maps stacked, the gaps
        # between them transparent. A square is `cell` × `cell` pixels of that image (a heat
        # map's points repeated `zoom` times), so the squares sit on the image's pixel rows:
        # their centres move by half a pixel at most.
        r = scene.resolution
        self.zoom = -(-32 // r) if self.dims <= 2 else 1
        cell = (r * self.zoom if self.dims == 2 else 4 * r if self.dims == 1 else 32)
        unit = size / cell
        step = (h_in - head - size) / max(tallest - 1, 1)
        step = min(step, 1.5 * size)
        centers: list[list[tuple[float, float]]] = []
        self.rows: list[list[int]] = []
        self.stacks: list[Any] = []
        self.mosaics: list[Array] = []
        middle = (h_in - head) / 2
        for c, count in enumerate(columns):
            x = 0.3 + gap * (c + 0.5)
            top = middle + step * (count - 1) / 2
            low = top - (count - 1) * step - size / 2
            rows = [round((count - 1 - i) * step / unit) for i in range(count)]  # top first
            centers.append([(x, low + k * unit + size / 2) for k in rows])
            self.rows.append(rows)
            mosaic = np.zeros((max(rows) + cell, cell, 4), dtype=np.uint8)
            self.mosaics.append(mosaic)
            self.stacks.append(ax.imshow(mosaic, extent=(x - size / 2, x + size / 2, low,
                                                         low + len(mosaic) * unit),
                                         origin="lower", interpolation="nearest", zorder=2))
        self.cell = cell
        segments = []
        for c in range(1, len(columns)):
            for (x1, y1) in centers[c]:
                for (x0, y0) in centers[c - 1]:
                    segments.append(((x0 + size / 2, y0), (x1 - size / 2, y1)))
        self.edges: Any = LineCollection(segments, zorder=1)
        densest = max(a * b for a, b in pairwise(columns))
        self.widest = min(2.4, max(0.8, 20 / densest ** 0.5))   # points, for the largest |w|
        ax.add_collection(self.edges)
        squares = [Rectangle((x - size / 2, y - size / 2), size, size)
                   for column in centers for (x, y) in column]
        ax.add_collection(PatchCollection(squares, facecolors="none", linewidths=0.6,
                                          edgecolors="#888888", zorder=3))
        self.moving += [self.edges, *self.stacks]
        for i, (x, y) in enumerate(centers[0]):
            ax.text(x - size / 2 - 0.04, y, f"x{i + 1}" if len(centers[0]) <= 12 else "",
                    ha="right", va="center", fontsize=SMALLEST_TEXT, color=INK)
        names = ["input"] + [f"layer {i + 1}" for i in range(len(columns) - 1)]
        names[-1] = "output"
        for c, name in enumerate(names):
            ax.text(0.3 + gap * (c + 0.5), h_in - 0.02, name, ha="center", va="top",
                    fontsize=SMALLEST_TEXT, color=FAINT)
        where = {2: "over the input plane", 1: "along x"}.get(
            self.dims, f"for sample {scene.sample}")
        fig.text(0.012, legend_h - _px(fig, 2), f"each square: a neuron's output {where}",
                 fontsize=SMALLEST_TEXT, color=FAINT, va="top")
        handles = [Line2D([], [], color=POSITIVE, lw=2.5), Line2D([], [], color=NEGATIVE,
                                                                     lw=2.5),
                   Patch(color=POSITIVE), Patch(color=NEGATIVE)]
        fig.legend(handles, ["w > 0", "w < 0", "output > 0", "output < 0"],
                   loc="lower left", bbox_to_anchor=(0.0, 0.0), ncol=4, frameon=False,
                   fontsize=SMALLEST_TEXT, handlelength=1.2, columnspacing=0.9,
                   handletextpad=0.35, borderaxespad=0.15, labelcolor=INK)
        ax.set_aspect("equal")
        self.ax_net = ax

    def _data_axes(self) -> None:
        from matplotlib.collections import LineCollection

        np, fig, scene = self.np, self.fig, self.scene
        ax = fig.add_axes((0.575, 0.455, 0.265, 1 - TOP - 0.525))
        self.ax_data = ax
        legend: list[tuple[Any, str]] = []
        if self.dims == 2:
            ax.set_xticks([])
            ax.set_yticks([])
            self.picture = ax.imshow(np.zeros((2, 2, 4)), extent=(self.low[0], self.high[0],
                                                                   self.low[1], self.high[1]),
                                     origin="lower", interpolation="bilinear", aspect="auto")
            self.contour: Any = LineCollection([], colors=INK, linewidths=1.2, zorder=2)
            ax.add_collection(self.contour)
            dots = ax.scatter(self.data[:, 0], self.data[:, 1], c=self._point_colors(), s=16,
                              edgecolors="black", linewidths=0.5, zorder=3)
            ax.set_xlim(self.low[0], self.high[0])
            ax.set_ylim(self.low[1], self.high[1])
            ax.set_xlabel("x1", fontsize=SMALLEST_TEXT, labelpad=1, color=INK)
            ax.set_ylabel("x2", fontsize=SMALLEST_TEXT, labelpad=1, color=INK)
            # The image covers the axes' frame, so the frame is drawn again over it.
            self.moving += [self.picture, self.contour, dots, *ax.spines.values()]
            if scene.task == "regression":
                ax.set_title("prediction (shade) and targets", fontsize=SMALLEST_TEXT,
                             color=INK, pad=3)
                self._value_key()
            else:
                ax.set_title("decision boundary", fontsize=SMALLEST_TEXT, color=INK, pad=3)
                legend = self._class_key()
                if scene.task == "binary":
                    legend.append((self._line(INK), "boundary"))
        elif self.dims == 1:
            self._line_axes(ax, legend)
        elif scene.task == "regression":
            self._prediction_axes(ax, legend)
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, f"inputs are {self.dims}-D:\nthe squares show\nsample "
                    f"{scene.sample}'s activations", ha="center", va="center",
                    fontsize=SMALLEST_TEXT + 1, color=INK, transform=ax.transAxes)
            legend = self._class_key()
        if legend:
            fig.legend([h for h, _ in legend], [t for _, t in legend], loc="upper left",
                       bbox_to_anchor=(0.855, 1 - TOP - 0.05), frameon=False,
                       fontsize=SMALLEST_TEXT, handlelength=1.2, handletextpad=0.4,
                       borderaxespad=0.0, labelspacing=0.3, labelcolor=INK)
        ax.tick_params(labelsize=SMALLEST_TEXT, pad=2, colors=INK)

    def _line(self, color: str, style: Any = "-") -> Any:
        from matplotlib.lines import Line2D

        return Line2D([], [], color=color, lw=1.5, linestyle=style)

    def _class_key(self) -> list[tuple[Any, str]]:
        """The legend's entries for the classes: one dot per label, in the class's colour."""
        from matplotlib.lines import Line2D

        return [(Line2D([], [], marker="o", linestyle="none", markersize=6,
                        markerfacecolor=self._class_color(t), markeredgecolor="black",
                        markeredgewidth=0.5), f"y = {t:g}") for t in self.scene.labels]

    def _value_key(self) -> None:
        """A colour bar beside a regression's plane: the shade of each value."""
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        spread = self._spread()
        bar = self.fig.add_axes((0.855, 0.5, 0.015, 1 - TOP - 0.6))
        self.fig.colorbar(ScalarMappable(Normalize(-spread, spread), self.cmap), cax=bar,
                          ticks=[-spread, 0.0, spread])
        bar.tick_params(labelsize=SMALLEST_TEXT, pad=2, colors=INK)
        bar.set_ylabel("value", fontsize=SMALLEST_TEXT, labelpad=2, color=INK)

    def _line_axes(self, ax: Any, legend: list[tuple[Any, str]]) -> None:
        """1-D inputs: the data over x and the model's curve."""
        from matplotlib.lines import Line2D
        from matplotlib.ticker import MaxNLocator

        np, scene = self.np, self.scene
        ax.set_xlim(self.low[0], self.high[0])
        ax.set_xlabel("x", fontsize=SMALLEST_TEXT, labelpad=1, color=INK)
        x = self.data[:, 0]
        self.curves = []
        if scene.task == "regression":
            y = self.targets
            span = float(np.ptp(y)) or 1.0
            self.limits = (float(y.min()) - 0.25 * span, float(y.max()) + 0.25 * span)
            ax.scatter(x, y, s=14, color=FAINT, edgecolors="none", zorder=2)
            (curve,) = ax.plot([], [], color=INK, lw=1.8, zorder=3)
            self.curves = [curve]
            ax.set_title("fitted curve", fontsize=SMALLEST_TEXT, color=INK, pad=3)
            ax.set_ylabel("y", fontsize=SMALLEST_TEXT, labelpad=1, color=INK)
            legend += [(Line2D([], [], marker="o", linestyle="none", markersize=5,
                               color=FAINT), "data"), (self._line(INK), "model")]
        elif scene.task == "binary":
            signs = set(scene.targets) <= {-1.0, 1.0}
            self.limits = (-2.2, 2.2) if signs else (-0.08, 1.08)
            ax.scatter(x, self.targets, c=self._point_colors(), s=16, edgecolors="black",
                       linewidths=0.5, zorder=3)
            ax.axhline(0.0 if signs else 0.5, color=FAINT, lw=0.8, linestyle="--", zorder=1)
            (curve,) = ax.plot([], [], color=INK, lw=1.8, zorder=2)
            self.curves = [curve]
            ax.set_title("model output" if signs else "P(y = 1) = σ(output)",
                         fontsize=SMALLEST_TEXT, color=INK, pad=3)
            legend += [*self._class_key(), (self._line(INK), "model"),
                       (self._line(FAINT, "--"), "decision")]
        else:
            self.limits = (-0.12, 1.05)
            labels = [int(t) for t in scene.targets]
            ax.scatter(x, [-0.06] * len(x), c=self._point_colors(), s=16, edgecolors="black",
                       linewidths=0.5, zorder=3, clip_on=False)
            self.curves = [ax.plot([], [], color=class_color(k), lw=1.8, zorder=2)[0]
                           for k in range(max(labels) + 1 if labels else 1)]
            ax.set_title("P(class) = softmax(outputs)", fontsize=SMALLEST_TEXT, color=INK,
                         pad=3)
            legend += self._class_key()
        ax.set_ylim(*self.limits)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        self.moving += self.curves

    def _prediction_axes(self, ax: Any, legend: list[tuple[Any, str]]) -> None:
        """Regression on more than two inputs: each sample's prediction against its target."""
        from matplotlib.ticker import MaxNLocator

        y = self.targets
        span = float(self.np.ptp(y)) or 1.0
        self.limits = (float(y.min()) - 0.15 * span, float(y.max()) + 0.15 * span)
        ax.plot(self.limits, self.limits, color=FAINT, lw=0.8, linestyle="--", zorder=1)
        self.predicted = ax.scatter(y, y, s=14, color=INK, edgecolors="none", zorder=2)
        ax.set_xlim(*self.limits)
        ax.set_ylim(*self.limits)
        ax.set_title("prediction against target", fontsize=SMALLEST_TEXT, color=INK, pad=3)
        ax.set_xlabel("target", fontsize=SMALLEST_TEXT, labelpad=1, color=INK)
        ax.set_ylabel("prediction", fontsize=SMALLEST_TEXT, labelpad=1, color=INK)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(4))
        legend.append((self._line(FAINT, "--"), "exact"))
        self.moving.append(self.predicted)

    def _curve_axes(self) -> None:
        from matplotlib.markers import TICKDOWN
        from matplotlib.ticker import MaxNLocator
        from matplotlib.transforms import ScaledTranslation

        fig = self.fig
        ax = fig.add_axes((0.6, 0.1, 0.3, 0.22))
        ax.tick_params(labelsize=SMALLEST_TEXT, pad=2, colors=INK)
        ax.yaxis.set_major_locator(MaxNLocator(3))
        # The step axis ends at the last step, so it changes at every live picture: its
        # ticks and numbers are drawn with the moving artists (as matplotlib would draw
        # them), and the rest of the panel stays in the background.
        ax.set_xticks([])
        self.step_ticks = MaxNLocator(5, integer=True)
        axis = ax.get_xaxis_transform()     # x in steps, y in the axes' height
        size = 3.5
        (self.tick_marks,) = ax.plot([], [], linestyle="none", marker=TICKDOWN,
                                     markersize=size, markeredgewidth=0.8, color=INK,
                                     transform=axis, clip_on=False)
        below = ScaledTranslation(0, -(size + 2) / 72, fig.dpi_scale_trans)
        self.tick_labels = [ax.text(0, 0, "", fontsize=SMALLEST_TEXT, ha="center", va="top",
                                    color=INK, transform=axis + below, clip_on=False)
                            for _ in range(8)]
        ax.text(0.5, 0, "step", fontsize=SMALLEST_TEXT, ha="center", va="top", color=INK,
                transform=ax.transAxes + ScaledTranslation(0, -(size + 2 + 11) / 72,
                                                           fig.dpi_scale_trans))
        self.moving += [self.tick_marks, *self.tick_labels]
        (self.loss_line,) = ax.plot([], [], color=INK, lw=1.3)
        (self.loss_dot,) = ax.plot([], [], "o", color=INK, ms=3)
        self.loss_title = ax.set_title("loss", fontsize=SMALLEST_TEXT, color=INK, pad=3,
                                       loc="left")
        self.ax_loss = ax
        self.ax_acc = ax.twinx()
        self.ax_acc.tick_params(labelsize=SMALLEST_TEXT, pad=2, colors=ACCURACY)
        self.ax_acc.set_ylim(-0.03, 1.03)
        self.ax_acc.set_yticks([0.0, 0.5, 1.0], ["0", "50%", "100%"])
        (self.acc_line,) = self.ax_acc.plot([], [], color=ACCURACY, lw=1.3)
        (self.acc_dot,) = self.ax_acc.plot([], [], "o", color=ACCURACY, ms=3)
        self.acc_title = ax.text(1.0, 1.0, "accuracy", fontsize=SMALLEST_TEXT,
                                 color=ACCURACY, ha="right", va="bottom",
                                 transform=ax.transAxes + ScaledTranslation(
                                     0, 3 / 72, fig.dpi_scale_trans))
        self.moving += [self.loss_line, self.loss_dot, self.acc_line, self.acc_dot,
                        self.title]

    # colours -----------------------------------------------------------------------------

    def _class_color(self, label: float) -> str:
        """A label's colour: class k's for class indices, class 0's for −1 (binary ±1)."""
        return class_color(0 if label < 0 else int(label))

    def _point_colors(self) -> list[Any]:
        from matplotlib.colors import to_rgba

        if self.scene.task == "regression":
            spread = self._spread()
            return [self._rgba(float(t) / spread) for t in self.targets]
        return [to_rgba(self._class_color(float(t))) for t in self.targets]

    def _spread(self) -> float:
        return float(self.np.max(self.np.abs(self.targets))) or 1.0

    def _rgba(self, value: float) -> tuple[float, float, float, float]:
        rgba = self.cmap(0.5 + 0.5 * max(-1.0, min(1.0, value)))
        return (float(rgba[0]), float(rgba[1]), float(rgba[2]), float(rgba[3]))

    def _colour(self, values: Array, scale: Any, bytes: bool = False) -> Any:
        """Colours of ``values / scale`` (clipped to ±1); a scale of 0 counts as 1."""
        np = self.np
        scale = np.where(np.asarray(scale) == 0, 1.0, scale)
        return self.cmap(0.5 + 0.5 * np.clip(values / scale, -1.0, 1.0), bytes=bytes)

    # per frame ---------------------------------------------------------------------------

    def update(self, params: Sequence[float], caption: str, curves: Curves, upto: int
               ) -> None:
        """Set every moving artist to the model of ``params`` and the first ``upto`` steps of
        ``curves``."""
        np, scene = self.np, self.scene
        outputs = forward(scene.sizes, scene.activations, params, self.grid)
        cell = self.cell
        for c, values in enumerate([self.grid, *outputs]):
            if self.dims == 2:   # each neuron's output over the plane, scaled by its own max
                colours = self._colour(values, np.max(np.abs(values), axis=0), bytes=True)
                r = cell // self.zoom
                squares = colours.transpose(1, 0, 2).reshape(-1, r, r, 4)
                if self.zoom > 1:
                    squares = squares.repeat(self.zoom, axis=1).repeat(self.zoom, axis=2)
            elif self.dims == 1:   # along x: the same colours in every row of the square
                colours = self._colour(values, np.max(np.abs(values), axis=0), bytes=True)
                squares = np.broadcast_to(colours.transpose(1, 0, 2)[:, None, :, :],
                                          (values.shape[1], cell, cell, 4))
            else:            # one sample: a column shares its scale (the inputs the data's)
                scale = float(np.max(np.abs(self.data if c == 0 else values)))
                colours = self._colour(values[0], scale, bytes=True)
                squares = np.broadcast_to(colours[:, None, None, :],
                                          (len(colours), cell, cell, 4))
            mosaic = self.mosaics[c]
            for row, square in zip(self.rows[c], squares):
                mosaic[row:row + cell] = square
            self.stacks[c].set_data(mosaic)
        weights: list[float] = []
        pos = 0
        for nin, nout in pairwise(scene.sizes):
            for _ in range(nout):
                weights.extend(params[pos:pos + nin])
                pos += nin + 1
        w = np.asarray(weights, dtype=float)
        biggest = float(np.max(np.abs(w))) if len(w) else 1.0
        self.edges.set_linewidths(0.2 + self.widest * np.abs(w) / (biggest or 1.0))
        alpha = 0.15 + 0.75 * np.abs(w) / (biggest or 1.0)
        colors = np.where(w[:, None] >= 0, self.pos_rgba, self.neg_rgba)
        colors[:, 3] = alpha
        self.edges.set_color(colors)
        if self.dims == 2:
            self._update_plane(outputs[-1])
        elif self.dims == 1:
            self._update_line(outputs[-1])
        elif scene.task == "regression":
            out = forward(scene.sizes, scene.activations, params, self.data)[-1][:, 0]
            low, high = self.limits
            self.predicted.set_offsets(np.column_stack([self.targets,
                                                        np.clip(out, low, high)]))
        self._update_curves(curves, upto)
        self.title.set_text(caption)

    def _update_curves(self, curves: Curves, upto: int) -> None:
        np = self.np
        steps = list(curves.steps[:upto])
        _, low, high = self._loss_axis(curves)
        losses = [min(max(loss, low), high) for loss in curves.losses[:upto]]  # else on edge
        self.loss_line.set_data(steps, losses)
        self.loss_dot.set_data(steps[-1:], losses[-1:])
        shown = self.scene.task != "regression" and any(
            a is not None for a in curves.accuracies[:upto])
        acc = [np.nan if a is None else a for a in curves.accuracies[:upto]]
        self.acc_line.set_data(steps, acc)
        self.acc_dot.set_data(steps[-1:], acc[-1:])
        self.ax_acc.set_visible(shown)
        self.acc_title.set_visible(shown)
        last = max(curves.steps[-1], 2)
        self.ax_loss.set_xlim(0, last)
        ticks = [t for t in self.step_ticks.tick_values(0, last) if 0 <= t <= last]
        self.tick_marks.set_data(ticks, [0.0] * len(ticks))
        for k, label in enumerate(self.tick_labels):
            label.set_visible(k < len(ticks))
            if k < len(ticks):
                label.set_x(ticks[k])
                label.set_text(f"{ticks[k]:.0f}")
        self.ax_loss.set_ylim(low, high)

    def _loss_axis(self, curves: Curves) -> tuple[str, float, float]:
        """Set the loss axis's scale for the whole recording (every frame of a replay has
        the same axis, as it has the same step axis); return the scale and limits."""
        from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

        losses = curves.losses
        if self.axis_of is None or self.axis_of[0] != len(losses):
            self.axis_of = (len(losses), loss_axis(losses))
        scale, low, high = self.axis_of[1]
        ax = self.ax_loss
        if ax.get_yscale() != scale:
            ax.set_yscale(scale)
            if scale == "linear":
                ax.yaxis.set_major_locator(MaxNLocator(3))
            ax.yaxis.set_minor_locator(NullLocator())
        label = curves.label + (" (log scale)" if scale == "log" else "")
        if self.loss_title.get_text() != label:
            self.loss_title.set_text(label)
        if scale == "log":   # (matplotlib's own log ticks overflow past 1e308 and fail)
            ax.yaxis.set_major_locator(FixedLocator(decades(low, high)))
        return scale, low, high

    def _update_plane(self, out: Array) -> None:
        np, scene, r = self.np, self.scene, self.scene.resolution
        if scene.task == "classes":
            from matplotlib.colors import to_rgba

            palette = np.array([to_rgba(CLASS_COLORS[i % len(CLASS_COLORS)])
                                for i in range(out.shape[1])])
            shifted = np.exp(out - out.max(axis=1, keepdims=True))
            confidence = shifted.max(axis=1) / shifted.sum(axis=1)
            img = palette[out.argmax(axis=1)]
            fade = (0.15 + 0.6 * (confidence - 1 / out.shape[1]))[:, None]
            img[:, :3] = 1.0 - fade * (1.0 - img[:, :3])
        elif scene.task == "binary":
            img = self._colour(np.tanh(out[:, 0]), 1.0)
            img[:, :3] = 1.0 - 0.7 * (1.0 - img[:, :3])
        else:
            img = self._colour(out[:, 0], self._spread())
        self.picture.set_data(img.reshape(r, r, 4))
        field = out[:, 0]
        lines: list[Any] = []
        if scene.task == "binary" and field.min() < 0 < field.max():
            import contourpy  # matplotlib's own contouring, without a ContourSet per frame

            found: Any = contourpy.contour_generator(self.xs, self.ys, field.reshape(r, r),
                                                     line_type="Separate").lines(0.0)
            lines = [line for line in found if len(line) > 1]
        self.contour.set_segments(lines)

    def _update_line(self, out: Array) -> None:
        np, scene = self.np, self.scene
        low, high = self.limits
        if scene.task == "classes":
            shifted = np.exp(out - out.max(axis=1, keepdims=True))
            probs = shifted / shifted.sum(axis=1, keepdims=True)
            for k, curve in enumerate(self.curves):
                curve.set_data(self.xs, probs[:, k] if k < probs.shape[1] else [])
            return
        y = out[:, 0]
        if scene.task == "binary" and not set(scene.targets) <= {-1.0, 1.0}:
            y = ACTIVATIONS["sigmoid"].on_array(y)
        self.curves[0].set_data(self.xs, np.clip(y, low, high))

    def draw(self, params: Sequence[float], caption: str, curves: Curves, upto: int,
             dpi: int) -> Any:
        """Draw the model of ``params`` and the first ``upto`` steps of the curves; return
        the canvas's pixels (RGBA, height × width × 4)."""
        self.update(params, caption, curves, upto)
        key = (dpi, self.ax_loss.get_yscale(), self.ax_loss.get_ylim(),
               self.ax_acc.get_visible(), self.loss_title.get_text())
        if key != self.background_key:
            self.fig.set_dpi(dpi)
            self.canvas.draw()                       # all but the moving artists
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            self.background_key = key
        else:
            self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self.moving:
            if artist.axes is None or artist.axes.get_visible():
                artist.draw(renderer)
        return self.np.asarray(self.canvas.buffer_rgba())

    def image(self, params: Sequence[float], caption: str, curves: Curves, step: int,
              dpi: int) -> Any:
        """The picture at ``step`` (the curves up to it) as a PIL image (RGB)."""
        from PIL import Image

        upto = bisect.bisect_right(curves.steps, step)
        return Image.fromarray(self.draw(params, caption, curves, upto, dpi)[:, :, :3].copy())

    def halves(self, image: Any) -> tuple[Any, Any]:
        """The network's half and the data's half of a picture, without the caption's band
        (the replay page shows them side by side, or one above the other on a phone)."""
        width, height = image.size
        top = round(TOP * height)
        return (image.crop((0, top, width // 2, height)),
                image.crop((width // 2, top, width, height)))

    def legend_boxes(self) -> list[tuple[str, tuple[int, int, int, int]]]:
        """Where the legends stand in the halves of the last picture drawn: the half's name
        (``"network"`` or ``"plots"``) and the box (left, top, right, bottom) in pixels."""
        renderer = self.canvas.get_renderer()
        width, height = self.canvas.get_width_height()
        top = round(TOP * height)
        boxes = []
        for legend in self.fig.legends:
            box = legend.get_window_extent(renderer)
            left = 0 if box.x0 < width / 2 else width // 2
            boxes.append(("network" if left == 0 else "plots",
                          (max(int(box.x0) - left, 0), max(int(height - box.y1) - top, 0),
                           int(box.x1) - left, int(height - box.y0) - top)))
        return boxes

    def png(self, params: Sequence[float], caption: str, curves: Curves, step: int,
            dpi: int) -> bytes:
        buffer = io.BytesIO()
        self.image(params, caption, curves, step, dpi).save(buffer, format="PNG",
                                                            compress_level=1)
        return buffer.getvalue()
