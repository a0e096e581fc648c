"""Factor-sweep variants: exactly one factor changed, written settings, paired seeds, cache by settings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from ser_generalize.corpora.synthetic.variants import (
    FACTOR_KEYS,
    changed_settings,
    derive_variants,
    ensure_variants,
    is_cached,
    variant_manifests,
    variant_table,
)

BASE = {
    "layout": "cremad",
    "language": "en",
    "expressiveness": 1.2,
    "per_emotion": 1,
    "emotions": ["neutral", "angry"],
    "speakers": [
        {"id": "1001", "gender": "male", "variant": "m3", "pitch": -4, "rate": 0.0},
        {"id": "1002", "gender": "female", "variant": "f2", "pitch": 8, "rate": 0.0},
    ],
    "condition": {"snr_db": 40, "noise_color": "white", "gain_db": -1},
}
FACTORS = {
    "language": ["de", "it"],
    "speakers": {
        "all_female": [{"id": "1011", "gender": "female", "variant": "f3", "pitch": 5, "rate": 0.0}]
    },
    "noise_white": [10],
    "noise_pink": [10],
    "reverberation": [0.6],
    "band_limit": [2000],
    "expressiveness": [0.5],
    "length": {"short": ["Go now."]},
}


def test_every_variant_changes_exactly_one_factor():
    specs = derive_variants(BASE, FACTORS, "b")
    assert len(specs) == 1 + 9
    for name, spec in specs.items():
        changed = changed_settings(specs["b"], spec)
        if spec["factor"] == "base":
            assert not changed
        else:
            assert changed and changed <= set(FACTOR_KEYS[spec["factor"]]), (name, changed)
            assert spec["seed_corpus"] == "b"
    assert specs["b__noise_pink_10"]["condition"] == {"snr_db": 10.0, "noise_color": "pink", "gain_db": -1}
    table = variant_table(specs)
    assert table.loc[table["corpus"] == "b__language_it", "level_index"].item() == 2


def test_unknown_factor_is_a_config_error():
    with pytest.raises(KeyError, match="unknown factor"):
        derive_variants(BASE, {"accent": ["x"]})


def test_variants_are_written_once_paired_with_the_base_and_read_back(tmp_path: Path):
    specs = derive_variants(BASE, {"noise_white": [5], "language": ["de"]}, "b")
    roots = ensure_variants(specs, tmp_path, seed=3)
    written = {n: json.loads((Path(r) / "conditions.json").read_text()) for n, r in roots.items()}
    for name, spec in specs.items():
        assert changed_settings(written["b"], written[name]) == changed_settings(specs["b"], spec)
        assert is_cached(Path(roots[name]), spec, 3)
    clip = "AudioWAV/1001_IEO_ANG_LO.wav"
    base, noisy = (sf.read(Path(roots[n]) / clip)[0] for n in ("b", "b__noise_white_5"))
    residual = noisy - base  # same seeds: the variant is the base's utterance plus noise
    assert len(base) == len(noisy) and 10 * np.log10(
        np.mean(base**2) / np.mean(residual**2)
    ) == pytest.approx(5, abs=1.5)
    stamp = {n: (Path(r) / clip).stat().st_mtime_ns for n, r in roots.items()}
    ensure_variants(specs, tmp_path, seed=3)
    assert stamp == {n: (Path(r) / clip).stat().st_mtime_ns for n, r in roots.items()}
    assert not is_cached(Path(roots["b"]), {**specs["b"], "expressiveness": 2.0}, 3)
    manifests = variant_manifests(specs, roots)
    assert set(manifests["b__language_de"]["language"]) == {"de"}
    assert len(manifests["b"]) == len(manifests["b__noise_white_5"]) == 4
