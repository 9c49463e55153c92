"""What the notebooks say: key messages, narrative sentences and display tables from the evaluation tables.

The notebooks (``notebooks/0*.ipynb``) only call in here and into :mod:`analysis.publish.charts`. Everything a
reader sees comes from the label catalogue (``nb.*``, ``msg.*`` in ``locales/{id,en}.yml``) and the
Babel formats of :mod:`analysis.publish.formatting`, so ``lang="en"`` gives English.

- **Loading** (the only functions that touch files): :func:`load_tables`, :func:`load_quality`,
  :func:`load_rejected`, :func:`load_hundred_days`.
- **Key messages** (pure): :func:`key_messages` combines ``message_programs``, ``message_claim``,
  ``message_serapan``, ``message_rt``, ``message_weakest_principle`` and ``message_quality``; each returns
  one plain-language sentence group (Markdown) or ``None`` when it has nothing to say.
- **Display tables** (pure): ``*_table`` functions return a formatted, escaped
  :class:`pandas.io.formats.style.Styler` (:func:`analysis.publish.formatting.style_table`) with catalogue labels.

Text that comes from the data (program names, claims, notes, file names) is escaped with :func:`md_escape`
before it goes into Markdown, and tables are escaped by ``style_table``: a ``Catatan`` reading
``<script>`` is shown as text, never run.

Conventions: percentages are in percent units (``87.5`` = 87,5 %); "met" for a program means its capped
capaian (``achievement_capped_pct``, each indicator capped before averaging) is at least 100 %, the same
rule as the ``programs_met`` counts of ``analysis.evaluate.achievement`` and the primary reading of the 100-day claim.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.evaluate.achievement import ACHIEVEMENT_TABLES
from analysis.evaluate.principles.evaluate import INDEX_TABLES
from analysis.ingest.schemas import TABLES
from analysis.publish.formatting import MISSING, format_number, format_percent
from analysis.publish.formatting import style_table as _style_table
from analysis.publish.i18n import t

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
#: The 100-day period code (analysis.core.periods.HUNDRED_DAYS_CODE).
HUNDRED_DAYS = "100-hari"
#: Programs named in a "behind" list before "and n more" (a key message stays one line on A4).
MAX_LISTED = 4

#: Evaluation tables (docs/evaluation_tables.md) and cleaned tables (docs/architecture.md) read by
#: :func:`load_tables`; a table the period lacks (e.g. no RT reports) comes back as an empty frame.
TABLE_NAMES = (*TABLES, *ACHIEVEMENT_TABLES, "claims", *INDEX_TABLES)

#: Keys of one warning in ``quality.json`` (``analysis.ingest.cleaning.warning_record``); its ``code`` is one of
#: ``analysis.ingest.schemas.WARNING_CODES`` and is labelled by the catalogue (``nb.warning_kind.<code>``).
WARNING_FIELDS = ("code", "file", "sheet", "row", "column", "value", "message")

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~!])")


# --------------------------------------------------------------------------------------------- text
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
    """:func:`analysis.publish.formatting.style_table` with text columns and their headers left-aligned (JupyterLab's
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


# ------------------------------------------------------------------------------------------ loading
def resolve_path(path: Path | str, base: Path | str | None = None) -> Path:
    """An absolute path: ``path`` itself when absolute, else relative to ``base`` (default the project's
    ``notebooks/`` folder, so a notebook's defaults work whatever the working directory of the kernel)."""
    from analysis.core.config import NOTEBOOKS

    p = Path(path)
    return p.resolve() if p.is_absolute() else (Path(base or NOTEBOOKS) / p).resolve()


def ensure_processed(raw_dir: Path, period: str, processed_dir: Path | str = "") -> Path:
    """The processed folder of ``period``: ``processed_dir`` when given, else
    ``data/processed/<source>/<period>/``; evaluated first (``analysis.evaluate.evaluation.evaluate_source``) when it
    has no ``evaluation.json`` yet, so a notebook opened in JupyterLab runs on a fresh checkout.
    (``python -m analysis run`` evaluates before it starts the notebooks, so they only read.)"""
    from analysis.core.config import processed_dir_for

    folder = resolve_path(processed_dir) if str(processed_dir) else processed_dir_for(raw_dir, period)
    if not (folder / "evaluation.json").exists():
        from analysis.evaluate.evaluation import evaluate_source

        evaluate_source(raw_dir, period, processed_dir=folder)
    return folder


def show(obj: object, skip_text: bool = False) -> None:
    """Display a table (Styler) or a catalogue sentence (Markdown) in a notebook; ``None`` shows nothing.

    ``skip_text=True`` leaves out sentences such as "no data" (the briefing keeps only what has content).
    """
    from IPython.display import Markdown, display

    if obj is None or (skip_text and isinstance(obj, str)):
        return
    display(Markdown(obj) if isinstance(obj, str) else obj)


def load_tables(processed_dir: Path | str) -> dict[str, pd.DataFrame]:
    """Every table of :data:`TABLE_NAMES` from a processed period folder (empty frame when absent)."""
    folder = Path(processed_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"processed folder not found: {folder} (run `python -m analysis evaluate` first)"
        )
    out = {}
    for name in TABLE_NAMES:
        path = folder / f"{name}.parquet"
        out[name] = pd.read_parquet(path) if path.exists() else pd.DataFrame()
    return out


def load_quality(processed_dir: Path | str) -> dict:
    """``quality.json`` of a processed period folder (written by ``analysis.ingest.cleaning``)."""
    path = Path(processed_dir) / "quality.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found (run `python -m analysis clean` first)")
    return json.loads(path.read_text(encoding="utf-8"))


def load_evaluation_info(processed_dir: Path | str) -> dict:
    """``evaluation.json`` (what was computed and why not), or ``{}`` when the folder has none."""
    path = Path(processed_dir) / "evaluation.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


_EXCEL_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")


def load_rejected(processed_dir: Path | str) -> pd.DataFrame:
    """``rejected_rows.csv`` as text columns (``row`` as int), with Excel's formula guard ``'`` removed."""
    path = Path(processed_dir) / "rejected_rows.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found (run `python -m analysis clean` first)")
    df = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    for col in df.columns:
        if col != "row":
            df[col] = df[col].str.replace(_EXCEL_GUARD, "", regex=True)
    return df.astype({"row": "int64"}) if len(df) else df


