"""The program a trace becomes: numbered variables and equations, as plain data.

A *variable* is an int. An *atom* is a variable or a :class:`Lit`, a number written into
the code. An :class:`Eqn` defines one variable, ``out``, from atoms, ``ins``; what it
computes is its ``op``:

- a row of :mod:`engine.ops` (a Rule): a node, ``ins`` its Value inputs and then its
  constant ``c`` (``x * c``: ``(x, c)``). Its number is the row's forward formula, its
  gradient comes from the row's partials. ``arg`` is ``j`` for a node that existed before
  ``fn`` ran: its number is read from ``externals[j]``, not recomputed;
- ``"param"`` (``arg = j``): the number of ``externals[j]``, a Value read at every call (a
  parameter); ``"input"`` (``arg = k``): the number given as input ``k``; ``"value"``
  (``arg = k``): the number of the Value given as input ``k``;
- ``"leaf"``: ``Value(a)`` made inside ``fn``, ``ins = (a,)``;
- an arithmetic or math operation on numbers read from the graph or the inputs (see
  :data:`NUMBER_OPS`): ``"+"``, ``"max"``, ``"exp"``...;
- ``"guard"``: a decision ``fn`` took on a number, ``arg = (test, outcome)``; the code is
  valid only where the test gives that outcome again (see :data:`TESTS`).

A :class:`Program` is a list of equations in an order that computes every variable
before it is read, its ``root`` (the loss), the Values it reads (``externals``) and,
once the adjoint pass has run, ``backward``: the nodes in the order the engine's
backward pass visits them. A :class:`Loop` stands for several copies of one block of
equations, its *instances*: the block is written once over template variables, and
each instance binds the block's free variables (its *slots*) to atoms of the program.

:func:`pp` prints a program in the manner of a jaxpr.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from engine.ops import Rule

__all__ = ["Lit", "Atom", "Eqn", "Loop", "Run", "Program", "NUMBER_OPS", "TESTS", "same",
           "is_value", "pp"]


class Lit:
    """A number written into the code (a constant of the trace)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def key(self) -> tuple[Any, ...]:
        """What makes two literals the same: their type and their exact text (so that 0.0
        and -0.0 differ, and 1 and 1.0)."""
        return type(self.value), repr(self.value)

    def __repr__(self) -> str:
        return repr(self.value)


Atom = int | Lit


class Eqn:
    """``out = op(*ins)``; see the module's docstring for the ops."""

    __slots__ = ("op", "out", "ins", "arg")

    def __init__(self, op: Rule | str, out: int, ins: tuple[Atom, ...] = (),
                 arg: Any = None) -> None:
        self.op, self.out, self.ins, self.arg = op, out, ins, arg

    @property
    def is_node(self) -> bool:
        """Is it a node of the Value graph (a row of the table)?"""
        return isinstance(self.op, Rule)

    def __repr__(self) -> str:
        return _line(self, _name)


class Loop:
    """Instances of one block of equations: ``body`` over template variables, whose free
    variables ``slots`` each instance binds to the atoms of its row; the template
    variables ``outs`` are handed out, to the program variables of its ``exports`` row.

    ``steps`` is the body's part of the backward pass (its nodes, in the engine's order),
    once the adjoint pass has run. Instances run in the order of ``rows`` forward and in
    the reverse order backward. ``was`` (for checking the pass that made the loop) holds,
    per instance, the variables of the program the body's variables stand for.
    """

    __slots__ = ("body", "slots", "rows", "outs", "exports", "steps", "was")

    def __init__(self, body: list[Eqn], slots: tuple[int, ...], rows: list[tuple[Atom, ...]],
                 outs: tuple[int, ...], exports: list[tuple[int, ...]],
                 steps: list[Eqn] | None = None,
                 was: list[tuple[int, ...]] | None = None) -> None:
        self.body, self.slots, self.rows = body, slots, rows
        self.outs, self.exports, self.steps, self.was = outs, exports, steps, was

    def shared(self) -> list[bool]:
        """For each slot: is it bound to the same atom in every row (a loop invariant)?"""
        first = self.rows[0]
        return [all(_same_atom(row[i], a) for row in self.rows) for i, a in enumerate(first)]

    def instances(self) -> Iterator[tuple[dict[int, Atom], tuple[int, ...]]]:
        """Each instance: the binding of the slots, and the variables of its exports."""
        for row, out in zip(self.rows, self.exports):
            yield dict(zip(self.slots, row)), out


