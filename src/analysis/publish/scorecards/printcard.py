"""The RT card on paper: the HTML that WeasyPrint lays out for the card's PDF, built from the executed
notebook's outputs.

The HTML card (``export.export_briefing_html``: nbconvert, briefing template) is what a browser shows; the
PDF is laid out from a slimmer page made of the same section outputs (:func:`print_html`): the notebook's
``text/html`` outputs in cell order, without nbconvert's cell wrappers, the briefing stylesheet or the
card's screen styles (``data.SCORECARD_CSS``), inside ``nbtemplates/scorecard_print/card.html.j2`` with
one print stylesheet (``card.css``): two A4 pages (one sheet, both sides) instead of four, one font family
(two fonts in the PDF instead of six), no flex boxes, fixed table layouts. WeasyPrint lays it out in a
fraction of the time (``docs/performance.md``, "Session 6: cards"). The words and numbers are the same as
the HTML card's: the data notice (banner, every page's foot, footer), the header, every section, the run
footer.

A notebook with outputs this page does not know how to show (markdown cells, images, widgets, anything but
HTML and plain text) gets its PDF from the HTML card instead (:func:`card_pdf`), as before.
"""

from __future__ import annotations

import html
import threading
from functools import cache

from analysis.publish import export
from analysis.publish.scorecards.data import SCORECARD_CSS

TEMPLATE_DIR = export.TEMPLATES_DIR / "scorecard_print"

#: Output kinds the print page shows (anything else: the PDF comes from the HTML card).
_TEXT_MIMETYPES = ("text/html", "text/plain")


@cache
def _environment():
    import jinja2
    from nbconvert.exporters.templateexporter import default_filters

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(TEMPLATE_DIR), str(export.TEMPLATES_DIR)]),
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters.update(default_filters)  # the shared macros (kjb_macros.j2) are nbconvert templates
    return env


@cache
def _stylesheet() -> str:
    return (TEMPLATE_DIR / "card.css").read_text(encoding="utf-8")


_thread_state = threading.local()


def print_stylesheet(font_config):
    """``card.css`` parsed once per thread and font configuration (WeasyPrint ``CSS``): every card reuses
    it instead of parsing and compiling its selectors again. Passed to WeasyPrint as a user stylesheet:
    the print page has no author styles but its ``@page`` margins and the sections' inline ``style``
    attributes (bar widths), which win over it as they did over the page's own stylesheet."""
    cached = getattr(_thread_state, "sheet", None)
    if cached is None or cached[0] is not font_config:
        from analysis.publish.weasy import weasyprint

        sheet = weasyprint.CSS(string=_stylesheet(), font_config=font_config)
        cached = _thread_state.sheet = (font_config, sheet)
    return cached[1]


def page_css(title: str, period_text: str, notice: str, lang: str) -> str:
    """The card's paged-media CSS: A4 with narrow margins, the title and period at the top of every page,
    "Halaman X dari Y" and the data notice at its foot, in the card's one font family."""
    notice_box = (
        f"@bottom-left {{ content: {export.css_string(notice)}; color: #6b4a00; font-weight: bold; }}"
        if notice
        else ""
    )
    return f"""@page {{
  size: A4;
  margin: 13mm 13mm 13mm 13mm;
  font-size: 7pt; color: #5b6673;
  @top-left {{ content: {export.css_string(title)}; }}
  @top-right {{ content: {export.css_string(period_text)}; }}
  @bottom-right {{ content: {export.page_counter_css(lang)}; }}
  {notice_box}
}}"""


def section_outputs(nb) -> list[str] | None:
    """The HTML of every output the card's notebook shows, in cell order (``remove-cell`` / ``remove-output``
    cells left out, as in the HTML card; the screen styles dropped); ``None`` when the notebook shows
    something else than HTML or plain text (a markdown cell, an image, a widget)."""
    parts = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", ()))
        if tags & export.REMOVE_CELL_TAGS:
            continue
        if cell.cell_type != "code":
            if cell.cell_type == "markdown":
                return None
            continue
        if tags & export.REMOVE_OUTPUT_TAGS:
            continue
        for output in cell.get("outputs", ()):
            kind = output.get("output_type")
            if kind == "stream":
                if output.get("name") == "stdout":
                    parts.append(f"<pre>{html.escape(_text(output.get('text', '')))}</pre>")
                continue  # stderr: library warnings, never in a card (the briefing template drops it too)
            if kind not in ("execute_result", "display_data"):
                return None  # an error: the card is never exported (the cell failed)
            data = output.get("data", {})
            if any(m not in _TEXT_MIMETYPES for m in data):
                return None
            if "text/html" in data:
                parts.append(_text(data["text/html"]).replace(SCORECARD_CSS, ""))
            elif "text/plain" in data:
                parts.append(f"<pre>{html.escape(_text(data['text/plain']))}</pre>")
    return parts


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def print_html(nb, context: export.ReportContext) -> str | None:
    """The print page of an executed card notebook for ``context`` (module docstring), ``None`` when
    :func:`section_outputs` cannot show the notebook."""
    parts = section_outputs(nb)
    if parts is None:
        return None
    kjb = context.resources()["kjb"]
    return (
        _environment()
        .get_template("card.html.j2")
        .render(
            kjb=kjb,
            parts=parts,
            page_css=page_css(kjb["title"], kjb["period_label"], kjb["notice"], context.lang),
        )
    )


def card_pdf(nb, context: export.ReportContext, card_html: str, font_config=None) -> bytes:
    """The card's PDF: WeasyPrint on :func:`print_html` with :func:`print_stylesheet`, or on the HTML card
    ``card_html`` when the notebook shows what the print page cannot (``export.html_to_pdf``). As there,
    only ``data:`` URLs are fetched; ``font_config`` is the caller's (one per worker thread), else a new
    one."""
    page = print_html(nb, context)
    if page is None:
        return export.html_to_pdf(card_html, font_config=font_config)
    from analysis.publish.weasy import weasyprint

    font_config = font_config if font_config is not None else weasyprint.text.fonts.FontConfiguration()
    sheet = print_stylesheet(font_config)
    return export.html_to_pdf(page, font_config=font_config, stylesheets=[sheet], base_url=TEMPLATE_DIR)
