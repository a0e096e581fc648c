"""Class balancing of pooled training vectors (Generalize paper, Table 2) with imbalanced-learn.

``none`` keeps the data, ``undersample`` drops majority-class rows (RandomUnderSampler),
``smote`` / ``adasyn`` synthesise minority-class rows in feature space.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from imblearn.over_sampling import ADASYN, SMOTE
from imblearn.under_sampling import RandomUnderSampler

log = logging.getLogger(__name__)

METHODS: tuple[str, ...] = ("none", "undersample", "smote", "adasyn")
"""Balancing methods ``balance`` understands."""


def _neighbours_for(y: np.ndarray, k_neighbors: int, method: str) -> int:
    """k for SMOTE/ADASYN, lowered to (smallest class size - 1) with a warning; fails if a class has one row."""
    smallest_label, smallest = min(Counter(y.tolist()).items(), key=lambda kv: kv[1])
    if smallest < 2:
        raise ValueError(
            f"{method}: class '{smallest_label}' has {smallest} training row; it needs at least 2 to "
            "synthesise neighbours. Drop the class (choose a smaller emotion set) or use method 'undersample'."
        )
    if smallest - 1 < k_neighbors:
        log.warning(
            "%s: class '%s' has only %d rows; k_neighbors lowered from %d to %d",
            method,
            smallest_label,
            smallest,
            k_neighbors,
            smallest - 1,
        )
        return smallest - 1
    return k_neighbors


def balance(
    X: np.ndarray, y: Sequence | np.ndarray, method: str = "none", seed: int = 0, k_neighbors: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """Return a class-balanced copy of ``(X, y)`` using ``method`` (one of :data:`METHODS`)."""
    X_out, y_out, _ = balance_with_note(X, y, method, seed, k_neighbors)
    return X_out, y_out


def balance_with_note(
    X: np.ndarray, y: Sequence | np.ndarray, method: str = "none", seed: int = 0, k_neighbors: int = 5
) -> tuple[np.ndarray, np.ndarray, str]:
    """:func:`balance` plus a note: ``""`` when ``method`` did its job, else what it did not do and why.

    A method that changes nothing (ADASYN generating no rows, one class only) returns the data as it was,
    and the note says so, so a report never shows unchanged counts as if they had been balanced.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"balance: X has {len(X)} rows but y has {len(y)} labels")
    if method not in METHODS:
        raise ValueError(f"balance: unknown method '{method}'; use one of {', '.join(METHODS)}")
    if method == "none":
        return X.copy(), y.copy(), ""
    if len(np.unique(y)) < 2:
        return X.copy(), y.copy(), f"{method} changed nothing: the training data has {len(np.unique(y))} class(es)"
    if method == "undersample":
        sampler = RandomUnderSampler(random_state=seed)
    elif method == "smote":
        sampler = SMOTE(random_state=seed, k_neighbors=_neighbours_for(y, k_neighbors, method))
    else:
        sampler = ADASYN(random_state=seed, n_neighbors=_neighbours_for(y, k_neighbors, method))
    try:
        X_out, y_out = sampler.fit_resample(X, y)
    except (ValueError, RuntimeError) as exc:
        if method == "adasyn" and ("No samples will be generated" in str(exc) or "neigbours" in str(exc)):
            note = adasyn_nothing_note(y, str(exc))
            log.warning("%s; data left unbalanced. Use method 'smote' for this data.", note)
            return X.copy(), y.copy(), note
        raise
    X_out, y_out = np.asarray(X_out), np.asarray(y_out)
    if method == "adasyn" and len(y_out) == len(y):
        note = adasyn_nothing_note(y, "it generated 0 rows")
        log.warning("%s; data left unbalanced.", note)
        return X_out, y_out, note
    return X_out, y_out, ""


def adasyn_nothing_note(y: np.ndarray, detail: str) -> str:
    """Why ADASYN generated nothing: classes already equal, a deficit too small to share out, or no neighbours."""
    counts = Counter(np.asarray(y).tolist())
    if len(set(counts.values())) == 1:
        why = "the classes are already equal in size"
    elif "neigbours" in detail or "neighbours" in detail:
        why = "no minority row has a neighbour of another class, so ADASYN's weights are undefined"
    else:
        why = (
            "each minority row's share of the class deficit rounds down to zero rows "
            f"(deficits are small: {dict(sorted(counts.items()))})"
        )
    return f"adasyn generated no rows: {why}"


def class_count_table(
    before_y: Sequence | np.ndarray, after_y: Sequence | np.ndarray, labels: Sequence[str]
) -> pd.DataFrame:
    """Rows per class before and after balancing (and a ``total`` row), as in the paper's Table 2."""
    before, after = Counter(np.asarray(before_y).tolist()), Counter(np.asarray(after_y).tolist())
    rows = [
        {"emotion": lab, "before": int(before.get(lab, 0)), "after": int(after.get(lab, 0))} for lab in labels
    ]
    extra = sorted((set(before) | set(after)) - set(labels))
    if extra:
        raise ValueError(f"class_count_table: labels {extra} are not in the label set {list(labels)}")
    table = pd.DataFrame(rows, columns=["emotion", "before", "after"])
    total = pd.DataFrame(
        [{"emotion": "total", "before": table["before"].sum(), "after": table["after"].sum()}]
    )
    return pd.concat([table, total], ignore_index=True)
