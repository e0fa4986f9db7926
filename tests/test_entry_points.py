"""Every argument of every public function of engine and nn goes to its checker.

One row per argument: where it is named in messages, the check of :mod:`engine.args` it
must get (with its bounds), and a call that passes it. The test hands each row the hostile
values of its kind (``test_args.py`` tests the checkers against every hostile value) and
asserts that the call refuses each one the checker refuses, with the checker's own type
and message: the argument reaches that check, under that name.
"""

from __future__ import annotations

import functools
import math
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hostile import POINTS, SIGNS, small_fit

import engine
import nn
from engine import (
    Rule,
    Stepper,
    Value,
    apply,
    args,
    backprop,
    backprop_steps,
    draw_dot,
    enable_grad,
    forward_steps,
    gradcheck,
    gradients,
    hessian,
    hvp,
    no_grad,
    numerical_grad,
    ops,
    topological_order,
)
from engine import grad as grad_of
from engine.viz.draw import RANKDIRS, check_collapse
from engine.viz.steps import trace
from engine.viz.text import MAX_DIGITS
from nn.activations import ACTIVATIONS
from nn.demo import two_moons
from nn.layers import inputs
from nn.losses import logits_row, samples
from nn.optim import leaf
from nn.viz.training_view import Frame, TrainingView
from nn.viz.training_view.task import TASKS


@dataclass(frozen=True)
class Row:
    where: str
    check: Callable[[Any, str], Any]
    call: Callable[[Any], object]
    values: tuple[Any, ...]

    def __repr__(self) -> str:
        return self.where


# The hostile values a kind is tried with: a wrong type and a wrong value where the kind
# has one (test_args.py tries each checker with all of them).
REAL = ("1.0", np.bool_(True), math.nan, 10**400, -1.0, 0.0)
WHOLE = (2.0, np.bool_(True), "2", -1, 0)
FLAG = (1, "yes", None)
INSTANCE = (2.0, None, "x")
LIST = ("ab", {}, [], ["a"], [2.0], 3.0)
FUNCTION = ("f", 3, lambda: None, lambda a, b, c, d: None)
TEXT = (3, b"x", "x\ud800")
CHOICE = (3, "nope")
FINITE = (math.nan, math.inf, 10**400)   # operators: a non-number is Python's business
HUGE = Fraction(10**400)   # a number whose float() overflows: not an int, not a float
PATH = ("", ".", 3, None, "/no-such-folder/a.html", "a\0b.html")

ROWS: list[Row] = []


def row(where: str, check: Callable[[Any, str], Any], values: tuple[Any, ...]) -> Callable[
        [Callable[[Any], object]], Callable[[Any], object]]:
    """Declare the row of the function below it (a call that passes the hostile value)."""
    def add(call: Callable[[Any], object]) -> Callable[[Any], object]:
        ROWS.append(Row(where, check, call, values))
        return call
    return add


def real(**bounds: Any) -> Callable[[Any, str], float]:
    return functools.partial(args.real, **bounds)


def whole(**bounds: Any) -> Callable[[Any, str], int]:
    return functools.partial(args.whole, **bounds)


def instance(cls: type) -> Callable[[Any, str], Any]:
    return lambda v, where: args.instance(v, where, cls)


def items(check: Callable[[Any, str], Any], kind: str, **options: Any) -> Callable[[Any, str],
                                                                                     Any]:
    return lambda v, where: args.items(v, where, check, kind=kind, **options)


def function(n: int | None = None, as_called: str = "") -> Callable[[Any, str], Any]:
    return lambda v, where: args.function(v, where, n, as_called)


def whole_or_none(**bounds: Any) -> Callable[[Any, str], int | None]:
    return functools.partial(args.whole_or_none, **bounds)


def choice(options: Any) -> Callable[[Any, str], str]:
    return functools.partial(args.choice, options=options)


def x2() -> Value:
    return Value(2.0, label="x")


def cube(a: Value) -> Value:
    return a * a * a


