#!/usr/bin/env bash
# The README's set-up command: create .venv, install the project, run the main job on the embedded default.
# Offline-safe: the default corpora are synthesized locally and the default backbone (eGeMAPS) needs no download.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
.venv/bin/kedro run --pipeline=cross_corpus "$@"
echo
echo "Done. Report: data/08_reporting/cross_corpus/report.md"
echo "Browse the pipeline: .venv/bin/kedro viz run    Compare runs: .venv/bin/mlflow ui --backend-store-uri sqlite:///mlflow.db"
