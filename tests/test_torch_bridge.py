"""The same model in stepgrad and in PyTorch: equal outputs, gradients and training runs.

``nn.to_torch`` and ``nn.from_torch`` carry the weights across; :func:`nn.parameter_map`
says which stepgrad parameter is which torch entry; ``nn.TORCH_EQUIVALENTS`` gives the
torch call for each loss and optimizer. Everything here is compared number by number:
outputs and gradients to 1e-12, 20-step training trajectories to 1e-10 after every step.
(The tests that need no torch are in ``test_torch_optional.py``.)
"""

from __future__ import annotations

import collections
import math
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
F = torch.nn.functional

import nn  # noqa: E402
from engine import Value  # noqa: E402

F64 = torch.float64
ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"]


def close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def rows(n: int, nin: int, seed: int, scale: float = 1.5) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-scale, scale) for _ in range(nin)] for _ in range(n)]


def outputs(model: Any, x: list[float]) -> list[Value]:
    out = model(x)
    return [out] if isinstance(out, Value) else out


def assert_same_outputs(model: Any, module: Any, X: list[list[float]]) -> float:
    got = module(torch.tensor(X, dtype=F64))
    worst = 0.0
    for i, x in enumerate(X):
        want = [v.data for v in outputs(model, x)]
        assert got.shape[1] == len(want)
        for j, w in enumerate(want):
            t = got[i, j].item()
            assert close(t, w, 1e-12), f"sample {i}, output {j}: torch {t!r}, stepgrad {w!r}"
            worst = max(worst, abs(t - w))
    return worst


def assert_same_grads(model: Any, module: Any, tol: float = 1e-12) -> float:
    """Every stepgrad ``.grad`` equals the torch entry ``parameter_map`` names."""
    worst = 0.0
    for name, p in model.named_parameters():
        tname, index = nn.parameter_map(model, module)[name]
        g = module.get_parameter(tname).grad[index].item()
        assert close(g, p.grad, tol), f"{name} = {tname}{list(index)}: torch {g!r}, " \
                                      f"stepgrad {p.grad!r}"
        worst = max(worst, abs(g - p.grad))
    return worst


def assert_same_weights(model: Any, module: Any, tol: float = 0.0) -> float:
    worst = 0.0
    mapping = nn.parameter_map(model, module)
    for name, p in model.named_parameters():
        tname, index = mapping[name]
        w = module.get_parameter(tname)[index].item()
        assert close(w, p.data, tol), f"{name} = {tname}{list(index)}: torch {w!r}, " \
                                      f"stepgrad {p.data!r}"
        worst = max(worst, abs(w - p.data))
    return worst


def some_models() -> list[Any]:
    models: list[Any] = []
    for act in ACTIVATIONS:
        models += [nn.Neuron(3, act, seed=1), nn.Layer(3, 4, act, seed=2),
                   nn.Layer(3, 1, act, seed=3), nn.MLP(3, [5, 4, 2], act, seed=4)]
    models.append(nn.MLP(2, [16, 16, 1], seed=5))
    return models


# --- the module to_torch builds --------------------------------------------------------

def test_to_torch_builds_linear_layers_and_activations() -> None:
    module = nn.to_torch(nn.MLP(2, [16, 16, 1], seed=0))
    kinds = [type(m).__name__ for m in module]
    assert type(module) is torch.nn.Sequential
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [(m.in_features, m.out_features) for m in module[::2]] == [(2, 16), (16, 16),
                                                                      (16, 1)]
    assert sum(p.numel() for p in module.parameters()) == 337
    assert all(p.dtype == F64 and p.requires_grad and p.device.type == "cpu"
               for p in module.parameters())
    assert [type(m).__name__ for m in nn.to_torch(nn.Neuron(2, "sigmoid"))] == [
        "Linear", "Sigmoid"]
    assert [type(m).__name__ for m in nn.to_torch(nn.Layer(2, 3, "linear"))] == ["Linear"]


@pytest.mark.parametrize("model", some_models(), ids=repr)
def test_to_torch_gives_equal_outputs(model: Any) -> None:
    module = nn.to_torch(model)
    assert_same_weights(model, module)
    assert_same_outputs(model, module, rows(7, module[0].in_features, seed=0))


