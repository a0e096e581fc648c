"""The sharded store: resume after a crash, incremental extraction, audio identity, damaged shards,
augmented variants per fold, memory-mapped reads."""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ser_generalize.audio.augment import augmentation_transform
from ser_generalize.backbones import store
from ser_generalize.backbones.store import extract_features
from ser_generalize.corpora.manifest import training_ids
from ser_generalize.features.shards import MAPS


@pytest.fixture
def make_manifest(tmp_path: Path, write_wav: Callable[..., Path]) -> Callable[[int], pd.DataFrame]:
    """A corpus 'toy' of ``n`` short tones with two folds (even rows fold 0, odd rows fold 1)."""

    def _make(n: int) -> pd.DataFrame:
        rows = []
        for i in range(n):
            seconds = 0.3 + 0.05 * (i % 5)
            path = tmp_path / "raw" / f"u{i}.wav"
            if not path.exists():
                write_wav(path, duration_s=seconds, freq_hz=150 + 40 * i, seed=i)
            rows.append({"utt_id": f"toy_{i}", "path": str(path), "corpus": "toy", "duration_s": seconds,
                         "fold": i % 2, "official_split": ""})
        return pd.DataFrame(rows)

    return _make


@pytest.fixture
def encoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Clips each backbone ``encode`` call receives (the real logmel backbone runs)."""
    calls: list[int] = []
    build = store.build_backbone

    def counting_build(spec, options=None):  # type: ignore[no-untyped-def]
        backbone = build(spec, options)
        encode = backbone.encode

        def counting(waves):  # type: ignore[no-untyped-def]
            calls.append(len(waves))
            return encode(waves)

        backbone.encode = counting  # type: ignore[method-assign]
        return backbone

    monkeypatch.setattr(store, "build_backbone", counting_build)
    return calls


def _store_dirs(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if p.is_dir())


def test_interrupted_run_resumes_without_redoing_committed_shards(
    make_manifest, encoded: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = make_manifest(6)
    monkeypatch.setattr(store, "CHUNK_CLIPS", 2)
    seen: list[str] = []

    def crashing(utt_id: str, wave: np.ndarray) -> np.ndarray:
        seen.append(utt_id)
        if len(seen) == 5:
            raise RuntimeError("simulated crash in the 5th clip")
        return wave * 0.5

    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="simulated crash"):
        extract_features(manifest, "logmel", None, cache, crashing, "half", progress=False, shard_clips=2)
    assert sum(encoded) == 4  # two chunks of two finished before the crash, each committed as a shard
    assert len(list(_store_dirs(cache)[0].glob("*.json"))) == 2

    seen.clear()
    resumed = extract_features(manifest, "logmel", None, cache, lambda _u, w: w * 0.5, "half",
                               progress=False, shard_clips=2)
    assert sum(encoded) == 4 + 2  # only the two unfinished clips were extracted
    fresh = extract_features(manifest, "logmel", None, tmp_path / "fresh", lambda _u, w: w * 0.5, "half",
                             progress=False)
    assert resumed.utt_ids.tolist() == fresh.utt_ids.tolist() == manifest["utt_id"].tolist()
    for a, b in zip(resumed.frames, fresh.frames, strict=True):
        np.testing.assert_array_equal(a, b)


def test_new_utterances_extract_only_themselves(make_manifest, encoded: list[int], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = extract_features(make_manifest(4), "logmel", None, cache, progress=False)
    assert sum(encoded) == 4
    grown = extract_features(make_manifest(6), "logmel", None, cache, progress=False)
    assert sum(encoded) == 4 + 2 and len(grown) == 6 and grown.key != first.key
    np.testing.assert_array_equal(grown.pooled[:4], first.pooled)


def test_changed_audio_is_reextracted_and_a_touched_file_is_not(
    make_manifest, encoded: list[int], tmp_path: Path, write_wav: Callable[..., Path]
) -> None:
    manifest = make_manifest(4)
    cache = tmp_path / "cache"
    before = extract_features(manifest, "logmel", None, cache, progress=False)
    path = Path(manifest.loc[1, "path"])
    write_wav(path, duration_s=0.9, freq_hz=400, seed=9)  # rewritten: new size and mtime
    after = extract_features(manifest, "logmel", None, cache, progress=False)
    assert sum(encoded) == 4 + 1
    assert len(after.frames[1]) != len(before.frames[1])
    np.testing.assert_array_equal(after.frames[0], before.frames[0])

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched, same bytes
    extract_features(manifest, "logmel", None, cache, progress=False)
    assert sum(encoded) == 5  # content hash matched


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_damaged_shard_is_reported_by_name_and_rebuilt(
    make_manifest, encoded: list[int], tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    manifest = make_manifest(4)
    cache = tmp_path / "cache"
    good = extract_features(manifest, "logmel", None, cache, progress=False, shard_clips=2)
    reference = [np.array(f) for f in good.frames]
    shard = min(_store_dirs(cache)[0].glob("*.frames.npy"))
    data = bytearray(shard.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[-8:] = bytes(255 - b for b in data[-8:])
    MAPS.clear()  # a file is never rewritten in place by the store; this test does
    shard.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        rebuilt = extract_features(manifest, "logmel", None, cache, progress=False, shard_clips=2,
                                   verify="checksum")
    assert shard.name in caplog.text and "re-extracted" in caplog.text
    assert sum(encoded) == 4 + 2  # only the damaged shard's two clips
    for a, b in zip(rebuilt.frames, reference, strict=True):
        np.testing.assert_array_equal(a, b)


def test_changing_fold_never_reuses_augmented_features(make_manifest, tmp_path: Path) -> None:
    manifest = make_manifest(8)
    cache = tmp_path / "cache"
    clean = extract_features(manifest, "logmel", None, cache, progress=False)
    views = {}
    for fold in (0, 1):
        transform, key = augmentation_transform("pink_noise", 1.0, 3, training_ids(manifest, fold))
        views[fold] = (extract_features(manifest, "logmel", None, cache, transform, key, progress=False),
                       transform)
    for fold, (view, transform) in views.items():
        test_ids = manifest.loc[manifest["fold"] == fold, "utt_id"].tolist()
        assert not set(test_ids) & set(transform.augmented_ids)  # type: ignore[attr-defined]
        for u in test_ids:  # test rows: the clean audio's features, whatever fold was augmented before
            i, j = view.utt_ids.tolist().index(u), clean.utt_ids.tolist().index(u)
            np.testing.assert_array_equal(view.frames[i], clean.frames[j])
        for u in transform.augmented_ids:  # type: ignore[attr-defined]
            i, j = view.utt_ids.tolist().index(u), clean.utt_ids.tolist().index(u)
            assert not np.array_equal(view.frames[i], clean.frames[j])


def test_reads_are_memory_mapped_and_the_view_is_small(make_manifest, tmp_path: Path) -> None:
    view = extract_features(make_manifest(5), "logmel", None, tmp_path / "cache", progress=False, shard_clips=2)
    assert isinstance(view.frames[0], np.memmap) and view.frames[0].dtype == np.float16
    assert len(view.shards) == 3 and view.frame_dim == view.frames[4].shape[1]
    assert all(isinstance(f, np.memmap) for f in view.subset(["toy_4", "toy_0"]).frames)
    clone = pickle.loads(pickle.dumps(view))
    assert clone._pooled is None  # pooled rows are gathered again on access, never pickled
    np.testing.assert_array_equal(clone.pooled, view.pooled)
    assert [len(f) for f in clone.frames] == [len(f) for f in view.frames]
    with pytest.raises(KeyError, match="toy_9"):
        view.subset(["toy_9"])


def test_orphan_arrays_of_a_killed_writer_are_removed(make_manifest, tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    cache = tmp_path / "cache"
    extract_features(make_manifest(2), "logmel", None, cache, progress=False)
    orphan = _store_dirs(cache)[0] / "0000000000000001-1-0000-00001.frames.npy"
    np.save(orphan, np.zeros((3, 2), np.float16))
    os.utime(orphan, (1, 1))  # older than an hour: no live writer owns it
    with caplog.at_level(logging.WARNING):
        extract_features(make_manifest(2), "logmel", None, cache, progress=False)
    assert not orphan.exists() and orphan.name in caplog.text


KILLED_RUN = """
import os, signal, sys
import pandas as pd
from ser_generalize.backbones import store

