"""draw_dot: drawings rendered with the real `dot` to SVG and read back."""

from __future__ import annotations

import base64
import re
from typing import Any

import graphviz
import pytest

from engine import Rule, Value, apply
from engine.ops import OPS
from engine.viz.draw import (
    DEFAULT_MAX_NODES,
    DONE_FILL,
    HIGHLIGHT_FILL,
    Drawing,
    GraphvizNotFound,
    build_drawing,
    draw_dot,
)
from engine.viz.text import fmt, node_names


def neuron() -> tuple[Value, Value, Value, Value]:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, "b")
    a = (x * w + b).tanh()
    a.label = "a"
    return x, w, b, a


@pytest.mark.usefixtures("needs_dot")
def test_records_show_label_data_and_grad_with_four_significant_digits(parse_svg: Any) -> None:
    *_, a = neuron()
    a.backward()
    nodes, _ = parse_svg(draw_dot(a).svg())
    order = list(node_names(_topo(a)).items())
    for i, (v, name) in enumerate(order):
        texts = nodes[f"v{i}"]["texts"]
        assert texts == [name, f"data {fmt(v.data)}", f"grad {fmt(v.grad)}"]
    assert nodes["v0"]["texts"] == ["x", "data 2", "grad -1.5"]
    # tanh(0.8814) = 0.7071: four significant digits, not the full float
    assert "data 0.7071" in nodes[f"v{len(order) - 1}"]["texts"]


def _topo(root: Value) -> list[Value]:
    from engine import topological_order

    return topological_order(root)


@pytest.mark.usefixtures("needs_dot")
def test_one_op_node_per_operation_and_edges_input_op_output(parse_svg: Any) -> None:
    x = Value(3.0, label="x")
    y = (x * x + 2) * x
    order = _topo(y)
    nodes, edges = parse_svg(draw_dot(y).svg())
    index = {v: i for i, v in enumerate(order)}
    expected = set()
    for v in order:
        if v.inputs:
            expected.add((f"v{index[v]}op", f"v{index[v]}"))
            expected |= {(f"v{index[i]}", f"v{index[v]}op") for i in v.inputs}
    assert edges == expected
    op_texts = {k: n["texts"] for k, n in nodes.items() if k.endswith("op")}
    assert sorted(t[0] for t in op_texts.values()) == sorted(["×", "+ 2", "×"])
    assert len([k for k in nodes if not k.endswith("op")]) == len(order)


@pytest.mark.parametrize("rule", OPS, ids=lambda r: f"{r.name}:{r.text}")
def test_every_row_draws_its_symbol_with_its_constant(rule: Rule) -> None:
    x, y = Value(0.7, label="p"), Value(1.3, label="q")
    out = apply(rule, *(x, y)[: rule.arity], c=3.0 if rule.args == "x, c" else None)
    source = draw_dot(out).source
    shown = rule.symbol.replace("c", "3") if rule.args == "x, c" else rule.symbol
    assert f"label={_quoted(shown)}" in source
    assert draw_dot(x * -2).source.count('label="× (-2)"') == 1


def _quoted(text: str) -> str:
    from graphviz import quoting

    return str(quoting.quote(text))


@pytest.mark.usefixtures("needs_dot")
def test_show_grad_false_hides_every_gradient(parse_svg: Any) -> None:
    *_, a = neuron()
    a.backward()
    svg = draw_dot(a, show_grad=False).svg()
    nodes, _ = parse_svg(svg)
    assert ">grad" not in svg
    assert all(len(n["texts"]) == 2 for k, n in nodes.items() if not k.endswith("op"))


@pytest.mark.usefixtures("needs_dot")
def test_highlight_fills_exactly_the_given_nodes(parse_svg: Any) -> None:
    _, w, b, a = neuron()
    order = _topo(a)
    svg = draw_dot(a, highlight=[w, a]).svg()
    nodes, _ = parse_svg(svg)
    lit = {k for k, n in nodes.items() if HIGHLIGHT_FILL in n["fills"]}
    assert lit == {f"v{order.index(w)}", f"v{order.index(a)}"}
    single = parse_svg(draw_dot(a, highlight=b).svg())[0]
    assert {k for k, n in single.items() if HIGHLIGHT_FILL in n["fills"]} == {
        f"v{order.index(b)}"}


