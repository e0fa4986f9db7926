"""The interpreted moons step against micrograd's, in interleaved pairs of fresh processes.

Each pair starts two new Python processes one after the other, stepgrad's first, then
micrograd's; each builds the benchmark's moons model (``workloads.py``: the same data, the
same initial weights), takes one warm-up step and prints the median time of the next three
steps (forward, backward, update; the garbage collector on). A pair's ratio is micrograd's
time over stepgrad's, measured minutes apart at most on the same machine; the median over
the pairs is the figure quoted for "the interpreted step against micrograd". A fresh process
per measurement matters: how much Python's cycle collector costs a step depends on where
its periodic full collections fall, which drifts from step to step within one process.

Usage (from the repository root, after ``make bench`` installed micrograd and scikit-learn)::

    .venv/bin/python benchmarks/pairs.py --pairs 9
    .venv/bin/python benchmarks/pairs.py --pairs 9 --no-gc   # the cycle collector paused

``--no-gc`` pauses Python's cycle collector in both processes for the timed steps (as
``nn.fit`` does while it trains): what is left is the engines' own work.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

ENGINES = ("stepgrad", "micrograd")


def one(engine: str, data: tuple[list[list[float]], list[float]], collector: bool = True
        ) -> float:
    """In this process: the median of three moons steps of ``engine`` after a warm-up (with
    Python's cycle collector paused for them unless ``collector``)."""
    import gc

    import workloads as W

    eng: W.Stepgrad | W.Micrograd = W.Stepgrad() if engine == "stepgrad" else W.Micrograd()
    model = eng.model(W.initial_parameters())
    X, ys = data

    def step() -> float:
        start = time.perf_counter()
        loss = eng.forward(model, X, ys)
        eng.backward(model, loss)
        eng.update(model, 0.01)
        del loss
        return time.perf_counter() - start

    was_collecting = gc.isenabled()
    if not collector:
        gc.disable()
    try:
        step()
        return statistics.median(step() for _ in range(3))
    finally:
        if was_collecting:
            gc.enable()


def pair(data_json: str, collector: bool = True) -> tuple[float, float]:
    """(stepgrad's, micrograd's) median step, each in a fresh process."""
    times = []
    for engine in ENGINES:
        done = subprocess.run([sys.executable, __file__, "--one", engine,
                               *([] if collector else ["--no-gc"])], input=data_json,
                              capture_output=True, text=True, check=True)
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return times[0], times[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=9, help="how many pairs (default 9)")
    parser.add_argument("--no-gc", action="store_true",
                        help="pause Python's cycle collector for the timed steps")
    parser.add_argument("--one", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(one(args.one, json.load(sys.stdin), collector=not args.no_gc))
        return 0
    if args.pairs < 1:
        parser.error(f"--pairs must be at least 1, got {args.pairs}")
    import workloads as W

    data_json = json.dumps(W.moons_data())
    ratios = []
    for i in range(args.pairs):
        s, m = pair(data_json, collector=not args.no_gc)
        ratios.append(m / s)
        print(f"pair {i + 1}: stepgrad {s:.3f} s, micrograd {m:.3f} s, "
              f"micrograd ÷ stepgrad {m / s:.2f}", flush=True)
    print(f"median of {len(ratios)} pairs: {statistics.median(ratios):.2f}× "
          f"({min(ratios):.2f}× to {max(ratios):.2f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
