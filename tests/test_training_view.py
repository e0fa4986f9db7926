"""TrainingView: it records the real training, shows only what fits the task, refuses labels
that fit neither the model nor the loss, draws with text a reader can read, and exports a
GIF and an HTML replay that works in a browser (on a phone too) and degrades to one frame."""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn.viz.training_view.recorder as recorder
from engine import Value
from nn import (
    MLP,
    SGD,
    Adam,
    Layer,
    Neuron,
    TrainingView,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    fit,
    hinge_loss,
    mse_loss,
)
from nn.activations import ACTIVATIONS
from nn.viz import palette
from nn.viz.training_view import Frame, attach
from nn.viz.training_view.painter import DPI, forward

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

X = [[1.0, 1.2], [0.8, 1.5], [1.4, 0.9], [-1.1, -0.8], [-0.7, -1.3], [-1.2, -1.0],
     [0.9, -0.2], [-0.3, 1.1]]
Y = [1, 1, 1, -1, -1, -1, 1, -1]
ROOT = Path(__file__).resolve().parent.parent
LINE = [[x / 4] for x in range(-12, 13)]              # 25 points of 1-D input
SINE = [math.sin(x[0]) for x in LINE]


def trained(epochs: int = 6, batch_size: int | None = None, **options: Any
            ) -> tuple[MLP, TrainingView, dict[str, list[float]]]:
    model = MLP(2, [4, 4, 1], seed=0)
    view = TrainingView(model, X, Y, live=False, **options)
    history = fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=epochs,
                  batch_size=batch_size, seed=0, lr_schedule=lambda e: 0.1 / (1 + e),
                  progress=False, view=view)
    return model, view, history


def sine(epochs: int = 4) -> tuple[MLP, TrainingView]:
    """A regression on 1-D input, trained with fit's default `correct` (a sign agreement
    that means nothing for values to fit)."""
    model = MLP(1, [6, 1], activation="tanh", seed=0)
    view = TrainingView(model, LINE, SINE, live=False)
    fit(model, LINE, SINE, mse_loss, Adam(model.parameters(), lr=0.05), epochs=epochs,
        batch_size=5, seed=0, progress=False, view=view)
    return model, view


# --- recording: the numbers are the training's own ------------------------------------

def test_full_batch_frames_are_the_history_and_the_weights() -> None:
    model = MLP(2, [4, 4, 1], seed=0)
    view = TrainingView(model, X, Y, live=False)
    snapshots = []

    class Spy(SGD):
        def step(self) -> None:
            super().step()
            snapshots.append(tuple(p.data for p in model.parameters()))

    history = fit(model, X, Y, hinge_loss, Spy(model.parameters(), lr=0.1), epochs=6,
                  seed=0, lr_schedule=lambda e: 0.1 / (1 + e), progress=False, view=view)
    assert [f.step for f in view.frames] == [1, 2, 3, 4, 5, 6]
    assert [f.loss for f in view.frames] == history["loss"]
    assert [f.accuracy for f in view.frames] == history["accuracy"]
    assert [f.lr for f in view.frames] == [0.1 / (1 + e) for e in range(6)]
    assert [f.params for f in view.frames] == snapshots
    assert view.losses == history["loss"] and view.steps == [1, 2, 3, 4, 5, 6]


def test_epochs_count_from_one_as_fit_prints_them(capsys: pytest.CaptureFixture[str]
                                                  ) -> None:
    model = MLP(2, [3, 1], seed=0)
    view = TrainingView(model, X, Y, live=False)
    fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=3, batch_size=4,
        seed=0, view=view)                                   # with its progress bar
    printed = capsys.readouterr().err
    assert "3/3" in printed and "0/3" in printed              # the bar counts 1 … 3
    assert [f.epoch for f in view.frames] == [1, 1, 2, 2, 3, 3]
    assert view.frames[-1].text().startswith("epoch 3 · step 6 ·")
    assert view.frames[0].text().startswith("epoch 1 · step 1 ·")


def _windowed(batches: Sequence[tuple[float, int]], n: int) -> list[float]:
    """The oracle of the loss curve: after each batch, the mean loss over the latest
    batches that hold at most n samples together (at least the latest one)."""
    means = []
    for k in range(len(batches)):
        held, total, j = 0, 0.0, k
        while j >= 0 and (held + batches[j][1] <= n or j == k):
            held += batches[j][1]
            total += batches[j][0] * batches[j][1]
            j -= 1
        means.append(total / held)
    return means


def test_the_loss_curve_is_one_line_across_epochs() -> None:
    """With mini-batches fit records the mean over the last epoch's worth of batches: one
    line, which meets fit's history at every epoch's end, where the old curve (the mean of
    the epoch so far) restarted from one batch's loss."""
    model = MLP(2, [4, 1], seed=0)
    seen: list[tuple[float, int]] = []

    def loss_fn(preds: list[Value], targets: list[Any]) -> Value:
        loss = hinge_loss(preds, targets)
        seen.append((loss.data, len(preds)))
        return loss

    view = TrainingView(model, X, Y, live=False)
    history = fit(model, X, Y, loss_fn, SGD(model.parameters(), lr=0.3), epochs=5,
                  batch_size=3, seed=1, progress=False, view=view)   # batches of 3, 3, 2
    assert view.losses == pytest.approx(_windowed(seen, len(X)), rel=1e-12)
    ends = [view.losses[k] for k in range(2, len(seen), 3)]
    assert ends == history["loss"]                             # exactly: the same sums
    firsts = [view.losses[k] for k in range(3, len(seen), 3)]   # each epoch's first step
    restarted = [seen[k][0] for k in range(3, len(seen), 3)]    # the old curve's values
    assert firsts != pytest.approx(restarted)
    assert view.loss_label == "running loss (one epoch)"


