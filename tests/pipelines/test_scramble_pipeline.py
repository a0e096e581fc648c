"""The scramble-ablation pipeline: configurations per pair and rate, relative-change table, heatmap, nested runs."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from ser_generalize.pipelines.scramble_ablation import create_pipeline
from ser_generalize.pipelines.scramble_ablation import nodes as scramble_nodes

LABELS = ("neutral", "happy", "sad", "angry")
PARAMS = {
    "pairs": [["syn_a", "syn_b"]],
    "swap": {"neutral": "sad", "sad": "neutral", "happy": "angry", "angry": "happy"},
    "scramble_corpus": "second",
    "augmentation_rates": [0.0, 0.5],
    "emotion_set": "4",
    "nested_mlflow_runs": True,
}


def fake_loader(manifests, params, augmentation):
    centres = {lab: np.random.default_rng(7).normal(0, 3, 8) + i for i, lab in enumerate(LABELS)}

    def split_data(corpus: str, rate: float):
        rng = np.random.default_rng(hash((corpus, rate)) % 2**32)
        out = []
        for n in (15, 6):
            y = np.repeat(LABELS, n)
            out += [np.stack([centres[lab] + rng.normal(0, 1 + rate, 8) for lab in y]), y.astype(object)]
        return tuple(out)

    return split_data


def run(monkeypatch: pytest.MonkeyPatch, ingestion: dict | None = None) -> DataCatalog:
    monkeypatch.setattr(scramble_nodes, "_split_loader", fake_loader)
    pipe = create_pipeline(parameters={"scramble_ablation": PARAMS, **({"ingestion": ingestion} if ingestion else {})})
    outputs = ["scramble_ablation.results", "scramble_ablation.report", "scramble_ablation.heatmap"]
    catalog = DataCatalog(
        datasets={
            "params:scramble_ablation": MemoryDataset(PARAMS),
            "params:augmentation": MemoryDataset({"chain": "all_seven", "seed": 0}),
            **{f"{c}.manifest": MemoryDataset(pd.DataFrame({"corpus": [c]})) for c in ("syn_a", "syn_b")},
            **{name: MemoryDataset() for name in outputs},
        }
    )
    SequentialRunner().run(pipe, catalog)
    return catalog


def test_pipeline_inputs() -> None:
    pipe = create_pipeline(parameters={"scramble_ablation": PARAMS})
    assert set(pipe.inputs()) == {
        "params:scramble_ablation",
        "params:augmentation",
        "syn_a.manifest",
        "syn_b.manifest",
    }
    assert create_pipeline(parameters={"scramble_ablation": {"pairs": []}}).nodes == []


def test_relative_change_table_and_heatmap(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = run(monkeypatch)
    results = catalog.load("scramble_ablation.results")
    assert len(results) == 2 * 2 * 2  # rates x (clean, scrambled B) x evaluated corpora
    assert set(results["scrambled"]) == {"none", "syn_b"}
    expected = (
        (results["weighted_f1"] - results["baseline_weighted_f1"]) / results["baseline_weighted_f1"] * 100
    )
    assert np.allclose(results["relative_change_pct"], expected)
    at0 = results[results["rate"] == 0.0].set_index(["scrambled", "eval_corpus"])["weighted_f1"]
    assert at0[("syn_b", "syn_b")] < at0[("none", "syn_b")]
    fig = catalog.load("scramble_ablation.heatmap")
    assert "SYNTHETIC" in fig._suptitle.get_text() and len(fig.axes) == 3  # two rates + colour bar
    assert "Augmentation rate 0.5" in catalog.load("scramble_ablation.report")


def test_each_configuration_is_a_nested_mlflow_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    try:
        with mlflow.start_run(run_name="parent") as parent:
            run(monkeypatch)
        children = mlflow.search_runs(filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
        assert len(children) == 4
        assert set(children["params.scrambled"]) == {"none", "syn_b"}
        assert "metrics.syn_b.relative_change_pct" in children.columns
    finally:
        mlflow.set_tracking_uri(None)


def test_one_synthetic_corpus_labels_the_run_and_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # the same rule as the balancing report: any synthetic corpus marks the run (was: only when all were)
    catalog = run(monkeypatch, {"corpora": {"syn_a": {"synthetic": False}, "syn_b": {"synthetic": True}}})
    assert catalog.load("scramble_ablation.report").startswith("# SYNTHETIC corpora (syn_b): ")
    assert "SYNTHETIC corpora (syn_b)" in catalog.load("scramble_ablation.heatmap")._suptitle.get_text()
    real = run(monkeypatch, {"corpora": {"syn_a": {"synthetic": False}, "syn_b": {"synthetic": False}}})
    assert "SYNTHETIC" not in real.load("scramble_ablation.report")
