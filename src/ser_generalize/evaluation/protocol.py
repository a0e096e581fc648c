"""The evaluation protocol from parameters: which backbones, folds and seeds a cross-corpus run sweeps.

Each (backbone, fold, seed, training row) is one independent row run; the pipeline makes one node
per row run, so the sweep is what ``cross_corpus.backbones``, ``folds`` and ``seeds`` say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..corpora.partitioning import MAX_SPEAKER_FOLDS

DEFAULT_FOLD_COUNT = MAX_SPEAKER_FOLDS
"""Fold indices planned for ``folds: all`` before any manifest exists (EmoBox uses at most 6 folds)."""


@dataclass(frozen=True)
class BackboneChoice:
    """One backbone of the sweep: a dataset-name-safe alias, the spec and its options."""

    alias: str
    spec: str
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def backbone_alias(spec: str) -> str:
    """A name usable in Kedro dataset names and file names (``hf:/m/whisper-small`` -> ``hf_whisper_small``)."""
    tail = spec[3:].rstrip("/").split("/")[-1] if spec.startswith("hf:") else spec
    prefix = "hf_" if spec.startswith("hf:") else ""
    return prefix + (re.sub(r"[^A-Za-z0-9]+", "_", tail).strip("_").lower() or "backbone")


def plan_backbones(backbone: str | None, backbone_options: Mapping[str, Any] | None,
                   cross_corpus: Mapping[str, Any]) -> list[BackboneChoice]:
    """``cross_corpus.backbones`` (specs or ``{spec, options, name}`` entries), else the single ``backbone``."""
    entries = cross_corpus.get("backbones") or [{"spec": backbone or "egemaps", "options": backbone_options or {}}]
    choices = []
    for entry in entries:
        entry = {"spec": entry} if isinstance(entry, str) else dict(entry)
        spec = str(entry["spec"])
        choices.append(BackboneChoice(str(entry.get("name") or backbone_alias(spec)), spec,
                                      dict(entry.get("options") or {})))
    aliases = [c.alias for c in choices]
    duplicates = sorted({a for a in aliases if aliases.count(a) > 1})
    if duplicates:
        raise ValueError(f"cross_corpus.backbones: names {duplicates} repeat; give each entry a distinct `name`")
    return choices


def plan_seeds(cross_corpus: Mapping[str, Any]) -> list[int]:
    """``cross_corpus.seeds``, else the single ``head.seed`` (default 0)."""
    seeds = cross_corpus.get("seeds")
    if seeds is None:
        seeds = [(cross_corpus.get("head") or {}).get("seed", 0)]
    return [int(s) for s in (seeds if isinstance(seeds, (list, tuple)) else [seeds])]


def saved_fold_counts(corpora: list[str], manifest_dir: str | Path) -> dict[str, int]:
    """Fold counts of the corpora whose manifests are already on disk (``{manifest_dir}/{corpus}.parquet``)."""
    counts = {}
    for corpus in corpora:
        path = Path(manifest_dir) / f"{corpus}.parquet"
        if path.is_file():
            folds = pd.read_parquet(path, columns=["fold"])["fold"]
            counts[corpus] = max(1, int(folds.max()) + 1) if len(folds) else 1
    return counts


def plan_folds(cross_corpus: Mapping[str, Any], fold_counts: Mapping[str, int] | None = None) -> list[int]:
    """``cross_corpus.folds`` as fold indices; ``all`` = every fold of the corpus with the most folds.

    ``all`` is planned from the manifests' fold counts when known, else up to :data:`DEFAULT_FOLD_COUNT`
    (row runs beyond a corpus's folds do nothing: see ``evaluation.matrix``). Falls back to ``fold``.
    """
    folds = cross_corpus.get("folds", cross_corpus.get("fold", 0))
    if folds == "all":
        return list(range(max(fold_counts.values()) if fold_counts else DEFAULT_FOLD_COUNT))
    return sorted({int(f) for f in (folds if isinstance(folds, (list, tuple)) else [folds])})
