"""Lay a table out on a worksheet the way offices do: title rows, header, data, total row, signature.

Keeps the bookkeeping the cleaner's tests need: the Excel row number of every data row (so each injected
defect can be named by file and row) and the count of non-data rows (title, blank, total, signature;
the header row is counted in neither).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Defect:
    """One injected defect, as listed in ``_generator/defects.csv``.

    ``row`` is the row number as Excel shows it (CSV: header = 1), ``None`` for a file-level defect.
    ``column`` is the contract's header text. ``defect`` is a reason code of ``docs/data_quality_rules.md``
    (rejected rows) or a warning kind.
    """

    file: str
    sheet: str
    row: int | None
    column: str
    value: str
    defect: str
    must_reject: bool


@dataclass
class DataRow:
    """One data row: contract header -> value as typed, plus the defects injected into it."""

    cells: dict[str, object]
    defects: list[tuple[str, str, bool]] = field(default_factory=list)  # (column, code, must_reject)
    truth: object = None  # the world object the row was rendered from (for choosing where to inject)

    def add(self, column: str, code: str, must_reject: bool) -> None:
        self.defects.append((column, code, must_reject))

    @property
    def is_clean(self) -> bool:
        return not self.defects


@dataclass
class SheetLayout:
    """Everything around the data rows of one sheet.

    ``headers`` are the contract headers; ``written_headers`` what the office typed (case, spacing, unit
    may differ). ``blank_before`` lists data-row indexes that get a blank row in front of them.
    ``signature`` rows are (left text, right text); ``("", "")`` is a blank row.
    """

    sheet_name: str
    headers: list[str]
    written_headers: list[str] | None = None
    titles: list[str] = field(default_factory=list)
    blank_after_titles: bool = True
    blank_before: tuple[int, ...] = ()
    total_label: str | None = None
    totals: dict[str, int] = field(default_factory=dict)  # contract header -> true column total
    signature: list[tuple[str, str]] = field(default_factory=list)


def display_value(value: object) -> str:
    """The text of a cell value for ``defects.csv`` (dates as ISO, ``None`` as empty)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def write_table(
    wb: Workbook, layout: SheetLayout, rows: list[DataRow], file: str
) -> tuple[list[Defect], int]:
    """Write one sheet into ``wb``; return the defects (with Excel row numbers) and the non-data row count."""
    ws = wb.create_sheet(layout.sheet_name)
    ncols = len(layout.headers)
    last_col = get_column_letter(ncols)
    r = 1
    non_data = 0
    for title in layout.titles:
        ws.cell(row=r, column=1, value=title).font = Font(bold=True)
        ws.cell(row=r, column=1).alignment = Alignment(horizontal="center")
        ws.merge_cells(f"A{r}:{last_col}{r}")
        r += 1
        non_data += 1
    if layout.titles and layout.blank_after_titles:
        r += 1
        non_data += 1
    for j, text in enumerate(layout.written_headers or layout.headers, start=1):
        ws.cell(row=r, column=j, value=text).font = Font(bold=True)
    r += 1

    defects: list[Defect] = []
    blank_before = set(layout.blank_before)
    for i, row in enumerate(rows):
        if i in blank_before:
            r += 1
            non_data += 1
        for j, header in enumerate(layout.headers, start=1):
            value = row.cells.get(header)
            if value is None:
                continue
            cell = ws.cell(row=r, column=j, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # typed text that looks like a formula, not a formula
            if isinstance(value, datetime):
                cell.number_format = "DD/MM/YYYY"
        for column, code, must_reject in row.defects:
            defects.append(
                Defect(
                    file,
                    layout.sheet_name,
                    r,
                    column,
                    display_value(row.cells.get(column)),
                    code,
                    must_reject,
                )
            )
        r += 1

    if layout.total_label:
        r += 1  # blank row between the table and its total
        non_data += 1
        ws.cell(row=r, column=2, value=layout.total_label).font = Font(bold=True)
        ws.merge_cells(f"B{r}:D{r}")
        for header, total in layout.totals.items():
            ws.cell(row=r, column=layout.headers.index(header) + 1, value=int(total))
        r += 1
        non_data += 1

    if layout.signature:
        r += 1
        non_data += 1
        right_col = max(ncols - 2, 5)
        for left, right in layout.signature:
            if left:
                ws.cell(row=r, column=2, value=left)
            if right:
                ws.cell(row=r, column=right_col, value=right)
            r += 1
            non_data += 1

    for j, header in enumerate(layout.headers, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(6, min(28, len(header) + 2))
    return defects, non_data
