"""SAVEE: ``AudioData/DC/a01.wav`` (or the flat ``DC_a01.wav``): code a d f h n sa su + number; four male speakers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .base import CorpusAdapter, RawUtterance, ScanResult, match_name, unparsable

PATTERN = re.compile(r"(?:(DC|JE|JK|KL)_)?(sa|su|a|d|f|h|n)(\d\d)\.wav")
SPEAKERS = ("DC", "JE", "JK", "KL")


class SaveeAdapter(CorpusAdapter):
    """Speaker from the file prefix or the parent folder."""

    name = "savee"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        for path in self.audio_files(root):
            m = match_name(PATTERN, path)
            speaker = (m.group(1) if m else None) or path.parent.name
            if not m or speaker not in SPEAKERS:
                yield unparsable(path, "<DC|JE|JK|KL>/<code><nn>.wav", "SAVEE")
                continue
            yield RawUtterance(path, speaker=speaker, raw_label=m.group(2), gender="male")
