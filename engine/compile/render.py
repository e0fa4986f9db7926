"""Rendering: a program as the source of one Python function, ``run(P, I)``.

``P`` holds the numbers of ``program.externals`` (the parameters), ``I`` the flat inputs
(a Value input's number in its place). ``run`` returns the loss and the gradient of each
entry of ``program.grads``, or raises ``Retrace`` (a guard failed) or ``Bad`` (a number is
not finite, or a domain check or a formula raised: the engine must run instead). Every
name is a local: parameters and their gradient sums included, so a loop reads no
attribute and no global but the functions of its formulas.

The order of the terms of every sum is ``program.backward``'s (see
:mod:`engine.compile.adjoint`), so each sum is the engine's to the last bit. A sum may
skip the engine's leading ``0.0 +`` (which only turns a -0.0 first term into +0.0) except
where it is handed back to a ``.grad``: a -0.0 in any other sum is only ever multiplied
into terms that are themselves zeros, and a zero term leaves a sum as it is unless the
sum is -0.0, which a handed-back sum never is, since it starts at ``0.0 +``.

A loop is written as a Python ``for`` over its instances, its slots bound by unpacking a
row. When nothing the backward pass visits before the loop's instances reads a number the
loop or the equations after it compute (a sum of the samples' losses and an L2 term,
say), each instance runs forward and at once backward, in the backward order, with its
numbers still in local variables (*fused*); otherwise the forward loop keeps, per
instance, the numbers its backward half needs (a tape), and the backward loop reads them.
Behind a shut relu, the part of an instance's backward pass that only adds zeros is
skipped (see :mod:`engine.compile.rows`): it adds exactly nothing to any sum.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from engine.compile.ir import Eqn, Lit, Loop, Program, Run
from engine.compile.straight import Globals, Lines, Sums, count_uses, exposed_of, literal, needs
from engine.compile.template import Template
from engine.ops import Rule

__all__ = ["render", "Bad"]


class Bad(Exception):
    """The generated code met what the engine refuses (or might): the engine runs."""


def _bad() -> float:
    raise Bad


class _Render:
    def __init__(self, program: Program) -> None:
        self.p = program
        self.glob = Globals()
        self.glob.values.update(Retrace=_retrace(), bad=_bad, Bad=Bad)
        self.name: dict[int, str] = {}
        self.body: list[str] = []
        self.templates: dict[int, Any] = {}
        self.heat: Counter[str] = Counter()   # how often the loops read and write each name
        eqns = [e for e in program.eqns if isinstance(e, Eqn)]
        for e in eqns:
            if e.op in ("param", "input", "value") or (
                    isinstance(e.op, Rule) and e.arg is not None):
                self.name[e.out] = self._load_name(e)
        for item in program.eqns:
            outs = ([v for out in item.exports for v in out] if isinstance(item, Loop)
                    else [item.out])
            for v in outs:
                if v >= 0 and v not in self.name:
                    self.name[v] = f"v{v}"
        self.sum = {v: f"g_{n}" for v, n in self.name.items()}
        self.handed = {v for v, _, _ in program.grads}

    def _load_name(self, e: Eqn) -> str:
        if e.op == "input":
            return f"i{e.arg}"
        if e.op == "value":
            return f"x{e.arg}"
        label = getattr(self.p.externals[e.arg], "label", "")
        ok = label.isidentifier() and label.isascii() and "_" not in label
        return f"{label}_{e.arg}" if ok else f"p{e.arg}"

    # --- the main function -----------------------------------------------------------------
    def source(self) -> str:
        p = self.p
        loads = {e.arg: e.out for e in p.eqns if isinstance(e, Eqn) and (
            e.op == "param" or (isinstance(e.op, Rule) and e.arg is not None))}
        names = [self.name.get(loads.get(j, -1), f"unused{j}") for j in range(len(p.externals))]
        inputs = [f"i{k}" for k in range(p.n_inputs)]
        for e in p.eqns:
            if isinstance(e, Eqn) and e.op == "value":
                inputs[e.arg] = self.name[e.out]
        out = ["def run(P, I):", f"    ({''.join(n + ', ' for n in names)}) = P",
               f"    ({''.join(n + ', ' for n in inputs)}) = I", "    ok = 0.0"]
        flat_steps = [s for s in p.backward or () if isinstance(s, Eqn)]
        loops = [e for e in p.eqns if isinstance(e, Loop)]
        keep = {p.root} | {a for s in flat_steps for a in needs(s)}
        keep |= {a for lp in loops for r in lp.rows for a in r if not isinstance(a, Lit)}
        main_eqns = [e for e in p.eqns if isinstance(e, Eqn)]
        uses = count_uses(main_eqns)
        keep |= {v for v, n in uses.items() if n > 1}
        dead = {e.out for e in main_eqns if ((isinstance(e.op, Rule) and e.arg is None) or
                                             e.op == "leaf") and uses.get(e.out, 0) == 0}
        exposed = dead | exposed_of(main_eqns, p.root) | {
            a for lp in loops for e in lp.body if isinstance(e.op, Rule)
            for i, a in enumerate(e.ins) if i >= e.op.arity and isinstance(a, int)
            and a in lp.slots}
        fused = self._fused()
        lines = Lines(self.name, self.glob, keep, uses, "    ")
        terms = count_uses(s for s in flat_steps for _ in (0,)) if False else _term_counts(
            flat_steps)
        sums = Sums(self.sum, terms, self.handed, set())
        backward = list(p.backward or ())
        split = p.eqns.index(fused) if fused is not None else len(p.eqns)
        self._forward(lines, p.eqns[:split], exposed)
        if fused is not None:
            run_at = next(i for i, s in enumerate(backward) if isinstance(s, Run)
                          and s.loop is fused)
            self._start_backward(lines, sums)
            self._backward(lines, sums, backward[:run_at])
            self._loop(lines, sums, fused, fused=True)
            self._forward(lines, p.eqns[split + 1:], exposed)
            lines.exposed_check()
            lines.put("if ok != 0.0: raise Bad")
            self._backward(lines, sums, backward[run_at + 1:])
        else:
            lines.exposed_check()
            lines.put("if ok != 0.0: raise Bad")
            self._start_backward(lines, sums)
            self._backward(lines, sums, backward)
        # The gradients handed out are checked where they are added into .grad (a sum
        # that is not finite runs the engine); those of the graph's own leaves, here (or
        # in their loop's body, for those a loop made).
        leaves = [sums.name[v] for v in p.sinks if v in sums.name]
        for i in range(0, len(leaves), 8):
            chunk = " + ".join(f"{g} * 0.0" for g in leaves[i:i + 8])
            lines.put(f"{'chk = ' if i == 0 else 'chk = chk + '}{chunk}")
        if leaves:
            lines.put("if chk != 0.0: raise Bad")
        grads = "".join(f"{self.sum[v]}, " for v, _, _ in p.grads)
        lines.put(f"return {lines.text(p.root)}, ({grads})")
        # Locals are numbered in the order they first appear, and each past the 256th costs
        # an extra instruction at every use: the names the loops use most come first, in
        # a line that is compiled (that numbers them) but never runs.
        hot = [name for name, _ in self.heat.most_common() if name.isidentifier()]
        if hot:
            out[1:1] = ["    if False:   # (the names used most, named first: never runs)",
                        "        " + " = ".join(hot) + " = None"]
        return "\n".join(self.body + out + lines.lines) + "\n"

    def _start_backward(self, lines: Lines, sums: Sums) -> None:
        root = self.p.root
        lines.put(f"{sums.name[root]} = 1.0")
        sums.started.add(root)

    def _forward(self, lines: Lines, items: list[Eqn | Loop], exposed: set[int]) -> None:
        for item in items:
            if isinstance(item, Loop):
                self._loop(lines, None, item, fused=False)
            elif item.op not in ("param", "input", "value") and not (
                    isinstance(item.op, Rule) and item.arg is not None):
                lines.forward(item, item.out in exposed)

    def _backward(self, lines: Lines, sums: Sums, steps: list[Eqn | Run]) -> None:
        for s in steps:
            if isinstance(s, Run):
                self._loop(lines, sums, s.loop, fused=False, backward=True)
            else:
                lines.visit(s, sums)

    def _fused(self) -> Loop | None:
        """The loop that can run forward and backward in one pass, if any (see above)."""
        p = self.p
        backward = p.backward or []
        for at, s in enumerate(backward):
            if not isinstance(s, Run):
                continue
            before = backward[:at]
            if any(isinstance(b, Run) for b in before):
                return None
            split = p.eqns.index(s.loop)
            known = {e.out for e in p.eqns[:split] if isinstance(e, Eqn)}
            if all(a in known for b in before for a in needs(b)):  # type: ignore[arg-type]
                return s.loop
            return None
        return None

    # --- loops -----------------------------------------------------------------------------
    def _loop(self, lines: Lines, sums: Sums | None, loop: Loop, fused: bool,
              backward: bool = False) -> None:

        t = self.templates.get(id(loop))
        if t is None:
            t = self.templates[id(loop)] = Template(loop, self, len(self.templates))
        if fused:
            t.fused(lines, sums)
        elif backward:
            assert sums is not None
            t.backward(lines, sums)
        else:
            t.forward(lines)


def _term_counts(steps: list[Eqn]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for s in steps:
        for a in s.ins[:s.op.arity]:  # type: ignore[union-attr]
            if not isinstance(a, Lit):
                counts[a] = counts.get(a, 0) + 1
    return counts


def _retrace() -> Any:
    from engine.compile.evaluate import Retrace

    return Retrace


def render(program: Program) -> tuple[str, dict[str, Any]]:
    """The source of ``run(P, I)`` for ``program`` and the globals it reads."""
    r = _Render(program)
    source = r.source()
    return source, r.glob.values


_ = literal
