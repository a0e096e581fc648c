"""EmoBox-style balanced cross-corpus test sets: N clips of each of four emotions per corpus, spread over speakers.

EmoBox (Ma et al. 2024, section 2.3, Table 3) tests cross-corpus on 240 clips per corpus: 60 each of angry,
happy, neutral and sad, with the same number of clips per speaker and emotion (IEMOCAP 10 speakers x 6,
SAVEE 4 x 15, ...). Here the clips come only from the corpus's test part for the fold, are drawn seeded
and round-robin over the speakers (one seeded speaker order per corpus, used for every emotion), so each
speaker gives each emotion as many clips as the others, give or take one. EmoBox also keeps only clips
whose label a foundation SER model (emotion2vec) agrees with; that filter is not applied here.
Where a corpus's test part has fewer than N clips of a class, all of them are used and the shortfall reported.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..corpora.manifest import split_for_fold

log = logging.getLogger(__name__)

EMOBOX_EMOTIONS: tuple[str, ...] = ("angry", "happy", "neutral", "sad")
"""The four emotions shared by EmoBox's cross-corpus test sets."""


class Shortfall(NamedTuple):
    """A class of a corpus's test part with fewer clips than asked for."""

    corpus: str
    emotion: str
    wanted: int
    available: int


def _round_robin(by_speaker: dict[str, list[int]], order: list[str], n: int) -> list[int]:
    """Take one row per speaker in ``order`` per round until ``n`` rows or every speaker is exhausted."""
    taken: list[int] = []
    depth = 0
    while len(taken) < n and any(depth < len(by_speaker.get(s, [])) for s in order):
        for speaker in order:
            rows = by_speaker.get(speaker, [])
            if depth < len(rows):
                taken.append(rows[depth])
                if len(taken) == n:
                    break
        depth += 1
    return taken


def _one_corpus(
    manifest: pd.DataFrame, fold: int, n_per_class: int, emotions: Sequence[str], seed: int
) -> tuple[pd.DataFrame, list[Shortfall]]:
    corpus = str(manifest["corpus"].iloc[0])
    test = manifest.loc[split_for_fold(manifest, int(fold)) == "test"].sort_values("utt_id")  # row order irrelevant
    rng = np.random.default_rng(seed)
    speakers = sorted(test["speaker"].astype(str).unique())
    order = [str(s) for s in rng.permutation(speakers)] if speakers else []
    chosen: list[int] = []
    shortfalls: list[Shortfall] = []
    for emotion in emotions:
        part = test.loc[test["emotion"].astype(str) == emotion]
        by_speaker = {
            str(spk): [int(i) for i in rng.permutation(rows.index.to_numpy())]
            for spk, rows in part.groupby(part["speaker"].astype(str), sort=True)
        }
        if len(part) < n_per_class:
            shortfalls.append(Shortfall(corpus, emotion, int(n_per_class), len(part)))
            log.warning(
                "balanced test set of %s (fold %d): only %d '%s' clips in the test part, %d wanted; using all",
                corpus, fold, len(part), emotion, n_per_class,
            )
        chosen += _round_robin(by_speaker, order, n_per_class)
    return manifest.loc[chosen], shortfalls


def balanced_test_set(
    manifest: pd.DataFrame,
    fold: int = 0,
    n_per_class: int = 60,
    emotions: Sequence[str] = EMOBOX_EMOTIONS,
    seed: int = 0,
) -> tuple[pd.DataFrame, list[Shortfall]]:
    """``n_per_class`` test-part clips of each emotion per corpus, seeded and round-robin over speakers.

    Returns (the chosen manifest rows, same columns, grouped by emotion in ``emotions`` order; the
    shortfalls ``(corpus, emotion, wanted, available)`` of classes with fewer than ``n_per_class``).
    A manifest holding several corpora gets a set per corpus.
    """
    for column in ("utt_id", "corpus", "speaker", "emotion", "fold", "official_split"):
        if column not in manifest.columns:
            raise ValueError(f"balanced_test_set: manifest lacks column '{column}'; pass an ingestion manifest")
    if int(n_per_class) < 1:
        raise ValueError(f"balanced_test_set: n_per_class must be at least 1, got {n_per_class}")
    manifest = manifest.reset_index(drop=True)  # unique row labels, whatever the caller concatenated
    parts, shortfalls = [], []
    for _, corpus_rows in manifest.groupby(manifest["corpus"].astype(str), sort=True):
        subset, missing = _one_corpus(corpus_rows, int(fold), int(n_per_class), tuple(emotions), int(seed))
        parts.append(subset)
        shortfalls += missing
    chosen = pd.concat(parts) if parts else manifest.iloc[:0]
    return chosen.reset_index(drop=True), shortfalls
