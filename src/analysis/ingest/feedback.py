"""Feedback workbooks: a marked-up copy of each submitted file, to send back to the RT or agency.

For every submitted file the cleaner read, :func:`write_feedback_for_source` writes one ``.xlsx`` next to
the cleaned tables, in ``<processed_dir>/feedback/``, named by :func:`feedback_path`. The original is
never touched (it is only read); the copy is written to a temporary file in the same folder and renamed.

What the copy holds:

* the submitted sheets, cell for cell at the same addresses. An ``.xlsx``/``.xlsm`` is loaded with openpyxl
  and keeps its formatting, merged cells and column widths (macros, images and charts are dropped, as
  openpyxl does). An ``.xls``/``.ods`` (read with python-calamine) or ``.csv`` (``,``/``;``/tab, UTF-8 with
  or without BOM, else Windows-1252) is rebuilt from its values; the summary says so;
* every problem cell filled (:data:`FILLS`: light red = row rejected, amber = entry treated as blank,
  yellow = to be checked) with a comment in plain Indonesian (English with ``lang="en"``): what is wrong
  and what to write instead, chosen by reason code and column kind (labels ``feedback.*`` in
  ``locales/{id,en}.yml``). A row-level problem (``column=None``) marks the row's first cell;
* a first sheet ``Ringkasan`` (``Summary``): file, source, counts by kind, then one line per problem
  (sheet, cell, row, column, value as written, kind, what is wrong, what to write instead, the cleaner's
  English reason as a last "detail" column), each cell address a link to the cell.

Interface (the cleaner builds :class:`CellProblem` records from its rejections and warnings)::

    write_feedback(original, problems, out_path, *, header_row, lang="id", source_label="") -> Path
    feedback_path(processed_dir, rel_path) -> Path
    write_feedback_for_source(processed_dir, files, problems_by_file, lang="id", source_label="") -> list[Path]

A problem without ``column_letter`` is placed by matching ``column`` against the header row
(``header_row``, as Excel numbers it; ``None`` = search the first rows), also against a merged group
cell above or below it ("Anggaran (Rp)" over "Pagu"), ignoring case, spaces and line breaks, then units
in brackets and punctuation; the leftmost match wins (as the reader takes the first). A column that is
not found marks the row's first cell and the comment says so: no problem is dropped.

Values quoted in comments and in the summary are masked (:func:`analysis.ingest.privacy.mask_personal_text`)
unless they are numbers in a typed column; all text in the summary and in rebuilt copies is stored as
text, never as a formula (``=HYPERLINK(...)`` stays visible text).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from analysis.core import i18n
from analysis.core.atomic import write_bytes_atomic
from analysis.core.errors import InputFileError
from analysis.core.formatting import DEFAULT_LANG, check_lang
from analysis.core.xlsxio import workbook_bytes
from analysis.ingest import privacy
from analysis.ingest.contract import TEMPLATES
from analysis.ingest.readers import OPENPYXL_ERRORS, csv_delimiter, decode_csv
from analysis.ingest.sheet_layout import header_key

#: Sub-folder of a period's processed folder that holds the feedback workbooks.
FEEDBACK_DIR = "feedback"
#: Ending of every feedback file name; no submitted file is named like this (see :func:`feedback_path`).
FEEDBACK_SUFFIX = ".koreksi.xlsx"
#: Problem kinds, most serious first: the row is rejected / the cell is left blank, the row kept / a warning.
SEVERITIES = ("rejected", "missing", "warning")
#: Cell fills (ARGB) by kind: light red, amber, yellow. The comment and the summary also name the kind, so
#: the colour is not the only signal (colour-blind readers).
FILLS = {"rejected": "FFFFB3B3", "missing": "FFFFD27F", "warning": "FFFFF59D"}
#: Workbooks copied with openpyxl (formatting kept), rebuilt from values with python-calamine, or from CSV.
OPENPYXL_SUFFIXES = (".xlsx", ".xlsm")
CALAMINE_SUFFIXES = (".xls", ".ods")
CSV_SUFFIXES = (".csv", ".txt")
#: Rows searched for a header when the reader did not say where it is (as ``analysis.ingest.readers`` does).
MAX_HEADER_SCAN_ROWS = 30
#: Longest value quoted in a comment / in the summary (a long note is cut with "…").
COMMENT_VALUE_CHARS = 60
SUMMARY_VALUE_CHARS = 300
#: Author shown on the comments.
COMMENT_AUTHOR = "Bappeda Kota Jambi"
#: Column kinds of ``analysis.ingest.contract`` whose numeric values are shown unmasked (typed, not free text).
_TYPED_KINDS = frozenset({"int", "money", "number", "target", "date", "yesno", "asset", "rt", "rw", "rowno"})


@dataclass(frozen=True)
class CellProblem:
    """One problem found in one cell (or one row) of a submitted file.

    ``row`` is the row number as Excel shows it (for a CSV the record number, which is the line number
    unless a quoted value spans lines); ``column`` the header as written (``None`` = the whole row);
    ``column_letter`` the cell's column when known (``"F"``), else it is found from ``column``; ``value``
    the value as written; ``reason_code`` a code of ``docs/data_quality_rules.md`` (rejection reason or
    warning code); ``reason`` the cleaner's English text; ``severity`` one of :data:`SEVERITIES`;
    ``kind`` the column kind of ``analysis.ingest.contract`` (``money``, ``date``, ...), ``None`` = from the header.
    """

    sheet: str | None
    row: int
    column: str | None
    column_letter: str | None
    value: object
    reason_code: str
    reason: str
    severity: str
    kind: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {', '.join(SEVERITIES)} ({self})")
        if not isinstance(self.row, int) or self.row < 1:
            raise ValueError(f"row must be a row number from 1, got {self.row!r} ({self})")
        if self.column_letter is not None and not re.fullmatch(r"[A-Za-z]{1,3}", self.column_letter):
            raise ValueError(f"column_letter must be a column such as 'F', got {self.column_letter!r}")


# --------------------------------------------------------------------------------------------------
# Names


def feedback_path(processed_dir: Path, rel_path: str) -> Path:
    """Where the feedback for ``rel_path`` (path relative to the data source, ``/`` separators) goes.

    ``<processed_dir>/feedback/<rel_path with "/" as "__">``, with ``.koreksi.xlsx`` in place of ``.xlsx``
    or after any other extension (so ``a.xls`` and ``a.xlsx`` never share a name).

    >>> feedback_path(Path("p"), "kampung_bahagia/laporan_rt_2025-TW2.xlsx").as_posix()
    'p/feedback/kampung_bahagia__laporan_rt_2025-TW2.koreksi.xlsx'
    >>> feedback_path(Path("p"), "survei/survei_warga_2025-TW2.csv").name
    'survei__survei_warga_2025-TW2.csv.koreksi.xlsx'
    """
    rel = rel_path.replace("\\", "/").strip("/")
    if not rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise ValueError(f"not a path inside a data source: {rel_path!r}")
    flat = rel.replace("/", "__")
    if flat.lower().endswith(".xlsx"):
        flat = flat[: -len(".xlsx")]
    return Path(processed_dir) / FEEDBACK_DIR / f"{flat}{FEEDBACK_SUFFIX}"


# --------------------------------------------------------------------------------------------------
# Opening a copy of the original


def _text_cell(cell: Cell, text: str) -> None:
    """Put ``text`` in ``cell`` as text, never as a formula (``=...`` stays visible text)."""
    cell.value = text
    cell.data_type = "s"


def _put_value(ws: Worksheet, row: int, col: int, value: object) -> None:
    """A value read from an ``.xls``/``.ods``/``.csv`` into the rebuilt sheet; ``""`` stays blank."""
    if value is None or value == "":
        return
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        _text_cell(cell, value)
        return
    cell.value = value
    if isinstance(value, datetime):
        cell.number_format = "DD/MM/YYYY" if value.time() == time() else "DD/MM/YYYY HH:MM"
    elif isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"


def _fit_widths(ws: Worksheet) -> None:
    """Column widths from the longest value of each column (rebuilt copies have none of their own)."""
    widths: dict[int, int] = defaultdict(int)
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths[cell.column], len(str(cell.value)))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 6), 50)


def _xlsx_copy(original: Path) -> openpyxl.Workbook:
    try:
        return openpyxl.load_workbook(original)  # formulas kept as written; macros dropped
    except OPENPYXL_ERRORS as exc:
        raise InputFileError(
            original, f"cannot be opened as XLSX to write its feedback ({type(exc).__name__}: {exc})"
        ) from exc


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def ods_merged_ranges(path: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges of each sheet of an ``.ods`` as ``(row0, col0, row1, col1)``, 0-based, inclusive.

    python-calamine reports merged cells for ``.xls``/``.xlsx`` only; an ODS keeps them in ``content.xml``
    as ``table:number-columns-spanned``/``table:number-rows-spanned`` on the top-left cell.
    """
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("content.xml"))
    t = _ODS_TABLE
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    for table in root.iter(f"{t}table"):
        ranges = out.setdefault(table.get(f"{t}name", ""), [])
        r = 0
        for row in table.iter(f"{t}table-row"):
            col = 0
            for cell in row:
                if cell.tag not in (f"{t}table-cell", f"{t}covered-table-cell"):
                    continue
                repeat = int(cell.get(f"{t}number-columns-repeated", "1"))
                cols = int(cell.get(f"{t}number-columns-spanned", "1"))
                rows = int(cell.get(f"{t}number-rows-spanned", "1"))
                if cell.tag == f"{t}table-cell" and (cols > 1 or rows > 1):
                    ranges += [(r, c, r + rows - 1, c + cols - 1) for c in range(col, col + repeat)]
                col += repeat
            r += int(row.get(f"{t}number-rows-repeated", "1"))
    return out


