"""What a type checker must refuse about Value, checked by ``make lint`` (mypy --strict).

Each refused line carries an ignore naming the error mypy reports there; under --strict
(``warn_unused_ignores``) an ignore that is not needed is itself an error, so if mypy ever
accepted one of these lines (a ``__getattr__`` hiding Value's attributes, say), lint would
fail. The block never runs: it is for the type checker only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine import Value

    x = Value(1.0, label="x")
    y: float = ((x * 2 + 1).tanh() ** 2 - x.exp() / 3).data + x.grad   # fine
    x.tanhh()                 # type: ignore[attr-defined]  # no such method
    print(x.lable)            # type: ignore[attr-defined]  # no such attribute
    x + "1"                   # type: ignore[operator]  # no operator for a str
    x.atan().leaky_relu("a")  # type: ignore[arg-type]  # a slope is a number

    # What a model returns goes into a loss as it is: MLP(...)(x) is a Value or a list.
    import nn

    model = nn.MLP(2, [3, 1])
    X = [[0.0, 1.0], [1.0, 0.0]]
    fit_loss: Value = nn.mse_loss([model(p) for p in X], [1.0, -1.0])
    bce: Value = nn.binary_cross_entropy_with_logits([model(p) for p in X], [1, 0])
    classes = nn.MLP(2, [3, 3])
    ce: Value = nn.cross_entropy([classes(p) for p in X], [0, 2])
    nn.mse_loss([model(p) for p in X], "1")  # type: ignore[arg-type]  # targets are numbers
