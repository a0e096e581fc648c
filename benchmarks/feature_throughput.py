"""Feature-extraction throughput (clips/s) per backbone, and Whisper trimmed vs padded-to-30 s speed.

Synthesizes N clips of S seconds (tones + noise, in memory), times each backbone's ``encode``
and prints a table. Whisper models are random-weight ones built locally (``--whisper-size``
picks real encoder dimensions), so no network is needed; add real local checkpoints with
``--hf PATH``. Example::

    python benchmarks/feature_throughput.py --n-clips 16 --seconds 3 --whisper-size tiny-test base
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")

import numpy as np
import torch
from transformers.utils import logging as hf_logging

from ser_generalize.backbones import build_backbone
from ser_generalize.backbones.tiny import WHISPER_SIZES, save_tiny_model


def synth_clips(n: int, seconds: float, seed: int = 0) -> list[np.ndarray]:
    """``n`` harmonic tones with random pitch plus noise, 16 kHz float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 16_000)) / 16_000
    clips = []
    for _ in range(n):
        f0 = rng.uniform(100, 400)
        wave = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 6)) * 0.2
        clips.append((wave + 0.02 * rng.standard_normal(t.size)).astype(np.float32))
    return clips


def clips_per_second(
    encode: Callable[[list[np.ndarray]], object], clips: list[np.ndarray], repeats: int
) -> float:
    """Best of ``repeats`` timed passes after one warm-up pass on two clips."""
    encode(clips[:2])
    best = float("inf")
    for _ in range(repeats):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        encode(clips)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return len(clips) / best


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the timings, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-clips", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--whisper-size", nargs="*", default=["tiny-test", "base"], choices=sorted(WHISPER_SIZES)
    )
    parser.add_argument("--hf", nargs="*", default=[], help="extra local hf checkpoints to time")
    args = parser.parse_args(argv)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()

    clips = synth_clips(args.n_clips, args.seconds)
    opts = {"batch_size": args.batch_size, "device": args.device}
    rows: list[tuple[str, float]] = []
    ratios: list[tuple[str, float, float]] = []
    for spec in ("egemaps", "logmel"):
        rows.append((spec, clips_per_second(build_backbone(spec).encode, clips, args.repeats)))
    cnn14 = build_backbone("cnn14", {"device": args.device})  # full-size trunk; weights do not change speed
    rows.append(("cnn14 (full size, random weights)", clips_per_second(cnn14.encode, clips, args.repeats)))
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.whisper_size:
            path = save_tiny_model("whisper", Path(tmp) / f"whisper-{size}", whisper_size=size)
            trimmed = clips_per_second(build_backbone(f"hf:{path}", opts).encode, clips, args.repeats)
            padded_backbone = build_backbone(f"hf:{path}", {**opts, "trim": False})
            padded = clips_per_second(padded_backbone.encode, clips, args.repeats)
            rows += [
                (f"whisper-{size} (random) trimmed", trimmed),
                (f"whisper-{size} (random) padded 30 s", padded),
            ]
            ratios.append((size, trimmed, padded))
        for path in args.hf:
            rows.append(
                (
                    f"hf:{path}",
                    clips_per_second(build_backbone(f"hf:{path}", opts).encode, clips, args.repeats),
                )
            )

    device = "cuda" if torch.cuda.is_available() and args.device != "cpu" else "cpu"
    print(
        f"\n{args.n_clips} synthetic clips x {args.seconds:g} s, batch {args.batch_size}, device {device}, "
        f"torch threads {torch.get_num_threads()}"
    )
    print(f"{'backbone':<40} {'clips/s':>10}")
    for name, rate in rows:
        print(f"{name:<40} {rate:>10.2f}")
    for size, trimmed, padded in ratios:
        print(
            f"whisper-{size}: trimmed / padded-to-30 s speed ratio on {args.seconds:g} s clips = "
            f"{trimmed / padded:.1f}x"
        )


if __name__ == "__main__":
    main()
