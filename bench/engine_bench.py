"""What executing a notebook through papermill with our engine costs against the direct in-process executor.

``.venv/bin/python bench/engine_bench.py [--repeats 3] [--rounds 1] [--baseline REV] [--out bench/results_engine.json]``

Issue 15 item 5: ``run`` and ``scorecards`` now call ``papermill.execute_notebook`` with our papermill
engine ``kota-jambi`` (``analysis.publish.nbengine``). Before, they ran the cells with our own direct
executor (``analysis.publish.nbexec.execute_in_process`` at git revision ``REV``; default: the merge base
of this branch and ``main``). Each variant runs in one warm process (a fresh process per variant, like a
worker of ``run`` or ``scorecards``: papermill, the shell and the notebook tools imported, one untimed
warm-up execution of each notebook), then executes, ``--repeats`` times each, alternating:

- **briefing**: ``notebooks/04_briefing.ipynb`` for the sample's period, the executed notebook written to
  a file (as ``run`` does into its staging folder);
- **scorecard**: ``notebooks/05_scorecard_rt.ipynb`` for one pilot RT, the executed notebook as bytes (as
  ``scorecards`` returns it to the caller).

Variants: ``direct`` (revision ``REV``'s executor, then ``nbformat`` writes the notebook), ``papermill``
(``nbengine.execute_in_process`` / ``execute_to_text``: papermill with its overhead cut where it is ours
to cut: no save after each cell, no progress bar, the notebook serialised once, by papermill) and
``papermill-defaults`` (``papermill.execute_notebook`` with our engine and papermill's defaults: a save
of the notebook after each cell, a progress bar; the notebook serialised again for the bytes). Medians of
``--repeats`` per variant and notebook, each split into the time inside the cells (IPython's
``run_cell``: the notebook's own work, the same in every variant) and outside them (what the variant adds:
reading, parameterising, bookkeeping, writing the executed notebook); the ratios to ``direct`` are printed and written to ``--out``.
Excluded everywhere: exporting (HTML/PDF), identical in all variants.
"""

from __future__ import annotations

import argparse
import json
import os
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
PERIOD = "2025-TW4"
VARIANTS = ("direct", "papermill", "papermill-defaults")
KEYS = ("briefing", "briefing_outside_cells", "scorecard", "scorecard_outside_cells")


