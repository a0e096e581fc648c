#!/usr/bin/env bash
# Sourced by setup.sh and test.sh: offline-safe environment, then .venv created and the project installed.
# torch is pinned to the CPU build 2.13.0 in pyproject.toml, so no multi-GB CUDA wheel is pulled on CPU machines.
export DO_NOT_TRACK=1 KEDRO_DISABLE_TELEMETRY=true HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
