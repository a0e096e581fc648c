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
    WhisperConfig,
    WhisperFeatureExtractor,
    WhisperModel,
)

TINY_KINDS = ("whisper", "wavlm", "hubert", "wav2vec2")

WHISPER_SIZES: dict[str, dict[str, int]] = {
    "tiny-test": {"d_model": 64, "encoder_layers": 2, "encoder_attention_heads": 2, "encoder_ffn_dim": 128},
    "base": {"d_model": 512, "encoder_layers": 6, "encoder_attention_heads": 8, "encoder_ffn_dim": 2048},
    "small": {"d_model": 768, "encoder_layers": 12, "encoder_attention_heads": 12, "encoder_ffn_dim": 3072},
    "large": {"d_model": 1280, "encoder_layers": 32, "encoder_attention_heads": 20, "encoder_ffn_dim": 5120},
}
"""Encoder dimensions of the published Whisper sizes (random weights: for speed, not accuracy)."""

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
