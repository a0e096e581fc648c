"""What extraction returns: a small, picklable view (paths + index) whose frames are read memory-mapped.

:class:`FeatureStoreView` keeps the attribute API of the in-memory :class:`FeatureSet` (``utt_ids``,
``frames``, ``pooled``, ``key``, ``backbone``, ``failed``, ``frame_dim``, ``pooled_dim``, ``subset``,
``len``), so heads, the matrix and the pipelines take either.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..utils.hashing import config_hash
from .shards import MAPS


def _positions(utt_ids: np.ndarray, wanted: list[str], key: str) -> np.ndarray:
    position = {u: i for i, u in enumerate(utt_ids.tolist())}
    missing = [u for u in wanted if u not in position]
    if missing:
        raise KeyError(f"{len(missing)} utt_ids not in feature set {key}, e.g. {missing[:5]}")
    return np.asarray([position[u] for u in wanted], dtype=np.int64)


@dataclass
class FeatureSet:
    """Features held in memory (float16 frames per clip, float32 pooled rows); for small data and tests."""

    utt_ids: np.ndarray
    frames: list[np.ndarray]
    pooled: np.ndarray
    key: str
    backbone: dict[str, Any]
    failed: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.utt_ids)

    @property
    def frame_dim(self) -> int:
        """Frame feature dimension (may differ from ``pooled_dim``, e.g. eGeMAPS 25 vs 88)."""
        return int(self.frames[0].shape[1]) if len(self.frames) else 0

    @property
    def pooled_dim(self) -> int:
        """Pooled vector dimension."""
        return int(self.pooled.shape[1]) if self.pooled.ndim == 2 else 0

    def subset(self, utt_ids: Iterable[str]) -> FeatureSet:
        """The rows of ``utt_ids`` in that order; unknown ids raise ``KeyError`` naming them."""
        idx = _positions(self.utt_ids, [str(u) for u in utt_ids], self.key)
        return FeatureSet(self.utt_ids[idx], [self.frames[i] for i in idx], self.pooled[idx], self.key,
                          self.backbone, list(self.failed))


class LazyFrames(Sequence):
    """``frames[i]`` -> the ``length x dim`` float16 memmap slice of clip ``i``; nothing is read before."""

    def __init__(self, view: FeatureStoreView) -> None:
        self._view = view

    def __len__(self) -> int:
        return len(self._view)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        v = self._view
        i = int(i)
        if i < 0:
            i += len(v)
        if not 0 <= i < len(v):
            raise IndexError(f"clip {i} out of range for {len(v)} clips")
        shard = v.shards[int(v.row_shard[i])]
        array = MAPS.get(Path(v.store_dir) / f"{shard}.frames.npy")
        start = int(v.offsets[i])
        return array[start : start + int(v.lengths[i])]

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self[i] for i in range(len(self)))


class ConcatFrames(Sequence):
    """Several frame sequences read as one, lazily (e.g. the training rows of a joint scenario).

    Prefer it over ``list(a) + list(b)``: a list of memmap slices keeps every shard's map (and the pages
    read from it) alive, while this reads each clip through its view only when asked.
    """

    def __init__(self, *parts: Sequence[np.ndarray]) -> None:
        self.parts = [p for p in parts if len(p)]
        self._ends = np.cumsum([len(p) for p in self.parts]).astype(np.int64)

    def __len__(self) -> int:
        return int(self._ends[-1]) if len(self._ends) else 0

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i) + (len(self) if int(i) < 0 else 0)
        if not 0 <= i < len(self):
            raise IndexError(f"clip {i} out of range for {len(self)} clips")
        part = int(np.searchsorted(self._ends, i, side="right"))
        start = int(self._ends[part - 1]) if part else 0
        return self.parts[part][i - start]

    def __iter__(self) -> Iterator[np.ndarray]:
        return (clip for part in self.parts for clip in part)


@dataclass
class FeatureStoreView:
    """Rows of a feature store in a chosen order: per clip its shard, frame offset and length, pooled row.

    Small and picklable (no frames): send it to other processes freely. ``frames`` reads lazily
    through memory maps; ``pooled`` gathers the small pooled rows on first access (not pickled).
    """

    store_dir: str
    utt_ids: np.ndarray
    shards: list[str]
    row_shard: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray
    pooled_rows: np.ndarray
    key: str
    backbone: dict[str, Any]
    failed: list[str] = field(default_factory=list)
    frame_dim: int = 0
    pooled_dim: int = 0
    _pooled: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.utt_ids)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_pooled"] = None
        return state

    @property
    def frames(self) -> LazyFrames:
        """Lazy sequence of per-clip frame arrays (float16 memmap slices)."""
        return LazyFrames(self)

    @property
    def pooled(self) -> np.ndarray:
        """``n x pooled_dim`` float32 pooled vectors (gathered from the shards once, then kept)."""
        if self._pooled is None:
            out = np.zeros((len(self), self.pooled_dim), np.float32)
            for s in np.unique(self.row_shard):
                mine = np.flatnonzero(self.row_shard == s)
                array = MAPS.get(Path(self.store_dir) / f"{self.shards[int(s)]}.pooled.npy")
                out[mine] = array[self.pooled_rows[mine]]
            self._pooled = out
        return self._pooled

    def subset(self, utt_ids: Iterable[str]) -> FeatureStoreView:
        """A lazy view of ``utt_ids`` in that order; unknown ids raise ``KeyError`` naming them."""
        idx = _positions(self.utt_ids, [str(u) for u in utt_ids], self.key)
        return FeatureStoreView(
            self.store_dir, self.utt_ids[idx], list(self.shards), self.row_shard[idx], self.offsets[idx],
            self.lengths[idx], self.pooled_rows[idx], self.key, self.backbone, list(self.failed),
            self.frame_dim, self.pooled_dim,
            None if self._pooled is None else self._pooled[idx],
        )

    @property
    def fingerprint(self) -> str:
        """Identity of exactly these features: config key plus, per clip, the shard and offset it is read from.

        Shards are immutable and uniquely named, so changed audio (re-extracted into a new shard) changes it.
        """
        shards = [self.shards[int(r)] for r in self.row_shard]
        return config_hash([self.key, self.utt_ids.tolist(), shards, self.offsets.tolist()])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what :class:`~ser_generalize.datasets.feature_store.FeatureStoreDataset` writes)."""
        return {
            "store_dir": str(self.store_dir), "key": self.key, "backbone": self.backbone, "failed": self.failed,
            "frame_dim": self.frame_dim, "pooled_dim": self.pooled_dim, "shards": self.shards,
            "utt_ids": self.utt_ids.tolist(), "row_shard": self.row_shard.tolist(),
            "offsets": self.offsets.tolist(), "lengths": self.lengths.tolist(),
            "pooled_rows": self.pooled_rows.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureStoreView:
        """Inverse of :meth:`to_dict`."""
        return cls(
            str(data["store_dir"]), np.asarray(data["utt_ids"], dtype=str), list(data["shards"]),
            np.asarray(data["row_shard"], np.int32), np.asarray(data["offsets"], np.int64),
            np.asarray(data["lengths"], np.int64), np.asarray(data["pooled_rows"], np.int64), str(data["key"]),
            dict(data["backbone"]), list(data["failed"]), int(data["frame_dim"]), int(data["pooled_dim"]),
        )
