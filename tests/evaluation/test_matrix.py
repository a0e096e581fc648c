"""Matrix reductions against hand-computed values, and the end-to-end matrix on separable toy features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ser_generalize.backbones.store import FeatureSet
from ser_generalize.evaluation.cross_corpus import plan_scenarios
from ser_generalize.evaluation.matrix import evaluate_matrix, flat_metrics, matrix_table, reductions


def _cells() -> pd.DataFrame:
    # 3x3 macro-F1 matrix: rows train, cols test.
    values = {("a", "a"): 0.9, ("a", "b"): 0.5, ("a", "c"): 0.3,
              ("b", "a"): 0.4, ("b", "b"): 0.7, ("b", "c"): 0.6,
              ("c", "a"): 0.2, ("c", "b"): 0.1, ("c", "c"): 0.8}
    rows = [{"train": r, "test": c, "in_domain": r == c, "joint": False, "macro_f1": v, "wa": v + 0.05,
             "ua": v, "weighted_f1": v} for (r, c), v in values.items()]
    rows.append({"train": "a+b", "test": "c", "in_domain": False, "joint": True, "macro_f1": 0.99, "wa": 0.99,
                 "ua": 0.99, "weighted_f1": 0.99})
    return pd.DataFrame(rows)


def test_reductions_match_hand_computed_values():
    red = reductions(_cells(), "macro_f1", lam=0.5)
    diag = np.array([0.9, 0.7, 0.8])
    off = np.array([0.5, 0.3, 0.4, 0.6, 0.2, 0.1])
    assert red["in_domain_mean"] == pytest.approx(0.8)
    assert red["in_domain_std"] == pytest.approx(np.sqrt(((diag - 0.8) ** 2).mean()))
    assert red["ood_mean"] == pytest.approx(off.mean())
    assert red["ood_std"] == pytest.approx(off.std())
    expected = (0.8 + off.mean()) / 2 - 0.5 * (diag.std() + off.std()) / 2
    assert red["weighted_average"] == pytest.approx(expected)
    assert red["ood_given_train"] == pytest.approx({"a": 0.4, "b": 0.5, "c": 0.15})
    assert red["unseen"] == pytest.approx({"a": 0.3, "b": 0.3, "c": 0.45})
    assert red["emobox_offdiag_accuracy"] == pytest.approx(off.mean() + 0.05)  # joint row excluded


def test_matrix_table_and_flat_metrics():
    cells = _cells()
    table = matrix_table(cells)
    assert list(table.index) == ["a", "b", "c", "a+b"] and list(table.columns) == ["a", "b", "c"]
    assert table.loc["b", "c"] == pytest.approx(0.6) and np.isnan(table.loc["a+b", "a"])
    flat = flat_metrics(cells, reductions(cells))
    assert flat["cell.a.b.macro_f1"] == pytest.approx(0.5)
    assert flat["unseen.c"] == pytest.approx(0.45)


def _toy(corpus: str, labels: list[str], shift: float, n_per: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    centers = {"angry": [3.0, 0.0, -3.0], "sad": [-3.0, 3.0, 0.0], "happy": [0.0, -3.0, 3.0], "other": [3.0, -3.0, 0.0]}
    ids, frames, emo, split = [], [], [], []
    for lab in labels:
        for k in range(n_per):
            uid = f"{corpus}_{lab}_{k}"
            noise = rng.normal(0.0, 0.5, size=(int(rng.integers(5, 12)), 3))
            x = (noise + np.array(centers[lab]) + shift * np.array([1.0, 0.0, 0.0])).astype(np.float16)
            ids.append(uid), frames.append(x), emo.append(lab), split.append("test" if k % 4 == 0 else "train")
    fs = FeatureSet(np.array(ids), frames, np.stack([f.mean(0) for f in frames]).astype(np.float32), "k", {})
    manifest = pd.DataFrame({"utt_id": ids, "emotion": emo, "split": split})
    return fs, manifest


def test_evaluate_matrix_ood_labels_and_diagonal(monkeypatch):
    from ser_generalize.evaluation import matrix

    monkeypatch.setattr(matrix, "split_for_fold", lambda m, fold: m["split"])
    data = {"a": _toy("a", ["angry", "sad", "other"], 0.0), "b": _toy("b", ["angry", "sad", "happy"], 0.3, seed=1)}
    head = {"type": "emobox", "hidden": 16, "epochs": 12, "lr": 0.02, "patience": 12, "val_fraction": 0.0, "seed": 0}
    cells, conf = evaluate_matrix(plan_scenarios(["a", "b"], [{"name": "ab", "train": ["a", "b"]}]), data, head)
    cell = cells.set_index(["train", "test"])
    assert cell.loc[("a", "a"), "labels"] == "angry,other,sad"  # in-domain keeps 'other'
    assert cell.loc[("a", "b"), "labels"] == "angry,sad"  # shared labels, 'other' dropped
    assert cell.loc[("a", "b"), "n_test"] == 6  # happy rows of b removed
    assert "other" not in conf["a__b"].columns and "happy" not in conf["b__a"].columns
    assert cell.loc[("a", "a"), "macro_f1"] > 0.9 and cell.loc[("a", "b"), "macro_f1"] > 0.9
    assert bool(cell.loc[("ab", "a"), "joint"]) and not bool(cell.loc[("ab", "a"), "in_domain"])
