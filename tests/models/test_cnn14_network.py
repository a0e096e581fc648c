"""CNN14: shapes, PANNs-layout key names and checkpoint loading."""

from __future__ import annotations

import torch

from ser_generalize.models.cnn14_network import Cnn14, LogMel, load_panns_checkpoint


def test_logmel_frames_follow_hop_320() -> None:
    mel = LogMel()(torch.randn(2, 16_000))
    assert mel.shape == (2, 1, 16_000 // 320 + 1, 64)
    assert torch.isfinite(mel).all()


def test_tiny_cnn14_gives_logits_and_embeddings() -> None:
    model = Cnn14(num_classes=4, width=1 / 16).eval()
    waves = torch.randn(3, 16_000)
    assert model(waves).shape == (3, 4)
    emb = model.embed(waves)
    assert emb.shape == (3, 128) and (emb >= 0).all()  # fc1 + ReLU


def test_parameter_names_match_panns_layout() -> None:
    keys = set(Cnn14(num_classes=4, width=1 / 16).state_dict())
    for key in (
        "bn0.weight",
        "conv_block1.conv1.weight",
        "conv_block6.bn2.running_mean",
        "fc1.weight",
        "fc1.bias",
    ):
        assert key in keys


def test_load_panns_checkpoint_loads_trunk_and_reports_keys(tmp_path) -> None:
    source = Cnn14(num_classes=4, width=1 / 16)
    state = {k: v for k, v in source.state_dict().items() if not k.startswith("head.")}
    state["fc_audioset.weight"] = torch.randn(527, 128)
    state["fc_audioset.bias"] = torch.randn(527)
    path = tmp_path / "Cnn14_16k.pth"
    torch.save({"model": state, "iteration": 0}, path)

    target = Cnn14(num_classes=7, width=1 / 16)
    report = load_panns_checkpoint(target, path)
    assert torch.equal(target.conv_block3.conv2.weight, source.conv_block3.conv2.weight)
    assert torch.equal(target.fc1.weight, source.fc1.weight)
    assert "fc_audioset.weight" in report.unexpected
    assert any(k.startswith("head.") for k in report.missing)
    assert not any(k.startswith("conv_block") for k in report.missing)
