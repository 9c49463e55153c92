"""The layout of one sheet: where its header is (one row or two), which template column each sheet column
is, and what kind every other row is (title, blank, header, repeated header, total, section label,
signature block, or data).

Works on a *grid*: the sheet's cell values as a list of rows (``None`` for an empty cell), as
:mod:`analysis.ingest.readers` gets them from any file format. Nothing is parsed here.

>>> header_key("Jml  KK\\n(KK)")
'jumlah kk'
>>> header_key("Anggaran (Rp) Realisasi") == header_key("Realisasi Anggaran (Rp)")
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from analysis.ingest.contract import HEADER_ABBREVIATIONS, HEADER_UNIT_WORDS, Template

#: Rows above this many are not searched for the header (title blocks are a few rows in practice).
MAX_HEADER_SCAN_ROWS = 30
#: A header row must match at least this many template headers (one match could be a title word).
MIN_HEADER_MATCHES = 2
#: Row kinds that are not data (``docs/data_quality_rules.md``, "Non-data rows"), in report order.
NON_DATA_KINDS = ("title", "blank", "header", "header_repeat", "total", "section", "signature")
#: A column is filled down (written once over its rows, or merged down) when at least this share of its
#: data rows is blank: an occasional blank cell is a mistake to report, not a layout.
FILL_DOWN_MIN_BLANK_SHARE = 0.5
#: Template kinds whose cells hold figures (a section label row has none of them).
NUMERIC_KINDS = ("int", "money", "number", "target", "date")

#: Total rows written as a single word (any case, optional colon): total wherever they stand.
_TOTAL_EXACT_RE = re.compile(
    r"^(jumlah|total|jumlah total|total jumlah|sub ?total|grand total|jumlah keseluruhan|total keseluruhan)\s*:?$"
)
#: Total rows named after what they add up (``Jumlah Kel. Kenali Asam``, ``JUMLAH SUB KEGIATAN``,
#: ``Total Kecamatan …``, ``Sub Total``): total only when the row has no key value and no row number.
_TOTAL_PREFIX_RE = re.compile(r"^(jumlah|jml\.?|total|sub[ -]?total|grand total|rekapitulasi)\b")
#: Lines that open (or belong to) the signature block under a table.
_SIGNATURE_RE = re.compile(
    r"^(mengetahui|menyetujui|disetujui|dibuat oleh|diperiksa oleh|ketua\b|sekretaris\b|bendahara\b|"
    r"lurah\b|camat\b|kepala\b|kasubag\b|kabid\b|plt\.?\b|plh\.?\b|a\.?\s?n\.?\s|nip\b|nip\.|ttd|"
    r"tanda tangan|pengguna anggaran|kuasa pengguna|pejabat\b|pptk\b|ppk\b|koordinator\b|walikota\b|"
    r"wali kota\b|sekda\b|\(.*\)$)"
)
#: ``<place>, <date>`` opening a signature block: "Jambi, 30 Juni 2025", "Muara Bulian, 02-07-2025".
_PLACE_DATE_RE = re.compile(
    r"^[a-z][a-z .'-]{1,40},\s*(\d{1,2}\s+[a-z]+\.?\s+\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|[a-z]+\s+\d{4}|\.{2,}.*)$"
)
#: Signature rows are sparse: at most this many filled cells (a data row fills many more).
_SIGNATURE_MAX_CELLS = 3


def is_blank(value: object) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


def _words(text: object) -> list[str]:
    s = str(text or "").lower()
    s = re.sub(r"\(.*?\)|\[.*?\]", " ", s)
    s = re.sub(r"[^0-9a-z]+", " ", s)
    return [HEADER_ABBREVIATIONS.get(w, w) for w in s.split() if w not in HEADER_UNIT_WORDS]


def normalise_header(text: object) -> str:
    """Header text -> words: lower case, units dropped, short forms expanded, punctuation as space.

    >>> normalise_header("Pagu Anggaran (Rp.)"), normalise_header("Tgl. LPJ"), normalise_header("kode_indikator")
    ('pagu anggaran', 'tanggal lpj', 'kode indikator')
    """
    return " ".join(_words(text))


def header_key(text: object) -> str:
    """Comparison key of a header: its words (:func:`normalise_header`) in sorted order, so that a two-row
    header ``Anggaran`` over ``Realisasi`` matches ``Realisasi Anggaran``."""
    return _text_key(text) if isinstance(text, str) else " ".join(sorted(_words(text)))


@lru_cache(maxsize=65536)
def _text_key(text: str) -> str:
    """:func:`header_key` of a text (cells repeat a lot: kelurahan names, ``Ya``, the header itself)."""
    return " ".join(sorted(_words(text)))


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(702)
    ('A', 'Z', 'AA', 'AAA')
    """
    n, out = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass(frozen=True)
