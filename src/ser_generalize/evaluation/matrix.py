"""The performance matrix (rows = training corpora or joint unions, columns = test corpora) and its reductions.

Each row's head is trained once and evaluated on every column's test part. Reductions (SER Evals,
EmoBox) use the single-corpus square part of the matrix, population std (ddof = 0):
  in-domain mean/std over the diagonal; OOD mean/std over off-diagonal cells;
  ood_given_train[row] = row mean off-diagonal; unseen[column] = column mean off-diagonal;
  weighted_average = (ID + OOD) / 2 - lambda * (std_ID + std_OOD) / 2;
  emobox_offdiag_accuracy = mean off-diagonal WA (accuracy).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix
from tqdm.auto import tqdm

from ..corpora.manifest import split_for_fold
from ..training.heads import fit_head, predict_logits
from ..training.logit_adjustment import adjust_logits
from .cross_corpus import Scenario, cell_labels, is_in_domain, mask_logits
from .metrics import METRICS, classification_metrics

log = logging.getLogger(__name__)


def _rows(features, manifest: pd.DataFrame, part: str, fold: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Frames and emotion labels of the ``part`` split (rows whose features exist)."""
    split = split_for_fold(manifest, fold).to_numpy()
    chosen = manifest.loc[split == part]
    have = set(features.utt_ids.tolist())
    chosen = chosen[chosen["utt_id"].astype(str).isin(have)]
    sub = features.subset(chosen["utt_id"].astype(str).tolist())
    return sub.frames, chosen["emotion"].astype(str).to_numpy()


def evaluate_matrix(
    scenarios: Sequence[Scenario],
    data: Mapping[str, tuple[Any, pd.DataFrame]],
    head_config: Mapping[str, Any],
    logit_adjustment: Mapping[str, Any] | None = None,
    fold: int = 0,
    device: str = "auto",
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Train each scenario's head once, test it on every corpus; return long-form cells and confusion tables.

    ``data`` maps corpus -> (FeatureSet, manifest). The cells frame has one row per (train, test)
    with ``in_domain``, ``joint``, ``n_test``, ``labels`` and the four metrics.
    """
    la = dict(logit_adjustment or {"enabled": True, "tau": 1.0})
    train_rows = {c: _rows(*data[c], "train", fold) for c in {c for sc in scenarios for c in sc.train}}
    test_rows = {c: _rows(*data[c], "test", fold) for c in data}  # split once, reused by every row
    cells, confusions = [], {}
    for sc in tqdm(scenarios, desc="matrix rows"):
        frames, y = [], []
        for corpus in sc.train:
            f, lab = train_rows[corpus]
            frames += list(f)
            y.append(lab)
        y_str = np.concatenate(y) if y else np.array([], dtype=str)
        if len(y_str) == 0:
            raise ValueError(f"scenario {sc.name}: no training rows in {list(sc.train)} for fold {fold}; "
                             "check the manifests' fold/split columns")
        classes = sorted(set(y_str))
        index = {c: i for i, c in enumerate(classes)}
        head = fit_head(frames, np.array([index[c] for c in y_str]), classes, dict(head_config), device, sc.name)
        for test in data:
            t_frames, t_y = test_rows[test]
            in_domain = is_in_domain(sc, test)
            labels = cell_labels(classes, t_y, in_domain)
            keep = np.isin(t_y, labels)
            t_frames = [fr for fr, k in zip(t_frames, keep) if k]
            t_y = t_y[keep]
            row = {"train": sc.name, "test": test, "in_domain": in_domain, "joint": len(sc.train) > 1,
                   "n_test": len(t_y), "labels": ",".join(labels)}
            if len(t_y) == 0 or not labels:
                log.warning("cell %s -> %s: no shared labels / test rows; left empty", sc.name, test)
                cells.append({**row, **{m: np.nan for m in METRICS}})
                continue
            logits = predict_logits(head, t_frames)
            if la.get("enabled", True):
                logits = adjust_logits(logits, head.prior, float(la.get("tau", 1.0)))
            pred = np.asarray(classes)[mask_logits(logits, classes, labels).argmax(1)]
            cells.append({**row, **classification_metrics(t_y, pred, labels)})
            confusions[f"{sc.name}__{test}"] = pd.DataFrame(
                confusion_matrix(t_y, pred, labels=labels), index=labels, columns=labels)
    return pd.DataFrame(cells), confusions


def matrix_table(cells: pd.DataFrame, metric: str = "macro_f1") -> pd.DataFrame:
    """Wide matrix of one metric: rows = training scenarios (input order), columns = test corpora."""
    table = cells.pivot(index="train", columns="test", values=metric)
    return table.loc[list(dict.fromkeys(cells["train"])), list(dict.fromkeys(cells["test"]))]


def reductions(cells: pd.DataFrame, metric: str = "macro_f1", lam: float = 1.0) -> dict[str, Any]:
    """SER Evals / EmoBox reductions of the single-corpus square part of the matrix (see module doc)."""
    single = cells[~cells["joint"]]
    diag = single[single["in_domain"]]
    off = single[~single["in_domain"]]
    id_mean, id_std = float(diag[metric].mean()), float(diag[metric].std(ddof=0))
    ood_mean, ood_std = float(off[metric].mean()), float(off[metric].std(ddof=0))
    return {
        "metric": metric,
        "in_domain_mean": id_mean,
        "in_domain_std": id_std,
        "ood_mean": ood_mean,
        "ood_std": ood_std,
        "weighted_average": (id_mean + ood_mean) / 2 - lam * (id_std + ood_std) / 2,
        "emobox_offdiag_accuracy": float(off["wa"].mean()),
        "ood_given_train": {k: float(v) for k, v in off.groupby("train", sort=False)[metric].mean().items()},
        "unseen": {k: float(v) for k, v in off.groupby("test", sort=False)[metric].mean().items()},
    }


def flat_metrics(cells: pd.DataFrame, reduced: Mapping[str, Any]) -> dict[str, float]:
    """Every cell metric and reduction as ``name -> float`` for MLflow (NaNs dropped)."""
    out: dict[str, float] = {}
    for row in cells.itertuples():
        for m in METRICS:
            out[f"cell.{row.train}.{row.test}.{m}"] = float(getattr(row, m))
    for key, value in reduced.items():
        if isinstance(value, dict):
            out.update({f"{key}.{k}": float(v) for k, v in value.items()})
        elif isinstance(value, (int, float)):
            out[key] = float(value)
    return {k: v for k, v in out.items() if np.isfinite(v)}
