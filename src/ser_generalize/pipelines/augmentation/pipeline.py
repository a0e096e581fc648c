"""Augmentation pipeline: one branch per corpus materialising augmented features at each swept rate, plus examples."""

from __future__ import annotations

import logging
from typing import Any

from kedro.pipeline import Pipeline, node

from ..project_config import bind, project_parameters, synthetic_flags
from .nodes import materialize_augmented_features, summarize_augmentation, write_augmentation_examples

log = logging.getLogger(__name__)

SHARED_PARAMS = {"params:backbone", "params:backbone_options", "params:augmentation"}


def _corpora(params: dict[str, Any]) -> dict[str, Any]:
    return dict((params.get("ingestion") or {}).get("corpora") or {})


def create_pipeline(**kwargs: Any) -> Pipeline:
    """Namespaced branches ``{corpus}`` reading ``{corpus}.manifest``; the corpus list comes from parameters."""
    params = project_parameters(kwargs.get("parameters"))
    corpora = _corpora(params)
    if not corpora:
        log.warning("augmentation: no corpora under ingestion.corpora; the pipeline is empty")
        return Pipeline([])
    branches = [
        Pipeline(
            [
                node(
                    materialize_augmented_features,
                    inputs=["manifest", "params:backbone", "params:backbone_options", "params:augmentation"],
                    outputs="augmentation_rows",
                    name="materialize_augmented_features",
                )
            ],
            namespace=corpus,
            parameters=SHARED_PARAMS,
            tags=["augmentation"],
        )
        for corpus in corpora
    ]
    summary = node(
        summarize_augmentation,
        inputs=[f"{corpus}.augmentation_rows" for corpus in corpora],
        outputs="augmentation_summary",
        name="summarize_augmentation",
        tags=["augmentation"],
    )
    example_corpus = ((params.get("augmentation") or {}).get("examples") or {}).get("corpus") or next(
        iter(corpora)
    )
    if example_corpus not in corpora:
        raise ValueError(
            f"augmentation.examples.corpus '{example_corpus}' is not in ingestion.corpora {sorted(corpora)}"
        )
    synthetic = synthetic_flags([example_corpus], params.get("ingestion"))[example_corpus]
    examples = node(
        bind(write_augmentation_examples, synthetic=synthetic),
        inputs=[f"{example_corpus}.manifest", "params:augmentation"],
        outputs="augmentation_examples_index",
        name="write_augmentation_examples",
        tags=["augmentation"],
    )
    return Pipeline([*branches, summary, examples])
