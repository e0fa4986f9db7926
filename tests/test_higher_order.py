"""Higher-order gradients: ``grad(create_graph=True)``, ``hessian``, ``hvp``."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st
from strategies import (
    CASES,
    HUGE,
    Case,
    Graph,
    central_difference,
    evaluate,
    expression_graphs,
    fd_agrees,
    floats,
    multi_indices,
    tight,
)

from engine import Rule, Value, apply, grad, hessian, hvp, no_grad, topological_order

Build = Callable[..., Value]


def derivative(build: Build, args: Sequence[float], arity: int, idx: tuple[int, ...]) -> float:
    """∂^k f / ∂x_idx[0] ... ∂x_idx[-1] at ``args``, by repeated ``grad``."""
    leaves = [Value(a) for a in args[:arity]]
    g: Value | float = build(*leaves, *args[arity:])
    for k, i in enumerate(idx):
        last = k == len(idx) - 1
        assert isinstance(g, Value)
        g = grad(g, leaves, create_graph=not last, allow_unused=True)[i]
    assert isinstance(g, float)
    return g


def assert_matches_analytic(case: Case, build: Build, args: Sequence[float],
                            idx: tuple[int, ...]) -> None:
    """The engine's derivative equals the registry's formula (overflow must raise)."""
    expected = evaluate(case.d[idx], args)
    try:
        got = derivative(build, args, case.arity, idx)
    except ArithmeticError as error:
        note(f"{idx}: {error}")
        assert _may_overflow(case, args, idx), f"{idx}: refused a finite value"
        return
    note(f"{idx}: engine {got!r}, analytic {expected}")
    assert math.isfinite(got)
    if expected is None:
        assert abs(got) > HUGE, idx
    else:
        assert tight(got, expected, case.atol), idx


def _may_overflow(case: Case, args: Sequence[float], idx: tuple[int, ...]) -> bool:
    """Whether the engine may refuse ``idx`` at ``args`` with an overflow error.

    Each ``grad`` call backpropagates through the whole graph of the lower derivative, to
    every input, so an overflow towards any input on the way refuses the call. With inputs
    of extreme magnitude a chain-rule factor (such as y·(y−1)·(y−2), or 1/x³) can leave the
    float range even where the exact derivative underflows to 0; refusing is right there too.
    """
    if any(abs(a) >= 1e100 or 0 < abs(a) <= 1e-100 for a in args):
        return True
    for m in range(len(idx)):
        for j in range(case.arity):
            e = evaluate(case.d[tuple(sorted((*idx[:m], j)))], args)
            if e is None or abs(e[0]) > HUGE:
                return True
    return False


def assert_matches_central_difference_of_lower(build: Build, args: Sequence[float],
                                               arity: int, idx: tuple[int, ...]) -> None:
    """The k-th derivative equals the central difference of the (k−1)-th."""
    lower, last = idx[:-1], idx[-1]

    def f(t: float) -> float:
        moved = [*args[:last], t, *args[last + 1:]]
        return derivative(build, moved, arity, lower)

    numeric, size = central_difference(f, args[last])
    analytic = derivative(build, args, arity, idx)
    note(f"{idx}: engine {analytic!r}, central difference {numeric!r}")
    assert fd_agrees(analytic, numeric, size), idx


def _forward_ok(case: Case, args: Sequence[float]) -> bool:
    try:
        case.forward(args)
    except ArithmeticError:
        return False
    return True


# --- every primitive: second and third derivatives -------------------------------------------
@pytest.mark.parametrize("order", [2, 3])
@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_higher_derivatives_match_the_analytic_formulas(case: Case, order: int,
                                                        data: st.DataObject) -> None:
    args = data.draw(case.domain, label="args")
    assume(_forward_ok(case, args))
    for idx in multi_indices(case.arity, order):
        assert_matches_analytic(case, case.call, args, idx)


@pytest.mark.parametrize("order", [2, 3])
@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_higher_derivatives_match_central_differences_of_the_lower(case: Case, order: int,
                                                                   data: st.DataObject) -> None:
    args = data.draw(case.smooth, label="args")
    for idx in multi_indices(case.arity, order):
        assert_matches_central_difference_of_lower(case.call, args, case.arity, idx)


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_first_order_is_identical_with_or_without_create_graph(case: Case,
                                                                data: st.DataObject) -> None:
    args = data.draw(case.domain, label="args")
    assume(_forward_ok(case, args))
    leaves, out = case.build(args)
    try:
        plain = grad(out, leaves)
    except ArithmeticError:
        with pytest.raises(ArithmeticError):
            grad(out, leaves, create_graph=True)
        return
    as_values = grad(out, leaves, create_graph=True)
    assert all(isinstance(g, Value) for g in as_values)
    assert [g.data for g in as_values] == plain


# --- the checks themselves can fail ---------------------------------------------------------------
def _cos_with_a_wrong_slope(out: object, x: object, c: object) -> tuple[object]:
    # On numbers: exactly cos(x). On Values: cos(x) + 0.001·(x − x₀), which has the same
    # value but a derivative 0.001 too large: first order right, second order wrong.
    if isinstance(x, float):
        return (math.cos(x),)
    assert isinstance(x, Value)
    return (x.cos() + (x - x.data) * 0.001,)


SNEAKY_SINE = Rule("sine", "x", "sin(x)", "sin(x)", ("cos(x)",), ("cos(x)",), "sin")
object.__setattr__(SNEAKY_SINE, "df", _cos_with_a_wrong_slope)  # a rule no string can say
SINE_CASE = next(case for case in CASES if case.name == "x.sin()")


@given(st.just(0.7))  # one example, run by hypothesis so that the checks can note()
def test_a_second_derivative_off_by_a_little_is_caught_both_ways(x: float) -> None:
    def sneaky(x: Value) -> Value:
        return apply(SNEAKY_SINE, x)

    args = (x,)
    # First order is right...
    assert derivative(sneaky, args, 1, (0,)) == math.cos(x)
    # ...second order is not, and both checks say so.
    with pytest.raises(AssertionError):
        assert_matches_analytic(SINE_CASE, sneaky, args, (0, 0))
    with pytest.raises(AssertionError):
        assert_matches_central_difference_of_lower(sneaky, args, 1, (0, 0))
    # The genuine row passes the same checks.
    assert_matches_analytic(SINE_CASE, SINE_CASE.call, args, (0, 0))
    assert_matches_central_difference_of_lower(SINE_CASE.call, args, 1, (0, 0))


# --- grad's contract ------------------------------------------------------------------------------
def test_grad_touches_no_grad_attribute() -> None:
    x, y = Value(1.5), Value(-0.5)
    z = (x * y).tanh() + x.exp()
    nodes = topological_order(z)
    gx, gy = grad(z, [x, y])
    assert gx == pytest.approx((1 - math.tanh(-0.75) ** 2) * -0.5 + math.exp(1.5), rel=1e-14)
    assert gy == pytest.approx((1 - math.tanh(-0.75) ** 2) * 1.5, rel=1e-14)
    assert all(v.grad == 0.0 for v in nodes)
    grad(z, [x, y], create_graph=True)
    assert all(v.grad == 0.0 for v in nodes)


def test_grad_accepts_a_single_value_and_a_seed() -> None:
    x = Value(3.0)
    y = x * x
    assert grad(y, x) == [6.0]
    assert grad(y, [x], grad=2.0) == [12.0]


def test_create_graph_gives_values_differentiable_to_any_order() -> None:
    x = Value(2.0)
    y = x**4
    derivatives = []
    g: Value = y
    for _ in range(5):
        (g,) = grad(g, [x], create_graph=True, allow_unused=True)
        assert isinstance(g, Value)
        derivatives.append(g.data)
    # 4x³, 12x², 24x, 24, 0
    assert derivatives == [32.0, 48.0, 48.0, 24.0, 0.0]


def test_second_derivative_of_a_reused_node() -> None:
    # f = x · exp(x): f'' = (2 + x) eˣ.
    x = Value(0.3)
    (d1,) = grad(x * x.exp(), [x], create_graph=True)
    (d2,) = grad(d1, [x])
    assert d2 == pytest.approx(2.3 * math.exp(0.3), rel=1e-14)


def test_backward_with_create_graph_stores_values_in_grad() -> None:
    x, y = Value(2.0), Value(3.0)
    z = x**3 * y
    z.backward(create_graph=True)
    assert isinstance(x.grad, Value) and isinstance(y.grad, Value)
    assert (x.grad.data, y.grad.data) == (36.0, 8.0)
    # Those grads are differentiable: ∂(∂z/∂x)/∂x = 6xy, ∂(∂z/∂x)/∂y = 3x².
    assert grad(x.grad, [x, y]) == [36.0, 12.0]


def test_backward_with_and_without_create_graph_agree() -> None:
    def build() -> tuple[list[Value], Value]:
        a, b = Value(0.4), Value(-1.2)
        return [a, b], (a * b).sin() + a / (1 + b * b)

    plain_leaves, plain = build()
    plain.backward()
    value_leaves, valued = build()
    valued.backward(create_graph=True)
    assert [v.grad.data for v in value_leaves] == [v.grad for v in plain_leaves]


def test_grad_with_respect_to_an_input_not_in_the_graph() -> None:
    x, unused = Value(1.0), Value(2.0)
    y = x * 3
    with pytest.raises(ValueError, match=r"^grad: inputs\[1\] must be part of the output's graph"):
        grad(y, [x, unused])
    assert grad(y, [x, unused], allow_unused=True) == [3.0, 0.0]
    values = grad(y, [x, unused], create_graph=True, allow_unused=True)
    assert [v.data for v in values] == [3.0, 0.0]
    assert all(isinstance(v, Value) for v in values)


# --- hessian and hvp --------------------------------------------------------------------------
def test_hessian_of_a_known_function() -> None:
    # f = x² y + sin(y): H = [[2y, 2x], [2x, −sin y]].
    h = hessian(lambda x, y: x * x * y + y.sin(), [1.5, -0.5])
    assert h[0] == [-1.0, 3.0]
    assert h[1][0] == 3.0
    assert h[1][1] == pytest.approx(-math.sin(-0.5), rel=1e-15)


def test_hessian_of_a_linear_function_is_zero() -> None:
    assert hessian(lambda x, y: 2 * x - y + 1, [1.0, 2.0]) == [[0.0, 0.0], [0.0, 0.0]]


def test_hvp_of_a_known_function() -> None:
    assert hvp(lambda x, y: x * x * y + y.sin(), [1.5, -0.5], [1.0, 2.0]) == pytest.approx(
        [-1.0 + 6.0, 3.0 - 2.0 * math.sin(-0.5)], rel=1e-15)


def _gradient_at(graph: Graph, xs: Sequence[float]) -> list[float]:
    leaves = [Value(x) for x in xs]
    return grad(graph.build(*leaves), leaves, allow_unused=True)


@given(expression_graphs())
def test_hessian_of_random_graphs_is_symmetric(graph: Graph) -> None:
    h = hessian(graph.build, list(graph.xs))
    n = len(graph.xs)
    size = max([1.0] + [abs(v) for row in h for v in row])
    note(f"hessian {h}")
    for i in range(n):
        for j in range(i):
            assert abs(h[i][j] - h[j][i]) <= 1e-10 * size


@given(expression_graphs())
def test_hessian_matches_central_differences_of_the_gradient(graph: Graph) -> None:
    h = hessian(graph.build, list(graph.xs))
    for j, x in enumerate(graph.xs):
        step = 1e-6 * max(1.0, abs(x))
        up = _gradient_at(graph, [*graph.xs[:j], x + step, *graph.xs[j + 1:]])
        down = _gradient_at(graph, [*graph.xs[:j], x - step, *graph.xs[j + 1:]])
        here = _gradient_at(graph, graph.xs)
        for i in range(len(graph.xs)):
            numeric = (up[i] - down[i]) / (2 * step)
            note(f"H[{i}][{j}]: hessian {h[i][j]!r}, central difference {numeric!r}")
            assert fd_agrees(h[i][j], numeric, abs(here[i]), rtol=1e-4, atol=1e-6)


@given(expression_graphs(), st.lists(floats(-1.0, 1.0), min_size=4, max_size=4))
def test_hvp_matches_the_hessian_and_central_differences(graph: Graph,
                                                         direction: list[float]) -> None:
    n = len(graph.xs)
    v = direction[:n]
    product = hvp(graph.build, list(graph.xs), v)
    h = hessian(graph.build, list(graph.xs))
    size = max([1.0] + [abs(e) for row in h for e in row])
    for i in range(n):
        assert abs(product[i] - math.fsum(h[i][j] * v[j] for j in range(n))) <= 1e-10 * size
    # Along v: (∇f(x + t v) − ∇f(x − t v)) / 2t.
    t = 1e-6 * max(1.0, *(abs(x) for x in graph.xs))
    up = _gradient_at(graph, [x + t * d for x, d in zip(graph.xs, v)])
    down = _gradient_at(graph, [x - t * d for x, d in zip(graph.xs, v)])
    here = _gradient_at(graph, graph.xs)
    for i in range(n):
        numeric = (up[i] - down[i]) / (2 * t)
        assert fd_agrees(product[i], numeric, abs(here[i]), rtol=1e-4, atol=1e-6)


@given(expression_graphs())
def test_random_graphs_first_order_is_identical_with_or_without_create_graph(
        graph: Graph) -> None:
    leaves = [Value(x) for x in graph.xs]
    y = graph.build(*leaves)
    plain = grad(y, leaves, allow_unused=True)
    valued = grad(y, leaves, create_graph=True, allow_unused=True)
    assert [g.data for g in valued] == plain


def test_an_overflow_in_the_backward_loop_names_the_function_called() -> None:
    # torch gives inf here; stepgrad refuses, naming grad / hvp / hessian (not backward,
    # which the user never called).
    x = Value(2.0)
    with pytest.raises(ArithmeticError, match=r"^grad: the gradient reaching .* is inf"):
        grad(x * x, [x], grad=1e308)
    with pytest.raises(OverflowError, match=r"^grad: \*: the result overflows a float"):
        grad(x * x, [x], grad=1e308, create_graph=True)   # (the gradient's graph overflows)
    with pytest.raises(OverflowError, match=r"^hvp: the product ∇fn · v: \*: the result "
                                            r"overflows a float"):
        hvp(lambda a, b: a * a * b, [3.0, 2.0], [1e308, 1e308])
    with pytest.raises(ArithmeticError, match=r"^hessian: "):
        hessian(lambda a: (a * 1e300) * 1e-300 * (a * 1e300) * 1e-300, [1e5])
    with pytest.raises(ArithmeticError, match=r"^backward: the gradient reaching"):
        (x * x).backward(1e308)


def test_grad_of_the_same_input_twice_gives_it_twice() -> None:
    x = Value(2.0)
    assert grad(x * x, (x, x)) == [4.0, 4.0]


def test_create_graph_inside_no_grad_is_recorded_and_differentiable_again() -> None:
    x = Value(2.0)
    y = x * x * x
    with no_grad():
        (dy,) = grad(y, [x], create_graph=True)
    assert grad(dy, [x]) == [12.0]


@pytest.mark.parametrize("which", ["hessian", "hvp"])
def test_hessian_and_hvp_take_any_numbers_any_fn_and_work_inside_no_grad(which: str) -> None:
    def second(fn: Any, values: list[Any]) -> Any:
        return hessian(fn, values) if which == "hessian" else hvp(fn, values, [1.0] * len(
            values))

    twelve = [[12.0]] if which == "hessian" else [12.0]
    assert second(lambda *a: a[0] * a[0] * a[0], [2.0]) == twelve      # *args
    assert second(lambda a: a * a * a, [Value(2.0)]) == twelve          # a Value: its number
    assert second(lambda a: a * a * a, [np.float32(2.0)]) == twelve
    with no_grad():
        assert second(lambda a: a * a * a, [2.0]) == twelve
    flat = [[0.0]] if which == "hessian" else [0.0]
    assert second(lambda a: a.tanh(), [1e308]) == flat
    if which == "hessian":
        assert hessian(lambda a, b: a * a, [3.0, 1.0]) == [[2.0, 0.0], [0.0, 0.0]]
