"""Cross-corpus plots and report say 'synthetic' and show the matrix values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ser_generalize.reporting.cross_corpus_report import cross_corpus_markdown
from ser_generalize.reporting.plots import confusion_grid, matrix_heatmap, reduction_bars

TABLE = pd.DataFrame([[0.9, 0.4], [0.3, 0.8]], index=["syn_a", "syn_b"], columns=["syn_a", "syn_b"])
REDUCED = {"metric": "macro_f1", "in_domain_mean": 0.85, "ood_mean": 0.35, "ood_given_train": {"syn_a": 0.4},
           "unseen": {"syn_b": 0.4}}


def test_heatmap_annotates_cells_and_says_synthetic():
    fig = matrix_heatmap(TABLE, "macro_f1", synthetic=True)
    ax = fig.axes[0]
    assert "synthetic" in ax.get_title()
    assert sorted(t.get_text() for t in ax.texts) == ["0.30", "0.40", "0.80", "0.90"]
    assert "synthetic" not in matrix_heatmap(TABLE, "ua", synthetic=False).axes[0].get_title()


def test_bars_and_confusions():
    bars = reduction_bars(REDUCED, synthetic=True)
    assert "synthetic" in bars._suptitle.get_text() and len(bars.axes[0].patches) == 2
    conf = {"syn_a__syn_b": pd.DataFrame(np.array([[2, 1], [0, 3]]), index=["a", "b"], columns=["a", "b"])}
    grid = confusion_grid(conf, synthetic=True)
    assert grid.axes[0].get_title() == "syn_a -> syn_b"
    assert np.allclose(grid.axes[0].images[0].get_array(), [[2 / 3, 1 / 3], [0, 1]])


def test_report_names_synthetic_and_real_corpora():
    md = cross_corpus_markdown(TABLE, REDUCED, {"syn_a": True, "syn_b": False}, {"backbone": "egemaps"})
    assert "**Synthetic corpora:** syn_a." in md and "Real corpora: syn_b." in md
    assert "| syn_a | 0.900 | 0.400 |" in md and "- in_domain_mean: 0.850" in md
