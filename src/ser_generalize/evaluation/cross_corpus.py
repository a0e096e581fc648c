"""Scenario planning for the cross-corpus matrix: training rows (single corpora and joint unions) and label sets.

In-domain cells (row == column) use every label of the training data, 'other' included, as SER Evals
evaluates each dataset on its own label set. Out-of-domain cells use only the labels both the training
row and the test corpus have, minus 'other'; test rows with other labels are dropped and logits of the
remaining classes are masked so they are never predicted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

OTHER = "other"


@dataclass(frozen=True)
class Scenario:
    """One matrix row: a name and the corpora whose training parts are pooled to train its head."""

    name: str
    train: tuple[str, ...]


def plan_scenarios(corpora: Sequence[str], joint: Iterable[Mapping] | None = None) -> list[Scenario]:
    """One row per corpus, then joint rows: ``{name, train: [...]}`` entries and ``{all_but_one: true}``."""
    rows = [Scenario(c, (c,)) for c in corpora]
    for entry in joint or []:
        if entry.get("all_but_one"):
            rows += [Scenario(f"all_but_{c}", tuple(o for o in corpora if o != c)) for c in corpora if len(corpora) > 2]
            continue
        train = tuple(str(c) for c in entry.get("train", []))
        unknown = [c for c in train if c not in corpora]
        if not train or unknown:
            raise ValueError(f"joint scenario {entry.get('name')!r}: train corpora {list(train)} must be a non-empty "
                             f"subset of the corpora {list(corpora)} (unknown: {unknown}); fix cross_corpus.joint")
        rows.append(Scenario(str(entry.get("name") or "+".join(train)), train))
    return rows


def is_in_domain(scenario: Scenario, test_corpus: str) -> bool:
    """A cell is in-domain when the row was trained on exactly the test corpus."""
    return scenario.train == (test_corpus,)


def cell_labels(train_labels: Iterable[str], test_labels: Iterable[str], in_domain: bool) -> list[str]:
    """Labels a cell is scored on: all training labels in-domain, else the shared labels without 'other'."""
    train_set = sorted(set(train_labels))
    if in_domain:
        return train_set
    return sorted((set(train_set) & set(test_labels)) - {OTHER})


def mask_logits(logits: np.ndarray, classes: Sequence[str], allowed: Iterable[str]) -> np.ndarray:
    """Logits with every class outside ``allowed`` set to -inf, so argmax never predicts it."""
    keep = np.isin(np.asarray(classes), list(allowed))
    out = np.array(logits, dtype=np.float64, copy=True)
    out[:, ~keep] = -np.inf
    return out
