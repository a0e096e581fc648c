"""Profile of a clip (incl. DNSMOS), determinism, unusable clips to the rejects table, bugs raise, distances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from acoustic_signals import SR, burst_train

import ser_generalize.acoustics.profile as profile_module
from ser_generalize.acoustics.distance import corpus_distances, distance_matrix
from ser_generalize.acoustics.profile import (
    PROFILE_PARAMETERS,
    QUALITY_PARAMETERS,
    profile_manifest,
    profile_utterance,
)
from ser_generalize.corpora.manifest import REJECT_COLUMNS


def test_profile_deterministic_and_noise_lowers_bak_and_snr():
    clean = burst_train(seconds=3.0, n_bursts=3)
    noisy = clean + np.random.default_rng(0).standard_normal(clean.size) * 0.05
    p1, p2 = profile_utterance(clean, SR), profile_utterance(clean, SR)
    assert p1 == p2 and set(p1) == set(PROFILE_PARAMETERS)
    pn = profile_utterance(noisy, SR)
    assert pn["dnsmos_bak"] < p1["dnsmos_bak"]
    assert pn["snr_db"] < p1["snr_db"]
    fast = profile_utterance(clean, SR, quality=False)  # the fast profile skips DNSMOS and roll-off only
    assert set(fast) == set(PROFILE_PARAMETERS) - set(QUALITY_PARAMETERS)
    assert all(fast[k] == p1[k] for k in fast)


def _manifest(tmp_path) -> pd.DataFrame:
    good = tmp_path / "a.wav"
    sf.write(good, burst_train(seconds=2.0, n_bursts=2), SR)
    bad = tmp_path / "b.wav"
    bad.write_bytes(b"not audio")
    silent = tmp_path / "c.wav"
    sf.write(silent, np.zeros(SR), SR)
    return pd.DataFrame({"utt_id": ["a", "b", "c"], "path": [str(good), str(bad), str(silent)], "corpus": "k"})


def test_unusable_clips_go_to_the_rejects_table(tmp_path):
    out, rejects = profile_manifest(_manifest(tmp_path), max_utterances=None, seed=0)
    assert list(out["utt_id"]) == ["a"]
    assert out["duration_s"].iloc[0] == 2.0
    assert list(rejects.columns) == list(REJECT_COLUMNS)
    assert sorted(rejects["path"].str.rsplit("/", n=1).str[-1]) == ["b.wav", "c.wav"]
    reasons = dict(zip(rejects["path"].str.rsplit("/", n=1).str[-1], rejects["reason"]))
    assert "decod" in reasons["b.wav"] and "silence" in reasons["c.wav"]
    assert rejects["action"].str.len().gt(0).all()


def test_a_bug_in_an_estimator_fails_the_run(tmp_path, monkeypatch):
    def broken(waveform, sr):
        raise ZeroDivisionError("estimator bug")

    monkeypatch.setattr(profile_module, "loudness_lufs", broken)
    with pytest.raises(ZeroDivisionError):
        profile_manifest(_manifest(tmp_path), max_utterances=None, seed=0)


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
