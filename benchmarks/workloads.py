"""The benchmark's workloads, written once for each engine.

Every engine gets the same data, the same initial parameters and the same order of
operations, so that their results agree to rounding and can be checked before any time is
reported. The engines:

``stepgrad``  this project: ``nn.MLP`` and ``engine.Value``.
``micrograd`` micrograd 0.1.0 from PyPI, used as is (its ``nn.MLP`` and ``engine.Value``).
``torch``     PyTorch on the CPU, one thread, 0-d float64 tensors built scalar by scalar.
``floats``    the same arithmetic by hand on Python floats, no graph at all: the limit for
              pure Python, which no engine that records a graph can beat.

Each engine is a class with the same methods; ``run.py`` times them and this module's
:func:`compare` checks them against each other.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

# A nested list: layers -> neurons -> (weights, bias), in micrograd's parameter order.
Init = list[list[tuple[list[float], float]]]

MOONS_SIZES = (2, 16, 16, 1)
MOONS_SAMPLES = 100
SEED = 1337
ALPHA = 1e-4          # the demo's L2 weight
CHAIN_FACTOR = 1.0001  # chain: y = y * 1.0001 + 0.0001
CHAIN_SHIFT = 0.0001


# --- shared data ------------------------------------------------------------------------

def moons_data(n_samples: int = MOONS_SAMPLES) -> tuple[list[list[float]], list[float]]:
    """micrograd's demo data: two moons, noise 0.1, labels -1 or +1, as Python floats."""
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n_samples, noise=0.1, random_state=SEED)
    return X.tolist(), [2.0 * float(t) - 1.0 for t in y]


def initial_parameters(sizes: Sequence[int] = MOONS_SIZES, seed: int = SEED) -> Init:
    """Weights uniform in [-1, 1] and biases 0, as micrograd initialises them."""
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1.0, 1.0) for _ in range(nin)], 0.0) for _ in range(nout)]
        for nin, nout in pairwise(sizes)
    ]


def wide_data(n: int, seed: int = SEED) -> tuple[list[float], list[float]]:
    """The two lists of leaves whose products the ``wide`` workload sums."""
    rng = random.Random(seed)
    return [rng.uniform(-1.0, 1.0) for _ in range(n)], [rng.uniform(-1.0, 1.0) for _ in range(n)]


def pairwise_sum(terms: list[Any]) -> Any:
    """Sum as a balanced tree, ``(t0 + t1) + (t2 + t3)``...: wide and shallow (depth log₂ n).

    ``wide`` sums this way so that every engine runs it under Python's default recursion
    limit; ``chain`` is the workload that measures depth.
    """
    while len(terms) > 1:
        paired = [terms[i] + terms[i + 1] for i in range(0, len(terms) - 1, 2)]
        if len(terms) % 2:
            paired.append(terms[-1])
        terms = paired
    return terms[0]


def hinge_loss(scores: Sequence[Any], ys: Sequence[float], params: Sequence[Any]) -> Any:
    """micrograd's demo loss, written once for every engine that records a graph.

    mean over samples of relu(1 - yᵢ·scoreᵢ), plus 1e-4 · Σ p², in the demo's exact order.
    """
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in params)
    return data_loss + reg_loss


# --- the engines ------------------------------------------------------------------------

class Stepgrad:
    """stepgrad: ``nn.MLP`` with its parameters set from the shared initial list."""

    name = "stepgrad"

    def __init__(self) -> None:
        from engine import Value
        from nn import MLP

        self.Value = Value
        self.MLP = MLP

    def version(self) -> str:
        import engine

        return f"from {Path(engine.__file__).resolve().parent.parent}"

    # moons
    def model(self, init: Init) -> Any:
        sizes = [len(init[0][0][0])] + [len(layer) for layer in init]
        model = self.MLP(sizes[0], sizes[1:], seed=0)
        for layer, layer_init in zip(model.layers, init):
            for neuron, (ws, b) in zip(layer.neurons, layer_init):
                for w, v in zip(neuron.w, ws):
                    w.data = v
                neuron.b.data = b
        return model

    def parameters(self, model: Any) -> list[Any]:
        return [p for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)]

    def forward(self, model: Any, X: list[list[float]], ys: list[float]) -> Any:
        scores = [model(x) for x in X]
        return hinge_loss(scores, ys, model.parameters())

    def backward(self, model: Any, loss: Any) -> None:
        model.zero_grad()
        loss.backward()

    def update(self, model: Any, lr: float) -> None:
        for p in model.parameters():
            p.data -= lr * p.grad

    def loss_value(self, loss: Any) -> float:
        return float(loss.data)

    def grads(self, model: Any) -> list[float]:
        return [p.grad for p in self.parameters(model)]

    # chain and wide
    def leaf(self, x: float) -> Any:
        return self.Value(x)

    def backprop(self, root: Any) -> None:
        root.backward()

    def data(self, v: Any) -> float:
        return float(v.data)

    def grad(self, v: Any) -> float:
        return float(v.grad)


