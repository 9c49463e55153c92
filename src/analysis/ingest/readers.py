"""Read the city's spreadsheets as they arrive: open any format, pick the sheet, find the header, classify
every row, keep cells raw.

Formats: ``.xlsx``/``.xlsm``, legacy ``.xls`` and ``.ods`` (python-calamine, the default engine; cached
values of formula cells), and CSV/TXT (``,``, ``;`` or tab; UTF-8 with or without BOM, else Windows-1252).
``engine="openpyxl"`` reads ``.xlsx`` with openpyxl instead (kept for the benchmark and as a reference).

Grain of the output: one :class:`RawFile` per input file, holding one :class:`RawRow` per *data* row
(Excel row numbering) with the raw cell values (numbers and dates keep their type; nothing is parsed here)
keyed by the template's canonical column names. Every other row of the sheet is counted by kind
(:data:`NON_DATA_KINDS`), so that ``rows_read = data rows + non-data rows`` always holds; the header row(s)
are counted as ``header``.

Percent cells: calamine returns no number formats. A cell formatted ``0%`` holding 0.85 means 85 %, so for
``.xlsx`` files whose percent-capable columns (template kinds ``number``/``target``) hold a number between
-10 and 10, the number formats of just those columns are read with openpyxl (read-only). ``.xls``/``.ods``
formats cannot be read that way: such a column gets a ``percent_format_unknown`` warning and its numbers are
read as written. Dates: calamine returns cells with a date format as dates, like openpyxl.

Personal columns (template kind ``personal``: Ketua RT name, NIK, phone, survey respondent) and any column
the template does not know are never copied out of the sheet: personal data does not leave ingestion.

A file that cannot be used at all (not a spreadsheet, missing sheet, no header row, missing required column)
becomes an :class:`~analysis.core.errors.InputFileError`; :func:`read_file` records it in ``RawFile.status`` and
the run goes on.

Hostile files (issue 11): before any parsing, a workbook's uncompressed size (the sum of its zip members'
sizes from the zip directory, then verified while streaming them), each large member's compression ratio,
and a CSV's or legacy workbook's size are checked against :class:`ReadLimits`; then the sheet's rows and
cells (from its dimension, before a grid is built; a CSV is counted while it is read). A password-protected
workbook (an Excel-encrypted ``.xlsx`` is an OLE2 file with ``EncryptionInfo``/``EncryptedPackage`` streams;
a zip with encrypted members; calamine's password error) is a file-level error saying so. Whatever a
damaged file makes a library raise (:data:`FILE_READ_ERRORS`) is that file's error; the other files are read.
A file that is a link leading outside the data source is refused.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import openpyxl
import python_calamine
from openpyxl.utils.exceptions import InvalidFileException

from analysis.core.errors import InputFileError
from analysis.ingest import dates, parsing, privacy
from analysis.ingest.contract import Template
from analysis.ingest.inventory import (
    CSV_SUFFIXES,
    is_outside_link,
    reference_candidates,
    scan_source,
)
from analysis.ingest.sheet_layout import (
    MAX_HEADER_SCAN_ROWS,
    MIN_HEADER_MATCHES,
    NON_DATA_KINDS,
    Layout,
    classify_rows,
    column_letter,
    fill_down,
    find_layout,
    header_key,
    is_blank,
    normalise_header,
    row_ranges,
)

__all__ = [
    "ENGINES",
    "FILE_READ_ERRORS",
    "ReadLimits",
    "header_key",
    "NON_DATA_KINDS",
    "RawFile",
    "RawRow",
    "ReadWarning",
    "normalise_header",
    "period_files",
    "read_file",
    "read_period",
    "reference_file",
    "sniff_delimiter",
]

#: Reading engines: python-calamine (default, fast, all workbook formats) or openpyxl (``.xlsx`` only).
ENGINES = ("calamine", "openpyxl")
#: Workbook suffixes openpyxl can open (for the ``openpyxl`` engine and for number formats).
OPENPYXL_SUFFIXES = (".xlsx", ".xlsm")
#: A number in a percent-capable column within this range may be a fraction shown as a percentage.
PERCENT_FRACTION_MAX = 10.0
#: Template kinds whose numbers may carry a percent format.
PERCENT_KINDS = ("number", "target")

Grid = list[list[object]]

MB = 1024 * 1024
#: Largest workbook (uncompressed: the sum of its zip members) or CSV / .xls file read. The city's biggest
#: real input, every RT of Kota Jambi (about 1,650) in one RT report, is under 1 MB as .xlsx and about 5 MB
#: uncompressed; 200 MB leaves 40 times that and stops a "zip bomb" (3.5 MB expanding to 1.4 GB) before
#: any parsing. ``clean --max-file-mb``.
MAX_FILE_BYTES = 200 * MB
#: Most rows of one sheet or CSV. A data source holds at most 68 kelurahan x 999 RTs = 67,932 RTs (the
#: RT code's three digits, bench/scale_data.py); 200,000 is three times that. ``clean --max-rows``.
MAX_ROWS = 200_000
#: Most cells (rows x columns of the sheet's used range) built into a grid: 200,000 rows of 50 columns (the
#: widest template has 24). Stops a sheet with one cell in A1 and one in XFD200000 (a tiny file).
MAX_CELLS = 10_000_000
#: Largest compression ratio of a zip member above :data:`RATIO_MIN_BYTES` uncompressed. Sheet XML of
#: real reports compresses 5-20 times; a zip bomb hundreds or thousands of times.
MAX_COMPRESSION_RATIO = 100
RATIO_MIN_BYTES = 10 * MB
#: Message of every password-protected or encrypted file.
ENCRYPTED = "password-protected / encrypted: save it without a password"


@dataclass(frozen=True)
class ReadLimits:
    """Limits checked before a file is parsed (module constants above, with their reasons)."""

    max_bytes: int = MAX_FILE_BYTES
    max_rows: int = MAX_ROWS
    max_cells: int = MAX_CELLS
    max_ratio: int = MAX_COMPRESSION_RATIO


DEFAULT_LIMITS = ReadLimits()


def _mb(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n < 10 * MB else f"{n / MB:,.0f} MB"


@dataclass(frozen=True)
class ReadWarning:
    """Something about a file that was read anyway: a stable ``code`` (``analysis.ingest.schemas.WARNING_CODES``),
    an English ``message``, and the header / column letter / value / row it is about where that applies."""

    code: str
    message: str
    column: str | None = None
    value: str | None = None
    column_letter: str | None = None
    row: int | None = None


@dataclass
class RawRow:
    """One data row: Excel row number, raw values and number formats keyed by canonical column name."""

    row: int
    values: dict[str, object]
    formats: dict[str, str] = field(default_factory=dict)
    filled: frozenset[str] = frozenset()  # columns filled down from the row above
    #: blank cells that hold a formula without a saved result: column -> the formula (``=A1+1``)
    formulas: dict[str, str] = field(default_factory=dict)
    #: a column written twice whose second copy differs in this row: column -> (its letter, its value)
    conflicts: dict[str, tuple[str, object]] = field(default_factory=dict)


@dataclass
class RawFile:
    """One input file as read: where it is, what it held, and whether it could be used."""

    path: Path
    rel_path: str  # path relative to the data source, with "/" separators
    template: Template
    sheet: str | None = None
    status: str = "read"  # "read", or the file-level problem
    header_row: int | None = None  # the (last) header row, as Excel shows it
    headers: dict[str, str] = field(default_factory=dict)  # canonical name -> header as written
    letters: dict[str, str] = field(default_factory=dict)  # canonical name -> Excel column letter
    rows: list[RawRow] = field(default_factory=list)
    non_data: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NON_DATA_KINDS, 0))
    warnings: list[ReadWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "read"

    @property
    def rows_non_data(self) -> int:
        return sum(self.non_data.values())

    @property
    def rows_read(self) -> int:
        """Every row of the sheet up to its last filled row: data rows + non-data rows (header included)."""
        return len(self.rows) + self.rows_non_data


# --------------------------------------------------------------------------------------------------
# Opening files: a grid of values per row


#: What openpyxl raises for a file that is not a readable XLSX (zip, XML or content-type problems;
#: ``xml.etree.ElementTree.ParseError`` is a SyntaxError).
OPENPYXL_ERRORS = (
    InvalidFileException,
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    SyntaxError,
)
#: What python-calamine raises for a file it cannot read (its own errors, bad zip/XML/CFB as ValueError).
_CALAMINE_ERRORS = (python_calamine.CalamineError, ValueError, OSError, TypeError)


class _Book:
    """An open workbook of either engine: sheet names, visibility, a sheet's grid and merged ranges."""

    def __init__(self, path: Path, engine: str, limits: ReadLimits = DEFAULT_LIMITS) -> None:
        self.path, self.engine, self.limits = path, engine, limits
        check_workbook_file(path, limits)
        if engine == "openpyxl":
            if path.suffix.lower() not in OPENPYXL_SUFFIXES:
                raise InputFileError(path, f"the openpyxl engine reads only {', '.join(OPENPYXL_SUFFIXES)}")
            try:
                self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            except OPENPYXL_ERRORS as exc:
                raise InputFileError(
                    path, f"not a spreadsheet: cannot be opened as XLSX ({type(exc).__name__}: {exc})"
                ) from exc
            self.names = list(self._wb.sheetnames)
            self.hidden = {n for n in self.names if self._wb[n].sheet_state != "visible"}
        else:
            try:
                self._wb = python_calamine.CalamineWorkbook.from_path(str(path))
                meta = self._wb.sheets_metadata
            except python_calamine.PasswordError as exc:
                raise InputFileError(path, ENCRYPTED) from exc
            except _CALAMINE_ERRORS as exc:
                raise InputFileError(
                    path, f"not a spreadsheet: cannot be opened as XLSX/XLS/ODS ({type(exc).__name__}: {exc})"
                ) from exc
            self.names = [m.name for m in meta if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
            self.hidden = {m.name for m in meta if m.visible != python_calamine.SheetVisibleEnum.Visible}
        self._cache: dict[tuple[str, int | None], Grid] = {}
        self.merged: dict[str, list] = {}

    def grid(self, sheet: str, nrows: int | None = None) -> Grid:
        """Cell values of ``sheet`` from A1 (``None`` for empty), at most ``nrows`` rows."""
        if (sheet, None) in self._cache:
            full = self._cache[(sheet, None)]
            return full if nrows is None else full[:nrows]
        if (sheet, nrows) in self._cache:
            return self._cache[(sheet, nrows)]
        try:
            grid = (
                self._openpyxl_grid(sheet, nrows)
                if self.engine == "openpyxl"
                else self._calamine_grid(sheet, nrows)
            )
        except python_calamine.PasswordError as exc:
            raise InputFileError(self.path, ENCRYPTED) from exc
        except (*OPENPYXL_ERRORS, *_CALAMINE_ERRORS) as exc:  # a damaged sheet inside a readable file
            raise InputFileError(
                self.path, f"not a spreadsheet: sheet {sheet!r} cannot be read ({type(exc).__name__}: {exc})"
            ) from exc
        self._cache[(sheet, nrows)] = grid
        return grid

    def _calamine_grid(self, sheet: str, nrows: int | None) -> Grid:
        ws = self._wb.get_sheet_by_name(sheet)
        end = ws.end  # the used range's last cell (0-based), from the sheet, before any grid is built
        height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
        self._check_size(sheet, height if nrows is None else min(height, nrows), width)
        if nrows is None:
            self.merged[sheet] = list(ws.merged_cell_ranges or [])
        rows = ws.to_python(skip_empty_area=False, nrows=nrows)
        return [[None if v == "" else v for v in row] for row in rows]

    def _check_size(self, sheet: str, rows: int, width: int) -> None:
        """A file-level error when a sheet has more rows or cells than :class:`ReadLimits` allow."""
        if rows > self.limits.max_rows:
            raise InputFileError(
                self.path,
                f"too many rows: sheet {sheet!r} has {rows:,} rows (limit {self.limits.max_rows:,})",
            )
        if rows * width > self.limits.max_cells:
            raise InputFileError(
                self.path,
                f"too many cells: sheet {sheet!r} spans {rows:,} rows x {width:,} columns = {rows * width:,} "
                f"cells (limit {self.limits.max_cells:,})",
            )

    def _openpyxl_grid(self, sheet: str, nrows: int | None) -> Grid:
        ws = self._wb[sheet]
        ws.reset_dimensions()  # the stored dimension may be stale; read every row that is there
        out: Grid = []
        cells = 0
        for row in ws.iter_rows(values_only=True):
            out.append(list(row))
            cells += len(row)
            if nrows is not None and len(out) >= nrows:
                break
            if len(out) > self.limits.max_rows or cells > self.limits.max_cells:  # stop reading past a limit
                self._check_size(sheet, len(out), max(len(r) for r in out))
        return out

    def close(self) -> None:
        self._wb.close()


ZIP_MAGIC, CFB_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Stream names (UTF-16LE in the OLE2 directory) of an Office file encrypted with a password (MS-OFFCRYPTO).
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


def check_workbook_file(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Before any parsing: a zip workbook (``.xlsx``/``.xlsm``/``.ods``) is checked from its zip directory
    (encrypted members, total uncompressed size, compression ratio), then its members are streamed once to
    verify the sizes the directory declares (a forged size fails the CRC); an OLE2 file (``.xls``, or an
    Excel-encrypted ``.xlsx``) is checked for size and encryption streams. Raises
    :class:`~analysis.core.errors.InputFileError`."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(CFB_MAGIC):
        if size > limits.max_bytes:
            raise InputFileError(path, f"too large: {_mb(size)} (limit {_mb(limits.max_bytes)})")
        data = path.read_bytes()
        if any(name in data for name in _ENCRYPTION_STREAMS):
            raise InputFileError(path, ENCRYPTED)
        if path.suffix.lower() in (".xlsx", ".xlsm", ".ods"):
            raise InputFileError(
                path,
                f"not a spreadsheet: an old-format Excel (.xls) file named {path.suffix}; save it as .xlsx",
            )
        return
    if not head.startswith(ZIP_MAGIC):
        if size > limits.max_bytes:
            raise InputFileError(path, f"too large: {_mb(size)} (limit {_mb(limits.max_bytes)})")
        return  # not a zip: calamine says what it is not
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
            if any(m.flag_bits & 0x1 for m in members):
                raise InputFileError(path, ENCRYPTED)
            total = sum(m.file_size for m in members)
            if total > limits.max_bytes:
                raise InputFileError(
                    path,
                    f"too large: {_mb(total)} uncompressed ({_mb(size)} on disk; limit {_mb(limits.max_bytes)})",
                )
            for m in members:
                ratio = m.file_size / max(m.compress_size, 1)
                if m.file_size > RATIO_MIN_BYTES and ratio > limits.max_ratio:
                    raise InputFileError(
                        path,
                        f"suspicious compression: {m.filename} expands {ratio:,.0f} times to {_mb(m.file_size)} "
                        f"(limit {limits.max_ratio} times)",
                    )
            for m in members:  # the declared sizes, verified: reading stops at them and checks the CRC
                with z.open(m) as member:
                    while member.read(4 * MB):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise InputFileError(path, f"not a spreadsheet: a damaged zip ({type(exc).__name__}: {exc})") from exc


def _pick_sheet(book: _Book, template: Template, warnings: list[ReadWarning]) -> str:
    """The template's sheet by name (case and spacing aside); else the only sheet; else the sheet whose
    first rows hold the template's header best (visible sheets first), with a warning."""
    names = book.names
    if not names:
        raise InputFileError(book.path, "not a spreadsheet: the workbook has no worksheet")
    wanted = normalise_header(template.sheet)
    matches = [n for n in names if template.sheet is not None and normalise_header(n) == wanted]
    if matches:
        sheet = matches[0]
        if sheet != template.sheet:
            warnings.append(
                ReadWarning("sheet_name_variant", f"sheet {sheet!r} read as {template.sheet!r}", value=sheet)
            )
        return sheet
    if len(names) == 1:
        sheet = names[0]
        if template.sheet is not None:
            warnings.append(
                ReadWarning(
                    "sheet_renamed",
                    f"sheet {template.sheet!r} not found; read the only sheet {sheet!r}",
                    value=sheet,
                )
            )
        return sheet
    scores = []
    for order, name in enumerate(names):
        try:
            n = len(find_layout(book.grid(name, MAX_HEADER_SCAN_ROWS + 1), template).columns)
        except ValueError:
            n = 0
        scores.append((n, name not in book.hidden, -order, name))
    n, visible, _, sheet = max(scores)
    if n < MIN_HEADER_MATCHES:
        what = f"missing sheet {template.sheet!r}" if template.sheet else "no sheet"
        raise InputFileError(
            book.path,
            f"{what} (sheets: {', '.join(map(repr, names))}; none holds the template's header)",
        )
    others = [x for x in names if x != sheet]
    hidden = " (a hidden sheet)" if not visible else ""
    if template.sheet is None and sheet == names[0]:
        warnings.append(
            ReadWarning("sheet_first_of_many", f"read the first sheet {sheet!r} of {len(names)}", value=sheet)
        )
    else:
        need = f"sheet {template.sheet!r} not found; " if template.sheet else ""
        warnings.append(
            ReadWarning(
                "sheet_picked_by_header",
                f"{need}read sheet {sheet!r}{hidden}, whose rows hold the template's header "
                f"(other sheets: {', '.join(map(repr, others))})",
                value=sheet,
            )
        )
    return sheet


def decode_csv(raw: bytes, warnings: list[ReadWarning] | None = None) -> str:
    """A CSV file's text: UTF-8 (with or without BOM), else Windows-1252 (with a ``csv_encoding`` warning)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if warnings is not None:
            warnings.append(ReadWarning("csv_encoding", "not UTF-8; read as Windows-1252"))
        return raw.decode("cp1252", errors="replace")


def csv_delimiter(text: str) -> str:
    """The delimiter of a CSV text: the header may sit below title lines, so the line that a delimiter splits
    most among the first rows decides (:func:`sniff_delimiter`)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:MAX_HEADER_SCAN_ROWS]
    return sniff_delimiter(max(lines, key=lambda ln: max(ln.count(d) for d in ";,\t"), default=""))


def sniff_delimiter(first_line: str) -> str:
    """``;`` or ``,`` (or a tab), whichever splits the header line most.

    >>> sniff_delimiter("Kecamatan;Kelurahan;RT")
    ';'
    >>> sniff_delimiter("kode_program,nama_program")
    ','
    """
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_grid(path: Path, warnings: list[ReadWarning], limits: ReadLimits = DEFAULT_LIMITS) -> Grid:
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise InputFileError(path, f"too large: {_mb(size)} (limit {_mb(limits.max_bytes)})")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] or raw.startswith((ZIP_MAGIC, CFB_MAGIC[:4])):
        raise InputFileError(path, "not a spreadsheet: binary content in a CSV file")
    text = decode_csv(raw, warnings)
    delimiter = csv_delimiter(text)
    if delimiter != ",":
        warnings.append(ReadWarning("csv_delimiter", f"delimiter {delimiter!r}", value=delimiter))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: Grid = []
    cells = 0
    try:
        for rec in reader:  # counted while read: stop past a limit
            grid.append([None if v == "" else v for v in rec])
            cells += len(rec)
            if len(grid) > limits.max_rows:
                raise InputFileError(path, f"too many rows: more than {limits.max_rows:,} rows (limit)")
            if cells > limits.max_cells:
                raise InputFileError(
                    path,
                    f"too many cells: more than {limits.max_cells:,} cells in {len(grid):,} rows (limit)",
                )
    except csv.Error as exc:
        raise InputFileError(path, f"not a readable CSV: line {reader.line_num}: {exc}") from exc
    return grid


