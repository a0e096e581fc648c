"""The on-the-fly torch augmentation keeps shape/device/dtype, is seeded, and augments a `rate` fraction."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ser_generalize.audio.torch_augment import TorchWaveformAugment, fit_length


def batch(b: int = 8, t: int = 4000) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    return 0.1 * torch.randn(b, t, generator=g)


def changed_rows(before: torch.Tensor, after: torch.Tensor) -> list[int]:
    return [i for i in range(before.shape[0]) if not torch.equal(before[i], after[i])]


def test_shape_dtype_device_preserved_even_with_time_stretch() -> None:
    aug = TorchWaveformAugment("time_stretch", rate=1.0, seed=0)
    x = batch().to(torch.float64)
    y = aug(x)
    assert y.shape == x.shape and y.dtype == x.dtype and y.device == x.device
    assert torch.isfinite(y).all()
    assert changed_rows(x, y) == list(range(8))


def test_same_seed_same_outputs_and_new_params_each_call() -> None:
    x = batch()
    a, b = TorchWaveformAugment("all_seven", 0.5, seed=3), TorchWaveformAugment("all_seven", 0.5, seed=3)
    first_a, first_b = a(x), b(x)
    assert torch.equal(first_a, first_b) and a.last_augmented == b.last_augmented
    assert not torch.equal(a(x), first_a)  # on the fly: a new draw per call
    a.reseed(3)
    assert torch.equal(a(x), first_b)


@pytest.mark.parametrize("rate", [0.0, 0.2, 0.5, 0.7, 1.0])
def test_rate_fraction_of_items_augmented(rate: float) -> None:
    aug = TorchWaveformAugment("fade", rate, seed=1)
    x = batch(10, 1600)
    counts = []
    for _ in range(20):
        y = aug(x)
        rows = changed_rows(x, y)
        assert rows == aug.last_augmented
        counts.append(len(rows))
    assert all(abs(c - rate * 10) < 1 for c in counts)  # stochastic rounding of rate * B
    assert np.mean(counts) == pytest.approx(rate * 10, abs=0.5)


def test_eval_mode_is_identity_and_padding_is_left_alone() -> None:
    aug = TorchWaveformAugment("pink_noise", 1.0, seed=0)
    x = batch(4, 3200)
    x[:, 2000:] = 0.0
    lengths = torch.tensor([2000, 2000, 2000, 2000])
    y = aug(x, lengths)
    assert torch.all(y[:, 2000:] == 0.0) and not torch.equal(y[:, :2000], x[:, :2000])
    aug.eval()
    assert aug(x) is x


def test_fit_length_and_bad_input() -> None:
    assert fit_length(np.ones(5, np.float32), 3).shape == (3,)
    padded = fit_length(np.ones(2, np.float32), 4)
    assert padded.tolist() == [1.0, 1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="batch, time"):
        TorchWaveformAugment("fade", 1.0)(torch.zeros(2, 1, 100))
    with pytest.raises(ValueError, match="augmentation rate"):
        TorchWaveformAugment("fade", -0.1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_batch_returns_on_cuda() -> None:
    aug = TorchWaveformAugment("all_seven", 0.5, seed=0)
    x = batch().cuda()
    y = aug(x)
    assert y.device == x.device and y.shape == x.shape
