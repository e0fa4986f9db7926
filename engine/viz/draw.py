"""Drawing the computation graph with Graphviz.

:func:`draw_dot` turns the graph behind a Value into a :class:`graphviz.Digraph`: one record
per Value (its name, ``data`` and ``grad``), one small node per operation showing the row's
``symbol`` from :mod:`engine.ops`, and edges input → operation → output. Nodes are visited in
:func:`~engine.autograd.topological_order`, so the same graph always gives the same DOT source.

Building the drawing needs only the ``graphviz`` Python package; turning it into a picture
(in Jupyter, or with ``.pipe()`` / ``.render()``) needs Graphviz's ``dot`` program. When that
program is missing, rendering raises :class:`GraphvizNotFound`, whose message says how to
install it; in a notebook the cell shows that message instead of a picture.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import graphviz

from engine.autograd import check_flag
from engine.value import Value, topological_order

__all__ = [
    "draw_dot",
    "Drawing",
    "GraphvizNotFound",
    "node_names",
    "fmt",
    "record_text",
    "op_text",
    "fill",
    "exact_scale",
    "check_options",
    "check_flag",
    "whole_number",
    "DEFAULT_MAX_NODES",
]

DEFAULT_MAX_NODES = 300
"""Graphs with more Values than this are refused by :func:`draw_dot` unless asked for."""

RANKDIRS = ("LR", "TB", "RL", "BT")

# Colours: the node(s) asked for, and the nodes a step-through has already finished.
HIGHLIGHT_FILL = "#ffd54f"
HIGHLIGHT_PEN = "#d84315"
DONE_FILL = "#c8e6c9"

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


# Graphviz writes the scale of a shrunk drawing (compact=True) with two decimals; rounded up,
# it pushes the rightmost node past the picture's edge. The exact scale is the viewBox height
# over the unscaled height (translate's y plus the pad, translate's x).
_SCALED = re.compile(r'(viewBox="0\.00 0\.00 [\d.]+ ([\d.]+)"[^>]*>\s*<g id="graph0" '
                     r'class="graph" transform=")scale\(([\d.]+) [\d.]+\)'
                     r'( rotate\(0\) translate\(([\d.]+) ([\d.]+)\)")')


def exact_scale(svg: str) -> str:
    r"""``svg`` with Graphviz's rounded scale replaced by the exact one (so nothing is cut off).

    Drawings pass their SVG through it; so does the stepper page.

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


