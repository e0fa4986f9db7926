"""``Module``: the bookkeeping every model shares (parameters, gradients, saved state).

A subclass only stores its parameters (``Value``s), its sub-modules, or lists of either as
attributes; :meth:`Module.named_parameters` finds them by walking the attributes in the
order they were set, so no subclass writes its own ``parameters()``. The names follow
PyTorch's dotted style: ``layers.0.neurons.3.w.1``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine import Value, args

__all__ = ["Module"]


class Module:
    """Base class of models: finds parameters, zeroes gradients, saves and loads numbers.

    Attributes that are a ``Value``, a ``Module``, or a list/tuple of them (nested to any
    depth) are walked in the order they were assigned. Other attributes (numbers, strings)
    are ignored, as are Values kept in dicts or sets. As in PyTorch, the name of an
    attribute that holds parameters cannot contain ``"."`` (``setattr(self, "a.0", v)``
    would give ``v`` the name of ``self.a[0]``): listing the parameters raises ValueError.

    Examples:
        >>> from engine import Value
        >>> class Line(Module):
        ...     def __init__(self) -> None:
        ...         self.slope = Value(2.0)
        ...         self.offsets = [Value(0.5), Value(-1.0)]
        ...     def __call__(self, x: float) -> Value:
        ...         return self.slope * x + self.offsets[0] + self.offsets[1]
        >>> line = Line()
        >>> [name for name, _ in line.named_parameters()]
        ['slope', 'offsets.0', 'offsets.1']
        >>> line.state_dict()
        {'slope': 2.0, 'offsets.0': 0.5, 'offsets.1': -1.0}
        >>> line(3.0).backward()
        >>> line.slope.grad
        3.0
        >>> line.zero_grad()
        >>> line.slope.grad
        0.0
    """

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter once, with its dotted name, in attribute order.

        A Value reachable under two names (a shared weight) is listed once, under the first
        name, as in PyTorch. (PyTorch returns a generator; a list is easier to count.)

        Raises:
            ValueError: an attribute whose name contains ``"."`` holds a Value, a Module or
                a list of them: its names could be another attribute's.
        """
        found: list[tuple[str, Value]] = []
        seen_values: set[Value] = set()
        seen_modules: set[int] = set()
        # Depth-first, attributes in order, with a stack of (name, item) still to visit: no
        # recursion limit, and no closure that refers to itself (such a cycle would keep
        # every parameter referenced until the garbage collector's next full pass).
        stack: list[tuple[str, Any]] = [("", self)]
        while stack:
            prefix, item = stack.pop()
            if isinstance(item, Value):
                if item not in seen_values:
                    seen_values.add(item)
                    found.append((prefix, item))
            elif isinstance(item, Module):
                if id(item) in seen_modules:  # a module reachable twice, or a cycle
                    continue
                seen_modules.add(id(item))
                attributes = vars(item)
                for name in attributes:
                    if "." in name:
                        _refuse_dotted(item, name, attributes[name])
                stack += reversed([(f"{prefix}.{name}" if prefix else name, attr)
                                   for name, attr in attributes.items()])
            elif isinstance(item, (list, tuple)):
                stack += reversed([(f"{prefix}.{i}", element) for i, element in enumerate(item)])
        return found

    def parameters(self) -> list[Value]:
        """Every parameter once, in the order of :meth:`named_parameters`."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 (``backward`` adds to it, never resets)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """``{name: number}`` for every parameter: plain floats, ready for ``json.dump``."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy numbers from ``state`` into the parameters of the same names.

        Nothing is changed unless every name matches and every entry is a finite real
        number: missing or unexpected names raise ``ValueError`` listing them, an entry
        that is not a number a ``TypeError`` naming it (``state['w.0']``).

        Examples:
            >>> from nn import MLP
            >>> a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
            >>> b.load_state_dict(a.state_dict())
            >>> a([1.0, 2.0]).data == b([1.0, 2.0]).data
            True
            >>> b.load_state_dict({"layers.0.neurons.0.w.0": 1.0})  # doctest: +ELLIPSIS
            Traceback (most recent call last):
              ...
            ValueError: MLP.load_state_dict: state must have one entry per parameter, got ...
        """
        who = f"{type(self).__name__}.load_state_dict"
        args.instance(state, f"{who}: state", Mapping)  # type: ignore[type-abstract]
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        unexpected = [repr(key) for key in state if key not in params]
        problems = []
        if missing:
            problems.append(f"missing keys: {_shorten(missing)}")
        if unexpected:
            problems.append(f"unexpected keys: {_shorten(unexpected)}")
        if problems:
            raise ValueError(f"{who}: state must have one entry per parameter, got "
                             + "; ".join(problems))
        # Every entry is checked before any is stored; the first one refused is named.
        numbers = {name: args.real(state[name], f"{who}: state[{name!r}]") for name in params}
        for name, p in params.items():
            p.data = numbers[name]

    def extra_repr(self) -> str:
        """What goes between the parentheses of ``repr``; subclasses override it."""
        return ""

    def __repr__(self) -> str:
        children = [(name, m) for name, m in _child_modules(self)]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        return "\n".join(lines) + "\n)"


def _refuse_dotted(module: Module, name: str, attr: Any) -> None:
    """Refuse an attribute named with a dot that holds parameters (its names could repeat)."""
    if isinstance(attr, Value):
        what = "a Value"
    elif isinstance(attr, Module):
        what = "a Module"
    elif isinstance(attr, (list, tuple)) and _holds_parameters(attr):
        what = f"a {type(attr).__name__} of parameters"
    else:
        return
    raise ValueError(f"{type(module).__name__}: the attribute {name!r} holds {what}, but a "
                     f"parameter name cannot contain '.' (the dots separate the parts of a "
                     f"name such as 'layers.0.w'); rename the attribute")


def _holds_parameters(items: list[Any] | tuple[Any, ...]) -> bool:
    """Does this list or tuple hold a Value or a Module, at any depth?"""
    stack: list[Any] = [items]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, (Value, Module)):
            return True
        if isinstance(item, (list, tuple)) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(item)
    return False


def _child_modules(module: Module) -> Iterator[tuple[str, Module]]:
    """The modules directly inside ``module``'s attributes (lists looked into)."""
    # An explicit stack (a nested generator calling itself would make a reference cycle
    # through its own closure, left for the cycle collector on every repr).
    stack = list(reversed(vars(module).items()))
    while stack:
        name, item = stack.pop()
        if isinstance(item, Module):
            yield name, item
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed([(f"{name}.{i}", e) for i, e in enumerate(item)]))


def _shorten(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
