"""The inputs of a compiled step: their structure (the key of a trace) and their numbers.

A step is called with what ``fn`` takes: numbers, leaf Values, and lists, tuples or NumPy
arrays of them, nested. The *key* is the structure: the nesting, the lengths, the type of
each number (``float``, ``int``, ``numpy.float32``...: the arithmetic ``fn`` does on a
number depends on it) and which inputs are the same Value. The numbers themselves are
not in the key, whole numbers included: a whole number is data until ``fn`` uses it as
structure (an index, a length), which the trace guards. The *flat* list holds the numbers
and Values in order, each number as it was given (checked finite, not converted).
"""

from __future__ import annotations

import math
from typing import Any

from engine import args
from engine.value import Value

__all__ = ["flatten", "rebuild"]


def flatten(inputs: tuple[Any, ...]) -> tuple[tuple[Any, ...], list[Any]]:
    """The key and the flat list of ``inputs``; a TypeError or ValueError names the input
    that is not a number, a leaf Value or a list of them, or not finite."""
    flat: list[Any] = []
    seen: dict[int, int] = {}
    key = tuple(_walk(x, flat, seen, f"input {i}") for i, x in enumerate(inputs))
    return key, flat


_FLOAT_KEY = ("n", float)


def _walk(x: Any, flat: list[Any], seen: dict[int, int], where: str) -> Any:
    if type(x) is float and -math.inf < x < math.inf:   # the common case, quickly
        flat.append(x)
        return _FLOAT_KEY
    if type(x) is list and all(type(e) is float and -math.inf < e < math.inf for e in x):
        flat.extend(x)
        return ("list", *(_FLOAT_KEY,) * len(x))
    if isinstance(x, Value):
        if x.rule is not None:
            raise TypeError(f"compile: {where} must be a leaf Value (no graph behind it), got "
                            f"{x!r} made by {x.op!r}")
        k = seen.get(id(x))
        if k is None:
            seen[id(x)] = len(flat)
            flat.append(x)
            return ("V",)
        return ("V", k)   # the very Value given as flat input k
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, *(_walk(e, flat, seen, f"{where}[{i}]")
                                    for i, e in enumerate(x)))
    if getattr(x, "ndim", 0) and hasattr(x, "tolist") and hasattr(x, "flat"):   # an array
        kind = getattr(getattr(x, "dtype", None), "kind", "")
        if kind not in ("i", "u", "f"):
            raise TypeError(f"compile: {where} must be an array of numbers, got one of "
                            f"dtype {x.dtype}")
        for i, e in enumerate(x.flat):
            _number(e, f"{where}.flat[{i}]")
            flat.append(e)
        return ("array", tuple(x.shape), x.dtype.str)
    _number(x, where)
    flat.append(x)
    return ("n", type(x))


def _number(x: Any, where: str) -> None:
    """Refuse what is not a real number (bools included), or not finite."""
    if isinstance(x, (str, bytes, bool, dict, set)) or x is None:
        raise TypeError(f"compile: {where} must be a number, a Value or a list of them, "
                        f"got {args.describe(x)}")
    args.real(x, f"compile: {where}")


def rebuild(key: tuple[Any, ...], items: list[Any]) -> list[Any]:
    """The arguments for ``fn``: the structure of ``key`` holding ``items`` (one per flat
    input, in order: traced numbers, Values)."""
    at = [0]
    return [_rebuild(k, items, at) for k in key]


def _rebuild(key: Any, items: list[Any], at: list[int]) -> Any:
    kind = key[0]
    if kind == "V":
        if len(key) == 2:
            return items[key[1]]
        at[0] += 1
        return items[at[0] - 1]
    if kind == "n":
        at[0] += 1
        return items[at[0] - 1]
    if kind == "array":
        import numpy

        shape = key[1]
        size = int(numpy.prod(shape)) if shape else 1
        out = numpy.empty(shape, dtype=object)
        flat = out.reshape(-1)
        for i in range(size):
            flat[i] = items[at[0] + i]
        at[0] += size
        return out
    parts = [_rebuild(k, items, at) for k in key[1:]]
    return parts if kind == "list" else tuple(parts)
