"""Calibration sweep for the blind estimators: render known conditions on the project's speech, fit, score.

Clean eSpeak NG speech from the default synthetic corpus specs (four languages, ten voices) goes through
the generator's own recording chain (:func:`~ser_generalize.corpora.synthetic.conditions.render_condition`)
with randomly drawn, seeded conditions. The truth is what that code applied: the impulse response's T60,
its C50 (measured on the response itself), the active-speech SNR of the speech and noise parts it
returns, and the low-pass edge. The calibration split and the evaluation split use disjoint utterances
and disjoint condition seeds; maps are fitted on the first and scored on the second only.
"""

from __future__ import annotations

import json
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from ser_generalize.acoustics.analysis import N_FFT, active_mask, analyse, power_spectrogram
from ser_generalize.acoustics.reverb import c50_from_ir, reverb_features
from ser_generalize.acoustics.snr import snr_features
from ser_generalize.acoustics.spectral import (
    bandwidth_band_levels,
    bandwidth_from_features,
    candidate_features,
    edge_scores,
    gate_features,
)

SAMPLE_RATE = 16_000
C50_CAP_DB = 25.0
"""C50 above this is inaudible as reverberation; dry speech (C50 = inf) counts as the cap."""
T60_RANGE_S = (0.0, 3.0)
SNR_RANGE_DB = (-10.0, 60.0)
T60_WEAK_CAP_S = 0.15
"""Shortest room in the sweep: where the dry gate has weak doubt (P(dry) above the gate), T60 reads no longer."""
DRY_GATE_QUANTILE = 98.0
"""The gate is the P(dry) that only 2 % of reverberant calibration clips exceed (fitted, never on evaluation)."""
FEATURES_T60 = ["decay4_p10", "decay4_p50", "decay8_p10", "decay8_p50", "decay16_p10", "decay16_p50",
                "drop50", "drop100", "mod_high", "dip_db", "snr_active_raw", "late_decay", "ml_t60_log"]
FEATURES_C50 = FEATURES_T60
FEATURES_SNR = ["snr_active_raw", "snr_wada", "drop50", "decay8_p50", "dip_db"]
SPLIT_OFFSET = {"calibration": 0, "evaluation": 1}
EDGE_LABEL_TOLERANCE = 0.035
"""A candidate within this log-ratio of the applied edge (about 3.5 %) counts as the edge when fitting."""
GATE_FULL_BAND_SHARE = 0.97
"""The gate threshold lets this share of full-band calibration clips (out-of-fold) read full band."""
BANDWIDTH_FOLDS = 4
SNR_BANDS_DB = (("SNR < 5 dB", -np.inf, 5), ("SNR 5-10 dB", 5, 10), ("SNR 10-20 dB", 10, 20),
                ("SNR >= 20 dB", 20, np.inf))
"""Active-speech SNR bands of the per-band bandwidth rows (the sweep draws 0-40 dB whole-clip SNR)."""
EDGE_BAND_OCT = 1 / 6
"""Width of the band just below a low-pass edge whose speech-to-noise ratio says how visible the edge is."""
EDGE_SNR_BANDS_DB = (("below-edge speech >= 0 dB over the noise", 0, np.inf),
                     ("below-edge speech 0 to 6 dB under the noise", -6, 0),
                     ("below-edge speech 6 to 12 dB under the noise", -12, -6),
                     ("below-edge speech > 12 dB under the noise", -np.inf, -12))
"""Bands of the truth-side edge visibility (:func:`edge_band_snr`) for the bandwidth rows."""


@dataclass(frozen=True)
class SweepCondition:
    """One drawn recording condition; ``t60_s == 0`` is dry, ``lowpass_hz is None`` full band."""

    t60_s: float
    direct_to_reverb_db: float
    snr_db: float
    noise_color: str
    lowpass_hz: float | None
    highpass_hz: float | None

    def as_generator(self) -> dict[str, Any]:
        """The generator's ``condition`` block for this draw (unit gain)."""
        return {"t60_s": self.t60_s or None, "direct_to_reverb_db": self.direct_to_reverb_db,
                "snr_db": self.snr_db, "noise_color": self.noise_color, "lowpass_hz": self.lowpass_hz,
                "highpass_hz": self.highpass_hz, "gain_db": -3.0}


