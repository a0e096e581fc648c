"""Protocol planning from parameters: backbone names, fold indices (``all`` from the manifests), seeds."""

from __future__ import annotations

import pandas as pd
import pytest

from ser_generalize.evaluation.protocol import (
    DEFAULT_FOLD_COUNT,
    backbone_alias,
    plan_backbones,
    plan_folds,
    plan_seeds,
    saved_fold_counts,
)


def test_backbones_from_list_or_the_single_backbone():
    chosen = plan_backbones("egemaps", {}, {"backbones": ["logmel", {"spec": "hf:/m/whisper-small", "options":
                                                                      {"layer": 4}}, {"spec": "cnn14", "name": "pann"}]})
    assert [(b.alias, b.spec) for b in chosen] == [("logmel", "logmel"), ("hf_whisper_small", "hf:/m/whisper-small"),
                                                   ("pann", "cnn14")]
    assert chosen[1].options == {"layer": 4}
    single = plan_backbones("hf:/models/wav2vec2-base/", {"layer": -1}, {"backbones": None})
    assert [(b.alias, b.spec, b.options) for b in single] == [("hf_wav2vec2_base", "hf:/models/wav2vec2-base/",
                                                               {"layer": -1})]
    assert backbone_alias("egemaps") == "egemaps"
    with pytest.raises(ValueError, match="repeat"):
        plan_backbones(None, None, {"backbones": ["logmel", {"spec": "egemaps", "name": "logmel"}]})


def test_folds_list_all_and_fallback(tmp_path):
    assert plan_folds({"folds": [2, 0, 2]}) == [0, 2]
    assert plan_folds({"fold": 1}) == [1]
    assert plan_folds({"folds": "all"}) == list(range(DEFAULT_FOLD_COUNT))
    pd.DataFrame({"fold": [0, 1, 2, 3, -1]}).to_parquet(tmp_path / "a.parquet")
    pd.DataFrame({"fold": [0, -1]}).to_parquet(tmp_path / "b.parquet")
    counts = saved_fold_counts(["a", "b", "c"], tmp_path)
    assert counts == {"a": 4, "b": 1}  # c has no manifest yet
    assert plan_folds({"folds": "all"}, counts) == [0, 1, 2, 3]


def test_seeds_from_list_or_head_seed():
    assert plan_seeds({"seeds": [3, 1]}) == [3, 1]
    assert plan_seeds({"head": {"seed": 7}}) == [7]
    assert plan_seeds({}) == [0]
