"""Kedro's ParallelRunner whose child processes log into the driver's kedro-mlflow run under any start method.

With ``fork`` (Linux's default) a child inherits kedro-mlflow's hook, run id included. With ``spawn`` (macOS,
Windows, ``KEDRO_MP_CONTEXT=spawn``) Kedro 1.7 never loads the project's settings in the child, so no project
hook can help there, and kedro-mlflow's fresh hook logged every node's parameters into a new, stray run.
This runner hands the driver's run state to each child through the process pool's initializer instead.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context

from kedro.runner import ParallelRunner as KedroParallelRunner

from . import mlflow_context

_START_METHODS = {"fork", "spawn", "forkserver"}


class ParallelRunner(KedroParallelRunner):
    """``kedro run --runner=ser_generalize.runners.ParallelRunner``: Kedro's runner plus the MLflow run state."""

    def _get_executor(self, max_workers: int) -> Executor:
        """Kedro's process pool (same ``KEDRO_MP_CONTEXT`` rule) whose workers first adopt the driver's run.

        Without a kedro-mlflow run in the driver the workers' hook is switched off, so they open no run either.
        """
        method = os.environ.get("KEDRO_MP_CONTEXT")
        context = get_context(method if method in _START_METHODS else None)
        return ProcessPoolExecutor(max_workers=max_workers, mp_context=context,
                                   initializer=partial(mlflow_context.apply, in_worker=True),
                                   initargs=(mlflow_context.capture(),))
