"""Train a small MLP on the two-moons data and draw what it learned.

Run it with ``python -m nn.demo --out DIR`` (``make demo`` writes to ``demo-output``). It
repeats micrograd's classic demo with stepgrad: 100 points in two interleaving half-moons
(scikit-learn's ``make_moons``, noise 0.1), an ``MLP(2, [16, 16, 1])`` scoring each point,
the max-margin (hinge) loss with an L2 penalty of 1e-4·Σw², and 100 steps of full-batch
gradient descent with the learning rate falling from 1.0 to 0.1. It prints the loss and the
accuracy, and writes into DIR:

- ``decision_boundary.png``: the plane coloured by the model's decision, with the data;
- ``training.png``: loss and accuracy per step (the loss only with ``--compile``);
- ``neuron.svg``: the computation graph of one trained neuron for one sample, with the
  gradients of its output, as drawn by ``engine.draw_dot``.

scikit-learn and matplotlib come with the ``demo`` extra: ``pip install -e ".[demo]"``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from engine import Value, args, no_grad
from nn.layers import MLP, Neuron
from nn.losses import hinge_loss
from nn.optim import SGD
from nn.train import fit
from nn.viz.palette import NEGATIVE, POSITIVE

__all__ = ["main", "two_moons", "train"]

STEPS = 100
FAST_STEPS = 20
ALPHA = 1e-4  # weight of the L2 penalty α·Σw²
SEED = 1337

INSTALL_HINT = (
    "The demo needs scikit-learn and matplotlib (the 'demo' extra). Install them with:\n"
    "    .venv/bin/python -m pip install -e '.[demo]'      (in a clone of the repository)\n"
    "    pip install 'stepgrad[demo]'                      (otherwise)"
)


def two_moons(seed: int = SEED) -> tuple[list[list[float]], list[int]]:
    """100 points of scikit-learn's ``make_moons`` (noise 0.1), labels as −1 and +1.

    ``seed`` is a whole number in 0 … 2**32 − 1 (what ``make_moons`` takes).
    """
    seed = args.whole(seed, "two_moons: seed", low=0, high=SEED_LIMIT - 1)
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=100, noise=0.1, random_state=seed)
    return X.tolist(), [2 * int(label) - 1 for label in y]


def train(X: list[list[float]], y: list[int], steps: int = STEPS, seed: int = SEED,
          progress: bool = True, compile: bool = False) -> tuple[MLP, dict[str, list[float]]]:
    """micrograd's recipe: full-batch SGD on hinge loss + α·Σw², lr from 1.0 to 0.1.

    With ``compile=True`` every step runs the code ``engine.compile`` generated from the
    first one (the same numbers, to the last bit; no accuracy per step is recorded then).
    """
    model = MLP(2, [16, 16, 1], seed=seed)
    params = model.parameters()

    def loss_fn(scores: list[Value], targets: list[int]) -> Value:
        return hinge_loss(scores, targets) + ALPHA * sum(p * p for p in params)

    # shuffle=False: the full batch in the data's order, as micrograd sums it (a shuffled
    # order would change the sums' last bits from run to run).
    history = fit(model, X, y, loss_fn, SGD(params, lr=1.0), epochs=steps, shuffle=False,
                  lr_schedule=lambda step: 1.0 - 0.9 * step / steps, progress=progress,
                  compile=compile)
    return model, history


def _score(model: MLP, x: list[float]) -> Value:
    return cast(Value, model(x))  # one output neuron: a Value, not a list


def _evaluate(model: MLP, X: list[list[float]], y: list[int]) -> tuple[float, int]:
    with no_grad():
        scores = [_score(model, x) for x in X]
        loss = hinge_loss(scores, y) + ALPHA * sum(p * p for p in model.parameters())
    right = sum((s.data > 0) == (t > 0) for s, t in zip(scores, y))
    return loss.data, right


def _plot_boundary(plt: Any, model: MLP, X: list[list[float]], y: list[int],
                   accuracy: float, path: Path) -> None:
    import numpy as np

    xs, ys = np.array(X), np.array(y)
    gx = np.linspace(xs[:, 0].min() - 0.5, xs[:, 0].max() + 0.5, 70)
    gy = np.linspace(xs[:, 1].min() - 0.5, xs[:, 1].max() + 0.5, 50)
    with no_grad():
        scores = np.array([[_score(model, [a, b]).data for a in gx.tolist()]
                           for b in gy.tolist()])
    fig, ax = plt.subplots(figsize=(6, 4.5))
    # The palette of every picture: blue for a positive score and class +1, orange for -1.
    ax.contourf(gx, gy, scores > 0, levels=[-0.5, 0.5, 1.5], colors=[NEGATIVE, POSITIVE],
                alpha=0.25)
    ax.contour(gx, gy, scores, levels=[0.0], colors="k", linewidths=1)
    for label, color, marker, name in ((-1, NEGATIVE, "o", "orange"),
                                       (1, POSITIVE, "s", "blue")):
        pts = xs[ys == label]
        ax.scatter(pts[:, 0], pts[:, 1], c=color, marker=marker, s=22, edgecolors="k",
                   linewidths=0.5, label=f"class {label:+d} ({name})")
    ax.set_title(f"MLP(2, [16, 16, 1]) on two moons: accuracy {accuracy:.0%}")
    ax.set_xlabel("x₀")
    ax.set_ylabel("x₁")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_history(plt: Any, history: dict[str, list[float]], path: Path) -> None:
    steps = range(1, len(history["loss"]) + 1)
    panels = [("loss (hinge + L2)", history["loss"], "#1f77b4")]
    if "accuracy" in history:   # (a compiled run records the loss only)
        panels.append(("accuracy", history["accuracy"], "#2ca02c"))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.5), squeeze=False)
    for ax, (title, values, color) in zip(axes[0], panels):
        ax.plot(steps, values, color=color)
        ax.set_title(title)
        ax.set_xlabel("step")
        if title == "accuracy":
            ax.set_ylim(0, 1.05)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _neuron_graph(model: MLP, x: list[float]) -> Any:
    """The graph of one first-layer neuron (a copy, with named nodes) on sample ``x``."""
    from engine.viz.draw import draw_dot

    first = model.layers[0].neurons
    # A neuron whose relu is active on x, so that every gradient in the picture is non-zero.
    index = next((k for k, n in enumerate(first) if n(x).data > 0), 0)
    neuron = Neuron(2, activation=first[index].activation)
    neuron.load_state_dict(first[index].state_dict())
    for k, w in enumerate(neuron.w):
        w.label = f"w{k}"
    neuron.b.label = "b"
    inputs = [Value(v, label=f"x{k}") for k, v in enumerate(x)]
    a = neuron(inputs)
    a.label = "a"
    z = a.inputs[0]
    z.label = "z"
    # z = ((b + w0·x0) + w1·x1): walk the sums back to name the products.
    node = z
    for k in reversed(range(len(inputs))):
        partial, product = node.inputs
        product.label = f"w{k}·x{k}"
        if k > 0:
            partial.label = "b + " + " + ".join(f"w{i}·x{i}" for i in range(k))
        node = partial
    a.backward()
    return draw_dot(a, rankdir="LR")


SEED_LIMIT = 2**32  # make_moons's random_state takes 0 .. 2**32 - 1


def _seed(text: str) -> int:
    """``--seed``: a whole number that make_moons accepts (argparse shows the error)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"must be a whole number in 0..{SEED_LIMIT - 1}, "
                                         f"got {text!r}")
    return value


