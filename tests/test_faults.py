"""Filesystem faults (issue 11): a full disk, a read-only disk, a path that is a file, no permission.

Each is one line naming the path, exit 1, and nothing half-written: the previous complete folder stays.
Tests run as root in CI, where ``chmod`` does not stop writes, so the faults are simulated by making
``os.replace`` / ``os.mkdir`` raise the error the kernel would give.
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from analysis import cli
from analysis.core import config

SOURCE = config.SAMPLE_SOURCE
PERIOD = "100-hari"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path -> SHA-256)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def one_error_line(capsys, command: str) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"python -m analysis {command}: error: "), err[0]
    assert "Traceback" not in err[0]
    return err[0]


@pytest.fixture(scope="module")
def cleaned_once(tmp_path_factory):
    """A complete processed period folder made by a normal ``clean`` (copied by each test)."""
    root = tmp_path_factory.mktemp("processed")
    folder = root / "sample" / PERIOD
    assert cli.main(["clean", "--raw", str(SOURCE), "--period", PERIOD, "--processed", str(root)]) == 0
    return folder


@pytest.fixture
def previous(cleaned_once, tmp_path):
    import shutil

    folder = tmp_path / "processed" / "sample" / PERIOD
    shutil.copytree(cleaned_once, folder)
    (folder / "quality.json").write_text('{"previous": true}\n', encoding="utf-8")  # marks the old state
    return folder


def fail_on(monkeypatch, function: str, error: int, when) -> list[str]:
    """Make ``os.<function>(path, ...)`` raise ``error`` for the paths ``when(path)`` accepts."""
    real = getattr(os, function)
    hits: list[str] = []

    def fake(src, *args, **kwargs):
        target = args[0] if function == "replace" else src
        if when(Path(target)):
            hits.append(str(target))
            raise OSError(error, os.strerror(error), str(target))
        return real(src, *args, **kwargs)

    monkeypatch.setattr(os, function, fake)
    return hits


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS], ids=["disk_full", "read_only"])
def test_clean_fault_while_writing_keeps_the_previous_folder(previous, monkeypatch, capsys, error):
    before = snapshot(previous)
    written: list[Path] = []

    def third_table(path: Path) -> bool:  # the first two tables are written, then the disk fails
        if path.suffix == ".parquet":
            written.append(path)
        return len(written) == 3

    hits = fail_on(monkeypatch, "replace", error, third_table)
    code = cli.main(
        ["clean", "--raw", str(SOURCE), "--period", PERIOD, "--processed", str(previous.parent.parent)]
    )
    monkeypatch.undo()
    line = one_error_line(capsys, "clean")
    assert code == 1 and hits
    assert f"{hits[0]}: {os.strerror(error)}" in line
    assert snapshot(previous) == before  # not 2 new tables and an old quality.json
    assert sorted(p.name for p in previous.parent.iterdir() if p.suffix != ".lock") == [PERIOD]  # no staging


def test_clean_on_a_read_only_disk(previous, monkeypatch, capsys):
    before = snapshot(previous)
    hits = fail_on(monkeypatch, "mkdir", errno.EROFS, lambda p: ".staging-" in p.name)
    code = cli.main(
        ["clean", "--raw", str(SOURCE), "--period", PERIOD, "--processed", str(previous.parent.parent)]
    )
    monkeypatch.undo()
    line = one_error_line(capsys, "clean")
    assert code == 1 and line.endswith(f"{hits[0]}: Read-only file system")
    assert snapshot(previous) == before


def test_clean_processed_is_a_file(tmp_path, capsys):
    target = tmp_path / "not-a-folder"
    target.write_text("keep me", encoding="utf-8")
    code = cli.main(["clean", "--raw", str(SOURCE), "--period", PERIOD, "--processed", str(target)])
    line = one_error_line(capsys, "clean")
    assert code == 1 and str(target) in line and "Not a directory" in line
    assert target.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if ".staging-" in p.name) == []


def test_evaluate_permission_denied(previous, monkeypatch, capsys):
    before = snapshot(previous)
    hits = fail_on(monkeypatch, "mkdir", errno.EACCES, lambda p: ".staging-" in p.name)
    code = cli.main(
        ["evaluate", "--raw", str(SOURCE), "--period", PERIOD, "--processed", str(previous.parent.parent)]
    )
    monkeypatch.undo()
    line = one_error_line(capsys, "evaluate")
    assert code == 1 and line.endswith(f"{hits[0]}: Permission denied")
    assert snapshot(previous) == before


def run_args(tmp_path: Path, out: Path, processed: Path) -> list[str]:
    return [
        "run", "--raw", str(SOURCE), "--period", PERIOD, "--formats", "html", "--quiet",
        "--out", str(out), "--processed", str(processed),
    ]  # fmt: skip


@pytest.mark.parametrize("which", ["out", "processed"])
def test_run_path_is_a_file(tmp_path, capsys, which):
    target = tmp_path / "a-file"
    target.write_text("keep me", encoding="utf-8")
    out = target if which == "out" else tmp_path / "reports"
    processed = target if which == "processed" else tmp_path / "processed"
    code = cli.main(run_args(tmp_path, out, processed))
    line = one_error_line(capsys, "run")
    assert code == 1 and str(target) in line and "Not a directory" in line
    assert target.read_text(encoding="utf-8") == "keep me"
    if which == "processed":  # the staging folder of the report was removed
        assert [p.name for p in (tmp_path / "reports" / "sample").iterdir()] == []


def test_run_read_only_reports_keeps_the_previous_report(tmp_path, monkeypatch, capsys):
    report = tmp_path / "reports" / "sample" / PERIOD
    report.mkdir(parents=True)
    (report / "briefing.html").write_text("the previous briefing", encoding="utf-8")
    hits = fail_on(monkeypatch, "mkdir", errno.EROFS, lambda p: ".staging-" in p.name)
    code = cli.main(run_args(tmp_path, tmp_path / "reports", tmp_path / "processed"))
    monkeypatch.undo()
    line = one_error_line(capsys, "run")
    assert code == 1 and line.endswith(f"{hits[0]}: Read-only file system")
    assert snapshot(report) == {"briefing.html": hashlib.sha256(b"the previous briefing").hexdigest()}


def test_describe_os_error_names_both_paths_of_a_rename():
    exc = OSError(errno.EXDEV, "Invalid cross-device link", "/a", None, "/b")
    assert cli.describe_os_error(exc) == "/a -> /b: Invalid cross-device link"
    assert cli.describe_os_error(OSError("no errno")) == "no errno"