class HeaderMatch:
    """One template column found in the header: its sheet column, the header as written, whether it was
    matched by an alias rather than by the template's header."""

    index: int
    written: str
    by_alias: bool


@dataclass
class Layout:
    """Where the header is (0-based rows, one or two) and where each template column is."""

    header_rows: list[int]
    columns: dict[str, HeaderMatch]
    extra: dict[int, str] = field(default_factory=dict)  # sheet column -> header as written, not in template
    #: template column -> the other sheet columns whose header is also that column's (written twice)
    duplicates: dict[str, list[HeaderMatch]] = field(default_factory=dict)

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1


def _key_index(template: Template) -> dict[str, tuple[str, bool]]:
    """Header key -> (canonical name, is an alias); two columns with one key is a contract bug."""
    index: dict[str, tuple[str, bool]] = {}
    for col in template.columns:
        for text, alias in ((col.header, False), *((a, True) for a in col.aliases)):
            key = header_key(text)
            if key in index and index[key][0] != col.name:
                raise ValueError(
                    f"template {template.key}: header {text!r} of {col.name} also matches {index[key][0]}"
                )
            index.setdefault(key, (col.name, alias))
    return index


def _written(value: object) -> str:
    return " ".join(str(value).split())


def _match_cells(candidates: list[list[str]], keys: dict[str, tuple[str, bool]]) -> dict[str, HeaderMatch]:
    """Per sheet column, the first candidate text whose key is a template header; first column wins."""
    found: dict[str, HeaderMatch] = {}
    for j, texts in enumerate(candidates):
        for text in texts:
            hit = keys.get(header_key(text))
            if hit is not None:
                name, alias = hit
                if name not in found:
                    found[name] = HeaderMatch(j, text, alias)
                break
    return found


def _single_candidates(row: list[object]) -> list[list[str]]:
    return [[_written(v)] if isinstance(v, str) and v.strip() else [] for v in row]


def _two_row_candidates(top: list[object], below: list[object]) -> list[list[str]]:
    """A group cell (``Anggaran (Rp)``) over its sub-headers (``Pagu``, ``Realisasi``): the group text is
    carried right over the columns that have a sub-header, until the next group cell."""
    width = max(len(top), len(below))
    top = [*top, *[None] * (width - len(top))]
    below = [*below, *[None] * (width - len(below))]
    out: list[list[str]] = []
    group: str | None = None
    for j in range(width):
        t, b = top[j], below[j]
        if isinstance(t, str) and t.strip():
            group = _written(t)
        elif not is_blank(t) or is_blank(b):
            group = None
        sub = _written(b) if isinstance(b, str) and b.strip() else None
        if sub is None:
            out.append([group] if group and not is_blank(t) else [])
        else:
            out.append([f"{group} / {sub}", sub] if group else [sub])
    return out


