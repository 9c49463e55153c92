"""Read the city's spreadsheets as they arrive: find the header, classify every row, keep cells raw.

Grain of the output: one :class:`RawFile` per input file, holding one :class:`RawRow` per *data* row
(Excel row numbering) with the raw cell values (openpyxl ``data_only=True``: Excel numbers and dates keep
their type; nothing is parsed here) keyed by the template's canonical column names. Every other row of the
sheet except the header row itself is counted by kind (``title``, ``blank``, ``total``, ``signature``:
the non-data rows of ``docs/data_quality_rules.md``), so that ``rows_read = data rows + non-data rows``
always holds; the header row is reported as ``header_row`` and counted in neither.

Personal columns (template kind ``personal``: Ketua RT name, NIK, phone, survey respondent) and any column
the template does not know are never copied out of the sheet: personal data does not leave ingestion.

A file that cannot be used at all (not a spreadsheet, missing sheet, no header row, missing required column)
becomes an :class:`~analysis.core.errors.InputFileError`; :func:`read_file` records it in ``RawFile.status`` and
the run goes on.

>>> normalise_header("Pagu Anggaran (Rp.)")
'pagu anggaran'
>>> normalise_header("  PAGU   ANGGARAN ")
'pagu anggaran'
>>> normalise_header("kode_indikator")
'kode indikator'
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from analysis.core.errors import InputFileError
from analysis.core.periods import period_from_filename
from analysis.ingest.contract import TEMPLATES, Template

#: Rows above this many are not searched for the header (title blocks are a few rows in practice).
MAX_HEADER_SCAN_ROWS = 30
#: A header row must match at least this many template headers (one match could be a title word).
MIN_HEADER_MATCHES = 2
#: Row kinds that are not data (``docs/data_quality_rules.md``, "Non-data rows"); the header row is neither.
NON_DATA_KINDS = ("title", "blank", "total", "signature")
#: File suffixes read as workbooks / as delimited text. Anything else named like a template file is tried
#: as a workbook and fails as "not a spreadsheet".
CSV_SUFFIXES = (".csv", ".txt")

#: Total rows: a cell reading exactly one of these words (any case, optional colon), per the rules.
_TOTAL_RE = re.compile(
    r"^(jumlah|total|jumlah total|total jumlah|sub ?total|grand total|jumlah keseluruhan|total keseluruhan)\s*:?$"
)
#: Lines that open (or belong to) the signature block under a table: place and date, "Mengetahui,",
#: titles of signatories, "NIP. ...".
_SIGNATURE_RE = re.compile(
    r"^(jambi\s*,|mengetahui|menyetujui|disetujui|dibuat oleh|diperiksa oleh|ketua\b|sekretaris\b|"
    r"bendahara\b|lurah\b|camat\b|kepala\b|kasubag\b|kabid\b|plt\.?\b|nip\b|nip\.|ttd|tanda tangan|"
    r"\(.*\)$)"
)
#: Signature rows are sparse: at most this many filled cells (a data row fills many more).
_SIGNATURE_MAX_CELLS = 3


def normalise_header(text: object) -> str:
    """Header text -> comparison key: lower case, units in brackets dropped, punctuation and ``_`` as space."""
    s = str(text or "").lower()
    s = re.sub(r"\(.*?\)|\[.*?\]", " ", s)
    s = re.sub(r"[^0-9a-z]+", " ", s)
    return " ".join(s.split())


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class ReadWarning:
    """Something about a file that was read anyway: a stable ``code`` (``analysis.ingest.schemas.WARNING_CODES``),
    an English ``message``, and the header / value it is about where that applies."""

    code: str
    message: str
    column: str | None = None
    value: str | None = None


@dataclass
class RawRow:
    """One data row: Excel row number, raw values and number formats keyed by canonical column name."""

    row: int
    values: dict[str, object]
    formats: dict[str, str] = field(default_factory=dict)


@dataclass
class RawFile:
    """One input file as read: where it is, what it held, and whether it could be used."""

    path: Path
    rel_path: str  # path relative to the data source, with "/" separators
    template: Template
    sheet: str | None = None
    status: str = "read"  # "read", or the file-level problem
    header_row: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # canonical name -> header as written
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
        """Every row of the sheet up to its last filled row except the header: data rows + non-data rows."""
        return len(self.rows) + self.rows_non_data


# --------------------------------------------------------------------------------------------------
# Opening files: a grid of (value, number_format) per row


Cell = tuple[object, str]

#: What openpyxl raises for a file that is not a readable XLSX (zip, XML or content-type problems;
#: ``xml.etree.ElementTree.ParseError`` is a SyntaxError).
_OPEN_ERRORS = (
    InvalidFileException,
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    SyntaxError,
)


def _xlsx_grid(path: Path, template: Template, warnings: list[ReadWarning]) -> tuple[str, list[list[Cell]]]:
    """The sheet to read and its rows as ``(value, number_format)`` cells, trailing blank rows dropped."""
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _OPEN_ERRORS as exc:
        raise InputFileError(
            path, f"not a spreadsheet: cannot be opened as XLSX ({type(exc).__name__}: {exc})"
        ) from exc
    try:
        names = wb.sheetnames
        wanted = normalise_header(template.sheet)
        matches = [n for n in names if normalise_header(n) == wanted]
        if template.sheet is None:  # a CSV template delivered as a workbook: its first sheet
            sheet = names[0]
            if len(names) > 1:
                warnings.append(
                    ReadWarning(
                        "sheet_first_of_many", f"read the first sheet {sheet!r} of {len(names)}", value=sheet
                    )
                )
        elif matches:
            sheet = matches[0]
            if sheet != template.sheet:
                warnings.append(
                    ReadWarning(
                        "sheet_name_variant", f"sheet {sheet!r} read as {template.sheet!r}", value=sheet
                    )
                )
        elif len(names) == 1:
            sheet = names[0]
            warnings.append(
                ReadWarning(
                    "sheet_renamed",
                    f"sheet {template.sheet!r} not found; read the only sheet {sheet!r}",
                    value=sheet,
                )
            )
        else:
            raise InputFileError(
                path, f"missing sheet {template.sheet!r} (sheets: {', '.join(map(repr, names))})"
            )
        ws = wb[sheet]
        ws.reset_dimensions()  # the stored dimension may be stale; read every row that is there
        try:
            grid = [
                [(c.value, getattr(c, "number_format", None) or "General") for c in row]
                for row in ws.iter_rows()
            ]
        except _OPEN_ERRORS as exc:  # a damaged sheet inside a readable zip
            raise InputFileError(
                path, f"not a spreadsheet: sheet {sheet!r} cannot be read ({type(exc).__name__}: {exc})"
            ) from exc
    finally:
        wb.close()
    return sheet, _strip_trailing_blank(grid)


def _decode(raw: bytes, path: Path, warnings: list[ReadWarning]) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(ReadWarning("csv_encoding", "not UTF-8; read as Windows-1252"))
        return raw.decode("cp1252", errors="replace")


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


def _csv_grid(path: Path, warnings: list[ReadWarning]) -> list[list[Cell]]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] or raw.startswith(b"PK\x03\x04"):
        raise InputFileError(path, "not a spreadsheet: binary content in a CSV file")
    text = _decode(raw, path, warnings)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    delimiter = sniff_delimiter(lines[0] if lines else "")
    if delimiter != ",":
        warnings.append(ReadWarning("csv_delimiter", f"delimiter {delimiter!r}", value=delimiter))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid = [[(v, "General") for v in rec] for rec in reader]
    return _strip_trailing_blank(grid)


def _strip_trailing_blank(grid: list[list[Cell]]) -> list[list[Cell]]:
    end = len(grid)
    while end and all(_is_blank(v) for v, _ in grid[end - 1]):
        end -= 1
    return grid[:end]


# --------------------------------------------------------------------------------------------------
# Header and row classification


def find_header(grid: list[list[Cell]], template: Template) -> tuple[int, dict[str, int], dict[str, str]]:
    """Locate the header row among the first rows.

    Returns the 0-based row index, canonical name -> 0-based column index, canonical name -> header text.
    Raises :class:`ValueError` with the problem when no row looks like the template's header or a required
    column is missing (the caller turns it into a file-level error).
    """
    keys = {normalise_header(c.header): c for c in template.columns}
    best: tuple[int, int] | None = None  # (matches, row index)
    for i, row in enumerate(grid[:MAX_HEADER_SCAN_ROWS]):
        n = len({normalise_header(v) for v, _ in row if isinstance(v, str)} & keys.keys())
        if n and (best is None or n > best[0]):
            best = (n, i)
    if best is None or best[0] < min(MIN_HEADER_MATCHES, len(template.columns)):
        raise ValueError(
            f"no header row found in the first {MAX_HEADER_SCAN_ROWS} rows "
            f"(expected columns such as {', '.join(repr(c.header) for c in template.columns[:4])})"
        )
    i = best[1]
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    for j, (v, _) in enumerate(grid[i]):
        col = keys.get(normalise_header(v)) if isinstance(v, str) else None
        if col is not None and col.name not in positions:
            positions[col.name] = j
            written[col.name] = " ".join(str(v).split())
    missing = [c.header for c in template.columns if c.required and c.name not in positions]
    if missing:
        raise ValueError(f"missing required column {', '.join(map(repr, missing))} (header in row {i + 1})")
    return i, positions, written


def _text_cells(row: list[Cell]) -> list[str]:
    return [" ".join(str(v).lower().split()) for v, _ in row if isinstance(v, str) and v.strip()]


def is_total_row(row: list[Cell]) -> bool:
    """A ``JUMLAH``/``TOTAL``/``Sub Total`` cell among the first three filled cells.

    >>> is_total_row([(None, ""), ("JUMLAH", ""), (None, ""), (1500000, "")])
    True
    >>> is_total_row([(1, ""), ("P01-01", ""), ("Jumlah penerima", "")])
    False
    """
    filled = [v for v, _ in row if not _is_blank(v)][:3]
    return any(isinstance(v, str) and _TOTAL_RE.match(" ".join(v.lower().split())) for v in filled)


def is_signature_start(row: list[Cell]) -> bool:
    """A sparse row opening the signature block ("Jambi, 30 Juni 2025", "Mengetahui,", "Ketua RT", "NIP. ...").

    >>> is_signature_start([(None, ""), ("Jambi, 30 Juni 2025", "")])
    True
    >>> is_signature_start([("Ketua RT", ""), (None, ""), ("Mengetahui,", "")])
    True
    >>> is_signature_start([(3, ""), ("Kota Baru", ""), ("Kenali Asam", ""), ("RT 3", "")])
    False
    """
    filled = [v for v, _ in row if not _is_blank(v)]
    if not filled or len(filled) > _SIGNATURE_MAX_CELLS:
        return False
    return any(_SIGNATURE_RE.match(t) for t in _text_cells(row))


def _is_signature_continuation(row: list[Cell]) -> bool:
    """Inside the signature block: a sparse row of text only (a name, a title, a NIP)."""
    filled = [v for v, _ in row if not _is_blank(v)]
    return 0 < len(filled) <= _SIGNATURE_MAX_CELLS and all(
        isinstance(v, (str, date, datetime)) for v in filled
    )


def classify_rows(grid: list[list[Cell]], header_index: int) -> list[str]:
    """Kind of every row: ``title``/``blank`` above the header, ``header``, then ``data``, ``blank``,
    ``total`` or ``signature`` (everything sparse and textual after the signature block opens)."""
    kinds: list[str] = []
    in_signature = False
    for i, row in enumerate(grid):
        blank = all(_is_blank(v) for v, _ in row)
        if i < header_index:
            kinds.append("blank" if blank else "title")
        elif i == header_index:
            kinds.append("header")
        elif blank:
            kinds.append("blank")
        elif is_total_row(row):
            kinds.append("total")
        elif is_signature_start(row) or (in_signature and _is_signature_continuation(row)):
            in_signature = True
            kinds.append("signature")
        else:
            kinds.append("data")
    return kinds


# --------------------------------------------------------------------------------------------------
# Reading one file


def read_file(path: Path, template: Template, source_dir: Path) -> RawFile:
    """Read one file of a template; a file-level problem is recorded in ``status``, never raised."""
    path = Path(path)
    try:
        rel = path.resolve().relative_to(Path(source_dir).resolve()).as_posix()
    except ValueError:
        rel = path.name
    raw = RawFile(path=path, rel_path=rel, template=template)
    try:
        _read_into(raw)
    except InputFileError as exc:
        raw.status = exc.problem
        raw.rows = []
        raw.non_data = dict.fromkeys(NON_DATA_KINDS, 0)
    return raw


def _read_into(raw: RawFile) -> None:
    path, template = raw.path, raw.template
    if not path.is_file():
        raise InputFileError(path, "file not found")
    if path.suffix.lower() in CSV_SUFFIXES:
        grid = _csv_grid(path, raw.warnings)
        raw.sheet = None
    else:
        raw.sheet, grid = _xlsx_grid(path, template, raw.warnings)
    if not grid:
        raise InputFileError(path, "empty file: no header row found")
    try:
        header_index, positions, written = find_header(grid, template)
    except ValueError as exc:
        raise InputFileError(path, str(exc)) from exc
    raw.header_row = header_index + 1
    raw.headers = written
    known = {normalise_header(c.header) for c in template.columns}
    extra = sorted(
        {
            " ".join(str(v).split())
            for v, _ in grid[header_index]
            if not _is_blank(v) and normalise_header(v) not in known
        }
    )
    raw.warnings += [
        ReadWarning("extra_column", f"column {name!r} not in the template ignored", column=name)
        for name in extra
    ]
    kept = {
        c.name: positions[c.name] for c in template.columns if c.name in positions and c.kind != "personal"
    }
    kinds = classify_rows(grid, header_index)
    counts = Counter(kinds)
    raw.non_data = {k: counts.get(k, 0) for k in NON_DATA_KINDS}
    for i, (row, kind) in enumerate(zip(grid, kinds, strict=True)):
        if kind != "data":
            continue
        values: dict[str, object] = {}
        formats: dict[str, str] = {}
        for name, j in kept.items():
            v, fmt = row[j] if j < len(row) else (None, "General")
            values[name] = None if _is_blank(v) else v
            if fmt and fmt != "General" and isinstance(v, (int, float)):
                formats[name] = fmt
        raw.rows.append(RawRow(row=i + 1, values=values, formats=formats))


# --------------------------------------------------------------------------------------------------
# Files of a data source


def period_files(raw_dir: Path, template: Template, period: str) -> list[Path]:
    """Files of a per-period template for ``period`` (``<prefix>_<period>[_<x>].<ext>``), sorted by name.

    Excel lock files (``~$...``) and hidden files are skipped.
    """
    folder = Path(raw_dir) / template.folder
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(("~$", "."))
        and period_from_filename(p.name, template.file_prefix) == period
    )


def reference_file(raw_dir: Path, template: Template) -> Path:
    """The fixed path of a reference file (``referensi/program.csv`` ...)."""
    return Path(raw_dir) / template.folder / str(template.file_name)


def read_period(raw_dir: Path, period: str) -> list[RawFile]:
    """Every file the cleaner reads for ``period``: the reference files, then the period's files, in the
    order of ``contract.TEMPLATES``."""
    out: list[RawFile] = []
    for template in TEMPLATES:
        paths = (
            [reference_file(raw_dir, template)]
            if not template.per_period
            else period_files(raw_dir, template, period)
        )
        out.extend(read_file(p, template, raw_dir) for p in paths)
    return out
