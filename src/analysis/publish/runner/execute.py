"""Steps 2 to 4 of ``python -m analysis run``: prepare the data, execute the notebooks, export them.

- **prepare**: clean and evaluate the period; at the same time, in the worker processes, the earlier
  periods the trends read and the 100-day period (into its own folder ``<processed>/../100-hari/``: the
  notebooks of any other period show a 100-day section and read it there instead of each recomputing it)
  are cleaned and evaluated, and the period's feedback workbooks are written (:func:`prepare_data`; the
  run installs them before its manifest, not waiting for them before the notebooks, which do not read
  them).
- **execute** the notebooks of the run matrix in parallel: ``inprocess`` (default) runs each with
  ``papermill.execute_notebook`` and our papermill engine ``kota-jambi`` in a worker process's IPython
  shell (:mod:`analysis.publish.nbengine`: papermill's injected parameters, metadata and error banner, no
  kernel start, imports paid once per worker; the workers start before the preparation); ``papermill``
  runs papermill's own engine, one kernel per notebook.
- **export**: the briefing as HTML (no code) and PDF, the analysts' notebooks as HTML with code; with the
  ``inprocess`` engine each worker exports the notebook it has just executed. The notebooks are submitted
  to the workers without waiting (:func:`submit_notebooks`), each reported as soon as it is done, and
  collected by the run when it finishes (:meth:`NotebookJobs.collect`): ``run --period all`` prepares
  the next period meanwhile.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.core.atomic import write_bytes_atomic, write_text_atomic
from analysis.core.errors import AnalysisError
from analysis.core.workers import CallsInOrder, die_with_parent, initializer_args, worker_context
from analysis.publish.runner.plan import HUNDRED_DAYS, NotebookSpec, Plan, forces

log = logging.getLogger(__name__)


class Progress:
    """Plain, timestamped log lines on stderr (fine for terminals and for cron/CI logs alike).

    ``prefix`` starts every line (:meth:`for_period`: the period's name, when several periods run at
    once); each line is written in one piece, also from the executor's thread that reports a notebook as
    soon as it is done."""

    def __init__(self, stream=None, quiet: bool = False, prefix: str = ""):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.prefix = prefix
        self.start = time.perf_counter()
        self.timings: dict[str, float] = {}
        self._lock = threading.Lock()

    def say(self, message: str) -> None:
        if not self.quiet:
            line = f"[{time.perf_counter() - self.start:6.1f}s] {self.prefix}{message}\n"
            with self._lock:
                self.stream.write(line)
                self.stream.flush()

    def for_period(self, period: str) -> Progress:
        """The same log (stream, clock) with lines starting ``<period>: `` and timings of its own (a
        period's manifest records its own steps only)."""
        child = Progress(self.stream, self.quiet, prefix=f"{period}: ")
        child.start, child._lock = self.start, self._lock
        return child

    def timed(self, step: str, fn: Callable[[], Any], message: str | None = None) -> Any:
        self.say(message or step)
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            self.timings[step] = round(time.perf_counter() - t0, 3)


class NotebookFailed(AnalysisError):
    """A notebook raised; the message names it, the cell, the error, and where the executed copy is."""


def evaluate_hundred_days(raw_dir: Path, period: str, processed_dir: Path) -> str:
    """Evaluate the 100-day period into ``<processed_dir>/../100-hari/`` for the notebooks of ``period``,
    which show a 100-day section (``analysis.publish.content.load.load_hundred_days`` reads that folder when it is
    current; without it every such notebook recomputes the evaluation in memory). Returns
    ``"evaluated"``, ``"current"`` when that folder already holds a current evaluation
    (``analysis.evaluate.evaluation.evaluation_is_current``: nothing redone), or ``"none"`` when
    ``period`` is the 100 days itself or the source has no 100-day files. Cleaned here only as an input,
    the 100 days get no feedback workbooks (``run --period 100-hari`` or ``clean`` writes them)."""
    from analysis.evaluate.evaluation import evaluate_source, evaluation_is_current, period_has_files

    if period == HUNDRED_DAYS or not period_has_files(raw_dir, HUNDRED_DAYS):
        return "none"
    folder = Path(processed_dir).parent / HUNDRED_DAYS
    if evaluation_is_current(raw_dir, HUNDRED_DAYS, folder):
        return "current"
    evaluate_source(raw_dir, HUNDRED_DAYS, processed_dir=folder, feedback=False)
    return "evaluated"


def _timed_call(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """``(fn(*args), seconds)``: runs in a worker process, so the time is the work's own."""
    t0 = time.perf_counter()
    result = fn(*args)
    return result, round(time.perf_counter() - t0, 3)


def prepare_earlier_periods(plan: Plan, staged: bool = False) -> list[str]:
    """Evaluate every period of the source before ``plan.period`` whose folder is not current (the
    briefing's and notebooks 02/03's trends read every period to date from the history store), then
    rebuild the store, so the notebooks running in parallel find it current and never rebuild it
    themselves. ``staged`` (the default run): a period is current when its clean and evaluate stage keys
    are (:mod:`analysis.publish.runner.stages`), so a changed raw file or configuration of an earlier period
    is evaluated again; otherwise a period with a complete folder is left as it is. Returns the periods
    evaluated (none once they all are). Inputs only, they get no feedback workbooks. One after the other,
    in this process: the run with worker processes prepares them there (:func:`prepare_data`)."""
    from analysis.evaluate.history import prepare_periods, refresh
    from analysis.publish.runner import stages as st

    source_dir = plan.processed_dir.parent
    if staged:
        evaluated = []
        for period in st.earlier_periods(plan.raw_dir, plan.period):
            done = st.ensure_evaluated(plan.raw_dir, period, source_dir / period, run_id=plan.run_id)
            if done.get(period) == "evaluated":
                evaluated.append(period)
    else:
        evaluated = prepare_periods(plan.raw_dir, source_dir, until=plan.period)
    refresh(source_dir)
    return evaluated


class PreparationFailed(AnalysisError):
    """A period prepared in a worker process (an earlier period, the 100 days) failed; names the period."""


def _clean_only(raw_dir: Path, period: str, folder: Path, force: bool, run_id: str) -> str:
    """A worker's job: clean ``period`` (an input only: no feedback workbooks) unless it is current."""
    from analysis.publish.runner import stages as st

    cleaned = st.ensure_clean(raw_dir, period, folder, force=force, run_id=run_id)
    return "cleaned" if cleaned else "current"


def _evaluate_earlier(raw_dir: Path, period: str, folder: Path, force: bool, run_id: str) -> dict[str, str]:
    """A worker's job: ``stages.ensure_evaluated`` of an earlier period (inputs only: no feedback)."""
    from analysis.publish.runner import stages as st

    return st.ensure_evaluated(raw_dir, period, folder, force=force, run_id=run_id)


@dataclass
class EarlierJobs:
    """The earlier periods being prepared in worker processes (:func:`submit_earlier_periods`): one future
    per job, named ``(what, period)`` (``what``: ``chain`` (periods joined by commas), ``evaluate``,
    ``clean``, ``hundred_days``)."""

    futures: dict[tuple[str, str], cf.Future] = field(default_factory=dict)
    #: The jobs being submitted in the background (:func:`prepare_data`): the future of the
    #: ``EarlierJobs`` whose futures join these when one is first waited for.
    submitting: cf.Future | None = None

    def _submitted(self) -> None:
        if self.submitting is not None:
            submitting, self.submitting = self.submitting, None
            self.futures.update(submitting.result().futures)

    def wait(self, what: str, period: str, progress: Progress) -> Any:
        """The result of one job (waits for it; its time goes to ``prepare:<what>:<period>``); a failure
        raises :class:`PreparationFailed` naming the period."""
        self._submitted()
        future = self.futures.get((what, period))
        if future is None:
            return None
        t0 = time.perf_counter()
        try:
            result, seconds = future.result()
        except PreparationFailed:
            raise  # names its period(s) already
        except Exception as exc:
            raise PreparationFailed(_preparation_failure(what, period, exc)) from exc
        if f"prepare:{what}:{period}" not in progress.timings:  # the first wait is the one that waited
            progress.timings[f"prepare:{what}:{period}"] = seconds
            progress.timings[f"wait:{what}:{period}"] = round(time.perf_counter() - t0, 3)
        return result

    def wait_all(self, progress: Progress) -> dict[tuple[str, str], Any]:
        """Every job's result; when any failed, after all have finished, one error naming each failed
        period (never swallowed)."""
        self._submitted()
        cf.wait(list(self.futures.values()))
        results, failures = {}, []
        for what, period in self.futures:
            try:
                results[(what, period)] = self.wait(what, period, progress)
            except PreparationFailed as exc:
                failures.append(str(exc))
        if failures:
            raise PreparationFailed("; ".join(failures))
        return results


def failure_text(exc: BaseException) -> str:
    """What a failure says in the log and the summary: our own errors (:class:`AnalysisError`) by their
    message, which names the file, row, column or period; anything else with its type too."""
    return str(exc) if isinstance(exc, AnalysisError) else f"{type(exc).__name__}: {exc}"


def _preparation_failure(what: str, period: str, exc: BaseException) -> str:
    role = {
        "evaluate": "earlier period {p} (evaluated for the trends)",
        "chain": "earlier periods {p} (evaluated for the trends)",
        "clean": "earlier period {p} (cleaned as the previous period's input)",
        "hundred_days": "the 100 days ({p})",
    }[what].format(p=period)
    return f"preparing {role} failed in a worker process: {failure_text(exc)}"


def _evaluate_chain(
    raw_dir: Path, periods: list[str], root: Path, force: bool, run_id: str
) -> dict[str, dict[str, str]]:
    """A worker's job: :func:`_evaluate_earlier` of ``periods`` one after the other, oldest first, so each
    reuses the ``rt_index`` of the one before it. A period that fails does not stop the others; then
    :class:`PreparationFailed` names every failed period."""
    results, failures = {}, []
    for period in periods:
        try:
            results[period] = _evaluate_earlier(raw_dir, period, root / period, force, run_id)
        except Exception as exc:
            failures.append(_preparation_failure("evaluate", period, exc))
    if failures:
        raise PreparationFailed("; ".join(failures))
    return results


def submit_earlier_periods(plan: Plan, pool: cf.Executor) -> EarlierJobs:
    """Submit the preparation of every stale earlier period (:func:`stages.evaluation_is_current` checked
    here, so a current source costs the workers nothing) and of the 100 days to ``pool``, to run while this
    process cleans and evaluates ``plan.period``. Jobs, in this order (a free worker takes the next):

    1. ``chain``: the stale periods before the previous one, evaluated oldest first in one job, each
       reusing the ``rt_index`` of the one before it (two neighbouring periods evaluated at once would
       each score the older one again, or wait for each other's folder);
    2. ``evaluate``: the previous period (the period's evaluation waits for it and reuses its
       ``rt_index``);
    3. ``hundred_days``;
    4. ``clean``: the periods of the chain, newest first, cleaned by the other worker while the chain
       evaluates the oldest (each cleaning is done once: whoever comes second finds it current).

    ``--force`` redoes the previous period and the 100 days, but not those in ``plan.options.rebuilt``
    (already rebuilt by this command: :func:`analysis.publish.runner.command.run_periods`, whose notebooks
    of an earlier period may be reading them). The folder locks (:func:`stages.ensure_evaluated`: one
    folder at a time) keep concurrent jobs apart; every output is the same as one after the other
    (deterministic)."""

    jobs = EarlierJobs()
    planned = _PLANNED_AT_START.pop(pool, None)  # the list start_workers made for this plan, if it did
    todo = planned[1] if planned is not None and planned[0] is plan else earlier_period_jobs(plan)
    for what, period, fn, args in todo:
        jobs.futures[(what, period)] = pool.submit(_timed_call, fn, *args)
    return jobs


#: ``pool -> (plan, earlier_period_jobs(plan))`` as :func:`start_workers` computed it to choose the
#: preload, taken (once) by :func:`submit_earlier_periods` of the same plan instead of checking every
#: earlier period's stage keys again (~0.08 s); weak, so a pool never used for it leaves nothing behind.
_PLANNED_AT_START: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def earlier_period_jobs(plan: Plan) -> list[tuple[str, str, Callable[..., Any], tuple[Any, ...]]]:
    """The jobs :func:`submit_earlier_periods` submits, in its order: ``(what, period, function,
    arguments)``; none when every earlier period and the 100 days are current."""
    from analysis.publish.runner import stages as st

    raw, root, run_id = plan.raw_dir, plan.processed_dir.parent, plan.run_id
    jobs: list[tuple[str, str, Callable[..., Any], tuple[Any, ...]]] = []
    earlier = st.earlier_periods(raw, plan.period) if plan.period != HUNDRED_DAYS else []
    stale = [p for p in earlier if not st.evaluation_is_current(raw, p, root / p)]
    prev = st.evaluated_previous(raw, plan.period)
    chain = [p for p in stale if p != prev]  # ``--force`` redoes the period and its previous one only
    if chain:
        jobs.append(("chain", ",".join(chain), _evaluate_chain, (raw, chain, root, False, run_id)))
    force_prev = prev in earlier and forces(plan.options, prev)
    if prev in stale or force_prev:
        jobs.append(("evaluate", prev, _evaluate_earlier, (raw, prev, root / prev, force_prev, run_id)))
    force_hundred = forces(plan.options, HUNDRED_DAYS)
    if force_hundred or not st.hundred_days_current(raw, plan.period, plan.processed_dir):
        args = (raw, plan.period, plan.processed_dir, force_hundred)
        jobs.append(("hundred_days", HUNDRED_DAYS, st.prepare_hundred_days, args))
    for period in reversed(chain[1:]):
        jobs.append(("clean", period, _clean_only, (raw, period, root / period, False, run_id)))
    return jobs


class _LaterJob:
    """A job for the worker pool (``_timed_call(fn, *args)``) submitted when :meth:`start` is called, or
    when its result is first asked for."""

    def __init__(self, pool: cf.Executor, fn: Callable[..., Any], *args: Any) -> None:
        self.pool, self.call, self.future = pool, (fn, *args), None

    def start(self) -> cf.Future:
        if self.future is None:
            self.future = self.pool.submit(_timed_call, *self.call)
        return self.future

    def result(self) -> Any:
        return self.start().result()


class PendingFeedback:
    """The feedback workbooks the preparation left to the run (``defer``): :meth:`start` submits their job
    (after the notebooks, which do not read them: it then fills a worker's idle time at the end instead of
    delaying the notebooks); calling it waits for them and installs them."""

    def __init__(self, job: _LaterJob, install: Callable[[], None]) -> None:
        self.start = job.start
        self._install = install

    def __call__(self) -> None:
        self._install()


def prepare_data(
    plan: Plan,
    progress: Progress,
    pool: cf.Executor | None = None,
    staged: bool = False,
    defer: bool = False,
    notebooks: NotebookJobs | None = None,
) -> dict[str, Any]:
    """Clean, then evaluate, into ``plan.processed_dir``; returns a summary for the manifest.

    ``staged`` (the run's default): a stage whose key is current (:mod:`.stages`) is not done again, the
    keys of what was done are recorded in the processed folders, and the summary says per stage and
    period what was done (``stages``); ``plan.options.force`` does every stage. With ``pool`` (the
    ``inprocess`` engine's worker processes) the earlier periods for the trends and the 100 days are
    prepared there (:func:`submit_earlier_periods`) while this process cleans and evaluates the period,
    the period's feedback workbooks are written there too (after its cleaning, installed in its folder
    at the end: :func:`stages.install_feedback`), and the workers warm up for the notebooks
    (:func:`warm_worker`, once per pool) when idle. Without a pool all of it is done here, one after the
    other. A job that fails stops the preparation with an error naming its period.

    ``defer`` (``run``'s default): the feedback workbooks are not waited for, nor submitted: the summary's
    ``"pending"`` is then a :class:`PendingFeedback`, whose ``start()`` the caller calls once the notebooks
    are submitted, and which it calls before writing the manifest (waiting for them and installing them).
    Without it they are written while this runs and installed before it returns.

    ``notebooks`` (``run``'s, with a pool): the run's notebook jobs, to which the notebooks that read only
    the cleaning files are submitted once the period is cleaned (:func:`submit_early_notebooks`); the run
    submits the others after this returns, and when it fails, cancels or waits for these.
    """
    if not staged:
        return _prepare_unstaged(plan, progress, pool)
    if pool is None:
        return _prepare_staged(plan, progress, None, None, EarlierJobs(), defer, None)
    # the pool's first submits wait for its fork server (2-3 s): made in the background, while this
    # process cleans and evaluates (a scheduled run's cleaning started 3.3 s after its first line, session 9)
    background = CallsInOrder("submit-early")
    jobs = EarlierJobs(submitting=background.call(submit_earlier_periods, plan, pool))
    background.call(submit_warm_up, pool, plan.options.jobs)
    try:
        summary = _prepare_staged(plan, progress, pool, background, jobs, defer, notebooks)
    except BaseException as exc:
        background.close_after(exc)
        raise
    background.close()
    return summary


def _prepare_staged(
    plan: Plan,
    progress: Progress,
    pool: cf.Executor | None,
    background: CallsInOrder | None,
    jobs: EarlierJobs,
    defer: bool,
    notebooks: NotebookJobs | None,
) -> dict[str, Any]:
    """:func:`prepare_data` with ``staged``; with a pool, what is submitted before the evaluation goes
    through ``background`` (in order, after the earlier periods' jobs and the warm-ups)."""
    cleaned, feedback_job, done_stages = _clean(plan, progress, pool, plan.options.force)
    if cleaned is not None and cleaned.has_problems:
        progress.say(
            f"cleaning: {', '.join(cleaned.problems())}; see {plan.processed_dir / 'quality.json'} and "
            f"{plan.processed_dir / 'rejected_rows.csv'}"
        )
    if feedback_job is not None and not defer:
        background.call(feedback_job.start)
    if notebooks is not None:
        background.call(submit_early_notebooks, plan, notebooks, progress)
    return _evaluate_and_wait(plan, progress, pool, jobs, done_stages, cleaned, feedback_job, defer)


def _clean(
    plan: Plan, progress: Progress, pool: cf.Executor | None, force: bool
) -> tuple[Any, _LaterJob | None, dict[str, str]]:
    """The cleaning of ``plan.period`` (unless its stage is current) and its feedback workbooks (written
    here, or a job for ``pool``): ``(the cleaning's result or None, that job or None, stages done)``."""
    from analysis.publish.runner import stages as st

    done_stages: dict[str, str] = {}
    feedback_job: _LaterJob | None = None
    clean_key = st.clean_key(plan.raw_dir, plan.period)
    if not force and st.stage_is_current(plan.processed_dir, "clean", clean_key):
        progress.say(f"cleaned tables of {plan.period} are current (same inputs, configuration and code)")
        cleaned = None
        done_stages[f"clean:{plan.period}"] = "current"
        if not st.feedback_is_current(plan.raw_dir, plan.period, plan.processed_dir):
            if pool is not None:  # cleaned earlier as an input only: its own feedback workbooks now
                feedback_job = _LaterJob(
                    pool, st.build_feedback, plan.raw_dir, plan.period, plan.processed_dir
                )
            else:
                done_stages[f"feedback:{plan.period}"] = progress.timed(
                    "feedback",
                    lambda: st.ensure_feedback(
                        plan.raw_dir, plan.period, plan.processed_dir, run_id=plan.run_id
                    ),
                    f"writing the feedback workbooks of {plan.period}",
                )
        else:
            done_stages[f"feedback:{plan.period}"] = "current"
    else:
        from analysis.ingest.cleaning import clean_source, feedback_inputs

        in_worker = pool is not None  # the feedback workbooks off the critical path
        cleaned = progress.timed(
            "clean",
            lambda: clean_source(
                plan.raw_dir, plan.period, processed_dir=plan.processed_dir, feedback=not in_worker
            ),
            f"cleaning {plan.source_name} {plan.period}",
        )
        keys = {"clean": clean_key} if in_worker else {"clean": clean_key, st.FEEDBACK_STAGE: clean_key}
        st.record_stages(plan.processed_dir, keys, plan.run_id)
        done_stages[f"clean:{plan.period}"] = "cleaned"
        if in_worker:
            inputs = feedback_inputs(cleaned.log)
            feedback_job = _LaterJob(
                pool, st.build_feedback, plan.raw_dir, plan.period, plan.processed_dir, inputs
            )
        else:
            done_stages[f"feedback:{plan.period}"] = "written"
    return cleaned, feedback_job, done_stages


def _evaluate_and_wait(
    plan: Plan,
    progress: Progress,
    pool: cf.Executor | None,
    jobs: EarlierJobs,
    done_stages: dict[str, str],
    cleaned: Any,
    feedback_job: _LaterJob | None,
    defer: bool,
) -> dict[str, Any]:
    """:func:`prepare_data` once the period is cleaned: its evaluation (after its previous period's), the
    earlier periods' jobs waited for, the feedback workbooks, the history store; the summary."""
    from analysis.publish.runner import stages as st

    force = plan.options.force
    totals = cleaned.quality.get("totals", {}) if cleaned and isinstance(cleaned.quality, dict) else {}
    # the evaluation reads the previous period: wait for its worker (its rt_index is reused)
    prev = st.evaluated_previous(plan.raw_dir, plan.period)
    if pool is None and prev in st.earlier_periods(plan.raw_dir, plan.period) and forces(plan.options, prev):
        result = st.ensure_evaluated(plan.raw_dir, prev, plan.processed_dir.parent / prev, force=True)
        _record_earlier(prev, result, done_stages)  # as the run with workers does (its first job)
    if prev == HUNDRED_DAYS:
        _record_hundred_days(jobs.wait("hundred_days", HUNDRED_DAYS, progress), done_stages)
    elif prev is not None:
        _record_earlier(prev, jobs.wait("evaluate", prev, progress), done_stages)
    if not force and st.evaluation_is_current(plan.raw_dir, plan.period, plan.processed_dir):
        progress.say(f"evaluation of {plan.period} is current (same cleaned tables, configuration and code)")
        done_stages[f"evaluate:{plan.period}"] = "current"
    else:
        result = progress.timed(
            "evaluate",
            lambda: st.ensure_evaluated(
                plan.raw_dir, plan.period, plan.processed_dir, force=force, run_id=plan.run_id, clean=False
            ),
            f"evaluating {plan.source_name} {plan.period}",
        )
        done_stages.update(
            {f"{'evaluate' if p == plan.period else 'clean'}:{p}": v for p, v in result.items()}
        )
    evaluated_files = st.stage_files(plan.processed_dir, "evaluate")
    evaluation_tables = sorted(n.removesuffix(".parquet") for n in evaluated_files if n.endswith(".parquet"))
    t_wait = time.perf_counter()
    results = jobs.wait_all(progress)
    progress.timings["wait:earlier_periods"] = round(time.perf_counter() - t_wait, 3)
    for (what, period), outcome in results.items():
        if what == "hundred_days":
            _record_hundred_days(outcome, done_stages)
        elif what == "evaluate":
            _record_earlier(period, outcome, done_stages)
        elif what == "chain":
            for p, result in outcome.items():
                _record_earlier(p, result, done_stages)
        elif outcome == "cleaned":
            done_stages.setdefault(f"clean:{period}", "cleaned")
    pending = None
    if feedback_job is not None:
        job = feedback_job

        def install_feedback() -> None:
            try:
                (built, key), progress.timings["prepare:feedback"] = job.result()
            except Exception as exc:
                raise PreparationFailed(
                    f"writing the feedback workbooks of {plan.period} failed: {failure_text(exc)}"
                ) from exc
            done_stages[f"feedback:{plan.period}"] = st.install_feedback(
                plan.processed_dir, built, key, plan.run_id
            )

        if defer:
            pending = PendingFeedback(job, install_feedback)
        else:
            install_feedback()
    if pool is None:
        done_stages.update(_prepare_here(plan, progress))
    else:
        from analysis.evaluate.history import refresh

        progress.timed("history", lambda: refresh(plan.processed_dir.parent), "refreshing the history store")
    hundred = done_stages.get(f"evaluate:{HUNDRED_DAYS}") or _hundred_days_state(plan)
    if hundred == "current":
        done_stages[f"evaluate:{HUNDRED_DAYS}"] = "current"
    earlier = sorted(
        (
            k.split(":", 1)[1]
            for k, v in done_stages.items()
            if k.startswith("evaluate:")
            and v == "evaluated"
            and k.split(":", 1)[1] not in (plan.period, HUNDRED_DAYS)
        )
    )
    if earlier:
        progress.say(f"evaluated the earlier period(s) {', '.join(earlier)} for the trends")
    summary = {
        "cleaning_totals": totals,
        "cleaning_has_problems": None if cleaned is None else cleaned.has_problems,
        "evaluation_tables": evaluation_tables,
        "hundred_days": hundred,
        "stages": done_stages,
    }
    if pending is not None:
        summary["pending"] = pending
    return summary


def _hundred_days_state(plan: Plan) -> str:
    from analysis.publish.runner import stages as st

    has_them = plan.period != HUNDRED_DAYS and HUNDRED_DAYS in st.periods_with_files(plan.raw_dir)
    return "current" if has_them else "none"


def _record_hundred_days(outcome: str | None, done_stages: dict[str, str]) -> None:
    if outcome not in (None, "none"):
        done_stages[f"evaluate:{HUNDRED_DAYS}"] = outcome


def _record_earlier(period: str, outcome: dict[str, str] | None, done_stages: dict[str, str]) -> None:
    """``stages.ensure_evaluated``'s result for an earlier period into the summary's stages."""
    for p, v in (outcome or {}).items():
        done_stages[f"{'evaluate' if p == period else 'clean'}:{p}"] = v


def _prepare_here(plan: Plan, progress: Progress) -> dict[str, str]:
    """Without worker processes (``--engine papermill``): the 100 days, then the earlier periods, here."""
    from analysis.publish.runner import stages as st

    stages: dict[str, str] = {}
    hundred = progress.timed(
        "prepare:hundred_days",
        lambda: st.prepare_hundred_days(
            plan.raw_dir,
            plan.period,
            plan.processed_dir,
            forces(plan.options, HUNDRED_DAYS),
        ),
        "evaluating the 100 days",
    )
    _record_hundred_days(hundred, stages)
    earlier = progress.timed(
        "prepare:earlier_periods",
        lambda: prepare_earlier_periods(plan, staged=True),
        "checking the earlier periods for the trends",
    )
    stages.update({f"evaluate:{p}": "evaluated" for p in earlier})
    return stages


def _prepare_unstaged(plan: Plan, progress: Progress, pool: cf.Executor | None) -> dict[str, Any]:
    """:func:`prepare_data` without stage keys (a ``prepare`` that does not take ``staged``): clean and
    evaluate the period, the 100 days in a worker meanwhile, then the earlier periods here."""
    from analysis.evaluate.evaluation import evaluate_source
    from analysis.ingest.cleaning import clean_source

    hundred_days = None
    if pool is not None:
        job = (evaluate_hundred_days, plan.raw_dir, plan.period, plan.processed_dir)
        hundred_days = pool.submit(_timed_call, *job)
        submit_warm_up(pool, plan.options.jobs)
    cleaned = progress.timed(
        "clean",
        lambda: clean_source(plan.raw_dir, plan.period, processed_dir=plan.processed_dir),
        f"cleaning {plan.source_name} {plan.period}",
    )
    totals = cleaned.quality.get("totals", {}) if isinstance(cleaned.quality, dict) else {}
    if cleaned.has_problems:
        progress.say(
            f"cleaning: {', '.join(cleaned.problems())}; see {plan.processed_dir / 'quality.json'} and "
            f"{plan.processed_dir / 'rejected_rows.csv'}"
        )
    evaluated = progress.timed(
        "evaluate",
        lambda: evaluate_source(plan.raw_dir, plan.period, processed_dir=plan.processed_dir),
        f"evaluating {plan.source_name} {plan.period}",
    )
    if hundred_days is not None:
        t_wait = time.perf_counter()
        hundred, progress.timings["prepare:hundred_days"] = hundred_days.result()
        progress.timings["wait:hundred_days"] = round(time.perf_counter() - t_wait, 3)
    else:
        hundred = progress.timed(
            "prepare:hundred_days",
            lambda: evaluate_hundred_days(plan.raw_dir, plan.period, plan.processed_dir),
            "evaluating the 100 days",
        )
    earlier = progress.timed(
        "prepare:earlier_periods",
        lambda: prepare_earlier_periods(plan, staged=False),
        "checking the earlier periods for the trends",
    )
    if earlier:
        progress.say(f"evaluated the earlier period(s) {', '.join(earlier)} for the trends")
    return {
        "cleaning_totals": totals,
        "cleaning_has_problems": cleaned.has_problems,
        "evaluation_tables": sorted(evaluated.tables),
        "hundred_days": hundred,
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
    # papermill's error banner, added at the top of the kept notebook, names the cell by its In [n] and
    # links to it; cell_index counts the cells before papermill added its two banner cells
    where = f"In [{count}]" if count is not None else f"cell {cell_index + 1}"
    line = _first_line(getattr(exc, "source", "") or "")
    return (
        f"notebook {spec.notebook} failed at {where}"
        + (f" `{line}`" if line else "")
        + f": {exc.ename}: {exc.evalue}; the executed notebook with the error is kept in "
        + f"{kept_in / executed.name} (papermill's banner at its top links to the cell)"
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


def init_worker(parent_pid: int, use_death_signal: bool = True) -> None:
    """Set up a worker process of the ``inprocess`` engine: it dies with the run
    (:func:`analysis.core.workers.die_with_parent`, also when the run is killed with ``kill -9``) and
    ignores Ctrl-C (the run stops it), and it exits quickly (:func:`_exit_now`; a fork server's child
    leaves with ``os._exit`` anyway). Nothing is imported here: the first job of a worker is the
    preparation, which needs none of the notebook tools (a fork server's child holds them already:
    :data:`WORKER_PRELOAD`)."""
    import atexit

    die_with_parent(parent_pid, use_death_signal)
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


#: Modules the period notebooks import while they run (``adjustText`` with its part of SciPy, the chart cache, the
#: page-one content, pandas' ``Styler``, itables, the lexers of the analysts' code cells, ...): imported by the warm-up,
#: so a worker forked from a warmed fork server does not import them again for its first notebooks.
NOTEBOOK_IMPORTS = (
    "adjustText",
    "filelock",
    "itables",
    "pandas.io.formats.style",
    "pyarrow.dataset",
    "IPython.lib.lexers",
    "analysis.publish.chartcache",
    "analysis.publish.content.glossary",
    "analysis.publish.content.load",
    "analysis.publish.content.pageone",
)

#: True in a process whose notebook tools are warm (:func:`warm_worker` ran here, or in the fork server this
#: process was forked from: :mod:`analysis.publish.runner.fork_server_warm`).
_warm = False


def warm_worker() -> None:
    """Import and build, once per process, what executing and exporting a notebook needs (papermill and our
    engine registered with it, the IPython shell, the nbconvert exporters with their templates compiled,
    WeasyPrint and its fonts, matplotlib's fonts, the modules the notebooks import), so the first notebook
    does not pay it. Nothing again in a process that is warm already (a fork of a warmed fork server)."""
    global _warm
    if _warm:
        return
    import importlib

    _draw_without_display()
    from analysis.publish import charts, export, nbengine, nbexec  # noqa: F401  (imports are the point)
    from analysis.publish.content import index_tables, messages, program_tables, quality_tables  # noqa: F401

    for name in NOTEBOOK_IMPORTS:
        importlib.import_module(name)
    nbengine.register()
    nbexec.notebook_shell()
    _compile_report_templates(export)
    export.html_to_pdf("<p>warm</p>")
    _draw_a_chart(charts)
    # what is alive now lives as long as the worker: out of the collector's way (gc.freeze), so the full
    # collection of the shell's reset before each notebook does not walk it again; then fewer young
    # collections for the rest of the worker (gctune.fewer_collections_from_now: the four period notebooks
    # 9.2 -> 8.3 s CPU in a warm worker, median of 3 alternating)
    import gc

    from analysis.core import gctune

    gc.collect()
    gc.freeze()
    gctune.fewer_collections_from_now()
    _warm = True


def _compile_report_templates(export) -> None:
    """Export an empty notebook with both exporters: nbconvert compiles their Jinja templates at the first
    export (kept by the exporters, which are one per process)."""
    import datetime as dt

    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("warm")])
    context = export.ReportContext(
        lang="id",
        period="2026-TW1",
        source_name="warm",
        is_synthetic=True,
        run_id="warm",
        generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    export.export_briefing_html(nb, context)
    export.export_analyst_html(nb, context)


def _draw_a_chart(charts) -> None:
    """Save a small chart with a title and tick labels as the charts are saved, so matplotlib loads its
    fonts and its SVG writer once, here."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5), layout="constrained")
    ax.barh(["a", "b"], [1.0, 2.0])
    ax.set_title("warm")
    try:
        charts.figure_svg(fig)
    finally:
        plt.close(fig)


#: The pools whose workers have been sent their warm-up (one per worker, once: a pool shared by several
#: periods is warmed by the first).
_WARMED: weakref.WeakSet = weakref.WeakSet()


def submit_warm_up(pool: cf.Executor, jobs: int) -> None:
    """Send ``jobs`` warm-ups (:func:`warm_worker`) to ``pool``, unless it has had them already."""
    try:
        if pool in _WARMED:
            return
        _WARMED.add(pool)
    except TypeError:  # not weakly referable: warmed each time
        pass
    for _ in range(jobs):  # idle workers import what the notebooks need meanwhile
        pool.submit(warm_worker).add_done_callback(_report_warm_up_failure)


def _report_warm_up_failure(future: cf.Future) -> None:
    """A warm-up that failed is logged (the notebook job that follows meets the same error and fails)."""
    if not future.cancelled() and future.exception() is not None:
        log.warning("warming up a worker failed: %s", future.exception())


def run_notebook_job(plan: Plan, spec: NotebookSpec, staging: Path) -> NotebookResult:
    """In a worker process: execute one notebook with papermill and our engine ``kota-jambi`` (this
    process's IPython shell, :mod:`analysis.publish.nbengine`), papermill writing the executed notebook into
    ``staging``, and export it there. A failing cell is reported in the result (the executed notebook, saved
    by papermill, shows the error and papermill's error banner); anything else raises."""
    from analysis.publish.content.load import prepared_by_caller
    from analysis.publish.nbengine import execute_in_process
    from analysis.publish.nbexec import CellFailed

    _draw_without_display()
    source = (Path(plan.options.notebooks_dir) / spec.notebook).resolve()
    executed = staging / f"{spec.name}.ipynb"
    t0 = time.perf_counter()
    # a notebook that reads only the cleaning's files may run while the run evaluates the period
    # (:func:`submit_early_notebooks`): its ``load.ensure_processed`` must not evaluate it too
    prepared = (
        prepared_by_caller(plan.processed_dir) if spec.reads == "cleaning" else contextlib.nullcontext()
    )
    try:
        with prepared:
            nb = execute_in_process(source, plan.parameters(spec), cwd=source.parent, output_path=executed)
    except CellFailed as exc:
        failure = {
            "cell_index": exc.cell_index,
            "exec_count": exc.exec_count,
            "source": exc.source,
            "ename": exc.ename,
            "evalue": exc.evalue,
        }
        return NotebookResult(spec.name, round(time.perf_counter() - t0, 3), failure=failure)
    t1 = time.perf_counter()
    export_notebook(plan, spec, nb, staging)
    return NotebookResult(spec.name, round(t1 - t0, 3), round(time.perf_counter() - t1, 3))


#: What the fork server imports once for the run's workers (:func:`analysis.core.workers.worker_context`):
#: the preparation's modules (a worker's first job cleans and evaluates an earlier period), then
#: :func:`warm_worker`'s (the notebooks' tools). Importing them starts no Python thread.
WORKER_PRELOAD = (
    "analysis.publish.runner.execute",
    "analysis.publish.runner.stages",
    "analysis.ingest.cleaning",
    "analysis.ingest.feedback",
    "analysis.evaluate.evaluation",
    "analysis.evaluate.history",
    "scipy.stats",
    "matplotlib.pyplot",
    "analysis.publish.charts",
    "analysis.publish.export",
    "analysis.publish.interactive",
    "analysis.publish.nbengine",
    "analysis.publish.content.followups",
    "analysis.publish.content.index_tables",
    "analysis.publish.content.messages",
    "analysis.publish.content.program_tables",
    "analysis.publish.content.quality_tables",
    "analysis.publish.content.trends",
    "papermill",
    "nbconvert",
    "analysis.publish.weasy",
)


#: :data:`WORKER_PRELOAD` for a run whose workers evaluate no earlier period (a scheduled run: the
#: earlier periods and the 100 days current): without ``scipy.stats``, which only the evaluation imports
#: (0.7 s of the fork server's CPU, before any worker can start). The run evaluates its period itself.
#: The fork server then warms the notebook tools up once for both workers
#: (:mod:`analysis.publish.runner.fork_server_warm`), instead of each worker doing it.
NOTEBOOK_PRELOAD = (
    *(name for name in WORKER_PRELOAD if name != "scipy.stats"),
    "analysis.publish.runner.fork_server_warm",
)


def start_workers(plan: Plan) -> cf.ProcessPoolExecutor:
    """The ``inprocess`` engine's worker processes (forks of a fork server that has imported
    :data:`WORKER_PRELOAD`, or spawned: never a fork of this process, which holds pyarrow's threads).
    The fork server starts now (importing its preload, :data:`NOTEBOOK_PRELOAD` when no earlier period
    is to be prepared, while the data are being prepared) and a worker with each of the first submits (:func:`prepare_data` makes them in the background: each waits until
    the fork server is ready). The earlier periods' jobs it checks to choose the preload are
    handed to :func:`submit_earlier_periods` of the same plan (not checked twice)."""
    n = max(1, min(plan.options.jobs, len(plan.options.matrix)))
    earlier = earlier_period_jobs(plan)
    context = worker_context(WORKER_PRELOAD if earlier else NOTEBOOK_PRELOAD)
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()  # starts the server (no wait for its preload): public since 3.4
    pool = cf.ProcessPoolExecutor(
        max_workers=n,
        mp_context=context,
        initializer=init_worker,
        initargs=initializer_args(),
    )
    _PLANNED_AT_START[pool] = (plan, earlier)
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
            written.append(write_bytes_atomic(staging / f"{spec.name}.pdf", export.html_to_pdf(html)))
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
    return write_text_atomic(path, text)


def _execute_in_workers(plan: Plan, staging: Path, progress: Progress, pool: cf.Executor) -> None:
    """The ``inprocess`` engine: every notebook is a job for ``pool`` (:func:`submit_notebooks`), waited
    for here (:meth:`NotebookJobs.collect`)."""
    submit_notebooks(plan, staging, progress, pool).collect()


@dataclass
class NotebookJobs:
    """The notebooks of one run submitted to the worker processes (:func:`submit_early_notebooks`, then
    :func:`submit_notebooks`); each is reported (a progress line, its timings) as soon as it is done, also
    while this process prepares the period or the next one (``run_periods``)."""

    plan: Plan
    staging: Path
    progress: Progress
    pool: cf.Executor
    futures: dict[cf.Future, NotebookSpec] = field(default_factory=dict)
    t0: float | None = None  # when the notebooks that read the evaluation were submitted
    submitted: dict[str, float] = field(default_factory=dict)
    finished: dict[str, float] = field(default_factory=dict)

    def submit(self, specs: list[NotebookSpec]) -> None:
        """Each of ``specs`` as a job for the pool (:func:`run_notebook_job`), reported when done."""
        for spec in specs:
            self.submitted[spec.name] = time.perf_counter()
            future = self.pool.submit(run_notebook_job, self.plan, spec, self.staging)
            self.futures[future] = spec
            future.add_done_callback(self._report)

    def done(self) -> bool:
        """True when every notebook has finished (successfully or not): :meth:`collect` will not wait."""
        return all(future.done() for future in self.futures)

    def _report(self, future: cf.Future) -> None:
        """A done callback (the executor's thread): the notebook's line and time, as soon as it is done."""
        spec = self.futures.get(future)
        if spec is None or future.cancelled():
            return
        self.finished.setdefault(spec.name, time.perf_counter())
        error = future.exception()
        result = None if error is not None else future.result()
        if error is not None or result.failure:
            self.progress.say(f"{spec.name}: failed (the error follows when the period is collected)")
        else:
            self.progress.say(
                f"{spec.name}: executed in {result.execute_s:.1f} s, exported in {result.export_s:.1f} s"
            )

    def abandon(self, stopped: bool) -> None:
        """Before the staging folder is removed (the run stopped, or its report is kept): the notebooks not
        started are cancelled, and unless the pool is ``stopped`` those running are waited for (their
        workers go on with other runs' notebooks)."""
        for future in self.futures:
            future.cancel()
        if not stopped:
            cf.wait(list(self.futures))

    def collect(self) -> None:
        """Wait for every notebook and record its timings; when any failed, after all have finished (the
        failed folder shows them all), :class:`NotebookFailed` for the first that did. ``done:<name>``
        counts from the notebook's submission; ``early:<name>``, for one started before the others
        (:func:`submit_early_notebooks`), how much earlier; ``notebooks`` is the time from the others'
        submission to the last one done."""
        cf.wait(list(self.futures))
        now = time.perf_counter()
        t0 = self.t0 if self.t0 is not None else min(self.submitted.values(), default=now)
        order = sorted(self.futures, key=lambda f: self.finished.get(self.futures[f].name, now))
        first: tuple[str, BaseException | None] | None = None
        for future in order:
            spec = self.futures[future]
            executed = self.staging / f"{spec.name}.ipynb"
            try:
                result = future.result()
            except Exception as exc:  # an export error, or a worker that died
                first = first or (_failure_message(spec, exc, executed, self.plan.failed_dir), exc)
                continue
            if result.failure:
                error = _CellError(result.failure)
                first = first or (_failure_message(spec, error, executed, self.plan.failed_dir), None)
                continue
            timings = self.progress.timings
            timings[f"execute:{spec.name}"] = result.execute_s
            timings[f"export:{spec.name}"] = result.export_s
            submitted = self.submitted.get(spec.name, t0)
            timings[f"done:{spec.name}"] = round(self.finished.get(spec.name, now) - submitted, 3)
            if submitted < t0:
                timings[f"early:{spec.name}"] = round(t0 - submitted, 3)
        if first is not None:
            message, cause = first
            raise NotebookFailed(message) from cause
        self.progress.timings["notebooks"] = round(max(0.0, max(self.finished.values(), default=now) - t0), 3)


def submit_early_notebooks(plan: Plan, jobs: NotebookJobs, progress: Progress) -> None:
    """Submit to ``jobs`` the notebooks of the run matrix that read only the period's cleaning files
    (``NotebookSpec.reads == "cleaning"``: notebook 01), once the period is cleaned: a worker executes
    them while this process evaluates the period (the evaluation swaps the folder in whole, with the same
    cleaning files). The others follow with :func:`submit_notebooks`."""
    early = [spec for spec in plan.options.matrix if spec.reads == "cleaning"]
    if early:
        jobs.submit(early)
        progress.say(f"executing {', '.join(spec.notebook for spec in early)} (reads the cleaning only)")


def submit_notebooks(
    plan: Plan,
    staging: Path,
    progress: Progress,
    pool: cf.Executor,
    queued: bool = False,
    jobs: NotebookJobs | None = None,
) -> NotebookJobs:
    """Submit every notebook of the run matrix to ``pool`` (execute + export in the worker,
    :func:`run_notebook_job`) but those ``jobs`` has already (:func:`submit_early_notebooks`); notebooks
    exported as a briefing go first, so their PDF overlaps the other notebooks. ``queued``: the pool may
    still be busy with an earlier period's notebooks (the line says so)."""
    jobs = jobs if jobs is not None else NotebookJobs(plan, staging, progress, pool)
    started = set(jobs.submitted)
    specs = [
        spec
        for spec in sorted(plan.options.matrix, key=lambda s: s.export != "briefing")  # stable sort
        if spec.name not in started
    ]
    jobs.t0 = time.perf_counter()
    jobs.submit(specs)
    names = ", ".join(spec.notebook for spec in specs)
    if queued:
        progress.say(
            f"queued {names} for the {plan.options.jobs} workers (after the notebooks queued before)"
        )
    else:
        progress.say(f"executing {names} ({plan.options.jobs} at a time)")
    return jobs


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
