"""SAVEE: ``AudioData/DC/a01.wav`` (or the flat ``DC_a01.wav``): code a d f h n sa su + number; four male speakers."""

from __future__ import annotations

import re
from pathlib import Path

from .base import FilenameAdapter, RawUtterance, ScanResult, unparsable

SPEAKERS = ("DC", "JE", "JK", "KL")


class SaveeAdapter(FilenameAdapter):
    """Speaker from the file prefix or the parent folder."""

    name = "savee"
    title = "SAVEE"
    pattern = re.compile(r"(?:(DC|JE|JK|KL)_)?(sa|su|a|d|f|h|n)(\d\d)\.wav")
    expected = "<DC|JE|JK|KL>/<code><nn>.wav"

    def parse(self, match: re.Match[str], path: Path) -> ScanResult:
        speaker = match.group(1) or path.parent.name
        if speaker not in SPEAKERS:
            return unparsable(path, self.expected, self.title)
        return RawUtterance(path, speaker=speaker, raw_label=match.group(2), gender="male")
