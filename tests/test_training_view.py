"""TrainingView: it records the real training, refuses what it cannot draw, and exports a
GIF and a self-contained HTML replay that works in a browser and degrades to one picture."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

import nn.viz.training_view as tv
from engine import Value
from nn import MLP, SGD, Layer, Neuron, TrainingView, cross_entropy, fit, hinge_loss, mse_loss
from nn.viz.training_view import Frame

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

X = [[1.0, 1.2], [0.8, 1.5], [1.4, 0.9], [-1.1, -0.8], [-0.7, -1.3], [-1.2, -1.0],
     [0.9, -0.2], [-0.3, 1.1]]
Y = [1, 1, 1, -1, -1, -1, 1, -1]
ROOT = Path(__file__).resolve().parent.parent


def trained(epochs: int = 6, batch_size: int | None = None, **options: Any
            ) -> tuple[MLP, TrainingView, dict[str, list[float]]]:
    model = MLP(2, [4, 4, 1], seed=0)
    view = TrainingView(model, X, Y, live=False, **options)
    history = fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=epochs,
                  batch_size=batch_size, seed=0, lr_schedule=lambda e: 0.1 / (1 + e),
                  progress=False, view=view)
    return model, view, history


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
    assert [f.epoch for f in view.frames] == [0, 1, 2, 3, 4, 5]
    assert [f.loss for f in view.frames] == history["loss"]
    assert [f.accuracy for f in view.frames] == history["accuracy"]
    assert [f.lr for f in view.frames] == [0.1 / (1 + e) for e in range(6)]
    assert [f.params for f in view.frames] == snapshots
    assert view.losses == history["loss"] and view.steps == [1, 2, 3, 4, 5, 6]


def test_mini_batch_steps_end_each_epoch_on_its_history_entry() -> None:
    _, view, history = trained(epochs=3, batch_size=3)  # 8 samples: 3 steps an epoch
    assert view.steps == list(range(1, 10))
    ends = [view.frames[k] for k in (2, 5, 8)]
    assert [f.loss for f in ends] == history["loss"]
    assert [f.accuracy for f in ends] == history["accuracy"]
    assert [f.epoch for f in view.frames] == [0, 0, 0, 1, 1, 1, 2, 2, 2]


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
        view.record(loss, step=step, epoch=step // 10, lr=opt.lr)
    view.finish()
    assert [(f.step, f.epoch, f.lr) for f in view.frames] == [(10, 1, 0.05), (20, 2, 0.05),
                                                              (30, 3, 0.05)]
    assert view.frames[-1].loss == loss.data and view.frames[-1].accuracy is None


def test_the_heat_maps_forward_equals_the_model() -> None:
    for activation in ("relu", "tanh", "sigmoid"):
        model = MLP(3, [5, 4, 2], activation=activation, seed=7)
        view = TrainingView(model, [[0.1, -0.2, 0.3]], [0], live=False)
        view.record(1.0)
        points = np.array([[0.5, -1.0, 2.0], [-0.3, 0.2, 0.0]])
        outs = tv._forward(view._layers, view.frames[0].params, points,
                           [layer[0].activation for layer in view._layers])
        for row, point in zip(np.stack([outs[-1][:, 0], outs[-1][:, 1]], axis=1), points):
            expected = [v.data for v in model(list(point))]
            assert row.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-12)
        hidden = model.layers[0].outputs(list(points[0]))
        assert outs[0][0].tolist() == pytest.approx([v.data for v in hidden], abs=1e-12)


def test_fit_view_true_builds_a_default_view_and_rejects_other_values() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert tv.attach(True, model, X, Y) is not None
    fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=2, progress=False,
        view=True)
    with pytest.raises(TypeError, match="fit: view must be a TrainingView"):
        fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.1), progress=False,
            view="yes")  # type: ignore[arg-type]


# --- hostile input -----------------------------------------------------------------------

@pytest.mark.parametrize(("args", "options", "error", "match"), [
    (("model", X, Y), {}, TypeError, "model must be an nn.MLP"),
    ((None, X, Y), {}, TypeError, "model must be an nn.MLP"),
    (("M", [], []), {}, ValueError, "inputs is empty"),
    (("M", "abc", Y), {}, TypeError, "inputs must be a list"),
    (("M", {"a": 1}, Y), {}, TypeError, "inputs must be a list"),
    (("M", X, Y[:-1]), {}, ValueError, "8 inputs but 7 targets"),
    (("M", [[1.0]], [1]), {}, ValueError, r"takes 2 inputs, inputs\[0\] has 1"),
    (("M", [[1.0, None]], [1]), {}, TypeError, r"inputs\[0\]\[1\] must be a number"),
    (("M", [[1.0, True]], [1]), {}, TypeError, r"inputs\[0\]\[1\] must be a number"),
    (("M", [[1.0, "2"]], [1]), {}, TypeError, r"inputs\[0\]\[1\] must be a number"),
    (("M", [[1.0, math.nan]], [1]), {}, ValueError, r"inputs\[0\]\[1\] must be finite"),
    (("M", [[1.0, math.inf]], [1]), {}, ValueError, "must be finite"),
    (("M", [[1.0, 2.0]], ["a"]), {}, TypeError, r"targets\[0\] must be a number"),
    (("M", [[1.0, 2.0]], [None]), {}, TypeError, r"targets\[0\] must be a number"),
    (("M", [[1.0, 2.0]], [1]), {"every": 0}, ValueError, "every must be a whole number"),
    (("M", [[1.0, 2.0]], [1]), {"record_every": 1.5}, TypeError, "record_every"),
    (("M", [[1.0, 2.0]], [1]), {"sample": 3}, ValueError, "sample must be in 0"),
    (("M", [[1.0, 2.0]], [1]), {"sample": True}, TypeError, "sample must be"),
    (("M", [[1.0, 2.0]], [1]), {"live": "yes"}, TypeError, "live must be"),
    (("M", [[1.0, 2.0]], [1]), {"budget": 0.0}, ValueError, r"budget must be in \(0, 1\]"),
    (("M", [[1.0, 2.0]], [1]), {"budget": math.nan}, ValueError, "budget must be finite"),
    (("M", [[1.0, 2.0]], [1]), {"resolution": 1000}, ValueError, "resolution"),
    (("M", [[1.0, 2.0]], [1]), {"max_frames": 1}, ValueError, "max_frames"),
])
def test_constructor_refuses_hostile_input(args: tuple[Any, ...], options: dict[str, Any],
                                           error: type[Exception], match: str) -> None:
    model = MLP(2, [3, 1], seed=0)
    args = tuple(model if a == "M" else a for a in args)
    with pytest.raises(error, match="TrainingView: .*" + match):
        TrainingView(*args, **options)


def test_class_targets_must_be_class_indices() -> None:
    with pytest.raises(ValueError, match=r"targets\[1\] = 3.0 is not a class index"):
        TrainingView(MLP(2, [3, 3], seed=0), [[0, 0], [1, 1]], [0, 3])


def test_numpy_inputs_and_numpy_scalars_are_numbers() -> None:
    view = TrainingView(MLP(2, [3, 1], seed=0), np.array(X), np.array(Y), live=False)
    view.record(np.float32(0.5), epoch=np.int64(2), accuracy=np.float64(0.25))
    assert view.frames[0].epoch == 2 and view.frames[0].loss == 0.5
    assert view.kind == "binary"


def test_size_guards_refuse_and_can_be_overridden() -> None:
    big = MLP(2, [40, 40, 1], seed=0)
    with pytest.raises(ValueError, match=r"83 neurons to draw.*max_neurons=None"):
        TrainingView(big, X, Y)
    assert TrainingView(big, X, Y, max_neurons=None, live=False).model is big
    many = [[float(i), 0.0] for i in range(30)]
    with pytest.raises(ValueError, match="30 samples are more than max_points=10"):
        TrainingView(MLP(2, [2, 1], seed=0), many, [1] * 30, max_points=10)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"loss": math.nan}, ValueError, "loss must be finite"),
    ({"loss": "0.5"}, TypeError, "loss must be a number"),
    ({"loss": True}, TypeError, "loss must be a number"),
    ({"loss": None}, TypeError, "loss must be a number"),
    ({"loss": 0.5, "accuracy": 1.5}, ValueError, "accuracy must be a fraction"),
    ({"loss": 0.5, "lr": [0.1]}, TypeError, "lr must be a number"),
    ({"loss": 0.5, "epoch": -1}, ValueError, "epoch must be a whole number >= 0"),
    ({"loss": 0.5, "step": 1}, ValueError, "steps must increase; got step 1 after 1"),
])
def test_record_refuses_hostile_input(kwargs: dict[str, Any], error: type[Exception],
                                      match: str) -> None:
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=False)
    view.record(1.0)
    with pytest.raises(error, match="TrainingView.record: " + match):
        view.record(**kwargs)
    assert view.steps == [1]


def test_exports_refuse_hostile_input(tmp_path: Path) -> None:
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=False)
    with pytest.raises(ValueError, match="save_gif: nothing recorded yet"):
        view.save_gif(tmp_path / "a.gif")
    with pytest.raises(ValueError, match="to_html: nothing recorded yet"):
        view.to_html()
    for k in range(5):
        view.record(1.0 / (k + 1))
    with pytest.raises(TypeError, match="save_gif: path must be a str"):
        view.save_gif(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="save_html: the folder of path"):
        view.save_html(tmp_path / "missing" / "a.html")
    with pytest.raises(ValueError, match="save_gif: frames must be a whole number >= 1 or None"):
        view.save_gif(tmp_path / "a.gif", frames=0)
    with pytest.raises(ValueError, match="save_gif: fps must be > 0"):
        view.save_gif(tmp_path / "a.gif", fps=0)
    with pytest.raises(ValueError, match="save_gif: colors must be at most 256"):
        view.save_gif(tmp_path / "a.gif", colors=300)
    with pytest.raises(ValueError, match="to_html: 5 frames are more than max_frames=3"):
        view.to_html(frames=None, max_frames=3)
    with pytest.raises(TypeError, match="render: frame must be a Frame"):
        view.render("last")  # type: ignore[arg-type]
    assert view.to_html(frames=3, max_frames=3).count('"step":') == 3
    assert not (tmp_path / "a.gif").exists()


# --- outside Jupyter, and the live path ---------------------------------------------------

def test_outside_jupyter_it_only_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "IPython", None)   # as if IPython were not installed
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y)
    assert view.live is False
    view.record(0.5)
    view.finish()
    assert view.latest_png is None and len(view.frames) == 1


def test_live_outside_jupyter_keeps_the_latest_picture(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.setitem(sys.modules, "IPython", None)
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=True, every=2)
    for k in range(5):
        view.record(1.0 / (k + 1))
    assert view._drawn_step == 4
    view.finish()
    assert view._drawn_step == 5
    assert view.latest_png is not None and view.latest_png.startswith(b"\x89PNG")


def test_in_jupyter_it_displays_once_then_updates_in_place(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("IPython")
    import IPython.display

    calls: list[str] = []

    class Handle:
        def update(self, obj: Any) -> None:
            calls.append("update")

    def display(obj: Any, display_id: bool = False) -> Handle:
        assert display_id is True and isinstance(obj, IPython.display.Image)
        calls.append("display")
        return Handle()

    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(tv, "_in_jupyter", lambda: True)
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, every=1)
    assert view.live is True
    for k in range(3):
        view.record(1.0 / (k + 1))
    view.finish()
    assert calls == ["display", "update", "update"]


def test_adaptive_refresh_keeps_drawing_under_its_budget(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    clock = [0.0]
    monkeypatch.setattr(tv.time, "perf_counter", lambda: clock[0])
    monkeypatch.setitem(sys.modules, "IPython", None)

    class Painter:
        def png(self, frame: Frame, dpi: int) -> bytes:
            clock[0] += 1.0                      # a drawing takes 1 s
            return b"png"

    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=True, budget=0.15)
    view._painter = Painter()  # type: ignore[assignment]
    drawn = []
    for k in range(200):
        clock[0] += 0.5                          # a training step takes 0.5 s
        before = view._draw_time
        view.record(1.0)
        if view._draw_time > before:
            drawn.append(k + 1)
    training = 0.5 * 200
    assert drawn[0] > 1 and len(drawn) > 5
    view.finish()
    assert view._drawn_step == 200                      # the last step is drawn, once
    assert view.redraws == len(drawn) + (drawn[-1] != 200)
    assert view._draw_time <= 0.15 * training           # of the training time alone


def _clocked(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    clock = [0.0]
    monkeypatch.setattr(tv.time, "perf_counter", lambda: clock[0])
    monkeypatch.setitem(sys.modules, "IPython", None)
    return clock


class _FakePainter:
    """Costs 0.25 s to make and 0.1 s a drawing, on the test's clock."""

    clock: ClassVar[list[float]] = [0.0]

    def __init__(self, view: TrainingView) -> None:
        self.clock[0] += 0.25

    def png(self, frame: Frame, dpi: int) -> bytes:
        self.clock[0] += 0.1
        return b"png"


