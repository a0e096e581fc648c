"""fit_head / predict_logits on tiny separable frame features."""

from __future__ import annotations

import logging

import numpy as np

from ser_generalize.training.heads import ClipCache, fit_head, predict_logits, streaming_stats


def _data(seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], 20)
    frames = [rng.normal(2.0 * lab, 0.5, size=(int(rng.integers(3, 9)), 4)).astype(np.float16) for lab in y]
    return frames, y


def test_fit_head_learns_with_early_stopping_and_is_seeded():
    frames, y = _data()
    cfg = {"type": "ser_evals_mlp", "hidden": [16, 16], "epochs": 50, "lr": 0.01, "patience": 3,
           "val_fraction": 0.25, "seed": 3}
    head = fit_head(frames, y, ["neg", "pos"], cfg)
    assert len(head.history) < 50  # early stopping kicked in
    assert head.prior.tolist() == [0.5, 0.5]
    test_frames, test_y = _data(1)
    logits = predict_logits(head, test_frames)
    assert logits.shape == (40, 2) and (logits.argmax(1) == test_y).mean() > 0.9
    again = fit_head(frames, y, ["neg", "pos"], cfg)
    assert np.allclose(predict_logits(again, test_frames), logits, atol=1e-5)


def _store_view(frames, tmp_path):
    from ser_generalize.datasets.feature_store import write_feature_set
    from ser_generalize.features.view import FeatureSet

    ids = np.asarray([f"u{i}" for i in range(len(frames))])
    pooled = np.stack([f.astype(np.float32).mean(0) for f in frames])
    return write_feature_set(FeatureSet(ids, list(frames), pooled, "k", {}), tmp_path / "store")


def test_streaming_from_the_store_equals_in_memory_training_exactly(tmp_path):
    frames, y = _data()
    view = _store_view(frames, tmp_path)
    cfg = {"hidden": [8, 8], "epochs": 6, "lr": 0.01, "val_fraction": 0.25, "seed": 7, "max_frames": 4}
    in_memory = fit_head(frames, y, ["neg", "pos"], cfg)
    streamed = fit_head(view.frames, y, ["neg", "pos"], {**cfg, "memory_budget_mb": 0})  # nothing cached
    assert streamed.history == in_memory.history
    np.testing.assert_array_equal(predict_logits(streamed, view.frames), predict_logits(in_memory, frames))
    assert isinstance(view.frames[0], np.memmap)


def test_streaming_stats_match_numpy_and_ignore_nans():
    rng = np.random.default_rng(1)
    clips = [rng.normal(3, 2, size=(int(n), 5)).astype(np.float16) for n in rng.integers(1, 40, 12)]
    clips[3][0, 2] = np.nan
    mean, std = streaming_stats(clips, range(len(clips)))
    stacked = np.concatenate(clips).astype(np.float64)
    np.testing.assert_allclose(mean, np.nanmean(stacked, 0), rtol=1e-6)
    np.testing.assert_allclose(std, np.nanstd(stacked, 0) + 1e-6, rtol=1e-6)


def test_clip_cache_stays_within_its_budget():
    frames = [np.ones((100, 64), np.float16) for _ in range(50)]  # 25.6 kB per float32 clip
    cache = ClipCache(frames, limit=100, budget_mb=0.1)
    for row in range(50):
        assert cache[row].shape == (100, 64)
    assert 0 < cache.nbytes <= 0.1 * 2**20


def test_tiny_training_set_says_there_is_no_validation(caplog):
    frames, y = _data()
    small = [frames[i] for i in (0, 1, 2, 20, 21, 22)]
    cfg = {"hidden": [8, 8], "epochs": 4, "patience": 1, "seed": 0}
    with caplog.at_level(logging.WARNING, logger="ser_generalize.training.heads"):
        head = fit_head(small, np.array([0, 0, 0, 1, 1, 1]), ["neg", "pos"], cfg, desc="tiny")
    assert "fit_head(tiny): no validation split (only 6 rows" in caplog.text
    assert head.validation == "none" and len(head.history) == 4  # no early stopping, all epochs run
    assert all("val_loss" not in h for h in head.history)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ser_generalize.training.heads"):
        head = fit_head(frames, y, ["neg", "pos"], {**cfg, "val_fraction": 0.0})
    assert "val_fraction is 0" in caplog.text and head.validation == "none"
    assert fit_head(frames, y, ["neg", "pos"], cfg).validation == "holdout"


def test_threads_option_is_applied_and_restored():
    import torch

    frames, y = _data()
    before = torch.get_num_threads()
    seen = []
    original = torch.set_num_threads

    def spy(n):
        seen.append(n)
        original(n)

    torch.set_num_threads = spy
    try:
        fit_head(frames, y, ["neg", "pos"], {"hidden": [8, 8], "epochs": 1, "threads": 2})
    finally:
        torch.set_num_threads = original
    assert seen == [2, before] and torch.get_num_threads() == before


def _fit_logits(seed: int) -> np.ndarray:
    frames, y = _data()
    head = fit_head(frames, y, ["neg", "pos"], {"hidden": [8, 8], "epochs": 3, "seed": seed}, device="cpu")
    return predict_logits(head, frames)


def test_seeded_fit_is_identical_in_another_process():
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        elsewhere = pool.submit(_fit_logits, 4).result()
    np.testing.assert_array_equal(elsewhere, _fit_logits(4))


def test_clip_cache_views_survive_a_batch_and_hits_return_the_same_frames():
    rng = np.random.default_rng(0)
    frames = [rng.normal(size=(int(n), 4)).astype(np.float16) for n in rng.integers(1, 30, 40)]
    cache = ClipCache(frames, limit=20, budget_mb=8 * 20 * 4 * 4 / 2**20, min_slots=8)  # room for 8 slots
    assert cache[0].dtype == np.float32 and cache.capacity == 8
    for start in range(0, 40, 8):  # batches of min_slots clips, twice over: misses, evictions, then misses again
        batch = [cache[r] for r in range(start, start + 8)]
        for r, clip in zip(range(start, start + 8), batch, strict=True):
            np.testing.assert_array_equal(clip, ClipCache(frames, 20, 0)[r])  # uncached read of the same clip
    again = cache[39]  # a hit: the slot's frames, not a stale neighbour
    np.testing.assert_array_equal(again, ClipCache(frames, 20, 0)[39])
    assert cache.nbytes == 8 * 20 * 4 * 4


def test_clip_cache_without_room_for_a_batch_caches_nothing():
    frames = [np.ones((10, 4), np.float16) for _ in range(5)]
    cache = ClipCache(frames, limit=10, budget_mb=2 * 10 * 4 * 4 / 2**20, min_slots=4)
    assert cache[0].shape == (10, 4) and cache.capacity == 0 and cache.nbytes == 0
