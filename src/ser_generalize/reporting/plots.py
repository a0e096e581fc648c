"""Cross-corpus plots: matrix heatmap, reduction bars, confusion matrices (matplotlib Agg)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def _title(text: str, synthetic: bool) -> str:
    return f"{text} (synthetic corpora)" if synthetic else text


def matrix_heatmaps(tables: Mapping[str, pd.DataFrame], metric: str, synthetic: bool) -> Figure:
    """One heatmap per backbone (mean over fold x seed runs) side by side, the value in each cell."""
    n = max(1, len(tables))
    first = next(iter(tables.values()))
    fig, axes = plt.subplots(1, n, figsize=(n * (1.1 * first.shape[1] + 2.5), 0.8 * first.shape[0] + 2.2),
                             squeeze=False)
    for ax, (backbone, table) in zip(axes.flat, tables.items()):
        values = table.to_numpy(dtype=float)
        im = ax.imshow(values, vmin=0, vmax=1, cmap="viridis")
        ax.set_xticks(range(table.shape[1]), table.columns, rotation=45, ha="right")
        ax.set_yticks(range(table.shape[0]), table.index)
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w" if v < 0.6 else "k", fontsize=8)
        ax.set_xlabel("test corpus")
        ax.set_title(backbone)
    axes.flat[0].set_ylabel("training corpus / union")
    fig.colorbar(im, ax=list(axes.flat))
    fig.suptitle(_title(f"Cross-corpus {metric} (mean over folds x seeds)", synthetic))
    return fig


def leaderboard_bars(board: pd.DataFrame, synthetic: bool) -> Figure:
    """In-domain, out-of-domain and weighted-average score per backbone with 95% bootstrap intervals."""
    keys = [("in_domain_mean", "in-domain"), ("ood_mean", "out-of-domain"), ("weighted_average", "weighted avg")]
    fig, ax = plt.subplots(figsize=(2.2 * len(board) + 4, 4))
    width = 0.8 / len(keys)
    x = np.arange(len(board))
    for k, (key, label) in enumerate(keys):
        values = board[key].to_numpy(dtype=float)
        errors = np.vstack([values - board[f"{key}_ci_low"].to_numpy(dtype=float),
                            board[f"{key}_ci_high"].to_numpy(dtype=float) - values])
        ax.bar(x + (k - 1) * width, values, width, yerr=np.nan_to_num(errors), capsize=3, label=label)
    ax.set_xticks(x, board["backbone"])
    ax.set_ylim(0, 1)
    ax.set_ylabel(str(board["metric"].iloc[0]) if "metric" in board else "score")
    ax.legend()
    ax.set_title(_title("Backbone leaderboard (95% speaker-bootstrap intervals)", synthetic))
    fig.tight_layout()
    return fig


def confusion_grid(confusions: Mapping[str, pd.DataFrame], synthetic: bool) -> Figure:
    """Row-normalised confusion matrices of every cell in one grid figure (titles 'train -> test')."""
    n = max(1, len(confusions))
    cols = min(4, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.2 * rows), squeeze=False)
    for ax, (name, table) in zip(axes.flat, confusions.items()):
        values = table.to_numpy(dtype=float)
        values = values / np.maximum(values.sum(1, keepdims=True), 1)
        ax.imshow(values, vmin=0, vmax=1, cmap="Blues")
        ax.set_xticks(range(len(table.columns)), table.columns, rotation=90, fontsize=6)
        ax.set_yticks(range(len(table.index)), table.index, fontsize=6)
        ax.set_title(name.replace("__", " -> "), fontsize=7)
    for ax in list(axes.flat)[len(confusions):]:
        ax.axis("off")
    fig.suptitle(_title("Confusion matrices (rows = true)", synthetic))
    fig.tight_layout()
    return fig