def _strip_trailing_blank(grid: Grid) -> Grid:
    end = len(grid)
    while end and all(is_blank(v) for v in grid[end - 1]):
        end -= 1
    return grid[:end]


def _percent_formats(
    path: Path, sheet: str, grid: Grid, kinds: list[str], layout: Layout, template: Template
) -> tuple[dict[tuple[int, int], str], list[str]]:
    """Number formats of the percent-capable columns that hold a possible fraction: ``{(row, col): fmt}``
    for non-General formats, and the columns whose formats could not be read (``.xls``/``.ods``)."""
    cols = {
        layout.columns[c.name].index: c.name
        for c in template.columns
        if c.kind in PERCENT_KINDS and c.name in layout.columns
    }
    data = [i for i, k in enumerate(kinds) if k == "data"]
    wanted = {
        j
        for j in cols
        for i in data
        if j < len(grid[i])
        and isinstance(grid[i][j], (int, float))
        and not isinstance(grid[i][j], bool)
        and abs(grid[i][j]) <= PERCENT_FRACTION_MAX
    }
    if not wanted:
        return {}, []
    if path.suffix.lower() not in OPENPYXL_SUFFIXES:
        return {}, sorted(cols[j] for j in wanted)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet]
        ws.reset_dimensions()
        lo, hi = min(wanted) + 1, max(wanted) + 1
        out: dict[tuple[int, int], str] = {}
        for i, row in enumerate(ws.iter_rows(min_col=lo, max_col=hi)):
            for cell in row:
                j = cell.column - 1 if hasattr(cell, "column") and cell.column else None
                fmt = getattr(cell, "number_format", None)
                if j in wanted and fmt and fmt != "General":
                    out[(i, j)] = fmt
        return out, []
    finally:
        wb.close()


