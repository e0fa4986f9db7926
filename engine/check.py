"""``gradcheck``: backward's gradients against central differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.autograd import grad, no_grad
from engine.value import Number, Value

__all__ = ["gradcheck", "GradcheckError", "numerical_grad"]


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when an analytic gradient disagrees with the numeric one."""


def _evaluate(fn: Callable[..., Value], numbers: Sequence[float]) -> float:
    with no_grad():
        y = fn(*(Value(x) for x in numbers))
    if not isinstance(y, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(y).__name__}")
    return y.data


def numerical_grad(
    fn: Callable[..., Value], values: Sequence[Number | Value], eps: float = 1e-6
) -> list[float]:
    """Central differences (f(x + h) − f(x − h)) / 2h, with h = eps · max(1, |x|) per input.

    Examples:
        >>> from engine.check import numerical_grad
        >>> [round(g, 6) for g in numerical_grad(lambda x: x * x, [3.0])]
        [6.0]
    """
    xs = [v.data if isinstance(v, Value) else float(v) for v in values]
    result = []
    for i, x in enumerate(xs):
        h = eps * max(1.0, abs(x))
        up = [*xs[:i], x + h, *xs[i + 1:]]
        down = [*xs[:i], x - h, *xs[i + 1:]]
        result.append((_evaluate(fn, up) - _evaluate(fn, down)) / (2 * h))
    return result


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[Number | Value],
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
) -> bool:
    """Check backward's gradient of ``fn(*Values)`` against central differences.

    Input i passes when |analytic − numeric| ≤ rtol·|analytic| + atol·max(1, |f(x)|): the
    absolute term grows with |f| because a difference quotient's rounding error does.
    Returns True, or raises :class:`GradcheckError` with one line per input.

    Examples:
        >>> from engine import gradcheck
        >>> gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5])
        True
    """
    if not inputs:
        raise ValueError("gradcheck: expected at least one input")
    leaves = [Value(v.data if isinstance(v, Value) else v, label=f"x{i}")
              for i, v in enumerate(inputs)]
    y = fn(*leaves)
    if not isinstance(y, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(y).__name__}")
    analytic = grad(y, leaves, allow_unused=True)
    numeric = numerical_grad(fn, leaves, eps)
    scale = max(1.0, abs(y.data))
    lines, ok = [], True
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        error = abs(a - n)
        allowed = rtol * abs(a) + atol * scale
        passed = error <= allowed
        ok = ok and passed
        lines.append(
            f"  input {i} (x = {leaves[i].data:.6g}): backward {a:.10g}, "
            f"central difference {n:.10g}, |difference| {error:.3g} "
            f"{'<=' if passed else '>'} allowed {allowed:.3g}  {'ok' if passed else 'FAIL'}"
        )
    if not ok:
        raise GradcheckError("gradcheck failed:\n" + "\n".join(lines))
    return True
