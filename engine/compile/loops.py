"""The loop pass: blocks of equations that repeat become one :class:`~ir.Loop`.

A batch's loss repeats one block per sample; writing the code of each copy would cost
compile time and memory in proportion to the batch. This pass finds such blocks and
rolls them, and it rolls only where it can show the result is the same program.

Candidates. The engine's depth-first order puts the nodes first reached through a node
in one unbroken run ending at it (its *block*, from ``program.starts``). Blocks are tried
largest first; those of one size whose last node has one row form a group, and within it
the blocks whose *signatures* are equal become the instances of a loop. A block that
joins no loop gives way to the blocks inside it.

A block's members are the nodes and leaves made inside ``fn`` in its run of the order,
and the number equations they need that read nothing made outside the block (a
cross-entropy's max shift). Its signature lists, in the order they were made, each
member's operation and where each of its inputs comes from: another member (by its
place), or a *slot*, the same slot for the same variable, a new one for each written
number. Two blocks with one signature compute the same thing from their slots, read
their slots the same way (two slots are never one variable in one block and two in
another) and order their nodes the same way in the engine's walk, so one template, run
once per block with its slots bound, gives their numbers and their gradients, term by
term.

Proofs, before a loop is kept:

- backward: the engine visits the instances one after another, last first, with other
  nodes between them (the adds of a sum). Those are moved before the loop only where
  they commute with the instances already visited: they write no gradient those read or
  write, and read none they write. Otherwise the loop is not made;
- forward: every variable a loop reads is computed before the loop, every one it hands
  out is read after it; otherwise the loop is not made.
"""

from __future__ import annotations

import heapq
import itertools
import operator
from collections import Counter
from typing import Any

from engine.compile.ir import Atom, Eqn, Lit, Loop, Program, Run
from engine.ops import Rule

__all__ = ["roll", "MIN_BLOCK"]

MIN_BLOCK = 2        # nodes in a block worth a loop...
MIN_LOOP = 24        # ... and in all its instances together
MAX_EXPORTS = 64     # a block handing out more than this is not rolled


class _Graph:
    """Indexes over a flat program, shared by the searches (lists indexed by variable, or
    by place in the engine's order)."""

    def __init__(self, program: Program) -> None:
        n = program.n_vars
        self.program = program
        eqns: list[Eqn] = [e for e in program.eqns if isinstance(e, Eqn)]   # (all: flat)
        self.eqns = eqns
        self.eqn: list[Any] = program.defs
        # How many times each variable is read (the root once more, by the caller).
        uses = self.uses = [0] * n
        for a, k in Counter(itertools.chain.from_iterable(e.ins for e in eqns)).items():
            if type(a) is int:
                uses[a] = k
        uses[program.root] += 1
        order = self.order = program.order
        self.starts = program.starts
        pos = self.pos = [-1] * n
        for i, v in enumerate(order):
            pos[v] = i
        # Per place: made inside fn (what blocks are made of); a node visited backward; a
        # node that reads a number equation (its constant computed from data).
        kinds = [program.kinds[v] for v in order]
        self.free = bytearray(k in "ndl" for k in kinds)
        self.step = bytearray(k == "n" for k in kinds)
        self.numbers = bytearray(len(order))
        for v in program.numbered:
            if pos[v] >= 0:
                self.numbers[pos[v]] = 1
        self.claimed = bytearray(n)   # variables now inside a loop
        # For every equation outside the graph: the span of places of the graph's
        # made-inside-fn nodes it depends on.
        inf = len(order)
        self.span: dict[int, tuple[int, int]] = {}
        free = self.free
        for e in eqns:
            if e.out < 0 or pos[e.out] >= 0:
                continue
            lo, hi = inf, -1
            for a in e.ins:
                if type(a) is not int:
                    continue
                p = pos[a]
                if p >= 0:
                    if free[p]:
                        lo, hi = min(lo, p), max(hi, p)
                elif a in self.span:
                    sp = self.span[a]
                    lo, hi = min(lo, sp[0]), max(hi, sp[1])
            self.span[e.out] = (lo, hi)


