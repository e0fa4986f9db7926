"""Loss functions, composed from engine operations: each is the mean over the samples.

Every loss takes predictions and targets (Values or plain numbers, as lists; a single
prediction may be given on its own) and returns one Value: what PyTorch's function of the
same name returns with its default ``reduction="mean"``, gradients included, to within
float64 rounding (``binary_cross_entropy`` says how close, where that matters). The
numerically delicate ones are made stable by algebra, not by new primitive operations:
``binary_cross_entropy_with_logits`` never exponentiates a positive number and
``cross_entropy`` uses the log-sum-exp shift.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

from engine import Value, args, floats
from engine.errors import prefixed
from nn.layers import ValueLike

__all__ = [
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "softmax",
]

Samples = ValueLike | Sequence[ValueLike]
# What a list of model outputs is to a type checker: ``MLP.__call__`` returns a Value for one
# output and a list for several, so ``[model(x) for x in X]`` is a list of both. The losses
# take it as it comes and check each entry when called (a list where a number belongs is a
# TypeError naming the sample).
Outputs = ValueLike | Sequence[ValueLike | Sequence[ValueLike]]

# PyTorch's binary_cross_entropy clamps each log at -100 so that p = 0 or 1 stays finite.
_LOG_FLOOR = -100.0
# ... and its backward divides by max(p(1 − p), 1e-12), the 1e-12 being a C float: this is
# that number in float64 (9.99999996e-13), so that the gradients agree to the last digit.
_BCE_EPS: float = struct.unpack("f", struct.pack("f", 1e-12))[0]


def _value(x: ValueLike) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _scalar(x: Any, where: str) -> ValueLike:
    return args.scalar(x, where, Value, keep=True)


def samples(xs: Any, where: str) -> list[ValueLike]:
    """What a loss takes as predictions or targets: a list of numbers or Values (NumPy
    arrays too); one number or Value alone is one sample.

    Examples:
        >>> samples(0.5, "mse_loss: preds"), samples([1, 2], "mse_loss: preds")
        ([0.5], [1.0, 2.0])
    """
    if isinstance(xs, Value) or args.is_number(xs):
        return [args.scalar(xs, where, Value)]
    return args.items(xs, where, _scalar, kind="a list of numbers or Values", empty=True)


def _pairs(who: str, preds: Any, targets: Any,
           names: tuple[str, str] = ("preds", "targets")) -> list[tuple[Value, ValueLike]]:
    """Predictions (as Values, so that every operation is checked by the engine) paired
    with their targets."""
    ps = samples(preds, f"{who}: {names[0]}")
    ts = samples(targets, f"{who}: {names[1]}")
    if len(ps) != len(ts):
        raise ValueError(f"{who}: {names[1]} must have one entry per entry of {names[0]} "
                         f"({len(ps)}), got {len(ts)}")
    if not ps:
        raise ValueError(f"{who}: {names[0]} must hold at least one sample, got none")
    return [(_value(p), t) for p, t in zip(ps, ts)]


def _has_value(x: Any) -> bool:
    if isinstance(x, Value):
        return True
    return isinstance(x, (list, tuple)) and any(_has_value(y) for y in x)


def _result(loss: Value, *given: Any) -> Value:
    """The loss; a plain leaf when no Value was given (there is nothing to differentiate)."""
    out = loss if any(_has_value(x) for x in given) else Value(loss.data)
    out.label = "loss"   # as drawings and step texts name it (a new node: never an input)
    return out


def _number(x: ValueLike) -> float:
    return x.data if isinstance(x, Value) else x


def _terms(who: str, pairs: list[tuple[Value, ValueLike]],
           term: Callable[[Value, ValueLike], Value]) -> list[Value]:
    """``term(p, t)`` of each sample; an engine error names the loss and the sample."""
    terms = []
    for i, (p, t) in enumerate(pairs):
        with prefixed(f"{who}: sample {i}"):
            terms.append(term(p, t))
    return terms


def _mean(who: str, terms: list[Value]) -> Value:
    """(t₀ + t₁ + … ) / n, summed left to right as ``torch.mean`` divides the sum by n.

    Where that sum overflows although the mean would not, the terms are divided by n
    first; a mean that overflows anyway raises ``OverflowError`` naming the loss (PyTorch
    would return inf).
    """
    n = len(terms)
    try:
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total / n
    except OverflowError:
        pass
    try:
        total = terms[0] / n
        for t in terms[1:]:
            total = total + t / n
        return total
    except OverflowError as error:
        raise OverflowError(f"{who}: the mean over the samples overflows a float "
                            f"({error})") from None


def mse_loss(preds: Outputs, targets: Samples) -> Value:
    """Mean squared error: (1/n) Σ (pᵢ − tᵢ)².

    Like ``torch.nn.functional.mse_loss``. Its gradient is ∂L/∂pᵢ = 2(pᵢ − tᵢ)/n. A loss
    that overflows a float raises ``OverflowError`` naming ``mse_loss`` and the sample
    (PyTorch returns inf; stepgrad never returns a non-finite number).

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
    who = "mse_loss"
    terms = _terms(who, _pairs(who, preds, targets), lambda p, t: (p - t) ** 2)
    return _result(_mean(who, terms), preds, targets)


