"""openSMILE eGeMAPSv02: 25 low-level descriptors per 10 ms frame, 88 functionals as the pooled vector."""

from __future__ import annotations

from typing import Any

import numpy as np
import opensmile

from .base import SAMPLE_RATE

FRAME_DIM = 25
POOLED_DIM = 88


class EgemapsBackbone:
    """eGeMAPSv02 through openSMILE; CPU only, offline.

    Frames are the LowLevelDescriptors (25 dims, 10 ms hop); the pooled vector is the
    88 Functionals computed by openSMILE over the whole clip, so ``pooled_dim != dim``.
    """

    name = "egemaps"

    def __init__(self) -> None:
        self._lld = opensmile.Smile(
            feature_set=opensmile.FeatureSet.eGeMAPSv02,
            feature_level=opensmile.FeatureLevel.LowLevelDescriptors,
        )
        self._functionals = opensmile.Smile(
            feature_set=opensmile.FeatureSet.eGeMAPSv02, feature_level=opensmile.FeatureLevel.Functionals
        )

    @property
    def dim(self) -> int:
        return FRAME_DIM

    @property
    def pooled_dim(self) -> int:
        return POOLED_DIM

    def config(self) -> dict[str, Any]:
        """Feature set, levels and openSMILE version (a new release may change values)."""
        return {
            "backbone": "egemaps",
            "feature_set": "eGeMAPSv02",
            "frames": "LowLevelDescriptors",
            "pooled": "Functionals",
            "opensmile": opensmile.__version__,
        }

    def extract(self, waveforms: list[np.ndarray]) -> list[np.ndarray]:
        """LLD frames (``frames x 25``) per waveform."""
        return [self._lld.process_signal(w, SAMPLE_RATE).to_numpy(np.float32) for w in waveforms]

    def encode(self, waveforms: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
        """LLD frames and the 88 functionals per waveform."""
        frames = self.extract(waveforms)
        pooled = [self._functionals.process_signal(w, SAMPLE_RATE).to_numpy(np.float32)[0] for w in waveforms]
        return frames, np.stack(pooled) if pooled else np.zeros((0, POOLED_DIM), np.float32)
