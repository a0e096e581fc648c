"""Calibration sweep: truth from the generator's chain, maps fitted on one split, scored on another."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ser_generalize.acoustics.analysis import analyse
from ser_generalize.acoustics.calibration import (
    DOCS_END,
    DOCS_START,
    T60_WEAK_CAP_S,
    accuracy_table,
    apply_linear_map,
    apply_map,
    draw_conditions,
    edge_band_snr,
    estimates_from_features,
    fit_calibration,
    fit_dry_gate,
    fit_linear_map,
    fit_tree_map,
    render_sweep,
    true_active_snr,
    write_coefficients,
    write_docs_table,
)
from ser_generalize.acoustics.calibration_coefficients import CALIBRATION
from ser_generalize.acoustics.spectral import bandwidth_band_levels
from ser_generalize.corpora.synthetic.conditions import Condition, apply_condition, render_condition


def test_edge_band_snr_falls_with_the_noise_and_is_undefined_for_full_band():
    speech = np.zeros(16_000, np.float32)
    speech[4000:12000] = np.random.default_rng(0).standard_normal(8000) * 0.1
    cond = {"lowpass_hz": 5000, "noise_color": "white"}
    visible = {snr: edge_band_snr(*_parts(speech, {**cond, "snr_db": snr}), 5000) for snr in (30, 10, 0)}
    assert visible[30] > visible[10] > visible[0]
    assert visible[30] - visible[10] == pytest.approx(20, abs=1.5)  # the noise is white: the band follows the SNR
    assert np.isnan(edge_band_snr(*_parts(speech, {**cond, "snr_db": 10}), None))


def _parts(speech: np.ndarray, condition: dict) -> tuple[np.ndarray, np.ndarray]:
    r = render_condition(speech, 16_000, Condition.from_dict(condition), np.random.default_rng(1))
    return r.speech, r.noise


def test_render_condition_parts_add_up_and_match_apply_condition():
    rng_speech = np.random.default_rng(0)
    speech = np.zeros(16_000, np.float32)
    speech[4000:12000] = rng_speech.standard_normal(8000) * 0.1
    cond = Condition(t60_s=0.5, direct_to_reverb_db=2, lowpass_hz=4000, snr_db=10, noise_color="pink")
    r = render_condition(speech, 16_000, cond, np.random.default_rng(1))
    assert np.array_equal(r.audio, apply_condition(speech, 16_000, cond, np.random.default_rng(1)))
    assert np.allclose(r.audio, r.speech + r.noise, atol=1e-6)
    whole = 10 * np.log10(np.mean(r.speech**2) / np.mean(r.noise**2))
    assert whole == pytest.approx(10, abs=0.01)   # the SNR of the recording as stored, after the channel
    assert true_active_snr(r.speech, r.noise) > whole       # active frames only: the silent half is left out


def test_noise_goes_through_the_band_limiting_channel_with_the_speech():
    speech = np.random.default_rng(0).standard_normal(32_000) * 0.1
    cond = Condition(lowpass_hz=4000, highpass_hz=300, snr_db=5, noise_color="white", gain_db=0)
    r = render_condition(speech, 16_000, cond, np.random.default_rng(1))
    spectrum = np.abs(np.fft.rfft(r.noise)) ** 2
    freqs = np.fft.rfftfreq(r.noise.size, 1 / 16_000)
    passband, stopband = spectrum[(freqs > 1000) & (freqs < 3000)].mean(), spectrum[freqs > 6000].mean()
    assert 10 * np.log10(passband / stopband) > 40    # a telephone line cuts the room noise too
    assert 10 * np.log10(spectrum[(freqs > 1000) & (freqs < 3000)].mean()
                         / spectrum[freqs < 100].mean()) > 20   # and its low end


def test_linear_map_recovers_a_linear_truth_and_fills_missing_values():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    df["y"] = 2 * df["a"] - df["b"] + 1
    m = fit_linear_map(df, ["a", "b"], "y", ridge=1e-6)
    assert np.allclose(apply_linear_map(m, df), df["y"], atol=1e-4)
    assert np.isfinite(apply_linear_map(m, {"a": np.nan, "b": 0.0})).all()


def test_tree_map_reproduces_the_fitted_trees_from_its_node_lists():
    from sklearn.ensemble import HistGradientBoostingRegressor

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    df["y"] = np.where(df["a"] > 0, df["b"] ** 2, -df["b"]) + 0.1 * rng.normal(size=400)
    model = fit_tree_map(df, ["a", "b"], "y")
    reference = HistGradientBoostingRegressor(max_leaf_nodes=15, max_iter=100, early_stopping=False,
                                              random_state=0).fit(df[["a", "b"]].to_numpy(), df["y"])
    assert np.allclose(apply_map(model, df), reference.predict(df[["a", "b"]].to_numpy()), atol=1e-9)
    assert np.corrcoef(apply_map(model, df), df["y"])[0, 1] > 0.9   # the interaction a linear map cannot fit
    one = apply_map(model, {"a": np.nan, "b": 1.0})     # a missing cue reads as the calibration mean
    assert one.shape == (1,) and one[0] == pytest.approx(apply_map(model, {"a": df["a"].mean(), "b": 1.0})[0])
    assert np.allclose(apply_map(fit_linear_map(df, ["a"], "y"), df), apply_linear_map(fit_linear_map(df, ["a"], "y"), df))


def test_dry_gate_caps_t60_where_p_dry_is_high():
    # one feature; P(dry) = sigmoid(-4 x); reverberant clips have x >= 0, so P(dry) <= 0.5 on them
    dry_map = {"features": ["x"], "fill": {"x": 0.0}, "mean": [0.0], "std": [1.0], "coef": [-4.0], "intercept": 0.0}
    frame = pd.DataFrame({"x": np.linspace(0, 2, 101), "true_t60_s": 0.6})
    gate = fit_dry_gate(frame, dry_map)
    p_rev = 1 / (1 + np.exp(4 * frame["x"]))
    assert (p_rev > gate).mean() <= 0.03 and gate < 0.5
    rest = {"fill": {"x": 0.0}, "mean": [0.0], "std": [1.0], "features": ["x"], "coef": [0.0]}
    cal = {"t60_dry": dry_map, "t60_dry_gate": gate, "t60": {**rest, "intercept": 0.8},
           "c50": {**rest, "intercept": 10.0}, "snr": {**rest, "intercept": 20.0},
           "bandwidth": CALIBRATION["bandwidth"]}
    bands = bandwidth_band_levels(analyse(np.random.default_rng(0).standard_normal(16_000) * 0.1, 16_000))
    est = estimates_from_features(pd.DataFrame({"x": [-0.05, 1.0], **bands}), cal)
    assert est["t60_s"][0] == pytest.approx(T60_WEAK_CAP_S)   # P(dry) ~ 0.55: soft gate would read 0.36 s
    assert est["t60_s"][1] == pytest.approx(0.8 / (1 + np.exp(-4)))  # clear room: soft (1 - P(dry)) x T60


def test_draw_conditions_cover_the_ranges():
    conds = draw_conditions(400, np.random.default_rng(0))
    t60 = np.array([c.t60_s for c in conds])
    assert (t60 == 0).mean() == pytest.approx(0.25, abs=0.07) and t60.max() <= 1.2
    assert {c.noise_color for c in conds} == {"white", "pink"}
    edges = [c.lowpass_hz for c in conds if c.lowpass_hz]
    assert min(edges) >= 3400 and max(edges) <= 7600


def test_fit_refuses_the_evaluation_split():
    with pytest.raises(ValueError, match="calibration split only"):
        fit_calibration(pd.DataFrame({"split": ["evaluation"]}))


def test_coefficients_module_reads_back_the_fitted_maps(tmp_path):
    maps = {"t60": {"kind": "trees", "trees": [{"left": [1, 0, 0], "value": [0.0, -0.25, 1e-17]}]},
            "nested": {"w": [[1.5, -2.0], [3.0, 4.0]]}}
    path = write_coefficients(maps, tmp_path / "coefficients.py", {"seed": 1})
    namespace = runpy.run_path(str(path))   # the module imports as Python (no JSON true/false/NaN)
    assert namespace["CALIBRATION"] == maps and namespace["PROVENANCE"] == {"seed": 1}
    assert '"left": [1, 0, 0]' in path.read_text()      # innermost lists on one line


def test_docs_table_is_written_between_markers(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(f"intro\n{DOCS_START}\nold\n{DOCS_END}\noutro\n")
    table = pd.DataFrame([{"estimator": "T60", "subset": "all", "unit": "s", "n": 3, "mae": 0.1, "bias": -0.01,
                           "spearman": 0.95, "target": "", "check": ""}])
    write_docs_table(table, doc, {"n_per_split": 3, "seed": 1})
    text = doc.read_text()
    assert "old" not in text and "| T60 | all | s | 3 | 0.1 | -0.01 | 0.950 |" in text
    assert text.startswith("intro\n") and text.endswith("outro\n")
    (tmp_path / "bare.md").write_text("no markers")
    with pytest.raises(ValueError, match="no calibration markers"):
        write_docs_table(table, tmp_path / "bare.md", {"n_per_split": 3, "seed": 1})


@pytest.mark.slow
def test_small_sweep_calibrates_and_scores():
    specs = yaml.safe_load(Path("conf/base/parameters_synthesize.yml").read_text())["synthesize"]["corpora"]
    cal = render_sweep(specs, 48, "calibration", 5)
    ev = render_sweep(specs, 32, "evaluation", 5)
    assert set(cal["split"]) == {"calibration"} and len(ev) == 32
    pd.testing.assert_frame_equal(render_sweep(specs, 32, "evaluation", 5), ev)   # seeded: same rows again
    table = accuracy_table(ev, fit_calibration(cal))
    assert set(table["estimator"]) == {"T60", "C50", "SNR", "bandwidth"}
    row = table.set_index(["estimator", "subset"])
    # loose bounds for a 48-clip fit; the full sweep's figures are in docs/profiling.md
    assert row.loc[("T60", "all clips"), "spearman"] > 0.6
    assert row.loc[("T60", "all clips"), "mae"] < 0.3
    assert row.loc[("SNR", "all clips"), "spearman"] > 0.8
    assert row.loc[("SNR", "all clips"), "mae"] < 6
