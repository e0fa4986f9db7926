"""``math`` on plain numbers, written so that :func:`engine.compile` can follow it.

Code that computes a constant from data (the shift of a log-sum-exp, PyTorch's clamp of a
log in binary cross-entropy) reads numbers with ``.data`` and calls ``math`` on them. While
``engine.compile`` traces a function, those numbers stand for data that changes at every
call, and ``math``'s C code would see only the float they hold today: the compiled step
could then only hold for that one number (it guards it, and warns). These functions are
``math``'s, ``max`` and ``min``; they ask the watcher of this thread (see
:func:`engine.value.watching`) first, so that a trace records what is computed and the
compiled code computes it afresh. With no trace running they are the plain functions.

Examples:
    >>> from engine import floats
    >>> floats.exp(0.0), floats.max([1.0, 3.0, 2.0]), floats.isfinite(1e308 * 10)
    (1.0, 3.0, False)
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import Any

from engine.value import watcher

__all__ = ["exp", "log", "log1p", "sqrt", "isfinite", "max", "min", "as_float"]


def _follow(name: str, f: Callable[..., Any], numbers: tuple[Any, ...]) -> Any:
    """``f(*numbers)``, or what the watcher's ``math(name, f, numbers)`` makes of it."""
    w = watcher()
    follow = None if w is None else getattr(w, "math", None)
    return f(*numbers) if follow is None else follow(name, f, numbers)


def exp(x: Any) -> Any:
    """``math.exp(x)``."""
    return _follow("exp", math.exp, (x,))


def log(x: Any) -> Any:
    """``math.log(x)``."""
    return _follow("log", math.log, (x,))


def log1p(x: Any) -> Any:
    """``math.log1p(x)``."""
    return _follow("log1p", math.log1p, (x,))


def sqrt(x: Any) -> Any:
    """``math.sqrt(x)``."""
    return _follow("sqrt", math.sqrt, (x,))


def isfinite(x: Any) -> bool:
    """``math.isfinite(x)`` (a decision: a trace guards it)."""
    return bool(_follow("isfinite", math.isfinite, (x,)))


def as_float(x: Any) -> Any:
    """``float(x)``: a number as the float it stands for (a trace keeps following it)."""
    return _follow("float", float, (x,))


def max(*numbers: Any) -> Any:
    """``max`` of several numbers, or of one iterable of them."""
    items = tuple(numbers[0]) if len(numbers) == 1 else numbers
    return _follow("max", lambda *xs: builtins.max(xs), items)


def min(*numbers: Any) -> Any:
    """``min`` of several numbers, or of one iterable of them."""
    items = tuple(numbers[0]) if len(numbers) == 1 else numbers
    return _follow("min", lambda *xs: builtins.min(xs), items)
