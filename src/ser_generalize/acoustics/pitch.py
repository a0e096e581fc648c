"""F0 statistics (mean, std, range in Hz) of voiced frames via librosa's YIN with an energy-based voicing gate."""

from __future__ import annotations

import numpy as np

F0_MIN_HZ = 60.0
F0_MAX_HZ = 500.0


def f0_stats(waveform: np.ndarray, sr: int, fmin: float = F0_MIN_HZ, fmax: float = F0_MAX_HZ) -> dict[str, float]:
    """F0 mean/std/5-95 percentile range over voiced frames (YIN; pYIN is ~20x slower for the same profile)."""
    import librosa

    y = np.asarray(waveform, dtype=np.float32)
    frame, hop = 1024, 256
    f0 = librosa.yin(y, fmin=fmin, fmax=fmax, sr=sr, frame_length=frame, hop_length=hop)
    rms = librosa.feature.rms(y=y, frame_length=frame, hop_length=hop)[0][: len(f0)]
    voiced = (rms > 0.1 * np.max(rms)) & (f0 > fmin * 1.05) & (f0 < fmax * 0.95) if rms.size else np.zeros(0, bool)
    v = f0[: len(voiced)][voiced]
    if v.size == 0:
        return {"f0_mean_hz": float("nan"), "f0_std_hz": float("nan"), "f0_range_hz": float("nan")}
    lo, hi = np.percentile(v, [5, 95])
    return {"f0_mean_hz": float(np.mean(v)), "f0_std_hz": float(np.std(v)), "f0_range_hz": float(hi - lo)}
