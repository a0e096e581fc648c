"""From per-utterance predictions to cells over folds x seeds, reductions with intervals and a backbone leaderboard.

Predictions contract (one row per test utterance per trained head): ``backbone, fold, seed, train, test,
test_set ("test" | "balanced"), utt_id, speaker, y_true, y_pred, in_domain, joint, labels`` (the cell's
label set, comma-joined). A *run* is one (fold, seed) of a cell (backbone, train, test, test_set).

Intervals come from the speaker bootstrap (``bootstrap`` module): one weight vector per (test corpus,
test_set) and replicate, drawn over that corpus's sorted speakers and shared by every row, run and backbone,
so all comparisons are paired. A replicate's cell value is the mean over runs of the metric recomputed from
the run's speaker-weighted confusion matrix (speakers absent from a run add nothing to it). Reductions and
leaderboard differences are computed on every replicate matrix. Intervals are bias-corrected percentile
intervals (``bootstrap.bias_corrected_interval``): resampling inflates stds across cells, which shifts the
replicates of the weighted average down, and plain percentiles would then sit beside the point estimate.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .bootstrap import bias_corrected_interval, metrics_from_confusions, speaker_confusions, speaker_weights
from .metrics import METRICS
from .reductions import REDUCTION_KEYS, emobox_reduction, ser_evals_arrays

CELL_KEYS = ("backbone", "train", "test", "test_set")
RUN_KEYS = ("fold", "seed")
PREDICTION_COLUMNS = (*CELL_KEYS, *RUN_KEYS, "utt_id", "speaker", "y_true", "y_pred", "in_domain", "joint",
                      "labels")


@dataclass
class BootstrapScores:
    """Cells (one row per backbone x train x test x test_set) and their bootstrap replicates per metric."""

    cells: pd.DataFrame
    replicates: dict[str, np.ndarray] = field(default_factory=dict)  # metric -> (n_cells, n_boot)
    n_boot: int = 0
    alpha: float = 0.05


def _check(predictions: pd.DataFrame) -> None:
    """Raise naming the missing contract columns."""
    missing = [c for c in PREDICTION_COLUMNS if c not in predictions.columns]
    if missing:
        raise ValueError(f"predictions table lacks columns {missing}; expected {list(PREDICTION_COLUMNS)}")


def _corpus_rng(seed: int, test: str, test_set: str) -> np.random.Generator:
    """A generator fixed by (seed, test corpus, test_set) alone, so weights never depend on what else is scored."""
    return np.random.default_rng([int(seed), zlib.crc32(f"{test}\x00{test_set}".encode())])


def bootstrap_scores(
    predictions: pd.DataFrame, metric: str = "macro_f1", n_boot: int = 1000, seed: int = 0, alpha: float = 0.05
) -> BootstrapScores:
    """Score every cell over its fold x seed runs: mean/std/count per metric and a speaker-bootstrap CI of ``metric``."""
    _check(predictions)
    if metric not in METRICS:
        raise ValueError(f"metric '{metric}' unknown; use one of {list(METRICS)}")
    p = predictions.copy()
    for col in ("backbone", "train", "test", "test_set", "speaker", "y_true", "y_pred", "labels"):
        p[col] = p[col].astype(str)
    weights: dict[tuple[str, str], tuple[dict[str, int], np.ndarray]] = {}
    for (test, test_set), grp in p.groupby(["test", "test_set"], sort=True):
        spk = np.unique(grp["speaker"].to_numpy())
        weights[(test, test_set)] = ({s: i for i, s in enumerate(spk)},
                                     speaker_weights(len(spk), n_boot, _corpus_rng(seed, test, test_set)))
    rows, reps = [], {m: [] for m in METRICS}
    for key, cell in p.groupby(list(CELL_KEYS), sort=False):
        labels = sorted({lab for lab in str(cell["labels"].iloc[0]).split(",") if lab})
        index, w = weights[(key[2], key[3])]
        run_vals = {m: [] for m in METRICS}
        run_reps = {m: [] for m in METRICS}
        for _, run in cell.groupby(list(RUN_KEYS), sort=True):
            if not labels:
                continue
            ids, conf = speaker_confusions(run["y_true"], run["y_pred"], run["speaker"], labels)
            point = metrics_from_confusions(conf.sum(axis=0))
            cols = np.array([index[s] for s in ids], dtype=np.int64)
            rep = metrics_from_confusions((w[:, cols] @ conf.reshape(len(ids), -1)).reshape(n_boot, *conf.shape[1:]))
            for m in METRICS:
                run_vals[m].append(float(point[m]))
                run_reps[m].append(rep[m])
        row: dict[str, Any] = dict(zip(CELL_KEYS, key))
        row.update(in_domain=bool(cell["in_domain"].iloc[0]), joint=bool(cell["joint"].iloc[0]),
                   labels=",".join(labels), n_test=int(len(cell) / max(1, len(run_vals[metric]))))
        for m in METRICS:
            vals = np.array(run_vals[m], dtype=float)
            row[f"{m}_mean"] = float(np.nanmean(vals)) if np.isfinite(vals).any() else np.nan
            row[f"{m}_std"] = float(np.nanstd(vals, ddof=1)) if np.isfinite(vals).sum() > 1 else np.nan
            with np.errstate(all="ignore"):
                stack = np.vstack(run_reps[m]) if run_reps[m] else np.full((1, n_boot), np.nan)
                finite = np.isfinite(stack)
                reps[m].append(np.where(finite.any(0), np.where(finite, stack, 0).sum(0) / finite.sum(0), np.nan))
        row["count"] = len(run_vals[metric])
        row["metric"] = metric
        rows.append(row)
    cells = pd.DataFrame(rows)
    replicates = {m: np.vstack(v) if v else np.zeros((0, n_boot)) for m, v in reps.items()}
    if len(cells):
        cells["ci_low"], cells["ci_high"] = bias_corrected_interval(
            replicates[metric], cells[f"{metric}_mean"].to_numpy(), alpha)
    return BootstrapScores(cells, replicates, n_boot, alpha)


def score_predictions(
    predictions: pd.DataFrame, metric: str = "macro_f1", n_boot: int = 1000, seed: int = 0, alpha: float = 0.05
) -> pd.DataFrame:
    """The cells table of :func:`bootstrap_scores` (mean/std/count per metric, ci_low/ci_high of ``metric``)."""
    return bootstrap_scores(predictions, metric, n_boot, seed, alpha).cells


def _eligible_list(eligible: Iterable[str] | Mapping[str, bool] | None) -> list[str] | None:
    """Accept a list of corpora or the ``ood_eligible`` mapping."""
    if eligible is None:
        return None
    if isinstance(eligible, Mapping):
        return [k for k, v in eligible.items() if v]
    return [str(e) for e in eligible]


def _matrix_stack(scores: BootstrapScores, backbone: str, metric: str, test_set: str
                  ) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Rows, columns, point matrix (R x C) and replicate stack (B x R x C) of one backbone's single-corpus cells."""
    c = scores.cells
    sel = np.flatnonzero(((c["backbone"] == backbone) & (c["test_set"] == test_set) & ~c["joint"]).to_numpy())
    sub = c.iloc[sel]
    rows, cols = list(dict.fromkeys(sub["train"])), list(dict.fromkeys(sub["test"]))
    ri, ci = {r: i for i, r in enumerate(rows)}, {k: i for i, k in enumerate(cols)}
    point = np.full((len(rows), len(cols)), np.nan)
    stack = np.full((scores.n_boot, len(rows), len(cols)), np.nan)
    for k, (_, row) in zip(sel, sub.iterrows()):
        point[ri[row["train"]], ci[row["test"]]] = row[f"{metric}_mean"]
        stack[:, ri[row["train"]], ci[row["test"]]] = scores.replicates[metric][k]
    return rows, cols, point, stack


