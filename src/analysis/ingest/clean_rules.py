"""Step 3 of cleaning: the rules declared in :mod:`analysis.ingest.schemas`, turned into rejections and cell-level
problems on a candidate frame (one row per data row, with ``_file``/``_sheet``/``_row``).

Keys and values (``docs/data_quality_rules.md``): in a table read from a template whose ``bad_value`` is
``"missing"`` (the RT registry), a value outside its range is left missing and reported at cell level
(severity ``missing``); everywhere else, and always for a key column, a broken rule rejects the row.
A row rejected because of another table's row (``unknown_rt`` of an RT whose registry row was rejected)
names that row and why it was rejected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.ingest.contract import TEMPLATES_BY_KEY
from analysis.ingest.plausibility import rule_bounds
from analysis.ingest.schemas import TableSpec, empty_frame, validate_table

if TYPE_CHECKING:
    from analysis.ingest.runlog import RunLog

_FILE, _SHEET, _ROW = "_file", "_sheet", "_row"


def _fmt(x: object) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def value_columns(spec: TableSpec) -> frozenset[str]:
    """Columns of ``spec`` whose bad values are left missing rather than rejecting the row: every template
    column but the keys, in a template with ``bad_value == "missing"`` (else none)."""
    template = TEMPLATES_BY_KEY.get(spec.template or "")
    if template is None or template.bad_value != "missing":
        return frozenset()
    keys = set(template.key_columns)
    return frozenset(c.name for c in template.columns if c.name not in keys) & set(spec.columns)


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
        leave_missing = f.name in value_columns(spec)
        for idx in df.index[bad.to_numpy(dtype=bool)]:
            file, row = df.at[idx, _FILE], int(df.at[idx, _ROW])
            reason = "unparseable" if f.isin else f.range_reason
            text = f"{log.header(file, f.name)}: {_fmt(measured[idx])} {allowed}"
            if leave_missing:
                df.at[idx, f.name] = pd.NA
                log.missing(file, row, f.name, reason, text)
            else:
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
        rejected_refs = log.rejected_refs.get((fk.ref_table, fk.ref_column), {})
        for idx in df.index[bad]:
            file, row = df.at[idx, _FILE], int(df.at[idx, _ROW])
            value = df.at[idx, fk.column]
            because = rejected_refs.get(value)
            log.reject(
                file,
                row,
                fk.column,
                fk.reason,
                f"{log.header(file, fk.column)}: {value}: {because}"
                if because
                else f"{log.header(file, fk.column)}: {value} is not in {fk.ref_table}",
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


#: A duplicate's reason names at most this many of the other copies, then counts the rest ("and 57 more
#: rows"): naming every copy in every copy's reason grows with the square of the copies (issue 11).
DUPLICATE_ROWS_NAMED = 5


def rule_duplicates(df: pd.DataFrame, spec: TableSpec, log: RunLog) -> None:
    """All copies of a key seen twice are rejected (``duplicate``), each naming the other rows (at most
    :data:`DUPLICATE_ROWS_NAMED` of them, then how many more), so the work stays linear in rows."""
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
        named = places[: DUPLICATE_ROWS_NAMED + 1]  # one more, since a row never names itself
        for file, row in places:
            others = [(of, orow) for of, orow in named if (of, orow) != (file, row)][:DUPLICATE_ROWS_NAMED]
            text = "; ".join(f"{of} row {orow}" if of != file else f"row {orow}" for of, orow in others)
            more = len(places) - 1 - len(others)
            if more:
                text += f" and {more} more row{'s' if more != 1 else ''}"
            log.reject(file, row, spec.key[0], "duplicate", f"{key_text} also in {text}")


def apply_rules(
    df: pd.DataFrame, spec: TableSpec, tables: dict[str, pd.DataFrame], log: RunLog, period: str | None = None
) -> None:
    """Every rule of ``spec`` (ranges, plausibility bounds of ``config/plausibility.yml``, pairs, foreign
    keys, lookups, duplicates), logging rejections; ``period`` sizes the bounds counted per day."""
    rule_ranges(df, spec, log)
    rule_bounds(df, spec.name, log, period, leave_missing=value_columns(spec))
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
    _record_rejected_refs(df.loc[~keep], spec, log)
    out = df.loc[keep].sort_values([*spec.sort_by, _FILE, _ROW], kind="mergesort")
    return validate_table(spec.name, out[spec.columns].reset_index(drop=True))


def _record_rejected_refs(rejected: pd.DataFrame, spec: TableSpec, log: RunLog) -> None:
    """For a one-column key: key value of each rejected row -> "its <table> row <file>:<row> was rejected
    (<column> '<value>'; ...)", so that rows of other tables pointing at it can name the cause."""
    if len(spec.key) != 1 or spec.key[0] not in rejected.columns:
        return
    key = spec.key[0]
    reasons: dict[object, list[str]] = {}
    for file, row, value in zip(rejected[_FILE], rejected[_ROW], rejected[key], strict=True):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            continue
        problems = log.problems_of(file, int(row))
        reasons.setdefault(value, []).append(f"{file}:{int(row)} ({problems})")
    table = spec.name.replace("_", " ").removesuffix("s") if spec.name != "rt_registry" else "registry"
    log.rejected_refs[(spec.name, key)] = {
        value: f"its {table} row {places[0]} was rejected"
        if len(places) == 1
        else f"its {table} rows {'; '.join(places)} were rejected"
        for value, places in reasons.items()
    }
