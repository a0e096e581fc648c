"""CREMA-D: ``AudioWAV/1001_DFA_ANG_XX.wav`` = actor_sentence_emotion_level; sex from ``VideoDemographics.csv``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .base import CorpusAdapter, RawUtterance, ScanResult, match_name, unparsable

PATTERN = re.compile(r"(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})\.wav", re.IGNORECASE)


def actor_sexes(root: Path) -> dict[str, str]:
    """ActorID -> 'male'/'female' from the release's demographics table, empty when it is absent."""
    csv = next(iter(sorted(root.rglob("VideoDemographics.csv"))), None)
    if csv is None:
        return {}
    table = pd.read_csv(csv)
    return {str(a): str(s).strip().lower() for a, s in zip(table["ActorID"], table["Sex"], strict=True)}


class CremadAdapter(CorpusAdapter):
    """Every WAV below the root; speaker = actor id."""

    name = "cremad"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        sexes = actor_sexes(root)
        for path in self.audio_files(root):
            m = match_name(PATTERN, path)
            if not m:
                yield unparsable(path, "ACTOR_SEN_EMO_LV.wav", "CREMA-D")
                continue
            actor, _, emotion, _ = m.groups()
            yield RawUtterance(path, speaker=actor, raw_label=emotion.upper(), gender=sexes.get(actor, "unknown"))
