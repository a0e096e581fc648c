"""Runners for distributed execution: a dask.distributed runner and hooks that make ParallelRunner work."""

from .dask_runner import DaskRunner
from .hooks import MultiprocessRunHooks

__all__ = ["DaskRunner", "MultiprocessRunHooks"]
