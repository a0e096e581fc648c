"""Listen-and-look examples: each augmentation applied alone to a few clips, as WAVs and before/after spectrograms."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from matplotlib.figure import Figure
from scipy.signal import stft

from ...utils.io import atomic_path
from ..augment import Chain, utterance_rng
from .steps import AUGMENTATIONS, build_step


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "utt"


def write_wav(path: Path, waveform: np.ndarray, sample_rate: int) -> Path:
    """Write float32 WAV atomically (float subtype: augmented peaks above 1.0 are not clipped)."""
    with atomic_path(path) as tmp:
        sf.write(str(tmp), waveform.astype(np.float32), sample_rate, subtype="FLOAT", format="WAV")
    return path


def _log_spectrogram(waveform: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    freqs, times, spec = stft(waveform, fs=sample_rate, nperseg=512, noverlap=384)
    return freqs, times, 20 * np.log10(np.abs(spec) + 1e-6)


def plot_before_after(
    before: np.ndarray, after: np.ndarray, sample_rate: int, title: str, path: Path
) -> Path:
    """Save a two-panel spectrogram (original above, augmented below) as PNG, atomically."""
    fig = Figure(figsize=(8, 5), layout="constrained")  # object API: no pyplot state, any thread
    axes = fig.subplots(2, 1, sharex=True)
    vmax = None
    for ax, wave, label in zip(axes, (before, after), ("original", "augmented"), strict=True):
        freqs, times, db = _log_spectrogram(wave, sample_rate)
        vmax = db.max() if vmax is None else vmax
        mesh = ax.pcolormesh(times, freqs, db, shading="auto", vmin=vmax - 80, vmax=vmax, cmap="magma")
        ax.set_ylabel("Hz")
        ax.set_title(label, fontsize=9)
    axes[-1].set_xlabel("s")
    fig.colorbar(mesh, ax=axes, label="dB")
    fig.suptitle(title)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=80)
    return path


def step_configs(chain_steps: Sequence[Mapping[str, Any] | str]) -> dict[str, dict[str, Any]]:
    """Per augmentation name, its config in ``chain_steps`` (forced to p=1), or the defaults when absent."""
    found = {}
    for step in chain_steps:
        cfg = {"name": step} if isinstance(step, str) else dict(step)
        found[cfg["name"]] = cfg
    return {name: {**found.get(name, {"name": name}), "p": 1.0} for name in AUGMENTATIONS}


def write_examples(
    clips: Mapping[str, np.ndarray],
    out_dir: str | Path,
    chain_steps: Sequence[Mapping[str, Any] | str] = (),
    seed: int = 0,
    sample_rate: int = 16_000,
    title_note: str = "",
    plots: int = 1,
) -> list[dict[str, Any]]:
    """For each clip write the original and each augmentation alone as WAVs; plot the first ``plots`` clips.

    Returns one row per written example (utterance, augmentation, files, drawn parameters).
    """
    out = Path(out_dir)
    rows: list[dict[str, Any]] = []
    configs = step_configs(chain_steps)
    for index, (utt_id, waveform) in enumerate(clips.items()):
        stem = _safe(utt_id)
        original = out / f"{stem}__original.wav"
        write_wav(original, waveform, sample_rate)
        for name, cfg in configs.items():
            chain = Chain([build_step(cfg, sample_rate)], sample_rate=sample_rate)
            augmented, records = chain.apply_with_params(waveform, utterance_rng(seed, f"{utt_id}:{name}"))
            wav = write_wav(out / f"{stem}__{name}.wav", augmented, sample_rate)
            png = ""
            if index < plots:
                title = f"{name} on {utt_id}{title_note}"
                png = str(
                    plot_before_after(waveform, augmented, sample_rate, title, out / f"{stem}__{name}.png")
                )
            params = {k: v for k, v in records[0].items() if k not in ("name", "applied")}
            rows.append(
                {
                    "utt_id": utt_id,
                    "augmentation": name,
                    "wav": str(wav),
                    "png": png,
                    "parameters": repr(params),
                }
            )
    return rows
