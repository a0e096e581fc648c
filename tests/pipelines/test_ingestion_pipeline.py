"""The ingestion pipeline end to end on two tiny corpora: namespaced branches, manifests, rejects, summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro_datasets.pandas import CSVDataset, ParquetDataset

from ser_generalize.corpora.ingest import CorpusError
from ser_generalize.corpora.manifest import MANIFEST_COLUMNS
from ser_generalize.pipelines.ingestion import create_pipeline
from ser_generalize.pipelines.ingestion.nodes import prepare_corpora

SYNTHESIZE = {"corpora": {}}


def ravdess_tree(write_wav, root: Path) -> None:
    """4 actors x 4 emotions (neutral, happy, sad, angry) x 2 statements, in the real naming."""
    for actor in range(1, 5):
        for emotion in ("01", "03", "04", "05"):
            for statement in ("01", "02"):
                name = f"03-01-{emotion}-01-{statement}-01-{actor:02d}.wav"
                write_wav(root / f"Actor_{actor:02d}" / name, duration_s=0.2)


def emodb_tree(write_wav, root: Path) -> None:
    """3 speakers x 3 emotions x 2 texts, plus one unparsable name."""
    for spk in ("03", "08", "09"):
        for code in ("W", "T", "N"):
            for text in ("a01", "a02"):
                write_wav(root / "wav" / f"{spk}{text}{code}a.wav", duration_s=0.2)
    write_wav(root / "wav" / "notes.wav", duration_s=0.2)


def params_for(tmp_path: Path) -> dict:
    return {
        "synthesize_if_missing": False,
        "corpora": {
            "rav": {"adapter": "ravdess", "root": str(tmp_path / "rav"), "language": "en", "synthetic": True},
            "edb": {"adapter": "emodb", "root": str(tmp_path / "edb"), "language": "de", "synthetic": False},
        },
    }


def test_pipeline_builds_manifests_rejects_and_summary(write_wav, tmp_path: Path) -> None:
    ravdess_tree(write_wav, tmp_path / "rav")
    emodb_tree(write_wav, tmp_path / "edb")
    ingestion = params_for(tmp_path)
    pipe = create_pipeline(parameters={"ingestion": ingestion})
    assert {n.namespace for n in pipe.nodes} == {None, "rav", "edb"}
    outputs = pipe.all_outputs()
    catalog = DataCatalog(
        datasets={
            "params:ingestion": MemoryDataset(ingestion),
            "params:synthesize": MemoryDataset(SYNTHESIZE),
            **{f"params:ingestion.corpora.{n}": MemoryDataset(c) for n, c in ingestion["corpora"].items()},
            **{name: MemoryDataset() for name in outputs},
            # files, as in catalog_ingestion.yml, so the runner does not release them after the summary
            **{f"{n}.manifest": ParquetDataset(filepath=str(tmp_path / f"{n}.parquet")) for n in ("rav", "edb")},
            **{f"{n}.rejects": CSVDataset(filepath=str(tmp_path / f"{n}.csv")) for n in ("rav", "edb")},
        }
    )
    SequentialRunner().run(pipe, catalog)

    rav = catalog.load("rav.manifest")
    assert list(rav.columns) == list(MANIFEST_COLUMNS)
    assert sorted(rav["speaker"].unique()) == ["01", "02", "03", "04"]
    assert set(rav.loc[rav["speaker"] == "01", "gender"]) == {"male"}
    assert set(rav["partition_scheme"]) == {"leave_speakers_out"}
    assert rav.groupby("speaker")["fold"].nunique().eq(1).all() and rav["fold"].nunique() == 4
    edb = catalog.load("edb.manifest")
    assert len(edb) == 18 and set(edb["emotion"]) == {"angry", "sad", "neutral"}
    assert set(edb["partition_scheme"]) == {"speaker_dependent_25"}
    assert (edb["fold"] == 0).sum() == 6  # 25% of 6 per emotion, rounded, x 3 emotions
    assert catalog.load("rav.rejects").empty
    assert catalog.load("edb.rejects")["path"].str.endswith("notes.wav").tolist() == [True]

    summary = catalog.load("corpus_summary").set_index("corpus")
    assert summary.loc["rav", ["utterances", "speakers", "test_folds", "rejected"]].tolist() == [32, 4, 4, 0]
    assert summary.loc["edb", ["utterances", "speakers", "rejected", "angry"]].tolist() == [18, 3, 1, 6]
    markdown = catalog.load("corpus_summary_markdown")
    assert "Synthetic corpora" in markdown and "| rav |" in markdown
    assert "synthetic" in catalog.load("corpus_label_distribution_plot").axes[0].get_title()


def test_prepare_names_every_missing_root(tmp_path: Path) -> None:
    ingestion = params_for(tmp_path)
    with pytest.raises(CorpusError, match=r"rav \(.*rav\).*edb \(.*edb\).*ingestion.corpora.<name>.root"):
        prepare_corpora(ingestion, SYNTHESIZE)
    with pytest.raises(CorpusError, match="ingestion.corpora is empty"):
        prepare_corpora({"corpora": {}}, SYNTHESIZE)
