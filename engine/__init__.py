"""stepgrad's engine: scalar reverse-mode automatic differentiation you can watch.

Part of the ``stepgrad`` distribution. Every number is a :class:`Value`; every operation on
Values records a node; :meth:`Value.backward` applies the chain rule node by node, in
reverse topological order. The derivatives of all operations live in :mod:`engine.ops`.

Examples:
    >>> from engine import Value
    >>> w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.5, label="b")
    >>> a = (w * x + b).tanh()
    >>> a.backward()
    >>> round(a.data, 4), round(w.grad, 4), round(x.grad, 4)
    (0.4621, 1.5729, -2.3593)
"""

from engine.autograd import (
    backprop,
    backward,
    grad,
    hessian,
    hvp,
    is_grad_enabled,
    no_grad,
    topological_order,
)
from engine.check import GradcheckError, gradcheck, numerical_grad
from engine.draw import Drawing, GraphvizNotFound, draw_dot
from engine.ops import OPS, Op
from engine.steps import (
    BackwardStep,
    ForwardStep,
    LocalDerivative,
    Stepper,
    backprop_steps,
    forward_steps,
)
from engine.value import Value

__all__ = [
    "Value",
    "Op",
    "OPS",
    "topological_order",
    "backprop",
    "backward",
    "no_grad",
    "is_grad_enabled",
    "grad",
    "hessian",
    "hvp",
    "gradcheck",
    "numerical_grad",
    "GradcheckError",
    "draw_dot",
    "Drawing",
    "GraphvizNotFound",
    "forward_steps",
    "backprop_steps",
    "Stepper",
    "ForwardStep",
    "BackwardStep",
    "LocalDerivative",
]
