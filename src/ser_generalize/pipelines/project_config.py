"""Read the project's parameters while pipelines are being built, so config decides the namespaced branches."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, partial, update_wrapper
from pathlib import Path
from typing import Any

from kedro.config import OmegaConfigLoader

from ser_generalize.settings import CONFIG_LOADER_ARGS


def project_root() -> Path:
    """The folder holding ``pyproject.toml`` and ``conf/`` (the working directory when Kedro runs)."""
    cwd = Path.cwd()
    for candidate in (cwd, *cwd.parents):
        if (candidate / "conf" / "base").is_dir() and (candidate / "pyproject.toml").is_file():
            return candidate
    return Path(__file__).resolve().parents[3]


@lru_cache(maxsize=4)
def _load(conf_source: str, env: str | None) -> dict[str, Any]:
    loader = OmegaConfigLoader(conf_source=conf_source, env=env, **CONFIG_LOADER_ARGS)
    return dict(loader["parameters"])


def project_parameters(override: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """``override`` when given (tests build pipelines from their own parameters), else all parameters of
    ``conf/base`` merged with the run environment (``KEDRO_ENV``, default ``local``)."""
    if override is not None:
        return override
    return _load(str(project_root() / "conf"), os.environ.get("KEDRO_ENV"))


def bind(func: Callable[..., Any], **fixed: Any) -> Callable[..., Any]:
    """``func`` with build-time arguments fixed, keeping its name so Kedro's node names and kedro-viz show it."""
    return update_wrapper(partial(func, **fixed), func)


def synthetic_flags(corpora: Iterable[str], ingestion: Mapping[str, Any] | None) -> dict[str, bool]:
    """Per corpus, is it synthetic? Its declared ``ingestion.corpora.<name>.synthetic``, else a ``syn_`` name.

    Every report asks this one function, so a corpus is labelled synthetic the same way everywhere.
    """
    declared = (ingestion or {}).get("corpora") or {}
    return {str(c): bool((declared.get(c) or {}).get("synthetic", str(c).startswith("syn_"))) for c in corpora}


def synthetic_corpora(corpora: Iterable[str], ingestion: Mapping[str, Any] | None) -> list[str]:
    """The synthetic ones among ``corpora`` (sorted), by :func:`synthetic_flags`.

    The run-level rule every report uses: a run is labelled synthetic when any of its corpora is,
    and the label names them.
    """
    return sorted(c for c, synthetic in synthetic_flags(corpora, ingestion).items() if synthetic)
