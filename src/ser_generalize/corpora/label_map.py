"""Per-corpus maps from raw label names to the unified emotion space, kept as YAML data."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from .labels import UNIFIED_EMOTIONS


class LabelMapError(ValueError):
    """A label map file is malformed; the message names the file."""


@dataclass(frozen=True)
class LabelMap:
    """``labels``: raw -> unified; ``drop``: raw labels discarded on purpose (no majority, ...)."""

    source: str
    labels: dict[str, str]
    drop: frozenset[str] = field(default_factory=frozenset)

    def lookup(self, raw: str) -> str | None:
        """The unified label, ``None`` for a deliberately dropped label; ``KeyError`` for an unknown one."""
        if raw in self.drop:
            return None
        if raw in self.labels:
            return self.labels[raw]
        raise KeyError(raw)


def parse_label_map(data: dict, source: str) -> LabelMap:
    """Validate a loaded YAML mapping: every target must be a unified emotion."""
    if not isinstance(data, dict) or not isinstance(data.get("labels"), dict):
        raise LabelMapError(f"{source}: expected a mapping with a 'labels:' block of raw -> unified labels")
    labels = {str(k): str(v) for k, v in data["labels"].items()}
    bad = {k: v for k, v in labels.items() if v not in UNIFIED_EMOTIONS}
    if bad:
        raise LabelMapError(f"{source}: targets {bad} are not unified emotions {list(UNIFIED_EMOTIONS)}")
    return LabelMap(source=source, labels=labels, drop=frozenset(str(d) for d in data.get("drop") or []))


def load_label_map(adapter: str, override: str | Path | dict | None = None) -> LabelMap:
    """The map shipped for ``adapter``, or ``override`` (a YAML path or an inline mapping from parameters)."""
    if isinstance(override, dict):
        return parse_label_map(override, f"parameters (label_map of a {adapter} corpus)")
    if override:
        path = Path(override)
        if not path.is_file():
            raise LabelMapError(f"label map file {path} does not exist; fix the corpus's label_map parameter")
        return parse_label_map(yaml.safe_load(path.read_text("utf-8")), str(path))
    resource = resources.files("ser_generalize.corpora").joinpath(f"label_maps/{adapter}.yml")
    if not resource.is_file():
        raise LabelMapError(
            f"no label map ships for adapter '{adapter}'; give one with the corpus's label_map parameter"
        )
    return parse_label_map(yaml.safe_load(resource.read_text("utf-8")), f"label_maps/{adapter}.yml")
