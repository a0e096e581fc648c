"""Immutable feature shards on disk: two ``.npy`` files (frames, pooled) committed by a JSON index written last.

A shard is ``{name}.frames.npy`` (all clips' float16 frames concatenated), ``{name}.pooled.npy``
(one float32 row per clip) and ``{name}.json`` (per clip: utt_id, variant, audio identity, offset,
length; byte sizes and CRC32 of both arrays). Every file is written to a temporary name and renamed,
the JSON last, so a shard without its JSON never counts: a killed writer loses at most the shard it
was filling. A shard whose arrays do not match its JSON is reported, removed and re-extracted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..utils.io import atomic_path

log = logging.getLogger(__name__)

SHARD_VERSION = 1
ORPHAN_AGE_S = 3600.0
"""Array files without a committing JSON older than this are leftovers of a killed run and are removed
(younger ones may belong to a writer running in another process right now)."""


def file_crc32(path: str | os.PathLike[str], block: int = 1 << 22) -> int:
    """CRC32 of a file, read in 4 MiB blocks (never the whole file in memory)."""
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(block):
            crc = zlib.crc32(chunk, crc)
    return crc


@dataclass
class ShardEntry:
    """One clip of a shard: where its frames are and what audio and transform produced them."""

    utt_id: str
    variant: str
    audio: dict[str, Any]
    offset: int
    length: int
    row: int


@dataclass
class Shard:
    """A committed shard as its JSON describes it."""

    name: str
    frame_dim: int
    pooled_dim: int
    entries: list[ShardEntry]
    failed: list[dict[str, Any]]
    files: dict[str, dict[str, int]]


class ShardError(ValueError):
    """A shard's files do not match its index (truncated, missing or corrupted)."""


def shard_files(store_dir: Path, name: str) -> dict[str, Path]:
    """Paths of a shard's three files."""
    return {part: store_dir / f"{name}.{part}.npy" for part in ("frames", "pooled")} | {
        "json": store_dir / f"{name}.json"
    }


def _check(store_dir: Path, shard: Shard, checksum: bool) -> None:
    paths = shard_files(store_dir, shard.name)
    for part in ("frames", "pooled"):
        meta, path = shard.files[part], paths[part]
        if not path.is_file():
            raise ShardError(f"{path} is missing")
        size = path.stat().st_size
        if size != int(meta["bytes"]):
            raise ShardError(f"{path} has {size} bytes, its index {paths['json'].name} says {meta['bytes']}")
        if checksum and file_crc32(path) != int(meta["crc32"]):
            raise ShardError(f"{path} fails its CRC32 check")


