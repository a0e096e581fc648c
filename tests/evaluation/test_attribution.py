"""Transfer attribution: drops, pair descriptors, and known truth on a simulated single-factor sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ser_generalize.evaluation.attribution import (
    attribute,
    corpus_descriptors,
    matrix_drops,
    pair_descriptors,
)


def _manifest(
    name: str, language: str, genders: list[str], duration: float, labels=("angry", "happy", "sad")
):
    rows = [
        {
            "utt_id": f"{name}/{s}_{e}",
            "speaker": str(s),
            "gender": g,
            "language": language,
            "emotion": e,
            "duration_s": duration,
        }
        for s, g in enumerate(genders)
        for e in labels
    ]
    return pd.DataFrame(rows)


def _profile(name: str, rng: np.random.Generator, snr: float = 40.0, t60: float = 0.1, f0_std: float = 30.0):
    n = 40
    return pd.DataFrame(
        {
            "utt_id": [f"{name}/{i}" for i in range(n)],
            "corpus": name,
            "snr_db": rng.normal(snr, 2, n),
            "t60_s": rng.normal(t60, 0.03, n),
            "f0_std_hz": rng.normal(f0_std, 3, n),
        }
    )


def test_matrix_drops_use_the_rows_in_domain_score():
    cells = pd.DataFrame(
        {
            "train": ["a", "a", "b", "b", "a+b"],
            "test": ["a", "b", "a", "b", "a"],
            "macro_f1": [0.8, 0.5, 0.4, 0.7, 0.6],
        }
    )
    drops = matrix_drops(cells).set_index(["train", "test"])
    assert list(drops.index) == [("a", "b"), ("b", "a")]
    assert np.isclose(drops.loc[("a", "b"), "drop"], 0.3) and np.isclose(drops.loc[("b", "a"), "drop"], 0.3)


def test_pair_descriptors_from_manifests_and_profiles():
    rng = np.random.default_rng(0)
    manifests = {
        "a": _manifest("a", "en", ["male", "female"], 2.0),
        "b": _manifest("b", "de", ["female", "female", "female", "female"], 4.0, ("angry", "sad")),
    }
    corpora = corpus_descriptors(manifests, {"corpora": {"a": {"synthetic": True}, "b": {"acted": False}}})
    profiles = pd.concat([_profile("a", rng), _profile("b", rng, snr=10.0)])
    d = pair_descriptors(pd.DataFrame({"train": ["a"], "test": ["b"]}), corpora, profiles).iloc[0]
    assert d["language_mismatch"] == 1.0 and d["acted_mismatch"] == 1.0
    assert np.isclose(d["label_distance"], 1 - 2 / 3) and np.isclose(d["gender_balance_diff"], 0.5)
    assert np.isclose(d["speaker_count_diff"], np.log(2)) and np.isclose(d["duration_diff"], np.log(2))
    assert d["dist_snr_db"] > 1.0 > d["dist_t60_s"]


def test_attribution_names_the_changed_factor_of_every_simulated_variant():
    """A base and single-factor variants; the drop of each cell is driven by the factor that changed."""
    rng = np.random.default_rng(1)
    base = _manifest("base", "en", ["male", "female", "male", "female"], 2.0)
    manifests = {"base": base}
    profiles = [_profile("base", rng)]
    truth = {}
    for level in (1, 2, 3):
        manifests[f"lang{level}"] = _manifest(
            f"lang{level}", ["es", "de", "it"][level - 1], ["male", "female", "male", "female"], 2.0
        )
        profiles.append(_profile(f"lang{level}", rng))
        truth[f"lang{level}"] = ("language", 0.4)
        manifests[f"snr{level}"] = base.assign(utt_id=lambda m, lv=level: f"snr{lv}/" + m["utt_id"])
        profiles.append(_profile(f"snr{level}", rng, snr=40 - 10 * level))
        truth[f"snr{level}"] = ("recording", 0.1 * level)
        manifests[f"t60_{level}"] = base.copy()
        profiles.append(_profile(f"t60_{level}", rng, t60=0.1 + 0.3 * level))
        truth[f"t60_{level}"] = ("recording", 0.05 * level)
        manifests[f"expr{level}"] = base.copy()
        profiles.append(_profile(f"expr{level}", rng, f0_std=30 + 10 * level))
        truth[f"expr{level}"] = ("expressiveness", 0.04 * level)
        manifests[f"gender{level}"] = _manifest(f"gender{level}", "en", ["female"] * (4 + 2 * level), 2.0)
        profiles.append(_profile(f"gender{level}", rng))
        truth[f"gender{level}"] = ("speakers", 0.06 * level)
        manifests[f"len{level}"] = _manifest(
            f"len{level}", "en", ["male", "female", "male", "female"], 2.0 * (1 + level)
        )
        profiles.append(_profile(f"len{level}", rng))
        truth[f"len{level}"] = ("length", 0.05 * level)
    drops = pd.DataFrame(
        {"train": "base", "test": list(truth), "drop": [d + rng.normal(0, 0.005) for _, d in truth.values()]}
    )
    corpora = corpus_descriptors(manifests, {"corpora": {c: {"synthetic": True} for c in manifests}})
    descriptors = pair_descriptors(drops, corpora, pd.concat(profiles))
    result = attribute(drops, descriptors, alpha=0.1, n_boot=50)
    top = result.cells.set_index("test")["top_factor"]
    assert {t: top[t] for t in truth} == {t: f for t, (f, _) in truth.items()}
    assert result.factors.iloc[0]["factor"] == "language"
    named = result.factors.dropna(subset=["lo"])
    assert ((named["lo"] <= named["share"] + 1e-9) & (named["share"] <= named["hi"] + 1e-9)).all()
    assert "language mismatch explains most" in result.paragraph