def _members(g: _Graph, p: int) -> list[int]:
    """The block of the node at place ``p``: its members, in a canonical order."""
    a = g.starts[p]
    members = list(itertools.compress(g.order[a:p + 1], g.free[a:p + 1]))
    pos, eqn, span, claimed = g.pos, g.eqn, g.span, g.claimed
    extra = []
    inside = None
    todo = [v for v in itertools.compress(g.order[a:p + 1], g.numbers[a:p + 1])
            if not claimed[v]]
    while todo:   # number equations the members need, made from inside the block only
        for x in eqn[todo.pop()].ins:
            if type(x) is not int or pos[x] >= 0 or claimed[x]:
                continue
            sp = span.get(x)   # (made from nothing of the graph: a slot, read outside)
            if sp is not None and a <= sp[0] <= sp[1] <= p:
                if inside is None:
                    inside = set(members)
                if x not in inside:
                    inside.add(x)
                    extra.append(x)
                    todo.append(x)
    if extra:   # in the order they were made (their variables' order), which computes
        members = sorted(members + extra)   # each before its readers
    return members


def _signature(g: _Graph, members: list[int]) -> tuple[Any, list[Atom], list[int]]:
    """The block's signature, its row (the atom of each slot, in order of first use) and
    the places of its members read outside it.

    Each input of each member, in order, is the place of another member, or a slot: the
    same slot for the same variable, its own slot for each written number. (Computed with
    maps over whole lists: blocks are many and large.)
    """
    eqns = list(map(g.eqn.__getitem__, members))
    ins = list(map(_INS, eqns))
    atoms = list(itertools.chain.from_iterable(ins))
    local = dict(zip(members, range(len(members))))
    refs = list(map(local.get, atoms))
    outside = list(itertools.compress(atoms, map(operator.is_, refs, itertools.repeat(None))))
    first: dict[Any, int] = {}
    pattern = tuple(first.setdefault(a, len(first)) if type(a) is int else -1
                    for a in outside)
    row = [a for a in outside if type(a) is not int or first.pop(a, None) is not None]
    literals = tuple(type(a.value) for a in row if isinstance(a, Lit))
    signature = (tuple(map(_OP, eqns)), tuple(map(len, ins)), tuple(refs), pattern, literals)
    counts = Counter(refs)
    uses = g.uses
    exports = [i for i, v in enumerate(members) if counts[i] != uses[v]]
    return signature, row, exports


_INS, _OP = operator.attrgetter("ins"), operator.attrgetter("op")


def _make_loop(g: _Graph, blocks: list[list[int]], rows: list[list[Atom]],
               exported: list[int]) -> Loop:
    """The loop of blocks with one signature (their members and rows)."""
    first = blocks[0]
    n = len(first)
    local = dict(zip(first, range(n)))
    # A number written the same in every block stays written; numbers that are equal in
    # every block (an input read by several nodes) are one slot; the rest are slots.
    width = len(rows[0])
    keep = [not isinstance(rows[0][s], Lit) or any(
        r[s].key() != rows[0][s].key() for r in rows)  # type: ignore[union-attr]
        for s in range(width)]
    template: dict[int, int] = {}
    column: dict[Any, int] = {}
    for s, k in enumerate(keep):
        if not k:
            continue
        if isinstance(rows[0][s], Lit):
            same = column.setdefault(tuple(r[s].key() for r in rows), s)  # type: ignore[union-attr]
            if same != s:
                template[s] = template[same]
                continue
        template[s] = n + len(set(template.values()))
    body = []
    counter = 0
    var_slot: dict[int, int] = {}
    for v in first:   # the slots numbered as _signature's row lists them
        e = g.eqn[v]
        ins: list[Atom] = []
        for a in e.ins:
            if type(a) is not int:
                ins.append(template[counter] if keep[counter] else a)
                counter += 1
            elif a in local:
                ins.append(local[a])
            else:
                if a not in var_slot:
                    var_slot[a] = counter
                    counter += 1
                ins.append(template[var_slot[a]])
        body.append(Eqn(e.op, local[v], tuple(ins), e.arg))
    exports = [tuple(members[i] for i in exported) for members in blocks]
    pos = g.pos
    visited = sorted((local[v] for v in first if pos[v] >= 0 and g.step[pos[v]]),
                     key=lambda i: pos[first[i]], reverse=True)
    slots = sorted(set(template.values()))
    first_of = {t: s for s, t in sorted(template.items(), reverse=True)}
    steps = [body[i] for i in visited]
    made = {e.out: v for e, v in zip(body, first)}   # (written in the order it was made)
    body.sort(key=lambda e: made[e.out])
    return Loop(body, tuple(slots), [tuple(r[first_of[t]] for t in slots) for r in rows],
                tuple(exported), exports, steps, [tuple(members) for members in blocks])


