"""Node functions of the toy pipeline the runner tests run (a module, so worker processes can import them)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch


def make_features(seed: int) -> np.ndarray:
    """Seeded numpy data shared by the fitting nodes through a MemoryDataset."""
    return np.random.default_rng(seed).normal(size=(64, 6)).astype(np.float32)


def fit_linear(features: np.ndarray, seed: int, offset: int) -> np.ndarray:
    """A few seeded torch SGD steps; deterministic on CPU whichever process runs it."""
    torch.manual_seed(seed + offset)
    torch.set_num_threads(1)
    x = torch.from_numpy(features)
    target = x.sum(dim=1, keepdim=True) * (offset + 1)
    layer = torch.nn.Linear(x.shape[1], 1)
    optimiser = torch.optim.SGD(layer.parameters(), lr=0.05)
    for _ in range(20):
        optimiser.zero_grad()
        loss = torch.nn.functional.mse_loss(layer(x), target)
        loss.backward()
        optimiser.step()
    return layer.weight.detach().numpy().ravel().copy()


def fit_0(features: np.ndarray, seed: int) -> np.ndarray:
    return fit_linear(features, seed, 0)


def fit_1(features: np.ndarray, seed: int) -> np.ndarray:
    return fit_linear(features, seed, 1)


def fit_2(features: np.ndarray, seed: int) -> np.ndarray:
    return fit_linear(features, seed, 2)


def summarise(w0: np.ndarray, w1: np.ndarray, w2: np.ndarray) -> tuple[pd.DataFrame, float]:
    """A persisted table of all weights and an in-memory free output."""
    table = pd.DataFrame({"w0": w0, "w1": w1, "w2": w2})
    return table, float(table.to_numpy().sum())


def fail(features: np.ndarray) -> np.ndarray:
    raise ValueError("toy node failed on purpose")


def scheduler_of_worker(features: np.ndarray) -> str:
    """The address of the scheduler the running Dask worker belongs to."""
    from distributed import get_worker

    return get_worker().scheduler.address


def score(features: np.ndarray, options: dict) -> dict:
    """Metrics for an MlflowMetricsHistoryDataset, plus one nested sweep run through the project helper."""
    from ser_generalize.utils.tracking import log_nested_run

    value = float(np.abs(features).mean()) * options["scale"]
    log_nested_run("toy_sweep", {"scale": options["scale"]}, {"value": value})
    return {"value": {"value": value, "step": 0}}


def warm_up_state(modules: tuple[str, ...]) -> tuple[list[str], list[str] | None]:
    """In a worker: which of ``modules`` are imported, and the packages of the DaskRunner's worker hooks."""
    import sys

    from ser_generalize.runners.dask_runner import _WORKER_STATE

    manager = _WORKER_STATE.get("hook_manager")
    plugins = sorted({type(hook).__module__.split(".")[0] for hook in manager.get_plugins()}) if manager else None
    return sorted(m for m in modules if m in sys.modules), plugins
