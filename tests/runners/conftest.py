"""A Dask cluster shared by the runner tests that point the runner at a scheduler address."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def cluster():
    """A running 1-worker, 1-thread process cluster; the tests reach it only through its address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster
