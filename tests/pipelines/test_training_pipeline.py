"""Training pipeline: wiring from parameters, and its nodes end to end on two tiny synthetic corpora."""

from __future__ import annotations

import numpy as np
import pandas as pd
import soundfile as sf
from matplotlib.figure import Figure

from ser_generalize.corpora.manifest import MANIFEST_COLUMNS, conform
from ser_generalize.pipelines.training import create_pipeline
from ser_generalize.pipelines.training.nodes import (
    finetune_and_evaluate,
    plot_embedding_tsne,
    plot_training_curves,
    summarize_training,
)

EMOTIONS = ["neutral", "happy", "sad", "angry"]


def _manifest(tmp_path, corpus: str, n: int = 12) -> pd.DataFrame:
    rows = []
    for i in range(n):
        emotion = EMOTIONS[i % 4]
        path = tmp_path / corpus / f"{i}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        t = np.arange(8000) / 16000
        wave = 0.3 * np.sin(2 * np.pi * (150 + 100 * (i % 4)) * t) + 0.01 * np.random.default_rng(
            i
        ).standard_normal(8000)
        sf.write(path, wave.astype(np.float32), 16000)
        rows.append(
            {
                "utt_id": f"{corpus}/{i}",
                "path": str(path),
                "corpus": corpus,
                "speaker": str(i % 3),
                "gender": "female",
                "language": "en",
                "raw_label": emotion,
                "emotion": emotion,
                "duration_s": 0.5,
                "sample_rate": 16000,
                "channels": 1,
                "official_split": "",
                "fold": 0 if i >= n - 4 else -1,
                "partition_scheme": "speaker_dependent_25",
            }
        )
    return conform(pd.DataFrame(rows, columns=list(MANIFEST_COLUMNS)))


PARAMS = {
    "model": "cnn14",
    "train_corpora": ["syn_a"],
    "emotion_set": "4",
    "epochs": 2,
    "batch_size": 4,
    "lr": 1e-3,
    "max_seconds": 0.5,
    "log_every": 1,
    "seed": 0,
    "device": "cpu",
    "val_fraction": 0.25,
    "cnn14": {"width": 0.0625},
    "whisper": {"encoder": "tiny", "tiny": {"d_model": 32, "layers": 1, "heads": 2}, "fc_dims": [16]},
}
INGESTION = {"corpora": {"syn_a": {"synthetic": True}, "syn_b": {"synthetic": True}}}


def test_pipeline_reads_every_manifest_and_writes_reports() -> None:
    pipe = create_pipeline(parameters={"ingestion": INGESTION, "training": PARAMS})
    assert {"syn_a.manifest", "syn_b.manifest", "params:training", "params:augmentation"} <= pipe.inputs()
    assert {
        "training.summary",
        "training.tsne_plot",
        "training.curves_plot",
        "training.mlflow_metrics",
    } <= pipe.outputs()
    assert len(create_pipeline(parameters={"ingestion": {"corpora": {}}}).nodes) == 0


def test_nodes_train_evaluate_each_corpus_and_report(tmp_path) -> None:
    params = {**PARAMS, "checkpoint_dir": str(tmp_path / "ckpt")}
    for model in ("cnn14", "whisper"):
        params["model"] = model
        metrics, history, embeddings, mlflow_metrics = finetune_and_evaluate(
            params, {"rate": 0.0}, _manifest(tmp_path, "syn_a"), _manifest(tmp_path, "syn_b")
        )
        assert (tmp_path / "ckpt" / f"{model}.pt").is_file()
        assert metrics["test_corpus"].tolist() == ["syn_a", "syn_b"]
        assert metrics["in_domain"].tolist() == [True, False]
        assert metrics[["macro_f1", "ua", "wa", "weighted_f1"]].apply(lambda c: c.between(0, 1)).all().all()
        assert len(history) >= 4 and "val_ua" in history
        assert len(embeddings) == 8 and set(embeddings["corpus"]) == {"syn_a", "syn_b"}
        assert "tail.val_ua_mean" in mlflow_metrics and len(mlflow_metrics["curve.train_loss"]) == len(
            history
        )
    assert isinstance(plot_training_curves(history, params, INGESTION), Figure)
    fig = plot_embedding_tsne(embeddings, params, INGESTION)
    assert "synthetic" in fig._suptitle.get_text()
    text = summarize_training(metrics, history, params, INGESTION)
    assert "synthetic" in text.splitlines()[0] and "syn_b" in text and "last 20%" in text
