"""File naming of real corpora, so synthetic corpora go through the same adapters as real ones.

Each layout turns (speaker, acted emotion, item number) into the relative path the real corpus
would use, with that corpus's own raw emotion codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Speaker:
    """A synthetic speaker: corpus speaker id, gender, eSpeak voice variant and prosody offsets."""

    id: str
    gender: str
    variant: str
    pitch: float = 0.0
    rate: float = 0.0


@dataclass(frozen=True)
class PlannedUtterance:
    """One file to synthesize: where it goes, who says it, with which acted emotion and sentence."""

    relpath: str
    speaker: Speaker
    emotion: str
    sentence: int


RAVDESS_CODES = {
    "neutral": "01",
    "calm": "02",
    "happy": "03",
    "sad": "04",
    "angry": "05",
    "fear": "06",
    "disgust": "07",
    "surprise": "08",
}
CREMAD_CODES = {
    "neutral": "NEU",
    "happy": "HAP",
    "sad": "SAD",
    "angry": "ANG",
    "fear": "FEA",
    "disgust": "DIS",
}
CREMAD_SENTENCES = ["IEO", "TIE", "IOM", "IWW", "TAI", "MTI", "IWL", "ITH", "DFA", "ITS", "TSI", "WSI"]
CREMAD_LEVELS = ["LO", "MD", "HI", "XX"]
EMODB_CODES = {
    "angry": "W",
    "boredom": "L",
    "disgust": "E",
    "fear": "A",
    "happy": "F",
    "sad": "T",
    "neutral": "N",
}
EMODB_TEXTS = ["a01", "a02", "a04", "a05", "a07", "b01", "b02", "b03", "b09", "b10"]
EMOVO_CODES = {
    "neutral": "neu",
    "happy": "gio",
    "sad": "tri",
    "angry": "rab",
    "fear": "pau",
    "disgust": "dis",
    "surprise": "sor",
}
EMOVO_SENTENCES = ["b1", "b2", "b3", "l1", "l2", "l3", "l4", "n1", "n2", "n3", "n4", "n5", "d1", "d2"]


def _code(codes: dict[str, str], emotion: str, layout: str) -> str:
    if emotion not in codes:
        raise KeyError(f"the {layout} layout has no code for emotion '{emotion}'; it knows {sorted(codes)}")
    return codes[emotion]


def ravdess(speakers: list[Speaker], emotions: list[str], per_emotion: int) -> list[PlannedUtterance]:
    """``Actor_XX/03-01-EE-II-SS-RR-XX.wav``: audio-only speech; items cycle statement x repetition x intensity."""
    plan = []
    for spk in speakers:
        if (int(spk.id) % 2 == 1) != (spk.gender == "male"):
            raise ValueError(
                f"RAVDESS actor {spk.id} is {spk.gender}, but RAVDESS encodes gender by parity (odd = male, "
                "even = female); give this speaker an id of the right parity in parameters_synthesize.yml"
            )
        for emotion in emotions:
            code = _code(RAVDESS_CODES, emotion, "RAVDESS")
            # 2 statements x 2 repetitions x 2 intensities; neutral has no strong intensity in RAVDESS
            n_items = min(per_emotion, 4 if emotion == "neutral" else 8)
            for k in range(n_items):
                statement, repetition, intensity = k % 2 + 1, (k // 2) % 2 + 1, (k // 4) % 2 + 1
                name = f"03-01-{code}-{intensity:02d}-{statement:02d}-{repetition:02d}-{int(spk.id):02d}.wav"
                plan.append(PlannedUtterance(f"Actor_{int(spk.id):02d}/{name}", spk, emotion, k % 2))
    return plan


def cremad(speakers: list[Speaker], emotions: list[str], per_emotion: int) -> list[PlannedUtterance]:
    """``AudioWAV/1001_DFA_ANG_XX.wav``: actor, sentence code, emotion, intensity level."""
    plan = []
    for spk in speakers:
        for emotion in emotions:
            code = _code(CREMAD_CODES, emotion, "CREMA-D")
            for k in range(per_emotion):
                level = "XX" if emotion == "neutral" else CREMAD_LEVELS[k % len(CREMAD_LEVELS)]
                sentence = k % len(CREMAD_SENTENCES)
                name = f"{spk.id}_{CREMAD_SENTENCES[sentence]}_{code}_{level}.wav"
                plan.append(PlannedUtterance(f"AudioWAV/{name}", spk, emotion, sentence))
    return plan


def emodb(speakers: list[Speaker], emotions: list[str], per_emotion: int) -> list[PlannedUtterance]:
    """``wav/03a01Wa.wav``: speaker, text code, emotion letter, version letter."""
    plan = []
    for spk in speakers:
        for emotion in emotions:
            code = _code(EMODB_CODES, emotion, "EmoDB")
            for k in range(per_emotion):
                text = k % len(EMODB_TEXTS)
                version = "abcdef"[k // len(EMODB_TEXTS)]
                plan.append(
                    PlannedUtterance(
                        f"wav/{int(spk.id):02d}{EMODB_TEXTS[text]}{code}{version}.wav", spk, emotion, text
                    )
                )
    return plan


def emovo(speakers: list[Speaker], emotions: list[str], per_emotion: int) -> list[PlannedUtterance]:
    """``f1/neu-f1-b1.wav``: emotion code, speaker, sentence code, inside the speaker's folder."""
    plan = []
    for spk in speakers:
        for emotion in emotions:
            code = _code(EMOVO_CODES, emotion, "EMOVO")
            for k in range(per_emotion):
                sentence = k % len(EMOVO_SENTENCES)
                plan.append(
                    PlannedUtterance(
                        f"{spk.id}/{code}-{spk.id}-{EMOVO_SENTENCES[sentence]}.wav", spk, emotion, sentence
                    )
                )
    return plan


def cremad_metadata(root: Path, speakers: list[Speaker]) -> None:
    """``VideoDemographics.csv`` as in the CREMA-D release (ActorID, Age, Sex, Race, Ethnicity)."""
    rows = [
        {
            "ActorID": int(s.id),
            "Age": 30 + i,
            "Sex": s.gender.capitalize(),
            "Race": "Unknown",
            "Ethnicity": "Not Hispanic",
        }
        for i, s in enumerate(speakers)
    ]
    pd.DataFrame(rows).to_csv(root / "VideoDemographics.csv", index=False)


LAYOUTS: dict[str, Callable[[list[Speaker], list[str], int], list[PlannedUtterance]]] = {
    "ravdess": ravdess,
    "cremad": cremad,
    "emodb": emodb,
    "emovo": emovo,
}
"""Layout name -> planner; the name is also the ingestion adapter that reads it back."""

METADATA_WRITERS: dict[str, Callable[[Path, list[Speaker]], None]] = {"cremad": cremad_metadata}
