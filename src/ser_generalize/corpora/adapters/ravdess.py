"""RAVDESS: ``Actor_01/03-01-05-01-02-01-01.wav`` = modality-vocal channel-emotion-intensity-statement-repetition-actor."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .base import CorpusAdapter, RawUtterance, ScanReject, ScanResult, match_name, unparsable

PATTERN = re.compile(r"(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)\.wav", re.IGNORECASE)


class RavdessAdapter(CorpusAdapter):
    """Audio-only speech files (modality 03, vocal channel 01); odd actor numbers are male."""

    name = "ravdess"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        for path in self.audio_files(root):
            m = match_name(PATTERN, path)
            if not m:
                yield unparsable(path, "MM-VV-EE-II-SS-RR-AA.wav", "RAVDESS")
                continue
            modality, vocal, emotion, _, _, _, actor = m.groups()
            if vocal != "01":
                yield ScanReject(path, "song recording (vocal channel 02), not speech", "none: RAVDESS song is excluded")
                continue
            if modality == "02":
                yield ScanReject(path, "video-only file", "use the audio-only (03) release")
                continue
            yield RawUtterance(path, speaker=actor, raw_label=emotion, gender="male" if int(actor) % 2 else "female")
