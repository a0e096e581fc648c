"""EmoDB (Berlin): ``wav/03a01Wa.wav`` = speaker, text code, emotion letter, version."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .base import CorpusAdapter, RawUtterance, ScanResult, match_name, unparsable

PATTERN = re.compile(r"(\d\d)([ab]\d\d)([WLEAFTN])([a-z])\.wav")
SPEAKER_SEX = {"03": "male", "08": "female", "09": "female", "10": "male", "11": "male", "12": "male",
               "13": "female", "14": "female", "15": "male", "16": "female"}
"""The ten EmoDB speakers' sex, from the corpus documentation."""


class EmodbAdapter(CorpusAdapter):
    """German acted speech; speakers not in the official table get gender 'unknown'."""

    name = "emodb"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        for path in self.audio_files(root):
            m = match_name(PATTERN, path)
            if not m:
                yield unparsable(path, "SSTTTEV.wav, e.g. 03a01Wa.wav", "EmoDB")
                continue
            speaker, _, emotion, _ = m.groups()
            yield RawUtterance(path, speaker=speaker, raw_label=emotion, gender=SPEAKER_SEX.get(speaker, "unknown"))
