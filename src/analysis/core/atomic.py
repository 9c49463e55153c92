"""Writes that a reader never sees half done, and locks that keep concurrent commands apart.

- **Files**: :func:`write_bytes_atomic`, :func:`write_text_atomic` and :func:`atomic_path` write to a
  temporary name in the target's folder (``.<name>.tmp-<owner>``) and rename it into place with
  ``os.replace``: the target is the old file or the new one, never a part of it. A failed write (a full
  disk, a read-only disk) removes the temporary file and leaves the old file as it was.
- **Folders**: :func:`staged_folder` builds a whole folder (a processed period folder, a report) in a
  staging sibling ``.<name>.staging-<owner>`` and swaps it in (:func:`swap_into_place`): on Linux the two
  folders are exchanged in one step (``renameat2(RENAME_EXCHANGE)``), so the path always names a complete
  folder; elsewhere two renames. A failure removes the staging folder; the previous folder stays.
- **Owners**: ``<owner>`` is ``<pid>_<host>_<token>``. Staging folders, replaced folders (``.old-``) and
  temporary files left by a killed command are removed by the next command that stages next to them
  (:func:`remove_stale`), but only when their process is dead (same host) or they are older than
  :data:`STALE_AFTER_S`; a live concurrent command's staging folder is never touched.
- **Locks**: :func:`folder_lock` / :func:`folder_locks` take the lock of a folder, a file
  ``<folder>.lock`` beside it (``filelock``; not inside, since the folder itself is swapped). Whoever
  writes a folder holds its lock; whoever reads a folder that may be rewritten holds it while reading.
  **Lock order** (no deadlock): report folder locks come before processed folder locks, and locks of
  one kind are taken sorted by path (:func:`folder_locks` takes several in one call). While a thread holds
  a lock it may take it again (re-entrant) but no new lock that comes before one it holds (that raises
  ``RuntimeError``: a bug). A command never waits for another process's result while holding a processed
  folder's lock. ``scorecards`` holds its report folder's lock while its workers read the processed
  folder; ``run`` takes its report folder's lock only to publish, holding no other lock.

Waiting longer than :data:`WAIT_NOTICE_S` prints one line, ``waiting for another run on <folder> (pid N)``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import re
import secrets
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

#: Seconds a lock is tried quietly before the "waiting for another run" line is printed.
WAIT_NOTICE_S = 0.5

#: A staging folder, replaced folder or temporary file older than this is stale whatever its owner (a
#: recycled pid looks alive; no run takes a day).
STALE_AFTER_S = 24 * 3600

#: Leftovers of a command: ``.<name>.staging-<owner>``, ``.<name>.old-<owner>``, ``.<name>.tmp-<owner>``.
_LEFTOVER = re.compile(r"^\..+\.(staging|old|tmp)-(?P<owner>.+)$")
_OWNER = re.compile(r"^(?P<pid>\d+)_(?P<host>[A-Za-z0-9.-]+)_(?P<token>.+)$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"


def owner_tag(token: str | None = None) -> str:
    """``<pid>_<host>_<token>``: who made a staging folder or temporary file (``token`` default random)."""
    return f"{os.getpid()}_{_host()}_{token or secrets.token_hex(4)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def is_stale(path: Path, now: float | None = None) -> bool:
    """True when ``path`` is a leftover (staging, replaced folder, temporary file) whose owner is gone.

    Gone: its pid is not alive on this host, or it is older than :data:`STALE_AFTER_S`, or its name
    carries no owner (older versions) and it is older than that. A leftover of another host is stale only
    by age.
    """
    match = _LEFTOVER.match(Path(path).name)
    if match is None:
        return False
    try:
        age = (now or time.time()) - Path(path).lstat().st_mtime
    except FileNotFoundError:
        return False
    if age > STALE_AFTER_S:
        return True
    return owner_is_gone(match["owner"])


def owner_is_gone(owner: str) -> bool:
    """True when ``owner`` (an :func:`owner_tag`) names a process of this host that is not alive (another
    host's process, or a text that is no owner tag, is never judged gone)."""
    found = _OWNER.match(owner)
    if found is None or found["host"] != _host():
        return False
    pid = int(found["pid"])
    return pid != os.getpid() and not _pid_alive(pid)


def remove_stale(folder: Path) -> list[Path]:
    """Remove the stale leftovers (:func:`is_stale`) directly in ``folder``; returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for path in entries:
        if not is_stale(path):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        if not path.exists():
            removed.append(path)
    return removed


# ----------------------------------------------------------------------------------------------- files
def _with_path(exc: OSError, path: Path) -> OSError:
    """``exc`` with ``path`` as its file name when it has none (a write error of an open file)."""
    if exc.filename:
        return exc
    code = exc.errno
    if code is None:  # pyarrow's IO errors: "[Errno 28] Error writing bytes ... No space left on device"
        found = re.search(r"errno (\d+)", str(exc), re.IGNORECASE)
        code = int(found.group(1)) if found else None
    text = os.strerror(code) if code else str(exc)
    return OSError(code, text, str(path))


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path`` to write to; renamed to ``path`` when the block succeeds.

    On any error the temporary file is removed and ``path`` is left as it was; an ``OSError`` without a
    file name gets ``path`` as its file name (so the one-line message names the file).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{owner_tag()}")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise _with_path(exc, path) from exc
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename (:func:`atomic_path`)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename (:func:`atomic_path`)."""
    return write_bytes_atomic(path, text.encode(encoding))


# --------------------------------------------------------------------------------------------- folders
_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap the names of ``a`` and ``b`` in one step (Linux ``renameat2``); False when the system or the
    filesystem cannot, so the caller falls back to two renames."""
    if _RENAMEAT2 is None:
        return False
    result = _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_into_place(staging: Path, final: Path) -> None:
    """Put the finished folder ``staging`` at ``final``, replacing (and then removing) a folder there.

    ``final`` names a complete folder at every moment where the system can exchange two names
    (:func:`exchange`); otherwise it is missing between two renames. The caller holds ``final``'s lock.
    """
    staging, final = Path(staging), Path(final)
    if not final.exists():
        staging.rename(final)
        return
    if not final.is_dir() or final.is_symlink():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(final))
    if exchange(staging, final):
        old = staging  # now holds the previous folder
    else:
        old = final.parent / f".{final.name}.old-{owner_tag()}"
        final.rename(old)
        staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def new_staging(final: Path, token: str | None = None) -> Path:
    """Create and return an empty staging folder next to ``final`` (``.<name>.staging-<owner>``), after
    removing the stale leftovers of killed commands in the same parent folder (:func:`remove_stale`)."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(final.parent)
    staging = final.parent / f".{final.name}.staging-{owner_tag(token)}"
    staging.mkdir()
    return staging


def _link_or_copy_tree(src: Path, dst: Path) -> None:
    """Fill ``dst`` (exists, empty) with ``src``'s files: hard links where possible, else copies. Safe
    because every write into a staging folder replaces a file (new inode) rather than changing it."""

    def link(source: str, target: str) -> None:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    shutil.copytree(src, dst, copy_function=link, dirs_exist_ok=True, symlinks=True)


@contextlib.contextmanager
def staged_folder(final: Path, seed: bool = False, token: str | None = None) -> Iterator[Path]:
    """Build the folder ``final`` in a staging sibling and swap it in when the block succeeds.

    ``seed``: start from a copy of the current ``final`` (to add or replace some of its files); else
    empty (the block writes the whole folder). On any error the staging folder is removed and ``final``
    stays as it was. Hold ``final``'s lock (:func:`folder_lock`) around the block.
    """
    final = Path(final)
    staging = new_staging(final, token)
    try:
        if seed and final.is_dir():
            _link_or_copy_tree(final, staging)
        yield staging
        swap_into_place(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# ----------------------------------------------------------------------------------------------- locks
_LOCKS: dict[str, object] = {}  # one filelock.FileLock per lock file and process (re-entrant per thread)
_LOCKS_GUARD = threading.Lock()
_HELD = threading.local()  # this thread's held locks as (order, lock file) (a list, repeats for re-entry)

#: Lock kinds in the order they are taken (:func:`folder_lock`'s ``order``).
REPORT_LOCK, PROCESSED_LOCK = 0, 1


def lock_path_for(folder: Path) -> Path:
    """The lock file of ``folder``: ``<folder>.lock`` beside it."""
    folder = Path(os.path.abspath(folder))
    return folder.with_name(folder.name + ".lock")


def _held() -> list[tuple[int, str]]:
    if not hasattr(_HELD, "paths"):
        _HELD.paths = []
    return _HELD.paths


def _write_owner(fd: int) -> None:
    """Record the holder in the lock file (read by the waiting line of other processes)."""
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()} {_host()}\n".encode(), 0)


def _file_lock(lock_file: Path):
    from filelock import FileLock

    key = str(lock_file)
    with _LOCKS_GUARD:
        lock = _LOCKS.get(key)
        if lock is None:
            lock = _LOCKS[key] = FileLock(key, on_acquired=_write_owner)
        return lock


def _holder(lock_file: Path) -> str:
    try:
        text = lock_file.read_text(encoding="utf-8").split()
    except OSError:
        return "?"
    return text[0] if text else "?"


def _report_wait(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def folder_lock(
    folder: Path,
    timeout: float | None = None,
    order: int = PROCESSED_LOCK,
    say: Callable[[str], None] = _report_wait,
) -> Iterator[None]:
    """Hold the lock of ``folder`` (``<folder>.lock``) for the block; see the module docstring.

    ``order``: :data:`PROCESSED_LOCK` (a processed period folder, default) or :data:`REPORT_LOCK`.
    Waits as long as needed (``timeout`` seconds at most: then ``TimeoutError`` naming the folder),
    printing one line through ``say`` when it waits longer than :data:`WAIT_NOTICE_S`.
    """
    from filelock import Timeout

    folder = Path(os.path.abspath(folder))
    lock_file = lock_path_for(folder)
    key = (order, str(lock_file))
    held = _held()
    if key not in held:
        later = [h for h in held if h > key]
        if later:
            raise RuntimeError(
                f"lock order: {lock_file} taken while holding {later[0][1]} (see analysis.core.atomic)"
            )
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = _file_lock(lock_file)
    try:
        lock.acquire(timeout=WAIT_NOTICE_S if timeout is None else min(timeout, WAIT_NOTICE_S))
    except Timeout:
        say(f"waiting for another run on {folder} (pid {_holder(lock_file)})")
        remaining = -1 if timeout is None else max(0.0, timeout - WAIT_NOTICE_S)
        try:
            lock.acquire(timeout=remaining)
        except Timeout:
            raise TimeoutError(
                errno.ETIMEDOUT, f"still locked by pid {_holder(lock_file)} after {timeout} s", str(folder)
            ) from None
    held.append(key)
    try:
        yield
    finally:
        held.remove(key)
        lock.release()


@contextlib.contextmanager
def folder_locks(
    folders: Iterable[Path], timeout: float | None = None, order: int = PROCESSED_LOCK
) -> Iterator[None]:
    """Hold the locks of several folders of one kind, taken in path order (no deadlock)."""
    paths = sorted({Path(os.path.abspath(f)) for f in folders}, key=lambda p: str(lock_path_for(p)))
    with contextlib.ExitStack() as stack:
        for path in paths:
            stack.enter_context(folder_lock(path, timeout=timeout, order=order))
        yield


@contextlib.contextmanager
def reading(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s lock while reading it, so that no writer swaps it meanwhile. Read without a lock
    when the folder's parent does not exist (nothing to read) or the lock file cannot be made there (a
    read-only copy, no write permission: no writer can replace the folder either)."""
    folder = Path(folder)
    with contextlib.ExitStack() as stack:
        if folder.parent.is_dir():
            try:
                stack.enter_context(folder_lock(folder))
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                    raise
        yield
