"""nn's losses and optimizers against PyTorch float64 at extreme inputs, value and gradient.

Hypothesis draws the inputs from the edges where implementations part ways: logits from ±1e3
to ±1e308, probabilities 0, 1e-300, 1e-15, 1 − 1e-16 and 1, learning rates from 1e-300 to
1e3. Where PyTorch's result is finite, nn's must agree with it to a tolerance derived from
float64 rounding (a few units in the last place of the numbers that are added or
subtracted); where PyTorch's is inf or nan, nn must raise an error naming the function (it
never returns a non-finite number) or, for a mean whose sum alone overflows, give the finite
mean.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import nn
from engine import Value

torch = pytest.importorskip("torch")
F = torch.nn.functional
torch.set_num_threads(1)

EPS = 2.0**-52

# --- strategies --------------------------------------------------------------------------

EXTREME_MAGNITUDES = [0.0, 1e-300, 5e-324, 1.0, 1e3, 1e10, 1e16, 1e100, 1e200, 1e307, 1e308,
                      1.7976931348623157e308]
signed_extremes = st.sampled_from(EXTREME_MAGNITUDES).flatmap(
    lambda m: st.sampled_from([m, -m]))
logits = st.one_of(
    st.floats(-1e3, 1e3),
    signed_extremes,
    st.floats(-1e308, 1e308),
    st.integers(-308, 308).map(lambda e: 10.0**e).flatmap(lambda m: st.sampled_from([m, -m])),
)
EDGE_PROBABILITIES = [0.0, 1e-300, 5e-324, 1e-15, 1e-12, 1e-6, 0.5, 1 - 1e-6, 1 - 1e-12,
                      1 - 1e-15, 1 - 1e-16, 1.0]
probabilities = st.one_of(st.sampled_from(EDGE_PROBABILITIES), st.floats(0.0, 1.0))
targets01 = st.one_of(st.sampled_from([0.0, 1.0, 0.5, 1e-300, 1 - 1e-16]), st.floats(0.0, 1.0))
learning_rates = st.one_of(st.sampled_from([1e-300, 1e-100, 1e-8, 1e-3, 0.1, 1.0, 10.0, 1e3]),
                           st.floats(-300, 3).map(lambda e: 10.0**e))


def t64(xs: list[float], grad: bool = False) -> Any:
    return torch.tensor(xs, dtype=torch.float64, requires_grad=grad)


def near(got: float, want: float, abs_: float, rel: float = 8 * EPS) -> bool:
    return abs(got - want) <= abs_ + rel * abs(want)


def run_nn(loss: Callable[..., Value], xs: list[float],
           *rest: Any) -> tuple[float, list[float]] | None:
    """nn's loss and gradient; None when nn refused with an error that names the loss."""
    vs = [Value(x) for x in xs]
    try:
        out = loss(vs, *rest)
    except (OverflowError, ValueError) as error:
        assert loss.__name__ in str(error)
        return None
    out.backward()
    return out.data, [v.grad for v in vs]


def run_torch(loss: Callable[..., Any], xs: list[float], *rest: Any) -> tuple[float,
                                                                               list[float]]:
    x = t64(xs, grad=True)
    out = loss(x, *rest)
    out.backward()
    return out.item(), x.grad.tolist()


def check(mine: tuple[float, list[float]] | None, theirs: tuple[float, list[float]],
          value_abs: float, grad_abs: list[float], exact_mean: float | None = None) -> None:
    want, want_grads = theirs
    if not math.isfinite(want):
        # PyTorch overflowed: nn raised naming the loss, or gave the finite mean.
        if mine is not None:
            assert exact_mean is not None and math.isfinite(exact_mean), (mine, exact_mean)
            assert near(mine[0], exact_mean, value_abs, 1e-12), (mine, exact_mean)
        return
    assert mine is not None, f"nn refused where PyTorch gives {want}"
    got, got_grads = mine
    assert near(got, want, value_abs), (got, want)
    for g, w, tol in zip(got_grads, want_grads, grad_abs):
        assert near(g, w, tol), (got_grads, want_grads)


# --- losses ----------------------------------------------------------------------------------

@given(st.lists(st.tuples(logits, logits), min_size=1, max_size=4))
def test_mse_loss(pairs: list[tuple[float, float]]) -> None:
    ps, ts = [p for p, _ in pairs], [t for _, t in pairs]
    n = len(ps)
    theirs = run_torch(F.mse_loss, ps, t64(ts))
    mine = run_nn(nn.mse_loss, ps, ts)
    check(mine, theirs, value_abs=0.0,
          grad_abs=[4 * EPS * abs(p - t) / n for p, t in pairs],
          exact_mean=_exact(sum((Fraction(p) - Fraction(t)) ** 2 for p, t in pairs) / n))


def _exact(x: Fraction) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf


def mean_of(terms: list[float]) -> float:
    """The exact mean of per-sample losses (inf if one of them is inf)."""
    if not all(math.isfinite(t) for t in terms):
        return math.inf
    return _exact(sum(Fraction(t) for t in terms) / len(terms))


