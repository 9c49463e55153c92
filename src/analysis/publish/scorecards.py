"""One HTML/PDF scorecard per RT, in batch: ``python -m analysis scorecards --raw DIR --period P``.

Every card is the parameterised notebook ``notebooks/05_scorecard_rt.ipynb`` run for one RT (parameter
``kode_rt`` plus the runner's common parameters), exported with the briefing template (no code) to HTML and
with WeasyPrint to PDF. The notebook also runs under the plain papermill CLI (``-p kode_rt …``).

How a batch runs (:func:`run_scorecards`):

1. **validate** the arguments (period, language, formats, RT codes, the notebook's parameters cell);
2. **prepare** the period's processed tables: evaluated (cleaned if needed) by
   ``analysis.evaluate.evaluation.evaluate_source`` unless they are present and no raw file is newer;
3. **key** every RT (``analysis.publish.cache``): a SHA-256 over the rows its card reads
   (``analysis.publish.scorecard_data.input_digests``), its parameters (language, period, data source, formats,
   engine; not the run id or folder paths) and the code (notebook, package source, templates, catalogues,
   library versions). An RT whose key and files are unchanged since the last run is **not rebuilt**;
4. **build** the other RTs in parallel: local worker processes (``--jobs``), or the workers of a Dask
   distributed cluster (``--scheduler ADDRESS``). A job returns the card's bytes to the caller, so workers
   need only read access to the processed folder. One RT failing does not stop the others;
5. **publish**: the new cards, the unchanged cards, ``index.html`` (every RT, grouped by kecamatan and
   kelurahan, sortable by score), ``summary.csv``/``summary.json`` (RT, status, duration, rebuilt or
   unchanged) and ``cache.json`` are assembled in a staging folder and moved into place by renames
   (``reports/<source>/<period>/scorecards/`` by default). Failed RTs are listed as failed, with the
   executed notebook showing the error in ``failed/``; the command exits 1 after publishing the rest.

Execution engines (``--engine``; measured in ``bench/run.py``, ``docs/performance.md``):

- ``inprocess`` (default): each worker process keeps one IPython ``InteractiveShell`` and runs the
  notebook's code cells in it, with the parameters injected exactly as papermill injects them
  (``papermill.parameterize.parameterize_notebook``) and every display, result, stream and error captured
  into the executed notebook, as a kernel would report them. The namespace is reset before each RT. No
  kernel start (~1 s) per RT; the period's tables are read once per worker.
- ``papermill``: ``papermill.execute_notebook`` per RT (one kernel per card), for comparison.

The exporters (templates compiled, WeasyPrint's fonts loaded) are built once per worker process and reused.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import csv
import datetime as dt
import json
import multiprocessing
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from analysis.core import config
from analysis.core.errors import UsageError
from analysis.publish import cache as kcache
from analysis.publish.formatting import LANGUAGES
from analysis.publish.nbexec import (  # the in-process engine, shared with analysis.publish.runner; re-exported
    NOTEBOOK_MODULE as NOTEBOOK_MODULE,
)
from analysis.publish.nbexec import CellFailed, execute_in_process
from analysis.publish.nbexec import notebook_shell as notebook_shell
from analysis.publish.nbexec import parameterized_notebook as parameterized_notebook

#: The scorecard notebook and the parameter it adds to the runner's common ones.
NOTEBOOK = config.NOTEBOOKS / "05_scorecard_rt.ipynb"
RT_PARAMETER = "kode_rt"
COMMON_PARAMETERS = ("raw_dir", "processed_dir", "period", "lang", "source_name", "is_synthetic", "run_id")

ENGINES = ("inprocess", "papermill")
FORMATS = ("html", "pdf")

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


# --------------------------------------------------------------------------------------------------
# Executing the notebook in process


# The engine itself is analysis.publish.nbexec (shared with the period runner); its names stay importable here.


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


# --------------------------------------------------------------------------------------------------
# One job (runs in a worker: a local process or a Dask worker)


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


def rt_file_names(rt_code: str, formats: Sequence[str]) -> dict[str, str]:
    """``{kind: path inside the scorecards folder}`` of one RT's files (each RT's files are its own).

    >>> rt_file_names("15.71.01.1001.003", ("html",))
    {'ipynb': 'rt/15.71.01.1001.003.ipynb', 'html': 'rt/15.71.01.1001.003.html'}
    """
    names = {"ipynb": f"{RT_DIR}/{rt_code}.ipynb"}
    for fmt in FORMATS:
        if fmt in formats:
            names[fmt] = f"{RT_DIR}/{rt_code}.{fmt}"
    return names


def warm_worker() -> str:
    """Build this process's exporters and shell once (called by each local worker when it starts)."""
    import matplotlib

    matplotlib.use("Agg")
    from analysis.publish import export

    export.briefing_exporter()
    import weasyprint  # noqa: F401  (fonts and CSS machinery load on import)

    return f"{os.getpid()}"


