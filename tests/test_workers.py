"""Worker processes from the fork server (``analysis.core.workers.worker_context``): what a worker holds when
it starts, what runs in it, that it dies with the command, and that the fork server goes with the command."""

from __future__ import annotations

import concurrent.futures as cf
import os
import subprocess
import sys
import threading
import time

import pytest

from analysis.core import fork_server_exit, workers
from analysis.core.config import PROJECT_ROOT
from analysis.publish.runner import execute
from analysis.publish.scorecards import build

LINUX = sys.platform.startswith("linux")


def _first_look() -> dict:
    """In a worker, before it imports anything: its threads, its parent, the modules it already holds."""
    tasks = os.listdir("/proc/self/task") if LINUX else []
    return {
        "python_threads": sorted(t.name for t in threading.enumerate()),
        "os_threads": len(tasks),
        "parent": os.getppid(),
        "modules": sorted(sys.modules),
        "start_method": __import__("multiprocessing").get_start_method(),
    }


@pytest.mark.parametrize("preload", [execute.WORKER_PRELOAD, build.WORKER_PRELOAD], ids=["run", "scorecards"])
def test_a_worker_is_a_fork_holding_the_preload_and_running_only_its_watchdog(preload):
    context = workers.worker_context(preload)
    if not LINUX:
        assert context.get_start_method() == "spawn"
        return
    assert context.get_start_method() == "forkserver"
    with cf.ProcessPoolExecutor(
        1, mp_context=context, initializer=workers.die_with_parent, initargs=workers.initializer_args()
    ) as pool:
        look = pool.submit(_first_look).result(timeout=120)
    assert look["start_method"] == "forkserver"
    assert look["parent"] != os.getpid()  # the fork server's child, not ours
    # this test process has one fork server, started by the first pool of its tests with that pool's list
    # (the lists themselves: the next test); both lists hold these
    assert {
        "pandas",
        "matplotlib.pyplot",
        "weasyprint",
        "nbconvert",
        "analysis.core.fork_server_exit",
    } <= set(look["modules"])
    assert look["python_threads"] == ["MainThread", "parent-watchdog"]
    assert look["os_threads"] == 2  # no OpenBLAS, jemalloc or other native thread came with the fork


