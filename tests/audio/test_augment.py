"""The seven augmentations stay within the paper's ranges, are seeded, and rate p augments exactly that fraction."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.signal import welch

from ser_generalize.audio.augment import (
    AugmentationConfigError,
    augmentation_transform,
    build_chain,
    n_augmented,
    select_augmented,
)
from ser_generalize.audio.augmentations.steps import AUGMENTATIONS, build_step

SR = 16_000
ROOT = Path(__file__).resolve().parents[2]
N_SEEDS = 25


def speechlike(seconds: float = 0.5, seed: int = 0) -> np.ndarray:
    """Harmonics plus a little white noise: broadband enough to see filters act."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    wave = sum(np.sin(2 * np.pi * 180 * k * t) / k for k in range(1, 20)) * 0.1
    return (wave + 0.02 * rng.standard_normal(t.size)).astype(np.float32)


def draws(name: str, n: int = N_SEEDS, **cfg: object) -> list[tuple[np.ndarray, np.ndarray, dict]]:
    step = build_step({"name": name, **cfg}, SR)
    x = speechlike()
    return [(x, *step(x, np.random.default_rng(seed))) for seed in range(n)]


def test_all_seven_augmentations_exist() -> None:
    assert set(AUGMENTATIONS) == {
        "specaugment",
        "time_stretch",
        "time_shift",
        "fade",
        "equalization",
        "pink_noise",
        "reverb",
    }


def test_time_stretch_rate_within_paper_range_and_changes_length() -> None:
    rates = []
    for x, y, p in draws("time_stretch"):
        assert 0.9 <= p["rate"] <= 1.2
        assert abs(len(y) - len(x) / p["rate"]) < 0.02 * len(x)
        rates.append(p["rate"])
    assert max(rates) - min(rates) > 0.15  # the range is actually explored


