"""``Value``: one scalar in the computation graph, and backpropagation through it.

A Value is plain data: its number (``data``), the gradient backward adds into it (``grad``),
the row of :mod:`engine.ops` that made it (``rule``; ``None`` for a leaf), the one or two
Values it was made from (``inputs``) and, for rows such as ``x * 2`` or ``x ** 3``, the
plain number that took part (``param``, the row's ``c``). Every operator and method of the
class only picks its row; :func:`apply` (through ``_node``) is the one place where a node is
built: it checks the row's domain, computes the forward formula and refuses an overflow.
The derivatives are never written here: :func:`gradients`, the one backward walk, reads
them from the rows.

A node is one small object whose inputs sit in two slots rather than in a tuple of their
own: each object that holds references is tracked by Python's garbage collector, whose
passes cost time in proportion to the objects alive, so this halves the collector's work on
a large graph (the benchmark measures it).
"""

from __future__ import annotations

import gc
import math
import operator
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Union

from engine import args, ops
from engine.errors import prefixed
from engine.ops import (
    ABS,
    ADD,
    ADD_C,
    ATAN,
    COS,
    DIV,
    DIV_C,
    ERF,
    EXP,
    GELU,
    LEAKY,
    LOG,
    MUL,
    MUL_C,
    NEG,
    POW,
    POW_C,
    RDIV_C,
    RELU,
    RPOW_C,
    RSUB_C,
    SIGMOID,
    SILU,
    SIN,
    SOFTPLUS,
    SQRT,
    SUB,
    SUB_C,
    TANH,
    Rule,
)

__all__ = ["Value", "apply", "topological_order", "gradients", "local_derivatives", "accumulate",
           "backprop", "collector_paused", "number_of", "recorded", "watching", "watcher", "Number",
           "ValueLike"]

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


def _stored(x: Any, where: str) -> float:
    """``x`` checked by :func:`engine.args.real`, as the plain float a node or a leaf
    stores (a number ``engine.compile`` follows is converted here, where the trace sees
    the engine take it)."""
    f = args.real(x, where)
    return f if type(f) is float else float(f)


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


def _constant(c: Any, rule: Rule) -> float | None:
    """The plain number of ``x + c``, ``c * x``...: a finite float, or None when ``c`` is no
    number at all (the operator then returns NotImplemented, and Python asks the other
    side or raises its TypeError)."""
    if type(c) is float:
        if _NEG_INF < c < _INF:
            return c
    elif not args.is_number(c):
        return None
    return _stored(c, f"{rule.text}: c")


def apply(rule: Rule, *inputs: Value, c: Number | None = None) -> Value:
    """Apply a row of the table to Values: the public way to build a node from a row.

    ``inputs`` are the row's Value inputs (one, or two for ``args == "x, y"``); ``c`` is
    its plain number (for ``args == "x, c"``). A row made outside :mod:`engine.ops` (in a
    notebook, say) is used this way.

    Examples:
        >>> from engine import Value, apply, ops
        >>> x = Value(3.0, label="x")
        >>> apply(ops.MUL_C, x, c=2).data, apply(ops.TANH, x).op
        (6.0, 'tanh')
    """
    args.instance(rule, "apply: rule", Rule)
    if len(inputs) != rule.arity:
        raise TypeError(f"apply: inputs must be {rule.arity} Value(s) for the row "
                        f"{rule.name!r} ({rule.text}), got {len(inputs)}")
    for i, v in enumerate(inputs):
        args.instance(v, f"apply: inputs[{i}]", Value)
    if (rule.args == "x, c") != (c is not None):
        raise TypeError(f"apply: c must be {'a number' if c is None else 'None'} for the row "
                        f"{rule.name!r} ({rule.text}), got {args.describe(c)}")
    number = None if c is None else _stored(c, f"apply: c of {rule.name!r}")
    return _node(rule, inputs[0], inputs[1] if rule.arity == 2 else None, number)


def recorded(rule: Rule, inputs: list[Value], c: float | None, data: float) -> Value:
    """A node as it was recorded: ``rule`` on ``inputs`` (and ``c``) with the number ``data``.

    It computes nothing and checks no domain: the node was computed when it was first
    built, and its inputs' data may have changed since. For copying and unpickling
    (:mod:`engine.pickling`), which rebuild a graph node by node; to compute a node, use
    :func:`apply`.
    """
    v = Value(data)
    v._rule = args.instance(rule, "recorded: rule", Rule)
    v._x = inputs[0]
    v._y = inputs[1] if len(inputs) == 2 else None
    v._c = c
    return v


def number_of(x: Any, where: str) -> float:
    """A Value's number, or a number (checked by :func:`engine.args.real`) as a float.

    Examples:
        >>> number_of(Value(2.5), "hessian: values[0]"), number_of(3, "hessian: values[0]")
        (2.5, 3.0)
    """
    return x._data if isinstance(x, Value) else _stored(x, where)


