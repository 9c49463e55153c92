"""Build one RT's card (step 4 of a batch): run ``notebooks/05_scorecard_rt.ipynb`` for the RT and export it
to HTML (briefing template, no code) and PDF; in parallel on local worker processes or on a Dask cluster.

Execution engines (``--engine``; measured in ``bench/run.py``, ``docs/performance.md``):

- ``inprocess`` (default): ``papermill.execute_notebook`` with our papermill engine ``kota-jambi``
  (:mod:`analysis.publish.nbengine`): each worker process keeps one IPython ``InteractiveShell`` and runs
  the notebook's code cells in it; papermill injects the parameters, keeps its metadata and adds its error
  banner, and every display, result, stream and error is captured into the executed notebook, as a kernel
  would report them. The namespace is reset before each RT. No kernel start (~1 s) per RT; the period's
  tables are read once per worker.
- ``papermill``: ``papermill.execute_notebook`` per RT (one kernel per card), for comparison.

The exporters (templates compiled) and WeasyPrint's font configuration (fonts loaded and measured) are built once per
worker process (per thread) and reused.
A job returns the card's bytes to the caller, so workers need only read access to the processed folder.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.core import config, gctune
from analysis.core.errors import UsageError
from analysis.core.workers import die_with_parent, initializer_args, stop_pool, worker_context
from analysis.publish.nbengine import execute_in_process, execute_to_text  # noqa: F401  (re-exported)
from analysis.publish.nbexec import CellFailed
from analysis.publish.runner.plan import ENGINES, FORMATS  # the same as a period run's

#: The scorecard notebook and the parameter it adds to the runner's common ones.
NOTEBOOK = config.NOTEBOOKS / "05_scorecard_rt.ipynb"

RT_PARAMETER = "kode_rt"

#: Parameters left out of the cache key: they change every run or name folders, not what a card shows
#: (the card's content is covered by the digest of the rows it reads).
UNKEYED_PARAMETERS = ("run_id", "raw_dir", "processed_dir")

#: Output layout inside the scorecards folder.
RT_DIR = "rt"

FAILED_DIR = "failed"

CACHE_FILE = "cache.json"

SUMMARY_CSV = "summary.csv"

SUMMARY_JSON = "summary.json"

INDEX_FILE = "index.html"

#: Time zone of the generation time in the cards (Kota Jambi is on WIB, UTC+7).
REPORT_TZ = dt.timezone(dt.timedelta(hours=7), "WIB")


def execute_with_papermill(notebook: Path, parameters: dict[str, Any], kernel: str | None):
    """Run the notebook with papermill (a new kernel for this RT); returns the executed notebook."""
    import tempfile

    import nbformat
    import papermill

    with tempfile.TemporaryDirectory(prefix="kjb-scorecard-") as tmp:
        out = Path(tmp) / "executed.ipynb"
        try:
            papermill.execute_notebook(
                str(notebook),
                str(out),
                parameters=parameters,
                kernel_name=kernel,
                cwd=str(Path(notebook).resolve().parent),
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
        except papermill.PapermillExecutionError as exc:
            failed = CellFailed(exc.cell_index, exc.source, exc.ename, exc.evalue)
            failed.notebook = nbformat.read(out, as_version=4) if out.exists() else None
            raise failed from None
        return nbformat.read(out, as_version=4)


@dataclass(frozen=True)
class ScorecardJob:
    """Everything a worker needs to build one RT's card (picklable; no open files)."""

    rt_code: str
    notebook: str
    parameters: dict[str, Any]
    title: str
    subtitle: str
    generated_at: str  # ISO time of the run start
    formats: tuple[str, ...] = FORMATS
    engine: str = "inprocess"
    kernel: str | None = None
    file_stem: str = ""  # the card's file name without suffix (data.card_file_stem); default the RT code


@dataclass
class JobResult:
    """What a worker sends back: the card's bytes, or the error."""

    rt_code: str
    ok: bool
    duration_s: float
    files: dict[str, bytes] = field(default_factory=dict)  # name inside the RT folder -> bytes
    error: str = ""
    failed_notebook: bytes | None = None
    worker: str = ""


