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

from engine import args, ops, pickling  # noqa: F401  (pickling: how Values are copied)
from engine.autograd import backward, enable_grad, grad, hessian, hvp, is_grad_enabled, no_grad
from engine.compile import CompiledStep, CompileError, compile
from engine.gradcheck import GradcheckError, gradcheck, numerical_grad
from engine.ops import OPS, Rule, defop
from engine.value import (
    Value,
    accumulate,
    apply,
    backprop,
    collector_paused,
    gradients,
    local_derivatives,
    number_of,
    topological_order,
)
from engine.viz.answers import Verdict, check_answer
from engine.viz.draw import Drawing, GraphvizNotFound, draw_dot
from engine.viz.stepper import Stepper
from engine.viz.steps import (
    BackwardStep,
    ForwardStep,
    LocalDerivative,
    backprop_steps,
    forward_steps,
)

__all__ = [
    "Value",
    "apply",
    "ops",
    "args",
    "Rule",
    "OPS",
    "defop",
    "topological_order",
    "gradients",
    "local_derivatives",
    "accumulate",
    "collector_paused",
    "number_of",
    "backprop",
    "backward",
    "no_grad",
    "enable_grad",
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
    "check_answer",
    "Verdict",
    "compile",
    "CompiledStep",
    "CompileError",
]
