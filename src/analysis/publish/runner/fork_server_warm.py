"""The fork server's warm-up: the module before :mod:`analysis.core.fork_server_exit` in a period run's
preload (:data:`analysis.publish.runner.execute.NOTEBOOK_PRELOAD`).

Imported in the fork server, it runs :func:`analysis.publish.runner.execute.warm_worker` there, once: every
worker forked from it starts with the IPython shell built, the exporters' templates compiled, WeasyPrint's
and matplotlib's fonts loaded and the modules the notebooks import already imported, and its own warm-up
does nothing. Before, each of the two workers did all of it itself (about 0.2 s of CPU each, and the first
notebook on each worker paid the rest: its imports, the templates, the fonts). Imported anywhere else (a
doctest collection, by mistake) it does nothing. A warm-up that fails is logged and leaves the fork server
cold: each worker then warms up itself and its first job meets the same error, reported as that job's
(multiprocessing would otherwise lose the fork server, and the run would only see a broken pool).
"""

from __future__ import annotations

import logging

from analysis.core.fork_server_exit import in_fork_server

if in_fork_server():
    from analysis.publish.runner.execute import warm_worker

    try:
        warm_worker()
    except Exception:  # logged here; the workers' own warm-up and first job meet it again
        logging.getLogger(__name__).exception(
            "warming up the fork server failed; each worker warms up itself"
        )
