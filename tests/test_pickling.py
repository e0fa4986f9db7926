"""copy, deepcopy and pickle of Values: the whole graph, no node shared, no recursion."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable

import pytest

from engine import Rule, Value, apply, no_grad, topological_order

HOW: dict[str, Callable[[Value], Value]] = {
    "copy": copy.copy, "deepcopy": copy.deepcopy,
    "pickle": lambda v: pickle.loads(pickle.dumps(v)),
}


def chain(n: int) -> Value:
    v = Value(0.0, label="x")
    for _ in range(n):
        v = v + 1.0
    return v


def same_graph(a: Value, b: Value) -> bool:
    """b is a copy of a: the same numbers, labels, operations and grads, no node shared."""
    left, right = topological_order(a), topological_order(b)
    return len(left) == len(right) and not set(left) & set(right) and all(
        (u.data, u.label, u.op, u.param, u.grad, len(u.inputs))
        == (v.data, v.label, v.op, v.param, v.grad, len(v.inputs))
        for u, v in zip(left, right))


@pytest.mark.parametrize("how", HOW)
def test_a_graph_with_grads_is_copied_whole(how: str) -> None:
    x = Value(2.0, label="x")
    y = (x * x).tanh() + 3.0
    y.backward()
    assert same_graph(y, HOW[how](y))
    assert HOW[how](x).label == "x"


@pytest.mark.parametrize("how", HOW)
def test_gradients_kept_as_values_are_copied_with_their_graphs(how: str) -> None:
    x = Value(2.0)
    y = x ** 3
    y.backward(create_graph=True)
    copied = HOW[how](y)
    assert copied.inputs[0].grad.data == 12.0 and copied.inputs[0].grad is not x.grad


@pytest.mark.parametrize("how", HOW)
def test_a_node_keeps_its_recorded_number_after_its_input_changed(how: str) -> None:
    x = Value(2.0)
    y = x * 3
    x.data = 0.0   # y still holds 6: a copy is of the graph as it is, not recomputed
    copied = HOW[how](y)
    assert (copied.data, copied.inputs[0].data) == (6.0, 0.0)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copy_made_inside_no_grad_keeps_its_graph(how: str) -> None:
    y = Value(2.0) * 3
    with no_grad():
        copied = HOW[how](y)
    assert copied.op == "*"


@pytest.mark.parametrize("how", HOW)
def test_a_node_of_a_row_outside_the_table_cannot_be_rebuilt_and_says_so(how: str) -> None:
    twice = Rule("twice", "x", "2x", "2.0 * x", ("2.0",), ("2",), "×2")
    with pytest.raises(TypeError, match=r"pickle: Value\(data=4, grad=0\) was made by "
                                        r"Rule\('twice'"):
        HOW[how](apply(twice, Value(2.0)))


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_chain_deeper_than_the_recursion_limit(how: str) -> None:
    copied = HOW[how](chain(5_000))
    assert (copied.data, len(topological_order(copied))) == (5_000.0, 5_001)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_100000_deep_chain(how: str) -> None:
    copied = HOW[how](chain(100_000))
    assert (copied.data, len(topological_order(copied))) == (100_000.0, 100_001)
