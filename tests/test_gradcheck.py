"""``gradcheck`` and ``numerical_grad``: they pass correct rules and catch a rule off by 0.1%."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import CASES, Case, Graph, expression_graphs

from engine import GradcheckError, Rule, Value, apply, gradcheck, numerical_grad, ops

# Test-only rows (not in the table), applied with engine.apply: a correct sine, a sine
# whose derivative is 0.1% too large, and a product whose second partial is 0.1% off.
SINE = Rule("sine", "x", "sin(x)", "sin(x)", ("cos(x)",), ("cos(x)",), "sin")
SLIGHTLY_WRONG_SINE = Rule("sine", "x", "sin(x)", "sin(x)", ("1.001 * cos(x)",), ("cos(x)",),
                           "sin")
SLIGHTLY_WRONG_MUL = Rule("*", "x, y", "x * y", "x * y", ("y", "1.001 * x"), ("y", "x"), "×")


def sine(x: Value) -> Value:
    return apply(SINE, x)


def wrong_sine(x: Value) -> Value:
    return apply(SLIGHTLY_WRONG_SINE, x)


def wrong_mul(x: Value, y: Value) -> Value:
    return apply(SLIGHTLY_WRONG_MUL, x, y)


def test_a_correct_test_only_row_passes() -> None:
    assert gradcheck(lambda x: sine(x) * x, [0.3]) is True


def test_a_derivative_off_by_a_tenth_of_a_percent_fails_and_names_the_input() -> None:
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: wrong_sine(x) * x, [0.3])
    report = str(info.value)
    assert "gradcheck failed" in report
    assert "input 0 (x = 0.3)" in report and "FAIL" in report


def test_only_the_wrong_input_is_reported_as_failing() -> None:
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: wrong_mul(x, y).tanh(), [0.4, -0.7])
    lines = str(info.value).splitlines()
    (first,) = (line for line in lines if "input 0" in line)
    (second,) = (line for line in lines if "input 1" in line)
    assert first.endswith("ok") and second.endswith("FAIL")
    assert "x = -0.7" in second


def test_gradcheck_error_is_an_assertion_error() -> None:
    assert issubclass(GradcheckError, AssertionError)


def test_a_perturbed_row_of_the_table_is_caught() -> None:
    """Perturb a real row in place: everything built with tanh now has a wrong derivative."""
    good = ops.TANH.df
    # Rows are frozen; this test alone bypasses that, and always restores the row.
    object.__setattr__(ops.TANH, "df", lambda out, x, c: (1.001 * good(out, x, c)[0],))
    try:
        with pytest.raises(GradcheckError, match="input 0"):
            gradcheck(lambda x: x.tanh(), [0.5])
    finally:
        object.__setattr__(ops.TANH, "df", good)
    assert gradcheck(lambda x: x.tanh(), [0.5])


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_every_case_passes_gradcheck(case: Case, data: st.DataObject) -> None:
    args = data.draw(case.smooth, label="args")
    consts = args[case.arity:]
    assert gradcheck(lambda *xs: case.call(*xs, *consts), list(args[: case.arity]))


@given(expression_graphs())
def test_random_graphs_pass_gradcheck(graph: Graph) -> None:
    assert gradcheck(graph.build, list(graph.xs), rtol=1e-4, atol=1e-6)


def test_numerical_grad_is_the_central_difference_with_a_relative_step() -> None:
    # For a cubic the central difference has error h² exactly: f'(x) + h².
    x = 1000.0
    h = 1e-6 * x
    (numeric,) = numerical_grad(lambda v: v**3, [x])
    assert numeric == pytest.approx(3 * x * x + h * h, rel=1e-9)
    (small,) = numerical_grad(lambda v: v**3, [0.5], eps=1e-4)
    assert small == pytest.approx(3 * 0.25 + 1e-8, rel=1e-9)


def test_numerical_grad_accepts_values_and_builds_no_graph() -> None:
    a = Value(2.0)
    grads = numerical_grad(lambda x, y: x * y, [a, 3.0])
    assert grads == pytest.approx([3.0, 2.0], rel=1e-9)
    assert a.grad == 0.0


def test_gradcheck_leaves_the_callers_values_alone() -> None:
    a = Value(2.0)
    assert gradcheck(lambda x: x * x, [a])
    assert (a.data, a.grad) == (2.0, 0.0)


@pytest.mark.parametrize("check", [gradcheck, numerical_grad])
def test_a_step_past_the_edge_of_fns_domain_is_named_with_the_point_and_eps(check: Any
                                                                             ) -> None:
    # log at 1e-7 is defined, but x − h = −9e-7 is not: the error names the checker, the
    # input, x ± h and the way out (torch's gradcheck gets nan there and fails its own way).
    with pytest.raises(ValueError, match=r"fn fails at x - h = -9e-07 for input 0 \(x = 1e-07"
                                         r", h = 1e-06; a smaller eps may help\): log: "
                                         r"expected x > 0"):
        check(lambda x: x.log(), [1e-7])
    with pytest.raises(OverflowError, match=r"fn fails at x \+ h = 1e\+300 for input 1 .*"
                                            r"overflows"):
        check(lambda x, y: x * y * y, [1.0, 1.0], eps=1e300)
    assert check(lambda x: x.log(), [1e-3], eps=1e-7)   # inside the domain: a plain answer


@pytest.mark.parametrize("check", [gradcheck, numerical_grad])
def test_a_step_that_rounds_back_to_x_or_overflows_is_named(check: Any) -> None:
    with pytest.raises(ValueError, match=r"eps = 4.94e-324 is too small at input 0 \(x = 3\)"):
        check(lambda a: a * 0.5, [3.0], eps=5e-324)
    with pytest.raises(OverflowError, match=r"the step x ± h overflows a float at input 0"):
        check(lambda a: a * 0.5, [1.7976931348623157e308])
    with pytest.raises(OverflowError, match=r"\*: the result overflows a float"):
        check(lambda a: a * a, [1e308])
