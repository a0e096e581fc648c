"""FeatureStoreDataset commits a store view through the Kedro catalog and loads it lazily elsewhere."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from kedro.io import DataCatalog, DatasetError

from ser_generalize.datasets.feature_store import FeatureStoreDataset
from ser_generalize.features.view import FeatureSet, FeatureStoreView


def _total(view: FeatureStoreView) -> float:
    return float(view.pooled.sum()) + float(sum(np.asarray(f, np.float32).sum() for f in view.frames))


def _features() -> FeatureSet:
    rng = np.random.default_rng(0)
    frames = [rng.normal(size=(3, 4)).astype(np.float16), rng.normal(size=(5, 4)).astype(np.float16)]
    return FeatureSet(np.array(["a", "b"]), frames, rng.normal(size=(2, 6)).astype(np.float32), "k1",
                      {"spec": "toy"}, failed=["c"])


def test_roundtrip_through_the_catalog_and_another_process(tmp_path: Path) -> None:
    catalog = DataCatalog.from_config({
        "toy.features": {"type": "ser_generalize.datasets.feature_store.FeatureStoreDataset",
                         "filepath": str(tmp_path / "views" / "toy.features.json")}
    })
    features = _features()
    assert not catalog.exists("toy.features")
    catalog.save("toy.features", features)
    assert catalog.exists("toy.features")
    loaded = catalog.load("toy.features")
    assert isinstance(loaded, FeatureStoreView) and isinstance(loaded.frames[1], np.memmap)
    assert loaded.utt_ids.tolist() == ["a", "b"] and loaded.failed == ["c"] and loaded.key == "k1"
    assert [f.shape for f in loaded.frames] == [(3, 4), (5, 4)] and loaded.pooled_dim == 6
    np.testing.assert_array_equal(loaded.frames[1], features.frames[1])
    np.testing.assert_array_equal(loaded.pooled, features.pooled)
    FeatureStoreDataset(str(tmp_path / "again.json")).save(loaded)  # a view saves as a view
    assert FeatureStoreDataset(str(tmp_path / "again.json")).load().shards == loaded.shards
    with ProcessPoolExecutor(1) as pool:  # what ParallelRunner does with it
        assert pool.submit(_total, pickle.loads(pickle.dumps(loaded))).result() == pytest.approx(
            _total(loaded), rel=1e-6)


def test_missing_file_and_damaged_shard_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="run the feature-extraction node"):
        FeatureStoreDataset(str(tmp_path / "none.json")).load()
    dataset = FeatureStoreDataset(str(tmp_path / "toy.json"))
    dataset.save(_features())
    shard = next((tmp_path / "toy.json.store").glob("*.frames.npy"))
    shard.write_bytes(shard.read_bytes()[:-10])
    with pytest.raises(DatasetError, match=shard.name):
        dataset.load()
    assert dataset._describe() == {"filepath": str(tmp_path / "toy.json")}