def _bce_term(p: Value, t: ValueLike) -> Value:
    """One sample of binary cross-entropy: PyTorch's value, and PyTorch's gradient up to
    rounding (see :func:`binary_cross_entropy`)."""
    pv, tv = p.data, _number(t)
    log_p = floats.max(floats.log(pv), _LOG_FLOOR) if pv > 0.0 else _LOG_FLOOR
    log_q = floats.max(floats.log1p(-pv), _LOG_FLOOR) if pv < 1.0 else _LOG_FLOOR
    exact = (tv - 1.0) * log_q - tv * log_p          # PyTorch's forward, term for term
    if (1.0 - pv) * pv < _BCE_EPS:
        # PyTorch's backward is (p − t) / max(p(1 − p), 1e-12): near 0 and 1 the division
        # is capped, and there no composition of logs has that derivative. The term is
        # then the line through (p, exact) with PyTorch's slope.
        term = exact + (pv - tv) / _BCE_EPS * (p - pv)
        if isinstance(t, Value):
            term = term + (log_q - log_p) * (t - tv)
        return term
    # Away from 0 and 1 the composition gives the derivative (and higher ones); the
    # constant only moves its value onto PyTorch's, which takes log1p(−p) for log(1 − p).
    term = -(t * p.log() + (1.0 - t) * (1.0 - p).log())
    return term + (exact - term.data)


def binary_cross_entropy(probs: Outputs, targets: Samples) -> Value:
    """Log loss of probabilities: −(1/n) Σ [tᵢ·log pᵢ + (1 − tᵢ)·log(1 − pᵢ)].

    The loss of ``torch.nn.functional.binary_cross_entropy`` in float64 (how close is said
    below), for every probability in [0, 1] and target in [0, 1] (others raise
    ``ValueError``, as in PyTorch). Like PyTorch, each log is clamped at −100, so p = 0 or
    1 gives a finite loss, and the gradient is ∂L/∂pᵢ = (pᵢ − tᵢ) / (max(pᵢ(1 − pᵢ),
    1e-12)·n). Where pᵢ(1 − pᵢ) ≥ 1e-12 the term is the composition of engine logs (so its
    higher derivatives are right too), shifted by a constant onto PyTorch's value; where it
    is smaller the term is a line in pᵢ through PyTorch's value with PyTorch's slope (its
    second derivative there is 0). For outputs that are not yet squashed by a sigmoid,
    :func:`binary_cross_entropy_with_logits` is more stable.

    How close to PyTorch: each sample's loss is PyTorch's to the last bit, and so is the
    mean of a few samples; over more samples PyTorch adds in another order, and the mean
    can differ in its last bits. The gradient agrees to within rounding, except where
    pᵢ ≈ tᵢ: it is computed as (−tᵢ/pᵢ + (1 − tᵢ)/(1 − pᵢ))/n, whose two terms cancel
    there: the difference stays within 8·2⁻⁵² times (tᵢ/pᵢ + (1 − tᵢ)/(1 − pᵢ))/n, the
    bound ``tests/test_torch_parity.py`` checks, which can be large beside the small
    gradient (p = 0.853269706410332, t = 0.8532697064189038 gives −6.846456734876938e-11,
    PyTorch −6.846465416308774e-11: 1.3e-6 apart, relatively).

    Examples:
        >>> from engine import Value
        >>> round(binary_cross_entropy([0.9, 0.2], [1.0, 0.0]).data, 6)  # −(log .9 + log .8)/2
        0.164252
        >>> p = Value(0.0)
        >>> loss = binary_cross_entropy(p, 1.0)      # −log 0 clamped at 100
        >>> loss.backward()
        >>> loss.data, p.grad                        # (0 − 1) / 1e-12, as in PyTorch
        (100.0, -1000000003995.8029)
    """
    who = "binary_cross_entropy"
    pairs = _pairs(who, probs, targets, ("probs", "targets"))
    for i, (p, t) in enumerate(pairs):
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"{who}: probs[{i}] must be a probability in [0, 1], got {p.data:.6g} (apply "
                f".sigmoid() first, or use binary_cross_entropy_with_logits)")
        if not 0.0 <= _number(t) <= 1.0:
            raise ValueError(f"{who}: targets[{i}] must be in [0, 1] (as in PyTorch), got "
                             f"{_number(t):.6g}")
    terms = _terms(who, pairs, _bce_term)
    return _result(_mean(who, terms), probs, targets)


