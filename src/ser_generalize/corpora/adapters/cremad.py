"""CREMA-D: ``AudioWAV/1001_DFA_ANG_XX.wav`` = actor_sentence_emotion_level; sex from ``VideoDemographics.csv``."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .base import FilenameAdapter, RawUtterance, ScanResult


def actor_sexes(root: Path) -> dict[str, str]:
    """ActorID -> 'male'/'female' from the release's demographics table, empty when it is absent."""
    csv = next(iter(sorted(root.rglob("VideoDemographics.csv"))), None)
    if csv is None:
        return {}
    table = pd.read_csv(csv)
    return {str(a): str(s).strip().lower() for a, s in zip(table["ActorID"], table["Sex"], strict=True)}


class CremadAdapter(FilenameAdapter):
    """Every WAV below the root; speaker = actor id."""

    name = "cremad"
    title = "CREMA-D"
    pattern = re.compile(r"(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})\.wav", re.IGNORECASE)
    expected = "ACTOR_SEN_EMO_LV.wav"

    def prepare(self, root: Path) -> None:
        self.sexes = actor_sexes(root)

    def parse(self, match: re.Match[str], path: Path) -> ScanResult:
        actor, _, emotion, _ = match.groups()
        return RawUtterance(path, speaker=actor, raw_label=emotion.upper(), gender=self.sexes.get(actor, "unknown"))
