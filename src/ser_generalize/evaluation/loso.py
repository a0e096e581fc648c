"""Leave-one-speaker-out protocol of the Generalize paper (Ibrahim et al. 2024).

Per corpus one speaker is held out as test (the one with most speech when speakers are
unequal); the remaining speakers are split k-fold by speaker into train and validation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

Split = tuple[list[str], list[str], list[str]]


def test_speaker(manifest: pd.DataFrame, seed: int = 0) -> str:
    """The held-out speaker of one corpus: most total duration, or a seeded pick among ties."""
    if manifest.empty:
        raise ValueError("test_speaker: empty manifest; run the ingestion pipeline first")
    totals = manifest.groupby(manifest["speaker"].astype(str))["duration_s"].sum().sort_index()
    best = totals[np.isclose(totals, totals.max())].index.tolist()
    return best[0] if len(best) == 1 else str(np.random.default_rng(seed).choice(sorted(best)))


def loso_splits(manifest: pd.DataFrame, k: int = 5, seed: int = 0) -> list[Split]:
    """k ``(train_ids, val_ids, test_ids)`` splits; the test speaker(s) stay fixed, validation rotates by speaker.

    ``manifest`` may hold several corpora: one test speaker is held out per corpus and
    speakers are grouped as ``corpus/speaker``. k is capped at the number of remaining speakers.
    """
    for column in ("utt_id", "corpus", "speaker", "duration_s"):
        if column not in manifest.columns:
            raise ValueError(f"loso_splits: manifest lacks column '{column}'; pass an ingestion manifest")
    frame = manifest.reset_index(drop=True)
    group = frame["corpus"].astype(str) + "/" + frame["speaker"].astype(str)
    test_groups = {
        f"{c}/{test_speaker(part, seed)}" for c, part in frame.groupby(frame["corpus"].astype(str))
    }
    is_test = group.isin(test_groups).to_numpy()
    rest = frame.loc[~is_test]
    rest_groups = group[~is_test]
    n_groups = rest_groups.nunique()
    if n_groups < 2:
        raise ValueError(
            f"loso_splits: corpora {sorted(frame['corpus'].unique())} leave {n_groups} speaker(s) after holding "
            "out the test speaker; LOSO needs at least 3 speakers per corpus (or a union of corpora)"
        )
    k = max(2, min(int(k), n_groups))
    test_ids = frame.loc[is_test, "utt_id"].astype(str).tolist()
    # Shuffle speakers with the seed so fold membership is seeded, then split by speaker.
    order = {
        g: i for i, g in enumerate(np.random.default_rng(seed).permutation(sorted(rest_groups.unique())))
    }
    codes = rest_groups.map(order).to_numpy()
    splits: list[Split] = []
    for train_idx, val_idx in GroupKFold(n_splits=k).split(rest, groups=codes):
        splits.append(
            (
                rest.iloc[train_idx]["utt_id"].astype(str).tolist(),
                rest.iloc[val_idx]["utt_id"].astype(str).tolist(),
                list(test_ids),
            )
        )
    return splits
