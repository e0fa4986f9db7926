"""Stepper.to_html / save_html: the self-contained step-through page, read and played.

The page's data is checked against the trace it came from; the page itself is opened in
headless Chromium (tests marked ``browser``) and clicked, typed into and keyed through as a
learner would, at a phone's width and a desktop's.
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

import engine.viz.page
import nn
from engine import GraphvizNotFound, Stepper, Value
from engine.viz.draw import DEFAULT_MAX_NODES, HIGHLIGHT_FILL
from engine.viz.page import frame_status
from engine.viz.text import fmt

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


def mlp() -> Value:
    """The issue's graph: MLP(2, [3, 1]) and the mean squared error on 4 points."""
    model = nn.MLP(2, [3, 1], seed=0)
    X = [[0, 1], [1, 0], [0, -1], [-1, 0]]
    return nn.mse_loss([model(x) for x in X], [1, 1, -1, -1])


def chain(n: int) -> Value:
    """n Values: y = y · 1.01 again and again."""
    y = Value(1.0)
    for _ in range(n - 1):
        y = y * 1.01
    return y


def page_data(page: str) -> dict[str, Any]:
    """The page's data, unpacked as the page's script unpacks it."""
    found = re.search(r'<script type="application/json" class="sg-frames">(.*?)</script>',
                      page, re.S)
    assert found is not None
    packed = json.loads(found.group(1))
    assert packed["encoding"] == "gzip+base64"
    data: dict[str, Any] = json.loads(gzip.decompress(base64.b64decode(packed["data"])))
    return data


def unseal(text: str, key: int) -> str:
    """The script's unsealing, written again here from its description (xorshift32 bytes)."""
    x = key or 0x9E3779B9
    out = bytearray()
    for byte in base64.b64decode(text):
        x ^= (x << 13) % 2**32
        x ^= x >> 17
        x ^= (x << 5) % 2**32
        out.append(byte ^ (x % 256))
    return out.decode("utf-8")


def question_key(data: dict[str, Any], j: int) -> int:
    return int((data["key"] ^ ((j + 1) * 0x9E3779B1)) % 2**32)


def static_view(page: str) -> str:
    """What a code host's renderer keeps: no scripts, no style elements or attributes."""
    page = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    page = re.sub(r"<style\b.*?</style>", "", page, flags=re.S)
    return re.sub(r'\sstyle="[^"]*"', "", page)


def static_svg(page: str) -> str:
    """The SVG of the page's one static picture (an image of a data: URI)."""
    (data,) = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    return base64.b64decode(data).decode("utf-8")


def node_texts(svg: str) -> dict[str, list[str]]:
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if g.get("class") == "node" and title is not None and title.text:
            out[title.text] = [t.text or "" for t in g.iter(f"{SVG}text")]
    return out


def lit(svg: str) -> list[str]:
    """The titles of the highlighted nodes of a drawing."""
    return [g.findtext(f"{SVG}title") or "" for g in ET.fromstring(svg).iter(f"{SVG}g")
            if g.get("class") == "node" and any(c.get("fill") == HIGHLIGHT_FILL for c in g)]


# --- the page's content, without a browser ----------------------------------------------

@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("make", [neuron, mlp, reused])
def test_the_frames_are_the_steps_and_the_numbers_of_the_trace(make: Any) -> None:
    s = Stepper(make())
    t = s.trace
    data = page_data(s.to_html())
    index = {v: i for i, v in enumerate(t.order)}
    assert data["forward"] == len(t.forward) and len(data["steps"]) == len(s)
    for k, (text, node, arrivals) in enumerate(data["steps"]):
        step = s.steps[k]
        assert text == str(step) and node == index[step.node]
        shown = t.shown(k)
        assert arrivals == [[index[u], fmt(c)] for u, c in shown.arrivals]
    for i, (value, grad, back, run) in enumerate(data["nodes"]):
        assert value == fmt(t.forward[i].value)
        assert t.backward[back].node is t.order[i] and grad == fmt(t.backward[back].upstream)
        assert run == next((j for j, r in enumerate(t.neurons) if t.order[i] in r.members), -1)
    assert [r[:4] for r in data["runs"]] == [
        [index[r.z], -1 if r.a is None else index[r.a], r.activation, r.title]
        for r in t.neurons]
    # One drawing for the whole page (two where the graph has neurons: as boxes, and node
    # by node), not one per frame.
    assert len(data["views"]) == (2 if t.neurons else 1)


