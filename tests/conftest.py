"""Shared fixtures: tiny audio files written on the fly, and Kedro's telemetry opted out."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# librosa's @guvectorize functions are compiled and cached by numba on first use. Two xdist workers writing
# the same cache entry at once can pair files from different processes and segfault on load
# (numba/numba#10128), which took down a CI run; each worker therefore keeps its own numba cache.
# Set before anything imports numba, which reads NUMBA_CACHE_DIR once at import; assigned, not defaulted,
# because workers inherit the controller's environment.
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["NUMBA_CACHE_DIR"] = str(PROJECT_ROOT / ".pytest_cache" / "numba" / TEST_WORKER)

# Runs without a KedroSession (a runner called directly) still load kedro-mlflow's plugin hook in
# ParallelRunner's worker processes, and MLflow's default store is ./mlflow.db. On a fresh clone two workers
# then created that database at once and one died in its schema migration ("duplicate column name: step"),
# which failed CI. Each test worker gets its own store, created once before any test (fixture below), so no
# test writes stray runs into the project's database or races to create one.
TEST_MLFLOW_DB = PROJECT_ROOT / ".pytest_cache" / "mlflow" / f"{TEST_WORKER}.db"
os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{TEST_MLFLOW_DB}"


@pytest.fixture(scope="session", autouse=True)
def _test_mlflow_store() -> None:
    """Create this test worker's MLflow store (tables and migrations) before any process can race to."""
    import mlflow

    TEST_MLFLOW_DB.parent.mkdir(parents=True, exist_ok=True)
    mlflow.MlflowClient(tracking_uri=os.environ["MLFLOW_TRACKING_URI"]).search_experiments(max_results=1)


@pytest.fixture(autouse=True)
def _mlflow_experiment_stays_in_its_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo ``mlflow.set_experiment`` after each test: it sets a module global and ``MLFLOW_EXPERIMENT_ID``.

    Left in place, a later test in the same process looked for that experiment id in its own store
    ("No Experiment with id=1 exists"), depending on which tests xdist gave the process before it.
    """
    from mlflow.tracking import fluent

    monkeypatch.setattr(fluent, "_active_experiment_id", fluent._active_experiment_id)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", os.environ.get("MLFLOW_EXPERIMENT_ID", ""))
    if not os.environ["MLFLOW_EXPERIMENT_ID"]:
        monkeypatch.delenv("MLFLOW_EXPERIMENT_ID")  # absent before: absent after


def tone(
    duration_s: float = 1.0, sample_rate: int = 16_000, freq_hz: float = 220.0, channels: int = 1, seed: int = 0
) -> np.ndarray:
    """A voiced-like harmonic tone with a little noise: cheap, deterministic test audio."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * sample_rate)) / sample_rate
    wave = sum(np.sin(2 * np.pi * freq_hz * k * t) / k for k in range(1, 6)) * 0.2
    wave = (wave + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
    return np.stack([wave] * channels, axis=1) if channels > 1 else wave


@pytest.fixture
def write_wav() -> Callable[..., Path]:
    """Write a test tone to ``path`` (parents created) and return the path."""

    def _write(path: str | Path, duration_s: float = 1.0, sample_rate: int = 16_000, **kwargs: object) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, tone(duration_s, sample_rate, **kwargs), sample_rate)  # type: ignore[arg-type]
        return path

    return _write
