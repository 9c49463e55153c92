"""Clean one data source for one period: read, parse, apply the data-quality rules, write the cleaned tables.

``python -m analysis clean --raw DIR --period P [--processed DIR] [--strict]``

Steps (each data row of each file ends in exactly one place: a cleaned table or ``rejected_rows.csv``):

1. read every file of the period and the reference files (:mod:`analysis.readers`);
2. parse each typed cell (:mod:`analysis.parsing`); a cell that cannot be read rejects its row
   (``unparseable``), a blank required cell too (``required_missing``); free text is masked
   (:mod:`analysis.privacy`);
3. apply the rules declared in :mod:`analysis.schemas` (ranges, pair rules, keys, foreign keys, lookups),
   each broken rule adding a rejection with the reason codes of ``docs/data_quality_rules.md``;
4. validate each cleaned table with its pandera schema (a failure is a cleaner bug and raises);
5. write one Parquet per table, ``rejected_rows.csv`` and ``quality.json`` (:mod:`analysis.quality`).

Reference tables are built first (programs -> indicators -> targets, rt_registry), since the period's
tables are checked against them.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import names, parsing, privacy
from analysis.config import SAMPLE_SOURCE, check_source_args, processed_dir_for
from analysis.contract import TEMPLATES_BY_KEY, Template
from analysis.errors import UsageError
from analysis.periods import PeriodError, parse_period
from analysis.quality import build_quality, excel_safe, read_parquet_table, write_outputs
from analysis.readers import RawFile, RawRow, read_period
from analysis.reference import kelurahan_table, make_rt_code
from analysis.schemas import (
    PERCENT_MAX,
    PERCENT_MIN,
    REASONS,
    TABLES,
    WARNING_CODES,
    TableSpec,
    check_relations,
    empty_frame,
    validate_table,
)

#: Columns of the candidate frames that locate a row in its file (dropped before validation).
_FILE, _SHEET, _ROW = "_file", "_sheet", "_row"
_META = [_FILE, _SHEET, _ROW]

#: Template column kinds that hold free text (masked for NIK/phone-like text).
FREE_TEXT_KINDS = ("text",)
#: Free-text columns masked for personal data (``Keterangan``, ``Catatan``; data_quality_rules.md).
FREE_TEXT_COLUMNS = ("note",)
#: Free text kept as text but worth a warning (data_quality_rules.md): what a spreadsheet would run as a
#: formula (``analysis.quality.excel_safe``, OWASP "CSV injection") and what looks like HTML markup.
FREE_TEXT_WARNING_TEXT = {
    "formula_text": "text a spreadsheet would run as a formula",
    "html_text": "text that looks like HTML markup",
}
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?\s*>")

#: Units that mark an indicator measured in percent (its realisation/targets must lie in 0-1000).
PERCENT_UNITS = ("%", "persen", "percent")

#: Cleaned-table column -> the template column it comes from (for the ``column``/``value`` of rejections).
SOURCE_COLUMN = {
    "rt_code": "rt_number",
    "kelurahan_code": "kelurahan_name",
    "target_low": "target",
    "target_high": "target",
    "target_reported_low": "target_reported",
    "target_reported_high": "target_reported",
}


# --------------------------------------------------------------------------------------------------
# Rejections


@dataclass
class RunLog:
    """Rejections and warnings collected while cleaning; raw rows kept to quote the values as written."""

    files: dict[str, RawFile] = field(default_factory=dict)
    rows: dict[tuple[str, int], RawRow] = field(default_factory=dict)
    rejections: list[dict] = field(default_factory=list)
    #: per file, then run level: warning records (:func:`warning_record`), in the order they were found
    warnings: dict[str, list[dict]] = field(default_factory=dict)
    run_warnings: list[dict] = field(default_factory=list)

    def add_file(self, raw: RawFile) -> None:
        self.files[raw.rel_path] = raw
        self.warnings.setdefault(raw.rel_path, []).extend(
            warning_record(w.code, w.message, raw.rel_path, raw.sheet, column=w.column, value=w.value)
            for w in raw.warnings
        )
        for r in raw.rows:
            self.rows[(raw.rel_path, r.row)] = r

    def header(self, file: str, name: str | None) -> str:
        if name is None:
            return ""
        src = SOURCE_COLUMN.get(name, name)
        raw = self.files[file]
        if src in raw.headers:
            return raw.headers[src]
        try:
            return raw.template.column(src).header
        except KeyError:
            return src

    def value(self, file: str, row: int, name: str | None) -> object:
        if name is None:
            return ""
        src = SOURCE_COLUMN.get(name, name)
        return self.rows[(file, row)].values.get(src)

    def reject(
        self, file: str, row: int, name: str | None, reason_code: str, reason: str, value: object = None
    ) -> None:
        if reason_code not in REASONS:
            raise KeyError(f"unknown reason code {reason_code!r}")
        raw = self.files[file]
        cell = self.value(file, row, name) if value is None else value
        self.rejections.append(
            {
                "file": file,
                "sheet": raw.sheet or "",
                "row": int(row),
                "column": self.header(file, name),
                "value": display_value(cell),
                "reason_code": reason_code,
                "reason": privacy.mask_quoted_value(reason, cell),  # mask the quoted cell, not the reason
            }
        )

    def warn(
        self,
        file: str,
        code: str,
        message: str,
        row: int | None = None,
        name: str | None = None,
        value: object = None,
    ) -> None:
        """A warning about ``file`` (``row``, cleaned column ``name`` shown as its header as written, and
        ``value`` as written where they apply); ``code`` from ``analysis.schemas.WARNING_CODES``."""
        self.warnings.setdefault(file, []).append(
            warning_record(
                code,
                message,
                file,
                self.files[file].sheet if file in self.files else None,
                row=row,
                column=self.header(file, name) if name is not None and file in self.files else name,
                value=value,
            )
        )

    def warn_run(self, code: str, message: str, file: str | None = None) -> None:
        """A run-level warning (not about one row), optionally naming a file."""
        self.run_warnings.append(warning_record(code, message, file))

    def rejected_keys(self) -> set[tuple[str, int]]:
        return {(r["file"], r["row"]) for r in self.rejections}


def display_value(value: object) -> str:
    """A raw cell as text for ``rejected_rows.csv``, NIK/phone-like text masked.

    >>> display_value(12500000.0), display_value(None), display_value(datetime(2025, 6, 30))
    ('12500000', '', '2025-06-30')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    masked, _ = privacy.mask_personal_text(text)
    return masked


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


