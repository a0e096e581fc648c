"""Project hooks that make multi-process runners (ParallelRunner, DaskRunner) work with kedro-mlflow.

Register in ``settings.py``: ``HOOKS = (MultiprocessRunHooks(),)`` from ``ser_generalize.runners.hooks``.
"""

from __future__ import annotations

import logging
from typing import Any

from kedro.framework.hooks import hook_impl

from . import mlflow_context
from .pickling import register_by_value_pickling

logger = logging.getLogger(__name__)


class MultiprocessRunHooks:
    """Picklable artifact datasets, and the driver's MLflow run handed to spawned worker processes."""

    def __init__(self) -> None:
        self._saved_env: dict[str, str | None] | None = None

    @hook_impl
    def after_catalog_created(self, catalog: Any) -> None:
        """Register by-value pickling for datasets whose class is made at run time (MlflowArtifactDataset)."""
        names = register_by_value_pickling(dataset for _, dataset in catalog.items())
        if names:
            logger.debug("Datasets pickled by value for multi-process runners: %s", sorted(set(names)))

    @hook_impl
    def before_pipeline_run(self) -> None:
        """Export the active kedro-mlflow state (kedro-mlflow's own hook has run by now) for spawned children."""
        self._saved_env = mlflow_context.environment_snapshot()
        mlflow_context.export_to_environment(mlflow_context.capture())

    @hook_impl(tryfirst=True)
    def before_node_run(self) -> None:
        """In a spawned child, restore the driver's MLflow state before kedro-mlflow's node hook logs params."""
        mlflow_context.apply(mlflow_context.from_environment())

    @hook_impl
    def after_pipeline_run(self) -> None:
        self._restore_env()

    @hook_impl
    def on_pipeline_error(self) -> None:
        self._restore_env()

    def _restore_env(self) -> None:
        if self._saved_env is not None:
            mlflow_context.clear_environment(self._saved_env)
            self._saved_env = None
