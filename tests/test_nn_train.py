"""fit: the same numbers as the hand-written loop, a falling loss, a progress bar."""

from __future__ import annotations

import gc
import math

import pytest

from engine import Value, no_grad
from nn import MLP, SGD, Adam, batches, cross_entropy, fit, hinge_loss, mse_loss
from nn.train import default_correct

# Two separable blobs, labels ±1.
X = [[1.0, 1.2], [0.8, 1.5], [1.4, 0.9], [-1.1, -0.8], [-0.7, -1.3], [-1.2, -1.0],
     [0.9, -0.2], [-0.3, 1.1]]
Y = [1, 1, 1, -1, -1, -1, 1, -1]


def test_fit_reduces_the_loss_and_learns_the_data() -> None:
    model = MLP(2, [8, 1], seed=0)
    history = fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.05, momentum=0.9),
                  epochs=25, batch_size=4, seed=0, progress=False)
    assert len(history["loss"]) == len(history["accuracy"]) == 25
    assert history["loss"][-1] < 0.25 * history["loss"][0]
    assert history["accuracy"][-1] == 1.0
    scores = [model(x) for x in X]
    assert hinge_loss(scores, Y).data < 0.25 * history["loss"][0]
    assert all(default_correct(s, y) for s, y in zip(scores, Y))


def test_fit_takes_the_same_steps_as_the_hand_written_loop() -> None:
    def schedule(epoch: int) -> float:
        return 0.1 / (1 + epoch)

    model = MLP(2, [4, 1], seed=3)
    history = fit(model, X, Y, mse_loss, SGD(model.parameters(), lr=1.0), epochs=4,
                  batch_size=3, shuffle=False, lr_schedule=schedule, progress=False)

    twin = MLP(2, [4, 1], seed=3)
    opt = SGD(twin.parameters(), lr=1.0)
    losses, accuracies = [], []
    for epoch in range(4):
        opt.lr = schedule(epoch)
        total, right = 0.0, 0
        for batch in batches(len(X), 3, shuffle=False):
            preds = [twin(X[i]) for i in batch]
            loss = mse_loss(preds, [Y[i] for i in batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.data * len(batch)
            right += sum((p.data > 0) == (Y[i] > 0) for p, i in zip(preds, batch))
        losses.append(total / len(X))
        accuracies.append(right / len(X))
    assert history == {"loss": losses, "accuracy": accuracies}
    assert model.state_dict() == twin.state_dict()


def test_fit_is_reproducible_with_a_seed_and_shuffles_between_epochs() -> None:
    def run(seed: int) -> tuple[dict[str, list[float]], dict[str, float]]:
        model = MLP(2, [4, 1], seed=1)
        h = fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.1), epochs=3,
                batch_size=1, seed=seed, progress=False)
        return h, model.state_dict()

    assert run(5) == run(5)
    assert run(5)[1] != run(6)[1]


def test_full_batch_takes_one_step_per_epoch() -> None:
    steps = []

    class CountingSGD(SGD):
        def step(self) -> None:
            steps.append(1)
            super().step()

    model = MLP(2, [2, 1], seed=0)
    fit(model, X, Y, hinge_loss, CountingSGD(model.parameters(), lr=0.1), epochs=3,
        progress=False)
    assert len(steps) == 3
    fit(model, X, Y, hinge_loss, CountingSGD(model.parameters(), lr=0.1), epochs=2,
        batch_size=3, progress=False)
    assert len(steps) == 3 + 2 * 3


def test_fit_with_several_outputs_uses_argmax_accuracy() -> None:
    classes = [0 if y > 0 else 1 for y in Y]
    model = MLP(2, [8, 2], seed=2)
    history = fit(model, X, classes, cross_entropy, Adam(model.parameters(), lr=0.05),
                  epochs=30, seed=0, progress=False)
    assert history["loss"][-1] < 0.25 * history["loss"][0]
    assert history["accuracy"][-1] == 1.0


def test_without_correct_there_is_no_accuracy() -> None:
    model = MLP(2, [2, 1], seed=0)
    history = fit(model, X, Y, mse_loss, SGD(model.parameters(), lr=0.01), epochs=2,
                  correct=None, progress=False)
    assert list(history) == ["loss"] and len(history["loss"]) == 2