# --------------------------------------------------------------------------------------------------
# Reading one file


#: What a damaged or hostile file can make the reading libraries (zipfile, calamine, openpyxl, csv, the
#: XML parsers, struct unpacking of OLE2/XLS records) raise, beyond their own error classes: each is that
#: file's error (its type and message in ``RawFile.status``), never the end of the run. ``MemoryError`` and
#: ``RecursionError`` (a deeply nested XML) included; ``KeyboardInterrupt`` is not an ``Exception``.
FILE_READ_ERRORS = (
    OSError,
    ValueError,
    LookupError,
    TypeError,
    ArithmeticError,
    RuntimeError,
    MemoryError,
    EOFError,
    SyntaxError,
    struct.error,
    zipfile.BadZipFile,
    csv.Error,
    python_calamine.CalamineError,
)


def _rel_path(path: Path, source_dir: Path) -> str:
    """``path`` relative to the data source as written (a link inside keeps its own name), else resolved,
    else the file name."""
    for a, b in (
        (path.absolute(), Path(source_dir).absolute()),
        (path.resolve(), Path(source_dir).resolve()),
    ):
        try:
            return a.relative_to(b).as_posix()
        except ValueError:
            continue
    return path.name


def read_file(
    path: Path,
    template: Template,
    source_dir: Path,
    engine: str = "calamine",
    limits: ReadLimits = DEFAULT_LIMITS,
) -> RawFile:
    """Read one file of a template; a file-level problem is recorded in ``status``, never raised
    (:data:`FILE_READ_ERRORS`: what a damaged file can make a library raise)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown reading engine {engine!r}; known: {', '.join(ENGINES)}")
    path = Path(path)
    raw = RawFile(path=path, rel_path=_rel_path(path, source_dir), template=template)
    try:
        inside = path.absolute().is_relative_to(Path(source_dir).absolute())
        if inside and is_outside_link(path, source_dir):
            raise InputFileError(path, "link outside the data folder: not read")
        _read_into(raw, engine, limits)
    except InputFileError as exc:
        _fail(raw, exc.problem)
    except FILE_READ_ERRORS as exc:
        _fail(raw, f"cannot be read ({type(exc).__name__}: {str(exc)[:300] or 'no message'})")
    _mask_personal_data(raw)
    return raw


def _mask_personal_data(raw: RawFile) -> None:
    """NIK-like and phone-like text in what a file names (its path, sheet, headers, the warnings and the
    file-level problem that quote them) masked here, once, so that no output repeats it (cell values are
    masked where they are quoted: :mod:`analysis.ingest.runlog`)."""
    mask = privacy.mask_text
    raw.rel_path, raw.sheet, raw.status = mask(raw.rel_path), mask(raw.sheet), mask(raw.status)
    raw.headers = {name: mask(text) for name, text in raw.headers.items()}
    raw.warnings = [
        replace(w, message=mask(w.message), column=mask(w.column), value=mask(w.value)) for w in raw.warnings
    ]


def _fail(raw: RawFile, problem: str) -> None:
    raw.status = problem
    raw.rows = []
    raw.non_data = dict.fromkeys(NON_DATA_KINDS, 0)


def _open_grid(raw: RawFile, engine: str, limits: ReadLimits) -> tuple[Grid, list, _Book | None]:
    """The sheet's grid (trailing blank rows dropped), its merged ranges, and the open book (or None)."""
    path = raw.path
    if path.suffix.lower() in CSV_SUFFIXES:
        raw.sheet = None
        return _strip_trailing_blank(_csv_grid(path, raw.warnings, limits)), [], None
    book = _Book(path, engine, limits)
    try:
        raw.sheet = _pick_sheet(book, raw.template, raw.warnings)
        grid = _strip_trailing_blank(book.grid(raw.sheet))
    except BaseException:
        book.close()
        raise
    return grid, book.merged.get(raw.sheet, []), book


