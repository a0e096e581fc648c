"""On-the-fly augmentation for fine-tuning loops: a torch module applying a chain to a fraction of each batch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import nn

from .augment import Chain, build_chain, check_rate
from .augmentations.seeding import child_seed


def fit_length(waveform: np.ndarray, length: int) -> np.ndarray:
    """Crop or zero-pad (at the end) a 1-D waveform to ``length`` samples."""
    if waveform.shape[0] >= length:
        return waveform[:length]
    return np.pad(waveform, (0, length - waveform.shape[0]))


class TorchWaveformAugment(nn.Module):
    """Augment a ``rate`` fraction of each ``(B, T)`` waveform batch with a chain, new parameters every call.

    As in the paper, augmentation is on the fly and unique per file and batch. Per batch,
    ``rate * B`` items are picked with stochastic rounding (so the long-run fraction is exactly
    ``rate``); each is augmented on CPU with its own seed from the module's generator, then
    cropped/zero-padded back to its length and returned on the input's device and dtype. Active
    only in training mode (``module.eval()`` makes it the identity). Same seed, same batches ->
    same outputs.
    """

    def __init__(
        self,
        chain: str | list | dict | Chain = "all_seven",
        rate: float = 1.0,
        seed: int = 0,
        sample_rate: int = 16_000,
        chains: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.chain = build_chain(chain, sample_rate=sample_rate, chains=chains)
        self.rate = check_rate(rate)
        self.seed = int(seed)
        self.last_augmented: list[int] = []
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        """Restart the random stream (e.g. to reproduce an epoch)."""
        self.seed = int(seed)
        self._rng = np.random.default_rng(self.seed)

    def _count(self, batch: int) -> int:
        expected = self.rate * batch
        whole = int(np.floor(expected))
        return min(batch, whole + int(self._rng.random() < expected - whole))

    def forward(self, waveforms: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Return ``waveforms`` (B, T) with a ``rate`` fraction augmented; ``lengths`` marks padding to leave alone."""
        if waveforms.ndim != 2:
            raise ValueError(
                f"TorchWaveformAugment expects a (batch, time) tensor, got shape {tuple(waveforms.shape)}"
            )
        self.last_augmented = []
        if not self.training or self.rate == 0.0 or waveforms.shape[0] == 0:
            return waveforms
        batch, total = waveforms.shape
        picked = sorted(int(i) for i in self._rng.choice(batch, size=self._count(batch), replace=False))
        seeds = {i: child_seed(self._rng) for i in picked}
        if not picked:
            return waveforms
        out = waveforms.clone()
        cpu = waveforms.detach().to("cpu", torch.float32).numpy()
        for i in picked:
            valid = int(lengths[i]) if lengths is not None else total
            augmented = self.chain(cpu[i, :valid], np.random.default_rng(seeds[i]))
            row = np.zeros(total, dtype=np.float32)
            row[:valid] = fit_length(augmented, valid)
            out[i] = torch.from_numpy(row).to(device=waveforms.device, dtype=waveforms.dtype)
        self.last_augmented = picked
        return out

    def extra_repr(self) -> str:
        return f"chain={[s.name for s in self.chain.steps]}, rate={self.rate}, seed={self.seed}"
