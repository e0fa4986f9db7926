"""``gradcheck``: backward's gradients against central differences."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from engine import args
from engine.autograd import grad, no_grad
from engine.errors import prefixed
from engine.value import Number, Value, number_of

__all__ = ["gradcheck", "GradcheckError", "numerical_grad"]


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when an analytic gradient disagrees with the numeric one."""


def _numbers(values: Any, where: str) -> list[float]:
    """The finite numbers of ``values`` (numbers or Values), refusing anything else."""
    return args.items(values, where, number_of, kind="a list of numbers or Values")


def _evaluate(fn: Callable[..., Value], numbers: Sequence[float], who: str) -> float:
    with no_grad():
        y = fn(*(Value(x) for x in numbers))
    return args.instance(y, f"{who}: fn's result", Value).data


def _central(fn: Callable[..., Value], xs: list[float], eps: float, what: str) -> list[float]:
    result = []
    for i, x in enumerate(xs):
        h = eps * max(1.0, abs(x))
        if not (math.isfinite(x + h) and math.isfinite(x - h)):
            raise OverflowError(f"{what}: the step x ± h overflows a float at input {i} "
                                f"(x = {x:.6g}, h = {h:.3g}); pass a smaller eps")
        if x + h == x or x - h == x:
            raise ValueError(f"{what}: eps = {eps:.3g} is too small at input {i} (x = {x:.6g}): "
                             f"x ± h rounds back to x")
        ends = []
        for sign, shifted in (("+", x + h), ("-", x - h)):
            # (an error here: the step left fn's domain; a smaller eps, or a point farther
            # from the edge of the domain, is the cure)
            with prefixed(f"{what}: fn fails at x {sign} h = {shifted:.6g} for input {i} "
                          f"(x = {x:.6g}, h = {h:.3g}; a smaller eps may help)"):
                ends.append(_evaluate(fn, [*xs[:i], shifted, *xs[i + 1:]], what))
        slope = (ends[0] - ends[1]) / (2 * h)
        if not math.isfinite(slope):
            raise OverflowError(f"{what}: the central difference at input {i} (x = {x:.6g}) "
                                f"overflows a float")
        result.append(slope)
    return result


def numerical_grad(
    fn: Callable[..., Value], values: Sequence[Number | Value], eps: float = 1e-6
) -> list[float]:
    """Central differences (f(x + h) − f(x − h)) / 2h, with h = eps · max(1, |x|) per input.

    ``eps`` must be a finite number > 0; every entry of ``values`` a finite number (or a
    Value, whose number is used).

    Examples:
        >>> from engine.gradcheck import numerical_grad
        >>> [round(g, 6) for g in numerical_grad(lambda x: x * x, [3.0])]
        [6.0]
        >>> numerical_grad(lambda x: x * x, [3.0], eps=0)
        Traceback (most recent call last):
        ValueError: numerical_grad: eps must be a finite number > 0, got 0
    """
    xs = _numbers(values, "numerical_grad: values")
    step = args.real(eps, "numerical_grad: eps", low=0, low_open=True)
    args.function(fn, "numerical_grad: fn", len(xs))
    return _central(fn, xs, step, "numerical_grad")


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
    Returns True, or raises :class:`GradcheckError` with one line per input. ``eps`` must be
    a finite number > 0, ``rtol`` and ``atol`` finite numbers ≥ 0.

    Examples:
        >>> from engine import gradcheck
        >>> gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5])
        True
    """
    xs = _numbers(inputs, "gradcheck: inputs")
    step = args.real(eps, "gradcheck: eps", low=0, low_open=True)
    relative = args.real(rtol, "gradcheck: rtol", low=0)
    absolute = args.real(atol, "gradcheck: atol", low=0)
    args.function(fn, "gradcheck: fn", len(xs))
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    y = args.instance(fn(*leaves), "gradcheck: fn's result", Value)
    analytic = grad(y, leaves, allow_unused=True)
    numeric = _central(fn, xs, step, "gradcheck")
    scale = max(1.0, abs(y.data))
    lines, ok = [], True
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        error = abs(a - n)
        allowed = relative * abs(a) + absolute * scale
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
