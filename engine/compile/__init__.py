"""``engine.compile``: trace a loss once, then run its forward and backward pass as plain code.

A training step builds the same graph every time, only with new numbers. ``compile(fn,
*example_inputs)`` runs ``fn`` once, watching the engine build the graph, and writes a
Python function that computes the same loss and the same gradients, to the last bit,
without building a graph. A pipeline over data, one module per stage:

=================  =========================================================================
``trace``          run ``fn`` with traced numbers (``traced``); watch the engine (this
                   thread only)
``ir``             the program: numbered variables and equations (nodes, number operations,
                   guards), loops; ``pp`` prints it (``step.ir``)
``adjoint``        the backward pass: the nodes in the very order the engine visits them
``loops``          blocks that repeat (one per sample) become loops, where it can prove the
                   result the same
``render``         the program as Python source (``step.source``): one line per equation,
                   values read once written into their reader (``straight``), loops as
                   ``for`` loops (``template``; sums by column: ``columns``; work behind a
                   shut relu skipped: ``gates``), formulas read from the table (``rows``)
``step``           the compiled step: versions, guards, when to trace again or let the
                   engine run; ``holders``: where ``fn`` finds its parameters
``evaluate``       the reference interpreter; ``check`` compares it, stage by stage, with
                   the engine and the code (``step.check``)
``inputs``         the structure of the inputs (a trace's key) and their numbers
``engine.floats`` math on plain numbers that a trace follows (``floats.exp``, ``max``): the
                   trace is the watcher it asks
=================  =========================================================================

What is guaranteed: a call returns the engine's loss and adds the engine's gradients,
bit for bit, or it runs the engine (which raises its own errors). What a trace cannot
replay is never replayed: a decision on a number (``if w.data > 0``, ``a < b``,
``isinstance`` answers as for the number) is a guard, and a failed guard traces again; a
number used as structure (an index, a length) is a guard that it stays that number; a
new input structure, or a parameter ``fn`` now finds in another object, traces again; a
number the trace cannot follow (``math.exp(x.data)``, ``float(x)`` outside the engine)
is a guard on that very number, with a warning; a side effect on a Value inside ``fn``
(assigning ``.data`` or ``.grad``, a backward pass) makes the step run the engine, with a
warning. The limits are in :func:`compile`'s docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.compile.errors import CompileError, CompileWarning
from engine.compile.step import CompiledStep

__all__ = ["compile", "CompiledStep", "CompileError", "CompileWarning"]


def compile(fn: Callable[..., Any], *example_inputs: Any) -> CompiledStep:
    """Trace ``fn(*example_inputs)`` once and generate its forward and backward pass as code.

    ``fn`` returns one scalar Value. Its inputs are numbers, leaf Values, or (nested)
    lists, tuples or NumPy arrays of them; ``fn`` receives them as given (numbers as
    traced numbers while it is traced). ``step(*inputs)``, with inputs of the same
    structure, returns the loss as a float and adds ∂loss/∂p into ``p.grad`` of every
    leaf the graph reaches that ``fn`` did not make (the parameters, read afresh at every
    call, and the Values given as inputs), equal to the last bit to
    ``fn(*inputs).backward()``. Without example inputs the data are constants of the
    trace. ``step.source`` is the code, ``step.ir`` the program it was written from,
    ``step.graph`` the traced graph, ``step.check(*inputs)`` compares every stage with
    the normal engine.

    Whole numbers are data: ``fn`` may multiply by a label; a whole number used as
    structure (``logits[c]``, ``range(n)``) is guarded, and another one traces again.

    Parameters: the step finds the parameters where ``fn`` finds them. At every call it
    checks, by identity, the closure cells and the globals ``fn``'s code reads, and every
    list, dict and object attribute on the way from them to each parameter (the
    attributes and lists of an ``nn.Module`` included): a parameter replaced there (a new
    bias in a model) traces again, however many other references to the old one remain.
    Not seen, and found by ``step.check()``: a parameter reached only through a function
    ``fn`` calls, or swapped in a container off those paths.

    What is frozen when traced, as in any trace: numbers ``fn`` reads from Python data
    rather than from its inputs (a dataset list changed in place: compile again),
    ``random`` inside ``fn`` (a dropout mask is drawn once), ``type(x) is float`` (a
    traced number's type is its own class; ``isinstance`` answers as for the number), and
    side effects that are not on Values (a print, a list it appends to: done once, while
    tracing). A step cannot be copied or pickled, cannot run inside ``engine.no_grad()``
    (it computes gradients) and cannot be called by the ``fn`` of another compile.

    Examples:
        >>> from engine import Value
        >>> import engine
        >>> w = Value(0.5, label="w")
        >>> step = engine.compile(lambda x: (w * x - 1.0) ** 2, 3.0)
        >>> step(3.0), w.grad          # (0.5·3 − 1)² and 2·(0.5·3 − 1)·3
        (0.25, 3.0)
        >>> w.data = 1.0
        >>> step(2.0), w.grad          # new numbers, the same code; grads add up
        (1.0, 7.0)
        >>> print(step.ir)
        { lambda ; inputs 1 .
          let v0 = input 0
              v1:w = param 0
              v2 = * v1:w v0    # x * c
              v3 = - v2 1.0    # x - c
              v4 = ** v3 2.0    # x ** c
          in v4 }
        >>> step.check(2.0)
        True
    """
    return CompiledStep(fn, example_inputs)
