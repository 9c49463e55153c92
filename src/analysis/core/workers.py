"""Worker processes that start from a fork server and die with the command that started them.

Every pool of a command's worker processes (``concurrent.futures.ProcessPoolExecutor``) is made with
:func:`worker_context`: on Linux ``forkserver``, whose server imports the heavy modules once and forks each
worker from itself, elsewhere ``spawn``. Workers call :func:`die_with_parent` first (the pools'
initializers do): on Linux the kernel sends them ``SIGKILL`` when the process that started them dies
(``prctl(PR_SET_PDEATHSIG)``, through libc), and on every system a watchdog thread ends them when the
command is gone (its parent pid changes; for a fork server's child, whose parent is the fork server, the
pipe that the command holds open for it closes), so a ``kill -9`` of the command leaves no worker behind
(and then no fork server: it exits when the command and its last worker are gone). Jupyter kernels a worker starts watch their parent themselves (ipykernel's parent poller,
``JPY_PARENT_PID``) and exit when the worker is gone. Workers ignore ``SIGINT``: Ctrl-C reaches the whole
process group, and the command, not each worker, decides what to do (:func:`stop_pool`: end the workers,
remove the staging folder, exit 130).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.context
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence

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


def worker_context(preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """The ``multiprocessing`` context of every pool of worker processes: on Linux ``forkserver``, with
    ``preload`` imported once in the fork server, so each worker is a fork of a process that holds them
    (pandas, matplotlib, WeasyPrint...: a run worker's warm-up measured 1.66 → 0.27 s of CPU); elsewhere
    ``spawn`` (a fresh interpreter per worker, importing what it needs itself).

    One fork server per command, started with the first worker of its first pool: its preload and its
    environment are that moment's (a later pool's ``preload`` is ignored: the outputs are the same, only the
    warm-up differs). It imports with a fresh interpreter's ``sys.path`` (``PYTHONPATH``, the installed
    package), as ``python -m analysis`` has. The workers still set themselves up (the pools' initializers
    and warm-ups): only imported modules are shared. ``preload`` holds modules whose import starts no Python
    thread; the native threads some start (OpenBLAS's pool: stopped by OpenBLAS before each fork; jemalloc's
    background thread, pyarrow's: its fork handlers leave the child without it) are not in the workers
    (``tests/test_workers.py``). At the command's exit it waits for the fork server (quick:
    :mod:`analysis.core.fork_server_exit`), so none is left behind and its CPU time, and its workers', is
    the command's.
    """
    global _fork_server_stopped_at_exit
    if not (sys.platform.startswith("linux") and "forkserver" in multiprocessing.get_all_start_methods()):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*preload, "analysis.core.fork_server_exit"])
    if not _fork_server_stopped_at_exit:
        atexit.register(_stop_fork_server)
        _fork_server_stopped_at_exit = True
    return context


_fork_server_stopped_at_exit = False


def _stop_fork_server() -> None:
    """Close this process's end of the fork server's "alive" pipe and wait for it to exit (after every
    worker: at exit the pools have been joined)."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()  # no public API; what the standard library's own tests use


def _watch_parent(started_by: int, command, interval: float) -> None:
    """Exit when the process that started this one is gone (its pid is no longer our parent's) or, in a
    fork server's child, when ``command`` (``multiprocessing.parent_process()``) has exited."""
    while True:
        if os.getppid() != started_by or (command is not None and not command.is_alive()):
            os._exit(1)  # the parent is gone: nothing to report to, nothing to clean (its staging is stale)
        time.sleep(interval)


def die_with_parent(parent_pid: int, use_death_signal: bool = True) -> None:
    """In a worker process: end this process when ``parent_pid`` (the command) dies; ignore Ctrl-C.

    ``use_death_signal`` is False when the pool may start workers from a thread other than the main one
    (Linux sends the signal when the *thread* that started the worker ends); the watchdog still works.
    A worker forked by the fork server (:func:`worker_context`) has the fork server as its parent: the
    death signal then follows the fork server, and the watchdog the command itself, through the pipe
    ``multiprocessing`` gives each worker to see its creator exit (``parent_process().is_alive()``; the
    fork server does not exit before its last worker, which holds its "alive" pipe open too).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if use_death_signal:
        _set_parent_death_signal(signal.SIGKILL)
    started_by = os.getppid()
    command = None
    if started_by != parent_pid:  # forked by the fork server, or the command died before the signal was set
        command = multiprocessing.parent_process()
        if command is None or command.pid != parent_pid or not command.is_alive():
            os._exit(1)
    threading.Thread(
        target=_watch_parent,
        args=(started_by, command, WATCHDOG_INTERVAL_S),
        name="parent-watchdog",
        daemon=True,
    ).start()


class CallsInOrder:
    """Calls run one after the other in a thread of their own, in the order given (:meth:`call`), while
    the caller goes on; :meth:`close` waits for them and raises the first failure (never swallowed).

    For a pool's first ``submit``: with a fork server (:func:`worker_context`) it starts a worker, which
    waits until that server has imported its preload (2–3 s), holding the pool's lock (any other
    ``submit`` waits too). Made in this thread, the submits leave the command free to work meanwhile."""

    def __init__(self, name: str) -> None:
        self._thread = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._futures: list[cf.Future] = []

    def call(self, fn, /, *args, **kwargs) -> cf.Future:
        """Run ``fn(*args, **kwargs)`` after the calls before it; its future."""
        future = self._thread.submit(fn, *args, **kwargs)
        self._futures.append(future)
        return future

    def close(self) -> None:
        """Wait for every call; the first that failed raises its exception."""
        self._thread.shutdown(wait=True)
        for future in self._futures:
            future.result()

    def close_after(self, exc: BaseException) -> None:
        """Wait for every call (``exc`` is being raised: the caller's work failed or was interrupted); the
        calls that failed too are named on ``exc`` (its notes), not raised instead of it."""
        self._thread.shutdown(wait=True, cancel_futures=True)
        for future in self._futures:
            other = None if future.cancelled() else future.exception()
            if other is not None:
                exc.add_note(f"(and in the background: {type(other).__name__}: {other})")


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
    flushed, every worker is waited for and then the fork server, if a pool started one (none outlives
    the command, and their CPU time is counted as its own by whoever waits for it, ``os.wait4``), then
    ``os._exit``. For a command whose work is done and written (``python -m analysis run``)."""
    import logging
    import multiprocessing

    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    deadline = time.monotonic() + timeout
    while multiprocessing.active_children() and time.monotonic() < deadline:  # reaps those that ended
        time.sleep(0.01)
    for child in multiprocessing.active_children():  # still at work after the wait: it would die with us
        child.kill()
        child.join(timeout=1)
    if _fork_server_stopped_at_exit:  # its exit handler would stop it, but os._exit skips the handlers
        _stop_fork_server()  # it exits after reaping its workers: waited for, its CPU and theirs are ours
    os._exit(code)
