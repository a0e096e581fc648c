"""LOSO protocol: test speaker = seeded random when speakers contributed equally, else most speech; no speaker in
two roles, every utterance used once per split."""

from __future__ import annotations

import pandas as pd
import pytest

from ser_generalize.evaluation.loso import loso_splits
from ser_generalize.evaluation.loso import test_speaker as pick_test_speaker


def manifest(
    corpus: str, durations: dict[str, float], per_speaker: int | dict[str, int] = 4
) -> pd.DataFrame:
    counts = per_speaker if isinstance(per_speaker, dict) else dict.fromkeys(durations, per_speaker)
    rows = [
        {"utt_id": f"{corpus}/{spk}/{i}", "corpus": corpus, "speaker": spk, "duration_s": dur / counts[spk]}
        for spk, dur in durations.items()
        for i in range(counts[spk])
    ]
    return pd.DataFrame(rows)


def speakers_of(frame: pd.DataFrame, ids: list[str]) -> set[str]:
    return set(
        frame.set_index("utt_id").loc[ids, "corpus"] + "/" + frame.set_index("utt_id").loc[ids, "speaker"]
    )


def test_unequal_speakers_give_the_one_with_most_speech() -> None:
    m = manifest("a", {"s1": 10.0, "s2": 30.0, "s3": 20.0}, per_speaker={"s1": 3, "s2": 9, "s3": 5})
    assert {pick_test_speaker(m, seed=s) for s in range(10)} == {"s2"}


def test_equal_speakers_give_a_seeded_random_choice_even_when_durations_differ() -> None:
    # One script per speaker (same utterance count), speaking rates differ: the paper draws at random.
    m = manifest("a", {f"s{i}": 10.0 + i for i in range(5)}, per_speaker=20)
    assert pick_test_speaker(m, seed=3) == pick_test_speaker(m, seed=3)
    assert len({pick_test_speaker(m, seed=s) for s in range(20)}) > 1
    # a missing file or two (within 5% of the largest count) does not make the speakers unequal
    almost = manifest("a", {f"s{i}": 10.0 + i for i in range(5)}, per_speaker={"s0": 19, **{f"s{i}": 20 for i in range(1, 5)}})
    assert len({pick_test_speaker(almost, seed=s) for s in range(20)}) > 1


def test_loso_invariants_on_union_of_corpora() -> None:
    m = pd.concat(
        [
            manifest("a", {f"s{i}": 10.0 + i for i in range(6)}, per_speaker={f"s{i}": 4 + i for i in range(6)}),
            manifest("b", {f"t{i}": 5.0 for i in range(4)}),
        ],
        ignore_index=True,
    )
    splits = loso_splits(m, k=3, seed=0)
    assert len(splits) == 3
    test_ids = splits[0][2]
    assert speakers_of(m, test_ids) >= {"a/s5"} and len(speakers_of(m, test_ids)) == 2  # one per corpus
    val_speakers = set()
    for train, val, test in splits:
        assert test == test_ids  # the held-out speakers never change
        tr, va, te = speakers_of(m, train), speakers_of(m, val), speakers_of(m, test)
        assert not (tr & va) and not (tr & te) and not (va & te)
        assert sorted(train + val + test) == sorted(m["utt_id"])
        val_speakers |= va
    assert len(val_speakers) == 10 - 2  # every remaining speaker validates once


def test_k_capped_and_too_few_speakers() -> None:
    m = manifest("a", {"s1": 1.0, "s2": 2.0, "s3": 3.0})
    assert len(loso_splits(m, k=10)) == 2
    with pytest.raises(ValueError, match="at least 3 speakers"):
        loso_splits(manifest("a", {"s1": 1.0, "s2": 2.0}), k=2)
