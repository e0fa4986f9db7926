"""Random programs: every compiled loss and gradient is the engine's, bit for bit.

A program is drawn as instructions over a list of nodes: operations on earlier nodes (so
sub-expressions are shared and results used several times), *twins* (an instruction done
again on the same inputs: an equal, separate node), constants that may equal an input's
number, input numbers read by nodes, numbers read from the graph (``Value(n.data)``,
``n - m.data``), branches on a node's number, Values given as inputs and numbers wrapped by
``fn`` itself, and a block repeated over samples (which the loop pass rolls). Each program
is compiled on one set of numbers and called on others; every call must give the engine's
numbers, or the engine's error.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine import Value


def examples(n: int) -> int:
    """``n`` examples under the ``ci`` profile (30 per property), scaled for the others as
    the square of their ratio to it: a fifteenth under ``quick`` (8), the everyday loop,
    and almost three times as many under ``dev`` (50), for hunting (tests/conftest.py)."""
    return max(1, n * settings.default.max_examples ** 2 // 900)


BINARY = ("+", "-", "*", "/")
UNARY = ("tanh", "sigmoid", "sin", "exp")


def _binary(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / (1.0 + b * b)


def _unary(op: str, a: Value) -> Value:
    if op == "exp":
        return a.tanh().exp()
    return getattr(a, op)()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Program:
    """A random ``fn(xs, vs)``: see the module's docstring."""

    params: tuple[float, ...]
    steps: tuple[tuple[Any, ...], ...]
    block: tuple[tuple[str, str], ...]   # the repeated block: (binary, unary) per stage
    samples: int
    n_inputs: int
    n_values: int

    def build(self, ps: list[Value], xs: list[float], vs: list[Value]) -> Value:
        nodes: list[Any] = [*ps, *vs]
        done: list[Any] = []
        for step in self.steps:
            kind = step[0]
            if kind == "twin" and done:
                step = done[step[1] % len(done)]
                kind = step[0]
            pick = lambda i: nodes[i % len(nodes)]
            if kind == "bin":
                out = _binary(step[1], pick(step[2]), pick(step[3]))
            elif kind == "un":
                out = _unary(step[1], pick(step[2]))
            elif kind == "const":
                c = xs[step[3] % len(xs)] if step[4] and xs else step[3]   # maybe an input's
                out = _binary(step[1], pick(step[2]), float(c) if step[4] else c)
            elif kind == "input" and xs:
                out = _binary(step[1], pick(step[2]), xs[step[3] % len(xs)])
            elif kind == "data":
                out = Value(pick(step[1]).data * 0.5) * pick(step[2])
            elif kind == "shift":
                out = pick(step[1]) - pick(step[2]).data
            elif kind == "branch":
                out = pick(step[2]).tanh() if pick(step[1]).data > 0 else pick(step[3]) * 2.0
            elif kind == "wrap" and xs:
                out = Value(xs[step[1] % len(xs)]) * pick(step[2])
            else:
                continue
            nodes.append(out)
            done.append(step)
        total = sum(nodes[-3:], Value(0.0))
        if self.block and xs:
            for k in range(self.samples):   # one block per sample: rolled into a loop
                y = ps[0] * xs[k % len(xs)] + ps[-1]
                for bin_op, un_op in self.block:
                    y = _unary(un_op, _binary(bin_op, y, ps[len(ps) // 2]))
                first, later = y * ps[0], y * y   # made in this order, visited in the other
                total = total + (later + first) * y
                if self.samples % 2:   # a leaf made in every sample
                    total = total + (Value(xs[k % len(xs)]) + Value(0.25)) * y
        return total  # type: ignore[no-any-return]


numbers = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False, allow_subnormal=False)
index = st.integers(0, 40)


@st.composite
def programs(draw: st.DrawFn) -> Program:
    step = st.one_of(
        st.tuples(st.just("bin"), st.sampled_from(BINARY), index, index),
        st.tuples(st.just("un"), st.sampled_from(UNARY), index),
        st.tuples(st.just("const"), st.sampled_from(BINARY), index,
                  st.one_of(numbers, st.integers(0, 5)), st.booleans()),
        st.tuples(st.just("input"), st.sampled_from(BINARY), index, index),
        st.tuples(st.just("twin"), index),
        st.tuples(st.just("data"), index, index),
        st.tuples(st.just("shift"), index, index),
        st.tuples(st.just("branch"), index, index, index),
        st.tuples(st.just("wrap"), index, index),
    )
    block = draw(st.lists(st.tuples(st.sampled_from(BINARY), st.sampled_from(UNARY)),
                          max_size=4))
    return Program(params=tuple(draw(st.lists(numbers, min_size=1, max_size=4))),
                   steps=tuple(draw(st.lists(step, min_size=1, max_size=14))),
                   block=tuple(block), samples=draw(st.integers(2, 6)),
                   n_inputs=draw(st.integers(0, 4)), n_values=draw(st.integers(0, 2)))


def _run(fn: Any, args: tuple[Any, ...], leaves: list[Value]) -> Any:
    for v in leaves:
        v.grad = 0.0
    try:
        loss = fn(*args)
        if isinstance(loss, Value):
            loss.backward()
            loss = loss.data
    except Exception as err:
        return type(err), str(err)
    return [float(loss).hex(), *(float(v.grad).hex() for v in leaves)]


# Programs that turn an input into a plain float (float(x)) hold for that number: warned of.
@pytest.mark.filterwarnings("ignore::engine.compile.CompileWarning")
@settings(max_examples=examples(2000), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(programs(), st.data())
def test_random_programs_equal_the_engine_bit_for_bit(program: Program,
                                                      data: st.DataObject) -> None:
    params = [Value(p) for p in program.params]

    def fn(xs: list[float], vs: list[Value]) -> Value:
        return program.build(params, xs, vs)

    def draw() -> tuple[list[float], list[Value]]:
        xs = data.draw(st.lists(numbers, min_size=program.n_inputs,
                                max_size=program.n_inputs))
        vs = [Value(v) for v in data.draw(st.lists(numbers, min_size=program.n_values,
                                                     max_size=program.n_values))]
        return xs, vs

    first = draw()
    try:
        step = engine.compile(fn, *first)
    except Exception as err:   # the engine refuses these numbers: compile says the same
        assert _run(fn, first, params) == (type(err), str(err))
        return
    for xs, vs in [first, draw(), draw()]:
        for p, value in zip(params, data.draw(st.lists(numbers, min_size=len(params),
                                                       max_size=len(params)))):
            p.data = value
        leaves = [*params, *vs]
        assert _run(step, (xs, vs), leaves) == _run(fn, (xs, vs), leaves)
    assert "compiler failed" not in step.reason   # a fault of its own would be a bug


# --- relu networks: the passes that skip work behind a shut relu ------------------------------

weights = st.one_of(
    numbers, st.sampled_from([0.0, -0.0, 1.0, -1.0]),
    st.sampled_from([1e150, -1e150, 1e-300, -1e-300, 1e200]),   # products near the bound
)
points = st.one_of(numbers, st.sampled_from([0.0, -0.0]))


@dataclass(frozen=True)
class Network:
    """``MLP(n_in, hidden)`` on ``samples`` points, as in the moons step: each neuron
    ``b + w·x`` in input order, relu on the hidden layers, a hinge or squared loss."""

    n_in: int
    hidden: tuple[int, ...]
    samples: int
    loss: str
    l2: bool

    def shapes(self) -> list[tuple[int, int]]:
        sizes = [self.n_in, *self.hidden, 1]
        return list(itertools.pairwise(sizes))

    def n_params(self) -> int:
        return sum((n + 1) * m for n, m in self.shapes())

    def build(self, ps: list[Value], X: list[list[float]], ys: list[float]) -> Value:
        layers, at = [], 0
        for n, m in self.shapes():
            layer = []
            for _ in range(m):
                layer.append((ps[at:at + n], ps[at + n]))
                at += n + 1
            layers.append(layer)
        total = Value(0.0)
        for x, y in zip(X, ys):
            a: list[Any] = list(x)
            for i, layer in enumerate(layers):
                zs = []
                for ws, b in layer:
                    z = b
                    for w, xi in zip(ws, a):
                        z = z + w * xi
                    zs.append(z)
                a = zs if i == len(layers) - 1 else [z.relu() for z in zs]
            s = a[0]
            total = total + ((1 + -y * s).relu() if self.loss == "hinge" else (s - y) ** 2)
        loss = total * (1.0 / len(X))
        if self.l2:
            loss = loss + 1e-4 * sum((p * p for p in ps), Value(0.0))
        return loss


@st.composite
def networks(draw: st.DrawFn) -> Network:
    return Network(n_in=draw(st.integers(1, 3)),
                   hidden=tuple(draw(st.lists(st.integers(2, 4), min_size=1, max_size=2))),
                   samples=draw(st.integers(6, 14)),
                   loss=draw(st.sampled_from(["hinge", "square"])), l2=draw(st.booleans()))


@pytest.mark.filterwarnings("ignore::engine.compile.CompileWarning")
@settings(max_examples=examples(300), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(networks(), st.data())
def test_random_relu_networks_equal_the_engine_bit_for_bit(net: Network,
                                                           data: st.DataObject) -> None:
    params = [Value(1.0) for _ in range(net.n_params())]

    def draw() -> tuple[list[list[float]], list[float]]:
        for p in params:
            p.data = data.draw(weights)
        X = [data.draw(st.lists(points, min_size=net.n_in, max_size=net.n_in))
             for _ in range(net.samples)]
        return X, data.draw(st.lists(st.sampled_from([-1.0, 1.0, 0.0]), min_size=net.samples,
                                     max_size=net.samples))

    def fn(X: list[list[float]], ys: list[float]) -> Value:
        return net.build(params, X, ys)

    first = draw()
    try:
        step = engine.compile(fn, *first)
    except Exception as err:
        assert _run(fn, first, params) == (type(err), str(err))
        return
    for args in [first, draw(), draw(), draw()]:
        for p in params:   # the numbers of this call's weights
            p.data = data.draw(weights)
        assert _run(step, args, params) == _run(fn, args, params)
    assert "compiler failed" not in step.reason
