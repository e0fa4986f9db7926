"""Every row of the table of operations: forward against math, backward against calculus.

The cases come from the registry in ``tests/strategies.py``; a meta-test makes sure that
every row of ``engine.ops.OPS`` is reached by at least one of them.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import assume, example, given, note
from hypothesis import strategies as st
from strategies import (
    CASES,
    HUGE,
    Case,
    central_difference,
    evaluate,
    fd_agrees,
    floats,
    tight,
)

from engine import OPS, Value, apply, grad, ops


def test_every_row_of_the_table_has_its_oracle_its_pytorch_twin_and_its_extremes() -> None:
    # A new row is declared once, in tests/strategies.py, with all three: its oracles
    # (reference and derivatives, checked by this file and test_higher_order.py), the same
    # operation in PyTorch (test_torch_ops.py) and its outcomes at the float limits
    # (test_extremes.py).
    for what, has in [("a test case", lambda case: True),
                      ("a PyTorch twin (torch=...)", lambda case: bool(case.torch)),
                      ("outcomes at the float limits (extremes=...)",
                       lambda case: bool(case.extremes))]:
        covered = {id(case.row) for case in CASES if has(case)}
        missing = [row.name for row in OPS if id(row) not in covered]
        assert missing == [], f"rows without {what} in tests/strategies.py: {missing}"


def test_every_registry_entry_names_a_row_of_the_table() -> None:
    rows = {id(row) for row in OPS}
    assert all(id(case.row) in rows for case in CASES)


def test_a_malformed_row_is_refused_when_it_is_made() -> None:
    with pytest.raises(ValueError, match=r"partials must be a tuple of str with 2 entries, got "
                                         r"1$"):
        ops.Rule("bad", "x, y", "x + y", "x + y", ("1.0",), ("1",), "+")
    with pytest.raises(ValueError, match="args must be"):
        ops.Rule("bad", "x, z", "x + z", "x + z", ("1.0",), ("1",), "+")


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_every_case_has_derivatives_to_third_order(case: Case) -> None:
    from strategies import multi_indices

    wanted = {idx for order in (1, 2, 3) for idx in multi_indices(case.arity, order)}
    assert set(case.d) == wanted


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_forward_matches_math(case: Case, data: st.DataObject) -> None:
    args = data.draw(case.domain, label="args")
    expected = evaluate(case.reference, args)
    leaves = [Value(a) for a in args[: case.arity]]
    if expected is None:
        # The exact result is beyond the largest float: an error, never inf.
        with pytest.raises(OverflowError, match=re.escape(case.row.name)):
            case.call(*leaves, *args[case.arity:])
        return
    try:
        out = case.call(*leaves, *args[case.arity:])
    except OverflowError:
        assert abs(expected[0]) > HUGE, "refused a result that fits in a float"
        return
    note(f"engine {out.data!r}, math {expected[0]!r}")
    assert type(out.data) is float and math.isfinite(out.data)
    assert tight(out.data, expected)
    # The node records its row, its inputs in order, and the constant.
    assert out.rule is case.row
    assert out.op == case.row.name
    assert out.inputs == tuple(leaves)
    if case.row.args == "x, c":
        assert out.param == float(args[1])
    else:
        assert out.param is None


def _first_order(case: Case, args: tuple[float, ...]) -> None:
    """backward against the analytic partials; an overflowing one must raise, not give inf."""
    leaves = [Value(a) for a in args[: case.arity]]
    try:
        out = case.call(*leaves, *args[case.arity:])
    except ArithmeticError:
        assume(False)
        return
    expected = [evaluate(case.d[(i,)], args) for i in range(case.arity)]
    note(f"analytic {expected}")
    try:
        out.backward()
    except ArithmeticError as error:
        note(str(error))
        assert any(e is None or abs(e[0]) > HUGE for e in expected), "refused a finite gradient"
        return
    assert out.grad == 1.0
    got = [leaf.grad for leaf in leaves]
    note(f"backward {got}")
    for g, e in zip(got, expected):
        assert math.isfinite(g)
        if e is None:
            assert abs(g) > HUGE
        else:
            assert tight(g, e, case.atol)
    # engine.grad gives the same numbers without touching .grad.
    assert grad(out, leaves) == got


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_backward_matches_the_analytic_derivative(case: Case, data: st.DataObject) -> None:
    _first_order(case, data.draw(case.domain, label="args"))


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_backward_matches_central_differences(case: Case, data: st.DataObject) -> None:
    args = data.draw(case.smooth, label="args")
    leaves, out = case.build(args)
    out.backward()
    for i, leaf in enumerate(leaves):

        def f(t: float, i: int = i) -> float:
            return case.forward([*args[:i], t, *args[i + 1:]])

        numeric, size = central_difference(f, args[i])
        note(f"input {i}: backward {leaf.grad!r}, central difference {numeric!r}")
        assert fd_agrees(leaf.grad, numeric, size)


# --- kinks: PyTorch's conventions, exactly --------------------------------------------------
@given(floats(-1e3, 1e3))
@example(0.0)
@example(-0.0)
def test_relu_derivative_is_exactly_the_step_with_zero_at_zero(x: float) -> None:
    v = Value(x)
    v.relu().backward()
    assert v.grad == (1.0 if x > 0 else 0.0)


KINKED = [case for case in CASES if case.kinks]


@pytest.mark.parametrize("case", KINKED, ids=repr)
@given(data=st.data())
def test_the_derivative_at_a_kink_is_the_registry_convention_exactly(
        case: Case, data: st.DataObject) -> None:
    args = data.draw(case.domain, label="args")
    for kink in case.kinks:
        at_kink = (kink, *args[1:])
        leaves, out = case.build(at_kink)
        out.backward()
        assert leaves[0].grad == case.d[(0,)](*at_kink)


def test_relu_at_zero() -> None:
    v = Value(0.0)
    y = v.relu()
    y.backward()
    assert (y.data, v.grad) == (0.0, 0.0)


def test_abs_at_zero() -> None:
    for zero in (0.0, -0.0):
        v = Value(zero)
        y = abs(v)
        y.backward()
        assert (y.data, v.grad) == (0.0, 0.0)


@given(floats(-1e3, 1e3))
@example(0.0)
def test_abs_derivative_is_exactly_the_sign(x: float) -> None:
    v = Value(x)
    abs(v).backward()
    assert v.grad == (1.0 if x > 0 else (-1.0 if x < 0 else 0.0))


@pytest.mark.parametrize("slope", [0.01, 0.2, 0.0, 1.0, -0.5, 3.0])
def test_leaky_relu_derivative_at_zero_is_the_slope(slope: float) -> None:
    v = Value(0.0)
    y = v.leaky_relu(slope)
    y.backward()
    assert (y.data, v.grad) == (0.0, slope)
    assert y.param == slope


def test_leaky_relu_default_slope_is_one_hundredth() -> None:
    v = Value(0.0)
    v.leaky_relu().backward()
    assert v.grad == 0.01
    w = Value(-2.0)
    y = w.leaky_relu()
    y.backward()
    assert (y.data, w.grad) == (-0.02, 0.01)


# --- which row each written form reaches -------------------------------------------------
FORMS = [
    ("x + y", lambda x, y: x + y, ops.ADD, None),
    ("x + 2", lambda x, y: x + 2, ops.ADD_C, 2.0),
    ("2 + x", lambda x, y: 2 + x, ops.ADD_C, 2.0),
    ("x - y", lambda x, y: x - y, ops.SUB, None),
    ("x - 2", lambda x, y: x - 2, ops.SUB_C, 2.0),
    ("2 - x", lambda x, y: 2 - x, ops.RSUB_C, 2.0),
    ("x * y", lambda x, y: x * y, ops.MUL, None),
    ("x * 2", lambda x, y: x * 2, ops.MUL_C, 2.0),
    ("2 * x", lambda x, y: 2 * x, ops.MUL_C, 2.0),
    ("x / y", lambda x, y: x / y, ops.DIV, None),
    ("x / 2", lambda x, y: x / 2, ops.DIV_C, 2.0),
    ("2 / x", lambda x, y: 2 / x, ops.RDIV_C, 2.0),
    ("x ** y", lambda x, y: x**y, ops.POW, None),
    ("x ** 2", lambda x, y: x**2, ops.POW_C, 2.0),
    ("2 ** x", lambda x, y: 2**x, ops.RPOW_C, 2.0),
    ("x ** 0.5", lambda x, y: x**0.5, ops.POW_C, 0.5),
    ("-x", lambda x, y: -x, ops.NEG, None),
    ("abs(x)", lambda x, y: abs(x), ops.ABS, None),
    ("leaky", lambda x, y: x.leaky_relu(0.1), ops.LEAKY, 0.1),
]


@pytest.mark.parametrize(("text", "form", "row", "param"), FORMS, ids=[f[0] for f in FORMS])
def test_each_written_form_reaches_its_row(text: str, form, row, param) -> None:  # type: ignore[no-untyped-def]
    x, y = Value(1.5, label="x"), Value(0.5, label="y")
    out = form(x, y)
    assert out.rule is row
    assert out.param == param
    assert out.inputs == ((x, y) if row.arity == 2 else (x,))


def test_numpy_scalars_on_either_side() -> None:
    np = pytest.importorskip("numpy")
    x = Value(3.0)
    right = x * np.float64(2.0)
    assert isinstance(right, Value)
    assert right.data == 6.0 and type(right.data) is float
    y = Value(np.int64(4))
    assert y.data == 4.0 and type(y.data) is float


def test_a_row_naming_something_it_cannot_call_is_refused_when_it_is_made() -> None:
    # Found at once, not as a NameError on the first node or the first backward pass.
    with pytest.raises(ValueError, match=r"Rule 'twice': partials reads tanhh, which is not"):
        ops.Rule("twice", "x", "2x", "2.0 * x", ("2.0 * tanhh(x)",), ("2",), "2x")
    with pytest.raises(ValueError, match=r"Rule 'yy': forward reads y, .*letters \(x\)"):
        ops.Rule("yy", "x", "x·y", "x * y", ("1.0",), ("1",), "xy")
    with pytest.raises(ValueError, match=r"partials reads __import__"):
        ops.Rule("sneaky", "x", "x", "x * 1.0", ("__import__('os')",), ("1",), "x")
    with pytest.raises(TypeError, match=r"Rule 'ck': check must be a function"):
        ops.Rule("ck", "x", "x", "x * 1.0", ("1.0",), ("1",), "x", check=5)


def test_the_functions_formulas_may_call_are_derived_from_the_rows_not_listed() -> None:
    # ON_FLOATS (what the compiler's code calls) holds exactly the names some row reads.
    letters = {"x", "y", "c", "out"}

    def names(texts: tuple[str, ...]) -> set[str]:
        return {name for text in texts
                for name in compile(text, "<row>", "eval").co_names} - letters

    assert set(ops.ON_FLOATS) - {"__builtins__"} == names(
        tuple(t for row in OPS for t in (row.forward, *row.partials)))
    assert set(ops.ON_VALUES) - {"__builtins__"} == names(
        tuple(t for row in OPS for t in row.partials))


def test_a_forward_may_call_any_function_of_math_and_a_partial_any_row() -> None:
    hyp = ops.Rule("hyp", "x", "cosh(x)", "cosh(x)", ("sinh(x)",), ("sinh(x)",), "cosh")
    x = Value(0.5)
    y = apply(hyp, x)
    assert y.data == math.cosh(0.5)
    y.backward()
    assert x.grad == math.sinh(0.5)   # on floats: math's sinh
    # On Values a partial is differentiated again, through the rows: sinh is none.
    with pytest.raises(ValueError, match=r"sinh: no row of the table is named 'sinh'"):
        y.backward(create_graph=True)


def test_a_row_may_use_tanh_and_sqrt_in_its_partials_to_any_order() -> None:
    # The partials run on Values too (create_graph): tanh and sqrt are there as methods.
    t2 = ops.Rule("t2", "x", "tanh(x)", "tanh(x)", ("1.0 - tanh(x) * tanh(x)",),
                  ("1 − tanh²(x)",), "t2")
    x = Value(0.5)
    (d1,) = grad(apply(t2, x), [x], create_graph=True)
    assert d1.data == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-15)
    assert grad(d1, [x])[0] == pytest.approx(-2 * math.tanh(0.5) * (1 - math.tanh(0.5) ** 2),
                                             rel=1e-14)


def test_defop_refuses_a_word_name_the_table_has() -> None:
    before = list(OPS)
    with pytest.raises(ValueError, match="defop: a row named 'tanh' exists already"):
        ops.defop("tanh", "x", "2x", "2.0 * x", ("2.0",), ("2",))
    assert before == OPS
