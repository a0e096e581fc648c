"""Fit and apply classifier heads on cached FeatureSet frames: standardise, validation split, early stopping."""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn
from tqdm.auto import tqdm

from ..models.heads import build_head
from ..utils.device import pick_device

log = logging.getLogger(__name__)

MAX_FRAMES = 200
"""Default frames kept per clip (evenly subsampled beyond this; config ``max_frames``) so batches stay small."""


@dataclass
class FittedHead:
    """A trained head with its class names, feature standardisation and training prior."""

    model: nn.Module
    classes: list[str]
    mean: np.ndarray
    std: np.ndarray
    prior: np.ndarray
    history: list[dict[str, float]]
    max_frames: int = MAX_FRAMES


def _thin(frames: np.ndarray, limit: int) -> np.ndarray:
    if len(frames) <= limit:
        return frames
    return frames[np.linspace(0, len(frames) - 1, limit).astype(int)]


def _batch(frames: Sequence[np.ndarray], mean: np.ndarray, std: np.ndarray, device: str, limit: int = MAX_FRAMES):
    clips = [_thin(np.asarray(f, dtype=np.float32), limit) for f in frames]
    length = max(1, max(len(c) for c in clips))
    x = np.zeros((len(clips), length, len(mean)), np.float32)
    m = np.zeros((len(clips), length), np.float32)
    for i, c in enumerate(clips):
        if len(c):
            x[i, : len(c)] = (c - mean) / std
            m[i, : len(c)] = 1.0
    x = np.nan_to_num(x)
    return torch.from_numpy(x).to(device), torch.from_numpy(m).to(device)


def _logits(model: nn.Module, frames, mean, std, device: str, batch_size: int, limit: int = MAX_FRAMES) -> np.ndarray:
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(frames), batch_size):
            x, m = _batch(frames[i : i + batch_size], mean, std, device, limit)
            out.append(model(x, m).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 0))


def fit_head(frames: Sequence[np.ndarray], y: np.ndarray, classes: Sequence[str], config: dict[str, Any],
             device: str = "auto", desc: str = "head") -> FittedHead:
    """Train a head on clips ``frames`` (frames x dim each) with integer labels ``y`` over ``classes``.

    A stratified ``val_fraction`` of the rows is held out; training stops after ``patience`` epochs
    without a lower validation loss and the best weights are kept. Seeded by ``config['seed']``.
    """
    y = np.asarray(y, dtype=np.int64)
    if len(frames) != len(y) or len(y) == 0:
        raise ValueError(f"fit_head({desc}): {len(frames)} clips but {len(y)} labels; need the same, non-zero count")
    seed = int(config.get("seed", 0))
    torch.manual_seed(seed)
    dev = pick_device(device)
    idx = np.arange(len(y))
    val_fraction = float(config.get("val_fraction", 0.1))
    counts = np.bincount(y)
    stratify = y if counts[counts > 0].min() >= 2 else None
    if val_fraction > 0 and len(y) >= 10:
        tr, va = train_test_split(idx, test_size=val_fraction, random_state=seed, stratify=stratify)
    else:
        tr, va = idx, idx
    stacked = np.concatenate([np.asarray(frames[i], np.float32) for i in tr])
    mean, std = np.nanmean(stacked, 0), np.nanstd(stacked, 0) + 1e-6
    model = build_head(str(config.get("type", "ser_evals_mlp")), stacked.shape[1], len(classes),
                       config.get("hidden"), float(config.get("dropout", 0.1))).to(dev)
    optim = torch.optim.AdamW(model.parameters(), lr=float(config.get("lr", 1e-3)),
                              weight_decay=float(config.get("weight_decay", 1e-4)))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=float(config.get("label_smoothing", 0.1)))
    batch_size, patience = int(config.get("batch_size", 32)), int(config.get("patience", 5))
    rng = np.random.default_rng(seed)
    limit = int(config.get("max_frames", MAX_FRAMES))
    best, best_state, stale, history = np.inf, copy.deepcopy(model.state_dict()), 0, []
    y_val = torch.from_numpy(y[va])
    for epoch in tqdm(range(int(config.get("epochs", 30))), desc=f"train {desc}", leave=False):
        model.train()
        order = rng.permutation(tr)
        for i in range(0, len(order), batch_size):
            rows = order[i : i + batch_size]
            x, m = _batch([frames[r] for r in rows], mean, std, dev, limit)
            optim.zero_grad()
            loss = loss_fn(model(x, m), torch.from_numpy(y[rows]).to(dev))
            loss.backward()
            optim.step()
        val_logits = torch.from_numpy(_logits(model, [frames[r] for r in va], mean, std, dev, batch_size, limit))
        val_loss = float(nn.functional.cross_entropy(val_logits, y_val))
        history.append({"epoch": epoch, "train_loss": float(loss.detach()), "val_loss": val_loss})
        if val_loss < best - 1e-4:
            best, best_state, stale = val_loss, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if stale >= patience:
                break
    model.load_state_dict(best_state)
    prior = np.maximum(np.bincount(y[tr], minlength=len(classes)) / len(tr), 1e-12)
    return FittedHead(model.cpu(), list(classes), mean, std, prior, history, limit)


def predict_logits(head: FittedHead, frames: Sequence[np.ndarray], batch_size: int = 64) -> np.ndarray:
    """Clip logits (n x classes) of a fitted head, before any logit adjustment or masking."""
    if len(frames) == 0:
        return np.zeros((0, len(head.classes)))
    return _logits(head.model, list(frames), head.mean, head.std, "cpu", batch_size, head.max_frames)
