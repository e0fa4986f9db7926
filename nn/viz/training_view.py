"""Watch a network learn: a live training view, and the recorded training as GIF or HTML.

:class:`TrainingView` draws, while training runs, the picture of TensorFlow Playground for
your own model: the network (each connection as thick as |w|, blue for w > 0, orange for
w < 0), each neuron's output over the input plane as a small heat map (2-D inputs) or its
activation for one chosen sample (other inputs), the decision boundary with the data (2-D
inputs), the loss and accuracy curves, and the epoch, step and learning rate.

It is fed by :func:`nn.fit` (``fit(..., view=view)``, or ``view=True`` for a default one) or
by a hand-written loop that calls :meth:`TrainingView.record` after each step. Each call
keeps the numbers it is given (loss, accuracy, learning rate: the training history itself)
and, every ``record_every`` steps, a frame: a copy of the model's weights at that step. The
pictures are drawn from those frames, so what is shown is the real model at that step.

In Jupyter the picture is redrawn in place while the cell runs. By default it is redrawn
only while everything the view times of its own cost (building the figure, every drawing,
recording the steps), counting the next drawing and keeping room for the last step's, stays
under 10% of the training time; the last step is drawn at the end when that room is there.
What it cannot time (training runs a little slower between drawings: caches, memory) adds
about half as much again, so the view slows training by about 15% at most
(``benchmarks/view_overhead.py`` measures it). The first drawing, the figure's making
included, is reckoned at 0.3 s until timed, so a training shorter than about 3 s ends with
no live picture: show ``view`` afterwards, or pass ``every=``. In a
script nothing is shown: the frames are recorded, ready for :meth:`TrainingView.save_gif`
(an animated GIF that a code host shows in a notebook or a README) and
:meth:`TrainingView.save_html` (one self-contained HTML file that replays the training with
play / pause / step / slider, without a server or network).

Drawing needs matplotlib (the ``demo`` extra: ``pip install 'stepgrad[demo]'``).
"""

from __future__ import annotations

import base64
import bisect
import html
import io
import json
import math
import numbers
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.value import Value
from nn.layers import MLP, Layer, Neuron, neurons_by_layer

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]

__all__ = ["TrainingView", "Frame", "attach"]

DEFAULT_MAX_NEURONS = 64
DEFAULT_MAX_POINTS = 2000
DEFAULT_MAX_FRAMES = 300          # frames kept in memory; beyond it every other one is dropped
DEFAULT_MAX_EXPORT_FRAMES = 300   # frames one export may hold
DEFAULT_BUDGET = 0.10             # of the training time; measured slowdown about 1.5 times it
LIVE_DPI = 64                     # the live picture: 640 × 358 pixels
FIRST_DRAWING = 0.3               # seconds guessed for building the figure and drawing it once
REDRAWING = 0.1                  # seconds guessed for a drawing, until one is timed
LOG_SPREAD = 100.0   # a log loss axis when the largest loss is over this × the median one
TINY_LOSS = 1e-280   # smaller losses are too small for a linear axis: drawn on its floor

