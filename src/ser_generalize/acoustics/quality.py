"""DNSMOS P.835 speech quality (SIG/BAK/OVRL) with the ONNX model and score mapping shipped by ``speechmos``.

The model runs in a single-threaded ONNX Runtime session (``speechmos`` opens default sessions that spin
one thread per core and also run the P.808 model, whose score the profile does not use); segmentation
(clips tiled to 9.01 s, 1 s hops) and the polynomial mapping are ``speechmos``'s, except that at most
``MAX_SEGMENTS`` 9 s segments are scored (speechmos scores every 1 s hop; a clip under 9 s is tiled, so
its later hops are shifted copies of the same audio; averaging them moved BAK by up to 0.2 on our clips). One 9 s
inference costs about 0.35 s of one core, most of the profiling run's time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

DNSMOS_SAMPLE_RATE = 16_000
INPUT_S = 9.01
MAX_SEGMENTS = 1


@lru_cache(maxsize=1)
def _session():
    import onnxruntime as ort
    import speechmos.dnsmos as sm

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    path = Path(sm.__file__).parent / "dnsmos_models" / "sig_bak_ovr.onnx"
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def dnsmos(waveform: np.ndarray, sr: int = DNSMOS_SAMPLE_RATE, max_segments: int | None = MAX_SEGMENTS
           ) -> dict[str, float]:
    """Blind DNSMOS SIG/BAK/OVRL (1-5) of a 16 kHz mono clip; clips are peak-limited to [-1, 1] first."""
    from speechmos.dnsmos import DNSMOS

    if sr != DNSMOS_SAMPLE_RATE:
        raise ValueError(f"DNSMOS needs {DNSMOS_SAMPLE_RATE} Hz audio, got {sr} Hz: resample first (audio.io.load_audio)")
    x = np.asarray(waveform, dtype=np.float32)
    if x.size == 0 or not np.any(x):
        raise ValueError("DNSMOS needs a non-silent clip")
    peak = float(np.max(np.abs(x)))
    if peak > 1.0:
        x = x / peak
    n = int(INPUT_S * sr)
    while x.size < n:
        x = np.append(x, x)
    hops = int(np.floor(x.size / sr) - INPUT_S) + 1
    if max_segments is not None:
        hops = min(hops, max_segments)
    scores = []
    for k in range(hops):
        seg = x[k * sr : k * sr + n]
        if seg.size < n:
            continue
        raw = _session().run(None, {"input_1": seg[np.newaxis, :].astype(np.float32)})[0][0]
        scores.append(DNSMOS.get_polyfit_val(None, raw[0], raw[1], raw[2], False))
    sig, bak, ovr = np.mean(np.asarray(scores, dtype=float), axis=0)
    return {"dnsmos_sig": float(sig), "dnsmos_bak": float(bak), "dnsmos_ovrl": float(ovr)}
