"""The Value object itself: what it stores, how it prints, what its nodes record."""

from __future__ import annotations

import math
import operator
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hostile import NUMBERS
from hypothesis import given
from strategies import floats

from engine import Value, apply, ops


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


# --- numbers of every kind, on either side of an operator ------------------------------------
SYMBOLS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "**": operator.pow}


def _outcome(call: Any, leaf: Value) -> tuple[Any, ...]:
    """The value and the gradient a call gives, or the error it raises."""
    try:
        y = call()
        y.backward()
    except (ArithmeticError, ValueError, TypeError) as err:
        return type(err), str(err)
    return y.data, leaf.grad, type(y.data), type(leaf.grad)


@pytest.mark.parametrize(("name", "number", "as_float"), NUMBERS, ids=[n for n, *_ in NUMBERS])
def test_a_number_of_any_kind_acts_as_the_float_it_stands_for(name: str, number: Any,
                                                             as_float: float) -> None:
    for symbol, op in SYMBOLS.items():
        for left in (True, False):
            results = []
            for c in (number, as_float):
                x = Value(2.0)
                results.append(_outcome(lambda x=x, c=c, op=op, left=left:
                                        op(x, c) if left else op(c, x), x))
            assert results[0] == results[1], (symbol, left)


def test_an_array_operand_is_numpys_to_broadcast_as_pytorch_would() -> None:
    for op in SYMBOLS.values():
        for out in (op(Value(2.0), np.array([0.5])), op(np.array([0.5]), Value(2.0))):
            assert isinstance(out, np.ndarray) and out.shape == (1,)
            assert isinstance(out[0], Value)


def test_sums_of_values_numbers_and_numpy_numbers() -> None:
    assert sum([], Value(0.0)).data == 0.0
    assert sum([np.float32(0.5), Value(1.0), np.int64(2)], Value(0.0)).data == 3.5


def test_signs_of_zero_follow_floats() -> None:
    outs = [-Value(-0.0), +Value(-0.0), abs(Value(-0.0))]
    assert [math.copysign(1.0, v.data) for v in outs] == [1.0, -1.0, 1.0]


# --- comparisons: by number, a Python bool; == and hash by identity ---------------------------
COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@pytest.mark.parametrize("symbol", COMPARE)
def test_comparisons_compare_numbers_and_answer_a_python_bool(symbol: str) -> None:
    compare = COMPARE[symbol]
    x = Value(2.0)
    for other in (1.0, 2.0, 3, np.float64(2.5), np.int64(1), Fraction(5, 2), math.nan,
                  math.inf, 10**400, Value(2.0)):
        number = other.data if isinstance(other, Value) else other
        assert compare(x, other) is bool(compare(2.0, number))
        if not isinstance(other, Value):
            assert compare(other, x) is bool(compare(number, 2.0))
    for bad in ("2", None, [2.0], 1 + 0j):
        with pytest.raises(TypeError, match="not supported between instances of"):
            compare(x, bad)


def test_equality_and_hashing_stay_by_identity_and_max_works() -> None:
    x = Value(2.0)
    assert (x == 2.0) is False and (x == Value(2.0)) is False and x == x and x in {x}
    assert max([Value(1.0), Value(3.0), Value(-2.0)]).data == 3.0
    assert [v if not isinstance(v, Value) else v.data
            for v in sorted([Value(1.0), 0.5, np.float64(2.0)])] == [0.5, 1.0, 2.0]


def test_read_only_attributes_say_so() -> None:
    for attribute, value in [("op", "+"), ("inputs", ()), ("rule", None), ("param", 2.0)]:
        with pytest.raises(AttributeError, match=f"property '{attribute}' of 'Value' object "
                                                 f"has no setter"):
            setattr(Value(1.0), attribute, value)


def test_a_torch_scalar_tensor_is_refused_by_name_not_by_an_attribute_error() -> None:
    # Its dtype (torch.float32) has no NumPy ``kind``: the check must not assume one.
    torch = pytest.importorskip("torch")
    t = torch.tensor(2.0)
    for call in (lambda: Value(t), lambda: setattr(Value(1.0), "data", t),
                 lambda: setattr(Value(1.0), "grad", t)):
        with pytest.raises(TypeError, match=r"must be a (finite )?number.*, got a 0-d "
                                            r"torch\.Tensor of dtype 'torch\.float32'"):
            call()


def test_apply_checks_the_rows_arity_and_its_c() -> None:
    x = Value(2.0)
    with pytest.raises(TypeError, match=r"^apply: inputs must be 1 Value\(s\) for the row "
                                        r"'tanh' \(tanh\(x\)\), got 2$"):
        apply(ops.TANH, x, x)
    with pytest.raises(TypeError, match=r"^apply: c must be a number for the row '\*' "
                                        r"\(x \* c\), got None$"):
        apply(ops.MUL_C, x)
    with pytest.raises(TypeError, match=r"^apply: c must be None for the row 'tanh'"):
        apply(ops.TANH, x, c=1)
    assert apply(ops.MUL_C, x, c=np.float32(0.5)).data == 1.0
