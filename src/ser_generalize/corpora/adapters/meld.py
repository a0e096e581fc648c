"""MELD: ``{train,dev,test}_sent_emo.csv`` rows (Dialogue_ID, Utterance_ID, Speaker, Emotion) + ``dia{D}_utt{U}`` clips.

The release ships MP4 clips; convert them to WAV/FLAC first (e.g. ``ffmpeg -i x.mp4 -ac 1 -ar 16000 x.wav``).
Official splits are kept: dev is the development set, test the test fold.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .base import CorpusAdapter, RawUtterance, ScanReject, ScanResult

SPLIT_DIRS = {
    "train": ("train_splits", "train"),
    "dev": ("dev_splits_complete", "dev_splits", "dev"),
    "test": ("output_repeated_splits_test", "test_splits", "test"),
}
AUDIO_SUFFIXES = (".wav", ".flac")


def find_clip(root: Path, split: str, stem: str) -> Path | None:
    """The clip's audio file in one of the split's known folders (WAV or FLAC), if any."""
    for folder in SPLIT_DIRS[split]:
        for suffix in AUDIO_SUFFIXES:
            candidate = root / folder / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate
    return None


class MeldAdapter(CorpusAdapter):
    """Speaker = the character name in the CSV."""

    name = "meld"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        for split in SPLIT_DIRS:
            csv = root / f"{split}_sent_emo.csv"
            if not csv.is_file():
                yield ScanReject(csv, f"MELD {split} label file missing", f"place {csv.name} in the corpus root")
                continue
            table = pd.read_csv(csv)
            for row in table.itertuples(index=False):
                stem = f"dia{row.Dialogue_ID}_utt{row.Utterance_ID}"
                clip = find_clip(root, split, stem)
                if clip is None:
                    mp4 = root / SPLIT_DIRS[split][0] / f"{stem}.mp4"
                    yield ScanReject(mp4, "no WAV/FLAC audio for this MELD row",
                                     "convert the MP4 clips: ffmpeg -i dia_utt.mp4 -ac 1 -ar 16000 dia_utt.wav")
                    continue
                yield RawUtterance(clip, speaker=str(row.Speaker), raw_label=str(row.Emotion).lower(),
                                   official_split=split)