def _compare(compare: Callable[[float, float], bool], self: Value, other: Any) -> bool:
    if _watchers and WATCHER.get() is not None:   # (the numbers as the watcher shows them)
        if type(other) is Value:
            return compare(self.data, other.data)
        return bool(compare(self.data, other)) if args.is_number(other) else NotImplemented
    if type(other) is Value:
        return compare(self._data, other._data)
    # (bool(): a NumPy number on the other side would answer with its own bool type)
    return bool(compare(self._data, other)) if args.is_number(other) else NotImplemented


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

    def __init__(self, data: Number, label: str = "") -> None:
        self._data = data if type(data) is float and _NEG_INF < data < _INF else _stored(
            data, "Value: data")
        if not isinstance(label, str) or not label.isascii():
            label = args.text(label, "Value: label")
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
        self._data = number if type(number) is float and _NEG_INF < number < _INF else _stored(
            number, "Value.data")

    @property
    def grad(self) -> Any:
        """∂(output)/∂(this Value), accumulated by ``backward()``."""
        return self._grad

    @grad.setter
    def grad(self, g: Any) -> None:
        if _watchers:
            _tell("write", self, "grad")
        if not (type(g) is float and _NEG_INF < g < _INF):
            g = args.scalar(g, "Value.grad", Value)
            if not isinstance(g, Value):
                g = float(g)   # (a number engine.compile follows, as the float it holds)
        self._grad = g

    @property
    def label(self) -> str:
        """The name shown by ``repr``, drawings and step texts."""
        return self._label

    @label.setter
    def label(self, text: str) -> None:
        self._label = args.text(text, "Value.label")

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
    # Each operator picks between two rows of engine.ops: one for two Values (x * y), one
    # for a Value and a plain number kept on the node as the row's c (x * c, c - x).
    def __add__(self, other: ValueLike) -> Value:
        if type(other) is Value:
            return _node(ADD, self, other, None)
        c = _constant(other, ADD_C)
        return NotImplemented if c is None else _node(ADD_C, self, None, c)

    def __radd__(self, other: ValueLike) -> Value:
        c = _constant(other, ADD_C)
        return NotImplemented if c is None else _node(ADD_C, self, None, c)

    def __sub__(self, other: ValueLike) -> Value:
        if type(other) is Value:
            return _node(SUB, self, other, None)
        c = _constant(other, SUB_C)
        return NotImplemented if c is None else _node(SUB_C, self, None, c)

    def __rsub__(self, other: ValueLike) -> Value:
        c = _constant(other, RSUB_C)
        return NotImplemented if c is None else _node(RSUB_C, self, None, c)

    def __mul__(self, other: ValueLike) -> Value:
        if type(other) is Value:
            return _node(MUL, self, other, None)
        c = _constant(other, MUL_C)
        return NotImplemented if c is None else _node(MUL_C, self, None, c)

    def __rmul__(self, other: ValueLike) -> Value:
        c = _constant(other, MUL_C)
        return NotImplemented if c is None else _node(MUL_C, self, None, c)

    def __truediv__(self, other: ValueLike) -> Value:
        if type(other) is Value:
            return _node(DIV, self, other, None)
        c = _constant(other, DIV_C)
        return NotImplemented if c is None else _node(DIV_C, self, None, c)

    def __rtruediv__(self, other: ValueLike) -> Value:
        c = _constant(other, RDIV_C)
        return NotImplemented if c is None else _node(RDIV_C, self, None, c)

    def __pow__(self, other: ValueLike) -> Value:
        if type(other) is Value:
            return _node(POW, self, other, None)
        c = _constant(other, POW_C)
        return NotImplemented if c is None else _node(POW_C, self, None, c)

    def __rpow__(self, other: ValueLike) -> Value:
        c = _constant(other, RPOW_C)
        return NotImplemented if c is None else _node(RPOW_C, self, None, c)

    def __neg__(self) -> Value:
        return _node(NEG, self, None, None)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _node(ABS, self, None, None)

    # --- the word methods: one row each (their docstrings are the rows', below) ----------
    def neg(self) -> Value:
        return _node(NEG, self, None, None)

    def abs(self) -> Value:
        return _node(ABS, self, None, None)

    def exp(self) -> Value:
        return _node(EXP, self, None, None)

    def log(self) -> Value:
        return _node(LOG, self, None, None)

    def sqrt(self) -> Value:
        return _node(SQRT, self, None, None)

    def tanh(self) -> Value:
        return _node(TANH, self, None, None)

    def sigmoid(self) -> Value:
        return _node(SIGMOID, self, None, None)

    def relu(self) -> Value:
        return _node(RELU, self, None, None)

    def sin(self) -> Value:
        return _node(SIN, self, None, None)

    def cos(self) -> Value:
        return _node(COS, self, None, None)

    def erf(self) -> Value:
        return _node(ERF, self, None, None)

    def softplus(self) -> Value:
        return _node(SOFTPLUS, self, None, None)

    def gelu(self) -> Value:
        return _node(GELU, self, None, None)

    def silu(self) -> Value:
        return _node(SILU, self, None, None)

    def atan(self) -> Value:
        return _node(ATAN, self, None, None)

    def leaky_relu(self, slope: Number = 0.01) -> Value:
        """x if x > 0 else slope·x; its derivative is 1 if x > 0 else slope (slope at 0,
        as in PyTorch, whose default slope 0.01 is this one's too)."""
        return _node(LEAKY, self, None, _stored(slope, "leaky_relu: slope"))

    # --- comparisons: by number (``==`` and hashing stay by identity) -------------------
    def __lt__(self, other: ValueLike) -> bool:
        return _compare(operator.lt, self, other)

    def __le__(self, other: ValueLike) -> bool:
        return _compare(operator.le, self, other)

    def __gt__(self, other: ValueLike) -> bool:
        return _compare(operator.gt, self, other)

    def __ge__(self, other: ValueLike) -> bool:
        return _compare(operator.ge, self, other)

    # --- the graph ----------------------------------------------------------------------
    def backward(self, grad: Number = 1.0, create_graph: bool = False) -> None:
        """Backpropagate from this Value: add ∂self/∂v · grad to ``v.grad`` for every node v.

        Every node of the graph gets its share, interior nodes included, and a second call
        adds exactly one more pass. With ``create_graph=True`` the gradients are Values
        whose own graphs can be differentiated again (``grad`` may then be a Value).

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
        if create_graph is not False:
            create_graph = args.flag(create_graph, "backward: create_graph")
        if not (type(grad) is float and _NEG_INF < grad < _INF) and not (
                create_graph and isinstance(grad, Value)):
            grad = args.real(grad, "backward: grad")
        # The walk makes no reference cycles, so Python's cycle collector has nothing to
        # find; paused, it does not rescan the whole graph while the walk allocates.
        with collector_paused(), prefixed("backward", replacing=("gradients",)):
            if create_graph:
                accumulate(gradients(self, grad, create_graph=True))
            else:
                _walk(self, grad, None)

    def detach(self) -> Value:
        """A new leaf with the same number (and label): gradients stop there."""
        return Value(self.data, self._label)


# A word method's docstring says what its row says (the row is the one source).
for _rule in ops.OPS:
    _method = getattr(Value, _rule.name, None) if _rule.name.isidentifier() else None
    if _method is not None and _method.__doc__ is None:
        _note = f" ({_rule.note})" if _rule.note else ""
        _method.__doc__ = f"{_rule.text}; its derivative is {_rule.formulas[0]}{_note}."

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


# --- watching the engine work (for engine.compile) ---------------------------------------

@contextmanager
def watching(watcher: Any) -> Iterator[None]:
    """Tell ``watcher`` what the engine does in this thread (this context) while the block
    runs; other threads see no difference.

    The watcher's methods are called as things happen: ``node(v, rule, x, y, c)`` for every
    node made (inside ``no_grad()`` too, where ``v`` keeps no inputs), ``leaf(v)`` for every
    ``Value(...)`` made, ``write(v, "data" or "grad")`` before an assignment, and
    ``backward(root)`` before a gradient walk (these two may be left out); ``read(v)`` is
    what ``v.data`` returns, comparisons between Values included. This is how
    ``engine.compile`` follows a function without changing anything for other threads.

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


