"""The performance matrix: one head per training row (single corpus or joint union), scored per utterance.

A *row run* trains one head for one (backbone, fold, seed, training row) and predicts every test
utterance of every column; its per-utterance predictions are the unit every later number comes from
(cell metrics, means over folds x seeds, speaker-bootstrap intervals, reductions). Rows are
independent, so the pipeline makes one node per row run and any Kedro runner can spread them.

Folds: a fold index ``k`` selects fold ``k mod n_c`` of every corpus ``c`` with ``n_c`` folds (its
EmoBox partition scheme); a row runs only for ``k`` below the largest fold count of its training
corpora, so a single-fold corpus is trained once, not once per fold index.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..corpora.manifest import split_for_fold
from ..features.view import ConcatFrames
from ..training.heads import fit_head, predict_logits
from ..training.logit_adjustment import adjust_logits
from . import aggregate
from .cross_corpus import Scenario, cell_labels, is_in_domain, mask_logits
from .metrics import METRICS, classification_metrics

log = logging.getLogger(__name__)

PREDICTION_COLUMNS = list(aggregate.PREDICTION_COLUMNS)
"""One row per test utterance per trained head: the contract between row runs and aggregation."""

BALANCED_EMOTIONS = ("angry", "happy", "neutral", "sad")
"""EmoBox's cross-corpus emotions: balanced test sets are scored on these four only."""


def n_folds(manifest: pd.DataFrame) -> int:
    """Number of folds of a corpus (at least 1: a corpus with no test fold still has its training part)."""
    folds = manifest["fold"].to_numpy() if len(manifest) else np.array([0])
    return max(1, int(folds.max()) + 1)


def corpus_fold(manifest: pd.DataFrame, fold: int) -> int:
    """The corpus's own fold for run fold index ``fold`` (``fold mod n_folds``)."""
    return int(fold) % n_folds(manifest)


def row_runs_fold(manifests: Iterable[pd.DataFrame], fold: int) -> bool:
    """A row trains at fold index ``fold`` only below the largest fold count of its training corpora."""
    return int(fold) < max(n_folds(m) for m in manifests)


def _part(features: Any, manifest: pd.DataFrame, part: str, fold: int) -> tuple[Any, pd.DataFrame]:
    """Features and manifest rows of the ``part`` split (rows whose features exist), manifest order."""
    split = split_for_fold(manifest, corpus_fold(manifest, fold)).to_numpy()
    chosen = manifest.loc[split == part]
    have = set(features.utt_ids.tolist())
    chosen = chosen[chosen["utt_id"].astype(str).isin(have)]
    return features.subset(chosen["utt_id"].astype(str).tolist()), chosen


def _speakers(rows: pd.DataFrame) -> np.ndarray:
    if "speaker" in rows.columns:
        return rows["speaker"].astype(str).to_numpy()
    return rows["utt_id"].astype(str).to_numpy()  # no speaker column: each utterance its own speaker


def train_row_head(scenario: Scenario, train: Mapping[str, tuple[Any, pd.DataFrame]],
                   head_config: Mapping[str, Any], fold: int, seed: int, device: str = "auto"):
    """Fit one head on the pooled training parts of ``scenario.train`` at ``fold`` with ``seed``."""
    parts: list[Sequence[np.ndarray]] = []
    labels: list[np.ndarray] = []
    for corpus in scenario.train:
        view, rows = _part(*train[corpus], "train", fold)
        parts.append(view.frames)
        labels.append(rows["emotion"].astype(str).to_numpy())
    frames = ConcatFrames(*parts)
    y_str = np.concatenate(labels) if labels else np.array([], dtype=str)
    if len(y_str) == 0:
        raise ValueError(f"row {scenario.name}: no training rows in {list(scenario.train)} at fold {fold}; "
                         "check the manifests' fold/split columns")
    classes = sorted(set(y_str))
    index = {c: i for i, c in enumerate(classes)}
    config = {**dict(head_config), "seed": int(seed)}
    return fit_head(frames, np.array([index[c] for c in y_str]), classes, config, device, scenario.name)


def _predict(head: Any, view: Any, labels: Sequence[str], la: Mapping[str, Any]) -> np.ndarray:
    """Predicted class names over ``labels`` (logit-adjusted by the training prior, other classes masked)."""
    logits = predict_logits(head, view.frames)
    if la.get("enabled", True):
        logits = adjust_logits(logits, head.prior, float(la.get("tau", 1.0)))
    return np.asarray(head.classes)[mask_logits(logits, head.classes, labels).argmax(1)]


