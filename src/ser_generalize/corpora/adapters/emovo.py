"""EMOVO (Italian): ``f1/neu-f1-b1.wav`` = emotion-speaker-sentence; speakers f1-f3, m1-m3."""

from __future__ import annotations

import re
from pathlib import Path

from .base import FilenameAdapter, RawUtterance, ScanResult


class EmovoAdapter(FilenameAdapter):
    """Gender from the speaker code's letter."""

    name = "emovo"
    title = "EMOVO"
    pattern = re.compile(r"([a-z]{3})-([fm]\d)-([a-z]\d)\.wav", re.IGNORECASE)
    expected = "emo-spk-sentence.wav, e.g. neu-f1-b1.wav"

    def parse(self, match: re.Match[str], path: Path) -> ScanResult:
        emotion, speaker, _ = match.groups()
        speaker = speaker.lower()
        gender = "female" if speaker.startswith("f") else "male"
        return RawUtterance(path, speaker=speaker, raw_label=emotion.lower(), gender=gender)
