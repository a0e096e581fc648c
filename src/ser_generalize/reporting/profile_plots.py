"""Per-parameter corpus distribution plots (Domain mismatch paper, Fig. 4 style) and distance heatmaps."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def parameter_distribution_plot(profiles: pd.DataFrame, parameter: str, synthetic: bool,
                                note: str | None = None) -> plt.Figure:
    """Step histograms (density) of one parameter, corpora overlaid; ``note`` (how it was measured) as a caption."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    values = profiles[parameter].dropna()
    bins = np.histogram_bin_edges(values, bins=30) if len(values) else 10
    for corpus, grp in profiles.groupby("corpus"):
        ax.hist(grp[parameter].dropna(), bins=bins, histtype="step", density=True, linewidth=1.5, label=str(corpus))
    ax.set_xlabel(parameter)
    ax.set_ylabel("density")
    ax.set_title(f"{parameter} per corpus" + (" (synthetic corpora)" if synthetic else ""))
    ax.legend(fontsize=8)
    if note:
        fig.text(0.01, 0.01, note, fontsize=7, color="0.3", ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.04, 1, 1))
    else:
        fig.tight_layout()
    return fig


def distance_heatmap(matrix: pd.DataFrame, title: str, synthetic: bool) -> plt.Figure:
    """Annotated heatmap of a corpus x corpus (or parameter x condition) table."""
    fig, ax = plt.subplots(figsize=(1.2 * matrix.shape[1] + 2.5, 0.5 * matrix.shape[0] + 2))
    im = ax.imshow(matrix.to_numpy(float), cmap="viridis")
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns], rotation=45, ha="right")
    ax.set_yticks(range(matrix.shape[0]), [str(i) for i in matrix.index])
    for (i, j), v in np.ndenumerate(matrix.to_numpy(float)):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w", fontsize=7)
    fig.colorbar(im, ax=ax)
    ax.set_title(title + (" (synthetic corpora)" if synthetic else ""))
    fig.tight_layout()
    return fig
