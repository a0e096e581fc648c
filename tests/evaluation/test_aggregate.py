"""Folds x seeds aggregation, reductions with intervals and the paired leaderboard on simulated predictions."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from sim_predictions import simulate_predictions

from ser_generalize.evaluation.aggregate import (
    bootstrap_scores,
    leaderboard,
    point_matrix,
    reduce_with_intervals,
    score_predictions,
)
from ser_generalize.evaluation.metrics import METRICS, classification_metrics
from ser_generalize.evaluation.reductions import REDUCTION_KEYS, ser_evals_reductions

# Simulated predictions (synthetic numbers, not results of any corpus).


@pytest.fixture(scope="module")
def two_backbones() -> pd.DataFrame:
    return simulate_predictions({"strong": 0.7, "weak": 0.45}, balanced=True, seed=1, speaker_sd=0.1)


def test_cells_mean_std_count_over_runs(two_backbones: pd.DataFrame) -> None:
    """Each cell's mean/std/count are those of classification_metrics over its fold x seed runs."""
    cells = score_predictions(two_backbones, n_boot=50)
    assert len(cells) == 2 * 5 * 4 * 2 and set(cells["count"]) == {4}
    row = cells[(cells.backbone == "weak") & (cells.train == "b") & (cells.test == "c")
                & (cells.test_set == "test")].iloc[0]
    sub = two_backbones[(two_backbones.backbone == "weak") & (two_backbones.train == "b")
                        & (two_backbones.test == "c") & (two_backbones.test_set == "test")]
    runs = [classification_metrics(g.y_true, g.y_pred, row["labels"].split(","))
            for _, g in sub.groupby(["fold", "seed"])]
    for m in METRICS:
        vals = [r[m] for r in runs]
        assert row[f"{m}_mean"] == pytest.approx(np.mean(vals))
        assert row[f"{m}_std"] == pytest.approx(np.std(vals, ddof=1))
    assert row["n_test"] == len(sub) // 4 and not row["in_domain"] and not row["joint"]
    assert row["ci_low"] <= row["macro_f1_mean"] <= row["ci_high"]


def test_one_run_has_nan_std() -> None:
    """A cell with a single run has count 1 and no std."""
    p = simulate_predictions({"m": 0.6}, runs=((0, 0),), joint=False)
    cells = score_predictions(p, n_boot=20)
    assert set(cells["count"]) == {1} and cells["macro_f1_std"].isna().all()


def test_reductions_point_equals_matrix_reduction(two_backbones: pd.DataFrame) -> None:
    """Point reductions = ser_evals_reductions of the matrix of cell means (joint rows left out); CIs bracket them."""
    scores = bootstrap_scores(two_backbones, n_boot=200, seed=3)
    red = reduce_with_intervals(scores, eligible={"a": True, "b": True, "c": True, "d": False})
    cells = scores.cells
    single = cells[(cells.backbone == "strong") & (cells.test_set == "test") & ~cells.joint]
    matrix = single.pivot(index="train", columns="test", values="macro_f1_mean")
    pd.testing.assert_frame_equal(point_matrix(scores, "strong").loc[matrix.index, matrix.columns], matrix,
                                  check_names=False)
    ref = ser_evals_reductions(matrix, ["a", "b", "c"])
    row = red.set_index("backbone").loc["strong"]
    for k in REDUCTION_KEYS:
        assert row[k] == pytest.approx(ref[k])
    for k in ("in_domain_mean", "ood_mean", "weighted_average", "emobox_offdiag_accuracy"):
        assert row[f"{k}_ci_low"] < row[f"{k}_ci_high"]
        assert row[f"{k}_ci_low"] - 0.02 <= row[k] <= row[f"{k}_ci_high"] + 0.02


def test_leaderboard_detects_clearly_better_backbone(two_backbones: pd.DataFrame) -> None:
    """0.70 vs 0.45 accuracy: the strong backbone ranks first and the gap is significant (p < 0.05)."""
    board = leaderboard(bootstrap_scores(two_backbones, n_boot=300))
    assert board["backbone"].tolist() == ["strong", "weak"]
    weak = board.iloc[1]
    assert weak["gap_to_best"] > 0 and weak["gap_ci_low"] > 0 and weak["p_value"] < 0.05
    assert board.iloc[0]["gap_to_best"] == 0 and board.iloc[0]["p_value"] == 1.0


def test_identical_backbones_have_zero_difference() -> None:
    """The same predictions under two names: paired replicates make every difference exactly 0."""
    p = simulate_predictions({"m": 0.6}, seed=4)
    both = pd.concat([p, p.assign(backbone="m_copy")], ignore_index=True)
    board = leaderboard(bootstrap_scores(both, n_boot=100))
    assert np.all(board["gap_to_best"] == 0) and np.all(board["gap_ci_low"] == 0)
    assert np.all(board["gap_ci_high"] == 0) and np.all(board["p_value"] == 1.0)


def test_weights_shared_across_backbones_and_independent_of_others() -> None:
    """A backbone's replicates do not change when another backbone is scored beside it."""
    p = simulate_predictions({"m": 0.6, "n": 0.5}, seed=5, joint=False)
    alone = bootstrap_scores(p[p.backbone == "m"], n_boot=64, seed=9)
    together = bootstrap_scores(p, n_boot=64, seed=9)
    keep = np.flatnonzero((together.cells["backbone"] == "m").to_numpy())
    np.testing.assert_allclose(alone.replicates["macro_f1"], together.replicates["macro_f1"][keep])


def test_missing_columns_are_named() -> None:
    """The contract's missing columns are listed."""
    with pytest.raises(ValueError, match="speaker"):
        score_predictions(pd.DataFrame({"backbone": ["x"]}))


def test_fast_enough() -> None:
    """2 backbones x 5 rows x 4 test corpora x 4 runs x 1000 replicates, cells + leaderboard, well under 10 s."""
    p = simulate_predictions({"x": 0.6, "y": 0.5}, seed=6)
    start = time.perf_counter()
    leaderboard(bootstrap_scores(p, n_boot=1000))
    assert time.perf_counter() - start < 10
