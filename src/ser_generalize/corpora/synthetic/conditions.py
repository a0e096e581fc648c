"""Recording conditions of a synthetic corpus: room reverberation, additive noise and a band-limiting channel.

Reverberation uses an exponentially decaying noise impulse response with a known T60 (Polack's
statistical room model), so profiling estimators can be checked against the value used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, fftconvolve, sosfilt

RENDER_VERSION = 2
"""Version of the recording chain, part of a generated corpus's settings so a changed chain regenerates it.

1: band limits applied to speech only, noise added after them. 2: noise added before the band limits.
"""


@dataclass(frozen=True)
class Condition:
    """One corpus's recording chain; ``None`` disables a stage."""

    t60_s: float | None = None
    direct_to_reverb_db: float = 0.0
    highpass_hz: float | None = None
    lowpass_hz: float | None = None
    snr_db: float | None = None
    noise_color: str = "pink"
    gain_db: float = -3.0

    @classmethod
    def from_dict(cls, cfg: dict | None) -> Condition:
        """Build from the ``condition`` block of a corpus spec; unknown keys raise naming them."""
        cfg = dict(cfg or {})
        unknown = set(cfg) - set(cls.__dataclass_fields__)
        if unknown:
            raise KeyError(
                f"unknown condition settings {sorted(unknown)}; known: {sorted(cls.__dataclass_fields__)}"
            )
        return cls(**cfg)


def room_impulse_response(
    t60_s: float, sample_rate: int, direct_to_reverb_db: float, rng: np.random.Generator
) -> np.ndarray:
    """Direct impulse plus Gaussian noise decaying by 60 dB over ``t60_s`` seconds."""
    n = int(max(t60_s, 0.05) * 1.2 * sample_rate)
    t = np.arange(n) / sample_rate
    tail = rng.standard_normal(n) * np.exp(-6.908 * t / t60_s)
    tail[0] = 0.0
    tail /= np.sqrt(np.sum(tail**2)) + 1e-12
    direct = 10 ** (direct_to_reverb_db / 20)
    rir = tail.copy()
    rir[0] = direct
    return rir / np.max(np.abs(rir))


def colored_noise(n: int, color: str, rng: np.random.Generator) -> np.ndarray:
    """White or pink (1/f power) Gaussian noise of unit variance."""
    white = rng.standard_normal(n)
    if color == "white":
        return white
    if color != "pink":
        raise ValueError(f"noise_color must be 'white' or 'pink', not '{color}'")
    spectrum = np.fft.rfft(white)
    freqs = np.arange(spectrum.size, dtype=float)
    freqs[0] = 1.0
    pink = np.fft.irfft(spectrum / np.sqrt(freqs), n)
    return pink / (np.std(pink) + 1e-12)


@dataclass(frozen=True)
class RenderedCondition:
    """A conditioned clip and its parts, so profiling estimators can be checked against what was applied.

    ``audio`` is what ``apply_condition`` returns; ``speech`` and ``noise`` are the two parts of the
    mixture (same final gain, float64, ``audio ~= speech + noise``); ``rir`` the impulse response
    used (``None`` when dry).
    """

    audio: np.ndarray
    speech: np.ndarray
    noise: np.ndarray
    rir: np.ndarray | None


def _channel(signal: np.ndarray, condition: Condition, sample_rate: int) -> np.ndarray:
    """The recording channel's band limits (high-pass, then low-pass), as the condition sets them."""
    if condition.highpass_hz:
        signal = sosfilt(butter(4, condition.highpass_hz, "highpass", fs=sample_rate, output="sos"), signal)
    if condition.lowpass_hz:
        signal = sosfilt(butter(6, condition.lowpass_hz, "lowpass", fs=sample_rate, output="sos"), signal)
    return signal


def render_condition(
    speech: np.ndarray, sample_rate: int, condition: Condition, rng: np.random.Generator
) -> RenderedCondition:
    """Run clean speech through the room, add the noise floor, then the channel's band limits; keep the parts.

    The noise is acoustic (it reaches the microphone with the speech), so it passes through the same
    band-limiting channel: a telephone line, codec or narrow-band recorder cuts both. Speech and noise go
    through the (linear) channel separately and the noise is scaled afterwards, so ``snr_db`` is the SNR
    of the recording as stored.
    """
    out = speech.astype(np.float64)
    rir = None
    if condition.t60_s:
        rir = room_impulse_response(condition.t60_s, sample_rate, condition.direct_to_reverb_db, rng)
        out = fftconvolve(out, rir)[: out.size + int(0.3 * condition.t60_s * sample_rate)]
    out = _channel(out, condition, sample_rate)
    clean = out.copy()
    noise = np.zeros_like(out)
    if condition.snr_db is not None:
        noise = _channel(colored_noise(out.size, condition.noise_color, rng), condition, sample_rate)
        speech_power = np.mean(out**2) + 1e-12
        noise *= np.sqrt(speech_power / 10 ** (condition.snr_db / 10) / (np.mean(noise**2) + 1e-30))
        out = out + noise
    gain = 10 ** (condition.gain_db / 20)
    out *= gain  # a fixed gain: loudness differences between emotions survive
    peak = np.max(np.abs(out))
    if peak > 0.99:
        out *= 0.99 / peak
        gain *= 0.99 / peak
    return RenderedCondition(out.astype(np.float32), clean * gain, noise * gain, rir)


def apply_condition(
    speech: np.ndarray, sample_rate: int, condition: Condition, rng: np.random.Generator
) -> np.ndarray:
    """Run clean speech through the room, the noise floor and the band-limiting channel."""
    return render_condition(speech, sample_rate, condition, rng).audio