@dataclass(frozen=True)
class HundredDays:
    """The 100-day evaluation used by notebooks of any period: tables plus where they came from."""

    programs: pd.DataFrame
    indicators: pd.DataFrame
    claims: pd.DataFrame
    source: str  # "own" | "folder" | "memory" | "none"
    folder: str = ""

    @property
    def available(self) -> bool:
        return self.source != "none"

    def source_text(self, lang: str = "id") -> str:
        """One sentence saying where the 100-day figures come from."""
        if self.source == "none":
            return t("nb.text.no_hundred_days", lang)
        return t(
            f"nb.text.hundred_days_source_{self.source}",
            lang,
            **({"folder": md_escape(self.folder)} if self.source == "folder" else {}),
        )


def load_hundred_days(raw_dir: Path | str, processed_dir: Path | str, period: str) -> HundredDays:
    """The 100-day achievement and claim tables, for the briefing of any period.

    - ``period == "100-hari"``: the period's own processed folder;
    - otherwise the sibling folder ``<processed_dir>/../100-hari/`` when it is up to date
      (``analysis.evaluate.evaluation.needs_cleaning`` is false and it has the claims table with every column of
      ``analysis.evaluate.claims.CLAIM_COLUMNS``: a table from an older evaluation is not used);
    - otherwise computed in memory from ``raw_dir`` (``clean_tables`` + ``evaluate_tables``, nothing is
      written, so notebooks running in parallel never write the same files);
    - ``source="none"`` when the data source has no 100-day files.
    """
    from analysis.core.config import SAMPLE_NOTICE, is_synthetic_source
    from analysis.evaluate.claims import CLAIM_COLUMNS
    from analysis.evaluate.evaluation import evaluate_tables, needs_cleaning, period_has_files

    processed_dir = Path(processed_dir)
    if period == HUNDRED_DAYS:
        tables = load_tables(processed_dir)
        return HundredDays(
            tables["achievement_program"], tables["achievement_indicator"], tables["claims"], "own"
        )
    sibling = processed_dir.parent / HUNDRED_DAYS
    raw_dir = Path(raw_dir)
    if not period_has_files(raw_dir, HUNDRED_DAYS):
        return HundredDays(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), "none")
    tables = (
        load_tables(sibling)
        if (sibling / "claims.parquet").exists() and not needs_cleaning(raw_dir, HUNDRED_DAYS, sibling)
        else None
    )
    if tables is not None and set(CLAIM_COLUMNS) <= set(tables["claims"].columns):
        return HundredDays(
            tables["achievement_program"],
            tables["achievement_indicator"],
            tables["claims"],
            "folder",
            sibling.name,
        )
    from analysis.ingest.cleaning import clean_tables

    cleaned, _log = clean_tables(raw_dir, HUNDRED_DAYS)
    notice = SAMPLE_NOTICE if is_synthetic_source(raw_dir) else ""
    out = evaluate_tables(cleaned, HUNDRED_DAYS, notice=notice)
    return HundredDays(out["achievement_program"], out["achievement_indicator"], out["claims"], "memory")


# ------------------------------------------------------------------------------------------ programs
def with_program_labels(achievement: pd.DataFrame, programs: pd.DataFrame) -> pd.DataFrame:
    """``achievement`` (one row per program or indicator) plus ``program_label``: the short name
    (``program_short``, e.g. *Balikat*) when the program has one, else its name."""
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


def _label_col(df: pd.DataFrame) -> str:
    return "program_label" if "program_label" in df.columns else "program_name"


def programs_met(programs: pd.DataFrame) -> pd.Series:
    """Boolean per program: capped capaian ≥ 100 % (``<NA>`` when not computable)."""
    capped = programs["achievement_capped_pct"].astype("Float64")
    return (capped >= TARGET_MET_PCT).astype("boolean")


def _listed(items: list[str], lang: str) -> str:
    if len(items) <= MAX_LISTED:
        return join_items(items, lang)
    more = len(items) - MAX_LISTED
    rest = "+" + format_number(more, lang=lang)
    return join_items([*items[:MAX_LISTED], rest], lang)


def message_programs(programs: pd.DataFrame, lang: str = "id") -> str | None:
    """How many programs reached their target, which are behind (lowest first), which cannot be judged.

    ``programs``: ``achievement_program`` (optionally with ``program_label``).
    """
    if programs.empty:
        return None
    met = programs_met(programs)
    computable = met.notna()
    parts = [t("msg.programs", lang, met=int(met.fillna(False).sum()), total=len(programs))]
    behind = programs[computable & ~met.fillna(False)].sort_values(
        ["achievement_capped_pct", "program_code"], kind="mergesort"
    )
    if len(behind):
        col = _label_col(behind)
        items = [
            t("msg.item_pct", lang, name=md_escape(r[col]), pct=pct(r["achievement_capped_pct"], lang))
            for _, r in behind.iterrows()
        ]
        parts.append(t("msg.programs_behind", lang, items=_listed(items, lang)))
    n_missing = int((~computable).sum())
    if n_missing:
        parts.append(t("msg.programs_not_computable", lang, n=n_missing))
    return " ".join(parts)


def message_serapan(programs: pd.DataFrame, lang: str = "id") -> str | None:
    """Programs whose spending and output disagree (``is_high_spend_low_output`` / ``is_low_spend_high_output``)."""
    if programs.empty or "is_high_spend_low_output" not in programs.columns:
        return None
    col = _label_col(programs)

    def items(flag: str) -> list[str]:
        rows = programs[programs[flag].fillna(False).astype(bool)].sort_values("program_code")
        return [
            t(
                "msg.serapan_item",
                lang,
                name=md_escape(r[col]),
                serapan=pct(r["serapan_pct"], lang),
                capaian=pct(r["achievement_pct"], lang),
            )
            for _, r in rows.iterrows()
        ]

    high, low = items("is_high_spend_low_output"), items("is_low_spend_high_output")
    parts = []
    if high:
        parts.append(t("msg.serapan_high", lang, n=len(high), items=join_items(high, lang)))
    if low:
        parts.append(t("msg.serapan_low", lang, n=len(low), items=join_items(low, lang)))
    return " ".join(parts) if parts else t("msg.serapan_none", lang)


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


