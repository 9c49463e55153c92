"""Briefing HTML/PDF and analysts' HTML exports, checked on what a reader gets.

The notebooks here are built already "executed" (outputs written by hand with nbformat), so the export is
tested without starting a kernel; tests/test_runner.py executes real ones.
"""

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

import pytest

#: 1×1 PNG.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
CODE_MARKER = "SECRET_CODE_LINE = 42"
EVIL = "<script>alert('rt')</script>"


def executed_notebook():
    """A fresh copy of the same notebook (same cell ids) on every call."""
    import copy

    return copy.deepcopy(_build_notebook())


@functools.cache
def _build_notebook():
    import nbformat.v4 as v4
    import pandas as pd

    table = pd.DataFrame({"catatan": [EVIL, "aman"], "nilai": [1.5, 2.0]}).to_html()
    cells = [
        v4.new_markdown_cell("# Ringkasan uji\n\nParagraf **pembuka**."),
        v4.new_code_cell(
            CODE_MARKER,
            outputs=[
                v4.new_output("stream", name="stdout", text="keluaran biasa\n"),
                v4.new_output("stream", name="stderr", text="FutureWarning: noisy library\n"),
            ],
            execution_count=1,
        ),
        v4.new_code_cell(
            "df", outputs=[v4.new_output("execute_result", data={"text/html": table}, execution_count=2)]
        ),
        v4.new_markdown_cell("## Capaian per program"),
        v4.new_code_cell(
            "plt.show()",
            outputs=[v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})],
        ),
        v4.new_code_cell(
            "display_figure(fig)",
            outputs=[
                v4.new_output(
                    "display_data",
                    data={"image/svg+xml": SVG, "text/plain": "Serapan"},
                    metadata={"image/svg+xml": {"alt": "Serapan anggaran per OPD"}},
                )
            ],
        ),
        v4.new_code_cell(
            "js", outputs=[v4.new_output("display_data", data={"application/javascript": "alert(1)"})]
        ),
    ]
    hidden = v4.new_code_cell(
        "HIDDEN_CELL = 1", outputs=[v4.new_output("stream", name="stdout", text="HIDDEN_OUT")]
    )
    hidden.metadata["tags"] = ["remove-cell"]
    cells.append(hidden)
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    return nb


def context(lang="id", synthetic=True, run_id="20250630T030000Z-abc123", hour=10):
    from analysis.publish.export import ReportContext

    return ReportContext(
        lang=lang,
        period="2025-TW2",
        source_name="sample",
        is_synthetic=synthetic,
        run_id=run_id,
        generated_at=dt.datetime(2025, 6, 30, hour, 0, tzinfo=ZoneInfo("Asia/Jakarta")),
    )


@pytest.fixture(scope="module")
def briefing_id():
    from analysis.publish.export import export_briefing_html

    return export_briefing_html(executed_notebook(), context())


@pytest.fixture(scope="module")
def analyst_id():
    from analysis.publish.export import export_analyst_html

    return export_analyst_html(executed_notebook(), context())