def test_the_preload_lists_import_and_start_no_python_thread():
    """What the fork server imports: every module exists (multiprocessing would skip a missing one
    silently) and importing them all starts no Python thread (the fork would not carry it)."""
    script = (
        "import importlib, threading\n"
        "from analysis.publish.runner.execute import WORKER_PRELOAD as RUN\n"
        "from analysis.publish.scorecards.build import WORKER_PRELOAD as CARDS\n"
        "for name in (*RUN, *CARDS):\n"
        "    importlib.import_module(name)\n"
        "print(threading.active_count())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"


def test_the_quick_exit_is_armed_only_in_the_fork_server():
    assert fork_server_exit.in_fork_server() is False  # imported here (and by the doctest collection)


#: How a command that used a pool ends: its pool closed by ``with`` (the exit handlers stop the fork
#: server), or ``exit_after_children`` (how ``python -m analysis run`` ends: ``os._exit`` skips the exit
#: handlers, so it stops the fork server itself; before it did, the fork server outlived the command and
#: ``make bench`` measured 3.7 s of CPU for a run that used about 18).
_COMMAND_ENDS = {
    "pool closed": (
        "    with cf.ProcessPoolExecutor(1, mp_context=ctx, initializer=die_with_parent,"
        " initargs=initializer_args()) as pool:\n"
        "        print(pool.submit(os.getppid).result(), flush=True)\n"
    ),
    "quick exit": (
        "    pool = cf.ProcessPoolExecutor(1, mp_context=ctx, initializer=die_with_parent,"
        " initargs=initializer_args())\n"
        "    print(pool.submit(os.getppid).result(), flush=True)\n"
        "    pool.shutdown(wait=False)\n"
        "    exit_after_children(0)\n"
    ),
}


@pytest.mark.skipif(not LINUX, reason="the fork server is Linux's start method here")
@pytest.mark.parametrize("end", sorted(_COMMAND_ENDS))
def test_the_command_waits_for_its_fork_server_at_exit_and_counts_its_cpu(tmp_path, end):
    """A command that used a pool exits with its fork server gone (waited for, not orphaned), and the
    CPU of the fork server's imports is in the command's children's time (``wait4``), however it ends."""
    import psutil

    script = (
        "import concurrent.futures as cf, os, sys\n"
        "from analysis.core.workers import worker_context, die_with_parent, exit_after_children,"
        " initializer_args\n"
        "if __name__ == '__main__':\n"
        "    ctx = worker_context(['pandas', 'matplotlib.pyplot'])\n" + _COMMAND_ENDS[end]
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    (tmp_path / "command.py").write_text(script, encoding="utf-8")
    command = subprocess.Popen(
        [sys.executable, str(tmp_path / "command.py")], env=env, stdout=subprocess.PIPE, text=True
    )
    _pid, status, usage = os.wait4(command.pid, 0)
    server = int(command.stdout.read().strip())
    command.stdout.close()
    assert os.waitstatus_to_exitcode(status) == 0
    assert not psutil.pid_exists(server)
    # the command alone imports neither pandas nor matplotlib; the fork server's imports of both are
    # ≈ 0.3 s of CPU on a quiet machine
    assert usage.ru_utime + usage.ru_stime > 0.2


@pytest.mark.skipif(not LINUX, reason="the fork server is Linux's start method here")
def test_a_fork_server_worker_dies_when_the_command_is_killed(tmp_path):
    """``kill -9`` of a command whose worker was forked by the fork server: the worker (whose parent is
    the fork server, alive) is gone within a second or two, and then the fork server."""
    import psutil

    pid_file = tmp_path / "worker.pid"
    script = (
        "import concurrent.futures as cf, os, pathlib, time\n"
        "from analysis.core.workers import worker_context, die_with_parent, initializer_args\n"
        "def sleep(path):\n"
        "    pathlib.Path(path).write_text(f'{os.getpid()} {os.getppid()}')\n"
        "    time.sleep(60)\n"
        "if __name__ == '__main__':\n"
        "    pool = cf.ProcessPoolExecutor(1, mp_context=worker_context(['pandas']),"
        " initializer=die_with_parent, initargs=initializer_args())\n"
        f"    pool.submit(sleep, {str(pid_file)!r})\n"
        "    time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    (tmp_path / "command.py").write_text(script, encoding="utf-8")
    command = subprocess.Popen([sys.executable, str(tmp_path / "command.py")], env=env)
    try:
        deadline = time.time() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.time() < deadline and command.poll() is None
            time.sleep(0.1)
        worker_pid, server_pid = map(int, pid_file.read_text().split())
        assert server_pid != command.pid
        worker, server = psutil.Process(worker_pid), psutil.Process(server_pid)
        command.kill()
        command.wait()
        worker.wait(timeout=3)  # raises psutil.TimeoutExpired if the worker outlives the command
        server.wait(timeout=5)  # the fork server exits once its last worker has
    finally:
        command.kill()
        command.wait()


def test_calls_in_order_run_in_their_order_in_another_thread_and_failures_are_raised():
    main = threading.get_ident()
    seen = []
    calls = workers.CallsInOrder("test")
    first = calls.call(lambda: seen.append(("a", threading.get_ident() != main)) or 1)
    calls.call(lambda: seen.append(("b", threading.get_ident() != main)))
    assert first.result() == 1
    calls.close()
    assert seen == [("a", True), ("b", True)]

    failing = workers.CallsInOrder("test")
    failing.call(lambda: 1 / 0)
    failing.call(seen.append, "after the failure")
    with pytest.raises(ZeroDivisionError):
        failing.close()
    assert seen[-1] == "after the failure"  # the later calls still ran


def test_calls_in_order_after_an_error_are_noted_on_it_not_raised():
    calls = workers.CallsInOrder("test")
    calls.call(lambda: 1 / 0)
    error = KeyError("the caller's own error")
    calls.close_after(error)
    assert error.__notes__ == ["(and in the background: ZeroDivisionError: division by zero)"]


_WARM_SCRIPT = """
import concurrent.futures as cf, os, sys, threading
from analysis.core.workers import worker_context, die_with_parent, initializer_args
from analysis.publish.runner import execute

def look():
    from analysis.publish import export, nbexec
    return {
        "warm": execute._warm,
        "imported": all(name in sys.modules for name in execute.NOTEBOOK_IMPORTS),
        "templates": export.analyst_exporter().environment.cache is not None
                     and len(export.analyst_exporter().environment.cache) > 0,
        "threads": sorted(t.name for t in threading.enumerate()),
    }

if __name__ == "__main__":
    ctx = worker_context(execute.NOTEBOOK_PRELOAD)
    with cf.ProcessPoolExecutor(1, mp_context=ctx, initializer=die_with_parent,
                                initargs=initializer_args()) as pool:
        print(pool.submit(look).result(timeout=180))
    print("here", execute._warm)
"""


@pytest.mark.skipif(not LINUX, reason="the fork server is Linux's start method here")
def test_a_worker_of_a_scheduled_run_is_forked_warm_from_its_fork_server(tmp_path):
    """With :data:`execute.NOTEBOOK_PRELOAD` the fork server warms the notebook tools up once
    (``fork_server_warm``): its worker starts warm (the notebooks' modules imported, the exporters'
    templates compiled) with no thread but its watchdog, and the command itself stays cold."""
    script = tmp_path / "warm.py"
    script.write_text(_WARM_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    worker, here = out.stdout.strip().splitlines()
    assert worker == str(
        {"warm": True, "imported": True, "templates": True, "threads": ["MainThread", "parent-watchdog"]}
    )
    assert here == "here False"
