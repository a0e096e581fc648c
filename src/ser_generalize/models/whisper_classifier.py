"""Whisper encoder + the Generalize paper's FC head (4096-2048-1024-512-classes) for fine-tuning.

The encoder runs trimmed to the clip length (``models.whisper_encoder.whisper_encoder_states``) and its
final hidden states are mean-pooled over the clip's own frames only.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from transformers import WhisperConfig, WhisperFeatureExtractor, WhisperModel

from .whisper_encoder import tiny_whisper_config as tiny_encoder_config
from .whisper_encoder import trimmed_whisper_inputs, whisper_encoder_states

SAMPLE_RATE = 16_000


def tiny_whisper_config(
    d_model: int = 64, layers: int = 2, heads: int = 4, num_mel_bins: int = 80
) -> WhisperConfig:
    """A tiny randomly initialised Whisper config for CPU runs and tests (no download)."""
    return tiny_encoder_config(
        d_model=d_model,
        encoder_layers=layers,
        encoder_attention_heads=heads,
        encoder_ffn_dim=d_model * 2,
        num_mel_bins=num_mel_bins,
    )


def fc_stack(in_dim: int, fc_dims: Sequence[int], num_classes: int, dropout: float) -> nn.Sequential:
    """Linear + ReLU + dropout for each width in ``fc_dims``, then a linear layer to the classes."""
    layers: list[nn.Module] = []
    for width in fc_dims:
        layers += [nn.Linear(in_dim, int(width)), nn.ReLU(), nn.Dropout(dropout)]
        in_dim = int(width)
    layers.append(nn.Linear(in_dim, num_classes))
    return nn.Sequential(*layers)


class WhisperForEmotion(nn.Module):
    """Whisper encoder, mean-pooled over the clip's frames, then an FC stack to emotion logits."""

    def __init__(
        self,
        encoder_path_or_config: str | os.PathLike[str] | WhisperConfig,
        num_classes: int,
        fc_dims: Sequence[int] = (4096, 2048, 1024, 512),
        freeze_encoder: bool = False,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        if isinstance(encoder_path_or_config, WhisperConfig):
            config = encoder_path_or_config
            self.encoder = WhisperModel(config).encoder
        else:
            self.encoder = WhisperModel.from_pretrained(os.fspath(encoder_path_or_config)).encoder
            config = self.encoder.config
        self.extractor = WhisperFeatureExtractor(feature_size=config.num_mel_bins, sampling_rate=SAMPLE_RATE)
        self.freeze_encoder = bool(freeze_encoder)
        if self.freeze_encoder:
            self.encoder.requires_grad_(False)
        self.embedding_dim = int(config.d_model)
        self.head = fc_stack(self.embedding_dim, fc_dims, num_classes, dropout)

    def features(
        self, waveforms: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Log-mel input trimmed to the batch's longest clip (multiple of 320 samples) and valid frames per clip."""
        wav = waveforms.detach().float().cpu().numpy()
        lens = lengths.cpu().numpy() if lengths is not None else np.full(len(wav), wav.shape[1])
        clips = [w[: int(n)] for w, n in zip(wav, lens, strict=True)]
        return trimmed_whisper_inputs(self.extractor, clips, waveforms.device)

    def embed(self, waveforms: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Waveforms (B, T) -> mean over each clip's valid encoder frames (B, d_model)."""
        feats, frames = self.features(waveforms, lengths)
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.freeze_encoder):
            states = whisper_encoder_states(
                self.encoder, feats.to(self.encoder.conv1.weight.dtype), frames, len(self.encoder.layers)
            )
        mask = (
            torch.arange(states.shape[1], device=states.device)[None, :] < frames.to(states.device)[:, None]
        ).to(states.dtype)
        return (states * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)

    def forward(self, waveforms: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Waveforms (B, T) (+ valid lengths) -> class logits (B, num_classes)."""
        return self.head(self.embed(waveforms, lengths))
