"""Speaker-level bootstrap through per-speaker confusion matrices.

Utterances of one speaker are not independent, so intervals resample test *speakers* with replacement:
a replicate's confusion matrix is sum_s w[b, s] * C[s], with w[b] ~ Multinomial(n_speakers, uniform)
(how often speaker s was drawn). Every metric is then recomputed from that confusion matrix, so 1000
replicates cost one (B x S) @ (S x L^2) product instead of 1000 passes over the utterances.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy.stats import norm

from .metrics import METRICS


def speaker_confusions(
    y_true: Sequence, y_pred: Sequence, speakers: Sequence, labels: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted speaker ids and their confusion matrices ``C[s, i, j]`` (true ``labels[i]``, predicted ``labels[j]``).

    Every ``y_true`` and ``y_pred`` must be one of ``labels`` (filter rows and mask predictions to the cell's
    label set first, as the matrix does).
    """
    y_true, y_pred = np.asarray(y_true).astype(str), np.asarray(y_pred).astype(str)
    labels = [str(c) for c in labels]
    index = {c: i for i, c in enumerate(labels)}
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        outside = sorted(set(values.tolist()) - set(labels))
        if outside:
            raise ValueError(f"{name} holds {outside}, outside the cell's labels {labels}; "
                             "drop those rows or mask predictions to the labels first")
    spk_ids, spk = np.unique(np.asarray(speakers).astype(str), return_inverse=True)
    n = len(labels)
    ti = np.fromiter((index[v] for v in y_true), dtype=np.int64, count=len(y_true))
    pi = np.fromiter((index[v] for v in y_pred), dtype=np.int64, count=len(y_pred))
    flat = np.bincount(spk * n * n + ti * n + pi, minlength=len(spk_ids) * n * n)
    return spk_ids, flat.reshape(len(spk_ids), n, n).astype(float)


def metrics_from_confusions(confusions: np.ndarray) -> dict[str, np.ndarray]:
    """Macro-F1, UA (macro recall), WA (accuracy) and weighted F1 of ``C[..., true, pred]``, over leading axes.

    Same conventions as ``metrics.classification_metrics`` (sklearn, zero_division=0): classes with no true
    utterance are left out of the macro averages; an empty matrix gives NaN.
    """
    c = np.asarray(confusions, dtype=float)
    tp = np.diagonal(c, axis1=-2, axis2=-1)
    support = c.sum(axis=-1)
    predicted = c.sum(axis=-2)
    total = support.sum(axis=-1)
    present = support > 0
    n_present = present.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(present, tp / np.where(present, support, 1.0), 0.0)
        denom = support + predicted
        f1 = np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1.0), 0.0)
        out = {
            "macro_f1": (f1 * present).sum(axis=-1) / n_present,
            "ua": recall.sum(axis=-1) / n_present,
            "wa": tp.sum(axis=-1) / total,
            "weighted_f1": (f1 * support).sum(axis=-1) / total,
        }
    empty = total <= 0
    return {m: np.where(empty, np.nan, out[m]) for m in METRICS}


def speaker_weights(n_speakers: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``W[b, s]``: how often speaker ``s`` is drawn in replicate ``b`` (n_speakers draws with replacement)."""
    if n_speakers <= 0:
        return np.zeros((n_boot, 0))
    return rng.multinomial(n_speakers, np.full(n_speakers, 1.0 / n_speakers), size=n_boot).astype(float)


def percentile_interval(samples: np.ndarray, alpha: float = 0.05, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval ``(low, high)`` covering 1 - alpha of the finite bootstrap ``samples`` along ``axis``."""
    s = np.asarray(samples, dtype=float)
    s = np.where(np.isfinite(s), s, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN slice gives NaN, as wanted
        low, high = np.nanpercentile(s, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=axis)
    return low, high


def bias_corrected_interval(samples: np.ndarray, point: np.ndarray | float, alpha: float = 0.05
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Efron's bias-corrected (BC) percentile interval of replicates ``samples[..., b]`` around ``point[...]``.

    z0 = Phi^-1(share of finite replicates below the point, ties counted half); the interval is the
    Phi(2 z0 -+ z_{1-alpha/2}) percentiles. It equals the percentile interval when the point is the replicates'
    median, and stays centred where a plug-in statistic is biased under resampling (e.g. a std across cells).
    """
    s = np.asarray(samples, dtype=float)
    pt = np.broadcast_to(np.asarray(point, dtype=float), s.shape[:-1])
    flat, pts = s.reshape(-1, s.shape[-1]), pt.reshape(-1)
    low, high = np.full(len(pts), np.nan), np.full(len(pts), np.nan)
    z = norm.ppf(1 - alpha / 2)
    for k, (rep, p) in enumerate(zip(flat, pts)):
        rep = rep[np.isfinite(rep)]
        if rep.size == 0 or not np.isfinite(p):
            continue
        share = (np.sum(rep < p) + 0.5 * np.sum(rep == p)) / rep.size
        z0 = norm.ppf(np.clip(share, 0.5 / rep.size, 1 - 0.5 / rep.size))
        low[k], high[k] = np.percentile(rep, 100 * norm.cdf([2 * z0 - z, 2 * z0 + z]))
    return low.reshape(pt.shape), high.reshape(pt.shape)
