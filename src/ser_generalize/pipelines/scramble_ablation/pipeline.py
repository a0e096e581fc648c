"""Scramble-ablation pipeline: one node over the manifests of the corpora in ``scramble_ablation.pairs``."""

from __future__ import annotations

from typing import Any

from kedro.pipeline import Pipeline, node

from ..project_config import bind, project_parameters, synthetic_corpora
from .nodes import run_scramble_ablation


def create_pipeline(**kwargs: Any) -> Pipeline:
    """Reads ``{corpus}.manifest`` of each corpus named in the pairs, ``params:scramble_ablation`` and ``params:augmentation``."""
    params = project_parameters(kwargs.get("parameters"))
    pairs = (params.get("scramble_ablation") or {}).get("pairs") or []
    corpora = sorted({str(c) for pair in pairs for c in pair})
    if not corpora:
        return Pipeline([])
    synthetic = synthetic_corpora(corpora, params.get("ingestion"))  # any synthetic corpus marks the run
    return Pipeline(
        [
            node(
                bind(run_scramble_ablation, synthetic=synthetic),
                inputs=[
                    "params:scramble_ablation",
                    "params:augmentation",
                    *[f"{c}.manifest" for c in corpora],
                ],
                outputs=[
                    "scramble_ablation.results",
                    "scramble_ablation.report",
                    "scramble_ablation.heatmap",
                ],
                name="run_scramble_ablation",
            )
        ],
        tags=["scramble_ablation"],
    )
