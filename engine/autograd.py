"""Walking the graph: topological order, backpropagation, ``grad``, ``no_grad``.

Everything here is iterative (an explicit stack, never recursion), so a chain of a million
operations backpropagates as easily as a chain of ten. All of it reads the derivatives from
the table in :mod:`engine.ops` through :func:`local_partials`; nothing here knows calculus.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from engine.value import GRAD_ENABLED, Number, Value, _to_float

__all__ = [
    "topological_order",
    "backprop",
    "backward",
    "grad",
    "hessian",
    "hvp",
    "no_grad",
    "is_grad_enabled",
    "local_partials",
]

_INF = math.inf


def _require_value(v: Any, what: str) -> Value:
    if not isinstance(v, Value):
        raise TypeError(f"{what}: expected a Value, got {type(v).__name__}")
    return v


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block operations record nothing: every result is a leaf.

    Use it to evaluate a model without building a graph, or to update parameters.

    Examples:
        >>> from engine import Value, no_grad
        >>> x = Value(2.0)
        >>> with no_grad():
        ...     y = x * 3
        >>> y.inputs, y.op
        ((), '')
    """
    token = GRAD_ENABLED.set(False)
    try:
        yield
    finally:
        GRAD_ENABLED.reset(token)


def is_grad_enabled() -> bool:
    """False inside ``no_grad()``."""
    return GRAD_ENABLED.get()


