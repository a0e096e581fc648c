"""End-to-end fine-tuning loop with on-the-fly augmentation, bf16 autocast on CUDA, and last-20% averaging.

Emmanouilidou et al. (2024) report metrics averaged over the last 20% of training iterations
with their spread; :func:`tail_summary` does the same over the loop's evaluation points.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from ..metrics import classification_metrics
from ..utils.device import pick_device

log = logging.getLogger(__name__)

Augment = Callable[..., torch.Tensor]


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _autocast(device: torch.device, amp: bool) -> contextlib.AbstractContextManager:
    if amp and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _takes_lengths(fn: Callable[..., Any]) -> bool:
    target = fn.forward if isinstance(fn, nn.Module) else fn
    try:
        return "lengths" in inspect.signature(target).parameters
    except (TypeError, ValueError):
        return False


def build_optimizer(model: nn.Module, cfg: dict[str, Any]) -> torch.optim.Optimizer:
    """Adam (default) or AdamW/SGD over trainable parameters from ``{name, lr, weight_decay}``."""
    name = str(cfg.get("name", "adam")).lower()
    params = [p for p in model.parameters() if p.requires_grad]
    lr, wd = float(cfg.get("lr", 1e-4)), float(cfg.get("weight_decay", 0.0))
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd, momentum=float(cfg.get("momentum", 0.9)))
    raise ValueError(f"unknown optimizer '{name}'; use adam, adamw or sgd")


def forward_batch(model: nn.Module, batch: dict[str, torch.Tensor], device: torch.device) -> torch.Tensor:
    """Logits for a collated batch, passing ``lengths`` to models that accept it."""
    waves = batch["waveforms"].to(device)
    if _takes_lengths(model):
        return model(waves, batch["lengths"].to(device))
    return model(waves)


@torch.no_grad()
def predict(
    model: nn.Module, loader: DataLoader, device: torch.device, amp: bool = False, embeddings: bool = False
) -> dict[str, np.ndarray]:
    """Run ``model`` in eval mode: ``{'logits', 'labels', 'index'}`` (+ ``'embeddings'`` from ``model.embed``)."""
    model.eval()
    out: dict[str, list[np.ndarray]] = {"logits": [], "labels": [], "index": [], "embeddings": []}
    for batch in loader:
        if batch["labels"].numel() == 0:
            continue
        with _autocast(device, amp):
            if embeddings:
                emb = (
                    model.embed(batch["waveforms"].to(device), batch["lengths"].to(device))
                    if _takes_lengths(model.embed)
                    else model.embed(batch["waveforms"].to(device))
                )
                logits = model.head(emb)
                out["embeddings"].append(emb.float().cpu().numpy())
            else:
                logits = forward_batch(model, batch, device)
        out["logits"].append(logits.float().cpu().numpy())
        out["labels"].append(batch["labels"].numpy())
        out["index"].append(batch["index"].numpy())
    return {k: np.concatenate(v) if v else np.zeros((0,)) for k, v in out.items()}


def evaluate(
    model: nn.Module, loader: DataLoader, device: torch.device, num_classes: int, amp: bool = False
) -> dict[str, float]:
    """Loss and classification metrics of ``model`` over ``loader``."""
    pred = predict(model, loader, device, amp)
    if len(pred["labels"]) == 0:
        return {
            "loss": float("nan"),
            **classification_metrics(np.array([]), np.array([]), list(range(num_classes))),
        }
    logits, labels = torch.from_numpy(pred["logits"]), torch.from_numpy(pred["labels"]).long()
    loss = float(nn.functional.cross_entropy(logits, labels))
    return {
        "loss": loss,
        **classification_metrics(pred["labels"], pred["logits"].argmax(1), list(range(num_classes))),
    }


def train_step(
    model: nn.Module,
    batch: dict[str, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    device: torch.device,
    amp: bool = False,
    augment: Augment | None = None,
) -> float:
    """One optimisation step on a collated batch (augmented on the fly if ``augment``); return the loss."""
    model.train()
    if augment is not None:
        waves = batch["waveforms"]
        waves = augment(waves, batch["lengths"]) if _takes_lengths(augment) else augment(waves)
        batch = {**batch, "waveforms": waves}
    optimizer.zero_grad(set_to_none=True)
    with _autocast(device, amp):
        logits = forward_batch(model, batch, device)
        loss = nn.functional.cross_entropy(logits.float(), batch["labels"].to(device))
    loss.backward()
    optimizer.step()
    return float(loss.detach())


@dataclass
class FinetuneResult:
    """Per-iteration history, the last-20% summary, the number of steps taken and the optimizer (for checkpoints)."""

    history: list[dict[str, float]] = field(default_factory=list)
    summary: dict[str, float] = field(default_factory=dict)
    steps: int = 0
    optimizer: torch.optim.Optimizer | None = None


def tail_summary(history: list[dict[str, float]], fraction: float = 0.2) -> dict[str, float]:
    """Mean and std of every metric over the last ``fraction`` of evaluation points (at least one)."""
    if not history:
        return {}
    count = max(1, int(np.ceil(len(history) * fraction)))
    tail = history[-count:]
    summary: dict[str, float] = {"tail_points": float(count)}
    for key in sorted({k for row in tail for k in row if k not in ("step", "epoch")}):
        values = np.array([row[key] for row in tail if key in row], dtype=float)
        summary[f"{key}_mean"] = float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
        summary[f"{key}_std"] = float(np.nanstd(values)) if np.isfinite(values).any() else float("nan")
    return summary


def finetune(
    model: nn.Module,
    train_loader: DataLoader,
    val_loader: DataLoader | None,
    optimizer_cfg: dict[str, Any],
    epochs: int,
    device: str | torch.device = "auto",
    amp: bool = True,
    augment: Augment | None = None,
    log_every: int = 10,
    num_classes: int | None = None,
    seed: int = 0,
    on_eval: Callable[[dict[str, float]], None] | None = None,
    tail_fraction: float = 0.2,
) -> FinetuneResult:
    """Train ``model`` for ``epochs``; every ``log_every`` steps (and each epoch end) record train/val metrics.

    Returns the history and the mean/std over the last ``tail_fraction`` of evaluation points.
    """
    seed_everything(seed)
    device = device if isinstance(device, torch.device) else pick_device(device)
    model.to(device)
    optimizer = build_optimizer(model, optimizer_cfg)
    if isinstance(augment, nn.Module):
        augment.train()
    n_classes = num_classes or int(getattr(getattr(model, "config", None), "num_classes", 0) or 0)
    result = FinetuneResult()
    recent: list[float] = []
    total = epochs * len(train_loader)
    with tqdm(total=total, desc=f"fine-tuning on {device}", unit="step") as bar:
        for epoch in range(epochs):
            if hasattr(train_loader.dataset, "epoch"):
                train_loader.dataset.epoch = epoch
            for i, batch in enumerate(train_loader):
                if batch["labels"].numel() == 0:
                    bar.update(1)
                    continue
                recent.append(train_step(model, batch, optimizer, device, amp, augment))
                result.steps += 1
                bar.update(1)
                last_of_epoch = i == len(train_loader) - 1
                if result.steps % max(1, log_every) == 0 or last_of_epoch:
                    row = {
                        "step": float(result.steps),
                        "epoch": float(epoch),
                        "train_loss": float(np.mean(recent)),
                    }
                    recent = []
                    if val_loader is not None and n_classes:
                        row.update(
                            {
                                f"val_{k}": v
                                for k, v in evaluate(model, val_loader, device, n_classes, amp).items()
                            }
                        )
                    result.history.append(row)
                    bar.set_postfix(loss=f"{row['train_loss']:.3f}")
                    if on_eval is not None:
                        on_eval(row)
    result.summary = tail_summary(result.history, tail_fraction)
    result.optimizer = optimizer
    return result
