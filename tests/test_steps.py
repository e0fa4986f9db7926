"""forward_steps, backprop_steps and the Stepper: order, one node at a time, the numbers."""

from __future__ import annotations

import math
import re
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import Graph, expression_graphs

from engine import Rule, Value, apply, grad, topological_order
from engine.ops import OPS
from engine.viz.draw import DONE_FILL, HIGHLIGHT_FILL
from engine.viz.stepper import Stepper
from engine.viz.steps import (
    BackwardStep,
    ForwardStep,
    backprop_steps,
    forward_steps,
    trace,
    trace_backward,
    trace_forward,
)
from engine.viz.text import fmt, node_names


def graph_of(graph: Graph) -> Value:
    """The shared random expression (tests/strategies.py) built on fresh labelled leaves."""
    return graph.build(*(Value(x, label=f"x{i}") for i, x in enumerate(graph.xs)))


def svg_nodes(parse_svg: Any, svg: str) -> dict[str, tuple[list[str], set[str | None]]]:
    """Each drawn node's texts and fill colours, by node id."""
    return {k: (n["texts"], n["fills"]) for k, n in parse_svg(svg)[0].items()}



# --- forward ----------------------------------------------------------------------------

def test_forward_steps_follow_topological_order_and_show_the_numbers() -> None:
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    a = (x * w + 1).tanh()
    steps = list(forward_steps(a))
    order = topological_order(a)
    assert [s.node for s in steps] == order
    assert all(isinstance(s, ForwardStep) and s.kind == "forward" for s in steps)
    assert [s.index for s in steps] == list(range(len(order)))
    assert str(steps[0]) == "x = 2  (a leaf: given, not computed)"
    assert str(steps[2]) == "n2 = x * w = 2 * (-3) = -6"
    assert str(steps[3]) == "n3 = n2 + 1 = -6 + 1 = -5"
    assert str(steps[4]) == f"n4 = tanh(n3) = tanh(-5) = {fmt(a.data)}"
    assert steps[4].value == a.data and steps[4].formula == "tanh(x)"


def test_forward_steps_bring_the_graph_up_to_date_one_node_at_a_time() -> None:
    x = Value(1.0, label="x")
    y = x * 3
    z = y.exp()
    x.data = 2.0  # changed after the graph was built
    steps = forward_steps(z)
    next(steps)
    assert y.data == 3.0  # nothing recomputed yet beyond the leaf
    next(steps)
    assert y.data == 6.0
    assert z.data == Value(3.0).exp().data  # z not yet recomputed
    next(steps)
    assert z.data == Value(6.0).exp().data
    with pytest.raises(StopIteration):
        next(steps)


@given(expression_graphs())
def test_replaying_an_unchanged_graph_reproduces_every_number_exactly(graph: Graph) -> None:
    root = graph_of(graph)
    before = [v.data for v in topological_order(root)]
    values = [step.value for step in forward_steps(root)]
    assert values == before == [v.data for v in topological_order(root)]


def test_forward_steps_report_domain_errors_by_name() -> None:
    x = Value(2.0)
    y = x.log()
    x.data = -1.0
    with pytest.raises(ValueError, match="log"):
        list(forward_steps(y))


# --- backward ---------------------------------------------------------------------------

@given(expression_graphs())
def test_backprop_steps_go_from_root_to_leaves_applying_one_node_at_a_time(graph: Graph) -> None:
    root = graph_of(graph)
    order = topological_order(root)
    expected = dict(zip(order, grad(root, order)))
    steps = backprop_steps(root)
    seen: list[Value] = []
    for step in steps:
        assert isinstance(step, BackwardStep) and step.kind == "backward"
        seen.append(step.node)
        assert step.node.grad == expected[step.node] == step.upstream
        for v in order:  # nodes not reached yet are untouched
            if v not in seen:
                assert v.grad == 0.0
    assert seen == order[::-1]


@given(expression_graphs(), st.sampled_from([1.0, -0.5, 3.0]))
def test_exhausting_backprop_steps_equals_backward(graph: Graph, seed_grad: float) -> None:
    root = graph_of(graph)
    order = topological_order(root)
    for step in backprop_steps(root, grad=seed_grad):
        # the contribution sent to each input is its local derivative times the upstream
        for t in step.terms:
            assert t.contribution == t.local * step.upstream
    stepped = [v.grad for v in order]
    for v in order:
        v.grad = 0.0
    root.backward(seed_grad)
    assert stepped == [v.grad for v in order]


