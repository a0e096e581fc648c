#!/usr/bin/env bash
# The README's test command: create the environment if needed, then run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export DO_NOT_TRACK=1 KEDRO_DISABLE_TELEMETRY=true HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/python -m pytest -n 2 --dist loadfile -q "$@"
