"""engine.compile given what no trace can take (moved from the engine's hostile table; the
compiler is being rebuilt, and this file goes with it)."""

from __future__ import annotations

import pytest

import engine
from engine import Value


def test_a_torch_scalar_tensor_input_is_refused_by_name() -> None:
    torch = pytest.importorskip("torch")
    v = Value(1.0)
    with pytest.raises(TypeError, match=r"^compile: input 0 must be a finite number, got a "
                                        r"0-d torch\.Tensor"):
        engine.compile(lambda x: v * x, torch.tensor(2.0))
