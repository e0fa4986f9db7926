"""``Value``: one scalar in the computation graph, and backpropagation through it.

A Value is plain data: its number (``data``), the gradient backward adds into it (``grad``),
the row of :mod:`engine.ops` that made it (``rule``; ``None`` for a leaf), the one or two
Values it was made from (``inputs``) and, for rows such as ``x * 2`` or ``x ** 3``, the
plain number that took part (``param``, the row's ``c``). Every operator below only picks
its row; :func:`apply` is the one place where a node is built: it checks the row's domain,
computes the forward formula and refuses an overflow. The derivatives are never written
here: :meth:`Value.backward` reads them from the rows.

A node is one small object whose inputs sit in two slots rather than in a tuple of their
own: each object that holds references is tracked by Python's garbage collector, whose
passes cost time in proportion to the objects alive, so this halves the collector's work on
a large graph (the benchmark measures it).
"""

from __future__ import annotations

import gc
import math
import numbers
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Union

from engine import ops
from engine.errors import prefixed
from engine.ops import Rule

__all__ = ["Value", "apply", "topological_order", "gradients", "local_derivatives", "accumulate",
           "backprop", "collector_paused", "Number", "ValueLike"]

Number = int | float
ValueLike = Union["Value", int, float]

# False inside ``engine.no_grad()``: operations then make leaves and record nothing.
GRAD_ENABLED: ContextVar[bool] = ContextVar("stepgrad_grad_enabled", default=True)

_INF = math.inf
_NEG_INF = -math.inf   # (a name: `-_INF` would negate, making a new float, at every check)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _to_float(x: Any, what: str) -> float:
    """``x`` as a finite float, or a TypeError/ValueError that says what was wrong."""
    if type(x) is float:
        f = x
    elif (isinstance(x, numbers.Real) and not isinstance(x, bool)) or (
            getattr(x, "shape", None) == ()
            and getattr(getattr(x, "dtype", None), "kind", None) in ("i", "u", "f")):
        # (a 0-d NumPy array of numbers; a 0-d torch tensor has a dtype with no kind)
        try:
            f = float(x)
        except OverflowError:  # an int (or Fraction) beyond the largest float
            raise ValueError(f"{what}: expected a finite number, got a {type(x).__name__} "
                             f"too large for a float") from None
    else:
        hint = " (use .data for its number, or .detach() for a new leaf)" if isinstance(
            x, Value) else ""
        raise TypeError(f"{what}: expected a real number, got {type(x).__name__}{hint}")
    if not _NEG_INF < f < _INF:
        raise ValueError(f"{what}: expected a finite number, got {f}")
    return f


def _text(text: Any, what: str) -> str:
    """``text`` if it is a str that can be drawn and saved (UTF-8), else an error."""
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, got {type(text).__name__}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} holds a lone surrogate ({text!r}), which no drawing or "
                         f"page can show") from None
    return text


def _is_number(x: Any) -> bool:
    if type(x) is float or type(x) is int:  # the common cases, without the slower ABC check
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _node(rule: Rule, x: Value, y: Value | None, c: float | None) -> Value:
    """The one builder: check the domain, compute, refuse overflow, record the node."""
    second = c if y is None else y._data
    a = x._data
    if rule.check is not None:
        rule.check(a, second)
    try:
        out = rule.f(a) if second is None else rule.f(a, second)
    except OverflowError:
        out = _INF
    if not _NEG_INF < out < _INF:
        shown = f"x = {_fmt(a)}" + ("" if second is None else
                                    f", {'c' if y is None else 'y'} = {_fmt(second)}")
        raise OverflowError(f"{rule.name}: the result overflows a float ({rule.text} with "
                            f"{shown})")
    v = _new(Value)
    v._data = out
    v._grad = 0.0
    v._label = ""
    if GRAD_ENABLED.get():
        v._rule = rule
        v._x = x
        v._y = y
        v._c = c
    else:
        v._rule = v._x = v._y = v._c = None
    return v


