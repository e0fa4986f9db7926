"""Straight-line code: the lines of a list of equations and of backward visits.

:class:`Lines` writes Python for a run of equations (a function's body, or the body of a
loop) with the names it is given:

- forward, one line per equation, its row's forward formula (or the Python operator of a
  number operation) with its inputs' names; a variable read once, and only there, is
  written into its reader instead (*inlining by use count*: the counts come from the
  equations, never from the text), up to a depth;
- a domain check is a call of the row's own check before the line; a number whose
  non-finite value no later test would see (an input of ``tanh``, a node's constant, the
  loss) is added, times 0.0, into ``ok``: one nan or inf there makes ``ok`` nan, and the
  step hands the call to the engine. A relu tests its input where it drops it;
- backward, per visit, the term ``partial * g`` of each input, x then y, added into that
  input's gradient: the first term *is* the sum (``g = term``) unless the sum is handed
  back to a Value's ``.grad`` (then ``g = 0.0 + term``, as the engine's sums start: it
  makes a -0.0 term +0.0); a term that is the gradient itself (a partial of 1) and the
  only one makes no line at all, the input's gradient being that name.

The rules for which sums may skip ``0.0 +`` are argued in :mod:`engine.compile.render`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from engine.compile.ir import BINARY, UNARY, Atom, Eqn, Lit
from engine.compile.rows import row
from engine.ops import ON_FLOATS, Rule

__all__ = ["Lines", "Globals", "literal", "needs", "exposed_of"]

MAX_DEPTH = 24     # operations written into one expression, at most
_FUNCTIONS = {"abs", "float", "trunc", "floor", "ceil", "round", "max", "min", "exp", "log",
              "log1p", "sqrt", "sin", "cos", "tan", "tanh", "atan", "erf", "fabs"}
_TEST_TEXT = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}


def literal(x: Any) -> str:
    """A number as Python source that reads back as the very same number."""
    if isinstance(x, float):
        if x != x:
            return "NAN"
        if x in (float("inf"), float("-inf")):
            return "INF" if x > 0 else "(-INF)"
    text = repr(x)
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        raise TypeError(f"a {type(x).__name__} cannot be written into code")
    return f"({text})" if text.startswith("-") else text


class Globals:
    """The names the generated code reads besides its own: functions and constants."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {**ON_FLOATS, "INF": float("inf"), "NAN": float("nan")}
        self._ids: dict[int, str] = {id(f): name for name, f in ON_FLOATS.items()}

    def add(self, obj: Any, prefix: str) -> str:
        """A global name for ``obj`` (the same name for the same object): its own name
        where that is free (a row's check, ``_check_log``), else ``prefix`` numbered."""
        name = self._ids.get(id(obj))
        if name is None:
            own = getattr(obj, "__name__", "")
            name = own if own.isidentifier() and own not in self.values else (
                f"{prefix}{len(self._ids)}")
            self._ids[id(obj)] = name
            self.values[name] = obj
        return name