def main_claim(claims: pd.DataFrame) -> pd.DataFrame:
    """The readings of the first claim that is not an example (``is_example`` false), in file order."""
    if claims.empty:
        return claims
    real = claims[~claims["is_example"].fillna(False).astype(bool)]
    if real.empty:
        return real
    return real[real["claim_id"] == real["claim_id"].iloc[0]]


def message_claim(
    claims: pd.DataFrame, hundred_programs: pd.DataFrame | None = None, lang: str = "id"
) -> str | None:
    """The verdict on the main public claim in one sentence, with its primary reading and how many readings hold.

    ``claims``: the ``claims`` table (one row per claim × reading); ``hundred_programs``: the 100-day
    ``achievement_program`` to name the programs below target (optional).
    """
    readings = main_claim(claims)
    if readings.empty:
        return None
    first = readings.iloc[0]
    primary = readings[readings["is_primary"].fillna(False).astype(bool)]
    lead = primary.iloc[0] if len(primary) else first
    text = t(
        "msg.claim",
        lang,
        text=md_escape(str(first["claim_text"]).rstrip(".")),
        translation=claim_translation(first, lang),
        speaker=md_escape(localized(first, "claim_speaker", lang)),
        verdict=label_of("nb.verdict", first["overall_verdict"], lang),
        label=md_escape(_comparator_text(localized(lead, "reading_label", lang))),
        value=pct(lead["value"], lang),
        supported=int(first["readings_supported"]),
        total=int(first["readings_total"]),
    )
    if hundred_programs is not None and not hundred_programs.empty:
        met = programs_met(hundred_programs)
        behind = hundred_programs[met.notna() & ~met.fillna(False)].sort_values(
            ["achievement_capped_pct", "program_code"], kind="mergesort"
        )
        if len(behind):
            col = _label_col(behind)
            items = [
                t("msg.item_pct", lang, name=md_escape(r[col]), pct=pct(r["achievement_capped_pct"], lang))
                for _, r in behind.iterrows()
            ]
            text += " " + t("msg.claim_short", lang, items=_listed(items, lang))
    return text


# --------------------------------------------------------------------------------------- principles
def scored(rt_index: pd.DataFrame) -> pd.DataFrame:
    """The RTs with status ``dinilai`` (a score, a category and a rank with its interval)."""
    if rt_index.empty:
        return rt_index
    return rt_index[rt_index["status"] == STATUS_SCORED]


def message_rt(rt_index: pd.DataFrame, lang: str = "id") -> str | None:
    """How many RTs were scored, how many lack data, the median index and how many are *Kurang*."""
    if rt_index.empty:
        return None
    sc = scored(rt_index)
    return t(
        "msg.rt",
        lang,
        scored=format_number(len(sc), lang=lang),
        total=format_number(len(rt_index), lang=lang),
        insufficient=format_number(len(rt_index) - len(sc), lang=lang),
        median=format_number(sc["index"].median(), lang=lang, decimals=1) if len(sc) else MISSING,
        low=format_number(int((sc["category"] == LOWEST_CATEGORY).sum()), lang=lang),
    )


def principle_medians(rt_index: pd.DataFrame) -> pd.Series:
    """Median score of each principle over the scored RTs (index: principle, in :data:`PRINCIPLES` order)."""
    sc = scored(rt_index)
    return pd.Series({p: float(sc[p].median()) if len(sc) else float("nan") for p in PRINCIPLES})


def weakest_indicator(indicators: pd.DataFrame, principle: str) -> pd.Series | None:
    """The indicator of ``principle`` with the lowest median normalised value over scored RTs (``rt_index_indicators``)."""
    if indicators.empty:
        return None
    rows = indicators[(indicators["principle"] == principle) & indicators["normalised_value"].notna()]
    if rows.empty:
        return None
    med = (
        rows.groupby(["indicator", "indicator_name"], sort=True)["normalised_value"].median().reset_index()
    ).sort_values(["normalised_value", "indicator"], kind="mergesort")
    return med.iloc[0]


def message_weakest_principle(
    rt_index: pd.DataFrame, indicators: pd.DataFrame | None = None, lang: str = "id"
) -> str | None:
    """The principle with the lowest median score, and its weakest indicator when ``indicators`` are given."""
    if scored(rt_index).empty:
        return None
    medians = principle_medians(rt_index)
    low = min(PRINCIPLES, key=lambda p: (medians[p], PRINCIPLES.index(p)))
    text = t(
        "msg.weakest",
        lang,
        principle=t(f"principles.{low}", lang),
        median=format_number(medians[low], lang=lang, decimals=1),
    )
    worst = weakest_indicator(indicators, low) if indicators is not None else None
    if worst is not None:
        text += " " + t("msg.weakest_indicator", lang, indicator=md_escape(worst["indicator_name"]))
    return text


# ------------------------------------------------------------------------------------------ quality
def message_quality(quality: Mapping, lang: str = "id") -> str | None:
    """Rejected data rows and unreadable files, with the self-report caveat."""
    totals = quality.get("totals") or {}
    if not totals:
        return None
    rows = int(totals.get("rows_accepted", 0)) + int(totals.get("rows_rejected", 0))
    rejected = int(totals.get("rows_rejected", 0))
    failed = int(totals.get("files_failed", 0))
    return t(
        "msg.quality",
        lang,
        rejected=format_number(rejected, lang=lang),
        rows=format_number(rows, lang=lang),
        pct=pct(rejected / rows * 100 if rows else float("nan"), lang),
        failed=t("msg.quality_failed", lang, n=failed) if failed else "",
    )


def key_messages(
    programs: pd.DataFrame,
    quality: Mapping,
    lang: str = "id",
    claims: pd.DataFrame | None = None,
    hundred_programs: pd.DataFrame | None = None,
    rt_index: pd.DataFrame | None = None,
    rt_indicators: pd.DataFrame | None = None,
) -> list[str]:
    """The briefing's key messages, most important first (3–6 Markdown sentences, already escaped):
    programs on target, the claim verdict, spending vs output, RTs scored, weakest principle, data quality.

    ``hundred_programs`` names the programs behind target in the 100 days next to the claim verdict; when it
    is the period's own table (the briefing of ``100-hari``) it is not repeated.
    """
    empty = pd.DataFrame()
    if hundred_programs is not None and hundred_programs.equals(programs):
        hundred_programs = (
            None  # the 100-day period itself: its programs behind are already in the first message
        )
    found = [
        message_programs(programs, lang),
        message_claim(claims if claims is not None else empty, hundred_programs, lang),
        message_serapan(programs, lang),
        message_rt(rt_index if rt_index is not None else empty, lang),
        message_weakest_principle(rt_index if rt_index is not None else empty, rt_indicators, lang),
        message_quality(quality, lang),
    ]
    return [m for m in found if m]


