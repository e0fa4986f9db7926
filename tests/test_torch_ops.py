"""Every row equals PyTorch (float64): the value and the derivatives to third order.

Each case of the registry (``tests/strategies.py``) names the same operation in PyTorch
(``torch``); its ``smooth`` arguments are drawn, and stepgrad's value and first three
derivatives with respect to the first Value input (and the first with respect to the
second, for rows of two Values) are compared with PyTorch's. softplus (beta 1, threshold
20), gelu (the exact erf form) and silu are PyTorch's defaults. Skipped only where torch is
not installed (CI installs it).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from strategies import CASES, Case

from engine import Value, grad

torch = pytest.importorskip("torch")

# Points where activations are interesting, tried once each for the rows of one input.
POINTS = (0.0, -0.0, 1.0, -1.0, 0.5, 19.99, 20.01)
# (Not x = 20 exactly: there PyTorch's own softplus backward takes the sigmoid branch,
# x > 20 being false, but its double backward takes the other one, x < 20 being false, so
# its second derivative at 20 is 0; stepgrad differentiates the branch it took.)


def stepgrad_derivatives(case: Case, args: tuple[float, ...]) -> list[float]:
    """f, ∂f/∂x to third order by differentiating stepgrad's graph again and again, then
    ∂f/∂y for a row of two Values."""
    leaves = [Value(a) for a in args[: case.arity]]
    out = case.call(*leaves, *args[case.arity:])
    values = [out.data]
    first = out
    for _ in range(3):
        (out,) = grad(out, leaves[:1], create_graph=True, allow_unused=True)
        values.append(out.data)
    if case.arity == 2:
        values.append(grad(first, leaves[1:])[0])
    return values


def torch_derivatives(case: Case, args: tuple[float, ...]) -> list[float]:
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
               for a in args[: case.arity]]
    names: dict[str, Any] = dict(zip("xy", tensors))
    if case.row.args == "x, c":
        names["c"] = args[-1]
    out = eval(case.torch, {"torch": torch, "F": torch.nn.functional, **names})
    first = out
    values = [out.item()]
    for _ in range(3):
        if not out.requires_grad:   # a constant derivative: the next ones are 0
            values.append(0.0)
            out = torch.zeros((), dtype=torch.float64)
            continue
        (out,) = torch.autograd.grad(out, tensors[0], create_graph=True, allow_unused=True)
        if out is None:
            out = torch.zeros((), dtype=torch.float64)
        values.append(out.item())
    if case.arity == 2:
        values.append(torch.autograd.grad(first, tensors[1])[0].item())
    return values


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-14)


@pytest.mark.parametrize("case", [c for c in CASES if c.torch], ids=repr)
@given(data=st.data())
@example(data=None)  # the points above, once
def test_value_and_three_derivatives_equal_pytorch(case: Case, data: st.DataObject | None
                                                   ) -> None:
    if data is None:
        if case.arity != 1 or case.row.args == "x, c":
            return
        points = []
        for p in POINTS:
            try:
                case.call(Value(p))
            except (ArithmeticError, ValueError):
                continue   # outside the row's domain
            points.append((p,))
    else:
        points = [data.draw(case.smooth, label="args")]
    for args in points:
        theirs = torch_derivatives(case, args)
        try:
            ours = stepgrad_derivatives(case, args)
        except (ArithmeticError, ValueError):
            # refused where PyTorch's derivative is infinite (sqrt at 0), never silently
            assert not all(map(math.isfinite, theirs)), (case, args, theirs)
            continue
        assert all(close(a, b) for a, b in zip(ours, theirs)), (case, args, ours, theirs)
