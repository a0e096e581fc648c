"""Blind reverberation time T60 (maximum-likelihood free-decay estimation) and clarity C50 derived from it.

Method: Löllmann, Yilmaz, Jeub & Vary (IWAENC 2010), "An improved algorithm for blind reverberation
time estimation", itself built on Ratnam et al. (JASA 2003): frames whose sub-frame energy, maximum
and minimum all fall monotonically are taken as candidate free decays; for each, the decay rate of the
model x(n) = sigma * a**n * w(n), w ~ N(0, 1), is estimated by maximum likelihood over a grid of T60;
the clip's T60 is the median of the candidates' estimates (Löllmann smooth an order statistic
recursively across frames; the median is its batch counterpart).
"""

from __future__ import annotations

import numpy as np

T60_GRID_S = np.geomspace(0.08, 3.0, 80)
FRAME_S = 0.2
SUBFRAMES = 4


def _ml_t60(frames: np.ndarray, sr: int) -> np.ndarray:
    """ML T60 over ``T60_GRID_S`` for each frame (rows) under the exponential free-decay model."""
    n = frames.shape[1]
    idx = np.arange(n)
    log_a = -3.0 * np.log(10.0) / (T60_GRID_S * sr)                 # a**(T60*sr) = 1e-3 (60 dB)
    inv_gain = np.exp(-2.0 * np.outer(log_a, idx))                  # a**(-2n), grid x n
    sigma2 = (frames**2) @ inv_gain.T / n                            # frames x grid
    ll = -0.5 * n * (n - 1) * log_a[None, :] - 0.5 * n * np.log(np.maximum(sigma2, 1e-300))
    return T60_GRID_S[np.argmax(ll, axis=1)]


def estimate_t60(waveform: np.ndarray, sr: int) -> float:
    """Blind T60 in seconds of a reverberant speech clip (Löllmann et al. 2010 ML free-decay method)."""
    x = np.asarray(waveform, dtype=np.float64)
    n = int(FRAME_S * sr) // SUBFRAMES * SUBFRAMES
    hop = n // 4
    if x.size < n:
        raise ValueError(f"T60 estimation needs at least {FRAME_S} s of audio")
    starts = np.arange(0, x.size - n + 1, hop)
    frames = np.stack([x[s : s + n] for s in starts])
    sub = frames.reshape(len(starts), SUBFRAMES, n // SUBFRAMES)
    energy = np.sum(sub**2, axis=2)
    peak = np.max(np.abs(sub), axis=2)
    low = np.min(np.abs(sub), axis=2)
    loud = energy.sum(axis=1) > 1e-4 * energy.sum(axis=1).max()
    falling = np.all(np.diff(energy, axis=1) < 0, axis=1) & np.all(np.diff(peak, axis=1) < 0, axis=1)
    falling &= np.all(np.diff(low, axis=1) <= 0, axis=1)
    cand = frames[falling & loud]
    if cand.shape[0] == 0:
        cand = frames[loud]
    estimates = _ml_t60(cand, sr)
    return float(np.median(estimates))


def c50_from_t60(t60_s: float) -> float:
    """Clarity C50 (dB) implied by T60 under Polack's exponential-decay model (energy decays 13.8/T60 per s).

    C50 = 10 log10((1 - exp(-13.8 * 0.05 / T60)) / exp(-13.8 * 0.05 / T60)): early (< 50 ms) over late energy
    of an ideal diffuse exponential decay; it ignores the direct path, so it is a lower bound for near talkers.
    """
    if not t60_s > 0:
        raise ValueError(f"T60 must be positive, got {t60_s}")
    late = np.exp(-13.8 * 0.05 / t60_s)
    return float(10.0 * np.log10((1.0 - late) / late))
