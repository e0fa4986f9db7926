"""The recorder: :class:`TrainingView` keeps the training's numbers and a copy of the weights
every few steps, decides when the live picture is redrawn, shows it in Jupyter, and hands
its frames to the painter and the replay for the exports. :func:`attach` is how
:func:`nn.fit` takes its ``view`` argument.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import args, number_of
from engine.errors import written
from nn.layers import MLP, Layer, Neuron, layers_of
from nn.viz.training_view import replay
from nn.viz.training_view.painter import DPI, Curves, Painter, Scene
from nn.viz.training_view.task import check_loss, decide

__all__ = ["TrainingView", "Frame", "attach"]

DEFAULT_MAX_NEURONS = 64
DEFAULT_MAX_POINTS = 2000
DEFAULT_MAX_FRAMES = 300          # frames kept in memory; beyond it every other one is dropped
DEFAULT_MAX_EXPORT_FRAMES = 300   # frames one export may hold
DEFAULT_BUDGET = 0.10             # of the training time, for the redraws between the ends
REDRAWING = 0.1                   # seconds guessed for a drawing, until one is timed
FIT_LOSS = "running loss (one epoch)"   # what fit records: see TrainingView.record_batch


@dataclass(frozen=True)
class Frame:
    """One recorded moment of training: the numbers given to :meth:`TrainingView.record`
    and a copy of the model's weights right after that step.

    ``params`` lists, layer by layer and neuron by neuron, each neuron's weights then its
    bias (for an :class:`nn.MLP` this is the order of ``model.parameters()``). ``epoch`` is
    None when no epoch was given; :func:`nn.fit` counts epochs from 1, as it prints them.
    """

    step: int
    epoch: int | None
    loss: float
    accuracy: float | None
    lr: float | None
    params: tuple[float, ...]

    def text(self) -> str:
        """The caption shown with the frame.

        Examples:
            >>> Frame(step=12, epoch=3, loss=0.25, accuracy=0.875, lr=0.1, params=()).text()
            'epoch 3 · step 12 · loss 0.25 · accuracy 87.5% · lr 0.1'
            >>> Frame(step=5, epoch=None, loss=2.0, accuracy=None, lr=None, params=()).text()
            'step 5 · loss 2'
        """
        parts = [] if self.epoch is None else [f"epoch {self.epoch}"]
        parts += [f"step {self.step}", f"loss {self.loss:.4g}"]
        if self.accuracy is not None:
            parts.append(f"accuracy {100 * self.accuracy:.3g}%")
        if self.lr is not None:
            parts.append(f"lr {self.lr:.3g}")
        return " · ".join(parts)


# --- checking what the user gives -------------------------------------------------------

def _export_options(who: str, fps: Any, colors: Any, dpi: Any) -> tuple[float, int, int]:
    """The frame rate, palette size and resolution of an export, checked."""
    speed = args.real(fps, f"{who}: fps", low=0, low_open=True)
    longest = replay.LONGEST_FRAME_MS
    if 1000 / speed > longest + 0.5:   # the frame time, rounded to milliseconds
        raise ValueError(f"{who}: fps must be at least 1/{longest / 1000} (a frame shows "
                         f"for at most {longest / 1000} seconds, the longest a GIF can "
                         f"hold), got {fps!r}")
    palette = args.whole(colors, f"{who}: colors", low=2, high=256)
    return speed, palette, args.whole(dpi, f"{who}: dpi", low=10)


def _in_jupyter() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _cell() -> int | None:
    """The number of the notebook cell running now (None outside Jupyter): a new number is
    a new output area, where the live picture starts again."""
    if not _in_jupyter():
        return None
    from IPython import get_ipython

    number = getattr(get_ipython(), "execution_count", None)
    return number if isinstance(number, int) else None


# --- the view -----------------------------------------------------------------------------

class TrainingView:
    """A picture of ``model`` learning ``inputs`` → ``targets``, redrawn as it trains.

    The picture (see :mod:`nn.viz.training_view.painter`) shows the network, what the model
    makes of the data (a decision boundary, a fitted curve, or predictions against targets),
    the loss curve over all the steps and, for classes, the accuracy, in the colours of
    :mod:`nn.viz.palette` with a legend. Every text in it is at least 10 pixels high at the
    default resolution (96 dpi: 720 × 403 pixels), in the live picture, the replay and the
    GIF alike.

    The task is decided from the model and the labels (``task=`` overrides): several
    outputs, class indices (``"classes"``); one output and labels 0/1 or −1/1
    (``"binary"``, decided at output 0); one output and other values (``"regression"``,
    which shows no accuracy: an accuracy given to :meth:`record` is not kept). Class indices
    0, 1, 2... for a model with one output raise an error (pass ``task="regression"`` if
    they are values to fit).

    In Jupyter the picture is drawn at the first step of a training and again at its last;
    between them it is redrawn while everything the view times of its own (the drawings,
    the recording), counting the next drawing, stays under ``budget`` of the training time.
    Each :func:`nn.fit`, and each run of a notebook cell, starts the picture afresh in its
    own output. The first drawing builds the figure (a few tenths of a second), so a short
    training pays that on top of the budget (``benchmarks/view_overhead.py`` measures the
    whole slowdown: about 9 to 12% over a 10-second training, 15 to 20% over 2.5 seconds).

    Args:
        model: an :class:`nn.MLP` (or a :class:`nn.Layer` or :class:`nn.Neuron`).
        inputs: the training samples, each a list of numbers (one per model input).
        targets: one number per sample: a class index for a model with several outputs;
            for one output, 0/1 or −1/1 labels, or values to fit.
        every: redraw the live picture every this many steps (and at the first and the
            last); ``None`` (the default) redraws within ``budget``.
        record_every: keep a frame every this many steps (the first and last always).
        sample: the sample whose activations are shown when the inputs are neither 1-D nor
            2-D.
        live: draw while training: ``None`` does so in Jupyter only; ``True`` draws
            anyway (outside Jupyter the latest picture is kept in :attr:`latest_png`);
            ``False`` only records.
        budget: the share of training time that the redraws may take when ``every`` is
            None.
        resolution: heat maps are computed on a grid of resolution × resolution points.
        max_neurons: refuse models with more neurons (inputs included) than this;
            ``None`` for no limit.
        max_points: refuse more samples than this; ``None`` for no limit.
        max_frames: frames kept in memory; when full, every other frame is dropped and
            frames are kept half as often, so a long training never fills the memory.
        task: ``"binary"``, ``"classes"`` or ``"regression"``; ``None`` decides it.

    Attributes:
        frames: the recorded :class:`Frame` objects, oldest first.
        steps, losses, accuracies, lrs: the whole history given to :meth:`record`, one
            entry per step (``accuracies``/``lrs`` hold None where none was given).
        task: the task shown (see above).
        epoch_size: the samples in one epoch, for :meth:`record_batch` (``len(inputs)``,
            or the number of samples :func:`nn.fit` trains on).
        latest_png: the PNG bytes of the last live picture (``None`` before the first).
        redraws: how many times the live picture was drawn.

    Examples:
        >>> from nn import MLP, SGD, fit, hinge_loss
        >>> X, y = [[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]], [1, 1, -1, -1]
        >>> model = MLP(2, [4, 1], seed=0)
        >>> view = TrainingView(model, X, y, live=False)
        >>> history = fit(model, X, y, hinge_loss, SGD(model.parameters(), lr=0.1),
        ...               epochs=5, progress=False, view=view)
        >>> len(view.frames), view.frames[-1].loss == history["loss"][-1], view.task
        (5, True, 'binary')
        >>> [f.epoch for f in view.frames], view.frames[-1].params == tuple(
        ...     p.data for p in model.parameters())
        ([1, 2, 3, 4, 5], True)
    """

    def __init__(self, model: MLP | Layer | Neuron, inputs: Sequence[Sequence[Any]],
                 targets: Sequence[Any], *, every: int | None = None,
                 record_every: int = 1, sample: int = 0, live: bool | None = None,
                 budget: float = DEFAULT_BUDGET, resolution: int = 40,
                 max_neurons: int | None = DEFAULT_MAX_NEURONS,
                 max_points: int | None = DEFAULT_MAX_POINTS,
                 max_frames: int = DEFAULT_MAX_FRAMES, task: str | None = None) -> None:
        who = "TrainingView"
        self.model = model
        layers = layers_of(model, f"{who}: model")
        self.nin = len(layers[0][0].w)
        self.nout = len(layers[-1])
        self.every = args.whole_or_none(every, f"{who}: every", low=1)
        self.record_every = args.whole(record_every, f"{who}: record_every", low=1)
        self.max_frames = args.whole(max_frames, f"{who}: max_frames", low=2)
        self.resolution = args.whole(resolution, f"{who}: resolution", low=4, high=200)
        live = None if live is None else args.flag(live, f"{who}: live")
        self.budget = args.real(budget, f"{who}: budget", low=0, low_open=True, high=1)

        neurons = self.nin + sum(len(layer) for layer in layers)
        limit = args.whole_or_none(max_neurons, f"{who}: max_neurons", low=1)
        if limit is not None and neurons > limit:
            raise ValueError(
                f"{who}: the model has {neurons} neurons to draw (inputs included), more "
                f"than max_neurons={limit}; a picture that dense shows little. Pass "
                f"max_neurons=None (or a larger number) to draw it anyway.")

        rows = args.items(inputs, f"{who}: inputs", kind="a list (or array) of samples")
        labels = args.items(targets, f"{who}: targets", number_of, n=len(rows),
                            kind="a list of numbers (one per sample)")
        limit = args.whole_or_none(max_points, f"{who}: max_points", low=1)
        if limit is not None and len(rows) > limit:
            raise ValueError(
                f"{who}: {len(rows)} samples are more than max_points={limit}; pass a "
                f"subset, or max_points=None to draw them all.")
        points = [tuple(args.items(row, f"{who}: inputs[{i}]", number_of, n=self.nin,
                                   kind="a list of numbers (one per model input)"))
                  for i, row in enumerate(rows)]
        self.task = decide(who, self.nout, labels, task)
        self.sample: int = args.whole(sample, f"{who}: sample", low=0, high=len(rows) - 1)
        self.scene: Scene = Scene(
            sizes=(self.nin, *(len(layer) for layer in layers)),
            activations=tuple(layer[0].activation for layer in layers),
            inputs=tuple(points), targets=tuple(labels), task=self.task,
            resolution=self.resolution, sample=self.sample)
        self._layers: list[list[Neuron]] = layers
        self.epoch_size: int = len(rows)

        self.live: bool = _in_jupyter() if live is None else live
        self.frames: list[Frame] = []
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.accuracies: list[float | None] = []
        self.lrs: list[float | None] = []
        self.latest_png: bytes | None = None
        self.redraws: int = 0
        self.loss_label: str = "loss"
        self._latest: Frame | None = None
        self._epoch: int | None = None
        self._window: deque[tuple[float, int, int | None]] = deque()  # record_batch's
        self._painter: Painter | None = None
        self._last_draw: float = REDRAWING   # a guess until a drawing is timed
        self._drawn_step: int | None = None
        self._start_run(_cell())

    @property
    def kind(self) -> str:
        """The task in the words of earlier versions: ``"binary"``, ``"classes"`` or
        ``"values"`` (regression).

        Examples:
            >>> from nn import MLP
            >>> TrainingView(MLP(1, [2, 1], seed=0), [[0.0], [1.0]], [0.5, 2.0]).kind
            'values'
        """
        return "values" if self.task == "regression" else self.task

    def _begin(self, epoch_size: int) -> None:
        """A training by fit: ``epoch_size`` samples an epoch, a new live picture."""
        self.epoch_size = epoch_size
        self._window.clear()
        self._start_run(_cell())

    def _start_run(self, cell: int | None) -> None:
        """A new training (a fit, or a notebook cell run again): a new live picture, drawn
        at the first step, and the budget counted afresh."""
        self._cell = cell
        self._handle: Any = None
        self._run_drawn = False
        self._run_steps = 0
        self._t0: float | None = None
        self._draw_time = 0.0        # seconds of drawing in this run, the first included
        self._redraw_time = 0.0      # the same without the first drawing (the budget's)
        self._record_time = 0.0      # seconds spent in record() besides drawing

    # --- recording ------------------------------------------------------------------------

    def _params(self) -> tuple[float, ...]:
        return tuple(v.data for layer in self._layers for n in layer for v in (*n.w, n.b))

    def record(self, loss: Any, *, epoch: int | None = None, step: int | None = None,
               accuracy: Any = None, lr: Any = None) -> None:
        """Note one training step, taken just before: its loss (and accuracy, learning rate).

        Call it after ``optimizer.step()``. ``step`` counts on from the last one when
        omitted (starting at 1); ``epoch`` stays the last one given (none until one is).
        Every ``record_every`` steps a frame keeps a copy of the model's weights, and the
        live picture is redrawn when it is due.

        Examples:
            >>> from nn import MLP
            >>> view = TrainingView(MLP(2, [3, 1], seed=0), [[0, 1], [1, 0]], [1, -1],
            ...                     live=False)
            >>> view.record(0.9, accuracy=0.5, lr=0.1)
            >>> view.record(0.7, accuracy=1.0, lr=0.1, epoch=1)
            >>> view.steps, view.losses
            ([1, 2], [0.9, 0.7])
            >>> for frame in view.frames:
            ...     print(frame.text())
            step 1 · loss 0.9 · accuracy 50% · lr 0.1
            epoch 1 · step 2 · loss 0.7 · accuracy 100% · lr 0.1
        """
        start = time.perf_counter()
        drawn = self._draw_time
        who = "TrainingView.record"
        loss_value = number_of(loss, f"{who}: loss")
        acc = None if accuracy is None else args.real(accuracy, f"{who}: accuracy", low=0,
                                                      high=1)
        rate = None if lr is None else args.real(lr, f"{who}: lr", low=0)
        last = self.steps[-1] if self.steps else 0
        if step is None:
            step = last + 1
        elif args.whole(step, f"{who}: step", low=1) <= last:
            raise ValueError(f"{who}: steps must increase; got step {step} after {last}")
        if epoch is not None:
            self._epoch = args.whole(epoch, f"{who}: epoch", low=0)
        if self.task == "regression":
            acc = None                   # no accuracy for values to fit
        if self.live:
            cell = _cell()
            if cell != self._cell:       # a cell run again, or another one
                self._start_run(cell)
        if self._t0 is None:
            self._t0 = start
        step = int(step)
        self._run_steps += 1
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

    def record_batch(self, loss: Any, samples: int, *, right: int | None = None,
                     epoch: int | None = None, step: int | None = None,
                     lr: Any = None) -> None:
        """Note one step on a batch: its mean ``loss`` over ``samples`` samples, of which
        ``right`` were judged right (None: no accuracy). :func:`nn.fit` calls this.

        What is recorded is the mean over the last epoch's worth of batches (the latest
        batches that hold at most :attr:`epoch_size` samples together), so the curve is one
        line across epochs, as smooth as an epoch's mean; at the end of each epoch it is
        that epoch's mean loss and accuracy, the numbers of ``fit``'s history, exactly.

        Examples:
            >>> from nn import MLP
            >>> view = TrainingView(MLP(2, [3, 1], seed=0), [[0, 1], [1, 0], [1, 1], [0, 0]],
            ...                     [1, -1, 1, -1], live=False)
            >>> for loss, right in ((0.8, 1), (0.6, 2), (0.4, 2)):   # batches of 2
            ...     view.record_batch(loss, 2, right=right)
            >>> view.losses, view.accuracies       # (0.8, 0.8+0.6, 0.6+0.4) / 2
            ([0.8, 0.7, 0.5], [0.5, 0.75, 1.0])
        """
        who = "TrainingView.record_batch"
        value = number_of(loss, f"{who}: loss")
        size = args.whole(samples, f"{who}: samples", low=1)
        judged = None if right is None else args.whole(right, f"{who}: right", low=0,
                                                       high=size)
        if self._window and (self._window[-1][2] is None) != (judged is None):
            self._window.clear()         # an accuracy now given, or no longer: start again
        self._window.append((value, size, judged))
        held = sum(n for _, n, _ in self._window)
        while held > self.epoch_size and len(self._window) > 1:
            held -= self._window.popleft()[1]
        total = 0.0
        for mean, n, _ in self._window:  # in order, as fit sums its epoch's loss
            total += mean * n
        accuracy = None if judged is None else sum(r or 0 for _, _, r in self._window) / held
        self.loss_label = FIT_LOSS
        self.record(total / held, epoch=epoch, step=step, accuracy=accuracy, lr=lr)

    def _keep(self, frame: Frame) -> None:
        self.frames.append(frame)
        if len(self.frames) > self.max_frames:
            self.frames = self.frames[::2]
            self.record_every *= 2

    def _training_time(self, now: float) -> float:
        """Seconds of training in this run: the time since its first step was recorded, less
        the view's own, plus one step for the first (taken before any record)."""
        n = self._run_steps
        if self._t0 is None or n < 2:
            return 0.0
        spent = now - self._t0 - self._draw_time - self._record_time
        return max(spent, 0.0) * n / (n - 1)

    def _due(self, now: float) -> bool:
        if not self._run_drawn:
            return True                  # the first step of a run: at once
        if self.every is not None:
            return self._run_steps % self.every == 0
        cost = self._redraw_time + self._record_time + self._last_draw
        return cost <= self.budget * self._training_time(now)

    def finish(self) -> None:
        """Keep the last step as a frame and, when live, draw it (``fit`` calls this).

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
        if self.live and self._drawn_step != frame.step:
            self._show(frame)

    def _show(self, frame: Frame) -> None:
        start = time.perf_counter()
        first = not self._run_drawn
        self._run_drawn = True
        png = self._painter_().png(frame.params, frame.text(), self._curves(), frame.step,
                                   DPI)
        self.latest_png = png
        self.redraws += 1
        self._drawn_step = frame.step
        if _in_jupyter():
            import IPython.display

            ipython: Any = IPython.display
            image = ipython.Image(data=png)
            if self._handle is None:     # a new output area: this run's picture
                self._handle = ipython.display(image, display_id=True)
            else:
                self._handle.update(image)
        spent = time.perf_counter() - start
        self._draw_time += spent
        if not first:
            self._last_draw = spent
            self._redraw_time += spent

    def _painter_(self) -> Painter:
        if self._painter is None:
            self._painter = Painter(self.scene)
        return self._painter

    def _curves(self) -> Curves:
        return Curves(self.steps, self.losses, self.accuracies, self.loss_label)

    # --- exports --------------------------------------------------------------------------

    def _chosen(self, who: str, frames: int | None, max_frames: int | None) -> list[Frame]:
        recorded = list(self.frames)
        if self._latest is not None and (not recorded or recorded[-1] is not self._latest):
            recorded.append(self._latest)
        if not recorded:
            raise ValueError(f"{who}: nothing recorded yet; train with fit(..., view=view) "
                             f"or call view.record(...) after each step")
        number = args.whole_or_none(frames, f"{who}: frames", low=1)
        limit = args.whole_or_none(max_frames, f"{who}: max_frames", low=1)
        if number is None:
            number = len(recorded)
        if limit is not None and number > limit and len(recorded) > limit:
            raise ValueError(
                f"{who}: {min(number, len(recorded))} frames are more than "
                f"max_frames={limit}; pass frames=N to pick N evenly spaced ones, or "
                f"max_frames=None.")
        if number >= len(recorded):
            return recorded
        if number == 1:
            return [recorded[-1]]
        picks = sorted({round(i * (len(recorded) - 1) / (number - 1)) for i in range(number)})
        return [recorded[i] for i in picks]

    def _image(self, frame: Frame, dpi: int) -> Any:
        return self._painter_().image(frame.params, frame.text(), self._curves(), frame.step,
                                      dpi)

    def render(self, frame: Frame | None = None, dpi: int = DPI) -> bytes:
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
        dots = args.whole(dpi, f"{who}: dpi", low=10)
        frame = (self._chosen(who, None, None)[-1] if frame is None
                 else args.instance(frame, f"{who}: frame", Frame))
        return self._painter_().png(frame.params, frame.text(), self._curves(), frame.step,
                                    dots)

    def save_gif(self, path: str | os.PathLike[str], *, frames: int | None = 40,
                 fps: float = 8.0, dpi: int = DPI, colors: int = 32, hold: float = 2.0,
                 max_frames: int | None = DEFAULT_MAX_EXPORT_FRAMES) -> Path:
        """Write the recorded training as an animated GIF (looping; it holds the last frame).

        Args:
            path: where to write it.
            frames: at most this many frames, evenly spaced over the recording, first and
                last included; ``None`` for all of them.
            fps: frames per second (at least 1/655.35: a GIF shows a frame for at most
                655.35 seconds).
            dpi: the picture's resolution: 96 gives 720 × 403 pixels with text at least
                10 pixels high (it scales with ``dpi``).
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
            >>> gif = Image.open(view.save_gif(path))
            >>> gif.n_frames, gif.size
            (3, (720, 403))
        """
        who = "TrainingView.save_gif"
        out = args.out_path(path, f"{who}: path")
        speed, palette, dots = _export_options(who, fps, colors, dpi)
        pause = args.real(hold, f"{who}: hold", low=0)
        frame_ms = round(1000 / speed)
        longest = replay.LONGEST_FRAME_MS
        if frame_ms + round(1000 * pause) > longest:
            raise ValueError(f"{who}: hold must be at most {(longest - frame_ms) / 1000:g} "
                             f"seconds (the last frame shows for 1/fps + hold, and a GIF "
                             f"frame for at most {longest / 1000} seconds), got {hold!r}")
        chosen = self._chosen(who, frames, max_frames)
        images = [replay.quantize(self._image(f, dots), palette) for f in chosen]
        return written(who, out, lambda where: replay.write_gif(
            where, images, frame_ms, round(1000 * pause)))

    def _replay(self, who: str, page: bool, frames: int | None, fps: Any, dpi: Any,
                colors: Any, max_frames: int | None) -> str:
        speed, palette, dots = _export_options(who, fps, colors, dpi)
        chosen = self._chosen(who, frames, max_frames)
        painter = self._painter_()
        pictures = []
        for f in chosen:
            network, plots = painter.halves(self._image(f, dots))
            pictures.append(replay.Picture(
                replay.png_bytes(replay.quantize(network, palette)),
                replay.png_bytes(replay.quantize(plots, palette)), f.text(),
                {"step": f.step, "epoch": f.epoch, "loss": f.loss, "accuracy": f.accuracy,
                 "lr": f.lr}))
        return replay.replay_html(pictures, round(1000 / speed), page=page)

    def to_html(self, *, frames: int | None = 60, fps: float = 8.0, dpi: int = DPI,
                colors: int = 128,
                max_frames: int | None = DEFAULT_MAX_EXPORT_FRAMES) -> str:
        """An HTML fragment that replays the recorded training (a notebook shows it).

        The frames are inline PNG pictures, the controls (play / pause, previous, next, a
        slider; the arrow keys and the space bar while the replay has the focus) a few lines
        of plain JavaScript: no server, no network. Only the first frame is in the page as
        pictures; the others are data that the script reads, so a renderer that runs no
        JavaScript (a code host, an untrusted notebook) shows that frame, its caption and a
        note saying why nothing plays. The fragment may be shown more than once in one
        document (a notebook showing ``view`` in two cells): each copy has its own controls.

        Args:
            frames: at most this many frames, evenly spaced over the recording, first and
                last included; ``None`` for all of them.
            fps: frames per second when playing.
            dpi: the pictures' resolution (96: text at least 10 pixels high).
            colors: each picture's palette size (2 … 256).
            max_frames: refuse more frames than this; ``None`` for no limit.

        Examples:
            >>> from nn import MLP
            >>> view = TrainingView(MLP(2, [3, 1], seed=0), [[0, 1], [1, 0]], [1, -1],
            ...                     live=False)
            >>> view.record(0.9, epoch=1)
            >>> view.record(0.7, epoch=2)
            >>> page = view.to_html()
            >>> page.count("<img"), "epoch 2 · step 2 · loss 0.7" in page
            (2, True)
        """
        return self._replay("TrainingView.to_html", False, frames, fps, dpi, colors,
                            max_frames)

    def save_html(self, path: str | os.PathLike[str], *, frames: int | None = 60,
                  fps: float = 8.0, dpi: int = DPI, colors: int = 128,
                  max_frames: int | None = DEFAULT_MAX_EXPORT_FRAMES) -> Path:
        """Write the replay as a page of its own (the options of :meth:`to_html`): it fits a
        phone's screen, and its keys work as soon as it opens. Return the path.

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
        out = args.out_path(path, f"{who}: path")
        text = replay.page_html(self._replay(who, True, frames, fps, dpi, colors, max_frames))
        return written(who, out, lambda where: where.write_text(text, encoding="utf-8"))

    def _repr_html_(self) -> str | None:
        return self.to_html() if self._latest is not None else None

    def __repr__(self) -> str:
        return (f"TrainingView({len(self.steps)} steps recorded, {len(self.frames)} frames, "
                f"task={self.task!r}, live={self.live})")


def attach(view: TrainingView | bool | None, model: Any, inputs: Sequence[Any],
           targets: Sequence[Any], loss_fn: Any = None) -> TrainingView | None:
    """What :func:`nn.fit` does with its ``view`` argument: ``None``/``False`` → no view,
    ``True`` → a default :class:`TrainingView`, a view → that view, starting a new live
    picture. With ``loss_fn``, labels that do not fit it are refused first (see
    :func:`nn.viz.training_view.task.check_loss`).

    Examples:
        >>> attach(None, None, [], []) is None
        True
    """
    if args.is_flag(view):   # NumPy's bool too
        view = args.flag(view, "fit: view")
    if view is None or view is False:
        return None
    if view is not True and not isinstance(view, TrainingView):
        raise TypeError(f"fit: view must be a TrainingView, True, False or None, got "
                        f"{args.describe(view)}")
    live = TrainingView(model, inputs, targets) if view is True else view
    if loss_fn is not None:
        check_loss("fit", loss_fn, live.nout, targets)
    live._begin(len(inputs))
    return live

