"""Clean, evaluate and publish a period, or several: ``python -m analysis run --raw DIR --period P``.

:func:`run` chains the steps: validate and plan (:mod:`.plan`), prepare, execute and export
(:mod:`.execute`), write the manifest and publish by rename (:mod:`.release`). A failing notebook stops
the run (exit 1) with a message naming the notebook and the cell; the staging folder with the executed
notebooks (the failing one shows the error) is renamed ``reports/<source>/<period>.failed/`` for
debugging, and the published report (if any) is left as it was. After a published period the source's
history store (``<processed>/<source>/history.duckdb``, :mod:`analysis.evaluate.history`) is rebuilt.

Nothing changed, nothing done (:mod:`.stages`): when the inputs, parameters, configuration and code of
the published report are unchanged, :func:`run` does nothing (no worker started, nothing cleaned,
evaluated or executed) and says so on one line; otherwise only the stages whose key changed are done
again. ``--force`` does every stage. Several periods (``--period all``, a list, ``--period`` repeated):
:func:`run_periods` runs them oldest first in this process with the worker processes started once
(:class:`SharedWorkers`) and the periods overlapping (:func:`start_run` prepares a period and submits
its notebooks while the workers still execute those of the periods before it; :func:`finish_run`
publishes each, oldest first), each report complete and atomic and the same as a ``run`` of it alone;
a failed period does not stop the others and the summary names it (exit 1).

Concurrent commands: the processed period folders are locked by whoever writes them (cleaning and
evaluation, also of the previous period and the 100 days) and while the manifest hashes them; the
report folder is locked only to publish (``analysis.core.atomic``). The worker processes die with the run
(``analysis.core.workers``); Ctrl-C stops them, removes the staging folder and exits 130; a later run
removes the staging folders of runs that were killed.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import dataclasses
import inspect
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.core import config
from analysis.core.atomic import REPORT_LOCK, folder_lock, remove_stale
from analysis.core.errors import AnalysisError, ConfigError, UsageError
from analysis.core.workers import stop_pool
from analysis.publish.runner.execute import (
    NotebookFailed,
    NotebookJobs,
    Progress,
    _execute_and_export,
    failure_text,
    prepare_data,
    start_workers,
    submit_notebooks,
)
from analysis.publish.runner.plan import (
    DEFAULT_ENGINE,
    ENGINES,
    FALLBACK_KERNEL,
    FORMATS,
    HUNDRED_DAYS,
    KERNEL_ENV,
    PROJECT_KERNEL,
    RUN_MATRIX,
    Plan,
    RunOptions,
    add_formats_argument,
    available_periods,
    load_matrix,
    parse_formats,
    plan_run,
)
from analysis.publish.runner.release import keep_failed, publish, write_manifest
from analysis.publish.runner.stages import (
    evaluated_previous,
    notebooks_key,
    processed_stages,
    report_is_current,
    stale_stages,
)


@dataclass(frozen=True)
class RunResult:
    """A published period: its report, what went into it, how long it took.

    ``current``: nothing had changed since the published report ``previous_run_id``, which was kept
    (nothing cleaned, evaluated or executed); ``executed``: the notebooks this run executed; ``stages``:
    per stage and period what was done (``clean:2026-TW3`` → ``cleaned`` / ``current`` ...).
    """

    plan: Plan
    report_dir: Path
    outputs: tuple[Path, ...]
    timings: dict[str, float]
    current: bool = False
    previous_run_id: str = ""
    executed: tuple[str, ...] = ()
    stages: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: the report and what was rebuilt for it."""
        if self.current:
            return (
                f"{self.plan.period}: nothing changed since run {self.previous_run_id}; "
                f"{self.report_dir} is current, nothing rebuilt"
            )
        redone = sorted({k.split(":")[0] for k, v in self.stages.items() if v not in ("current", "none")})
        done = ", ".join(
            [*(s for s in ("clean", "evaluate") if s in redone), f"{len(self.executed)} notebook(s)"]
        )
        return f"{self.plan.period}: published {self.report_dir} (rebuilt: {done})"


class SharedWorkers:
    """The ``inprocess`` engine's worker processes for several runs in one process (``--period all``):
    started by the first run that needs them, kept warm for the next, stopped by :meth:`close` (a pool
    broken by a worker that died is replaced)."""

    def __init__(self) -> None:
        self.pool: cf.ProcessPoolExecutor | None = None

    def get(self, plan: Plan) -> cf.ProcessPoolExecutor:
        if self.pool is None or getattr(self.pool, "_broken", False):
            if self.pool is not None:
                stop_pool(self.pool)
            self.pool = start_workers(plan)
        return self.pool

    def close(self, stop: bool = False) -> None:
        """Let the workers exit (``stop``: stop them now, as after Ctrl-C)."""
        if self.pool is not None:
            if stop:
                stop_pool(self.pool)
            else:
                self.pool.shutdown(wait=False)
            self.pool = None


