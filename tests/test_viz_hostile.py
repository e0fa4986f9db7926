"""engine.viz's entry points given hostile input: draw_dot, the step iterators, Stepper.

Moved here from the engine's hostile table (the core's arguments are now one row each in
``test_entry_points.py``); the viewing code is being rebuilt, and these rows go with it:
when draw, steps and Stepper check their arguments with :mod:`engine.args`, they become
rows of ``test_entry_points.py`` too.
"""

from __future__ import annotations

import functools
import math
import shutil
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hostile import NON_FINITE, NOT_FLAGS, NOT_NUMBERS, NUMBERS, Table, check, ok

from engine import Drawing, Stepper, Value, backprop_steps, draw_dot, forward_steps

DOT = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot program")
NOT_COUNTS: list[tuple[str, Any]] = [
    ("bool", True), ("float", 2.0), ("str", "2"), ("complex", 2 + 0j),
    ("Decimal", Decimal(2)), ("dict", {}), ("nan", math.nan), ("np.float64", np.float64(2.0)),
    ("np.bool_", np.bool_(True)),
]
COUNTS: list[tuple[str, Any]] = [
    ("np.int64", np.int64(2)), ("np.int32", np.int32(2)), ("np.uint8", np.uint8(2)),
    ("0-d int array", np.array(2)),
]
NOT_VALUES: list[tuple[str, Any]] = [
    ("float", 2.0), ("None", None), ("str", "x"), ("list of a Value", [Value(1.0)]),
]
MISSING: Any = object()  # an argument not given (None is one of the hostile values)
table = Table()
case = table.case


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


for name, bad in NOT_VALUES:
    case("draw_dot", f"root = {name}", lambda b=bad: draw_dot(b), TypeError,
         "draw_dot: expected a Value")
for name, bad in [("None", None), ("1", 1), ("'lr'", "lr"), ("''", "")]:
    case("draw_dot", f"rankdir = {name}", lambda b=bad: _draw(rankdir=b), ValueError,
         "draw_dot: rankdir must be one of LR, TB, RL, BT")
for option in ("digits", "max_nodes"):
    for name, bad in NOT_COUNTS:
        case("draw_dot", f"{option} = {name}", lambda o=option, b=bad: _draw(**{o: b}), TypeError,
             f"draw_dot: {option} must be a whole number, got")
    for name, bad in [("0", 0), ("-1", -1), ("np.int64(0)", np.int64(0))]:
        case("draw_dot", f"{option} = {name}", lambda o=option, b=bad: _draw(**{o: b}),
             ValueError, f"draw_dot: {option} must be a whole number ≥ 1")
    for name, good in COUNTS:
        case("draw_dot", f"{option} = {name}", lambda o=option, g=good: _draw(**{o: g}),
             lambda s: "data 6" in s)
case("draw_dot", "max_nodes = None", lambda: _draw(root=chain(400), max_nodes=None),
     lambda s: s.count("shape=record") == 401)
case("draw_dot", "a graph over max_nodes", lambda: _draw(root=chain(1100)), ValueError,
     "draw_dot: the graph has 1101 Values, more than max_nodes=1000")
case("draw_dot", "digits = np.int64(2)", lambda: _draw(root=Value(1 / 3), digits=np.int64(2)),
     lambda s: "data 0.33|" in s)
for option in ("show_grad", "compact"):
    for name, bad in NOT_FLAGS:
        case("draw_dot", f"{option} = {name}", lambda o=option, b=bad: _draw(**{o: b}), TypeError,
             f"draw_dot: {option} must be True or False")
for name, bad in [("int", 3), ("str", "x"), ("dict", {}), ("float", 2.0)]:
    case("draw_dot", f"highlight = {name}", lambda b=bad: _draw(highlight=b), TypeError,
         "draw_dot: highlight must be a Value or a list of Values")
case("draw_dot", "highlight = [3]", lambda: _draw(highlight=[3]), TypeError,
     "draw_dot: highlight must hold Values, got int")
case("draw_dot", "highlight = a Value of another graph", lambda: _draw(highlight=Value(1.0)),
     ValueError, "draw_dot: highlight holds Value(data=1, grad=0), which is not in root's graph")
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
    for name, bad in NOT_VALUES:
        case(what, f"root = {name}", lambda w=walk, b=bad: w(root=b), TypeError,
             f"{what}: expected a Value")
    for name, bad in NOT_COUNTS:
        case(what, f"digits = {name}", lambda w=walk, b=bad: w(digits=b), TypeError,
             f"{what}: digits must be a whole number, got")
    case(what, "digits = 0", lambda w=walk: w(digits=0), ValueError,
         f"{what}: digits must be a whole number ≥ 1")
    for name, good in COUNTS:
        case(what, f"digits = {name}", lambda w=walk, g=good: [s.digits for s in w(digits=g)],
             lambda ds: ds == [2] * len(ds) and all(type(d) is int for d in ds))
    case(what, "a 5,000-deep chain (beyond the recursion limit)",
         lambda w=walk: len(w(root=chain(5_000))), ok(5_001))
for name, bad in NOT_NUMBERS:
    case("backprop_steps", f"grad = {name}", lambda b=bad: STEPS[1][1](grad=b), TypeError,
         "backprop_steps: grad must be a finite number")
for name, bad in NON_FINITE:
    case("backprop_steps", f"grad = {name}", lambda b=bad: STEPS[1][1](grad=b), ValueError,
         "backprop_steps: grad must be a finite number")
for name, good, f in NUMBERS:
    case("backprop_steps", f"grad = {name}",
         lambda g=good: [s.upstream for s in STEPS[1][1](grad=g)],
         ok([f, 3.0 * f]) if f < 1e300 else ArithmeticError,
         "backprop_steps: the gradient reaching")