def test_progress_bar_shows_the_running_loss(capsys: pytest.CaptureFixture[str]) -> None:
    model = MLP(2, [2, 1], seed=0)
    fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.01), epochs=2)
    err = capsys.readouterr().err
    assert "2/2" in err and "loss=" in err and "acc=" in err
    fit(model, X, Y, hinge_loss, SGD(model.parameters(), lr=0.01), epochs=2, progress=False)
    assert capsys.readouterr().err == ""


def test_the_cycle_collector_is_restored_even_after_an_error() -> None:
    assert gc.isenabled()
    model = MLP(2, [2, 1], seed=0)

    def broken(preds: list[Value], targets: list[int]) -> Value:
        raise RuntimeError("broken loss")

    with pytest.raises(RuntimeError, match="broken loss"):
        fit(model, X, Y, broken, SGD(model.parameters(), lr=0.1), progress=False)
    assert gc.isenabled()


def test_inputs_and_targets_must_pair_up() -> None:
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"^fit: targets must have one entry per input \(8\), "
                                         r"got 3$"):
        fit(model, X, Y[:3], hinge_loss, SGD(model.parameters(), lr=0.1), progress=False)


def _args(**kwargs: object) -> dict[str, object]:
    model = MLP(2, [2, 1], seed=0)
    args: dict[str, object] = {"model": model, "inputs": X, "targets": Y,
                               "loss_fn": hinge_loss,
                               "optimizer": SGD(model.parameters(), lr=0.1),
                               "progress": False}
    args.update(kwargs)
    return args


# (Which check each argument gets is tests/test_entry_points.py; these are what fit finds
# only as it runs: what the user's functions return, and data that cannot be trained on.)
@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"inputs": [], "targets": []}, ValueError,
     "fit: inputs must hold at least one sample to train on, got none"),
    ({"epochs": 0}, ValueError, "fit: epochs must be a whole number >= 1, got 0"),
    ({"optimizer": None}, TypeError, "fit: optimizer must be an Optimizer, got None"),
    ({"loss_fn": lambda p, t: 1.0}, TypeError,
     r"fit: loss_fn's result \(the loss\) must be a Value, got float 1.0"),
    ({"loss_fn": lambda p, t: 1.0, "compile": True}, TypeError,
     r"fit: loss_fn's result \(the loss\) must be a Value, got float 1.0"),
    ({"lr_schedule": lambda e: math.nan}, ValueError,
     r"fit: the learning rate lr_schedule\(0\) returned must be a finite number >= 0, got nan"),
    ({"lr_schedule": lambda e: -1.0}, ValueError,
     r"fit: the learning rate lr_schedule\(0\) returned must be .* >= 0, got -1.0"),
    ({"lr_schedule": lambda e: None}, TypeError,
     r"fit: the learning rate lr_schedule\(0\) returned must be a finite number >= 0, got "
     r"None"),
])
def test_fit_refuses_before_changing_the_model(kwargs: dict[str, object], error: type[Exception],
                                         message: str) -> None:
    args = _args(**kwargs)
    model = _args()["model"] if args["model"] is None else args["model"]
    before = model.state_dict()  # type: ignore[attr-defined]
    with pytest.raises(error, match=message):
        fit(**args)  # type: ignore[arg-type]
    assert model.state_dict() == before  # type: ignore[attr-defined]


def test_fit_inside_no_grad_raises_instead_of_training_nothing() -> None:
    args = _args()
    with no_grad(), pytest.raises(RuntimeError, match="fit: gradients are disabled"):
        fit(**args)  # type: ignore[arg-type]


def test_fit_accepts_numpy_arrays_and_numbers() -> None:
    np = pytest.importorskip("numpy")
    a = _args(inputs=np.array(X), targets=np.array(Y, dtype=np.float64),
              epochs=np.int64(3), batch_size=np.int64(4), seed=np.int64(1))
    b = _args(epochs=3, batch_size=4, seed=1)
    assert fit(**a) == fit(**b)  # type: ignore[arg-type]
    assert a["model"].state_dict() == b["model"].state_dict()  # type: ignore[attr-defined]
