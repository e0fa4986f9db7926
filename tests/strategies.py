"""The test registry: every way of calling every row of ``engine.ops``' table, with oracles.

Each :class:`Case` is one form a user writes (``x * y``, ``x * c``, ``c * x``, ``x.tanh()``)
and names the row of the table it must reach. It carries, written here independently of
``engine/ops.py``:

- ``reference``: the forward value from :mod:`math` (or exact arithmetic);
- ``d``: the analytic partial derivatives up to third order, keyed by the sorted indices of
  the Value inputs they differentiate, ``(0,)``, ``(0, 1)``, ``(1, 1, 1)``...; a derivative
  may be returned as a tuple of terms whose sum it is, so that the tolerance can scale with
  the size of the terms when they cancel;
- ``domain``: argument tuples over the operation's whole domain (the domain is excluded by
  the strategy, never shifted into range), including inputs whose result or derivative
  overflows a float, where the engine must raise instead of returning inf;
- ``smooth``: argument tuples for central differences: bounded, well conditioned, no kinks;
- ``torch``: the same operation in PyTorch, an expression in the letters ``x``, ``y``, ``c``
  (``torch``, and ``F`` for ``torch.nn.functional``): ``tests/test_torch_ops.py`` checks the
  value and three derivatives against it;
- ``extremes``: the outcome at the float limits (−0.0, 5e-324, 1e308, ...), as PyTorch
  float64 gives it: ``(*args, value, ∂/∂ each Value input)``, or ``(*args, error type,
  message)`` where PyTorch gives inf or nan (``tests/test_extremes.py``; its slow test asks
  PyTorch itself); ``unlike_torch`` lists the args where stepgrad is exact and PyTorch not.

Every row of the table needs a case with each (``test_ops.py`` checks it): a new operation
is declared here, once.

Arguments are plain floats: ``(x,)`` for unary rows, ``(x, y)`` for rows of two Values,
``(x, c)`` for rows with a plain-number constant ``c`` (only ``x`` becomes a Value).

``expression_graphs`` draws random expressions with node reuse for whole-graph checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from engine import Value, no_grad, ops
from engine.ops import Rule

FINITE: dict[str, Any] = {"allow_nan": False, "allow_infinity": False, "allow_subnormal": False}

# Results this large may overflow inside the engine's chain of products before the exact
# value does (or the reverse); between here and the largest float either outcome is fine.
HUGE = 1e300
# Results this small are at the edge of underflow, where a float keeps few digits.
TINY = 1e-300


def floats(lo: float | None = None, hi: float | None = None, **kw: Any) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, **FINITE, **kw)


# --- number strategies -------------------------------------------------------------------
every_float = st.one_of(floats(-10.0, 10.0), floats(-1e3, 1e3), floats())
reals = floats(-1e3, 1e3)
positive = st.one_of(floats(1e-3, 1e6), floats(0.0, exclude_min=True))
non_negative = st.one_of(st.just(0.0), positive)
non_zero = every_float.filter(lambda v: v != 0)
away_from_zero = st.one_of(floats(-1e3, -1e-2), floats(1e-2, 1e3))
exponents = st.one_of(floats(-10.0, 10.0), every_float)
whole_numbers = st.one_of(st.integers(-20, 20), st.integers(-2000, 2000)).map(float)


def tuples(*parts: st.SearchStrategy[float]) -> st.SearchStrategy[tuple[float, ...]]:
    return st.tuples(*parts)


def _power_domain() -> st.SearchStrategy[tuple[float, ...]]:
    """(x, c) where x ** c is defined: any c for x > 0, whole c for x < 0, c ≥ 0 for x = 0."""
    return st.one_of(
        st.tuples(positive, exponents),
        st.tuples(floats(None, 0.0, exclude_max=True), whole_numbers),
        st.tuples(st.just(0.0), st.one_of(whole_numbers, exponents).map(abs)),
    )


# --- independent oracles --------------------------------------------------------------------
def _exact(q: Fraction) -> float:
    """A rational, rounded once to a float (OverflowError when out of range)."""
    return float(q)


def _sech2(x: float) -> float:
    t = math.exp(-2.0 * abs(x))
    return 4.0 * t / (1.0 + t) ** 2


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    return math.exp(x - math.log1p(math.exp(x)))


def _sigmoid_d1(x: float) -> float:
    t = math.exp(-abs(x))
    return t / (1.0 + t) ** 2


def _sigmoid_d2(x: float) -> float:
    t = math.exp(-abs(x))
    v = t * (t - 1.0) / (1.0 + t) ** 3
    return v if x >= 0 else -v


def _sigmoid_d3(x: float) -> float:
    t = math.exp(-abs(x))
    return t * (1.0 - 4.0 * t + t * t) / (1.0 + t) ** 4


def _prod(*factors: float) -> float:
    """The product of floats, rounded once (0 if any factor is 0, however large the rest)."""
    if 0.0 in factors:
        return 0.0
    return float(math.prod(Fraction(f) for f in factors))


def _power_dk(k: int) -> Callable[..., float]:
    """The k-th derivative of x ** c with respect to x."""

    def d(x: float, c: float) -> float:
        factors = [c - i for i in range(k)]
        if 0.0 in factors:
            return 0.0
        if x == 0:
            if c - k > 0:
                return 0.0
            if c - k == 0:
                return _prod(*factors)
            raise ZeroDivisionError("infinite at 0")
        return _prod(*factors, math.pow(x, c - k))

    return d


_SQRT_2PI = math.sqrt(2.0 * math.pi)


def _phi(x: float) -> float:
    """The standard normal density."""
    return math.exp(-0.5 * x * x) / _SQRT_2PI if abs(x) < 1e150 else 0.0


def _Phi(x: float) -> float:
    """The standard normal distribution function, in PyTorch's erf form (gelu's contract)."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _erf_d1(x: float) -> float:
    return 2.0 / math.sqrt(math.pi) * math.exp(-x * x) if abs(x) < 1e150 else 0.0


def _softplus(x: float) -> float:
    return x if x > 20 else math.log1p(math.exp(x))


def _leaky(x: float, c: float) -> float:
    return x if x > 0 else c * x


def _const(v: float) -> Callable[..., float]:
    return lambda *args: v


ZERO = _const(0.0)


def _zeros(arity: int, orders: Sequence[int] = (2, 3)) -> dict[tuple[int, ...], Callable[..., Any]]:
    out: dict[tuple[int, ...], Callable[..., Any]] = {}
    for order in orders:
        for idx in _indices(arity, order):
            out[idx] = ZERO
    return out


def _indices(arity: int, order: int) -> list[tuple[int, ...]]:
    """Sorted multi-indices of the given order over ``arity`` inputs."""
    if order == 0:
        return [()]
    return [(i, *rest) for i in range(arity) for rest in _indices(arity, order - 1)
            if not rest or i <= rest[0]]


def multi_indices(arity: int, order: int) -> list[tuple[int, ...]]:
    return _indices(arity, order)


@dataclass(frozen=True)
class Case:
    """One way of calling one row of the table, with its oracles (see the module's text)."""

    name: str
    row: Rule
    call: Callable[..., Value]
    arity: int
    reference: Callable[..., float]
    d: dict[tuple[int, ...], Callable[..., Any]]
    domain: st.SearchStrategy[tuple[float, ...]]
    smooth: st.SearchStrategy[tuple[float, ...]]
    atol: float = 0.0
    kinks: tuple[float, ...] = ()  # where the derivative is a convention, not a limit
    torch: str = ""                # the same in PyTorch, in the letters x, y, c (F: functional)
    extremes: tuple[tuple[Any, ...], ...] = ()   # outcomes at the float limits (see below)
    unlike_torch: tuple[tuple[float, ...], ...] = ()   # extremes where stepgrad is exact

    def __repr__(self) -> str:  # the id pytest shows
        return self.name

    def build(self, args: Sequence[float]) -> tuple[list[Value], Value]:
        """Fresh leaves for the Value arguments, and the node the case makes from them."""
        leaves = [Value(a) for a in args[: self.arity]]
        return leaves, self.call(*leaves, *args[self.arity:])

    def forward(self, args: Sequence[float]) -> float:
        """The engine's forward value, recording nothing."""
        with no_grad():
            return self.build(args)[1].data


