"""What every notebook's content shares: escaped Markdown, catalogue labels, headings and bullets, formatted
tables (:func:`style_table`), :func:`show`, and the selections every page makes (programs met, scored RTs).

Conventions: percentages are in percent units (``87.5`` = 87,5 %); "met" for a program means its capped
capaian (``achievement_capped_pct``, each indicator capped before averaging) is at least 100 %, the same
rule as the ``programs_met`` counts of ``analysis.evaluate.achievement`` and the primary reading of the
100-day claim. Text that comes from the data is escaped with :func:`md_escape` before it goes into Markdown,
and tables are escaped by :func:`style_table`: a ``Catatan`` reading ``<script>`` is shown as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.formatting import MISSING, format_number, format_percent
from analysis.core.formatting import style_table as _style_table
from analysis.core.i18n import t
from analysis.core.periods import HUNDRED_DAYS_CODE

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler


#: A program meets its target at a capped capaian of 100 % (analysis.evaluate.achievement.TARGET_MET_PCT).
TARGET_MET_PCT = 100.0

#: The four principles (Perwali Kota Jambi No. 18 Tahun 2025), in display order.
PRINCIPLES = ("transparansi", "partisipatif", "akuntabilitas", "keberlanjutan")

#: Status of a scored RT / an RT without enough data (analysis.evaluate.principles.evaluate).
STATUS_SCORED = "dinilai"

#: Lowest index category of the default framework (config/index_framework.yml).
LOWEST_CATEGORY = "Kurang"

#: The 100-day period, whose evaluation the notebooks of every other period show.
HUNDRED_DAYS = HUNDRED_DAYS_CODE

#: Programs named in a "behind" list before "and n more" (a key message stays one line on A4).
MAX_LISTED = 4

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~!])")


def md_escape(value: object) -> str:
    """Text from the data made safe for Markdown: HTML escaped, Markdown punctuation backslash-escaped.

    >>> md_escape("<script>alert(1)</script> *Rp*_1")
    '&lt;script&gt;alert(1)&lt;/script&gt; \\\\*Rp\\\\*\\\\_1'
    >>> md_escape("the agencies' own")
    "the agencies' own"
    >>> md_escape(None)
    '—'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    # quote=False: quotes are harmless in text, and the notebook's Markdown renderer would show an escaped
    # apostrophe (&#x27;) literally, as in "the agencies&#x27; own reports"
    text = html.escape(str(value), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def slug(value: object) -> str:
    """Catalogue key of a data value: ``"Baik Sekali"`` → ``baik_sekali``; ``"data belum memadai"`` →
    ``data_belum_memadai``.

    >>> slug("Sangat Tinggi")
    'sangat_tinggi'
    """
    return re.sub(r"[^a-z0-9]+", "_", str(value).strip().lower()).strip("_")


def label_of(section: str, value: object, lang: str = "id") -> str:
    """The catalogue's words for a data value (``section.<slug>``), or the value itself if none.

    >>> label_of("nb.verdict", "tidak didukung data", "en")
    'not supported by the data'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    try:
        return t(f"{section}.{slug(value)}", lang)
    except KeyError:
        return str(value)


def heading(key: str, lang: str = "id", level: int = 2) -> str:
    """A Markdown heading from the catalogue section ``nb.h``: ``heading("programs")`` → ``## Capaian per program``."""
    return "#" * level + " " + t(f"nb.h.{key}", lang)


def page_break() -> str:
    """An empty block that starts a new page in print (WeasyPrint PDF); invisible on screen."""
    return '<div class="kjb-page-break" style="break-before: page; page-break-before: always"></div>\n\n'


def bullets(lines: Iterable[str | None]) -> str:
    """Markdown bullet list of the non-empty ``lines`` (already escaped)."""
    return "\n".join(f"- {line}" for line in lines if line)


def join_items(items: list[str], lang: str = "id") -> str:
    """``a, b dan c`` / ``a, b and c``.

    >>> join_items(["A", "B", "C"])
    'A, B dan C'
    """
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {t('msg.and', lang)} " + items[-1]


def pct(value: object, lang: str = "id", decimals: int = 1) -> str:
    """Percent in the reader's language (``87,5%``); ``—`` when missing."""
    return format_percent(value, lang=lang, decimals=decimals)


def data_notice(is_synthetic: bool, lang: str = "id") -> str:
    """The sample-data notice as a Markdown quote, or ``""`` for official data."""
    if not is_synthetic:
        return ""
    return f"> **{t('notice.sample', lang)}** — {t('notice.sample_long', lang)}"


def period_line(period_label: str, source_name: str, lang: str = "id") -> str:
    """``Periode: **Triwulan III 2026** · sumber data: sample``."""
    return t("nb.period_line", lang, period=md_escape(period_label), source=md_escape(source_name))


def style_table(
    df: pd.DataFrame,
    kinds: Mapping[str, str],
    lang: str = "id",
    labels: Mapping[str, str] | None = None,
    caption: str | None = None,
    table_id: str | None = None,
) -> Styler:
    """:func:`analysis.core.formatting.style_table` with text columns and their headers left-aligned (JupyterLab's
    stylesheet right-aligns every cell of a table; numbers stay right-aligned)."""
    styler = _style_table(df, kinds, lang, labels=labels, caption=caption, table_id=table_id)
    text = [(labels or {}).get(c, c) for c, k in kinds.items() if k in ("text", "date")]
    numeric = [(labels or {}).get(c, c) for c, k in kinds.items() if k not in ("text", "date")]
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    styles = [{"selector": "th", "props": "text-align: left;"}]
    styles += [
        {"selector": f"th.col_heading.col{list(styler.data.columns).index(c)}", "props": "text-align: right;"}
        for c in numeric
    ]
    return styler.set_table_styles(styles, overwrite=False)


def show(obj: object, skip_text: bool = False) -> None:
    """Display a table (Styler) or a catalogue sentence (Markdown) in a notebook; ``None`` shows nothing.

    ``skip_text=True`` leaves out sentences such as "no data" (the briefing keeps only what has content).
    """
    from IPython.display import Markdown, display

    if obj is None or (skip_text and isinstance(obj, str)):
        return
    display(Markdown(obj) if isinstance(obj, str) else obj)


#: Reference columns with an optional English twin (``*_en`` of program.csv / indikator.csv, docs/data_contract.md).
ENGLISH_NAME_COLUMNS = {"programs": ("program_name", "agency"), "indicators": ("indicator_name",)}


def english_names(
    df: pd.DataFrame, reference: pd.DataFrame | None, key: str, columns: Iterable[str]
) -> pd.DataFrame:
    """``df`` with each of ``columns`` replaced by its English twin (``<column>_en`` of ``reference``, joined on
    ``key``) where the reference gives one; a blank or absent English name keeps the Indonesian one.

    >>> ref = pd.DataFrame({"program_code": ["P01", "P02"], "program_name_en": ["Happiness Card", None]})
    >>> df = pd.DataFrame({"program_code": ["P01", "P02"], "program_name": ["Kartu Bahagia", "Rumel"]})
    >>> english_names(df, ref, "program_code", ["program_name"])["program_name"].tolist()
    ['Happiness Card', 'Rumel']
    """
    if reference is None or reference.empty or df.empty or key not in df.columns:
        return df
    out = df.copy()
    for column in columns:
        twin = f"{column}_en"
        if column not in out.columns or twin not in reference.columns:
            continue
        names = reference[[key, twin]].drop_duplicates(key)
        names = names[names[twin].notna() & (names[twin].astype("str").str.strip() != "")]
        mapping = dict(zip(names[key], names[twin].astype("str"), strict=True))
        english = out[key].map(mapping)
        out[column] = english.where(english.notna(), out[column]).astype(out[column].dtype)
    return out


def with_program_labels(
    achievement: pd.DataFrame,
    programs: pd.DataFrame,
    lang: str = "id",
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``achievement`` (one row per program or indicator) plus ``program_label``: the short name
    (``program_short``, e.g. *Balikat*) when the program has one, else its name.

    In English (``lang="en"``) program, agency and (with ``indicators``) indicator names are the reference
    files' English names (``nama_program_en``, ``opd_pengampu_en``, ``nama_indikator_en``) where given; the
    short names are proper names and stay as written."""
    if lang != "id":
        achievement = english_names(achievement, programs, "program_code", ENGLISH_NAME_COLUMNS["programs"])
        achievement = english_names(
            achievement, indicators, "indicator_code", ENGLISH_NAME_COLUMNS["indicators"]
        )
    if achievement.empty:
        return achievement.assign(program_label=pd.Series(dtype="str"))
    if programs.empty or "program_short" not in programs.columns:
        return achievement.assign(program_label=achievement["program_name"].astype("str"))
    short = programs[["program_code", "program_short"]].drop_duplicates("program_code")
    out = achievement.merge(short, on="program_code", how="left", validate="m:1")
    label = out["program_short"].where(
        out["program_short"].notna() & (out["program_short"].astype("str").str.strip() != "")
    )
    out["program_label"] = label.fillna(out["program_name"]).astype("str")
    return out.drop(columns="program_short")


def index_indicator_name(code: str, name: object, lang: str = "id") -> str:
    """An index indicator's name in ``lang``: the framework's own (``config/index_framework.yml``) in
    Indonesian, the catalogue's ``scorecard.indicator_names.<code>`` in another language when it has one.

    >>> index_indicator_name("S2_rencana_pemeliharaan", "Ada rencana pemeliharaan", "en")
    'Maintenance plan in place'
    """
    if lang != "id":
        try:
            return t(f"scorecard.indicator_names.{code}", lang)
        except KeyError:
            pass
    return str(name)


def _label_col(df: pd.DataFrame) -> str:
    return "program_label" if "program_label" in df.columns else "program_name"


def programs_met(programs: pd.DataFrame, column: str = "achievement_capped_pct") -> pd.Series:
    """Boolean per program: capped capaian (``column``; ``previous_achievement_capped_pct`` for the previous
    period) ≥ 100 % (``<NA>`` when not computable)."""
    capped = programs[column].astype("Float64")
    return (capped >= TARGET_MET_PCT).astype("boolean")


def _listed(items: list[str], lang: str) -> str:
    if len(items) <= MAX_LISTED:
        return join_items(items, lang)
    more = len(items) - MAX_LISTED
    rest = "+" + format_number(more, lang=lang)
    return join_items([*items[:MAX_LISTED], rest], lang)


def _comparator_text(text: object) -> str:
    return str(text).replace(">=", "≥").replace("<=", "≤")


def localized(row: Mapping, column: str, lang: str = "id") -> object:
    """A text column of the ``claims`` table in ``lang``: its ``*_en`` twin in English when there is one
    (claims.yml may leave a translation out), else the Indonesian original.

    >>> localized({"reading_label": "Rerata", "reading_label_en": "Mean"}, "reading_label", "en")
    'Mean'
    >>> localized({"reading_label": "Rerata", "reading_label_en": None}, "reading_label", "en")
    'Rerata'
    """
    if lang != "id":
        value = row.get(f"{column}_{lang}")
        if value is not None and not pd.isna(value):
            return value
    return row[column]


def claim_translation(row: Mapping, lang: str = "id") -> str:
    """The translation of a claim's quote, in brackets after it (``""`` in Indonesian or without one)."""
    if lang == "id":
        return ""
    value = row.get(f"claim_text_{lang}")
    if value is None or pd.isna(value):
        return ""
    return t("nb.text.claim_translation", lang, text=md_escape(str(value).rstrip(".")))


def scored(rt_index: pd.DataFrame) -> pd.DataFrame:
    """The RTs with status ``dinilai`` (a score, a category and a rank with its interval)."""
    if rt_index.empty:
        return rt_index
    return rt_index[rt_index["status"] == STATUS_SCORED]
