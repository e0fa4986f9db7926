"""The neurons in a graph: which nodes one run of a neuron made, found from the labels.

A graph of Values knows nothing of layers; ``nn`` writes its structure into the labels, and
this module reads it back, so that drawings, step texts and pages can name the nodes from the
model and draw a neuron as one box. The convention (what ``nn`` writes):

- a neuron named ``P`` (``layers.0.neurons.2``) labels its parameters ``P.<name>``
  (``P.w.0``, ``P.w.1``, …, ``P.b``), once, when the model is made;
- each time it runs, it labels its output ``P.a`` (the activation, whose first input is the
  weighted sum z), or ``P.z`` for a linear neuron, whose output is z itself.

One run of the neuron is then every node between its parameters and that output: the nodes
computed from a parameter of ``P`` or from another node of the run, on the way to the output,
without passing through a node labelled for something else (the inputs: the previous
layer's outputs). The parameters are shared by every run (one run per sample of a batch) and
belong to none. Nothing here computes: it only reads labels and inputs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.value import Value

__all__ = ["NeuronRun", "find_neurons"]

_OUTPUT = re.compile(r"(.+)\.([az])")


@dataclass(frozen=True, eq=False)
class NeuronRun:
    """One run of one neuron in a graph.

    ``name`` is the neuron's name in the model (``layers.0.neurons.2``), ``run`` which run it
    is (0, 1, … in topological order) of ``runs``; ``z`` is its weighted sum, ``a`` its
    activation (``None`` for a linear neuron, whose output is z) and ``activation`` the name
    of a's operation (``"relu"``; ``""`` when linear). ``members`` are the nodes of the run in
    topological order (z and a included), ``params`` the neuron's parameters it read.
    """

    name: str
    run: int
    runs: int
    activation: str
    z: Value
    a: Value | None
    members: tuple[Value, ...]
    params: tuple[Value, ...]

    @property
    def output(self) -> Value:
        """What the neuron gives the next layer: ``a``, or ``z`` for a linear neuron."""
        return self.z if self.a is None else self.a

    @property
    def title(self) -> str:
        """``layers.0.neurons.2``, with ``#k`` when the neuron ran more than once."""
        return f"{self.name} #{self.run}" if self.runs > 1 else self.name


def find_neurons(order: Sequence[Value]) -> list[NeuronRun]:
    """Every run of a neuron in a graph given in topological order (see the module's text).

    Examples:
        >>> from engine import Value, topological_order
        >>> w, b = Value(0.5, label="n.w.0"), Value(0.1, label="n.b")
        >>> a = (b + w * 2.0).tanh()
        >>> a.label = "n.a"
        >>> (run,) = find_neurons(topological_order(a * 3))
        >>> run.name, run.activation, run.z is a.inputs[0], len(run.members), len(run.params)
        ('n', 'tanh', True, 3, 2)
    """
    index = {v: i for i, v in enumerate(order)}
    tops: list[tuple[Value, str, Value, Value | None]] = []   # (output, name, z, a)
    inner_z: set[Value] = set()
    for v in order:
        found = _OUTPUT.fullmatch(v.label) if v.inputs else None
        if found is None:
            continue
        name, role = found.groups()
        if role == "a":
            z = v.inputs[0]
            if not z.inputs or (z.label and z.label != f"{name}.z"):
                continue
            inner_z.add(z)
            tops.append((v, name, z, v))
        else:
            tops.append((v, name, v, None))
    claimed: set[Value] = set()
    found_runs: list[tuple[str, Value, Value | None, list[Value], list[Value]]] = []
    for top, name, z, a in tops:
        if a is None and top in inner_z:
            continue   # the z of a neuron found by its activation
        prefix_of = name + "."
        params: set[Value] = set()
        cone: list[Value] = [z]
        seen = {z}
        stack = [z]
        while stack:
            for inp in stack.pop().inputs:
                if inp in seen:
                    continue
                seen.add(inp)
                if not inp.inputs:
                    if inp.label.startswith(prefix_of):
                        params.add(inp)
                    continue
                if (inp.label and not inp.label.startswith(prefix_of)) or inp in claimed:
                    continue
                cone.append(inp)
                stack.append(inp)
        members: set[Value] = set()
        for v in sorted(cone, key=index.__getitem__):
            if any(inp in params or inp in members for inp in v.inputs):
                members.add(v)
        if z not in members:
            continue
        if a is not None:
            members.add(a)
        claimed |= members
        found_runs.append((name, z, a, sorted(members, key=index.__getitem__),
                           sorted(params, key=index.__getitem__)))
    counts: dict[str, int] = {}
    for name, *_ in found_runs:
        counts[name] = counts.get(name, 0) + 1
    runs: list[NeuronRun] = []
    seen_runs: dict[str, int] = {}
    for name, z, a, members_, params_ in found_runs:
        k = seen_runs.get(name, 0)
        seen_runs[name] = k + 1
        activation = "" if a is None or a.rule is None else a.rule.name
        runs.append(NeuronRun(name, k, counts[name], activation, z, a, tuple(members_),
                              tuple(params_)))
    return runs
