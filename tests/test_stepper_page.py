"""Stepper.to_html / save_html: the self-contained step-through page, read and played.

The page's data is checked against the stepper it came from; the page itself is opened in
headless Chromium (tests marked ``browser``) and clicked, typed into and keyed through as a
learner would.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from engine import GraphvizNotFound, Stepper, Value, draw_dot
from engine.viz.draw import HIGHLIGHT_FILL, fmt
from engine.viz.page import stepper_html

SVG = "{http://www.w3.org/2000/svg}"


def neuron() -> Value:
    """Notebook 2's neuron: z = w1·x1 + w2·x2 + b, a = tanh(z), L = (a − y)², labelled."""
    x1, x2 = Value(2.0, label="x1"), Value(-1.0, label="x2")
    w1, w2, b = Value(0.5, label="w1"), Value(-1.5, label="w2"), Value(-1.8, label="b")
    w1x1 = w1 * x1
    w1x1.label = "w1x1"
    w2x2 = w2 * x2
    w2x2.label = "w2x2"
    s = w1x1 + w2x2
    s.label = "s"
    z = s + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    e = a - 1.0
    e.label = "e"
    L = e**2
    L.label = "L"
    return L


def reused() -> Value:
    """A node used twice (its gradient is a sum of two chain-rule products)."""
    x = Value(3.0, label="x")
    q = x * x
    q.label = "q"
    return q