@pytest.mark.parametrize(("seconds", "every", "drawn"), [
    (0.1, None, [0]),    # 2 s of training: 10% is 0.2 s, less than a first drawing's 0.3 s
    (0.5, None, range(2, 22)),    # 10 s: live pictures, and the last step
    (0.1, 5, [5]),       # a refresh asked for: every 5 steps and the last, however short
])
def test_the_last_drawing_is_skipped_only_when_it_would_break_the_budget(
        monkeypatch: pytest.MonkeyPatch, seconds: float, every: int | None,
        drawn: Sequence[int]) -> None:
    clock = _clocked(monkeypatch)
    monkeypatch.setattr(_FakePainter, "clock", clock)
    monkeypatch.setattr(tv, "_Painter", _FakePainter)
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=True, every=every)
    for k in range(21):
        clock[0] += seconds
        view.record(1.0 / (k + 1))
    view.finish()
    assert view.redraws in drawn
    assert (view.latest_png is None) == (view.redraws == 0)
    assert view._drawn_step == (21 if view.redraws else None)
    if every is None:
        assert view._draw_time <= view.budget * 21 * seconds


def test_building_the_figure_counts_in_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _clocked(monkeypatch)

    class SlowPainter:
        def __init__(self, view: TrainingView) -> None:
            clock[0] += 3.0                      # making the figure takes 3 s
            built.append(view)

        def png(self, frame: Frame, dpi: int) -> bytes:
            clock[0] += 0.2
            return b"png"

    built: list[TrainingView] = []
    monkeypatch.setattr(tv, "_Painter", SlowPainter)
    view = TrainingView(MLP(2, [2, 1], seed=0), X, Y, live=True)
    for _ in range(100):
        clock[0] += 0.5                          # 50 s of training
        view.record(1.0)
    view.finish()
    assert len(built) == 1 and view.redraws > 3 and view._drawn_step == 100
    assert 3.0 + 0.2 * view.redraws == pytest.approx(view._draw_time)
    assert view._draw_time <= view.budget * 50


