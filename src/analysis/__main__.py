"""``python -m analysis COMMAND``: :func:`analysis.cli.main`.

``run`` then leaves without the interpreter's teardown (:func:`analysis.core.workers.exit_after_children`):
by then its reports are published and its worker processes told to exit; finalising everything a run
has imported (pandas, pyarrow, DuckDB, SALib, ...) took 2.4 s of its wall time at load 15, the quick exit
0.1-0.2 s (waiting for the workers included, so their CPU time is still the command's).
"""

import sys

from analysis.cli import main

code = main()
if next((a for a in sys.argv[1:] if not a.startswith("-")), None) == "run":
    from analysis.core.workers import exit_after_children

    exit_after_children(code)
sys.exit(code)