@pytest.mark.usefixtures("needs_dot")
def test_the_page_grows_linearly_with_the_graph() -> None:
    sizes = {n: len(Stepper(chain(n)).to_html()) for n in (100, 200, 400)}
    assert sizes[400] - sizes[200] <= 2.2 * (sizes[200] - sizes[100])
    assert sizes[400] / 400 < 2500   # bytes per node


@pytest.mark.usefixtures("needs_dot")
def test_the_page_opens_at_the_current_step_and_leaves_the_stepper_there() -> None:
    s = Stepper(neuron()).goto(15)
    page = s.to_html()
    assert s.k == 15
    assert page_data(page)["start"] == 15
    assert '<p class="sg-status" aria-live="polite" style="font-weight: bold">step 16 of 24 ' \
           '(backward)</p>' in page
    assert html.escape(str(s.step)) in page


@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("exercise", [False, True])
def test_without_scripts_the_forward_pass_shows_complete_with_every_number(
        exercise: bool) -> None:
    s = Stepper(neuron())
    n_forward = len(s.forward_steps)
    for page in (s.to_html(exercise), s._repr_html_() if not exercise else s.exercise().text):
        static = static_view(page)
        assert static.count("<img") == 1 and "<svg" not in static
        assert f"step {n_forward} of 24 (forward)" in static
        assert html.escape(str(s.steps[n_forward - 1])) in static
        texts = node_texts(static_svg(static))
        for i, step in enumerate(s.forward_steps):
            assert texts[f"v{i}"] == [step.name, f"data {fmt(step.value)}", ""]
        assert lit(static_svg(static)) == [f"v{n_forward - 1}"]
        assert "script is not running" in static and "trust the notebook" in static
        assert "play all 24 steps" in static


@pytest.mark.usefixtures("needs_dot")
def test_without_scripts_a_stepper_further_on_shows_its_step_and_a_wide_graph_says_it_scrolls(
        ) -> None:
    s = Stepper(neuron()).goto(20)
    static = static_view(s.to_html())
    assert "step 21 of 24 (backward)" in static and html.escape(str(s.step)) in static
    assert "scroll sideways" in static  # the neuron's graph is wider than a column
    exercise = static_view(s.to_html(exercise=True))
    assert "step 12 of 24 (forward)" in exercise   # never a backward step: an answer
    assert "scroll sideways" not in static_view(Stepper(reused()).to_html())


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
    assert static.count('src="data:image/svg+xml') == 1
    assert "step 12 of 24 (forward)" in static and "step 13 of" not in static


@pytest.mark.usefixtures("needs_dot")
def test_the_page_needs_no_server_no_network_and_no_kernel() -> None:
    page = Stepper(neuron()).to_html()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert re.findall(r'src="([a-z]+):', page) == ["data"]  # the one picture, inline
    for fetch in ("<link", "@import", "url(", "fetch(", "XMLHttpRequest"):
        assert fetch not in page
    # The only addresses are the SVG namespaces.
    assert set(re.findall(r"https?://[^\s\"'<]+", page)) == {"http://www.w3.org/2000/svg"}
    assert page == Stepper(neuron()).to_html()  # same graph, same page


@pytest.mark.usefixtures("needs_dot")
def test_a_notebook_shows_the_page_and_a_text_line() -> None:
    IPython = pytest.importorskip("IPython.core.formatters")
    s = Stepper(neuron())
    bundle, _ = IPython.DisplayFormatter().format(s)
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"] == repr(s) and "step 1 of 24" in bundle["text/plain"]
    fragment = bundle["text/html"]
    assert fragment.startswith('<div class="stepgrad-stepper"')
    assert "<html" not in fragment and "<!--" not in fragment
    assert page_data(fragment) == page_data(s.to_html())


def answers(s: Stepper) -> list[str]:
    """The gradients an exercise asks for, as they would be shown, where they cannot be
    confused with a number the forward pass shows (a gradient may equal one, legitimately)."""
    shown = {fmt(step.value) for step in s.forward_steps}
    return [fmt(b.upstream) for b in s.backward_steps if fmt(b.upstream) not in shown]