def point_matrix(scores: BootstrapScores, backbone: str, metric: str = "macro_f1", test_set: str = "test"
                 ) -> pd.DataFrame:
    """Wide train x test matrix of one backbone's single-corpus cell means (feed it to ``ser_evals_reductions``)."""
    rows, cols, point, _ = _matrix_stack(scores, backbone, metric, test_set)
    return pd.DataFrame(point, index=rows, columns=cols)


def _reduction_samples(scores: BootstrapScores, backbone: str, metric: str,
                       eligible: list[str] | None, lam: float) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Point reductions and their replicate arrays for one backbone (SER Evals on ``test``, EmoBox on ``balanced``)."""
    rows, cols, point, stack = _matrix_stack(scores, backbone, metric, "test")
    pt = ser_evals_arrays(point, rows, cols, eligible, lam)
    rp = ser_evals_arrays(stack, rows, cols, eligible, lam)
    points = {k: float(pt[k]) for k in REDUCTION_KEYS}
    samples = {k: rp[k] for k in REDUCTION_KEYS}
    b_rows, b_cols, b_point, b_stack = _matrix_stack(scores, backbone, "wa", "balanced")
    if b_rows:
        points["emobox_offdiag_accuracy"] = float(emobox_reduction(b_point, b_rows, b_cols))
        samples["emobox_offdiag_accuracy"] = emobox_reduction(b_stack, b_rows, b_cols)
    return points, samples


def _reductions_table(scores: BootstrapScores, metric: str | None, eligible: Iterable[str] | Mapping[str, bool] | None,
                      lam: float) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Per-backbone reductions with intervals, and each backbone's weighted-average replicates."""
    metric = metric or str(scores.cells["metric"].iloc[0])
    elig = _eligible_list(eligible)
    out, weighted = [], {}
    for backbone in dict.fromkeys(scores.cells["backbone"]):
        points, samples = _reduction_samples(scores, backbone, metric, elig, lam)
        weighted[backbone] = samples["weighted_average"]
        row: dict[str, Any] = {"backbone": backbone, "metric": metric}
        for k, v in points.items():
            low, high = bias_corrected_interval(samples[k], v, scores.alpha)
            row.update({k: v, f"{k}_ci_low": float(low), f"{k}_ci_high": float(high)})
        out.append(row)
    return pd.DataFrame(out), weighted


