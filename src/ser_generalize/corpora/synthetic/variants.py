"""Single-factor variants of a base synthetic corpus, for controlled factor sweeps.

Each variant copies the base spec and changes exactly one factor (language, speaker set, noise,
reverberation, band limit, expressiveness or sentence length) to one level. Variants keep the base's
per-file seeds (``seed_corpus``), so a noise variant holds the base's very utterances plus noise: the
sweep's drops are paired differences, not differences between two random draws.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..ingest import build_manifest
from .generate import ensure_synthetic_corpora, is_cached

log = logging.getLogger(__name__)

FACTOR_KEYS: dict[str, tuple[str, ...]] = {
    "language": ("language",),
    "speakers": ("speakers",),
    "noise_white": ("condition.snr_db", "condition.noise_color"),
    "noise_pink": ("condition.snr_db", "condition.noise_color"),
    "reverberation": ("condition.t60_s", "condition.direct_to_reverb_db"),
    "band_limit": ("condition.lowpass_hz", "condition.highpass_hz"),
    "expressiveness": ("expressiveness",),
    "length": ("sentences",),
}
"""Factor -> the spec settings a variant of that factor may change (dotted for the condition block)."""

META_KEYS = ("factor", "level", "base", "seed_corpus")
"""Spec keys that describe a variant rather than change its audio (written to conditions.json too)."""


def _level_name(level: Any) -> str:
    return str(level).replace(".", "p").replace("-", "m").replace(" ", "_")


def _apply(spec: dict[str, Any], factor: str, level: Any, setting: Any) -> None:
    """Change ``spec`` in place to ``factor``'s ``setting``."""
    condition = spec.setdefault("condition", {})
    if factor == "language":
        spec["language"] = str(setting)
    elif factor == "speakers":
        spec["speakers"] = [dict(s) for s in setting]
    elif factor in ("noise_white", "noise_pink"):
        condition["snr_db"] = float(setting)
        condition["noise_color"] = factor.split("_")[1]
    elif factor == "reverberation":
        condition["t60_s"] = float(setting)
        condition.setdefault("direct_to_reverb_db", 0.0)
    elif factor == "band_limit":
        condition["lowpass_hz"] = float(setting)
    elif factor == "expressiveness":
        spec["expressiveness"] = float(setting)
    elif factor == "length":
        spec["sentences"] = [str(s) for s in setting]
    else:
        raise KeyError(f"unknown factor '{factor}'; known: {sorted(FACTOR_KEYS)}")


def derive_variants(
    base: Mapping[str, Any], factors: Mapping[str, Any], base_name: str = "base"
) -> dict[str, dict]:
    """Corpus name -> spec: the base (``factor='base'``) and one variant per factor x level.

    ``factors`` maps a factor to a list of levels (the level is the setting) or to a mapping
    level name -> setting (speaker lists, sentence lists). Names are ``<base>__<factor>_<level>``.
    """
    root = {
        **copy.deepcopy(dict(base)),
        "factor": "base",
        "level": "base",
        "base": base_name,
        "seed_corpus": base_name,
    }
    specs = {base_name: root}
    for factor, levels in (factors or {}).items():
        if factor not in FACTOR_KEYS:
            raise KeyError(f"factor_sweep.factors.{factor}: unknown factor; known: {sorted(FACTOR_KEYS)}")
        items = levels.items() if isinstance(levels, Mapping) else [(lv, lv) for lv in levels or []]
        for level, setting in items:
            spec = copy.deepcopy(root)
            _apply(spec, factor, level, setting)
            spec["factor"], spec["level"] = factor, str(level)
            specs[f"{base_name}__{factor}_{_level_name(level)}"] = spec
    return specs


def _flat(spec: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in spec.items() if k not in ("condition", *META_KEYS)}
    out.update({f"condition.{k}": v for k, v in (spec.get("condition") or {}).items()})
    return out


def changed_settings(base: Mapping[str, Any], variant: Mapping[str, Any]) -> set[str]:
    """Settings (dotted for the condition block) whose values differ between two specs, meta keys ignored."""
    a, b = _flat(base), _flat(variant)
    return {k for k in set(a) | set(b) if a.get(k) != b.get(k)}


def ensure_variants(
    specs: Mapping[str, Mapping[str, Any]], raw_dir: str | Path, seed: int, progress: bool = False
) -> dict[str, str]:
    """Write every variant whose folder lacks audio or matching settings; return {name: root}.

    Generation runs in fresh spawned processes (two at a time), as for the default corpora.
    """
    raw_dir = Path(raw_dir)
    todo = {n: dict(s) for n, s in specs.items() if not is_cached(raw_dir / n, s, seed)}
    log.info(
        "factor sweep: %d of %d corpora cached in %s, generating %d",
        len(specs) - len(todo),
        len(specs),
        raw_dir,
        len(todo),
    )
    if todo:
        ensure_synthetic_corpora(
            {"raw_dir": str(raw_dir), "seed": seed, "force": True, "progress": progress, "corpora": todo}
        )
    return {n: str(raw_dir / n) for n in specs}


def variant_manifests(
    specs: Mapping[str, Mapping[str, Any]], roots: Mapping[str, str]
) -> dict[str, pd.DataFrame]:
    """Manifest of each variant through the ingestion adapter of its layout (EmoBox partitions)."""
    return {
        name: build_manifest(name, str(spec["layout"]), roots[name], str(spec["language"]), progress=False)[0]
        for name, spec in specs.items()
    }


def variant_table(specs: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per corpus: name, factor, level, order of the level within its factor, changed settings."""
    base = next((s for s in specs.values() if s.get("factor") == "base"), None)
    rows, order = [], {}
    for name, spec in specs.items():
        factor = str(spec.get("factor", "base"))
        order[factor] = order.get(factor, 0) + 1
        changed = sorted(changed_settings(base, spec)) if base is not None else []
        rows.append(
            {
                "corpus": name,
                "factor": factor,
                "level": str(spec.get("level", "base")),
                "level_index": 0 if factor == "base" else order[factor],
                "changed": ",".join(changed),
            }
        )
    return pd.DataFrame(rows)
