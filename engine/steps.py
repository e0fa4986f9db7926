"""Stepping through the forward and backward passes, one node at a time, with the numbers.

* :func:`forward_steps` replays the forward pass in topological order: each step shows the
  node's value computed from its inputs, e.g. ``n2 = x * w = 2 * (-3) = -6``.
* :func:`backprop_steps` runs backpropagation through :func:`engine.autograd.backprop` (the
  one backward loop) and stops at every node: each step shows the node's gradient, where it
  came from, and for each input the local derivative and the contribution the chain rule
  sends to it.
* :class:`Stepper` walks both, forward and back, and draws the graph at each step.

All the text comes from the node's row in :mod:`engine.ops` (``text`` for the forward
formula, ``formulas`` for the local derivatives, ``param`` as ``c``), so a new operation
explains itself. Node names are those of :func:`engine.draw.node_names`: a node's label, or
``n<index>`` by topological position.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from engine.autograd import backprop, topological_order
from engine.draw import DEFAULT_MAX_NODES, Drawing, GraphvizNotFound, build_drawing, fmt, node_names
from engine.value import Number, Value, _to_float

__all__ = [
    "ForwardStep",
    "BackwardStep",
    "LocalDerivative",
    "forward_steps",
    "backprop_steps",
    "Stepper",
]

_LETTER = re.compile(r"(?<![A-Za-z_])([xyc])(?![A-Za-z_])")


# What follows a number and binds tighter than its minus sign: a power.
_POWER_AFTER = ("**", "^", "²", "³")


def _fill(formula: str, values: dict[str, str]) -> str:
    """Put ``values`` in place of the letters x, y, c of a row's formula.

    The result stays a correct expression: a negative number gets parentheses when an
    operator comes before it (``2 * (-3)``, ``2 - (-3)``) or a power after it
    (``(-0.5) ** 2``, which without them would mean −0.25), but not when it opens a
    bracket, an argument list, an absolute value or a clause of ``a if b else c``
    (``tanh(-3)``, ``max(0, -3)``, ``-3 if -3 > 0 else …``).

    Examples:
        >>> _fill("x ** c", {"x": "-0.5", "c": "2"})
        '(-0.5) ** 2'
        >>> _fill("c - x", {"x": "-3", "c": "-1"})
        '-1 - (-3)'
        >>> _fill("tanh(x)", {"x": "-3"}), _fill("max(0, x)", {"x": "-3"})
        ('tanh(-3)', 'max(0, -3)')
    """

    # A row may add a note after two spaces ("sign(x)  (0 at x = 0)"): keep it out.
    main = formula.split("  ")[0]

    def put(m: re.Match[str]) -> str:
        text = values.get(m.group(1), m.group(1))
        if not text.startswith("-"):
            return text
        before = main[: m.start()].rstrip()
        after = main[m.end():].lstrip()
        # A bar opens an absolute value when an even number of bars precede it.
        opens = (not before or before[-1] in "([,"
                 or (before[-1] == "|" and before.count("|") % 2 == 1)
                 # A word before (the letter itself never touches one): a keyword.
                 or before[-1].isalpha())
        if opens and not after.startswith(_POWER_AFTER):
            return text
        return f"({text})"

    return _LETTER.sub(put, main)


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


def _recompute(node: Value) -> float:
    """The node's number computed again from its inputs, through its row."""
    rule = node.rule
    assert rule is not None
    args = [v.data for v in node.inputs]
    if node.param is not None:
        args.append(node.param)
    if rule.check is not None:
        rule.check(*args)
    try:
        out = rule.forward(*args)
    except OverflowError:
        out = math.inf
    if not -math.inf < out < math.inf:
        shown = ", ".join(fmt(a, 6) for a in args)
        raise OverflowError(f"{rule.name}: the result overflows a float ({rule.text} with "
                            f"{shown})")
    return float(out)


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

    def __str__(self) -> str:
        f = self.digits
        g = fmt(self.upstream, f)
        if not self.sources:
            head = f"{self._d(self.name)} = {g}  (the seed)"
        elif len(self.sources) == 1:
            head = f"{self._d(self.name)} = {g}  (from {self.sources[0][0]})"
        else:
            parts = " + ".join(fmt(c, f) for _, c in self.sources)
            users = ", ".join(n for n, _ in self.sources)
            head = f"{self._d(self.name)} = {parts} = {g}  (one term per use: {users})"
        update = f"{self.name}.grad += {g}"
        if self.grad_before != 0.0:
            update += f" → {fmt(self.grad_after, f)}"
        if not self.terms:
            return f"{self.name} (leaf, gradient final): {head}; {update}"
        lines = [f"{self.name} = {self.expression}: {head}; {update}"]
        for t in self.terms:
            lines.append(
                f"  ∂{self.name}/∂{t.name} = {_chain(t.named, t.numbers, fmt(t.local, f))}"
                f" → {self._d(t.name)} += {_bracket(fmt(t.local, f))} × {_bracket(g)}"
                f" = {fmt(t.contribution, f)}"
            )
        return "\n".join(lines)


