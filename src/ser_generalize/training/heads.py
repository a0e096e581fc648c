"""Fit and apply classifier heads on stored frames, streaming: standardise, validation split, early stopping.

Frames come from any sequence (a list, or a feature-store view's lazy ``frames``); minibatches are read
as needed, standardisation statistics are accumulated clip by clip, and subsampled clips are cached only
up to ``memory_budget_mb``, so memory does not grow with the number or size of corpora.
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn
from tqdm.auto import tqdm

from ..features.shards import MAPS
from ..models.head_networks import build_head
from ..utils.device import pick_device

log = logging.getLogger(__name__)

MAX_FRAMES = 200
"""Default frames kept per clip (evenly subsampled beyond this; config ``max_frames``) so batches stay small."""
MEMORY_BUDGET_MB = 256.0
"""Default config ``memory_budget_mb``: half bounds the subsampled float32 clips kept between epochs, half the
feature-store memory maps held open (``features.shards.MAPS``; at least one shard stays mapped)."""
MIN_VALIDATION_ROWS = 10
"""Below this many rows no validation split is made (see :func:`fit_head`)."""


@dataclass
class FittedHead:
    """A trained head with its class names, feature standardisation and training prior.

    ``validation`` says how the kept weights were chosen: ``"holdout"`` (best validation loss) or
    ``"none"`` (too few rows or ``val_fraction`` 0: all rows trained, last epoch kept).
    ``memory_budget_mb`` (from the config) also bounds the store maps :func:`predict_logits` holds open.
    """

    model: nn.Module
    classes: list[str]
    mean: np.ndarray
    std: np.ndarray
    prior: np.ndarray
    history: list[dict[str, float]]
    max_frames: int = MAX_FRAMES
    validation: str = "holdout"
    memory_budget_mb: float = MEMORY_BUDGET_MB


@contextlib.contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Run the block with ``threads`` intra-op threads, then restore the previous setting.

    Small heads gain nothing from intra-op threads and the matrix runs rows in parallel processes, so
    the default is 1; a fixed count also fixes the order of float reductions, which keeps a seeded fit
    identical whichever process runs it.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, int(threads)))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _thin(frames: np.ndarray, limit: int) -> np.ndarray:
    if len(frames) <= limit:
        return frames
    return frames[np.linspace(0, len(frames) - 1, limit).astype(int)]


class ClipCache:
    """Subsampled float32 clips by row, kept in one slab of ``limit``-frame slots within ``budget_mb``.

    The least recently used slot is reused when the slab is full. One slab rather than an array per clip:
    thousands of small cached arrays, allocated between the training steps' short-lived activation buffers,
    fragmented glibc's heap so that the process grew three to four times the cache's own size (a row of
    4,000 training clips); the slab is one allocation whose pages are touched only as slots fill. A
    returned clip is a view into its slot, valid until ``capacity`` other clips have been read after it,
    so a batch of up to ``min_slots`` clips is safe; with room for fewer than ``min_slots`` slots nothing
    is cached.
    """

    def __init__(self, frames: Sequence[np.ndarray], limit: int, budget_mb: float, min_slots: int = 1) -> None:
        self.frames, self.limit, self.min_slots = frames, int(limit), max(1, int(min_slots))
        self.budget = int(budget_mb * 2**20)
        self._slab: np.ndarray | None = None  # allocated at the first read, when the frame dimension is known
        self._slots: OrderedDict[int, tuple[int, int]] = OrderedDict()  # row -> (slot, frames kept)
        self._free: list[int] = []

    def _allocate(self, dim: int) -> None:
        slot_bytes = max(1, self.limit * dim * 4)
        capacity = min(len(self.frames), self.budget // slot_bytes)
        if capacity < min(self.min_slots, len(self.frames)):
            capacity = 0
        self._slab = np.empty((capacity, self.limit, dim), np.float32)
        self._free = list(range(capacity - 1, -1, -1))

    def __getitem__(self, row: int) -> np.ndarray:
        row = int(row)
        hit = self._slots.get(row)
        if hit is not None:
            self._slots.move_to_end(row)
            return self._slab[hit[0], : hit[1]]  # type: ignore[index]
        clip = _thin(self.frames[row], self.limit)
        if self._slab is None:
            self._allocate(clip.shape[1])
        assert self._slab is not None
        if not len(self._slab) or clip.shape[1] != self._slab.shape[2]:
            return np.array(clip, dtype=np.float32)
        if self._free:
            slot = self._free.pop()
        else:
            _, (slot, _) = self._slots.popitem(last=False)
        self._slab[slot, : len(clip)] = clip
        self._slots[row] = (slot, len(clip))
        return self._slab[slot, : len(clip)]

    @property
    def capacity(self) -> int:
        """Slots in the slab (0 before the first read or when the budget holds fewer than ``min_slots``)."""
        return 0 if self._slab is None else len(self._slab)

    @property
    def nbytes(self) -> int:
        """Bytes of the slots in use."""
        return 0 if self._slab is None else len(self._slots) * self.limit * self._slab.shape[2] * 4


def streaming_stats(frames: Sequence[np.ndarray], rows: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per-dimension mean and population std (+1e-6) over every frame of ``rows``, NaNs ignored, one clip at a time."""
    total = sq = count = None
    for r in rows:
        clip = np.asarray(frames[int(r)], dtype=np.float64)
        if total is None:
            total, sq, count = (np.zeros(clip.shape[1]) for _ in range(3))
        finite = np.isfinite(clip)
        clean = np.where(finite, clip, 0.0)
        total += clean.sum(0)
        sq += (clean * clean).sum(0)
        count += finite.sum(0)
    if total is None:
        raise ValueError("no training clips to standardise on")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        var = np.maximum(sq / count - mean * mean, 0.0)
    return mean.astype(np.float32), (np.sqrt(var) + 1e-6).astype(np.float32)


