"""How a compiled step knows that ``fn`` still reaches the parameters it traced.

The trace knows its parameters by identity. A model can swap one for a new Value
(``model.layers[0].neurons[0].b = Value(0.5)``) while other references to the old one
live on (an optimizer's list, a second step, a variable): counting references cannot see
that. So, when a trace is made, the step records where ``fn`` gets its parameters from:

- *roots*: every closure cell of ``fn`` and every global name its code reads (its nested
  lambdas and comprehensions included), and ``fn``'s bound object, or ``fn`` itself when
  it is a callable object (a model); a root that now holds another object (a rebound
  global, a new model) makes the trace stale;
- *paths*: from the roots to each parameter, through lists, tuples, dicts and objects'
  attributes (an ``nn.Module``'s, a plain object's), as deep as the parameters lie: each
  container on the way must still hold the same object in the same place.

At every call these few hundred identity tests take microseconds; a failed one traces
again. Not seen: a parameter reached only through a function ``fn`` calls (whose own
globals are not ``fn``'s), kept in a container outside these paths, or in an object with
``__slots__``; ``step.check()`` finds it (it compares the leaves of ``fn``'s graph, run
anew, with the parameters of the trace).
"""

from __future__ import annotations

import dis
import functools
import operator
import types
from collections.abc import Callable
from itertools import chain, repeat
from typing import Any

__all__ = ["Holders"]

MAX_OBJECTS = 200_000   # objects looked at when searching the paths, at most


def _codes(code: types.CodeType) -> list[types.CodeType]:
    out, todo = [], [code]
    while todo:
        c = todo.pop()
        out.append(c)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return out


def _roots(fn: Any) -> list[tuple[Any, Any, Any]]:
    """(holder, key, object): the places ``fn`` starts from (key "cell" for a closure
    cell's content; None for the object itself)."""
    roots: list[tuple[Any, Any, Any]] = []
    seen = set()
    todo = [fn]
    while todo:
        f = todo.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        if isinstance(f, functools.partial):
            roots += [(None, None, a) for a in (*f.args, *f.keywords.values())]
            todo.append(f.func)
            continue
        if isinstance(f, types.MethodType):
            roots.append((None, None, f.__self__))
            todo.append(f.__func__)
            continue
        if not isinstance(f, types.FunctionType):
            roots.append((None, None, f))   # a callable object: a model, say
            call = type(f).__dict__.get("__call__") or next(
                (k.__dict__["__call__"] for k in type(f).__mro__ if "__call__" in k.__dict__),
                None)
            if isinstance(call, types.FunctionType):
                todo.append(call)
            continue
        for cell in f.__closure__ or ():
            try:
                roots.append((cell, "cell", cell.cell_contents))
            except ValueError:   # a cell not filled yet
                continue
        g = f.__globals__
        for code in _codes(f.__code__):
            for ins in dis.get_instructions(code):
                if ins.opname == "LOAD_GLOBAL":
                    name = ins.argval
                    roots.append((g, name, g.get(name, _MISSING)))
    return roots


def _atomic(x: Any) -> bool:
    return isinstance(x, (int, float, complex, str, bytes, bool)) or x is None


def _children(x: Any) -> list[tuple[Any, Any, Any]]:
    if isinstance(x, (list, tuple)):
        return [(x, i, e) for i, e in enumerate(x)]
    if isinstance(x, dict):
        return [(x, k, v) for k, v in list(x.items())]
    d = getattr(x, "__dict__", None)
    if isinstance(d, dict) and not isinstance(x, (type, types.ModuleType, types.FunctionType,
                                                  types.MethodType)):
        return [(d, k, v) for k, v in list(d.items())]
    return []


def _walk(roots: list[tuple[Any, Any, Any]], targets: set[int]) -> list[tuple[Any, Any, Any]]:
    """The roots, and the places on the paths from them to the objects of ``targets``, as
    (holder, key, object)."""
    places: list[tuple[Any, Any, Any]] = []
    leads: dict[int, bool] = {}   # (False while being searched: a cycle finds nothing new)
    budget = MAX_OBJECTS
    for root in roots:
        places.append(root)
        x = root[2]
        if id(x) in targets or _atomic(x) or id(x) in leads:
            continue
        leads[id(x)] = False
        stack: list[list[Any]] = [[x, iter(_children(x)), False, None]]
        while stack:
            frame = stack[-1]
            for holder, key, child in frame[1]:
                budget -= 1
                if budget < 0:
                    return places
                if id(child) in targets:
                    places.append((holder, key, child))
                    frame[2] = True
                elif _atomic(child):
                    continue
                elif id(child) in leads:
                    if leads[id(child)]:
                        places.append((holder, key, child))
                        frame[2] = True
                else:
                    leads[id(child)] = False
                    stack.append([child, iter(_children(child)), False, (holder, key, child)])
                    break
            else:
                stack.pop()
                leads[id(frame[0])] = frame[2]
                if frame[2] and stack:
                    places.append(frame[3])
                    stack[-1][2] = True
    return places


class Holders:
    """The places ``fn`` reaches its parameters through (see the module's docstring):
    ``fresh()`` is True while each holds what it held when the trace was made."""

    def __init__(self, fn: Callable[..., Any], parameters: list[Any]) -> None:
        targets = {id(p) for p in parameters}
        self.places = [p for p in _walk(_roots(fn), targets) if p[0] is not None]
        # Three kinds of test, each run by C code over a list: a dict (a module's
        # globals, an object's __dict__) still maps the key to the object; a closure cell
        # still holds it; a list on a path still holds the very objects it held. (A tuple
        # cannot change: the path through it is tested further up.)
        self._dicts: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
        self._cells: tuple[list[Any], list[Any]] = ([], [])
        lists: dict[int, Any] = {}
        for holder, key, obj in self.places:
            if isinstance(holder, list):
                lists[id(holder)] = holder
            elif isinstance(holder, types.CellType):
                self._cells[0].append(holder)
                self._cells[1].append(obj)
            elif isinstance(holder, dict):
                for part, item in zip(self._dicts, (holder, key, obj)):
                    part.append(item)
        self._lists = list(lists.values())
        self._lengths = list(map(len, self._lists))
        self._items = list(chain.from_iterable(self._lists))

    def fresh(self) -> bool:
        """Does every place still hold what it held (compared by identity)?"""
        (hs, ks, objs), (cells, held), lists = self._dicts, self._cells, self._lists
        try:
            return (all(map(_is, map(dict.get, hs, ks, repeat(_MISSING)), objs))
                    and all(map(_is, map(_CONTENTS, cells), held))
                    and list(map(len, lists)) == self._lengths
                    and all(map(_is, chain.from_iterable(lists), self._items)))
        except ValueError:   # a closure cell emptied since
            return False


_is = operator.is_
_CONTENTS = operator.attrgetter("cell_contents")


_MISSING = object()
