"""TESS: ``OAF_angry/OAF_back_angry.wav`` = speaker_word_emotion ('ps' = pleasant surprise); two female speakers."""

from __future__ import annotations

import re
from pathlib import Path

from .base import FilenameAdapter, RawUtterance, ScanResult


class TessAdapter(FilenameAdapter):
    """Speaker = OAF (older) or YAF (younger) talker; the emotion is the last name part, lower-cased."""

    name = "tess"
    title = "TESS"
    pattern = re.compile(r"(OAF|YAF)_(.+)_([A-Za-z]+)\.wav", re.IGNORECASE)
    expected = "OAF|YAF_word_emotion.wav"

    def parse(self, match: re.Match[str], path: Path) -> ScanResult:
        speaker, _, emotion = match.groups()
        return RawUtterance(path, speaker=speaker.upper(), raw_label=emotion.lower(), gender="female")
