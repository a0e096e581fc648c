"""The feature store: one cached ``.npz`` per corpus x backbone config (x transform), reused on rerun."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..audio.io import load_audio
from ..utils.hashing import config_hash
from ..utils.io import atomic_path
from .base import Backbone, build_backbone, safe_name

log = logging.getLogger(__name__)

WaveformTransform = Callable[[str, np.ndarray], np.ndarray]

CHUNK_CLIPS = 64
"""Clips decoded and handed to the backbone at once (bounds memory; the backbone batches inside)."""


@dataclass
class FeatureSet:
    """Features of a set of utterances: float16 frames per clip, float32 pooled rows, and provenance."""

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
        return int(self.frames[0].shape[1]) if self.frames else 0

    @property
    def pooled_dim(self) -> int:
        """Pooled vector dimension."""
        return int(self.pooled.shape[1]) if self.pooled.ndim == 2 else 0

    def subset(self, utt_ids: Iterable[str]) -> FeatureSet:
        """The rows of ``utt_ids`` in that order; unknown ids raise ``KeyError`` naming them."""
        wanted = [str(u) for u in utt_ids]
        position = {u: i for i, u in enumerate(self.utt_ids.tolist())}
        missing = [u for u in wanted if u not in position]
        if missing:
            raise KeyError(f"{len(missing)} utt_ids not in feature set {self.key}, e.g. {missing[:5]}")
        idx = np.asarray([position[u] for u in wanted], dtype=np.int64)
        return FeatureSet(
            utt_ids=self.utt_ids[idx] if len(idx) else self.utt_ids[:0],
            frames=[self.frames[i] for i in idx],
            pooled=self.pooled[idx] if len(idx) else self.pooled[:0],
            key=self.key,
            backbone=self.backbone,
            failed=list(self.failed),
        )

    def save(self, path: str | Path) -> Path:
        """Write everything to one ``.npz`` atomically (frames concatenated, with offsets)."""
        lengths = [len(f) for f in self.frames]
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        dim = self.frame_dim
        frames = (
            np.concatenate(self.frames).astype(np.float16) if self.frames else np.zeros((0, dim), np.float16)
        )
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            np.savez(
                handle,
                utt_ids=np.asarray(self.utt_ids, dtype=str),
                frames=frames,
                offsets=offsets,
                pooled=np.asarray(self.pooled, dtype=np.float32),
                key=np.asarray(self.key),
                backbone=np.asarray(json.dumps(self.backbone, sort_keys=True, default=str)),
                failed=np.asarray(self.failed, dtype=str),
            )
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> FeatureSet:
        """Read a file written by :meth:`save` (no pickle)."""
        with np.load(path, allow_pickle=False) as data:
            offsets = data["offsets"]
            frames = data["frames"]
            return cls(
                utt_ids=data["utt_ids"].astype(str),
                frames=[frames[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)],
                pooled=data["pooled"],
                key=str(data["key"]),
                backbone=json.loads(str(data["backbone"])),
                failed=data["failed"].astype(str).tolist(),
            )


def utt_fingerprint(utt_ids: Iterable[str]) -> str:
    """Order-independent hash of the utterance ids, so a changed manifest never reuses stale features."""
    joined = "\n".join(sorted(str(u) for u in utt_ids))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]


def cache_key(backbone_config: dict[str, Any], utt_ids: Iterable[str], transform_key: str | None) -> str:
    """Hash of backbone config + utterance-id fingerprint + transform key."""
    return config_hash(
        {"backbone": backbone_config, "utts": utt_fingerprint(utt_ids), "transform": transform_key}
    )


def cache_path(cache_dir: str | Path, corpus: str, backbone_name: str, key: str) -> Path:
    """``{cache_dir}/{corpus}.{backbone_name}.{key}.npz``."""
    return Path(cache_dir) / f"{safe_name(corpus)}.{safe_name(backbone_name)}.{key}.npz"


def _corpus_name(manifest: pd.DataFrame) -> str:
    if "corpus" not in manifest.columns or manifest["corpus"].dropna().empty:
        return "corpus"
    return "+".join(sorted(str(c) for c in manifest["corpus"].dropna().unique()))


def _decode(row: pd.Series, transform: WaveformTransform | None) -> np.ndarray | None:
    try:
        waveform = load_audio(row["path"])
    except Exception as exc:  # noqa: BLE001 -- AudioError names the file; nothing else may stop the run
        log.warning("skipping %s (utt %s): %s", row["path"], row["utt_id"], exc)
        return None
    return transform(str(row["utt_id"]), waveform) if transform is not None else waveform


def _to_float16(frames: np.ndarray) -> np.ndarray:
    """Cast to float16, saturating at its range (65504) instead of overflowing to inf."""
    limit = np.finfo(np.float16).max
    return np.clip(frames, -limit, limit).astype(np.float16)


def _extract(
    manifest: pd.DataFrame,
    backbone: Backbone,
    transform: WaveformTransform | None,
    progress: bool,
    label: str,
) -> tuple[list[str], list[np.ndarray], list[np.ndarray], list[str]]:
    """Decode and encode in chunks (shortest first, so batches pad little); keep manifest order."""
    if "duration_s" in manifest.columns:
        order = np.argsort(manifest["duration_s"].to_numpy(dtype=float), kind="stable")
    else:
        order = np.arange(len(manifest))
    results: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    failed: list[int] = []
    with tqdm(total=len(manifest), desc=f"features {label}", unit="clip", disable=not progress) as bar:
        for start in range(0, len(order), CHUNK_CLIPS):
            rows, waves = [], []
            for pos in order[start : start + CHUNK_CLIPS]:
                row = manifest.iloc[int(pos)]
                waveform = _decode(row, transform)
                if waveform is None:
                    failed.append(int(pos))
                else:
                    rows.append(int(pos))
                    waves.append(waveform)
            if waves:
                frames, pooled = backbone.encode(waves)
                for pos, f, p in zip(rows, frames, pooled, strict=True):
                    results[pos] = (_to_float16(f), p.astype(np.float32))
            bar.update(len(order[start : start + CHUNK_CLIPS]))
    kept = sorted(results)
    utt_ids = [str(manifest.iloc[p]["utt_id"]) for p in kept]
    failed_ids = [str(manifest.iloc[p]["utt_id"]) for p in sorted(failed)]
    return utt_ids, [results[p][0] for p in kept], [results[p][1] for p in kept], failed_ids


def extract_features(
    manifest: pd.DataFrame,
    backbone_spec: str,
    backbone_options: dict[str, Any] | None = None,
    cache_dir: str | Path = "data/04_feature",
    waveform_transform: WaveformTransform | None = None,
    transform_key: str | None = None,
    progress: bool = True,
) -> FeatureSet:
    """Features of every manifest row, cached in ``cache_dir`` under a hash of backbone config, ids and transform.

    A rerun with the same config loads the cache; any config change re-extracts. Files that
    fail to decode are skipped with a warning and listed in ``FeatureSet.failed``. A
    ``waveform_transform`` needs a ``transform_key`` so augmented caches stay apart.
    """
    if waveform_transform is not None and not transform_key:
        raise ValueError(
            "a waveform_transform needs a transform_key, or augmented features would share a cache"
        )
    missing = [c for c in ("utt_id", "path") if c not in manifest.columns]
    if missing:
        raise ValueError(f"manifest lacks columns {missing}; pass a manifest from the ingestion pipeline")
    backbone = build_backbone(backbone_spec, backbone_options)
    corpus = _corpus_name(manifest)
    key = cache_key(backbone.config(), manifest["utt_id"].astype(str), transform_key)
    path = cache_path(cache_dir, corpus, backbone.name, key)
    if path.is_file():
        log.info("reusing cached features %s", path)
        cached = FeatureSet.load(path)
        failed = set(cached.failed)
        wanted = [u for u in manifest["utt_id"].astype(str) if u not in failed]
        return cached.subset(wanted)
    label = f"{corpus}/{backbone.name}"
    utt_ids, frames, pooled, failed = _extract(manifest, backbone, waveform_transform, progress, label)
    if failed:
        log.warning(
            "%s: %d of %d files could not be decoded and were skipped", label, len(failed), len(manifest)
        )
    if not utt_ids:
        log.error("%s: no utterance could be decoded; check the corpus paths in the manifest", label)
    features = FeatureSet(
        utt_ids=np.asarray(utt_ids, dtype=str),
        frames=frames,
        pooled=np.stack(pooled) if pooled else np.zeros((0, backbone.pooled_dim), np.float32),
        key=key,
        backbone={"spec": backbone_spec, **backbone.config()},
        failed=failed,
    )
    features.save(path)
    log.info("wrote features %s (%d clips, %d failed)", path, len(utt_ids), len(failed))
    return features


def extract_features_for(
    manifest: pd.DataFrame,
    features: Mapping[str, Any] | None,
    waveform_transform: WaveformTransform | None = None,
    transform_key: str | None = None,
) -> FeatureSet:
    """``extract_features`` from a pipeline's ``features`` block (``backbone``, ``backbone_options``, ``cache_dir``)."""
    features = features or {}
    return extract_features(
        manifest,
        features.get("backbone", "egemaps"),
        features.get("backbone_options"),
        features.get("cache_dir", "data/04_feature"),
        waveform_transform=waveform_transform,
        transform_key=transform_key,
    )
