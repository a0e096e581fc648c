"""Learned bandwidth estimator: band levels, candidate features, fitting on known edges, the stored model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ser_generalize.acoustics.analysis import analyse
from ser_generalize.acoustics.calibration import SAMPLE_RATE, clean_speech, clip_features, fit_bandwidth_model
from ser_generalize.acoustics.calibration_coefficients import CALIBRATION
from ser_generalize.acoustics.spectral import (
    CANDIDATE_LO_HZ,
    GRID_HI_HZ,
    band_columns,
    band_grid_hz,
    bandwidth_band_levels,
    bandwidth_from_features,
    candidate_features,
)
from ser_generalize.corpora.synthetic.conditions import Condition, render_condition


def _toy_levels(edge: float | None, rng: np.random.Generator) -> dict[str, float]:
    """Band levels of a speech-like spectrum: -6 dB/octave tilt, a natural 4-5.5 kHz step, a 6th-order low-pass."""
    g = band_grid_hz()
    speech = 60 - 6 * np.log2(g / 1000) - rng.uniform(8, 16) * (g > rng.uniform(4000, 5500))
    if edge is not None:
        speech = speech - 10 * np.log10(1 + (g / edge) ** 12)
    noise = np.full_like(g, rng.uniform(5, 25))
    mix = 10 * np.log10(10 ** (speech / 10) + 10 ** (noise / 10))
    levels = {"p98": mix + rng.normal(0, 1, g.size), "mean": mix - 6 + rng.normal(0, 1, g.size), "noise": noise}
    return {f"bw_{k}_{i:02d}": float(v[i]) for k, v in levels.items() for i in range(g.size)}


def test_band_levels_and_candidates_have_the_documented_layout():
    a = analyse(np.random.default_rng(0).standard_normal(SAMPLE_RATE), SAMPLE_RATE)
    levels = bandwidth_band_levels(a)
    assert list(levels) == band_columns()
    cand, x = candidate_features(levels)
    assert x.shape[:2] == (1, cand.size) and np.isfinite(x).all()
    assert cand[0] >= CANDIDATE_LO_HZ and cand[-1] <= GRID_HI_HZ
    # white noise: the 98th-percentile band level is flat within a few dB over the whole grid
    p98 = np.array([levels[f"bw_p98_{i:02d}"] for i in range(band_grid_hz().size)])
    assert np.ptp(p98[band_grid_hz() > 1500]) < 4


def test_fitted_model_finds_edges_behind_a_natural_step():
    rng = np.random.default_rng(0)
    edges = [None if rng.random() < 0.35 else float(rng.uniform(3400, 7000)) for _ in range(160)]
    frame = pd.DataFrame([_toy_levels(e, rng) for e in edges])
    frame["true_bandwidth_hz"] = [e or SAMPLE_RATE / 2 for e in edges]
    frame["clip"] = np.arange(len(frame))
    model = fit_bandwidth_model(frame.iloc[:100], max_iter=40)
    test = frame.iloc[100:]
    est = bandwidth_from_features(test, model)
    truth = test["true_bandwidth_hz"].to_numpy()
    limited = truth < SAMPLE_RATE / 2
    assert np.mean(np.abs(est[limited] - truth[limited]) / truth[limited] <= 0.1) >= 0.8
    assert np.mean(est[~limited] >= 7200) >= 0.8


def test_stored_model_reads_espeak_edges_and_full_band():
    specs = yaml.safe_load(Path("conf/base/parameters_synthesize.yml").read_text())["synthesize"]["corpora"]
    speech = clean_speech(specs, 4, "calibration", 11)
    rng = np.random.default_rng(3)
    hits = []
    for clean in speech:
        for edge in (None, 3400.0, 4800.0, 6000.0):
            cond = Condition(lowpass_hz=edge, snr_db=30.0, noise_color="pink")
            est = float(bandwidth_from_features(clip_features(render_condition(clean, SAMPLE_RATE, cond, rng).audio),
                                                CALIBRATION["bandwidth"])[0])
            hits.append(est >= 7200 if edge is None else abs(est - edge) <= 0.1 * edge)
    assert np.mean(hits) >= 0.8, hits