def warning_record(
    code: str,
    message: str,
    file: str | None = None,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
) -> dict:
    """One warning of ``quality.json``: fixed keys in a fixed order, ``None`` where a field does not apply;
    ``value`` as written (:func:`display_value`) and ``message`` as written except where it quotes ``value``
    (masked there, :func:`analysis.privacy.mask_quoted_value`).

    >>> warning_record("overspent", "row 6: spending above the allocation", "f.xlsx", "Laporan RT", 6, "Realisasi", 5.1e7)
    {'code': 'overspent', 'file': 'f.xlsx', 'sheet': 'Laporan RT', 'row': 6, 'column': 'Realisasi', 'value': '51000000', 'message': 'row 6: spending above the allocation'}
    """
    if code not in WARNING_CODES:
        raise KeyError(f"unknown warning code {code!r}; known: {sorted(WARNING_CODES)}")
    return {
        "code": code,
        "file": file,
        "sheet": sheet or None,
        "row": None if row is None else int(row),
        "column": column or None,
        "value": None if value is None else display_value(value),
        "message": privacy.mask_quoted_value(message, value),
    }


def _fmt(x: object) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


# --------------------------------------------------------------------------------------------------
# Step 2: parse the cells of one template's rows into a candidate frame


def _is_percent_format(fmt: str | None) -> bool:
    return bool(fmt) and "%" in str(fmt)