def page_data(page: str) -> dict[str, Any]:
    """The page's JSON, with its frames unpacked as the page's script unpacks them."""
    found = re.search(r'<script type="application/json" class="sg-frames">(.*?)</script>',
                      page, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    assert data["encoding"] == "gzip+base64"
    data["frames"] = json.loads(gzip.decompress(base64.b64decode(data["frames"])))
    return data


def highlighted(svg: str) -> list[list[str]]:
    """The texts of every highlighted node of a drawing (the current node: one record)."""
    out = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "node" and any(p.get("fill") == HIGHLIGHT_FILL for p in g):
            out.append([t.text or "" for t in g.iter(f"{SVG}text")])
    return out


def static_view(page: str) -> str:
    """What a code host's renderer keeps: no scripts, no style elements or attributes."""
    page = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    page = re.sub(r"<style\b.*?</style>", "", page, flags=re.S)
    return re.sub(r'\sstyle="[^"]*"', "", page)


# --- the page's content, without a browser ----------------------------------------------

@pytest.mark.usefixtures("needs_dot")
def test_every_frame_is_the_stepper_at_that_step() -> None:
    s = Stepper(neuron())
    data = page_data(s.to_html())
    frames = data["frames"]
    assert data["start"] == 0 and data["steps"] == len(s) == len(frames) == 24
    for k, frame in enumerate(frames):
        step = s.goto(k).step
        assert frame["status"] == f"step {k + 1} of 24 ({step.kind})"
        assert f"{frame['status']}: {frame['text']}" == s.explain()
        assert frame["text"] == str(step) and frame["ask"] is None
        (current,) = highlighted(frame["svg"])
        assert current[0] == step.name
        # The picture is the stepper's own drawing (only Graphviz's comments dropped).
        drawn = s.draw().svg()
        assert re.sub(r"<!--.*?-->\n?", "", drawn[drawn.find("<svg"):],
                      flags=re.S).rstrip() == frame["svg"]
        if step.kind == "backward":
            assert current[-1] == f"grad {fmt(step.upstream)}"


def rightmost(svg: str) -> tuple[float, float]:
    """How far right the drawing reaches, and how wide the picture is (both in the viewBox)."""
    root = ET.fromstring(svg)
    width = float((root.get("viewBox") or "").split()[2])
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    found = re.fullmatch(r"scale\(([\d.]+) [\d.]+\) rotate\(0\) translate\(([\d.]+) [\d.]+\)",
                         graph.get("transform") or "")
    assert found is not None
    scale, pad = float(found.group(1)), float(found.group(2))
    nodes = [g for g in graph.iter(f"{SVG}g") if g.get("class") == "node"]  # no background
    xs = [float(point.split(",")[0]) for node in nodes for shape in node.iter(f"{SVG}polygon")
          for point in (shape.get("points") or "").split()]
    return scale * (max(xs) + pad), width


@pytest.mark.usefixtures("needs_dot")
def test_no_compact_frame_is_cut_off_at_the_right() -> None:
    # Graphviz rounds a shrunk drawing's scale to two decimals; rounded up, the last node
    # (here L, at the last step) stuck out of the picture. The page writes the exact scale.
    for exercise in (False, True):
        for frame in page_data(Stepper(neuron(), compact=True).to_html(exercise))["frames"]:
            reach, width = rightmost(frame["svg"])
            assert reach <= width + 0.01, frame["status"]


@pytest.mark.usefixtures("needs_dot")
def test_the_page_opens_at_the_current_step_and_leaves_the_stepper_there() -> None:
    s = Stepper(neuron()).goto(15)
    page = s.to_html()
    assert s.k == 15
    assert page_data(page)["start"] == 15
    assert '<p class="sg-status" aria-live="polite">step 16 of 24 (backward)</p>' in page
    assert html.escape(str(s.step)) in page


@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("exercise", [False, True])
def test_without_scripts_and_styles_one_frame_remains(exercise: bool) -> None:
    s = Stepper(neuron())
    for page in (s.to_html(exercise), s._repr_html_()):
        static = static_view(page)
        assert static.count("<svg") == 1
        assert "step 1 of 24 (forward)" in static
        assert html.escape(str(s.steps[0])) in static
        assert "step 2 of" not in static and "x1 = 2" not in static
        assert "One of 24 steps" in static  # and a word on how to play the rest


@pytest.mark.usefixtures("needs_dot")
@pytest.mark.slow   # nbconvert and its templates: about a second
def test_a_saved_notebook_rendered_to_html_shows_one_frame_without_scripts() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    formatters = pytest.importorskip("IPython.core.formatters")
    s = Stepper(neuron())
    bundle, _ = formatters.DisplayFormatter().format(s)
    cell = nbformat.v4.new_code_cell("Stepper(L)", execution_count=1, outputs=[
        nbformat.v4.new_output("execute_result", data=bundle, execution_count=1)])
    notebook = nbformat.v4.new_notebook(cells=[cell])
    rendered, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    static = static_view(rendered)
    assert static.count("<svg") == 1 and "step 1 of 24 (forward)" in static
    assert html.escape(str(s.steps[0])) in static and "step 2 of" not in static


@pytest.mark.usefixtures("needs_dot")
def test_the_page_needs_no_server_no_network_and_no_kernel() -> None:
    page = Stepper(neuron()).to_html()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for fetch in ("src=", "<link", "@import", "url(", "fetch(", "XMLHttpRequest"):
        assert fetch not in page
    # The only addresses are the SVG namespaces.
    assert set(re.findall(r"https?://[^\s\"']+", page)) == {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert page == Stepper(neuron()).to_html()  # same graph, same page


@pytest.mark.usefixtures("needs_dot")
def test_a_notebook_shows_the_page_and_a_text_line() -> None:
    IPython = pytest.importorskip("IPython.core.formatters")
    s = Stepper(neuron())
    bundle, _ = IPython.DisplayFormatter().format(s)
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"] == repr(s) and "step 1 of 24" in bundle["text/plain"]
    fragment = bundle["text/html"]
    assert fragment.startswith('<div class="stepgrad-stepper" tabindex="0">')
    assert "<html" not in fragment and "<!--" not in fragment
    assert page_data(fragment) == page_data(s.to_html())


@pytest.mark.usefixtures("needs_dot")
def test_exercise_frames_hide_the_gradient_and_keep_the_answer_for_the_script() -> None:
    s = Stepper(neuron())
    frames = page_data(s.to_html(exercise=True))["frames"]
    n_forward = sum(step.kind == "forward" for step in s.steps)
    for k, (frame, step) in enumerate(zip(frames, s.steps)):
        if k < n_forward:
            assert frame["ask"] is None and frame["text"] == str(step)
            continue
        ask = frame["ask"]
        shown = fmt(step.upstream)
        assert ask["label"] == f"∂L/∂{step.name}"
        assert ask["value"] == step.upstream and ask["shown"] == shown
        assert f"∂L/∂{step.name} = ?" in frame["text"] and f"= {shown}" not in frame["text"]
        (current,) = highlighted(frame["svg"])
        assert current[0] == step.name and current[-1] == "grad ?"
        assert f'data-answer="grad {shown.replace("-", "&#45;")}"' in frame["svg"]
        assert ask["reveal"].endswith(str(step))


@pytest.mark.usefixtures("needs_dot")
def test_the_revealed_products_are_the_chain_rule_lines_that_sent_the_gradient() -> None:
    s = Stepper(reused())
    frames = page_data(s.to_html(exercise=True))["frames"]
    x_step = s.steps[-1]
    assert x_step.name == "x" and x_step.upstream == 6.0
    products = frames[-1]["ask"]["reveal"].split("\n\nThis step:\n")[0].split("\n")
    # q = x * x: one product per use of x, each from q's step, adding up to ∂q/∂x = 6.
    assert products == ["∂q/∂x = x = 3 → ∂q/∂x += 3 × 1 = 3"] * 2
    root = frames[len(s) // 2]["ask"]
    assert root["reveal"] == str(s.steps[len(s) // 2]) and "(the seed)" in root["reveal"]


@pytest.mark.usefixtures("needs_dot")
def test_labels_cannot_break_out_of_the_page() -> None:
    x = Value(2.0, label="</script><script>alert(1)</script>")
    y = x * Value(3.0, label="__FRAMES__ <b>")
    page = Stepper(y).to_html(exercise=True)
    assert "<script>alert" not in page and "<b>" not in page
    assert page.count("<script") == 2
    assert "__FRAMES__" in page_data(page)["frames"][1]["text"]


# --- guards and hostile input -----------------------------------------------------------

def chain(n: int) -> Value:
    y = Value(1.0)
    for _ in range(n):
        y = y * Value(1.01)
    return y


def test_a_graph_bigger_than_max_nodes_is_refused_up_front_naming_the_override() -> None:
    message = r"Stepper: the graph has 21 Values, more than max_nodes=15\..*max_nodes=None"
    with pytest.raises(ValueError, match=message):
        Stepper(chain(10), max_nodes=15)  # 21 Values
    assert "step 1 of 42" in Stepper(chain(10), max_nodes=None).to_html()


def test_without_dot_the_page_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Stepper(reused())
    monkeypatch.setenv("PATH", "")
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        s.to_html()
    assert "apt-get install graphviz" in s._repr_html_()


@pytest.mark.parametrize("bad", [None, 42, 1.5, True, b"page.html", ["page.html"], {}])
def test_save_html_refuses_a_path_that_is_not_one(bad: Any) -> None:
    with pytest.raises(TypeError, match=r"Stepper.save_html: path must be a str or os.PathLike"):
        Stepper(reused()).save_html(bad)


@pytest.mark.usefixtures("needs_dot")
def test_save_html_names_itself_when_it_cannot_write(tmp_path: Path) -> None:
    s = Stepper(reused())
    with pytest.raises(ValueError, match=r"Stepper.save_html: path is empty"):
        s.save_html("  ")
    with pytest.raises(FileNotFoundError, match=r"Stepper.save_html: cannot write .*missing"):
        s.save_html(tmp_path / "missing" / "page.html")
    with pytest.raises(IsADirectoryError, match=r"Stepper.save_html: cannot write"):
        s.save_html(tmp_path)


@pytest.mark.usefixtures("needs_dot")
def test_save_html_writes_the_page_and_returns_its_path(tmp_path: Path) -> None:
    s = Stepper(reused())
    for target in (tmp_path / "a.html", str(tmp_path / "b.html")):
        path = s.save_html(target, exercise=True)
        assert path == Path(target) and path.read_text(encoding="utf-8") == s.to_html(True)


@pytest.mark.parametrize("bad", [None, 42, Value(1.0), "stepper"])
def test_stepper_html_wants_a_stepper(bad: Any) -> None:
    with pytest.raises(TypeError, match="stepper_html: expected a Stepper, got"):
        stepper_html(bad)


@pytest.mark.parametrize("bad", ["yes", 1, None, 0.0])
def test_exercise_must_be_true_or_false(bad: Any) -> None:
    s = Stepper(reused())
    with pytest.raises(TypeError, match=r"Stepper\.to_html: exercise must be True or False"):
        s.to_html(bad)
    with pytest.raises(TypeError, match="document must be True or False"):
        stepper_html(s, document=bad)


# --- in a real browser ------------------------------------------------------------------

class Page:
    """The page as a learner sees it in the browser, through Selenium."""

    def __init__(self, browser: Any, path: Path) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.browser, self.by = browser, By
        browser.get(path.as_uri())
        self.wait = WebDriverWait(browser, 10)
        self.wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, ".sg-next"))

    def find(self, css: str) -> Any:
        return self.browser.find_element(self.by.CSS_SELECTOR, css)

    def click(self, css: str) -> None:
        self.find(css).click()

    def status(self) -> str:
        return str(self.find(".sg-status").text)

    def text(self) -> str:
        return str(self.browser.execute_script(
            "return document.querySelector('.sg-text').textContent"))

    def current(self) -> list[list[str]]:
        """The texts of the highlighted nodes of the picture on screen."""
        return highlighted(self.browser.execute_script(
            "return document.querySelector('.sg-graph svg').outerHTML"))

    def keys(self, *keys: str, css: str = "body") -> None:
        self.find(css).send_keys(*keys)

    def answer(self, typed: str) -> str:
        from selenium.webdriver.common.keys import Keys

        box = self.find(".sg-answer")
        box.clear()
        box.send_keys(typed, Keys.ENTER)
        return str(self.find(".sg-feedback").text)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot program (apt-get install graphviz)")
    folder = tmp_path_factory.mktemp("pages")
    s = Stepper(neuron())
    plain = s.save_html(folder / "neuron.html")
    exercise = s.save_html(folder / "neuron-exercise.html", exercise=True)
    stripped = folder / "static.html"
    stripped.write_text(static_view(plain.read_text(encoding="utf-8")), encoding="utf-8")
    two = folder / "two-outputs.html"  # a notebook page with two stepper outputs
    outputs = [f'<div class="output">{t._repr_html_()}</div>' for t in (s, Stepper(reused()))]
    two.write_text("<!DOCTYPE html><meta charset='utf-8'><body>" + "".join(outputs) + "</body>",
                   encoding="utf-8")
    return {"plain": plain, "exercise": exercise, "static": stripped, "two": two}


STEPS = Stepper(neuron()).steps


def shows(page: Page, k: int) -> None:
    """Assert the page shows step k: its number, its highlighted node, its text."""
    step = STEPS[k]
    assert page.status() == f"step {k + 1} of 24 ({step.kind})"
    assert [texts[0] for texts in page.current()] == [step.name]
    assert page.text() == str(step)


@pytest.mark.browser
def test_next_and_previous_buttons(browser: Any, pages: dict[str, Path]) -> None:
    page = Page(browser, pages["plain"])
    shows(page, 0)
    assert not page.find(".sg-prev").is_enabled()
    page.click(".sg-next")
    page.click(".sg-next")
    shows(page, 2)
    page.click(".sg-prev")
    shows(page, 1)
    for _ in range(30):  # past the end: stays at the last step
        if page.find(".sg-next").is_enabled():
            page.click(".sg-next")
    shows(page, 23)
    assert page.current()[0][-1] == f"grad {fmt(STEPS[23].upstream)}"


@pytest.mark.browser
def test_arrow_keys(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.keys import Keys

    page = Page(browser, pages["plain"])
    page.keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    shows(page, 3)
    page.keys(Keys.ARROW_LEFT)
    shows(page, 2)
    page.keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT, Keys.ARROW_LEFT)  # stops at the first step
    shows(page, 0)


@pytest.mark.browser
def test_the_slider(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.keys import Keys

    page = Page(browser, pages["plain"])
    page.keys(Keys.END, css=".sg-slider")
    shows(page, 23)
    page.keys(Keys.ARROW_LEFT, css=".sg-slider")  # the slider's own key: one step, not two
    shows(page, 22)
    page.keys(Keys.HOME, css=".sg-slider")
    shows(page, 0)
    page.click(".sg-next")
    assert page.find(".sg-slider").get_attribute("value") == "1"


@pytest.mark.browser
def test_play_and_pause(browser: Any, pages: dict[str, Path]) -> None:
    page = Page(browser, pages["plain"])
    play = page.find(".sg-play")
    play.click()
    assert "pause" in play.text
    page.wait.until(lambda _: page.status().startswith("step 3 of"))
    play.click()
    assert "play" in play.text
    k = int(page.status().split()[1]) - 1
    shows(page, k)


@pytest.mark.browser
def test_play_stops_at_an_unanswered_question(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.keys import Keys

    page = Page(browser, pages["exercise"])
    page.keys(Keys.END, css=".sg-slider")
    page.keys(*[Keys.ARROW_LEFT] * 13, css=".sg-slider")
    assert page.status() == "step 11 of 24 (forward)"
    page.click(".sg-play")
    page.wait.until(lambda _: "play" in page.find(".sg-play").text)
    assert page.status() == "step 13 of 24 (backward)"  # the first question: ∂L/∂L
    assert page.find(".sg-question").text == "∂L/∂L"


@pytest.mark.browser
def test_exercise_right_and_wrong_answers(browser: Any, pages: dict[str, Path]) -> None:
    page = Page(browser, pages["exercise"])
    k = next(i for i, s in enumerate(STEPS) if s.kind == "backward" and s.name == "z")
    step = STEPS[k]
    for _ in range(k):
        page.click(".sg-next")
    assert page.status() == f"step {k + 1} of 24 (backward)"
    assert page.text().startswith("z = s + b: ∂L/∂z = ?  (from a)")
    assert page.current() == [["z", f"data {fmt(step.node.data)}", "grad ?"]]
    assert not page.find(".sg-reveal").is_displayed()
    shown = fmt(step.upstream)

    feedback = page.answer("0.5")
    assert feedback == f"✗ Not quite: you typed 0.5; ∂L/∂z = {shown}"
    reveal = page.find(".sg-reveal").text
    assert reveal.endswith(str(step).strip()) and "∂a/∂z = 1 − tanh²(z)" in reveal
    assert page.current()[0][-1] == f"grad {shown}"  # the picture shows it now

    assert page.answer("minus a half") == "Type a number, e.g. -0.25 or 3e-4."
    assert page.answer(repr(step.upstream * (1 + 5e-4))).startswith("✓ Right")
    assert page.answer(repr(step.upstream * (1 + 5e-3))).startswith("✗ Not quite")
    assert page.answer(shown.replace("-", "−")).startswith("✓ Right")  # a typeset minus
    assert page.answer(shown) == f"✓ Right: ∂L/∂z = {shown}"

    page.click(".sg-next")  # a new question, unanswered
    assert page.find(".sg-feedback").text == ""
    assert page.find(".sg-answer").get_attribute("value") == ""
    page.click(".sg-prev")  # back again: the answer and the verdict are remembered
    assert page.find(".sg-answer").get_attribute("value") == shown
    assert page.find(".sg-feedback").text == f"✓ Right: ∂L/∂z = {shown}"


@pytest.mark.browser
def test_without_scripts_and_styles_the_browser_shows_one_frame(
        browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.by import By

    browser.get(pages["static"].as_uri())
    svgs = browser.find_elements(By.TAG_NAME, "svg")
    assert len(svgs) == 1 and svgs[0].size["width"] > 100 and svgs[0].size["height"] > 50
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "step 1 of 24 (forward)" in body and str(STEPS[0]) in body
    assert not browser.find_elements(By.CSS_SELECTOR, "button, input")


@pytest.mark.browser
def test_two_outputs_on_one_notebook_page_play_separately(
        browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = Page(browser, pages["two"])
    first, second = browser.find_elements(By.CSS_SELECTOR, ".stepgrad-stepper")
    second.find_element(By.CSS_SELECTOR, ".sg-next").click()
    second.send_keys(Keys.ARROW_RIGHT)  # in a notebook the keys go to the focused stepper
    assert second.find_element(By.CSS_SELECTOR, ".sg-status").text == "step 3 of 4 (backward)"
    assert first.find_element(By.CSS_SELECTOR, ".sg-status").text == "step 1 of 24 (forward)"
    page.keys(Keys.ARROW_RIGHT)  # the page itself does not take the keys
    assert first.find_element(By.CSS_SELECTOR, ".sg-status").text == "step 1 of 24 (forward)"



@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("n", [27])
def test_a_compact_drawing_is_not_cut_off_in_a_notebook_or_in_svg(n: int,
                                                                   tmp_path: Path) -> None:
    # The same rounding as above, in draw_dot's own output (a chain wide enough to be
    # shrunk): .svg(), .pipe(), the picture a notebook shows and the file .render() writes
    # all carry the exact scale.
    xs = [Value(0.5 + k / 10, label=f"x{k}") for k in range(n)]
    y = xs[0]
    for x in xs[1:]:
        y = (y * x).tanh()
    d = draw_dot(y, compact=True, max_nodes=None)
    for svg in (d.svg(), d.pipe(format="svg").decode("utf-8"),
                d._repr_mimebundle_()["image/svg+xml"],
                Path(d.render(tmp_path / "chain", format="svg")).read_text(encoding="utf-8")):
        reach, width = rightmost(svg)
        assert reach <= width + 0.01


@pytest.mark.usefixtures("needs_dot")
def test_view_opens_the_svg_file_only_once_it_has_the_exact_scale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xs = [Value(0.5 + k / 10, label=f"x{k}") for k in range(27)]
    y = xs[0]
    for x in xs[1:]:
        y = (y * x).tanh()
    d = draw_dot(y, compact=True, max_nodes=None)
    d.format = "svg"
    opened: list[tuple[float, float]] = []
    monkeypatch.setattr("graphviz.view", lambda path, quiet=False: opened.append(
        rightmost(Path(path).read_text(encoding="utf-8"))))
    d.view(tmp_path / "chain")
    d.render(tmp_path / "keyword", view=True)
    d.render(tmp_path / "positional", None, True)  # render(filename, directory, view)
    assert len(opened) == 3
    for reach, width in opened:
        assert reach <= width + 0.01
