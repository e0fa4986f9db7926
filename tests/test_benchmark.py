"""The benchmark's equality checks, on tiny sizes: every engine computes the same numbers.

``benchmarks/run.py`` refuses to report a time unless the engines agree (the loss and every
gradient of the first moons step within 1e-9 relative, the chain, the wide sum). These tests
run the same checks on small inputs, so that a change to the engine, to ``nn`` or to the
workloads that breaks the comparison fails here, not in a benchmark run. No time is measured.
micrograd and torch are optional (benchmarks/requirements.txt): without them their
comparisons are skipped; stepgrad against the hand-written floats always runs.
"""

from __future__ import annotations

import gc
import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str) -> ModuleType:
    path = BENCHMARKS / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"stepgrad_bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


W = _load("workloads")
run = _load("run")

SIZES = (2, 5, 4, 1)  # the demo's MLP shape, smaller


def _tiny_moons(n: int = 14) -> tuple[list[list[float]], list[float]]:
    """Two noisy clusters labelled ±1 (no scikit-learn needed)."""
    rng = random.Random(7)
    X, ys = [], []
    for i in range(n):
        label = 1.0 if i % 2 else -1.0
        X.append([rng.gauss(label, 0.8), rng.gauss(-0.5 * label, 0.8)])
        ys.append(label)
    return X, ys


def _engine(name: str) -> Any:
    why = run.available(name)
    if why:
        pytest.skip(f"{name}: {why}")
    return W.ENGINES[name]()


@pytest.fixture(scope="module")
def moons_reference() -> list[float]:
    X, ys = _tiny_moons()
    return list(W.moons_result(W.Floats(), W.initial_parameters(SIZES), X, ys))


def test_the_tiny_moons_step_exercises_both_sides_of_every_kink() -> None:
    # The comparison only means something if some margins and some relus are active and
    # some are not (the hand-written backward skips those).
    X, ys = _tiny_moons()
    floats = W.Floats()
    model = floats.model(W.initial_parameters(SIZES))
    _, tapes, margins, _ = floats.forward(model, X, ys)
    assert any(m > 0 for m in margins) and any(m <= 0 for m in margins)
    hidden = [a for acts in tapes for layer in acts[1:-1] for a in layer]
    assert any(a > 0 for a in hidden) and any(a == 0 for a in hidden)


@pytest.mark.parametrize("name", ["stepgrad", "micrograd", "torch"])
def test_moons_step_loss_and_every_gradient_equal_the_floats(
        name: str, moons_reference: list[float]) -> None:
    X, ys = _tiny_moons()
    got = W.moons_result(_engine(name), W.initial_parameters(SIZES), X, ys)
    assert len(got) == 1 + (2 + 1) * 5 + (5 + 1) * 4 + (4 + 1) * 1  # the loss, 44 gradients
    assert W.compare(moons_reference, got) == []


@pytest.mark.parametrize("name", ["stepgrad", "torch"])
def test_moons_step_equals_micrograd(name: str) -> None:
    # What run.py checks: micrograd is the reference.
    X, ys = _tiny_moons()
    init = W.initial_parameters(SIZES)
    reference = W.moons_result(_engine("micrograd"), init, X, ys)
    assert W.compare(reference, W.moons_result(_engine(name), init, X, ys)) == []


@pytest.mark.parametrize("name", ["stepgrad", "micrograd", "torch"])
def test_chain_equals_the_floats(name: str) -> None:
    expected = W.chain_result(W.Floats(), 60)
    assert expected[1] > 1.005  # dy/dy₀ = 1.0001⁶⁰: the chain did multiply
    assert W.compare(expected, W.chain_result(_engine(name), 60)) == []


@pytest.mark.parametrize("name", ["stepgrad", "micrograd", "torch"])
def test_wide_sum_and_every_gradient_equal_the_floats(name: str) -> None:
    n = 37  # odd, so the pairwise sum carries a term up a level
    expected = W.wide_result(W.Floats(), n)
    got = W.wide_result(_engine(name), n)
    assert len(got) == 1 + 2 * n
    assert W.compare(expected, got) == []


def test_stepgrad_model_takes_the_shared_parameters_in_micrograds_order() -> None:
    init = W.initial_parameters(SIZES)
    eng = W.Stepgrad()
    flat = [v for layer in init for ws, b in layer for v in (*ws, b)]
    assert [p.data for p in eng.model(init).parameters()] == flat


def test_compare_reports_a_difference_beyond_the_tolerance_and_nothing_within() -> None:
    reference = [0.5, 1.0, -2.0, 1e-3]
    assert W.compare(reference, [0.5, 1.0, -2.0 * (1 + 1e-12), 1e-3]) == []
    problems = W.compare(reference, [0.5, 1.0, -2.0 * (1 + 1e-7), 1e-3])
    assert len(problems) == 1 and problems[0].startswith("gradient 1:")
    assert W.compare(reference, [0.5 + 1e-6, 1.0, -2.0, 1e-3])[0].startswith("loss:")
    assert W.compare(reference, reference[:-1]) != []


def test_the_runner_refuses_results_that_disagree() -> None:
    agree = {"check": [1.0, 2.0, 3.0]}
    results: dict[str, dict[str, dict[str, Any]]] = {
        "moons_step": {"micrograd": agree, "stepgrad": {"check": [1.0, 2.0, 3.0]}},
        "chain": {"floats": agree, "stepgrad": {"check": [1.0, 2.0, 3.5]}},
        "memory": {"stepgrad": {}},
    }
    problems = run.check_results(results)
    assert problems == ["chain: stepgrad differs from floats: gradient 1: 3.5, expected 3.0"]


@pytest.mark.parametrize("name", ["stepgrad", "micrograd"])
def test_the_pairs_script_steps_each_engine_on_the_shared_model(name: str) -> None:
    # benchmarks/pairs.py: what one fresh process measures (a median step time; no timing
    # is asserted, only that the step runs on the benchmark's model for that engine).
    if name == "micrograd":
        pytest.importorskip("micrograd")
    pairs = _load("pairs")
    X = [[0.5 * i, 1.0 - 0.3 * i] for i in range(5)]
    ys = [1.0, -1.0, 1.0, -1.0, 1.0]
    seconds = pairs.one(name, (X, ys))
    assert isinstance(seconds, float) and 0.0 < seconds < 60.0
    assert gc.isenabled()
    assert 0.0 < pairs.one(name, (X, ys), collector=False) < 60.0
    assert gc.isenabled()   # paused for the steps only
    with pytest.raises(SystemExit):
        pairs.main(["--pairs", "0"])
