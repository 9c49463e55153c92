"""How numbers, money, dates, tables and figures are shown to a reader, per language (Babel / CLDR).

Bahasa Indonesia (``id``) is the default; English (``en``) is the alternative. Every function takes
``lang`` and never reads a global locale, so two notebooks in one process can use different languages.

Choices (documented in ``reports/README.md``):

- numbers: CLDR grouping and decimal signs, ``1.234.567,89`` (id) / ``1,234,567.89`` (en);
- money: Rupiah with the ``Rp`` sign in both languages (the usual spelling in English texts about
  Indonesia too), no decimals: ``Rp1.234.568`` / ``Rp1,234,568``;
- compact money (from one million up): ``Rp1,2 miliar``, ``Rp15,3 juta``, ``Rp2,5 triliun`` /
  ``Rp1.2 billion``; Babel's long compact decimal format supplies the words, we add ``Rp`` (Babel's own
  compact *currency* format gives the abbreviations ``Rp1,2 M`` / ``IDR1.2B``, which readers misread:
  in Indonesian ``M`` is *miliar*, in English it means million). Below one million the full amount;
- percentages: CLDR's pattern, which for ``id`` writes the sign without a space, ``87,5%`` (also the rule
  of the Indonesian spelling guide, PUEBI), and ``87.5%`` in English;
- dates: day, full month name, year in both languages: ``30 Mei 2025`` / ``30 May 2025``;
- a missing value (None, NaN, NaT, pd.NA) is shown as an em dash ``—`` (:data:`MISSING`) in both languages.

>>> format_number(1234567.89, decimals=2)
'1.234.567,89'
>>> format_money_compact(1_234_567_890)
'Rp1,2 miliar'
>>> format_money_compact(1_234_567_890, lang="en")
'Rp1.2 billion'
>>> format_percent(87.5)
'87,5%'
>>> import datetime
>>> format_date(datetime.date(2025, 5, 30))
'30 Mei 2025'
>>> format_date(datetime.date(2025, 5, 30), lang="en")
'30 May 2025'
>>> format_number(None)
'—'
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd
from babel import dates as _babel_dates
from babel import numbers as _babel_numbers

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

#: Languages the reports come in; the first is the default.
LANGUAGES = ("id", "en")
DEFAULT_LANG = "id"

#: What a missing value looks like in every table and sentence (both languages).
MISSING = "—"

#: Rupiah sign used in both languages.
RUPIAH = "Rp"

#: Compact money starts at one million (below it the full amount reads better: ``Rp950.000``).
COMPACT_MONEY_FROM = 1_000_000

#: Date pattern for both languages: ``30 Mei 2025`` / ``30 May 2025`` (no US month-first order).
DATE_PATTERN = "d MMMM y"
DATE_PATTERN_SHORT = "d MMM y"
#: 24-hour clock; Indonesian writes ``14.05`` (CLDR ``id`` short time), English ``14:05``.
TIME_PATTERN = {"id": "HH.mm", "en": "HH:mm"}

#: Column kinds understood by :func:`format_table` / :func:`style_table`.
KINDS = ("text", "int", "number", "score", "money", "money_compact", "percent", "date")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise ``ValueError`` naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and ``pd.NA`` (not for empty strings or zero).

    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, "")]
    [True, True, True, True, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, bytes)) else False
    except (TypeError, ValueError):  # array-like: not a scalar missing value
        return False


def format_number(value: object, lang: str = DEFAULT_LANG, decimals: int | None = None) -> str:
    """A number with the language's grouping and decimal signs.

    ``decimals=None`` shows integers without decimals and other numbers with up to two.

    >>> format_number(1234567)
    '1.234.567'
    >>> format_number(1234567.891, lang="en")
    '1,234,567.89'
    >>> format_number(0.5, decimals=1)
    '0,5'
    """
    check_lang(lang)
    if is_missing(value):
        return MISSING
    number = float(value) if not isinstance(value, int) else value
    if decimals is None:
        pattern = "#,##0" if float(number).is_integer() else "#,##0.##"
    else:
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return _babel_numbers.format_decimal(
        number, format=pattern, locale=lang, decimal_quantization=True, group_separator=True
    )


def format_money(value: object, lang: str = DEFAULT_LANG) -> str:
    """Full Rupiah amount without decimals: ``Rp1.234.568`` (id) / ``Rp1,234,568`` (en).

    >>> format_money(1234567.89)
    'Rp1.234.568'
    >>> format_money(-2500000, lang="en")
    '-Rp2,500,000'
    """
    check_lang(lang)
    if is_missing(value):
        return MISSING
    amount = float(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{RUPIAH}{format_number(round(abs(amount)), lang=lang, decimals=0)}"


def format_money_compact(value: object, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """Rupiah in words for large amounts: ``Rp1,2 miliar``, ``Rp15,3 juta`` / ``Rp1.2 billion``.

    Amounts below :data:`COMPACT_MONEY_FROM` are written in full (:func:`format_money`).

    >>> format_money_compact(15_300_000)
    'Rp15,3 juta'
    >>> format_money_compact(2_500_000_000_000)
    'Rp2,5 triliun'
    >>> format_money_compact(100_000_000, lang="en")
    'Rp100 million'
    >>> format_money_compact(950_000)
    'Rp950.000'
    """
    check_lang(lang)
    if is_missing(value):
        return MISSING
    amount = float(value)
    if abs(amount) < COMPACT_MONEY_FROM:
        return format_money(amount, lang=lang)
    sign = "-" if amount < 0 else ""
    words = _babel_numbers.format_compact_decimal(
        abs(amount), format_type="long", locale=lang, fraction_digits=decimals
    )
    return f"{sign}{RUPIAH}{words}"


def format_percent(value_pct: object, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A percentage given in percent units (87.5 means 87.5 %): ``87,5%`` (id) / ``87.5%`` (en).

    >>> format_percent(102.24)
    '102,2%'
    >>> format_percent(87.5, lang="en")
    '87.5%'
    >>> format_percent(100, decimals=0)
    '100%'
    """
    check_lang(lang)
    if is_missing(value_pct):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    # Decimal from the shortest repr: 87.45 stays 87.45 (not 87.4499…) before rounding half-even.
    fraction = Decimal(repr(float(value_pct))) / 100
    return _babel_numbers.format_percent(fraction, format=pattern, locale=lang)


