"""The README's picture of a network's graph: docs/network_graph.png.

    .venv/bin/python docs/readme_images.py

A tiny network, ``MLP(2, [3, 1])``, on one sample with the squared error, drawn by the
Stepper in the middle of backpropagation: each neuron is one box (z, a and δ = ∂L/∂z), the
current one highlighted, the neurons already done in green, and the gradient it has just
received written in red on the edge it came back along. The same picture a notebook shows
for ``Stepper(loss, compact=True).goto(k).draw()``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import nn  # noqa: E402
from engine import Stepper  # noqa: E402


def network_graph(path: Path) -> Path:
    model = nn.MLP(2, [3, 1], activation="tanh", seed=3)
    loss = nn.mse_loss([model([1.0, -0.5])], [1.0])
    stepper = Stepper(loss, compact=True)
    hidden = next(r for r in stepper.trace.neurons if r.name == "layers.0.neurons.1")
    k = next(k for k, step in enumerate(stepper.steps)
             if step.kind == "backward" and step.node is hidden.a)
    drawing = stepper.goto(k).draw()
    drawing.attr(dpi="144", pad="0.2")
    drawing.format = "png"
    return Path(drawing.render(path.with_suffix(""), cleanup=True))


if __name__ == "__main__":
    print(network_graph(HERE / "network_graph.png"))