@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("make", [neuron, mlp])
def test_the_exercise_page_and_its_data_hold_no_answer_in_the_clear(make: Any) -> None:
    s = Stepper(make()).goto(-1)   # saved on the last step: the static frame still holds none
    page = s.to_html(exercise=True)
    data = page_data(page)
    drawings = [view.pop("svg") for view in data["views"]]
    texts = [t for svg in [static_svg(page), *drawings] for ts in node_texts(svg).values()
             for t in ts]
    shown = re.sub(r"<[^>]*>", " ", static_view(page))   # what the page says, not its tags
    clear = json.dumps(data, ensure_ascii=False)
    words = set(re.findall(r"-?\d[\d.e+-]*", " ".join([shown, clear, *texts])))
    found = [a for a in answers(s) if a in words]
    assert not found and len(answers(s)) >= 8
    # ... but the script can unseal each, once asked: the sealed data holds them exactly.
    for j, (label, value, shown, answer, hint) in enumerate(data["asks"]):
        b = s.backward_steps[j]
        key = question_key(data, j)
        assert label == f"∂{b.root_name}/∂{b.name}"
        assert float(unseal(value, key)) == b.upstream and unseal(shown, key) == fmt(b.upstream)
        assert unseal(answer, key).startswith(f"{b.name}: {b.gradient_line()}")
        assert not re.search(rf"(?<![\w.#]){re.escape(fmt(b.upstream))}(?![\w.])", hint)


@pytest.mark.usefixtures("needs_dot")
def test_an_answer_shows_the_products_that_sent_the_gradient_and_no_later_answer() -> None:
    s = Stepper(reused())
    data = page_data(s.to_html(exercise=True))
    last = len(s.backward_steps) - 1
    answer = unseal(data["asks"][last][3], question_key(data, last))
    # q = x * x: one product per use of x, each from q's step, adding up to ∂q/∂x = 6.
    assert answer == ("x: ∂q/∂x = 3 + 3 = 6  (one term per use: q, q); x.grad += 6\n"
                      "From the nodes that use it:\n"
                      "  ∂q/∂x = x = 3 → ∂q/∂x += 3 × 1 = 3\n"
                      "  ∂q/∂x = x = 3 → ∂q/∂x += 3 × 1 = 3")
    root = unseal(data["asks"][0][3], question_key(data, 0))
    assert root == "q: ∂q/∂q = 1  (the seed); q.grad += 1"   # not what q sends x: 3


@pytest.mark.usefixtures("needs_dot")
def test_labels_cannot_break_out_of_the_page() -> None:
    x = Value(2.0, label="</script><script>alert(1)</script>")
    y = x * Value(3.0, label="__FRAMES__ <b>")
    page = Stepper(y).to_html(exercise=True)
    assert "<script>alert" not in page and "<b>" not in page
    assert page.count("<script") == 2
    assert "__FRAMES__" in page_data(page)["steps"][1][0]


# --- guards and hostile input -----------------------------------------------------------

def test_a_graph_bigger_than_max_nodes_is_refused_up_front_naming_the_override() -> None:
    message = r"Stepper: the graph has 21 Values, more than max_nodes=15\..*max_nodes=None"
    with pytest.raises(ValueError, match=message):
        Stepper(chain(21), max_nodes=15)
    with pytest.raises(ValueError, match=f"more than max_nodes={DEFAULT_MAX_NODES}"):
        Stepper(chain(DEFAULT_MAX_NODES + 1))


@pytest.mark.usefixtures("needs_dot")
def test_a_graph_over_the_default_limit_still_pages_when_asked() -> None:
    assert "play all 42 steps" in Stepper(chain(21), max_nodes=None).to_html()


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
@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_save_html_names_itself_when_it_cannot_write(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.viz.page, "stepper_page", lambda *_, **__: "<p>a page</p>")
    with pytest.raises(OSError, match=r"^Stepper.save_html: cannot write '/proc/x': "):
        Stepper(reused()).save_html("/proc/x")   # a folder that exists, where nothing can be


@pytest.mark.usefixtures("needs_dot")
def test_save_html_writes_the_page_and_returns_its_path(tmp_path: Path) -> None:
    s = Stepper(reused())
    for target in (tmp_path / "a.html", str(tmp_path / "b.html")):
        path = s.save_html(target, exercise=True)
        assert path == Path(target) and path.read_text(encoding="utf-8") == s.to_html(True)


# --- in a real browser ------------------------------------------------------------------

