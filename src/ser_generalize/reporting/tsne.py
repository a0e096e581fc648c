"""t-SNE of pooled embeddings, coloured by corpus and by emotion (Generalize paper, Figure 2)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from sklearn.manifold import TSNE


def tsne_coordinates(embeddings: np.ndarray, seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """2-D t-SNE coordinates of ``embeddings`` (n x dim); perplexity is capped below n."""
    x = np.asarray(embeddings, dtype=np.float32)
    if x.ndim != 2 or len(x) < 3:
        raise ValueError(f"t-SNE needs an (n >= 3, dim) array of pooled embeddings, got shape {x.shape}")
    perplexity = float(min(perplexity, max(1.0, (len(x) - 1) / 3)))
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(x)


def _scatter(ax: plt.Axes, coords: np.ndarray, groups: Sequence[str], title: str) -> None:
    groups = np.asarray([str(g) for g in groups])
    cmap = plt.get_cmap("tab10")
    for i, name in enumerate(sorted(set(groups))):
        pick = groups == name
        ax.scatter(coords[pick, 0], coords[pick, 1], s=10, alpha=0.8, color=cmap(i % 10), label=name)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=7, markerscale=1.5, loc="best")


def plot_tsne(
    embeddings: np.ndarray,
    corpora: Sequence[str],
    emotions: Sequence[str],
    title: str = "t-SNE of pooled embeddings",
    synthetic: bool = False,
    seed: int = 0,
    perplexity: float = 30.0,
) -> tuple[Figure, np.ndarray]:
    """Two panels (by corpus, by emotion) of the same t-SNE map; returns the figure and the coordinates."""
    if not len(embeddings) == len(corpora) == len(emotions):
        raise ValueError(
            f"embeddings ({len(embeddings)}), corpora ({len(corpora)}) and emotions ({len(emotions)}) differ in length"
        )
    coords = tsne_coordinates(embeddings, seed=seed, perplexity=perplexity)
    fig, axes = plt.subplots(1, 2, figsize=(11, 5))
    _scatter(axes[0], coords, corpora, "by corpus")
    _scatter(axes[1], coords, emotions, "by emotion")
    fig.suptitle(f"{title} (synthetic corpora)" if synthetic else title)
    fig.tight_layout()
    return fig, coords
