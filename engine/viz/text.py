"""The words and numbers of the pictures and step texts: names, numbers, filled-in formulas.

Everything a drawing, a step text or a page writes about a node comes from here, so that the
three always say the same thing: :func:`node_names` names the nodes (a label, a name from the
model for the nodes of a neuron made by ``nn``, else ``n<index>``), :func:`fmt` writes a
number, :func:`fill` puts numbers or names into a row's formula, :func:`op_text` is what an
operation's node shows and :func:`record_text` escapes a text for a Graphviz record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from engine.value import Value
from engine.viz.neurons import NeuronRun, find_neurons

__all__ = ["fmt", "node_names", "record_text", "record_label", "plain_text", "fill", "op_text",
           "MAX_DIGITS"]

MAX_DIGITS = 17
"""The most significant digits a picture shows: 17 write any float exactly."""


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


def node_names(order: Iterable[Value],
               neurons: Sequence[NeuronRun] | None = None) -> dict[Value, str]:
    """A short name for every node of a graph, given in topological order.

    - A labelled node is named by its label.
    - The nodes of a neuron made by ``nn`` (see :mod:`engine.viz.neurons`) are named from
      the model, after the neuron (``layers.0.neurons.2``): ``.z`` is its weighted sum,
      ``.a`` its activation, ``.w0x0``, ``.w1x1``, … the product of each weight with its
      input, and ``.s1``, ``.s2``, … the running sums between (``s1 = b + w0x0``,
      ``s2 = s1 + w1x1``, …, up to z). Any other node inside the neuron is ``.n0``,
      ``.n1``, … in the order computed. A neuron run more than once in one graph (once per
      sample of a batch) gets ``#0``, ``#1``, … after the names of each run, in the order
      of the runs.
    - Any other node is ``n<index>``, its position in ``order``, so the names are stable:
      the drawing and the step texts of one graph use the same ones.
    - A name that would still stand for two nodes (two nodes with the same label) gets
      ``#0``, ``#1``, … by position, so that no name in a text is ambiguous.

    ``neurons`` (default: :func:`~engine.viz.neurons.find_neurons` of ``order``) are the
    runs of neurons to name from the model.

    Examples:
        >>> from engine import Value, topological_order
        >>> x = Value(2.0, label="x")
        >>> list(node_names(topological_order(x * x + 1)).values())
        ['x', 'n1', 'n2']
        >>> a, b = Value(1.0, label="a"), Value(2.0, label="a")
        >>> list(node_names(topological_order(a * b)).values())
        ['a#0', 'a#1', 'n2']
        >>> w0, w1, b = (Value(0.5, label=f"p.{name}") for name in ("w.0", "w.1", "b"))
        >>> a = (b + w0 * x + w1 * 3.0).tanh()            # a neuron p, as nn writes one
        >>> a.label = "p.a"
        >>> [name for v, name in node_names(topological_order(a)).items() if not v.label]
        ['p.w0x0', 'p.s1', 'p.w1x1', 'p.z']
    """
    order = list(order)
    runs = find_neurons(order) if neurons is None else neurons
    names = {v: v.label or f"n{i}" for i, v in enumerate(order)}
    for run in runs:
        suffix = f"#{run.run}" if run.runs > 1 else ""
        weights = {p: found.group(1) for p in run.params
                   if (found := _WEIGHT.fullmatch(p.label[len(run.name) + 1:]))}
        members = set(run.members)
        sums = others = 0
        for v in run.members:
            if v is run.z:
                role = "z"
            elif v is run.a:
                role = "a"
            elif v.label:
                continue   # a node the model's code labelled itself keeps its label
            else:
                weight = next((weights[u] for u in v.inputs if u in weights), None)
                if v.op == "*" and weight is not None:
                    role = f"w{weight}x{weight}"
                elif v.op == "+" and any(u in members for u in v.inputs):
                    sums += 1
                    role = f"s{sums}"
                else:
                    role, others = f"n{others}", others + 1
            names[v] = f"{run.name}.{role}{suffix}"
    seen: dict[str, list[Value]] = {}
    for v in order:
        seen.setdefault(names[v], []).append(v)
    for name, nodes in seen.items():
        if len(nodes) > 1:
            for k, v in enumerate(nodes):
                names[v] = f"{name}#{k}"
    return names


_WEIGHT = re.compile(r"w\.(\d+)")


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


def record_label(texts: Sequence[str], turn: bool = False,
                 ports: Mapping[int, str] | None = None) -> str:
    r"""The label of a Graphviz record whose fields are ``texts``, each written as it is.

    The fields run across the rank direction; ``turn`` turns them along it (braces, as dot
    reads them). ``ports`` names fields by position, so that edges can start or end at them.

    Examples:
        >>> record_label(["x", "data 2"]), record_label(["a|b"], turn=True, ports={0: "in"})
        ('x|data 2', '{<in> a\\|b}')
    """
    ports = ports or {}
    # No spaces around "|": Graphviz 2.43 drops the space after a leading non-ASCII
    # character in a record field (" δ = 1" shows as "δ= 1").
    body = "|".join((f"<{ports[k]}> " if k in ports else "") + record_text(text)
                    for k, text in enumerate(texts))
    return "{" + body + "}" if turn else body


def plain_text(text: str) -> str:
    r"""``text`` as a Graphviz label (of an edge or a frame) shows it: as it is written.

    A backslash is doubled (dot reads ``\n``, ``\l`` and ``\N`` in labels), control
    characters show as their symbols and a line break as a space.

    Examples:
        >>> print(plain_text("a\\nb\x00c\nd"))
        a\\nb␀c d
    """
    return text.translate(_CONTROLS).replace("\\", "\\\\")


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