def parse_cell(kind: str, value: object, number_format: str | None = None) -> object:
    """Parse one raw cell of a template kind; raises :class:`analysis.parsing.ParseError`.

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
    return parsing.PARSER_BY_KIND[kind](value)


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


@lru_cache(maxsize=256)
def _kelurahan_row(code: str) -> dict:
    row = kelurahan_table().set_index("kelurahan_code").loc[code]
    return {"kelurahan_code": code, **row.to_dict()}


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

    Blank required cells are ``required_missing``; unreadable cells are ``unparseable``; NIK/phone-like
    text in free text is masked with a warning. Personal columns are never read (see readers).
    """
    records: list[dict] = []
    columns = [c for c in template.columns if c.kind not in ("personal", "rowno")]
    for raw in files:
        file = raw.rel_path

        def header(name: str, raw: RawFile = raw) -> str:
            return raw.headers.get(name) or raw.template.column(name).header

        for r in raw.rows:
            rec: dict = {_FILE: file, _SHEET: raw.sheet or "", _ROW: r.row}
            for col in columns:
                value = r.values.get(col.name)
                if value is None:
                    if col.required:
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
                    parsed = parse_cell(col.kind, value, r.formats.get(col.name))
                except parsing.ParseError as exc:
                    log.reject(file, r.row, col.name, "unparseable", f"{header(col.name)}: {exc}")
                    rec[col.name] = None
                    continue
                if parsed is None and col.required:
                    log.reject(
                        file, r.row, col.name, "required_missing", f"{header(col.name)} is blank ({value!r})"
                    )
                if col.name in FREE_TEXT_COLUMNS and isinstance(parsed, str):
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
                    for code in free_text_warnings(parsed):
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


# --------------------------------------------------------------------------------------------------
# Step 3: rules declared in analysis.schemas, as row rejections


