"""The reference interpreter: what a program means, computed one equation at a time.

``evaluate(program, params, inputs)`` runs the forward equations on numbers and then the
backward pass the adjoint pass wrote (``program.backward``); with ``engine=True`` it
rebuilds the graph as Values instead and lets :meth:`engine.Value.backward` compute the
gradients. Each node is computed by :func:`engine.apply`, the engine's own builder, so
its domain check and its refusal of an overflow are the engine's. A loop means its
instances, each the block with its slots bound (:func:`expand`).

``step.check`` and the tests compare, bit for bit: the engine, the program the trace
wrote (``engine=True``), the program with its backward pass, the program after the loop
pass, and the generated code. A difference names the pass that made it.
"""

from __future__ import annotations

import math
from typing import Any

from engine.compile.adjoint import terms
from engine.compile.ir import NUMBER_OPS, TESTS, Atom, Eqn, Lit, Loop, Program, Run, same
from engine.ops import Rule
from engine.value import Value, apply

__all__ = ["evaluate", "expand", "Retrace"]


class Retrace(Exception):
    """A guard failed: the program does not describe a call on these inputs."""


def expand(program: Program) -> tuple[list[Eqn], list[Eqn] | None]:
    """The forward equations and the backward visits with every loop written out: each
    instance's copy of the block, its slots replaced by the atoms of its row, its other
    variables by new ones."""
    fresh = [program.n_vars]
    copies: dict[int, list[dict[int, Atom]]] = {}

    def instances(loop: Loop) -> list[dict[int, Atom]]:
        if id(loop) not in copies:
            maps: list[dict[int, Atom]] = []
            for row, out in zip(loop.rows, loop.exports):
                m: dict[int, Atom] = dict(zip(loop.slots, row))
                m.update(zip(loop.outs, out))
                if loop.was is not None:   # the program's own variables, where known
                    m.update(zip(range(len(loop.was[0])), loop.was[len(maps)]))
                for e in loop.body:
                    if e.out >= 0 and e.out not in m:
                        m[e.out] = fresh[0]
                        fresh[0] += 1
                maps.append(m)
            copies[id(loop)] = maps
        return copies[id(loop)]

    def copy(e: Eqn, m: dict[int, Atom]) -> Eqn:
        ins = tuple(a if isinstance(a, Lit) else m.get(a, a) for a in e.ins)
        out = m[e.out] if e.out >= 0 else -1
        return Eqn(e.op, out, ins, e.arg)  # type: ignore[arg-type]

    forward: list[Eqn] = []
    for item in program.eqns:
        if isinstance(item, Loop):
            for m in instances(item):
                forward.extend(copy(e, m) for e in item.body)
        else:
            forward.append(item)
    if program.backward is None:
        return forward, None
    backward: list[Eqn] = []
    for step in program.backward:
        if isinstance(step, Run):
            maps = instances(step.loop)
            for k in reversed(range(step.start, step.stop)):
                backward.extend(copy(e, maps[k]) for e in step.loop.steps or ())
        else:
            backward.append(step)
    return forward, backward


def _values(env: dict[int, Any], atoms: tuple[Atom, ...]) -> list[Any]:
    return [a.value if isinstance(a, Lit) else env[a] for a in atoms]


def evaluate(program: Program, params: list[float], inputs: list[Any],
             engine: bool = False) -> tuple[Any, list[Any]]:
    """The loss and the gradients of ``program.grads`` (in its order) for these numbers:
    ``params[j]`` is the number of ``program.externals[j]``, ``inputs`` the flat inputs
    (a Value input's number in its place), as the generated code takes them.

    Raises :class:`Retrace` where a guard fails, and the engine's error where the engine
    would raise one.
    """
    forward, backward = expand(program)
    env: dict[int, Any] = {}
    made: dict[int, Value] = {}   # engine=True: the graph, rebuilt
    sinks = set(program.sinks)
    for e in forward:
        op = e.op
        if isinstance(op, Rule):
            if e.arg is not None:   # a node made before fn: its number as it is now
                env[e.out] = params[e.arg]
                if engine:
                    made[e.out] = _rebuilt(op, e, made, env, params[e.arg])
            elif engine and e.out not in sinks:
                v = _rebuilt(op, e, made, env, None)
                made[e.out] = v
                env[e.out] = v.data
            else:   # (a node made inside no_grad() is a leaf of the graph)
                env[e.out] = _node(op, _values(env, e.ins))
                if engine:
                    made[e.out] = Value(env[e.out])
        elif op == "param":
            env[e.out] = params[e.arg]
            if engine:
                made[e.out] = Value(params[e.arg])
        elif op == "input":
            env[e.out] = inputs[e.arg]
        elif op == "value":   # (the number of the Value given as input k)
            env[e.out] = inputs[e.arg]
            if engine:
                made[e.out] = Value(env[e.out])
        elif op == "leaf":
            v = Value(_values(env, e.ins)[0])
            env[e.out] = v.data
            made[e.out] = v
        elif op == "guard":
            test, outcome = e.arg
            (x, *rest) = _values(env, e.ins)
            if test == "same":
                holds = same(x, outcome)
            else:
                holds = bool(TESTS[test](x, *rest)) == outcome
            if not holds:
                raise Retrace(f"guard {test} failed")
        else:
            env[e.out] = NUMBER_OPS[str(op)](*_values(env, e.ins))
    loss = env[program.root]
    if engine or backward is None:
        root = made[program.root]
        root.backward()
        grads = [made[var].grad for var, _, _ in program.grads]
        return loss, grads
    pending: dict[int, float] = {program.root: 1.0}
    for e in backward:
        g = pending.pop(e.out)
        if not -math.inf < g < math.inf:
            raise ArithmeticError(f"backward: the gradient reaching v{e.out} is {g}")
        rule: Rule = e.op  # type: ignore[assignment]
        vals = _values(env, e.ins)
        partials = rule.constant
        if partials is None:
            partials = rule.df(env[e.out], vals[0], vals[1] if len(vals) > 1 else None)
        for i, a in enumerate(terms(e)):
            if isinstance(a, int):
                pending[a] = pending.get(a, 0.0) + partials[i] * g
    for var in program.sinks:
        g = pending.get(var, 0.0)
        if not -math.inf < g < math.inf:
            raise ArithmeticError(f"backward: the gradient reaching v{var} is {g}")
    grads = [pending[var] for var, _, _ in program.grads]
    for g in grads:
        if not -math.inf < g < math.inf:
            raise ArithmeticError(f"backward: a gradient is {g}")
    return loss, grads


def _node(rule: Rule, vals: list[Any]) -> float:
    """The number of a node, by the engine's own builder (its checks, its refusals)."""
    if rule.args == "x, c":
        return apply(rule, Value(vals[0]), c=vals[1]).data
    return apply(rule, *(Value(x) for x in vals)).data


def _rebuilt(rule: Rule, e: Eqn, made: dict[int, Value], env: dict[int, Any],
             number: float | None) -> Value:
    ins = [made[a] for a in e.ins[:rule.arity]]  # type: ignore[index]
    if rule.args == "x, c":
        v = apply(rule, *ins, c=_values(env, e.ins[1:])[0])
    else:
        v = apply(rule, *ins)
    if number is not None:   # (a node made before fn keeps the number it had)
        v.data = number
    return v
