"""Stepping through the forward and backward passes, one node at a time, with the numbers.

* :func:`forward_steps` replays the forward pass in topological order: each step shows the
  node's value computed from its inputs, e.g. ``n2 = x * w = 2 * (-3) = -6``.
* :func:`backprop_steps` runs backpropagation through :func:`engine.autograd.backprop` (the
  one backward loop) and stops at every node: each step shows the node's gradient, where it
  came from, and for each input the local derivative and the contribution the chain rule
  sends to it.

:class:`engine.viz.stepper.Stepper` walks both, forward and back, and draws the graph at each
step. All the text comes from the node's row in :mod:`engine.ops` (``text`` for the forward
formula, ``formulas`` and ``note`` for the local derivatives, ``param`` as ``c``), filled in
by :func:`engine.viz.draw.fill`, so a new operation explains itself. Node names are those of
:func:`engine.viz.draw.node_names`: a node's label, or ``n<index>`` by topological position.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from engine.autograd import _require_value, renamed
from engine.value import Number, Value, _node, _to_float, backprop, topological_order
from engine.viz.draw import check_options, fill, fmt, node_names

__all__ = ["ForwardStep", "BackwardStep", "LocalDerivative", "forward_steps", "backprop_steps"]


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


def recompute(node: Value) -> float:
    """The node's number computed again from its inputs' current data, through its row
    (by the one builder, :func:`engine.value._node`, so errors read the same)."""
    inputs = node.inputs
    assert node.rule is not None and inputs
    return _node(node.rule, inputs[0], inputs[1] if len(inputs) == 2 else None, node.param).data


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
    root, whose gradient is the seed). ``terms`` holds one :class:`LocalDerivative` per
    input. ``grad_before`` / ``grad_after`` are ``node.grad`` around ``node.grad +=
    upstream``; ``expression`` is the node's forward formula with its inputs' names
    (``"tanh(n2)"``; ``""`` for a leaf).
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

    def _d(self, name: str) -> str:
        return f"∂{self.root_name}/∂{name}"

    def _product(self, t: LocalDerivative) -> str:
        """The chain-rule line of one input: its local derivative, times upstream, sent on."""
        f, g = self.digits, fmt(self.upstream, self.digits)
        note = f"  ({t.note})" if t.note else ""
        return (f"∂{self.name}/∂{t.name} = {_chain(t.named, t.numbers, fmt(t.local, f))}"
                f" → {self._d(t.name)} += {_bracket(fmt(t.local, f))} × {_bracket(g)}"
                f" = {fmt(t.contribution, f)}{note}")

    def __str__(self) -> str:
        f = self.digits
        g = fmt(self.upstream, f)
        if not self.sources:
            head = f"{self._d(self.name)} = {g}  (the seed)"
        elif len(self.sources) == 1:
            head = f"{self._d(self.name)} = {g}  (from {self.sources[0][0]})"
        else:
            first, *rest = (fmt(c, f) for _, c in self.sources)
            parts = " + ".join([first, *map(_bracket, rest)])
            users = ", ".join(n for n, _ in self.sources)
            head = f"{self._d(self.name)} = {parts} = {g}  (one term per use: {users})"
        update = f"{self.name}.grad += {g}"
        if self.grad_before != 0.0:
            update += f" → {fmt(self.grad_after, f)}"
        if not self.terms:
            return f"{self.name} (leaf, gradient final): {head}; {update}"
        lines = [f"{self.name} = {self.expression}: {head}; {update}"]
        lines += ["  " + self._product(t) for t in self.terms]
        return "\n".join(lines)


# --- the generators --------------------------------------------------------------------

def _forward(root: Value, digits: int, apply: bool) -> Iterator[ForwardStep]:
    order = topological_order(root)
    names = node_names(order)
    total = len(order)
    for i, node in enumerate(order):
        inputs = node.inputs
        input_names = tuple(names[v] for v in inputs)
        if node.rule is None:
            yield ForwardStep(i, total, node, names[node], (), (), node.data, "", "", "",
                              digits)
            continue
        value = recompute(node)
        if apply:
            node.data = value
        elif value != node.data:
            raise ValueError(
                f"Stepper: the graph is out of date: {names[node]}.data is "
                f"{fmt(node.data, 6)} but its inputs now give {fmt(value, 6)} (an input's data "
                f"changed after it was built). Rebuild the expression, or run "
                f"forward_steps(root) to bring it up to date first.")
        text = node.rule.text
        named = fill(text, _letters(node, input_names, digits))
        numbers = fill(text, _letters(node, [fmt(v.data, digits) for v in inputs], digits))
        yield ForwardStep(i, total, node, names[node], inputs, input_names, value, text,
                          named, numbers, digits)


def forward_steps(root: Value, digits: int = 4) -> Iterator[ForwardStep]:
    """Replay the forward pass node by node, in topological order.

    Each step recomputes its node's number from its inputs through the node's row (so after
    changing a leaf's ``data``, exhausting the steps brings the whole graph up to date) and
    explains it with the numbers. Leaves get a step too (their number is given).

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
    _require_value(root, "forward_steps")
    digits, _ = check_options("LR", digits, None, "forward_steps")
    return _forward(root, digits, apply=True)


def _backward(root: Value, seed: float, digits: int, apply: bool,
              who: str) -> Iterator[BackwardStep]:
    order = topological_order(root)
    names = node_names(order)
    total = len(order)
    root_name = names[root]
    # Where each node's gradient comes from, recorded as the loop sends it (for the text).
    sources: dict[Value, list[tuple[str, float]]] = {}
    passes: list[tuple[Value, float, tuple[float, ...]]] = []
    with renamed(who):   # an overflow names backprop_steps or Stepper, the caller
        backprop(root, seed, visit=lambda *step: passes.append(step))
    for i, (node, g, partials) in enumerate(passes):
        name = names[node]
        inputs = node.inputs
        terms: list[LocalDerivative] = []
        expression = ""
        if inputs:
            rule = node.rule
            assert rule is not None
            input_names = [names[v] for v in inputs]
            named_letters = _letters(node, input_names, digits)
            expression = fill(rule.text, named_letters)
            number_letters = _letters(node, [fmt(v.data, digits) for v in inputs], digits)
            for k, (inp, local) in enumerate(zip(inputs, partials)):
                formula = rule.formulas[k]
                contribution = local * g
                sources.setdefault(inp, []).append((name, contribution))
                terms.append(LocalDerivative(
                    inp, input_names[k], formula, fill(formula, named_letters),
                    fill(formula, number_letters), local, contribution, rule.note))
        # The stepper (apply=False) shows this pass alone, whatever .grad already holds.
        before = node.grad if apply else 0.0
        after = before + g
        if apply:
            node.grad = after
        yield BackwardStep(i, total, node, name, root_name, g,
                           tuple(sources.pop(node, ())), tuple(terms), before, after, expression,
                           digits)


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
    _require_value(root, "backprop_steps")
    seed = _to_float(grad, "backprop_steps: grad")
    digits, _ = check_options("LR", digits, None, "backprop_steps")
    return _backward(root, seed, digits, apply=True, who="backprop_steps")
