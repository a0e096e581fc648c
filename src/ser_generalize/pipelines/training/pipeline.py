"""``kedro run --pipeline=training [--env=gpu]``: fine-tune CNN14 or Whisper + FC head end to end, then report."""

from __future__ import annotations

from typing import Any

from kedro.pipeline import Pipeline, node

from ..project_config import project_parameters
from .nodes import finetune_and_evaluate, plot_embedding_tsne, plot_training_curves, summarize_training


def create_pipeline(**kwargs: Any) -> Pipeline:
    """One fine-tuning node over every ``{corpus}.manifest`` of ``ingestion.corpora``, then plots and a summary."""
    params = project_parameters(kwargs.get("parameters"))
    corpora = list(((params.get("ingestion") or {}).get("corpora") or {}).keys())
    if not corpora:
        return Pipeline([])
    return Pipeline(
        [
            node(
                finetune_and_evaluate,
                ["params:training", "params:augmentation", *[f"{c}.manifest" for c in corpora]],
                [
                    "training.test_metrics",
                    "training.history",
                    "training.embeddings",
                    "training.mlflow_metrics",
                ],
                name="finetune_and_evaluate",
            ),
            node(
                plot_training_curves,
                ["training.history", "params:training", "params:ingestion"],
                "training.curves_plot",
                name="plot_training_curves",
            ),
            node(
                plot_embedding_tsne,
                ["training.embeddings", "params:training", "params:ingestion"],
                "training.tsne_plot",
                name="plot_embedding_tsne",
            ),
            node(
                summarize_training,
                ["training.test_metrics", "training.history", "params:training", "params:ingestion"],
                "training.summary",
                name="summarize_training",
            ),
        ],
        tags=["training"],
    )
