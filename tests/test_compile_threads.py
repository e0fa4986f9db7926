"""Threads: tracing in one thread changes nothing that another thread sees, and one
``no_grad()`` object can be entered from several threads at once, as ``torch.no_grad()``."""

from __future__ import annotations

import threading
from collections.abc import Callable

import engine
from engine import Value, enable_grad, is_grad_enabled, no_grad


def together(*works: Callable[[], None]) -> list[BaseException]:
    """Run each work in its own thread; the exceptions they raised."""
    errors: list[BaseException] = []

    def run(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_one_no_grad_object_entered_from_two_threads_restores_each_threads_mode() -> None:
    block = no_grad()
    inside, left = threading.Barrier(2), threading.Barrier(2)
    seen: dict[str, tuple[bool, bool, str]] = {}

    def work(name: str, enabled_before: bool) -> Callable[[], None]:
        def run() -> None:
            with (enable_grad() if enabled_before else no_grad()):
                with block:
                    inside.wait(timeout=10)
                    during = is_grad_enabled()
                    y = Value(2.0) * 3.0
                    left.wait(timeout=10)
                seen[name] = (during, is_grad_enabled(), y.op)
        return run

    assert together(work("a", True), work("b", False)) == []
    assert seen == {"a": (False, True, ""), "b": (False, False, "")}
    assert is_grad_enabled()


def test_a_trace_in_one_thread_changes_nothing_another_thread_sees() -> None:
    w = Value(2.0)
    tracing, checked = threading.Barrier(2), threading.Barrier(2)
    seen: dict[str, object] = {}

    def fn(x: float) -> Value:
        tracing.wait(timeout=10)   # the other thread works while this trace is open
        checked.wait(timeout=10)
        return w * x

    def trace() -> None:
        seen["step"] = engine.compile(fn, 3.0)

    def look() -> None:
        tracing.wait(timeout=10)
        v = Value(1.5)
        seen["data"] = (type(w.data), type((w * v).data), w < v, max(w, v) is w)
        seen["other"] = engine.compile(lambda x: (v * x).tanh(), 1.0)(2.0)
        checked.wait(timeout=10)

    assert together(trace, look) == []
    assert seen["data"] == (float, float, False, True)
    step = seen["step"]
    assert step(3.0) == 6.0 and step.retraces == 0   # type: ignore[operator, attr-defined]
