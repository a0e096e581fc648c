"""Deterministic use of audiomentations, whose transforms draw from Python's ``random`` and NumPy's global RNG."""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterator

import numpy as np

_GLOBAL_RNG_LOCK = threading.RLock()


def child_seed(rng: np.random.Generator) -> int:
    """A 32-bit seed drawn from ``rng`` (what ``random.seed`` and ``np.random.seed`` accept)."""
    return int(rng.integers(0, 2**32 - 1, dtype=np.uint64))


@contextlib.contextmanager
def seeded_globals(seed: int) -> Iterator[None]:
    """Seed ``random`` and ``np.random`` for the block, then restore their state.

    A lock serialises blocks across threads, so concurrent chains never interleave draws
    from the shared global generators, and code outside the block sees its RNG untouched.
    """
    with _GLOBAL_RNG_LOCK:
        py_state = random.getstate()
        np_state = np.random.get_state()
        random.seed(seed)
        np.random.seed(seed % 2**32)
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
