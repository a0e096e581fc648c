"""The factor-sweep pipeline end to end on a tiny sweep (8 clips per corpus, logmel, two-epoch heads)."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pandas as pd
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from ser_generalize.pipelines.factor_sweep import create_pipeline


class KeptDataset(MemoryDataset):
    """A memory dataset the runner does not release, so the test can read intermediate outputs."""

    def _release(self) -> None:
        pass


SPEAKERS = [
    {"id": str(1001 + i), "gender": g, "variant": v, "pitch": p, "rate": 0.0}
    for i, (g, v, p) in enumerate(
        [("male", "m3", -4), ("female", "f2", 8), ("male", "m1", 0), ("female", "f4", 12)]
    )
]


def _params(tmp_path: Path) -> dict:
    return {
        "raw_dir": str(tmp_path / "raw"),
        "seed": 5,
        "base_name": "tiny",
        "base": {
            "layout": "cremad",
            "language": "en",
            "expressiveness": 1.2,
            "per_emotion": 1,
            "emotions": ["neutral", "angry"],
            "speakers": SPEAKERS,
            "condition": {"snr_db": 40, "noise_color": "white", "gain_db": -1},
        },
        "factors": {"noise_white": [0], "language": ["de"]},
        "backbones": ["logmel"],
        "backbone_options": {},
        "feature_cache_dir": str(tmp_path / "features"),
        "workers": 1,
        "metric": "macro_f1",
        "head_seed": 0,
        "device": "cpu",
        "head": {"type": "ser_evals_mlp", "hidden": [16, 16], "epochs": 2, "batch_size": 8, "max_frames": 50},
        "bootstrap": {"n_boot": 50, "alpha": 0.05, "seed": 0},
        "profile_utterances": 4,
        "attribution": {"alpha": 1.0, "n_boot": 20, "seed": 0},
        "default_matrix": {"enabled": False},
    }


def test_tiny_sweep_runs_end_to_end(tmp_path: Path) -> None:
    params = _params(tmp_path)
    pipeline = create_pipeline(parameters={"factor_sweep": params, "ingestion": {"corpora": {}}})
    catalog = DataCatalog({"params:factor_sweep": MemoryDataset(params)})
    for name in pipeline.datasets() - pipeline.inputs():
        catalog[name] = KeptDataset()
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    try:
        # an experiment of this store: another test in the same process may have left its own one active
        mlflow.set_experiment("tiny_factor_sweep")
        with mlflow.start_run(run_name="parent") as parent:
            SequentialRunner().run(pipeline, catalog)
        children = mlflow.search_runs(filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
    finally:
        mlflow.set_tracking_uri(None)
    assert len(children) == 3  # one nested run per corpus x backbone
    drops = catalog.load("factor_sweep.drops")
    assert set(drops["corpus"]) == {"tiny", "tiny__noise_white_0", "tiny__language_de"}
    base = drops.set_index("corpus").loc["tiny"]
    assert base["drop"] == 0 and base["drop_lo"] == 0 and base["drop_hi"] == 0
    assert (drops["drop_lo"] <= drops["drop"] + 1e-9).all() and (
        drops["drop"] <= drops["drop_hi"] + 1e-9
    ).all()
    checks = catalog.load("factor_sweep.validation")
    assert set(checks["changed"]) == {"recording", "language"}
    report = catalog.load("factor_sweep.report")
    assert "SYNTHETIC" in report and "Validation on known truth" in report
    assert len(catalog.load("factor_sweep.robustness_plot").axes) >= 2
    assert isinstance(catalog.load("factor_sweep.shares"), pd.DataFrame)


def test_attribution_names_the_changed_factor_on_a_small_real_sweep(tmp_path: Path) -> None:
    """Known truth on generated audio: every single-factor variant is attributed to the factor it changed.

    Noise and reverberation are named as the recording factor, weaker acting as expressiveness (it once
    went to recording, when the intercept was free to absorb its drop; see sweep_attribution).
    """
    params = {**_params(tmp_path), "base": {**_params(tmp_path)["base"], "per_emotion": 3},
              "factors": {"noise_white": [0], "reverberation": [1.0], "expressiveness": [0.5]},
              "backbones": ["egemaps"], "workers": 2,
              "head": {"type": "ser_evals_mlp", "hidden": [32, 32], "epochs": 20, "batch_size": 8, "max_frames": 100,
                       "lr": 0.003, "patience": 20, "val_fraction": 0.0},
              "bootstrap": {"n_boot": 200, "alpha": 0.05, "seed": 0}, "profile_utterances": 24}
    pipeline = create_pipeline(parameters={"factor_sweep": params, "ingestion": {"corpora": {}}})
    catalog = DataCatalog({"params:factor_sweep": MemoryDataset(params)})
    for name in pipeline.datasets() - pipeline.inputs():
        catalog[name] = KeptDataset()
    SequentialRunner().run(pipeline, catalog)
    checks = catalog.load("factor_sweep.validation")
    assert sorted(checks["changed"]) == ["expressiveness", "recording", "recording"], checks.to_string()
    assert checks["has_drop"].all(), checks.to_string()  # each variant costs something to attribute
    assert checks["named"].all(), checks.to_string()