def _unary(name: str, row: Rule, call: Callable[[Value], Value],
           reference: Callable[[float], float],
           d1: Callable[..., Any], d2: Callable[..., Any], d3: Callable[..., Any],
           domain: st.SearchStrategy[float], smooth: st.SearchStrategy[float],
           atol: float = 0.0, kinks: tuple[float, ...] = (), **more: Any) -> Case:
    return Case(name, row, call, 1, reference, {(0,): d1, (0, 0): d2, (0, 0, 0): d3},
                tuples(domain), tuples(smooth), atol, kinks, **more)


def _constant(name: str, row: Rule, call: Callable[[Value, Any], Value],
              reference: Callable[[float, float], float], d1: Callable[..., Any],
              domain: st.SearchStrategy[tuple[float, ...]],
              smooth: st.SearchStrategy[tuple[float, ...]],
              d2: Callable[..., Any] = ZERO, d3: Callable[..., Any] = ZERO,
              kinks: tuple[float, ...] = (), **more: Any) -> Case:
    return Case(name, row, call, 1, reference, {(0,): d1, (0, 0): d2, (0, 0, 0): d3},
                domain, smooth, 0.0, kinks, **more)


# Forms that reach the same row twice (x * c and c * x) are both listed: each is a path
# through Value's operators that could go wrong on its own.
CASES: tuple[Case, ...] = (
    # --- unary rows ------------------------------------------------------------------------
    _unary("-x", ops.NEG, lambda x: -x, lambda x: 0.0 - x,
           _const(-1.0), ZERO, ZERO, every_float, reals,
           torch="torch.neg(x)",
           extremes=((-0.0, 0.0, -1.0), (5e-324, -5e-324, -1.0), (-5e-324, 5e-324, -1.0),
                     (1e-300, -1e-300, -1.0), (1e+308, -1e+308, -1.0), (-1e+308, 1e+308, -1.0),
                     (710.0, -710.0, -1.0), (-745.2, 745.2, -1.0),)),
    _unary("abs(x)", ops.ABS, abs, math.fabs,
           lambda x: 1.0 if x > 0 else (-1.0 if x < 0 else 0.0), ZERO, ZERO,
           every_float, away_from_zero, kinks=(0.0,),
           torch="torch.abs(x)",
           extremes=((-0.0, 0.0, 0.0), (5e-324, 5e-324, 1.0), (-5e-324, 5e-324, -1.0),
                     (1e-300, 1e-300, 1.0), (1e+308, 1e+308, 1.0), (-1e+308, 1e+308, -1.0),
                     (710.0, 710.0, 1.0), (-745.2, 745.2, -1.0),)),
    _unary("x.exp()", ops.EXP, lambda x: x.exp(), math.exp,
           math.exp, math.exp, math.exp,
           st.one_of(floats(-800.0, 800.0), every_float), floats(-50.0, 50.0),
           torch="torch.exp(x)",
           extremes=((-0.0, 1.0, 1.0), (5e-324, 1.0, 1.0), (-5e-324, 1.0, 1.0), (1e-300, 1.0, 1.0),
                     (1e+308, OverflowError, 'exp: the result overflows a float'),
                     (-1e+308, 0.0, 0.0),
                     (710.0, OverflowError, 'exp: the result overflows a float'),
                     (-745.2, 0.0, 0.0),)),
    _unary("x.log()", ops.LOG, lambda x: x.log(), math.log,
           lambda x: math.pow(x, -1.0), lambda x: -math.pow(x, -2.0),
           lambda x: 2.0 * math.pow(x, -3.0), positive, floats(1e-3, 1e6),
           torch="torch.log(x)",
           extremes=((-0.0, ValueError, 'log: expected x > 0'),
                     (5e-324, ArithmeticError, 'backward: the gradient reaching'),
                     (-5e-324, ValueError, 'log: expected x > 0'),
                     (1e-300, -690.7755278982137, 9.999999999999999e+299),
                     (1e+308, 709.1962086421661, 1e-308),
                     (-1e+308, ValueError, 'log: expected x > 0'),
                     (710.0, 6.565264970035361, 0.0014084507042253522),
                     (-745.2, ValueError, 'log: expected x > 0'),)),
    _unary("x.sqrt()", ops.SQRT, lambda x: x.sqrt(), math.sqrt,
           lambda x: 0.5 * math.pow(x, -0.5), lambda x: -0.25 * math.pow(x, -1.5),
           lambda x: 0.375 * math.pow(x, -2.5), non_negative, floats(1e-3, 1e6),
           torch="torch.sqrt(x)",
           extremes=((-0.0, ZeroDivisionError, 'sqrt: the derivative 1 / (2·sqrt(x)) is'),
                     (5e-324, 2.2227587494850775e-162, 2.2494568972715982e+161),
                     (-5e-324, ValueError, 'sqrt: expected x >= 0'), (1e-300, 1e-150, 5e+149),
                     (1e+308, 1e+154, 5e-155), (-1e+308, ValueError, 'sqrt: expected x >= 0'),
                     (710.0, 26.645825188948457, 0.018764665626020038),
                     (-745.2, ValueError, 'sqrt: expected x >= 0'),)),
    _unary("x.tanh()", ops.TANH, lambda x: x.tanh(), math.tanh,
           _sech2, lambda x: -2.0 * math.tanh(x) * _sech2(x),
           lambda x: 4.0 * math.tanh(x) ** 2 * _sech2(x) - 2.0 * _sech2(x) ** 2,
           every_float, floats(-40.0, 40.0), atol=1e-14,
           torch="torch.tanh(x)",
           extremes=((-0.0, -0.0, 1.0), (5e-324, 5e-324, 1.0), (-5e-324, -5e-324, 1.0),
                     (1e-300, 1e-300, 1.0), (1e+308, 1.0, 0.0), (-1e+308, -1.0, 0.0),
                     (710.0, 1.0, 0.0), (-745.2, -1.0, 0.0),)),
    _unary("x.sigmoid()", ops.SIGMOID, lambda x: x.sigmoid(), _sigmoid,
           _sigmoid_d1, _sigmoid_d2, _sigmoid_d3, every_float, floats(-40.0, 40.0),
           atol=1e-14,
           torch="torch.sigmoid(x)",
           extremes=((-0.0, 0.5, 0.25), (5e-324, 0.5, 0.25), (-5e-324, 0.5, 0.25),
                     (1e-300, 0.5, 0.25), (1e+308, 1.0, 0.0), (-1e+308, 0.0, 0.0),
                     (710.0, 1.0, 0.0), (-745.2, 0.0, 0.0),)),
    _unary("x.relu()", ops.RELU, lambda x: x.relu(), lambda x: max(0.0, x),
           lambda x: 1.0 if x > 0 else 0.0, ZERO, ZERO, every_float, away_from_zero,
           kinks=(0.0,),
           torch="torch.relu(x)",
           extremes=((-0.0, -0.0, 0.0), (5e-324, 5e-324, 1.0), (-5e-324, 0.0, 0.0),
                     (1e-300, 1e-300, 1.0), (1e+308, 1e+308, 1.0), (-1e+308, 0.0, 0.0),
                     (710.0, 710.0, 1.0), (-745.2, 0.0, 0.0),)),
    _unary("x.sin()", ops.SIN, lambda x: x.sin(), math.sin,
           math.cos, lambda x: -math.sin(x), lambda x: -math.cos(x),
           every_float, floats(-100.0, 100.0),
           torch="torch.sin(x)",
           extremes=((-0.0, -0.0, 1.0), (5e-324, 5e-324, 1.0), (-5e-324, -5e-324, 1.0),
                     (1e-300, 1e-300, 1.0), (1e+308, 0.4533964905016491, -0.8913089376870335),
                     (-1e+308, -0.4533964905016491, -0.8913089376870335),
                     (710.0, 6.0288706691585265e-05, 0.999999998182636),
                     (-745.2, 0.5992317159730857, -0.8005756370087409),)),
    _unary("x.cos()", ops.COS, lambda x: x.cos(), math.cos,
           lambda x: -math.sin(x), lambda x: -math.cos(x), math.sin,
           every_float, floats(-100.0, 100.0),
           torch="torch.cos(x)",
           extremes=((-0.0, 1.0, 0.0), (5e-324, 1.0, -5e-324), (-5e-324, 1.0, 5e-324),
                     (1e-300, 1.0, -1e-300), (1e+308, -0.8913089376870335, -0.4533964905016491),
                     (-1e+308, -0.8913089376870335, 0.4533964905016491),
                     (710.0, 0.999999998182636, -6.0288706691585265e-05),
                     (-745.2, -0.8005756370087409, -0.5992317159730857),)),
    _unary("x.erf()", ops.ERF, lambda x: x.erf(), math.erf,
           _erf_d1, lambda x: -2.0 * x * _erf_d1(x) if abs(x) < 30 else 0.0,
           lambda x: (4.0 * x * x - 2.0) * _erf_d1(x) if abs(x) < 30 else 0.0,
           every_float, floats(-5.0, 5.0), atol=1e-14,
           torch="torch.erf(x)",
           extremes=((-0.0, -0.0, 1.1283791670955126), (5e-324, 5e-324, 1.1283791670955126),
                     (-5e-324, -5e-324, 1.1283791670955126),
                     (1e-300, 1.1283791670955126e-300, 1.1283791670955126), (1e+308, 1.0, 0.0),
                     (-1e+308, -1.0, 0.0), (710.0, 1.0, 0.0), (-745.2, -1.0, 0.0),)),
    # softplus is x itself above 20 (PyTorch's threshold), where its derivatives are 1, 0, 0.
    _unary("x.softplus()", ops.SOFTPLUS, lambda x: x.softplus(), _softplus,
           lambda x: 1.0 if x > 20 else _sigmoid(x),
           lambda x: 0.0 if x > 20 else _sigmoid_d1(x),
           lambda x: 0.0 if x > 20 else _sigmoid_d2(x),
           every_float, floats(-30.0, 19.0), atol=1e-14,
           torch="F.softplus(x)",
           extremes=((-0.0, 0.6931471805599453, 0.5), (5e-324, 0.6931471805599453, 0.5),
                     (-5e-324, 0.6931471805599453, 0.5), (1e-300, 0.6931471805599453, 0.5),
                     (1e+308, 1e+308, 1.0), (-1e+308, 0.0, 0.0), (710.0, 710.0, 1.0),
                     (-745.2, 0.0, 0.0),)),
    _unary("x.gelu()", ops.GELU, lambda x: x.gelu(), lambda x: x * _Phi(x),
           lambda x: (_Phi(x), x * _phi(x)), lambda x: _phi(x) * (2.0 - x * x) if abs(x) < 40
           else 0.0, lambda x: _phi(x) * (x**3 - 4.0 * x) if abs(x) < 40 else 0.0,
           every_float, floats(-8.0, 8.0), atol=1e-14,
           torch="F.gelu(x)",
           extremes=((-0.0, -0.0, 0.5), (5e-324, 0.0, 0.5), (-5e-324, -0.0, 0.5),
                     (1e-300, 5e-301, 0.5), (1e+308, 1e+308, 1.0), (-1e+308, -0.0, 0.0),
                     (710.0, 710.0, 1.0), (-745.2, -0.0, 0.0),)),
    _unary("x.silu()", ops.SILU, lambda x: x.silu(), lambda x: x * _sigmoid(x),
           lambda x: (_sigmoid(x), x * _sigmoid_d1(x)),
           lambda x: (2.0 * _sigmoid_d1(x), x * _sigmoid_d2(x)),
           lambda x: (3.0 * _sigmoid_d2(x), x * _sigmoid_d3(x)),
           every_float, floats(-40.0, 40.0), atol=1e-14,
           torch="F.silu(x)",
           extremes=((-0.0, -0.0, 0.5), (5e-324, 0.0, 0.5), (-5e-324, -0.0, 0.5),
                     (1e-300, 5e-301, 0.5), (1e+308, 1e+308, 1.0), (-1e+308, -0.0, -0.0),
                     (710.0, 710.0, 1.0), (-745.2, -0.0, -0.0),)),
    _unary("x.atan()", ops.ATAN, lambda x: x.atan(), math.atan,
           lambda x: _exact(1 / (1 + Fraction(x) ** 2)),
           lambda x: _exact(-2 * Fraction(x) / (1 + Fraction(x) ** 2) ** 2),
           lambda x: _exact((6 * Fraction(x) ** 2 - 2) / (1 + Fraction(x) ** 2) ** 3),
           every_float, floats(-100.0, 100.0),
           torch="torch.atan(x)",
           extremes=((-0.0, -0.0, 1.0), (5e-324, 5e-324, 1.0), (-5e-324, -5e-324, 1.0),
                     (1e-300, 1e-300, 1.0), (1e308, 1.5707963267948966, 0.0),
                     (-1e308, -1.5707963267948966, 0.0),
                     (710.0, 1.5693878770220004, 1.983729451042549e-06),
                     (-745.2, -1.569454405968609, 1.8007504231223268e-06))),
    # --- rows of two Values -------------------------------------------------------------
    Case("x + y", ops.ADD, lambda x, y: x + y, 2, lambda x, y: x + y,
         {(0,): _const(1.0), (1,): _const(1.0), **_zeros(2)},
         tuples(every_float, every_float), tuples(reals, reals),
         torch="x + y",
         extremes=((2.0, 2.0, 4.0, 1.0, 1.0), (2.0, -0.0, 2.0, 1.0, 1.0),
                   (2.0, 5e-324, 2.0, 1.0, 1.0), (2.0, 1e+308, 1e+308, 1.0, 1.0),
                   (2.0, -1e+308, -1e+308, 1.0, 1.0), (-0.0, 2.0, 2.0, 1.0, 1.0),
                   (-0.0, -0.0, -0.0, 1.0, 1.0), (-0.0, 5e-324, 5e-324, 1.0, 1.0),
                   (-0.0, 1e+308, 1e+308, 1.0, 1.0), (-0.0, -1e+308, -1e+308, 1.0, 1.0),
                   (5e-324, 2.0, 2.0, 1.0, 1.0), (5e-324, -0.0, 5e-324, 1.0, 1.0),
                   (5e-324, 5e-324, 1e-323, 1.0, 1.0), (5e-324, 1e+308, 1e+308, 1.0, 1.0),
                   (5e-324, -1e+308, -1e+308, 1.0, 1.0), (1e+308, 2.0, 1e+308, 1.0, 1.0),
                   (1e+308, -0.0, 1e+308, 1.0, 1.0), (1e+308, 5e-324, 1e+308, 1.0, 1.0),
                   (1e+308, 1e+308, OverflowError, '+: the result overflows a float'),
                   (1e+308, -1e+308, 0.0, 1.0, 1.0), (-1e+308, 2.0, -1e+308, 1.0, 1.0),
                   (-1e+308, -0.0, -1e+308, 1.0, 1.0), (-1e+308, 5e-324, -1e+308, 1.0, 1.0),
                   (-1e+308, 1e+308, 0.0, 1.0, 1.0),
                   (-1e+308, -1e+308, OverflowError, '+: the result overflows a float'),)),
    Case("x - y", ops.SUB, lambda x, y: x - y, 2, lambda x, y: x - y,
         {(0,): _const(1.0), (1,): _const(-1.0), **_zeros(2)},
         tuples(every_float, every_float), tuples(reals, reals),
         torch="x - y",
         extremes=((2.0, 2.0, 0.0, 1.0, -1.0), (2.0, -0.0, 2.0, 1.0, -1.0),
                   (2.0, 5e-324, 2.0, 1.0, -1.0), (2.0, 1e+308, -1e+308, 1.0, -1.0),
                   (2.0, -1e+308, 1e+308, 1.0, -1.0), (-0.0, 2.0, -2.0, 1.0, -1.0),
                   (-0.0, -0.0, 0.0, 1.0, -1.0), (-0.0, 5e-324, -5e-324, 1.0, -1.0),
                   (-0.0, 1e+308, -1e+308, 1.0, -1.0), (-0.0, -1e+308, 1e+308, 1.0, -1.0),
                   (5e-324, 2.0, -2.0, 1.0, -1.0), (5e-324, -0.0, 5e-324, 1.0, -1.0),
                   (5e-324, 5e-324, 0.0, 1.0, -1.0), (5e-324, 1e+308, -1e+308, 1.0, -1.0),
                   (5e-324, -1e+308, 1e+308, 1.0, -1.0), (1e+308, 2.0, 1e+308, 1.0, -1.0),
                   (1e+308, -0.0, 1e+308, 1.0, -1.0), (1e+308, 5e-324, 1e+308, 1.0, -1.0),
                   (1e+308, 1e+308, 0.0, 1.0, -1.0),
                   (1e+308, -1e+308, OverflowError, '-: the result overflows a float'),
                   (-1e+308, 2.0, -1e+308, 1.0, -1.0), (-1e+308, -0.0, -1e+308, 1.0, -1.0),
                   (-1e+308, 5e-324, -1e+308, 1.0, -1.0),
                   (-1e+308, 1e+308, OverflowError, '-: the result overflows a float'),
                   (-1e+308, -1e+308, 0.0, 1.0, -1.0),)),
    Case("x * y", ops.MUL, lambda x, y: x * y, 2, lambda x, y: x * y,
         {(0,): lambda x, y: y, (1,): lambda x, y: x, **_zeros(2), (0, 1): _const(1.0)},
         tuples(every_float, every_float), tuples(reals, reals),
         torch="x * y",
         extremes=((2.0, 2.0, 4.0, 2.0, 2.0), (2.0, -0.0, -0.0, 0.0, 2.0),
                   (2.0, 5e-324, 1e-323, 5e-324, 2.0),
                   (2.0, 1e+308, OverflowError, '*: the result overflows a float'),
                   (2.0, -1e+308, OverflowError, '*: the result overflows a float'),
                   (-0.0, 2.0, -0.0, 2.0, 0.0), (-0.0, -0.0, 0.0, 0.0, 0.0),
                   (-0.0, 5e-324, -0.0, 5e-324, 0.0), (-0.0, 1e+308, -0.0, 1e+308, 0.0),
                   (-0.0, -1e+308, 0.0, -1e+308, 0.0), (5e-324, 2.0, 1e-323, 2.0, 5e-324),
                   (5e-324, -0.0, -0.0, 0.0, 5e-324), (5e-324, 5e-324, 0.0, 5e-324, 5e-324),
                   (5e-324, 1e+308, 4.9406564584124655e-16, 1e+308, 5e-324),
                   (5e-324, -1e+308, -4.9406564584124655e-16, -1e+308, 5e-324),
                   (1e+308, 2.0, OverflowError, '*: the result overflows a float'),
                   (1e+308, -0.0, -0.0, 0.0, 1e+308),
                   (1e+308, 5e-324, 4.9406564584124655e-16, 5e-324, 1e+308),
                   (1e+308, 1e+308, OverflowError, '*: the result overflows a float'),
                   (1e+308, -1e+308, OverflowError, '*: the result overflows a float'),
                   (-1e+308, 2.0, OverflowError, '*: the result overflows a float'),
                   (-1e+308, -0.0, 0.0, 0.0, -1e+308),
                   (-1e+308, 5e-324, -4.9406564584124655e-16, 5e-324, -1e+308),
                   (-1e+308, 1e+308, OverflowError, '*: the result overflows a float'),
                   (-1e+308, -1e+308, OverflowError, '*: the result overflows a float'),)),
    Case("x / y", ops.DIV, lambda x, y: x / y, 2,
         lambda x, y: _exact(Fraction(x) / Fraction(y)),
         {
             (0,): lambda x, y: _exact(1 / Fraction(y)),
             (1,): lambda x, y: _exact(-Fraction(x) / Fraction(y) ** 2),
             (0, 0): ZERO,
             (0, 1): lambda x, y: _exact(-1 / Fraction(y) ** 2),
             (1, 1): lambda x, y: _exact(2 * Fraction(x) / Fraction(y) ** 3),
             (0, 0, 0): ZERO,
             (0, 0, 1): ZERO,
             (0, 1, 1): lambda x, y: _exact(2 / Fraction(y) ** 3),
             (1, 1, 1): lambda x, y: _exact(-6 * Fraction(x) / Fraction(y) ** 4),
         },
         tuples(every_float, non_zero), tuples(reals, away_from_zero),
         torch="x / y",
         extremes=((2.0, 2.0, 1.0, 0.5, -0.5),
                   (2.0, -0.0, ZeroDivisionError, '/: division by zero'),
                   (2.0, 5e-324, OverflowError, '/: the result overflows a float'),
                   (2.0, 1e+308, 2e-308, 1e-308, 0.0), (2.0, -1e+308, -2e-308, -1e-308, 0.0),
                   (-0.0, 2.0, -0.0, 0.5, 0.0),
                   (-0.0, -0.0, ZeroDivisionError, '/: division by zero'),
                   (-0.0, 5e-324, ArithmeticError, 'backward: the gradient reaching'),
                   (-0.0, 1e+308, -0.0, 1e-308, 0.0), (-0.0, -1e+308, 0.0, -1e-308, 0.0),
                   (5e-324, 2.0, 0.0, 0.5, 0.0),
                   (5e-324, -0.0, ZeroDivisionError, '/: division by zero'),
                   (5e-324, 5e-324, ArithmeticError, 'backward: the gradient reaching'),
                   (5e-324, 1e+308, 0.0, 1e-308, 0.0), (5e-324, -1e+308, -0.0, -1e-308, 0.0),
                   (1e+308, 2.0, 5e+307, 0.5, -2.5e+307),
                   (1e+308, -0.0, ZeroDivisionError, '/: division by zero'),
                   (1e+308, 5e-324, OverflowError, '/: the result overflows a float'),
                   (1e+308, 1e+308, 1.0, 1e-308, -1e-308),
                   (1e+308, -1e+308, -1.0, -1e-308, -1e-308),
                   (-1e+308, 2.0, -5e+307, 0.5, 2.5e+307),
                   (-1e+308, -0.0, ZeroDivisionError, '/: division by zero'),
                   (-1e+308, 5e-324, OverflowError, '/: the result overflows a float'),
                   (-1e+308, 1e+308, -1.0, 1e-308, 1e-308),
                   (-1e+308, -1e+308, 1.0, -1e-308, 1e-308),)),
    Case("x ** y", ops.POW, lambda x, y: x**y, 2, math.pow,
         {
             (0,): lambda x, y: _prod(y, math.pow(x, y - 1)),
             (1,): lambda x, y: _prod(math.pow(x, y), math.log(x)),
             (0, 0): lambda x, y: _prod(y, y - 1, math.pow(x, y - 2)),
             (0, 1): lambda x, y: (math.pow(x, y - 1), _prod(y, math.pow(x, y - 1), math.log(x))),
             (1, 1): lambda x, y: _prod(math.pow(x, y), math.log(x), math.log(x)),
             (0, 0, 0): lambda x, y: _prod(y, y - 1, y - 2, math.pow(x, y - 3)),
             (0, 0, 1): lambda x, y: (_prod(y - 1, math.pow(x, y - 2)),
                                      _prod(y, math.pow(x, y - 2)),
                                      _prod(y, y - 1, math.pow(x, y - 2), math.log(x))),
             (0, 1, 1): lambda x, y: (_prod(2, math.pow(x, y - 1), math.log(x)),
                                      _prod(y, math.pow(x, y - 1), math.log(x), math.log(x))),
             (1, 1, 1): lambda x, y: _prod(math.pow(x, y), *[math.log(x)] * 3),
         },
         tuples(positive, exponents), tuples(floats(1e-2, 1e3), floats(-3.0, 3.0)),
         torch="x ** y",
         extremes=((2.0, 2.0, 4.0, 4.0, 2.772588722239781),
                   (2.0, -0.0, 1.0, 0.0, 0.6931471805599453),
                   (2.0, 5e-324, 1.0, 0.0, 0.6931471805599453),
                   (2.0, 1e+308, OverflowError, '**: the result overflows a float'),
                   (2.0, -1e+308, 0.0, 0.0, 0.0), (-0.0, 2.0, 0.0, 0.0, 0.0),
                   (-0.0, -0.0, 1.0, 0.0, 0.0),
                   (-0.0, 5e-324, ZeroDivisionError, '**: the derivative c · x **'),
                   (-0.0, 1e+308, 0.0, 0.0, 0.0),
                   (-0.0, -1e+308, ZeroDivisionError, '**: 0 cannot be raised to a negative power'),
                   (5e-324, 2.0, 0.0, 1e-323, 0.0), (5e-324, -0.0, 1.0, 0.0, -744.4400719213812),
                   (5e-324, 5e-324, ArithmeticError, 'backward: the gradient reaching'),
                   (5e-324, 1e+308, 0.0, 0.0, 0.0),
                   (5e-324, -1e+308, OverflowError, '**: the result overflows a float'),
                   (1e+308, 2.0, OverflowError, '**: the result overflows a float'),
                   (1e+308, -0.0, 1.0, 0.0, 709.1962086421661),
                   (1e+308, 5e-324, 1.0, 0.0, 709.1962086421661),
                   (1e+308, 1e+308, OverflowError, '**: the result overflows a float'),
                   (1e+308, -1e+308, 0.0, 0.0, 0.0),
                   (-1e+308, 2.0, ValueError, '**: the base must be >= 0 when the'),
                   (-1e+308, -0.0, ValueError, '**: the base must be >= 0 when the'),
                   (-1e+308, 5e-324, ValueError, '**: the base must be >= 0 when the'),
                   (-1e+308, 1e+308, ValueError, '**: the base must be >= 0 when the'),
                   (-1e+308, -1e+308, ValueError, '**: the base must be >= 0 when the'),)),
    # --- rows with a plain-number constant c ------------------------------------------------
    _constant("x + c", ops.ADD_C, lambda x, c: x + c, lambda x, c: x + c, _const(1.0),
              tuples(every_float, every_float), tuples(reals, reals),
              torch="x + c",
              extremes=((2.0, 2.0, 4.0, 1.0), (2.0, -0.0, 2.0, 1.0), (2.0, 5e-324, 2.0, 1.0),
                        (2.0, 1e+308, 1e+308, 1.0), (2.0, -1e+308, -1e+308, 1.0),
                        (-0.0, 2.0, 2.0, 1.0), (-0.0, -0.0, -0.0, 1.0),
                        (-0.0, 5e-324, 5e-324, 1.0), (-0.0, 1e+308, 1e+308, 1.0),
                        (-0.0, -1e+308, -1e+308, 1.0), (5e-324, 2.0, 2.0, 1.0),
                        (5e-324, -0.0, 5e-324, 1.0), (5e-324, 5e-324, 1e-323, 1.0),
                        (5e-324, 1e+308, 1e+308, 1.0), (5e-324, -1e+308, -1e+308, 1.0),
                        (1e+308, 2.0, 1e+308, 1.0), (1e+308, -0.0, 1e+308, 1.0),
                        (1e+308, 5e-324, 1e+308, 1.0),
                        (1e+308, 1e+308, OverflowError, '+: the result overflows a float'),
                        (1e+308, -1e+308, 0.0, 1.0), (-1e+308, 2.0, -1e+308, 1.0),
                        (-1e+308, -0.0, -1e+308, 1.0), (-1e+308, 5e-324, -1e+308, 1.0),
                        (-1e+308, 1e+308, 0.0, 1.0),
                        (-1e+308, -1e+308, OverflowError, '+: the result overflows a float'),)),
    _constant("c + x", ops.ADD_C, lambda x, c: c + x, lambda x, c: c + x, _const(1.0),
              tuples(every_float, every_float), tuples(reals, reals),
              torch="c + x",
              extremes=((2.0, 2.0, 4.0, 1.0), (-0.0, 2.0, 2.0, 1.0), (5e-324, 2.0, 2.0, 1.0),
                        (1e+308, 2.0, 1e+308, 1.0), (-1e+308, 2.0, -1e+308, 1.0),
                        (2.0, -0.0, 2.0, 1.0), (-0.0, -0.0, -0.0, 1.0),
                        (5e-324, -0.0, 5e-324, 1.0), (1e+308, -0.0, 1e+308, 1.0),
                        (-1e+308, -0.0, -1e+308, 1.0), (2.0, 5e-324, 2.0, 1.0),
                        (-0.0, 5e-324, 5e-324, 1.0), (5e-324, 5e-324, 1e-323, 1.0),
                        (1e+308, 5e-324, 1e+308, 1.0), (-1e+308, 5e-324, -1e+308, 1.0),
                        (2.0, 1e+308, 1e+308, 1.0), (-0.0, 1e+308, 1e+308, 1.0),
                        (5e-324, 1e+308, 1e+308, 1.0),
                        (1e+308, 1e+308, OverflowError, '+: the result overflows a float'),
                        (-1e+308, 1e+308, 0.0, 1.0), (2.0, -1e+308, -1e+308, 1.0),
                        (-0.0, -1e+308, -1e+308, 1.0), (5e-324, -1e+308, -1e+308, 1.0),
                        (1e+308, -1e+308, 0.0, 1.0),
                        (-1e+308, -1e+308, OverflowError, '+: the result overflows a float'),)),
    _constant("x + n", ops.ADD_C, lambda x, c: x + int(c), lambda x, c: x + c, _const(1.0),
              tuples(every_float, whole_numbers), tuples(reals, whole_numbers)),
    _constant("x - c", ops.SUB_C, lambda x, c: x - c, lambda x, c: x - c, _const(1.0),
              tuples(every_float, every_float), tuples(reals, reals),
              torch="x - c",
              extremes=((2.0, 2.0, 0.0, 1.0), (2.0, -0.0, 2.0, 1.0), (2.0, 5e-324, 2.0, 1.0),
                        (2.0, 1e+308, -1e+308, 1.0), (2.0, -1e+308, 1e+308, 1.0),
                        (-0.0, 2.0, -2.0, 1.0), (-0.0, -0.0, 0.0, 1.0),
                        (-0.0, 5e-324, -5e-324, 1.0), (-0.0, 1e+308, -1e+308, 1.0),
                        (-0.0, -1e+308, 1e+308, 1.0), (5e-324, 2.0, -2.0, 1.0),
                        (5e-324, -0.0, 5e-324, 1.0), (5e-324, 5e-324, 0.0, 1.0),
                        (5e-324, 1e+308, -1e+308, 1.0), (5e-324, -1e+308, 1e+308, 1.0),
                        (1e+308, 2.0, 1e+308, 1.0), (1e+308, -0.0, 1e+308, 1.0),
                        (1e+308, 5e-324, 1e+308, 1.0), (1e+308, 1e+308, 0.0, 1.0),
                        (1e+308, -1e+308, OverflowError, '-: the result overflows a float'),
                        (-1e+308, 2.0, -1e+308, 1.0), (-1e+308, -0.0, -1e+308, 1.0),
                        (-1e+308, 5e-324, -1e+308, 1.0),
                        (-1e+308, 1e+308, OverflowError, '-: the result overflows a float'),
                        (-1e+308, -1e+308, 0.0, 1.0),)),
    _constant("c - x", ops.RSUB_C, lambda x, c: c - x, lambda x, c: c - x, _const(-1.0),
              tuples(every_float, every_float), tuples(reals, reals),
              torch="c - x",
              extremes=((2.0, 2.0, 0.0, -1.0), (-0.0, 2.0, 2.0, -1.0), (5e-324, 2.0, 2.0, -1.0),
                        (1e+308, 2.0, -1e+308, -1.0), (-1e+308, 2.0, 1e+308, -1.0),
                        (2.0, -0.0, -2.0, -1.0), (-0.0, -0.0, 0.0, -1.0),
                        (5e-324, -0.0, -5e-324, -1.0), (1e+308, -0.0, -1e+308, -1.0),
                        (-1e+308, -0.0, 1e+308, -1.0), (2.0, 5e-324, -2.0, -1.0),
                        (-0.0, 5e-324, 5e-324, -1.0), (5e-324, 5e-324, 0.0, -1.0),
                        (1e+308, 5e-324, -1e+308, -1.0), (-1e+308, 5e-324, 1e+308, -1.0),
                        (2.0, 1e+308, 1e+308, -1.0), (-0.0, 1e+308, 1e+308, -1.0),
                        (5e-324, 1e+308, 1e+308, -1.0), (1e+308, 1e+308, 0.0, -1.0),
                        (-1e+308, 1e+308, OverflowError, '-: the result overflows a float'),
                        (2.0, -1e+308, -1e+308, -1.0), (-0.0, -1e+308, -1e+308, -1.0),
                        (5e-324, -1e+308, -1e+308, -1.0),
                        (1e+308, -1e+308, OverflowError, '-: the result overflows a float'),
                        (-1e+308, -1e+308, 0.0, -1.0),)),
    _constant("x * c", ops.MUL_C, lambda x, c: x * c, lambda x, c: x * c, lambda x, c: c,
              tuples(every_float, every_float), tuples(reals, reals),
              torch="x * c",
              extremes=((2.0, 2.0, 4.0, 2.0), (2.0, -0.0, -0.0, 0.0),
                        (2.0, 5e-324, 1e-323, 5e-324),
                        (2.0, 1e+308, OverflowError, '*: the result overflows a float'),
                        (2.0, -1e+308, OverflowError, '*: the result overflows a float'),
                        (-0.0, 2.0, -0.0, 2.0), (-0.0, -0.0, 0.0, 0.0),
                        (-0.0, 5e-324, -0.0, 5e-324), (-0.0, 1e+308, -0.0, 1e+308),
                        (-0.0, -1e+308, 0.0, -1e+308), (5e-324, 2.0, 1e-323, 2.0),
                        (5e-324, -0.0, -0.0, 0.0), (5e-324, 5e-324, 0.0, 5e-324),
                        (5e-324, 1e+308, 4.9406564584124655e-16, 1e+308),
                        (5e-324, -1e+308, -4.9406564584124655e-16, -1e+308),
                        (1e+308, 2.0, OverflowError, '*: the result overflows a float'),
                        (1e+308, -0.0, -0.0, 0.0),
                        (1e+308, 5e-324, 4.9406564584124655e-16, 5e-324),
                        (1e+308, 1e+308, OverflowError, '*: the result overflows a float'),
                        (1e+308, -1e+308, OverflowError, '*: the result overflows a float'),
                        (-1e+308, 2.0, OverflowError, '*: the result overflows a float'),
                        (-1e+308, -0.0, 0.0, 0.0),
                        (-1e+308, 5e-324, -4.9406564584124655e-16, 5e-324),
                        (-1e+308, 1e+308, OverflowError, '*: the result overflows a float'),
                        (-1e+308, -1e+308, OverflowError, '*: the result overflows a float'),)),
    _constant("c * x", ops.MUL_C, lambda x, c: c * x, lambda x, c: c * x, lambda x, c: c,
              tuples(every_float, every_float), tuples(reals, reals),
              torch="c * x",
              extremes=((2.0, 2.0, 4.0, 2.0), (-0.0, 2.0, -0.0, 2.0), (5e-324, 2.0, 1e-323, 2.0),
                        (1e+308, 2.0, OverflowError, '*: the result overflows a float'),
                        (-1e+308, 2.0, OverflowError, '*: the result overflows a float'),
                        (2.0, -0.0, -0.0, 0.0), (-0.0, -0.0, 0.0, 0.0), (5e-324, -0.0, -0.0, 0.0),
                        (1e+308, -0.0, -0.0, 0.0), (-1e+308, -0.0, 0.0, 0.0),
                        (2.0, 5e-324, 1e-323, 5e-324), (-0.0, 5e-324, -0.0, 5e-324),
                        (5e-324, 5e-324, 0.0, 5e-324),
                        (1e+308, 5e-324, 4.9406564584124655e-16, 5e-324),
                        (-1e+308, 5e-324, -4.9406564584124655e-16, 5e-324),
                        (2.0, 1e+308, OverflowError, '*: the result overflows a float'),
                        (-0.0, 1e+308, -0.0, 1e+308),
                        (5e-324, 1e+308, 4.9406564584124655e-16, 1e+308),
                        (1e+308, 1e+308, OverflowError, '*: the result overflows a float'),
                        (-1e+308, 1e+308, OverflowError, '*: the result overflows a float'),
                        (2.0, -1e+308, OverflowError, '*: the result overflows a float'),
                        (-0.0, -1e+308, 0.0, -1e+308),
                        (5e-324, -1e+308, -4.9406564584124655e-16, -1e+308),
                        (1e+308, -1e+308, OverflowError, '*: the result overflows a float'),
                        (-1e+308, -1e+308, OverflowError, '*: the result overflows a float'),)),
    _constant("x / c", ops.DIV_C, lambda x, c: x / c,
              lambda x, c: _exact(Fraction(x) / Fraction(c)),
              lambda x, c: _exact(1 / Fraction(c)),
              tuples(every_float, non_zero), tuples(reals, away_from_zero),
              torch="x / c",
              extremes=((2.0, 2.0, 1.0, 0.5),
                        (2.0, -0.0, ZeroDivisionError, '/: division by zero'),
                        (2.0, 5e-324, OverflowError, '/: the result overflows a float'),
                        (2.0, 1e+308, 2e-308, 1e-308), (2.0, -1e+308, -2e-308, -1e-308),
                        (-0.0, 2.0, -0.0, 0.5),
                        (-0.0, -0.0, ZeroDivisionError, '/: division by zero'),
                        (-0.0, 5e-324, ArithmeticError, 'backward: the gradient reaching'),
                        (-0.0, 1e+308, -0.0, 1e-308), (-0.0, -1e+308, 0.0, -1e-308),
                        (5e-324, 2.0, 0.0, 0.5),
                        (5e-324, -0.0, ZeroDivisionError, '/: division by zero'),
                        (5e-324, 5e-324, ArithmeticError, 'backward: the gradient reaching'),
                        (5e-324, 1e+308, 0.0, 1e-308), (5e-324, -1e+308, -0.0, -1e-308),
                        (1e+308, 2.0, 5e+307, 0.5),
                        (1e+308, -0.0, ZeroDivisionError, '/: division by zero'),
                        (1e+308, 5e-324, OverflowError, '/: the result overflows a float'),
                        (1e+308, 1e+308, 1.0, 1e-308), (1e+308, -1e+308, -1.0, -1e-308),
                        (-1e+308, 2.0, -5e+307, 0.5),
                        (-1e+308, -0.0, ZeroDivisionError, '/: division by zero'),
                        (-1e+308, 5e-324, OverflowError, '/: the result overflows a float'),
                        (-1e+308, 1e+308, -1.0, 1e-308), (-1e+308, -1e+308, 1.0, -1e-308),)),
    _constant("c / x", ops.RDIV_C, lambda x, c: c / x,
              lambda x, c: _exact(Fraction(c) / Fraction(x)),
              lambda x, c: _exact(-Fraction(c) / Fraction(x) ** 2),
              tuples(non_zero, every_float), tuples(away_from_zero, reals),
              d2=lambda x, c: _exact(2 * Fraction(c) / Fraction(x) ** 3),
              d3=lambda x, c: _exact(-6 * Fraction(c) / Fraction(x) ** 4),
              torch="c / x",
              extremes=((2.0, 2.0, 1.0, -0.5),
                        (-0.0, 2.0, ZeroDivisionError, '/: division by zero'),
                        (5e-324, 2.0, OverflowError, '/: the result overflows a float'),
                        (1e+308, 2.0, 2e-308, 0.0), (-1e+308, 2.0, -2e-308, 0.0),
                        (2.0, -0.0, -0.0, 0.0),
                        (-0.0, -0.0, ZeroDivisionError, '/: division by zero'),
                        (5e-324, -0.0, -0.0, 0.0), (1e+308, -0.0, -0.0, 0.0),
                        (-1e+308, -0.0, 0.0, 0.0), (2.0, 5e-324, 0.0, 0.0),
                        (-0.0, 5e-324, ZeroDivisionError, '/: division by zero'),
                        (5e-324, 5e-324, ArithmeticError, 'backward: the gradient reaching'),
                        (1e+308, 5e-324, 0.0, 0.0), (-1e+308, 5e-324, -0.0, 0.0),
                        (2.0, 1e+308, 5e+307, -2.5e+307),
                        (-0.0, 1e+308, ZeroDivisionError, '/: division by zero'),
                        (5e-324, 1e+308, OverflowError, '/: the result overflows a float'),
                        (1e+308, 1e+308, 1.0, -1e-308), (-1e+308, 1e+308, -1.0, -1e-308),
                        (2.0, -1e+308, -5e+307, 2.5e+307),
                        (-0.0, -1e+308, ZeroDivisionError, '/: division by zero'),
                        (5e-324, -1e+308, OverflowError, '/: the result overflows a float'),
                        (1e+308, -1e+308, -1.0, 1e-308), (-1e+308, -1e+308, 1.0, 1e-308),),
              unlike_torch=((5e-324, -0.0), (1e+308, 1e+308), (-1e+308, 1e+308), (1e+308, -1e+308),
                            (-1e+308, -1e+308),)),
    _constant("x ** c", ops.POW_C, lambda x, c: x**c, math.pow, _power_dk(1),
              _power_domain(),
              st.one_of(tuples(floats(1e-2, 1e3), floats(-4.0, 4.0)),
                        tuples(floats(-1e3, -1e-2), st.integers(-4, 4).map(float))),
              d2=_power_dk(2), d3=_power_dk(3),
              torch="x ** c",
              extremes=((2.0, 2.0, 4.0, 4.0), (2.0, -0.0, 1.0, 0.0), (2.0, 5e-324, 1.0, 0.0),
                        (2.0, 1e+308, OverflowError, '**: the result overflows a float'),
                        (2.0, -1e+308, 0.0, 0.0), (-0.0, 2.0, 0.0, 0.0), (-0.0, -0.0, 1.0, 0.0),
                        (-0.0, 5e-324, ZeroDivisionError, '**: the derivative c · x **'),
                        (-0.0, 1e+308, 0.0, 0.0),
                        (-0.0, -1e+308, ZeroDivisionError, '**: 0 cannot be raised to a negative'),
                        (5e-324, 2.0, 0.0, 1e-323), (5e-324, -0.0, 1.0, 0.0),
                        (5e-324, 5e-324, ArithmeticError, 'backward: the gradient reaching'),
                        (5e-324, 1e+308, 0.0, 0.0),
                        (5e-324, -1e+308, OverflowError, '**: the result overflows a float'),
                        (1e+308, 2.0, OverflowError, '**: the result overflows a float'),
                        (1e+308, -0.0, 1.0, 0.0), (1e+308, 5e-324, 1.0, 0.0),
                        (1e+308, 1e+308, OverflowError, '**: the result overflows a float'),
                        (1e+308, -1e+308, 0.0, 0.0),
                        (-1e+308, 2.0, OverflowError, '**: the result overflows a float'),
                        (-1e+308, -0.0, 1.0, 0.0),
                        (-1e+308, 5e-324, ValueError, '**: a negative base needs a'),
                        (-1e+308, 1e+308, OverflowError, '**: the result overflows a float'),
                        (-1e+308, -1e+308, 0.0, 0.0),)),
    _constant("x ** n", ops.POW_C, lambda x, c: x ** int(c), math.pow, _power_dk(1),
              st.one_of(tuples(non_zero, whole_numbers),
                        tuples(st.just(0.0), whole_numbers.map(abs))),
              tuples(away_from_zero, st.integers(-4, 4).map(float)),
              d2=_power_dk(2), d3=_power_dk(3)),
    _constant("c ** x", ops.RPOW_C, lambda x, c: c**x, lambda x, c: math.pow(c, x),
              lambda x, c: math.pow(c, x) * math.log(c),
              tuples(exponents, positive),
              tuples(floats(-50.0, 50.0), floats(1e-2, 1e2)),
              d2=lambda x, c: math.pow(c, x) * math.log(c) ** 2,
              d3=lambda x, c: math.pow(c, x) * math.log(c) ** 3,
              torch="c ** x",
              extremes=((2.0, 2.0, 4.0, 2.772588722239781), (-0.0, 2.0, 1.0, 0.6931471805599453),
                        (5e-324, 2.0, 1.0, 0.6931471805599453),
                        (1e+308, 2.0, OverflowError, '**: the result overflows a float'),
                        (-1e+308, 2.0, 0.0, 0.0), (2.0, -0.0, 0.0, 0.0), (-0.0, -0.0, 1.0, 0.0),
                        (5e-324, -0.0, 0.0, 0.0), (1e+308, -0.0, 0.0, 0.0),
                        (-1e+308, -0.0, ZeroDivisionError, '**: 0 cannot be raised to a negative'),
                        (2.0, 5e-324, 0.0, 0.0), (-0.0, 5e-324, 1.0, -744.4400719213812),
                        (5e-324, 5e-324, 1.0, -744.4400719213812), (1e+308, 5e-324, 0.0, 0.0),
                        (-1e+308, 5e-324, OverflowError, '**: the result overflows a float'),
                        (2.0, 1e+308, OverflowError, '**: the result overflows a float'),
                        (-0.0, 1e+308, 1.0, 709.1962086421661),
                        (5e-324, 1e+308, 1.0, 709.1962086421661),
                        (1e+308, 1e+308, OverflowError, '**: the result overflows a float'),
                        (-1e+308, 1e+308, 0.0, 0.0),
                        (2.0, -1e+308, ValueError, '**: the base must be >= 0 when the'),
                        (-0.0, -1e+308, ValueError, '**: the base must be >= 0 when the'),
                        (5e-324, -1e+308, ValueError, '**: the base must be >= 0 when the'),
                        (1e+308, -1e+308, ValueError, '**: the base must be >= 0 when the'),
                        (-1e+308, -1e+308, ValueError, '**: the base must be >= 0 when the'),)),
    _constant("x.leaky_relu(c)", ops.LEAKY, lambda x, c: x.leaky_relu(c), _leaky,
              lambda x, c: 1.0 if x > 0 else c,
              tuples(every_float, st.one_of(floats(0.0, 1.0), every_float)),
              tuples(away_from_zero, floats(-10.0, 10.0)), kinks=(0.0,),
              torch="F.leaky_relu(x, c)"),
    _constant("x.leaky_relu()", ops.LEAKY, lambda x, c: x.leaky_relu(), _leaky,
              lambda x, c: 1.0 if x > 0 else 0.01,
              tuples(every_float, st.just(0.01)), tuples(away_from_zero, st.just(0.01)),
              kinks=(0.0,),
              torch="F.leaky_relu(x)",
              extremes=((-0.0, 0.01, -0.0, 0.01), (5e-324, 0.01, 5e-324, 1.0),
                        (-5e-324, 0.01, -0.0, 0.01), (1e-300, 0.01, 1e-300, 1.0),
                        (1e+308, 0.01, 1e+308, 1.0), (-1e+308, 0.01, -1e+306, 0.01),
                        (710.0, 0.01, 710.0, 1.0), (-745.2, 0.01, -7.452000000000001, 0.01),)),
)