def _takes(prepare: Callable[..., Any], name: str) -> bool:
    try:
        return name in inspect.signature(prepare).parameters
    except (TypeError, ValueError):
        return False


def _takes_staged(prepare: Callable[..., Any]) -> bool:
    return _takes(prepare, "staged")


def current_report(plan: Plan, staged: bool) -> dict[str, Any] | None:
    """The published report's manifest when nothing it depends on has changed (:mod:`.stages`): every
    processed stage current (not checked with ``--reuse-processed``; never current with a preparation
    that does not take ``staged``) and the notebooks key and outputs as the manifest says."""
    checked = plan.options.reuse_processed or (staged and not stale_stages(plan, processed_stages(plan)))
    if not checked:
        return None
    return report_is_current(plan, notebooks_key(plan))


def _kept(plan: Plan, manifest: dict[str, Any], progress: Progress, t0: float, **extra: Any) -> RunResult:
    progress.timings["total"] = round(time.perf_counter() - t0, 3)
    outputs = tuple(sorted(plan.final_dir.iterdir()))
    return RunResult(
        plan,
        plan.final_dir,
        outputs,
        dict(progress.timings),
        current=True,
        previous_run_id=str(manifest.get("run_id", "")),
        **extra,
    )


def _stop_workers(pool: cf.Executor | None, workers: SharedWorkers | None, exc: BaseException) -> None:
    """After ``exc`` stopped a run: its own workers stop now; shared workers (``run_periods``) only for
    Ctrl-C and the like, not for an error of this period (they may be executing other periods'
    notebooks; the summary names the failed period)."""
    if pool is None:
        return
    if workers is None:
        stop_pool(pool)
    elif not isinstance(exc, Exception):
        stop_pool(pool)
        workers.pool = None


@dataclass
class StartedRun:
    """A period prepared and its notebooks started (:func:`start_run`), to be finished by
    :func:`finish_run`: ``notebooks`` is ``None`` when they were executed already (``papermill`` engine),
    ``pending`` what the preparation left to finish (the feedback workbooks being written in a worker)."""

    plan: Plan
    progress: Progress
    t0: float
    staging: Path
    prepared: dict[str, Any]
    key: str
    notebooks: NotebookJobs | None
    pending: Callable[[], None] | None
    pool: cf.ProcessPoolExecutor | None
    workers: SharedWorkers | None

    def done(self) -> bool:
        """True when :func:`finish_run` would not wait for the notebooks."""
        return self.notebooks is None or self.notebooks.done()