def build_scorecard(job: ScorecardJob) -> JobResult:
    """Execute the notebook for ``job.rt_code`` and export it. Never raises for a failing RT: the error
    (cell, exception, traceback) comes back in the :class:`JobResult`, so one RT cannot stop the others."""
    t0 = time.perf_counter()
    worker = f"{os.uname().nodename}:{os.getpid()}"
    nb = None
    try:
        if job.engine == "inprocess":
            nb = execute_in_process(Path(job.notebook), job.parameters)
        elif job.engine == "papermill":
            nb = execute_with_papermill(Path(job.notebook), job.parameters, job.kernel)
        else:
            raise UsageError(f"unknown engine {job.engine!r}; use {' or '.join(ENGINES)}")
        files = export_card(nb, job)
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
    return JobResult(job.rt_code, True, round(time.perf_counter() - t0, 3), files=files, worker=worker)


def export_card(nb, job: ScorecardJob) -> dict[str, bytes]:
    """The card's files: the executed notebook, HTML (no code) and PDF (WeasyPrint), per ``job.formats``."""
    from analysis.publish import export

    params = job.parameters
    context = export.ReportContext(
        lang=params["lang"],
        period=params["period"],
        source_name=params["source_name"],
        is_synthetic=bool(params["is_synthetic"]),
        run_id=params["run_id"],
        generated_at=dt.datetime.fromisoformat(job.generated_at),
        title=job.title,
        extra={"subtitle": job.subtitle},
    )
    names = rt_file_names(job.rt_code, job.formats)
    files = {names["ipynb"]: _notebook_bytes(nb)}
    html = export.export_briefing_html(nb, context)
    if "html" in names:
        files[names["html"]] = html.encode("utf-8")
    if "pdf" in names:
        files[names["pdf"]] = export.html_to_pdf(html)
    return files


# --------------------------------------------------------------------------------------------------
# Running many jobs: local processes or Dask


def _spawn_pool(jobs: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=warm_worker
    )


def run_local(jobs: Sequence[ScorecardJob], n_workers: int, on_result: Callable[[JobResult], None]) -> None:
    """Run ``jobs`` in this process (``n_workers == 1``) or in ``n_workers`` spawned worker processes."""
    if not jobs:
        return
    if n_workers <= 1 or len(jobs) == 1:
        warm_worker()
        for job in jobs:
            on_result(build_scorecard(job))
        return
    with _spawn_pool(min(n_workers, len(jobs))) as pool:
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