class Lines:
    """Lines of code over variables named by ``name``; see the module's docstring.

    ``keep``: variables that must have a name of their own (read later, elsewhere, or by
    the backward pass). ``uses``: how many times each variable is read in this code.
    """

    def __init__(self, name: dict[int, str], glob: Globals, keep: set[int],
                 uses: dict[int, int], indent: str) -> None:
        self.name, self.glob, self.keep, self.uses = name, glob, keep, uses
        self.indent = indent
        self.lines: list[str] = []
        self.depth: dict[int, int] = {}
        self.exposed: list[str] = []
        self.heat: Counter[str] | None = None   # names read and written, counted (loops)

    def text(self, a: Atom) -> str:
        if isinstance(a, Lit):
            return literal(a.value)
        name = self.name[a]
        if self.heat is not None:
            self.heat[name] += 1
        return name

    def put(self, line: str, extra: str = "") -> None:
        self.lines.append(self.indent + extra + line)

    # --- forward ---------------------------------------------------------------------------
    def forward(self, e: Eqn, expose: bool) -> None:
        """The line(s) of forward equation ``e``; ``expose``: its number must be tested
        finite (added into ``ok``)."""
        op, out = e.op, e.out
        if op == "guard":
            self.put(self._guard(e))
            return
        if isinstance(op, Rule):
            expr = self._node(op, e)
        elif op == "leaf":
            expr = f"float({self.text(e.ins[0])})"
        elif op in BINARY:
            expr = f"{self.text(e.ins[0])} {op} {self.text(e.ins[1])}"
        elif op in UNARY:
            expr = f"{UNARY[op]}{self.text(e.ins[0])}"
        elif op == "item":
            expr = f"{self.text(e.ins[0])}.item()"
        elif op in _FUNCTIONS:
            fn = self.glob.add(_function(op), "F")
            expr = f"{fn}({', '.join(self.text(a) for a in e.ins)})"
        else:
            raise AssertionError(f"no code for the operation {op!r}")
        depth = 1 + max((self.depth.get(a, 0) for a in e.ins if not isinstance(a, Lit)),
                        default=0)
        if (out not in self.keep and self.uses.get(out, 0) == 1 and not expose
                and depth < MAX_DEPTH):
            self.name[out] = f"({expr})"
            self.depth[out] = depth
            return
        note = f"   # {op.text}" if isinstance(op, Rule) else ""
        self.put(f"{self.name[out]} = {expr}{note}")
        if expose:
            self.exposed.append(self.name[out])

    def _node(self, rule: Rule, e: Eqn) -> str:
        code = row(rule)
        letters = self._letters(rule, e)
        if rule.check is not None:
            check = self.glob.add(rule.check, "C")
            second = "None" if rule.arity == 1 and rule.args == "x" else (
                letters["c"] if rule.args == "x, c" else letters["y"])
            self.put(f"{check}({letters['x']}, {second})")
        if not code.table:   # a row made at run time: called through its compiled forward
            fn = self.glob.add(rule, "R")
            args = letters["x"] if rule.args == "x" else f"{letters['x']}, " + (
                letters["c"] if rule.args == "x, c" else letters["y"])
            return f"{fn}.f({args})"
        if code.gate is not None:   # x if test else 0.0: -inf and nan are refused there
            test = code.gate.format(**letters)
            return f"{letters['x']} if {test} else (0.0 if {letters['x']} > -1e999 else bad())"
        return code.forward.format(**letters)

    def _letters(self, rule: Rule, e: Eqn, reads: Any = None) -> dict[str, str]:
        """The names of the node's letters (only those in ``reads``, if given)."""
        def want(letter: str) -> bool:
            return reads is None or letter in reads

        letters = {"x": self.text(e.ins[0]) if want("x") else "", "y": "", "c": "",
                   "out": self.name.get(e.out, "") if want("out") else ""}
        if rule.args == "x, y" and want("y"):
            letters["y"] = self.text(e.ins[1])
        elif rule.args == "x, c" and want("c"):
            letters["c"] = self.text(e.ins[1])
        return letters

    def _guard(self, e: Eqn) -> str:
        test, outcome = e.arg
        ins = [self.text(a) for a in e.ins]
        if test == "same":
            holds = f"SAME({ins[0]}, {self.glob.add(outcome, 'K')})"
            self.glob.values["SAME"] = _same()
        elif test == "truth":
            holds = ins[0]
        elif test == "isfinite":
            holds = f"-INF < {ins[0]} < INF"
        elif test == "is_integer":
            holds = f"{ins[0]}.is_integer()"
        else:
            holds = f"{ins[0]} {_TEST_TEXT[test]} {ins[1]}"
        if test == "same" or outcome:
            return f"if not ({holds}): raise Retrace"
        return f"if {holds}: raise Retrace"

    # --- backward ------------------------------------------------------------------------
    def visit(self, e: Eqn, sums: Sums, opened: bool = False, extra: str = "") -> None:
        """The lines of backward visit ``e``: a term per input into its sum. ``opened``:
        inside the test of the node's own gate, its partial is the open branch's."""
        rule: Rule = e.op  # type: ignore[assignment]
        code = row(rule)
        g = sums.name[e.out]
        letters = self._letters(rule, e, code.reads if code.table else None)
        for i, a in enumerate(e.ins[:rule.arity]):
            if isinstance(a, Lit):
                continue
            if rule.constant is not None:
                p = rule.constant[i]
                term = g if p == 1.0 else f"-{g}" if p == -1.0 else f"{literal(p)} * {g}"
            elif not code.table:
                fn = self.glob.add(rule, "R")
                second = letters["c"] if rule.args == "x, c" else (
                    letters["y"] if rule.args == "x, y" else "None")
                term = f"{fn}.df({self.name[e.out]}, {letters['x']}, {second})[{i}] * {g}"
            else:
                text = code.when_open[i] if opened and code.when_open[i] else code.partials[i]
                partial = text.format(**letters)  # type: ignore[union-attr]
                term = g if partial == "1.0" else f"-{g}" if partial == "-1.0" else (
                    f"{partial} * {g}" if partial.replace(".", "").replace("_", "").isalnum()
                    else f"({partial}) * {g}")
            sums.add(self, a, term, extra)

    def exposed_check(self) -> None:
        """Add the numbers to test into ``ok`` (in lines of a few)."""
        names, self.exposed = self.exposed, []
        for i in range(0, len(names), 8):
            terms = " + ".join(f"{n} * 0.0" for n in names[i:i + 8])
            self.put(f"ok = ok + {terms}")