# --- the generators --------------------------------------------------------------------

def _require_root(root: Any, what: str) -> Value:
    if not isinstance(root, Value):
        raise TypeError(f"{what}: expected a Value, got {type(root).__name__}")
    return root


def _check_digits(digits: Any, what: str) -> int:
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"{what}: digits must be a whole number ≥ 1, got {digits!r}")
    return digits


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
        value = _recompute(node)
        if apply:
            node.data = value
        text = node.rule.text
        named = _fill(text, _letters(node, input_names, digits))
        numbers = _fill(text, _letters(node, [fmt(v.data, digits) for v in inputs], digits))
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
    _require_root(root, "forward_steps")
    _check_digits(digits, "forward_steps")
    return _forward(root, digits, apply=True)


def _backward(root: Value, seed: float, digits: int, apply: bool) -> Iterator[BackwardStep]:
    order = topological_order(root)
    names = node_names(order)
    total = len(order)
    root_name = names[root]
    # Where each node's gradient comes from, recorded as the loop sends it (for the text).
    sources: dict[Value, list[tuple[str, float]]] = {}
    for i, (node, g, partials) in enumerate(backprop(root, seed)):
        name = names[node]
        inputs = node.inputs
        terms: list[LocalDerivative] = []
        expression = ""
        if inputs:
            rule = node.rule
            assert rule is not None
            input_names = [names[v] for v in inputs]
            named_letters = _letters(node, input_names, digits)
            expression = _fill(rule.text, named_letters)
            number_letters = _letters(node, [fmt(v.data, digits) for v in inputs], digits)
            for k, (inp, local) in enumerate(zip(inputs, partials)):
                formula = rule.formulas[k]
                contribution = local * g
                sources.setdefault(inp, []).append((name, contribution))
                terms.append(LocalDerivative(
                    inp, input_names[k], formula, _fill(formula, named_letters),
                    _fill(formula, number_letters), local, contribution))
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
    _require_root(root, "backprop_steps")
    seed = _to_float(grad, "backprop_steps: grad")
    _check_digits(digits, "backprop_steps")
    return _backward(root, seed, digits, apply=True)


# --- the notebook stepper --------------------------------------------------------------

Step = ForwardStep | BackwardStep


