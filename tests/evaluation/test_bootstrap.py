"""Speaker bootstrap: metrics from confusions equal sklearn's; intervals shrink with speakers and cover the truth."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, recall_score

from ser_generalize.evaluation.bootstrap import (
    bias_corrected_interval,
    metrics_from_confusions,
    percentile_interval,
    speaker_confusions,
    speaker_weights,
)
from ser_generalize.evaluation.metrics import METRICS, classification_metrics

LABELS = ["angry", "happy", "neutral", "sad", "fear"]


@pytest.mark.parametrize("seed", range(8))
def test_metrics_from_confusions_equal_sklearn(seed: int) -> None:
    """Same four numbers as classification_metrics and sklearn (zero_division=0), absent classes included."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 300))
    true_pool = LABELS[: int(rng.integers(1, len(LABELS) + 1))]  # some labels never occur as truth
    y_true = rng.choice(true_pool, n)
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.choice(LABELS, n))
    speakers = rng.integers(0, 6, n)
    _, conf = speaker_confusions(y_true, y_pred, speakers, LABELS)
    got = metrics_from_confusions(conf.sum(axis=0))
    ref = classification_metrics(y_true, y_pred, LABELS)
    for m in METRICS:
        assert float(got[m]) == pytest.approx(ref[m], abs=1e-12)
    present = sorted(set(y_true))
    assert float(got["macro_f1"]) == pytest.approx(
        f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0))
    assert float(got["ua"]) == pytest.approx(recall_score(y_true, y_pred, labels=present, average="macro"))
    assert float(got["wa"]) == pytest.approx(accuracy_score(y_true, y_pred))


def test_metrics_vectorised_over_leading_axes_and_empty() -> None:
    """A (2, 3, L, L) stack gives (2, 3) arrays equal to one-by-one; an all-zero matrix gives NaN."""
    rng = np.random.default_rng(0)
    stack = rng.integers(0, 5, (2, 3, 4, 4)).astype(float)
    stack[1, 2] = 0
    many = metrics_from_confusions(stack)
    for m in METRICS:
        assert many[m].shape == (2, 3)
        assert many[m][0, 1] == pytest.approx(float(metrics_from_confusions(stack[0, 1])[m]))
        assert np.isnan(many[m][1, 2])


def test_speaker_confusions_layout_and_errors() -> None:
    """Sorted speaker ids, C[s, true, pred]; labels outside the cell's set are refused with a fix."""
    ids, conf = speaker_confusions(["a", "b", "a"], ["a", "a", "b"], ["s2", "s1", "s2"], ["a", "b"])
    assert ids.tolist() == ["s1", "s2"]
    np.testing.assert_array_equal(conf[0], [[0, 0], [1, 0]])
    np.testing.assert_array_equal(conf[1], [[1, 1], [0, 0]])
    with pytest.raises(ValueError, match="outside the cell's labels"):
        speaker_confusions(["a", "c"], ["a", "a"], ["s", "s"], ["a", "b"])


def test_speaker_weights_are_multinomial_counts() -> None:
    """Each replicate draws n speakers with replacement; every speaker has mean weight 1."""
    w = speaker_weights(12, 4000, np.random.default_rng(0))
    assert w.shape == (4000, 12)
    assert np.all(w.sum(axis=1) == 12)
    assert np.allclose(w.mean(axis=0), 1.0, atol=0.1)


def _simulate_cell(rng: np.random.Generator, n_speakers: int, per_speaker: int, p: float, sd: float):
    """Utterances whose correctness shares a speaker effect: accuracy p_s = clip(p + N(0, sd))."""
    p_s = np.clip(p + rng.normal(0, sd, n_speakers), 0, 1)
    speakers = np.repeat(np.arange(n_speakers), per_speaker)
    y_true = rng.choice(LABELS, len(speakers))
    wrong = np.array(LABELS)[(np.searchsorted(sorted(LABELS), y_true) + 1) % len(LABELS)]
    y_pred = np.where(rng.random(len(speakers)) < p_s[speakers], y_true, wrong)
    return y_true, y_pred, speakers


def _interval(y_true, y_pred, speakers, rng, n_boot=500, metric="wa"):
    ids, conf = speaker_confusions(y_true, y_pred, speakers, sorted(LABELS))
    w = speaker_weights(len(ids), n_boot, rng)
    reps = metrics_from_confusions(np.einsum("bs,sij->bij", w, conf))[metric]
    return percentile_interval(reps, 0.05)


def test_interval_shrinks_with_more_speakers() -> None:
    """Four times the speakers (same utterances each) roughly halves the interval width."""
    rng = np.random.default_rng(3)
    widths = {}
    for n in (8, 32):
        ws = []
        for _ in range(10):
            low, high = _interval(*_simulate_cell(rng, n, 20, 0.6, 0.15), rng)
            ws.append(high - low)
        widths[n] = np.mean(ws)
    assert widths[32] < 0.7 * widths[8]


def test_interval_covers_true_value_most_of_the_time() -> None:
    """100 seeded simulations: the 95% speaker-bootstrap interval of accuracy covers the true 0.6 >= 85% of the time.

    With a speaker effect (sd 0.15) an utterance bootstrap would be too narrow; resampling speakers is not.
    """
    rng = np.random.default_rng(2024)
    hits = 0
    for _ in range(100):
        low, high = _interval(*_simulate_cell(rng, 20, 15, 0.6, 0.15), rng, n_boot=400)
        hits += bool(low <= 0.6 <= high)
    assert hits >= 85


def test_percentile_interval_nan_and_axis() -> None:
    """NaN replicates are skipped; an all-NaN row gives NaN."""
    s = np.array([[np.nan] * 5, [1.0, 2.0, 3.0, 4.0, np.nan]])
    low, high = percentile_interval(s, 0.5, axis=1)
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert low[1] == pytest.approx(1.75) and high[1] == pytest.approx(3.25)


def test_bias_corrected_interval() -> None:
    """Equals the percentile interval when the point is the median; shifts towards a point the replicates miss."""
    rng = np.random.default_rng(0)
    reps = rng.normal(0.0, 1.0, (3, 4001))
    low, high = bias_corrected_interval(reps, np.median(reps, axis=1))
    p_low, p_high = percentile_interval(reps)
    np.testing.assert_allclose(low, p_low, atol=0.02)
    np.testing.assert_allclose(high, p_high, atol=0.02)
    shifted_low, shifted_high = bias_corrected_interval(reps[0], 0.5)
    assert shifted_low > p_low[0] and shifted_high > p_high[0]
    assert np.isnan(bias_corrected_interval(np.full(5, np.nan), 0.0)[0])
    zero = bias_corrected_interval(np.zeros(10), 0.0)
    assert zero == (0.0, 0.0)
