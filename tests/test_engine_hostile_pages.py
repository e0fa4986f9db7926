"""Hostile input for the drawings, the step texts and the step-through page.

Stale graphs, labels that look like the drawing's own fields, labels holding line breaks,
control characters or entities, absurd ``digits`` and unwritable paths: each is shown
faithfully or refused by name.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import engine.viz.page
from engine import Stepper, Value, backprop_steps, draw_dot, forward_steps

SVG = "{http://www.w3.org/2000/svg}"


def page_data(page: str) -> dict[str, Any]:
    """The page's data, unpacked as its script unpacks it."""
    found = re.search(r'<script type="application/json" class="sg-frames">(.*?)</script>',
                      page, re.S)
    assert found is not None
    packed = json.loads(found.group(1))["data"]
    out: dict[str, Any] = json.loads(gzip.decompress(base64.b64decode(packed)))
    return out


def drawings(page: str) -> list[str]:
    """Every drawing of a page: its static picture, and the ones its script shows."""
    (static,) = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    return [base64.b64decode(static).decode("utf-8")] + [
        view["svg"] for view in page_data(page)["views"]]


def texts(svg: str, node: str) -> list[str]:
    """The texts of one node of a drawing, by its id."""
    (found,) = [[t.text or "" for t in g.iter(f"{SVG}text")]
                for g in ET.fromstring(svg).iter(f"{SVG}g")
                if g.get("class") == "node" and g.findtext(f"{SVG}title") == node]
    return found


# --- a stepper shows the pass it recorded, even after a leaf's data changes ---------------

def test_a_stepper_draws_the_numbers_of_its_own_steps_after_a_leaf_changes() -> None:
    x = Value(2.0, label="x")
    y = x * -3.0
    s = Stepper(y)
    x.data = 5.0  # as one training step would, after the stepper was built
    assert s.goto(1).explain().endswith("n1 = x * (-3) = 2 * (-3) = -6")
    for k in range(len(s)):
        source = s.goto(k).draw().source
        assert "data 5" not in source and "x|data 2" in source, k
    assert "n1|data -6" in s.goto(1).draw().source


def test_a_stepper_draws_the_names_of_its_own_steps_after_a_label_changes() -> None:
    x = Value(2.0, label="x")
    s = Stepper(x * -3.0)
    x.label = "renamed"   # the texts keep "x": so does the picture
    assert s.goto(1).explain().endswith("n1 = x * (-3) = 2 * (-3) = -6")
    for k in range(len(s)):
        source = s.goto(k).draw().source
        assert "renamed" not in source and "x|data 2" in source, k


@pytest.mark.usefixtures("needs_dot")
def test_the_page_of_a_stepper_built_before_a_change_shows_the_recorded_numbers() -> None:
    x = Value(2.0, label="x")
    s = Stepper(x * -3.0)
    x.data = 5.0
    page = s.to_html()
    assert [node[0] for node in page_data(page)["nodes"]] == ["2", "-6"]
    for svg in drawings(page):
        assert ">data 5<" not in svg and ">data 2<" in svg


# --- the exercise page hides the gradient field, whatever the labels say ------------------

@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("label", ["grad 1", "grad", "data 2", "grad ?", "  ", "6"])
@pytest.mark.parametrize("rankdir, compact", [("LR", False), ("RL", False), ("TB", True)])
def test_the_exercise_hides_the_gradient_field_not_a_label_that_looks_like_one(
        label: str, rankdir: str, compact: bool) -> None:
    a = Value(2.0, label=label)
    s = Stepper(a * 3.0, rankdir=rankdir, compact=compact)
    page = s.to_html(exercise=True)
    static, *views = drawings(page)
    assert texts(static, "v0") == [label, "data 2", ""] or not label.strip()
    for svg in views:   # the layout: the widest gradient's room, filled with no number
        name, data, grad = texts(svg, "v0")[-3:]
        assert data == "data 2" and re.fullmatch(r"grad 0+", grad)
        assert name == label or not label.strip()
    assert [node[0] for node in page_data(page)["nodes"]] == ["2", "6"]


# --- the answer shown does not depend on line breaks in labels ----------------------------

@pytest.mark.usefixtures("needs_dot")
def test_the_answer_lists_the_products_sent_to_a_node_whose_label_has_a_line_break() -> None:
    a, b = Value(2.0, label="a\nb"), Value(3.0, label="b")
    s = Stepper(a * b + a)
    (j,) = [j for j, step in enumerate(s.backward_steps) if step.node is a]
    data = page_data(s.to_html(exercise=True))
    key = (data["key"] ^ ((j + 1) * 0x9E3779B1)) % 2**32
    assert engine.viz.page.seal(
        "a\nb: " + s.backward_steps[j].gradient_line() + "\nFrom the nodes that use it:\n"
        "  ∂n3/∂a\nb = 1 → ∂n3/∂a\nb += 1 × 1 = 1\n"
        "  ∂n2/∂a\nb = b = 3 → ∂n3/∂a\nb += 3 × 1 = 3", key) == data["asks"][j][3]


