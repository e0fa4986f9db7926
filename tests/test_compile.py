"""engine.compile: the generated code gives the engine's numbers to the last bit, or hands over.

Every comparison is by the bits of the floats (``float.hex``), never by a tolerance: the
loss, and the gradient of every leaf, after the compiled step and after
``fn(*inputs).backward()`` on the same numbers.
"""

from __future__ import annotations

import gc
import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import CASES, Case, Graph, expression_graphs

import engine
import nn
from engine import CompileError, Value, no_grad


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
def test_random_graphs_of_value_inputs(graph: Graph, new: list[float]) -> None:
    first = [Value(x) for x in graph.xs]
    second = [Value(x) for x in new[:len(first)]]
    step = engine.compile(graph.build, *first)
    for leaves in (first, second):
        assert compiled_run(step, leaves, leaves) == engine_run(graph.build, leaves, leaves)


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
    assert "def T0_fwd" in step.source  # the samples ran as one loop


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_cross_entropy_recomputes_its_max_shift(activation: str) -> None:
    rng = random.Random(1)
    model = nn.MLP(4, [8, 3], activation=activation, seed=0)
    labels = [rng.randrange(3) for _ in range(6)]
    batches = [[[rng.uniform(-3, 3) for _ in range(4)] for _ in labels] for _ in range(4)]

    def fn(xs: Any) -> Value:
        return nn.cross_entropy([model(x) for x in xs], labels)

    step = same(fn, [[b] for b in batches], model.parameters())
    assert step.retraces == 0 and "max(" in step.source
    # the per-sample log-sum-exps run as templates in loops, not unrolled
    assert step.source.count("def T") >= 2


def test_blocks_of_one_sample_that_add_into_the_same_gradients() -> None:
    # MLP(8, [6, 3]) under cross-entropy: the output neurons of one sample are repeated
    # blocks that all add into the gradients of the same hidden values; one loop over them
    # would add into separate copies.
    rng = random.Random(1)
    model = nn.MLP(8, [6, 3], seed=0)
    xs = [[rng.uniform(-1, 1) for _ in range(8)] for _ in range(6)]

    def fn(xs: Any) -> Value:
        return nn.cross_entropy([model(x) for x in xs], [i % 3 for i in range(6)])

    step = same(fn, [[xs]], model.parameters())
    assert step.source.count("def T") >= 2 and step.check(xs)


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


def test_the_moons_step_is_one_loop_over_its_samples() -> None:
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
    assert step.source.count("def T") == 2  # one template: its forward and its backward


# --- honest limits ---------------------------------------------------------------------------

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
        return (z - shift) * k + z.detach() * z + math.exp(z.data) * z

    same(fn, [(1.0,), (2.0,), (-0.5,)], [w])


def test_a_different_input_structure_traces_again() -> None:
    w = Value(2.0)

    def fn(xs: Any) -> Value:
        return sum((w * x for x in xs), Value(0.0))

    step = same(fn, [([1.0, 2.0],), ([1.0, 2.0, 3.0],), ([4.0],), ([1.0, 2.0],)], [w])
    assert step.retraces == 2


def test_a_replaced_parameter_is_reported_by_check() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    step = engine.compile(lambda x: model(x) * 1.0, [1.0, 2.0])
    assert step.check([1.0, 2.0]) is True
    model.layers[0].neurons[0].b = Value(0.5)   # a new object: the trace cannot see it
    with pytest.raises(CompileError, match="replaced"):
        step.check([1.0, 2.0])


def test_a_replaced_parameter_traces_again() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    fn = lambda x: model(x) * 1.0
    step = engine.compile(fn, [1.0, 2.0])
    step([1.0, 2.0])
    model.layers[0].neurons[1].w[0] = Value(0.25)   # the old object is dropped by the model
    params = model.parameters()
    assert compiled_run(step, [[0.5, 2.0]], params) == engine_run(fn, [[0.5, 2.0]], params)
    assert step.retraces == 1


def test_garbage_cycles_left_by_the_trace_do_not_make_it_trace_again() -> None:
    # A reference cycle that fn leaves behind holds a parameter until the collector runs;
    # were it counted as one of the parameter's holders at the first call, the collector
    # freeing it later would look like a replaced parameter, and the step would trace again.
    w = Value(0.5)

    def fn(x: float) -> Value:
        box: list[Any] = [w]
        box.append(box)
        return w * x

    step = engine.compile(fn, 2.0)
    step(2.0)
    gc.collect()
    assert step(3.0) == 1.5 and step.retraces == 0


def test_no_grad_inside_fn_runs_the_normal_engine() -> None:
    w = Value(1.5)

    def fn(x: float) -> Value:
        with no_grad():
            scale = w * 2.0
        return w * x * scale

    step = same(fn, [(1.0,), (2.0,)], [w])
    assert "no_grad" in step.reason and step.fallbacks == 2


def test_a_graph_grad_falls_back_to_the_engine() -> None:
    w = Value(1.5)
    step = engine.compile(lambda x: w * w * x, 2.0)
    (w * w).backward(create_graph=True)          # w.grad is now a Value
    assert isinstance(w.grad, Value)
    step(2.0)
    assert step.fallbacks == 1 and isinstance(w.grad, Value)


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


def test_numpy_numbers_are_numbers() -> None:
    np = pytest.importorskip("numpy")
    w = Value(2.0)
    step = same(lambda x, xs: w * x + w * xs[1], [(np.float64(1.5), np.array([1.0, 2.0])),
                                                 (np.float32(0.5), [3.0, 4.0])], [w])
    assert step.retraces == 0


def test_fn_must_be_callable_and_return_a_value() -> None:
    with pytest.raises(TypeError, match="callable"):
        engine.compile(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must return a Value"):
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
    import sys

    monkeypatch.setattr(sys.modules["engine.compile"], "MAX_LINES", 10)
    w = Value(0.5)

    def fn(x: float) -> Value:
        y = w * x
        for k in range(20):
            y = (y * 0.9 + k).tanh()
        return y

    step = same(fn, [(1.0,), (2.0,)], [w])
    assert "repetition" in step.reason and step.fallbacks == 2


# --- repeated blocks that differ from the first one ------------------------------------------

@pytest.mark.parametrize("odd", ["", "inputs swapped", "another local read",
                                 "one parameter for two", "two parameters for one",
                                 "one input for two", "an input computed on",
                                 "made in another order"])
def test_a_block_of_the_same_size_and_row_that_differs_keeps_its_own_code(odd: str) -> None:
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
    loops = [line.count("(i") for line in step.source.splitlines()
             if line.startswith("    rows = ")]   # the samples run by each loop
    assert (6 in loops) == (odd == "")


def test_a_sample_behind_a_shut_relu_keeps_nothing_for_a_backward_pass() -> None:
    # Each sample ends in a relu: where it is shut the sample has no backward pass, and the
    # code keeps none of its values; where it is open, everything flows as in the engine.
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
    assert "else None)" in step.source and "if kept is None:" in step.source
    assert step.retraces == 0 and step.fallbacks == 0


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
