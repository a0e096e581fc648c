"""Feature extractors behind one interface (waveform -> frames x dims + pooled) and the feature store."""

from .base import Backbone, build_backbone
from .store import FeatureSet, extract_features

__all__ = ["Backbone", "FeatureSet", "build_backbone", "extract_features"]
