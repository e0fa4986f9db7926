"""A loop's code: its block written once, run for each instance (see
:mod:`engine.compile.render` for the two ways, fused and with a tape).

Names inside the block: ``t<n>`` for its variables and ``gt<n>`` for their gradient sums;
a slot bound to the same variable in every instance (a parameter) is that variable's own
name and sum, so a loop adds into the parameters' sums directly; a slot that changes from
instance to instance is ``s<n>``, unpacked from the instance's row. A slot with a
gradient that changes between instances keeps its sum in a list, read and written back
by each instance in turn, so that two instances of one variable add up in order.

Behind a shut relu, the backward visits that would add only zeros are skipped (one
``if`` per relu, see :mod:`engine.compile.gates`).
"""

from __future__ import annotations

from typing import Any

from engine.compile.columns import Column, columns
from engine.compile.gates import compact, guarded, regions
from engine.compile.ir import Eqn, Lit, Loop
from engine.compile.rows import row
from engine.compile.straight import Lines, Sums, count_uses, exposed_of, literal, needs
from engine.ops import Rule

__all__ = ["Template"]


def _tuple(items: list[str]) -> str:
    return "(" + "".join(f"{x}, " for x in items) + ")"


class Template:
    """The code of ``loop`` inside the function ``render`` writes."""

    def __init__(self, loop: Loop, render: Any, tag: int) -> None:
        self.loop, self.r = loop, render
        n = self.tag = tag
        shared = loop.shared()
        first = loop.rows[0]
        self.name: dict[int, str] = {e.out: f"t{e.out}" for e in loop.body if e.out >= 0}
        self.sum: dict[int, str] = {v: f"gt{v}" for v in self.name}
        self.varying: list[int] = []      # slots read from the row
        grad = {a for e in loop.steps or () for a in e.ins[:e.op.arity]  # type: ignore[union-attr]
                if not isinstance(a, Lit)}
        self.grad_varying: list[int] = []   # varying slots with a gradient sum
        for i, (s, keep) in enumerate(zip(loop.slots, shared)):
            a = first[i]
            if keep and not isinstance(a, Lit):
                self.name[s] = render.name[a]
                self.sum[s] = render.sum[a]
            elif keep:
                self.name[s] = literal(a.value)  # type: ignore[union-attr]
            else:
                self.name[s] = f"s{s}"
                self.varying.append(i)
                if s in grad and not isinstance(a, Lit):
                    self.sum[s] = f"gs{s}"
                    self.grad_varying.append(i)
        self.shared_grad = [a for a, s, keep in zip(first, loop.slots, shared)
                            if keep and s in grad and isinstance(a, int)]
        steps = loop.steps or []
        self.regions = regions(loop, steps, self.name)
        self.needs = {a for e in steps for a in needs(e)} | set(loop.outs) | set(self.regions)
        self.uses = count_uses(loop.body)
        self._place = {e.out: i for i, e in enumerate(loop.body) if e.out >= 0}
        self.keep = self.needs | {v for v, k in self.uses.items() if k > 1}
        dead = {e.out for e in loop.body if isinstance(e.op, Rule) or e.op == "leaf"
                if self.uses.get(e.out, 0) == 0 and e.out not in loop.outs}
        self.exposed = (dead | exposed_of(loop.body, None)) - set(loop.slots)
        self.tape = [v for v in sorted(self.needs) if v not in loop.slots]
        groups = columns(loop.body, self.uses, self.keep, set(loop.outs))
        self.column_of = {min(g.members, key=self._place.__getitem__): g for g in groups}
        for g in groups:   # (each sum has a name of its own)
            self.keep.update(g.sums)
        self.deferred = self._deferred(groups)
        weights = {s for s, keep, a in zip(loop.slots, shared, first)
                   if keep and not isinstance(a, Lit)}
        self.guarded, self.weights, self.most = guarded(loop, steps, self.regions, weights)
        # The rows, as constants where every slot of them is a written number.
        rows = [tuple(r[i] for i in self.varying) for r in loop.rows]
        self.constant = all(isinstance(a, Lit) for r in rows for a in r)
        if self.constant:
            values = tuple(tuple(a.value for a in r) for r in rows)  # type: ignore[union-attr]
            render.glob.values[f"ROWS{n}"] = values
            render.glob.values[f"REV{n}"] = values[::-1]
        self.rows = rows
        if self.grad_varying:
            index: dict[int, int] = {}
            ix = tuple(tuple(index.setdefault(r[i], len(index)) for i in self.grad_varying)  # type: ignore[arg-type]
                       for r in loop.rows)
            self.acc_vars = list(index)
            render.glob.values[f"IX{n}"] = ix[::-1]

    # --- pieces ------------------------------------------------------------------------------
    def _rows_line(self, lines: Lines) -> None:
        if not self.constant:
            n = self.tag
            text = ", ".join(_tuple([lines.text(a) for a in r]) for r in self.rows)
            lines.put(f"ROWS{n} = ({text},)")
            lines.put(f"REV{n} = ROWS{n}[::-1]")

    def _deferred(self, groups: list[Column]) -> dict[int, Eqn]:
        """The relus (``x if x > 0.0 else 0.0``) whose output only a column reads
        forward: written inside that column's test of it, so that one test serves both."""
        by_out = {e.out: e for e in self.loop.body if e.out >= 0}
        readers: dict[int, list[int]] = {}
        for e in self.loop.body:
            for a in e.ins:
                if isinstance(a, int):
                    readers.setdefault(a, []).append(self._place[e.out])
        seen = [a for g in groups for a in g.inputs]
        out: dict[int, Eqn] = {}
        for g in groups:
            start = min(self._place[m] for m in g.members)
            for a in g.inputs:
                found = by_out.get(a)
                if found is None:
                    continue
                e = found
                if (not isinstance(e.op, Rule) or e.op.arity != 1
                        or seen.count(a) != 1 or a in self.loop.outs):
                    continue
                code, x = row(e.op), e.ins[0]
                if (code.table and code.truth_is_gate and isinstance(x, int) and x in self.keep
                        and a in self.keep and min(readers[a]) >= start):
                    out[a] = e
        return out

    def _forward_body(self, indent: str) -> Lines:
        body = Lines(dict(self.name), self.r.glob, self.keep, self.uses, indent)
        body.heat = self.r.heat
        written: set[int] = set()
        for e in self.loop.body:
            if e.out in written or e.out in self.deferred:
                continue
            group = self.column_of.get(e.out)
            if group is not None:   # sums over shared inputs, by column (columns.py)
                self._column(body, group)
                written |= group.members
                continue
            body.forward(e, e.out in self.exposed)
        body.exposed_check()
        return body

    def _column(self, body: Lines, group: Column) -> None:
        for z, start in zip(group.sums, group.starts):
            body.put(f"{body.name[z]} = {body.text(start)}")
        base = body.indent
        for i, a in enumerate(group.inputs):
            relu = self.deferred.get(a)
            if relu is None:
                body.put(f"if {body.text(a)}:")   # (0.0 and -0.0 add nothing)
            else:   # the relu's line, around the terms it lets through
                x = body.text(relu.ins[0])
                body.put(f"if {row(relu.op).gate.format(x=x)}:")  # type: ignore[union-attr]
                body.put(f"    {body.text(a)} = {x}")
                if a in self.exposed:
                    body.exposed.append(body.text(a))
            body.indent = base + "    "
            for z, weights in zip(group.sums, group.weights):
                name = body.name[z]
                body.put(f"{name} = {name} + {body.text(weights[i])} * {body.text(a)}")
            body.indent = base
            if relu is not None:
                body.put("else:")
                body.put(f"    {body.text(a)} = 0.0 if {x} > -1e999 else bad()")
        for z in group.sums:
            if z in self.exposed:
                body.exposed.append(body.name[z])

    def _prepare(self, lines: Lines, sums: Sums) -> str:
        """Before the backward loop: sums started, the list of varying sums, and the
        outside gradient of each instance's exports (last instance first)."""
        n = self.tag
        for a in self.shared_grad:
            if a not in sums.started:
                lines.put(f"{sums.name[a]} = 0.0")
                sums.started.add(a)
        if self.grad_varying:
            for a in self.acc_vars:
                if a not in sums.started:
                    lines.put(f"{sums.name[a]} = 0.0")
                    sums.started.add(a)
            lines.put(f"A{n} = [{', '.join(sums.name[a] for a in self.acc_vars)}]")
        if self.weights:   # (the bound on a gradient whose products may be skipped)
            lines.put(f"W{n} = max(map(abs, {_tuple([self.name[w] for w in self.weights])}))")
            lines.put(f"B{n} = {literal(1e300 / self.most)} / W{n} if W{n} else INF")
            lines.put(f"NB{n} = -B{n}")
        gx = [_tuple([sums.name[v] if v in sums.started else "0.0" for v in out])
              for out in reversed(self.loop.exports)]
        lines.put(f"GX{n} = ({', '.join(gx)},)")
        for out in self.loop.exports:
            sums.started.update(out)
        return n  # type: ignore[return-value]

    def _backward_body(self, indent: str) -> Lines:
        loop, n = self.loop, self.tag
        steps = loop.steps or []
        names = dict(self.name)
        body = Lines(names, self.r.glob, set(), {}, indent)
        body.heat = self.r.heat
        terms: dict[int, int] = {}
        for e in steps:
            for a in e.ins[:e.op.arity]:  # type: ignore[union-attr]
                if not isinstance(a, Lit):
                    terms[a] = terms.get(a, 0) + 1
        started = set(loop.outs) | {loop.slots[i] for i in range(len(loop.slots))}
        sums = Sums(dict(self.sum), terms, set(), started)
        if self.grad_varying:
            body.put(f"({''.join(f'k{k}, ' for k in range(len(self.grad_varying)))}) = ix")
            for k, i in enumerate(self.grad_varying):
                body.put(f"gs{loop.slots[i]} = A{n}[k{k}]")
        # A sum that a skippable part adds into from outside that part must hold 0.0
        # before it: when the part is skipped, it is read all the same. It is set where
        # the innermost part that holds it (if any) begins.
        by_out = {e.out: e for e in steps}
        zeroed: dict[int | None, list[int]] = {}
        for _, members in self.regions.values():
            for m in members:
                for a in by_out[m].ins[:by_out[m].op.arity]:  # type: ignore[union-attr]
                    if not isinstance(a, Lit) and a not in members and a not in sums.started:
                        homes = [o for o, (_, ms) in self.regions.items()
                                 if a in ms and a != o]
                        zeroed.setdefault(homes[-1] if homes else None, []).append(a)
                        sums.started.add(a)
        for m in self.guarded:   # (sums added to under a test)
            for a in by_out[m].ins[:2]:
                if a not in sums.started:
                    zeroed.setdefault(None, []).append(a)  # type: ignore[arg-type]
                    sums.started.add(a)  # type: ignore[arg-type]
        for a in zeroed.pop(None, []):
            body.put(f"{sums.name[a]} = 0.0")
        self._visits(body, sums, compact(steps, self.regions), zeroed)
        # The sums no visit reads: the block's own leaves', which the engine tests finite.
        visited = {e.out for e in steps} | set(loop.slots)
        for a in dict.fromkeys(a for e in steps for a in e.ins[:e.op.arity]  # type: ignore[union-attr]
                               if not isinstance(a, Lit) and a not in visited):
            body.put(f"if {sums.name[a]} - {sums.name[a]}: raise Bad")
        for k, i in enumerate(self.grad_varying):
            body.put(f"A{n}[k{k}] = gs{loop.slots[i]}")
        return body

    def _visits(self, body: Lines, sums: Sums, steps: list[Eqn],
                zeroed: dict[int | None, list[int]]) -> None:
        chain_of: dict[int, list[int]] = {e.out: [] for e in steps}
        for owner, (_, members) in self.regions.items():   # (owners in visiting order)
            for m in members:
                chain_of[m].append(owner)
        open_: list[int] = []
        base = body.indent
        top = len(body.lines)
        bounded: list[set[str]] = [set()]   # gradients tested against the bound, per part
        for e in steps:
            chain = chain_of[e.out]
            while open_ and open_[-1] not in chain:
                owner = open_.pop()
                bounded.pop()
                body.indent = base + "    " * len(open_)
                body.put(f"elif {sums.name[owner]} - {sums.name[owner]}: raise Bad")
            for owner in chain:
                if owner not in open_:
                    test = self.regions[owner][0]
                    body.indent = base + "    " * len(open_)
                    body.put(f"if {test}:")
                    open_.append(owner)
                    bounded.append(set())
                    body.indent = base + "    " * len(open_)
                    # (where the part is first opened, if the parts around it hold all
                    # of it: else before every visit)
                    members = self.regions[owner][1]
                    inside = all(members <= self.regions[o][1] for o in open_[:-1])
                    for a in zeroed.pop(owner, []):
                        if inside:
                            body.put(f"{sums.name[a]} = 0.0")
                        else:
                            body.lines.insert(top, f"{base}{sums.name[a]} = 0.0")
                            top += 1
            body.indent = base + "    " * len(open_)
            t = self.guarded.get(e.out)
            if t is None:
                body.visit(e, sums, opened=e.out in self.regions)
                continue
            g = sums.name[e.out]
            if not any(g in b for b in bounded):
                body.put(f"if not NB{self.tag} < {g} < B{self.tag}: raise Bad")
                bounded[-1].add(g)
            body.put(f"if {self.regions[t][0]}:")
            body.visit(e, sums, extra="    ")
        while open_:
            owner = open_.pop()
            body.indent = base + "    " * len(open_)
            body.put(f"elif {sums.name[owner]} - {sums.name[owner]}: raise Bad")
        body.indent = base

    def _out(self, body: Lines) -> str:
        """What an instance hands out: its one number, or a tuple of them."""
        outs = [body.text(v) for v in self.loop.outs]
        return outs[0] if len(outs) == 1 else _tuple(outs)

    def _exports(self, lines: Lines) -> None:
        n = self.tag
        if len(self.loop.outs) == 1:
            names = [lines.name[out[0]] for out in self.loop.exports]
        else:
            names = [_tuple([lines.name[v] for v in out]) for out in self.loop.exports]
        lines.put(f"({', '.join(names)},) = E{n}")

    # --- the three ways to be written ---------------------------------------------------------
    def forward(self, lines: Lines) -> None:
        n, loop = self.tag, self.loop
        self._rows_line(lines)
        lines.put(f"TAPE{n} = []")
        lines.put(f"E{n} = []")
        head = _tuple([self.name[loop.slots[i]] for i in self.varying])
        lines.put(f"for {head} in ROWS{n}:" if self.varying else
                  f"for _ in range({len(loop.rows)}):")
        body = self._forward_body(lines.indent + "    ")
        lines.lines.extend(body.lines)
        lines.put(f"    TAPE{n}.append({_tuple([body.text(v) for v in self.tape])})")
        lines.put(f"    E{n}.append({self._out(body)})")
        self._exports(lines)

    def backward(self, lines: Lines, sums: Sums) -> None:
        n, loop = self.tag, self.loop
        self._prepare(lines, sums)
        targets = [_tuple([self.name[loop.slots[i]] for i in self.varying]),
                   _tuple([self.name[v] for v in self.tape]),
                   _tuple([self.sum[v] for v in loop.outs])]
        seqs = [f"REV{n}", f"reversed(TAPE{n})", f"GX{n}"]
        if self.grad_varying:
            targets.append("ix")
            seqs.append(f"IX{n}")
        lines.put(f"for {', '.join(targets)} in zip({', '.join(seqs)}):")
        lines.lines.extend(self._backward_body(lines.indent + "    ").lines)
        self._after(lines, sums)

    def fused(self, lines: Lines, sums: Sums | None) -> None:
        assert sums is not None
        n, loop = self.tag, self.loop
        self._rows_line(lines)
        self._prepare(lines, sums)
        lines.put(f"E{n} = []")
        targets = [_tuple([self.name[loop.slots[i]] for i in self.varying]),
                   _tuple([self.sum[v] for v in loop.outs])]
        seqs = [f"REV{n}", f"GX{n}"]
        if self.grad_varying:
            targets.append("ix")
            seqs.append(f"IX{n}")
        lines.put(f"for {', '.join(targets)} in zip({', '.join(seqs)}):")
        body = self._forward_body(lines.indent + "    ")
        lines.lines.extend(body.lines)
        lines.put(f"    E{n}.append({self._out(body)})")
        back = self._backward_body(lines.indent + "    ")
        back.name.update({v: body.text(v) for v in self.needs if v in body.name})
        lines.lines.extend(back.lines)
        lines.put(f"E{n}.reverse()")
        self._exports(lines)
        self._after(lines, sums)

    def _after(self, lines: Lines, sums: Sums) -> None:
        if self.grad_varying:
            lines.put(f"({''.join(sums.name[a] + ', ' for a in self.acc_vars)}) = A{self.tag}")
