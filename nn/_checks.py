"""What nn.viz.model_view imports from here, on :mod:`engine.args`, until it imports that.

The checks themselves are engine.args's (and nn.layers.inputs's); these names keep their
old signatures ``(who, what, value)`` so that the picture code, being rebuilt apart, runs
unchanged. Delete this module once nn/viz/model_view.py calls engine.args directly.
"""

from __future__ import annotations

from typing import Any

from engine import Value, args
from nn.layers import ValueLike, inputs

__all__ = ["count", "kind", "scalars", "sequence"]


def kind(x: Any) -> str:
    return type(x).__name__


def _show(x: Any) -> str:
    return args.describe(x) if isinstance(x, int) and abs(x) > 10**20 else repr(x)


def count(who: str, what: str, n: Any, low: int) -> int:
    return args.whole(n, f"{who}: {what}", low=low)


def scalars(who: str, what: str, xs: Any) -> list[ValueLike]:
    where = f"{who}: {what}"
    if isinstance(xs, Value) or args.is_number(xs):
        return [args.scalar(xs, where, Value)]
    return args.items(xs, where, lambda x, w: args.scalar(x, w, Value, keep=True),
                      kind="a list of numbers or Values", empty=True)


def sequence(who: str, what: str, xs: Any, n: int) -> list[ValueLike]:
    items = args.items(xs, f"{who}: {what}", kind=f"a list of {n} numbers or Values",
                       empty=True)
    if len(items) != n:   # (the wording nn.viz's tests read)
        raise ValueError(f"{who}: expected {n} inputs, got {len(items)}")
    return inputs(items, n, f"{who}: {what}")
