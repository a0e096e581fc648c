"""build_manifest on small trees: the manifest contract, and every kind of bad input."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from ser_generalize.corpora.ingest import CorpusError, build_manifest
from ser_generalize.corpora.manifest import MANIFEST_COLUMNS


def emovo_tree(write_wav, root: Path) -> None:
    for spk in ("f1", "f2", "m1"):
        for emo in ("neu", "gio", "tri", "rab"):
            for sentence in ("b1", "b2"):
                write_wav(root / spk / f"{emo}-{spk}-{sentence}.wav", duration_s=0.3)


def test_manifest_contract_and_bad_inputs(write_wav, tmp_path: Path) -> None:
    root = tmp_path / "emovo"
    emovo_tree(write_wav, root)
    (root / "f1" / "neu-f1-n1.wav").write_bytes(b"")  # empty
    (root / "f1" / "gio-f1-n2.wav").write_bytes(b"RIFF garbage that is not audio" * 4)  # corrupt
    write_wav(root / "f2" / "xyz-f2-b1.wav", duration_s=0.3)  # unknown raw label
    write_wav(root / "m1" / "readme-notes.wav", duration_s=0.3)  # name does not parse
    sf.write(root / "m1" / "tri-m1-n3.wav", np.zeros((8000, 2), np.float32), 44_100)  # stereo 44.1 kHz is fine
    manifest, rejects = build_manifest("emo", "emovo", root, "it", progress=False)
    assert list(manifest.columns) == list(MANIFEST_COLUMNS)
    assert len(manifest) == 25
    assert manifest["utt_id"].str.startswith("emo/").all()
    stereo = manifest[manifest["utt_id"] == "emo/m1/tri-m1-n3"].iloc[0]
    assert (stereo["channels"], stereo["sample_rate"]) == (2, 44_100)
    reasons = dict(zip(rejects["path"].map(lambda p: Path(p).name), rejects["reason"], strict=True))
    assert "empty" in reasons["neu-f1-n1.wav"]
    assert "not decodable" in reasons["gio-f1-n2.wav"]
    assert "unknown raw label 'xyz'" in reasons["xyz-f2-b1.wav"]
    assert "naming" in reasons["readme-notes.wav"]
    assert rejects["action"].str.len().gt(0).all()
    assert set(manifest["partition_scheme"]) == {"speaker_dependent_25"}


def test_missing_root_and_empty_corpus_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist.*ingestion.corpora.x.root"):
        build_manifest("x", "emovo", tmp_path / "nowhere", "it", progress=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no usable utterance"):
        build_manifest("x", "emovo", tmp_path / "empty", "it", progress=False)


def test_duplicate_metadata_row_and_nonfinite_audio_are_rejected_and_the_rest_kept(write_wav, tmp_path: Path) -> None:
    root = tmp_path / "csvcorpus"
    lines = ["path,label,speaker"]
    for i in range(6):
        write_wav(root / "wav" / f"u{i}.wav", duration_s=0.3, seed=i)
        lines.append(f"wav/u{i}.wav,{'happy' if i % 2 else 'sad'},spk{i % 3}")
    lines.append("wav/u2.wav,sad,spk2")  # the same metadata row twice
    nan = np.full(4800, 0.1, np.float32)
    nan[1000] = np.nan
    inf = np.full(4800, 0.1, np.float32)
    inf[3000] = np.inf
    sf.write(root / "wav" / "nan.wav", nan, 16_000, subtype="FLOAT")
    sf.write(root / "wav" / "inf.wav", inf, 16_000, subtype="DOUBLE")
    sf.write(root / "wav" / "fine_float.wav", np.full(4800, 0.1, np.float32), 16_000, subtype="FLOAT")
    lines += ["wav/nan.wav,sad,spk0", "wav/inf.wav,happy,spk1", "wav/fine_float.wav,happy,spk1"]
    (root / "metadata.csv").write_text("\n".join(lines) + "\n")

    labels = {"labels": {"happy": "happy", "sad": "sad"}, "drop": []}
    manifest, rejects = build_manifest("gen", "generic_csv", root, "en", label_map=labels, progress=False)
    assert sorted(manifest["utt_id"]) == sorted([f"gen/wav/u{i}" for i in range(6)] + ["gen/wav/fine_float"])
    by_file = {Path(p).name: (r, a) for p, r, a in zip(rejects["path"], rejects["reason"], rejects["action"],
                                                      strict=True)}
    assert set(by_file) == {"u2.wav", "nan.wav", "inf.wav"}
    assert "duplicate utt_id 'gen/wav/u2'" in by_file["u2.wav"][0] and "kept the first" in by_file["u2.wav"][1]
    assert "NaN or infinite samples (first at sample 1000)" in by_file["nan.wav"][0]
    assert "NaN or infinite samples (first at sample 3000)" in by_file["inf.wav"][0]
    assert rejects["action"].str.len().gt(0).all() and (rejects["corpus"] == "gen").all()