def _read_into(raw: RawFile, engine: str, limits: ReadLimits) -> None:
    path, template = raw.path, raw.template
    if not path.is_file():
        raise InputFileError(path, "file not found")
    grid, merged, book = _open_grid(raw, engine, limits)
    if book is not None:
        book.close()
    if not grid:
        raise InputFileError(path, "empty file: no header row found")
    try:
        layout = find_layout(grid, template)
    except ValueError as exc:
        raise InputFileError(path, str(exc)) from exc
    raw.header_row = layout.header_rows[-1] + 1
    raw.headers = {name: m.written for name, m in layout.columns.items()}
    raw.letters = {name: column_letter(m.index) for name, m in layout.columns.items()}
    for name, m in layout.columns.items():
        if m.by_alias:
            header = template.column(name).header
            raw.warnings.append(
                ReadWarning(
                    "header_alias",
                    f"column {m.written!r} read as {header!r}",
                    column=m.written,
                    column_letter=column_letter(m.index),
                    value=m.written,
                )
            )
    kinds = classify_rows(grid, layout, template)
    _warn_extra_columns(raw, grid, kinds, layout)
    conflicts = _duplicate_columns(raw, grid, kinds, layout)
    filled: dict[int, set[str]] = {}
    for done in fill_down(grid, kinds, layout, template, merged):
        m = layout.columns[done.name]
        raw.warnings.append(
            ReadWarning(
                "filled_down",
                f"{m.written} blank in {len(done.rows)} rows (rows {row_ranges(done.rows)}): written once or "
                "merged over its rows, filled from the row above",
                column=m.written,
                column_letter=column_letter(m.index),
            )
        )
        for i in done.rows:
            filled.setdefault(i, set()).add(done.name)
    formats, unknown = (
        _percent_formats(path, raw.sheet or "", grid, kinds, layout, template) if raw.sheet else ({}, [])
    )
    for name in unknown:
        m = layout.columns[name]
        raw.warnings.append(
            ReadWarning(
                "percent_format_unknown",
                f"{m.written}: cell formats cannot be read from a {path.suffix} file; numbers read as written "
                "(a cell shown as 85% holding 0.85 is read as 0.85)",
                column=m.written,
                column_letter=column_letter(m.index),
            )
        )
    counts = Counter(kinds)
    raw.non_data = {k: counts.get(k, 0) for k in NON_DATA_KINDS}
    kept = {name: m.index for name, m in layout.columns.items() if template.column(name).kind != "personal"}
    formulas = _blank_formulas(raw, grid, kinds, kept)
    for i, (row, kind) in enumerate(zip(grid, kinds, strict=True)):
        if kind != "data":
            continue
        values: dict[str, object] = {}
        fmts: dict[str, str] = {}
        for name, j in kept.items():
            v = row[j] if j < len(row) else None
            values[name] = None if is_blank(v) else v
            fmt = formats.get((i, j))
            if fmt and isinstance(v, (int, float)):
                fmts[name] = fmt
        raw.rows.append(
            RawRow(
                row=i + 1,
                values=values,
                formats=fmts,
                filled=frozenset(filled.get(i, ())),
                formulas={name: formulas[(i, j)] for name, j in kept.items() if (i, j) in formulas},
                conflicts={name: c for name, c in conflicts.get(i, {}).items() if name in kept},
            )
        )


