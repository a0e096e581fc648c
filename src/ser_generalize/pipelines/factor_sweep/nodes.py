"""Factor sweep nodes: variants -> manifests -> features -> base-trained predictions -> drops, attribution."""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...corpora.synthetic.variants import derive_variants, ensure_variants, variant_manifests, variant_table
from ...evaluation.attribution import attribute, corpus_descriptors, matrix_drops, pair_descriptors
from ...evaluation.bootstrap import (
    metrics_from_confusions,
    percentile_interval,
    speaker_confusions,
    speaker_weights,
)
from ...evaluation.cross_corpus import Scenario
from ...evaluation.matrix import n_folds, row_predictions, run_cells
from ...reporting.markdown import markdown_section
from ...utils.tracking import log_nested_run

log = logging.getLogger(__name__)

CHANGED_FACTOR = {
    "language": "language",
    "speakers": "speakers",
    "noise_white": "recording",
    "noise_pink": "recording",
    "reverberation": "recording",
    "band_limit": "recording",
    "expressiveness": "expressiveness",
    "length": "length",
}
"""Sweep factor -> the attribution factor whose descriptors it moves (the known truth of the validation)."""


def _specs(params: dict[str, Any]) -> dict[str, dict]:
    return derive_variants(
        params["base"], params.get("factors") or {}, str(params.get("base_name", "sweep_base"))
    )


def generate_sweep(params: dict[str, Any]) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Write the base and its variants once (cached by settings); ingest each through its layout's adapter."""
    specs = _specs(params)
    roots = ensure_variants(
        specs, params.get("raw_dir", "data/01_raw/factor_sweep"), int(params.get("seed", 0))
    )
    return variant_manifests(specs, roots), variant_table(specs)


def _extract_one(manifest: pd.DataFrame, backbone: str, options: dict, cache_dir: str) -> None:
    from ...backbones.store import extract_features

    extract_features(manifest, backbone, options, cache_dir, progress=False)


