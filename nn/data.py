"""``batches``: which samples each gradient step looks at.

One epoch is one pass over all n samples. How they are grouped decides the flavour of
gradient descent:

- batch (``batch_size=None``): one step per epoch, on the mean loss of all n samples;
- stochastic (``batch_size=1``): n steps per epoch, one sample each;
- mini-batch (``batch_size=k``): about n/k steps per epoch, k samples each (the last
  batch holds what is left).
"""

from __future__ import annotations

import random

from engine import args

__all__ = ["batches"]


def batches(n: int, batch_size: int | None = None, shuffle: bool = True,
            seed: int | None = None) -> list[list[int]]:
    """Split the indices 0 … n−1 into batches that cover each index exactly once.

    Args:
        n: the number of samples.
        batch_size: samples per batch; ``None`` puts all of them in one batch.
        shuffle: visit the samples in a random order (drawn from ``random.Random(seed)``).
        seed: makes the order reproducible; ``None`` gives a new order each call.

    Examples:
        >>> batches(5, batch_size=2, shuffle=False)
        [[0, 1], [2, 3], [4]]
        >>> batches(4, shuffle=False)          # full batch
        [[0, 1, 2, 3]]
        >>> batches(5, batch_size=2, seed=0) == batches(5, batch_size=2, seed=0)
        True
    """
    n = args.whole(n, "batches: n", low=0)
    size = n if batch_size is None else args.whole(batch_size, "batches: batch_size", low=1)
    shuffle = args.flag(shuffle, "batches: shuffle")
    seed = args.seed(seed, "batches: seed")
    order = list(range(n))
    if shuffle:
        random.Random(seed).shuffle(order)
    return [order[i:i + size] for i in range(0, n, max(size, 1))]
