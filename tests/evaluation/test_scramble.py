"""Label scramble: swap map validation, configurations, relative change, the ablation loop."""

from __future__ import annotations

import numpy as np
import pytest

from ser_generalize.evaluation.scramble import (
    DEFAULT_SWAP,
    joint_configurations,
    make_fit_predict,
    relative_change,
    run_ablation,
    swap_labels,
    validate_swap_map,
)


def test_swap_labels_default_map() -> None:
    out = swap_labels(["neutral", "sad", "happy", "angry", "fear"], DEFAULT_SWAP)
    assert out.tolist() == ["sad", "neutral", "angry", "happy", "fear"]
    assert swap_labels(out, DEFAULT_SWAP).tolist() == [
        "neutral",
        "sad",
        "happy",
        "angry",
        "fear",
    ]  # involution


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"neutral": "sad"}, "not symmetric"),
        ({"neutral": "calm", "calm": "neutral"}, "not a unified emotion"),
        ({"sad": "sad"}, "to itself"),
        ({}, "empty"),
    ],
)
def test_invalid_swap_maps(bad: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_swap_map(bad)


def test_joint_configurations() -> None:
    configs = joint_configurations([["a", "b"]], [0.0, 0.5], "second")
    assert [(c.scrambled, c.rate) for c in configs] == [(None, 0.0), ("b", 0.0), (None, 0.5), ("b", 0.5)]
    both = joint_configurations([["a", "b"]], [0.0], "both")
    assert [c.scrambled for c in both] == [None, "a", "b"]
    with pytest.raises(ValueError, match="two different corpora"):
        joint_configurations([["a", "a"]], [0.0])


def test_relative_change() -> None:
    assert relative_change(0.6, 0.8) == pytest.approx(-25.0)
    assert np.isnan(relative_change(0.5, 0.0))


def test_scrambling_a_corpus_hurts_it() -> None:
    """Two corpora with the same class structure: scrambling B's labels must cost B (and A) weighted F1."""
    rng = np.random.default_rng(0)
    labels = ("neutral", "happy", "sad", "angry")
    centres = {lab: rng.normal(0, 4, 6) for lab in labels}

    def corpus(seed: int):
        r = np.random.default_rng(seed)
        y = np.repeat(labels, 20)
        X = np.stack([centres[lab] + r.normal(0, 1, 6) for lab in y])
        return X, y

    data = {"a": (*corpus(1), *corpus(2)), "b": (*corpus(3), *corpus(4))}

    def fit_predict(X_tr, y_tr, X_te):  # nearest class centroid
        cls = sorted(set(y_tr))
        cents = np.stack([X_tr[np.asarray(y_tr) == c].mean(0) for c in cls])
        return np.asarray(cls)[np.argmin(((X_te[:, None] - cents) ** 2).sum(-1), axis=1)]

    seen = []
    results = run_ablation(
        joint_configurations([["a", "b"]], [0.0]),
        lambda c, r: data[c],
        fit_predict,
        labels,
        on_result=lambda cfg, frame: seen.append(cfg.name),
    )
    assert seen == ["a+b|scr=none|rate=0", "a+b|scr=b|rate=0"]
    clean = results[results["scrambled"] == "none"].set_index("eval_corpus")["relative_change_pct"]
    scrambled = results[results["scrambled"] == "b"].set_index("eval_corpus")["relative_change_pct"]
    assert (clean.abs() < 5).all()
    assert scrambled["b"] < -10 and scrambled["a"] < -10
    assert results.set_index(["scrambled", "eval_corpus"])["test_labels"].to_dict() == {
        ("none", "a"): "original", ("none", "b"): "original", ("b", "a"): "original", ("b", "b"): "scrambled"}


def test_a_model_that_keeps_corpora_apart_is_unaffected_on_scrambled_labels() -> None:
    """The paper's finding: corpora far apart in feature space + a local classifier -> B's scrambled score holds."""
    rng = np.random.default_rng(0)
    labels = ("neutral", "happy", "sad", "angry")
    centres = {lab: rng.normal(0, 4, 6) for lab in labels}

    def corpus(seed: int, offset: float):
        r = np.random.default_rng(seed)
        y = np.repeat(labels, 20)
        return np.stack([centres[lab] + offset + r.normal(0, 1, 6) for lab in y]), y

    data = {"a": (*corpus(1, 0.0), *corpus(2, 0.0)), "b": (*corpus(3, 100.0), *corpus(4, 100.0))}

    def nearest_neighbour(X_tr, y_tr, X_te):
        return np.asarray(y_tr)[np.argmin(((X_te[:, None] - X_tr[None]) ** 2).sum(-1), axis=1)]

    results = run_ablation(joint_configurations([["a", "b"]], [0.0], "second"), lambda c, r: data[c],
                           nearest_neighbour, labels)
    scrambled = results[results["scrambled"] == "b"].set_index("eval_corpus")["relative_change_pct"]
    assert abs(scrambled["b"]) < 5 and abs(scrambled["a"]) < 5


@pytest.mark.parametrize(
    "head", [{"kind": "logistic"}, {"kind": "mlp", "epochs": 15, "hidden": [16, 16], "device": "cpu"}]
)
def test_make_fit_predict_learns_separable_classes(head: dict) -> None:
    rng = np.random.default_rng(0)
    y = np.repeat(["neutral", "angry"], 20).astype(object)
    X = np.where((y == "angry")[:, None], 3.0, -3.0) + rng.normal(0, 1, (40, 4))
    pred = make_fit_predict(head, seed=0)(X, y, X)
    assert (pred == y).mean() > 0.9
    with pytest.raises(ValueError, match="head.kind"):
        make_fit_predict({"kind": "svm"})
