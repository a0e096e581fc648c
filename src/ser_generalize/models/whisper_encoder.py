"""Whisper's encoder run on clip-length input (no 30 s padding), and random-weight Whisper configs.

Network-level code shared by the frozen ``hf:`` backbone and the fine-tuned ``WhisperForEmotion``:
backbones import it from here, models never import backbones. The stock ``WhisperEncoder.forward``
in transformers 5 raises unless the input is exactly 3000 mel frames; :func:`whisper_encoder_states`
slices the positional embedding to the input's length instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from transformers import WhisperConfig

SAMPLE_RATE = 16_000
"""Whisper's input rate."""

WHISPER_HOP = 320
"""Input samples per Whisper encoder frame (mel hop 160 x conv stride 2): frames = ceil(samples / 320)."""

def trimmed_whisper_inputs(
    extractor: Any, waves: list[np.ndarray], device: torch.device | str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-mel input covering only the longest clip (rounded up to 320 samples) and each clip's valid frames."""
    inputs = extractor(
        waves,
        sampling_rate=SAMPLE_RATE,
        padding="longest",
        pad_to_multiple_of=WHISPER_HOP,
        truncation=False,
        return_tensors="pt",
    )
    frames = torch.tensor([math.ceil(len(w) / WHISPER_HOP) for w in waves])
    return inputs["input_features"].to(device), frames


def whisper_encoder_states(
    encoder: torch.nn.Module, input_features: torch.Tensor, valid_frames: torch.Tensor | None, layer: int
) -> torch.Tensor:
    """Hidden state ``layer`` (0 = embeddings, L = final, layer-normed) of a Whisper encoder of any length.

    Same computation as ``WhisperEncoder.forward`` except that the positional embedding is
    sliced to the input's length and padded frames beyond ``valid_frames`` are masked out of
    attention, so a clip's output does not depend on the other clips in its batch.
    """
    hidden = torch.nn.functional.gelu(encoder.conv1(input_features))
    hidden = torch.nn.functional.gelu(encoder.conv2(hidden)).permute(0, 2, 1)
    length = hidden.shape[1]
    if length > encoder.embed_positions.num_embeddings:
        raise ValueError(
            f"Whisper input of {length} frames exceeds the model's {encoder.embed_positions.num_embeddings} "
            "positions; lower max_seconds to 30 or less"
        )
    hidden = hidden + encoder.embed_positions.weight[:length].to(hidden.dtype)
    mask = None
    if valid_frames is not None and bool((valid_frames < length).any()):
        padded = torch.arange(length, device=hidden.device)[None, :] >= valid_frames[:, None].to(
            hidden.device
        )
        mask = torch.zeros(padded.shape, dtype=hidden.dtype, device=hidden.device)
        mask = mask.masked_fill(padded, torch.finfo(hidden.dtype).min)[:, None, None, :]
    n_layers = len(encoder.layers)
    for encoder_layer in encoder.layers[: min(layer, n_layers)]:
        hidden = encoder_layer(hidden, mask)
    return encoder.layer_norm(hidden) if layer == n_layers else hidden


WHISPER_SIZES: dict[str, dict[str, int]] = {
    "tiny-test": {"d_model": 64, "encoder_layers": 2, "encoder_attention_heads": 2, "encoder_ffn_dim": 128},
    "base": {"d_model": 512, "encoder_layers": 6, "encoder_attention_heads": 8, "encoder_ffn_dim": 2048},
    "small": {"d_model": 768, "encoder_layers": 12, "encoder_attention_heads": 12, "encoder_ffn_dim": 3072},
    "large": {"d_model": 1280, "encoder_layers": 32, "encoder_attention_heads": 20, "encoder_ffn_dim": 5120},
}
"""Encoder dimensions of the published Whisper sizes (random weights: for speed, not accuracy)."""

def tiny_whisper_config(**dims: int) -> WhisperConfig:
    """A random-weight Whisper config: ``tiny-test`` encoder dimensions unless ``dims`` overrides them.

    The decoder is kept minimal: only the encoder is used for emotion features.
    """
    encoder = {"num_mel_bins": 80, **WHISPER_SIZES["tiny-test"], **dims}
    return WhisperConfig(
        vocab_size=64,
        decoder_layers=1,
        decoder_attention_heads=2,
        decoder_ffn_dim=64,
        max_target_positions=32,
        max_source_positions=1500,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=1,
        suppress_tokens=[],
        begin_suppress_tokens=[],
        **encoder,
    )
