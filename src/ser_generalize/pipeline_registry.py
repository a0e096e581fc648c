"""Register the project's pipelines; analysis pipelines are composed with ingestion so one command runs end to end."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

NEEDS_MANIFESTS = ("profiling", "augmentation", "cross_corpus", "balancing", "scramble_ablation", "training")
"""Pipelines that read manifests: ingestion (cheap, and idempotent) is prepended so each runs from raw data."""


def register_pipelines() -> dict[str, Pipeline]:
    """Discover every ``pipelines/<name>`` package and compose the analysis pipelines with ingestion."""
    pipelines = find_pipelines(raise_errors=False)
    ingestion = pipelines.get("ingestion")
    if ingestion is not None:
        for name in NEEDS_MANIFESTS:
            if name in pipelines:
                pipelines[name] = ingestion + pipelines[name]
    pipelines["__default__"] = pipelines.get("cross_corpus", sum(pipelines.values(), Pipeline([])))
    return pipelines
