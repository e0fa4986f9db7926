"""Every public function of nn, given what a hostile (or hurried) user passes.

Each case is a row of a table: a call, and either the error it must raise (its type, and a
message naming the function and the argument) or the exact number it must give (the
number PyTorch float64 gives, written out by hand here; tests/test_torch_parity.py asks
PyTorch itself). The groups:

- numbers: bool, str, None, complex, Decimal, dict, a list, NumPy's bool and complex
  must raise ``TypeError``; nan, ±inf and 10**400 ``ValueError``; NumPy integer and real
  scalars and 0-d arrays, −0.0, subnormals and 1e308 are numbers like any other.
- counts (sizes, epochs, batch sizes, seeds): anything but a whole number is a
  ``TypeError``, a whole number out of range a ``ValueError``.
- containers: a dict, a str, a set or a lone number where a list is expected, wrong
  lengths and empty lists.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

import nn
from engine import Value, no_grad

np = pytest.importorskip("numpy")

Call = Callable[[Any], object]

# --- the hostile values ------------------------------------------------------------------

NOT_NUMBERS: list[tuple[str, Any]] = [
    ("bool", True), ("str", "1.0"), ("None", None), ("complex", 1 + 0j),
    ("Decimal", Decimal("0.5")), ("dict", {}), ("list", [0.5]),
    ("np.bool_", np.bool_(True)), ("np.complex128", np.complex128(0.5)),
    ("0-d str array", np.array("0.5")),
]
NON_FINITE: list[tuple[str, Any]] = [
    ("nan", math.nan), ("inf", math.inf), ("-inf", -math.inf), ("10**400", 10**400),
    ("-(10**400)", -(10**400)), ("np.nan", np.float64("nan")), ("np.float32 inf",
                                                                  np.float32("inf")),
]
# Numbers that are fine, each with the float it stands for.
NUMBERS: list[tuple[str, Any, float]] = [
    ("np.float64", np.float64(0.5), 0.5), ("np.float32", np.float32(0.5), 0.5),
    ("np.float16", np.float16(0.5), 0.5), ("np.int64", np.int64(1), 1.0),
    ("np.uint8", np.uint8(1), 1.0), ("0-d float array", np.array(0.5), 0.5),
    ("0-d int array", np.array(1), 1.0), ("Fraction", Fraction(1, 2), 0.5),
    ("-0.0", -0.0, -0.0), ("subnormal", 5e-324, 5e-324), ("1e308", 1e308, 1e308),
]
NOT_COUNTS: list[tuple[str, Any]] = [
    ("bool", True), ("float", 2.0), ("str", "2"), ("None", None), ("complex", 2 + 0j),
    ("Decimal", Decimal(2)), ("dict", {}), ("nan", math.nan), ("np.float64",
                                                                 np.float64(2.0)),
]
COUNTS: list[tuple[str, Any]] = [
    ("np.int64", np.int64(2)), ("np.int32", np.int32(2)), ("np.uint8", np.uint8(2)),
    ("0-d int array", np.array(2)),
]

cases: list[Any] = []


def case(group: str, name: str, call: Call, expect: Any, match: str = "") -> None:
    """One row: ``expect`` is an exception type (then ``match`` must be in the message) or
    a predicate on the result."""
    cases.append(pytest.param(call, expect, match, id=f"{group}: {name}"))


def ok(value: float) -> Callable[[object], bool]:
    """The result (a Value, or a number) is exactly ``value`` (−0.0 and 0.0 alike)."""
    def check(result: object) -> bool:
        got = result.data if isinstance(result, Value) else result
        return got == value
    return check


def returns(result: object) -> bool:
    return True


# --- Neuron, Layer, MLP: constructors ----------------------------------------------------

MAKERS: list[tuple[str, Callable[[Any], object], str]] = [
    ("Neuron(nin)", lambda n: nn.Neuron(n), "Neuron: nin"),
    ("Layer(nin)", lambda n: nn.Layer(n, 2), "Layer: nin"),
    ("Layer(nout)", lambda n: nn.Layer(2, n), "Layer: nout"),
    ("MLP(nin)", lambda n: nn.MLP(n, [2]), "MLP: nin"),
    ("MLP(nouts[1])", lambda n: nn.MLP(2, [2, n]), r"MLP: nouts\[1\]"),
]
for maker, make, who in MAKERS:
    for name, bad in NOT_COUNTS:
        case("sizes", f"{maker} = {name}", lambda m=make, b=bad: m(b), TypeError,
             f"{who} must be a whole number >= 1")
    for name, bad in [("0", 0), ("-1", -1), ("np.int64(0)", np.int64(0))]:
        case("sizes", f"{maker} = {name}", lambda m=make, b=bad: m(b), ValueError,
             f"{who} must be a whole number >= 1")
    for name, good in COUNTS:
        case("sizes", f"{maker} = {name}", lambda m=make, g=good: m(g), returns)

for name, nouts in [("int", 3), ("str", "3"), ("dict", {3: 1}), ("None", None)]:
    case("sizes", f"MLP(nouts={name})", lambda v=nouts: nn.MLP(2, v), TypeError,
         "MLP: nouts must be a list of layer sizes")
case("sizes", "MLP(nouts=[])", lambda: nn.MLP(2, []), ValueError, "MLP: nouts must be a non-empty")
case("sizes", "MLP(nouts=np.array)", lambda: len(nn.MLP(2, np.array([3, 1])).parameters()),
     ok(13))

for maker, make_act, who in [
    ("Neuron", lambda a: nn.Neuron(2, activation=a), "Neuron"),
    ("Layer", lambda a: nn.Layer(2, 2, activation=a), "Layer"),
    ("MLP", lambda a: nn.MLP(2, [2, 1], activation=a), "MLP"),
]:
    for name, bad in [("list", ["relu"]), ("None", None), ("int", 1), ("dict", {})]:
        case("activation", f"{maker}(activation={name})", lambda m=make_act, b=bad: m(b),
             TypeError, f"{who}: activation must be a str")
    for name, bad in [("'RELU'", "RELU"), ("''", ""), ("'softmax'", "softmax")]:
        case("activation", f"{maker}(activation={name})", lambda m=make_act, b=bad: m(b),
             ValueError, f"{who}: unknown activation")

for maker, make_seeded in [("Neuron", lambda s: nn.Neuron(2, seed=s)),
                           ("MLP", lambda s: nn.MLP(2, [1], seed=s))]:
    for name, bad in [("str", "0"), ("float", 0.5), ("bool", True), ("dict", {})]:
        case("seeds", f"{maker}(seed={name})", lambda m=make_seeded, b=bad: m(b), TypeError,
             f"{maker}: seed must be None or a whole number")
case("seeds", "MLP(seed=np.int64)",
     lambda: nn.MLP(2, [1], seed=np.int64(4)).state_dict() == nn.MLP(2, [1],
                                                                     seed=4).state_dict(),
     ok(True))


# --- Neuron, Layer, MLP: calls -------------------------------------------------------------

def _unit_neuron() -> nn.Neuron:
    n = nn.Neuron(2, activation="linear", seed=0)
    n.w[0].data, n.w[1].data = 1.0, 1.0
    return n


MODELS: list[tuple[str, Callable[[], Any]]] = [
    ("Neuron", lambda: nn.Neuron(2, seed=0)), ("Layer", lambda: nn.Layer(2, 3, seed=0)),
    ("MLP", lambda: nn.MLP(2, [3, 1], seed=0)),
]
for who, build in MODELS:
    for name, bad in NOT_NUMBERS:
        case("model calls", f"{who}([0.5, {name}])", lambda b=build, v=bad: b()([0.5, v]),
             TypeError, rf"{who}: x\[1\] must be a number or a Value")
    for name, bad in NON_FINITE:
        case("model calls", f"{who}([0.5, {name}])", lambda b=build, v=bad: b()([0.5, v]),
             ValueError, rf"{who}: x\[1\] must be a finite number")
    for name, box in [("dict", {"a": 1.0, "b": 2.0}), ("str", "ab"), ("set", {1.0, 2.0}),
                      ("float", 1.5), ("Value", Value(1.0)), ("None", None),
                      ("0-d array", np.array(1.5))]:
        case("model calls", f"{who}({name})", lambda b=build, v=box: b()(v), TypeError,
             f"{who}: x must be a list of 2 numbers or Values")
    for name, xs in [("[]", []), ("[1.0]", [1.0]), ("[1, 2, 3]", [1.0, 2.0, 3.0])]:
        case("model calls", f"{who}({name})", lambda b=build, v=xs: b()(v), ValueError,
             f"{who}: expected 2 inputs, got {len(xs)}")
for name, good, f in NUMBERS:
    case("model calls", f"Neuron([{name}, 0.25])",
         lambda g=good: _unit_neuron()([g, 0.25]), ok(f + 0.25))
case("model calls", "Neuron(np.array([...]))",
     lambda: _unit_neuron()(np.array([0.5, 0.25])), ok(0.75))
case("model calls", "Neuron([1e308, 1e308]) overflows", lambda: _unit_neuron()([1e308, 1e308]),
     OverflowError, "Neuron: the forward pass failed")


# --- losses --------------------------------------------------------------------------------

LOSSES: list[tuple[str, Callable[[Any, Any], Value], str, str, Any]] = [
    # name, function, name of the first argument, of the second, a good target
    ("mse_loss", nn.mse_loss, "preds", "targets", 0.5),
    ("binary_cross_entropy", nn.binary_cross_entropy, "probs", "targets", 1.0),
    ("binary_cross_entropy_with_logits", nn.binary_cross_entropy_with_logits, "logits",
     "targets", 1.0),
    ("hinge_loss", nn.hinge_loss, "scores", "targets", 1.0),
]
for who, loss, first, second, target in LOSSES:
    bad_numbers = [(NOT_NUMBERS, TypeError, "must be a number or a Value"),
                   (NON_FINITE, ValueError, "must be a finite number")]
    for values, error, says in bad_numbers:
        for name, bad in values:
            case("losses", f"{who}({first}=[0.5, {name}])",
                 lambda f=loss, v=bad, t=target: f([0.5, v], [t, t]), error,
                 rf"{who}: {first}\[1\] {says}")
            case("losses", f"{who}({second}=[t, {name}])",
                 lambda f=loss, v=bad, t=target: f([0.5, 0.5], [t, v]), error,
                 rf"{who}: {second}\[1\] {says}")
    for name, box in [("dict", {0: 0.5}), ("str", "0.5"), ("None", None), ("set", {0.5})]:
        case("losses", f"{who}({first}={name})",
             lambda f=loss, v=box, t=target: f(v, [t]), TypeError,
             f"{who}: {first} must be a list of numbers or Values")
    case("losses", f"{who}: lengths 2 and 1", lambda f=loss, t=target: f([0.5, 0.5], [t]),
         ValueError, f"{who}: got 2 {first} but 1 {second}")
    case("losses", f"{who}: empty", lambda f=loss: f([], []), ValueError,
         f"{who}: expected at least one sample")
    case("losses", f"{who}: NumPy arrays",
         lambda f=loss, t=target: f(np.array([0.5, 0.25]), np.array([t, t])).data
         == f([0.5, 0.25], [t, t]).data, ok(True))
    case("losses", f"{who}: 0-d arrays",
         lambda f=loss, t=target: f(np.array(0.5), np.array(t)).data == f([0.5], [t]).data,
         ok(True))

# The exact values PyTorch float64 gives at the edges (mean over the samples).
EDGES: list[tuple[str, Callable[[], Value], float]] = [
    ("mse_loss(-0.0, 0.0)", lambda: nn.mse_loss([-0.0], [0.0]), 0.0),
    ("mse_loss(subnormal, 0)", lambda: nn.mse_loss([5e-324], [0.0]), 0.0),
    ("mse_loss(1e154, 0)", lambda: nn.mse_loss([1e154], [0.0]), 1e154 * 1e154),
    ("binary_cross_entropy(0, 1)", lambda: nn.binary_cross_entropy([0.0], [1.0]), 100.0),
    ("binary_cross_entropy(1, 0)", lambda: nn.binary_cross_entropy([1.0], [0.0]), 100.0),
    ("binary_cross_entropy(-0.0, 0)", lambda: nn.binary_cross_entropy([-0.0], [0.0]), 0.0),
    ("binary_cross_entropy(subnormal, 1)",
     lambda: nn.binary_cross_entropy([5e-324], [1.0]), 100.0),
    ("binary_cross_entropy(1e-15, 1)", lambda: nn.binary_cross_entropy([1e-15], [1.0]),
     34.538776394910684),
    ("binary_cross_entropy_with_logits(1e308, 1)",
     lambda: nn.binary_cross_entropy_with_logits([1e308], [1.0]), 0.0),
    ("binary_cross_entropy_with_logits(-1e308, 1)",
     lambda: nn.binary_cross_entropy_with_logits([-1e308], [1.0]), 1e308),
    ("binary_cross_entropy_with_logits(40, 1)",
     lambda: nn.binary_cross_entropy_with_logits([40.0], [1.0]), 4.248354255291589e-18),
    ("binary_cross_entropy_with_logits(-0.0, 0)",
     lambda: nn.binary_cross_entropy_with_logits([-0.0], [0.0]), math.log(2)),
    ("hinge_loss(1e308, 1)", lambda: nn.hinge_loss([1e308], [1.0]), 0.0),
    ("hinge_loss(subnormal, 1)", lambda: nn.hinge_loss([5e-324], [1.0]), 1.0),
    ("cross_entropy([[1e308, 1e308]], [0])", lambda: nn.cross_entropy([[1e308, 1e308]], [0]),
     math.log(2)),
    ("cross_entropy([[1e308, -1e308]], [0])",
     lambda: nn.cross_entropy([[1e308, -1e308]], [0]), 0.0),
    ("cross_entropy([[1e16, 1e16, 1e16 - 1]], [0])",
     lambda: nn.cross_entropy([[1e16, 1e16, 1e16 - 1]], [0]), math.log(3)),
    ("cross_entropy([[-0.0, 0.0]], [1])", lambda: nn.cross_entropy([[-0.0, 0.0]], [1]),
     math.log(2)),
    ("cross_entropy([[5e-324, 0.0]], [1])", lambda: nn.cross_entropy([[5e-324, 0.0]], [1]),
     math.log(2)),
]
for name, call, value in EDGES:
    case("loss values", name, call, ok(value))

# Results PyTorch returns as inf (or nan) are refused, naming the loss.
case("losses", "mse_loss([1e200], [0.0])", lambda: nn.mse_loss([1e200], [0.0]), OverflowError,
     "mse_loss: sample 0")
case("losses", "mse_loss([1e308], [-1e308])", lambda: nn.mse_loss([1e308], [-1e308]),
     OverflowError, "mse_loss: sample 0")
case("losses", "mse_loss: mean of two 1.5e308 squares stays finite",
     lambda: nn.mse_loss([1.2e154, 1.2e154], [0.0, 0.0]), ok(1.2e154 * 1.2e154))
case("losses", "binary_cross_entropy_with_logits(1e308, -1)",
     lambda: nn.binary_cross_entropy_with_logits([1e308], [-1.0]), OverflowError,
     "binary_cross_entropy_with_logits: sample 0")
case("losses", "cross_entropy([[1e308, -1e308]], [1])",
     lambda: nn.cross_entropy([[1e308, -1e308]], [1]), OverflowError,
     "cross_entropy: the loss of row 0 overflows")
for name, bad in [("-0.5", -0.5), ("1.5", 1.5), ("1 + 1e-15", 1 + 1e-15)]:
    case("losses", f"binary_cross_entropy(probs=[{name}])",
         lambda b=bad: nn.binary_cross_entropy([b], [1.0]), ValueError,
         r"binary_cross_entropy: probabilities must be between 0 and 1, got probs\[0\]")
    case("losses", f"binary_cross_entropy(targets=[{name}])",
         lambda b=bad: nn.binary_cross_entropy([0.5], [b]), ValueError,
         r"binary_cross_entropy: targets must be between 0 and 1")
for name, bad in [("0", 0.0), ("2", 2.0), ("0.5", 0.5)]:
    case("losses", f"hinge_loss(targets=[{name}])", lambda b=bad: nn.hinge_loss([0.5], [b]),
         ValueError, r"hinge_loss: targets must be 1 or -1, got targets\[0\]")
case("losses", "hinge_loss([nan], [1.0]) is refused, not 0",
     lambda: nn.hinge_loss([math.nan], [1.0]), ValueError,
     r"hinge_loss: scores\[0\] must be a finite number, got nan")

# cross_entropy and softmax
for name, bad in NOT_NUMBERS:
    case("cross_entropy", f"logit {name}", lambda b=bad: nn.cross_entropy([[0.5, b]], [0]),
         TypeError, r"cross_entropy: logit_rows\[0\]\[1\] must be a number or a Value")
    case("softmax", f"logit {name}", lambda b=bad: nn.softmax([0.5, b]), TypeError,
         r"softmax: logits\[1\] must be a number or a Value")
for name, bad in NON_FINITE:
    case("cross_entropy", f"logit {name}", lambda b=bad: nn.cross_entropy([[0.5, b]], [0]),
         ValueError, r"cross_entropy: logit_rows\[0\]\[1\] must be a finite number")
    case("softmax", f"logit {name}", lambda b=bad: nn.softmax([0.5, b]), ValueError,
         r"softmax: logits\[1\] must be a finite number")
for name, bad in [("bool", True), ("float", 0.0), ("str", "0"), ("None", None),
                  ("np.float64", np.float64(0.0))]:
    case("cross_entropy", f"class index {name}",
         lambda b=bad: nn.cross_entropy([[0.5, 1.0]], [b]), TypeError,
         "cross_entropy: class index of row 0 must be an int")
for name, bad in [("-1", -1), ("2", 2), ("np.int64(5)", np.int64(5))]:
    case("cross_entropy", f"class index {name}",
         lambda b=bad: nn.cross_entropy([[0.5, 1.0]], [b]), ValueError,
         "cross_entropy: class index .* of row 0 is out of range for 2 classes")
for name, good in [("np.int64", np.int64(1)), ("np.uint8", np.uint8(1)),
                   ("0-d array", np.array(1))]:
    case("cross_entropy", f"class index {name}",
         lambda g=good: nn.cross_entropy([[0.0, 0.0]], [g]), ok(math.log(2)))
case("cross_entropy", "a flat list of floats",
     lambda: nn.cross_entropy([0.5, 1.0, 2.0], [0, 1, 0]), TypeError,
     r"cross_entropy: logit_rows\[0\] must be a list of logits")
case("cross_entropy", "one flat row with one int index",
     lambda: nn.cross_entropy([0.0, 0.0], 1), ok(math.log(2)))
case("cross_entropy", "rows as a dict", lambda: nn.cross_entropy({0: [0.5]}, [0]), TypeError,
     "cross_entropy: logit_rows must be a list of rows")
case("cross_entropy", "indices as a str", lambda: nn.cross_entropy([[0.5, 1.0]], "0"),
     TypeError, "cross_entropy: class_indices must be a list")
case("cross_entropy", "empty", lambda: nn.cross_entropy([], []), ValueError,
     "cross_entropy: expected at least one sample")
case("cross_entropy", "an empty row", lambda: nn.cross_entropy([[]], [0]), ValueError,
     r"cross_entropy: logit_rows\[0\] is empty")
case("cross_entropy", "ragged rows", lambda: nn.cross_entropy([[0.5, 1.0], [0.5]], [0, 0]),
     ValueError, "cross_entropy: every row needs 2 logits")
case("cross_entropy", "2 rows, 1 index", lambda: nn.cross_entropy([[0.5], [0.5]], [0]),
     ValueError, "cross_entropy: got 2 logit rows but 1 class indices")
case("softmax", "empty", lambda: nn.softmax([]), ValueError, "softmax: logits is empty")
case("softmax", "dict", lambda: nn.softmax({0: 1.0}), TypeError,
     "softmax: logits must be a list of numbers or Values")
case("softmax", "a lone float", lambda: nn.softmax(1.0), TypeError,
     "softmax: logits must be a list of logits")
case("softmax", "[1e308, -1e308]", lambda: [p.data for p in nn.softmax([1e308, -1e308])],
     lambda r: r == [1.0, 0.0])
case("softmax", "[-0.0, 0.0]", lambda: [p.data for p in nn.softmax([-0.0, 0.0])],
     lambda r: r == [0.5, 0.5])
case("softmax", "NumPy array", lambda: [p.data for p in nn.softmax(np.array([0.0, 0.0]))],
     lambda r: r == [0.5, 0.5])


# --- optimizers ------------------------------------------------------------------------------

def _params() -> list[Value]:
    return [Value(1.0), Value(-2.0)]


SETTINGS: list[tuple[str, Callable[[Any], object], str]] = [
    ("SGD(lr)", lambda v: nn.SGD(_params(), lr=v), "SGD: lr"),
    ("SGD(momentum)", lambda v: nn.SGD(_params(), lr=0.1, momentum=v), "SGD: momentum"),
    ("SGD(dampening)", lambda v: nn.SGD(_params(), lr=0.1, dampening=v), "SGD: dampening"),
    ("SGD(weight_decay)", lambda v: nn.SGD(_params(), lr=0.1, weight_decay=v),
     "SGD: weight_decay"),
    ("Adam(lr)", lambda v: nn.Adam(_params(), lr=v), "Adam: lr"),
    ("Adam(eps)", lambda v: nn.Adam(_params(), eps=v), "Adam: eps"),
    ("Adam(weight_decay)", lambda v: nn.Adam(_params(), weight_decay=v), "Adam: weight_decay"),
    ("Adam(betas[0])", lambda v: nn.Adam(_params(), betas=(v, 0.999)), r"Adam: betas\[0\]"),
    ("Adam(betas[1])", lambda v: nn.Adam(_params(), betas=(0.9, v)), r"Adam: betas\[1\]"),
    ("opt.lr =", lambda v: setattr(nn.SGD(_params(), lr=0.1), "lr", v), "SGD: lr"),
]
for setting, make, who in SETTINGS:
    for name, bad in NOT_NUMBERS:
        case("optimizer settings", f"{setting} = {name}", lambda m=make, b=bad: m(b), TypeError,
             f"{who} must be a finite number")
    for name, bad in [*NON_FINITE, ("-1", -1.0)]:
        case("optimizer settings", f"{setting} = {name}", lambda m=make, b=bad: m(b),
             ValueError, f"{who} must be a finite number")
    for name, good, f in NUMBERS:
        if "betas" in setting and f >= 1.0:
            continue
        case("optimizer settings", f"{setting} = {name}", lambda m=make, g=good: m(g), returns)
for name, bad in [("1.0", 1.0), ("np.float64(1.5)", np.float64(1.5))]:
    case("optimizer settings", f"Adam(betas[1]) = {name}",
         lambda b=bad: nn.Adam(_params(), betas=(0.9, b)), ValueError,
         r"Adam: betas\[1\] must be a finite number in \[0.0, 1.0\)")
case("optimizer settings", "Adam(betas=0.9)", lambda: nn.Adam(_params(), betas=0.9),
     ValueError, "Adam: betas must be a pair")
case("optimizer settings", "Adam(betas=np.array)",
     lambda: nn.Adam(_params(), betas=np.array([0.5, 0.25])).betas, lambda r: r == (0.5, 0.25))
case("optimizer settings", "SGD(lr=10**400)", lambda: nn.SGD(_params(), lr=10**400),
     ValueError, "SGD: lr must be a finite number >= 0.0, got an int of 401 digits")
case("optimizer settings", "SGD(lr=np.float32(0.1)).lr",
     lambda: nn.SGD(_params(), lr=np.float32(0.5)).lr, ok(0.5))
case("optimizer settings", "Adam(eps=0) is accepted", lambda: nn.Adam(_params(), eps=0.0).eps,
     ok(0.0))

for name, bad in [("None", None), ("a Value", Value(1.0)), ("dict", {"w": Value(1.0)}),
                  ("str", "w"), ("int", 3)]:
    case("optimizer params", f"SGD(params={name})", lambda b=bad: nn.SGD(b, lr=0.1),
         TypeError, "SGD: params must be a list of Values")
for name, bad in [("float", 1.0), ("None", None), ("list", [Value(1.0)])]:
    case("optimizer params", f"Adam(params=[Value, {name}])",
         lambda b=bad: nn.Adam([Value(1.0), b]), TypeError,
         r"Adam: params\[1\] must be a Value")
case("optimizer params", "SGD([])", lambda: nn.SGD([], lr=0.1), ValueError,
     "SGD: got an empty parameter list")
case("optimizer params", "SGD(a generator)",
     lambda: len(nn.SGD((v for v in _params()), lr=0.1).params), ok(2))


def _step_with(opt: str, grad: Any, data: float = 1.0, lr: float = 0.1, **kw: Any) -> float:
    p = Value(data)
    o = nn.SGD([p], lr=lr, **kw) if opt == "SGD" else nn.Adam([p], lr=lr, **kw)
    p.grad = grad
    o.step()
    return p.data


for opt in ("SGD", "Adam"):
    case("optimizer steps", f"{opt}: grad -0.0",
         lambda o=opt: _step_with(o, -0.0) if o == "SGD" else _step_with(o, -0.0, eps=1e-8),
         ok(1.0))
    case("optimizer steps", f"{opt}: grad 1e308",
         lambda o=opt: _step_with(o, 1e308, lr=0.0), ok(1.0) if opt == "SGD" else OverflowError,
         "" if opt == "SGD" else "Adam.step: the second moment v of parameter 0 is inf")
    case("optimizer steps", f"{opt}: a Value grad steps with its number",
         lambda o=opt: _step_with(o, Value(2.0), lr=0.5) == _step_with(o, 2.0, lr=0.5),
         ok(True))
case("optimizer steps", "SGD: update overflows", lambda: _step_with("SGD", 1e308, 1e308, 10.0),
     OverflowError, r"SGD.step: the update of parameter 0 is -inf \(lr = 10, grad = 1e\+308")
case("optimizer steps", "SGD: subnormal grad", lambda: _step_with("SGD", 5e-324, 0.0, 1.0),
     ok(-5e-324))
case("optimizer steps", "SGD: lr 1e-300", lambda: _step_with("SGD", 1.0, 1.0, 1e-300),
     ok(1.0 - 1e-300))
case("optimizer steps", "Adam: eps 0 and a zero grad", lambda: _step_with("Adam", 0.0, eps=0.0),
     ZeroDivisionError, r"Adam.step: parameter 0 would be divided by √v̂ \+ eps = 0")


# --- Module: state_dict / load_state_dict --------------------------------------------------

def _load(entry: Any) -> list[float]:
    model = nn.MLP(1, [1], seed=0)
    model.load_state_dict({"layers.0.neurons.0.w.0": entry, "layers.0.neurons.0.b": 0.0})
    return [p.data for p in model.parameters()]


for name, bad in NOT_NUMBERS:
    case("load_state_dict", f"entry {name}", lambda b=bad: _load(b), TypeError,
         r"MLP.load_state_dict: expected real numbers, got: layers\.0\.neurons\.0\.w\.0")
for name, bad in NON_FINITE:
    case("load_state_dict", f"entry {name}", lambda b=bad: _load(b), ValueError,
         r"MLP.load_state_dict: expected finite numbers, got: layers\.0\.neurons\.0\.w\.0")
for name, good, f in NUMBERS:
    case("load_state_dict", f"entry {name}", lambda g=good: _load(g),
         lambda r, f=f: r == [f, 0.0] and type(r[0]) is float)
for name, bad in [("list", [("w", 1.0)]), ("None", None), ("str", "w")]:
    case("load_state_dict", f"state {name}",
         lambda b=bad: nn.MLP(1, [1], seed=0).load_state_dict(b), TypeError,
         "MLP.load_state_dict: expected a dict")
case("load_state_dict", "state {}", lambda: nn.MLP(1, [1], seed=0).load_state_dict({}),
     ValueError, "MLP.load_state_dict: missing keys")
case("state_dict", "plain floats",
     lambda: {type(v) for v in nn.MLP(2, [2, 1], seed=0).state_dict().values()},
     lambda r: r == {float})
case("parameters", "zero_grad then parameters",
     lambda: nn.MLP(2, [2, 1], seed=0).zero_grad(), lambda r: r is None)


# --- batches and fit ---------------------------------------------------------------------

for name, bad in NOT_COUNTS:
    case("batches", f"n = {name}", lambda b=bad: nn.batches(b), TypeError,
         "batches: n must be a whole number >= 0")
    if bad is not None:  # None is the full batch
        case("batches", f"batch_size = {name}", lambda b=bad: nn.batches(4, b), TypeError,
             "batches: batch_size must be a whole number >= 1")
for name, good in COUNTS:
    case("batches", f"n = {name}", lambda g=good: nn.batches(g, shuffle=False),
         lambda r: r == [[0, 1]])
    case("batches", f"batch_size = {name}", lambda g=good: nn.batches(3, g, shuffle=False),
         lambda r: r == [[0, 1], [2]])
case("batches", "n = 0", lambda: nn.batches(0), lambda r: r == [])
case("batches", "n = -1", lambda: nn.batches(-1), ValueError, "batches: n must be")
case("batches", "batch_size = 0", lambda: nn.batches(3, 0), ValueError,
     "batches: batch_size must be")
case("batches", "shuffle = 'yes'", lambda: nn.batches(3, shuffle="yes"), TypeError,
     "batches: shuffle must be True or False")
case("batches", "seed = 'a'", lambda: nn.batches(3, seed="a"), TypeError,
     "batches: seed must be None or a whole number")

X = [[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]]
Y = [1.0, 1.0, -1.0, -1.0]


def _fit(**kwargs: Any) -> dict[str, list[float]]:
    model = nn.MLP(2, [2, 1], seed=0)
    args: dict[str, Any] = {"model": model, "inputs": X, "targets": Y,
                            "loss_fn": nn.hinge_loss,
                            "optimizer": nn.SGD(model.parameters(), lr=0.1),
                            "progress": False}
    args.update(kwargs)
    return nn.fit(**args)


for name, bad in NOT_COUNTS:
    case("fit", f"epochs = {name}", lambda b=bad: _fit(epochs=b), TypeError,
         "fit: epochs must be a whole number >= 1")
    if bad is not None:
        case("fit", f"batch_size = {name}", lambda b=bad: _fit(batch_size=b), TypeError,
             "fit: batch_size must be a whole number >= 1")
for name, good in COUNTS:
    case("fit", f"epochs = {name}", lambda g=good: len(_fit(epochs=g)["loss"]), ok(2))
case("fit", "epochs = 0", lambda: _fit(epochs=0), ValueError, "fit: epochs must be")
case("fit", "empty data", lambda: _fit(inputs=[], targets=[]), ValueError,
     "fit: inputs and targets are empty")
case("fit", "inputs a dict", lambda: _fit(inputs={0: [0.0, 1.0]}), TypeError,
     "fit: inputs must be a list")
case("fit", "targets None", lambda: _fit(targets=None), TypeError, "fit: targets must be a list")
case("fit", "targets 3 of 4", lambda: _fit(targets=Y[:3]), ValueError,
     "fit: got 4 inputs but 3 targets")
case("fit", "optimizer None", lambda: _fit(optimizer=None), TypeError,
     "fit: optimizer must be an nn optimizer")
case("fit", "loss_fn returns a float", lambda: _fit(loss_fn=lambda p, t: 0.5), TypeError,
     "fit: loss_fn must return a Value")
case("fit", "loss_fn returns a float, compiled", lambda: _fit(loss_fn=lambda p, t: 0.5,
                                                              compile=True), TypeError,
     "fit: loss_fn must return a Value")
case("fit", "loss_fn None", lambda: _fit(loss_fn=None), TypeError, "fit: loss_fn must be callable")
case("fit", "lr_schedule returns nan", lambda: _fit(lr_schedule=lambda e: math.nan), ValueError,
     r"fit: lr_schedule\(0\) must be a finite number, got nan")
case("fit", "lr_schedule returns 10**400", lambda: _fit(lr_schedule=lambda e: 10**400),
     ValueError, r"fit: lr_schedule\(0\) must be a finite number")
case("fit", "lr_schedule returns a str", lambda: _fit(lr_schedule=lambda e: "0.1"), TypeError,
     r"fit: lr_schedule\(0\) must be a real number")
case("fit", "lr_schedule returns np.float32",
     lambda: len(_fit(lr_schedule=lambda e: np.float32(0.1))["loss"]), ok(1))
case("fit", "NumPy inputs and targets",
     lambda: _fit(inputs=np.array(X), targets=np.array(Y), seed=0) == _fit(seed=0), ok(True))
case("fit", "inside no_grad", lambda: _in_no_grad(_fit), RuntimeError,
     "fit: gradients are disabled")


def _in_no_grad(fn: Callable[[], object]) -> object:
    with no_grad():
        return fn()


# --- draw_model ------------------------------------------------------------------------------

def _draw(**kwargs: Any) -> str:
    args: dict[str, Any] = {"model": nn.MLP(2, [2, 1], seed=0), "x": [0.5, -1.0]}
    args.update(kwargs)
    return nn.draw_model(**args).source


for name, bad in NOT_NUMBERS:
    case("draw_model", f"x[1] = {name}", lambda b=bad: _draw(x=[0.5, b]), TypeError,
         r"draw_model: x\[1\] must be a number or a Value")
    case("draw_model", f"target = [{name}]", lambda b=bad: _draw(target=[b]), TypeError,
         r"draw_model: target\[0\] must be a number or a Value")
for name, bad in NON_FINITE:
    case("draw_model", f"x[1] = {name}", lambda b=bad: _draw(x=[0.5, b]), ValueError,
         r"draw_model: x\[1\] must be a finite number")
    case("draw_model", f"target = {name}", lambda b=bad: _draw(target=b), ValueError,
         "draw_model: target must be a finite number")
for name, good, f in NUMBERS:
    case("draw_model", f"x[1] = {name}", lambda g=good: _draw(x=[0.5, g]), returns)
    if f < 1e300:
        case("draw_model", f"target = {name}", lambda g=good: _draw(target=g), returns)
case("draw_model", "target = 1e308: the default loss overflows",
     lambda: _draw(target=1e308), OverflowError, "mse_loss: sample 0")
for name, bad in [("dict", {"a": 0.5, "b": 1.0}), ("str", "ab"), ("None", None),
                  ("float", 0.5)]:
    case("draw_model", f"x = {name}", lambda b=bad: _draw(x=b), TypeError,
         "draw_model: x must be a list of 2 numbers or Values")
case("draw_model", "x = []", lambda: _draw(x=[]), ValueError, "draw_model: expected 2 inputs")
case("draw_model", "target of 2 for 1 output", lambda: _draw(target=[1.0, 2.0]), ValueError,
     "draw_model: there are 1 outputs but target has 2")
case("draw_model", "model a dict", lambda: _draw(model={}), TypeError,
     r"draw_model: model must be an nn\.MLP")
case("draw_model", "model None", lambda: _draw(model=None), TypeError,
     r"draw_model: model must be an nn\.MLP")
for name, bad in NOT_COUNTS:
    case("draw_model", f"digits = {name}", lambda b=bad: _draw(digits=b), TypeError,
         "draw_model: digits must be a whole number")
case("draw_model", "digits = 0", lambda: _draw(digits=0), ValueError,
     "draw_model: digits must be a whole number >= 1")
case("draw_model", "digits = np.int64(3)", lambda: _draw(digits=np.int64(3)), returns)
case("draw_model", "max_connections = 'all'", lambda: _draw(max_connections="all"), TypeError,
     "draw_model: max_connections must be a whole number")
case("draw_model", "max_connections = 1", lambda: _draw(max_connections=1), ValueError,
     "draw_model: the model has 6 connections, more than max_connections=1")
for name, bad in [("None", None), ("1", 1), ("'LR'.lower()", "lr")]:
    case("draw_model", f"rankdir = {name}", lambda b=bad: _draw(rankdir=b), ValueError,
         "draw_model: rankdir must be one of LR, TB, RL, BT")
case("draw_model", "show_weights = 'no'", lambda: _draw(show_weights="no"), TypeError,
     "draw_model: show_weights must be True or False")
case("draw_model", "loss_fn = 'mse'", lambda: _draw(target=1.0, loss_fn="mse"), TypeError,
     "draw_model: loss_fn must be callable")
case("draw_model", "loss_fn returns a float", lambda: _draw(target=1.0, loss_fn=lambda p, t: 1.0),
     TypeError, "draw_model: loss_fn must return a Value")
case("draw_model", "inside no_grad",
     lambda: _in_no_grad(lambda: _draw(target=1.0)) == _draw(target=1.0), ok(True))


# --- the test ------------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "expect", "match"), cases)
def test_hostile_input(call: Callable[[], object], expect: Any, match: str) -> None:
    if isinstance(expect, type) and issubclass(expect, BaseException):
        with pytest.raises(expect, match=match):
            call()
    else:
        result = call()
        assert expect(result), f"unexpected result {result!r}"


def test_the_tables_are_large() -> None:
    assert len(cases) > 600