def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph once, each after all of its inputs; ``root`` is last.

    Examples:
        >>> from engine import Value, topological_order
        >>> a = Value(1.0, label="a")
        >>> b = a + a
        >>> [v.label or v.op for v in topological_order(b * a)]
        ['a', '+', '*']
    """
    _require_value(root, "topological_order")
    order: list[Value] = []
    seen = {root}
    # Depth-first: a node stays on the stack until its inputs, x then y, are in the order.
    # (A node has at most two Value inputs, read from its slots: see engine.value.)
    stack = [root]
    while stack:
        node = stack[-1]
        x, y = node.x, node.y
        if x is not None and x not in seen:
            seen.add(x)
            stack.append(x)
        elif y is not None and y not in seen:
            seen.add(y)
            stack.append(y)
        else:
            stack.pop()
            order.append(node)
    return order


def local_partials(node: Value, on_values: bool = False) -> tuple[Any, ...]:
    """∂node/∂input for each of ``node.inputs``, from the node's row of the table.

    With ``on_values=True`` the rule is evaluated on the input Values themselves, so the
    derivatives are Values with graphs of their own (used for higher-order gradients).
    """
    rule = node.rule
    if rule is None:
        return ()
    inputs = node.inputs
    if on_values:
        if node.param is None:
            return rule.partials(*inputs, node)
        return rule.partials(*inputs, node, node.param)
    # Rows with a constant are unary; binary rows have none (see engine.ops).
    if len(inputs) == 2:
        return rule.partials(inputs[0].data, inputs[1].data, node.data)
    if node.param is None:
        return rule.partials(inputs[0].data, node.data)
    return rule.partials(inputs[0].data, node.data, node.param)


def backprop(
    root: Value, grad: Any = 1.0, create_graph: bool = False
) -> Iterator[tuple[Value, Any, tuple[Any, ...]]]:
    """The one backward loop: yields ``(node, g, partials)`` in reverse topological order.

    ``g`` is this pass's ∂root/∂node · grad, complete when the node is yielded (all of its
    consumers come before it). Before yielding, ``g × partial`` has already been sent on to
    each input. The caller decides what to do with ``g``: ``backward`` adds it to
    ``node.grad``, ``grad`` collects it, ``backprop_steps`` explains it. The gradient
    propagated is this pass's own, never the accumulated ``.grad``, so repeated passes add
    up exactly.
    """
    if create_graph:
        yield from _backprop_values(root, grad)
        return
    pending: dict[Value, float] = {root: grad}
    pop, get = pending.pop, pending.get
    for node in reversed(topological_order(root)):
        g = pop(node)
        if not -_INF < g < _INF:
            raise ArithmeticError(
                f"backward: the gradient reaching {node!r} (op {node.op or 'leaf'!r}) is "
                f"{g}: a local derivative or a product of them overflowed"
            )
        a, b = node.x, node.y
        if a is None:
            yield node, g, ()
            continue
        # The chain rule, one edge at a time: input += ∂node/∂input · g. A reused input
        # collects a contribution from every edge. (Floats only: no Value is created.)
        # The same rows local_partials reads, called directly: this loop is the hot path.
        if b is not None:
            partials = node.rule.partials(a.data, b.data, node.data)  # type: ignore[union-attr]
            pending[a] = get(a, 0.0) + partials[0] * g
            pending[b] = get(b, 0.0) + partials[1] * g
        else:
            if node.param is None:
                partials = node.rule.partials(a.data, node.data)  # type: ignore[union-attr]
            else:
                partials = node.rule.partials(a.data, node.data, node.param)  # type: ignore[union-attr]
            pending[a] = get(a, 0.0) + partials[0] * g
        yield node, g, partials


def _backprop_values(root: Value, seed: Value) -> Iterator[tuple[Value, Any, tuple[Any, ...]]]:
    """``backprop`` with Values for gradients: the same loop, recording a graph of its own."""
    pending: dict[Value, Value] = {root: seed}
    for node in reversed(topological_order(root)):
        g = pending.pop(node)
        partials = local_partials(node, on_values=True)
        for inp, d in zip(node.inputs, partials):
            pending[inp] = pending[inp] + d * g if inp in pending else d * g
        yield node, g, partials


def backward(root: Value, grad: Number = 1.0, create_graph: bool = False) -> None:
    """Add ∂root/∂v · grad to ``v.grad`` for every node v of ``root``'s graph.

    Same as ``root.backward(grad)``; see :meth:`Value.backward`.
    """
    _require_value(root, "backward")
    if create_graph:
        seed: Any = grad if isinstance(grad, Value) else Value(grad)
        for node, g, _ in backprop(root, seed, create_graph=True):
            node.grad = node.grad + g  # a Value, as create_graph asks
        return
    seed = grad if type(grad) is float and -_INF < grad < _INF else _to_float(
        grad, "backward: grad")
    for node, g, _ in backprop(root, seed):
        node.grad += g


def grad(
    output: Value,
    inputs: Value | Sequence[Value],
    grad: Number = 1.0,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> list[Any]:
    """The gradients of ``output`` with respect to each of ``inputs``, touching no ``.grad``.

    Like ``torch.autograd.grad``. With ``create_graph=True`` the gradients are Values whose
    graphs can be differentiated again, to any order. An input that ``output`` does not
    depend on raises ``ValueError``, or gets 0.0 with ``allow_unused=True``.

    Examples:
        >>> from engine import Value, grad
        >>> x = Value(3.0)
        >>> y = x ** 3
        >>> grad(y, [x])                           # 3x²
        [27.0]
        >>> (dy,) = grad(y, [x], create_graph=True)
        >>> grad(dy, [x])                          # 6x
        [18.0]
        >>> x.grad                                 # untouched
        0.0
    """
    _require_value(output, "grad")
    wanted = [inputs] if isinstance(inputs, Value) else list(inputs)
    for i, v in enumerate(wanted):
        _require_value(v, f"grad: inputs[{i}]")
    seed: Any
    if create_graph:
        seed = Value(_to_float(grad, "grad: grad"))
    else:
        seed = _to_float(grad, "grad: grad")
    targets = set(wanted)
    found: dict[Value, Any] = {}
    for node, g, _ in backprop(output, seed, create_graph=create_graph):
        if node in targets:
            found[node] = g
    result: list[Any] = []
    for i, v in enumerate(wanted):
        if v in found:
            g = found[v]
            result.append(g if not create_graph or isinstance(g, Value) else Value(g))
        elif allow_unused:
            result.append(Value(0.0) if create_graph else 0.0)
        else:
            raise ValueError(
                f"grad: inputs[{i}] ({v!r}) is not part of the output's graph; pass "
                f"allow_unused=True to get 0.0 for it"
            )
    return result


def _leaves(values: Sequence[Any], what: str) -> list[Value]:
    out = []
    for i, v in enumerate(values):
        number = v.data if isinstance(v, Value) else v
        out.append(Value(number, label=f"x{i}"))
    if not out:
        raise ValueError(f"{what}: expected at least one value")
    return out


def _call(fn: Callable[..., Any], xs: list[Value], what: str) -> Value:
    y = fn(*xs)
    if not isinstance(y, Value):
        raise TypeError(f"{what}: fn must return a Value, got {type(y).__name__}")
    return y


def hessian(fn: Callable[..., Value], values: Sequence[Number | Value]) -> list[list[float]]:
    """The matrix of second derivatives ∂²fn/∂xᵢ∂xⱼ at ``values``, as rows of floats.

    ``fn`` takes one Value per entry of ``values`` and returns a Value.

    Examples:
        >>> from engine import hessian
        >>> hessian(lambda x, y: x * x * y, [3.0, 2.0])     # [[2y, 2x], [2x, 0]]
        [[4.0, 6.0], [6.0, 0.0]]
    """
    xs = _leaves(values, "hessian")
    y = _call(fn, xs, "hessian")
    first = grad(y, xs, create_graph=True, allow_unused=True)
    return [[float(h) for h in grad(g, xs, allow_unused=True)] for g in first]


def hvp(
    fn: Callable[..., Value], values: Sequence[Number | Value], v: Sequence[Number]
) -> list[float]:
    """The Hessian of ``fn`` at ``values`` times the vector ``v``, without forming the matrix.

    Computed as the gradient of (∇fn · v), one backward pass through the gradient's graph.

    Examples:
        >>> from engine import hvp
        >>> hvp(lambda x, y: x * x * y, [3.0, 2.0], [1.0, 0.0])
        [4.0, 6.0]
    """
    xs = _leaves(values, "hvp")
    if len(v) != len(xs):
        raise ValueError(f"hvp: v has {len(v)} entries, values has {len(xs)}")
    y = _call(fn, xs, "hvp")
    first = grad(y, xs, create_graph=True, allow_unused=True)
    dot = sum((g * float(vi) for g, vi in zip(first, v)), Value(0.0))
    return [float(h) for h in grad(dot, xs, allow_unused=True)]
