"""CNN14 (PANNs, Kong et al. 2020) in torch with a log-mel front end and an emotion head.

Parameter names follow the PANNs checkpoint layout (``bn0``, ``conv_block1.conv1.weight``, ...,
``fc1``, ``fc_audioset``) so ``Cnn14_16k_mAP=0.438.pth`` loads into the trunk. The head that
replaces ``fc_audioset`` is linear + ReLU + linear to the classes (Emmanouilidou et al. 2024).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import librosa
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
WINDOW = 1024
HOP = 320
N_MELS = 64
FMIN = 50.0
FMAX = 8000.0
BASE_CHANNELS = (64, 128, 256, 512, 1024, 2048)
MIN_SAMPLES = 32 * HOP
"""Five 2x2 poolings need >= 32 frames; shorter clips are zero-padded to this many samples (~0.64 s)."""


class LogMel(nn.Module):
    """Waveform (B, T) -> log-mel (B, 1, frames, 64), PANNs' front end (Hann 1024, hop 320, 50-8000 Hz)."""

    def __init__(
        self, sample_rate: int = SAMPLE_RATE, n_fft: int = WINDOW, hop: int = HOP, n_mels: int = N_MELS
    ) -> None:
        super().__init__()
        self.n_fft, self.hop = n_fft, hop
        mel = librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=FMIN, fmax=FMAX)
        self.register_buffer("mel_matrix", torch.from_numpy(mel.T.astype(np.float32)), persistent=False)
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        """Power spectrogram -> mel -> 10*log10 (clamped at 1e-10), as torchlibrosa does in PANNs.

        Always float32, also under autocast: power spans far beyond float16's range.
        """
        with torch.autocast(waveforms.device.type, enabled=False):
            spec = torch.stft(
                waveforms.float(),
                self.n_fft,
                self.hop,
                window=self.window,
                center=True,
                pad_mode="reflect",
                return_complex=True,
            )
            power = spec.abs().pow(2).transpose(1, 2)  # (B, frames, freq)
            mel = power @ self.mel_matrix
            return (10.0 * torch.log10(mel.clamp(min=1e-10)))[:, None]


class ConvBlock(nn.Module):
    """Two 3x3 conv + BN + ReLU, then 2-D average (or avg+max) pooling, as in PANNs."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor, pool_size: tuple[int, int] = (2, 2)) -> torch.Tensor:
        """Conv-BN-ReLU twice, then average pooling over ``pool_size``."""
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return F.avg_pool2d(x, pool_size)


@dataclass(frozen=True)
class Cnn14Config:
    """Everything that shapes a CNN14: class count, width multiplier, dropout."""

    num_classes: int
    width: float = 1.0
    dropout: float = 0.2
    head_dim: int | None = None


class Cnn14(nn.Module):
    """PANNs CNN14 trunk (6 ConvBlocks 64..2048, bn0 over mels, max+mean time pooling, fc1 + ReLU) + emotion head.

    ``width`` scales the channels (1/16 gives a CPU-sized model); the embedding is fc1's output.
    """

    def __init__(
        self, num_classes: int, width: float = 1.0, dropout: float = 0.2, head_dim: int | None = None
    ) -> None:
        super().__init__()
        if num_classes < 2:
            raise ValueError(f"Cnn14 needs at least 2 classes, got {num_classes}")
        if width <= 0:
            raise ValueError(f"Cnn14 width must be > 0, got {width}")
        channels = [max(1, round(c * width)) for c in BASE_CHANNELS]
        self.config = Cnn14Config(num_classes, width, dropout, head_dim)
        self.frontend = LogMel()
        self.bn0 = nn.BatchNorm2d(N_MELS)
        ins = [1, *channels[:-1]]
        for i, (cin, cout) in enumerate(zip(ins, channels), start=1):
            setattr(self, f"conv_block{i}", ConvBlock(cin, cout))
        self.embedding_dim = channels[-1]
        self.fc1 = nn.Linear(channels[-1], channels[-1])
        self.dropout = nn.Dropout(dropout)
        hidden = head_dim or channels[-1]
        self.head = nn.Sequential(
            nn.Linear(channels[-1], hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, num_classes)
        )

    def frame_features(self, waveforms: torch.Tensor) -> torch.Tensor:
        """Waveforms (B, T) at 16 kHz -> last conv block averaged over mel bins (B, time, channels).

        One time step covers 32 hops (0.64 s at 16 kHz) after the five 2x2 poolings.
        """
        if waveforms.shape[-1] < MIN_SAMPLES:
            waveforms = F.pad(waveforms, (0, MIN_SAMPLES - waveforms.shape[-1]))
        x = self.frontend(waveforms)  # (B, 1, frames, mels)
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        for i in range(1, 7):
            block: ConvBlock = getattr(self, f"conv_block{i}")
            x = block(x, (1, 1) if i == 6 else (2, 2))
            x = self.dropout(x)
        return x.mean(dim=3).transpose(1, 2)  # over mel bins -> (B, time, channels)

    def pool(self, frames: torch.Tensor) -> torch.Tensor:
        """PANNs' clip embedding from frame features: global max + mean over time, then fc1 + ReLU."""
        x = frames.max(dim=1).values + frames.mean(dim=1)
        return F.relu(self.fc1(self.dropout(x)))

    def embed(self, waveforms: torch.Tensor) -> torch.Tensor:
        """Waveforms (B, T) at 16 kHz -> clip embeddings (B, fc1 dim) after ReLU."""
        return self.pool(self.frame_features(waveforms))

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        """Waveforms (B, T) -> class logits (B, num_classes)."""
        return self.head(self.dropout(self.embed(waveforms)))


@dataclass(frozen=True)
class LoadReport:
    """What a checkpoint load matched: loaded, missing (model keys absent) and unexpected (ignored) keys."""

    loaded: list[str]
    missing: list[str]
    unexpected: list[str]


def load_panns_checkpoint(model: Cnn14, path: str | os.PathLike[str]) -> LoadReport:
    """Load a PANNs CNN14 checkpoint (``{'model': state_dict}`` or a bare state dict) into the trunk.

    Loads with ``strict=False``: the head and ``fc_audioset`` never match; keys whose shapes differ
    (e.g. a different ``width``) are skipped and reported as unexpected.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"PANNs checkpoint {path} not found; download Cnn14_16k_mAP=0.438.pth from Zenodo "
            "(record 3987831) and set training.cnn14.checkpoint_path, or set it to null"
        )
    blob = torch.load(path, map_location="cpu", weights_only=False)
    state = blob.get("model", blob) if isinstance(blob, dict) else blob
    own = model.state_dict()
    usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    result = model.load_state_dict(usable, strict=False)
    report = LoadReport(
        loaded=sorted(usable),
        missing=sorted(result.missing_keys),
        unexpected=sorted(k for k in state if k not in usable),
    )
    log.info(
        "PANNs checkpoint %s: %d tensors loaded, %d missing (%s...), %d unexpected (%s...)",
        path,
        len(report.loaded),
        len(report.missing),
        report.missing[:4],
        len(report.unexpected),
        report.unexpected[:4],
    )
    if not report.loaded:
        raise ValueError(
            f"PANNs checkpoint {path} shares no tensors with this Cnn14 (width {model.config.width}); use width 1.0"
        )
    return report
