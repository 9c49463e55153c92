"""End to end on the bundled sample, as the users see it (issue #5 'Done when').

The real runner (clean → evaluate → four notebooks → HTML/PDF) on the sample's latest period, twice, and on
the 100-day window: the briefing opens in headless Chromium without console errors, shows no code, speaks
Indonesian and carries the sample notice; the PDF's text has the title, the period and key numbers read from
the evaluation tables; two runs give byte-identical processed data and the same briefing body; no output
holds personal data.
"""

from __future__ import annotations

import hashlib
import json
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
def runs(tmp_path_factory, sample_latest_run, copy_sample_run):
    """The latest period run twice, each in a fresh root (the first is the session's shared run, read only),
    and the 100 days run after the latest in a copy of the first root (``first``)."""
    first = copy_sample_run(tmp_path_factory.mktemp("first"))
    second = tmp_path_factory.mktemp("second")
    return {
        "latest": sample_latest_run,
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
    assert "Bagaimana kinerja kita?" in body and "Tindak lanjut" in body and "Capaian per program" in body
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


def test_a_fresh_run_evaluates_every_period_to_date_into_the_history_store(runs):
    """The trends read every period to date: a run in a fresh root evaluates each earlier period (and the
    100 days) and refreshes the store with them."""
    from analysis.core.periods import sort_key
    from analysis.evaluate.history import History, store_path

    result = runs["latest"]
    stages = json.loads((result.report_dir / "manifest.json").read_text(encoding="utf-8"))["stages"]
    periods = plan.available_periods(config.SAMPLE_SOURCE)
    earlier = [p for p in periods if p not in ("100-hari", result.plan.period)]
    assert len(earlier) >= 4 and result.stages == stages
    assert {f"evaluate:{p}": "evaluated" for p in (*earlier, "100-hari", result.plan.period)}.items() <= (
        stages.items()
    )
    store = History(store_path(result.plan.processed_dir.parent))
    assert store.periods() == sorted(plan.available_periods(config.SAMPLE_SOURCE), key=sort_key)
    assert store.periods()[0] == "100-hari" and store.periods()[-1] == result.plan.period
    rt_periods = store.query("SELECT DISTINCT period FROM rt_index ORDER BY period")["period"].tolist()
    assert result.plan.period in rt_periods and "100-hari" not in rt_periods  # no RT index for the 100 days


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


# ------------------------------------------------------------------ page one as the reader sees it (issue 13)
def _figures_shown(html_text: str) -> dict[str, str]:
    """The headline figures of page one as the HTML shows them: ``{figure: text}``."""
    import re

    return dict(re.findall(r'data-figure="(\w+)">([^<]+)<', html_text))


def _svg_texts(html_text: str, alt_start: str) -> list[str]:
    """The text elements of the chart whose alt text starts with ``alt_start`` (SVG embedded as base64)."""
    import base64
    import html as html_module
    import re

    for alt, data in re.findall(r'<img alt="([^"]*)" src="data:image/svg\+xml;base64,([^"]+)"', html_text):
        if html_module.unescape(alt).startswith(alt_start):
            svg = base64.b64decode(data).decode("utf-8")
            return [html_module.unescape(t).strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    raise AssertionError(f"no chart whose alt text starts with {alt_start!r}")


def test_page_one_headline_figures_equal_the_tables(runs):
    from analysis.core.formatting import format_number, format_percent
    from analysis.publish.content import pageone

    result = runs["latest"]
    folder = result.plan.processed_dir
    html_text = (result.report_dir / "briefing.html").read_text(encoding="utf-8")
    shown = _figures_shown(html_text)
    programs = pd.read_parquet(folder / "achievement_program.parquet")
    rt = pd.read_parquet(folder / "rt_index.parquet")
    scored = rt[rt["status"] == "dinilai"]
    met = int((programs["achievement_capped_pct"] >= 100).sum())
    serapan = programs["budget_spent_idr"].sum() / programs["budget_allocated_idr"].sum() * 100
    assert shown["programs_met"] == f"{met} dari {len(programs)} program"
    assert shown["mean_capaian"] == format_percent(programs["achievement_capped_pct"].mean())
    assert shown["serapan"].startswith(format_percent(serapan) + " (jadwal linear ")
    assert shown["median_index"] == f"{format_number(scored['index'].median(), decimals=1)} dari 100"
    assert (
        shown["rt_scored_share"]
        == f"{format_percent(len(scored) / len(rt) * 100)} ({len(scored)} dari {len(rt)} RT)"
    )
    # the change since the previous period, from the previous period's own table
    previous = pd.read_parquet(
        folder.parent / programs["previous_period"].iloc[0] / "achievement_program.parquet"
    )
    change = programs["achievement_capped_pct"].mean() - previous["achievement_capped_pct"].mean()
    words = ("naik " if change > 0 else "turun ") + format_number(abs(change), decimals=1) + " poin persen"
    row = html_text[html_text.index('data-figure="mean_capaian"') :].split("</tr>")[0]
    assert words in row and ("▲" if change > 0 else "▼") in row
    # off track: the programs furthest below target named with their OPD, the others counted; the
    # follow-up box names OPDs
    offtrack = html_text[html_text.index('id="kjb-offtrack"') :].split("</table>")[0]
    behind = programs[programs["achievement_capped_pct"] < 100].sort_values("achievement_capped_pct")
    for _, r in behind.head(pageone.MAX_OFF_TRACK_PROGRAMS).iterrows():
        assert r["agency"] in offtrack
    if len(behind) > pageone.MAX_OFF_TRACK_PROGRAMS:
        assert (
            f"… dan {len(behind) - pageone.MAX_OFF_TRACK_PROGRAMS} program lain di bawah target" in offtrack
        )
    box = html_text[html_text.index('id="kjb-followups"') :].split("</aside>")[0]
    assert "Tindak lanjut" in box and box.count("<li") >= 3
    assert "100 Hari Kerja (20 Feb–30 Mei 2025)" in html_text  # the claim sentence is dated


def test_page_one_is_page_one_of_the_pdf(runs):
    from pypdf import PdfReader

    from analysis.core.formatting import format_percent

    result = runs["latest"]
    programs = pd.read_parquet(result.plan.processed_dir / "achievement_program.parquet")
    first = " ".join(PdfReader(result.report_dir / "briefing.pdf").pages[0].extract_text().split())
    met = int((programs["achievement_capped_pct"] >= 100).sum())
    assert f"{met} dari {len(programs)} program" in first
    assert format_percent(programs["achievement_capped_pct"].mean()) in first
    assert "Bagaimana kinerja kita?" in first and "Apa yang tertinggal?" in first
    assert "Tindak lanjut" in first and "Klaim" in first


def test_the_heat_map_shares_its_page_with_its_section_heading(runs):
    """A chart taller than a page's rest goes to the next page: the heat map of every kelurahan (the
    briefing's tallest) is capped in print so its section's heading and introduction stay with it."""
    from pypdf import PdfReader

    pages = [
        " ".join(p.extract_text().split())
        for p in PdfReader(runs["latest"].report_dir / "briefing.pdf").pages
    ]
    heading = [k for k, text in enumerate(pages) if "Kampung Bahagia: empat prinsip per RT" in text]
    chart = [k for k, text in enumerate(pages) if "Skor empat prinsip per wilayah" in text]
    assert heading and heading == chart, (heading, chart)


def test_bar_chart_and_table_show_the_same_capaian_with_the_cap_said(runs):
    import re

    from analysis.core.formatting import format_percent

    for key in ("latest", "hundred"):
        result = runs[key]
        html_text = (result.report_dir / "briefing.html").read_text(encoding="utf-8")
        programs = pd.read_parquet(result.plan.processed_dir / "achievement_program.parquet")
        bars = _svg_texts(html_text, "Diagram batang capaian")
        table = html_text[html_text.index('id="T_programs"') :].split("</table>")[0]
        cells = [c.strip() for c in re.findall(r"<td [^>]*>([^<]*)</td>", table)]
        for _, r in programs.dropna(subset=["achievement_capped_pct"]).iterrows():
            value = format_percent(r["achievement_capped_pct"])
            if abs(r["achievement_pct"] - r["achievement_capped_pct"]) > 1e-9:
                value += " (dibatasi 120%)"
            assert value in bars and value in cells, (key, r["program_code"], value)
        if key == "hundred":  # the sample's 100 days have capped programs (Rumel 129,2 % uncapped)
            assert any("dibatasi 120%" in c for c in cells)
            assert not any(b.startswith("129,2") for b in bars)


def test_heat_map_alt_and_page_one_name_the_same_weakest_principle(runs):
    import html as html_module
    import re

    from analysis.core.i18n import t
    from analysis.publish.charts import weakest_principles
    from analysis.publish.content.messages import principle_medians

    result = runs["latest"]
    html_text = html_module.unescape((result.report_dir / "briefing.html").read_text(encoding="utf-8"))
    rt = pd.read_parquet(result.plan.processed_dir / "rt_index.parquet")
    names = [t(f"principles.{p}", "id") for p in weakest_principles(principle_medians(rt))]
    alt = next(a for a in re.findall(r'<img alt="([^"]*)"', html_text) if a.startswith("Peta panas"))
    for name in names:
        assert name in alt
        assert name in html_text[html_text.index("Prinsip terlemah") :][:200]
