"""EmoBox data partitioning, stored in the manifest's ``fold`` / ``partition_scheme`` columns.

Rules (EmoBox, section 2.2):
1. official splits or folds when the corpus has them (IEMOCAP sessions, MELD, MSP-Podcast);
2. fewer than 4 speakers, or emotions unevenly spread over speakers -> speaker-dependent:
   25% of each emotion's utterances are the test set (one fold);
3. otherwise leave-speakers-out: n folds, n = number of speakers for 4-6 speakers, else 4 folds
   with speakers merged (greedy, balancing utterance counts).

"Unevenly spread" is made concrete as: some speaker has no utterance of an emotion the corpus
has, or an emotion's share in one speaker's data is more than ``IMBALANCE_RATIO`` times its
share in another's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_SPEAKERS_FOR_LSO = 4
MAX_SPEAKER_FOLDS = 6
MERGED_FOLDS = 4
TEST_FRACTION = 0.25
IMBALANCE_RATIO = 3.0


def emotions_imbalanced(manifest: pd.DataFrame) -> bool:
    """True when some speaker lacks an emotion or per-speaker emotion shares differ by > IMBALANCE_RATIO."""
    counts = pd.crosstab(manifest["speaker"], manifest["emotion"])
    if (counts == 0).to_numpy().any():
        return True
    shares = counts.div(counts.sum(axis=1), axis=0)
    return bool((shares.max() / shares.min() > IMBALANCE_RATIO).any())


def speaker_dependent_folds(manifest: pd.DataFrame, seed: int) -> pd.Series:
    """Fold 0 for a seeded 25% of each emotion's utterances, -1 for the rest."""
    fold = pd.Series(-1, index=manifest.index, dtype="int64")
    rng = np.random.default_rng(seed)
    for _, group in manifest.groupby("emotion", sort=True):
        order = rng.permutation(group.index.to_numpy())
        n_test = round(TEST_FRACTION * len(order))
        fold.loc[order[:n_test]] = 0
    return fold


def speaker_fold_assignment(manifest: pd.DataFrame) -> dict[str, int]:
    """Speaker -> fold: one fold per speaker for 4-6 speakers, else 4 folds balanced by utterance count."""
    sizes = manifest.groupby("speaker").size().sort_index()
    speakers = sizes.index.tolist()
    if len(speakers) <= MAX_SPEAKER_FOLDS:
        return {spk: i for i, spk in enumerate(speakers)}
    totals = [0] * MERGED_FOLDS
    assignment: dict[str, int] = {}
    for spk, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        target = int(np.argmin(totals))
        assignment[spk] = target
        totals[target] += int(size)
    return assignment


def assign_partitions(manifest: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Fill ``fold`` and ``partition_scheme``; ``official_fold`` (if present) and ``official_split`` win."""
    out = manifest.copy()
    official_fold = out["official_fold"] if "official_fold" in out.columns else pd.Series(pd.NA, index=out.index)
    if official_fold.notna().any():
        out["fold"] = official_fold.fillna(-1).astype("int64")
        out["partition_scheme"] = "official"
    elif (out["official_split"].fillna("") != "").any():
        out["fold"] = np.where(out["official_split"] == "test", 0, -1).astype("int64")
        out["partition_scheme"] = "official"
    elif out["speaker"].nunique() < MIN_SPEAKERS_FOR_LSO or emotions_imbalanced(out):
        out["fold"] = speaker_dependent_folds(out, seed)
        out["partition_scheme"] = "speaker_dependent_25"
    else:
        assignment = speaker_fold_assignment(out)
        out["fold"] = out["speaker"].map(assignment).astype("int64")
        out["partition_scheme"] = "leave_speakers_out"
    return out.drop(columns=["official_fold"], errors="ignore")
