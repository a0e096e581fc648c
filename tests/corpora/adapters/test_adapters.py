"""Every adapter on a small tree written in that corpus's real naming."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ser_generalize.corpora.adapters import ADAPTERS, RawUtterance, ScanReject, get_adapter


def scan(adapter: str, root: Path, **options: object) -> tuple[list[RawUtterance], list[ScanReject]]:
    results = list(get_adapter(adapter, **options).scan(root))
    return [r for r in results if isinstance(r, RawUtterance)], [r for r in results if isinstance(r, ScanReject)]


def test_registry_lists_every_required_corpus() -> None:
    assert set(ADAPTERS) == {"ravdess", "cremad", "tess", "savee", "emodb", "emovo", "cafe", "iemocap", "meld",
                             "msp_podcast", "esd", "generic_csv"}
    with pytest.raises(KeyError, match="available"):
        get_adapter("nope")


def test_ravdess(write_wav, tmp_path: Path) -> None:
    write_wav(tmp_path / "Actor_01/03-01-05-01-02-01-01.wav")
    write_wav(tmp_path / "Actor_02/03-01-02-02-01-02-02.wav")
    write_wav(tmp_path / "Actor_02/03-02-03-01-01-01-02.wav")  # song
    write_wav(tmp_path / "Actor_02/notes.wav")
    utts, rejects = scan("ravdess", tmp_path)
    assert [(u.speaker, u.raw_label, u.gender) for u in utts] == [("01", "05", "male"), ("02", "02", "female")]
    assert sorted(r.reason.split(" ")[0] for r in rejects) == ["file", "song"]


def test_cremad_reads_sex_from_demographics(write_wav, tmp_path: Path) -> None:
    write_wav(tmp_path / "AudioWAV/1001_DFA_ANG_XX.wav")
    write_wav(tmp_path / "AudioWAV/1002_IEO_HAP_HI.wav")
    pd.DataFrame({"ActorID": [1001, 1002], "Sex": ["Male", "Female"]}).to_csv(tmp_path / "VideoDemographics.csv", index=False)
    utts, rejects = scan("cremad", tmp_path)
    assert [(u.speaker, u.raw_label, u.gender) for u in utts] == [("1001", "ANG", "male"), ("1002", "HAP", "female")]
    assert rejects == []


def test_tess(write_wav, tmp_path: Path) -> None:
    write_wav(tmp_path / "OAF_angry/OAF_back_angry.wav")
    write_wav(tmp_path / "YAF_pleasant_surprised/YAF_bar_ps.wav")
    utts, _ = scan("tess", tmp_path)
    assert [(u.speaker, u.raw_label) for u in utts] == [("OAF", "angry"), ("YAF", "ps")]


def test_savee_folder_and_flat_naming(write_wav, tmp_path: Path) -> None:
    write_wav(tmp_path / "AudioData/DC/sa01.wav")
    write_wav(tmp_path / "ALL/KL_su12.wav")
    write_wav(tmp_path / "AudioData/XX/a01.wav")
    utts, rejects = scan("savee", tmp_path)
    assert sorted((u.speaker, u.raw_label) for u in utts) == [("DC", "sa"), ("KL", "su")]
    assert len(rejects) == 1


def test_emodb(write_wav, tmp_path: Path) -> None:
    write_wav(tmp_path / "wav/03a01Wa.wav")
    write_wav(tmp_path / "wav/08b10Lc.wav")
    utts, _ = scan("emodb", tmp_path)
    assert [(u.speaker, u.raw_label, u.gender) for u in utts] == [("03", "W", "male"), ("08", "L", "female")]


def test_emovo(write_wav, tmp_path: Path) -> None:
    write_wav(tmp_path / "f1/neu-f1-b1.wav")
    write_wav(tmp_path / "m3/rab-m3-l4.wav")
    utts, _ = scan("emovo", tmp_path)
    assert [(u.speaker, u.raw_label, u.gender) for u in utts] == [("f1", "neu", "female"), ("m3", "rab", "male")]


def test_cafe_with_and_without_intensity(write_wav, tmp_path: Path) -> None:
    write_wav(tmp_path / "Colère/Faible/01-C-1-1.wav")
    write_wav(tmp_path / "Neutre/02-N-3.wav")
    utts, _ = scan("cafe", tmp_path)
    assert sorted((u.speaker, u.raw_label, u.gender) for u in utts) == [("01", "C", "male"), ("02", "N", "female")]


def test_iemocap_sessions_are_official_folds(write_wav, tmp_path: Path) -> None:
    for session, utt in [(1, "Ses01F_impro01_M000"), (2, "Ses02M_script01_1_F003")]:
        dialog = utt.rsplit("_", 1)[0]
        write_wav(tmp_path / f"Session{session}/sentences/wav/{dialog}/{utt}.wav")
        labels = tmp_path / f"Session{session}/dialog/EmoEvaluation/{dialog}.txt"
        labels.parent.mkdir(parents=True, exist_ok=True)
        labels.write_text(f"% header\n[6.2901 - 8.2357]\t{utt}\t{'exc' if session == 1 else 'xxx'}\t[2.5, 2.5, 2.5]\nC-E1:\tNeutral;\t()\n")
    utts, _ = scan("iemocap", tmp_path)
    assert [(u.speaker, u.raw_label, u.gender, u.official_fold) for u in utts] == [
        ("1M", "exc", "male", 0), ("2F", "xxx", "female", 1)]


def test_meld_keeps_official_splits_and_rejects_mp4_only_rows(write_wav, tmp_path: Path) -> None:
    for split, folder in [("train", "train_splits"), ("dev", "dev_splits_complete"), ("test", "output_repeated_splits_test")]:
        pd.DataFrame({"Dialogue_ID": [0, 1], "Utterance_ID": [0, 0], "Speaker": ["Ross", "Rachel"],
                      "Emotion": ["joy", "anger"]}).to_csv(tmp_path / f"{split}_sent_emo.csv", index=False)
        write_wav(tmp_path / folder / "dia0_utt0.wav")
    utts, rejects = scan("meld", tmp_path)
    assert [(u.official_split, u.speaker, u.raw_label) for u in utts] == [
        ("train", "Ross", "joy"), ("dev", "Ross", "joy"), ("test", "Ross", "joy")]
    assert len(rejects) == 3 and all("ffmpeg" in r.action for r in rejects)


def test_msp_podcast_partitions(write_wav, tmp_path: Path) -> None:
    (tmp_path / "Labels").mkdir()
    pd.DataFrame({"FileName": ["MSP-PODCAST_0001_0001.wav", "MSP-PODCAST_0002_0001.wav", "MSP-PODCAST_0003_0001.wav"],
                  "EmoClass": ["H", "N", "X"], "SpkrID": [1, 2, "Unknown"], "Gender": ["Female", "Male", "Unknown"],
                  "Split_Set": ["Train", "Development", "Test1"]}).to_csv(tmp_path / "Labels/labels_consensus.csv", index=False)
    utts, _ = scan("msp_podcast", tmp_path)
    assert [(u.official_split, u.raw_label, u.gender) for u in utts] == [
        ("train", "H", "female"), ("dev", "N", "male"), ("test", "X", "unknown")]


@pytest.mark.parametrize(("test_set", "tested", "rejected"), [
    (None, ["Test1"], ["Test2"]), ("test2", ["Test2"], ["Test1"]), ("both", ["Test1", "Test2"], [])])
def test_msp_podcast_test_set_option(tmp_path: Path, test_set, tested, rejected) -> None:
    (tmp_path / "Labels").mkdir()
    splits = ["Train", "Development", "Test1", "Test2"]
    pd.DataFrame({"FileName": [f"MSP-PODCAST_000{i}_0001.wav" for i in range(4)], "EmoClass": ["H", "N", "A", "S"],
                  "SpkrID": [1, 2, 3, 4], "Gender": ["Female"] * 4, "Split_Set": splits}
                 ).to_csv(tmp_path / "Labels/labels_consensus.csv", index=False)
    utts, rejects = scan("msp_podcast", tmp_path, **({} if test_set is None else {"test_set": test_set}))
    by_file = dict(zip([f"MSP-PODCAST_000{i}_0001.wav" for i in range(4)], splits, strict=True))
    assert [by_file[u.path.name] for u in utts if u.official_split == "test"] == tested
    assert [u.official_split for u in utts if u.official_split != "test"] == ["train", "dev"]
    assert [by_file[r.path.name] for r in rejects] == rejected
    assert all("not the chosen test set" in r.reason for r in rejects)


def test_msp_podcast_unknown_test_set_names_the_parameter() -> None:
    with pytest.raises(ValueError, match="options.test_set"):
        get_adapter("msp_podcast", test_set="test3")


def test_esd_language_and_split_folders(write_wav, tmp_path: Path) -> None:
    write_wav(tmp_path / "0001/Angry/train/0001_000351.wav")
    write_wav(tmp_path / "0011/Happy/0011_000701.wav")
    utts, _ = scan("esd", tmp_path)
    assert [(u.speaker, u.raw_label, u.language, u.official_split) for u in utts] == [
        ("0001", "angry", "zh", "train"), ("0011", "happy", "en", "")]


def test_generic_csv(write_wav, tmp_path: Path) -> None:
    write_wav(tmp_path / "clips/a.wav")
    pd.DataFrame({"path": ["clips/a.wav", "clips/b.wav"], "label": ["joy", None], "speaker": ["s1", "s2"],
                  "split": ["test", "train"]}).to_csv(tmp_path / "meta.csv", index=False)
    utts, rejects = scan("generic_csv", tmp_path, csv="meta.csv")
    assert [(u.speaker, u.raw_label, u.official_split) for u in utts] == [("s1", "joy", "test")]
    assert "row 3" in rejects[0].reason
    _, missing = scan("generic_csv", tmp_path, csv="absent.csv")
    assert "missing" in missing[0].reason