def _warn_extra_columns(raw: RawFile, grid: Grid, kinds: list[str], layout: Layout) -> None:
    """``extra_column`` for every header not in the template, and for a column without a header that holds
    values in data rows (both ignored)."""
    for j, text in sorted(layout.extra.items()):
        raw.warnings.append(
            ReadWarning(
                "extra_column",
                f"column {text!r} not in the template ignored",
                column=text,
                column_letter=column_letter(j),
            )
        )
    named = {m.index for m in layout.columns.values()} | set(layout.extra)
    named |= {m.index for copies in layout.duplicates.values() for m in copies}
    width = max((len(r) for r in grid), default=0)
    for j in range(width):
        if j in named:
            continue
        used = [
            i for i, k in enumerate(kinds) if k == "data" and j < len(grid[i]) and not is_blank(grid[i][j])
        ]
        if used:
            raw.warnings.append(
                ReadWarning(
                    "extra_column",
                    f"column {column_letter(j)} has no header but holds values in {len(used)} rows "
                    f"(rows {row_ranges(used)}); ignored",
                    column_letter=column_letter(j),
                )
            )


#: Parser of each value kind of ``analysis.ingest.contract`` (kelurahan/kecamatan/code/personal are not here).
#: ``number`` (e.g. ``Realisasi``, which may be a percentage) uses :func:`parse_percent`: plain numbers as
#: :func:`parse_number`, plus a trailing ``%``; a reader that sees an Excel percent-format cell should call
#: ``parse_percent(value, is_percent_format=True)`` itself. The cleaner parses with it
#: (``analysis.ingest.cleaning``); here it tells whether two copies of a column say the same
#: (``Rp 45.000.000`` and 45000000 do).
PARSER_BY_KIND: dict[str, Callable[[object], object]] = {
    "int": parsing.parse_int,
    "money": parsing.parse_money,
    "number": parsing.parse_percent,
    "target": parsing.parse_target,
    "date": dates.parse_date,
    "yesno": parsing.parse_yes_no,
    "asset": parsing.parse_asset_status,
    "rt": parsing.parse_rt,
    "rw": parsing.parse_rw,
    "text": parsing.normalise_text,
}


