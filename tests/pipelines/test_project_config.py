"""The one rule for labelling corpora synthetic, shared by every report."""

from __future__ import annotations

from ser_generalize.pipelines.project_config import synthetic_flags


def test_declared_flag_wins_over_the_name_and_the_name_is_the_fallback() -> None:
    ingestion = {"corpora": {"syn_ravdess": {"synthetic": False}, "my_tts": {"synthetic": True}, "emodb": {}}}
    flags = synthetic_flags(["syn_ravdess", "my_tts", "emodb", "syn_undeclared"], ingestion)
    assert flags == {"syn_ravdess": False, "my_tts": True, "emodb": False, "syn_undeclared": True}
    assert synthetic_flags(["syn_x", "iemocap"], None) == {"syn_x": True, "iemocap": False}
