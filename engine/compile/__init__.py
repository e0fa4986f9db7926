"""``engine.compile``: trace a loss once, then run its forward and backward pass as plain code.

A training step builds the same graph every time, only with new numbers. ``compile(fn,
*example_inputs)`` runs ``fn`` once with Values, keeps the graph, and writes Python source for
it: one line per node, its forward formula and its partials taken from the node's row of
:mod:`engine.ops` (the row's own expression strings), the chain rule written out in exactly
the order of :func:`engine.value.backprop`, so that the loss and every gradient equal the
normal engine's to the last bit.

How it stays honest. While tracing, every number that ``fn`` reads from the graph (``.data``,
``<`` between Values, an input number) is a *traced number*: arithmetic on it is recorded as an
expression, and every comparison or conversion made on it is recorded as a guard that the
generated code checks again at each call. A constant built from data (the max shift of
``nn.cross_entropy``) is recomputed; a failed guard retraces; an exception or a number that is
not finite re-runs the normal engine, which raises its own error (or returns its result).
What is not seen: Python state outside ``fn`` and its inputs (a global, ``random``), and
math done on a number outside the traced functions (``math.log`` is traced, a C extension
is not: its result turns into a guard on the number it read; NumPy's functions read it
through ``float()``). A traced number kept past its trace is its plain number. A parameter
replaced in its model by a new object drops the trace when the old object loses that holder
(reference counts, taken when the trace is made); ``step.check`` compares the graph's
leaves too. Tracing swaps a few hooks on ``Value``, ``math`` and ``max``/``min`` for its
duration: it is not thread-safe, and a traced ``fn`` may not compile or call a step itself.

Cost, and where the strategy changes. Tracing is one forward pass; reading the graph costs
a few µs per node; ``compile()`` costs 10-50 µs per generated line, so code of one line per
node would be too slow for a 65,000-node batch step. So the graph is searched for repeated
blocks first, largest first: the nodes of one row whose DFS blocks (contiguous stretches of
the topological order) hold as many nodes, ``MIN_BLOCK`` to ``MAX_BLOCK``, read outside only
through a few *exports*, are candidates, and each one's signature (rows, how its nodes read
each other, the form of its constants and guards) must equal the first one's; a group that
differs gives way to the smaller blocks inside it. Each accepted group is an *instance* list
sharing one *template*, a function that loops over them, written once. Only the rest (sums
across samples, the L2 term) is written line by line. A batch of n samples of m nodes each
costs O(n·m) to trace and read and O(m + n) lines; a graph with no repetition costs one line
per node, and past ``MAX_LINES`` lines the step runs the normal engine instead
(``step.reason`` says so). Measured on the moons step (65,000 nodes, 100 samples): 4,102
lines, compiled in about 1.5 interpreted steps with a peak of about 3.5 times the
interpreted step's memory; on 50 digits (242,000 nodes): 22,700 lines, in about 3-5
interpreted steps (``compile()`` of those lines takes half of it).
"""

from __future__ import annotations

import bisect
import builtins
import gc
import heapq
import itertools
import math
import numbers
import operator
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from engine import value as _v
from engine.ops import ON_FLOATS, OPS
from engine.value import Value

__all__ = ["compile", "CompiledStep", "CompileError"]

MIN_BLOCK, MAX_BLOCK = 6, 5000   # interior nodes of a block worth a template
MAX_VERSIONS, MAX_RETRACES = 8, 20
MAX_LINES = 200_000   # beyond this, compile() itself costs more than it saves
# Rows whose output is not finite when an input is not: a value read only by them needs no
# test of its own. Rows whose partials are finite wherever the forward is.
_PROPAGATE = {"+", "-", "*", "neg", "abs"}
_FINITE = {"+", "-", "*", "neg", "abs", "relu", "tanh", "sigmoid", "sin", "cos", "leaky_relu",
           "erf", "softplus", "gelu", "silu", "exp"}
_ZERO_ELSE = re.compile(r"^(.*) if (.*) else 0\.0$")   # a partial that is 0 on a region
# Rows "x if cond else 0.0" that pass +inf on (relu) test their input where they drop it:
# -inf or nan there raises; what they pass on, the next reader sees.
_GATES = {r for r in OPS if r.forward.startswith("x if ") and r.forward.endswith(" else 0.0")
          and r.arity == 1 and r.f(math.inf) == math.inf}
_EXPOSING = {r for r in OPS if r.name not in _PROPAGATE and r not in _GATES}
_BIN = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
        "**": operator.pow}
_CMP = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
        "==": operator.eq, "!=": operator.ne}
_MATH = ("exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh", "erf", "fabs", "atan",
         "isfinite")
_REAL = {"max": builtins.max, "min": builtins.min,
         **{f"math.{f}": getattr(math, f) for f in _MATH}}
_LOCK = threading.Lock()
_DATA, _GRAD = operator.attrgetter("_data"), operator.attrgetter("_grad")


class CompileError(ValueError):
    """``fn`` cannot be compiled as asked, or ``check`` found a difference."""


class _Nested(CompileError):
    """``fn`` called ``compile`` or a compiled step while being traced."""


class _Retrace(Exception):
    """A guard failed: the trace does not describe this call."""


def _kind(x: Any) -> str:
    return "a number (float)" if isinstance(x, _Num) else type(x).__name__


def _bad() -> float:
    raise ArithmeticError("a value is not finite")


# --- tracing -------------------------------------------------------------------------------

class _Num:
    """A number read from the traced graph or inputs: its value, and how it was computed.

    Only while its own trace runs is it traced; kept past it (a ``loss.data`` that ``fn``
    logged), it is its plain number: a constant to any later trace.
    """

    __slots__ = ("value", "expr", "trace")

    def __init__(self, value: Any, expr: tuple[Any, ...], trace: _Trace) -> None:
        self.value, self.expr, self.trace = value, expr, trace

    def __float__(self) -> float:   # leaves the traced world: a node's constant, or a guard
        if _live(self):
            self.trace.leak(self)
        return float(self.value)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        # NumPy's functions (np.tanh(w.data)) see the number through float(): a guard.
        import numpy

        return numpy.asarray(float(self), dtype=dtype)

    def _frozen(self) -> Any:
        if _live(self):
            self.trace.guard(("c", "==", self.expr, ("k", self.value)), True)
        return self.value

    def __int__(self) -> int:
        return int(self._frozen())

    def __hash__(self) -> int:
        return hash(self._frozen())

    def __bool__(self) -> bool:
        return bool(_compare("!=")(self, 0))

    def __round__(self, n: Any = None) -> Any:
        return round(self._frozen(), n)

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    def __repr__(self) -> str:
        return repr(self.value)

    def __neg__(self) -> Any:
        return _Num(-self.value, ("u", "-", self.expr), self.trace) if _live(self) else -self.value

    def __pos__(self) -> Any:
        return self if _live(self) else self.value

    def __abs__(self) -> Any:
        return (_Num(abs(self.value), ("f", "abs", (self.expr,)), self.trace) if _live(self)
                else abs(self.value))


def _live(x: Any) -> bool:
    """Is ``x`` a traced number of the trace running now (in this thread)?"""
    return isinstance(x, _Num) and bool(_TRACE) and x.trace is _TRACE[-1]


def _operand(o: Any) -> tuple[Any, tuple[Any, ...]] | None:
    if isinstance(o, _Num):
        return (o.value, o.expr) if _live(o) else (o.value, ("k", o.value))
    if isinstance(o, numbers.Real) and not isinstance(o, bool):
        lit = int(o) if isinstance(o, numbers.Integral) else float(o)
        return lit, ("k", lit)
    return None


def _arith(sym: str, swap: bool) -> Callable[[_Num, Any], Any]:
    def method(self: _Num, other: Any) -> Any:
        o = _operand(other)
        if o is None:
            return NotImplemented
        s = (self.value, self.expr) if _live(self) else (self.value, ("k", self.value))
        a, b = (o, s) if swap else (s, o)
        v = _BIN[sym](a[0], b[0])
        trace = self.trace if _live(self) else other.trace if _live(other) else None
        if trace is None:   # numbers kept from a finished trace: plain arithmetic
            return v
        if not isinstance(v, (int, float)):
            raise CompileError(f"compile: {a[0]!r} {sym} {b[0]!r} is not a real number")
        return _Num(v, ("b", sym, a[1], b[1]), trace)
    return method