def test_highlight_outside_the_graph_is_refused() -> None:
    *_, a = neuron()
    with pytest.raises(ValueError, match=r"^draw_dot: highlight\[1\] must be a node of root's "
                                         r"graph, got Value\(data=1, grad=0\), which is not$"):
        draw_dot(a, highlight=[a, Value(1.0)])


@pytest.mark.usefixtures("needs_dot")
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_rankdir_lays_the_graph_out_in_that_direction(rankdir: str, parse_svg: Any) -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(4):
        y = y.tanh()
    nodes, _ = parse_svg(draw_dot(y, rankdir=rankdir).svg())
    first, last = nodes["v0"], nodes["v4"]
    dx = float(last["x"]) - float(first["x"])  # type: ignore[arg-type]
    dy = float(last["y"]) - float(first["y"])  # type: ignore[arg-type]
    if rankdir == "LR":
        assert dx > 0 and abs(dy) < dx
    else:
        assert dy > 0 and abs(dx) < dy
    assert f"rankdir={rankdir}" in draw_dot(y, rankdir=rankdir).source


@pytest.mark.usefixtures("needs_dot")
def test_digits_option(parse_svg: Any) -> None:
    v = Value(2.0).sqrt()
    nodes, _ = parse_svg(draw_dot(v, digits=2).svg())
    assert "data 1.4" in nodes["v1"]["texts"]
    nodes, _ = parse_svg(draw_dot(v, digits=7).svg())
    assert "data 1.414214" in nodes["v1"]["texts"]


def chain(n: int) -> Value:
    y = Value(0.1, label="start")
    for _ in range(n - 1):
        y = y * 1.0001
    return y


def test_big_graph_guard_says_how_many_and_how_to_override() -> None:
    n = DEFAULT_MAX_NODES + 1
    y = chain(n)
    with pytest.raises(ValueError) as info:
        draw_dot(y)
    message = str(info.value)
    assert f"{n} Values" in message and f"max_nodes={DEFAULT_MAX_NODES}" in message
    assert f"max_nodes={n}" in message and "max_nodes=None" in message
    with pytest.raises(ValueError, match="10 Values, more than max_nodes=9"):
        draw_dot(chain(10), max_nodes=9)


def test_big_graph_draws_when_asked() -> None:
    y = chain(DEFAULT_MAX_NODES + 1)
    source = draw_dot(y, max_nodes=None).source
    assert source.count("shape=record") == DEFAULT_MAX_NODES + 1
    assert draw_dot(chain(10), max_nodes=10).source.count("shape=record") == 10


@pytest.mark.usefixtures("needs_dot")
def test_jupyter_gets_an_image_at_its_natural_size_and_the_svg() -> None:
    # An <img> of the SVG: what JupyterLab shows even in an untrusted notebook, where it
    # strips inline SVG; in a box that scrolls rather than shrinks it.
    *_, a = neuron()
    d = draw_dot(a)
    bundle = d._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/svg+xml"}
    svg = bundle["image/svg+xml"]
    assert "<svg" in svg and ">data 0.7071<" in svg
    page = bundle["text/html"]
    assert page.startswith('<div style="overflow: auto"><img ') and "<svg" not in page
    found = re.search(r'width="(\d+)" height="(\d+)" src="data:image/svg\+xml;base64,([^"]+)"',
                      page)
    assert found is not None and base64.b64decode(found.group(3)).decode() == svg
    points = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert points is not None
    assert int(found.group(1)) == round(float(points.group(1)) * 4 / 3)   # 1 pt = 4/3 px
    assert 'style="max-width: none"' in page
    assert list(d._repr_mimebundle_(include=["image/svg+xml"])) == ["image/svg+xml"]
    assert list(d._repr_mimebundle_(exclude=["image/svg+xml"])) == ["text/html"]


def test_missing_dot_gives_one_clear_message(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: object) -> None:
    *_, a = neuron()
    drawing = draw_dot(a)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(GraphvizNotFound) as info:
        drawing.pipe(format="svg")
    err = info.value
    assert isinstance(err, RuntimeError) and isinstance(err, graphviz.ExecutableNotFound)
    message = str(err)
    for advice in ("apt-get install graphviz", "brew install graphviz",
                   "conda install graphviz"):
        assert advice in message
    assert err.__cause__ is None and err.__suppress_context__
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        drawing.svg()
    with pytest.raises(GraphvizNotFound, match="brew install graphviz"):
        drawing.render(directory=str(tmp_path), format="svg")
    # In a notebook: the advice as text instead of a traceback.
    bundle = drawing._repr_mimebundle_()
    assert bundle == {"text/plain": message}