def test_time_shift_moves_the_signal_by_the_drawn_fraction() -> None:
    for x, y, p in draws("time_shift", n=10):
        assert -0.1 <= p["shift_fraction"] <= 0.1
        shift = round(p["shift_fraction"] * len(x))
        middle = slice(len(x) // 4, 3 * len(x) // 4)
        assert np.allclose(y[middle], np.roll(x, shift)[middle], atol=1e-6)


def test_fade_touches_at_most_ten_percent_at_each_end() -> None:
    for x, y, p in draws("fade"):
        assert 0 <= p["fade_in_fraction"] <= 0.1 and 0 <= p["fade_out_fraction"] <= 0.1
        ten = int(0.1 * len(x))
        assert np.array_equal(y[ten:-ten], x[ten:-ten])
        if p["fade_in_fraction"] > 0.01:
            assert y[0] == 0.0


def test_equalization_is_ninth_order_and_attenuates_outside_cutoffs() -> None:
    step = build_step("equalization", SR)
    noise = np.random.default_rng(0).standard_normal(SR).astype(np.float32) * 0.1
    freqs, before = welch(noise, fs=SR, nperseg=2048)
    for seed in range(8):
        y, p = step(noise, np.random.default_rng(seed))
        assert p["order"] == 9
        assert 50.0 <= p["highpass_hz"] <= 400.0 and 3000.0 <= p["lowpass_hz"] <= 7000.0
        _, after = welch(y, fs=SR, nperseg=2048)
        above = (freqs > p["lowpass_hz"] * 1.25) & (freqs < 7800)
        below = (freqs > 0) & (freqs < p["highpass_hz"] / 2)
        for band in (above, below):
            if band.any():  # 9th order (54 dB/octave): far below the input
                assert after[band].sum() < 1e-2 * before[band].sum()
        passband = (freqs > 600) & (freqs < 2500)
        assert after[passband].sum() > 0.5 * before[passband].sum()


def test_pink_noise_snr_within_range_and_measured() -> None:
    for x, y, p in draws("pink_noise", n=10):
        assert 10.0 <= p["snr_db"] <= 30.0
        noise = y - x
        snr = 10 * np.log10(np.mean(x**2) / np.mean(noise**2))
        assert abs(snr - p["snr_db"]) < 0.5
        freqs, psd = welch(noise, fs=SR, nperseg=1024)
        assert psd[(freqs > 100) & (freqs < 200)].mean() > 10 * psd[(freqs > 3000) & (freqs < 6000)].mean()


def test_reverb_parameters_within_paper_limits() -> None:
    for x, y, p in draws("reverb"):
        assert 0.0 <= p["room_size"] <= 0.2
        assert 0.0 <= p["wet_level"] <= 0.5
        assert p["dry_level"] == 0.4
        assert y.shape == x.shape and not np.allclose(y, x)


def test_specaugment_masks_within_limits() -> None:
    for x, y, p in draws("specaugment", n=10):
        assert 0.0 <= p["time_mask_fraction"] <= 0.1
        assert 150.0 <= p["freq_center_hz"] <= 5000.0 and 0.1 <= p["freq_bandwidth_fraction"] <= 1.0
        start, length = p["time_mask_start"], p["time_mask_samples"]
        fade = int(0.005 * SR)
        if length > 2 * fade + 2:
            assert np.all(y[start + fade : start + length - fade] == 0.0)
        assert y.shape == x.shape


@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_each_augmentation_is_deterministic_finite_float32(name: str) -> None:
    step = build_step(name, SR)
    x = speechlike()
    a, pa = step(x, np.random.default_rng(7))
    b, pb = step(x, np.random.default_rng(7))
    _, pc = step(x, np.random.default_rng(8))
    assert np.array_equal(a, b) and pa == pb
    assert pa != pc
    assert a.dtype == np.float32 and a.ndim == 1 and np.all(np.isfinite(a))


def test_chain_is_deterministic_and_leaves_global_rngs_alone() -> None:
    chain = build_chain("all_seven")
    x = speechlike()
    random.seed(1)
    np.random.seed(1)
    expected_py, expected_np = random.random(), np.random.random()
    random.seed(1)
    np.random.seed(1)
    a, records = chain.apply_with_params(x, np.random.default_rng(3))
    assert (random.random(), np.random.random()) == (expected_py, expected_np)
    assert np.array_equal(a, chain(x, np.random.default_rng(3)))
    assert [r["name"] for r in records] == [s.name for s in chain.steps] and all(
        r["applied"] for r in records
    )


def test_min_applied_guarantees_an_augmented_clip_changes() -> None:
    chain = build_chain(
        {"steps": [{"name": "reverb", "p": 0.0}, {"name": "fade", "p": 0.0}], "min_applied": 1}
    )
    x = speechlike()
    for seed in range(5):
        _, records = chain.apply_with_params(x, np.random.default_rng(seed))
        assert sum(r["applied"] for r in records) == 1


@pytest.mark.parametrize("rate", [0.0, 0.2, 0.5, 0.7, 1.0])
@pytest.mark.parametrize("n", [10, 37])
def test_rate_augments_exactly_that_fraction(rate: float, n: int) -> None:
    train = [f"spk{i % 3}_utt{i:03d}" for i in range(n)]
    transform, key = augmentation_transform("fade", rate, seed=42, train_utt_ids=train)
    x = speechlike(0.2)
    changed = [u for u in train if not np.array_equal(transform(u, x), x)]
    assert len(changed) == n_augmented(rate, n) == round(rate * n)
    assert set(changed) == set(transform.augmented_ids)  # type: ignore[attr-defined]
    assert transform("test_only_utt", x) is x  # rows outside training pass through untouched
    assert key.startswith("aug-") and f"rate{rate:g}" in key and "seed42" in key


def test_selection_and_per_utterance_params_do_not_depend_on_order() -> None:
    ids = [f"u{i}" for i in range(20)]
    forward, key_a = augmentation_transform("all_seven", 0.5, 1, ids)
    backward, key_b = augmentation_transform("all_seven", 0.5, 1, list(reversed(ids)))
    assert forward.augmented_ids == backward.augmented_ids and key_a == key_b  # type: ignore[attr-defined]
    chosen = sorted(forward.augmented_ids)  # type: ignore[attr-defined]
    x = speechlike(0.3)
    assert np.array_equal(forward(chosen[0], x), backward(chosen[0], x))
    assert not np.array_equal(forward(chosen[0], x), forward(chosen[1], x))
    assert select_augmented(ids, 0.5, 2) != forward.augmented_ids  # type: ignore[attr-defined]


def test_transform_key_tracks_chain_rate_and_seed() -> None:
    ids = ["a", "b", "c", "d"]
    keys = {
        augmentation_transform("all_seven", 0.5, 1, ids)[1],
        augmentation_transform("all_seven", 0.7, 1, ids)[1],
        augmentation_transform("all_seven", 0.5, 2, ids)[1],
        augmentation_transform("reverb", 0.5, 1, ids)[1],
        augmentation_transform([{"name": "reverb", "room_size": [0.0, 0.1]}], 0.5, 1, ids)[1],
    }
    assert len(keys) == 5


@pytest.mark.parametrize(
    ("step", "needle"),
    [
        ({"name": "reverb", "room_size": [0.0, 0.3]}, "room_size"),
        ({"name": "reverb", "wet_level": 0.6}, "wet_level"),
        ({"name": "reverb", "dry_level": 0.5}, "dry_level"),
        ({"name": "time_stretch", "rate": [0.8, 1.2]}, "rate"),
        ({"name": "time_stretch", "rate": [1.1, 1.0]}, "low > high"),
        ({"name": "fade", "fade_in_fraction": [0.0, 0.2]}, "fade_in_fraction"),
        ({"name": "equalization", "order": 4}, "order"),
        ({"name": "specaugment", "time_mask_fraction": [0.0, 0.5]}, "time_mask_fraction"),
        ({"name": "pink_noise", "snr_db": "loud"}, "snr_db"),
        ({"name": "pink_noise", "colour": "white"}, "unknown keys"),
        ({"name": "reverb", "p": 1.5}, "p=1.5"),
        ({"name": "chorus"}, "unknown augmentation"),
    ],
)
def test_out_of_range_configs_raise_clear_errors(step: dict, needle: str) -> None:
    with pytest.raises(AugmentationConfigError, match=needle):
        build_chain([step])


def test_unknown_chain_and_bad_rate_raise() -> None:
    with pytest.raises(AugmentationConfigError, match="unknown augmentation chain 'nope'"):
        build_chain("nope")
    with pytest.raises(ValueError, match="augmentation rate"):
        augmentation_transform("all_seven", 1.5, 0, ["a"])


def test_configured_chains_build_and_respect_limits() -> None:
    params = yaml.safe_load((ROOT / "conf/base/parameters_augmentation.yml").read_text())["augmentation"]
    assert params["rate"] == 0.0 and params["chain"] == "all_seven"
    assert params["rates_sweep"] == [0.0, 0.2, 0.5, 0.7, 1.0]
    for name in params["chains"]:
        chain = build_chain(name, chains=params["chains"])
        assert chain.steps
    all_seven = build_chain("all_seven", chains=params["chains"])
    assert {s.name for s in all_seven.steps} == set(AUGMENTATIONS)
    y = all_seven(speechlike(), np.random.default_rng(0))
    assert y.dtype == np.float32 and np.all(np.isfinite(y))


def test_specaugment_frequency_mask_removes_the_drawn_band() -> None:
    step = build_step(
        {"name": "specaugment", "time_mask_fraction": 0.0, "freq_bandwidth_fraction": [0.5, 1.0]}, SR
    )
    noise = np.random.default_rng(1).standard_normal(SR).astype(np.float32) * 0.1
    freqs, before = welch(noise, fs=SR, nperseg=2048)
    for seed in range(5):
        y, p = step(noise, np.random.default_rng(seed))
        _, after = welch(y, fs=SR, nperseg=2048)
        centre, width = p["freq_center_hz"], p["freq_bandwidth_fraction"] * p["freq_center_hz"]
        inner = np.abs(freqs - centre) < width / 4
        outer = (freqs > 0) & (np.abs(freqs - centre) > width * 2)
        assert after[inner].sum() < 0.05 * before[inner].sum()  # > 13 dB down inside the band
        assert after[outer].sum() > 0.8 * before[outer].sum()


def test_transform_key_tracks_the_exact_augmented_set() -> None:
    fold_a = [f"u{i}" for i in range(10)]
    fold_b = [f"u{i}" for i in range(5, 15)]
    (ta, key_a), (tb, key_b) = (augmentation_transform("fade", 1.0, 1, ids) for ids in (fold_a, fold_b))
    assert ta.augmented_ids != tb.augmented_ids and key_a != key_b  # type: ignore[attr-defined]
    assert augmentation_transform("fade", 1.0, 1, list(reversed(fold_a)))[1] == key_a
