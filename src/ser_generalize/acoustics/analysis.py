"""One short-time analysis of a clip shared by the blind estimators: power spectrogram, noise floor, active frames.

The noise floor is a minimum-statistics style estimate (Martin 2001, batch form): per frequency bin, a low
percentile over time of the power spectrum smoothed over a few frames. Stationary noise (the case the
estimators are calibrated for) sits at that floor; speech, and its reverberant tail, sit above it in most
frames. Active frames follow ITU-T P.56's idea of an active speech level: frames within 15.9 dB of the mean
power of the active frames, found by a short fixed-point iteration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_FFT = 512
HOP = 128
FLOOR_PERCENTILE = 10.0
FLOOR_SMOOTH_FRAMES = 4
ACTIVE_MARGIN_DB = 15.9
FLOOR_BIAS = 2.9
"""Mean over the smoothed-percentile floor for stationary Gaussian noise with this STFT (measured, seeded)."""
MIN_FRAMES = 24
"""About 0.2 s at 16 kHz: below this no estimator has enough frames."""


class UnusableClip(ValueError):
    """The clip carries too little signal to profile (too short, silent, not finite); the message says which."""


def power_spectrogram(x: np.ndarray) -> np.ndarray:
    """|STFT|^2 (bins x frames), Hann window ``N_FFT``, hop ``HOP``, no padding."""
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::HOP]
    spec = np.fft.rfft(frames * np.hanning(N_FFT), axis=1)
    return (spec.real**2 + spec.imag**2).T


def active_mask(frame_power: np.ndarray, margin_db: float = ACTIVE_MARGIN_DB, iterations: int = 8) -> np.ndarray:
    """Frames whose power is within ``margin_db`` of the mean power of the active frames (P.56-style)."""
    active = frame_power > 0
    if not active.any():
        return active
    for _ in range(iterations):
        level = float(np.mean(frame_power[active]))
        new = frame_power > level * 10 ** (-margin_db / 10)
        if np.array_equal(new, active):
            break
        active = new
    return active


@dataclass(frozen=True)
class ClipAnalysis:
    """Power spectrogram and its noise-floor / activity summary for one clip."""

    sr: int
    power: np.ndarray          # bins x frames
    noise_psd: np.ndarray      # bins: minimum-statistics noise floor per bin
    speech_power: np.ndarray   # frames: total power above the noise floor
    active: np.ndarray         # frames: P.56-style active speech frames

    @property
    def freqs(self) -> np.ndarray:
        return np.fft.rfftfreq(N_FFT, 1.0 / self.sr)

    @property
    def frame_s(self) -> float:
        return HOP / self.sr


def analyse(waveform: np.ndarray, sr: int) -> ClipAnalysis:
    """Analyse a mono clip; raise :class:`UnusableClip` when it is too short, silent or not finite."""
    x = np.asarray(waveform, dtype=np.float64)
    if x.ndim != 1:
        raise UnusableClip(f"expected a mono 1-D waveform, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise UnusableClip("waveform contains NaN or infinite samples")
    if x.size < N_FFT + (MIN_FRAMES - 1) * HOP:
        raise UnusableClip(f"clip is {x.size / sr:.3f} s long; profiling needs at least "
                           f"{(N_FFT + (MIN_FRAMES - 1) * HOP) / sr:.2f} s")
    if not np.any(x):
        raise UnusableClip("clip is digital silence")
    power = power_spectrogram(x)
    kernel = np.ones(FLOOR_SMOOTH_FRAMES) / FLOOR_SMOOTH_FRAMES
    smooth = np.apply_along_axis(lambda r: np.convolve(r, kernel, mode="valid"), 1, power)
    noise = FLOOR_BIAS * np.percentile(smooth, FLOOR_PERCENTILE, axis=1)
    tiny = 1e-12 * float(np.max(power))
    noise = np.maximum(noise, tiny)
    speech = np.maximum(power.sum(axis=0) - noise.sum(), 0.0)
    active = active_mask(speech)
    if active.sum() < 3:
        raise UnusableClip("no frame rises above the noise floor (silence or noise only)")
    return ClipAnalysis(sr=sr, power=power, noise_psd=noise, speech_power=speech, active=active)
