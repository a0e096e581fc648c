"""ESD: ``0011/Angry/0011_000001.wav`` (optionally ``.../Angry/{train,evaluation,test}/...``).

Speakers 0001-0010 speak Mandarin, 0011-0020 English. Where the release's train / evaluation /
test folders exist they are the official split.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .base import CorpusAdapter, RawUtterance, ScanResult, match_name, unparsable

PATTERN = re.compile(r"(\d{4})_(\d{6})\.wav")
SPLIT_FOLDERS = {"train": "train", "evaluation": "dev", "test": "test"}


class EsdAdapter(CorpusAdapter):
    """The emotion is the folder name under the speaker (or above the split folder)."""

    name = "esd"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        for path in self.audio_files(root):
            m = match_name(PATTERN, path)
            if not m:
                yield unparsable(path, "SSSS_NNNNNN.wav", "ESD")
                continue
            speaker = m.group(1)
            split = SPLIT_FOLDERS.get(path.parent.name.lower(), "")
            emotion_dir = path.parent.parent if split else path.parent
            yield RawUtterance(
                path,
                speaker=speaker,
                raw_label=emotion_dir.name.lower(),
                language="zh" if int(speaker) <= 10 else "en",
                official_split=split,
            )
