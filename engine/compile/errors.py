"""What ``engine.compile`` raises and warns, and how its messages name a type."""

from __future__ import annotations

from typing import Any

__all__ = ["CompileError", "CompileWarning", "kind"]


class CompileError(ValueError):
    """``fn`` cannot be compiled as asked, or ``check`` found a difference."""


class CompileWarning(UserWarning):
    """The step runs the normal engine for some calls, or holds for some numbers only:
    the message says what the trace could not follow, and where."""


def kind(x: Any) -> str:
    """The type named in messages: a traced number is named as the number it stands for."""
    return f"a number ({x.__class__.__name__})" if isinstance(x, (int, float)) else (
        x.__class__.__name__)