class Page:
    """The page as a learner sees it in the browser, through Selenium."""

    def __init__(self, browser: Any, path: Path, width: int = 1000) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.browser, self.by = browser, By
        resize(browser, width)
        browser.get(path.as_uri())
        self.wait = WebDriverWait(browser, 20)
        self.wait.until(lambda b: b.execute_script(
            "return [...document.querySelectorAll('.stepgrad-stepper')].every("
            "b => !b.querySelector('script.sg-frames') || "
            "b.getAttribute('data-ready') === 'playing')"))

    def js(self, script: str, *args: Any) -> Any:
        return self.browser.execute_script(script, *args)

    def find(self, css: str) -> Any:
        return self.browser.find_element(self.by.CSS_SELECTOR, css)

    def click(self, css: str) -> None:
        self.find(css).click()

    def status(self) -> str:
        return str(self.find(".sg-status").text)

    def text(self) -> str:
        return str(self.js("return document.querySelector('.sg-text').textContent"))

    def current(self) -> list[str]:
        """The texts of the highlighted node (or neuron box) of the picture on screen."""
        found: list[list[str]] = self.js(
            "return [...document.querySelectorAll('.sg-view g.sg-cur')].map("
            "g => [...g.querySelectorAll('text')].map(t => t.textContent))")
        assert len(found) == 1, found
        return found[0]

    def in_view(self) -> bool:
        """Is the highlighted node inside the graph's visible area?"""
        return bool(self.js(
            "const g = document.querySelector('.sg-view g.sg-cur').getBoundingClientRect();"
            "const v = document.querySelector('.sg-view').getBoundingClientRect();"
            "return g.right > v.left && g.left < v.right && g.bottom > v.top &&"
            " g.top < v.bottom"))

    def keys(self, *keys: str, css: str = "body") -> None:
        self.find(css).send_keys(*keys)

    def smallest_text(self) -> float:
        """The height of the smallest drawn text of the graph, in CSS px."""
        return float(self.js(
            "return Math.min(...[...document.querySelectorAll('.sg-view svg text')]"
            ".filter(t => t.textContent.trim()).map(t => t.getBoundingClientRect().height))"))

    def visible(self) -> str:
        """Everything a learner can read: the page's text and the drawing's."""
        return str(self.js(
            "return document.body.innerText + ' ' + [...document.querySelectorAll("
            "'.sg-view svg text')].map(t => t.textContent).join(' ')"))

    def answer(self, typed: str) -> str:
        from selenium.webdriver.common.keys import Keys

        box = self.find(".sg-answer")
        box.clear()
        box.send_keys(typed, Keys.ENTER)
        return str(self.find(".sg-feedback").text)


def resize(browser: Any, width: int) -> None:
    """Make the page's viewport ``width`` CSS px wide."""
    browser.set_window_size(width, 900)
    inner = browser.execute_script("return window.innerWidth")
    if inner != width:
        browser.set_window_size(2 * width - inner, 900)


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
    network = Stepper(mlp()).save_html(folder / "mlp.html")
    packed = Stepper(neuron(), compact=True).save_html(folder / "neuron-compact.html")
    x = Value(1.0, label="x")
    zero = Stepper(x * 0.1 + x * 0.2 - x * 0.3).save_html(folder / "zero.html", exercise=True)
    two = folder / "two-outputs.html"  # a notebook page with two stepper outputs
    outputs = [f'<div class="output">{t._repr_html_()}</div>' for t in (s, Stepper(reused()))]
    two.write_text("<!DOCTYPE html><meta charset='utf-8'><body>" + "".join(outputs) + "</body>",
                   encoding="utf-8")
    # A saved output whose script a notebook removed (untrusted), above a fresh one.
    sanitized = re.sub(r"<script\b.*?</script>", "", Stepper(reused())._repr_html_(), flags=re.S)
    after = folder / "after-a-saved-one.html"
    after.write_text("<!DOCTYPE html><meta charset='utf-8'><body>" + sanitized +
                     s.exercise().text + "</body>", encoding="utf-8")
    # In JupyterLab's output area, whose style breaks preformatted text inside words.
    lab = folder / "jupyterlab-output.html"
    lab.write_text("<!DOCTYPE html><meta charset='utf-8'><style>.jp-OutputArea-output pre "
                   "{ word-break: break-all; overflow-wrap: break-word; }</style><body>"
                   "<div class='jp-OutputArea-output'>" + s.exercise()._repr_html_() +
                   "</div></body>", encoding="utf-8")
    return {"plain": plain, "exercise": exercise, "static": stripped, "two": two, "lab": lab,
            "mlp": network, "zero": zero, "after": after, "compact": packed}


STEPS = Stepper(neuron()).steps


def shows(page: Page, k: int) -> None:
    """Assert the page shows step k: its number, its highlighted node, its text."""
    step = STEPS[k]
    assert page.status() == f"step {k + 1} of 24 ({step.kind})"
    assert page.current()[0] == step.name
    assert page.text() == str(step)


