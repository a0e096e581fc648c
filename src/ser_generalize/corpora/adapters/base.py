"""What every corpus adapter returns: raw utterances (path, speaker, raw label, official split) or rejects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

AUDIO_SUFFIXES: tuple[str, ...] = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif")


@dataclass(frozen=True)
class RawUtterance:
    """One file the adapter understood. ``official_fold`` is a corpus-defined test fold (IEMOCAP sessions)."""

    path: Path
    speaker: str
    raw_label: str
    gender: str = "unknown"
    language: str | None = None
    official_split: str = ""
    official_fold: int | None = None


@dataclass(frozen=True)
class ScanReject:
    """A file (or metadata row) the adapter could not use, why, and what the user can do about it."""

    path: Path
    reason: str
    action: str


ScanResult = RawUtterance | ScanReject


class CorpusAdapter:
    """Turns a corpus root in its real on-disk layout into raw utterances; subclasses implement ``scan``."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init__(self, **options: object) -> None:
        self.options = options

    def scan(self, root: Path) -> Iterator[ScanResult]:
        """Yield a result per audio file (or metadata row) found under ``root``."""
        raise NotImplementedError

    @staticmethod
    def audio_files(root: Path, pattern: str = "**/*") -> list[Path]:
        """Audio files below ``root`` in a stable order; hidden files and folders are skipped."""
        return sorted(
            p
            for p in root.glob(pattern)
            if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
        )


class FilenameAdapter(CorpusAdapter):
    """An adapter for corpora that encode speaker and emotion in each file's name (RAVDESS, EmoDB, ...)."""

    pattern: ClassVar[re.Pattern[str]]
    expected: ClassVar[str] = ""
    """The naming, as a reader would write it, quoted in the reject of a file that does not follow it."""
    title: ClassVar[str] = ""

    def prepare(self, root: Path) -> None:
        """Read corpus-level metadata (e.g. a demographics table) before the files are parsed."""

    def parse(self, match: re.Match[str], path: Path) -> ScanResult:
        """Turn a matched file name into a raw utterance (or a reject)."""
        raise NotImplementedError

    def scan(self, root: Path) -> Iterator[ScanResult]:
        self.prepare(root)
        for path in self.audio_files(root):
            match = self.pattern.fullmatch(path.name)
            yield self.parse(match, path) if match else unparsable(path, self.expected, self.title)


def unparsable(path: Path, expected: str, corpus: str) -> ScanReject:
    """The reject for a file whose name does not follow the corpus's naming."""
    return ScanReject(path, f"file name does not follow the {corpus} naming ({expected})", "rename or remove the file")