_POSITIVE = "#1f77b4"   # as nn.draw_model: blue for w > 0
_NEGATIVE = "#e8710a"   # orange for w < 0 (TensorFlow Playground's pair, readable when faint)
_CLASS_COLORS = ["#1f77b4", "#e8710a", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

INSTALL_HINT = ("TrainingView draws with matplotlib (the 'demo' extra): "
                "pip install 'stepgrad[demo]'")


@dataclass(frozen=True)
class Frame:
    """One recorded moment of training: the numbers given to :meth:`TrainingView.record`
    and a copy of the model's weights right after that step.

    ``params`` lists, layer by layer and neuron by neuron, each neuron's weights then its
    bias (for an :class:`nn.MLP` this is the order of ``model.parameters()``).
    """

    step: int
    epoch: int
    loss: float
    accuracy: float | None
    lr: float | None
    params: tuple[float, ...]

    def text(self) -> str:
        """The caption shown with the frame.

        Examples:
            >>> Frame(step=12, epoch=3, loss=0.25, accuracy=0.875, lr=0.1, params=()).text()
            'epoch 3 · step 12 · loss 0.25 · accuracy 87.5% · lr 0.1'
        """
        parts = [f"epoch {self.epoch}", f"step {self.step}", f"loss {self.loss:.4g}"]
        if self.accuracy is not None:
            parts.append(f"accuracy {100 * self.accuracy:.3g}%")
        if self.lr is not None:
            parts.append(f"lr {self.lr:.3g}")
        return " · ".join(parts)


# --- checking what the user gives -------------------------------------------------------

def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _number(who: str, what: str, x: Any, finite: bool = True) -> float:
    if isinstance(x, Value):
        x = x.data
    if not _is_number(x):
        raise TypeError(f"{who}: {what} must be a number, got {type(x).__name__}")
    value = float(x)
    if finite and not math.isfinite(value):
        raise ValueError(f"{who}: {what} must be finite, got {value!r}")
    return value


def _count(who: str, what: str, n: Any, low: int = 1, or_none: str = "") -> int:
    """A whole number >= ``low``: TypeError for another type, ValueError for a smaller one."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{who}: {what} must be a whole number >= {low}{or_none}, got "
                        f"{type(n).__name__} {n!r}")
    if n < low:
        raise ValueError(f"{who}: {what} must be a whole number >= {low}{or_none}, got {n!r}")
    return int(n)


def _maybe_count(who: str, what: str, n: Any, low: int = 1) -> int | None:
    return None if n is None else _count(who, what, n, low, " or None")


def _sequence(who: str, what: str, xs: Any) -> list[Any]:
    if isinstance(xs, (str, bytes, Mapping)) or not hasattr(xs, "__len__"):
        raise TypeError(f"{who}: {what} must be a list, got {type(xs).__name__}")
    return list(xs)


def _export_options(who: str, fps: Any, colors: Any, dpi: Any) -> tuple[float, int, int]:
    """The frame rate, palette size and resolution of an export, checked."""
    speed = _number(who, "fps", fps)
    if speed <= 0:
        raise ValueError(f"{who}: fps must be > 0, got {fps!r}")
    if 1000 / speed > _LONGEST_FRAME_MS + 0.5:   # the frame time, rounded to milliseconds
        raise ValueError(f"{who}: fps must be at least 1/{_LONGEST_FRAME_MS / 1000} (a "
                         f"frame shows for at most {_LONGEST_FRAME_MS / 1000} seconds, the "
                         f"longest a GIF can hold), got {fps!r}")
    palette = _count(who, "colors", colors, low=2)
    if palette > 256:
        raise ValueError(f"{who}: colors must be at most 256, got {colors!r}")
    return speed, palette, _count(who, "dpi", dpi, low=10)


# A GIF's frame delay is a 16-bit count of centiseconds: at most 655.35 seconds.
_LONGEST_FRAME_MS = 65535 * 10


def _written(who: str, out: Path, write: Callable[[Path], object]) -> Path:
    """``write(out)``; an operating-system error names ``who`` and the path."""
    try:
        write(out)
    except OSError as err:
        if err.errno is None:   # not from the file system (an encoder's error): as it is
            raise
        raise type(err)(f"{who}: cannot write {str(out)!r}: {err.strerror or err}") from None
    return out


def _layers_of(model: Any) -> list[list[Neuron]]:
    return neurons_by_layer("TrainingView", model)


def _check_path(who: str, path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)) or isinstance(path, bytes):
        raise TypeError(f"{who}: path must be a str or a pathlib.Path, got "
                        f"{type(path).__name__}")
    out = Path(path)
    if not out.parent.is_dir():
        raise ValueError(f"{who}: the folder of path {str(out)!r} does not exist")
    return out


def _in_jupyter() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


# --- the view -----------------------------------------------------------------------------

class TrainingView:
    """A picture of ``model`` learning ``inputs`` → ``targets``, redrawn as it trains.

    The loss curve's axis is drawn for the whole recording, as its step axis is: every frame
    of a replay has the same axes, and the curve grows into them. It starts at 0 (or below
    the smallest loss, if one is negative) and turns logarithmic when the losses span many
    decades (the largest over 100 times the median of the positive ones: a spike, a
    divergence), where a linear axis would flatten most of the curve onto its floor.

    Args:
        model: an :class:`nn.MLP` (or a :class:`nn.Layer` or :class:`nn.Neuron`).
        inputs: the training samples, each a list of numbers (one per model input).
        targets: one number per sample: a class index for a model with several outputs;
            for one output, ±1 or 0/1 labels (the decision is at output 0) or values to fit.
        every: redraw the live picture every this many steps, and at the last step;
            ``None`` (the default) redraws while the view's cost (the figure, the drawings
            and the recording, counting the next drawing and the last step's) stays under
            ``budget`` of the training time, and draws the last step only if it still fits:
            a training shorter than about ``0.3 / budget`` seconds (the first drawing's
            guessed cost over the budget: 3 s by default) shows no live picture.
        record_every: keep a frame every this many steps (the last step is always kept).
        sample: the sample whose activations are shown when the inputs are not 2-D.
        live: draw while training: ``None`` does so in Jupyter only; ``True`` draws
            anyway (outside Jupyter the latest picture is kept in :attr:`latest_png`);
            ``False`` only records.
        budget: the share of training time that the view may take when ``every`` is
            None.
        resolution: heat maps are computed on a grid of resolution × resolution points.
        max_neurons: refuse models with more neurons (inputs included) than this;
            ``None`` for no limit.
        max_points: refuse more samples than this; ``None`` for no limit.
        max_frames: frames kept in memory; when full, every other frame is dropped and
            frames are kept half as often, so a long training never fills the memory.

    Attributes:
        frames: the recorded :class:`Frame` objects, oldest first.
        steps, losses, accuracies, lrs: the whole history given to :meth:`record`, one
            entry per step (``accuracies``/``lrs`` hold None where none was given).
        latest_png: the PNG bytes of the last live picture (``None`` before the first).
        redraws: how many times the live picture was drawn.

    Examples:
        >>> from nn import MLP, SGD, fit, hinge_loss
        >>> X, y = [[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]], [1, 1, -1, -1]
        >>> model = MLP(2, [4, 1], seed=0)
        >>> view = TrainingView(model, X, y, live=False)
        >>> history = fit(model, X, y, hinge_loss, SGD(model.parameters(), lr=0.1),
        ...               epochs=5, progress=False, view=view)
        >>> len(view.frames), view.frames[-1].loss == history["loss"][-1]
        (5, True)
        >>> view.frames[-1].params == tuple(p.data for p in model.parameters())
        True
    """

    def __init__(self, model: MLP | Layer | Neuron, inputs: Sequence[Sequence[Any]],
                 targets: Sequence[Any], *, every: int | None = None,
                 record_every: int = 1, sample: int = 0, live: bool | None = None,
                 budget: float = DEFAULT_BUDGET, resolution: int = 40,
                 max_neurons: int | None = DEFAULT_MAX_NEURONS,
                 max_points: int | None = DEFAULT_MAX_POINTS,
                 max_frames: int = DEFAULT_MAX_FRAMES) -> None:
        who = "TrainingView"
        self.model = model
        self._layers = _layers_of(model)
        self.nin = len(self._layers[0][0].w)
        self.nout = len(self._layers[-1])
        self.every = _maybe_count(who, "every", every)
        self.record_every = _count(who, "record_every", record_every)
        self.max_frames = _count(who, "max_frames", max_frames, low=2)
        self.resolution = _count(who, "resolution", resolution, low=4)
        if resolution > 200:
            raise ValueError(f"{who}: resolution must be at most 200, got {resolution!r}")
        if live is not None and not isinstance(live, bool):
            raise TypeError(f"{who}: live must be True, False or None, got "
                            f"{type(live).__name__}")
        self.budget = _number(who, "budget", budget)
        if not 0.0 < self.budget <= 1.0:
            raise ValueError(f"{who}: budget must be in (0, 1], got {budget!r}")

        neurons = self.nin + sum(len(layer) for layer in self._layers)
        limit = _maybe_count(who, "max_neurons", max_neurons)
        if limit is not None and neurons > limit:
            raise ValueError(
                f"{who}: the model has {neurons} neurons to draw (inputs included), more "
                f"than max_neurons={limit}; a picture that dense shows little. Pass "
                f"max_neurons=None (or a larger number) to draw it anyway.")

        rows = _sequence(who, "inputs", inputs)
        if not rows:
            raise ValueError(f"{who}: inputs is empty; give at least one sample")
        labels = _sequence(who, "targets", targets)
        if len(labels) != len(rows):
            raise ValueError(f"{who}: got {len(rows)} inputs but {len(labels)} targets")
        limit = _maybe_count(who, "max_points", max_points)
        if limit is not None and len(rows) > limit:
            raise ValueError(
                f"{who}: {len(rows)} samples are more than max_points={limit}; pass a "
                f"subset, or max_points=None to draw them all.")
        self._inputs: list[list[float]] = []
        for i, row in enumerate(rows):
            items = _sequence(who, f"inputs[{i}]", row)
            if len(items) != self.nin:
                raise ValueError(f"{who}: the model takes {self.nin} inputs, inputs[{i}] "
                                 f"has {len(items)}")
            self._inputs.append([_number(who, f"inputs[{i}][{j}]", x)
                                 for j, x in enumerate(items)])
        self._targets = [_number(who, f"targets[{i}]", t) for i, t in enumerate(labels)]
        if self.nout > 1:
            for i, t in enumerate(self._targets):
                if t != int(t) or not 0 <= t < self.nout:
                    raise ValueError(f"{who}: targets[{i}] = {t!r} is not a class index of "
                                     f"this {self.nout}-output model (0 … {self.nout - 1})")
            self.kind = "classes"
        elif set(self._targets) <= {-1.0, 1.0} or set(self._targets) <= {0.0, 1.0}:
            self.kind = "binary"
        else:
            self.kind = "values"
        if isinstance(sample, bool) or not isinstance(sample, numbers.Integral):
            raise TypeError(f"{who}: sample must be a sample index, got "
                            f"{type(sample).__name__}")
        if not 0 <= sample < len(rows):
            raise ValueError(f"{who}: sample must be in 0 … {len(rows) - 1}, got {sample}")
        self.sample: int = int(sample)

        self.live: bool = _in_jupyter() if live is None else live
        self.frames: list[Frame] = []
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.accuracies: list[float | None] = []
        self.lrs: list[float | None] = []
        self.latest_png: bytes | None = None
        self.redraws: int = 0
        self._latest: Frame | None = None
        self._epoch: int = 0
        self._t0: float | None = None
        self._draw_time: float = 0.0     # seconds spent drawing, the figure's making included
        self._record_time: float = 0.0   # seconds spent in record() besides drawing
        self._last_draw: float = REDRAWING   # a guess until a drawing is timed
        self._drawn_step: int | None = None
        self._handle: Any = None
        self._painter: _Painter | None = None

    # --- recording ------------------------------------------------------------------------

    def _params(self) -> tuple[float, ...]:
        return tuple(v.data for layer in self._layers for n in layer for v in (*n.w, n.b))

    def record(self, loss: Any, *, epoch: int | None = None, step: int | None = None,
               accuracy: Any = None, lr: Any = None) -> None:
        """Note one training step, taken just before: its loss (and accuracy, learning rate).

        Call it after ``optimizer.step()``; :func:`nn.fit` does so when given ``view=``.
        ``step`` counts on from the last one when omitted (starting at 1); ``epoch`` stays
        the last one given (starting at 0). Every ``record_every`` steps a frame keeps a copy
        of the model's weights, and the live picture is redrawn when it is due.

        Examples:
            >>> from nn import MLP
            >>> view = TrainingView(MLP(2, [3, 1], seed=0), [[0, 1], [1, 0]], [1, -1],
            ...                     live=False)
            >>> view.record(0.9, accuracy=0.5, lr=0.1)
            >>> view.record(0.7, accuracy=1.0, lr=0.1)
            >>> view.steps, view.losses, [f.step for f in view.frames]
            ([1, 2], [0.9, 0.7], [1, 2])
        """
        start = time.perf_counter()
        drawn = self._draw_time
        who = "TrainingView.record"
        loss_value = _number(who, "loss", loss)
        acc = None if accuracy is None else _number(who, "accuracy", accuracy)
        if acc is not None and not 0.0 <= acc <= 1.0:
            raise ValueError(f"{who}: accuracy must be a fraction in [0, 1], got {acc!r}")
        rate = None if lr is None else _number(who, "lr", lr)
        if rate is not None and rate < 0:
            raise ValueError(f"{who}: lr must be >= 0, got {rate!r}")
        last = self.steps[-1] if self.steps else 0
        if step is None:
            step = last + 1
        elif _count(who, "step", step) <= last:
            raise ValueError(f"{who}: steps must increase; got step {step} after {last}")
        if epoch is not None:
            self._epoch = _count(who, "epoch", epoch, low=0)
        if self._t0 is None:
            self._t0 = start
        step = int(step)
        self.steps.append(step)
        self.losses.append(loss_value)
        self.accuracies.append(acc)
        self.lrs.append(rate)
        frame = Frame(step, self._epoch, loss_value, acc, rate, self._params())
        self._latest = frame
        if not self.frames or len(self.steps) % self.record_every == 0:
            self._keep(frame)
        if self.live and self._due(start):
            self._show(frame)
        self._record_time += time.perf_counter() - start - (self._draw_time - drawn)

    def _keep(self, frame: Frame) -> None:
        self.frames.append(frame)
        if len(self.frames) > self.max_frames:
            self.frames = self.frames[::2]
            self.record_every *= 2

    def _training_time(self, now: float) -> float:
        """Seconds of training so far: the time since the first step was recorded, less the
        view's own, plus one step for the first (taken before any record)."""
        n = len(self.steps)
        if self._t0 is None or n < 2:
            return 0.0
        spent = now - self._t0 - self._draw_time - self._record_time
        return max(spent, 0.0) * n / (n - 1)

    def _cost(self) -> float:
        """The view's cost so far and, guessed, that of the next drawing."""
        upcoming = self._last_draw if self._painter is not None else FIRST_DRAWING
        return self._draw_time + self._record_time + upcoming

    def _due(self, now: float) -> bool:
        if self.every is not None:
            return len(self.steps) % self.every == 0
        # Room for this drawing and for the last step's.
        return self._cost() + self._last_draw <= self.budget * self._training_time(now)

    def finish(self) -> None:
        """Keep the last step as a frame and, when live, draw it (``fit`` calls this).

        With adaptive refresh (``every=None``) the last step is drawn only if the drawing
        fits in the budget; after a training of less than about 3 s (by default) it does
        not, and nothing is drawn (show ``view``, or call :meth:`render`, to see it).

        Examples:
            >>> from nn import MLP
            >>> view = TrainingView(MLP(2, [3, 1], seed=0), [[0, 1], [1, 0]], [1, -1],
            ...                     record_every=10, live=False)
            >>> for loss in (0.9, 0.8, 0.7):
            ...     view.record(loss)
            >>> view.finish()
            >>> [f.step for f in view.frames]
            [1, 3]
        """
        frame = self._latest
        if frame is None:
            return
        if self.frames[-1] is not frame:
            self._keep(frame)
        if self.live and self._drawn_step != frame.step and (
                self.every is not None
                or self._cost() <= self.budget * self._training_time(time.perf_counter())):
            self._show(frame)

    def _show(self, frame: Frame) -> None:
        start = time.perf_counter()
        if self._painter is None:
            self._painter = _Painter(self)
            built = time.perf_counter()
            self._draw_time += built - start
            start = built
        png = self._painter.png(frame, dpi=LIVE_DPI)
        self.latest_png = png
        self.redraws += 1
        self._drawn_step = frame.step
        if _in_jupyter():
            import IPython.display

            ipython: Any = IPython.display
            Image, display = ipython.Image, ipython.display
            if self._handle is None:
                self._handle = display(Image(data=png), display_id=True)
            else:
                self._handle.update(Image(data=png))
        self._last_draw = time.perf_counter() - start
        self._draw_time += self._last_draw

    def _painter_(self) -> _Painter:
        if self._painter is None:
            self._painter = _Painter(self)
        return self._painter

    # --- exports --------------------------------------------------------------------------

    def _chosen(self, who: str, frames: int | None, max_frames: int | None) -> list[Frame]:
        recorded = list(self.frames)
        if self._latest is not None and (not recorded or recorded[-1] is not self._latest):
            recorded.append(self._latest)
        if not recorded:
            raise ValueError(f"{who}: nothing recorded yet; train with fit(..., view=view) "
                             f"or call view.record(...) after each step")
        count = _maybe_count(who, "frames", frames)
        limit = _maybe_count(who, "max_frames", max_frames)
        if count is None:
            count = len(recorded)
        if limit is not None and count > limit and len(recorded) > limit:
            raise ValueError(
                f"{who}: {min(count, len(recorded))} frames are more than max_frames={limit}; "
                f"pass frames=N to pick N evenly spaced ones, or max_frames=None.")
        if count >= len(recorded):
            return recorded
        if count == 1:
            return [recorded[-1]]
        picks = sorted({round(i * (len(recorded) - 1) / (count - 1)) for i in range(count)})
        return [recorded[i] for i in picks]

    def render(self, frame: Frame | None = None, dpi: int = 72) -> bytes:
        """The picture of one frame (by default the latest step) as PNG bytes.

        Examples:
            >>> from nn import MLP
            >>> view = TrainingView(MLP(2, [3, 1], seed=0), [[0, 1], [1, 0]], [1, -1],
            ...                     live=False)
            >>> view.record(0.5)
            >>> view.render()[:8]
            b'\\x89PNG\\r\\n\\x1a\\n'
        """
        who = "TrainingView.render"
        dots = _count(who, "dpi", dpi, low=10)
        if frame is None:
            frame = self._chosen(who, None, None)[-1]
        elif not isinstance(frame, Frame):
            raise TypeError(f"{who}: frame must be a Frame (one of view.frames), got "
                            f"{type(frame).__name__}")
        return self._painter_().png(frame, dpi=dots)

    def save_gif(self, path: str | os.PathLike[str], *, frames: int | None = 40,
                 fps: float = 8.0, dpi: int = 48, colors: int = 64, hold: float = 2.0,
                 max_frames: int | None = DEFAULT_MAX_EXPORT_FRAMES) -> Path:
        """Write the recorded training as an animated GIF (looping; it holds the last frame).

        Args:
            path: where to write it.
            frames: at most this many frames, evenly spaced over the recording, first and
                last included; ``None`` for all of them.
            fps: frames per second (at least 1/655.35: a GIF shows a frame for at most
                655.35 seconds).
            dpi: the picture's resolution (48 gives 480 × 240 pixels).
            colors: the palette's size (2 … 256); fewer colours, smaller file.
            hold: seconds the last frame stays before the loop starts again (so that
                1/fps + hold is at most 655.35).
            max_frames: refuse more frames than this; ``None`` for no limit.

        Returns:
            The path written.

        Examples:
            >>> import tempfile, pathlib
            >>> from PIL import Image
            >>> from nn import MLP
            >>> view = TrainingView(MLP(2, [3, 1], seed=0), [[0, 1], [1, 0]], [1, -1],
            ...                     live=False)
            >>> for loss in (0.9, 0.8, 0.7):
            ...     view.record(loss)
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "training.gif"
            >>> Image.open(view.save_gif(path)).n_frames
            3
        """
        who = "TrainingView.save_gif"
        out = _check_path(who, path)
        speed, palette, dots = _export_options(who, fps, colors, dpi)
        pause = _number(who, "hold", hold)
        if pause < 0:
            raise ValueError(f"{who}: hold must be >= 0 seconds, got {hold!r}")
        frame_ms = round(1000 / speed)
        if frame_ms + round(1000 * pause) > _LONGEST_FRAME_MS:
            longest = (_LONGEST_FRAME_MS - frame_ms) / 1000
            raise ValueError(f"{who}: hold must be at most {longest:g} seconds (the last "
                             f"frame shows for 1/fps + hold, and a GIF frame for at most "
                             f"{_LONGEST_FRAME_MS / 1000} seconds), got {hold!r}")
        chosen = self._chosen(who, frames, max_frames)
        painter = self._painter_()
        images = [_quantize(painter.image(f, dpi=dots), palette) for f in chosen]
        durations = [frame_ms] * len(images)
        durations[-1] += round(1000 * pause)
        return _written(who, out, lambda where: images[0].save(
            where, format="GIF", save_all=True, append_images=images[1:],
            duration=durations, loop=0, optimize=True, disposal=1))

    def to_html(self, *, frames: int | None = 60, fps: float = 8.0, dpi: int = 64,
                colors: int = 128,
                max_frames: int | None = DEFAULT_MAX_EXPORT_FRAMES) -> str:
        """One self-contained HTML document that replays the recorded training.

        The frames are inline PNG pictures, the controls (play / pause, previous, next, a
        slider; the arrow keys and the space bar) a few lines of plain JavaScript: no
        server, no network. Only the first frame is an ``<img>`` in the page; the others
        are data that the script reads, so a renderer that runs no JavaScript (a code
        host's notebook view) shows that one frame and its caption. The page may be shown
        more than once in one document (a notebook showing ``view`` in two cells): each copy
        has its own controls.

        Args:
            frames: at most this many frames, evenly spaced over the recording, first and
                last included; ``None`` for all of them.
            fps: frames per second when playing.
            dpi: the pictures' resolution (64 gives 640 × 320 pixels).
            colors: each picture's palette size (2 … 256).
            max_frames: refuse more frames than this; ``None`` for no limit.

        Examples:
            >>> from nn import MLP
            >>> view = TrainingView(MLP(2, [3, 1], seed=0), [[0, 1], [1, 0]], [1, -1],
            ...                     live=False)
            >>> view.record(0.9, epoch=0)
            >>> view.record(0.7, epoch=1)
            >>> page = view.to_html()
            >>> page.count("<img"), "epoch 1 · step 2 · loss 0.7" in page
            (1, True)
        """
        who = "TrainingView.to_html"
        speed, palette, dots = _export_options(who, fps, colors, dpi)
        chosen = self._chosen(who, frames, max_frames)
        painter = self._painter_()
        sources = []
        for f in chosen:
            buffer = io.BytesIO()
            _quantize(painter.image(f, dpi=dots), palette).save(buffer, format="PNG",
                                                                optimize=True)
            sources.append("data:image/png;base64,"
                           + base64.b64encode(buffer.getvalue()).decode("ascii"))
        data = [{"src": src if k else "", "text": f.text(), "step": f.step,
                 "epoch": f.epoch, "loss": f.loss, "accuracy": f.accuracy, "lr": f.lr}
                for k, (f, src) in enumerate(zip(chosen, sources))]
        return _page(sources[0], chosen[0].text(), data, round(1000 / speed))

    def save_html(self, path: str | os.PathLike[str], **options: Any) -> Path:
        """Write :meth:`to_html` (same options) to ``path``; return the path.

        Examples:
            >>> import tempfile, pathlib
            >>> from nn import MLP
            >>> view = TrainingView(MLP(2, [3, 1], seed=0), [[0, 1], [1, 0]], [1, -1],
            ...                     live=False)
            >>> view.record(0.9)
            >>> path = view.save_html(pathlib.Path(tempfile.mkdtemp()) / "training.html")
            >>> path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
            True
        """
        who = "TrainingView.save_html"
        out = _check_path(who, path)
        text = self.to_html(**options)
        return _written(who, out, lambda where: where.write_text(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<title>training replay</title></head><body>\n" + text + "\n</body></html>\n",
            encoding="utf-8"))

    def _repr_html_(self) -> str | None:
        return self.to_html() if self._latest is not None else None

    def __repr__(self) -> str:
        return (f"TrainingView({len(self.steps)} steps recorded, {len(self.frames)} frames, "
                f"live={self.live})")


def attach(view: TrainingView | bool | None, model: Any, inputs: Sequence[Any],
           targets: Sequence[Any]) -> TrainingView | None:
    """What :func:`nn.fit` does with its ``view`` argument: ``None``/``False`` → no view,
    ``True`` → a default :class:`TrainingView`, a view → that view.

    Examples:
        >>> attach(None, None, [], []) is None
        True
    """
    if view is None or view is False:
        return None
    if view is True:
        return TrainingView(model, inputs, targets)
    if isinstance(view, TrainingView):
        return view
    raise TypeError(f"fit: view must be a TrainingView, True, False or None, got "
                    f"{type(view).__name__}")


# --- the loss panel's axis -----------------------------------------------------------------

# The largest limits a linear loss axis takes (matplotlib's ticks overflow beyond them).
_LINEAR_TOP, _LINEAR_SIDE = 1.5e308, 4e307


def _loss_axis(losses: Sequence[float]) -> tuple[str, float, float]:
    """The loss panel's scale and limits for ``losses`` (finite, at least one).

    Linear from 0 to 5% above the largest loss (0 … 1 when every loss is 0 or below 1e-280,
    too small for a linear axis: they lie on its floor), or with 5% to spare below the
    smallest when a loss is negative, so that it stays in sight. Logarithmic when no loss is
    negative and the largest is over 100 times the median of the positive ones (a spike, a
    divergence, a loss falling over decades): half of a linear curve would then lie within
    1% of the floor, a pixel of the panel. A log axis spans the positive losses with 5% of
    its decades to spare at each end. A loss outside the limits (0 on a log axis, beyond
    1.5e308 on a linear one) is drawn on the panel's edge.

    Examples:
        >>> _loss_axis([0.9, 0.5, 0.2])
        ('linear', 0.0, 0.9450000000000001)
        >>> scale, low, high = _loss_axis([0.5, 1e300, 0.4, 0.0])
        >>> scale, low < 0.4, 1e300 < high
        ('log', True, True)
        >>> _loss_axis([1e-300, 0.0])
        ('linear', 0.0, 1.0)
    """
    low, high = min(losses), max(losses)
    if low < 0:
        pad = (0.05 * high - 0.05 * low) or -0.05 * low
        return "linear", max(low - pad, -_LINEAR_SIDE), min(high + pad, _LINEAR_SIDE)
    positive = sorted(x for x in losses if x > 0)
    if positive:
        half = len(positive) // 2
        below, above = positive[half - 1 if len(positive) % 2 == 0 else half], positive[half]
        median = below + (above - below) / 2
        if high > LOG_SPREAD * median:
            first, last = math.log10(positive[0]), math.log10(high)
            pad = 0.05 * (last - first)
            return ("log", min(positive[0], 10.0 ** max(first - pad, -320.0)),
                    max(high, 10.0 ** min(last + pad, 308.0)))
    if high < TINY_LOSS:
        return "linear", 0.0, 1.0
    return "linear", 0.0, min(1.05 * high, _LINEAR_TOP)


def _decades(low: float, high: float, most: int = 5) -> list[float]:
    """At most ``most`` powers of ten between ``low`` and ``high`` (> 0), evenly spaced by a
    round number of decades: the ticks of a log loss axis.

    Examples:
        >>> _decades(0.04, 2e3)
        [0.1, 1.0, 10.0, 100.0, 1000.0]
        >>> _decades(1e-16, 1e308)
        [1.0, 1e+100, 1e+200, 1e+300]
    """
    first, last = math.ceil(math.log10(low)), math.floor(math.log10(high))
    for stride in (1, 2, 5, 10, 20, 25, 50, 100, 200):
        powers = [e for e in range(first, last + 1) if e % stride == 0]
        if len(powers) <= most:
            return [10.0 ** e for e in powers]
    return []


# --- the replay page ----------------------------------------------------------------------

# The page may stand several times in one document (a notebook showing the same view in two
# cells): each copy's script sets up every replay not set up yet, each from its own data and
# frame time, so every copy has its own controls and the page needs no id.
_SCRIPT = """(function () {
  var roots = document.querySelectorAll("div.sg-replay:not([data-ready])");
  for (var r = 0; r < roots.length; r++) setUp(roots[r]);
  function setUp(root) {
    root.setAttribute("data-ready", "");
    var ms = Number(root.getAttribute("data-ms") || 125);
    var frames = JSON.parse(root.querySelector("script.sg-frames").textContent);
    var img = root.querySelector("img"), caption = root.querySelector(".sg-caption");
    var counter = root.querySelector(".sg-counter"), n = frames.length, k = 0, timer = null;
    frames[0].src = img.src;
    var bar = document.createElement("div");
    bar.className = "sg-controls";
    function button(cls, label, action) {
      var b = document.createElement("button");
      b.type = "button"; b.className = cls; b.textContent = label;
      b.addEventListener("click", action); bar.appendChild(b); return b;
    }
    function show(i) {
      k = Math.max(0, Math.min(n - 1, i));
      img.src = frames[k].src; img.alt = frames[k].text;
      caption.textContent = frames[k].text;
      counter.textContent = "frame " + (k + 1) + " / " + n;
      slider.value = k; root.dataset.frame = k;
    }
    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; }
      play.textContent = "\\u25b6 play"; root.dataset.playing = "0";
    }
    function start() {
      if (k >= n - 1) show(0);
      timer = setInterval(function () { if (k >= n - 1) stop(); else show(k + 1); }, ms);
      play.textContent = "\\u23f8 pause"; root.dataset.playing = "1";
    }
    button("sg-first", "\\u00ab start", function () { stop(); show(0); });
    button("sg-prev", "\\u25c0 step", function () { stop(); show(k - 1); });
    var play = button("sg-play", "\\u25b6 play", function () {
      if (timer === null) start(); else stop();
    });
    button("sg-next", "step \\u25b6", function () { stop(); show(k + 1); });
    var slider = document.createElement("input");
    slider.type = "range"; slider.min = 0; slider.max = n - 1; slider.value = 0;
    slider.className = "sg-slider";
    slider.addEventListener("input", function () { stop(); show(+slider.value); });
    bar.appendChild(slider);
    root.insertBefore(bar, caption);
    root.addEventListener("keydown", function (e) {
      if (e.key === "ArrowRight") { stop(); show(k + 1); }
      else if (e.key === "ArrowLeft") { stop(); show(k - 1); }
      else if (e.key === " ") { if (timer === null) start(); else stop(); }
      else return;
      e.preventDefault();
    });
    show(0);
  }
})();"""

_STYLE = """.sg-replay { font-family: sans-serif; font-size: 14px; max-width: 100%; }
.sg-replay img { max-width: 100%; height: auto; display: block; }
.sg-replay .sg-controls { display: flex; gap: 6px; align-items: center; margin: 4px 0; }
.sg-replay .sg-slider { flex: 1; }
.sg-replay .sg-counter { color: #555; }"""


def _page(first: str, caption: str, data: list[dict[str, Any]], ms: int) -> str:
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    n = len(data)
    return (
        f'<div class="sg-replay" tabindex="0" data-frame="0" data-ms="{ms}">\n'
        f"<style>{_STYLE}</style>\n"
        f'<img src="{first}" alt="{html.escape(caption)}">\n'
        f'<div class="sg-caption">{html.escape(caption)}</div>\n'
        f'<div class="sg-counter">frame 1 / {n} (the controls need JavaScript)</div>\n'
        f'<script type="application/json" class="sg-frames">{payload}</script>\n'
        f"<script>{_SCRIPT}</script>\n"
        f"</div>"
    )


# --- drawing ------------------------------------------------------------------------------

def _forward(layers: list[list[Neuron]], params: Sequence[float], points: Array,
             activations: list[str]) -> list[Array]:
    """Each layer's outputs for every row of ``points``, computed from a frame's weights.

    The same sums and activations as :class:`nn.Neuron`, on arrays: the heat maps need the
    model at thousands of points, too many for Values. (Tests check it against the model.)
    """
    import numpy as np

    out, pos, a = [], 0, points
    for layer, activation in zip(layers, activations):
        nin = len(layer[0].w)
        block = np.asarray(params[pos:pos + len(layer) * (nin + 1)], dtype=float)
        pos += len(layer) * (nin + 1)
        block = block.reshape(len(layer), nin + 1)
        z = a @ block[:, :nin].T + block[:, nin]
        if activation == "relu":
            a = np.maximum(z, 0.0)
        elif activation == "tanh":
            a = np.tanh(z)
        elif activation == "sigmoid":
            a = 0.5 * (1.0 + np.tanh(0.5 * z))
        else:
            a = z
        out.append(a)
    return out


class _Painter:
    """A matplotlib figure (no pyplot: nothing global changes) updated frame by frame.

    The figure is built once. What never changes between frames (axes, labels, tick labels,
    the frames of the neurons' squares) is drawn once and kept as a background; each picture
    restores that background and draws over it only what moves: the connections, one image
    per column of neurons (its heat maps stacked), the decision boundary's image and line,
    the data, the curves and the caption. The background is drawn again only when the
    resolution, the loss axis or the accuracy axis changes.
    """

    WIDTH, HEIGHT = 10.0, 5.6  # inches

    def __init__(self, view: TrainingView) -> None:
        try:
            import numpy as np
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.colors import LinearSegmentedColormap, to_rgba
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError(INSTALL_HINT) from None
        self.np = np
        self.view = view
        self.layers = view._layers
        self.activations = [layer[0].activation for layer in self.layers]
        self.cmap = LinearSegmentedColormap.from_list("stepgrad", [_NEGATIVE, "#ffffff",
                                                                   _POSITIVE])
        self.fig = Figure(figsize=(self.WIDTH, self.HEIGHT))
        self.canvas: Any = FigureCanvasAgg(self.fig)
        self.moving: list[Any] = []      # what each picture draws over the background
        self.background: Any = None
        self.background_key: tuple[Any, ...] | None = None
        self.loss_axis: tuple[int, tuple[str, float, float]] | None = None  # (steps, axis)
        self.title = self.fig.text(0.015, 0.955, "", fontsize=12, weight="bold")
        data = np.asarray(view._inputs, dtype=float)
        self.data = data
        self.plane = view.nin == 2
        if self.plane:
            low, high = data.min(axis=0), data.max(axis=0)
            pad = 0.1 * np.maximum(high - low, 1e-9) + 1e-3
            self.extent = (low[0] - pad[0], high[0] + pad[0], low[1] - pad[1], high[1] + pad[1])
            r = view.resolution
            self.xs = np.linspace(self.extent[0], self.extent[1], r)
            self.ys = np.linspace(self.extent[2], self.extent[3], r)
            gx, gy = np.meshgrid(self.xs, self.ys)
            self.grid = np.column_stack([gx.ravel(), gy.ravel()])
        else:
            self.grid = data[view.sample:view.sample + 1]
        self.pos_rgba, self.neg_rgba = to_rgba(_POSITIVE), to_rgba(_NEGATIVE)
        self._network_axes()
        self._boundary_axes()
        self._curve_axes()
        for artist in self.moving:
            artist.set_animated(True)    # left out of the background

    # layout ------------------------------------------------------------------------------

    def _network_axes(self) -> None:
        from matplotlib.collections import LineCollection, PatchCollection
        from matplotlib.patches import Rectangle

        np = self.np
        left, bottom, width, height = 0.01, 0.01, 0.56, 0.88
        ax = self.fig.add_axes((left, bottom, width, height))
        ax.set_axis_off()
        w_in, h_in = width * self.WIDTH, height * self.HEIGHT
        ax.set_xlim(0, w_in)
        ax.set_ylim(0, h_in)
        columns = [self.view.nin] + [len(layer) for layer in self.layers]
        tallest = max(columns)
        size = min(0.88 * (h_in - 0.3) / tallest, 0.6)
        gap = w_in / len(columns)
        # Each column of neurons is one image: its squares' heat maps stacked, the gaps
        # between them transparent. A square is `cell` × `cell` pixels of that image (a heat
        # map's points repeated `zoom` times), so the squares sit on the image's pixel rows:
        # their centres move by half a pixel at most.
        r = self.view.resolution
        self.zoom = -(-32 // r) if self.plane else 1
        cell = r * self.zoom if self.plane else 32
        unit = size / cell
        step = (h_in - 0.3) / tallest
        centers: list[list[tuple[float, float]]] = []
        self.rows: list[list[int]] = []
        self.stacks: list[Any] = []
        self.mosaics: list[Array] = []
        for c, count in enumerate(columns):
            x = gap * (c + 0.5)
            top = h_in / 2 + step * (count - 1) / 2
            low = top - (count - 1) * step - size / 2
            rows = [round((count - 1 - i) * step / unit) for i in range(count)]  # top first
            centers.append([(x, low + k * unit + size / 2) for k in rows])
            self.rows.append(rows)
            mosaic = np.zeros((max(rows) + cell, cell, 4), dtype=np.uint8)
            self.mosaics.append(mosaic)
            self.stacks.append(ax.imshow(mosaic, extent=(x - size / 2, x + size / 2, low,
                                                         low + len(mosaic) * unit),
                                         origin="lower", interpolation="nearest", zorder=2))
        self.cell, self.size, self.centers = cell, size, centers
        segments = []
        for c in range(1, len(columns)):
            for (x1, y1) in centers[c]:
                for (x0, y0) in centers[c - 1]:
                    segments.append(((x0 + size / 2, y0), (x1 - size / 2, y1)))
        self.edges: Any = LineCollection(segments, zorder=1)
        ax.add_collection(self.edges)
        squares = [Rectangle((x - size / 2, y - size / 2), size, size)
                   for column in centers for (x, y) in column]
        self.squares: Any = PatchCollection(squares, facecolors="none", linewidths=0.6,
                                            edgecolors="#888888", zorder=3)
        ax.add_collection(self.squares)
        self.moving += [self.edges, *self.stacks, self.squares]
        for i, (x, y) in enumerate(centers[0]):
            ax.text(x - size / 2 - 0.05, y, f"x{i + 1}", ha="right", va="center", fontsize=9)
        names = ["input"] + [f"layer {i + 1}" for i in range(len(self.layers))]
        names[-1] = "output"
        for c, name in enumerate(names):
            ax.text(gap * (c + 0.5), h_in - 0.02, name, ha="center", va="top", fontsize=9,
                    color="#555555")
        ax.set_aspect("equal")
        self.ax_net = ax

    def _boundary_axes(self) -> None:
        from matplotlib.collections import LineCollection

        ax = self.fig.add_axes((0.625, 0.415, 0.3, 0.48))
        ax.set_xticks([])
        ax.set_yticks([])
        self.ax_boundary = ax
        view, np = self.view, self.np
        if not self.plane:
            ax.set_axis_off()
            ax.text(0.5, 0.5, f"inputs are {view.nin}-D:\nthe network shows\nsample "
                    f"{view.sample}'s activations", ha="center", va="center", fontsize=10,
                    transform=ax.transAxes)
            return
        self.background_image = ax.imshow(np.zeros((2, 2, 4)), extent=self.extent,
                                          origin="lower", interpolation="bilinear",
                                          aspect="auto")
        self.contour: Any = LineCollection([], colors="#222222", linewidths=1.0, zorder=2)
        ax.add_collection(self.contour)
        targets = np.asarray(view._targets)
        if view.kind == "classes":
            from matplotlib.colors import to_rgba

            colors = [to_rgba(_CLASS_COLORS[int(t) % len(_CLASS_COLORS)]) for t in targets]
        elif view.kind == "binary":
            colors = [self._rgba(1.0 if t > 0 else -1.0) for t in targets]
        else:
            spread = float(np.max(np.abs(targets))) or 1.0
            colors = [self._rgba(float(t) / spread) for t in targets]
        dots = ax.scatter(self.data[:, 0], self.data[:, 1], c=colors, s=18,
                          edgecolors="black", linewidths=0.5, zorder=3)
        ax.set_xlim(self.extent[0], self.extent[1])
        ax.set_ylim(self.extent[2], self.extent[3])
        ax.set_title("decision boundary" if view.kind != "values" else "prediction",
                     fontsize=10)
        # The image covers the axes' frame, so the frame is drawn again over it.
        self.moving += [self.background_image, self.contour, dots, *ax.spines.values()]

    def _curve_axes(self) -> None:
        from matplotlib.markers import TICKDOWN
        from matplotlib.ticker import MaxNLocator
        from matplotlib.transforms import ScaledTranslation

        ax = self.fig.add_axes((0.625, 0.08, 0.3, 0.24))
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        # The step axis ends at the last step, so it changes at every live picture: its
        # ticks and numbers are drawn with the moving artists (as matplotlib would draw
        # them), and the rest of the panel stays in the background.
        ax.set_xticks([])
        self.step_ticks = MaxNLocator(5, integer=True)
        axis = ax.get_xaxis_transform()     # x in steps, y in the axes' height
        size = float(ax.xaxis.get_major_ticks()[0].tick1line.get_markersize()
                     if ax.xaxis.get_major_ticks() else 3.5)
        (self.tick_marks,) = ax.plot([], [], linestyle="none", marker=TICKDOWN,
                                     markersize=size, markeredgewidth=0.8, color="black",
                                     transform=axis, clip_on=False)
        below = ScaledTranslation(0, -(size + 3.5) / 72, self.fig.dpi_scale_trans)
        self.tick_labels = [ax.text(0, 0, "", fontsize=8, ha="center", va="top",
                                    transform=axis + below, clip_on=False)
                            for _ in range(8)]
        ax.text(0.5, 0, "step", fontsize=8, ha="center", va="top",
                transform=ax.transAxes + ScaledTranslation(0, -(size + 3.5 + 10.5) / 72,
                                                           self.fig.dpi_scale_trans))
        self.moving += [self.tick_marks, *self.tick_labels]
        (self.loss_line,) = ax.plot([], [], color="#333333", lw=1.2, label="loss")
        (self.loss_dot,) = ax.plot([], [], "o", color="#333333", ms=3)
        ax.set_ylabel("loss", fontsize=8)
        self.ax_loss = ax
        self.ax_acc = ax.twinx()
        self.ax_acc.tick_params(labelsize=8, colors=_POSITIVE)
        self.ax_acc.set_ylim(-0.02, 1.02)
        self.ax_acc.set_yticks([0.0, 0.5, 1.0])
        (self.acc_line,) = self.ax_acc.plot([], [], color=_POSITIVE, lw=1.2)
        (self.acc_dot,) = self.ax_acc.plot([], [], "o", color=_POSITIVE, ms=3)
        self.ax_acc.set_ylabel("accuracy", fontsize=8, color=_POSITIVE)
        self.moving += [self.loss_line, self.loss_dot, self.acc_line, self.acc_dot,
                        self.title]

    # per frame ---------------------------------------------------------------------------

    def _rgba(self, value: float) -> tuple[float, float, float, float]:
        rgba = self.cmap(0.5 + 0.5 * max(-1.0, min(1.0, value)))
        return (float(rgba[0]), float(rgba[1]), float(rgba[2]), float(rgba[3]))

    def _colour(self, values: Array, scale: Any, bytes: bool = False) -> Any:
        """Colours of ``values / scale`` (clipped to ±1); a scale of 0 counts as 1."""
        np = self.np
        scale = np.where(np.asarray(scale) == 0, 1.0, scale)
        return self.cmap(0.5 + 0.5 * np.clip(values / scale, -1.0, 1.0), bytes=bytes)

    def update(self, frame: Frame) -> None:
        np, view = self.np, self.view
        outputs = _forward(self.layers, frame.params, self.grid, self.activations)
        cell = self.cell
        for c, values in enumerate([self.grid, *outputs]):
            if self.plane:   # each neuron's output over the plane, scaled by its own max
                colours = self._colour(values, np.max(np.abs(values), axis=0), bytes=True)
                r = cell // self.zoom
                squares = colours.transpose(1, 0, 2).reshape(-1, r, r, 4)
                if self.zoom > 1:
                    squares = squares.repeat(self.zoom, axis=1).repeat(self.zoom, axis=2)
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
        for layer in self.layers:
            nin = len(layer[0].w)
            for _ in layer:
                weights.extend(frame.params[pos:pos + nin])
                pos += nin + 1
        w = np.asarray(weights, dtype=float)
        biggest = float(np.max(np.abs(w))) if len(w) else 1.0
        self.edges.set_linewidths(0.15 + 2.2 * np.abs(w) / (biggest or 1.0))
        alpha = 0.15 + 0.75 * np.abs(w) / (biggest or 1.0)
        colors = np.where(w[:, None] >= 0, self.pos_rgba, self.neg_rgba)
        colors[:, 3] = alpha
        self.edges.set_color(colors)
        if self.plane:
            self._update_boundary(outputs[-1])
        upto = bisect.bisect_right(view.steps, frame.step)
        steps = view.steps[:upto]
        _, low, high = self._loss_axis()
        losses = [min(max(loss, low), high) for loss in view.losses[:upto]]  # else on edge
        self.loss_line.set_data(steps, losses)
        acc = [np.nan if a is None else a for a in view.accuracies[:upto]]
        self.acc_line.set_data(steps, acc)
        self.loss_dot.set_data(steps[-1:], losses[-1:])
        self.acc_dot.set_data(steps[-1:], acc[-1:])
        self.ax_acc.set_visible(any(a is not None for a in view.accuracies[:upto]))
        last = max(view.steps[-1], 2)
        self.ax_loss.set_xlim(0, last)
        ticks = [t for t in self.step_ticks.tick_values(0, last) if 0 <= t <= last]
        self.tick_marks.set_data(ticks, [0.0] * len(ticks))
        for k, label in enumerate(self.tick_labels):
            label.set_visible(k < len(ticks))
            if k < len(ticks):
                label.set_x(ticks[k])
                label.set_text(f"{ticks[k]:.0f}")
        self.ax_loss.set_ylim(low, high)
        self.title.set_text(frame.text())

    def _loss_axis(self) -> tuple[str, float, float]:
        """Set the loss axis's scale for the whole recording (every frame of a replay has
        the same axis, as it has the same step axis); return the scale and limits."""
        from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

        losses = self.view.losses
        if self.loss_axis is None or self.loss_axis[0] != len(losses):
            self.loss_axis = (len(losses), _loss_axis(losses))
        scale, low, high = self.loss_axis[1]
        ax = self.ax_loss
        if ax.get_yscale() != scale:
            ax.set_yscale(scale)
            if scale == "linear":
                ax.yaxis.set_major_locator(MaxNLocator(4))
            ax.yaxis.set_minor_locator(NullLocator())
            ax.set_ylabel("loss" if scale == "linear" else "loss (log scale)", fontsize=8)
        if scale == "log":   # (matplotlib's own log ticks overflow past 1e308 and fail)
            ax.yaxis.set_major_locator(FixedLocator(_decades(low, high)))
        return scale, low, high

    def _update_boundary(self, out: Array) -> None:
        np, view, r = self.np, self.view, self.view.resolution
        if view.kind == "classes":
            from matplotlib.colors import to_rgba

            palette = np.array([to_rgba(_CLASS_COLORS[i % len(_CLASS_COLORS)])
                                for i in range(out.shape[1])])
            shifted = np.exp(out - out.max(axis=1, keepdims=True))
            confidence = shifted.max(axis=1) / shifted.sum(axis=1)
            img = palette[out.argmax(axis=1)]
            fade = (0.15 + 0.6 * (confidence - 1 / out.shape[1]))[:, None]
            img[:, :3] = 1.0 - fade * (1.0 - img[:, :3])
        elif view.kind == "binary":
            img = self._colour(np.tanh(out[:, 0]), 1.0)
            img[:, :3] = 1.0 - 0.7 * (1.0 - img[:, :3])
        else:
            spread = float(np.max(np.abs(view._targets))) or 1.0
            img = self._colour(out[:, 0], spread)
        self.background_image.set_data(img.reshape(r, r, 4))
        field = out[:, 0]
        lines: list[Any] = []
        if view.kind == "binary" and field.min() < 0 < field.max():
            import contourpy  # matplotlib's own contouring, without a ContourSet per frame

            found: Any = contourpy.contour_generator(self.xs, self.ys, field.reshape(r, r),
                                                     line_type="Separate").lines(0.0)
            lines = [line for line in found if len(line) > 1]
        self.contour.set_segments(lines)

    def draw(self, frame: Frame, dpi: int) -> Any:
        """Draw ``frame``; return the canvas's pixels (RGBA, height × width × 4)."""
        self.update(frame)
        key = (dpi, self.ax_loss.get_yscale(), self.ax_loss.get_ylim(),
               self.ax_acc.get_visible())
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

    def image(self, frame: Frame, dpi: int) -> Any:
        """The frame as a PIL image (RGB)."""
        from PIL import Image

        return Image.fromarray(self.draw(frame, dpi)[:, :, :3].copy())

    def png(self, frame: Frame, dpi: int) -> bytes:
        buffer = io.BytesIO()
        self.image(frame, dpi).save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()


def _quantize(image: Any, colors: int) -> Any:
    # No dithering: the heat maps' smooth gradients dithered into noise compress badly.
    # The octree keeps the few saturated colours (the data points) that median cut merges.
    from PIL import Image

    return image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE,
                          dither=Image.Dither.NONE)