@given(st.lists(st.tuples(probabilities, targets01), min_size=1, max_size=4))
@example([(0.0, 1.0), (1.0, 0.0), (1.0, 1.0), (1e-15, 1.0), (1 - 1e-16, 1.0)])
@example([(1e-10, 0.0)]).via("log1p(-p), not log(1 - p)")
def test_binary_cross_entropy(pairs: list[tuple[float, float]]) -> None:
    ps, ts = [p for p, _ in pairs], [t for _, t in pairs]
    n = len(ps)
    theirs = run_torch(F.binary_cross_entropy, ps, t64(ts))
    mine = run_nn(nn.binary_cross_entropy, ps, ts)
    # The gradient away from 0 and 1 is −t/p + (1 − t)/(1 − p), PyTorch's (p − t)/(p(1 − p)):
    # equal up to the rounding of the two terms that cancel.
    grad_abs = [8 * EPS * (t / p + (1 - t) / (1 - p)) / n if 0 < p < 1 else 0.0
                for p, t in pairs]
    terms = sum(abs(t * max(math.log(p), -100)) if p > 0 else 100 * t for p, t in pairs)
    check(mine, theirs, value_abs=4 * EPS * (terms + 100) / n, grad_abs=grad_abs)


@given(st.lists(st.tuples(logits, targets01), min_size=1, max_size=4))
@example([(40.0, 1.0)]).via("loss 4.2e-18, not 0")
@example([(-40.0, 0.0), (1e308, 1.0)])
@example([(-1e308, 0.0), (1e308, 0.3)])
def test_binary_cross_entropy_with_logits(pairs: list[tuple[float, float]]) -> None:
    zs, ts = [z for z, _ in pairs], [t for _, t in pairs]
    n = len(zs)
    theirs = run_torch(F.binary_cross_entropy_with_logits, zs, t64(ts))
    mine = run_nn(nn.binary_cross_entropy_with_logits, zs, ts)
    # PyTorch forms (1 − t)·z − log σ(z): for z < 0 that cancels terms of size |z|; the
    # softplus part is taken relative to itself (z = 40, t = 1 gives 4.2e-18, not 0).
    scale = sum(((1 - t) * z if z >= 0 else -z) + math.log1p(math.exp(-abs(z)))
                for z, t in pairs)
    terms = [((1 - t) * z if z >= 0 else -t * z) + math.log1p(math.exp(-abs(z)))
             for z, t in pairs]
    check(mine, theirs, value_abs=8 * EPS * scale / n, grad_abs=[4 * EPS / n] * n,
          exact_mean=mean_of(terms))


@given(st.integers(2, 4).flatmap(lambda k: st.tuples(
    st.lists(st.lists(logits, min_size=k, max_size=k), min_size=1, max_size=3),
    st.lists(st.integers(0, k - 1), min_size=3, max_size=3))))
@example(([[1e308, 1e308]], [0, 0, 0]))
@example(([[1e308, -1e308]], [0, 0, 0]))
@example(([[1e16, 1e16, 1e16 - 1]], [0, 0, 0]))
@example(([[1e308, -1e308], [-1e308, 1e308]], [1, 0, 0]))
def test_cross_entropy(drawn: tuple[list[list[float]], list[int]]) -> None:
    rows, classes = drawn
    classes = classes[:len(rows)]
    n, k = len(rows), len(rows[0])
    flat = [z for row in rows for z in row]
    x = t64(rows, grad=True)
    out = F.cross_entropy(x, torch.tensor(classes))
    out.backward()
    theirs = (out.item(), x.grad.flatten().tolist())
    vs = [[Value(z) for z in row] for row in rows]
    mine: tuple[float, list[float]] | None = None
    try:
        loss = nn.cross_entropy(vs, classes)
    except OverflowError as error:
        assert "cross_entropy" in str(error)
    else:
        loss.backward()
        mine = (loss.data, [v.grad for row in vs for v in row])
    terms = []
    for row, c in zip(rows, classes):
        m = max(row)
        terms.append(math.log(math.fsum(math.exp(z - m) for z in row if z - m > -800)) -
                     (row[c] - m))
    # Each row's loss is log Σ exp(zⱼ − m) − (z_c − m): the roundings are relative to |z_c − m|
    # (and to the logits themselves where PyTorch forms the differences in another order).
    scale = sum(abs(max(row) - row[c]) + 2 * math.log(k) for row, c in zip(rows, classes))
    spread = max(abs(z) for z in flat)
    check(mine, theirs, value_abs=8 * EPS * (scale + spread) / n,
          grad_abs=[8 * EPS * k / n] * len(flat), exact_mean=mean_of(terms))


@given(st.lists(logits, min_size=1, max_size=5), st.lists(st.floats(-2, 2), min_size=5,
                                                           max_size=5))
