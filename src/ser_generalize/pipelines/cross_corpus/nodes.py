"""Nodes of the cross-corpus pipeline: features per corpus x backbone, one node per row run, scoring, report."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ...corpora.manifest import training_ids
from ...evaluation.balanced_sets import EMOBOX_EMOTIONS
from ...evaluation.cross_corpus import Scenario
from ...evaluation.matrix import corpus_fold, row_predictions
from ...evaluation.protocol import BackboneChoice
from ...utils.hashing import config_hash
from ...utils.io import atomic_write_parquet

log = logging.getLogger(__name__)


def extract_corpus_features(manifest: pd.DataFrame, params: dict[str, Any], *, backbone: BackboneChoice):
    """Features of one corpus for one backbone from the feature store (extracted once, then reused)."""
    from ...backbones.store import extract_features

    return extract_features(manifest, backbone.spec, backbone.options,
                            params.get("feature_cache_dir", "data/04_feature"))


def augment_training_features(manifest: pd.DataFrame, params: dict[str, Any], augmentation: dict[str, Any], *,
                              backbone: BackboneChoice, fold: int):
    """Features whose training rows of ``fold`` are augmented (``augmentation.rate`` > 0); test rows never are."""
    from ...audio.augment import augmentation_transform
    from ...backbones.store import extract_features

    train_ids = training_ids(manifest, corpus_fold(manifest, fold))
    transform, key = augmentation_transform(augmentation.get("chain", "all_seven"), float(augmentation["rate"]),
                                            int(augmentation.get("seed", 0)), train_ids,
                                            chains=augmentation.get("chains"))
    return extract_features(manifest, backbone.spec, backbone.options,
                            params.get("feature_cache_dir", "data/04_feature"),
                            waveform_transform=transform, transform_key=key)


def balanced_test_manifest(manifest: pd.DataFrame, params: dict[str, Any], *, fold: int) -> pd.DataFrame:
    """EmoBox balanced test set of one corpus at ``fold`` (see ``evaluation.balanced_sets``)."""
    from ...evaluation.balanced_sets import balanced_test_set

    options = params.get("balanced_test") or {}
    chosen, _ = balanced_test_set(manifest, corpus_fold(manifest, fold), int(options.get("n_per_class", 60)),
                                  tuple(options.get("emotions", EMOBOX_EMOTIONS)),
                                  int(options.get("seed", 0)))
    return chosen


def _fingerprint(features: Any, manifest: pd.DataFrame) -> str:
    """What a row's result depends on in one corpus: its features' identity and its labels and folds."""
    identity = getattr(features, "fingerprint", None) or getattr(features, "key", "")  # in-memory sets: key only
    table = manifest[["utt_id", "emotion", "fold", "official_split"]].astype(str)
    return config_hash({"features": str(identity), "manifest": pd.util.hash_pandas_object(table, index=False).sum()})


def train_row(params: dict[str, Any], *inputs: Any, scenario: Scenario, corpora: list[str],
              backbone: BackboneChoice, fold: int, seed: int, augmented: bool, balanced: bool) -> pd.DataFrame:
    """Train one head (backbone x fold x seed x row) and predict every test corpus; resumable.

    Inputs: every corpus's features, then manifests, then (if ``augmented``) the augmented training
    features of each training corpus, then (if ``balanced``) every corpus's balanced test manifest.
    Predictions are kept under ``row_cache_dir`` keyed by everything they depend on, so a rerun after a
    crash or with one more corpus recomputes only the row runs whose inputs changed.
    """
    n = len(corpora)
    features, manifests = dict(zip(corpora, inputs[:n], strict=True)), dict(zip(corpora, inputs[n:2 * n], strict=True))
    rest = list(inputs[2 * n:])
    train_features = dict(zip(scenario.train, rest[:len(scenario.train)], strict=True)) if augmented else {}
    rest = rest[len(scenario.train):] if augmented else rest
    balanced_sets = dict(zip(corpora, rest, strict=True)) if balanced else None
    key = config_hash({
        "backbone": [backbone.spec, backbone.options], "fold": fold, "seed": seed, "row": [scenario.name,
        list(scenario.train)], "head": params.get("head"), "la": params.get("logit_adjustment"),
        "corpora": {c: _fingerprint(features[c], manifests[c]) for c in corpora},
        "augmented": {c: _fingerprint(f, manifests[c]) for c, f in train_features.items()},
        "balanced": {c: sorted(m["utt_id"].astype(str)) for c, m in (balanced_sets or {}).items()},
    })
    cache = Path(params.get("row_cache_dir", "data/07_model_output/cross_corpus/rows")) / backbone.alias / (
        f"{scenario.name}__f{fold}_s{seed}__{key}.parquet")
    if cache.is_file():
        log.info("row %s (fold %d, seed %d, %s): reusing %s", scenario.name, fold, seed, backbone.alias, cache)
        return pd.read_parquet(cache)
    data = {c: (features[c], manifests[c]) for c in corpora}
    predictions = row_predictions(scenario, data, params.get("head", {}), params.get("logit_adjustment"), fold, seed,
                                  str(params.get("device", "auto")), backbone.alias, balanced_sets,
                                  training_features=train_features or None)
    atomic_write_parquet(predictions, cache)
    return predictions


def stack_predictions(*predictions: pd.DataFrame) -> pd.DataFrame:
    """All row runs' predictions in one table (the input of scoring)."""
    frames = [p for p in predictions if p is not None and len(p)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def corpus_eligibility(manifests: Mapping[str, pd.DataFrame], ingestion: Mapping[str, Any] | None) -> dict[str, bool]:
    """OOD eligibility per corpus: declared ``ingestion.corpora.<name>.ood_eligible``, else derived from labels."""
    from ...evaluation.reductions import declared_eligibility, ood_eligible

    declared = declared_eligibility({c: ((ingestion or {}).get("corpora") or {}).get(c) for c in manifests})
    return ood_eligible({c: set(m["emotion"].astype(str)) for c, m in manifests.items()}, declared)


def score_matrix(params: dict[str, Any], ingestion: dict[str, Any] | None, *inputs: Any, corpora: list[str],
                 backbones: list[BackboneChoice]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame], dict[str, Any],
                            pd.DataFrame, dict[str, Any]]:
    """Every cell over folds x seeds with speaker-bootstrap intervals, reductions per backbone, the leaderboard.

    Inputs: every corpus's manifest (for OOD eligibility), then every row run's predictions. Returns the
    stacked predictions, cells, per-run cells, one wide matrix per backbone, reductions (JSON), the
    leaderboard and the MLflow metrics; nested MLflow runs per backbone and per fold x seed are logged.
    """
    from ...evaluation.aggregate import bootstrap_scores, leaderboard
    from ...evaluation.matrix import run_cells

    n = len(corpora)
    manifests = dict(zip(corpora, inputs[:n], strict=True))
    predictions = stack_predictions(*inputs[n:])
    if predictions.empty:
        raise ValueError("no row run produced predictions; check cross_corpus.folds and the manifests' folds")
    metric, lam = str(params.get("metric", "macro_f1")), float(params.get("lambda", 1.0))
    boot = params.get("bootstrap") or {}
    scores = bootstrap_scores(predictions, metric, int(boot.get("n", 1000)), int(boot.get("seed", 0)),
                              float(boot.get("alpha", 0.05)))
    eligible = corpus_eligibility(manifests, ingestion)
    board = leaderboard(scores, metric, eligible, lam)
    per_run = run_cells(predictions)
    matrices = {b: wide_matrix(scores.cells, b, metric) for b in dict.fromkeys(scores.cells["backbone"])}
    reduced = reductions_json(board, matrices, eligible, metric, lam)
    log_protocol_runs(board, per_run, eligible, metric, lam, {b.alias: b for b in backbones})
    return (predictions, scores.cells, per_run, {b: m.reset_index() for b, m in matrices.items()}, reduced, board,
            {k: {"value": v, "step": 0} for k, v in flat_metrics(board).items()})


