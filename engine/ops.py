"""The table of primitive operations: all of stepgrad's calculus, in one place.

Every operation a ``Value`` can perform is one row below, made by :func:`defop`. A row says,
once and side by side:

``name``      what the user wrote (``"*"``, ``"tanh"``); ``Value.op`` and errors use it. A
              row whose name is a word (``"tanh"``) is also a method of ``Value``.
``args``      the letters it takes: ``"x"`` (one Value), ``"x, y"`` (two Values) or
              ``"x, c"`` (a Value and a plain number kept on the node, as in ``x * 2``).
``text``      the forward formula as a reader writes it (``"σ(x)"``, ``"max(0, x)"``).
``forward``   the forward formula as Python, in the letters of ``args``.
``partials``  ∂out/∂input, one Python expression per Value input, in the letters of ``args``
              and ``out`` (the result of the forward pass: the cheapest way to write tanh',
              sigmoid', exp', sqrt').
``formulas``  the same derivatives as a reader writes them, for the step-through.
``symbol``    what a drawing's operation node shows (``c`` is replaced by the constant).
``check``     the domain check, run before ``forward``: raises a ``ValueError`` or
              ``ZeroDivisionError`` that names the operation and the offending input.
``note``      a remark shown after the derivative in the step-through (a kink's convention).

The expressions are compiled once, when the row is made. ``forward`` runs on floats.
``partials`` runs on floats for the ordinary backward pass and on ``Value`` nodes for
``create_graph=True`` (the derivative is then a graph itself, differentiable again through
this same table). Kinks are decided by comparing the input's number and give plain
constants, with PyTorch's conventions: relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = slope.

The functions a formula may call are found from its own text, not from a list kept here:
a row of one input named by a word (``exp``, ``sigmoid``: on floats its forward, on Values
the row itself, so that a derivative can be differentiated again), any function of
:mod:`math` (in ``forward``; in ``partials`` only where a row of that name exists by the
time it runs on Values), or one of the helpers ``sign``, ``sqrt_slope``, ``pow_slope``,
``abs`` and ``sigmoid``. A row that reads any other name is refused when it is made.
:data:`ON_FLOATS` and :data:`ON_VALUES` collect what the rows of :data:`OPS` call;
``engine.compile`` writes the same expressions into straight-line code with
:data:`ON_FLOATS` as its functions.

To add an operation: add a row here with :func:`defop` (a word for a name makes it a Value
method: add the method to ``Value``, one line that applies the row) and its entry in the test
registry ``tests/strategies.py``; CONTRIBUTING.md walks through it. Backward, higher order,
drawing, the step-through and the compiler all read the row. A row made at run time,
outside this module, is applied with ``engine.apply(row, x)``; ``engine.compile`` runs the
normal engine for a graph that uses one.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine import args as checks

__all__ = ["Rule", "OPS", "defop", "ON_FLOATS", "ON_VALUES"]


def _number(x: Any) -> float:
    """The plain number behind ``x`` (a float, or a ``Value``'s data)."""
    return x if type(x) is float else float(x.data)


def _fmt(x: float) -> str:
    text = f"{x:.6g}"
    return "0" if text == "-0" else text


# --- the functions formulas call ------------------------------------------------------------

def _sigmoid(x: float) -> float:
    # Branch on the sign so that exp never overflows: for x < 0 use e^x / (1 + e^x).
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _power(x: float, p: float) -> float:
    # Inside a derivative an overflow gives inf, which backward reports with the node's name
    # (a bare ``x ** p`` would raise OverflowError with no word of what overflowed).
    try:
        return float(x ** p)
    except OverflowError:
        return math.inf


def _sign(x: Any) -> float:
    v = _number(x)
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


def _sqrt_slope(out: Any) -> Any:
    if _number(out) == 0:
        raise ZeroDivisionError("sqrt: the derivative 1 / (2·sqrt(x)) is infinite at x = 0")
    return 0.5 / out


def _pow_slope(x: Any, c: Any) -> Any:
    """c · x ** (c − 1), refused where it is infinite (x = 0 and c < 1)."""
    if type(c) is float and c == 0:  # a constant exponent 0 (a Value exponent keeps its graph)
        return 0.0
    if _number(x) == 0 and _number(c) < 1:
        raise ZeroDivisionError(
            f"**: the derivative c · x ** (c - 1) is infinite at x = 0 (c = {_fmt(_number(c))})")
    return c * (_power(x, c - 1.0) if type(x) is float else x ** (c - 1.0))


# The helpers a formula may call besides math's functions and the rows' own: on floats (for
# forward and compiled code), and on both floats and Values (for partials).
_FLOAT_HELPERS: dict[str, Callable[..., Any]] = {
    "sign": _sign, "sqrt_slope": _sqrt_slope, "pow_slope": _pow_slope, "sigmoid": _sigmoid,
    "abs": abs,
}
_DUAL_HELPERS: dict[str, Callable[..., Any]] = {
    "sign": _sign, "sqrt_slope": _sqrt_slope, "pow_slope": _pow_slope, "abs": abs,
}

ON_FLOATS: dict[str, Any] = {}
"""What each function name of the table's formulas means on floats, filled as the rows are
made: the globals of ``forward`` and of the code ``engine.compile`` writes."""
ON_VALUES: dict[str, Any] = {}
"""What each function name of the table's ``partials`` means: the same on floats, the
row's own operation on Values (so that a derivative can be differentiated again)."""


def _row_named(name: str) -> Rule | None:
    return next((r for r in OPS if r.name == name and r.args == "x"), None)


def _on_floats(name: str) -> Callable[..., Any] | None:
    """A helper, a row's forward (``exp``, ``sigmoid``), or a function of :mod:`math`."""
    row = _row_named(name)
    found = _FLOAT_HELPERS.get(name) or (row.f if row is not None else None) or getattr(
        math, name, None)
    return found if callable(found) else None


def _on_values(name: str) -> Callable[..., Any] | None:
    """A dual helper, or a function of one number: on a float its :func:`_on_floats`
    meaning, on a Value the Value's method of that name (the row of that name: a
    derivative evaluated on Values is a graph, differentiable again)."""
    if name in _DUAL_HELPERS:
        return _DUAL_HELPERS[name]
    on_float = _on_floats(name)
    if on_float is None:
        return None

    def call(x: Any) -> Any:
        if type(x) is float:
            return on_float(x)
        method = getattr(x, name, None)
        if method is None:
            raise ValueError(f"{name}: no row of the table is named {name!r}, so a partial "
                             f"that calls it cannot be evaluated on Values "
                             f"(create_graph=True); add the row")
        return method()

    call.__name__ = name
    return call


# --- domain checks: each names the operation and the input it refused --------------------

def _check_log(x: float, _: None) -> None:
    if not x > 0:
        raise ValueError(f"log: expected x > 0, got x = {_fmt(x)}")


def _check_sqrt(x: float, _: None) -> None:
    if not x >= 0:
        raise ValueError(f"sqrt: expected x >= 0, got x = {_fmt(x)}")


def _check_div(x: float, y: float) -> None:
    if y == 0:
        raise ZeroDivisionError(f"/: division by zero ({_fmt(x)} / 0)")


def _check_rdiv(x: float, c: float) -> None:
    if x == 0:
        raise ZeroDivisionError(f"/: division by zero ({_fmt(c)} / 0)")


def _check_pow(x: float, y: float) -> None:
    # ∂(x ** y)/∂y = x ** y · log x: a Value exponent needs a base > 0, or 0 with y >= 0,
    # where x ** y is 0 (1 at y = 0) and ∂/∂y is taken as 0, as PyTorch and HIPS autograd do.
    if x == 0 and y < 0:
        raise ZeroDivisionError(f"**: 0 cannot be raised to a negative power (0 ** {_fmt(y)})")
    if x < 0:
        raise ValueError(f"**: the base must be >= 0 when the exponent is a Value "
                         f"(∂/∂y = x**y · log x), got x = {_fmt(x)}")


def _check_pow_c(x: float, c: float) -> None:
    if x == 0 and c < 0:
        raise ZeroDivisionError(f"**: 0 cannot be raised to a negative power (0 ** {_fmt(c)})")
    if x < 0 and not c.is_integer():
        raise ValueError(
            f"**: a negative base needs a whole-number exponent, got {_fmt(x)} ** {_fmt(c)}")


def _check_rpow(x: float, c: float) -> None:
    # c ** x with a Value exponent x: ∂/∂x = c ** x · log c, taken as 0 at c = 0 (x >= 0).
    if c == 0 and x < 0:
        raise ZeroDivisionError(f"**: 0 cannot be raised to a negative power (0 ** {_fmt(x)})")
    if not c >= 0:
        raise ValueError(
            f"**: the base must be >= 0 when the exponent is a Value (∂/∂x = c**x · log c), "
            f"got c = {_fmt(c)}")


# Forward formulas that are one arithmetic operator run as the operator module's function.
_ARITHMETIC: dict[str, Callable[[float, Any], float]] = {
    f"x {sign} {second}": function for second in "yc"
    for sign, function in (("+", operator.add), ("-", operator.sub), ("*", operator.mul),
                           ("/", operator.truediv), ("**", operator.pow))
}


@dataclass(frozen=True, eq=False)
class Rule:
    """One primitive operation: its forward rule and its local derivatives, together.

    ``f`` is ``forward`` compiled: ``f(x)`` for a row of one Value, ``f(x, y)`` or
    ``f(x, c)`` for the others. ``df(out, x, y_or_c)`` is ``partials`` compiled (its third
    argument is the second input, the constant ``c``, or None for a row of one Value);
    ``constant`` is the same tuple when every partial is a plain number, else None. The
    rest is described in this module's docstring.

    Examples:
        >>> TANH
        Rule('tanh': out = tanh(x), ∂out/∂x = 1.0 - out * out)
        >>> TANH.f(0.5) == math.tanh(0.5), MUL.f(2.0, 3.0), MUL.df(6.0, 2.0, 3.0)
        (True, 6.0, (3.0, 2.0))
    """

    name: str
    args: str
    text: str
    forward: str
    partials: tuple[str, ...]
    formulas: tuple[str, ...]
    symbol: str
    check: Callable[[float, Any], None] | None = None
    note: str = ""
    f: Callable[..., float] = field(init=False, repr=False)
    df: Callable[..., tuple[Any, ...]] = field(init=False, repr=False)
    constant: tuple[float, ...] | None = field(init=False, repr=False)
    on_floats: dict[str, Callable[..., Any]] = field(init=False, repr=False)
    on_values: dict[str, Callable[..., Any]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"Rule: name must be a non-empty str, got "
                            f"{checks.describe(self.name)}")
        where = f"Rule {self.name!r}"
        for text in ("text", "forward", "symbol", "note"):
            checks.text(getattr(self, text), f"{where}: {text}")
        checks.choice(self.args, f"{where}: args", ("x", "x, y", "x, c"))
        for texts in ("partials", "formulas"):
            value = checks.instance(getattr(self, texts), f"{where}: {texts}", tuple)
            checks.items(value, f"{where}: {texts}", checks.text, n=self.arity,
                       kind="a tuple of str")
        if self.check is not None:
            checks.function(self.check, f"{where}: check", 2, "as check(x, y_or_c)")
        second = "y" if self.args == "x, y" else "c"
        where = f"<rule {self.name}>"
        object.__setattr__(self, "on_floats", {})
        object.__setattr__(self, "on_values", {})
        forward = f"lambda {self.args}: {self.forward}"
        partials = f"lambda out, x, {second}: ({', '.join(self.partials)},)"
        # Every name a formula reads must be one of its letters or a function it may call:
        # found here, not as a NameError on the first node or the first backward pass. The
        # functions are bound by name as they are found; nothing lists them beforehand.
        for what, code in (("forward", forward), ("partials", partials)):
            body = next(k for k in compile(code, where, "eval").co_consts
                        if hasattr(k, "co_names"))   # the lambda's own code
            unknown = []
            for name in body.co_names:
                on_floats = _on_floats(name)
                if name[0] == "_" or on_floats is None:
                    unknown.append(name)
                    continue
                self.on_floats[name] = on_floats
                on_values = _on_values(name)
                if what == "partials" and on_values is not None:
                    self.on_values[name] = on_values
            if unknown:
                raise ValueError(f"Rule {self.name!r}: {what} reads "
                                 f"{', '.join(sorted(unknown))}, which is not one of its "
                                 f"letters ({self.args}"
                                 f"{', out' if what == 'partials' else ''}), a row of one "
                                 f"input, a function of math, or one of "
                                 f"{', '.join(sorted(_FLOAT_HELPERS))}")
        # A forward formula that is one operator (x * y) or one call (tanh(x)) runs as that
        # function itself: the same numbers, one Python call fewer on every node.
        called = re.fullmatch(r"(\w+)\(x\)", self.forward)
        fast = _ARITHMETIC.get(self.forward) or (self.on_floats.get(called.group(1)) if called
                                                  else None)
        object.__setattr__(self, "f", fast or eval(compile(forward, where, "eval"),
                                                   dict(self.on_floats)))
        object.__setattr__(self, "df", eval(compile(partials, where, "eval"),
                                            dict(self.on_values)))
        # Partials that are plain numbers (x + y, x - c, -x) are what df returns anyway:
        # backward reads them here instead of calling df on every node.
        numbers = [p for p in self.partials if re.fullmatch(r"-?\d+\.\d+", p)]
        object.__setattr__(self, "constant", tuple(map(float, numbers))
                           if len(numbers) == len(self.partials) else None)

    @property
    def arity(self) -> int:
        """How many Value inputs the operation takes (its constant ``c`` not counted)."""
        return 2 if self.args == "x, y" else 1

    def __repr__(self) -> str:
        derivatives = ", ".join(f"∂out/∂{v} = {p}" for v, p in zip("xy", self.partials))
        return f"Rule({self.name!r}: out = {self.text}, {derivatives})"


OPS: list[Rule] = []
"""Every row of the table, in the order below."""


def defop(name: str, args: str, text: str, forward: str, partials: tuple[str, ...],
          formulas: tuple[str, ...], symbol: str = "", check: Any = None,
          note: str = "") -> Rule:
    """Make a row and add it to :data:`OPS` (``symbol`` defaults to ``name``).

    The rows made in this module become methods of ``Value`` when engine is imported (a
    word for a name); a row made later is applied with ``engine.apply(row, x)``, and its
    word name must be new.
    """
    if isinstance(name, str) and name.isidentifier() and any(r.name == name for r in OPS):
        raise ValueError(f"defop: a row named {name!r} exists already; pick another name")
    rule = Rule(name, args, text, forward, partials, formulas, symbol or name, check, note)
    OPS.append(rule)
    ON_FLOATS.update(rule.on_floats)
    ON_VALUES.update(rule.on_values)
    return rule


# fmt: off
# ------------------------------------------------------------------------------------------
#  THE TABLE.  name, args, text, forward, partials (∂out/∂x[, ∂out/∂y]), formulas, symbol
# ------------------------------------------------------------------------------------------
NEG      = defop("neg", "x", "-x", "-x", ("-1.0",), ("-1",), "−")
ABS      = defop("abs", "x", "|x|", "abs(x)", ("sign(x)",), ("sign(x)",), "|·|",
                 note="0 at x = 0")
EXP      = defop("exp", "x", "exp(x)", "exp(x)", ("out",), ("exp(x)",))
LOG      = defop("log", "x", "log(x)", "log(x)", ("1.0 / x",), ("1 / x",),
                 check=_check_log)
SQRT     = defop("sqrt", "x", "sqrt(x)", "sqrt(x)", ("sqrt_slope(out)",), ("1 / (2·sqrt(x))",),
                 "√", _check_sqrt)
TANH     = defop("tanh", "x", "tanh(x)", "tanh(x)", ("1.0 - out * out",), ("1 − tanh²(x)",))
SIGMOID  = defop("sigmoid", "x", "σ(x)", "sigmoid(x)", ("out * (1.0 - out)",),
                 ("σ(x)·(1 − σ(x))",), "σ")
RELU     = defop("relu", "x", "max(0, x)", "x if x > 0.0 else 0.0", ("1.0 if x > 0.0 else 0.0",),
                 ("1 if x > 0 else 0",), "ReLU")
SIN      = defop("sin", "x", "sin(x)", "sin(x)", ("cos(x)",), ("cos(x)",))
COS      = defop("cos", "x", "cos(x)", "cos(x)", ("-sin(x)",), ("−sin(x)",))
# Past |x| = 27.3 (erf) and 38.6 (gelu) the Gaussian factor exp(...) is 0 in floats: the
# partials say so first, so that on Values no x·x overflows on the way to that 0.
ERF      = defop("erf", "x", "erf(x)", "erf(x)",
                 ("0.0 if x > 27.3 or x < -27.3 else 1.1283791670955126 * exp(-(x * x))",),
                 ("2·exp(−x²) / sqrt(π)",))
# PyTorch's defaults: softplus with beta 1 and threshold 20, gelu in its exact (erf) form.
SOFTPLUS = defop("softplus", "x", "log(1 + exp(x))", "x if x > 20.0 else log1p(exp(x))",
                 ("1.0 if x > 20.0 else exp(x) / (exp(x) + 1.0)",), ("σ(x)",),
                 note="x itself above 20, as in PyTorch")
GELU     = defop("gelu", "x", "x·Φ(x)", "x * 0.5 * (1.0 + erf(x * 0.7071067811865476))",
                 ("0.5 * (1.0 + erf(x * 0.7071067811865476)) + (0.0 if x > 38.6 or x < -38.6"
                  " else x * (exp(-0.5 * x * x) * 0.3989422804014327))",),
                 ("Φ(x) + x·φ(x)",), "GELU")
SILU     = defop("silu", "x", "x·σ(x)", "x * sigmoid(x)",
                 ("sigmoid(x) * (1.0 + x * (1.0 - sigmoid(x)))",), ("σ(x)·(1 + x·(1 − σ(x)))",),
                 "SiLU")
# Past |x| = 1.3e154, x·x overflows on Values and 1 / (1 + x²) is below 6e-309 in floats:
# the partial says 0 first (PyTorch's 1 / (1 + inf) is 0 from 1.34e154 on).
ATAN     = defop("atan", "x", "atan(x)", "atan(x)",
                 ("0.0 if x > 1.3e154 or x < -1.3e154 else 1.0 / (1.0 + x * x)",),
                 ("1 / (1 + x²)",))

ADD      = defop("+", "x, y", "x + y", "x + y", ("1.0", "1.0"), ("1", "1"))
SUB      = defop("-", "x, y", "x - y", "x - y", ("1.0", "-1.0"), ("1", "-1"), "−")
MUL      = defop("*", "x, y", "x * y", "x * y", ("y", "x"), ("y", "x"), "×")
DIV      = defop("/", "x, y", "x / y", "x / y", ("1.0 / y", "-out / y"), ("1 / y", "−x / y²"),
                 "÷", _check_div)
POW      = defop("**", "x, y", "x ** y", "x ** y",
                 ("pow_slope(x, y)", "0.0 if x <= 0.0 else out * log(x)"),
                 ("y · x ** (y − 1)", "x ** y · log(x)"), "^", _check_pow)

ADD_C    = defop("+", "x, c", "x + c", "x + c", ("1.0",), ("1",), "+ c")
SUB_C    = defop("-", "x, c", "x - c", "x - c", ("1.0",), ("1",), "− c")
RSUB_C   = defop("-", "x, c", "c - x", "c - x", ("-1.0",), ("-1",), "c −")
MUL_C    = defop("*", "x, c", "x * c", "x * c", ("c",), ("c",), "× c")
DIV_C    = defop("/", "x, c", "x / c", "x / c", ("1.0 / c",), ("1 / c",), "÷ c", _check_div)
RDIV_C   = defop("/", "x, c", "c / x", "c / x", ("-out / x",), ("−c / x²",), "c ÷",
                 _check_rdiv)
POW_C    = defop("**", "x, c", "x ** c", "x ** c", ("pow_slope(x, c)",), ("c · x ** (c − 1)",),
                 "^c", _check_pow_c)
RPOW_C   = defop("**", "x, c", "c ** x", "c ** x", ("0.0 if c == 0.0 else out * log(c)",),
                 ("c ** x · log(c)",),
                 "c^", _check_rpow)
LEAKY    = defop("leaky_relu", "x, c", "x if x > 0 else c·x", "x if x > 0.0 else c * x",
                 ("1.0 if x > 0.0 else c",), ("1 if x > 0 else c",), "LeakyReLU(c)")
# fmt: on