class Micrograd:
    """micrograd 0.1.0 as published: its own MLP, Value and backward, inputs wrapped as in
    its demo (``list(map(Value, xrow))``)."""

    name = "micrograd"

    def __init__(self) -> None:
        from micrograd import engine, nn  # type: ignore[import-untyped]

        self.Value = engine.Value
        self.nn = nn

    def version(self) -> str:
        from importlib.metadata import version

        return version("micrograd")

    def model(self, init: Init) -> Any:
        sizes = [len(init[0][0][0])] + [len(layer) for layer in init]
        random.seed(SEED)  # micrograd draws its own weights; they are replaced below
        model = self.nn.MLP(sizes[0], sizes[1:])
        for layer, layer_init in zip(model.layers, init):
            for neuron, (ws, b) in zip(layer.neurons, layer_init):
                for w, v in zip(neuron.w, ws):
                    w.data = v
                neuron.b.data = b
        return model

    def forward(self, model: Any, X: list[list[float]], ys: list[float]) -> Any:
        inputs = [list(map(self.Value, row)) for row in X]
        scores = list(map(model, inputs))
        return hinge_loss(scores, ys, model.parameters())

    def backward(self, model: Any, loss: Any) -> None:
        model.zero_grad()
        loss.backward()

    def update(self, model: Any, lr: float) -> None:
        for p in model.parameters():
            p.data -= lr * p.grad

    def loss_value(self, loss: Any) -> float:
        return float(loss.data)

    def grads(self, model: Any) -> list[float]:
        return [float(p.grad) for p in model.parameters()]

    def leaf(self, x: float) -> Any:
        return self.Value(x)

    def backprop(self, root: Any) -> None:
        root.backward()

    def data(self, v: Any) -> float:
        return float(v.data)

    def grad(self, v: Any) -> float:
        return float(v.grad)


class Torch:
    """PyTorch on the CPU with one thread: every scalar a 0-d float64 tensor, the same
    expressions as micrograd's MLP (b + w0·x0 + w1·x1 + ..., relu), the same loss."""

    name = "torch"

    def __init__(self) -> None:
        import torch

        torch.set_num_threads(1)
        self.torch = torch

    def version(self) -> str:
        return str(self.torch.__version__)

    def model(self, init: Init) -> Any:
        t = self.torch
        return [
            [([t.tensor(w, dtype=t.float64, requires_grad=True) for w in ws],
              t.tensor(b, dtype=t.float64, requires_grad=True)) for ws, b in layer]
            for layer in init
        ]

    def parameters(self, model: Any) -> list[Any]:
        return [p for layer in model for ws, b in layer for p in (*ws, b)]

    def forward(self, model: Any, X: list[list[float]], ys: list[float]) -> Any:
        last = len(model) - 1
        scores = []
        for x in X:
            a: list[Any] = x
            for i, layer in enumerate(model):
                zs = [sum((w * xi for w, xi in zip(ws, a)), b) for ws, b in layer]
                a = zs if i == last else [z.relu() for z in zs]
            scores.append(a[0])
        return hinge_loss(scores, ys, self.parameters(model))

    def backward(self, model: Any, loss: Any) -> None:
        for p in self.parameters(model):
            p.grad = None
        loss.backward()

    def update(self, model: Any, lr: float) -> None:
        with self.torch.no_grad():
            for p in self.parameters(model):
                p -= lr * p.grad

    def loss_value(self, loss: Any) -> float:
        return float(loss.item())

    def grads(self, model: Any) -> list[float]:
        return [float(p.grad.item()) for p in self.parameters(model)]

    def leaf(self, x: float) -> Any:
        return self.torch.tensor(x, dtype=self.torch.float64, requires_grad=True)

    def backprop(self, root: Any) -> None:
        root.backward()

    def data(self, v: Any) -> float:
        return float(v.item())

    def grad(self, v: Any) -> float:
        return float(v.grad.item())


