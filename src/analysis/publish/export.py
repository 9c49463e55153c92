"""Export executed notebooks: the briefing (HTML without code, PDF) and the analysts' notebooks (HTML with code).

Everything happens in process (no ``jupyter nbconvert`` subprocess): exporters are built once and reused.

- :class:`BriefingHTMLExporter`: template ``nbtemplates/briefing`` — no code, no prompts, no stderr, no
  script tags at all; one self-contained file (CSS inlined, images as base64 ``data:`` URLs); ``lang`` on
  ``<html>``; the data notice as a banner at the top and in the footer when the source is synthetic; the
  run id and generation time in the footer between ``<!-- run-info:start -->`` and
  ``<!-- run-info:end -->`` (:func:`strip_run_info` removes them to compare two runs).
- :class:`WeasyPDFExporter`: the same HTML rendered to PDF by WeasyPrint with paged-media CSS: A4, a running
  header (title and period), "Halaman X dari Y", the data notice on every page. No browser, no network
  (:func:`html_to_pdf` fetches nothing but ``data:`` URLs).
- :class:`AnalystHTMLExporter`: template ``nbtemplates/analyst`` — JupyterLab's look with the code, but
  without the require.js / MathJax / Mermaid script tags that the stock ``lab`` template loads from a CDN;
  a widget (``analysis.publish.interactive.FilteredTable``) is shown by its static HTML (the whole table,
  searchable offline). The briefing drops widgets altogether (:class:`WidgetRemovePreprocessor`).

Alt text: a chart shown with :func:`analysis.core.formatting.display_figure` carries ``{"alt": ...}`` in its
output metadata; :class:`AltTextPreprocessor` gives every other image the text of the nearest heading
above it (``Grafik: <heading>``), so no ``<img>`` leaves without a description.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets import default

from analysis.core.config import SAMPLE_NOTICE, SAMPLE_NOTICE_EN
from analysis.core.formatting import check_lang, format_datetime
from analysis.core.i18n import labels, t
from analysis.core.periods import period_label

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "nbtemplates"

#: Cell tags understood by every export (as in Jupyter Book / nbconvert's TagRemovePreprocessor).
REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell"})
REMOVE_INPUT_TAGS = frozenset({"remove-input", "remove_input", "hide-input"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})

IMAGE_MIMETYPES = ("image/svg+xml", "image/png", "image/jpeg")

RUN_INFO_START = "<!-- run-info:start -->"
RUN_INFO_END = "<!-- run-info:end -->"
_RUN_INFO = re.compile(re.escape(RUN_INFO_START) + ".*?" + re.escape(RUN_INFO_END), re.S)


@dataclass(frozen=True)
class ReportContext:
    """What the templates need to know about one report besides the notebook itself."""

    lang: str
    period: str
    source_name: str
    is_synthetic: bool
    run_id: str
    generated_at: dt.datetime
    title: str | None = None  # default: the catalogue's briefing title
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_lang(self.lang)

    @property
    def notice(self) -> str:
        """The data notice, or ``""`` for an official data source."""
        if not self.is_synthetic:
            return ""
        return SAMPLE_NOTICE if self.lang == "id" else SAMPLE_NOTICE_EN

    def resources(self) -> dict[str, Any]:
        """The ``resources`` dict handed to nbconvert; the templates read ``resources.kjb``."""
        title = self.title or t("report.briefing_title", self.lang)
        plabel = period_label(self.period, self.lang)
        kjb = {
            "lang": self.lang,
            "title": title,
            "subtitle": t("report.briefing_subtitle", self.lang, period=plabel),
            "period": self.period,
            "period_label": plabel,
            "source_name": self.source_name,
            "source_text": source_text(self.source_name, self.is_synthetic, self.lang),
            "notice": self.notice,
            "notice_long": t("notice.sample_long", self.lang) if self.is_synthetic else "",
            "run_id": self.run_id,
            "generated_iso": self.generated_at.isoformat(timespec="seconds"),
            "generated_text": format_datetime(self.generated_at, self.lang),
            "labels": labels("report", self.lang),
            "page_css": page_css(title, plabel, self.notice, self.lang),
            **self.extra,
        }
        return {"kjb": kjb, "metadata": {"name": title}}


def source_text(source_name: str, is_synthetic: bool, lang: str = "id") -> str:
    """Where the figures come from, for the footer "Tentang laporan ini": the data source folder, and that
    it is synthetic when it is.

    >>> source_text("sample", True)
    'Sumber data: folder “sample” (data contoh sintetis)'
    >>> source_text("bappeda-2026", False, "en")
    'Data source: folder “bappeda-2026”'
    """
    key = "report.source_folder_synthetic" if is_synthetic else "report.source_folder"
    return t(key, lang, source=source_name)


def css_string(text: str) -> str:
    """A CSS string literal (double-quoted, backslash and quote escaped, no line breaks).

    >>> css_string('Halaman "1"')
    '"Halaman \\\\"1\\\\""'
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return f'"{escaped}"'


