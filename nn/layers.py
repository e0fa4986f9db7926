"""Neurons, layers of neurons, and multi-layer perceptrons, built from engine Values.

A neuron with inputs x₀ … xₙ₋₁, weights w₀ … wₙ₋₁ and bias b computes::

    z = b·1 + w₀·x₀ + w₁·x₁ + … + wₙ₋₁·xₙ₋₁      (the bias is the weight of a constant input 1)
    a = f(z)                                     (f: relu, tanh, sigmoid, or linear: a = z)

A layer is neurons side by side, reading the same inputs; an MLP is layers one after the
other, each reading the previous layer's outputs. Initialisation follows micrograd: weights
drawn uniformly from (−1, 1), biases 0.0, from a ``random.Random(seed)`` of the model's own
(no global random state), so the same seed gives the same model.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from engine import Value
from nn._checks import ValueLike, count, kind, sequence
from nn._checks import seed as _seed
from nn.module import Module

__all__ = ["ACTIVATIONS", "Neuron", "Layer", "MLP"]

# Name -> the Value method applying it; None for "linear" (the neuron returns z itself).
# (The methods are made from the rows of engine.ops, hence getattr for type checkers.)
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": getattr(Value, "relu"),  # noqa: B009
    "tanh": getattr(Value, "tanh"),  # noqa: B009
    "sigmoid": getattr(Value, "sigmoid"),  # noqa: B009
    "linear": None,
}

_SEED_RANGE = 2**63


def _check_activation(who: str, activation: Any) -> str:
    valid = ", ".join(repr(name) for name in ACTIVATIONS)
    if not isinstance(activation, str):
        raise TypeError(f"{who}: activation must be a str, one of {valid}; got "
                        f"{kind(activation)}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"{who}: unknown activation {activation!r}; choose one of {valid}")
    return activation


@contextmanager
def _forward_of(who: str) -> Iterator[None]:
    """Name the model in an error raised by an engine operation of its forward pass."""
    try:
        yield
    except (ArithmeticError, ValueError) as error:
        raise type(error)(f"{who}: the forward pass failed: {error}") from error


class Neuron(Module):
    """One neuron: z = b + w₀·x₀ + w₁·x₁ + …, then a = f(z).

    The bias b is the weight of a constant input 1: a neuron with inputs (x₀, x₁) is the
    sum w₀·x₀ + w₁·x₁ + b·1. The sum starts from b and adds wᵢ·xᵢ left to right, so for a
    non-linear neuron ``a.inputs[0]`` is z.

    The Values are named from the model, so that drawings and step texts can say which
    neuron a node belongs to: the parameters are labelled ``w.0``, ``w.1``, …, ``b``
    (``layers.0.neurons.2.w.0`` inside an MLP), and each output is labelled ``a`` (``z``
    for a linear neuron) with the same prefix.

    Args:
        nin: the number of inputs.
        activation: ``"relu"``, ``"tanh"``, ``"sigmoid"`` or ``"linear"`` (a = z).
        seed: seeds this neuron's weights, drawn uniformly from (−1, 1); ``None`` draws
            fresh ones. The bias starts at 0.0.

    Attributes:
        w: the weights, one Value per input.
        b: the bias, a Value.
        activation: the activation's name.

    Examples:
        >>> n = Neuron(2, activation="tanh", seed=0)
        >>> n.w[0].data, n.w[1].data, n.b.data = 2.0, -1.0, 0.5
        >>> a = n([1.0, 3.0])          # z = 0.5 + 2·1 + (−1)·3 = −0.5
        >>> z = a.inputs[0]
        >>> z.data, round(a.data, 4), a.label, n.w[1].label
        (-0.5, -0.4621, 'a', 'w.1')
        >>> a.backward()               # ∂a/∂w₀ = (1 − tanh²z)·x₀, ∂a/∂b = (1 − tanh²z)·1
        >>> round(n.w[0].grad, 4), round(n.b.grad, 4)
        (0.7864, 0.7864)
    """

    def __init__(self, nin: int, activation: str = "relu", seed: int | None = None) -> None:
        nin = count("Neuron", "nin", nin, 1)
        self.activation = _check_activation("Neuron", activation)
        rng = random.Random(_seed("Neuron", seed))
        self.w = [Value(rng.uniform(-1.0, 1.0)) for _ in range(nin)]
        self.b = Value(0.0)
        self._name("")

    def _name(self, prefix: str) -> None:
        # The labels the pictures read the model's structure from (engine.viz.neurons):
        # the parameters once, here; the output at each call, by _forward.
        for i, w in enumerate(self.w):
            w.label = f"{prefix}w.{i}"
        self.b.label = f"{prefix}b"
        self._output_labels = (f"{prefix}a", f"{prefix}z")   # a = f(z); a linear one's z

    def __call__(self, x: Sequence[ValueLike]) -> Value:
        xs = sequence("Neuron", "x", x, len(self.w))
        with _forward_of("Neuron"):
            return self._forward(xs)

    def _forward(self, x: Sequence[ValueLike]) -> Value:
        # x is checked by the public caller, once per sample rather than once per neuron.
        z = self.b
        for wi, xi in zip(self.w, x):
            z = z + wi * xi
        act = ACTIVATIONS[self.activation]
        out = z if act is None else act(z)
        out.label = self._output_labels[act is None]   # the graph knows its neuron
        return out

    def extra_repr(self) -> str:
        return f"{len(self.w)}, activation={self.activation!r}"


class Layer(Module):
    """``nout`` neurons side by side, each reading the same ``nin`` inputs.

    Calling it returns a Value when ``nout`` is 1, else a list of Values.

    Examples:
        >>> layer = Layer(3, 2, activation="relu", seed=0)
        >>> layer
        Layer(3, 2, activation='relu')
        >>> len(layer.parameters())    # 2 neurons × (3 weights + 1 bias)
        8
        >>> len(layer([1.0, 2.0, 3.0]))
        2
    """

    def __init__(self, nin: int, nout: int, activation: str = "relu",
                 seed: int | None = None) -> None:
        nin = count("Layer", "nin", nin, 1)
        nout = count("Layer", "nout", nout, 1)
        self.activation = _check_activation("Layer", activation)
        rng = random.Random(_seed("Layer", seed))
        self.neurons = [Neuron(nin, activation, seed=rng.randrange(_SEED_RANGE))
                        for _ in range(nout)]
        self._name("")

    def _name(self, prefix: str) -> None:
        for j, neuron in enumerate(self.neurons):
            neuron._name(f"{prefix}neurons.{j}.")

    def outputs(self, x: Sequence[ValueLike]) -> list[Value]:
        """The outputs as a list, even for a single neuron.

        Examples:
            >>> len(Layer(2, 1, seed=0).outputs([1.0, 2.0]))
            1
        """
        xs = sequence("Layer", "x", x, len(self.neurons[0].w))
        with _forward_of("Layer"):
            return [n._forward(xs) for n in self.neurons]

    def __call__(self, x: Sequence[ValueLike]) -> Value | list[Value]:
        out = self.outputs(x)
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        nin, nout = len(self.neurons[0].w), len(self.neurons)
        return f"Layer({nin}, {nout}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes ``nouts``, the last one linear.

    Hidden layers use ``activation``; the last layer is linear so that its outputs are raw
    scores (logits), as losses such as :func:`nn.hinge_loss` and :func:`nn.cross_entropy`
    expect. Calling it returns a Value when the last layer has one neuron, else a list.

    Args:
        nin: the number of inputs.
        nouts: the number of neurons of each layer, e.g. ``[16, 16, 1]``.
        activation: the hidden layers' activation (see :class:`Neuron`).
        seed: makes the initial weights reproducible; each layer gets a seed drawn from it.

    Examples:
        >>> model = MLP(2, [16, 16, 1], seed=1)
        >>> len(model.parameters())    # (2+1)·16 + (16+1)·16 + (16+1)·1
        337
        >>> model
        MLP(
          (layers.0): Layer(2, 16, activation='relu')
          (layers.1): Layer(16, 16, activation='relu')
          (layers.2): Layer(16, 1, activation='linear')
        )
        >>> model([0.5, -1.0]).data == MLP(2, [16, 16, 1], seed=1)([0.5, -1.0]).data
        True
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu",
                 seed: int | None = None) -> None:
        nin = count("MLP", "nin", nin, 1)
        if isinstance(nouts, (str, bytes, dict, set)) or not hasattr(nouts, "__iter__"):
            raise TypeError(f"MLP: nouts must be a list of layer sizes, got {kind(nouts)}")
        sizes = [nin] + [count("MLP", f"nouts[{i}]", size, 1)
                         for i, size in enumerate(nouts)]
        if len(sizes) == 1:
            raise ValueError("MLP: nouts must be a non-empty list of layer sizes, got an "
                             "empty one")
        _check_activation("MLP", activation)
        rng = random.Random(_seed("MLP", seed))
        last = len(sizes) - 2
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else "linear",
                  seed=rng.randrange(_SEED_RANGE))
            for i in range(len(sizes) - 1)
        ]
        for i, layer in enumerate(self.layers):
            layer._name(f"layers.{i}.")

    def __call__(self, x: Sequence[ValueLike]) -> Value | list[Value]:
        out: list[Any] = sequence("MLP", "x", x, len(self.layers[0].neurons[0].w))
        with _forward_of("MLP"):
            for layer in self.layers:
                out = [n._forward(out) for n in layer.neurons]
        return out[0] if len(out) == 1 else out


def neurons_by_layer(who: str, model: Any) -> list[list[Neuron]]:
    """The neurons of an MLP, a Layer or a Neuron, layer by layer (for the pictures).

    Examples:
        >>> [len(layer) for layer in neurons_by_layer("f", MLP(2, [3, 1], seed=0))]
        [3, 1]
    """
    if isinstance(model, MLP):
        return [list(layer.neurons) for layer in model.layers]
    if isinstance(model, Layer):
        return [list(model.neurons)]
    if isinstance(model, Neuron):
        return [[model]]
    raise TypeError(f"{who}: model must be an nn.MLP (or a Layer or Neuron), got "
                    f"{type(model).__name__}")
