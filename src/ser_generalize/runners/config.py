"""Where the DaskRunner finds its cluster: runner arguments, then environment variables, then defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass

SCHEDULER_ENV = "SER_DASK_SCHEDULER"
WORKERS_ENV = "SER_DASK_WORKERS"
THREADS_ENV = "SER_DASK_THREADS_PER_WORKER"


@dataclass(frozen=True)
class DaskSettings:
    """A scheduler address to connect to, or the shape of the LocalCluster to start when there is none."""

    scheduler: str | None = None
    n_workers: int = 2
    threads_per_worker: int = 1


def _positive_int(value: str | int, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive integer, got {value!r}") from None
    if number < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return number


def resolve_settings(
    scheduler: str | None = None, n_workers: int | None = None, threads_per_worker: int | None = None
) -> DaskSettings:
    """Arguments (``kedro run --runner-params``) win over ``SER_DASK_*`` variables, which win over defaults."""
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    workers = n_workers if n_workers is not None else os.environ.get(WORKERS_ENV) or DaskSettings.n_workers
    threads = (
        threads_per_worker
        if threads_per_worker is not None
        else os.environ.get(THREADS_ENV) or DaskSettings.threads_per_worker
    )
    return DaskSettings(
        scheduler=str(address).strip() or None if address else None,
        n_workers=_positive_int(workers, f"n_workers ({WORKERS_ENV})"),
        threads_per_worker=_positive_int(threads, f"threads_per_worker ({THREADS_ENV})"),
    )
