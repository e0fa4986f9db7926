"""What the code generator reads from a row of :mod:`engine.ops`, by parsing its formulas.

A row's ``forward`` and ``partials`` are Python expressions in its letters (``x``, ``y``,
``c``, and ``out`` in partials). :func:`row` parses them once (with :mod:`ast`, never by
matching text) into:

- format strings, to write a node's forward line and each term of its backward lines
  with the names of the node's own variables;
- which letters the partials read (a node whose partials read ``out`` keeps its number
  for the backward pass; one whose partials read nothing but constants does not);
- which inputs pass a non-finite number on to the result (``x + y``: both; ``x / y``: x
  only; ``tanh(x)``: none): a value read only where it is passed on needs no test of its
  own, since the result's test finds it;
- a *gate*: a forward ``x if <test> else 0.0`` (relu), whose zero branch is the only place
  that can drop -inf or nan, and a partial ``<a> if <test> else 0.0`` that is exactly 0
  where the test fails: the backward pass behind a shut gate adds only zeros;
- whether the gate's test holds exactly where the result is not 0.0 (``x > 0``: where
  it fails the result is 0.0, where it holds the result is x, positive), so that the
  truth of the result can stand for the test;
- whether each partial is finite wherever the node's numbers are: a constant or a letter
  (``x * y``: y and x), or a choice between such (relu's). Behind a shut gate such
  partials multiply a zero gradient into zeros, which change no sum, so that part of the
  backward pass can be skipped.

A row that is not in :data:`engine.ops.OPS` (made at run time) is called through its
compiled functions (``rule.f``, ``rule.df``) instead.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from functools import cache

from engine.ops import OPS, Rule

__all__ = ["RowCode", "row"]

LETTERS = ("x", "y", "c", "out")


@dataclass(frozen=True)
class RowCode:
    """A row, as the code generator uses it (see the module's docstring)."""

    forward: str                  # format string, fields {x} {y} {c}
    partials: tuple[str, ...]     # format strings, fields {x} {y} {c} {out}
    reads: frozenset[str]         # the letters the partials read
    passes: tuple[bool, ...]      # for each Value input: is a non-finite one passed on?
    gate: str | None              # forward "x if <test> else 0.0": the test, as a format
    truth_is_gate: bool           # ... and the test is x > 0: it holds where out != 0
    zero_unless: tuple[str | None, ...]   # partial "<a> if <test> else 0.0": the test
    when_open: tuple[str | None, ...]     # ... and <a>, the partial where the test holds
    plain: tuple[bool, ...]       # partial is a constant or a letter (finite with them)
    table: bool                   # a row of engine.ops.OPS (else called through rule.f)


def _template(node: ast.AST) -> str:
    """An expression as a format string: each letter becomes a field ``{x}``."""

    class Fields(ast.NodeTransformer):
        def visit_Name(self, n: ast.Name) -> ast.AST:
            if n.id in LETTERS:
                return ast.Name(id=f"__{n.id}__", ctx=n.ctx)
            return n

    text = ast.unparse(Fields().visit(copy.deepcopy(node)))
    text = text.replace("{", "{{").replace("}", "}}")
    for letter in LETTERS:
        text = text.replace(f"__{letter}__", "{" + letter + "}")
    return text


def _letter(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) and node.id in LETTERS else None


def _zero(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0.0 and not isinstance(
        node.value, bool)


def _plain(node: ast.AST) -> bool:
    """A constant or a letter (negated, or chosen between by a test: relu's 1.0 or 0.0)."""
    if isinstance(node, ast.IfExp):
        return _plain(node.body) and _plain(node.orelse)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return _letter(node) is not None or (isinstance(node, ast.Constant) and isinstance(
        node.value, (int, float)) and not isinstance(node.value, bool))


def _passes(node: ast.AST, letter: str) -> bool:
    """Does the expression give a non-finite result whenever ``letter`` is not finite?"""
    if _letter(node) == letter:
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _passes(node.operand, letter)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "abs":
        return len(node.args) == 1 and _passes(node.args[0], letter)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
            # inf * 0 is nan: a product passes on a non-finite factor too
            return _passes(node.left, letter) or _passes(node.right, letter)
        if isinstance(node.op, ast.Div):
            return _passes(node.left, letter)
    if isinstance(node, ast.IfExp):   # both branches must pass it on
        return _passes(node.body, letter) and _passes(node.orelse, letter)
    return False


@cache
def row(rule: Rule) -> RowCode:
    """The code generator's reading of ``rule`` (computed once per row)."""
    forward = ast.parse(rule.forward, mode="eval").body
    partials = [ast.parse(p, mode="eval").body for p in rule.partials]
    reads = frozenset(n.id for p in partials for n in ast.walk(p)
                      if isinstance(n, ast.Name) and n.id in LETTERS)
    letters = ("x", "y")[:rule.arity]
    gate, truth_is_gate = None, False
    if isinstance(forward, ast.IfExp) and _letter(forward.body) == "x" and _zero(forward.orelse):
        gate = _template(forward.test)
        test = forward.test
        truth_is_gate = (isinstance(test, ast.Compare) and _letter(test.left) == "x"
                         and len(test.ops) == 1 and isinstance(test.ops[0], ast.Gt)
                         and _zero(test.comparators[0]))
    passes = tuple(_passes(forward, v) or (gate is not None and v == "x") for v in letters)
    gated = [isinstance(p, ast.IfExp) and _zero(p.orelse) for p in partials]
    zero_unless = tuple(_template(p.test) if g else None  # type: ignore[attr-defined]
                        for p, g in zip(partials, gated))
    when_open = tuple(_template(p.body) if g else None  # type: ignore[attr-defined]
                      for p, g in zip(partials, gated))
    return RowCode(forward=_template(forward), partials=tuple(_template(p) for p in partials),
                   reads=reads, passes=passes, gate=gate, truth_is_gate=truth_is_gate,
                   zero_unless=zero_unless,
                   when_open=when_open,
                   plain=tuple(_plain(p) for p in partials),
                   table=any(rule is r for r in OPS))
