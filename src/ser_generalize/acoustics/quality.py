"""DNSMOS P.835 speech quality (SIG/BAK/OVRL) via the ``speechmos`` package's bundled ONNX models."""

from __future__ import annotations

import numpy as np

DNSMOS_SAMPLE_RATE = 16_000


def dnsmos(waveform: np.ndarray, sr: int = DNSMOS_SAMPLE_RATE) -> dict[str, float]:
    """Blind DNSMOS SIG/BAK/OVRL (1-5) of a 16 kHz mono clip; clips are peak-limited to [-1, 1] first."""
    from speechmos import dnsmos as _dnsmos

    if sr != DNSMOS_SAMPLE_RATE:
        raise ValueError(f"DNSMOS needs {DNSMOS_SAMPLE_RATE} Hz audio, got {sr} Hz: resample first (audio.io.load_audio)")
    x = np.asarray(waveform, dtype=np.float32)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak > 1.0:
        x = x / peak
    out = _dnsmos.run(x, sr)
    return {"dnsmos_sig": float(out["sig_mos"]), "dnsmos_bak": float(out["bak_mos"]), "dnsmos_ovrl": float(out["ovrl_mos"])}
