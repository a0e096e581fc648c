"""Per-utterance acoustic profile (quality, reverb, SNR, loudness, bandwidth, F0, duration) of a corpus manifest.

Clips that cannot be profiled (undecodable, too short, silent, not finite) go to a rejects table with the
reason and what to do; any other exception is a bug in an estimator and stops the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ser_generalize.acoustics.analysis import UnusableClip
from ser_generalize.acoustics.calibration import clip_features, estimates_from_features
from ser_generalize.acoustics.calibration_coefficients import CALIBRATION
from ser_generalize.acoustics.loudness import loudness_lufs
from ser_generalize.acoustics.pitch import f0_stats
from ser_generalize.acoustics.quality import dnsmos
from ser_generalize.acoustics.spectral import rolloff_hz
from ser_generalize.audio.io import TARGET_SAMPLE_RATE, AudioError, load_audio
from ser_generalize.corpora.manifest import REJECT_COLUMNS

log = logging.getLogger(__name__)

PROFILE_PARAMETERS = [
    "dnsmos_sig", "dnsmos_bak", "dnsmos_ovrl", "t60_s", "c50_db", "snr_db", "loudness_lufs",
    "bandwidth_hz", "rolloff_hz", "f0_mean_hz", "f0_std_hz", "f0_range_hz", "duration_s",
]

PARAMETER_NOTES = {
    "dnsmos_sig": "DNSMOS P.835 (speechmos ONNX), 1-5",
    "dnsmos_bak": "DNSMOS P.835 background quality, 1-5 (low = noisy)",
    "dnsmos_ovrl": "DNSMOS P.835 overall quality, 1-5",
    "t60_s": "noise-floor-aware decay rates + early drops + modulation, map calibrated on a known sweep",
    "c50_db": "estimated from the signal (same features, own calibrated map), capped at 25 dB (= dry)",
    "snr_db": "active-speech level over a minimum-statistics noise floor, with WADA-SNR, calibrated",
    "loudness_lufs": "ITU-R BS.1770 integrated loudness (pyloudnorm)",
    "bandwidth_hz": "low-pass edge scored by a network fitted on a calibration sweep, gated; 8000 = full band",
    "rolloff_hz": "median over frames of the 85 % spectral roll-off (librosa)",
}
"""One-line method notes shown under each distribution plot, so a reader sees how a number was made."""

UNUSABLE_ACTION = "check the file plays and holds speech; remove it from the corpus if it does not"


QUALITY_PARAMETERS = ["dnsmos_sig", "dnsmos_bak", "dnsmos_ovrl", "rolloff_hz"]
"""The slowest parameters (DNSMOS network, per-frame roll-off), left out by ``quality=False``."""


def profile_utterance(waveform: np.ndarray, sr: int, quality: bool = True) -> dict[str, float]:
    """All acoustic parameters of one mono clip (16 kHz for DNSMOS), keyed as in ``PROFILE_PARAMETERS``.

    ``quality=False`` skips :data:`QUALITY_PARAMETERS` (a fast profile). Raises
    :class:`~ser_generalize.acoustics.analysis.UnusableClip` when the clip is too short, silent or not finite.
    """
    x = np.asarray(waveform, dtype=np.float32)
    features = clip_features(x, sr)
    est = {k: float(np.asarray(v).item()) for k, v in estimates_from_features(features, CALIBRATION, sr).items()}
    out = {**est, "loudness_lufs": loudness_lufs(x, sr), **f0_stats(x, sr), "duration_s": x.size / sr}
    if quality:
        out.update(dnsmos(x, sr), rolloff_hz=rolloff_hz(x, sr))
    return {k: float(out[k]) for k in PROFILE_PARAMETERS if k in out}


def subsample(manifest: pd.DataFrame, max_utterances: int | None, seed: int) -> pd.DataFrame:
    """A seeded subsample of at most ``max_utterances`` rows, sorted by utterance id."""
    rows = manifest
    if max_utterances is not None and len(rows) > max_utterances:
        rows = rows.sample(n=int(max_utterances), random_state=seed)
    return rows.sort_values("utt_id")


def profile_manifest(
    manifest: pd.DataFrame,
    max_utterances: int | None,
    seed: int,
    waveform_transform: Callable[[str, np.ndarray], np.ndarray] | None = None,
    quality: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Profile a seeded subsample of a manifest: (profiles, rejects); ``quality=False`` = fast profile.

    Profiles have one row per utterance (utt_id, corpus + parameters); rejects (``REJECT_COLUMNS``) one
    row per clip that could not be decoded or profiled, with the reason and what to do.
    """
    rows = subsample(manifest, max_utterances, seed)
    records, rejects = [], []
    corpus = str(rows["corpus"].iloc[0]) if len(rows) else "?"
    for utt_id, path, corp in tqdm(zip(rows["utt_id"], rows["path"], rows["corpus"]), total=len(rows),
                                   desc=f"profile {corpus}"):
        try:
            wav = load_audio(path)
            if waveform_transform is not None:
                wav = waveform_transform(str(utt_id), wav)
            records.append({"utt_id": str(utt_id), "corpus": str(corp), **profile_utterance(wav, TARGET_SAMPLE_RATE, quality)})
        except AudioError as err:
            rejects.append({"corpus": str(corp), "path": str(path), "reason": err.reason, "action": err.action})
        except UnusableClip as err:
            rejects.append({"corpus": str(corp), "path": str(path), "reason": f"not profiled: {err}",
                            "action": UNUSABLE_ACTION})
    if rejects:
        log.warning("profiling %s: %d of %d clips rejected (see the profiling rejects table)",
                    corpus, len(rejects), len(rows))
    parameters = [p for p in PROFILE_PARAMETERS if quality or p not in QUALITY_PARAMETERS]
    profiles = pd.DataFrame.from_records(records, columns=["utt_id", "corpus", *parameters])
    reject_frame = pd.DataFrame.from_records(rejects, columns=list(REJECT_COLUMNS)).astype(REJECT_COLUMNS)
    return profiles, reject_frame
