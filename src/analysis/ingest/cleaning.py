"""Clean one data source for one period: read, parse, apply the data-quality rules, write the cleaned tables.

``python -m analysis clean --raw DIR --period P [--processed ROOT] [--strict]`` (outputs in
``ROOT/<source>/<period>/``, by default ``data/processed/<source>/<period>/``)

Steps (each data row of each file ends in exactly one place: a cleaned table or ``rejected_rows.csv``):

1. read every file of the period and the reference files (:mod:`analysis.ingest.readers`);
2. parse each typed cell (:mod:`analysis.ingest.parsing`); a cell that cannot be read rejects its row
   (``unparseable``), a blank required cell too (``required_missing``); free text is masked
   (:mod:`analysis.ingest.privacy`);
3. apply the rules declared in :mod:`analysis.ingest.schemas` (ranges, pair rules, keys, foreign keys, lookups),
   each broken rule adding a rejection with the reason codes of ``docs/data_quality_rules.md``;
4. validate each cleaned table with its pandera schema (a failure is a cleaner bug and raises);
5. write one Parquet per table, ``rejected_rows.csv`` and ``quality.json`` (:mod:`analysis.ingest.quality`).

Reference tables are built first (programs -> indicators -> targets, rt_registry), since the period's
tables are checked against them.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.atomic import folder_lock, new_staging, reading, staged_folder
from analysis.core.config import (
    SAMPLE_SOURCE,
    add_processed_argument,
    check_processed_root,
    check_source_args,
    processed_dir_for,
)
from analysis.core.errors import UsageError
from analysis.core.gctune import fewer_collections
from analysis.core.periods import PeriodError, parse_period
from analysis.core.reference import kelurahan_table, make_rt_code
from analysis.ingest import names, parsing, privacy
from analysis.ingest.clean_rules import (  # noqa: F401  (re-exported: the rules are part of this entry point)
    accepted_rows,
    apply_rules,
    cast_to_spec,
    rule_duplicates,
    rule_foreign_keys,
    rule_lookups,
    rule_pairs,
    rule_ranges,
)
from analysis.ingest.contract import TEMPLATES, TEMPLATES_BY_KEY, Template
from analysis.ingest.feedback import FEEDBACK_DIR, CellProblem, write_feedback_for_source
from analysis.ingest.inventory import NEVER_DATA, check_data_source, is_expected, scan_source
from analysis.ingest.plausibility import rule_unit_bounds
from analysis.ingest.quality import build_quality, excel_safe, read_parquet_table, write_outputs
from analysis.ingest.readers import (
    DEFAULT_LIMITS,
    MB,
    PARSER_BY_KIND,
    RawFile,
    ReadLimits,
    read_inventory,
)
from analysis.ingest.runlog import RunLog, display_value
from analysis.ingest.schemas import (
    PERCENT_MAX,
    PERCENT_MIN,
    REJECTED_COLUMNS,
    TABLES,
    check_relations,
    validate_table,
)

#: Columns of the candidate frames that locate a row in its file (dropped before validation).
_FILE, _SHEET, _ROW = "_file", "_sheet", "_row"

_META = [_FILE, _SHEET, _ROW]

#: Template column kinds that hold free text: NIK/phone-like text masked (with ``pii_masked``) in all of them
#: (``Catatan``, but also a program or indicator name in a reference file).
FREE_TEXT_KINDS = ("text",)

#: Free-text columns also checked for text a spreadsheet would run or HTML (``Keterangan``, ``Catatan``).
FREE_TEXT_COLUMNS = ("note",)

#: Free text kept as text but worth a warning (data_quality_rules.md): what a spreadsheet would run as a
#: formula (``analysis.ingest.quality.excel_safe``, OWASP "CSV injection") and what looks like HTML markup.
FREE_TEXT_WARNING_TEXT = {
    "formula_text": "text a spreadsheet would run as a formula",
    "html_text": "text that looks like HTML markup",
}

_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?\s*>")

#: How ``no_period_files`` names an expected input and the first period that has it (inventory.EXPECTED_FROM).
_EXPECTED_LABEL = {
    "realisasi": ("agency report", "the first 100 days"),
    "laporan_rt": ("RT report", "2025-TW3 (the pilot RTs' first)"),
}

#: Units that mark an indicator measured in percent (its realisation/targets must lie in 0-1000).
PERCENT_UNITS = ("%", "persen", "percent")


def free_text_warnings(text: str) -> list[str]:
    """Warning codes for free text that is kept but could do harm if opened carelessly.

    >>> free_text_warnings('=HYPERLINK("http://x")'), free_text_warnings("<script>alert(1)</script>")
    (['formula_text'], ['html_text'])
    >>> free_text_warnings("Dana < 5 juta, -5000 dikembalikan"), free_text_warnings("-5000")
    ([], [])
    """
    codes = []
    if excel_safe(text) != text:
        codes.append("formula_text")
    if _HTML_TAG.search(text):
        codes.append("html_text")
    return codes


def _fmt(x: object) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _is_percent_format(fmt: str | None) -> bool:
    return bool(fmt) and "%" in str(fmt)


def parse_cell(kind: str, value: object, number_format: str | None = None) -> object:
    """Parse one raw cell of a template kind; raises :class:`analysis.ingest.parsing.ParseError`.

    ``number`` cells written as a percentage (``85 %`` or an Excel percent format) are read in percentage
    points (85.0). ``code`` cells are trimmed and upper-cased; ``text`` is whitespace-normalised.
    """
    if kind == "number":
        if _is_percent_format(number_format) or (isinstance(value, str) and "%" in value):
            return parsing.parse_percent(value, is_percent_format=_is_percent_format(number_format))
        return parsing.parse_number(value)
    if kind == "target" and _is_percent_format(number_format) and isinstance(value, (int, float)):
        x = parsing.parse_percent(value, is_percent_format=True)
        return (x, x)
    if kind == "code":
        text = parsing.normalise_text(value).upper()
        return text.replace(" - ", "-") or None
    if kind in ("text", "kecamatan", "kelurahan"):
        return parsing.normalise_text(value) or None
    return PARSER_BY_KIND[kind](value)


@lru_cache(maxsize=262144)
def _parse_cell_cached(kind: str, _type: type, value: object, number_format: str | None) -> object:
    """:func:`parse_cell`, remembered: cells repeat a lot (``Ya``, small counts, dates, kelurahan names).
    ``_type`` keeps ``1``, ``1.0`` and ``True`` apart; results are immutable (numbers, text, dates, tuples);
    a cell that cannot be read raises every time (exceptions are not cached)."""
    return parse_cell(kind, value, number_format)


@dataclass
class Place:
    """Where a row is: the resolved kelurahan/kecamatan codes and the RT number (``None`` when unknown)."""

    kelurahan_code: str | None = None
    rt_number: int | None = None
    rw: int | None = None


def resolve_place(
    values: dict, file: str, row: int, log: RunLog, header: Callable[[str], str]
) -> Place | None:
    """Kecamatan + kelurahan + RT of a row -> :class:`Place`; ``None`` after a rejection.

    The kelurahan decides: a kecamatan that does not contain it is a warning, not a rejection
    (data_quality_rules.md). An unknown kelurahan is ``unknown_kelurahan``.
    """
    ok = True
    kel_name, kec_name, rt_raw = (
        values.get("kelurahan_name"),
        values.get("kecamatan_name"),
        values.get("rt_number"),
    )
    place = Place()
    if kel_name is not None:
        try:
            kel_match = names.resolve_kelurahan(kel_name, kecamatan_hint=kec_name)
        except parsing.ParseError as exc:
            log.reject(file, row, "kelurahan_name", "unknown_kelurahan", str(exc))
            ok = False
        else:
            place.kelurahan_code = kel_match.code
            _warn_fuzzy_name(log, file, row, "kelurahan_name", kel_match)
    if rt_raw is not None:
        try:
            parsed = parsing.parse_rt(rt_raw)
        except parsing.ParseError as exc:
            log.reject(file, row, "rt_number", "unparseable", str(exc))
            ok = False
        else:
            if parsed is None:
                log.reject(file, row, "rt_number", "required_missing", f"{header('rt_number')} is blank")
                ok = False
            else:
                place.rt_number, place.rw = parsed
    if place.kelurahan_code is not None and kec_name is not None:
        kel = _kelurahan_row(place.kelurahan_code)
        kec_match = _kecamatan_match(str(kec_name))
        kec_code = kec_match.code if kec_match else None
        if kec_match is not None:
            _warn_fuzzy_name(log, file, row, "kecamatan_name", kec_match)
        if kec_code != kel["kecamatan_code"]:
            log.warn(
                file,
                "wrong_kecamatan",
                f"row {row}: kelurahan {kel['kelurahan_name']!r} is in kecamatan {kel['kecamatan_name']!r}, "
                f"not {parsing.normalise_text(kec_name)!r} as written; the kelurahan decides",
                row=row,
                name="kecamatan_name",
                value=kec_name,
            )
    return place if ok else None


def _kelurahan_row(code: str) -> dict:
    return _kelurahan_rows()[code]


@lru_cache(maxsize=1)
def _kelurahan_rows() -> dict[str, dict]:
    """Each official kelurahan's row (code, name, kecamatan code and name) by its code, built once per
    process (not a ``set_index`` of the table for every code looked up)."""
    table = kelurahan_table()
    return {row["kelurahan_code"]: row for row in table.to_dict("records")}


def _kecamatan_match(name: str) -> names.NameMatch | None:
    """The match of a written kecamatan name, or None when it matches none (the kelurahan decides: the
    ``wrong_kecamatan`` warning follows, never a rejection)."""
    try:
        return names.resolve_kecamatan(name)
    except parsing.ParseError:
        return None


def _warn_fuzzy_name(log: RunLog, file: str, row: int, column: str, match: names.NameMatch) -> None:
    """Warn ``name_fuzzy_match`` when ``match`` was found by edit distance (no warning otherwise)."""
    if not match.is_fuzzy:
        return
    what = "kelurahan" if column == "kelurahan_name" else "kecamatan"
    edits = f"{match.distance} edit{'s' if match.distance != 1 else ''}"
    log.warn(
        file,
        "name_fuzzy_match",
        f"row {row}: {what} {match.written!r} read as {match.official_name!r} ({edits} away, the only official"
        " name that close)",
        row=row,
        name=column,
        value=match.written,
    )


def parse_rows(files: list[RawFile], template: Template, log: RunLog) -> pd.DataFrame:
    """Candidate frame of one template: one row per data row of ``files``, parsed values (``None`` where a
    cell could not be read, with the rejection logged), plus ``_file``/``_sheet``/``_row``.

    Blank required cells are ``required_missing``; unreadable cells are ``unparseable``; both reject the
    row, except in a value column of a template with ``bad_value == "missing"`` (the registry), where the
    cell is reported and left missing (:meth:`RunLog.missing`). NIK/phone-like text in free text is masked
    with a warning. Personal columns are never read (see readers).
    """
    records: list[dict] = []
    columns = [c for c in template.columns if c.kind not in ("personal", "rowno")]
    values_left_missing = template.bad_value == "missing"

    def is_value(col) -> bool:
        return values_left_missing and col.name not in template.key_columns

    for raw in files:
        file = raw.rel_path

        def header(name: str, raw: RawFile = raw) -> str:
            return raw.headers.get(name) or raw.template.column(name).header

        for r in raw.rows:
            rec: dict = {_FILE: file, _SHEET: raw.sheet or "", _ROW: r.row}
            log.row_cells[(file, r.row)] = sum(
                1 for col in columns if r.values.get(col.name) is not None or col.name in r.formulas
            )
            log.count_cell(file, "filled_down", len(r.filled))
            for col in columns:
                value = r.values.get(col.name)
                if col.name in r.formulas:  # a formula without a saved result: not blank, unknown
                    formula = r.formulas[col.name]
                    text = f"{header(col.name)}: formula {formula!r} has no saved result (not computed)"
                    if col.required and not is_value(col):
                        log.reject(file, r.row, col.name, "formula_without_value", text, value=formula)
                    else:
                        log.missing(file, r.row, col.name, "formula_without_value", text, value=formula)
                    rec[col.name] = None
                    continue
                if col.name in r.conflicts:  # a column written twice whose copies differ in this row
                    letter, other = r.conflicts[col.name]
                    text = (
                        f"{header(col.name)} is written twice: {log.letter(file, col.name)} holds "
                        f"{display_value(value)!r}, {letter} holds {display_value(other)!r}"
                    )
                    if is_value(col):
                        log.missing(file, r.row, col.name, "duplicate_column", text)
                    else:
                        log.reject(file, r.row, col.name, "duplicate_column", text)
                    rec[col.name] = None
                    continue
                if value is None:
                    if col.required and is_value(col):
                        log.missing(file, r.row, col.name, "required_missing", f"{header(col.name)} is blank")
                    elif col.required:
                        log.reject(file, r.row, col.name, "required_missing", f"{header(col.name)} is blank")
                    rec[col.name] = None
                    continue
                if col.kind in ("rt", "kelurahan", "kecamatan") and template.key in (
                    "rt",
                    "laporan_rt",
                    "survei",
                ):
                    rec[col.name] = value  # resolved together below
                    continue
                try:
                    parsed = _parse_cell_cached(col.kind, value.__class__, value, r.formats.get(col.name))
                except parsing.ParseError as exc:
                    if is_value(col):
                        log.missing(file, r.row, col.name, "unparseable", f"{header(col.name)}: {exc}")
                    else:
                        log.reject(file, r.row, col.name, "unparseable", f"{header(col.name)}: {exc}")
                    rec[col.name] = None
                    continue
                if parsed is None and col.required and is_value(col):
                    log.missing(
                        file, r.row, col.name, "required_missing", f"{header(col.name)} is blank ({value!r})"
                    )
                elif parsed is None and col.required:
                    log.reject(
                        file, r.row, col.name, "required_missing", f"{header(col.name)} is blank ({value!r})"
                    )
                if col.kind in FREE_TEXT_KINDS and isinstance(parsed, str):
                    masked, kinds = privacy.mask_personal_text(parsed)
                    if kinds:
                        log.warn(
                            file,
                            "pii_masked",
                            f"row {r.row}, {header(col.name)}: {', '.join(sorted(set(kinds)))} masked",
                            row=r.row,
                            name=col.name,
                        )
                    parsed = masked
                    for code in free_text_warnings(parsed) if col.name in FREE_TEXT_COLUMNS else ():
                        log.warn(
                            file,
                            code,
                            f"row {r.row}, {header(col.name)}: {FREE_TEXT_WARNING_TEXT[code]}, kept as text",
                            row=r.row,
                            name=col.name,
                            value=parsed,
                        )
                rec[col.name] = parsed
            if template.key in ("rt", "laporan_rt", "survei"):
                place = resolve_place(rec, file, r.row, log, header)
                rec["kelurahan_code"] = place.kelurahan_code if place else None
                rec["rt_parsed"] = place.rt_number if place else None
                rec["rw_from_rt"] = place.rw if place else None
            records.append(rec)
    return pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=_META)


def _with_source(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(source_file=df[_FILE], source_sheet=df[_SHEET], source_row=df[_ROW])


def build_programs(cand: pd.DataFrame, tables: dict, log: RunLog) -> pd.DataFrame:
    """programs: one row per program (``program.csv``)."""
    spec = TABLES["programs"]
    df = cast_to_spec(cand, spec, tuple(_META)) if len(cand) else cand
    if len(df):
        apply_rules(df, spec, tables, log)
    return accepted_rows(df, spec, log)


def build_indicators(cand: pd.DataFrame, tables: dict, log: RunLog) -> pd.DataFrame:
    """indicators: one row per indicator (``indikator.csv``); polarity lower-cased, weight >= 0."""
    spec = TABLES["indicators"]
    if len(cand):
        cand = cand.assign(
            polarity=cand["polarity"].map(lambda v: v if v is None else str(v).strip().lower())
        )
        df = cast_to_spec(cand, spec, tuple(_META))
        apply_rules(df, spec, tables, log)
    else:
        df = cand
    return accepted_rows(df, spec, log)


def _is_percent_unit(unit: object) -> bool:
    return isinstance(unit, str) and unit.strip().lower() in PERCENT_UNITS


def _rule_percent_range(df: pd.DataFrame, columns: list[str], is_percent: pd.Series, log: RunLog) -> None:
    """A percentage outside PERCENT_MIN..PERCENT_MAX is ``out_of_range`` (data_quality_rules.md)."""
    for col in columns:
        bad = (
            (is_percent & ((df[col] < PERCENT_MIN) | (df[col] > PERCENT_MAX)))
            .fillna(False)
            .to_numpy(dtype=bool)
        )
        for idx in df.index[bad]:
            file, row = df.at[idx, _FILE], int(df.at[idx, _ROW])
            log.reject(
                file,
                row,
                col,
                "out_of_range",
                f"{log.header(file, col)}: {_fmt(df.at[idx, col])} % outside {PERCENT_MIN:g}..{PERCENT_MAX:g}",
            )


def build_targets(cand: pd.DataFrame, tables: dict, log: RunLog) -> pd.DataFrame:
    """targets: one row per indicator and period (all periods of ``target.csv``); ranges as low/high."""
    spec = TABLES["targets"]
    if not len(cand):
        return accepted_rows(cand, spec, log)
    periods, lows, highs, texts = [], [], [], []
    for _, r in cand.iterrows():
        file, row = r[_FILE], int(r[_ROW])
        raw_period = r["period"]
        try:
            periods.append(parse_period(raw_period) if raw_period is not None else None)
        except PeriodError as exc:
            log.reject(file, row, "period", "unparseable", str(exc))
            periods.append(None)
        target = r["target"]
        lows.append(target[0] if isinstance(target, tuple) else None)
        highs.append(target[1] if isinstance(target, tuple) else None)
        raw_target = log.value(file, row, "target")
        texts.append(None if raw_target is None else parsing.normalise_text(raw_target))
    cand = cand.assign(period=periods, target_low=lows, target_high=highs, target_text=texts)
    df = cast_to_spec(cand, spec, tuple(_META))
    apply_rules(df, spec, tables, log)
    units = df["indicator_code"].map(tables["indicators"].set_index("indicator_code")["unit"])
    is_percent = units.map(_is_percent_unit).astype(bool)
    _rule_percent_range(df, ["target_low", "target_high"], is_percent, log)
    rule_unit_bounds(df.loc[~is_percent], ["target_low", "target_high"], units[~is_percent], log)
    return accepted_rows(df, spec, log)


def build_rt_registry(cand: pd.DataFrame, tables: dict, log: RunLog) -> pd.DataFrame:
    """rt_registry: one row per RT (``rt.xlsx``); the RT key from kelurahan code and RT number."""
    spec = TABLES["rt_registry"]
    if not len(cand):
        return accepted_rows(cand, spec, log)
    kel = kelurahan_table().set_index("kelurahan_code")
    codes = cand["kelurahan_code"]
    rt_codes = [
        make_rt_code(k, n) if k is not None and n is not None and 0 < n < 1000 else None
        for k, n in zip(codes, cand["rt_parsed"], strict=True)
    ]
    rw = [a if a is not None else b for a, b in zip(cand["rw"], cand["rw_from_rt"], strict=True)]
    cand = cand.assign(
        rt_code=rt_codes,
        rt_number=cand["rt_parsed"],
        rw=rw,
        kelurahan_name=codes.map(kel["kelurahan_name"]),
        kecamatan_code=codes.map(kel["kecamatan_code"]),
        kecamatan_name=codes.map(kel["kecamatan_name"]),
    )
    df = cast_to_spec(cand, spec, tuple(_META))
    apply_rules(df, spec, tables, log)  # a start year out of range is left missing (a value column)
    df["is_pilot"] = (df["start_year"] == PILOT_START_YEAR).fillna(False).astype("boolean")
    return accepted_rows(df, spec, log)


#: The 67 pilot RTs joined in 2025 (Perwal Jambi 18/2025; domain.md).
PILOT_START_YEAR = 2025


def _rt_codes(cand: pd.DataFrame) -> list[str | None]:
    return [
        make_rt_code(k, n) if k is not None and n is not None and 0 < n < 1000 else None
        for k, n in zip(cand["kelurahan_code"], cand["rt_parsed"], strict=True)
    ]


def build_agency_reports(cand: pd.DataFrame, tables: dict, log: RunLog, period: str) -> pd.DataFrame:
    """agency_reports: one row per indicator for the period; target.csv wins over the restated target."""
    spec = TABLES["agency_reports"]
    if not len(cand):
        return accepted_rows(cand, spec, log)
    reported = cand["target_reported"]
    cand = _with_source(cand).assign(
        period=period,
        target_reported_low=[t[0] if isinstance(t, tuple) else None for t in reported],
        target_reported_high=[t[1] if isinstance(t, tuple) else None for t in reported],
    )
    df = cast_to_spec(cand, spec, tuple(_META))
    apply_rules(df, spec, tables, log, period)
    units = df["indicator_code"].map(tables["indicators"].set_index("indicator_code")["unit"])
    values = ["realisation", "target_reported_low", "target_reported_high"]
    is_percent = units.map(_is_percent_unit).astype(bool)
    _rule_percent_range(df, values, is_percent, log)
    rule_unit_bounds(df.loc[~is_percent], values, units[~is_percent], log)
    # target.csv wins: flag and warn where the agency restated a different target
    targets = tables["targets"]
    t = targets[targets["period"] == period].set_index("indicator_code")
    low, high = df["indicator_code"].map(t["target_low"]), df["indicator_code"].map(t["target_high"])
    has_both = df["target_reported_low"].notna() & low.notna()
    differs = ~(
        np.isclose(df["target_reported_low"].astype(float), low.astype(float))
        & np.isclose(df["target_reported_high"].astype(float), high.astype(float))
    )
    df["is_target_mismatch"] = pd.array(
        [bool(d) if h else None for d, h in zip(differs, has_both, strict=True)], dtype="boolean"
    )
    for idx in df.index[(df["is_target_mismatch"] == True).fillna(False).to_numpy(dtype=bool)]:  # noqa: E712
        file, row = df.at[idx, _FILE], int(df.at[idx, _ROW])
        log.warn(
            file,
            "target_mismatch",
            f"row {row}: {df.at[idx, 'indicator_code']} target as reported "
            f"{_range_text(df.at[idx, 'target_reported_low'], df.at[idx, 'target_reported_high'])} differs from "
            f"target.csv {_range_text(low[idx], high[idx])}; target.csv wins",
            row=row,
            name="target_reported",
            value=log.value(file, row, "target_reported"),
        )
    for idx in df.index[
        (df["indicator_code"].isin(tables["indicators"]["indicator_code"]) & low.isna()).to_numpy(dtype=bool)
    ]:
        log.warn(
            df.at[idx, _FILE],
            "no_target",
            f"row {df.at[idx, _ROW]}: no target for {df.at[idx, 'indicator_code']} in {period} in target.csv",
            row=int(df.at[idx, _ROW]),
            name="indicator_code",
            value=df.at[idx, "indicator_code"],
        )
    _warn_overspent(df, log, subject=lambda idx: str(df.at[idx, "indicator_code"]), accepted="accepted")
    return accepted_rows(df, spec, log)


def _range_text(low: float, high: float) -> str:
    return _fmt(low) if low == high else f"{_fmt(low)}-{_fmt(high)}"


def build_rt_reports(cand: pd.DataFrame, tables: dict, log: RunLog, period: str) -> pd.DataFrame:
    """rt_reports: one row per RT for the period; checked against the registry; overspending flagged."""
    spec = TABLES["rt_reports"]
    if not len(cand):
        return accepted_rows(cand, spec, log)
    cand = _with_source(cand.assign(period=period, rt_code=_rt_codes(cand)))
    df = cast_to_spec(cand, spec, tuple(_META))
    apply_rules(df, spec, tables, log, period)
    over = _warn_overspent(
        df, log, subject=lambda idx: f"RT {df.at[idx, 'rt_code']}", accepted="accepted, is_overspent"
    )
    df["is_overspent"] = pd.array(over, dtype="boolean")
    return accepted_rows(df, spec, log)


def _warn_overspent(df: pd.DataFrame, log: RunLog, subject, accepted: str) -> np.ndarray:
    """Warn (code ``overspent``) for every row spending above its allocation; return the boolean mask.

    Spending above the allocation is accepted and flagged, never rejected (docs/data_quality_rules.md).
    """
    over = (df["budget_spent_idr"] > df["budget_allocated_idr"]).fillna(False).to_numpy(dtype=bool)
    for idx in df.index[over]:
        log.warn(
            df.at[idx, _FILE],
            "overspent",
            f"row {df.at[idx, _ROW]}: {subject(idx)} spending {_fmt(df.at[idx, 'budget_spent_idr'])} above "
            f"the allocation {_fmt(df.at[idx, 'budget_allocated_idr'])} ({accepted})",
            row=int(df.at[idx, _ROW]),
            name="budget_spent_idr",
            value=float(df.at[idx, "budget_spent_idr"]),
        )
    return over


def build_survey(cand: pd.DataFrame, tables: dict, log: RunLog, period: str) -> pd.DataFrame:
    """survey: one row per respondent; ``respondent_no`` = 1..n within the RT in file order."""
    spec = TABLES["survey"]
    if not len(cand):
        return accepted_rows(cand, spec, log)
    cand = _with_source(cand.assign(period=period, rt_code=_rt_codes(cand), respondent_no=1))
    df = cast_to_spec(cand, spec, tuple(_META))
    apply_rules(df, spec, tables, log)
    rejected = log.rejected_keys()
    keep = np.array(
        [(f, int(r)) not in rejected for f, r in zip(df[_FILE], df[_ROW], strict=True)], dtype=bool
    )
    kept = df.loc[keep].sort_values([_FILE, _ROW], kind="mergesort")
    df.loc[kept.index, "respondent_no"] = (kept.groupby("rt_code", sort=False).cumcount() + 1).astype("Int64")
    return accepted_rows(df, spec, log)


@dataclass
class CleanResult:
    """What :func:`clean_source` produced: the cleaned tables, the rejected rows and the quality summary."""

    tables: dict[str, pd.DataFrame]
    rejected: pd.DataFrame
    quality: dict
    out_dir: Path
    #: the run's log (what :func:`feedback_inputs` reads to write the feedback workbooks later)
    log: RunLog | None = field(default=None, repr=False, compare=False)

    @property
    def has_problems(self) -> bool:
        """True when a row was rejected, a value cell left missing, a file could not be read, a file was
        skipped (lock and hidden files aside) or an input the period expects is missing (``no_period_files``):
        ``--strict`` exits 1."""
        return bool(self.problems())

    def problems(self) -> list[str]:
        """The problems :attr:`has_problems` stands for, one short English phrase each (the run's summary
        line): ``["17 row(s) rejected", "1 file(s) skipped", ...]``; empty when there are none."""
        t = self.quality["totals"]
        missing = sum(w["code"] == "no_period_files" for w in self.quality["warnings"])
        skipped = sum(f["reason_code"] not in NEVER_DATA for f in self.quality["skipped_files"])
        counts = (
            (t["rows_rejected"], "row(s) rejected"),
            (t["cells_left_missing"], "value cell(s) left missing"),
            (t["files_failed"], "file(s) unreadable"),
            (skipped, "file(s) skipped"),
            (missing, "expected input(s) without a file for the period"),
        )
        return [f"{n} {what}" for n, what in counts if n]


def clean_tables(
    raw_dir: Path, period: str, engine: str = "calamine", limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[dict[str, pd.DataFrame], RunLog]:
    """Read and clean every file of ``period`` (and the reference files); nothing is written.
    ``engine``: the workbook reader (:data:`analysis.ingest.readers.ENGINES`); ``limits``: the size and row
    limits checked before a file is parsed. Every other file of the source is listed in ``log.skipped``
    with its reason, or counted in ``log.other_period_files`` (:mod:`analysis.ingest.inventory`)."""
    log = RunLog()
    inventory = scan_source(raw_dir, period)
    # a skipped file's name can hold a phone number or a NIK as much as a read file's (readers masks those)
    log.skipped = [
        dataclasses.replace(f, path=privacy.mask_text(f.path), reason=privacy.mask_text(f.reason))
        for f in inventory.skipped
    ]
    log.other_period_files = inventory.other_periods
    files = read_inventory(inventory, engine=engine, limits=limits)
    for raw in files:
        log.add_file(raw)
    by_template: dict[str, list[RawFile]] = {}
    for raw in files:
        if raw.ok:
            by_template.setdefault(raw.template.key, []).append(raw)
    for raw in files:
        if not raw.ok and not raw.template.per_period:
            log.warn_run(
                "reference_unusable",
                f"reference file {raw.rel_path} unusable ({raw.status}); rows that need it are rejected",
                file=raw.rel_path,
            )
    for template in TEMPLATES:
        if template.per_period and is_expected(template, period) and not inventory.files_of(template):
            what, since = _EXPECTED_LABEL[template.key]
            log.warn_run(
                "no_period_files",
                f"no {what} for period {period} (no {template.folder}/{template.file_prefix}_{period}… file); "
                f"every period from {since} should have one",
                file=f"{template.folder}/",
            )
    if not any(raw.template.per_period for raw in files) and not log.run_warnings_of("no_period_files"):
        log.warn_run("no_period_files", f"no agency, RT or survey file for period {period} in {raw_dir}")

    def cand(key: str) -> pd.DataFrame:
        return parse_rows(by_template.get(key, []), TEMPLATES_BY_KEY[key], log)

    tables: dict[str, pd.DataFrame] = {}
    tables["programs"] = build_programs(cand("program"), tables, log)
    tables["indicators"] = build_indicators(cand("indikator"), tables, log)
    tables["targets"] = build_targets(cand("target"), tables, log)
    tables["rt_registry"] = build_rt_registry(cand("rt"), tables, log)
    tables["agency_reports"] = build_agency_reports(cand("realisasi"), tables, log, period)
    tables["rt_reports"] = build_rt_reports(cand("laporan_rt"), tables, log, period)
    tables["survey"] = build_survey(cand("survei"), tables, log, period)
    check_relations(tables)
    _drop_missing_warnings_of_rejected_rows(log)
    return {name: tables[name] for name in TABLES}, log


def _drop_missing_warnings_of_rejected_rows(log: RunLog) -> None:
    """A value left missing in a row rejected later is part of that rejection (``rejected_rows.csv``
    shows it with severity ``rejected``): its ``value_missing`` warning would say the row was kept."""
    rejected = log.rejected_keys()
    for file, found in log.warnings.items():
        found[:] = [w for w in found if not (w["code"] == "value_missing" and (file, w["row"]) in rejected)]


@fewer_collections()
def clean_source(
    raw_dir: Path,
    period: str,
    processed_dir: Path | None = None,
    strict: bool = False,
    engine: str = "calamine",
    feedback: bool = True,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> CleanResult:
    """Clean one data source for one period and write the outputs.

    ``processed_dir`` defaults to ``data/processed/<source folder name>/<period>/``. ``strict`` does not
    change the outputs (the CLI exits 1 when :attr:`CleanResult.has_problems`). ``feedback`` also writes
    one marked-up copy of every file read to ``<processed_dir>/feedback/`` (:mod:`analysis.ingest.feedback`).
    ``limits``: :class:`analysis.ingest.readers.ReadLimits` (file size, rows, cells, compression ratio).
    Raises :class:`~analysis.core.errors.UsageError` for a missing folder, a folder that is not a data source
    (none of the contract's folders) or an unknown period spelling.

    The period folder is written whole into a staging folder and swapped in under its lock
    (:mod:`analysis.core.atomic`): readers see the previous folder or the new one, and a failure (a full
    disk) leaves the previous one. It replaces the folder, evaluation tables included (``evaluate``
    rebuilds them: they were computed from the tables replaced here).
    """
    raw_dir, period = check_source_args(raw_dir, period)
    check_data_source(raw_dir)
    out_dir = Path(processed_dir) if processed_dir is not None else processed_dir_for(raw_dir, period)
    tables, log = clean_tables(raw_dir, period, engine=engine, limits=limits)
    rejected = rejected_frame(log)
    quality = build_quality(raw_dir, period, tables, log, rejected)
    with folder_lock(out_dir), staged_folder(out_dir) as staging:
        write_outputs(staging, tables, rejected, quality)
        if feedback:
            write_feedback(staging, log, source_label=source_label(raw_dir))
    return CleanResult(tables=tables, rejected=rejected, quality=quality, out_dir=out_dir, log=log)


def source_label(raw_dir: Path) -> str:
    """The data source's name on the feedback workbooks' summary (its folder's name)."""
    return Path(raw_dir).resolve().name


def feedback_problems(log: RunLog) -> dict[str, list[CellProblem]]:
    """Every cell problem of the run, per file: rejections (``rejected``), value cells left missing
    (``missing``) and the warnings about one row (``warning``); file-level warnings stay in ``quality.json``."""

    def problem(r: dict, reason_code: str, reason: str, severity: str) -> CellProblem:
        return CellProblem(
            sheet=r["sheet"] or None,
            row=int(r["row"]),
            column=r["column"] or None,
            column_letter=r.get("column_letter") or None,
            value=r["value"],
            reason_code=reason_code,
            reason=reason,
            severity=severity,
        )

    out: dict[str, list[CellProblem]] = {}
    for r in log.rejections:
        out.setdefault(r["file"], []).append(problem(r, r["reason_code"], r["reason"], r["severity"]))
    missing = {(r["file"], r["row"], r["column"]) for r in log.rejections if r["severity"] == "missing"}
    for file, records in log.warnings.items():
        for w in records:
            if w["row"] is None:
                continue  # about the whole file
            if w["code"] == "value_missing" and (file, w["row"], w["column"]) in missing:
                continue  # already listed as the cell left missing
            severity = "missing" if w.get("severity") == "missing" else "warning"
            out.setdefault(file, []).append(problem(w, w["code"], w["message"], severity))
    return out


FeedbackInputs = tuple[list[tuple[Path, str, "int | None"]], dict[str, list[CellProblem]]]


def feedback_inputs(log: RunLog) -> FeedbackInputs:
    """What the feedback workbooks of a run are made from: ``(files, problems)``, every file read as
    ``(path, rel_path, header_row)`` and its cell problems by ``rel_path`` (small and picklable: a worker
    process can write the workbooks, :func:`build_feedback`)."""
    files = [(raw.path, raw.rel_path, raw.header_row) for raw in log.files.values() if raw.ok]
    read = {rel for _, rel, _ in files}
    problems = {rel: ps for rel, ps in feedback_problems(log).items() if rel in read}
    return files, problems


def write_feedback(out_dir: Path, log: RunLog, lang: str = "id", source_label: str = "") -> list[Path]:
    """The feedback workbooks of a run (one per file read) in ``<out_dir>/feedback/``."""
    files, problems = feedback_inputs(log)
    return write_feedback_for_source(out_dir, files, problems, lang=lang, source_label=source_label)


@fewer_collections()
def build_feedback(
    raw_dir: Path, period: str, processed_dir: Path, inputs: FeedbackInputs | None = None
) -> Path:
    """Write the feedback workbooks of the cleaned period folder ``processed_dir`` into a staging folder
    beside it (``.<period>.staging-<owner>/feedback/``, no lock held: nothing of the folder is touched)
    and return that staging folder, for :func:`install_feedback`. ``inputs``: :func:`feedback_inputs` of
    the cleaning that made the folder; without them the period is cleaned again in memory (``raw_dir``,
    ``period``: :func:`clean_tables`, deterministic, so the same problems) for its log."""
    if inputs is None:
        raw_dir, period = check_source_args(raw_dir, period)
        inputs = feedback_inputs(clean_tables(raw_dir, period)[1])
    label = source_label(raw_dir)
    staging = new_staging(Path(processed_dir), token=f"feedback-{secrets.token_hex(4)}")
    try:
        write_feedback_for_source(staging, *inputs, source_label=label)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def install_feedback(processed_dir: Path, built: Path) -> None:
    """Put the feedback folder that :func:`build_feedback` wrote into ``built`` into the period folder
    ``processed_dir`` (replacing its ``feedback/``; every other file kept), under the folder's lock, the
    folder swapped whole (:func:`analysis.core.atomic.staged_folder`); ``built`` is removed."""
    out_dir, built = Path(processed_dir), Path(built)
    try:
        with folder_lock(out_dir), staged_folder(out_dir, seed=True) as staging:
            shutil.rmtree(staging / FEEDBACK_DIR, ignore_errors=True)
            if (built / FEEDBACK_DIR).is_dir():
                os.rename(built / FEEDBACK_DIR, staging / FEEDBACK_DIR)
    finally:
        shutil.rmtree(built, ignore_errors=True)


def rejected_frame(log: RunLog) -> pd.DataFrame:
    """``rejected_rows.csv`` rows: one per problem, sorted by file, row, column, reason code, reason.

    ``severity``: ``rejected`` for every line of a rejected row, ``missing`` for a value cell left missing
    in a kept row.
    """
    cols = list(REJECTED_COLUMNS)
    df = pd.DataFrame.from_records(log.rejections, columns=cols)
    rejected = log.rejected_keys()
    df["severity"] = [
        "rejected" if (f, int(r)) in rejected else s
        for f, r, s in zip(df["file"], df["row"], df["severity"], strict=True)
    ]
    df = df.astype({c: "str" for c in cols if c != "row"}).astype({"row": "int64"})
    df = df.drop_duplicates()
    return df.sort_values(["file", "row", "column", "reason_code", "reason"], kind="mergesort").reset_index(
        drop=True
    )


def load_cleaned(processed_dir: Path) -> dict[str, pd.DataFrame]:
    """The cleaned tables written by :func:`clean_source` (validated against their schemas)."""
    processed_dir = Path(processed_dir)
    missing = [name for name in TABLES if not (processed_dir / f"{name}.parquet").exists()]
    if missing:
        raise UsageError(f"not a cleaned period folder (missing {', '.join(missing)}): {processed_dir}")
    with reading(processed_dir):
        frames = {name: read_parquet_table(processed_dir / f"{name}.parquet") for name in TABLES}
    return {name: validate_table(name, frame) for name, frame in frames.items()}


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--raw", type=Path, default=SAMPLE_SOURCE, help="data source folder (default: the bundled sample)"
    )
    p.add_argument("--period", required=True, help="period, e.g. 2025-TW2, 'Triwulan II 2025', 100-hari")
    add_processed_argument(p)
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when a row was rejected, a file failed or was skipped, or an expected input is missing",
    )
    p.add_argument(
        "--no-feedback",
        dest="feedback",
        action="store_false",
        help="do not write the marked-up copies of the files (feedback/<file>.koreksi.xlsx) for their senders",
    )
    p.add_argument(
        "--max-file-mb",
        type=_positive_int,
        default=DEFAULT_LIMITS.max_bytes // MB,
        metavar="MB",
        help="largest workbook (uncompressed) or CSV file read; larger is a file error (default %(default)s)",
    )
    p.add_argument(
        "--max-rows",
        type=_positive_int,
        default=DEFAULT_LIMITS.max_rows,
        metavar="N",
        help="most rows of a sheet or CSV read; more is a file error (default %(default)s)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def limits_from_args(args: argparse.Namespace) -> ReadLimits:
    """The :class:`ReadLimits` of ``--max-file-mb``/``--max-rows`` (the cell limit follows the rows)."""
    rows = getattr(args, "max_rows", DEFAULT_LIMITS.max_rows)
    cells = max(DEFAULT_LIMITS.max_cells, rows * (DEFAULT_LIMITS.max_cells // DEFAULT_LIMITS.max_rows))
    return ReadLimits(
        max_bytes=getattr(args, "max_file_mb", DEFAULT_LIMITS.max_bytes // MB) * MB,
        max_rows=rows,
        max_cells=cells,
    )


def summary_lines(result: CleanResult) -> list[str]:
    """A short human summary of a run."""
    q = result.quality
    t = q["totals"]
    lines = [
        f"{q['source']} {q['period']}: {t['files']} files ({t['files_failed']} unusable), "
        f"{t['rows_accepted']} rows accepted, {t['rows_rejected']} rejected, {t['rows_non_data']} non-data rows",
    ]
    for file, info in q["files"].items():
        if info["status"] != "read":
            lines.append(f"  file error: {file}: {info['status']}")
    for w in q["warnings"]:
        lines.append(f"  warning: {w['message']}")
    for skipped in q["skipped_files"]:
        lines.append(f"  skipped: {skipped['path']}: {skipped['reason']}")
    if t["files_other_periods"]:
        n = t["files_other_periods"]
        lines.append(f"  {n} file{'s' if n != 1 else ''} of other periods not read")
    lines.append("  tables: " + ", ".join(f"{k} {v}" for k, v in q["tables"].items()))
    lines.append(f"  outputs: {result.out_dir}")
    if q.get("notice"):
        lines.append(f"  {q['notice']}")
    return lines


def main(args: argparse.Namespace) -> int:
    raw_dir, period = check_source_args(args.raw, args.period)
    out_dir = processed_dir_for(raw_dir, period, check_processed_root(args.processed, raw_dir))
    result = clean_source(
        raw_dir, period, out_dir, strict=args.strict, feedback=args.feedback, limits=limits_from_args(args)
    )
    print("\n".join(summary_lines(result)))
    return 1 if args.strict and result.has_problems else 0


if __name__ == "__main__":  # pragma: no cover
    from analysis.cli import main as cli_main

    sys.exit(cli_main(["clean", *sys.argv[1:]]))
