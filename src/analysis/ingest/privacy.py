"""Personal data: drop personal columns, mask NIK-like and phone-like text, scan output files for leaks.

UU 27/2022 (Pelindungan Data Pribadi) and the population-administration law protect NIK and KK numbers
(``docs/domain.md``, "Personal data"). The data contract says ``NIK Ketua RT``, ``No. HP``, names and
respondents never leave ingestion (columns of kind ``personal`` in ``analysis.ingest.contract``: dropped), and the
data-quality rules say NIK-like and phone-like text typed into free text is masked with a warning.

What counts (deliberately wider than a valid NIK: a typo or a KK number must not leak either):

* **NIK-like** (``[NIK disamarkan]``): a run of exactly 16 digits, or digit groups of 2-6 digits joined by
  one and the same separator, a single space, dot or dash (``1571 0145 0980 0001``, ``15.71.01.450980.0001``,
  ``1571-0145-...``) holding exactly 16 digits in all. A 16-digit KK (kartu keluarga) number is caught by the
  same rule. The structure (province code, birth date) is not checked, so a NIK with a typed-wrong date still
  counts. A longer run is not a NIK (a NIK and a KK number always have 16 digits): a 309-digit number
  (``1e308`` written out), a 20-digit number, a bank account or a long serial are left alone; bank accounts
  are not personal data in the contract (Kampung Bahagia funds go to the Pokja's account, not a resident's). Not NIK-like: a dotted Kemendagri code, ``dd.dd.dd.dddd`` followed only by three-digit groups
  (a kelurahan code, an RT code ``15.71.01.1001.003`` and longer codes built on it, see
  ``analysis.core.reference.make_rt_code``); a NIK is never written that way.
  The output-file scanner (not the masking) skips the fractional part of a decimal
  (``0.3333333333333333`` in a JSON file), long base64/hex tokens and SVG drawing attributes.
* **Phone-like** (``[nomor HP disamarkan]``): ``+62``, ``62`` or ``0``, then ``8`` and a digit written
  together (``08xx``, ``+62 8xx``), then 6-10 more digits, with spaces, dots, dashes or brackets between them
  (``0812-3456-7890``, ``+62 812 3456 7890``, ``(+62) 812...``). Never part of a longer chain of digit groups:
  not preceded by a digit or by ``<digit><. - / ,>``, not followed by a digit or by ``<. - / ,><digit>`` (so
  the ``08.1001.003`` inside an RT code ``15.71.08.1001.003`` and the ``08-06-2025`` of a date are left
  alone). Without ``+62`` in front, a run grouped in threes like an amount (``62.812.345.678``) is an
  amount, not a phone. Landlines (``0741-...``) are not masked: the contract names mobile numbers; an office
  number in a note is not personal data.
* Codes, dates and amounts made by the project never match either rule; the cleaner masks the values typed
  by people that its messages quote, never the messages themselves.

Why not lokal-id for masking (``lokal.mask_pii``/``detect_pii``, 0.7.2): it validates NIK
structure, so ``9999999999999999`` or a NIK with an impossible birth date is left in clear; it misses
dot-separated NIKs (``1571.0145.0980.0001``); it also masks names (``Ketua RT Pak Ahmad`` -> ``[NAME_1]``)
and landlines, and writes its own placeholders (``[NIK_1]``). Our rule is the contract's, so it is written
here; the tests use ``lokal.detect_pii`` as an independent oracle (whatever it flags as NIK, KK or mobile
phone must be masked here).

>>> mask_personal_text("NIK 1571014509800001, HP 0812-3456-7890")
('NIK [NIK disamarkan], HP [nomor HP disamarkan]', ['nik', 'phone'])
>>> mask_personal_text("Dana Rp 45.000.000 untuk 12 titik lampu")
('Dana Rp 45.000.000 untuk 12 titik lampu', [])
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analysis.ingest.contract import Template
from analysis.ingest.sheet_layout import header_key

#: Kind of contract column that is personal data and is dropped at ingestion (``analysis.ingest.contract``).
PERSONAL_COLUMN_KIND = "personal"
#: Kinds of personal data found in text, with the placeholder that replaces them (data_quality_rules.md).
PLACEHOLDERS: dict[str, str] = {"nik": "[NIK disamarkan]", "phone": "[nomor HP disamarkan]"}
PERSONAL_KINDS: tuple[str, ...] = tuple(PLACEHOLDERS)

#: NIK and KK numbers have 16 digits (domain.md).
NIK_DIGITS = 16

_NIK_PLAIN = re.compile(rf"(?<!\d)\d{{{NIK_DIGITS}}}(?!\d)")
_NIK_GROUPED = re.compile(r"(?<!\d)\d{2,6}(?!\d)(?P<sep>[ .\-])\d{2,6}(?!\d)(?:(?P=sep)\d{2,6}(?!\d))*")
#: Kemendagri region codes and the RT codes built on them (``analysis.core.reference``): never NIK-like.
_REGION_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}(?:\.\d{3})*")
_PHONE = re.compile(
    r"(?<![\d+])(?<!\d[.\-/,])(?:\(\+62\)|\+62|62|0)[ .\-]?8\d(?:[ .\-()]{0,3}\d){6,10}(?!\d)(?![.\-/,]\d)"
)
#: A run grouped in threes like an amount (``62.812.345.678``, ``62 812 345 678``): a phone only after ``+62``.
_THOUSANDS_GROUPED = re.compile(r"\d{1,3}(?P<sep>[ .,])\d{3}(?:(?P=sep)\d{3})+")
#: A match that starts right after ``<digit>.`` or ``<digit>,`` is the fractional part of a decimal
#: (``0.3333333333333333`` in a JSON file); the file scanner skips it, masking does not.
_AFTER_DECIMAL_MARK = re.compile(r"\d[.,]$")

#: Long runs of base64/hex characters (embedded images, hashes in manifests) are not text a person typed;
#: the file scanner skips digit runs inside them.
_ENCODED_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{40,}={0,2}")
#: Random or content ids of 32 hex digits, alone or as a UUID (ipywidgets' ``model_id``, itables' table
#: ids, MD5 sums): one in a hundred or so holds a run of 16 decimal digits by chance; never typed by a person.
_HEX_ID = re.compile(
    r"(?<![0-9A-Za-z-])(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?![0-9A-Za-z-])"
)
#: Attribute values of drawn graphics (SVG paths) hold long runs of coordinates; the scanner skips them.
_GRAPHIC_ATTRIBUTE = re.compile(r"""\s(?:d|points|transform|viewBox)=(?:"[^"]*"|'[^']*')""")


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every NIK-like and phone-like match, overlaps merged, in text order."""
    found: list[tuple[int, int, str]] = [(m.start(), m.end(), "nik") for m in _NIK_PLAIN.finditer(text)]
    found += [
        (m.start(), m.end(), "nik")
        for m in _NIK_GROUPED.finditer(text)
        if _digit_count(m.group()) == NIK_DIGITS and not _REGION_CODE.fullmatch(m.group())
    ]
    found += [
        (m.start(), m.end(), "phone")
        for m in _PHONE.finditer(text)
        if m.group().startswith(("+", "(")) or not _THOUSANDS_GROUPED.fullmatch(m.group())
    ]
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if merged and start < merged[-1][1]:  # overlap: one placeholder for both, of the earlier kind
            prev_start, prev_end, prev_kind = merged[-1]
            merged[-1] = (prev_start, max(prev_end, end), prev_kind)
            continue
        merged.append((start, end, kind))
    return merged


def find_personal_data(text: str | None) -> list[str]:
    """Kinds (``nik``/``phone``) of the personal data found in ``text``, one entry per occurrence.

    >>> find_personal_data("hub 0812 3456 7890 / +62 813-1111-2222, NIK 1571.0145.0980.0001")
    ['phone', 'phone', 'nik']
    """
    if not isinstance(text, str):
        return []
    return [kind for _, _, kind in _spans(text)]


def mask_personal_text(text: str | None) -> tuple[str | None, list[str]]:
    """Replace NIK-like and phone-like runs by placeholders; return the text and the sorted kinds found.

    ``None``/NaN -> ``(None, [])``.

    >>> mask_personal_text("KK 1571 0101 0101 0001 a.n. Budi")
    ('KK [NIK disamarkan] a.n. Budi', ['nik'])
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None, []
    if not isinstance(text, str):
        raise TypeError(f"mask_personal_text expects text, got {type(text).__name__}: {text!r}")
    spans = _spans(text)
    if not spans:
        return text, []
    parts: list[str] = []
    last = 0
    for start, end, kind in spans:
        parts.append(text[last:start])
        parts.append(PLACEHOLDERS[kind])
        last = end
    parts.append(text[last:])
    return "".join(parts), sorted({kind for _, _, kind in spans})


