"""Extraction into the feature store: incremental, resumable, keyed by each clip's audio and transform.

One store directory per corpus x backbone config (``{cache_dir}/{corpus}.{backbone}.{config hash}/``)
holds immutable shards (see :mod:`ser_generalize.features.shards`). A clip is reused when a shard
holds the same ``utt_id``, the same *variant* (``""`` = clean audio, else the key of the waveform
transform that changed it) and the same audio identity (resolved path, size, mtime; on an mtime-only
change the stored content hash decides). Everything else is extracted and committed shard by shard,
so an interrupted run resumes where it stopped and new utterances extract only themselves.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..audio.io import load_audio
from ..features.shards import ShardEntry, ShardWriter, load_shards
from ..features.view import FeatureSet, FeatureStoreView
from ..utils.hashing import config_hash
from .base import Backbone, build_backbone, safe_name

log = logging.getLogger(__name__)

__all__ = ["FeatureSet", "FeatureStoreView", "extract_features", "extract_features_for", "store_dir"]

WaveformTransform = Callable[[str, np.ndarray], np.ndarray]

CHUNK_CLIPS = 64
"""Clips decoded and handed to the backbone at once (bounds memory; the backbone batches inside)."""
SHARD_CLIPS = 256
"""Clips per committed shard (a killed run loses at most this many)."""
SHARD_MB = 128.0
"""A shard is also committed once its float16 frames reach this size."""


def utt_fingerprint(utt_ids: Iterable[str]) -> str:
    """Order-independent hash of the utterance ids (part of a view's ``key``)."""
    joined = "\n".join(sorted(str(u) for u in utt_ids))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]


def cache_key(backbone_config: dict[str, Any], utt_ids: Iterable[str], transform_key: str | None) -> str:
    """Hash of backbone config + utterance-id fingerprint + transform key: names one view of a store."""
    return config_hash(
        {"backbone": backbone_config, "utts": utt_fingerprint(utt_ids), "transform": transform_key}
    )


def store_dir(cache_dir: str | Path, corpus: str, backbone_name: str, backbone_config: dict[str, Any]) -> Path:
    """``{cache_dir}/{corpus}.{backbone_name}.{hash of backbone config}`` (one per corpus x backbone config)."""
    return Path(cache_dir) / f"{safe_name(corpus)}.{safe_name(backbone_name)}.{config_hash(backbone_config)}"


def _corpus_name(manifest: pd.DataFrame) -> str:
    if "corpus" not in manifest.columns or manifest["corpus"].dropna().empty:
        return "corpus"
    return "+".join(sorted(str(c) for c in manifest["corpus"].dropna().unique()))


def content_hash(path: str | os.PathLike[str]) -> str:
    """BLAKE2b of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def audio_identity(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Resolved path, size and mtime (ns) of an audio file; size -1 when it cannot be read."""
    resolved = os.path.abspath(os.fspath(path))
    try:
        stat = os.stat(resolved)
    except OSError:
        return {"path": resolved, "size": -1, "mtime_ns": -1}
    return {"path": resolved, "size": int(stat.st_size), "mtime_ns": int(stat.st_mtime_ns)}


def _same_audio(stored: dict[str, Any], current: dict[str, Any], hashes: dict[str, str]) -> bool:
    """Same file: equal path and size, and equal mtime or (mtime changed) equal content hash."""
    if stored.get("path") != current["path"] or int(stored.get("size", -2)) != current["size"]:
        return False
    if int(stored.get("mtime_ns", -2)) == current["mtime_ns"]:
        return True
    if not stored.get("blake2b") or current["size"] < 0:
        return False
    if current["path"] not in hashes:
        hashes[current["path"]] = content_hash(current["path"])
    return hashes[current["path"]] == stored["blake2b"]


def _variants(utt_ids: list[str], transform: WaveformTransform | None, transform_key: str | None) -> list[str]:
    """Per clip, ``""`` when its audio is used as is, else the transform key.

    A transform exposing ``augmented_ids`` (``audio.augment.AugmentationTransform``) changes only those
    clips, so every other clip shares the clean features; any other transform changes every clip.
    """
    if transform is None:
        return [""] * len(utt_ids)
    touched = getattr(transform, "augmented_ids", None)
    if touched is None:
        return [str(transform_key)] * len(utt_ids)
    return [str(transform_key) if u in touched else "" for u in utt_ids]


def _to_float16(frames: np.ndarray) -> np.ndarray:
    """Cast to float16, saturating at its range (65504) instead of overflowing to inf."""
    limit = np.finfo(np.float16).max
    return np.clip(frames, -limit, limit).astype(np.float16)