def _batch(clips: Sequence[np.ndarray], mean: np.ndarray, std: np.ndarray, device):
    length = max(1, max(len(c) for c in clips))
    x = np.zeros((len(clips), length, len(mean)), np.float32)
    m = np.zeros((len(clips), length), np.float32)
    for i, c in enumerate(clips):
        if len(c):
            x[i, : len(c)] = (c - mean) / std
            m[i, : len(c)] = 1.0
    x = np.nan_to_num(x)
    return torch.from_numpy(x).to(device), torch.from_numpy(m).to(device)


def _logits(model: nn.Module, clips: Any, rows: Sequence[int], mean, std, device, batch_size: int) -> np.ndarray:
    """Logits of ``clips[r]`` for ``rows``, ``batch_size`` clips at a time."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(rows), batch_size):
            x, m = _batch([clips[r] for r in rows[i : i + batch_size]], mean, std, device)
            out.append(model(x, m).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 0))


def _split(y: np.ndarray, val_fraction: float, seed: int, desc: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Stratified train/validation rows; ``None`` validation (with a warning) when there are too few rows."""
    idx = np.arange(len(y))
    if val_fraction > 0 and len(y) >= MIN_VALIDATION_ROWS:
        counts = np.bincount(y)
        stratify = y if counts[counts > 0].min() >= 2 else None
        tr, va = train_test_split(idx, test_size=val_fraction, random_state=seed, stratify=stratify)
        return np.asarray(tr), np.asarray(va)
    why = "val_fraction is 0" if val_fraction <= 0 else f"only {len(y)} rows (< {MIN_VALIDATION_ROWS})"
    log.warning("fit_head(%s): no validation split (%s): training on all rows for the full epoch count, "
                "no early stopping, the last epoch's weights are kept", desc, why)
    return idx, None


