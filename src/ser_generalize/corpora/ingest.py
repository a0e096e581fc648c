"""Turn one corpus root into a manifest and a rejects table: adapter scan, label map, header probe, partitions."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from ..audio.io import AudioError, probe_audio
from .adapters import RawUtterance, ScanReject, get_adapter
from .label_map import load_label_map
from .manifest import REJECT_COLUMNS, conform, empty_rejects, split_duplicates, validate_manifest
from .partitioning import assign_partitions

log = logging.getLogger(__name__)


class CorpusError(ValueError):
    """A corpus cannot be ingested at all (missing root, nothing usable); the message says what to fix."""


def display_path(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the working directory, i.e. the project root) when below it."""
    base = (base or Path.cwd()).resolve()
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(base))
    except ValueError:
        return str(resolved)


def _reject(corpus: str, path: Path, reason: str, action: str) -> dict[str, str]:
    return {"corpus": corpus, "path": display_path(path), "reason": reason, "action": action}


def build_manifest(
    name: str,
    adapter: str,
    root: str | Path,
    language: str,
    label_map: str | dict | None = None,
    adapter_options: dict[str, Any] | None = None,
    seed: int = 0,
    progress: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scan ``root`` with ``adapter`` and return (manifest, rejects).

    Every unusable file becomes a rejects row (reason + action) and the rest goes on; a missing
    root or a corpus with no usable utterance raises :class:`CorpusError` naming what to fix.
    """
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(
            f"corpus '{name}': root {root} does not exist; fix ingestion.corpora.{name}.root "
            "(or remove the corpus from parameters_ingestion.yml)"
        )
    labels = load_label_map(adapter, label_map)
    rows: list[dict[str, Any]] = []
    rejects: list[dict[str, str]] = []
    results = list(get_adapter(adapter, **(adapter_options or {})).scan(root))
    for result in tqdm(results, desc=f"ingest {name}", unit="file", disable=not progress):
        if isinstance(result, ScanReject):
            rejects.append(_reject(name, result.path, result.reason, result.action))
            continue
        rows.extend(_row(name, root, language, result, labels, rejects))
    rejects_frame = pd.DataFrame(rejects, columns=list(REJECT_COLUMNS)) if rejects else empty_rejects()
    if rows:
        unique, duplicates = split_duplicates(pd.DataFrame(rows))
        rows = unique.to_dict("records")
        if len(duplicates):
            rejects_frame = pd.concat([conform(rejects_frame, REJECT_COLUMNS), duplicates], ignore_index=True)
    if not rows:
        raise CorpusError(
            f"corpus '{name}' has no usable utterance under {root} ({len(rejects)} files rejected"
            + (f", e.g. {rejects[0]['path']}: {rejects[0]['reason']}" if rejects else ", no audio found")
            + f"); check that ingestion.corpora.{name}.adapter '{adapter}' matches the layout"
        )
    manifest = assign_partitions(pd.DataFrame(rows), seed=seed)
    if len(rejects_frame):
        log.warning("corpus %s: %d files rejected, see the rejects table", name, len(rejects_frame))
    return validate_manifest(manifest), conform(rejects_frame, REJECT_COLUMNS)


def _row(name: str, root: Path, language: str, utt: RawUtterance, labels, rejects: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The manifest row of one scanned utterance, or nothing (and a reject) when it cannot be used."""
    try:
        emotion = labels.lookup(utt.raw_label)
    except KeyError:
        rejects.append(_reject(name, utt.path, f"unknown raw label '{utt.raw_label}'",
                               f"add it to {labels.source} (labels or drop)"))
        return []
    if emotion is None:
        rejects.append(_reject(name, utt.path, f"raw label '{utt.raw_label}' is dropped by {labels.source}", "none"))
        return []
    try:
        info = probe_audio(utt.path, check_samples=True)
    except AudioError as exc:
        rejects.append(_reject(name, utt.path, exc.reason, exc.action))
        return []
    try:
        rel = utt.path.resolve().relative_to(root.resolve()).with_suffix("")
    except ValueError:
        rel = Path(utt.path.stem)
    return [{
        "utt_id": f"{name}/{rel.as_posix()}",
        "path": display_path(utt.path),
        "corpus": name,
        "speaker": f"{utt.speaker}",
        "gender": utt.gender,
        "language": utt.language or language,
        "raw_label": utt.raw_label,
        "emotion": emotion,
        "duration_s": info.duration_s,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "official_split": utt.official_split,
        "official_fold": utt.official_fold,
        "fold": -1,
        "partition_scheme": "",
    }]