class Run:
    """In ``backward``: the instances ``start`` to ``stop - 1`` of ``loop``, visited from
    the last to the first, each through ``loop.steps``."""

    __slots__ = ("loop", "start", "stop")

    def __init__(self, loop: Loop, start: int, stop: int) -> None:
        self.loop, self.start, self.stop = loop, start, stop

    def __repr__(self) -> str:
        return f"Run(instances {self.stop - 1} down to {self.start})"


def _same_atom(a: Atom, b: Atom) -> bool:
    if isinstance(a, Lit) or isinstance(b, Lit):
        return isinstance(a, Lit) and isinstance(b, Lit) and a.key() == b.key()
    return a == b


class Program:
    """A traced function as equations; see the module's docstring.

    ``grads`` lists the variables whose gradient the step adds into a Value's ``.grad``:
    ``(var, "param", j)`` for ``externals[j]``, ``(var, "value", k)`` for input ``k``.
    ``sinks`` are the leaves made inside ``fn``: their gradients are computed only to be
    found finite, as the engine's backward pass requires. ``order`` is the graph's
    variables in the order of :func:`engine.value.topological_order`, and ``starts[i]``
    where the block of ``order[i]`` begins in it (see there).
    """

    def __init__(self, eqns: list[Eqn | Loop], root: int, externals: list[Any],
                 n_inputs: int, grads: list[tuple[int, str, int]], sinks: list[int],
                 n_vars: int, order: list[int], starts: list[int]) -> None:
        self.eqns, self.root, self.externals = eqns, root, externals
        self.n_inputs, self.grads, self.sinks, self.n_vars = n_inputs, grads, sinks, n_vars
        self.order, self.starts = order, starts
        self.backward: list[Eqn | Run] | None = None
        # As traced (for the passes; not kept by copies): the equation defining each
        # variable, and what each variable is: n(ode), d(etached node, made in no_grad),
        # l(eaf made in fn), p(arameter or node made before fn), v(alue input), i(nput
        # number), x (a number computed from them).
        self.defs: list[Eqn] = []
        self.kinds = ""
        self.numbered: list[int] = []   # nodes whose constant (leaves whose number) is traced

    def copy(self, eqns: list[Eqn | Loop], backward: list[Eqn | Run] | None) -> Program:
        """The same program with other equations (a pass's result)."""
        new = Program(eqns, self.root, self.externals, self.n_inputs, self.grads, self.sinks,
                      self.n_vars, self.order, self.starts)
        new.backward = backward
        new.defs, new.kinds, new.numbered = self.defs, self.kinds, self.numbered
        return new

    def new_var(self) -> int:
        self.n_vars += 1
        return self.n_vars - 1

    def nodes(self) -> Iterator[Eqn]:
        """Every equation outside loops, and each loop's body once."""
        for e in self.eqns:
            if isinstance(e, Loop):
                yield from e.body
            else:
                yield e

    def __repr__(self) -> str:
        return pp(self)


def is_value(e: Eqn) -> bool:
    """Does the equation define the number of a Value (with a gradient)?"""
    return isinstance(e.op, Rule) or e.op in ("param", "value", "leaf")


# --- what the number operations and the tests mean --------------------------------------

def _round(x: Any, n: Any = None) -> Any:
    return round(x) if n is None else round(x, n)


