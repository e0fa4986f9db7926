"""stepgrad's benchmark: every engine, every workload, side by side in one run.

    .venv/bin/pip install -r benchmarks/requirements.txt
    .venv/bin/python benchmarks/run.py            # about 4 minutes, written to results/
    .venv/bin/python benchmarks/run.py --quick    # under a minute: smaller, indicative

Engines (see workloads.py): stepgrad; micrograd 0.1.0 as published; PyTorch on one CPU
thread with 0-d float64 tensors built scalar by scalar; and the same arithmetic by hand on
Python floats with no graph, the limit for pure Python.

Workloads:
  digits      scikit-learn's digits trained with the compiled step (MLP(64, [32, 10]),
              cross-entropy, Adam) to its held-out accuracy; the interpreted engine's time
              for the same training extrapolated from its own steps.
  fit_compiled  nn.fit on the moons with int 0/1 labels and mini-batches of 16, compiled
              and not, in turns (the compiled run's traces included).
  moons_step_compiled  the same step compiled once by engine.compile, timed in one process
              in turn with the interpreted step and the floats step (the compiled and
              floats steps timed back to back, as a training loop runs them, and also
              right after the interpreted step); with the compile cost (median of three).
  moons_step  one step of micrograd's demo: MLP(2, [16, 16, 1]), 100 two-moons samples,
              max-margin loss + 1e-4·L2, full batch; forward, zero_grad + backward, SGD.
  chain       y = y·1.0001 + 0.0001 repeated N times (2 nodes per link), then backward;
              also the deepest N each engine survives with the default recursion limit.
  wide        the sum (pairwise, depth log₂ n) of 100,000 products of leaf pairs, backward.
  memory      bytes per node of a 100,000-node graph kept alive, and the peak of one
              moons step (tracemalloc; for torch, whose nodes live in C++, the growth of
              the process's resident memory, and no peak).

Each engine runs each workload in a fresh interpreter (so that no engine pays for another's
objects in the garbage collector: the data comes on standard input, so no worker even
imports scikit-learn), with the garbage collector enabled, as users have it. moons_step
runs in rounds, the engines taking turns, so that a burst of load on a shared machine falls
on all of them alike. Results are checked equal (first moons step: loss and all 337
gradients within 1e-9 relative of micrograd's; chain and wide too) before any time is
reported. Absolute times on a shared machine are noise: read the ratios, which come from
the same run.

``--baseline NAME=PATH`` adds a column for the engine of another checkout (a directory
holding ``engine/`` and ``nn/``), to measure an engine change before and after in one run.
``--profile`` prints where one stepgrad moons step spends its time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workloads as W

HERE = Path(__file__).resolve().parent
ENGINE_ORDER = ["stepgrad", "micrograd", "torch", "floats"]
CHECK_CHAIN_N = 200      # the checked chain: deep enough to matter, shallow for micrograd
CHECK_WIDE_N = 1_000
REL = 1e-9
Moons = tuple[list[list[float]], list[float]]


class Sizes:
    """How much work each measurement does; ``--quick`` shrinks all of it."""

    def __init__(self, quick: bool) -> None:
        # moons_step runs in rounds, every engine in turn in each round, so that a burst of
        # load on a shared machine falls on all engines alike. Each round: a fresh process,
        # one warm-up step, the timed steps, then one step with the collector off.
        self.moons_rounds = 2 if quick else 5
        self.moons_steps = 1 if quick else 2  # per round
        # moons_step_compiled: its three steps (interpreted, compiled, floats) in turn, this
        # many times in one process after the checked first step (a compiled step lasts a few
        # ms, so more turns cost little and steady its median).
        self.compiled_turns = 5 if quick else 30
        # fit_compiled: epochs of fit per run, and runs (compiled and not, in turns).
        self.fit_epochs = 2 if quick else 20
        self.fit_rounds = 1 if quick else 3
        # Chain lengths N in links (2 nodes each). The first is the per-node figure every
        # engine survives; the others probe depth. 500 links = 1,000 nodes.
        self.chain_small = 250
        self.chain_small_repeats = 21 if quick else 101
        self.chain_ladder = ([500, 5_000, 50_000] if quick
                             else [500, 5_000, 50_000, 500_000, 1_000_000])
        self.wide_n = 10_000 if quick else 100_000
        self.wide_repeats = 3 if quick else 5
        self.memory_nodes = 20_000 if quick else 100_000


# --- measuring, inside one worker process --------------------------------------------------

def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def _make(engine: str) -> Any:
    return W.ENGINES[engine]()


def measure_moons(engine: str, sizes: Sizes, data: Moons) -> dict[str, Any]:
    eng = _make(engine)
    X, ys = data
    model = eng.model(W.initial_parameters())
    result: dict[str, Any] = {}
    fwd, bwd, upd = [], [], []
    gc.collect()
    for k in range(1 + sizes.moons_steps):
        t0 = time.perf_counter()
        loss = eng.forward(model, X, ys)
        t1 = time.perf_counter()
        eng.backward(model, loss)
        t2 = time.perf_counter()
        if k == 0:  # checked: the loss and gradients of the first step (a warm-up)
            result["check"] = [eng.loss_value(loss), *eng.grads(model)]
        eng.update(model, 1.0 - 0.9 * k / 100)  # the demo's learning-rate schedule
        del loss  # the graph goes here, as it would in a training loop
        t3 = time.perf_counter()
        if k >= 1:
            fwd.append(t1 - t0)
            bwd.append(t2 - t1)
            upd.append(t3 - t2)
    result.update(forward=fwd, backward=bwd, update=upd)
    # One more with the garbage collector off (extra information: it shows what the
    # collector's passes over a large graph cost).
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        loss = eng.forward(model, X, ys)
        eng.backward(model, loss)
        eng.update(model, 0.1)
        del loss
        result["gc_off"] = [time.perf_counter() - t0]
    finally:
        gc.enable()
    return result


def merge_moons_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One engine's moons rounds as medians over all their steps (the check from round 1)."""
    fwd = [t for r in rounds for t in r["forward"]]
    bwd = [t for r in rounds for t in r["backward"]]
    upd = [t for r in rounds for t in r["update"]]
    steps = [f + b + u for f, b, u in zip(fwd, bwd, upd)]
    return {"check": rounds[0]["check"], "version": rounds[0]["version"],
            "step": _median(steps), "forward": _median(fwd), "backward": _median(bwd),
            "update": _median(upd), "steps": steps,
            "step_gc_off": _median([t for r in rounds for t in r["gc_off"]])}