def format_date(value: object, lang: str = DEFAULT_LANG, short: bool = False) -> str:
    """A date as ``30 Mei 2025`` / ``30 May 2025``; ``short=True`` abbreviates the month (``17 Agu 2025``).

    Accepts ``datetime.date``, ``datetime.datetime``, ``pd.Timestamp`` and ISO strings.

    >>> format_date("2025-08-17", short=True)
    '17 Agu 2025'
    """
    check_lang(lang)
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value[:10])
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, _dt.datetime):
        value = value.date()
    return _babel_dates.format_date(value, DATE_PATTERN_SHORT if short else DATE_PATTERN, locale=lang)


def format_datetime(value: _dt.datetime, lang: str = DEFAULT_LANG) -> str:
    """A timestamp with its zone abbreviation where it is WIB: ``30 Mei 2025 14.05 WIB``.

    Naive datetimes are shown as they are, without a zone.

    >>> from zoneinfo import ZoneInfo
    >>> format_datetime(_dt.datetime(2025, 5, 30, 14, 5, tzinfo=ZoneInfo("Asia/Jakarta")))
    '30 Mei 2025 14.05 WIB'
    >>> format_datetime(_dt.datetime(2025, 5, 30, 14, 5, tzinfo=ZoneInfo("Asia/Jakarta")), lang="en")
    '30 May 2025 14:05 WIB'
    """
    check_lang(lang)
    day = format_date(value, lang=lang)
    clock = _babel_dates.format_time(value.time(), TIME_PATTERN[lang], locale=lang)
    zone = ""
    if value.tzinfo is not None:
        offset = value.utcoffset()
        zone = " WIB" if offset == _dt.timedelta(hours=7) else " " + value.strftime("UTC%z")
    return f"{day} {clock}{zone}"


_FORMATTERS: dict[str, Callable[[object, str], str]] = {
    "int": lambda v, lang: format_number(v, lang=lang, decimals=0),
    "number": lambda v, lang: format_number(v, lang=lang),
    # index and principle scores (0-100): always one decimal, so 82 and 85,7 line up as 82,0 and 85,7
    "score": lambda v, lang: format_number(v, lang=lang, decimals=1),
    "money": lambda v, lang: format_money(v, lang=lang),
    "money_compact": lambda v, lang: format_money_compact(v, lang=lang),
    "percent": lambda v, lang: format_percent(v, lang=lang),
    "date": lambda v, lang: format_date(v, lang=lang),
    "text": lambda v, lang: MISSING if is_missing(v) else str(v),
}


def formatter_for(kind: str, lang: str = DEFAULT_LANG) -> Callable[[object], str]:
    """The one-argument display function for a column kind (one of :data:`KINDS`)."""
    check_lang(lang)
    if kind not in _FORMATTERS:
        raise ValueError(f"unknown column kind {kind!r}; use one of {', '.join(KINDS)}")
    fn = _FORMATTERS[kind]
    return lambda value: fn(value, lang)