def _bce_logits_term(z: Value, t: ValueLike) -> Value:
    if z.data >= 0.0:
        linear = z * (1.0 - t)
        softplus = (1.0 + (-z).exp()).log()
    else:
        linear = -(z * t)
        softplus = (1.0 + z.exp()).log()
    exact = floats.log1p(floats.exp(-abs(z.data)))
    term: Value = linear + (softplus + (exact - softplus.data))
    return term


def binary_cross_entropy_with_logits(logits: Outputs, targets: Samples) -> Value:
    """Log loss of σ(zᵢ), computed from the logits zᵢ without overflow, for any finite zᵢ.

    The loss of ``binary_cross_entropy([σ(z) ...], targets)`` and of PyTorch's
    ``binary_cross_entropy_with_logits`` (float64), to within a few units in the last place
    in value and gradient (at z = 0, t = 0.3 the gradient is 0.19999999999999996 where
    PyTorch rounds to 0.2; in the far tails, such as z = 40, t = 1, it keeps a loss and a
    gradient of 4e-18 where PyTorch's gradient is 0). Per sample the loss
    is max(z, 0) − z·t + log(1 + e^(−|z|)); written out for each sign of z so that the
    exponent is never positive::

        z ≥ 0:  (1 − t)·z + log(1 + e^(−z))
        z < 0:      −t·z + log(1 + e^z)

    Both branches have the gradient σ(z) − t (divided by n for the mean), also at z = 0,
    where the one-line form would meet the kinks of max and |·|. The last term is the
    composition log(1 + e^(∓z)) shifted by a constant onto log1p(e^(∓z)), which PyTorch
    computes: so a loss as small as 4e-18 (z = 40, t = 1) is not rounded to 0.

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
    who = "binary_cross_entropy_with_logits"
    terms = _terms(who, _pairs(who, logits, targets, ("logits", "targets")), _bce_logits_term)
    return _result(_mean(who, terms), logits, targets)


def logits_row(row: Any, where: str) -> list[Value]:
    """One row of logits, one per class, as Values (what softmax and each row of
    cross_entropy take).

    Examples:
        >>> [z.data for z in logits_row([1, 2.5], "softmax: logits")]
        [1.0, 2.5]
    """
    hint = "; for one sample pass [[z0, z1, ...]]" if where.startswith("cross_entropy") else ""
    return [_value(z) for z in args.items(row, where, _scalar,
                                          kind=f"a list of logits (one per class{hint})")]


def _shifted_exps(zs: list[Value]) -> tuple[float, list[Value | None], Value]:
    """m = max z, exp(zⱼ − m) for each j (None where that is exactly 0 in floats), and the
    sum of the terms kept, added left to right.

    Skipping those terms is exact (they add 0 to the sum and 0 to the gradient) and avoids
    forming zⱼ − m where it would overflow (1e308 − (−1e308)).
    """
    m = floats.max(z.data for z in zs)
    out: list[Value | None] = []
    for z in zs:
        d = z.data - m  # a float: −inf when it overflows, and then exp gives 0 as well
        out.append(None if floats.exp(d) == 0.0 else (z - m).exp())
    kept = [e for e in out if e is not None]   # the largest logit's term, 1, is always kept
    total = kept[0]
    for e in kept[1:]:
        total = total + e
    return m, out, total


def softmax(logits: Sequence[ValueLike]) -> list[Value]:
    """exp(zⱼ) / Σₖ exp(zₖ) for each j: probabilities that sum to 1.

    Computed as exp(zⱼ − m) / Σₖ exp(zₖ − m) with m = max z, a plain number: the result is
    the same for any shift, so the gradient is too, and no exponent is ever positive. A
    logit so far below the largest that exp(zⱼ − m) is 0 in floats gives the probability
    0 (as in PyTorch) without forming the difference, so any finite logits work.

    Examples:
        >>> [round(p.data, 4) for p in softmax([1.0, 2.0, 3.0])]
        [0.09, 0.2447, 0.6652]
        >>> [p.data for p in softmax([1e308, -1e308])]
        [1.0, 0.0]
    """
    zs = logits_row(logits, "softmax: logits")
    _, es, total = _shifted_exps(zs)
    # A dropped term's probability is 0 and so is its every derivative: 0·(z − z.data)
    # keeps it connected to z.
    return [e / total if e is not None else (z - z.data) * 0.0 for z, e in zip(zs, es)]


def cross_entropy(logit_rows: Sequence[Sequence[ValueLike] | ValueLike],
                  class_indices: Sequence[int] | int) -> Value:
    """Cross-entropy of softmax(logits) against class indices, averaged over the rows.

    Like ``torch.nn.functional.cross_entropy``: row i holds one raw score per class and
    ``class_indices[i]`` is its true class cᵢ, so the loss of the row is
    −log softmax(zᵢ)[cᵢ] = log Σⱼ exp(zᵢⱼ − m) − (zᵢ[cᵢ] − m), m = max zᵢ. Exact for any
    finite logits: the shifted logits are formed first (exact near the maximum), and a
    logit whose exp(zᵢⱼ − m) is 0 in floats is left out of the sum, so that a difference
    like 1e308 − (−1e308) is never formed. The gradient of a row is
    (softmax(zᵢ) − onehot(cᵢ)) / n. One row with one int is accepted too. A row whose true
    class is so far below the maximum that the loss overflows raises ``OverflowError``
    (PyTorch returns inf).

    Examples:
        >>> round(cross_entropy([[2.0, 0.0, 0.0]], [0]).data, 6)   # log(e² + 2) − 2
        0.239545
        >>> cross_entropy([[1000.0, 0.0], [1000.0, 0.0]], [0, 1]).data
        500.0
        >>> round(cross_entropy([[1e16, 1e16, 1e16 - 1]], [0]).data, 4)   # log 3
        1.0986
        >>> cross_entropy([[0.0, 1.0]], [2])
        Traceback (most recent call last):
          ...
        ValueError: cross_entropy: class_indices[0] must be a whole number in [0, 1], got 2
    """
    who = "cross_entropy"
    given_rows: Any = logit_rows
    given_indices: Any = class_indices
    if isinstance(class_indices, Value) or args.is_number(class_indices):
        given_rows, given_indices = [logit_rows], [class_indices]
    rows = args.items(given_rows, f"{who}: logit_rows", logits_row, kind="a list of rows of logits",
                      empty=True)
    targets = args.items(given_indices, f"{who}: class_indices", kind="a list of class indices",
                         empty=True)
    if len(rows) != len(targets):
        raise ValueError(f"{who}: class_indices must have one entry per row of logit_rows "
                         f"({len(rows)}), got {len(targets)}")
    if not rows:
        raise ValueError(f"{who}: logit_rows must hold at least one row, got none")
    classes = len(rows[0])
    terms: list[Value] = []
    for i, (zs, c) in enumerate(zip(rows, targets)):
        if len(zs) != classes:
            raise ValueError(f"{who}: logit_rows[{i}] must have {classes} logits (as "
                             f"logit_rows[0] has), got {len(zs)}")
        c = args.whole(c, f"{who}: class_indices[{i}]", low=0, high=classes - 1)
        m, _, total = _shifted_exps(zs)
        if not floats.isfinite(zs[c].data - m):
            raise OverflowError(
                f"{who}: the loss of row {i} overflows a float: its true class's logit "
                f"{zs[c].data:.6g} is too far below the largest, {m:.6g} (PyTorch gives inf)")
        terms.append(total.log() - (zs[c] - m))
    return _result(_mean(who, terms), given_rows)


def hinge_loss(scores: Outputs, targets: Samples) -> Value:
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
    who = "hinge_loss"
    pairs = _pairs(who, scores, targets, ("scores", "targets"))
    for i, (_, t) in enumerate(pairs):
        if _number(t) not in (1.0, -1.0):
            raise ValueError(f"{who}: targets[{i}] must be 1 or -1, got {_number(t):.6g}")
    terms = _terms(who, pairs, lambda s, t: (1.0 - s * t).relu())
    return _result(_mean(who, terms), scores, targets)
