"""Profile of a clip (incl. DNSMOS), determinism, bad files skipped, distances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import soundfile as sf
from acoustic_signals import SR, burst_train

from ser_generalize.acoustics.distance import corpus_distances, distance_matrix
from ser_generalize.acoustics.profile import PROFILE_PARAMETERS, profile_manifest, profile_utterance


def test_profile_deterministic_and_noise_lowers_bak():
    clean = burst_train(seconds=3.0, n_bursts=3)
    noisy = clean + np.random.default_rng(0).standard_normal(clean.size) * 0.05
    p1, p2 = profile_utterance(clean, SR), profile_utterance(clean, SR)
    assert p1 == p2 and set(p1) == set(PROFILE_PARAMETERS)
    pn = profile_utterance(noisy, SR)
    assert pn["dnsmos_bak"] < p1["dnsmos_bak"]
    assert pn["snr_db"] < p1["snr_db"]


def test_profile_manifest_skips_bad_file(tmp_path):
    good = tmp_path / "a.wav"
    sf.write(good, burst_train(seconds=2.0, n_bursts=2), SR)
    bad = tmp_path / "b.wav"
    bad.write_bytes(b"not audio")
    m = pd.DataFrame({"utt_id": ["a", "b"], "path": [str(good), str(bad)], "corpus": ["c", "c"]})
    out = profile_manifest(m, max_utterances=None, seed=0)
    assert list(out["utt_id"]) == ["a"]
    assert out["duration_s"].iloc[0] == 2.0


def test_corpus_distances_normalised_and_ordered():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "corpus": ["a"] * 200 + ["b"] * 200 + ["c"] * 200,
        "x": np.r_[rng.normal(0, 1, 200), rng.normal(0.5, 1, 200), rng.normal(3, 1, 200)],
        "y": np.r_[rng.normal(0, 1, 200), rng.normal(0, 1, 200), rng.normal(0, 1, 200)] * 1000,
    })
    long = corpus_distances(df, ["x", "y"])
    d = distance_matrix(long, "x")
    assert d.loc["a", "a"] == 0.0
    assert d.loc["a", "b"] < d.loc["a", "c"]
    assert distance_matrix(long, "y").loc["a", "b"] < 0.5   # scale-free despite the x1000
    mean = distance_matrix(long).loc["a", "c"]
    assert mean == np.mean([d.loc["a", "c"], distance_matrix(long, "y").loc["a", "c"]])
