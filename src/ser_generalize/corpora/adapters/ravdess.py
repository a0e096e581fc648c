"""RAVDESS: ``Actor_01/03-01-05-01-02-01-01.wav`` = modality-vocal channel-emotion-intensity-statement-repetition-actor."""

from __future__ import annotations

import re
from pathlib import Path

from .base import FilenameAdapter, RawUtterance, ScanReject, ScanResult


class RavdessAdapter(FilenameAdapter):
    """Audio-only speech files (modality 03, vocal channel 01); odd actor numbers are male."""

    name = "ravdess"
    title = "RAVDESS"
    pattern = re.compile(r"(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)\.wav", re.IGNORECASE)
    expected = "MM-VV-EE-II-SS-RR-AA.wav"

    def parse(self, match: re.Match[str], path: Path) -> ScanResult:
        modality, vocal, emotion, _, _, _, actor = match.groups()
        if vocal != "01":
            return ScanReject(path, "song recording (vocal channel 02), not speech", "none: RAVDESS song is excluded")
        if modality == "02":
            return ScanReject(path, "video-only file", "use the audio-only (03) release")
        return RawUtterance(path, speaker=actor, raw_label=emotion, gender="male" if int(actor) % 2 else "female")
