"""Scenario planning and OOD label handling."""

from __future__ import annotations

import numpy as np
import pytest

from ser_generalize.evaluation.cross_corpus import (
    Scenario,
    cell_labels,
    is_in_domain,
    mask_logits,
    plan_scenarios,
)


def test_plan_scenarios_single_joint_and_all_but_one():
    rows = plan_scenarios(["a", "b", "c"], [{"name": "ab", "train": ["a", "b"]}, {"all_but_one": True}])
    assert [r.name for r in rows] == ["a", "b", "c", "ab", "all_but_a", "all_but_b", "all_but_c"]
    assert rows[4].train == ("b", "c")
    with pytest.raises(ValueError, match="unknown"):
        plan_scenarios(["a"], [{"name": "x", "train": ["zzz"]}])


def test_cell_labels_in_domain_keeps_other_ood_drops_it():
    assert cell_labels(["angry", "other", "sad"], ["sad", "other"], in_domain=True) == ["angry", "other", "sad"]
    assert cell_labels(["angry", "other", "sad"], ["sad", "other", "happy"], in_domain=False) == ["sad"]
    assert is_in_domain(Scenario("a", ("a",)), "a") and not is_in_domain(Scenario("ab", ("a", "b")), "a")


def test_mask_logits_never_predicts_masked_classes():
    logits = np.array([[5.0, 1.0, 0.0], [0.0, 1.0, 9.0]])
    masked = mask_logits(logits, ["other", "sad", "angry"], ["sad", "angry"])
    assert masked.argmax(1).tolist() == [1, 2]
    assert np.isinf(masked[:, 0]).all() and logits[0, 0] == 5.0
