"""Stepping through the forward and backward passes, one node at a time, with the numbers.

The core is a pure trace, which reads the graph and changes nothing:

* :func:`trace_forward` replays the forward pass in topological order: each step is the
  node's value computed from its inputs, e.g. ``n2 = x * w = 2 * (-3) = -6``;
* :func:`trace_backward` takes this pass's gradients from :func:`engine.value.gradients` (the
  one gradient walk) and each node's local derivatives from
  :func:`engine.value.local_derivatives`, and records every node: its gradient, where it
  came from, and for each input the local derivative and the contribution the chain rule
  sends to it;
* :func:`trace` records both for a graph as a :class:`Trace`, which the
  :class:`~engine.viz.stepper.Stepper` and its pages read.

:func:`forward_steps` and :func:`backprop_steps` are the same steps applied as they are
yielded (the graph's ``.data`` brought up to date, the gradients added into ``.grad``).

All the text comes from the node's row in :mod:`engine.ops` (``text`` for the forward
formula, ``formulas`` and ``note`` for the local derivatives, ``param`` as ``c``), filled in
by :func:`engine.viz.text.fill`, so a new operation explains itself. Node names are those
of :func:`engine.viz.text.node_names`: a label, a name from the model, or ``n<index>``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from engine import args
from engine.errors import prefixed
from engine.value import (
    Number,
    Value,
    apply,
    gradients,
    local_derivatives,
    topological_order,
)
from engine.viz.neurons import NeuronRun, find_neurons
from engine.viz.text import MAX_DIGITS, fill, fmt, node_names

__all__ = ["ForwardStep", "BackwardStep", "LocalDerivative", "Trace", "Shown", "trace",
           "trace_forward", "trace_backward", "forward_steps", "backprop_steps"]


def _bracket(number: str) -> str:
    """``(-3)`` for a negative number inside a product, ``3`` as it is."""
    return f"({number})" if number.startswith("-") else number


def _chain(*parts: str) -> str:
    """``a = b = c`` without saying the same thing twice in a row."""
    kept: list[str] = []
    for p in parts:
        if not kept or kept[-1] != p:
            kept.append(p)
    return " = ".join(kept)


def _letters(node: Value, names: Sequence[str], digits: int) -> dict[str, str]:
    letters = dict(zip("xy", names))
    if node.param is not None:
        letters["c"] = fmt(node.param, digits)
    return letters


def _digits(digits: Any, who: str) -> int:
    return args.whole(digits, f"{who}: digits", low=1, high=MAX_DIGITS)


# --- the steps -------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ForwardStep:
    """One node of the forward pass: its value computed from its inputs.

    ``formula`` is the row's forward formula in letters (``"x * y"``), ``named`` the same
    with the inputs' names, ``numbers`` with their values; all three are ``""`` for a leaf.
    """

    kind: ClassVar[str] = "forward"
    index: int
    total: int
    node: Value
    name: str
    inputs: tuple[Value, ...]
    input_names: tuple[str, ...]
    value: float
    formula: str
    named: str
    numbers: str
    digits: int = 4

    def __str__(self) -> str:
        value = fmt(self.value, self.digits)
        if not self.inputs:
            return f"{self.name} = {value}  (a leaf: given, not computed)"
        return f"{self.name} = {_chain(self.named, self.numbers, value)}"


@dataclass(frozen=True, eq=False)
class LocalDerivative:
    """One input's share of a backward step: ∂node/∂input and what it passes on.

    ``formula`` is the row's derivative text in letters (``"1 − tanh²(x)"``), ``named`` and
    ``numbers`` the same with the inputs' names and values; ``local`` is its value and
    ``contribution = local × upstream``, the amount added to ∂root/∂input.
    """

    input: Value
    name: str
    formula: str
    named: str
    numbers: str
    local: float
    contribution: float
    note: str = ""


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """One node of backpropagation.

    ``upstream`` is ∂root/∂node (times the seed gradient), complete at this step: the sum of
    the ``sources``, one ``(consumer name, contribution)`` per use of the node (empty for the
    root, whose gradient is the seed); ``users`` are those consumers, in the same order.
    ``terms`` holds one :class:`LocalDerivative` per input. ``grad_before`` /
    ``grad_after`` are ``node.grad`` around ``node.grad += upstream`` (0 and ``upstream``
    in a trace, which shows this pass alone); ``expression`` is the node's forward formula
    with its inputs' names (``"tanh(n2)"``; ``""`` for a leaf).
    """

    kind: ClassVar[str] = "backward"
    index: int
    total: int
    node: Value
    name: str
    root_name: str
    upstream: float
    sources: tuple[tuple[str, float], ...]
    terms: tuple[LocalDerivative, ...]
    grad_before: float
    grad_after: float
    expression: str = ""
    digits: int = 4
    users: tuple[Value, ...] = ()

    def derivative(self, name: str) -> str:
        """``∂root/∂name``, as the texts write it."""
        return f"∂{self.root_name}/∂{name}"

    def product_line(self, t: LocalDerivative) -> str:
        """The chain-rule line of one input: its local derivative, times upstream, sent on."""
        f, g = self.digits, fmt(self.upstream, self.digits)
        note = f"  ({t.note})" if t.note else ""
        return (f"∂{self.name}/∂{t.name} = {_chain(t.named, t.numbers, fmt(t.local, f))}"
                f" → {self.derivative(t.name)} += {_bracket(fmt(t.local, f))} × {_bracket(g)}"
                f" = {fmt(t.contribution, f)}{note}")

    def gradient_line(self) -> str:
        """What this step says of the node's own gradient: its sum, and the update of grad."""
        f = self.digits
        g = fmt(self.upstream, f)
        if not self.sources:
            head = f"{self.derivative(self.name)} = {g}  (the seed)"
        elif len(self.sources) == 1:
            head = f"{self.derivative(self.name)} = {g}  (from {self.sources[0][0]})"
        else:
            first, *rest = (fmt(c, f) for _, c in self.sources)
            parts = " + ".join([first, *map(_bracket, rest)])
            users = ", ".join(n for n, _ in self.sources)
            head = f"{self.derivative(self.name)} = {parts} = {g}  (one term per use: {users})"
        update = f"{self.name}.grad += {g}"
        if self.grad_before != 0.0:
            update += f" → {fmt(self.grad_after, f)}"
        return f"{head}; {update}"

    def __str__(self) -> str:
        if not self.terms:
            return f"{self.name} (leaf, gradient final): {self.gradient_line()}"
        lines = [f"{self.name} = {self.expression}: {self.gradient_line()}"]
        lines += ["  " + self.product_line(t) for t in self.terms]
        return "\n".join(lines)


