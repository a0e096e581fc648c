"""Project hook that lets Kedro's ParallelRunner run this project's catalog.

Register in ``settings.py``: ``HOOKS = (MultiprocessRunHooks(),)`` from ``ser_generalize.runners.hooks``.
"""

from __future__ import annotations

import logging
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import MemoryDataset, SharedMemoryDataCatalog, SharedMemoryDataset
from kedro.pipeline import Pipeline

from .pickling import register_by_value_pickling

logger = logging.getLogger(__name__)


class MultiprocessRunHooks:
    """Picklable MlflowArtifactDatasets and shared declared MemoryDatasets, so ParallelRunner runs this catalog.

    MLflow needs nothing more with ParallelRunner's default ``fork`` start method on Linux: each child
    inherits kedro-mlflow's hook with the open run's id and reopens that run before its node. Under
    ``spawn`` no project hook runs in the children; ``runners.ParallelRunner`` and DaskRunner carry the run
    state to their workers themselves (``mlflow_context``).
    """

    @hook_impl
    def after_catalog_created(self, catalog: Any) -> None:
        names = register_by_value_pickling(dataset for _, dataset in catalog.items())
        if names:
            logger.debug("Datasets pickled by value for multi-process runners: %s", sorted(set(names)))

    @hook_impl
    def before_pipeline_run(self, pipeline: Pipeline, catalog: Any) -> None:
        """Under ParallelRunner, share the node outputs the catalog declares as plain MemoryDatasets.

        Kedro shares only its default in-memory datasets between ParallelRunner's processes. A declared
        one (``{corpus}.cross_corpus_features: MemoryDataset``) is filled in the child that ran its producer
        and stays empty everywhere else: its reader then got a bare ``object`` (MemoryDataset's
        empty-marker after a pickle round trip) and failed with "'object' object has no attribute 'utt_ids'".
        """
        if not isinstance(catalog, SharedMemoryDataCatalog):
            return  # the catalog class Kedro picks for ParallelRunner only
        produced = {name for node in pipeline.nodes for name in node.outputs}
        shared = []
        for name in sorted(produced):
            dataset = catalog.get(name)
            if type(dataset) is MemoryDataset:
                catalog[name] = SharedMemoryDataset()
                shared.append(name)
        if shared:
            logger.info("ParallelRunner: sharing declared in-memory datasets between processes: %s", shared)
