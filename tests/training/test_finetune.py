"""Fine-tuning loop: a step lowers the loss on a tiny batch; last-20% averaging; the audio dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import torch
from torch.utils.data import DataLoader

from ser_generalize.models.cnn14_network import Cnn14
from ser_generalize.training.audio_dataset import ManifestAudioDataset, collate_waveforms
from ser_generalize.training.finetune import build_optimizer, finetune, tail_summary, train_step


def _batch(n: int = 8, t: int = 8000) -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    labels = torch.arange(n) % 2
    tone = torch.sin(torch.linspace(0, 400 * np.pi, t))
    waves = 0.1 * torch.randn(n, t) + labels[:, None] * 0.5 * tone
    return {"waveforms": waves, "lengths": torch.full((n,), t), "labels": labels, "index": torch.arange(n)}


def test_train_steps_lower_the_loss_on_a_tiny_batch() -> None:
    torch.manual_seed(0)
    model = Cnn14(num_classes=2, width=1 / 16, dropout=0.0)
    opt = build_optimizer(model, {"lr": 1e-3})
    batch = _batch()
    losses = [train_step(model, batch, opt, torch.device("cpu")) for _ in range(8)]
    assert losses[-1] < losses[0]


def test_augment_callable_is_applied_to_the_batch() -> None:
    seen = []

    def augment(waves: torch.Tensor) -> torch.Tensor:
        seen.append(waves.shape)
        return waves * 0.5

    model = Cnn14(num_classes=2, width=1 / 16)
    train_step(model, _batch(4), build_optimizer(model, {"lr": 1e-3}), torch.device("cpu"), augment=augment)
    assert seen == [torch.Size([4, 8000])]


def test_tail_summary_uses_last_20_percent() -> None:
    history = [{"step": i, "val_ua": float(i)} for i in range(10)]
    summary = tail_summary(history)
    assert summary["tail_points"] == 2
    assert summary["val_ua_mean"] == pytest.approx(8.5)
    assert summary["val_ua_std"] == pytest.approx(0.5)


def _corpus(tmp_path, n: int = 6) -> pd.DataFrame:
    rows = []
    for i in range(n):
        path = tmp_path / f"u{i}.wav"
        sf.write(
            path, (0.1 * np.random.default_rng(i).standard_normal(4000 + 800 * i)).astype(np.float32), 16000
        )
        rows.append({"utt_id": f"u{i}", "path": str(path), "emotion": ["neutral", "angry"][i % 2]})
    return pd.DataFrame(rows)


def test_dataset_crops_pads_and_skips_bad_files(tmp_path) -> None:
    rows = _corpus(tmp_path)
    (tmp_path / "bad.wav").write_bytes(b"not audio")
    rows = pd.concat(
        [rows, pd.DataFrame([{"utt_id": "bad", "path": str(tmp_path / "bad.wav"), "emotion": "angry"}])],
        ignore_index=True,
    )
    data = ManifestAudioDataset(rows, ("neutral", "angry"), max_seconds=0.4, train=True)
    with pytest.warns(UserWarning, match="bad.wav"):
        batch = collate_waveforms([data[i] for i in range(len(data))])
    assert batch["waveforms"].shape == (6, 6400)
    assert batch["lengths"].tolist()[:2] == [4000, 4800]
    assert batch["labels"].tolist() == [0, 1, 0, 1, 0, 1]


def test_finetune_records_history_and_tail_metrics(tmp_path) -> None:
    rows = _corpus(tmp_path, 8)
    data = ManifestAudioDataset(rows, ("neutral", "angry"), max_seconds=0.3, train=True)
    loader = DataLoader(data, batch_size=4, shuffle=True, collate_fn=collate_waveforms)
    val = DataLoader(
        ManifestAudioDataset(rows, ("neutral", "angry"), 0.3), batch_size=4, collate_fn=collate_waveforms
    )
    result = finetune(
        Cnn14(2, width=1 / 16), loader, val, {"lr": 1e-3}, epochs=2, device="cpu", log_every=1, num_classes=2
    )
    assert result.steps == 4 and len(result.history) == 4
    assert {"train_loss", "val_loss", "val_ua", "val_macro_f1"} <= set(result.history[0])
    assert result.summary["tail_points"] == 1
    assert result.summary["val_ua_mean"] == result.history[-1]["val_ua"]
