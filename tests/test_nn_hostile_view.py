"""nn.TrainingView at the edges (each argument's checker is a row of test_entry_points.py).

- save_gif refuses a frame time longer than a GIF can hold (16-bit centiseconds).
- save_gif and save_html name themselves and the path when the file cannot be written.
- A refused record leaves the recording as it was.
- The loss panel keeps spikes, zeros, negative losses and the float limits in sight.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nn

np = pytest.importorskip("numpy")

X = [[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]]
Y = [1.0, 1.0, -1.0, -1.0]


# --- TrainingView exports ------------------------------------------------------------------

def _view(steps: int = 3) -> nn.TrainingView:
    view = nn.TrainingView(nn.MLP(2, [2, 1], seed=0), X, Y, live=False)
    for k in range(steps):
        view.record(1.0 / (k + 1))
    return view


@pytest.mark.parametrize(("options", "match"), [
    ({"hold": 700}, r"TrainingView.save_gif: hold must be at most 655.225 seconds"),
    ({"hold": 1e300}, r"TrainingView.save_gif: hold must be at most"),
    ({"fps": 0.001}, r"TrainingView.save_gif: fps must be at least 1/655.35 "),
    ({"fps": 1e-9}, r"TrainingView.save_gif: fps must be at least"),
    ({"fps": 5e-324}, r"TrainingView.save_gif: fps must be at least"),
])
def test_save_gif_refuses_a_frame_longer_than_a_gif_can_hold(
        tmp_path: Path, options: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _view().save_gif(tmp_path / "a.gif", **options)
    assert not (tmp_path / "a.gif").exists()


def test_save_gif_takes_the_longest_frame_a_gif_can_hold(tmp_path: Path) -> None:
    from PIL import Image
    path = _view().save_gif(tmp_path / "a.gif", fps=1 / 655.35, hold=0.0, dpi=10)
    with Image.open(path) as image:
        assert image.info["duration"] == 655350
    path = _view().save_gif(tmp_path / "b.gif", fps=10.0, hold=655.25, dpi=10)
    with Image.open(path) as image:
        image.seek(image.n_frames - 1)
        assert image.info["duration"] == 655350


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("method", ["save_gif", "save_html"])
def test_exports_name_themselves_when_they_cannot_write(method: str) -> None:
    save: Callable[[Any], Path] = getattr(_view(), method)
    with pytest.raises(OSError, match=rf"^TrainingView.{method}: cannot write '/proc/x'"):
        save("/proc/x")   # a folder that exists, where nothing can be written


def test_to_html_refuses_an_fps_too_small_for_a_frame_time() -> None:
    with pytest.raises(ValueError, match=r"TrainingView.to_html: fps must be at least"):
        _view().to_html(fps=5e-324)



# --- a refused record leaves the recording as it was --------------------------------------

@pytest.mark.parametrize(("kwargs", "error"), [
    ({"loss": math.nan}, ValueError), ({"loss": 0.3, "lr": -1.0}, ValueError),
    ({"loss": 0.3, "step": 1}, ValueError), ({"loss": 0.3, "epoch": 1.5}, TypeError),
    ({"loss": 0.3, "accuracy": 1.5}, ValueError),
])
def test_a_refused_record_records_nothing(kwargs: dict[str, Any],
                                          error: type[Exception]) -> None:
    view = nn.TrainingView(nn.MLP(2, [2, 1], seed=0), X, Y, live=False)
    view.record(0.5, epoch=1)
    with pytest.raises(error, match=r"^TrainingView.record: "):
        view.record(**kwargs)
    assert (view.steps, view.losses, view.lrs, len(view.frames)) == ([1], [0.5], [None], 1)
    view.record(0.3, lr=np.float32(0.0), step=np.int64(3), epoch=np.int64(2))
    assert view.steps == [1, 3] and view.lrs == [None, 0.0] and view.frames[-1].epoch == 2


def test_steps_must_increase() -> None:
    view = _view(steps=2)
    with pytest.raises(ValueError, match=r"^TrainingView.record: steps must increase; got step 2 "
                                         r"after 2$"):
        view.record(0.5, step=2)


# --- the replay page shown twice in one document (a notebook showing `view` in two cells) --

@pytest.mark.browser
def test_the_same_replay_twice_on_a_page_plays_each_copy_on_its_own(browser: Any,
                                                                      tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    view = _view(steps=4)
    page = view.to_html(fps=50) + "<hr>" + view._repr_html_()
    path = tmp_path / "twice.html"
    path.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>" + page
                    + "</body></html>", encoding="utf-8")
    browser.get(path.as_uri())
    roots = browser.find_elements(By.CSS_SELECTOR, ".sg-replay")

    def states() -> list[tuple[int, str]]:
        return [(int(root.get_attribute("data-frame")),
                 root.find_element(By.CSS_SELECTOR, ".sg-counter").text) for root in roots]

    assert len(roots) == 2
    assert [len(r.find_elements(By.CSS_SELECTOR, ".sg-controls")) for r in roots] == [1, 1]
    assert states() == [(0, "frame 1 of 4"), (0, "frame 1 of 4")]
    roots[1].find_element(By.CSS_SELECTOR, ".sg-next").click()
    roots[1].find_element(By.CSS_SELECTOR, ".sg-next").click()
    assert states() == [(0, "frame 1 of 4"), (2, "frame 3 of 4")]
    roots[0].send_keys(Keys.ARROW_RIGHT)
    assert states() == [(1, "frame 2 of 4"), (2, "frame 3 of 4")]
    roots[0].find_element(By.CSS_SELECTOR, ".sg-play").click()    # plays to its end
    deadline = time.monotonic() + 10
    while roots[0].get_attribute("data-playing") == "1" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert states() == [(3, "frame 4 of 4"), (2, "frame 3 of 4")]
    assert roots[1].get_attribute("data-playing") != "1"
    browser.save_screenshot(str(tmp_path / "twice.png"))


# --- the loss panel: a spike, losses near 0, zeros, negative losses ----------------------

def _losses_view(losses: list[float], accuracy: float | None = 0.5) -> nn.TrainingView:
    view = nn.TrainingView(nn.MLP(2, [2, 1], seed=0), X, Y, live=False)
    for loss in losses:
        view.record(loss, accuracy=accuracy)
    return view


def _panel(view: nn.TrainingView, k: int) -> tuple[Any, list[float], float | None]:
    """Frame k drawn: the loss axes, the height of each loss point drawn (0 at the panel's
    floor, 1 at its top) and that of the accuracy at frame k."""
    painter = view._painter_()
    frame = view.frames[k]
    painter.update(frame.params, frame.text(), view._curves(), k + 1)
    ax = painter.ax_loss
    to_panel = ax.transAxes.inverted()
    line = painter.loss_line
    points = ax.transData.transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
    heights = [float(h) for h in to_panel.transform(points)[:, 1]]
    acc = view.frames[k].accuracy
    acc_height = None if acc is None else float(to_panel.transform(
        painter.ax_acc.transData.transform((1.0, acc)))[1])
    return ax, heights, acc_height


def test_one_loss_spike_leaves_the_curve_readable_on_a_log_axis() -> None:
    view = _losses_view([0.5] * 10 + [1e300] + [0.4] * 10)
    limits = set()
    for k in (0, 9, 10, 20):                 # before the spike, at it and after it
        ax, heights, acc = _panel(view, k)
        assert ax.get_yscale() == "log" and "log" in ax.get_title(loc="left")
        assert len(heights) == k + 1 and all(0.0 <= h <= 1.0 for h in heights)
        ordinary = [h for h, loss in zip(heights, view.losses) if loss < 1.0]
        assert min(ordinary) > 0.03, k       # off the floor (was 0: 0.5 on a 0 … 1e300 axis)
        assert acc is not None and min(abs(h - acc) for h in ordinary) > 0.3
        if k >= 10:
            assert heights[10] > 0.9         # the spike near the top
        limits.add(ax.get_ylim())
    assert len(limits) == 1                  # one axis for the whole recording


@pytest.mark.parametrize("losses", [
    [1e-300] * 5 + [0.0] * 5,                # too small for a linear axis: was -0.05 … 0.05
    [0.0] * 6,
    [5e-324, 0.0, 5e-324],
])
def test_losses_at_or_near_zero_lie_on_the_floor_of_an_axis_from_zero(
        losses: list[float]) -> None:
    view = _losses_view(losses)
    ax, heights, acc = _panel(view, len(losses) - 1)
    assert ax.get_yscale() == "linear" and ax.get_ylim() == (0.0, 1.0)
    assert all(0.0 <= h < 0.01 for h in heights)
    assert acc is not None and acc > 0.4     # not on the accuracy line at 50%


def test_losses_over_many_decades_use_a_log_axis() -> None:
    view = _losses_view([10.0 ** -k for k in range(12)] + [0.0])   # and an exact 0
    ax, heights, _ = _panel(view, 12)
    assert ax.get_yscale() == "log" and ax.get_ylim()[0] > 0
    assert all(0.0 <= h <= 1.0 for h in heights)
    assert heights[-1] == pytest.approx(0.0, abs=1e-9)             # the 0 on the floor
    steps = np.diff(heights[:12])
    assert np.all(steps < -0.05)                                   # each decade visible


def test_a_falling_loss_keeps_its_linear_axis_from_zero() -> None:
    view = _losses_view([0.7 * 0.8 ** k for k in range(20)])
    ax, heights, _ = _panel(view, 19)
    assert ax.get_yscale() == "linear" and "log" not in ax.get_title(loc="left")
    assert ax.get_ylim() == pytest.approx((0.0, 0.7 * 1.05))
    assert heights[0] > 0.9 and 0.0 < heights[-1] < 0.02


def test_a_negative_loss_stays_in_sight() -> None:
    view = _losses_view([0.5, 0.2, -0.3, -1.0, -0.8])
    ax, heights, _ = _panel(view, 4)
    assert ax.get_yscale() == "linear" and ax.get_ylim()[0] < -1.0
    assert all(0.0 < h < 1.0 for h in heights)
    assert heights[3] < 0.1 and heights[0] > 0.9


@pytest.mark.parametrize("losses", [
    [1.7e308] * 3,                           # was OverflowError from matplotlib's ticks
    [-1e308, 1e308],                         # was ValueError (arange: cannot compute length)
    [0.5] * 3 + [1.7976931348623157e308, 0.4],
    [5e-324, 0.0, 1.7976931348623157e308],
])
def test_losses_near_the_float_limits_draw_without_warnings(losses: list[float]) -> None:
    import warnings

    view = _losses_view(losses)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = view.render(dpi=30)
    assert png.startswith(b"\x89PNG")
    _, heights, _ = _panel(view, len(losses) - 1)
    assert all(-1e-12 <= h <= 1.0 + 1e-12 for h in heights)   # past the limits: on the edge