@given(st.lists(st.tuples(st.floats(0.0, 10.0), st.integers(1, 7)), min_size=1,
                max_size=30), st.integers(1, 20))
def test_record_batch_is_the_mean_of_the_last_epoch_of_batches(
        batches: list[tuple[float, int]], n: int) -> None:
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=False)
    view.epoch_size = n
    for loss, size in batches:
        view.record_batch(loss, size, right=size)
    assert view.losses == pytest.approx(_windowed(batches, n), rel=1e-12, abs=1e-300)
    assert view.accuracies == [1.0] * len(batches)


def test_record_every_keeps_the_first_and_last_step() -> None:
    model, view, _ = trained(epochs=7, record_every=3)
    assert [f.step for f in view.frames] == [1, 3, 6, 7]
    assert view.frames[-1].params == tuple(p.data for p in model.parameters())


def test_a_full_recording_thins_itself_instead_of_growing() -> None:
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=False, max_frames=4)
    for k in range(20):
        view.record(1.0 / (k + 1))
    assert len(view.frames) <= 4 and view.frames[0].step == 1
    assert len(view.losses) == 20                       # the curves keep every step
    view.finish()
    assert view.frames[-1].step == 20


def test_hand_written_loop_with_explicit_steps() -> None:
    model = MLP(2, [3, 1], seed=2)
    view = TrainingView(model, X, Y, live=False)
    opt = SGD(model.parameters(), lr=0.05)
    for step in (10, 20, 30):
        loss = hinge_loss([model(x) for x in X], Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        view.record(loss, step=step, lr=opt.lr, epoch=step // 10 if step > 10 else None)
    view.finish()
    assert [(f.step, f.epoch, f.lr) for f in view.frames] == [(10, None, 0.05),
                                                              (20, 2, 0.05), (30, 3, 0.05)]
    assert view.frames[0].text() == f"step 10 · loss {view.frames[0].loss:.4g} · lr 0.05"
    assert view.frames[-1].loss == loss.data and view.frames[-1].accuracy is None


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_the_heat_maps_forward_equals_the_model(activation: str) -> None:
    if activation == "linear":
        model: Any = Layer(3, 2, activation="linear", seed=7)
        sizes, names = (3, 2), ("linear",)
    else:
        model = MLP(3, [5, 4, 2], activation=activation, seed=7)
        sizes, names = (3, 5, 4, 2), (activation, activation, "linear")
    points = np.array([[0.5, -1.0, 2.0], [-0.3, 0.2, 0.0], [40.0, -40.0, 1.0]])
    outs = forward(sizes, names, [p.data for p in model.parameters()], points)
    for row, point in zip(outs[-1], points):
        expected = [v.data for v in model(list(point))]
        assert row.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-12)


@given(st.floats(-750.0, 750.0))
def test_the_activation_table_agrees_on_values_and_arrays(z: float) -> None:
    for row in ACTIVATIONS.values():
        on_value = z if row.on_value is None else row.on_value(Value(z)).data
        assert float(row.on_array(np.array([z]))[0]) == pytest.approx(on_value, rel=1e-14,
                                                                      abs=1e-300)


def test_fit_view_true_builds_a_default_view_and_rejects_other_values() -> None:
    model = MLP(2, [3, 1], seed=0)
    for on in (True, np.bool_(True)):                      # a flag, NumPy's too
        view = attach(on, model, X, Y)
        assert isinstance(view, TrainingView) and view.model is model
        assert view.scene.inputs == tuple(map(tuple, X)) and view.scene.targets == tuple(Y)
        assert view.epoch_size == len(X) and view.frames == []
    assert [attach(off, model, X, Y) for off in (None, False, np.bool_(False))] == [None] * 3
    with pytest.raises(TypeError, match=r"^fit: view must be a TrainingView, True, False or "
                                        r"None, got str 'yes'$"):
        fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.1), progress=False,
            view="yes")  # type: ignore[arg-type]


# --- the task, and labels that fit neither the model nor the loss ------------------------

@pytest.mark.parametrize(("model", "targets", "task", "decided"), [
    (MLP(2, [3, 1], seed=0), [0, 1, 1, 0], None, "binary"),
    (MLP(2, [3, 1], seed=0), [-1, 1, 1, -1], None, "binary"),
    (MLP(2, [3, 1], seed=0), [1, 1, 1, 1], None, "binary"),
    (MLP(2, [3, 3], seed=0), [0, 2, 1, 0], None, "classes"),
    (MLP(2, [3, 1], seed=0), [0.5, 2.0, -1.5, 0.0], None, "regression"),
    (MLP(2, [3, 1], seed=0), [-1, 0, 1, 1], None, "regression"),   # no binary labels
    (MLP(2, [3, 1], seed=0), [0, 1, 2, 3], "regression", "regression"),
    (MLP(2, [3, 1], seed=0), [0, 1, 1, 0], "regression", "regression"),
])
def test_the_task_is_decided_from_the_model_and_the_labels(
        model: MLP, targets: list[float], task: str | None, decided: str) -> None:
    view = TrainingView(model, X[:4], targets, live=False, task=task)
    assert view.task == decided


