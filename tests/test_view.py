"""nn.viz.model_view.draw_model: the network picture, its numbers checked against the graph."""

from __future__ import annotations

import math
import shutil
import xml.etree.ElementTree as ET
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import nn
from engine import Value, no_grad
from engine.viz.draw import Drawing, fmt
from nn.viz.model_view import draw_model

SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def read_svg(svg: str) -> tuple[dict[str, list[str]], dict[tuple[str, str], list[str]]]:
    """Texts of each node and of each edge (by its endpoints, ports dropped)."""
    nodes: dict[str, list[str]] = {}
    edges: dict[tuple[str, str], list[str]] = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if title is None or not title.text:
            continue
        texts = [t.text or "" for t in g.iter(f"{SVG}text")]
        if g.get("class") == "node":
            nodes[title.text] = texts
        elif g.get("class") == "edge":
            a, b = title.text.split("->")
            edges[(a.split(":")[0], b.split(":")[0])] = texts
    return nodes, edges


def model_with_known_weights() -> nn.MLP:
    model = nn.MLP(2, [3, 1], activation="tanh", seed=3)
    for i, p in enumerate(model.parameters()):
        p.data = round(math.sin(i + 1), 3)  # every bias non-zero too
    return model


def by_hand(model: nn.MLP, x: list[float]) -> list[list[tuple[float, float]]]:
    """(z, a) of every neuron, computed with plain floats."""
    rows = []
    current = x
    for layer in model.layers:
        row = []
        for n in layer.neurons:
            z = n.b.data + sum(w.data * xi for w, xi in zip(n.w, current))
            act = {"tanh": math.tanh, "relu": lambda v: max(v, 0.0),
                   "sigmoid": lambda v: 1 / (1 + math.exp(-v)), "linear": lambda v: v}
            row.append((z, act[n.activation](z)))
        rows.append(row)
        current = [a for _, a in row]
    return rows


@needs_dot
def test_forward_only_shows_z_and_a_and_weights() -> None:
    model = model_with_known_weights()
    x = [0.5, -1.5]
    nodes, edges = read_svg(draw_model(model, x).svg())
    expected = by_hand(model, x)
    for li, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            texts = nodes[f"n{li}_{j}"]
            z, a = expected[li][j]
            assert f"z = {fmt(z)}" in texts
            if neuron.activation != "linear":
                assert f"a = {neuron.activation}(z) = {fmt(a)}" in texts
            assert f"b = {fmt(neuron.b.data)}" in texts
            for i, w in enumerate(neuron.w):
                source = f"in{i}" if li == 0 else f"n{li - 1}_{i}"
                assert edges[(source, f"n{li}_{j}")] == [f"w = {fmt(w.data)}"]
    assert nodes["in0"] == ["x1 = 0.5"] and nodes["in1"] == ["x2 = -1.5"]
    assert "loss" not in nodes
    assert not any("∂" in t for texts in nodes.values() for t in texts)


@needs_dot
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_with_a_target_delta_and_weight_gradients_match_backward(activation: str) -> None:
    model = nn.MLP(2, [3, 2, 1], activation=activation, seed=11)
    for i, p in enumerate(model.parameters()):
        p.data = round(math.cos(3 * i + 1), 3)
    x, target = [0.8, -0.4], 0.25
    nodes, edges = read_svg(draw_model(model, x, target=target).svg())

    # The reference: the ordinary forward pass and backward on the model itself.
    loss = (model(x) - target) ** 2
    loss.backward()
    assert nodes["loss"] == [f"L = {fmt(loss.data)}", f"y = {fmt(target)}"]
    for li, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            texts = nodes[f"n{li}_{j}"]
            # z = b + Σ w·x, so ∂L/∂z = ∂L/∂b: δ must equal the bias's gradient.
            assert f"δ = ∂L/∂z = {fmt(neuron.b.grad)}" in texts
            assert f"∂L/∂b = {fmt(neuron.b.grad)}" in texts
            for i, w in enumerate(neuron.w):
                source = f"in{i}" if li == 0 else f"n{li - 1}_{i}"
                assert edges[(source, f"n{li}_{j}")] == [
                    f"w = {fmt(w.data)}", f"∂L/∂w = {fmt(w.grad)}"]
    out = model.layers[-1].neurons[0]
    # The output neuron is linear: the gradient reaching it is named for its z.
    assert edges[("n2_0", "loss")] == [f"∂L/∂z = {fmt(out.b.grad)}"]


