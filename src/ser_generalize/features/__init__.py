"""The feature store on disk: immutable ``.npy`` shards committed by JSON indexes, read through memory maps."""

from .shards import MAPS, ShardWriter, load_shards
from .view import ConcatFrames, FeatureSet, FeatureStoreView

__all__ = ["MAPS", "ConcatFrames", "FeatureSet", "FeatureStoreView", "ShardWriter", "load_shards"]
