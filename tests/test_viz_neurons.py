"""A network's graph reads as a network: nodes named from the model, neurons drawn as boxes.

``nn`` labels its parameters and each neuron's output; ``engine.viz.neurons`` finds each run
of a neuron from those labels; names, drawings, the Stepper and ``draw_model`` read them.
The oracle for a run's nodes is the graph itself: the nodes a neuron's call created are
those of its output's graph that were not there before the call.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import Graph, expression_graphs

import nn
from engine import Stepper, Value, draw_dot, topological_order
from engine.viz.draw import HIGHLIGHT_FILL, neuron_fields
from engine.viz.neurons import find_neurons
from engine.viz.text import fmt, node_names
from nn.viz.model_view import draw_model

X = [[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]]
Y = [1.0, 1.0, -1.0, -1.0]


def mlp_loss(seed: int = 0, activation: str = "relu") -> tuple[nn.MLP, Value]:
    """The issue's graph: MLP(2, [3, 1]) with the mean squared error on 4 points."""
    model = nn.MLP(2, [3, 1], activation=activation, seed=seed)
    return model, nn.mse_loss([model(x) for x in X], Y)


def test_parameters_and_outputs_are_labelled_from_the_model() -> None:
    model, loss = mlp_loss()
    assert [p.label for p in model.parameters()] == [n for n, _ in model.named_parameters()]
    assert loss.label == "loss"
    out = model([0.5, 0.5])
    assert isinstance(out, Value) and out.label == "layers.1.neurons.0.z"  # linear: z
    hidden = nn.Layer(2, 2, activation="tanh", seed=0)([1.0, 2.0])
    assert isinstance(hidden, list) and [a.label for a in hidden] == [
        "neurons.0.a", "neurons.1.a"]
    neuron = nn.Neuron(3, seed=0)
    assert [p.label for p in neuron.parameters()] == ["w.0", "w.1", "w.2", "b"]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_every_run_of_every_neuron_is_found_with_exactly_its_nodes(activation: str) -> None:
    model = nn.MLP(2, [3, 2, 1], activation=activation, seed=1)
    created: list[tuple[str, set[Value]]] = []
    seen: set[Value] = set()
    preds = []
    for x in X[:3]:
        current: list[Any] = list(x)
        for i, layer in enumerate(model.layers):
            outs = []
            for j, neuron in enumerate(layer.neurons):
                out = neuron.forward(current)
                new = set(topological_order(out)) - seen - set(neuron.parameters())
                created.append((f"layers.{i}.neurons.{j}", new))
                outs.append(out)
            for out in outs:
                seen |= set(topological_order(out))
            current = outs
        preds.append(current[0])
    loss = nn.mse_loss(preds, Y[:3])
    runs = find_neurons(topological_order(loss))
    assert [(r.name, set(r.members)) for r in runs] == sorted(
        created, key=lambda c: topological_order(loss).index(
            max(c[1], key=topological_order(loss).index)))
    for run in runs:
        assert run.runs == 3 and run.params == tuple(
            p for p in topological_order(loss)
            if not p.inputs and p.label.startswith(run.name + "."))
        assert run.z in run.members and run.z.rule is not None and run.z.rule.name == "+"
        last = run.name.startswith("layers.2")
        assert (run.a is None) == last and run.activation == ("" if last else activation)


def test_names_come_from_the_model_one_per_run() -> None:
    _, loss = mlp_loss()
    order = topological_order(loss)
    names = node_names(order)
    assert names[loss] == "loss"
    run = find_neurons(order)[0]
    assert run.name == "layers.0.neurons.0" and run.runs == 4
    assert names[run.z] == f"layers.0.neurons.0.z#{run.run}"
    assert run.a is not None and names[run.a] == f"layers.0.neurons.0.a#{run.run}"
    inner = [names[v] for v in run.members if v not in (run.z, run.a)]
    assert inner == [f"layers.0.neurons.0.{role}#{run.run}" for role in ("w0x0", "s1", "w1x1")]
    one = nn.MLP(2, [3, 1], seed=0)([1.0, 2.0])
    assert isinstance(one, Value)
    assert "layers.0.neurons.2.z" in node_names(topological_order(one)).values()  # no "#"


def test_the_inside_of_a_neuron_is_named_for_what_it_computes() -> None:
    """w2x2 is weight 2 times input 2; s2 = b + w0x0 + w1x1, the running sum; z the last."""
    model = nn.MLP(4, [2, 1], seed=3)
    xs = [0.5, -1.0, 2.0, 0.25]
    out = model(xs)
    order = topological_order(out)
    names = node_names(order)
    by_name = {name: v for v, name in names.items()}
    for j, neuron in enumerate(model.layers[0].neurons):
        prefix = f"layers.0.neurons.{j}."
        total = neuron.b.data
        for i, (w, x) in enumerate(zip(neuron.w, xs)):
            product = by_name[f"{prefix}w{i}x{i}"]
            assert product.op == "*" and w in product.inputs and product.data == w.data * x
            total = total + product.data
            running = by_name[f"{prefix}s{i + 1}" if i < len(xs) - 1 else f"{prefix}z"]
            assert product in running.inputs and running.data == total
        assert f"{prefix}s{len(xs)}" not in by_name       # the last sum is z


@given(expression_graphs(), st.lists(st.sampled_from(["a", "b", "", "x.a", "w.0"]),
                                     min_size=1, max_size=12))
