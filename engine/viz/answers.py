"""A number worked out by hand, checked against the engine's: the exercises' one rule.

An answer is right when it is within half a unit of the expected number's third significant
digit (so ``-0.749`` is right for -0.7487, and ``-0.75`` is not), or when both are within
1e-9 of 0 (0 is right for the 2.8e-17 that rounding leaves of 0.1 + 0.2 - 0.3). The
exercise of a Stepper page judges typed answers to the same three digits (near 0 it scales
its tolerance to the graph's gradients).

Examples:
    >>> from engine import Value, check_answer
    >>> x = Value(3.0)
    >>> (x * x).backward()
    >>> check_answer(6, x.grad)
    Right: 6
    >>> check_answer(None, x.grad)
    Type your number in place of None, then run this cell again.
    >>> bool(check_answer(5.9, x.grad))
    False
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine import args

__all__ = ["Verdict", "check_answer", "tolerance", "ZERO"]


class Verdict:
    """What :func:`check_answer` found: ``right`` (also its truth value) and ``message``,
    which a notebook shows as the cell's output."""

    __slots__ = ("right", "message")

    def __init__(self, right: bool, message: str) -> None:
        self.right = right
        self.message = message

    def __bool__(self) -> bool:
        return self.right

    def __repr__(self) -> str:
        return self.message


ZERO = 1e-9
"""How close to 0 a number may be and still count as 0, rounding left aside."""


def tolerance(expected: float) -> float:
    """Half a unit of the third significant digit of ``expected`` (and a hair more, so that
    a number rounded half-way, written in decimals, is never lost to the floats' binary);
    ``ZERO`` for a 0."""
    if expected == 0.0:
        return ZERO
    first = Decimal(repr(expected)).adjusted()   # its first digit's place, as it is printed
    return 0.5 * 10.0 ** (first - 2) * (1 + 1e-9)


def check_answer(answer: Any, expected: Any) -> Verdict:
    """Your ``answer`` (a number, or ``None`` while not yet worked out) against ``expected``
    (the engine's number: a ``.grad``, a ``.data``): right if they agree to 3 significant
    digits. Returns a :class:`Verdict` that shows its message in a notebook.

    Raises TypeError or ValueError, naming the argument, for an answer that is not a finite
    number (a string typed with its quotes, say) and for an expected value that is not one
    (pass ``v.grad``, not the Value ``v``).
    """
    exact = args.real(expected, "check_answer: expected")
    if answer is None:
        return Verdict(False, "Type your number in place of None, then run this cell again.")
    yours = args.real(answer, "check_answer: answer")
    if abs(yours - exact) <= tolerance(exact):
        return Verdict(True, f"Right: {exact:.4g}")
    if abs(yours) <= ZERO and abs(exact) <= ZERO:
        return Verdict(True, f"Right: {exact:.4g}, which is 0 but for the floats' rounding")
    return Verdict(False, f"Not yet: {yours:g} is not it. Check the formula above and try "
                          f"again.")