class Floats:
    """The limit: the same arithmetic by hand on Python floats, with the derivatives of this
    one network written out. No graph is recorded, so no engine can be faster."""

    name = "floats"

    def version(self) -> str:
        return f"Python {sys.version.split()[0]}"

    def model(self, init: Init) -> Any:
        # [layer][neuron] = [weights list, bias, weight grads list, bias grad]
        return [[[list(ws), b, [0.0] * len(ws), 0.0] for ws, b in layer] for layer in init]

    def forward(self, model: Any, X: list[list[float]], ys: list[float]) -> Any:
        """The loss, and what the backward pass needs: every layer's input and output."""
        last = len(model) - 1
        tapes = []
        scores = []
        for x in X:
            acts = [x]
            a = x
            for i, layer in enumerate(model):
                zs = []
                for ws, b, _, _ in layer:
                    z = b
                    for w, xi in zip(ws, a):
                        z = z + w * xi
                    zs.append(z)
                a = zs if i == last else [z if z > 0 else 0.0 for z in zs]
                acts.append(a)
            tapes.append(acts)
            scores.append(a[0])
        margins = [1 + -yi * si for yi, si in zip(ys, scores)]
        data_loss = sum(m if m > 0 else 0.0 for m in margins) * (1.0 / len(margins))
        reg = ALPHA * sum(p * p for layer in model for ws, b, _, _ in layer for p in (*ws, b))
        return data_loss + reg, tapes, margins, ys

    def backward(self, model: Any, loss: Any) -> None:
        _, tapes, margins, ys = loss
        scale = 1.0 / len(margins)
        last = len(model) - 1
        for layer in model:  # zero_grad, then the L2 term: d(α·p²)/dp = 2αp
            for neuron in layer:
                ws = neuron[0]
                neuron[2] = [ALPHA * w + ALPHA * w for w in ws]
                neuron[3] = ALPHA * neuron[1] + ALPHA * neuron[1]
        for acts, m, yi in zip(tapes, margins, ys):
            if m <= 0:
                continue
            deltas = [scale * -yi]  # d loss / d score for this sample
            for i in range(last, -1, -1):
                layer, a_in = model[i], acts[i]
                if i != last:  # through relu: pass where the output was positive
                    deltas = [d if out > 0 else 0.0 for d, out in zip(deltas, acts[i + 1])]
                back = [0.0] * len(a_in)
                for neuron, d in zip(layer, deltas):
                    if d == 0.0:
                        continue
                    ws, gws = neuron[0], neuron[2]
                    for k, xk in enumerate(a_in):
                        gws[k] += d * xk
                        back[k] += d * ws[k]
                    neuron[3] += d
                deltas = back

    def update(self, model: Any, lr: float) -> None:
        for layer in model:
            for neuron in layer:
                ws, gws = neuron[0], neuron[2]
                for k in range(len(ws)):
                    ws[k] -= lr * gws[k]
                neuron[1] -= lr * neuron[3]

    def loss_value(self, loss: Any) -> float:
        return float(loss[0])

    def grads(self, model: Any) -> list[float]:
        return [g for layer in model for _, _, gws, gb in layer for g in (*gws, gb)]


ENGINES: dict[str, Callable[[], Any]] = {
    "stepgrad": Stepgrad,
    "micrograd": Micrograd,
    "torch": Torch,
    "floats": Floats,
}


# --- chain and wide, for engines that record a graph, and by hand ------------------------

def chain(eng: Any, n: int) -> tuple[Any, Any]:
    """(leaf, root) of y = y·1.0001 + 0.0001 repeated n times from y = 1."""
    leaf = y = eng.leaf(1.0)
    for _ in range(n):
        y = y * CHAIN_FACTOR + CHAIN_SHIFT
    return leaf, y


def chain_floats(n: int) -> tuple[float, float]:
    """The chain by hand: (y, dy/dy₀), forward then the backward product."""
    y = 1.0
    for _ in range(n):
        y = y * CHAIN_FACTOR + CHAIN_SHIFT
    g = 1.0
    for _ in range(n):
        g = g * CHAIN_FACTOR
    return y, g


def wide(eng: Any, a: list[float], b: list[float]) -> tuple[list[Any], list[Any], Any]:
    """Leaves and root of the pairwise sum of aᵢ·bᵢ."""
    xs = [eng.leaf(v) for v in a]
    ys = [eng.leaf(v) for v in b]
    return xs, ys, pairwise_sum([x * y for x, y in zip(xs, ys)])


def wide_floats(a: list[float], b: list[float]) -> tuple[float, list[float], list[float]]:
    """By hand: the sum, then ∂/∂aᵢ = bᵢ and ∂/∂bᵢ = aᵢ."""
    total = pairwise_sum([x * y for x, y in zip(a, b)])
    return total, [1.0 * y for y in b], [1.0 * x for x in a]


# --- results, and checking them ----------------------------------------------------------

def moons_result(eng: Any, init: Init, X: list[list[float]], ys: list[float]) -> list[float]:
    """[loss, every gradient in micrograd's parameter order] after one forward + backward."""
    model = eng.model(init)
    loss = eng.forward(model, X, ys)
    eng.backward(model, loss)
    return [eng.loss_value(loss), *eng.grads(model)]


