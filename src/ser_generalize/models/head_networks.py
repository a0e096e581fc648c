"""Classifier heads over frame-level features: the SER Evals frame MLP and the EmoBox pooled head."""

from __future__ import annotations

import torch
from torch import nn


class SerEvalsMLP(nn.Module):
    """SER Evals head: a two-hidden-layer MLP applied to every frame; the clip logit is the mean over frames."""

    def __init__(self, in_dim: int, n_classes: int, hidden: tuple[int, int] = (512, 512), dropout: float = 0.1) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_dim, hidden[0]), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden[0], hidden[1]), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden[1], n_classes),
        )

    def forward(self, frames: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``frames`` batch x time x dim, ``mask`` batch x time (1 = real frame) -> batch x classes."""
        per_frame = self.net(frames)
        weights = mask.unsqueeze(-1).to(per_frame.dtype)
        return (per_frame * weights).sum(1) / weights.sum(1).clamp_min(1.0)


class EmoBoxHead(nn.Module):
    """EmoBox head: layer norm, linear hidden layer, ReLU, mean pooling over frames, linear classifier."""

    def __init__(self, in_dim: int, n_classes: int, hidden: int = 256, dropout: float = 0.1) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(in_dim)
        self.hidden = nn.Linear(in_dim, hidden)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden, n_classes)

    def forward(self, frames: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``frames`` batch x time x dim, ``mask`` batch x time -> batch x classes."""
        h = torch.relu(self.hidden(self.norm(frames)))
        weights = mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * weights).sum(1) / weights.sum(1).clamp_min(1.0)
        return self.classifier(self.dropout(pooled))


HEADS = {"ser_evals_mlp": SerEvalsMLP, "emobox": EmoBoxHead}


def build_head(kind: str, in_dim: int, n_classes: int, hidden: list[int] | int | None = None,
               dropout: float = 0.1) -> nn.Module:
    """Head by name (``ser_evals_mlp`` | ``emobox``); unknown names raise a ValueError listing the valid ones."""
    if kind == "ser_evals_mlp":
        sizes = tuple(hidden) if isinstance(hidden, (list, tuple)) else (int(hidden or 512),) * 2
        if len(sizes) != 2:
            raise ValueError(f"ser_evals_mlp needs two hidden sizes, got {list(sizes)}")
        return SerEvalsMLP(in_dim, n_classes, (int(sizes[0]), int(sizes[1])), dropout)
    if kind == "emobox":
        size = hidden[0] if isinstance(hidden, (list, tuple)) else hidden
        return EmoBoxHead(in_dim, n_classes, int(size or 256), dropout)
    raise ValueError(f"unknown head type {kind!r}; set cross_corpus.head.type to one of {sorted(HEADS)}")
