"""nn.SGD and nn.Adam given hostile input.

- Settings assigned after construction are stored as floats and used (which check each
  gets, when made or assigned, is tests/test_entry_points.py).
- A parameter that is not a leaf (a Value computed from others) is refused, as PyTorch
  refuses a non-leaf tensor.
- nesterov's rule (momentum > 0, dampening 0) holds on assignment too.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import nn
from engine import Value

np = pytest.importorskip("numpy")

# --- optimizer settings are checked when assigned ---------------------------------------

def _sgd() -> nn.SGD:
    return nn.SGD([Value(1.0)], lr=0.1, momentum=0.5)


def _adam() -> nn.Adam:
    return nn.Adam([Value(1.0)], lr=0.1)


def test_nesterov_rules_hold_on_assignment_too() -> None:
    opt = nn.SGD([Value(1.0)], lr=0.1, momentum=0.9, nesterov=True)
    for name, value in [("momentum", 0.0), ("dampening", 0.5)]:
        with pytest.raises(ValueError, match="SGD: nesterov must be False unless momentum > 0"):
            setattr(opt, name, value)
    assert (opt.momentum, opt.dampening, opt.nesterov) == (0.9, 0.0, True)
    plain = nn.SGD([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="SGD: nesterov must be False unless momentum > 0"):
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
    with pytest.raises(ValueError, match=rf"^{who}: params\[1\] must be a leaf .*, got a Value "
                                         r"made by '\*'"):
        make([a, a * 2])
    with pytest.raises(ValueError, match=rf"^{who}: params\[0\] must be a leaf .*, got a Value "
                                         r"made by 'tanh'"):
        make([a.tanh()])
    model = nn.MLP(2, [3, 3, 1], seed=0)
    assert make(model.parameters()).params == model.parameters()
    assert make([a.detach(), Value(2.0)]).params[1].data == 2.0

def test_sgd_nesterov_takes_a_numpy_bool() -> None:
    assert nn.SGD([Value(1.0)], lr=0.1, momentum=0.5, nesterov=np.bool_(True)).nesterov is True