@contextmanager
def _staging_kept_or_removed(plan: Plan, staging: Path) -> Iterator[None]:
    """A run's staging folder when its block fails: a failing notebook's is kept as ``<period>.failed``
    (the executed notebook with the error, for debugging); any other error (Ctrl-C, a full disk...)
    removes it. The exception goes on."""
    try:
        yield
    except NotebookFailed:
        with folder_lock(plan.final_dir, order=REPORT_LOCK):
            keep_failed(staging, plan.failed_dir)
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def start_run(
    options: RunOptions,
    progress: Progress,
    prepare: Callable[..., dict[str, Any] | None] = prepare_data,
    workers: SharedWorkers | None = None,
    queued: bool = False,
) -> RunResult | StartedRun:
    """The first half of :func:`run`: validate, prepare the data and submit the notebooks to the workers
    without waiting for them (a :class:`StartedRun`), or the kept report's :class:`RunResult` when nothing
    had to be done. ``queued``: the shared workers may still be busy with an earlier period's notebooks."""
    import logging as _logging

    t0 = time.perf_counter()
    t_validate = time.perf_counter()
    staged = _takes_staged(prepare)
    if not options.force:
        quick = plan_run(options, validate=False)  # no notebook tools imported
        manifest = current_report(quick, staged)
        if manifest is not None:
            progress.timings["validate"] = round(time.perf_counter() - t_validate, 3)
            return _kept(quick, manifest, progress, t0)
    plan = plan_run(options)  # silent: a usage error must be the only line printed
    progress.timings["validate"] = round(time.perf_counter() - t_validate, 3)
    how = f"kernel={plan.kernel}" if options.engine == "papermill" else f"engine={options.engine}"
    progress.say(f"run {plan.run_id}: {plan.source_name} {plan.period}, lang={options.lang}, {how}")
    _logging.getLogger("papermill").setLevel(_logging.WARNING)
    staging = plan.staging_dir
    staging.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(staging.parent)  # staging folders of killed runs (their process is gone)
    staging.mkdir()
    own_pool = workers is None
    pool = None
    with _staging_kept_or_removed(plan, staging):
        if options.engine == "inprocess":
            pool = start_workers(plan) if own_pool else workers.get(plan)
        # the notebooks reading only the cleaning files are submitted by the preparation, the others after it
        jobs = NotebookJobs(plan, staging, progress, pool) if pool is not None else None
        try:
            if options.reuse_processed:
                progress.say(f"using processed data in {plan.processed_dir}")
                prepared = {"reused": True}
            else:
                kwargs = {"staged": True} if staged else {}
                if _takes(prepare, "defer"):
                    kwargs["defer"] = True
                if jobs is not None and _takes(prepare, "notebooks"):
                    kwargs["notebooks"] = jobs
                prepared = prepare(plan, progress, pool, **kwargs) or {}
            pending = prepared.pop("pending", None)
            key = notebooks_key(plan)
            manifest = None if options.force else report_is_current(plan, key)
            if manifest is not None:  # the processed data were made again, the same: the report stays
                if jobs is not None:
                    jobs.abandon(stopped=False)  # a notebook started early writes into the staging folder
                if pending is not None:
                    pending()
                if pool is not None and own_pool:
                    pool.shutdown(wait=False)
                shutil.rmtree(staging, ignore_errors=True)
                progress.say(f"notebooks' inputs unchanged: {plan.final_dir} kept")
                return _kept(plan, manifest, progress, t0, stages=dict(prepared.get("stages", {})))
            notebooks = None
            if pool is not None:
                notebooks = submit_notebooks(plan, staging, progress, pool, queued=queued, jobs=jobs)
                if hasattr(pending, "start"):  # the feedback workbooks' job, behind the notebooks
                    pending.start()
            else:
                _execute_and_export(plan, staging, progress)
        except BaseException as exc:  # Ctrl-C, a full disk...: the workers stop now, then the staging goes
            if jobs is not None:  # stopped with the pool, or (shared workers) waited for
                jobs.abandon(stopped=own_pool or not isinstance(exc, Exception))
            _stop_workers(pool, workers, exc)
            raise
    return StartedRun(
        plan, progress, t0, staging, prepared, key, notebooks, pending, pool, None if own_pool else workers
    )


def finish_run(started: StartedRun, history: bool = True) -> RunResult:
    """The second half of :func:`run`: wait for the notebooks (a failing one raises
    :class:`NotebookFailed`, the staging folder kept as ``<period>.failed``), finish the preparation
    (the feedback workbooks), write the manifest, publish by rename; then the history store."""
    plan, progress, staging, pool = started.plan, started.progress, started.staging, started.pool
    own_pool = started.workers is None
    prepared = started.prepared
    with _staging_kept_or_removed(plan, staging):
        try:
            if started.notebooks is not None:
                started.notebooks.collect()
            if started.pending is not None:
                started.pending()
            executed = tuple(spec.name for spec in plan.options.matrix)
        except NotebookFailed:
            if pool is not None and own_pool:
                pool.shutdown(wait=True, cancel_futures=True)
            raise
        except BaseException as exc:  # Ctrl-C, a full disk...: the workers stop now, then the staging goes
            _stop_workers(pool, started.workers, exc)
            raise
        if pool is not None and own_pool:
            pool.shutdown(wait=False)  # every job done: the workers exit while the manifest is written
        progress.timings["total"] = round(time.perf_counter() - started.t0, 3)
        stage_record = {**prepared.get("stages", {}), "notebooks": "executed"}
        stage_keys = {**processed_stages(plan), "notebooks": started.key}
        write_manifest(plan, staging, dict(progress.timings), prepared, stage_keys, stage_record)
        with folder_lock(plan.final_dir, order=REPORT_LOCK):
            publish(staging, plan.final_dir)
            if plan.failed_dir.exists():
                shutil.rmtree(plan.failed_dir)  # stale debugging copy of an earlier failed run
    if (
        history
    ):  # every period of the source in one DuckDB file (after the publish: a failed run changes nothing)
        _refresh_history(plan, progress)
    outputs = tuple(sorted(plan.final_dir.iterdir()))
    progress.say(f"report written to {plan.final_dir} ({len(outputs)} files)")
    return RunResult(
        plan,
        plan.final_dir,
        outputs,
        dict(progress.timings),
        executed=executed,
        stages=stage_record,
    )


