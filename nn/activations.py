"""The activations a neuron may use, in one table: what each one is for a Value, for a NumPy
array (the training view draws a model at thousands of points) and for PyTorch.

=========  ======================  ================================  ===========
name       on a Value              on an array ``z``                 torch module
=========  ======================  ================================  ===========
relu       ``z.relu()``            ``z`` where z > 0, else 0         ``ReLU``
tanh       ``z.tanh()``            ``tanh(z)``                       ``Tanh``
sigmoid    ``z.sigmoid()``         ``1 / (1 + e^−z)``                ``Sigmoid``
linear     ``z`` itself            ``z`` itself                      ``Identity``
=========  ======================  ================================  ===========

A new activation is one more row here (its Value method comes from its row in
:mod:`engine.ops`); the layers, the training view and the PyTorch bridge read this table.

Examples:
    >>> import numpy as np
    >>> from engine import Value
    >>> row = ACTIVATIONS["tanh"]
    >>> round(row.on_value(Value(0.5)).data, 6), row.on_array(np.array([0.5, -2.0])).round(6)
    (0.462117, array([ 0.462117, -0.964028]))
    >>> row.torch
    'Tanh'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine import Value

__all__ = ["Activation", "ACTIVATIONS"]


@dataclass(frozen=True)
class Activation:
    """One activation: its name, what it does to a Value and to a NumPy array, and the name
    of the ``torch.nn`` module that does the same (``Identity`` for linear, a = z)."""

    name: str
    on_value: Callable[[Value], Value]
    on_array: Callable[[Any], Any]
    torch: str


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


def _same(z: Any) -> Any:
    return z


# (The Value methods are made from the rows of engine.ops, hence getattr for type checkers.)
ACTIVATIONS: dict[str, Activation] = {row.name: row for row in (
    Activation("relu", getattr(Value, "relu"), _relu, "ReLU"),  # noqa: B009
    Activation("tanh", getattr(Value, "tanh"), _tanh, "Tanh"),  # noqa: B009
    Activation("sigmoid", getattr(Value, "sigmoid"), _sigmoid, "Sigmoid"),  # noqa: B009
    Activation("linear", _same, _same, "Identity"),
)}