# --- engine: Value ---------------------------------------------------------------------------
row("Value: data", args.real, REAL)(lambda b: Value(b))
row("Value: label", args.text, TEXT)(lambda b: Value(1.0, label=b))
row("Value.data", args.real, REAL)(lambda b: setattr(x2(), "data", b))
row("Value.grad", lambda v, w: args.scalar(v, w, Value), REAL)(lambda b: setattr(x2(), "grad", b))
row("Value.label", args.text, TEXT)(lambda b: setattr(x2(), "label", b))
row("leaky_relu: slope", args.real, REAL)(lambda b: x2().leaky_relu(b))
for _text, _call in [("x + c", lambda b: x2() + b), ("x + c", lambda b: b + x2()),
                     ("x - c", lambda b: x2() - b), ("c - x", lambda b: b - x2()),
                     ("x * c", lambda b: x2() * b), ("x * c", lambda b: b * x2()),
                     ("x / c", lambda b: x2() / b), ("c / x", lambda b: b / x2()),
                     ("x ** c", lambda b: x2() ** b), ("c ** x", lambda b: b ** x2())]:
    row(f"{_text}: c", args.real, FINITE)(_call)
row("backward: grad", args.real, REAL)(lambda b: (x2() * 3).backward(b))
row("backward: create_graph", args.flag, FLAG)(lambda b: (x2() * 3).backward(create_graph=b))
row("backward: root", instance(Value), INSTANCE)(lambda b: engine.backward(b))
row("backward: create_graph", args.flag, FLAG)(lambda b: engine.backward(x2(), create_graph=b))

# --- engine: building nodes, the table --------------------------------------------------------
row("apply: rule", instance(Rule), INSTANCE)(lambda b: apply(b, x2()))
row("apply: inputs[0]", instance(Value), INSTANCE)(lambda b: apply(ops.TANH, b))
row("apply: inputs[1]", instance(Value), INSTANCE)(lambda b: apply(ops.MUL, x2(), b))
row("apply: c of '*'", args.real, REAL)(lambda b: apply(ops.MUL_C, x2(), c=b))


def _rule(**changes: Any) -> Rule:
    fields: dict[str, Any] = {"name": "twice", "args": "x", "text": "2x", "forward": "2.0 * x",
                              "partials": ("2.0",), "formulas": ("2",), "symbol": "×2"}
    fields.update(changes)
    return Rule(**fields)


for _field in ("text", "forward", "symbol", "note"):
    row(f"Rule 'twice': {_field}", args.text, TEXT)(lambda b, f=_field: _rule(**{f: b}))
row("Rule 'twice': args", lambda v, w: args.choice(v, w, ("x", "x, y", "x, c")), CHOICE)(
    lambda b: _rule(args=b))
row("Rule 'twice': partials", instance(tuple), ("2.0", ["2.0"], None))(
    lambda b: _rule(partials=b))
row("Rule 'twice': partials", items(args.text, "a tuple of str", n=1), ((2.0,), ("1", "2")))(
    lambda b: _rule(partials=b))
row("Rule 'twice': check", function(2, "as check(x, y_or_c)"), FUNCTION[:2] + FUNCTION[3:])(
    lambda b: _rule(check=b))

# --- engine: the graph and its gradients -------------------------------------------------------
row("topological_order: root", instance(Value), INSTANCE)(lambda b: topological_order(b))
row("gradients: root", instance(Value), INSTANCE)(lambda b: gradients(b))
row("gradients: grad", args.real, REAL)(lambda b: gradients(x2() * 3, b))
row("backprop: root", instance(Value), INSTANCE)(lambda b: backprop(b))
row("backprop: grad", args.real, REAL)(lambda b: backprop(x2() * 3, b))
row("backprop: visit", function(3, "as visit(node, g, partials)"), FUNCTION)(
    lambda b: backprop(x2() * 3, visit=b))