def _calamine_copy(original: Path) -> openpyxl.Workbook:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(original))
        sheets = {name: book.get_sheet_by_name(name) for name in book.sheet_names}
        grids = {name: sheet.to_python(skip_empty_area=False) for name, sheet in sheets.items()}
        merged = {
            name: [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
            for name, sheet in sheets.items()
        }
        if original.suffix.lower() == ".ods":
            merged = ods_merged_ranges(original)
    except (CalamineError, OSError, ValueError, KeyError, zipfile.BadZipFile, SyntaxError) as exc:
        raise InputFileError(
            original,
            f"cannot be read as {original.suffix} to write its feedback ({type(exc).__name__}: {exc})",
        ) from exc
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in grids.items():
        ws = wb.create_sheet(name)
        for i, values in enumerate(grid, start=1):  # skip_empty_area=False: row 1 is the sheet's row 1
            for j, value in enumerate(values, start=1):
                _put_value(ws, i, j, value)
        for r0, c0, r1, c1 in merged.get(name, ()):
            if (r0, c0) != (r1, c1):
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        _fit_widths(ws)
    if not wb.worksheets:
        raise InputFileError(original, "has no sheet to write its feedback into")
    return wb


def _csv_copy(original: Path, lang: str) -> openpyxl.Workbook:
    text = decode_csv(original.read_bytes())  # as the reader reads it, so the cells keep their addresses
    delimiter = csv_delimiter(text)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = i18n.t("feedback.csv_sheet", lang)
    for i, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        for j, value in enumerate(record, start=1):
            _put_value(ws, i, j, value)
    _fit_widths(ws)
    return wb


def open_copy(original: Path, lang: str = DEFAULT_LANG) -> tuple[openpyxl.Workbook, bool]:
    """An in-memory workbook with the original's sheets, and whether it was rebuilt from values.

    Raises ``FileNotFoundError`` for a missing file and :class:`~analysis.core.errors.InputFileError` for one
    that cannot be read or whose extension is not a spreadsheet's.
    """
    original = Path(original)
    if not original.is_file():
        raise FileNotFoundError(f"{original}: submitted file not found; cannot write its feedback")
    suffix = original.suffix.lower()
    if suffix in OPENPYXL_SUFFIXES:
        return _xlsx_copy(original), False
    if suffix in CALAMINE_SUFFIXES:
        return _calamine_copy(original), True
    if suffix in CSV_SUFFIXES:
        return _csv_copy(original, lang), True
    raise InputFileError(
        original,
        f"extension {original.suffix or '(none)'} is not one feedback can be written for "
        f"({', '.join(OPENPYXL_SUFFIXES + CALAMINE_SUFFIXES + CSV_SUFFIXES)})",
    )


# --------------------------------------------------------------------------------------------------
# Finding a problem's cell


def _strict_key(text: object) -> str:
    """Lower case, every run of spaces and line breaks as one space."""
    return " ".join(str(text).lower().split())


class _Headers:
    """The header texts of one sheet, merged cells resolved to their top-left value."""

    def __init__(self, ws: Worksheet, header_row: int | None) -> None:
        self.ws = ws
        self.header_row = header_row
        self.top_left: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    self.top_left[(r, c)] = (rng.min_row, rng.min_col)

    def text(self, row: int, col: int) -> str:
        if row < 1:
            return ""
        r, c = self.top_left.get((row, col), (row, col))
        value = self.ws.cell(row=r, column=c).value
        return "" if value is None else str(value).strip()

    def _rows(self) -> list[int]:
        if self.header_row is not None:
            return [self.header_row]
        return list(range(1, min(self.ws.max_row, MAX_HEADER_SCAN_ROWS) + 1))

    def column_of(self, column: str) -> int | None:
        """Column number (from 1) whose header reads ``column``, or ``None``."""
        width = self.ws.max_column
        for key in (_strict_key, header_key):
            wanted = key(column)
            if not wanted:
                return None
            for hr in self._rows():
                # the cell itself; under a group cell; over a sub-header cell; a neighbouring row alone
                levels = (
                    lambda c, hr=hr: [self.text(hr, c)],
                    lambda c, hr=hr: [f"{self.text(hr - 1, c)} {self.text(hr, c)}"],
                    lambda c, hr=hr: [f"{self.text(hr, c)} {self.text(hr + 1, c)}"],
                    lambda c, hr=hr: [self.text(hr + 1, c), self.text(hr - 1, c)],
                )
                for level in levels:
                    for c in range(1, width + 1):
                        if any(key(t) == wanted for t in level(c) if t.strip()):
                            return c
        return None

    def first_column(self) -> int:
        """The row's first cell: the header's first filled column (column A when unknown)."""
        if self.header_row is not None:
            for c in range(1, self.ws.max_column + 1):
                if self.text(self.header_row, c):
                    return c
        return 1

    def anchor(self, row: int, col: int) -> tuple[int, int]:
        """A cell inside a merged range is shown on the range's top-left cell."""
        return self.top_left.get((row, col), (row, col))


def _sheet_for(wb: openpyxl.Workbook, problem: CellProblem, original: Path) -> Worksheet:
    if problem.sheet is None:
        if len(wb.worksheets) == 1:
            return wb.worksheets[0]
        raise ValueError(
            f"{original}: a problem in row {problem.row} names no sheet, and the workbook has "
            f"{len(wb.worksheets)} ({', '.join(wb.sheetnames)})"
        )
    if problem.sheet in wb.sheetnames:
        return wb[problem.sheet]
    raise ValueError(
        f"{original}: problem in row {problem.row} is on sheet {problem.sheet!r}, which the file does not "
        f"have (sheets: {', '.join(map(repr, wb.sheetnames))})"
    )


# --------------------------------------------------------------------------------------------------
# Texts


def _kinds_by_header() -> dict[str, str | None]:
    """Loose header key -> column kind over every template; a header with two kinds maps to ``None``."""
    found: dict[str, set[str]] = defaultdict(set)
    for template in TEMPLATES:
        for col in template.columns:
            found[header_key(col.header)].add(col.kind)
    return {key: (kinds.pop() if len(kinds) == 1 else None) for key, kinds in found.items()}


_KINDS = _kinds_by_header()


def column_kind(problem: CellProblem) -> str | None:
    """The problem's column kind: given, else from its header in ``analysis.ingest.contract``, else ``None``.

    >>> column_kind(CellProblem("Laporan RT", 5, "PAGU ANGGARAN (Rp.)", None, "x", "unparseable", "", "rejected"))
    'money'
    """
    if problem.kind is not None:
        return problem.kind
    if problem.column is None:
        return None
    return _KINDS.get(header_key(problem.column))


def display_value(value: object, kind: str | None, max_chars: int) -> str:
    """A value as written, on one line, masked unless it is a number or date in a typed column.

    >>> display_value("HP 0812-3456-7890 ok", "text", 60)
    'HP [nomor HP disamarkan] ok'
    >>> display_value(12500000.0, "money", 60), display_value(datetime(2025, 6, 30), "date", 60)
    ('12500000', '30/06/2025')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, datetime):
        text = value.strftime("%d/%m/%Y" if value.time() == time() else "%d/%m/%Y %H:%M")
    elif isinstance(value, date):
        text = value.strftime("%d/%m/%Y")
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        text = str(int(value))
    elif isinstance(value, float):
        text = f"{value:.15g}"  # 1e+308, not 309 digits
    else:
        text = " ".join(str(value).split())
    typed_number = kind in _TYPED_KINDS and isinstance(value, (int, float, date))
    if not typed_number:
        text = privacy.mask_personal_text(text)[0] or ""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def _label(group: str, code: str, kind: str | None, lang: str, **kwargs: object) -> str:
    """``feedback.<group>.<code>.<kind>``, else ``...<code>.default``; an unknown code raises ``KeyError``."""
    labels = i18n.catalogue(lang)
    key = f"feedback.{group}.{code}.{kind}"
    if key not in labels:
        key = f"feedback.{group}.{code}.default"
    if key not in labels:
        raise KeyError(
            f"reason code {code!r} has no feedback label feedback.{group}.{code}.default in "
            f"{i18n.catalogue_path(lang)}"
        )
    return i18n.t(key, lang, **{k: v for k, v in kwargs.items() if k in i18n.placeholders(labels[key])})


@dataclass(frozen=True)
class _Line:
    """A problem placed in the copy, with its texts."""

    problem: CellProblem
    sheet: str
    row: int
    col: int
    is_column_found: bool
    value_text: str
    what: str
    hint: str


def _texts(problem: CellProblem, lang: str) -> tuple[str, str, str]:
    """(value shown in the summary, what is wrong, what to write instead)."""
    kind = column_kind(problem)
    shown = display_value(problem.value, kind, COMMENT_VALUE_CHARS) or i18n.t("feedback.empty_value", lang)
    column = problem.column or i18n.t("feedback.whole_row", lang)
    fill = {"value": shown, "column": column}
    what = _label("what", problem.reason_code, kind, lang, **fill)
    hint = _label("hint", problem.reason_code, kind, lang, **fill)
    return display_value(problem.value, kind, SUMMARY_VALUE_CHARS), what, hint


def _comment_text(lines: list[_Line], lang: str) -> str:
    parts = []
    for line in lines:
        p = line.problem
        severity = i18n.t(f"feedback.severity.{p.severity}", lang)
        head = (
            i18n.t("feedback.comment_head", lang, row=p.row, column=p.column, severity=severity)
            if p.column
            else i18n.t("feedback.comment_head_row", lang, row=p.row, severity=severity)
        )
        text = f"{head}\n{line.what} {line.hint}"
        if not line.is_column_found:
            text += "\n" + i18n.t("feedback.column_not_found", lang, column=p.column)
        parts.append(text)
    return "\n\n".join(parts)


# --------------------------------------------------------------------------------------------------
# Marking the copy


def _place(
    wb: openpyxl.Workbook, problems: Sequence[CellProblem], header_row: int | None, original: Path, lang: str
) -> list[_Line]:
    """Each problem's cell in the copy and its texts, sorted by sheet, row, column and kind."""
    headers: dict[str, _Headers] = {}
    lines: list[_Line] = []
    for p in problems:
        ws = _sheet_for(wb, p, original)
        h = headers.setdefault(ws.title, _Headers(ws, header_row))
        found = True
        if p.column_letter is not None:
            col = column_index_from_string(p.column_letter.upper())
        elif p.column is None:
            col = h.first_column()
        else:
            located = h.column_of(p.column)
            found = located is not None
            col = located if located is not None else h.first_column()
        row, col = h.anchor(p.row, col)
        value_text, what, hint = _texts(p, lang)
        lines.append(_Line(p, ws.title, row, col, found, value_text, what, hint))
    order = {name: i for i, name in enumerate(wb.sheetnames)}
    return sorted(
        lines, key=lambda x: (order[x.sheet], x.problem.row, x.col, SEVERITIES.index(x.problem.severity))
    )


def _mark(wb: openpyxl.Workbook, lines: list[_Line], lang: str) -> None:
    """Fill each problem cell by its most serious problem and attach one comment listing them all."""
    by_cell: dict[tuple[str, int, int], list[_Line]] = defaultdict(list)
    for line in lines:
        by_cell[(line.sheet, line.row, line.col)].append(line)
    for (sheet, row, col), cell_lines in by_cell.items():
        cell = wb[sheet].cell(row=row, column=col)
        worst = min((x.problem.severity for x in cell_lines), key=SEVERITIES.index)
        cell.fill = PatternFill(fill_type="solid", start_color=FILLS[worst], end_color=FILLS[worst])
        text = _comment_text(cell_lines, lang)
        if cell.comment is not None and cell.comment.text.strip():
            text += f"\n\n{i18n.t('feedback.comment_original', lang)}\n{cell.comment.text.strip()}"
        height = 20 + 15 * sum(1 + len(part) // 45 for part in text.split("\n"))
        cell.comment = Comment(text, COMMENT_AUTHOR, height=min(height, 600), width=320)


# --------------------------------------------------------------------------------------------------
# The summary sheet


_TABLE_COLUMNS = (  # label key, width
    ("no", 5),
    ("sheet", 16),
    ("cell", 8),
    ("row", 7),
    ("column", 24),
    ("value", 28),
    ("severity", 20),
    ("what", 48),
    ("hint", 48),
    ("detail", 40),
)


#: Summary text lines (title, intro, counts) are merged across this many table columns.
_TEXT_COLUMNS = 8


def _wrapped_lines(values: Sequence[object]) -> int:
    """Lines the tallest cell of a table row needs once wrapped (no spreadsheet fits rows for us)."""
    return max(
        -(-len(str(value)) // max(width - 2, 1))
        for value, (_, width) in zip(values, _TABLE_COLUMNS, strict=True)
    )


def _summary_title(wb: openpyxl.Workbook, lang: str) -> str:
    base = i18n.t("feedback.sheet_name", lang)
    title, n = base, 2
    while title in wb.sheetnames:
        title, n = f"{base} ({n})", n + 1
    return title


def _write_summary(
    wb: openpyxl.Workbook,
    lines: list[_Line],
    *,
    file_name: str,
    source_label: str,
    converted_from: str | None,
    lang: str,
) -> Worksheet:
    ws = wb.create_sheet(_summary_title(wb, lang), 0)
    wrap = Alignment(wrap_text=True, vertical="top")
    r = 1

    def put(text: str, *, bold: bool = False, size: float | None = None, merge: bool = True) -> Cell:
        nonlocal r
        cell = ws.cell(row=r, column=1)
        _text_cell(cell, text)
        cell.font = Font(bold=bold, size=size)
        cell.alignment = wrap
        if merge:  # across the columns up to "what is wrong" (about 150 characters wide)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=_TEXT_COLUMNS)
            ws.row_dimensions[r].height = 15 * (1 + len(text) // 130)
        r += 1
        return cell

    put(i18n.t("feedback.title", lang, file=file_name), bold=True, size=14)
    if source_label:
        put(i18n.t("feedback.source", lang, source=source_label))
    put(i18n.t("feedback.intro", lang))
    if converted_from:
        put(i18n.t("feedback.converted", lang, ext=converted_from))
    r += 1
    put(i18n.t("feedback.counts_title", lang), bold=True)
    if not lines:
        put(i18n.t("feedback.none_found", lang))
    else:
        by_kind = Counter(x.problem.severity for x in lines)
        rejected_rows = {(x.sheet, x.problem.row) for x in lines if x.problem.severity == "rejected"}
        for severity in SEVERITIES:
            text = i18n.t(
                f"feedback.count_{severity}", lang, rows=len(rejected_rows), problems=by_kind[severity]
            )
            cell = put(text)
            cell.fill = PatternFill(fill_type="solid", start_color=FILLS[severity], end_color=FILLS[severity])
    r += 1
    header_row = r
    for j, (key, width) in enumerate(_TABLE_COLUMNS, start=1):
        cell = ws.cell(row=r, column=j)
        _text_cell(cell, i18n.t(f"feedback.table.{key}", lang))
        cell.font = Font(bold=True)
        cell.alignment = wrap
        ws.column_dimensions[get_column_letter(j)].width = width
    for number, line in enumerate(lines, start=1):
        r += 1
        p = line.problem
        address = f"{get_column_letter(line.col)}{line.row}"
        hint = line.hint
        if not line.is_column_found:
            hint += " " + i18n.t("feedback.column_not_found", lang, column=p.column)
        values: list[object] = [
            number,
            line.sheet,
            address,
            p.row,
            p.column or i18n.t("feedback.whole_row", lang),
            line.value_text,
            i18n.t(f"feedback.severity.{p.severity}", lang),
            line.what,
            hint,
            privacy.mask_personal_text(p.reason)[0] or "",
        ]
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=j)
            if isinstance(value, str):
                _text_cell(cell, value)
            else:
                cell.value = value
            cell.alignment = wrap
        ws.row_dimensions[r].height = 15 * _wrapped_lines(values)
        ws.cell(row=r, column=7).fill = PatternFill(
            fill_type="solid", start_color=FILLS[p.severity], end_color=FILLS[p.severity]
        )
        link = ws.cell(row=r, column=3)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(line.sheet)}!{address}")
        link.font = Font(color="FF0563C1", underline="single")
    if lines:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(_TABLE_COLUMNS))}{r}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.page_setup.orientation = "landscape"  # printed: one page wide, as many pages long as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"{header_row}:{header_row}"
    return ws


