"""engine.compile under the misuses a notebook meets: each gives the engine's numbers or a
clear error, never a hang and never a trace replayed wrong without a word."""

from __future__ import annotations

import copy
import json
import math
import pickle
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import engine
import nn
from engine import CompileError, Value, no_grad
from engine.compile import CompileWarning


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail (rather than hang the suite) if the block takes longer than ``seconds``."""

    def stop(*_: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --- one step inside another ----------------------------------------------------------------

def test_compiling_inside_a_traced_fn_is_refused_not_a_deadlock() -> None:
    w = Value(0.5)
    inner = engine.compile(lambda x: w * x, 1.0)

    def outer(x: Any) -> Value:
        inner(2)            # a new input structure: the inner step would trace inside this one
        return w * x

    with deadline(10), pytest.raises(CompileError, match="while it was being traced"):
        engine.compile(outer, 1.0)
    with deadline(10), pytest.raises(CompileError, match="while it was being traced"):
        engine.compile(lambda x: engine.compile(lambda y: w * y, 1.0)(x) * w, 1.0)


def test_a_compiled_step_called_inside_a_traced_fn_is_refused() -> None:
    # Even with the inner step's own input structure (no trace needed): its gradients are a
    # side effect that replaying the outer trace would never repeat.
    w = Value(0.5)
    inner = engine.compile(lambda x: w * x, 1.0)
    with pytest.raises(CompileError, match="call the inner step outside fn"):
        engine.compile(lambda x: w * (inner(1.0) + x), 1.0)
    w.grad = 0.0
    assert inner(3.0) == 1.5 and w.grad == 3.0   # the inner step still works afterwards


# --- parameters replaced, copies --------------------------------------------------------------

def test_a_parameter_replaced_after_some_steps_is_seen_though_the_optimizer_holds_it() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    fn = lambda x: model(x) * 1.0
    step = engine.compile(fn, [1.0, 2.0])
    for _ in range(3):
        step([1.0, 2.0])
    model.layers[1].neurons[0].b = Value(0.75)
    model.zero_grad()
    loss = step([0.5, 2.0])
    grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    want = fn([0.5, 2.0])
    want.backward()
    assert loss == want.data and grads == [p.grad for p in model.parameters()]
    assert step.retraces == 1 and len(opt.params) == 13


@pytest.mark.parametrize("how", [copy.copy, copy.deepcopy, pickle.dumps])
def test_a_compiled_step_cannot_be_copied_away_from_its_parameters(how: Any) -> None:
    w = Value(0.5)
    step = engine.compile(lambda x: (w * x) ** 2, 1.0)
    with pytest.raises(TypeError, match="cannot be copied or pickled"):
        how(step)


# --- numbers read during the trace, kept after it ---------------------------------------------

def test_a_number_logged_inside_fn_is_a_plain_number_after_the_trace() -> None:
    w = Value(0.5)
    seen: list[Any] = []

    def fn(x: float) -> Value:
        loss = (w * x - 1.0) ** 2
        seen.append(loss.data)
        return loss

    step = engine.compile(fn, 2.0)
    kept = seen[0]
    assert float(kept) == 0.0 and (kept < 1) is True and kept + 1 == 1.0
    assert math.exp(kept) == 1.0 and -kept == 0.0 and abs(kept) == 0.0 and bool(kept) is False
    assert round(kept, 3) == 0.0 and int(kept) == 0 and f"{kept:.2f}" == "0.00"
    assert json.dumps([float(x) for x in seen]) == "[0.0]"
    # A later trace (a new input structure) reads it as the constant it is now.
    w.data = 1.0
    assert step(2) == 1.0 and step.retraces == 1 and len(seen) == 2
    later = engine.compile(lambda x: w * x + kept, 2.0)
    assert later(3.0) == 3.0 and later.check(4.0) is True


def test_fn_returning_a_number_is_named_as_a_number() -> None:
    with pytest.raises(TypeError, match=r"fn must return a Value, got a number \(float\)"):
        engine.compile(lambda x: x * x, 1.0)


def test_a_numpy_function_of_a_traced_number_holds_for_that_number_with_a_warning() -> None:
    np = pytest.importorskip("numpy")
    w = Value(0.5)
    fn = lambda x: w * float(np.tanh(w.data)) * x
    with pytest.warns(CompileWarning, match="a NumPy function at test_compile_hostile.py"):
        step = engine.compile(fn, 2.0)
    for value in (0.5, 1.5, -0.25):
        w.data = value
        w.grad = 0.0
        got = step(2.0), w.grad
        w.grad = 0.0
        out = fn(2.0)
        out.backward()
        assert got == (out.data, w.grad)


# --- no_grad ------------------------------------------------------------------------------------

def test_compile_and_its_step_refuse_to_run_inside_no_grad() -> None:
    w = Value(0.5)
    step = engine.compile(lambda x: (w * x) ** 2, 1.0)
    with no_grad():
        with pytest.raises(RuntimeError, match="gradients are disabled"):
            engine.compile(lambda x: (w * x) ** 2, 1.0)
        for inputs in ((2.0,), (2,)):   # the traced structure and a new one alike
            with pytest.raises(RuntimeError, match="outside the no_grad block"):
                step(*inputs)
    assert w.grad == 0.0
    assert step(2.0) == 1.0 and w.grad == 4.0   # 2·w·x² once, outside the block


# --- what a trace cannot repeat: the engine runs, and says why --------------------------------

@pytest.mark.parametrize("effect, why", [
    (lambda w: setattr(w, "data", 2.0), "assigns to .data"),
    (lambda w: setattr(w, "grad", 0.0), "assigns to .grad"),
    (lambda w: (w * 3.0).backward(), "backward pass itself"),
])
def test_a_side_effect_on_a_value_inside_fn_runs_the_engine(effect: Any, why: str) -> None:
    w = Value(1.5)

    def fn(x: float) -> Value:
        effect(w)
        return w * x

    with pytest.warns(CompileWarning, match=why):
        step = engine.compile(fn, 2.0)
    w.data, w.grad = 1.5, 0.0
    loss = step(3.0)
    got = (loss, w.data, w.grad)
    w.data, w.grad = 1.5, 0.0
    out = fn(3.0)
    out.backward()
    assert got == (out.data, w.data, w.grad) and why in step.reason and step.fallbacks == 1


def test_a_fault_of_the_compiler_runs_the_engine_once_per_call_and_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.compile import step as step_module

    def broken(program: Any) -> Any:
        raise RuntimeError("a bug in a pass")

    monkeypatch.setattr(step_module, "roll", broken)
    w, calls = Value(0.5), []

    def fn(x: float) -> Value:
        calls.append(x)
        return (w * x).tanh()

    with pytest.warns(CompileWarning, match="the compiler failed .*a bug in a pass"):
        step = engine.compile(fn, 2.0)
    w.grad = 0.0
    got = (step(3.0), w.grad)
    w.grad = 0.0
    out = fn(3.0)
    out.backward()
    assert got == (out.data, w.grad) and calls == [2.0, 3.0, 3.0]


def test_a_side_effect_met_at_a_call_happens_once_in_that_call() -> None:
    w, calls = Value(0.5), []

    def fn(x: float) -> Value:
        calls.append(x)
        if x > 2.5:
            w.grad = w.grad + 1.0   # only for large x: met by the second trace
        return w * x

    step = engine.compile(fn, 2.0)
    w.grad = 0.0
    with pytest.warns(CompileWarning, match="assigns to .grad"):
        loss = step(3.0)
    assert (loss, w.grad, calls) == (1.5, 4.0, [2.0, 3.0]) and step.fallbacks == 1


def test_fn_that_fails_only_while_traced_runs_the_engine_and_says_why() -> None:
    w = Value(0.5)

    def fn(x: float) -> Value:
        json.dumps(w.data)   # a traced number is no float to json
        return w * x

    with pytest.warns(CompileWarning, match="TypeError"):
        step = engine.compile(fn, 2.0)
    assert step(4.0) == 2.0 and w.grad == 4.0 and "while traced" in step.reason


def test_a_print_inside_fn_is_done_once_and_holds_the_trace_to_that_number(
        capsys: pytest.CaptureFixture[str]) -> None:
    w = Value(0.5)

    def fn(x: float) -> Value:
        loss = (w * x - 1.0) ** 2
        print(f"loss {loss.data:.3f}")
        return loss

    with pytest.warns(CompileWarning, match="formatting at test_compile_hostile.py"):
        step = engine.compile(fn, 2.0)
    assert capsys.readouterr().out == "loss 0.000\n"
    assert step(2.0) == 0.0 and capsys.readouterr().out == ""   # the code prints nothing
    assert step(4.0) == 1.0 and step.retraces == 1   # another number: traced again


def test_a_compiled_step_holds_no_global_patch_and_leaves_math_alone() -> None:
    before = (math.exp, math.log, max, min, Value.data, Value.__lt__, Value.__init__)
    w = Value(0.5)
    engine.compile(lambda x: (w * x).exp() * max(w, w * x), 2.0)(3.0)
    assert (math.exp, math.log, max, min, Value.data, Value.__lt__, Value.__init__) == before
