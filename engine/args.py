"""The argument checks of every public function of ``engine`` and ``nn``, in one place.

Every check takes the value and ``where``, the function and the argument as the user
knows them (``"fit: epochs"``, ``"grad: inputs[2]"``), and returns the value as the code
wants it (a float, an int, a bool, a list) or raises with one grammar::

    {where} must be {kind}, got {value}

``TypeError`` when the value is not of the kind at all (its type is shown with it:
``got str '3'``, ``got numpy.bool True``), ``ValueError`` when it is of the kind but not
acceptable (``got nan``, ``got 0``, ``got an int of 401 digits``). The one other message
is a function whose signature does not fit: ``{where} cannot be called {how}: {reason}``.

What counts as what, everywhere in stepgrad (``engine`` and ``nn`` alike):

- **a number**: ``int``, ``float``, ``fractions.Fraction`` (any ``numbers.Real``), every
  NumPy integer and floating scalar (``np.int64(3)``, ``np.float32(0.5)``) and 0-d
  arrays of them. Not a bool (Python's or NumPy's: a bool is a flag, never a number),
  complex, ``Decimal``, ``str``, ``None``, a container, or a ``Value`` (its number is
  ``.data``). It must be finite: nan and ±inf are refused, and so is an int beyond the
  largest float (``10**400``), each with a ``ValueError`` saying so.
- **a whole number**: ``int``, NumPy integer scalars and 0-d integer arrays; not a bool
  and not a float, even ``2.0``.
- **a flag**: ``True`` or ``False``, NumPy's bool too (``np.bool_``, a 0-d bool array);
  nothing else, however truthy (``1``, ``"no"``, ``None`` are refused).

This module imports nothing of stepgrad, so every other module can use it.
"""

from __future__ import annotations

import fractions
import inspect
import math
import numbers
import os
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar, overload

__all__ = [
    "describe",
    "is_number",
    "is_whole",
    "is_flag",
    "real",
    "whole",
    "whole_or_none",
    "seed",
    "flag",
    "choice",
    "instance",
    "scalar",
    "items",
    "function",
    "text",
    "out_path",
]

T = TypeVar("T")

_INF = math.inf
_NEG_INF = -math.inf


# --- how a value is shown in a message ----------------------------------------------------

def _type_name(x: Any) -> str:
    t = type(x)
    module = t.__module__
    return t.__qualname__ if module == "builtins" else f"{module.split('.')[0]}.{t.__qualname__}"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split()) if "\n" in text else text   # (a torch module's repr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _digits(n: int) -> str:
    """"an int of 401 digits" (counted without turning it into text, which Python refuses
    beyond 4300 digits)."""
    n = abs(n)
    count = int(n.bit_length() * math.log10(2)) + 1   # exact, or one too many
    if 10 ** (count - 1) > n:
        count -= 1
    return f"an int of {count} digits"