def _notebook_bytes(nb) -> bytes:
    import nbformat

    return nbformat.writes(nb).encode("utf-8")


def rt_file_names(file_stem: str, formats: Sequence[str]) -> dict[str, str]:
    """``{kind: path inside the scorecards folder}`` of one RT's files (each RT's files are its own);
    ``file_stem`` is :func:`analysis.publish.scorecards.data.card_file_stem` (RT code and kelurahan name).

    >>> rt_file_names("rt-15.71.01.1001.003_simpang-iv-sipin", ("html",))
    {'ipynb': 'rt/rt-15.71.01.1001.003_simpang-iv-sipin.ipynb', 'html': 'rt/rt-15.71.01.1001.003_simpang-iv-sipin.html'}
    """
    names = {"ipynb": f"{RT_DIR}/{file_stem}.ipynb"}
    for fmt in FORMATS:
        if fmt in formats:
            names[fmt] = f"{RT_DIR}/{file_stem}.{fmt}"
    return names


def warm_worker() -> str:
    """Import papermill and register our engine, build this process's shell and exporters once (called
    by each local worker when it starts)."""
    import matplotlib

    matplotlib.use("Agg")
    from analysis.publish import export, nbengine, nbexec

    nbengine.register()
    nbexec.notebook_shell()
    export.briefing_exporter()
    pdf_font_config()  # imports WeasyPrint (fonts and CSS machinery load on import)

    return f"{os.getpid()}"


def build_scorecard(job: ScorecardJob) -> JobResult:
    """Execute the notebook for ``job.rt_code`` and export it. Never raises for a failing RT: the error
    (cell, exception, traceback) comes back in the :class:`JobResult`, so one RT cannot stop the others."""
    t0 = time.perf_counter()
    worker = f"{os.uname().nodename}:{os.getpid()}"
    nb = None
    try:
        text = None
        if job.engine == "inprocess":
            nb, text = execute_to_text(Path(job.notebook), job.parameters)
        elif job.engine == "papermill":
            nb = execute_with_papermill(Path(job.notebook), job.parameters, job.kernel)
        else:
            raise UsageError(f"unknown engine {job.engine!r}; use {' or '.join(ENGINES)}")
        files = export_card(nb, job, text)
    except Exception as exc:  # reported per RT; the batch goes on and exits 1 at the end
        failed_nb = getattr(exc, "notebook", None)
        message = str(exc) if isinstance(exc, CellFailed) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, CellFailed):
            message += "\n" + "".join(traceback.format_exception(exc)[-3:])
        return JobResult(
            job.rt_code,
            False,
            round(time.perf_counter() - t0, 3),
            error=message.strip(),
            failed_notebook=_notebook_bytes(failed_nb) if failed_nb is not None else None,
            worker=worker,
        )
    _freeze_long_lived_objects()
    return JobResult(job.rt_code, True, round(time.perf_counter() - t0, 3), files=files, worker=worker)


_frozen = False


def _freeze_long_lived_objects() -> None:
    """After this worker process's first card: collect once, then move every object alive now (the
    libraries, the exporters, the shell, the period's tables read once) out of the garbage collector's
    reach (``gc.freeze``). The shell's reset before each card runs a full collection (IPython's
    ``displayhook.flush``), which otherwise walks all of them every time: measured 0.23 → 0.08 s of
    CPU per card for the execution. Then fewer young collections for the rest of the worker
    (:func:`analysis.core.gctune.fewer_collections_from_now`: about 2 % of a card's CPU). Only in a worker
    process (local pool or Dask), never in the caller.
    """
    global _frozen
    if _frozen or multiprocessing.parent_process() is None:
        return
    import gc

    gc.collect()
    gc.freeze()
    gctune.fewer_collections_from_now()
    _frozen = True


