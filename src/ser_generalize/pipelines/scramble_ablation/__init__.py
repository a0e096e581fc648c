"""Label-scramble ablation pipeline (Domain mismatch paper, section 5.4)."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
