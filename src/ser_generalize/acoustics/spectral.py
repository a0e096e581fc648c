"""Effective bandwidth (the low-pass edge of the recording chain) and spectral roll-off.

The bandwidth estimator is learned, because hand rules failed: eSpeak voices have a natural 10-18 dB step
between 4 and 5.5 kHz that looks like a filter edge, and in noise the band above an edge often lies under
the floor. Each clip is summarised by band levels on a log-frequency grid (1/32 octave, 1-7.9 kHz) of the
98th-percentile and mean power over active frames and of the noise floor (:func:`bandwidth_band_levels`).
Every grid point from 2.9 kHz up is a candidate edge, described by the level and excess over the floor
at fixed octave offsets around it (:func:`candidate_features`): a filter keeps falling above its edge
(36 dB/octave for the generator's sixth-order Butterworth), a natural step flattens again. A small
neural network (:func:`edge_scores`) scores how likely each candidate is the edge; a logistic gate on the
best scores and the top-band excess decides "band-limited" or "full band" (the Nyquist frequency). Both
are fitted on the calibration sweep (:mod:`~ser_generalize.acoustics.calibration`) and stored as literals.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ser_generalize.acoustics.analysis import ClipAnalysis

GRID_LO_HZ, GRID_HI_HZ, PER_OCTAVE = 1000.0, 7900.0, 32
BAND_HALF_WIDTH_OCT = 1 / 24
CANDIDATE_LO_HZ = 2900.0
OFFSETS = (-16, -11, -8, -5, -3, 2, 3, 5, 8, 11, 16)
"""Grid steps (1/32 octave) around a candidate at which its features are read: -1/2 to +1/2 octave."""
EXCESS_CLIP_DB = (-5.0, 50.0)
GATE_TOP_BANDS = 6
BAND_KINDS = ("p98", "mean", "noise")


def band_grid_hz() -> np.ndarray:
    """The log-frequency grid (Hz) the band levels are read on; the same for every clip at 16 kHz."""
    n = int(np.floor(np.log2(GRID_HI_HZ / GRID_LO_HZ) * PER_OCTAVE)) + 1
    return GRID_LO_HZ * 2 ** (np.arange(n) / PER_OCTAVE)


def band_columns() -> list[str]:
    """Feature names of the band levels: ``bw_<kind>_<grid index>``."""
    return [f"bw_{kind}_{i:02d}" for kind in BAND_KINDS for i in range(len(band_grid_hz()))]


def _band_db(power: np.ndarray, freqs: np.ndarray, grid: np.ndarray) -> np.ndarray:
    lo, hi = grid * 2**-BAND_HALF_WIDTH_OCT, grid * 2**BAND_HALF_WIDTH_OCT
    csum = np.concatenate([[0.0], np.cumsum(power)])
    i0 = np.searchsorted(freqs, lo)
    i1 = np.maximum(np.searchsorted(freqs, hi), i0 + 1)
    return 10 * np.log10(np.maximum((csum[i1] - csum[i0]) / (i1 - i0), 1e-30))


def bandwidth_band_levels(a: ClipAnalysis) -> dict[str, float]:
    """Band levels (dB) on :func:`band_grid_hz` of the active frames' 98th-percentile and mean power and the floor.

    The 98th percentile because fricatives fill the upper band in a few frames only; the mean too, since
    at low SNR it sits closer to the floor where the band above an edge is empty.
    """
    if a.sr != 16_000:
        raise ValueError(f"the bandwidth estimator is calibrated at 16 kHz, got {a.sr} Hz; resample first")
    grid = band_grid_hz()
    active = a.power[:, a.active]
    levels = {"p98": np.percentile(active, 98.0, axis=1), "mean": active.mean(axis=1), "noise": a.noise_psd}
    out = {}
    for kind in BAND_KINDS:
        db = _band_db(levels[kind], a.freqs, grid)
        out.update({f"bw_{kind}_{i:02d}": float(v) for i, v in enumerate(db)})
    return out


def _levels(frame: Any, kind: str, n_grid: int) -> np.ndarray:
    """(clips x grid) band levels of one kind from a feature table or one clip's feature dict."""
    cols = [np.asarray(frame[f"bw_{kind}_{i:02d}"], dtype=float).reshape(-1) for i in range(n_grid)]
    return np.column_stack(cols)


