"""What backward means: accumulation over reuse, repeated passes, order, depth, no_grad, detach."""

from __future__ import annotations

import gc
import math

import pytest
from hypothesis import given, note
from strategies import Graph, central_difference, expression_graphs, fd_agrees

from engine import (
    Rule,
    Value,
    apply,
    backprop,
    backward,
    enable_grad,
    gradients,
    is_grad_enabled,
    local_derivatives,
    no_grad,
    topological_order,
)


# --- reuse: every path contributes ---------------------------------------------------------
def test_a_node_used_twice_gets_both_contributions() -> None:
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (c.grad, b.grad, a.grad) == (1.0, 2.0, 4.0)
    assert c.data == 12.0


def test_self_product_gets_both_partials() -> None:
    a = Value(-1.5)
    y = a * a
    y.backward()
    assert a.grad == 2 * -1.5


def test_diamond() -> None:
    # x feeds two branches that meet again: dy/dx = dy/du·du/dx + dy/dv·dv/dx.
    x = Value(0.5)
    u = x * 3.0
    v = x.exp()
    y = u * v
    y.backward()
    assert x.grad == pytest.approx(3.0 * math.exp(0.5) + 1.5 * math.exp(0.5), rel=1e-15)
    assert u.grad == v.data
    assert v.grad == u.data


def test_paths_of_length_one_and_three() -> None:
    # a reaches y directly and through b and c: y = a + ((a * 2) * 5) = 11a.
    a = Value(2.0)
    b = a * 2.0
    c = b * 5.0
    y = a + c
    y.backward()
    assert a.grad == 11.0
    assert (b.grad, c.grad, y.grad) == (5.0, 1.0, 1.0)


def test_a_long_and_a_short_path_through_a_nonlinearity() -> None:
    # y = tanh(x) * x: both paths, each with its own local derivative.
    x = Value(0.7)
    t = x.tanh()
    y = t * x
    y.backward()
    expected = (1 - math.tanh(0.7) ** 2) * 0.7 + math.tanh(0.7)
    assert x.grad == pytest.approx(expected, rel=1e-14)


# --- repeated passes and seeds -------------------------------------------------------------
def _interior_graph() -> list[Value]:
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    c = a * b
    d = c.tanh() + a
    e = d * d + b.exp()
    return [a, b, c, d, e]


def test_grads_of_a_small_graph_by_hand() -> None:
    a = Value(2.0)
    b = a * a
    c = b + a
    c.backward()
    assert (a.grad, b.grad, c.grad) == (5.0, 1.0, 1.0)  # dc/da = 2a + 1


def test_second_backward_exactly_doubles_every_grad_including_interior_nodes() -> None:
    nodes = _interior_graph()
    nodes[-1].backward()
    first = [v.grad for v in nodes]
    assert all(g != 0.0 for g in first)
    nodes[-1].backward()
    assert [v.grad for v in nodes] == [2 * g for g in first]


def test_backward_with_a_seed_scales_every_grad() -> None:
    plain = _interior_graph()
    plain[-1].backward()
    scaled = _interior_graph()
    scaled[-1].backward(2.0)
    assert [v.grad for v in scaled] == [2 * v.grad for v in plain]
    assert scaled[-1].grad == 2.0


def test_backward_accepts_an_int_seed_and_the_module_function() -> None:
    nodes = _interior_graph()
    backward(nodes[-1], 3)
    reference = _interior_graph()
    reference[-1].backward(3.0)
    assert [v.grad for v in nodes] == [v.grad for v in reference]


def test_backward_propagates_its_own_pass_not_the_accumulated_grad() -> None:
    # Interior grads already non-zero must not leak into the next pass.
    a = Value(2.0)
    b = a * 3.0
    y = b * b
    b.grad = 100.0
    y.backward()
    assert a.grad == 3.0 * 2 * 6.0
    assert b.grad == 100.0 + 12.0


def test_backward_of_a_leaf_sets_its_own_grad() -> None:
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0


def test_backprop_visits_nodes_in_reverse_topological_order_with_their_pass_gradient() -> None:
    nodes = _interior_graph()
    root = nodes[-1]
    steps: list[tuple[Value, float, tuple[float, ...]]] = []
    backprop(root, visit=lambda *step: steps.append(step))
    assert all(v.grad == 0.0 for v in topological_order(root))  # a visitor leaves .grad alone
    order = topological_order(root)
    assert [node for node, _, _ in steps] == order[::-1]
    root.backward()
    assert {node: g for node, g, _ in steps} == {v: v.grad for v in order}


