"""engine.viz's entry points at the edges: what the argument rows of ``test_entry_points.py``
do not say (each argument's checker is tested there): graphs too big or too deep, values a
checker accepts giving the float's result, nodes outside the graph, texts a record must
escape, moving past the ends of a Stepper.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hostile import Table, check, ok

from engine import Stepper, Value, backprop_steps, draw_dot, forward_steps

MISSING: Any = object()  # an argument not given
table = Table()
case = table.case
# Numbers a checker accepts, each with the float it stands for.
NUMBERS: list[tuple[str, Any, float]] = [
    ("np.float32", np.float32(0.5), 0.5), ("np.int64", np.int64(2), 2.0),
    ("0-d float array", np.array(0.5), 0.5), ("Fraction", Fraction(1, 2), 0.5),
    ("subnormal", 5e-324, 5e-324),
]


def x2() -> Value:
    return Value(2.0, label="x")


@functools.cache
def chain(n: int) -> Value:
    """x + 1 + 1 + ... : a graph n + 1 Values deep (made once, never changed)."""
    v = Value(0.0, label="x")
    for _ in range(n):
        v = v + 1.0
    return v


# --- draw_dot ----------------------------------------------------------------------------


def _draw(**options: Any) -> str:
    root = options.pop("root", None)
    return draw_dot(x2() * 3 if root is None else root, **options).source


case("draw_dot", "max_nodes = None", lambda: _draw(root=chain(1500), max_nodes=None),
     lambda s: s.count("shape=record") == 1501)
case("draw_dot", "a graph over max_nodes", lambda: _draw(root=chain(1500)), ValueError,
     "draw_dot: the graph has 1501 Values, more than max_nodes=1000")
case("draw_dot", "digits = np.int64(2)", lambda: _draw(root=Value(1 / 3), digits=np.int64(2)),
     lambda s: "data 0.33|" in s)
for name, flag in [("np.bool_(False)", np.bool_(False)), ("0-d bool array", np.array(False))]:
    case("draw_dot", f"show_grad = {name}", lambda f=flag: _draw(show_grad=f),
         lambda s: "grad" not in s)
case("draw_dot", "highlight = a Value of another graph", lambda: _draw(highlight=Value(1.0)),
     ValueError, "draw_dot: highlight[0] must be a node of root's graph, got Value(data=1, ")
for name, good in [("[]", []), ("None", None), ("()", ())]:
    case("draw_dot", f"highlight = {name}", lambda g=good: _draw(highlight=g),
         lambda s: "fillcolor" not in s)
case("draw_dot", "highlight = {root}", lambda: (lambda y: draw_dot(y, highlight={y}).source)(
    x2() * 3), lambda s: s.count("fillcolor") == 1)
case("draw_dot", "a label with record characters", lambda: _draw(root=Value(1.0, "a|b{<c>}")),
     lambda s: r"a\|b\{\<c\>\}" in s)
case("draw_dot", "a subnormal, -0.0 and 1e308", lambda: _draw(root=Value(5e-324) + Value(-0.0)
                                                               + Value(1e308)),
     lambda s: all(t in s for t in ("data 4.941e-324|", "data 0|", "data 1e+308|")))
case("draw_dot", "a gradient kept as a Value",
     lambda: (lambda x: ((x * x).backward(create_graph=True), draw_dot(x).source)[1])(x2()),
     lambda s: "grad 4" in s)
case("draw_dot", "no positional options", lambda: draw_dot(x2(), "LR", True), TypeError,
     "draw_dot() takes from 1 to 2 positional arguments")

# --- forward_steps, backprop_steps -------------------------------------------------------

STEPS: list[tuple[str, Callable[..., Any]]] = [
    ("forward_steps", lambda root=MISSING, **kw: list(forward_steps(
        x2() * 3 if root is MISSING else root, **kw))),
    ("backprop_steps", lambda root=MISSING, **kw: list(backprop_steps(
        x2() * 3 if root is MISSING else root, **kw))),
]
for what, walk in STEPS:
    case(what, "a 1,500-deep chain (beyond the recursion limit)",
         lambda w=walk: len(w(root=chain(1500))), ok(1501))
    case(what, "digits = np.int64(2)", lambda w=walk: [s.digits for s in w(digits=np.int64(2))],
         lambda ds: ds == [2] * len(ds) and all(type(d) is int for d in ds))
for name, good, f in NUMBERS:
    case("backprop_steps", f"grad = {name}",
         lambda g=good: [s.upstream for s in STEPS[1][1](grad=g)], ok([f, 3.0 * f]))
case("backprop_steps", "grad = 1e308: the gradient overflows",
     lambda: STEPS[1][1](grad=1e308), ArithmeticError, "backprop_steps: the gradient reaching")


# --- Stepper -----------------------------------------------------------------------------


def _stepper(**options: Any) -> Stepper:
    root = options.pop("root", None)
    return Stepper(x2() * 3 if root is None else root, **options)


for name, good, f in NUMBERS:
    case("Stepper", f"grad = {name}",
         lambda g=good: [s.upstream for s in _stepper(grad=g).backward_steps], ok([f, 3.0 * f]))
case("Stepper", "grad = 1e308: the gradient overflows", lambda: _stepper(grad=1e308),
     ArithmeticError, "Stepper: the gradient reaching")
case("Stepper", "compact = np.bool_(True)",
     lambda: _stepper(compact=np.bool_(True)).draw().source == _stepper(compact=True).draw(
     ).source, ok(True))
case("Stepper", "a graph over max_nodes", lambda: _stepper(root=chain(1500)), ValueError,
     "Stepper: the graph has 1501 Values, more than max_nodes=1000")
case("Stepper", "goto(np.int64(2))", lambda: _stepper().goto(np.int64(2)).k, ok(2))
case("Stepper", "goto(-1)", lambda: _stepper().goto(-1).k, ok(3))
for k in (4, -5, 10**400):
    case("Stepper", f"goto({k if k < 10**9 else '10**400'})", lambda k=k: _stepper().goto(k),
         IndexError, "Stepper.goto: there are 4 steps (0 to 3), got k = ")
case("Stepper", "next() at the last step", lambda: _stepper().goto(3).next(), IndexError,
     "Stepper.next: already at the last step (4 of 4)")
case("Stepper", "prev() at the first step", lambda: _stepper().prev(), IndexError,
     "Stepper.prev: already at the first step")
case("Stepper", "it changes no data nor grad", lambda: (lambda y: (
    Stepper(y).goto(3).draw(), (y.data, y.grad, y.inputs[0].grad))[1])(x2() * 3),
    ok((6.0, 0.0, 0.0)))
case("Stepper", "explain() on a leaf", lambda: Stepper(x2()).explain(),
     ok("step 1 of 2 (forward): x = 2  (a leaf: given, not computed)"))


@pytest.mark.parametrize(("call", "expect", "match"), table.rows)
def test_hostile_input(call: Callable[[], object], expect: Any, match: str) -> None:
    check(call, expect, match)
