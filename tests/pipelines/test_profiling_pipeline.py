"""The profiling pipeline's shape, its nodes on tiny inputs, the report and the augmentation check."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf

from ser_generalize.acoustics.distance import corpus_distances
from ser_generalize.acoustics.profile import profile_manifest
from ser_generalize.pipelines.profiling import create_pipeline
from ser_generalize.pipelines.profiling.nodes import (
    augmentation_check,
    build_report,
    combine_profiles,
    combine_rejects,
)
from ser_generalize.reporting.profiling_report import augmentation_verdicts, corpus_summary, pair_factors

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "acoustics"))
from acoustic_signals import SR, burst_train


def test_pipeline_has_one_branch_per_corpus_and_a_report():
    pipe = create_pipeline()
    outputs = pipe.all_outputs()
    for corpus in ("syn_ravdess", "syn_cremad", "syn_emodb", "syn_emovo"):
        assert f"{corpus}.acoustic_profile" in outputs and f"{corpus}.profiling_rejects" in outputs
        assert f"{corpus}.manifest" in pipe.inputs()
    assert {"profiling.distances", "profiling.distribution_plots", "profiling.metrics", "profiling.rejects",
            "profiling.report", "profiling.pair_factors"} <= outputs


def _two_corpora() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    a = pd.DataFrame({"utt_id": list("abcd"), "corpus": "x", "t60_s": rng.uniform(0.1, 0.2, 4),
                      "snr_db": [30.0, 31, 29, 30]})
    b = pd.DataFrame({"utt_id": list("efgh"), "corpus": "y", "t60_s": rng.uniform(0.15, 0.25, 4),
                      "snr_db": [5.0, 6, 4, 5]})
    return a, b


def test_combine_profiles_outputs():
    a, b = _two_corpora()
    params = {"parameters": ["t60_s", "snr_db"]}
    allp, long, wide, plots, heat, metrics = combine_profiles(params, {"corpora": {"x": {"synthetic": True}}}, a, b)
    assert len(allp) == 8 and set(plots) == {"t60_s.png", "snr_db.png"}
    assert "synthetic" in plots["t60_s.png"].axes[0].get_title()
    assert any("T60" in t.get_text() or "decay" in t.get_text() for t in plots["t60_s.png"].texts)  # caption
    assert long.query("corpus_a == 'x' and corpus_b == 'y' and parameter == 'mean'")["distance"].iloc[0] > 0
    assert metrics["profile_median.y.snr_db"]["value"] == 5.0
    assert heat.axes and heat.axes[0].get_title()
    assert {"t60_s", "snr_db", "mean"} <= set(wide.columns)


def test_report_names_the_dominant_factor_of_each_pair():
    a, b = _two_corpora()
    allp = pd.concat([a, b], ignore_index=True)
    long = corpus_distances(allp, ["t60_s", "snr_db"])
    pairs = pair_factors(long, corpus_summary(allp, ["t60_s", "snr_db"]))
    assert pairs.loc[0, "dominant_factor"] == "noise" and pairs.loc[0, "second_factor"] == "reverberation"
    assert "largest gap between x and y is noise" in pairs.loc[0, "summary"]
    assert "ahead of reverberation" in pairs.loc[0, "summary"] and "add noise" in pairs.loc[0, "summary"]
    rejects = combine_rejects(pd.DataFrame({"corpus": ["y"], "path": ["e.wav"], "reason": ["r"], "action": ["a"]}))
    text, table = build_report({"parameters": ["t60_s", "snr_db"], "max_utterances_per_corpus": 4},
                               {"corpora": {"x": {"synthetic": True}}}, allp, rejects, long)
    assert "largest gap between x and y is noise" in text and "at most 4 clips" in text
    assert "| y | 4 | 1 |" in text                                     # clips profiled / rejected
    assert "Synthetic corpora" in text and "x (0.1" in text            # T60 ranking line
    assert len(table) == 1


def test_augmentation_verdicts():
    t = augmentation_verdicts(pd.DataFrame({"parameter": ["a", "b", "c"], "before": [1.0, 1.0, 1.0],
                                            "after": [0.5, 1.5, 1.02], "change": [-0.5, 0.5, 0.02]}))
    assert list(t["verdict"]) == ["gap shrank", "gap grew", "unchanged"]


def test_augmentation_check_profiles_augmented_source_with_calibrated_estimators(tmp_path):
    rows = []
    for corpus, snr in (("src", None), ("tgt", 5.0)):
        for k in range(3):
            x = burst_train(seed=k, seconds=2.5, n_bursts=3)
            if snr is not None:
                x = x + np.random.default_rng(k).standard_normal(x.size) * np.sqrt(np.mean(x**2) / 10 ** (snr / 10))
            path = tmp_path / f"{corpus}{k}.wav"
            sf.write(path, x / max(1.0, np.max(np.abs(x))), SR)
            rows.append({"utt_id": f"{corpus}{k}", "path": str(path), "corpus": corpus})
    manifests = {c: pd.DataFrame([r for r in rows if r["corpus"] == c]) for c in ("src", "tgt")}
    profiles = pd.concat([profile_manifest(m, None, 0)[0] for m in manifests.values()], ignore_index=True)
    params = {"parameters": ["snr_db", "t60_s", "dnsmos_bak"], "seed": 0,
              "augmentation_check": {"source": "src", "target": "tgt", "chain": "noise_only"}}
    augmentation = {"seed": 0, "chains": {"noise_only": [{"name": "pink_noise", "p": 1.0, "snr_db": [5.0, 5.0]}]}}
    table, fig = augmentation_check(manifests, profiles, params, augmentation, {"corpora": {}})
    snr = table.set_index("parameter").loc["snr_db"]
    assert snr["after"] < snr["before"] and snr["verdict"] == "gap shrank"   # noise moves src towards noisy tgt
    assert set(table["verdict"]) <= {"gap shrank", "gap grew", "unchanged"}
    assert fig.axes