def find_layout(grid: list[list[object]], template: Template) -> Layout:
    """Locate the header (one row, or a group row over a sub-header row) among the first rows.

    Raises :class:`ValueError` with the problem when no row looks like the template's header or a required
    column is missing (the caller turns it into a file-level error).
    """
    keys = _key_index(template)
    best: tuple[int, int, list[int], dict[str, HeaderMatch], list[list[str]]] | None = None
    scan = grid[:MAX_HEADER_SCAN_ROWS]
    for i, row in enumerate(scan):
        single = _single_candidates(row)
        found = _match_cells(single, keys)
        options = [(len(found), 0, [i], found, single)]
        if i + 1 < len(grid):
            below_n = len(_match_cells(_single_candidates(grid[i + 1]), keys))
            double = _two_row_candidates(row, grid[i + 1])
            found2 = _match_cells(double, keys)
            if len(found2) > max(len(found), below_n):
                options.append((len(found2), -1, [i, i + 1], found2, double))
        for opt in options:
            if opt[0] and (best is None or opt[:2] > best[:2]):
                best = opt
    if best is None or best[0] < min(MIN_HEADER_MATCHES, len(template.columns)):
        raise ValueError(
            f"no header row found in the first {MAX_HEADER_SCAN_ROWS} rows "
            f"(expected columns such as {', '.join(repr(c.header) for c in template.columns[:4])})"
        )
    _, _, rows, found, candidates = best
    missing = [c.header for c in template.columns if c.required and c.name not in found]
    if missing:
        where = f"row {rows[0] + 1}" if len(rows) == 1 else f"rows {rows[0] + 1}-{rows[1] + 1}"
        raise ValueError(f"missing required column {', '.join(map(repr, missing))} (header in {where})")
    used = {m.index for m in found.values()}
    duplicates: dict[str, list[HeaderMatch]] = {}
    extra: dict[int, str] = {}
    for j, texts in enumerate(candidates):
        if not texts or j in used:
            continue
        hit = next(((text, keys[header_key(text)]) for text in texts if header_key(text) in keys), None)
        if hit is None:
            extra[j] = texts[0]
        else:
            text, (name, alias) = hit
            duplicates.setdefault(name, []).append(HeaderMatch(j, text, alias))
    return Layout(header_rows=rows, columns=found, extra=extra, duplicates=duplicates)


# --------------------------------------------------------------------------------------------------
# Row kinds


def _text_cells(row: list[object]) -> list[str]:
    return [" ".join(v.lower().split()) for v in row if isinstance(v, str) and v.strip()]


def _filled(row: list[object]) -> list[object]:
    return [v for v in row if v is not None and (v.__class__ is not str or v.strip())]


def _cell(row: list[object], j: int | None) -> object:
    return row[j] if j is not None and j < len(row) else None


def is_total_row(row: list[object], key_positions: tuple[int, ...] = (), rowno: int | None = None) -> bool:
    """A total/sub-total row: a ``JUMLAH``/``TOTAL``/``Sub Total`` cell among the first three filled cells;
    or a cell naming what it adds up (``Jumlah Kel. Kenali Asam``, ``JUMLAH SUB KEGIATAN``) when the row has
    no value in the key columns and no row number (besides that cell).

    >>> is_total_row([None, "JUMLAH", None, 1500000])
    True
    >>> is_total_row([None, None, "Jumlah Kel. Kenali Asam", None, 5], key_positions=(3,), rowno=0)
    True
    >>> is_total_row([1, "P01-01", "Jumlah penerima", 5], key_positions=(1,), rowno=0)
    False
    """
    first = [v for v in _filled(row)[:3] if isinstance(v, str)]
    texts = [" ".join(v.lower().split()) for v in first]
    if any(_TOTAL_EXACT_RE.match(t) for t in texts):
        return True
    named = [v for v, t in zip(first, texts, strict=True) if _TOTAL_PREFIX_RE.match(t)]
    if not named:
        return False
    others = [_cell(row, j) for j in (*key_positions, *((rowno,) if rowno is not None else ()))]
    return all(is_blank(v) or v in named for v in others)


def is_signature_start(row: list[object]) -> bool:
    """A sparse row opening the signature block ("Jambi, 30 Juni 2025", "Mengetahui,", "Ketua RT", "NIP. ...").

    >>> is_signature_start([None, "Muara Bulian, 02-07-2025"]), is_signature_start(["Mengetahui,", "Ketua RT"])
    (True, True)
    >>> is_signature_start([3, "Kota Baru", "Kenali Asam", "RT 3"])
    False
    """
    filled = _filled(row)
    if not filled or len(filled) > _SIGNATURE_MAX_CELLS:
        return False
    return any(_SIGNATURE_RE.match(t) or _PLACE_DATE_RE.match(t) for t in _text_cells(row))


def _is_signature_continuation(row: list[object]) -> bool:
    """Inside the signature block: a sparse row of text only (a name, a title, a NIP)."""
    filled = _filled(row)
    return 0 < len(filled) <= _SIGNATURE_MAX_CELLS and all(
        isinstance(v, (str, date, datetime)) for v in filled
    )


