"""Notebooks 2 and 3 in a real JupyterLab, used the way a student uses them.

Opened as committed, a notebook is not trusted: JupyterLab runs none of its scripts and
strips inline SVG, so every saved picture must be an image. After Run All, the step-through
pages play inside JupyterLab, whose own keys (Enter, Shift+Enter, the arrows) must not take
over theirs. The server and its browser come from the ``jupyterlab`` and ``browser``
fixtures (``tests/lab.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lab import Lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NB2, NB3 = "02_backprop_one_neuron.ipynb", "03_network_by_hand.ipynb"


def pictures(lab: Lab) -> list[dict[str, Any]]:
    """Every picture in the notebook's outputs: its kind, whether it loaded, its width."""
    found: list[dict[str, Any]] = lab.js(
        "return [...document.querySelectorAll('.jp-OutputArea-output img')].map(i => ({"
        "  svg: i.src.startsWith('data:image/svg+xml'), loaded: i.complete &&"
        "  i.naturalWidth > 0, width: i.getBoundingClientRect().width,"
        "  stepper: !!i.closest('.stepgrad-stepper')}))")
    return found


@pytest.mark.parametrize("notebook, drawings, steppers", [(NB2, 2, 2), (NB3, 2, 0)])
def test_saved_pictures_show_in_a_notebook_not_yet_trusted(
        browser: Any, jupyterlab: Any, notebook: str, drawings: int, steppers: int) -> None:
    lab = Lab(jupyterlab, browser, notebook)
    found = pictures(lab)
    svgs = [p for p in found if p["svg"]]
    assert len([p for p in svgs if not p["stepper"]]) >= drawings
    assert len([p for p in svgs if p["stepper"]]) == steppers
    assert all(p["loaded"] and p["width"] > 300 for p in svgs), found
    # No drawing fell back to its line of text, and no stripped SVG left its words behind.
    text = lab.js("return [...document.querySelectorAll('.jp-OutputArea-output')]"
                  ".map(o => o.innerText).join('\\n')")
    assert "<Drawing" not in text and "data 0.5 grad" not in text
    notes = lab.js("return [...document.querySelectorAll('.stepgrad-stepper .sg-static')]"
                   ".map(n => n.innerText)")
    assert len(notes) == steppers
    assert all("script is not running" in n and "trust the notebook" in n for n in notes)


