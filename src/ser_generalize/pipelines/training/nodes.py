"""Thin Kedro nodes for end-to-end fine-tuning: build data + model, train, evaluate per corpus, report."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import matplotlib
import mlflow

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure
from torch import nn
from torch.utils.data import DataLoader

from ...corpora.labels import resolve_emotion_set
from ...evaluation.metrics import classification_metrics
from ...models.checkpoint import save_checkpoint
from ...models.cnn14_network import Cnn14, load_panns_checkpoint
from ...models.whisper_classifier import WhisperForEmotion, tiny_whisper_config
from ...reporting.markdown import markdown_section
from ...reporting.tsne import plot_tsne
from ...training.audio_dataset import ManifestAudioDataset, collate_waveforms, select_rows
from ...training.finetune import finetune, predict, seed_everything
from ...utils.device import pick_device
from ..project_config import synthetic_flags

log = logging.getLogger(__name__)


def build_model(params: dict[str, Any], num_classes: int) -> nn.Module:
    """CNN14 or Whisper + FC head from ``training`` parameters (``model: cnn14 | whisper``)."""
    kind = str(params.get("model", "cnn14")).lower()
    if kind == "cnn14":
        cfg = params.get("cnn14") or {}
        model = Cnn14(
            num_classes,
            width=float(cfg.get("width", 1.0)),
            dropout=float(cfg.get("dropout", 0.2)),
            head_dim=cfg.get("head_dim"),
        )
        if cfg.get("checkpoint_path"):
            load_panns_checkpoint(model, cfg["checkpoint_path"])
        return model
    if kind == "whisper":
        cfg = params.get("whisper") or {}
        encoder = cfg.get("encoder", "tiny")
        source = tiny_whisper_config(**(cfg.get("tiny") or {})) if encoder == "tiny" else encoder
        return WhisperForEmotion(
            source,
            num_classes,
            fc_dims=tuple(cfg.get("fc_dims", (4096, 2048, 1024, 512))),
            freeze_encoder=bool(cfg.get("freeze_encoder", False)),
            dropout=float(cfg.get("dropout", 0.1)),
        )
    raise ValueError(f"training.model '{kind}' is unknown; use cnn14 or whisper")


def _augment(aug_params: dict[str, Any] | None) -> Any:
    aug_params = aug_params or {}
    if float(aug_params.get("rate", 0.0)) <= 0.0:
        return None
    from ...audio.torch_augment import TorchWaveformAugment  # lazy: optional on-the-fly augmentation

    augment = TorchWaveformAugment(
        aug_params.get("chain", "all_seven"),
        rate=float(aug_params["rate"]),
        seed=int(aug_params.get("seed", 0)),
        chains=aug_params.get("chains"),
    )
    log.info("on-the-fly augmentation: %s", augment)
    return augment


def _loader(rows: pd.DataFrame, labels: tuple[str, ...], params: dict[str, Any], train: bool) -> DataLoader:
    data = ManifestAudioDataset(
        rows, labels, float(params.get("max_seconds", 3.0)), train=train, seed=int(params.get("seed", 0))
    )
    gen = torch.Generator().manual_seed(int(params.get("seed", 0)))
    return DataLoader(
        data,
        batch_size=int(params.get("batch_size", 8)),
        shuffle=train,
        collate_fn=collate_waveforms,
        num_workers=int(params.get("num_workers", 0)),
        generator=gen if train else None,
    )


def split_rows(
    manifests: dict[str, pd.DataFrame], params: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Train / validation rows of the training corpora and test rows of every corpus for ``training.fold``.

    Validation = official dev rows; where there are none, a seeded ``val_fraction`` of training rows.
    """
    labels = resolve_emotion_set(params.get("emotion_set", "4"))
    fold = int(params.get("fold", 0))
    wanted = params.get("train_corpora") or list(manifests)
    missing = [c for c in wanted if c not in manifests]
    if missing:
        raise ValueError(f"training.train_corpora {missing} are not in ingestion.corpora {sorted(manifests)}")
    train_m = [manifests[c] for c in wanted]
    train = select_rows(train_m, "train", labels, fold)
    val = select_rows(train_m, "dev", labels, fold)
    if val.empty and len(train) > 1:
        n_val = max(1, round(len(train) * float(params.get("val_fraction", 0.1))))
        pick = np.random.default_rng(int(params.get("seed", 0))).permutation(len(train))
        val, train = train.iloc[pick[:n_val]], train.iloc[pick[n_val:]]
    if train.empty:
        raise ValueError(
            f"no training rows with emotions {labels} in {wanted} for fold {fold}; check the manifests and emotion_set"
        )
    tests = {c: select_rows([m], "test", labels, fold) for c, m in manifests.items()}
    return train.reset_index(drop=True), val.reset_index(drop=True), tests