def _decode(path: str, utt_id: str, transform: WaveformTransform | None) -> tuple[np.ndarray | None, str]:
    try:
        waveform = load_audio(path)
    except Exception as exc:  # noqa: BLE001 -- AudioError names the file; nothing else may stop the run
        log.warning("skipping %s (utt %s): %s", path, utt_id, exc)
        return None, str(exc)
    return (transform(utt_id, waveform) if transform is not None else waveform), ""


def _extract(
    todo: pd.DataFrame,
    backbone: Backbone,
    transform: WaveformTransform | None,
    writer: ShardWriter,
    progress: bool,
    label: str,
) -> None:
    """Decode and encode ``todo`` (columns utt_id, path, variant, audio, duration_s) shortest first, in chunks.

    Finished clips go to ``writer``; on any exception the clips already encoded are committed first,
    so a rerun resumes after them.
    """
    order = np.argsort(todo["duration_s"].to_numpy(dtype=float), kind="stable")
    try:
        with tqdm(total=len(todo), desc=f"features {label}", unit="clip", disable=not progress) as bar:
            for start in range(0, len(order), CHUNK_CLIPS):
                rows, waves = [], []
                for pos in order[start : start + CHUNK_CLIPS]:
                    row = todo.iloc[int(pos)]
                    variant = str(row["variant"])
                    wave, error = _decode(str(row["path"]), str(row["utt_id"]), transform if variant else None)
                    if wave is None:
                        writer.add_failed(str(row["utt_id"]), variant, row["audio"], error)
                    else:
                        rows.append(row)
                        waves.append(wave)
                if waves:
                    frames, pooled = backbone.encode(waves)
                    for row, f, p in zip(rows, frames, pooled, strict=True):
                        writer.add(str(row["utt_id"]), str(row["variant"]), row["audio"], _to_float16(f), p)
                bar.update(len(order[start : start + CHUNK_CLIPS]))
    finally:
        writer.flush()


def _with_hash(audio: dict[str, Any]) -> dict[str, Any]:
    """Identity plus a content hash (the file is about to be decoded anyway, so hashing is cheap)."""
    if audio["size"] < 0:
        return audio
    try:
        return {**audio, "blake2b": content_hash(audio["path"])}
    except OSError:
        return audio


