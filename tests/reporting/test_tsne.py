"""t-SNE figure: writes a PNG and separates well-separated clusters."""

from __future__ import annotations

import numpy as np

from ser_generalize.reporting.tsne import plot_tsne


def test_tsne_separates_clusters_and_writes_png(tmp_path) -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0] * 8, [20.0] * 8, [-20.0] + [0.0] * 7])
    x = np.concatenate([c + rng.standard_normal((15, 8)) for c in centres])
    groups = np.repeat(["a", "b", "c"], 15)
    fig, coords = plot_tsne(
        x, groups.tolist(), list(reversed(groups.tolist())), title="t-SNE", synthetic=True
    )
    assert "synthetic" in fig._suptitle.get_text()
    path = tmp_path / "tsne.png"
    fig.savefig(path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    means = np.stack([coords[groups == g].mean(0) for g in "abc"])
    spread = max(np.linalg.norm(coords[groups == g] - means[i], axis=1).mean() for i, g in enumerate("abc"))
    gaps = [np.linalg.norm(means[i] - means[j]) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) > 2 * spread
