"""The fork server's quick exit: the last module of its preload (:func:`analysis.core.workers.worker_context`).

Imported in the fork server, it registers an exit handler that reaps the fork server's last workers and
leaves with ``os._exit``, without tearing down an interpreter that holds pandas, matplotlib, IPython and
WeasyPrint (measured: 1.2–2.5 s at a load of 6, which the command, waiting for its fork server at its own
exit, would wait for). The fork server exits when the command and every worker have closed its "alive"
pipe, so every worker has exited then; reaping them before leaving keeps their CPU time in the fork
server's, and so in the command's (``wait4`` of the command counts it). Imported anywhere else (a doctest
collection, by mistake) it does nothing: the fork server is recognised by the ``multiprocessing`` frame
that imports it.
"""

from __future__ import annotations

import atexit
import os
import sys


def in_fork_server() -> bool:
    """True when ``multiprocessing.forkserver.main`` (the fork server's preload loop) is importing us."""
    from multiprocessing import forkserver

    frame = sys._getframe()
    while frame is not None:
        code = frame.f_code
        if code.co_name == "main" and code.co_filename == forkserver.__file__:
            return True
        frame = frame.f_back
    return False


def _reap_and_exit() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    os._exit(0)


if in_fork_server():
    atexit.register(_reap_and_exit)
