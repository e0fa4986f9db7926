"""The activation rows equal PyTorch's functions (float64), value and derivatives to third order.

softplus (beta 1, threshold 20), gelu (the exact erf form) and silu are defined as PyTorch's
defaults; tanh, sigmoid, relu, erf, exp, log, sin, cos are checked the same way. Skipped
only where torch is not installed (CI installs it).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from engine import Value, grad

torch = pytest.importorskip("torch")
F = torch.nn.functional

ROWS: dict[str, tuple[Callable[[object], object], st.SearchStrategy[float]]] = {
    "softplus": (F.softplus, st.floats(-60.0, 60.0)),
    "gelu": (F.gelu, st.floats(-12.0, 12.0)),
    "silu": (F.silu, st.floats(-60.0, 60.0)),
    "tanh": (torch.tanh, st.floats(-20.0, 20.0)),
    "sigmoid": (torch.sigmoid, st.floats(-40.0, 40.0)),
    "erf": (torch.erf, st.floats(-6.0, 6.0)),
    "exp": (torch.exp, st.floats(-50.0, 50.0)),
    "log": (torch.log, st.floats(1e-3, 1e3)),
    "sin": (torch.sin, st.floats(-50.0, 50.0)),
    "cos": (torch.cos, st.floats(-50.0, 50.0)),
}


def stepgrad_derivatives(name: str, x: float) -> list[float]:
    """f(x), f'(x), f''(x), f'''(x) by differentiating stepgrad's graph again and again."""
    v = Value(x)
    out: Value = getattr(v, name)()
    values = [out.data]
    for _ in range(3):
        (out,) = grad(out, [v], create_graph=True, allow_unused=True)
        values.append(out.data)
    return values


def torch_derivatives(fn: Callable[[object], object], x: float) -> list[float]:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = fn(t)
    values = [out.item()]
    for _ in range(3):
        if not out.requires_grad:  # a constant derivative: the next ones are 0
            values.append(0.0)
            out = torch.zeros((), dtype=torch.float64)
            continue
        (out,) = torch.autograd.grad(out, t, create_graph=True)
        values.append(out.item())
    return values


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-14)


@pytest.mark.parametrize("name", list(ROWS))
@given(data=st.data())
@example(data=None)  # the special points below, once
def test_value_and_three_derivatives_equal_pytorch(name: str, data: st.DataObject | None) -> None:
    fn, xs = ROWS[name]
    points = ([data.draw(xs, label="x")] if data is not None
              else [p for p in (0.0, -0.0, 1.0, -1.0, 0.5, 19.99, 20.01) if
                    name != "log" or p > 0])
    # (Not x = 20 exactly: there PyTorch's own softplus backward takes the sigmoid branch,
    # x > 20 being false, but its double backward takes the other one, x < 20 being false,
    # so its second derivative at 20 is 0; stepgrad differentiates the branch it took.)
    for x in points:
        ours, theirs = stepgrad_derivatives(name, x), torch_derivatives(fn, x)
        assert all(close(a, b) for a, b in zip(ours, theirs)), (name, x, ours, theirs)


@pytest.mark.parametrize("x", [-1e308, -800.0, -40.0, 40.0, 800.0, 1e308])
@pytest.mark.parametrize("name", ["softplus", "gelu", "silu", "erf", "sigmoid", "tanh"])
def test_extreme_inputs_give_pytorch_values_and_first_derivatives(name: str, x: float) -> None:
    fn = ROWS[name][0]
    v = Value(x)
    out = getattr(v, name)()
    out.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    expected = fn(t)
    expected.backward()
    assert close(out.data, expected.item()) and close(v.grad, t.grad.item())
