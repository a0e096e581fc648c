"""MSP-Podcast: ``Labels/labels_consensus.csv`` (FileName, EmoClass, SpkrID, Gender, Split_Set) + ``Audios/<FileName>``.

Train -> train, Development -> dev, every Test set (Test1, Test2, ...) -> the test fold.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .base import CorpusAdapter, RawUtterance, ScanReject, ScanResult

SPLITS = {"train": "train", "development": "dev"}


def official_split(split_set: str) -> str:
    """Map the corpus's Split_Set value onto train / dev / test."""
    key = str(split_set).strip().lower()
    return "test" if key.startswith("test") else SPLITS.get(key, "train")


class MspPodcastAdapter(CorpusAdapter):
    """Speaker ids 'Unknown' are kept as one pseudo-speaker, as the corpus does."""

    name = "msp_podcast"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        labels = root / "Labels" / "labels_consensus.csv"
        if not labels.is_file():
            yield ScanReject(labels, "MSP-Podcast label file missing", "place labels_consensus.csv under Labels/")
            return
        table = pd.read_csv(labels)
        for row in table.itertuples(index=False):
            gender = str(getattr(row, "Gender", "unknown")).strip().lower()
            yield RawUtterance(
                root / "Audios" / str(row.FileName),
                speaker=str(row.SpkrID),
                raw_label=str(row.EmoClass).strip(),
                gender=gender if gender in ("male", "female") else "unknown",
                official_split=official_split(row.Split_Set),
            )