def run_dask(
    jobs: Sequence[ScorecardJob], scheduler: str, on_result: Callable[[JobResult], None], run_id: str
) -> dict[str, Any]:
    """Run ``jobs`` on the Dask distributed cluster at ``scheduler`` (same jobs, same results).

    Workers need the ``analysis`` package and read access to the processed folder and the notebook; the
    cards come back to this process, which writes them. Returns facts about the cluster for the summary.
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
        workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
        futures = {
            client.submit(build_scorecard, job, key=f"scorecard-{run_id}-{job.rt_code}", pure=False): job
            for job in jobs
        }
        for future in as_completed(list(futures)):
            job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the task was lost (worker died) or could not be deserialised
                result = JobResult(
                    job.rt_code, False, 0.0, error=f"dask task failed: {type(exc).__name__}: {exc}"
                )
            on_result(result)
            future.release()
    return {"scheduler": scheduler, "workers": workers}


# --------------------------------------------------------------------------------------------------
# The batch


@dataclass(frozen=True)
class ScorecardOptions:
    """One batch, from the command line or a caller."""

    raw_dir: Path
    period: str
    rts: tuple[str, ...] = ()
    lang: str = "id"
    formats: tuple[str, ...] = FORMATS
    out_dir: Path | None = None  # default reports/<source>/<period>/scorecards/
    processed_root: Path = config.DATA_PROCESSED
    notebook: Path = NOTEBOOK
    jobs: int = 2
    scheduler: str | None = None
    engine: str = "inprocess"
    kernel: str | None = None
    reevaluate: bool = False
    force: bool = False


@dataclass
class RTStatus:
    """One row of the run summary."""

    rt_code: str
    kecamatan_name: str
    kelurahan_name: str
    card: str  # rt_index.status: dinilai / data belum memadai
    status: str  # ok / failed
    build: str  # rebuilt / unchanged
    duration_s: float
    message: str = ""


@dataclass
class BatchResult:
    out_dir: Path
    rows: list[RTStatus]
    timings: dict[str, float]
    run_id: str

    @property
    def failed(self) -> list[RTStatus]:
        return [r for r in self.rows if r.status == "failed"]

    def count(self, build: str) -> int:
        return sum(1 for r in self.rows if r.status == "ok" and r.build == build)


def new_run_id(now: dt.datetime) -> str:
    from analysis.publish.runner.plan import new_run_id as _new_run_id

    return _new_run_id(now)


def prepare_processed(raw_dir: Path, period: str, processed_dir: Path, force: bool, say) -> str:
    """Evaluate the period (cleaning it if needed) unless its tables are there and no raw file is newer."""
    from analysis.evaluate.evaluation import MANIFEST_FILE, evaluate_source, needs_cleaning

    present = (processed_dir / MANIFEST_FILE).is_file() and (processed_dir / "rt_index.parquet").is_file()
    if present and not force and not needs_cleaning(raw_dir, period, processed_dir):
        return "reused"
    say(f"evaluating {raw_dir.name} {period} into {processed_dir}")
    evaluate_source(raw_dir, period, processed_dir=processed_dir)
    if not (processed_dir / "rt_index.parquet").is_file():
        raise UsageError(
            f"period {period} has no RT index (no RT reports in {raw_dir}); no scorecards to make"
        )
    return "evaluated"


def _check_options(options: ScorecardOptions) -> None:
    if options.lang not in LANGUAGES:
        raise UsageError(f"unknown language {options.lang!r}; use {' or '.join(LANGUAGES)}")
    if options.engine not in ENGINES:
        raise UsageError(f"unknown engine {options.engine!r}; use {' or '.join(ENGINES)}")
    bad = [f for f in options.formats if f not in FORMATS]
    if bad or not options.formats:
        raise UsageError(f"unknown format {', '.join(bad) or '(none)'}; use html, pdf or html,pdf")
    if options.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {options.jobs}")
    if not Path(options.notebook).is_file():
        raise UsageError(f"scorecard notebook not found: {options.notebook}")


def run_scorecards(options: ScorecardOptions, say: Callable[[str], None] | None = None) -> BatchResult:
    """Validate, prepare, key, build and publish the scorecards of one period (module docstring)."""
    from analysis.publish.runner.plan import check_notebook_parameters, resolve_period

    say = say or (lambda message: None)
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    _check_options(options)
    raw_dir = Path(options.raw_dir).resolve()
    if not raw_dir.is_dir():
        raise UsageError(f"data folder not found: {options.raw_dir}")
    period = resolve_period(raw_dir, options.period)
    notebook = Path(options.notebook).resolve()
    check_notebook_parameters(notebook, [*COMMON_PARAMETERS, RT_PARAMETER])
    source_name = raw_dir.name
    processed_dir = config.processed_dir_for(raw_dir, period, options.processed_root)
    out_dir = Path(options.out_dir or config.REPORTS / source_name / period / "scorecards").resolve()
    now = dt.datetime.now(REPORT_TZ)
    run_id = new_run_id(now)

    t = time.perf_counter()
    prepared = prepare_processed(raw_dir, period, processed_dir, options.reevaluate, say)
    timings["prepare"] = round(time.perf_counter() - t, 3)

    from analysis.publish import scorecard_data as sd

    t = time.perf_counter()
    tables = sd.load_period_tables(processed_dir)
    rt_index = tables["rt_index"]
    all_rts = [str(c) for c in rt_index["rt_code"]]
    unknown = sorted(set(options.rts) - set(all_rts))
    if unknown:
        raise UsageError(
            f"RT code(s) not in the {period} index of {source_name}: {', '.join(unknown)} "
            f"(e.g. {', '.join(all_rts[:3])})"
        )
    selected = [c for c in all_rts if c in set(options.rts)] if options.rts else all_rts
    is_synthetic = config.is_synthetic_source(raw_dir)
    common = {
        "raw_dir": str(raw_dir),
        "processed_dir": str(processed_dir),
        "period": period,
        "lang": options.lang,
        "source_name": source_name,
        "is_synthetic": is_synthetic,
        "run_id": run_id,
    }
    code = kcache.code_digest([notebook])
    keyed_params = {k: v for k, v in common.items() if k not in UNKEYED_PARAMETERS}
    digests = sd.input_digests(tables)
    keys = {
        rt: kcache.merge_keys(
            {
                "inputs": digests[rt],
                "parameters": kcache.digest_json({**keyed_params, RT_PARAMETER: rt}),
                "code": code,
                "formats": ",".join(options.formats),
                "engine": options.engine,
            }
        )
        for rt in selected
    }
    old_cache = kcache.CacheIndex.load(out_dir / CACHE_FILE)
    fresh = {rt for rt in selected if not options.force and old_cache.is_fresh(rt, keys[rt], out_dir)}
    to_build = [rt for rt in selected if rt not in fresh]
    timings["key"] = round(time.perf_counter() - t, 3)
    say(
        f"scorecards {run_id}: {source_name} {period} ({prepared} data), {len(selected)} RT(s): "
        f"{len(to_build)} to build, {len(fresh)} unchanged; engine {options.engine}, "
        + (f"Dask scheduler {options.scheduler}" if options.scheduler else f"{options.jobs} job(s)")
    )

    rows_by_rt = rt_index.set_index("rt_code")
    jobs = [
        ScorecardJob(
            rt_code=rt,
            notebook=str(notebook),
            parameters={**common, RT_PARAMETER: rt},
            title=sd.title(rows_by_rt.loc[rt], options.lang),
            subtitle=sd.subtitle(rows_by_rt.loc[rt], period, options.lang),
            generated_at=now.isoformat(timespec="seconds"),
            formats=tuple(options.formats),
            engine=options.engine,
            kernel=options.kernel,
        )
        for rt in to_build
    ]

    staging = out_dir.parent / f".{out_dir.name}.staging-{run_id}"
    staging.mkdir(parents=True)
    try:
        (staging / RT_DIR).mkdir()
        new_cache = kcache.CacheIndex()
        results: dict[str, JobResult] = {}
        done = 0

        def on_result(result: JobResult) -> None:
            nonlocal done
            done += 1
            results[result.rt_code] = result
            if result.ok:
                for name, data in result.files.items():
                    (staging / name).write_bytes(data)
                new_cache.entries[result.rt_code] = kcache.CacheEntry(
                    key=keys[result.rt_code],
                    files={name: kcache.sha256_bytes(data) for name, data in result.files.items()},
                    run_id=run_id,
                    built_at=now.isoformat(timespec="seconds"),
                )
                say(f"[{done}/{len(jobs)}] {result.rt_code} built in {result.duration_s:.1f} s")
            else:
                if result.failed_notebook is not None:
                    (staging / FAILED_DIR).mkdir(exist_ok=True)
                    (staging / FAILED_DIR / f"{result.rt_code}.ipynb").write_bytes(result.failed_notebook)
                say(f"[{done}/{len(jobs)}] {result.rt_code} FAILED: {result.error.splitlines()[0]}")

        t = time.perf_counter()
        cluster: dict[str, Any] = {}
        if options.scheduler:
            cluster = run_dask(jobs, options.scheduler, on_result, run_id)
        else:
            run_local(jobs, options.jobs, on_result)
        timings["build"] = round(time.perf_counter() - t, 3)

        t = time.perf_counter()
        # carry over: unchanged RTs, and RTs not selected in this run (--rt) that have a card
        carried = [
            rt for rt in all_rts if rt in fresh or (rt not in set(selected) and rt in old_cache.entries)
        ]
        for rt in carried:
            entry = old_cache.entries[rt]
            if rt not in fresh and not _files_present(out_dir, entry.files):
                continue
            for name in entry.files:
                _link_or_copy(out_dir / name, staging / name)
            new_cache.entries[rt] = entry
        rows = _summary_rows(rt_index, selected, fresh, results)
        new_cache.save(staging / CACHE_FILE)
        write_index(
            staging / INDEX_FILE,
            rt_index,
            tables["index_kelurahan"],
            new_cache,
            {r.rt_code for r in rows if r.status == "failed"},
            options.lang,
            period,
            is_synthetic,
        )
        timings["publish"] = round(time.perf_counter() - t, 3)
        timings["total"] = round(time.perf_counter() - t_start, 3)
        write_summary(
            staging,
            rows,
            {
                "run_id": run_id,
                "source": source_name,
                "period": period,
                "lang": options.lang,
                "formats": list(options.formats),
                "engine": options.engine,
                "jobs": options.jobs,
                "processed_data": prepared,
                "processed_dir": str(processed_dir),
                "notebook": str(notebook),
                "code_digest": code,
                **({"dask": cluster} if cluster else {}),
                "timings_s": timings,
            },
        )
        publish_folder(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BatchResult(out_dir, rows, timings, run_id)


def _files_present(folder: Path, files: dict[str, str]) -> bool:
    return all((folder / name).is_file() for name in files)


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _summary_rows(
    rt_index, selected: Sequence[str], fresh: set[str], results: dict[str, JobResult]
) -> list[RTStatus]:
    info = rt_index.set_index("rt_code")
    rows = []
    for rt in selected:
        row = info.loc[rt]
        base = {
            "rt_code": rt,
            "kecamatan_name": str(row["kecamatan_name"]),
            "kelurahan_name": str(row["kelurahan_name"]),
            "card": str(row["status"]),
        }
        if rt in fresh:
            rows.append(RTStatus(**base, status="ok", build="unchanged", duration_s=0.0))
            continue
        result = results.get(rt)
        if result is None:  # the executor never reported it (should not happen): say so, do not hide it
            rows.append(
                RTStatus(
                    **base, status="failed", build="rebuilt", duration_s=0.0, message="no result returned"
                )
            )
        elif result.ok:
            rows.append(RTStatus(**base, status="ok", build="rebuilt", duration_s=result.duration_s))
        else:
            rows.append(
                RTStatus(
                    **base,
                    status="failed",
                    build="rebuilt",
                    duration_s=result.duration_s,
                    message=result.error,
                )
            )
    return rows


def write_summary(folder: Path, rows: Sequence[RTStatus], meta: dict[str, Any]) -> None:
    """``summary.csv`` (one row per RT of the run) and ``summary.json`` (the run and the same rows)."""
    fields = list(RTStatus.__dataclass_fields__)
    with (folder / SUMMARY_CSV).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))
    totals = {
        "rts": len(rows),
        "rebuilt": sum(1 for r in rows if r.status == "ok" and r.build == "rebuilt"),
        "unchanged": sum(1 for r in rows if r.status == "ok" and r.build == "unchanged"),
        "failed": sum(1 for r in rows if r.status == "failed"),
    }
    data = {**meta, "totals": totals, "rts": [asdict(r) for r in rows]}
    (folder / SUMMARY_JSON).write_text(
        json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def publish_folder(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging`` with two renames (the old folder is removed afterwards)."""
    old = None
    if final.exists():
        old = final.parent / f".{final.name}.old-{staging.name.rsplit('-', 1)[-1]}"
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old)