store.CHUNK_CLIPS = 1
seen = []

def killing(utt_id, wave):
    seen.append(utt_id)
    if len(seen) == 4:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no finally: a real kill
    return wave * 0.5

store.extract_features(pd.read_pickle(sys.argv[1]), "logmel", None, sys.argv[2], killing, "half",
                       progress=False, shard_clips=2)
"""


def test_killed_process_loses_at_most_the_shard_it_was_filling(
    make_manifest, encoded: list[int], tmp_path: Path
) -> None:
    import subprocess
    import sys

    manifest = make_manifest(6)
    manifest.to_pickle(tmp_path / "manifest.pkl")
    cache = tmp_path / "cache"
    run = subprocess.run([sys.executable, "-c", KILLED_RUN, str(tmp_path / "manifest.pkl"), str(cache)],
                         check=False, capture_output=True, timeout=120)
    assert run.returncode == -9, run.stderr.decode()[-2000:]
    shards = list(_store_dirs(cache)[0].glob("*.json"))
    assert len(shards) == 1  # clips 1-2 committed; clip 3 was in the unfinished shard
    view = extract_features(manifest, "logmel", None, cache, lambda _u, w: w * 0.5, "half", progress=False)
    assert sum(encoded) == 4 and len(view) == 6


def test_concat_frames_reads_several_views_as_one(make_manifest, tmp_path: Path) -> None:
    from ser_generalize.features.view import ConcatFrames

    view = extract_features(make_manifest(5), "logmel", None, tmp_path / "cache", progress=False, shard_clips=2)
    a, b = view.subset(["toy_0", "toy_1"]), view.subset(["toy_4", "toy_2", "toy_3"])
    joint = ConcatFrames(a.frames, [], b.frames)
    assert len(joint) == 5 and [len(f) for f in joint] == [len(view.frames[i]) for i in (0, 1, 4, 2, 3)]
    np.testing.assert_array_equal(joint[2], view.frames[4])
    np.testing.assert_array_equal(joint[-1], view.frames[3])
    with pytest.raises(IndexError):
        joint[5]
