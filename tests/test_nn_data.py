"""batches: every index exactly once, the right sizes, reproducible shuffles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn import batches

sizes = st.one_of(st.none(), st.integers(1, 40))


@given(st.integers(0, 200), sizes, st.booleans(), st.integers(0, 2**32))
def test_batches_cover_every_index_once(n: int, batch_size: int | None, shuffle: bool,
                                        seed: int) -> None:
    result = batches(n, batch_size, shuffle=shuffle, seed=seed)
    flat = [i for batch in result for i in batch]
    assert sorted(flat) == list(range(n))
    size = n if batch_size is None else batch_size
    assert len(result) == (0 if n == 0 else -(-n // size))        # ceil(n / size)
    assert all(len(batch) == size for batch in result[:-1])
    assert all(1 <= len(batch) <= size for batch in result)
    if not shuffle:
        assert flat == list(range(n))


def test_the_three_flavours_of_gradient_descent() -> None:
    assert batches(6, shuffle=False) == [[0, 1, 2, 3, 4, 5]]                 # batch
    assert batches(3, 1, shuffle=False) == [[0], [1], [2]]                  # stochastic
    assert batches(7, 3, shuffle=False) == [[0, 1, 2], [3, 4, 5], [6]]      # mini-batch
    assert batches(3, 10, shuffle=False) == [[0, 1, 2]]                     # one short batch


@given(st.integers(2, 100), sizes, st.integers(0, 2**32))
def test_the_same_seed_gives_the_same_batches(n: int, batch_size: int | None,
                                              seed: int) -> None:
    assert batches(n, batch_size, seed=seed) == batches(n, batch_size, seed=seed)


def test_shuffling_changes_the_order_and_seeds_differ() -> None:
    orders = {tuple(batches(50, seed=s)[0]) for s in range(10)}
    assert len(orders) == 10
    assert batches(50, seed=0)[0] != list(range(50))


def test_no_seed_gives_fresh_orders() -> None:
    assert len({tuple(batches(50)[0]) for _ in range(5)}) > 1

def test_numpy_numbers_are_accepted() -> None:
    np = pytest.importorskip("numpy")
    assert batches(np.int64(5), np.int32(2), shuffle=np.bool_(True), seed=np.int64(3)) == \
        batches(5, 2, shuffle=True, seed=3)
    assert batches(np.array(3), shuffle=False) == [[0, 1, 2]]
