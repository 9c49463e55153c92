"""CPU seconds of each period notebook's execution and export, this tree against a git revision.

``.venv/bin/python bench/notebooks_bench.py [--baseline REV] [--rounds 3] [--period 2026-TW3] [--profile NAME]``

Issue 15, lane "charts": what the four notebooks of ``python -m analysis run`` cost in a warm worker.
Each round starts one fresh process per variant (``base``: ``src/`` of git revision ``REV``, default
``main``; ``new``: this tree), taking turns (base, new, base, new, ...). A process warms up as a run's
worker does (:func:`analysis.publish.runner.execute.warm_worker`, then one untimed pass of every notebook:
the imports inside the notebooks, font caches), then executes each notebook once with our papermill engine
(:func:`analysis.publish.nbengine.execute_in_process`, as ``run`` does) and exports it (briefing: HTML +
WeasyPrint PDF; the others: HTML), in that order, timing the **CPU** of the process (``time.process_time``: user + system;
every step runs in this one process) and the wall of each step. The chart cache beside the period
folder (``.chart-cache``, :mod:`analysis.publish.chartcache`) is emptied before each pass: the briefing
draws the charts it shares with 02 and 03, which reuse them, as in a run where the briefing's worker is
ahead. Printed and written to ``--out``: the
medians over the rounds per variant, notebook and step, and new / base.

The notebooks read an evaluated period: ``--processed`` (default ``data/processed/sample/<period>``, made
by ``python -m analysis run --raw data/raw/sample --period <period>``, which also evaluates the earlier
periods for the trends). ``--profile NAME`` instead runs cProfile over one notebook's execution and export
in a warm process of this tree and prints the top functions (cumulative).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SAMPLE = ROOT / "data" / "raw" / "sample"
NOTEBOOKS = ROOT / "notebooks"
#: The period run's notebooks: (name, file, export kind), as ``analysis.publish.runner.plan`` lists them.
MATRIX = (
    ("briefing", "04_briefing.ipynb", "briefing"),
    ("01_data_quality", "01_data_quality.ipynb", "analyst"),
    ("02_program_achievement", "02_program_achievement.ipynb", "analyst"),
    ("03_kampung_bahagia_index", "03_kampung_bahagia_index.ipynb", "analyst"),
)


def export_revision(rev: str, dest: Path) -> Path:
    """``src/``, ``config/`` and ``notebooks/`` of git revision ``rev`` under ``dest`` (the package finds its
    configuration beside ``src``); returns the ``src`` path."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src", "config", "notebooks"],
        check=True,
        capture_output=True,
    )
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest / "src"