def page_counter_css(lang: str) -> str:
    """CSS ``content`` for "Halaman X dari Y" built from the catalogue label ``report.page_of``.

    >>> page_counter_css("id")
    '"Halaman " counter(page) " dari " counter(pages)'
    """
    marker = "\x00"
    text = t("report.page_of", lang, page=marker + "page" + marker, pages=marker + "pages" + marker)
    parts = []
    for i, piece in enumerate(text.split(marker)):
        if i % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def page_css(title: str, period_text: str, notice: str, lang: str) -> str:
    """Paged-media CSS (WeasyPrint; ignored on screen): A4, running header, page numbers, data notice."""
    notice_box = (
        f"@bottom-left {{ content: {css_string(notice)}; color: #6b4a00; font-weight: bold; }}"
        if notice
        else ""
    )
    return f"""@page {{
  size: A4;
  margin: 22mm 18mm 20mm 18mm;
  @top-left {{ content: {css_string(title)}; font-family: "DejaVu Serif", serif; font-size: 8pt; color: #5b6673; }}
  @top-right {{ content: {css_string(period_text)}; font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #5b6673; }}
  @bottom-right {{ content: {page_counter_css(lang)}; font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #5b6673; }}
  {notice_box}
}}
@page {{ @bottom-left {{ font-family: "DejaVu Sans", sans-serif; font-size: 8pt; }} }}"""


class AltTextPreprocessor(Preprocessor):
    """Give every image output an ``alt`` in its metadata.

    Kept: an ``alt`` already there (``display_figure``). Otherwise the nearest markdown heading above the
    image, as ``figure.default_alt`` (``Grafik: <heading>``); with no heading at all, the report title.
    """

    def preprocess(self, nb, resources):
        kjb = resources.get("kjb", {})
        lang = kjb.get("lang", "id")
        heading = kjb.get("title", "")
        derived = 0
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                found = re.findall(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", cell.source, re.M)
                if found:
                    heading = found[-1]
                continue
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                for mimetype in IMAGE_MIMETYPES:
                    if mimetype not in data:
                        continue
                    meta = output.setdefault("metadata", {}).setdefault(mimetype, {})
                    if not meta.get("alt"):
                        meta["alt"] = t("figure.default_alt", lang, title=heading)
                        derived += 1
        if derived:
            log.warning("%d image(s) had no alt text; used the heading above them", derived)
        return nb, resources


class StableCellIdPreprocessor(Preprocessor):
    """Give papermill's ``injected-parameters`` cell a fixed id (papermill makes a random one), so two
    runs of the same notebook give the same HTML apart from the run information."""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []) and "id" in cell:
                cell["id"] = "injected-parameters"
        return nb, resources


WIDGET_MIMETYPE = "application/vnd.jupyter.widget-view+json"


class WidgetRemovePreprocessor(Preprocessor):
    """Drop every output that is a widget (with its static fallback): a briefing is a fixed page for
    leadership, without the analysts' filters and interactive tables (``analysis.publish.interactive``)."""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if "outputs" in cell:
                cell.outputs = [o for o in cell.outputs if WIDGET_MIMETYPE not in o.get("data", {})]
        return nb, resources


def _tag_remover(parent) -> TagRemovePreprocessor:
    return TagRemovePreprocessor(
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_input_tags=set(REMOVE_INPUT_TAGS),
        remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
        enabled=True,
        parent=parent,
    )