row("grad: output", instance(Value), INSTANCE)(lambda b: grad_of(b, [x2()]))
row("grad: inputs", items(instance(Value), "a Value or a list of Values"), LIST)(
    lambda b: grad_of(x2() * 3, b))
row("grad: grad", args.real, REAL)(lambda b: (lambda x: grad_of(x * 3, [x], b))(x2()))
for _flag in ("create_graph", "allow_unused"):
    row(f"grad: {_flag}", args.flag, FLAG)(
        lambda b, f=_flag: (lambda x: grad_of(x * 3, [x], **{f: b}))(x2()))
NUMBERS_OR_VALUES = items(engine.number_of, "a list of numbers or Values")
for _name, _call in [("hessian", lambda fn=cube, values=(2.0,): hessian(fn, values)),
                     ("hvp", lambda fn=cube, values=(2.0,): hvp(fn, values, [1.0]))]:
    row(f"{_name}: fn", function(1), FUNCTION)(lambda b, c=_call: c(fn=b))
    row(f"{_name}: values", NUMBERS_OR_VALUES, LIST)(lambda b, c=_call: c(values=b))
    row(f"{_name}: fn's result", instance(Value), INSTANCE)(lambda b, c=_call: c(fn=lambda a: b))
row("hvp: v", items(args.real, "a list of numbers", n=1), (*LIST, [1.0, 2.0]))(
    lambda b: hvp(cube, [2.0], b))
for _name, _check, _values in [("gradcheck", gradcheck, "inputs"),
                               ("numerical_grad", numerical_grad, "values")]:
    row(f"{_name}: fn", function(1), FUNCTION)(lambda b, c=_check: c(b, [1.0]))
    row(f"{_name}: {_values}", NUMBERS_OR_VALUES, LIST)(lambda b, c=_check: c(cube, b))
    row(f"{_name}: eps", real(low=0, low_open=True), REAL)(
        lambda b, c=_check: c(cube, [1.0], eps=b))
    row(f"{_name}: fn's result", instance(Value), INSTANCE)(
        lambda b, c=_check: c(lambda a: b, [1.0]))
for _tolerance in ("rtol", "atol"):
    row(f"gradcheck: {_tolerance}", real(low=0), REAL)(
        lambda b, t=_tolerance: gradcheck(cube, [1.0], **{t: b}))
row("no_grad: fn", function(), FUNCTION[:2])(lambda b: no_grad()(b))
row("enable_grad: fn", function(), FUNCTION[:2])(lambda b: enable_grad()(b))


# --- nn: models -----------------------------------------------------------------------------------
SIZE = whole(low=1)
SEED = args.seed
ACTIVATION = functools.partial(args.choice, options=list(ACTIVATIONS))
INPUTS_OF_2 = (*LIST, [0.5], [0.5, "a"], [0.5, math.nan], [0.5, np.bool_(True)])


def model_input(n: int) -> Callable[[Any, str], Any]:
    return lambda v, where: inputs(v, n, where)


for _name, _make in [("Neuron", lambda **kw: nn.Neuron(**{"nin": 2, **kw})),
                     ("Layer", lambda **kw: nn.Layer(**{"nin": 2, "nout": 2, **kw})),
                     ("MLP", lambda **kw: nn.MLP(**{"nin": 2, "nouts": [2, 1], **kw}))]:
    row(f"{_name}: nin", SIZE, WHOLE)(lambda b, m=_make: m(nin=b))
    row(f"{_name}: activation", ACTIVATION, CHOICE)(lambda b, m=_make: m(activation=b))
    row(f"{_name}: seed", SEED, WHOLE)(lambda b, m=_make: m(seed=b))
    row(f"{_name}: x", model_input(2), INPUTS_OF_2)(lambda b, m=_make: m(seed=0)(b))
row("Layer: nout", SIZE, WHOLE)(lambda b: nn.Layer(2, b))
row("MLP: nouts", items(SIZE, "a list of layer sizes"), (*LIST, [2, 0], [2, 2.0]))(
    lambda b: nn.MLP(2, b))
