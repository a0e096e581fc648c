"""Kedro runner that runs each node as a dask.distributed task, dependencies expressed as futures.

``kedro run --runner=ser_generalize.runners.DaskRunner`` starts a 2-worker ``LocalCluster`` (one thread per
worker process) and closes it at the end; ``--runner-params=scheduler=tcp://host:8786`` or the
``SER_DASK_SCHEDULER`` variable connects to a running scheduler instead (see ``config.resolve_settings``).

In-memory datasets never go through files or the scheduler's published datasets: a node's task returns its
in-memory outputs, and the tasks of the nodes that read them take that future as an argument, so Dask moves
the data worker to worker. Persisted datasets are saved and loaded by the workers themselves (they need the
same filesystem). Node and dataset hooks fire in the worker, as with Kedro's ParallelRunner.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from kedro.framework.hooks.manager import _create_hook_manager, _register_hooks, _register_hooks_entry_points
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node
from kedro.runner import AbstractRunner
from kedro.runner.task import Task

from . import mlflow_context
from .config import DaskSettings, resolve_settings

logger = logging.getLogger(__name__)

_WORKER_STATE: dict[str, Any] = {}
_WORKER_LOCK = threading.Lock()


def _worker_hook_manager(package_name: str | None) -> Any:
    """This process's hook manager (project HOOKS plus plugin entry points), built once per worker process."""
    with _WORKER_LOCK:
        if "hook_manager" not in _WORKER_STATE:
            from kedro.framework.project import PACKAGE_NAME, configure_project, settings

            if package_name and PACKAGE_NAME != package_name:
                configure_project(package_name)
            manager = _create_hook_manager()
            _register_hooks(manager, settings.HOOKS)
            _register_hooks_entry_points(manager, settings.DISABLE_HOOKS_FOR_PLUGINS)
            _WORKER_STATE["hook_manager"] = manager
        return _WORKER_STATE["hook_manager"]


def run_node_on_worker(
    node: Node,
    datasets: dict[str, Any],
    values: dict[str, Any],
    memory_outputs: list[str],
    context: dict[str, Any],
    *parent_outputs: dict[str, Any],
) -> dict[str, Any]:
    """Run ``node`` in this worker and return its in-memory outputs by name.

    ``datasets`` are the persisted inputs/outputs, ``values`` the in-memory inputs known up front
    (parameters), ``parent_outputs`` the results of the tasks producing the other in-memory inputs.
    The node runs in a fresh thread so MLflow's thread-local active run does not outlive it.
    """

    def _target() -> dict[str, Any]:
        hook_manager = _worker_hook_manager(context.get("package_name"))
        mlflow_context.apply(context.get("mlflow"), in_worker=True)
        catalog = DataCatalog(datasets=dict(datasets))
        for name, value in values.items():
            catalog[name] = MemoryDataset(data=value)
        for outputs in parent_outputs:
            for name, value in outputs.items():
                if name in node.inputs:
                    catalog[name] = MemoryDataset(data=value)
        for name in memory_outputs:
            catalog[name] = MemoryDataset()
        Task(
            node=node,
            catalog=catalog,
            is_async=context.get("is_async", False),
            hook_manager=hook_manager,
            run_id=context.get("run_id"),
        ).execute()
        return {name: catalog.load(name) for name in memory_outputs}

    from distributed.worker import thread_state

    dask_task_state = dict(vars(thread_state))  # get_worker()/worker_client() inside the node keep working

    def _in_node_thread() -> dict[str, Any]:
        for name, value in dask_task_state.items():
            setattr(thread_state, name, value)
        return _target()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"kedro-node-{node.name}") as pool:
        return pool.submit(contextvars.copy_context().run, _in_node_thread).result()


