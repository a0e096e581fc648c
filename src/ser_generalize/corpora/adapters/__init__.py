"""Adapters for real corpus layouts; ``get_adapter(name)`` returns one by its name."""

from __future__ import annotations

from .base import CorpusAdapter, RawUtterance, ScanReject
from .cafe import CafeAdapter
from .cremad import CremadAdapter
from .emodb import EmodbAdapter
from .emovo import EmovoAdapter
from .esd import EsdAdapter
from .generic_csv import GenericCsvAdapter
from .iemocap import IemocapAdapter
from .meld import MeldAdapter
from .msp_podcast import MspPodcastAdapter
from .ravdess import RavdessAdapter
from .savee import SaveeAdapter
from .tess import TessAdapter

ADAPTERS: dict[str, type[CorpusAdapter]] = {
    cls.name: cls
    for cls in (RavdessAdapter, CremadAdapter, TessAdapter, SaveeAdapter, EmodbAdapter, EmovoAdapter, CafeAdapter,
                IemocapAdapter, MeldAdapter, MspPodcastAdapter, EsdAdapter, GenericCsvAdapter)
}


def get_adapter(name: str, **options: object) -> CorpusAdapter:
    """Instantiate the adapter called ``name``; an unknown name lists the known ones."""
    if name not in ADAPTERS:
        raise KeyError(f"unknown corpus adapter '{name}'; available: {', '.join(sorted(ADAPTERS))}")
    return ADAPTERS[name](**options)


__all__ = ["ADAPTERS", "CorpusAdapter", "RawUtterance", "ScanReject", "get_adapter"]
