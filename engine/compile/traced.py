"""A traced number: what ``fn`` receives for an input number, and for a ``.data`` it
reads, while it is traced (see :mod:`engine.compile.trace`).

It answers as the number it stands for does (``isinstance(x, float)`` holds, through a
``__class__`` property: it subclasses nothing), and tells its trace what is computed from
it (an operation, a new traced number) and what is decided on it (a comparison, ``bool``:
a guard). Where it leaves what the trace can follow, its trace pins it to its value, with
the place: ``float()`` outside the engine, C code (``math.exp``: NumPy, ``complex``),
formatting and printing, an attribute such as ``.hex``. Used as structure (an index, a
length, a hash) it is pinned too, without a warning: that is its use. Kept past its
trace, or seen from another thread, it is its plain number.
"""

from __future__ import annotations

import numbers
import operator
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from engine.compile.ir import NUMBER_OPS, Atom, Lit

if TYPE_CHECKING:
    from engine.compile.trace import Trace

__all__ = ["Traced", "CURRENT", "live", "location"]

CURRENT: ContextVar[Trace | None] = ContextVar("stepgrad_trace", default=None)
"""The trace running in this thread (this context), if any."""


def live(x: Any) -> bool:
    """Is ``x`` a traced number of the trace running here and now?"""
    return type(x) is Traced and x.trace is CURRENT.get()


def location(frame: Any) -> str:
    """``file.py:12`` of a frame, for messages."""
    return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"


def _engine_frame(frame: Any) -> bool:
    """Is this the engine's own code converting a number for a node or a leaf?"""
    name = frame.f_globals.get("__name__", "")
    return name.startswith("engine.") and not name.startswith("engine.compile")


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real)


def _plain(x: Any) -> Any:
    return x.v if type(x) is Traced else x


class Traced:
    """A number of the inputs or of the graph, while ``fn`` is traced.

    It answers as its number does (its type is the number's own, for ``isinstance``), and
    tells the trace what is computed from it and decided on it. Kept past its trace (a
    ``loss.data`` that ``fn`` logged), or seen from another thread, it is its plain number.
    """

    __slots__ = ("v", "var", "trace")

    def __init__(self, v: Any, var: int, trace: Trace) -> None:
        self.v, self.var, self.trace = v, var, trace

    @property  # type: ignore[misc]
    def __class__(self) -> type:   # isinstance(x, float) holds for a traced float
        return type(self.v)

    def _live(self) -> Trace | None:
        tr = CURRENT.get()
        return tr if tr is self.trace else None

    def __stepgrad_float__(self) -> Any:
        """What ``engine.args`` makes of this number when it checks it (see
        :func:`engine.args.followed`): the float it stands for, still followed."""
        tr = self._live()
        if tr is None:
            return float(self.v)
        return tr.math("float", float, (self,))

    # --- what leaves the traced world ---------------------------------------------------
    def __float__(self) -> float:
        f = float(self.v)
        tr = self._live()
        if tr is None:
            return f
        if f is self.v:
            f = f * 1.0   # a float object of its own, to be recognised by identity
        caller = sys._getframe(1)
        if _engine_frame(caller):   # the engine takes it for a node's c or a Value
            tr.handed[id(f)] = (f, self)
        else:
            tr.pin(self, f"float() at {location(caller)}")
        return f

    def __int__(self) -> int:
        tr = self._live()
        if tr is not None:
            tr.pin(self, "")
        return int(self.v)

    def __index__(self) -> int:   # a number used as structure: an index, a length
        tr = self._live()
        if tr is not None:
            tr.pin(self, "")
        return operator.index(self.v)

    def __hash__(self) -> int:
        tr = self._live()
        if tr is not None:
            tr.pin(self, "")
        return hash(self.v)

    def __complex__(self) -> complex:
        tr = self._live()
        if tr is not None:
            tr.pin(self, f"complex() at {location(sys._getframe(1))}")
        return complex(self.v)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy

        tr = self._live()
        if tr is not None:
            tr.pin(self, f"a NumPy function at {location(sys._getframe(1))}")
        return numpy.asarray(self.v, dtype=dtype)

    def __reduce_ex__(self, protocol: Any) -> Any:
        tr = self._live()
        if tr is not None:
            tr.pin(self, "pickle or copy")
        return self.v.__reduce_ex__(protocol)

    def __copy__(self) -> Traced:
        return self

    def __deepcopy__(self, memo: Any) -> Traced:
        return self

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.v, name)
        tr = self._live()
        if tr is None or name in _CONSTANT_ATTRIBUTES:
            return value
        if name == "is_integer":
            return lambda: tr.test("is_integer", (self.var,), value())
        if name == "conjugate":
            return lambda: self
        if name in ("item", "tolist"):   # a NumPy number as a Python one: data
            return lambda: tr.op("item", (self.var,), value())
        tr.pin(self, f".{name} at {location(sys._getframe(1))}")
        return value

    @property
    def real(self) -> Traced:
        return self

    # --- shown as the number: text made from it holds for that number only ---------------
    def __repr__(self) -> str:
        self._shown("repr()")
        return repr(self.v)

    def __str__(self) -> str:
        self._shown("str()")
        return str(self.v)

    def __format__(self, spec: str) -> str:
        self._shown("formatting")
        return format(self.v, spec)

    def _shown(self, how: str) -> None:
        tr = self._live()
        if tr is not None:
            tr.pin(self, f"{how} at {location(sys._getframe(2))}")

    # --- decisions: guards ---------------------------------------------------------------
    def __bool__(self) -> bool:
        tr = self._live()
        outcome = bool(self.v)
        if tr is not None:
            tr.test("truth", (self.var,), outcome)
        return outcome

    # --- arithmetic (the rest are made below) ----------------------------------------------
    def __round__(self, n: Any = None) -> Any:
        tr = self._live()
        value = round(self.v) if n is None else round(self.v, _plain(n))
        if tr is None:
            return value
        ins: tuple[Atom, ...] = (self.var,) if n is None else (self.var, tr.atom(n) or Lit(n))
        return tr.op("round", ins, value)

    def __divmod__(self, other: Any) -> Any:
        return self // other, self % other

    def __rdivmod__(self, other: Any) -> Any:
        return other // self, other % self


