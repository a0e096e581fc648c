"""Kedro runner that runs each node as a dask.distributed task, dependencies expressed as futures.

``kedro run --runner=ser_generalize.runners.DaskRunner`` starts a 2-worker ``LocalCluster`` (one thread per
worker process) and closes it at the end; ``--runner-params=scheduler=tcp://host:8786`` or the
``SER_DASK_SCHEDULER`` variable connects to a running scheduler instead (see ``config.resolve_settings``).
The LocalCluster starts as soon as the runner is built, in a background thread, and its workers import
the project while Kedro is still loading the session, catalog and hooks (``warm_up_worker``).

In-memory datasets never go through files or the scheduler's published datasets: a node's task returns its
in-memory outputs, and the tasks of the nodes that read them take that future as an argument, so Dask moves
the data worker to worker. Persisted datasets are saved and loaded by the workers themselves (they need the
same filesystem). Node and dataset hooks fire in the worker, as with Kedro's ParallelRunner.
"""

from __future__ import annotations

import contextvars
import importlib
import logging
import sys
import threading
import uuid
import weakref
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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

WORKER_DISABLED_PLUGINS = ("kedro-viz",)
"""Plugins whose hooks stay off in workers: kedro-viz's dataset statistics are written by its
``after_pipeline_run`` hook, which runs only in the main process, and its ``after_dataset_loaded`` hook
logged a warning for every dataset a node loaded (its catalog hook never runs in a worker)."""

WARM_UP_IMPORTS = ("torch", "sklearn.metrics", "pandas")
"""Libraries the project's nodes import: the runner's own LocalCluster imports them before its first node."""

LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.daemon": False,
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}
"""Dask settings of the runner's LocalCluster (why each: ``_start_local_cluster``)."""


def _worker_hook_manager(package_name: str | None) -> Any:
    """This process's hook manager (project HOOKS plus plugin entry points), built once per worker process."""
    with _WORKER_LOCK:
        if "hook_manager" not in _WORKER_STATE:
            from kedro.framework.project import PACKAGE_NAME, configure_project, settings

            if package_name and PACKAGE_NAME != package_name:
                configure_project(package_name)
            manager = _create_hook_manager()
            _register_hooks(manager, settings.HOOKS)
            _register_hooks_entry_points(manager, (*settings.DISABLE_HOOKS_FOR_PLUGINS, *WORKER_DISABLED_PLUGINS))
            _WORKER_STATE["hook_manager"] = manager
        return _WORKER_STATE["hook_manager"]


def warm_up_worker(package_name: str | None, modules: tuple[str, ...]) -> None:
    """Build this worker's hook manager (project settings, MLflow) and import ``modules`` before any node arrives.

    Otherwise the first node on each worker waited for them: about 5 s in a spawned worker, while Kedro's
    ParallelRunner forks its workers from the main process with everything already imported.
    """
    _worker_hook_manager(package_name)
    for module in modules:
        importlib.import_module(module)


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


