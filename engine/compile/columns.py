"""Sums over shared inputs, written by column: an input that is 0.0 adds nothing.

A dense layer after a relu layer computes, for each neuron j, the chain of sums
``z_j = ((b_j + w_j0·a_0) + w_j1·a_1) + ...`` over the same inputs ``a_i``, of which those
of shut relus are exactly 0.0. Where every such ``z_j`` is read only by rows that cannot
tell +0.0 from -0.0 (relu: its number and its derivative at +0.0 and at -0.0 are the same
bits, checked on the row itself), a term ``w·a_i`` with ``a_i == 0.0`` may be left out:
``w`` is finite, as every number the engine keeps, so the term is ±0.0, and adding ±0.0
changes a sum at most in the sign of a zero. Written by column (for each input ``a_i``
that is not 0.0, its term added to every ``z_j``) each sum still takes its terms in the
engine's order, and one test serves all of them.

The chains' partial sums and products are read by nothing else (they are not needed
backward: the partials of ``+`` are constants, those of ``x * y`` read x and y), so they
are not written at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from engine.compile.ir import Atom, Eqn
from engine.ops import ADD, MUL, Rule

__all__ = ["Column", "columns"]


@dataclass
class Column:
    """Sums ``sums[j] = starts[j] + Σ_i weights[j][i]·inputs[i]``, in that order."""

    sums: list[int]
    starts: list[Atom]
    inputs: list[int]
    weights: list[list[Atom]]
    members: set[int]      # the chains' nodes, written by this block instead


@cache
def _blind_to_zero_sign(rule: Rule) -> bool:
    """Are the row's number and derivative at x = +0.0 and at x = -0.0 the same bits?"""
    if rule.arity != 1 or rule.args != "x":
        return False
    try:
        at = [(rule.f(x), rule.df(rule.f(x), x, None)) for x in (0.0, -0.0)]
    except Exception:
        return False
    return repr(at[0]) == repr(at[1])


def columns(body: list[Eqn], uses: dict[int, int], keep: set[int],
            outs: set[int]) -> list[Column]:
    """The groups of chains of ``body`` to write by column (see the module's docstring)."""
    by_out = {e.out: e for e in body if e.out >= 0}
    readers: dict[int, list[Eqn]] = {}
    for e in body:
        for a in e.ins:
            if isinstance(a, int):
                readers.setdefault(a, []).append(e)
    chains: dict[tuple[int, ...], list[tuple[int, Atom, list[Atom], set[int]]]] = {}
    for e in body:
        if e.op is not ADD or e.out in outs or not readers.get(e.out) or not all(
                isinstance(r.op, Rule) and _blind_to_zero_sign(r.op) for r in readers[e.out]):
            continue
        terms: list[tuple[Atom, int]] = []
        nodes: set[int] = set()
        link: Eqn | None = e
        start: Atom = -1
        while link is not None:
            m = by_out.get(link.ins[1]) if isinstance(link.ins[1], int) else None
            if (m is None or m.op is not MUL or uses.get(m.out, 0) != 1 or m.out in keep
                    or m.out in outs or not isinstance(m.ins[1], int)):
                break
            terms.append((m.ins[0], m.ins[1]))
            nodes.update((link.out, m.out))
            prev = link.ins[0]
            nxt = by_out.get(prev) if isinstance(prev, int) else None
            if (nxt is not None and nxt.op is ADD and uses.get(prev, 0) == 1  # type: ignore[arg-type]
                    and prev not in keep and prev not in outs):
                link = nxt
            else:
                start, link = prev, None
        if link is not None or len(terms) < 2:   # (a chain whose first link is no product)
            continue
        terms.reverse()
        key = tuple(a for _, a in terms)
        chains.setdefault(key, []).append((e.out, start, [w for w, _ in terms], nodes))
    groups = []
    order = {e.out: i for i, e in enumerate(body) if e.out >= 0}
    for inputs, found in chains.items():
        if len(found) < 2:
            continue
        members = set().union(*(nodes for *_, nodes in found))
        first = min(order[v] for v in members)
        if any(isinstance(a, int) and order.get(a, -1) >= first
               for _, start, weights, _ in found for a in (start, *weights, *inputs)):
            continue   # something it reads is made later: written as it is
        groups.append(Column([z for z, *_ in found], [s for _, s, _, _ in found],
                             list(inputs), [w for _, _, w, _ in found], members))
    return groups