def test_after_run_all_the_pages_play_and_keep_their_keys(browser: Any,
                                                          jupyterlab: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    lab = Lab(jupyterlab, browser, NB2)
    lab.severe()
    lab.run_all()
    boxes = lab.find_all(".stepgrad-stepper[data-ready='playing']")
    assert len(boxes) == 2
    stepper, exercise = boxes

    # The exercise: Enter checks, Enter again goes on and the new question has the focus;
    # Shift+Enter in the answer box checks too, and does not run the cell again.
    cell = lab.cells()[lab.cell_index("practice = Stepper")]
    prompt = cell.find_element(lab.by.CSS_SELECTOR, ".jp-InputPrompt").text
    answer = exercise.find_element(lab.by.CSS_SELECTOR, ".sg-answer")
    lab.js("arguments[0].scrollIntoView({block: 'center'})", answer)
    answer.click()
    answer.send_keys("1", Keys.ENTER)
    feedback = exercise.find_element(lab.by.CSS_SELECTOR, ".sg-feedback")
    assert feedback.text == "✓ Right: ∂L/∂L = 1"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    status = exercise.find_element(lab.by.CSS_SELECTOR, ".sg-status")
    assert status.text == "step 14 of 24 (backward)"
    assert lab.js("return document.activeElement.className") == "sg-answer"
    ActionChains(browser).send_keys("5").key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(
        Keys.SHIFT).perform()
    feedback = exercise.find_element(lab.by.CSS_SELECTOR, ".sg-feedback")
    assert feedback.text.startswith("✗ Not quite: you typed 5. One more try.")
    assert cell.find_element(lab.by.CSS_SELECTOR, ".jp-InputPrompt").text == prompt

    # The stepper's slider takes the arrows: one step each, the notebook stays on its cell.
    slider = stepper.find_element(lab.by.CSS_SELECTOR, ".sg-slider")
    lab.js("arguments[0].scrollIntoView({block: 'center'})", slider)
    slider.click()
    start = stepper.find_element(lab.by.CSS_SELECTOR, ".sg-status").text
    active = lab.js("return [...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
                    ".findIndex(c => c.classList.contains('jp-mod-active'))")
    slider.send_keys(Keys.ARROW_LEFT)
    k = int(start.split()[1])
    k_now = int(stepper.find_element(lab.by.CSS_SELECTOR, ".sg-status").text.split()[1])
    slider.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    k_after = int(stepper.find_element(lab.by.CSS_SELECTOR, ".sg-status").text.split()[1])
    assert (k_now, k_after) == (max(k - 1, 1), min(max(k - 1, 1) + 2, 24))
    assert lab.js("return [...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
                  ".findIndex(c => c.classList.contains('jp-mod-active'))") == active
    assert lab.severe() == []


def test_a_fresh_exercise_has_its_controls_under_a_saved_stepper(browser: Any,
                                                                 jupyterlab: Any) -> None:
    lab = Lab(jupyterlab, browser, NB2)
    lab.severe()
    for text in ("import math", "def neuron(", "practice = Stepper"):
        lab.run_cell(lab.cell_index(text))
    fresh = lab.find_all(".stepgrad-stepper[data-ready='playing']")
    assert len(fresh) == 1 and fresh[0].find_elements(lab.by.CSS_SELECTOR, ".sg-answer")
    assert lab.severe() == []


def test_a_notebook_opens_unmodified(browser: Any, jupyterlab: Any) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    lab = Lab(jupyterlab, browser, NB2)
    try:   # the kernel's first reply, which would mark it, comes within a second or two
        WebDriverWait(browser, 6).until(lambda _: lab.dirty())
    except TimeoutException:
        return
    pytest.fail("the notebook is marked modified as soon as it opens")


# --- the live training view ----------------------------------------------------------------

LIVE_CELLS = [
    "import random\n"
    "import nn\n"
    "rng = random.Random(0)\n"
    "X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(60)]\n"
    "y = [1 if a * b > 0 else 0 for a, b in X]\n"
    "model = nn.MLP(2, [8, 8, 1], activation='tanh', seed=0)\n"
    "view = nn.TrainingView(model, X, y)\n"
    "def train(epochs):\n"
    "    optimizer = nn.SGD(model.parameters(), lr=0.2)\n"
    "    nn.fit(model, X, y, nn.binary_cross_entropy_with_logits, optimizer,\n"
    "           epochs=epochs, batch_size=10, view=view, progress=False)",
    "train(60)",
    "train(5)",
]


def _live_notebook(where: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in LIVE_CELLS]
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}}
    path = where / "live_view.ipynb"
    nbformat.write(nb, path)
    return path


def _pictures_in(lab: Lab, index: int) -> int:
    count: int = lab.js(
        "return arguments[0].querySelectorAll('.jp-OutputArea-output img').length",
        lab.cells()[index])
    return count


def test_the_live_view_draws_while_it_trains_and_in_the_cell_that_runs_it(
        browser: Any, jupyterlab: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    lab = Lab(jupyterlab, browser, "live_view.ipynb", source=_live_notebook(tmp_path))
    lab.run_cell(0)
    # Training: a picture appears in the training cell while the kernel is still busy.
    cell = lab.cells()[1]
    prompt = cell.find_element(lab.by.CSS_SELECTOR, ".jp-InputPrompt")
    lab.js("arguments[0].scrollIntoView({block: 'center'})", cell)
    prompt.click()
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(
        Keys.SHIFT).perform()
    WebDriverWait(browser, 30, poll_frequency=0.05).until(lambda _: _pictures_in(lab, 1) > 0)
    assert lab.kernel_status() == "busy", "the first picture came only after training"
    lab.wait_idle()
    assert _pictures_in(lab, 1) == 1   # one picture, redrawn in place

    # Run again: it draws in that cell again, not elsewhere.
    lab.run_cell(1)
    assert _pictures_in(lab, 1) == 1

    # The same view trained from a new cell draws in the new cell; the old one keeps its own.
    lab.run_cell(2)
    assert _pictures_in(lab, 2) == 1 and _pictures_in(lab, 1) == 1
