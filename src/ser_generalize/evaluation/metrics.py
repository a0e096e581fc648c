"""Compatibility re-export: the metrics live in :mod:`ser_generalize.metrics` so training need not import evaluation."""

from ..metrics import METRICS, classification_metrics

__all__ = ["METRICS", "classification_metrics"]
