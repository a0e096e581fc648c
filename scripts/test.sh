#!/usr/bin/env bash
# The README's test command: create/update the environment, then run the test suite on both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# --max-worker-restart=0: a crashed worker fails the run at once; xdist 3.8 can hang forever replacing a
# crashed worker under --dist loadfile (pytest-dev/pytest-xdist#784), which cost a CI run its 90 minutes.
.venv/bin/python -m pytest -n 2 --dist loadfile --max-worker-restart=0 -q "$@"
