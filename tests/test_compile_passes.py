"""The compiler's stages, each against the one before it, through the reference interpreter.

For a trace, ``evaluate`` gives the loss and gradients of: the program as traced, rebuilt
as Values (the engine computes them: the trace is checked); the program with its backward
pass (the adjoint pass is checked); the program after the loop pass; and the generated
code runs on the same numbers. All must equal the engine's, bit for bit, and a difference
must be reported by ``step.check`` with the name of the stage that made it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

import engine
import nn
from engine import CompileError, Value, backprop
from engine.compile.evaluate import Retrace, evaluate, expand
from engine.compile.ir import Eqn, Loop, Run, pp


def bits(xs: list[Any]) -> list[str]:
    return [float(x).hex() for x in xs]


def stages(step: Any, inputs: list[Any]) -> dict[str, list[str]]:
    """Every stage's [loss, *grads] for the step's newest trace, and the engine's."""
    version = step.versions()[0]
    params = [v.data for v in version.externals]
    numbers = [x.data if isinstance(x, Value) else x for x in inputs]
    got = {}
    for name, run in [("traced", lambda: evaluate(version.flat, params, numbers, engine=True)),
                      ("adjoint", lambda: evaluate(version.flat, params, numbers)),
                      ("loops", lambda: evaluate(version.rolled, params, numbers)),
                      ("code", lambda: version.run(params, numbers))]:
        loss, grads = run()
        got[name] = bits([loss, *grads])
    return got


def _moons(n: int) -> tuple[Callable[[], Value], list[Value]]:
    rng = random.Random(n)
    model = nn.MLP(2, [8, 8, 1], seed=n)
    X = [[rng.uniform(-1, 2), rng.uniform(-1, 1)] for _ in range(n)]
    y = [rng.choice([1.0, -1.0]) for _ in X]

    def fn() -> Value:
        scores = [model(x) for x in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        return sum(losses) * (1.0 / n) + 1e-4 * sum(p * p for p in model.parameters())

    return fn, model.parameters()


def _cross_entropy(n: int) -> tuple[Callable[[], Value], list[Value]]:
    rng = random.Random(n)
    model = nn.MLP(3, [5, 4], activation="tanh", seed=n)
    X = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(n)]
    labels = [rng.randrange(4) for _ in X]
    return (lambda: nn.cross_entropy([model(x) for x in X], labels)), model.parameters()


def _numbers(n: int) -> tuple[Callable[[], Value], list[Value]]:
    w, b = Value(0.7), Value(-0.2)
    xs = [0.1 * k - 0.4 for k in range(n)]

    def fn() -> Value:
        preds = [(w * x + b).tanh() for x in xs]
        mean = sum(p.data for p in preds) / n
        spread = max(abs(p.data - mean) for p in preds) + 1.0
        return sum((p - mean) * (p - mean) for p in preds) * (1.0 / spread)

    return fn, [w, b]


def _shared_blocks(n: int) -> tuple[Callable[[], Value], list[Value]]:
    """Blocks whose nodes are read several times inside (sums of three terms and more),
    made in another order than the engine's walk visits them."""
    w = [Value(0.1 * k - 0.3) for k in range(4)]
    xs = [0.3 * k - 1.0 for k in range(n)]

    def fn() -> Value:
        total = Value(0.0)
        for x in xs:
            u = (w[0] * x + w[1]).tanh()
            v = (u * w[2]).sin()
            first, later = u * v, u * w[3]        # made in this order,
            s = later + first + v * v + (u + v).sigmoid()   # visited in the other
            total = total + s * u
        return total

    return fn, w


def _writers(steps: list[Eqn]) -> dict[int, list[int]]:
    """For every variable, the visits that add a term into its sum, in order."""
    out: dict[int, list[int]] = {}
    for e in steps:
        for a in e.ins[:e.op.arity]:  # type: ignore[union-attr]
            if isinstance(a, int):
                out.setdefault(a, []).append(e.out)
    return out


@pytest.mark.parametrize("make", [_moons, _cross_entropy, _numbers, _shared_blocks])
@pytest.mark.parametrize("n", [1, 3, 12])
def test_every_stage_gives_the_engines_numbers(make: Any, n: int) -> None:
    fn, params = make(n)
    step = engine.compile(fn)
    for v in params:
        v.grad = 0.0
    out = fn()
    out.backward()
    version = step.versions()[0]
    leaves = [version.externals[j] for kind, j in version.leaves]   # (every leaf a parameter)
    want = bits([out.data, *(v.grad for v in leaves)])
    assert stages(step, []) == dict.fromkeys(["traced", "adjoint", "loops", "code"], want)
    assert step.check() is True