row("MLP.load_state_dict: state", instance(Mapping), (None, [("b", 1.0)]))(
    lambda b: nn.MLP(1, [1], seed=0).load_state_dict(b))
row("MLP.load_state_dict: state['layers.0.neurons.0.b']", args.real, REAL)(
    lambda b: nn.MLP(1, [1], seed=0).load_state_dict({"layers.0.neurons.0.w.0": 1.0,
                                                      "layers.0.neurons.0.b": b}))

# --- nn: losses -----------------------------------------------------------------------------------
SAMPLES = (*LIST, [0.5, "a"], [0.5, math.nan], [0.5, np.bool_(True)])
for _loss, (_first, _target) in {nn.mse_loss: ("preds", 0.5),
                                 nn.binary_cross_entropy: ("probs", 1.0),
                                 nn.binary_cross_entropy_with_logits: ("logits", 1.0),
                                 nn.hinge_loss: ("scores", 1.0)}.items():
    _who = _loss.__name__
    row(f"{_who}: {_first}", samples, SAMPLES)(lambda b, f=_loss, t=_target: f(b, [t, t]))
    row(f"{_who}: targets", samples, SAMPLES)(lambda b, f=_loss, t=_target: f([0.5, 0.5], b))
row("softmax: logits", logits_row, SAMPLES)(lambda b: nn.softmax(b))
row("cross_entropy: logit_rows", items(logits_row, "a list of rows of logits", empty=True),
    ("ab", {}, [[]], [["a"]], [[0.5, math.nan]], [0.5, 1.0]))(
    lambda b: nn.cross_entropy(b, [0]))
row("cross_entropy: class_indices", items(None, "a list of class indices", empty=True),
    ("ab", {}, None))(lambda b: nn.cross_entropy([[0.5, 1.0]], b))
row("cross_entropy: class_indices[0]", whole(low=0, high=1), (*WHOLE, 2, 1.0, True))(
    lambda b: nn.cross_entropy([[0.5, 1.0]], [b]))

# --- nn: optimizers, batches, fit, the bridge, the demo -------------------------------------
NOT_LEAVES = (*LIST, [Value(1.0) * 2], [Value(1.0), 2.0])
for _opt in (nn.SGD, nn.Adam):
    _who = _opt.__name__
    row(f"{_who}: params", items(leaf, "a list of Values (such as model.parameters())"),
        NOT_LEAVES)(lambda b, o=_opt: o(b, lr=0.1))
    for _setting in ("lr", "weight_decay", *(("momentum", "dampening") if _opt is nn.SGD
                                             else ("eps",))):
        row(f"{_who}: {_setting}", real(low=0), REAL)(
            lambda b, o=_opt, s=_setting: o([Value(1.0)], **{"lr": 0.1, s: b}))
        row(f"{_who}: {_setting}", real(low=0), REAL)(
            lambda b, o=_opt, s=_setting: setattr(o([Value(1.0)], lr=0.1), s, b))
row("SGD: nesterov", args.flag, FLAG)(lambda b: nn.SGD([Value(1.0)], lr=0.1, momentum=0.5,
                                                        nesterov=b))
row("Adam: betas", items(real(low=0, high=1, high_open=True), "a pair of numbers", n=2),
    (0.9, "ab", (0.9,), (0.9, 1.0), (-0.1, 0.5), (0.5, "a")))(
    lambda b: nn.Adam([Value(1.0)], betas=b))
row("batches: n", whole(low=0), WHOLE)(lambda b: nn.batches(b))
row("batches: batch_size", whole(low=1), WHOLE)(lambda b: nn.batches(4, b))
row("batches: shuffle", args.flag, FLAG)(lambda b: nn.batches(4, shuffle=b))
row("batches: seed", SEED, WHOLE)(lambda b: nn.batches(4, seed=b))

