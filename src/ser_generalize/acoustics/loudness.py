"""Integrated loudness (ITU-R BS.1770-4, LUFS) via pyloudnorm."""

from __future__ import annotations

import numpy as np


def loudness_lufs(waveform: np.ndarray, sr: int) -> float:
    """Gated integrated loudness in LUFS; clips shorter than one 400 ms block are tiled to measure them."""
    import pyloudnorm

    x = np.asarray(waveform, dtype=np.float64)
    min_len = int(0.4 * sr) + 1
    if 0 < x.size < min_len:
        x = np.tile(x, int(np.ceil(min_len / x.size)))
    value = pyloudnorm.Meter(sr).integrated_loudness(x)
    return float(value) if np.isfinite(value) else -70.0