def _make_folder(parser: argparse.ArgumentParser, out: Path) -> None:
    """Create ``--out`` (and its parents), or stop with argparse's error (exit status 2)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as err:   # ValueError: a NUL byte in the path
        if out.exists() and not out.is_dir():
            reason = "a file of that name exists"
        else:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        parser.error(f"cannot create the output folder {out}: {reason}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; returns the process exit code.

    ``argv`` are the command's arguments (``None``: ``sys.argv[1:]``). A bad argument (a
    ``--seed`` outside 0..2**32 − 1, an ``--out`` folder that cannot be created) stops it
    as argparse does: a usage line and one error line on stderr, and ``SystemExit(2)``.
    It returns 1 when scikit-learn or matplotlib is missing, after saying how to install
    them, and 0 once the pictures are written.

    Examples:
        >>> import contextlib, io
        >>> with contextlib.redirect_stderr(io.StringIO()) as err:
        ...     try:
        ...         main(["--seed", "-1"])
        ...     except SystemExit as stop:
        ...         print("exit status", stop.code)
        exit status 2
        >>> print(err.getvalue().splitlines()[-1])
        python -m nn.demo: error: argument --seed: must be a whole number in 0..4294967295, got '-1'
    """
    parser = argparse.ArgumentParser(
        prog="python -m nn.demo",
        description="Train MLP(2, [16, 16, 1]) on two moons with stepgrad and draw it.")
    parser.add_argument("--out", default="demo-output", help="output folder (created)")
    parser.add_argument("--fast", action="store_true",
                        help=f"{FAST_STEPS} steps instead of {STEPS} (a quick check)")
    parser.add_argument("--seed", type=_seed, default=SEED,
                        help=f"seed of the data and of the initial weights, in "
                             f"0..{SEED_LIMIT - 1}")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--compile", action="store_true",
                        help="run each step as the code engine.compile generates (the same "
                             "numbers, faster; the accuracy per step is not recorded)")
    options = parser.parse_args(argv)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import sklearn  # noqa: F401
    except ImportError as err:
        print(f"{err}\n{INSTALL_HINT}", file=sys.stderr)
        return 1

    out = Path(options.out)
    _make_folder(parser, out)
    steps = FAST_STEPS if options.fast else STEPS
    X, y = two_moons(options.seed)
    print(f"two moons: {len(X)} samples, noise 0.1; model MLP(2, [16, 16, 1])")
    print(f"training: {steps} steps of full-batch SGD, lr 1.0 -> 0.1, "
          f"loss = hinge + {ALPHA:g}·Σw²" + (", compiled by engine.compile" if options.compile
                                            else ""))
    start = time.perf_counter()
    model, history = train(X, y, steps=steps, seed=options.seed, progress=not options.no_progress,
                           compile=options.compile)
    seconds = time.perf_counter() - start
    loss, right = _evaluate(model, X, y)
    accuracy = right / len(X)
    print(f"final loss {loss:.4f}, accuracy {accuracy:.0%} ({right}/{len(X)}); "
          f"{len(model.parameters())} parameters trained in {seconds:.1f} s")

    written = []
    _plot_boundary(plt, model, X, y, accuracy, out / "decision_boundary.png")
    written.append("decision_boundary.png")
    _plot_history(plt, history, out / "training.png")
    written.append("training.png")
    dot = _neuron_graph(model, X[0])
    try:
        (out / "neuron.svg").write_bytes(dot.pipe(format="svg"))
        written.append("neuron.svg")
    except Exception as err:  # no Graphviz `dot` program: keep the source instead
        (out / "neuron.gv").write_text(dot.source, encoding="utf-8")
        written.append("neuron.gv")
        print(f"could not render neuron.svg ({err}); wrote its Graphviz source instead",
              file=sys.stderr)
    print("wrote " + ", ".join(written) + " to:")
    print(out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