def _backward(g: _Graph, schedule: list[Eqn | Run], blocks: list[list[int]],
              rows: list[list[Atom]], loop: Loop) -> list[Eqn | Run] | None:
    """``schedule`` with the loop's instances as one run, or None if the engine's order of
    terms cannot be kept that way (see the module's docstring)."""
    instance = {v: k for k, members in enumerate(blocks) for v in members}
    bound: dict[int, int] = {}   # variable read by an instance (a slot) -> the last such
    for k, row in enumerate(rows):
        for a in row:
            if type(a) is int:
                bound[a] = k
    before: list[Eqn | Run] = []
    moved: list[Eqn | Run] = []
    after: list[Eqn | Run] = []
    expect = len(blocks) - 1   # instances are visited last first
    current = -1
    get = instance.get
    for item in schedule:
        k = get(item.out, -1) if type(item) is Eqn else -1
        if k >= 0:
            if k != current:
                if k != expect or after:
                    return None
                current, expect = k, k - 1
        elif current < 0:
            before.append(item)
        elif expect < 0:
            after.append(item)
        else:   # between instances: moved before them, if it commutes with those visited
            if type(item) is not Eqn:
                return None
            for w in (item.out, *item.ins[:item.op.arity]):  # type: ignore[union-attr]
                if type(w) is int and (get(w, -1) >= current or bound.get(w, -1) >= current):
                    return None
            moved.append(item)
    if expect >= 0:
        return None
    return [*before, *moved, Run(loop, 0, len(blocks)), *after]


class _Search:
    """Blocks tried largest first; see the module's docstring."""

    def __init__(self, g: _Graph, schedule: list[Eqn | Run]) -> None:
        self.g, self.schedule = g, schedule
        self.loops: list[Loop] = []
        self.skipped = False   # a class the strict search left

    def run(self, strict: bool) -> None:
        g = self.g
        order, starts, free, step, eqn, pos = g.order, g.starts, g.free, g.step, g.eqn, g.pos
        icount = [0, *itertools.accumulate(free)]

        def size(p: int) -> int:
            return icount[p + 1] - icount[starts[p]]

        heap: list[tuple[int, int, int]] = []
        pushed: set[int] = set()

        def push(p: int) -> None:
            if step[p] and free[p] and p not in pushed and size(p) >= MIN_BLOCK:
                pushed.add(p)
                heapq.heappush(heap, (-size(p), _rule_id(eqn[order[p]].op), -p))

        push(pos[g.program.root])
        while heap:
            head = heap[0][:2]
            group = []
            while heap and heap[0][:2] == head:
                group.append(-heapq.heappop(heap)[2])
            group.sort()
            kept: set[int] = set()
            if len(group) > 1:
                kept = self._classes(group, strict)
            for p in group:   # the blocks inside the ones that joined no loop
                if p in kept:
                    continue
                e = eqn[order[p]]
                for a in e.ins[:e.op.arity]:
                    if type(a) is int and pos[a] >= 0 and starts[pos[a]] >= starts[p]:
                        push(pos[a])

    def _classes(self, group: list[int], strict: bool) -> set[int]:
        g = self.g
        classes: dict[Any, list[tuple[int, list[int], list[Atom], list[int]]]] = {}
        for p in group:
            members = _members(g, p)
            sig, row, exports = _signature(g, members)
            classes.setdefault(sig, []).append((p, members, row, exports))
        kept: set[int] = set()
        for cls in classes.values():
            if len(cls) < 2 or len(cls) * len(cls[0][1]) < MIN_LOOP:
                continue
            if strict and 2 * len(cls) < len(group):
                self.skipped = True
                continue
            exported = sorted({i for *_, ex in cls for i in ex})
            if len(exported) > MAX_EXPORTS:
                continue
            blocks, rows = [m for _, m, _, _ in cls], [r for _, _, r, _ in cls]
            loop = _make_loop(g, blocks, rows, exported)
            new = _backward(g, self.schedule, blocks, rows, loop)
            if new is None:
                continue
            self.schedule = new
            self.loops.append(loop)
            for members in blocks:
                for v in members:
                    g.claimed[v] = 1
                    if g.pos[v] >= 0:
                        g.free[g.pos[v]] = 0
            kept.update(p for p, *_ in cls)
        return kept


