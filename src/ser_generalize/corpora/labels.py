"""The unified emotion label space shared by every corpus (SER Evals' eight classes).

Each corpus maps its raw label names onto these classes through a YAML map kept as
data in ``corpora/label_maps/<corpus>.yml``; ``other`` collects classes with no
counterpart (calm, boredom, frustration, ...) and is never used out of domain.
"""

from __future__ import annotations

from typing import Final

NEUTRAL: Final = "neutral"
HAPPY: Final = "happy"
SAD: Final = "sad"
ANGRY: Final = "angry"
FEAR: Final = "fear"
DISGUST: Final = "disgust"
SURPRISE: Final = "surprise"
OTHER: Final = "other"

UNIFIED_EMOTIONS: Final[tuple[str, ...]] = (NEUTRAL, HAPPY, SAD, ANGRY, FEAR, DISGUST, SURPRISE, OTHER)
"""All classes of the unified space, in a fixed order used for every label index."""

EMOTION_SETS: Final[dict[str, tuple[str, ...]]] = {
    "4": (NEUTRAL, HAPPY, SAD, ANGRY),
    "5": (NEUTRAL, HAPPY, SAD, ANGRY, SURPRISE),
    "all": tuple(e for e in UNIFIED_EMOTIONS if e != OTHER),
}
"""Named label sets of the Generalize paper (4-, 5- and all-emotion experiments).

Its 5-emotion set adds *surprise* to neutral, angry, happy and sad (Ibrahim et al. 2024, section 3.2).
"""


def emotion_index(emotion: str) -> int:
    """Position of ``emotion`` in :data:`UNIFIED_EMOTIONS`; raises ``KeyError`` naming the label."""
    try:
        return UNIFIED_EMOTIONS.index(emotion)
    except ValueError as exc:
        raise KeyError(
            f"'{emotion}' is not a unified emotion; expected one of {', '.join(UNIFIED_EMOTIONS)}"
        ) from exc


def resolve_emotion_set(name_or_labels: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Turn a set name ('4', '5', 'all') or an explicit list into a validated label tuple."""
    if isinstance(name_or_labels, str):
        key = name_or_labels.strip().lower()
        if key not in EMOTION_SETS:
            raise KeyError(f"Unknown emotion set '{name_or_labels}'; use one of {sorted(EMOTION_SETS)} or a list")
        return EMOTION_SETS[key]
    labels = tuple(name_or_labels)
    for label in labels:
        emotion_index(label)
    return labels
