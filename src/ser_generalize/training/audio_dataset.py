"""A torch Dataset of raw waveforms over one or more manifests, for end-to-end fine-tuning."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from ..audio.io import TARGET_SAMPLE_RATE, AudioError, load_audio
from ..corpora.manifest import split_for_fold

log = logging.getLogger(__name__)


def select_rows(
    manifests: Sequence[pd.DataFrame], split: str, labels: Sequence[str], fold: int = 0
) -> pd.DataFrame:
    """Concatenate the ``split`` rows (for ``fold``) of every manifest whose emotion is in ``labels``."""
    parts = []
    for manifest in manifests:
        if manifest.empty:
            continue
        chosen = manifest[
            (split_for_fold(manifest, fold) == split).to_numpy() & manifest["emotion"].isin(labels).to_numpy()
        ]
        parts.append(chosen)
    if not parts:
        return pd.DataFrame(columns=manifests[0].columns if manifests else [])
    return pd.concat(parts, ignore_index=True)


class ManifestAudioDataset(Dataset):
    """Items ``(waveform float32, label index, row index)`` decoded with ``load_audio``.

    Training crops a random ``max_seconds`` window (seeded per epoch/item); evaluation takes the
    start. Unreadable files are skipped with a warning naming them (``None`` items, dropped by
    :func:`collate_waveforms`).
    """

    def __init__(
        self,
        rows: pd.DataFrame,
        labels: Sequence[str],
        max_seconds: float,
        train: bool = False,
        seed: int = 0,
        root: str | Path = ".",
    ) -> None:
        self.rows = rows.reset_index(drop=True)
        self.labels = tuple(labels)
        self.max_samples = round(max_seconds * TARGET_SAMPLE_RATE)
        self.train = train
        self.seed = seed
        self.root = Path(root)
        self.epoch = 0
        self.skipped: set[str] = set()
        unknown = sorted(set(self.rows["emotion"]) - set(self.labels)) if len(self.rows) else []
        if unknown:
            raise ValueError(
                f"rows carry emotions {unknown} outside the label set {self.labels}; filter with select_rows"
            )

    def __len__(self) -> int:
        return len(self.rows)

    def _path(self, raw: str) -> Path:
        path = Path(raw)
        return path if path.is_absolute() else self.root / path

    def __getitem__(self, index: int) -> tuple[np.ndarray, int, int] | None:
        row = self.rows.iloc[index]
        path = self._path(str(row["path"]))
        try:
            wave = load_audio(path)
        except (AudioError, OSError, ValueError) as exc:
            if str(path) not in self.skipped:
                self.skipped.add(str(path))
                warnings.warn(
                    f"skipping unreadable audio {path} ({exc}); fix or remove it from the manifest",
                    stacklevel=2,
                )
            return None
        if len(wave) > self.max_samples:
            start = 0
            if self.train:
                rng = np.random.default_rng((self.seed, self.epoch, index))
                start = int(rng.integers(0, len(wave) - self.max_samples + 1))
            wave = wave[start : start + self.max_samples]
        return wave.astype(np.float32), self.labels.index(row["emotion"]), index


def collate_waveforms(items: list[tuple[np.ndarray, int, int] | None]) -> dict[str, torch.Tensor]:
    """Zero-pad waveforms to the batch's longest: ``{'waveforms' (B, T), 'lengths', 'labels', 'index'}``."""
    items = [it for it in items if it is not None]
    if not items:
        return {
            "waveforms": torch.zeros(0, 1),
            "lengths": torch.zeros(0, dtype=torch.long),
            "labels": torch.zeros(0, dtype=torch.long),
            "index": torch.zeros(0, dtype=torch.long),
        }
    longest = max(len(w) for w, _, _ in items)
    batch = torch.zeros(len(items), longest)
    for i, (wave, _, _) in enumerate(items):
        batch[i, : len(wave)] = torch.from_numpy(wave)
    return {
        "waveforms": batch,
        "lengths": torch.tensor([len(w) for w, _, _ in items]),
        "labels": torch.tensor([y for _, y, _ in items]),
        "index": torch.tensor([i for _, _, i in items]),
    }
