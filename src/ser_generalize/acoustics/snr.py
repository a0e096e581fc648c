"""Blind SNR: active-speech level over a minimum-statistics noise floor, and WADA-SNR (Kim & Stern 2008).

``active_snr_raw`` is the ratio of the mean power above the noise floor in P.56-style active frames to
the noise-floor power (see :mod:`~ser_generalize.acoustics.analysis`); the calibrated estimator in
:mod:`~ser_generalize.acoustics.calibration` combines it with WADA-SNR. WADA alone reads reverberation
as noise (a reverberant clip at 35 dB SNR reads about 25 dB) and saturates in near-silent noise.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ser_generalize.acoustics.analysis import ClipAnalysis

SNR_RANGE_DB = (-20, 60)
GAMMA_SHAPE = 0.4
"""Kim & Stern model clean-speech amplitudes as Gamma(0.4) and noise as Gaussian."""


@lru_cache(maxsize=1)
def _wada_table(n: int = 200_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Expected G = log E|x| - E log|x| per true SNR, simulated (seeded) under the WADA signal model."""
    rng = np.random.default_rng(seed)
    speech = rng.gamma(GAMMA_SHAPE, 1.0, n) * rng.choice([-1.0, 1.0], n)
    speech /= np.sqrt(np.mean(speech**2))
    noise = rng.standard_normal(n)
    snrs = np.arange(SNR_RANGE_DB[0], SNR_RANGE_DB[1] + 1, dtype=np.float64)
    g = np.empty_like(snrs)
    for i, snr in enumerate(snrs):
        a = np.maximum(np.abs(speech + noise * 10 ** (-snr / 20)), 1e-12)
        g[i] = np.log(np.mean(a)) - np.mean(np.log(a))
    return g, snrs


def wada_snr(waveform: np.ndarray) -> float:
    """Blind SNR in dB (clipped to -20..60) by matching the clip's amplitude statistic G to the WADA model."""
    x = np.asarray(waveform, dtype=np.float64)
    if x.size == 0 or not np.any(x):
        raise ValueError("WADA-SNR needs a non-silent signal")
    a = np.maximum(np.abs(x / np.max(np.abs(x))), 1e-12)
    g_obs = np.log(np.mean(a)) - np.mean(np.log(a))
    g, snrs = _wada_table()
    order = np.argsort(g)
    return float(np.interp(g_obs, g[order], snrs[order]))


def active_snr_raw(a: ClipAnalysis) -> float:
    """10 log10(mean active power above the floor / floor power), dB (uncalibrated, capped at 80 dB)."""
    noise = float(a.noise_psd.sum())
    speech = float(np.mean(a.speech_power[a.active]))
    return float(min(10 * np.log10(max(speech, 1e-30) / noise), 80.0))


def snr_features(a: ClipAnalysis, waveform: np.ndarray) -> dict[str, float]:
    """Blind SNR features of one clip: the active-level SNR and WADA-SNR (dB)."""
    return {"snr_active_raw": active_snr_raw(a), "snr_wada": wada_snr(waveform)}
