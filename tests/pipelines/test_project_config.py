"""The one rule for labelling corpora synthetic, shared by every report."""

from __future__ import annotations

from ser_generalize.pipelines.project_config import (
    bind,
    project_parameters,
    synthetic_corpora,
    synthetic_flags,
)
from ser_generalize.reporting.markdown import synthetic_prefix


def test_declared_flag_wins_over_the_name_and_the_name_is_the_fallback() -> None:
    ingestion = {"corpora": {"syn_ravdess": {"synthetic": False}, "my_tts": {"synthetic": True}, "emodb": {}}}
    flags = synthetic_flags(["syn_ravdess", "my_tts", "emodb", "syn_undeclared"], ingestion)
    assert flags == {"syn_ravdess": False, "my_tts": True, "emodb": False, "syn_undeclared": True}
    assert synthetic_flags(["syn_x", "iemocap"], None) == {"syn_x": True, "iemocap": False}


def test_bind_fixes_arguments_and_keeps_the_name_kedro_shows() -> None:
    def run_thing(data: int, synthetic: bool) -> tuple[int, bool]:
        return data, synthetic

    bound = bind(run_thing, synthetic=True)
    assert bound.__name__ == "run_thing"
    assert bound(3) == (3, True)


def test_override_parameters_are_used_as_given_and_none_reads_the_project_conf() -> None:
    override = {"ingestion": {"corpora": {}}}
    assert project_parameters(override) is override
    assert "cross_corpus" in project_parameters(None)


def test_a_run_is_synthetic_when_any_corpus_is_and_the_label_names_them() -> None:
    ingestion = {"corpora": {"syn_b": {}, "emodb": {}, "my_tts": {"synthetic": True}}}
    names = synthetic_corpora(["emodb", "syn_b", "my_tts"], ingestion)
    assert names == ["my_tts", "syn_b"]
    assert synthetic_prefix(names) == "SYNTHETIC corpora (my_tts, syn_b): "
    assert synthetic_corpora(["emodb"], ingestion) == [] and synthetic_prefix([]) == ""
