"""Nodes of the balancing pipeline: balance pooled training vectors, count classes, score a head on the test split."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from ...corpora.labels import resolve_emotion_set
from ...corpora.manifest import split_for_fold
from ...evaluation.loso import loso_splits
from ...evaluation.scramble import make_fit_predict
from ...metrics import classification_metrics
from ...reporting.markdown import markdown_section, synthetic_prefix
from ...training.balancing import balance_with_note, class_count_table
from ...utils.tracking import log_nested_run
from ..project_config import synthetic_corpora

log = logging.getLogger(__name__)


def pooled_features(manifest: pd.DataFrame, features: dict[str, Any]) -> pd.DataFrame:
    """Pooled vectors of one corpus from the feature store, indexed by utt_id (extracted once, then cached)."""
    from ...backbones.store import extract_features_for  # lazy: backbones load only when the node runs

    fs = extract_features_for(manifest, features)
    return pd.DataFrame(fs.pooled, index=pd.Index(fs.utt_ids, name="utt_id"))


def protocol_split(manifests: list[pd.DataFrame], protocol: dict[str, Any] | str) -> pd.Series:
    """'train' / 'val' / 'test' per utt_id of the union: the corpora's own fold, or LOSO (evaluation.loso)."""
    protocol = {"name": protocol} if isinstance(protocol, str) else dict(protocol or {})
    name, fold = protocol.get("name", "fold"), int(protocol.get("fold", 0))
    union = pd.concat(manifests, ignore_index=True)
    if name == "fold":
        parts = [
            pd.Series(
                split_for_fold(m, fold).replace({"dev": "val"}).to_numpy(), index=m["utt_id"].astype(str)
            )
            for m in manifests
        ]
        return pd.concat(parts)
    if name == "loso":
        splits = loso_splits(union, int(protocol.get("k", 5)), int(protocol.get("seed", 0)))
        train, val, test = splits[fold % len(splits)]
        return pd.concat(
            [
                pd.Series(s, index=ids, dtype=object)
                for s, ids in (("train", train), ("val", val), ("test", test))
            ]
        )
    raise ValueError(f"balancing.protocol.name '{name}' must be 'fold' or 'loso'")


def run_balancing(
    params: dict[str, Any], *manifests: pd.DataFrame, synthetic: list[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, str, dict]:
    """For each emotion set x method: class counts before/after balancing and test scores of a head trained on it.

    Returns (count table, metrics table, markdown report, MLflow metrics). Test data is never balanced.
    ``synthetic`` (the synthetic corpora, bound by the pipeline from ``ingestion.corpora``) titles the report:
    a run is synthetic when any corpus is. None = judge by name.
    """
    if not manifests:
        raise ValueError(
            "balancing: no manifests; set balancing.train_corpora to corpora of ingestion.corpora"
        )
    corpora = [str(m["corpus"].iloc[0]) for m in manifests]
    features = pd.concat([pooled_features(m, params.get("features", {})) for m in manifests])
    labels_all = pd.concat([m.set_index(m["utt_id"].astype(str))["emotion"].astype(str) for m in manifests])
    split = protocol_split(list(manifests), params.get("protocol", {}))
    ids = features.index.intersection(split.index)
    head = params.get("head", {})
    seed, k = int(params.get("seed", 0)), int(params.get("k_neighbors", 5))
    count_frames, metric_rows, mlflow_metrics = [], [], {}
    combos = [
        (s, m) for s in params.get("emotion_sets", ["4", "5", "all"]) for m in params.get("methods", ["none"])
    ]
    for set_name, method in tqdm(combos, desc="balancing", unit="config"):
        labels = resolve_emotion_set(str(set_name))
        keep = ids[labels_all.loc[ids].isin(labels).to_numpy()]
        tr, te = keep[(split.loc[keep] == "train").to_numpy()], keep[(split.loc[keep] == "test").to_numpy()]
        y_tr = labels_all.loc[tr].to_numpy()
        X_bal, y_bal, note = balance_with_note(features.loc[tr].to_numpy(), y_tr, method, seed, k)
        counts = class_count_table(y_tr, y_bal, labels)
        count_frames.append(counts.assign(emotion_set=str(set_name), method=method))
        fit_predict = make_fit_predict(head, seed)
        y_te = labels_all.loc[te].to_numpy()
        present = [
            lab for lab in labels if lab in set(y_tr) | set(y_te)
        ]  # absent classes would zero macro F1
        scores = classification_metrics(y_te, fit_predict(X_bal, y_bal, features.loc[te].to_numpy()), present)
        metric_rows.append(
            {
                "emotion_set": str(set_name),
                "method": method,
                "n_train": len(y_bal),
                "n_test": len(te),
                **scores,
                "note": note,
            }
        )
        for name, value in scores.items():
            mlflow_metrics[f"{set_name}.{method}.{name}"] = {"value": value, "step": 0}
        log_nested_run(
            f"balancing|{'+'.join(corpora)}|set={set_name}|{method}",
            {
                "corpora": "+".join(corpora),
                "emotion_set": set_name,
                "method": method,
                "protocol": str(params.get("protocol", {})),
            },
            scores,
        )
    counts = pd.concat(count_frames, ignore_index=True)[
        ["emotion_set", "method", "emotion", "before", "after"]
    ]
    metrics = pd.DataFrame(metric_rows)
    if synthetic is None:
        synthetic = synthetic_corpora(corpora, None)
    return counts, metrics, balancing_markdown(counts, metrics, corpora, params, synthetic), mlflow_metrics


def balancing_markdown(
    counts: pd.DataFrame, metrics: pd.DataFrame, corpora: list[str], params: dict[str, Any], synthetic: list[str]
) -> str:
    """Markdown report: one count table per emotion set (columns = methods, like Table 2) and the test scores.

    A method that changed nothing (e.g. ADASYN generating no rows) is marked in its column and explained.
    """
    notes = {
        (str(r.emotion_set), str(r.method)): str(r.note)
        for r in metrics.itertuples()
        if "note" in metrics.columns and r.note
    }
    lines = [
        f"# {synthetic_prefix(synthetic)}class balancing on {' + '.join(corpora)}",
        "",
        (
            f"Protocol: {params.get('protocol', {})}; head: {params.get('head', {})} on pooled "
            f"{params.get('features', {}).get('backbone', 'egemaps')} vectors; test data is never balanced."
        ),
        "",
    ]
    for set_name, part in counts.groupby("emotion_set", sort=False):
        wide = part.pivot_table(index="emotion", columns="method", values="after", sort=False)
        wide.insert(0, "before", part.drop_duplicates("emotion").set_index("emotion")["before"])
        wide = wide.rename(columns={m: f"{m} (unchanged)" for s, m in notes if s == str(set_name)})
        lines += markdown_section(
            f"Training rows per class, emotion set '{set_name}'", wide.reset_index(), floatfmt=".0f"
        )
    if notes:
        lines += ["## Methods that changed nothing", ""]
        lines += [f"- emotion set '{s}', {m}: {note}; trained on the unbalanced data." for (s, m), note in notes.items()]
        lines += [""]
    scores = metrics.drop(columns=["note"], errors="ignore")
    lines += markdown_section("Test scores of a head trained on the balanced data", scores, floatfmt=".3f")
    return "\n".join(lines)