def fit_head(frames: Sequence[np.ndarray], y: np.ndarray, classes: Sequence[str], config: dict[str, Any],
             device: str = "auto", desc: str = "head") -> FittedHead:
    """Train a head on clips ``frames`` (frames x dim each, any sequence) with integer labels ``y`` over ``classes``.

    A stratified ``val_fraction`` of the rows is held out; training stops after ``patience`` epochs
    without a lower validation loss and the best weights are kept. With fewer than 10 rows or
    ``val_fraction`` 0 there is no validation: a warning says so, all ``epochs`` run and the last weights
    are kept (``FittedHead.validation == "none"``). Seeded by ``config['seed']``; ``threads`` (default 1)
    sets torch's intra-op threads; ``memory_budget_mb`` bounds the clips cached between epochs and the
    store maps held open (half each).
    """
    y = np.asarray(y, dtype=np.int64)
    if len(frames) != len(y) or len(y) == 0:
        raise ValueError(f"fit_head({desc}): {len(frames)} clips but {len(y)} labels; need the same, non-zero count")
    seed = int(config.get("seed", 0))
    budget = float(config.get("memory_budget_mb", MEMORY_BUDGET_MB))
    with torch_threads(int(config.get("threads", 1))), MAPS.budget(budget / 2):
        torch.manual_seed(seed)
        return _fit(frames, y, classes, config, pick_device(device), desc, seed, budget / 2)


def _fit(frames, y, classes, config, dev, desc: str, seed: int, cache_mb: float) -> FittedHead:
    tr, va = _split(y, float(config.get("val_fraction", 0.1)), seed, desc)
    limit = int(config.get("max_frames", MAX_FRAMES))
    batch_size = int(config.get("batch_size", 32))
    clips = ClipCache(frames, limit, cache_mb, min_slots=batch_size)
    mean, std = streaming_stats(frames, tr)
    model = build_head(str(config.get("type", "ser_evals_mlp")), len(mean), len(classes),
                       config.get("hidden"), float(config.get("dropout", 0.1))).to(dev)
    optim = torch.optim.AdamW(model.parameters(), lr=float(config.get("lr", 1e-3)),
                              weight_decay=float(config.get("weight_decay", 1e-4)))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=float(config.get("label_smoothing", 0.1)))
    patience = int(config.get("patience", 5))
    rng = np.random.default_rng(seed)
    best, best_state, stale, history = np.inf, copy.deepcopy(model.state_dict()), 0, []
    for epoch in tqdm(range(int(config.get("epochs", 30))), desc=f"train {desc}", leave=False):
        model.train()
        order = rng.permutation(tr)
        for i in range(0, len(order), batch_size):
            rows = order[i : i + batch_size]
            x, m = _batch([clips[r] for r in rows], mean, std, dev)
            optim.zero_grad()
            loss = loss_fn(model(x, m), torch.from_numpy(y[rows]).to(dev))
            loss.backward()
            optim.step()
        record = {"epoch": epoch, "train_loss": float(loss.detach())}
        if va is None:
            history.append(record)
            continue
        val_logits = torch.from_numpy(_logits(model, clips, va, mean, std, dev, batch_size))
        val_loss = float(nn.functional.cross_entropy(val_logits, torch.from_numpy(y[va])))
        history.append({**record, "val_loss": val_loss})
        if val_loss < best - 1e-4:
            best, best_state, stale = val_loss, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if stale >= patience:
                break
    if va is not None:
        model.load_state_dict(best_state)
    prior = np.maximum(np.bincount(y[tr], minlength=len(classes)) / len(tr), 1e-12)
    return FittedHead(model.cpu(), list(classes), mean, std, prior, history, limit,
                      "holdout" if va is not None else "none", 2 * cache_mb)


def predict_logits(head: FittedHead, frames: Sequence[np.ndarray], batch_size: int = 64,
                   threads: int = 1) -> np.ndarray:
    """Clip logits (n x classes) of a fitted head, before any logit adjustment or masking; streams ``frames``."""
    if len(frames) == 0:
        return np.zeros((0, len(head.classes)))
    with torch_threads(threads), MAPS.budget(head.memory_budget_mb / 2):
        uncached = ClipCache(frames, head.max_frames, budget_mb=0)  # each clip read once: nothing to keep
        return _logits(head.model, uncached, np.arange(len(frames)), head.mean, head.std, "cpu", batch_size)
