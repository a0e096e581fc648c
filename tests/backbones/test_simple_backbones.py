"""eGeMAPS and log-mel backbones: shapes, pooled dims, configs, and spec errors."""

from __future__ import annotations

import numpy as np
import pytest

from ser_generalize.backbones import build_backbone
from ser_generalize.backbones.base import Backbone


def _waves() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    t = np.arange(16_000) / 16_000
    return [
        (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32),
        (0.1 * rng.standard_normal(8_000)).astype(np.float32),
    ]


def test_egemaps_frames_are_llds_and_pooled_are_functionals() -> None:
    backbone = build_backbone("egemaps")
    assert isinstance(backbone, Backbone)
    frames, pooled = backbone.encode(_waves())
    assert [f.shape[1] for f in frames] == [25, 25]
    assert frames[0].shape[0] > frames[1].shape[0] > 10  # 10 ms hop: longer clip, more frames
    assert pooled.shape == (2, 88) and pooled.dtype == np.float32
    assert (backbone.dim, backbone.pooled_dim) == (25, 88)


def test_logmel_matches_cnn14_input_geometry() -> None:
    backbone = build_backbone("logmel")
    frames, pooled = backbone.encode(_waves())
    assert frames[0].shape == (1 + 16_000 // 320, 64)
    assert frames[1].shape == (1 + 8_000 // 320, 64)
    np.testing.assert_allclose(pooled[0, :64], frames[0].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(pooled[0, 64:], frames[0].std(axis=0), rtol=1e-5)
    # the 220 Hz tone puts its energy in a low mel bin, far above the top bins
    assert frames[0].mean(axis=0)[:16].max() > frames[0].mean(axis=0)[-8:].max() + 20


def test_logmel_config_tracks_options() -> None:
    assert build_backbone("logmel").config() == build_backbone("logmel", {}).config()
    assert build_backbone("logmel", {"n_mels": 32}).config() != build_backbone("logmel").config()
    assert build_backbone("logmel", {"n_mels": 32}).extract(_waves())[0].shape[1] == 32


def test_unknown_spec_and_option_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="unknown backbone spec 'mfcc'"):
        build_backbone("mfcc")
    with pytest.raises(TypeError, match="bogus"):
        build_backbone("logmel", {"bogus": 1})
    with pytest.raises(ValueError, match="cannot load Hugging Face checkpoint"):
        build_backbone("hf:/nonexistent/model-dir")
    with pytest.raises(FileNotFoundError, match="Cnn14_16k"):
        build_backbone("cnn14", {"checkpoint_path": "/nonexistent/cnn14.pth"})