# --------------------------------------------------------------------------------------------------
# Writing


def _save_atomic(wb: openpyxl.Workbook, out_path: Path) -> None:
    """Save to a temporary file in the target folder, then rename over ``out_path``
    (``analysis.core.atomic.write_bytes_atomic``)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(out_path, workbook_bytes(wb))  # fixed timestamps: the same problems, the same bytes


#: Characters Excel does not allow in a sheet name, and its longest sheet name.
_SHEET_TITLE_FORBIDDEN = str.maketrans(
    {"[": "(", "]": ")", ":": " ", "*": " ", "?": " ", "/": "-", "\\": "-"}
)
_SHEET_TITLE_MAX = 31


def mask_sheet_titles(wb: openpyxl.Workbook) -> dict[str, str]:
    """Rename the sheets whose names hold NIK-like or phone-like text (``RT 0812-3456-7890``) to the masked
    name, written as Excel allows (``RT (nomor HP disamarkan)``, at most 31 characters, unique). Returns the
    masked name as the cleaner reports it (``RT [nomor HP disamarkan]``) -> the new title."""
    out: dict[str, str] = {}
    taken = set(wb.sheetnames)
    for ws in wb.worksheets:
        masked = privacy.mask_text(ws.title)
        if masked == ws.title:
            continue
        base = masked.translate(_SHEET_TITLE_FORBIDDEN)[:_SHEET_TITLE_MAX]
        title, n = base, 2
        while title in taken:
            suffix = f" ({n})"
            title, n = base[: _SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
        taken.discard(ws.title)
        taken.add(title)
        ws.title = title
        out[masked] = title
    return out


def _check_not_original(original: Path, out_path: Path) -> None:
    same = out_path.resolve() == original.resolve() or (
        out_path.exists() and original.exists() and os.path.samefile(out_path, original)
    )
    if same:
        raise ValueError(f"{out_path}: the feedback would overwrite the submitted file; choose another path")
    if not out_path.name.endswith(FEEDBACK_SUFFIX):
        raise ValueError(f"{out_path}: a feedback file name must end in {FEEDBACK_SUFFIX}")


def write_feedback(
    original: Path,
    problems: Sequence[CellProblem],
    out_path: Path,
    *,
    header_row: int | None,
    lang: str = DEFAULT_LANG,
    source_label: str = "",
) -> Path:
    """Write the feedback workbook for one submitted file; return ``out_path``.

    ``header_row`` is the header's row number as Excel shows it (``None``: searched in the first rows);
    ``source_label`` names the data source on the summary. The original is only read. Raises
    ``FileNotFoundError`` (missing original), :class:`~analysis.core.errors.InputFileError` (unreadable),
    ``ValueError`` (a problem on a sheet the file lacks; an ``out_path`` that is the original or does not
    end in :data:`FEEDBACK_SUFFIX`) and ``KeyError`` (a reason code without labels).
    """
    original, out_path = Path(original), Path(out_path)
    lang = check_lang(lang)
    _check_not_original(original, out_path)
    wb, converted = open_copy(original, lang)
    personal = [c.header for tpl in TEMPLATES for c in tpl.columns if c.kind == "personal"]
    for ws in wb.worksheets:  # the copy may travel: names, NIK and phone numbers are taken out of it
        privacy.scrub_worksheet(ws, personal, header_row, i18n.t("feedback.personal_removed", lang))
    titles = mask_sheet_titles(wb)
    problems = [replace(p, sheet=titles.get(p.sheet, p.sheet)) for p in problems]
    lines = _place(wb, problems, header_row, original, lang)
    _mark(wb, lines, lang)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    summary = _write_summary(
        wb,
        lines,
        file_name=privacy.mask_text(original.name),
        source_label=privacy.mask_text(source_label),
        converted_from=original.suffix.lower() if converted else None,
        lang=lang,
    )
    summary.sheet_view.tabSelected = True
    wb.active = 0
    _save_atomic(wb, out_path)
    return out_path


def write_feedback_for_source(
    processed_dir: Path,
    files: Iterable[tuple[Path, str, int | None]],
    problems_by_file: Mapping[str, Sequence[CellProblem]],
    lang: str = DEFAULT_LANG,
    source_label: str = "",
) -> list[Path]:
    """One feedback workbook per submitted file, in ``<processed_dir>/feedback/``; return their paths.

    ``files``: ``(path, rel_path, header_row)`` of every file read (a file without problems gets a summary
    saying so); ``problems_by_file`` is keyed by ``rel_path``, and a key not among ``files`` raises
    ``ValueError`` (no problem is dropped). Feedback files of an earlier run that this run does not write
    again (``*.koreksi.xlsx`` only) are removed, so the folder matches the files of this run.
    """
    files = list(files)
    rels = [rel for _, rel, _ in files]
    unknown = sorted(set(problems_by_file) - set(rels))
    if unknown:
        raise ValueError(f"problems for files that are not among the files given: {', '.join(unknown)}")
    outputs: dict[Path, str] = {}
    for _, rel, _ in files:
        out = feedback_path(processed_dir, rel)
        if out in outputs:
            raise ValueError(f"{rel} and {outputs[out]} would share the feedback file {out.name}")
        outputs[out] = rel
    written = [
        write_feedback(
            path,
            problems_by_file.get(rel, ()),
            feedback_path(processed_dir, rel),
            header_row=header_row,
            lang=lang,
            source_label=source_label,
        )
        for path, rel, header_row in files
    ]
    folder = Path(processed_dir) / FEEDBACK_DIR
    if folder.is_dir():
        for stale in folder.glob(f"*{FEEDBACK_SUFFIX}"):
            if stale not in outputs:
                stale.unlink()
    return written
