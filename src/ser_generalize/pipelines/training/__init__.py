"""Fine-tuning pipeline (CNN14 / Whisper + FC head)."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
