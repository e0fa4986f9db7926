"""One picture language: the colours every picture of stepgrad uses, and what they mean.

A weight's sign and a class share one pair, so that a picture reads the same everywhere:
blue is w > 0, a positive output and class 1; orange is w < 0, a negative output and class
0 (TensorFlow Playground's pair: both stay readable when drawn faint, and they differ for
readers with red-green colour blindness). Classes past the second take the next colours of
``CLASS_COLORS``. :mod:`nn.viz.model_view`, :mod:`nn.viz.training_view`, the demo and the
notebooks' scatter plots all read these names; none writes a colour of its own for them.

Examples:
    >>> from nn.viz.palette import CLASS_COLORS, POSITIVE, class_color
    >>> class_color(1) == POSITIVE == CLASS_COLORS[1]
    True
"""

from __future__ import annotations

__all__ = ["POSITIVE", "NEGATIVE", "NEUTRAL", "CLASS_COLORS", "class_color", "class_name"]

POSITIVE = "#1f77b4"   # blue: w > 0, an output above 0 (above ½ as a probability), class 1
NEGATIVE = "#e8710a"   # orange: w < 0, an output below 0, class 0
NEUTRAL = "#ffffff"    # the middle of a diverging map: an output of 0 (probability ½)
CLASS_COLORS = (NEGATIVE, POSITIVE, "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def class_color(k: int) -> str:
    """The colour of class ``k`` (0, 1, 2, ...), as every picture and legend draws it."""
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def class_name(k: int) -> str:
    """The legend's text for class ``k``: ``"class 1 (blue)"``."""
    names = ("orange", "blue", "green", "red", "purple", "brown", "pink", "grey", "olive",
             "cyan")
    return f"class {k} ({names[k % len(names)]})"
