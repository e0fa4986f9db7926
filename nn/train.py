"""``fit``: the training loop, with a progress bar and a history to plot.

It is only a convenience around the loop that is worth writing by hand at least once::

    for epoch in range(epochs):
        for batch in batches(len(X), batch_size, seed=epoch):
            loss = loss_fn([model(X[i]) for i in batch], [y[i] for i in batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tqdm.auto import tqdm

import engine
from engine import Value, args, collector_paused, is_grad_enabled
from engine.errors import prefixed
from nn.data import batches
from nn.optim import Optimizer
from nn.viz.training_view import TrainingView, attach

__all__ = ["fit", "default_correct"]


def default_correct(pred: Any, target: Any) -> bool:
    """Is a prediction right? One score: its sign matches the target's (targets ±1, or 0/1
    against logits). Several scores: the largest is at the target's class index."""
    if isinstance(pred, Value):
        t = target.data if isinstance(target, Value) else target
        return (pred.data > 0) == bool(t > 0)
    scores = [p.data for p in pred]
    return bool(scores.index(max(scores)) == target)


def _loss(loss_fn: Callable[[list[Any], list[Any]], Value], preds: list[Any],
          wanted: list[Any]) -> Value:
    """``loss_fn(preds, wanted)``, refused unless it is a Value (something to backpropagate)."""
    return args.instance(loss_fn(preds, wanted), "fit: loss_fn's result (the loss)", Value)


def fit(model: Callable[[Any], Any], inputs: Sequence[Any], targets: Sequence[Any],
        loss_fn: Callable[[list[Any], list[Any]], Value], optimizer: Optimizer,
        epochs: int = 1, batch_size: int | None = None, shuffle: bool = True,
        seed: int | None = None, lr_schedule: Callable[[int], float] | None = None,
        correct: Callable[[Any, Any], bool] | None = default_correct,
        progress: bool = True, view: TrainingView | bool | None = None,
        compile: bool = False) -> dict[str, list[float]]:
    """Train ``model`` for ``epochs`` passes over the data; return the per-epoch history.

    Each batch (see :func:`nn.batches`) takes one step: forward on its samples,
    ``loss_fn(predictions, targets)``, ``zero_grad``, ``backward``, ``optimizer.step()``.
    ``lr_schedule(epoch)``, if given, sets ``optimizer.lr`` before each epoch (epochs count
    from 0). A tqdm bar shows the running loss unless ``progress=False``. ``view`` (a
    :class:`nn.TrainingView`, or True for a default one) is given each step's batch loss,
    accuracy and learning rate (:meth:`~nn.TrainingView.record_batch`), and the epoch
    counted from 1, and draws the model as it learns.

    Training needs gradients, so ``fit`` inside ``engine.no_grad()`` raises
    ``RuntimeError`` before any step (as PyTorch's ``backward`` raises when the loss has no
    graph), instead of running epochs that change nothing. Every argument is checked
    first; ``inputs`` and ``targets`` may be lists or NumPy arrays, counts NumPy integers.
    Every number in them must be finite (a sample is a number, a Value or a list of them):
    an error names its place in your lists, such as ``fit: inputs[3][1]``, with
    ``compile`` True or False; an error of the model or of ``loss_fn`` names the samples of
    the batch it happened in (``fit: epoch 0, the batch of samples [8, 9] ...``).
    ``shuffle``, ``progress`` and ``compile`` must be True or False, and ``correct`` must
    return True or False (NumPy's bool too), not a truthy stand-in such as ``"no"``.

    With ``compile=True`` each step runs the code :func:`engine.compile` generated for the
    loss of a batch (one per batch size): the same losses and gradients, to the last bit,
    many times faster. No accuracy is recorded then (the compiled step returns only the
    loss). It pays off when the batch's graph repeats: whole numbers among the targets (class
    indices) and checks of the targets' values are part of the graph, so batches whose
    labels differ are traced again, and after many retraces the step falls back to the
    normal engine. ``loss_fn`` itself runs only when a batch is traced: a print or a log
    inside it happens then, not at every step.

    Returns:
        ``{"loss": [...], "accuracy": [...]}``, one entry per epoch: the mean loss over the
        epoch's samples and the fraction that ``correct(prediction, target)`` accepted,
        both measured on the predictions made before each batch's step (no accuracy entry
        when ``correct`` is None).

    Examples:
        >>> from nn import MLP, SGD, hinge_loss
        >>> X, y = [[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]], [1, 1, -1, -1]
        >>> model = MLP(2, [4, 1], seed=0)
        >>> history = fit(model, X, y, hinge_loss, SGD(model.parameters(), lr=0.1),
        ...               epochs=30, seed=0, progress=False)
        >>> history["loss"][-1] < history["loss"][0], history["accuracy"][-1]
        (True, 1.0)
    """
    inputs, targets = _check_fit_arguments(model, inputs, targets, loss_fn, optimizer,
                                           lr_schedule, correct)
    epochs = args.whole(epochs, "fit: epochs", low=1)
    if batch_size is not None:
        batch_size = args.whole(batch_size, "fit: batch_size", low=1)
    shuffle = args.flag(shuffle, "fit: shuffle")
    compile = args.flag(compile, "fit: compile")
    progress = args.flag(progress, "fit: progress")
    for i, x in enumerate(inputs):
        _check_entry(x, f"fit: inputs[{i}]")
    for i, t in enumerate(targets):
        _check_entry(t, f"fit: targets[{i}]")
    seed = args.seed(seed, "fit: seed")
    rng = random.Random(seed)
    history: dict[str, list[float]] = {"loss": []}
    if correct is not None and not compile:
        history["accuracy"] = []
    live = attach(view, model, inputs, targets, loss_fn)
    steps: dict[int, Any] = {}   # compiled steps, by batch size
    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress)
    with collector_paused():
        for epoch in bar:
            if lr_schedule is not None:
                optimizer.lr = _scheduled_lr(lr_schedule, epoch)
            loss_sum, right, seen = 0.0, 0, 0
            for batch in batches(len(inputs), batch_size, shuffle, seed=rng.randrange(2**63)):
                xs, wanted = [inputs[i] for i in batch], [targets[i] for i in batch]
                shown = ", ".join(map(str, batch[:8])) + (
                    f", ... ({len(batch)} samples)" if len(batch) > 8 else "")
                # An error of the model or the loss names the batch's samples: the loss
                # counts rows of the (shuffled) batch, the user counts places in the lists.
                with prefixed(f"fit: epoch {epoch}, the batch of samples [{shown}] (its row k "
                              f"is the k-th of these)",
                              (ArithmeticError, ValueError, TypeError)):
                    if compile:
                        if len(batch) not in steps:
                            steps[len(batch)] = engine.compile(
                                lambda xb, tb: _loss(loss_fn, [model(x) for x in xb], tb), xs,
                                wanted)
                        optimizer.zero_grad()
                        loss_value = steps[len(batch)](xs, wanted)
                    else:
                        preds = [model(x) for x in xs]
                        loss = _loss(loss_fn, preds, wanted)
                        optimizer.zero_grad()
                        loss.backward()
                        loss_value = loss.data
                optimizer.step()
                loss_sum += loss_value * len(batch)
                seen += len(batch)
                judged: int | None = None
                if correct is not None and not compile:
                    judged = sum(_judged(correct(p, t)) for p, t in zip(preds, wanted))
                    right += judged
                bar.set_postfix(loss=f"{loss_sum / seen:.4f}", refresh=False)
                if live is not None:   # epochs from 1, as the bar counts them
                    live.record_batch(loss_value, len(batch), right=judged, epoch=epoch + 1,
                                      lr=optimizer.lr)
            history["loss"].append(loss_sum / seen)
            if correct is not None and not compile:
                history["accuracy"].append(right / seen)
                bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{right / seen:.0%}")
    bar.close()
    if live is not None:
        live.finish()
    return history