def extract_features(
    manifest: pd.DataFrame,
    backbone_spec: str | Backbone,
    backbone_options: dict[str, Any] | None = None,
    cache_dir: str | Path = "data/04_feature",
    waveform_transform: WaveformTransform | None = None,
    transform_key: str | None = None,
    progress: bool = True,
    verify: str = "size",
    shard_clips: int = SHARD_CLIPS,
    shard_mb: float = SHARD_MB,
) -> FeatureStoreView:
    """Features of every manifest row from the store under ``cache_dir``, extracting only what it lacks.

    Returns a lazy, picklable :class:`FeatureStoreView` in manifest order. Files that fail to decode
    are skipped with a warning and listed in ``failed`` (retried once the file changes). A
    ``waveform_transform`` needs a ``transform_key``. ``verify``: ``"size"`` (every shard's array sizes
    are checked against its index) or ``"checksum"`` (CRC32 too; reads every reused shard once);
    damaged shards are reported by file name and re-extracted. ``backbone_spec`` may also be a built
    :class:`Backbone` (its ``config()`` keys the store).
    """
    if waveform_transform is not None and not transform_key:
        raise ValueError(
            "a waveform_transform needs a transform_key, or augmented features would share a cache"
        )
    if verify not in ("size", "checksum"):
        raise ValueError(f"verify must be 'size' or 'checksum', got {verify!r}")
    missing = [c for c in ("utt_id", "path") if c not in manifest.columns]
    if missing:
        raise ValueError(f"manifest lacks columns {missing}; pass a manifest from the ingestion pipeline")
    if isinstance(backbone_spec, str):
        backbone = build_backbone(backbone_spec, backbone_options)
    else:
        backbone, backbone_spec = backbone_spec, backbone_spec.name
    corpus = _corpus_name(manifest)
    config = backbone.config()
    root = store_dir(cache_dir, corpus, backbone.name, config)
    label = f"{corpus}/{backbone.name}"

    utt_ids = manifest["utt_id"].astype(str).tolist()
    paths = manifest["path"].astype(str).tolist()
    variants = _variants(utt_ids, waveform_transform, transform_key)
    identities = [audio_identity(p) for p in paths]

    shards = load_shards(root, checksum=verify == "checksum")
    found: dict[tuple[str, str], tuple[int, ShardEntry]] = {}
    failed_before: dict[tuple[str, str], dict[str, Any]] = {}
    for s_idx, shard in enumerate(shards):  # oldest first: a newer shard supersedes an older one
        for entry in shard.entries:
            found[(entry.utt_id, entry.variant)] = (s_idx, entry)
        for fail in shard.failed:
            failed_before[(fail["utt_id"], fail["variant"])] = fail["audio"]

    hashes: dict[str, str] = {}
    status: list[tuple[int, ShardEntry] | None] = []
    todo = []
    for i, (utt, variant, ident) in enumerate(zip(utt_ids, variants, identities, strict=True)):
        hit = found.get((utt, variant))
        fail = failed_before.get((utt, variant))
        if hit is not None and _same_audio(hit[1].audio, ident, hashes):
            status.append(hit)
        elif fail is not None and _same_audio(fail, ident, hashes):
            status.append(None)  # failed before on this very file: not retried
        else:
            status.append(None)
            todo.append(i)

    if todo:
        if len(todo) < len(utt_ids):
            log.info("%s: %d of %d clips in the store, extracting %d", label, len(utt_ids) - len(todo),
                     len(utt_ids), len(todo))
        frame = pd.DataFrame({
            "utt_id": [utt_ids[i] for i in todo], "path": [paths[i] for i in todo],
            "variant": [variants[i] for i in todo], "audio": [_with_hash(identities[i]) for i in todo],
            "duration_s": (manifest["duration_s"].to_numpy(dtype=float)[todo]
                           if "duration_s" in manifest.columns else np.zeros(len(todo))),
        })
        writer = ShardWriter(root, backbone.dim, backbone.pooled_dim, shard_clips, shard_mb)
        _extract(frame, backbone, waveform_transform, writer, progress, label)
        fresh: dict[tuple[str, str], tuple[int, ShardEntry]] = {}
        for s_idx, shard in enumerate(writer.committed, start=len(shards)):
            fresh.update({(e.utt_id, e.variant): (s_idx, e) for e in shard.entries})
        shards.extend(writer.committed)
        for i in todo:
            status[i] = fresh.get((utt_ids[i], variants[i]))
    else:
        log.info("reusing cached features %s (%d clips)", root, len(utt_ids))

    rows = [(utt, *hit) for utt, hit in zip(utt_ids, status, strict=True) if hit is not None]
    failed = [utt for utt, hit in zip(utt_ids, status, strict=True) if hit is None]
    if failed:
        log.warning("%s: %d of %d files could not be decoded and were skipped", label, len(failed), len(utt_ids))
    if not rows:
        log.error("%s: no utterance could be decoded; check the corpus paths in the manifest", label)
    used = sorted({s for _, s, _ in rows})
    local = {s: j for j, s in enumerate(used)}
    return FeatureStoreView(
        store_dir=str(root.resolve()),
        utt_ids=np.asarray([u for u, _, _ in rows], dtype=str),
        shards=[shards[s].name for s in used],
        row_shard=np.asarray([local[s] for _, s, _ in rows], np.int32),
        offsets=np.asarray([e.offset for _, _, e in rows], np.int64),
        lengths=np.asarray([e.length for _, _, e in rows], np.int64),
        pooled_rows=np.asarray([e.row for _, _, e in rows], np.int64),
        key=cache_key(config, utt_ids, transform_key),
        backbone={"spec": backbone_spec, **config},
        failed=failed,
        frame_dim=backbone.dim,
        pooled_dim=backbone.pooled_dim,
    )


def extract_features_for(
    manifest: pd.DataFrame,
    features: Mapping[str, Any] | None,
    waveform_transform: WaveformTransform | None = None,
    transform_key: str | None = None,
) -> FeatureStoreView:
    """``extract_features`` from a pipeline's ``features`` block (``backbone``, ``backbone_options``,
    ``cache_dir``, optional ``verify``, ``shard_clips``, ``shard_mb``)."""
    features = features or {}
    return extract_features(
        manifest,
        features.get("backbone", "egemaps"),
        features.get("backbone_options"),
        features.get("cache_dir", "data/04_feature"),
        waveform_transform=waveform_transform,
        transform_key=transform_key,
        verify=str(features.get("verify", "size")),
        shard_clips=int(features.get("shard_clips", SHARD_CLIPS)),
        shard_mb=float(features.get("shard_mb", SHARD_MB)),
    )