@pytest.mark.parametrize("model", some_models(), ids=repr)
def test_the_same_loss_gives_equal_gradients(model: Any) -> None:
    module = nn.to_torch(model)
    X = rows(6, module[0].in_features, seed=1)
    nout = module[0].out_features if len(module) <= 2 else module[-1].out_features
    targets = rows(6, nout, seed=2)
    preds = [v for x in X for v in outputs(model, x)]
    nn.mse_loss(preds, [t for row in targets for t in row]).backward()
    F.mse_loss(module(torch.tensor(X, dtype=F64)), torch.tensor(targets, dtype=F64)).backward()
    assert_same_grads(model, module)


@given(nin=st.integers(1, 4), sizes=st.lists(st.integers(1, 5), min_size=1, max_size=3),
       activation=st.sampled_from(ACTIVATIONS), seed=st.integers(0, 2**32),
       x=st.lists(st.floats(-3, 3, allow_nan=False), min_size=4, max_size=4))
def test_any_mlp_gives_equal_outputs_and_gradients(nin: int, sizes: list[int], activation: str,
                                                   seed: int, x: list[float]) -> None:
    model = nn.MLP(nin, sizes, activation, seed=seed)
    for p in model.parameters():           # non-zero biases too
        p.data += 0.1
    module = nn.to_torch(model)
    assert_same_outputs(model, module, [x[:nin]])
    out = outputs(model, x[:nin])
    loss = sum((v * v for v in out), Value(0.0))
    loss.backward()
    (module(torch.tensor([x[:nin]], dtype=F64)) ** 2).sum().backward()
    assert_same_grads(model, module)


def test_the_module_holds_a_copy_of_the_weights() -> None:
    model = nn.Neuron(2, "tanh", seed=0)
    module = nn.to_torch(model)
    before = model.w[0].data
    with torch.no_grad():
        module[0].weight[0, 0] = 123.0
    assert model.w[0].data == before
    model.w[1].data = -7.0
    assert module[0].weight[0, 1].item() != -7.0


def test_to_torch_leaves_torch_random_state_alone() -> None:
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    nn.to_torch(nn.MLP(2, [16, 16, 1], seed=0))
    assert torch.equal(torch.rand(3), expected)


# --- parameter_map ---------------------------------------------------------------------

@pytest.mark.parametrize("model", some_models(), ids=repr)
def test_parameter_map_is_one_to_one(model: Any) -> None:
    module = nn.to_torch(model)
    mapping = nn.parameter_map(model)
    assert list(mapping) == [name for name, _ in model.named_parameters()]
    assert mapping == nn.parameter_map(model, module)
    entries = {(tname, index) for tname, index in mapping.values()}
    torch_entries = {(tname, tuple(int(i) for i in index))
                     for tname, p in module.named_parameters()
                     for index in torch.cartesian_prod(*[torch.arange(s) for s in p.shape])
                     .reshape(-1, p.dim()).tolist()}
    assert entries == torch_entries


def test_parameter_map_uses_the_modules_own_names() -> None:
    module = torch.nn.Sequential(collections.OrderedDict(
        hidden=torch.nn.Linear(2, 3), act=torch.nn.Tanh(), out=torch.nn.Linear(3, 1)))
    model = nn.from_torch(module)
    mapping = nn.parameter_map(model, module)
    assert mapping["layers.0.neurons.2.w.1"] == ("hidden.weight", (2, 1))
    assert mapping["layers.1.neurons.0.b"] == ("out.bias", (0,))
    assert_same_weights(model, module)
    single = torch.nn.Linear(3, 2, dtype=F64)
    assert nn.parameter_map(nn.from_torch(single), single)["neurons.1.w.2"] == (
        "weight", (1, 2))


def test_parameter_map_refuses_a_module_of_another_shape() -> None:
    with pytest.raises(ValueError, match="parameter_map: module's layers"):
        nn.parameter_map(nn.MLP(2, [3, 1]), nn.to_torch(nn.MLP(2, [4, 1])))
    with pytest.raises(ValueError, match="parameter_map: module's layers"):
        nn.parameter_map(nn.MLP(2, [3, 1]), nn.to_torch(nn.MLP(2, [3, 1], "tanh")))


# --- from_torch ------------------------------------------------------------------------

@pytest.mark.parametrize("model", some_models(), ids=repr)
def test_round_trip_is_exact(model: Any) -> None:
    module = nn.to_torch(model)
    back = nn.from_torch(module)
    # A Layer of one neuron comes back as a Neuron (the same function, other names).
    single = isinstance(model, nn.Layer) and len(model.neurons) == 1
    assert type(back) is (nn.Neuron if single else type(model))
    if not single:
        assert back.state_dict() == model.state_dict()
        assert repr(back) == repr(model)
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
    x = rows(1, module[0].in_features, seed=3)[0]
    assert [v.data for v in outputs(back, x)] == [v.data for v in outputs(model, x)]


