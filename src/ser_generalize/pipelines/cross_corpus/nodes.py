"""Nodes of the cross-corpus pipeline: per-corpus features, the matrix, reductions, plots, report, metrics."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ...corpora.manifest import training_ids
from ...evaluation.cross_corpus import plan_scenarios
from ...evaluation.matrix import evaluate_matrix, flat_metrics, matrix_table, reductions
from ...reporting.cross_corpus_report import cross_corpus_markdown
from ...reporting.plots import confusion_grid, matrix_heatmap, reduction_bars
from ..project_config import synthetic_flags

log = logging.getLogger(__name__)


def extract_corpus_features(manifest: pd.DataFrame, backbone: str, backbone_options: dict[str, Any] | None,
                            params: dict[str, Any], augmentation: dict[str, Any] | None):
    """FeatureSet of one corpus for ``backbone`` (cached); training rows augmented when ``augmentation.rate`` > 0."""
    from ...backbones.store import extract_features

    transform, key = None, None
    aug = augmentation or {}
    if float(aug.get("rate", 0.0)) > 0:
        from ...audio.augment import augmentation_transform

        train_ids = training_ids(manifest, int(params.get("fold", 0)))
        transform, key = augmentation_transform(aug.get("chain", "all_seven"), float(aug["rate"]),
                                                int(aug.get("seed", 0)), train_ids, chains=aug.get("chains"))
    return extract_features(manifest, str(backbone), backbone_options or {},
                            params.get("feature_cache_dir", "data/04_feature"),
                            waveform_transform=transform, transform_key=key)


def run_matrix(params: dict[str, Any], *features_and_manifests: Any, corpora: list[str]
               ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Train each row's head once and test it on every corpus; inputs are all FeatureSets then all manifests."""
    n = len(corpora)
    data = {c: (features_and_manifests[i], features_and_manifests[n + i]) for i, c in enumerate(corpora)}
    scenarios = plan_scenarios(corpora, params.get("joint"))
    return evaluate_matrix(scenarios, data, params.get("head", {}), params.get("logit_adjustment"),
                           int(params.get("fold", 0)), str(params.get("device", "auto")))


def summarise(cells: pd.DataFrame, params: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """Wide matrix CSV table, reductions (JSON) and MLflow metrics ``{name: {value, step}}``."""
    metric = str(params.get("metric", "macro_f1"))
    reduced = reductions(cells, metric, float(params.get("lambda", 1.0)))
    metrics = {k: {"value": v, "step": 0} for k, v in flat_metrics(cells, reduced).items()}
    return matrix_table(cells, metric).reset_index(), reduced, metrics


def make_report(table: pd.DataFrame, reduced: dict[str, Any], confusions: dict[str, pd.DataFrame],
                params: dict[str, Any], backbone: str, ingestion: dict[str, Any] | None, corpora: list[str]
                ) -> tuple[Figure, Figure, Figure, str]:
    """Heatmap, reduction bars, confusion grid and the markdown report (synthetic corpora named as such)."""
    flags = synthetic_flags(corpora, ingestion)
    synthetic = any(flags.values())
    wide = table.set_index("train")
    head = params.get("head", {})
    setup = {"backbone": backbone, "head": head.get("type"), "seed": head.get("seed"), "fold": params.get("fold", 0),
             "logit_adjustment": params.get("logit_adjustment"), "lambda": params.get("lambda", 1.0),
             "corpora": corpora}
    return (matrix_heatmap(wide, reduced["metric"], synthetic), reduction_bars(reduced, synthetic),
            confusion_grid(confusions, synthetic), cross_corpus_markdown(wide, reduced, flags, setup))