fit = small_fit
for _name in ("model", "loss_fn"):
    row(f"fit: {_name}", function(), FUNCTION[:2])(lambda b, n=_name: fit(**{n: b}))
for _name in ("lr_schedule", "correct"):
    row(f"fit: {_name}", function(), FUNCTION[:2])(lambda b, n=_name: fit(**{n: b}))
row("fit: optimizer", instance(nn.Optimizer), INSTANCE)(lambda b: fit(optimizer=b))
for _name in ("inputs", "targets"):
    row(f"fit: {_name}", items(None, "a list (or array) of samples", empty=True),
        ("ab", {}, 3.0, None))(lambda b, n=_name: fit(**{n: b}))
row("fit: epochs", whole(low=1), WHOLE)(lambda b: fit(epochs=b))
row("fit: batch_size", whole(low=1), WHOLE)(lambda b: fit(batch_size=b))
for _name in ("shuffle", "compile", "progress"):
    row(f"fit: {_name}", args.flag, FLAG)(lambda b, n=_name: fit(**{n: b}))
row("fit: seed", SEED, WHOLE)(lambda b: fit(seed=b))
row("fit: correct's result", args.flag, FLAG)(lambda b: fit(correct=lambda p, t: b))
row("fit: loss_fn's result (the loss)", instance(Value), INSTANCE)(
    lambda b: fit(loss_fn=lambda p, t: b))
row("fit: the learning rate lr_schedule(0) returned", real(low=0), REAL)(
    lambda b: fit(lr_schedule=lambda epoch: b))
row("to_torch: model", lambda v, w: nn.layers.layers_of(v, w), INSTANCE)(
    lambda b: nn.to_torch(b))
row("parameter_map: model", lambda v, w: nn.layers.layers_of(v, w), INSTANCE)(
    lambda b: nn.parameter_map(b))
row("two_moons: seed", whole(low=0, high=2**32 - 1), (*WHOLE, 2**32))(lambda b: two_moons(b))


# --- engine.viz: drawings, steps, the Stepper -------------------------------------------------
row("check_answer: answer", args.real, REAL)(lambda b: engine.check_answer(b, 1.0))
row("check_answer: expected", args.real, REAL)(lambda b: engine.check_answer(1.0, b))
DIGITS = whole(low=1, high=MAX_DIGITS)
DIGITS_VALUES = (*WHOLE, MAX_DIGITS + 1, 2**70)
LIMIT = whole_or_none(low=1)
VALUES = items(instance(Value), "a Value or a list of Values", empty=True)
for _name, _call in [("draw_dot", lambda **kw: draw_dot(**{"root": x2() * 3, **kw})),
                     ("Stepper", lambda **kw: Stepper(**{"root": x2() * 3, **kw}))]:
    row(f"{_name}: root", instance(Value), INSTANCE)(lambda b, c=_call: c(root=b))
    row(f"{_name}: rankdir", choice(RANKDIRS), (*CHOICE, "lr"))(lambda b, c=_call: c(rankdir=b))
    row(f"{_name}: digits", DIGITS, DIGITS_VALUES)(lambda b, c=_call: c(digits=b))
    row(f"{_name}: max_nodes", LIMIT, WHOLE)(lambda b, c=_call: c(max_nodes=b))
    row(f"{_name}: compact", args.flag, FLAG)(lambda b, c=_call: c(compact=b))
    row(f"{_name}: collapse", check_collapse, ("layers.0", 3, [3], None))(
        lambda b, c=_call: c(collapse=b))
row("draw_dot: show_grad", args.flag, FLAG)(lambda b: draw_dot(x2(), show_grad=b))
row("draw_dot: highlight", VALUES, (3, "x", {}, [3], 2.0, [x2(), None]))(
    lambda b: draw_dot(x2(), highlight=b))