def img_tags(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*>", html)


def test_briefing_has_no_code_prompts_stderr_or_scripts(briefing_id):
    html = briefing_id
    assert CODE_MARKER not in html
    assert "In&nbsp;[" not in html and "Out[" not in html
    assert "noisy library" not in html
    assert "keluaran biasa" in html
    assert "<script" not in html.lower()
    assert "HIDDEN" not in html  # remove-cell tag


def test_briefing_is_self_contained(briefing_id):
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", briefing_id)
    assert "@import" not in briefing_id
    assert "<link" not in briefing_id


def test_briefing_images_embedded_with_alt(briefing_id):
    tags = img_tags(briefing_id)
    assert len(tags) == 2
    for tag in tags:
        assert re.search(r'src="data:image/(png|svg\+xml);base64,', tag)
        assert re.search(r'alt="[^"]+"', tag)
    alts = [re.search(r'alt="([^"]*)"', tag).group(1) for tag in tags]
    assert alts == ["Grafik: Capaian per program", "Serapan anggaran per OPD"]


def test_briefing_escapes_text_from_data(briefing_id):
    assert EVIL not in briefing_id
    assert "&lt;script&gt;alert" in briefing_id


def test_briefing_language_title_and_notice(briefing_id):
    from analysis.core.config import SAMPLE_NOTICE

    assert '<html lang="id">' in briefing_id
    assert "Ringkasan Kinerja Kota Jambi Bahagia" in briefing_id
    assert "Triwulan II 2025" in briefing_id
    head, footer = briefing_id.split('<footer class="kjb-footer">')
    assert SAMPLE_NOTICE in head.split('<main class="kjb-main">')[0]  # banner above the content
    assert SAMPLE_NOTICE in footer
    assert "Halaman " in briefing_id  # page counter CSS


def test_briefing_in_english_and_without_notice_for_official_data():
    from analysis.core.config import SAMPLE_NOTICE, SAMPLE_NOTICE_EN
    from analysis.publish.export import export_briefing_html

    html = export_briefing_html(executed_notebook(), context(lang="en", synthetic=False))
    assert '<html lang="en">' in html
    assert "Kota Jambi Bahagia Performance Briefing" in html and "Q2 2025" in html
    assert SAMPLE_NOTICE not in html and SAMPLE_NOTICE_EN not in html
    assert "Chart: Capaian per program" in html
    html_synthetic = export_briefing_html(executed_notebook(), context(lang="en"))
    assert html_synthetic.count(SAMPLE_NOTICE_EN) >= 2


def test_run_info_is_delimited_and_strippable(briefing_id):
    from analysis.publish.export import export_briefing_html, strip_run_info

    other = export_briefing_html(executed_notebook(), context(run_id="20250701T000000Z-ffffff", hour=23))
    assert "20250630T030000Z-abc123" in briefing_id and "30 Juni 2025 10.00 WIB" in briefing_id
    assert other != briefing_id
    assert strip_run_info(other) == strip_run_info(briefing_id)
    assert "abc123" not in strip_run_info(briefing_id)


def test_analyst_html_has_code_and_no_cdn_scripts(analyst_id):
    html = analyst_id
    assert "SECRET_CODE_LINE" in html
    assert '<html lang="id">' in html
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert "require.js" not in html and "mathjax" not in html.lower() and "mermaid" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert EVIL not in html
    tags = img_tags(html)
    assert len(tags) == 2 and all(re.search(r'alt="[^"]+"', t) and "data:image/" in t for t in tags)
    assert "DATA CONTOH — bukan data resmi" in html


def pdf_text(data: bytes) -> tuple[int, str]:
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_has_title_period_notice_and_page_numbers(briefing_id):
    from analysis.publish.export import html_to_pdf

    data = html_to_pdf(briefing_id)
    assert data.startswith(b"%PDF")
    pages, text = pdf_text(data)
    assert "Ringkasan Kinerja Kota Jambi Bahagia" in text
    assert "Triwulan II 2025" in text
    assert "DATA CONTOH — bukan data resmi" in text
    assert f"Halaman 1 dari {pages}" in text
    assert "SECRET_CODE_LINE" not in text
    assert html_to_pdf(briefing_id) == data  # same HTML, same bytes


def test_pdf_exporter_class_in_english():
    from analysis.publish.export import WeasyPDFExporter

    data = WeasyPDFExporter().export(executed_notebook(), context(lang="en"))
    pages, text = pdf_text(data)
    assert f"Page 1 of {pages}" in text
    assert "SAMPLE DATA — not official figures" in text and "Q2 2025" in text


def test_pdf_refuses_external_resources():
    from analysis.publish.export import html_to_pdf

    with pytest.raises(BaseException, match="http://example.invalid/x.png"):
        html_to_pdf('<html><body><img src="http://example.invalid/x.png" alt="x"></body></html>')


def test_css_string_escapes():
    from analysis.publish.export import css_string

    assert css_string('a"b\\c') == '"a\\"b\\\\c"'


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["briefing", "analyst"])
def test_chromium_shows_no_console_errors_and_loads_nothing(
    tmp_path, kind, briefing_id, analyst_id, open_in_chromium
):
    page_file = tmp_path / f"{kind}.html"
    page_file.write_text(briefing_id if kind == "briefing" else analyst_id, encoding="utf-8")
    seen = open_in_chromium(
        page_file,
        {
            "broken": "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length",
            "alts": "Array.from(document.images).map(i => i.alt)",
            "lang": "document.documentElement.lang",
        },
    )
    errors, requests, broken, alts, lang = (seen[k] for k in ("errors", "requests", "broken", "alts", "lang"))
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert broken == 0
    assert len(alts) == 2 and all(alts)
    assert lang == "id"


def _table_notebook(n_rows: int):
    import nbformat.v4 as v4
    import pandas as pd

    table = pd.DataFrame({"baris": [f"ROW-{k}" for k in range(n_rows)], "nilai": range(n_rows)})
    cells = [
        v4.new_markdown_cell("## Uji halaman terakhir"),
        v4.new_code_cell(
            "df",
            outputs=[
                v4.new_output(
                    "execute_result", data={"text/html": table.to_html(index=False)}, execution_count=1
                )
            ],
        ),
    ]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


#: The footer rules of briefing.css undone: the run footer may break away from the last block.
_FOOTER_UNPINNED = (
    "<style>@media print { .kjb-footer { margin-top: 2.5em; break-before: auto; page-break-before: auto; "
    "break-inside: auto; page-break-inside: auto; } }</style></head>"
)


