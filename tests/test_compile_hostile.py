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

class Box:
    w: Value


def test_a_parameter_replaced_before_the_first_call_is_seen_though_the_optimizer_holds_it(
) -> None:
    m = Box()
    m.w = Value(1.0)
    opt = nn.SGD([m.w], lr=0.1)    # holds the old object: the count falls by one all the same
    step = engine.compile(lambda x: m.w * x, 2.0)
    m.w = Value(3.0)
    assert step(2.0) == 6.0 and m.w.grad == 2.0 and step.retraces == 1
    assert opt.params[0].grad == 0.0


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


def test_a_numpy_function_of_a_traced_number_is_guarded() -> None:
    np = pytest.importorskip("numpy")
    w = Value(0.5)
    fn = lambda x: w * float(np.tanh(w.data)) * x
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


# --- a row made at run time --------------------------------------------------------------------

def test_a_row_made_after_import_runs_the_normal_engine_and_says_why() -> None:
    from engine import apply, ops

    cube = ops.Rule("cube", "x", "x³", "x * x * x", ("3.0 * x * x",), ("3·x²",), "³")
    w = Value(1.5)
    step = engine.compile(lambda x: apply(cube, w) * x, 2.0)
    assert "the row 'cube' was made after engine was imported" in step.reason
    assert step(2.0) == 6.75 and w.grad == 13.5   # w³·x and 3w²·x, by the normal engine