#: A section label: an optional enumerator (``I.``, ``1.1``, ``A.``) then an administrative or budget
#: heading word (kecamatan, kelurahan, program, kegiatan, sub kegiatan, urusan, bidang).
_SECTION_LABEL = re.compile(
    r"^\s*(?:(?:[IVXLC]+|[A-Z]|\d+(?:\.\d+)*)[.)]?\s+)?"
    r"(?:kec(?:amatan)?\.?|kel(?:urahan)?\.?|desa|program|sub\s*kegiatan|kegiatan|urusan|bidang)\b",
    re.IGNORECASE,
)


def is_section_row(
    row: list[object], key_positions: tuple[int, ...], numeric_positions: tuple[int, ...]
) -> bool:
    """A label row inside the table (``KECAMATAN JELUTUNG``, ``Kelurahan Kenali Asam``, ``I. PROGRAM ...``):
    one or two text cells, nothing in the key columns, nothing in the figure columns.

    >>> is_section_row(["KECAMATAN JELUTUNG", None, None, None, None], (3,), (4,))
    True
    >>> is_section_row([None, "Kota Baru", "Kenali Asam", "RT 3", None], (3,), (4,))
    False
    >>> is_section_row([None, "KECAMATAN JELUTUNG", None, None], (1,), (3,))
    True
    >>> is_section_row([None, "1.1 Sub Kegiatan Penyaluran Bantuan", None, None], (1,), (3,))
    True
    >>> is_section_row([None, "RT 07", None, None], (1,), (3,))
    False
    """
    if not numeric_positions:
        return False
    filled = _filled(row)
    if not 0 < len(filled) <= 2 or not all(isinstance(v, str) for v in filled):
        return False
    if not all(is_blank(_cell(row, j)) for j in numeric_positions):
        return False
    # A key cell may hold the label only when it reads as one ("KECAMATAN JELUTUNG" typed in the RT column,
    # "1.1 Sub Kegiatan ..." in the indicator-code column): a key that merely lacks its figures stays data.
    return all(is_blank(_cell(row, j)) or _SECTION_LABEL.match(str(_cell(row, j))) for j in key_positions)


def _repeat_keys(grid: list[list[object]], layout: Layout) -> list[dict[int, str]]:
    out = []
    for i in layout.header_rows:
        keys = {j: header_key(v) for j, v in enumerate(grid[i]) if isinstance(v, str) and header_key(v)}
        if keys:
            out.append(keys)
    return out


