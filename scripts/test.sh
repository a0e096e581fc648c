#!/usr/bin/env bash
# The README's test command: create/update the environment, then run the test suite on both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
.venv/bin/python -m pytest -n 2 --dist loadfile -q "$@"
