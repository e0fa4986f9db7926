"""Bad input gets a clear error naming the operation and the input: never a silent nan or inf."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import CASES, Case, floats

from engine import Value


# --- operators with something that is no number: Python's own TypeError ----------------------
# (What each argument accepts as a number is tests/test_entry_points.py and test_args.py.)
@pytest.mark.parametrize("other", ["a", None, [1.0], True], ids=repr)
def test_operators_refuse_non_numbers(other: object) -> None:
    x = Value(1.0)
    for apply in (
        lambda: x + other,
        lambda: other + x,
        lambda: x - other,
        lambda: other - x,
        lambda: x * other,
        lambda: other * x,
        lambda: x / other,
        lambda: other / x,
        lambda: x**other,
        lambda: other**x,
    ):
        with pytest.raises(TypeError):
            apply()


def test_value_plus_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="Value"):
        Value(1.0) + "a"  # type: ignore[operator]


# --- domain errors: the operation and the input are named --------------------------------------
@pytest.mark.parametrize("x", [0.0, -0.0, -1.0, -2.5e-300, -1e300], ids=repr)
def test_log_of_zero_and_negatives(x: float) -> None:
    shown = "0" if x == 0 else f"{x:.6g}"   # -0.0 is shown as 0
    with pytest.raises(ValueError, match=r"log: expected x > 0, got x = " + re.escape(shown)):
        Value(x).log()


@pytest.mark.parametrize("x", [-1.0, -1e-300, -4.0], ids=repr)
def test_sqrt_of_negatives(x: float) -> None:
    message = r"sqrt: expected x >= 0, got x = " + re.escape(f"{x:.6g}")
    with pytest.raises(ValueError, match=message):
        Value(x).sqrt()


def test_division_by_a_zero_value() -> None:
    with pytest.raises(ZeroDivisionError, match=r"/: division by zero \(3 / 0\)"):
        Value(3.0) / Value(0.0)


@pytest.mark.parametrize("zero", [0, 0.0, -0.0], ids=repr)
def test_division_by_a_zero_number(zero: float) -> None:
    with pytest.raises(ZeroDivisionError, match=r"/: division by zero \(3 / 0\)"):
        Value(3.0) / zero


def test_number_divided_by_a_zero_value() -> None:
    with pytest.raises(ZeroDivisionError, match=r"/: division by zero \(3 / 0\)"):
        3.0 / Value(0.0)


@pytest.mark.parametrize("c", [-1, -0.5, -3.0], ids=repr)
def test_zero_to_a_negative_power(c: float) -> None:
    with pytest.raises(ZeroDivisionError, match=r"\*\*: 0 cannot be raised to a negative power "
                                                + re.escape(f"(0 ** {c:.6g})")):
        Value(0.0) ** c


@pytest.mark.parametrize(("x", "c"), [(-8.0, 1 / 3), (-1.0, 0.5), (-2.0, 2.5)])
def test_negative_base_to_a_fractional_number(x: float, c: float) -> None:
    with pytest.raises(ValueError, match=r"\*\*: a negative base needs a whole-number exponent, "
                                         + re.escape(f"got {x:.6g} ** {c:.6g}")):
        Value(x) ** c


@pytest.mark.parametrize("x", [-1.0, -2.0], ids=repr)
def test_negative_base_with_a_value_exponent(x: float) -> None:
    with pytest.raises(ValueError, match=r"\*\*: the base must be >= 0 .* got x = "
                                         + re.escape(f"{x:.6g}")):
        Value(x) ** Value(2.0)


@pytest.mark.parametrize("y", [2.0, 0.5, 0.0])
def test_zero_to_a_value_power_is_defined_as_in_pytorch(y: float) -> None:
    """0 ** y for a Value y >= 0: 0 (1 at y = 0), ∂/∂y = 0; ∂/∂x as PyTorch (0 at y = 0)."""
    x, e = Value(0.0), Value(y)
    out = x**e
    if y < 1 and y != 0:
        with pytest.raises(ZeroDivisionError, match="infinite at x = 0"):
            out.backward()
        return
    out.backward()
    assert (out.data, e.grad, x.grad) == (0.0 ** y, 0.0, 0.0 if y != 1 else 1.0)


def test_zero_to_a_negative_value_power_is_refused() -> None:
    with pytest.raises(ZeroDivisionError, match=r"0 cannot be raised to a negative power"):
        Value(0.0) ** Value(-1.0)


@pytest.mark.parametrize("c", [-0.5, -2.0], ids=repr)
def test_negative_number_to_a_value_power(c: float) -> None:
    with pytest.raises(ValueError, match=r"\*\*: the base must be >= 0 .* got c = "
                                         + re.escape(f"{c:.6g}")):
        c ** Value(2.0)


@pytest.mark.parametrize("y", [2.0, 0.0])
def test_zero_to_a_value_power_on_the_left_is_defined_as_in_pytorch(y: float) -> None:
    e = Value(y)
    out = 0 ** e
    out.backward()
    assert (out.data, e.grad) == (0.0**y, 0.0)
    with pytest.raises(ZeroDivisionError, match="0 cannot be raised to a negative power"):
        0 ** Value(-1.0)


def test_negative_base_to_a_whole_number_is_fine() -> None:
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


def test_exp_overflow() -> None:
    with pytest.raises(OverflowError, match=r"exp: the result overflows a float .*x = 1000"):
        Value(1000.0).exp()


@pytest.mark.parametrize(
    ("apply", "text"),
    [
        (lambda: Value(10.0) ** 400, r"\*\*: .*x \*\* c with x = 10, c = 400"),
        (lambda: Value(10.0) ** Value(400.0), r"\*\*: .*x \*\* y with x = 10, y = 400"),
        (lambda: 10 ** Value(400.0), r"\*\*: .*c \*\* x with x = 400, c = 10"),
        (lambda: Value(1e-200) ** -2, r"\*\*: .*x = 1e-200, c = -2"),
    ],
    ids=["x ** c", "x ** y", "c ** x", "tiny ** -2"],
)
def test_pow_overflow(apply, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OverflowError, match=text):
        apply()


@pytest.mark.parametrize(
    ("apply", "text"),
    [
        (lambda: Value(1e200) * Value(1e200), r"\*: .*x = 1e\+200, y = 1e\+200"),
        (lambda: Value(1e200) * 1e200, r"\*: .*x = 1e\+200, c = 1e\+200"),
        (lambda: Value(1.7e308) + Value(1.7e308), r"\+: .*x = 1\.7e\+308"),
        (lambda: Value(-1.7e308) - 1.7e308, r"-: .*x = -1\.7e\+308"),
        (lambda: Value(1e300) / Value(1e-300), "/: .*x = 1e\\+300, y = 1e-300"),
        (lambda: 1e300 / Value(1e-300), "/: .*x = 1e-300, c = 1e\\+300"),
    ],
    ids=["x * y", "x * c", "x + y", "x - c", "x / y", "c / x"],
)
def test_arithmetic_overflow(apply, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OverflowError, match=text):
        apply()


def test_sqrt_derivative_at_zero_is_refused_in_backward() -> None:
    x = Value(0.0)
    y = x.sqrt()
    assert y.data == 0.0
    with pytest.raises(ZeroDivisionError, match=r"sqrt: the derivative .* infinite at x = 0"):
        y.backward()


def test_fractional_power_derivative_at_zero_is_refused_in_backward() -> None:
    x = Value(0.0)
    y = x**0.5
    with pytest.raises(ZeroDivisionError, match=r"\*\*: the derivative .* infinite at x = 0"):
        y.backward()


@pytest.mark.parametrize(
    ("x", "build"),
    [
        (1e-10, lambda x: (1.0 / x) * 1e290),  # ∂/∂x = −1e290 / x²
        (1e-200, lambda x: x**-1.0),  # the derivative c · x^(c−1) overflows
        (1e-200, lambda x: x.log() * 1e300),  # 1e300 · 1/x
        (1e-200, lambda x: x ** Value(-1.0)),  # y · x^(y−1) with a Value exponent
    ],
    ids=["1/x * 1e290", "x ** -1", "log(x) * 1e300", "x ** y"],
)
def test_an_overflowing_gradient_in_backward(x: float, build) -> None:  # type: ignore[no-untyped-def]
    v = Value(x)
    y = build(v)
    assert math.isfinite(y.data)
    with pytest.raises(ArithmeticError, match=r"backward: the gradient reaching .* overflowed"):
        y.backward()


def test_an_overflowing_sum_of_gradients_in_backward() -> None:
    # Each path alone gives 1e308; their sum does not fit in a float.
    x = Value(0.0)
    y = (x * 1e308).sin() + (x * 1e308).sin()
    assert y.data == 0.0
    with pytest.raises(ArithmeticError, match="backward: the gradient reaching"):
        y.backward()


# --- never nan or inf from finite inputs in the domain -------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_no_op_returns_nan_or_inf(case: Case, data: st.DataObject) -> None:
    args = data.draw(case.domain, label="args")
    leaves = [Value(a) for a in args[: case.arity]]
    try:
        out = case.call(*leaves, *args[case.arity:])
    except ArithmeticError as error:
        assert str(error).startswith(case.row.name)  # names the operation
        return
    assert math.isfinite(out.data)
    try:
        out.backward()
    except ArithmeticError as error:
        assert case.row.name in str(error) or "backward" in str(error)
        return
    assert all(math.isfinite(leaf.grad) for leaf in leaves)


@given(floats(-1e308, 1e308))
def test_sigmoid_is_finite_everywhere(x: float) -> None:
    v = Value(x)
    y = v.sigmoid()
    y.backward()
    assert 0.0 <= y.data <= 1.0 and math.isfinite(v.grad)


def test_sigmoid_at_plus_and_minus_one_thousand_is_exact() -> None:
    for x, expected in ((1000.0, 1.0), (-1000.0, math.exp(-1000.0))):
        v = Value(x)
        y = v.sigmoid()
        y.backward()
        assert y.data == expected
        assert v.grad == 0.0
    assert Value(-700.0).sigmoid().data == pytest.approx(math.exp(-700.0), rel=1e-14)
    assert Value(-700.0).sigmoid().data > 0.0


def test_tanh_saturates_without_error() -> None:
    for x in (1e3, -1e3, 1e308):
        v = Value(x)
        y = v.tanh()
        y.backward()
        assert abs(y.data) == 1.0 and v.grad == 0.0


def test_backward_after_a_divisor_was_set_to_zero_names_the_node_and_the_cause() -> None:
    x, y = Value(1.0), Value(2.0, label="y")
    q = x / y
    y.data = 0.0  # changed after q was built: ∂q/∂x = 1 / y is now infinite
    with pytest.raises(ZeroDivisionError, match=r"backward: the local derivative of .* \(op "
                                                r"'/'\) cannot be computed: .*an input's "
                                                r"data changed after the node was built"):
        q.backward()