class Sums:
    """The gradient sums of a piece of code: each variable's name for its sum, and which
    sums hold a value already.

    ``counts``: how many terms each sum receives in this code; ``handed``: sums that go
    to a Value's ``.grad`` (they start with ``0.0 +``, as the engine's do); ``started``:
    sums that hold a value before this code (they are added to).
    """

    def __init__(self, name: dict[int, str], counts: dict[int, int], handed: set[int],
                 started: set[int]) -> None:
        self.name, self.counts, self.handed, self.started = name, counts, handed, started

    def add(self, lines: Lines, a: int, term: str, extra: str = "") -> None:
        if lines.heat is not None:
            lines.heat[self.name[a]] += 2
        if a in self.started:
            lines.put(f"{self.name[a]} = {self.name[a]} + {term}", extra)
            return
        self.started.add(a)
        if a not in self.handed and self.counts.get(a, 0) == 1 and term.isidentifier():
            self.name[a] = term   # the one term is the sum: no line
        elif a in self.handed:
            lines.put(f"{self.name[a]} = 0.0 + {term}", extra)
        else:
            lines.put(f"{self.name[a]} = {term}", extra)


def _function(name: str) -> Callable[..., Any]:
    from engine.compile.ir import NUMBER_OPS

    return NUMBER_OPS[name]


def _same() -> Callable[[Any, Any], bool]:
    from engine.compile.ir import same

    return same


def count_uses(eqns: Iterable[Eqn]) -> dict[int, int]:
    """How many times each variable is read by ``eqns``."""
    uses: dict[int, int] = {}
    for e in eqns:
        for a in e.ins:
            if not isinstance(a, Lit):
                uses[a] = uses.get(a, 0) + 1
    return uses


def needs(e: Eqn) -> list[int]:
    """The variables the backward visit of node ``e`` reads (its partials' letters)."""
    rule: Rule = e.op  # type: ignore[assignment]
    code = row(rule)
    reads = code.reads if code.table else {"x", "y", "c", "out"}
    out: list[Atom] = []
    if "x" in reads or any(code.zero_unless):
        out.append(e.ins[0])
    if len(e.ins) > 1 and (("y" in reads and rule.args == "x, y") or
                           ("c" in reads and rule.args == "x, c")):
        out.append(e.ins[1])
    if "out" in reads:
        out.append(e.out)
    return [a for a in out if isinstance(a, int)]


def exposed_of(eqns: list[Eqn], root: int | None) -> set[int]:
    """Variables whose number must be tested finite (see :mod:`engine.compile.straight`)."""
    out = set() if root is None else {root}
    for e in eqns:
        if e.op == "leaf":
            out.add(e.out)
        if not isinstance(e.op, Rule):
            continue
        code = row(e.op)
        for i, a in enumerate(e.ins):
            if isinstance(a, Lit):
                continue
            if i >= e.op.arity or not code.passes[i]:
                out.add(a)
    return out
