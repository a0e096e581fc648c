"""Augmentation pipeline: materialised augmented features per corpus and rate, and listenable examples."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