class _KJBHTMLExporter(HTMLExporter):
    """Common set-up: our template folder, embedded images, alt text, tag removal."""

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self):
        return [str(TEMPLATES_DIR)]

    @default("extra_template_paths")
    def _default_extra_template_paths(self):
        return [str(TEMPLATES_DIR)]

    @default("embed_images")
    def _default_embed_images(self):
        return True

    @default("exclude_anchor_links")
    def _default_exclude_anchor_links(self):
        return True

    @default("optimistic_validation")
    def _default_optimistic_validation(self):
        # validate the notebook once, after the last preprocessor, not after each of them (same output)
        return True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.register_preprocessor(_tag_remover(self), enabled=True)
        self.register_preprocessor(AltTextPreprocessor(parent=self), enabled=True)
        self.register_preprocessor(StableCellIdPreprocessor(parent=self), enabled=True)

    def export(self, nb, context: ReportContext) -> str:
        """HTML text of an executed notebook for ``context``."""
        self.language_code = context.lang
        body, _ = self.from_notebook_node(nb, resources=context.resources())
        return body


class BriefingHTMLExporter(_KJBHTMLExporter):
    """The briefing: no code, no prompts, our template (``nbtemplates/briefing``)."""

    @default("template_name")
    def _template_name_default(self):
        return "briefing"

    @default("exclude_input")
    def _default_exclude_input(self):
        return True

    @default("exclude_input_prompt")
    def _default_exclude_input_prompt(self):
        return True

    @default("exclude_output_prompt")
    def _default_exclude_output_prompt(self):
        return True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.register_preprocessor(WidgetRemovePreprocessor(parent=self), enabled=True)


class AnalystHTMLExporter(_KJBHTMLExporter):
    """Analysts' notebooks with code, lab look, offline (``nbtemplates/analyst``)."""

    @default("template_name")
    def _template_name_default(self):
        return "analyst"


def html_to_pdf(
    html: str, font_config=None, stylesheets: Sequence = (), base_url: Path = TEMPLATES_DIR
) -> bytes:
    """Render report HTML to PDF bytes with WeasyPrint (print media).

    Only ``data:`` URLs are fetched; any other resource (``http:``, ``file:``) stops the rendering with an
    error, because a report must be self-contained. ``font_config``: a WeasyPrint ``FontConfiguration``
    to reuse across documents (its font map and metrics caches stay warm; the same bytes); default a new
    one per document, as WeasyPrint does. ``stylesheets``: user stylesheets (WeasyPrint ``CSS``, parsed
    with the same ``font_config``) applied on top of the page's own; ``base_url``: the folder relative
    URLs would be resolved against (the templates).
    """
    from weasyprint.urls import URLFetcher

    from analysis.publish.weasy import weasyprint

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = weasyprint.HTML(string=html, base_url=str(base_url), url_fetcher=fetcher)
    return document.write_pdf(font_config=font_config, stylesheets=list(stylesheets) or None)


class WeasyPDFExporter(BriefingHTMLExporter):
    """The briefing as PDF: the briefing HTML, rendered by WeasyPrint (A4, page numbers, running header)."""

    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self):
        return ".html.j2"

    @default("template_file")
    def _template_file_default(self):
        return "index.html.j2"

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources=resources, **kw)
        resources["output_extension"] = ".pdf"
        return html_to_pdf(html), resources

    def export(self, nb, context: ReportContext) -> bytes:  # type: ignore[override]
        """PDF bytes of an executed notebook for ``context``."""
        self.language_code = context.lang
        body, _ = self.from_notebook_node(nb, resources=context.resources())
        return body


@cache
def briefing_exporter() -> BriefingHTMLExporter:
    """One briefing HTML exporter per process (building one costs more than using it)."""
    return BriefingHTMLExporter()


@cache
def analyst_exporter() -> AnalystHTMLExporter:
    """One analysts' HTML exporter per process."""
    return AnalystHTMLExporter()


def export_briefing_html(nb, context: ReportContext) -> str:
    """Briefing HTML of an executed notebook (no code)."""
    return briefing_exporter().export(nb, context)


def export_analyst_html(nb, context: ReportContext) -> str:
    """Analysts' HTML of an executed notebook (with code)."""
    return analyst_exporter().export(nb, context)


def strip_run_info(html: str) -> str:
    """The HTML without the run id and generation time (for comparing two runs)."""
    return _RUN_INFO.sub(RUN_INFO_START + RUN_INFO_END, html)
