from pathlib import Path

import pandas as pd
import pytest

from ser_generalize.utils.hashing import config_hash
from ser_generalize.utils.io import atomic_path, atomic_write_parquet


def test_atomic_path_leaves_no_partial_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash mid-write")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_parquet_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    path = atomic_write_parquet(frame, tmp_path / "x" / "f.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame)


def test_config_hash_ignores_key_order_and_sees_changes() -> None:
    assert config_hash({"a": 1, "b": 2}) == config_hash({"b": 2, "a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})