def _pixels(png: bytes) -> Any:
    with Image.open(__import__("io").BytesIO(png)) as picture:
        return np.asarray(picture.convert("RGB"))


# Without the plane (the second case, a second or so) it runs in make test and CI; the
# everyday loop draws that layout afresh in test_other_shapes_of_model_and_data_draw.
# The loss axis grows at step 3 and accuracy appears at step 4: the background changes. In
# the second history the loss axis turns logarithmic at step 3 and linear again at step 4.
@pytest.mark.parametrize(("plane", "losses"), [
    (True, [1.0, 0.8, 2.0, 0.5, 0.4]),
    (True, [1.0, 1e-6, 2e-6, 0.9, 0.0]),
    pytest.param(False, [1.0, 0.8, 2.0, 0.5, 0.4], marks=pytest.mark.slow)])
def test_a_picture_drawn_over_the_kept_background_equals_a_fresh_drawing(
        plane: bool, losses: list[float]) -> None:
    model = MLP(2, [4, 4, 1], seed=0) if plane else MLP(3, [4, 3], seed=0)
    inputs = X if plane else [[*x, 0.5] for x in X]
    targets = Y if plane else [k % 3 for k in range(len(X))]
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


# --- pictures and exports ----------------------------------------------------------------

def test_gif_is_a_multi_frame_animation(tmp_path: Path) -> None:
    _, view, _ = trained(epochs=6)
    path = view.save_gif(tmp_path / "training.gif", frames=4, fps=5, hold=1.0)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4 and gif.is_animated
        durations = []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
        assert durations == [200, 200, 200, 1200]
        assert gif.size == (480, 268)


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


