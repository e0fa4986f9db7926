"""``step.check``: the engine beside every stage of the compiler, bit for bit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.compile.errors import CompileError, kind
from engine.compile.evaluate import Retrace, evaluate
from engine.compile.inputs import flatten
from engine.value import Value, topological_order, watching

__all__ = ["check"]


class _Made:
    """A watcher that only notes the Values ``fn`` makes (numbers read stay numbers)."""

    def __init__(self) -> None:
        self.made: set[int] = set()
        self.keep: list[Value] = []

    def node(self, v: Value, *_: Any) -> None:
        self.made.add(id(v))
        self.keep.append(v)

    def leaf(self, v: Value) -> None:
        self.made.add(id(v))
        self.keep.append(v)

    def read(self, v: Value) -> float:
        return v._data


def _bits(x: Any) -> str:
    return float(x).hex() if isinstance(x, (int, float)) else repr(x)


def check(step: Any, inputs: tuple[Any, ...]) -> bool:
    """See :meth:`engine.compile.CompiledStep.check`."""
    key, flat = flatten(inputs)
    made = _Made()
    with watching(made):
        out = step.fn(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"compile: fn must return a Value, got {kind(out)}")
    graph = topological_order(out)
    outside = [v for v in graph if id(v) not in made.made]
    version = _version(step, key, flat)
    problems: list[str] = []
    if isinstance(version, str):
        problems_ok = True   # the engine runs for these inputs: its numbers are the step's
        return problems_ok
    traced = [version.externals[j] if kind == "param" else flat[j] for kind, j in version.leaves]
    traced_ids = {id(v) for v in traced}
    for v in outside:
        if id(v) not in traced_ids:
            problems.append(f"{v!r} is a leaf of fn's graph now but not of the trace (a "
                            f"parameter replaced where the step cannot see it?)")
    saved = [(v, v.grad) for v in {id(v): v for v in [*outside, *traced]}.values()]
    try:
        for v, _ in saved:
            v.grad = 0.0
        out.backward()
        want = [out.data, *(v.grad for v in traced)]
    finally:
        for v, g in saved:
            v.grad = g
    params = [v._data for v in version.externals]
    numbers = [x._data if type(x) is Value else x for x in flat]
    stages: list[tuple[str, Callable[[], Any]]] = [
        ("the program as traced", lambda: evaluate(version.flat, params, numbers, engine=True)),
        ("the adjoint pass", lambda: evaluate(version.flat, params, numbers)),
        ("the loop pass", lambda: evaluate(version.rolled, params, numbers)),
        ("the generated code", lambda: version.run(params, numbers))]
    for name, stage in stages:
        try:
            loss, grads = stage()
        except Retrace:
            problems.append(f"{name}: a guard fails on these inputs")
            continue
        except Exception as err:
            if name == "the generated code":   # the step hands such a call to the engine
                continue
            problems.append(f"{name}: raised {type(err).__name__}: {err}")
            continue
        got = [loss, *grads]
        for i, (a, b) in enumerate(zip(got, want)):
            if _bits(a) != _bits(b):
                what = "loss" if i == 0 else f"gradient of {traced[i - 1]!r}"
                problems.append(f"{name}: {what}: {a!r}, the engine: {b!r}")
    if problems:
        raise CompileError("compile check failed:\n  " + "\n  ".join(problems))
    return True


def _version(step: Any, key: Any, flat: list[Any]) -> Any:
    """The trace a call with these inputs would run (traced now if there is none)."""
    versions = step._versions.get(key)
    if isinstance(versions, str):
        return versions
    for version in versions or ():
        if not version.holders.fresh():
            continue
        params = [v._data for v in version.externals]
        numbers = [x._data if type(x) is Value else x for x in flat]
        try:
            version.run(params, numbers)
        except Retrace:
            continue
        except Exception:
            pass
        return version
    saved = [(v, v.grad) for v in flat if isinstance(v, Value)]
    step._trace(key, flat)
    for v, g in saved:
        v.grad = g
    versions = step._versions.get(key)
    return versions if isinstance(versions, str) else versions[0]
