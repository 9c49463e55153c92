"""The CPU of one RT's card in a warm process, by step: execute the notebook, HTML export, PDF.

``PYTHONPATH=<tree>/src .venv/bin/python bench/card_bench.py --processed DIR [--cards 24] [--skip 2]
[--lang id] [--out results.json] [--keep DIR] [--profile N]``

``DIR`` is a period's processed folder (e.g. ``<processed root>/sample/2026-TW3``, evaluated already). One
process builds the cards of the folder's first ``--skip + --cards`` RTs one after the other, as a
scorecard worker does (``scorecards.build.warm_worker`` first, then ``build_scorecard``'s steps; the garbage
collector frozen after the first card, as in a worker) and measures each step's CPU (``time.process_time``:
every thread of the process) and the PDF's pages. The first ``--skip`` cards are not counted (imports,
font loading, first-use caches). Prints the medians per step and writes them with every card's numbers to
``--out``. Run it for two trees (``PYTHONPATH``) in turns to compare them; ``--keep DIR`` writes the cards
there for a look; ``--profile N`` prints cProfile of the PDF step over the last ``N`` cards.

The PDF step is what ``build.export_card`` does for the PDF: with a tree whose ``export_card`` builds the
print HTML from the notebook (``scorecards.card``), that is counted in the PDF step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processed", type=Path, required=True)
    parser.add_argument("--cards", type=int, default=24)
    parser.add_argument("--skip", type=int, default=2)
    parser.add_argument("--lang", default="id")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args()

    import analysis
    from analysis.publish import export
    from analysis.publish.nbengine import execute_to_text
    from analysis.publish.scorecards import build
    from analysis.publish.scorecards import data as sd

    build.warm_worker()
    processed = args.processed.resolve()
    period = processed.name
    rt_index = pd.read_parquet(processed / "rt_index.parquet").set_index("rt_code", drop=False)
    codes = list(rt_index.index[: args.skip + args.cards])
    common = {
        "raw_dir": str(processed),
        "processed_dir": str(processed),
        "period": period,
        "lang": args.lang,
        "source_name": "sample",
        "is_synthetic": True,
        "run_id": "bench",
    }
    now = dt.datetime(2026, 12, 4, 12, 0, tzinfo=build.REPORT_TZ).isoformat(timespec="seconds")
    try:  # a tree with the print page (session 6): the PDF from the notebook's outputs
        from analysis.publish.scorecards.printcard import card_pdf
    except ImportError:
        card_pdf = None
    rows = []
    profiler = None
    for i, rt in enumerate(codes):
        job = build.ScorecardJob(
            rt_code=rt,
            notebook=str(build.NOTEBOOK),
            parameters={**common, build.RT_PARAMETER: rt},
            title=sd.title(rt_index.loc[rt], args.lang),
            subtitle=sd.subtitle(rt_index.loc[rt], period, args.lang),
            generated_at=now,
            file_stem=sd.card_file_stem(rt_index.loc[rt]),
        )
        c0 = time.process_time()
        nb, text = execute_to_text(Path(job.notebook), job.parameters)
        c1 = time.process_time()
        context = build.card_context(job)  # as build.export_card makes it (trees of session 6 on)
        html = export.export_briefing_html(nb, context)
        c2 = time.process_time()
        if args.profile and i >= len(codes) - args.profile:
            import cProfile

            profiler = profiler or cProfile.Profile()
            profiler.enable()
        if card_pdf is not None:
            pdf = card_pdf(nb, context, html, font_config=build.pdf_font_config())
        else:
            pdf = export.html_to_pdf(html, font_config=build.pdf_font_config())
        if profiler is not None:
            profiler.disable()
        c3 = time.process_time()
        if i == 0:  # as build._freeze_long_lived_objects does in a worker after its first card
            import gc

            gc.collect()
            gc.freeze()
            from analysis.core import gctune

            # a tree without it (an older revision) keeps CPython's default thresholds, as its workers do
            getattr(gctune, "fewer_collections_from_now", lambda: None)()
        import io

        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / f"{job.file_stem}.html").write_text(html, encoding="utf-8")
            (args.keep / f"{job.file_stem}.pdf").write_bytes(pdf)
        if i >= args.skip:
            rows.append(
                {
                    "rt": rt,
                    "status": str(rt_index.loc[rt, "status"]),
                    "execute": round(c1 - c0, 4),
                    "html": round(c2 - c1, 4),
                    "pdf": round(c3 - c2, 4),
                    "total": round(c3 - c0, 4),
                    "pages": pages,
                }
            )
    med = {k: round(statistics.median(r[k] for r in rows), 4) for k in ("execute", "html", "pdf", "total")}
    pages = sorted({r["pages"] for r in rows})
    print(f"{analysis.__file__}: {len(rows)} cards, median CPU s per card {med}, pages {pages}")
    if args.out:
        args.out.write_text(json.dumps({"median": med, "pages": pages, "cards": rows}, indent=1))
    if profiler is not None:
        import pstats

        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