def _same_cell(a: object, b: object, kind: str) -> bool:
    """Two cells of a column of ``kind`` say the same: both blank, equal as read by the column's parser
    (``Rp 45.000.000`` = 45000000), or equal as text (spacing aside; ``5.0`` = ``5``)."""
    if is_blank(a) or is_blank(b):
        return is_blank(a) and is_blank(b)
    if a == b:
        return True
    parse = PARSER_BY_KIND.get(kind)
    if parse is not None:
        try:
            return parse(a) == parse(b)
        except parsing.ParseError:
            pass  # one of them cannot be read: compare them as written
    return parsing.normalise_text(a) == parsing.normalise_text(b)


def _duplicate_columns(
    raw: RawFile, grid: Grid, kinds: list[str], layout: Layout
) -> dict[int, dict[str, tuple[str, object]]]:
    """A template column whose header is written twice (or more): the first is read. One
    ``duplicate_column`` warning per copy names both letters and the data rows where they differ; those
    rows are returned (0-based row -> column -> (letter of the copy, its value)) for the cleaner to reject,
    since nothing says which copy is right."""
    out: dict[int, dict[str, tuple[str, object]]] = {}
    data = [i for i, k in enumerate(kinds) if k == "data"]
    for name, copies in layout.duplicates.items():
        first = layout.columns[name]
        for copy in copies:
            differ = []
            for i in data:
                row = grid[i]
                a = row[first.index] if first.index < len(row) else None
                b = row[copy.index] if copy.index < len(row) else None
                if not _same_cell(a, b, raw.template.column(name).kind):
                    differ.append(i)
                    out.setdefault(i, {})[name] = (column_letter(copy.index), b)
            where = f" (rows {row_ranges(differ)}), each rejected" if differ else ""
            raw.warnings.append(
                ReadWarning(
                    "duplicate_column",
                    f"column {first.written!r} is written twice, in {column_letter(first.index)} and "
                    f"{column_letter(copy.index)} ({copy.written!r}): {column_letter(first.index)} read; the "
                    f"two differ in {len(differ)} of {len(data)} data rows{where}",
                    column=first.written,
                    column_letter=column_letter(first.index),
                    value=copy.written,
                )
            )
    return out


