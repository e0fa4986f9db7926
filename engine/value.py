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
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Union

from engine import ops
from engine.ops import Rule

__all__ = ["Value", "apply", "topological_order", "backprop", "watching", "Number", "ValueLike"]

Number = int | float
ValueLike = Union["Value", int, float]

# False inside ``engine.no_grad()``: operations then make leaves and record nothing.
GRAD_ENABLED: ContextVar[bool] = ContextVar("stepgrad_grad_enabled", default=True)

_INF = math.inf
_NEG_INF = -math.inf   # (a name: `-_INF` would negate, making a new float, at every check)

# engine.compile follows a function by watching what the engine does while it runs (see
# watching, below the class): the watcher of this thread, and how many are set in any
# thread, so that unwatched code pays only the test of one global.
WATCHER: ContextVar[Any] = ContextVar("stepgrad_watcher", default=None)
_watchers = 0
_WATCHERS_LOCK = threading.Lock()


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
    if _watchers:
        watcher = WATCHER.get()
        if watcher is not None:
            watcher.node(v, rule, x, y, c)
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
        if _watchers:
            _tell("leaf", self)

    # --- the public attributes, checked when assigned -----------------------------------
    @property
    def data(self) -> float:
        """The number (a finite float)."""
        if _watchers:
            watcher = WATCHER.get()
            if watcher is not None:
                return watcher.read(self)  # type: ignore[no-any-return]
        return self._data

    @data.setter
    def data(self, number: Number) -> None:
        if _watchers:
            _tell("write", self, "data")
        # (the common case, a finite float, without a call: optimizers set it every step)
        self._data = number if type(number) is float and _NEG_INF < number < _INF else _to_float(
            number, "Value.data")

    @property
    def grad(self) -> Any:
        """∂(output)/∂(this Value), accumulated by ``backward()``."""
        return self._grad

    @grad.setter
    def grad(self, g: Any) -> None:
        if _watchers:
            _tell("write", self, "grad")
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
        if create_graph:
            seed: Any = grad if isinstance(grad, Value) else Value(
                _to_float(grad, "backward: grad"))
            token = GRAD_ENABLED.set(True)  # the gradients' graphs are recorded, as asked
            try:
                backprop(self, seed, create_graph=True)
            finally:
                GRAD_ENABLED.reset(token)
            return
        seed = grad if type(grad) is float and _NEG_INF < grad < _INF else _to_float(
            grad, "backward: grad")
        # The loop makes no reference cycles, so Python's cycle collector has nothing to find;
        # paused, it does not rescan the whole graph while the loop allocates.
        collecting = gc.isenabled()
        gc.disable()
        try:
            backprop(self, seed)
        finally:
            if collecting:
                gc.enable()

    def detach(self) -> Value:
        """A new leaf with the same number (and label): gradients stop there."""
        return Value(self.data, self._label)

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
        if _watchers and WATCHER.get() is not None:   # (the numbers as a watcher sees them)
            if type(other) is Value:
                return compare(self.data, other.data)
            return bool(compare(self.data, other)) if _is_number(other) else NotImplemented
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


# --- watching the engine work (for engine.compile) ---------------------------------------

@contextmanager
def watching(watcher: Any) -> Iterator[None]:
    """Tell ``watcher`` what the engine does in this thread (this context) while the block
    runs; other threads see no difference.

    The watcher's methods are called as things happen: ``node(v, rule, x, y, c)`` for every
    node made (inside ``no_grad()`` too, where ``v`` keeps no inputs), ``leaf(v)`` for every
    ``Value(...)`` made, ``write(v, "data" or "grad")`` before an assignment, and
    ``backward(root)`` before a backward pass (these two may be left out); ``read(v)`` is
    what ``v.data`` returns, comparisons between Values included. This is
    how ``engine.compile`` follows a function without changing anything for other threads.

    Examples:
        >>> class Count:
        ...     made = 0
        ...     def node(self, v, rule, x, y, c): self.made += 1
        ...     def leaf(self, v): pass
        ...     def read(self, v): return v._data
        >>> count, w = Count(), Value(2.0)
        >>> with watching(count):
        ...     y = (w * 3.0).tanh()
        >>> count.made
        2
    """
    global _watchers
    with _WATCHERS_LOCK:
        _watchers += 1
    token = WATCHER.set(watcher)
    try:
        yield
    finally:
        WATCHER.reset(token)
        with _WATCHERS_LOCK:
            _watchers -= 1


def _tell(event: str, *args: Any) -> None:
    watcher = WATCHER.get()
    tell = getattr(watcher, event, None)
    if tell is not None:
        tell(*args)


