"""Emotion and speaker prosody for the synthetic corpora: offsets on eSpeak's rate, pitch, range and volume.

Offsets follow the acoustic correlates reported for acted emotional speech (anger and joy:
faster, louder, wider pitch range; sadness and boredom: slower, quieter, lower and flatter;
fear: fast and high but narrow). Per-utterance jitter makes classes overlap, as in real data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .espeak import Prosody

BASE = Prosody(rate=165, volume=100, pitch=45, range=50)


@dataclass(frozen=True)
class Offset:
    """Relative rate change, additive pitch / range points, relative volume change."""

    rate: float = 0.0
    pitch: float = 0.0
    range: float = 0.0
    volume: float = 0.0


EMOTION_OFFSETS: dict[str, Offset] = {
    "neutral": Offset(),
    "calm": Offset(rate=-0.10, pitch=-3, range=-10, volume=-0.10),
    "happy": Offset(rate=0.10, pitch=12, range=25, volume=0.15),
    "sad": Offset(rate=-0.25, pitch=-10, range=-25, volume=-0.30),
    "angry": Offset(rate=0.18, pitch=5, range=30, volume=0.45),
    "fear": Offset(rate=0.25, pitch=18, range=-10, volume=0.05),
    "disgust": Offset(rate=-0.15, pitch=-5, range=10, volume=0.05),
    "surprise": Offset(rate=0.05, pitch=20, range=35, volume=0.20),
    "boredom": Offset(rate=-0.20, pitch=-8, range=-30, volume=-0.15),
}
"""Offset per *acted* emotion (the generator's vocabulary, before any corpus's raw label names)."""

JITTER = Offset(rate=0.07, pitch=4.0, range=10.0, volume=0.12)
"""Standard deviation of the per-utterance random variation around the emotion's offset."""


def utterance_prosody(
    emotion: str,
    speaker_pitch: float,
    speaker_rate: float,
    expressiveness: float,
    rng: np.random.Generator,
) -> Prosody:
    """Prosody of one utterance: base + speaker offset + expressiveness-scaled emotion offset + jitter."""
    if emotion not in EMOTION_OFFSETS:
        raise KeyError(f"no prosody for emotion '{emotion}'; known: {sorted(EMOTION_OFFSETS)}")
    emo = EMOTION_OFFSETS[emotion]
    noise = rng.standard_normal(4)
    rate = BASE.rate * (1 + speaker_rate + expressiveness * emo.rate + JITTER.rate * noise[0])
    pitch = BASE.pitch + speaker_pitch + expressiveness * emo.pitch + JITTER.pitch * noise[1]
    pitch_range = BASE.range + expressiveness * emo.range + JITTER.range * noise[2]
    volume = BASE.volume * (1 + expressiveness * emo.volume + JITTER.volume * noise[3])
    return Prosody(
        rate=round(rate), volume=round(volume), pitch=round(pitch), range=round(pitch_range)
    ).clipped()