# --- the pure trace --------------------------------------------------------------------

def trace_forward(root: Value, digits: int = 4, *,
                  names: Mapping[Value, str] | None = None) -> Iterator[ForwardStep]:
    """The forward pass of ``root``'s graph, node by node, recomputed without changing it.

    Each node's value is computed through its row from the values this replay gave its
    inputs (a leaf's is its ``.data``), so after a leaf's ``data`` changed the steps show the
    numbers the graph would hold if it were computed again. Lazy: a step is computed when
    asked for. ``names`` (default: :func:`~engine.viz.text.node_names`) names the nodes.

    Examples:
        >>> from engine import Value
        >>> x = Value(2.0, label="x")
        >>> y = x * 3
        >>> x.data = 5.0
        >>> [str(s) for s in trace_forward(y)], y.data
        (['x = 5  (a leaf: given, not computed)', 'n1 = x * 3 = 5 * 3 = 15'], 6.0)
    """
    order = topological_order(root)
    names = node_names(order) if names is None else names
    total = len(order)
    values: dict[Value, float] = {}
    for i, node in enumerate(order):
        inputs = node.inputs
        rule = node.rule
        if rule is None:
            values[node] = node.data
            yield ForwardStep(i, total, node, names[node], (), (), node.data, "", "", "",
                              digits)
            continue
        # The node's row applied to its inputs' replayed numbers (one builder, so errors
        # read as the engine's own).
        value = apply(rule, *(Value(values[v]) for v in inputs), c=node.param).data
        values[node] = value
        input_names = tuple(names[v] for v in inputs)
        text = rule.text
        named = fill(text, _letters(node, input_names, digits))
        numbers = fill(text, _letters(node, [fmt(values[v], digits) for v in inputs], digits))
        yield ForwardStep(i, total, node, names[node], inputs, input_names, value, text,
                          named, numbers, digits)


