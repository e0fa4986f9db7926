"""The table of primitive operations: all of stepgrad's calculus, in one place.

Every operation a ``Value`` can perform is one row (an :class:`Op`) below. A row declares
together, once:

``name``       what the user wrote (``"*"``, ``"tanh"``); errors and ``Value.op`` use it.
``symbol``     what ``draw_dot`` prints inside the operation's node.
``text``       the forward formula, in the letters ``x``, ``y`` (inputs) and ``c`` (a plain
               number kept on the node, as in ``x * 2`` or ``x ** 3``).
``forward``    floats in, float out: ``forward(x[, y][, c])``.
``partials``   the local derivatives ∂out/∂input, one per input:
               ``partials(x[, y], out[, c])``. ``out`` is the result of the forward pass,
               which is the cheapest way to write tanh', sigmoid', exp' and sqrt'.
``formulas``   the same derivatives as text, one per input, for the step-through.
``check``      the domain check, run before ``forward``: raises a ``ValueError`` or
               ``ZeroDivisionError`` that names the operation and the offending input.

The partials are written with arithmetic operators and the small helpers below
(``_exp``, ``_log``, ``_sin``, ``_cos``, ``_power``) only, so the same rule runs on floats
(first-order backward: fast, builds nothing) and on ``Value`` nodes (``create_graph=True``:
the derivative is itself a graph, differentiable again through this same table). Kinks are
decided on the input's number and return plain constants, with PyTorch's conventions:
relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = slope.

Plain numbers on one side of a binary operator (``x * 2``, ``1 - x``) do not become nodes:
they are kept as the row's constant ``c``, in the rows whose names end in ``_c``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Op", "OPS", "UNARY", "BINARY", "CONSTANT"]


def _number(x: Any) -> float:
    """The plain number behind ``x`` (a float, or a ``Value``'s data)."""
    return x if type(x) is float else float(x.data)


# The four functions that derivative rules call, on floats or on Values alike.
def _exp(x: Any) -> Any:
    return math.exp(x) if type(x) is float else x.exp()


def _log(x: Any) -> Any:
    return math.log(x) if type(x) is float else x.log()


def _sin(x: Any) -> Any:
    return math.sin(x) if type(x) is float else x.sin()


def _cos(x: Any) -> Any:
    return math.cos(x) if type(x) is float else x.cos()


def _power(x: Any, p: Any) -> Any:
    # On floats an overflow gives inf, which backward reports as an overflowing gradient
    # (a bare ``x ** p`` would raise OverflowError with no word of what overflowed).
    if type(x) is not float:
        return x ** p
    try:
        return x ** p
    except OverflowError:
        return math.inf


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _require(ok: bool, name: str, message: str, error: type[Exception] = ValueError) -> None:
    if not ok:
        raise error(f"{name}: {message}")


# --- domain checks: each names the operation and the input it refused ------------------

def _check_log(x: float) -> None:
    _require(x > 0, "log", f"expected x > 0, got x = {_fmt(x)}")


def _check_sqrt(x: float) -> None:
    _require(x >= 0, "sqrt", f"expected x >= 0, got x = {_fmt(x)}")


def _check_div(x: float, y: float) -> None:
    _require(y != 0, "/", f"division by zero ({_fmt(x)} / 0)", ZeroDivisionError)


def _check_div_c(x: float, c: float) -> None:
    _require(c != 0, "/", f"division by zero ({_fmt(x)} / 0)", ZeroDivisionError)


def _check_rdiv_c(x: float, c: float) -> None:
    _require(x != 0, "/", f"division by zero ({_fmt(c)} / 0)", ZeroDivisionError)


def _check_pow(x: float, y: float) -> None:
    # ∂(x ** y)/∂y = x ** y · log x, so a Value exponent needs a positive base.
    _require(
        x > 0,
        "**",
        f"the base must be > 0 when the exponent is a Value (∂/∂y = x**y · log x), "
        f"got x = {_fmt(x)}",
    )


def _check_pow_c(x: float, c: float) -> None:
    if x == 0 and c < 0:
        raise ZeroDivisionError(f"**: 0 cannot be raised to a negative power (0 ** {_fmt(c)})")
    if x < 0 and not float(c).is_integer():
        raise ValueError(
            f"**: a negative base needs a whole-number exponent, got {_fmt(x)} ** {_fmt(c)}"
        )


def _check_rpow_c(x: float, c: float) -> None:
    # c ** x with a Value exponent x: ∂/∂x = c ** x · log c.
    _require(
        c > 0,
        "**",
        f"the base must be > 0 when the exponent is a Value (∂/∂x = c**x · log c), "
        f"got c = {_fmt(c)}",
    )


# --- derivative rules that need more than one expression -------------------------------

def _sqrt_partial(x: Any, out: Any) -> tuple[Any]:
    _require(_number(out) > 0, "sqrt", "the derivative 1 / (2·sqrt(x)) is infinite at x = 0",
             ZeroDivisionError)
    return (0.5 / out,)


def _pow_c_partial(x: Any, out: Any, c: float) -> tuple[Any]:
    if c == 0:
        return (0.0,)
    if _number(x) == 0 and c < 1:
        raise ZeroDivisionError(
            f"**: the derivative c · x ** (c - 1) is infinite at x = 0 (c = {_fmt(c)})"
        )
    return (c * _power(x, c - 1),)


def _step(x: Any, below: float) -> float:
    """1 above zero, ``below`` at and below zero: the slope of relu (0) and leaky_relu."""
    return 1.0 if _number(x) > 0 else below


def _sign(x: Any) -> float:
    v = _number(x)
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


def _sigmoid(x: float) -> float:
    # Branch on the sign so that exp never overflows: for x < 0 use e^x / (1 + e^x).
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class Op:
    """One primitive operation: its forward rule and its local derivatives, together."""

    name: str
    symbol: str
    text: str
    forward: Callable[..., float]
    partials: Callable[..., tuple[Any, ...]]
    formulas: tuple[str, ...]
    check: Callable[..., None] | None = None

    @property
    def arity(self) -> int:
        """How many Value inputs the operation takes (its constant ``c`` not counted)."""
        return len(self.formulas)

    def __repr__(self) -> str:
        return f"Op({self.name!r}: out = {self.text})"


# fmt: off
# ---------------------------------------------------------------------------------------
#  THE TABLE.  Unary rows, then binary rows, then rows with a plain-number constant c.
#  partials(x[, y], out[, c]) -> one local derivative per Value input.
# ---------------------------------------------------------------------------------------
NEG     = Op("neg", "−", "-x", operator.neg,
             lambda x, out: (-1.0,), ("-1",))
ABS     = Op("abs", "|·|", "|x|", abs,
             lambda x, out: (_sign(x),), ("sign(x)  (0 at x = 0)",))
EXP     = Op("exp", "exp", "exp(x)", math.exp,
             lambda x, out: (out,), ("exp(x)",))
LOG     = Op("log", "log", "log(x)", math.log,
             lambda x, out: (1.0 / x,), ("1 / x",), _check_log)
SQRT    = Op("sqrt", "√", "sqrt(x)", math.sqrt,
             _sqrt_partial, ("1 / (2·sqrt(x))",), _check_sqrt)
TANH    = Op("tanh", "tanh", "tanh(x)", math.tanh,
             lambda x, out: (1.0 - out * out,), ("1 − tanh²(x)",))
SIGMOID = Op("sigmoid", "σ", "σ(x)", _sigmoid,
             lambda x, out: (out * (1.0 - out),), ("σ(x)·(1 − σ(x))",))
RELU    = Op("relu", "ReLU", "max(0, x)", lambda x: x if x > 0 else 0.0,
             lambda x, out: (_step(x, 0.0),), ("1 if x > 0 else 0",))
SIN     = Op("sin", "sin", "sin(x)", math.sin,
             lambda x, out: (_cos(x),), ("cos(x)",))
COS     = Op("cos", "cos", "cos(x)", math.cos,
             lambda x, out: (-_sin(x),), ("−sin(x)",))

ADD     = Op("+", "+", "x + y", operator.add,
             lambda x, y, out: (1.0, 1.0), ("1", "1"))
SUB     = Op("-", "−", "x - y", operator.sub,
             lambda x, y, out: (1.0, -1.0), ("1", "-1"))
MUL     = Op("*", "×", "x * y", operator.mul,
             lambda x, y, out: (y, x), ("y", "x"))
DIV     = Op("/", "÷", "x / y", operator.truediv,
             lambda x, y, out: (1.0 / y, -out / y), ("1 / y", "−x / y²"), _check_div)
POW     = Op("**", "^", "x ** y", operator.pow,
             lambda x, y, out: (y * _power(x, y - 1.0), out * _log(x)),
             ("y · x ** (y − 1)", "x ** y · log(x)"), _check_pow)

ADD_C   = Op("+", "+", "x + c", operator.add,
             lambda x, out, c: (1.0,), ("1",))
SUB_C   = Op("-", "−", "x - c", operator.sub,
             lambda x, out, c: (1.0,), ("1",))
RSUB_C  = Op("-", "−", "c - x", lambda x, c: c - x,
             lambda x, out, c: (-1.0,), ("-1",))
MUL_C   = Op("*", "×", "x * c", operator.mul,
             lambda x, out, c: (c,), ("c",))
DIV_C   = Op("/", "÷", "x / c", operator.truediv,
             lambda x, out, c: (1.0 / c,), ("1 / c",), _check_div_c)
RDIV_C  = Op("/", "÷", "c / x", lambda x, c: c / x,
             lambda x, out, c: (-out / x,), ("−c / x²",), _check_rdiv_c)
POW_C   = Op("**", "^", "x ** c", operator.pow,
             _pow_c_partial, ("c · x ** (c − 1)",), _check_pow_c)
RPOW_C  = Op("**", "^", "c ** x", lambda x, c: c ** x,
             lambda x, out, c: (out * _log(c),), ("c ** x · log(c)",), _check_rpow_c)
LEAKY   = Op("leaky_relu", "LeakyReLU", "x if x > 0 else c·x", lambda x, c: x if x > 0 else c * x,
             lambda x, out, c: (_step(x, c),), ("1 if x > 0 else c",))
# fmt: on

UNARY: tuple[Op, ...] = (NEG, ABS, EXP, LOG, SQRT, TANH, SIGMOID, RELU, SIN, COS)
BINARY: tuple[Op, ...] = (ADD, SUB, MUL, DIV, POW)
CONSTANT: tuple[Op, ...] = (ADD_C, SUB_C, RSUB_C, MUL_C, DIV_C, RDIV_C, POW_C, RPOW_C, LEAKY)
OPS: tuple[Op, ...] = UNARY + BINARY + CONSTANT
