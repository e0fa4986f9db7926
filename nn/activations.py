"""The activations a neuron may use, once: on Values, on NumPy arrays, and their PyTorch name.

Every part of nn that knows an activation reads this table: the neurons (on Values), the
training view's heat maps (on arrays, at thousands of points), and the bridge to PyTorch
(the module after each ``Linear``). A new activation is one entry here; its Value method
must be a row of :mod:`engine.ops`.

Examples:
    >>> from engine import Value
    >>> ACTIVATIONS["tanh"].on_value(Value(0.0)).data, ACTIVATIONS["tanh"].torch
    (0.0, 'Tanh')
    >>> import numpy as np
    >>> ACTIVATIONS["relu"].on_array(np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    >>> list(ACTIVATIONS)
    ['relu', 'tanh', 'sigmoid', 'linear']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine import Value

__all__ = ["Activation", "ACTIVATIONS"]


@dataclass(frozen=True)
class Activation:
    """One activation: a = f(z).

    Attributes:
        name: what ``Neuron(activation=...)`` takes.
        on_value: f on a Value (a row of the engine's table), or None for ``"linear"``
            (a = z itself: no node).
        on_array: f elementwise on a NumPy array, with the same numbers as ``on_value``.
        torch: the ``torch.nn`` module class that applies it, or None for ``"linear"``
            (no module; ``Identity`` is read as linear too).
    """

    name: str
    on_value: Callable[[Value], Value] | None
    on_array: Callable[[Any], Any]
    torch: str | None


def _relu(z: Any) -> Any:
    import numpy as np

    return np.where(z > 0.0, z, 0.0)       # as the relu row: x if x > 0.0 else 0.0


def _tanh(z: Any) -> Any:
    import numpy as np

    return np.tanh(z)


def _sigmoid(z: Any) -> Any:
    import numpy as np

    e = np.exp(-np.abs(z))                 # as the sigmoid row: e^−|z|, which never overflows
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _linear(z: Any) -> Any:
    return z


ACTIVATIONS: dict[str, Activation] = {
    a.name: a for a in (
        Activation("relu", Value.relu, _relu, "ReLU"),
        Activation("tanh", Value.tanh, _tanh, "Tanh"),
        Activation("sigmoid", Value.sigmoid, _sigmoid, "Sigmoid"),
        Activation("linear", None, _linear, None),
    )
}
"""Every activation by name, in the order messages list them."""
