"""Whisper encoder + FC head: tiny local config, trimming, mean pooling over each clip's frames."""

from __future__ import annotations

import torch

from ser_generalize.models.whisper_classifier import WhisperForEmotion, tiny_whisper_config


def _model(**kw) -> WhisperForEmotion:
    torch.manual_seed(0)
    return WhisperForEmotion(
        tiny_whisper_config(d_model=32, layers=1, heads=2), 4, fc_dims=(16, 8), **kw
    ).eval()


def test_logits_shape_and_padding_does_not_change_a_clip() -> None:
    model = _model()
    clip = torch.randn(1, 8000)
    padded = torch.zeros(2, 16000)
    padded[0, :8000] = clip[0]
    padded[1] = torch.randn(16000)
    with torch.no_grad():
        alone = model.embed(clip, torch.tensor([8000]))
        batch = model.embed(padded, torch.tensor([8000, 16000]))
        logits = model(padded, torch.tensor([8000, 16000]))
    assert logits.shape == (2, 4)
    # only the conv front end at the clip boundary sees the padding: differences stay tiny
    assert torch.allclose(alone[0], batch[0], atol=1e-2)
    assert not torch.allclose(batch[0], batch[1], atol=1e-2)


def test_from_saved_path_and_frozen_encoder(tmp_path) -> None:
    from transformers import WhisperModel

    WhisperModel(tiny_whisper_config(d_model=32, layers=1, heads=2)).save_pretrained(tmp_path)
    model = WhisperForEmotion(tmp_path, 3, fc_dims=(8,), freeze_encoder=True)
    assert not any(p.requires_grad for p in model.encoder.parameters())
    assert all(p.requires_grad for p in model.head.parameters())
    assert [m.out_features for m in model.head if isinstance(m, torch.nn.Linear)] == [8, 3]
