"""check_answer: a number worked out by hand against the engine's, to 3 significant digits."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from engine import Value, check_answer
from engine.viz.answers import ZERO

# Beyond the band around 0 where every answer near 0 counts as 0 (tested on its own below).
NONZERO = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False).filter(
    lambda x: abs(x) >= 1e-6)


@given(NONZERO)
def test_the_expected_number_rounded_to_3_digits_is_right_and_one_unit_further_is_not(
        x: float) -> None:
    three = float(f"{x:.3g}")   # as a person writes it down
    unit = 10.0 ** (Decimal(repr(x)).adjusted() - 2)
    assert check_answer(three, x)
    assert not check_answer(three + math.copysign(1.5 * unit, x), x)
    assert not check_answer(-x, x)


def test_zero_is_right_for_what_rounding_left_of_zero_and_says_so() -> None:
    x = Value(1.0)
    y = x * 0.1 + x * 0.2 - x * 0.3
    y.backward()
    assert 0 < abs(x.grad) < ZERO
    verdict = check_answer(0, x.grad)
    assert verdict.right and "rounding" in repr(verdict)
    assert check_answer(0.0, 0.0) and not check_answer(1e-3, 0.0)


def test_what_a_notebook_shows_for_each_outcome() -> None:
    assert repr(check_answer(None, 2.0)) == ("Type your number in place of None, then run "
                                             "this cell again.")
    assert repr(check_answer(-0.749, -0.7487)) == "Right: -0.7487"
    assert repr(check_answer(-0.75, -0.7487)) == ("Not yet: -0.75 is not it. Check the formula "
                                                  "above and try again.")
    assert not check_answer(None, 2.0)
