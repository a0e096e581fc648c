"""Balancing pipeline (Generalize paper, Table 2)."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