def cast_to_spec(df: pd.DataFrame, spec: TableSpec, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The spec's columns with their dtypes (missing columns as all-NA), plus ``extra`` columns as they are."""
    out = {}
    for f in spec.fields:
        values = df[f.name] if f.name in df.columns else pd.Series([None] * len(df), index=df.index)
        out[f.name] = _cast(values, f.dtype)
    for name in extra:
        out[name] = df[name]
    return pd.DataFrame(out, index=df.index)


def _cast(values: pd.Series, dtype: str) -> pd.Series:
    values = values.astype(object).where(values.notna(), None)
    if dtype == "str":
        return values.map(lambda v: v if v is None else str(v)).astype("str")
    if dtype == "Int64":
        return pd.Series(pd.array(list(values), dtype="Int64"), index=values.index)
    if dtype == "float64":
        return pd.to_numeric(values, errors="raise").astype("float64")
    if dtype == "boolean":
        return pd.Series(pd.array(list(values), dtype="boolean"), index=values.index)
    if dtype.startswith("datetime64"):
        return pd.to_datetime(values.map(lambda v: v if v is None else pd.Timestamp(v))).astype(dtype)
    raise ValueError(f"unknown dtype {dtype!r}")


def rule_ranges(df: pd.DataFrame, spec: TableSpec, log: RunLog) -> None:
    """Values outside a field's declared range or allowed set (``negative_value``/``out_of_range``/``unparseable``)."""
    for f in spec.fields:
        if f.name not in df.columns or (f.min is None and f.max is None and f.isin is None):
            continue
        s = df[f.name]
        measured = s.dt.year if f.dtype.startswith("datetime64") else s
        bad = pd.Series(False, index=df.index)
        if f.min is not None:
            bad |= (measured < f.min).fillna(False)
        if f.max is not None:
            bad |= (measured > f.max).fillna(False)
        if f.isin is not None:
            bad |= s.notna() & ~s.isin(list(f.isin))
        if f.isin:
            allowed = f"is not one of {', '.join(f.isin)}"
        elif f.max is None:
            allowed = f"is below {_bound(f.min)}"
        else:
            allowed = f"is outside {_bound(f.min)}..{_bound(f.max)}"
        for idx in df.index[bad.to_numpy(dtype=bool)]:
            file, row = df.at[idx, _FILE], int(df.at[idx, _ROW])
            reason = "unparseable" if f.isin else f.range_reason
            text = f"{log.header(file, f.name)}: {_fmt(measured[idx])} {allowed}"
            log.reject(file, row, f.name, reason, text)


def _bound(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def rule_pairs(df: pd.DataFrame, spec: TableSpec, log: RunLog) -> None:
    """Pair rules ``left <= right`` (``completed_gt_planned`` ...)."""
    for rule in spec.pair_rules:
        left, right = df[rule.left], df[rule.right]
        bad = (left > right).fillna(False).to_numpy(dtype=bool)
        for idx in df.index[bad]:
            file, row = df.at[idx, _FILE], int(df.at[idx, _ROW])
            log.reject(
                file,
                row,
                rule.left,
                rule.reason,
                f"{log.header(file, rule.left)} ({_fmt(left[idx])}) > {log.header(file, rule.right)} ({_fmt(right[idx])})",
            )


def rule_foreign_keys(
    df: pd.DataFrame, spec: TableSpec, tables: dict[str, pd.DataFrame], log: RunLog
) -> None:
    """Values that must exist in a reference table (``unknown_rt``, ``unknown_indicator`` ...)."""
    for fk in spec.foreign_keys:
        ref = tables[fk.ref_table][fk.ref_column]
        bad = (df[fk.column].notna() & ~df[fk.column].isin(ref)).to_numpy(dtype=bool)
        for idx in df.index[bad]:
            file, row = df.at[idx, _FILE], int(df.at[idx, _ROW])
            log.reject(
                file,
                row,
                fk.column,
                fk.reason,
                f"{log.header(file, fk.column)}: {df.at[idx, fk.column]} is not in {fk.ref_table}",
            )


def rule_lookups(df: pd.DataFrame, spec: TableSpec, tables: dict[str, pd.DataFrame], log: RunLog) -> None:
    """``column <= ref_table.ref_column`` of the same key (``households_gt_registry``)."""
    for lk in spec.lookups:
        ref = tables[lk.ref_table].set_index(lk.key)[lk.ref_column]
        limit = df[lk.key].map(ref)
        bad = (df[lk.column] > limit).fillna(False).to_numpy(dtype=bool)
        for idx in df.index[bad]:
            file, row = df.at[idx, _FILE], int(df.at[idx, _ROW])
            log.reject(
                file,
                row,
                lk.column,
                lk.reason,
                f"{log.header(file, lk.column)} ({_fmt(df.at[idx, lk.column])}) > {lk.ref_column} of "
                f"{df.at[idx, lk.key]} in {lk.ref_table} ({_fmt(limit[idx])})",
            )


def rule_duplicates(df: pd.DataFrame, spec: TableSpec, log: RunLog) -> None:
    """All copies of a key seen twice are rejected (``duplicate``), each naming the other rows."""
    if not spec.key or df.empty:
        return
    key = list(spec.key)
    valid = df[key].notna().all(axis=1)
    dup = valid & df.duplicated(key, keep=False)
    if not dup.any():
        return
    groups = df[dup].groupby(key, sort=True, dropna=True)
    for key_value, group in groups:
        places = [(f, int(r)) for f, r in zip(group[_FILE], group[_ROW], strict=True)]
        key_text = "/".join(map(str, key_value if isinstance(key_value, tuple) else (key_value,)))
        for file, row in places:
            others = "; ".join(
                f"{of} row {orow}" if of != file else f"row {orow}"
                for of, orow in places
                if (of, orow) != (file, row)
            )
            log.reject(file, row, spec.key[0], "duplicate", f"{key_text} also in {others}")


def apply_rules(df: pd.DataFrame, spec: TableSpec, tables: dict[str, pd.DataFrame], log: RunLog) -> None:
    """Every rule of ``spec`` (ranges, pairs, foreign keys, lookups, duplicates), logging rejections."""
    rule_ranges(df, spec, log)
    rule_pairs(df, spec, log)
    rule_foreign_keys(df, spec, tables, log)
    rule_lookups(df, spec, tables, log)
    rule_duplicates(df, spec, log)


def accepted_rows(df: pd.DataFrame, spec: TableSpec, log: RunLog) -> pd.DataFrame:
    """Rows with no rejection, in the spec's columns, sorted by its key, validated by its pandera schema."""
    if not len(df):
        return validate_table(spec.name, empty_frame(spec))
    rejected = log.rejected_keys()
    keep = np.array(
        [(f, int(r)) not in rejected for f, r in zip(df[_FILE], df[_ROW], strict=True)], dtype=bool
    )
    out = df.loc[keep].sort_values([*spec.sort_by, _FILE, _ROW], kind="mergesort")
    return validate_table(spec.name, out[spec.columns].reset_index(drop=True))


# --------------------------------------------------------------------------------------------------
# Table builders (one per cleaned table): candidates -> typed frame -> rules -> accepted


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
    _rule_percent_range(df, ["target_low", "target_high"], units.map(_is_percent_unit).astype(bool), log)
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
        is_pilot=[y == PILOT_START_YEAR if y is not None else False for y in cand["start_year"]],
    )
    df = cast_to_spec(cand, spec, tuple(_META))
    apply_rules(df, spec, tables, log)
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
    apply_rules(df, spec, tables, log)
    units = df["indicator_code"].map(tables["indicators"].set_index("indicator_code")["unit"])
    _rule_percent_range(
        df,
        ["realisation", "target_reported_low", "target_reported_high"],
        units.map(_is_percent_unit).astype(bool),
        log,
    )
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
    apply_rules(df, spec, tables, log)
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


# --------------------------------------------------------------------------------------------------
# The run


@dataclass
class CleanResult:
    """What :func:`clean_source` produced: the cleaned tables, the rejected rows and the quality summary."""

    tables: dict[str, pd.DataFrame]
    rejected: pd.DataFrame
    quality: dict
    out_dir: Path

    @property
    def has_problems(self) -> bool:
        """True when a row was rejected or a file could not be read (``--strict`` exits 1)."""
        t = self.quality["totals"]
        return bool(t["rows_rejected"] or t["files_failed"])


def clean_tables(raw_dir: Path, period: str) -> tuple[dict[str, pd.DataFrame], RunLog]:
    """Read and clean every file of ``period`` (and the reference files); nothing is written."""
    log = RunLog()
    files = read_period(raw_dir, period)
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
    if not any(raw.template.per_period for raw in files):
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
    return {name: tables[name] for name in TABLES}, log


def clean_source(
    raw_dir: Path, period: str, processed_dir: Path | None = None, strict: bool = False
) -> CleanResult:
    """Clean one data source for one period and write the outputs.

    ``processed_dir`` defaults to ``data/processed/<source folder name>/<period>/``. ``strict`` does not
    change the outputs (the CLI exits 1 when :attr:`CleanResult.has_problems`). Raises
    :class:`~analysis.errors.UsageError` for a missing folder or an unknown period spelling.
    """
    raw_dir, period = check_source_args(raw_dir, period)
    out_dir = Path(processed_dir) if processed_dir is not None else processed_dir_for(raw_dir, period)
    tables, log = clean_tables(raw_dir, period)
    rejected = rejected_frame(log)
    quality = build_quality(raw_dir, period, tables, log, rejected)
    write_outputs(out_dir, tables, rejected, quality)
    return CleanResult(tables=tables, rejected=rejected, quality=quality, out_dir=out_dir)


def rejected_frame(log: RunLog) -> pd.DataFrame:
    """``rejected_rows.csv`` rows: one per problem, sorted by file, row, column, reason code, reason."""
    cols = ["file", "sheet", "row", "column", "value", "reason_code", "reason"]
    df = pd.DataFrame.from_records(log.rejections, columns=cols)
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
    return {
        name: validate_table(name, read_parquet_table(processed_dir / f"{name}.parquet")) for name in TABLES
    }


# --------------------------------------------------------------------------------------------------
# Command line


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--raw", type=Path, default=SAMPLE_SOURCE, help="data source folder (default: the bundled sample)"
    )
    p.add_argument("--period", required=True, help="period, e.g. 2025-TW2, 'Triwulan II 2025', 100-hari")
    p.add_argument(
        "--processed",
        type=Path,
        default=None,
        help="output folder (default data/processed/<source>/<period>/)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when any row was rejected or a file failed")


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
    lines.append("  tables: " + ", ".join(f"{k} {v}" for k, v in q["tables"].items()))
    lines.append(f"  outputs: {result.out_dir}")
    if q.get("notice"):
        lines.append(f"  {q['notice']}")
    return lines


def main(args: argparse.Namespace) -> int:
    result = clean_source(args.raw, args.period, args.processed, strict=args.strict)
    print("\n".join(summary_lines(result)))
    return 1 if args.strict and result.has_problems else 0


if __name__ == "__main__":  # pragma: no cover
    from analysis.cli import main as cli_main

    sys.exit(cli_main(["clean", *sys.argv[1:]]))
