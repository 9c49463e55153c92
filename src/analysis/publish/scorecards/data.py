"""One RT's scorecard: which rows it reads, and the HTML sections the scorecard notebook shows.

The scorecard notebook (``notebooks/05_scorecard_rt.ipynb``) calls :func:`load_scorecard` and then one
``section_*`` function per part of the card. Everything the card shows comes from the rows selected by
:func:`select_inputs`, declared once in :data:`RT_TABLES`, :data:`KELURAHAN_TABLES` and
:func:`city_facts`; :func:`input_digests` hashes exactly those rows for the incremental rebuild
(``analysis.publish.scorecards``), so "an RT whose inputs did not change" means "whose selected rows did not change".

What an RT's card reads (``docs/evaluation_tables.md``):

- its own rows of ``rt_index`` (scores, category, ranks with their intervals, previous period),
  ``rt_index_indicators``, ``rt_strengths_weaknesses`` and the budget/activity columns of ``rt_reports``;
- its kelurahan's row of ``index_kelurahan`` and the budget columns of the kelurahan's ``rt_reports``
  (kelurahan serapan);
- two city facts: the number of scored RTs and the number of RTs in scope;
- from the index framework the evaluation used (``framework_path`` of ``index_uncertainty_settings``): the
  ``action`` of each indicator listed as one of its weaknesses (what the RT can do, id and en) and the
  category thresholds (every card explains the categories and how far the next one is).

No personal data: the free-text ``note`` of the RT report and the source file columns are never read.
Every word comes from the label catalogue (``scorecard.*`` in ``locales/{id,en}.yml``); every value is
HTML-escaped. The sections use only HTML and CSS (bars are ``<div>`` widths), so nothing needs JavaScript
and the same outputs make the HTML card (with :data:`SCORECARD_CSS`) and the PDF (WeasyPrint on the print
page of :mod:`analysis.publish.scorecards.printcard`, with its own print stylesheet).
"""

from __future__ import annotations

import html
import math
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import UsageError
from analysis.core.formatting import (
    MISSING,
    format_money,
    format_number,
    format_percent,
    is_missing,
)
from analysis.core.i18n import catalogue, t
from analysis.core.periods import period_info, period_label
from analysis.publish import cache

#: Principles in the order of the regulation (Perwali Kota Jambi 18/2025), as columns of ``rt_index``.
PRINCIPLES = ("transparansi", "partisipatif", "akuntabilitas", "keberlanjutan")

#: Status values of ``rt_index.status`` (analysis.evaluate.principles).
STATUS_SCORED = "dinilai"
STATUS_INSUFFICIENT = "data belum memadai"

#: Budget and activity columns of ``rt_reports`` shown on the card (no ``note``: free text may name people).
REPORT_COLUMNS = (
    "rt_code", "budget_allocated_idr", "budget_spent_idr", "swadaya_idr", "activities_planned",
    "activities_completed", "is_overspent",
)  # fmt: skip
KELURAHAN_REPORT_COLUMNS = ("kelurahan_code", "rt_code", "budget_allocated_idr", "budget_spent_idr")

#: What a card reads per RT: ``{input name: (table, columns or None for all)}``, keyed by ``rt_code``.
RT_TABLES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "rt": ("rt_index", None),
    "indicators": ("rt_index_indicators", None),
    "strengths": ("rt_strengths_weaknesses", None),
    "report": ("rt_reports", REPORT_COLUMNS),
}
#: What a card reads of its kelurahan, keyed by ``kelurahan_code``.
KELURAHAN_TABLES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "kelurahan": ("index_kelurahan", None),
    "kelurahan_reports": ("rt_reports", KELURAHAN_REPORT_COLUMNS),
}
#: Tables read from the period's processed folder.
TABLES_READ = (
    "rt_index", "rt_index_indicators", "rt_strengths_weaknesses", "rt_reports", "index_kelurahan",
    "index_uncertainty_settings",
)  # fmt: skip

#: The frame of actions per indicator (``indicator``, ``lang``, ``action``) that :func:`load_period_tables`
#: adds from the index framework the evaluation used; a card reads the rows of its weaknesses' indicators.
ACTIONS_TABLE = "indicator_actions"
ACTIONS_COLUMNS = ("indicator", "lang", "action")

#: Category thresholds of the framework (``settings.categories``), added by :func:`load_period_tables`:
#: ``min_score``, ``label``, highest first. Every card reads all of them (the categories are explained).
CATEGORIES_TABLE = "index_categories"

#: Rank interval shown with every rank: the 5th and 95th percentiles of the simulated ranks.
RANK_INTERVAL_COLUMNS = ("rank_p05", "rank_p95")


# Loading and selecting


def _folder_state(folder: Path) -> tuple:
    state = []
    for name in TABLES_READ:
        path = folder / f"{name}.parquet"
        st = path.stat() if path.exists() else None
        state.append((name, st.st_mtime_ns if st else None, st.st_size if st else None))
    return tuple(state)


@lru_cache(maxsize=4)
def _read_tables(folder: str, state: tuple) -> dict[str, pd.DataFrame]:
    base = Path(folder)
    missing = [name for name, mtime, _ in state if mtime is None]
    if missing:
        raise UsageError(
            f"{base}: evaluation table(s) {', '.join(missing)} missing; run "
            "`python -m analysis evaluate` for this period first (the scorecards need the RT index)"
        )
    return {name: pd.read_parquet(base / f"{name}.parquet") for name in TABLES_READ}


def framework_path(settings: pd.DataFrame) -> Path:
    """The index framework file the evaluation used (``framework_path`` of ``index_uncertainty_settings``,
    relative to the project root when inside it)."""
    rows = settings.loc[settings["setting"] == "framework_path", "value"]
    if rows.empty:
        raise UsageError(
            "index_uncertainty_settings has no framework_path; re-run `python -m analysis evaluate`"
        )
    path = Path(str(rows.iloc[0]))
    return path if path.is_absolute() else config.PROJECT_ROOT / path