CASES_BY_NAME: dict[str, Case] = {case.name: case for case in CASES}


# --- outcome of an oracle ----------------------------------------------------------------------
def evaluate(fn: Callable[..., Any], args: Sequence[float]) -> tuple[float, float] | None:
    """``(value, scale)`` of an oracle at ``args``, or None where it is infinite or overflows.

    ``scale`` is the sum of the magnitudes of the terms the oracle returned (its value's own
    magnitude for a single term): the size that rounding errors are proportional to.
    """
    try:
        out = fn(*args)
    except (ArithmeticError, ValueError):
        return None
    terms = out if isinstance(out, tuple) else (out,)
    value = math.fsum(terms)
    scale = math.fsum(abs(t) for t in terms)
    if not math.isfinite(value) or not math.isfinite(scale):
        return None
    return value, scale


def tight(got: float, expected: tuple[float, float], atol: float = 0.0) -> bool:
    """Agreement to ~1e-12 of the size of the terms, plus ``atol`` and the underflow edge."""
    value, scale = expected
    return abs(got - value) <= 1e-12 * scale + atol + TINY


def central_difference(f: Callable[[float], float], x: float) -> tuple[float, float]:
    """(f(x + h) − f(x − h)) / 2h with h = 1e-6·max(1, |x|), and |f(x)|."""
    h = 1e-6 * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2 * h), abs(f(x))


