"""The functional side of autograd: ``grad``, ``hessian``, ``hvp``, ``no_grad``.

The graph and the one gradient walk live with :class:`~engine.value.Value`
(:func:`~engine.value.topological_order`, :func:`~engine.value.gradients`); everything here
calls that walk, which reads each node's local derivatives from its row of
:mod:`engine.ops`. Nothing here knows calculus. The functions that differentiate twice
(``grad(create_graph=True)``, ``hessian``, ``hvp``) record the graphs they need even inside
``no_grad()``, as PyTorch's functional API does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from engine import args
from engine.errors import prefixed
from engine.value import GRAD_ENABLED, Number, Value, gradients, number_of

__all__ = ["backward", "grad", "hessian", "hvp", "no_grad", "enable_grad", "is_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


# What each block entered (in this thread, this context) found, to restore when it is left.
_SAVED: ContextVar[tuple[bool, ...]] = ContextVar("stepgrad_grad_modes_saved", default=())


class GradMode:
    """What ``no_grad()`` and ``enable_grad()`` return: a block, or a decorator, in which
    graphs are recorded (``enabled``) or not. One object can be entered again and again
    (and nested), from several threads at once, as PyTorch's can: each block restores the
    mode its own thread had; as a decorator, each call gets a block of its own."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __enter__(self) -> None:
        _SAVED.set((*_SAVED.get(), GRAD_ENABLED.get()))
        GRAD_ENABLED.set(self.enabled)

    def __exit__(self, *exc: object) -> None:
        saved = _SAVED.get()
        if saved:   # (a block left in another context than it was entered in restores nothing)
            _SAVED.set(saved[:-1])
            GRAD_ENABLED.set(saved[-1])

    def __call__(self, fn: F) -> F:
        args.function(fn, f"{'enable_grad' if self.enabled else 'no_grad'}: fn")

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            with GradMode(self.enabled):
                return fn(*args, **kwargs)
        return cast(F, run)


def no_grad() -> GradMode:
    """Inside this block operations record nothing: every result is a leaf.

    Use it to evaluate a model without building a graph, or to update parameters. It also
    decorates a function (``@no_grad()``).

    Examples:
        >>> from engine import Value, no_grad
        >>> x = Value(2.0)
        >>> with no_grad():
        ...     y = x * 3
        >>> y.inputs, y.op
        ((), '')
    """
    return GradMode(False)


def enable_grad() -> GradMode:
    """Record graphs again inside this block, even within ``no_grad()`` (as in PyTorch).

    Examples:
        >>> from engine import Value, no_grad, enable_grad
        >>> x = Value(2.0)
        >>> with no_grad(), enable_grad():
        ...     y = x * 3
        >>> y.op
        '*'
    """
    return GradMode(True)


def is_grad_enabled() -> bool:
    """False inside ``no_grad()``."""
    return GRAD_ENABLED.get()


def backward(root: Value, grad: Number = 1.0, create_graph: bool = False) -> None:
    """Add ∂root/∂v · grad to ``v.grad`` for every node v of ``root``'s graph.

    Same as ``root.backward(grad)``; see :meth:`Value.backward`.
    """
    args.instance(root, "backward: root", Value)
    root.backward(grad, create_graph=args.flag(create_graph, "backward: create_graph"))


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
    args.instance(output, "grad: output", Value)
    create_graph = args.flag(create_graph, "grad: create_graph")
    allow_unused = args.flag(allow_unused, "grad: allow_unused")
    wanted = [inputs] if isinstance(inputs, Value) else args.items(
        inputs, "grad: inputs", _a_value, kind="a Value or a list of Values")
    number = args.real(grad, "grad: grad")
    with prefixed("grad", replacing=("gradients",)):
        found = gradients(output, number, create_graph)
    result: list[Any] = []
    for i, v in enumerate(wanted):
        if v in found:
            result.append(found[v])
        elif allow_unused:
            result.append(Value(0.0) if create_graph else 0.0)
        else:
            raise ValueError(
                f"grad: inputs[{i}] must be part of the output's graph (or allow_unused=True "
                f"gives it 0.0), got {v!r}, which is not"
            )
    return result


def _a_value(v: Any, where: str) -> Value:
    return args.instance(v, where, Value)


def _leaves(values: Any, where: str) -> list[Value]:
    """One new leaf per number (or Value's number) of ``values``, labelled x0, x1, ..."""
    numbers = args.items(values, where, number_of, kind="a list of numbers or Values")
    return [Value(x, label=f"x{i}") for i, x in enumerate(numbers)]


def _call(fn: Callable[..., Any], xs: list[Value], who: str) -> Value:
    args.function(fn, f"{who}: fn", len(xs))
    return args.instance(fn(*xs), f"{who}: fn's result", Value)


def hessian(fn: Callable[..., Value], values: Sequence[Number | Value]) -> list[list[float]]:
    """The matrix of second derivatives ∂²fn/∂xᵢ∂xⱼ at ``values``, as rows of floats.

    ``fn`` takes one Value per entry of ``values`` and returns a Value. Works inside
    ``no_grad()`` too: it records the graphs it needs, as PyTorch's functional API does.

    Examples:
        >>> from engine import hessian
        >>> hessian(lambda x, y: x * x * y, [3.0, 2.0])     # [[2y, 2x], [2x, 0]]
        [[4.0, 6.0], [6.0, 0.0]]
    """
    xs = _leaves(values, "hessian: values")
    with enable_grad(), prefixed("hessian", replacing=("grad",)):
        y = _call(fn, xs, "hessian")
        first = grad(y, xs, create_graph=True, allow_unused=True)
        return [[float(h) for h in grad(g, xs, allow_unused=True)] for g in first]


def hvp(fn: Callable[..., Value], values: Sequence[Number | Value],
        v: Sequence[Number]) -> list[float]:
    """The Hessian of ``fn`` at ``values`` times the vector ``v``, without forming the matrix.

    Computed as the gradient of (∇fn · v), one backward pass through the gradient's graph;
    works inside ``no_grad()`` too.

    Examples:
        >>> from engine import hvp
        >>> hvp(lambda x, y: x * x * y, [3.0, 2.0], [1.0, 0.0])
        [4.0, 6.0]
    """
    xs = _leaves(values, "hvp: values")
    vector = args.items(v, "hvp: v", args.real, n=len(xs),
                        kind="a list of numbers")
    with enable_grad(), prefixed("hvp", replacing=("grad",)):
        y = _call(fn, xs, "hvp")
        first = grad(y, xs, create_graph=True, allow_unused=True)
        with prefixed("hvp: the product ∇fn · v"):
            dot = sum((g * vi for g, vi in zip(first, vector)), Value(0.0))
        return [float(h) for h in grad(dot, xs, allow_unused=True)]
