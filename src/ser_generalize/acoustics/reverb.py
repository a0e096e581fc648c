"""Blind reverberation features of speech: noise-floor-aware decay rates, early-decay drops, envelope modulation.

Three families, all read from the shared :mod:`~ser_generalize.acoustics.analysis` spectrogram:

* decay times: in octave bands, least-squares slopes of the level (dB) over sliding windows of 32-128 ms,
  kept only where the whole window stays ``DECAY_MARGIN_DB`` above the band's noise floor and falls
  steadily. A room cannot make speech decay faster than its own decay, so the fast end of that
  distribution tracks T60; the noise floor cannot fake a slow decay because windows near it are dropped
  (the flaw of a plain free-decay fit, which reads a noisy dry clip as a long T60).
* early drops: how far the level falls within 50 ms and 100 ms after a loud frame, relative to the
  headroom above the floor; direct sound and early reflections (C50) set this.
* modulation: the share of envelope modulation energy above 8 Hz (reverberation low-passes the
  envelope, as in SRMR, Falk et al. 2010) and the envelope's dip depth above the floor.

The features are mapped to T60 and C50 by linear maps fitted on a calibration sweep
(:mod:`~ser_generalize.acoustics.calibration`). The Loellmann et al. (2010) maximum-likelihood free-decay
T60 is kept as :func:`ml_free_decay_t60` for comparison.
"""

from __future__ import annotations

import itertools

import numpy as np

from ser_generalize.acoustics.analysis import ClipAnalysis

OCTAVE_EDGES_HZ = (125, 250, 500, 1000, 2000, 4000, 8000)
DECAY_WINDOWS = (4, 8, 16)
"""Window lengths in frames (8 ms hop): 32, 64 and 128 ms."""
DECAY_MARGIN_DB = 8.0
MAX_DECAY_S = 3.0
T60_GRID_S = np.geomspace(0.08, 3.0, 80)


def band_levels(a: ClipAnalysis) -> tuple[np.ndarray, np.ndarray]:
    """Octave-band power (bands x frames) and each band's noise-floor power (bands)."""
    f = a.freqs
    bands, floors = [], []
    for lo, hi in itertools.pairwise(OCTAVE_EDGES_HZ):
        sel = (f >= lo) & (f < hi) if hi < OCTAVE_EDGES_HZ[-1] else (f >= lo)
        bands.append(a.power[sel].sum(axis=0))
        floors.append(a.noise_psd[sel].sum())
    return np.array(bands), np.array(floors)


