"""CaFE (Canadian French): ``Colère/Faible/01-C-1-1.wav`` = speaker-emotion-intensity-sentence; neutral ``01-N-1.wav``."""

from __future__ import annotations

import re
from pathlib import Path

from .base import FilenameAdapter, RawUtterance, ScanResult


class CafeAdapter(FilenameAdapter):
    """Six male and six female actors; odd actor numbers are male (corpus documentation)."""

    name = "cafe"
    title = "CaFE"
    pattern = re.compile(r"(\d\d)-([CDJNPST])-(?:(\d)-)?(\d)\.(?:wav|aiff?)", re.IGNORECASE)
    expected = "SS-E-I-P.wav or SS-N-P.wav"

    def parse(self, match: re.Match[str], path: Path) -> ScanResult:
        speaker, emotion = match.group(1), match.group(2).upper()
        return RawUtterance(path, speaker=speaker, raw_label=emotion, gender="male" if int(speaker) % 2 else "female")
