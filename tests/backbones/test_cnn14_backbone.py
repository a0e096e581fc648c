"""The frozen CNN14 feature backbone: frame geometry, PANNs embedding as pooled vector, cache key."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from ser_generalize.backbones import build_backbone
from ser_generalize.models.cnn14_network import Cnn14

SR = 16_000


def _waves() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.normal(0, 0.1, int(s * SR)).astype(np.float32) for s in (0.3, 1.5, 3.0)]


def test_frames_cover_the_clip_and_pooled_is_the_panns_embedding() -> None:
    backbone = build_backbone("cnn14", {"width": 1 / 16, "device": "cpu"})
    waves = _waves()
    frames, pooled = backbone.encode(waves)
    assert [f.shape[1] for f in frames] == [backbone.dim] * 3 and pooled.shape == (3, backbone.pooled_dim)
    steps = [f.shape[0] for f in frames]
    assert steps[0] >= 1 and steps[0] < steps[1] < steps[2]  # one step per 0.64 s, short clips padded
    torch.manual_seed(0)
    reference = Cnn14(num_classes=2, width=1 / 16).eval()
    with torch.inference_mode():
        expected = reference.embed(torch.from_numpy(waves[2])[None])[0].numpy()
    np.testing.assert_allclose(pooled[2], expected, rtol=1e-4, atol=1e-5)
    assert backbone.name == "cnn14-random"


def test_checkpoint_identity_is_in_the_cache_key(tmp_path: Path) -> None:
    torch.manual_seed(1)
    donor = Cnn14(num_classes=2, width=1 / 16)
    ckpt = tmp_path / "Cnn14_tiny.pth"
    torch.save({"model": donor.state_dict()}, ckpt)
    loaded = build_backbone("cnn14", {"width": 1 / 16, "checkpoint_path": str(ckpt), "device": "cpu"})
    random = build_backbone("cnn14", {"width": 1 / 16, "device": "cpu"})
    assert loaded.config() != random.config() and loaded.name == "cnn14"
    _, pooled = loaded.encode(_waves()[1:2])
    with torch.inference_mode():
        expected = donor.eval().embed(torch.from_numpy(_waves()[1])[None])[0].numpy()
    np.testing.assert_allclose(pooled[0], expected, rtol=1e-4, atol=1e-5)
    before = ckpt.stat().st_mtime_ns
    torch.save({"model": Cnn14(num_classes=2, width=1 / 16).state_dict()}, ckpt)  # new weights, same path
    os.utime(ckpt, ns=(before + 10**9, before + 10**9))  # a coarse-clock file system still sees a change
    assert build_backbone("cnn14", {"width": 1 / 16, "checkpoint_path": str(ckpt)}).config() != loaded.config()