# -------------------------------------------------------------------------------- quality: tables
def quality_summary(quality: Mapping, lang: str = "id") -> str:
    """One sentence with the totals of ``quality.json``."""
    tot = quality.get("totals") or {}
    n = {
        k: format_number(int(tot.get(k, 0)), lang=lang)
        for k in ("files", "files_failed", "rows_read", "rows_accepted", "rows_rejected", "rows_non_data")
    }
    return t(
        "nb.text.quality_summary",
        lang,
        files=n["files"],
        failed=n["files_failed"],
        read=n["rows_read"],
        accepted=n["rows_accepted"],
        rejected=n["rows_rejected"],
        non_data=n["rows_non_data"],
    )


def files_frame(quality: Mapping) -> pd.DataFrame:
    """One row per input file of ``quality.json``: file, template, status and the row counts."""
    rows = [
        {
            "file": name,
            "template": info.get("template", ""),
            "status": info.get("status", ""),
            "rows_read": info.get("rows_read"),
            "rows_accepted": info.get("rows_accepted"),
            "rows_rejected": info.get("rows_rejected"),
            "rows_non_data": info.get("rows_non_data"),
        }
        for name, info in sorted((quality.get("files") or {}).items())
    ]
    cols = ["file", "template", "status", "rows_read", "rows_accepted", "rows_rejected", "rows_non_data"]
    df = pd.DataFrame(rows, columns=cols)
    return df.astype({c: "Int64" for c in cols[3:]})


def files_table(quality: Mapping, lang: str = "id") -> Styler:
    """Files received, with rows read / accepted / rejected / non-data (``quality.json``)."""
    df = files_frame(quality)
    df["template"] = [label_of("nb.template", v, lang) for v in df["template"]]
    df["status"] = [label_of("nb.file_status", v, lang) for v in df["status"]]
    labels = {
        "file": t("nb.col.file", lang),
        "template": t("nb.col.kind", lang),
        "status": t("nb.col.status", lang),
        "rows_read": t("columns.rows_read", lang),
        "rows_accepted": t("columns.rows_accepted", lang),
        "rows_rejected": t("columns.rows_rejected", lang),
        "rows_non_data": t("nb.col.rows_non_data", lang),
    }
    kinds = {"file": "text", "template": "text", "status": "text", **{c: "int" for c in list(labels)[3:]}}
    return style_table(df, kinds, lang, labels=labels, table_id="files")


def file_errors(quality: Mapping) -> pd.DataFrame:
    """Files whose status is not ``read`` (file-level problems: not a spreadsheet, missing sheet/column)."""
    df = files_frame(quality)
    return df[df["status"] != "read"][["file", "template", "status"]].reset_index(drop=True)


def file_errors_table(quality: Mapping, lang: str = "id") -> Styler | str:
    """Unreadable files as a table, or a sentence saying every file was read."""
    df = file_errors(quality)
    if df.empty:
        return t("nb.text.no_file_errors", lang)
    df["template"] = [label_of("nb.template", v, lang) for v in df["template"]]
    labels = {
        "file": t("nb.col.file", lang),
        "template": t("nb.col.kind", lang),
        "status": t("nb.col.status", lang),
    }
    return style_table(df, dict.fromkeys(labels, "text"), lang, labels=labels, table_id="file_errors")


