"""Logit adjustment: formula and its effect on a prior-biased classifier."""

from __future__ import annotations

import numpy as np
import pytest

from ser_generalize.training.logit_adjustment import adjust_logits, train_prior


def test_prior_and_formula():
    prior = train_prior(np.array([0, 0, 0, 1]), 3)
    assert prior[:2] == pytest.approx([0.75, 0.25]) and prior[2] > 0
    logits = np.array([[1.0, 0.5, 0.0]])
    out = adjust_logits(logits, prior, tau=2.0)
    assert out == pytest.approx(logits - 2.0 * np.log(prior))
    assert adjust_logits(logits, prior, tau=0.0) == pytest.approx(logits)


def test_adjustment_flips_prior_dominated_prediction():
    prior = np.array([0.9, 0.1])
    logits = np.log(prior) + np.array([[0.0, 0.5]])  # the majority wins only because of its prior
    assert logits.argmax() == 0 and adjust_logits(logits, prior, 1.0).argmax() == 1
    with pytest.raises(ValueError, match="classes"):
        adjust_logits(logits, np.array([0.5, 0.3, 0.2]))
