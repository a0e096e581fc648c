"""Effective bandwidth and spectral roll-off: band-limiting (telephone EQ, low sample rates) shows up here."""

from __future__ import annotations

import numpy as np


def bandwidth_hz(waveform: np.ndarray, sr: int, energy_fraction: float = 0.99) -> float:
    """Frequency below which ``energy_fraction`` of the clip's long-term spectral energy lies."""
    import scipy.signal

    f, pxx = scipy.signal.welch(np.asarray(waveform, dtype=np.float64), fs=sr, nperseg=min(1024, len(waveform)))
    cum = np.cumsum(pxx)
    if cum[-1] <= 0:
        raise ValueError("bandwidth needs a non-silent signal")
    return float(f[np.searchsorted(cum, energy_fraction * cum[-1])])


def rolloff_hz(waveform: np.ndarray, sr: int, roll_percent: float = 0.85) -> float:
    """Median over frames of librosa's spectral roll-off (frequency under which ``roll_percent`` of energy lies)."""
    import librosa

    r = librosa.feature.spectral_rolloff(y=np.asarray(waveform, dtype=np.float32), sr=sr, roll_percent=roll_percent)
    return float(np.median(r))