def apply(rule: Rule, *inputs: Value, c: Number | None = None) -> Value:
    """Apply a row of the table to Values: the public way to build a node from a row.

    ``inputs`` are the row's Value inputs (one, or two for ``args == "x, y"``); ``c`` is
    its plain number (for ``args == "x, c"``). Every operator of :class:`Value` comes here.

    Examples:
        >>> from engine import Value, apply, ops
        >>> x = Value(3.0, label="x")
        >>> apply(ops.MUL_C, x, c=2).data, apply(ops.TANH, x).op
        (6.0, 'tanh')
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"apply: rule must be a Rule (a row of engine.ops), got "
                        f"{type(rule).__name__}")
    if len(inputs) != rule.arity:
        raise TypeError(f"apply: the row {rule.name!r} takes {rule.arity} Value input(s), "
                        f"got {len(inputs)}")
    for i, v in enumerate(inputs):
        if not isinstance(v, Value):
            raise TypeError(f"apply: inputs[{i}] must be a Value, got {type(v).__name__}")
    if (rule.args == "x, c") != (c is not None):
        raise TypeError(f"apply: the row {rule.name!r} ({rule.text}) "
                        + ("needs a number c" if c is None else "takes no c"))
    number = None if c is None else _to_float(c, f"apply: c of {rule.name!r}")
    return _node(rule, inputs[0], inputs[1] if rule.arity == 2 else None, number)


class Value:
    """A scalar that remembers how it was computed, so that gradients can flow back.

    Args:
        data: any real number (int, float, NumPy scalar); stored as a finite Python float.
        label: a name shown by ``repr``, ``draw_dot`` and the step-through.

    Attributes:
        data: the number (assignable: a finite real number).
        grad: ∂(output)/∂(this Value), accumulated by ``backward()``; starts at 0.0 (a
            Value after ``backward(create_graph=True)``).
        label: the name (assignable: a str).
        op: the name of the operation that made this Value (``"*"``, ``"tanh"``); ``""``
            for a leaf.
        rule: the row of :mod:`engine.ops` behind ``op`` (``None`` for a leaf).
        inputs: the Values it was computed from, in argument order; ``()`` for a leaf.
        param: the plain number of ``x * 2``, ``x ** 3``, ``leaky_relu(slope)``..., else
            ``None``.

    Values hash and compare with ``==`` by identity, so they can be kept in sets and dict
    keys; ``<``, ``<=``, ``>``, ``>=`` compare their numbers (so ``max(values)`` works).

    Examples:
        >>> x = Value(2.0, label="x")
        >>> y = x * x + 3 * x          # y = x² + 3x
        >>> y.data
        10.0
        >>> y.backward()               # dy/dx = 2x + 3
        >>> x.grad
        7.0
    """

    __slots__ = ("_data", "_grad", "_label", "_rule", "_x", "_y", "_c")

    _data: float
    _grad: Any
    _label: str
    _rule: Rule | None
    _x: Value | None
    _y: Value | None
    _c: float | None

    if TYPE_CHECKING:  # the methods made from the table's rows, at the end of this module
        def __getattr__(self, name: str) -> Callable[[], Value]: ...

    def __init__(self, data: Number, label: str = "") -> None:
        self._data = data if type(data) is float and _NEG_INF < data < _INF else _to_float(
            data, "Value")
        if not isinstance(label, str) or not label.isascii():
            label = _text(label, "Value: label")
        self._grad = 0.0
        self._label = label
        self._rule = self._x = self._y = self._c = None

    # --- the public attributes, checked when assigned -----------------------------------
    @property
    def data(self) -> float:
        """The number (a finite float)."""
        return self._data

    @data.setter
    def data(self, number: Number) -> None:
        # (the common case, a finite float, without a call: optimizers set it every step)
        self._data = number if type(number) is float and _NEG_INF < number < _INF else _to_float(
            number, "Value.data")

    @property
    def grad(self) -> Any:
        """∂(output)/∂(this Value), accumulated by ``backward()``."""
        return self._grad

    @grad.setter
    def grad(self, g: Any) -> None:
        if type(g) is float and _NEG_INF < g < _INF:
            self._grad = g
        else:
            self._grad = g if isinstance(g, Value) else _to_float(g, "Value.grad")

    @property
    def label(self) -> str:
        """The name shown by ``repr``, drawings and step texts."""
        return self._label

    @label.setter
    def label(self, text: str) -> None:
        self._label = _text(text, "Value.label")

    @property
    def op(self) -> str:
        """The operation that made this Value (``"+"``, ``"tanh"``, ...); ``""`` for a leaf."""
        return "" if self._rule is None else self._rule.name

    @property
    def rule(self) -> Rule | None:
        """The row of :mod:`engine.ops` that made this Value; ``None`` for a leaf."""
        return self._rule

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order; ``()`` for a leaf."""
        if self._x is None:
            return ()
        return (self._x,) if self._y is None else (self._x, self._y)

    @property
    def param(self) -> float | None:
        """The plain number ``c`` of rows such as ``x * c``; ``None`` elsewhere."""
        return self._c

    def __repr__(self) -> str:
        name = f"{self._label!r}, " if self._label else ""
        g = self._grad
        return f"Value({name}data={self._data:.6g}, grad={_fmt(g) if type(g) is float else g})"

    # --- arithmetic: Values or plain numbers on either side ------------------------------
    # Each operator picks between two rows: one for two Values, one for a Value and a plain
    # number kept on the node as the row's c (see _operator below the class).
    if TYPE_CHECKING:
        def __add__(self, other: ValueLike) -> Value: ...
        def __radd__(self, other: ValueLike) -> Value: ...
        def __sub__(self, other: ValueLike) -> Value: ...
        def __rsub__(self, other: ValueLike) -> Value: ...
        def __mul__(self, other: ValueLike) -> Value: ...
        def __rmul__(self, other: ValueLike) -> Value: ...
        def __truediv__(self, other: ValueLike) -> Value: ...
        def __rtruediv__(self, other: ValueLike) -> Value: ...
        def __pow__(self, other: ValueLike) -> Value: ...
        def __rpow__(self, other: ValueLike) -> Value: ...

    def __neg__(self) -> Value:
        return _node(ops.NEG, self, None, None)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _node(ops.ABS, self, None, None)

    def leaky_relu(self, slope: Number = 0.01) -> Value:
        """x for x > 0, else slope·x; the derivative at 0 is ``slope`` as in PyTorch."""
        return _node(ops.LEAKY, self, None, _to_float(slope, "leaky_relu: slope"))

    # --- comparisons: by number (``==`` and hashing stay by identity) -------------------
    if TYPE_CHECKING:
        def __lt__(self, other: ValueLike) -> bool: ...
        def __le__(self, other: ValueLike) -> bool: ...
        def __gt__(self, other: ValueLike) -> bool: ...
        def __ge__(self, other: ValueLike) -> bool: ...

    # --- the graph ----------------------------------------------------------------------
    def backward(self, grad: Number = 1.0, create_graph: bool = False) -> None:
        """Backpropagate from this Value: add ∂self/∂v · grad to ``v.grad`` for every node v.

        Every node of the graph gets its share, interior nodes included, and a second call
        adds exactly one more pass. With ``create_graph=True`` the gradients are Values
        whose own graphs can be differentiated again.

        Examples:
            >>> a, b = Value(3.0), Value(-2.0)
            >>> c = a * b
            >>> c.backward()
            >>> a.grad, b.grad
            (-2.0, 3.0)
            >>> c.backward()           # a second pass adds the same again
            >>> a.grad
            -4.0
        """
        if not isinstance(create_graph, bool):
            raise TypeError(f"backward: create_graph must be True or False, got "
                            f"{create_graph!r}")
        if not (type(grad) is float and _NEG_INF < grad < _INF) and not (
                create_graph and isinstance(grad, Value)):
            grad = _to_float(grad, "backward: grad")
        # The walk makes no reference cycles, so Python's cycle collector has nothing to
        # find; paused, it does not rescan the whole graph while the walk allocates.
        with collector_paused(), prefixed("backward", replacing=("gradients",)):
            if create_graph:
                accumulate(gradients(self, grad, create_graph=True))
            else:
                _walk(self, grad, None)

    def detach(self) -> Value:
        """A new leaf with the same number (and label): gradients stop there."""
        return Value(self._data, self._label)

    # --- copying and pickling: the graph as plain rows, no recursion ---------------------
    def __reduce__(self) -> tuple[Any, ...]:
        # Every node reachable from this one (and from gradients kept as Values), as rows
        # in topological order that name their inputs by index: no recursion, any depth.
        order: list[Value] = []
        index: dict[Value, int] = {}
        waiting = [self]
        while waiting:
            for v in topological_order(waiting.pop()):
                if v not in index:
                    index[v] = len(order)
                    order.append(v)
                    if isinstance(v._grad, Value):
                        waiting.append(v._grad)
        rows = []
        for v in order:
            rule = v._rule
            if rule is not None and rule not in ops.OPS:
                raise TypeError(f"pickle: {v!r} was made by {rule!r}, which is not a row of "
                                f"engine.ops.OPS, so it cannot be rebuilt from its name")
            g = v._grad
            rows.append((v._data, ("Value", index[g]) if isinstance(g, Value) else g, v._label,
                         -1 if rule is None else ops.OPS.index(rule),
                         -1 if v._x is None else index[v._x], -1 if v._y is None else index[v._y],
                         v._c))
        return _rebuild, (rows, index[self])


