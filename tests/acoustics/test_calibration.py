"""Calibration sweep: truth from the generator's chain, maps fitted on one split, scored on another."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ser_generalize.acoustics.calibration import (
    DOCS_END,
    DOCS_START,
    accuracy_table,
    apply_linear_map,
    draw_conditions,
    fit_calibration,
    fit_linear_map,
    render_sweep,
    true_active_snr,
    write_docs_table,
)
from ser_generalize.corpora.synthetic.conditions import Condition, apply_condition, render_condition


def test_render_condition_parts_add_up_and_match_apply_condition():
    rng_speech = np.random.default_rng(0)
    speech = np.zeros(16_000, np.float32)
    speech[4000:12000] = rng_speech.standard_normal(8000) * 0.1
    cond = Condition(t60_s=0.5, direct_to_reverb_db=2, lowpass_hz=4000, snr_db=10, noise_color="pink")
    r = render_condition(speech, 16_000, cond, np.random.default_rng(1))
    assert np.array_equal(r.audio, apply_condition(speech, 16_000, cond, np.random.default_rng(1)))
    assert np.allclose(r.audio, r.speech + r.noise, atol=1e-6)
    whole = 10 * np.log10(np.mean(r.speech**2) / np.mean(r.noise**2))
    assert whole == pytest.approx(10, abs=0.5)   # pink noise keeps some DC: power = 1 + mean^2
    assert true_active_snr(r.speech, r.noise) > whole       # active frames only: the silent half is left out


def test_linear_map_recovers_a_linear_truth_and_fills_missing_values():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    df["y"] = 2 * df["a"] - df["b"] + 1
    m = fit_linear_map(df, ["a", "b"], "y", ridge=1e-6)
    assert np.allclose(apply_linear_map(m, df), df["y"], atol=1e-4)
    assert np.isfinite(apply_linear_map(m, {"a": np.nan, "b": 0.0})).all()


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
