"""Functions of plain numbers that a trace follows: ``math``'s, and ``max`` and ``min``.

C code sees a traced number only as the float it converts it to, and hands back a float
the trace knows nothing about; so ``math.exp(loss.data)`` inside a traced ``fn`` makes
the code hold for that one number (and warn). These functions are ``math``'s on any
number, and on a traced one they are recorded too, so the code computes them afresh at
every call. :mod:`nn`'s losses use them for the constants they compute from data (a
cross-entropy's max shift).

Examples:
    >>> from engine.compile import floats
    >>> floats.exp(0.0), floats.max([1.0, 3.0, 2.0]), floats.isfinite(1e308 * 10)
    (1.0, 3.0, False)
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import Any

from engine.compile.traced import CURRENT, Traced

__all__ = ["exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh", "atan", "erf",
           "fabs", "isfinite", "max", "min", "as_float", "traced"]


def traced(x: Any) -> bool:
    """Is ``x`` a number the running trace follows?"""
    return type(x) is Traced and x.trace is CURRENT.get()


def _one(name: str) -> Callable[[Any], Any]:
    f = getattr(math, name)

    def call(x: Any) -> Any:
        if type(x) is Traced:
            tr = CURRENT.get()
            if x.trace is tr:
                return tr.op(name, (x.var,), f(x.v))
            x = x.v
        return f(x)

    call.__name__ = name
    call.__doc__ = f"``math.{name}``, followed by a trace."
    return call


exp, log, log1p, sqrt = _one("exp"), _one("log"), _one("log1p"), _one("sqrt")
sin, cos, tan, tanh = _one("sin"), _one("cos"), _one("tan"), _one("tanh")
atan, erf, fabs = _one("atan"), _one("erf"), _one("fabs")


def isfinite(x: Any) -> bool:
    """``math.isfinite``; on a traced number, a guard."""
    if type(x) is Traced:
        tr = CURRENT.get()
        if x.trace is tr:
            return bool(tr.test("isfinite", (x.var,), math.isfinite(x.v)))
        x = x.v
    return math.isfinite(x)


def as_float(x: Any) -> Any:
    """``float(x)``; on a traced number, the traced float (data, not structure)."""
    if type(x) is Traced:
        tr = CURRENT.get()
        if x.trace is tr:
            return x if type(x.v) is float else tr.op("float", (x.var,), float(x.v))
        x = x.v
    return float(x)


def _extreme(pick: Callable[..., Any], name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        items = list(args[0]) if len(args) == 1 else list(args)
        tr = CURRENT.get()
        if kwargs or tr is None or not any(type(x) is Traced and x.trace is tr for x in items):
            plain = [x.v if type(x) is Traced else x for x in items]
            return pick(plain, **kwargs) if len(args) == 1 else pick(*plain, **kwargs)
        atoms = [tr.atom(x) for x in items]
        ins = tuple(a for a in atoms if a is not None)
        if len(ins) < len(atoms):   # not all numbers: as builtins.max would
            return pick(items)
        value = pick(x.v if type(x) is Traced else x for x in items)
        return tr.op(name, ins, value)

    call.__name__ = name
    call.__doc__ = (f"``{name}`` of numbers (several, or one iterable), followed by a trace: "
                    f"computed afresh at every call, no guard on which one wins.")
    return call


max = _extreme(builtins.max, "max")
min = _extreme(builtins.min, "min")
