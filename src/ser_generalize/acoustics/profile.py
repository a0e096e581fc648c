"""Per-utterance acoustic profile (quality, reverb, SNR, loudness, bandwidth, F0, duration) of a corpus manifest."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ser_generalize.acoustics.loudness import loudness_lufs
from ser_generalize.acoustics.pitch import f0_stats
from ser_generalize.acoustics.quality import dnsmos
from ser_generalize.acoustics.reverb import c50_from_t60, estimate_t60
from ser_generalize.acoustics.snr import wada_snr
from ser_generalize.acoustics.spectral import bandwidth_hz, rolloff_hz

log = logging.getLogger(__name__)

PROFILE_PARAMETERS = [
    "dnsmos_sig", "dnsmos_bak", "dnsmos_ovrl", "t60_s", "c50_db", "snr_db", "loudness_lufs",
    "bandwidth_hz", "rolloff_hz", "f0_mean_hz", "f0_std_hz", "f0_range_hz", "duration_s",
]

PARAMETER_NOTES = {
    "dnsmos_sig": "DNSMOS P.835 (speechmos ONNX), 1-5",
    "dnsmos_bak": "DNSMOS P.835 background quality, 1-5 (low = noisy)",
    "dnsmos_ovrl": "DNSMOS P.835 overall quality, 1-5",
    "t60_s": "blind ML free-decay T60 (Loellmann 2010); reads high when SNR < ~20 dB",
    "c50_db": "derived from T60 (Polack decay, no direct path); inherits T60's noise bias",
    "snr_db": "WADA-SNR (Kim & Stern 2008)",
    "loudness_lufs": "ITU-R BS.1770 integrated loudness (pyloudnorm)",
    "bandwidth_hz": "frequency below which 99 % of the long-term spectral energy lies (Welch)",
    "rolloff_hz": "median over frames of the 85 % spectral roll-off (librosa)",
}
"""One-line method notes shown under each distribution plot, so a reader sees how a number was made."""


def profile_utterance(waveform: np.ndarray, sr: int) -> dict[str, float]:
    """All acoustic parameters of one mono clip (16 kHz for DNSMOS), keyed as in ``PROFILE_PARAMETERS``."""
    x = np.asarray(waveform, dtype=np.float32)
    if x.size == 0 or not np.any(x):
        raise ValueError("empty or silent waveform")
    t60 = estimate_t60(x, sr)
    out = {**dnsmos(x, sr), "t60_s": t60, "c50_db": c50_from_t60(t60), "snr_db": wada_snr(x),
           "loudness_lufs": loudness_lufs(x, sr), "bandwidth_hz": bandwidth_hz(x, sr), "rolloff_hz": rolloff_hz(x, sr),
           **f0_stats(x, sr), "duration_s": x.size / sr}
    return {k: float(out[k]) for k in PROFILE_PARAMETERS}


def profile_manifest(
    manifest: pd.DataFrame,
    max_utterances: int | None,
    seed: int,
    waveform_transform: Callable[[str, np.ndarray], np.ndarray] | None = None,
) -> pd.DataFrame:
    """Profile a seeded subsample of a manifest: one row per utterance (utt_id, corpus + parameters); bad files are logged and skipped."""
    from ser_generalize.audio.io import TARGET_SAMPLE_RATE, load_audio

    rows = manifest
    if max_utterances is not None and len(rows) > max_utterances:
        rows = rows.sample(n=max_utterances, random_state=seed)
    rows = rows.sort_values("utt_id")
    records = []
    corpus = str(rows["corpus"].iloc[0]) if len(rows) else "?"
    for utt_id, path, corp in tqdm(zip(rows["utt_id"], rows["path"], rows["corpus"]), total=len(rows), desc=f"profile {corpus}"):
        try:
            wav = load_audio(path)
            if waveform_transform is not None:
                wav = waveform_transform(str(utt_id), wav)
            records.append({"utt_id": str(utt_id), "corpus": str(corp), **profile_utterance(wav, TARGET_SAMPLE_RATE)})
        except Exception as err:  # noqa: BLE001 - one bad file must not stop the profile
            log.warning("profiling skipped %s (%s): %s; check the file decodes and is not silent", utt_id, path, err)
    return pd.DataFrame.from_records(records, columns=["utt_id", "corpus", *PROFILE_PARAMETERS])
