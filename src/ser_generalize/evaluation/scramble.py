"""Label-scramble ablation (Domain mismatch paper, section 5.4): does joint training learn the corpus, not the emotion?

Train on corpora A+B with one corpus's labels swapped (Neutral<->Sad, Happy<->Angry) and report
the relative change of weighted F1 on each corpus's own test split against that corpus trained alone.
As in the paper's SCRAMBLED columns, the scrambled corpus is tested on its scrambled labels: if the
model learns emotion across corpora, the conflicting labels cost it; if it memorises each corpus
separately, that score stays near the baseline (the paper's finding on CNN14).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tqdm.auto import tqdm

from ..corpora.labels import UNIFIED_EMOTIONS
from .metrics import classification_metrics

log = logging.getLogger(__name__)

DEFAULT_SWAP: dict[str, str] = {"neutral": "sad", "sad": "neutral", "happy": "angry", "angry": "happy"}
"""The paper's swap: Neutral<->Sad, Happy<->Angry."""

FitPredict = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
"""``fit_predict(X_train, y_train, X_test) -> y_pred`` (string labels)."""

SplitData = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""``(X_train, y_train, X_test, y_test)`` of one corpus."""


def validate_swap_map(swap_map: Mapping[str, str]) -> dict[str, str]:
    """Check the map is a symmetric involution over unified emotions (a->b implies b->a); return it as a dict."""
    swap = {str(k): str(v) for k, v in dict(swap_map or {}).items()}
    if not swap:
        raise ValueError("swap map is empty; give pairs such as {neutral: sad, sad: neutral}")
    for key, value in swap.items():
        for label in (key, value):
            if label not in UNIFIED_EMOTIONS:
                raise ValueError(
                    f"swap map label '{label}' is not a unified emotion ({', '.join(UNIFIED_EMOTIONS)})"
                )
        if key == value:
            raise ValueError(f"swap map maps '{key}' to itself; remove it")
        if swap.get(value) != key:
            raise ValueError(
                f"swap map is not symmetric: '{key}' -> '{value}' but '{value}' -> '{swap.get(value)}'; "
                f"add '{value}: {key}' to scramble_ablation.swap"
            )
    return swap


def swap_labels(labels: Sequence[str] | np.ndarray, swap_map: Mapping[str, str]) -> np.ndarray:
    """Labels with every class in ``swap_map`` replaced by its partner; other classes unchanged."""
    swap = validate_swap_map(swap_map)
    return np.asarray([swap.get(str(label), str(label)) for label in labels], dtype=object)


@dataclass(frozen=True)
class JointConfig:
    """One joint-training configuration: corpora A+B, which one is scrambled (or none), augmentation rate."""

    corpus_a: str
    corpus_b: str
    scrambled: str | None
    rate: float

    @property
    def name(self) -> str:
        """Run name, e.g. ``syn_ravdess+syn_emodb|scr=syn_emodb|rate=0.5``."""
        return f"{self.corpus_a}+{self.corpus_b}|scr={self.scrambled or 'none'}|rate={self.rate:g}"


def joint_configurations(
    pairs: Sequence[Sequence[str]], rates: Sequence[float], scramble_corpus: str = "second"
) -> list[JointConfig]:
    """Configurations for each pair and rate: unscrambled joint training plus the scrambled variant(s).

    ``scramble_corpus``: ``first``, ``second`` or ``both`` (each direction as its own configuration).
    """
    which = {"first": (0,), "second": (1,), "both": (0, 1)}
    if scramble_corpus not in which:
        raise ValueError(f"scramble_corpus '{scramble_corpus}' must be one of first, second, both")
    configs: list[JointConfig] = []
    for pair in pairs:
        if len(pair) != 2 or pair[0] == pair[1]:
            raise ValueError(f"scramble_ablation.pairs entry {list(pair)} must name two different corpora")
        a, b = str(pair[0]), str(pair[1])
        for rate in rates:
            configs.append(JointConfig(a, b, None, float(rate)))
            configs.extend(JointConfig(a, b, (a, b)[i], float(rate)) for i in which[scramble_corpus])
    return configs


def relative_change(value: float, baseline: float) -> float:
    """Relative change in percent, ``(value - baseline) / baseline * 100``; NaN when the baseline is 0."""
    return float("nan") if baseline == 0 else (float(value) - float(baseline)) / float(baseline) * 100.0


def logistic_fit_predict(C: float = 1.0, max_iter: int = 1000, seed: int = 0) -> FitPredict:
    """A fast CPU head on pooled vectors: standardise, then multinomial logistic regression."""

    def fit_predict(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray) -> np.ndarray:
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=max_iter, random_state=seed))
        model.fit(X_train, y_train)
        return model.predict(X_test)

    return fit_predict


def head_fit_predict(config: dict[str, Any], seed: int = 0) -> FitPredict:
    """The project's SER head (``training.heads``) on pooled vectors, each row a one-frame clip."""

    def fit_predict(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray) -> np.ndarray:
        from ..training.heads import fit_head, predict_logits  # lazy: torch loads only when used

        classes = sorted({str(v) for v in y_train})
        index = {c: i for i, c in enumerate(classes)}
        head = fit_head(
            [row[None, :] for row in np.asarray(X_train, np.float32)],
            np.asarray([index[str(v)] for v in y_train]),
            classes,
            {"seed": seed, **config},
            device=str(config.get("device", "auto")),
        )
        logits = predict_logits(head, [row[None, :] for row in np.asarray(X_test, np.float32)])
        return np.asarray(classes, dtype=object)[np.argmax(logits, axis=1)]

    return fit_predict


