"""Whisper fed only the clip's length (trimmed) vs padded to 30 s: same computation, close outputs.

With bidirectional attention the two are not identical (padded frames also attend to 27 s of
silence), so the test asserts they are close on shared frames and lead a classifier to the same
predictions when train and test features come from the same mode (``trim`` is part of the cache
key, so the project never mixes them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from transformers import WhisperFeatureExtractor, WhisperModel

from ser_generalize.backbones import build_backbone
from ser_generalize.backbones.hf import whisper_encoder_states


def _clip(rng: np.random.Generator, cls: int, seconds: float) -> np.ndarray:
    """A tremolo harmonic tone; class 0 low pitch, class 1 high pitch; random length and noise."""
    t = np.arange(int(seconds * 16_000)) / 16_000
    f0 = (140.0 if cls == 0 else 500.0) * rng.uniform(0.85, 1.15)
    wave = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 6)) * 0.2
    wave = wave * (1 + 0.3 * np.sin(2 * np.pi * rng.uniform(2, 5) * t))
    return (wave + rng.uniform(0.005, 0.03) * rng.standard_normal(t.size)).astype(np.float32)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_wrapper_is_the_stock_encoder_at_30s(tiny_models: dict[str, Path]) -> None:
    encoder = WhisperModel.from_pretrained(tiny_models["whisper"]).get_encoder().eval()
    extractor = WhisperFeatureExtractor.from_pretrained(tiny_models["whisper"])
    wave = _clip(np.random.default_rng(1), 0, 2.0)
    feats = extractor(wave, sampling_rate=16_000, return_tensors="pt")["input_features"]
    with torch.inference_mode():
        stock = encoder(feats, output_hidden_states=True).hidden_states
        for layer in range(len(stock)):
            ours = whisper_encoder_states(encoder, feats, None, layer)
            torch.testing.assert_close(ours, stock[layer], rtol=1e-4, atol=1e-4)


def test_trimmed_and_padded_agree_on_shared_frames(tiny_models: dict[str, Path]) -> None:
    rng = np.random.default_rng(0)
    waves = [_clip(rng, i % 2, 3.0) for i in range(4)]
    spec = f"hf:{tiny_models['whisper']}"
    trimmed = build_backbone(spec, {"trim": True}).extract(waves)
    padded = build_backbone(spec, {"trim": False}).extract(waves)
    for t, p in zip(trimmed, padded, strict=True):
        assert t.shape == p.shape == (150, 64)  # ceil(48000 / 320) shared frames
        cos = _cosines(t, p)
        assert cos.mean() > 0.99 and cos.min() > 0.98
        assert np.abs(t - p).max() < 0.5  # layer-normed outputs have unit scale


def test_trimming_does_not_change_a_classifiers_predictions(tiny_models: dict[str, Path]) -> None:
    rng = np.random.default_rng(0)
    labels = np.arange(48) % 2
    waves = [_clip(rng, int(c), rng.uniform(1.0, 3.0)) for c in labels]
    train = np.arange(48) < 32
    spec = f"hf:{tiny_models['whisper']}"
    predictions = {}
    for trim in (True, False):
        _, pooled = build_backbone(spec, {"trim": trim, "batch_size": 8}).encode(waves)
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        clf.fit(pooled[train], labels[train])
        predictions[trim] = clf.predict(pooled[~train])
    assert (predictions[True] == predictions[False]).all()
    assert (predictions[True] == labels[~train]).mean() >= 0.9  # the task is learnable, not a coin flip