# --- save_html: a bad path is named, and found before the page is built -------------------

@pytest.mark.parametrize("where", ["missing/page.html", "."])
def test_save_html_refuses_a_bad_path_before_drawing_any_frame(
        where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_: Any, **__: Any) -> str:
        raise AssertionError("the page was built for a path that cannot be written")

    monkeypatch.setattr(engine.viz.page, "stepper_page", never)
    with pytest.raises(OSError, match=r"^Stepper.save_html: path must be "):
        Stepper(Value(1.0) * 2).save_html(tmp_path / where)


# --- labels are drawn as they are written -------------------------------------------------

@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("label", ["&amp;", "&#x41;", "a & b", "&lt;x&gt;", "&", "&#0;"])
def test_labels_with_entities_are_drawn_literally(label: str, parse_svg: Any) -> None:
    nodes, _ = parse_svg(draw_dot(Value(1.0, label=label) * 2).svg())
    assert nodes["v0"]["texts"][0] == label


@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("code", [*range(0, 10), *range(11, 32), 127])
def test_control_characters_in_labels_are_drawn_visibly(code: int, parse_svg: Any) -> None:
    label = f"a{chr(code)}b"
    nodes, _ = parse_svg(draw_dot(Value(1.0, label=label) * 2).svg())
    text = nodes["v0"]["texts"][0]
    assert text.startswith("a") and text.endswith("b") and len(text) == 3, repr(text)
    assert text[1].isprintable() and not text[1].isspace(), repr(text)


@pytest.mark.usefixtures("needs_dot")
def test_a_stepper_page_with_a_null_byte_in_a_label_renders() -> None:
    page = Stepper(Value(1.0, label="\x00") * 2).to_html(exercise=True)
    assert all(texts(svg, "v0")[0] == "␀" for svg in drawings(page))
    assert "\x00" in page_data(page)["steps"][0][0]   # the text keeps it; the page shows it


# --- digits: 17 show any float exactly ----------------------------------------------------

def test_seventeen_digits_show_a_float_exactly() -> None:
    y = Value(0.1, label="x") * 3
    assert "data 0.30000000000000004" in draw_dot(y, digits=17).source
    assert str(list(forward_steps(y, digits=17))[-1]).endswith("= 0.30000000000000004")


# --- text details -------------------------------------------------------------------------

def test_an_error_message_shows_minus_zero_as_zero() -> None:
    with pytest.raises(ValueError, match=r"^log: expected x > 0, got x = 0$"):
        Value(-0.0).log()


def test_a_negative_gradient_term_among_several_is_bracketed() -> None:
    c = Value(0.0, label="c")
    *_, leaf = backprop_steps(c - c)
    assert "∂n1/∂c = 1 + (-1) = 0  (one term per use: n1, n1)" in str(leaf)
    d = Value(0.0, label="d")
    *_, leaf = backprop_steps(d * -1.0 + d)
    assert "∂n2/∂d = 1 + (-1) = 0  (one term per use: n2, n1)" in str(leaf)
    e = Value(1.0, label="e")
    *_, leaf = backprop_steps(e * -2.0 * e)  # the first term stands first: no bracket
    assert "∂n2/∂e = -2 + (-2) = -4  (one term per use: n2, n1)" in str(leaf)


# --- hostile labels in a real browser ----------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>',
           "</script><script>alert(3)</script>", "q\"uote's", "a&b &amp; &lt;", "nul\x00byte",
           "{rec|ord}<port>", "line\nbreak", "<!--", "]]>", "__FRAMES__"]


@pytest.mark.browser
@pytest.mark.usefixtures("needs_dot")
def test_hostile_labels_show_as_written_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.support.ui import WebDriverWait

    leaves = [Value(float(i + 1), label=label) for i, label in enumerate(HOSTILE)]
    root = leaves[0]
    for leaf in leaves[1:]:
        root = root * 0.5 + leaf
    root.label = "<img src=x onerror=alert(9)>"
    path = Stepper(root).save_html(tmp_path / "hostile.html", exercise=True)
    browser.get(path.as_uri())
    WebDriverWait(browser, 20).until(lambda b: b.execute_script(
        "return document.querySelector('.stepgrad-stepper').dataset.ready === 'playing'"))
    seen = browser.execute_script(
        "const out = [], next = document.querySelector('.sg-next');"
        "do {"
        "  const give = document.querySelector('.sg-give-up');"
        "  if (give && !give.disabled) give.click();"
        "  out.push(document.querySelector('.sg-text').textContent + ' ' + [...document"
        "    .querySelectorAll('.sg-view svg text')].map(t => t.textContent).join(' '));"
        "  next.click();"
        "} while (!next.disabled);"
        "return out.join(' ')")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text   # noqa: B018 (reading it is the check)
    assert browser.execute_script("return document.querySelectorAll('img, [onerror]').length") \
        == 0
    assert browser.title == "Stepping through <img src=x onerror=alert(9)>"
    for label in HOSTILE:
        drawn = label.replace("\x00", "␀").replace("\n", " ")
        assert label in seen and drawn in seen, label
