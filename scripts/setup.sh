#!/usr/bin/env bash
# The README's set-up command: create .venv, install the project, run the main job on the embedded default.
# Offline-safe: the default corpora are synthesized locally and the default backbone (eGeMAPS) needs no download.
set -euo pipefail
cd "$(dirname "$0")/.."
export DO_NOT_TRACK=1 KEDRO_DISABLE_TELEMETRY=true HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch is pinned to the CPU build 2.13.0 in pyproject.toml, so no multi-GB CUDA wheel is pulled on CPU machines.
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/kedro run --pipeline=cross_corpus "$@"
echo
echo "Done. Report: data/08_reporting/cross_corpus/report.md"
echo "Browse the pipeline: .venv/bin/kedro viz run    Compare runs: .venv/bin/mlflow ui --backend-store-uri sqlite:///mlflow.db"
