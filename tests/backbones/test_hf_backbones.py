"""hf:<path> backbones built from tiny local WavLM / HuBERT / wav2vec 2.0 / Whisper models."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from ser_generalize.backbones import build_backbone
from ser_generalize.backbones.tiny import save_tiny_model


def _waves() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [(0.1 * rng.standard_normal(n)).astype(np.float32) for n in (16_000, 6_400, 24_321)]


@pytest.mark.parametrize("kind", ["wavlm", "hubert", "wav2vec2"])
def test_ssl_encoders_give_frames_per_20ms_and_mean_pooling(tiny_models: dict[str, Path], kind: str) -> None:
    backbone = build_backbone(f"hf:{tiny_models[kind]}", {"batch_size": 3, "device": "cpu"})
    frames, pooled = backbone.encode(_waves())
    assert [f.shape for f in frames] == [
        (49, 32),
        (19, 32),
        (75, 32),
    ]  # conv stack: ~one frame per 320 samples
    np.testing.assert_allclose(pooled, np.stack([f.mean(axis=0) for f in frames]), rtol=1e-5, atol=1e-6)
    assert backbone.name == f"hf-{kind}" and backbone.config()["model_type"] == kind


@pytest.mark.parametrize("kind", ["wavlm", "whisper"])
def test_batching_does_not_change_a_clips_features(tiny_models: dict[str, Path], kind: str) -> None:
    batched = build_backbone(f"hf:{tiny_models[kind]}", {"batch_size": 3}).extract(_waves())
    single = build_backbone(f"hf:{tiny_models[kind]}", {"batch_size": 1}).extract(_waves())
    for a, b in zip(batched, single, strict=True):
        assert a.shape == b.shape
        cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        assert cos.min() > 0.999  # padding is masked; only STFT/conv edge frames may move slightly


def test_layer_selection(tiny_models: dict[str, Path]) -> None:
    spec = f"hf:{tiny_models['hubert']}"
    last, explicit_last, first = (build_backbone(spec, {"layer": k}) for k in (-1, 2, 0))
    assert last.config() == explicit_last.config() and last.config() != first.config()
    waves = _waves()[:1]
    np.testing.assert_allclose(last.extract(waves)[0], explicit_last.extract(waves)[0])
    assert not np.allclose(last.extract(waves)[0], first.extract(waves)[0])
    with pytest.raises(ValueError, match="layer 3 out of range"):
        build_backbone(spec, {"layer": 3})


def test_whisper_frames_follow_clip_length(tiny_models: dict[str, Path]) -> None:
    backbone = build_backbone(f"hf:{tiny_models['whisper']}", {"layer": 1})
    frames = backbone.extract(_waves())
    assert [f.shape for f in frames] == [(math.ceil(n / 320), 64) for n in (16_000, 6_400, 24_321)]
    assert backbone.config()["trim"] is True
    assert build_backbone(f"hf:{tiny_models['whisper']}", {"trim": False}).config() != backbone.config()


def test_max_seconds_cuts_long_clips(tiny_models: dict[str, Path]) -> None:
    backbone = build_backbone(f"hf:{tiny_models['wav2vec2']}", {"max_seconds": 0.5})
    assert backbone.extract(_waves())[0].shape[0] == 24  # 8000 samples -> 24 frames
    with pytest.raises(ValueError, match="at most 30 s"):
        build_backbone(f"hf:{tiny_models['whisper']}", {"max_seconds": 40})


def test_save_tiny_model_rejects_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown tiny model kind 'clap'"):
        save_tiny_model("clap", tmp_path)
