"""Drawing the computation graph with Graphviz.

:func:`draw_dot` turns the graph behind a Value into a :class:`graphviz.Digraph`: one record
per Value (its name, ``data`` and ``grad``), one small node per operation showing the row's
``symbol`` from :mod:`engine.ops`, and edges input → operation → output. Nodes are visited in
:func:`~engine.value.topological_order`, so the same graph always gives the same DOT source.
The nodes of a neuron made by ``nn`` (:mod:`engine.viz.neurons`) are named from the model and
can be drawn as one box showing z, a and δ = ∂L/∂z, so that a network's graph reads as layers
of neurons; :func:`neuron_fields` writes that box, for ``nn.draw_model`` too.

Building the drawing needs only the ``graphviz`` Python package; turning it into a picture
(in Jupyter, or with ``.pipe()`` / ``.render()``) needs Graphviz's ``dot`` program. When that
program is missing, rendering raises :class:`GraphvizNotFound`, whose message says how to
install it; in a notebook the cell shows that message instead of a picture.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import graphviz

from engine import args
from engine.value import Value, topological_order
from engine.viz.neurons import NeuronRun, find_neurons
from engine.viz.text import MAX_DIGITS, fmt, node_names, op_text, plain_text, record_label

__all__ = [
    "draw_dot",
    "Drawing",
    "GraphvizNotFound",
    "build_drawing",
    "graph_drawing",
    "hidden_nodes",
    "neuron_fields",
    "svg_image",
    "exact_scale",
    "check_collapse",
    "check_size",
    "RANKDIRS",
    "DEFAULT_MAX_NODES",
]

DEFAULT_MAX_NODES = 1000
"""Graphs with more Values than this are refused by :func:`draw_dot` and the Stepper unless
asked for (a page of this many nodes builds in seconds and plays; ``benchmarks/pages.py``)."""

RANKDIRS = ("LR", "TB", "RL", "BT")

# Colours: the node(s) asked for, the nodes a step-through has already finished, a neuron
# drawn as one box, and the gradient written on an edge (red, as in CS231n's circuits).
HIGHLIGHT_FILL = "#ffd54f"
HIGHLIGHT_PEN = "#d84315"
DONE_FILL = "#c8e6c9"
NEURON_FILL = "#eef2f7"
GRAD_COLOR = "#c62828"

INSTALL_HELP = (
    "Graphviz's `dot` program was not found, so the drawing cannot be rendered. "
    "The Python package `graphviz` only writes DOT text; the pictures come from the "
    "Graphviz program. Install it and restart Python (or the notebook kernel):\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  Fedora:         sudo dnf install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install graphviz\n"
    "  Windows:        winget install graphviz  (then add its bin folder to PATH)\n"
    "The DOT text is still available as the drawing's `.source`."
)


class GraphvizNotFound(graphviz.ExecutableNotFound):  # type: ignore[misc]
    """Rendering needs Graphviz's ``dot`` program, and it is not installed (or not on PATH).

    A ``RuntimeError`` (and a ``graphviz.ExecutableNotFound``) whose message says how to
    install Graphviz.
    """

    def __init__(self, message: str = INSTALL_HELP) -> None:
        RuntimeError.__init__(self, message)


def _missing_dot(err: Exception) -> GraphvizNotFound:
    return err if isinstance(err, GraphvizNotFound) else GraphvizNotFound()


# Graphviz writes the scale of a shrunk drawing (a graph `size`) with two decimals; rounded
# up, it pushes the rightmost node past the picture's edge. The exact scale is the viewBox
# height over the unscaled height (translate's y plus the pad, translate's x).
_SCALED = re.compile(r'(viewBox="0\.00 0\.00 [\d.]+ ([\d.]+)"[^>]*>\s*<g id="graph0" '
                     r'class="graph" transform=")scale\(([\d.]+) [\d.]+\)'
                     r'( rotate\(0\) translate\(([\d.]+) ([\d.]+)\)")')


def exact_scale(svg: str) -> str:
    r"""``svg`` with Graphviz's rounded scale replaced by the exact one (so nothing is cut off).

    Drawings pass their SVG through it.

    >>> head = ('<svg width="612pt" height="152pt" viewBox="0.00 0.00 612.00 152.08">\n'
    ...         '<g id="graph0" class="graph" transform="scale(0.68 0.68) rotate(0) '
    ...         'translate(4 221)">')
    >>> re.search(r"scale\([^)]*\)", exact_scale(head)).group()
    'scale(0.675911 0.675911)'
    """
    def fix(m: re.Match[str]) -> str:
        height, pad, top = float(m.group(2)), float(m.group(5)), float(m.group(6))
        if m.group(3) == "1" or top + pad <= 0:  # not shrunk: nothing was rounded
            return m.group(0)
        s = f"{height / (top + pad):.6f}"
        return f"{m.group(1)}scale({s} {s}){m.group(4)}"

    return _SCALED.sub(fix, svg, count=1)


_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"')


def svg_image(svg: str, alt: str, *, attrs: str = "") -> str:
    """``svg`` as an ``<img>`` of a ``data:`` URI, at its natural size (1 pt = 4/3 CSS px).

    An image is what every notebook front end shows, even where inline SVG is stripped (an
    untrusted notebook in JupyterLab keeps no ``<svg>``, but keeps images).

    >>> svg_image('<svg width="30pt" height="15pt"></svg>', 'a "graph"')[:66]
    '<img alt="a &quot;graph&quot;" width="40" height="20" src="data:im'
    """
    found = _SIZE.search(svg)
    size = "" if found is None else (f' width="{round(float(found.group(1)) * 4 / 3)}" '
                                     f'height="{round(float(found.group(2)) * 4 / 3)}"')
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img alt="{html.escape(alt)}"{size} src="data:image/svg+xml;base64,{data}"'
            f"{attrs}>")


class Drawing(graphviz.Digraph):  # type: ignore[misc]
    """A :class:`graphviz.Digraph` whose rendering explains a missing ``dot`` program.

    ``pipe``, ``render`` and ``view`` raise :class:`GraphvizNotFound` (one clear message, no
    chained traceback) instead of graphviz's bare error; in Jupyter the cell shows the same
    message as text instead of a picture. A notebook gets the picture as an image (so that it
    shows in an untrusted notebook too) at its natural size, scrolling when it is wider than
    the column, and as SVG for the front ends that prefer it.
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            out = super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as err:
            raise _missing_dot(err) from None
        if (kwargs.get("format") or (args[0] if args else None) or self.format) != "svg":
            return out
        return exact_scale(out) if isinstance(out, str) else exact_scale(
            out.decode("utf-8")).encode("utf-8")

    def render(self, *args: Any, **kwargs: Any) -> Any:
        # An SVG file gets the exact scale too, before any viewer opens it.
        # (graphviz's own positional order, passed on by name: view is taken out here)
        names = ("filename", "directory", "view", "cleanup", "format", "renderer",
                 "formatter", "neato_no_op", "quiet", "quiet_view")
        if len(args) > len(names):
            raise TypeError(f"render: takes at most {len(names)} positional arguments, "
                            f"got {len(args)}")
        for name, arg in zip(names, args):
            if name in kwargs:
                raise TypeError(f"render: got {name} both by position and by name")
            kwargs[name] = arg
        view = kwargs.pop("view", False)
        try:
            path = super().render(**kwargs)
        except graphviz.ExecutableNotFound as err:
            raise _missing_dot(err) from None
        if str(path).endswith(".svg"):
            with open(path, encoding="utf-8") as file:
                text = file.read()
            with open(path, "w", encoding="utf-8") as file:
                file.write(exact_scale(text))
        if view:
            graphviz.view(path, quiet=kwargs.get("quiet_view", False))
        return path

    def view(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().view(*args, **kwargs)
        except graphviz.ExecutableNotFound as err:
            raise _missing_dot(err) from None

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        wanted = {"text/html", "image/svg+xml"} if include is None else set(include)
        wanted -= set(exclude or ())
        try:
            bundle: dict[str, Any] = super()._repr_mimebundle_(
                wanted - {"text/html"} | ({"image/svg+xml"} if "text/html" in wanted else set()))
        except GraphvizNotFound as err:
            # Jupyter would print a traceback for an exception raised here; show the advice.
            return {"text/plain": str(err)}
        if "text/html" in wanted:
            svg = bundle["image/svg+xml"]
            image = svg_image(svg, self._counts_text(), attrs=' style="max-width: none"')
            bundle["text/html"] = f'<div style="overflow: auto">{image}</div>'
            if "image/svg+xml" not in wanted:
                del bundle["image/svg+xml"]
        return bundle

    def svg(self) -> str:
        """The drawing rendered to SVG text (needs Graphviz's ``dot``)."""
        return str(self.pipe(format="svg", encoding="utf-8"))

    def _counts(self) -> tuple[int, int]:
        """``(nodes, edges)`` in the DOT statements so far, counted without rendering."""
        nodes = edges = 0
        for statement in self.body:
            head = statement.strip().split("[", 1)[0].strip()
            if "->" in head:
                edges += 1
            elif head and head not in ("{", "}") and "=" not in head and not head.startswith(
                    ("subgraph", "graph", "node", "edge")):
                nodes += 1
        return nodes, edges

    def _counts_text(self) -> str:
        nodes, edges = self._counts()
        return (f"a drawing of {nodes} node{'s' * (nodes != 1)} and {edges} "
                f"edge{'s' * (edges != 1)}")

    def __repr__(self) -> str:
        """A short stable summary (a notebook's plain-text fallback for the picture).

        Examples:
            >>> from engine import Value
            >>> draw_dot(Value(2.0) * 3)
            <Drawing 'computation': 3 nodes, 2 edges; shows as a picture in Jupyter, or call .svg()>
        """
        nodes, edges = self._counts()
        name = f" {self.name!r}" if self.name else ""
        return (f"<Drawing{name}: {nodes} node{'s' * (nodes != 1)}, {edges} "
                f"edge{'s' * (edges != 1)}; shows as a picture in Jupyter, or call .svg()>")


# --- checks of the options -------------------------------------------------------------

def check_collapse(collapse: Any, where: str) -> bool | frozenset[str]:
    """``collapse`` as True, False (NumPy's bool too) or a set of neuron names.

    Examples:
        >>> sorted(check_collapse(["layers.0.neurons.1"], "draw_dot: collapse"))
        ['layers.0.neurons.1']
        >>> check_collapse("layers.0", "draw_dot: collapse")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        TypeError: draw_dot: collapse must be True, False or a list of neuron names (...
    """
    if args.is_flag(collapse):
        return args.flag(collapse, where)
    names = list(collapse) if isinstance(collapse, (set, frozenset)) else collapse
    return frozenset(args.items(
        names, where, args.text, empty=True,
        kind="True, False or a list of neuron names (such as ['layers.0.neurons.1'])"))


def check_size(n: int, max_nodes: int | None, what: str) -> None:
    """Refuse a graph of ``n`` Values when it has more than ``max_nodes``, saying how to
    draw it anyway."""
    if max_nodes is not None and n > max_nodes:
        raise ValueError(
            f"{what}: the graph has {n} Values, more than max_nodes={max_nodes}. A drawing "
            f"that big is unreadable and slow to lay out. Draw a smaller part of the "
            f"computation (one neuron, one sample), or pass max_nodes={n} (or max_nodes=None) "
            f"to draw it anyway."
        )


def _a_value(v: Any, where: str) -> Value:
    return args.instance(v, where, Value)


def _highlighted(values: Any, order: Collection[Value], where: str) -> set[Value]:
    """The Values (or one Value) of ``values``, each a node of the graph ``order``."""
    if values is None:
        return set()
    if isinstance(values, Value):
        found = [values]
    else:
        found = args.items(list(values) if isinstance(values, (set, frozenset)) else values,
                           where, _a_value, kind="a Value or a list of Values", empty=True)
    for i, v in enumerate(found):
        if v not in order:
            raise ValueError(f"{where}[{i}] must be a node of root's graph, got {v!r}, "
                             f"which is not")
    return set(found)


# --- the drawing -----------------------------------------------------------------------

def neuron_fields(title: str, activation: str, z: str, a: str | None = None,
                  delta: str | None = None, root: str = "L") -> list[str]:
    """The lines of a neuron's box: its name, z, a = f(z) and δ = ∂L/∂z, as given.

    The one way a neuron is written, by :func:`draw_dot`, the Stepper and ``nn.draw_model``.
    ``activation`` is the name of f (``""`` for a linear neuron, which has no a); ``a`` and
    ``delta`` are left out when ``None``; ``root`` names the loss in δ.

    Examples:
        >>> neuron_fields("layers.0.neurons.2", "relu", "0.5", "0.5", "-0.25", "loss")
        ['layers.0.neurons.2 (relu)', 'z = 0.5', 'a = relu(z) = 0.5', 'δ = ∂loss/∂z = -0.25']
        >>> neuron_fields("layers.1.neurons.0", "", "1.2")
        ['layers.1.neurons.0 (linear)', 'z = 1.2']
    """
    lines = [f"{title} ({activation or 'linear'})", f"z = {z}"]
    if activation and a is not None:
        lines.append(f"a = {activation}(z) = {a}")
    if delta is not None:
        lines.append(f"δ = ∂{root}/∂z = {delta}")
    return lines


# compact=True: boxes with stacked fields, ranks packed close.
_COMPACT_GRAPH = {"ranksep": "0.2", "nodesep": "0.1"}
_COMPACT_NODE = {"width": "0.3", "height": "0.3", "margin": "0.05,0.03"}


def hidden_nodes(runs: Sequence[NeuronRun], collapse: bool | frozenset[str]) -> dict[Value, int]:
    """Which run's box each node of a collapsed neuron is drawn in (run indices into ``runs``)."""
    hidden: dict[Value, int] = {}
    for j, run in enumerate(runs):
        if collapse is True or (collapse is not False and run.name in collapse):
            for v in run.members:
                hidden[v] = j
    return hidden


def graph_drawing(
    order: Sequence[Value],
    *,
    runs: Sequence[NeuronRun] = (),
    hidden: Mapping[Value, int] | None = None,
    record: Callable[[Value], list[str]],
    box: Callable[[NeuronRun], list[str]] | None = None,
    fills: Mapping[str, str] | None = None,
    edge_labels: Mapping[tuple[str, str], str] | None = None,
    rankdir: str = "LR",
    compact: bool = False,
    digits: int = 4,
) -> Drawing:
    """The drawing of a graph given in topological order, with the texts given.

    Graphviz node ids: ``v<i>`` for the record of ``order[i]``, ``v<i>op`` for its
    operation, ``r<j>`` for the box of ``runs[j]``. ``hidden`` maps the nodes drawn inside a
    neuron's box to that run's index (the box takes their edges; see :func:`hidden_nodes`);
    a run not collapsed is drawn node by node inside a frame titled with its name.
    ``record(v)`` gives a record's fields, ``box(run)`` a box's; ``fills`` maps node ids to
    ``"current"`` or ``"done"``; ``edge_labels`` maps ``(tail id, head id)`` to a label (the
    gradient an edge carries back). The primitives of :func:`draw_dot` and the pages.
    """
    hidden = hidden or {}
    fills = fills or {}
    edge_labels = edge_labels or {}
    index = {v: i for i, v in enumerate(order)}

    def drawn(v: Value) -> str:
        j = hidden.get(v)
        return f"v{index[v]}" if j is None else f"r{j}"

    dot = Drawing(
        name="computation",
        graph_attr={"rankdir": rankdir, **_COMPACT_GRAPH} if compact else {"rankdir": rankdir},
        node_attr={"fontsize": "11", **_COMPACT_NODE} if compact else {"fontsize": "11"},
        edge_attr={"arrowsize": "0.7"},
    )
    # A record's fields run across the rank direction: braces turn them along it, so that
    # left to right they read in a row (as micrograd draws them); compact keeps them stacked.
    horizontal = rankdir in ("LR", "RL") and not compact

    def fields(texts: list[str], stacked: bool = False) -> str:
        return record_label(texts, rankdir in ("TB", "BT") if stacked else horizontal)

    def look(node_id: str, rounded: bool = False) -> dict[str, str]:
        shape = ",rounded" if rounded else ""
        state = fills.get(node_id)
        if state == "current":
            return {"style": "filled,bold" + shape, "fillcolor": HIGHLIGHT_FILL,
                    "color": HIGHLIGHT_PEN, "penwidth": "2.5"}
        if state == "done":
            return {"style": "filled" + shape, "fillcolor": DONE_FILL}
        return {"style": "filled" + shape, "fillcolor": NEURON_FILL} if rounded else {}

    expanded = {j for j, run in enumerate(runs) if run.members and run.members[0] not in hidden}
    clusters = {j: graphviz.Digraph(name=f"cluster_r{j}") for j in expanded}
    for j in expanded:
        clusters[j].attr(label=plain_text(runs[j].title), style="rounded,dashed",
                         color="#9e9e9e", fontsize="10")
    cluster_of = {v: j for j in expanded for v in runs[j].members}
    boxes_done: set[int] = set()
    edges: list[tuple[str, str]] = []
    seen_edges: set[tuple[str, str]] = set()
    for v in order:
        i = index[v]
        run_index = hidden.get(v)
        if run_index is not None:
            j = run_index
            if j not in boxes_done:
                boxes_done.add(j)
                assert box is not None, "graph_drawing: a collapsed neuron needs box"
                # A neuron's lines are stacked, whatever the direction, as draw_model's are.
                dot.node(f"r{j}", label=fields(box(runs[j]), stacked=True), shape="record",
                         **look(f"r{j}", rounded=True))
            for inp in v.inputs:
                if hidden.get(inp) != j:
                    pair = (drawn(inp), f"r{j}")
                    if pair not in seen_edges:
                        seen_edges.add(pair)
                        edges.append(pair)
            continue
        where = clusters[cluster_of[v]] if v in cluster_of else dot
        where.node(f"v{i}", label=fields(record(v)), shape="record", **look(f"v{i}"))
        if v.rule is not None:
            op_id = f"v{i}op"
            where.node(op_id, label=op_text(v, digits), shape="ellipse", fontsize="10",
                       tooltip=v.rule.text)
            edges.append((op_id, f"v{i}"))
            edges += [(drawn(inp), op_id) for inp in v.inputs]
    for j in sorted(clusters):
        dot.subgraph(clusters[j])
    for tail, head in edges:
        label = edge_labels.get((tail, head))
        if label is None:
            dot.edge(tail, head)
        else:
            dot.edge(tail, head, label=plain_text(label), fontcolor=GRAD_COLOR,
                     fontsize="12", color=GRAD_COLOR, penwidth="1.6")
    return dot


def build_drawing(
    root: Value,
    *,
    rankdir: str = "LR",
    digits: int = 4,
    show_grad: bool = True,
    highlight: Iterable[Value] | Value | None = None,
    done: Collection[Value] = (),
    data: Mapping[Value, float] | None = None,
    grads: Mapping[Value, float] | None = None,
    names: Mapping[Value, str] | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    what: str = "draw_dot",
    compact: bool = False,
    collapse: Any = True,
    edges: Iterable[tuple[Value, Value, float]] = (),
) -> Drawing:
    """:func:`draw_dot` with the extra controls the step-through needs.

    ``done`` nodes are filled green; ``data`` and ``grads`` (None: each node's ``.data``,
    ``.grad``) give the numbers to show, and nodes missing from them show ``data ?``,
    ``grad ?``. ``names`` (None: :func:`~engine.viz.text.node_names`) names the nodes.
    ``edges`` holds ``(input, user, gradient)``: the edge from ``input`` into ``user``'s
    operation is labelled with the gradient it carried back.
    """
    args.instance(root, f"{what}: root", Value)
    rankdir = args.choice(rankdir, f"{what}: rankdir", RANKDIRS)
    digits = args.whole(digits, f"{what}: digits", low=1, high=MAX_DIGITS)
    max_nodes = args.whole_or_none(max_nodes, f"{what}: max_nodes", low=1)
    show_grad = args.flag(show_grad, f"{what}: show_grad")
    compact = args.flag(compact, f"{what}: compact")
    collapse = check_collapse(collapse, f"{what}: collapse")
    order = topological_order(root)
    check_size(len(order), max_nodes, what)
    marked = _highlighted(highlight, set(order), f"{what}: highlight")
    runs = find_neurons(order)
    names = node_names(order, runs) if names is None else names
    hidden = hidden_nodes(runs, collapse)
    index = {v: i for i, v in enumerate(order)}

    def number(v: Value, given: Mapping[Value, float] | None, now: float) -> str:
        if given is None:
            return fmt(now, digits)
        return fmt(given[v], digits) if v in given else "?"

    def record(v: Value) -> list[str]:
        texts = [names[v], f"data {number(v, data, v.data)}"]
        if show_grad:
            texts.append(f"grad {number(v, grads, v.grad)}")
        return texts

    root_name = names[root]

    def box(run: NeuronRun) -> list[str]:
        a = None if run.a is None else number(run.a, data, run.a.data)
        delta = number(run.z, grads, run.z.grad) if show_grad else None
        return neuron_fields(run.title, run.activation, number(run.z, data, run.z.data), a,
                             delta, root_name)

    def node_id(v: Value) -> str:
        j = hidden.get(v)
        return f"v{index[v]}" if j is None else f"r{j}"

    fills: dict[str, str] = {}
    for v in done:
        if v in index:
            fills[node_id(v)] = "done"
    for j, run in enumerate(runs):   # a box is done when all of its nodes are
        if f"r{j}" in fills and not all(v in done for v in run.members):
            del fills[f"r{j}"]
    for v in marked:
        fills[node_id(v)] = "current"
    labels: dict[tuple[str, str], str] = {}
    for inp, user, gradient in edges:
        tail = node_id(inp)
        head = f"v{index[user]}op" if user not in hidden else f"r{hidden[user]}"
        if tail != head:
            text = fmt(gradient, digits)
            labels[(tail, head)] = (labels[(tail, head)] + " + " + text
                                    if (tail, head) in labels else text)
    return graph_drawing(order, runs=runs, hidden=hidden, record=record, box=box, fills=fills,
                         edge_labels=labels, rankdir=rankdir, compact=compact, digits=digits)


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    *,
    show_grad: bool = True,
    highlight: Iterable[Value] | Value | None = None,
    digits: int = 4,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    compact: bool = False,
    collapse: bool | Iterable[str] = True,
) -> Drawing:
    """Draw ``root``'s computation graph: a record per Value, a node per operation.

    Each Value shows its name (its label, or ``n<index>`` in topological order, the same
    names the step-through uses), its ``data`` and its ``grad``, with ``digits`` significant
    digits. Operation nodes show the row's symbol (``×``, ``tanh``, ...), or the formula
    with its constant (``x * 2``). Edges run input → operation → output.

    A graph made by ``nn`` knows its neurons (see :mod:`engine.viz.neurons`): their nodes
    are named from the model (``layers.0.neurons.2.z``), and each run of a neuron is drawn
    as one box showing z, a = f(z) and δ = ∂L/∂z, so that the graph reads as layers of
    neurons; ``collapse=False`` draws every node (each neuron's inside a frame with its
    name), a list of names collapses only those neurons.

    Args:
        root: the Value whose graph to draw.
        rankdir: ``"LR"`` (left to right, the default) or ``"TB"`` (top to bottom);
            ``"RL"`` and ``"BT"`` work too.
        show_grad: False leaves the gradients out (for a forward-only picture).
        highlight: Values (or one Value) to colour, e.g. the node under discussion (a node
            inside a collapsed neuron colours its box).
        digits: significant digits of the numbers shown, from 1 to 17.
        compact: stack each box's fields and pack the layout (a narrower picture).
        collapse: True (each neuron as one box), False (every node), or a list of neuron
            names (``["layers.0.neurons.1"]``) to draw as boxes.
        max_nodes: refuse graphs with more Values than this (``ValueError`` saying how
            many there are); ``None`` for no limit. Graphviz takes ever longer to lay out
            big graphs, and nobody can read them.

    Returns:
        a :class:`Drawing` (a ``graphviz.Digraph``): displays inline in Jupyter (an image,
        at its natural size: it scrolls rather than shrinks); ``.svg()``, ``.pipe()``,
        ``.render()`` and ``.source`` as usual.

    Examples:
        >>> from engine import Value
        >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
        >>> y = (x * w).tanh()
        >>> dot = draw_dot(y, highlight=y)
        >>> 'label="{x|data 2|grad 0}"' in dot.source
        True
        >>> print(dot.source.count("->"), "edges")
        5 edges
    """
    return build_drawing(root, rankdir=rankdir, digits=digits, show_grad=show_grad,
                         highlight=highlight, max_nodes=max_nodes, compact=compact,
                         collapse=collapse)
