"""nn.SGD and nn.Adam given hostile input.

- Settings are checked when assigned after construction, with the constructor's rules and
  messages (as ``lr`` always was).
- A parameter that is not a leaf (a Value computed from others) is refused, as PyTorch
  refuses a non-leaf tensor.
- ``nesterov`` must be True or False.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import nn
from engine import Value

np = pytest.importorskip("numpy")

X = [[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]]
Y = [1.0, 1.0, -1.0, -1.0]


# --- optimizer settings are checked when assigned ---------------------------------------

def _sgd() -> nn.SGD:
    return nn.SGD([Value(1.0)], lr=0.1, momentum=0.5)


def _adam() -> nn.Adam:
    return nn.Adam([Value(1.0)], lr=0.1)


ASSIGNMENTS: list[tuple[Callable[[], nn.Optimizer], str, Any, type[Exception], str]] = [
    (_sgd, "momentum", "x", TypeError, "SGD: momentum must be a finite number >= 0.0, got str"),
    (_sgd, "momentum", math.nan, ValueError, "SGD: momentum must be a finite number"),
    (_sgd, "momentum", -0.5, ValueError, "SGD: momentum must be a finite number >= 0.0"),
    (_sgd, "momentum", True, TypeError, "SGD: momentum must be a finite number"),
    (_sgd, "dampening", None, TypeError, "SGD: dampening must be a finite number"),
    (_sgd, "dampening", math.inf, ValueError, "SGD: dampening must be a finite number"),
    (_sgd, "weight_decay", -5, ValueError,
     "SGD: weight_decay must be a finite number >= 0.0, got -5.0"),
    (_sgd, "weight_decay", "x", TypeError, "SGD: weight_decay must be a finite number"),
    (_sgd, "nesterov", "yes", TypeError, "SGD: nesterov must be True or False, got str"),
    (_adam, "betas", (1.0, 1.0), ValueError,
     r"Adam: betas\[0\] must be a finite number in \[0.0, 1.0\), got 1.0"),
    (_adam, "betas", (0.9, math.nan), ValueError, r"Adam: betas\[1\] must be a finite number"),
    (_adam, "betas", ("a", 0.9), TypeError, r"Adam: betas\[0\] must be a finite number"),
    (_adam, "betas", 0.9, ValueError, "Adam: betas must be a pair of numbers"),
    (_adam, "betas", (0.9, 0.99, 0.9), ValueError, "Adam: betas must be a pair of numbers"),
    (_adam, "eps", math.nan, ValueError, "Adam: eps must be a finite number >= 0.0, got nan"),
    (_adam, "eps", -1e-8, ValueError, "Adam: eps must be a finite number >= 0.0"),
    (_adam, "eps", "1e-8", TypeError, "Adam: eps must be a finite number"),
    (_adam, "weight_decay", "x", TypeError, "Adam: weight_decay must be a finite number"),
    (_adam, "weight_decay", -1.0, ValueError, "Adam: weight_decay must be a finite number"),
]


@pytest.mark.parametrize(("make", "name", "value", "error", "match"), [
    pytest.param(*a, id=f"{a[0]().__class__.__name__}.{a[1]} = {a[2]!r}") for a in ASSIGNMENTS])
def test_optimizer_settings_are_checked_when_assigned(
        make: Callable[[], nn.Optimizer], name: str, value: Any, error: type[Exception],
        match: str) -> None:
    opt = make()
    before = getattr(opt, name)
    with pytest.raises(error, match=match):
        setattr(opt, name, value)
    assert getattr(opt, name) == before


def test_assigned_settings_are_stored_as_floats_and_used() -> None:
    sgd = _sgd()
    sgd.momentum, sgd.dampening, sgd.weight_decay = np.float32(0.25), 0, np.int64(1)
    assert (sgd.momentum, sgd.dampening, sgd.weight_decay) == (0.25, 0.0, 1.0)
    assert all(type(v) is float for v in (sgd.momentum, sgd.dampening, sgd.weight_decay))
    adam = _adam()
    adam.betas, adam.eps, adam.weight_decay = np.array([0.5, 0.25]), 0, 0.5
    assert adam.betas == (0.5, 0.25) and type(adam.betas[0]) is float
    assert (adam.eps, adam.weight_decay) == (0.0, 0.5)
    p = Value(1.0)
    opt = nn.SGD([p], lr=0.5)
    opt.weight_decay = 1.0
    p.grad = 0.0
    opt.step()
    assert p.data == 0.5           # the decay alone moved it: 1 − 0.5·(0 + 1·1)


def test_nesterov_rules_hold_on_assignment_too() -> None:
    opt = nn.SGD([Value(1.0)], lr=0.1, momentum=0.9, nesterov=True)
    for name, value in [("momentum", 0.0), ("dampening", 0.5)]:
        with pytest.raises(ValueError, match="SGD: nesterov momentum requires momentum > 0"):
            setattr(opt, name, value)
    assert (opt.momentum, opt.dampening, opt.nesterov) == (0.9, 0.0, True)
    plain = nn.SGD([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="SGD: nesterov momentum requires momentum > 0"):
        plain.nesterov = True
    assert plain.nesterov is False
    opt.nesterov = np.bool_(False)
    opt.momentum = 0.0
    assert opt.nesterov is False and opt.momentum == 0.0


# --- optimizers refuse a parameter that is not a leaf -----------------------------------

@pytest.mark.parametrize("make", [lambda ps: nn.SGD(ps, lr=0.1), lambda ps: nn.Adam(ps)],
                         ids=["SGD", "Adam"])
def test_optimizers_refuse_a_parameter_that_is_not_a_leaf(
        make: Callable[[list[Value]], nn.Optimizer]) -> None:
    a = Value(1.0)
    who = "SGD" if make([a]).__class__ is nn.SGD else "Adam"
    with pytest.raises(ValueError, match=rf"{who}: params\[1\] is not a leaf \(it was made by "
                                         r"'\*'\); optimize leaves"):
        make([a, a * 2])
    with pytest.raises(ValueError, match=rf"{who}: params\[0\] is not a leaf \(it was made by "
                                         r"'tanh'\)"):
        make([a.tanh()])
    model = nn.MLP(2, [3, 3, 1], seed=0)
    assert make(model.parameters()).params == model.parameters()
    assert make([a.detach(), Value(2.0)]).params[1].data == 2.0



@pytest.mark.parametrize("bad", ["yes", "", 1, None])
def test_sgd_nesterov_must_be_a_bool(bad: Any) -> None:
    with pytest.raises(TypeError, match="SGD: nesterov must be True or False, got "):
        nn.SGD([Value(1.0)], lr=0.1, nesterov=bad)


def test_sgd_nesterov_takes_a_numpy_bool() -> None:
    assert nn.SGD([Value(1.0)], lr=0.1, momentum=0.5, nesterov=np.bool_(True)).nesterov is True