def test_a_second_pass_accumulates_and_says_so() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.backward()
    last = list(backprop_steps(y))[-1]
    assert x.grad == 12.0
    assert last.grad_before == 6.0 and last.grad_after == 12.0
    assert "x.grad += 6 → 12" in str(last)


def test_step_text_shows_the_chain_rule_with_the_numbers() -> None:
    x, w = Value(0.5, label="x"), Value(2.0, label="w")
    a = (x * w).tanh()
    a.label = "a"
    first, second, *leaves = backprop_steps(a)
    local = 1 - a.data**2
    assert str(first) == (
        "a = tanh(n2): ∂a/∂a = 1  (the seed); a.grad += 1\n"
        f"  ∂a/∂n2 = 1 − tanh²(n2) = 1 − tanh²(1) = {fmt(local)} → ∂a/∂n2 += "
        f"{fmt(local)} × 1 = {fmt(local)}"
    )
    assert first.terms[0].formula == "1 − tanh²(x)"
    assert first.terms[0].local == local
    text = str(second)
    assert text.startswith(f"n2 = x * w: ∂a/∂n2 = {fmt(local)}  (from a); n2.grad += ")
    assert f"∂n2/∂x = w = 2 → ∂a/∂x += 2 × {fmt(local)} = {fmt(2 * local)}" in text
    assert f"∂n2/∂w = x = 0.5 → ∂a/∂w += 0.5 × {fmt(local)} = {fmt(0.5 * local)}" in text
    assert [str(s).split(" ")[0] for s in leaves] == ["w", "x"]
    assert all("leaf, gradient final" in str(s) for s in leaves)
    assert f"x.grad += {fmt(x.grad)}" in str(leaves[1])


def test_a_reused_node_sums_one_term_per_use() -> None:
    x = Value(2.0, label="x")
    y = x * 3 + x.exp()
    y.label = "y"
    steps = list(backprop_steps(y))
    leaf = steps[-1]
    assert leaf.node is x
    assert [name for name, _ in leaf.sources] == ["n2", "n1"]  # in the order they arrive
    parts = " + ".join(fmt(c) for _, c in leaf.sources)
    assert f"∂y/∂x = {parts} = {fmt(x.grad)}  (one term per use:" in str(leaf)
    assert sum(c for _, c in leaf.sources) == x.grad


def test_unlabelled_nodes_get_stable_names_by_topological_index() -> None:
    a = Value(1.0)
    b = (a * 2).tanh()
    names = [s.name for s in forward_steps(b)]
    assert names == ["n0", "n1", "n2"]
    assert names == list(node_names(topological_order(b)).values())
    assert [s.name for s in backprop_steps(b)] == names[::-1]


def _node_of(rule: Rule, c: float = 2.0) -> tuple[Value, tuple[Value, ...]]:
    inputs = (Value(0.7, label="p"), Value(1.3, label="q"))[: rule.arity]
    out = apply(rule, *inputs, c=c if rule.args == "x, c" else None)
    out.label = "o"
    return out, inputs


@pytest.mark.parametrize("rule", OPS, ids=lambda r: f"{r.name}:{r.text}")
def test_every_row_explains_itself_from_the_table(rule: Rule) -> None:
    out, inputs = _node_of(rule)
    forward = list(forward_steps(out))[-1]
    assert forward.formula == rule.text
    assert str(forward).endswith(f"= {fmt(out.data)}")
    step = next(backprop_steps(out))
    assert len(step.terms) == rule.arity
    text = str(step)
    for term, formula in zip(step.terms, rule.formulas):
        assert term.formula == formula
        assert f"∂o/∂{term.name} = " in text
        product = f"{fmt(term.local)} × 1" if term.local >= 0 else f"({fmt(term.local)}) × 1"
        assert f"= {fmt(term.local)} → ∂o/∂{term.name} += {product}" in text
    assert [t.local for t in step.terms] == grad(out, list(inputs))


def test_a_new_row_explains_itself_without_touching_the_stepper() -> None:
    cube = Rule("cube", "x", "x³", "x ** 3", ("3.0 * x * x",), ("3·x²",), "³")
    u = Value(2.0, label="u")
    v = apply(cube, u)
    v.label = "v"
    assert str(list(forward_steps(v))[-1]) == "v = u³ = 2³ = 8"
    assert "∂v/∂u = 3·u² = 3·2² = 12 → ∂v/∂u += 12 × 1 = 12" in str(next(backprop_steps(v)))


