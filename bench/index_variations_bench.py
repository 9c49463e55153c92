"""Benchmark: the time the Monte Carlo's extra variations and the Sobol sensitivity indices add to a period.

``python bench/index_variations_bench.py [--rts 320 1650] [--repeats 3]`` evaluates the four-principle index
(``evaluate_principles``, from cleaned tables made by ``bench/scale_data.py``, period 2026-TW3, no
previous period) three ways and prints the median of ``--repeats`` runs of each and the ratios:

- ``before``: weights, normalisation and aggregation varied only (the Monte Carlo before issue 12), no
  sensitivity indices;
- ``variations``: plus imputation on/off, leave-one-out, goalposts and the missing-data rules;
- ``shipped``: the shipped framework, i.e. the variations plus ``index_sensitivity`` (Sobol, N = 64).

Each configuration runs once untimed first (imports, caches). Results go to
``bench/results_index_variations.json``. The machine is shared: compare ratios rather than seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from scale_data import clean_frames  # noqa: E402

from analysis.evaluate.principles import IndexOptions, evaluate_principles  # noqa: E402

PERIOD = "2026-TW3"
CONFIGS = {
    "before": IndexOptions(
        uncertainty_imputation=False,
        uncertainty_leave_one_out=False,
        uncertainty_goalpost_shift=0.0,
        uncertainty_missing_rules=("declared",),
        sensitivity_samples=0,
    ),
    "variations": IndexOptions(sensitivity_samples=0),
    "shipped": None,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rts", type=int, nargs="+", default=[320, 1650])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()}")
    results = {"period": PERIOD, "repeats": args.repeats, "load_average": os.getloadavg(), "sizes": {}}
    for n in args.rts:
        tables = clean_frames(n, PERIOD)
        tables = {k: v for k, v in tables.items() if k in ("rt_registry", "rt_reports", "survey")}
        row = {}
        for name, options in CONFIGS.items():
            evaluate_principles(tables, PERIOD, options=options)  # warm-up
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                evaluate_principles(tables, PERIOD, options=options)
                times.append(time.perf_counter() - start)
            row[name] = statistics.median(times)
        row["added_s"] = row["shipped"] - row["before"]
        row["ratio_variations"] = row["variations"] / row["before"]
        row["ratio_shipped"] = row["shipped"] / row["before"]
        results["sizes"][str(n)] = row
        print(
            f"{n:>6} RTs: before {row['before']:.2f} s, + variations {row['variations']:.2f} s "
            f"(x{row['ratio_variations']:.2f}), + sensitivity {row['shipped']:.2f} s "
            f"(x{row['ratio_shipped']:.2f}); added per period {row['added_s']:.2f} s (medians of {args.repeats})"
        )
    out = ROOT / "bench" / "results_index_variations.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
