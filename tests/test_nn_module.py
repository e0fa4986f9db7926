"""Module bookkeeping, Neuron/Layer/MLP semantics, saving and loading parameters."""

from __future__ import annotations

import gc
import json
import math

import pytest
from hostile import NUMBERS

from engine import Value
from nn import MLP, Layer, Module, Neuron

# --- named_parameters: found by walking attributes -------------------------------------

class Inner(Module):
    def __init__(self) -> None:
        self.p3 = Value(3.0)


class Middle(Module):
    def __init__(self) -> None:
        self.p2 = Value(2.0)
        self.c = Inner()


class Outer(Module):
    def __init__(self) -> None:
        self.p1 = Value(1.0)
        self.a = Middle()
        self.rest = [Value(4.0), (Value(5.0), [Inner()])]
        self.not_a_parameter = 7.0
        self.name = "outer"


def test_named_parameters_walk_attributes_in_order_with_dotted_names() -> None:
    model = Outer()
    assert [(n, p.data) for n, p in model.named_parameters()] == [
        ("p1", 1.0), ("a.p2", 2.0), ("a.c.p3", 3.0), ("rest.0", 4.0), ("rest.1.0", 5.0),
        ("rest.1.1.0.p3", 3.0)]
    assert model.parameters() == [p for _, p in model.named_parameters()]


def test_a_shared_parameter_is_listed_once_under_its_first_name() -> None:
    model = Outer()
    model.a.c.p3 = model.p1            # tie two weights
    model.again = model.a              # the same sub-module twice
    names = [n for n, _ in model.named_parameters()]
    assert names == ["p1", "a.p2", "rest.0", "rest.1.0", "rest.1.1.0.p3"]
    assert len(set(map(id, model.parameters()))) == len(model.parameters())


def test_a_module_that_refers_to_itself_does_not_loop() -> None:
    model = Middle()
    model.c.parent = model  # type: ignore[attr-defined]
    assert [n for n, _ in model.named_parameters()] == ["p2", "c.p3"]


def test_listing_the_parameters_leaves_no_garbage_cycle_holding_them() -> None:
    # (A cycle would keep every parameter referenced until the collector's next pass, and
    # engine.compile takes a parameter that loses a holder for a replaced one.)
    model = Outer()
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    try:
        model.named_parameters()
        model.parameters()
        assert gc.collect() == 0
    finally:
        if collecting:
            gc.enable()


class Dotted(Module):
    """An attribute whose name has a dot would give a name another attribute gives too."""

    def __init__(self, holds: object) -> None:
        setattr(self, "a.0", holds)
        self.a = [Value(2.0)]


@pytest.mark.parametrize("holds, what", [
    (Value(1.0), "a Value"),
    (Inner(), "a Module"),
    ([Value(1.0)], "a list of parameters"),
    (((Inner(),),), "a tuple of parameters"),
])
def test_a_parameter_name_with_a_dot_is_refused(holds: object, what: str) -> None:
    model = Dotted(holds)
    message = (f"Dotted: the attribute 'a.0' holds {what}, but a parameter name cannot "
               f"contain '.'")
    for listing in (model.named_parameters, model.parameters, model.state_dict):
        with pytest.raises(ValueError, match=message):
            listing()
    with pytest.raises(ValueError, match=message):
        model.load_state_dict({"a.0": 1.0})


def test_the_dotted_attribute_is_named_inside_a_sub_module() -> None:
    class Holder(Module):
        def __init__(self) -> None:
            self.p = Value(0.0)
            self.parts = [Inner(), Dotted(Value(1.0))]

    with pytest.raises(ValueError, match=r"^Dotted: the attribute 'a\.0' holds a Value"):
        Holder().named_parameters()


def test_a_dotted_attribute_without_parameters_is_ignored_like_any_other() -> None:
    model = Dotted("just text")
    setattr(model, "b.c", [1, "x", [2.0]])
    assert model.named_parameters() == [("a.0", model.a[0])]


