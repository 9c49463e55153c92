"""Upper bounds of reported figures that no RT or agency can reach (``config/plausibility.yml``).

A figure above its bound (``1e308`` Rupiah, ``10^15`` meetings) is a typing or export error, never a
measurement; letting it through overflows the sums and ratios of the evaluation. The cleaner rejects such a
row as ``implausible_value``, the reason naming the bound and its source (:func:`rule_bounds`, called from
:func:`analysis.ingest.clean_rules.apply_rules`); a registry value is left missing instead, as any bad
registry value. Negative figures are the schemas' rule (``negative_value``), not this module's.

Bounds are configuration: each has its source or reasoning next to it in the YAML, and
``docs/data_quality_rules.md`` lists them.

>>> b = load_bounds()
>>> b.column_bound("rt_reports", "budget_allocated_idr", "2025-TW3").max
1000000000.0
>>> b.column_bound("rt_reports", "meetings_held", "2025-TW3").max  # 92 days x 3
276.0
>>> b.unit_bound("orang").name, b.unit_bound("km").name
('people', 'other')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.config import CONFIG_DIR, read_yaml
from analysis.core.errors import ConfigError
from analysis.core.periods import period_info

if TYPE_CHECKING:
    from analysis.ingest.runlog import RunLog

PLAUSIBILITY_CONFIG = CONFIG_DIR / "plausibility.yml"

#: Reason code of a figure above its bound (``analysis.ingest.schemas.REASONS``).
REASON = "implausible_value"

_FILE, _ROW = "_file", "_row"


@dataclass(frozen=True)
class Bound:
    """One upper bound: the largest plausible value, and where it comes from."""

    name: str  # "<table>.<column>" or the unit group ("people", "rupiah", "other")
    max: float
    source: str


@dataclass(frozen=True)
class Bounds:
    """The bounds of ``config/plausibility.yml``: per table column, and for indicator values by unit."""

    columns: dict[str, dict[str, dict]]  # table -> column -> {"max" or "max_per_day", "source"}
    unit_groups: tuple[tuple[str, frozenset[str], float, str], ...]  # (group, units, max, source)
    other: Bound
    path: str

    def column_bound(self, table: str, column: str, period: str | None) -> Bound | None:
        """The bound of ``table.column`` (``None`` when there is none); a ``max_per_day`` bound needs the
        period (days in it x the rate) and is skipped without one."""
        entry = self.columns.get(table, {}).get(column)
        if entry is None:
            return None
        if "max_per_day" in entry:
            if period is None:
                return None
            info = period_info(period)
            days = (info.end - info.start).days + 1
            return Bound(f"{table}.{column}", float(days * entry["max_per_day"]), entry["source"])
        return Bound(f"{table}.{column}", float(entry["max"]), entry["source"])

    def unit_bound(self, unit: object) -> Bound:
        """The bound of an indicator value measured in ``unit`` (the group listing it, else ``other``)."""
        text = " ".join(str(unit).lower().split()) if isinstance(unit, str) else ""
        for name, units, top, source in self.unit_groups:
            if text in units:
                return Bound(name, top, source)
        return self.other


def _number(path: Path, key: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ConfigError(f"{path}: key '{key}' must be a positive number, got {value!r}")
    return float(value)


def _source(path: Path, key: str, entry: dict) -> str:
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ConfigError(f"{path}: key '{key}.source' must say where the bound comes from")
    return source.strip()


@lru_cache(maxsize=8)
def load_bounds(path: Path = PLAUSIBILITY_CONFIG) -> Bounds:
    """Read and check ``config/plausibility.yml``; a :class:`~analysis.core.errors.ConfigError` names the
    file and the key of anything wrong (unknown table or column, a bound that is not a positive number, a
    bound without its source)."""
    from analysis.ingest.schemas import TABLES  # the tables and columns a bound may name

    path = Path(path)
    data, _ = read_yaml(path, "plausibility bounds")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of tables to bounds")
    columns: dict[str, dict[str, dict]] = {}
    unit_groups: list[tuple[str, frozenset[str], float, str]] = []
    other: Bound | None = None
    for table, entries in data.items():
        if not isinstance(entries, dict):
            raise ConfigError(f"{path}: key '{table}' must be a mapping")
        if table == "indicator_values":
            for group, entry in entries.items():
                key = f"{table}.{group}"
                if not isinstance(entry, dict):
                    raise ConfigError(f"{path}: key '{key}' must be a mapping")
                top, source = _number(path, f"{key}.max", entry.get("max")), _source(path, key, entry)
                if group == "other":
                    other = Bound("other", top, source)
                    continue
                units = entry.get("units")
                if not isinstance(units, list) or not units:
                    raise ConfigError(f"{path}: key '{key}.units' must list the units of the group")
                unit_groups.append(
                    (group, frozenset(" ".join(str(u).lower().split()) for u in units), top, source)
                )
            continue
        if table not in TABLES:
            raise ConfigError(f"{path}: key '{table}' is not a cleaned table ({', '.join(TABLES)})")
        for column, entry in entries.items():
            key = f"{table}.{column}"
            if column not in TABLES[table].columns:
                raise ConfigError(f"{path}: key '{key}': {table} has no column {column!r}")
            if not isinstance(entry, dict) or len({"max", "max_per_day"} & set(entry)) != 1:
                raise ConfigError(f"{path}: key '{key}' needs one of 'max' or 'max_per_day', and 'source'")
            rate = "max" if "max" in entry else "max_per_day"
            columns.setdefault(table, {})[column] = {
                rate: _number(path, f"{key}.{rate}", entry[rate]),
                "source": _source(path, key, entry),
            }
    if other is None:
        raise ConfigError(f"{path}: key 'indicator_values.other' (the bound of any other unit) is missing")
    return Bounds(columns, tuple(unit_groups), other, str(path))


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) < 1e15 else f"{x:g}"


def _reject_above(
    df: pd.DataFrame, column: str, limit: pd.Series, bound_of, log: RunLog, leave_missing: bool
) -> None:
    values = df[column].astype("float64")
    bad = (values > limit).fillna(False).to_numpy(dtype=bool)
    for idx in df.index[bad]:
        file, row = df.at[idx, _FILE], int(df.at[idx, _ROW])
        bound = bound_of(idx)
        text = (
            f"{log.header(file, column)}: {values[idx]:g} is above the plausible bound {_fmt(bound.max)} "
            f"({bound.source})"
        )
        if leave_missing:
            df.at[idx, column] = pd.NA
            log.missing(file, row, column, REASON, text)
        else:
            log.reject(file, row, column, REASON, text)


def rule_bounds(
    df: pd.DataFrame,
    table: str,
    log: RunLog,
    period: str | None = None,
    leave_missing: frozenset[str] = frozenset(),
    bounds: Bounds | None = None,
) -> None:
    """Values above the bound of their column (``implausible_value``): the row is rejected, or in a column of
    ``leave_missing`` the value is left missing and reported."""
    bounds = bounds or load_bounds()
    for column in bounds.columns.get(table, {}):
        bound = bounds.column_bound(table, column, period)
        if bound is None or column not in df.columns:
            continue
        limit = pd.Series(bound.max, index=df.index)
        _reject_above(df, column, limit, lambda _idx, b=bound: b, log, column in leave_missing)


def rule_unit_bounds(
    df: pd.DataFrame, columns: list[str], units: pd.Series, log: RunLog, bounds: Bounds | None = None
) -> None:
    """Indicator values (realisation, targets) above the bound of their unit (``implausible_value``).

    ``units``: the indicator's unit per row of ``df`` (same index; unknown -> the ``other`` bound)."""
    bounds = bounds or load_bounds()
    by_row = {idx: bounds.unit_bound(unit) for idx, unit in units.items()}
    limit = pd.Series({idx: b.max for idx, b in by_row.items()}, index=df.index, dtype="float64")
    for column in columns:
        _reject_above(df, column, limit, by_row.__getitem__, log, leave_missing=False)