def describe(x: Any) -> str:
    """``x`` as a message shows a value of the wrong kind: its type, then the value.

    NumPy's types are named as NumPy's (``numpy.bool``, never a bare ``bool``), arrays by
    their shape, huge ints by their length.

    Examples:
        >>> import numpy as np
        >>> describe("3"), describe(None), describe(np.bool_(True)), describe(10**400)
        ("str '3'", 'None', 'numpy.bool True', 'an int of 401 digits')
        >>> describe(np.array([0.5, 1.5])), describe(np.array("a"))
        ('numpy.ndarray of shape (2,)', "a 0-d numpy.ndarray of dtype '<U1'")
    """
    if x is None:
        return "None"
    if type(x) is int and not -(10**20) < x < 10**20:
        return _digits(x)
    name = _type_name(x)
    if name.split(".")[0] not in ("builtins", "numpy", "fractions", "decimal") and type(
            x).__module__ != "builtins" and is_number(x):
        # a number of a kind of its own (one engine.compile is tracing stands for a float):
        # shown as the number it stands for
        return f"{'int' if is_whole(x) else 'float'} {x}"
    if isinstance(x, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return f"the function {x.__qualname__}"
    shape = getattr(x, "shape", None)
    if shape is not None and hasattr(x, "dtype") and not _is_scalar_type(x):
        shape = tuple(shape)
        if shape == ():
            return f"a 0-d {name} of dtype {str(x.dtype)!r}"
        return f"{name} of shape {shape}"
    shown = _short(repr(x) if type(x).__module__ == "builtins" else str(x))
    return shown if shown.startswith(type(x).__name__ + "(") else f"{name} {shown}"


def _is_scalar_type(x: Any) -> bool:
    """A NumPy scalar (``np.float64(0.5)``, ``np.bool_(True)``), which has a shape and a
    dtype as arrays do, but is shown by its value."""
    return type(x).__module__ == "numpy" and type(x).__name__ != "ndarray"


def _number_text(x: Any) -> str:
    """A number as a message shows it (an int too large for a float by its length, a
    float as short as it reads: 0 for 0.0 in a bound)."""
    if isinstance(x, numbers.Integral) and not -(10**20) < int(x) < 10**20:
        return _digits(int(x))
    return _short(str(x))


# --- what counts as a number, a whole number, a flag --------------------------------------

def _numpy_kind(x: Any) -> str | None:
    """The dtype kind of a NumPy scalar or 0-d array (``"i"``, ``"f"``, ``"b"``...), else
    None (a Python object, or an array of other shape)."""
    kind = getattr(getattr(x, "dtype", None), "kind", None)
    if kind is None or getattr(x, "shape", None) != ():
        return None
    return str(kind)


def _of_kind(x: Any, python: type, kinds: str, abc: type) -> bool:
    """An int or a ``python`` number, a NumPy scalar (or 0-d array) whose dtype kind is one
    of ``kinds``, or another scalar registered as ``abc``; never a bool."""
    t = type(x)
    if t is python or t is int:
        return True
    if t is bool:
        return False
    kind = _numpy_kind(x)
    if kind is not None:
        return kind in kinds
    return isinstance(x, abc) and getattr(x, "shape", ()) == ()


def is_number(x: Any) -> bool:
    """Is ``x`` a real number by stepgrad's rule (see the module's text)? Finite or not.

    Examples:
        >>> import numpy as np
        >>> is_number(2), is_number(np.float32(0.5)), is_number(np.array(3)), is_number(True)
        (True, True, True, False)
        >>> is_number(np.bool_(False)), is_number(1 + 0j), is_number("1")
        (False, False, False)
    """
    return _of_kind(x, float, "iuf", numbers.Real)


def is_whole(x: Any) -> bool:
    """Is ``x`` a whole number (not a bool, not a float)?

    Examples:
        >>> import numpy as np
        >>> is_whole(3), is_whole(np.int8(3)), is_whole(3.0), is_whole(True)
        (True, True, False, False)
    """
    return _of_kind(x, int, "iu", numbers.Integral)


def is_flag(x: Any) -> bool:
    """Is ``x`` True or False (NumPy's bool too)?

    Examples:
        >>> import numpy as np
        >>> is_flag(False), is_flag(np.bool_(True)), is_flag(1), is_flag("yes")
        (True, True, False, False)
    """
    return type(x) is bool or _numpy_kind(x) == "b"


def followed(x: Any) -> bool:
    """Is ``x`` a number that :func:`engine.compile` follows while it traces a function?

    Such a number answers as a float or an int does, and its type has a
    ``__stepgrad_float__`` method: the number as a float, still followed. :func:`real`
    returns that, so that a check does not turn data into a constant of the trace.
    """
    return hasattr(type(x), "__stepgrad_float__")


# --- the checks -----------------------------------------------------------------------------

def _bound(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    lo, hi = _number_text(low), _number_text(high)
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{lo}, {hi}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {lo}"
    if high is not None:
        return f" {'<' if high_open else '<='} {hi}"
    return ""


def real(x: Any, where: str, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """``x`` as a finite float, optionally in a range (closed, or open at either end).

    Examples:
        >>> import numpy as np
        >>> real(np.float32(0.5), "SGD: lr"), real(3, "SGD: lr")
        (0.5, 3.0)
        >>> real(float("nan"), "SGD: lr")
        Traceback (most recent call last):
        ValueError: SGD: lr must be a finite number, got nan
        >>> real(-1, "SGD: lr", low=0)
        Traceback (most recent call last):
        ValueError: SGD: lr must be a finite number >= 0, got -1
        >>> real(np.bool_(True), "Value: data")
        Traceback (most recent call last):
        TypeError: Value: data must be a finite number, got numpy.bool True
    """
    finite = True   # is it still to be tested?
    if type(x) is float:
        f = x
    elif followed(x):
        # A number engine.compile follows while it traces: kept (as the float it stands
        # for), so that arithmetic on it, and a bound below, are followed too. Whether it
        # is finite is not a decision of the trace: a step given nan or inf gets a result
        # that is not finite, and then runs the engine, which refuses it by name.
        f, finite = type(x).__stepgrad_float__(x), False
    else:
        if not is_number(x):
            hint = " (use .data for its number)" if hasattr(x, "grad") and hasattr(
                x, "data") else ""
            raise TypeError(f"{where} must be a finite number"
                            f"{_bound(low, high, low_open, high_open)}, got {describe(x)}{hint}")
        try:
            f = float(x)
        except OverflowError:   # an int (or a Fraction) beyond the largest float
            shown = (_number_text(x) if isinstance(x, numbers.Integral)
                     else f"a {_type_name(x)} too large for a float")
            raise ValueError(f"{where} must be a finite number"
                             f"{_bound(low, high, low_open, high_open)}, got {shown}") from None
    if (finite and not _NEG_INF < f < _INF) or (
            low is not None and (f <= low if low_open else f < low)) or (
            high is not None and (f >= high if high_open else f > high)):
        raise ValueError(f"{where} must be a finite number"
                         f"{_bound(low, high, low_open, high_open)}, got {_number_text(x)}")
    return f


def whole(x: Any, where: str, *, low: int | None = None, high: int | None = None) -> int:
    """``x`` as an int: a whole number (NumPy's too), optionally in [low, high].

    Examples:
        >>> import numpy as np
        >>> whole(np.int64(3), "MLP: nin", low=1)
        3
        >>> whole(2.0, "MLP: nin", low=1)
        Traceback (most recent call last):
        TypeError: MLP: nin must be a whole number >= 1, got float 2.0
        >>> whole(0, "MLP: nin", low=1)
        Traceback (most recent call last):
        ValueError: MLP: nin must be a whole number >= 1, got 0
    """
    return _whole(x, where, low, high, "a whole number")


def _whole(x: Any, where: str, low: int | None, high: int | None, kind: str) -> int:
    bound = _bound(low, high, False, False)
    if type(x) is not int:
        if not is_whole(x):
            raise TypeError(f"{where} must be {kind}{bound}, got {describe(x)}")
        x = int(x)
    n: int = x
    if (low is not None and n < low) or (high is not None and n > high):
        raise ValueError(f"{where} must be {kind}{bound}, got {_number_text(n)}")
    return n


def whole_or_none(x: Any, where: str, *, low: int | None = None,
                  high: int | None = None) -> int | None:
    """``None``, or ``x`` as :func:`whole` takes it: a limit that ``None`` switches off
    (``max_nodes``), or a seed.

    Examples:
        >>> whole_or_none(None, "draw_dot: max_nodes", low=1) is None
        True
        >>> whole_or_none(0, "draw_dot: max_nodes", low=1)
        Traceback (most recent call last):
        ValueError: draw_dot: max_nodes must be None or a whole number >= 1, got 0
    """
    return None if x is None else _whole(x, where, low, high, "None or a whole number")


def seed(x: Any, where: str) -> int | None:
    """``None``, or a whole-number seed as an int (:func:`whole_or_none` without bounds).

    Examples:
        >>> seed(None, "MLP: seed") is None, seed(7, "MLP: seed")
        (True, 7)
        >>> seed(0.5, "MLP: seed")
        Traceback (most recent call last):
        TypeError: MLP: seed must be None or a whole number, got float 0.5
    """
    return whole_or_none(x, where)


def flag(x: Any, where: str) -> bool:
    """``x`` as a bool: True or False, NumPy's bool too; nothing else, however truthy.

    Examples:
        >>> import numpy as np
        >>> flag(np.bool_(True), "fit: shuffle")
        True
        >>> flag(1, "fit: shuffle")
        Traceback (most recent call last):
        TypeError: fit: shuffle must be True or False, got int 1
    """
    if type(x) is bool:
        return x
    if _numpy_kind(x) == "b":
        return bool(x)
    raise TypeError(f"{where} must be True or False, got {describe(x)}")


def choice(x: Any, where: str, options: Iterable[str]) -> str:
    """``x`` if it is one of ``options`` (strings), listing them when it is not.

    Examples:
        >>> choice("tanh", "MLP: activation", ["relu", "tanh"])
        'tanh'
        >>> choice("RELU", "MLP: activation", ["relu", "tanh"])
        Traceback (most recent call last):
        ValueError: MLP: activation must be one of 'relu', 'tanh', got 'RELU'
    """
    names = list(options)
    kind = "one of " + ", ".join(repr(name) for name in names)
    if not isinstance(x, str):
        raise TypeError(f"{where} must be {kind}, got {describe(x)}")
    if x not in names:
        raise ValueError(f"{where} must be {kind}, got {_short(repr(x))}")
    return x


def _article(name: str) -> str:
    return f"an {name}" if name[0] in "AEIOUaeiou" else f"a {name}"


def instance(x: Any, where: str, cls: type[T]) -> T:
    """``x`` if it is an instance of ``cls`` (a Value, an optimizer...).

    Examples:
        >>> instance(2.0, "grad: output", int)
        Traceback (most recent call last):
        TypeError: grad: output must be an int, got float 2.0
    """
    if not isinstance(x, cls):
        raise TypeError(f"{where} must be {_article(cls.__name__)}, got {describe(x)}")
    return x


def scalar(x: Any, where: str, cls: type[T], keep: bool = False) -> T | float:
    """A ``cls`` instance (a Value) as it is, else ``x`` as a finite float.

    With ``keep``, a finite number that is neither whole nor a Fraction is returned as it
    is (a NumPy float, or a number ``engine.compile`` is tracing, keeps its type, so that
    arithmetic sees it).

    Examples:
        >>> scalar(3, "mse_loss: preds[0]", int), scalar(2.5, "mse_loss: preds[0]", int)
        (3, 2.5)
        >>> scalar("a", "mse_loss: preds[0]", int)
        Traceback (most recent call last):
        TypeError: mse_loss: preds[0] must be a number or an int, got str 'a'
    """
    if isinstance(x, cls):
        return x
    if followed(x):
        return real(x, where)
    if keep and is_number(x) and not is_whole(x) and not isinstance(
            x, fractions.Fraction) and bool(math.isfinite(x)):
        return x  # type: ignore[no-any-return]
    if not is_number(x):
        raise TypeError(f"{where} must be a number or {_article(cls.__name__)}, got "
                        f"{describe(x)}")
    return real(x, where)


@overload
def items(xs: Any, where: str, check: None = None, *, n: int | None = None,
          kind: str = "a list", empty: bool = False) -> list[Any]: ...


@overload
def items(xs: Any, where: str, check: Callable[[Any, str], T], *, n: int | None = None,
          kind: str = "a list", empty: bool = False) -> list[T]: ...


def items(xs: Any, where: str, check: Callable[[Any, str], Any] | None = None, *,
          n: int | None = None, kind: str = "a list", empty: bool = False) -> list[Any]:
    """The entries of the list (tuple, array...) ``xs``, each passed through
    ``check(entry, "{where}[i]")``; exactly ``n`` of them if given, at least one unless
    ``empty``.

    A str, bytes, dict, set, a lone number or anything that is not a sequence is refused;
    ``kind`` says what was wanted (``"a list of numbers"``).

    Examples:
        >>> items([1, 2.5], "hvp: v", real)
        [1.0, 2.5]
        >>> items("ab", "hvp: v", real, kind="a list of numbers")
        Traceback (most recent call last):
        TypeError: hvp: v must be a list of numbers, got str 'ab'
        >>> items([1, "a"], "hvp: v", real)
        Traceback (most recent call last):
        TypeError: hvp: v[1] must be a finite number, got str 'a'
        >>> items([], "hvp: v", real)
        Traceback (most recent call last):
        ValueError: hvp: v must be a list with at least one entry, got an empty one
    """
    if isinstance(xs, (str, bytes, Mapping, set, frozenset)) or is_number(xs) or not hasattr(
            xs, "__iter__") or getattr(xs, "shape", None) == ():
        raise TypeError(f"{where} must be {kind}, got {describe(xs)}")
    try:
        entries = list(xs)
    except TypeError:
        raise TypeError(f"{where} must be {kind}, got {describe(xs)}") from None
    if n is not None and len(entries) != n:
        raise ValueError(f"{where} must be {kind} with {n} entr{'y' if n == 1 else 'ies'}, "
                         f"got {len(entries)}")
    if not entries and not empty:
        raise ValueError(f"{where} must be {kind} with at least one entry, got an empty one")
    if check is None:
        return entries
    return [check(x, f"{where}[{i}]") for i, x in enumerate(entries)]


def function(fn: Any, where: str, n: int | None = None,
             as_called: str = "") -> Callable[..., Any]:
    """``fn`` if it is callable (and, given ``n``, can take ``n`` positional arguments).

    ``as_called`` shows how it will be called in the message (default: with n values).

    Examples:
        >>> function(len, "fit: correct")
        <built-in function len>
        >>> function("mse", "fit: loss_fn")
        Traceback (most recent call last):
        TypeError: fit: loss_fn must be a function, got str 'mse'
        >>> function(lambda x: x, "hessian: fn", 2)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        TypeError: hessian: fn cannot be called with 2 values (one per input): ...
    """
    if not callable(fn):
        raise TypeError(f"{where} must be a function, got {describe(fn)}")
    checked: Callable[..., Any] = fn
    if n is None:
        return checked
    try:
        signature = inspect.signature(checked)
    except (TypeError, ValueError):   # a builtin without a signature: the call decides
        return checked
    try:
        signature.bind(*range(n))
    except TypeError as err:
        how = as_called or f"with {n} value{'s' * (n != 1)} (one per input)"
        raise TypeError(f"{where} cannot be called {how}: {err}") from None
    return checked


def text(x: Any, where: str) -> str:
    """``x`` if it is a str that every drawing and page can show (UTF-8: no lone
    surrogate).

    Examples:
        >>> text("w₁", "Value: label")
        'w₁'
        >>> text(3, "Value: label")
        Traceback (most recent call last):
        TypeError: Value: label must be a str, got int 3
    """
    if not isinstance(x, str):
        raise TypeError(f"{where} must be a str, got {describe(x)}")
    if not x.isascii():
        try:
            x.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{where} must be a str without lone surrogates, got "
                             f"{_short(repr(x))} (no drawing or page can show one)") from None
    return x


def out_path(path: Any, where: str) -> Path:
    """A file to write: a str or ``os.PathLike``, not empty, not a folder, in a folder
    that exists (``FileNotFoundError`` otherwise; writing may still fail, and says why).

    Examples:
        >>> out_path(3, "Stepper.save_html: path")
        Traceback (most recent call last):
        TypeError: Stepper.save_html: path must be a str or os.PathLike, got int 3
    """
    name = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if not isinstance(name, str):
        raise TypeError(f"{where} must be a str or os.PathLike, got {describe(path)}")
    if not name.strip() or "\0" in name:
        raise ValueError(f"{where} must be a file name, got {name!r}")
    target = Path(name)
    if os.path.isdir(target):
        raise IsADirectoryError(f"{where} must be a file name, got {name!r}, a folder")
    if not os.path.isdir(target.parent):
        raise FileNotFoundError(f"{where} must be in a folder that exists, got {name!r} "
                                f"(no folder {str(target.parent)!r})")
    return target
