"""Register the project's pipelines; analysis pipelines are composed with ingestion so one command runs end to end."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

from ser_generalize.pipelines.ingestion import create_pipeline as create_ingestion_pipeline

NEEDS_MANIFESTS = ("profiling", "augmentation", "cross_corpus", "balancing", "scramble_ablation", "training",
                   "factor_sweep")
"""Pipelines that read manifests: ingestion (cheap, and idempotent) is prepended so each runs from raw data."""


def register_pipelines() -> dict[str, Pipeline]:
    """Discover every ``pipelines/<name>`` package and compose the analysis pipelines with ingestion.

    ``kedro run --pipeline=X`` makes ``find_pipelines`` load only X, so ingestion is built
    here explicitly rather than taken from the discovered mapping.
    """
    pipelines = find_pipelines(raise_errors=True)
    ingestion = create_ingestion_pipeline()
    pipelines["ingestion"] = ingestion
    for name in NEEDS_MANIFESTS:
        if name in pipelines:
            pipelines[name] = ingestion + pipelines[name]
    pipelines["__default__"] = pipelines.get("cross_corpus", sum(pipelines.values(), Pipeline([])))
    return pipelines