def test_html_holds_one_picture_and_every_frame_as_data() -> None:
    _, view, history = trained(epochs=5)
    page = view.to_html()
    assert page.count("<img") == 1 and "http" not in page.replace("http-equiv", "")
    data = frames_of(page)
    assert [d["loss"] for d in data] == history["loss"]
    assert [d["text"] for d in data] == [f.text() for f in view.frames]
    assert data[0]["src"] == "" and all(d["src"].startswith("data:image/png;base64,")
                                        for d in data[1:])
    static = without_scripts_and_styles(page)
    assert static.count("<img") == 1 and view.frames[0].text() in static
    assert "base64" in static and static.count("base64") == 1
    assert view._repr_html_() == page
    assert page == view.to_html()                       # deterministic, ids included


def test_other_shapes_of_model_and_data_draw() -> None:
    three = [[0.1, 0.2, 0.3], [0.3, -0.1, 0.0], [-0.5, 0.5, 1.0]]
    cases: list[tuple[Any, list[list[float]], list[Any], str]] = [
        (MLP(3, [4, 3], seed=0), three, [0, 2, 1], "classes"),
        (MLP(2, [3, 3], seed=0), X[:3], [0, 1, 2], "classes"),
        (MLP(2, [3, 1], seed=0), X[:3], [0.5, 2.0, -1.5], "values"),
        (Layer(2, 1, seed=0), X, [0 if y < 0 else 1 for y in Y], "binary"),
        (Neuron(3, seed=0), three, [1.0, 2.0, 3.0], "values"),
    ]
    for model, inputs, targets, kind in cases:
        view = TrainingView(model, inputs, targets, live=False, sample=1)
        assert view.kind == kind
        view.record(0.5, accuracy=0.5, lr=0.1)
        view.record(0.25)
        with Image.open(__import__("io").BytesIO(view.render(dpi=30))) as png:
            assert png.size == (300, 168)