@lru_cache(maxsize=4)
def _framework_frames(path: str, state: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    from analysis.evaluate.principles.framework import load_framework

    if state[0] is None:
        raise UsageError(f"index framework {path} (used by the evaluation) not found")
    framework = load_framework(path)
    actions = pd.DataFrame(
        [(i.code, lang, text) for i in framework.indicators for lang, text in i.action],
        columns=list(ACTIONS_COLUMNS),
        dtype="str",
    )
    categories = pd.DataFrame(
        {
            "min_score": [float(c.min_score) for c in framework.settings.categories],
            "label": pd.array([c.label for c in framework.settings.categories], dtype="str"),
        }
    ).sort_values("min_score", ascending=False, kind="mergesort", ignore_index=True)
    return actions, categories


def framework_frames(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(indicator_actions, index_categories)`` of a framework file, read once per file state."""
    path = Path(path).resolve()
    st = path.stat() if path.exists() else None
    return _framework_frames(str(path), (st.st_mtime_ns, st.st_size) if st else (None, None))


def load_period_tables(processed_dir: Path) -> dict[str, pd.DataFrame]:
    """The tables a scorecard reads, from a period's processed folder, plus :data:`ACTIONS_TABLE` and
    :data:`CATEGORIES_TABLE` from the index framework the evaluation used.

    Read once per process and folder state (file sizes and modification times): a worker that builds
    300 cards reads the Parquet files once. Callers must not modify the frames.
    """
    from analysis.core.atomic import reading

    folder = Path(processed_dir).resolve()
    with reading(folder):  # one state of the folder, never half of a concurrent rewrite
        tables = _read_tables(str(folder), _folder_state(folder))
    actions, categories = framework_frames(framework_path(tables["index_uncertainty_settings"]))
    return {**tables, ACTIONS_TABLE: actions, CATEGORIES_TABLE: categories}


def city_facts(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """The two city-level numbers a card shows: RTs in scope and RTs scored."""
    rt = tables["rt_index"]
    return {"n_in_scope": int(len(rt)), "n_scored": int((rt["status"] == STATUS_SCORED).sum())}


#: ``{(id(frame), key column): (weak reference to the frame, {key value: row positions})}``: each table's
#: rows split by RT or kelurahan once per worker (the tables are read once, :func:`load_period_tables`),
#: instead of a comparison over the whole table for every card.
_ROW_POSITIONS: dict[tuple[int, str], tuple[weakref.ref, dict]] = {}


def _rows_where(df: pd.DataFrame, key: str, value: str) -> pd.DataFrame:
    """``df[df[key] == value]`` (rows in table order, index kept), from positions grouped once per frame.

    >>> t = pd.DataFrame({"rt": pd.array(["a", "b", "a"], dtype="str"), "v": [1, 2, 3]})
    >>> _rows_where(t, "rt", "a")["v"].tolist(), _rows_where(t, "rt", "z").empty
    ([1, 3], True)
    """
    column = df[key]
    if not isinstance(column.dtype, pd.StringDtype):  # only string keys group as they compare
        return df[column == value]
    slot = (id(df), key)
    cached = _ROW_POSITIONS.get(slot)
    if cached is None or cached[0]() is not df:
        for stale in [k for k, (ref, _) in _ROW_POSITIONS.items() if ref() is None]:
            del _ROW_POSITIONS[stale]
        cached = (weakref.ref(df), column.groupby(column, sort=False, dropna=True).indices)
        _ROW_POSITIONS[slot] = cached
    positions = cached[1].get(value)
    if positions is None:
        return df.iloc[0:0]
    first, last = int(positions[0]), int(positions[-1])
    if last - first + 1 == len(positions):  # the group's rows are together (tables sorted by RT): a slice
        return df.iloc[first : last + 1]
    return df.take(positions)


def select_inputs(tables: dict[str, pd.DataFrame], rt_code: str) -> dict[str, pd.DataFrame]:
    """The rows one RT's card reads (grain: one frame per input of :data:`RT_TABLES` and
    :data:`KELURAHAN_TABLES`, rows in table order). Raises ``KeyError`` for an RT not in ``rt_index``."""
    own = _rows_where(tables["rt_index"], "rt_code", rt_code)
    if own.empty:
        raise KeyError(f"RT {rt_code} is not in rt_index of this period")
    kelurahan_code = str(own["kelurahan_code"].iloc[0])
    selected = {}
    for name, (table, columns) in RT_TABLES.items():
        rows = _rows_where(tables[table], "rt_code", rt_code)
        selected[name] = rows if columns is None else rows[list(columns)]
    for name, (table, columns) in KELURAHAN_TABLES.items():
        rows = _rows_where(tables[table], "kelurahan_code", kelurahan_code)
        selected[name] = rows if columns is None else rows[list(columns)]
    selected["actions"] = weakness_actions(tables[ACTIONS_TABLE], selected["strengths"])
    selected["categories"] = tables[CATEGORIES_TABLE]
    return selected


def weakness_actions(actions: pd.DataFrame, strengths: pd.DataFrame) -> pd.DataFrame:
    """The action rows of the indicators listed as the RT's weaknesses (rows in ``actions`` order).

    >>> acts = pd.DataFrame({"indicator": ["T1", "T1", "P1"], "lang": ["id", "en", "id"],
    ...                      "action": ["pasang", "put up", "adakan"]})
    >>> sw = pd.DataFrame({"side": ["kelemahan", "kekuatan"], "indicator": ["T1", "P1"]})
    >>> weakness_actions(acts, sw)["action"].tolist()
    ['pasang', 'put up']
    """
    weak = set(strengths.loc[strengths["side"] == "kelemahan", "indicator"].astype(str))
    return actions[actions["indicator"].isin(weak)][list(ACTIONS_COLUMNS)]


def input_digests(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """``{rt_code: digest of every row its card reads}`` for all RTs of ``rt_index``, in one pass per table.

    Equal to hashing :func:`select_inputs` of each RT (``cache.frame_digest`` of each input) plus
    :func:`city_facts`; computed with ``cache.group_digests`` so 300 RTs cost about as much as one.
    """
    by_rt = {
        name: cache.group_digests(tables[table], "rt_code", columns)
        for name, (table, columns) in RT_TABLES.items()
    }
    by_kel = {
        name: cache.group_digests(tables[table], "kelurahan_code", columns)
        for name, (table, columns) in KELURAHAN_TABLES.items()
    }
    empty = {
        name: cache.frame_digest(
            tables[table].iloc[0:0] if columns is None else tables[table][list(columns)].iloc[0:0]
        )
        for name, (table, columns) in {**RT_TABLES, **KELURAHAN_TABLES}.items()
    }
    city = cache.digest_json(city_facts(tables))
    categories = cache.frame_digest(tables[CATEGORIES_TABLE])
    # actions: the rows of the RT's weakness indicators; one digest per distinct set of indicators
    sw = tables["rt_strengths_weaknesses"]
    weak = sw[sw["side"] == "kelemahan"].groupby("rt_code", sort=False)["indicator"].agg(frozenset)
    action_digests: dict[frozenset, str] = {}
    out = {}
    rt_index = tables["rt_index"]
    for rt_code, kel_code in zip(
        rt_index["rt_code"].astype(str), rt_index["kelurahan_code"].astype(str), strict=True
    ):
        parts = [f"{n}={by_rt[n].get(rt_code, empty[n])}" for n in RT_TABLES]
        parts += [f"{n}={by_kel[n].get(kel_code, empty[n])}" for n in KELURAHAN_TABLES]
        codes = weak.get(rt_code, frozenset())
        if codes not in action_digests:
            acts = tables[ACTIONS_TABLE]
            action_digests[codes] = cache.frame_digest(
                acts[acts["indicator"].isin(codes)][list(ACTIONS_COLUMNS)]
            )
        parts.append(f"actions={action_digests[codes]}")
        parts.append(f"categories={categories}")
        parts.append(f"city={city}")
        out[rt_code] = cache.combine(parts)
    return out


def selection_digest(selected: dict[str, pd.DataFrame], facts: dict[str, int]) -> str:
    """The digest of one RT's selected rows (what :func:`input_digests` computes for all RTs at once)."""
    parts = [f"{n}={cache.frame_digest(selected[n])}" for n in (*RT_TABLES, *KELURAHAN_TABLES)]
    parts.append(f"actions={cache.frame_digest(selected['actions'])}")
    parts.append(f"categories={cache.frame_digest(selected['categories'])}")
    parts.append(f"city={cache.digest_json(facts)}")
    return cache.combine(parts)


@dataclass(frozen=True)
class Scorecard:
    """Everything one card shows: the selected rows and the period."""

    rt_code: str
    period: str
    inputs: dict[str, pd.DataFrame]
    facts: dict[str, int]

    @property
    def rt(self) -> pd.Series:
        return self.inputs["rt"].iloc[0]

    @property
    def is_scored(self) -> bool:
        return self.rt["status"] == STATUS_SCORED

    @property
    def report(self) -> pd.Series | None:
        rows = self.inputs["report"]
        return rows.iloc[0] if len(rows) else None

    @property
    def kelurahan(self) -> pd.Series | None:
        rows = self.inputs["kelurahan"]
        return rows.iloc[0] if len(rows) else None


def load_scorecard(processed_dir: Path, rt_code: str, period: str | None = None) -> Scorecard:
    """The card of ``rt_code`` from the period's processed folder. ``period`` defaults to the table's.

    An RT that is not in the period's ``rt_index`` is a :class:`~analysis.core.errors.UsageError`.
    """
    tables = load_period_tables(processed_dir)
    try:
        selected = select_inputs(tables, str(rt_code))
    except KeyError:
        known = tables["rt_index"]["rt_code"].astype(str)
        raise UsageError(
            f"RT {rt_code!r} is not in {Path(processed_dir) / 'rt_index.parquet'} "
            f"({len(known)} RTs, e.g. {', '.join(known.head(3))})"
        ) from None
    table_period = str(selected["rt"]["period"].iloc[0])
    if period is not None and period != table_period:
        raise UsageError(f"{processed_dir}: tables are for period {table_period}, not {period}")
    return Scorecard(str(rt_code), table_period, selected, city_facts(tables))


# Text helpers


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _l(key: str, lang: str, **kwargs: object) -> str:
    return t(f"scorecard.{key}", lang, **kwargs)


def label_or(key: str, lang: str, fallback: object) -> str:
    """A catalogue label if the key exists, else ``fallback`` (e.g. a category from the data)."""
    text = catalogue(lang).get(key)
    return text if text is not None else ("" if is_missing(fallback) else str(fallback))


def category_label(category: object, lang: str) -> str:
    """``Baik Sekali`` → its label in ``lang`` (the data's text when the catalogue lacks it).

    >>> category_label("Baik Sekali", "en")
    'Very good'
    """
    if is_missing(category) or not str(category):
        return MISSING
    return label_or(f"scorecard.categories.{str(category).strip().lower().replace(' ', '_')}", lang, category)


def indicator_label(code: str, name: object, lang: str) -> str:
    """Indicator name in ``lang`` (``scorecard.indicator_names.<code>``), else the framework's name."""
    return label_or(f"scorecard.indicator_names.{code}", lang, name)


def principle_label(principle: str, lang: str) -> str:
    return label_or(f"principles.{principle}", lang, principle)


def score_text(value: object, lang: str) -> str:
    """A 0–100 score with one decimal (``—`` when missing).

    >>> score_text(50.80248, "id")
    '50,8'
    """
    return format_number(value, lang=lang, decimals=1)


def rank_bound(value: object) -> int:
    """A simulated rank percentile as a whole rank (rounded half up): 46.05 → 46."""
    return int(math.floor(float(value) + 0.5))


def rank_text(rank: object, low: object, high: object, n: object, key: str, lang: str) -> str:
    """ "Peringkat 38 dari 65 …. … kemungkinan antara 36 dan 46 dari 65 RT.", in the words of an RT head,
    or ``""`` when the rank or its interval is missing (no rank without its interval).

    >>> rank_text(38, 36.0, 46.05, 65, "rank_all", "id")
    'Peringkat 38 dari 65 RT yang dinilai. Bila dihitung dengan cara lain, peringkat RT Anda kemungkinan antara 36 dan 46 dari 65 RT.'
    >>> rank_text(1, 1.0, 1.0, 65, "rank_all", "en")
    "Rank 1 of 65 assessed RTs. Counted in other ways, your RT's rank stays 1 of 65 RTs."
    >>> rank_text(38, float("nan"), 46.0, 65, "rank_all", "id")
    ''
    """
    if any(is_missing(v) for v in (rank, low, high, n)):
        return ""
    head = _l(key, lang, rank=int(rank), n=int(n))
    lo, hi = rank_bound(low), rank_bound(high)
    interval = _l("rank_interval" if lo != hi else "rank_interval_same", lang, low=lo, high=hi, n=int(n))
    return f"{head}. {interval}."


def category_bands(categories: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """``[(category label, its band in words)]``, highest first, from the framework's thresholds.

    >>> cats = pd.DataFrame({"min_score": [80.0, 50.0, 0.0], "label": ["Baik Sekali", "Cukup", "Kurang"]})
    >>> category_bands(cats, "id")
    [('Baik Sekali', 'Baik Sekali: 80 ke atas'), ('Cukup', 'Cukup: 50 sampai di bawah 80'), ('Kurang', 'Kurang: di bawah 50')]
    """
    rows = list(categories.sort_values("min_score", ascending=False, kind="mergesort").itertuples())
    out = []
    for i, row in enumerate(rows):
        label = category_label(row.label, lang)
        low = format_number(row.min_score, lang=lang, decimals=0)
        high = format_number(rows[i - 1].min_score, lang=lang, decimals=0) if i else ""
        if i == 0:
            text = _l("category_band_top", lang, category=label, low=low)
        elif i == len(rows) - 1 and float(row.min_score) <= 0:
            text = _l("category_band_bottom", lang, category=label, high=high)
        else:
            text = _l("category_band", lang, category=label, low=low, high=high)
        out.append((str(row.label), text))
    return out


def category_text(index: object, category: object, categories: pd.DataFrame, lang: str) -> str:
    """What the RT's category means and how far the next one is: "Kategori Kurang: nilai indeks di bawah
    50. Perlu 0,1 poin lagi untuk naik ke kategori Cukup (50)." (``""`` without a score or category).

    >>> cats = pd.DataFrame({"min_score": [80.0, 50.0, 0.0], "label": ["Baik Sekali", "Cukup", "Kurang"]})
    >>> category_text(49.94, "Kurang", cats, "id")
    'Kategori Kurang: nilai indeks di bawah 50. Perlu 0,1 poin lagi untuk naik ke kategori Cukup (50).'
    >>> category_text(91.0, "Baik Sekali", cats, "en")
    'Category Very good: index score 80 and above. This is the highest category.'
    """
    if is_missing(index) or is_missing(category) or not str(category):
        return ""
    bands = category_bands(categories, lang)
    labels = [label for label, _ in bands]
    if str(category) not in labels:
        return ""
    pos = labels.index(str(category))
    band = bands[pos][1].split(": ", 1)[1]
    text = _l("category_now", lang, category=category_label(category, lang), band=band)
    if pos == 0:
        return f"{text} {_l('category_top', lang)}"
    ordered = categories.sort_values("min_score", ascending=False, kind="mergesort")
    next_min = float(ordered["min_score"].iloc[pos - 1])
    gap = max(0.1, math.ceil((next_min - float(index)) * 10) / 10)  # one decimal, as the score is shown
    nxt = _l(
        "category_next",
        lang,
        points=format_number(gap, lang=lang, decimals=1),
        category=category_label(labels[pos - 1], lang),
        low=format_number(next_min, lang=lang, decimals=0),
    )
    return f"{text} {nxt}"


def indicator_value_text(unit: object, value: object, lang: str) -> str:
    """A raw indicator value in words for its unit (units of ``config/index_framework.yml``).

    Days (``hari``, the LPJ delay: submission minus deadline) read as early, on time or late.

    >>> indicator_value_text("rasio", 0.455, "id")
    '45,5%'
    >>> indicator_value_text("ya/tidak", 1.0, "en")
    'Yes'
    >>> indicator_value_text("hari", -10.0, "id")
    '10 hari lebih awal'
    >>> indicator_value_text("hari", 3.0, "en")
    '3 days late'
    """
    if is_missing(value):
        return MISSING
    unit = "" if is_missing(unit) else str(unit)
    v = float(value)
    if unit == "ya/tidak":
        return t("yes_no.yes" if v >= 0.5 else "yes_no.no", lang)
    if unit in ("rasio", "Rp per Rp"):
        return format_percent(100 * v, lang=lang)
    if unit == "skala 1-5":
        return _l("units.scale", lang, value=format_number(v, lang=lang, decimals=1))
    if unit == "hari":
        days = round(v)
        key = "units.days_early" if days < 0 else "units.days_late" if days > 0 else "units.days_on_time"
        return _l(key, lang, value=format_number(abs(days), lang=lang, decimals=0))
    if unit == "poin persen":
        return _l("units.points", lang, value=format_number(v, lang=lang, decimals=1))
    if unit == "ordinal":
        status = {1.0: "berfungsi_penuh", 0.5: "sebagian", 0.0: "tidak_berfungsi"}.get(v)
        if status:
            return t(f"asset_status.{status}", lang)
    return format_number(v, lang=lang)


def serapan_pct(spent: object, allocated: object) -> float:
    """Serapan = realisasi / pagu × 100; NaN when the pagu is missing or 0.

    >>> serapan_pct(85.82e6, 100e6)
    85.82
    >>> math.isnan(serapan_pct(1.0, 0))
    True
    """
    if is_missing(spent) or is_missing(allocated) or float(allocated) <= 0:
        return float("nan")
    return round(100 * float(spent) / float(allocated), 10)


def year_elapsed_pct(period: str) -> float:
    """Share of the funding (calendar) year elapsed at the end of ``period``, in percent.

    >>> round(year_elapsed_pct("2025-TW3"), 1)
    74.8
    >>> year_elapsed_pct("2025-TW4")
    100.0
    """
    info = period_info(period)
    start = info.end.replace(month=1, day=1)
    days_in_year = (start.replace(year=start.year + 1) - start).days
    return 100 * ((info.end - start).days + 1) / days_in_year


# Sections (HTML strings; the notebook shows them with IPython.display.HTML)

#: Styles of the HTML card, sent once with the first section (a browser, and WeasyPrint, read <style> anywhere
#: in <body>); its ``@media print`` rules are for printing the HTML card from a browser. The PDF's print
#: page leaves it out and has its own stylesheet (``nbtemplates/scorecard_print/card.css``).
SCORECARD_CSS = """<style>
.sc-id { display: flex; flex-wrap: wrap; gap: 0.3em 1.6em; margin: 0 0 0.8em; padding: 0.5em 0.8em;
  background: #f3f5f8; border-left: 4px solid #1f3a5f; }
.sc-id div { min-width: 9em; }
.sc-id .k, .sc-kv .k { display: block; font-size: 0.8em; color: #5b6673; }
.sc-id .v { font-weight: bold; }
.sc-summary { display: flex; flex-wrap: wrap; gap: 1em; align-items: stretch; margin: 0.4em 0 0.8em; }
.sc-big { border: 2px solid #1f3a5f; padding: 0.4em 1em; text-align: center; min-width: 8em; }
.sc-big .num { font-size: 2.2em; font-weight: bold; color: #1f3a5f; line-height: 1.1; }
.sc-big .cat { font-weight: bold; }
.sc-ranks { flex: 1; min-width: 16em; }
.sc-ranks p { margin: 0.25em 0; }
.sc-insufficient { border: 2px solid #b7791f; background: #fff4d6; color: #4a3300; padding: 0.6em 1em; margin: 0.4em 0 1em; }
.sc-insufficient h3 { color: #6b4a00; margin: 0 0 0.3em; font-size: 1.2em; }
.sc-bars { width: 100%; border-collapse: collapse; }
.sc-bars td, .sc-bars th { vertical-align: middle; }
.sc-bars th[scope=row] { text-align: left; }
.sc-keep { break-inside: avoid; page-break-inside: avoid; }
.sc-track { position: relative; height: 0.9em; width: 100%; min-width: 12em; background: #e6eaef; }
.sc-fill { position: absolute; left: 0; top: 0; bottom: 0; background: #1f3a5f; }
.sc-mark { position: absolute; top: -0.2em; bottom: -0.2em; width: 0; border-left: 2px solid #b7791f; }
.sc-num { text-align: right; white-space: nowrap; }
.sc-sw { display: flex; flex-wrap: wrap; gap: 1.2em; }
.sc-sw > div { flex: 1; min-width: 16em; }
.sc-sw h3 { margin-top: 0.2em; }
.sc-kv { display: flex; flex-wrap: wrap; gap: 0.4em 1.6em; margin: 0.4em 0; }
.sc-kv div { min-width: 10em; }
.sc-kv .v { font-weight: bold; }
.sc-warn { color: #8a1c1c; font-weight: bold; }
.sc-muted { color: #5b6673; font-size: 0.9em; }
@media print { .sc-summary, .sc-id, .sc-insufficient, .sc-bars tr { break-inside: avoid; } }
/* actions under the weaknesses (issue 13: a weakness comes with what to do) */
.sc-action { display: block; margin: 0.2em 0 0.1em; padding: 0.1em 0 0.1em 0.6em; border-left: 3px solid #2f7d4f;
  color: #1d4d32; }
.sc-first { margin-top: 0.5em; font-weight: bold; }
/* the notes stay whole and go with the card's last rows: no PDF page holding only notes and the footer */
@media print {
  .sc-notes { break-inside: avoid; page-break-inside: avoid; break-before: avoid; page-break-before: avoid; }
  .sc-indicators tbody tr:nth-last-child(-n+3) { break-before: avoid; page-break-before: avoid; }
  .sc-sw-section h2, .sc-sw-section > p, .sc-sw h3 { break-after: avoid; page-break-after: avoid; }
  .sc-sw li { break-inside: avoid; page-break-inside: avoid; }
  .sc-sw { display: block; }  /* a flex row does not split across pages in WeasyPrint; stacked, it does */
}
</style>"""


def _kv(items: list[tuple[str, str]], css: str = "sc-kv") -> str:
    cells = "".join(
        f'<div><span class="k">{_e(k)}</span><span class="v">{_e(v)}</span></div>' for k, v in items
    )
    return f'<div class="{css}">{cells}</div>'


def _status_text(rt: pd.Series, lang: str) -> str:
    return _l("status_scored" if rt["status"] == STATUS_SCORED else "status_insufficient", lang)


def section_identity(card: Scorecard, lang: str) -> str:
    """The card's styles and the RT's identity: RT, kelurahan, kecamatan, code, households, since when."""
    rt = card.rt
    start = rt["start_year"]
    joined = (
        _l("pilot", lang)
        if bool(rt["is_pilot"]) is True
        else (_l("not_pilot", lang, year=int(start)) if not is_missing(start) else MISSING)
    )
    items = [
        (_l("kelurahan", lang), str(rt["kelurahan_name"])),
        (_l("kecamatan", lang), str(rt["kecamatan_name"])),
        (_l("rt_code", lang), card.rt_code),
        (_l("households", lang), format_number(rt["households_kk"], lang=lang, decimals=0)),
        (_l("joined", lang), joined),
        (_l("status", lang), _status_text(rt, lang)),
    ]
    return SCORECARD_CSS + _kv(items, "sc-id")


def section_summary(card: Scorecard, lang: str) -> str:
    """Index, category and ranks with their intervals; or the "data belum memadai" box."""
    rt = card.rt
    if not card.is_scored:
        reason = "" if is_missing(rt["status_reason"]) else str(rt["status_reason"])
        lines = [
            f"<h3>{_e(_l('insufficient_heading', lang))}</h3>",
            f"<p>{_e(_l('insufficient_lead', lang))}</p>",
        ]
        if not bool(rt["has_report"]):
            lines.append(f"<p><strong>{_e(_l('insufficient_no_report', lang))}</strong></p>")
        lines.append(
            "<p>"
            + _e(
                _l(
                    "insufficient_coverage",
                    lang,
                    available=int(rt["n_indicators_available"]),
                    applicable=int(rt["n_indicators_applicable"]),
                )
            )
            + "</p>"
        )
        if reason:
            lines.append(f'<p class="sc-muted">{_e(_l("insufficient_reason", lang))}: {_e(reason)}</p>')
        lines.append(f"<p>{_e(_l('insufficient_action', lang))}</p>")
        return (
            f"<h2>{_e(_l('summary_heading', lang))}</h2>"
            f'<div class="sc-insufficient" role="note">{"".join(lines)}</div>'
        )
    text_all = rank_text(rt["rank"], rt["rank_p05"], rt["rank_p95"], card.facts["n_scored"], "rank_all", lang)
    # a category is never shown without the rank interval it came from (text_all, just below it)
    category = f'<div class="cat">{_e(category_label(rt["category"], lang))}</div>' if text_all else ""
    big = (
        f'<div class="sc-big"><div class="k">{_e(_l("index", lang))}</div>'
        f'<div class="num">{_e(score_text(rt["index"], lang))}</div>'
        f'<div class="sc-muted">/ 100</div>{category}</div>'
    )
    ranks = []
    explained = (
        category_text(rt["index"], rt["category"], card.inputs["categories"], lang) if text_all else ""
    )
    if explained:
        ranks.append(f"<p><strong>{_e(explained)}</strong></p>")
    if text_all:
        ranks.append(f"<p>{_e(text_all)}</p>")
    group_key = "rank_group_pilot" if bool(rt["is_pilot"]) is True else "rank_group_new"
    n_group = rt["n_in_group"]
    if not is_missing(n_group) and int(n_group) != card.facts["n_scored"]:
        text_group = rank_text(
            rt["rank_in_group"], rt["rank_in_group_p05"], rt["rank_in_group_p95"], n_group, group_key, lang
        )
        if text_group:
            ranks.append(f"<p>{_e(text_group)}</p>")
    if not ranks:
        ranks.append(f'<p class="sc-muted">{_e(_l("rank_none", lang))}</p>')
    step = first_step(card, lang)
    if step:
        ranks.append(f'<p class="sc-action sc-first">{_e(_l("first_step", lang, action=step))}</p>')
    return (
        f"<h2>{_e(_l('summary_heading', lang))}</h2>"
        f'<div class="sc-summary">{big}<div class="sc-ranks">{"".join(ranks)}</div></div>'
    )


def _bar(value: object, mark: object) -> str:
    fill = 0.0 if is_missing(value) else max(0.0, min(100.0, float(value)))
    marker = (
        ""
        if is_missing(mark)
        else f'<div class="sc-mark" style="left:{max(0.0, min(100.0, float(mark))):.1f}%"></div>'
    )
    return f'<div class="sc-track"><div class="sc-fill" style="width:{fill:.1f}%"></div>{marker}</div>'


def section_principles(card: Scorecard, lang: str) -> str:
    """The four principle scores of the RT against its kelurahan: a table with bars (empty when unscored)."""
    if not card.is_scored:
        return ""
    rt, kel = card.rt, card.kelurahan
    rows = []
    for p in PRINCIPLES:
        kel_value = kel[p] if kel is not None else float("nan")
        diff = float("nan") if is_missing(kel_value) else float(rt[p]) - float(kel_value)
        rows.append(
            f'<tr><th scope="row">{_e(principle_label(p, lang))}</th>'
            f'<td class="sc-num">{_e(score_text(rt[p], lang))}</td>'
            f'<td style="width:45%">{_bar(rt[p], kel_value)}</td>'
            f'<td class="sc-num">{_e(score_text(kel_value, lang))}</td>'
            f'<td class="sc-num">{_e(_signed(diff, lang))}</td></tr>'
        )
    head = (
        f"<thead><tr><th>{_e(_l('principle', lang))}</th><th>{_e(_l('this_rt', lang))}</th><th></th>"
        f"<th>{_e(_l('kelurahan_value', lang))}</th><th>{_e(_l('difference', lang))}</th></tr></thead>"
    )
    return (
        f'<div class="sc-keep"><h2>{_e(_l("principles_heading", lang))}</h2>'
        f"<p>{_e(_l('principles_lead', lang))}</p>"
        f'<table class="sc-bars">{head}<tbody>{"".join(rows)}</tbody></table></div>'
    )


def _signed(value: object, lang: str) -> str:
    """``+4,8`` / ``-2,3`` / ``0,0`` (one decimal), ``—`` when missing."""
    if is_missing(value):
        return MISSING
    v = round(float(value), 1)
    text = format_number(abs(v), lang=lang, decimals=1)
    return ("+" if v > 0 else "-" if v < 0 else "") + text


def section_strengths_weaknesses(card: Scorecard, lang: str) -> str:
    """Up to three strengths and weaknesses against the median RT (empty when unscored)."""
    if not card.is_scored:
        return ""
    sw = card.inputs["strengths"].sort_values(["side", "position"], kind="mergesort")
    actions = card.inputs["actions"]
    action_of = dict(
        zip(
            actions.loc[actions["lang"] == lang, "indicator"],
            actions.loc[actions["lang"] == lang, "action"],
            strict=True,
        )
    )
    blocks = []
    for side, heading, none_key in (
        ("kekuatan", "strengths", "none_strengths"),
        ("kelemahan", "weaknesses", "none_weaknesses"),
    ):
        rows = sw[sw["side"] == side]
        if rows.empty:
            items = f'<p class="sc-muted">{_e(_l(none_key, lang))}</p>'
        else:
            items = (
                "<ul>"
                + "".join(
                    "<li>"
                    + _e(
                        _l(
                            "sw_item",
                            lang,
                            indicator=indicator_label(r.indicator, r.indicator_name, lang),
                            principle=principle_label(r.principle, lang),
                            score=format_number(r.normalised_value, lang=lang, decimals=0),
                            median=format_number(r.median_normalised_all, lang=lang, decimals=0),
                        )
                    )
                    + _action_html(action_of.get(str(r.indicator), "") if side == "kelemahan" else "", lang)
                    + "</li>"
                    for r in rows.itertuples()
                )
                + "</ul>"
            )
        blocks.append(f"<div><h3>{_e(_l(heading, lang))}</h3>{items}</div>")
    return (
        # not kept whole (with the actions it can fill half a page): items stay whole, headings with them
        f'<div class="sc-sw-section"><h2>{_e(_l("strengths_heading", lang))}</h2>'
        f"<p>{_e(_l('strengths_lead', lang))}</p>"
        f'<div class="sc-sw">{"".join(blocks)}</div></div>'
    )


def first_step(card: Scorecard, lang: str) -> str:
    """The action of the RT's first weakness (the indicator furthest below a typical RT), ``""`` if none."""
    sw = card.inputs["strengths"]
    weak = sw[sw["side"] == "kelemahan"].sort_values("position", kind="mergesort")
    actions = card.inputs["actions"]
    for code in weak["indicator"].astype(str):
        rows = actions[(actions["indicator"] == code) & (actions["lang"] == lang)]
        if len(rows):
            return str(rows["action"].iloc[0])
    return ""


def _action_html(action: str, lang: str) -> str:
    """The action under a weakness: "Yang bisa dilakukan: …" (nothing when the framework gives none)."""
    return f'<span class="sc-action">{_e(_l("action_item", lang, action=action))}</span>' if action else ""


def kelurahan_serapan_pct(kelurahan_reports: pd.DataFrame) -> float:
    """Serapan of the kelurahan: Σ realisasi / Σ pagu × 100 over its RTs that reported both figures.

    >>> kelurahan_serapan_pct(pd.DataFrame({"budget_allocated_idr": [100.0, 50.0, None],
    ...                                     "budget_spent_idr": [80.0, 40.0, 10.0]}))
    80.0
    """
    both = kelurahan_reports.dropna(subset=["budget_allocated_idr", "budget_spent_idr"])
    return serapan_pct(both["budget_spent_idr"].sum(), both["budget_allocated_idr"].sum())


def section_spending(card: Scorecard, lang: str) -> str:
    """Pagu against realisasi, serapan (the RT's and its kelurahan's), swadaya and activities."""
    info = period_info(card.period)
    heading = f"<h2>{_e(_l('spending_heading', lang))}</h2>"
    report = card.report
    if report is None:
        return heading + f"<p>{_e(_l('no_report', lang))}</p>"
    lead = _l(
        "spending_lead",
        lang,
        year=info.end.year,
        elapsed=format_percent(year_elapsed_pct(card.period), lang=lang, decimals=0),
    )
    serapan = serapan_pct(report["budget_spent_idr"], report["budget_allocated_idr"])
    planned, done = report["activities_planned"], report["activities_completed"]
    activities = (
        MISSING
        if is_missing(planned) or is_missing(done)
        else _l("activities_value", lang, done=int(done), planned=int(planned))
    )
    items = [
        (_l("pagu", lang), format_money(report["budget_allocated_idr"], lang=lang)),
        (_l("realisasi", lang), format_money(report["budget_spent_idr"], lang=lang)),
        (_l("serapan", lang), format_percent(serapan, lang=lang)),
        (
            _l("serapan_kelurahan", lang),
            format_percent(kelurahan_serapan_pct(card.inputs["kelurahan_reports"]), lang=lang),
        ),
        (_l("swadaya", lang), format_money(report["swadaya_idr"], lang=lang)),
        (_l("activities", lang), activities),
    ]
    warn = (
        f'<p class="sc-warn">{_e(_l("overspent", lang))}</p>' if bool(report["is_overspent"]) is True else ""
    )
    return heading + f"<p>{_e(lead)}</p>" + _kv(items) + _bar_serapan(serapan) + warn


def _bar_serapan(serapan: float) -> str:
    return "" if is_missing(serapan) else f'<div style="max-width:30em">{_bar(serapan, None)}</div>'


def section_comparison(card: Scorecard, lang: str) -> str:
    """The RT against its kelurahan and against the previous period (index and rank with interval)."""
    rt, kel = card.rt, card.kelurahan
    out = [f"<h2>{_e(_l('comparison_heading', lang))}</h2>"]
    out.append(f"<h3>{_e(_l('kelurahan_heading', lang, kelurahan=rt['kelurahan_name']))}</h3>")
    if kel is None or is_missing(kel["index"]):
        out.append(f"<p>{_e(_l('kelurahan_none', lang))}</p>")
    else:
        diff = float(rt["index"]) - float(kel["index"]) if card.is_scored else float("nan")
        out.append(
            _kv(
                [
                    (_l("this_rt", lang), score_text(rt["index"], lang)),
                    (_l("kelurahan_index", lang), score_text(kel["index"], lang)),
                    (_l("difference", lang), _points(diff, lang)),
                    (
                        _l("kelurahan_rts", lang),
                        _l(
                            "kelurahan_rts_value",
                            lang,
                            scored=int(kel["n_rt_scored"]),
                            total=int(kel["n_rt"]),
                        ),
                    ),
                ]
            )
        )
    previous = rt.get("period_previous")
    if is_missing(previous) or not str(previous):
        return "".join(out)
    out.append(f"<h3>{_e(_l('previous_heading', lang, period=period_label(str(previous), lang)))}</h3>")
    if is_missing(rt.get("index_previous")):
        out.append(f"<p>{_e(_l('previous_none', lang))}</p>")
        status = rt.get("status_previous")
        if not is_missing(status) and str(status):
            label = _l("status_scored" if status == STATUS_SCORED else "status_insufficient", lang)
            out.append(f'<p class="sc-muted">{_e(_l("previous_status", lang, status=label))}</p>')
        return "".join(out)
    items = [
        (_l("previous_index", lang), score_text(rt["index_previous"], lang)),
        (_l("index_change", lang), _points(rt["index_change"], lang)),
    ]
    if not any(is_missing(rt[c]) for c in ("rank_previous", "rank_previous_p05", "rank_previous_p95")):
        rank_prev = _l(
            "previous_rank_value",
            lang,
            rank=int(rt["rank_previous"]),
            low=rank_bound(rt["rank_previous_p05"]),
            high=rank_bound(rt["rank_previous_p95"]),
        )
        change = rt["rank_change"]
        if not is_missing(change):
            n = int(change)
            word = (
                _l("rank_change_up", lang, n=n)
                if n > 0
                else _l("rank_change_down", lang, n=-n)
                if n < 0
                else _l("rank_change_same", lang)
            )
            rank_prev = f"{rank_prev}; {word}"
        items.append((_l("previous_rank", lang), rank_prev))
    out.append(_kv(items))
    out.append(f'<p class="sc-muted">{_e(_l("rank_change_note", lang))}</p>')
    return "".join(out)


def _points(value: object, lang: str) -> str:
    return MISSING if is_missing(value) else _l("points", lang, value=_signed(value, lang))


def section_indicators(card: Scorecard, lang: str) -> str:
    """Every indicator of the framework for this RT: raw value, score 0–100 and the median RT's score."""
    ind = card.inputs["indicators"]
    order = {p: i for i, p in enumerate(PRINCIPLES)}
    ind = ind.assign(_order=ind["principle"].map(order)).sort_values(
        ["_order", "indicator"], kind="mergesort"
    )
    rows = []
    for r in ind.itertuples():
        if r.state == "ok":
            value = indicator_value_text(r.unit, r.raw_value, lang)
        else:
            value = _l("state_not_applicable" if r.state == "not_applicable" else "state_missing", lang)
        rows.append(
            "<tr>"
            f"<td>{_e(principle_label(r.principle, lang))}</td>"
            f"<td>{_e(indicator_label(r.indicator, r.indicator_name, lang))}</td>"
            f"<td>{_e(value)}</td>"
            f'<td class="sc-num">{_e(format_number(r.normalised_value, lang=lang, decimals=0))}</td>'
            f'<td class="sc-num">{_e(format_number(r.median_normalised_all, lang=lang, decimals=0))}</td>'
            "</tr>"
        )
    head = "".join(
        f"<th>{_e(_l(k, lang))}</th>" for k in ("principle", "indicator", "value", "score", "median")
    )
    return (
        f"<h2>{_e(_l('indicators_heading', lang))}</h2>"
        f'<table class="sc-indicators"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def section_notes(card: Scorecard, lang: str) -> str:
    """How to read the card: the index, categories, rank intervals, coverage, sources."""
    rt = card.rt
    coverage = rt["data_coverage"]
    bands = "; ".join(text for _, text in category_bands(card.inputs["categories"], lang))
    has_rank = card.is_scored and not any(is_missing(rt[c]) for c in ("rank", "rank_p05", "rank_p95"))
    notes = [
        _l("note_index", lang),
        _l("note_self_report", lang),
        _l("note_categories", lang, bands=bands),
        _l("note_rank", lang, low=rank_bound(rt["rank_p05"]), high=rank_bound(rt["rank_p95"]))
        if has_rank
        else "",
        _l("note_coverage", lang, coverage=format_percent(100 * float(coverage), lang=lang, decimals=0))
        if not is_missing(coverage)
        else "",
        _l("note_source", lang),
    ]
    items = "".join(f"<li>{_e(n)}</li>" for n in notes if n)
    # one block, kept whole and on the page of the card's last rows (never a page of notes only: CSS)
    return f'<div class="sc-notes"><h2>{_e(_l("notes_heading", lang))}</h2><ul class="sc-muted">{items}</ul></div>'


def title(card_rt: pd.Series, lang: str) -> str:
    """The card's title: "Rapor Kampung Bahagia: RT 003 Simpang IV Sipin" (the code is in the subtitle)."""
    return _l("title", lang, rt=f"{int(card_rt['rt_number']):03d}", kelurahan=card_rt["kelurahan_name"])


def slug(text: object) -> str:
    """ASCII, lower case, words joined by ``-``: a stable file-name part from a name.

    >>> slug("Simpang IV Sipin")
    'simpang-iv-sipin'
    >>> slug("  Tahtul  Yaman / Pelayangan é ")
    'tahtul-yaman-pelayangan-e'
    """
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def card_file_stem(card_rt: pd.Series) -> str:
    """The card's file name without suffix: RT code (unique) and kelurahan name, ASCII and stable.

    >>> card_file_stem(pd.Series({"rt_code": "15.71.01.1001.003", "kelurahan_name": "Simpang IV Sipin"}))
    'rt-15.71.01.1001.003_simpang-iv-sipin'
    """
    name = slug(card_rt["kelurahan_name"])
    return f"rt-{card_rt['rt_code']}" + (f"_{name}" if name else "")


def subtitle(card_rt: pd.Series, period: str, lang: str) -> str:
    """ "Kode RT 15.71.01.1001.003 · Kelurahan …, Kecamatan … — Triwulan IV 2025"."""
    return _l(
        "subtitle",
        lang,
        code=card_rt["rt_code"],
        kelurahan=card_rt["kelurahan_name"],
        kecamatan=card_rt["kecamatan_name"],
        period=period_label(period, lang),
    )