def sweep_features(manifests: dict[str, pd.DataFrame], params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Features per backbone x corpus, cached by ``workers`` spawned processes into the cache, then loaded."""
    from ...backbones.store import extract_features

    options, cache = dict(params.get("backbone_options") or {}), str(params.get("feature_cache_dir"))
    workers = int(params.get("workers", 1))
    out: dict[str, dict[str, Any]] = {}
    for backbone in params.get("backbones") or ["egemaps"]:
        if workers > 1 and backbone == "egemaps":  # the slow one; logmel is faster than process start-up
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for job in [
                    pool.submit(_extract_one, m, backbone, options, cache) for m in manifests.values()
                ]:
                    job.result()
        out[backbone] = {
            c: extract_features(m, backbone, options, cache, progress=False) for c, m in manifests.items()
        }
    return out


def sweep_predictions(
    features: dict[str, dict[str, Any]], manifests: dict[str, pd.DataFrame], params: dict[str, Any]
) -> pd.DataFrame:
    """Per backbone, one head per leave-speaker-out fold of the base, predicting every variant's test part."""
    base = str(params.get("base_name", "sweep_base"))
    frames = []
    for backbone, per_corpus in features.items():
        data = {c: (per_corpus[c], manifests[c]) for c in manifests}
        for fold in range(n_folds(manifests[base])):
            frames.append(
                row_predictions(
                    Scenario(base, (base,)),
                    data,
                    params["head"],
                    params.get("logit_adjustment"),
                    fold=fold,
                    seed=int(params.get("head_seed", 0)),
                    device=str(params.get("device", "cpu")),
                    backbone=backbone,
                )
            )
    return pd.concat(frames, ignore_index=True)


def _score(confusions: np.ndarray, metric: str) -> np.ndarray:
    """``metric`` of confusion matrices ``[..., true, pred]`` (the shared bootstrap's metric definitions)."""
    return metrics_from_confusions(confusions)[metric]


def _fold_confusions(rows: pd.DataFrame, labels: list[str], folds: list) -> np.ndarray:
    """Confusion matrix per fold (its held-out base speaker is the bootstrap unit), aligned to ``folds``."""
    keep = rows["fold"].isin(folds) & rows["y_true"].isin(labels) & rows["y_pred"].isin(labels)
    ids, conf = speaker_confusions(rows.loc[keep, "y_true"], rows.loc[keep, "y_pred"], rows.loc[keep, "fold"], labels)
    out = np.zeros((len(folds), len(labels), len(labels)))
    position = {str(f): i for i, f in enumerate(folds)}
    for i, fold in enumerate(ids):
        out[position[str(fold)]] = conf[i]
    return out


def _drop_interval(
    base_rows: pd.DataFrame,
    variant_rows: pd.DataFrame,
    labels: list[str],
    metric: str,
    n_boot: int,
    alpha: float,
    rng: np.random.Generator,
) -> tuple[float, float, float]:
    """Drop (base minus variant) and its percentile interval from a bootstrap that resamples test speakers.

    The unit is the speaker held out in one fold; the same resampled folds weight the base's and the
    variant's confusions (paired), so the interval is of the difference, not of two separate scores.
    """
    folds = sorted(set(base_rows["fold"]) & set(variant_rows["fold"]))
    cb = _fold_confusions(base_rows, labels, folds)
    cv = _fold_confusions(variant_rows, labels, folds)
    point = float(_score(cb.sum(0), metric) - _score(cv.sum(0), metric))
    weights = speaker_weights(len(folds), n_boot, rng)
    samples = _score(np.einsum("bg,gij->bij", weights, cb), metric) - _score(
        np.einsum("bg,gij->bij", weights, cv), metric
    )
    lo, hi = percentile_interval(samples, alpha)
    return point, float(lo), float(hi)


def sweep_drops(predictions: pd.DataFrame, table: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """Per backbone x variant: base test score, variant score, drop with its speaker-bootstrap interval."""
    base = str(params.get("base_name", "sweep_base"))
    metric = str(params.get("metric", "macro_f1"))
    boot = params.get("bootstrap") or {}
    rng = np.random.default_rng(int(boot.get("seed", 0)))
    info = table.set_index("corpus")
    rows = []
    for backbone, preds in predictions.groupby("backbone", sort=False):
        base_rows = preds[preds["test"] == base]
        for test, rows_v in preds.groupby("test", sort=False):
            labels = sorted(set(str(rows_v["labels"].iloc[0]).split(",")))
            point, lo, hi = _drop_interval(
                base_rows,
                rows_v,
                labels,
                metric,
                int(boot.get("n_boot", 1000)),
                float(boot.get("alpha", 0.05)),
                rng,
            )
            score = float(_score(_fold_confusions(rows_v, labels, sorted(set(rows_v["fold"]))).sum(0), metric))
            rows.append(
                {
                    "backbone": backbone,
                    "corpus": test,
                    "factor": info.loc[test, "factor"],
                    "level": info.loc[test, "level"],
                    "level_index": int(info.loc[test, "level_index"]),
                    "score": score,
                    "base_score": score + point,
                    "drop": point,
                    "drop_lo": lo,
                    "drop_hi": hi,
                    "n_test": len(rows_v),
                    "n_speakers": rows_v["speaker"].nunique(),
                }
            )
    return pd.DataFrame(rows)


def robustness_plot(drops: pd.DataFrame, params: dict[str, Any]) -> Figure:
    """One panel per factor: drop vs level (level 0 = base), one line per backbone with its interval band."""
    factors = [f for f in dict.fromkeys(drops["factor"]) if f != "base"]
    cols = min(4, max(1, len(factors)))
    rows = int(np.ceil(len(factors) / cols)) or 1
    fig = Figure(figsize=(4 * cols, 3.2 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, factor in zip(axes, factors, strict=False):
        for backbone, group in drops.groupby("backbone", sort=False):
            base = group[group["factor"] == "base"]
            part = pd.concat([base, group[group["factor"] == factor]]).sort_values("level_index")
            x = np.arange(len(part))
            ax.plot(x, part["drop"], marker="o", label=backbone)
            ax.fill_between(x, part["drop_lo"], part["drop_hi"], alpha=0.2)
            ax.set_xticks(x, ["base", *part["level"].iloc[1:]], rotation=30, fontsize=8)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_title(factor)
        ax.set_ylabel(f"drop in {params.get('metric', 'macro_f1')}")
    for ax in axes[len(factors) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    fig.suptitle(
        "Factor sweep on SYNTHETIC corpora: drop from the base's own test part (95 % speaker-bootstrap CI)"
    )
    return fig


def quick_profiles(manifests: dict[str, pd.DataFrame], params: dict[str, Any]) -> pd.DataFrame:
    """Calibrated acoustic parameters without the slow ones (DNSMOS, roll-off) of a seeded subsample per corpus.

    Unusable clips are skipped with a warning (the profiling pipeline's rejects rule); an estimator bug stops the run.
    """
    from ...acoustics.profile import profile_manifest

    n = int(params.get("profile_utterances", 16))
    tables = []
    for corpus, manifest in manifests.items():
        profiles, rejects = profile_manifest(manifest, n, seed=0, quality=False)
        for row in rejects.itertuples():
            log.warning("factor sweep: profile skipped %s (%s): %s", row.path, corpus, row.reason)
        tables.append(profiles)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def sweep_attribution(
    drops: pd.DataFrame, manifests: dict[str, pd.DataFrame], profiles: pd.DataFrame, params: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Attribution per backbone on the sweep matrix (base row x variant columns) and its known-truth check."""
    base = str(params.get("base_name", "sweep_base"))
    cfg = params.get("attribution") or {}
    corpora = corpus_descriptors(
        manifests, {"corpora": {c: {"synthetic": True} for c in manifests}}, profiles
    )
    shares, checks, words = [], [], {}
    for backbone, group in drops.groupby("backbone", sort=False):
        # The base's own test part stays in as a cell: the same utterances with no factor changed, so no
        # mismatch and no drop by construction. It anchors the model's intercept at zero; without it the
        # unpenalised intercept absorbed the smallest variant's drop and that variant was put on whichever
        # factor happened to differ by a hair (a weak-acting variant was named "recording").
        cells = group.assign(train=base, test=group["corpus"])[["train", "test", "drop"]]
        descriptors = pair_descriptors(cells, corpora, profiles)
        result = attribute(
            cells,
            descriptors,
            float(cfg.get("alpha", 1.0)),
            int(cfg.get("n_boot", 300)),
            int(cfg.get("seed", 0)),
        )
        shares.append(result.factors.assign(backbone=backbone))
        check = (
            group[group["factor"] != "base"][["corpus", "factor", "level", "drop", "drop_lo"]]
            .merge(result.cells[["test", "top_factor"]], left_on="corpus", right_on="test")
            .drop(columns="test")
        )
        check["changed"] = check["factor"].map(CHANGED_FACTOR)
        check["has_drop"] = check["drop_lo"] > 0  # the interval excludes zero: there is a drop to attribute
        check["named"] = check["changed"] == check["top_factor"]
        checks.append(check.assign(backbone=backbone))
        words[backbone] = result.paragraph
    return pd.concat(shares, ignore_index=True), pd.concat(checks, ignore_index=True), words


def attribution_plot(shares: pd.DataFrame, *more_shares: pd.DataFrame) -> Figure:
    """Bars of each factor's share of the mean drop with bootstrap intervals, one panel per matrix."""
    shares = pd.concat([shares, *more_shares], ignore_index=True)
    groups = list(shares.groupby("backbone", sort=False))
    fig = Figure(figsize=(5 * len(groups), 3.5), layout="constrained")
    axes = fig.subplots(1, len(groups), squeeze=False).ravel()
    for ax, (name, part) in zip(axes, groups, strict=True):
        part = part[part["factor"] != "unattributed"].iloc[::-1]
        share = 100 * part["share"].to_numpy(float)
        err = np.vstack([share - 100 * part["lo"].to_numpy(float), 100 * part["hi"].to_numpy(float) - share])
        ax.barh(part["factor"], share, xerr=np.clip(np.nan_to_num(err), 0, None), color="tab:blue", alpha=0.7)
        ax.set_xlabel("share of the mean drop (%)")
        ax.set_title(str(name))
    fig.suptitle("Transfer attribution (95 % bootstrap CI over cells)")
    return fig


def _profiles(path: str | None) -> pd.DataFrame | None:
    """The profiling pipeline's per-utterance profiles when that file exists (it is optional here)."""
    from pathlib import Path

    return pd.read_parquet(path) if path and Path(path).is_file() else None


def default_matrix_attribution(
    params: dict[str, Any], ingestion: dict[str, Any], *manifest_list: pd.DataFrame
) -> tuple[pd.DataFrame, str]:
    """Attribution on the default cross-corpus matrix (single-corpus rows, fold 0, one backbone).

    Acoustic descriptors come from ``default_matrix.profiles`` (the profiling pipeline's all_profiles
    parquet) when it exists and covers every corpus, else from the sweep's fast profile; the words say which.
    """
    from ...backbones.store import extract_features

    cfg = params.get("default_matrix") or {}
    profiles = _profiles(cfg.get("profiles"))
    names = list(ingestion.get("corpora") or {})
    manifests = dict(zip(names, manifest_list, strict=True))
    backbone = str(cfg.get("backbone", "egemaps"))
    data = {
        c: (
            extract_features(
                m,
                backbone,
                dict(params.get("backbone_options") or {}),
                str(cfg.get("feature_cache_dir", params.get("feature_cache_dir"))),
                progress=False,
            ),
            m,
        )
        for c, m in manifests.items()
    }
    predictions = pd.concat(
        [
            row_predictions(
                Scenario(c, (c,)),
                data,
                params["head"],
                params.get("logit_adjustment"),
                fold=0,
                seed=int(params.get("head_seed", 0)),
                device=str(params.get("device", "cpu")),
                backbone=backbone,
            )
            for c in names
        ],
        ignore_index=True,
    )
    cells = run_cells(predictions[predictions["test_set"] == "test"])
    drops = matrix_drops(cells, str(params.get("metric", "macro_f1")))
    usable = (
        profiles if profiles is not None and len(profiles) and set(profiles["corpus"]) >= set(names) else None
    )
    source = "the profiling pipeline's profiles"
    if usable is None:  # no (complete) profiling output: the sweep's fast profile, without DNSMOS or roll-off
        usable, source = (
            quick_profiles(manifests, params),
            "the fast profile (no DNSMOS or roll-off; run the profiling pipeline for the full one)",
        )
    descriptors = pair_descriptors(drops, corpus_descriptors(manifests, ingestion, usable), usable)
    acfg = params.get("attribution") or {}
    result = attribute(
        drops,
        descriptors,
        float(acfg.get("alpha", 1.0)),
        int(acfg.get("n_boot", 300)),
        int(acfg.get("seed", 0)),
    )
    return (
        result.factors.assign(backbone=f"default matrix ({backbone})"),
        f"{result.paragraph} Acoustic descriptors: {source}.",
    )


def sweep_report(
    drops: pd.DataFrame,
    shares: pd.DataFrame,
    checks: pd.DataFrame,
    words: dict[str, str],
    default_shares: pd.DataFrame | None = None,
    default_words: str = "",
) -> tuple[str, dict]:
    """The markdown report, and MLflow nested runs (one per variant x backbone); returns (report, metrics)."""
    for r in drops.itertuples():
        log_nested_run(
            f"factor_sweep/{r.backbone}/{r.corpus}",
            {"factor": r.factor, "level": r.level, "backbone": r.backbone},
            {"drop": r.drop, "drop_lo": r.drop_lo, "drop_hi": r.drop_hi, "score": r.score},
        )
    lines = [
        "# Factor sweep and transfer attribution (SYNTHETIC corpora)",
        "",
        (
            "Every number here comes from eSpeak NG speech generated by this project: it shows how the "
            "models react to one controlled factor, not results on real corpora. Drop = score on the base's "
            "own test part minus score on the variant (same held-out speaker per fold); intervals resample "
            "test speakers."
        ),
        "",
    ]
    table = drops[["backbone", "factor", "level", "score", "drop", "drop_lo", "drop_hi", "n_test"]]
    lines += markdown_section("Drop per factor and level", table)
    lines += ["![robustness curves](robustness_curves.png)", ""]
    for backbone, text in words.items():
        lines += [f"## Attribution on the sweep matrix: {backbone}", "", text, ""]
    lines += markdown_section(
        "Factor shares of the mean drop", shares[["backbone", "factor", "share", "lo", "hi"]]
    )
    lines += ["![attribution](attribution.png)", ""]
    named = checks[checks["has_drop"]].groupby("backbone")["named"].agg(["sum", "count"]).reset_index()
    named.columns = ["backbone", "named", "variants with a drop"]
    lines += [
        "## Validation on known truth",
        "",
        (
            "Each variant changed one factor; the attribution's top factor for its cell should be that "
            "factor. "
            "It is judged on the variants whose drop interval excludes zero: a variant with no drop has "
            "nothing to attribute."
        ),
        "",
    ]
    lines += markdown_section("Named the changed factor", named, floatfmt="")
    lines += markdown_section(
        "Per variant",
        checks[["backbone", "corpus", "changed", "top_factor", "drop", "drop_lo", "has_drop", "named"]],
    )
    if default_shares is not None and len(default_shares):
        lines += ["## Attribution on the default cross-corpus matrix", "", default_words, ""]
        lines += markdown_section(
            "Default matrix: factor shares", default_shares[["factor", "share", "lo", "hi"]]
        )
    metrics = {
        f"named_changed_factor_{b}": float(g["named"].mean())
        for b, g in checks[checks["has_drop"]].groupby("backbone")
    }
    return "\n".join(lines) + "\n", {k: {"value": v, "step": 0} for k, v in metrics.items()}