def test_source_is_deterministic_and_copy_keeps_the_class() -> None:
    *_, a = neuron()
    assert draw_dot(a).source == draw_dot(a).source
    d = draw_dot(a)
    assert isinstance(d, Drawing) and isinstance(d, graphviz.Digraph)
    assert isinstance(d.copy(), Drawing)


@pytest.mark.usefixtures("needs_dot")
def test_labels_with_record_characters_render_verbatim(parse_svg: Any) -> None:
    x = Value(1.0, label='a{b}|c<d>"e\\f')
    nodes, _ = parse_svg(draw_dot(x * 2).svg())
    assert nodes["v0"]["texts"][0] == 'a{b}|c<d>"e\\f'


@pytest.mark.usefixtures("needs_dot")
def test_stepper_controls_unknown_data_grads_and_done_marks(parse_svg: Any) -> None:
    x, w, _, a = neuron()
    order = _topo(a)
    svg = build_drawing(a, data={x: x.data, w: w.data}, grads={a: 1.0}, done={x},
                        highlight=w).svg()
    nodes, _ = parse_svg(svg)
    for i, v in enumerate(order):
        texts = nodes[f"v{i}"]["texts"]
        assert (f"data {fmt(v.data)}" in texts) == (v in (x, w))
        assert ("data ?" in texts) == (v not in (x, w))
        assert ("grad 1" in texts) == (v is a)
        assert ("grad ?" in texts) == (v is not a)
    assert DONE_FILL in nodes[f"v{order.index(x)}"]["fills"]
    assert HIGHLIGHT_FILL in nodes[f"v{order.index(w)}"]["fills"]
    assert DONE_FILL not in nodes[f"v{order.index(a)}"]["fills"]


def test_gradients_kept_as_values_are_drawn_as_numbers() -> None:
    x = Value(2.0, label="x")
    y = x**3
    y.backward(create_graph=True)  # x.grad is a Value: 3x² = 12
    assert isinstance(x.grad, Value)
    assert 'label="{x|data 2|grad 12}"' in draw_dot(y).source


def test_repr_is_a_short_stable_summary() -> None:
    *_, a = neuron()  # x, w, b, x*w, +b, tanh: 6 Values and 3 operations, 8 edges
    d = draw_dot(a)
    text = repr(d)
    assert text == ("<Drawing 'computation': 9 nodes, 8 edges; shows as a picture in "
                    "Jupyter, or call .svg()>")
    assert repr(draw_dot(a)) == text and repr(d.copy()) == text  # no memory address
    assert repr(draw_dot(Value(1.0))) == ("<Drawing 'computation': 1 node, 0 edges; shows "
                                          "as a picture in Jupyter, or call .svg()>")
    assert repr(Drawing()).startswith("<Drawing: 0 nodes, 0 edges;")


@pytest.mark.usefixtures("needs_dot")
def test_repr_counts_what_dot_draws() -> None:
    x = Value(-1.5, label="x")
    y = ((x * x + 1).tanh() / (x.exp() - 3)) ** 2
    d = draw_dot(y, highlight=x)
    svg = d.svg()
    nodes, edges = svg.count('class="node"'), svg.count('class="edge"')
    assert f"{nodes} nodes, {edges} edges;" in repr(d)


@pytest.mark.usefixtures("needs_dot")
def test_compact_stacks_the_fields_and_never_shrinks_the_text(parse_svg: Any) -> None:
    *_, a = neuron()
    wide, compact = draw_dot(a), draw_dot(a, compact=True)
    assert 'label="{x|data 2|grad 0}"' in wide.source
    assert 'label="x|data 2|grad 0"' in compact.source
    svg = compact.svg()
    assert float(svg.split('width="', 1)[1].split("pt", 1)[0]) < float(
        wide.svg().split('width="', 1)[1].split("pt", 1)[0])
    assert "scale(1 1)" in svg and 'font-size="11.00"' in svg   # narrower, not smaller
    nodes, _ = parse_svg(svg)
    box = nodes["v0"]
    assert box["texts"] == ["x", "data 2", "grad 0"]
    with pytest.raises(TypeError, match="draw_dot: compact must be True or False"):
        draw_dot(a, compact="yes")  # type: ignore[arg-type]
