"""The cross-period notebook as a report: ``python -m analysis.publish.explore --raw DIR`` (``make explore``).

Executes ``notebooks/06_explore.ipynb`` (in this process: papermill with our engine,
:mod:`analysis.publish.nbengine`; the periods not processed yet are evaluated first by the notebook itself) and writes ``reports/<source>/06_explore.html``
(the analysts' export: with code, offline, the interactive tables searchable without a kernel) and the
executed ``06_explore.ipynb`` next to it. Not part of ``run``: it reads every period, not one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from analysis.core import config
from analysis.core.errors import AnalysisError, UsageError

NOTEBOOK = "06_explore.ipynb"

NAME = "06_explore"


def export_explore(
    raw_dir: Path,
    period: str = "latest",
    out_root: Path = config.REPORTS,
    notebooks_dir: Path = config.NOTEBOOKS,
) -> Path:
    """Execute the notebook for ``raw_dir`` up to ``period`` and write its HTML; returns the HTML path."""
    import nbformat

    from analysis.evaluate.history import source_periods
    from analysis.publish import export
    from analysis.publish.nbengine import execute_in_process
    from analysis.publish.runner.plan import REPORT_TZ, new_run_id

    raw_dir = Path(raw_dir).resolve()
    if not raw_dir.is_dir():
        raise UsageError(f"data folder not found: {raw_dir}")
    periods = source_periods(raw_dir)
    if not periods:
        raise UsageError(f"no period files in {raw_dir}")
    period = periods[-1] if period == "latest" else period
    if period not in periods:
        raise UsageError(f"no files for period {period} in {raw_dir}; periods present: {', '.join(periods)}")
    notebook = Path(notebooks_dir).resolve() / NOTEBOOK
    now = dt.datetime.now(REPORT_TZ)
    run_id = new_run_id(now)
    synthetic = config.is_synthetic_source(raw_dir)
    parameters = {"raw_dir": str(raw_dir), "period": period, "is_synthetic": synthetic, "run_id": run_id}
    nb = execute_in_process(notebook, parameters, cwd=notebook.parent)
    out_dir = Path(out_root) / raw_dir.name
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / f"{NAME}.ipynb")
    context = export.ReportContext(
        lang="id",
        period=period,
        source_name=raw_dir.name,
        is_synthetic=synthetic,
        run_id=run_id,
        generated_at=now,
        title="06 · Jelajah lintas periode",
    )
    html = out_dir / f"{NAME}.html"
    html.write_text(export.export_analyst_html(nb, context), encoding="utf-8")
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.publish.explore", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--raw", type=Path, default=config.SAMPLE_SOURCE, help="data source folder")
    parser.add_argument(
        "--period", default="latest", help="last period shown (default: the newest with files)"
    )
    parser.add_argument("--out", type=Path, default=config.REPORTS, help="reports root (default reports/)")
    parser.add_argument(
        "--notebooks", type=Path, default=config.NOTEBOOKS, help="notebooks folder (default notebooks/)"
    )
    args = parser.parse_args(argv)
    try:
        path = export_explore(args.raw, args.period, args.out, args.notebooks)
    except UsageError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except AnalysisError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    print(f"explore: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
