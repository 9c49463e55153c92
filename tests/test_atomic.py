"""``analysis.core.atomic``: atomic files, staged folders, folder locks, stale staging; ``core.workers``."""

from __future__ import annotations

import errno
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from analysis.core import atomic

PROJECT_ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------------------------- files
def test_write_atomic_replaces_whole_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "quality.json"
    atomic.write_text_atomic(target, "old")
    atomic.write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["quality.json"]


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "table.parquet"
    target.write_bytes(b"complete old table")

    def full_disk(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OSError) as info:
        atomic.write_bytes_atomic(target, b"new table")
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)  # named for the message
    monkeypatch.undo()
    assert target.read_bytes() == b"complete old table"
    assert [p.name for p in tmp_path.iterdir()] == ["table.parquet"]


def test_pyarrow_style_error_gets_errno_and_path(tmp_path):
    error = atomic._with_path(OSError("[Errno 28] Error writing bytes to file. Detail: [errno 28]"), tmp_path)
    assert error.errno == errno.ENOSPC and error.filename == str(tmp_path)
    assert error.strerror == os.strerror(errno.ENOSPC)


# -------------------------------------------------------------------------------------------- folders
def _fill(folder: Path, version: int, files: int = 5) -> None:
    for i in range(files):
        atomic.write_text_atomic(folder / f"t{i}.txt", str(version))


def test_staged_folder_is_complete_or_absent(tmp_path):
    final = tmp_path / "2025-TW2"
    with atomic.staged_folder(final) as staging:
        _fill(staging, 1)
        assert not final.exists()  # nothing visible before the block ends
    assert sorted(p.read_text() for p in final.iterdir()) == ["1"] * 5
    with pytest.raises(RuntimeError), atomic.staged_folder(final) as staging:
        _fill(staging, 2, files=2)
        raise RuntimeError("disk full halfway")
    assert sorted(p.read_text() for p in final.iterdir()) == ["1"] * 5  # the previous folder stays
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-TW2"]  # staging removed


def test_staged_folder_seed_keeps_other_files(tmp_path):
    final = tmp_path / "p"
    with atomic.staged_folder(final) as staging:
        _fill(staging, 1, files=2)
        (staging / "feedback").mkdir()
        atomic.write_text_atomic(staging / "feedback" / "a.xlsx", "fb")
    with atomic.staged_folder(final, seed=True) as staging:
        atomic.write_text_atomic(staging / "t1.txt", "2")
    assert (final / "t0.txt").read_text() == "1" and (final / "t1.txt").read_text() == "2"
    assert (final / "feedback" / "a.xlsx").read_text() == "fb"


