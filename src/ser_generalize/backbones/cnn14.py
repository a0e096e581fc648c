"""Frozen CNN14 (PANNs) as a feature backbone: conv frames per 0.64 s, PANNs' fc1 embedding pooled."""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np
import torch

from ..models.cnn14_network import BASE_CHANNELS, Cnn14, load_panns_checkpoint
from ..utils.device import pick_device
from .base import autocast_context, autocast_dtype

log = logging.getLogger(__name__)


class Cnn14Backbone:
    """CNN14 trunk in eval mode; frames = last conv block over time, pooled = PANNs' clip embedding.

    ``checkpoint_path`` loads PANNs weights (``Cnn14_16k_mAP=0.438.pth``); without one the trunk keeps
    a seeded random initialisation, a random-feature baseline that is logged as such. Clips are run one
    at a time, so no clip's features depend on another clip's padding. On CUDA the trunk runs under
    ``autocast`` (bfloat16/float16; the STFT front end stays float32 inside autocast).
    """

    def __init__(
        self,
        checkpoint_path: str | None = None,
        width: float = 1.0,
        device: str = "auto",
        seed: int = 0,
        autocast: str = "auto",
    ) -> None:
        self.checkpoint_path = os.fspath(checkpoint_path) if checkpoint_path else None
        if self.checkpoint_path and not os.path.isfile(self.checkpoint_path):
            raise FileNotFoundError(
                f"CNN14 checkpoint {self.checkpoint_path} not found; download Cnn14_16k_mAP=0.438.pth "
                "(Zenodo record 3987831) or leave backbone_options.checkpoint_path unset for random weights"
            )
        self.width = float(width)
        self.seed = int(seed)
        self.device = pick_device(device)
        self.autocast = autocast_dtype(self.device, autocast)
        self.name = "cnn14" if self.checkpoint_path else "cnn14-random"
        self._weights: dict[str, Any] = {"random_init_seed": self.seed}
        if self.checkpoint_path:
            stat = os.stat(self.checkpoint_path)
            self._weights = {"checkpoint": os.path.abspath(self.checkpoint_path), "size": stat.st_size,
                             "mtime_ns": stat.st_mtime_ns}
        self._model: Cnn14 | None = None
        self._dim = max(1, round(BASE_CHANNELS[-1] * self.width))  # Cnn14's embedding_dim, without building it

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def pooled_dim(self) -> int:
        return self._dim

    def config(self) -> dict[str, Any]:
        """Width and the weights' identity (path, size, modification time when built; or the random seed)."""
        return {"backbone": "cnn14", "width": self.width, "autocast": self.autocast, **self._weights}

    def _load(self) -> Cnn14:
        if self._model is None:
            torch.manual_seed(self.seed)
            model = Cnn14(num_classes=2, width=self.width)
            if self.checkpoint_path:
                load_panns_checkpoint(model, self.checkpoint_path)
            else:
                log.warning("cnn14 backbone without checkpoint_path: random weights (a baseline, not PANNs features)")
            self._model = model.eval().to(self.device)
        return self._model

    @torch.inference_mode()
    def _run(self, waveform: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        model = self._load()
        wave = torch.from_numpy(np.asarray(waveform, dtype=np.float32))[None].to(self.device)
        with autocast_context(self.device, self.autocast):
            frames = model.frame_features(wave)
            pooled = model.pool(frames)
        return frames[0].float().cpu().numpy(), pooled[0].float().cpu().numpy()

    def extract(self, waveforms: list[np.ndarray]) -> list[np.ndarray]:
        """``time x channels`` frames per waveform (one time step per 0.64 s, at least one)."""
        return [self._run(w)[0] for w in waveforms]

    def encode(self, waveforms: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
        """Frames and PANNs' fc1 clip embedding (max + mean over time, then fc1 + ReLU)."""
        pairs = [self._run(w) for w in waveforms]
        if not pairs:
            return [], np.zeros((0, self.pooled_dim), np.float32)
        return [f for f, _ in pairs], np.stack([p for _, p in pairs]).astype(np.float32)
