"""nn.fit given hostile input.

- A bad sample or target is reported as ``fit: inputs[i][j]`` / ``fit: targets[i]``, the
  place in the user's own lists, the same with ``compile=True`` as without (not the place
  in a shuffled batch, nor the name of a private call).
- ``progress`` must be True or False; ``correct`` must return True or False.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hostile import POINTS, SIGNS, small_fit

import nn
from engine import Value

np = pytest.importorskip("numpy")

X, Y, _fit = POINTS, SIGNS, small_fit


def _with(rows: list[Any], i: int, j: int | None, value: Any) -> list[Any]:
    out = [list(r) if isinstance(r, list) else r for r in rows]
    if j is None:
        out[i] = value
    else:
        out[i][j] = value
    return out


# --- fit: bad data are named by their place in the user's lists --------------------------

DATA_CASES: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("nan input", {"inputs": _with(X, 0, 0, math.nan)}, ValueError,
     r"fit: inputs\[0\]\[0\] must be a finite number, got nan"),
    ("inf input", {"inputs": _with(X, 2, 1, math.inf)}, ValueError,
     r"fit: inputs\[2\]\[1\] must be a finite number, got inf"),
    ("str input", {"inputs": _with(X, 1, 1, "0.5")}, TypeError,
     r"fit: inputs\[1\]\[1\] must be a number or a Value, got str"),
    ("None input", {"inputs": _with(X, 3, 0, None)}, TypeError,
     r"fit: inputs\[3\]\[0\] must be a number or a Value, got None"),
    ("bool input", {"inputs": _with(X, 3, 0, True)}, TypeError,
     r"fit: inputs\[3\]\[0\] must be a number or a Value, got bool"),
    ("dict sample", {"inputs": _with(X, 1, None, {"a": 1.0})}, TypeError,
     r"fit: inputs\[1\] must be a number, a Value or a list of them, got dict"),
    ("nan target", {"targets": _with(Y, 2, None, math.nan)}, ValueError,
     r"fit: targets\[2\] must be a finite number, got nan"),
    ("str target", {"targets": _with(Y, 1, None, "1")}, TypeError,
     r"fit: targets\[1\] must be a number or a Value, got str"),
    ("np.nan in an array", {"inputs": np.array(_with(X, 3, 1, math.nan))}, ValueError,
     r"fit: inputs\[3\]\[1\] must be a finite number, got nan"),
    ("np.bool_ target", {"targets": np.array([True, False, True, True])}, TypeError,
     r"fit: targets\[0\] must be a number or a Value, got numpy.bool"),
]


@pytest.mark.parametrize("compile", [False, True])
@pytest.mark.parametrize(("kwargs", "error", "match"),
                         [pytest.param(k, e, m, id=name) for name, k, e, m in DATA_CASES])
def test_fit_names_bad_data_by_their_place_in_the_users_lists(
        kwargs: dict[str, Any], error: type[Exception], match: str, compile: bool) -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(error, match=match):
        _fit(model=model, optimizer=nn.SGD(model.parameters(), lr=0.1), compile=compile,
             batch_size=2, **kwargs)
    assert [p.data for p in model.parameters()] == before   # refused before any step


def test_fit_still_accepts_values_numpy_numbers_and_nested_targets() -> None:
    xs = [[Value(0.0), np.float32(1.0)], np.array([1.0, 0.0]), (0, -1), [np.int64(-1), 0.0]]
    assert len(_fit(inputs=xs, epochs=2)["loss"]) == 2
    model = nn.MLP(2, [2, 2], seed=0)
    rows = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]
    history = nn.fit(model, X, rows,
                     lambda ps, ts: nn.mse_loss([p for r in ps for p in r],
                                                [t for r in ts for t in r]),
                     nn.SGD(model.parameters(), lr=0.1), progress=False, correct=None)
    assert len(history["loss"]) == 1


# --- NumPy's bool is a flag wherever fit asks for one ---------------------------------------

@pytest.mark.parametrize("flag", ["shuffle", "compile", "progress"])
def test_a_numpy_bool_flag_trains_as_the_python_bool(small_fit: Any, flag: str) -> None:
    for value in (True, False):
        assert small_fit(**{flag: np.bool_(value)}) == small_fit(**{flag: value})


def test_correct_may_return_a_numpy_bool(small_fit: Any) -> None:
    history = small_fit(correct=lambda p, t: np.float64(p.data) * t > -1e9)
    assert history["accuracy"] == [1.0]
    history = small_fit(correct=lambda p, t: False)
    assert history["accuracy"] == [0.0]


@pytest.mark.parametrize("compile", [False, True])
def test_an_error_of_the_loss_names_the_samples_of_its_batch(compile: bool) -> None:
    # cross_entropy counts rows of the batch; the user counts places in their lists.
    model = nn.MLP(2, [3, 3], seed=0)
    X = [[0.1 * i, -0.1 * i] for i in range(10)]
    y = [0, 1, 2, 0, 1, 2, 0, 1, 2, 3]   # targets[9] is out of range
    with pytest.raises(ValueError, match=r"^fit: epoch 0, the batch of samples \[8, 9\] "
                                         r"\(its row k is the k-th of these\): cross_entropy: "
                                         r"class_indices\[1\] must be a whole number in "
                                         r"\[0, 2\], got 3$"):
        nn.fit(model, X, y, nn.cross_entropy, nn.SGD(model.parameters(), lr=0.1),
               batch_size=4, shuffle=False, progress=False, compile=compile)


@pytest.mark.parametrize("compile", [False, True])
def test_a_float_class_index_is_named_float_with_or_without_compile(compile: bool) -> None:
    model = nn.MLP(2, [3, 3], seed=0)
    with pytest.raises(TypeError, match=r"class_indices\[0\] must be a whole number in "
                                        r"\[0, 2\], got float 0\.0"):
        nn.fit(model, [[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0], nn.cross_entropy,
               nn.SGD(model.parameters(), lr=0.1), shuffle=False, progress=False,
               compile=compile)
