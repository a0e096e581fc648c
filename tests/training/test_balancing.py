"""Balancing: counts after each imbalanced-learn method, small-class handling, the count table."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from ser_generalize.training.balancing import balance, balance_with_note, class_count_table


def imbalanced(counts: dict[str, int], dim: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(i, 1.0, (n, dim)) for i, n in enumerate(counts.values())])
    y = np.concatenate([[label] * n for label, n in counts.items()])
    return X, y


COUNTS = {"neutral": 30, "happy": 12, "sad": 8}


def test_none_keeps_data() -> None:
    X, y = imbalanced(COUNTS)
    Xb, yb = balance(X, y, "none")
    assert np.array_equal(Xb, X) and list(yb) == list(y)


def test_undersample_equalises_to_smallest_class() -> None:
    X, y = imbalanced(COUNTS)
    Xb, yb = balance(X, y, "undersample", seed=1)
    assert Counter(yb.tolist()) == {"neutral": 8, "happy": 8, "sad": 8}
    assert len(Xb) == 24
    original_rows = {tuple(r) for r in X}
    assert all(tuple(r) in original_rows for r in Xb)  # undersampling only drops rows


def test_smote_oversamples_to_largest_class_and_keeps_originals() -> None:
    X, y = imbalanced(COUNTS)
    Xb, yb = balance(X, y, "smote", seed=1)
    assert Counter(yb.tolist()) == {"neutral": 30, "happy": 30, "sad": 30}
    assert np.allclose(Xb[: len(X)], X)


def test_adasyn_adds_minority_rows() -> None:
    X, y = imbalanced({"neutral": 30, "happy": 10}, seed=3)
    _, yb = balance(X, y, "adasyn", seed=1)
    counts = Counter(yb.tolist())
    assert counts["neutral"] == 30 and counts["happy"] > 10


def test_smote_lowers_k_for_small_class(caplog: pytest.LogCaptureFixture) -> None:
    X, y = imbalanced({"neutral": 20, "sad": 3})
    _, yb = balance(X, y, "smote", k_neighbors=5)
    assert Counter(yb.tolist())["sad"] == 20
    assert "k_neighbors lowered from 5 to 2" in caplog.text


def test_single_row_class_gets_clear_error() -> None:
    X, y = imbalanced({"neutral": 20, "sad": 1})
    with pytest.raises(ValueError, match="class 'sad' has 1 training row"):
        balance(X, y, "smote")


def test_unknown_method_and_length_mismatch() -> None:
    X, y = imbalanced(COUNTS)
    with pytest.raises(ValueError, match="unknown method 'oversample'"):
        balance(X, y, "oversample")
    with pytest.raises(ValueError, match="X has 50 rows but y has 49"):
        balance(X, y[:-1], "none")


def test_class_count_table() -> None:
    X, y = imbalanced(COUNTS)
    _, yb = balance(X, y, "undersample")
    table = class_count_table(y, yb, ["neutral", "happy", "sad", "angry"])
    assert table["emotion"].tolist() == ["neutral", "happy", "sad", "angry", "total"]
    assert table["before"].tolist() == [30, 12, 8, 0, 50]
    assert table["after"].tolist() == [8, 8, 8, 0, 24]
    with pytest.raises(ValueError, match="not in the label set"):
        class_count_table(y, yb, ["neutral", "happy"])


def test_adasyn_small_deficit_leaves_data_with_warning(caplog: pytest.LogCaptureFixture) -> None:
    X, y = imbalanced({"neutral": 60, "happy": 66}, seed=2)  # 6 rows short, spread over 60 rows: rounds to 0
    Xb, yb = balance(X, y, "adasyn", seed=1)
    assert len(Xb) == len(X) and Counter(yb.tolist()) == {"neutral": 60, "happy": 66}
    assert "adasyn generated no rows" in caplog.text


def test_a_method_that_changed_nothing_says_so_and_why() -> None:
    X, y = imbalanced({"neutral": 60, "happy": 66}, seed=2)
    _, yb, note = balance_with_note(X, y, "adasyn", seed=1)
    assert len(yb) == len(y) and note.startswith("adasyn generated no rows") and "rounds down" in note
    X, y = imbalanced({"neutral": 20, "happy": 20})
    assert "already equal" in balance_with_note(X, y, "adasyn")[2]
    assert "1 class" in balance_with_note(X[:20], y[:20], "smote")[2]
    X, y = imbalanced(COUNTS)
    assert [balance_with_note(X, y, m, seed=0)[2] for m in ("none", "undersample", "smote", "adasyn")] == [""] * 4
