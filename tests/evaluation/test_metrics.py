"""Cell metrics against hand-computed values."""

from __future__ import annotations

import pytest

from ser_generalize.evaluation.metrics import classification_metrics


def test_metrics_hand_computed():
    y = ["a", "a", "a", "b"]
    p = ["a", "a", "b", "b"]
    m = classification_metrics(y, p, ["a", "b"])
    assert m["wa"] == pytest.approx(0.75)
    assert m["ua"] == pytest.approx((2 / 3 + 1) / 2)
    f1_a, f1_b = 0.8, 2 / 3
    assert m["macro_f1"] == pytest.approx((f1_a + f1_b) / 2)
    assert m["weighted_f1"] == pytest.approx(0.75 * f1_a + 0.25 * f1_b)
