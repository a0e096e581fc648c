"""Cross-corpus pipeline, generated from parameters.

Per corpus x backbone a feature node; per corpus x fold an EmoBox balanced test set; per backbone x
fold x seed x training row one independent ``train_row`` node (tagged ``matrix``, so ParallelRunner and
the Dask runner spread them); then one scoring node (means, speaker-bootstrap intervals, reductions,
leaderboard) and the report.
"""

from __future__ import annotations

from typing import Any

from kedro.pipeline import Pipeline, node

from ...evaluation.cross_corpus import plan_scenarios
from ...evaluation.protocol import plan_backbones, plan_folds, plan_seeds, saved_fold_counts
from ..project_config import bind, project_parameters
from ..validation import check_parameters
from .nodes import (
    augment_training_features,
    balanced_test_manifest,
    extract_corpus_features,
    make_report,
    score_matrix,
    train_row,
)

MANIFEST_DIR = "data/02_intermediate/manifests"
"""Where ingestion saves manifests (catalog ``{corpus}.manifest``); read to plan ``folds: all``."""


def features_name(corpus: str, alias: str) -> str:
    """Dataset name of one corpus's features for one backbone (catalog factory ``{corpus}.features.{backbone}``)."""
    return f"{corpus}.features.{alias}"


def create_pipeline(**kwargs: Any) -> Pipeline:
    """Nodes for every corpus of ``ingestion.corpora`` (or ``cross_corpus.corpora``) and every planned row run."""
    params = project_parameters(kwargs.get("parameters"))
    cc = params.get("cross_corpus") or {}
    corpora = [str(c) for c in (cc.get("corpora") or (params.get("ingestion") or {}).get("corpora") or {})]
    if not corpora:
        return Pipeline([])
    check_parameters(params, ["cross_corpus"])  # one message listing every problem, before any node is planned
    backbones = plan_backbones(params.get("backbone"), params.get("backbone_options"), cc)
    counts = saved_fold_counts(corpora, kwargs.get("manifest_dir", MANIFEST_DIR))
    folds = plan_folds(cc, counts if len(counts) == len(corpora) else None)
    seeds = plan_seeds(cc)
    scenarios = plan_scenarios(corpora, cc.get("joint"))
    augmented = float((params.get("augmentation") or {}).get("rate", 0.0)) > 0
    balanced = bool((cc.get("balanced_test") or {}).get("enabled", True))

    nodes = [node(bind(extract_corpus_features, backbone=b), inputs=[f"{c}.manifest", "params:cross_corpus"],
                  outputs=features_name(c, b.alias), name=f"extract_features_{b.alias}", namespace=c,
                  tags=["features"])
             for c in corpora for b in backbones]
    if balanced:
        nodes += [node(bind(balanced_test_manifest, fold=k), inputs=[f"{c}.manifest", "params:cross_corpus"],
                       outputs=f"{c}.balanced_test.f{k}", name=f"balanced_test_set_f{k}", namespace=c)
                  for c in corpora for k in folds]
    if augmented:
        trained = sorted({c for sc in scenarios for c in sc.train})
        nodes += [node(bind(augment_training_features, backbone=b, fold=k),
                       inputs=[f"{c}.manifest", "params:cross_corpus", "params:augmentation"],
                       outputs=f"{c}.augmented_features.{b.alias}.f{k}", name=f"augment_features_{b.alias}_f{k}",
                       namespace=c)
                  for c in trained for b in backbones for k in folds]
    predictions = []
    for b in backbones:
        for k in folds:
            for s in seeds:
                for sc in scenarios:
                    out = f"cross_corpus.predictions.{b.alias}.f{k}_s{s}.{sc.name}"
                    inputs = ["params:cross_corpus", *[features_name(c, b.alias) for c in corpora],
                              *[f"{c}.manifest" for c in corpora]]
                    if augmented:
                        inputs += [f"{c}.augmented_features.{b.alias}.f{k}" for c in sc.train]
                    if balanced:
                        inputs += [f"{c}.balanced_test.f{k}" for c in corpora]
                    nodes.append(node(bind(train_row, scenario=sc, corpora=corpora, backbone=b, fold=k, seed=s,
                                           augmented=augmented, balanced=balanced),
                                      inputs=inputs, outputs=out, name=f"train_row_{b.alias}_f{k}_s{s}_{sc.name}",
                                      namespace="cross_corpus", tags=["matrix"]))
                    predictions.append(out)
    nodes += [
        node(bind(score_matrix, corpora=corpora, backbones=backbones), inputs=["params:cross_corpus", "params:ingestion",
                                                          *[f"{c}.manifest" for c in corpora], *predictions],
             outputs=["cross_corpus.predictions", "cross_corpus.cells", "cross_corpus.run_cells",
                      "cross_corpus.matrices", "cross_corpus.reductions", "cross_corpus.leaderboard",
                      "cross_corpus.metrics"],
             name="score_matrix", namespace="cross_corpus"),
        node(bind(make_report, corpora=corpora, backbones=backbones),
             inputs=["cross_corpus.cells", "cross_corpus.run_cells", "cross_corpus.reductions",
                     "cross_corpus.leaderboard", "cross_corpus.predictions", "params:cross_corpus",
                     "params:ingestion"],
             outputs=["cross_corpus.heatmap", "cross_corpus.reduction_bars", "cross_corpus.confusion_plot",
                      "cross_corpus.report"], name="report_matrix", namespace="cross_corpus"),
    ]
    return Pipeline(nodes, tags=["cross_corpus"])