def test_mlp_names_count_and_uniqueness() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    names = [n for n, _ in model.named_parameters()]
    assert len(names) == len(set(names)) == 337 == len(model.parameters())
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.b", "layers.0.neurons.1.w.0"]
    assert "layers.0.neurons.3.w.1" in names and "layers.0.neurons.3.b" in names
    assert names[-1] == "layers.2.neurons.0.b"
    params = dict(model.named_parameters())
    assert params["layers.1.neurons.5.w.7"] is model.layers[1].neurons[5].w[7]
    assert params["layers.2.neurons.0.b"] is model.layers[2].neurons[0].b


@pytest.mark.parametrize(("nin", "nouts", "count"),
                         [(2, [16, 16, 1], 337), (3, [4, 4, 1], 41), (1, [1], 2),
                          (5, [3], 18)])
def test_parameter_counts(nin: int, nouts: list[int], count: int) -> None:
    # Σ over layers of (inputs + 1) · outputs: each neuron has one weight per input and a bias.
    assert len(MLP(nin, nouts).parameters()) == count


def test_zero_grad_resets_every_parameter() -> None:
    model = MLP(2, [3, 1], seed=0)
    model([1.0, -2.0]).backward()      # type: ignore[union-attr]
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# --- state_dict / load_state_dict -------------------------------------------------------

def test_state_dict_round_trip_through_json_reproduces_the_model() -> None:
    a, b = MLP(2, [4, 4, 1], seed=1), MLP(2, [4, 4, 1], seed=2)
    x = [0.3, -0.7]
    assert a(x).data != b(x).data      # type: ignore[union-attr]
    state = json.loads(json.dumps(a.state_dict()))
    b.load_state_dict(state)
    assert b.state_dict() == a.state_dict()
    assert b(x).data == a(x).data      # type: ignore[union-attr]
    assert all(type(v) is float for v in a.state_dict().values())
    assert list(a.state_dict()) == [n for n, _ in a.named_parameters()]


def test_load_state_dict_accepts_ints_and_keeps_the_same_value_objects() -> None:
    model = MLP(1, [1], seed=0)
    before = model.parameters()
    model.load_state_dict({"layers.0.neurons.0.w.0": 2, "layers.0.neurons.0.b": -1})
    assert model.parameters() == before
    assert [(p.data, type(p.data)) for p in before] == [(2.0, float), (-1.0, float)]


def _state() -> dict[str, float]:
    return MLP(2, [2, 1], seed=0).state_dict()


def _assert_unchanged_after(model: MLP, state: object, error: type[Exception],
                            match: str) -> None:
    before = model.state_dict()
    with pytest.raises(error, match=match):
        model.load_state_dict(state)  # type: ignore[arg-type]
    assert model.state_dict() == before


def test_load_state_dict_names_missing_keys() -> None:
    state = _state()
    del state["layers.0.neurons.1.b"]
    _assert_unchanged_after(MLP(2, [2, 1], seed=5), state, ValueError,
                            r"missing keys: layers\.0\.neurons\.1\.b$")


def test_load_state_dict_names_unexpected_keys() -> None:
    state = _state()
    state["layers.9.w"] = 1.0
    _assert_unchanged_after(MLP(2, [2, 1], seed=5), state, ValueError,
                            r"unexpected keys: 'layers\.9\.w'")


def test_load_state_dict_names_both_kinds_of_mismatch() -> None:
    state = _state()
    state["extra"] = state.pop("layers.1.neurons.0.w.0")
    _assert_unchanged_after(MLP(2, [2, 1], seed=5), state, ValueError,
                            r"missing keys: layers\.1\.neurons\.0\.w\.0; unexpected keys: "
                            r"'extra'")

def test_load_state_dict_accepts_numpy_numbers() -> None:
    np = pytest.importorskip("numpy")
    model = MLP(1, [1], seed=0)
    model.load_state_dict({"layers.0.neurons.0.w.0": np.float32(0.5),
                           "layers.0.neurons.0.b": np.array(-1)})
    assert [(p.data, type(p.data)) for p in model.parameters()] == [(0.5, float),
                                                                    (-1.0, float)]

def test_long_key_lists_are_shortened() -> None:
    with pytest.raises(ValueError, match=r"\.\.\. \(337 in all\)"):
        MLP(2, [16, 16, 1]).load_state_dict({})


