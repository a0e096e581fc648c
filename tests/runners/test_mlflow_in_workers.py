"""Nodes run by DaskRunner log into the driver's kedro-mlflow run, and artifact datasets pickle for ParallelRunner."""

from __future__ import annotations

import pickle
from multiprocessing.reduction import ForkingPickler

import cloudpickle
import mlflow
import pandas as pd
import pytest
import toy_nodes
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline, node
from kedro_mlflow.config.kedro_mlflow_config import KedroMlflowConfig
from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook
from kedro_mlflow.io.artifacts import MlflowArtifactDataset
from kedro_mlflow.io.metrics import MlflowMetricsHistoryDataset
from mlflow.tracking import MlflowClient

from ser_generalize.runners import DaskRunner
from ser_generalize.runners.pickling import register_by_value_pickling

cloudpickle.register_pickle_by_value(toy_nodes)


@pytest.fixture
def driver_run(tmp_path, monkeypatch):
    """An active MLflow run with kedro-mlflow's hook in the state its before_pipeline_run leaves it."""
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.set_experiment("runner_test")
    with mlflow.start_run(experiment_id=experiment.experiment_id) as run:
        for name, value in {
            "run_id": run.info.run_id,
            "mlflow_config": KedroMlflowConfig(),
            "_is_mlflow_enabled": True,
            "flatten": True,
            "recursive": True,
            "sep": ".",
            "long_params_strategy": "truncate",
        }.items():
            monkeypatch.setattr(mlflow_hook, name, value, raising=False)
        yield uri, experiment.experiment_id, run.info.run_id
    mlflow.set_tracking_uri(None)


def test_dask_workers_log_into_the_driver_run(cluster, driver_run) -> None:
    uri, experiment_id, run_id = driver_run
    pipeline = Pipeline(
        [
            node(toy_nodes.make_features, "seed", "features", name="make_features"),
            node(toy_nodes.score, ["features", "params:toy"], "toy_metrics", name="score"),
        ]
    )
    catalog = DataCatalog(
        datasets={
            "seed": MemoryDataset(data=7),
            "params:toy": MemoryDataset(data={"scale": 2.0}),
            "toy_metrics": MlflowMetricsHistoryDataset(prefix="toy"),
        }
    )
    DaskRunner(scheduler=cluster.scheduler_address).run(pipeline, catalog)

    client = MlflowClient(tracking_uri=uri)
    run = client.get_run(run_id)
    assert run.data.params["toy.scale"] == "2.0"  # flattened like kedro-mlflow does in the driver
    assert run.data.metrics["toy.value"] > 0
    runs = client.search_runs([experiment_id])
    nested = [r for r in runs if r.info.run_id != run_id]
    assert [r.data.tags.get("mlflow.parentRunId") for r in nested] == [run_id]  # no stray top-level run
    assert nested[0].data.metrics["value"] == run.data.metrics["toy.value"]


def test_worker_forgets_an_earlier_run(cluster, driver_run, monkeypatch) -> None:
    """A long-lived worker that served a run with MLflow logs nothing for a later run without one."""
    uri, experiment_id, run_id = driver_run
    pipeline = Pipeline([node(toy_nodes.score, ["features", "params:toy"], "toy_metrics", name="score")])

    def catalog(scale: float) -> DataCatalog:
        features = MemoryDataset(data=toy_nodes.make_features(7))
        toy = MemoryDataset(data={"scale": scale})
        return DataCatalog(datasets={"features": features, "params:toy": toy, "toy_metrics": MemoryDataset()})

    runner = DaskRunner(scheduler=cluster.scheduler_address)
    runner.run(pipeline, catalog(2.0))
    client = MlflowClient(tracking_uri=uri)
    before = client.search_runs([experiment_id])
    monkeypatch.setattr(mlflow_hook, "run_id", None)
    monkeypatch.delattr(mlflow_hook, "mlflow_config")  # the driver now has no kedro-mlflow run
    runner.run(pipeline, catalog(3.0))
    after = client.search_runs([experiment_id])
    assert len(after) == len(before)
    assert client.get_run(run_id).data.params["toy.scale"] == "2.0"


def test_artifact_datasets_pickle_for_parallel_runner(tmp_path) -> None:
    dataset = MlflowArtifactDataset(
        dataset={"type": "pandas.CSVDataset", "filepath": str(tmp_path / "t.csv")}, artifact_path="toy"
    )
    with pytest.raises((pickle.PicklingError, AttributeError)):
        ForkingPickler.dumps(dataset)
    assert register_by_value_pickling([dataset, dataset]) == ["CSVDataset.MlflowCSVDataset"]
    copy = pickle.loads(ForkingPickler.dumps(dataset))
    assert (copy.artifact_path, copy._filepath) == ("toy", dataset._filepath)
    copy._logging_activated = False  # no run here: write the file only
    copy.save(pd.DataFrame({"a": [1, 2]}))
    pd.testing.assert_frame_equal(dataset.load(), pd.DataFrame({"a": [1, 2]}))


def test_spawned_parallel_runner_children_log_into_the_driver_run(driver_run, monkeypatch) -> None:
    """Under ``spawn`` (macOS, Windows) a child starts with a fresh kedro-mlflow hook; it must not open a stray run."""
    from kedro.io import SharedMemoryDataCatalog

    from ser_generalize.runners import ParallelRunner

    uri, experiment_id, run_id = driver_run
    monkeypatch.setenv("KEDRO_MP_CONTEXT", "spawn")
    pipeline = Pipeline([node(toy_nodes.score, ["features", "params:toy"], "toy_metrics", name="score")])
    catalog = SharedMemoryDataCatalog(datasets={
        "features": MemoryDataset(data=toy_nodes.make_features(7)),
        "params:toy": MemoryDataset(data={"scale": 2.0}),
        "toy_metrics": MlflowMetricsHistoryDataset(prefix="toy"),
    })
    register_by_value_pickling(dataset for _, dataset in catalog.items())
    ParallelRunner(max_workers=1).run(pipeline, catalog)

    client = MlflowClient(tracking_uri=uri)
    run = client.get_run(run_id)
    assert run.data.params["toy.scale"] == "2.0"  # flattened like kedro-mlflow does in the driver
    assert run.data.metrics["toy.value"] > 0
    runs = client.search_runs([experiment_id])
    assert [r.data.tags.get("mlflow.parentRunId") for r in runs if r.info.run_id != run_id] == [run_id]


def test_spawned_children_open_no_run_when_the_driver_has_none(tmp_path, monkeypatch) -> None:
    from kedro.io import SharedMemoryDataCatalog

    from ser_generalize.runners import ParallelRunner

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)   # where a child's stray run would land
    monkeypatch.setenv("KEDRO_MP_CONTEXT", "spawn")
    monkeypatch.setattr(mlflow_hook, "run_id", None, raising=False)
    if hasattr(mlflow_hook, "mlflow_config"):
        monkeypatch.delattr(mlflow_hook, "mlflow_config")   # no kedro-mlflow run in this driver
    pipeline = Pipeline([node(toy_nodes.score, ["features", "params:toy"], "toy_metrics", name="score")])
    catalog = SharedMemoryDataCatalog(datasets={
        "features": MemoryDataset(data=toy_nodes.make_features(7)),
        "params:toy": MemoryDataset(data={"scale": 2.0}),
        "toy_metrics": MemoryDataset(),
    })
    ParallelRunner(max_workers=1).run(pipeline, catalog)
    client = MlflowClient(tracking_uri=uri)
    assert [r for e in client.search_experiments() for r in client.search_runs([e.experiment_id])] == []
