"""Kedro dataset for a :class:`~ser_generalize.backbones.store.FeatureSet` stored as one ``.npz``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset, DatasetError

from ..backbones.store import FeatureSet


class FeatureSetDataset(AbstractDataset[FeatureSet, FeatureSet]):
    """Save/load a FeatureSet (float16 frames + float32 pooled + provenance) at ``filepath``, atomically.

    Catalog example: ``"{corpus}.features": {type: ser_generalize.datasets.feature_set.FeatureSetDataset,
    filepath: "data/04_feature/{corpus}.features.npz"}``.
    """

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self) -> FeatureSet:
        """Read the feature set; a missing file names the path and the node that writes it."""
        if not self._filepath.is_file():
            raise DatasetError(f"{self._filepath} does not exist; run the feature-extraction node first")
        return FeatureSet.load(self._filepath)

    def save(self, data: FeatureSet) -> None:
        """Write atomically (FeatureSet.save goes through utils.io.atomic_path)."""
        data.save(self._filepath)

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}