def test_cross_entropy_training_records(tmp_path: Path) -> None:
    model = MLP(2, [4, 3], seed=1)
    labels = [0, 1, 2, 0, 1, 2, 0, 1]
    view = TrainingView(model, X, labels, live=False)
    history = fit(model, X, labels, cross_entropy, SGD(model.parameters(), lr=0.1),
                  epochs=3, progress=False, view=view)
    assert [f.loss for f in view.frames] == history["loss"]
    assert view.save_html(tmp_path / "t.html").stat().st_size > 1000


def test_regression_without_accuracy_records_none() -> None:
    model = MLP(2, [3, 1], seed=1)
    targets = [x[0] - x[1] for x in X]
    view = TrainingView(model, X, targets, live=False)
    fit(model, X, targets, mse_loss, SGD(model.parameters(), lr=0.05), epochs=2,
        progress=False, correct=None, view=view)
    assert [f.accuracy for f in view.frames] == [None, None]
    assert "accuracy" not in view.frames[0].text()
    assert isinstance(Value(view.frames[0].loss), Value)


# --- in a real browser -------------------------------------------------------------------

def _state(browser: Any) -> tuple[int, str, str]:
    from selenium.webdriver.common.by import By

    root = browser.find_element(By.CSS_SELECTOR, ".sg-replay")
    return (int(root.get_attribute("data-frame")),
            browser.find_element(By.CSS_SELECTOR, ".sg-caption").text,
            browser.find_element(By.CSS_SELECTOR, ".sg-counter").text)


