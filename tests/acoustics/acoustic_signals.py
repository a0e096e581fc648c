"""Signals with known properties: harmonic tone-burst trains, exponential-decay RIRs of known T60."""

from __future__ import annotations

import numpy as np

SR = 16_000


def burst_train(seed: int = 0, seconds: float = 6.0, n_bursts: int = 6, gap_s: float = 0.9) -> np.ndarray:
    """Speech-like harmonic bursts (random F0 100-220 Hz, Hann envelope) separated by silences."""
    rng = np.random.default_rng(seed)
    y = np.zeros(int(seconds * SR))
    t = np.arange(int(0.25 * SR)) / SR
    for k in range(n_bursts):
        f0 = rng.uniform(100, 220)
        s = sum(np.sin(2 * np.pi * h * f0 * t) / h for h in range(1, 15)) * np.hanning(len(t))
        start = int(k * gap_s * SR)
        y[start : start + len(t)] += s
    return y / np.max(np.abs(y)) * 0.5


def exp_rir(t60: float, seed: int = 1) -> np.ndarray:
    """Gaussian noise under an exp envelope falling 60 dB in ``t60`` seconds, plus a direct path."""
    rng = np.random.default_rng(seed)
    n = int(1.5 * t60 * SR)
    h = rng.standard_normal(n) * np.exp(-6.908 * np.arange(n) / SR / t60)
    h[0] = 1.0
    return h


