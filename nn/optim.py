"""Optimizers: ``SGD`` and ``Adam``, with torch.optim's update rules written out.

An optimizer holds the list of parameters and, for each, the state its rule needs (a
momentum buffer, moment estimates). ``step()`` reads every ``p.grad`` and changes every
``p.data``; it builds no graph. The settings (``lr``, ``momentum``, ``betas``, ...) are
checked attributes: assign to them to change them between steps, and a value the
constructor would refuse is refused there too.

The training step is always the same four lines::

    loss = loss_fn(...)        # forward
    optimizer.zero_grad()      # backward adds into .grad, so clear it first
    loss.backward()            # ∂loss/∂p for every parameter p
    optimizer.step()           # p ← p − lr · (the rule's direction)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar, overload

from engine import Value, args

__all__ = ["Optimizer", "SGD", "Adam"]

T = TypeVar("T")


class Setting(Generic[T]):
    """A setting of an optimizer (``lr``, ``momentum``, ``betas``...): an attribute checked
    when it is assigned, in the constructor or later, so that a bad one never reaches a
    parameter. ``check(value, where)`` gives the value to store or raises; the optimizer's
    ``_check_settings`` then sees all its settings together (SGD's nesterov rule)."""

    def __init__(self, check: Callable[[Any, str], T], doc: str) -> None:
        self.check = check
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: Any = None) -> Setting[T]: ...

    @overload
    def __get__(self, obj: Optimizer, owner: Any = None) -> T: ...

    def __get__(self, obj: Optimizer | None, owner: Any = None) -> Setting[T] | T:
        if obj is None:
            return self
        value: T = vars(obj)[self.name]
        return value

    def __set__(self, obj: Optimizer, value: Any) -> None:
        checked = self.check(value, f"{type(obj).__name__}: {self.name}")
        obj._check_settings({**vars(obj), self.name: checked})
        vars(obj)[self.name] = checked


def _non_negative(value: Any, where: str) -> float:
    return args.real(value, where, low=0)


def _betas(value: Any, where: str) -> tuple[float, float]:
    beta1, beta2 = args.items(value, where, _beta, n=2, kind="a pair of numbers")
    return beta1, beta2


def _beta(beta: Any, where: str) -> float:
    return args.real(beta, where, low=0, high=1, high_open=True)


class Optimizer:
    """What every optimizer shares: the parameter list, ``lr``, and ``zero_grad()``.

    ``lr`` is checked when it is assigned: a number that is not finite and >= 0 raises
    there, so that it never reaches a parameter (so are every optimizer's other settings).
    Parameters must be leaves (Values made directly, such as ``model.parameters()``), since
    ``step()`` writes their ``data``. ``step()`` computes every new number
    first and stores them only if all are finite; otherwise it raises an error naming the
    parameter, the rule and the numbers, and changes nothing.
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        who = type(self).__name__
        self.params = args.items(params, f"{who}: params", leaf,
                                 kind="a list of Values (such as model.parameters())")
        if len(set(self.params)) != len(self.params):
            raise ValueError(f"{who}: params must hold each parameter once, got some twice")
        self.lr = lr

    lr = Setting(_non_negative, "The learning rate η: a finite number >= 0.")
    weight_decay = Setting(_non_negative, "λ, the L2 penalty: a finite number >= 0.")

    def _check_settings(self, settings: dict[str, Any]) -> None:
        """Rules between settings, checked whenever one is assigned (none here)."""

    @staticmethod
    def _grad(p: Value) -> float:
        """``p.grad`` as a float: a Value (after ``backward(create_graph=True)``) steps
        with its number, as PyTorch steps with the gradient tensor's values. (Value.grad
        holds a finite float or a Value: assigning anything else is refused there.)"""
        g: Any = p.grad
        return float(g.data if isinstance(g, Value) else g)

    def _bad(self, i: int, what: str, result: float, **numbers: float) -> ArithmeticError:
        shown = ", ".join(f"{name} = {v:.6g}" for name, v in numbers.items())
        return OverflowError(f"{type(self).__name__}.step: {what} of parameter {i} is "
                             f"{result} ({shown}); nothing was changed. Lower lr, or look "
                             f"for the step where the loss grew first.")

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0.

        Examples:
            >>> from engine import Value
            >>> x = Value(1.0)
            >>> (x * 3).backward()
            >>> opt = SGD([x], lr=0.1)
            >>> opt.zero_grad()
            >>> x.grad
            0.0
        """
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``grad``."""
        raise NotImplementedError


def leaf(p: Any, where: str) -> Value:
    """A parameter: a Value made directly (its data is what ``step()`` changes)."""
    v = args.instance(p, where, Value)
    if v.op != "":
        raise ValueError(f"{where} must be a leaf (a Value made directly, such as "
                         f"model.parameters() holds: step() changes its data), got a Value "
                         f"made by {v.op!r} (PyTorch refuses a non-leaf tensor too)")
    return v


class SGD(Optimizer):
    """Stochastic gradient descent, with torch.optim.SGD's rule (for each parameter θ)::

        g ← ∂L/∂θ + λ·θ                        (weight_decay λ: an L2 penalty λ/2·θ²)
        if μ ≠ 0:                              (momentum μ)
            b ← g                  at the first step
            b ← μ·b + (1 − τ)·g    afterwards  (dampening τ)
            g ← g + μ·b  if nesterov  else  b
        θ ← θ − lr·g

    Without momentum this is the plain update θ ← θ − lr·∂L/∂θ.

    Examples:
        >>> from engine import Value
        >>> x = Value(1.0)
        >>> opt = SGD([x], lr=0.1, momentum=0.9)
        >>> for _ in range(3):            # minimise x², whose gradient is 2x
        ...     opt.zero_grad()
        ...     (x * x).backward()
        ...     opt.step()
        ...     print(round(x.data, 6))
        0.8
        0.46
        0.062
        >>> opt.momentum = -0.5           # settings are checked when assigned, too
        Traceback (most recent call last):
          ...
        ValueError: SGD: momentum must be a finite number >= 0, got -0.5
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = momentum
        self.dampening = dampening
        self.weight_decay = weight_decay
        self.nesterov = nesterov
        self.buffers: list[float | None] = [None] * len(self.params)

    momentum = Setting(_non_negative, "μ: a finite number >= 0 (0 for none).")
    dampening = Setting(_non_negative, "τ: a finite number >= 0.")
    nesterov = Setting(args.flag, "True or False (NumPy's bool too); True needs momentum > 0 "
                                  "and dampening = 0.")

    def _check_settings(self, settings: dict[str, Any]) -> None:
        momentum, dampening = settings.get("momentum", 0.0), settings.get("dampening", 0.0)
        if settings.get("nesterov") and (momentum <= 0 or dampening != 0):
            raise ValueError(f"SGD: nesterov must be False unless momentum > 0 and dampening = "
                             f"0, got True with momentum = {momentum:g}, dampening = "
                             f"{dampening:g}")

    def step(self) -> None:
        """θ ← θ − lr·g for every parameter, g as in the class docstring.

        Examples:
            >>> from engine import Value
            >>> x = Value(1.0)
            >>> (x * x).backward()
            >>> SGD([x], lr=0.25).step()
            >>> x.data
            0.5
        """
        lr, mu, tau, wd = self.lr, self.momentum, self.dampening, self.weight_decay
        new_data: list[float] = []
        new_buffers: list[float | None] = []
        for i, p in enumerate(self.params):
            grad = g = self._grad(p)
            if wd != 0:
                g = g + wd * p.data
            buf = self.buffers[i]
            if mu != 0:
                buf = g if buf is None else mu * buf + (1 - tau) * g
                if not math.isfinite(buf):
                    raise self._bad(i, "the momentum buffer", buf, grad=grad, momentum=mu)
                g = g + mu * buf if self.nesterov else buf
            update = p.data - lr * g
            if not math.isfinite(update):
                raise self._bad(i, "the update", update, lr=lr, grad=grad, data=p.data)
            new_data.append(update)
            new_buffers.append(buf)
        for p, update in zip(self.params, new_data):
            p.data = update
        self.buffers = new_buffers


