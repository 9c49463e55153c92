"""The card's PDF from the print page (``analysis.publish.scorecards.printcard``): it says what the HTML card
says, on at most two pages with two fonts, and falls back to the HTML card for outputs it cannot show.

The notebooks here are made of the card's real section outputs for the tiny tables of ``test_scorecards``
(no execution); the real notebook's cards are checked in ``test_scorecards`` (slow tests).
"""

import datetime as dt
import io
import re

import nbformat
import pytest

from analysis.core import config
from analysis.publish import export
from analysis.publish.scorecards import build, printcard
from analysis.publish.scorecards import data as scorecard_data
from tests.test_scorecards import PERIOD, card_for, tiny_tables

SECTIONS = (
    scorecard_data.section_identity, scorecard_data.section_summary, scorecard_data.section_principles,
    scorecard_data.section_strengths_weaknesses, scorecard_data.section_spending,
    scorecard_data.section_comparison, scorecard_data.section_indicators, scorecard_data.section_notes,
)  # fmt: skip


def card_notebook(rt_code: str, lang: str = "id"):
    """A notebook shaped like an executed ``05_scorecard_rt.ipynb``: a removed markdown cell, the
    parameters, the loading cell (no output) and one cell per section with its HTML as the result."""
    card = card_for(tiny_tables(), rt_code)
    nb = nbformat.v4.new_notebook()
    intro = nbformat.v4.new_markdown_cell("# Rapor RT")
    intro.metadata["tags"] = ["remove-cell"]
    nb.cells = [intro, nbformat.v4.new_code_cell("kode_rt = ''"), nbformat.v4.new_code_cell("card = ...")]
    for i, section in enumerate(SECTIONS):
        cell = nbformat.v4.new_code_cell(f"HTML(sc.{section.__name__}(card, lang))", execution_count=i + 1)
        cell.outputs = [
            nbformat.v4.new_output(
                "execute_result",
                {"text/html": section(card, lang), "text/plain": "<IPython.core.display.HTML object>"},
                execution_count=i + 1,
            )
        ]
        nb.cells.append(cell)
    context = export.ReportContext(
        lang=lang,
        period=PERIOD,
        source_name="sample",
        is_synthetic=True,
        run_id="20261204T120000Z-test",
        generated_at=dt.datetime(2026, 12, 4, 19, 0, tzinfo=build.REPORT_TZ),
        title=scorecard_data.title(card.rt, lang),
        extra={"subtitle": scorecard_data.subtitle(card.rt, PERIOD, lang)},
    )
    return nb, context


def visible_text(page: str) -> str:
    """The words a reader sees in the page's body, in order (no styles), whitespace collapsed."""
    from bs4 import BeautifulSoup

    body = BeautifulSoup(page, "html.parser").body
    for hidden in body.find_all(["style", "script"]):
        hidden.decompose()
    return " ".join(body.get_text(" ").split())


def pdf_pages(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_fonts(pdf: bytes) -> set[str]:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


@pytest.mark.parametrize("rt_code", ["k1.001", "k1.002", "k2.001"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_print_page_says_what_the_html_card_says(rt_code, lang):
    nb, context = card_notebook(rt_code, lang)
    card_html = export.export_briefing_html(nb, context)
    page = printcard.print_html(nb, context)
    assert page is not None
    assert visible_text(page) == visible_text(card_html)  # notice, header, every section, footer
    assert (
        "jp-" not in page and scorecard_data.SCORECARD_CSS not in page
    )  # no nbconvert wrappers or screen styles
    assert "<script" not in page


def test_card_pdf_two_pages_two_fonts_notice_on_every_page():
    nb, context = card_notebook("k1.001")
    pdf = printcard.card_pdf(nb, context, export.export_briefing_html(nb, context))
    pages = pdf_pages(pdf)
    assert 1 <= len(pages) <= 2
    assert all(config.SAMPLE_NOTICE in text for text in pages)
    text = "\n".join(pages)
    assert "Peringkat 1 dari 2 RT yang dinilai" in text and "Kode pembuatan: 20261204T120000Z-test" in text
    assert re.search(r"Halaman 1 dari \d", pages[0])
    assert pdf_fonts(pdf) == {"DejaVu-Sans", "DejaVu-Sans-Bold"}  # one family set once


def test_one_stylesheet_per_font_configuration_and_the_same_pdf():
    from weasyprint.text.fonts import FontConfiguration

    shared = FontConfiguration()
    assert printcard.print_stylesheet(shared) is printcard.print_stylesheet(shared)
    other = FontConfiguration()
    assert printcard.print_stylesheet(other) is not printcard.print_stylesheet(shared)
    nb, context = card_notebook("k1.002")
    html = export.export_briefing_html(nb, context)
    alone = printcard.card_pdf(nb, context, html)  # a new font configuration and stylesheet
    assert printcard.card_pdf(nb, context, html, font_config=shared) == alone
    assert printcard.card_pdf(nb, context, html, font_config=shared) == alone


@pytest.mark.parametrize(
    "extra",
    [
        nbformat.v4.new_markdown_cell("## Catatan"),
        nbformat.v4.new_code_cell(
            "plot()",
            outputs=[
                nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo=", "text/plain": "x"})
            ],
        ),
    ],
    ids=["markdown", "image"],
)
def test_a_notebook_the_print_page_cannot_show_gets_the_html_cards_pdf(extra):
    nb, context = card_notebook("k1.001")
    nb.cells.append(extra)
    assert printcard.print_html(nb, context) is None
    html = "<html><body><p>Rapor</p></body></html>"
    assert printcard.card_pdf(nb, context, html) == export.html_to_pdf(html)


def test_removed_cells_and_stderr_are_left_out_stdout_kept():
    nb, context = card_notebook("k1.001")
    hidden = nbformat.v4.new_code_cell(
        "x", outputs=[nbformat.v4.new_output("stream", name="stdout", text="rahasia")]
    )
    hidden.metadata["tags"] = ["remove-output"]
    shown = nbformat.v4.new_code_cell(
        "y",
        outputs=[
            nbformat.v4.new_output("stream", name="stderr", text="DeprecationWarning"),
            nbformat.v4.new_output("stream", name="stdout", text="a < b"),
        ],
    )
    nb.cells += [hidden, shown]
    page = printcard.print_html(nb, context)
    assert "rahasia" not in page and "DeprecationWarning" not in page and "<pre>a &lt; b</pre>" in page
