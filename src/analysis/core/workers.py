"""Worker processes that die with the command that started them.

A command's worker processes (``concurrent.futures.ProcessPoolExecutor`` with ``spawn``) call
:func:`die_with_parent` first (the pools' initializers do): on Linux the kernel sends them ``SIGKILL`` when
their parent dies (``prctl(PR_SET_PDEATHSIG)``, through libc), and on every system a watchdog thread ends
them when their parent process changes (``os.getppid()``), so a ``kill -9`` of the command leaves no worker
behind. Jupyter kernels a worker starts watch their parent themselves (ipykernel's parent poller,
``JPY_PARENT_PID``) and exit when the worker is gone. Workers ignore ``SIGINT``: Ctrl-C reaches the whole
process group, and the command, not each worker, decides what to do (:func:`stop_pool`: end the workers,
remove the staging folder, exit 130).
"""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

#: ``PR_SET_PDEATHSIG`` from ``linux/prctl.h``.
PR_SET_PDEATHSIG = 1

#: Seconds between two looks of the watchdog at the parent's pid.
WATCHDOG_INTERVAL_S = 0.5


def _set_parent_death_signal(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int, interval: float) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)  # the parent is gone: nothing to report to, nothing to clean (its staging is stale)
        time.sleep(interval)


def die_with_parent(parent_pid: int, use_death_signal: bool = True) -> None:
    """In a worker process: end this process when ``parent_pid`` (the command) dies; ignore Ctrl-C.

    ``use_death_signal`` is False when the pool may start workers from a thread other than the main one
    (Linux sends the signal when the *thread* that started the worker ends); the watchdog still works.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if use_death_signal:
        _set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent_pid:  # died before the death signal was set
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid, WATCHDOG_INTERVAL_S), name="parent-watchdog", daemon=True
    ).start()


def initializer_args() -> tuple[int, bool]:
    """``(parent pid, use the death signal)`` for :func:`die_with_parent`, made in the process and thread
    that creates the pool (the signal only when that is the main thread)."""
    return os.getpid(), threading.current_thread() is threading.main_thread()


def stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """End a pool now (Ctrl-C, or an error that makes its work useless): cancel what has not started,
    kill the workers and wait for them, so none writes any more into a folder that is being removed."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public API before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)


#: Seconds :func:`exit_after_children` waits for the worker processes to end (they die with this process
#: anyway: :func:`die_with_parent`).
CHILDREN_WAIT_S = 10.0


def exit_after_children(code: int, timeout: float = CHILDREN_WAIT_S) -> None:
    """End this process with ``code`` once its worker processes (``multiprocessing.active_children``) have
    ended, at most ``timeout`` seconds, without the interpreter's teardown: the streams and the log are
    flushed, every worker is waited for (none outlives the command, and their CPU time is counted as its
    own by whoever waits for it, ``os.wait4``), then ``os._exit``. For a command whose work is done and
    written (``python -m analysis run``)."""
    import logging
    import multiprocessing

    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    deadline = time.monotonic() + timeout
    while multiprocessing.active_children() and time.monotonic() < deadline:  # reaps those that ended
        time.sleep(0.01)
    os._exit(code)