class Adam(Optimizer):
    """Adam, with torch.optim.Adam's rule (for each parameter θ, at step t = 1, 2, …)::

        g ← ∂L/∂θ + λ·θ                    (weight_decay λ)
        m ← β₁·m + (1 − β₁)·g              (first moment, m starts at 0)
        v ← β₂·v + (1 − β₂)·g²             (second moment, v starts at 0)
        m̂ ← m / (1 − β₁ᵗ),  v̂ ← v / (1 − β₂ᵗ)   (bias corrections)
        θ ← θ − lr·m̂ / (√v̂ + eps)

    The first step moves every parameter by about ``lr`` against its gradient's sign.

    Examples:
        >>> from engine import Value
        >>> x = Value(1.0)
        >>> opt = Adam([x], lr=0.1)
        >>> (x * x).backward()
        >>> opt.step()
        >>> round(x.data, 6)
        0.9
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    betas = Setting(_betas, "(β₁, β₂): a pair of finite numbers in [0, 1).")
    eps = Setting(_non_negative, "ε: a finite number >= 0.")

    def step(self) -> None:
        """One Adam step for every parameter (see the class docstring).

        With ``eps = 0`` (allowed, as in PyTorch) a parameter whose gradients have all been
        0 would be divided by 0: that step raises ``ZeroDivisionError`` naming Adam and the
        parameter, where PyTorch would write nan.

        Examples:
            >>> from engine import Value
            >>> x = Value(1.0)
            >>> (x * x).backward()
            >>> Adam([x], lr=0.5).step()          # about lr against the gradient's sign
            >>> round(x.data, 6)
            0.5
        """
        t = self.t + 1
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        beta1, beta2 = self.betas
        correction1 = 1 - beta1**t
        correction2 = 1 - beta2**t
        new_data, new_m, new_v = [], [], []
        for i, p in enumerate(self.params):
            grad = g = self._grad(p)
            if wd != 0:
                g = g + wd * p.data
            m = beta1 * self.m[i] + (1 - beta1) * g
            v = beta2 * self.v[i] + (1 - beta2) * g * g
            if not math.isfinite(m):
                raise self._bad(i, "the first moment m", m, grad=grad)
            if not math.isfinite(v):
                raise self._bad(i, "the second moment v", v, grad=grad)
            m_hat = m / correction1
            denominator = math.sqrt(v / correction2) + eps
            if denominator == 0.0:
                raise ZeroDivisionError(
                    f"Adam.step: parameter {i} would be divided by √v̂ + eps = 0 (its "
                    f"gradients have all been 0, or too small to square, and eps = 0; "
                    f"PyTorch writes nan or inf there); use eps > 0")
            update = p.data - lr * m_hat / denominator
            if not math.isfinite(update):
                raise self._bad(i, "the update", update, lr=lr, grad=grad, data=p.data)
            new_data.append(update)
            new_m.append(m)
            new_v.append(v)
        for p, update in zip(self.params, new_data):
            p.data = update
        self.m, self.v, self.t = new_m, new_v, t