def wide_matrix(cells: pd.DataFrame, backbone: str, metric: str, test_set: str = "test") -> pd.DataFrame:
    """Rows = training rows (run order), columns = test corpora: the mean of ``metric`` over folds x seeds."""
    sub = cells[(cells["backbone"] == backbone) & (cells["test_set"] == test_set)]
    table = sub.pivot(index="train", columns="test", values=f"{metric}_mean")
    return table.loc[list(dict.fromkeys(sub["train"])), list(dict.fromkeys(sub["test"]))].rename_axis("train")


def reductions_json(board: pd.DataFrame, matrices: Mapping[str, pd.DataFrame], eligible: Mapping[str, bool],
                    metric: str, lam: float) -> dict[str, Any]:
    """Per backbone: reductions with intervals and which cells counted where (SER Evals rules)."""
    from ...evaluation.reductions import ser_evals_reductions

    out: dict[str, Any] = {"metric": metric, "lambda": lam, "ood_eligible": dict(eligible), "backbones": {}}
    for row in board.to_dict("records"):
        table = matrices[row["backbone"]]
        square = table.loc[[r for r in table.index if r in table.columns]]  # joint rows stay out of reductions
        roles = ser_evals_reductions(square, [c for c, ok in eligible.items() if ok], lam)
        out["backbones"][row["backbone"]] = {
            **{k: v for k, v in row.items() if k != "backbone"},
            **{k: roles[k] for k in ("ood_given_train", "unseen", "in_domain_cells", "ood_cells", "excluded_cells")},
        }
    return out