def test_negative_numbers_are_bracketed_where_needed() -> None:
    x, y = Value(-2.0, label="x"), Value(-3.0, label="y")
    assert str(list(forward_steps(x - y))[-1]) == "n2 = x - y = -2 - (-3) = 1"
    text = str(next(backprop_steps(x * y, grad=-0.5)))
    assert "∂n2/∂x = y = -3 → ∂n2/∂x += (-3) × (-0.5) = 1.5" in text
    assert str(list(forward_steps(x.relu()))[-1]) == "n1 = max(0, x) = max(0, -2) = 0"


def test_a_negative_number_is_bracketed_before_a_power_and_after_any_operator() -> None:
    e = Value(-0.3956, label="e")
    loss = e**2
    loss.label = "L"
    assert str(list(forward_steps(loss))[-1]) == "L = e ** 2 = (-0.3956) ** 2 = 0.1565"
    x, y = Value(-2.0, label="x"), Value(-3.0, label="y")
    assert str(list(forward_steps(x * y))[-1]) == "n2 = x * y = -2 * (-3) = 6"
    assert str(list(forward_steps(1 - x))[-1]) == "n1 = 1 - x = 1 - (-2) = 3"
    assert str(list(forward_steps(-1 - x))[-1]) == "n1 = -1 - x = -1 - (-2) = 1"
    assert str(list(forward_steps(x**-1))[-1]) == "n1 = x ** (-1) = (-2) ** (-1) = -0.5"
    assert str(list(forward_steps(abs(x)))[-1]) == "n1 = |x| = |-2| = 2"
    assert str(list(forward_steps(x.tanh()))[-1]).startswith("n1 = tanh(x) = tanh(-2) = ")


# What a step's formula may call, as Python: every row of one input by its name (its own
# forward, so a new row needs nothing here), and the reader's symbols of the table's texts.
_MATH = {
    **{row.name: row.f for row in OPS if row.args == "x" and row.name.isidentifier()},
    "sign": lambda v: float((v > 0) - (v < 0)), "max": max, "π": math.pi,
    "Φ": lambda v: 0.5 * math.erfc(-v / math.sqrt(2.0)),
    "φ": lambda v: math.exp(-0.5 * v * v) / math.sqrt(2.0 * math.pi),
    "__builtins__": {},
}


def as_python(text: str) -> str:
    """A step's formula, written with the table's maths symbols, as Python."""
    text = text.replace("·", " * ").replace("−", "-").replace("σ", "sigmoid")
    text = re.sub(r"\|([^|]*)\|", r"abs(\1)", text)
    text = re.sub(r"([a-z]+)²(\([^()]*\))", r"(\1\2 ** 2)", text)  # tanh²(x)
    return text.replace("²", " ** 2")


NEGATIVE_CASES = [(x, y, c) for x in (-0.3956, -2.0, 1.5) for y in (-3.0, 0.5)
                  for c in (2.0, -1.5, -1.0)]


@pytest.mark.parametrize("rule", OPS, ids=lambda r: f"{r.name}:{r.text}")
def test_substituted_formulas_are_correct_python_with_negative_numbers(rule: Rule) -> None:
    checked = 0
    for x, y, c in NEGATIVE_CASES:
        inputs = (Value(x, label="p"), Value(y, label="q"))[: rule.arity]
        try:
            out = apply(rule, *inputs, c=c if rule.args == "x, c" else None)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue  # outside the row's domain
        value = out.data
        out.label = "o"
        # 17 significant digits: the text holds each float exactly.
        forward = list(forward_steps(out, digits=17))[-1]
        assert eval(as_python(forward.numbers), _MATH) == pytest.approx(value), forward.numbers
        try:
            step = next(backprop_steps(out, digits=17))
        except ZeroDivisionError:
            continue  # an infinite derivative (sqrt at 0): no formula to check
        for term in step.terms:
            assert eval(as_python(term.numbers), _MATH) == pytest.approx(term.local), \
                term.numbers
        checked += 1
    assert checked >= 3  # every row has a few cases with a negative number in its domain


# --- the Stepper ------------------------------------------------------------------------

def small() -> tuple[Value, Value, Value]:
    x, w = Value(0.5, label="x"), Value(2.0, label="w")
    a = (x * w).tanh()
    a.label = "a"
    return x, w, a


def test_stepper_walks_all_forward_then_all_backward_steps() -> None:
    x, w, a = small()
    s = Stepper(a)
    n = len(topological_order(a))
    assert len(s) == 2 * n and s.k == 0
    kinds = [s.goto(k).step.kind for k in range(len(s))]
    assert kinds == ["forward"] * n + ["backward"] * n
    texts = [str(s.goto(k).step) for k in range(len(s))]
    assert texts[:n] == [str(t) for t in forward_steps(a)]
    assert x.grad == w.grad == a.grad == 0.0  # the stepper only shows
    assert texts[n:] == [str(t) for t in backprop_steps(a)]


