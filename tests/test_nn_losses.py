"""Losses: values by hand, gradients against PyTorch's formulas and central differences.

The reference values and gradients below are written from the definitions in PyTorch's
documentation (reduction="mean"), independently of nn/losses.py:

    mse_loss                          (1/n) Σ (p − t)²              ∂/∂p = 2(p − t)/n
    binary_cross_entropy              −(1/n) Σ t log p + (1−t) log(1−p), logs clamped ≥ −100
                                                                    ∂/∂p = (p − t)/(p(1−p)n)
    binary_cross_entropy_with_logits  (1/n) Σ max(z,0) − z t + log(1 + e^−|z|)
                                                                    ∂/∂z = (σ(z) − t)/n
    cross_entropy                     (1/n) Σ logsumexp(zᵢ) − zᵢ[cᵢ]
                                                          ∂/∂zᵢ = (softmax(zᵢ) − onehot(cᵢ))/n
    hinge_loss                        (1/n) Σ max(0, 1 − t s)       ∂/∂s = −t/n inside the margin
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engine import Value, gradcheck
from nn import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
    softmax,
)

finite = {"allow_nan": False, "allow_infinity": False}
reals = st.floats(-10, 10, **finite)
logits = st.floats(-30, 30, **finite)
probs = st.floats(0.01, 0.99, **finite)
unit = st.floats(0, 1, **finite)


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def close(a: float, b: float, rel: float = 1e-12, abs_: float = 1e-12) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b)) + abs_


def grads_of(loss_fn: Callable[[list[Value]], Value], xs: list[float]) -> tuple[float,
                                                                                  list[float]]:
    vs = [Value(x) for x in xs]
    loss = loss_fn(vs)
    loss.backward()
    return loss.data, [v.grad for v in vs]


paired = st.integers(1, 6).flatmap(
    lambda n: st.tuples(st.lists(reals, min_size=n, max_size=n),
                        st.lists(reals, min_size=n, max_size=n)))


# --- mse_loss ---------------------------------------------------------------------------

def test_mse_by_hand() -> None:
    value, grads = grads_of(lambda p: mse_loss(p, [1.0, -1.0, 0.0]), [3.0, -1.0, 0.5])
    assert value == (4.0 + 0.0 + 0.25) / 3
    assert grads == pytest.approx([2 * 2.0 / 3, 0.0, 2 * 0.5 / 3], rel=1e-15)


@given(paired)
def test_mse_matches_formula_and_central_differences(pt: tuple[list[float], list[float]]
                                                     ) -> None:
    ps, ts = pt
    n = len(ps)
    value, grads = grads_of(lambda p: mse_loss(p, ts), ps)
    assert close(value, sum((p - t) ** 2 for p, t in zip(ps, ts)) / n)
    for g, p, t in zip(grads, ps, ts):
        assert close(g, 2 * (p - t) / n)
    assert gradcheck(lambda *p: mse_loss(list(p), ts), ps)
    # Targets may be Values too; the gradient then flows into them with the opposite sign.
    assert gradcheck(lambda *v: mse_loss(list(v[:n]), list(v[n:])), ps + ts)


# --- binary_cross_entropy ---------------------------------------------------------------

def test_bce_by_hand() -> None:
    value, grads = grads_of(lambda p: binary_cross_entropy(p, [1.0, 0.0]), [0.8, 0.25])
    assert value == pytest.approx(-(math.log(0.8) + math.log(0.75)) / 2, rel=1e-15)
    assert grads == pytest.approx([(0.8 - 1) / (0.8 * 0.2 * 2), 0.25 / (0.25 * 0.75 * 2)],
                                  rel=1e-14)
    assert binary_cross_entropy(0.5, 1.0).data == pytest.approx(math.log(2), rel=1e-15)


@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(probs, min_size=n, max_size=n), st.lists(unit, min_size=n, max_size=n))))
def test_bce_matches_formula_and_central_differences(pt: tuple[list[float], list[float]]
                                                     ) -> None:
    ps, ts = pt
    n = len(ps)
    value, grads = grads_of(lambda p: binary_cross_entropy(p, ts), ps)
    expected = -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in zip(ps, ts)) / n
    assert close(value, expected, abs_=1e-14)
    for g, p, t in zip(grads, ps, ts):
        assert close(g, (p - t) / (p * (1 - p) * n), rel=1e-10, abs_=1e-12)
    assert gradcheck(lambda *p: binary_cross_entropy(list(p), ts), ps)


def test_bce_clamps_each_log_at_minus_100_as_pytorch() -> None:
    assert binary_cross_entropy([0.0, 1.0], [1.0, 0.0]).data == 100.0
    assert binary_cross_entropy([0.0, 1.0], [0.0, 1.0]).data == 0.0
    assert binary_cross_entropy([1e-50], [1.0]).data == 100.0        # log(1e-50) < -100


# PyTorch float64 (torch 2.13): loss and gradient of binary_cross_entropy([p], [t]), where
# the backward divides by max(p(1 − p), 1e-12) with 1e-12 a C float.
@pytest.mark.parametrize(("p", "t", "loss", "grad"), [
    (0.0, 1.0, 100.0, -1000000003995.8029),
    (1.0, 0.0, 100.0, 1000000003995.8029),
    (1.0, 1.0, 0.0, 0.0),
    (1e-15, 1.0, 34.538776394910684, -1000000003995.8018),
    (1 - 1e-16, 1.0, 1.1102230246251565e-16, -0.00011102230290613889),
    (1e-10, 0.0, 1.00000000005e-10, 1.0000000001),
    (1e-10, 1.0, 23.025850929940457, -10000000000.0),
    (0.3, 0.7, 0.949783446209775, -1.9047619047619047),
])
def test_bce_equals_pytorch_at_the_edges(p: float, t: float, loss: float, grad: float) -> None:
    x = Value(p)
    out = binary_cross_entropy([x], [t])
    out.backward()
    assert close(out.data, loss, rel=1e-15, abs_=0.0)
    assert close(x.grad, grad, rel=1e-14, abs_=0.0)


def test_bce_gradient_where_p_is_near_t_is_within_its_documented_bound() -> None:
    # The docstring's example: −t/p + (1 − t)/(1 − p) cancels, so the gradient differs from
    # the exact (p − t)/(p(1 − p)) (PyTorch's, −6.846465416308774e-11) by 1.3e-6, relatively;
    # the difference stays within 8·2⁻⁵² of t/p + (1 − t)/(1 − p), as documented.
    p, t = 0.853269706410332, 0.8532697064189038
    x = Value(p)
    out = binary_cross_entropy([x], [t])
    out.backward()
    exact = (p - t) / (p * (1 - p))
    assert x.grad == -6.846456734876938e-11
    assert 1e-6 < abs(x.grad - exact) / abs(exact) < 2e-6
    assert abs(x.grad - exact) <= 8 * 2.0**-52 * (t / p + (1 - t) / (1 - p))


@pytest.mark.parametrize("bad", [-0.5, 2.0, 1.0000001])
def test_bce_rejects_targets_outside_zero_one(bad: float) -> None:
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: targets\[1\] must be in "
                                         r"\[0, 1\] \(as in PyTorch\), got "):
        binary_cross_entropy([0.5, 0.5], [1.0, bad])


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_bce_rejects_probabilities_outside_zero_one(bad: float) -> None:
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: probs\[1\] must be a "
                                         r"probability in \[0, 1\], got .*\.sigmoid\(\)"):
        binary_cross_entropy([0.5, Value(bad)], [1.0, 0.0])


# --- binary_cross_entropy_with_logits ---------------------------------------------------

def bce_logits_reference(z: float, t: float) -> float:
    return max(z, 0.0) - z * t + math.log1p(math.exp(-abs(z)))


@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(logits, min_size=n, max_size=n), st.lists(unit, min_size=n, max_size=n))))
def test_bce_with_logits_matches_formula_and_central_differences(
        zt: tuple[list[float], list[float]]) -> None:
    zs, ts = zt
    n = len(zs)
    value, grads = grads_of(lambda z: binary_cross_entropy_with_logits(z, ts), zs)
    assert close(value, sum(bce_logits_reference(z, t) for z, t in zip(zs, ts)) / n,
                 rel=1e-12, abs_=1e-14)
    for g, z, t in zip(grads, zs, ts):
        assert close(g, (sigmoid(z) - t) / n, rel=1e-9, abs_=1e-15)
    assert gradcheck(lambda *z: binary_cross_entropy_with_logits(list(z), ts), zs)


@given(st.floats(-15, 15, **finite), unit)
def test_bce_with_logits_equals_bce_of_the_sigmoid(z: float, t: float) -> None:
    a = binary_cross_entropy_with_logits([z], [t]).data
    b = binary_cross_entropy([sigmoid(z)], [t]).data
    assert close(a, b, rel=1e-9, abs_=1e-12)


@pytest.mark.parametrize(("z", "t", "loss", "grad"), [
    (1000.0, 1.0, 0.0, 0.0), (1000.0, 0.0, 1000.0, 1.0),
    (-1000.0, 1.0, 1000.0, -1.0), (-1000.0, 0.0, 0.0, 0.0),
    (0.0, 1.0, math.log(2), -0.5), (0.0, 0.0, math.log(2), 0.5), (0.0, 0.25, math.log(2), 0.25),
])
def test_bce_with_logits_is_stable_and_exact_at_extremes_and_zero(
        z: float, t: float, loss: float, grad: float) -> None:
    v = Value(z)
    out = binary_cross_entropy_with_logits(v, t)
    out.backward()
    assert out.data == pytest.approx(loss, rel=1e-15, abs=0)
    assert v.grad == pytest.approx(grad, rel=1e-15, abs=0)


# --- softmax and cross_entropy ----------------------------------------------------------

rows = st.integers(2, 4).flatmap(lambda c: st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(st.lists(reals, min_size=c, max_size=c), min_size=n, max_size=n),
    st.lists(st.integers(0, c - 1), min_size=n, max_size=n))))


def reference_softmax(zs: list[float]) -> list[float]:
    m = max(zs)
    es = [math.exp(z - m) for z in zs]
    return [e / sum(es) for e in es]


def test_softmax_by_hand() -> None:
    s = softmax([0.0, math.log(3.0)])
    assert [p.data for p in s] == pytest.approx([0.25, 0.75], rel=1e-15)


@given(st.lists(reals, min_size=1, max_size=5), st.data())
def test_softmax_values_and_jacobian(zs: list[float], data: st.DataObject) -> None:
    j = data.draw(st.integers(0, len(zs) - 1))
    vs = [Value(z) for z in zs]
    out = softmax(vs)
    s = reference_softmax(zs)
    assert all(close(o.data, e, abs_=1e-15) for o, e in zip(out, s))
    assert close(sum(o.data for o in out), 1.0)
    out[j].backward()
    for k, v in enumerate(vs):        # ∂sⱼ/∂zₖ = sⱼ(δⱼₖ − sₖ)
        assert close(v.grad, s[j] * ((j == k) - s[k]), rel=1e-9, abs_=1e-14)
    assert gradcheck(lambda *z: softmax(list(z))[j], zs)


def test_softmax_is_stable_for_huge_logits() -> None:
    assert [p.data for p in softmax([1000.0, 1000.0, -1000.0])] == [0.5, 0.5, 0.0]


def test_cross_entropy_by_hand() -> None:
    rows_ = [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]
    value, grads = grads_of(lambda v: cross_entropy([v[:3], v[3:]], [2, 0]),
                            rows_[0] + rows_[1])
    lse = math.log(math.e + math.e**2 + math.e**3)
    assert value == pytest.approx(((lse - 3.0) + math.log(3.0)) / 2, rel=1e-15)
    s = reference_softmax(rows_[0])
    expected = [s[0] / 2, s[1] / 2, (s[2] - 1) / 2, (1 / 3 - 1) / 2, 1 / 6, 1 / 6]
    assert grads == pytest.approx(expected, rel=1e-13)


@given(rows)
def test_cross_entropy_matches_formula_and_central_differences(
        rc: tuple[list[list[float]], list[int]]) -> None:
    rows_, classes = rc
    n, c = len(rows_), len(rows_[0])
    flat = [z for row in rows_ for z in row]

    def loss(v: list[Value]) -> Value:
        return cross_entropy([v[i * c:(i + 1) * c] for i in range(n)], classes)

    value, grads = grads_of(loss, flat)
    expected = 0.0
    for row, k in zip(rows_, classes):
        m = max(row)
        expected += m + math.log(sum(math.exp(z - m) for z in row)) - row[k]
    assert close(value, expected / n, rel=1e-12, abs_=1e-13)
    for i, (row, k) in enumerate(zip(rows_, classes)):
        s = reference_softmax(row)
        for j in range(c):
            assert close(grads[i * c + j], (s[j] - (j == k)) / n, rel=1e-9, abs_=1e-14)
    assert gradcheck(lambda *v: loss(list(v)), flat)


def test_cross_entropy_is_stable_for_huge_logits() -> None:
    z = [Value(1000.0), Value(0.0), Value(-1000.0)]
    loss = cross_entropy([z, [1000.0, 0.0, -1000.0]], [0, 1])
    assert loss.data == 500.0
    loss.backward()
    assert [v.grad for v in z] == [0.0, 0.0, 0.0]


def test_cross_entropy_accepts_one_row_with_one_index() -> None:
    assert cross_entropy([0.0, 0.0], 1).data == pytest.approx(math.log(2), rel=1e-15)


@pytest.mark.parametrize("index", [3, -1, 10])
def test_cross_entropy_rejects_class_indices_out_of_range(index: int) -> None:
    with pytest.raises(ValueError, match=rf"^cross_entropy: class_indices\[1\] must be a whole "
                                         rf"number in \[0, 2\], got {index}$"):
        cross_entropy([[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]], [0, index])


@pytest.mark.parametrize("index", [1.0, True, "1", None])
def test_cross_entropy_rejects_class_indices_that_are_not_ints(index: object) -> None:
    with pytest.raises(TypeError, match=r"^cross_entropy: class_indices\[0\] must be a whole "
                                        r"number in \[0, 1\], got "):
        cross_entropy([[1.0, 2.0]], [index])  # type: ignore[list-item]


def test_cross_entropy_rejects_ragged_and_empty_rows() -> None:
    with pytest.raises(ValueError, match=r"logit_rows\[1\] must have 3 logits \(as "
                                         r"logit_rows\[0\] has\), got 2"):
        cross_entropy([[1.0, 2.0, 3.0], [0.0, 1.0]], [0, 0])
    with pytest.raises(ValueError, match=r"logit_rows\[0\] must be a list of logits .*, got "
                                         r"an empty one"):
        cross_entropy([[]], [0])


# --- hinge_loss -------------------------------------------------------------------------

def test_hinge_by_hand() -> None:
    value, grads = grads_of(lambda s: hinge_loss(s, [1, -1, 1, -1]), [0.25, 0.5, 2.0, -3.0])
    assert value == (0.75 + 1.5 + 0.0 + 0.0) / 4
    assert grads == [-0.25, 0.25, 0.0, 0.0]


@given(st.integers(1, 6).flatmap(lambda n: st.tuples(
    st.lists(reals, min_size=n, max_size=n),
    st.lists(st.sampled_from([1, -1]), min_size=n, max_size=n))))
def test_hinge_matches_formula_and_central_differences(st_: tuple[list[float], list[int]]
                                                       ) -> None:
    ss, ts = st_
    assume(all(abs(1 - t * s) > 1e-3 for s, t in zip(ss, ts)))   # away from the kink
    n = len(ss)
    value, grads = grads_of(lambda s: hinge_loss(s, ts), ss)
    assert close(value, sum(max(0.0, 1 - t * s) for s, t in zip(ss, ts)) / n)
    assert grads == [(-t / n if 1 - t * s > 0 else 0.0) for s, t in zip(ss, ts)]
    assert gradcheck(lambda *s: hinge_loss(list(s), ts), ss)


def test_hinge_gradient_is_zero_exactly_at_the_margin() -> None:
    s = Value(1.0)
    hinge_loss([s], [1]).backward()
    assert s.grad == 0.0              # relu'(0) = 0, as torch.relu


@pytest.mark.parametrize("bad", [0, 0.5, 2, Value(0.0)])
def test_hinge_rejects_targets_other_than_plus_minus_one(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^hinge_loss: targets\[1\] must be 1 or -1, got "):
        hinge_loss([0.1, 0.2], [1, bad])  # type: ignore[list-item]


# --- shared behaviour -------------------------------------------------------------------

two_arg_losses = [
    (mse_loss, [0.2, 0.4], [1.0, 0.0]),
    (binary_cross_entropy, [0.2, 0.4], [1.0, 0.0]),
    (binary_cross_entropy_with_logits, [0.2, 0.4], [1.0, 0.0]),
    (hinge_loss, [0.2, 0.4], [1, -1]),
]


@pytest.mark.parametrize(("loss", "preds", "targets"), two_arg_losses)
def test_length_mismatch_raises(loss: Callable[..., Value], preds: list[float],
                                targets: list[float]) -> None:
    with pytest.raises(ValueError, match=f"^{loss.__name__}: targets must have one entry per "
                                         f"entry of .* \\(2\\), got 1$"):
        loss(preds, targets[:1])
    with pytest.raises(ValueError, match="must hold at least one sample, got none"):
        loss([], [])


def test_cross_entropy_length_mismatch_raises() -> None:
    with pytest.raises(ValueError, match=r"^cross_entropy: class_indices must have one entry "
                                         r"per row of logit_rows \(2\), got 1$"):
        cross_entropy([[1.0, 2.0], [2.0, 1.0]], [0])


@pytest.mark.parametrize(("loss", "preds", "targets"), two_arg_losses)
def test_numbers_values_and_single_samples_give_the_same_loss(
        loss: Callable[..., Value], preds: list[float], targets: list[float]) -> None:
    from_numbers = loss(preds, targets)
    from_values = loss([Value(p) for p in preds], [Value(t) for t in targets])
    assert isinstance(from_numbers, Value) and from_numbers.inputs == ()
    assert from_values.data == pytest.approx(from_numbers.data, rel=1e-15)
    assert loss(preds[0], targets[0]).data == pytest.approx(loss(preds[:1], targets[:1]).data,
                                                            rel=1e-15)


@pytest.mark.parametrize(("loss", "preds", "targets"), two_arg_losses)
def test_non_numbers_raise_type_error(loss: Callable[..., Value], preds: list[float],
                                      targets: list[float]) -> None:
    with pytest.raises(TypeError, match=r"preds\[1\]|scores\[1\]|probs\[1\]|logits\[1\]"):
        loss([preds[0], "x"], targets)


# --- at the float limits: PyTorch float64's loss, or an error where PyTorch gives inf --------
EDGES: list[tuple[str, Callable[[], Value], float]] = [
    ("mse_loss(-0.0, 0.0)", lambda: mse_loss([-0.0], [0.0]), 0.0),
    ("mse_loss(subnormal, 0)", lambda: mse_loss([5e-324], [0.0]), 0.0),
    ("mse_loss(1e154, 0)", lambda: mse_loss([1e154], [0.0]), 1e154 * 1e154),
    ("mse_loss: the mean of two 1.5e308 squares", lambda: mse_loss([1.2e154, 1.2e154],
                                                                   [0.0, 0.0]), 1.2e154**2),
    ("binary_cross_entropy(0, 1)", lambda: binary_cross_entropy([0.0], [1.0]), 100.0),
    ("binary_cross_entropy(1, 0)", lambda: binary_cross_entropy([1.0], [0.0]), 100.0),
    ("binary_cross_entropy(-0.0, 0)", lambda: binary_cross_entropy([-0.0], [0.0]), 0.0),
    ("binary_cross_entropy(subnormal, 1)", lambda: binary_cross_entropy([5e-324], [1.0]),
     100.0),
    ("binary_cross_entropy(1e-15, 1)", lambda: binary_cross_entropy([1e-15], [1.0]),
     34.538776394910684),
    ("binary_cross_entropy_with_logits(1e308, 1)",
     lambda: binary_cross_entropy_with_logits([1e308], [1.0]), 0.0),
    ("binary_cross_entropy_with_logits(-1e308, 1)",
     lambda: binary_cross_entropy_with_logits([-1e308], [1.0]), 1e308),
    ("binary_cross_entropy_with_logits(40, 1)",
     lambda: binary_cross_entropy_with_logits([40.0], [1.0]), 4.248354255291589e-18),
    ("binary_cross_entropy_with_logits(-0.0, 0)",
     lambda: binary_cross_entropy_with_logits([-0.0], [0.0]), math.log(2)),
    ("hinge_loss(1e308, 1)", lambda: hinge_loss([1e308], [1.0]), 0.0),
    ("hinge_loss(subnormal, 1)", lambda: hinge_loss([5e-324], [1.0]), 1.0),
    ("cross_entropy([[1e308, 1e308]], [0])", lambda: cross_entropy([[1e308, 1e308]], [0]),
     math.log(2)),
    ("cross_entropy([[1e308, -1e308]], [0])", lambda: cross_entropy([[1e308, -1e308]], [0]),
     0.0),
    ("cross_entropy([[1e16, 1e16, 1e16 - 1]], [0])",
     lambda: cross_entropy([[1e16, 1e16, 1e16 - 1]], [0]), math.log(3)),
    ("cross_entropy([[-0.0, 0.0]], [1])", lambda: cross_entropy([[-0.0, 0.0]], [1]),
     math.log(2)),
    ("cross_entropy([[5e-324, 0.0]], [1])", lambda: cross_entropy([[5e-324, 0.0]], [1]),
     math.log(2)),
]


@pytest.mark.parametrize(("name", "call", "expected"), EDGES, ids=[e[0] for e in EDGES])
def test_losses_at_the_float_limits_are_pytorchs(name: str, call: Callable[[], Value],
                                                  expected: float) -> None:
    assert call().data == expected


@pytest.mark.parametrize(("call", "message"), [
    (lambda: mse_loss([1e200], [0.0]), r"^mse_loss: sample 0: \*\*: the result overflows"),
    (lambda: mse_loss([1e308], [-1e308]), r"^mse_loss: sample 0: -: the result overflows"),
    (lambda: binary_cross_entropy_with_logits([1e308], [-1.0]),
     r"^binary_cross_entropy_with_logits: sample 0: "),
    (lambda: cross_entropy([[1e308, -1e308]], [1]), r"^cross_entropy: the loss of row 0 "
                                                    r"overflows"),
])
def test_a_loss_pytorch_gives_as_inf_is_refused_naming_the_loss_and_sample(
        call: Callable[[], Value], message: str) -> None:
    with pytest.raises(OverflowError, match=message):
        call()


@pytest.mark.parametrize(("loss", "preds", "targets"), two_arg_losses)
def test_numpy_arrays_give_the_same_loss_as_lists(loss: Callable[..., Value],
                                                  preds: list[float],
                                                  targets: list[float]) -> None:
    np = pytest.importorskip("numpy")
    assert loss(np.array(preds), np.array(targets)).data == loss(preds, targets).data
    assert loss(np.array(preds[0]), np.array(targets[0])).data == loss(preds[:1],
                                                                        targets[:1]).data


def test_class_indices_of_every_integer_kind_and_softmax_at_the_limits() -> None:
    np = pytest.importorskip("numpy")
    for index in (np.int64(1), np.uint8(1), np.array(1), 1):
        assert cross_entropy([[0.0, 0.0]], [index]).data == math.log(2)
    assert [p.data for p in softmax([-0.0, 0.0])] == [0.5, 0.5]
    assert [p.data for p in softmax(np.array([0.0, 0.0]))] == [0.5, 0.5]


def test_a_flat_list_of_logits_says_how_to_pass_one_sample() -> None:
    with pytest.raises(TypeError, match=r"logit_rows\[0\] must be a list of logits \(one per "
                                        r"class; for one sample pass \[\[z0, z1, \.\.\.\]\]\), "
                                        r"got float 0\.5"):
        cross_entropy([0.5, 1.0, 2.0], [0, 1, 0])  # type: ignore[arg-type]
