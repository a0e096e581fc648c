"""Carry the driver's MLflow run into Dask workers so nodes run there log into the same run.

kedro-mlflow keeps its state (run id, parameter flattening, enabled flag) on one hook object in the process
that ran ``kedro run``. A forked ``ParallelRunner`` child inherits it; a Dask worker has a fresh hook that
would log parameters into a new, unrelated run. ``capture`` reads that state in the driver as plain values;
``apply`` sets it in the worker before the node runs.
"""

from __future__ import annotations

from typing import Any

import mlflow

_HOOK_FIELDS = ("run_id", "_is_mlflow_enabled", "flatten", "recursive", "sep", "long_params_strategy")


def _kedro_mlflow_hook() -> Any | None:
    """The hook object kedro-mlflow registers through its entry point, or None without kedro-mlflow."""
    try:
        from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook
    except ImportError:  # pragma: no cover - kedro-mlflow is a dependency
        return None
    return mlflow_hook


def capture() -> dict[str, Any] | None:
    """The driver's MLflow state as a JSON-able dict; None when kedro-mlflow has not been set up here."""
    hook = _kedro_mlflow_hook()
    if hook is None or not hasattr(hook, "mlflow_config"):
        return None
    state = {field: getattr(hook, field, None) for field in _HOOK_FIELDS}
    state["nested"] = bool(hook.mlflow_config.tracking.run.nested)
    state["tracking_uri"] = mlflow.get_tracking_uri()
    active = mlflow.active_run()
    state["experiment_id"] = active.info.experiment_id if active is not None else None
    return state


def apply(state: dict[str, Any] | None, *, in_worker: bool = False) -> None:
    """Point this process at the driver's tracking store and run; no-op in the driver itself.

    ``state`` None means the driver has no kedro-mlflow run: a Dask worker (``in_worker``), which may
    keep the state of an earlier pipeline run, then switches kedro-mlflow's hook off instead of logging
    into that old run or a new stray one.
    """
    hook = _kedro_mlflow_hook()
    if hook is None:
        return
    if not state:
        if in_worker:
            hook.run_id = None
            hook._is_mlflow_enabled = False
        return
    if getattr(hook, "run_id", None) == state["run_id"] and hasattr(hook, "mlflow_config"):
        return  # the driver, or a forked child that inherited the same state
    from kedro_mlflow.config.kedro_mlflow_config import KedroMlflowConfig

    mlflow.set_tracking_uri(state["tracking_uri"])
    if state.get("experiment_id"):  # nested runs opened by nodes go to the driver's experiment, not Default
        mlflow.set_experiment(experiment_id=state["experiment_id"])
    for field in _HOOK_FIELDS:
        setattr(hook, field, state[field])
    config = KedroMlflowConfig()
    config.tracking.run.nested = state["nested"]
    hook.mlflow_config = config
