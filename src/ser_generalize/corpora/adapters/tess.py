"""TESS: ``OAF_angry/OAF_back_angry.wav`` = speaker_word_emotion ('ps' = pleasant surprise); two female speakers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .base import CorpusAdapter, RawUtterance, ScanResult, match_name, unparsable

PATTERN = re.compile(r"(OAF|YAF)_(.+)_([A-Za-z]+)\.wav", re.IGNORECASE)


class TessAdapter(CorpusAdapter):
    """Speaker = OAF (older) or YAF (younger) talker; the emotion is the last name part, lower-cased."""

    name = "tess"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        for path in self.audio_files(root):
            m = match_name(PATTERN, path)
            if not m:
                yield unparsable(path, "OAF|YAF_word_emotion.wav", "TESS")
                continue
            speaker, _, emotion = m.groups()
            yield RawUtterance(path, speaker=speaker.upper(), raw_label=emotion.lower(), gender="female")