def test_readers_never_see_a_half_folder(tmp_path):
    """Writers rebuild a folder over and over (under its lock); readers, holding the same lock, always
    find every file, all of one version. Without the staging + swap a reader meets missing files or a
    mix of versions."""
    final = tmp_path / "100-hari"
    with atomic.folder_lock(final), atomic.staged_folder(final) as staging:
        _fill(staging, 0)
    errors: list[str] = []
    stop = threading.Event()

    def writer(start: int) -> None:
        version = start
        while not stop.is_set():
            version += 2
            with atomic.folder_lock(final), atomic.staged_folder(final) as staging:
                _fill(staging, version)

    def reader() -> None:
        while not stop.is_set():
            with atomic.reading(final):
                seen = sorted((p.name, p.read_text()) for p in final.iterdir())
            versions = {v for _, v in seen}
            if len(seen) != 5 or len(versions) != 1:
                errors.append(repr(seen))

    threads = [threading.Thread(target=writer, args=(i,)) for i in (0, 1)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["100-hari", "100-hari.lock"]


def test_swap_exchanges_names_so_the_folder_never_disappears(tmp_path):
    final, staging = tmp_path / "r", tmp_path / ".r.staging-x"
    final.mkdir()
    (final / "old").write_text("")
    staging.mkdir()
    (staging / "new").write_text("")
    atomic.swap_into_place(staging, final)
    assert [p.name for p in final.iterdir()] == ["new"] and not staging.exists()
    if sys.platform.startswith("linux"):
        assert atomic._RENAMEAT2 is not None  # glibc has renameat2: the swap is one step


def test_swap_refuses_to_replace_a_file(tmp_path):
    final, staging = tmp_path / "r", tmp_path / ".r.staging-x"
    final.write_text("a file")
    staging.mkdir()
    with pytest.raises(NotADirectoryError) as info:
        atomic.swap_into_place(staging, final)
    assert info.value.filename == str(final)


# ---------------------------------------------------------------------------------------------- locks
def _hold_lock(folder: str, held: multiprocessing.Event, release: multiprocessing.Event) -> None:
    with atomic.folder_lock(Path(folder)):
        held.set()
        release.wait(30)


def test_lock_excludes_another_process_and_says_who_holds_it(tmp_path):
    folder = tmp_path / "processed" / "kota" / "2025-TW2"
    ctx = multiprocessing.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_hold_lock, args=(str(folder), held, release))
    child.start()
    try:
        assert held.wait(30)
        lines: list[str] = []
        with pytest.raises(TimeoutError) as info, atomic.folder_lock(folder, timeout=1.0, say=lines.append):
            pass
        assert lines == [f"waiting for another run on {folder} (pid {child.pid})"]
        assert info.value.filename == str(folder)
        threading.Timer(0.8, release.set).start()
        t0 = time.perf_counter()
        with atomic.folder_lock(folder, say=lines.append):  # waits until the other process lets go
            assert time.perf_counter() - t0 >= 0.5
    finally:
        release.set()
        child.join(10)
    assert (tmp_path / "processed" / "kota" / "2025-TW2.lock").is_file()  # beside the folder
    assert not folder.exists()  # taking a lock does not create the folder


def test_lock_excludes_threads_and_is_reentrant(tmp_path):
    folder = tmp_path / "p"
    inside = []

    def work(i: int) -> None:
        with atomic.folder_lock(folder), atomic.folder_lock(folder):  # re-entrant in one thread
            inside.append(i)
            time.sleep(0.05)
            assert len(inside) == 1, inside
            inside.remove(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert inside == []


def test_lock_order_is_enforced(tmp_path):
    a, b = tmp_path / "2025-TW1", tmp_path / "2025-TW2"
    with atomic.folder_locks([b, a]):  # any order in: taken sorted
        pass
    with atomic.folder_lock(a), atomic.folder_lock(b):
        pass
    with pytest.raises(RuntimeError, match="lock order"), atomic.folder_lock(b), atomic.folder_lock(a):
        pass
    # report locks come before processed locks, whatever the paths
    with atomic.folder_lock(tmp_path / "reports" / "x", order=atomic.REPORT_LOCK), atomic.folder_lock(a):
        pass
    report = tmp_path / "0reports"
    with (
        pytest.raises(RuntimeError, match="lock order"),
        atomic.folder_lock(a),
        atomic.folder_lock(report, order=atomic.REPORT_LOCK),
    ):
        pass


def test_reading_a_read_only_copy_needs_no_lock(tmp_path, monkeypatch):
    folder = tmp_path / "p"
    folder.mkdir()

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "p.lock"))

    monkeypatch.setattr(atomic, "folder_lock", read_only)
    with atomic.reading(folder):
        pass