def read_shard(store_dir: Path, name: str, checksum: bool = False) -> Shard:
    """Parse and verify one shard (sizes always, CRC32 when ``checksum``); raise :class:`ShardError`."""
    path = shard_files(store_dir, name)["json"]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        shard = Shard(
            name=name,
            frame_dim=int(data["frame_dim"]),
            pooled_dim=int(data["pooled_dim"]),
            entries=[ShardEntry(**e) for e in data["entries"]],
            failed=list(data.get("failed", [])),
            files=data["files"],
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ShardError(f"{path} is not a valid shard index ({exc})") from exc
    _check(store_dir, shard, checksum)
    return shard


def remove_shard(store_dir: Path, name: str) -> None:
    """Delete a shard's files (the JSON first, so a half-deleted shard never looks committed)."""
    paths = shard_files(store_dir, name)
    for key in ("json", "frames", "pooled"):
        MAPS.forget(paths[key])
        paths[key].unlink(missing_ok=True)


def load_shards(store_dir: str | os.PathLike[str], checksum: bool = False, repair: bool = True) -> list[Shard]:
    """Every committed, intact shard of a store, oldest first; damaged ones are warned about by file name.

    With ``repair`` the damaged shards are deleted (their clips are then re-extracted) and array files
    that a killed run left without a JSON (older than an hour) are removed.
    """
    store_dir = Path(store_dir)
    if not store_dir.is_dir():
        return []
    shards: list[Shard] = []
    for json_path in sorted(store_dir.glob("*.json")):
        name = json_path.name[: -len(".json")]
        try:
            shards.append(read_shard(store_dir, name, checksum))
        except ShardError as exc:
            log.warning("feature shard damaged, its clips will be re-extracted: %s", exc)
            if repair:
                remove_shard(store_dir, name)
    if repair:
        committed = {s.name for s in shards}
        now = time.time()
        for array in store_dir.glob("*.npy"):
            name = array.name.rsplit(".", 2)[0]
            if name not in committed and now - array.stat().st_mtime > ORPHAN_AGE_S:
                log.warning("removing %s: array of a shard that was never committed (killed run)", array)
                array.unlink(missing_ok=True)
    return shards


def _save_npy(path: Path, parts: list[np.ndarray], dim: int, dtype: type) -> dict[str, int]:
    """Write ``parts`` stacked along rows as one ``.npy``, part by part (no concatenated copy), then fsync."""
    rows = sum(len(p) for p in parts)
    with atomic_path(path) as tmp:
        array = np.lib.format.open_memmap(tmp, mode="w+", dtype=dtype, shape=(rows, dim))
        at = 0
        for part in parts:
            array[at : at + len(part)] = part
            at += len(part)
        array.flush()
        del array
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        meta = {"bytes": tmp.stat().st_size, "crc32": file_crc32(tmp)}
    return meta


@dataclass
class ShardWriter:
    """Buffer extracted clips and commit them as a shard every ``shard_clips`` clips or ``shard_mb`` MB."""

    store_dir: Path
    frame_dim: int
    pooled_dim: int
    shard_clips: int = 256
    shard_mb: float = 256.0
    committed: list[Shard] = field(default_factory=list)
    _frames: list[np.ndarray] = field(default_factory=list)
    _pooled: list[np.ndarray] = field(default_factory=list)
    _entries: list[dict[str, Any]] = field(default_factory=list)
    _failed: list[dict[str, Any]] = field(default_factory=list)
    _bytes: int = 0
    _counter: int = 0

    def add(self, utt_id: str, variant: str, audio: dict[str, Any], frames: np.ndarray, pooled: np.ndarray) -> None:
        """Buffer one clip; commits a shard when the buffer is full."""
        frames = np.asarray(frames, dtype=np.float16)
        pooled = np.asarray(pooled, dtype=np.float32)
        if frames.ndim != 2 or frames.shape[1] != self.frame_dim or pooled.shape != (self.pooled_dim,):
            raise ValueError(
                f"{utt_id}: backbone gave frames {frames.shape} / pooled {pooled.shape}, but it declares "
                f"frame dim {self.frame_dim} and pooled dim {self.pooled_dim}; fix the backbone's dim/pooled_dim"
            )
        self._entries.append({"utt_id": utt_id, "variant": variant, "audio": audio})
        self._frames.append(frames)
        self._pooled.append(pooled)
        self._bytes += self._frames[-1].nbytes
        if len(self._entries) >= self.shard_clips or self._bytes >= self.shard_mb * 2**20:
            self.flush()

    def add_failed(self, utt_id: str, variant: str, audio: dict[str, Any], reason: str) -> None:
        """Record a clip that could not be decoded, so reruns skip it until its file changes."""
        self._failed.append({"utt_id": utt_id, "variant": variant, "audio": audio, "reason": reason})

    def flush(self) -> Shard | None:
        """Commit the buffered clips as one shard (arrays first, JSON last); no-op when empty."""
        if not self._entries and not self._failed:
            return None
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self._counter += 1
        name = f"{time.time_ns():016x}-{os.getpid()}-{threading.get_ident() % 10000:04d}-{self._counter:05d}"
        paths = shard_files(self.store_dir, name)
        lengths = [len(f) for f in self._frames]
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        files = {"frames": _save_npy(paths["frames"], self._frames, self.frame_dim, np.float16),
                 "pooled": _save_npy(paths["pooled"], [p[None] for p in self._pooled], self.pooled_dim, np.float32)}
        entries = [
            {**e, "offset": int(offsets[i]), "length": int(lengths[i]), "row": i} for i, e in enumerate(self._entries)
        ]
        index = {"version": SHARD_VERSION, "frame_dim": self.frame_dim, "pooled_dim": self.pooled_dim,
                 "files": files, "entries": entries, "failed": self._failed}
        with atomic_path(paths["json"]) as tmp:
            tmp.write_text(json.dumps(index), encoding="utf-8")
        shard = Shard(name, self.frame_dim, self.pooled_dim, [ShardEntry(**e) for e in entries],
                      list(self._failed), files)
        self.committed.append(shard)
        self._frames, self._pooled, self._entries, self._failed, self._bytes = [], [], [], [], 0
        return shard


class MapCache:
    """Process-wide LRU of open read-only memory maps, bounded by the mapped bytes (``budget_mb``).

    Pages of a file-backed map count toward RSS once read; closing the least recently used maps
    keeps a reader's footprint bounded however many shards a corpus has.
    """

    def __init__(self, budget_mb: float = 512.0) -> None:
        self.budget_bytes = int(budget_mb * 2**20)
        self._maps: OrderedDict[str, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def set_budget(self, budget_mb: float) -> None:
        """Change the bound (evicts at once when lowered)."""
        with self._lock:
            self.budget_bytes = int(budget_mb * 2**20)
            self._evict()

    def _evict(self) -> None:
        while self._maps and self._bytes > self.budget_bytes and len(self._maps) > 1:
            _, old = self._maps.popitem(last=False)
            self._bytes -= old.nbytes

    def get(self, path: Path) -> np.ndarray:
        """The memory-mapped array of ``path`` (``np.load(mmap_mode='r')``)."""
        key = str(path)
        with self._lock:
            if key in self._maps:
                self._maps.move_to_end(key)
                return self._maps[key]
        try:
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ShardError(f"{path} cannot be memory-mapped ({exc}); rerun extraction to rebuild it") from exc
        with self._lock:
            self._maps[key] = array
            self._bytes += array.nbytes
            self._evict()
        return array

    @contextlib.contextmanager
    def budget(self, budget_mb: float) -> Iterator[None]:
        """Run the block with at most ``budget_mb`` of maps open (never more than the current bound)."""
        previous = self.budget_bytes / 2**20
        self.set_budget(min(previous, budget_mb))
        try:
            yield
        finally:
            self.set_budget(previous)

    def forget(self, path: Path) -> None:
        """Drop the map of ``path`` (its file is being removed)."""
        with self._lock:
            old = self._maps.pop(str(path), None)
            if old is not None:
                self._bytes -= old.nbytes

    def clear(self) -> None:
        """Close every map (e.g. before files are rewritten)."""
        with self._lock:
            self._maps.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._maps)


MAPS = MapCache()
"""The maps every store view reads through; ``MAPS.set_budget(mb)`` bounds them."""