@pytest.mark.slow
def test_pdf_never_ends_with_a_page_holding_only_the_footer():
    """Tables of 22-31 rows end near the bottom of page 1 (A4, DejaVu): without the footer rules some of
    them put the run footer alone on page 2; with them the last page always holds part of the table."""
    import io

    from pypdf import PdfReader

    from analysis.publish.export import export_briefing_html, html_to_pdf

    def last_page_has_rows(html: str) -> tuple[int, bool]:
        reader = PdfReader(io.BytesIO(html_to_pdf(html)))
        return len(reader.pages), "ROW-" in reader.pages[-1].extract_text()

    footer_alone_without_rules = []
    for n in range(22, 32):
        html = export_briefing_html(_table_notebook(n), context())
        pages, has_rows = last_page_has_rows(html)
        assert has_rows, f"{n} rows: page {pages} holds only the footer"
        pages, has_rows = last_page_has_rows(html.replace("</head>", _FOOTER_UNPINNED, 1))
        if not has_rows:
            footer_alone_without_rules.append(n)
    # the test can fail: without the rules the footer does end up alone for some of these tables
    assert footer_alone_without_rules, "no table length put the footer alone; adjust the range"


def test_a_chart_with_a_phone_layout_is_a_picture_whose_phone_source_narrow_screens_take():
    import base64

    import nbformat.v4 as v4

    from analysis.publish.charts import PHONE_SVG_MIMETYPE
    from analysis.publish.export import export_analyst_html, export_briefing_html

    phone_svg = SVG.replace('width="10"', 'width="5"')
    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell(
                "charts.show(heatmap)",
                outputs=[
                    v4.new_output(
                        "display_data",
                        data={"image/svg+xml": SVG, PHONE_SVG_MIMETYPE: phone_svg, "text/plain": "Peta"},
                        metadata={"image/svg+xml": {"alt": "Skor per wilayah"}},
                    )
                ],
            )
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for html in (export_briefing_html(nb, context()), export_analyst_html(nb, context())):
        (picture,) = re.findall(r"<picture>.*?</picture>", html, flags=re.S)
        phone_b64 = base64.b64encode(phone_svg.encode()).decode()
        page_b64 = base64.b64encode(SVG.encode()).decode()
        assert f'<source media="(max-width: 40rem)" srcset="data:image/svg+xml;base64,{phone_b64}"' in picture
        (img,) = img_tags(picture)  # (the analysts' export writes the attributes in another order)
        assert f'src="data:image/svg+xml;base64,{page_b64}"' in img and 'alt="Skor per wilayah"' in img
        assert len(img_tags(html)) == 1


def _text_then_table_notebook(paragraphs: int, rows: int):
    import nbformat.v4 as v4
    import pandas as pd

    text = "\n\n".join(
        f"Paragraf {k}: capaian program dibandingkan dengan target triwulan, serapan anggaran dan catatan "
        "lain yang panjangnya kira-kira dua baris pada halaman A4 briefing."
        for k in range(paragraphs)
    )
    table = pd.DataFrame({"baris": [f"ROW-{k:03d}" for k in range(rows)], "nilai": range(rows)})
    cells = [
        v4.new_markdown_cell("## Uji tabel di ujung halaman\n\n" + text),
        v4.new_code_cell(
            "tabel",
            outputs=[
                v4.new_output(
                    "execute_result",
                    data={"text/html": table.to_html(index=False, classes="kjb-table")},
                    execution_count=1,
                )
            ],
        ),
    ]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


#: The table rules of briefing.css undone: rows may break anywhere, a small table may split.
_TABLE_RULES_UNDONE = (
    "<style>@media print { table.kjb-table { break-inside: auto; page-break-inside: auto; } "
    "tbody tr:nth-child(-n+2) { break-after: auto; page-break-after: auto; } "
    "tbody tr:nth-last-child(-n+2) { break-before: auto; page-break-before: auto; } }</style></head>"
)


@pytest.mark.slow
def test_pdf_keeps_a_small_table_whole_and_never_leaves_a_row_or_two_alone():
    """A table of 8 rows after text of growing length (so that it meets the page's end at every height)
    stays on one page; a table of 40 rows that must break keeps at least three rows on each of its pages.
    Without the rules some of these layouts leave one or two rows alone (the test can fail)."""
    import io

    from pypdf import PdfReader

    from analysis.publish.export import export_briefing_html, html_to_pdf

    def rows_per_page(html: str) -> list[int]:
        reader = PdfReader(io.BytesIO(html_to_pdf(html)))
        counts = [len(re.findall(r"ROW-\d{3}", page.extract_text())) for page in reader.pages]
        return [c for c in counts if c]

    lone_without_rules = []
    for paragraphs in range(12, 24, 2):
        small = export_briefing_html(_text_then_table_notebook(paragraphs, 8), context())
        assert rows_per_page(small) == [8], f"{paragraphs} paragraphs: the 8-row table split"
        long = export_briefing_html(_text_then_table_notebook(paragraphs, 40), context())
        counts = rows_per_page(long)
        assert sum(counts) == 40 and min(counts) >= 3, f"{paragraphs} paragraphs: rows per page {counts}"
        for html in (small, long):
            if min(rows_per_page(html.replace("</head>", _TABLE_RULES_UNDONE, 1))) < 3:
                lone_without_rules.append(paragraphs)
    assert lone_without_rules, "no layout left a row or two alone without the rules; adjust the range"