def watcher() -> Any:
    """The watcher of this thread (see :func:`watching`), or None: what :mod:`engine.floats`
    asks before it computes."""
    return WATCHER.get() if _watchers else None


def _tell(event: str, *details: Any) -> None:
    tell = getattr(WATCHER.get(), event, None)
    if tell is not None:
        tell(*details)


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
    args.instance(root, "topological_order: root", Value)
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
    args.instance(root, "gradients: root", Value)
    with prefixed("gradients"):
        if create_graph:
            token = GRAD_ENABLED.set(True)   # the gradients' graphs are recorded, as asked
            try:
                return _value_gradients(root, grad if isinstance(grad, Value) else Value(
                    args.real(grad, "gradients: grad")))
            finally:
                GRAD_ENABLED.reset(token)
        seed = grad if type(grad) is float and _NEG_INF < grad < _INF else args.real(
            grad, "gradients: grad")
        found: dict[Value, float] = {}
        _walk(root, seed, found)
        return found


def _walk(root: Value, seed: float, found: dict[Value, float] | None) -> None:
    """The walk of :func:`gradients` on floats: each node's gradient goes into ``found``,
    or, when ``found`` is None, straight into ``node.grad`` (``backward``'s fast path: the
    same numbers without building the dict, a sixth of backward's time; where a sum
    overflows, the nodes before it in the walk have been updated)."""
    if _watchers:
        _tell("backward", root)
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
    if _watchers:
        _tell("backward", root)
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
    args.instance(root, "backprop: root", Value)
    if visit is not None:
        args.function(visit, "backprop: visit", 3, "as visit(node, g, partials)")
    if not isinstance(grad, Value):
        grad = args.real(grad, "backprop: grad")
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
