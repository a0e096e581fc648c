"""Nodes of the label-scramble ablation: joint training A+B with one corpus's labels swapped, relative change tables."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ...corpora.labels import resolve_emotion_set
from ...corpora.manifest import split_for_fold
from ...evaluation.scramble import JointConfig, joint_configurations, make_fit_predict, run_ablation
from ...reporting.markdown import markdown_section, synthetic_prefix
from ...reporting.scramble_plots import relative_change_heatmaps
from ...utils.tracking import log_nested_run
from ..project_config import synthetic_corpora

log = logging.getLogger(__name__)


def _split_loader(manifests: dict[str, pd.DataFrame], params: dict[str, Any], augmentation: dict[str, Any]):
    """``split_data(corpus, rate)``: pooled train/test vectors of a corpus, training rows augmented at ``rate``."""
    from ...audio.augment import augmentation_transform
    from ...backbones.store import extract_features_for

    feats, fold = params.get("features", {}), int(params.get("fold", 0))
    labels = set(resolve_emotion_set(str(params.get("emotion_set", "4"))))
    cache: dict[tuple[str, float], tuple] = {}

    def split_data(corpus: str, rate: float):
        if (corpus, rate) in cache:
            return cache[(corpus, rate)]
        manifest = manifests[corpus]
        split = split_for_fold(manifest, fold).to_numpy()
        train_ids = manifest.loc[split == "train", "utt_id"].astype(str).tolist()
        transform, key = (None, None)
        if rate > 0:
            transform, key = augmentation_transform(
                augmentation.get("chain", "all_seven"),
                rate,
                augmentation.get("seed", 0),
                train_ids,
                chains=augmentation.get("chains"),
            )
        fs = extract_features_for(manifest, feats, waveform_transform=transform, transform_key=key)
        X = pd.DataFrame(fs.pooled, index=fs.utt_ids)
        emotion = manifest.set_index(manifest["utt_id"].astype(str))["emotion"].astype(str)
        role = pd.Series(split, index=manifest["utt_id"].astype(str))
        out = []
        for part in ("train", "test"):
            ids = [u for u in X.index if role[u] == part and emotion[u] in labels]
            out += [X.loc[ids].to_numpy(), emotion.loc[ids].to_numpy(dtype=object)]
        cache[(corpus, rate)] = tuple(out)
        return cache[(corpus, rate)]

    return split_data


def _nested_logger(enabled: bool):
    """Callback logging each configuration as a nested MLflow run (when a kedro-mlflow run is active)."""

    def on_result(cfg: JointConfig, frame: pd.DataFrame) -> None:
        if not enabled:
            return
        metrics = {}
        for row in frame.itertuples():
            metrics[f"{row.eval_corpus}.weighted_f1"] = row.weighted_f1
            metrics[f"{row.eval_corpus}.relative_change_pct"] = row.relative_change_pct
        params = {"corpus_a": cfg.corpus_a, "corpus_b": cfg.corpus_b, "scrambled": cfg.scrambled or "none",
                  "augmentation_rate": cfg.rate}
        log_nested_run(f"scramble|{cfg.name}", params, metrics)

    return on_result


def run_scramble_ablation(
    params: dict[str, Any], augmentation: dict[str, Any], *manifests: pd.DataFrame, synthetic: list[str] | None = None
) -> tuple[pd.DataFrame, str, Figure]:
    """Run every configuration of ``scramble_ablation``; return the results table, a markdown report and heatmaps.

    ``synthetic`` (the synthetic corpora, bound by the pipeline from ``ingestion.corpora``) titles the outputs:
    a run is synthetic when any corpus is. None = judge by name.
    """
    by_name = {str(m["corpus"].iloc[0]): m for m in manifests}
    configs = joint_configurations(
        params["pairs"], params.get("augmentation_rates", [0.0]), params.get("scramble_corpus", "second")
    )
    head = params.get("head", {})
    labels = resolve_emotion_set(str(params.get("emotion_set", "4")))
    results = run_ablation(
        configs,
        _split_loader(by_name, params, augmentation),
        make_fit_predict(head, int(params.get("seed", 0))),
        labels,
        params.get("swap"),
        _nested_logger(bool(params.get("nested_mlflow_runs", True))),
    )
    if synthetic is None:
        synthetic = synthetic_corpora(by_name, None)
    return (
        results,
        scramble_markdown(results, params, synthetic),
        relative_change_heatmaps(results, synthetic),
    )


def scramble_markdown(results: pd.DataFrame, params: dict[str, Any], synthetic: list[str]) -> str:
    """Markdown report: the full table plus, per rate, relative change by configuration and test corpus."""
    title = f"# {synthetic_prefix(synthetic)}label-scramble ablation (Domain mismatch paper, 5.4)"
    lines = [
        title,
        "",
        (
            f"Swap: {params.get('swap')}; emotion set '{params.get('emotion_set', '4')}'. "
            "Relative change (%) of weighted F1 on each corpus's own test split vs that corpus trained alone "
            "(no augmentation). As in the paper's SCRAMBLED columns, the scrambled corpus is tested on its "
            "scrambled labels: near 0 means the model kept the corpora apart (memorised each one's labels); "
            "a large drop means it learnt emotion across corpora and the conflicting labels cost it."
        ),
        "",
    ]
    for rate, part in results.groupby("rate"):
        wide = part.pivot_table(
            index=["corpus_a", "corpus_b", "scrambled"], columns="eval_corpus", values="relative_change_pct"
        )
        lines += markdown_section(f"Augmentation rate {rate:g}", wide.reset_index(), floatfmt="+.1f")
    lines += markdown_section("All results", results, floatfmt=".3f")
    return "\n".join(lines)
