"""Kedro dataset of a feature-store view: a small JSON committing which shards hold a corpus's features.

The frames stay in the store's shards (``backbones.store``); this file records the view (store
directory + per-clip shard, offset, length, pooled row), so ``kedro viz`` shows features as persisted
and any process can ``load()`` them lazily without re-running extraction.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset, DatasetError

from ..features.shards import ShardError, read_shard
from ..features.view import FeatureSet, FeatureStoreView
from ..utils.io import atomic_write_text


class FeatureStoreDataset(AbstractDataset[FeatureStoreView, FeatureStoreView]):
    """Save/load a :class:`FeatureStoreView` as a JSON view file at ``filepath`` (written atomically).

    ``save`` also accepts an in-memory :class:`FeatureSet`: it is written as shards into
    ``{filepath}.store/`` first. ``load`` checks that every referenced shard is still intact (sizes).
    Catalog example (dataset factory, one per corpus x backbone)::

        "{corpus}.{backbone}.features":
          type: ser_generalize.datasets.feature_store.FeatureStoreDataset
          filepath: data/04_feature/views/{corpus}.{backbone}.features.json
    """

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self) -> FeatureStoreView:
        """The lazy view; a missing file or a damaged shard raises ``DatasetError`` naming it and the fix."""
        if not self._filepath.is_file():
            raise DatasetError(f"{self._filepath} does not exist; run the feature-extraction node first")
        try:
            view = FeatureStoreView.from_dict(json.loads(self._filepath.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{self._filepath} is not a feature-store view ({exc}); rerun extraction") from exc
        for name in view.shards:
            try:
                read_shard(Path(view.store_dir), name)
            except ShardError as exc:
                raise DatasetError(f"{self._filepath}: {exc}; rerun the feature-extraction node") from exc
        return view

    def save(self, data: FeatureStoreView | FeatureSet) -> None:
        """Commit the view atomically (an in-memory FeatureSet is first written as shards beside it)."""
        if isinstance(data, FeatureSet):
            data = write_feature_set(data, self._filepath.with_name(self._filepath.name + ".store"))
        if not isinstance(data, FeatureStoreView):
            raise DatasetError(f"FeatureStoreDataset saves feature-store views, got {type(data).__name__}")
        atomic_write_text(self._filepath, json.dumps(data.to_dict()))

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}


def write_feature_set(features: FeatureSet, store_dir: Path) -> FeatureStoreView:
    """Write an in-memory FeatureSet as one shard in ``store_dir`` and return its view."""
    import numpy as np

    from ..features.shards import ShardWriter

    frame_dim = features.frame_dim
    writer = ShardWriter(Path(store_dir), frame_dim, features.pooled_dim, shard_clips=len(features) + 1)
    for utt, frames, pooled in zip(features.utt_ids.tolist(), features.frames, features.pooled, strict=True):
        writer.add(str(utt), "", {}, frames, pooled)
    shard = writer.flush()
    entries = shard.entries if shard else []
    return FeatureStoreView(
        str(Path(store_dir).resolve()), np.asarray([e.utt_id for e in entries], dtype=str),
        [shard.name] if shard else [], np.zeros(len(entries), np.int32),
        np.asarray([e.offset for e in entries], np.int64), np.asarray([e.length for e in entries], np.int64),
        np.asarray([e.row for e in entries], np.int64), features.key, dict(features.backbone),
        list(features.failed), frame_dim, features.pooled_dim,
    )