# --- the one gradient walk: gradients(), and backward's fast path ------------------------------
@given(expression_graphs())
def test_gradients_lists_every_node_in_reverse_topological_order_touching_no_grad(
        graph: Graph) -> None:
    root = graph.build(*(Value(x) for x in graph.xs))
    found = gradients(root)
    assert list(found) == topological_order(root)[::-1]
    assert all(v.grad == 0.0 for v in found)


@given(expression_graphs())
def test_backward_adds_exactly_what_gradients_gives_to_every_node(graph: Graph) -> None:
    # backward writes into .grad as it walks (its fast path); gradients builds a dict: the
    # two must agree to the last bit, interior nodes included, seeds too.
    root = graph.build(*(Value(x) for x in graph.xs))
    found = gradients(root, -0.75)
    root.backward(-0.75)
    assert {v: v.grad for v in found} == found
    assert all(type(g) is float for g in found.values())


def test_gradients_accumulate_contributions_in_the_documented_order() -> None:
    # a feeds b twice (x then y of the product) and the root once: its gradient is the sum
    # 0.0 + (root's edge) + (b's x edge) + (b's y edge), added in the walk's order.
    a = Value(0.1, label="a")
    b = a * a
    root = b + a
    got = gradients(root)[a]
    assert got == ((0.0 + 1.0 * 1.0) + 0.1 * 1.0) + 0.1 * 1.0


def test_gradients_with_create_graph_are_values_differentiable_again() -> None:
    x = Value(3.0)
    found = gradients(x ** 3, create_graph=True)
    dx = found[x]
    assert isinstance(dx, Value) and dx.data == 27.0
    assert gradients(dx)[x] == 18.0
    assert x.grad == 0.0


def test_local_derivatives_are_the_rows_partials() -> None:
    x, y = Value(3.0), Value(-2.0)
    assert local_derivatives(x * y) == (-2.0, 3.0)
    assert local_derivatives(x.tanh()) == (1.0 - math.tanh(3.0) ** 2,)
    assert local_derivatives(x) == ()
    (d,) = local_derivatives(x * x * x, create_graph=True)[:1]
    assert isinstance(d, Value)


def test_a_partial_that_fails_on_values_says_so_without_blaming_the_data() -> None:
    # atan's textbook partial 1 / (1 + x·x) is fine on floats at x = 1e200 (x·x is inf, the
    # partial 0), but on Values x·x is a node that overflows: the message says where, and
    # no data changed.
    # (A test row: its forward does not matter here, only that partial.)
    naive = Rule("naive", "x", "x", "x", ("1.0 / (1.0 + x * x)",), ("1 / (1 + x²)",), "f")
    x = Value(1e200)
    y = apply(naive, x)
    y.backward()
    assert x.grad == 0.0
    with pytest.raises(OverflowError) as caught:
        y.backward(create_graph=True)
    text = str(caught.value)
    assert text.startswith("backward: the local derivative of ")
    assert "cannot be computed on Values (create_graph=True): *: the result overflows" in text
    assert "changed" not in text


# --- topological order -------------------------------------------------------------------------
@given(expression_graphs())
def test_topological_order_puts_every_node_after_its_inputs(graph: Graph) -> None:
    leaves = [Value(x) for x in graph.xs]
    root = graph.build(*leaves)
    order = topological_order(root)
    position = {v: k for k, v in enumerate(order)}
    assert len(position) == len(order), "a node appears twice"
    assert order[-1] is root
    for v in order:
        for inp in v.inputs:
            assert position[inp] < position[v]
    # Exactly the nodes reachable from the root.
    reachable, stack = {root}, [root]
    while stack:
        for inp in stack.pop().inputs:
            if inp not in reachable:
                reachable.add(inp)
                stack.append(inp)
    assert set(order) == reachable


def test_topological_order_of_a_leaf_is_the_leaf() -> None:
    a = Value(1.0)
    assert topological_order(a) == [a]


