"""Cross-corpus evaluation pipeline: train x test performance matrix, reductions, report, MLflow."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
