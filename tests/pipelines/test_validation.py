"""Parameter validation: the project's own parameters pass; bad ones are all listed in one message."""

from __future__ import annotations

import copy

import pytest

from ser_generalize.pipelines.project_config import project_parameters
from ser_generalize.pipelines.validation import ParameterError, check_parameters, validate_parameters


@pytest.fixture(scope="module")
def defaults() -> dict:
    return copy.deepcopy(dict(project_parameters(None)))


def test_the_default_parameters_pass(defaults: dict) -> None:
    assert validate_parameters(defaults) == []


def test_every_problem_is_listed_with_its_key(defaults: dict) -> None:
    bad = copy.deepcopy(defaults)
    bad["backbone"] = "wav2vec"
    cc = bad["cross_corpus"]
    cc.update(
        corpora=["syn_ravdess", "iemocap"], metric="accuracy", folds=[0, -1], seeds=[0, "1"],
        joint=[{"name": "x", "train": ["meld"]}], backbones=["logmel", {"spec": "hf:"}, {"spec": "cnn14", "options": 3}],
    )
    cc["head"].update(type="transformer", epochs="ten", lr=True)
    bad["training"]["emotion_set"] = "6"
    bad["balancing"]["methods"] = ["smote", "tomek"]
    bad["augmentation"]["rate"] = 1.5
    bad["scramble_ablation"]["swap"] = {"neutral": "sad", "sad": "happy", "happy": "neutral"}
    bad["ingestion"]["corpora"]["msp"] = {"adapter": "msp_podcast", "root": "r", "language": "en",
                                          "options": {"test_set": "test3"}}
    problems = validate_parameters(bad)
    keys = [p.split(":")[0] for p in problems]
    assert keys == [
        "ingestion.corpora.msp.options", "backbone", "cross_corpus.backbones[1]", "cross_corpus.backbones[2].options",
        "cross_corpus.corpora", "cross_corpus.folds[1]", "cross_corpus.seeds[1]", "cross_corpus.metric",
        "cross_corpus.head.epochs", "cross_corpus.head.lr", "cross_corpus.head.type", "cross_corpus.joint[0].train",
        "balancing.methods[1]", "scramble_ablation.swap.neutral", "scramble_ablation.swap.sad",
        "scramble_ablation.swap.happy", "augmentation.rate", "training.emotion_set",
    ]
    assert any("unknown corpus iemocap" in p for p in problems)
    assert any("unknown head type 'transformer'" in p for p in problems)
    with pytest.raises(ParameterError, match=r"18 parameter problem\(s\); nothing has run") as info:
        check_parameters(bad)
    assert all(p in str(info.value) for p in problems)


def test_folds_all_and_backbone_mappings_are_accepted(defaults: dict) -> None:
    ok = copy.deepcopy(defaults)
    ok["cross_corpus"].update(folds="all", seeds=[0, 1, 2],
                              backbones=["egemaps", {"spec": "hf:/models/whisper", "options": {"layer": -1}}])
    ok["cross_corpus"]["head"]["type"] = "emobox"
    assert validate_parameters(ok) == []


def test_a_run_checks_only_the_sections_its_pipelines_read(defaults: dict) -> None:
    # real corpora declared in conf/local replace the synthetic ones; scramble pairs still name syn_* corpora
    swapped = copy.deepcopy(defaults)
    swapped["ingestion"]["corpora"] = {"emodb": {"adapter": "emodb", "root": "/data/EmoDB", "language": "de"}}
    swapped["cross_corpus"]["joint"] = []
    assert validate_parameters(swapped, ["cross_corpus"]) == []
    assert any(p.startswith("scramble_ablation.pairs[0]") for p in validate_parameters(swapped, ["scramble_ablation"]))
    assert any(p.startswith("scramble_ablation.pairs[0]") for p in validate_parameters(swapped))  # None: all
