"""EmoDB (Berlin): ``wav/03a01Wa.wav`` = speaker, text code, emotion letter, version."""

from __future__ import annotations

import re
from pathlib import Path

from .base import FilenameAdapter, RawUtterance, ScanResult

SPEAKER_SEX = {"03": "male", "08": "female", "09": "female", "10": "male", "11": "male", "12": "male",
               "13": "female", "14": "female", "15": "male", "16": "female"}
"""The ten EmoDB speakers' sex, from the corpus documentation."""


class EmodbAdapter(FilenameAdapter):
    """German acted speech; speakers not in the official table get gender 'unknown'."""

    name = "emodb"
    title = "EmoDB"
    pattern = re.compile(r"(\d\d)([ab]\d\d)([WLEAFTN])([a-z])\.wav")
    expected = "SSTTTEV.wav, e.g. 03a01Wa.wav"

    def parse(self, match: re.Match[str], path: Path) -> ScanResult:
        speaker, _, emotion, _ = match.groups()
        return RawUtterance(path, speaker=speaker, raw_label=emotion, gender=SPEAKER_SEX.get(speaker, "unknown"))
