"""Classification metrics: macro-F1, UA (unweighted accuracy), WA (accuracy), weighted F1.

A top-level module so that evaluation and training both use it without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, recall_score

METRICS = ("macro_f1", "ua", "wa", "weighted_f1")


def classification_metrics(y_true: Sequence, y_pred: Sequence, labels: Sequence) -> dict[str, float]:
    """The four metrics over ``labels`` (classes absent from ``y_true`` are ignored by UA, counted as 0 by F1)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) == 0:
        return {m: float("nan") for m in METRICS}
    present = [c for c in labels if np.any(y_true == c)]
    return {
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "ua": float(recall_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "wa": float(accuracy_score(y_true, y_pred)),
        "weighted_f1": float(f1_score(y_true, y_pred, labels=present, average="weighted", zero_division=0)),
    }