def draw_conditions(n: int, rng: np.random.Generator) -> list[SweepCondition]:
    """``n`` random conditions: T60 0 (dry, 1 in 4) or 0.15-1.2 s, DRR -4..8 dB, SNR 0-40 dB white/pink, edge 3.4-8 kHz."""
    out = []
    for _ in range(n):
        t60 = 0.0 if rng.random() < 0.25 else float(rng.uniform(0.15, 1.2))
        lowpass = None if rng.random() < 0.4 else float(rng.uniform(3400, 7600))
        highpass = [None, 150.0, 300.0][int(rng.integers(3))] if lowpass and lowpass < 4500 else None
        out.append(SweepCondition(
            t60_s=round(t60, 3), direct_to_reverb_db=round(float(rng.uniform(-4, 8)), 2),
            snr_db=round(float(rng.uniform(0, 40)), 2), noise_color=["white", "pink"][int(rng.integers(2))],
            lowpass_hz=None if lowpass is None else round(lowpass), highpass_hz=highpass))
    return out


def _speech_worker(specs: dict[str, dict], picks: list[tuple[str, int]], seed: int) -> list[np.ndarray]:
    """Clean speech (generator gain only) for (corpus spec, plan index) pairs; run in a fresh process."""
    from ser_generalize.corpora.synthetic.generate import plan_corpus, synthesize_utterance

    plans = {name: plan_corpus(spec) for name, spec in specs.items()}
    return [synthesize_utterance(plans[name][i], {**specs[name], "condition": {"gain_db": 0.0}},
                                 f"calibration-{name}", seed, SAMPLE_RATE) for name, i in picks]


