"""Guards on the test harness itself: settings whose absence only shows up as a rare CI crash."""

from __future__ import annotations

import os


def test_numba_cache_is_private_to_this_test_worker() -> None:
    """numba must have read the per-worker cache dir (set in conftest) rather than the shared site-packages one."""
    import librosa  # noqa: F401  (imports numba the way the code under test does)
    import numba

    assert numba.config.CACHE_DIR == os.environ["NUMBA_CACHE_DIR"]
    assert numba.config.CACHE_DIR.endswith(os.environ.get("PYTEST_XDIST_WORKER", "main"))
