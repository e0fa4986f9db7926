"""How much the live TrainingView slows training down, at its default refresh.

    .venv/bin/python benchmarks/view_overhead.py              # about a minute
    .venv/bin/python benchmarks/view_overhead.py --epochs 60 --repeats 5

The workload is micrograd's demo as ``nn.demo`` trains it: ``MLP(2, [16, 16, 1])`` on 100
two-moons points, hinge loss + 1e-4·Σw², full-batch SGD (one step per epoch). Each repeat
trains a fresh model (same seed) twice, once with ``fit(...)`` alone and once with
``fit(..., view=TrainingView(..., live=True))``; the order alternates between repeats so
that load on a shared machine falls on both alike. The view draws its picture exactly as in
Jupyter (matplotlib to PNG); outside Jupyter it keeps the PNG instead of sending it to the
notebook, which costs next to nothing. matplotlib is imported before timing, as a notebook
that plots has it already. The script prints the median time of each and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matplotlib.figure  # noqa: F401  (imported before timing, see above)

from engine import Value
from nn import MLP, SGD, TrainingView, fit, hinge_loss
from nn.demo import ALPHA, SEED, two_moons


def run(X: list[list[float]], y: list[int], epochs: int, with_view: bool
        ) -> tuple[float, int]:
    model = MLP(2, [16, 16, 1], seed=SEED)
    params = model.parameters()

    def loss_fn(scores: list[Value], targets: list[int]) -> Value:
        return hinge_loss(scores, targets) + ALPHA * sum(p * p for p in params)

    view = TrainingView(model, X, y, live=True) if with_view else None
    start = time.perf_counter()
    fit(model, X, y, loss_fn, SGD(params, lr=1.0), epochs=epochs, progress=False,
        lr_schedule=lambda e: 1.0 - 0.9 * e / epochs, view=view)
    seconds = time.perf_counter() - start
    redraws = 0 if view is None else view.redraws
    return seconds, redraws


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    X, y = two_moons()
    plain: list[float] = []
    viewed: list[float] = []
    redraws: list[int] = []
    for r in range(args.repeats):
        order = (False, True) if r % 2 == 0 else (True, False)
        for with_view in order:
            seconds, drawn = run(X, y, args.epochs, with_view)
            (viewed if with_view else plain).append(seconds)
            if with_view:
                redraws.append(drawn)
            print(f"repeat {r + 1}: {'with view' if with_view else 'plain    '} "
                  f"{seconds:6.2f} s" + (f"  ({drawn} redraws)" if with_view else ""),
                  flush=True)
    a, b = statistics.median(plain), statistics.median(viewed)
    print(f"\n{args.epochs} steps, {args.repeats} repeats, medians: plain {a:.2f} s, "
          f"with the live view {b:.2f} s ({statistics.median(redraws):.0f} redraws)")
    print(f"slowdown: x{b / a:.3f} ({100 * (b / a - 1):+.1f}%)")


if __name__ == "__main__":
    main()
