"""The balancing pipeline: one node over the chosen corpora; count tables, test scores and a report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from ser_generalize.pipelines.balancing import create_pipeline
from ser_generalize.pipelines.balancing import nodes as balancing_nodes

COUNTS = {"neutral": 6, "happy": 12, "sad": 12, "angry": 12, "surprise": 12}


def fake_manifest(corpus: str, n_speakers: int = 4) -> pd.DataFrame:
    rows = []
    for emotion, n in COUNTS.items():
        for i in range(n):
            spk = i % n_speakers
            rows.append(
                {
                    "utt_id": f"{corpus}/{emotion}/{i}",
                    "corpus": corpus,
                    "speaker": f"s{spk}",
                    "emotion": emotion,
                    "duration_s": 1.0 + (spk == 1),
                    "official_split": "",
                    "fold": spk,
                }
            )  # fold 0 = speaker s0
    return pd.DataFrame(rows)


def fake_features(manifest: pd.DataFrame, features: dict) -> pd.DataFrame:
    rng = np.random.default_rng(len(manifest))
    centres = {e: i * 2.0 for i, e in enumerate(COUNTS)}
    X = np.stack([centres[e] + rng.normal(0, 1, 5) for e in manifest["emotion"]])
    return pd.DataFrame(X, index=manifest["utt_id"].to_numpy())


def run(params: dict, monkeypatch: pytest.MonkeyPatch, ingestion: dict | None = None) -> DataCatalog:
    monkeypatch.setattr(balancing_nodes, "pooled_features", fake_features)
    pipe = create_pipeline(parameters={"balancing": params, **({"ingestion": ingestion} if ingestion else {})})
    outputs = ["balancing.class_counts", "balancing.metrics", "balancing.report", "balancing.mlflow_metrics"]
    catalog = DataCatalog(
        datasets={
            "params:balancing": MemoryDataset(params),
            **{f"{c}.manifest": MemoryDataset(fake_manifest(c)) for c in params["train_corpora"]},
            **{name: MemoryDataset() for name in outputs},
        }
    )
    SequentialRunner().run(pipe, catalog)
    return catalog


def test_pipeline_reads_corpus_list_from_ingestion_when_unset() -> None:
    pipe = create_pipeline(parameters={"balancing": {}, "ingestion": {"corpora": {"syn_a": {}, "syn_b": {}}}})
    assert set(pipe.inputs()) == {"params:balancing", "syn_a.manifest", "syn_b.manifest"}
    assert create_pipeline(parameters={}).nodes == []
    single = create_pipeline(parameters={"balancing": {"train_corpora": "syn_b"}})
    assert set(single.inputs()) == {"params:balancing", "syn_b.manifest"}


def test_fold_protocol_counts_and_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    params = {
        "train_corpora": ["syn_a", "syn_b"],
        "emotion_sets": ["4", "5"],
        "methods": ["none", "undersample", "smote"],
        "seed": 0,
        "protocol": {"name": "fold", "fold": 0},
    }
    catalog = run(params, monkeypatch)
    counts = catalog.load("balancing.class_counts").set_index(["emotion_set", "method", "emotion"])
    # train = speakers s1..s3 of both corpora: neutral 2 x 4 rows, other classes 2 x 9 rows
    assert counts.loc[("4", "none", "neutral"), "before"] == 8
    assert counts.loc[("4", "none", "happy"), "after"] == 18
    assert counts.loc[("4", "undersample", "total"), "after"] == 4 * 8
    assert counts.loc[("5", "smote", "total"), "after"] == 5 * 18
    metrics = catalog.load("balancing.metrics")
    # test = speaker s0 of both corpora, never balanced: neutral 2 + 3 per other class, per corpus
    assert metrics.groupby("emotion_set")["n_test"].unique().map(list).to_dict() == {"4": [22], "5": [28]}
    assert metrics["weighted_f1"].between(0, 1).all() and metrics["weighted_f1"].max() > 0.5
    assert "SYNTHETIC" in catalog.load("balancing.report")
    assert "5.smote.weighted_f1" in catalog.load("balancing.mlflow_metrics")


def test_loso_protocol_tests_on_longest_speaker(monkeypatch: pytest.MonkeyPatch) -> None:
    params = {
        "train_corpora": ["syn_a"],
        "emotion_sets": ["4"],
        "methods": ["none"],
        "protocol": "loso",
    }
    catalog = run(params, monkeypatch)
    metrics = catalog.load("balancing.metrics")
    m = fake_manifest("syn_a")
    expected_test = int(
        ((m["speaker"] == "s1") & m["emotion"].isin(["neutral", "happy", "sad", "angry"])).sum()
    )
    assert metrics["n_test"].tolist() == [expected_test]


def test_a_run_with_any_synthetic_corpus_is_labelled_and_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    params = {"train_corpora": ["syn_a", "real_b"], "emotion_sets": ["4"], "methods": ["none"]}
    ingestion = {"corpora": {"syn_a": {"synthetic": True}, "real_b": {"synthetic": False}}}
    report = run(params, monkeypatch, ingestion).load("balancing.report")
    assert report.splitlines()[0].startswith("# SYNTHETIC corpora (syn_a): ")
    real = run({**params, "train_corpora": ["real_b"]}, monkeypatch, ingestion).load("balancing.report")
    assert "SYNTHETIC" not in real


def test_adasyn_that_generated_nothing_is_marked_in_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(COUNTS, "neutral", 12)  # every class as large as the others: ADASYN has nothing to add
    params = {"train_corpora": ["syn_a"], "emotion_sets": ["4"], "methods": ["none", "adasyn"]}
    catalog = run(params, monkeypatch)
    report = catalog.load("balancing.report")
    assert "| adasyn (unchanged) |" in report
    assert "- emotion set '4', adasyn: adasyn generated no rows: the classes are already equal in size" in report
    assert catalog.load("balancing.metrics").set_index("method").loc["none", "note"] == ""
