"""Duplicate benchmark: cleaning one RT report of N rows in which the city's RTs are reported again and
again (issue 11: 100,000 rows with duplicate RT codes took 84 s and 2.7 GB).

``.venv/bin/python bench/dup_bench.py [--rows 10000 50000 100000] [--rts 1650] [--repeats 3]
[--feedback-repeats 1] [--out ...]``

The source: ``bench/scale_data``'s city of ``--rts`` RTs (registry ``referensi/rt.xlsx``), and one file
``kampung_bahagia/laporan_rt_2026-TW1.csv`` of N rows cycling through those RTs, so each RT appears about
N / rts times and every row is a ``duplicate`` rejection naming the other copies: the worst case for the
duplicate rule, the rejection log and ``rejected_rows.csv``. Each measurement is a fresh process timed from
the outside, with its peak memory: cleaning without the feedback workbooks (``bench/workloads.py clean_all``,
``--repeats`` times), then with them (``bench/workloads.py clean``, ``--feedback-repeats`` times: the marked-up
copy of a 100,000-row file takes minutes with openpyxl; ``0`` leaves them out).
Prints the median per size and the ratio of time per doubling of rows (``(t2 / t1) ** (1 / log2(n2 / n1))``:
2.0 is linear), and stores them in ``--out`` (default ``bench/results_dup.json``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_data  # noqa: E402
from run import PY, measure  # noqa: E402

from analysis.core import config  # noqa: E402
from analysis.sample.build import H_REG, H_RT, SourceBuilder, _registry_row, _rt_row  # noqa: E402
from analysis.sample.formats import Messer  # noqa: E402
from analysis.sample.layout import SheetLayout  # noqa: E402

BENCH = Path(__file__).resolve().parent
PERIOD = "2026-TW1"


def write_source(out: Path, n_rows: int, n_rts: int, seed: int = 1) -> Path:
    """A data source whose one RT report holds ``n_rows`` rows over ``n_rts`` RTs (each RT ~n/rts times)."""
    (out / "referensi").mkdir(parents=True)
    for name in ("program.csv", "indikator.csv", "target.csv"):
        (out / "referensi" / name).write_bytes((config.SAMPLE_SOURCE / "referensi" / name).read_bytes())
    (out / config.SYNTHETIC_MARKER).write_text("synthetic benchmark data\n", encoding="utf-8")
    b = SourceBuilder(out, seed)
    units = scale_data.make_units(n_rts, seed)
    b.xlsx(
        "referensi/rt.xlsx",
        SheetLayout(sheet_name="RT", headers=H_REG, titles=["DAFTAR RT (DATA UJI DUPLIKAT)"]),
        [_registry_row(u, Messer(b.rng("registry"), 0.0)) for u in units],
    )
    rng = np.random.default_rng(seed)
    m = Messer(rng, 0.0)
    reports = [scale_data.make_report(u, PERIOD, rng) for u in units]
    rows = []
    for i in range(n_rows):
        row = _rt_row(reports[i % n_rts], m)
        row.cells = {k: scale_data._csv_value(v) for k, v in row.cells.items()}
        row.cells["No"] = i + 1
        rows.append(row)
    b.csv(f"kampung_bahagia/laporan_rt_{PERIOD}.csv", H_RT, rows)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    ap.add_argument("--rts", type=int, default=scale_data.CITY_RTS)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--feedback-repeats", type=int, default=1)
    ap.add_argument("--out", type=Path, default=BENCH / "results_dup.json")
    args = ap.parse_args()
    results: dict = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()}
    }
    sizes: dict[str, list[dict]] = {"clean": [], "clean_with_feedback": []}
    with tempfile.TemporaryDirectory(prefix="dup-bench-") as tmp:
        for n in args.rows:
            raw = write_source(Path(tmp) / f"raw-{n}", n, args.rts)
            for kind, repeats in (("clean", args.repeats), ("clean_with_feedback", args.feedback_repeats)):
                if not repeats:  # --feedback-repeats 0: cleaning only
                    continue
                runs = []
                for k in range(repeats):
                    out = Path(tmp) / f"out-{n}-{kind}-{k}"
                    cmd = (
                        [PY, BENCH / "workloads.py", "clean_all", raw, out, "calamine", PERIOD]
                        if kind == "clean"
                        else [PY, BENCH / "workloads.py", "clean", raw, out, PERIOD]
                    )
                    runs.append(measure(cmd))
                seconds = statistics.median(r.seconds for r in runs)
                rss = max(r.max_rss_mb for r in runs)
                sizes[kind].append(
                    {"rows": n, "runs": repeats, "median_s": round(seconds, 3), "max_rss_mb": rss}
                )
                print(
                    f"{kind:>20} {n:>8} rows: median {seconds:7.2f} s of {repeats}, peak {rss:7.1f} MB",
                    flush=True,
                )
    for kind, rows in sizes.items():
        for a, b in zip(rows, rows[1:], strict=False):
            doublings = math.log2(b["rows"] / a["rows"])
            b["ratio_per_doubling"] = round((b["median_s"] / a["median_s"]) ** (1 / doublings), 2)
            print(
                f"{kind}: {a['rows']} -> {b['rows']} rows: time x{b['ratio_per_doubling']} per doubling (2.0 = linear)"
            )
    results["sizes"] = sizes
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
