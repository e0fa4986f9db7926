"""The adjoint pass: the backward half of a program, in the engine's own order.

:func:`engine.value.backprop` visits the nodes of the graph in the reverse of
:func:`engine.value.topological_order`; at each node it multiplies the gradient that
reached it, ``g``, by the node's partials and adds each product into the gradient of an
input, ``x`` first and then ``y``, every sum starting at ``0.0``. Floating-point
addition is not associative, so the order of those terms fixes the last bits of every
gradient. The trace keeps that very order (it calls ``topological_order`` on the traced
graph, see :mod:`engine.compile.trace`); this pass turns it into ``program.backward``,
the list of nodes to visit, and :func:`terms` says which inputs a visit adds into. The
reference interpreter (:mod:`engine.compile.evaluate`) and the code
(:mod:`engine.compile.render`) both follow that list, and the loop pass
(:mod:`engine.compile.loops`) keeps its order exactly wherever it rolls.

Examples:
    >>> import engine
    >>> from engine import Value
    >>> w = Value(0.5)
    >>> step = engine.compile(lambda x: (w * x + w) * x, 2.0)
    >>> [e.op.text for e in step.versions()[0].flat.backward]
    ['x * c', 'x + y', 'x * c']
"""

from __future__ import annotations

from engine.compile.ir import Atom, Eqn, Program, Run

__all__ = ["adjoint", "terms"]


def adjoint(program: Program) -> Program:
    """Fill ``program.backward``: its nodes, in the order the engine's backward visits them
    (leaves, whose gradient only arrives, are not visited)."""
    defs, kinds = program.defs, program.kinds
    if not defs:   # (a program not made by a trace: index its equations here)
        by_var = {e.out: e for e in program.eqns if isinstance(e, Eqn)}
        sinks = set(program.sinks)
        visits = [by_var[v] for v in reversed(program.order)
                  if by_var[v].is_node and v not in sinks]
    else:   # a node made inside fn, or before it: visited (a leaf, or a node of no_grad: not)
        visits = [defs[v] for v in reversed(program.order)
                  if kinds[v] == "n" or (kinds[v] == "p" and defs[v].arg is not None
                                         and type(defs[v].op) is not str)]
    return program.copy(program.eqns, list[Eqn | Run](visits))


def terms(e: Eqn) -> tuple[Atom, ...]:
    """The inputs a visit of node ``e`` adds a term into, in the engine's order: x, then y
    (the same variable twice for ``x * x``: two terms)."""
    return e.ins[:e.op.arity]  # type: ignore[union-attr]
