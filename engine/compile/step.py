"""The compiled step: traces, the code of each, and when to trace again or let the engine run.

A step keeps up to ``MAX_VERSIONS`` traces per input structure (the key, see
:mod:`engine.compile.inputs`), the newest first. A call runs the first whose guards hold
and whose parameters are where ``fn`` finds them (:mod:`engine.compile.holders`); when
none does, ``fn`` is traced again on this call's inputs, and the trace's own graph, which
is the engine's, gives this call's loss and gradients. Code that meets a number the
engine would refuse (an inf, a domain error) traces again too: the trace raises the
engine's own error, or finds the branch the code did not have. Past ``MAX_RETRACES``
traces, or where ``fn`` does what a trace cannot repeat, the step runs the normal engine
and says why (``step.reason``, and a :class:`CompileWarning`).
"""

from __future__ import annotations

import gc
import math
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any

from engine.compile.adjoint import adjoint
from engine.compile.errors import CompileError, CompileWarning, kind
from engine.compile.evaluate import Retrace
from engine.compile.holders import Holders
from engine.compile.inputs import flatten, rebuild
from engine.compile.ir import Program, pp
from engine.compile.loops import roll
from engine.compile.render import render
from engine.compile.trace import Trace, run
from engine.compile.traced import CURRENT
from engine.value import GRAD_ENABLED, Value, topological_order, watching

__all__ = ["CompiledStep", "CompileError", "CompileWarning", "Version", "MAX_VERSIONS",
           "MAX_RETRACES", "MAX_LINES"]

MAX_VERSIONS, MAX_RETRACES = 8, 20
MAX_LINES = 200_000   # code longer than this would cost more to compile than it saves


class _Nested(CompileError):
    """``fn`` called ``compile`` or a compiled step while being traced."""


class _Unfollowed(Exception):
    """A trace that cannot be replayed: the reason is the message."""


class Version:
    """One trace of ``fn``: the program as traced (with its backward pass: ``flat``),
    after the loop pass (``rolled``), its code, and what must hold for it to run."""

    def __init__(self, fn: Callable[..., Any], trace: Trace, out: Value,
                 flat: list[Any]) -> None:
        self.graph = out
        self.flat: Program = adjoint(trace.program(out, flat))
        self.rolled: Program = roll(self.flat)
        self.source, glob = render(self.rolled)
        if self.source.count("\n") > MAX_LINES:
            raise _Unfollowed(f"compile: the graph has too little repetition: its code would "
                              f"take more than {MAX_LINES:,} lines; running the normal engine")
        exec(compile(self.source, "<engine.compile>", "exec"), glob)
        self.run: Callable[[list[Any], list[Any]], Any] = glob["run"]
        self.externals = self.rolled.externals
        self.value_slots = [k for k, x in enumerate(flat) if isinstance(x, Value)]
        self.leaves = [(kind, j) for _, kind, j in self.rolled.grads]
        self.params = [self.externals[j] for kind, j in self.leaves if kind == "param"]
        self.holders = Holders(fn, self.externals)
        self.pins = list(trace.pins)
        self.external_ids = {id(v) for v in self.externals}


