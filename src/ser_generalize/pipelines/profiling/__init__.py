"""Profiling pipeline: per-utterance acoustic profiles, per-corpus distributions and corpus distances."""

from ser_generalize.pipelines.profiling.pipeline import create_pipeline

__all__ = ["create_pipeline"]