def trace_backward(root: Value, seed: float = 1.0, digits: int = 4, *,
                   names: Mapping[Value, str] | None = None,
                   who: str = "trace_backward") -> tuple[BackwardStep, ...]:
    """Backpropagation from ``root``, every node recorded, no ``.grad`` changed.

    The steps come in the order of :func:`engine.value.gradients` (from the root back to
    the leaves); each shows this pass alone (``grad_before`` is 0). An overflow names
    ``who``, the function the user called.

    Examples:
        >>> from engine import Value
        >>> x = Value(3.0, label="x")
        >>> [s.upstream for s in trace_backward(x * x)], x.grad
        ([1.0, 6.0], 0.0)
    """
    order = topological_order(root)
    names = node_names(order) if names is None else names
    total = len(order)
    root_name = names[root]
    # Where each node's gradient comes from, recorded as the loop sends it (for the text).
    sources: dict[Value, list[tuple[Value, float]]] = {}
    with prefixed(who, replacing=("gradients",)):   # an overflow names the caller
        found = gradients(root, seed)
    steps = []
    for i, (node, g) in enumerate(found.items()):
        name = names[node]
        inputs = node.inputs
        terms: list[LocalDerivative] = []
        expression = ""
        if inputs:
            partials = local_derivatives(node)   # (computed once by the walk: cannot fail)
            rule = node.rule
            assert rule is not None
            input_names = [names[v] for v in inputs]
            named_letters = _letters(node, input_names, digits)
            expression = fill(rule.text, named_letters)
            number_letters = _letters(node, [fmt(v.data, digits) for v in inputs], digits)
            for k, (inp, local) in enumerate(zip(inputs, partials)):
                formula = rule.formulas[k]
                contribution = local * g
                sources.setdefault(inp, []).append((node, contribution))
                terms.append(LocalDerivative(
                    inp, input_names[k], formula, fill(formula, named_letters),
                    fill(formula, number_letters), local, contribution, rule.note))
        came = sources.pop(node, [])
        steps.append(BackwardStep(
            i, total, node, name, root_name, g, tuple((names[u], c) for u, c in came),
            tuple(terms), 0.0, g, expression, digits, tuple(u for u, _ in came)))
    return tuple(steps)


@dataclass(frozen=True)
class Shown:
    """What the step-through shows at one step: the numbers known so far and the current node.

    ``data`` and ``grads`` hold the values computed so far (gradients only in the backward
    pass, each once complete); ``done`` the nodes finished before this step; ``arrivals``
    the gradients the current node received, one ``(user, contribution)`` per use (empty in
    the forward pass), which the pictures write on the edges they came back along.
    """

    kind: str
    current: Value
    data: Mapping[Value, float]
    grads: Mapping[Value, float]
    done: frozenset[Value]
    arrivals: tuple[tuple[Value, float], ...]


@dataclass(frozen=True, eq=False)
class Trace:
    """A graph's forward pass and backpropagation, recorded once: what a Stepper shows.

    ``order`` is the topological order, ``names`` the nodes' names, ``neurons`` the runs of
    neurons found in it (:mod:`engine.viz.neurons`), ``forward`` and ``backward`` the steps
    (``steps`` both, forward first). Nothing in it changes the graph.
    """

    root: Value
    seed: float
    digits: int
    order: tuple[Value, ...]
    names: Mapping[Value, str]
    neurons: tuple[NeuronRun, ...]
    forward: tuple[ForwardStep, ...]
    backward: tuple[BackwardStep, ...]

    @property
    def steps(self) -> tuple[ForwardStep | BackwardStep, ...]:
        return self.forward + self.backward

    def __len__(self) -> int:
        return len(self.forward) + len(self.backward)

    def shown(self, k: int) -> Shown:
        """What step ``k`` (0 to ``len - 1``, forward steps first) shows."""
        n = len(self.forward)
        data = {s.node: s.value for s in self.forward[: k + 1]}
        if k < n:
            step: ForwardStep | BackwardStep = self.forward[k]
            done = frozenset(s.node for s in self.forward[:k])
            return Shown("forward", step.node, data, {}, done, ())
        finished = self.backward[: k - n + 1]
        back = finished[-1]
        return Shown("backward", back.node, data, {s.node: s.upstream for s in finished},
                     frozenset(s.node for s in finished[:-1]),
                     tuple((u, c) for u, (_, c) in zip(back.users, back.sources)))


