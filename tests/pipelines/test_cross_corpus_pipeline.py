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


def _params(cache: Path) -> dict:
    return {"corpora": CORPORA, "fold": 0, "metric": "macro_f1", "lambda": 1.0, "feature_cache_dir": str(cache),
            "device": "cpu", "head": HEAD, "logit_adjustment": {"enabled": True, "tau": 1.0},
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


def test_pipeline_has_one_namespaced_branch_per_corpus():
    pipe = create_pipeline(parameters={"cross_corpus": {"corpora": CORPORA}})
    names = {n.name for n in pipe.nodes}
    assert {"syn_a.extract_corpus_features", "syn_b.extract_corpus_features", "run_matrix"} <= names
    assert {"syn_a.manifest", "syn_b.manifest", "params:backbone", "params:augmentation"} <= set(pipe.inputs())
    assert create_pipeline(parameters={"cross_corpus": {}, "ingestion": {"corpora": {}}}).nodes == []


def test_end_to_end_with_tiny_whisper_backbone(tmp_path: Path):
    from ser_generalize.backbones.tiny import save_tiny_model

    model = save_tiny_model("whisper", tmp_path / "whisper")
    (tmp_path / "wav").mkdir()
    params = _params(tmp_path / "features")
    outputs = ["cross_corpus.cells", "cross_corpus.confusions", "cross_corpus.matrix", "cross_corpus.reductions",
               "cross_corpus.metrics", "cross_corpus.heatmap", "cross_corpus.reduction_bars",
               "cross_corpus.confusion_plot", "cross_corpus.report"]
    catalog = DataCatalog(datasets={
        "params:cross_corpus": MemoryDataset(params),
        "params:backbone": MemoryDataset(f"hf:{model}"),
        "params:backbone_options": MemoryDataset({}),
        "params:augmentation": MemoryDataset({"rate": 0.0}),
        "params:ingestion": MemoryDataset({"corpora": {c: {"synthetic": True} for c in CORPORA}}),
        **{f"{c}.manifest": MemoryDataset(_manifest(c, tmp_path / "wav")) for c in CORPORA},
        **{name: MemoryDataset(copy_mode="assign") for name in outputs},
        # intermediate outputs on disk, so the runner does not release them before the asserts
        **{name: PickleDataset(filepath=str(tmp_path / f"{name}.pkl"))
           for name in ("cross_corpus.cells", "cross_corpus.matrix")},
    })
    SequentialRunner().run(create_pipeline(parameters={"cross_corpus": params}), catalog)
    cells = catalog.load("cross_corpus.cells")
    assert len(cells) == 6  # (2 corpora + 1 joint row) x 2 test corpora
    off = cells.set_index(["train", "test"]).loc[("syn_a", "syn_b")]
    assert off["labels"] == "angry,sad" and off["n_test"] == 4
    assert list(catalog.load("cross_corpus.matrix")["train"]) == ["syn_a", "syn_b", "a_and_b"]
    metrics = catalog.load("cross_corpus.metrics")
    assert {"in_domain_mean", "weighted_average", "cell.syn_a.syn_b.macro_f1"} <= set(metrics)
    assert all(set(v) == {"value", "step"} for v in metrics.values())
    report = catalog.load("cross_corpus.report")
    assert "Synthetic corpora:" in report and "syn_a" in report and f"hf:{model}" in report
    assert "synthetic" in catalog.load("cross_corpus.heatmap").axes[0].get_title()
    assert list((tmp_path / "features").glob("syn_a.*/*.frames.npy"))  # features stored once per corpus


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
    assert all(f"{c}.extract_corpus_features" in main for c in ("syn_ravdess", "syn_cremad", "syn_emodb", "syn_emovo"))