@pytest.mark.browser
def test_every_frame_matches_the_steps_in_python_and_keeps_its_node_in_view(
        browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.keys import Keys

    s = Stepper(mlp())
    t = s.trace
    page = Page(browser, pages["mlp"], width=1000)
    run_of = {v: r for r in t.neurons for v in r.members}

    def lit(step: Any) -> str:   # the node's name, or the box of the neuron it is in
        run = run_of.get(step.node)
        return step.name if run is None else f"{run.title} ({run.activation or 'linear'})"

    # Every frame, clicked through (one call to the page for all of them) ...
    seen = page.js(
        "const out = [], next = document.querySelector('.sg-next');"
        "for (let k = 0; k < arguments[0]; k++) {"
        "  const g = [...document.querySelectorAll('.sg-view g.sg-cur')];"
        "  out.push([document.querySelector('.sg-status').textContent,"
        "            document.querySelector('.sg-text').textContent,"
        "            g.map(e => e.querySelector('text').textContent)]);"
        "  next.click(); }"
        "return out", len(s))
    assert seen == [[frame_status(t, k), str(s.steps[k]), [lit(s.steps[k])]]
                    for k in range(len(s))]
    # ... and some with the keys, as a learner goes, each node brought into view.
    page.keys(Keys.HOME)
    for k in range(25):
        assert page.current()[0] == lit(s.steps[k])
        page.wait.until(lambda _: page.in_view())   # (it may glide there)
        page.keys(Keys.ARROW_RIGHT)
    page.click(".sg-view-1")            # every node: the current node itself is lit
    page.keys(Keys.END)
    for k in range(len(s) - 1, len(s) - 25, -1):
        assert page.current()[0] == s.steps[k].name
        page.wait.until(lambda _: page.in_view())
        page.keys(Keys.ARROW_LEFT)


@pytest.mark.browser
def test_the_buttons(browser: Any, pages: dict[str, Path]) -> None:
    page = Page(browser, pages["plain"])
    shows(page, 0)
    assert not page.find(".sg-prev").is_enabled() and not page.find(".sg-start").is_enabled()
    page.click(".sg-next")
    page.click(".sg-next")
    shows(page, 2)
    page.click(".sg-prev")
    shows(page, 1)
    page.click(".sg-backward")      # the start of backpropagation
    shows(page, 12)
    assert page.current()[-1] == f"grad {fmt(STEPS[12].upstream)}"
    for _ in range(30):  # past the end: stays at the last step
        if page.find(".sg-next").is_enabled():
            page.click(".sg-next")
    shows(page, 23)
    page.click(".sg-start")
    shows(page, 0)


@pytest.mark.browser
def test_the_keys(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.keys import Keys

    page = Page(browser, pages["plain"])
    page.keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    shows(page, 3)
    page.keys(Keys.ARROW_LEFT)
    shows(page, 2)
    page.keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT, Keys.ARROW_LEFT)  # stops at the first step
    shows(page, 0)
    page.keys(Keys.END)
    shows(page, 23)
    page.keys(Keys.HOME)
    shows(page, 0)
    page.keys(Keys.SPACE)            # Space plays ...
    assert "pause" in page.find(".sg-play").text
    page.wait.until(lambda _: page.status().startswith("step 2 of"))
    page.keys(Keys.SPACE)            # ... and pauses
    assert "play" in page.find(".sg-play").text


@pytest.mark.browser
def test_the_slider(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.keys import Keys

    page = Page(browser, pages["plain"])
    page.keys(Keys.END, css=".sg-slider")
    shows(page, 23)
    page.keys(Keys.ARROW_LEFT, css=".sg-slider")  # one step, not two
    shows(page, 22)
    page.keys(Keys.HOME, css=".sg-slider")
    shows(page, 0)
    page.click(".sg-next")
    assert page.find(".sg-slider").get_attribute("value") == "1"


@pytest.mark.browser
def test_play_at_a_speed_and_pause(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.support.ui import Select

    page = Page(browser, pages["plain"])
    Select(page.find(".sg-speed")).select_by_value("8")
    play = page.find(".sg-play")
    play.click()
    assert "pause" in play.text
    page.wait.until(lambda _: int(page.status().split()[1]) >= 8)
    play.click()
    assert "play" in play.text
    k = int(page.status().split()[1]) - 1
    shows(page, k)


@pytest.mark.browser
def test_the_keyboard_focus_is_visible(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.keys import Keys

    page = Page(browser, pages["plain"])
    page.keys(Keys.TAB)
    page.keys(Keys.TAB, css=":focus")
    focused = page.js("const e = document.activeElement; const s = getComputedStyle(e);"
                      "return [e.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]")
    assert focused[0] in ("BUTTON", "DIV") and focused[1] == "solid" and focused[2] >= 2


@pytest.mark.browser
@pytest.mark.parametrize("width", [400, 1000, 1600])
def test_the_graph_stays_legible_at_any_width_and_zoom(
        browser: Any, pages: dict[str, Path], width: int) -> None:
    for name in ("plain", "mlp"):
        page = Page(browser, pages[name], width=width)
        assert page.smallest_text() >= 10, (name, width)
        for _ in range(12):       # as far out as the buttons go
            if page.find(".sg-zoom-out").is_enabled():
                page.click(".sg-zoom-out")
        assert page.smallest_text() >= 10
        page.js("document.querySelector('.sg-view').dispatchEvent(new WheelEvent('wheel', "
                "{deltaY: 2000, ctrlKey: true, clientX: 100, clientY: 300, bubbles: true, "
                "cancelable: true}))")      # a pinch out on a trackpad
        assert page.smallest_text() >= 10
        page.click(".sg-zoom-in")
        page.click(".sg-zoom-in")
        assert page.smallest_text() > 12
        page.click(".sg-fit")
        assert page.smallest_text() >= 10
        # Too wide to fit legibly: it scrolls, and says so.
        wide = page.js("const v = document.querySelector('.sg-view');"
                       "return v.scrollWidth > v.clientWidth")
        assert wide == ("scroll" in page.find(".sg-tools").text)


@pytest.mark.browser
def test_a_neuron_opens_and_closes(browser: Any, pages: dict[str, Path]) -> None:
    page = Page(browser, pages["mlp"])
    boxes = page.js("return document.querySelectorAll('.sg-view g[data-sg-box]').length")
    assert boxes == 16
    page.js("document.querySelector('.sg-view g[data-sg-box=\"3\"]').dispatchEvent("
            "new MouseEvent('click', {bubbles: true}))")
    assert page.find(".sg-view-1").get_attribute("aria-pressed") == "true"
    assert page.js("return document.querySelectorAll('.sg-view g[data-sg-box]').length") == 0
    page.js("document.querySelector('.sg-view g[data-sg-cluster=\"3\"]').dispatchEvent("
            "new MouseEvent('click', {bubbles: true}))")
    assert page.find(".sg-view-0").get_attribute("aria-pressed") == "true"


@pytest.mark.browser
def test_backward_frames_write_the_gradient_on_the_edges_it_came_back_along(
        browser: Any, pages: dict[str, Path]) -> None:
    page = Page(browser, pages["mlp"])
    s = Stepper(mlp())
    page.click(".sg-view-1")
    page.click(".sg-backward")
    for k in range(len(s.forward_steps), len(s.forward_steps) + 30):
        step = s.steps[k]
        labels = page.js("return [...document.querySelectorAll('.sg-elabel text')]"
                         ".map(t => t.textContent)")
        assert sorted(labels) == sorted(fmt(c) for _, c in step.sources), k
        page.click(".sg-next")


@pytest.mark.browser
@pytest.mark.parametrize("name, view", [("plain", 0), ("compact", 0), ("mlp", 0), ("mlp", 1)])
def test_a_gradient_on_an_edge_covers_no_node(browser: Any, pages: dict[str, Path], name: str,
                                              view: int) -> None:
    """Not the numbers of the node it reached (a compact graph's edges are shorter than
    their labels), nor any other node, in any backward frame."""
    page = Page(browser, pages[name])
    if view:
        page.click(".sg-view-1")
    page.click(".sg-backward")
    covered = page.js(
        "const out = [], next = document.querySelector('.sg-next');"
        "for (;;) {"
        "  const boxes = [...document.querySelectorAll('.sg-view svg g.node')].map("
        "    g => [g.querySelector('title').textContent, g.getBoundingClientRect()]);"
        "  const labels = [...document.querySelectorAll('.sg-view .sg-elabel rect')];"
        "  for (const l of labels.map(r => r.getBoundingClientRect()))"
        "    for (const [id, b] of boxes)"
        "      if (Math.min(l.right, b.right) - Math.max(l.left, b.left) > 1 &&"
        "          Math.min(l.bottom, b.bottom) - Math.max(l.top, b.top) > 1)"
        "        out.push([document.querySelector('.sg-status').textContent, id]);"
        "  if (next.disabled) break;"
        "  next.click(); }"
        "return out")
    assert covered == []


# --- the exercise -----------------------------------------------------------------------

@pytest.mark.browser
def test_no_answer_shows_before_it_is_asked_and_answered(
        browser: Any, pages: dict[str, Path]) -> None:
    s = Stepper(neuron())
    page = Page(browser, pages["exercise"])
    n_forward = len(s.forward_steps)
    shown = {fmt(step.value) for step in s.forward_steps}
    later = [fmt(b.upstream) for b in s.backward_steps]
    for k in range(len(s)):
        words = set(re.findall(r"-?\d[\d.e+-]*", page.visible()))
        j = k - n_forward
        settled = set(later[:j]) if j >= 0 else set()
        for answer in later[max(j, 0):]:
            if answer not in shown and answer not in settled:
                assert answer not in words, (k, answer)
        if j >= 0:
            assert page.find(".sg-question").text == f"∂L/∂{s.steps[k].name}"
            assert page.answer(later[j]).startswith("✓ Right")
            assert fmt(s.steps[k].upstream) in page.find(".sg-feedback").text
        if k + 1 < len(s):
            page.click(".sg-next")
    assert page.find(".sg-score").text == "Done: 12 of 12 right on the first try."


@pytest.mark.browser
def test_two_tries_then_the_answer(browser: Any, pages: dict[str, Path]) -> None:
    page = Page(browser, pages["exercise"])
    k = next(i for i, s in enumerate(STEPS) if s.kind == "backward" and s.name == "z")
    step = STEPS[k]
    shown = fmt(step.upstream)
    page.keys(*["\ue014"] * k)       # → k times
    assert page.status() == f"step {k + 1} of 24 (backward)"
    assert page.text().startswith("z = s + b: ∂L/∂z = ?  (from a)")
    assert page.current() == ["z", f"data {fmt(step.node.data)}", "grad ?"]

    feedback = page.answer("0.5")
    assert feedback.startswith("✗ Not quite: you typed 0.5. One more try.")
    assert shown not in page.visible() and page.find(".sg-answer").is_enabled()
    assert page.answer("minus a half") == "Type a number, such as -0.75, 0.5 or 3e-4."
    feedback = page.answer("0.25")
    assert feedback == f"✗ Not quite: you typed 0.25; ∂L/∂z = {shown}"
    assert page.current()[-1] == f"grad {shown}"           # the picture shows it now
    reveal = page.find(".sg-reveal").text
    assert reveal.startswith(f"z: ∂L/∂z = {shown}") and "∂a/∂z = 1 − tanh²(z)" in reveal
    assert not page.find(".sg-answer").is_enabled()
    page.click(".sg-prev")
    page.click(".sg-next")   # back again: the answer and the verdict are remembered
    assert page.find(".sg-answer").get_attribute("value") == "0.25"
    assert page.find(".sg-feedback").text == feedback
    assert page.find(".sg-score").text == "So far 0 of 12 right on the first try (1 answered)."


@pytest.mark.browser
@pytest.mark.parametrize("typed, right", [
    ("-0.502", True), ("−0.502", True), ("-5.02e-1", True), ("-0.5022", True),
    ("- 0.502", True), ("-0,502", True), ("-0.503", False), ("-0.50", False),
    ("-0.5", False), ("0.502", False)])
def test_three_significant_digits_are_enough(browser: Any, pages: dict[str, Path],
                                             typed: str, right: bool) -> None:
    page = Page(browser, pages["exercise"])
    k = next(i for i, s in enumerate(STEPS) if s.kind == "backward" and s.name == "z")
    assert fmt(STEPS[k].upstream) == "-0.5022"
    page.keys(*["\ue014"] * k)
    assert page.answer(typed).startswith("✓ Right") == right


@pytest.mark.browser
def test_what_is_not_a_number_is_asked_again_without_costing_a_try(
        browser: Any, pages: dict[str, Path]) -> None:
    page = Page(browser, pages["exercise"])
    page.click(".sg-backward")
    for typed in ["0x1", "1_0", "inf", "nan", "1/2", "", "e5", "--1", "1,000"]:
        # (each after another kind of refusal, so that each answer's own feedback shows)
        assert page.answer("1e400").startswith("That number is beyond the largest float")
        assert page.answer(typed) == "Type a number, such as -0.75, 0.5 or 3e-4.", typed
    assert page.answer("1") == "✓ Right: ∂L/∂L = 1"   # still the first try
    assert page.find(".sg-score").text.startswith("So far 1 of 12 right on the first try")


@pytest.mark.browser
def test_zero_is_right_for_a_gradient_at_rounding_level(browser: Any,
                                                         pages: dict[str, Path]) -> None:
    x = Value(1.0, label="x")
    s = Stepper(x * 0.1 + x * 0.2 - x * 0.3)
    assert 0 < abs(s.backward_steps[-1].upstream) < 1e-15   # 0.1 + 0.2 - 0.3 in floats
    page = Page(browser, pages["zero"])
    page.click(".sg-backward")
    page.keys(*["\ue014"] * (len(s.backward_steps) - 1))
    assert page.find(".sg-question").text == s.backward_steps[-1].derivative("x")
    assert page.answer("0") == (f"✓ Right: {s.backward_steps[-1].derivative('x')} = "
                                f"{s.backward_steps[-1].grad_after:.4g}, which is 0 but for "
                                f"the floats' rounding")


@pytest.mark.browser
def test_enter_checks_then_goes_on_and_a_new_question_has_the_focus(
        browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.keys import Keys

    page = Page(browser, pages["exercise"])
    page.click(".sg-backward")
    page.find(".sg-answer").send_keys("1", Keys.ENTER)
    assert page.find(".sg-feedback").text == "✓ Right: ∂L/∂L = 1"
    page.browser.switch_to.active_element.send_keys(Keys.ENTER)     # on to the next one
    assert page.status() == "step 14 of 24 (backward)"
    assert page.js("return document.activeElement.className") == "sg-answer"
    page.browser.switch_to.active_element.send_keys("-0.7913", Keys.SHIFT + Keys.ENTER)
    assert page.find(".sg-feedback").text.startswith("✓ Right")


@pytest.mark.browser
def test_play_stops_at_an_unanswered_question(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    page = Page(browser, pages["exercise"])
    page.keys(*[Keys.ARROW_RIGHT] * 9)
    Select(page.find(".sg-speed")).select_by_value("8")
    page.click(".sg-play")
    page.wait.until(lambda _: "play" in page.find(".sg-play").text)
    assert page.status() == "step 13 of 24 (backward)"  # the first question: ∂L/∂L
    assert page.find(".sg-question").text == "∂L/∂L"


# --- pages in notebooks and without scripts ----------------------------------------------

@pytest.mark.browser
def test_without_scripts_and_styles_the_browser_shows_one_picture(
        browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.by import By

    resize(browser, 1000)
    browser.get(pages["static"].as_uri())
    (image,) = browser.find_elements(By.TAG_NAME, "img")
    assert image.size["width"] > 1000 and browser.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", image)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "step 12 of 24 (forward)" in body and str(STEPS[11]) in body
    assert "scroll sideways" in body
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


@pytest.mark.browser
def test_in_jupyterlab_the_step_text_breaks_lines_between_words(
        browser: Any, pages: dict[str, Path]) -> None:
    page = Page(browser, pages["lab"], width=500)
    page.click(".sg-backward")
    page.click(".sg-next")
    text = page.find(".sg-text")
    assert page.js("return getComputedStyle(arguments[0]).wordBreak", text) == "normal"
    lines = page.js(   # the rendered lines, each from the start of a word
        "const r = document.createRange(), t = arguments[0].firstChild, starts = [];"
        "let top = null;"
        "for (let i = 0; i < t.length; i++) { r.setStart(t, i); r.setEnd(t, i + 1);"
        "  const y = r.getBoundingClientRect().top;"
        "  if (top !== null && y > top + 2) starts.push(i);"
        "  top = y; }"
        "return starts.map(i => [t.data[i - 1], t.data[i]])", text)
    assert len(lines) > 1 and all(before in " \n" for before, _ in lines), lines


@pytest.mark.browser
def test_a_saved_output_without_its_script_does_not_stop_a_fresh_one(
        browser: Any, pages: dict[str, Path]) -> None:
    browser.get_log("browser")   # empty it of what earlier pages said
    page = Page(browser, pages["after"])
    page.click(".sg-backward")
    assert page.find(".sg-question").text == "∂L/∂L"
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


@pytest.mark.browser
def test_no_console_message_and_no_request_but_the_page(browser: Any,
                                                        pages: dict[str, Path]) -> None:
    browser.get_log("browser")   # empty it
    for name in ("plain", "exercise", "mlp"):
        page = Page(browser, pages[name])
        page.click(".sg-play")
        page.click(".sg-backward")
        page.click(".sg-zoom-in")
        page.click(".sg-fit")
        if name == "exercise":
            page.answer("1")
    assert browser.get_log("browser") == []
    requests = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert requests == []