class Drawing(graphviz.Digraph):  # type: ignore[misc]
    """A :class:`graphviz.Digraph` whose rendering explains a missing ``dot`` program.

    ``pipe``, ``render`` and ``view`` raise :class:`GraphvizNotFound` (one clear message, no
    chained traceback) instead of graphviz's bare error; in Jupyter the cell shows the same
    message as text instead of a picture.
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
        try:
            bundle: dict[str, Any] = super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFound as err:
            # Jupyter would print a traceback for an exception raised here; show the advice.
            return {"text/plain": str(err)}
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

    def __repr__(self) -> str:
        """A short stable summary (a notebook's plain-text fallback for the picture).

        Examples:
            >>> from engine import Value
            >>> draw_dot(Value(2.0) * 3)
            <Drawing 'computation': 3 nodes, 2 edges; shows as SVG in Jupyter, or call .svg()>
        """
        nodes, edges = self._counts()
        name = f" {self.name!r}" if self.name else ""
        return (f"<Drawing{name}: {nodes} node{'s' * (nodes != 1)}, {edges} "
                f"edge{'s' * (edges != 1)}; shows as SVG in Jupyter, or call .svg()>")


# --- text ------------------------------------------------------------------------------

def fmt(x: float | Value, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits, as the drawings and step texts show it.

    A Value (a gradient kept as a Value by ``create_graph=True``) shows its number.

    Examples:
        >>> fmt(0.70710678), fmt(2.0), fmt(-1234567.0), fmt(1e-7)
        ('0.7071', '2', '-1.235e+06', '1e-07')
    """
    if isinstance(x, Value):
        x = x.data
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def node_names(order: Iterable[Value]) -> dict[Value, str]:
    """A short name for every node: its label if it has one, else ``n<index>``.

    The index is the node's position in ``order`` (a topological order), so the names are
    stable: drawing and step texts of the same graph use the same ones.

    Examples:
        >>> from engine import Value, topological_order
        >>> x = Value(2.0, label="x")
        >>> list(node_names(topological_order(x * x + 1)).values())
        ['x', 'n1', 'n2']
    """
    return {v: v.label or f"n{i}" for i, v in enumerate(order)}


_RECORD_SPECIAL = re.compile(r'([\\{}|<>"])')
# Control characters (dot refuses some, drops others) as their symbols; a line break a space.
_CONTROLS = {c: 0x2400 + c for c in range(32)} | {0x7F: 0x2421, ord("\n"): ord(" ")}


def record_text(text: str) -> str:
    r"""``text`` as a Graphviz record label shows it: as it is written.

    The characters that mean something in a record get a backslash, ``&`` becomes
    ``&amp;`` (dot reads entities such as ``&#x41;``), control characters show as their
    symbols (``\x00`` as ``␀``) and a line break as a space.

    Examples:
        >>> print(record_text('a|b & "c"\x00\nd'))
        a\|b &amp; \"c\"␀ d
    """
    return _RECORD_SPECIAL.sub(r"\\\1", text.translate(_CONTROLS)).replace("&", "&amp;")


_LETTER = re.compile(r"(?<![A-Za-z_])([xyc])(?![A-Za-z_])")
# What follows a number and binds tighter than its minus sign: a power.
_POWER_AFTER = ("**", "^", "²", "³")


def fill(formula: str, values: dict[str, str]) -> str:
    """Put ``values`` in place of the letters x, y, c of a row's formula or symbol.

    The one formula-filler: step texts and drawings both use it. The result stays a
    correct expression: a negative number gets parentheses when an operator comes before it
    (``2 * (-3)``, ``× (-2)``) or a power after it (``(-0.5) ** 2``), but not when it opens
    a bracket, an argument list, an absolute value or a clause of ``a if b else c``. A letter
    written right after a number (``3x²``, a product) gets a ``·`` before what replaces it.

    Examples:
        >>> fill("x ** c", {"x": "-0.5", "c": "2"})
        '(-0.5) ** 2'
        >>> fill("c - x", {"x": "-3", "c": "-1"}), fill("× c", {"c": "-2"})
        ('-1 - (-3)', '× (-2)')
        >>> fill("tanh(x)", {"x": "-3"}), fill("max(0, x)", {"x": "-3"})
        ('tanh(-3)', 'max(0, -3)')
        >>> fill("3x²", {"x": "1.5"}), fill("3x²", {"x": "-1.5"})
        ('3·1.5²', '3·(-1.5)²')
    """

    def put(m: re.Match[str]) -> str:
        letter = m.group(1)
        text = values.get(letter, letter)
        # A letter right after a number is a product (3x²): 3·1.5², not 31.5².
        dot = "·" if text != letter and m.start() and formula[m.start() - 1].isdigit() else ""
        if text.startswith("-"):
            before = formula[: m.start()].rstrip()
            after = formula[m.end():].lstrip()
            # A bar opens an absolute value when an even number of bars precede it; a word
            # before (the letter itself never touches one) is a keyword such as ``else``.
            opens = (not before or before[-1] in "([,"
                     or (before[-1] == "|" and before.count("|") % 2 == 1)
                     or before[-1].isalpha())
            if not opens or after.startswith(_POWER_AFTER):
                text = f"({text})"
        return dot + text

    return _LETTER.sub(put, formula)


def op_text(node: Value, digits: int = 4) -> str:
    """What the operation node shows: the row's symbol, with its constant filled in.

    Examples:
        >>> from engine import Value
        >>> x = Value(3.0)
        >>> op_text(x * x), op_text(x * -2), op_text(1 - x), op_text(x ** 2), op_text(x.tanh())
        ('×', '× (-2)', '1 −', '^2', 'tanh')
    """
    rule = node.rule
    if rule is None:
        return ""
    if node.param is None:
        return rule.symbol
    return fill(rule.symbol, {"c": fmt(node.param, digits)})


# --- the drawing -----------------------------------------------------------------------

def whole_number(x: Any, what: str) -> int:
    """``x`` as an int: any whole number (NumPy's too, and 0-d integer arrays), never a bool.

    Examples:
        >>> whole_number(3, "digits")
        3
        >>> whole_number(2.0, "draw_dot: digits")
        Traceback (most recent call last):
        TypeError: draw_dot: digits must be a whole number, got 2.0
    """
    dtype = getattr(x, "dtype", None)
    if not isinstance(x, bool) and not (dtype is not None and dtype.kind == "b"):
        try:
            return operator.index(x)
        except TypeError:
            pass
    raise TypeError(f"{what} must be a whole number, got {x!r}")


def check_options(rankdir: Any, digits: Any, max_nodes: Any,
                  what: str = "draw_dot") -> tuple[int, int | None]:
    """Refuse a bad ``rankdir``, ``digits`` or ``max_nodes``, naming ``what`` was called.

    A wrong type is a ``TypeError``, a whole number out of range (``digits`` runs from 1 to
    17) or an unknown rankdir a ``ValueError``. Returns ``(digits, max_nodes)`` as plain
    ints (NumPy integers are accepted).

    Examples:
        >>> check_options("TB", 3, None)
        (3, None)
        >>> check_options("TB", 0, None, "Stepper")
        Traceback (most recent call last):
        ValueError: Stepper: digits must be a whole number ≥ 1, got 0
    """
    if not isinstance(rankdir, str) or rankdir not in RANKDIRS:
        raise ValueError(f"{what}: rankdir must be one of {', '.join(RANKDIRS)}, "
                         f"got {rankdir!r}")
    n_digits = whole_number(digits, f"{what}: digits")
    if n_digits < 1:
        raise ValueError(f"{what}: digits must be a whole number ≥ 1, got {n_digits}")
    if n_digits > 17:
        raise ValueError(f"{what}: digits must be a whole number ≤ 17 (17 significant digits "
                         f"show any float exactly), got {n_digits}")
    if max_nodes is None:
        return n_digits, None
    limit = whole_number(max_nodes, f"{what}: max_nodes")
    if limit < 1:
        raise ValueError(f"{what}: max_nodes must be a whole number ≥ 1 or None, got {limit}")
    return n_digits, limit


def _guard(n: int, max_nodes: int | None, what: str) -> None:
    if max_nodes is not None and n > max_nodes:
        raise ValueError(
            f"{what}: the graph has {n} Values, more than max_nodes={max_nodes}. A drawing "
            f"that big is unreadable and slow to lay out. Draw a smaller part of the "
            f"computation (one neuron, one sample), or pass max_nodes={n} (or max_nodes=None) "
            f"to draw it anyway."
        )


def _members(values: Iterable[Value] | Value | None, order: Collection[Value],
             arg: str, what: str) -> set[Value]:
    if values is None:
        return set()
    if isinstance(values, Value):
        items = [values]
    elif isinstance(values, (list, tuple, set, frozenset)):
        items = list(values)
    else:
        raise TypeError(f"{what}: {arg} must be a Value or a list of Values, got "
                        f"{type(values).__name__}")
    for v in items:
        if not isinstance(v, Value):
            raise TypeError(f"{what}: {arg} must hold Values, got {type(v).__name__}")
        if v not in order:
            raise ValueError(f"{what}: {arg} holds {v!r}, which is not in root's graph")
    return set(items)


# compact=True: boxes with stacked fields, ranks packed close, at most 8.5 in (~820 px) wide.
_COMPACT_GRAPH = {"ranksep": "0.2", "nodesep": "0.1", "size": "8.5,5"}
_COMPACT_NODE = {"width": "0.3", "height": "0.3", "margin": "0.05,0.03"}


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
) -> Drawing:
    """:func:`draw_dot` with the extra controls the step-through needs.

    ``done`` nodes are filled green; ``data`` and ``grads`` (None: each node's ``.data``,
    ``.grad``) give the numbers to show, and nodes missing from them show ``data ?``,
    ``grad ?``. ``names`` (None: from the labels now) names the nodes.
    """
    if not isinstance(root, Value):
        raise TypeError(f"{what}: expected a Value, got {type(root).__name__}")
    digits, max_nodes = check_options(rankdir, digits, max_nodes, what)
    check_flag(show_grad, f"{what}: show_grad")
    check_flag(compact, f"{what}: compact")
    order = topological_order(root)
    _guard(len(order), max_nodes, what)
    index = {v: i for i, v in enumerate(order)}
    marked = _members(highlight, index, "highlight", what)
    names = node_names(order) if names is None else names

    dot = Drawing(
        name="computation",
        graph_attr={"rankdir": rankdir, **_COMPACT_GRAPH} if compact else {"rankdir": rankdir},
        node_attr={"fontsize": "11", **_COMPACT_NODE} if compact else {"fontsize": "11"},
        edge_attr={"arrowsize": "0.7"},
    )
    # A record's fields run across the rank direction: braces turn them along it, so that
    # left to right they read in a row (as micrograd draws them); compact keeps them stacked.
    horizontal = rankdir in ("LR", "RL") and not compact
    for v in order:
        i = index[v]
        fields = [record_text(names[v])]
        if data is None:
            fields.append(f"data {fmt(v.data, digits)}")
        else:
            fields.append(f"data {fmt(data[v], digits)}" if v in data else "data ?")
        if show_grad:
            if grads is None:
                fields.append(f"grad {fmt(v.grad, digits)}")
            elif v in grads:
                fields.append(f"grad {fmt(grads[v], digits)}")
            else:
                fields.append("grad ?")
        # No spaces around "|": Graphviz 2.43 drops the space after a leading non-ASCII
        # character in a record field (" δ = 1" shows as "δ= 1").
        body = "|".join(fields)
        attrs: dict[str, str] = {"shape": "record"}
        if v in marked:
            attrs.update(style="filled,bold", fillcolor=HIGHLIGHT_FILL, color=HIGHLIGHT_PEN,
                         penwidth="2.5")
        elif v in done:
            attrs.update(style="filled", fillcolor=DONE_FILL)
        dot.node(f"v{i}", label="{" + body + "}" if horizontal else body, **attrs)
        if v.rule is not None:
            op_id = f"v{i}op"
            dot.node(op_id, label=op_text(v, digits), shape="ellipse",
                     fontsize="10", tooltip=v.rule.text)
            dot.edge(op_id, f"v{i}")
            for inp in v.inputs:
                dot.edge(f"v{index[inp]}", op_id)
    return dot


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    *,
    show_grad: bool = True,
    highlight: Iterable[Value] | Value | None = None,
    digits: int = 4,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    compact: bool = False,
) -> Drawing:
    """Draw ``root``'s computation graph: a record per Value, a node per operation.

    Each Value shows its name (its label, or ``n<index>`` in topological order, the same
    names the step-through uses), its ``data`` and its ``grad``, with ``digits`` significant
    digits. Operation nodes show the row's symbol (``×``, ``tanh``, ...), or the formula
    with its constant (``x * 2``). Edges run input → operation → output.

    Args:
        root: the Value whose graph to draw.
        rankdir: ``"LR"`` (left to right, the default) or ``"TB"`` (top to bottom);
            ``"RL"`` and ``"BT"`` work too.
        show_grad: False leaves the gradients out (for a forward-only picture).
        highlight: Values (or one Value) to colour, e.g. the node under discussion.
        digits: significant digits of the numbers shown.
        compact: stack each box's fields and pack the layout, at most ~820 px wide (for a
            page or a notebook read at 1,000 px).
        max_nodes: refuse graphs with more Values than this (``ValueError`` saying how
            many there are); ``None`` for no limit. Graphviz takes ever longer to lay out
            big graphs, and nobody can read them.

    Returns:
        a :class:`Drawing` (a ``graphviz.Digraph``): displays inline as SVG in Jupyter;
        ``.svg()``, ``.pipe()``, ``.render()`` and ``.source`` as usual.

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
                         highlight=highlight, max_nodes=max_nodes, compact=compact)
