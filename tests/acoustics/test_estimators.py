"""Each estimator on signals with known properties (the calibrated maps, the raw features, the noise floor)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.signal
from acoustic_signals import SR, burst_train, exp_rir

from ser_generalize.acoustics.analysis import UnusableClip, analyse
from ser_generalize.acoustics.calibration import clip_features, estimates_from_features
from ser_generalize.acoustics.calibration_coefficients import CALIBRATION
from ser_generalize.acoustics.loudness import loudness_lufs
from ser_generalize.acoustics.pitch import f0_stats
from ser_generalize.acoustics.reverb import c50_from_ir, ml_free_decay_t60
from ser_generalize.acoustics.snr import wada_snr
from ser_generalize.acoustics.spectral import rolloff_hz


def _estimates(x: np.ndarray) -> dict[str, float]:
    return {k: float(np.asarray(v).item()) for k, v in estimates_from_features(clip_features(x), CALIBRATION).items()}


def _noisy(x: np.ndarray, snr_db: float, seed: int = 3) -> np.ndarray:
    noise = np.random.default_rng(seed).standard_normal(x.size)
    return x + noise * np.sqrt(np.mean(x**2) / 10 ** (snr_db / 10))


def test_noise_floor_is_unbiased_on_white_noise():
    a = analyse(np.random.default_rng(0).standard_normal(3 * SR), SR)
    ratio = a.power.mean(axis=1)[5:-5] / a.noise_psd[5:-5]
    assert np.median(ratio) == pytest.approx(1.0, abs=0.15)


def test_t60_orders_rooms_and_dry_noisy_speech_stays_low():
    bursts = burst_train()
    est = [_estimates(_noisy(np.convolve(bursts, exp_rir(t))[: len(bursts)], 35))["t60_s"] for t in (0.3, 0.6, 1.0)]
    assert est[0] < est[1] < est[2], est
    dry_noisy = _estimates(_noisy(bursts, 12))["t60_s"]
    assert dry_noisy < 0.3, dry_noisy          # the old free-decay fit read about 2 s here
    assert ml_free_decay_t60(_noisy(bursts, 12), SR) > dry_noisy


def test_c50_of_an_impulse_response_and_from_the_signal():
    assert c50_from_ir(np.r_[1.0, np.zeros(SR)], SR) == np.inf
    short, long = c50_from_ir(exp_rir(0.3), SR), c50_from_ir(exp_rir(1.0), SR)
    assert short > long
    bursts = burst_train()
    c = [_estimates(_noisy(np.convolve(bursts, exp_rir(t))[: len(bursts)], 35))["c50_db"] for t in (0.3, 1.0)]
    assert c[0] > c[1], c


def test_snr_tracks_known_snr():
    bursts = np.tile(burst_train(), 2)
    est = [_estimates(_noisy(bursts, snr))["snr_db"] for snr in (0.0, 10.0, 20.0, 30.0)]
    assert all(a < b for a, b in itertools.pairwise(est)), est
    assert wada_snr(_noisy(bursts, 0)) < wada_snr(_noisy(bursts, 20))


def test_bandwidth_sees_lowpass_and_full_band():
    x = _noisy(burst_train(), 35)
    rng = np.random.default_rng(0)
    white = rng.standard_normal(SR * 3)
    full = _estimates(white * np.repeat(rng.uniform(0.2, 1.0, 30), SR // 10))["bandwidth_hz"]
    assert full >= 7200, full
    tel = scipy.signal.sosfilt(scipy.signal.butter(10, 3400, fs=SR, output="sos"), x)
    assert _estimates(tel + 1e-4 * rng.standard_normal(tel.size))["bandwidth_hz"] < 4500
    assert rolloff_hz(tel, SR) < rolloff_hz(white, SR)


def test_unusable_clips_raise_with_a_reason():
    with pytest.raises(UnusableClip, match="silence"):
        analyse(np.zeros(SR), SR)
    with pytest.raises(UnusableClip, match="long"):
        analyse(np.ones(100), SR)
    with pytest.raises(UnusableClip, match="NaN"):
        analyse(np.full(SR, np.nan), SR)


def test_loudness_follows_gain():
    bursts = burst_train()
    a, b = loudness_lufs(bursts, SR), loudness_lufs(bursts * 0.1, SR)
    assert a - b == pytest.approx(20.0, abs=0.5)


def test_f0_of_a_tone():
    t = np.arange(SR) / SR
    stats = f0_stats(0.5 * np.sin(2 * np.pi * 150 * t), SR)
    assert stats["f0_mean_hz"] == pytest.approx(150, rel=0.03)
    assert stats["f0_std_hz"] < 5