# --------------------------------------------------------------------------------------------------
# Index page


_SORT_SCRIPT = """<script>
(function () {
  var box = document.getElementById("sc-sort");
  if (!box) return;
  box.hidden = false;
  var grouped = document.getElementById("sc-grouped"), flat = document.getElementById("sc-flat");
  function show(mode) {
    if (mode === "score" && !flat.dataset.built) {
      var rows = Array.prototype.slice.call(grouped.querySelectorAll("tr.sc-rt"));
      rows.sort(function (a, b) {
        var x = parseFloat(a.dataset.score), y = parseFloat(b.dataset.score);
        x = isNaN(x) ? -1 : x; y = isNaN(y) ? -1 : y;
        return y - x || (a.dataset.code < b.dataset.code ? -1 : 1);
      });
      var body = flat.querySelector("tbody");
      rows.forEach(function (r) { body.appendChild(r.cloneNode(true)); });
      flat.dataset.built = "1";
    }
    grouped.hidden = mode === "score";
    flat.hidden = mode !== "score";
  }
  box.querySelectorAll("input[name=sc-sort]").forEach(function (input) {
    input.addEventListener("change", function () { show(input.value); });
    if (location.hash === "#" + input.value) { input.checked = true; show(input.value); }
  });
})();
</script>"""


