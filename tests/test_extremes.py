"""Every row at the float limits: −0.0, 5e-324, 1e-300, 1e308, 710, -745.2 and their mixes.

The outcomes are the registry's (``tests/strategies.py``, each case's ``extremes``): the value
and gradient PyTorch float64 gives, or an error naming the operation where PyTorch gives
inf or nan. ``test_the_extremes_are_pytorchs`` (slow: it imports torch) asks PyTorch itself.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from strategies import CASES, Case

from engine import Value


def case_args(case: Case) -> int:
    """How many of an entry's leading numbers are the case's arguments."""
    return case.arity + (case.row.args == "x, c")


def outcome(case: Case, args: tuple[float, ...]) -> tuple[float, ...]:
    """The value and the gradient of each Value input, after one backward pass."""
    leaves = [Value(a) for a in args[: case.arity]]
    out = case.call(*leaves, *args[case.arity:])
    out.backward()
    return (out.data, *(leaf.grad for leaf in leaves))


EXTREMES = [pytest.param(case, entry, id=f"{case.name} at {entry[:case_args(case)]}")
            for case in CASES for entry in case.extremes]


@pytest.mark.parametrize(("case", "entry"), EXTREMES)
def test_every_row_at_the_float_limits(case: Case, entry: tuple[Any, ...]) -> None:
    n = case_args(case)
    args, expected = entry[:n], entry[n:]
    if isinstance(expected[0], type):
        with pytest.raises(expected[0], match=re.escape(expected[1])):
            outcome(case, args)
        return
    got = outcome(case, args)
    assert all(type(g) is float for g in got)
    assert got == expected   # (−0.0 and 0.0 alike: PyTorch's signs of zero are not kept)


def test_every_entry_has_one_number_per_output_or_an_error() -> None:
    for case in CASES:
        n = case_args(case)
        for entry in case.extremes:
            rest = entry[n:]
            assert (isinstance(rest[0], type) and len(rest) == 2) or len(rest) == 1 + case.arity


@pytest.mark.slow
def test_the_extremes_are_pytorchs() -> None:
    """Every number of the extremes is PyTorch float64's, and every error is a place where
    PyTorch gives inf or nan (value or gradient), except where stepgrad is exact on purpose."""
    torch = pytest.importorskip("torch")

    def torch_outcome(case: Case, args: tuple[float, ...]) -> tuple[float, ...]:
        tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
                   for a in args[: case.arity]]
        names = dict(zip("xy", tensors))
        if case.row.args == "x, c":
            names["c"] = args[-1]
        out = eval(case.torch, {"torch": torch, "F": torch.nn.functional, **names})
        out.backward()
        return (out.item(), *(t.grad.item() for t in tensors))

    for case in CASES:
        n = case_args(case)
        for entry in case.extremes:
            args, expected = entry[:n], entry[n:]
            if args in case.unlike_torch:
                continue
            got = torch_outcome(case, args)
            if isinstance(expected[0], type):
                assert not all(map(math.isfinite, got)), (case, args, got)
            else:
                assert got == expected, (case, args, got, expected)
