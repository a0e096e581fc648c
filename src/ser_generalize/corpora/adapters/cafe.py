"""CaFE (Canadian French): ``Colère/Faible/01-C-1-1.wav`` = speaker-emotion-intensity-sentence; neutral ``01-N-1.wav``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .base import CorpusAdapter, RawUtterance, ScanResult, match_name, unparsable

PATTERN = re.compile(r"(\d\d)-([CDJNPST])-(?:(\d)-)?(\d)\.(?:wav|aiff?)", re.IGNORECASE)


class CafeAdapter(CorpusAdapter):
    """Six male and six female actors; odd actor numbers are male (corpus documentation)."""

    name = "cafe"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        for path in self.audio_files(root):
            m = match_name(PATTERN, path)
            if not m:
                yield unparsable(path, "SS-E-I-P.wav or SS-N-P.wav", "CaFE")
                continue
            speaker, emotion = m.group(1), m.group(2).upper()
            yield RawUtterance(path, speaker=speaker, raw_label=emotion, gender="male" if int(speaker) % 2 else "female")
