"""MSP-Podcast: ``Labels/labels_consensus.csv`` (FileName, EmoClass, SpkrID, Gender, Split_Set) + ``Audios/<FileName>``.

Split_Set values: Train -> train, Development -> dev, Test1 / Test2 -> the test fold. Which test set
is tested is the adapter option ``test_set`` (``ingestion.corpora.<name>.options.test_set``):
``test1`` (default, as most papers report), ``test2``, or ``both``; rows of a test set not chosen are
neither trained nor tested on (they become rejects saying so), because they are test data of the corpus.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .base import CorpusAdapter, RawUtterance, ScanReject, ScanResult

SPLITS = {"train": "train", "development": "dev"}
TEST_SETS: tuple[str, ...] = ("test1", "test2", "both")
"""Values of the ``test_set`` option."""


def official_split(split_set: str) -> str:
    """Map the corpus's Split_Set value onto train / dev / test."""
    key = str(split_set).strip().lower()
    return "test" if key.startswith("test") else SPLITS.get(key, "train")


def is_chosen_test_set(split_set: str, test_set: str) -> bool:
    """Whether a test row (Split_Set Test1, Test2, ...) belongs to the chosen ``test_set``."""
    return test_set == "both" or str(split_set).strip().lower() == test_set


class MspPodcastAdapter(CorpusAdapter):
    """Speaker ids 'Unknown' are kept as one pseudo-speaker, as the corpus does."""

    name = "msp_podcast"

    def __init__(self, test_set: str = "test1", **options: object) -> None:
        super().__init__(test_set=test_set, **options)
        self.test_set = str(test_set).strip().lower()
        if self.test_set not in TEST_SETS:
            raise ValueError(
                f"msp_podcast option test_set '{test_set}' is not one of {', '.join(TEST_SETS)}; "
                "fix ingestion.corpora.<name>.options.test_set"
            )

    def scan(self, root: Path) -> Iterator[ScanResult]:
        labels = root / "Labels" / "labels_consensus.csv"
        if not labels.is_file():
            yield ScanReject(labels, "MSP-Podcast label file missing", "place labels_consensus.csv under Labels/")
            return
        table = pd.read_csv(labels)
        for row in table.itertuples(index=False):
            split = official_split(row.Split_Set)
            path = root / "Audios" / str(row.FileName)
            if split == "test" and not is_chosen_test_set(row.Split_Set, self.test_set):
                yield ScanReject(
                    path,
                    f"Split_Set {row.Split_Set} is not the chosen test set ({self.test_set})",
                    "none; set options.test_set to test2 or both to test on it",
                )
                continue
            gender = str(getattr(row, "Gender", "unknown")).strip().lower()
            yield RawUtterance(
                path,
                speaker=str(row.SpkrID),
                raw_label=str(row.EmoClass).strip(),
                gender=gender if gender in ("male", "female") else "unknown",
                official_split=split,
            )