def _steps(processed: Path, period: str, out_dir: Path, only: str | None = None, notebooks: Path = NOTEBOOKS):
    """``(name, execute, export)`` callables of each notebook, as a run's worker calls them."""
    from analysis.publish import export
    from analysis.publish.nbengine import execute_in_process

    params = {
        "raw_dir": str(SAMPLE),
        "processed_dir": str(processed),
        "period": period,
        "lang": "id",
        "source_name": "sample",
        "is_synthetic": True,
        "run_id": "bench",
    }
    context = export.ReportContext(
        lang="id",
        period=period,
        source_name="sample",
        is_synthetic=True,
        run_id="bench",
        generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    steps = []
    for name, notebook, kind in MATRIX:
        if only and name != only:
            continue

        def execute(notebook=notebook, name=name):
            source = notebooks / notebook
            return execute_in_process(source, params, cwd=notebooks, output_path=out_dir / f"{name}.ipynb")

        def export_(nb, kind=kind, name=name):
            if kind == "briefing":
                html = export.export_briefing_html(nb, context)
                (out_dir / f"{name}.html").write_text(html, encoding="utf-8")
                (out_dir / f"{name}.pdf").write_bytes(export.html_to_pdf(html))
            else:
                (out_dir / f"{name}.html").write_text(
                    export.export_analyst_html(nb, context), encoding="utf-8"
                )

        steps.append((name, execute, export_))
    return steps


def _empty_chart_cache(processed: Path) -> None:
    """Remove the chart cache beside ``processed`` (``analysis.publish.chartcache``; a tree without one
    has none), so that a pass draws every chart once, as a run on new data does."""
    folder = processed.resolve().parent / ".chart-cache"
    if folder.exists():
        shutil.rmtree(folder)


def child(processed: Path, period: str, out_dir: Path, profile: str | None) -> dict:
    """In a warm process of its own: CPU and wall of each notebook's execution and export."""
    from analysis.publish.runner.execute import warm_worker

    warm_worker()
    import analysis

    tree = Path(analysis.__file__).resolve().parents[2]  # the notebooks of the tree whose code runs
    steps = _steps(processed, period, out_dir, only=profile, notebooks=tree / "notebooks")
    _empty_chart_cache(processed)
    for _name, execute, export_ in steps:  # untimed: imports inside the notebooks, caches, fonts
        export_(execute())
    _empty_chart_cache(processed)  # timed: the briefing draws the shared charts, 02 and 03 reuse them
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        (_name, execute, export_), = steps  # fmt: skip
        prof.enable()
        export_(execute())
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        return {}
    times: dict[str, float] = {}
    for name, execute, export_ in steps:
        c0, w0 = time.process_time(), time.perf_counter()
        nb = execute()
        c1, w1 = time.process_time(), time.perf_counter()
        export_(nb)
        c2, w2 = time.process_time(), time.perf_counter()
        times |= {
            f"{name}:execute_cpu": round(c1 - c0, 3),
            f"{name}:export_cpu": round(c2 - c1, 3),
            f"{name}:execute_wall": round(w1 - w0, 3),
            f"{name}:export_wall": round(w2 - w1, 3),
        }
    times["total_cpu"] = round(sum(v for k, v in times.items() if k.endswith("_cpu")), 3)
    return times


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--baseline", default="main", help="git revision of the old side (default main)")
    p.add_argument("--rounds", type=int, default=3, help="processes per variant, taking turns (default 3)")
    p.add_argument("--period", default="2026-TW3")
    p.add_argument(
        "--processed", type=Path, help="evaluated period folder (default data/processed/sample/<period>)"
    )
    p.add_argument("--profile", choices=[m[0] for m in MATRIX], help="cProfile one notebook (this tree)")
    p.add_argument("--out", type=Path, default=BENCH / "results_notebooks.json")
    p.add_argument(
        "--keep", type=Path, help="copy each variant's last outputs (HTML, PDF) into KEEP/<variant>/"
    )
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    processed = args.processed or ROOT / "data" / "processed" / "sample" / args.period
    if args.child:
        print(json.dumps(child(processed, args.period, args.work, args.profile)))
        return 0
    if not (processed / "rt_index.parquet").exists():
        raise SystemExit(f"{processed} is not an evaluated period: run python -m analysis run first")

    def run_child(src: Path, work: Path, profile: str | None = None) -> dict:
        work.mkdir(parents=True)
        cmd = [sys.executable, __file__, "--child", "--period", args.period, "--processed", str(processed),
               "--work", str(work)] + (["--profile", profile] if profile else [])  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(src), "MPLBACKEND": "Agg"}
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"{src} failed:\n{proc.stderr[-3000:]}")
        if profile:
            print(proc.stderr)
        return json.loads(proc.stdout.strip().splitlines()[-1])

    with tempfile.TemporaryDirectory(prefix="kjb-nb-bench-") as tmp:
        tmp = Path(tmp)
        if args.profile:
            run_child(ROOT / "src", tmp / "profile", args.profile)
            return 0
        src = {"base": export_revision(args.baseline, tmp / "base"), "new": ROOT / "src"}
        load = [round(x, 2) for x in os.getloadavg()]
        print(f"load average at the start: {load}", flush=True)
        results: dict[str, dict[str, list[float]]] = {"base": {}, "new": {}}
        for round_ in range(args.rounds):
            for variant in ("base", "new"):
                times = run_child(src[variant], tmp / f"{variant}-{round_}")
                for k, v in times.items():
                    results[variant].setdefault(k, []).append(v)
                print(f"round {round_ + 1}, {variant}: total CPU {times['total_cpu']:.2f} s", flush=True)
                if args.keep:
                    shutil.rmtree(args.keep / variant, ignore_errors=True)
                    shutil.copytree(tmp / f"{variant}-{round_}", args.keep / variant)
        load_end = [round(x, 2) for x in os.getloadavg()]

    medians = {v: {k: round(statistics.median(t), 3) for k, t in r.items()} for v, r in results.items()}
    print(f"\nmedians of {args.rounds} (CPU s)        base      new   new/base")
    for key in medians["base"]:
        if key.endswith("_cpu"):
            b, n = medians["base"][key], medians["new"][key]
            print(f"{key:>40}  {b:7.2f}  {n:7.2f}   {n / b if b else float('nan'):.2f}")
    args.out.write_text(
        json.dumps(
            {
                "baseline": args.baseline,
                "period": args.period,
                "rounds": args.rounds,
                "loadavg_start": load,
                "loadavg_end": load_end,
                "nproc": os.cpu_count(),
                "runs_s": results,
                "medians_s": medians,
            },
            indent=2,
        )  # fmt: skip
        + "\n",
        encoding="utf-8",
    )
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