def _check_fit_arguments(model: Any, inputs: Any, targets: Any, loss_fn: Any,
                         optimizer: Any, lr_schedule: Any,
                         correct: Any) -> tuple[list[Any], list[Any]]:
    """The arguments fit cannot start without, checked; inputs and targets as lists."""
    if not is_grad_enabled():
        raise RuntimeError("fit: gradients are disabled (fit was called inside "
                           "engine.no_grad()), so there is nothing to train; call fit "
                           "outside the no_grad block")
    args.function(model, "fit: model")
    args.function(loss_fn, "fit: loss_fn")
    for name, fn in (("lr_schedule", lr_schedule), ("correct", correct)):
        if fn is not None:
            args.function(fn, f"fit: {name}")
    args.instance(optimizer, "fit: optimizer", Optimizer)
    xs = args.items(inputs, "fit: inputs", kind="a list (or array) of samples", empty=True)
    ts = args.items(targets, "fit: targets", kind="a list (or array) of samples", empty=True)
    if len(xs) != len(ts):
        raise ValueError(f"fit: targets must have one entry per input ({len(xs)}), got "
                         f"{len(ts)}")
    if not xs:
        raise ValueError("fit: inputs must hold at least one sample to train on, got none")
    return xs, ts


def _check_entry(x: Any, where: str) -> None:
    """A sample: a finite number, a Value, or a list (or array) of them, to any depth:
    checked once before training, so that an error names the place in the user's lists
    (not in a shuffled batch) whether or not the steps are compiled."""
    if (type(x) is float and math.isfinite(x)) or isinstance(x, Value):
        return
    if args.is_number(x):
        args.real(x, where)   # raises for nan, ±inf and ints too large for a float
        return
    if getattr(x, "ndim", 0) >= 1 and hasattr(x, "tolist"):  # a NumPy array
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        for j, item in enumerate(x):
            _check_entry(item, f"{where}[{j}]")
        return
    kind = ("a number, a Value or a list of them" if isinstance(x, Iterable)
            and not isinstance(x, (str, bytes)) else "a number or a Value")
    raise TypeError(f"{where} must be {kind}, got {args.describe(x)}")


def _judged(verdict: Any) -> bool:
    """What ``correct`` returned, as a bool: True or False (NumPy's too), nothing else."""
    return verdict if type(verdict) is bool else args.flag(verdict, "fit: correct's result")


def _scheduled_lr(lr_schedule: Callable[[int], float], epoch: int) -> float:
    return args.real(lr_schedule(epoch), f"fit: the learning rate lr_schedule({epoch}) returned",
                     low=0)