def test_softmax(zs: list[float], weights: list[float]) -> None:
    weights = weights[:len(zs)]
    x = t64(zs, grad=True)
    out = torch.softmax(x, dim=0)
    (out * t64(weights)).sum().backward()
    vs = [Value(z) for z in zs]
    ps = nn.softmax(vs)
    total = ps[0] * weights[0]
    for p, w in zip(ps[1:], weights[1:]):
        total = total + p * w
    total.backward()
    for p, want in zip(ps, out.tolist()):
        assert near(p.data, want, 4 * EPS)
    for v, want in zip(vs, x.grad.tolist()):
        assert near(v.grad, want, 16 * EPS * len(zs))


@given(st.lists(st.tuples(logits, st.sampled_from([1.0, -1.0])), min_size=1, max_size=4))
def test_hinge_loss(pairs: list[tuple[float, float]]) -> None:
    ss, ts = [s for s, _ in pairs], [t for _, t in pairs]
    theirs = run_torch(lambda s, t: torch.relu(1 - t * s).mean(), ss, t64(ts))
    mine = run_nn(nn.hinge_loss, ss, ts)
    check(mine, theirs, value_abs=4 * EPS * sum(abs(s) + 1 for s in ss),
          grad_abs=[0.0] * len(ss),
          exact_mean=mean_of([max(0.0, 1 - t * s) for s, t in pairs]))


# --- optimizers ------------------------------------------------------------------------------
# Marked slow: the first torch optimizer built imports torch's compiler (about 2 s). They run
# in make test and CI; the everyday loop checks the same update rules without torch
# (tests/test_nn_optim.py).

params = st.lists(st.one_of(st.floats(-1e3, 1e3), st.sampled_from([0.0, -0.0, 1e-300, 1e100])),
                  min_size=1, max_size=3)
sgd_grads = st.one_of(st.floats(-1e3, 1e3), signed_extremes)
adam_grads = st.one_of(st.floats(-1e3, 1e3), st.sampled_from(
    [0.0, 1e-300, -1e-300, 1e-100, 1e100, -1e150, 5e-324]))


def _compare_steps(make_mine: Callable[[list[Value]], nn.Optimizer],
                   make_theirs: Callable[[list[Any]], Any], data: list[float],
                   grads: list[list[float]]) -> None:
    mine = [Value(d) for d in data]
    theirs = [t64([d], grad=True) for d in data]
    opt, topt = make_mine(mine), make_theirs(theirs)
    drift = [0.0] * len(data)
    for step in grads:
        for p, tp, g in zip(mine, theirs, step):
            p.grad = g
            tp.grad = t64([g])
        before = [p.data for p in mine]
        their_before = [tp.item() for tp in theirs]
        topt.step()
        want = [tp.item() for tp in theirs]
        if not all(math.isfinite(w) for w in want):
            with pytest.raises(ArithmeticError, match=r"(SGD|Adam)\.step"):
                opt.step()
            assert [p.data for p in mine] == before      # nothing changed
            return
        opt.step()
        for i, (p, w, b, tb) in enumerate(zip(mine, want, before, their_before)):
            # A few ulps of the parameters and of the updates per step, added up over the
            # steps (PyTorch's add with alpha is a fused multiply-add: it rounds once where
            # p − lr·g rounds twice, and the difference is carried to the next steps).
            drift[i] += 4 * EPS * (abs(b) + abs(w) + abs(p.data - b) + abs(w - tb))
            assert near(p.data, w, drift[i], 1e-12), (p.data, w)


@pytest.mark.slow
@given(params, st.lists(st.lists(sgd_grads, min_size=3, max_size=3), min_size=1, max_size=4),
       learning_rates, st.sampled_from([0.0, 0.5, 0.9]), st.sampled_from([0.0, 0.1]),
       st.booleans(), st.sampled_from([0.0, 1e-4, 1.0]))
@example([0.0], [[1000.0, 0.0, 0.0], [-1000.0, 0.0, 0.0], [0.0, 0.0, 0.0]], 1e-300, 0.0, 0.0,
         False, 0.0).via("PyTorch's fused multiply-add leaves -1.5e-314, nn 0.0")
def test_sgd(data: list[float], grads: list[list[float]], lr: float, momentum: float,
             dampening: float, nesterov: bool, weight_decay: float) -> None:
    if nesterov and (momentum == 0 or dampening != 0):
        nesterov = False
    kwargs = {"lr": lr, "momentum": momentum, "dampening": dampening, "nesterov": nesterov,
              "weight_decay": weight_decay}
    _compare_steps(lambda ps: nn.SGD(ps, **kwargs),
                   lambda ps: torch.optim.SGD(ps, **kwargs, foreach=False), data, grads)


@pytest.mark.slow
@given(params, st.lists(st.lists(adam_grads, min_size=3, max_size=3), min_size=1, max_size=4),
       learning_rates, st.sampled_from([(0.9, 0.999), (0.0, 0.0), (0.5, 0.9)]),
       st.sampled_from([1e-8, 1e-300, 1.0]), st.sampled_from([0.0, 1e-2]))
def test_adam(data: list[float], grads: list[list[float]], lr: float,
              betas: tuple[float, float], eps: float, weight_decay: float) -> None:
    kwargs = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
    _compare_steps(lambda ps: nn.Adam(ps, **kwargs),
                   lambda ps: torch.optim.Adam(ps, **kwargs, foreach=False), data, grads)