def make_fit_predict(head: dict[str, Any] | None, seed: int = 0) -> FitPredict:
    """Head from parameters: ``kind: logistic`` (fast default on CPU) or ``kind: mlp`` (training.heads config)."""
    head = dict(head or {})
    kind = head.pop("kind", "logistic")
    if kind == "logistic":
        return logistic_fit_predict(float(head.get("C", 1.0)), int(head.get("max_iter", 1000)), seed)
    if kind == "mlp":
        return head_fit_predict(head, seed)
    raise ValueError(f"head.kind '{kind}' must be 'logistic' or 'mlp'")


def run_ablation(
    configs: Sequence[JointConfig],
    split_data: Callable[[str, float], SplitData],
    fit_predict: FitPredict,
    labels: Sequence[str],
    swap_map: Mapping[str, str] = DEFAULT_SWAP,
    on_result: Callable[[JointConfig, pd.DataFrame], None] | None = None,
) -> pd.DataFrame:
    """Train every configuration and return one row per (configuration, evaluated corpus).

    ``split_data(corpus, rate)`` gives that corpus's train/test data with training rows augmented
    at ``rate``. The baseline of each corpus is that corpus trained alone at rate 0. The scrambled
    corpus is scored against its scrambled test labels (``test_labels == "scrambled"``). Columns:
    corpus_a, corpus_b, scrambled, rate, eval_corpus, test_labels, weighted_f1, baseline_weighted_f1,
    relative_change_pct.
    """
    swap = validate_swap_map(swap_map)
    corpora = sorted({c for cfg in configs for c in (cfg.corpus_a, cfg.corpus_b)})
    baselines: dict[str, float] = {}
    for corpus in tqdm(corpora, desc="in-domain baselines", unit="corpus"):
        X_tr, y_tr, X_te, y_te = split_data(corpus, 0.0)
        baselines[corpus] = classification_metrics(y_te, fit_predict(X_tr, y_tr, X_te), labels)["weighted_f1"]
    rows: list[dict[str, Any]] = []
    for cfg in tqdm(configs, desc="scramble ablation", unit="config"):
        parts = {c: split_data(c, cfg.rate) for c in (cfg.corpus_a, cfg.corpus_b)}
        y_parts = [swap_labels(parts[c][1], swap) if c == cfg.scrambled else parts[c][1] for c in parts]
        X_train = np.concatenate([parts[c][0] for c in parts])
        y_train = np.concatenate([np.asarray(y, dtype=object) for y in y_parts])
        X_test = np.concatenate([parts[c][2] for c in parts])
        predicted = fit_predict(X_train, y_train, X_test)  # one model per configuration
        bounds = np.cumsum([0] + [len(parts[c][2]) for c in parts])
        config_rows = []
        for i, (corpus, (_, _, _, y_te)) in enumerate(parts.items()):
            y_pred = predicted[bounds[i] : bounds[i + 1]]
            scrambled = corpus == cfg.scrambled
            y_true = swap_labels(y_te, swap) if scrambled else y_te
            wf1 = classification_metrics(y_true, y_pred, labels)["weighted_f1"]
            config_rows.append(
                {
                    "corpus_a": cfg.corpus_a,
                    "corpus_b": cfg.corpus_b,
                    "scrambled": cfg.scrambled or "none",
                    "rate": cfg.rate,
                    "eval_corpus": corpus,
                    "test_labels": "scrambled" if scrambled else "original",
                    "weighted_f1": wf1,
                    "baseline_weighted_f1": baselines[corpus],
                    "relative_change_pct": relative_change(wf1, baselines[corpus]),
                }
            )
        frame = pd.DataFrame(config_rows)
        if on_result is not None:
            on_result(cfg, frame)
        rows.extend(config_rows)
    return pd.DataFrame(rows)


def iter_heatmap_tables(results: pd.DataFrame) -> Iterator[tuple[float, pd.DataFrame]]:
    """Per rate, a matrix of relative change: rows = ``A+B (scrambled X)``, columns = evaluated corpus."""
    for rate, part in results.groupby("rate", sort=True):
        part = part.assign(
            config=part["corpus_a"] + "+" + part["corpus_b"] + " (scr " + part["scrambled"] + ")"
        )
        yield (
            float(rate),
            part.pivot_table(index="config", columns="eval_corpus", values="relative_change_pct"),
        )