# --- backpropagation ---------------------------------------------------------------------

def topological_order(root: Value, starts: dict[Value, int] | None = None) -> list[Value]:
    """Every node of ``root``'s graph once, each after all of its inputs; ``root`` is last.

    The walk is depth-first, inputs in argument order, so the nodes first reached through
    a node form one unbroken run of the order that ends at it (its block). With ``starts``
    (a dict), ``starts[v]`` is told where each node's block begins: ``engine.compile``
    looks for blocks that repeat.

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
    if starts is not None:
        starts[root] = 0
    while stack:
        node = stack[-1]
        x = node._x
        if x is not None and x not in seen:
            see(x)
            if starts is not None:
                starts[x] = len(order)
            push(x)
            continue
        y = node._y
        if y is not None and y not in seen:
            see(y)
            if starts is not None:
                starts[y] = len(order)
            push(y)
            continue
        done(stack.pop())
    return order


Visit = Callable[[Value, Any, tuple[Any, ...]], None]


def backprop(root: Value, grad: Any = 1.0, create_graph: bool = False,
             visit: Visit | None = None) -> None:
    """The one backward loop: every node of ``root``'s graph in reverse topological order.

    When a node's turn comes, ``g`` (this pass's ∂root/∂node · grad) is complete, because
    all of its consumers came before it; ``g × partial`` is then sent on to each input, the
    partials read from the node's row. Without ``visit`` the loop adds ``g`` to
    ``node.grad`` (that is ``backward``); with it, it calls ``visit(node, g, partials)``
    instead and leaves ``.grad`` alone (``grad`` collects, ``backprop_steps`` explains). The
    gradient propagated is this pass's own, never the accumulated ``.grad``, so repeated
    passes add up exactly. With ``create_graph=True``, ``grad`` is a Value and the partials
    are evaluated on the nodes themselves: the gradients are Values with graphs of their own.

    Examples:
        >>> from engine import Value, backprop
        >>> x = Value(3.0, label="x")
        >>> backprop(x * x, visit=lambda node, g, partials: print(node.label or node.op, g))
        * 1.0
        x 6.0
    """
    if not isinstance(root, Value):
        raise TypeError(f"backprop: expected a Value, got {type(root).__name__}")
    if _watchers:
        _tell("backward", root)
    if not isinstance(grad, Value):
        grad = _to_float(grad, "backprop: grad")
    if visit is not None and not callable(visit):
        raise TypeError(f"backprop: visit must be a function (node, g, partials), got "
                        f"{type(visit).__name__}")
    pending: dict[Value, Any] = {root: grad}
    pop, get = pending.pop, pending.get
    for node in reversed(topological_order(root)):
        g = pop(node)
        if not _NEG_INF < g < _INF:
            raise ArithmeticError(f"backward: the gradient reaching {node!r} (op "
                                  f"{node.op or 'leaf'!r}) is {g}: a local derivative or a "
                                  f"product of them overflowed")
        a, b = node._x, node._y
        partials: Any = ()
        if a is not None:
            # The chain rule, one edge at a time: input += ∂node/∂input · g, with the
            # partials from the node's row; a reused input collects from every edge.
            # (A row whose partials are plain numbers, as x + y, has them ready: no call.)
            partials = node._rule.constant  # type: ignore[union-attr]
            if partials is None:
                try:
                    if create_graph:
                        partials = node._rule.df(node, a, node._c if b is None else b)  # type: ignore[union-attr]
                    else:
                        partials = node._rule.df(node._data, a._data,  # type: ignore[union-attr]
                                                 node._c if b is None else b._data)
                except (ZeroDivisionError, ValueError, OverflowError) as err:
                    if str(err).startswith(f"{node.op}:"):  # the row's message names it
                        raise
                    raise type(err)(f"backward: the local derivative of {node!r} (op "
                                    f"{node.op!r}) cannot be computed: {err} (did an "
                                    f"input's data change after the node was built?)") from None
            if create_graph:  # Values: the first contribution is kept as it is (no "0 +")
                for inp, d in zip(node.inputs, partials):
                    pending[inp] = pending[inp] + d * g if inp in pending else d * g
            else:
                pending[a] = get(a, 0.0) + partials[0] * g
                if b is not None:
                    pending[b] = get(b, 0.0) + partials[1] * g
        if visit is not None:
            visit(node, g, partials)
            continue
        total = node._grad + g
        if not _NEG_INF < total < _INF:
            raise ArithmeticError(f"backward: {node!r} would hold grad {total}: the "
                                  f"gradients accumulated over several passes overflow")
        node._grad = total
