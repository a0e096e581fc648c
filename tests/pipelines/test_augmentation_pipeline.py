"""The augmentation pipeline: one branch per corpus, augmented features cached per rate, examples written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from ser_generalize.corpora.manifest import MANIFEST_COLUMNS
from ser_generalize.pipelines.augmentation import create_pipeline
from ser_generalize.pipelines.augmentation.nodes import materialize_augmented_features, training_ids


def make_manifest(root: Path, corpus: str, write_wav: Callable[..., Path], n: int = 5) -> pd.DataFrame:
    rows = []
    for i in range(n):
        path = write_wav(root / corpus / f"{corpus}_{i}.wav", duration_s=0.3, freq_hz=150.0 + 40 * i, seed=i)
        rows.append(
            {
                "utt_id": f"{corpus}_{i}",
                "path": str(path),
                "corpus": corpus,
                "speaker": f"s{i % 2}",
                "gender": "f",
                "language": "en",
                "raw_label": "x",
                "emotion": "neutral",
                "duration_s": 0.3,
                "sample_rate": 16000,
                "channels": 1,
                "official_split": "",
                "fold": 0 if i == 0 else 1,  # utt 0 is fold-0 test, the rest train
                "partition_scheme": "speaker_dependent_25",
            }
        )
    return pd.DataFrame(rows).astype(MANIFEST_COLUMNS)


def aug_params(tmp_path: Path, rates: list[float]) -> dict:
    return {
        "chain": "all_seven",
        "rate": 0.0,
        "seed": 42,
        "rates_sweep": rates,
        "materialize": {"fold": 0, "cache_dir": str(tmp_path / "features")},
        "examples": {"corpus": None, "n_clips": 1, "plots": 1, "dir": str(tmp_path / "examples")},
        "chains": {
            "all_seven": [
                "time_stretch",
                "time_shift",
                "equalization",
                "reverb",
                "pink_noise",
                "fade",
                "specaugment",
            ]
        },
    }


def test_pipeline_has_one_namespaced_branch_per_corpus() -> None:
    params = {"ingestion": {"corpora": {"syn_a": {"synthetic": True}, "real_b": {"synthetic": False}}}}
    pipe = create_pipeline(parameters=params)
    names = {n.name for n in pipe.nodes}
    assert {"syn_a.materialize_augmented_features", "real_b.materialize_augmented_features"} <= names
    assert {"syn_a.manifest", "real_b.manifest", "params:backbone", "params:augmentation"} <= pipe.inputs()
    assert pipe.outputs() == {"augmentation_summary", "augmentation_examples_index"}
    assert create_pipeline(parameters={}).nodes == []


def test_materialize_caches_each_rate_under_its_own_key(
    tmp_path: Path, write_wav: Callable[..., Path]
) -> None:
    manifest = make_manifest(tmp_path / "raw", "syn_a", write_wav)
    assert training_ids(manifest, 0) == [f"syn_a_{i}" for i in range(1, 5)]
    params = aug_params(tmp_path, [0.0, 0.5, 1.0])
    table = materialize_augmented_features(manifest, "logmel", {}, params)
    assert table["n_augmented"].tolist() == [0, 2, 4]
    assert table["n_train"].tolist() == [4, 4, 4]
    assert table["cache_key"].nunique() == 3 and table["transform_key"].iloc[0] == ""
    stores = list((tmp_path / "features").glob("syn_a.logmel.*"))
    assert len(stores) == 1  # one store per corpus x backbone config; rates are variants inside it
    shards = sorted(p.name for p in stores[0].glob("*.json"))
    entries = [json.loads((stores[0] / name).read_text())["entries"] for name in shards]
    # rate 0: every clip clean; rate 0.5 / 1.0: only their augmented training clips are new
    assert [len(e) for e in entries] == [len(manifest), 2, 4]
    again = materialize_augmented_features(manifest, "logmel", {}, params)  # rerun reuses the store
    assert again["cache_key"].tolist() == table["cache_key"].tolist()
    assert sorted(p.name for p in stores[0].glob("*.json")) == shards


def test_pipeline_runs_end_to_end(tmp_path: Path, write_wav: Callable[..., Path]) -> None:
    params = aug_params(tmp_path, [0.0, 1.0])
    corpora = {"syn_a": {"synthetic": True}, "syn_b": {"synthetic": True}}
    pipe = create_pipeline(parameters={"ingestion": {"corpora": corpora}, "augmentation": params})
    catalog = DataCatalog(
        datasets={
            **{
                f"{c}.manifest": MemoryDataset(make_manifest(tmp_path / "raw", c, write_wav, 3))
                for c in corpora
            },
            "params:backbone": MemoryDataset("logmel"),
            "params:backbone_options": MemoryDataset({}),
            "params:augmentation": MemoryDataset(params),
            "augmentation_summary": MemoryDataset(),
            "augmentation_examples_index": MemoryDataset(),
        }
    )
    SequentialRunner().run(pipe, catalog)
    summary = catalog.load("augmentation_summary")
    assert summary[["corpus", "rate", "n_augmented"]].values.tolist() == [
        ["syn_a", 0.0, 0],
        ["syn_a", 1.0, 2],
        ["syn_b", 0.0, 0],
        ["syn_b", 1.0, 2],
    ]
    index = catalog.load("augmentation_examples_index")
    assert sorted(index["augmentation"]) == sorted(
        ["specaugment", "time_stretch", "time_shift", "fade", "equalization", "pink_noise", "reverb"]
    )
    examples = tmp_path / "examples"
    assert len(list(examples.glob("*.png"))) == 7 and len(list(examples.glob("*.wav"))) == 8


def test_bad_examples_corpus_is_reported() -> None:
    params = {"ingestion": {"corpora": {"syn_a": {}}}, "augmentation": {"examples": {"corpus": "nope"}}}
    with pytest.raises(ValueError, match="examples.corpus 'nope'"):
        create_pipeline(parameters=params)