def abandon_run(started: StartedRun) -> None:
    """Remove the staging folder of a started run that will not be finished (Ctrl-C in
    :func:`run_periods`; its workers are stopped by the caller)."""
    shutil.rmtree(started.staging, ignore_errors=True)


def run(
    options: RunOptions,
    progress: Progress | None = None,
    prepare: Callable[..., dict[str, Any] | None] = prepare_data,
    workers: SharedWorkers | None = None,
    history: bool = True,
) -> RunResult:
    """Validate, prepare, execute, export and publish one period; see the module docstring.

    First, unless ``options.force``: when nothing the published report depends on has changed
    (:func:`current_report`), nothing is done and the result says so (``current``). Otherwise each stage
    whose key is current is skipped (:mod:`.stages`).

    ``prepare(plan, progress, pool[, staged][, defer])`` makes the processed data (default
    :func:`prepare_data`); ``pool`` is the ``inprocess`` engine's executor of worker processes (``None``
    with papermill), which it may use for work that does not depend on its own; with ``defer`` it may
    leave a function under ``"pending"`` in its summary, called before the manifest is written (the
    feedback workbooks, written by a worker while the notebooks run). ``workers``: worker processes shared
    with other runs (kept running after this one); ``history=False`` leaves the history store to the
    caller. :func:`start_run` then :func:`finish_run`.
    """
    progress = progress or Progress()
    started = start_run(options, progress, prepare, workers)
    if isinstance(started, RunResult):
        return started
    return finish_run(started, history=history)


def _refresh_history(plan: Plan, progress: Progress) -> None:
    from analysis.evaluate.history import refresh as refresh_history

    progress.timed(
        "history", lambda: refresh_history(plan.processed_dir.parent), "refreshing the history store"
    )


@dataclass(frozen=True)
class PeriodOutcome:
    """One period of a several-period run: its result, or the error that stopped it."""

    period: str
    result: RunResult | None = None
    error: str = ""