def test_the_model_gradients_are_left_alone() -> None:
    model = model_with_known_weights()
    params = model.parameters()
    for i, p in enumerate(params):
        p.grad = 0.25 * i
    before = [p.grad for p in params]
    draw_model(model, [1.0, 2.0], target=0.0)
    assert [p.grad for p in params] == before


@needs_dot
def test_several_outputs_and_a_custom_loss() -> None:
    model = nn.MLP(2, [2, 2], activation="relu", seed=5)
    for i, p in enumerate(model.parameters()):
        p.data = 0.1 * (i + 1)
    x, target = [1.0, 0.5], [0.0, 1.0]
    drawing = draw_model(model, x, target=target, loss_fn=nn.mse_loss)
    nodes, _ = read_svg(drawing.svg())
    preds = model(x)
    assert isinstance(preds, list)
    loss = nn.mse_loss(preds, target)
    loss.backward()
    assert nodes["loss"] == [f"L = {fmt(loss.data)}", "y₁ = 0", "y₂ = 1"]
    for j, neuron in enumerate(model.layers[-1].neurons):
        assert f"δ = ∂L/∂z = {fmt(neuron.b.grad)}" in nodes[f"n1_{j}"]
    # the default loss is mse_loss: the mean of the squared errors over the outputs
    default = read_svg(draw_model(model, x, target=target).svg())[0]
    expected = sum((p.data - t) ** 2 for p, t in zip(preds, target)) / len(target)
    assert default["loss"][0] == f"L = {fmt(expected)}"


def test_the_default_loss_is_mse_loss() -> None:
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    dot = draw_model(model, [1.0, -2.0], target=0.5)
    loss = nn.mse_loss(model([1.0, -2.0]), 0.5)
    assert f"L = {fmt(loss.data)}" in dot.source


def test_draw_model_inside_no_grad_draws_the_same_picture() -> None:
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    outside = draw_model(model, [1.0, -2.0], target=1.0).source
    with no_grad():
        inside = draw_model(model, [1.0, -2.0], target=1.0).source
        assert not (Value(1.0) * 2).inputs     # and no_grad still holds afterwards
    assert inside == outside
    assert [p.grad for p in model.parameters()] == [0.0] * 9


# --- arguments: what the rows of test_entry_points.py do not say -------------------------

@pytest.mark.parametrize(("given", "plain"), [
    (np.float32(0.5), 0.5), (np.int64(1), 1.0), (np.array(0.5), 0.5), (Fraction(1, 2), 0.5),
    (Value(0.5), 0.5), (5e-324, 5e-324)])
def test_numbers_of_any_kind_draw_the_picture_of_their_float(given: Any, plain: float) -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    assert draw_model(model, [0.5, given]).source == draw_model(model, [0.5, plain]).source
    assert draw_model(model, [0.5, 1.0], target=given).source == draw_model(
        model, [0.5, 1.0], target=plain).source
    assert draw_model(model, [0.5, 1.0], target=[given], show_weights=np.bool_(False)
                      ).source == draw_model(model, [0.5, 1.0], target=plain,
                                             show_weights=False).source


def test_a_target_needs_one_number_per_output() -> None:
    with pytest.raises(ValueError, match=r"^draw_model: target must be 1 number \(one per "
                                         r"output of the model\), got 2$"):
        draw_model(nn.MLP(2, [2, 1], seed=0), [1.0, 2.0], target=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"^draw_model: target must be 2 numbers"):
        draw_model(nn.MLP(2, [2, 2], seed=0), [1.0, 2.0], target=1.0)


def test_connection_guard() -> None:
    model = nn.MLP(4, [16, 16, 1], seed=0)  # 4·16 + 16·16 + 16 = 336 connections
    with pytest.raises(ValueError, match="336 connections, more than max_connections=200"):
        draw_model(model, [0.0] * 4)
    drawing = draw_model(model, [0.0] * 4, max_connections=None, show_weights=False)
    assert drawing.source.count("->") == 336