def trace(root: Value, grad: Number = 1.0, digits: int = 4, *, who: str = "trace") -> Trace:
    """Record ``root``'s forward pass and backpropagation, changing nothing.

    The graph must be up to date (each node's ``.data`` what its inputs give now): the
    backward pass reads the numbers the graph holds, so a graph computed before a leaf's
    ``data`` changed is refused with a ``ValueError`` naming ``who`` and the node (run
    :func:`forward_steps` to bring it up to date).

    Examples:
        >>> from engine import Value
        >>> x = Value(3.0, label="x")
        >>> t = trace(x * x)
        >>> len(t), [s.name for s in t.steps], t.shown(3).grads[x]
        (4, ['x', 'n1', 'n1', 'x'], 6.0)
    """
    args.instance(root, f"{who}: root", Value)
    seed = args.real(grad, f"{who}: grad")
    digits = _digits(digits, who)
    order = tuple(topological_order(root))
    neurons = tuple(find_neurons(order))
    names = node_names(order, neurons)
    forward = tuple(trace_forward(root, digits, names=names))
    for step in forward:
        if step.value != step.node.data:
            raise ValueError(
                f"{who}: the graph is out of date: {step.name}.data is "
                f"{fmt(step.node.data, 6)} but its inputs now give {fmt(step.value, 6)} (an "
                f"input's data changed after it was built). Rebuild the expression, or run "
                f"forward_steps(root) to bring it up to date first.")
    backward = trace_backward(root, seed, digits, names=names, who=who)
    return Trace(root, seed, digits, order, names, neurons, forward, backward)


# --- the steps applied as they come --------------------------------------------------------

def forward_steps(root: Value, digits: int = 4) -> Iterator[ForwardStep]:
    """Replay the forward pass node by node, in topological order, updating the graph.

    Each step recomputes its node's number from its inputs through the node's row and sets
    the node's ``data`` to it (so after changing a leaf's ``data``, exhausting the steps
    brings the whole graph up to date) and explains it with the numbers. Leaves get a step
    too (their number is given).

    Examples:
        >>> from engine import Value
        >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
        >>> a = (x * w).tanh()
        >>> for step in forward_steps(a):
        ...     print(step)
        x = 2  (a leaf: given, not computed)
        w = -3  (a leaf: given, not computed)
        n2 = x * w = 2 * (-3) = -6
        n3 = tanh(n2) = tanh(-6) = -1
    """
    args.instance(root, "forward_steps: root", Value)
    return _applied_forward(root, _digits(digits, "forward_steps"))


def _applied_forward(root: Value, digits: int) -> Iterator[ForwardStep]:
    for step in trace_forward(root, digits):
        step.node.data = step.value
        yield step


def backprop_steps(root: Value, grad: Number = 1.0, digits: int = 4) -> Iterator[BackwardStep]:
    """Backpropagate from ``root`` one node at a time, applying each step as it is yielded.

    Steps come in reverse topological order, from ``root`` back to the leaves (leaves get a
    step too: their gradient is final). When a step is yielded, ``node.grad += upstream``
    has been done and the contributions have been sent on to its inputs; exhausting the
    iterator leaves exactly the gradients of ``root.backward(grad)``. ``str(step)`` shows
    the chain-rule arithmetic with the numbers.

    Examples:
        >>> from engine import Value
        >>> x, w = Value(0.5, label="x"), Value(2.0, label="w")
        >>> a = (x * w).tanh()
        >>> a.label = "a"
        >>> steps = backprop_steps(a)
        >>> print(next(steps))
        a = tanh(n2): ∂a/∂a = 1  (the seed); a.grad += 1
          ∂a/∂n2 = 1 − tanh²(n2) = 1 − tanh²(1) = 0.42 → ∂a/∂n2 += 0.42 × 1 = 0.42
        >>> print(next(steps))
        n2 = x * w: ∂a/∂n2 = 0.42  (from a); n2.grad += 0.42
          ∂n2/∂x = w = 2 → ∂a/∂x += 2 × 0.42 = 0.8399
          ∂n2/∂w = x = 0.5 → ∂a/∂w += 0.5 × 0.42 = 0.21
        >>> for step in steps:
        ...     print(step)
        w (leaf, gradient final): ∂a/∂w = 0.21  (from n2); w.grad += 0.21
        x (leaf, gradient final): ∂a/∂x = 0.8399  (from n2); x.grad += 0.8399
        >>> round(x.grad, 4)
        0.8399
    """
    args.instance(root, "backprop_steps: root", Value)
    seed = args.real(grad, "backprop_steps: grad")
    return _applied_backward(root, seed, _digits(digits, "backprop_steps"))


def _applied_backward(root: Value, seed: float, digits: int) -> Iterator[BackwardStep]:
    for step in trace_backward(root, seed, digits, who="backprop_steps"):
        before = step.node.grad
        step.node.grad = before + step.upstream
        yield dataclasses.replace(step, grad_before=before, grad_after=step.node.grad)
