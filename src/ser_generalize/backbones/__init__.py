"""Feature extractors behind one interface (waveform -> frames x dims + pooled) and the feature store."""

from .base import Backbone, build_backbone
from .store import FeatureSet, FeatureStoreView, extract_features

__all__ = ["Backbone", "FeatureSet", "FeatureStoreView", "build_backbone", "extract_features"]
