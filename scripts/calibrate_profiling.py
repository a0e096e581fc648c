"""Calibrate and score the blind profiling estimators on a seeded sweep of known recording conditions.

Usage (from the repository root, with the project on PYTHONPATH):

    python scripts/calibrate_profiling.py                 # fit, score, write coefficients and docs table
    python scripts/calibrate_profiling.py --n 40 --dry-run  # small sweep, print the table only

Renders ``--n`` clips per split (calibration, evaluation) with the synthetic generator's recording chain,
fits the estimator maps on the calibration split, scores them on the evaluation split, and writes
``src/ser_generalize/acoustics/calibration_coefficients.py``, the sweep tables under ``--out`` and the
accuracy table into ``docs/profiling.md`` between its calibration markers.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from ser_generalize.acoustics.calibration import (
    accuracy_table,
    fit_calibration,
    render_sweep,
    write_coefficients,
    write_docs_table,
)
from ser_generalize.utils.io import atomic_write_parquet

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=320, help="clips per split (calibration and evaluation)")
    parser.add_argument("--reps", type=int, default=12,
                        help="condition draws per calibration utterance the maps are fitted on (1 = split only)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--out", type=Path, default=ROOT / "data/08_reporting/profiling_calibration")
    parser.add_argument("--dry-run", action="store_true", help="print the table; write nothing")
    args = parser.parse_args()

    specs = yaml.safe_load((ROOT / "conf/base/parameters_synthesize.yml").read_text())["synthesize"]["corpora"]
    start = time.perf_counter()
    calibration_all = render_sweep(specs, args.n, "calibration", args.seed, reps=args.reps)
    evaluation = render_sweep(specs, args.n, "evaluation", args.seed)
    maps = fit_calibration(calibration_all)
    table = accuracy_table(evaluation, maps)
    seconds = time.perf_counter() - start
    print(table.to_string(index=False))
    print(f"{len(calibration_all) + len(evaluation)} clips rendered, fitted and scored in {seconds:.0f} s")
    if args.dry_run:
        return
    provenance = {"n_per_split": args.n, "seed": args.seed, "reps": args.reps}
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_parquet(calibration_all, args.out / "calibration_split.parquet")
    atomic_write_parquet(evaluation, args.out / "evaluation_split.parquet")
    write_coefficients(maps, ROOT / "src/ser_generalize/acoustics/calibration_coefficients.py",
                       provenance)
    write_docs_table(table, ROOT / "docs/profiling.md", provenance)
    print(f"wrote coefficients, docs table and sweep tables under {args.out}")


if __name__ == "__main__":
    main()
