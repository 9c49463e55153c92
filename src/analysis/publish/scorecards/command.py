"""One HTML/PDF scorecard per RT, in batch: ``python -m analysis scorecards --raw DIR --period P``.

Every card is the parameterised notebook ``notebooks/05_scorecard_rt.ipynb`` run for one RT (parameter
``kode_rt`` plus the runner's common parameters); the notebook also runs under the plain papermill CLI
(``-p kode_rt …``). The batch: :mod:`.batch`; one card: :mod:`.build`; the index and summary: :mod:`.pages`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.core import config
from analysis.publish.runner.plan import ENGINES, FORMATS, add_formats_argument
from analysis.publish.scorecards.batch import BatchResult, ScorecardOptions, run_scorecards
from analysis.publish.scorecards.build import NOTEBOOK


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", required=True, type=Path, help="data source folder (e.g. data/raw/sample)")
    parser.add_argument("--period", required=True, help="period code or spelling, or 'latest'")
    parser.add_argument(
        "--rt",
        action="extend",
        nargs="+",
        default=[],
        metavar="KODE_RT",
        help="only these RTs (default: all): --rt A B, --rt A --rt B or --rt A,B; an unknown code is an error",
    )
    parser.add_argument("--lang", default="id", help="language of the cards: id (default) or en")
    add_formats_argument(parser)
    parser.add_argument("--jobs", type=int, default=2, help="local worker processes (default 2)")
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default reports/<source>/<period>/scorecards/)"
    )
    config.add_processed_argument(parser)
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask distributed scheduler, e.g. tcp://host:8786",
    )
    parser.add_argument(
        "--engine",
        default="inprocess",
        choices=ENGINES,
        help="inprocess (default: papermill with our engine kota-jambi, the cells run in the workers' IPython "
        "shells) or papermill (papermill's own engine: a kernel per card)",
    )
    parser.add_argument("--kernel", default=None, help="Jupyter kernel for --engine papermill")
    parser.add_argument(
        "--notebook",
        type=Path,
        default=NOTEBOOK,
        help="scorecard notebook (default notebooks/05_scorecard_rt.ipynb)",
    )
    parser.add_argument(
        "--reevaluate", action="store_true", help="re-run the evaluation even if its tables are current"
    )
    parser.add_argument("--force", action="store_true", help="rebuild every card, ignoring the cache")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress lines (the summary is still printed)"
    )


def split_list(values: list[str]) -> tuple[str, ...]:
    """The values of a list option given as ``--rt A B``, ``--rt A --rt B`` or ``--rt A,B``: in order, once each.

    >>> split_list(["A", "B,C", "A"])
    ('A', 'B', 'C')
    """
    return tuple(dict.fromkeys(part.strip() for value in values for part in value.split(",") if part.strip()))


def options_from_args(args: argparse.Namespace) -> ScorecardOptions:
    from analysis.publish.runner.plan import parse_formats

    return ScorecardOptions(
        raw_dir=args.raw,
        period=args.period,
        rts=split_list(args.rt),
        lang=args.lang,
        formats=parse_formats(",".join(args.formats or FORMATS)),
        out_dir=args.out,
        processed_root=args.processed,
        notebook=args.notebook,
        jobs=args.jobs,
        scheduler=args.scheduler,
        engine=args.engine,
        kernel=args.kernel,
        reevaluate=args.reevaluate,
        force=args.force,
    )


def summary_lines(result: BatchResult) -> list[str]:
    """The printed run summary: one line per RT, then the totals."""
    lines = [f"{'RT':<19} {'status':<7} {'build':<10} {'seconds':>7}  card"]
    for r in result.rows:
        lines.append(f"{r.rt_code:<19} {r.status:<7} {r.build:<10} {r.duration_s:>7.2f}  {r.card}")
        if r.message:
            lines.append(f"    {r.message.splitlines()[0]}")
    lines.append(
        f"{len(result.rows)} RT(s): {result.count('rebuilt')} rebuilt, {result.count('unchanged')} unchanged, "
        f"{len(result.failed)} failed; {result.timings.get('total', 0):.1f} s; written to {result.out_dir}"
    )
    return lines


def main(args: argparse.Namespace) -> int:
    """``python -m analysis scorecards``: 0 when every card was made, 1 when one or more failed."""

    def say(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    result = run_scorecards(options_from_args(args), say)
    print("\n".join(summary_lines(result)))
    return 1 if result.failed else 0
