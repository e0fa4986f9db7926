"""What a hostile (or hurried) user passes, by the kind of argument it is aimed at.

One list per kind of :mod:`engine.args`, shared by ``test_args.py`` (every value against its
checker) and the entry-point tables (one value of a kind against each argument of that
kind). Each entry is ``(name, value)``; the good ones carry the number they stand for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from engine import Value

# --- numbers ------------------------------------------------------------------------------
# Not numbers at all: TypeError. (A bool is a flag, never a number, NumPy's too.)
NOT_NUMBERS: list[tuple[str, Any]] = [
    ("bool", True), ("np.bool_", np.bool_(True)), ("str", "1.0"), ("None", None),
    ("complex", 1 + 0j), ("np.complex128", np.complex128(0.5)), ("Decimal", Decimal("0.5")),
    ("dict", {}), ("list", [0.5]), ("0-d str array", np.array("0.5")),
    ("1-d array", np.array([0.5])), ("0-d bool array", np.array(True)), ("Value", Value(1.0)),
]
# Numbers, but not finite ones: ValueError.
NON_FINITE: list[tuple[str, Any]] = [
    ("nan", math.nan), ("inf", math.inf), ("-inf", -math.inf), ("10**400", 10**400),
    ("-(10**400)", -(10**400)), ("np.float32 nan", np.float32("nan")),
    ("np.float64 inf", np.float64("inf")), ("Fraction 10**400", Fraction(10**400)),
]
# Numbers, each with the float it stands for.
NUMBERS: list[tuple[str, Any, float]] = [
    ("np.float64", np.float64(0.5), 0.5), ("np.float32", np.float32(0.5), 0.5),
    ("np.float16", np.float16(0.5), 0.5), ("np.int64", np.int64(1), 1.0),
    ("np.uint8", np.uint8(1), 1.0), ("0-d float array", np.array(0.5), 0.5),
    ("0-d int array", np.array(1), 1.0), ("Fraction", Fraction(1, 2), 0.5),
    ("int", 3, 3.0), ("-0.0", -0.0, -0.0), ("subnormal", 5e-324, 5e-324),
    ("1e308", 1e308, 1e308),
]

# --- whole numbers ------------------------------------------------------------------------
NOT_WHOLE: list[tuple[str, Any]] = [
    ("bool", True), ("np.bool_", np.bool_(True)), ("float", 2.0), ("np.float64", np.float64(2.0)),
    ("str", "2"), ("None", None), ("complex", 2 + 0j), ("Decimal", Decimal(2)), ("dict", {}),
    ("nan", math.nan), ("Fraction", Fraction(2, 1)),
]
WHOLE: list[tuple[str, Any, int]] = [
    ("np.int64", np.int64(2), 2), ("np.int32", np.int32(2), 2), ("np.uint8", np.uint8(2), 2),
    ("0-d int array", np.array(2), 2), ("int", 2, 2),
]

# --- flags ----------------------------------------------------------------------------------
NOT_FLAGS: list[tuple[str, Any]] = [
    ("str", "yes"), ("1", 1), ("0", 0), ("None", None), ("0.0", 0.0), ("np.int64", np.int64(1)),
    ("list", [True]),
]
FLAGS: list[tuple[str, Any, bool]] = [
    ("True", True, True), ("False", False, False), ("np.bool_", np.bool_(True), True),
    ("0-d bool array", np.array(False), False),
]

# --- containers -----------------------------------------------------------------------------
NOT_LISTS: list[tuple[str, Any]] = [
    ("None", None), ("float", 2.0), ("str", "ab"), ("dict", {}), ("set", {1.0}),
    ("0-d array", np.array(1.5)), ("Value", Value(1.0)),
]


# --- a table of cases: a call and the error it must raise, or a check of its result ----------
class Table:
    """Rows ``(call, expect, match)``: ``expect`` an exception type (then ``match``, plain
    text, must be in the message) or a predicate that the result must satisfy."""

    def __init__(self) -> None:
        self.rows: list[Any] = []

    def case(self, group: str, name: str, call: Callable[[], object], expect: Any,
             match: str = "", marks: Any = ()) -> None:
        self.rows.append(pytest.param(call, expect, match, id=f"{group}: {name}", marks=marks))


def ok(value: Any) -> Callable[[object], bool]:
    """The result (a Value, a number or a list of them) is exactly ``value`` (−0.0 and 0.0
    alike), and every number in it is a Python float or int, never a NumPy number."""
    def plain(x: object) -> object:
        if isinstance(x, Value):
            return x.data
        if isinstance(x, (list, tuple)):
            return type(x)(plain(v) for v in x)
        assert not isinstance(x, (np.generic, np.ndarray)), f"a NumPy {type(x).__name__}"
        return x

    return lambda result: plain(result) == value


def check(call: Callable[[], object], expect: Any, match: str, regex: bool = False) -> None:
    """Run one row of a :class:`Table` (``match`` is plain text, or a regular expression)."""
    if isinstance(expect, tuple) or (isinstance(expect, type)
                                     and issubclass(expect, BaseException)):
        with pytest.raises(expect, match=match if regex else re.escape(match)):
            call()
    else:
        result = call()
        assert expect(result), f"unexpected result {result!r}"


# --- a small training problem, for the tests of fit -------------------------------------------
POINTS: list[list[float]] = [[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]]
SIGNS: list[float] = [1.0, 1.0, -1.0, -1.0]


def small_fit(**changes: Any) -> dict[str, list[float]]:
    """``nn.fit`` of a fresh MLP(2, [2, 1]) on :data:`POINTS` for one quiet epoch, with any
    argument changed (also the fixture ``small_fit`` of conftest.py)."""
    import nn

    model = nn.MLP(2, [2, 1], seed=0)
    given: dict[str, Any] = {"model": model, "inputs": POINTS, "targets": SIGNS,
                             "loss_fn": nn.mse_loss,
                             "optimizer": nn.SGD(model.parameters(), lr=0.1),
                             "progress": False, "seed": 0}
    return nn.fit(**{**given, **changes})
