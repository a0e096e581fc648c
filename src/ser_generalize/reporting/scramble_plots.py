"""Heatmaps of the label-scramble ablation, like Figures 2 and 3 of the Domain mismatch paper."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..evaluation.scramble import iter_heatmap_tables
from .markdown import synthetic_prefix


def relative_change_heatmaps(results: pd.DataFrame, synthetic: Sequence[str]) -> Figure:
    """One heatmap per augmentation rate: relative change (%) of weighted F1 per configuration and test corpus.

    ``synthetic``: the run's synthetic corpora (named in the title).
    """
    tables = list(iter_heatmap_tables(results))
    if not tables:
        raise ValueError("relative_change_heatmaps: no results to plot; the ablation produced no rows")
    finite = np.concatenate([t.to_numpy().ravel() for _, t in tables])
    finite = finite[np.isfinite(finite)]
    limit = float(np.abs(finite).max()) if finite.size else 1.0
    limit = limit or 1.0
    n_rows = max(len(t) for _, t in tables)
    configs = sorted(set().union(*(t.index for _, t in tables)))
    columns = sorted(set().union(*(t.columns for _, t in tables)))
    fig, axes = plt.subplots(
        1,
        len(tables),
        figsize=(2.2 * len(tables) * len(columns) / 2 + 4.5, 0.5 * n_rows + 2.4),
        squeeze=False,
        sharey=True,
        layout="constrained",
    )
    image = None
    for ax, (rate, table) in zip(axes[0], tables):
        table = table.reindex(index=configs, columns=columns)  # same rows/columns in every panel
        values = table.to_numpy(dtype=float)
        image = ax.imshow(values, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
        ax.set_xticks(range(table.shape[1]), table.columns, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(table.shape[0]), table.index, fontsize=8)
        for (i, j), v in np.ndenumerate(values):
            dark = np.isfinite(v) and abs(v) > 0.6 * limit
            ax.text(j, i, f"{v:+.1f}" if np.isfinite(v) else "n/a", ha="center", va="center", fontsize=7,
                    color="w" if dark else "k")
        ax.set_title(f"augmentation rate {rate:g}", fontsize=9)
        ax.set_xlabel("test corpus (own test split)")
    fig.colorbar(image, ax=axes[0].tolist(), label="relative change of weighted F1 vs in-domain (%)")
    fig.suptitle(f"{synthetic_prefix(synthetic)}label-scramble ablation, joint training A+B", fontsize=10)
    return fig
