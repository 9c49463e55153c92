"""Concurrent commands and killed commands (issue 11): ``run`` processes on one processed root, ``kill -9``
and Ctrl-C of ``run``. Each starts ``python -m analysis run`` as a subprocess and executes a tiny notebook
in the run's worker processes (slow)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from analysis.core import config
from analysis.ingest.cleaning import load_cleaned

PROJECT_ROOT = Path(__file__).resolve().parents[1]

PARAMETERS = (
    "raw_dir = ''  # data source folder\n"
    "processed_dir = ''  # cleaned tables of the period\n"
    "period = ''  # period code\n"
    "lang = 'id'  # id or en\n"
    "source_name = ''  # data source name\n"
    "is_synthetic = False  # synthetic data source\n"
    "run_id = ''  # run id\n"
)

READS_THE_TABLES = (
    "from analysis.publish.content import load\n"
    "tables = load.load_tables(processed_dir)\n"
    "hundred = load.load_hundred_days(raw_dir, processed_dir, period)\n"
    "print('rt_reports', len(tables['rt_reports']), 'claims', len(hundred.claims), hundred.source)"
)

SLEEPS = (
    "import pathlib, time\n"
    "pathlib.Path(processed_dir).parent.joinpath('started-' + run_id).write_text('')\n"
    "time.sleep(120)"
)


def write_notebook(folder: Path, name: str, code: str) -> Path:
    import nbformat.v4 as v4
    from nbformat import write

    params = v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# Uji"), params, v4.new_code_cell(code)])
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    write(nb, folder / name)
    matrix = folder / f"{Path(name).stem}.yml"
    matrix.write_text(yaml.safe_dump([{"notebook": name, "name": "briefing", "export": "briefing"}]))
    return matrix


def start_run(raw: Path, period: str, root: Path, matrix: Path, *extra: str, **popen) -> subprocess.Popen:
    args = [
        sys.executable, "-m", "analysis", "run", "--raw", str(raw), "--period", period,
        "--formats", "html", "--jobs", "1", "--quiet", "--notebooks", str(matrix.parent),
        "--matrix", str(matrix), "--out", str(root / "reports"), "--processed", str(root / "processed"),
        *extra,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    return subprocess.Popen(
        args, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".staging-" in p.name or ".old-" in p.name)


def check_report(report: Path, processed: Path) -> None:
    """The manifest's hashes are those of the published files and of the processed folder."""
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    outputs = {p.name for p in report.iterdir() if p.is_file() and p.name != "manifest.json"}
    assert set(manifest["outputs"]) == outputs
    for name, digest in manifest["outputs"].items():
        assert sha256(report / name) == digest, name
    files = {p.relative_to(processed).as_posix() for p in processed.rglob("*") if p.is_file()}
    assert set(manifest["processed"]) == files
    for name, digest in manifest["processed"].items():
        assert sha256(processed / name) == digest, name


def check_processed(folder: Path) -> None:
    """A complete period folder: the cleaned tables load, every evaluation table listed is there."""
    load_cleaned(folder)
    evaluation = json.loads((folder / "evaluation.json").read_text(encoding="utf-8"))
    for name in evaluation["tables"]:
        assert (folder / f"{name}.parquet").is_file(), name


@pytest.mark.slow
def test_concurrent_runs_of_different_and_same_periods(tmp_path):
    """Two runs of different periods at once (each also refreshes the 100 days and its previous period),
    then two runs of the same period at once, on one processed root: all succeed, each report's manifest
    matches its files and the processed folders; no folder is half-written, no staging is left. (Before
    the locks and staged folders the second run crashed: ``Parquet file size is 4 bytes``.)"""
    source = config.SAMPLE_SOURCE
    matrix = write_notebook(tmp_path / "notebooks", "reads.ipynb", READS_THE_TABLES)
    for periods in (("2026-TW3", "2026-TW2"), ("2026-TW3", "2026-TW3")):
        runs = [start_run(source, period, tmp_path, matrix) for period in periods]
        results = [run.communicate(timeout=600) for run in runs]
        for run, (_out, err) in zip(runs, results, strict=True):
            assert run.returncode == 0, err
            assert "Traceback" not in err
        for period in set(periods):
            report = tmp_path / "reports" / "sample" / period
            processed = tmp_path / "processed" / "sample" / period
            check_report(report, processed)
            html = (report / "briefing.html").read_text(encoding="utf-8")
            seen = re.search(r"rt_reports (\d+) claims (\d+) (\w+)", html)
            assert seen, html[-2000:]
            rows, claims, where = int(seen[1]), int(seen[2]), seen[3]
            assert rows > 0 and claims > 0 and where == "folder"  # the 100-day folder, complete
    for period in ("100-hari", "2026-TW2", "2026-TW3"):
        check_processed(tmp_path / "processed" / "sample" / period)
    load_cleaned(tmp_path / "processed" / "sample" / "2026-TW1")  # cleaned as 2026-TW2's previous period
    assert leftovers(tmp_path / "processed" / "sample") == []
    assert leftovers(tmp_path / "reports" / "sample") == []


