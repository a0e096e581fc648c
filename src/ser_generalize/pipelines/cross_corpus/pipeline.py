"""Cross-corpus pipeline, generated from parameters: one namespaced feature branch per corpus, then the matrix."""

from __future__ import annotations

from typing import Any

from kedro.pipeline import Pipeline, node

from ..project_config import bind, project_parameters
from .nodes import extract_corpus_features, make_report, run_matrix, summarise


def create_pipeline(**kwargs: Any) -> Pipeline:
    """Branch per corpus of ``ingestion.corpora`` (or ``cross_corpus.corpora``): features -> matrix -> report."""
    params = project_parameters(kwargs.get("parameters"))
    cc = params.get("cross_corpus") or {}
    corpora = [str(c) for c in (cc.get("corpora") or (params.get("ingestion") or {}).get("corpora") or {})]
    if not corpora:
        return Pipeline([])
    branches = [
        node(extract_corpus_features,
             inputs=[f"{c}.manifest", "params:backbone", "params:backbone_options", "params:cross_corpus",
                     "params:augmentation"],
             outputs=f"{c}.cross_corpus_features", name="extract_corpus_features", namespace=c)
        for c in corpora
    ]
    matrix = [
        node(bind(run_matrix, corpora=corpora),
             inputs=["params:cross_corpus", *[f"{c}.cross_corpus_features" for c in corpora],
                     *[f"{c}.manifest" for c in corpora]],
             outputs=["cross_corpus.cells", "cross_corpus.confusions"], name="run_matrix"),
        node(summarise, inputs=["cross_corpus.cells", "params:cross_corpus"],
             outputs=["cross_corpus.matrix", "cross_corpus.reductions", "cross_corpus.metrics"], name="reduce_matrix"),
        node(bind(make_report, corpora=corpora),
             inputs=["cross_corpus.matrix", "cross_corpus.reductions", "cross_corpus.confusions",
                     "params:cross_corpus", "params:backbone", "params:ingestion"],
             outputs=["cross_corpus.heatmap", "cross_corpus.reduction_bars", "cross_corpus.confusion_plot",
                      "cross_corpus.report"], name="report_matrix"),
    ]
    return Pipeline(branches + matrix, tags=["cross_corpus"])
