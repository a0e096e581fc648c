"""Head architectures: shapes, mask handling, parameter count."""

from __future__ import annotations

import pytest
import torch

from ser_generalize.models.head_networks import EmoBoxHead, SerEvalsMLP, build_head


def test_ser_evals_mlp_is_mean_of_frame_logits_and_ignores_padding():
    head = SerEvalsMLP(4, 3, (8, 8)).eval()
    x = torch.randn(1, 5, 4)
    padded = torch.cat([x, torch.full((1, 3, 4), 100.0)], 1)
    mask = torch.tensor([[1, 1, 1, 1, 1, 0, 0, 0]], dtype=torch.float32)
    expected = head.net(x).mean(1)
    assert torch.allclose(head(padded, mask), expected, atol=1e-5)


def test_build_head_kinds_and_size():
    mlp = build_head("ser_evals_mlp", 768, 7, [512, 512])
    n = sum(p.numel() for p in mlp.parameters())
    assert 500_000 < n < 700_000  # ~500k parameters as in SER Evals
    emo = build_head("emobox", 16, 4, [32])
    assert isinstance(emo, EmoBoxHead)
    assert emo(torch.randn(2, 6, 16), torch.ones(2, 6)).shape == (2, 4)
    with pytest.raises(ValueError, match="unknown head"):
        build_head("nope", 4, 2)
