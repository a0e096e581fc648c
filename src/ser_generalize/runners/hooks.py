"""Project hook that lets Kedro's ParallelRunner run this project's catalog (kedro-mlflow artifact datasets).

Register in ``settings.py``: ``HOOKS = (MultiprocessRunHooks(),)`` from ``ser_generalize.runners.hooks``.
"""

from __future__ import annotations

import logging
from typing import Any

from kedro.framework.hooks import hook_impl

from .pickling import register_by_value_pickling

logger = logging.getLogger(__name__)


class MultiprocessRunHooks:
    """Make datasets whose class is built at run time (MlflowArtifactDataset) picklable for ParallelRunner.

    MLflow needs nothing more with ParallelRunner's default ``fork`` start method on Linux: each child
    inherits kedro-mlflow's hook with the open run's id and reopens that run before its node. DaskRunner
    carries the run state to its workers itself (``mlflow_context``).
    """

    @hook_impl
    def after_catalog_created(self, catalog: Any) -> None:
        names = register_by_value_pickling(dataset for _, dataset in catalog.items())
        if names:
            logger.debug("Datasets pickled by value for multi-process runners: %s", sorted(set(names)))
