"""Ingestion pipeline: corpus roots -> manifests."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
