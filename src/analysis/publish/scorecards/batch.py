"""A batch of scorecards (:func:`run_scorecards`):


1. **validate** the arguments (period, language, formats, RT codes, the notebook's parameters cell);
2. **prepare** the period's processed tables: evaluated (cleaned if needed) by
   ``analysis.evaluate.evaluation.evaluate_source`` unless they are present and no raw file is newer;
3. **key** every RT (``analysis.publish.cache``): a SHA-256 over the rows its card reads
   (``analysis.publish.scorecards.data.input_digests``), its parameters (language, period, data source, formats,
   engine; not the run id or folder paths) and the code (notebook, package source, templates, catalogues,
   library versions). An RT whose key and files are unchanged since the last run is **not rebuilt**;
4. **build** the other RTs in parallel: local worker processes (``--jobs``), or the workers of a Dask
   distributed cluster (``--scheduler ADDRESS``). A job returns the card's bytes to the caller, so workers
   need only read access to the processed folder. One RT failing does not stop the others;
5. **publish**: the new cards, the unchanged cards, ``index.html`` (every RT, grouped by kecamatan and
   kelurahan, sortable by score), ``summary.csv``/``summary.json`` (RT, status, duration, rebuilt or
   unchanged) and ``cache.json`` are assembled in a staging folder and swapped into place
   (``reports/<source>/<period>/scorecards/`` by default). From the staging folder to the swap the batch
   holds the lock of the folder that holds the scorecards (the period's report, which ``run`` replaces
   whole; ``analysis.core.atomic``); stale staging folders of killed batches are removed. Failed RTs are listed as failed, with the
   executed notebook showing the error in ``failed/``; the command exits 1 after publishing the rest.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.core import config
from analysis.core.atomic import REPORT_LOCK, folder_lock, new_staging, swap_into_place, write_bytes_atomic
from analysis.core.errors import UsageError, did_you_mean
from analysis.core.formatting import LANGUAGES
from analysis.publish import cache as kcache
from analysis.publish.runner.plan import COMMON_PARAMETERS, ENGINES, FORMATS, new_run_id
from analysis.publish.scorecards.build import (
    CACHE_FILE,
    FAILED_DIR,
    INDEX_FILE,
    NOTEBOOK,
    REPORT_TZ,
    RT_DIR,
    RT_PARAMETER,
    UNKEYED_PARAMETERS,
    JobResult,
    ScorecardJob,
    run_dask,
    run_local,
)
from analysis.publish.scorecards.pages import RTStatus, _summary_rows, write_index, write_summary


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


def select_rts(requested: Sequence[str], known: Sequence[str], where: str) -> list[str]:
    """The RTs of a batch, in the order of ``known`` (the period's index): every one when ``requested`` is
    empty, else the requested ones; a requested code not in ``known`` is a UsageError naming each such code
    with the closest known codes (nothing is dropped in silence).

    >>> select_rts(["1571-002", "1571-001"], ["1571-001", "1571-002", "1571-003"], "the index")
    ['1571-001', '1571-002']
    >>> select_rts(["1571-001", "1571-01", "x"], ["1571-001", "1571-002"], "the index")
    Traceback (most recent call last):
    ...
    analysis.core.errors.UsageError: 2 RT code(s) not in the index: 1571-01 (did you mean 1571-001 or 1571-002?), x (e.g. 1571-001, 1571-002)
    """
    if not requested:
        return list(known)
    unknown = sorted(set(requested) - set(known))
    if not unknown:
        wanted = set(requested)
        return [code for code in known if code in wanted]
    parts = []
    for code in unknown:
        hint = did_you_mean(code, known)
        parts.append(f"{code} ({hint.removeprefix('; ')})" if hint else code)
    raise UsageError(
        f"{len(unknown)} RT code(s) not in {where}: {', '.join(parts)} (e.g. {', '.join(list(known)[:3])})"
    )


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
    processed_root = config.check_processed_root(options.processed_root, raw_dir)
    processed_dir = config.processed_dir_for(raw_dir, period, processed_root)
    out_dir = Path(options.out_dir or config.REPORTS / source_name / period / "scorecards").resolve()
    now = dt.datetime.now(REPORT_TZ)
    run_id = new_run_id(now)

    t = time.perf_counter()
    prepared = prepare_processed(raw_dir, period, processed_dir, options.reevaluate, say)
    timings["prepare"] = round(time.perf_counter() - t, 3)

    from analysis.publish.scorecards import data as sd

    t = time.perf_counter()
    tables = sd.load_period_tables(processed_dir)
    rt_index = tables["rt_index"]
    all_rts = [str(c) for c in rt_index["rt_code"]]
    selected = select_rts(options.rts, all_rts, f"the {period} index of {source_name}")
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
    # from the cache look-up to the swap: the report folder holding the scorecards is locked (a run of
    # the period replaces that folder whole and carries the scorecards over)
    with folder_lock(out_dir.parent, order=REPORT_LOCK):
        old_cache = kcache.CacheIndex.load(out_dir / CACHE_FILE)
        fresh = {rt for rt in selected if not options.force and old_cache.is_fresh(rt, keys[rt], out_dir)}
        to_build = [rt for rt in selected if rt not in fresh]
        timings["key"] = round(time.perf_counter() - t, 3)
        say(
            f"scorecards {run_id}: {source_name} {period} ({prepared} data), {len(selected)} RT(s): "
            f"{len(to_build)} to build, {len(fresh)} unchanged; engine {options.engine}, "
            + (f"Dask scheduler {options.scheduler}" if options.scheduler else f"{options.jobs} job(s)")
        )

        rows_by_rt = rt_index.set_index("rt_code", drop=False)
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
                file_stem=sd.card_file_stem(rows_by_rt.loc[rt]),
            )
            for rt in to_build
        ]

        staging = new_staging(out_dir, token=run_id)  # removes the stale staging of killed batches
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
                        write_bytes_atomic(staging / name, data)
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
                        write_bytes_atomic(
                            staging / FAILED_DIR / f"{result.rt_code}.ipynb", result.failed_notebook
                        )
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
            rows = _summary_rows(rt_index, selected, fresh, results, new_cache)
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


def publish_folder(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging`` (``analysis.core.atomic.swap_into_place``); the caller holds the
    lock of ``final``'s parent folder."""
    swap_into_place(staging, final)