def _check_columns(df: pd.DataFrame, kinds: Mapping[str, str]) -> None:
    unknown = sorted(set(kinds) - set(df.columns))
    if unknown:
        raise KeyError(f"format kinds given for columns not in the table: {unknown}")


def format_table(
    df: pd.DataFrame,
    kinds: Mapping[str, str],
    lang: str = DEFAULT_LANG,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A copy of ``df`` whose columns named in ``kinds`` are display strings (same grain as ``df``).

    Columns not in ``kinds`` are left as they are; ``labels`` renames columns for display afterwards.

    >>> t = pd.DataFrame({"pagu_idr": [1.5e9, None], "capaian_pct": [87.5, 102.25]})
    >>> format_table(t, {"pagu_idr": "money_compact", "capaian_pct": "percent"}).to_dict("list")
    {'pagu_idr': ['Rp1,5 miliar', '—'], 'capaian_pct': ['87,5%', '102,2%']}
    """
    _check_columns(df, kinds)
    out = df.copy()
    for column, kind in kinds.items():
        fn = formatter_for(kind, lang)
        out[column] = pd.Series([fn(v) for v in df[column]], index=df.index, dtype="str")
    return out.rename(columns=dict(labels)) if labels else out


def style_table(
    df: pd.DataFrame,
    kinds: Mapping[str, str],
    lang: str = DEFAULT_LANG,
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    table_id: str | None = None,
) -> Styler:
    """A pandas Styler that shows ``df`` with locale formats, escaped text and no index.

    Text from the data is HTML-escaped (``escape="html"``), numbers are right-aligned, missing values
    are :data:`MISSING`. The Styler's element ids come from ``table_id`` (default: a hash of the
    column names and shape) instead of a random uuid, so the same table gives the same HTML in every run.
    """
    _check_columns(df, kinds)
    shown = df.rename(columns=dict(labels)) if labels else df
    renamed = {c: (labels or {}).get(c, c) for c in kinds}
    if table_id is None:
        digest = hashlib.sha256(repr((list(map(str, shown.columns)), shown.shape)).encode()).hexdigest()
        table_id = "t" + digest[:8]
    from pandas.io.formats.style import Styler

    styler = Styler(shown, uuid=table_id, cell_ids=False, na_rep=MISSING)
    styler = styler.format(lambda v: MISSING if is_missing(v) else str(v), escape="html")
    for column, kind in kinds.items():
        styler = styler.format(formatter_for(kind, lang), subset=[renamed[column]], escape="html")
    numeric = [renamed[c] for c, k in kinds.items() if k not in ("text", "date")]
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right"})
    styler = styler.hide(axis="index").set_table_attributes('class="kjb-table"')
    if caption:
        styler = styler.set_caption(caption)
    return styler


def figure_alt_text(fig: Any) -> str:
    """A description of a matplotlib figure from its suptitle, axes titles and axis labels.

    Used when a chart is shown without an explicit ``alt``; empty string when the figure has no text.
    """
    parts: list[str] = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        parts.append(suptitle.get_text())
    for ax in fig.get_axes():
        title = ax.get_title()
        if title:
            parts.append(title)
        labels = [label for label in (ax.get_xlabel(), ax.get_ylabel()) if label]
        if labels and not title:
            parts.append(" / ".join(labels))
    return ". ".join(parts)


def display_figure(fig: Any, alt: str | None = None, fmt: str = "svg") -> None:
    """Show a matplotlib figure in a notebook with alt text, then close it.

    The mechanism that gives every chart of a report its alt text: the figure is rendered to SVG (or PNG)
    and displayed with output metadata ``{mimetype: {"alt": alt}}``; the report templates
    (``nbtemplates/``) write that as the ``alt`` attribute of the ``<img>``. Without ``alt`` the text
    comes from the figure's titles (:func:`figure_alt_text`); a figure with neither raises ``ValueError``.
    SVG output is made reproducible (fixed ``svg.hashsalt``, no date).
    """
    import io

    import matplotlib
    from IPython.display import display

    text = alt if alt else figure_alt_text(fig)
    if not text:
        raise ValueError("a chart needs alt text: pass alt=... or give the figure a title")
    buffer = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context({"svg.hashsalt": "kota-jambi", "svg.fonttype": "path"}):
            fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        mimetype, data = "image/svg+xml", buffer.getvalue().decode("utf-8")
    elif fmt == "png":
        fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
        import base64

        mimetype, data = "image/png", base64.b64encode(buffer.getvalue()).decode("ascii")
    else:
        raise ValueError(f"unknown figure format {fmt!r}; use 'svg' or 'png'")
    display({mimetype: data, "text/plain": text}, raw=True, metadata={mimetype: {"alt": text}})
    import matplotlib.pyplot as plt

    plt.close(fig)