# ----------------------------------------------------------------------------------- stale leftovers
def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_remove_stale_keeps_live_owners(tmp_path):
    host = atomic._host()
    dead = tmp_path / f".2025-TW2.staging-{_dead_pid()}_{host}_run1"
    live = tmp_path / f".2025-TW3.staging-{os.getppid()}_{host}_run2"
    mine = tmp_path / f".2025-TW4.staging-{atomic.owner_tag('run3')}"
    other_host = tmp_path / f".2025-TW1.staging-{_dead_pid()}_elsewhere_run4"
    old_style = tmp_path / ".100-hari.staging-20250101T000000Z-abcdef"
    old_tmp = tmp_path / f".quality.json.tmp-{_dead_pid()}_{host}_ab"
    replaced = tmp_path / f".2025-TW2.old-{_dead_pid()}_{host}_cd"
    report = tmp_path / "2025-TW2"
    for path in (dead, live, mine, other_host, old_style, replaced, report):
        path.mkdir()
        (path / "briefing.html").write_text("x")
    old_tmp.write_text("half")
    day_ago = time.time() - atomic.STALE_AFTER_S - 60
    os.utime(old_style, (day_ago, day_ago))
    removed = atomic.remove_stale(tmp_path)
    assert sorted(p.name for p in removed) == sorted(p.name for p in (dead, old_style, old_tmp, replaced))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (live, mine, other_host, report)
    )


def test_new_staging_removes_the_staging_of_a_killed_command(tmp_path):
    final = tmp_path / "scorecards"
    stale = tmp_path / f".scorecards.staging-{_dead_pid()}_{atomic._host()}_x"
    stale.mkdir()
    staging = atomic.new_staging(final, token="run")
    assert staging.name.startswith(f".scorecards.staging-{os.getpid()}_") and not stale.exists()


# -------------------------------------------------------------------------------------------- workers
def test_worker_dies_when_its_parent_is_killed(tmp_path):
    """A parent starts a worker through the same initializer the pools use, then is killed with SIGKILL:
    the worker is gone within a second or two (death signal on Linux, watchdog elsewhere)."""
    import psutil

    pid_file = tmp_path / "worker.pid"
    script = (
        "import multiprocessing, sys, time\n"
        "from analysis.core.workers import die_with_parent, initializer_args\n"
        "def sleep(path):\n"
        "    import os, pathlib\n"
        "    pathlib.Path(path).write_text(str(os.getpid()))\n"
        "    time.sleep(60)\n"
        "if __name__ == '__main__':\n"
        "    ctx = multiprocessing.get_context('spawn')\n"
        "    import concurrent.futures as cf\n"
        "    pool = cf.ProcessPoolExecutor(1, mp_context=ctx, initializer=die_with_parent,"
        " initargs=initializer_args())\n"
        f"    pool.submit(sleep, {str(pid_file)!r})\n"
        "    time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    (tmp_path / "parent.py").write_text(script, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(tmp_path / "parent.py")], env=env)
    try:
        deadline = time.time() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.time() < deadline and parent.poll() is None
            time.sleep(0.1)
        worker = psutil.Process(int(pid_file.read_text()))
        parent.kill()
        parent.wait()
        worker.wait(timeout=3)  # raises psutil.TimeoutExpired if the worker outlives its parent
    finally:
        parent.kill()
    assert not psutil.pid_exists(worker.pid) or worker.status() == psutil.STATUS_ZOMBIE


def test_exit_after_children_waits_for_the_workers_and_skips_the_teardown(tmp_path):
    """``exit_after_children`` (the end of ``python -m analysis run``): the exit code given, the output
    flushed, a worker still at work waited for (its file written), and no exit handler run (the
    interpreter's teardown skipped)."""
    done = tmp_path / "done"
    script = (
        "import atexit, multiprocessing\n"
        "from analysis.core.workers import exit_after_children\n"
        "def work(path):\n"
        "    import pathlib, time\n"
        "    time.sleep(0.5)\n"
        "    pathlib.Path(path).write_text('done')\n"
        "if __name__ == '__main__':\n"
        f"    multiprocessing.get_context('spawn').Process(target=work, args=({str(done)!r},)).start()\n"
        "    atexit.register(lambda: print('teardown'))\n"
        "    print('written', end='')\n"
        "    exit_after_children(3)\n"
    )
    (tmp_path / "parent.py").write_text(script, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    run = subprocess.run(
        [sys.executable, str(tmp_path / "parent.py")], env=env, capture_output=True, text=True, timeout=60
    )
    assert (run.returncode, run.stdout) == (3, "written"), run.stderr
    assert done.read_text() == "done"
