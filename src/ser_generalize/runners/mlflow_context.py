"""Carry the driver's MLflow run into worker processes so nodes run elsewhere log into the same run.

kedro-mlflow keeps its state (run id, parameter flattening, enabled flag) on one hook object created in the
process that ran ``kedro run``. A forked ``ParallelRunner`` child inherits it; a spawned child or a Dask
worker gets a fresh hook that would log parameters into a new, unrelated run. ``capture`` reads that state
in the driver as plain values; ``apply`` sets it in a worker before the node runs.
"""

from __future__ import annotations

import json
import os
from typing import Any

import mlflow

ENV_VAR = "SER_MLFLOW_CONTEXT"
"""Environment variable through which ``hooks.MlflowChildProcessHooks`` hands the context to spawned children."""

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


def export_to_environment(state: dict[str, Any] | None) -> None:
    """Publish ``state`` (and MLFLOW_TRACKING_URI) for processes spawned later.

    MLFLOW_RUN_ID is deliberately not set: ``mlflow.start_run`` consumes it on its next call, so in the
    driver the first nested sweep run (``utils.tracking.log_nested_run``) would reopen the parent run
    instead of creating a child.
    """
    if not state:
        return
    os.environ[ENV_VAR] = json.dumps(state)
    os.environ["MLFLOW_TRACKING_URI"] = state["tracking_uri"]


def from_environment() -> dict[str, Any] | None:
    """The state ``export_to_environment`` published, or None."""
    raw = os.environ.get(ENV_VAR)
    return json.loads(raw) if raw else None


def clear_environment(previous: dict[str, str | None]) -> None:
    """Restore the variables ``export_to_environment`` set to their values before the run."""
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def environment_snapshot() -> dict[str, str | None]:
    """Current values of the variables ``export_to_environment`` sets, for ``clear_environment``."""
    return {name: os.environ.get(name) for name in (ENV_VAR, "MLFLOW_TRACKING_URI")}
