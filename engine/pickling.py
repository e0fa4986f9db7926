"""Copying and pickling Values: a graph as plain rows, rebuilt without recursion.

``copy.copy``, ``copy.deepcopy`` and ``pickle`` reduce a Value with :func:`reduce_value`
(registered in :mod:`copyreg`'s table when engine is imported): every node reachable from
it (and from gradients kept as Values, after ``backward(create_graph=True)``) becomes one
row in topological order that names its inputs by position, so a graph of any depth goes
through without Python's recursion limit. :func:`rebuild` makes the graph again. A node's
row of the table travels as its position in :data:`engine.ops.OPS`, so a node made by a
row made at run time (not in ``OPS``) cannot be pickled.

Examples:
    >>> import pickle
    >>> from engine import Value
    >>> x = Value(2.0, label="x")
    >>> y = (x * x).tanh()
    >>> z = pickle.loads(pickle.dumps(y))
    >>> z.data == y.data, z.inputs[0].inputs[0].label, z.inputs[0].inputs[0] is x
    (True, 'x', False)
"""

from __future__ import annotations

import copyreg
from typing import Any

from engine import ops
from engine.value import Value, recorded, topological_order

__all__ = ["reduce_value", "rebuild"]

Row = tuple[Any, ...]


def reduce_value(root: Value) -> tuple[Any, tuple[list[Row], int]]:
    """``root``'s graph as rows, for :mod:`copyreg`: ``(rebuild, (rows, position of root))``."""
    order: list[Value] = []
    index: dict[Value, int] = {}
    waiting = [root]
    while waiting:
        for v in topological_order(waiting.pop()):
            if v not in index:
                index[v] = len(order)
                order.append(v)
                if isinstance(v.grad, Value):
                    waiting.append(v.grad)
    rows: list[Row] = []
    for v in order:
        rule = v.rule
        if rule is not None and rule not in ops.OPS:
            raise TypeError(f"pickle: {v!r} was made by {rule!r}, which is not a row of "
                            f"engine.ops.OPS, so it cannot be rebuilt from its name")
        g = v.grad
        inputs = [index[u] for u in v.inputs]
        rows.append((v.data, ("Value", index[g]) if isinstance(g, Value) else g, v.label,
                     -1 if rule is None else ops.OPS.index(rule), inputs, v.param))
    return rebuild, (rows, index[root])


def rebuild(rows: list[Row], root: int) -> Value:
    """The graph of :func:`reduce_value`, built again; returns its node ``root``."""
    nodes: list[Value] = []
    for data, _, label, rule, inputs, c in rows:
        v = Value(data) if rule < 0 else recorded(ops.OPS[rule], [nodes[k] for k in inputs],
                                                    c, data)
        v.label = label
        nodes.append(v)
    for v, (_, grad, *_) in zip(nodes, rows):
        # (a gradient kept as a Value is linked once every node exists)
        v.grad = nodes[grad[1]] if type(grad) is tuple else grad
    return nodes[root]


copyreg.pickle(Value, reduce_value)
