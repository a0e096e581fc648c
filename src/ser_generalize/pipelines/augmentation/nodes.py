"""Nodes of the augmentation pipeline: materialise augmented training features per rate, and write examples."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ...audio.augment import augmentation_transform, build_chain, check_rate
from ...audio.io import AudioError, load_audio
from ...corpora.manifest import training_ids

log = logging.getLogger(__name__)

SUMMARY_COLUMNS = [
    "corpus",
    "backbone",
    "chain",
    "rate",
    "seed",
    "n_utterances",
    "n_train",
    "n_augmented",
    "transform_key",
    "cache_key",
    "n_failed",
]


def _extract_features():  # imported lazily: the store pulls in backbones only when the node runs
    from ...backbones.store import extract_features

    return extract_features


def materialize_augmented_features(
    manifest: pd.DataFrame,
    backbone: str,
    backbone_options: dict[str, Any] | None,
    augmentation: dict[str, Any],
) -> pd.DataFrame:
    """Extract (or reuse cached) features of one corpus at every rate of ``augmentation.rates_sweep``.

    Rate 0 uses the unaugmented cache (no transform); other rates cache under their transform
    key. Returns one row per rate: corpus, rate, how many training clips were augmented, keys.
    """
    extract = _extract_features()
    options = augmentation.get("materialize", {}) or {}
    fold, cache_dir = int(options.get("fold", 0)), options.get("cache_dir", "data/04_feature")
    chains, chain, seed = (
        augmentation.get("chains"),
        augmentation.get("chain", "all_seven"),
        augmentation["seed"],
    )
    build_chain(chain, chains=chains)  # fail fast on a bad chain before any extraction
    train = training_ids(manifest, fold)
    corpus = "+".join(sorted(manifest["corpus"].astype(str).unique())) if len(manifest) else "corpus"
    rows = []
    for rate in tqdm(
        augmentation.get("rates_sweep", [0.0]), desc=f"augmentation rates {corpus}", unit="rate"
    ):
        rate = check_rate(rate)
        if rate == 0.0:
            transform, key, n_aug = None, None, 0
        else:
            transform, key = augmentation_transform(chain, rate, seed, train, chains=chains)
            n_aug = len(transform.augmented_ids)  # type: ignore[attr-defined]
        features = extract(
            manifest, backbone, backbone_options, cache_dir, waveform_transform=transform, transform_key=key
        )
        rows.append(
            {
                "corpus": corpus,
                "backbone": backbone,
                "chain": chain if isinstance(chain, str) else "custom",
                "rate": rate,
                "seed": int(seed),
                "n_utterances": len(manifest),
                "n_train": len(train),
                "n_augmented": n_aug,
                "transform_key": key or "",
                "cache_key": str(getattr(features, "key", "")),
                "n_failed": len(getattr(features, "failed", []) or []),
            }
        )
        log.info(
            "%s: rate %.2f augmented %d of %d training clips (cache %s)", corpus, rate, n_aug, len(train), key
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def summarize_augmentation(*tables: pd.DataFrame) -> pd.DataFrame:
    """Stack the per-corpus tables into the (corpus, rate, n_augmented, cache key) summary."""
    frames = [t for t in tables if t is not None and len(t)]
    if not frames:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    return pd.concat(frames, ignore_index=True)[SUMMARY_COLUMNS]


def write_augmentation_examples(
    manifest: pd.DataFrame, augmentation: dict[str, Any], synthetic: bool = False
) -> pd.DataFrame:
    """Write each augmentation alone on a few training clips (WAVs) and before/after spectrograms (PNGs)."""
    from ...audio.augmentations.examples import write_examples

    options = augmentation.get("examples", {}) or {}
    n_clips, plots = int(options.get("n_clips", 3)), int(options.get("plots", 1))
    out_dir = Path(options.get("dir", "data/08_reporting/augmentation/examples"))
    chain = augmentation.get("chain", "all_seven")
    chain_steps = (augmentation.get("chains") or {}).get(chain, []) if isinstance(chain, str) else chain
    if isinstance(chain_steps, dict):
        chain_steps = chain_steps.get("steps", [])
    rows = manifest.sort_values("utt_id").head(n_clips)
    clips: dict[str, np.ndarray] = {}
    for utt_id, path in zip(rows["utt_id"].astype(str), rows["path"].astype(str), strict=True):
        try:
            clips[utt_id] = load_audio(path)
        except AudioError as exc:  # names the file and the fix; examples must never stop a run
            log.warning("augmentation examples: skipping %s: %s", utt_id, exc)
    note = " (synthetic corpus)" if synthetic else ""
    written = write_examples(
        clips, out_dir, chain_steps, seed=int(augmentation.get("seed", 0)), title_note=note, plots=plots
    )
    return pd.DataFrame(written, columns=["utt_id", "augmentation", "wav", "png", "parameters"])
