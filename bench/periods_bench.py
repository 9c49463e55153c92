"""Benchmark: every period at once, and nothing changed (issue 15, items 2 and 3).

``python bench/periods_bench.py [--periods all|P1,P2,...] [--repeats N] [--base SRC]`` (results in
``bench/results_periods.json``; ``docs/performance.md`` records a run):

1. **Every period at once**: ``python -m analysis run --raw data/raw/sample --period all`` (one process,
   the workers started once and kept warm) against a shell loop of one ``python -m analysis run --period P``
   per period, both from empty processed and report folders (so both clean, evaluate and execute every
   notebook of every period), alternating within each repeat; medians and their ratio, of the wall time
   and of the CPU time (user + system of the process and the worker processes it waited for).
   ``--base SRC``: also ``--period all`` with the package in ``SRC`` (e.g. ``/tmp/base/src``, an
   ``git archive`` of another commit), in turn with the others, for an A/B of the code.
2. **Nothing changed**: the same ``run`` of the latest period again, with nothing changed since the
   report it published (``--period latest``): wall time (median) and the notebooks it executed (read from
   its one line of output and the manifest, which must be unchanged).

Each measurement is a fresh process (``bench/run.py``'s ``measure``: wall clock, peak memory); the machine
is shared, so compare ratios, and read the load averages stored with the results.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import BENCH, PY, ROOT, SAMPLE, machine, measure, median, say  # noqa: E402


def with_src(src: Path | None) -> dict | None:
    """The environment of a command run with the package in ``src`` (``None``: inherit this one's)."""
    return None if src is None else {**os.environ, "PYTHONPATH": str(src)}


def timed(cmd: list, src: Path | None = None):
    """``measure(cmd)`` with the package in ``src``."""
    env = with_src(src)
    if env is None:
        return measure(cmd)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = env["PYTHONPATH"]
    try:
        return measure(cmd)
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def run_cmd(tmp: Path, period: str, *extra: str) -> list:
    return [
        PY, "-m", "analysis", "run", "--raw", SAMPLE, "--period", period, "--quiet",
        "--out", tmp / "reports", "--processed", tmp / "processed", *extra,
    ]  # fmt: skip


def fresh(tmp: Path) -> Path:
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    return tmp


def periods_of(text: str) -> list[str]:
    if text != "all":
        return [p.strip() for p in text.split(",") if p.strip()]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    import subprocess

    out = subprocess.run(
        [PY, "-c", f"from analysis.publish.runner.plan import available_periods as a; print(*a({str(SAMPLE)!r}))"],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return out.stdout.split()


def bench_all(work: Path, periods: list[str], repeats: int, base: Path | None = None) -> dict:
    together, loop, together_cpu, loop_cpu, base_s, base_cpu, loads = [], [], [], [], [], [], []
    for i in range(repeats):
        loads.append(round(os.getloadavg()[0], 2))
        tmp = fresh(work / f"all-{i}")
        r = timed(run_cmd(tmp, ",".join(periods)))
        together.append(r.seconds)
        together_cpu.append(r.cpu_s)
        say(
            f"  --period {','.join(periods)}: {r.seconds:.1f} s, CPU {r.cpu_s:.1f} s (peak {r.max_rss_mb:.0f} MB)"
        )
        if base is not None:
            tmp = fresh(work / f"base-{i}")
            r = timed(run_cmd(tmp, ",".join(periods)), base)
            base_s.append(r.seconds)
            base_cpu.append(r.cpu_s)
            say(f"  base --period {','.join(periods)}: {r.seconds:.1f} s, CPU {r.cpu_s:.1f} s")
        tmp = fresh(work / f"loop-{i}")
        seconds = cpu = 0.0
        for period in periods:
            r = timed(run_cmd(tmp, period))
            seconds, cpu = seconds + r.seconds, cpu + r.cpu_s
        loop.append(round(seconds, 3))
        loop_cpu.append(round(cpu, 3))
        say(f"  loop of {len(periods)} runs: {seconds:.1f} s, CPU {cpu:.1f} s")
    ratio = round(median(loop) / median(together), 2)
    say(
        f"every period at once: {median(together):.1f} s, loop {median(loop):.1f} s: {ratio} x (target >= 2 x); "
        f"CPU {median(together_cpu):.1f} s against {median(loop_cpu):.1f} s"
    )
    results = {
        "periods": periods,
        "together_s": together,
        "loop_s": loop,
        "together_cpu_s": together_cpu,
        "loop_cpu_s": loop_cpu,
        "loadavg_1min_at_each_repeat": loads,
        "together_median_s": median(together),
        "loop_median_s": median(loop),
        "together_cpu_median_s": median(together_cpu),
        "loop_cpu_median_s": median(loop_cpu),
        "ratio": ratio,
        "target": 2.0,
        "met": ratio >= 2.0,
    }
    if base is not None:
        results.update(
            base_src=str(base),
            base_together_s=base_s,
            base_together_cpu_s=base_cpu,
            base_together_median_s=median(base_s),
            base_together_cpu_median_s=median(base_cpu),
            base_ratio=round(median(loop) / median(base_s), 2),
        )
        say(
            f"  base --period all: {median(base_s):.1f} s (CPU {median(base_cpu):.1f} s): {results['base_ratio']} x"
        )
    return results


def bench_unchanged(work: Path, repeats: int) -> dict:
    tmp = fresh(work / "unchanged")
    measure(run_cmd(tmp, "latest"))  # publishes the report
    manifests = sorted((tmp / "reports").rglob("manifest.json"))
    before = [m.read_bytes() for m in manifests]
    seconds, lines = [], []
    for _ in range(repeats):
        r = measure(run_cmd(tmp, "latest"))
        seconds.append(r.seconds)
        lines.append(r.stdout.strip())
    unchanged = [m.read_bytes() for m in manifests] == before
    executed = 0 if unchanged and all("nothing changed" in line for line in lines) else None
    say(f"nothing changed: {median(seconds):.2f} s (runs {seconds}), notebooks executed: {executed}")
    say(f"  {lines[-1]}")
    return {
        "seconds": seconds,
        "median_s": median(seconds),
        "notebooks_executed": executed,
        "manifest_unchanged": unchanged,
        "line": lines[-1],
        "target_s": 1.0,
        "met": median(seconds) < 1.0 and executed == 0,
    }


def save(path: Path, results: dict) -> None:
    results["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    path.write_text(json.dumps(results, indent=2) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description="Every period at once; nothing changed (see the docstring).")
    parser.add_argument("--periods", default="all", help="all (default) or a list P1,P2,... of the sample")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=("all", "unchanged"), default=None)
    parser.add_argument("--out", type=Path, default=BENCH / "results_periods.json")
    parser.add_argument(
        "--base", type=Path, default=None, help="another package's src/ for an A/B of --period all"
    )
    args = parser.parse_args()
    results: dict = {"machine": machine()}
    say(f"load average at the start: {results['machine']['loadavg_start']}")
    work = Path(tempfile.mkdtemp(prefix="kjb-periods-"))
    try:
        if args.only in (None, "unchanged"):
            results["unchanged"] = bench_unchanged(work, args.repeats)
            save(args.out, results)  # each section as soon as it is measured
        if args.only in (None, "all"):
            results["every_period"] = bench_all(work, periods_of(args.periods), args.repeats, args.base)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    save(args.out, results)
    say(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