def mask_text(text: str | None) -> str | None:
    """``text`` with NIK-like and phone-like runs masked (:func:`mask_personal_text` without the kinds):
    for text from a file that reaches an output as it is (a header, a sheet or file name, a warning).

    >>> mask_text("laporan_rt_2026-TW3_pak budi 0812-3456-7890.xlsx")
    'laporan_rt_2026-TW3_pak budi [nomor HP disamarkan].xlsx'
    """
    return mask_personal_text(text)[0]


def mask_quoted_value(text: str, value: object) -> str:
    """``text`` (a reason or message the project wrote) with the NIK/phone-like runs of ``value`` (a cell as a
    person typed it) masked wherever ``text`` quotes that value; the rest of ``text`` is never touched.

    >>> mask_quoted_value("Catatan: 'hub 081234567890' at RT 15.71.08.1001.003", "hub 081234567890")
    "Catatan: 'hub [nomor HP disamarkan]' at RT 15.71.08.1001.003"
    >>> mask_quoted_value("not a number: '15.71.08.1001.003'", "15.71.08.1001.003")
    "not a number: '15.71.08.1001.003'"
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return text
    if isinstance(value, float) and value.is_integer():
        forms = {str(int(value)), repr(value)}
    else:
        raw = str(value)
        forms = {raw, raw.strip(), " ".join(raw.split()), repr(raw)[1:-1]}
    for form in sorted(forms, key=len, reverse=True):
        masked, kinds = mask_personal_text(form)
        if form and kinds:
            text = text.replace(form, masked)  # type: ignore[arg-type]
    return text


def mask_personal_series(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Mask every cell of a text column; return (masked texts, kinds found per cell as ``"nik,phone"``/``""``).

    Grain: one value per row of ``texts``, same index. Missing cells stay missing.

    >>> masked, kinds = mask_personal_series(pd.Series(["ok", "HP 081234567890", None]))
    >>> masked.tolist(), kinds.tolist()
    (['ok', 'HP [nomor HP disamarkan]', None], ['', 'phone', ''])
    """
    results = [mask_personal_text(None if pd.isna(v) else str(v)) for v in texts]
    masked = pd.Series([r[0] for r in results], index=texts.index, dtype=object)
    kinds = pd.Series([",".join(r[1]) for r in results], index=texts.index, dtype=str)
    return masked, kinds


