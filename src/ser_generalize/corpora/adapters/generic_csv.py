"""Any corpus described by a CSV with ``path,label,speaker`` columns (optional gender, language, split).

Paths are relative to the corpus root unless absolute. Options: ``csv`` (default ``metadata.csv``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .base import CorpusAdapter, RawUtterance, ScanReject, ScanResult

REQUIRED = ("path", "label", "speaker")
SPLITS = {"train": "train", "dev": "dev", "valid": "dev", "validation": "dev", "test": "test"}


class GenericCsvAdapter(CorpusAdapter):
    """Rows with missing required values are rejected, naming the CSV row."""

    name = "generic_csv"

    def scan(self, root: Path) -> Iterator[ScanResult]:
        csv = Path(str(self.options.get("csv", "metadata.csv")))
        csv = csv if csv.is_absolute() else root / csv
        if not csv.is_file():
            yield ScanReject(csv, "metadata CSV missing", "create it with columns path,label,speaker or set the csv option")
            return
        table = pd.read_csv(csv, dtype=str)
        missing = [c for c in REQUIRED if c not in table.columns]
        if missing:
            yield ScanReject(csv, f"metadata CSV lacks columns {missing}", "add them (path,label,speaker are required)")
            return
        for i, row in table.iterrows():
            if any(pd.isna(row[c]) or not str(row[c]).strip() for c in REQUIRED):
                yield ScanReject(csv, f"row {i + 2} has an empty path, label or speaker", "fill in or delete the row")
                continue
            path = Path(row["path"])
            split = str(row.get("split", "") or "").strip().lower()
            yield RawUtterance(
                path if path.is_absolute() else root / path,
                speaker=str(row["speaker"]),
                raw_label=str(row["label"]).strip(),
                gender=str(row.get("gender", "unknown") or "unknown").lower() if not pd.isna(row.get("gender")) else "unknown",
                language=None if pd.isna(row.get("language")) else str(row.get("language")),
                official_split=SPLITS.get(split, ""),
            )
