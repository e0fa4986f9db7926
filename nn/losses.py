"""Loss functions, composed from engine operations: each is the mean over the samples.

Every loss takes predictions and targets (Values or plain numbers, as lists; a single
prediction may be given on its own) and returns one Value, equal to what PyTorch's function
of the same name returns with its default ``reduction="mean"``, gradients included. The
numerically delicate ones are made stable by algebra, not by new primitive operations:
``binary_cross_entropy_with_logits`` never exponentiates a positive number and
``cross_entropy`` uses the log-sum-exp shift.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from engine.value import Value, ValueLike

__all__ = [
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "softmax",
]

Samples = ValueLike | Sequence[ValueLike]

# PyTorch's binary_cross_entropy clamps each log at -100 so that p = 0 or 1 stays finite.
_LOG_FLOOR = -100.0


def _number(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _is_scalar(x: Any) -> bool:
    return isinstance(x, Value) or (isinstance(x, numbers.Real) and not isinstance(x, bool))


def _as_list(who: str, what: str, xs: Any) -> list[ValueLike]:
    items = [xs] if _is_scalar(xs) else xs
    try:
        items = list(items)
    except TypeError:
        raise TypeError(f"{who}: {what} must be a list of numbers or Values, got "
                        f"{type(xs).__name__}") from None
    for i, x in enumerate(items):
        if not _is_scalar(x):
            raise TypeError(f"{who}: {what}[{i}] must be a number or a Value, got "
                            f"{type(x).__name__}")
    return items


def _pairs(who: str, preds: Any, targets: Any,
           names: tuple[str, str] = ("preds", "targets")) -> list[tuple[ValueLike, ValueLike]]:
    ps = _as_list(who, names[0], preds)
    ts = _as_list(who, names[1], targets)
    if len(ps) != len(ts):
        raise ValueError(f"{who}: got {len(ps)} {names[0]} but {len(ts)} {names[1]}")
    if not ps:
        raise ValueError(f"{who}: expected at least one sample")
    return list(zip(ps, ts))


def _exp(x: ValueLike) -> ValueLike:
    return x.exp() if isinstance(x, Value) else math.exp(x)


def _log(x: ValueLike) -> ValueLike:
    return x.log() if isinstance(x, Value) else math.log(x)


def _mean(terms: list[ValueLike]) -> Value:
    """(t₀ + t₁ + … ) / n, summed left to right as ``torch.mean`` divides the sum by n."""
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    mean = total / len(terms)
    return mean if isinstance(mean, Value) else Value(mean)


def mse_loss(preds: Samples, targets: Samples) -> Value:
    """Mean squared error: (1/n) Σ (pᵢ − tᵢ)².

    Like ``torch.nn.functional.mse_loss``. Its gradient is ∂L/∂pᵢ = 2(pᵢ − tᵢ)/n.

    Examples:
        >>> from engine import Value
        >>> p = [Value(1.0), Value(2.0)]
        >>> loss = mse_loss(p, [0.0, 4.0])   # ((1 − 0)² + (2 − 4)²) / 2
        >>> loss.data
        2.5
        >>> loss.backward()
        >>> p[0].grad, p[1].grad
        (1.0, -2.0)
    """
    return _mean([(p - t) ** 2 for p, t in _pairs("mse_loss", preds, targets)])


def _clamped_log(x: ValueLike) -> ValueLike:
    """log x, or the constant −100 where log x would be below it (as PyTorch clamps)."""
    v = _number(x)
    if v <= 0.0 or math.log(v) < _LOG_FLOOR:
        return _LOG_FLOOR
    return _log(x)


def binary_cross_entropy(probs: Samples, targets: Samples) -> Value:
    """Log loss of probabilities: −(1/n) Σ [tᵢ·log pᵢ + (1 − tᵢ)·log(1 − pᵢ)].

    Like ``torch.nn.functional.binary_cross_entropy``: each probability must lie in
    [0, 1], and each log is clamped at −100 so that p = 0 or 1 gives a finite loss (a
    clamped term is a constant and passes no gradient). The gradient is
    ∂L/∂pᵢ = (pᵢ − tᵢ) / (pᵢ(1 − pᵢ)·n). For outputs that are not yet squashed by a
    sigmoid, :func:`binary_cross_entropy_with_logits` is more stable.

    Examples:
        >>> round(binary_cross_entropy([0.9, 0.2], [1.0, 0.0]).data, 6)  # −(log .9 + log .8)/2
        0.164252
    """
    terms: list[ValueLike] = []
    for i, (p, t) in enumerate(_pairs("binary_cross_entropy", probs, targets,
                                      ("probs", "targets"))):
        v = _number(p)
        if not 0.0 <= v <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: probabilities must be between 0 and 1, got "
                f"probs[{i}] = {v:.6g} (apply .sigmoid() first, or use "
                f"binary_cross_entropy_with_logits)")
        terms.append(-(t * _clamped_log(p) + (1.0 - t) * _clamped_log(1.0 - p)))
    return _mean(terms)


def binary_cross_entropy_with_logits(logits: Samples, targets: Samples) -> Value:
    """Log loss of σ(zᵢ), computed from the logits zᵢ without overflow, for any finite zᵢ.

    Equals ``binary_cross_entropy([σ(z) ...], targets)`` and PyTorch's
    ``binary_cross_entropy_with_logits``. Per sample the loss is
    max(z, 0) − z·t + log(1 + e^(−|z|)); written out for each sign of z so that the
    exponent is never positive::

        z ≥ 0:  (1 − t)·z + log(1 + e^(−z))
        z < 0:      −t·z + log(1 + e^z)

    Both branches have the gradient σ(z) − t (divided by n for the mean), also at z = 0,
    where the one-line form would meet the kinks of max and |·|.

    Examples:
        >>> from engine import Value
        >>> z = [Value(1000.0), Value(-1000.0)]
        >>> loss = binary_cross_entropy_with_logits(z, [1.0, 1.0])
        >>> loss.data                       # (0 + 1000) / 2
        500.0
        >>> loss.backward()
        >>> z[0].grad, z[1].grad            # (σ(z) − t) / 2
        (0.0, -0.5)
    """
    terms: list[ValueLike] = []
    for z, t in _pairs("binary_cross_entropy_with_logits", logits, targets,
                       ("logits", "targets")):
        if _number(z) >= 0.0:
            terms.append(z * (1.0 - t) + _log(1.0 + _exp(-z)))
        else:
            terms.append(-(z * t) + _log(1.0 + _exp(z)))
    return _mean(terms)


def _row(who: str, i: int, row: Any) -> list[ValueLike]:
    items = _as_list(who, f"logit_rows[{i}]", row)
    if not items:
        raise ValueError(f"{who}: logit_rows[{i}] is empty")
    return items


def softmax(logits: Sequence[ValueLike]) -> list[Value]:
    """exp(zⱼ) / Σₖ exp(zₖ) for each j: probabilities that sum to 1.

    Computed as exp(zⱼ − m) / Σₖ exp(zₖ − m) with m = max z, a plain number: the result is
    the same for any shift, so the gradient is too, and no exponent is ever positive.

    Examples:
        >>> [round(p.data, 4) for p in softmax([1.0, 2.0, 3.0])]
        [0.09, 0.2447, 0.6652]
        >>> [p.data for p in softmax([1000.0, 0.0])]
        [1.0, 0.0]
    """
    zs = _row("softmax", 0, logits)
    m = max(_number(z) for z in zs)
    es = [_exp(z - m) for z in zs]
    total = es[0]
    for e in es[1:]:
        total = total + e
    out = [e / total for e in es]
    return [p if isinstance(p, Value) else Value(p) for p in out]


def cross_entropy(logit_rows: Sequence[Sequence[ValueLike]] | Sequence[ValueLike],
                  class_indices: Sequence[int] | int) -> Value:
    """Cross-entropy of softmax(logits) against class indices, averaged over the rows.

    Like ``torch.nn.functional.cross_entropy``: row i holds one raw score per class and
    ``class_indices[i]`` is its true class cᵢ, so the loss of the row is
    −log softmax(zᵢ)[cᵢ] = log Σⱼ exp(zᵢⱼ) − zᵢ[cᵢ], with the log-sum-exp computed as
    m + log Σⱼ exp(zᵢⱼ − m), m = max zᵢ (stable for any finite logits). The gradient of a
    row is (softmax(zᵢ) − onehot(cᵢ)) / n. One row with one int is accepted too.

    Examples:
        >>> round(cross_entropy([[2.0, 0.0, 0.0]], [0]).data, 6)   # log(e² + 2) − 2
        0.239545
        >>> cross_entropy([[1000.0, 0.0], [1000.0, 0.0]], [0, 1]).data
        500.0
        >>> cross_entropy([[0.0, 1.0]], [2])
        Traceback (most recent call last):
          ...
        ValueError: cross_entropy: class index 2 of row 0 is out of range for 2 classes (0 to 1)
    """
    who = "cross_entropy"
    given_rows: Any = logit_rows
    given_indices: Any = class_indices
    if isinstance(class_indices, numbers.Integral) and not isinstance(class_indices, bool):
        given_rows, given_indices = [logit_rows], [class_indices]
    try:
        rows = [_row(who, i, row) for i, row in enumerate(given_rows)]
        targets = list(given_indices)
    except TypeError as error:
        raise TypeError(f"{error} (cross_entropy expects a list of rows of logits and a "
                        f"list of class indices)") from None
    if len(rows) != len(targets):
        raise ValueError(f"{who}: got {len(rows)} logit rows but {len(targets)} class indices")
    if not rows:
        raise ValueError(f"{who}: expected at least one sample")
    classes = len(rows[0])
    terms: list[ValueLike] = []
    for i, (zs, c) in enumerate(zip(rows, targets)):
        if len(zs) != classes:
            raise ValueError(f"{who}: every row needs {classes} logits (as row 0), row {i} "
                             f"has {len(zs)}")
        if isinstance(c, bool) or not isinstance(c, numbers.Integral):
            raise TypeError(f"{who}: class index of row {i} must be an int, got "
                            f"{type(c).__name__}")
        c = int(c)
        if not 0 <= c < classes:
            raise ValueError(f"{who}: class index {c} of row {i} is out of range for "
                             f"{classes} classes (0 to {classes - 1})")
        m = max(_number(z) for z in zs)
        total = _exp(zs[0] - m)
        for z in zs[1:]:
            total = total + _exp(z - m)
        terms.append(_log(total) + m - zs[c])
    return _mean(terms)


def hinge_loss(scores: Samples, targets: Samples) -> Value:
    """Max-margin loss of a linear SVM: (1/n) Σ max(0, 1 − tᵢ·sᵢ), with targets tᵢ = ±1.

    A sample stops contributing once its score is on the right side with a margin of at
    least 1. In PyTorch: ``torch.relu(1 - t * s).mean()`` (relu'(0) = 0 at the margin).
    The gradient is −tᵢ/n for the samples inside the margin, 0 for the others.

    Examples:
        >>> from engine import Value
        >>> s = [Value(0.5), Value(-2.0)]
        >>> loss = hinge_loss(s, [1, -1])    # (max(0, 1 − 0.5) + max(0, 1 − 2)) / 2
        >>> loss.data
        0.25
        >>> loss.backward()
        >>> s[0].grad, s[1].grad
        (-0.5, 0.0)
    """
    terms: list[ValueLike] = []
    for i, (s, t) in enumerate(_pairs("hinge_loss", scores, targets, ("scores", "targets"))):
        if _number(t) not in (1.0, -1.0):
            raise ValueError(f"hinge_loss: targets must be 1 or -1, got targets[{i}] = "
                             f"{_number(t):.6g}")
        margin = 1.0 - s * t
        terms.append(margin.relu() if isinstance(margin, Value) else max(0.0, margin))
    return _mean(terms)
