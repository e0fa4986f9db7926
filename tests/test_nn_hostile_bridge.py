"""from_torch and parameter_map read the tensors' real shapes, and refuse a zero-size Linear.

A torch ``Linear`` keeps ``in_features``/``out_features`` as plain attributes; its weight and
bias can be replaced by tensors of other shapes. Its forward pass uses the tensors, so the
tensors are what from_torch must check, by name, before copying a single number.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")

import nn  # noqa: E402


def linear(nin: int, nout: int, weight: tuple[int, ...] | None = None,
           bias: tuple[int, ...] | None = None) -> Any:
    with warnings.catch_warnings():   # torch warns that a zero-size init does nothing
        warnings.simplefilter("ignore", UserWarning)
        layer = torch.nn.Linear(nin, nout, dtype=torch.float64)
    if weight is not None:
        layer.weight = torch.nn.Parameter(torch.ones(weight, dtype=torch.float64))
    if bias is not None:
        layer.bias = torch.nn.Parameter(torch.ones(bias, dtype=torch.float64))
    return layer


@pytest.mark.parametrize("weight, bias, message", [
    ((3, 5), None, r"from_torch: the Linear has weight of shape \(3, 5\), but in_features=2 "
                   r"and out_features=3 need \(3, 2\)"),
    ((2, 2), None, r"weight of shape \(2, 2\), but .* need \(3, 2\)"),
    ((6,), None, r"weight of shape \(6,\)"),
    (None, (1,), r"from_torch: the Linear has bias of shape \(1,\), but out_features=3 needs "
                 r"\(3,\)"),
    (None, (5,), r"bias of shape \(5,\)"),
    (None, (3, 1), r"bias of shape \(3, 1\)"),
    (None, (), r"bias of shape \(\)"),
])
def test_from_torch_checks_the_tensor_shapes_of_a_linear(
        weight: tuple[int, ...] | None, bias: tuple[int, ...] | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.from_torch(linear(2, 3, weight, bias))


def test_from_torch_names_the_position_of_a_misshapen_linear_in_a_sequential() -> None:
    module = torch.nn.Sequential(linear(2, 3), torch.nn.ReLU(), linear(3, 1, weight=(1, 4)))
    with pytest.raises(ValueError, match=r"from_torch: the Linear at position 2 has weight of "
                                         r"shape \(1, 4\), but in_features=3"):
        nn.from_torch(module)
    module = torch.nn.Sequential(linear(2, 3, bias=(2,)), torch.nn.ReLU(), linear(3, 1))
    with pytest.raises(ValueError, match=r"the Linear at position 0 has bias of shape \(2,\)"):
        nn.from_torch(module)


def test_parameter_map_checks_the_shapes_too() -> None:
    model = nn.Layer(2, 3, seed=0)
    with pytest.raises(ValueError, match=r"parameter_map: the Linear has weight of shape"):
        nn.parameter_map(model, linear(2, 3, weight=(3, 5)))


def test_from_torch_refuses_a_linear_without_weight() -> None:
    module = linear(2, 3)
    module.weight = None
    with pytest.raises(ValueError, match="from_torch: the Linear has no weight"):
        nn.from_torch(module)


@pytest.mark.parametrize("module, message", [
    (lambda: linear(3, 0), "from_torch: the Linear has 0 outputs; a stepgrad layer has at "
                           "least one neuron"),
    (lambda: linear(0, 1), "from_torch: the Linear has 0 inputs; a stepgrad neuron has at "
                           "least one weight"),
    (lambda: torch.nn.Sequential(linear(0, 2), torch.nn.ReLU(), linear(2, 1)),
     "from_torch: the Linear at position 0 has 0 inputs"),
    (lambda: torch.nn.Sequential(linear(2, 2), torch.nn.ReLU(), linear(2, 0)),
     "from_torch: the Linear at position 2 has 0 outputs"),
])
def test_from_torch_refuses_a_zero_size_linear_by_position(module: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.from_torch(module())


def test_a_well_shaped_linear_still_converts_exactly() -> None:
    module = linear(2, 3)
    model = nn.from_torch(module)
    assert isinstance(model, nn.Layer)
    assert [[w.data for w in n.w] for n in model.neurons] == module.weight.tolist()
    assert [n.b.data for n in model.neurons] == module.bias.tolist()