def personal_columns(template: Template) -> tuple[str, ...]:
    """Canonical names of the template's personal columns (kind ``personal``), to drop at ingestion.

    >>> from analysis.ingest.contract import RT_REGISTRY
    >>> personal_columns(RT_REGISTRY)
    ('ketua_rt_name', 'ketua_rt_nik', 'ketua_rt_phone')
    """
    return tuple(c.name for c in template.columns if c.kind == PERSONAL_COLUMN_KIND)


def drop_personal_columns(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Return ``df`` without the given personal columns (those present; an optional one may be absent).

    Grain and index unchanged.

    >>> drop_personal_columns(pd.DataFrame({"rt": [1], "ketua_rt_nik": ["x"]}), ["ketua_rt_nik", "no_hp"]).columns.tolist()
    ['rt']
    """
    present = [c for c in columns if c in df.columns]
    return df.drop(columns=present)


# --------------------------------------------------------------------------------------------------------
# scanning output files
# --------------------------------------------------------------------------------------------------------

#: Files read as text by :func:`scan_file_for_personal_data`; Parquet is read with pandas. ``.lock``: the
#: folder locks beside processed and report folders (``analysis.core.atomic``; the holder's pid and host).
TEXT_SUFFIXES = frozenset(
    {".csv", ".json", ".html", ".htm", ".txt", ".md", ".yml", ".yaml", ".svg", ".ipynb", ".lock"}
)
_MARKUP_SUFFIXES = frozenset({".html", ".htm", ".svg", ".ipynb"})


def _partial(value: str) -> str:
    """Show where a match is without repeating it: keep the first 4 characters, star the digits after."""
    return value[:4] + re.sub(r"\d", "*", value[4:])


def _scan_line(line: str, *, skip_encoded: bool) -> list[tuple[str, str]]:
    """(kind, excerpt) for each match in one line; excerpts have the match partly starred."""
    skip: list[tuple[int, int]] = []
    if skip_encoded:
        skip = [m.span() for m in _ENCODED_TOKEN.finditer(line) if re.search(r"[A-Za-z]", m.group())]
        skip += [m.span() for m in _HEX_ID.finditer(line) if re.search(r"[a-f]", m.group())]
    hits = []
    for start, end, kind in _spans(line):
        if any(s <= start and end <= e for s, e in skip) or _AFTER_DECIMAL_MARK.search(
            line[max(0, start - 2) : start]
        ):
            continue
        before = line[max(0, start - 20) : start]
        after = line[end : end + 20]
        hits.append((kind, f"{before}{_partial(line[start:end])}{after}"))
    return hits


def scan_text_for_personal_data(text: str, *, markup: bool = False) -> list[tuple[int, str, str]]:
    """(line number from 1, kind, excerpt) of every NIK-like or phone-like run in a text.

    With ``markup=True`` the values of SVG drawing attributes (``d``, ``points``, ``transform``, ``viewBox``)
    are ignored. Long base64/hex tokens (embedded images, hashes) and 32-hex-digit ids (UUIDs) are always
    ignored.

    >>> scan_text_for_personal_data("a,b\\n1,NIK 1571014509800001\\n")
    [(2, 'nik', '1,NIK 1571************')]
    """
    if markup:  # on the whole text: an attribute's value may span lines; keep the line count
        text = _GRAPHIC_ATTRIBUTE.sub(lambda m: " " + "\n" * m.group().count("\n"), text)
    results = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        results += [(line_no, kind, excerpt) for kind, excerpt in _scan_line(line, skip_encoded=True)]
    return results


def _scan_parquet(path: Path) -> list[tuple[int, str, str]]:
    """Scan text cells, and whole numbers of 16+ digits in numeric cells (a NIK typed into a number cell)."""
    df = pd.read_parquet(path)
    results: list[tuple[int, str, str]] = []
    for column in df.columns:
        series = df[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            values = pd.to_numeric(series, errors="coerce").astype("float64")
            big = values.abs() >= 10 ** (NIK_DIGITS - 1)
            for pos in big[big.fillna(False)].index:
                row = df.index.get_loc(pos) + 1
                results.append((int(row), "nik", f"{column}={_partial(str(series[pos]))}"))
            continue
        if not (
            pd.api.types.is_string_dtype(series)
            or series.dtype == object
            or isinstance(series.dtype, pd.CategoricalDtype)
        ):
            continue
        for row, value in enumerate(series, start=1):
            if not isinstance(value, str):
                continue
            for kind, excerpt in _scan_line(value, skip_encoded=True):
                results.append((row, kind, f"{column}: {excerpt}"))
    return sorted(results)


def _scan_notebook(path: Path) -> list[tuple[int, str, str]]:
    """A notebook cell by cell (line number = cell number from 1): sources and every output, SVG images (any
    ``…svg+xml`` type) as markup (their drawing attributes are not text), PNG images skipped (pixels)."""
    import json

    nb = json.loads(path.read_text(encoding="utf-8"))
    hits: list[tuple[int, str, str]] = []
    for number, cell in enumerate(nb.get("cells", []), start=1):
        texts: list[tuple[str, bool]] = [("".join(cell.get("source", "")), False)]
        for output in cell.get("outputs", []):
            if "text" in output:
                texts.append(("".join(output["text"]), False))
            for mime, data in output.get("data", {}).items():
                if mime.startswith("image/") and mime != "image/svg+xml":
                    continue
                text = (
                    data
                    if isinstance(data, str)
                    else "".join(data)
                    if isinstance(data, list)
                    else json.dumps(data)
                )
                # every SVG, also a chart's phone layout (application/vnd.kjb.phone+svg+xml), is markup
                texts.append((text, mime == "text/html" or mime.endswith("svg+xml")))
            texts.extend(
                ("".join(output.get("traceback", [])), False) for _ in [0] if output.get("traceback")
            )
        for text, markup in texts:
            hits.extend(
                (number, kind, excerpt)
                for _, kind, excerpt in scan_text_for_personal_data(text, markup=markup)
            )
    return hits


def _scan_workbook(path: Path) -> list[tuple[int, str, str]]:
    """Every cell of every sheet, one line per row (line number = the row as Excel shows it)."""
    import python_calamine

    hits = []
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in workbook.sheet_names:
        for number, row in enumerate(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False), 1):
            line = " | ".join(str(v) for v in row if v not in (None, ""))
            hits.extend((number, kind, excerpt) for _, kind, excerpt in scan_text_for_personal_data(line))
    return hits


def _scan_duckdb(path: Path) -> list[tuple[int, str, str]]:
    """A DuckDB file (the history store): the SQL of every view, then every row of every table. (The
    views' rows are the period folders' Parquet files, scanned as files of their own.)"""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        lines = [
            sql for (sql,) in con.execute("SELECT sql FROM duckdb_views() WHERE NOT internal").fetchall()
        ]
        tables = [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        for name in tables:
            rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
            lines += [f"{name}: " + " | ".join(str(v) for v in row if v is not None) for row in rows]
    finally:
        con.close()
    hits = []
    for number, line in enumerate(lines, 1):
        hits.extend((number, kind, excerpt) for _, kind, excerpt in scan_text_for_personal_data(line))
    return hits


def scan_file_for_personal_data(path: str | Path) -> list[tuple[int, str, str]]:
    """(line or row number from 1, kind, excerpt) of personal data in an output file; ``[]`` when clean.

    Notebooks cell by cell (sources and outputs; SVG as markup, PNG skipped). CSV/JSON/HTML/text files are
    scanned line by line (HTML and SVG without drawing attributes); XLSX row by row; Parquet
    row by row (line number = row position from 1, excerpt starts with the column); DuckDB files view SQL and
    table rows (:func:`_scan_duckdb`). Other file types raise
    ``ValueError`` so a test never passes by skipping a file silently.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _scan_parquet(path)
    if suffix == ".ipynb":
        return _scan_notebook(path)
    if suffix in TEXT_SUFFIXES:
        text = path.read_text(encoding="utf-8", errors="replace")
        return scan_text_for_personal_data(text, markup=suffix in _MARKUP_SUFFIXES)
    if suffix == ".xlsx":
        return _scan_workbook(path)
    if suffix == ".duckdb":
        return _scan_duckdb(path)
    raise ValueError(f"{path}: cannot scan a {suffix or 'suffix-less'} file for personal data")


def scrub_worksheet(ws, personal_headers: Iterable[str], header_row: int | None, label: str) -> int:
    """Remove personal data from an openpyxl worksheet (a copy, never the original): the cells under a header
    that names a personal column (``Nama Ketua RT``, ``NIK Ketua RT``, ``No. HP``, ``Responden``; compared as
    the reader compares headers, :func:`analysis.ingest.sheet_layout.header_key`) become
    ``label``, and NIK-like/phone-like text in every other text cell is masked. Returns the cells changed.

    The header is looked for in ``header_row`` (as Excel numbers rows), or the first 15 rows when unknown.
    """
    from openpyxl.cell.cell import MergedCell

    wanted = {header_key(h) for h in personal_headers}
    rows = [header_row] if header_row else range(1, min(ws.max_row, 15) + 1)
    columns: dict[int, int] = {}  # column -> its header row
    for r in rows:
        for cell in ws[r]:
            if isinstance(cell.value, str) and header_key(cell.value) in wanted:
                columns.setdefault(cell.column, r)
    changed = 0
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell, MergedCell) or cell.value is None:
                continue
            if cell.column in columns and cell.row > columns[cell.column]:
                cell.value, changed = label, changed + 1
            elif isinstance(cell.value, str):
                masked, kinds = mask_personal_text(cell.value)
                if kinds:
                    cell.value, changed = masked, changed + 1
    return changed
