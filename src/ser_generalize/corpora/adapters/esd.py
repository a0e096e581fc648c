"""ESD: ``0011/Angry/0011_000001.wav`` (optionally ``.../Angry/{train,evaluation,test}/...``).

Speakers 0001-0010 speak Mandarin, 0011-0020 English. Where the release's train / evaluation /
test folders exist they are the official split.
"""

from __future__ import annotations

import re
from pathlib import Path

from .base import FilenameAdapter, RawUtterance, ScanResult

SPLIT_FOLDERS = {"train": "train", "evaluation": "dev", "test": "test"}


class EsdAdapter(FilenameAdapter):
    """The emotion is the folder name under the speaker (or above the split folder)."""

    name = "esd"
    title = "ESD"
    pattern = re.compile(r"(\d{4})_(\d{6})\.wav")
    expected = "SSSS_NNNNNN.wav"

    def parse(self, match: re.Match[str], path: Path) -> ScanResult:
        speaker = match.group(1)
        split = SPLIT_FOLDERS.get(path.parent.name.lower(), "")
        emotion_dir = path.parent.parent if split else path.parent
        return RawUtterance(
            path,
            speaker=speaker,
            raw_label=emotion_dir.name.lower(),
            language="zh" if int(speaker) <= 10 else "en",
            official_split=split,
        )
