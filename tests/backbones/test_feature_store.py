"""The feature store: cache reuse, invalidation on config / manifest / transform change, failed files."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ser_generalize.backbones import store
from ser_generalize.backbones.store import extract_features


@pytest.fixture
def manifest(tmp_path: Path, write_wav: Callable[..., Path]) -> pd.DataFrame:
    """Four short tones of different lengths in a tiny corpus 'toy'."""
    rows = []
    for i, seconds in enumerate([0.5, 0.3, 0.7, 0.4]):
        path = write_wav(tmp_path / "raw" / f"u{i}.wav", duration_s=seconds, freq_hz=150 + 100 * i, seed=i)
        rows.append({"utt_id": f"toy_{i}", "path": str(path), "corpus": "toy", "duration_s": seconds})
    return pd.DataFrame(rows)


def _count_extractions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the number of clips each extraction run hands to the backbone (0-clip runs are not recorded)."""
    calls: list[int] = []
    original = store._extract

    def counting(todo: pd.DataFrame, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(len(todo))
        return original(todo, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "_extract", counting)
    return calls


def test_rerun_reuses_cache_and_config_change_reextracts(
    manifest: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls = _count_extractions(monkeypatch)
    cache = tmp_path / "04_feature"
    first = extract_features(manifest, "logmel", None, cache, progress=False)
    assert calls == [4]
    stores = sorted(cache.glob("toy.logmel.*"))
    assert len(stores) == 1 and len(list(stores[0].glob("*.json"))) == 1  # one shard of four clips

    with caplog.at_level(logging.INFO, logger="ser_generalize.backbones.store"):
        again = extract_features(manifest, "logmel", {}, cache, progress=False)
    assert calls == [4] and "reusing cached features" in caplog.text
    assert again.key == first.key
    for a, b in zip(first.frames, again.frames, strict=True):
        np.testing.assert_array_equal(a, b)

    changed = extract_features(manifest, "logmel", {"n_mels": 32}, cache, progress=False)
    assert calls == [4, 4] and changed.key != first.key and changed.frame_dim == 32
    assert len(list(cache.glob("toy.logmel.*"))) == 2


def test_manifest_and_transform_changes_get_their_own_cache(
    manifest: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_extractions(monkeypatch)
    cache = tmp_path / "04_feature"
    base = extract_features(manifest, "logmel", None, cache, progress=False)
    fewer = extract_features(manifest.iloc[:3], "logmel", None, cache, progress=False)
    louder = extract_features(
        manifest,
        "logmel",
        None,
        cache,
        waveform_transform=lambda _u, w: 4 * w,
        transform_key="gain4",
        progress=False,
    )
    assert calls == [4, 4]  # the 3-row manifest is served from the store; the transform extracts anew
    assert len({base.key, fewer.key, louder.key}) == 3
    np.testing.assert_array_equal(fewer.pooled, base.pooled[:3])
    # a x4 gain is +12 dB on every log-mel bin
    np.testing.assert_allclose(louder.pooled[:, :64] - base.pooled[:, :64], 20 * np.log10(4), atol=0.05)
    with pytest.raises(ValueError, match="transform_key"):
        extract_features(manifest, "logmel", None, cache, waveform_transform=lambda _u, w: w)


def test_undecodable_file_is_skipped_and_listed(
    manifest: pd.DataFrame, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "raw" / "broken.wav"
    broken.write_bytes(b"not audio at all")
    bad = pd.concat(
        [
            manifest,
            pd.DataFrame([{"utt_id": "toy_bad", "path": str(broken), "corpus": "toy", "duration_s": 0.5}]),
        ]
    )
    with caplog.at_level(logging.WARNING):
        features = extract_features(bad, "egemaps", None, tmp_path / "cache", progress=False)
    assert features.failed == ["toy_bad"] and "broken.wav" in caplog.text
    assert features.utt_ids.tolist() == ["toy_0", "toy_1", "toy_2", "toy_3"]  # manifest order kept
    assert features.pooled.shape == (4, 88) and features.frame_dim == 25
    reloaded = extract_features(bad, "egemaps", None, tmp_path / "cache", progress=False)
    assert reloaded.failed == ["toy_bad"] and reloaded.utt_ids.tolist() == features.utt_ids.tolist()


def test_featureset_roundtrip_and_subset(manifest: pd.DataFrame, tmp_path: Path) -> None:
    features = extract_features(manifest, "logmel", None, tmp_path / "cache", progress=False)
    assert all(f.dtype == np.float16 for f in features.frames) and features.pooled.dtype == np.float32
    assert [len(f) for f in features.frames] == [1 + int(s * 16_000) // 320 for s in manifest["duration_s"]]
    loaded = pickle.loads(pickle.dumps(features))
    assert len(pickle.dumps(features)) < 5_000  # paths + index only, no frames
    assert loaded.key == features.key and loaded.backbone == features.backbone
    assert loaded.backbone["spec"] == "logmel" and loaded.backbone["n_mels"] == 64

    part = loaded.subset(["toy_2", "toy_0"])
    assert part.utt_ids.tolist() == ["toy_2", "toy_0"]
    np.testing.assert_array_equal(part.frames[0], features.frames[2])
    np.testing.assert_array_equal(part.pooled[1], features.pooled[0])
    with pytest.raises(KeyError, match="toy_9"):
        loaded.subset(["toy_9"])


def test_whisper_features_are_cached_per_trim_mode(
    manifest: pd.DataFrame, tmp_path: Path, tiny_models: dict[str, Path]
) -> None:
    spec = f"hf:{tiny_models['whisper']}"
    trimmed = extract_features(manifest, spec, {"trim": True}, tmp_path / "cache", progress=False)
    padded = extract_features(manifest, spec, {"trim": False}, tmp_path / "cache", progress=False)
    assert trimmed.key != padded.key
    assert [len(f) for f in trimmed.frames] == [
        int(np.ceil(s * 16_000 / 320)) for s in manifest["duration_s"]
    ]
    assert len(list((tmp_path / "cache").glob("toy.hf-whisper.*"))) == 2


def test_corpus_with_no_decodable_file_gives_an_empty_set(tmp_path: Path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"")
    manifest = pd.DataFrame([{"utt_id": "x_0", "path": str(broken), "corpus": "x", "duration_s": 1.0}])
    features = extract_features(manifest, "logmel", None, tmp_path / "cache", progress=False)
    assert len(features) == 0 and features.failed == ["x_0"] and features.pooled.shape == (0, 128)
    assert len(extract_features(manifest, "logmel", None, tmp_path / "cache", progress=False)) == 0


def test_features_block_reads_the_same_cache_as_explicit_arguments(
    manifest: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_extractions(monkeypatch)
    cache = tmp_path / "04_feature"
    direct = extract_features(manifest, "logmel", {"n_mels": 32}, cache, progress=False)
    block = {"backbone": "logmel", "backbone_options": {"n_mels": 32}, "cache_dir": str(cache)}
    via_block = store.extract_features_for(manifest, block)
    assert calls == [4] and via_block.key == direct.key  # second call is a cache hit
    np.testing.assert_array_equal(via_block.pooled, direct.pooled)
