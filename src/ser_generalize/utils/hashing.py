"""Stable short hashes of configuration dictionaries, used as cache keys."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def config_hash(config: Any, length: int = 12) -> str:
    """Hash a JSON-serialisable config independent of key order, so equal configs share a key."""
    payload = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:length]
