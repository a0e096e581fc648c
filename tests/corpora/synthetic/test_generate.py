"""The synthetic generator: real naming, determinism, emotional prosody, recording conditions, idempotence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from ser_generalize.corpora.adapters import RawUtterance, get_adapter
from ser_generalize.corpora.synthetic.conditions import Condition, apply_condition, room_impulse_response
from ser_generalize.corpora.synthetic.generate import ensure_synthetic_corpora, generate_corpus, plan_corpus

SPEAKERS = [{"id": "1", "gender": "male", "variant": "m3"}, {"id": "2", "gender": "female", "variant": "f2"}]


def spec(layout: str, emotions: list[str], language: str = "en", per_emotion: int = 2, **condition) -> dict:
    speakers = [dict(s) for s in SPEAKERS]
    if layout == "cremad":
        speakers = [{**s, "id": str(1000 + int(s["id"]))} for s in speakers]
    if layout == "emovo":
        speakers = [{**s, "id": ("m1", "f1")[i]} for i, s in enumerate(speakers)]
    return {
        "layout": layout,
        "language": language,
        "per_emotion": per_emotion,
        "emotions": emotions,
        "speakers": speakers,
        "condition": condition,
    }


@pytest.mark.parametrize(
    ("layout", "emotions", "example"),
    [
        ("ravdess", ["neutral", "angry"], "Actor_01/03-01-05-01-01-01-01.wav"),
        ("cremad", ["sad", "happy"], "AudioWAV/1001_IEO_SAD_LO.wav"),
        ("emodb", ["boredom", "fear"], "wav/01a01La.wav"),
        ("emovo", ["neutral", "sad"], "m1/neu-m1-b1.wav"),
    ],
)
def test_each_layout_is_read_back_by_its_real_adapter(
    tmp_path: Path, layout: str, emotions: list[str], example: str
) -> None:
    root = generate_corpus(spec(layout, emotions, per_emotion=1), tmp_path / layout, seed=1, progress=False)
    assert (root / example).is_file()
    assert (root / "SYNTHETIC.txt").is_file()
    results = list(get_adapter(layout).scan(root))
    assert all(isinstance(r, RawUtterance) for r in results)
    assert len(results) == len(SPEAKERS) * len(emotions)


def test_generation_is_deterministic(tmp_path: Path) -> None:
    def digest(root: Path) -> list[str]:
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*.wav"))]

    cfg = spec("emovo", ["neutral", "angry"], language="it", t60_s=0.3, snr_db=20)
    runs = {}
    for run, seed in [("a", 5), ("b", 5), ("c", 6)]:
        params = {"seed": seed, "progress": False, "corpora": {"x": cfg}}
        runs[run] = Path(ensure_synthetic_corpora(params, tmp_path / run)["x"])
    assert digest(runs["a"]) == digest(runs["b"])
    assert digest(runs["a"]) != digest(runs["c"])


def test_angry_is_louder_and_faster_than_sad(tmp_path: Path) -> None:
    root = generate_corpus(
        spec("emovo", ["angry", "sad"], language="it", per_emotion=4), tmp_path / "e", seed=3, progress=False
    )

    def stats(code: str) -> tuple[float, float]:
        clips = [sf.read(p)[0] for p in root.rglob(f"{code}-*.wav")]
        return float(np.mean([np.sqrt(np.mean(c**2)) for c in clips])), float(
            np.mean([len(c) for c in clips])
        )

    (angry_rms, angry_len), (sad_rms, sad_len) = stats("rab"), stats("tri")
    assert angry_rms > 1.5 * sad_rms
    assert angry_len < sad_len


def test_reverb_and_noise_conditions_are_applied() -> None:
    rng = np.random.default_rng(0)
    sr = 16_000
    burst = np.zeros(sr, np.float32)
    burst[: sr // 10] = rng.standard_normal(sr // 10)
    dry = apply_condition(burst, sr, Condition(gain_db=0), np.random.default_rng(1))
    wet = apply_condition(burst, sr, Condition(t60_s=0.8, gain_db=0), np.random.default_rng(1))
    tail = slice(int(0.3 * sr), int(0.5 * sr))
    assert np.sqrt(np.mean(wet[tail] ** 2)) > 10 * (np.sqrt(np.mean(dry[tail] ** 2)) + 1e-6)
    noisy = apply_condition(
        burst, sr, Condition(snr_db=10, noise_color="white", gain_db=0), np.random.default_rng(1)
    )
    assert np.std(noisy[tail]) > 0.01
    rir = room_impulse_response(0.5, sr, 0.0, rng)
    energy_db = 10 * np.log10(np.cumsum(rir[::-1] ** 2)[::-1] + 1e-20)
    drop_at_half_t60 = energy_db[0] - energy_db[int(0.25 * sr)]
    assert 25 < drop_at_half_t60 < 35  # 60 dB per T60 -> ~30 dB at T60/2


def test_duplicate_names_are_a_config_error() -> None:
    with pytest.raises(ValueError, match="naming"):
        plan_corpus(spec("emovo", ["neutral"], per_emotion=40))


def test_ensure_is_idempotent(tmp_path: Path) -> None:
    params = {
        "seed": 1,
        "progress": False,
        "corpora": {"tiny": spec("emodb", ["neutral", "angry"], language="de", per_emotion=1)},
    }
    roots = ensure_synthetic_corpora(params, tmp_path)
    wav = next(Path(roots["tiny"]).rglob("*.wav"))
    mtime = wav.stat().st_mtime_ns
    ensure_synthetic_corpora(params, tmp_path)
    assert wav.stat().st_mtime_ns == mtime


def test_corpus_of_an_older_recording_chain_is_written_again(tmp_path: Path, caplog) -> None:
    import json
    import logging

    params = {"seed": 1, "progress": False,
              "corpora": {"tiny": spec("emodb", ["neutral"], language="de", per_emotion=1)}}
    settings = Path(ensure_synthetic_corpora(params, tmp_path)["tiny"]) / "conditions.json"
    stale = {**json.loads(settings.read_text()), "render_version": 1}
    settings.write_text(json.dumps(stale))
    with caplog.at_level(logging.WARNING):
        ensure_synthetic_corpora(params, tmp_path)
    assert "older recording chain" in caplog.text
    assert json.loads(settings.read_text())["render_version"] != 1
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        ensure_synthetic_corpora({**params, "force": True}, tmp_path)   # forced, not stale: no such warning
    assert "older recording chain" not in caplog.text


def test_metadata_matches_speakers_and_settings_are_recorded(tmp_path: Path) -> None:
    import json

    import pandas as pd

    cfg = spec("cremad", ["neutral"], language="es", per_emotion=1, snr_db=12, lowpass_hz=4000)
    root = generate_corpus(cfg, tmp_path / "c", seed=2, progress=False)
    demo = pd.read_csv(root / "VideoDemographics.csv")
    assert list(demo.columns) == ["ActorID", "Age", "Sex", "Race", "Ethnicity"]
    assert dict(zip(demo.ActorID, demo.Sex)) == {1001: "Male", 1002: "Female"}
    recorded = json.loads((root / "conditions.json").read_text())
    assert recorded["seed"] == 2 and recorded["condition"] == {"snr_db": 12, "lowpass_hz": 4000}


def test_ravdess_gender_must_follow_actor_parity() -> None:
    bad = spec("ravdess", ["neutral"])
    bad["speakers"][0]["gender"] = "female"  # actor 1 is odd, so male in RAVDESS
    with pytest.raises(ValueError, match="parity"):
        plan_corpus(bad)
