"""Optimizers: ``SGD`` and ``Adam``, with torch.optim's update rules written out.

An optimizer holds the list of parameters and, for each, the state its rule needs (a
momentum buffer, moment estimates). ``step()`` reads every ``p.grad`` and changes every
``p.data``; it builds no graph. ``lr`` is a plain attribute: assign to it to change the
learning rate between steps.

The training step is always the same four lines::

    loss = loss_fn(...)        # forward
    optimizer.zero_grad()      # backward adds into .grad, so clear it first
    loss.backward()            # ∂loss/∂p for every parameter p
    optimizer.step()           # p ← p − lr · (the rule's direction)
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from engine.value import Value

__all__ = ["Optimizer", "SGD", "Adam"]


def _check_hyper(who: str, name: str, value: float, low: float = 0.0,
                 high: float | None = None, high_open: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and value < low:
        ok = False
    if ok and high is not None and (value >= high if high_open else value > high):
        ok = False
    if not ok:
        bound = f">= {low}" if high is None else f"in [{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{who}: {name} must be a number {bound}, got {value!r}")
    return float(value)


class Optimizer:
    """What every optimizer shares: the parameter list, ``lr``, and ``zero_grad()``."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        who = type(self).__name__
        if isinstance(params, Value):
            raise TypeError(f"{who}: params must be a list of Values (such as "
                            f"model.parameters()), got a single Value")
        try:
            self.params = list(params)
        except TypeError:
            raise TypeError(f"{who}: params must be a list of Values (such as "
                            f"model.parameters()), got {type(params).__name__}") from None
        if not self.params:
            raise ValueError(f"{who}: got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{who}: params[{i}] must be a Value, got {type(p).__name__}")
        if len(set(self.params)) != len(self.params):
            raise ValueError(f"{who}: some parameters appear more than once")
        self.lr = _check_hyper(who, "lr", lr)

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``grad``."""
        raise NotImplementedError


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
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _check_hyper("SGD", "momentum", momentum)
        self.dampening = _check_hyper("SGD", "dampening", dampening)
        self.weight_decay = _check_hyper("SGD", "weight_decay", weight_decay)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov momentum requires momentum > 0 and dampening = 0")
        self.nesterov = bool(nesterov)
        self.buffers: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        lr, mu, tau, wd = self.lr, self.momentum, self.dampening, self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad
            if wd != 0:
                g = g + wd * p.data
            if mu != 0:
                buf = self.buffers[i]
                buf = g if buf is None else mu * buf + (1 - tau) * g
                self.buffers[i] = buf
                g = g + mu * buf if self.nesterov else buf
            p.data -= lr * g


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
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"Adam: betas must be a pair of numbers, got {betas!r}") from None
        self.betas = (_check_hyper("Adam", "betas[0]", beta1, 0.0, 1.0, high_open=True),
                      _check_hyper("Adam", "betas[1]", beta2, 0.0, 1.0, high_open=True))
        self.eps = _check_hyper("Adam", "eps", eps)
        self.weight_decay = _check_hyper("Adam", "weight_decay", weight_decay)
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        self.t += 1
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        beta1, beta2 = self.betas
        correction1 = 1 - beta1**self.t
        correction2 = 1 - beta2**self.t
        for i, p in enumerate(self.params):
            g = p.grad
            if wd != 0:
                g = g + wd * p.data
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            m_hat = self.m[i] / correction1
            v_hat = self.v[i] / correction2
            p.data -= lr * m_hat / (math.sqrt(v_hat) + eps)