@pytest.mark.slow
def test_readers_see_whole_folders_while_another_process_cleans_again(tmp_path):
    """Another process cleans the 100 days again and again (as every run of another period does) while
    this one reads the folder: every read finds complete tables and a complete ``quality.json``. (Before,
    the tables were rewritten in place: ``Parquet file size is 4 bytes``, half a JSON file.)"""
    folder = tmp_path / "processed" / "sample" / "100-hari"
    clean = (
        "import sys\n"
        "from analysis.ingest.cleaning import clean_source\n"
        "for _ in range(int(sys.argv[1])):\n"
        f"    clean_source({str(config.SAMPLE_SOURCE)!r}, '100-hari', processed_dir={str(folder)!r})\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    subprocess.run([sys.executable, "-c", clean, "1"], env=env, check=True)
    writer = subprocess.Popen([sys.executable, "-c", clean, "4"], env=env, stderr=subprocess.PIPE, text=True)
    reads = 0
    try:
        while writer.poll() is None:
            tables = load_cleaned(folder)
            assert len(tables["agency_reports"]) > 0
            from analysis.publish.content import load

            assert load.load_quality(folder)["period"] == "100-hari"
            reads += 1
    finally:
        writer.kill()
        _out, err = writer.communicate()
    assert writer.returncode == 0, err
    assert reads > 3
    assert leftovers(folder.parent) == []


# ----------------------------------------------------------------------------------- killed commands
def make_source(root: Path) -> Path:
    """A data source whose processed folder is already there (runs use --reuse-processed)."""
    raw = root / "raw" / "kota"
    (raw / "realisasi").mkdir(parents=True)
    (raw / "realisasi" / "realisasi_2025-TW2_dinkes.xlsx").write_bytes(b"x")
    (root / "processed" / "kota" / "2025-TW2").mkdir(parents=True)
    return raw


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def descendants(pid: int) -> list:
    import psutil

    return psutil.Process(pid).children(recursive=True)


def all_gone(processes, timeout: float) -> list:
    import psutil

    _gone, alive = psutil.wait_procs(processes, timeout=timeout)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["inprocess", "papermill"])
def test_kill_9_leaves_no_process_and_the_next_run_no_staging(tmp_path, engine):
    """SIGKILL of ``run`` while a notebook runs: its worker processes (inprocess) or Jupyter kernel
    (papermill) are gone within a few seconds; the next run removes the killed run's staging folder."""
    raw = make_source(tmp_path)
    sleeper = write_notebook(tmp_path / "notebooks", "sleeps.ipynb", SLEEPS)
    extra = ("--reuse-processed", "--engine", engine, "--kernel", "python3")
    run = start_run(raw, "2025-TW2", tmp_path, sleeper, *extra)
    processed_root = tmp_path / "processed" / "kota"
    try:
        wait_for(lambda: any(processed_root.glob("started-*")) or run.poll() is not None, 120, "the notebook")
        assert run.poll() is None, run.communicate()[1]
        children = descendants(run.pid)
        assert children, "the run has no worker or kernel process"
        os.kill(run.pid, signal.SIGKILL)
        run.wait(10)
        assert all_gone(children, timeout=5) == []
    finally:
        run.kill()
        run.wait()
        run.stdout.close()  # not communicate(): an orphaned worker would keep the pipes open
        run.stderr.close()
    reports = tmp_path / "reports" / "kota"
    assert leftovers(reports)  # the killed run's staging folder
    quick = write_notebook(tmp_path / "notebooks", "quick.ipynb", "print('ok')")
    second = start_run(raw, "2025-TW2", tmp_path, quick, "--reuse-processed")
    _out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert leftovers(reports) == []
    assert (reports / "2025-TW2" / "briefing.html").is_file()


@pytest.mark.slow
def test_ctrl_c_stops_workers_removes_staging_exit_130(tmp_path):
    raw = make_source(tmp_path)
    sleeper = write_notebook(tmp_path / "notebooks", "sleeps.ipynb", SLEEPS)
    run = start_run(raw, "2025-TW2", tmp_path, sleeper, "--reuse-processed", start_new_session=True)
    processed_root = tmp_path / "processed" / "kota"
    try:
        wait_for(lambda: any(processed_root.glob("started-*")) or run.poll() is not None, 120, "the notebook")
        children = descendants(run.pid)
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
        _out, err = run.communicate(timeout=30)
    finally:
        run.kill()
    assert run.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "interrupted"
    assert all_gone(children, timeout=5) == []
    assert leftovers(tmp_path / "reports" / "kota") == []
