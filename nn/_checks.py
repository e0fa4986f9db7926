"""The argument checks every ``nn`` function shares: a number, a list of numbers, a count.

Each check names the function and the argument at fault, so that a wrong input gets an
error that says what to change. What counts as a number is what PyTorch accepts: Python
ints and floats, fractions, and every NumPy integer or real scalar (``np.int64(3)``,
``np.float32(0.1)``), including 0-d arrays of them; ``bool``, ``str``, ``None``,
``complex``, ``Decimal`` and containers are refused. Numbers must be finite.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Mapping
from typing import Any

from engine import Value
from engine.compile import floats

__all__ = [
    "ValueLike",
    "unwrap",
    "is_real",
    "real",
    "scalar",
    "scalars",
    "sequence",
    "count",
    "seed",
    "hyper",
    "kind",
    "flag",
]

ValueLike = Value | float

_INF = math.inf


def kind(x: Any) -> str:
    """The type name shown in messages: ``'str'``, ``'NoneType'``, ``'ndarray'``...

    Examples:
        >>> kind("a"), kind(None)
        ('str', 'NoneType')
    """
    return type(x).__name__


def unwrap(x: Any) -> Any:
    """A 0-d NumPy array of integers or reals becomes its scalar; anything else is returned.

    Examples:
        >>> import numpy as np
        >>> unwrap(np.array(2.5)), unwrap("a")
        (2.5, 'a')
    """
    if getattr(x, "ndim", None) == 0 and getattr(getattr(x, "dtype", None), "kind",
                                                  None) in ("i", "u", "f"):
        return x.item()
    return x


def is_real(x: Any) -> bool:
    """Is ``x`` a real number (not a bool, not a Value)?

    Examples:
        >>> is_real(1), is_real(2.5), is_real(True), is_real("1")
        (True, True, False, False)
    """
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def real(who: str, what: str, x: Any) -> float:
    """``x`` as a finite float, or a TypeError/ValueError naming ``who`` and ``what``.

    Examples:
        >>> real("f", "lr", 1)
        1.0
        >>> real("f", "lr", float("nan"))
        Traceback (most recent call last):
          ...
        ValueError: f: lr must be a finite number, got nan
    """
    x = unwrap(x)
    if type(x) is float:
        f = x
    elif floats.traced(x):   # a number engine.compile follows: converted where it can see
        f = floats.as_float(x)
    elif is_real(x):
        try:
            f = float(x)
        except OverflowError:
            raise ValueError(f"{who}: {what} must be a finite number, got an {kind(x)} too "
                             f"large for a float") from None
    else:
        hint = " (use .data for its number)" if isinstance(x, Value) else ""
        raise TypeError(f"{who}: {what} must be a real number, got {kind(x)}{hint}")
    if not floats.isfinite(f):
        raise ValueError(f"{who}: {what} must be a finite number, got {f}")
    return f


def scalar(who: str, what: str, x: Any) -> ValueLike:
    """A Value as it is, else ``x`` as a finite float (see :func:`real`).

    Examples:
        >>> scalar("f", "x", 3)
        3.0
    """
    if type(x) is Value:  # the common case first, without the ABC machinery
        return x
    if isinstance(x, Value):
        return x
    try:
        return real(who, what, x)
    except TypeError:
        raise TypeError(f"{who}: {what} must be a number or a Value, got {kind(x)}") from None


def _iterable(who: str, what: str, xs: Any, wanted: str) -> list[Any]:
    if isinstance(xs, (str, bytes, Mapping, set, frozenset)):
        raise TypeError(f"{who}: {what} must be {wanted}, got {kind(xs)}")
    try:
        return list(xs)
    except TypeError:
        raise TypeError(f"{who}: {what} must be {wanted}, got {kind(xs)}") from None


def scalars(who: str, what: str, xs: Any, single: bool = True) -> list[ValueLike]:
    """``xs`` as a list of Values and finite floats; one number alone is allowed if ``single``.

    Examples:
        >>> scalars("f", "preds", [1, 2.5])
        [1.0, 2.5]
        >>> scalars("f", "preds", {"a": 1})
        Traceback (most recent call last):
          ...
        TypeError: f: preds must be a list of numbers or Values, got dict
    """
    xs = unwrap(xs)
    if single and (isinstance(xs, Value) or is_real(xs)):
        return [scalar(who, what, xs)]
    items = _iterable(who, what, xs, "a list of numbers or Values")
    return [x if type(x) is Value or (type(x) is float and -_INF < x < _INF)  # quickly
            or _kept(x) else scalar(who, f"{what}[{i}]", x) for i, x in enumerate(items)]


def _kept(x: Any) -> bool:
    """A finite NumPy float (or a number engine.compile is tracing), kept as it is so that
    the arithmetic sees it: checked without reading its value into a plain float."""
    return is_real(x) and not isinstance(x, numbers.Integral) and bool(floats.isfinite(x))


def sequence(who: str, what: str, xs: Any, n: int) -> list[ValueLike]:
    """Exactly ``n`` numbers or Values (a model's input), as a list.

    Examples:
        >>> sequence("MLP", "x", [1, 2], 3)
        Traceback (most recent call last):
          ...
        ValueError: MLP: expected 3 inputs, got 2
    """
    if isinstance(xs, Value) or is_real(unwrap(xs)):
        raise TypeError(f"{who}: {what} must be a list of {n} numbers or Values, got "
                        f"{kind(xs)}")
    items = _iterable(who, what, xs, f"a list of {n} numbers or Values")
    if len(items) != n:
        raise ValueError(f"{who}: expected {n} inputs, got {len(items)}")
    out: list[ValueLike] = []
    for i, x in enumerate(items):
        t = type(x)
        ok = t is Value or (t is float and -_INF < x < _INF)  # the common cases, quickly
        out.append(x if ok or _kept(x) else scalar(who, f"{what}[{i}]", x))
    return out


def count(who: str, what: str, n: Any, low: int) -> int:
    """A whole number ≥ ``low`` (any integral type but bool), as an int.

    Examples:
        >>> import numpy as np
        >>> count("MLP", "nin", np.int64(2), 1)
        2
        >>> count("MLP", "nin", 2.0, 1)
        Traceback (most recent call last):
          ...
        TypeError: MLP: nin must be a whole number >= 1, got float 2.0
    """
    n = unwrap(n)
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{who}: {what} must be a whole number >= {low}, got {kind(n)} "
                        f"{n!r}")
    k = operator.index(n)
    if k < low:
        raise ValueError(f"{who}: {what} must be a whole number >= {low}, got {k}")
    return k


def seed(who: str, s: Any) -> int | None:
    """``None``, or a whole-number seed as an int (NumPy integers accepted).

    Examples:
        >>> seed("f", None) is None, seed("f", 7)
        (True, 7)
    """
    if s is None:
        return None
    s = unwrap(s)
    if isinstance(s, bool) or not isinstance(s, numbers.Integral):
        raise TypeError(f"{who}: seed must be None or a whole number, got {kind(s)}")
    return operator.index(s)


def hyper(who: str, name: str, value: Any, low: float = 0.0, high: float | None = None,
          high_open: bool = False) -> float:
    """A finite real setting in [low, high] (or [low, high)), as a float.

    Examples:
        >>> hyper("SGD", "lr", 0.1)
        0.1
        >>> hyper("SGD", "lr", -1)
        Traceback (most recent call last):
          ...
        ValueError: SGD: lr must be a finite number >= 0.0, got -1.0
    """
    bound = f">= {low}" if high is None else f"in [{low}, {high}{')' if high_open else ']'}"
    try:
        f = real(who, name, value)
    except TypeError:
        raise TypeError(f"{who}: {name} must be a finite number {bound}, got "
                        f"{kind(value)}") from None
    except ValueError:
        raise ValueError(f"{who}: {name} must be a finite number {bound}, got "
                         f"{_show(value)}") from None
    if f < low or (high is not None and (f >= high if high_open else f > high)):
        raise ValueError(f"{who}: {name} must be a finite number {bound}, got {f!r}")
    return f


def _show(x: Any) -> str:
    if isinstance(x, int) and not isinstance(x, bool) and abs(x) > 10**20:
        return f"an int of {len(str(abs(x)))} digits"
    return repr(x)



def flag(who: str, what: str, x: Any) -> bool:
    """``x`` as a bool: True or False (NumPy's bool too, and a 0-d array of one); anything
    else, even a truthy ``"no"`` or the int 1, raises TypeError naming ``who`` and ``what``.

    Examples:
        >>> import numpy as np
        >>> flag("fit", "progress", False), flag("fit", "progress", np.bool_(True))
        (False, True)
        >>> flag("fit", "progress", "no")
        Traceback (most recent call last):
          ...
        TypeError: fit: progress must be True or False, got str
    """
    if type(x) is bool:
        return x
    if getattr(x, "ndim", None) == 0 and getattr(getattr(x, "dtype", None), "kind",
                                                 None) == "b":
        return bool(x)
    raise TypeError(f"{who}: {what} must be True or False, got {kind(x)}")