def _is_header_repeat(row: list[object], header_keys: list[dict[int, str]]) -> bool:
    for keys in header_keys:
        need = max(MIN_HEADER_MATCHES, (len(keys) + 1) // 2) if len(keys) > 1 else 1
        hits = sum(1 for j, k in keys.items() if isinstance(_cell(row, j), str) and header_key(row[j]) == k)
        if hits >= need:
            return True
    return False


_COLUMN_NUMBER = re.compile(r"^\(?\s*(\d{1,2})\s*\)?\.?$")


def is_column_numbers(row: list[object], n_columns: int) -> bool:
    """The row of column numbers many government forms print under the header (``1 2 3 ...`` or
    ``(1) (2) (3) ...``): counted as a header row. At least four cells, and half the matched columns, reading
    1, 2, 3, ... from left to right.

    >>> is_column_numbers(["(1)", "(2)", "(3)", "(4)", "(5)"], 5), is_column_numbers([1, 2, 3, 4, None], 5)
    (True, True)
    >>> is_column_numbers([1, "Kota Baru", "Kenali Asam", 3, 4], 5), is_column_numbers([1, 2, 4, 5], 4)
    (False, False)
    """
    numbers = []
    for v in _filled(row):
        if isinstance(v, bool):
            return False
        if isinstance(v, int | float) and float(v).is_integer():
            numbers.append(int(v))
        elif isinstance(v, str) and (m := _COLUMN_NUMBER.match(v.strip())):
            numbers.append(int(m.group(1)))
        else:
            return False
    return len(numbers) >= max(4, n_columns // 2) and numbers == list(range(1, len(numbers) + 1))


def classify_rows(grid: list[list[object]], layout: Layout, template: Template) -> list[str]:
    """Kind of every row: ``title``/``blank`` above the header, ``header`` (one or two rows, and a row of
    column numbers right under them), then
    ``data``, ``blank``, ``header_repeat``, ``total``, ``section`` or ``signature`` (everything sparse and
    textual after the signature block opens)."""
    pos = {name: m.index for name, m in layout.columns.items()}
    key_positions = tuple(pos[n] for n in template.key_columns if n in pos)
    numeric_positions = tuple(
        pos[c.name] for c in template.columns if c.kind in NUMERIC_KINDS and c.name in pos
    )
    rowno = next((pos[c.name] for c in template.columns if c.kind == "rowno" and c.name in pos), None)
    header_keys = _repeat_keys(grid, layout)
    first, last = layout.header_rows[0], layout.header_rows[-1]
    kinds: list[str] = []
    in_signature = False
    for i, row in enumerate(grid):
        n_filled = len(_filled(row))
        sparse = n_filled <= _SIGNATURE_MAX_CELLS  # signature and section rows are sparse
        if i < first:
            kinds.append("title" if n_filled else "blank")
        elif i <= last or (i == last + 1 and is_column_numbers(row, len(layout.columns))):
            kinds.append("header")
        elif not n_filled:
            kinds.append("blank")
        elif sparse and in_signature and _is_signature_continuation(row):
            kinds.append("signature")
        elif sparse and is_signature_start(row):
            in_signature = True
            kinds.append("signature")
        elif is_total_row(row, key_positions, rowno):
            kinds.append("total")
        elif _is_header_repeat(row, header_keys):
            kinds.append("header_repeat")
        elif sparse and is_section_row(row, key_positions, numeric_positions):
            kinds.append("section")
        else:
            in_signature = False
            kinds.append("data")
    return kinds


# --------------------------------------------------------------------------------------------------
# Identifying columns written once or merged down


@dataclass(frozen=True)
class FilledDown:
    """Cells of one column filled from the row above: the template column and the 0-based rows filled."""

    name: str
    rows: tuple[int, ...]


def fill_down(
    grid: list[list[object]],
    kinds: list[str],
    layout: Layout,
    template: Template,
    merged: list[tuple[tuple[int, int], tuple[int, int]]] | None = None,
) -> list[FilledDown]:
    """Fill blank cells of the template's identifying columns (``Template.fill_down``) from the data row
    above, in place: the cells inside a vertical merged range, and every blank of a column that is blank in
    at least ``FILL_DOWN_MIN_BLANK_SHARE`` of its data rows (written once over its rows). A section label
    row ends what is carried. Returns what was filled, for the warnings."""
    data = [i for i, k in enumerate(kinds) if k == "data"]
    out: list[FilledDown] = []
    for name in template.fill_down:
        match = layout.columns.get(name)
        if match is None or not data:
            continue
        j = match.index
        in_merge = set()
        for (r0, c0), (r1, c1) in merged or ():
            if c0 <= j <= c1 and r1 > r0:
                in_merge.update(range(r0 + 1, r1 + 1))
        blanks = [i for i in data if is_blank(_cell(grid[i], j))]
        layout_blank = len(blanks) >= 2 and len(blanks) >= FILL_DOWN_MIN_BLANK_SHARE * len(data)
        carried: object = None
        filled: list[int] = []
        for i, kind in enumerate(kinds):
            if kind == "section":
                carried = None
            if kind != "data":
                continue
            value = _cell(grid[i], j)
            if not is_blank(value):
                carried = value
            elif carried is not None and (layout_blank or i in in_merge):
                row = grid[i]
                if j >= len(row):
                    row.extend([None] * (j + 1 - len(row)))
                row[j] = carried
                filled.append(i)
        if filled:
            out.append(FilledDown(name, tuple(filled)))
    return out


def row_ranges(rows: tuple[int, ...] | list[int]) -> str:
    """Excel row numbers (1-based) of 0-based rows, as ranges.

    >>> row_ranges([4, 5, 6, 9])
    '5-7, 10'
    """
    parts: list[str] = []
    start = prev = None
    for r in [*rows, None]:
        if r is not None and prev is not None and r == prev + 1:
            prev = r
            continue
        if start is not None:
            parts.append(f"{start + 1}" if start == prev else f"{start + 1}-{prev + 1}")
        start = prev = r
    return ", ".join(parts)