def card_context(job: ScorecardJob):
    """The export context (``export.ReportContext``) of ``job``'s card: its language, period, source,
    run, time, title and subtitle."""
    from analysis.publish import export

    params = job.parameters
    return export.ReportContext(
        lang=params["lang"],
        period=params["period"],
        source_name=params["source_name"],
        is_synthetic=bool(params["is_synthetic"]),
        run_id=params["run_id"],
        generated_at=dt.datetime.fromisoformat(job.generated_at),
        title=job.title,
        extra={"subtitle": job.subtitle},
    )


def export_card(nb, job: ScorecardJob, notebook_text: str | None = None) -> dict[str, bytes]:
    """The card's files: the executed notebook (``notebook_text`` when papermill has serialised it
    already), HTML (no code; the briefing template) and PDF (WeasyPrint on the print page built from the
    same outputs, :mod:`analysis.publish.scorecards.printcard`), per ``job.formats``."""
    from analysis.publish import export
    from analysis.publish.scorecards import printcard

    context = card_context(job)
    names = rt_file_names(job.file_stem or job.rt_code, job.formats)
    files = {names["ipynb"]: notebook_text.encode("utf-8") if notebook_text else _notebook_bytes(nb)}
    html = export.export_briefing_html(nb, context)
    if "html" in names:
        files[names["html"]] = html.encode("utf-8")
    if "pdf" in names:
        files[names["pdf"]] = printcard.card_pdf(nb, context, html, font_config=pdf_font_config())
    return files


_thread_state = threading.local()


def pdf_font_config():
    """This thread's WeasyPrint ``FontConfiguration``, shared by every card it renders: WeasyPrint makes a
    new one per document by default, so each card would load its fonts and measure them again (the font
    map, the struts, the font features are cached in it). The PDFs are byte-identical (tested); per
    thread, because WeasyPrint's font objects are not meant to be used by two threads at once (a Dask
    worker with several threads). The cards declare no ``@font-face``, so nothing accumulates in it."""
    font_config = getattr(_thread_state, "font_config", None)
    if font_config is None:
        from analysis.publish.weasy import weasyprint

        font_config = _thread_state.font_config = weasyprint.text.fonts.FontConfiguration()
    return font_config


def _init_worker(parent_pid: int, use_death_signal: bool) -> None:
    """A card worker dies with the batch (``analysis.core.workers``), then warms up."""
    die_with_parent(parent_pid, use_death_signal)
    warm_worker()


#: What the fork server imports once for the card workers (:func:`analysis.core.workers.worker_context`):
#: :func:`warm_worker`'s modules and what a card's notebook imports. Importing them starts no Python thread.
WORKER_PRELOAD = (
    "analysis.publish.scorecards.build",
    "analysis.publish.scorecards.data",
    "analysis.publish.scorecards.printcard",
    "analysis.publish.content.load",
    "matplotlib.pyplot",
    "analysis.publish.charts",
    "analysis.publish.export",
    "papermill",
    "nbconvert",
    "analysis.publish.weasy",
)


def _start_pool(jobs: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=worker_context(WORKER_PRELOAD),
        initializer=_init_worker,
        initargs=initializer_args(),
    )


def run_local(jobs: Sequence[ScorecardJob], n_workers: int, on_result: Callable[[JobResult], None]) -> None:
    """Run ``jobs`` in this process (``n_workers == 1``) or in ``n_workers`` worker processes."""
    if not jobs:
        return
    if n_workers <= 1 or len(jobs) == 1:
        warm_worker()
        for job in jobs:
            on_result(build_scorecard(job))
        return
    pool = _start_pool(min(n_workers, len(jobs)))
    try:
        futures = {pool.submit(build_scorecard, job): job for job in jobs}
        for future in cf.as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # a worker process died (e.g. killed): this RT fails, others go on
                result = JobResult(
                    job.rt_code, False, 0.0, error=f"worker failed: {type(exc).__name__}: {exc}"
                )
            on_result(result)
    except BaseException:  # Ctrl-C, a full disk: the workers stop now (the batch removes its staging)
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


#: Cards per Dask task at most (:func:`dask_chunks`): one task, one result message and one gather per chunk
#: instead of per card, while enough chunks stay for the workers to share the end of the batch.
DASK_CHUNK_CARDS = 4