_RULE_IDS: dict[int, int] = {}


def _rule_id(rule: Any) -> int:
    return _RULE_IDS.setdefault(id(rule), len(_RULE_IDS))


def roll(program: Program) -> Program:
    """``program`` with its repeated blocks as loops (a program with no loop to make is
    returned as it is)."""
    if program.backward is None:
        raise ValueError("roll: run the adjoint pass first")
    g = _Graph(program)
    search = _Search(g, list(program.backward))
    search.run(strict=True)
    if search.skipped:   # a second search, over what is left, takes smaller classes too
        search.run(strict=False)
    if not search.loops:
        return program
    eqns = _place(g, search.loops)
    if eqns is None:
        return program
    return program.copy(eqns, search.schedule)


def _place(g: _Graph, loops: list[Loop]) -> list[Eqn | Loop] | None:
    """The equations with each loop in place of its instances, in an order that computes
    every variable before it is read: the program's own order, each loop as early as what
    it reads allows, and whatever reads a loop's results after it. None if there is no
    such order (a loop would read what it hands out)."""
    claimed = g.claimed
    index = {e.out: i for i, e in enumerate(g.eqns) if e.out >= 0}
    keyed: list[tuple[float, Eqn | Loop]] = [
        (float(i), e) for i, e in enumerate(g.eqns) if e.out < 0 or not claimed[e.out]]
    for loop in loops:
        anchor = max((index[a] for row in loop.rows for a in row if type(a) is int),
                     default=-1)
        keyed.append((anchor + 0.5, loop))
    keyed.sort(key=lambda t: t[0])
    defined = bytearray(g.program.n_vars)
    waiting: dict[int, list[Eqn | Loop]] = {}
    items: list[Eqn | Loop] = []

    def missing(item: Eqn | Loop) -> int:
        if isinstance(item, Loop):
            atoms: Any = (a for row in item.rows for a in row)
        elif type(item.op) is Rule and item.arg is not None:   # (its number is read)
            return -1
        else:
            atoms = item.ins
        for a in atoms:
            if type(a) is int and not defined[a]:
                return a
        return -1

    for _, first in keyed:
        todo = [first]
        while todo:
            item = todo.pop()
            m = missing(item)
            if m >= 0:
                waiting.setdefault(m, []).append(item)
                continue
            items.append(item)
            made = ([v for out in item.exports for v in out] if isinstance(item, Loop)
                    else [item.out] if item.out >= 0 else [])
            for v in made:
                defined[v] = 1
                todo.extend(reversed(waiting.pop(v, ())))
    return None if waiting else items
