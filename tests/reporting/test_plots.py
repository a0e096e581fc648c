"""Cross-corpus plots and report say 'synthetic', show the matrix values, intervals and the leaderboard."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ser_generalize.reporting.cross_corpus_report import cross_corpus_markdown, interval_matrix
from ser_generalize.reporting.plots import confusion_grid, leaderboard_bars, matrix_heatmaps

TABLE = pd.DataFrame([[0.9, 0.4], [0.3, 0.8]], index=["syn_a", "syn_b"], columns=["syn_a", "syn_b"])
KEYS = ("in_domain_mean", "ood_mean", "weighted_average")
BOARD = pd.DataFrame([{"backbone": b, "rank": i + 1, "metric": "macro_f1", "in_domain_std": 0.05, "ood_std": 0.07,
                       "in_domain_std_ci_low": 0.01, "in_domain_std_ci_high": 0.09, "ood_std_ci_low": 0.02,
                       "ood_std_ci_high": 0.1,
                       "gap_to_best": 0.1 * i, "gap_ci_low": 0.05 * i, "gap_ci_high": 0.2 * i, "p_value": 0.01,
                       **{k: v for key in KEYS for k, v in ((key, 0.6 - 0.1 * i), (f"{key}_ci_low", 0.5 - 0.1 * i),
                                                            (f"{key}_ci_high", 0.7 - 0.1 * i))}}
                      for i, b in enumerate(["egemaps", "logmel"])])
CELLS = pd.DataFrame([{"backbone": "egemaps", "train": r, "test": c, "test_set": "test", "in_domain": r == c,
                       "joint": False, "labels": "angry,sad", "n_test": 10, "count": 2,
                       "macro_f1_mean": TABLE.loc[r, c], "macro_f1_std": 0.01, "ci_low": TABLE.loc[r, c] - 0.1,
                       "ci_high": TABLE.loc[r, c] + 0.1, "ua_mean": 0.5, "wa_mean": 0.5}
                      for r in TABLE.index for c in TABLE.columns])


def test_heatmaps_annotate_cells_per_backbone_and_say_synthetic():
    fig = matrix_heatmaps({"egemaps": TABLE, "logmel": TABLE * 0.5}, "macro_f1", synthetic=True)
    assert "synthetic" in fig._suptitle.get_text()
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0.30", "0.40", "0.80", "0.90"]
    assert [fig.axes[0].get_title(), fig.axes[1].get_title()] == ["egemaps", "logmel"]
    plain = matrix_heatmaps({"egemaps": TABLE}, "ua", synthetic=False)
    assert "synthetic" not in plain._suptitle.get_text()


def test_leaderboard_bars_have_interval_error_bars_and_confusions_normalise():
    bars = leaderboard_bars(BOARD, synthetic=True)
    assert "synthetic" in bars.axes[0].get_title() and len(bars.axes[0].patches) == 6
    conf = {"syn_a__syn_b": pd.DataFrame(np.array([[2, 1], [0, 3]]), index=["a", "b"], columns=["a", "b"])}
    grid = confusion_grid(conf, synthetic=True)
    assert grid.axes[0].get_title() == "syn_a -> syn_b"
    assert np.allclose(grid.axes[0].images[0].get_array(), [[2 / 3, 1 / 3], [0, 1]])


def test_report_shows_intervals_leaderboard_and_which_cells_count():
    reduced = {"metric": "macro_f1", "lambda": 1.0, "ood_eligible": {"syn_a": True, "syn_b": False},
               "backbones": {"egemaps": {"in_domain_cells": [("syn_a", "syn_a")], "ood_cells": [],
                                         "ood_given_train": {"syn_a": 0.4}, "unseen": {"syn_b": 0.4},
                                         "excluded_cells": [("syn_a", "syn_b")]}}}
    md = cross_corpus_markdown(CELLS, BOARD, reduced, {"syn_a": True, "syn_b": False}, {"backbones": ["egemaps"]},
                               speakers={"syn_a": 1, "syn_b": 4})
    assert "Test speakers per corpus (all folds): syn_a 1, syn_b 4." in md and "**syn_a: one test speaker**" in md
    assert "**Synthetic corpora:** syn_a." in md and "Real corpora: syn_b." in md
    assert "| syn_a | 0.900 ± 0.010 [0.800, 1.000] (n=2) | 0.400 ± 0.010 [0.300, 0.500] (n=2) |" in md
    assert "| 1 | egemaps | 0.600 [0.500, 0.700] | 0.050 [0.010, 0.090] |" in md and "syn_a (yes), syn_b (no)" in md
    assert "| syn_a | 0.400 | nan |" in md and "| syn_b | nan | 0.400 |" in md
    assert "left out of the OOD reduction (a corpus not OOD-eligible): syn_a -> syn_b" in md
    assert list(interval_matrix(CELLS, "egemaps", "macro_f1").columns) == ["train \\ test", "syn_a", "syn_b"]