def _numbers(row: Mapping[str, Any]) -> dict[str, float]:
    """The numeric, non-NaN fields of a leaderboard row (booleans and text left out), as MLflow metrics."""
    return {k: float(v) for k, v in row.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and pd.notna(v)}


def flat_metrics(board: pd.DataFrame) -> dict[str, float]:
    """Leaderboard numbers as ``<backbone>.<reduction>`` MLflow metrics of the parent run (NaNs dropped)."""
    return {f"{row['backbone']}.{k}": v for row in board.to_dict("records") for k, v in _numbers(row).items()}


def log_protocol_runs(board: pd.DataFrame, per_run: pd.DataFrame, eligible: Mapping[str, bool], metric: str,
                      lam: float, backbones: Mapping[str, BackboneChoice]) -> None:
    """Nested MLflow runs: one per backbone (reductions with intervals), one per backbone x fold x seed.

    The parent run gets each backbone's spec as ``backbone.<name>`` (the plan is fixed when the pipeline
    is built, so no node reads ``params:backbone`` and kedro-mlflow would not log it).
    """
    import mlflow

    from ...evaluation.reductions import REDUCTION_KEYS, ser_evals_reductions
    from ...utils.tracking import log_nested_run

    if mlflow.active_run() is None:
        return
    elig = [c for c, ok in eligible.items() if ok]
    mlflow.log_params({f"backbone.{alias}": b.spec for alias, b in backbones.items()})
    for row in board.to_dict("records"):
        backbone = row["backbone"]
        with mlflow.start_run(run_name=f"backbone={backbone}", nested=True):
            choice = backbones.get(backbone)
            mlflow.log_params({"backbone": backbone, "spec": choice.spec if choice else backbone,
                               "options": choice.options if choice else {}, "metric": metric, "lambda": lam})
            mlflow.log_metrics(_numbers(row))
            runs = per_run[(per_run["backbone"] == backbone) & (per_run["test_set"] == "test") & ~per_run["joint"]]
            for (fold, seed), cells in runs.groupby(["fold", "seed"], sort=True):
                square = cells.pivot(index="train", columns="test", values=metric)
                reduced = ser_evals_reductions(square, elig, lam)
                log_nested_run(f"backbone={backbone} fold={fold} seed={seed}",
                               {"backbone": backbone, "fold": int(fold), "seed": int(seed)},
                               {k: reduced[k] for k in REDUCTION_KEYS})