@needs_dot
def test_layer_and_neuron_and_top_to_bottom() -> None:
    neuron = nn.Neuron(2, activation="sigmoid", seed=1)
    drawing = draw_model(neuron, [1.0, 1.0], target=1.0, rankdir="TB")
    assert isinstance(drawing, Drawing) and "rankdir=TB" in drawing.source
    nodes, _ = read_svg(drawing.svg())
    a = neuron([1.0, 1.0])
    assert f"a = sigmoid(z) = {fmt(a.data)}" in nodes["n0_0"]
    layer = nn.Layer(2, 2, activation="tanh", seed=2)
    assert set(read_svg(draw_model(layer, [0.1, 0.2]).svg())[0]) == {"in0", "in1", "n0_0",
                                                                        "n0_1"}


def node_centres(svg: str) -> dict[str, tuple[float, float]]:
    """The centre (x, y) of each drawn node, from its outline; y grows downwards."""
    centres = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        outline = g.find(f"{SVG}polygon")
        if g.get("class") == "node" and title is not None and title.text and outline is not None:
            points = [tuple(map(float, p.split(","))) for p in outline.get("points", "").split()]
            xs, ys = zip(*points)
            centres[title.text] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return centres


@needs_dot
@pytest.mark.parametrize("sizes", [[6, 6, 1], [8, 8, 1], [5, 7, 3]])
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
@pytest.mark.parametrize("show_weights", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_every_layer_is_drawn_in_index_order(sizes: list[int], rankdir: str,
                                             show_weights: bool, seed: int) -> None:
    model = nn.MLP(2, sizes, activation="relu", seed=seed)
    target = [1.0] * sizes[-1]
    drawing = draw_model(model, [1.0, -2.0], target=target, rankdir=rankdir,
                         show_weights=show_weights)
    centres = node_centres(drawing.svg())
    # Across the page the layers' nodes stack downwards; down the page, left to right.
    axis = 1 if rankdir == "LR" else 0
    layers = [[f"in{i}" for i in range(2)]] + [
        [f"n{li}_{j}" for j in range(n)] for li, n in enumerate(sizes)]
    for ids in layers:
        positions = [centres[name][axis] for name in ids]
        assert positions == sorted(positions) and len(set(positions)) == len(ids), ids
    # ... and the layers follow one another in the other direction.
    firsts = [centres[ids[0]][1 - axis] for ids in layers] + [centres["loss"][1 - axis]]
    assert firsts == sorted(firsts)


# --- failures name draw_model --------------------------------------------------------

def test_an_overflow_in_the_forward_pass_names_draw_model() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    for p in model.parameters():
        p.data = 1.0
    with pytest.raises(OverflowError, match=r"^draw_model: the forward pass failed: \+: the "
                                            r"result overflows a float") as caught:
        draw_model(model, [1e308, 1e308])
    assert isinstance(caught.value.__cause__, OverflowError)     # the original, kept


def test_an_overflow_in_the_loss_or_its_gradients_names_draw_model() -> None:
    neuron = nn.Neuron(1, activation="linear", seed=0)
    neuron.w[0].data, neuron.b.data = 1e-300, 0.0              # z = 1, a finite forward pass
    with pytest.raises(ArithmeticError, match=r"^draw_model: backpropagating the loss failed: "):
        draw_model(neuron, [1e300], target=0.0, loss_fn=lambda p, t: p * 1e300)  # ∂L/∂w = inf
    with pytest.raises(OverflowError, match=r"^draw_model: computing the loss failed: \*: the "
                                            r"result overflows"):
        draw_model(neuron, [1e300], target=0.0, loss_fn=lambda p, t: p * 1e300 * 1e300)
    with pytest.raises(OverflowError, match=r"^draw_model: computing the loss failed: mse_loss: "
                                            r"sample 0: "):
        draw_model(neuron, [1.0], target=1e308)        # the default loss: (ŷ − 1e308)²


def test_draw_model_accepts_any_loss_fn_that_binds_two_arguments() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    plain = draw_model(model, [1.0, 2.0], target=1.0).source
    for loss_fn in (lambda *args: nn.mse_loss(*args),
                    lambda p, t, scale=1.0: scale * (p - t) ** 2):
        assert draw_model(model, [1.0, 2.0], target=1.0, loss_fn=loss_fn).source == plain


def test_draw_model_refuses_a_loss_fn_without_a_target() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"^draw_model: loss_fn is given but target is None; "):
        draw_model(model, [1.0, 2.0], loss_fn=nn.mse_loss)


def test_seventeen_digits_show_a_float_exactly() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    assert f"x = ({fmt(1 / 3, 17)}" in draw_model(model, [1 / 3, 2.0], digits=17).source
    assert fmt(1 / 3, 17) == "0.33333333333333331"
