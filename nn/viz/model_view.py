"""The network picture of the backpropagation tutorials, computed from the real graph.

:func:`draw_model` draws an MLP for one input sample as neurons and connections: each neuron
shows its pre-activation z = Σ wᵢxᵢ + b, its activation a = f(z) and, once a loss has been
backpropagated, its error signal δ = ∂L/∂z; each connection shows its weight w and ∂L/∂w.
Every number is read from the Value graph that the model builds, not computed separately.
A neuron is named and written as :func:`engine.draw_dot` and the Stepper write it
(``layers.0.neurons.2``, the lines of :func:`engine.viz.draw.neuron_fields`); connections
take the colours of :mod:`nn.viz.palette` (blue w ≥ 0, orange w < 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from engine import Drawing, Value, args, enable_grad, gradients
from engine.errors import prefixed
from engine.viz.draw import HIGHLIGHT_FILL, RANKDIRS, neuron_fields
from engine.viz.text import MAX_DIGITS, fmt, record_label
from nn.layers import MLP, Layer, Neuron, inputs, layers_of
from nn.losses import mse_loss, samples
from nn.viz.palette import NEGATIVE, POSITIVE

__all__ = ["draw_model"]

DEFAULT_MAX_CONNECTIONS = 200


def _targets(target: Any, n: int) -> list[float]:
    where = "draw_model: target"
    given = samples(target, where)
    if len(given) != n:
        raise ValueError(f"{where} must be {n} number{'s' * (n != 1)} (one per output of the "
                         f"model), got {len(given)}")
    return [t.data if isinstance(t, Value) else t for t in given]


def _inputs(x: Any, nin: int) -> list[Value]:
    return [Value(xi.data if isinstance(xi, Value) else xi, label=f"x{i + 1}")
            for i, xi in enumerate(inputs(x, nin, "draw_model: x"))]


def _fields(rankdir: str, fields: list[str], ports: dict[int, str] | None = None) -> str:
    # Fields stack along the rank direction's cross axis; braces flip them to read down.
    return record_label(fields, rankdir not in ("LR", "RL"), ports)


def draw_model(
    model: MLP | Layer | Neuron,
    x: Sequence[Any],
    target: Any = None,
    loss_fn: Callable[[Any, Any], Value] | None = None,
    *,
    rankdir: str = "LR",
    digits: int = 4,
    show_weights: bool = True,
    max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
) -> Drawing:
    """Draw ``model`` as neurons and connections for the one sample ``x``.

    The model is run on ``x`` neuron by neuron, so every number is read from the Value
    graph: each neuron shows z = b + Σ wᵢ·xᵢ, its activation a = f(z) and its bias b; each
    connection shows its weight w. With a ``target``, ``loss_fn(prediction, target)`` (by
    default :func:`nn.mse_loss`: (ŷ − y)² for one output, the mean of the squared errors
    over several outputs) is backpropagated first, and the picture adds
    δ = ∂L/∂z and ∂L/∂b to each neuron, ∂L/∂w to each connection, ∂L/∂x to each input, and a
    loss node. The prediction passed to ``loss_fn`` is a Value for a one-output model, else
    a list.

    Neurons are named from the model (``layers.0.neurons.2``: layer 0, neuron 2, as
    ``model.named_parameters()`` and the Stepper name them). Every layer keeps its neurons in
    index order, from the top (from the left with ``rankdir="TB"``).

    The gradients are computed with :func:`engine.gradients`: the model's ``.grad`` values are
    left as they were. The picture needs the graph, so ``draw_model`` records it even
    inside ``engine.no_grad()`` (it runs in a fresh context, where recording is on, as
    PyTorch's functional APIs enable gradients for themselves).

    A number that overflows or leaves an operation's domain, in the forward pass, the loss
    or its backpropagation, raises the engine's error with the same type, its message
    prefixed by ``draw_model:`` and the step that failed.

    Args:
        model: an :class:`nn.MLP` (or a single :class:`nn.Layer` or :class:`nn.Neuron`).
        x: one sample: a list of numbers, one per model input.
        target: the wanted output(s), a number or a list; ``None`` for the forward pass only.
        loss_fn: ``loss_fn(prediction, target) -> Value``; default :func:`nn.mse_loss`.
            Only with a ``target`` (without one there is no loss to compute).
        rankdir: ``"LR"`` (inputs on the left, the default) or ``"TB"``.
        digits: significant digits of the numbers shown, from 1 to 17.
        show_weights: False leaves the numbers off the connections and draws them as
            straight lines (for wider layers).
        max_connections: refuse models with more connections than this (``ValueError``
            saying how many there are); ``None`` for no limit.

    Examples:
        >>> import nn
        >>> model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
        >>> dot = draw_model(model, [1.0, -2.0], target=1.0)
        >>> "δ = ∂L/∂z" in dot.source and "∂L/∂w" in dot.source
        True
        >>> [p.grad for p in model.parameters()] == [0.0] * 9     # untouched
        True
    """
    layers = layers_of(model, "draw_model: model")
    rankdir = args.choice(rankdir, "draw_model: rankdir", RANKDIRS)
    digits = args.whole(digits, "draw_model: digits", low=1, high=MAX_DIGITS)
    max_connections = args.whole_or_none(max_connections, "draw_model: max_connections",
                                         low=1)
    show_weights = args.flag(show_weights, "draw_model: show_weights")
    if loss_fn is not None:
        if target is None:
            raise ValueError("draw_model: loss_fn is given but target is None; the loss "
                             "compares the prediction with a target, so pass both (or "
                             "neither, for the forward pass only)")
        args.function(loss_fn, "draw_model: loss_fn", 2, "as loss_fn(prediction, target)")
    nin = len(layers[0][0].w)
    n_connections = sum(len(n.w) for layer in layers for n in layer)
    if max_connections is not None and n_connections > max_connections:
        raise ValueError(
            f"draw_model: the model has {n_connections} connections, more than "
            f"max_connections={max_connections}; the picture would be unreadable. Draw a "
            f"smaller model, or pass max_connections={n_connections} (or None) to draw it "
            f"anyway (show_weights=False keeps it lighter)."
        )
    xs = _inputs(x, nin)
    targets = [] if target is None else _targets(target, len(layers[-1]))
    with enable_grad():  # the picture is read from the graph, even inside no_grad()
        return _draw(layers, xs, target, targets, loss_fn, rankdir, digits, show_weights)


def _draw(layers: list[list[Neuron]], xs: list[Value], target: Any, targets: list[float],
          loss_fn: Callable[[Any, Any], Value] | None, rankdir: str, digits: int,
          show_weights: bool) -> Drawing:
    # Forward, neuron by neuron, keeping each neuron's z and a.
    zs: list[list[Value]] = []
    acts: list[list[Value]] = []
    names: list[list[str]] = []
    current: list[Value] = xs
    for layer in layers:
        z_row, a_row, name_row = [], [], []
        for neuron in layer:
            with prefixed("draw_model: the forward pass failed"):
                a = neuron.forward(current)
            z_row.append(a if neuron.activation == "linear" else a.inputs[0])
            a_row.append(a)
            # The neuron's name, as its output is labelled (layers.0.neurons.2.a).
            name_row.append(a.label.rpartition(".")[0] or "neuron")
        zs.append(z_row)
        acts.append(a_row)
        names.append(name_row)
        current = a_row
    outputs = acts[-1]
    prediction: Value | list[Value] = outputs[0] if len(outputs) == 1 else outputs

    # Backward, into a dictionary: engine.gradients touches no .grad.
    loss: Value | None = None
    d: dict[Value, float] = {}
    if target is not None:
        fn = mse_loss if loss_fn is None else loss_fn
        with prefixed("draw_model: computing the loss failed"):
            loss = args.instance(fn(prediction, target), "draw_model: loss_fn's result", Value)
        with prefixed("draw_model: backpropagating the loss failed", replacing=("gradients",)):
            d = defaultdict(float, gradients(loss))   # a node the loss does not reach: 0

    def f(v: float) -> str:
        return fmt(v, digits)

    # Each neuron's connections leave in the order the next layer's neurons are numbered
    # (ordering=out): that keeps every layer in index order, top to bottom (left to right
    # for TB). Invisible edges chaining a layer's nodes would too, but dot refuses flat
    # edges between records. Straight lines read best; with weight labels, curves keep each
    # label beside its connection.
    graph_attr = {"rankdir": rankdir, "nodesep": "0.4", "ordering": "out",
                  "ranksep": "1.6" if show_weights else "1.5",
                  "splines": "true" if show_weights else "line"}
    dot = Drawing(
        name="model",
        graph_attr=graph_attr,
        node_attr={"fontsize": "11", "shape": "record"},
        edge_attr={"fontsize": "9", "arrowsize": "0.6"},
    )
    title = "forward pass" if loss is None else f"after backpropagating L = {f(loss.data)}"
    dot.attr(label=f"one sample x = ({', '.join(f(v.data) for v in xs)}): {title}",
             labelloc="t", fontsize="12")

    with dot.subgraph(name="inputs") as sub:
        sub.attr(rank="same")
        for i, v in enumerate(xs):
            fields = [f"x{i + 1} = {f(v.data)}"]
            if loss is not None:
                fields.append(f"∂L/∂x = {f(d[v])}")
            sub.node(f"in{i}", label=_fields(rankdir, fields, {0: "x"}), style="filled",
                     fillcolor="#eeeeee")

    # Across the page (LR, RL), a connection leaves the field it carries (a, or z for a
    # linear neuron) on the side facing the next layer and enters the z field on the side
    # facing the previous one. Down the page (TB, BT) the fields are stacked across the
    # connections, so they join the middles of the nodes' ends instead of crossing fields.
    across = rankdir in ("LR", "RL")
    out_side, in_side = {"LR": ("e", "w"), "RL": ("w", "e"), "TB": ("s", "n"),
                         "BT": ("n", "s")}[rankdir]

    def tail(node: str, field: str) -> str:
        return f"{node}:{field}:{out_side}" if across else f"{node}:{out_side}"

    def head(node: str) -> str:
        return f"{node}:z:{in_side}" if across else f"{node}:{in_side}"

    last = len(layers) - 1
    for li, layer in enumerate(layers):
        with dot.subgraph(name=f"layer{li}") as sub:
            sub.attr(rank="same")
            for j, neuron in enumerate(layer):
                z, a = zs[li][j], acts[li][j]
                act = neuron.activation
                fields = neuron_fields(
                    names[li][j], "" if act == "linear" else act, f(z.data), f(a.data),
                    None if loss is None else f(d[z]))
                fields.insert(3 if act != "linear" else 2, f"b = {f(neuron.b.data)}")
                if loss is not None:
                    fields.append(f"∂L/∂b = {f(d[neuron.b])}")
                ports = {1: "z", 2: "a"} if act != "linear" else {1: "z"}
                sub.node(f"n{li}_{j}", label=_fields(rankdir, fields, ports))
        for j, neuron in enumerate(layer):
            for i, w in enumerate(neuron.w):
                if li == 0:
                    source = tail(f"in{i}", "x")
                else:
                    linear = layers[li - 1][i].activation == "linear"
                    source = tail(f"n{li - 1}_{i}", "z" if linear else "a")
                attrs = {"color": POSITIVE if w.data >= 0 else NEGATIVE,
                         "penwidth": f"{0.6 + min(abs(w.data), 3.0):.2f}"}
                if show_weights:
                    text = f"w = {f(w.data)}"
                    if loss is not None:
                        text += f"\n∂L/∂w = {f(d[w])}"
                    attrs.update(label=text, fontcolor=attrs["color"])
                dot.edge(source, head(f"n{li}_{j}"), **attrs)

    if loss is not None:
        fields = [f"L = {f(loss.data)}"]
        # The target is y (y₁, y₂, ... for several outputs), as the notebooks write it.
        fields += ([f"y = {f(targets[0])}"] if len(targets) == 1 else
                   [f"y{_subscript(k + 1)} = {f(t)}" for k, t in enumerate(targets)])
        dot.node("loss", label=_fields(rankdir, fields), style="filled",
                 fillcolor=HIGHLIGHT_FILL)
        for j, a in enumerate(outputs):
            port = "z" if layers[last][j].activation == "linear" else "a"
            # Without weights, an external label: one ordinary edge label makes dot give
            # every edge a label slot, which spreads the layers out for nothing.
            # Named as the output's box names it: z for a linear output neuron, else a.
            gradient = f"∂L/∂{port} = {f(d[a])}"
            label = ({"label": gradient} if show_weights
                     else {"xlabel": gradient, "minlen": "2"})
            dot.edge(tail(f"n{last}_{j}", port), "loss", **label)
    return dot


def _subscript(k: int) -> str:
    """``k`` in subscript digits: 12 → ``₁₂``."""
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
