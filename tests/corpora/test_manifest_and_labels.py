import pandas as pd
import pytest

from ser_generalize.corpora.labels import UNIFIED_EMOTIONS, emotion_index, resolve_emotion_set
from ser_generalize.corpora.manifest import ManifestError, empty_manifest, split_for_fold, validate_manifest


def test_unified_space_has_eight_classes_with_other() -> None:
    assert len(UNIFIED_EMOTIONS) == 8
    assert "other" in UNIFIED_EMOTIONS
    assert emotion_index("neutral") == 0
    with pytest.raises(KeyError, match="calm"):
        emotion_index("calm")


def test_emotion_sets() -> None:
    assert resolve_emotion_set("4") == ("neutral", "happy", "sad", "angry")
    assert "other" not in resolve_emotion_set("all")
    # Generalize paper, section 3.2: the 5-emotion set adds surprise (not fear) to the four.
    assert set(resolve_emotion_set("5")) == {"neutral", "angry", "happy", "surprise", "sad"}
    with pytest.raises(KeyError):
        resolve_emotion_set("7")


def test_validate_rejects_empty_and_duplicates() -> None:
    with pytest.raises(ManifestError, match="no utterances"):
        validate_manifest(empty_manifest())
    row = {c: "x" for c in empty_manifest().columns} | {"duration_s": 1.0, "sample_rate": 16000, "channels": 1, "fold": 0}
    with pytest.raises(ManifestError, match="duplicate"):
        validate_manifest(pd.DataFrame([row, row]))


def test_split_for_fold_marks_test_dev_train() -> None:
    frame = pd.DataFrame({"fold": [0, 1, -1, -1], "official_split": ["", "", "dev", ""]})
    assert split_for_fold(frame, 0).tolist() == ["test", "train", "dev", "train"]
    assert split_for_fold(frame, 1).tolist() == ["train", "test", "dev", "train"]
    with pytest.raises(ValueError, match="out of range"):
        split_for_fold(frame, 2)