def _pick(outputs: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {name: outputs[name] for name in names}


class DaskRunner(AbstractRunner):
    """Run a Kedro pipeline on a dask.distributed cluster, one task per node."""

    def __init__(
        self,
        scheduler: str | None = None,
        n_workers: int | None = None,
        threads_per_worker: int | None = None,
        is_async: bool = False,
    ):
        """Settings come from these arguments (``--runner-params``), else ``SER_DASK_*`` variables, else a
        2-worker, 1-thread LocalCluster."""
        super().__init__(is_async=is_async)
        self.settings: DaskSettings = resolve_settings(scheduler, n_workers, threads_per_worker)

    def _get_executor(self, max_workers: int) -> None:
        """Unused: nodes go to the Dask client, not to a concurrent.futures executor."""

    @contextmanager
    def _client(self) -> Iterator[Any]:
        """A client on the configured scheduler, or on a LocalCluster that is closed on exit."""
        import dask
        from distributed import Client, LocalCluster

        if self.settings.scheduler:
            logger.info("DaskRunner: connecting to scheduler %s", self.settings.scheduler)
            with Client(self.settings.scheduler) as client:
                yield client
            return
        logger.info(
            "DaskRunner: starting a LocalCluster with %d worker process(es) x %d thread(s)",
            self.settings.n_workers,
            self.settings.threads_per_worker,
        )
        # Non-daemonic worker processes, so nodes may start process pools of their own (corpus synthesis does).
        # Dask's nanny gives workers MALLOC_TRIM_THRESHOLD_=65536, which turns off glibc's adaptive mmap
        # threshold: head training then maps and unmaps its short-lived buffers on every allocation and ran
        # about 2x slower than in-process (docs/performance.md); workers keep glibc's default instead.
        # The worker's statistical profiler (a stack sample of every thread each 10 ms, for a dashboard this
        # cluster does not start) competes for the GIL with the Python-heavy head training: the matrix stage
        # took 119.6 s with it and 110.6 s without (one run each, 5,000 clips, 20 row nodes), so it is off.
        with (
            dask.config.set({"distributed.worker.daemon": False,
                             "distributed.worker.profile.enabled": False,
                             "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}),
            LocalCluster(
                n_workers=self.settings.n_workers,
                threads_per_worker=self.settings.threads_per_worker,
                processes=True,
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client

    def _run(
        self,
        pipeline: Pipeline,
        catalog: Any,
        hook_manager: Any = None,
        run_id: str | None = None,
    ) -> None:
        """Submit ready nodes (parents done) while the cluster has free threads; collect in completion order.

        Nodes go out only as threads free up, as with ParallelRunner, rather than all at once: submitted all
        at once, the scheduler placed every task on a worker up front (unknown durations, no shared task
        prefix to queue them by), and one worker idled for 20 s while the other worked through its own
        queue (a per-node timeline of the 20 row nodes of the benchmark's matrix stage, docs/performance.md).
        """
        from distributed import as_completed
        from kedro.framework.project import PACKAGE_NAME

        nodes = pipeline.nodes
        memory = {name for name in pipeline.datasets() if isinstance(catalog.get(name), MemoryDataset)}
        producer = {output: node for node in nodes for output in node.outputs}
        free_memory_outputs = sorted(memory & pipeline.outputs())
        context = {
            "package_name": PACKAGE_NAME,
            "is_async": self._is_async,
            "run_id": run_id,
            "mlflow": mlflow_context.capture(),
        }
        run_tag = uuid.uuid4().hex  # task keys unique per run on a shared, long-lived scheduler
        parents_of = {n: sorted({producer[i] for i in n.inputs if i in producer}, key=lambda p: p.name) for n in nodes}
        waiting_children = Counter(p for n in nodes for p in parents_of[n])
        with self._client() as client:
            futures: dict[Node, Any] = {}
            node_of: dict[str, Node] = {}
            pending = list(nodes)  # topologically sorted: parents before children
            running: set[Node] = set()
            done: set[Node] = set()
            completed = as_completed()

            def submit_ready() -> None:
                threads = max(1, sum(client.nthreads().values()))  # re-read: a cluster may scale
                for node in [n for n in pending if all(p in done for p in parents_of[n])]:
                    if len(running) >= threads:
                        return
                    values = {i: catalog.load(i) for i in node.inputs if i in memory and i not in producer}
                    datasets = {n: catalog.get(n) for n in (*node.inputs, *node.outputs) if n not in memory}
                    future = client.submit(
                        run_node_on_worker,
                        node,
                        datasets,
                        values,
                        [o for o in node.outputs if o in memory],
                        context,
                        *(futures[p] for p in parents_of[node]),
                        key=f"{node.name}-{run_tag}",
                        pure=False,
                    )
                    pending.remove(node)
                    running.add(node)
                    futures[node], node_of[future.key] = future, node
                    completed.add(future)

            try:
                submit_ready()
                for future in completed:
                    node = node_of[future.key]
                    if future.status == "error":
                        self._raise_node_error(node, future, pipeline, done, catalog)
                    running.discard(node)
                    done.add(node)
                    mine = [o for o in free_memory_outputs if o in node.outputs]
                    if mine:  # fetched before new work is queued on that worker
                        for name, value in client.submit(_pick, future, mine, pure=False).result().items():
                            catalog.save(name, value)
                    for parent in parents_of[node]:  # drop in-memory data no task still needs
                        waiting_children[parent] -= 1
                        if waiting_children[parent] == 0:
                            futures.pop(parent, None)
                    if waiting_children[node] == 0:
                        futures.pop(node, None)
                    logger.info("Completed node: %s", node.name)
                    logger.info("Completed %d out of %d tasks", len(done), len(nodes))
                    submit_ready()
                if pending:  # cannot happen for a DAG; never end a run silently with nodes left out
                    raise RuntimeError(f"DaskRunner: nodes never became ready: {sorted(n.name for n in pending)}")
            finally:
                client.cancel(list(futures.values()))

    def _raise_node_error(
        self, node: Node, future: Any, pipeline: Pipeline, done: set[Node], catalog: Any
    ) -> None:
        """Re-raise a node's remote exception with the node named, after suggesting how to resume."""
        exc = future.exception()
        self._suggest_resume_scenario(pipeline, done, catalog)
        if hasattr(exc, "add_note"):
            exc.add_note(f"Raised by Kedro node '{node.name}' running on the Dask cluster (DaskRunner).")
        raise exc
