"""Decode audio on demand to 16 kHz mono float32, with errors that name the file and the fix."""

from __future__ import annotations

import os
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

TARGET_SAMPLE_RATE = 16_000
"""Every backbone and estimator receives audio at this rate."""

MIN_DURATION_S = 0.1
"""Shorter clips carry no usable emotion and break frame-based extractors."""


class AudioError(ValueError):
    """An audio file cannot be used; the message names the file, the reason and what to do."""

    def __init__(self, path: str | os.PathLike[str], reason: str, action: str) -> None:
        self.path = str(path)
        self.reason = reason
        self.action = action
        super().__init__(f"{self.path}: {reason} ({action})")


@dataclass(frozen=True)
class AudioInfo:
    """What the file header says, read without decoding the samples."""

    sample_rate: int
    channels: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


INTEGER_CODINGS = ("PCM_", "ULAW", "ALAW", "IMA_ADPCM", "MS_ADPCM", "G721", "G723", "DWVW", "DPCM", "GSM610",
                   "VOX_ADPCM", "NMS_ADPCM")
"""Sample codings (soundfile subtypes) that cannot hold NaN or Inf, so no decode is needed to rule them out."""

BLOCK_FRAMES = 1 << 16
"""Frames read at a time when scanning samples."""


def check_finite(path: str | os.PathLike[str], subtype: str | None = None) -> None:
    """Raise :class:`AudioError` when a float-coded file holds NaN or Inf samples (read in blocks).

    Integer-coded files (PCM, u-law, ADPCM...) are skipped: they cannot hold such values.
    """
    subtype = subtype if subtype is not None else sf.info(str(path)).subtype
    if str(subtype).startswith(INTEGER_CODINGS):
        return
    seen = 0
    try:
        for block in sf.blocks(str(path), blocksize=BLOCK_FRAMES, dtype="float64", always_2d=True):
            bad = ~np.isfinite(block)
            if bad.any():
                first = seen + int(np.flatnonzero(bad.any(axis=1))[0])
                raise AudioError(
                    path, f"audio contains NaN or infinite samples (first at sample {first})",
                    "re-export this file (e.g. from the original recording) or remove it",
                )
            seen += len(block)
    except AudioError:
        raise
    except Exception as exc:
        raise AudioError(path, f"decoding failed ({exc})", "convert it to WAV/FLAC or remove it") from exc


def probe_audio(path: str | os.PathLike[str], check_samples: bool = False) -> AudioInfo:
    """Read a file's header; raise :class:`AudioError` for missing, non-audio, corrupt or empty files.

    ``check_samples`` also decodes float-coded files to reject NaN/Inf samples (see :func:`check_finite`),
    as ingestion does, so such a file lands in the rejects table instead of failing at extraction.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(path, "file does not exist", "check the corpus root and that the file was not moved")
    if path.stat().st_size == 0:
        raise AudioError(path, "file is empty (0 bytes)", "re-download or re-export this file")
    try:
        info = sf.info(str(path))
    except Exception as exc:  # soundfile raises RuntimeError/LibsndfileError subclasses
        raise AudioError(path, f"not decodable audio ({exc})", "convert it to WAV/FLAC or remove it") from exc
    if info.frames <= 0:
        raise AudioError(path, "audio has no samples", "re-export this file or remove it")
    if info.frames / info.samplerate < MIN_DURATION_S:
        raise AudioError(
            path, f"audio is {info.frames / info.samplerate:.3f} s long, under {MIN_DURATION_S} s", "remove it"
        )
    if check_samples:
        check_finite(path, info.subtype)
    return AudioInfo(sample_rate=int(info.samplerate), channels=int(info.channels), frames=int(info.frames))


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Average channels of a (frames, channels) array; a 1-D array is returned unchanged."""
    return samples.mean(axis=1) if samples.ndim == 2 else samples


def resample(samples: np.ndarray, source_rate: int, target_rate: int = TARGET_SAMPLE_RATE) -> np.ndarray:
    """Polyphase resampling (anti-aliased) between integer rates."""
    if source_rate == target_rate:
        return samples
    divisor = gcd(int(source_rate), int(target_rate))
    return resample_poly(samples, target_rate // divisor, source_rate // divisor).astype(np.float32)


def load_audio(path: str | os.PathLike[str], target_rate: int = TARGET_SAMPLE_RATE) -> np.ndarray:
    """Decode ``path`` to mono float32 at ``target_rate``; stereo is down-mixed, other rates resampled."""
    probe_audio(path)
    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except Exception as exc:
        raise AudioError(path, f"decoding failed ({exc})", "convert it to WAV/FLAC or remove it") from exc
    samples = resample(to_mono(samples), rate, target_rate)
    if not np.all(np.isfinite(samples)):
        raise AudioError(path, "audio contains NaN or infinite samples", "re-export this file")
    return np.ascontiguousarray(samples, dtype=np.float32)