def export_revision(rev: str, dest: Path) -> Path:
    """``src/`` of git revision ``rev`` under ``dest``; returns the ``src`` path."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest / "src"


def merge_base() -> str:
    out = subprocess.run(
        ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def parameters(processed_root: Path) -> tuple[dict, dict]:
    """The briefing's and one pilot scorecard's parameters, as ``run``/``scorecards`` pass them."""
    import pandas as pd

    processed = processed_root / "sample" / PERIOD
    common = {
        "raw_dir": str(SAMPLE),
        "processed_dir": str(processed),
        "period": PERIOD,
        "lang": "id",
        "source_name": "sample",
        "is_synthetic": True,
        "run_id": "bench",
    }
    index = pd.read_parquet(processed / "rt_index.parquet")
    rt = str(index.loc[index["status"] == "dinilai", "rt_code"].iloc[0])
    return common, {**common, "kode_rt": rt}


def child(variant: str, processed_root: Path, repeats: int, out_dir: Path) -> dict:
    """In a warm process of its own: time ``repeats`` executions of each notebook with ``variant``."""
    import matplotlib

    matplotlib.use("Agg")
    import nbformat

    briefing_params, card_params = parameters(processed_root)
    briefing, card = NOTEBOOKS / "04_briefing.ipynb", NOTEBOOKS / "05_scorecard_rt.ipynb"

    if variant == "direct":
        from analysis.publish.nbexec import execute_in_process

        def run_briefing(out: Path) -> None:
            nb = execute_in_process(briefing, briefing_params, cwd=NOTEBOOKS)
            nbformat.write(nb, out)

        def run_card() -> bytes:
            return nbformat.writes(execute_in_process(card, card_params)).encode()

    elif variant == "papermill":
        from analysis.publish import nbengine

        nbengine.register()

        def run_briefing(out: Path) -> None:
            nbengine.execute_in_process(briefing, briefing_params, cwd=NOTEBOOKS, output_path=out)

        def run_card() -> bytes:
            return nbengine.execute_to_text(card, card_params)[1].encode()

    elif variant == "papermill-defaults":
        import papermill

        from analysis.publish import nbengine

        engine = nbengine.register()

        def run_briefing(out: Path) -> None:
            papermill.execute_notebook(
                str(briefing), str(out), parameters=briefing_params, engine_name=engine, cwd=str(NOTEBOOKS)
            )

        def run_card() -> bytes:
            nb = papermill.execute_notebook(
                str(card), str(out_dir / "card.ipynb"), parameters=card_params, engine_name=engine
            )
            return nbformat.writes(nb).encode()

    else:
        raise SystemExit(f"unknown variant {variant}")

    run_briefing(out_dir / "warm.ipynb")  # warm-up: imports inside the notebooks, caches, fonts
    run_card()
    # the time inside the cells (IPython's run_cell) is the notebook's own work, the same in every variant;
    # the rest is the variant's: reading, parameterising, bookkeeping, writing the executed notebook
    from analysis.publish.nbexec import notebook_shell

    shell = notebook_shell()
    in_cells = [0.0]
    run_cell = shell.run_cell

    def timed_run_cell(*args, **kwargs):
        t = time.perf_counter()
        try:
            return run_cell(*args, **kwargs)
        finally:
            in_cells[0] += time.perf_counter() - t

    shell.run_cell = timed_run_cell
    times: dict[str, list[float]] = {k: [] for k in KEYS}
    for i in range(repeats):
        for name, fn in (
            ("briefing", lambda i=i: run_briefing(out_dir / f"briefing-{i}.ipynb")),
            ("scorecard", run_card),
        ):
            in_cells[0] = 0.0
            t = time.perf_counter()
            data = fn()
            total = time.perf_counter() - t
            times[name].append(round(total, 4))
            times[f"{name}_outside_cells"].append(round(total - in_cells[0], 4))
        assert b"injected-parameters" in data
    return times


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=3, help="timed executions per process (default 3)")
    p.add_argument("--rounds", type=int, default=1, help="processes per variant, taking turns (default 1)")
    p.add_argument(
        "--baseline", default=None, help="git revision of the direct executor (default: merge base)"
    )
    p.add_argument("--out", type=Path, default=BENCH / "results_engine.json")
    p.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    p.add_argument("--processed", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.processed, args.repeats, args.work)))
        return 0

    baseline = args.baseline or merge_base()
    with tempfile.TemporaryDirectory(prefix="kjb-engine-bench-") as tmp:
        tmp = Path(tmp)
        src = {"direct": export_revision(baseline, tmp / "base"), "papermill": ROOT / "src"}
        src["papermill-defaults"] = src["papermill"]
        processed = tmp / "processed"
        print(f"evaluating the sample's {PERIOD} (and the 100 days) into {processed}", flush=True)
        prep = (
            "from pathlib import Path; from analysis.evaluate.evaluation import evaluate_source;"
            "from analysis.publish.runner.execute import evaluate_hundred_days;"
            f"p = Path({str(processed)!r}) / 'sample' / {PERIOD!r};"
            f"evaluate_source(Path({str(SAMPLE)!r}), {PERIOD!r}, processed_dir=p);"
            f"evaluate_hundred_days(Path({str(SAMPLE)!r}), {PERIOD!r}, p)"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        subprocess.run([sys.executable, "-c", prep], check=True, env=env, cwd=ROOT)
        load = [round(x, 2) for x in os.getloadavg()]
        print(f"load average at the start: {load}", flush=True)
        results: dict[str, dict[str, list[float]]] = {v: {k: [] for k in KEYS} for v in VARIANTS}
        for round_ in range(args.rounds):
            for variant in VARIANTS:
                work = tmp / f"{variant}-{round_}"
                work.mkdir()
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", variant, "--processed", processed, "--work", work,
                     "--repeats", str(args.repeats)],
                    env={**os.environ, "PYTHONPATH": str(src[variant])}, cwd=ROOT, capture_output=True,
                    text=True,
                )  # fmt: skip
                if proc.returncode != 0:
                    raise SystemExit(f"{variant} failed:\n{proc.stderr[-3000:]}")
                times = json.loads(proc.stdout.strip().splitlines()[-1])
                for k, t in times.items():
                    results[variant][k] += t
                print(f"round {round_ + 1}, {variant:>18}: {times}", flush=True)
        load_end = [round(x, 2) for x in os.getloadavg()]

    medians = {v: {k: round(statistics.median(t), 3) for k, t in r.items()} for v, r in results.items()}
    ratios = {
        v: {k: round(medians[v][k] / medians["direct"][k], 3) for k in medians[v]}
        for v in VARIANTS
        if v != "direct"
    }
    print("\nmedians (s)          briefing  (outside cells)  scorecard  (outside cells)")
    for v in VARIANTS:
        m = medians[v]
        print(
            f"{v:>19}  {m['briefing']:8.3f}  ({m['briefing_outside_cells']:.3f})  "
            f"        {m['scorecard']:8.3f}  ({m['scorecard_outside_cells']:.3f})"
        )
    for v, r in ratios.items():
        print(
            f"{v:>19} / direct: briefing {r['briefing']:.3f} x (outside cells {r['briefing_outside_cells']:.2f} x), "
            f"scorecard {r['scorecard']:.3f} x (outside cells {r['scorecard_outside_cells']:.2f} x)"
        )
    args.out.write_text(
        json.dumps(
            {
                "baseline": baseline,
                "period": PERIOD,
                "repeats": args.repeats,
                "rounds": args.rounds,
                "loadavg_start": load,
                "loadavg_end": load_end,
                "nproc": os.cpu_count(),
                "runs_s": results,
                "medians_s": medians,
                "ratios_to_direct": ratios,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