def _compare(sym: str) -> Callable[[_Num, Any], Any]:
    def method(self: _Num, other: Any) -> Any:
        o = _operand(other)
        if o is None:
            return NotImplemented
        result = _CMP[sym](self.value, o[0])
        if _live(self):
            self.trace.guard(("c", sym, self.expr, o[1]), result)
        elif _live(other):
            other.trace.guard(("c", sym, ("k", self.value), o[1]), result)
        return result
    return method


for _s, _name in (("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "truediv"), ("**", "pow")):
    setattr(_Num, f"__{_name}__", _arith(_s, False))
    setattr(_Num, f"__r{_name}__", _arith(_s, True))
for _s, _name in (("<", "lt"), ("<=", "le"), (">", "gt"), (">=", "ge"), ("==", "eq"),
                  ("!=", "ne")):
    setattr(_Num, f"__{_name}__", _compare(_s))
numbers.Real.register(_Num)
# It stands for a float: a message that names the type of a number fn was given ("class
# index must be an int, got float") names the one the user passed.
_Num.__name__ = "float"


def _same(a: Any, b: float) -> bool:
    return float(a) == b and math.copysign(1.0, float(a)) == math.copysign(1.0, b)


class _Trace:
    """What one run of ``fn`` revealed besides its graph."""

    def __init__(self) -> None:
        self.cexpr: dict[Value, tuple[Any, ...]] = {}    # node -> how its constant c was made
        self.created: dict[Value, tuple[Any, ...]] = {}  # leaf made inside fn -> its number
        self.born: dict[Value, int] = {}                 # node -> creation rank
        self.guards: list[tuple[tuple[Any, ...], bool]] = []
        self.pending: _Num | None = None
        self.thread = threading.get_ident()

    def guard(self, expr: tuple[Any, ...], outcome: bool) -> None:
        self.guards.append((expr, bool(outcome)))

    def leak(self, num: _Num) -> None:
        self.settle()
        self.pending = num

    def settle(self) -> None:   # a number left as a plain float, taken by no node: freeze it
        num, self.pending = self.pending, None
        if num is not None:
            num._frozen()

    def take(self, number: float) -> tuple[Any, ...] | None:
        num, self.pending = self.pending, None
        if num is None:
            return None
        if _same(num.value, number):
            e = num.expr
            return e if type(num.value) is float else ("f", "float", (e,))
        num._frozen()
        return None


_TRACE: list[_Trace] = []


def _node_hook(tr: _Trace, node: Callable[..., Value]) -> Callable[..., Value]:
    """``engine.value._node`` while tracing (called for every node: kept short)."""
    born = tr.born

    def traced_node(rule: Any, x: Value, y: Value | None, c: float | None) -> Value:
        expr = None
        if tr.pending is not None:
            if c is not None:
                expr = tr.take(c)
            else:
                tr.settle()
        out = node(rule, x, y, c)
        if out._rule is None:
            raise CompileError("compile: fn computes inside no_grad() or asks for "
                               "higher-order gradients")
        if expr is not None:
            tr.cexpr[out] = expr
        born[out] = len(born)
        return out
    return traced_node


def _init_hook(tr: _Trace, init: Callable[..., None]) -> Callable[..., None]:
    """``Value.__init__`` while tracing: a leaf made inside ``fn``, and its number."""

    def traced_init(self: Value, data: Any, label: str = "") -> None:
        tr.settle()
        init(self, data, label)
        tr.created[self] = tr.take(self._data) or ("k", self._data)
        tr.born[self] = len(tr.born)
    return traced_init


def _traced_compare(sym: str) -> Callable[[Value, Any], Any]:
    def method(self: Value, other: Any) -> Any:
        o = other.data if isinstance(other, Value) else other
        return _CMP[sym](self.data, o) if _operand(o) is not None else NotImplemented
    return method


def _traced_call(name: str) -> Callable[..., Any]:
    real = _REAL[name]

    def call(*args: Any, **kw: Any) -> Any:
        items = list(args[0]) if name in ("max", "min") and len(args) == 1 else list(args)
        ops_ = [_operand(i) for i in items]
        if kw or not any(map(_live, items)) or None in ops_:
            return real(items, **kw) if len(args) == 1 and name in ("max", "min") else real(
                *items, **kw)
        pairs = [o for o in ops_ if o is not None]
        return _Num(real(*(o[0] for o in pairs)), ("f", name, tuple(o[1] for o in pairs)),
                    _TRACE[-1])
    return call


def _hooks(tr: _Trace) -> list[tuple[Any, str, Any]]:
    data = property(lambda v: _Num(v._data, ("v", v), tr), Value.data.fset)  # type: ignore[attr-defined]
    detach = lambda v: Value(_Num(v._data, ("v", v), tr), v._label)  # type: ignore[arg-type]
    hooks = [(_v, "_node", _node_hook(tr, _v._node)),
             (Value, "__init__", _init_hook(tr, Value.__init__)),
             (Value, "data", data), (Value, "detach", detach),
             (builtins, "max", _traced_call("max")), (builtins, "min", _traced_call("min"))]
    hooks += [(Value, f"__{n}__", _traced_compare(s))
              for s, n in (("<", "lt"), ("<=", "le"), (">", "gt"), (">=", "ge"))]
    return hooks + [(math, f, _traced_call(f"math.{f}")) for f in _MATH]


def _refuse_no_grad() -> None:
    if not _v.GRAD_ENABLED.get():
        raise RuntimeError("compile: gradients are disabled (inside engine.no_grad()), and a "
                           "compiled step computes them; compile and call it outside the "
                           "no_grad block")


def _refuse_nesting() -> None:
    """A compiled step or ``compile`` called by the very ``fn`` being traced: refused."""
    if _TRACE and _TRACE[-1].thread == threading.get_ident():
        raise _Nested("compile: fn called engine.compile or a compiled step while it was "
                      "being traced; a step's gradients are a side effect that a trace cannot "
                      "replay: call the inner step outside fn, or its fn inside this one")


def _trace(fn: Callable[..., Any], key: Any, flat: list[Any]) -> tuple[Any, _Trace]:
    """Run ``fn`` on the inputs of ``key`` and ``flat`` with the hooks in place; the result
    and what was recorded."""
    _refuse_nesting()
    with _LOCK:
        tr = _Trace()
        at = [0]
        args = [_rebuild(k, flat, at, tr) for k in key]
        _TRACE.append(tr)
        hooks = _hooks(tr)
        saved = [(obj, name, obj.__dict__[name]) for obj, name, _ in hooks]
        try:
            for obj, name, new in hooks:
                setattr(obj, name, new)
            out = fn(*args)
            tr.settle()
        finally:
            for obj, name, old in saved:
                setattr(obj, name, old)
            _TRACE.pop()
    return out, tr


# --- reading the traced graph ------------------------------------------------------------

def _order(root: Value) -> tuple[list[Value], dict[Value, int]]:
    """``topological_order(root)``'s exact walk, and where each node's own block starts."""
    order: list[Value] = []
    start = {root: 0}
    stack = [root]
    push, done = stack.append, order.append
    while stack:
        node = stack[-1]
        x = node._x
        if x is not None and x not in start:
            start[x] = len(order)
            push(x)
            continue
        y = node._y
        if y is not None and y not in start:
            start[y] = len(order)
            push(y)
            continue
        done(stack.pop())
    return order, start


def _refs(e: Any, out: list[Any]) -> list[Any]:
    """The Values and input slots an expression reads, in order."""
    if e[0] in ("v", "i"):
        out.append(e[1] if e[0] == "v" else e)
    elif e[0] in ("b", "c"):
        _refs(e[2], out), _refs(e[3], out)
    elif e[0] == "u":
        _refs(e[2], out)
    elif e[0] == "f":
        for a in e[2]:
            _refs(a, out)
    return out


def _reads(e: Any, pos: dict[Value, int]) -> list[Value]:
    """The Values an expression reads, each a node of the traced graph."""
    rs = [r for r in _refs(e, []) if isinstance(r, Value)]
    for r in rs:
        if r not in pos:
            raise CompileError(f"compile: fn reads the number of {r!r}, which the result does "
                               f"not depend on: that number cannot be followed")
    return rs


def _render(e: Any, leaf: Callable[[Any], str]) -> str:
    kind = e[0]
    if kind == "b" or kind == "c":
        return f"({_render(e[2], leaf)} {e[1]} {_render(e[3], leaf)})"
    if kind == "u":
        return f"(-{_render(e[2], leaf)})"
    if kind == "f":
        return f"{e[1].replace('.', '_')}({', '.join(_render(a, leaf) for a in e[2])})"
    return leaf(e)


def _lit(x: Any) -> str:
    text = repr(x)
    return f"({text})" if text.startswith("-") else text


_LETTER = re.compile(r"\b(x|y|c|out)\b")
_CHECKS = {r.check.__name__: r.check for r in OPS if r.check is not None}
_RULE_ID = {r: i for i, r in enumerate(OPS)}


def _fill(text: str, names: dict[str, str]) -> str:
    return _LETTER.sub(lambda m: names[m.group(1)], text)


class _Block:
    """Forward and backward lines of some nodes; the caller gives every name."""

    def __init__(self) -> None:
        self.fwd: list[str] = []
        self.bwd: list[str] = []
        self.watch: list[str] = []   # forward names to test for inf/nan
        self.aux: dict[str, str] = {}
        self.started: set[str] = set()   # accumulators that hold a value already
        self.single: set[str] = set()    # accumulators with one term, set where it is known
        self.alias: dict[str, str] = {}  # ... and equal to another one (0.0 + g is g)

    def const(self, text: str, simple: bool) -> str:
        if simple:
            return text
        if text not in self.aux:   # one local per distinct expression
            self.aux[text] = f"e{len(self.aux)}"
            self.fwd.append(f"{self.aux[text]} = {text}")
        return self.aux[text]

    def forward(self, rule: Any, out: str, ins: list[str], c: str, watch: bool) -> None:
        names = {"x": ins[0], "y": ins[-1], "c": c, "out": out}
        if rule.check is not None:
            second = "None" if rule.args == "x" else (c if rule.args == "x, c" else ins[1])
            self.fwd.append(f"{rule.check.__name__}({ins[0]}, {second})")
        code = _fill(rule.forward, names)
        if rule in _GATES:
            code = code[:-3] + f"(0.0 if {ins[0]} > -1e999 else _bad())"
        self.fwd.append(f"{out} = {code}   # {rule.text}")
        if watch:
            self.watch.append(out)

    def backward(self, rule: Any, out: str, ins: list[str], c: str,
                 partials: tuple[str, ...] = ()) -> None:
        names = {"x": ins[0], "y": ins[-1], "c": c, "out": out}
        g = self.alias.get("g" + out, "g" + out)
        self.bwd.append(f"# {out} = {rule.text}: "
                        + ", ".join(f"d/d{v} = {f}" for v, f in zip("xy", rule.formulas)))
        for inp, partial in zip(ins, partials or rule.partials):
            p = _fill(partial, names)
            term = g if p == "1.0" else f"-{g}" if p == "-1.0" else f"({p}) * {g}"
            acc = "g" + inp
            if acc in self.single:   # no accumulator is ever -0.0, so 0.0 + g is g
                if term == g:
                    self.alias[acc] = g
                else:
                    self.bwd.append(f"{acc} = 0.0 + {term}")
                continue
            old = acc if acc in self.started else "0.0"
            self.started.add(acc)
            self.bwd.append(f"{acc} = {old} + {term}")

    def watch_lines(self, total: str) -> list[str]:
        w = self.watch
        return [f"{total} = {total} + ({' + '.join(w[i:i + 40])})" for i in range(0, len(w), 40)]


def _kid(key: Any) -> Any:
    """Slot keys compared across instances: Values by identity, numbers by their exact text."""
    if isinstance(key, Value):
        return id(key)
    return key if key[0] == "i" else ("k", repr(key[1]))


class _Instance:
    """One occurrence of a repeated block: its nodes (topological order) and its slots.

    Given the group's ``first`` instance, a block shaped like it takes its signature without
    building one (see ``_like``); any other block builds its own, to be compared in full.
    """

    def __init__(self, nodes: list[Value], tr: _Trace, guards: list[Any],
                 first: _Instance | None = None) -> None:
        self.nodes, self.root = nodes, nodes[-1]
        self.tape = 0   # where its values are kept between the passes
        self.template = 0
        self.exports: list[int] = []   # its nodes read outside it (besides its root)
        self.shape: tuple[Any, ...] | None = None
        self.keys: list[Any]
        self.sig: Any
        self.grad_slots: set[int]
        keys = None if first is None or guards else first._like(nodes, tr)
        if first is None or keys is None:
            self._canon(tr, guards)
        else:
            self.keys, self.sig, self.grad_slots = keys, first.sig, first.grad_slots
        self.accs = {self.keys[k] for k in self.grad_slots}

    def _canon(self, tr: _Trace, guards: list[Any]) -> None:
        """The signature: every node's row, inputs (a local index or a slot) and constant."""
        nodes = self.nodes
        local = {n: ("t", j) for j, n in enumerate(nodes)}
        keys: list[Any] = []
        seen: dict[Any, tuple[str, int]] = {}

        def ref(obj: Any) -> tuple[str, int]:
            k = id(obj) if isinstance(obj, Value) else _kid(obj)
            r = seen.get(k)
            if r is None:
                r = seen[k] = ("s", len(keys))
                keys.append(obj)
            return r

        def canon(e: Any) -> Any:
            kind = e[0]
            if kind in ("v", "i"):
                return local.get(e[1]) or ref(e[1]) if kind == "v" else ref(e)
            if kind == "k":   # each number its own slot (equal columns merge later)
                keys.append(e)
                return ("s", len(keys) - 1)
            if kind in ("b", "c"):
                return (kind, e[1], canon(e[2]), canon(e[3]))
            if kind == "u":
                return (kind, e[1], canon(e[2]))
            return (kind, e[1], tuple(canon(a) for a in e[2]))

        entries: list[tuple[int, Any, Any]] = []
        cexpr, rid, get = tr.cexpr, _RULE_ID, local.get
        n: Any
        for n in nodes:
            y, c = n._y, n._c
            ins = (get(n._x) or ref(n._x),) if y is None else (get(n._x) or ref(n._x),
                                                               get(y) or ref(y))
            if c is None:
                entries.append((rid[n._rule], ins, None))
            elif n in cexpr:
                entries.append((rid[n._rule], ins, canon(cexpr[n])))
            else:
                keys.append(("k", c))
                entries.append((rid[n._rule], ins, ("s", len(keys) - 1)))
        self.keys = keys
        self.grad_slots = {r[1] for e in entries for r in e[1] if r[0] == "s"}
        born = [tr.born[n] for n in nodes]
        ranks = tuple(sorted(range(len(nodes)), key=born.__getitem__))
        self.sig = (tuple(entries), ranks, tuple((canon(e), o) for e, o in guards))
        canon = None  # type: ignore[assignment]  # the closure refers to itself: free it now
        # A shape for the group's other blocks to be checked against (see _like), where the
        # constants are numbers or input numbers, and there are no guards.
        fromin = [n in cexpr for n in nodes]   # c is an input number ("i", k)
        if not guards and all(cexpr[n][0] == "i" for n in itertools.compress(nodes, fromin)):
            where: dict[Any, int] = {n: j for j, n in enumerate(nodes)}
            occ = [(j, 3 if f == 2 and fromin[j] else f, r[1])   # f: x, y, c or input c
                   for j, (_, ins, ce) in enumerate(entries)
                   for f, r in zip((0, 1, 2), (ins[0], ins[1:] and ins[1], ce))
                   if r and r[0] == "s"]
            first: dict[int, tuple[int, int, int]] = {}   # slot -> its first occurrence
            for o in occ:
                first.setdefault(o[2], o)
            self.shape = ([n._rule for n in nodes], [where.get(n._x) for n in nodes],
                          [where.get(n._y) for n in nodes], fromin, list(first.values()),
                          [o for o in occ if first[o[2]] is not o],   # the repeated ones
                          # slots of a Value (hashed by identity) or input number: distinct
                          [k for k, o in first.items() if o[1] != 2], ranks)

    def _like(self, nodes: list[Value], tr: _Trace) -> list[Any] | None:
        """The slots of a block shaped like this one, or None if it may differ.

        The same signature, checked on lists: the same rows, the same local inputs, the same
        creation order, constants of the same kinds, and its outside inputs in the same
        pattern (one Value or input number per slot, a different one for each slot).
        """
        if self.shape is None or len(nodes) != len(self.nodes):
            return None
        rules, lx, ly, fromin, firsts, repeats, distinct, ranks = self.shape
        where: dict[Any, int] = {n: j for j, n in enumerate(nodes)}
        if ([n._rule for n in nodes] != rules or [where.get(n._x) for n in nodes] != lx
                or [where.get(n._y) for n in nodes] != ly):
            return None
        cexpr, born = tr.cexpr, tr.born
        if cexpr and ([n in cexpr for n in nodes] != fromin or any(
                cexpr[n][0] != "i" for n in itertools.compress(nodes, fromin))):
            return None
        seq = [born[nodes[j]] for j in ranks]
        if seq != sorted(seq):
            return None
        keys = list(self.keys)
        for j, f, k in firsts:   # each slot from its first occurrence (a row has c or not)...
            n = nodes[j]
            keys[k] = n._x if f == 0 else n._y if f == 1 else ("k", n._c) if f == 2 else cexpr[n]

        def at(j: int, f: int) -> Any:
            return nodes[j]._x if f == 0 else nodes[j]._y if f == 1 else cexpr[nodes[j]]

        if any(keys[k] != at(j, f) if f == 3 else keys[k] is not at(j, f) for j, f, k in repeats
               ) or len(set(map(keys.__getitem__, distinct))) != len(distinct):
            return None   # ...must be what every other one reads, and slots differ
        return keys


def _candidate(n: Value, pos: dict[Value, int], start: dict[Value, int],
               icount: list[int]) -> tuple[int, int, int, Value]:
    """A node's place among the candidate blocks: larger first, by row, last first."""
    return -(icount[pos[n] + 1] - icount[start[n]]), _RULE_ID[n._rule], -pos[n], n  # type: ignore[index]


class _Names(dict):  # type: ignore[type-arg]
    """Readable names for the Values of the generated code, made when first asked for."""

    def __init__(self, pos: dict[Value, int]) -> None:
        super().__init__()
        self.pos = pos

    def __missing__(self, v: Value) -> str:
        self[v] = name = self.name(v, "n", self.pos[v])
        return name

    @staticmethod
    def name(v: Value, prefix: str, n: int) -> str:
        label = v.label
        ok = label.isidentifier() and label.isascii() and not label.startswith("_")
        return f"{label}_{n}" if ok else f"{prefix}{n}"


class _Program:
    """The generated code of one trace, compiled, and what is needed to call it."""

    def __init__(self, root: Value, tr: _Trace, inputs: list[Any]) -> None:
        order, start = _order(root)
        pos = dict(zip(order, itertools.count()))
        self.root, self.names = root, _Names(pos)
        self.refs: list[int] | None = None   # the parameters' reference counts, first call
        self.taped: dict[int, int] = {}
        self.n_inputs = len(inputs)
        slot_of = {v: k for k, v in enumerate(inputs) if isinstance(v, Value)}
        leaves = [n for n in order if n._rule is None]
        self.params = [n for n in leaves if n not in slot_of and n not in tr.created]
        self.value_inputs = [(k, v) for k, v in enumerate(inputs) if v in pos]
        self.names.update((p, _Names.name(p, "p", j)) for j, p in enumerate(self.params))
        for k, v in slot_of.items():
            self.names[v] = f"i{k}"
        created = [n for n in leaves if n in tr.created]
        self.names.update((n, _Names.name(n, "l", j)) for j, n in enumerate(created))
        interior = [n for n in order if n._rule is not None]
        new_rows = sorted({n.op for n in interior if n.rule not in _RULE_ID})
        if new_rows:
            raise CompileError(f"compile: the row {new_rows[0]!r} was made after engine was "
                               f"imported (defop or Rule at run time); code is written for the "
                               f"rows of engine.ops only, so the step runs the normal engine")
        # Where each node's number is last needed: by a node, a constant, or a guard.
        INF = len(order)
        last = pos.copy()
        exposed: set[Value] = {root}   # values to test for inf/nan themselves
        for i, n in enumerate(order):
            x = n._x
            if x is not None:
                last[x] = i
                y = n._y
                if y is not None:
                    last[y] = i
                if n._rule in _EXPOSING:   # a row that does not pass inf/nan on
                    exposed.add(x)
                    if y is not None:
                        exposed.add(y)
        for n, e in tr.cexpr.items():
            for r in _reads(e, pos) if n in pos else ():
                last[r] = max(last[r], pos[n])
                exposed.add(r)
        for n in created:
            for r in _reads(tr.created[n], pos):
                last[r] = INF
                exposed.add(r)
        gpos = []
        for e, _ in tr.guards:
            rs = _reads(e, pos)
            at = max((pos[r] for r in rs if r._rule is not None), default=-1)
            gpos.append(at)
            for r in rs:
                last[r] = max(last[r], at)
                exposed.add(r)
        self.exposed = exposed
        self.pos, self.start, self.last = pos, start, last
        icount = self.icount = [0, *itertools.accumulate([n._rule is not None for n in order])]
        # Repeated blocks, outermost (largest) first: the nodes of one row whose DFS blocks
        # hold as many nodes are candidates, and their signatures must agree (the end of a
        # cross-entropy, which picks each sample's class, does not).
        placed = sorted((at, i) for i, at in enumerate(gpos) if at >= 0)   # guards by node
        gat = [at for at, _ in placed]
        owner: dict[Value, _Instance] = {}   # the nodes of a block that are read outside it
        inside = bytearray(len(interior))    # 1 for the interior nodes of accepted blocks
        self.templates: list[list[_Instance]] = []

        # DFS blocks nest: the candidates are the nodes in no accepted block, found from the
        # root down, largest first (a heap); a node's block holds its inputs' blocks that
        # start inside it.
        heap = [_candidate(root, pos, start, icount)] if root._rule is not None else []
        while heap:
            key, members = heap[0][:2], []
            while heap and heap[0][:2] == key:   # one row, one size: in reverse order
                members.append(heapq.heappop(heap)[3])
            insts: list[_Instance] = []
            for n in members if len(members) > 1 and -key[0] <= MAX_BLOCK else ():
                at, a = pos[n], start[n]
                block = interior[icount[a]:icount[at + 1]]
                exports = [j for j, m in enumerate(block[:-1]) if last[m] > at]  # read outside
                inst = None
                if len(exports) <= min(64, len(block) // 2):
                    guards = [tr.guards[i] for _, i in placed[bisect.bisect_left(gat, a):
                                                               bisect.bisect_right(gat, at)]]
                    inst = _Instance(block, tr, guards, insts[0] if insts else None)
                # A group whose blocks differ, or read a number computed after them (a
                # constant from data), gives way to the smaller blocks inside it.
                if inst is None or (insts and inst.sig != insts[0].sig) or any(
                        isinstance(k, Value) and pos[k] > at for k in inst.keys):
                    insts = []
                    break
                if insts:   # one copy of what the instances share
                    inst.sig, inst.grad_slots = insts[0].sig, insts[0].grad_slots
                inst.exports = exports
                insts.append(inst)
            if len(insts) > 1:
                for inst in insts:
                    inst.template = len(self.templates)
                    owner.update((inst.nodes[j], inst) for j in [*inst.exports, -1])
                    a = icount[start[inst.root]]
                    inside[a:a + len(inst.nodes)] = b"\1" * len(inst.nodes)
                self.templates.append(insts)
                continue
            for n in members:
                for m in (n._x, n._y) if n._y is not n._x else (n._x,):
                    if m is not None and m._rule is not None and pos[m] >= start[n]:
                        c = _candidate(m, pos, start, icount)
                        if -c[0] >= MIN_BLOCK:
                            heapq.heappush(heap, c)
        self.early = [g for g, at in zip(tr.guards, gpos) if at < 0]   # inputs only: first
        self.guards = [g for g, at in zip(tr.guards, gpos) if at >= 0 and not inside[icount[at]]]
        # What the code is written in: the nodes of no block, and one item per block.
        units = sorted([*itertools.compress(interior, map(operator.not_, inside)),
                        *(i.root for insts in self.templates for i in insts)], key=pos.__getitem__)
        self.source, glob = self._generate(units, created, owner, tr)
        # Free what only the generation needed before compile() builds its own trees.
        del order, start, pos, last, owner, inside, interior, icount, units
        self.pos = self.start = self.last = self.exposed = self.icount = None  # type: ignore[assignment]
        for insts in self.templates:
            for inst in insts:
                inst.nodes, inst.sig = [], None
        tr.born.clear()
        tr.cexpr.clear()
        exec(builtins.compile(self.source, "<engine.compile>", "exec"), glob)
        self.run = glob["run"]

    def _shape_of(self, first: _Instance) -> tuple[set[int], dict[int, int]]:
        """Which values of a template to test for inf/nan, and its skippable blocks."""
        nodes, pos, last = first.nodes, self.pos, self.last
        base = self.icount[self.start[first.root]]
        watch = {len(nodes) - 1} | {j for j, n in enumerate(nodes) if n in self.exposed}
        skips = {}
        for j, n in enumerate(nodes):
            rule = n.rule
            if rule is None or rule.arity != 1 or not _ZERO_ELSE.match(rule.partials[0]):
                continue
            a = self.icount[self.start[n]] - base
            block = nodes[a:j + 1]
            if all(m.op in _FINITE for m in block) and all(last[m] <= pos[n] for m in block[:-1]):
                skips[j] = a
        return watch, skips

    def _leaf_text(self, e: Any) -> str:
        if e[0] == "v":
            return str(self.names[e[1]])
        return f"i{e[1]}" if e[0] == "i" else _lit(e[1])

    def _key_text(self, key: Any) -> str:
        return self.names[key] if isinstance(key, Value) else self._leaf_text(key)

    def _template(self, t: int, first: _Instance, watch: set[int], skips: dict[int, int]) -> str:
        entries, ranks, guards = first.sig
        fixed = self.fixed[t]
        keys = first.keys
        lits = {k: _lit(keys[k][1]) for k in range(len(keys))
                if fixed[k] and isinstance(keys[k], tuple) and keys[k][0] == "k"}
        alias = self.alias[t]

        def name(r: Any) -> str:
            return f"t{r[1]}" if r[0] == "t" else lits.get(r[1], f"s{alias[r[1]]}")

        b = _Block()
        root = len(entries) - 1

        def node_args(j: int) -> tuple[Any, str, list[str], str]:
            rid, ins, ce = entries[j]
            rule = OPS[rid]
            c = "" if ce is None else b.const(_render(ce, name), ce[0] in ("t", "s"))
            return rule, f"t{j}", [name(r) for r in ins], c

        for j in ranks:
            b.forward(*node_args(j), j in watch)
        gslots = sorted(first.grad_slots)
        # Every accumulator starts at 0.0 (the same as the engine's 0.0 + first term), so a
        # block whose gradient is exactly 0 (behind a relu that is off) adds ±0 to them,
        # which changes nothing: it is skipped, unless its gradient is inf or nan.
        inner = [-1] * len(entries)   # the innermost skippable block of each node
        for j, a in sorted(skips.items(), key=lambda ja: ja[1] - ja[0]):
            for i in range(a, j + 1):
                inner[i] = j if inner[i] < 0 else inner[i]
        edges = [0] * len(entries)
        reader = [-1] * len(entries)
        for j, (_, ins_, _) in enumerate(entries):
            for r in ins_:
                if r[0] == "t":
                    edges[r[1]] += 1
                    reader[r[1]] = j
        ex = self.out[t]
        b.single = {f"gt{j}" for j in range(root)
                    if edges[j] == 1 and inner[reader[j]] == inner[j] and j not in ex}
        b.started = {f"gt{j}" for j in range(root + 1)} | {f"gs{k}" for k in gslots}
        rest = [f"gt{j}" for j in range(root) if f"gt{j}" not in b.single and j not in ex]
        bwd_lines = [" = ".join([*rest, "0.0"])] if rest else []
        stack: list[tuple[int, str]] = []
        opens: dict[int, str] = {}   # the test of each skippable block, by its node

        def close() -> None:   # the end of a skipped block: its gradient must be finite
            bwd_lines.append("    " * (len(stack) - 1)
                             + f"elif not -1e999 < {stack.pop()[1]} < 1e999: raise _Bad")

        for j in reversed(range(len(entries))):
            while stack and j < stack[-1][0]:
                close()
            rule, out, ins, c = node_args(j)
            known: tuple[str, ...] = ()
            if j in skips:   # inside the test the row's partial is its first branch
                then, cond = _ZERO_ELSE.match(rule.partials[0]).groups()  # type: ignore[union-attr]
                cond = opens[j] = _fill(cond, {"x": ins[0], "y": ins[0], "c": c, "out": out})
                bwd_lines.append("    " * len(stack) + f"if {cond}:")
                stack.append((skips[j], b.alias.get("g" + out, "g" + out)))
                known = (then,)
            b.bwd = []
            b.backward(rule, out, ins, c, known)
            bwd_lines += ["    " * len(stack) + line for line in b.bwd]
        while stack:
            close()
        b.bwd = bwd_lines
        made = {line.split(" = ")[0] for line in b.fwd if " = " in line}
        used = re.findall(r"\b[te]\d+\b", "\n".join(x for x in b.bwd if x.lstrip()[0] != "#"))
        tape = sorted(made & set(used), key=lambda s: (s[0], int(s[1:])))
        guard_lines = [f"if {'not ' if o else ''}{_render(e, name)}: raise _Retrace"
                       for e, o in guards]
        b.fwd = _fuse(b.fwd, {*tape, *b.watch, f"t{root}", *(f"t{j}" for j in ex), *re.findall(
            r"\b[te]\d+\b", "\n".join(guard_lines))})
        F = [f"s{k}" for k in range(len(keys)) if fixed[k] and k not in lits]
        var = [f"s{k}" for k in range(len(keys)) if not fixed[k] and alias[k] == k]
        A = [f"gs{k}" for k in gslots if fixed[k]]
        VA = [f"gs{k}" for k in gslots if not fixed[k]]
        ind = "        "
        # Locals are numbered in order of appearance, and those past 255 cost an extra
        # instruction each time: the ones read for every sample come first.
        word = re.compile(r"\b[stge]+\d+\b")
        hot = list(dict.fromkeys(word.findall("\n".join(b.fwd))))
        fwd = [f"def T{t}_fwd(F, rows, tape):", "    ok = 0.0",
               "    " + " = ".join([*var, *hot, "None"]), f"    {_tup(F)} = F", "    out = []",
               f"    for {_tup(var)} in rows:"]
        fwd += [ind + line for line in b.fwd + b.watch_lines("ok")]
        fwd += [ind + line for line in guard_lines]
        # A root behind a gate (a relu) that hands out nothing else: where the gate is shut,
        # the sample has no backward pass at all, and its values are not kept for one.
        gate = opens[root] if skips.get(root) == 0 and not ex else None
        taped = _tup(tape) if gate is None else f"{_tup(tape)} if {gate} else None"
        fwd += [ind + f"tape.append({taped})",
                ind + f"out.append({_tup([f't{j}' for j in [*ex, root]])})",
                "    return out, ok", ""]
        hot = [x for x in dict.fromkeys(word.findall("\n".join(
            x for x in b.bwd if x.lstrip()[0] != "#"))) if not x.startswith(("s", "gs"))]
        bwd = [f"def T{t}_bwd(F, A, rows, tape, order, groots, VA):",
               "    " + " = ".join([*var, *tape, *hot, "None"]), f"    {_tup(F)} = F",
               f"    {_tup(A)} = A", "    new = []",
               f"    for k, {_tup([f'gt{j}' for j in [*ex, root]])}, {_tup(VA)} in zip(order, "
               "groots, VA):"]
        if gate is not None:
            bwd += ["        kept = tape[k]", "        if kept is None:",
                    f"            if not -1e999 < gt{root} < 1e999: raise _Bad",
                    f"            new.append({_tup(VA)})", "            continue"]
        bwd += [f"        {_tup(var)} = rows[k]",
                f"        {_tup(tape)} = {'tape[k]' if gate is None else 'kept'}"]
        bwd += [ind + line for line in b.bwd]
        bwd += [ind + f"new.append({_tup(VA)})", f"    return {_tup(A)}, new", ""]
        return "\n".join(fwd + bwd)

    def _generate(self, units: list[Value], created: list[Value], owner: dict[Value, _Instance],
                  tr: _Trace) -> tuple[str, dict[str, Any]]:
        glob: dict[str, Any] = {**ON_FLOATS, **_CHECKS, "_Retrace": _Retrace, "_bad": _bad,
                                "_Bad": ArithmeticError, "float": float,
                                **{k.replace(".", "_"): f for k, f in _REAL.items()}}
        names = self.names
        parts: list[str] = []
        fixed: list[list[bool]] = []
        self.fixed = fixed   # per template: which slots are the same in every instance
        self.alias: list[list[int]] = []
        self.out: list[list[int]] = []   # per template: the nodes it hands out, root last
        for t, insts in enumerate(self.templates):
            first = insts[0]
            columns = [(_kid(col[0]),) * len(col) if len(set(map(id, col))) == 1   # a parameter
                       else tuple(map(_kid, col)) for col in zip(*(i.keys for i in insts))]
            fixed.append([len(set(col)) == 1 for col in columns])
            seen: dict[Any, int] = {}   # slots equal in every instance are one slot
            self.alias.append([seen.setdefault(col, k) for k, col in enumerate(columns)])
            self.out.append(sorted({j for i in insts for j in i.exports}))
            parts.append(self._template(t, first, *self._shape_of(first)))
        b = _Block()
        lines = [f"    {_tup([names[p] for p in self.params])} = P",
                 f"    {_tup([f'i{k}' for k in range(self.n_inputs)])} = I", "    ok = 0.0"]
        lines += [f"    TAPE{t}, ROWS{t} = [], ()" for t in range(len(self.templates))]
        lines += [f"    if {'not ' if o else ''}{_render(e, self._leaf_text)}: raise _Retrace"
                  for e, o in self.early]
        # Forward, level by level (any order that respects the data gives the same numbers):
        # the instances of a template that are ready together run in one loop.
        todo = sorted([*created, *units], key=tr.born.__getitem__)
        wanted = set(todo)

        def deps(v: Value) -> set[Value]:
            inst = owner.get(v)
            refs = (set(inst.keys) if inst is not None else   # Values, and numbers (no match)
                    {*v.inputs, *_refs(tr.cexpr.get(v, tr.created.get(v, ("k",))), [])})
            return (refs & wanted) | {owner[d].root for d in owner.keys() & refs}

        dep = {v: deps(v) for v in todo}
        level: dict[Value, int] = {}   # each item one level past the items it reads
        for v in todo:
            stack, busy = [(v, iter(dep[v]))], {v}
            while stack:
                u, it = stack[-1]
                for d in it:
                    if d in busy:
                        raise CompileError("compile: the repeated blocks read each other")
                    if d not in level:
                        busy.add(d)
                        stack.append((d, iter(dep[d])))
                        break
                else:
                    stack.pop()
                    busy.discard(u)
                    level[u] = 1 + max((level[d] for d in dep[u]), default=0)
        def group(item: tuple[int, Any]) -> tuple[int, int]:   # a level's loops, then nodes
            return item[0], item[1].template if isinstance(item[1], _Instance) else -1

        items: list[tuple[int, Any]] = sorted(((level[v], owner.get(v, v)) for v in todo),
                                              key=group)
        for (_, t), run in itertools.groupby(items, key=group):
            if t >= 0:
                lines += self._forward_group(t, [inst for _, inst in run], glob)
                continue
            for _, item in run:
                if item.rule is None:
                    b.fwd.append(f"{names[item]} = "
                                 f"float({_render(tr.created[item], self._leaf_text)})")
                    b.watch.append(names[item])
                    continue
                ce = tr.cexpr.get(item)
                c = ("" if item.rule.args != "x, c" else _lit(item.param) if ce is None
                     else b.const(_render(ce, self._leaf_text), ce[0] in ("v", "i", "k")))
                b.forward(item.rule, names[item], [names[i] for i in item.inputs], c,
                          item in self.exposed)
            lines += ["    " + line for line in b.fwd]
            b.fwd = []
        lines += ["    " + line for line in b.watch_lines("ok")]
        lines += [f"    if {'not ' if o else ''}{_render(e, self._leaf_text)}: raise _Retrace"
                  for e, o in self.guards]
        # Backward, in the engine's order; an instance's loop may move past nodes that
        # touch none of its accumulators.
        leaves = [*self.params, *created, *(v for _, v in self.value_inputs)]
        b.started = {"g" + names[v] for v in leaves} | {"g" + names[self.root]}
        lines.append(f"    g{names[self.root]} = 1.0")
        lines += [f"    g{names[v]} = 0.0" for v in leaves if v is not self.root]
        # A value read by one node, and by no instance, takes its one term as it is.
        reads = Counter(i for n in todo if n._rule is not None for i in n.inputs)
        read_by_loops = {v for insts in self.templates for i in insts for v in i.accs}
        b.single = {"g" + names[v] for v, k in reads.items()
                    if k == 1 and v._rule is not None and v not in owner
                    and v not in read_by_loops}
        shared = [{insts[0].keys[k] for k in insts[0].grad_slots if fixed[t][k]}
                  for t, insts in enumerate(self.templates)]
        segments: list[Any] = []
        batch: list[_Instance] = []
        accs: set[Any] = set()
        pre: list[Value] = []
        for n in reversed(units):
            inst = owner.get(n)
            if batch:
                t = batch[0].template
                if inst is not None and inst.template == t and n not in accs \
                        and not any(inst.nodes[j] in accs for j in inst.exports) \
                        and inst.accs & accs <= shared[t]:   # one loop adds to one copy
                    batch.append(inst)
                    accs |= inst.accs
                    continue
                if inst is None and n not in accs and not accs & set(n.inputs):
                    pre.append(n)
                    continue
                segments += [*pre, batch]
                batch, pre, accs = [], [], set()
            if inst is None:
                segments.append(n)
            else:
                batch, accs = [inst], set(inst.accs)
        segments += [*pre, batch] if batch else pre
        for seg in segments:
            if isinstance(seg, list):
                lines += ["    " + line for line in b.bwd]
                b.bwd = []
                lines += self._backward_batch(seg, seg[0].template, b)
                continue
            ce = tr.cexpr.get(seg)
            c = ("" if seg.rule.args != "x, c" else _lit(seg.param) if ce is None
                 else b.const(_render(ce, self._leaf_text), ce[0] in ("v", "i", "k")))
            b.backward(seg.rule, names[seg], [names[i] for i in seg.inputs], c)
        lines += ["    " + line for line in b.bwd]
        grads = [f"g{names[v]}" for v in leaves]
        lines += [f"    chk = {' + '.join(grads[i:i + 40]) or '0.0'}" if i == 0 else
                  f"    chk = chk + {' + '.join(grads[i:i + 40])}"
                  for i in range(0, max(len(grads), 1), 40)]
        lines.append(f"    return {names[self.root]}, ok + chk, "
                     f"{_tup(grads[:len(self.params)])}, "
                     f"{_tup(grads[len(self.params) + len(created):])}")
        if len(lines) + sum(part.count("\n") for part in parts) > MAX_LINES:
            raise CompileError(f"compile: the graph has too little repetition: its code would "
                               f"take more than {MAX_LINES:,} lines; running the normal engine")
        source = "\n".join([*parts, "def run(P, I):", *lines, ""])
        return source, glob

    def _forward_group(self, t: int, group: list[_Instance], glob: dict[str, Any]) -> list[str]:
        keys = self.templates[t][0].keys
        var = [k for k in range(len(keys)) if not self.fixed[t][k] and self.alias[t][k] == k]
        if all(isinstance(i.keys[k], tuple) and i.keys[k][0] == "k" for i in group for k in var):
            rows = f"K{len(glob)}"   # numbers of the trace: one constant
            glob[rows] = tuple(tuple(i.keys[k][1] for k in var) for i in group)
        else:
            rows = "(" + "".join(_tup([self._key_text(i.keys[k]) for k in var]) + ", "
                                 for i in group) + ")"
        for i in group:
            i.tape = self.taped[t] = self.taped.get(t, -1) + 1
        return [f"    rows = {rows}", f"    out, okt = T{t}_fwd({self._fixed(t)}, rows, TAPE{t})",
                "    ok = ok + okt", f"    ROWS{t} = ROWS{t} + rows",
                f"    {_tup([self._outs(t, i) for i in group])} = out"]

    def _fixed(self, t: int) -> str:
        """The arguments every instance of a template shares (not numbers: written in)."""
        keys = self.templates[t][0].keys
        return _tup([self._key_text(keys[k]) for k in range(len(keys)) if self.fixed[t][k]
                     and not (isinstance(keys[k], tuple) and keys[k][0] == "k")])

    def _outs(self, t: int, inst: _Instance, prefix: str = "") -> str:
        """The names of what an instance hands out: its exports, then its root."""
        return _tup([prefix + self.names[inst.nodes[j]] for j in [*self.out[t],
                                                                  len(inst.nodes) - 1]])

    def _backward_batch(self, batch: list[_Instance], t: int, b: _Block) -> list[str]:
        first, names, fixed = self.templates[t][0], self.names, self.fixed[t]
        keys, gslots = first.keys, sorted(first.grad_slots)
        lines = []
        own = [k for k in gslots if not fixed[k]]   # the others hold the same Value in all
        for i, inst in enumerate(batch):
            for v in [*(inst.nodes[j] for j in self.out[t]),
                      *(inst.keys[k] for k in (own if i else gslots))]:
                acc = "g" + names[v]
                if acc not in b.started:
                    b.started.add(acc)
                    lines.append(f"    {acc} = 0.0")
        A = _tup(["g" + names[keys[k]] for k in gslots if fixed[k]])
        VA = [_tup(["g" + names[i.keys[k]] for k in own]) for i in batch]
        order = _tup([str(i.tape) for i in batch])
        roots = _tup([self._outs(t, i, "g") for i in batch])
        lines.append(f"    {A}, new = T{t}_bwd({self._fixed(t)}, {A}, ROWS{t}, TAPE{t}, {order}, "
                     f"{roots}, {_tup(VA)})")
        if any(v != "()" for v in VA):
            lines.append(f"    {_tup(VA)} = new")
        return lines


def _fuse(lines: list[str], keep: set[str], depth: int = 40) -> list[str]:
    """Write a value read once, and nowhere else, into its reader's expression."""
    word = re.compile(r"\b[te]\d+\b")
    uses: dict[str, int] = {}
    for line in lines:
        for w in word.findall(line.split(" = ", 1)[-1].split("   #")[0]):
            uses[w] = uses.get(w, 0) + 1
    inline: dict[str, tuple[str, int]] = {}
    out = []
    for line in lines:
        head, _, rest = line.partition(" = ")
        if not rest or not word.fullmatch(head):
            out.append(word.sub(lambda m: inline.pop(m.group(0), (m.group(0), 0))[0], line))
            continue
        expr, _, note = rest.partition("   #")
        d = 1 + max((inline[w][1] for w in word.findall(expr) if w in inline), default=0)
        expr = word.sub(lambda m: inline.pop(m.group(0), (m.group(0), 0))[0], expr)
        if uses.get(head, 0) == 1 and head not in keep and d < depth:
            inline[head] = (f"({expr})", d)
        else:
            out.append(f"{head} = {expr}" + (f"   #{note}" if note else ""))
    return out


def _tup(names: list[str]) -> str:
    return "(" + ", ".join(names) + ("," if names else "") + ")"


# --- the step ----------------------------------------------------------------------------

def _walk(x: Any, flat: list[Any], where: str) -> Any:
    """The structure of one argument (its key), its numbers and Values appended to ``flat``."""
    if isinstance(x, Value):
        if x.rule is not None:
            raise TypeError(f"compile: {where} must be a leaf Value (no graph behind it), got "
                            f"{x!r} made by {x.op!r}")
        flat.append(x)
        return "V"
    if isinstance(x, (list, tuple)) or (hasattr(x, "tolist") and getattr(x, "ndim", 0) > 0):
        items = x.tolist() if hasattr(x, "tolist") else x
        return (type(items).__name__, *(_walk(e, flat, f"{where}[{i}]")
                                        for i, e in enumerate(items)))
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return ("int", int(x))   # a whole number is structure (a class index): not traced
    if isinstance(x, (str, bytes, bool, dict)) or x is None or not (
            isinstance(x, numbers.Real) or hasattr(x, "dtype")):
        raise TypeError(f"compile: {where} must be a number, a Value or a list of them, "
                        f"got {type(x).__name__}")
    flat.append(_v._to_float(x, f"compile: {where}"))
    return "f"


def _rebuild(key: Any, flat: list[Any], at: list[int], tr: _Trace) -> Any:
    if key == "V" or key == "f":
        at[0] += 1
        x = flat[at[0] - 1]
        return x if key == "V" else _Num(x, ("i", at[0] - 1), tr)
    if key[0] == "int":
        return key[1]
    items = [_rebuild(k, flat, at, tr) for k in key[1:]]
    return items if key[0] == "list" else tuple(items)


class CompiledStep:
    """``fn``'s forward and backward pass as generated code; see :func:`compile`.

    Attributes:
        source: the generated code of the last trace (a str).
        graph: the traced result, a Value (for ``draw_dot`` or ``Stepper``).
        parameters: the leaf Values that receive gradients (not the inputs).
        retraces, fallbacks: how many calls traced ``fn`` again, and how many ran the normal
            engine instead of the code (an error, a number that is not finite).
        reason: why the step runs the normal engine every time ("" when it does not).
    """

    def __init__(self, fn: Callable[..., Any], inputs: tuple[Any, ...]) -> None:
        if not callable(fn):
            raise TypeError(f"compile: fn must be callable, got {type(fn).__name__}")
        _refuse_no_grad()
        self.fn = fn
        self._versions: dict[Any, list[_Program] | str] = {}   # by input structure
        self._last: _Program | None = None
        self.retraces = self.fallbacks = 0
        self.reason = ""
        flat: list[Any] = []
        key = tuple(_walk(x, flat, f"input {i}") for i, x in enumerate(inputs))
        self._build(key, flat, inputs)
        self._count_holders()
        self.retraces = 0

    def _count_holders(self) -> None:
        # Who holds each parameter, counted once the trace's own temporaries are gone: a
        # parameter that later loses a holder (its model now holds a new object in its place)
        # makes the trace stale. (Counted the same way in __call__.)
        program = self._last
        if program is not None and program.refs is None:
            program.refs = list(map(sys.getrefcount, program.params))

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("compile: a compiled step cannot be copied or pickled (a copy would "
                        "send its gradients to copies of the parameters); compile fn again")

    @property
    def source(self) -> str:
        return self._last.source if self._last is not None else f"# not compiled: {self.reason}"

    @property
    def graph(self) -> Value | None:
        return None if self._last is None else self._last.root

    @property
    def parameters(self) -> list[Value]:
        return [] if self._last is None else list(self._last.params)

    def _build(self, key: Any, flat: list[Any], inputs: tuple[Any, ...]) -> Value | None:
        """Trace ``fn`` on these inputs and generate its code; the traced result."""
        self.retraces += 1
        collecting = gc.isenabled()
        gc.disable()  # a trace makes no reference cycles: the collector's passes are waste
        try:
            out, tr = _trace(self.fn, key, flat)
            if not isinstance(out, Value):
                raise TypeError(f"compile: fn must return a Value, got {_kind(out)}")
            program: _Program | str = _Program(out, tr, flat)
        except _Nested:
            raise
        except CompileError as err:
            program, out = str(err), None
        finally:
            if collecting:
                # Cycles that fn left behind may hold parameters; freed now, they cannot make
                # a parameter seem to lose a holder later (which would trace again).
                gc.collect(0)
                gc.enable()
        if self.retraces > MAX_RETRACES:
            program = ("compile: the traced graph kept changing (more than "
                       f"{MAX_RETRACES} retraces): running the normal engine")
        if isinstance(program, str):
            self._versions[key] = self.reason = program
        else:   # the newest first; at most MAX_VERSIONS traces of one input structure
            versions = self._versions.get(key)
            self._versions[key] = [program, *(versions if isinstance(versions, list) else [])
                                   ][:MAX_VERSIONS]
            self._last = program
        return out if isinstance(out, Value) else None

    def _engine(self, inputs: tuple[Any, ...]) -> float:
        self.fallbacks += 1
        out = self.fn(*inputs)
        if not isinstance(out, Value):
            raise TypeError(f"compile: fn must return a Value, got {_kind(out)}")
        out.backward()
        return out.data

    def __call__(self, *inputs: Any) -> float:
        _refuse_nesting()
        _refuse_no_grad()
        flat: list[Any] = []
        key = tuple(_walk(x, flat, f"input {i}") for i, x in enumerate(inputs))
        versions = self._versions.get(key, [])
        if isinstance(versions, str):
            return self._engine(inputs)
        numbers = [v._data if isinstance(v, Value) else v for v in flat]
        result = None
        program: _Program | None = None
        for program in list(versions):   # the first trace whose guards all hold
            refs = list(map(sys.getrefcount, program.params))
            if program.refs is None:
                program.refs = refs
            elif refs != program.refs and any(map(operator.lt, refs, program.refs)):
                # A parameter lost a holder (a model now holds a new object in its place):
                # this trace may be stale, so it goes.
                versions.remove(program)
                continue
            try:
                result = program.run(list(map(_DATA, program.params)), numbers)
            except _Retrace:
                continue
            except Exception:
                return self._engine(inputs)  # the engine raises its own error, or finds none
            self._last = program
            break
        if result is None or program is None:
            program = None   # (holds the parameters: released before they are counted)
            out = self._build(key, flat, inputs)
            if out is None:
                return self._engine(inputs)
            self._count_holders()
            out.backward()   # this call's result: the traced graph is the engine's own
            return out.data
        loss, chk, grads, gi = result
        leaves = program.params
        if program.value_inputs:
            leaves = [*leaves, *(flat[k] for k, _ in program.value_inputs)]
            grads = (*grads, *gi)
        try:  # a grad that is a Value (create_graph) makes this fail: the engine takes over
            totals = list(map(operator.add, map(_GRAD, leaves), grads))
            total = chk + loss + sum(totals)
            if type(total) is not float or not -math.inf < total < math.inf:
                raise ArithmeticError
        except Exception:
            return self._engine(inputs)
        for p, total in zip(leaves, totals):
            p._grad = total
        return float(loss)

    def check(self, *inputs: Any) -> bool:
        """Run this step and the normal engine on the same numbers; True, or a report.

        Gradients are compared from zero and every ``.grad`` is left as it was.
        """
        flat: list[Any] = []
        key = tuple(_walk(x, flat, f"input {i}") for i, x in enumerate(inputs))
        if key not in self._versions:
            self._build(key, flat, inputs)
        versions = self._versions[key]
        program = versions if isinstance(versions, str) else versions[0]
        out = self.fn(*inputs)
        if not isinstance(out, Value):
            raise TypeError(f"compile: fn must return a Value, got {_kind(out)}")
        leaves = [v for v in _order(out)[0] if v.rule is None]
        traced = program.params if isinstance(program, _Program) else leaves
        problems = [f"{v!r} is a leaf of fn's graph now but not of the trace (a parameter "
                    f"replaced by a new object?)" for v in set(leaves) - set(traced)
                    if not any(v is x for x in flat)]
        watched = list({id(v): v for v in [*traced, *leaves]}.values())
        saved = [v.grad for v in watched]
        try:
            for v in watched:
                v.grad = 0.0
            fallbacks = self.fallbacks
            got = [self(*inputs), *(v.grad for v in watched)]
            if self.fallbacks != fallbacks:
                problems.append("the compiled code could not run these inputs: the normal "
                                f"engine ran instead ({self.reason or 'an error or inf/nan'})")
            for v in watched:
                v.grad = 0.0
            out.backward()
            want = [out.data, *(v.grad for v in watched)]
        finally:
            for v, g in zip(watched, saved):
                v.grad = g
        for i, (a, b) in enumerate(zip(got, want)):
            if float(a).hex() != float(b).hex():
                what = "loss" if i == 0 else f"grad of {watched[i - 1]!r}"
                problems.append(f"{what}: compiled {a!r}, engine {b!r}")
        if problems:
            raise CompileError("compile check failed:\n  " + "\n  ".join(problems))
        return True


def compile(fn: Callable[..., Any], *example_inputs: Any) -> CompiledStep:
    """Trace ``fn(*example_inputs)`` once and generate its forward and backward pass as code.

    ``fn`` returns one scalar Value; its inputs are Values (leaves), numbers, or (nested)
    lists of numbers (whole numbers are structure, such as class indices: a new one traces
    again). ``step(*inputs)`` returns the loss as a float and adds ∂loss/∂p into ``p.grad``
    of every other leaf p of the graph (the parameters, read afresh at every call), equal to
    the last bit to ``fn(*inputs).backward()``. Without example inputs the data are
    constants of the trace. ``step.source`` is the code, ``step.graph`` the traced graph,
    ``step.check(*inputs)`` compares with the normal engine. In the code, a gradient that
    has one term is that term: below, ``n2 = n1 - 1`` hands ``gn2`` to ``n1`` unchanged.

    What the trace sees: the inputs, every ``.data`` and comparison read from the graph (a
    branch on them traces again when it would go the other way), and which leaves the
    graph uses (a parameter replaced in its model by a new object traces again, once the
    model lets go of the old one). What it cannot see is frozen at trace time: a global or
    closure variable that ``fn`` reads (change it, and compile again), ``random`` inside
    ``fn`` (a dropout mask is drawn once), and anything ``fn`` does besides computing (a
    print, a list it appends to: done once, while tracing). ``step.check(*inputs)`` runs
    the normal engine beside the code and names any difference. A step cannot be copied
    or pickled, cannot run inside ``engine.no_grad()`` (it computes gradients) and cannot
    be called by the ``fn`` of another compile.

    Examples:
        >>> from engine import Value
        >>> import engine
        >>> w = Value(0.5, label="w")
        >>> step = engine.compile(lambda x: (w * x - 1.0) ** 2, 3.0)
        >>> step(3.0), w.grad          # (0.5·3 − 1)² and 2·(0.5·3 − 1)·3
        (0.25, 3.0)
        >>> w.data = 1.0
        >>> step(2.0), w.grad          # new numbers, the same code; grads add up
        (1.0, 7.0)
        >>> print(step.source)  # doctest: +ELLIPSIS
        def run(P, I):
        ...
            n1 = w_0 * i0   # x * c
        ...
            # n1 = x * c: d/dx = c
            gw_0 = gw_0 + (i0) * gn2
        ...
        >>> step.check(2.0)
        True
    """
    return CompiledStep(fn, example_inputs)
