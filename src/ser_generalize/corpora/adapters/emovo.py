"""EMOVO (Italian): ``f1/neu-f1-b1.wav`` = emotion-speaker-sentence; speakers f1-f3, m1-m3."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .base import CorpusAdapter, RawUtterance, ScanResult, match_name, unparsable

PATTERN = re.compile(r"([a-z]{3})-([fm]\d)-([a-z]\d)\.wav", re.IGNORECASE)


class EmovoAdapter(CorpusAdapter):
    """Gender from the speaker code's letter."""

    name = "emovo"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        for path in self.audio_files(root):
            m = match_name(PATTERN, path)
            if not m:
                yield unparsable(path, "emo-spk-sentence.wav, e.g. neu-f1-b1.wav", "EMOVO")
                continue
            emotion, speaker, _ = m.groups()
            speaker = speaker.lower()
            gender = "female" if speaker.startswith("f") else "male"
            yield RawUtterance(path, speaker=speaker, raw_label=emotion.lower(), gender=gender)
