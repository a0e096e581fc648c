"""Simulated predictions tables (contract of ``evaluation.aggregate``) with a known per-backbone accuracy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ser_generalize.corpora.labels import EMOTION_SETS

LABELS = tuple(sorted(EMOTION_SETS["all"]))


def simulate_predictions(
    accuracy: Mapping[str, float],
    corpora: Sequence[str] = ("a", "b", "c", "d"),
    n_speakers: int = 10,
    per_speaker: int = 14,
    runs: Sequence[tuple[int, int]] = ((0, 0), (0, 1), (1, 0), (1, 1)),
    joint: bool = True,
    balanced: bool = False,
    seed: int = 0,
    speaker_sd: float = 0.0,
) -> pd.DataFrame:
    """Each backbone predicts the true label with its ``accuracy`` (shifted per speaker by N(0, speaker_sd)), else a random other label."""
    rng = np.random.default_rng(seed)
    rows = [(c,) for c in corpora] + ([tuple(corpora[:2])] if joint else [])
    frames = []
    for test in corpora:
        spk = np.repeat([f"{test}_s{i}" for i in range(n_speakers)], per_speaker)
        y = np.array(LABELS)[rng.integers(0, len(LABELS), len(spk))]
        shift = dict(zip(np.unique(spk), rng.normal(0, speaker_sd, n_speakers)))
        for backbone, acc in accuracy.items():
            for train in rows:
                for fold, s in runs:
                    p = np.clip(acc + np.array([shift[k] for k in spk]), 0, 1)
                    hit = rng.random(len(y)) < p
                    wrong = np.array(LABELS)[(np.searchsorted(LABELS, y) + rng.integers(1, len(LABELS), len(y)))
                                             % len(LABELS)]
                    sets = ["test"] + (["balanced"] if balanced else [])
                    for test_set in sets:
                        frames.append(pd.DataFrame({
                            "backbone": backbone, "fold": fold, "seed": s, "train": "+".join(train), "test": test,
                            "test_set": test_set, "utt_id": [f"{test}_{i}" for i in range(len(y))], "speaker": spk,
                            "y_true": y, "y_pred": np.where(hit, y, wrong), "in_domain": test in train,
                            "joint": len(train) > 1, "labels": ",".join(LABELS)}))
    return pd.concat(frames, ignore_index=True)
