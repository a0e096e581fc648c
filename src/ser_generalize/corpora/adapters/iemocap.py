"""IEMOCAP: labels from ``SessionN/dialog/EmoEvaluation/*.txt``, audio in ``SessionN/sentences/wav/<dialog>/<utt>.wav``.

The five sessions are the official folds (EmoBox): fold = session - 1. The speaker is the
session plus the gender letter of the utterance's last id part (``Ses01F_impro01_M003`` -> 1M).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .base import CorpusAdapter, RawUtterance, ScanReject, ScanResult

LINE = re.compile(r"^\[[\d.]+ - [\d.]+\]\t(Ses(\d\d)[FM]_\S+_([FM])\d+)\t(\w+)\t")


class IemocapAdapter(CorpusAdapter):
    """One result per labelled line of the EmoEvaluation files; unlabelled wavs are not scanned."""

    name = "iemocap"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        sessions = sorted(root.glob("Session[1-5]"))
        if not sessions:
            yield ScanReject(root, "no Session1..Session5 folders", "point the root at IEMOCAP_full_release")
            return
        for session in sessions:
            for label_file in sorted((session / "dialog" / "EmoEvaluation").glob("*.txt")):
                for line in label_file.read_text(encoding="utf-8", errors="replace").splitlines():
                    m = LINE.match(line)
                    if not m:
                        continue
                    utt, sess, gender, label = m.groups()
                    dialog = utt.rsplit("_", 1)[0]
                    wav = session / "sentences" / "wav" / dialog / f"{utt}.wav"
                    yield RawUtterance(
                        wav,
                        speaker=f"{int(sess)}{gender}",
                        raw_label=label,
                        gender="female" if gender == "F" else "male",
                        official_fold=int(sess) - 1,
                    )
