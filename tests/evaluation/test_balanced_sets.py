"""EmoBox balanced test sets: N per class from the test part only, spread evenly over speakers, seeded."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from ser_generalize.evaluation.balanced_sets import EMOBOX_EMOTIONS, Shortfall, balanced_test_set
from ser_generalize.pipelines.cross_corpus.nodes import balanced_shortfalls


def manifest(corpus: str, per_speaker: dict[str, dict[str, int]], test_speakers: set[str]) -> pd.DataFrame:
    """Rows per speaker and emotion; ``test_speakers`` are fold 0 (the test part), the rest fold 1."""
    rows = [
        {
            "utt_id": f"{corpus}/{spk}/{emo}/{i}",
            "corpus": corpus,
            "speaker": spk,
            "emotion": emo,
            "official_split": "",
            "fold": 0 if spk in test_speakers else 1,
        }
        for spk, counts in per_speaker.items()
        for emo, n in counts.items()
        for i in range(n)
    ]
    return pd.DataFrame(rows)


FOUR = ("angry", "happy", "neutral", "sad")


def test_n_per_class_from_the_test_part_spread_evenly_over_speakers() -> None:
    speakers = {f"s{i}": dict.fromkeys([*FOUR, "fear"], 10) for i in range(6)}
    m = manifest("c", speakers, test_speakers={"s0", "s1", "s2", "s3"})
    subset, shortfalls = balanced_test_set(m, fold=0, n_per_class=6, seed=1)
    assert shortfalls == []
    assert subset["emotion"].value_counts().to_dict() == dict.fromkeys(FOUR, 6)
    assert set(subset["speaker"]) <= {"s0", "s1", "s2", "s3"}  # only the test part
    per_speaker = subset.groupby(["emotion", "speaker"]).size().unstack(fill_value=0)
    assert (per_speaker.max(axis=1) - per_speaker.min(axis=1)).max() <= 1  # round-robin: 6 over 4 -> 2,2,1,1
    # one seeded speaker order for every emotion: the same speakers get the extra clip in each class
    assert (per_speaker.nunique(axis=0) == 1).all()
    assert subset["utt_id"].is_unique and list(subset.columns) == list(m.columns)


def test_seeded_and_seed_dependent() -> None:
    m = manifest("c", {f"s{i}": dict.fromkeys(FOUR, 20) for i in range(3)}, test_speakers={"s0", "s1", "s2"})
    a, _ = balanced_test_set(m, n_per_class=5, seed=3)
    b, _ = balanced_test_set(m.sample(frac=1.0, random_state=0), n_per_class=5, seed=3)
    assert a["utt_id"].tolist() == balanced_test_set(m, n_per_class=5, seed=3)[0]["utt_id"].tolist()
    assert a["utt_id"].tolist() == b["utt_id"].tolist()  # the draw does not depend on the manifest's row order
    others = {tuple(balanced_test_set(m, n_per_class=5, seed=s)[0]["utt_id"]) for s in range(6)}
    assert len(others) > 1


def test_shortfall_uses_what_exists_and_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    speakers = {"s0": {"angry": 2, "happy": 9, "neutral": 9, "sad": 0}, "s1": {"angry": 1, "happy": 9, "neutral": 9}}
    m = manifest("small", speakers, test_speakers={"s0", "s1"})
    with caplog.at_level(logging.WARNING):
        subset, shortfalls = balanced_test_set(m, n_per_class=8, seed=0)
    assert shortfalls == [Shortfall("small", "angry", 8, 3), Shortfall("small", "sad", 8, 0)]
    assert subset["emotion"].value_counts().to_dict() == {"angry": 3, "happy": 8, "neutral": 8}
    assert "small" in caplog.text and "'angry'" in caplog.text
    # the report re-reads the shortfalls from the balanced-set predictions: the same ones, the empty class too
    predictions = subset.assign(test=subset["corpus"], fold=0, y_true=subset["emotion"], test_set="balanced",
                                in_domain=True)
    reported = balanced_shortfalls(predictions, 8, EMOBOX_EMOTIONS)
    assert list(reported[["corpus", "emotion", "asked", "clips"]].itertuples(index=False, name=None)) == [
        tuple(s) for s in shortfalls]


def test_several_corpora_get_one_set_each() -> None:
    m = pd.concat(
        [
            manifest("a", {f"s{i}": dict.fromkeys(FOUR, 4) for i in range(2)}, {"s0", "s1"}),
            manifest("b", {f"t{i}": dict.fromkeys(FOUR, 4) for i in range(3)}, {"t0"}),
        ]
    )  # duplicate row labels on purpose
    subset, shortfalls = balanced_test_set(m, n_per_class=5)
    assert subset.groupby("corpus").size().to_dict() == {"a": 20, "b": 16}
    assert shortfalls == [Shortfall("b", e, 5, 4) for e in FOUR]
    with pytest.raises(ValueError, match="lacks column 'speaker'"):
        balanced_test_set(m.drop(columns="speaker"))