# --- Neuron -----------------------------------------------------------------------------

def test_neuron_sums_from_the_bias_left_to_right() -> None:
    n = Neuron(3, activation="linear", seed=0)
    for wi, v in zip(n.w, (0.5, -2.0, 4.0)):
        wi.data = v
    n.b.data = 0.25
    z = n([2.0, 3.0, -1.0])
    assert z.data == 0.25 + 0.5 * 2.0 + -2.0 * 3.0 + 4.0 * -1.0
    # z = ((b + w0·x0) + w1·x1) + w2·x2, as micrograd's sum(wx, b)
    s2, p2 = z.inputs
    s1, p1 = s2.inputs
    b, p0 = s1.inputs
    assert b is n.b
    assert [p.inputs[0] for p in (p0, p1, p2)] == n.w
    # Plain-number inputs are constants of the products, not new leaves.
    assert (p1.op, p1.inputs, p1.param) == ("*", (n.w[1],), 3.0)


def test_the_bias_is_the_weight_of_a_constant_input_one() -> None:
    n = Neuron(2, activation="linear", seed=3)
    n.b.data = 0.7
    with_bias = n([0.2, -0.4])
    extended = Neuron(3, activation="linear")
    extended.w[0].data, extended.w[1].data = n.w[0].data, n.w[1].data
    extended.w[2].data, extended.b.data = n.b.data, 0.0
    assert extended([0.2, -0.4, 1.0]).data == pytest.approx(with_bias.data, abs=1e-15)
    with_bias.backward()
    assert n.b.grad == 1.0             # ∂z/∂b = the constant input, 1


@pytest.mark.parametrize(("activation", "f"), [
    ("relu", lambda z: max(0.0, z)),
    ("tanh", math.tanh),
    ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
])
def test_activations_apply_to_z(activation: str, f: object) -> None:
    for bias in (-1.5, 1.5):
        n = Neuron(2, activation=activation, seed=1)
        n.b.data = bias
        a = n([0.5, -0.25])
        z = a.inputs[0]
        assert a.op == activation and len(a.inputs) == 1
        assert z.data == n.b.data + n.w[0].data * 0.5 + n.w[1].data * -0.25
        assert a.data == pytest.approx(f(z.data), rel=1e-15)  # type: ignore[operator]


def test_linear_neuron_returns_z_itself() -> None:
    n = Neuron(2, activation="linear", seed=1)
    z = n([1.0, 1.0])
    assert z.op == "+"


def test_neuron_accepts_values_as_inputs_and_backpropagates_into_them() -> None:
    n = Neuron(2, activation="tanh", seed=2)
    x = [Value(0.3), Value(-0.6)]
    a = n(x)
    a.backward()
    slope = 1 - a.data**2
    assert x[0].grad == pytest.approx(slope * n.w[0].data, rel=1e-12)
    assert n.w[1].grad == pytest.approx(slope * -0.6, rel=1e-12)


def test_initialisation_is_uniform_in_minus_one_one_with_zero_bias() -> None:
    model = MLP(3, [50, 50, 1], seed=0)
    weights = [w.data for layer in model.layers for n in layer.neurons for w in n.w]
    biases = [n.b.data for layer in model.layers for n in layer.neurons]
    assert all(-1.0 <= w < 1.0 for w in weights)
    assert min(weights) < -0.95 and max(weights) > 0.95     # spread over the whole range
    assert abs(sum(weights) / len(weights)) < 0.05
    assert biases == [0.0] * len(biases)


def test_seed_makes_models_reproducible_and_different_seeds_differ() -> None:
    assert MLP(2, [8, 1], seed=7).state_dict() == MLP(2, [8, 1], seed=7).state_dict()
    assert MLP(2, [8, 1], seed=7).state_dict() != MLP(2, [8, 1], seed=8).state_dict()
    assert Neuron(4, seed=3).state_dict() == Neuron(4, seed=3).state_dict()
    assert Layer(4, 3, seed=3).state_dict() == Layer(4, 3, seed=3).state_dict()
    # Without a seed each model draws its own weights.
    assert MLP(2, [8, 1]).state_dict() != MLP(2, [8, 1]).state_dict()


