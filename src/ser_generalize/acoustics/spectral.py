"""Effective bandwidth (the low-pass edge of the recording chain) and spectral roll-off.

``bandwidth_hz`` looks for the cliff a low-pass filter leaves in the long-term spectrum of active speech
above the noise floor: the lowest frequency above ``MIN_EDGE_HZ`` from which the speech level falls by
``CLIFF_DB`` (or down to the noise floor) and never comes back within half an octave. Speech's own spectral tilt is far
gentler than a telephone or codec filter, so full-band speech has no such cliff and reads as
the Nyquist frequency (a half-octave look-ahead: edges above 0.69 x Nyquist are not seen, they read as
full band). A calibration factor (:mod:`~ser_generalize.acoustics.calibration`) moves the cliff's
start to the filter's -3 dB edge. An energy-fraction bandwidth (99 % of the energy) is not used: it
depends on the speech's spectral tilt and reads dry full-band speech as about 4 kHz.
"""

from __future__ import annotations

import numpy as np

from ser_generalize.acoustics.analysis import ClipAnalysis

MIN_EDGE_HZ = 2000.0
CLIFF_DB = 18.0
LOOKAHEAD_OCT = 1 / 2
FRAME_PERCENTILE = 98.0
MIN_HEADROOM_DB = 9.0
SMOOTH_BINS = 8


def long_term_spectra_db(a: ClipAnalysis) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed high-percentile power over active frames (dB) and its headroom over the noise floor (dB), per bin.

    The 98th percentile over frames rather than the mean: fricatives fill the upper band in a few frames,
    which evens out the formant steps of the long-term mean that would otherwise look like cliffs.
    """
    kernel = np.ones(SMOOTH_BINS) / SMOOTH_BINS
    act = np.convolve(np.percentile(a.power[:, a.active], FRAME_PERCENTILE, axis=1), kernel, mode="same")
    noise = np.convolve(a.noise_psd, kernel, mode="same")
    return 10 * np.log10(np.maximum(act, 1e-30)), 10 * np.log10(np.maximum(act, 1e-30) / noise)


def bandwidth_raw_hz(a: ClipAnalysis, cliff_db: float = CLIFF_DB) -> float:
    """Lowest frequency above ``MIN_EDGE_HZ`` after which the level never comes back within ``cliff_db``.

    Concretely: the level at f is at least ``cliff_db`` (or its headroom over the floor, less 3 dB) above
    everything from ``LOOKAHEAD_OCT`` octave higher up to 0.97 x Nyquist. The Nyquist frequency when none.
    """
    f = a.freqs
    level, headroom = long_term_spectra_db(a)
    top = int(np.searchsorted(f, 0.97 * a.sr / 2))
    suffix_max = np.maximum.accumulate(level[:top][::-1])[::-1]
    for i in np.flatnonzero((f >= MIN_EDGE_HZ) & (f < f[top - 1])):
        j = min(int(np.searchsorted(f, f[i] * 2**LOOKAHEAD_OCT)), top - 2)
        if j <= i:
            break
        needed = min(cliff_db, headroom[i] - 3.0)
        if headroom[i] >= MIN_HEADROOM_DB and level[i] - suffix_max[j] >= needed:
            return float(f[i])
    return float(a.sr / 2)


def rolloff_hz(waveform: np.ndarray, sr: int, roll_percent: float = 0.85) -> float:
    """Median over frames of librosa's spectral roll-off (frequency under which ``roll_percent`` of energy lies)."""
    import librosa

    r = librosa.feature.spectral_rolloff(y=np.asarray(waveform, dtype=np.float32), sr=sr, roll_percent=roll_percent)
    return float(np.median(r))
