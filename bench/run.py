"""Benchmark: our commands against the naive chain of CLI calls, and cleaning + evaluation at scale.

``make bench`` (= ``.venv/bin/python bench/run.py``) prints medians and ratios and writes
``bench/results.json``; ``docs/performance.md`` records a run. Options: ``--quick`` (fewer repeats, for a
smoke test), ``--full`` (adds 100 × the city, 165,000 RTs, with the default 1,000 rank simulations:
about 2 more minutes), ``--naive-rts N``.

Every measurement is a fresh process timed from the outside (wall clock), its peak memory read with
``os.wait4`` (the largest resident set of the process). Sections:

1. **Period briefing** (sample, 2026-TW3): ``python -m analysis run`` (clean, evaluate, 4 notebooks, HTML +
   PDF) against the naive chain: ``python -m analysis evaluate``, one ``papermill`` CLI call per notebook,
   one ``jupyter nbconvert`` CLI call per HTML export and one ``weasyprint`` CLI call for the PDF (nbconvert's
   own PDF routes do not work offline here: ``--to webpdf`` needs a Chromium that playwright downloaded,
   ``--to pdf`` needs TeX).
2. **67 pilot scorecards** (sample, 2025-TW4): ``python -m analysis scorecards --force`` against the naive
   chain per RT (``papermill`` CLI + ``nbconvert`` HTML CLI + ``weasyprint`` CLI), measured on N RTs and
   **extrapolated linearly** to 67 (said so in the output); the in-process engine against the papermill
   engine on the same 10 RTs; a rerun with nothing changed (must rebuild nothing).
3. **Cleaning + evaluation at scale**: the full pipeline for the city (1,650 RTs × 8 periods) from raw
   files; cleaning at 1×, 4×, 10× the city; evaluation from cleaned tables at 1×, 4×, 10×; with ``--full``,
   100× (165,000 RTs, evaluation from cleaned tables: no raw source can hold it, see bench/scale_data.py).
4. **The city's scorecards** (``--city-rts N``, default all 1,650 RTs of a scaled city, HTML + PDF):
   ``--jobs 2`` local workers, then the same cards with ``--scheduler`` on a ``distributed.LocalCluster``
   of 2 one-thread workers, and a Dask rerun into the local cards' folder (the same cache: 0 rebuilt);
   wall seconds per card against the target (≤ 0.15 s).

The period briefing is measured interleaved (ours, naive, ours, …) so both meet the same load, with the
CPU (user + system) of each process tree as well as its wall time. Every ratio is recorded with
``target()`` and printed against its target at the end (``print_targets``); another section adds its
own lines the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
PY = sys.executable
SAMPLE = ROOT / "data" / "raw" / "sample"
NOTEBOOKS = ROOT / "notebooks"
BRIEFING_PERIOD = "2026-TW3"
SCORECARD_PERIOD = "2025-TW4"
CITY_RTS = 1650


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str = ""
    cpu_s: float = 0.0  # user + system CPU of the process and of its children it waited for (os.wait4)


#: Every ratio of the run against its target, printed together at the end (``target()``); a section of
#: another benchmark (e.g. the nothing-changed rerun, ``--period all``) adds its lines with ``target()``.
TARGETS: list[dict] = []


def target(name: str, value: float, goal: float, higher_is_better: bool, unit: str = "x") -> dict:
    """Record (and return) one measured ratio against its target for the summary."""
    met = value >= goal if higher_is_better else value <= goal
    row = {"name": name, "value": value, "target": goal, "unit": unit,
           "op": ">=" if higher_is_better else "<=", "met": met}  # fmt: skip
    TARGETS.append(row)
    return row


def print_targets() -> None:
    say("== Targets (ratios of this run; shared machine: see the load averages)")
    for t in TARGETS:
        say(f"   {t['name']:58s} {t['value']:8.3f} {t['unit']:5s} target {t['op']} {t['target']:<6g} "
            f"{'met' if t['met'] else 'NOT met'}")  # fmt: skip


def measure(cmd: list[str], cwd: Path = ROOT, check: bool = True) -> Run:
    """Run ``cmd`` in a fresh process; wall time and its peak resident memory (``os.wait4``)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{stderr[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(round(seconds, 3), round(usage.ru_maxrss / 1024, 1), proc.returncode, stdout, round(cpu, 3))


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def say(text: str = "") -> None:
    print(text, flush=True)


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except OSError:
        mem_kb = 0
    import importlib.metadata as md

    versions = {}
    for name in ("pandas", "numpy", "pyarrow", "papermill", "nbconvert", "nbclient", "ipykernel", "ipython",
                 "weasyprint", "dask", "distributed", "pandera", "openpyxl"):  # fmt: skip
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


# --------------------------------------------------------------------------------------------------
# 1. Period briefing


def common_params(processed: Path, period: str, run_id: str) -> list[str]:
    params = {
        "raw_dir": SAMPLE,
        "processed_dir": processed,
        "period": period,
        "lang": "id",
        "source_name": "sample",
        "is_synthetic": "True",
        "run_id": run_id,
    }
    out: list[str] = []
    for k, v in params.items():
        out += ["-p", k, str(v)]
    return out


def seed_processed(seed: Path | None, processed_root: Path) -> None:
    """Start from ``seed`` (a processed root in which every period before the briefing's is evaluated,
    :func:`make_seed`), copied, or from an empty folder when ``seed`` is None."""
    if seed is not None:
        shutil.copytree(seed, processed_root)


def make_seed(tmp: Path) -> Path:
    """A processed root as a quarterly scheduled run finds it: the periods before the briefing's (and the
    100 days) evaluated and published by our ``run`` of the previous period; only the new period is new."""
    from analysis.core.periods import previous_period

    seed = tmp / "seed"
    prev = previous_period(BRIEFING_PERIOD)
    r = measure([PY, "-m", "analysis", "run", "--raw", SAMPLE, "--period", prev, "--out", seed / "reports",
                 "--processed", seed / "processed", "--quiet"])  # fmt: skip
    say(f"   seed: the periods up to {prev} evaluated by one run ({r.seconds:.1f} s)")
    # a quarter later the previous run's chart cache is gone (entries unused for 30 days are removed,
    # analysis.publish.chartcache); kept, it would give this run the 100 days' bars, drawn by that run
    charts = seed / "processed" / SAMPLE.name / ".chart-cache"
    if charts.exists():
        shutil.rmtree(charts)
    return seed / "processed"


def naive_briefing(tmp: Path, seed: Path | None = None) -> Run:
    """evaluate CLI, then papermill CLI per notebook, nbconvert CLI per HTML, weasyprint CLI for the PDF."""
    from analysis.publish.runner.plan import RUN_MATRIX

    processed = (
        tmp / "processed" / "sample" / BRIEFING_PERIOD
    )  # --processed is the root (ROOT/<source>/<period>)
    out = tmp / "out"
    out.mkdir(parents=True)
    seed_processed(seed, tmp / "processed")
    steps: list[list] = [
        [
            PY,
            "-m",
            "analysis",
            "evaluate",
            "--raw",
            SAMPLE,
            "--period",
            BRIEFING_PERIOD,
            "--processed",
            tmp / "processed",
        ]
    ]
    for spec in RUN_MATRIX:
        executed = out / f"{spec.name}.ipynb"
        steps.append(
            [VENV_BIN / "papermill", NOTEBOOKS / spec.notebook, executed, *common_params(processed, BRIEFING_PERIOD, "naive"),
             "--cwd", NOTEBOOKS, "--no-progress-bar"]
        )  # fmt: skip
        if spec.export == "briefing":
            steps.append([VENV_BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed])
            steps.append([VENV_BIN / "weasyprint", out / f"{spec.name}.html", out / f"{spec.name}.pdf"])
        else:
            steps.append([VENV_BIN / "jupyter", "nbconvert", "--to", "html", executed])
    t = time.perf_counter()
    peak = 0.0
    cpu = 0.0
    step_s = []
    for cmd in steps:
        r = measure(cmd)
        peak = max(peak, r.max_rss_mb)
        cpu += r.cpu_s
        step_s.append(
            (
                Path(str(cmd[0])).name
                + " "
                + " ".join(str(c) for c in cmd[1:4] if not str(c).startswith("/")),
                r.seconds,
            )
        )
    run = Run(round(time.perf_counter() - t, 3), peak, 0, cpu_s=round(cpu, 3))
    run.stdout = json.dumps(step_s)
    return run


def ours_briefing(d: Path, seed: Path | None = None) -> tuple[Run, dict]:
    d.mkdir(parents=True, exist_ok=True)
    seed_processed(seed, d / "processed")
    run = measure([PY, "-m", "analysis", "run", "--raw", SAMPLE, "--period", BRIEFING_PERIOD,
                   "--out", d / "reports", "--processed", d / "processed", "--quiet"])  # fmt: skip
    manifest = json.loads(
        (d / "reports" / "sample" / BRIEFING_PERIOD / "manifest.json").read_text(encoding="utf-8")
    )
    return run, manifest.get("timings_s", {})


#: The steps of a period run that follow one another whatever the schedule (``timings_s`` of its
#: manifest): the period is validated, cleaned and evaluated in the run's process, the history store
#: refreshed, then the briefing (which reads all of it) executed and exported (HTML, then the PDF made from
#: it). Their sum, as measured in the run (under its load), is the wall no overlap can go below; the
#: interpreter's start before ``validate`` comes on top.
CRITICAL_STEPS = ("validate", "clean", "evaluate", "history", "execute:briefing", "export:briefing")


def critical_path(steps: dict) -> float:
    """The sum of :data:`CRITICAL_STEPS` in a run's ``timings_s`` (a step the run did not do counts 0:
    e.g. ``clean`` when its stage was current).

    >>> critical_path({"validate": 0.5, "evaluate": 1.5, "execute:briefing": 2.0, "export:briefing": 1.0})
    5.0
    """
    return round(sum(float(steps.get(name, 0.0)) for name in CRITICAL_STEPS), 3)


def bench_briefing(tmp: Path, repeat: int, repeat_naive: int, starts: tuple[str, ...]) -> dict:
    """Ours and the naive chain interleaved (ours, naive, ours, naive, ours...), so both meet the same
    load; wall time and CPU (user + system of the process and its children) of each. ``starts``: from
    ``empty`` folders (every earlier period is evaluated too, for the trends), and/or ``scheduled``: the
    earlier periods already evaluated (:func:`make_seed`), as a quarterly run finds them."""
    results = {}
    for start in starts:
        seed = make_seed(tmp / start) if start == "scheduled" else None
        results[start] = _bench_briefing(tmp / start, repeat, repeat_naive, start, seed)
    return results


def _bench_briefing(tmp: Path, repeat: int, repeat_naive: int, start: str, seed: Path | None) -> dict:
    label = "from empty folders" if seed is None else "earlier periods current (a scheduled run)"
    say(
        f"== 1. Period briefing (sample, {BRIEFING_PERIOD}), {label}: ours vs the naive CLI chain (interleaved)"
    )
    ours, ours_steps, naive = [], [], []
    for i in range(max(repeat, repeat_naive)):
        if i < repeat:
            run, steps = ours_briefing(tmp / f"ours-{i}", seed)
            ours.append(run)
            ours_steps.append(steps)
            say(f"   ours  run {i + 1}: {run.seconds:6.1f} s, CPU {run.cpu_s:6.1f} s  (steps: {steps})")
        if i < repeat_naive:
            naive.append(naive_briefing(tmp / f"naive-{i}", seed))
            say(f"   naive run {i + 1}: {naive[-1].seconds:6.1f} s, CPU {naive[-1].cpu_s:6.1f} s  "
                f"(steps: {naive[-1].stdout})")  # fmt: skip
    m_ours, m_naive = median([r.seconds for r in ours]), median([r.seconds for r in naive])
    c_ours, c_naive = median([r.cpu_s for r in ours]), median([r.cpu_s for r in naive])
    ratio = round(m_naive / m_ours, 2)
    cpu_ratio = round(c_ours / c_naive, 3)
    say(f"   median ours {m_ours:.1f} s, naive {m_naive:.1f} s -> ours is {ratio}x faster (target >= 5x)")
    say(f"   median CPU ours {c_ours:.1f} s, naive {c_naive:.1f} s -> ours uses {cpu_ratio:.2f} of it "
        "(target <= 0.5)")  # fmt: skip
    target(f"period run ({start}): naive wall / ours wall", ratio, 5, True)
    target(f"period run ({start}): ours CPU / naive CPU", cpu_ratio, 0.5, False)
    chain, wall_for_target = median([critical_path(steps) for steps in ours_steps]), round(m_naive / 5, 3)
    say(f"   the run's sequential chain (its own steps, {' + '.join(CRITICAL_STEPS)}): median {chain:.1f} s; "
        f"5x needs a wall of {wall_for_target:.1f} s")  # fmt: skip
    return {
        "start": label,
        "ours_s": [r.seconds for r in ours],
        "naive_s": [r.seconds for r in naive],
        "ours_cpu_s": [r.cpu_s for r in ours],
        "naive_cpu_s": [r.cpu_s for r in naive],
        "ours_median_s": m_ours,
        "naive_median_s": m_naive,
        "ours_cpu_median_s": c_ours,
        "naive_cpu_median_s": c_naive,
        "ours_steps_s": ours_steps,
        "naive_steps_s": [json.loads(r.stdout) for r in naive],
        "speedup": ratio,
        "cpu_ratio": cpu_ratio,
        "critical_path_median_s": chain,
        "wall_for_target_s": wall_for_target,
        "target": 5,
        "cpu_target": 0.5,
    }


# --------------------------------------------------------------------------------------------------
# 2. Scorecards


def naive_scorecard(tmp: Path, processed: Path, rt: str) -> float:
    executed = tmp / f"{rt}.ipynb"
    cmds = [
        [VENV_BIN / "papermill", NOTEBOOKS / "05_scorecard_rt.ipynb", executed,
         *common_params(processed, SCORECARD_PERIOD, "naive"), "-p", "kode_rt", rt, "--cwd", NOTEBOOKS, "--no-progress-bar"],
        [VENV_BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed],
        [VENV_BIN / "weasyprint", tmp / f"{rt}.html", tmp / f"{rt}.pdf"],
    ]  # fmt: skip
    return sum(measure(cmd).seconds for cmd in cmds)


def scorecards_cmd(processed_root: Path, out: Path, *extra: str) -> list:
    return [PY, "-m", "analysis", "scorecards", "--raw", SAMPLE, "--period", SCORECARD_PERIOD,
            "--processed", processed_root, "--out", out, "--jobs", "2", "--quiet", *extra]  # fmt: skip


def bench_scorecards(tmp: Path, repeat: int, naive_rts: int) -> dict:
    import pandas as pd

    say(f"== 2. Scorecards of the 67 pilot RTs (sample, {SCORECARD_PERIOD})")
    processed_root = tmp / "processed"
    measure([PY, "-m", "analysis", "evaluate", "--raw", SAMPLE, "--period", SCORECARD_PERIOD,
             "--processed", processed_root])  # fmt: skip
    rts = pd.read_parquet(processed_root / "sample" / SCORECARD_PERIOD / "rt_index.parquet")[
        "rt_code"
    ].tolist()
    n = len(rts)
    out = tmp / "cards"
    cold = []
    for i in range(repeat):
        cold.append(measure(scorecards_cmd(processed_root, out, "--force")))
        say(f"   ours, {n} cards (HTML+PDF), cold run {i + 1}: {cold[-1].seconds:6.1f} s")
    rerun, rebuilt_each = [], []
    for _ in range(max(3, repeat)):
        rerun.append(measure(scorecards_cmd(processed_root, out)))
        rebuilt_each.append(
            json.loads((out / "summary.json").read_text(encoding="utf-8"))["totals"]["rebuilt"]
        )
    rebuilt = max(rebuilt_each)
    say(
        f"   ours, rerun with nothing changed: median {median([r.seconds for r in rerun]):.1f} s, {rebuilt} rebuilt (target 0)"
    )

    subset = rts[:10]
    engines = {}
    for engine in ("inprocess", "papermill"):
        r = measure(
            scorecards_cmd(
                processed_root, tmp / f"engine-{engine}", "--force", "--engine", engine, "--rt", *subset
            )
        )
        engines[engine] = r.seconds
        say(f"   engine {engine:9s}: {len(subset)} cards in {r.seconds:5.1f} s (2 jobs)")

    naive_times = []
    naive_dir = tmp / "naive"
    naive_dir.mkdir()
    for rt in rts[:naive_rts]:
        naive_times.append(
            round(naive_scorecard(naive_dir, processed_root / "sample" / SCORECARD_PERIOD, rt), 3)
        )
        say(f"   naive chain, RT {rt}: {naive_times[-1]:5.1f} s")
    per_rt = median(naive_times)
    naive_total = round(per_rt * n, 1)
    m_cold = median([r.seconds for r in cold])
    ratio = round(naive_total / m_cold, 1)
    say(
        f"   naive chain measured on {len(naive_times)} RTs (median {per_rt:.1f} s per RT), EXTRAPOLATED linearly to "
        f"{n} RTs: {naive_total:.0f} s"
    )
    say(
        f"   median ours {m_cold:.1f} s vs naive (extrapolated) {naive_total:.0f} s -> {ratio}x faster (target >= 10x)"
    )
    target("67 scorecards: naive (extrapolated) / ours", ratio, 10, True)
    target("67 scorecards rerun, nothing changed: cards rebuilt", rebuilt, 0, False, "cards")
    return {
        "rts": n,
        "ours_cold_s": [r.seconds for r in cold],
        "ours_cold_median_s": m_cold,
        "ours_cold_peak_rss_mb": max(r.max_rss_mb for r in cold),
        "rerun_s": [r.seconds for r in rerun],
        "rerun_median_s": median([r.seconds for r in rerun]),
        "rerun_rebuilt": rebuilt_each,
        "engine_subset_rts": len(subset),
        "engine_s": engines,
        "engine_speedup": round(engines["papermill"] / engines["inprocess"], 2),
        "naive_measured_rts": len(naive_times),
        "naive_per_rt_s": naive_times,
        "naive_per_rt_median_s": per_rt,
        "naive_extrapolated_s": naive_total,
        "speedup": ratio,
        "target": 10,
    }


# --------------------------------------------------------------------------------------------------
# 4. The city's scorecards (1,650 RTs), local workers and Dask


CITY_PERIODS = ("2026-TW1", "2026-TW2")
CARD_TARGET_S = 0.15  # wall seconds per card on 2 cores


#: Dask settings stated with the city's Dask line: the worker's statistical profiler (every 10 ms, in the
#: worker's event loop) and the event loop's own checks; the benchmark's cluster keeps the defaults.
DASK_SETTINGS = ("worker.profile.enabled", "worker.profile.interval", "admin.tick.interval")


def _dask_cluster_cmd(address_file: Path) -> list:
    """A ``LocalCluster`` of 2 one-thread worker processes in its own process; it writes its address."""
    code = (
        "import sys, time; from distributed import LocalCluster\n"
        "c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)\n"
        f"open({str(address_file)!r}, 'w').write(c.scheduler_address)\n"
        "while True: time.sleep(1)\n"
    )
    return [PY, "-c", code]


def bench_city_cards(tmp: Path, n_rts: int, dask: bool = True) -> dict:
    """Scorecards (HTML + PDF) of the city's ``n_rts`` RTs: ``--jobs 2`` local workers, then the same
    cards with ``--scheduler`` on a ``LocalCluster`` of 2 workers (cold, ``--force``), then a Dask rerun
    into the local cards' folder (the same cache: nothing to rebuild). Per card: the command's wall time
    divided by the cards, and its CPU; the cluster's own CPU is not in the command's (it is another
    process tree), so the Dask line gives wall time only."""
    sys.path.insert(0, str(BENCH))
    import pandas as pd
    import scale_data

    say(f"== 4. The city's scorecards ({n_rts:,} of {CITY_RTS:,} RTs, HTML + PDF): local and Dask")
    raw = tmp / "raw_city"
    scale_data.write_raw_source(raw, CITY_RTS, CITY_PERIODS)
    processed = tmp / "processed"
    period = CITY_PERIODS[-1]
    measure([PY, "-m", "analysis", "evaluate", "--raw", raw, "--period", period, "--processed", processed])
    rts = pd.read_parquet(processed / raw.name / period / "rt_index.parquet")["rt_code"].tolist()[:n_rts]
    select = [] if n_rts >= CITY_RTS else ["--rt", *rts]

    def cards(out: Path, *extra: str) -> Run:
        return measure([PY, "-m", "analysis", "scorecards", "--raw", raw, "--period", period,
                        "--processed", processed, "--out", out, "--quiet", *select, *extra])  # fmt: skip

    def totals(out: Path) -> dict:
        return json.loads((out / "summary.json").read_text(encoding="utf-8"))["totals"]

    result: dict = {"rts": len(rts)}
    local = cards(tmp / "cards-local", "--jobs", "2", "--force")
    result["local"] = {"seconds": local.seconds, "cpu_s": local.cpu_s, "per_card_s": round(local.seconds / len(rts), 4),
                       "cpu_per_card_s": round(local.cpu_s / len(rts), 4), "totals": totals(tmp / "cards-local")}  # fmt: skip
    say(f"   local, 2 workers: {local.seconds:7.1f} s, {result['local']['per_card_s']:.3f} s per card "
        f"(CPU {result['local']['cpu_per_card_s']:.3f} s per card); {result['local']['totals']}")  # fmt: skip
    target(f"city scorecards, local 2 workers: s per card ({len(rts)} cards)", result["local"]["per_card_s"],
           CARD_TARGET_S, False, "s")  # fmt: skip

    html = cards(tmp / "cards-html", "--jobs", "2", "--force", "--formats", "html")
    result["local_html_only"] = {"seconds": html.seconds, "cpu_s": html.cpu_s, "per_card_s": round(html.seconds / len(rts), 4),
                                 "cpu_per_card_s": round(html.cpu_s / len(rts), 4)}  # fmt: skip
    say(f"   local, 2 workers, HTML only (--formats html): {html.seconds:7.1f} s, "
        f"{result['local_html_only']['per_card_s']:.3f} s per card (CPU {result['local_html_only']['cpu_per_card_s']:.3f} s)")  # fmt: skip
    if not dask:
        return result

    import distributed  # noqa: F401  (loads its configuration's defaults)
    from dask import config as dask_config

    # the cluster's settings that shape a card's time in a worker (the cluster inherits this environment)
    result["dask_config"] = {k: dask_config.get(f"distributed.{k}") for k in DASK_SETTINGS}
    say(
        f"   Dask LocalCluster(n_workers=2, threads_per_worker=1), its configuration: {result['dask_config']}"
    )
    address_file = tmp / "dask-address"
    cluster = subprocess.Popen([str(c) for c in _dask_cluster_cmd(address_file)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(120):
            if address_file.exists() and address_file.read_text():
                break
            time.sleep(0.5)
        address = address_file.read_text()
        dask = cards(tmp / "cards-dask", "--scheduler", address, "--force")
        result["dask"] = {"scheduler": address, "seconds": dask.seconds, "per_card_s": round(dask.seconds / len(rts), 4),
                          "totals": totals(tmp / "cards-dask")}  # fmt: skip
        say(f"   Dask LocalCluster(n_workers=2): {dask.seconds:7.1f} s, {result['dask']['per_card_s']:.3f} s per card; "
            f"{result['dask']['totals']}")  # fmt: skip
        target(f"city scorecards, Dask 2 workers: s per card ({len(rts)} cards)", result["dask"]["per_card_s"],
               CARD_TARGET_S, False, "s")  # fmt: skip
        rerun = cards(tmp / "cards-local", "--scheduler", address)
        result["dask_rerun_same_cache"] = {"seconds": rerun.seconds, "totals": totals(tmp / "cards-local")}
        say(f"   Dask rerun on the local cards' folder (same cache): {rerun.seconds:.1f} s, "
            f"{result['dask_rerun_same_cache']['totals']}")  # fmt: skip
    finally:
        cluster.kill()
        cluster.wait()
    same = sorted(p.name for p in (tmp / "cards-local" / "rt").iterdir()) == sorted(
        p.name for p in (tmp / "cards-dask" / "rt").iterdir()
    )
    result["same_cards"] = same
    say(f"   the same card files from both: {same}")
    return result


# --------------------------------------------------------------------------------------------------
# 3. Scale


def workload(*args: object) -> tuple[dict, Run]:
    run = measure([PY, BENCH / "workloads.py", *args])
    return json.loads(run.stdout.strip().splitlines()[-1]), run


def bench_scale(tmp: Path, full: bool, repeat: int) -> dict:
    sys.path.insert(0, str(BENCH))
    import scale_data

    say(f"== 3. Cleaning + evaluation at scale (city = {CITY_RTS:,} RTs)")
    result: dict = {}
    raw = tmp / "raw_city"
    t = time.perf_counter()
    scale_data.write_raw_source(raw, CITY_RTS, scale_data.PERIODS)
    result["generate_city_raw_s"] = round(time.perf_counter() - t, 1)
    info, run = workload("pipeline", raw, tmp / "processed_city", *scale_data.PERIODS)
    result["pipeline_city_8_periods"] = {"seconds": run.seconds, "max_rss_mb": run.max_rss_mb, **info}
    say(f"   full pipeline, raw files -> evaluation tables, {CITY_RTS:,} RTs x 8 periods: {run.seconds:.1f} s, "
        f"peak {run.max_rss_mb:.0f} MB")  # fmt: skip

    result["clean_growth"] = []
    for factor in (1, 4, 10):
        n = CITY_RTS * factor
        src = tmp / f"raw_{factor}x"
        scale_data.write_raw_source(src, n, ("2025-TW1",))
        reps = repeat if factor < 10 else 1  # small measurements are repeated (medians)
        runs = [workload("clean", src, tmp / f"clean_{factor}x", "2025-TW1") for _ in range(reps)]
        seconds = median([r.seconds for _, r in runs])
        clean_s = median([i["clean_s"] for i, _ in runs])
        rss = max(r.max_rss_mb for _, r in runs)
        result["clean_growth"].append(
            {"factor": factor, "rts": n, "seconds": seconds, "clean_s": clean_s, "max_rss_mb": rss,
             "runs_s": [r.seconds for _, r in runs]}
        )  # fmt: skip
        say(f"   cleaning one period, {factor:3d}x ({n:7,} RTs): {seconds:6.1f} s (median of {reps}; "
            f"cleaning itself {clean_s:.1f} s), peak {rss:6.0f} MB")  # fmt: skip
        shutil.rmtree(src)

    result["evaluate_growth"] = []
    factors = [(1, ""), (4, ""), (10, ""), (10, "50")] + ([(100, "")] if full else [])
    made: set[int] = set()
    for factor, n_runs in factors:
        n = CITY_RTS * factor
        root = tmp / f"clean_tables_{factor}x"
        if factor not in made:
            workload("make_clean", root, n, "2025-TW1", "2025-TW2")
            made.add(factor)
        reps = repeat if factor < 10 else 1
        measured = [workload("evaluate_clean", root, "2025-TW2", "2025-TW1", n_runs) for _ in range(reps)]
        seconds = median([r.seconds for _, r in measured])
        evaluate_s = median([i["evaluate_s"] for i, _ in measured])
        rss = max(r.max_rss_mb for _, r in measured)
        sims = n_runs or "1000 (default)"
        result["evaluate_growth"].append(
            {"factor": factor, "rts": n, "n_runs": sims, "seconds": seconds, "evaluate_s": evaluate_s,
             "max_rss_mb": rss, "runs_s": [r.seconds for _, r in measured]}
        )  # fmt: skip
        say(f"   evaluation of one period (+ previous), {factor:3d}x ({n:7,} RTs), rank runs {sims}: "
            f"{seconds:6.1f} s (median of {reps}; evaluation itself {evaluate_s:.1f} s), peak {rss:6.0f} MB")  # fmt: skip
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark (see the module docstring).")
    parser.add_argument(
        "--quick", action="store_true", help="one repeat each (smoke test, not for the record)"
    )
    parser.add_argument("--full", action="store_true", help="also evaluate 100x the city (165,000 RTs)")
    parser.add_argument(
        "--naive-rts", type=int, default=3, help="RTs on which the naive scorecard chain is measured"
    )
    parser.add_argument(
        "--only",
        choices=("briefing", "scorecards", "scale", "city"),
        action="append",
        help="run only these sections",
    )
    parser.add_argument(
        "--city-rts", type=int, default=CITY_RTS, help="RTs of the city's scorecards (default all 1,650)"
    )
    parser.add_argument(
        "--briefing-start",
        choices=("empty", "scheduled", "both"),
        default="both",
        help="the period run from empty folders, with the earlier periods already evaluated, or both",
    )
    parser.add_argument(
        "--no-dask",
        action="store_true",
        help="the city's scorecards with local workers only (no LocalCluster)",
    )
    parser.add_argument("--out", type=Path, default=BENCH / "results.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    sections = args.only or ["briefing", "scorecards", "scale", "city"]
    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="kjb-bench-"))
    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S %z")}
    say(f"machine: {results['machine']['nproc']} CPU(s) {results['machine']['cpu']}, "
        f"{results['machine']['memory_gb']} GB, load average {results['machine']['loadavg_start']} (shared machine: noisy)")  # fmt: skip
    try:
        if "briefing" in sections:
            starts = ("empty", "scheduled") if args.briefing_start == "both" else (args.briefing_start,)
            results["briefing"] = bench_briefing(tmp / "briefing", repeat, 1 if args.quick else 2, starts)
        if "scorecards" in sections:
            results["scorecards"] = bench_scorecards(
                tmp / "scorecards", 1 if args.quick else 2, args.naive_rts
            )
        if "scale" in sections:
            results["scale"] = bench_scale(tmp / "scale", args.full, repeat)
        if "city" in sections:
            results["city_scorecards"] = bench_city_cards(tmp / "city", args.city_rts, not args.no_dask)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    results["targets"] = TARGETS
    print_targets()
    results["total_s"] = round(time.perf_counter() - t0, 1)
    results["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    say(f"== total {results['total_s']:.0f} s; results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
