"""stepgrad's nn: neurons, layers, MLPs, losses, optimizers and a training loop.

Part of the ``stepgrad`` distribution. Everything here only composes :mod:`engine` Values,
and uses PyTorch's names and meanings (``parameters``, ``zero_grad``, ``state_dict``,
``mse_loss``, ``SGD``, ``Adam``...), so that moving to PyTorch later feels familiar.

Examples:
    >>> import nn
    >>> model = nn.MLP(2, [8, 1], seed=0)
    >>> optimizer = nn.SGD(model.parameters(), lr=0.1)
    >>> X, y = [[1.0, 2.0], [-1.0, -2.0]], [1, -1]
    >>> loss = nn.hinge_loss([model(x) for x in X], y)
    >>> optimizer.zero_grad()
    >>> loss.backward()
    >>> optimizer.step()
    >>> nn.hinge_loss([model(x) for x in X], y).data < loss.data
    True
"""

from nn.bridge import TORCH_EQUIVALENTS, from_torch, parameter_map, to_torch
from nn.data import batches
from nn.layers import MLP, Layer, Neuron
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
    softmax,
)
from nn.module import Module
from nn.optim import SGD, Adam, Optimizer
from nn.train import fit
from nn.viz.model_view import draw_model
from nn.viz.training_view import TrainingView

__all__ = [
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "softmax",
    "Optimizer",
    "SGD",
    "Adam",
    "batches",
    "fit",
    "draw_model",
    "to_torch",
    "from_torch",
    "parameter_map",
    "TORCH_EQUIVALENTS",
    "TrainingView",
]
