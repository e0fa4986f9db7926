"""The Value object itself: what it stores, how it prints, what its nodes record."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from strategies import floats

from engine import Value, ops


@pytest.mark.parametrize(
    ("number", "expected"),
    [(3, 3.0), (-2.5, -2.5), (Fraction(1, 8), 0.125), (0, 0.0), (2**53, 2.0**53)],
    ids=repr,
)
def test_data_is_stored_as_a_float(number: float, expected: float) -> None:
    v = Value(number)
    assert type(v.data) is float and v.data == expected


def test_numpy_scalars_become_python_floats() -> None:
    np = pytest.importorskip("numpy")
    for number in (np.float32(1.5), np.float64(-2.0), np.int32(7), np.int64(-3)):
        v = Value(number)
        assert type(v.data) is float and v.data == float(number)


@given(floats())
def test_any_finite_float_round_trips(x: float) -> None:
    assert Value(x).data == x


def test_a_new_value_is_a_leaf() -> None:
    v = Value(1.25, label="w")
    assert (v.data, v.grad, v.label, v.op, v.inputs, v.rule, v.param) == (
        1.25, 0.0, "w", "", (), None, None)
    assert type(v.grad) is float
    assert Value(1.0).label == ""


def test_data_label_and_grad_are_assignable() -> None:
    v = Value(1.0)
    v.data = 4.0
    v.label = "x"
    v.grad = 0.5
    assert (v.data, v.label, v.grad) == (4.0, "x", 0.5)
    assert (v * 2).data == 8.0


def test_values_have_no_instance_dict() -> None:
    v = Value(1.0)
    with pytest.raises(AttributeError):
        v.something_else = 1  # type: ignore[attr-defined]


def test_repr_shows_label_data_and_grad() -> None:
    assert repr(Value(2.0, label="x")) == "Value('x', data=2, grad=0)"
    v = Value(0.1234567891)
    v.grad = -3.5
    assert repr(v) == "Value(data=0.123457, grad=-3.5)"


def test_a_node_records_its_inputs_in_order_with_repeats() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    assert (a - b).inputs == (a, b)
    assert (b - a).inputs == (b, a)
    assert (a * a).inputs == (a, a)
    assert (a**b).inputs == (a, b)


def test_op_names_what_the_user_wrote() -> None:
    a, b = Value(2.0), Value(3.0)
    written = {
        "+": a + b, "-": 1 - a, "*": a * 2, "/": a / b, "**": a**2,
        "neg": -a, "abs": abs(a), "exp": a.exp(), "log": a.log(), "sqrt": a.sqrt(),
        "tanh": a.tanh(), "sigmoid": a.sigmoid(), "relu": a.relu(), "sin": a.sin(),
        "cos": a.cos(), "leaky_relu": a.leaky_relu(),
    }
    assert {name: v.op for name, v in written.items()} == {name: name for name in written}
    assert all(v.op == v.rule.name for v in written.values() if v.rule is not None)


def test_every_one_input_row_named_by_a_word_is_a_method_that_reaches_it() -> None:
    words = [row for row in ops.OPS if row.args == "x" and row.name.isidentifier()]
    assert {"exp", "tanh", "softplus", "gelu", "silu", "erf"} <= {row.name for row in words}
    for row in words:
        out = getattr(Value(0.5), row.name)()
        assert out.rule is row and out.op == row.name
        assert row.formulas[0] in getattr(Value, row.name).__doc__


def test_unary_plus_is_the_value_itself() -> None:
    a = Value(1.0)
    assert +a is a


def test_sum_over_values() -> None:
    xs = [Value(float(i)) for i in range(1, 5)]
    total = sum(xs)
    assert isinstance(total, Value) and total.data == 10.0
    total.backward()
    assert [x.grad for x in xs] == [1.0, 1.0, 1.0, 1.0]


def test_sum_with_a_value_start() -> None:
    xs = [Value(0.5), Value(1.5)]
    total = sum(xs, Value(1.0))
    assert total.data == 3.0


def test_forward_values_of_a_small_neuron() -> None:
    # tanh(w·x + b) by hand.
    w, x, b = Value(-3.0), Value(2.0), Value(6.8813735870195432)
    n = w * x + b
    o = n.tanh()
    assert o.data == pytest.approx(math.tanh(0.8813735870195432), rel=1e-15)
    o.backward()
    local = 1 - o.data**2
    assert n.grad == pytest.approx(local, rel=1e-15)
    assert (w.grad, x.grad, b.grad) == pytest.approx((2.0 * local, -3.0 * local, local),
                                                      rel=1e-15)


def test_the_constant_is_kept_as_param() -> None:
    a = Value(2.0)
    assert (a * 3).param == 3.0 and type((a * 3).param) is float
    assert (3 - a).param == 3.0
    assert (2 ** a).param == 2.0
    assert a.leaky_relu(0.2).param == 0.2
    assert (a * a).param is None and a.tanh().param is None
