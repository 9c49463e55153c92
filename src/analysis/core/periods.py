"""Reporting periods: canonical codes, the spellings people write, and their dates.

Canonical codes (``docs/data_contract.md``): ``100-hari`` (20 Feb - 30 May 2025, the mayor's first
100 working days counting the inauguration day as day 1), ``YYYY-TWn`` (triwulan = quarter, n = 1..4),
``YYYY-Sn`` (semester, n = 1..2) and ``YYYY`` (the year).

>>> parse_period("Triwulan II 2025")
'2025-TW2'
>>> parse_period("2025-Q3")
'2025-TW3'
>>> parse_period("100 hari")
'100-hari'
>>> previous_period("2026-TW1")
'2025-TW4'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: Inauguration 20 Feb 2025 = day 1; day 100 = 30 May 2025 (domain.md, regional news sources).
HUNDRED_DAYS_CODE = "100-hari"
HUNDRED_DAYS_START = date(2025, 2, 20)
HUNDRED_DAYS_END = date(2025, 5, 30)

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_WORDS = r"(?:tw|triwulan|trw|q|kuartal|quarter)"
_SEMESTER_WORDS = r"(?:s|smt|semester|sem)"
_NUM = r"(iv|iii|ii|i|[1-4])"
_YEAR = r"((?:19|20)\d\d)"


class PeriodError(ValueError):
    """A text that is not a period spelling we know."""


def _number(token: str) -> int:
    token = token.lower()
    return _ROMAN[token] if token in _ROMAN else int(token)


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^100[\s_-]*(?:hari)(?:[\s_-]*kerja)?$"), "100"),
    (re.compile(rf"^{_YEAR}[\s_-]*{_QUARTER_WORDS}[\s._-]*{_NUM}$"), "yq"),
    (re.compile(rf"^{_QUARTER_WORDS}[\s._-]*{_NUM}[\s_/-]*(?:tahun\s*)?{_YEAR}$"), "qy"),
    (re.compile(rf"^{_YEAR}[\s_-]*{_SEMESTER_WORDS}[\s._-]*{_NUM}$"), "ys"),
    (re.compile(rf"^{_SEMESTER_WORDS}[\s._-]*{_NUM}[\s_/-]*(?:tahun\s*)?{_YEAR}$"), "sy"),
    (re.compile(rf"^(?:tahun[\s_-]*)?{_YEAR}$"), "y"),
]


def parse_period(text: object) -> str:
    """Return the canonical code of a period spelling, or raise :class:`PeriodError`.

    Accepts ``2025-TW2``, ``TW II 2025``, ``Triwulan II 2025``, ``2025-Q2``, ``Q2 2025``,
    ``Semester I 2025``, ``2025-S1``, ``Tahun 2025``, ``2025``, ``100 hari``, ``100-hari`` (any case).
    """
    if not isinstance(text, str):
        raise PeriodError(f"not a period: {text!r}")
    norm = re.sub(r"\s+", " ", text.strip().lower())
    for pattern, kind in _PATTERNS:
        m = pattern.match(norm)
        if not m:
            continue
        if kind == "100":
            return HUNDRED_DAYS_CODE
        if kind == "y":
            return m.group(1)
        if kind in ("yq", "ys"):
            year, n = m.group(1), _number(m.group(2))
        else:
            n, year = _number(m.group(1)), m.group(2)
        if kind in ("yq", "qy"):
            return f"{year}-TW{n}"
        if n > 2:
            raise PeriodError(f"semester must be I or II: {text!r}")
        return f"{year}-S{n}"
    raise PeriodError(
        f"unknown period {text!r}; write e.g. 2025-TW2, 'Triwulan II 2025', 2025-S1, 2025 or 100-hari"
    )


def is_canonical(code: str) -> bool:
    """True when ``code`` is already a canonical period code."""
    try:
        return parse_period(code) == code
    except PeriodError:
        return False


@dataclass(frozen=True)
class PeriodInfo:
    code: str
    kind: str  # "100-hari" | "triwulan" | "semester" | "tahun"
    year: int
    number: int | None  # quarter or semester number
    start: date
    end: date


def period_info(code: str) -> PeriodInfo:
    """Kind, year and first/last day of a canonical period code."""
    code = parse_period(code)
    if code == HUNDRED_DAYS_CODE:
        return PeriodInfo(code, "100-hari", 2025, None, HUNDRED_DAYS_START, HUNDRED_DAYS_END)
    if "-TW" in code:
        year, n = int(code[:4]), int(code[-1])
        start = date(year, 3 * (n - 1) + 1, 1)
        end = _month_end(year, 3 * n)
        return PeriodInfo(code, "triwulan", year, n, start, end)
    if "-S" in code:
        year, n = int(code[:4]), int(code[-1])
        start = date(year, 6 * (n - 1) + 1, 1)
        return PeriodInfo(code, "semester", year, n, start, _month_end(year, 6 * n))
    year = int(code)
    return PeriodInfo(code, "tahun", year, None, date(year, 1, 1), date(year, 12, 31))


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date.fromordinal(date(year, month + 1, 1).toordinal() - 1)


def sort_key(code: str) -> tuple:
    """Order periods by their last day, then shorter periods first (2025-TW2 before 2025-S1)."""
    info = period_info(code)
    return (info.end, info.end - info.start)


def previous_period(code: str) -> str | None:
    """The period of the same kind just before ``code`` (``None`` for ``100-hari``)."""
    info = period_info(code)
    if info.kind == "triwulan":
        return f"{info.year}-TW{info.number - 1}" if info.number > 1 else f"{info.year - 1}-TW4"
    if info.kind == "semester":
        return f"{info.year}-S{info.number - 1}" if info.number > 1 else f"{info.year - 1}-S2"
    if info.kind == "tahun":
        return str(info.year - 1)
    return None


_ROMAN_OUT = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_label(code: str, lang: str = "id") -> str:
    """Human label: ``Triwulan II 2025`` / ``Q2 2025``, ``100 Hari Kerja`` / ``First 100 days``."""
    info = period_info(code)
    if info.kind == "100-hari":
        return (
            "100 Hari Kerja (20 Feb–30 Mei 2025)" if lang == "id" else "First 100 days (20 Feb–30 May 2025)"
        )
    if info.kind == "triwulan":
        return (
            f"Triwulan {_ROMAN_OUT[info.number]} {info.year}"
            if lang == "id"
            else f"Q{info.number} {info.year}"
        )
    if info.kind == "semester":
        word = "Semester" if lang == "id" else "Half-year"
        return f"{word} {_ROMAN_OUT[info.number]} {info.year}"
    return f"Tahun {info.year}" if lang == "id" else f"Year {info.year}"


#: Characters that separate the words of a file name (``laporan_rt_2026-TW3 kota baru.xlsx``).
_NAME_SEP = " _-."
#: The longest period spelling looked for in a file name (``triwulan iii tahun 2026`` is 23 characters).
_MAX_PERIOD_CHARS = 32
#: A period word and number right after a period, as in ``2025-TW5`` or ``2025-S3``: a period mistyped.
_BROKEN_PERIOD = re.compile(rf"^(?:{_QUARTER_WORDS}|{_SEMESTER_WORDS})[\s._-]*(?:\d+|[iv]+)(?![a-z])", re.I)


def _prefix_pattern(prefix: str) -> re.Pattern[str]:
    words = [w for w in re.split(r"[\s_-]+", prefix) if w]
    return re.compile(r"^" + r"[\s_-]+".join(map(re.escape, words)) + r"[\s_-]*", re.I)


def _period_at(text: str, start: int) -> tuple[str, int] | None:
    """The longest period spelling in ``text`` from ``start`` that ends at a separator or at the end:
    ``(code, end)``, or ``None``."""
    for end in range(min(len(text), start + _MAX_PERIOD_CHARS), start, -1):
        if end < len(text) and text[end] not in _NAME_SEP:
            continue
        try:
            return parse_period(text[start:end]), end
        except PeriodError:
            continue
    return None


def period_from_filename(name: str, prefix: str) -> str | None:
    """The period of a file named ``<prefix>_<period>[<free part>].<ext>``, or ``None`` when the name does
    not start with ``prefix`` followed by a period.

    Generous, as the data contract's ``laporan_rt_<periode>*`` says: the prefix's words may be joined by
    ``_``, ``-`` or spaces, in any case; the period is any spelling :func:`parse_period` knows (the longest
    one that ends at a separator: ``realisasi_2025_dinkes.xlsx`` is the year 2025, ``realisasi_2025_tw2.xlsx``
    is 2025-TW2); anything may follow it after a separator. A name that holds a second, different period in
    its free part (``laporan_rt_2025_2026-TW1.xlsx``; a bare year that is the period's own year is fine) or a
    mistyped one (``laporan_rt_2025-TW5.xlsx``) raises :class:`PeriodError`: no guess.

    >>> period_from_filename("realisasi_2025-TW2_dinkes.xlsx", "realisasi")
    '2025-TW2'
    >>> period_from_filename("Laporan_RT_TW III 2026 kota baru.xlsx", "laporan_rt")
    '2026-TW3'
    >>> period_from_filename("LAPORAN-RT-2026-tw3.xlsx", "laporan_rt")
    '2026-TW3'
    >>> period_from_filename("laporan_rt_100-hari.xlsx", "laporan_rt")
    '100-hari'
    >>> period_from_filename("laporan_rt_2025-TW2.xlsx", "realisasi") is None
    True
    """
    m = _prefix_pattern(prefix).match(name)
    if not m:
        return None
    found = _period_at(name, m.end())
    if found is None:
        return None
    period, end = found
    stem = name[: -len(suffix)] if (suffix := _suffix(name)) and end <= len(name) - len(suffix) else name
    free = stem[end:]
    if _BROKEN_PERIOD.match(free.lstrip(_NAME_SEP)):
        raise PeriodError(f"{name}: period {stem[m.end() :]!r} not understood; write e.g. 2025-TW2")
    own_year = str(period_info(period).year)
    for i in range(len(free)):
        if (i == 0 or free[i - 1] in _NAME_SEP) and free[i] not in _NAME_SEP:
            other = _period_at(free, i)
            if other is not None and other[0] not in (period, own_year):
                raise PeriodError(f"{name}: names two periods, {period} and {other[0]}; keep one")
    return period


def _suffix(name: str) -> str:
    """The extension of a file name (``.xlsx``), or "" (a last part with a space is not an extension)."""
    dot = name.rfind(".")
    return name[dot:] if dot > 0 and " " not in name[dot:] and len(name) - dot <= 6 else ""