def test_from_torch_picks_neuron_layer_or_mlp() -> None:
    assert repr(nn.from_torch(torch.nn.Linear(3, 1))) == "Neuron(3, activation='linear')"
    assert repr(nn.from_torch(torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Sigmoid()))
                ) == "Neuron(3, activation='sigmoid')"
    assert repr(nn.from_torch(torch.nn.Linear(3, 2))) == "Layer(3, 2, activation='linear')"
    assert repr(nn.from_torch(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Identity()))
                ) == "Layer(3, 2, activation='linear')"
    mlp = nn.from_torch(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Identity(),
                                            torch.nn.Linear(2, 2)))
    assert isinstance(mlp, nn.MLP)
    assert [layer.activation for layer in mlp.layers] == ["linear", "linear"]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, F64])
def test_from_torch_converts_any_float_weights_exactly(dtype: Any) -> None:
    torch.manual_seed(1)
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                 torch.nn.Linear(4, 2)).to(dtype)
    model = nn.from_torch(module)
    assert_same_weights(model, module)     # tolerance 0: every number exactly equal
    assert all(type(p.data) is float for p in model.parameters())
    # The float64 copy of the module computes what stepgrad computes.
    assert_same_outputs(model, nn.to_torch(model), rows(5, 3, seed=4))
    if dtype == torch.float32:
        got = module(torch.tensor(rows(5, 3, seed=4), dtype=dtype))
        want = [[v.data for v in outputs(model, x)] for x in rows(5, 3, seed=4)]
        assert torch.allclose(got.double(), torch.tensor(want, dtype=F64), atol=1e-5)


def test_from_torch_then_equal_outputs_and_gradients() -> None:
    torch.manual_seed(2)
    module = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                 torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    model = nn.from_torch(module)
    X = rows(10, 2, seed=5)
    classes = [i % 3 for i in range(10)]
    assert_same_outputs(model, module, X)
    nn.cross_entropy([model(x) for x in X], classes).backward()
    F.cross_entropy(module(torch.tensor(X, dtype=F64)), torch.tensor(classes)).backward()
    assert_same_grads(model, module)


class MyLinear(torch.nn.Linear):  # type: ignore[misc]
    pass


def refusals() -> list[tuple[Any, type[Exception], str]]:
    L, Seq = torch.nn.Linear, torch.nn.Sequential
    return [
        (None, TypeError, "from_torch: module must be a torch.nn.Module .* got None"),
        ({"0.weight": 1.0}, TypeError, "module must be a torch.nn.Module .* got dict"),
        (nn.MLP(2, [3, 1]), TypeError, "got MLP\\(.*\\(to_torch turns a stepgrad model"),
        (torch.ones(2, 2), TypeError, "got torch.Tensor"),
        (torch.nn.Conv2d(1, 1, 3), TypeError, "unsupported module Conv2d"),
        (MyLinear(2, 1), TypeError, "unsupported module MyLinear"),
        (Seq(L(2, 3), torch.nn.Dropout(0.1), L(3, 1)), TypeError,
         "unsupported layer Dropout\\(p=0.1, inplace=False\\) at position 1"),
        (Seq(L(2, 3), torch.nn.LeakyReLU(), L(3, 1)), TypeError,
         "unsupported layer LeakyReLU.* at position 1 of the Sequential; stepgrad can "
         "represent only Linear, ReLU, Tanh, Sigmoid, Identity"),
        (Seq(L(2, 3), Seq(L(3, 1))), TypeError, "unsupported layer Sequential.* at position 1"),
        (Seq(L(2, 3), torch.nn.ReLU(), torch.nn.BatchNorm1d(3)), TypeError,
         "BatchNorm1d.* at position 2"),
        (Seq(L(2, 3), torch.nn.ReLU(), MyLinear(3, 1)), TypeError, "MyLinear.* at position 2"),
        (Seq(), ValueError, "the Sequential is empty"),
        (Seq(torch.nn.ReLU(), L(2, 1)), ValueError, "ReLU at position 0 comes before any "
                                                    "Linear"),
        (Seq(L(2, 3), torch.nn.ReLU(), torch.nn.Tanh()), ValueError,
         "Tanh at position 2 follows another activation"),
        (Seq(L(2, 3, bias=False)), ValueError, "the Linear at position 0 has no bias"),
        (L(2, 3, bias=False), ValueError, "the Linear has no bias"),
        (Seq(L(2, 3), torch.nn.ReLU(), L(4, 1)), ValueError,
         "the Linear at position 2 takes 4 inputs but the Linear before it gives 3"),
        (Seq(L(2, 3), torch.nn.ReLU(), L(3, 3), torch.nn.Tanh(), L(3, 1)), ValueError,
         "the Linear at position 2 is followed by 'tanh' but the first by 'relu'"),
        (Seq(L(2, 3), torch.nn.ReLU(), L(3, 1), torch.nn.Sigmoid()), ValueError,
         "the last Linear \\(position 2\\) is followed by 'sigmoid'; a stepgrad MLP's last "
         "layer is linear"),
    ]