def _rebuild(rows: list[tuple[Any, ...]], root: int) -> Value:
    """The graph of :meth:`Value.__reduce__`, built again; returns its node ``root``."""
    nodes: list[Value] = []
    for data, grad, label, rule, x, y, c in rows:
        v = Value(data, label)
        v._grad = 0.0 if type(grad) is tuple else grad
        if rule >= 0:
            v._rule, v._x, v._c = ops.OPS[rule], nodes[x], c
            v._y = nodes[y] if y >= 0 else None
        nodes.append(v)
    for v, (_, grad, *_) in zip(nodes, rows):
        if type(grad) is tuple:  # a gradient kept as a Value, linked once every node exists
            v._grad = nodes[grad[1]]
    return nodes[root]


def _operator(pair: Rule, with_c: Rule) -> Callable[[Value, Any], Value]:
    """The method of an operator: ``pair`` with another Value, ``with_c`` with a number."""

    def method(self: Value, other: Any) -> Value:
        if type(other) is Value:
            return _node(pair, self, other, None)
        if type(other) is not float:
            if not _is_number(other):
                return NotImplemented  # type: ignore[no-any-return]
            other = _to_float(other, pair.name)
        elif not _NEG_INF < other < _INF:
            raise ValueError(f"{pair.name}: expected a finite number, got {other}")
        return _node(with_c, self, None, other)

    return method


