"""Reductions of a train x test performance matrix, exact to SER Evals (Osman et al., 2024) and EmoBox (Ma et al., 2024).

A matrix has one row per training corpus, one column per test corpus; NaN = not run. The diagonal is
every cell whose row name equals its column name. Let D be the diagonal cells present and E the
OOD-eligible corpora; OOD cells are O = {(r, c): r != c, r in E, c in E, cell present}.

SER Evals (Table 3 and Sec. 4.4 of the paper):
  in_domain_mean = mean(D);            in_domain_std = sample std (ddof 1) of D
  ood_given_train[r] = mean of row r's cells in O (Fig. 2);   unseen[c] = mean of column c's cells in O (Fig. 3)
  ood_mean = mean(O);                  ood_std = sample std (ddof 1) of ood_given_train over training corpora
  weighted_average = (in_domain_mean + ood_mean) / 2 - lambda * (in_domain_std + ood_std) / 2   (lambda = 1)
EmoBox (Eq. 1): emobox_offdiag_accuracy = mean of the off-diagonal cells of the accuracy matrix on the
  balanced 4-class test sets, (1 / (n^2 - n)) * sum_{i != j} Acc[i, j].

These definitions were checked against the released per-model matrices of SER Evals (repository
spaghettiSystems/serval, collected_results2/valid_macro_f1/*.csv): they reproduce Table 3 to 1e-6. With every
row complete, mean(O) equals the mean of the row means; with missing cells we keep the mean over cells.
A sample std over fewer than two values is NaN (so is the weighted average then).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..corpora.labels import EMOTION_SETS, OTHER

REFERENCE_CLASSES: frozenset[str] = frozenset(EMOTION_SETS["all"])
"""The seven core emotions: a corpus with exactly this class set (``other`` ignored) is OOD-eligible."""

REDUCTION_KEYS = ("in_domain_mean", "in_domain_std", "ood_mean", "ood_std", "weighted_average")


def ood_eligible(
    label_sets: Mapping[str, Iterable[str]],
    declared: Mapping[str, bool | None] | None = None,
    reference: Iterable[str] = REFERENCE_CLASSES,
) -> dict[str, bool]:
    """Per corpus: the declared ``ood_eligible`` flag, else whether its class set (minus ``other``) == ``reference``.

    SER Evals Table 1: corpora are OOD-eligible when they have exactly the same classes after the class
    mapping, ``other`` excluded.
    """
    declared = declared or {}
    ref = set(reference) - {OTHER}
    out: dict[str, bool] = {}
    for corpus, labels in label_sets.items():
        flag = declared.get(corpus)
        out[corpus] = bool(flag) if flag is not None else (set(labels) - {OTHER}) == ref
    for corpus, flag in declared.items():  # declared corpora without a known label set
        if corpus not in out and flag is not None:
            out[corpus] = bool(flag)
    return out


def declared_eligibility(corpora: Mapping[str, Mapping[str, Any] | None]) -> dict[str, bool | None]:
    """``ingestion.corpora.<name>.ood_eligible`` per corpus (None where not declared), for :func:`ood_eligible`."""
    return {name: (None if (spec or {}).get("ood_eligible") is None else bool(spec["ood_eligible"]))
            for name, spec in corpora.items()}


def _masked_stats(values: np.ndarray, mask: np.ndarray, axis: tuple[int, ...] | int) -> tuple[np.ndarray, ...]:
    """Mean, sample std (ddof 1) and count of the finite ``values`` where ``mask``, reduced over ``axis``."""
    use = mask & np.isfinite(values)
    x = np.where(use, values, 0.0)
    n = use.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = x.sum(axis=axis) / n
        dev = np.where(use, values - np.expand_dims(mean, axis), 0.0)
        std = np.sqrt((dev**2).sum(axis=axis) / (n - 1))
    mean = np.where(n > 0, mean, np.nan)
    std = np.where(n > 1, std, np.nan)
    return mean, std, n


def cell_roles(rows: Sequence[str], cols: Sequence[str], eligible: Iterable[str] | None) -> tuple[np.ndarray, ...]:
    """Boolean (rows x cols) masks: in-domain (row == column), OOD (both eligible, row != column)."""
    rows, cols = [str(r) for r in rows], [str(c) for c in cols]
    elig = set(rows) | set(cols) if eligible is None else {str(e) for e in eligible}
    same = np.array([[r == c for c in cols] for r in rows], dtype=bool).reshape(len(rows), len(cols))
    both = np.array([[r in elig and c in elig for c in cols] for r in rows], dtype=bool).reshape(same.shape)
    return same, both & ~same


def ser_evals_arrays(
    values: np.ndarray, rows: Sequence[str], cols: Sequence[str], eligible: Iterable[str] | None = None,
    lam: float = 1.0,
) -> dict[str, np.ndarray]:
    """SER Evals reductions (module doc) of ``values[..., rows, cols]``, vectorised over leading axes."""
    values = np.asarray(values, dtype=float)
    id_mask, ood_mask = cell_roles(rows, cols, eligible)
    id_mean, id_std, _ = _masked_stats(values, id_mask, axis=(-2, -1))
    ood_mean, _, _ = _masked_stats(values, ood_mask, axis=(-2, -1))
    row_mean, _, row_n = _masked_stats(values, ood_mask, axis=-1)       # (..., rows)
    col_mean, _, _ = _masked_stats(values, ood_mask, axis=-2)           # (..., cols)
    _, ood_std, _ = _masked_stats(row_mean, row_n > 0, axis=-1)
    weighted = (id_mean + ood_mean) / 2 - lam * (id_std + ood_std) / 2
    return {"in_domain_mean": id_mean, "in_domain_std": id_std, "ood_mean": ood_mean, "ood_std": ood_std,
            "weighted_average": weighted, "ood_given_train": row_mean, "unseen": col_mean}


def _as_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """Numeric copy with string row/column names; raises naming the offending cell on non-numeric data."""
    out = matrix.copy()
    out.index, out.columns = out.index.map(str), out.columns.map(str)
    if out.index.duplicated().any() or out.columns.duplicated().any():
        raise ValueError("matrix has duplicate row or column names; each training/test corpus must appear once")
    return out.apply(pd.to_numeric, errors="raise").astype(float)


def ser_evals_reductions(
    matrix: pd.DataFrame, eligible: Iterable[str] | None = None, lam: float = 1.0
) -> dict[str, Any]:
    """SER Evals reductions of one wide matrix (rows = train, columns = test, NaN = not run); see module doc.

    ``eligible`` = the OOD-eligible corpora (None: every corpus). Also returns which cells counted where:
    ``in_domain_cells``, ``ood_cells`` and ``excluded_cells`` (present off-diagonal cells outside OOD).
    """
    m = _as_matrix(matrix)
    rows, cols = list(m.index), list(m.columns)
    arr = m.to_numpy()
    red = ser_evals_arrays(arr, rows, cols, eligible, lam)
    id_mask, ood_mask = cell_roles(rows, cols, eligible)
    present = np.isfinite(arr)

    def pairs(mask: np.ndarray) -> list[tuple[str, str]]:
        return [(rows[i], cols[j]) for i, j in zip(*np.nonzero(mask & present))]

    out: dict[str, Any] = {k: float(red[k]) for k in REDUCTION_KEYS}
    out["lambda"] = float(lam)
    out["eligible"] = sorted(set(rows) | set(cols)) if eligible is None else sorted({str(e) for e in eligible})
    out["ood_given_train"] = {r: float(v) for r, v in zip(rows, red["ood_given_train"]) if np.isfinite(v)}
    out["unseen"] = {c: float(v) for c, v in zip(cols, red["unseen"]) if np.isfinite(v)}
    out["in_domain_cells"] = pairs(id_mask)
    out["ood_cells"] = pairs(ood_mask)
    out["excluded_cells"] = pairs(~id_mask & ~ood_mask)
    return out


def emobox_reduction(matrix: pd.DataFrame | np.ndarray, rows: Sequence[str] | None = None,
                     cols: Sequence[str] | None = None) -> float | np.ndarray:
    """EmoBox Eq. 1: mean off-diagonal accuracy (pass the accuracy matrix on the balanced sets); NaN skipped.

    A DataFrame gives a float; an array ``values[..., rows, cols]`` with names gives one value per leading index.
    """
    if isinstance(matrix, pd.DataFrame):
        m = _as_matrix(matrix)
        return float(emobox_reduction(m.to_numpy(), list(m.index), list(m.columns)))
    values = np.asarray(matrix, dtype=float)
    if rows is None or cols is None:
        raise ValueError("emobox_reduction on an array needs the row and column names")
    same, _ = cell_roles(rows, cols, None)
    mean, _, _ = _masked_stats(values, ~same, axis=(-2, -1))
    return mean