def index_rows(rt_index) -> Any:
    """``rt_index`` ordered for the index page: kecamatan, kelurahan, then index score (best first,
    unscored last), then RT code."""
    df = rt_index.assign(_score=rt_index["index"].where(rt_index["status"] == "dinilai"))
    return df.sort_values(
        ["kecamatan_code", "kelurahan_code", "_score", "rt_code"],
        ascending=[True, True, False, True],
        na_position="last",
        kind="mergesort",
    )


def write_index(
    path: Path,
    rt_index,
    kelurahan_table,
    cache_index: kcache.CacheIndex,
    failed: set[str],
    lang: str,
    period: str,
    is_synthetic: bool,
) -> Path:
    """The index page: every RT with links to its card, grouped by kecamatan and kelurahan (RTs by score
    inside a kelurahan); a small inline script adds a city-wide order by score. Self-contained, no CDN."""
    import html as _html

    from analysis.core.periods import period_label
    from analysis.publish import scorecard_data as sd
    from analysis.publish.export import page_css
    from analysis.publish.formatting import format_number
    from analysis.publish.i18n import t

    def e(value: object) -> str:
        return _html.escape(str(value), quote=True)

    def L(key: str, **kw: object) -> str:  # noqa: N802
        return t(f"scorecard.{key}", lang, **kw)

    plabel = period_label(period, lang)
    notice = (config.SAMPLE_NOTICE if lang == "id" else config.SAMPLE_NOTICE_EN) if is_synthetic else ""
    n_scored = int((rt_index["status"] == "dinilai").sum())
    ordered = index_rows(rt_index)
    kelurahan_index = dict(
        zip(kelurahan_table["kelurahan_code"].astype(str), kelurahan_table["index"], strict=True)
    )

    def rt_row(r) -> str:
        code = str(r.rt_code)
        entry = cache_index.entries.get(code)
        if entry is not None:
            links = " · ".join(
                f'<a href="{e(name)}">{e(name.rsplit(".", 1)[-1].upper())}</a>'
                for name in sorted(entry.files)
                if not name.endswith(".ipynb")
            )
        else:
            links = (
                f'<span class="sc-muted">{e(L("file_failed" if code in failed else "file_missing"))}</span>'
            )
        scored = r.status == "dinilai"
        score = float(r.index) if scored else float("nan")
        rank = sd.rank_text(r.rank, r.rank_p05, r.rank_p95, n_scored, "rank_all", lang) if scored else ""
        rank_cell = (
            f"{int(r.rank)} ({sd.rank_bound(r.rank_p05)}–{sd.rank_bound(r.rank_p95)})" if rank else "—"
        )
        category = sd.category_label(r.category, lang) if scored else L("status_insufficient")
        return (
            f'<tr class="sc-rt" data-score="{"" if not scored else f"{score:.4f}"}" data-code="{e(code)}">'
            f'<td>{e(L("rt_label", rt=f"{int(r.rt_number):03d}"))}<br><span class="sc-muted">{e(code)}</span></td>'
            f"<td>{e(r.kelurahan_name)}</td>"
            f'<td class="num">{e(format_number(score, lang=lang, decimals=1))}</td>'
            f"<td>{e(category)}</td><td>{e(rank_cell)}</td><td>{links}</td></tr>"
        )

    head = (
        "<thead><tr>"
        + "".join(
            f"<th>{e(L(k))}</th>"
            for k in ("col_rt", "col_kelurahan", "col_index", "col_category", "col_rank", "col_files")
        )
        + "</tr></thead>"
    )
    sections = []
    for (kec_code, kec_name), kec in ordered.groupby(["kecamatan_code", "kecamatan_name"], sort=False):
        bodies = []
        for (kel_code, kel_name), kel in kec.groupby(["kelurahan_code", "kelurahan_name"], sort=False):
            kel_scored = kel[kel["status"] == "dinilai"]
            kel_index = format_number(kelurahan_index.get(str(kel_code)), lang=lang, decimals=1)
            group = L(
                "kelurahan_group", kelurahan=kel_name, index=kel_index, scored=len(kel_scored), total=len(kel)
            )
            rows = "".join(rt_row(r) for r in kel.itertuples())
            bodies.append(f'<tbody><tr class="sc-group"><th colspan="6">{e(group)}</th></tr>{rows}</tbody>')
        sections.append(
            f'<section id="kec-{e(kec_code)}"><h2>{e(L("kecamatan_heading", kecamatan=kec_name))}</h2>'
            f'<table class="sc-index">{head}{"".join(bodies)}</table></section>'
        )
    n_insufficient = int(len(rt_index) - n_scored)
    lead = L("index_page_lead", n=len(rt_index), scored=n_scored, insufficient=n_insufficient)
    failed_line = f'<p class="sc-warn">{e(L("index_page_failed", n=len(failed)))}</p>' if failed else ""
    title = L("index_page_title")
    notice_html = (
        f'<div class="kjb-notice" role="note"><strong>{e(notice)}</strong> '
        f"<span>{e(t('notice.sample_long', lang))}</span></div>"
        if notice
        else ""
    )
    page = f"""<!DOCTYPE html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{e(title)} — {e(plabel)}</title>
<style>
{page_css(title, plabel, notice, lang)}
body {{ font-family: "DejaVu Sans", Arial, sans-serif; color: #1d2733; max-width: 60rem; margin: 0 auto;
  padding: 1.5rem 1.25rem 2rem; font-size: 10.5pt; line-height: 1.45; }}
h1, h2 {{ font-family: "DejaVu Serif", Georgia, serif; color: #1f3a5f; }}
h2 {{ border-bottom: 1px solid #c9d1da; margin-top: 1.6em; }}
.kjb-notice {{ background: #fff4d6; color: #6b4a00; border: 1px solid #d9b44a; border-left: 6px solid #b7791f;
  padding: 0.5em 0.8em; margin: 0 0 1em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.92em; font-variant-numeric: tabular-nums;
  table-layout: fixed; }}
th:nth-child(1) {{ width: 18%; }} th:nth-child(2) {{ width: 22%; }} th:nth-child(3) {{ width: 12%; }}
th:nth-child(4) {{ width: 16%; }} th:nth-child(5) {{ width: 16%; }}
tr.sc-group th {{ width: auto; }}
th, td {{ text-align: left; padding: 0.25em 0.5em; border-bottom: 1px solid #c9d1da; vertical-align: top; }}
thead th {{ border-bottom: 2px solid #1f3a5f; }}
tr.sc-group th {{ background: #f3f5f8; color: #1f3a5f; font-weight: bold; }}
td.num {{ text-align: right; }}
.sc-muted {{ color: #5b6673; font-size: 0.88em; }}
.sc-warn {{ color: #8a1c1c; font-weight: bold; }}
#sc-sort {{ margin: 0.8em 0; padding: 0.4em 0.6em; background: #f3f5f8; }}
#sc-sort label {{ margin-right: 1em; }}
</style>
</head>
<body>
{notice_html}
<header><p class="sc-muted">{e(t("report.city", lang))} · {e(t("report.program_name", lang))}</p>
<h1>{e(title)}</h1><p>{e(plabel)}</p></header>
<p>{e(lead)}</p>
{failed_line}
<form id="sc-sort" hidden><strong>{e(L("sort_label"))}:</strong>
<label><input type="radio" name="sc-sort" value="region" checked> {e(L("sort_region"))}</label>
<label><input type="radio" name="sc-sort" value="score"> {e(L("sort_score"))}</label></form>
<noscript><p class="sc-muted">{e(L("sort_note"))}</p></noscript>
<div id="sc-grouped">
{"".join(sections)}
</div>
<table id="sc-flat" class="sc-index" hidden>{head}<tbody></tbody></table>
<footer class="sc-muted"><p>{e(t("report.missing_value_note", lang))}</p>{f"<p><strong>{e(notice)}</strong></p>" if notice else ""}</footer>
{_SORT_SCRIPT}
</body>
</html>
"""
    path.write_text(page, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# Command line


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", required=True, type=Path, help="data source folder (e.g. data/raw/sample)")
    parser.add_argument("--period", required=True, help="period code or spelling, or 'latest'")
    parser.add_argument(
        "--rt", nargs="+", default=[], metavar="KODE_RT", help="only these RTs (default: all)"
    )
    parser.add_argument("--lang", default="id", help="language of the cards: id (default) or en")
    parser.add_argument("--formats", default="html,pdf", help="html, pdf or html,pdf (default)")
    parser.add_argument("--jobs", type=int, default=2, help="local worker processes (default 2)")
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default reports/<source>/<period>/scorecards/)"
    )
    parser.add_argument("--processed", type=Path, default=config.DATA_PROCESSED, help="processed data root")
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask distributed scheduler, e.g. tcp://host:8786",
    )
    parser.add_argument(
        "--engine", default="inprocess", choices=ENGINES, help="how the notebook runs (default inprocess)"
    )
    parser.add_argument("--kernel", default=None, help="Jupyter kernel for --engine papermill")
    parser.add_argument(
        "--notebook",
        type=Path,
        default=NOTEBOOK,
        help="scorecard notebook (default notebooks/05_scorecard_rt.ipynb)",
    )
    parser.add_argument(
        "--reevaluate", action="store_true", help="re-run the evaluation even if its tables are current"
    )
    parser.add_argument("--force", action="store_true", help="rebuild every card, ignoring the cache")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress lines (the summary is still printed)"
    )