NUMBER_OPS: dict[str, Callable[..., Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
    "neg": operator.neg, "pos": operator.pos, "abs": abs, "invert": operator.invert,
    "float": float, "trunc": math.trunc, "floor": math.floor, "ceil": math.ceil,
    "round": _round, "max": max, "min": min, "item": lambda x: x.item(),
    **{f: getattr(math, f) for f in ("exp", "log", "log1p", "sqrt", "sin", "cos", "tan",
                                     "tanh", "atan", "erf", "fabs")},
}
"""What each arithmetic op on traced numbers computes: Python's own operators and functions,
so that the code, the reference interpreter and ``fn`` itself compute the same numbers."""

BINARY = {"+", "-", "*", "/", "//", "%", "**"}
UNARY = {"neg": "-", "pos": "+", "invert": "~"}


def same(x: Any, number: Any) -> bool:
    """Is ``x`` exactly ``number``: equal, of the same sign if zero, nan if nan?"""
    if number != number:
        return bool(x != x)
    if x != number:
        return False
    return number != 0 or not isinstance(number, float) or (
        math.copysign(1.0, x) == math.copysign(1.0, number))


TESTS: dict[str, Callable[..., Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne, "truth": bool, "isfinite": math.isfinite,
    "is_integer": lambda x: x.is_integer(),
}
"""The decisions a guard can hold (besides ``"same"``: the very number, see :func:`same`)."""


# --- printing ------------------------------------------------------------------------------

def _name(v: int) -> str:
    return f"v{v}"


def _atom(a: Atom, name: Callable[[int], str]) -> str:
    return repr(a) if isinstance(a, Lit) else name(a)


def _line(e: Eqn, name: Callable[[int], str]) -> str:
    ins = " ".join(_atom(a, name) for a in e.ins)
    if e.op == "guard":
        test, outcome = e.arg
        if test == "same":
            return f"guard {ins} is {outcome!r}"
        return f"guard {test} {ins} is {outcome!r}"
    if isinstance(e.op, Rule):
        what = e.op.name if e.arg is None else f"{e.op.name} (made before fn: external {e.arg})"
        return f"{name(e.out)} = {what} {ins}".rstrip() + f"    # {e.op.text}"
    if e.op in ("param", "input", "value"):
        return f"{name(e.out)} = {e.op} {e.arg}"
    return f"{name(e.out)} = {e.op} {ins}".rstrip()


def _labels(program: Program) -> dict[int, str]:
    """Readable names: a parameter's label, where it has one."""
    names: dict[int, str] = {}
    for e in program.nodes():
        if e.op == "param":
            label = getattr(program.externals[e.arg], "label", "")
            if label.isidentifier():
                names[e.out] = f"v{e.out}:{label}"
    return names


def pp(program: Program) -> str:
    """The program as text, one equation per line, in the manner of a jaxpr.

    Examples:
        >>> import engine
        >>> from engine import Value
        >>> w = Value(0.5, label="w")
        >>> step = engine.compile(lambda x: (w * x).tanh(), 2.0)
        >>> print(step.ir)  # doctest: +NORMALIZE_WHITESPACE
        { lambda ; inputs 1 .
          let v0 = input 0
              v1:w = param 0
              v2 = * v1:w v0    # x * c
              v3 = tanh v2    # tanh(x)
          in v3 }
    """
    labels = _labels(program)

    def name(v: int) -> str:
        return labels.get(v, f"v{v}")

    lines = [f"{{ lambda ; inputs {program.n_inputs} ."]
    first = True
    for item in program.eqns:
        lead = "  let " if first else "      "
        first = False
        if isinstance(item, Loop):
            lines.extend(_loop_lines(item, name, lead))
        else:
            lines.append(lead + _line(item, name))
    if first:
        lines.append("  let")
    lines.append(f"  in {name(program.root)} }}")
    return "\n".join(lines)


def _loop_lines(loop: Loop, name: Callable[[int], str], lead: str) -> list[str]:
    def local(v: int) -> str:
        return f"t{v}"

    shared = loop.shared()
    slots = " ".join(local(s) + ("*" if keep else "") for s, keep in zip(loop.slots, shared))
    outs = " ".join(local(v) for v in loop.outs)
    lines = [f"{lead}loop over {len(loop.rows)} instances of ({slots}) -> ({outs}):"]
    lines += [f"          {_line(e, local)}" for e in loop.body]
    for k, (row, out) in enumerate(zip(loop.rows, loop.exports)):
        if k == 2 and len(loop.rows) > 4:
            lines.append(f"        ... ({len(loop.rows) - 3} more)")
            continue
        if 2 < k < len(loop.rows) - 1:
            continue
        lines.append(f"        [{k}] ({' '.join(_atom(a, name) for a in row)}) -> "
                     f"({' '.join(name(v) for v in out)})")
    return lines


def walk(items: Iterable[Eqn | Loop]) -> Iterator[Eqn]:
    """Every equation of ``items``, a loop's body once."""
    for item in items:
        if isinstance(item, Loop):
            yield from item.body
        else:
            yield item