# --- Stepper -----------------------------------------------------------------------------


def _stepper(**options: Any) -> Stepper:
    root = options.pop("root", None)
    return Stepper(x2() * 3 if root is None else root, **options)


for name, bad in NOT_VALUES:
    case("Stepper", f"root = {name}", lambda b=bad: Stepper(b), TypeError,
         "Stepper: expected a Value")
for name, bad in NOT_NUMBERS:
    case("Stepper", f"grad = {name}", lambda b=bad: _stepper(grad=b), TypeError,
         "Stepper: grad must be a finite number")
for name, bad in NON_FINITE:
    case("Stepper", f"grad = {name}", lambda b=bad: _stepper(grad=b), ValueError,
         "Stepper: grad must be a finite number")
for name, good, f in NUMBERS:
    case("Stepper", f"grad = {name}",
         lambda g=good: [s.upstream for s in _stepper(grad=g).backward_steps],
         ok([f, 3.0 * f]) if f < 1e300 else ArithmeticError, "Stepper: the gradient reaching")
for name, bad in [("None", None), ("'sideways'", "sideways")]:
    case("Stepper", f"rankdir = {name}", lambda b=bad: _stepper(rankdir=b), ValueError,
         "Stepper: rankdir must be one of LR, TB, RL, BT")
for option in ("digits", "max_nodes"):
    for name, bad in NOT_COUNTS:
        case("Stepper", f"{option} = {name}", lambda o=option, b=bad: _stepper(**{o: b}),
             TypeError, f"Stepper: {option} must be a whole number, got")
    case("Stepper", f"{option} = 0", lambda o=option: _stepper(**{o: 0}), ValueError,
         f"Stepper: {option} must be a whole number ≥ 1")
    for name, good in COUNTS:
        case("Stepper", f"{option} = {name}", lambda o=option, g=good: len(_stepper(**{o: g})),
             ok(4))
for name, bad in NOT_FLAGS:
    case("Stepper", f"compact = {name}", lambda b=bad: _stepper(compact=b), TypeError,
         "Stepper: compact must be True or False")
case("Stepper", "a 100,000-node graph is refused before any work",
     lambda: _stepper(root=chain(100_000)), ValueError,
     "Stepper: the graph has 100001 Values, more than max_nodes=1000")
for name, bad in [*NOT_COUNTS, ("None", None)]:
    case("Stepper", f"goto({name})", lambda b=bad: _stepper().goto(b), TypeError,
         "Stepper.goto: k must be a whole number, got")
for name, good in COUNTS:
    case("Stepper", f"goto({name})", lambda g=good: _stepper().goto(g).k, ok(2))
case("Stepper", "goto(-1)", lambda: _stepper().goto(-1).k, ok(3))
for k in (4, -5, 10**400):
    case("Stepper", f"goto({k if k < 10**9 else '10**400'})", lambda k=k: _stepper().goto(k),
         IndexError, "Stepper.goto: there are 4 steps (0 to 3), got k = ")
case("Stepper", "next() at the last step", lambda: _stepper().goto(3).next(), IndexError,
     "Stepper.next: already at the last step (4 of 4)")
case("Stepper", "prev() at the first step", lambda: _stepper().prev(), IndexError,
     "Stepper.prev: already at the first step")
case("Stepper", "draw() at every step", lambda: [
    isinstance(s.goto(k).draw(), Drawing) for s in [_stepper()] for k in range(len(s))],
    ok([True] * 4))
case("Stepper", "it changes no data nor grad", lambda: (lambda y: (
    Stepper(y).goto(3).draw(), (y.data, y.grad, y.inputs[0].grad))[1])(x2() * 3),
    ok((6.0, 0.0, 0.0)))
case("Stepper", "explain() on a leaf", lambda: Stepper(x2()).explain(),
     ok("step 1 of 2 (forward): x = 2  (a leaf: given, not computed)"))
for method in ("to_html", "save_html"):
    for name, bad in NOT_FLAGS:
        case("Stepper", f"{method}(exercise={name})",
             lambda m=method, b=bad: getattr(_stepper(), m)(
                 *(["unused.html"] if m == "save_html" else []), exercise=b),
             TypeError, f"Stepper.{method}: exercise must be True or False")
for name, bad in [("None", None), ("int", 42), ("list", ["a.html"])]:
    case("Stepper", f"save_html({name})", lambda b=bad: _stepper().save_html(b), TypeError,
         "Stepper.save_html: path must be a str or os.PathLike")
case("Stepper", "save_html('')", lambda: _stepper().save_html(""), ValueError,
     "Stepper.save_html: path is empty")
case("Stepper", "save_html into a missing folder",
     lambda: _stepper().save_html("/nonexistent-folder/page.html"), FileNotFoundError,
     "Stepper.save_html: cannot write '/nonexistent-folder/page.html'", marks=DOT)
case("Stepper", "to_html()", lambda: _stepper().to_html(), lambda page: "step 2 of 4" in page,
     marks=DOT)
case("Stepper", "exercise()", lambda: _stepper().exercise()._repr_html_(),
     lambda page: "step 2 of 4" in page, marks=DOT)
case("Stepper", "widget()", lambda: repr(_stepper().widget()),
     ok("[interactive stepper: run this notebook in Jupyter to use the controls]"),
     marks=pytest.mark.skipif(shutil.which("dot") is None, reason="needs dot"))


@pytest.mark.parametrize(("call", "expect", "match"), table.rows)
def test_hostile_input(call: Callable[[], object], expect: Any, match: str) -> None:
    check(call, expect, match)