def run_periods(
    options: RunOptions, periods: Sequence[str], progress: Progress | None = None
) -> list[PeriodOutcome]:
    """Publish several periods of one source in this process (``run --period all`` or a list), oldest
    first (``periods.sort_key``: a period's previous period is cleaned and evaluated by its own run
    first, and reused), each report complete and atomic, the same as a ``run`` of that period alone would
    publish; a failed period does not stop the others.

    With the ``inprocess`` engine the worker processes are started once and kept warm, and the periods
    overlap: this process cleans and evaluates a period while the workers execute the notebooks of the
    periods before it (each period's notebooks are submitted to the same workers as soon as it is
    prepared, behind those already queued), and finishes (manifest, publication) each period whose
    notebooks are done, oldest first. ``--force`` rebuilds each period once (a period rebuilt by this
    command is not forced again as the next one's previous period, nor are the 100 days).
    The history store is refreshed before each period's notebooks (by its preparation) and once at the
    end. Each line of the log starts with the period it is about."""
    from analysis.core.periods import sort_key

    progress = progress or Progress()
    workers = SharedWorkers() if options.engine == "inprocess" else None
    outcomes: dict[str, PeriodOutcome] = {}
    order = sorted(dict.fromkeys(periods), key=sort_key)
    running: list[StartedRun] = []
    rebuilt: list[str] = []
    last_plan = None

    def finish(started: StartedRun) -> None:
        nonlocal last_plan
        period = started.plan.period
        try:
            result = finish_run(started, history=False)
        except Exception as exc:  # a failed period does not stop the others
            started.progress.say(f"failed: {failure_text(exc)}")
            outcomes[period] = PeriodOutcome(period, error=failure_text(exc))
            return
        last_plan = result.plan
        started.progress.say(result.summary().removeprefix(f"{period}: "))
        outcomes[period] = PeriodOutcome(period, result)

    def finish_done() -> None:  # oldest first, without waiting for any notebook
        while running and running[0].done():
            finish(running.pop(0))

    try:
        for period in order:
            one = dataclasses.replace(options, period=period, rebuilt=tuple(rebuilt))
            period_progress = progress.for_period(period)
            try:
                started = start_run(one, period_progress, workers=workers, queued=bool(running))
            except (UsageError, ConfigError):
                raise  # the same for every period: stop at once (exit 2)
            except Exception as exc:  # a failed period does not stop the others
                period_progress.say(f"failed: {failure_text(exc)}")
                outcomes[period] = PeriodOutcome(period, error=failure_text(exc))
                finish_done()
                continue
            if options.force:  # what the forced preparation rebuilt: the period, its previous, the 100 days
                prev = evaluated_previous(one.raw_dir, period)
                rebuilt += [p for p in (period, prev, HUNDRED_DAYS) if p is not None and p not in rebuilt]
            if isinstance(started, RunResult):
                period_progress.say(started.summary().removeprefix(f"{period}: "))
                outcomes[period] = PeriodOutcome(period, started)
            else:
                running.append(started)
            finish_done()
        while running:
            finish(running.pop(0))
    except BaseException:
        if workers is not None:
            workers.close(stop=True)
        for started in running:
            abandon_run(started)
        raise
    if workers is not None:
        workers.close()
    if last_plan is not None:
        _refresh_history(last_plan, progress)
    return [outcomes[p] for p in order if p in outcomes]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", required=True, type=Path, help="data source folder (e.g. data/raw/sample)")
    parser.add_argument(
        "--period",
        required=True,
        action="append",
        help="period code or spelling, 'latest' (newest with files), 'all' (every period of the source, "
        "oldest first, in one process: each period is prepared while the notebooks of those before it "
        "run), or a list: --period 2025-TW3,2025-TW4 or repeated",
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
    parser.add_argument(
        "--force",
        action="store_true",
        help="rebuild every stage (clean, evaluate, notebooks) even when nothing has changed since the "
        "published report",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def requested_periods(values: Sequence[str]) -> list[str]:
    """The ``--period`` values as given, split at commas (``all`` and ``latest`` kept as words).

    >>> requested_periods(["2025-TW3,2025-TW4", "all"])
    ['2025-TW3', '2025-TW4', 'all']
    """
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def resolve_periods(raw_dir: Path, requested: Sequence[str]) -> list[str]:
    """Canonical periods for ``requested`` (``all``: every period with files), oldest first, once each."""
    from analysis.core.periods import sort_key
    from analysis.publish.runner.plan import resolve_period

    raw = Path(raw_dir).resolve()
    if not raw.is_dir():
        raise UsageError(f"data folder not found: {raw_dir}")
    periods: list[str] = []
    for text in requested:
        periods += available_periods(raw) if text.lower() == "all" else [resolve_period(raw, text)]
    if not periods:
        raise UsageError(f"no period files in {raw_dir} (expected e.g. realisasi/realisasi_2025-TW2.xlsx)")
    return sorted(dict.fromkeys(periods), key=sort_key)


def options_from_args(args: argparse.Namespace) -> RunOptions:
    requested = requested_periods(args.period if isinstance(args.period, list) else [args.period])
    return RunOptions(
        raw_dir=args.raw,
        period=requested[0] if requested else "",
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
        force=args.force,
    )


def main(args: argparse.Namespace) -> int:
    """``python -m analysis run``: 0 on success, 1 when a notebook or a stage fails (one-line message); with
    several periods, 1 when any failed (each named in the summary)."""
    options = options_from_args(args)
    requested = requested_periods(args.period if isinstance(args.period, list) else [args.period])
    if len(requested) > 1 or requested[0].lower() == "all":
        return _main_periods(options, resolve_periods(options.raw_dir, requested), args.quiet)
    try:
        result = run(options, Progress(quiet=args.quiet))
    except (UsageError, ConfigError):
        raise  # the CLI prints these on one line, exit 2
    except AnalysisError as exc:
        print(f"python -m analysis run: error: {exc}", file=sys.stderr)
        return 1
    if result.current:
        print(f"python -m analysis run: {result.summary()} (--force rebuilds)")
        return 0
    briefings = [
        p for p in result.outputs if p.name.startswith("briefing.") and p.suffix in (".html", ".pdf")
    ]
    for path in sorted(briefings):
        print(f"briefing: {path}")
    return 0


def _main_periods(options: RunOptions, periods: list[str], quiet: bool) -> int:
    t0 = time.perf_counter()
    outcomes = run_periods(options, periods, Progress(quiet=quiet))
    failed = [o for o in outcomes if o.result is None]
    seconds = time.perf_counter() - t0
    print(f"python -m analysis run: {len(outcomes)} period(s) in {seconds:.1f} s, {len(failed)} failed")
    for outcome in outcomes:
        print(
            f"  {outcome.result.summary()}"
            if outcome.result
            else f"  {outcome.period}: FAILED: {outcome.error}"
        )
    return 1 if failed else 0