class CompiledStep:
    """``fn``'s forward and backward pass as generated code; see :func:`engine.compile`.

    Attributes:
        retraces, fallbacks: how many calls traced ``fn`` again, and how many ran the
            normal engine instead of the code.
        reason: why the step runs the normal engine every time ("" when it does not).
    """

    def __init__(self, fn: Callable[..., Any], inputs: tuple[Any, ...]) -> None:
        if not callable(fn):
            raise TypeError(f"compile: fn must be callable, got {type(fn).__name__}")
        _refuse_no_grad()
        _refuse_nesting()
        self.fn = fn
        self._versions: dict[Any, list[Version] | str] = {}
        self._last: Version | None = None
        self._lock = threading.RLock()
        self._warned: set[str] = set()
        self.retraces = self.fallbacks = 0
        self.reason = ""
        key, flat = flatten(inputs)
        self._trace(key, flat)
        self.retraces = 0

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("compile: a compiled step cannot be copied or pickled (a copy would "
                        "send its gradients to copies of the parameters); compile fn again")

    # --- what it shows ------------------------------------------------------------------------
    @property
    def source(self) -> str:
        """The generated code of the last trace (a str)."""
        return self._last.source if self._last is not None else f"# not compiled: {self.reason}"

    @property
    def ir(self) -> str:
        """The program of the last trace, after the loop pass, printed as in a jaxpr."""
        return pp(self._last.rolled) if self._last is not None else f"# not compiled: {self.reason}"

    @property
    def graph(self) -> Value | None:
        """The traced result, a Value (for ``draw_dot`` or ``Stepper``)."""
        return None if self._last is None else self._last.graph

    @property
    def parameters(self) -> list[Value]:
        """The Values read at every call and given gradients (not the inputs)."""
        return [] if self._last is None else list(self._last.externals)

    def versions(self) -> list[Version]:
        """Every trace kept, the newest first."""
        return [v for vs in self._versions.values() if isinstance(vs, list) for v in vs]

    # --- tracing --------------------------------------------------------------------------------
    def _trace(self, key: Any, flat: list[Any]) -> Value | None:
        """Trace ``fn`` on these inputs and make its code; the traced result (whose
        gradients are this call's), or None where the engine must run instead."""
        self.retraces += 1
        collecting = gc.isenabled()
        gc.disable()   # a trace makes no reference cycles: the collector's passes are waste
        trace = Trace()
        out: Any = None
        try:
            try:
                out = run(self.fn, rebuild(key, trace.inputs(flat)), trace)
            except _Nested:
                raise
            except Exception as err:
                if isinstance(err, TypeError) and str(err).startswith("compile:"):
                    raise
                why, out = self._traced_error(key, flat, err)
                raise _Unfollowed(why) from None
            if not isinstance(out, Value):
                raise TypeError(f"compile: fn must return a Value, got {kind(out)}")
            if trace.stop:
                raise _Unfollowed(f"compile: {trace.stop}; running the normal engine")
            try:
                version: Version | str = Version(self.fn, trace, out, flat)
            except _Unfollowed:
                raise
            except Exception as err:   # a fault of the compiler's own: never a wrong number
                raise _Unfollowed(f"compile: the compiler failed on this graph "
                                  f"({type(err).__name__}: {err}); running the normal "
                                  f"engine") from err
        except _Unfollowed as why:
            version = str(why)
        finally:
            if collecting:
                gc.enable()
        if self.retraces > MAX_RETRACES:
            version = (f"compile: the trace kept changing (more than {MAX_RETRACES} traces): "
                       "running the normal engine")
        if isinstance(version, str):   # (the traced graph, if any, is still the engine's)
            self._versions[key] = version
            self.reason = version
            self._warn(version)
            return out if isinstance(out, Value) else None
        for place in version.pins:
            self._warn(f"compile: fn used a traced number where the trace cannot follow it "
                       f"({place}): the code holds for that number only, and traces again for "
                       f"another")
        versions = self._versions.get(key)
        kept = versions if isinstance(versions, list) else []
        self._versions[key] = [version, *kept][:MAX_VERSIONS]
        self._last = version
        return out if isinstance(out, Value) else None

    def _traced_error(self, key: Any, flat: list[Any], err: Exception) -> tuple[str, Value]:
        """``fn`` raised while traced: run by the engine, it raises its own error, or gives
        its result, and the reason the step runs the engine for these inputs."""
        out = self.fn(*rebuild(key, list(flat)))
        if not isinstance(out, Value):
            raise TypeError(f"compile: fn must return a Value, got {kind(out)}")
        return (f"compile: fn raised {type(err).__name__}: {err} while traced, but not when "
                f"run by the engine: the trace cannot follow it; running the normal "
                f"engine"), out

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            level, frame = 1, sys._getframe(0)   # shown at the caller's line, not ours
            while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(
                    "engine.compile"):
                frame, level = frame.f_back, level + 1
            warnings.warn(message, CompileWarning, stacklevel=level)

    # --- calling ----------------------------------------------------------------------------------
    def _engine(self, inputs: tuple[Any, ...]) -> float:
        self.fallbacks += 1
        out = self.fn(*inputs)
        if not isinstance(out, Value):
            raise TypeError(f"compile: fn must return a Value, got {kind(out)}")
        out.backward()
        return out.data

    def __call__(self, *inputs: Any) -> float:
        if CURRENT.get() is not None or not GRAD_ENABLED.get():
            _refuse_nesting()
            _refuse_no_grad()
        key, flat = flatten(inputs)
        with self._lock:
            versions = self._versions.get(key, ())
            if isinstance(versions, str):
                return self._engine(inputs)
            for version in versions:   # the newest first: the first that holds runs
                if version.value_slots and any(id(flat[k]) in version.external_ids
                                               for k in version.value_slots):
                    continue   # an input that is a parameter too: not what was traced
                if not version.holders.fresh():
                    continue   # fn finds other parameters than the trace did
                numbers = [x._data if type(x) is Value else x for x in flat]
                try:
                    loss, grads = version.run([p._data for p in version.externals], numbers)
                except Retrace:
                    continue
                except Exception:   # Bad, an overflow, a domain error: the engine decides
                    return self._trace_call(key, flat, inputs)
                leaves = version.params if not version.value_slots else [
                    version.externals[j] if kind == "param" else flat[j]
                    for kind, j in version.leaves]
                return self._add(version, inputs, loss, grads, leaves)
            return self._trace_call(key, flat, inputs)

    def _add(self, version: Version, inputs: tuple[Any, ...], loss: Any, grads: Any,
             leaves: list[Value]) -> float:
        """Add this call's gradients into the leaves' ``.grad``, as the engine's backward
        pass does: where a sum would not be finite (or a ``.grad`` is a Value, left by
        ``create_graph``), the engine runs instead and raises its own error."""
        try:
            totals = [p._grad + g for p, g in zip(leaves, grads)]
            total = sum(totals)
            if (type(total) is not float or not -math.inf < total < math.inf) and not all(
                    type(t) is float and -math.inf < t < math.inf for t in totals):
                raise ArithmeticError
        except Exception:
            return self._engine(inputs)
        for p, t in zip(leaves, totals):
            p._grad = t
        self._last = version
        return float(loss)

    def _trace_call(self, key: Any, flat: list[Any], inputs: tuple[Any, ...]) -> float:
        out = self._trace(key, flat)
        if out is None:
            return self._engine(inputs)
        if isinstance(self._versions.get(key), str):
            self.fallbacks += 1   # (fn is not run twice: its side effects happen once)
        out.backward()   # this call's result: the traced graph is the engine's own
        return out.data

    # --- checking ------------------------------------------------------------------------------
    def check(self, *inputs: Any) -> bool:
        """Run the normal engine and this step on the same numbers; True, or a CompileError
        naming each difference and the pass that made it.

        Compared bit for bit: the loss and every gradient, from the engine, from the
        program as traced (rebuilt as Values), with its backward pass, after the loop
        pass, and from the generated code; and the leaves of ``fn``'s graph, run anew,
        with the parameters of the trace (a parameter replaced where the step cannot see
        it). Every ``.grad`` is left as it was.
        """
        from engine.compile.check import check

        return check(self, inputs)


def _refuse_no_grad() -> None:
    if not GRAD_ENABLED.get():
        raise RuntimeError("compile: gradients are disabled (inside engine.no_grad()), and a "
                           "compiled step computes them; compile and call it outside the "
                           "no_grad block")


def _refuse_nesting() -> None:
    """A compiled step or ``compile`` called by the very ``fn`` being traced: refused."""
    if CURRENT.get() is not None:
        raise _Nested("compile: fn called engine.compile or a compiled step while it was "
                      "being traced; a step's gradients are a side effect that a trace cannot "
                      "replay: call the inner step outside fn, or its fn inside this one")


_ = (topological_order, watching)
