"""Workloads the benchmark runs in a fresh subprocess each, so their time and peak memory are their own.

``python bench/workloads.py <name> [args]`` prints one JSON line with the workload's own timings.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pipeline(raw_dir: str, processed_root: str, *periods: str) -> dict:
    """Clean and evaluate every period of a raw source, oldest first (``evaluate_source`` per period; each
    period is cleaned once, the previous period's cleaned tables are reused)."""
    from analysis.evaluate.evaluation import evaluate_source

    out = {}
    for period in periods:
        t = time.perf_counter()
        evaluate_source(Path(raw_dir), period, processed_dir=Path(processed_root) / period)
        out[period] = round(time.perf_counter() - t, 3)
    return {"periods_s": out}


def clean(raw_dir: str, processed_dir: str, period: str) -> dict:
    """Clean one period of a raw source."""
    from analysis.ingest.cleaning import clean_source

    t = time.perf_counter()
    result = clean_source(Path(raw_dir), period, processed_dir=Path(processed_dir))
    return {"clean_s": round(time.perf_counter() - t, 3), "rt_reports": len(result.tables["rt_reports"])}


def clean_all(raw_dir: str, processed_root: str, engine: str, *periods: str) -> dict:
    """Clean every period of a raw source with one reading engine (bench/read_bench.py); like for like with
    the baseline, so without the feedback workbooks (which the baseline did not write)."""
    if engine == "baseline":  # a revision from before the stage subpackages: analysis.cleaning, no engines
        from analysis.cleaning import clean_source
    else:
        from analysis.ingest.cleaning import clean_source

    t = time.perf_counter()
    tables: dict[str, dict[str, int]] = {}
    accepted = 0
    kwargs = {} if engine == "baseline" else {"engine": engine, "feedback": False}
    for period in periods:
        result = clean_source(Path(raw_dir), period, Path(processed_root) / period, **kwargs)
        tables[period] = {name: len(df) for name, df in result.tables.items()}
        accepted += result.quality["totals"]["rows_accepted"]
    return {"clean_s": round(time.perf_counter() - t, 3), "rows_accepted": accepted, "tables": tables}


def make_clean(root: str, n_rts: str, *periods: str) -> dict:
    """Write cleaned tables of ``periods`` for ``n_rts`` RTs (bench/scale_data.write_clean_period)."""
    import scale_data

    t = time.perf_counter()
    for period in periods:
        scale_data.write_clean_period(Path(root) / period, int(n_rts), period)
    return {"generate_s": round(time.perf_counter() - t, 3)}


def evaluate_clean(root: str, period: str, previous: str, n_runs: str = "") -> dict:
    """Evaluate one period from cleaned tables (with its previous period): achievement, claims and the
    four-principle index, written as Parquet; ``n_runs`` overrides the Monte Carlo runs of the ranks."""
    from analysis.evaluate import evaluation as ev
    from analysis.ingest.cleaning import load_cleaned

    t0 = time.perf_counter()
    cur, prev = load_cleaned(Path(root) / period), load_cleaned(Path(root) / previous)
    t_load = time.perf_counter() - t0
    t = time.perf_counter()
    results = ev.evaluate_tables(cur, period, prev, previous, "")
    module = ev._principles_module()
    if n_runs:
        from analysis.evaluate.principles.framework import IndexOptions

        extra = module.evaluate_principles(cur, period, prev, options=IndexOptions(n_runs=int(n_runs)))
    else:
        extra, _ = ev.run_principles(module, cur, period, prev, set(results))
    results.update(extra)
    t_eval = time.perf_counter() - t
    t = time.perf_counter()
    ev.write_tables(results, Path(root) / f"{period}.evaluated")
    return {
        "load_s": round(t_load, 3),
        "evaluate_s": round(t_eval, 3),
        "write_s": round(time.perf_counter() - t, 3),
        "rt_index_rows": len(results.get("rt_index", [])),
    }


WORKLOADS = {
    "pipeline": pipeline,
    "clean": clean,
    "clean_all": clean_all,
    "make_clean": make_clean,
    "evaluate_clean": evaluate_clean,
}

if __name__ == "__main__":
    name, *args = sys.argv[1:]
    print(json.dumps(WORKLOADS[name](*args)))