row("Stepper: grad", args.real, (*REAL, HUGE))(lambda b: Stepper(x2() * 3, b))
row("Stepper.goto: k", whole(), (*WHOLE[:3], None))(lambda b: Stepper(x2()).goto(b))
row("Stepper.to_html: exercise", args.flag, FLAG)(lambda b: Stepper(x2()).to_html(b))
row("Stepper.save_html: path", args.out_path, PATH)(lambda b: Stepper(x2()).save_html(b))
row("Stepper.save_html: exercise", args.flag, FLAG)(
    lambda b: Stepper(x2()).save_html(tempfile.gettempdir() + "/never-written.html", b))
for _name, _walk in [("forward_steps", lambda root=None, **kw: forward_steps(
                         x2() * 3 if root is None else root, **kw)),
                     ("backprop_steps", lambda root=None, **kw: backprop_steps(
                         x2() * 3 if root is None else root, **kw)),
                     ("trace", lambda root=None, **kw: trace(
                         x2() * 3 if root is None else root, **kw))]:
    row(f"{_name}: root", instance(Value), INSTANCE[::2])(lambda b, w=_walk: w(root=b))
    row(f"{_name}: digits", DIGITS, DIGITS_VALUES)(lambda b, w=_walk: w(digits=b))
    if _name != "forward_steps":
        row(f"{_name}: grad", args.real, (*REAL, HUGE))(lambda b, w=_walk: w(grad=b))

# --- nn.viz: draw_model, TrainingView -------------------------------------------------------------


def draw(**changes: Any) -> object:
    return nn.draw_model(**{"model": nn.MLP(2, [2, 1], seed=0), "x": [0.5, -1.0], **changes})


row("draw_model: model", lambda v, w: nn.layers.layers_of(v, w), INSTANCE)(
    lambda b: draw(model=b))
row("draw_model: x", model_input(2), (*INPUTS_OF_2, [0.5, HUGE]))(lambda b: draw(x=b))
row("draw_model: target", samples, (*LIST, HUGE, [HUGE], [0.5, "a"], [np.bool_(True)]))(
    lambda b: draw(target=b))
row("draw_model: loss_fn", function(2, "as loss_fn(prediction, target)"), FUNCTION)(
    lambda b: draw(target=1.0, loss_fn=b))
row("draw_model: loss_fn's result", instance(Value), INSTANCE)(
    lambda b: draw(target=1.0, loss_fn=lambda p, t: b))
row("draw_model: rankdir", choice(RANKDIRS), (*CHOICE, "lr"))(lambda b: draw(rankdir=b))
row("draw_model: digits", DIGITS, DIGITS_VALUES)(lambda b: draw(digits=b))
row("draw_model: show_weights", args.flag, FLAG)(lambda b: draw(show_weights=b))
row("draw_model: max_connections", LIMIT, WHOLE)(lambda b: draw(max_connections=b))

def view(**changes: Any) -> TrainingView:
    given = {"model": nn.MLP(2, [2, 1], seed=0), "inputs": POINTS, "targets": SIGNS,
             "live": False}
    return TrainingView(**{**given, **changes})


@functools.cache
def recorded() -> TrainingView:
    """A view with three steps recorded (exports only read it)."""
    made = view()
    for loss in (0.9, 0.8, 0.7):
        made.record(loss)
    return made


row("TrainingView: model", lambda v, w: nn.layers.layers_of(v, w), INSTANCE)(
    lambda b: view(model=b))
row("TrainingView: inputs", items(None, "a list (or array) of samples"), ("ab", {}, 3.0, []))(
    lambda b: view(inputs=b))
row("TrainingView: inputs[1]", items(engine.number_of, "a list of numbers (one per model input)",
                                     n=2), (*LIST, [0.5, HUGE], [0.5, np.bool_(True)]))(
    lambda b: view(inputs=[POINTS[0], b, *POINTS[2:]]))
row("TrainingView: targets", items(engine.number_of, "a list of numbers (one per sample)", n=4),
    (*LIST, SIGNS[:3], [*SIGNS[:3], HUGE], [*SIGNS[:3], "1"]))(lambda b: view(targets=b))