def _chain_once(eng: Any, n: int) -> tuple[float, float]:
    if isinstance(eng, W.Floats):
        t0 = time.perf_counter()
        y = 1.0
        for _ in range(n):
            y = y * W.CHAIN_FACTOR + W.CHAIN_SHIFT
        t1 = time.perf_counter()
        g = 1.0
        for _ in range(n):
            g = g * W.CHAIN_FACTOR
        return t1 - t0, time.perf_counter() - t1
    t0 = time.perf_counter()
    _, root = W.chain(eng, n)
    t1 = time.perf_counter()
    eng.backprop(root)
    t2 = time.perf_counter()
    del root
    return t1 - t0, t2 - t1


def _survives(eng: Any, n: int) -> bool:
    try:
        _chain_once(eng, n)
    except RecursionError:
        return False
    finally:
        gc.collect()  # micrograd's graphs are cycles: free them before the next try
    return True


def measure_chain(engine: str, sizes: Sizes, data: Moons) -> dict[str, Any]:
    eng = _make(engine)
    result: dict[str, Any] = {"check": W.chain_result(eng, CHECK_CHAIN_N)}
    fwd, bwd = [], []
    gc.collect()
    for _ in range(sizes.chain_small_repeats):
        f, b = _chain_once(eng, sizes.chain_small)
        fwd.append(f)
        bwd.append(b)
    nodes = 2 * sizes.chain_small
    result.update(n=sizes.chain_small, forward_per_node=_median(fwd) / nodes,
                  backward_per_node=_median(bwd) / nodes)
    # Depth: each rung twice, the small ones up to 100 times (median); stop at the first
    # failure and find by bisection the deepest N that works.
    ladder: dict[str, Any] = {}
    good = sizes.chain_small
    for n in sizes.chain_ladder:
        try:
            repeats = max(2, min(101, 50_000 // n))
            times, alongside = [], []
            for _ in range(repeats):
                times.append(_chain_once(eng, n))
                if n >= 50_000:  # the 1,000-node chain again, in between: under the same load
                    alongside += [_chain_once(eng, 500)[1] for _ in range(20)]
            gc.collect()
        except RecursionError:
            gc.collect()
            bad = n
            while bad - good > 1:
                mid = (good + bad) // 2
                good, bad = (mid, bad) if _survives(eng, mid) else (good, mid)
            ladder[str(n)] = None
            result["deepest"] = good
            result["deepest_exact"] = True
            break
        ladder[str(n)] = {"forward_per_node": _median([t[0] for t in times]) / (2 * n),
                          "backward_per_node": _median([t[1] for t in times]) / (2 * n)}
        if alongside:
            ladder[str(n)]["backward_per_node_1k_alongside"] = _median(alongside) / 1_000
        good = n
    else:
        result["deepest"] = good
        result["deepest_exact"] = False  # survived every rung tried
    result["ladder"] = ladder
    return result


def measure_wide(engine: str, sizes: Sizes, data: Moons) -> dict[str, Any]:
    eng = _make(engine)
    result: dict[str, Any] = {"check": W.wide_result(eng, CHECK_WIDE_N)}
    a, b = W.wide_data(sizes.wide_n)
    fwd, bwd = [], []
    gc.collect()
    for _ in range(sizes.wide_repeats):
        if isinstance(eng, W.Floats):
            t0 = time.perf_counter()
            total = W.pairwise_sum([x * y for x, y in zip(a, b)])
            t1 = time.perf_counter()
            ga = [1.0 * y for y in b]
            gb = [1.0 * x for x in a]
            t2 = time.perf_counter()
            del total, ga, gb
        else:
            xs = [eng.leaf(v) for v in a]
            ys = [eng.leaf(v) for v in b]
            t0 = time.perf_counter()
            root = W.pairwise_sum([x * y for x, y in zip(xs, ys)])
            t1 = time.perf_counter()
            eng.backprop(root)
            t2 = time.perf_counter()
            del root, xs, ys
        fwd.append(t1 - t0)
        bwd.append(t2 - t1)
        gc.collect()
    nodes = 2 * sizes.wide_n - 1
    result.update(n=sizes.wide_n, forward_per_node=_median(fwd) / nodes,
                  backward_per_node=_median(bwd) / nodes)
    return result


def _rss() -> int:
    """This process's resident memory in bytes (Linux), or 0 when unknown."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _bytes_kept(build: Callable[[], Any], nodes: int, by_rss: bool) -> float:
    """Bytes per node of the graph ``build()`` returns, measured while it is alive."""
    gc.collect()
    if by_rss:
        before = _rss()
        graph = build()
        used = _rss() - before
    else:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        graph = build()
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
    del graph
    gc.collect()
    return used / nodes


def measure_memory(engine: str, sizes: Sizes, data: Moons) -> dict[str, Any]:
    eng = _make(engine)
    if isinstance(eng, W.Floats):
        return {"method": "none (no graph)"}
    by_rss = isinstance(eng, W.Torch)  # torch's nodes are C++ objects tracemalloc cannot see
    links = sizes.memory_nodes // 2
    start = eng.leaf(1.0)

    def chain_graph() -> Any:
        y = start
        for _ in range(links):
            y = y * W.CHAIN_FACTOR + W.CHAIN_SHIFT
        return y

    pairs = sizes.memory_nodes // 2
    a, b = W.wide_data(pairs)
    xs, ys = [eng.leaf(v) for v in a], [eng.leaf(v) for v in b]

    def wide_graph() -> Any:
        return W.pairwise_sum([x * y for x, y in zip(xs, ys)])

    result: dict[str, Any] = {
        "method": "RSS" if by_rss else "tracemalloc",
        "chain_bytes_per_node": _bytes_kept(chain_graph, 2 * links, by_rss),
        "wide_bytes_per_node": _bytes_kept(wide_graph, 2 * pairs - 1, by_rss),
    }
    # The peak of one moons step above what the model and data already hold. (Not for
    # torch: its allocator keeps freed memory, so the process size shows no step's peak.)
    peak = None
    if not by_rss:
        X, ysm = data
        model = eng.model(W.initial_parameters())
        loss = eng.forward(model, X, ysm)  # a first step outside the measurement (warm-up)
        eng.backward(model, loss)
        del loss
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        loss = eng.forward(model, X, ysm)
        eng.backward(model, loss)
        eng.update(model, 0.1)
        del loss
        peak = tracemalloc.get_traced_memory()[1] - before
        tracemalloc.stop()
    result["moons_peak_bytes"] = peak
    return result


def measure_moons_compiled(engine: str, sizes: Sizes, data: Moons) -> dict[str, Any]:
    """stepgrad's moons step compiled once (``engine.compile``), in one process with the
    interpreted step and the floats step, taking turns: the compile cost, its peak memory
    and the three step times. The compiled step must give the interpreted step's loss and
    gradients bit for bit (checked on the first step, and again after the timed steps)."""
    import engine as E

    X, ys = data
    eng, fl = W.Stepgrad(), W.Floats()
    interpreted, model = eng.model(W.initial_parameters()), eng.model(W.initial_parameters())
    flm = fl.model(W.initial_parameters())
    gc.collect()
    tracemalloc.start()  # the memory of one compile (tracemalloc slows it: not timed)
    E.compile(lambda: eng.forward(model, X, ys))
    compile_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    compile_times = []
    for _ in range(3):   # one-time, but timed three times: a burst of load hits one of them
        gc.collect()
        t0 = time.perf_counter()
        step = E.compile(lambda: eng.forward(model, X, ys))
        compile_times.append(time.perf_counter() - t0)
    compile_time = _median(compile_times)
    params = model.parameters()

    def compiled_step() -> float:
        for p in params:  # zero_grad, on the list kept by the training loop
            p.grad = 0.0
        return step()

    def bits(m: Any, loss: float) -> list[str]:
        return [float(loss).hex(), *(float(g).hex() for g in eng.grads(m))]

    def interpreted_step() -> float:
        loss = eng.forward(interpreted, X, ys)
        eng.backward(interpreted, loss)
        return float(loss.data)

    gc.collect()
    tracemalloc.start()
    first = interpreted_step()
    interpreted_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if bits(model, compiled_step()) != bits(interpreted, first):
        raise SystemExit("moons_step_compiled: the compiled step differs from the engine's")

    def floats_step() -> None:
        fl.backward(flm, fl.forward(flm, X, ys))

    times: dict[str, list[float]] = {"interpreted": [], "compiled": [], "floats": [],
                                     "step_call": [], "compiled_cold": [], "floats_cold": []}
    steps = 1 + sizes.compiled_turns
    for k in range(steps):
        lr = 1.0 - 0.9 * k / 100
        t = time.perf_counter()
        interpreted_step()
        eng.update(interpreted, lr)
        times["interpreted"].append(time.perf_counter() - t)
        pair: list[tuple[str, Callable[[], Any]]] = [("compiled", compiled_step),
                                                     ("floats", floats_step)]
        if k % 2:
            pair.reverse()
        # The step right after the interpreted one finds the caches full of its graph: the
        # compiled step (whose code is large) and the floats step take that place in turn,
        # timed as "cold" (without the update), and then both run once more untimed.
        for i, (name, run) in enumerate(pair):
            t = time.perf_counter()
            run()
            if i == 0:
                times[f"{name}_cold"].append(time.perf_counter() - t)
        # Timed: each step as a training loop runs it, one step after another, with its
        # update (the floats column of moons_step runs the same way, in its own process).
        for name, run in pair:
            t = time.perf_counter()
            run()
            if name == "compiled":   # the step() call alone, without zero_grad and update
                times["step_call"].append(time.perf_counter() - t)
                for p in params:
                    p.data -= lr * p.grad
            else:
                fl.update(flm, lr)
            times[name].append(time.perf_counter() - t)
    same = bits(model, compiled_step()) == bits(interpreted, interpreted_step())
    median = {k: _median(v) for k, v in times.items()}
    return {"check": [0.0], "compile": compile_time, "compile_times": compile_times,
            "compile_peak_bytes": compile_peak,
            "interpreted_peak_bytes": interpreted_peak, "lines": step.source.count("\n"),
            "equal_after_training": same, "steps": times, **median,
            "retraces": step.retraces, "fallbacks": step.fallbacks}


def measure_digits(engine: str, sizes: Sizes, data: Moons) -> dict[str, Any]:
    """Digits trained with the compiled step; the interpreted engine's time for the same
    training extrapolated from a few of its steps, timed in the same process."""
    epochs = 4 if sizes.moons_rounds < 5 else W.DIGITS_EPOCHS
    result = W.digits_train(epochs)
    few = W.digits_train(1, compiled=False) if sizes.moons_rounds >= 5 else None
    if few is None:  # quick: time 3 interpreted steps of the same model and batch
        import nn

        Xtr, ytr, _, _ = W.digits_data()
        model = nn.MLP(64, [W.DIGITS_HIDDEN, 10], seed=0)
        labels = [c for _ in range(W.DIGITS_PER_CLASS) for c in range(10)]
        xs = [Xtr[i] for i in W.digits_batches(ytr, random.Random(0))[0]]
        t = time.perf_counter()
        for _ in range(3):
            model.zero_grad()
            nn.cross_entropy([model(x) for x in xs], labels).backward()
        per_step = (time.perf_counter() - t) / 3
    else:
        per_step = few["train"] / few["steps"]
    result["interpreted_per_step"] = per_step
    result["interpreted_extrapolated"] = per_step * result["steps"]
    return {"check": [0.0], **result}


def measure_fit_compiled(engine: str, sizes: Sizes, data: Moons) -> dict[str, Any]:
    """``nn.fit`` on the moons with scikit-learn's int 0/1 labels, mini-batches of 16,
    binary cross-entropy of the sigmoid, SGD: ``compile=True`` against ``compile=False``,
    in turns, each from the same initial model (the compiled run pays for its traces:
    one per batch size). The two runs must end with the same parameters, bit for bit."""
    import nn

    X, ys = data
    labels = [int(y > 0) for y in ys]   # 0/1 ints, as make_moons gives them

    def loss(preds: list[Any], targets: list[Any]) -> Any:
        return nn.binary_cross_entropy([p.sigmoid() for p in preds], targets)

    def train(compiled: bool) -> tuple[float, list[str]]:
        model = nn.MLP(2, [16, 16, 1], seed=0)
        opt = nn.SGD(model.parameters(), lr=0.1)
        gc.collect()
        t = time.perf_counter()
        nn.fit(model, X, labels, loss, opt, epochs=sizes.fit_epochs, batch_size=16, seed=0,
               progress=False, compile=compiled)
        return time.perf_counter() - t, [p.data.hex() for p in model.parameters()]

    times: dict[str, list[float]] = {"interpreted": [], "compiled": []}
    same = True
    for _ in range(sizes.fit_rounds):
        t_plain, plain = train(False)
        t_comp, comp = train(True)
        times["interpreted"].append(t_plain)
        times["compiled"].append(t_comp)
        same = same and plain == comp
    return {"check": [0.0], "epochs": sizes.fit_epochs, "samples": len(X), "times": times,
            "interpreted": _median(times["interpreted"]), "compiled": _median(times["compiled"]),
            "equal": same}


MEASURES: dict[str, Callable[[str, Sizes, Moons], dict[str, Any]]] = {
    "moons_step": measure_moons,
    "moons_step_compiled": measure_moons_compiled,
    "fit_compiled": measure_fit_compiled,
    "digits": measure_digits,
    "chain": measure_chain,
    "wide": measure_wide,
    "memory": measure_memory,
}


def worker(engine: str, workload: str, quick: bool) -> None:
    """Measure one workload on one engine and print the result as JSON.

    The moons data comes as JSON on standard input, so that no worker imports
    scikit-learn: its objects would make every garbage collection in the worker slower.
    """
    X, ys = json.load(sys.stdin)
    result = MEASURES[workload](engine, Sizes(quick), (X, ys))
    result["version"] = _make(engine).version()
    print(json.dumps(result))


# --- the parent: run every worker, check, report --------------------------------------------

def run_worker(engine: str, workload: str, quick: bool, checkout: str | None,
               data: Moons) -> dict[str, Any]:
    kind = "stepgrad" if checkout else engine
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, workload]
    if quick:
        cmd.append("--quick")
    if checkout:
        cmd += ["--checkout", checkout]
    done = subprocess.run(cmd, input=json.dumps(data), capture_output=True, text=True,
                          cwd=HERE.parent)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-5:]
        raise SystemExit(f"{engine} / {workload} failed:\n  " + "\n  ".join(tail))
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def available(engine: str) -> str | None:
    """None if the engine can be imported, else why not."""
    try:
        _make(engine)
    except ImportError as e:
        return f"{e.name or e} is not installed (pip install -r benchmarks/requirements.txt)"
    return None


def check_results(results: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Every engine's checked numbers against the reference: micrograd, else floats, else
    the first engine measured."""
    problems = []
    for workload, by_engine in results.items():
        if workload == "memory":
            continue
        ref_name = next((n for n in ("micrograd", "floats") if n in by_engine),
                        next(iter(by_engine)))
        ref = by_engine[ref_name]["check"]
        for name, r in by_engine.items():
            for p in W.compare(ref, r["check"], REL):
                problems.append(f"{workload}: {name} differs from {ref_name}: {p}")
    return problems


def _t(s: float | None) -> str:
    """Seconds, readably."""
    if s is None:
        return "—"
    if s >= 0.1:
        return f"{s:.3f} s"
    if s >= 1e-4:
        return f"{s * 1e3:.2f} ms"
    if s >= 1e-7:
        return f"{s * 1e6:.3g} µs"
    return f"{s * 1e9:.3g} ns"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:.3f}" if r < 1 else f"{r:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report(results: dict[str, dict[str, dict[str, Any]]], engines: list[str], sizes: Sizes,
           meta: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The Markdown report and the verdict on each target."""
    moons, chain, wide, mem = (results[k] for k in ("moons_step", "chain", "wide", "memory"))

    def get(by: dict[str, dict[str, Any]], name: str, key: str) -> Any:
        return by.get(name, {}).get(key)

    out = [f"# stepgrad benchmark ({meta['mode']} run)", ""]
    out.append(f"{meta['date']} · {meta['machine']} · Python {meta['python']} · "
               + " · ".join(f"{e} {meta['versions'][e]}" for e in engines if e != "floats")
               + " · garbage collector enabled · each engine and workload in a fresh process")
    out.append("")
    out.append(f"Checked before timing: the first moons step (loss and all "
               f"{len(moons[engines[0]]['check']) - 1} gradients), the chain (N = "
               f"{CHECK_CHAIN_N}) and the wide sum (n = {CHECK_WIDE_N}, every gradient) agree "
               f"with {meta['reference']}'s within {REL:g} relative, for every engine.")
    out.append("")
    out.append("Ratios are engine ÷ micrograd and engine ÷ floats (the pure-Python limit), "
               "from this run; below 1 means faster or smaller.")
    for skipped, why in meta["skipped"].items():
        out.append(f"\n{skipped}: skipped, {why}.")

    mg, fl = "micrograd", "floats"
    out += ["", f"## moons_step (median of {sizes.moons_rounds * sizes.moons_steps} steps: "
            f"{sizes.moons_rounds} rounds of {sizes.moons_steps} after a warm-up step, the "
            f"engines taking turns)", ""]
    rows = []
    for e in engines:
        s = get(moons, e, "step")
        rows.append([e, _t(s), _t(get(moons, e, "forward")), _t(get(moons, e, "backward")),
                     _t(get(moons, e, "update")), _ratio(s, get(moons, mg, "step")),
                     _ratio(s, get(moons, fl, "step")), _t(get(moons, e, "step_gc_off"))])
    out.append(_table(["engine", "step", "forward", "zero_grad + backward",
                       "update + free", "÷ micrograd", "÷ floats", "step, gc off"], rows))

    out += ["", f"## chain (y = y·1.0001 + 0.0001, N = {sizes.chain_small} links = "
            f"{2 * sizes.chain_small} nodes, median of {sizes.chain_small_repeats})", ""]
    rows = []
    for e in engines:
        f, b = get(chain, e, "forward_per_node"), get(chain, e, "backward_per_node")
        tot = None if f is None else f + b
        ref = chain.get(mg)
        reft = None if ref is None else ref["forward_per_node"] + ref["backward_per_node"]
        flt = chain.get(fl)
        flt_t = None if flt is None else flt["forward_per_node"] + flt["backward_per_node"]
        deepest = get(chain, e, "deepest")
        if e == fl:
            deep = "no graph"
        elif deepest is None:
            deep = "—"
        else:
            exact = get(chain, e, "deepest_exact")
            deep = f"{deepest:,}" + ("" if exact else " (all tried)")
        rows.append([e, _t(f), _t(b), _ratio(tot, reft), _ratio(tot, flt_t), deep])
    out.append(_table(["engine", "forward / node", "backward / node", "÷ micrograd",
                       "÷ floats", "deepest N (default recursion limit)"], rows))
    out += ["", "Backward per node as the chain grows (N links = 2N nodes; — : failed):", ""]
    header = ["engine"] + [f"N = {n:,}" for n in sizes.chain_ladder]
    rows = []
    for e in engines:
        ladder = get(chain, e, "ladder") or {}
        row = [e]
        for n in sizes.chain_ladder:
            cell = ladder.get(str(n))
            row.append(_t(cell["backward_per_node"]) if cell else ("—" if str(n) in ladder
                                                                   else ""))
        rows.append(row)
    out.append(_table(header, rows))
    for e in engines:
        big = (get(chain, e, "ladder") or {}).get("500000")
        if big and "backward_per_node_1k_alongside" in big:
            out.append(f"\n{e}: the 1,000-node chain timed between the N = 500,000 runs "
                       f"(1,000,000 nodes) took {_t(big['backward_per_node_1k_alongside'])} "
                       f"per node backward, against {_t(big['backward_per_node'])}.")

    out += ["", f"## wide (pairwise sum of {sizes.wide_n:,} products of leaf pairs = "
            f"{2 * sizes.wide_n - 1:,} nodes, median of {sizes.wide_repeats})", ""]
    rows = []
    for e in engines:
        f, b = get(wide, e, "forward_per_node"), get(wide, e, "backward_per_node")
        tot = None if f is None else f + b

        def total(name: str) -> float | None:
            r = wide.get(name)
            return None if r is None else r["forward_per_node"] + r["backward_per_node"]

        rows.append([e, _t(f), _t(b), _ratio(tot, total(mg)), _ratio(tot, total(fl))])
    out.append(_table(["engine", "forward / node", "backward / node", "÷ micrograd",
                       "÷ floats"], rows))

    out += ["", f"## memory (graphs of {sizes.memory_nodes:,} nodes kept alive)", ""]
    rows = []
    for e in engines:
        if e == fl or e not in mem:
            continue
        c, w = get(mem, e, "chain_bytes_per_node"), get(mem, e, "wide_bytes_per_node")
        p = get(mem, e, "moons_peak_bytes")
        rows.append([e, get(mem, e, "method"), f"{c:.0f}", f"{w:.0f}",
                     "—" if p is None else f"{p / 1e6:.1f} MB",
                     _ratio(c, get(mem, mg, "chain_bytes_per_node")),
                     _ratio(w, get(mem, mg, "wide_bytes_per_node")),
                     _ratio(p, get(mem, mg, "moons_peak_bytes"))])
    out.append(_table(["engine", "measured by", "bytes / node, chain", "bytes / node, wide",
                       "moons step peak", "chain ÷ micrograd", "wide ÷ micrograd",
                       "peak ÷ micrograd"], rows))

    comp = results.get("moons_step_compiled", {}).get("stepgrad")
    if comp:
        it, cs, ft = comp["interpreted"], comp["compiled"], comp["floats"]
        out += ["", "## moons_step_compiled (stepgrad's step compiled by `engine.compile`, "
                "taking turns with the interpreted step and the floats step in one process; "
                f"median of {len(comp['steps']['compiled'])} steps)", ""]
        out.append(_table(
            ["compile (trace + codegen + compile(); median of 3)", "÷ interpreted step",
             "compiled step",
             "interpreted ÷ compiled", "compiled ÷ floats", "step() alone ÷ floats",
             "compile peak ÷ step peak", "bit for bit"],
            [[_t(comp["compile"]), _ratio(comp["compile"], it), _t(cs), _ratio(it, cs),
              _ratio(cs, ft), _ratio(comp["step_call"], ft),
              _ratio(comp["compile_peak_bytes"], comp["interpreted_peak_bytes"]),
              "yes" if comp["equal_after_training"] else "NO"]]))
        out.append("\nA compiled step is zero_grad, `step()` and the SGD update over the model's "
                   "337 parameter Values; `step()` alone is the generated forward and backward "
                   "pass with the gradients added into `.grad`.")
        out.append(f"\nIn that process: interpreted step {_t(it)}, floats step {_t(ft)}; the "
                   f"generated code has {comp['lines']:,} lines.")
        if comp.get("compiled_cold"):
            cc, fc = comp["compiled_cold"], comp["floats_cold"]
            out.append(f"\nThe compiled and floats steps are timed as a training loop runs "
                       f"them, one after another. Right after an interpreted step (the caches "
                       f"full of its graph), without the update: compiled {_t(cc)}, floats "
                       f"{_t(fc)}, compiled ÷ floats {_ratio(cc, fc)}.")
    fit = results.get("fit_compiled", {}).get("stepgrad")
    if fit:
        out += ["", f"## fit_compiled (nn.fit, {fit['samples']} moons with int 0/1 labels, "
                f"mini-batches of 16, {fit['epochs']} epochs, binary cross-entropy, SGD; "
                f"median of {len(fit['times']['compiled'])} runs each, in turns)", ""]
        out.append(_table(["compile=False", "compile=True (its traces included)",
                           "interpreted ÷ compiled", "bit for bit"],
                          [[_t(fit["interpreted"]), _t(fit["compiled"]),
                            _ratio(fit["interpreted"], fit["compiled"]),
                            "yes" if fit["equal"] else "NO"]]))
    dig = results.get("digits", {}).get("stepgrad")
    if dig:
        out += ["", "## digits (scikit-learn's 8×8 digits, MLP(64, [32, 10]), cross-entropy, "
                "Adam; batches of 5 samples per class; held-out quarter)", ""]
        out.append(_table(
            ["epochs (steps)", "compile", "training, compiled", "training, interpreted "
             "(extrapolated)", "interpreted ÷ compiled", "held-out accuracy"],
            [[f"{len(dig['losses'])} ({dig['steps']})", _t(dig["compile"]), _t(dig["train"]),
              _t(dig["interpreted_extrapolated"]),
              _ratio(dig["interpreted_extrapolated"], dig["train"]),
              f"{dig['accuracy']:.1%}"]]))
    targets = evaluate_targets(results, sizes)
    if targets:
        out += ["", "## targets", ""]
        out.append(_table(["target", "measured", "met"],
                          [[t["target"], t["measured"], "yes" if t["met"] else "NO"]
                           for t in targets]))
    return "\n".join(out) + "\n", {"targets": targets}


def evaluate_targets(results: dict[str, dict[str, dict[str, Any]]],
                     sizes: Sizes) -> list[dict[str, Any]]:
    moons, chain, mem = results["moons_step"], results["chain"], results["memory"]
    sg = "stepgrad"
    targets = []
    if sg in moons and "micrograd" in moons:
        speedup = moons["micrograd"]["step"] / moons[sg]["step"]
        targets.append({"target": "moons_step ≥ 8× faster than micrograd",
                        "measured": f"{speedup:.1f}×", "met": speedup >= 8})
    if sg in moons and "torch" in moons:
        speedup = moons["torch"]["step"] / moons[sg]["step"]
        targets.append({"target": "moons_step faster than torch on scalars",
                        "measured": f"{speedup:.2f}×", "met": speedup > 1})
    if sg in mem and "micrograd" in mem:
        for kind in ("chain", "wide"):
            key = f"{kind}_bytes_per_node"
            r = mem[sg][key] / mem["micrograd"][key]
            targets.append({"target": f"bytes / node ({kind}) ≤ ⅓ of micrograd's",
                            "measured": f"{r:.3f}", "met": r <= 1 / 3})
    ladder = chain.get(sg, {}).get("ladder", {})
    big = ladder.get("500000")
    if big:
        r = big["backward_per_node"] / big["backward_per_node_1k_alongside"]
        targets.append({"target": "1,000,000-node chain: backward works, per node ≤ "
                                  "the 1,000-node chain's",
                        "measured": f"{r:.3f} (1M-node ÷ 1k-node)", "met": r <= 1.0})
    comp = results.get("moons_step_compiled", {}).get(sg)
    if comp:
        it, cs, ft = comp["interpreted"], comp["compiled"], comp["floats"]
        targets += [
            {"target": "compiled moons step ≥ 50× faster than the interpreted step",
             "measured": f"{it / cs:.1f}×", "met": it / cs >= 50},
            {"target": "compiled moons step ≤ 0.35× the floats step",
             "measured": f"{cs / ft:.3f}", "met": cs / ft <= 0.35},
            {"target": "compile cost ≤ 2 interpreted steps",
             "measured": f"{comp['compile'] / it:.2f} steps", "met": comp["compile"] <= 2 * it},
            {"target": "compiled step equal to the interpreted one, bit for bit",
             "measured": "yes" if comp["equal_after_training"] else "no",
             "met": bool(comp["equal_after_training"])}]
    fit = results.get("fit_compiled", {}).get(sg)
    if fit:
        r = fit["interpreted"] / fit["compiled"]
        targets.append({"target": "fit(compile=True), int labels, batches of 16: ≥ 5× "
                                  "compile=False, the same parameters bit for bit",
                        "measured": f"{r:.1f}×", "met": r >= 5 and bool(fit["equal"])})
    dig = results.get("digits", {}).get(sg)
    if dig and len(dig["losses"]) >= W.DIGITS_EPOCHS:
        total = dig["compile"] + dig["train"]
        targets.append({"target": "digits: ≥ 95% held-out accuracy in < 60 s (compiled)",
                        "measured": f"{dig['accuracy']:.1%} in {total:.1f} s",
                        "met": dig["accuracy"] >= 0.95 and total < 60})
    deepest = chain.get(sg, {}).get("deepest", 0)
    if max(sizes.chain_ladder) >= 1_000_000:
        targets.append({"target": "stepgrad survives N = 1,000,000 links",
                        "measured": f"{deepest:,}", "met": deepest >= 1_000_000})
    return targets


def profile_moons() -> str:
    """cProfile of one stepgrad moons step (after a warm-up step), by own time."""
    eng = W.Stepgrad()
    X, ys = W.moons_data()
    model = eng.model(W.initial_parameters())
    eng.backward(model, eng.forward(model, X, ys))
    prof = cProfile.Profile()
    prof.enable()
    loss = eng.forward(model, X, ys)
    eng.backward(model, loss)
    eng.update(model, 0.1)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes: under a minute")
    parser.add_argument("--out", type=Path, default=HERE / "results",
                        help="where to write results.md and results.json "
                             "(default: benchmarks/results/)")
    parser.add_argument("--engines", default=",".join(ENGINE_ORDER),
                        help="comma-separated subset of " + ",".join(ENGINE_ORDER))
    parser.add_argument("--baseline", action="append", default=[], metavar="NAME=PATH",
                        help="also measure the engine of the checkout at PATH, as NAME")
    parser.add_argument("--profile", action="store_true",
                        help="print a profile of one stepgrad moons step and stop")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "WORKLOAD"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--checkout", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.checkout:
        W.add_checkout(args.checkout)
    if args.worker:
        engine, workload = args.worker
        worker(engine, workload, args.quick)
        return 0
    if args.profile:
        print(profile_moons())
        return 0

    sizes = Sizes(args.quick)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in W.ENGINES]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(ENGINE_ORDER)}")
    skipped = {}
    for e in list(engines):
        why = available(e)
        if why:
            skipped[e] = why
            engines.remove(e)
    checkouts: dict[str, str | None] = {e: None for e in engines}
    for spec in args.baseline:
        name, _, path = spec.partition("=")
        if not path or not (Path(path) / "engine").is_dir():
            parser.error(f"--baseline expects NAME=PATH with PATH/engine a directory, "
                         f"got {spec!r}")
        checkouts[name] = str(Path(path).resolve())
        engines.insert(1, name)

    data = W.moons_data()
    results: dict[str, dict[str, dict[str, Any]]] = {w: {} for w in MEASURES}
    started = time.perf_counter()
    rounds: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
    for r in range(sizes.moons_rounds):
        for e in engines:
            print(f"  moons_step {e} (round {r + 1} of {sizes.moons_rounds}) ...",
                  file=sys.stderr, flush=True)
            rounds[e].append(run_worker(e, "moons_step", args.quick, checkouts[e], data))
    results["moons_step"] = {e: merge_moons_rounds(rounds[e]) for e in engines}
    for workload in [w for w in MEASURES if w != "moons_step"]:
        for e in engines:
            if workload in ("moons_step_compiled", "fit_compiled", "digits") and e != "stepgrad":
                continue
            print(f"  {workload:<10} {e} ...", file=sys.stderr, flush=True)
            results[workload][e] = run_worker(e, workload, args.quick, checkouts[e], data)

    problems = check_results(results)
    if problems:
        print("The engines disagree, so no time is reported:", file=sys.stderr)
        for p in problems[:20]:
            print("  " + p, file=sys.stderr)
        return 1

    meta = {
        "mode": "quick" if args.quick else "full",
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "python": platform.python_version(),
        "versions": {e: results["moons_step"][e]["version"] for e in engines},
        "skipped": skipped,
        "reference": next((n for n in ("micrograd", "floats") if n in engines), engines[0]),
        "seconds": round(time.perf_counter() - started, 1),
    }
    text, verdict = report(results, engines, sizes, meta)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(text)
    for by_engine in results.values():
        for measured in by_engine.values():
            measured.pop("check", None)
    (args.out / "results.json").write_text(
        json.dumps({"meta": meta, "results": results, **verdict}, indent=1))
    print(f"written: {args.out / 'results.md'} and {args.out / 'results.json'} "
          f"({meta['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
