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
from typing import Any

from nn._checks import count, flag
from nn._checks import seed as check_seed

__all__ = ["batches"]


def check_shuffle(who: str, shuffle: Any) -> bool:
    """``shuffle`` as a bool (NumPy's bool too); anything else raises naming ``who``."""
    return flag(who, "shuffle", shuffle)


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
    n = count("batches", "n", n, 0)
    size = n if batch_size is None else count("batches", "batch_size", batch_size, 1)
    shuffle = check_shuffle("batches", shuffle)
    seed = check_seed("batches", seed)
    order = list(range(n))
    if shuffle:
        random.Random(seed).shuffle(order)
    return [order[i:i + size] for i in range(0, n, max(size, 1))]
