"""A first check of the engine's contract; the full suites live beside this file."""

from engine import Value


def test_second_backward_doubles_every_grad_including_interior() -> None:
    a = Value(2.0)
    b = a * a
    c = b + a
    c.backward()
    first = (a.grad, b.grad, c.grad)
    c.backward()
    assert (a.grad, b.grad, c.grad) == tuple(2 * g for g in first)
    assert first == (5.0, 1.0, 1.0)
