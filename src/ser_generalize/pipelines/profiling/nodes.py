"""Thin node functions for the profiling pipeline (logic lives in acoustics/ and reporting/)."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pandas as pd

from ser_generalize.acoustics.distance import corpus_distances, distance_matrix
from ser_generalize.acoustics.profile import PARAMETER_NOTES, PROFILE_PARAMETERS, profile_manifest
from ser_generalize.corpora.manifest import REJECT_COLUMNS, empty_rejects
from ser_generalize.reporting.profile_plots import distance_heatmap, parameter_distribution_plot
from ser_generalize.reporting.profiling_report import augmentation_verdicts, profiling_report

from ..project_config import synthetic_flags


def _parameters(params: dict[str, Any]) -> list[str]:
    return list(params.get("parameters") or PROFILE_PARAMETERS)


def profile_corpus(manifest: pd.DataFrame, params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Profile one corpus's (subsampled) utterances: (profiles, rejects)."""
    return profile_manifest(manifest, params.get("max_utterances_per_corpus"), int(params.get("seed", 0)))


def _is_synthetic(ingestion: dict[str, Any]) -> bool:
    return any(synthetic_flags((ingestion or {}).get("corpora") or {}, ingestion).values())


def combine_profiles(params: dict[str, Any], ingestion: dict[str, Any], *profiles: pd.DataFrame):
    """Concatenate profiles; return distances (long, wide mean), per-parameter plots, heatmap, MLflow metrics."""
    allp = pd.concat(profiles, ignore_index=True)
    names = _parameters(params)
    long = corpus_distances(allp, names)
    wide = long.pivot_table(index=["corpus_a", "corpus_b"], columns="parameter", values="distance").reset_index()
    synthetic = _is_synthetic(ingestion)
    plots = {f"{p}.png": parameter_distribution_plot(allp, p, synthetic, PARAMETER_NOTES.get(p)) for p in names}
    heat = distance_heatmap(distance_matrix(long), "Mean normalised Wasserstein distance", synthetic)
    metrics = {
        f"profile_median.{corpus}.{p}": {"value": float(np.nanmedian(grp[p])), "step": 0}
        for corpus, grp in allp.groupby("corpus") for p in names if grp[p].notna().any()
    }
    return allp, long, wide, plots, heat, metrics


def combine_rejects(*rejects: pd.DataFrame) -> pd.DataFrame:
    """One rejects table (``REJECT_COLUMNS``) over all corpora."""
    frames = [r for r in rejects if len(r)]
    if not frames:
        return empty_rejects()
    return pd.concat(frames, ignore_index=True).astype(REJECT_COLUMNS)


def augmentation_check(manifests: dict[str, pd.DataFrame], profiles: pd.DataFrame, params: dict[str, Any],
                       augmentation: dict[str, Any], ingestion: dict[str, Any]):
    """Profile the source corpus after the augmentation chain; distance(source, target) before vs after per parameter.

    The augmented clips go through the same calibrated estimators; ``verdict`` says per parameter whether the
    gap to the target shrank, grew or stayed within 0.05 pooled SD.
    """
    from ser_generalize.audio.augment import build_chain  # lazy: optional module of another area

    cfg = params["augmentation_check"]
    source, target = cfg["source"], cfg["target"]
    chain = build_chain(cfg.get("chain") or augmentation.get("chain"), 16_000, augmentation.get("chains"))
    seed = int(augmentation.get("seed", params.get("seed", 0)))

    def transform(utt_id: str, wav: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng([seed, zlib.crc32(utt_id.encode())])
        return np.asarray(chain(wav, rng), dtype=np.float32)

    after, _ = profile_manifest(manifests[source], params.get("max_utterances_per_corpus"),
                                int(params.get("seed", 0)), transform)
    after["corpus"] = f"{source}+aug"
    names = _parameters(params)
    both = pd.concat([profiles, after], ignore_index=True)
    long = corpus_distances(both[both["corpus"].isin([source, f"{source}+aug", target])], names)
    before = long[(long.corpus_a == source) & (long.corpus_b == target)].set_index("parameter")["distance"]
    aft = long[(long.corpus_a == f"{source}+aug") & (long.corpus_b == target)].set_index("parameter")["distance"]
    table = pd.DataFrame({"before": before, "after": aft})
    table["change"] = table["after"] - table["before"]
    table = augmentation_verdicts(table.reset_index().rename(columns={"index": "parameter"}))
    fig = distance_heatmap(table.set_index("parameter")[["before", "after"]],
                           f"distance {source}->{target}, before/after '{cfg.get('chain')}'", _is_synthetic(ingestion))
    return table, fig


def build_report(params: dict[str, Any], ingestion: dict[str, Any], profiles: pd.DataFrame, rejects: pd.DataFrame,
                 distances: pd.DataFrame, augmentation: pd.DataFrame | None = None) -> tuple[str, pd.DataFrame]:
    """The profiling report (markdown) and the per-pair dominant-factor table."""
    cfg = params.get("augmentation_check") or {}
    label = f"({cfg.get('source')} + '{cfg.get('chain')}' vs {cfg.get('target')})" if augmentation is not None else ""
    names = _parameters(params)
    return profiling_report(profiles, rejects, distances, names,
                            {p: PARAMETER_NOTES.get(p, "") for p in names if p in PARAMETER_NOTES},
                            _is_synthetic(ingestion), params.get("max_utterances_per_corpus"), augmentation, label)
