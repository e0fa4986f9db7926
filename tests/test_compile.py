"""engine.compile: the generated code gives the engine's numbers to the last bit, or hands over.

Every comparison is by the bits of the floats (``float.hex``), never by a tolerance: the
loss, and the gradient of every leaf, after the compiled step and after
``fn(*inputs).backward()`` on the same numbers. Each defect of issue 22 has a test here
(named after what it checks); the stages of the compiler are tested against the reference
interpreter in ``test_compile_passes.py``, and random programs in
``test_compile_property.py``.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import CASES, Case, Graph, expression_graphs

import engine
import nn
from engine import CompileError, Value, floats, no_grad
from engine.compile import CompileWarning
from engine.compile.ir import Loop


def examples(n: int) -> int:
    """``n`` examples under the ``ci`` profile (30 a test), scaled for the loaded one: more
    under ``dev``, a few under ``quick`` (tests/conftest.py)."""
    return max(1, n * settings.default.max_examples // 30)


def bits(x: Any) -> str:
    return float(x).hex()


def engine_run(fn: Callable[..., Value], args: Sequence[Any], leaves: Sequence[Value]) -> Any:
    """(loss, grads) of the normal engine from zero grads, or the exception it raised."""
    for v in leaves:
        v.grad = 0.0
    try:
        out = fn(*args)
        out.backward()
    except Exception as err:
        return type(err), str(err)
    return [bits(out.data), *(bits(v.grad) for v in leaves)]


def compiled_run(step: Any, args: Sequence[Any], leaves: Sequence[Value]) -> Any:
    for v in leaves:
        v.grad = 0.0
    try:
        loss = step(*args)
    except Exception as err:
        return type(err), str(err)
    return [bits(loss), *(bits(v.grad) for v in leaves)]


def same(fn: Callable[..., Value], calls: Sequence[Sequence[Any]], leaves: Sequence[Value],
         example: Sequence[Any] | None = None) -> Any:
    """Compile ``fn`` and assert it agrees with the engine on every call; the step."""
    step = engine.compile(fn, *(calls[0] if example is None else example))
    for args in calls:
        want = engine_run(fn, args, leaves)
        got = compiled_run(step, args, leaves)
        assert got == want, f"{args}: compiled {got}, engine {want}"
    return step


def loops(step: Any, sizes: bool = False) -> list[Any]:
    """How many instances each loop of the step's program has (and how many nodes its
    block holds)."""
    found = [(len(item.rows), sum(e.is_node for e in item.body))
             for item in step.versions()[0].rolled.eqns if isinstance(item, Loop)]
    return found if sizes else [n for n, _ in found]


# --- random graphs over every row, and each row alone -----------------------------------------

@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.too_slow])
@given(expression_graphs(), st.lists(st.floats(-2.0, 2.0), min_size=4, max_size=4))
def test_random_graphs_equal_the_engine_bit_for_bit(graph: Graph, new: list[float]) -> None:
    leaves = [Value(x) for x in graph.xs]
    step = engine.compile(lambda: graph.build(*leaves))
    for data in (graph.xs, new[:len(leaves)]):
        for v, x in zip(leaves, data):
            v.data = x
        assert compiled_run(step, (), leaves) == engine_run(
            lambda: graph.build(*leaves), (), leaves)


@settings(max_examples=examples(25), suppress_health_check=[HealthCheck.too_slow])
@given(expression_graphs(), st.lists(st.floats(-2.0, 2.0), min_size=4, max_size=4))
def test_value_inputs_run_the_generated_code(graph: Graph, new: list[float]) -> None:
    first = [Value(x) for x in graph.xs]
    second = [Value(x) for x in new[:len(first)]]
    step = engine.compile(graph.build, *first)
    for leaves in (first, second):
        assert compiled_run(step, leaves, leaves) == engine_run(graph.build, leaves, leaves)
    assert step.fallbacks == 0 and step.retraces == 0 and step.check(*second)


def _row_fn(case: Case, leaves: list[Value]) -> Callable[..., Value]:
    return lambda *consts: case.call(*leaves, *consts)


@pytest.mark.parametrize("case", CASES, ids=repr)
@settings(max_examples=examples(30), suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_row_compiles_to_itself(case: Case, data: st.DataObject) -> None:
    """The code a row emits equals the row, at random points, at its kinks and at ±0."""
    first = data.draw(case.domain)
    leaves = [Value(a) for a in first[:case.arity]]
    fn = _row_fn(case, leaves)
    try:
        step = engine.compile(fn, *first[case.arity:])
    except (ArithmeticError, ValueError) as err:   # the engine refuses this point itself
        assert engine_run(fn, first[case.arity:], leaves) == (type(err), str(err))
        return
    points = [data.draw(case.domain) for _ in range(3)]
    points += [(k, *first[1:]) for k in case.kinks] + [(-0.0, *first[1:]), (0.0, *first[1:])]
    for args in points:
        for v, a in zip(leaves, args):
            v.data = a
        consts = args[case.arity:]
        assert compiled_run(step, consts, leaves) == engine_run(fn, consts, leaves), args


# --- the defects of issue 22, one by one ------------------------------------------------------

def test_twin_nodes_do_not_double_a_gradient() -> None:
    # (1/w)·(1/w): two equal sub-computations, each its own node with its own gradient.
    w = Value(1.8228)

    def fn(a: float) -> Value:
        v = ((w ** -1) * (w ** -1) + 0.5).log() - Value(a)
        return v.tanh() * v

    step = same(fn, [(0.3,), (-0.596,), (1.25,)], [w])
    assert step.fallbacks == 0 and step.check(-0.596)


def test_twin_blocks_of_one_sample_each_keep_their_gradient() -> None:
    # The same layer expression written twice per sample: twin blocks, rolled or not.
    w = [Value(0.3 * k - 0.5) for k in range(4)]

    def fn(xs: list[float]) -> Value:
        total = Value(0.0)
        for x in xs:
            a = ((w[0] * x + w[1]).tanh() * w[2] + w[3]).tanh()
            b = ((w[0] * x + w[1]).tanh() * w[2] + w[3]).tanh()
            total = total + a * b
        return total

    same(fn, [([0.5, -1.0, 2.0, 0.25],), ([1.0, 1.5, -0.5, 0.0],)], w)


def test_a_value_input_runs_the_code_and_fn_may_wrap_numbers_itself() -> None:
    w = Value(2.0)
    step = same(lambda v: (w * v).tanh() * v, [(Value(3.0),), (Value(-1.5),)], [w])
    assert step.fallbacks == 0 and step.retraces == 0 and step.check(Value(3.0))
    wrapped = same(lambda a: (w * Value(a)).tanh(), [(0.5,), (1.5,)], [w])
    assert wrapped.fallbacks == 0 and wrapped.check(0.75) is True   # no "replaced parameter"


def test_a_constant_equal_to_an_input_is_a_constant() -> None:
    w = Value(1.5)
    # 2.0 written in fn, and an input that happens to be 2.0: not one number
    step = same(lambda t: (w * 2.0) * (w * t), [(2.0,), (3.0,), (-1.0,)], [w])
    assert step.retraces == 0 and step.fallbacks == 0


def test_a_number_turned_into_a_plain_float_holds_for_that_number_only() -> None:
    w = Value(1.5)

    def fn(t: float) -> Value:
        t = float(t)              # the trace cannot follow t past this
        return (w * 2.0) * (w * (t * 1.0))

    with pytest.warns(CompileWarning, match=r"float\(\) at test_compile.py"):
        step = engine.compile(fn, 2.0)
    for t in (2.0, 3.0, -1.0, 2.0):
        assert compiled_run(step, [t], [w]) == engine_run(fn, [t], [w])
    assert step.retraces == 2   # 3.0 and -1.0 traced again; 2.0 found its trace


@pytest.mark.parametrize("use", ["isinstance", "modulo", "is_integer", "trunc", "round",
                                 "hash", "format", "int index"])
def test_a_traced_number_answers_as_a_float_and_decisions_on_it_are_guarded(use: str) -> None:
    w = Value(3.0)

    def fn(x: float) -> Value:
        d = w.data * x
        if use == "isinstance":
            big = isinstance(d, float) and d > 10
        elif use == "modulo":
            big = d % 2.0 > 1.0
        elif use == "is_integer":
            big = d.is_integer()
        elif use == "trunc":
            big = math.trunc(d) % 2 == 1
        elif use == "round":
            big = round(d) > 7
        elif use == "hash":
            big = {d: True}.get(9.0, False)
        elif use == "format":
            big = f"{d:.1f}".startswith("9")
        else:
            big = [False, True, False, True][int(x) % 4]
        return w * w * (3.0 if big else 1.5) * x

    calls = [(3.0,), (4.0,), (2.5,), (1.0,), (3.0,)]
    # Text made from a number holds for that number only (and says so).
    with pytest.warns(CompileWarning) if use == "format" else nullcontext():
        step = same(fn, calls, [w])
    assert step.fallbacks == 0


def test_isinstance_float_of_data_is_true_while_traced() -> None:
    w = Value(3.0)
    seen = []

    def fn(x: float) -> Value:
        seen.append(isinstance(w.data, float) and isinstance(x, float))
        return w * (3.0 if isinstance(w.data, float) else 4.5) * x

    step = same(fn, [(1.0,), (2.0,)], [w])
    assert seen[0] is True and step(1.0) == 9.0


@pytest.mark.parametrize("n", [201, 1000])
def test_a_long_sum_of_numbers_compiles(n: int) -> None:
    w = Value(0.5)

    def fn(xs: list[float]) -> Value:
        preds = [w * x for x in xs]
        mean = sum(p.data for p in preds) / n      # a number computed from the graph
        return sum((p - mean) * (p - mean) for p in preds) * (1.0 / n)

    rng = random.Random(n)
    calls = [([rng.uniform(-1, 1) for _ in range(n)],) for _ in range(2)]
    step = same(fn, calls, [w])
    assert step.fallbacks == 0 and step.retraces == 0


def test_ten_thousand_samples_compile_into_a_loop() -> None:
    w, b = Value(0.5), Value(-0.25)
    n = 10_000

    def fn(xs: list[float]) -> Value:
        return sum(((w * x + b).tanh() - 0.5) ** 2 for x in xs) * (1.0 / n)

    rng = random.Random(0)
    xs = [rng.uniform(-2, 2) for _ in range(n)]
    step = same(fn, [(xs,), ([x * 0.5 for x in xs],)], [w, b])
    assert step.fallbacks == 0 and loops(step) == [n]


def test_fit_compiled_with_int_labels_traces_once_per_batch_size() -> None:
    rng = random.Random(5)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(40)]
    y = [int(a * b > 0) for a, b in X]   # scikit-learn style 0/1 labels
    runs = []
    for compiled in (False, True):
        model = nn.MLP(2, [6, 1], activation="tanh", seed=2)
        history = nn.fit(model, X, y, nn.mse_loss, nn.SGD(model.parameters(), lr=0.1),
                         epochs=3, batch_size=16, seed=0, progress=False, compile=compiled)
        runs.append((history["loss"], [bits(p.data) for p in model.parameters()]))
    assert [bits(v) for v in runs[0][0]] == [bits(v) for v in runs[1][0]]
    assert runs[0][1] == runs[1][1]


def test_int_labels_are_data_for_a_compiled_loss() -> None:
    model = nn.MLP(2, [4, 1], activation="tanh", seed=1)

    def fn(xs: list[list[float]], ys: list[int]) -> Value:
        return nn.mse_loss([model(x) for x in xs], ys)

    rng = random.Random(3)
    calls = [([[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(16)],
              [rng.randrange(2) for _ in range(16)]) for _ in range(4)]
    step = same(fn, calls, model.parameters())
    assert step.retraces == 0 and step.fallbacks == 0


# --- the nn models and every loss ------------------------------------------------------------

LOSSES = {
    "mse": (nn.mse_loss, lambda r: r.uniform(-1, 1), False),
    "bce": (nn.binary_cross_entropy, lambda r: float(r.randrange(2)), True),
    "bce_logits": (nn.binary_cross_entropy_with_logits, lambda r: float(r.randrange(2)), False),
    "hinge": (nn.hinge_loss, lambda r: r.choice([1.0, -1.0]), False),
}


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_models_and_losses_over_training_steps(activation: str, loss: str) -> None:
    rng = random.Random(7)
    fn_loss, target, squash = LOSSES[loss]
    model = nn.MLP(3, [6, 5, 1], activation=activation, seed=3)
    X = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(8)]
    T = [target(rng) for _ in X]

    def fn(xs: Any) -> Value:
        preds = [model(x) for x in xs]
        return fn_loss([p.sigmoid() for p in preds] if squash else preds, T)

    step = engine.compile(fn, X)
    params = model.parameters()
    for _ in range(4):  # new parameters and new inputs each step
        X = [[x + rng.uniform(-0.5, 0.5) for x in row] for row in X]
        assert compiled_run(step, [X], params) == engine_run(fn, [X], params)
        with no_grad():
            for p in params:
                p.data -= 0.3 * p.grad
    assert step.fallbacks == 0 and step.check(X)
    if loss in ("mse", "hinge"):
        assert 8 in loops(step)   # the samples ran as one loop


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_cross_entropy_recomputes_its_max_shift(activation: str) -> None:
    rng = random.Random(1)
    model = nn.MLP(4, [8, 3], activation=activation, seed=0)
    labels = [rng.randrange(3) for _ in range(6)]
    batches = [[[rng.uniform(-3, 3) for _ in range(4)] for _ in labels] for _ in range(4)]

    def fn(xs: Any) -> Value:
        return nn.cross_entropy([model(x) for x in xs], labels)

    step = same(fn, [[b] for b in batches], model.parameters())
    assert step.retraces == 0 and step.fallbacks == 0 and "max " in step.ir


def test_data_held_as_constants_without_inputs() -> None:
    model = nn.MLP(2, [4, 1], seed=2)
    X, y = [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.9]], [1.0, -1.0, 1.0]

    def fn() -> Value:
        return nn.hinge_loss([model(x) for x in X], y) + 1e-3 * sum(p * p for p in
                                                                     model.parameters())

    step = same(fn, [()], model.parameters())
    for p in model.parameters():   # parameters are read at every call
        p.data += 0.1
    assert compiled_run(step, (), model.parameters()) == engine_run(fn, (), model.parameters())


def test_the_moons_step_is_one_fused_loop_over_its_samples() -> None:
    rng = random.Random(0)
    model = nn.MLP(2, [16, 16, 1], seed=1)
    X = [[rng.uniform(-1, 2), rng.uniform(-1, 1)] for _ in range(20)]
    y = [rng.choice([1.0, -1.0]) for _ in X]

    def fn() -> Value:
        scores = [model(x) for x in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in
                                                                model.parameters())

    step = same(fn, [()], model.parameters())
    assert loops(step) == [20]
    assert "TAPE" not in step.source   # forward and backward of a sample in one iteration


# --- what the trace sees -------------------------------------------------------------------------

def test_control_flow_on_data_is_guarded_and_retraced() -> None:
    w = Value(1.0)

    def fn(x: float) -> Value:
        y = w * x
        return y * y if y.data > 0 else -y   # a branch on the number

    step = same(fn, [(2.0,), (3.0,), (-1.0,), (4.0,), (-5.0,)], [w])
    assert step.retraces == 1   # each branch traced once, then both kept


def test_comparisons_between_values_are_guarded() -> None:
    a, b = Value(1.0), Value(2.0)

    def fn(s: float) -> Value:
        x, y = a * s, b * s
        return max(x, y) * 3.0   # max compares Values

    same(fn, [(1.0,), (2.0,), (-1.0,), (-3.0,)], [a, b])


def test_values_made_inside_fn_follow_their_numbers() -> None:
    w = Value(0.5)

    def fn(x: float) -> Value:
        z = w * x
        shift = Value(z.data * 2.0)          # a number read from the graph
        k = Value(3.0)                        # a constant
        return (z - shift) * k + z.detach() * z + floats.exp(z.data) * z

    step = same(fn, [(1.0,), (2.0,), (-0.5,)], [w])
    assert step.retraces == 0


def test_math_on_a_traced_number_holds_for_that_number_with_a_warning() -> None:
    w = Value(0.5)

    def fn(x: float) -> Value:
        z = w * x
        return math.exp(z.data) * z      # C code: the trace cannot follow exp

    with pytest.warns(CompileWarning, match="cannot follow it"):
        step = same(fn, [(1.0,), (2.0,), (1.0,)], [w])
    assert step.retraces == 1


def test_a_different_input_structure_traces_again() -> None:
    w = Value(2.0)

    def fn(xs: Any) -> Value:
        return sum((w * x for x in xs), Value(0.0))

    step = same(fn, [([1.0, 2.0],), ([1.0, 2.0, 3.0],), ([4.0],), ([1.0, 2.0],)], [w])
    assert step.retraces == 2


def test_no_grad_inside_fn_is_compiled() -> None:
    w = Value(1.5)

    def fn(x: float) -> Value:
        with no_grad():
            scale = w * 2.0          # a leaf of the graph, computed from w all the same
        return w * x * scale

    step = same(fn, [(1.0,), (2.0,)], [w])
    assert step.fallbacks == 0 and step.retraces == 0


def test_a_row_made_at_run_time_is_compiled_through_its_functions() -> None:
    from engine import apply, ops

    cube = ops.Rule("cube", "x", "x³", "x * x * x", ("3.0 * x * x",), ("3·x²",), "³")
    w = Value(1.5)
    step = same(lambda x: apply(cube, w) * x, [(2.0,), (-1.0,)], [w])
    assert step.fallbacks == 0 and step(2.0) == 6.75


def test_a_graph_grad_falls_back_to_the_engine() -> None:
    w = Value(1.5)
    step = engine.compile(lambda x: w * w * x, 2.0)
    (w * w).backward(create_graph=True)          # w.grad is now a Value
    assert isinstance(w.grad, Value)
    step(2.0)
    assert step.fallbacks == 1 and isinstance(w.grad, Value)


# --- parameters, by identity ---------------------------------------------------------------------

def test_a_parameter_replaced_in_a_model_traces_again_however_many_hold_the_old_one() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    fn = lambda x: model(x) * 1.0
    step = engine.compile(fn, [1.0, 2.0])
    other = engine.compile(lambda x: model(x) * 2.0, [1.0, 2.0])   # holds the old bias too
    old_bias = model.layers[1].neurons[0].b                          # and so does a variable
    step([1.0, 2.0])
    model.layers[1].neurons[0].b = Value(3.0)
    opt = nn.SGD(model.parameters(), lr=0.1)      # an optimizer made after compile
    params = model.parameters()
    assert compiled_run(step, [[0.5, 2.0]], params) == engine_run(fn, [[0.5, 2.0]], params)
    assert step.retraces == 1 and old_bias is not params[-1] and other.retraces == 0
    assert len(opt.params) == 13


def test_a_weight_replaced_in_a_models_list_traces_again() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    fn = lambda x: model(x) * 1.0
    step = engine.compile(fn, [1.0, 2.0])
    model.layers[0].neurons[1].w[0] = Value(0.25)
    params = model.parameters()
    assert compiled_run(step, [[0.5, 2.0]], params) == engine_run(fn, [[0.5, 2.0]], params)
    assert step.retraces == 1


def test_a_parameter_replaced_in_an_object_fn_names_traces_again() -> None:
    class Box:
        w: Value

    box = Box()
    box.w = Value(1.0)
    opt = nn.SGD([box.w], lr=0.1)   # holds the old object
    step = engine.compile(lambda x: box.w * x, 2.0)
    box.w = Value(3.0)
    assert step(2.0) == 6.0 and box.w.grad == 2.0 and step.retraces == 1
    assert opt.params[0].grad == 0.0


def test_a_global_rebound_traces_again() -> None:
    namespace: dict[str, Any] = {"w": Value(1.0)}
    exec("def fn(x):\n    return w * x\n", namespace)
    step = engine.compile(namespace["fn"], 2.0)
    namespace["w"] = Value(4.0)
    assert step(2.0) == 8.0 and step.retraces == 1


def test_a_parameter_replaced_where_the_step_cannot_see_it_is_found_by_check() -> None:
    store = {"w": Value(1.0)}

    def weight() -> Value:      # fn reaches the parameter through a function it calls
        return store["w"]

    step = engine.compile(lambda x: weight() * x, 2.0)
    assert step.check(2.0) is True
    store["w"] = Value(5.0)
    with pytest.raises(CompileError, match="not of the trace"):
        step.check(2.0)


# --- errors: the engine's own --------------------------------------------------------------

@pytest.mark.parametrize("fn, good, bad", [
    (lambda w, x: (w * x).log(), 1.0, -1.0),
    (lambda w, x: w / (x - 1.0), 2.0, 1.0),
    (lambda w, x: (w * x).exp(), 1.0, 800.0),
    (lambda w, x: (w * x) ** 0.5, 1.0, -4.0),
    (lambda w, x: w * x * 1e300 * 1e10, 1e-20, 1.0),
    (lambda w, x: (w * x).sqrt() * 0.0, 1.0, 0.0),      # the derivative at 0
    (lambda w, x: (w * x * 1e200).sigmoid(), 1e-200, 1e200),  # inf hidden by a squash
    (lambda w, x: (w * x * -1e200).relu() + 1.0, 1e-200, 1e200),   # -inf dropped by relu
    (lambda w, x: (w * x * 1e200 - w * x * 1e200).relu(), 1e-200, 1e200),  # nan dropped
    (lambda w, x: (w * x * 1e200).relu() * 0.0, 1e-200, 1e200),    # inf passed on
    (lambda w, x: w * 3.0 + (w * x).exp() * 0.0, 1.0, 800.0),      # a node read by no one
])
def test_errors_are_the_engines(fn: Callable[[Value, float], Value], good: float,
                                bad: float) -> None:
    w = Value(1.0)
    step = engine.compile(lambda x: fn(w, x), good)
    want = engine_run(lambda x: fn(w, x), [bad], [w])
    assert isinstance(want, tuple)  # the engine refuses these numbers
    assert compiled_run(step, [bad], [w]) == want
    assert compiled_run(step, [good], [w]) == engine_run(lambda x: fn(w, x), [good], [w])


def test_overflowing_grads_raise_as_the_engine_does() -> None:
    w = Value(1.0)
    step = engine.compile(lambda: w * 1e308)
    w.grad = 1e308
    with pytest.raises(ArithmeticError, match="overflow"):
        step()
    assert w.grad == 1e308


# --- hostile inputs -------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [True, "1.0", None, {"x": 1.0}, [1.0, "a"], object()])
def test_wrong_types_are_refused(bad: Any) -> None:
    w = Value(1.0)
    with pytest.raises(TypeError, match="compile: input 0"):
        engine.compile(lambda x: w * 2.0, bad)
    step = engine.compile(lambda x: w * 2.0, 1.0)
    with pytest.raises(TypeError, match="compile: input 0"):
        step(bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, [1.0, -math.inf]])
def test_non_finite_inputs_are_refused(bad: Any) -> None:
    step = engine.compile(lambda x: Value(1.0) * 2.0, 1.0)
    with pytest.raises(ValueError, match="compile: input 0"):
        step(bad)


def test_numpy_numbers_are_numbers_of_their_own_type() -> None:
    np = pytest.importorskip("numpy")
    w = Value(2.0)
    fn = lambda x, xs: w * (x * 0.1) + w * xs[1]
    step = same(fn, [(np.float64(1.5), np.array([1.0, 2.0])),
                     (np.float64(0.5), np.array([3.0, 4.0]))], [w])
    assert step.retraces == 0
    # float32 arithmetic is float32's: a new key, and the engine's numbers
    same(fn, [(np.float32(0.1), np.array([1.0, 2.0]))], [w])


def test_fn_must_be_callable_and_return_a_value() -> None:
    with pytest.raises(TypeError, match="callable"):
        engine.compile(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"must return a Value, got a number \(float\)"):
        engine.compile(lambda x: x * 2.0, 1.0)


def test_inputs_must_be_leaves() -> None:
    w = Value(1.0)
    with pytest.raises(TypeError, match="leaf Value"):
        engine.compile(lambda v: v * 2.0, w * 3.0)


def test_check_returns_true_and_leaves_grads_alone() -> None:
    model = nn.MLP(2, [4, 1], activation="tanh", seed=5)
    step = engine.compile(lambda x: model(x) ** 2, [0.5, 0.5])
    for p in model.parameters():
        p.grad = 0.25
    assert step.check([1.0, -2.0]) is True
    assert all(p.grad == 0.25 for p in model.parameters())


# --- nn.fit(compile=True) ----------------------------------------------------------------

@pytest.mark.parametrize("loss, batch_size", [(nn.mse_loss, None), (nn.mse_loss, 4),
                                              (nn.hinge_loss, 5)])
def test_fit_compiled_trains_exactly_as_fit(loss: Any, batch_size: int | None) -> None:
    rng = random.Random(3)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(10)]
    y = [1.0 if a * b > 0 else -1.0 for a, b in X]
    runs = []
    for compiled in (False, True):
        model = nn.MLP(2, [5, 1], activation="tanh", seed=4)
        opt = nn.Adam(model.parameters(), lr=0.05)
        history = nn.fit(model, X, y, loss, opt, epochs=6, batch_size=batch_size, seed=1,
                         progress=False, compile=compiled)
        runs.append((history["loss"], [bits(p.data) for p in model.parameters()]))
    assert [bits(v) for v in runs[0][0]] == [bits(v) for v in runs[1][0]]
    assert runs[0][1] == runs[1][1]


@pytest.mark.slow
def test_the_benchmark_workload_checks_itself() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import run  # the benchmark runner
    import workloads as W

    X, ys = W.moons_data(12)
    result = run.measure_moons_compiled("stepgrad", run.Sizes(quick=True), (X, ys))
    assert result["equal_after_training"] and result["fallbacks"] == 0
    assert result["compiled"] < result["interpreted"]


def test_a_graph_too_big_to_write_out_runs_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.compile import step as step_module

    monkeypatch.setattr(step_module, "MAX_LINES", 10)
    w = Value(0.5)

    def fn(x: float) -> Value:
        y = w * x
        for k in range(20):
            y = (y * 0.9 + k).tanh()
        return y

    with pytest.warns(CompileWarning, match="repetition"):
        step = same(fn, [(1.0,), (2.0,)], [w])
    assert "repetition" in step.reason and step.fallbacks == 2


# --- repeated blocks that differ from the first one ------------------------------------------

@pytest.mark.parametrize("odd", ["", "inputs swapped", "another local read",
                                 "one parameter for two", "two parameters for one",
                                 "one input for two", "an input computed on",
                                 "made in another order"])
def test_a_block_of_the_same_size_and_row_that_differs_is_no_instance(odd: str) -> None:
    # Six samples of one block of 8 nodes; the fourth is built differently (unless odd is
    # "") but has the same size and root row, so it is a candidate of the same group.
    rng = random.Random(7)
    w = [Value(rng.uniform(-1, 1), label=f"w{i}") for i in range(4)]
    twice = odd == "two parameters for one"   # then the others read w0 twice

    def block(x: list[float], k: int) -> Value:
        this = odd if k == 3 else ""
        p1 = w[0] if twice != (this in ("one parameter for two", "two parameters for one")) \
            else w[1]
        if this == "made in another order":
            b = p1 * x[1]
            a = w[0] * x[0]
        else:
            a = w[0] * (x[0] * 0.5 if this == "an input computed on" else x[0])
            b = p1 * x[0 if this == "one input for two" else 1]
        h = (a + b).tanh()
        inner = a if this == "another local read" else h
        m = w[2] * inner if this == "inputs swapped" else inner * w[2]
        return (m + w[3]).tanh() * h

    def fn(X: list[list[float]]) -> Value:
        total = block(X[0], 0)
        for k, x in enumerate(X[1:], 1):
            total = total + block(x, k)
        return total

    calls = [[[[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(6)]] for _ in range(3)]
    step = same(fn, calls, w)
    assert step.retraces == 0 and step.fallbacks == 0 and step.check(*calls[0])
    # The odd block is no instance of the others' loop; it adds into the parameters' sums
    # between them, so no loop of the five can keep that order of terms either. (The
    # order in which a block's nodes were made is no part of its structure, nor how a
    # number it reads was computed outside it.)
    whole = [n for n, size in loops(step, sizes=True) if size == 8]
    alike = ("", "made in another order", "an input computed on")
    assert whole == ([6] if odd in alike else [])


def test_products_behind_a_shut_relu_are_skipped_but_an_overflow_there_is_not() -> None:
    # h = relu(w·x) is read by two neurons: their products v·h wait on h's test. Shut,
    # h adds nothing to v's sum, and its own gradient is only tested finite by the engine,
    # which the code makes sure of by a bound on the gradients it multiplies.
    w, v, u = Value(1.0), [Value(0.5), Value(-2.0)], [Value(0.75), Value(1.5)]

    def fn(xs: list[float]) -> Value:
        total = Value(0.0)
        for x in xs:
            h = (w * x).relu()
            zs = [(vi * h + 1.0).relu() for vi in v]
            total = total + sum((ui * z for ui, z in zip(u, zs)), Value(0.0))
        return total

    xs = [float(k) - 8.0 for k in range(16)]   # h shut for half of them
    step = same(fn, [(xs,)], [w, *v, *u])
    assert loops(step) == [16] and step.fallbacks == 0 and step.reason == ""
    shut = [-1.0 - k for k in range(16)]
    for big in (1e200, 1e100):   # 1e200²: the shut h's gradient overflows in the engine
        for p in (*v, *u):
            p.data = big
        want = engine_run(fn, (shut,), [w, *v, *u])
        assert compiled_run(step, (shut,), [w, *v, *u]) == want
        assert (want[0] is ArithmeticError) == (big == 1e200)


def test_a_relu_written_inside_the_column_that_reads_it_still_refuses_what_it_drops() -> None:
    # h0, h1 = relu(w·x) feed two neurons, written by column: each relu's line moves into
    # the column's test of it. Its input overflowing to -inf is still the engine's error.
    w = [Value(1.0), Value(-1.0)]
    v = [[Value(0.5), Value(-0.25)], [Value(0.75), Value(1.5)]]
    b = [Value(0.1), Value(-0.2)]

    def fn(xs: list[float]) -> Value:
        total = Value(0.0)
        for x in xs:
            hs = [(wi * x).relu() for wi in w]
            zs = [(bi + vi[0] * hs[0] + vi[1] * hs[1]).relu() for vi, bi in zip(v, b)]
            total = total + (zs[0] + zs[1])
        return total

    leaves = [*w, *v[0], *v[1], *b]
    xs = [float(k) - 8.0 for k in range(16)]
    step = same(fn, [(xs,)], leaves)
    assert loops(step) and " = 0.0 if " in step.source   # (the moved relu line)
    w[0].data = 1e300
    huge = [x * 1e10 for x in xs]   # w0·x overflows: +inf and -inf
    want = engine_run(fn, (huge,), leaves)
    assert compiled_run(step, (huge,), leaves) == want and want[0] is OverflowError


def test_a_leaf_made_in_every_sample_has_its_gradient_tested_as_the_engine_does() -> None:
    w = Value(1.0)

    def fn(xs: list[float]) -> Value:
        total = Value(0.0)
        for x in xs:
            total = total + Value(x) * (w * 1e200) * 1e200   # the leaf's gradient: w·1e400
        return total

    xs = [1e-300 * (k + 1) for k in range(30)]
    step = same(fn, [(xs,)], [w], example=(xs,))
    assert loops(step) == [30] and step.reason == ""
    for big in (1e-200, 1.0):
        w.data = big
        want = engine_run(fn, (xs,), [w])
        assert compiled_run(step, (xs,), [w]) == want and (want[0] is ArithmeticError) == (
            big == 1.0)


def test_a_sample_behind_a_shut_relu_skips_its_backward_pass() -> None:
    w = [Value(0.5), Value(-1.5), Value(0.25)]
    b = [Value(0.1), Value(-0.2), Value(0.3)]

    def fn(xs: list[float]) -> Value:
        total = Value(0.0)
        for x in xs:
            z = ((w[0] * x + b[0]) * w[1] + b[1]) * w[2] + b[2]
            total = total + z.relu()
        return total * 0.5

    batches = [[float(k) - 3.5 for k in range(8)], [2.0] * 8, [-2.0] * 8, [0.0] * 8]
    step = same(fn, [(xs,) for xs in batches], [*w, *b])
    assert step.retraces == 0 and step.fallbacks == 0 and loops(step) == [8]
    shut = [line.split()[1:4] for line in step.source.splitlines()
            if line.strip().startswith("elif ") and line.endswith(": raise Bad")]
    assert shut and all(h == g + ":" for g, _, h in shut)   # the shut gate: only g - g


def test_a_non_finite_gradient_reaching_a_shut_relu_is_the_engines_error() -> None:
    w = Value(1.0)

    def fn(xs: list[float]) -> Value:
        total = Value(0.0)
        for x in xs:
            total = total + ((((w * x + 1.0) * w - 1.0) * w + 0.5) * w).relu()
        return total * 1e308 * 1e308   # 0 forward (every relu shut); inf backward

    step = engine.compile(fn, [-1.0] * 6)
    want = engine_run(fn, ([-1.0] * 6,), [w])
    assert want[0] is ArithmeticError and "inf" in want[1]
    assert compiled_run(step, ([-1.0] * 6,), [w]) == want


def test_warnings_name_what_the_step_could_not_follow() -> None:
    w = Value(2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # an ordinary step warns of nothing
        engine.compile(lambda x: (w * x).tanh(), 1.0)(2.0)
