"""Clean, evaluate and publish one period: ``python -m analysis run --raw DIR --period P``.

:func:`run` chains the steps: validate and plan (:mod:`.plan`), prepare, execute and export
(:mod:`.execute`), write the manifest and publish by rename (:mod:`.release`). A failing notebook stops
the run (exit 1) with a message naming the notebook and the cell; the staging folder with the executed
notebooks (the failing one shows the error) is renamed ``reports/<source>/<period>.failed/`` for
debugging, and the published report (if any) is left as it was. After a published period the source's
history store (``<processed>/<source>/history.duckdb``, :mod:`analysis.evaluate.history`) is rebuilt.

Concurrent commands: the processed period folders are locked by whoever writes them (cleaning and
evaluation, also of the previous period and the 100 days) and while the manifest hashes them; the
report folder is locked only to publish (``analysis.core.atomic``). The worker processes die with the run
(``analysis.core.workers``); Ctrl-C stops them, removes the staging folder and exits 130; a later run
removes the staging folders of runs that were killed.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.core import config
from analysis.core.atomic import REPORT_LOCK, folder_lock, remove_stale
from analysis.core.errors import AnalysisError, ConfigError, UsageError
from analysis.core.workers import stop_pool
from analysis.evaluate.history import refresh as refresh_history
from analysis.publish.runner.execute import (
    NotebookFailed,
    Progress,
    _execute_and_export,
    _execute_in_workers,
    prepare_data,
    start_workers,
)
from analysis.publish.runner.plan import (
    DEFAULT_ENGINE,
    ENGINES,
    FALLBACK_KERNEL,
    FORMATS,
    KERNEL_ENV,
    PROJECT_KERNEL,
    RUN_MATRIX,
    Plan,
    RunOptions,
    add_formats_argument,
    load_matrix,
    parse_formats,
    plan_run,
)
from analysis.publish.runner.release import keep_failed, publish, write_manifest


@dataclass(frozen=True)
class RunResult:
    plan: Plan
    report_dir: Path
    outputs: tuple[Path, ...]
    timings: dict[str, float]


def run(
    options: RunOptions,
    progress: Progress | None = None,
    prepare: Callable[[Plan, Progress, cf.Executor | None], dict[str, Any] | None] = prepare_data,
) -> RunResult:
    """Validate, prepare, execute, export and publish one period; see the module docstring.

    ``prepare(plan, progress, pool)`` makes the processed data (default :func:`prepare_data`); ``pool`` is
    the ``inprocess`` engine's executor of worker processes (``None`` with papermill), which it may use for
    work that does not depend on its own.
    """
    import logging as _logging

    progress = progress or Progress()
    t0 = time.perf_counter()
    t_validate = time.perf_counter()
    plan = plan_run(options)  # silent: a usage error must be the only line printed
    progress.timings["validate"] = round(time.perf_counter() - t_validate, 3)
    how = f"kernel={plan.kernel}" if options.engine == "papermill" else f"engine={options.engine}"
    progress.say(f"run {plan.run_id}: {plan.source_name} {plan.period}, lang={options.lang}, {how}")
    _logging.getLogger("papermill").setLevel(_logging.WARNING)
    staging = plan.staging_dir
    staging.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(staging.parent)  # staging folders of killed runs (their process is gone)
    staging.mkdir()
    try:
        pool = start_workers(plan) if options.engine == "inprocess" else None
        try:
            if options.reuse_processed:
                progress.say(f"using processed data in {plan.processed_dir}")
                prepared = {"reused": True}
            else:
                prepared = prepare(plan, progress, pool) or {}
            if pool is not None:
                _execute_in_workers(plan, staging, progress, pool)
            else:
                _execute_and_export(plan, staging, progress)
        except NotebookFailed:
            if pool is not None:  # let the other notebooks finish: the failed folder shows them all
                pool.shutdown(wait=True, cancel_futures=True)
            raise
        except BaseException:  # Ctrl-C, a full disk...: the workers stop now, then the staging goes
            if pool is not None:
                stop_pool(pool)
            raise
        if pool is not None:
            pool.shutdown(wait=False)  # every job done: the workers exit while the manifest is written
        progress.timings["total"] = round(time.perf_counter() - t0, 3)
        write_manifest(plan, staging, dict(progress.timings), prepared)
        with folder_lock(plan.final_dir, order=REPORT_LOCK):
            publish(staging, plan.final_dir)
            if plan.failed_dir.exists():
                shutil.rmtree(plan.failed_dir)  # stale debugging copy of an earlier failed run
    except NotebookFailed:
        with folder_lock(plan.final_dir, order=REPORT_LOCK):
            keep_failed(staging, plan.failed_dir)
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # every period of the source in one DuckDB file (after the publish: a failed run changes nothing)
    progress.timed(
        "history", lambda: refresh_history(plan.processed_dir.parent), "refreshing the history store"
    )
    outputs = tuple(sorted(plan.final_dir.iterdir()))
    progress.say(f"report written to {plan.final_dir} ({len(outputs)} files)")
    return RunResult(plan, plan.final_dir, outputs, dict(progress.timings))


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", required=True, type=Path, help="data source folder (e.g. data/raw/sample)")
    parser.add_argument(
        "--period", required=True, help="period code or spelling, or 'latest' (newest with files)"
    )
    parser.add_argument("--lang", default="id", help="report language: id (default) or en")
    add_formats_argument(parser)
    parser.add_argument("--out", type=Path, default=config.REPORTS, help="reports root (default: reports/)")
    config.add_processed_argument(parser)
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    parser.add_argument(
        "--kernel",
        default=None,
        help=f"Jupyter kernel for --engine papermill (default ${KERNEL_ENV}, else {PROJECT_KERNEL} if "
        f"installed, else {FALLBACK_KERNEL})",
    )
    parser.add_argument(
        "--engine",
        default=DEFAULT_ENGINE,
        choices=ENGINES,
        help="inprocess (default: papermill with our engine kota-jambi, the cells run in worker processes' "
        "IPython shells) or papermill (papermill's own engine: a kernel per notebook)",
    )
    parser.add_argument(
        "--notebooks", type=Path, default=config.NOTEBOOKS, help="notebooks folder (default notebooks/)"
    )
    parser.add_argument(
        "--matrix", type=Path, default=None, help="run matrix YAML replacing the built-in one"
    )
    parser.add_argument(
        "--reuse-processed",
        action="store_true",
        help="skip cleaning/evaluation; use the processed data already there",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def options_from_args(args: argparse.Namespace) -> RunOptions:
    return RunOptions(
        raw_dir=args.raw,
        period=args.period,
        lang=args.lang,
        formats=parse_formats(",".join(args.formats or FORMATS)),
        out_root=args.out,
        processed_root=args.processed,
        notebooks_dir=args.notebooks,
        matrix=load_matrix(args.matrix) if args.matrix else RUN_MATRIX,
        jobs=args.jobs,
        kernel=args.kernel,
        reuse_processed=args.reuse_processed,
        engine=args.engine,
    )


def main(args: argparse.Namespace) -> int:
    """``python -m analysis run``: 0 on success, 1 when a notebook or a stage fails (one-line message)."""
    options = options_from_args(args)
    try:
        result = run(options, Progress(quiet=args.quiet))
    except (UsageError, ConfigError):
        raise  # the CLI prints these on one line, exit 2
    except AnalysisError as exc:
        print(f"python -m analysis run: error: {exc}", file=sys.stderr)
        return 1
    briefings = [
        p for p in result.outputs if p.name.startswith("briefing.") and p.suffix in (".html", ".pdf")
    ]
    for path in sorted(briefings):
        print(f"briefing: {path}")
    return 0