# Attributes whose value is the number's type's, not the number's: read without a guard.
_CONSTANT_ATTRIBUTES = {"imag", "dtype", "ndim", "shape", "size", "itemsize", "nbytes"}


def _unary(name: str) -> Callable[[Traced], Any]:
    f = NUMBER_OPS[name]

    def method(self: Traced) -> Any:
        value = f(self.v)
        tr = self._live()
        return value if tr is None else tr.op(name, (self.var,), value)

    return method


def _binary(name: str, swap: bool) -> Callable[..., Any]:
    f = NUMBER_OPS[name]

    def method(self: Traced, other: Any, modulo: Any = None) -> Any:
        if modulo is not None:   # pow(x, y, m): whole numbers only, taken as they are
            tr = self._live()
            if tr is not None:
                tr.pin(self, "pow(x, y, m)")
            return pow(other, self.v, modulo) if swap else pow(self.v, _plain(other), modulo)
        tr = self._live()
        if tr is None:   # a number kept past its trace: plain arithmetic (other may be live)
            return f(other, self.v) if swap else f(self.v, other)
        b = tr.atom(other)
        if b is None:
            return NotImplemented
        x, y = (_plain(other), self.v) if swap else (self.v, _plain(other))
        value = f(x, y)
        ins = (b, self.var) if swap else (self.var, b)
        if name == "**" and isinstance(x, numbers.Integral) and isinstance(y, numbers.Integral):
            tr.test(">=", (ins[1], Lit(0)), operator.index(y) >= 0)   # an int, or a float
        if not _is_number(value):   # a complex power, say: not followed
            tr.pin(self, f"{name} giving {type(value).__name__}")
            if type(other) is Traced:
                tr.pin(other, "")
            return value
        return tr.op(name, ins, value)

    return method


def _comparison(name: str) -> Callable[[Traced, Any], Any]:
    f = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
         "==": operator.eq, "!=": operator.ne}[name]

    def method(self: Traced, other: Any) -> Any:
        tr = self._live()
        if tr is None:
            return f(self.v, other)
        b = tr.atom(other)
        if b is None:
            return NotImplemented
        result = f(self.v, _plain(other))
        tr.test(name, (self.var, b), bool(result))
        return result

    return method


for _name, _dunder in (("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "truediv"),
                       ("//", "floordiv"), ("%", "mod"), ("**", "pow")):
    setattr(Traced, f"__{_dunder}__", _binary(_name, False))
    setattr(Traced, f"__r{_dunder}__", _binary(_name, True))
for _name, _dunder in (("neg", "neg"), ("pos", "pos"), ("abs", "abs"), ("invert", "invert"),
                       ("trunc", "trunc"), ("floor", "floor"), ("ceil", "ceil")):
    setattr(Traced, f"__{_dunder}__", _unary(_name))
for _name, _dunder in (("<", "lt"), ("<=", "le"), (">", "gt"), (">=", "ge"), ("==", "eq"),
                       ("!=", "ne")):
    setattr(Traced, f"__{_dunder}__", _comparison(_name))
