"""Log-mel frames with the CNN14 input settings (16 kHz, 64 mel bins, window 1024, hop 320)."""

from __future__ import annotations

from typing import Any

import librosa
import numpy as np

from .base import SAMPLE_RATE


class LogMelBackbone:
    """Log power mel spectrogram (dB, ref 1.0, as PANNs' CNN14 input); pooled = per-bin mean and std.

    ``pooled_dim`` is ``2 * n_mels``. ``fmax`` is capped at Nyquist (8 kHz at 16 kHz input).
    """

    name = "logmel"

    def __init__(
        self,
        n_mels: int = 64,
        n_fft: int = 1024,
        hop_length: int = 320,
        fmin: float = 50.0,
        fmax: float = 14_000.0,
    ) -> None:
        self.n_mels = int(n_mels)
        self.n_fft = int(n_fft)
        self.hop_length = int(hop_length)
        self.fmin = float(fmin)
        self.fmax = float(min(fmax, SAMPLE_RATE / 2))

    @property
    def dim(self) -> int:
        return self.n_mels

    @property
    def pooled_dim(self) -> int:
        return 2 * self.n_mels

    def config(self) -> dict[str, Any]:
        """The spectrogram parameters; any change re-extracts."""
        return {
            "backbone": "logmel",
            "sample_rate": SAMPLE_RATE,
            "n_mels": self.n_mels,
            "n_fft": self.n_fft,
            "hop_length": self.hop_length,
            "fmin": self.fmin,
            "fmax": self.fmax,
        }

    def _one(self, waveform: np.ndarray) -> np.ndarray:
        power = librosa.feature.melspectrogram(
            y=np.asarray(waveform, dtype=np.float32),
            sr=SAMPLE_RATE,
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            n_mels=self.n_mels,
            fmin=self.fmin,
            fmax=self.fmax,
            center=True,
            pad_mode="reflect",
            power=2.0,
        )
        return librosa.power_to_db(power, ref=1.0, amin=1e-10, top_db=None).T.astype(np.float32)

    def extract(self, waveforms: list[np.ndarray]) -> list[np.ndarray]:
        """``1 + samples // hop`` frames x ``n_mels`` per waveform."""
        return [self._one(w) for w in waveforms]

    def encode(self, waveforms: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
        """Frames and the per-bin mean+std vector."""
        frames = self.extract(waveforms)
        if not frames:
            return frames, np.zeros((0, self.pooled_dim), np.float32)
        pooled = np.stack([np.concatenate([f.mean(axis=0), f.std(axis=0)]) for f in frames])
        return frames, pooled.astype(np.float32)
