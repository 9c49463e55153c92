"""The only content functions that touch files: a period's tables, ``quality.json``, ``rejected_rows.csv``,
``evaluation.json`` and the 100-day evaluation, with paths resolved from the notebook's parameters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.i18n import t
from analysis.evaluate.achievement import ACHIEVEMENT_TABLES
from analysis.evaluate.principles.evaluate import INDEX_TABLES
from analysis.ingest.schemas import TABLES
from analysis.publish.content.common import HUNDRED_DAYS, md_escape

#: Evaluation tables (docs/evaluation_tables.md) and cleaned tables (docs/architecture.md) read by
#: :func:`load_tables`; a table the period lacks (e.g. no RT reports) comes back as an empty frame.
TABLE_NAMES = (*TABLES, *ACHIEVEMENT_TABLES, "claims", *INDEX_TABLES)


def resolve_path(path: Path | str, base: Path | str | None = None) -> Path:
    """An absolute path: ``path`` itself when absolute, else relative to ``base`` (default the working
    directory: the notebook's own folder under JupyterLab, papermill and ``python -m analysis run``, so a
    copy of the notebooks reads the data next to it, not the installed package's)."""
    p = Path(path)
    return p.resolve() if p.is_absolute() else (Path(base if base is not None else Path.cwd()) / p).resolve()


def processed_root() -> Path:
    """``<project root>/data/processed`` (:func:`analysis.core.config.find_project_root`)."""
    from analysis.core.config import find_project_root

    return find_project_root() / "data" / "processed"


#: Processed folders whose evaluation the caller makes (:func:`prepared_by_caller`): not evaluated here.
_PREPARED_BY_CALLER: list[Path] = []


@contextmanager
def prepared_by_caller(folder: Path | str) -> Iterator[None]:
    """Within the block :func:`ensure_processed` leaves ``folder`` to the caller, also before it has an
    ``evaluation.json``: ``python -m analysis run`` starts a notebook that reads only the cleaning's files
    (``NotebookSpec.reads``: notebook 01) in a worker process as soon as the period is cleaned, while the
    run itself evaluates it."""
    _PREPARED_BY_CALLER.append(resolve_path(folder))
    try:
        yield
    finally:
        _PREPARED_BY_CALLER.pop()


def ensure_processed(raw_dir: Path, period: str, processed_dir: Path | str = "") -> Path:
    """The processed folder of ``period``: ``processed_dir`` when given, else
    ``<project root>/data/processed/<source>/<period>/`` (:func:`processed_root`); evaluated first (``analysis.evaluate.evaluation.evaluate_source``) when it
    has no ``evaluation.json`` yet, so a notebook opened in JupyterLab runs on a fresh checkout.
    (``python -m analysis run`` evaluates before it starts the notebooks, so they only read, but for
    notebook 01, started while the run evaluates: :func:`prepared_by_caller`.)"""
    from analysis.core.config import processed_dir_for

    folder = (
        resolve_path(processed_dir)
        if str(processed_dir)
        else processed_dir_for(raw_dir, period, processed_root())
    )
    if folder not in _PREPARED_BY_CALLER and not (folder / "evaluation.json").exists():
        from analysis.evaluate.evaluation import evaluate_source

        evaluate_source(raw_dir, period, processed_dir=folder)
    return folder


def load_tables(processed_dir: Path | str, names: Sequence[str] = TABLE_NAMES) -> dict[str, pd.DataFrame]:
    """Every table of ``names`` (default :data:`TABLE_NAMES`) from a processed period folder (empty frame
    when absent)."""
    folder = Path(processed_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"processed folder not found: {folder} (run `python -m analysis evaluate` first)"
        )
    from analysis.core.atomic import reading

    out = {}
    with reading(folder):  # one state of the folder, never half of a concurrent rewrite
        for name in names:
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


def load_rejected(processed_dir: Path | str, severity: str | None = "rejected") -> pd.DataFrame:
    """``rejected_rows.csv`` as text columns (``row`` as int), with Excel's formula guard ``'`` removed.

    Only the lines of rejected rows by default; ``severity="missing"`` gives the value cells left missing in
    kept rows (they are also ``value_missing`` warnings), ``None`` every line.
    """
    path = Path(processed_dir) / "rejected_rows.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found (run `python -m analysis clean` first)")
    df = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    for col in df.columns:
        if col != "row":
            df[col] = df[col].str.replace(_EXCEL_GUARD, "", regex=True)
    if severity is not None and "severity" in df.columns:
        df = df[df["severity"] == severity].reset_index(drop=True)
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


