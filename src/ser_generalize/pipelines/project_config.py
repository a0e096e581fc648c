"""Read the project's parameters while pipelines are being built, so config decides the namespaced branches."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
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


def project_parameters() -> dict[str, Any]:
    """All parameters of ``conf/base`` merged with the run environment (``KEDRO_ENV``, default ``local``)."""
    return _load(str(project_root() / "conf"), os.environ.get("KEDRO_ENV"))


def synthetic_flags(corpora: Iterable[str], ingestion: Mapping[str, Any] | None) -> dict[str, bool]:
    """Per corpus, is it synthetic? Its declared ``ingestion.corpora.<name>.synthetic``, else a ``syn_`` name.

    Every report asks this one function, so a corpus is labelled synthetic the same way everywhere.
    """
    declared = (ingestion or {}).get("corpora") or {}
    return {str(c): bool((declared.get(c) or {}).get("synthetic", str(c).startswith("syn_"))) for c in corpora}
