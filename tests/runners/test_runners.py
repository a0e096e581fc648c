"""DaskRunner and ParallelRunner give SequentialRunner's outputs on a seeded toy pipeline; errors name the node."""

from __future__ import annotations

import gc

import cloudpickle
import pandas as pd
import pytest
import toy_nodes
from kedro.io import DataCatalog, MemoryDataset, SharedMemoryDataCatalog
from kedro.pipeline import Pipeline, node
from kedro.runner import ParallelRunner, SequentialRunner
from kedro_datasets.pandas import CSVDataset

from ser_generalize.runners import DaskRunner
from ser_generalize.runners.config import SCHEDULER_ENV, WORKERS_ENV, resolve_settings
from ser_generalize.runners.dask_runner import WARM_UP_IMPORTS

# Dask ships the toy functions by value, so worker processes need not find this test directory on their path.
cloudpickle.register_pickle_by_value(toy_nodes)

SEED = 1234


def toy_pipeline() -> Pipeline:
    """One producer, three independent torch fits (parallelisable), one summarising node."""
    return Pipeline(
        [
            node(toy_nodes.make_features, "seed", "features", name="make_features"),
            node(toy_nodes.fit_0, ["features", "seed"], "w0", name="fit_0"),
            node(toy_nodes.fit_1, ["features", "seed"], "w1", name="fit_1"),
            node(toy_nodes.fit_2, ["features", "seed"], "w2", name="fit_2"),
            node(toy_nodes.summarise, ["w0", "w1", "w2"], ["table", "total"], name="summarise"),
        ]
    )


def toy_datasets(tmp_path, label: str) -> dict:
    return {
        "seed": MemoryDataset(data=SEED),
        "table": CSVDataset(filepath=str(tmp_path / label / "table.csv")),
    }  # "total" and the intermediates come from the runtime default: each runner's own in-memory dataset


def run_with(runner, tmp_path, label: str, catalog_class=DataCatalog) -> tuple[pd.DataFrame, float]:
    catalog = catalog_class(datasets=toy_datasets(tmp_path, label))
    runner.run(toy_pipeline(), catalog)
    return pd.read_csv(tmp_path / label / "table.csv"), catalog.load("total")


@pytest.fixture(scope="module")
def sequential(tmp_path_factory) -> tuple[pd.DataFrame, float]:
    return run_with(SequentialRunner(), tmp_path_factory.mktemp("seq"), "seq")


def test_dask_local_cluster_matches_sequential(sequential, tmp_path) -> None:
    """Default: the runner starts (and closes) its own 2-worker LocalCluster."""
    runner = DaskRunner(n_workers=2)
    assert runner.settings.scheduler is None
    table, total = run_with(runner, tmp_path, "dask")
    pd.testing.assert_frame_equal(table, sequential[0])
    assert total == sequential[1]


def test_local_cluster_starts_warm_and_an_unused_one_is_closed() -> None:
    """The LocalCluster starts when the runner is built: its workers import the nodes' libraries and build their
    hook manager (entry-point plugins loaded, kedro-viz's left out) before any node; never run, it is closed."""
    runner = DaskRunner(n_workers=1)
    cluster, client = runner._starting.result(timeout=120)
    imported, plugins = client.submit(toy_nodes.warm_up_state, WARM_UP_IMPORTS, pure=False).result()
    assert imported == sorted(WARM_UP_IMPORTS)
    assert "kedro_mlflow" in plugins and "kedro_viz" not in plugins
    del runner
    gc.collect()
    assert cluster.status.name == "closed"


def test_parallel_runner_matches_sequential(sequential, tmp_path) -> None:
    table, total = run_with(ParallelRunner(max_workers=2), tmp_path, "par", SharedMemoryDataCatalog)
    pd.testing.assert_frame_equal(table, sequential[0])
    assert total == sequential[1]


def test_scheduler_address_from_argument_and_environment(cluster, sequential, tmp_path, monkeypatch) -> None:
    """Nodes run on the cluster named by --runner-params' scheduler, else by SER_DASK_SCHEDULER."""
    probe = Pipeline([node(toy_nodes.scheduler_of_worker, "features", "where", name="where")])
    for label, runner in (
        ("arg", DaskRunner(scheduler=cluster.scheduler_address)),
        ("env", None),
    ):
        if runner is None:
            monkeypatch.setenv(SCHEDULER_ENV, cluster.scheduler_address)
            runner = DaskRunner()
        catalog = DataCatalog(datasets={**toy_datasets(tmp_path, label), "where": MemoryDataset()})
        runner.run(toy_pipeline() + probe, catalog)
        assert catalog.load("where") == cluster.scheduler_address
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / label / "table.csv"), sequential[0])


def test_failing_node_is_named(cluster, tmp_path) -> None:
    pipeline = Pipeline(
        [
            node(toy_nodes.make_features, "seed", "features", name="make_features"),
            node(toy_nodes.fail, "features", "broken", name="broken_node"),
        ]
    )
    catalog = DataCatalog(datasets=toy_datasets(tmp_path, "fail"))
    with pytest.raises(ValueError, match="failed on purpose") as raised:
        DaskRunner(scheduler=cluster.scheduler_address).run(pipeline, catalog)
    assert any("broken_node" in note for note in getattr(raised.value, "__notes__", []))


def test_settings_precedence_and_validation(monkeypatch) -> None:
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://env:8786")
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert resolve_settings().scheduler == "tcp://env:8786"
    assert resolve_settings().n_workers == 3
    assert resolve_settings(scheduler="tcp://arg:1", n_workers=4).scheduler == "tcp://arg:1"
    assert resolve_settings(n_workers=4).n_workers == 4
    monkeypatch.setenv(WORKERS_ENV, "zero")
    with pytest.raises(ValueError, match="SER_DASK_WORKERS"):
        resolve_settings()


def test_parallel_runner_shares_declared_memory_datasets(sequential, tmp_path) -> None:
    """A catalog-declared MemoryDataset between nodes (as cross_corpus declares its features) works after the hook."""
    from ser_generalize.runners.hooks import MultiprocessRunHooks

    datasets = toy_datasets(tmp_path, "declared")
    datasets.update({name: MemoryDataset(copy_mode="assign") for name in ("features", "w0", "w1", "w2")})
    catalog = SharedMemoryDataCatalog(datasets=datasets)
    MultiprocessRunHooks().before_pipeline_run(toy_pipeline(), catalog)
    ParallelRunner(max_workers=2).run(toy_pipeline(), catalog)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "declared" / "table.csv"), sequential[0])