def test_neurons_of_a_layer_and_layers_of_a_model_get_different_weights() -> None:
    model = MLP(4, [4, 4, 1], seed=0)
    rows = [tuple(w.data for w in n.w) for layer in model.layers[:2] for n in layer.neurons]
    assert len(set(rows)) == len(rows)


# --- Layer and MLP ----------------------------------------------------------------------

def test_layer_returns_a_value_for_one_neuron_else_a_list() -> None:
    single = Layer(2, 1, seed=0)([1.0, 2.0])
    assert isinstance(single, Value)
    several = Layer(2, 3, seed=0)([1.0, 2.0])
    assert isinstance(several, list) and len(several) == 3


def test_mlp_hidden_layers_use_the_activation_and_the_last_is_linear() -> None:
    model = MLP(2, [3, 3, 2], activation="tanh", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "linear"]
    assert all(n.activation == layer.activation for layer in model.layers
               for n in layer.neurons)
    out = model([0.1, 0.2])
    assert isinstance(out, list) and len(out) == 2
    assert all(v.op == "+" for v in out)


def test_mlp_forward_equals_composing_the_neurons_by_hand() -> None:
    model = MLP(2, [3, 1], seed=4)
    x = [0.4, -1.1]
    hidden = []
    for n in model.layers[0].neurons:
        z = n.b.data + n.w[0].data * x[0] + n.w[1].data * x[1]
        hidden.append(max(0.0, z))
    last = model.layers[1].neurons[0]
    expected = last.b.data
    for w, h in zip(last.w, hidden):
        expected += w.data * h
    out = model(x)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(expected, rel=1e-14)


def test_a_hidden_layer_of_one_neuron_still_feeds_the_next_layer() -> None:
    out = MLP(2, [1, 1], seed=0)([1.0, 2.0])
    assert isinstance(out, Value)

def test_numpy_sizes_seeds_and_inputs_are_accepted() -> None:
    np = pytest.importorskip("numpy")
    model = MLP(np.int64(2), [np.int64(3), 1], seed=np.int64(0))
    same = MLP(2, [3, 1], seed=0)
    assert model.state_dict() == same.state_dict()
    x = [1.0, -2.0]
    expected = same(x).data  # type: ignore[union-attr]
    assert model(np.array(x)).data == expected  # type: ignore[union-attr,arg-type]
    assert model([np.float32(1.0), np.array(-2.0)]).data == expected  # type: ignore
    assert Layer(np.uint8(2), np.int32(1), seed=0)([1, 2]).data == Layer(  # type: ignore
        2, 1, seed=0)([1, 2]).data  # type: ignore[union-attr]

def test_repr_is_readable() -> None:
    assert repr(Neuron(3, activation="tanh")) == "Neuron(3, activation='tanh')"
    assert repr(Layer(3, 4)) == "Layer(3, 4, activation='relu')"
    assert repr(MLP(2, [16, 1])) == (
        "MLP(\n"
        "  (layers.0): Layer(2, 16, activation='relu')\n"
        "  (layers.1): Layer(16, 1, activation='linear')\n"
        ")")
    assert repr(Outer()) == (
        "Outer(\n"
        "  (a): Middle(\n"
        "    (c): Inner()\n"
        "  )\n"
        "  (rest.1.1.0): Inner()\n"
        ")")


def test_module_has_no_attribute_magic() -> None:
    with pytest.raises(AttributeError):
        _ = MLP(2, [1]).weights  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "number", "as_float"), NUMBERS, ids=[n for n, *_ in NUMBERS])
def test_a_model_takes_every_kind_of_number_as_the_float_it_stands_for(
        name: str, number: object, as_float: float) -> None:
    n = Neuron(2, activation="linear", seed=0)
    n.w[0].data, n.w[1].data = 1.0, 1.0
    if as_float > 1e300:
        with pytest.raises(OverflowError, match=r"^Neuron: the forward pass failed: \+: "):
            n([number, 1e308])
        return
    assert n([number, 0.25]).data == n([as_float, 0.25]).data == as_float + 0.25
