"""engine.args: every checker against every hostile value of its kind, once.

The entry points of engine and nn only say which checker each argument goes to (see
``test_entry_points.py``); what a checker accepts and how it words a refusal is tested
here: the grammar ``{where} must be {kind}, got {value}``, TypeError for the wrong kind,
ValueError for a wrong value of the right kind, and messages that never lie about a type.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hostile import FLAGS, NON_FINITE, NOT_FLAGS, NOT_LISTS, NOT_NUMBERS, NOT_WHOLE, NUMBERS, WHOLE

from engine import Value, args

WHERE = "f: x"


def grammar(kind: str, got: str = ".+") -> str:
    """The message of a refusal, as a regular expression."""
    return rf"^f: x must be {re.escape(kind)}, got {got}"


# --- numbers --------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "bad"), NOT_NUMBERS, ids=[n for n, _ in NOT_NUMBERS])
def test_real_refuses_what_is_not_a_number_by_type(name: str, bad: Any) -> None:
    with pytest.raises(TypeError, match=grammar("a finite number")):
        args.real(bad, WHERE)
    assert not args.is_number(bad)


@pytest.mark.parametrize(("name", "bad"), NON_FINITE, ids=[n for n, _ in NON_FINITE])
def test_real_refuses_a_number_that_is_not_finite_by_value(name: str, bad: Any) -> None:
    with pytest.raises(ValueError, match=grammar("a finite number")):
        args.real(bad, WHERE)
    assert args.is_number(bad)


@pytest.mark.parametrize(("name", "good", "number"), NUMBERS, ids=[n for n, *_ in NUMBERS])
def test_real_takes_every_kind_of_number_as_the_float_it_stands_for(
        name: str, good: Any, number: float) -> None:
    got = args.real(good, WHERE)
    assert type(got) is float and got == number and math.copysign(1, got) == math.copysign(
        1, number)


def test_an_int_beyond_the_largest_float_is_named_by_its_length() -> None:
    with pytest.raises(ValueError, match=r"^f: x must be a finite number, got an int of 401 "
                                         r"digits$"):
        args.real(10**400, WHERE)
    with pytest.raises(ValueError, match=r"got an int of 5000 digits"):
        args.real(10**4999 * 7, WHERE)   # (beyond the length Python turns into text)


@pytest.mark.parametrize(("low", "high", "low_open", "high_open", "bad", "kind"), [
    (0, None, False, False, -1e-300, "a finite number >= 0"),
    (0, None, True, False, 0.0, "a finite number > 0"),
    (None, 1, False, True, 1.0, "a finite number < 1"),
    (0, 1, False, True, 1.0, "a finite number in [0, 1)"),
    (0, 1, True, False, 0, "a finite number in (0, 1]"),
])
def test_real_ranges_say_their_bounds(low: Any, high: Any, low_open: bool, high_open: bool,
                                      bad: float, kind: str) -> None:
    with pytest.raises(ValueError, match=grammar(kind)):
        args.real(bad, WHERE, low=low, high=high, low_open=low_open, high_open=high_open)
    with pytest.raises(TypeError, match=grammar(kind)):
        args.real("a", WHERE, low=low, high=high, low_open=low_open, high_open=high_open)


def test_a_value_given_for_a_number_says_where_its_number_is() -> None:
    with pytest.raises(TypeError, match=r"got Value\(data=2, grad=0\) \(use \.data for its "
                                        r"number\)$"):
        args.real(Value(2.0), WHERE)


# --- whole numbers ----------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "bad"), NOT_WHOLE, ids=[n for n, _ in NOT_WHOLE])
def test_whole_refuses_what_is_not_a_whole_number_by_type(name: str, bad: Any) -> None:
    with pytest.raises(TypeError, match=grammar("a whole number >= 1")):
        args.whole(bad, WHERE, low=1)


@pytest.mark.parametrize(("name", "good", "number"), WHOLE, ids=[n for n, *_ in WHOLE])
def test_whole_takes_numpy_integers_as_ints(name: str, good: Any, number: int) -> None:
    got = args.whole(good, WHERE, low=1, high=10**400)
    assert type(got) is int and got == number


@pytest.mark.parametrize(("bad", "kind"), [(0, ">= 1"), (np.int64(0), ">= 1"), (18, "in [1, 17]")])
def test_whole_refuses_a_whole_number_out_of_range_by_value(bad: Any, kind: str) -> None:
    high = 17 if "17" in kind else None
    with pytest.raises(ValueError, match=grammar(f"a whole number {kind}")):
        args.whole(bad, WHERE, low=1, high=high)


def test_seed_is_none_or_a_whole_number() -> None:
    assert args.seed(None, WHERE) is None and args.seed(np.int64(3), WHERE) == 3
    for _, bad in NOT_WHOLE:
        if bad is not None:
            with pytest.raises(TypeError, match=grammar("None or a whole number")):
                args.seed(bad, WHERE)


# --- flags ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "bad"), NOT_FLAGS, ids=[n for n, _ in NOT_FLAGS])
def test_flag_refuses_anything_but_true_or_false(name: str, bad: Any) -> None:
    with pytest.raises(TypeError, match=grammar("True or False")):
        args.flag(bad, WHERE)


@pytest.mark.parametrize(("name", "good", "value"), FLAGS, ids=[n for n, *_ in FLAGS])
def test_flag_takes_python_and_numpy_bools(name: str, good: Any, value: bool) -> None:
    assert args.flag(good, WHERE) is value


# --- the messages never lie about a type ------------------------------------------------------
@pytest.mark.parametrize(("value", "shown"), [
    (np.bool_(True), "numpy.bool True"), (True, "bool True"), (np.float64(2.0), "2.0"),
    (np.int64(3), "3"), ("3", "str '3'"), (None, "None"), (np.array([1.0, 2.0]),
                                                            "numpy.ndarray of shape (2,)"),
    (np.array("a"), "a 0-d numpy.ndarray of dtype '<U1'"), (10**400, "an int of 401 digits"),
    (Value(2.0), "Value(data=2, grad=0)"), (len, "the function len"),
    ("x" * 100, "str '" + "x" * 38 + "…"),
])
def test_describe_names_numpy_types_as_numpys_and_keeps_messages_short(value: Any,
                                                                        shown: str) -> None:
    text = args.describe(value) if not args.is_number(value) or type(value) is int \
        else str(value)
    assert text == shown


def test_a_numpy_bool_is_never_called_a_python_bool_in_a_refusal() -> None:
    for check in (lambda v: args.real(v, WHERE), lambda v: args.whole(v, WHERE)):
        with pytest.raises(TypeError) as caught:
            check(np.bool_(False))
        assert str(caught.value).endswith("got numpy.bool False")


# --- the other kinds ------------------------------------------------------------------------
def test_choice_lists_the_options() -> None:
    assert args.choice("b", WHERE, ["a", "b"]) == "b"
    with pytest.raises(ValueError, match=grammar("one of 'a', 'b'", "'B'$")):
        args.choice("B", WHERE, ["a", "b"])
    with pytest.raises(TypeError, match=grammar("one of 'a', 'b'", "int 1$")):
        args.choice(1, WHERE, ["a", "b"])


def test_instance_names_the_class_with_its_article() -> None:
    v = Value(1.0)
    assert args.instance(v, WHERE, Value) is v
    with pytest.raises(TypeError, match=grammar("a Value", "float 1.0$")):
        args.instance(1.0, WHERE, Value)
    with pytest.raises(TypeError, match=grammar("an int")):
        args.instance(1.0, WHERE, int)


def test_scalar_keeps_values_and_checks_numbers() -> None:
    v = Value(1.0)
    assert args.scalar(v, WHERE, Value) is v
    assert args.scalar(np.int64(2), WHERE, Value) == 2.0
    kept = np.float32(0.25)
    assert args.scalar(kept, WHERE, Value, keep=True) is kept   # (a traced number stays one)
    with pytest.raises(TypeError, match=grammar("a number or a Value")):
        args.scalar("a", WHERE, Value)
    with pytest.raises(ValueError, match=grammar("a finite number")):
        args.scalar(math.nan, WHERE, Value, keep=True)


@pytest.mark.parametrize(("name", "bad"), NOT_LISTS, ids=[n for n, _ in NOT_LISTS])
def test_items_refuses_what_is_not_a_list(name: str, bad: Any) -> None:
    with pytest.raises(TypeError, match=grammar("a list of numbers")):
        args.items(bad, WHERE, args.real, kind="a list of numbers")


def test_items_checks_each_entry_by_its_place_its_length_and_emptiness() -> None:
    assert args.items((1, np.float32(0.5)), WHERE, args.real) == [1.0, 0.5]
    assert args.items(np.array([1, 2]), WHERE, args.real, n=2) == [1.0, 2.0]
    with pytest.raises(TypeError, match=r"^f: x\[1\] must be a finite number, got str 'a'$"):
        args.items([1, "a"], WHERE, args.real)
    with pytest.raises(ValueError, match=grammar("a list with 3 entries", "2$")):
        args.items([1, 2], WHERE, args.real, n=3)
    with pytest.raises(ValueError, match=grammar("a list with at least one entry")):
        args.items([], WHERE, args.real)
    assert args.items([], WHERE, args.real, empty=True) == []


def test_function_checks_callability_and_the_number_of_arguments() -> None:
    assert args.function(max, WHERE, 2) is max   # a builtin without a signature: let it be
    with pytest.raises(TypeError, match=grammar("a function", "str 'f'$")):
        args.function("f", WHERE)
    with pytest.raises(TypeError, match=r"^f: x cannot be called as f\(a, b\): "):
        args.function(lambda a: a, WHERE, 2, "as f(a, b)")
    assert args.function(lambda *a: a, WHERE, 5)


def test_text_refuses_non_strings_and_lone_surrogates() -> None:
    assert args.text("é ∂ ✓", WHERE) == "é ∂ ✓"
    with pytest.raises(TypeError, match=grammar("a str", "bytes b'x'$")):
        args.text(b"x", WHERE)
    with pytest.raises(ValueError, match=grammar("a str without lone surrogates")):
        args.text("x\ud800", WHERE)


def test_out_path_refuses_what_cannot_be_written_before_any_work(tmp_path: Path) -> None:
    assert args.out_path(tmp_path / "a.html", WHERE) == tmp_path / "a.html"
    assert args.out_path(str(tmp_path / "a.html"), WHERE) == tmp_path / "a.html"
    for bad, error in [(3, TypeError), (b"a.html", TypeError), ("", ValueError),
                       ("a\0b", ValueError), (str(tmp_path), IsADirectoryError),
                       (str(tmp_path / "missing" / "a.html"), FileNotFoundError)]:
        with pytest.raises(error, match=r"^f: x must be "):
            args.out_path(bad, WHERE)
