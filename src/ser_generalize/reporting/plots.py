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


def matrix_heatmap(table: pd.DataFrame, metric: str, synthetic: bool) -> Figure:
    """Heatmap of the train x test matrix with the value in each cell."""
    fig, ax = plt.subplots(figsize=(1.2 * table.shape[1] + 3, 0.8 * table.shape[0] + 2))
    im = ax.imshow(table.to_numpy(dtype=float), vmin=0, vmax=1, cmap="viridis")
    ax.set_xticks(range(table.shape[1]), table.columns, rotation=45, ha="right")
    ax.set_yticks(range(table.shape[0]), table.index)
    for (i, j), v in np.ndenumerate(table.to_numpy(dtype=float)):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w" if v < 0.6 else "k", fontsize=8)
    ax.set_xlabel("test corpus")
    ax.set_ylabel("training corpus / union")
    ax.set_title(_title(f"Cross-corpus {metric}", synthetic))
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    return fig


def reduction_bars(reduced: Mapping, synthetic: bool) -> Figure:
    """Bars of the scalar reductions plus OOD-given-train (per row) and unseen (per column) means."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    scalars = {k: v for k, v in reduced.items() if isinstance(v, float)}
    for ax, (name, values) in zip(axes, [("summary", scalars), ("OOD given train (row mean)", reduced["ood_given_train"]),
                                         ("unseen (column mean)", reduced["unseen"])]):
        ax.bar(list(values), list(values.values()), color="tab:blue")
        ax.set_title(name)
        ax.tick_params(axis="x", rotation=45)
        ax.set_ylim(min(0.0, *values.values()) if values else 0, 1)
    fig.suptitle(_title(f"Matrix reductions ({reduced['metric']})", synthetic))
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
