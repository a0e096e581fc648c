"""FeatureSetDataset round-trips a FeatureSet through the Kedro catalog."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from kedro.io import DataCatalog, DatasetError

from ser_generalize.backbones.store import FeatureSet
from ser_generalize.datasets.feature_set import FeatureSetDataset


def test_catalog_roundtrip(tmp_path: Path) -> None:
    frames = [np.ones((3, 4), np.float16), np.zeros((5, 4), np.float16)]
    features = FeatureSet(
        utt_ids=np.array(["a", "b"]),
        frames=frames,
        pooled=np.eye(2, 6, dtype=np.float32),
        key="k1",
        backbone={"backbone": "logmel"},
        failed=["c"],
    )
    catalog = DataCatalog.from_config(
        {
            "toy.features": {
                "type": "ser_generalize.datasets.feature_set.FeatureSetDataset",
                "filepath": str(tmp_path / "toy.features.npz"),
            }
        }
    )
    assert not catalog.exists("toy.features")
    catalog.save("toy.features", features)
    loaded = catalog.load("toy.features")
    assert loaded.utt_ids.tolist() == ["a", "b"] and loaded.failed == ["c"] and loaded.key == "k1"
    assert [f.shape for f in loaded.frames] == [(3, 4), (5, 4)] and loaded.pooled_dim == 6


def test_missing_file_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="run the feature-extraction node"):
        FeatureSetDataset(str(tmp_path / "none.npz")).load()
