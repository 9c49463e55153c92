"""Indonesian dates as people type them: ``30/06/2025``, ``30-6-25``, ``2025-06-30``, ``30 Juni 2025``, ``30 Jun 2025``,
``Senin, 30 Juni 2025`` (a weekday that disagrees with the date is rejected), with a time after the date
(``14:00``, ``pukul 10.00``), Excel date serials as numbers or typed as text; :func:`parse_date`.
Errors are :class:`analysis.ingest.parsing.ParseError`.

>>> parse_date("30 Juni, 2025")
datetime.date(2025, 6, 30)
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re

import pandas as pd

from analysis.ingest.parsing import _INVISIBLE, _error, _is_blank_or_dash, _text

#: Month names and abbreviations, Indonesian (KBBI; ``Pebruari``/``Nopember`` are old spellings still seen)
#: and English.
MONTHS: dict[str, int] = {
    **dict.fromkeys(["januari", "january", "jan"], 1),
    **dict.fromkeys(["februari", "pebruari", "february", "feb", "peb"], 2),
    **dict.fromkeys(["maret", "march", "mar"], 3),
    **dict.fromkeys(["april", "apr"], 4),
    **dict.fromkeys(["mei", "may"], 5),
    **dict.fromkeys(["juni", "june", "jun"], 6),
    **dict.fromkeys(["juli", "july", "jul"], 7),
    **dict.fromkeys(["agustus", "august", "agu", "agt", "ags", "agus", "aug"], 8),
    **dict.fromkeys(["september", "sep", "sept"], 9),
    **dict.fromkeys(["oktober", "october", "okt", "oct"], 10),
    **dict.fromkeys(["november", "nopember", "nov", "nop"], 11),
    **dict.fromkeys(["desember", "december", "des", "dec"], 12),
}

#: Weekday names, long and short (Indonesian as KBBI, CLDR ``id`` and moment/date-fns write them; English),
#: -> ``date.weekday()`` (Monday = 0).
WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(["senin", "sen", "sn", "monday", "mon"], 0),
    **dict.fromkeys(["selasa", "sel", "sl", "tuesday", "tue", "tues"], 1),
    **dict.fromkeys(["rabu", "rab", "rb", "wednesday", "wed"], 2),
    **dict.fromkeys(["kamis", "kam", "km", "thursday", "thu", "thur", "thurs"], 3),
    **dict.fromkeys(["jumat", "jum'at", "jum", "jm", "friday", "fri"], 4),
    **dict.fromkeys(["sabtu", "sab", "sb", "saturday", "sat"], 5),
    **dict.fromkeys(["minggu", "min", "mg", "ahad", "sunday", "sun"], 6),
}

_WEEKDAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

_WEEKDAY_ALT = "|".join(re.escape(w) for w in sorted(WEEKDAYS, key=len, reverse=True))

_DATE_WORD = r"(?:tanggal|tgl)\b\.?\s*:?\s*"

_DATE_PREFIX = re.compile(
    rf"^(?:{_DATE_WORD})?(?:(?:hari\s+)?(?P<weekday>{_WEEKDAY_ALT})\b\.?\s*,?\s*)?(?:{_DATE_WORD})?"
)

#: A time after the date (dropped once checked): ``14:00``, ``14.00.00``, ``T14:00:00+07:00``, ``, 12.13``,
#: ``pukul 10.00``, ``jam 9:30 WIB``, ``3:25:50 sore``.
_TIME = re.compile(
    r"(?:\s*,\s*(?:(?:pukul|pkl\.?|jam|pk\.?)\s*)?|\s+(?:(?:pukul|pkl\.?|jam|pk\.?)\s*)?|(?<=\d)t)(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?:z|[+-]\d{2}:?\d{2}|wib|wita|wit|pagi|siang|sore|malam|am|pm|a\.m\.|p\.m\.)?$"
)

_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")

_DMY = re.compile(r"(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})")

_D_MON_Y = re.compile(r"(\d{1,2})[\s./-]*([a-z]+)\.?[\s./,-]*(\d{4})")

_MON_D_Y = re.compile(r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")

_SERIAL_TEXT = re.compile(r"(\d{5})(?:[.,]\d+)?")

#: Excel's day 0 for the 1900 date system (serial 1 = 1900-01-01; 1899-12-30 absorbs the 1900 leap bug).
EXCEL_EPOCH = dt.date(1899, 12, 30)

#: Excel serial numbers accepted as dates: 1950-01-01 .. 2100-12-31 (an int outside is not taken for a date).
EXCEL_SERIAL_RANGE = ((dt.date(1950, 1, 1) - EXCEL_EPOCH).days, (dt.date(2100, 12, 31) - EXCEL_EPOCH).days)

#: Excel serials *typed as text* (``45838``, a date cell exported to CSV as its number): five digits within
#: 2000-01-01 .. 2100-12-31 (the years the cleaner accepts, ``analysis.ingest.schemas.YEAR_MIN``/``YEAR_MAX``), so a
#: stray five-digit number in a date column is not read as a 1950s date.
EXCEL_TEXT_SERIAL_RANGE = (
    (dt.date(2000, 1, 1) - EXCEL_EPOCH).days,
    (dt.date(2100, 12, 31) - EXCEL_EPOCH).days,
)


def _make_date(year: int, month: int, day: int, value: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise _error("a date", value, str(exc)) from None


def _year(text: str) -> int:
    """Two-digit years are 20yy (the reports are from 2025 on)."""
    return 2000 + int(text) if len(text) == 2 else int(text)


def parse_date(value: object) -> dt.date | None:
    """A date, day first; blank or ``-`` -> None.

    Accepts Excel date cells (``datetime``/``Timestamp``: the time is dropped), Excel serial numbers in
    :data:`EXCEL_SERIAL_RANGE` (as text: :data:`EXCEL_TEXT_SERIAL_RANGE`), ``30/06/2025``, ``30-06-2025``,
    ``30.06.2025``, ``30/06/25`` (20yy), ``2025-06-30``, ``30 Juni 2025``, ``30 Jun 2025``, ``30-Jun-2025``,
    ``30 Juni, 2025``, ``June 30, 2025``; each may carry a time (``30/06/2025 14:00``, ``2025-06-30 14.00.00``,
    ``30 Juni 2025 pukul 10.00``: checked, then dropped) and may start with ``tanggal``/``tgl.`` and a weekday,
    long or short (``Senin, 30 Juni 2025``, ``Sen, 30 Jun 2025``, ``Hari Kamis 3 Juli 2025``). A weekday that
    is not the date's weekday raises: one of the two is wrong and nothing says which. A text ``06/30/2025``
    raises (no month 30): never month-first.

    >>> parse_date("30/06/2025"), parse_date("30 Agt 2025"), parse_date(45838)
    (datetime.date(2025, 6, 30), datetime.date(2025, 8, 30), datetime.date(2025, 6, 30))
    >>> parse_date("31/02/2025")
    Traceback (most recent call last):
    ...
    analysis.ingest.parsing.ParseError: not a date: '31/02/2025' (day is out of range for month)
    """
    if _is_blank_or_dash(value):
        return None
    if isinstance(value, dt.datetime):  # also pd.Timestamp
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise _error("a date", value)
    if hasattr(value, "dtype") and str(getattr(value, "dtype", "")).startswith("datetime64"):
        return pd.Timestamp(value).date()  # type: ignore[arg-type]
    if isinstance(value, numbers.Real):
        x = float(value)
        low, high = EXCEL_SERIAL_RANGE
        if not (math.isfinite(x) and low <= x < high + 1):
            raise _error("a date", value, "number outside the Excel date range 1950-2100")
        return EXCEL_EPOCH + dt.timedelta(days=math.floor(x))
    if not isinstance(value, str):
        raise _error("a date", value)
    text = _text(value).translate(_INVISIBLE)
    if m := _SERIAL_TEXT.fullmatch(text):
        low, high = EXCEL_TEXT_SERIAL_RANGE
        if not low <= int(m.group(1)) <= high:
            raise _error("a date", value, "a number outside the Excel date range 2000-2100")
        return EXCEL_EPOCH + dt.timedelta(days=int(m.group(1)))
    prefix = _DATE_PREFIX.match(text)
    weekday = prefix.group("weekday") if prefix else None
    text = text[prefix.end() :] if prefix else text
    if m := _TIME.search(text):
        if int(m.group("h")) > 23 or int(m.group("m")) > 59 or int(m.group("s") or 0) > 59:
            raise _error("a date", value, f"time {m.group().strip()!r} out of range")
        text = text[: m.start()].rstrip(" ,")
    date = _date_from_text(text, value)
    if weekday is not None and WEEKDAYS[weekday] != date.weekday():
        actual = _WEEKDAY_NAMES_ID[date.weekday()]
        raise _error("a date", value, f"{date.isoformat()} is a {actual}, not {weekday.title()}")
    return date


def _date_from_text(text: str, value: object) -> dt.date:
    """The date part of a lower-case text (prefix and time removed)."""
    if m := _ISO.fullmatch(text):
        return _make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)), value)
    if m := _DMY.fullmatch(text):
        return _make_date(_year(m.group(4)), int(m.group(3)), int(m.group(1)), value)
    if (m := _D_MON_Y.fullmatch(text)) and m.group(2) in MONTHS:
        return _make_date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)), value)
    if (m := _MON_D_Y.fullmatch(text)) and m.group(1) in MONTHS:
        return _make_date(int(m.group(3)), MONTHS[m.group(1)], int(m.group(2)), value)
    raise _error("a date", value)
