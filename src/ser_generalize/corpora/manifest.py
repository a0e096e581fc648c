"""The manifest: one row per utterance of a corpus, the contract between ingestion and everything else.

Partition columns follow EmoBox: ``fold`` is the index of the fold in which the
utterance is a *test* item (-1: never tested, e.g. the training part of a single
speaker-dependent split); ``official_split`` keeps a corpus's own train/dev/test
label where it has one; ``partition_scheme`` says which EmoBox rule was applied.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

MANIFEST_COLUMNS: Final[dict[str, str]] = {
    "utt_id": "string",
    "path": "string",
    "corpus": "string",
    "speaker": "string",
    "gender": "string",
    "language": "string",
    "raw_label": "string",
    "emotion": "string",
    "duration_s": "float64",
    "sample_rate": "int64",
    "channels": "int64",
    "official_split": "string",
    "fold": "int64",
    "partition_scheme": "string",
}
"""Column name -> pandas dtype of every manifest."""

REJECT_COLUMNS: Final[dict[str, str]] = {
    "corpus": "string",
    "path": "string",
    "reason": "string",
    "action": "string",
}
"""Columns of the per-corpus rejects table: which file, why, and what the user can do."""

SPLITS: Final = ("train", "dev", "test")


class ManifestError(ValueError):
    """A manifest violates the schema; the message names the corpus and the problem."""


def empty_manifest() -> pd.DataFrame:
    """A manifest with the right columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in MANIFEST_COLUMNS.items()})


def empty_rejects() -> pd.DataFrame:
    """A rejects table with the right columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REJECT_COLUMNS.items()})


def conform(frame: pd.DataFrame, columns: dict[str, str] = MANIFEST_COLUMNS) -> pd.DataFrame:
    """Order and type ``frame``'s columns as the schema says; missing columns raise ``ManifestError``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ManifestError(f"manifest lacks columns {missing}; has {list(frame.columns)}")
    return frame[list(columns)].astype(columns).reset_index(drop=True)


def split_duplicates(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(first row of each ``utt_id``, rejects table of the repeated rows with reason and action).

    A metadata file listing the same utterance twice must not stop a run: the first row is kept.
    """
    repeated = frame["utt_id"].duplicated(keep="first")
    if not repeated.any():
        return frame, empty_rejects()
    dupes = frame[repeated]
    rejects = pd.DataFrame({
        "corpus": dupes["corpus"].astype(str).to_numpy(),
        "path": dupes["path"].astype(str).to_numpy(),
        "reason": [f"duplicate utt_id '{u}': the metadata lists this utterance more than once"
                   for u in dupes["utt_id"]],
        "action": "kept the first row; delete the repeated row from the corpus metadata",
    })
    return frame[~repeated].reset_index(drop=True), conform(rejects, REJECT_COLUMNS)


def validate_manifest(frame: pd.DataFrame) -> pd.DataFrame:
    """Check schema, unique ids and non-empty corpus; return the conformed manifest.

    Ingestion removes duplicates first (:func:`split_duplicates`); here they are a programming error.
    """
    frame = conform(frame)
    corpus = ", ".join(sorted(frame["corpus"].dropna().unique())) or "<unknown corpus>"
    if frame.empty:
        raise ManifestError(f"manifest of {corpus} has no utterances")
    dupes = frame["utt_id"][frame["utt_id"].duplicated()].tolist()
    if dupes:
        raise ManifestError(f"manifest of {corpus} has duplicate utt_id values, e.g. {dupes[:5]}")
    return frame


def split_for_fold(manifest: pd.DataFrame, fold: int = 0) -> pd.Series:
    """Return 'train' / 'dev' / 'test' per row for the given fold.

    Test = rows whose ``fold`` equals ``fold``; dev = rows a corpus officially puts in
    its development set (MELD dev, MSP-Podcast Development); everything else trains.
    """
    n_folds = int(manifest["fold"].max()) + 1 if len(manifest) else 0
    if n_folds and not 0 <= fold < n_folds:
        raise ValueError(f"fold {fold} out of range: this corpus has folds 0..{n_folds - 1}")
    split = pd.Series("train", index=manifest.index, dtype="string")
    split[manifest["official_split"] == "dev"] = "dev"
    split[manifest["fold"] == fold] = "test"
    return split


def training_ids(manifest: pd.DataFrame, fold: int = 0) -> list[str]:
    """Utterance ids in the training split of ``fold`` (the rows augmentation may touch)."""
    split = split_for_fold(manifest, int(fold))
    return manifest.loc[split == "train", "utt_id"].astype(str).tolist()
