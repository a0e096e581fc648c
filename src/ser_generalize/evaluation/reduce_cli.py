"""``ser-generalize reduce MATRIX.csv``: SER Evals reductions of any wide train x test matrix CSV."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..reporting.markdown import markdown_table
from .reductions import REDUCTION_KEYS, emobox_reduction, ser_evals_reductions


class MatrixError(ValueError):
    """A matrix CSV that cannot be reduced; the message names the file and the fix."""


def read_matrix(path: str | Path) -> pd.DataFrame:
    """Wide matrix from CSV: first column = training corpus, header = test corpora, empty cell = not run."""
    path = Path(path)
    if not path.is_file():
        raise MatrixError(f"{path}: no such file; pass a CSV with one row per training corpus")
    try:
        frame = pd.read_csv(path, index_col=0)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise MatrixError(f"{path}: not a readable CSV ({exc}); expected a header row of test corpora "
                          "and one row per training corpus") from exc
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise MatrixError(f"{path}: needs a header of test corpora and at least one training row "
                          "(first column = training corpus name)")
    frame.index, frame.columns = frame.index.map(lambda v: str(v).strip()), frame.columns.map(lambda v: str(v).strip())
    for axis, names in (("row", frame.index), ("column", frame.columns)):
        dup = sorted(set(names[names.duplicated()]))
        if dup:
            raise MatrixError(f"{path}: duplicate {axis} names {dup}; each corpus must appear once per axis")
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna() & frame.notna()
    if bad.to_numpy().any():
        i, j = np.argwhere(bad.to_numpy())[0]
        r, c = frame.index[i], frame.columns[j]
        raise MatrixError(f"{path}: cell ({r}, {c}) = {frame.iat[i, j]!r} is not a number; "
                          "use a number or leave the cell empty for 'not run'")
    return numeric.astype(float)


def _human(path: str, red: dict, emobox: float) -> str:
    """Readable summary: the five reductions, then which cells counted where."""
    lines = [f"SER Evals reductions of {path} (lambda = {red['lambda']:g})", ""]
    lines.append(markdown_table(pd.DataFrame([{k: red[k] for k in REDUCTION_KEYS}]), ".6f"))
    lines += ["", f"EmoBox mean off-diagonal value (every present off-diagonal cell): {emobox:.6f}", ""]
    lines.append(f"OOD-eligible corpora: {', '.join(red['eligible'])}")
    for key, title in (("in_domain_cells", "in-domain (diagonal)"), ("ood_cells", "out-of-domain"),
                       ("excluded_cells", "excluded (not both OOD-eligible)")):
        cells = red[key]
        lines.append(f"{title}: {len(cells)} cells" + (": " + ", ".join(f"{r}->{c}" for r, c in cells) if cells else ""))
    if red["ood_given_train"]:
        lines += ["", "OOD mean given training corpus (row means):",
                  markdown_table(pd.DataFrame([red["ood_given_train"]]), ".6f")]
    if red["unseen"]:
        lines += ["", "Mean on each corpus when unseen (column means):",
                  markdown_table(pd.DataFrame([red["unseen"]]), ".6f")]
    return "\n".join(lines)


def _json_safe(value: object) -> object:
    """NaN -> null, recursively, so the output is strict JSON."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def reduce_command(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ser-generalize reduce``; returns the exit status (2 on a bad matrix)."""
    parser = argparse.ArgumentParser(
        prog="ser-generalize reduce",
        description="SER Evals reductions (in-domain mean/std, OOD mean/std, weighted average) of a wide "
                    "train x test matrix CSV: first column = training corpus, header = test corpora, "
                    "empty cell = not run; the diagonal is every cell whose row name equals its column name.")
    parser.add_argument("matrix", help="the matrix CSV")
    parser.add_argument("--eligible", default=None,
                        help="comma-separated OOD-eligible corpora (default: every corpus)")
    parser.add_argument("--lambda", dest="lam", type=float, default=1.0, help="std discount (paper: 1.0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args(list(argv) if argv is not None else None)
    eligible = None if args.eligible is None else [e.strip() for e in args.eligible.split(",") if e.strip()]
    try:
        matrix = read_matrix(args.matrix)
        if eligible is not None:
            unknown = sorted(set(eligible) - set(matrix.index) - set(matrix.columns))
            if unknown:
                raise MatrixError(f"{args.matrix}: --eligible names {unknown}, not rows or columns of the matrix "
                                  f"({', '.join(sorted(set(matrix.index) | set(matrix.columns)))})")
        red = ser_evals_reductions(matrix, eligible, args.lam)
    except MatrixError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    emobox = emobox_reduction(matrix)
    if args.json:
        payload = {**red, "emobox_offdiag_mean": emobox, "matrix": str(args.matrix)}
        for key in ("in_domain_cells", "ood_cells", "excluded_cells"):
            payload[key] = [list(p) for p in red[key]]
        print(json.dumps(_json_safe(payload), indent=2))
    else:
        print(_human(str(args.matrix), red, emobox))
    return 0
