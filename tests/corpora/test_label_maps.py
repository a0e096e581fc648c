from pathlib import Path

import pytest

from ser_generalize.corpora.adapters import ADAPTERS
from ser_generalize.corpora.label_map import LabelMapError, load_label_map, parse_label_map
from ser_generalize.corpora.labels import UNIFIED_EMOTIONS


@pytest.mark.parametrize("adapter", sorted(set(ADAPTERS) - {"generic_csv"}))
def test_every_shipped_map_loads_and_targets_the_unified_space(adapter: str) -> None:
    label_map = load_label_map(adapter)
    assert set(label_map.labels.values()) <= set(UNIFIED_EMOTIONS)
    assert {"neutral", "happy", "sad", "angry"} <= set(label_map.labels.values())


def test_other_and_drop_are_explicit() -> None:
    assert load_label_map("ravdess").lookup("02") == "other"  # calm
    assert load_label_map("emodb").lookup("L") == "other"  # boredom
    iemocap = load_label_map("iemocap")
    assert iemocap.lookup("exc") == "happy"
    assert iemocap.lookup("xxx") is None
    with pytest.raises(KeyError):
        iemocap.lookup("zzz")


def test_bad_maps_raise_naming_the_source(tmp_path: Path) -> None:
    with pytest.raises(LabelMapError, match="not unified"):
        parse_label_map({"labels": {"x": "joyful"}}, "mine.yml")
    with pytest.raises(LabelMapError, match="labels"):
        parse_label_map({"x": "happy"}, "mine.yml")
    with pytest.raises(LabelMapError, match="does not exist"):
        load_label_map("ravdess", tmp_path / "missing.yml")
    with pytest.raises(LabelMapError, match="no label map ships"):
        load_label_map("generic_csv")
    inline = load_label_map("generic_csv", {"labels": {"joy": "happy"}, "drop": ["?"]})
    assert inline.lookup("joy") == "happy" and inline.lookup("?") is None