#: The tables of a :class:`HundredDays`.
HUNDRED_DAYS_TABLES = ("achievement_program", "achievement_indicator", "claims")


def load_hundred_days(raw_dir: Path | str, processed_dir: Path | str, period: str) -> HundredDays:
    """The 100-day achievement and claim tables, for the briefing of any period.

    - ``period == "100-hari"``: the period's own processed folder (only :data:`HUNDRED_DAYS_TABLES` read);
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
        tables = load_tables(processed_dir, HUNDRED_DAYS_TABLES)
        return HundredDays(
            tables["achievement_program"], tables["achievement_indicator"], tables["claims"], "own"
        )
    sibling = processed_dir.parent / HUNDRED_DAYS
    raw_dir = Path(raw_dir)
    if not period_has_files(raw_dir, HUNDRED_DAYS):
        return HundredDays(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), "none")
    tables = (
        load_tables(sibling, HUNDRED_DAYS_TABLES)
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


@dataclass(frozen=True)
class Trends:
    """Every period to date of a source, for the trends of the notebooks of one period."""

    periods: list[str]  # the trend's periods (same kind as the notebook's period), oldest first
    programs: pd.DataFrame  # ``achievement_program`` of every period in the store (with ``program_label``)
    program_trend: pd.DataFrame  # :func:`analysis.publish.content.trends.program_trend`
    principle_trend: pd.DataFrame  # :func:`analysis.publish.content.trends.principle_trend`

    def programs_of(self, period: str | None) -> pd.DataFrame:
        """``achievement_program`` of one period (empty when the store does not hold it)."""
        if period is None or self.programs.empty:
            return pd.DataFrame()
        return self.programs[self.programs["period"] == period].reset_index(drop=True)


def load_trends(
    raw_dir: Path | str,
    processed_dir: Path | str,
    period: str,
    programs_ref: pd.DataFrame | None = None,
    lang: str = "id",
) -> Trends:
    """The trends of ``period`` from the history store of ``processed_dir``'s source
    (:mod:`analysis.evaluate.history`, ``<processed root>/<source>/history.duckdb``). The earlier periods
    not evaluated yet are evaluated first (``history.prepare_periods``; ``python -m analysis run`` has done
    so before the notebooks start, so they only read). ``programs_ref``: the ``programs`` table, for the
    programs' short names (and, with ``lang`` other than ``id``, their English names).

    The store is read in one read-only connection (``History.reading``): the periods, the views, every
    period's ``achievement_program`` (within a period by ``program_code``, the order of the period's own
    table) and of ``rt_index`` only :data:`TREND_RT_COLUMNS`."""
    from analysis.evaluate import history
    from analysis.publish.content.common import with_program_labels
    from analysis.publish.content.trends import principle_trend, program_trend, trend_periods

    source_dir = Path(processed_dir).parent
    history.prepare_periods(Path(raw_dir), source_dir, until=period)
    with history.open_history(source_dir).reading() as store:
        periods = trend_periods(store.periods(), period)
        views = store.views()
        programs = (
            store.table("achievement_program", within_period=("program_code",))
            if "achievement_program" in views
            else pd.DataFrame()
        )
        rt_index = (
            store.table("rt_index", columns=TREND_RT_COLUMNS) if "rt_index" in views else pd.DataFrame()
        )
    if programs_ref is not None and not programs.empty:
        programs = with_program_labels(programs, programs_ref, lang)
    return Trends(periods, programs, program_trend(programs, periods), principle_trend(rt_index, periods))


#: The columns of the store's ``rt_index`` view that :func:`analysis.publish.content.trends.principle_trend`
#: reads (the medians of the four principles and of the index over the scored RTs, per period).
TREND_RT_COLUMNS = (
    "period", "status", "transparansi", "partisipatif", "akuntabilitas", "keberlanjutan", "index",
)  # fmt: skip
