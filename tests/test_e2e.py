"""End to end on the bundled sample, as the users see it (issue #5 'Done when').

The real runner (clean → evaluate → four notebooks → HTML/PDF) on the sample's latest period, twice, and on
the 100-day window: the briefing opens in headless Chromium without console errors, shows no code, speaks
Indonesian and carries the sample notice; the PDF's text has the title, the period and key numbers read from
the evaluation tables; two runs give byte-identical processed data and the same briefing body; no output
holds personal data.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import config
from analysis.core.periods import period_label
from analysis.ingest.privacy import scan_file_for_personal_data, scan_text_for_personal_data
from analysis.publish.export import strip_run_info
from analysis.publish.runner import command, execute, plan

pytestmark = pytest.mark.slow


def _run(tmp: Path, period: str) -> command.RunResult:
    return command.run(
        plan.RunOptions(
            raw_dir=config.SAMPLE_SOURCE,
            period=period,
            out_root=tmp / "reports",
            processed_root=tmp / "processed",
        ),
        execute.Progress(quiet=True),
    )


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    first = tmp_path_factory.mktemp("first")
    second = tmp_path_factory.mktemp("second")
    return {
        "latest": _run(first, "latest"),
        "latest_again": _run(second, "latest"),
        "hundred": _run(first, "100-hari"),
        "first": first,
        "second": second,
    }


def test_latest_is_the_newest_period_and_outputs_exist(runs):
    result = runs["latest"]
    assert result.plan.period == plan.available_periods(config.SAMPLE_SOURCE)[-1]
    names = {p.name for p in result.report_dir.iterdir()}
    assert {"briefing.html", "briefing.pdf", "manifest.json", "briefing.ipynb"} <= names
    assert {"01_data_quality.html", "02_program_achievement.html", "03_kampung_bahagia_index.html"} <= names


def test_pdf_has_title_period_and_key_numbers(runs):
    result = runs["latest"]
    text = _pdf_text(result.report_dir / "briefing.pdf")
    flat = " ".join(text.split())
    assert "Ringkasan Kinerja Kota Jambi Bahagia" in flat
    assert period_label(result.plan.period) in flat
    assert config.SAMPLE_NOTICE in flat
    programs = pd.read_parquet(result.plan.processed_dir / "achievement_program.parquet")
    met = int((programs["achievement_capped_pct"] >= 100).sum())
    assert f"{met} dari {len(programs)} program" in flat
    assert "Halaman 1 dari" in flat


def test_hundred_day_briefing_gives_the_claim_verdict_from_the_tables(runs):
    result = runs["hundred"]
    claims = pd.read_parquet(result.plan.processed_dir / "claims.parquet")
    main = claims[claims["claim_id"] == "program_100_hari_melebihi_target"]
    verdict = main["overall_verdict"].iloc[0] if "overall_verdict" in main else main["verdict"].iloc[0]
    flat = " ".join(_pdf_text(result.report_dir / "briefing.pdf").split())
    assert "melebihi target" in flat
    assert verdict in flat


def test_briefing_in_chromium(runs, open_in_chromium):
    seen = open_in_chromium(
        runs["latest"].report_dir / "briefing.html",
        {
            "body": "document.body.innerText",
            "code_cells": "document.querySelectorAll("
            "'.jp-InputArea, .input_area, .jp-CodeMirrorEditor, pre code').length",
            "images": "Array.from(document.images).map(i => [i.alt, i.naturalWidth])",
            "lang": "document.documentElement.lang",
        },
    )
    errors, requests, body, code_cells, images, lang = (
        seen[k] for k in ("errors", "requests", "body", "code_cells", "images", "lang")
    )
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert code_cells == 0
    assert lang == "id"
    assert "Pesan utama" in body and "Capaian per program" in body
    assert config.SAMPLE_NOTICE in body
    assert "import " not in body and "analysis." not in body
    assert images and all(alt and width > 0 for alt, width in images)


def test_the_100_days_are_evaluated_once_and_read_by_the_notebooks(runs):
    import json

    result = runs["latest"]
    manifest = json.loads((result.report_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["preparation"]["hundred_days"] == "evaluated"
    assert (result.plan.processed_dir.parent / "100-hari" / "claims.parquet").is_file()
    achievement = (result.report_dir / "02_program_achievement.html").read_text(encoding="utf-8")
    assert "Dari hasil olahan periode 100 hari kerja" in achievement  # read, not recomputed in memory


def test_two_runs_same_processed_bytes_and_briefing_body(runs):
    a, b = runs["latest"], runs["latest_again"]
    assert _hashes(a.plan.processed_dir) == _hashes(b.plan.processed_dir)
    html_a = (a.report_dir / "briefing.html").read_text(encoding="utf-8")
    html_b = (b.report_dir / "briefing.html").read_text(encoding="utf-8")
    assert a.plan.run_id != b.plan.run_id
    assert strip_run_info(html_a) == strip_run_info(html_b)


def test_no_personal_data_in_any_output(runs):
    found = {}
    for root in (runs["first"], runs["second"]):
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            if path.suffix == ".pdf":
                hits = scan_text_for_personal_data(_pdf_text(path))
            else:
                hits = scan_file_for_personal_data(path)
            if hits:
                found[str(path.relative_to(root))] = hits[:3]
    assert not found
