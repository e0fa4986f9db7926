"""Behind a shut relu: the parts of a block's backward pass that may be skipped.

A relu (a row whose partial is ``<a> if <test> else 0.0``, see :mod:`engine.compile.rows`)
whose test fails multiplies the gradient it passes on by 0.0. The engine still visits
what lies behind it, adding ``partial · 0.0`` terms: zeros, when the partials are finite
(constants or letters). A zero changes no sum the engine keeps: its sums start at 0.0, so
none is ever -0.0, and ``s + ±0.0`` is ``s``. So that part can be skipped, as long as what
the engine would test there is tested: the gradient entering the shut relu must be
finite (``elif g - g: raise Bad``: ``g - g`` is 0.0 for a finite ``g``, nan, which is
true, otherwise).

- :func:`regions`: for each relu of a block, its test and the nodes whose visits add only
  zeros when it fails;
- :func:`compact`: the visits of each such part brought together where that changes no
  sum's order of terms, so that one test serves them;
- :func:`guarded`: the products ``w · t`` with ``t`` a relu's output, which wait on that
  relu's own test (see there).
"""

from __future__ import annotations

from engine.compile.ir import Eqn, Lit, Loop
from engine.compile.rows import row
from engine.ops import MUL, Rule

__all__ = ["regions", "compact", "guarded"]


def compact(steps: list[Eqn], regions: dict[int, tuple[str, set[int]]]) -> list[Eqn]:
    """The visits, each skippable part made one run where the visits it moves past commute
    with it (they write no sum its visits read or write, and read none they write): one
    test of its relu instead of one per piece. The terms of every sum keep their order."""
    for _, members in regions.values():
        at = [i for i, e in enumerate(steps) if e.out in members]
        lo, hi = at[0], at[-1]
        if hi - lo + 1 == len(at):
            continue
        reads: set[int] = set()
        writes: set[int] = set()
        ok = True
        for e in reversed(steps[lo:hi + 1]):   # the members after each other visit move
            w = {a for a in e.ins[:e.op.arity] if isinstance(a, int)}  # type: ignore[union-attr]
            if e.out in members:
                reads.add(e.out)
                writes |= w
            elif w & reads or w & writes or e.out in writes:
                ok = False
                break
        if ok:
            span = steps[lo:hi + 1]
            steps = (steps[:lo] + [e for e in span if e.out in members]
                     + [e for e in span if e.out not in members] + steps[hi + 1:])
    return steps


def regions(loop: Loop, steps: list[Eqn],
             name: dict[int, str]) -> dict[int, tuple[str, set[int]]]:
    """For each relu of the block (a node whose partial is 0 unless a test holds): the
    test, and the nodes whose backward visits add only zeros when it fails: the relu, and
    the nodes whose gradient comes only from those (nothing handed out), all with partials
    that are constants or letters (finite numbers times a zero gradient make zeros)."""
    consumers: dict[int, set[int]] = {}
    for e in steps:
        for a in e.ins[:e.op.arity]:  # type: ignore[union-attr]
            if not isinstance(a, Lit):
                consumers.setdefault(a, set()).add(e.out)
    outs = set(loop.outs) | set(loop.slots)
    found: dict[int, tuple[str, set[int]]] = {}
    for at, r in enumerate(steps):
        rule: Rule = r.op  # type: ignore[assignment]
        code = row(rule)
        if rule.arity != 1 or code.zero_unless[0] is None or not code.table:
            continue
        x = r.ins[0]
        if isinstance(x, Lit):
            continue
        letters = {"x": name[x], "y": "", "c": "", "out": name[r.out]}
        test = code.zero_unless[0].format(**letters)
        if code.truth_is_gate and code.gate == code.zero_unless[0]:
            test = name[r.out]   # (relu: its number is not 0.0 exactly where x > 0.0)
        members = {r.out}
        for m in steps[at + 1:]:
            if m.out in outs or m.out not in consumers:
                continue
            mcode = row(m.op)
            if mcode.table and all(mcode.plain) and consumers[m.out] <= members:
                members.add(m.out)
        found[r.out] = (test, members)
    return found



def guarded(loop: Loop, steps: list[Eqn], regions: dict[int, tuple[str, set[int]]],
             weights: set[int]) -> tuple[dict[int, int], list[int], int]:
    """The products ``w * t`` of the block whose visits can wait on the test of ``t``'s
    relu: ``w`` a loop invariant, ``t`` a relu's output (``t if test else 0.0``) that only
    such products read. Where the test fails, ``t`` is 0.0, so the term ``t * g`` adds
    nothing to ``w``'s sum, and ``t``'s own sum is only tested finite by the engine: it
    is, if every term ``w * g`` is below ``B = 1e300 / (terms · max |w|)``, which each such
    ``g`` is tested against instead. For each such product: its ``t``; the invariants;
    the most terms any such sum has."""
    by_out = {e.out: e for e in steps}
    candidates: dict[int, int] = {}
    for e in steps:
        x, y = e.ins[0], e.ins[-1]
        if e.op is not MUL or not isinstance(x, int) or not isinstance(y, int) or x == y:
            continue
        for t, w in ((x, y), (y, x)):
            code = row(by_out[t].op) if t in regions else None
            if code is not None and w in weights and code.gate == code.zero_unless[0]:
                candidates[e.out] = t
                break
    writers: dict[int, list[int]] = {}
    for e in steps:
        for a in e.ins[:e.op.arity]:  # type: ignore[union-attr]
            if isinstance(a, int):
                writers.setdefault(a, []).append(e.out)
    owners = {t for t in candidates.values() if t not in loop.outs and len(writers[t]) > 1
              and all(candidates.get(m) == t for m in writers[t])}   # (one test, many terms)
    chosen = {m: t for m, t in candidates.items() if t in owners}
    invariants = list(dict.fromkeys(a for m, t in chosen.items()
                                    for a in by_out[m].ins[:2] if isinstance(a, int) and a != t))
    return chosen, invariants, max((len(writers[t]) for t in owners), default=1)
