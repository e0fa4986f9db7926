"""SGD and Adam against the update rules of torch.optim's documentation, step by step.

The references below are transcribed from the algorithm boxes of the documentation of
``torch.optim.SGD`` and ``torch.optim.Adam`` (maximize=False, amsgrad=False), for parameters
θ (a list of floats), learning rate γ:

SGD (momentum μ, dampening τ, weight_decay λ, nesterov):
    g_t ← ∇f(θ_{t−1});  if λ ≠ 0: g_t ← g_t + λ·θ_{t−1}
    if μ ≠ 0:  b_t ← g_t if t = 1 else μ·b_{t−1} + (1 − τ)·g_t
               g_t ← g_t + μ·b_t if nesterov else b_t
    θ_t ← θ_{t−1} − γ·g_t

Adam (β₁, β₂, ε, weight_decay λ):  m_0 = v_0 = 0
    g_t ← ∇f(θ_{t−1});  if λ ≠ 0: g_t ← g_t + λ·θ_{t−1}
    m_t ← β₁·m_{t−1} + (1 − β₁)·g_t;   v_t ← β₂·v_{t−1} + (1 − β₂)·g_t²
    m̂_t ← m_t / (1 − β₁ᵗ);            v̂_t ← v_t / (1 − β₂ᵗ)
    θ_t ← θ_{t−1} − γ·m̂_t / (√v̂_t + ε)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from engine import Value
from nn import MLP, SGD, Adam, mse_loss

# f(θ) = Σ aᵢ(θᵢ − cᵢ)² + θ₀·θ₁ + sin(θ₂): its gradient couples the coordinates and changes
# along the path, so the buffers and moments are exercised, not just constant inputs.
A = (1.5, 0.5, 2.0)
C = (0.3, -1.0, 0.8)
THETA0 = (1.0, -2.0, 0.5)


def f(theta: list[Value]) -> Value:
    total = theta[0] * theta[1] + theta[2].sin()
    for t, a, c in zip(theta, A, C):
        total = total + a * (t - c) ** 2
    return total


def grad_f(theta: list[float]) -> list[float]:
    g = [2 * a * (t - c) for t, a, c in zip(theta, A, C)]
    g[0] += theta[1]
    g[1] += theta[0]
    g[2] += math.cos(theta[2])
    return g


def sgd_reference(steps: int, lr: float, momentum: float = 0.0, dampening: float = 0.0,
                  nesterov: bool = False, weight_decay: float = 0.0) -> list[list[float]]:
    theta = list(THETA0)
    b: list[float] = []
    path = []
    for t in range(1, steps + 1):
        g = grad_f(theta)
        if weight_decay != 0:
            g = [gi + weight_decay * th for gi, th in zip(g, theta)]
        if momentum != 0:
            b = g if t == 1 else [momentum * bi + (1 - dampening) * gi for bi, gi in zip(b, g)]
            g = [gi + momentum * bi for gi, bi in zip(g, b)] if nesterov else b
        theta = [th - lr * gi for th, gi in zip(theta, g)]
        path.append(theta)
    return path


def adam_reference(steps: int, lr: float, betas: tuple[float, float] = (0.9, 0.999),
                   eps: float = 1e-8, weight_decay: float = 0.0) -> list[list[float]]:
    beta1, beta2 = betas
    theta = list(THETA0)
    m = [0.0] * len(theta)
    v = [0.0] * len(theta)
    path = []
    for t in range(1, steps + 1):
        g = grad_f(theta)
        if weight_decay != 0:
            g = [gi + weight_decay * th for gi, th in zip(g, theta)]
        m = [beta1 * mi + (1 - beta1) * gi for mi, gi in zip(m, g)]
        v = [beta2 * vi + (1 - beta2) * gi**2 for vi, gi in zip(v, g)]
        m_hat = [mi / (1 - beta1**t) for mi in m]
        v_hat = [vi / (1 - beta2**t) for vi in v]
        theta = [th - lr * mh / (math.sqrt(vh) + eps)
                 for th, mh, vh in zip(theta, m_hat, v_hat)]
        path.append(theta)
    return path


def trajectory(make: Callable[[list[Value]], SGD | Adam], steps: int) -> list[list[float]]:
    theta = [Value(x) for x in THETA0]
    opt = make(theta)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        f(theta).backward()
        opt.step()
        path.append([p.data for p in theta])
    return path


def assert_same_path(got: list[list[float]], want: list[list[float]]) -> None:
    assert len(got) == len(want)
    for step, (g, w) in enumerate(zip(got, want), start=1):
        for i, (a, b) in enumerate(zip(g, w)):
            assert abs(a - b) <= 1e-12 * max(1.0, abs(b)), f"step {step}, θ{i}: {a} != {b}"


def test_reference_gradient_is_the_gradient_of_f() -> None:
    theta = [Value(x) for x in THETA0]
    f(theta).backward()
    assert [p.grad for p in theta] == pytest.approx(grad_f(list(THETA0)), rel=1e-14)


SGD_SETTINGS = [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"lr": 0.05, "momentum": 0.8, "dampening": 0.3},
    {"lr": 0.1, "weight_decay": 0.2},
    {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1, "nesterov": True},
    {"lr": 0.02, "momentum": 0.5, "dampening": 0.5, "weight_decay": 0.05},
]


@pytest.mark.parametrize("kwargs", SGD_SETTINGS, ids=lambda k: ",".join(f"{a}={b}"
                                                                         for a, b in k.items()))
def test_sgd_follows_the_documented_rule(kwargs: dict[str, float]) -> None:
    assert_same_path(trajectory(lambda ps: SGD(ps, **kwargs), 12), sgd_reference(12, **kwargs))


ADAM_SETTINGS = [
    {"lr": 0.1},
    {"lr": 0.05, "betas": (0.8, 0.99)},
    {"lr": 0.1, "weight_decay": 0.3},
    {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.05},
    {"lr": 0.1, "betas": (0.0, 0.0)},
]


@pytest.mark.parametrize("kwargs", ADAM_SETTINGS, ids=lambda k: ",".join(f"{a}={b}"
                                                                          for a, b in k.items()))
def test_adam_follows_the_documented_rule(kwargs: dict[str, object]) -> None:
    assert_same_path(trajectory(lambda ps: Adam(ps, **kwargs), 12),  # type: ignore[arg-type]
                     adam_reference(12, **kwargs))  # type: ignore[arg-type]


# --- the same rules on f(θ) = θ², worked out by hand ------------------------------------

def square_path(opt_factory: Callable[[list[Value]], SGD | Adam], steps: int) -> list[float]:
    x = Value(1.0)
    opt = opt_factory([x])
    out = []
    for _ in range(steps):
        opt.zero_grad()
        (x * x).backward()            # ∂/∂x = 2x
        opt.step()
        out.append(x.data)
    return out


@pytest.mark.parametrize(("kwargs", "expected"), [
    # plain: x ← x − 0.1·2x = 0.8x
    ({"lr": 0.1}, [0.8, 0.64, 0.512]),
    # momentum 0.9: b = 2 → x = 0.8; b = 0.9·2 + 1.6 = 3.4 → 0.46; b = 3.06 + 0.92 = 3.98 → 0.062
    ({"lr": 0.1, "momentum": 0.9}, [0.8, 0.46, 0.062]),
    # nesterov: b = 2, g = 2 + 1.8 = 3.8 → 0.62; b = 1.8 + 1.24 = 3.04, g = 1.24 + 2.736 → 0.2224
    ({"lr": 0.1, "momentum": 0.9, "nesterov": True}, [0.62, 0.2224]),
    # dampening 0.5: the first buffer is g itself (2) → 0.8; b = 1.8 + 0.5·1.6 = 2.6 → 0.54
    ({"lr": 0.1, "momentum": 0.9, "dampening": 0.5}, [0.8, 0.54]),
    # weight decay 0.1: g = 2x + 0.1x → x ← 0.79x
    ({"lr": 0.1, "weight_decay": 0.1}, [0.79, 0.6241]),
])
def test_sgd_by_hand(kwargs: dict[str, float], expected: list[float]) -> None:
    assert square_path(lambda ps: SGD(ps, **kwargs), len(expected)) == pytest.approx(
        expected, rel=1e-13)


def test_adam_by_hand() -> None:
    # step 1: g = 2, m = 0.2, v = 0.004, m̂ = 2, v̂ = 4 → x = 1 − 0.1·2/(2 + 1e-8)
    # step 2: g = 2x₁, m = 0.18 + 0.1g, v = 0.003996 + 0.001g², m̂ = m/0.19, v̂ = v/0.001999
    x1 = 1 - 0.1 * 2 / (2 + 1e-8)
    g = 2 * x1
    m, v = 0.18 + 0.1 * g, 0.999 * 0.004 + 0.001 * g * g
    x2 = x1 - 0.1 * (m / 0.19) / (math.sqrt(v / (1 - 0.999**2)) + 1e-8)
    assert square_path(lambda ps: Adam(ps, lr=0.1), 2) == pytest.approx([x1, x2], rel=1e-13)
    assert x2 == pytest.approx(0.8004122, abs=1e-7)


# --- lr, zero_grad, state ---------------------------------------------------------------

def test_lr_is_assignable_between_steps() -> None:
    x = Value(1.0)
    opt = SGD([x], lr=0.1)
    x.grad = 2.0
    opt.step()
    opt.lr = 0.5
    opt.step()                        # the same gradient, five times the step
    assert x.data == pytest.approx(1.0 - 0.2 - 1.0, rel=1e-15)


def test_zero_grad_clears_only_the_optimizers_parameters() -> None:
    a, b = Value(1.0), Value(2.0)
    (a * b).backward()
    SGD([a], lr=0.1).zero_grad()
    assert (a.grad, b.grad) == (0.0, 1.0)


def test_each_parameter_has_its_own_state() -> None:
    # Two identical copies of a problem stepped by one optimizer move exactly alike.
    xs = [Value(1.0), Value(1.0)]
    for make in (lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adam(p, lr=0.1)):
        opt = make(xs)
        for scale in (1.0, 3.0, -2.0):
            opt.zero_grad()
            for x in xs:
                (x * x * scale).backward()
            opt.step()
            assert xs[0].data == xs[1].data


def test_optimizers_train_a_model() -> None:
    model = MLP(1, [8, 1], activation="tanh", seed=0)
    X, y = [[-1.0], [-0.5], [0.0], [0.5], [1.0]], [1.0, 0.25, 0.0, 0.25, 1.0]
    for opt in (SGD(model.parameters(), lr=0.05, momentum=0.9), Adam(model.parameters(), lr=0.05)):
        first = None
        for _ in range(60):
            loss = mse_loss([model(x) for x in X], y)
            first = loss.data if first is None else first
            opt.zero_grad()
            loss.backward()
            opt.step()
        assert loss.data < first / 4


# --- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize(("make", "message"), [
    (lambda ps: SGD(ps, lr=-0.1), "lr must be a finite number >= 0"),
    (lambda ps: SGD(ps, lr=math.nan), "lr must be"),
    (lambda ps: SGD(ps, lr=0.1, momentum=-0.5), "momentum must be"),
    (lambda ps: SGD(ps, lr=0.1, weight_decay=-1), "weight_decay must be"),
    (lambda ps: SGD(ps, lr=0.1, nesterov=True), "nesterov must be False unless momentum > 0"),
    (lambda ps: SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "and dampening = 0"),
    (lambda ps: Adam(ps, betas=(0.9, 1.0)), r"betas\[1\] must be a finite number in \[0, 1\)"),
    (lambda ps: Adam(ps, betas=(-0.1, 0.9)), r"betas\[0\] must be"),
    (lambda ps: Adam(ps, betas=(0.9,)), "betas must be a pair of numbers with 2 entries, got 1"),
    (lambda ps: Adam(ps, eps=-1e-8), "eps must be"),
    (lambda ps: SGD([], lr=0.1), "with at least one entry, got an empty one"),
    (lambda ps: SGD([ps[0], ps[0]], lr=0.1), "params must hold each parameter once"),
])
def test_bad_settings_raise_value_error(make: Callable[[list[Value]], object],
                                        message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([Value(1.0)])


def test_params_must_be_values() -> None:
    with pytest.raises(TypeError, match=r"params\[1\] must be a Value, got float"):
        SGD([Value(1.0), 2.0], lr=0.1)  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"model.parameters\(\)\), got Value\(data=1"):
        Adam(Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"model.parameters\(\)\), got MLP"):
        SGD(MLP(2, [1], seed=0), lr=0.1)  # type: ignore[arg-type]


def test_params_may_be_any_iterable() -> None:
    model = MLP(2, [2, 1], seed=0)
    opt = SGD((p for p in model.parameters()), lr=0.1)
    assert opt.params == model.parameters()


# --- reliability: grads that are Values, non-finite numbers, NumPy numbers ----------------

@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.1)])
def test_step_after_create_graph_uses_the_gradients_number(
        make: Callable[[list[Value]], SGD | Adam]) -> None:
    x, y = Value(1.5), Value(1.5)
    (x * x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value)            # the engine's contract for create_graph
    (y * y * y).backward()
    a, b = make([x]), make([y])
    a.step()
    b.step()
    assert type(x.data) is float and x.data == y.data
    assert repr(x).startswith("Value(data=")


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, -1.0, 10**400])
def test_lr_is_checked_when_assigned(opt: str, bad: float) -> None:
    x = Value(1.0)
    o = SGD([x], lr=0.1) if opt == "SGD" else Adam([x], lr=0.1)
    with pytest.raises(ValueError, match=rf"{opt}: lr must be a finite number >= 0"):
        o.lr = bad
    assert o.lr == 0.1


def test_lr_accepts_numpy_numbers() -> None:
    np = pytest.importorskip("numpy")
    x = Value(1.0)
    o = SGD([x], lr=np.float32(0.5))
    o.lr = np.int64(1)
    assert type(o.lr) is float and o.lr == 1.0
    assert SGD([x], lr=np.float64(0.1)).lr == 0.1


def test_sgd_step_that_overflows_raises_and_changes_nothing() -> None:
    params = [Value(1.0), Value(-1e308)]
    opt = SGD(params, lr=1.0)
    params[0].grad, params[1].grad = 1.0, 1e308
    with pytest.raises(OverflowError, match=r"SGD.step: the update of parameter 1 is -inf "
                                            r"\(lr = 1, grad = 1e\+308, data = -1e\+308\)"):
        opt.step()
    assert [p.data for p in params] == [1.0, -1e308]


def test_momentum_buffer_that_overflows_raises() -> None:
    x = Value(0.0)
    opt = SGD([x], lr=0.0, momentum=2.0)
    x.grad = 1e308
    opt.step()
    with pytest.raises(OverflowError, match=r"SGD\.step: the momentum buffer of parameter 0"):
        opt.step()


def test_adam_second_moment_that_overflows_raises_and_keeps_its_state() -> None:
    x = Value(1.0)
    opt = Adam([x], lr=0.1)
    x.grad = 1e200
    with pytest.raises(OverflowError, match=r"Adam\.step: the second moment v of parameter "
                                            r"0 is inf"):
        opt.step()
    assert (x.data, opt.t, opt.m, opt.v) == (1.0, 0, [0.0], [0.0])


def test_adam_eps_zero_is_accepted_and_a_zero_gradient_raises_at_the_step() -> None:
    x, y = Value(1.0), Value(1.0)
    opt = Adam([x, y], lr=0.1, eps=0.0)
    x.grad = 2.0
    with pytest.raises(ZeroDivisionError, match=r"Adam.step: parameter 1 would be divided by "
                                                r"√v̂ \+ eps = 0.*use eps > 0"):
        opt.step()
    y.grad = 3.0
    opt.step()
    assert x.data == pytest.approx(0.9) and y.data == pytest.approx(0.9)


@pytest.mark.parametrize("bad", [math.nan, math.inf, "1.0", None])
def test_a_grad_that_is_not_a_finite_number_raises_naming_the_parameter(bad: object) -> None:
    x, y = Value(1.0), Value(2.0)
    opt = SGD([x, y], lr=0.1)
    error = TypeError if isinstance(bad, (str, type(None))) else ValueError
    try:
        y.grad = bad  # type: ignore[assignment]
    except error:
        return  # refused at the assignment by Value itself: it never reaches the step
    with pytest.raises(error, match=r"SGD\.step: the grad of parameter 1"):
        opt.step()
    assert (x.data, y.data) == (1.0, 2.0)


def _step_with(opt: str, grad: object, data: float = 1.0, lr: float = 0.1,
               **settings: float) -> float:
    p = Value(data)
    o = SGD([p], lr=lr, **settings) if opt == "SGD" else Adam([p], lr=lr, **settings)
    p.grad = grad
    o.step()
    return p.data


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_steps_at_the_float_limits(opt: str) -> None:
    assert _step_with(opt, -0.0) == 1.0
    assert _step_with(opt, Value(2.0), lr=0.5) == _step_with(opt, 2.0, lr=0.5)
    if opt == "SGD":
        assert _step_with(opt, 1e308, lr=0.0) == 1.0
        assert _step_with(opt, 5e-324, 0.0, 1.0) == -5e-324
        assert _step_with(opt, 1.0, 1.0, 1e-300) == 1.0 - 1e-300
        with pytest.raises(OverflowError, match=r"^SGD.step: the update of parameter 0 is -inf "
                                                r"\(lr = 10, grad = 1e\+308"):
            _step_with(opt, 1e308, 1e308, 10.0)
    else:
        with pytest.raises(OverflowError, match=r"^Adam.step: the second moment v of "
                                                r"parameter 0 is inf"):
            _step_with(opt, 1e308, lr=0.0)
        with pytest.raises(ZeroDivisionError, match=r"^Adam.step: parameter 0 would be "
                                                    r"divided by √v̂ \+ eps = 0"):
            _step_with(opt, 0.0, eps=0.0)


def test_adam_takes_eps_zero_and_betas_of_any_sequence_of_numbers() -> None:
    np = pytest.importorskip("numpy")
    assert Adam([Value(1.0)], eps=0.0).eps == 0.0
    assert Adam([Value(1.0)], betas=np.array([0.5, 0.25])).betas == (0.5, 0.25)
