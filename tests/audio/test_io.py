from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from ser_generalize.audio.io import TARGET_SAMPLE_RATE, AudioError, load_audio, probe_audio


def test_load_audio_resamples_and_downmixes(write_wav, tmp_path: Path) -> None:
    path = write_wav(tmp_path / "stereo_44k.wav", duration_s=0.5, sample_rate=44_100, channels=2)
    samples = load_audio(path)
    assert samples.dtype == np.float32
    assert samples.ndim == 1
    assert abs(samples.size - 0.5 * TARGET_SAMPLE_RATE) <= 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"this is not audio at all" * 10, "not decodable")],
)
def test_probe_rejects_bad_files_with_named_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=reason) as info:
        probe_audio(path)
    assert str(path) in str(info.value)


def test_probe_rejects_missing_and_too_short(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="does not exist"):
        probe_audio(tmp_path / "missing.wav")
    short = tmp_path / "short.wav"
    sf.write(short, np.zeros(10, dtype=np.float32), 16_000)
    with pytest.raises(AudioError, match="under"):
        probe_audio(short)