# --- random graphs: every leaf against central differences -----------------------------------
@given(expression_graphs())
def test_random_graphs_backward_matches_central_differences(graph: Graph) -> None:
    leaves = [Value(x) for x in graph.xs]
    y = graph.build(*leaves)
    y.backward()
    for i, leaf in enumerate(leaves):

        def f(t: float, i: int = i) -> float:
            return graph.value_at([*graph.xs[:i], t, *graph.xs[i + 1:]])

        numeric, size = central_difference(f, graph.xs[i])
        note(f"leaf {i}: backward {leaf.grad!r}, central difference {numeric!r}")
        assert fd_agrees(leaf.grad, numeric, size, rtol=1e-4, atol=1e-6)


@given(expression_graphs())
def test_random_graphs_second_backward_doubles_every_grad(graph: Graph) -> None:
    leaves = [Value(x) for x in graph.xs]
    y = graph.build(*leaves)
    y.backward()
    nodes = topological_order(y)
    first = [v.grad for v in nodes]
    y.backward()
    assert [v.grad for v in nodes] == [2 * g for g in first]


# --- depth -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_million_node_chain_backpropagates_without_recursion() -> None:
    x = Value(1.0)
    y = x
    for _ in range(500_000):  # two nodes per step: 1,000,000 operations
        y = y * 1.000001 + 0.000001
    order = topological_order(y)
    assert len(order) == 1_000_001
    y.backward()
    # y = (x + 1)·1.000001ⁿ − 1, so dy/dx = 1.000001ⁿ.
    assert x.grad == pytest.approx(1.000001**500_000, rel=1e-9)
    del order, x, y
    gc.collect()  # freeing the chain must not overflow the C stack either


# --- no_grad and detach ------------------------------------------------------------------------
def test_no_grad_makes_leaves() -> None:
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 3 + x.tanh()
        z = y**2
    assert is_grad_enabled()
    for v in (y, z):
        assert v.inputs == () and v.op == "" and v.rule is None and v.param is None
    assert z.data == pytest.approx((6.0 + math.tanh(2.0)) ** 2, rel=1e-15)
    z.backward()
    assert x.grad == 0.0


def test_no_grad_nests_and_restores() -> None:
    x = Value(1.0)
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
        assert (x + 1).inputs == ()
    assert is_grad_enabled()
    assert (x + 1).inputs == (x,)


def test_no_grad_restores_after_an_exception() -> None:
    x = Value(0.0)
    with pytest.raises(ValueError, match="log"), no_grad():
        x.log()
    assert is_grad_enabled()
    assert (x + 1).inputs == (x,)


def test_one_no_grad_object_can_be_entered_again_and_nested_as_in_pytorch() -> None:
    x = Value(1.0)
    off, on = no_grad(), enable_grad()
    for _ in range(2):
        with off:
            assert (x + 1).inputs == ()
            with on:
                assert (x + 1).inputs == (x,)
                with off:   # the same object, inside itself
                    assert not is_grad_enabled()
                assert is_grad_enabled()
            assert not is_grad_enabled()
        assert is_grad_enabled()


def test_no_grad_and_enable_grad_decorate_functions() -> None:
    x = Value(2.0)

    @no_grad()
    def frozen(v: Value) -> Value:
        return v * 3

    @enable_grad()
    def recorded(v: Value) -> Value:
        return v * 3

    assert frozen(x).inputs == () and frozen.__name__ == "frozen"
    with no_grad():
        assert recorded(x).inputs == (x,)
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_operations_after_no_grad_record_again() -> None:
    x = Value(3.0)
    with no_grad():
        frozen = x * 2
    y = frozen * x
    y.backward()
    assert x.grad == 6.0  # only the direct path: frozen is a leaf
    assert frozen.grad == 3.0


def test_detach_cuts_the_graph() -> None:
    x = Value(2.0, label="x")
    h = x * x
    d = h.detach()
    assert d is not h
    assert (d.data, d.label, d.inputs, d.op, d.grad) == (4.0, h.label, (), "", 0.0)
    y = d * x
    y.backward()
    assert x.grad == 4.0  # through the direct edge only, not through h
    assert h.grad == 0.0


def test_detach_keeps_the_label() -> None:
    x = Value(2.0, label="weight")
    assert x.detach().label == "weight"


# --- identity semantics -------------------------------------------------------------------------
def test_values_hash_and_compare_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b
    assert (a == b) is False and (a == a.detach()) is False
    assert len({a, b}) == 2
    grads = {a: "a", b: "b"}
    assert grads[a] == "a" and grads[b] == "b"
    a.data = 7.0  # mutating data does not move a Value in a set or dict
    assert a in grads and a in {a}