def candidate_features(frame: Any) -> tuple[np.ndarray, np.ndarray]:
    """Candidate edges (Hz) and their features, shape (clips, candidates, features), from the band levels."""
    grid = band_grid_hz()
    n = len(grid)
    p98, mean, noise = (_levels(frame, kind, n) for kind in BAND_KINDS)
    exc = np.clip(p98 - noise, *EXCESS_CLIP_DB)
    exc_mean = np.clip(mean - noise, *EXCESS_CLIP_DB)
    top = p98[:, grid < 3000].max(axis=1)
    noise_tilt = noise - noise[:, [int(np.searchsorted(grid, 2000.0))]]
    cand = np.flatnonzero(grid >= CANDIDATE_LO_HZ)
    idx = np.clip(cand[:, None] + np.asarray(OFFSETS)[None, :], 0, n - 1)  # candidates x offsets
    c = cand
    blocks = [
        np.broadcast_to(np.log2(grid[c] / 4000.0), (p98.shape[0], len(c)))[..., None],
        np.broadcast_to(np.log2(GRID_HI_HZ / grid[c]), (p98.shape[0], len(c)))[..., None],
        (p98[:, c] - top[:, None])[..., None], exc[:, c, None], exc_mean[:, c, None],
        p98[:, idx] - p98[:, c, None], exc[:, idx], exc_mean[:, idx], noise_tilt[:, c, None],
    ]
    return grid[cand], np.concatenate(blocks, axis=2)


def edge_scores(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """Logit that each candidate is the edge: the fitted one-hidden-layer ReLU network, (clips, candidates)."""
    z = (x - np.asarray(model["mean"])) / np.asarray(model["std"])
    h = np.maximum(z @ np.asarray(model["w1"]) + np.asarray(model["b1"]), 0.0)
    return (h @ np.asarray(model["w2"]) + np.asarray(model["b2"]))[..., 0]


def gate_features(frame: Any, scores: np.ndarray) -> np.ndarray:
    """Per clip: the three best candidate logits, log-sum of probabilities, top-band excess and level, noise tilt."""
    grid = band_grid_hz()
    p98, _, noise = (_levels(frame, kind, len(grid)) for kind in BAND_KINDS)
    exc = np.clip(p98 - noise, *EXCESS_CLIP_DB)
    top = p98[:, grid < 3000].max(axis=1)
    best = -np.sort(-scores, axis=1)[:, :3]
    log_mass = np.log(np.sum(1.0 / (1.0 + np.exp(-scores)), axis=1))
    tilt = noise[:, -1] - noise[:, int(np.searchsorted(grid, 2000.0))]
    return np.column_stack([best, log_mass, exc[:, -GATE_TOP_BANDS:], p98[:, -GATE_TOP_BANDS:] - top[:, None], tilt])


def bandwidth_from_features(frame: Any, model: dict[str, Any], sr: int = 16_000) -> np.ndarray:
    """Estimated low-pass edge (Hz) per clip; the Nyquist frequency where the gate reads full band."""
    cand, x = candidate_features(frame)
    scores = edge_scores(model["edge"], x)
    g = model["gate"]
    z = (gate_features(frame, scores) - np.asarray(g["mean"])) / np.asarray(g["std"])
    p_limited = 1.0 / (1.0 + np.exp(-(z @ np.asarray(g["coef"]) + g["intercept"])))
    return np.where(p_limited >= model["gate_threshold"], cand[np.argmax(scores, axis=1)], sr / 2)


def rolloff_hz(waveform: np.ndarray, sr: int, roll_percent: float = 0.85) -> float:
    """Median over frames of librosa's spectral roll-off (frequency under which ``roll_percent`` of energy lies)."""
    import librosa

    r = librosa.feature.spectral_rolloff(y=np.asarray(waveform, dtype=np.float32), sr=sr, roll_percent=roll_percent)
    return float(np.median(r))
