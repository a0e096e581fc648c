"""Post-hoc logit adjustment (Menon et al. 2021): counter the training label prior at evaluation time.

adjusted_logits[:, k] = logits[:, k] - tau * log(prior[k]), with prior the class frequencies of the
training rows. Classes absent from training get a floor prior ``eps`` so the log stays finite.
"""

from __future__ import annotations

import numpy as np


def train_prior(y_train: np.ndarray, n_classes: int, eps: float = 1e-12) -> np.ndarray:
    """Class frequencies of integer labels ``y_train`` over ``n_classes`` (sums to 1, floored at ``eps``)."""
    counts = np.bincount(np.asarray(y_train, dtype=np.int64), minlength=n_classes).astype(np.float64)
    if counts.sum() == 0:
        raise ValueError("cannot compute a training prior from zero training labels")
    return np.maximum(counts / counts.sum(), eps)


def adjust_logits(logits: np.ndarray, train_prior: np.ndarray, tau: float = 1.0) -> np.ndarray:
    """``logits - tau * log(train_prior)`` (broadcast over rows); tau = 0 returns the logits unchanged."""
    prior = np.asarray(train_prior, dtype=np.float64)
    if prior.shape[-1] != np.shape(logits)[-1]:
        raise ValueError(f"prior has {prior.shape[-1]} classes but logits have {np.shape(logits)[-1]}")
    return np.asarray(logits, dtype=np.float64) - float(tau) * np.log(prior)
