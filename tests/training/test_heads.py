"""fit_head / predict_logits on tiny separable frame features."""

from __future__ import annotations

import numpy as np

from ser_generalize.training.heads import fit_head, predict_logits


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