#: Worksheet XML namespaces (SpreadsheetML and the package relationships).
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet``'s XML (``xl/worksheets/sheet1.xml``), from the workbook's rels."""
    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rid = next((s.get(f"{_NS_REL}id") for s in book.iter(f"{_NS_MAIN}sheet") if s.get("name") == sheet), None)
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next(
        (r.get("Target") for r in rels.iter(f"{_NS_PKG_REL}Relationship") if r.get("Id") == rid), None
    )
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _has_formula(zf: zipfile.ZipFile, part: str) -> bool:
    """Whether a sheet's XML holds a formula element (``<f>``, or ``<x:f>`` with a prefix), read in chunks."""
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(1 << 20):
            text = tail + chunk
            if re.search(rb"<(?:\w+:)?f[\s>/]", text):
                return True
            tail = text[-16:]
    return False


def _index_of_letters(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def formulas_without_value(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """``{(row, col): "=formula"}`` (0-based) of the cells of an ``.xlsx`` sheet that hold a formula but no
    saved result (``<f>`` with an empty or absent ``<v>``, not a cached empty text ``t="str"``): a workbook
    written by a program that does not compute formulas (openpyxl writing ``=A1+1``). ``{}`` at once when
    the sheet's XML holds no formula at all."""
    with zipfile.ZipFile(path) as zf:
        part = _sheet_part(zf, sheet)
        if part is None or part not in zf.namelist():
            return {}
        if not _has_formula(zf, part):
            return {}
        out: dict[tuple[int, int], str] = {}
        shared: dict[str, str] = {}
        with zf.open(part) as fh:
            for _, el in ET.iterparse(fh):
                if el.tag != f"{_NS_MAIN}c":
                    continue
                f, v = el.find(f"{_NS_MAIN}f"), el.find(f"{_NS_MAIN}v")
                if f is not None:
                    text = f.text or ""
                    if f.get("t") == "shared" and f.get("si") is not None:
                        text = shared.setdefault(f.get("si"), text) if text else shared.get(f.get("si"), "")
                    m = _CELL_REF.fullmatch(el.get("r") or "")
                    if m and (v is None or not v.text) and el.get("t") != "str":
                        out[(int(m.group(2)) - 1, _index_of_letters(m.group(1)))] = "=" + text
                el.clear()
        return out


def _blank_formulas(
    raw: RawFile, grid: Grid, kinds: list[str], kept: dict[str, int]
) -> dict[tuple[int, int], str]:
    """The formulas without a saved result among the blank cells of the template's columns in data rows
    (``.xlsx``/``.xlsm`` only: ``.xls`` and ``.ods`` always store results). Checked only when such a blank
    cell exists, and the sheet XML is parsed only when it holds a formula."""
    if raw.sheet is None or raw.path.suffix.lower() not in OPENPYXL_SUFFIXES:
        return {}
    blanks = {
        (i, j)
        for i, k in enumerate(kinds)
        if k == "data"
        for j in kept.values()
        if j >= len(grid[i]) or is_blank(grid[i][j])
    }
    if not blanks:
        return {}
    try:
        found = formulas_without_value(raw.path, raw.sheet)
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError) as exc:
        raise InputFileError(
            raw.path, f"sheet {raw.sheet!r}: its formulas cannot be read ({type(exc).__name__}: {exc})"
        ) from exc
    return {cell: formula for cell, formula in found.items() if cell in blanks}


# --------------------------------------------------------------------------------------------------
# Files of a data source


def period_files(raw_dir: Path, template: Template, period: str) -> list[Path]:
    """Files of a per-period template read for ``period``, sorted by name
    (:func:`analysis.ingest.inventory.scan_source`: generous names; lock files, hidden files, other formats
    and links leading outside the data source are not read)."""
    return scan_source(raw_dir, period).files_of(template)


def reference_file(raw_dir: Path, template: Template) -> Path:
    """The path of a reference file (``referensi/program.csv`` ...): the contract's name, or the same name
    in another case or readable format (``rt.xls``, ``rt.ods``, ``RT.xlsx``) when only that exists."""
    folder = Path(raw_dir) / template.folder
    path = folder / str(template.file_name)
    if path.exists() or not folder.is_dir():
        return path
    others = reference_candidates(folder, template)
    return others[0] if others else path


def read_period(
    raw_dir: Path, period: str, engine: str = "calamine", limits: ReadLimits = DEFAULT_LIMITS
) -> list[RawFile]:
    """Every file the cleaner reads for ``period``: the reference files, then the period's files, in the
    order of ``contract.TEMPLATES`` (:func:`analysis.ingest.inventory.scan_source` lists the others)."""
    return read_inventory(scan_source(raw_dir, period), engine, limits)


def read_inventory(inventory, engine: str = "calamine", limits: ReadLimits = DEFAULT_LIMITS) -> list[RawFile]:
    """Read every input of an :class:`analysis.ingest.inventory.SourceInventory`."""
    return [read_file(p, t, inventory.root, engine, limits) for t, p in inventory.inputs]