@pytest.mark.parametrize(("module", "error", "message"), refusals(),
                         ids=[f"refusal{i}" for i in range(len(refusals()))])
def test_from_torch_refuses_what_it_cannot_represent(module: Any, error: type[Exception],
                                                     message: str) -> None:
    with pytest.raises(error, match=message):
        nn.from_torch(module)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_weights_are_refused_both_ways(bad: float) -> None:
    module = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    with torch.no_grad():
        module[2].bias[0] = bad
    with pytest.raises(ValueError, match="from_torch: the Linear at position 2 has a bias "
                                         "entry that is nan or infinite"):
        nn.from_torch(module)
    model = nn.MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"^Value\.data must be a finite number"):
        model.layers[0].neurons[1].w[0].data = bad  # so to_torch never meets one


def test_from_torch_refuses_a_module_without_numbers() -> None:
    with pytest.raises(ValueError, match="the Linear holds no numbers"):
        nn.from_torch(torch.nn.Linear(2, 1, device="meta"))


@pytest.mark.parametrize(("model", "module", "message"), [
    (None, None, "parameter_map: model must be an nn.MLP, Layer or Neuron, got None"),
    (torch.nn.Linear(2, 1), None, "got Linear\\(.*\\(from_torch turns a torch module"),
    (nn.Neuron(2), "0.weight", "parameter_map: module must be a torch.nn.Module"),
    (nn.Neuron(2), torch.nn.Conv1d(1, 1, 1), "parameter_map: unsupported module Conv1d"),
])
def test_parameter_map_refuses_wrong_arguments(model: Any, module: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        nn.parameter_map(model, module)


def test_to_torch_refuses_an_activation_torch_lacks_here() -> None:
    neuron = nn.Neuron(2, seed=0)
    neuron.activation = "gelu"
    with pytest.raises(ValueError, match="to_torch: layer 0 uses the activation 'gelu'"):
        nn.to_torch(neuron)


def test_from_torch_refuses_integer_weights() -> None:
    module = torch.nn.Linear(2, 1)
    module.weight = torch.nn.Parameter(torch.ones(1, 2, dtype=torch.int64), requires_grad=False)
    with pytest.raises(TypeError, match=r"the Linear has weight of dtype torch\.int64"):
        nn.from_torch(module)


@pytest.mark.parametrize("bad", [None, 3, "MLP", [nn.Neuron(2)], torch.nn.Linear(2, 1),
                                 Value(1.0), nn.Module()],
                         ids=["None", "int", "str", "list", "torch", "Value", "Module"])
def test_to_torch_refuses_other_things(bad: Any) -> None:
    with pytest.raises(TypeError, match=r"^to_torch: model must be an nn\.MLP, Layer or Neuron, "
                                        r"got "):
        nn.to_torch(bad)


def test_to_torch_refuses_a_layer_it_cannot_write_as_one_linear() -> None:
    layer = nn.Layer(2, 3, "relu", seed=0)
    layer.neurons[2].activation = "tanh"
    with pytest.raises(ValueError, match="to_torch: in layer 0, neuron 2 uses 'tanh' but "
                                         "neuron 0 uses 'relu'"):
        nn.to_torch(layer)
    mlp = nn.MLP(2, [3, 1], seed=0)
    mlp.layers[1].neurons[0].w.append(Value(1.0))
    with pytest.raises(ValueError, match="layer 1 takes 4 inputs but layer 0 gives 3"):
        nn.to_torch(mlp)


def test_to_torch_keeps_each_layers_own_activation() -> None:
    mlp = nn.MLP(2, [3, 1], seed=0)
    mlp.layers[1] = nn.Layer(3, 1, "sigmoid", seed=1)
    module = nn.to_torch(mlp)
    assert [type(m).__name__ for m in module] == ["Linear", "ReLU", "Linear", "Sigmoid"]
    assert_same_outputs(mlp, module, rows(4, 2, seed=6))


# --- losses and optimizers: the table, evaluated --------------------------------------

def torch_call(name: str, **variables: Any) -> Any:
    return eval(nn.TORCH_EQUIVALENTS[name], {"torch": torch}, variables)


def leaf(xs: list[float]) -> Any:
    return torch.tensor(xs, dtype=F64, requires_grad=True)


@pytest.mark.parametrize(("name", "preds", "targets", "argnames"), [
    ("mse_loss", [0.3, -1.2, 2.5], [0.0, -1.0, 4.0], ("preds", "targets")),
    ("binary_cross_entropy", [0.9, 0.2, 0.5], [1.0, 0.0, 0.3], ("probs", "targets")),
    ("binary_cross_entropy_with_logits", [3.0, -40.0, 0.0], [1.0, 1.0, 0.25],
     ("logits", "targets")),
    ("hinge_loss", [0.5, -2.0, 0.2], [1.0, -1.0, -1.0], ("scores", "targets")),
])
def test_each_loss_equals_its_torch_call(name: str, preds: list[float], targets: list[float],
                                         argnames: tuple[str, str]) -> None:
    ps = [Value(p) for p in preds]
    loss = getattr(nn, name)(ps, targets)
    loss.backward()
    tp = leaf(preds)
    tloss = torch_call(name, **{argnames[0]: tp, argnames[1]: torch.tensor(targets, dtype=F64)})
    tloss.backward()
    assert close(tloss.item(), loss.data, 1e-12)
    for p, g in zip(ps, tp.grad.tolist()):
        assert close(g, p.grad, 1e-12)


def test_cross_entropy_and_softmax_equal_their_torch_calls() -> None:
    logit_rows = [[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]]
    vs = [[Value(z) for z in row] for row in logit_rows]
    loss = nn.cross_entropy(vs, [2, 1])
    loss.backward()
    tz = leaf(logit_rows)
    tloss = torch_call("cross_entropy", logit_rows=tz, class_indices=torch.tensor([2, 1]))
    tloss.backward()
    assert close(tloss.item(), loss.data, 1e-12)
    assert all(close(g, v.grad, 1e-12) for row, grow in zip(vs, tz.grad.tolist())
               for v, g in zip(row, grow))
    probs = torch_call("softmax", logits=torch.tensor(logit_rows[0], dtype=F64)).tolist()
    assert all(close(t, p.data, 1e-15) for t, p in zip(probs, nn.softmax(logit_rows[0])))


# --- 20 training steps in both libraries -----------------------------------------------

LARGEST: dict[str, float] = {}


def train_both(model: Any, make_optimizers: Callable[[Any, Any], tuple[Any, Any]],
               stepgrad_loss: Callable[[Any], Value], torch_loss: Callable[[Any], Any],
               steps: int = 20) -> float:
    """Train ``model`` and ``to_torch(model)`` side by side; the largest parameter gap."""
    module = nn.to_torch(model)
    ours, theirs = make_optimizers(model, module)
    largest = 0.0
    for step in range(steps):
        loss = stepgrad_loss(model)
        ours.zero_grad()
        loss.backward()
        ours.step()
        tloss = torch_loss(module)
        theirs.zero_grad()
        tloss.backward()
        theirs.step()
        assert close(tloss.item(), loss.data, 1e-10), f"step {step}: losses differ"
        try:
            largest = max(largest, assert_same_weights(model, module, tol=1e-10))
        except AssertionError as error:
            raise AssertionError(f"after step {step + 1}: {error}") from None
    return largest


def sgd_pair(**hyper: Any) -> Callable[[Any, Any], tuple[Any, Any]]:
    def make(model: Any, module: Any) -> tuple[Any, Any]:
        full = dict(lr=0.05, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0)
        full.update(hyper)
        return (nn.SGD(model.parameters(), **full),
                torch_call("SGD", params=module.parameters(), **full))
    return make


def adam_pair(**hyper: Any) -> Callable[[Any, Any], tuple[Any, Any]]:
    def make(model: Any, module: Any) -> tuple[Any, Any]:
        full = dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
        full.update(hyper)
        return (nn.Adam(model.parameters(), **full),
                torch_call("Adam", params=module.parameters(), **full))
    return make


def regression() -> tuple[Any, Callable[[Any], Value], Callable[[Any], Any]]:
    X = rows(16, 3, seed=10)
    y = [math.sin(a) + b * c for a, b, c in X]
    tX, ty = torch.tensor(X, dtype=F64), torch.tensor(y, dtype=F64)
    return (nn.MLP(3, [8, 8, 1], "tanh", seed=11),
            lambda m: nn.mse_loss([m(x) for x in X], y),
            lambda mod: torch_call("mse_loss", preds=mod(tX).squeeze(1), targets=ty))


def three_classes() -> tuple[Any, Callable[[Any], Value], Callable[[Any], Any]]:
    X = rows(18, 2, seed=12)
    classes = [0 if a + b < -0.5 else 1 if a > b else 2 for a, b in X]
    tX, tc = torch.tensor(X, dtype=F64), torch.tensor(classes)
    return (nn.MLP(2, [8, 8, 3], "relu", seed=13),
            lambda m: nn.cross_entropy([m(x) for x in X], classes),
            lambda mod: torch_call("cross_entropy", logit_rows=mod(tX), class_indices=tc))


def two_classes() -> tuple[Any, Callable[[Any], Value], Callable[[Any], Any]]:
    X = rows(16, 2, seed=14)
    labels = [1.0 if a * b > 0 else 0.0 for a, b in X]
    tX, tl = torch.tensor(X, dtype=F64), torch.tensor(labels, dtype=F64)
    return (nn.MLP(2, [6, 6, 1], "sigmoid", seed=15),
            lambda m: nn.binary_cross_entropy_with_logits([m(x) for x in X], labels),
            lambda mod: torch_call("binary_cross_entropy_with_logits",
                                   logits=mod(tX).squeeze(1), targets=tl))


TRAJECTORIES = {
    "SGD momentum, mse_loss": (sgd_pair(momentum=0.9), regression),
    "Adam, mse_loss": (adam_pair(), regression),
    "SGD momentum, cross_entropy": (sgd_pair(lr=0.1, momentum=0.9), three_classes),
    "Adam, cross_entropy": (adam_pair(lr=0.02), three_classes),
    "SGD Nesterov + weight decay, BCE with logits": (
        sgd_pair(lr=0.2, momentum=0.8, nesterov=True, weight_decay=1e-3), two_classes),
    "Adam + weight decay, BCE with logits": (adam_pair(lr=0.03, betas=(0.8, 0.99),
                                                       weight_decay=1e-2), two_classes),
}


# The first torch optimizer built imports torch's compiler (about 2 s), and each trajectory
# takes a few tenths more: these run in make test and CI; the everyday loop checks the same
# update rules without torch (tests/test_nn_optim.py).
@pytest.mark.slow
@pytest.mark.parametrize("case", list(TRAJECTORIES))
def test_twenty_steps_agree_after_every_step(case: str) -> None:
    make_optimizers, problem = TRAJECTORIES[case]
    model, stepgrad_loss, torch_loss = problem()
    start = stepgrad_loss(model).data
    largest = train_both(model, make_optimizers, stepgrad_loss, torch_loss)
    assert stepgrad_loss(model).data < start, "training should lower the loss"
    LARGEST[case] = largest
    print(f"\n{case}: largest parameter difference over 20 steps = {largest:.3g}")


@pytest.mark.slow   # builds a torch optimizer, as the trajectories above
def test_a_different_rule_is_caught_within_the_first_steps() -> None:
    """The comparison can fail: torch with dampening 0.1 drifts from stepgrad without it."""
    model, stepgrad_loss, torch_loss = regression()

    def mismatched(model: Any, module: Any) -> tuple[Any, Any]:
        ours = nn.SGD(model.parameters(), lr=0.05, momentum=0.9)
        theirs = torch.optim.SGD(module.parameters(), lr=0.05, momentum=0.9, dampening=0.1)
        return ours, theirs

    with pytest.raises(AssertionError, match="after step 2"):
        train_both(model, mismatched, stepgrad_loss, torch_loss)


def test_the_readme_example_prints_two_equal_numbers() -> None:
    import contextlib
    import io
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Moving on to PyTorch"):readme.index("## Performance")]
    blocks = re.findall(r"^```py\n(.*?)^```", section, flags=re.S | re.M)
    assert len(blocks) == 1 and "nn.to_torch(model)" in blocks[0]
    out = io.StringIO()
    namespace: dict[str, Any] = {}
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], "README.md", "exec"), namespace)
    ours, theirs = out.getvalue().split()
    assert ours == theirs
    assert namespace["back"].state_dict() == namespace["model"].state_dict()