def options_from_args(args: argparse.Namespace) -> ScorecardOptions:
    from analysis.publish.runner.plan import parse_formats

    return ScorecardOptions(
        raw_dir=args.raw,
        period=args.period,
        rts=tuple(args.rt),
        lang=args.lang,
        formats=parse_formats(args.formats),
        out_dir=args.out,
        processed_root=args.processed,
        notebook=args.notebook,
        jobs=args.jobs,
        scheduler=args.scheduler,
        engine=args.engine,
        kernel=args.kernel,
        reevaluate=args.reevaluate,
        force=args.force,
    )


def summary_lines(result: BatchResult) -> list[str]:
    """The printed run summary: one line per RT, then the totals."""
    lines = [f"{'RT':<19} {'status':<7} {'build':<10} {'seconds':>7}  card"]
    for r in result.rows:
        lines.append(f"{r.rt_code:<19} {r.status:<7} {r.build:<10} {r.duration_s:>7.2f}  {r.card}")
        if r.message:
            lines.append(f"    {r.message.splitlines()[0]}")
    lines.append(
        f"{len(result.rows)} RT(s): {result.count('rebuilt')} rebuilt, {result.count('unchanged')} unchanged, "
        f"{len(result.failed)} failed; {result.timings.get('total', 0):.1f} s; written to {result.out_dir}"
    )
    return lines


def main(args: argparse.Namespace) -> int:
    """``python -m analysis scorecards``: 0 when every card was made, 1 when one or more failed."""

    def say(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    result = run_scorecards(options_from_args(args), say)
    print("\n".join(summary_lines(result)))
    return 1 if result.failed else 0


def iter_cards(folder: Path) -> Iterable[Path]:
    """The HTML cards of a published scorecards folder."""
    return sorted((Path(folder) / RT_DIR).glob("*.html"))
