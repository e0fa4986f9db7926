"""The functional side of autograd: ``grad``, ``hessian``, ``hvp``, ``no_grad``.

The graph and the one backward loop live with :class:`~engine.value.Value`
(:func:`~engine.value.topological_order`, :func:`~engine.value.backprop`); everything here
calls that loop, which reads each node's local derivatives from its row of
:mod:`engine.ops`. Nothing here knows calculus. The functions that differentiate twice
(``grad(create_graph=True)``, ``hessian``, ``hvp``) record the graphs they need even inside
``no_grad()``, as PyTorch's functional API does.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from engine.value import GRAD_ENABLED, Number, Value, _to_float, backprop

__all__ = ["backward", "grad", "hessian", "hvp", "no_grad", "enable_grad", "is_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


def _require_value(v: Any, what: str) -> Value:
    if not isinstance(v, Value):
        raise TypeError(f"{what}: expected a Value, got {type(v).__name__}")
    return v


def check_flag(flag: Any, what: str) -> bool:
    """``flag`` if it is True or False, else a ``TypeError`` naming ``what``.

    Examples:
        >>> check_flag("no", "draw_dot: show_grad")
        Traceback (most recent call last):
        TypeError: draw_dot: show_grad must be True or False, got 'no'
    """
    if not isinstance(flag, bool):
        raise TypeError(f"{what} must be True or False, got {flag!r}")
    return flag


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
        if not callable(fn):
            raise TypeError(f"{'enable_grad' if self.enabled else 'no_grad'}: as a decorator "
                            f"it takes a function, got {type(fn).__name__}")

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
    _require_value(root, "backward")
    root.backward(grad, create_graph=check_flag(create_graph, "backward: create_graph"))


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
    check_flag(create_graph, "grad: create_graph")
    check_flag(allow_unused, "grad: allow_unused")
    if isinstance(inputs, Value):
        wanted = [inputs]
    elif isinstance(inputs, (list, tuple)):
        wanted = list(inputs)
    else:
        raise TypeError(f"grad: inputs must be a Value or a list of Values, got "
                        f"{type(inputs).__name__}")
    if not wanted:  # as torch.autograd.grad: nothing to differentiate with respect to
        raise ValueError("grad: inputs is empty; pass the Values to differentiate with "
                         "respect to")
    for i, v in enumerate(wanted):
        _require_value(v, f"grad: inputs[{i}]")
    number = _to_float(grad, "grad: grad")
    targets = set(wanted)
    found: dict[Value, Any] = {}

    def keep(node: Value, g: Any, _: tuple[Any, ...]) -> None:
        if node in targets:
            found[node] = g

    with renamed("grad"):
        if create_graph:  # the gradients' graphs are recorded even inside no_grad()
            with enable_grad():
                backprop(output, Value(number), create_graph=True, visit=keep)
        else:
            backprop(output, number, visit=keep)
    result: list[Any] = []
    for i, v in enumerate(wanted):
        if v in found:
            result.append(found[v])
        elif allow_unused:
            result.append(Value(0.0) if create_graph else 0.0)
        else:
            raise ValueError(
                f"grad: inputs[{i}] ({v!r}) is not part of the output's graph; pass "
                f"allow_unused=True to get 0.0 for it"
            )
    return result


@contextmanager
def renamed(who: str) -> Iterator[None]:
    """An arithmetic or domain error raised inside this block names ``who`` (``grad``,
    ``hvp``...), the function the user called, rather than ``backward`` or nothing."""
    try:
        yield
    except (ArithmeticError, ValueError) as err:
        text = str(err)
        if text.startswith(f"{who}: ") or type(err) not in (
                ArithmeticError, OverflowError, ZeroDivisionError, ValueError):
            raise
        for inner in ("backward: ", "grad: "):
            text = text[len(inner):] if text.startswith(inner) else text
        raise type(err)(f"{who}: {text}") from None


def _leaves(values: Any, what: str, arg: str = "values") -> list[Value]:
    """One new leaf per number (or Value's number) of ``values``, labelled x0, x1, ..."""
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{what}: {arg} must be a list of numbers, got {type(values).__name__}")
    out = []
    for i, v in enumerate(values):
        number = v.data if isinstance(v, Value) else _to_float(v, f"{what}: {arg}[{i}]")
        out.append(Value(number, label=f"x{i}"))
    if not out:
        raise ValueError(f"{what}: {arg} is empty; expected at least one value")
    return out


def check_callable(fn: Any, n: int, what: str, name: str = "fn", as_called: str = "") -> None:
    """Refuse an ``fn`` that is not callable, or that cannot take ``n`` positional Values.

    ``name`` is the argument's name in messages; ``as_called`` shows how it is called
    (default: with n values, one per input).

    Examples:
        >>> check_callable(lambda x: x, 2, "hessian")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        TypeError: hessian: fn cannot be called with 2 values (one per input): ...
    """
    if not callable(fn):
        raise TypeError(f"{what}: {name} must be callable, got {type(fn).__name__}")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # a builtin without a signature: let the call decide
        return
    try:
        signature.bind(*range(n))
    except TypeError as err:
        how = as_called or f"with {n} value{'s' * (n != 1)} (one per input)"
        raise TypeError(f"{what}: {name} cannot be called {how}: {err}") from None


def _call(fn: Callable[..., Any], xs: list[Value], what: str) -> Value:
    check_callable(fn, len(xs), what)
    y = fn(*xs)
    if not isinstance(y, Value):
        raise TypeError(f"{what}: fn must return a Value, got {type(y).__name__}")
    return y


def hessian(fn: Callable[..., Value], values: Sequence[Number | Value]) -> list[list[float]]:
    """The matrix of second derivatives ∂²fn/∂xᵢ∂xⱼ at ``values``, as rows of floats.

    ``fn`` takes one Value per entry of ``values`` and returns a Value. Works inside
    ``no_grad()`` too: it records the graphs it needs, as PyTorch's functional API does.

    Examples:
        >>> from engine import hessian
        >>> hessian(lambda x, y: x * x * y, [3.0, 2.0])     # [[2y, 2x], [2x, 0]]
        [[4.0, 6.0], [6.0, 0.0]]
    """
    xs = _leaves(values, "hessian")
    with enable_grad(), renamed("hessian"):
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
    xs = _leaves(values, "hvp")
    vector = [leaf.data for leaf in _leaves(v, "hvp", "v")]
    if len(vector) != len(xs):
        raise ValueError(f"hvp: v has {len(vector)} entries, values has {len(xs)}; expected "
                         f"one per value")
    with enable_grad(), renamed("hvp"):
        y = _call(fn, xs, "hvp")
        first = grad(y, xs, create_graph=True, allow_unused=True)
        try:
            dot = sum((g * vi for g, vi in zip(first, vector)), Value(0.0))
        except OverflowError as err:
            raise OverflowError(f"hvp: the product ∇fn · v overflows a float ({err})") from None
        return [float(h) for h in grad(dot, xs, allow_unused=True)]