def chain_result(eng: Any, n: int) -> list[float]:
    """[y, dy/dy₀] of the chain, by the engine's backward."""
    if isinstance(eng, Floats):
        return list(chain_floats(n))
    leaf, root = chain(eng, n)
    eng.backprop(root)
    return [eng.data(root), eng.grad(leaf)]


def wide_result(eng: Any, n: int) -> list[float]:
    """[sum, every ∂/∂aᵢ, every ∂/∂bᵢ] of the wide workload."""
    a, b = wide_data(n)
    if isinstance(eng, Floats):
        total, ga, gb = wide_floats(a, b)
        return [total, *ga, *gb]
    xs, ys, root = wide(eng, a, b)
    eng.backprop(root)
    return [eng.data(root), *(eng.grad(v) for v in xs), *(eng.grad(v) for v in ys)]


def compare(reference: list[float], other: list[float], rel: float = 1e-9) -> list[str]:
    """Where ``other`` differs from ``reference`` by more than ``rel`` relative: one line each.

    Entry 0 is the loss (or the output), the rest are gradients. Purely relative: a
    gradient that is exactly 0 (a dead relu) must be exactly 0 everywhere.
    """
    if len(reference) != len(other):
        return [f"{len(other)} numbers, expected {len(reference)}"]
    problems = []
    for i, (r, o) in enumerate(zip(reference, other)):
        if not math.isclose(o, r, rel_tol=rel):
            what = "loss" if i == 0 else f"gradient {i - 1}"
            problems.append(f"{what}: {o!r}, expected {r!r}")
    return problems


def add_checkout(path: str | Path) -> None:
    """Import ``engine`` and ``nn`` from another checkout (for before/after comparisons)."""
    sys.path.insert(0, str(Path(path).resolve()))
    for name in [m for m in sys.modules if m.split(".")[0] in ("engine", "nn")]:
        del sys.modules[name]


# --- digits: a real data set, trained with the compiled step ----------------------------------

DIGITS_HIDDEN = 32
DIGITS_PER_CLASS = 5   # a batch: 5 samples of each class, in class order (50 samples)
DIGITS_LR = 0.01
DIGITS_EPOCHS = 12


def digits_data() -> tuple[list[list[float]], list[int], list[list[float]], list[int]]:
    """scikit-learn's bundled 8×8 digits (no download), pixels scaled to [0, 1]; the
    training three quarters and the held-out quarter, stratified and seeded."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X, y = (digits.data / 16.0).tolist(), [int(t) for t in digits.target]
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    return Xtr, ytr, Xte, yte


def digits_batches(labels: Sequence[int], rng: random.Random,
                   per_class: int = DIGITS_PER_CLASS) -> list[list[int]]:
    """One epoch of batches that all hold ``per_class`` samples of each class in the same
    order (so every batch has the same graph: one compiled step serves them all)."""
    order = [rng.sample(idx, len(idx)) for idx in
             ([i for i, t in enumerate(labels) if t == c] for c in range(10))]
    n = min(len(o) for o in order) // per_class
    return [[order[c][b * per_class + k] for k in range(per_class) for c in range(10)]
            for b in range(n)]


def digits_train(epochs: int, compiled: bool = True) -> dict[str, Any]:
    """Train MLP(64, [32, 10]) with cross-entropy and Adam; times and held-out accuracy."""
    import time

    import engine
    import nn

    Xtr, ytr, Xte, yte = digits_data()
    model = nn.MLP(64, [DIGITS_HIDDEN, 10], seed=0)
    opt = nn.Adam(model.parameters(), lr=DIGITS_LR)
    labels = [c for _ in range(DIGITS_PER_CLASS) for c in range(10)]

    def loss_fn(xs: list[list[float]]) -> Any:
        return nn.cross_entropy([model(x) for x in xs], labels)

    rng = random.Random(0)
    t0 = time.perf_counter()
    step = engine.compile(loss_fn, [Xtr[i] for i in digits_batches(ytr, random.Random(0))[0]])
    t1 = time.perf_counter()
    losses, steps = [], 0
    for _ in range(epochs):
        total = 0.0
        batches = digits_batches(ytr, rng)
        for batch in batches:
            opt.zero_grad()
            xs = [Xtr[i] for i in batch]
            if compiled:
                total += step(xs)
            else:
                loss = loss_fn(xs)
                loss.backward()
                total += loss.data
            opt.step()
            steps += 1
        losses.append(total / len(batches))
    t2 = time.perf_counter()
    with engine.no_grad():
        right = 0
        for x, t in zip(Xte, yte):
            scores = [v.data for v in model(x)]  # type: ignore[union-attr]
            right += scores.index(max(scores)) == t
    return {"compile": t1 - t0, "train": t2 - t1, "steps": steps, "losses": losses,
            "accuracy": right / len(Xte), "retraces": step.retraces,
            "fallbacks": step.fallbacks}
