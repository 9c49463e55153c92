"""Reading benchmark: cleaning the city (1,650 RTs, all 8 periods) with the calamine reader against the
openpyxl reader, side by side in one run (issue 10, item 8).

``.venv/bin/python bench/read_bench.py [--rts 1650] [--periods 8] [--repeats 3] [--baseline REV] [--out ...]``

``--baseline REV`` also measures the cleaner as it was at git revision ``REV`` ("today", before this
reader: openpyxl only), exported with ``git archive`` into the temporary folder and put first on
``PYTHONPATH`` for its runs.

The source is ``bench/scale_data.write_raw_source`` with the RT reports written as workbooks
(``laporan_rt_<period>.xlsx``, sheet ``Laporan RT``, the title rows and header of the template), as the
city sends them, instead of the CSV the scale benchmark uses. Every measurement is a fresh process
(``bench/workloads.py clean_all``) timed from the outside; engines alternate within each repeat so that
load on the shared machine hits both alike. Prints and stores the medians and their ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_data  # noqa: E402
from run import measure  # noqa: E402

BENCH = Path(__file__).resolve().parent
ENGINES = ("openpyxl", "calamine")
ROOT = BENCH.parent


def export_revision(rev: str, dest: Path) -> Path:
    """``src/`` of git revision ``rev`` under ``dest`` (for the baseline runs); returns the ``src`` path."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest / "src"


def rt_reports_as_workbooks(source: Path) -> int:
    """Rewrite every ``laporan_rt_*.csv`` of ``source`` as ``.xlsx`` (numbers as numbers); returns files."""
    n = 0
    for path in sorted((source / "kampung_bahagia").glob("laporan_rt_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=scale_data_delimiter(path)))
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Laporan RT")
        ws.append(["LAPORAN KAMPUNG BAHAGIA (DATA UJI SKALA)"])
        ws.append([])
        for i, row in enumerate(rows):
            ws.append(row if i == 0 else [_number(v) for v in row])
        wb.save(path.with_suffix(".xlsx"))
        path.unlink()
        n += 1
    return n


def scale_data_delimiter(path: Path) -> str:
    first = path.read_text(encoding="utf-8-sig").split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _number(text: str) -> object:
    """A CSV cell as Excel would hold it: plain integers and decimals as numbers, the rest as typed."""
    if text == "":
        return None
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text) if text.count(".") == 1 else text
    except ValueError:
        return text


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rts", type=int, default=scale_data.CITY_RTS)
    p.add_argument("--periods", type=int, default=len(scale_data.PERIODS))
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", type=Path, default=BENCH / "results_reading.json")
    p.add_argument("--baseline", default=None, help="git revision to measure as 'today' (e.g. main)")
    args = p.parse_args()
    periods = scale_data.PERIODS[: args.periods]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "city"
        t = time.perf_counter()
        scale_data.write_raw_source(source, args.rts, periods)
        files = rt_reports_as_workbooks(source)
        print(f"source: {args.rts} RTs x {len(periods)} periods, {files} RT report workbooks "
              f"({time.perf_counter() - t:.1f} s); load {os.getloadavg()}", flush=True)  # fmt: skip
        engines = (*ENGINES, "baseline") if args.baseline else ENGINES
        base_src = export_revision(args.baseline, Path(tmp) / "base") if args.baseline else None
        runs: dict[str, list[dict]] = {e: [] for e in engines}
        for i in range(args.repeats):
            for engine in engines if i % 2 == 0 else engines[::-1]:
                out = Path(tmp) / f"out-{engine}-{i}"
                cmd = [sys.executable, BENCH / "workloads.py", "clean_all", source, out, engine, *periods]
                saved = os.environ.get("PYTHONPATH")
                if engine == "baseline":
                    os.environ["PYTHONPATH"] = str(base_src)
                try:
                    r = measure(cmd)
                finally:
                    if engine == "baseline":
                        os.environ.pop("PYTHONPATH") if saved is None else os.environ.update(PYTHONPATH=saved)
                inner = json.loads(r.stdout.strip().splitlines()[-1])
                runs[engine].append({"seconds": r.seconds, "max_rss_mb": r.max_rss_mb, **inner})
                print(f"  {engine:9s} run {i + 1}: {r.seconds:6.2f} s, peak {r.max_rss_mb:.0f} MB, "
                      f"rows accepted {inner['rows_accepted']}", flush=True)  # fmt: skip
    med = {e: statistics.median(x["seconds"] for x in runs[e]) for e in runs}
    same = len({json.dumps(x["tables"], sort_keys=True) for e in ENGINES for x in runs[e]}) == 1
    result = {
        "what": f"clean {len(periods)} periods of {args.rts} RTs (RT reports as .xlsx), fresh process each",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_at_end": os.getloadavg(),
        },
        "median_s": med,
        "ratio_openpyxl_over_calamine": round(med["openpyxl"] / med["calamine"], 2),
        **(
            {
                "baseline": args.baseline,
                "ratio_baseline_over_calamine": round(med["baseline"] / med["calamine"], 2),
            }
            if args.baseline
            else {}
        ),
        "same_tables_both_engines": same,
        "runs": runs,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"median openpyxl {med['openpyxl']:.2f} s, calamine {med['calamine']:.2f} s: "
          f"{result['ratio_openpyxl_over_calamine']} x; same tables: {same}; wrote {args.out}")  # fmt: skip
    if args.baseline:
        print(f"baseline {args.baseline} {med['baseline']:.2f} s: {result['ratio_baseline_over_calamine']} x")


if __name__ == "__main__":
    main()
