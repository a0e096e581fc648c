import pandas as pd

from ser_generalize.corpora.partitioning import assign_partitions, emotions_imbalanced


def frame(speakers: int, per_cell: int = 4, emotions=("neutral", "happy", "sad", "angry")) -> pd.DataFrame:
    rows = [{"speaker": f"s{s}", "emotion": e, "official_split": ""}
            for s in range(speakers) for e in emotions for _ in range(per_cell)]
    return pd.DataFrame(rows)


def test_fewer_than_four_speakers_is_speaker_dependent_25_percent_per_emotion() -> None:
    out = assign_partitions(frame(3), seed=1)
    assert set(out["partition_scheme"]) == {"speaker_dependent_25"}
    test_share = out.assign(test=out["fold"] == 0).groupby("emotion")["test"].mean()
    assert (test_share == 0.25).all()
    assert set(out["fold"]) == {0, -1}


def test_four_to_six_speakers_one_fold_each() -> None:
    out = assign_partitions(frame(5))
    assert set(out["partition_scheme"]) == {"leave_speakers_out"}
    assert out.groupby("speaker")["fold"].nunique().eq(1).all()
    assert sorted(out["fold"].unique()) == [0, 1, 2, 3, 4]


def test_more_than_six_speakers_merge_into_four_balanced_folds() -> None:
    out = assign_partitions(frame(10))
    assert sorted(out["fold"].unique()) == [0, 1, 2, 3]
    assert out.groupby("speaker")["fold"].nunique().eq(1).all()
    sizes = out["fold"].value_counts()
    assert sizes.max() - sizes.min() <= 16


def test_imbalanced_emotions_fall_back_to_speaker_dependent() -> None:
    data = frame(5)
    data = data[~((data["speaker"] == "s0") & (data["emotion"] == "sad"))]
    assert emotions_imbalanced(data)
    assert set(assign_partitions(data)["partition_scheme"]) == {"speaker_dependent_25"}


def test_official_folds_and_splits_win() -> None:
    data = frame(6).assign(official_fold=[i % 5 for i in range(96)])
    out = assign_partitions(data)
    assert set(out["partition_scheme"]) == {"official"} and "official_fold" not in out
    assert sorted(out["fold"].unique()) == [0, 1, 2, 3, 4]
    meld = frame(6).assign(official_split=["train", "dev", "test"] * 32)
    out = assign_partitions(meld)
    assert (out.loc[out["official_split"] == "test", "fold"] == 0).all()
    assert (out.loc[out["official_split"] != "test", "fold"] == -1).all()


def test_partitioning_is_deterministic() -> None:
    assert assign_partitions(frame(3), seed=7)["fold"].tolist() == assign_partitions(frame(3), seed=7)["fold"].tolist()
