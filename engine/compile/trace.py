"""Tracing: run ``fn`` once, with traced numbers for its inputs, and watch the engine work.

``fn`` receives its input numbers as traced numbers (:mod:`engine.compile.traced`):
each behaves as the number it stands for (``isinstance(x, float)``, arithmetic, ``%``,
``round``, formatting), and records what is done with it. The engine tells the trace, through
:func:`engine.value.watching` (this thread only), every node and leaf it makes and every
``.data`` it is asked for, which comes back as a traced number too. So the trace sees:

- the graph, node by node, and which nodes were made inside ``fn`` (the others are read
  at every call: parameters, or nodes made before);
- arithmetic on numbers read from the graph or the inputs (a constant such as the max
  shift of a cross-entropy), and where such a number becomes a node's constant ``c`` or a
  ``Value(...)``: the engine converts it with ``float()``, and the float it gets is
  followed by identity, never matched by value;
- every decision taken on a traced number (a comparison, ``bool``, ``is_integer``), as a
  guard, tested again at every call; a number used as structure (an index, a length, a
  hash) is a guard that it stays the very same number.

What it cannot follow it says: a traced number converted with ``float()`` outside the
engine, or passed to C code (``math.exp``: use :mod:`engine.floats`, whose
functions the trace follows), becomes a guard on its exact value and a warning names the
place; a side effect on a Value (an assignment to ``.data`` or ``.grad``, a backward pass
inside ``fn``) makes the step run the normal engine, saying why.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from engine.compile.ir import Atom, Eqn, Lit, Program
from engine.compile.traced import CURRENT, Traced
from engine.ops import Rule
from engine.value import Value, topological_order, watching

__all__ = ["Trace", "run"]


class Trace:
    """What one run of ``fn`` showed: the engine's events in order, and the numbers.

    It is the watcher of :func:`engine.value.watching` while ``fn`` runs (its methods
    ``node``, ``leaf``, ``read``, ``write`` and ``backward``).
    """

    def __init__(self) -> None:
        self.events: list[Eqn] = []           # the equations, in the order they happened
        self.defs: list[Eqn] = []             # per variable: the equation that defines it
        self.numbered: list[int] = []         # nodes and leaves whose number is traced
        self.vars: dict[Value, int] = {}      # every Value seen, by identity: its variable
        self.kinds: list[str] = []            # per variable: n(ode), d(etached node), l(eaf),
        self.n = 0                            # p(aram), v(alue input), i(nput), x (a number)
        self.externals: list[Value] = []      # Values read, not made: parameters...
        self.handed: dict[int, tuple[float, Traced]] = {}   # floats the engine took
        self.pins: list[str] = []             # what the trace could not follow, and where
        self.pinned: set[int] = set()
        self.stop = ""                        # why the trace cannot be replayed

    # --- the watcher's side -----------------------------------------------------------------
    def node(self, v: Value, rule: Rule, x: Value, y: Value | None, c: Any) -> None:
        vars_ = self.vars
        xv = vars_.get(x)
        if xv is None:
            xv = self.external(x)
        if y is not None:
            yv = vars_.get(y)
            ins: tuple[Atom, ...] = (xv, self.external(y) if yv is None else yv)
        elif c is not None:
            ins = (xv, self._taken(c))
            if type(ins[1]) is int:   # a constant computed from data or inputs
                self.numbered.append(self.n)
        else:
            ins = (xv,)
        var = vars_[v] = self.n
        self.n += 1
        e = Eqn(rule, var, ins)
        self.events.append(e)
        self.defs.append(e)
        # made inside no_grad(): computed all the same, but a leaf of the graph
        self.kinds.append("n" if v._rule is not None else "d")

    def leaf(self, v: Value) -> None:
        var = self.vars[v] = self.n
        self.n += 1
        e = Eqn("leaf", var, (self._taken(v._data),))
        if type(e.ins[0]) is int:
            self.numbered.append(var)
        self.events.append(e)
        self.defs.append(e)
        self.kinds.append("l")

    def _taken(self, number: Any) -> Atom:
        """The atom of a number the engine stored in a node (its c) or a leaf: the
        variable of the traced number it converted it from, or the number itself."""
        link = self.handed.pop(id(number), None)
        if link is None:
            return Lit(number)
        if link[0] is number:
            return link[1].var
        self.handed[id(number)] = link   # (another float at that address: not this one)
        return Lit(number)

    def read(self, v: Value) -> Traced:
        var = self.vars.get(v)
        if var is None:
            var = self.external(v)
        return Traced(v._data, var, self)

    def write(self, v: Value, what: str) -> None:
        self.refuse(f"fn assigns to .{what} of a Value, which a trace cannot repeat (set "
                    f"it outside fn)")

    def backward(self, root: Value) -> None:
        self.refuse("fn runs a backward pass itself, which a trace cannot repeat")

    def math(self, name: str, f: Callable[..., Any], xs: tuple[Any, ...]) -> Any:
        """What :mod:`engine.floats` computes: recorded when it reads a number of this
        trace, so that the code computes it afresh at every call (``isfinite`` is a
        decision: a guard); on other numbers, ``f`` itself."""
        plain = [x.v if type(x) is Traced else x for x in xs]
        if not any(type(x) is Traced and x.trace is self for x in xs):
            return f(*plain)
        if name in ("max", "min"):
            atoms = [self.atom(x) for x in xs]
            if None in atoms:   # not all numbers: as max and min would
                return f(*xs)
            return self.op(name, tuple(a for a in atoms if a is not None), f(*plain))
        (x,) = xs
        if name == "isfinite":
            return self.test("isfinite", (x.var,), f(x.v))
        if name == "float" and type(x.v) is float:
            return x
        return self.op(name, (x.var,), f(x.v))

    # --- recording ------------------------------------------------------------------------
    def inputs(self, flat: list[Any]) -> list[Any]:
        """The flat inputs as ``fn`` receives them: numbers traced, Values as they are."""
        items: list[Any] = []
        for k, x in enumerate(flat):
            var = self.n
            self.n += 1
            if isinstance(x, Value):
                self.vars[x] = var
                e = Eqn("value", var, (), k)
                self.kinds.append("v")
                items.append(x)
            else:
                e = Eqn("input", var, (), k)
                self.kinds.append("i")
                items.append(Traced(x, var, self))
            self.events.append(e)
            self.defs.append(e)
        return items

    def external(self, v: Value) -> int:
        """A Value not made by ``fn``: its number is read at every call."""
        var = self.vars[v] = self.n
        self.n += 1
        e = Eqn("param", var, (), len(self.externals))
        self.events.append(e)
        self.defs.append(e)
        self.kinds.append("p")
        self.externals.append(v)
        return var

    def refuse(self, why: str) -> None:
        if not self.stop:
            self.stop = why

    def atom(self, x: Any) -> Atom | None:
        """``x`` as an atom of this trace: a variable or a literal; None if not a number."""
        if type(x) is Traced:
            return x.var if x.trace is self else Lit(x.v)
        if isinstance(x, numbers.Real):
            return Lit(x)
        return None

    def op(self, name: str, ins: tuple[Atom, ...], value: Any) -> Traced:
        var = self.n
        self.n += 1
        e = Eqn(name, var, ins)
        self.events.append(e)
        self.defs.append(e)
        self.kinds.append("x")
        return Traced(value, var, self)

    def test(self, test: str, ins: tuple[Atom, ...], outcome: Any) -> Any:
        self.events.append(Eqn("guard", -1, ins, (test, bool(outcome))))
        return outcome

    def pin(self, t: Traced, why: str) -> None:
        """``t`` stays the number it is: the code holds for that number only."""
        if why and why not in self.pins:
            self.pins.append(why)
        if t.var not in self.pinned:
            self.pinned.add(t.var)
            self.events.append(Eqn("guard", -1, (t.var,), ("same", t.v)))

    # --- the program ----------------------------------------------------------------------
    def program(self, root: Value, inputs: list[Any]) -> Program:
        """The equations of this trace, for the graph of ``root``."""
        for _, t in self.handed.values():   # taken by the engine, kept by no node
            self.pin(t, "a number the engine read but no node kept (an assignment?)")
        self.handed.clear()
        starts: dict[Value, int] = {}
        order = topological_order(root, starts)
        vars_ = self.vars
        events = self.events
        n_events = len(events)
        for v in [v for v in order if v not in vars_]:   # reached through nodes made before
            self.external(v)
        head = events[n_events:]   # (their loads first: they read nothing)
        del events[n_events:]
        kinds = self.kinds
        made_before = [v for v in order if v._rule is not None and kinds[vars_[v]] == "p"]
        if made_before:   # read, not recomputed; visited backward as the engine does
            upgrade = {}
            for v in made_before:
                ins: tuple[Atom, ...] = (vars_[v._x],) if v._y is None else (  # type: ignore[index]
                    vars_[v._x], vars_[v._y])  # type: ignore[index]
                if v._rule.args == "x, c":  # type: ignore[union-attr]
                    ins = (ins[0], Lit(v._c))
                upgrade[vars_[v]] = ins
            for where in (head, events):
                for i, e in enumerate(where):
                    if e.op == "param" and e.out in upgrade:
                        made = self.externals[e.arg]
                        rule: Rule = made._rule
                        where[i] = self.defs[e.out] = Eqn(rule, e.out, upgrade[e.out], e.arg)
        order_vars = list(map(vars_.__getitem__, order))
        starts_at = list(map(starts.__getitem__, order))
        slot = {id(v): k for k, v in enumerate(inputs) if isinstance(v, Value)}
        place = {id(v): j for j, v in enumerate(self.externals)}
        grads: list[tuple[int, str, int]] = []
        sinks: list[int] = []
        for v, var in zip(order, order_vars):
            kind = kinds[var]
            if kind == "n":
                continue
            if kind in ("l", "d"):
                sinks.append(var)
            elif id(v) in slot:
                grads.append((var, "value", slot[id(v)]))
            else:
                grads.append((var, "param", place[id(v)]))
        program = Program([*head, *events], vars_[root], list(self.externals), len(inputs),
                          grads, sinks, self.n, order_vars, starts_at)
        program.defs, program.kinds = self.defs, "".join(kinds)
        program.numbered = self.numbered
        return program


def run(fn: Callable[..., Any], args: list[Any], trace: Trace) -> Any:
    """``fn(*args)`` with ``trace`` watching (in this thread only)."""
    token = CURRENT.set(trace)
    try:
        with watching(trace):
            return fn(*args)
    finally:
        CURRENT.reset(token)

