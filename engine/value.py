"""``Value``: one scalar in the computation graph.

A Value is plain data: its number (``data``), the gradient backward adds into it (``grad``),
the row of :mod:`engine.ops` that made it (``rule``, ``None`` for a leaf), the Values it was
made from (``x`` and ``y``, the letters of the row's formula; ``inputs`` gives them as a
tuple in argument order, repeats kept) and, for rows such as ``x * 2`` or ``x ** 3``, the
plain number ``param`` that took part (the row's ``c``). Every operator below only looks up
its row and records a node; the derivatives themselves are never written here.

A node is one object: its inputs sit in two slots rather than in a tuple of their own. Each
object that holds references is tracked by Python's garbage collector, whose passes cost
time in proportion to the tracked objects alive, so this halves the collector's work on a
large graph (the benchmark measures it).
"""

from __future__ import annotations

import math
import numbers
from contextvars import ContextVar
from typing import Any, Union

from engine import ops
from engine.ops import Op

__all__ = ["Value", "Number", "ValueLike"]

Number = int | float
ValueLike = Union["Value", int, float]

# False inside ``engine.no_grad()``: operations then make leaves and record nothing.
GRAD_ENABLED: ContextVar[bool] = ContextVar("stepgrad_grad_enabled", default=True)

_INF = math.inf


def _to_float(x: Any, what: str) -> float:
    """``x`` as a finite float, or a TypeError/ValueError that says what was wrong."""
    if type(x) is float:
        f = x
    elif isinstance(x, numbers.Real) and not isinstance(x, bool):
        try:
            f = float(x)
        except OverflowError:  # an int (or Fraction) beyond the largest float
            raise ValueError(
                f"{what}: expected a finite number, got a {type(x).__name__} too large "
                f"for a float") from None
    else:
        hint = " (use .data for its number, or .detach() for a new leaf)" if isinstance(
            x, Value) else ""
        raise TypeError(f"{what}: expected a real number, got {type(x).__name__}{hint}")
    if not -_INF < f < _INF:
        raise ValueError(f"{what}: expected a finite number, got {f}")
    return f


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _overflow(rule: Op, *args: float) -> OverflowError:
    shown = ", ".join(f"{n} = {_fmt(a)}" for n, a in zip("xy", args))
    return OverflowError(f"{rule.name}: the result overflows a float ({rule.text} with {shown})")


