"""Leave-one-speaker-out protocol of the Generalize paper (Ibrahim et al. 2024).

Per corpus one speaker is held out as test. The paper (section 2.2): where all speakers
contributed the same amount of speech, one speaker is drawn at random; where the amounts vary
(MELD, IEMOCAP, ...), the speaker with the most speech is held out. The remaining speakers are
split k-fold by speaker into train and validation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

Split = tuple[list[str], list[str], list[str]]


EQUAL_TOLERANCE = 0.05
"""Speakers count as contributing equally when their utterance counts differ by at most this fraction of the
largest (acted corpora record one script per speaker; a few missing files do not make them unequal)."""


def speakers_contributed_equally(manifest: pd.DataFrame, tolerance: float = EQUAL_TOLERANCE) -> bool:
    """True when every speaker has (nearly) as many utterances as the one with most: an acted, per-speaker script."""
    counts = manifest.groupby(manifest["speaker"].astype(str)).size()
    return bool(counts.max() - counts.min() <= tolerance * counts.max())


def test_speaker(manifest: pd.DataFrame, seed: int = 0, tolerance: float = EQUAL_TOLERANCE) -> str:
    """The held-out speaker of one corpus: a seeded random speaker when speakers contributed equally,
    else the one with most total duration (a seeded pick among exact ties)."""
    if manifest.empty:
        raise ValueError("test_speaker: empty manifest; run the ingestion pipeline first")
    totals = manifest.groupby(manifest["speaker"].astype(str))["duration_s"].sum().sort_index()
    if speakers_contributed_equally(manifest, tolerance):
        candidates = totals.index.tolist()
    else:
        candidates = totals[np.isclose(totals, totals.max())].index.tolist()
    return candidates[0] if len(candidates) == 1 else str(np.random.default_rng(seed).choice(sorted(candidates)))


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