def test_stepper_moves_forward_and_back() -> None:
    *_, a = small()
    s = Stepper(a)
    assert s.next().k == 1 and s.next().k == 2 and s.prev().k == 1
    assert s.goto(-1).k == len(s) - 1 and s.goto(3).k == 3
    assert s.explain().startswith(f"step 4 of {len(s)} (forward): ")
    with pytest.raises(IndexError, match="last step"):
        s.goto(len(s) - 1).next()
    with pytest.raises(IndexError, match="first step"):
        s.goto(0).prev()
    with pytest.raises(IndexError, match=f"there are {len(s)} steps"):
        s.goto(len(s))
    with pytest.raises(TypeError, match="k must be a whole number"):
        s.goto("2")  # type: ignore[arg-type]
    assert s.k == 0


@pytest.mark.usefixtures("needs_dot")
def test_stepper_drawing_in_the_forward_phase(parse_svg: Any) -> None:
    *_, a = small()
    s = Stepper(a).goto(2)  # x and w given, n2 = x * w just computed
    nodes = svg_nodes(parse_svg, s.draw().svg())
    assert nodes["v0"] == (["x", "data 0.5"], {DONE_FILL})
    assert nodes["v1"] == (["w", "data 2"], {DONE_FILL})
    assert nodes["v2"] == (["n2", "data 1"], {HIGHLIGHT_FILL})
    assert nodes["v3"][0] == ["a", "data ?"]
    assert not any(t.startswith("grad") for texts, _ in nodes.values() for t in texts)


@pytest.mark.usefixtures("needs_dot")
def test_stepper_drawing_in_the_backward_phase_shows_grads_once_known(parse_svg: Any) -> None:
    *_, a = small()
    s = Stepper(a)
    n = len(s) // 2
    expected = dict(zip(topological_order(a), grad(a, topological_order(a))))
    order = topological_order(a)
    for j in range(n):
        nodes = svg_nodes(parse_svg, s.goto(n + j).draw().svg())
        current = order[::-1][j]
        for i, v in enumerate(order):
            texts, fills = nodes[f"v{i}"]
            assert f"data {fmt(v.data)}" in texts
            known = order.index(v) >= order.index(current)
            assert (f"grad {fmt(expected[v])}" in texts) == known
            assert ("grad ?" in texts) == (not known)
            if v is current:
                assert fills == {HIGHLIGHT_FILL}
            elif known:
                assert fills == {DONE_FILL}


@pytest.mark.usefixtures("needs_dot")
def test_stepper_html_shows_the_explanation_and_the_picture(
        monkeypatch: pytest.MonkeyPatch) -> None:
    *_, a = small()
    s = Stepper(a).goto(5)
    page = s._repr_html_()
    assert 'src="data:image/svg+xml;base64,' in page and "step 6 of 8 (backward)" in page
    assert "∂a/∂n2" in page
    monkeypatch.setenv("PATH", "")
    page = s._repr_html_()
    assert "data:image/svg+xml" not in page and "apt-get install graphviz" in page


def test_stepper_refuses_a_big_graph_up_front_with_the_override() -> None:
    y = Value(1.0)
    for _ in range(20):
        y = y * 1.5
    with pytest.raises(ValueError, match=r"Stepper: the graph has 21 Values, more than "
                                         r"max_nodes=10.*max_nodes=None"):
        Stepper(y, max_nodes=10)
    assert len(Stepper(y, max_nodes=None)) == 42


def test_stepper_is_a_viewer_it_never_changes_data() -> None:
    a = Value(1.0, label="a")
    b = a * 2
    a.data = 5.0  # the graph is now out of date: b was computed from a = 1
    with pytest.raises(ValueError, match=r"Stepper: the graph is out of date: n1.data is 2 "
                                         r"but its inputs now give 10"):
        Stepper(b)
    assert b.data == 2.0
    c = a * 3
    s = Stepper(c)
    assert [step.value for step in s.forward_steps] == [5.0, 15.0]
    assert (a.data, c.data, a.grad, c.grad) == (5.0, 15.0, 0.0, 0.0)


