"""``prefixed``: an error raised inside a block names the function the user called.

The engine's own errors name the operation that failed (``log: expected x > 0, got x =
-1``). When that operation ran inside something the user called (``grad``, a loss, a
model's forward pass, ``fit``), the message should say that too, and where inside it:
``mse_loss: sample 3: *: the result overflows a float (...)``. Every such place uses this
one helper, so that the rules are the same everywhere:

- the error is raised again as the **same type**, with ``where: `` put before its message,
  and chained to the original (``from err``: the traceback shows both);
- a message that already names the function (it starts with ``where``'s part before the
  first ``:``, such as ``fit:``) goes through unchanged: it was written for the user;
- ``replacing`` names inner functions whose prefix is replaced rather than kept
  (``hessian`` calls ``grad``: its errors say ``hessian:``, not ``hessian: grad:``);
- the one fallback: an exception type that cannot be made from one message (its
  constructor wants other arguments) goes through unchanged.

:func:`written` is the same rule for the one other kind of error a user meets from
stepgrad: a file that cannot be written names the function and the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType

__all__ = ["prefixed", "written"]

Kinds = tuple[type[BaseException], ...]


class prefixed:
    """A block whose errors of the given kinds name ``where``.

    Args:
        where: what to put before the message, such as ``"grad"`` or
            ``"mse_loss: sample 3"``.
        kinds: the exception types renamed (default: arithmetic and domain errors, the
            errors of the engine's operations).
        replacing: names of inner functions whose own prefix is replaced.

    Examples:
        >>> from engine import Value
        >>> with prefixed("my_loss: sample 2"):
        ...     Value(-1.0).log()
        Traceback (most recent call last):
        ValueError: my_loss: sample 2: log: expected x > 0, got x = -1
        >>> with prefixed("hessian", replacing=("grad",)):
        ...     raise OverflowError("grad: the gradient overflows")
        Traceback (most recent call last):
        OverflowError: hessian: the gradient overflows
    """

    __slots__ = ("where", "kinds", "replacing", "_own")

    def __init__(self, where: str, kinds: Kinds = (ArithmeticError, ValueError),
                 replacing: tuple[str, ...] = ()) -> None:
        self.where = where
        self.kinds = kinds
        self.replacing = tuple(f"{name}: " for name in replacing)
        self._own = where.split(":", 1)[0] + ":"

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> None:
        if err is None or not isinstance(err, self.kinds):
            return
        text = str(err)
        if text.startswith(self._own):
            return
        for inner in self.replacing:
            if text.startswith(inner):
                text = text[len(inner):]
                break
        try:
            renamed = type(err)(f"{self.where}: {text}")
        except Exception:   # a type that wants other constructor arguments: leave it be
            return
        raise renamed from err


def written(where: str, path: Path, write: Callable[[Path], object]) -> Path:
    """``write(path)``, then ``path``; an error of the file system raised again, the same
    type, naming ``where`` and the file.

    An ``OSError`` that does not come from the file system (no ``errno``: an image
    encoder's, say) goes through unchanged.

    Examples:
        >>> written("Stepper.save_html", Path("/no/a.html"), lambda p: p.write_text("x"))
        Traceback (most recent call last):
        FileNotFoundError: Stepper.save_html: cannot write '/no/a.html': No such file or directory
    """
    try:
        write(path)
    except OSError as err:
        if err.errno is None:
            raise
        raise type(err)(f"{where}: cannot write {str(path)!r}: {err.strerror or err}") from err
    return path
