"""``kedro run --pipeline=cross_corpus --params=backbone=hf:<tiny local Whisper>,...`` in a copy of the project.

The whole user path: synthetic corpora are generated (tiny config in conf/local), ingested,
features extracted with a locally saved tiny Whisper (chosen by runtime --params, which also plan the
pipeline's nodes), the matrix filled, and the run logged to the project's sqlite MLflow store with a
nested run per backbone and per fold x seed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import mlflow
import pandas as pd
import yaml

from ser_generalize.backbones.tiny import save_tiny_model

ROOT = Path(__file__).resolve().parents[1]
SPEAKERS = {
    "emodb": [{"id": "3", "gender": "male", "variant": "m4"}, {"id": "8", "gender": "female", "variant": "f1"}],
    "emovo": [{"id": "f1", "gender": "female", "variant": "f5"}, {"id": "m1", "gender": "male", "variant": "m7"}],
}


def copy_project(target: Path) -> Path:
    """Sources and base config of this project, with an empty conf/local and data/ as a fresh clone has."""
    target.mkdir()
    shutil.copytree(ROOT / "conf" / "base", target / "conf" / "base")
    (target / "conf" / "local").mkdir()
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    shutil.copy(ROOT / ".telemetry", target / ".telemetry")
    shutil.copytree(ROOT / "src", target / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return target


def write_local(project: Path, key: str, value: dict) -> None:
    (project / "conf" / "local" / f"parameters_{key}.yml").write_text(yaml.safe_dump({key: value}))


def test_cross_corpus_cli_with_tiny_whisper(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    whisper = save_tiny_model("whisper", tmp_path / "tiny_whisper")
    corpora = {f"syn_{layout}": layout for layout in SPEAKERS}
    write_local(project, "synthesize", {
        "raw_dir": "data/01_raw", "seed": 1, "force": False, "progress": False,
        "corpora": {name: {"layout": layout, "language": {"emodb": "de", "emovo": "it"}[layout], "per_emotion": 4,
                           "emotions": ["neutral", "angry", "sad"], "speakers": SPEAKERS[layout],
                           "condition": {"snr_db": 30}} for name, layout in corpora.items()},
    })
    write_local(project, "ingestion", {
        "synthesize_if_missing": True,
        "corpora": {name: {"adapter": layout, "root": f"data/01_raw/{name}", "language": "xx", "synthetic": True}
                    for name, layout in corpora.items()},
    })
    cross = yaml.safe_load((ROOT / "conf/base/parameters_cross_corpus.yml").read_text())["cross_corpus"]
    cross.update(joint=[], head={**cross["head"], "hidden": [16, 16], "epochs": 2, "patience": 1})
    write_local(project, "cross_corpus", cross)

    env = {**os.environ, "DO_NOT_TRACK": "1", "HF_HUB_OFFLINE": "1", "MPLBACKEND": "Agg"}
    kedro = Path(sys.executable).parent / "kedro"
    done = subprocess.run(
        [str(kedro), "run", "--pipeline=cross_corpus",
         f"--params=backbone=hf:{whisper},cross_corpus.backbones=null,cross_corpus.seeds=[3]"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    matrix = pd.read_csv(project / "data/08_reporting/cross_corpus/matrices/hf_tiny_whisper.csv")
    assert list(matrix["train"]) == list(corpora)
    assert matrix.drop(columns="train").notna().all().all()
    report = (project / "data/08_reporting/cross_corpus/report.md").read_text()
    assert f"hf:{whisper}" in report and "Synthetic corpora" in report and "seeds: `[3]`" in report

    mlflow.set_tracking_uri(f"sqlite:///{project / 'mlflow.db'}")
    runs = mlflow.search_runs(experiment_names=["ser_generalize"])
    names = set(runs["tags.mlflow.runName"])
    assert {"backbone=hf_tiny_whisper", "backbone=hf_tiny_whisper fold=0 seed=3"} <= names and len(runs) == 3
    parent = runs[~runs["tags.mlflow.runName"].str.startswith("backbone=")]
    assert len(parent) == 1, runs.filter(like="tags.mlflow").to_dict("records")
    assert parent["params.backbone.hf_tiny_whisper"].iloc[0] == f"hf:{whisper}"
    nested = runs[runs["tags.mlflow.runName"] == "backbone=hf_tiny_whisper"].iloc[0]
    assert nested["params.spec"] == f"hf:{whisper}" and nested["tags.mlflow.parentRunId"] == parent["run_id"].iloc[0]
    assert "metrics.cross_corpus.hf_tiny_whisper.in_domain_mean" in runs.columns
