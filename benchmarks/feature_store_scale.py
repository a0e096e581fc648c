"""Peak memory and time of extracting into the feature store and training a head from it, at Whisper-large size.

Writes ``--hours`` of synthetic 16 kHz WAV clips (tones + noise, labelled synthetic), extracts them with a
cheap stand-in backbone that emits Whisper-large-shaped frames (1280 float dims at 50 frames/s, a fixed
random projection of log-energies, so the store sees real sizes without a real model), then streams a
head over the store under ``--memory-budget-mb``. Run each phase in its own process to read its peak RSS::

    /usr/bin/time -v python benchmarks/feature_store_scale.py --hours 0.5 --phase extract --dir /tmp/fs
    /usr/bin/time -v python benchmarks/feature_store_scale.py --hours 0.5 --phase train --dir /tmp/fs
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import soundfile as sf

from ser_generalize.backbones.base import mean_pool
from ser_generalize.backbones.store import extract_features

HOP = 320
DIM = 1280


class ProjectionBackbone:
    """Whisper-large-shaped frames (1280 dims, one per 20 ms) from a fixed random projection of log-energies."""

    name = "projection1280"
    dim = DIM
    pooled_dim = DIM

    def __init__(self) -> None:
        self._w = np.random.default_rng(0).normal(size=(16, DIM)).astype(np.float32)

    def config(self) -> dict[str, Any]:
        return {"backbone": "projection", "dim": DIM, "hop": HOP}

    def extract(self, waveforms: list[np.ndarray]) -> list[np.ndarray]:
        out = []
        for w in waveforms:
            n = max(1, len(w) // HOP)
            frames = np.resize(w, n * HOP).reshape(n, HOP)
            bands = np.log1p(np.abs(np.fft.rfft(frames, axis=1))[:, :160].reshape(n, 16, 10).sum(2))
            out.append(bands.astype(np.float32) @ self._w)
        return out

    def encode(self, waveforms: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
        frames = self.extract(waveforms)
        return frames, mean_pool(frames, DIM)


def make_corpus(root: Path, hours: float, seconds: float = 5.0) -> pd.DataFrame:
    """``hours`` of ``seconds``-long synthetic clips with four labels (written once, reused)."""
    rows = []
    rng = np.random.default_rng(0)
    n = int(hours * 3600 / seconds)
    t = np.arange(int(seconds * 16_000)) / 16_000
    for i in range(n):
        path = root / "wav" / f"c{i:05d}.wav"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            wave = 0.2 * np.sin(2 * np.pi * (120 + 40 * (i % 4)) * t) + 0.02 * rng.standard_normal(t.size)
            sf.write(path, wave.astype(np.float32), 16_000)
        rows.append({"utt_id": f"big/c{i:05d}", "path": str(path), "corpus": "big", "duration_s": seconds,
                     "emotion": str(i % 4)})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=0.5)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/feature_store_scale"))
    parser.add_argument("--phase", choices=["extract", "train"], default="extract")
    parser.add_argument("--memory-budget-mb", type=float, default=256.0)
    args = parser.parse_args()
    manifest = make_corpus(args.dir / "audio", args.hours)
    start = time.perf_counter()
    view = extract_features(manifest, ProjectionBackbone(), cache_dir=args.dir / "store", progress=False)
    took = time.perf_counter() - start
    size = sum(f.stat().st_size for f in (args.dir / "store").rglob("*.npy")) / 2**20
    print(f"[synthetic] {len(view)} clips, {args.hours} h, store {size:.0f} MiB, extract/open {took:.1f} s")
    if args.phase == "train":
        from ser_generalize.training.heads import fit_head, predict_logits

        y = manifest["emotion"].astype(int).to_numpy()
        start = time.perf_counter()
        cfg = {"hidden": [64, 64], "epochs": 2, "seed": 0, "memory_budget_mb": args.memory_budget_mb}
        head = fit_head(view.frames, y, ["0", "1", "2", "3"], cfg, device="cpu")
        logits = predict_logits(head, view.frames)
        print(f"[synthetic] head trained + predicted {len(logits)} clips in {time.perf_counter() - start:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