def test_every_node_has_a_name_of_its_own(graph: Graph, labels: list[str]) -> None:
    root = graph.build(*(Value(x) for x in graph.xs))
    order = topological_order(root)
    for v, label in zip(order, labels):
        v.label = label
    names = node_names(order)
    assert len(set(names.values())) == len(order)


def test_a_label_that_looks_like_a_neuron_without_its_parameters_is_no_neuron() -> None:
    x = Value(1.0, label="x")
    y = (x * 2).tanh()
    y.label = "my.a"
    assert find_neurons(topological_order(y)) == []
    assert node_names(topological_order(y))[y] == "my.a"


# --- drawing a network as neurons --------------------------------------------------------

def texts_of(svg: str) -> dict[str, tuple[list[str], set[str | None]]]:
    import xml.etree.ElementTree as ET

    ns = "{http://www.w3.org/2000/svg}"
    out = {}
    for g in ET.fromstring(svg).iter(f"{ns}g"):
        title = g.find(f"{ns}title")
        if g.get("class") == "node" and title is not None and title.text:
            fills = {c.get("fill") for c in g if c.tag in (f"{ns}polygon", f"{ns}path")}
            out[title.text] = ([t.text or "" for t in g.iter(f"{ns}text")], fills)
    return out


@pytest.mark.usefixtures("needs_dot")
def test_each_run_of_a_neuron_is_one_box_with_z_a_and_delta() -> None:
    _, loss = mlp_loss()
    loss.backward()
    order = topological_order(loss)
    runs = find_neurons(order)
    drawn = texts_of(draw_dot(loss).svg())
    for j, run in enumerate(runs):
        a = None if run.a is None else fmt(run.a.data)
        assert drawn[f"r{j}"][0] == neuron_fields(run.title, run.activation, fmt(run.z.data),
                                                  a, fmt(run.z.grad), "loss")
        for v in run.members:   # the run's nodes are in its box, not drawn on their own
            assert f"v{order.index(v)}" not in drawn
    inside = {v for run in runs for v in run.members}
    assert {k for k in drawn if re.fullmatch(r"v\d+", k)} == {
        f"v{i}" for i, v in enumerate(order) if v not in inside}
    assert len(runs) == 16 and len(drawn) < len(order)


@pytest.mark.usefixtures("needs_dot")
def test_every_node_can_be_drawn_each_neuron_in_a_frame_with_its_name() -> None:
    _, loss = mlp_loss()
    order = topological_order(loss)
    svg = draw_dot(loss, collapse=False).svg()
    drawn = texts_of(svg)
    assert {k for k in drawn if re.fullmatch(r"v\d+", k)} == {f"v{i}" for i in range(len(order))}
    for run in find_neurons(order):
        assert f">{run.title}</text>" in svg
    some = draw_dot(loss, collapse=["layers.1.neurons.0"]).source
    assert some.count("rounded") - some.count("dashed") == 4   # its 4 runs as boxes
    with pytest.raises(TypeError, match="draw_dot: collapse must be True, False or a list"):
        draw_dot(loss, collapse="layers.0")


@pytest.mark.usefixtures("needs_dot")
def test_the_current_node_inside_a_neuron_lights_its_box() -> None:
    _, loss = mlp_loss()
    runs = find_neurons(topological_order(loss))
    drawn = texts_of(draw_dot(loss, highlight=runs[2].members[0]).svg())
    lit = [k for k, (_, fills) in drawn.items() if HIGHLIGHT_FILL in fills]
    assert lit == ["r2"]


@pytest.mark.usefixtures("needs_dot")
def test_in_backward_steps_the_edges_that_brought_the_gradient_carry_it() -> None:
    x = Value(2.0, label="x")
    y = x * 3.0 + x.exp()          # x is used twice: two edges bring its gradient back
    y.label = "y"
    s = Stepper(y)
    s.goto(len(s) - 1)
    step = s.step
    assert step.node is x and len(step.sources) == 2
    source = s.draw().source
    for _, contribution in step.sources:
        assert re.search(rf'v0 -> v\d+op \[label="?{re.escape(fmt(contribution))}"? ', source)
    assert "label=" not in s.goto(0).draw().source.split("->", 1)[1].split("\n", 1)[0]
    forward = s.goto(1).draw().source
    assert "fontcolor" not in forward    # no gradients on edges in the forward pass


# --- draw_model speaks the same language ---------------------------------------------------

@pytest.mark.usefixtures("needs_dot")
def test_draw_model_names_and_writes_neurons_as_the_graph_does() -> None:
    from nn.viz.palette import NEGATIVE, POSITIVE

    model = nn.MLP(2, [3, 1], activation="tanh", seed=4)
    drawing = draw_model(model, [0.5, -1.0], target=1.0)
    svg = drawing.svg()
    for i, layer in enumerate(model.layers):
        for j, _ in enumerate(layer.neurons):
            assert f">layers.{i}.neurons.{j} (" in svg
    assert "δ = ∂L/∂z" in svg
    colours = set(re.findall(r'color="(#[0-9a-f]{6})"', drawing.source))
    assert colours <= {POSITIVE, NEGATIVE, "#eeeeee", HIGHLIGHT_FILL.lower()} and colours & {
        POSITIVE, NEGATIVE}
    # The graph of the same sample draws the same names on its boxes.
    loss = nn.mse_loss([model([0.5, -1.0])], [1.0])
    graph = draw_dot(loss).svg()
    for i, layer in enumerate(model.layers):
        for j, _ in enumerate(layer.neurons):
            assert f">layers.{i}.neurons.{j} (" in graph
