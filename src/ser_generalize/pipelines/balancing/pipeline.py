"""Balancing pipeline: class counts before/after none/undersample/SMOTE/ADASYN and their effect on test scores."""

from __future__ import annotations

from typing import Any

from kedro.pipeline import Pipeline, node

from ..project_config import bind, project_parameters, synthetic_corpora
from .nodes import run_balancing


def create_pipeline(**kwargs: Any) -> Pipeline:
    """One node over the manifests of ``balancing.train_corpora`` (null = every corpus of ``ingestion.corpora``)."""
    params = project_parameters(kwargs.get("parameters"))
    chosen = (params.get("balancing") or {}).get("train_corpora") or []
    corpora = [chosen] if isinstance(chosen, str) else list(chosen)
    corpora = corpora or list((params.get("ingestion") or {}).get("corpora") or {})
    if not corpora:
        return Pipeline([])
    synthetic = synthetic_corpora(corpora, params.get("ingestion"))  # any synthetic corpus marks the run
    return Pipeline(
        [
            node(
                bind(run_balancing, synthetic=synthetic),
                inputs=["params:balancing", *[f"{c}.manifest" for c in corpora]],
                outputs=[
                    "balancing.class_counts",
                    "balancing.metrics",
                    "balancing.report",
                    "balancing.mlflow_metrics",
                ],
                name="run_balancing",
            )
        ],
        tags=["balancing"],
    )