def reduce_with_intervals(
    scores: BootstrapScores, metric: str | None = None, eligible: Iterable[str] | Mapping[str, bool] | None = None,
    lam: float = 1.0,
) -> pd.DataFrame:
    """One row per backbone: SER Evals reductions (and EmoBox's on balanced sets) with ``_ci_low``/``_ci_high``."""
    return _reductions_table(scores, metric, eligible, lam)[0]


def leaderboard(
    scores: BootstrapScores, metric: str | None = None, eligible: Iterable[str] | Mapping[str, bool] | None = None,
    lam: float = 1.0,
) -> pd.DataFrame:
    """SER Evals Table-3-style board sorted by weighted average, with a paired bootstrap test against the best.

    ``gap_to_best`` = best's weighted average - this backbone's (same replicates for both, so paired);
    ``p_value`` = share of replicates where that gap <= 0 (one-sided: small = the best is really better).
    """
    table, samples = _reductions_table(scores, metric, eligible, lam)
    table = table.sort_values("weighted_average", ascending=False, kind="stable").reset_index(drop=True)
    best = table["backbone"].iloc[0]
    gaps, lows, highs, pvals = [], [], [], []
    for b, wa in zip(table["backbone"], table["weighted_average"]):
        diff = samples[best] - samples[b]
        gap = float(table["weighted_average"].iloc[0] - wa)
        low, high = bias_corrected_interval(diff, gap, scores.alpha)
        finite = diff[np.isfinite(diff)]
        gaps.append(gap)
        lows.append(float(low))
        highs.append(float(high))
        pvals.append(float(np.mean(finite <= 0)) if finite.size else np.nan)
    table.insert(1, "rank", np.arange(1, len(table) + 1))
    table["best"] = best
    table["gap_to_best"], table["gap_ci_low"], table["gap_ci_high"], table["p_value"] = gaps, lows, highs, pvals
    return table