def fd_agrees(analytic: float, numeric: float, size: float, rtol: float = 1e-5,
              atol: float = 1e-8) -> bool:
    """STYLE's rule: |a − n| ≤ rtol·|a| + atol·max(1, |f(x)|)."""
    return abs(analytic - numeric) <= rtol * abs(analytic) + atol * max(1.0, size)


# --- random expression graphs with reuse ------------------------------------------------------
# Each step is (text, function of two earlier nodes); squashing steps keep values bounded.
# Every row of the table except the kinked ones (abs, relu, leaky_relu) appears.
GRAPH_STEPS: tuple[tuple[str, Callable[[Any, Any], Any]], ...] = (
    ("a + b", lambda a, b: a + b),
    ("a - b", lambda a, b: a - b),
    ("a * b", lambda a, b: a * b),
    ("a / (1 + b²)", lambda a, b: a / (1 + b * b)),
    ("tanh(a)", lambda a, b: a.tanh()),
    ("sigmoid(a) * b", lambda a, b: a.sigmoid() * b),
    ("sin(a) + cos(b)", lambda a, b: a.sin() + b.cos()),
    ("exp(tanh(a)) - 1", lambda a, b: a.tanh().exp() - 1),
    ("log(1 + a²)", lambda a, b: (1 + a * a).log()),
    ("sqrt(1 + b²) - a", lambda a, b: (b * b + 1).sqrt() - a),
    ("-a * 0.5", lambda a, b: -a * 0.5),
    ("2 - a / 3", lambda a, b: 2 - a / 3),
    ("a ** 2", lambda a, b: a**2),
    ("(1.5 + tanh(a)) ** b", lambda a, b: (1.5 + a.tanh()) ** b.tanh()),
    ("2 ** tanh(a)", lambda a, b: 2 ** a.tanh()),
    ("1 / (2 + sin(a))", lambda a, b: 1 / (2 + a.sin())),
    ("erf(a) * b", lambda a, b: a.erf() * b),
    ("softplus(a) - gelu(b)", lambda a, b: a.softplus() - b.gelu()),
    ("silu(a) + b", lambda a, b: a.silu() + b),
)