def clean_speech(specs: dict[str, dict], n: int, split: str, seed: int) -> list[np.ndarray]:
    """``n`` clean utterances, alternating over the corpus specs; the two splits use disjoint plan items.

    eSpeak keeps state between calls, so speech is made in a fresh process, as the generator does: the same
    arguments give the same samples in any caller.
    """
    from ser_generalize.corpora.synthetic.generate import plan_corpus

    rng = np.random.default_rng([seed, 7])
    names = sorted(specs)
    pools = {name: rng.permutation(len(plan_corpus(specs[name])))[SPLIT_OFFSET[split]::2] for name in names}
    picks = []
    for k in range(n):
        pool_k = pools[names[k % len(names)]]
        picks.append((names[k % len(names)], int(pool_k[(k // len(names)) % len(pool_k)])))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=1) as pool:
        return pool.submit(_speech_worker, specs, picks, seed).result()


def true_active_snr(speech: np.ndarray, noise: np.ndarray) -> float:
    """Active-speech SNR (dB): mean power of P.56-style active frames of the speech part over the noise power."""
    ps = power_spectrogram(speech).sum(axis=0)
    pn = power_spectrogram(noise).sum(axis=0)
    return float(10 * np.log10(np.mean(ps[active_mask(ps)]) / np.mean(pn)))


def edge_band_snr(speech: np.ndarray, noise: np.ndarray, edge_hz: float | None, sr: int = SAMPLE_RATE) -> float:
    """How visible a low-pass edge is (dB; NaN for full band): over the active frames of the speech part,
    its power in the :data:`EDGE_BAND_OCT` below ``edge_hz`` over the noise part's mean power there.

    Truth-side (it reads the two parts the renderer returns), so it can say which misses no blind
    estimator could avoid: where the speech just below the edge lies far under the noise, band-limited
    and full-band recordings differ by less than the noise floor's own fluctuation."""
    if not edge_hz:
        return float("nan")
    freqs = np.fft.rfftfreq(N_FFT, 1.0 / sr)
    band = (freqs > edge_hz * 2**-EDGE_BAND_OCT) & (freqs <= edge_hz)
    ps, pn = power_spectrogram(speech), power_spectrogram(noise)
    active = active_mask(ps.sum(axis=0))
    return float(10 * np.log10(max(ps[band][:, active].sum(axis=0).mean(), 1e-30)
                               / max(pn[band].sum(axis=0).mean(), 1e-30)))


def clip_features(audio: np.ndarray, sr: int = SAMPLE_RATE) -> dict[str, float]:
    """Every blind feature the calibrated estimators read (see reverb, snr and spectral modules)."""
    a = analyse(audio, sr)
    return {**reverb_features(a, audio), **snr_features(a, audio), **bandwidth_band_levels(a)}


def render_sweep(specs: dict[str, dict], n: int, split: str, seed: int, reps: int = 1) -> pd.DataFrame:
    """Render ``n`` conditions of ``split`` per repetition and return truth + blind features, one row per clip.

    Repetition 0 is the split itself; repetitions 1.. draw fresh conditions (own seeds) on the same
    utterances, so the maps are fitted on more conditions without touching the other split's speech.
    """
    speech = clean_speech(specs, n, split, seed)
    rows = []
    for rep in range(reps):
        rng = np.random.default_rng([seed, SPLIT_OFFSET[split]] + ([rep] if rep else []))
        rows += _render_rep(speech, draw_conditions(n, rng), rng, split, rep)
    return pd.DataFrame(rows)


def _render_rep(speech: list[np.ndarray], conditions: list[SweepCondition], rng: np.random.Generator,
                split: str, rep: int) -> list[dict[str, Any]]:
    from ser_generalize.corpora.synthetic.conditions import Condition, render_condition

    rows = []
    for k, (cond, clean) in enumerate(zip(conditions, speech)):
        r = render_condition(clean, SAMPLE_RATE, Condition.from_dict(cond.as_generator()), rng)
        c50 = c50_from_ir(r.rir, SAMPLE_RATE) if r.rir is not None else np.inf
        truth = {"true_t60_s": cond.t60_s, "true_c50_db": float(min(c50, C50_CAP_DB)),
                 "true_snr_db": true_active_snr(r.speech, r.noise),
                 "true_bandwidth_hz": cond.lowpass_hz or SAMPLE_RATE / 2,
                 "true_edge_band_snr_db": edge_band_snr(r.speech, r.noise, cond.lowpass_hz)}
        rows.append({"split": split, "rep": rep, "clip": k, **asdict(cond), **truth, **clip_features(r.audio)})
    return rows


# ----------------------------------------------------------------------------- fitting and applying maps


def _design(frame: pd.DataFrame | dict, features: list[str], fill: dict[str, float]) -> np.ndarray:
    get = (lambda f: np.asarray(frame[f], dtype=float)) if isinstance(frame, pd.DataFrame) else (
        lambda f: np.asarray([frame[f]], dtype=float))
    cols = []
    for f in features:
        v = get(f)
        cols.append(np.where(np.isfinite(v), v, fill[f]))
    return np.column_stack(cols)


def fit_linear_map(frame: pd.DataFrame, features: list[str], target: str, ridge: float = 1.0) -> dict[str, Any]:
    """Ridge regression ``target ~ features`` (standardised, missing values filled with the mean)."""
    fill = {f: float(np.nanmean(frame[f])) for f in features}
    x = _design(frame, features, fill)
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mu) / sd
    y = frame[target].to_numpy(float)
    coef = np.linalg.solve(z.T @ z + ridge * np.eye(z.shape[1]), z.T @ (y - y.mean()))
    return {"features": features, "fill": fill, "mean": mu.tolist(), "std": sd.tolist(), "coef": coef.tolist(),
            "intercept": float(y.mean())}


def apply_linear_map(model: dict[str, Any], frame: pd.DataFrame | dict) -> np.ndarray:
    """Predictions of a map from :func:`fit_linear_map` for a feature table or one clip's feature dict."""
    x = _design(frame, model["features"], model["fill"])
    z = (x - np.asarray(model["mean"])) / np.asarray(model["std"])
    return model["intercept"] + z @ np.asarray(model["coef"])


def fit_tree_map(frame: pd.DataFrame, features: list[str], target: str) -> dict[str, Any]:
    """Gradient-boosted trees ``target ~ features`` (scikit-learn HistGradientBoostingRegressor, seeded), as lists.

    Used for T60, whose blind cues interact (a decay slope means little when few decays stand above the noise
    floor): on the calibration sweep it ranks rooms better than the ridge map (Spearman 0.91 against 0.89 on
    the evaluation split). Missing values are filled with the mean, as for the linear maps; each tree is
    stored as node lists so the estimator needs no pickled model.
    """
    from sklearn.ensemble import HistGradientBoostingRegressor

    fill = {f: float(np.nanmean(frame[f])) for f in features}
    model = HistGradientBoostingRegressor(max_leaf_nodes=15, max_iter=100, early_stopping=False, random_state=0)
    model.fit(_design(frame, features, fill), frame[target].to_numpy(float))
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append({"feature": nodes["feature_idx"].tolist(), "threshold": nodes["num_threshold"].tolist(),
                      "left": nodes["left"].tolist(), "right": nodes["right"].tolist(),
                      "leaf": nodes["is_leaf"].astype(int).tolist(), "value": nodes["value"].tolist(),
                      "missing_left": nodes["missing_go_to_left"].astype(int).tolist()})
    return {"kind": "trees", "features": features, "fill": fill,
            "baseline": float(np.ravel(model._baseline_prediction)[0]), "trees": trees}


def _apply_trees(model: dict[str, Any], frame: pd.DataFrame | dict) -> np.ndarray:
    x = _design(frame, model["features"], model["fill"])
    rows = np.arange(len(x))
    total = np.full(len(x), model["baseline"])
    for tree in model["trees"]:
        arrays = {k: np.asarray(v, dtype=bool if k in ("leaf", "missing_left") else None) for k, v in tree.items()}
        node = np.zeros(len(x), dtype=int)
        while not arrays["leaf"][node].all():
            value = x[rows, arrays["feature"][node]]
            left = np.where(np.isnan(value), arrays["missing_left"][node], value <= arrays["threshold"][node])
            node = np.where(arrays["leaf"][node], node, np.where(left, arrays["left"][node], arrays["right"][node]))
        total += arrays["value"][node]
    return total


def apply_map(model: dict[str, Any], frame: pd.DataFrame | dict) -> np.ndarray:
    """Predictions of a fitted map (tree map from :func:`fit_tree_map`, else linear) for a table or one clip."""
    return _apply_trees(model, frame) if model.get("kind") == "trees" else apply_linear_map(model, frame)


def fit_dry_classifier(frame: pd.DataFrame, features: list[str], c: float = 10.0) -> dict[str, Any]:
    """Logistic regression P(dry | features) (standardised, L2 strength ``1/c``), for the two-stage T60 map."""
    from sklearn.linear_model import LogisticRegression

    fill = {f: float(np.nanmean(frame[f])) for f in features}
    x = _design(frame, features, fill)
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    clf = LogisticRegression(C=c, max_iter=2000).fit((x - mu) / sd, frame["true_t60_s"].to_numpy() == 0)
    return {"features": features, "fill": fill, "mean": mu.tolist(), "std": sd.tolist(),
            "coef": clf.coef_[0].tolist(), "intercept": float(clf.intercept_[0])}


def fit_dry_gate(frame: pd.DataFrame, dry_map: dict[str, Any]) -> float:
    """P(dry) above which the T60 estimate is capped: the ``DRY_GATE_QUANTILE`` percentile over reverberant clips.

    A soft (1 - P(dry)) x T60 still reads a few hundred ms on a dry phrase with a slow natural fade when P(dry) is
    near one half; capping there costs at most 2 % of the calibration rooms, all short ones in practice.
    """
    p_dry = 1.0 / (1.0 + np.exp(-apply_linear_map(dry_map, frame)))
    return float(np.percentile(p_dry[frame["true_t60_s"].to_numpy() > 0], DRY_GATE_QUANTILE))


def _fit_edge_network(x: np.ndarray, y: np.ndarray, max_iter: int) -> dict[str, Any]:
    """One-hidden-layer ReLU network (scikit-learn, seeded) on standardised candidate features; weights as lists."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    net = MLPClassifier((32,), alpha=1e-3, max_iter=max_iter, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit((x - mu) / sd, y)
    return {"mean": mu.tolist(), "std": sd.tolist(), "w1": net.coefs_[0].tolist(), "b1": net.intercepts_[0].tolist(),
            "w2": net.coefs_[1].tolist(), "b2": net.intercepts_[1].tolist()}


def fit_bandwidth_model(frame: pd.DataFrame, max_iter: int = 300) -> dict[str, Any]:
    """Edge network + full-band gate, fitted on calibration clips only (stacked, folds by utterance).

    The network learns which candidate is the applied edge; the gate (logistic) learns "band-limited" from
    out-of-fold network scores, where band-limited means an edge more than 10 % below Nyquist (reading
    full band is within 10 % of any higher edge). Its threshold lets ``GATE_FULL_BAND_SHARE`` of the
    full-band clips (out of fold) read full band. ``max_iter``: the network's training epochs.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    nyq = SAMPLE_RATE / 2
    edge = frame["true_bandwidth_hz"].to_numpy(float)
    cand, x = candidate_features(frame)
    y = (np.abs(np.log(cand[None, :] / edge[:, None])) < EDGE_LABEL_TOLERANCE) & (edge[:, None] < nyq)
    groups = frame["clip"].to_numpy()
    folds = list(GroupKFold(BANDWIDTH_FOLDS).split(x, groups=groups))
    scores = np.zeros(y.shape)
    flat = x.shape[2]
    for train, test in folds:
        net = _fit_edge_network(x[train].reshape(-1, flat), y[train].ravel(), max_iter)
        scores[test] = edge_scores(net, x[test])
    g = gate_features(frame, scores)
    mu, sd = g.mean(axis=0), g.std(axis=0) + 1e-9
    limited = edge < nyq / 1.1
    gate = LogisticRegression(C=1.0, max_iter=5000)
    p_oof = cross_val_predict(gate, (g - mu) / sd, limited, cv=folds, method="predict_proba")[:, 1]
    gate.fit((g - mu) / sd, limited)
    threshold = float(np.quantile(p_oof[edge >= nyq], GATE_FULL_BAND_SHARE))
    return {"edge": _fit_edge_network(x.reshape(-1, flat), y.ravel(), max_iter),
            "gate": {"mean": mu.tolist(), "std": sd.tolist(), "coef": gate.coef_[0].tolist(),
                     "intercept": float(gate.intercept_[0])},
            "gate_threshold": threshold}


def fit_calibration(frame: pd.DataFrame) -> dict[str, Any]:
    """All maps from a calibration-split table (never the evaluation split).

    ``frame`` may hold several condition draws per utterance (``reps`` of :func:`render_sweep`): every map
    is fitted on all of them (the bandwidth model keeps an utterance's draws in one fold).
    """
    if set(frame["split"]) != {"calibration"}:
        raise ValueError("fit_calibration takes the calibration split only")
    reverberant = frame[frame["true_t60_s"] > 0]
    dry_map = fit_dry_classifier(frame, FEATURES_T60)
    return {"t60_dry": dry_map, "t60_dry_gate": fit_dry_gate(frame, dry_map),
            "t60": fit_tree_map(reverberant, FEATURES_T60, "true_t60_s"),
            "c50": fit_linear_map(frame, FEATURES_C50, "true_c50_db"),
            "snr": fit_linear_map(frame, FEATURES_SNR, "true_snr_db"),
            "bandwidth": fit_bandwidth_model(frame)}


def estimates_from_features(features: pd.DataFrame | dict, calibration: dict[str, Any],
                            sr: int = SAMPLE_RATE) -> dict[str, np.ndarray]:
    """Calibrated T60 (s), C50 (dB), SNR (dB) and bandwidth (Hz) from blind features, clipped to their ranges.

    T60 is two-stage: (1 - P(dry)) x the T60 map fitted on reverberant clips, so dry speech reads near 0;
    where P(dry) exceeds the calibrated gate the evidence for a room is weak and T60 is capped at ``T60_WEAK_CAP_S``.
    """
    p_dry = 1.0 / (1.0 + np.exp(-apply_linear_map(calibration["t60_dry"], features)))
    t60_reverberant = np.clip(apply_map(calibration["t60"], features), *T60_RANGE_S)
    t60 = (1.0 - p_dry) * t60_reverberant
    return {
        "t60_s": np.where(p_dry >= calibration["t60_dry_gate"], np.minimum(t60, T60_WEAK_CAP_S), t60),
        "c50_db": np.clip(apply_linear_map(calibration["c50"], features), -10.0, C50_CAP_DB),
        "snr_db": np.clip(apply_linear_map(calibration["snr"], features), *SNR_RANGE_DB),
        "bandwidth_hz": bandwidth_from_features(features, calibration["bandwidth"], sr),
    }


# ----------------------------------------------------------------------------- scoring


def _scores(est: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    if len(truth) == 0:   # a subset a small sweep does not reach
        return {"n": 0, "mae": np.nan, "bias": np.nan, "spearman": np.nan}
    err = est - truth
    rho = spearmanr(est, truth).statistic if len(truth) > 2 and np.ptp(truth) > 0 else np.nan
    return {"n": len(truth), "mae": float(np.mean(np.abs(err))), "bias": float(np.mean(err)),
            "spearman": float(rho)}


def _edge_snr(frame: pd.DataFrame) -> pd.Series:
    """The edge-visibility truth column (NaN everywhere for a sweep rendered before it existed)."""
    return frame["true_edge_band_snr_db"] if "true_edge_band_snr_db" in frame else pd.Series(np.nan, frame.index)


def accuracy_table(frame: pd.DataFrame, calibration: dict[str, Any]) -> pd.DataFrame:
    """Per estimator and subset: n, MAE, bias, Spearman against the truth; plus the issue's target checks."""
    est = estimates_from_features(frame, calibration)
    nyq = SAMPLE_RATE / 2
    rev = frame["true_t60_s"] > 0
    snr_band = frame["true_snr_db"].between(0, 30)
    limited = frame["true_bandwidth_hz"] < nyq
    rows = []

    def add(estimator: str, subset: str, mask: pd.Series, unit: str, target: str, check: str = "") -> None:
        m = mask.to_numpy()
        key = {"T60": "t60_s", "C50": "c50_db", "SNR": "snr_db", "bandwidth": "bandwidth_hz"}[estimator]
        truth = {"T60": "true_t60_s", "C50": "true_c50_db", "SNR": "true_snr_db",
                 "bandwidth": "true_bandwidth_hz"}[estimator]
        rows.append({"estimator": estimator, "subset": subset, "unit": unit,
                     **_scores(est[key][m], frame[truth].to_numpy(float)[m]), "target": target, "check": check})

    def met(ok: bool) -> str:
        return "yes" if ok else "no"

    add("T60", "all clips", frame["t60_s"] >= 0, "s", "MAE <= 0.15, Spearman >= 0.9")
    rows[-1]["met"] = met(rows[-1]["mae"] <= 0.15 and rows[-1]["spearman"] >= 0.9)
    add("T60", "reverberant clips", rev, "s", "")
    add("T60", "SNR >= 10 dB", frame["true_snr_db"] >= 10, "s", "")
    dry10 = (~rev) & (frame["true_snr_db"] >= 10)
    worst = float(np.max(est["t60_s"][dry10.to_numpy()])) if dry10.any() else np.nan
    rows.append({"estimator": "T60", "subset": "dry, SNR >= 10 dB: largest estimate", "unit": "s",
                 "n": int(dry10.sum()), "mae": np.nan, "bias": np.nan, "spearman": np.nan,
                 "target": "<= 0.3", "check": f"{worst:.2f}", "met": met(worst <= 0.3)})
    add("C50", "all clips (dry = cap)", frame["t60_s"] >= 0, "dB", "")
    add("C50", "reverberant clips", rev, "dB", "")
    add("SNR", "SNR 0-30 dB, dry", snr_band & ~rev, "dB", "MAE <= 3")
    rows[-1]["met"] = met(rows[-1]["mae"] <= 3)
    add("SNR", "SNR 0-30 dB, reverberant", snr_band & rev, "dB", "MAE <= 3")
    rows[-1]["met"] = met(rows[-1]["mae"] <= 3)
    add("SNR", "all clips", frame["t60_s"] >= 0, "dB", "")
    rel = np.abs(est["bandwidth_hz"] - frame["true_bandwidth_hz"].to_numpy(float)) / frame["true_bandwidth_hz"]
    within = rel <= 0.10
    reads_full = pd.Series(est["bandwidth_hz"] >= 0.9 * nyq, index=frame.index)
    snr = frame["true_snr_db"]
    bands = [(name, snr.between(lo, hi, inclusive="left")) for name, lo, hi in SNR_BANDS_DB]
    full = ~limited
    for subset, mask, target in (
            [("band-limited clips", limited, "within 10 % of the edge (>= 90 % of clips)"),
             ("band-limited, SNR >= 10 dB", limited & (snr >= 10), ""),
             ("band-limited, edge <= 5.5 kHz", limited & (frame["true_bandwidth_hz"] <= 5500), "")]
            + [(f"band-limited, {name}", limited & m, "") for name, m in bands]
            + [(f"band-limited, {name}", limited & _edge_snr(frame).between(lo, hi, inclusive="left"), "")
               for name, lo, hi in EDGE_SNR_BANDS_DB]):
        share = float(within[mask].mean()) if mask.any() else np.nan
        add("bandwidth", subset, mask, "Hz", target, f"{100 * share:.1f} % within 10 %")
        if target:
            rows[-1]["met"] = met(share >= 0.9)
    for subset, mask, target in ([("full band", full, "reads full band (>= 95 % of clips)")]
                                 + [(f"full band, {name}", full & m, "") for name, m in bands]):
        share = float(reads_full[mask].mean()) if mask.any() else np.nan
        add("bandwidth", subset, mask, "Hz", target, f"{100 * share:.1f} % read >= 7.2 kHz")
        if target:
            rows[-1]["met"] = met(share >= 0.95)
    return pd.DataFrame(rows).fillna({"met": ""})


# ----------------------------------------------------------------------------- writing


DOCS_START = "<!-- calibration-table:start (written by scripts/calibrate_profiling.py) -->"
DOCS_END = "<!-- calibration-table:end -->"


def write_coefficients(calibration: dict[str, Any], path: str | Path, provenance: dict[str, Any]) -> Path:
    """Write the fitted maps as a Python module (``CALIBRATION``) so the estimators need no data file."""
    from ser_generalize.utils.io import atomic_write_text

    text = (
        '"""Estimator maps fitted by scripts/calibrate_profiling.py on the calibration split; do not edit by hand."""\n\n'
        f"PROVENANCE = {json.dumps(provenance, sort_keys=True)}\n\n"
        f"CALIBRATION = {_compact_json(calibration)}\n"
    )
    return atomic_write_text(path, text)


def _compact_json(value: Any) -> str:
    """Indented JSON with every innermost list on one line (the tree maps' node lists stay readable)."""
    text = json.dumps(value, indent=4, sort_keys=True)
    return re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)


def docs_table(table: pd.DataFrame, provenance: dict[str, Any]) -> str:
    """Markdown of the accuracy table with a provenance line (synthetic speech, split sizes, seed)."""
    from ser_generalize.reporting.markdown import markdown_table

    shown = table.copy()
    for col, fmt in (("mae", "{:.3g}"), ("bias", "{:+.3g}"), ("spearman", "{:.3f}")):
        shown[col] = [("" if not np.isfinite(v) else fmt.format(v)) for v in shown[col]]
    reps = int(provenance.get("reps", 1))
    head = (f"Evaluation split of the calibration sweep: {provenance['n_per_split']} clips (maps fitted on a "
            f"disjoint calibration split of {provenance['n_per_split']} other utterances"
            + (f", each rendered under {reps} drawn conditions" if reps > 1 else "")
            + f"), seed {provenance['seed']}, synthetic eSpeak NG speech.")
    return head + "\n\n" + markdown_table(shown)


def write_docs_table(table: pd.DataFrame, path: str | Path, provenance: dict[str, Any]) -> Path:
    """Replace the text between the calibration markers of ``path`` with the table (markers must exist)."""
    from ser_generalize.utils.io import atomic_write_text

    path = Path(path)
    text = path.read_text("utf-8")
    if DOCS_START not in text or DOCS_END not in text:
        raise ValueError(f"{path} has no calibration markers; add the lines\n{DOCS_START}\n{DOCS_END}")
    before, rest = text.split(DOCS_START, 1)
    _, after = rest.split(DOCS_END, 1)
    return atomic_write_text(path, f"{before}{DOCS_START}\n{docs_table(table, provenance)}\n{DOCS_END}{after}")