for _name, _check in [("every", LIMIT), ("max_neurons", LIMIT), ("max_points", LIMIT),
                      ("record_every", whole(low=1)), ("max_frames", whole(low=2)),
                      ("sample", whole(low=0, high=3)),
                      ("resolution", whole(low=4, high=200))]:
    row(f"TrainingView: {_name}", _check, (*WHOLE, 201))(lambda b, n=_name: view(**{n: b}))
row("TrainingView: live", args.flag, FLAG[:2])(lambda b: view(live=b))
row("TrainingView: budget", real(low=0, low_open=True, high=1), (*REAL, 1.5))(
    lambda b: view(budget=b))
row("TrainingView: task", choice(TASKS), CHOICE)(lambda b: view(task=b))
row("TrainingView.record: loss", engine.number_of, (*REAL, HUGE))(lambda b: view().record(b))
row("TrainingView.record: accuracy", real(low=0, high=1), (*REAL, 1.5))(
    lambda b: view().record(0.5, accuracy=b))
row("TrainingView.record: lr", real(low=0), REAL)(lambda b: view().record(0.5, lr=b))
row("TrainingView.record: step", whole(low=1), WHOLE)(lambda b: view().record(0.5, step=b))
row("TrainingView.record: epoch", whole(low=0), WHOLE)(lambda b: view().record(0.5, epoch=b))
row("TrainingView.record_batch: loss", engine.number_of, (*REAL, HUGE))(
    lambda b: view().record_batch(b, 2))
row("TrainingView.record_batch: samples", whole(low=1), WHOLE)(
    lambda b: view().record_batch(0.5, b))
row("TrainingView.record_batch: right", whole(low=0, high=2), (*WHOLE, 3))(
    lambda b: view().record_batch(0.5, 2, right=b))
row("TrainingView.render: frame", instance(Frame), (2.0, "last"))(lambda b: recorded().render(b))
row("TrainingView.render: dpi", whole(low=10), (*WHOLE, 9))(lambda b: recorded().render(dpi=b))
for _export in ("save_gif", "to_html", "save_html"):
    _where = f"TrainingView.{_export}"
    _out = [] if _export == "to_html" else [tempfile.gettempdir() + "/never-written"]
    _call = lambda *a, e=_export, **kw: getattr(recorded(), e)(*a, **kw)
    if _out:
        row(f"{_where}: path", args.out_path, PATH)(lambda b, c=_call: c(b))
    row(f"{_where}: frames", LIMIT, WHOLE)(lambda b, c=_call, o=_out: c(*o, frames=b))
    row(f"{_where}: max_frames", LIMIT, WHOLE)(lambda b, c=_call, o=_out: c(*o, max_frames=b))
    row(f"{_where}: fps", real(low=0, low_open=True), REAL)(
        lambda b, c=_call, o=_out: c(*o, fps=b))
    row(f"{_where}: dpi", whole(low=10), (*WHOLE, 9))(lambda b, c=_call, o=_out: c(*o, dpi=b))
    row(f"{_where}: colors", whole(low=2, high=256), (*WHOLE, 257))(
        lambda b, c=_call, o=_out: c(*o, colors=b))
row("TrainingView.save_gif: hold", real(low=0), REAL)(
    lambda b: recorded().save_gif(tempfile.gettempdir() + "/never-written.gif", hold=b))


# --- the test ---------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ROWS, ids=repr)
def test_each_argument_is_refused_by_its_checker_under_its_name(entry: Row) -> None:
    tried = 0
    for bad in entry.values:
        try:
            entry.check(bad, entry.where)
        except (TypeError, ValueError, OSError) as refusal:   # (OSError: a path)
            expected = refusal
        else:
            continue   # the checker accepts it: so must the call (tested where it matters)
        with pytest.raises(type(expected)) as caught:
            entry.call(bad)
        assert str(caught.value) == str(expected), f"for {bad!r}"
        tried += 1
    assert tried, "no value of the row was refused by its checker: the row tests nothing"
