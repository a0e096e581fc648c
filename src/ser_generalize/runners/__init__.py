"""Runners for distributed execution: a dask.distributed runner, ParallelRunner with the MLflow run in every
child process, and the hooks that make ParallelRunner work with this catalog."""

from .dask_runner import DaskRunner
from .hooks import MultiprocessRunHooks
from .parallel_runner import ParallelRunner

__all__ = ["DaskRunner", "MultiprocessRunHooks", "ParallelRunner"]