def _comparison(compare: Callable[[float, float], bool]) -> Callable[[Value, Any], bool]:
    """The method of ``<``, ``<=``, ``>`` or ``>=``: compares the numbers."""

    def method(self: Value, other: Any) -> bool:
        if type(other) is Value:
            return compare(self._data, other._data)
        # (bool: a NumPy number on the other side would answer with its own bool type)
        return bool(compare(self._data, other)) if _is_number(other) else NotImplemented

    return method


for _name, _pair, _with_c in (
    ("add", ops.ADD, ops.ADD_C), ("radd", ops.ADD, ops.ADD_C),
    ("sub", ops.SUB, ops.SUB_C), ("rsub", ops.SUB, ops.RSUB_C),
    ("mul", ops.MUL, ops.MUL_C), ("rmul", ops.MUL, ops.MUL_C),
    ("truediv", ops.DIV, ops.DIV_C), ("rtruediv", ops.DIV, ops.RDIV_C),
    ("pow", ops.POW, ops.POW_C), ("rpow", ops.POW, ops.RPOW_C),
):
    setattr(Value, f"__{_name}__", _operator(_pair, _with_c))
for _name in ("lt", "le", "gt", "ge"):
    setattr(Value, f"__{_name}__", _comparison(getattr(operator, _name)))


def _method(rule: Rule) -> Callable[[Value], Value]:
    def method(self: Value) -> Value:
        return _node(rule, self, None, None)

    method.__name__ = method.__qualname__ = rule.name
    note = f" ({rule.note})" if rule.note else ""
    method.__doc__ = f"{rule.text}; its derivative is {rule.formulas[0]}{note}."
    return method


# Every one-input row with a word for a name is a method: x.exp(), x.tanh(), x.gelu()...
for _rule in ops.OPS:
    if _rule.args == "x" and _rule.name.isidentifier() and not hasattr(Value, _rule.name):
        setattr(Value, _rule.name, _method(_rule))

_new = object.__new__