def _sliding_slopes(level_db: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares slope (dB/frame), residual rms and minimum of every length-``w`` window (bands x windows)."""
    win = np.lib.stride_tricks.sliding_window_view(level_db, w, axis=1)
    t = np.arange(w) - (w - 1) / 2
    slope = (win * t).sum(axis=2) / (t**2).sum()
    fit = win.mean(axis=2, keepdims=True) + slope[..., None] * t
    resid = np.sqrt(np.mean((win - fit) ** 2, axis=2))
    return slope, resid, win.min(axis=2)


def decay_times(a: ClipAnalysis, w: int) -> np.ndarray:
    """Decay times (s, 60 dB / slope) of steadily falling windows of ``w`` frames that stay above the floor."""
    bands, floors = band_levels(a)
    level = 10 * np.log10(np.maximum(bands, 1e-30))
    floor_db = 10 * np.log10(np.maximum(floors, 1e-30))[:, None]
    slope, resid, low = _sliding_slopes(level, w)
    rate = -slope / a.frame_s                                   # dB/s, positive when falling
    drop = rate * a.frame_s * (w - 1)
    ok = (rate > 0) & (low > floor_db + DECAY_MARGIN_DB) & (resid < 0.25 * drop + 0.5) & (drop > 1.0)
    return np.minimum(60.0 / rate[ok], MAX_DECAY_S)


def early_drops(a: ClipAnalysis) -> dict[str, float]:
    """90th percentile of the fraction of headroom lost 50 and 100 ms after loud frames (1 = fell to the floor)."""
    bands, floors = band_levels(a)
    level = 10 * np.log10(np.maximum(bands, 1e-30))
    floor_db = 10 * np.log10(np.maximum(floors, 1e-30))[:, None]
    head = level - floor_db
    out = {}
    for ms in (50, 100):
        k = round(ms / 1000 / a.frame_s)
        h0, h1 = head[:, :-k], head[:, k:]
        loud = h0 > 15.0
        frac = np.clip((h0 - h1) / np.maximum(h0, 1e-6), 0.0, 1.0)[loud]
        out[f"drop{ms}"] = float(np.percentile(frac, 90)) if frac.size else 0.0
    return out


def late_decay(a: ClipAnalysis, onset_ms: float = 50.0, span_ms: float = 100.0) -> float:
    """Log median decay time (s) of the level between ``onset_ms`` and ``onset_ms + span_ms`` after an offset.

    An offset is a loud frame (20 dB above the floor) followed by a drop of at least 6 dB within
    ``onset_ms``; the direct sound has gone by then, so the slope that follows is the room's tail. Only
    stretches that stay 6 dB above the floor count; NaN when fewer than three were found.
    """
    bands, floors = band_levels(a)
    head = 10 * np.log10(np.maximum(bands, 1e-30) / floors[:, None])
    k0 = round(onset_ms / 1000 / a.frame_s)
    k1 = k0 + round(span_ms / 1000 / a.frame_s)
    if head.shape[1] <= k1:
        return float("nan")
    h0, h_on, h_end = head[:, :-k1], head[:, k0:-(k1 - k0)], head[:, k1:]
    ok = (h0 >= 20.0) & (h0 - h_on >= 6.0) & (h_end >= 6.0) & (h_on > h_end)
    rate = (h_on - h_end)[ok] / (span_ms / 1000)
    if rate.size < 3:
        return float("nan")
    return float(np.log(np.median(np.minimum(60.0 / rate, MAX_DECAY_S))))


def modulation_features(a: ClipAnalysis) -> dict[str, float]:
    """Share of envelope modulation energy at 8-30 Hz vs 1-30 Hz, and dip depth (dB) above the floor."""
    bands, floors = band_levels(a)
    env = np.maximum(bands - floors[:, None], 0.0)
    keep = env.max(axis=1) > 0
    env = env[keep]
    if env.shape[0] == 0:
        return {"mod_high": 0.0, "dip_db": 0.0}
    env = env / (env.mean(axis=1, keepdims=True) + 1e-30)
    spec = np.abs(np.fft.rfft(env - env.mean(axis=1, keepdims=True), axis=1)) ** 2
    fm = np.fft.rfftfreq(env.shape[1], a.frame_s)
    low = spec[:, (fm >= 1) & (fm < 8)].sum(axis=1)
    high = spec[:, (fm >= 8) & (fm < 30)].sum(axis=1)
    mod_high = float(np.median(high / (low + high + 1e-30)))
    active = bands[:, a.active]
    lo, hi = np.percentile(active, [20, 95], axis=1)
    dip = 10 * np.log10(np.maximum(hi, 1e-30) / np.maximum(lo, 1e-30))
    return {"mod_high": mod_high, "dip_db": float(np.median(dip[keep]))}


def reverb_features(a: ClipAnalysis, waveform: np.ndarray | None = None) -> dict[str, float]:
    """All reverberation features of one analysed clip (decay-time percentiles, drops, modulation, ML T60)."""
    out: dict[str, float] = {"late_decay": late_decay(a)}
    if waveform is not None:
        out["ml_t60_log"] = float(np.log(ml_free_decay_t60(waveform, a.sr)))
    for w in DECAY_WINDOWS:
        d = decay_times(a, w)
        for q in (10, 50):
            out[f"decay{w}_p{q}"] = float(np.log(np.percentile(d, q))) if d.size >= 3 else np.nan
        out[f"decay{w}_n"] = float(d.size)
    out.update(early_drops(a))
    out.update(modulation_features(a))
    return out


def _ml_t60(frames: np.ndarray, sr: int) -> np.ndarray:
    """ML T60 over ``T60_GRID_S`` for each frame (rows) under the exponential free-decay model."""
    n = frames.shape[1]
    idx = np.arange(n)
    log_a = -3.0 * np.log(10.0) / (T60_GRID_S * sr)                 # a**(T60*sr) = 1e-3 (60 dB)
    inv_gain = np.exp(-2.0 * np.outer(log_a, idx))                  # a**(-2n), grid x n
    sigma2 = (frames**2) @ inv_gain.T / n                            # frames x grid
    ll = -0.5 * n * (n - 1) * log_a[None, :] - 0.5 * n * np.log(np.maximum(sigma2, 1e-300))
    return T60_GRID_S[np.argmax(ll, axis=1)]


def ml_free_decay_t60(waveform: np.ndarray, sr: int, frame_s: float = 0.2, subframes: int = 4) -> float:
    """Loellmann et al. (IWAENC 2010) ML free-decay T60: median over monotonically falling 200 ms frames.

    Kept for comparison only: it has no noise model, so below about 20 dB SNR it reads the noise floor as
    a slow decay (a dry clip at 12 dB SNR reads about 2 s).
    """
    x = np.asarray(waveform, dtype=np.float64)
    n = int(frame_s * sr) // subframes * subframes
    if x.size < n:
        raise ValueError(f"T60 estimation needs at least {frame_s} s of audio")
    starts = np.arange(0, x.size - n + 1, n // 4)
    frames = np.stack([x[s : s + n] for s in starts])
    sub = frames.reshape(len(starts), subframes, n // subframes)
    energy = np.sum(sub**2, axis=2)
    peak = np.max(np.abs(sub), axis=2)
    low = np.min(np.abs(sub), axis=2)
    loud = energy.sum(axis=1) > 1e-4 * energy.sum(axis=1).max()
    falling = np.all(np.diff(energy, axis=1) < 0, axis=1) & np.all(np.diff(peak, axis=1) < 0, axis=1)
    falling &= np.all(np.diff(low, axis=1) <= 0, axis=1)
    cand = frames[falling & loud]
    if cand.shape[0] == 0:
        cand = frames[loud]
    return float(np.median(_ml_t60(cand, sr)))


def c50_from_ir(rir: np.ndarray, sr: int) -> float:
    """Clarity C50 (dB) of an impulse response: energy in the first 50 ms after the direct path over the rest."""
    h = np.asarray(rir, dtype=np.float64)
    start = int(np.argmax(np.abs(h)))
    k = start + round(0.05 * sr)
    early, late = np.sum(h[start:k] ** 2), np.sum(h[k:] ** 2)
    if late <= 0:
        return float("inf")
    return float(10 * np.log10(early / late))
