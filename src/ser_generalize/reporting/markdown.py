"""Markdown pipe tables for the reports, without the optional ``tabulate`` dependency."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def markdown_table(frame: pd.DataFrame, floatfmt: str = ".3f") -> str:
    """A pipe-table of ``frame``; floats formatted with ``floatfmt`` (``""`` = as ``str`` writes them)."""

    def cell(value: object) -> str:
        if isinstance(value, float | np.floating):
            return "nan" if not np.isfinite(value) else format(float(value), floatfmt)
        return str(value)

    header = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def markdown_section(heading: str, frame: pd.DataFrame, floatfmt: str = ".3f") -> list[str]:
    """Report lines for one ``## heading`` followed by the table of ``frame``, blank-line separated."""
    return [f"## {heading}", "", markdown_table(frame, floatfmt), ""]


def synthetic_prefix(synthetic: Sequence[str]) -> str:
    """Title prefix naming the synthetic corpora of a run (``""`` when none): any synthetic corpus marks the run."""
    names = sorted(str(c) for c in synthetic)
    return f"SYNTHETIC corpora ({', '.join(names)}): " if names else ""