@pytest.mark.usefixtures("needs_dot")
def test_widget_is_built_headless_and_drives_the_stepper() -> None:
    pytest.importorskip("ipywidgets")
    *_, a = small()
    s = Stepper(a)
    box = s.widget()
    back, slider, on = box.children[0].children
    view = box.children[1]
    # The slider counts as the text does: "step 1 of 8" is 1, the last step is 8.
    assert slider.min == 1 and slider.max == len(s) and slider.value == 1
    assert "step 1 of 8" in view.value
    slider.value = 6
    assert s.k == 5 and "step 6 of 8 (backward)" in view.value
    assert "data:image/svg+xml" in view.value
    on.click()
    assert s.k == 6 and slider.value == 7 and "step 7 of 8" in view.value
    back.click()
    back.click()
    assert s.k == 4 and slider.value == 5 and "step 5 of 8" in view.value
    slider.value = 8
    on.click()  # at the end: stays
    assert s.k == 7 and slider.value == 8
    assert Stepper(a).goto(3).widget().children[0].children[1].value == 4


def test_widget_tells_a_viewer_without_a_kernel_what_it_is() -> None:
    widgets = pytest.importorskip("ipywidgets")
    *_, a = small()
    box = Stepper(a).widget()
    assert isinstance(box, widgets.VBox)
    bundle = box._repr_mimebundle_()
    assert bundle["text/plain"] == ("[interactive stepper: run this notebook in Jupyter to "
                                    "use the controls]")
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live widget too
    assert repr(box) == bundle["text/plain"] and "VBox" not in repr(box)


def test_widget_without_ipywidgets_says_how_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    *_, a = small()
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        Stepper(a).widget()


def test_stepper_shows_this_pass_alone_even_after_earlier_backward() -> None:
    x = Value(3.0, label="x")
    q = x * x
    q.label = "q"
    q.backward()  # x.grad is already 6 before the stepper is made
    stepper = Stepper(q)
    last = stepper.goto(len(stepper) - 1).step
    assert isinstance(last, BackwardStep)
    assert last.grad_before == 0.0 and last.grad_after == 6.0
    assert "→" not in str(last)
    assert x.grad == 6.0  # untouched


def test_a_formula_written_as_a_product_of_a_number_and_a_letter_reads_as_one() -> None:
    # A row of one's own may write 3x² for 3·x²: the step text must not show 31.5².
    cube = Rule("cube", "x", "x³", "x * x * x", ("3.0 * x * x",), ("3x²",), "³")
    text = str(next(backprop_steps(apply(cube, Value(1.5, label="x")))))
    assert "3x² = 3·1.5² = 6.75" in text


# --- the pure trace the iterators, the Stepper and the pages read ------------------------

@given(expression_graphs(), st.sampled_from([1.0, -0.5]))
def test_the_trace_changes_nothing_and_is_what_the_iterators_apply(graph: Graph,
                                                                  seed: float) -> None:
    root = graph_of(graph)
    order = topological_order(root)
    before = [(v.data, v.grad) for v in order]
    recorded = trace(root, seed)
    assert [(v.data, v.grad) for v in order] == before      # read, never written
    assert [str(s) for s in trace_forward(root)] == [str(s) for s in recorded.forward]
    assert [(v.data, v.grad) for v in order] == before
    applied = list(backprop_steps(root, grad=seed))
    assert [str(s) for s in applied] == [str(s) for s in recorded.backward]
    assert [s.upstream for s in applied] == [s.upstream for s in trace_backward(root, seed)]
    assert [str(s) for s in forward_steps(root)] == [str(s) for s in recorded.forward]


def test_what_each_step_shows() -> None:
    *_, a = small()
    t = trace(a)
    n = len(t.forward)
    for k in range(len(t)):
        shown = t.shown(k)
        assert shown.current is t.steps[k].node
        assert set(shown.data) == set(t.order[: min(k, n - 1) + 1])
        if k < n:
            assert shown.kind == "forward" and not shown.grads and not shown.arrivals
            assert shown.done == set(t.order[:k])
            continue
        finished = t.backward[: k - n + 1]
        assert shown.kind == "backward"
        assert shown.grads == {s.node: s.upstream for s in finished}
        assert shown.done == {s.node for s in finished[:-1]}
        # What arrived along each use adds up to the node's gradient.
        step = finished[-1]
        assert [u for u, _ in shown.arrivals] == list(step.users)
        assert math.fsum(c for _, c in shown.arrivals) == pytest.approx(
            step.upstream) or not step.users


def test_a_trace_of_a_graph_out_of_date_is_refused_by_name() -> None:
    a = Value(1.0, label="a")
    b = a * 2
    a.data = 5.0
    with pytest.raises(ValueError, match=r"^trace: the graph is out of date: n1.data is 2"):
        trace(b)
    assert [s.value for s in trace_forward(b)] == [5.0, 10.0] and b.data == 2.0
