"""Scramble-ablation pipeline: one node over the manifests of the corpora in ``scramble_ablation.pairs``."""

from __future__ import annotations

from functools import partial, update_wrapper
from typing import Any

from kedro.pipeline import Pipeline, node

from ..project_config import project_parameters, synthetic_flags
from .nodes import run_scramble_ablation


def create_pipeline(**kwargs: Any) -> Pipeline:
    """Reads ``{corpus}.manifest`` of each corpus named in the pairs, ``params:scramble_ablation`` and ``params:augmentation``."""
    params = kwargs["parameters"] if kwargs.get("parameters") is not None else project_parameters()
    pairs = (params.get("scramble_ablation") or {}).get("pairs") or []
    corpora = sorted({str(c) for pair in pairs for c in pair})
    if not corpora:
        return Pipeline([])
    synthetic = all(synthetic_flags(corpora, params.get("ingestion")).values())
    return Pipeline(
        [
            node(
                update_wrapper(partial(run_scramble_ablation, synthetic=synthetic), run_scramble_ablation),
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
