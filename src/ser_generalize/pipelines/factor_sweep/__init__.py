"""Controlled factor sweeps on synthetic variants of a base corpus; transfer attribution of matrix drops."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
