"""The one interface every feature extractor implements, and the spec parser that builds them."""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

import numpy as np

SAMPLE_RATE = 16_000
"""Backbones receive 16 kHz mono float32 waveforms (``audio.io.load_audio``)."""


@runtime_checkable
class Backbone(Protocol):
    """Waveforms -> per-clip ``frames x dim`` float32 arrays, plus one pooled vector per clip.

    ``dim`` is the frame dimension and ``pooled_dim`` the pooled one; they differ for
    ``egemaps`` (25 LLDs per frame, 88 functionals pooled) and ``logmel`` (mean+std pooling).
    """

    name: str
    """Short, file-name-safe name used in cache file names (``egemaps``, ``hf-whisper-base``...)."""

    @property
    def dim(self) -> int: ...

    @property
    def pooled_dim(self) -> int: ...

    def config(self) -> dict[str, Any]:
        """Everything that changes the output; hashed into the feature-cache key."""
        ...

    def extract(self, waveforms: list[np.ndarray]) -> list[np.ndarray]:
        """Frame-level features, one ``frames x dim`` float32 array per waveform."""
        ...

    def encode(self, waveforms: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
        """Frame-level features and the pooled ``n x pooled_dim`` float32 matrix in one pass."""
        ...


def mean_pool(frames: list[np.ndarray], dim: int) -> np.ndarray:
    """Mean over frames per clip, the pooled vector of learned encoders (``n x dim`` float32)."""
    if not frames:
        return np.zeros((0, dim), dtype=np.float32)
    return np.stack([f.mean(axis=0) for f in frames]).astype(np.float32)


AUTOCAST_CHOICES = ("auto", "bfloat16", "float16", "none")


def autocast_dtype(device: Any, option: str = "auto") -> str:
    """Mixed precision for a torch backbone: ``"none"`` off CUDA; on CUDA ``auto`` = bfloat16 where supported
    (Ampere and newer), else float16. The result is part of the backbone config (it changes the features)."""
    if option not in AUTOCAST_CHOICES:
        raise ValueError(f"autocast must be one of {AUTOCAST_CHOICES}, got {option!r}")
    if getattr(device, "type", str(device)) != "cuda" or option == "none":
        return "none"
    if option != "auto":
        return option
    import torch

    return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"


def autocast_context(device: Any, precision: str):
    """``torch.autocast`` on CUDA for ``precision`` (bfloat16/float16), a no-op context otherwise."""
    import contextlib

    import torch

    if precision == "none" or getattr(device, "type", str(device)) != "cuda":
        return contextlib.nullcontext()
    return torch.autocast("cuda", dtype=getattr(torch, precision))


def safe_name(text: str) -> str:
    """Make a spec usable inside the store directory name ``{corpus}.{backbone}.{hash}`` (no dots, slashes or spaces)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "backbone"


def build_backbone(spec: str, options: dict[str, Any] | None = None) -> Backbone:
    """Build a backbone from ``egemaps``, ``logmel``, ``cnn14`` or ``hf:<checkpoint-or-local-path>``.

    ``options`` are backbone-specific keyword arguments (e.g. ``layer``, ``batch_size``, ``device``
    for ``hf:``); unknown options raise ``TypeError`` naming them.
    """
    options = dict(options or {})
    spec = spec.strip()
    if spec == "egemaps":
        from .egemaps import EgemapsBackbone

        return EgemapsBackbone(**options)
    if spec == "logmel":
        from .logmel import LogMelBackbone

        return LogMelBackbone(**options)
    if spec == "cnn14":
        from .cnn14 import Cnn14Backbone

        return Cnn14Backbone(**options)
    if spec.startswith("hf:") and len(spec) > 3:
        from .hf import HFBackbone

        return HFBackbone(spec[3:], **options)
    raise ValueError(
        f"unknown backbone spec '{spec}'; use 'egemaps', 'logmel', 'cnn14' or 'hf:<checkpoint-or-local-path>'"
    )
