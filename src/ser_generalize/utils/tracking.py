"""MLflow helpers shared by the sweep pipelines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mlflow
import numpy as np


def log_nested_run(run_name: str, params: Mapping[str, Any], metrics: Mapping[str, float]) -> None:
    """Log one sweep configuration as a nested run under the active kedro-mlflow run; no-op without one.

    Non-finite metrics (e.g. a relative change against a zero baseline) are left out.
    """
    if mlflow.active_run() is None:
        return
    with mlflow.start_run(run_name=run_name, nested=True):
        mlflow.log_params(dict(params))
        mlflow.log_metrics({k: float(v) for k, v in metrics.items() if np.isfinite(v)})