def test_the_backward_pass_visits_the_nodes_in_the_engines_order() -> None:
    fn, _ = _moons(5)
    step = engine.compile(fn)
    visited: list[Any] = []
    backprop(step.graph, visit=lambda node, g, partials: visited.append(node.rule))
    flat = step.versions()[0].flat
    assert [e.op for e in flat.backward] == [r for r in visited if r is not None]


def test_the_loop_pass_rolls_the_samples_and_keeps_the_order_of_terms() -> None:
    fn, _ = _moons(12)
    version = engine.compile(fn).versions()[0]
    [loop] = [item for item in version.rolled.eqns if isinstance(item, Loop)]
    [run] = [item for item in version.rolled.backward if isinstance(item, Run)]
    assert len(loop.rows) == 12 and run.loop is loop and (run.start, run.stop) == (0, 12)
    assert len(version.rolled.eqns) < len(version.flat.eqns) // 5


@pytest.mark.parametrize("make", [_moons, _cross_entropy, _shared_blocks])
def test_the_loop_pass_keeps_the_order_of_the_terms_of_every_sum(make: Any) -> None:
    fn, _ = make(9)
    version = engine.compile(fn).versions()[0]
    assert any(isinstance(item, Loop) for item in version.rolled.eqns)
    _, rolled = expand(version.rolled)
    assert rolled is not None and version.flat.backward is not None
    assert _writers(rolled) == _writers(version.flat.backward)  # type: ignore[arg-type]


def test_a_loop_is_not_made_where_the_engines_order_of_terms_would_change() -> None:
    # Each sample's block is followed by a term of w alone: in the engine's backward
    # pass w's sum takes that term between two samples, which one loop over the samples
    # could not keep.
    w = Value(0.3)

    def fn(xs: list[float]) -> Value:
        total = Value(0.0)
        for x in xs:
            block = ((w * x + 1.0).tanh() * w + 0.5).tanh() * (w * x).sin()
            total = total + block + w * 0.01
        return total

    xs = [0.1 * k for k in range(8)]
    step = engine.compile(fn, xs)
    version = step.versions()[0]
    sample_loops = [item for item in version.rolled.eqns
                    if isinstance(item, Loop) and len(item.body) >= 8]
    assert sample_loops == []
    assert len({tuple(v) for v in stages(step, xs).values()}) == 1


def test_twin_blocks_are_instances_of_their_own() -> None:
    w = Value(0.5)

    def fn(xs: list[float]) -> Value:
        total = Value(0.0)
        for x in xs:
            a = ((w * x + 1.0).tanh() * w).sin()
            b = ((w * x + 1.0).tanh() * w).sin()   # a twin of a: the same rows, inputs
            total = total + a * b
        return total

    xs = [0.25 * k for k in range(6)]
    step = engine.compile(fn, xs)
    version = step.versions()[0]
    for item in version.rolled.eqns:
        if isinstance(item, Loop):
            exported = [v for out in item.exports for v in out]
            assert len(exported) == len(set(exported))   # no variable handed out twice
    assert len({tuple(v) for v in stages(step, xs).values()}) == 1


def test_a_guard_that_fails_stops_the_interpreter_and_the_code_alike() -> None:
    w = Value(1.0)
    step = engine.compile(lambda x: (w * x) * 2.0 if (w * x).data > 0 else w * -1.0, 2.0)
    version = step.versions()[0]
    with pytest.raises(Retrace):
        evaluate(version.rolled, [1.0], [-3.0])
    with pytest.raises(Retrace):
        version.run([1.0], [-3.0])


def test_check_names_the_stage_that_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    w = Value(0.5)
    step = engine.compile(lambda x: (w * x).tanh(), 2.0)
    version = step.versions()[0]
    run = version.run
    monkeypatch.setattr(version, "run", lambda P, I: (run(P, I)[0] * 2.0, run(P, I)[1]))
    with pytest.raises(CompileError, match="the generated code: loss"):
        step.check(2.0)


def test_a_value_read_once_is_written_into_its_reader() -> None:
    w, b = Value(0.5, label="w"), Value(0.1, label="b")
    step = engine.compile(lambda x: (w * x + b).tanh() * 3.0, 2.0)
    forward = [line for line in step.source.splitlines() if "# x + y" in line]
    assert forward == ["    v4 = (w_0 * i0) + b_1   # x + y"]   # w·x is written in place


def test_the_printer_shows_the_program_as_equations() -> None:
    w = Value(0.5, label="w")
    step = engine.compile(lambda xs: sum((w * x).tanh() for x in xs), [0.5] * 12)
    text = step.ir
    assert text.startswith("{ lambda ; inputs 12 .") and text.endswith("}")
    assert "loop over 12 instances" in text and "tanh" in text
    assert pp(step.versions()[0].rolled) == text
