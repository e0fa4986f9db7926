"""The loss panel's axis: its scale and limits for a whole recording, and its log ticks.

One axis serves every frame of a replay (as one step axis does): the curve grows into it.
Plain numbers in, plain numbers out; the painter gives them to matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["LOG_SPREAD", "TINY_LOSS", "loss_axis", "decades"]

LOG_SPREAD = 100.0   # a log loss axis when the largest loss is over this × the median one
TINY_LOSS = 1e-280   # smaller losses are too small for a linear axis: drawn on its floor

# The largest limits a linear loss axis takes (matplotlib's ticks overflow beyond them).
_LINEAR_TOP, _LINEAR_SIDE = 1.5e308, 4e307


def loss_axis(losses: Sequence[float]) -> tuple[str, float, float]:
    """The loss panel's scale and limits for ``losses`` (finite, at least one).

    Linear from 0 to 5% above the largest loss (0 … 1 when every loss is 0 or below 1e-280,
    too small for a linear axis: they lie on its floor), or with 5% to spare below the
    smallest when a loss is negative, so that it stays in sight. Logarithmic when no loss is
    negative and the largest is over 100 times the median of the positive ones (a spike, a
    divergence, a loss falling over decades): half of a linear curve would then lie within
    1% of the floor, a pixel of the panel. A log axis spans the positive losses with 5% of
    its decades to spare at each end. A loss outside the limits (0 on a log axis, beyond
    1.5e308 on a linear one) is drawn on the panel's edge.

    Examples:
        >>> loss_axis([0.9, 0.5, 0.2])
        ('linear', 0.0, 0.9450000000000001)
        >>> scale, low, high = loss_axis([0.5, 1e300, 0.4, 0.0])
        >>> scale, low < 0.4, 1e300 < high
        ('log', True, True)
        >>> loss_axis([1e-300, 0.0])
        ('linear', 0.0, 1.0)
    """
    low, high = min(losses), max(losses)
    if low < 0:
        pad = (0.05 * high - 0.05 * low) or -0.05 * low
        return "linear", max(low - pad, -_LINEAR_SIDE), min(high + pad, _LINEAR_SIDE)
    positive = sorted(x for x in losses if x > 0)
    if positive:
        half = len(positive) // 2
        below, above = positive[half - 1 if len(positive) % 2 == 0 else half], positive[half]
        median = below + (above - below) / 2
        if high > LOG_SPREAD * median:
            first, last = math.log10(positive[0]), math.log10(high)
            pad = 0.05 * (last - first)
            return ("log", min(positive[0], 10.0 ** max(first - pad, -320.0)),
                    max(high, 10.0 ** min(last + pad, 308.0)))
    if high < TINY_LOSS:
        return "linear", 0.0, 1.0
    return "linear", 0.0, min(1.05 * high, _LINEAR_TOP)


def decades(low: float, high: float, most: int = 5) -> list[float]:
    """At most ``most`` powers of ten between ``low`` and ``high`` (> 0), evenly spaced by a
    round number of decades: the ticks of a log loss axis.

    Examples:
        >>> decades(0.04, 2e3)
        [0.1, 1.0, 10.0, 100.0, 1000.0]
        >>> decades(1e-16, 1e308)
        [1.0, 1e+100, 1e+200, 1e+300]
    """
    first, last = math.ceil(math.log10(low)), math.floor(math.log10(high))
    for stride in (1, 2, 5, 10, 20, 25, 50, 100, 200):
        powers = [e for e in range(first, last + 1) if e % stride == 0]
        if len(powers) <= most:
            return [10.0 ** e for e in powers]
    return []