@dataclass(frozen=True)
class Graph:
    """A random expression: ``build(*leaves)`` replays it on any Values (or under no_grad)."""

    xs: tuple[float, ...]
    steps: tuple[tuple[int, int, int], ...]

    def nodes(self, *leaves: Value) -> list[Value]:
        """The leaves, then one node per step (each step reads two earlier nodes)."""
        nodes: list[Any] = list(leaves)
        for k, i, j in self.steps:
            nodes.append(GRAPH_STEPS[k][1](nodes[i % len(nodes)], nodes[j % len(nodes)]))
        return nodes

    def build(self, *leaves: Value) -> Value:
        """The output: the sum of the last three nodes."""
        out: Value = sum(self.nodes(*leaves)[-3:])  # type: ignore[assignment]
        return out

    def value_at(self, xs: Sequence[float]) -> float:
        with no_grad():
            return self.build(*(Value(x) for x in xs)).data

    def __repr__(self) -> str:
        text = ", ".join(f"{GRAPH_STEPS[k][0]}@({i},{j})" for k, i, j in self.steps)
        return f"Graph(xs={self.xs}, steps=[{text}])"


@st.composite
def expression_graphs(draw: st.DrawFn, max_leaves: int = 4, max_steps: int = 15) -> Graph:
    """A few leaves in [−2, 2] and steps over earlier nodes: reuse and diamonds arise."""
    xs = draw(st.lists(floats(-2.0, 2.0), min_size=1, max_size=max_leaves))
    steps = draw(st.lists(st.tuples(st.integers(0, len(GRAPH_STEPS) - 1),
                                    st.integers(0, 10**6), st.integers(0, 10**6)),
                          min_size=1, max_size=max_steps))
    graph = Graph(tuple(xs), tuple(steps))
    try:
        with no_grad():
            nodes = graph.nodes(*(Value(x) for x in xs))
    except ArithmeticError:
        assume(False)
    # Bounded nodes keep every finite difference well conditioned.
    assume(all(abs(v.data) <= 100.0 for v in nodes))
    return graph
