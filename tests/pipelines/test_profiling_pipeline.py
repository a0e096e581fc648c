"""The profiling pipeline's shape and its nodes on a tiny two-corpus input."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ser_generalize.pipelines.profiling import create_pipeline
from ser_generalize.pipelines.profiling.nodes import combine_profiles


def test_pipeline_has_one_branch_per_corpus():
    pipe = create_pipeline()
    outputs = pipe.all_outputs()
    for corpus in ("syn_ravdess", "syn_cremad", "syn_emodb", "syn_emovo"):
        assert f"{corpus}.acoustic_profile" in outputs
        assert f"{corpus}.manifest" in pipe.inputs()
    assert {"profiling.distances", "profiling.distribution_plots", "profiling.metrics"} <= outputs


def test_combine_profiles_outputs():
    rng = np.random.default_rng(0)
    a = pd.DataFrame({"utt_id": list("abc"), "corpus": "x", "t60_s": rng.uniform(0.1, 0.2, 3), "snr_db": [30.0, 31, 29]})
    b = pd.DataFrame({"utt_id": list("def"), "corpus": "y", "t60_s": rng.uniform(0.8, 1.0, 3), "snr_db": [5.0, 6, 4]})
    params = {"parameters": ["t60_s", "snr_db"]}
    allp, long, wide, plots, heat, metrics = combine_profiles(params, {"corpora": {"x": {"synthetic": True}}}, a, b)
    assert len(allp) == 6 and set(plots) == {"t60_s.png", "snr_db.png"}
    assert "synthetic" in plots["t60_s.png"].axes[0].get_title()
    assert any("T60" in t.get_text() for t in plots["t60_s.png"].texts)  # the method caption
    assert long.query("corpus_a == 'x' and corpus_b == 'y' and parameter == 'mean'")["distance"].iloc[0] > 0
    assert metrics["profile_median.y.snr_db"]["value"] == 5.0
    assert heat.axes and heat.axes[0].get_title()
    assert {"t60_s", "snr_db", "mean"} <= set(wide.columns)
