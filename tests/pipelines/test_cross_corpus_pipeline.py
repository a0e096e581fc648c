"""The cross_corpus pipeline: one namespaced branch per corpus, an end-to-end run on a tiny Whisper (hf:) backbone,
MLflow-ready metrics, and ``kedro viz build`` on the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro_datasets.pickle import PickleDataset

from ser_generalize.pipelines.cross_corpus import create_pipeline

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ["syn_a", "syn_b"]
LABELS = {"syn_a": ["angry", "sad", "other"], "syn_b": ["angry", "sad", "happy"]}
HEAD = {"type": "ser_evals_mlp", "hidden": [16, 16], "epochs": 3, "lr": 0.01, "patience": 2, "val_fraction": 0.2,
        "batch_size": 8, "seed": 0}


def _params(cache: Path, backbones: list[str]) -> dict:
    return {"corpora": CORPORA, "backbones": backbones, "folds": [0], "seeds": [0, 1], "metric": "macro_f1",
            "lambda": 1.0, "feature_cache_dir": str(cache / "features"), "row_cache_dir": str(cache / "rows"),
            "device": "cpu", "head": HEAD, "logit_adjustment": {"enabled": True, "tau": 1.0},
            "bootstrap": {"n": 200, "seed": 0}, "balanced_test": {"enabled": True, "n_per_class": 2},
            "joint": [{"name": "a_and_b", "train": CORPORA}]}


def _manifest(corpus: str, root: Path) -> pd.DataFrame:
    """Eight 0.3 s tones per label (pitch = label), fold 0 = every fourth clip."""
    rows, rng = [], np.random.default_rng(0)
    for li, label in enumerate(LABELS[corpus]):
        for k in range(8):
            path = root / f"{corpus}_{label}_{k}.wav"
            t = np.arange(4800) / 16000
            sf.write(path, (0.3 * np.sin(2 * np.pi * (200 + 150 * li) * t) + rng.normal(0, 0.01, t.size)), 16000)
            rows.append({"utt_id": path.stem, "path": str(path), "corpus": corpus, "speaker": f"s{k % 2}",
                         "gender": "f", "language": "en", "raw_label": label, "emotion": label, "duration_s": 0.3,
                         "sample_rate": 16000, "channels": 1, "official_split": "train",
                         "fold": 0 if k % 4 == 0 else 1, "partition_scheme": "speaker_dependent_25"})
    return pd.DataFrame(rows)


def test_pipeline_has_a_node_per_corpus_backbone_and_row_run():
    params = {"cross_corpus": {"corpora": CORPORA, "backbones": ["egemaps", "logmel"], "folds": [0, 1],
                               "seeds": [0, 1, 2], "joint": [{"name": "a_and_b", "train": CORPORA}]}}
    pipe = create_pipeline(parameters=params)
    names = {n.name for n in pipe.nodes}
    assert {"syn_a.extract_features_egemaps", "syn_b.extract_features_logmel", "syn_a.balanced_test_set_f1",
            "cross_corpus.score_matrix", "cross_corpus.report_matrix"} <= names
    rows = [n for n in names if n.startswith("cross_corpus.train_row_")]
    assert len(rows) == 2 * 2 * 3 * 3  # backbones x folds x seeds x (2 corpora + 1 joint row)
    assert "cross_corpus.train_row_logmel_f1_s2_a_and_b" in names
    assert {"syn_a.manifest", "syn_b.manifest", "params:cross_corpus"} <= set(pipe.inputs())
    assert create_pipeline(parameters={"cross_corpus": {}, "ingestion": {"corpora": {}}}).nodes == []


def _run(params: dict, model: Path, wav: Path) -> DataCatalog:
    outputs = ["cross_corpus.predictions", "cross_corpus.cells", "cross_corpus.run_cells", "cross_corpus.matrices",
               "cross_corpus.reductions", "cross_corpus.leaderboard", "cross_corpus.metrics", "cross_corpus.heatmap",
               "cross_corpus.reduction_bars", "cross_corpus.confusion_plot", "cross_corpus.report"]
    catalog = DataCatalog(datasets={
        "params:cross_corpus": MemoryDataset(params),
        "params:ingestion": MemoryDataset({"corpora": {c: {"synthetic": True, "ood_eligible": True}
                                                       for c in CORPORA}}),
        **{f"{c}.manifest": MemoryDataset(_manifest(c, wav)) for c in CORPORA},
        # outputs on disk, so the runner does not release them before the asserts
        **{name: PickleDataset(filepath=str(wav.parent / f"{name}.pkl")) for name in outputs},
    })
    SequentialRunner().run(create_pipeline(parameters={"cross_corpus": params}), catalog)
    return catalog


def test_end_to_end_with_tiny_whisper_backbone(tmp_path: Path):
    from ser_generalize.backbones.tiny import save_tiny_model

    model = save_tiny_model("whisper", tmp_path / "whisper")
    (tmp_path / "wav").mkdir()
    params = _params(tmp_path, [f"hf:{model}", "logmel"])
    catalog = _run(params, model, tmp_path / "wav")
    cells = catalog.load("cross_corpus.cells")
    standard = cells[cells["test_set"] == "test"]
    assert len(standard) == 2 * 6  # 2 backbones x (2 corpora + 1 joint row) x 2 test corpora
    off = standard.set_index(["backbone", "train", "test"]).loc[("hf_whisper", "syn_a", "syn_b")]
    assert off["labels"] == "angry,sad" and off["n_test"] == 4 and off["count"] == 2  # two seeds
    assert off["ci_low"] <= off["macro_f1_mean"] <= off["ci_high"]
    assert set(cells.loc[cells["test_set"] == "balanced", "labels"]) <= {"angry,sad", "angry,happy,sad"}
    board = catalog.load("cross_corpus.leaderboard")
    assert set(board["backbone"]) == {"hf_whisper", "logmel"} and list(board["rank"]) == [1, 2]
    matrices = catalog.load("cross_corpus.matrices")
    assert list(matrices["logmel"]["train"]) == ["syn_a", "syn_b", "a_and_b"]
    reduced = catalog.load("cross_corpus.reductions")
    assert set(reduced["backbones"]) == {"hf_whisper", "logmel"}
    assert reduced["backbones"]["logmel"]["in_domain_cells"] == [("syn_a", "syn_a"), ("syn_b", "syn_b")]
    assert reduced["backbones"]["logmel"]["ood_cells"] == [("syn_a", "syn_b"), ("syn_b", "syn_a")]
    metrics = catalog.load("cross_corpus.metrics")
    assert {"logmel.weighted_average", "hf_whisper.in_domain_mean_ci_low"} <= set(metrics)
    report = catalog.load("cross_corpus.report")
    assert "Synthetic corpora:" in report and "## Leaderboard" in report and "(n=2)" in report
    assert "balanced cross-corpus test sets" in report and f"hf:{model}" in report
    assert list((tmp_path / "features").glob("syn_a.*/*.frames.npy"))  # features stored once per corpus
    assert "synthetic" in catalog.load("cross_corpus.heatmap")._suptitle.get_text()
    rows = sorted((tmp_path / "rows").rglob("*.parquet"))
    assert len(rows) == 2 * 2 * 3  # every row run kept for resuming

    stamps = {p: p.stat().st_mtime_ns for p in rows}
    again = _run(params, model, tmp_path / "wav")  # a rerun reuses every finished row run
    assert {p: p.stat().st_mtime_ns for p in rows} == stamps
    pd.testing.assert_frame_equal(again.load("cross_corpus.cells"), cells)


@pytest.mark.skipif(shutil.which("kedro", path=str(Path(sys.executable).parent)) is None, reason="kedro CLI missing")
def test_kedro_viz_build(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(ROOT / "conf", project / "conf", ignore=shutil.ignore_patterns("local"))
    (project / "conf" / "local").mkdir()
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    env = {**os.environ, "DO_NOT_TRACK": "1", "HF_HUB_OFFLINE": "1", "MPLBACKEND": "Agg"}
    kedro = Path(sys.executable).parent / "kedro"
    done = subprocess.run([str(kedro), "viz", "build"], cwd=project, env=env, capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    main = (project / "build" / "api" / "main").read_text()
    assert all(f"{c}.extract_features_egemaps" in main for c in ("syn_ravdess", "syn_cremad", "syn_emodb", "syn_emovo"))
    assert "cross_corpus.train_row_logmel_f0_s1_syn_emovo" in main


def test_parallel_and_dask_runners_give_the_sequential_matrix(tmp_path: Path):
    """The real cross_corpus pipeline (row runs as independent nodes) gives identical cells on every runner."""
    from kedro.io import SharedMemoryDataCatalog
    from kedro.runner import ParallelRunner

    from ser_generalize.runners import DaskRunner

    (tmp_path / "wav").mkdir()
    manifests = {c: _manifest(c, tmp_path / "wav") for c in CORPORA}
    cells = {}
    for label, runner, catalog_class in [("sequential", SequentialRunner(), DataCatalog),
                                         ("parallel", ParallelRunner(max_workers=2), SharedMemoryDataCatalog),
                                         ("dask", DaskRunner(n_workers=2), DataCatalog)]:
        params = {**_params(tmp_path / label, ["logmel"]), "seeds": [0, 1], "bootstrap": {"n": 100, "seed": 0}}
        out = tmp_path / label / "cells.pkl"
        catalog = catalog_class(datasets={
            "params:cross_corpus": MemoryDataset(params),
            "params:ingestion": MemoryDataset({"corpora": {c: {"synthetic": True} for c in CORPORA}}),
            **{f"{c}.manifest": MemoryDataset(m) for c, m in manifests.items()},
            "cross_corpus.cells": PickleDataset(filepath=str(out)),
        })
        runner.run(create_pipeline(parameters={"cross_corpus": params}), catalog)
        cells[label] = pd.read_pickle(out)
    assert len(cells["sequential"]) == 12  # 3 rows x 2 test corpora x (test part + balanced set)
    pd.testing.assert_frame_equal(cells["parallel"], cells["sequential"])
    pd.testing.assert_frame_equal(cells["dask"], cells["sequential"])
