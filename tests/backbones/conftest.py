"""Tiny random Hugging Face models saved once per test session (building them is the slow part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ser_generalize.backbones.tiny import save_tiny_model


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """kind -> local path of a tiny random whisper / wavlm / hubert / wav2vec2 model."""
    root = tmp_path_factory.mktemp("tiny_models")
    return {kind: save_tiny_model(kind, root / kind) for kind in ("whisper", "wavlm", "hubert", "wav2vec2")}
