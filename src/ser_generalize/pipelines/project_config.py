"""Read the project's parameters while pipelines are being built, so config decides the namespaced branches."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, partial, update_wrapper
from pathlib import Path
from typing import Any

from kedro.config import OmegaConfigLoader


def project_root() -> Path:
    """The folder holding ``pyproject.toml`` and ``conf/`` (the working directory when Kedro runs)."""
    cwd = Path.cwd()
    for candidate in (cwd, *cwd.parents):
        if (candidate / "conf" / "base").is_dir() and (candidate / "pyproject.toml").is_file():
            return candidate
    return Path(__file__).resolve().parents[3]


_RUN_PARAMETERS: dict[str, Any] | None = None
"""Parameters of the current run, runtime ``--params`` included (set by :class:`RunParametersConfigLoader`)."""


class RunParametersConfigLoader(OmegaConfigLoader):
    """Kedro's OmegaConfigLoader that also hands the run's merged parameters to pipeline construction.

    Kedro builds the config loader before it first builds the pipelines, so pipelines generated from
    parameters (one node per corpus, backbone, fold, seed) follow ``kedro run --params=...`` too.
    """

    def __init__(self, conf_source: str, env: str | None = None, runtime_params: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(conf_source, env=env, runtime_params=runtime_params, **kwargs)
        global _RUN_PARAMETERS
        _RUN_PARAMETERS = dict(self["parameters"])


@lru_cache(maxsize=4)
def _load(conf_source: str, env: str | None) -> dict[str, Any]:
    from ser_generalize.settings import CONFIG_LOADER_ARGS  # settings imports this module for its loader

    loader = OmegaConfigLoader(conf_source=conf_source, env=env, **CONFIG_LOADER_ARGS)
    return dict(loader["parameters"])


def project_parameters(override: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """``override`` when given (tests build pipelines from their own parameters), else all parameters of
    ``conf/base`` merged with the run environment (``KEDRO_ENV``, default ``local``) and, inside a
    ``kedro run``, with its runtime ``--params``."""
    if override is not None:
        return override
    if _RUN_PARAMETERS is not None:
        return _RUN_PARAMETERS
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