def finetune_and_evaluate(
    params: dict[str, Any], augmentation: dict[str, Any] | None, *manifest_list: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Fine-tune on the training corpora, test on every corpus; returns test metrics, history, embeddings, MLflow metrics.

    The checkpoint goes to ``training.checkpoint_dir`` and, under an active MLflow run, is logged as an artifact.
    """
    manifests = {str(m["corpus"].iloc[0]): m for m in manifest_list if len(m)}
    labels = resolve_emotion_set(params.get("emotion_set", "4"))
    seed_everything(int(params.get("seed", 0)))
    train, val, tests = split_rows(manifests, params)
    model = build_model(params, len(labels))
    device = pick_device(params.get("device", "auto"))
    result = finetune(
        model,
        _loader(train, labels, params, True),
        _loader(val, labels, params, False) if len(val) else None,
        {
            "name": params.get("optimizer", "adam"),
            "lr": params.get("lr", 1e-4),
            "weight_decay": params.get("weight_decay", 0.0),
        },
        int(params.get("epochs", 2)),
        device=device,
        amp=bool(params.get("amp", True)),
        augment=_augment(augmentation),
        log_every=int(params.get("log_every", 5)),
        num_classes=len(labels),
        seed=int(params.get("seed", 0)),
    )
    ckpt = (
        Path(params.get("checkpoint_dir", "data/06_models/training")) / f"{params.get('model', 'cnn14')}.pt"
    )
    save_checkpoint(
        model,
        result.optimizer,
        int(params.get("epochs", 2)),
        ckpt,
        {
            "labels": list(labels),
            "params": {k: v for k, v in params.items() if not isinstance(v, dict)},
            "summary": result.summary,
        },
    )
    if mlflow.active_run() is not None:
        mlflow.log_artifact(str(ckpt), artifact_path="training/checkpoints")
    rows, emb_rows = [], []
    for corpus, rows_c in tests.items():
        if rows_c.empty:
            log.warning("corpus %s has no test rows with emotions %s for this fold; skipped", corpus, labels)
            continue
        pred = predict(
            model,
            _loader(rows_c, labels, params, False),
            device,
            bool(params.get("amp", True)),
            embeddings=True,
        )
        metrics = classification_metrics(pred["labels"], pred["logits"].argmax(1), list(range(len(labels))))
        rows.append(
            {
                "train_corpora": "+".join(params.get("train_corpora") or sorted(manifests)),
                "test_corpus": corpus,
                "in_domain": corpus in (params.get("train_corpora") or manifests),
                "n": len(pred["labels"]),
                **metrics,
            }
        )
        picked = rows_c.iloc[pred["index"]]
        emb_rows.append(
            pd.DataFrame(
                {
                    "utt_id": picked["utt_id"].to_numpy(),
                    "corpus": corpus,
                    "emotion": picked["emotion"].to_numpy(),
                    "embedding": list(pred["embeddings"].astype(np.float32)),
                }
            )
        )
    test_metrics = pd.DataFrame(rows)
    history = pd.DataFrame(result.history)
    mlflow_metrics: dict[str, Any] = {
        f"tail.{k}": {"value": float(v), "step": 0} for k, v in result.summary.items() if np.isfinite(v)
    }
    for key in [c for c in history.columns if c not in ("step", "epoch")]:
        mlflow_metrics[f"curve.{key}"] = [
            {"value": float(v), "step": int(s)}
            for s, v in zip(history["step"], history[key])
            if np.isfinite(v)
        ]
    for row in rows:
        for m in ("macro_f1", "ua", "wa", "weighted_f1"):
            mlflow_metrics[f"test.{row['test_corpus']}.{m}"] = {"value": float(row[m]), "step": 0}
    embeddings = (
        pd.concat(emb_rows, ignore_index=True)
        if emb_rows
        else pd.DataFrame(columns=["utt_id", "corpus", "emotion", "embedding"])
    )
    return test_metrics, history, embeddings, mlflow_metrics


def _synthetic(ingestion: dict[str, Any], corpora: list[str]) -> bool:
    return any(synthetic_flags(corpora, ingestion).values())


def plot_training_curves(history: pd.DataFrame, params: dict[str, Any], ingestion: dict[str, Any]) -> Figure:
    """Train/validation loss and validation UA / macro-F1 per evaluation point, with the last-20% window shaded."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    if not history.empty:
        for col in [c for c in history.columns if c.endswith("loss")]:
            axes[0].plot(history["step"], history[col], marker=".", label=col)
        for col in [c for c in ("val_ua", "val_macro_f1", "val_wa") if c in history]:
            axes[1].plot(history["step"], history[col], marker=".", label=col)
        tail = max(1, int(np.ceil(len(history) * float(params.get("tail_fraction", 0.2)))))
        for ax in axes:
            ax.axvspan(
                history["step"].iloc[-tail],
                history["step"].iloc[-1],
                color="grey",
                alpha=0.15,
                label="last 20%",
            )
            ax.set_xlabel("iteration")
            ax.legend(fontsize=8)
    axes[0].set_title("loss")
    axes[1].set_title("validation metrics")
    synthetic = _synthetic(
        ingestion, params.get("train_corpora") or list((ingestion or {}).get("corpora") or {})
    )
    fig.suptitle(
        f"Fine-tuning {params.get('model', 'cnn14')}" + (" (synthetic corpora)" if synthetic else "")
    )
    fig.tight_layout()
    return fig


def plot_embedding_tsne(
    embeddings: pd.DataFrame, params: dict[str, Any], ingestion: dict[str, Any]
) -> Figure:
    """t-SNE of the fine-tuned model's pooled test embeddings, by corpus and by emotion (Generalize Fig. 2)."""
    corpora = sorted(set(embeddings["corpus"])) if len(embeddings) else []
    if len(embeddings) < 3:
        fig, ax = plt.subplots()
        ax.set_title(
            "t-SNE: too few test embeddings" + (" (synthetic)" if _synthetic(ingestion, corpora) else "")
        )
        return fig
    fig, _ = plot_tsne(
        np.stack(embeddings["embedding"].to_list()),
        embeddings["corpus"].tolist(),
        embeddings["emotion"].tolist(),
        title=f"t-SNE of fine-tuned {params.get('model', 'cnn14')} embeddings",
        synthetic=_synthetic(ingestion, corpora),
        seed=int(params.get("seed", 0)),
    )
    return fig


def summarize_training(
    test_metrics: pd.DataFrame, history: pd.DataFrame, params: dict[str, Any], ingestion: dict[str, Any]
) -> str:
    """Markdown: setup, last-20% validation mean +- std, and per-corpus test metrics."""
    from ...training.finetune import tail_summary

    corpora = list((ingestion or {}).get("corpora") or {})
    title = "# Fine-tuning report" + (" (synthetic corpora)" if _synthetic(ingestion, corpora) else "")
    lines = [
        title,
        "",
        f"- model: `{params.get('model')}`, epochs {params.get('epochs')}, batch {params.get('batch_size')}, lr {params.get('lr')}",
        f"- trained on: {', '.join(params.get('train_corpora') or corpora)}; emotion set {params.get('emotion_set')}",
        "",
    ]
    summary = (
        tail_summary(history.to_dict("records"), float(params.get("tail_fraction", 0.2)))
        if not history.empty
        else {}
    )
    if summary:
        validation = pd.DataFrame(
            [
                {"metric": key, "mean": summary[key + "_mean"], "std": summary[key + "_std"]}
                for key in sorted(k[:-5] for k in summary if k.endswith("_mean"))
            ]
        )
        lines += markdown_section(
            f"Validation, mean ± std over the last {int(summary['tail_points'])} evaluation points (last 20%)",
            validation,
            floatfmt=".4f",
        )
    if not test_metrics.empty:
        lines += markdown_section("Test metrics per corpus", test_metrics, floatfmt=".4f")
    return "\n".join(lines)