@contextmanager
def collector_paused() -> Iterator[None]:
    """A block in which Python's cycle collector does not run (it runs again after).

    Value graphs hold no reference cycles: reference counting frees them. The collector
    would only rescan every live node, again and again, while a pass allocates (it made
    training two to three times slower).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# --- backpropagation ---------------------------------------------------------------------

def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph once, each after all of its inputs; ``root`` is last.

    Examples:
        >>> from engine import Value, topological_order
        >>> a = Value(1.0, label="a")
        >>> b = a + a
        >>> [v.label or v.op for v in topological_order(b * a)]
        ['a', '+', '*']
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order: expected a Value, got {type(root).__name__}")
    order: list[Value] = []
    seen = {root}
    # Depth-first with an explicit stack (no recursion limit): a node stays on the stack
    # until its inputs, x then y, are in the order.
    stack = [root]
    see, push, done = seen.add, stack.append, order.append
    while stack:
        node = stack[-1]
        x = node._x
        if x is not None and x not in seen:
            see(x)
            push(x)
            continue
        y = node._y
        if y is not None and y not in seen:
            see(y)
            push(y)
            continue
        done(stack.pop())
    return order


def local_derivatives(node: Value, create_graph: bool = False) -> tuple[Any, ...]:
    """∂node/∂input for each of ``node``'s inputs, in argument order, read from its row.

    Floats, or with ``create_graph=True`` Values (the row's partials evaluated on the nodes
    themselves, so that they can be differentiated again); ``()`` for a leaf.

    Examples:
        >>> from engine import Value, local_derivatives
        >>> x, y = Value(3.0), Value(-2.0)
        >>> local_derivatives(x * y)                # (∂/∂x, ∂/∂y) = (y, x)
        (-2.0, 3.0)
    """
    rule = node._rule
    if rule is None:
        return ()
    if rule.constant is not None:   # x + y, x - c, -x: plain numbers, ready in the row
        return rule.constant
    x, y = node._x, node._y
    try:
        if create_graph:
            return rule.df(node, x, node._c if y is None else y)
        return rule.df(node._data, x._data, node._c if y is None else y._data)  # type: ignore[union-attr]
    except (ZeroDivisionError, ValueError, OverflowError) as err:
        better = _underivable(node, err, create_graph)
        if better is None:
            raise
        raise better from err


def _underivable(node: Value, err: Exception, create_graph: bool) -> Exception | None:
    """The error to raise when a row's partials fail at ``node`` (None: ``err`` itself,
    whose message, written by the row, names the operation already)."""
    if str(err).startswith(f"{node.op}:"):
        return None
    rule, inputs = node._rule, node.inputs
    assert rule is not None
    why = " on Values (create_graph=True)" if create_graph else ""
    # A node built with other data than its inputs hold now (an input's .data assigned
    # since) is the one case where a partial fails at a point the forward accepted.
    try:
        now = rule.f(*(v._data for v in inputs)) if node._c is None else rule.f(
            inputs[0]._data, node._c)
        changed = now != node._data
    except (ArithmeticError, ValueError):
        changed = True
    held = ", ".join(f"{letter} = {v._data:.6g}" for letter, v in zip("xy", inputs))
    hint = (f" (an input's data changed after the node was built: the node holds "
            f"{node._data:.6g}, its inputs now hold {held})" if changed else "")
    return type(err)(f"the local derivative of {node!r} (op {node.op!r}) cannot be "
                     f"computed{why}: {err}{hint}")


def gradients(root: Value, grad: Any = 1.0, create_graph: bool = False) -> dict[Value, Any]:
    """This pass's gradients: ∂root/∂v · grad for every node v of ``root``'s graph.

    The one gradient walk: ``backward`` adds its result into ``.grad``, ``engine.grad``
    picks the inputs asked for, the step-through explains it; nothing here touches
    ``.grad``.

    Order and accumulation, exactly: the nodes are visited in reverse topological order
    (``reversed(topological_order(root))``: ``root`` first, every node before its inputs),
    and the returned dict lists them in that order. ``root`` starts with ``grad``. When a
    node's turn comes its gradient ``g`` is complete (every consumer came before it); for
    each input, x first then y (a reused input once per edge), the walk then does
    ``pending[input] = pending.get(input, 0.0) + partial * g`` with the partial from
    :func:`local_derivatives` (so a first contribution is ``0.0 + partial * g``). With
    ``create_graph=True`` everything is a Value (a float ``grad`` becomes a leaf), the
    first contribution is kept as it is (``partial * g``, no ``0.0 +`` node) and later
    ones are added with ``+``; the graphs are recorded even inside ``no_grad()``. A
    gradient that is not finite raises ``ArithmeticError`` naming the node.

    Examples:
        >>> from engine import Value, gradients
        >>> x = Value(3.0, label="x")
        >>> y = x * x
        >>> y.label = "y"
        >>> {v.label: g for v, g in gradients(y).items()}
        {'y': 1.0, 'x': 6.0}
        >>> x.grad                                   # untouched
        0.0
    """
    if not isinstance(root, Value):
        raise TypeError(f"gradients: root must be a Value, got {type(root).__name__}")
    with prefixed("gradients"):
        if create_graph:
            token = GRAD_ENABLED.set(True)   # the gradients' graphs are recorded, as asked
            try:
                return _value_gradients(root, grad if isinstance(grad, Value) else Value(
                    _to_float(grad, "gradients: grad")))
            finally:
                GRAD_ENABLED.reset(token)
        seed = grad if type(grad) is float else _to_float(grad, "gradients: grad")
        found: dict[Value, float] = {}
        _walk(root, seed, found)
        return found


def _walk(root: Value, seed: float, found: dict[Value, float] | None) -> None:
    """The walk of :func:`gradients` on floats: each node's gradient goes into ``found``,
    or, when ``found`` is None, straight into ``node.grad`` (``backward``'s fast path: the
    same numbers without building the dict, a sixth of backward's time; where a sum
    overflows, the nodes before it in the walk have been updated)."""
    pending: dict[Value, float] = {root: seed}
    pop, get = pending.pop, pending.get
    for node in reversed(topological_order(root)):
        g = pop(node)
        if not _NEG_INF < g < _INF:
            raise _overflowed(node, g)
        if found is None:
            total = node._grad + g
            if not _NEG_INF < total < _INF:
                raise _accumulated(node, total)
            node._grad = total
        else:
            found[node] = g
        a = node._x
        if a is not None:
            # The chain rule, one edge at a time (local_derivatives, inlined: this loop is
            # the hot path of every training step).
            rule = node._rule
            partials = rule.constant  # type: ignore[union-attr]
            b = node._y
            if partials is None:
                try:
                    partials = rule.df(node._data, a._data,  # type: ignore[union-attr]
                                       node._c if b is None else b._data)
                except (ZeroDivisionError, ValueError, OverflowError) as err:
                    better = _underivable(node, err, False)
                    if better is None:
                        raise
                    raise better from err
            pending[a] = get(a, 0.0) + partials[0] * g
            if b is not None:
                pending[b] = get(b, 0.0) + partials[1] * g


def _value_gradients(root: Value, seed: Value) -> dict[Value, Value]:
    """:func:`gradients` with ``create_graph=True``: the same walk, on Values."""
    found: dict[Value, Value] = {}
    pending: dict[Value, Value] = {root: seed}
    for node in reversed(topological_order(root)):
        g = pending.pop(node)
        if not _NEG_INF < g._data < _INF:
            raise _overflowed(node, g)
        found[node] = g
        for inp, d in zip(node.inputs, local_derivatives(node, create_graph=True)):
            pending[inp] = pending[inp] + d * g if inp in pending else d * g
    return found


def _overflowed(node: Value, g: Any) -> ArithmeticError:
    return ArithmeticError(f"the gradient reaching {node!r} (op {node.op or 'leaf'!r}) is "
                           f"{g}: a local derivative or a product of them overflowed")


def _accumulated(node: Value, total: Any) -> ArithmeticError:
    return ArithmeticError(f"{node!r} would hold grad {total}: the gradients accumulated "
                           f"over several passes overflow")


def accumulate(found: dict[Value, Any]) -> None:
    """Add each gradient of ``found`` (from :func:`gradients`) into its node's ``.grad``.

    Every sum is checked before any is stored: where one would overflow, nothing changes.
    """
    for node, g in found.items():
        total = node._grad + g
        if not _NEG_INF < total < _INF:
            raise _accumulated(node, total)
    for node, g in found.items():
        node._grad = node._grad + g


Visit = Callable[[Value, Any, tuple[Any, ...]], None]


def backprop(root: Value, grad: Any = 1.0, create_graph: bool = False,
             visit: Visit | None = None) -> None:
    """:func:`gradients`, then either ``.grad`` updated (``visit`` None) or, for each node
    in the walk's order, ``visit(node, g, partials)`` called instead.

    Kept for the step-through, which explains each node's share; ``backward`` is
    ``gradients`` then :func:`accumulate`.

    Examples:
        >>> from engine import Value, backprop
        >>> x = Value(3.0, label="x")
        >>> backprop(x * x, visit=lambda node, g, partials: print(node.label or node.op, g))
        * 1.0
        x 6.0
    """
    if visit is not None and not callable(visit):
        raise TypeError(f"backprop: visit must be a function (node, g, partials), got "
                        f"{type(visit).__name__}")
    if not isinstance(root, Value):
        raise TypeError(f"backprop: expected a Value, got {type(root).__name__}")
    if not isinstance(grad, Value):
        grad = _to_float(grad, "backprop: grad")
    with prefixed("backward", replacing=("gradients",)):
        if visit is None and not create_graph:
            _walk(root, grad, None)
            return
        found = gradients(root, grad, create_graph)
        if visit is None:
            accumulate(found)
            return
        for node, g in found.items():
            visit(node, g, local_derivatives(node, create_graph))