@pytest.mark.parametrize(("nout", "targets", "task", "error", "match"), [
    (1, [0, 1, 2, 0], None, ValueError,
     r"targets hold the class indices 0 … 2, but the model has 1 output.*3 outputs.*"
     r"cross_entropy.*task='regression'"),
    (1, [2, 0, 1, 3], None, ValueError, r"targets hold the class indices 0 … 3"),
    (3, [0, 1, 3, 0], None, ValueError, r"targets\[2\] = 3.0 is not a class index"),
    (3, [0, 1, 0.5, 0], None, ValueError, r"targets\[2\] = 0.5 is not a class index"),
    (1, [0, 1, 1, 0], "classes", ValueError, r"task='classes' needs one output per class"),
    (3, [0, 1, 1, 0], "regression", ValueError, r"task='regression' needs a model with one"),
    (1, [0, 1, 0.5, 0], "binary", ValueError, r"targets\[2\] = 0.5 is not a label of a"),
    (1, [-1, 1, 0, 1], "binary", ValueError, r"targets\[2\] = 0.0 is not a label of a"),
    (1, [0, 1, 1, 0], "values", ValueError, r"task must be one of 'binary', 'classes', "),
    (1, [0, 1, 1, 0], 1, TypeError, r"task must be one of .* got int"),
])
def test_labels_that_fit_no_task_raise_naming_the_argument(
        nout: int, targets: list[float], task: Any, error: type[Exception],
        match: str) -> None:
    with pytest.raises(error, match="TrainingView: " + match):
        TrainingView(MLP(2, [3, nout], seed=0), X[:4], targets, task=task)


@pytest.mark.parametrize(("loss_fn", "nout", "targets", "match"), [
    (binary_cross_entropy_with_logits, 1, Y,
     r"fit: targets\[3\] = -1 does not fit loss_fn=binary_cross_entropy_with_logits, "
     r"which takes targets in \[0, 1\]"),
    (binary_cross_entropy, 1, [0.0, 1.0, 1.0, 2.0, 0.0, 0.0, 1.0, 0.0],
     r"fit: targets\[3\] = 2.0 does not fit loss_fn=binary_cross_entropy,"),
    (hinge_loss, 1, [0, 1, 1, 0, 0, 0, 1, 0],
     r"fit: targets\[0\] = 0 does not fit loss_fn=hinge_loss, which takes the labels -1"),
    (cross_entropy, 1, [0, 1, 1, 0, 0, 0, 1, 0],
     r"fit: loss_fn=cross_entropy needs one output per class, but the model has 1 output"),
])
def test_labels_that_do_not_fit_the_loss_raise_before_training(
        loss_fn: Any, nout: int, targets: list[float], match: str) -> None:
    model = MLP(2, [3, nout], seed=0)
    before = [p.data for p in model.parameters()]
    view = TrainingView(model, X, targets, live=False, task="regression"
                        if set(targets) - {0, 1, -1} else None)
    with pytest.raises(ValueError, match=match):
        fit(model, X, targets, loss_fn, SGD(model.parameters(), lr=0.1), progress=False,
            view=view)
    assert [p.data for p in model.parameters()] == before and view.steps == []


def test_a_loss_of_your_own_is_not_checked() -> None:
    model = MLP(2, [3, 1], seed=0)

    def loss_fn(preds: list[Value], targets: list[Any]) -> Value:
        return binary_cross_entropy_with_logits(preds, [(t + 1) / 2 for t in targets])

    history = fit(model, X, Y, loss_fn, SGD(model.parameters(), lr=0.1), epochs=2,
                  progress=False, view=TrainingView(model, X, Y, live=False))
    assert min(history["loss"]) > 0


def test_regression_shows_no_accuracy() -> None:
    _, view = sine(epochs=2)
    assert view.task == "regression"
    assert view.accuracies == [None] * len(view.steps)       # fit's sign agreement: dropped
    assert all("accuracy" not in f.text() for f in view.frames)
    view.render()
    painter = view._painter_()
    assert not painter.ax_acc.get_visible() and not painter.acc_title.get_visible()
    assert all(d["accuracy"] is None for d in frames_of(view.to_html(frames=3, dpi=30)))


# --- hostile input -----------------------------------------------------------------------

def test_numpy_inputs_and_numpy_scalars_are_numbers() -> None:
    view = TrainingView(MLP(2, [3, 1], seed=0), np.array(X), np.array(Y), live=np.bool_(False),
                        resolution=np.array(40), sample=np.int64(1))
    view.record(np.float32(0.5), epoch=np.int64(2), accuracy=np.float64(0.25))
    assert view.frames[0].epoch == 2 and view.frames[0].loss == 0.5
    assert view.task == "binary" and view.live is False and view.sample == 1


def test_size_guards_refuse_and_can_be_overridden() -> None:
    big = MLP(2, [40, 40, 1], seed=0)
    with pytest.raises(ValueError, match=r"83 neurons to draw.*max_neurons=None"):
        TrainingView(big, X, Y)
    assert TrainingView(big, X, Y, max_neurons=None, live=False).model is big
    many = [[float(i), 0.0] for i in range(30)]
    with pytest.raises(ValueError, match="30 samples are more than max_points=10"):
        TrainingView(MLP(2, [2, 1], seed=0), many, [1] * 30, max_points=10)


def test_exports_need_frames_and_keep_to_max_frames(tmp_path: Path) -> None:
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=False)
    with pytest.raises(ValueError, match=r"^TrainingView.save_gif: nothing recorded yet"):
        view.save_gif(tmp_path / "a.gif")
    with pytest.raises(ValueError, match=r"^TrainingView.save_html: nothing recorded yet"):
        view.save_html(tmp_path / "a.html")
    for k in range(5):
        view.record(1.0 / (k + 1))
    with pytest.raises(ValueError, match=r"^TrainingView.to_html: 5 frames are more than "
                                         "max_frames=3"):
        view.to_html(frames=None, max_frames=3)
    assert view.to_html(frames=3, max_frames=3, dpi=20).count('"step":') == 3
    assert not (tmp_path / "a.gif").exists()


# --- outside Jupyter, and the live path ---------------------------------------------------

def test_outside_jupyter_it_only_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "IPython", None)   # as if IPython were not installed
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y)
    assert view.live is False
    view.record(0.5)
    view.finish()
    assert view.latest_png is None and len(view.frames) == 1


