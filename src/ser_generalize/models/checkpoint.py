"""Save and restore fine-tuning checkpoints (model, optimizer, epoch, metadata) atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from ..utils.io import atomic_path


def save_checkpoint(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer | None,
    epoch: int,
    path: str | os.PathLike[str],
    meta: dict[str, Any] | None = None,
) -> Path:
    """Write model + optimizer state, epoch and ``meta`` to ``path`` atomically; return the path."""
    blob = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "epoch": int(epoch),
        "meta": dict(meta or {}),
    }
    with atomic_path(path) as tmp:
        torch.save(blob, tmp)
    return Path(path)


def load_checkpoint(
    path: str | os.PathLike[str], model: torch.nn.Module, optimizer: torch.optim.Optimizer | None = None
) -> dict[str, Any]:
    """Restore ``model`` (strictly) and, if given, ``optimizer`` from ``path``; return ``{'epoch', 'meta'}``."""
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"checkpoint {path} not found; run the training pipeline first or fix the path"
        )
    blob = torch.load(path, map_location="cpu", weights_only=False)
    if not isinstance(blob, dict) or "model" not in blob:
        raise ValueError(
            f"{path} is not a ser_generalize checkpoint (no 'model' entry); was it saved by save_checkpoint?"
        )
    model.load_state_dict(blob["model"])
    if optimizer is not None:
        if blob.get("optimizer") is None:
            raise ValueError(f"checkpoint {path} holds no optimizer state; load without an optimizer")
        optimizer.load_state_dict(blob["optimizer"])
    return {"epoch": blob.get("epoch", 0), "meta": blob.get("meta", {})}
