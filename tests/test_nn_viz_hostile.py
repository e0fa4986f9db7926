"""nn.viz's draw_model given hostile input (moved from nn's hostile table; the picture code is
being rebuilt, and these rows go with it: once draw_model checks its arguments with
engine.args, they become rows of ``test_entry_points.py``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hostile import Table, check, ok

import nn
from engine import no_grad

# (nn's old lists, as these rows had them: the shared lists of tests/hostile.py are wider:
# draw_model takes a Value as an input, and a Fraction of 10**400 fails in its own code.)
NOT_NUMBERS: list[tuple[str, Any]] = [
    ("bool", True), ("str", "1.0"), ("None", None), ("complex", 1 + 0j),
    ("Decimal", Decimal("0.5")), ("dict", {}), ("list", [0.5]),
    ("np.bool_", np.bool_(True)), ("np.complex128", np.complex128(0.5)),
    ("0-d str array", np.array("0.5")),
]
NON_FINITE: list[tuple[str, Any]] = [
    ("nan", math.nan), ("inf", math.inf), ("-inf", -math.inf), ("10**400", 10**400),
    ("-(10**400)", -(10**400)), ("np.nan", np.float64("nan")), ("np.float32 inf",
                                                                  np.float32("inf")),
]
NUMBERS: list[tuple[str, Any, float]] = [
    ("np.float64", np.float64(0.5), 0.5), ("np.float32", np.float32(0.5), 0.5),
    ("np.float16", np.float16(0.5), 0.5), ("np.int64", np.int64(1), 1.0),
    ("np.uint8", np.uint8(1), 1.0), ("0-d float array", np.array(0.5), 0.5),
    ("0-d int array", np.array(1), 1.0), ("Fraction", Fraction(1, 2), 0.5),
    ("-0.0", -0.0, -0.0), ("subnormal", 5e-324, 5e-324),
    ("1e308", 1e308, 1e308),
]
NOT_COUNTS: list[tuple[str, Any]] = [
    ("bool", True), ("float", 2.0), ("str", "2"), ("None", None), ("complex", 2 + 0j),
    ("Decimal", Decimal(2)), ("dict", {}), ("nan", math.nan), ("np.float64", np.float64(2.0)),
]
table = Table()
case = table.case


def _in_no_grad(fn: Callable[[], object]) -> object:
    with no_grad():
        return fn()


# --- draw_model ------------------------------------------------------------------------------

def _draw(**kwargs: Any) -> str:
    args: dict[str, Any] = {"model": nn.MLP(2, [2, 1], seed=0), "x": [0.5, -1.0]}
    args.update(kwargs)
    return nn.draw_model(**args).source


for name, bad in NOT_NUMBERS:
    case("draw_model", f"x[1] = {name}", lambda b=bad: _draw(x=[0.5, b]), TypeError,
         r"draw_model: x\[1\] must be a number or a Value")
    case("draw_model", f"target = [{name}]", lambda b=bad: _draw(target=[b]), TypeError,
         r"draw_model: target\[0\] must be a number or a Value")
for name, bad in NON_FINITE:
    case("draw_model", f"x[1] = {name}", lambda b=bad: _draw(x=[0.5, b]), ValueError,
         r"draw_model: x\[1\] must be a finite number")
    case("draw_model", f"target = {name}", lambda b=bad: _draw(target=b), ValueError,
         "draw_model: target must be a finite number")
for name, good, f in NUMBERS:
    # The same picture as with the plain float.
    case("draw_model", f"x[1] = {name}", lambda g=good, f=f: _draw(x=[0.5, g]) == _draw(
        x=[0.5, f]), ok(True))
    if f < 1e300:
        case("draw_model", f"target = {name}", lambda g=good, f=f: _draw(target=g) == _draw(
            target=f), ok(True))
case("draw_model", "target = 1e308: the default loss overflows",
     lambda: _draw(target=1e308), OverflowError, "mse_loss: sample 0")
for name, bad in [("dict", {"a": 0.5, "b": 1.0}), ("str", "ab"), ("None", None),
                  ("float", 0.5)]:
    case("draw_model", f"x = {name}", lambda b=bad: _draw(x=b), TypeError,
         "draw_model: x must be a list of 2 numbers or Values")
case("draw_model", "x = []", lambda: _draw(x=[]), ValueError, "draw_model: expected 2 inputs")
case("draw_model", "target of 2 for 1 output", lambda: _draw(target=[1.0, 2.0]), ValueError,
     "draw_model: there are 1 outputs but target has 2")
case("draw_model", "model a dict", lambda: _draw(model={}), TypeError,
     r"draw_model: model must be an nn\.MLP")
case("draw_model", "model None", lambda: _draw(model=None), TypeError,
     r"draw_model: model must be an nn\.MLP")
for name, bad in NOT_COUNTS:
    case("draw_model", f"digits = {name}", lambda b=bad: _draw(digits=b), TypeError,
         "draw_model: digits must be a whole number")
case("draw_model", "digits = 0", lambda: _draw(digits=0), ValueError,
     "draw_model: digits must be a whole number >= 1")
case("draw_model", "digits = np.int64(3)",
     lambda: _draw(digits=np.int64(3)) == _draw(digits=3), ok(True))
case("draw_model", "max_connections = 'all'", lambda: _draw(max_connections="all"), TypeError,
     "draw_model: max_connections must be a whole number")
case("draw_model", "max_connections = 1", lambda: _draw(max_connections=1), ValueError,
     "draw_model: the model has 6 connections, more than max_connections=1")
for name, bad in [("None", None), ("1", 1), ("'LR'.lower()", "lr")]:
    case("draw_model", f"rankdir = {name}", lambda b=bad: _draw(rankdir=b), ValueError,
         "draw_model: rankdir must be one of LR, TB, RL, BT")
case("draw_model", "show_weights = 'no'", lambda: _draw(show_weights="no"), TypeError,
     "draw_model: show_weights must be True or False")
case("draw_model", "loss_fn = 'mse'", lambda: _draw(target=1.0, loss_fn="mse"), TypeError,
     "draw_model: loss_fn must be callable")
case("draw_model", "loss_fn returns a float", lambda: _draw(target=1.0, loss_fn=lambda p, t: 1.0),
     TypeError, "draw_model: loss_fn must return a Value")
case("draw_model", "inside no_grad",
     lambda: _in_no_grad(lambda: _draw(target=1.0)) == _draw(target=1.0), ok(True))


@pytest.mark.parametrize(("call", "expect", "match"), table.rows)
def test_hostile_input(call: Callable[[], object], expect: Any, match: str) -> None:
    check(call, expect, match, regex=True)   # (these rows' messages are regular expressions)