def test_live_outside_jupyter_draws_the_first_step_then_every_and_the_last(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "IPython", None)
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=True, every=2)
    drawn = []
    for k in range(5):
        view.record(1.0 / (k + 1))
        drawn.append(view._drawn_step)
    assert drawn == [1, 2, 2, 4, 4]
    view.finish()
    assert view._drawn_step == 5 and view.redraws == 4
    assert view.latest_png is not None and view.latest_png.startswith(b"\x89PNG")


@pytest.fixture
def notebook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An IPython shell as a notebook kernel runs it, whose display messages are kept:
    ``(display_id, update, steps recorded when sent)`` for each picture sent."""
    IPython = pytest.importorskip("IPython")
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.display_pub = CapturingDisplayPublisher(shell=shell)
    monkeypatch.setattr(shell, "kernel", object(), raising=False)  # as ipykernel's has
    shell.user_ns.update(MLP=MLP, SGD=SGD, fit=fit, hinge_loss=hinge_loss, X=X, Y=Y,
                         TrainingView=TrainingView)
    assert IPython.get_ipython() is shell
    try:
        yield shell
    finally:
        InteractiveShell.clear_instance()


def _sent(shell: Any) -> list[tuple[str, bool]]:
    return [(o["transient"]["display_id"], o["update"]) for o in shell.display_pub.outputs
            if "image/png" in o["data"]]


def _run(shell: Any, code: str) -> None:
    result = shell.run_cell(code, store_history=True)
    assert result.success, result.error_in_exec


def test_in_jupyter_each_fit_draws_from_its_first_step_in_its_own_cell(notebook: Any
                                                                       ) -> None:
    """A short fit shows pictures (the first step at once, the last at the end); running
    the cell again draws in that cell's new output, another cell's fit in that cell."""
    _run(notebook, "model = MLP(2, [3, 1], seed=0)\nview = TrainingView(model, X, Y)\n"
         "steps_when_drawn = []")
    view = notebook.user_ns["view"]
    assert view.live is True
    cell = ("fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=3, "
            "batch_size=4, progress=False, view=view)")
    _run(notebook, cell)
    first = _sent(notebook)
    assert first[0][1] is False and all(update for _, update in first[1:])
    assert len({i for i, _ in first}) == 1 and len(first) == view.redraws >= 2
    assert view.frames[-1].step == 6 and view._drawn_step == 6

    _run(notebook, cell)                                  # the same cell run again
    again = _sent(notebook)[len(first):]
    assert again[0][1] is False and again[0][0] != first[0][0]
    assert {i for i, _ in again} == {again[0][0]}         # nothing sent to the old output

    _run(notebook, "pass")
    _run(notebook, cell)                                  # a fit in a new cell
    third = _sent(notebook)[len(first) + len(again):]
    assert third[0][1] is False and third[0][0] not in {first[0][0], again[0][0]}
    assert {i for i, _ in third} == {third[0][0]}


def test_in_jupyter_a_hand_written_loop_draws_its_first_step_in_each_cell_run(
        notebook: Any) -> None:
    _run(notebook, "view = TrainingView(MLP(2, [3, 1], seed=0), X, Y, every=2)")
    loop = "for k in range(3):\n    view.record(1.0 / (k + 1))\nview.finish()"
    _run(notebook, loop)
    _run(notebook, loop)
    sent = _sent(notebook)          # steps 1 (the first), 2 (every 2), 3 (the last)
    assert [update for _, update in sent] == [False, True, True] * 2
    assert len({i for i, _ in sent[:3]}) == len({i for i, _ in sent[3:]}) == 1
    assert sent[0][0] != sent[3][0]
    assert notebook.user_ns["view"].redraws == 6


def _clocked(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    clock = [0.0]
    monkeypatch.setattr(recorder.time, "perf_counter", lambda: clock[0])
    monkeypatch.setitem(sys.modules, "IPython", None)
    return clock


class _FakePainter:
    """Costs 0.5 s to make (with the first drawing) and 0.1 s a drawing, on a test clock."""

    clock: ClassVar[list[float]] = [0.0]

    def __init__(self, scene: Any) -> None:
        self.clock[0] += 0.4

    def png(self, *args: Any) -> bytes:
        self.clock[0] += 0.1
        return b"png"


@pytest.mark.parametrize(("seconds", "steps"), [(0.05, 21), (0.5, 21), (0.5, 200)])
def test_the_first_and_last_steps_are_drawn_and_the_redraws_keep_to_the_budget(
        monkeypatch: pytest.MonkeyPatch, seconds: float, steps: int) -> None:
    clock = _clocked(monkeypatch)
    monkeypatch.setattr(_FakePainter, "clock", clock)
    monkeypatch.setattr(recorder, "Painter", _FakePainter)
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=True)
    drawn = []
    for k in range(steps):
        clock[0] += seconds                              # a training step
        view.record(1.0 / (k + 1))
        if view._drawn_step == k + 1:
            drawn.append(k + 1)
    between, redrawing = view.redraws - 1, view._redraw_time
    view.finish()
    assert drawn[0] == 1 and view._drawn_step == steps   # the first step, and the last
    training = seconds * steps
    assert redrawing <= view.budget * training           # the redraws between them
    assert (between > 3) == (training > 5)               # 1 s is one redraw of budget


def _pixels(png: bytes) -> Any:
    with Image.open(io.BytesIO(png)) as picture:
        return np.asarray(picture.convert("RGB"))


# --- pictures: what is drawn, and how large -------------------------------------------

# The 3-D case (a second or so) runs in make test and CI. The loss axis grows at step 3 and
# accuracy appears at step 4: the background changes. In the second history the loss axis
# turns logarithmic at step 3 and linear again at step 4 (the loss panel is the same in
# every layout: each history is drawn over one layout of the data).
@pytest.mark.parametrize(("shape", "losses"), [
    ("plane", [1.0, 0.8, 2.0, 0.5, 0.4]),
    ("line", [1.0, 1e-6, 2e-6, 0.9, 0.0]),
    pytest.param("space", [1.0, 0.8, 2.0, 0.5, 0.4], marks=pytest.mark.slow)])
def test_a_picture_drawn_over_the_kept_background_equals_a_fresh_drawing(
        shape: str, losses: list[float]) -> None:
    model = {"plane": MLP(2, [4, 4, 1], seed=0), "line": MLP(1, [3, 1], seed=0),
             "space": MLP(3, [4, 3], seed=0)}[shape]
    inputs = {"plane": X, "line": [[x[0]] for x in X], "space": [[*x, 0.5] for x in X]}[shape]
    targets = [k % 3 for k in range(len(X))] if shape == "space" else Y
    view = TrainingView(model, inputs, targets, live=False)
    pictures = []
    scales = []
    for step, (loss, acc) in enumerate(zip(losses, [None, None, None, 0.75, 0.875]),
                                       start=1):
        for p in model.parameters():
            p.data += 0.05 * step
        view.record(loss, accuracy=acc)
        pictures.append(view.render(dpi=40))        # one painter, frame after frame
        fresh = TrainingView(model, inputs, targets, live=False)
        for k in range(step):
            fresh.record(view.losses[k], accuracy=view.accuracies[k])
        fresh.frames[:] = view.frames                # the same weights at every step
        fresh._latest = view._latest
        assert np.array_equal(_pixels(pictures[-1]), _pixels(fresh.render(dpi=40))), step
        scales.append(view._painter_().ax_loss.get_yscale())
    assert len(set(pictures)) == 5                   # every picture differs
    assert scales == (["linear"] * 5 if losses[1] > 0.5
                      else ["linear", "linear", "log", "linear", "linear"])


@pytest.fixture(scope="module")
def views() -> dict[str, TrainingView]:
    """One view of each layout, two steps recorded and drawn: classes on the plane, two
    classes (±1, 0/1) and values on a line, values and classes in 3-D, a Layer, a Neuron,
    one point. Each name ends with the task decided from the model and the labels."""
    three = [[*x, x[0] * x[1]] for x in X]
    made = {
        "plane, 3 classes: classes": TrainingView(MLP(2, [4, 3], seed=0), X,
                                                  [0, 1, 2, 0, 1, 2, 0, 1]),
        "plane, values: regression": TrainingView(MLP(2, [4, 1], seed=0), X,
                                                  [x[0] * x[1] for x in X]),
        "plane, a Layer: binary": TrainingView(Layer(2, 1, seed=0), X,
                                               [0 if y < 0 else 1 for y in Y]),
        "plane, one point: binary": TrainingView(MLP(2, [3, 1], seed=0), [[0.0, 0.0]], [1.0]),
        "line, ±1: binary": TrainingView(MLP(1, [3, 1], seed=0), LINE,
                                         [1 if x[0] > 0 else -1 for x in LINE]),
        "line, 0/1 by a Neuron: binary": TrainingView(Neuron(1, seed=0), LINE,
                                                      [1 if x[0] > 0 else 0 for x in LINE]),
        "line, values: regression": TrainingView(MLP(1, [3, 1], seed=0), LINE, SINE),
        "line, 3 classes: classes": TrainingView(MLP(1, [3, 3], seed=0), LINE,
                                                 [k % 3 for k in range(len(LINE))]),
        "3-D, values: regression": TrainingView(MLP(3, [4, 1], seed=0), three,
                                                [sum(x) for x in three]),
        "3-D, values by a Neuron: regression": TrainingView(Neuron(3, seed=0), three,
                                                            [sum(x) for x in three]),
        "3-D, 2 classes: binary": TrainingView(MLP(3, [4, 1], seed=0), three, Y),
        "3-D, 3 classes: classes": TrainingView(MLP(3, [4, 3], seed=0), three,
                                                [k % 3 for k in range(len(X))]),
    }
    for view in made.values():
        view.live = False
        view.record(0.9, accuracy=0.5, lr=0.1, epoch=1)
        view.record(1e-3, accuracy=1.0, lr=0.1, epoch=2)
        view.render()
    return made


def test_the_task_is_decided_for_every_layout(views: dict[str, TrainingView]) -> None:
    assert {name: view.task for name, view in views.items()} == {
        name: name.rpartition(": ")[2] for name in views}


def _texts(painter: Any) -> list[Any]:
    from matplotlib.text import Text

    return [t for t in painter.fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_every_text_is_at_least_10_pixels_high_at_the_default_size(
        views: dict[str, TrainingView]) -> None:
    """Font size in pixels (points × dpi / 72) and the drawn box of every text, in every
    layout; the GIF and the replay are drawn at this size by default."""
    for name, view in views.items():
        assert _pixels(view.render()).shape[:2] == (403, 720), name
        painter = view._painter_()
        renderer = painter.canvas.get_renderer()
        texts = _texts(painter)
        assert len(texts) > 10, name
        for text in texts:
            assert text.get_fontsize() * DPI / 72 >= 10.0, (name, text.get_text())
            box = text.get_window_extent(renderer)       # a turned text: its width
            high = box.width if text.get_rotation() in (90.0, 270.0) else box.height
            assert high >= 10.0, (name, text.get_text())


def test_the_defaults_draw_at_the_size_whose_text_was_measured(tmp_path: Path) -> None:
    _, view, _ = trained(epochs=3)
    with Image.open(view.save_gif(tmp_path / "a.gif")) as gif:
        assert gif.size == (720, 403)
    pictures = re.findall(r'<img class="sg-\w+" src="data:image/png;base64,[^"]+" '
                          r'width="(\d+)" height="(\d+)"', view.to_html())
    assert pictures == [("360", "373")] * 2                # the two halves, no caption band
    assert _pixels(view.render()).shape[:2] == (403, 720)


def _legend(painter: Any) -> list[str]:
    return [t.get_text() for legend in painter.fig.legends for t in legend.get_texts()]


def test_one_palette_and_a_legend_in_every_picture(views: dict[str, TrainingView]) -> None:
    """The classes, the weights and the neurons' outputs in the colours of nn.viz.palette
    (class 1 and w > 0 blue, class 0 and w < 0 orange), each named by a legend; the legend is
    part of the background that every frame is drawn over."""
    from matplotlib.colors import to_rgba

    for name, view in views.items():
        painter = view._painter_()
        legend = _legend(painter)
        assert {"w > 0", "w < 0", "output > 0", "output < 0"} <= set(legend), name
        if view.task != "regression":
            labels = sorted(set(view.scene.targets))
            assert {f"y = {t:g}" for t in labels} <= set(legend), name
        colours = painter.edges.get_colors()[:, :3]
        weights = [w for p in view.frames[-1:] for w in _weights(view, p)]
        for rgb, w in zip(colours, weights):
            assert tuple(rgb) == to_rgba(palette.POSITIVE if w >= 0 else palette.NEGATIVE)[:3]
    moons = TrainingView(MLP(2, [3, 1], seed=0), X, [0 if y < 0 else 1 for y in Y],
                         live=False)
    moons.record(1.0)
    moons.render()
    dots = moons._painter_().ax_data.collections[-1].get_facecolors()
    assert [tuple(c) for c in dots] == [to_rgba(palette.class_color(0 if y < 0 else 1))
                                        for y in Y]


def _weights(view: TrainingView, frame: Frame) -> list[float]:
    """A frame's weights without the biases, in the painter's order of edges."""
    out, pos = [], 0
    for nin, nout in itertools.pairwise(view.scene.sizes):
        for _ in range(nout):
            out += frame.params[pos:pos + nin]
            pos += nin + 1
    return out


def test_a_regression_on_a_line_draws_the_fitted_curve() -> None:
    model, view = sine(epochs=3)
    view.render()
    painter = view._painter_()
    (curve,) = painter.curves
    xs, ys = curve.get_data()
    assert len(xs) > 50 and xs[0] < min(x[0] for x in LINE) < max(x[0] for x in LINE) < xs[-1]
    expected = [model([x]).data for x in xs[::17]]
    assert list(ys[::17]) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert painter.ax_data.get_title() == "fitted curve"


def test_a_regression_on_more_inputs_draws_prediction_against_target() -> None:
    three = [[*x, x[0] - x[1]] for x in X]
    targets = [x[0] + 2 * x[2] for x in three]
    model = MLP(3, [4, 1], seed=0)
    view = TrainingView(model, three, targets, live=False)
    fit(model, three, targets, mse_loss, SGD(model.parameters(), lr=0.05), epochs=2,
        progress=False, view=view)
    view.render()
    painter = view._painter_()
    low, high = painter.limits
    points = painter.predicted.get_offsets()
    assert points[:, 0].tolist() == targets
    assert points[:, 1].tolist() == pytest.approx(
        [min(max(model(x).data, low), high) for x in three], rel=1e-12)
    assert painter.ax_data.get_title() == "prediction against target"


@pytest.mark.slow   # a Python subprocess that imports nn and matplotlib
def test_script_run_without_jupyter_does_not_crash(tmp_path: Path) -> None:
    script = (
        "from nn import MLP, SGD, TrainingView, fit, hinge_loss\n"
        f"X, y = {X!r}, {Y!r}\n"
        "model = MLP(2, [3, 1], seed=0)\n"
        "view = TrainingView(model, X, y)\n"
        "fit(model, X, y, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=3,\n"
        "    progress=False, view=view)\n"
        "print(view.live, len(view.frames), view.latest_png)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "3", "None"] and done.stderr == ""


# --- exports ----------------------------------------------------------------------------

def test_gif_is_a_multi_frame_animation(tmp_path: Path) -> None:
    _, view, _ = trained(epochs=6)
    path = view.save_gif(tmp_path / "training.gif", frames=4, fps=5, hold=1.0, dpi=40)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4 and gif.is_animated
        durations = []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
        assert durations == [200, 200, 200, 1200]
        assert gif.size == (300, 168)   # 7.5 × 4.2 inches at 40 dpi


def test_frames_are_picked_evenly_with_the_last_one() -> None:
    _, view, _ = trained(epochs=10)
    chosen = view._chosen("x", 4, None)
    assert [f.step for f in chosen] == [1, 4, 7, 10]
    assert [f.step for f in view._chosen("x", 1, None)] == [10]


def frames_of(page: str) -> list[dict[str, Any]]:
    found = re.search(r'<script type="application/json" class="sg-frames">(.*?)</script>',
                      page, re.S)
    assert found is not None
    return json.loads(found.group(1).replace("<\\/", "</"))  # type: ignore[no-any-return]


def without_scripts_and_styles(page: str) -> str:
    """What a strict static renderer keeps: no scripts, no style elements or attributes."""
    page = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    page = re.sub(r"<style\b.*?</style>", "", page, flags=re.S)
    return re.sub(r'\sstyle="[^"]*"', "", page)


def test_html_holds_the_first_frame_as_pictures_and_every_frame_as_data() -> None:
    _, view, history = trained(epochs=5)
    page = view.to_html(dpi=40)
    assert page.count("<img") == 2 and "http" not in page.replace("http-equiv", "")
    data = frames_of(page)
    assert [d["loss"] for d in data] == history["loss"]
    assert [d["text"] for d in data] == [f.text() for f in view.frames]
    assert [d["epoch"] for d in data] == [1, 2, 3, 4, 5]
    assert data[0]["network"] == data[0]["plots"] == ""
    assert all(d[half].startswith("data:image/png;base64,") for d in data[1:]
               for half in ("network", "plots"))
    static = without_scripts_and_styles(page)
    assert static.count("<img") == 2 and view.frames[0].text() in static
    assert static.count("base64") == 2
    assert "untrusted notebook" in static and "frame 1 of 5" in static
    assert view.to_html(dpi=40) == page                  # deterministic, ids included
    assert 'data-keys="focus"' in page


def test_a_saved_page_fits_a_phone_and_takes_its_keys(tmp_path: Path) -> None:
    _, view, _ = trained(epochs=3)
    text = view.save_html(tmp_path / "t.html", dpi=40).read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert 'data-keys="page"' in text and text.startswith("<!DOCTYPE html>")


def test_cross_entropy_training_records(tmp_path: Path) -> None:
    model = MLP(2, [4, 3], seed=1)
    labels = [0, 1, 2, 0, 1, 2, 0, 1]
    view = TrainingView(model, X, labels, live=False)
    history = fit(model, X, labels, cross_entropy, SGD(model.parameters(), lr=0.1),
                  epochs=3, progress=False, view=view)
    assert [f.loss for f in view.frames] == history["loss"]
    assert view.save_html(tmp_path / "t.html", dpi=30).stat().st_size > 1000


# --- in a real browser -------------------------------------------------------------------

def _state(root: Any) -> tuple[int, str, str]:
    from selenium.webdriver.common.by import By

    return (int(root.get_attribute("data-frame")),
            root.find_element(By.CSS_SELECTOR, ".sg-caption").text,
            root.find_element(By.CSS_SELECTOR, ".sg-counter").text)


@pytest.fixture
def replay_page(browser: Any, tmp_path: Path) -> Any:
    """Open a saved replay of an 8-epoch training; return (the replay element, captions)."""
    from selenium.webdriver.common.by import By

    _, view, _ = trained(epochs=8)
    path = view.save_html(tmp_path / "training.html", fps=2)   # a frame every 0.5 s
    browser.get(path.as_uri())
    return browser.find_element(By.CSS_SELECTOR, ".sg-replay"), [f.text() for f in
                                                                   view.frames]


@pytest.mark.browser
def test_replay_page_plays_steps_and_slides_in_chromium(browser: Any, replay_page: Any
                                                        ) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    root, texts = replay_page

    def click(cls: str) -> None:
        root.find_element(By.CSS_SELECTOR, "." + cls).click()

    assert _state(root) == (0, texts[0], "frame 1 of 8")
    img = root.find_element(By.CSS_SELECTOR, "img.sg-plots")
    first_src = img.get_attribute("src")
    click("sg-next")
    click("sg-next")
    assert _state(root) == (2, texts[2], "frame 3 of 8")
    assert img.get_attribute("src") != first_src
    assert texts[2] in img.get_attribute("alt")
    click("sg-prev")
    assert _state(root) == (1, texts[1], "frame 2 of 8")

    slider = root.find_element(By.CSS_SELECTOR, ".sg-slider")
    slider.send_keys(Keys.END)
    assert _state(root) == (7, texts[7], "frame 8 of 8")
    slider.send_keys(Keys.HOME)
    slider.send_keys(Keys.ARROW_RIGHT)
    assert _state(root)[0] == 1                          # one step, not two

    click("sg-play")
    play = root.find_element(By.CSS_SELECTOR, ".sg-play")
    assert "pause" in play.text and root.get_attribute("data-playing") == "1"
    deadline = time.monotonic() + 10
    while _state(root)[0] < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    click("sg-play")                                     # pause
    paused = _state(root)
    assert 3 <= paused[0] < 7 and paused[1] == texts[paused[0]]
    assert "play" in play.text and root.get_attribute("data-playing") == "0"
    time.sleep(1.0)
    assert _state(root) == paused                        # paused: it stays put

    click("sg-play")                                     # plays to the end, then stops
    deadline = time.monotonic() + 10
    while root.get_attribute("data-playing") == "1" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _state(root) == (7, texts[7], "frame 8 of 8")
    click("sg-first")
    assert _state(root)[0] == 0


@pytest.mark.browser
def test_a_saved_replay_takes_its_keys_without_a_click(browser: Any, replay_page: Any
                                                       ) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    root, texts = replay_page
    assert browser.execute_script("return document.activeElement === document.body")
    keys = ActionChains(browser)
    keys.send_keys(Keys.ARROW_RIGHT).send_keys(Keys.ARROW_RIGHT).perform()
    assert _state(root)[:2] == (2, texts[2])
    ActionChains(browser).send_keys(Keys.END).perform()
    assert _state(root)[0] == 7
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).send_keys(Keys.HOME).perform()
    assert _state(root)[0] == 0
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    assert root.get_attribute("data-playing") == "1"
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    assert root.get_attribute("data-playing") == "0"
    assert browser.execute_script("return document.activeElement === document.body")


@pytest.mark.browser
def test_a_replay_in_a_notebook_takes_keys_only_with_the_focus(browser: Any,
                                                               tmp_path: Path) -> None:
    """The fragment a notebook shows never takes the focus, nor keys pressed elsewhere (the
    notebook's own); once clicked it takes its keys, and marks itself for JupyterLab."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _, view, _ = trained(epochs=4)
    path = tmp_path / "notebook.html"
    path.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    "<textarea id='cell'></textarea>" + view.to_html(dpi=40)
                    + "</body></html>", encoding="utf-8")
    browser.get(path.as_uri())
    root = browser.find_element(By.CSS_SELECTOR, ".sg-replay")
    assert root.get_attribute("data-lm-suppress-shortcuts") == "true"
    assert browser.execute_script("return document.activeElement === document.body")
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    assert _state(root)[0] == 0                           # a key for the page: not taken
    cell = browser.find_element(By.ID, "cell")
    cell.send_keys(" x" + Keys.ARROW_LEFT)
    assert cell.get_attribute("value") == " x" and _state(root)[0] == 0
    root.find_element(By.CSS_SELECTOR, ".sg-next").click()
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    assert _state(root)[0] == 2


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """The browser as a 400 px wide phone (it honours the viewport tag), then as before."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 400, "height": 860, "deviceScaleFactor": 1, "mobile": True})
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.browser
def test_a_saved_replay_on_a_400_px_phone(phone: Any, tmp_path: Path) -> None:
    """Laid out at the phone's width (no sideways scrolling), the two pictures one above the
    other at their own size (so the text in them stays at least 10 px high), buttons a
    finger can hit, all inside the screen."""
    from selenium.webdriver.common.by import By

    _, view, _ = trained(epochs=3)
    phone.get(view.save_html(tmp_path / "t.html").as_uri())
    assert phone.execute_script("return window.innerWidth") == 400
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 400
    network, plots = (phone.find_element(By.CSS_SELECTOR, f"img.{c}")
                      for c in ("sg-network", "sg-plots"))
    for img in (network, plots):
        shown, natural = phone.execute_script(
            "return [arguments[0].getBoundingClientRect().width, arguments[0].naturalWidth]",
            img)
        assert shown == natural == 360                   # not shrunk: text stays ≥ 10 px
    assert plots.rect["y"] >= network.rect["y"] + network.rect["height"] - 1   # stacked
    buttons = phone.find_elements(By.CSS_SELECTOR, ".sg-controls button")
    assert len(buttons) == 4
    for element in [*buttons, phone.find_element(By.CSS_SELECTOR, ".sg-slider")]:
        box = element.rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= 400, element.get_attribute("class")
        assert box["height"] >= 32
    font = phone.execute_script("return parseFloat(getComputedStyle(arguments[0]).fontSize)",
                                buttons[0])
    assert font >= 14
    phone.save_screenshot(str(tmp_path / "phone.png"))


@pytest.mark.browser
def test_at_1000_px_the_two_pictures_stand_side_by_side(browser: Any, tmp_path: Path
                                                        ) -> None:
    from selenium.webdriver.common.by import By

    _, view, _ = trained(epochs=3)
    browser.set_window_size(1000, 900)
    browser.get(view.save_html(tmp_path / "t.html").as_uri())
    network, plots = (browser.find_element(By.CSS_SELECTOR, f"img.{c}")
                      for c in ("sg-network", "sg-plots"))
    assert network.rect["y"] == plots.rect["y"] and network.rect["width"] == 360
    assert plots.rect["x"] >= network.rect["x"] + 360 - 1


@pytest.mark.browser
def test_every_frame_of_a_replay_keeps_its_legend(browser: Any, tmp_path: Path) -> None:
    """In the browser, each frame's pictures hold the legend's swatches where the legends
    stand: the colours of class 0 and class 1 (and of w > 0, w < 0)."""
    from selenium.webdriver.common.by import By

    _, view, _ = trained(epochs=5)
    view.render()
    boxes = view._painter_().legend_boxes()
    browser.get(view.save_html(tmp_path / "t.html").as_uri())
    root = browser.find_element(By.CSS_SELECTOR, ".sg-replay")
    count = len(view.frames)
    wanted = [palette.POSITIVE, palette.NEGATIVE]
    for k in range(count):
        browser.execute_script("arguments[0].querySelector('.sg-slider').value = arguments[1];"
                               "arguments[0].querySelector('.sg-slider')"
                               ".dispatchEvent(new Event('input'))", root, k)
        assert _state(root)[0] == k
        for half, box in boxes:
            found = browser.execute_script(_SWATCHES, root.find_element(
                By.CSS_SELECTOR, f"img.sg-{half}"), box, wanted)
            assert found == [True, True], (k, half)


# Whether a box of a picture holds each wanted colour (within 40 in each channel).
_SWATCHES = """
const [img, box, wanted] = arguments;
const canvas = document.createElement("canvas");
canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
const ctx = canvas.getContext("2d");
ctx.drawImage(img, 0, 0);
const [x0, y0, x1, y1] = box;
const data = ctx.getImageData(x0, y0, x1 - x0, y1 - y0).data;
return wanted.map(hex => {
  const c = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
  for (let i = 0; i < data.length; i += 4)
    if (Math.abs(data[i] - c[0]) < 40 && Math.abs(data[i + 1] - c[1]) < 40 &&
        Math.abs(data[i + 2] - c[2]) < 40) return true;
  return false;
});
"""


@pytest.mark.browser
def test_a_regression_replay_shows_no_accuracy_in_any_frame(browser: Any, tmp_path: Path
                                                           ) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _, view = sine(epochs=3)
    browser.get(view.save_html(tmp_path / "t.html", frames=8).as_uri())
    root = browser.find_element(By.CSS_SELECTOR, ".sg-replay")
    captions = []
    for _ in range(8):
        captions.append(_state(root)[1])
        root.find_element(By.CSS_SELECTOR, ".sg-slider").send_keys(Keys.ARROW_RIGHT)
    assert len(set(captions)) == 8 and all("loss" in c for c in captions)
    assert not any("accuracy" in c for c in captions)


@pytest.mark.browser
def test_replay_without_javascript_or_styles_shows_one_frame_and_says_why(
        browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _, view, _ = trained(epochs=5)
    static = tmp_path / "static.html"
    static.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                      + without_scripts_and_styles(view.to_html()) + "</body></html>",
                      encoding="utf-8")
    browser.set_window_size(1200, 900)
    browser.get(static.as_uri())
    images = browser.find_elements(By.TAG_NAME, "img")
    assert len(images) == 2
    for img in images:
        assert browser.execute_script("return arguments[0].complete && "
                                      "arguments[0].naturalWidth", img) == 360
    body = browser.find_element(By.TAG_NAME, "body").text
    assert view.frames[0].text() in body and "frame 1 of 5" in body
    assert "untrusted notebook" in body
    assert "base64" not in body and not browser.find_elements(By.TAG_NAME, "button")
