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

import math
import random
from collections.abc import Sequence
from typing import Any

from engine import Value, args
from engine.errors import prefixed
from nn.activations import ACTIVATIONS
from nn.module import Module

__all__ = ["Neuron", "Layer", "MLP", "layers_of", "inputs", "ValueLike"]

ValueLike = Value | float
"""What a model takes as an input: a Value, or a number (kept as the float it stands for)."""

_SEED_RANGE = 2**63


def _activation(activation: Any, where: str) -> str:
    return args.choice(activation, f"{where}: activation", ACTIVATIONS)


def _input(x: Any, where: str) -> ValueLike:
    # (the common cases, a Value and a finite float, without a call: once per sample)
    if type(x) is Value or (type(x) is float and -math.inf < x < math.inf):
        return x
    return args.scalar(x, where, Value, keep=True)


def inputs(x: Any, n: int, where: str) -> list[ValueLike]:
    """A model's input: exactly ``n`` numbers or Values, as a list (NumPy arrays too).

    Examples:
        >>> inputs([1, 2.5], 2, "MLP: x")
        [1.0, 2.5]
        >>> inputs([1, 2], 3, "MLP: x")
        Traceback (most recent call last):
        ValueError: MLP: x must be a list of 3 numbers or Values (one per input), got 2 of them
    """
    items = args.items(x, where, kind=f"a list of {n} numbers or Values", empty=True)
    if len(items) != n:
        raise ValueError(f"{where} must be a list of {n} numbers or Values (one per input), "
                         f"got {len(items)} of them")
    return [_input(xi, f"{where}[{i}]") for i, xi in enumerate(items)]


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
        nin = args.whole(nin, "Neuron: nin", low=1)
        self.activation = _activation(activation, "Neuron")
        rng = random.Random(args.seed(seed, "Neuron: seed"))
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
        xs = inputs(x, len(self.w), "Neuron: x")
        with prefixed("Neuron: the forward pass failed"):
            return self.forward(xs)

    def forward(self, x: Sequence[ValueLike]) -> Value:
        """a = f(b + w₀·x₀ + w₁·x₁ + …) for inputs already checked (one per weight).

        What calling the neuron does after checking ``x``; a layer checks its input once
        and calls this for each of its neurons, and the pictures of nn build the same
        nodes with it.
        """
        z = self.b
        for wi, xi in zip(self.w, x):
            z = z + wi * xi
        f = ACTIVATIONS[self.activation].on_value
        out = z if f is None else f(z)
        out.label = self._output_labels[f is None]   # the graph knows its neuron
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
        nin = args.whole(nin, "Layer: nin", low=1)
        nout = args.whole(nout, "Layer: nout", low=1)
        self.activation = _activation(activation, "Layer")
        rng = random.Random(args.seed(seed, "Layer: seed"))
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
        xs = inputs(x, len(self.neurons[0].w), "Layer: x")
        with prefixed("Layer: the forward pass failed"):
            return [n.forward(xs) for n in self.neurons]

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
        nin = args.whole(nin, "MLP: nin", low=1)
        sizes = [nin, *args.items(nouts, "MLP: nouts", _layer_size, kind="a list of layer sizes")]
        _activation(activation, "MLP")
        rng = random.Random(args.seed(seed, "MLP: seed"))
        last = len(sizes) - 2
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else "linear",
                  seed=rng.randrange(_SEED_RANGE))
            for i in range(len(sizes) - 1)
        ]
        for i, layer in enumerate(self.layers):
            layer._name(f"layers.{i}.")

    def __call__(self, x: Sequence[ValueLike]) -> Value | list[Value]:
        out: list[Any] = inputs(x, len(self.layers[0].neurons[0].w), "MLP: x")
        with prefixed("MLP: the forward pass failed"):
            for layer in self.layers:
                out = [n.forward(out) for n in layer.neurons]
        return out[0] if len(out) == 1 else out


def _layer_size(n: Any, where: str) -> int:
    return args.whole(n, where, low=1)


def layers_of(model: Any, where: str = "layers_of: model") -> list[list[Neuron]]:
    """The neurons of an MLP, a Layer or a Neuron, layer by layer: how nn's pictures and
    its bridge to PyTorch look into a model (the one place that knows the three shapes).

    Examples:
        >>> [len(layer) for layer in layers_of(MLP(2, [3, 1], seed=0))]
        [3, 1]
        >>> layers_of("mlp", "draw_model: model")
        Traceback (most recent call last):
        TypeError: draw_model: model must be an nn.MLP, Layer or Neuron, got str 'mlp'
    """
    if isinstance(model, MLP):
        return [list(layer.neurons) for layer in model.layers]
    if isinstance(model, Layer):
        return [list(model.neurons)]
    if isinstance(model, Neuron):
        return [[model]]
    raise TypeError(f"{where} must be an nn.MLP, Layer or Neuron, got {args.describe(model)}")