def row_predictions(scenario: Scenario, data: Mapping[str, tuple[Any, pd.DataFrame]],
                    head_config: Mapping[str, Any], logit_adjustment: Mapping[str, Any] | None = None,
                    fold: int = 0, seed: int = 0, device: str = "auto", backbone: str = "",
                    balanced: Mapping[str, pd.DataFrame] | None = None,
                    training_features: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Train ``scenario``'s head once and predict every test corpus of ``data`` (corpus -> (features, manifest)).

    Returns :data:`PREDICTION_COLUMNS` rows: test part of each corpus (``test_set='test'``; in-domain
    cells on all training labels, out-of-domain on the shared labels without ``other``) and, for each
    corpus in ``balanced`` (EmoBox balanced manifests), the balanced set (``test_set='balanced'``,
    scored on the four EmoBox emotions the head knows). ``training_features`` (corpus -> features, e.g.
    augmented) replace a training corpus's features for its training part only; tests always read ``data``.
    Empty when the row does not run at ``fold``.
    """
    if not row_runs_fold([data[c][1] for c in scenario.train], fold):
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    la = dict(logit_adjustment or {"enabled": True, "tau": 1.0})
    train = {c: ((training_features or {}).get(c, data[c][0]), data[c][1]) for c in scenario.train}
    head = train_row_head(scenario, train, head_config, fold, seed, device)
    out = []
    common = {"backbone": backbone, "fold": int(fold), "seed": int(seed), "train": scenario.name,
              "joint": len(scenario.train) > 1}
    for test, (features, manifest) in data.items():
        view, rows = _part(features, manifest, "test", fold)
        y = rows["emotion"].astype(str).to_numpy()
        in_domain = is_in_domain(scenario, test)
        sets = [("test", view, rows, y, cell_labels(head.classes, y, in_domain))]
        if balanced is not None and test in balanced:
            chosen = balanced[test]
            b_rows = rows[rows["utt_id"].astype(str).isin(set(chosen["utt_id"].astype(str)))]
            b_y = b_rows["emotion"].astype(str).to_numpy()
            b_labels = sorted(set(head.classes) & set(BALANCED_EMOTIONS) & set(b_y))
            sets.append(("balanced", features.subset(b_rows["utt_id"].astype(str).tolist()), b_rows, b_y, b_labels))
        for test_set, t_view, t_rows, t_y, labels in sets:
            keep = np.isin(t_y, labels)
            if not labels or not keep.any():
                log.warning("cell %s -> %s (%s): no shared labels or test rows; left empty", scenario.name, test,
                            test_set)
                continue
            t_rows = t_rows[keep]
            t_view = t_view.subset(t_rows["utt_id"].astype(str).tolist())
            pred = _predict(head, t_view, labels, la)
            out.append(pd.DataFrame({**common, "test": test, "test_set": test_set,
                                     "utt_id": t_rows["utt_id"].astype(str).to_numpy(),
                                     "speaker": _speakers(t_rows), "y_true": t_y[keep], "y_pred": pred,
                                     "in_domain": in_domain, "labels": ",".join(labels)}))
    if not out:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    return pd.concat(out, ignore_index=True)[PREDICTION_COLUMNS]


RUN_CELL_KEYS = [*aggregate.CELL_KEYS, *aggregate.RUN_KEYS]
"""Columns identifying one cell of one row run."""


def run_cells(predictions: pd.DataFrame) -> pd.DataFrame:
    """Point metrics of every cell of every row run (one row per :data:`RUN_CELL_KEYS` group)."""
    rows = []
    for key, group in predictions.groupby(RUN_CELL_KEYS, sort=False):
        labels = str(group["labels"].iloc[0]).split(",")
        rows.append({**dict(zip(RUN_CELL_KEYS, key, strict=True)), "in_domain": bool(group["in_domain"].iloc[0]),
                     "joint": bool(group["joint"].iloc[0]), "n_test": len(group), "labels": ",".join(labels),
                     **classification_metrics(group["y_true"].to_numpy(), group["y_pred"].to_numpy(), labels)})
    return pd.DataFrame(rows, columns=[*RUN_CELL_KEYS, "in_domain", "joint", "n_test", "labels", *METRICS])


def confusion_tables(predictions: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Confusion counts per (backbone, train, test) on the test parts, summed over folds and seeds."""
    from sklearn.metrics import confusion_matrix

    tables = {}
    standard = predictions[predictions["test_set"] == "test"]
    for (backbone, train, test), group in standard.groupby(["backbone", "train", "test"], sort=False):
        labels = sorted(set(",".join(group["labels"].unique()).split(",")))
        counts = confusion_matrix(group["y_true"], group["y_pred"], labels=labels)
        tables[f"{backbone}__{train}__{test}"] = pd.DataFrame(counts, index=labels, columns=labels)
    return tables
