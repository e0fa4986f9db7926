"""What a training is for (the task), decided from the model and the labels, and the labels
checked against the model and the loss, so that a picture shows only what fits the task.

- ``"classes"``: a model with several outputs; each target is a class index 0 … n−1.
- ``"binary"``: one output and labels 0/1 or −1/1; the decision is at output 0.
- ``"regression"``: one output and values to fit (no accuracy is shown).

Labels that fit no task (classes 0, 1, 2 for a model with one output) and labels that do not
fit the loss (−1/1 for a loss that takes 0/1) raise an error that names the argument.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine import Value, args
from nn import losses

__all__ = ["TASKS", "decide", "check_loss"]

TASKS = ("binary", "classes", "regression")


def _is_index(t: float) -> bool:
    return t == int(t) and t >= 0


def decide(who: str, nout: int, targets: Sequence[float], task: Any = None) -> str:
    """The task of a model with ``nout`` outputs trained on ``targets`` (finite floats), or
    the ``task`` asked for when it fits them.

    Examples:
        >>> decide("f", 1, [0.0, 1.0, 1.0]), decide("f", 3, [0.0, 2.0]), decide("f", 1, [0.5])
        ('binary', 'classes', 'regression')
        >>> decide("f", 1, [0.0, 1.0, 2.0])
        Traceback (most recent call last):
          ...
        ValueError: f: targets hold the class indices 0 … 2, but the model has 1 output; a
        model that tells 3 classes apart needs 3 outputs (MLP(nin, [..., 3])) trained with
        cross_entropy. If these are values to fit, pass task='regression'
        >>> decide("f", 1, [0.0, 1.0, 2.0], task="regression")
        'regression'
    """
    if task is not None:
        args.choice(task, f"{who}: task", TASKS)
    if nout > 1:
        if task not in (None, "classes"):
            raise ValueError(f"{who}: task={task!r} needs a model with one output; this one "
                             f"has {nout} (one per class: task 'classes')")
        for i, t in enumerate(targets):
            if not (_is_index(t) and t < nout):
                raise ValueError(f"{who}: targets[{i}] = {t!r} is not a class index of this "
                                 f"{nout}-output model (0 … {nout - 1})")
        return "classes"
    if task == "classes":
        raise ValueError(f"{who}: task='classes' needs one output per class; this model has "
                         f"1 output")
    labels = set(targets)
    binary = labels <= {-1.0, 1.0} or labels <= {0.0, 1.0}
    if task == "binary" and not binary:
        allowed = (-1.0, 1.0) if -1.0 in labels else (0.0, 1.0)
        i, t = next((i, t) for i, t in enumerate(targets) if t not in allowed)
        raise ValueError(f"{who}: targets[{i}] = {t!r} is not a label of a binary task "
                         f"(labels 0 and 1, or -1 and 1)")
    if task is not None:
        return str(task)
    if binary:
        return "binary"
    if len(labels) >= 3 and all(_is_index(t) for t in labels) and max(labels) == len(labels) - 1:
        n = len(labels)
        raise ValueError(
            f"{who}: targets hold the class indices 0 … {n - 1}, but the model has 1 "
            f"output; a model that tells {n} classes apart needs {n} outputs "
            f"(MLP(nin, [..., {n}])) trained with cross_entropy. If these are values to "
            f"fit, pass task='regression'")
    return "regression"


# Losses of nn that take labels of one form only; a loss not listed here is not checked.
_ZERO_ONE: tuple[Callable[..., Any], ...] = (losses.binary_cross_entropy_with_logits,
                                             losses.binary_cross_entropy)


def check_loss(who: str, loss_fn: Any, nout: int, targets: Sequence[Any]) -> None:
    """Refuse labels that do not fit ``loss_fn`` when it is one of nn's losses (a loss of
    your own is not checked): −1/1 labels for a loss of 0/1 labels, which would train to an
    ever more negative loss; labels other than ±1 for ``hinge_loss``; ``cross_entropy`` for
    a model with one output.

    Examples:
        >>> check_loss("fit", losses.binary_cross_entropy_with_logits, 1, [1, -1])
        Traceback (most recent call last):
          ...
        ValueError: fit: targets[1] = -1 does not fit
        loss_fn=binary_cross_entropy_with_logits, which takes targets in [0, 1] (class 1 is
        1, class 0 is 0): with -1 the loss falls below 0 without end. Map the labels to 0
        and 1 ([(t + 1) / 2 for t in targets]), or train with hinge_loss, which takes -1
        and 1
    """
    name = getattr(loss_fn, "__name__", "")
    if loss_fn is losses.cross_entropy and nout == 1:
        raise ValueError(f"{who}: loss_fn=cross_entropy needs one output per class, but the "
                         f"model has 1 output; give the model as many outputs as there are "
                         f"classes, or use binary_cross_entropy_with_logits for two classes")
    if loss_fn in _ZERO_ONE:
        for i, t in enumerate(targets):
            value = _number(t)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(
                    f"{who}: targets[{i}] = {t!r} does not fit loss_fn={name}, which takes "
                    f"targets in [0, 1] (class 1 is 1, class 0 is 0): with {t!r} the loss "
                    f"falls below 0 without end. Map the labels to 0 and 1 ([(t + 1) / 2 "
                    f"for t in targets]), or train with hinge_loss, which takes -1 and 1")
    if loss_fn is losses.hinge_loss:
        for i, t in enumerate(targets):
            value = _number(t)
            if value is not None and value not in (-1.0, 1.0):
                raise ValueError(
                    f"{who}: targets[{i}] = {t!r} does not fit loss_fn=hinge_loss, which "
                    f"takes the labels -1 and 1; map 0/1 labels to -1/1 ([2 * t - 1 for t "
                    f"in targets]), or train with binary_cross_entropy_with_logits")


def _number(t: Any) -> float | None:
    """A target's number (a Value's data), or None for what is not one number."""
    if isinstance(t, Value):
        t = t.data
    try:
        return float(t)
    except (TypeError, ValueError):
        return None
