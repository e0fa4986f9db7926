"""How much the live TrainingView slows training down, at its default refresh.

    .venv/bin/python benchmarks/view_overhead.py                  # ~2-3 s runs, about 30 s
    .venv/bin/python benchmarks/view_overhead.py --epochs 120 --repeats 3   # ~10 s runs

The workload is micrograd's demo as ``nn.demo`` trains it: ``MLP(2, [16, 16, 1])`` on 100
two-moons points, hinge loss + 1e-4·Σw², full-batch SGD (one step per epoch; about 0.08 s a
step on a shared 2-core machine, so 30 epochs train for about 2.5 s and 120 for about 10 s).
Each repeat trains a fresh model (same seed) twice, once with ``fit(...)`` alone and once
with ``fit(..., view=TrainingView(..., live=True))``; the order alternates between repeats so
that load on a shared machine falls on both alike. The view draws its picture exactly as in
Jupyter (matplotlib to PNG); outside Jupyter it keeps the PNG instead of sending it to the
notebook, which costs next to nothing. matplotlib is imported before timing, as a notebook
that plots has it already; building the view's figure happens inside the timed ``fit`` (the
view builds it at its first drawing).

The view draws the first step at once and the last at the end whatever they cost (the
first builds the figure); its budget (10% of the training time) covers the redraws between
them. So a short training pays a fixed cost of a few tenths of a second on top of the
budget, and a long one tends to the budget.

Both the wall-clock time and the process's CPU time are measured: the view runs in the same
process as the training, so on a machine loaded by other work the CPU time is the steadier
measure of what it costs. The script prints the median of each and the ratios of the
medians, and the view's own account of what it spent (drawing, figure included, and
recording) as a share of the training time it measured.
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
        ) -> tuple[float, float, int, float]:
    """Train once; return wall seconds, CPU seconds, redraws and the view's own share."""
    model = MLP(2, [16, 16, 1], seed=SEED)
    params = model.parameters()

    def loss_fn(scores: list[Value], targets: list[int]) -> Value:
        return hinge_loss(scores, targets) + ALPHA * sum(p * p for p in params)

    view = TrainingView(model, X, y, live=True) if with_view else None
    wall, cpu = time.perf_counter(), time.process_time()
    fit(model, X, y, loss_fn, SGD(params, lr=1.0), epochs=epochs, shuffle=False, progress=False,
        lr_schedule=lambda e: 1.0 - 0.9 * e / epochs, view=view)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if view is None:
        return wall, cpu, 0, 0.0
    own = view._draw_time + view._record_time
    return wall, cpu, view.redraws, own / max(wall - own, 1e-9)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    X, y = two_moons()
    plain: list[tuple[float, float]] = []
    viewed: list[tuple[float, float]] = []
    redraws: list[int] = []
    shares: list[float] = []
    for r in range(args.repeats):
        order = (False, True) if r % 2 == 0 else (True, False)
        for with_view in order:
            wall, cpu, drawn, share = run(X, y, args.epochs, with_view)
            (viewed if with_view else plain).append((wall, cpu))
            if with_view:
                redraws.append(drawn)
                shares.append(share)
            print(f"repeat {r + 1}: {'with view' if with_view else 'plain    '} "
                  f"{wall:6.2f} s wall {cpu:6.2f} s CPU"
                  + (f"  ({drawn} redraws, view's own account {100 * share:.1f}%)"
                     if with_view else ""), flush=True)
    a_wall, a_cpu = (statistics.median(t[i] for t in plain) for i in (0, 1))
    b_wall, b_cpu = (statistics.median(t[i] for t in viewed) for i in (0, 1))
    print(f"\n{args.epochs} steps, {args.repeats} repeats, medians: plain {a_wall:.2f} s wall "
          f"/ {a_cpu:.2f} s CPU, with the live view {b_wall:.2f} s wall / {b_cpu:.2f} s CPU "
          f"({statistics.median(redraws):.0f} redraws)")
    print(f"slowdown, wall: x{b_wall / a_wall:.3f} ({100 * (b_wall / a_wall - 1):+.1f}%)")
    print(f"slowdown, CPU:  x{b_cpu / a_cpu:.3f} ({100 * (b_cpu / a_cpu - 1):+.1f}%)")
    print(f"the view's own account (median): {100 * statistics.median(shares):.1f}% of "
          f"the training time")


if __name__ == "__main__":
    main()