def rejections_by_reason(rejected: pd.DataFrame) -> pd.DataFrame:
    """One row per reason code: ``rows`` (distinct file rows rejected for it) and ``lines`` (findings).

    ``rejected``: ``rejected_rows.csv`` (one line per problem). Sorted by rows, most first.
    """
    cols = ["reason_code", "rows", "lines"]
    if rejected.empty:
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "reason_code" else "int64") for c in cols})
    key = rejected["file"].astype("str") + "\x00" + rejected["row"].astype("str")
    out = (
        rejected.assign(_key=key)
        .groupby("reason_code", sort=True)
        .agg(rows=("_key", "nunique"), lines=("_key", "size"))
        .reset_index()
    )
    return out.sort_values(["rows", "reason_code"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )[cols]


def rejections_table(rejected: pd.DataFrame, lang: str = "id") -> Styler | str:
    """Rejected rows by reason (catalogue words), or a sentence when nothing was rejected."""
    df = rejections_by_reason(rejected)
    if df.empty:
        return t("nb.text.no_rejections", lang)
    from analysis.publish.charts import reason_text

    df["reason_code"] = [reason_text(c, lang) for c in df["reason_code"]]
    labels = {
        "reason_code": t("nb.col.reason", lang),
        "rows": t("nb.col.rows", lang),
        "lines": t("nb.col.lines", lang),
    }
    return style_table(
        df, {"reason_code": "text", "rows": "int", "lines": "int"}, lang, labels=labels, table_id="rejections"
    )


def rejected_rows_table(rejected: pd.DataFrame, lang: str = "id", limit: int = 25) -> Styler | str:
    """The first ``limit`` rejected lines (file, row, column, value as written, reason), escaped."""
    if rejected.empty:
        return t("nb.text.no_rejections", lang)
    from analysis.publish.charts import reason_text

    df = rejected.head(limit)[["file", "row", "column", "value", "reason_code"]].copy()
    df["reason_code"] = [reason_text(c, lang) for c in df["reason_code"]]
    labels = {
        "file": t("nb.col.file", lang),
        "row": t("nb.col.row", lang),
        "column": t("nb.col.column", lang),
        "value": t("nb.col.value", lang),
        "reason_code": t("nb.col.reason", lang),
    }
    kinds = {"file": "text", "row": "int", "column": "text", "value": "text", "reason_code": "text"}
    caption = t("nb.text.shown_of", lang, shown=len(df), total=len(rejected))
    return style_table(df, kinds, lang, labels=labels, caption=caption, table_id="rejected_rows")


def warnings_frame(quality: Mapping) -> pd.DataFrame:
    """One row per warning of ``quality.json``, by file and row (run-level warnings last): ``file``,
    ``code``, ``row`` (Int64), ``column``, ``value``, ``message``.

    A warning that is not an object with a ``code`` comes from a cleaner older than the warning codes:
    ``ValueError`` naming it (clean the period again).
    """
    found = [
        (0, name, w)
        for name, info in sorted((quality.get("files") or {}).items())
        for w in info.get("warnings", [])
    ]
    found += [(1, "", w) for w in quality.get("warnings", [])]
    rows = []
    for run_level, name, w in found:
        if not isinstance(w, Mapping) or "code" not in w:
            raise ValueError(
                f"quality.json: warning {w!r} of {name or 'the run'} has no code; it was written by an older "
                "cleaner: clean the period again (python -m analysis clean)"
            )
        rows.append(
            {
                "run_level": run_level,
                "file": w.get("file") or name,
                "code": w["code"],
                "row": w.get("row"),
                "column": w.get("column") or "",
                "value": w.get("value") or "",
                "message": w.get("message") or "",
            }
        )
    df = pd.DataFrame(rows, columns=["run_level", "file", "code", "row", "column", "value", "message"])
    df["row"] = df["row"].astype("Int64")
    for col in ("file", "code", "column", "value", "message"):
        df[col] = df[col].astype("str")
    df = df.sort_values(["run_level", "file", "row"], kind="mergesort", na_position="first")
    return df.drop(columns="run_level").reset_index(drop=True)


def warning_counts_table(quality: Mapping, lang: str = "id") -> Styler | str:
    """How many warnings of each kind (catalogue words), most first."""
    df = warnings_frame(quality)
    if df.empty:
        return t("nb.text.no_warnings", lang)
    counts = df.groupby("code", sort=True).size().rename("count").reset_index()
    counts = counts.sort_values(["count", "code"], ascending=[False, True], kind="mergesort")
    counts["kind"] = [t(f"nb.warning_kind.{k}", lang) for k in counts["code"]]
    counts = counts[["kind", "count"]]
    labels = {"kind": t("nb.col.warning_kind", lang), "count": t("nb.col.count", lang)}
    return style_table(
        counts, {"kind": "text", "count": "int"}, lang, labels=labels, table_id="warning_counts"
    )


def warnings_table(quality: Mapping, lang: str = "id") -> Styler | str:
    """Every warning: file, row, kind (catalogue words, by code) and the cleaner's own message (English,
    escaped)."""
    df = warnings_frame(quality)
    if df.empty:
        return t("nb.text.no_warnings", lang)
    df["kind"] = [t(f"nb.warning_kind.{k}", lang) for k in df["code"]]
    labels = {
        "file": t("nb.col.file", lang),
        "row": t("nb.col.row", lang),
        "kind": t("nb.col.warning_kind", lang),
        "message": t("nb.col.warning", lang),
    }
    kinds = {"file": "text", "row": "int", "kind": "text", "message": "text"}
    return style_table(df[list(labels)], kinds, lang, labels=labels, table_id="warnings")


# ---------------------------------------------------------------------------- achievement: tables
def _flags_text(row: pd.Series, lang: str) -> str:
    flags = []
    if bool(pd.notna(row.get("is_high_spend_low_output")) and row.get("is_high_spend_low_output")):
        flags.append(t("nb.flag.high_spend_low_output", lang))
    if bool(pd.notna(row.get("is_low_spend_high_output")) and row.get("is_low_spend_high_output")):
        flags.append(t("nb.flag.low_spend_high_output", lang))
    return "; ".join(flags)


def program_table(
    programs: pd.DataFrame, lang: str = "id", with_budget: bool = True, compact: bool = False
) -> Styler:
    """Capaian per program (capped and uncapped), level, indicators met, and optionally pagu, serapan, flags.

    ``compact=True`` (the briefing) keeps program, capaian, level, serapan and the flags.
    """
    df = programs.sort_values("program_code").copy()
    df["program"] = df[_label_col(df)]
    df["level"] = [label_of("levels", v, lang) for v in df["achievement_level"]]
    df["indicators"] = [
        f"{format_number(m, lang=lang)}/{format_number(c, lang=lang)}"
        for m, c in zip(df["indicators_met"], df["indicators_computable"], strict=True)
    ]
    df["flags"] = [_flags_text(r, lang) for _, r in df.iterrows()]
    labels = {
        "program": t("columns.program_name", lang),
        "achievement_capped_pct": t("nb.col.achievement_capped", lang),
        "achievement_pct": t("nb.col.achievement_uncapped", lang),
        "level": t("columns.achievement_level", lang),
        "indicators": t("nb.col.indicators", lang),
    }
    kinds = {
        "program": "text",
        "achievement_capped_pct": "percent",
        "achievement_pct": "percent",
        "level": "text",
        "indicators": "text",
    }
    if with_budget:
        labels |= {
            "budget_allocated_idr": t("columns.budget_allocated_idr", lang),
            "serapan_pct": t("columns.serapan_pct", lang),
            "flags": t("nb.col.flag", lang),
        }
        kinds |= {"budget_allocated_idr": "money_compact", "serapan_pct": "percent", "flags": "text"}
    dropped = ["achievement_pct", "indicators", "budget_allocated_idr"] if compact else []
    if not any(df["flags"]):
        dropped.append("flags")  # no flag on any program: no empty column
    for col in dropped:
        labels.pop(col, None)
        kinds.pop(col, None)
    return style_table(df[list(labels)], kinds, lang, labels=labels, table_id="programs")


def _target_text(row: pd.Series, lang: str) -> str:
    low, high = row["target_low"], row["target_high"]
    if pd.isna(low) and pd.isna(high):
        return MISSING
    if pd.isna(high) or low == high:
        return format_number(low, lang=lang)
    return f"{format_number(low, lang=lang)}–{format_number(high, lang=lang)}"


def indicator_table(indicators: pd.DataFrame, lang: str = "id") -> Styler:
    """Capaian per indicator: target, realisation, capaian, level (or why it cannot be computed)."""
    df = indicators.sort_values(["program_code", "indicator_code"]).copy()
    df["program"] = df[_label_col(df)]
    df["target"] = [_target_text(r, lang) for _, r in df.iterrows()]
    df["level"] = [
        label_of("levels", r["achievement_level"], lang)
        if r["achievement_status"] == "computed"
        else label_of("nb.na_reason", r["achievement_reason"], lang)
        for _, r in df.iterrows()
    ]
    labels = {
        "program": t("columns.program_name", lang),
        "indicator_name": t("columns.indicator_name", lang),
        "unit": t("columns.unit", lang),
        "target": t("nb.col.target", lang),
        "realisation": t("nb.col.realisation", lang),
        "achievement_pct": t("columns.achievement_pct", lang),
        "level": t("columns.achievement_level", lang),
        "achievement_change_pp": t("nb.col.change_pp", lang),
    }
    kinds = {
        "program": "text",
        "indicator_name": "text",
        "unit": "text",
        "target": "text",
        "realisation": "number",
        "achievement_pct": "percent",
        "level": "text",
        "achievement_change_pp": "number",
    }
    df["achievement_change_pp"] = df["achievement_change_pp"].round(1)
    return style_table(df[list(labels)], kinds, lang, labels=labels, table_id="indicators")


def sector_table(sectors: pd.DataFrame, lang: str = "id") -> Styler:
    """Capaian per sector (unweighted mean of its programs), programs met, pagu and serapan."""
    df = sectors.sort_values("sector").copy()
    df["programs"] = [
        f"{format_number(m, lang=lang)}/{format_number(c, lang=lang)}"
        for m, c in zip(df["programs_met"], df["programs_computable"], strict=True)
    ]
    df["level"] = [label_of("levels", v, lang) for v in df["achievement_level"]]
    labels = {
        "sector": t("columns.sector", lang),
        "programs": t("nb.col.programs", lang),
        "achievement_capped_pct": t("nb.col.achievement_capped", lang),
        "level": t("columns.achievement_level", lang),
        "budget_allocated_idr": t("columns.budget_allocated_idr", lang),
        "serapan_pct": t("columns.serapan_pct", lang),
    }
    kinds = {
        "sector": "text",
        "programs": "text",
        "achievement_capped_pct": "percent",
        "level": "text",
        "budget_allocated_idr": "money_compact",
        "serapan_pct": "percent",
    }
    return style_table(df[list(labels)], kinds, lang, labels=labels, table_id="sectors")


# --------------------------------------------------------------------------------- claims: text
def claim_sections(
    claims: pd.DataFrame, lang: str = "id", include_examples: bool = True
) -> list[tuple[str, pd.DataFrame]]:
    """Per claim (file order): a Markdown block (claim, source, interpretation, verdict, rule, data note)
    and its readings; examples (``is_example``) last or left out."""
    if claims.empty:
        return []
    out = []
    ids = list(dict.fromkeys(claims["claim_id"]))
    for cid in ids:
        rows = claims[claims["claim_id"] == cid]
        first = rows.iloc[0]
        is_example = bool(pd.notna(first["is_example"]) and first["is_example"])
        if is_example and not include_examples:
            continue
        lines = []
        if is_example:
            lines.append(f"**{t('nb.text.claim_example', lang)}**")
        lines += [
            t(
                "nb.text.claim_intro",
                lang,
                text=md_escape(first["claim_text"]),
                translation=claim_translation(first, lang),
                speaker=md_escape(localized(first, "claim_speaker", lang)),
                source=md_escape(localized(first, "claim_source", lang)),
            ),
            t(
                "nb.text.claim_interpretation",
                lang,
                text=md_escape(_comparator_text(localized(first, "interpretation", lang))),
            ),
            t(
                "nb.text.claim_verdict",
                lang,
                verdict=label_of("nb.verdict", first["overall_verdict"], lang),
                supported=int(first["readings_supported"]),
                total=int(first["readings_total"]),
            ),
            t("nb.text.claim_rule", lang, rule=md_escape(localized(first, "overall_rule", lang))),
            t("nb.text.data_note", lang, note=md_escape(localized(first, "data_note", lang))),
        ]
        out.append(("\n\n".join(lines), rows))
    examples_last = sorted(out, key=lambda item: bool(item[1]["is_example"].fillna(False).iloc[0]))
    return examples_last


def other_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """The period's claims that are not about the 100 days (those are shown with the 100-day evaluation)."""
    if claims.empty:
        return claims
    return claims[claims["period"] != HUNDRED_DAYS]


def claim_readings_table(readings: pd.DataFrame, lang: str = "id") -> Styler | None:
    """The readings of one claim side by side: reading, value, threshold, coverage, verdict (``None`` if none)."""
    if readings.empty:
        return None
    df = readings.copy()
    df["reading"] = [
        ("★ " if pd.notna(r["is_primary"]) and bool(r["is_primary"]) else "")
        + _comparator_text(localized(r, "reading_label", lang))
        for _, r in df.iterrows()
    ]
    df["test"] = [
        f"{_comparator_text(c)} {pct(v, lang, 0)}"
        for c, v in zip(df["comparator"], df["threshold"], strict=True)
    ]
    df["verdict_text"] = [label_of("nb.verdict", v, lang) for v in df["verdict"]]
    labels = {
        "reading": t("nb.col.reading", lang),
        "value": t("nb.col.metric_value", lang),
        "test": t("nb.col.threshold", lang),
        "coverage_pct": t("nb.col.coverage", lang),
        "verdict_text": t("nb.col.verdict", lang),
    }
    kinds = {
        "reading": "text",
        "value": "percent",
        "test": "text",
        "coverage_pct": "percent",
        "verdict_text": "text",
    }
    return style_table(
        df[list(labels)], kinds, lang, labels=labels, table_id="claim_" + slug(df["claim_id"].iloc[0])[:20]
    )


def claim_evidence(readings: pd.DataFrame, lang: str = "id") -> str:
    """The evidence of each reading as a Markdown list, in ``lang`` (the evaluation writes it in both)."""
    return (
        t("nb.text.claim_evidence", lang)
        + "\n\n"
        + bullets(
            f"{md_escape(_comparator_text(localized(r, 'reading_label', lang)))}: "
            f"{md_escape(localized(r, 'evidence', lang))}"
            for _, r in readings.iterrows()
        )
    )


# ---------------------------------------------------------------------------- principles: tables
def interval_text(rank: object, low: object, high: object, lang: str = "id") -> str:
    """``12 (8–17)``: a rank is never written without its 5–95 % interval; ``—`` if any part is missing.

    >>> interval_text(12, 8.0, 17.0)
    '12 (8–17)'
    >>> interval_text(3, 2.5, 4.0)
    '3 (2,5–4)'
    """
    if any(v is None or pd.isna(v) for v in (rank, low, high)):
        return MISSING
    return f"{format_number(int(rank), lang=lang)} ({format_number(round(float(low), 1), lang=lang)}–{format_number(round(float(high), 1), lang=lang)})"


def rank_frame(rt_index: pd.DataFrame, lang: str = "id") -> pd.DataFrame:
    """Scored RTs by rank with display columns: ``rt`` label, principle scores, index, category, and the
    overall and in-group rank each written with its interval (:func:`interval_text`)."""
    from analysis.publish.charts import rt_label

    sc = scored(rt_index).sort_values(["rank", "rt_code"], kind="mergesort").copy()
    sc["rt"] = [rt_label(r) for _, r in sc.iterrows()]
    sc["rank_text"] = [interval_text(r["rank"], r["rank_p05"], r["rank_p95"], lang) for _, r in sc.iterrows()]
    sc["group_rank_text"] = [
        interval_text(r["rank_in_group"], r["rank_in_group_p05"], r["rank_in_group_p95"], lang)
        + f" · {t('nb.group.pilot' if bool(r['is_pilot']) else 'nb.group.other', lang)}"
        for _, r in sc.iterrows()
    ]
    sc["category_text"] = [label_of("nb.category", v, lang) for v in sc["category"]]
    return sc


def rank_table(rt_index: pd.DataFrame, lang: str = "id", n: int = 10, bottom: bool = False) -> Styler | str:
    """The top (or bottom) ``n`` scored RTs with scores and ranks-with-intervals."""
    if scored(rt_index).empty:
        return t("nb.text.no_data", lang)
    sc = rank_frame(rt_index, lang)
    if sc.empty:
        return t("nb.text.no_data", lang)
    df = sc.tail(n) if bottom else sc.head(n)
    labels = {
        "rt": t("nb.col.rt", lang),
        "kecamatan_name": t("columns.kecamatan_name", lang),
        **{p: t(f"principles.{p}", lang) for p in PRINCIPLES},
        "index": t("nb.col.index", lang),
        "category_text": t("nb.col.category", lang),
        "rank_text": t("nb.col.rank_interval", lang),
        "group_rank_text": t("nb.col.group_rank_interval", lang),
    }
    kinds = {c: "text" for c in labels} | {p: "score" for p in [*PRINCIPLES, "index"]}
    shown = df[list(labels)].copy()
    for col in [*PRINCIPLES, "index"]:
        shown[col] = shown[col].astype("float64").round(1)
    return style_table(shown, kinds, lang, labels=labels, table_id="ranks_bottom" if bottom else "ranks_top")


def index_summary(rt_index: pd.DataFrame, lang: str = "id") -> str:
    """One sentence: RTs scored / with insufficient data, median index; or why there is no index."""
    if rt_index.empty:
        return t("nb.text.no_index", lang, reason=t("nb.text.no_index_reason", lang))
    sc = scored(rt_index)
    return t(
        "nb.text.index_summary",
        lang,
        scored=format_number(len(sc), lang=lang),
        total=format_number(len(rt_index), lang=lang),
        insufficient=format_number(len(rt_index) - len(sc), lang=lang),
        median=format_number(sc["index"].median(), lang=lang, decimals=1) if len(sc) else MISSING,
    )


def category_table(rt_index: pd.DataFrame, lang: str = "id") -> Styler:
    """RTs per category (scored) and with insufficient data."""
    sc = scored(rt_index)
    order = ["Baik Sekali", "Baik", "Cukup", "Kurang"]
    counts = [(label_of("nb.category", c, lang), int((sc["category"] == c).sum())) for c in order]
    counts.append((label_of("nb.status", "data belum memadai", lang), len(rt_index) - len(sc)))
    df = pd.DataFrame(counts, columns=["category", "count"])
    labels = {"category": t("nb.col.category", lang), "count": t("nb.col.n_rt", lang)}
    return style_table(df, {"category": "text", "count": "int"}, lang, labels=labels, table_id="categories")


def insufficient_table(rt_index: pd.DataFrame, lang: str = "id") -> Styler | str:
    """RTs with status *data belum memadai* and why (the reason is written by the evaluation, in Indonesian)."""
    if rt_index.empty:
        return t("nb.text.no_data", lang)
    from analysis.publish.charts import rt_label

    df = rt_index[rt_index["status"] != STATUS_SCORED].sort_values("rt_code").copy()
    if df.empty:
        return t("nb.text.no_data", lang)
    df["rt"] = [rt_label(r) for _, r in df.iterrows()]
    df["status_text"] = [label_of("nb.status", v, lang) for v in df["status"]]
    labels = {
        "rt": t("nb.col.rt", lang),
        "status_text": t("nb.col.status_rt", lang),
        "status_reason": t("nb.col.reason", lang),
    }
    return style_table(
        df[list(labels)], dict.fromkeys(labels, "text"), lang, labels=labels, table_id="insufficient"
    )


def alpha_table(audit: pd.DataFrame, lang: str = "id") -> Styler | str:
    """Cronbach's alpha per principle with its flag."""
    if audit.empty:
        return t("nb.text.no_data", lang)
    df = audit[audit["check"] == "cronbach_alpha"].copy()
    df["principle_text"] = [
        t(f"principles.{p}", lang) if p in PRINCIPLES else str(p) for p in df["principle"]
    ]
    df["flag_text"] = [label_of("nb.audit_flag", f, lang) for f in df["flag"]]
    df["value"] = df["value"].round(2)
    labels = {
        "principle_text": t("nb.col.principle", lang),
        "value": t("nb.col.alpha", lang),
        "n": t("nb.col.n_rt_scored", lang),
        "flag_text": t("nb.col.flag", lang),
    }
    return style_table(
        df[list(labels)],
        {"principle_text": "text", "value": "number", "n": "int", "flag_text": "text"},
        lang,
        labels=labels,
        table_id="alpha",
    )


def audit_flags_table(audit: pd.DataFrame, lang: str = "id") -> Styler | str:
    """Audit findings other than ``ok`` and other than alpha (shown by :func:`alpha_table`)."""
    if audit.empty:
        return t("nb.text.no_data", lang)
    df = audit[(audit["flag"] != "ok") & (audit["check"] != "cronbach_alpha")].copy()
    if df.empty:
        return t("nb.text.audit_none", lang)
    df["principle_text"] = [
        t(f"principles.{p}", lang) if p in PRINCIPLES else str(p) for p in df["principle"]
    ]
    df["pair"] = [
        str(i) + ("" if o is None or pd.isna(o) or not str(o) else f" × {o}")
        for i, o in zip(df["indicator"], df["indicator_other"], strict=True)
    ]
    df["flag_text"] = [label_of("nb.audit_flag", f, lang) for f in df["flag"]]
    df["value"] = df["value"].astype("float64").round(2)
    labels = {
        "principle_text": t("nb.col.principle", lang),
        "pair": t("nb.col.indicator_pair", lang),
        "value": t("nb.col.audit_value", lang),
        "flag_text": t("nb.col.flag", lang),
    }
    return style_table(
        df[list(labels)],
        {"principle_text": "text", "pair": "text", "value": "number", "flag_text": "text"},
        lang,
        labels=labels,
        table_id="audit_flags",
    )


def weakness_counts(strengths: pd.DataFrame) -> pd.DataFrame:
    """How often each indicator is one of an RT's weaknesses (``rt_strengths_weaknesses``), most first."""
    cols = ["indicator", "indicator_name", "principle", "count"]
    if strengths.empty:
        return pd.DataFrame(columns=cols)
    weak = strengths[strengths["side"] == "kelemahan"]
    out = (
        weak.groupby(["indicator", "indicator_name", "principle"], sort=True)
        .size()
        .rename("count")
        .reset_index()
    )
    return out.sort_values(["count", "indicator"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )[cols]


def weakness_table(strengths: pd.DataFrame, lang: str = "id", n: int = 8) -> Styler | str:
    """The ``n`` indicators most often among the RTs' weaknesses."""
    df = weakness_counts(strengths).head(n)
    if df.empty:
        return t("nb.text.no_data", lang)
    df["principle_text"] = [
        t(f"principles.{p}", lang) if p in PRINCIPLES else str(p) for p in df["principle"]
    ]
    labels = {
        "indicator_name": t("columns.indicator_name", lang),
        "principle_text": t("nb.col.principle", lang),
        "count": t("nb.col.times_weakness", lang),
    }
    return style_table(
        df[list(labels)],
        {"indicator_name": "text", "principle_text": "text", "count": "int"},
        lang,
        labels=labels,
        table_id="weaknesses",
    )


def area_table(areas: pd.DataFrame, lang: str = "id", level: str = "kecamatan") -> Styler | str:
    """Roll-up per kecamatan (or kelurahan): RTs, RTs scored, the four principles, index, category."""
    if areas.empty:
        return t("nb.text.no_data", lang)
    name = f"{level}_name"
    df = areas.sort_values(["kecamatan_name", name] if level == "kelurahan" else [name]).copy()
    df["category_text"] = [label_of("nb.category", v, lang) for v in df["category"]]
    labels = {
        **({"kecamatan_name": t("columns.kecamatan_name", lang)} if level == "kelurahan" else {}),
        name: t(f"columns.{name}", lang),
        "n_rt": t("nb.col.n_rt", lang),
        "n_rt_scored": t("nb.col.n_rt_scored", lang),
        **{p: t(f"principles.{p}", lang) for p in PRINCIPLES},
        "index": t("nb.col.index", lang),
        "category_text": t("nb.col.category", lang),
    }
    kinds = (
        {c: "text" for c in labels}
        | {"n_rt": "int", "n_rt_scored": "int"}
        | {p: "score" for p in [*PRINCIPLES, "index"]}
    )
    shown = df[list(labels)].copy()
    for col in [*PRINCIPLES, "index"]:
        shown[col] = shown[col].astype("float64").round(1)
    return style_table(shown, kinds, lang, labels=labels, table_id=f"area_{level}")


def group_comparison(rt_index: pd.DataFrame) -> pd.DataFrame:
    """Pilot (2025) vs other RTs: RTs in scope, scored, median of each principle and the index."""
    cols = ["group", "n_rt", "n_rt_scored", *PRINCIPLES, "index"]
    if rt_index.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for is_pilot, group in (True, "pilot"), (False, "other"):
        block = rt_index[rt_index["is_pilot"].fillna(False).astype(bool) == is_pilot]
        if block.empty:
            continue
        sc = scored(block)
        rows.append(
            {"group": group, "n_rt": len(block), "n_rt_scored": len(sc)}
            | {c: float(sc[c].median()) if len(sc) else float("nan") for c in [*PRINCIPLES, "index"]}
        )
    return pd.DataFrame(rows, columns=cols)


def group_table(rt_index: pd.DataFrame, lang: str = "id") -> Styler | str:
    """:func:`group_comparison` with catalogue labels (medians, one decimal)."""
    df = group_comparison(rt_index)
    if df.empty:
        return t("nb.text.no_data", lang)
    df["group"] = [t(f"nb.group.{g}", lang) for g in df["group"]]
    for col in [*PRINCIPLES, "index"]:
        df[col] = df[col].round(1)
    labels = {
        "group": t("nb.col.group", lang),
        "n_rt": t("nb.col.n_rt", lang),
        "n_rt_scored": t("nb.col.n_rt_scored", lang),
        **{p: t(f"principles.{p}", lang) for p in PRINCIPLES},
        "index": t("nb.col.median_index", lang),
    }
    kinds = {"group": "text", "n_rt": "int", "n_rt_scored": "int"} | {
        p: "score" for p in [*PRINCIPLES, "index"]
    }
    return style_table(df[list(labels)], kinds, lang, labels=labels, table_id="groups")


def n_runs(settings: pd.DataFrame) -> str:
    """The number of Monte Carlo runs of the rank intervals (``index_uncertainty_settings``), or ``—``."""
    if settings.empty:
        return MISSING
    row = settings[settings["setting"] == "n_runs"]
    return MISSING if row.empty else str(row["value"].iloc[0])