class Stepper:
    """Walk the forward pass, then backpropagation, one node at a time, forward and back.

    ``len(stepper)`` counts all steps (each node once forward, once backward); ``k`` is the
    current position and ``step`` the current step. ``next()``, ``prev()`` and ``goto(k)``
    move (and return the stepper, so a notebook cell ``s.next()`` shows the new picture);
    ``draw()`` draws the graph at the current step: the current node highlighted, the nodes
    already done in green, data shown once computed, gradients only once known.
    ``explain()`` is the current step's text; ``widget()`` gives slider and buttons.

    The stepper is a viewer: it recomputes the forward pass once (as :func:`forward_steps`)
    but never touches ``.grad``. The gradients it shows are this pass's ∂root/∂v; to apply
    them use ``root.backward()`` or :func:`backprop_steps`.

    Examples:
        >>> from engine import Value
        >>> x = Value(3.0, label="x")
        >>> q = x * x
        >>> q.label = "q"
        >>> s = Stepper(q)
        >>> len(s), s.k, s.step.kind
        (4, 0, 'forward')
        >>> print(s.goto(1).explain())
        step 2 of 4 (forward): q = x * x = 3 * 3 = 9
        >>> print(s.next().explain())
        step 3 of 4 (backward): q = x * x: ∂q/∂q = 1  (the seed); q.grad += 1
          ∂q/∂x = x = 3 → ∂q/∂x += 3 × 1 = 3
          ∂q/∂x = x = 3 → ∂q/∂x += 3 × 1 = 3
        >>> print(s.next().step)
        x (leaf, gradient final): ∂q/∂x = 3 + 3 = 6  (one term per use: q, q); x.grad += 6
        >>> x.grad                  # untouched: the stepper only shows
        0.0
    """

    def __init__(
        self,
        root: Value,
        grad: Number = 1.0,
        *,
        rankdir: str = "LR",
        digits: int = 4,
        max_nodes: int | None = DEFAULT_MAX_NODES,
    ) -> None:
        _require_root(root, "Stepper")
        seed = _to_float(grad, "Stepper: grad")
        _check_digits(digits, "Stepper")
        self.root = root
        self.rankdir = rankdir
        self.digits = digits
        self.max_nodes = max_nodes
        self.forward: tuple[ForwardStep, ...] = tuple(_forward(root, digits, apply=True))
        self.backward: tuple[BackwardStep, ...] = tuple(_backward(root, seed, digits,
                                                                  apply=False))
        self.steps: tuple[Step, ...] = self.forward + self.backward
        self._k = 0

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def k(self) -> int:
        """The current position, 0 to ``len(self) - 1``."""
        return self._k

    @property
    def step(self) -> Step:
        """The current step (a :class:`ForwardStep` or :class:`BackwardStep`)."""
        return self.steps[self._k]

    def goto(self, k: int) -> Stepper:
        """Move to step ``k`` (negative counts from the end, as in a list)."""
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(f"Stepper.goto: k must be an int, got {type(k).__name__}")
        n = len(self.steps)
        if not -n <= k < n:
            raise IndexError(f"Stepper.goto: there are {n} steps (0 to {n - 1}), got k = {k}")
        self._k = k % n
        return self

    def next(self) -> Stepper:
        """Move one step on; at the last step, raise ``IndexError``."""
        if self._k + 1 >= len(self.steps):
            raise IndexError(f"Stepper.next: already at the last step ({len(self.steps)} of "
                             f"{len(self.steps)}); use goto(0) to start again")
        self._k += 1
        return self

    def prev(self) -> Stepper:
        """Move one step back; at the first step, raise ``IndexError``."""
        if self._k == 0:
            raise IndexError("Stepper.prev: already at the first step")
        self._k -= 1
        return self

    def explain(self) -> str:
        """The current step's explanation, with its position."""
        step = self.step
        return f"step {self._k + 1} of {len(self.steps)} ({step.kind}): {step}"

    def draw(self) -> Drawing:
        """The graph at the current step (see the class docstring for what is shown)."""
        n_forward = len(self.forward)
        k = self._k
        common: dict[str, Any] = {
            "rankdir": self.rankdir, "digits": self.digits, "max_nodes": self.max_nodes,
            "what": "Stepper.draw", "highlight": self.step.node,
        }
        if k < n_forward:
            computed = [s.node for s in self.forward[: k + 1]]
            return build_drawing(self.root, show_grad=False, data_known=set(computed),
                                 done=set(computed[:-1]), **common)
        finished = self.backward[: k - n_forward + 1]
        grads = {s.node: s.upstream for s in finished}
        return build_drawing(self.root, grads=grads, done={s.node for s in finished[:-1]},
                             **common)

    def _html(self) -> str:
        text = f"<pre>{html.escape(self.explain())}</pre>"
        try:
            svg = self.draw().svg()
        except (GraphvizNotFound, ValueError) as err:  # no `dot`, or a graph too big to draw
            return text + f"<pre>{html.escape(str(err))}</pre>"
        return text + svg[svg.find("<svg"):]

    def _repr_html_(self) -> str:
        return self._html()

    def __repr__(self) -> str:
        return f"<Stepper at {self.explain()}>"

    def widget(self) -> Any:
        """Notebook controls: a slider over all steps, ◀ / ▶ buttons, the picture and text.

        Needs ipywidgets (``pip install ipywidgets``, or ``pip install 'stepgrad[notebooks]'``).
        """
        try:
            import ipywidgets as widgets
        except ImportError:
            raise ImportError(
                "Stepper.widget() needs ipywidgets, which is not installed. Install it with "
                "`pip install ipywidgets` (or `pip install 'stepgrad[notebooks]'`), then "
                "restart the kernel. Without it, use next(), prev(), goto(k) and draw()."
            ) from None
        slider = widgets.IntSlider(value=self._k, min=0, max=len(self.steps) - 1,
                                   description="step", continuous_update=False)
        back = widgets.Button(description="◀ prev", layout=widgets.Layout(width="80px"))
        on = widgets.Button(description="next ▶", layout=widgets.Layout(width="80px"))
        view = widgets.HTML(value=self._html())

        def moved(change: dict[str, Any]) -> None:
            self.goto(int(change["new"]))
            view.value = self._html()

        def go_back(_: Any) -> None:
            slider.value = max(slider.value - 1, 0)

        def go_on(_: Any) -> None:
            slider.value = min(slider.value + 1, len(self.steps) - 1)

        slider.observe(moved, names="value")
        back.on_click(go_back)
        on.on_click(go_on)
        return _controls_class()([widgets.HBox([back, slider, on]), view])


WIDGET_TEXT = "[interactive stepper: run this notebook in Jupyter to use the controls]"
"""What :meth:`Stepper.widget` shows where no kernel runs (a notebook viewed on a code host)."""


@functools.cache
def _controls_class() -> Any:
    """An ipywidgets ``VBox`` whose plain-text form says what it is (made once, on demand).

    A saved notebook keeps a widget's ``text/plain`` next to the widget itself; viewers with
    no live kernel show that text, which for a bare ``VBox`` is ``VBox(children=…)``.
    """
    import ipywidgets as widgets

    class StepperControls(widgets.VBox):  # type: ignore[misc]
        def __repr__(self) -> str:
            return WIDGET_TEXT

    return StepperControls