def _node(data: float, rule: Op, x: Value, param: float | None) -> Value:
    """Record a new node with one Value input, or a plain leaf inside ``no_grad()``."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v.y = None
    if GRAD_ENABLED.get():
        v.rule = rule
        v.x = x
        v.param = param
    else:
        v.rule = None
        v.x = None
        v.param = None
    return v


def _unary(rule: Op, a: Value) -> Value:
    x = a.data
    if rule.check is not None:
        rule.check(x)
    try:
        r = rule.forward(x)
    except OverflowError:
        raise _overflow(rule, x) from None
    if not -_INF < r < _INF:
        raise _overflow(rule, x)
    return _node(r, rule, a, None)


def _binary(rule: Op, a: Value, b: Value) -> Value:
    x, y = a.data, b.data
    if rule.check is not None:
        rule.check(x, y)
    try:
        r = rule.forward(x, y)
    except OverflowError:
        raise _overflow(rule, x, y) from None
    if not -_INF < r < _INF:
        raise _overflow(rule, x, y)
    v = _new(Value)
    v.data = r
    v.grad = 0.0
    v.label = ""
    if GRAD_ENABLED.get():
        v.rule = rule
        v.x = a
        v.y = b
    else:
        v.rule = None
        v.x = v.y = None
    v.param = None
    return v


def _with_constant(rule: Op, a: Value, c: Any) -> Value:
    if type(c) is not float:
        c = _to_float(c, rule.name)
    elif not -_INF < c < _INF:
        raise ValueError(f"{rule.name}: expected a finite number, got {c}")
    x = a.data
    if rule.check is not None:
        rule.check(x, c)
    try:
        r = rule.forward(x, c)
    except OverflowError:
        raise OverflowError(
            f"{rule.name}: the result overflows a float ({rule.text} with x = {_fmt(x)}, "
            f"c = {_fmt(c)})") from None
    if not -_INF < r < _INF:
        raise OverflowError(
            f"{rule.name}: the result overflows a float ({rule.text} with x = {_fmt(x)}, "
            f"c = {_fmt(c)})")
    return _node(r, rule, a, c)


def _is_number(x: Any) -> bool:
    if type(x) is float or type(x) is int:  # the common cases, without the slower ABC check
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


class Value:
    """A scalar that remembers how it was computed, so that gradients can flow back.

    Args:
        data: any real number (int, float, NumPy scalar); stored as a finite Python float.
        label: a name shown by ``repr``, ``draw_dot`` and the step-through.

    Attributes:
        data: the number (assignable).
        grad: ∂(output)/∂(this Value), accumulated by ``backward()``; starts at 0.0.
        label: the name (assignable).
        op: the operation that made this Value, such as ``"*"`` or ``"tanh"``; ``""`` for
            a leaf.
        inputs: the Values it was computed from, in argument order; ``()`` for a leaf.
        x, y: the same inputs one by one, named as in the row's formula (``None`` where
            there is none: ``y`` for a node with one Value input, both for a leaf).
        rule: the row of :mod:`engine.ops` behind ``op`` (``None`` for a leaf).
        param: the plain number of ``x * 2``, ``x ** 3``, ``leaky_relu(slope)``..., else
            ``None``.

    Values hash and compare by identity, so they can be kept in sets and dict keys.

    Examples:
        >>> x = Value(2.0, label="x")
        >>> y = x * x + 3 * x          # y = x² + 3x
        >>> y.data
        10.0
        >>> y.backward()               # dy/dx = 2x + 3
        >>> x.grad
        7.0
    """

    __slots__ = ("data", "grad", "label", "x", "y", "rule", "param")

    data: float
    grad: float
    label: str
    x: Value | None
    y: Value | None
    rule: Op | None
    param: float | None

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = data if type(data) is float and -_INF < data < _INF else _to_float(
            data, "Value")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.grad = 0.0
        self.label = label
        self.x = None
        self.y = None
        self.rule = None
        self.param = None

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order; ``()`` for a leaf."""
        if self.x is None:
            return ()
        return (self.x,) if self.y is None else (self.x, self.y)

    @inputs.setter
    def inputs(self, values: tuple[Value, ...]) -> None:
        if len(values) > 2:
            raise ValueError(f"Value.inputs: at most 2 inputs, got {len(values)}")
        self.x = values[0] if len(values) >= 1 else None
        self.y = values[1] if len(values) == 2 else None

    @property
    def op(self) -> str:
        """The operation that made this Value (``"+"``, ``"tanh"``, ...); ``""`` for a leaf."""
        return "" if self.rule is None else self.rule.name

    def __repr__(self) -> str:
        name = f"{self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={_grad_text(self.grad)})"

    # --- arithmetic: Values or plain numbers on either side --------------------------
    def __add__(self, other: ValueLike) -> Value:
        if type(other) is Value:
            return _binary(ops.ADD, self, other)
        return _with_constant(ops.ADD_C, self, other) if _is_number(other) else NotImplemented

    def __radd__(self, other: ValueLike) -> Value:
        return _with_constant(ops.ADD_C, self, other) if _is_number(other) else NotImplemented

    def __sub__(self, other: ValueLike) -> Value:
        if type(other) is Value:
            return _binary(ops.SUB, self, other)
        return _with_constant(ops.SUB_C, self, other) if _is_number(other) else NotImplemented

    def __rsub__(self, other: ValueLike) -> Value:
        return _with_constant(ops.RSUB_C, self, other) if _is_number(other) else NotImplemented

    def __mul__(self, other: ValueLike) -> Value:
        if type(other) is Value:
            return _binary(ops.MUL, self, other)
        return _with_constant(ops.MUL_C, self, other) if _is_number(other) else NotImplemented

    def __rmul__(self, other: ValueLike) -> Value:
        return _with_constant(ops.MUL_C, self, other) if _is_number(other) else NotImplemented

    def __truediv__(self, other: ValueLike) -> Value:
        if type(other) is Value:
            return _binary(ops.DIV, self, other)
        return _with_constant(ops.DIV_C, self, other) if _is_number(other) else NotImplemented

    def __rtruediv__(self, other: ValueLike) -> Value:
        return _with_constant(ops.RDIV_C, self, other) if _is_number(other) else NotImplemented

    def __pow__(self, other: ValueLike) -> Value:
        if type(other) is Value:
            return _binary(ops.POW, self, other)
        return _with_constant(ops.POW_C, self, other) if _is_number(other) else NotImplemented

    def __rpow__(self, other: ValueLike) -> Value:
        return _with_constant(ops.RPOW_C, self, other) if _is_number(other) else NotImplemented

    def __neg__(self) -> Value:
        return _unary(ops.NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _unary(ops.ABS, self)

    # --- functions --------------------------------------------------------------------
    def exp(self) -> Value:
        """eˣ. Raises ``OverflowError`` when the result is too large for a float."""
        return _unary(ops.EXP, self)

    def log(self) -> Value:
        """Natural logarithm; raises ``ValueError`` for x ≤ 0."""
        return _unary(ops.LOG, self)

    def sqrt(self) -> Value:
        """√x; raises ``ValueError`` for x < 0 (and its derivative is refused at 0)."""
        return _unary(ops.SQRT, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent, with derivative 1 − tanh²(x)."""
        return _unary(ops.TANH, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e⁻ˣ), computed without overflow for any finite x."""
        return _unary(ops.SIGMOID, self)

    def relu(self) -> Value:
        """max(0, x), with derivative 0 at x = 0 as in PyTorch."""
        return _unary(ops.RELU, self)

    def leaky_relu(self, slope: Number = 0.01) -> Value:
        """x for x > 0, else slope·x; the derivative at 0 is ``slope`` as in PyTorch."""
        return _with_constant(ops.LEAKY, self, slope)

    def sin(self) -> Value:
        """Sine (radians)."""
        return _unary(ops.SIN, self)

    def cos(self) -> Value:
        """Cosine (radians)."""
        return _unary(ops.COS, self)

    # --- the graph ----------------------------------------------------------------------
    def backward(self, grad: Number = 1.0, create_graph: bool = False) -> None:
        """Backpropagate from this Value: add ∂self/∂v · grad to ``v.grad`` for every node v.

        Every node of the graph gets its share, interior nodes included, and a second call
        adds exactly one more pass. With ``create_graph=True`` the gradients are Values
        whose own graphs can be differentiated again.

        Examples:
            >>> a, b = Value(3.0), Value(-2.0)
            >>> c = a * b
            >>> c.backward()
            >>> a.grad, b.grad
            (-2.0, 3.0)
            >>> c.backward()           # a second pass adds the same again
            >>> a.grad
            -4.0
        """
        autograd.backward(self, grad, create_graph=create_graph)

    def detach(self) -> Value:
        """A new leaf with the same number (and label): gradients stop there."""
        return Value(self.data, self.label)


def _grad_text(g: Any) -> str:
    return f"{g:.6g}" if type(g) is float else repr(g)


_new = object.__new__

from engine import autograd  # noqa: E402  (autograd needs Value defined first)
