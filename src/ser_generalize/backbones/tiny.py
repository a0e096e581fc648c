"""Tiny random-weight encoders saved to disk, so ``hf:<path>`` runs offline in tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import (
    HubertConfig,
    HubertModel,
    Wav2Vec2Config,
    Wav2Vec2FeatureExtractor,
    Wav2Vec2Model,
    WavLMConfig,
    WavLMModel,
    WhisperFeatureExtractor,
    WhisperModel,
)

from ..models.whisper_encoder import WHISPER_SIZES, tiny_whisper_config

__all__ = ["TINY_KINDS", "WHISPER_SIZES", "save_tiny_model", "tiny_whisper_config"]

TINY_KINDS = ("whisper", "wavlm", "hubert", "wav2vec2")

_W2V_COMMON = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "conv_dim": (16,) * 7,
    "num_conv_pos_embeddings": 16,
    "num_conv_pos_embedding_groups": 2,
    "feat_extract_norm": "layer",
    "do_stable_layer_norm": True,
    "vocab_size": 8,
}


def _whisper(size: str) -> tuple[WhisperModel, WhisperFeatureExtractor]:
    return WhisperModel(tiny_whisper_config(**WHISPER_SIZES[size])), WhisperFeatureExtractor(feature_size=80)


def save_tiny_model(kind: str, path: str | Path, seed: int = 0, whisper_size: str = "tiny-test") -> Path:
    """Build a random ``kind`` model (whisper, wavlm, hubert, wav2vec2) + its feature extractor; save to ``path``.

    ``whisper_size`` picks real Whisper encoder dimensions (``base``, ``small``, ``large``) for benchmarks.
    """
    if kind not in TINY_KINDS:
        raise ValueError(f"unknown tiny model kind '{kind}'; use one of {TINY_KINDS}")
    path = Path(path)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if kind == "whisper":
            model, extractor = _whisper(whisper_size)
        else:
            extractor = Wav2Vec2FeatureExtractor(
                feature_size=1,
                sampling_rate=16_000,
                padding_value=0.0,
                do_normalize=True,
                return_attention_mask=True,
            )
            if kind == "wavlm":
                model = WavLMModel(WavLMConfig(**_W2V_COMMON, num_buckets=32, max_bucket_distance=64))
            elif kind == "hubert":
                model = HubertModel(HubertConfig(**_W2V_COMMON))
            else:
                model = Wav2Vec2Model(Wav2Vec2Config(**_W2V_COMMON))
    model.eval()
    model.save_pretrained(path)
    extractor.save_pretrained(path)
    return path