def balanced_shortfalls(predictions: pd.DataFrame, n_per_class: int, emotions: Sequence[str]) -> pd.DataFrame:
    """Classes of a balanced test set with fewer than ``n_per_class`` clips (read off the in-domain heads).

    A class of ``emotions`` with no test clip at all appears with 0 clips, as ``balanced_test_set`` reports it.
    """
    sets = predictions[(predictions["test_set"] == "balanced") & predictions["in_domain"]]
    counts = sets.drop_duplicates(["test", "fold", "utt_id"]).groupby(["test", "fold", "y_true"]).size()
    sets_seen = sets[["test", "fold"]].drop_duplicates().itertuples(index=False)
    every_class = pd.MultiIndex.from_tuples([(t, f, e) for t, f in sets_seen for e in emotions],
                                            names=["test", "fold", "y_true"])
    counts = counts.reindex(counts.index.union(every_class), fill_value=0).rename("clips").reset_index()
    short = counts[counts["clips"] < n_per_class].rename(columns={"test": "corpus", "y_true": "emotion"})
    return short.assign(asked=n_per_class)[["corpus", "fold", "emotion", "asked", "clips"]]


def test_speakers(predictions: pd.DataFrame) -> dict[str, int]:
    """Distinct test speakers per test corpus over all folds (what the speaker bootstrap can resample)."""
    standard = predictions[predictions["test_set"] == "test"]
    return {str(k): int(v) for k, v in standard.groupby("test", sort=False)["speaker"].nunique().items()}


def make_report(cells: pd.DataFrame, per_run: pd.DataFrame, reduced: dict[str, Any], board: pd.DataFrame,
                predictions: pd.DataFrame, params: dict[str, Any], ingestion: dict[str, Any] | None,
                corpora: list[str], backbones: list[BackboneChoice]):
    """Heatmaps per backbone, leaderboard bars, the best backbone's confusion grid and the markdown report."""
    from ...evaluation.matrix import confusion_tables
    from ...evaluation.protocol import plan_seeds
    from ...reporting.cross_corpus_report import cross_corpus_markdown
    from ...reporting.plots import confusion_grid, leaderboard_bars, matrix_heatmaps
    from ..project_config import synthetic_flags

    flags = synthetic_flags(corpora, ingestion)
    synthetic = any(flags.values())
    metric = str(reduced["metric"])
    tables = {b: wide_matrix(cells, b, metric) for b in board["backbone"]}
    best = str(board["backbone"].iloc[0])
    confusions = {k.split("__", 1)[1]: v for k, v in confusion_tables(predictions).items()
                  if k.startswith(f"{best}__")}
    head = params.get("head", {})
    balanced = params.get("balanced_test") or {}
    setup = {"backbones": {b.alias: b.spec + (f" {b.options}" if b.options else "") for b in backbones},
             "folds": sorted(per_run["fold"].unique().tolist()),
             "seeds": plan_seeds(params), "row runs": int(per_run.groupby(["backbone", "fold", "seed", "train"])
                                                           .ngroups),
             "head": head.get("type"), "logit_adjustment": params.get("logit_adjustment"), "metric": metric,
             "lambda": params.get("lambda", 1.0), "bootstrap": params.get("bootstrap"),
             "balanced_test": balanced, "corpora": corpora}
    shortfalls = (balanced_shortfalls(predictions, int(balanced.get("n_per_class", 60)),
                                      balanced.get("emotions", EMOBOX_EMOTIONS))
                  if len(predictions) else None)
    report = cross_corpus_markdown(cells, board, reduced, flags, setup, shortfalls, test_speakers(predictions))
    return (matrix_heatmaps(tables, metric, synthetic), leaderboard_bars(board, synthetic),
            confusion_grid(confusions, synthetic), report)
