"""``python -m ser_generalize`` runs the project like ``kedro run``; ``... reduce MATRIX.csv`` reduces a matrix."""

from __future__ import annotations

import sys
from pathlib import Path


def main(*args: object, **kwargs: object) -> object:
    """Dispatch ``reduce`` to :mod:`ser_generalize.evaluation.reduce_cli` (not `cli.py`: Kedro reserves that name); run the Kedro CLI ``run`` command for anything else."""
    argv = list(args[0]) if args and isinstance(args[0], (list, tuple)) else sys.argv[1:]
    if argv[:1] == ["reduce"]:
        from .evaluation.reduce_cli import reduce_command

        status = reduce_command([str(a) for a in argv[1:]])
        if args:  # called from Python: hand the status back
            return status
        sys.exit(status)
    from kedro.framework.cli.utils import find_run_command  # imported here: it sets up logging on stdout
    from kedro.framework.project import configure_project

    package_name = Path(__file__).parent.name
    configure_project(package_name)
    interactive = hasattr(sys, "ps1")
    kwargs["standalone_mode"] = not interactive
    run = find_run_command(package_name)
    return run(*args, **kwargs)


if __name__ == "__main__":
    main()