#: Chunks per worker thread at least, so the batch's last chunks are short (a chunk is then smaller).
DASK_CHUNKS_PER_THREAD = 4


def dask_chunks(jobs: Sequence[ScorecardJob], threads: int) -> list[list[ScorecardJob]]:
    """``jobs`` cut into consecutive chunks of at most :data:`DASK_CHUNK_CARDS` cards, and at least
    :data:`DASK_CHUNKS_PER_THREAD` chunks per thread of the cluster (smaller chunks for a small batch).

    >>> [len(c) for c in dask_chunks(list(range(100)), threads=2)] == [4] * 25
    True
    >>> [len(c) for c in dask_chunks(list(range(20)), threads=2)]
    [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    >>> [len(c) for c in dask_chunks(list(range(3)), threads=2)]
    [1, 1, 1]
    """
    size = max(1, min(DASK_CHUNK_CARDS, len(jobs) // (DASK_CHUNKS_PER_THREAD * max(1, threads))))
    return [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]


_card_threads = threading.local()


def build_scorecards_on_dask(jobs: Sequence[ScorecardJob]) -> list[JobResult]:
    """The Dask task: the cards of ``jobs`` (one chunk), each by :func:`build_scorecard` (which never raises)
    in this Dask thread's own card thread, while the Dask thread waits for them.

    Why a thread of our own: a Dask worker samples the stack of every thread running a task 100 times a
    second (its statistical profiler, ``distributed.worker.profile.interval`` 10 ms), walking it frame by
    frame twice per sample in the worker's event loop, under the GIL. A card's stack is deep (IPython,
    matplotlib, WeasyPrint's layout), and that walk cost 36 ms of a card's 0.29 s CPU in the worker
    (14 %; 16 ms with the profiler switched off on the cluster, 0.3 ms in a local worker). The profiler
    then sees only this function waiting (the dashboard's profile shows the cards as waiting). One card
    thread per Dask thread keeps the worker's concurrency (``threads_per_worker``) as it is."""
    executor = getattr(_card_threads, "executor", None)
    if executor is None:
        executor = _card_threads.executor = cf.ThreadPoolExecutor(1, thread_name_prefix="scorecard")
    return [executor.submit(build_scorecard, job).result() for job in jobs]


def run_dask(
    jobs: Sequence[ScorecardJob], scheduler: str, on_result: Callable[[JobResult], None], run_id: str
) -> dict[str, Any]:
    """Run ``jobs`` on the Dask distributed cluster at ``scheduler`` (same jobs, same results).

    Workers need the ``analysis`` package and read access to the processed folder and the notebook; the
    cards come back to this process, which writes them. The jobs go in chunks (:func:`dask_chunks`, one
    task each, :func:`build_scorecards_on_dask`); a chunk whose task is lost (its worker died) reports
    each of its RTs as failed. Returns facts about the cluster for the summary.
    """
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - distributed is in the lock file
        raise UsageError("--scheduler needs the 'distributed' package") from exc
    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        info = client.scheduler_info(n_workers=-1)["workers"]
        workers = sorted(info)
        threads = sum(w.get("nthreads", 1) for w in info.values())
        futures = {
            client.submit(
                build_scorecards_on_dask, chunk, key=f"scorecards-{run_id}-{chunk[0].rt_code}", pure=False
            ): chunk
            for chunk in dask_chunks(jobs, threads)
        }
        for future in as_completed(list(futures)):
            chunk = futures[future]
            try:
                results = future.result()
            except Exception as exc:  # the task was lost (worker died) or could not be deserialised
                results = [
                    JobResult(job.rt_code, False, 0.0, error=f"dask task failed: {type(exc).__name__}: {exc}")
                    for job in chunk
                ]
            for result in results:
                on_result(result)
            future.release()
    return {"scheduler": scheduler, "workers": workers}


def iter_cards(folder: Path) -> Iterable[Path]:
    """The HTML cards of a published scorecards folder."""
    return sorted((Path(folder) / RT_DIR).glob("*.html"))
