"""Checkpoint save/load round trip."""

from __future__ import annotations

import pytest
import torch

from ser_generalize.models.checkpoint import load_checkpoint, save_checkpoint


def test_round_trip_restores_model_optimizer_epoch_and_meta(tmp_path) -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model(torch.randn(4, 5)).sum().backward()
    opt.step()
    path = save_checkpoint(model, opt, 3, tmp_path / "sub" / "ckpt.pt", {"labels": ["a", "b"]})
    assert [p.name for p in path.parent.iterdir()] == ["ckpt.pt"]  # no temp file left behind

    fresh = torch.nn.Sequential(torch.nn.Linear(5, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    fresh_opt = torch.optim.Adam(fresh.parameters(), lr=1e-3)
    info = load_checkpoint(path, fresh, fresh_opt)
    assert info == {"epoch": 3, "meta": {"labels": ["a", "b"]}}
    for a, b in zip(model.state_dict().values(), fresh.state_dict().values()):
        assert torch.equal(a, b)
    assert torch.equal(fresh_opt.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])


def test_missing_checkpoint_names_the_file(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.pt"):
        load_checkpoint(tmp_path / "nope.pt", torch.nn.Linear(1, 1))