def _start_local_cluster(settings: DaskSettings) -> tuple[Any, Any]:
    """A LocalCluster of ``settings``' shape with ``LOCAL_CLUSTER_CONFIG``, and a client whose workers are warm.

    Non-daemonic worker processes, so nodes may start process pools of their own (corpus synthesis does).
    Dask's nanny gives workers MALLOC_TRIM_THRESHOLD_=65536, which turns off glibc's adaptive mmap
    threshold: head training then maps and unmaps its short-lived buffers on every allocation and ran
    about 2x slower than in-process (docs/performance.md); workers keep glibc's default instead.
    The worker's statistical profiler (a stack sample of every thread each 10 ms, for a dashboard this
    cluster does not start) competes for the GIL with the Python-heavy head training: the matrix stage
    took 119.6 s with it and 110.6 s without (one run each, 5,000 clips, 20 row nodes), so it is off.
    For the same reason the event-loop health check (every 20 ms), the memory monitor (100 ms) and the
    system monitor (500 ms) wake up less often (1 s, 1 s, 2 s): 116.5 and 105.6 s against 128.2 and 117.5 s
    of wall time in two rounds of the same comparison.
    On Linux, workers start from a fork server (``multiprocessing-method: forkserver``; spawn elsewhere) that
    imports the libraries once (``WARM_UP_IMPORTS``), instead of each spawned worker importing them: on the
    benchmark's matrix stage the first node started about 2 s sooner and the 20 nodes took 183-188 s of
    worker time instead of 194-205 s (two rounds each). Plain ``fork`` started workers fastest, but one of two
    runs hung before its first node: a worker was forked while another thread held a lock of Kedro's rich
    log handler. The fork server is a fresh single-threaded process, so its forks hold no such lock.
    """
    import dask
    from distributed import Client, LocalCluster
    from kedro.framework.project import PACKAGE_NAME

    logger.info(
        "DaskRunner: starting a LocalCluster with %d worker process(es) x %d thread(s)",
        settings.n_workers,
        settings.threads_per_worker,
    )
    method = "forkserver" if sys.platform.startswith("linux") else "spawn"  # macOS: fork-unsafe system libraries
    with dask.config.set({**LOCAL_CLUSTER_CONFIG, "distributed.worker.multiprocessing-method": method}):
        if method == "forkserver":
            from distributed.utils import get_mp_context

            project = [f"{PACKAGE_NAME}.settings"] if PACKAGE_NAME else []
            get_mp_context().set_forkserver_preload(["distributed", *WARM_UP_IMPORTS, __name__, *project])
        cluster = LocalCluster(
            n_workers=settings.n_workers,
            threads_per_worker=settings.threads_per_worker,
            processes=True,
            dashboard_address=None,
        )
    try:
        client = Client(cluster)
    except BaseException:
        cluster.close()
        raise
    try:  # one task per worker, in its thread pool (client.run would block the worker's event loop)
        client.gather([client.submit(warm_up_worker, PACKAGE_NAME, WARM_UP_IMPORTS, key=f"warm-up-{address}",
                                     workers=[address], allow_other_workers=False, pure=False)
                       for address in client.scheduler_info()["workers"]])
    except Exception as exc:  # noqa: BLE001 - a node that needs the failed import will name it
        logger.warning("DaskRunner: warming up the workers failed (%s: %s); nodes will import what they need",
                       type(exc).__name__, exc)
    return cluster, client


def _close(cluster: Any, client: Any) -> None:
    """Close the client, then the LocalCluster it was made for."""
    client.close()
    cluster.close()


def _close_unused(starting: Future) -> None:
    """Close a LocalCluster that was started for a runner that never ran (or whose start failed)."""
    if starting.cancelled():
        return
    try:
        cluster, client = starting.result(timeout=120)
    except BaseException:  # noqa: BLE001 - nothing was started, or it cannot be reached any more
        return
    _close(cluster, client)


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
        2-worker, 1-thread LocalCluster, which starts now, in the background (see ``_start_local_cluster``)."""
        super().__init__(is_async=is_async)
        self.settings: DaskSettings = resolve_settings(scheduler, n_workers, threads_per_worker)
        self._starting: Future | None = None
        self._close_if_unused: weakref.finalize | None = None
        if not self.settings.scheduler:
            self._starting = self._start_in_background()

    def _get_executor(self, max_workers: int) -> None:
        """Unused: nodes go to the Dask client, not to a concurrent.futures executor."""

    def _start_in_background(self) -> Future:
        """Start the LocalCluster in a thread; a cluster no run took over is closed when the runner goes away.

        ``kedro run`` builds the runner before it loads the session, catalog and hooks (3-4 s on the 2-core
        benchmark machine), so the workers start and warm up meanwhile instead of after the pipeline has begun.
        """
        starting: Future = Future()
        settings = self.settings

        def _target() -> None:
            try:
                starting.set_result(_start_local_cluster(settings))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread by _client
                starting.set_exception(exc)

        # A daemon thread, not a ThreadPoolExecutor: when kedro fails before the run, the executor's thread
        # is joined at interpreter shutdown and the warm-up then failed with "cannot schedule new futures".
        threading.Thread(target=_target, name="dask-local-cluster-start", daemon=True).start()
        self._close_if_unused = weakref.finalize(self, _close_unused, starting)
        return starting

    @contextmanager
    def _client(self) -> Iterator[Any]:
        """A client on the configured scheduler, or on a LocalCluster that is closed on exit."""
        from distributed import Client

        if self.settings.scheduler:
            logger.info("DaskRunner: connecting to scheduler %s", self.settings.scheduler)
            with Client(self.settings.scheduler) as client:
                yield client
            return
        starting, self._starting = self._starting, None  # a second run of this runner starts a new cluster
        if self._close_if_unused is not None:
            self._close_if_unused.detach()
        cluster, client = starting.result() if starting else _start_local_cluster(self.settings)
        try:
            yield client
        finally:
            _close(cluster, client)

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
