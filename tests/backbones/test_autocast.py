"""CUDA mixed precision is off on CPU, validated, and part of the backbone config (the store key)."""

from __future__ import annotations

import pytest
import torch

from ser_generalize.backbones.base import autocast_context, autocast_dtype, build_backbone


def test_autocast_is_none_off_cuda_and_checked() -> None:
    cpu = torch.device("cpu")
    assert autocast_dtype(cpu, "auto") == autocast_dtype(cpu, "bfloat16") == "none"
    assert autocast_dtype(torch.device("cuda"), "float16") == "float16"
    assert autocast_dtype(torch.device("cuda"), "none") == "none"
    with pytest.raises(ValueError, match="autocast must be one of"):
        autocast_dtype(cpu, "fp8")
    with autocast_context(cpu, "bfloat16"):  # a no-op on CPU
        assert not torch.is_autocast_enabled()


def test_torch_backbones_record_their_precision_in_the_config() -> None:
    backbone = build_backbone("cnn14", {"width": 1 / 16, "device": "cpu"})
    assert backbone.config()["autocast"] == "none"