@pytest.mark.browser
def test_replay_page_plays_steps_and_slides_in_chromium(browser: Any, tmp_path: Path
                                                        ) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _, view, _ = trained(epochs=8)
    texts = [f.text() for f in view.frames]
    path = view.save_html(tmp_path / "training.html", fps=2)   # a frame every 0.5 s
    browser.get(path.as_uri())

    def click(cls: str) -> None:
        browser.find_element(By.CSS_SELECTOR, "." + cls).click()

    assert _state(browser) == (0, texts[0], "frame 1 / 8")
    img = browser.find_element(By.CSS_SELECTOR, ".sg-replay img")
    first_src = img.get_attribute("src")
    click("sg-next")
    click("sg-next")
    assert _state(browser) == (2, texts[2], "frame 3 / 8")
    assert img.get_attribute("src") != first_src
    assert img.get_attribute("alt") == texts[2]
    click("sg-prev")
    assert _state(browser) == (1, texts[1], "frame 2 / 8")
    browser.save_screenshot("/tmp/view.png")

    slider = browser.find_element(By.CSS_SELECTOR, ".sg-slider")
    slider.send_keys(Keys.END)
    assert _state(browser) == (7, texts[7], "frame 8 / 8")
    slider.send_keys(Keys.HOME)
    slider.send_keys(Keys.ARROW_RIGHT)
    assert _state(browser)[0] == 1

    root = browser.find_element(By.CSS_SELECTOR, ".sg-replay")
    root.send_keys(Keys.ARROW_RIGHT)
    assert _state(browser)[0] == 2
    root.send_keys(Keys.ARROW_LEFT)
    root.send_keys(Keys.ARROW_LEFT)
    assert _state(browser)[0] == 0

    click("sg-play")
    play = browser.find_element(By.CSS_SELECTOR, ".sg-play")
    assert "pause" in play.text and root.get_attribute("data-playing") == "1"
    deadline = time.monotonic() + 10
    while _state(browser)[0] < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    click("sg-play")                                     # pause
    paused = _state(browser)
    assert 2 <= paused[0] < 7 and paused[1] == texts[paused[0]]
    assert "play" in play.text and root.get_attribute("data-playing") == "0"
    time.sleep(1.0)
    assert _state(browser) == paused                     # paused: it stays put

    click("sg-play")                                     # plays to the end, then stops
    deadline = time.monotonic() + 10
    while root.get_attribute("data-playing") == "1" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _state(browser) == (7, texts[7], "frame 8 / 8")
    click("sg-first")
    assert _state(browser)[0] == 0


@pytest.mark.browser
def test_replay_without_javascript_or_styles_shows_one_frame(browser: Any, tmp_path: Path
                                                             ) -> None:
    from selenium.webdriver.common.by import By

    _, view, _ = trained(epochs=5)
    static = tmp_path / "static.html"
    static.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                      + without_scripts_and_styles(view.to_html()) + "</body></html>",
                      encoding="utf-8")
    browser.get(static.as_uri())
    images = browser.find_elements(By.TAG_NAME, "img")
    assert len(images) == 1
    assert browser.execute_script("return arguments[0].complete && "
                                  "arguments[0].naturalWidth", images[0]) == 640
    assert images[0].size["height"] > 100
    body = browser.find_element(By.TAG_NAME, "body").text
    assert view.frames[0].text() in body and "frame 1 / 5" in body
    assert "base64" not in body and not browser.find_elements(By.TAG_NAME, "button")
    browser.save_screenshot("/tmp/view-static.png")
