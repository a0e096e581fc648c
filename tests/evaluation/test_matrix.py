"""Row runs on separable toy features: label sets per cell, per-utterance predictions, folds, lazy pooling."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ser_generalize.backbones.store import FeatureSet
from ser_generalize.evaluation.cross_corpus import Scenario, plan_scenarios
from ser_generalize.evaluation.matrix import (
    PREDICTION_COLUMNS,
    confusion_tables,
    corpus_fold,
    row_predictions,
    row_runs_fold,
    run_cells,
)

HEAD = {"type": "emobox", "hidden": 16, "epochs": 12, "lr": 0.02, "patience": 12, "val_fraction": 0.0}


def _toy(corpus: str, labels: list[str], shift: float, n_per: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    centers = {"angry": [3.0, 0.0, -3.0], "sad": [-3.0, 3.0, 0.0], "happy": [0.0, -3.0, 3.0], "other": [3.0, -3.0, 0.0]}
    ids, frames, emo, fold = [], [], [], []
    for lab in labels:
        for k in range(n_per):
            uid = f"{corpus}_{lab}_{k}"
            noise = rng.normal(0.0, 0.5, size=(int(rng.integers(5, 12)), 3))
            x = (noise + np.array(centers[lab]) + shift * np.array([1.0, 0.0, 0.0])).astype(np.float16)
            ids.append(uid), frames.append(x), emo.append(lab), fold.append(0 if k % 4 == 0 else 1)
    fs = FeatureSet(np.array(ids), frames, np.stack([f.mean(0) for f in frames]).astype(np.float32), "k", {})
    manifest = pd.DataFrame({"utt_id": ids, "emotion": emo, "fold": fold, "official_split": "",
                             "speaker": [f"{corpus}_s{i % 3}" for i in range(len(ids))]})
    return fs, manifest


def _data():
    return {"a": _toy("a", ["angry", "sad", "other"], 0.0), "b": _toy("b", ["angry", "sad", "happy"], 0.3, seed=1)}


def test_row_predictions_label_sets_and_in_domain_cells():
    data = _data()
    rows = {sc.name: sc for sc in plan_scenarios(["a", "b"], [{"name": "ab", "train": ["a", "b"]}])}
    pred = row_predictions(rows["a"], data, HEAD, fold=0, seed=0, device="cpu", backbone="toy")
    assert list(pred.columns) == PREDICTION_COLUMNS
    cells = run_cells(pred).set_index(["train", "test"])
    assert cells.loc[("a", "a"), "labels"] == "angry,other,sad"  # in-domain keeps 'other'
    assert cells.loc[("a", "b"), "labels"] == "angry,sad"  # shared labels, 'other' dropped
    assert cells.loc[("a", "b"), "n_test"] == 6  # happy rows of b removed
    assert cells.loc[("a", "a"), "macro_f1"] > 0.9 and cells.loc[("a", "b"), "macro_f1"] > 0.9
    assert set(pred["y_pred"]) <= {"angry", "sad", "other"} and (pred["backbone"] == "toy").all()
    joint = run_cells(row_predictions(rows["ab"], data, HEAD, device="cpu")).set_index("test")
    assert joint["joint"].all() and not joint["in_domain"].any()
    conf = confusion_tables(pred)
    assert "other" not in conf["toy__a__b"].columns and conf["toy__a__a"].to_numpy().sum() == 9


def test_balanced_sets_score_the_four_emobox_emotions_the_head_knows():
    data = _data()
    balanced = {"b": data["b"][1][data["b"][1]["fold"] == 0]}
    pred = row_predictions(Scenario("b", ("b",)), data, HEAD, device="cpu", balanced=balanced)
    sets = pred[pred["test_set"] == "balanced"]
    assert set(sets["test"]) == {"b"} and set(sets["labels"]) == {"angry,happy,sad"}
    assert set(sets["utt_id"]) == set(balanced["b"]["utt_id"])


def test_rows_are_seeded_and_skip_folds_beyond_their_corpora():
    data = _data()
    first = row_predictions(Scenario("a", ("a",)), data, HEAD, fold=0, seed=3, device="cpu")
    again = row_predictions(Scenario("a", ("a",)), data, HEAD, fold=0, seed=3, device="cpu")
    pd.testing.assert_frame_equal(first, again)
    assert row_predictions(Scenario("a", ("a",)), data, HEAD, fold=2, device="cpu").empty  # a has folds 0, 1
    assert corpus_fold(data["a"][1], 3) == 1 and row_runs_fold([data["a"][1]], 1)
    assert not row_runs_fold([data["a"][1]], 2)
