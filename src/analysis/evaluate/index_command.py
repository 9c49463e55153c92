"""Build a composite index from any units × indicators table given in COINr's input layout.

``python -m analysis index --data IDATA.csv --meta IMETA.csv --out DIR [--settings FILE.yml]``

iData: one row per unit, ``uCode`` (unique), optional ``uName`` and ``Time``, then one column per iMeta
code of Type ``Indicator``, ``Group``, ``Denominator`` or ``Other``. iMeta: one row per code, columns
``Level``, ``iCode``, ``iName``, ``Parent``, ``Direction``, ``Weight``, ``Type`` (optional ``Target``,
``Denominator``, ``goalpost_lower``/``goalpost_upper``): indicators at level 1, each code's ``Parent`` a
code of the next level, one code at the top, any depth. Without ``--settings`` the defaults are COINr's
(min-max 0-100 on the data as given, ``Direction`` -1 reversed, arithmetic mean with the iMeta weights,
a missing value skipped and the weights renormalised). The methods are :mod:`analysis.evaluate.composite`;
the settings file is documented in ``docs/evaluation_tables.md`` ("General index command").
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.atomic import write_text_atomic
from analysis.core.config import read_yaml
from analysis.core.errors import ConfigError, UsageError, did_you_mean
from analysis.evaluate import composite

META_REQUIRED = ("Level", "iCode", "iName", "Parent", "Direction", "Weight", "Type")
META_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
UNIT_COLUMNS = ("uCode", "uName", "Time")
MISSING_TEXT = ("", "NA", "NaN", "nan", "#N/A")
IMPUTATIONS = ("none", "mean", "median", "group_mean", "group_median", "carry_forward")
TREATMENTS = ("none", "winsorise_log")
WEIGHTINGS = ("meta", "equal", "pca", "optimised")

#: Parameters each normalisation takes in the settings file (COINr's names), with COINr's defaults.
NORMALISATION_PARAMS: dict[str, dict[str, Any]] = {
    "minmax": {"l_u": [0.0, 100.0]},
    "zscore": {"m_sd": [0.0, 1.0]},
    "scaled": {"npara": [0.0, 100.0], "scale_factor": 100.0},
    "fracmax": {},
    "prank": {"ties": "min"},
    "rank": {"ties": "min"},
    "borda": {"ties": "min"},
    "dist2ref": {"reference": None, "cap_max": False},
    "dist2max": {},
    "dist2targ": {"cap_max": False},
    "goalposts": {"scale": 100.0, "trunc2posts": True},
    "none": {},
}


# ------------------------------------------------------------------------------------------ settings


@dataclass(frozen=True)
class IndexSettings:
    """The method choices of one ``index`` run; the defaults are COINr's (see module docstring)."""

    denominate: bool = False
    imputation: str = "none"
    imputation_group: str | None = None
    carry_forward_max: int | None = None
    treatment: str = "none"
    winmax: int = composite.WINSORISE_MAX
    skew_threshold: float = composite.SKEW_THRESHOLD
    kurtosis_threshold: float = composite.KURTOSIS_THRESHOLD
    normalisation: str = "minmax"
    normalisation_params: dict[str, Any] = field(default_factory=dict)
    weighting: str = "meta"
    weighting_level: int = 1
    weighting_target: tuple[float, ...] | None = None
    aggregation: tuple[str, ...] = ("amean",)
    genmean_p: float = 2.0
    correlation: str = "pearson"
    pca_level: int | None = None


_SETTINGS_KEYS = {
    "denominate": None,
    "impute": {"method", "group", "max_periods"},
    "treat": {"method", "winmax", "skew_threshold", "kurtosis_threshold"},
    "normalise": {"method", *{k for p in NORMALISATION_PARAMS.values() for k in p}},
    "weights": {"method", "level", "target"},
    "aggregate": {"method", "p"},
    "correlations": {"method"},
    "pca": {"level"},
}


def parse_settings(data: Any, source: str = "<settings>") -> IndexSettings:
    """Validate a settings mapping (read from YAML); :class:`ConfigError` ``"<file>: <key>: <problem>"``.

    >>> parse_settings({"normalise": {"method": "zscore", "m_sd": [50, 10]}}).normalisation_params
    {'m_sd': [50, 10]}
    >>> parse_settings({"aggregate": {"method": "mode"}})
    Traceback (most recent call last):
    ...
    analysis.core.errors.ConfigError: <settings>: aggregate.method: 'mode' is not one of amean, gmean, hmean, genmean, copeland
    """
    if data is None:
        return IndexSettings()

    def fail(key: str, problem: str):
        raise ConfigError(f"{source}: {key}: {problem}")

    if not isinstance(data, dict):
        fail("(top level)", "must be a mapping")
    unknown = sorted(set(data) - set(_SETTINGS_KEYS))
    if unknown:
        fail(
            unknown[0],
            f"unknown key{did_you_mean(unknown[0], _SETTINGS_KEYS)}; allowed: {', '.join(_SETTINGS_KEYS)}",
        )
    out: dict[str, Any] = {}
    sections = {}
    for key, allowed in _SETTINGS_KEYS.items():
        if allowed is None or key not in data:
            continue
        section = data[key]
        if isinstance(section, str):
            section = {"method": section}
        if not isinstance(section, dict):
            fail(key, "must be a mapping (or a method name)")
        bad = sorted(set(section) - allowed)
        if bad:
            fail(f"{key}.{bad[0]}", f"unknown key; allowed: {', '.join(sorted(allowed))}")
        sections[key] = section

    def choice(key: str, value: Any, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            fail(key, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def number(key: str, value: Any, whole: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            fail(key, f"must be a number, got {value!r}")
        if whole and value != int(value):
            fail(key, f"must be a whole number, got {value!r}")
        return int(value) if whole else float(value)

    if "denominate" in data:
        if not isinstance(data["denominate"], bool):
            fail("denominate", f"must be true or false, got {data['denominate']!r}")
        out["denominate"] = data["denominate"]
    s = sections.get("impute", {})
    if s:
        out["imputation"] = choice("impute.method", s.get("method", "none"), IMPUTATIONS)
        if out["imputation"].startswith("group_"):
            if not isinstance(s.get("group"), str):
                fail("impute.group", "name the iData group column (an iMeta code of Type Group)")
            out["imputation_group"] = s["group"]
        if "max_periods" in s:
            out["carry_forward_max"] = number("impute.max_periods", s["max_periods"], whole=True)
    s = sections.get("treat", {})
    if s:
        out["treatment"] = choice("treat.method", s.get("method", "winsorise_log"), TREATMENTS)
        if "winmax" in s:
            out["winmax"] = number("treat.winmax", s["winmax"], whole=True)
        for k in ("skew_threshold", "kurtosis_threshold"):
            if k in s:
                out[k] = number(f"treat.{k}", s[k])
    s = sections.get("normalise", {})
    if s:
        method = choice("normalise.method", s.get("method", "minmax"), tuple(NORMALISATION_PARAMS))
        params = {k: v for k, v in s.items() if k != "method"}
        bad = sorted(set(params) - set(NORMALISATION_PARAMS[method]))
        if bad:
            allowed = ", ".join(NORMALISATION_PARAMS[method]) or "none"
            fail(f"normalise.{bad[0]}", f"not a parameter of {method}; allowed: {allowed}")
        for k in ("l_u", "m_sd", "npara"):
            if k in params and (
                not isinstance(params[k], list)
                or len(params[k]) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in params[k])
            ):
                fail(f"normalise.{k}", f"must be a list of two numbers, got {params[k]!r}")
        if method == "dist2ref" and not isinstance(params.get("reference"), str):
            fail("normalise.reference", "name the reference unit's uCode")
        out["normalisation"], out["normalisation_params"] = method, params
    s = sections.get("weights", {})
    if s:
        out["weighting"] = choice("weights.method", s.get("method", "meta"), WEIGHTINGS)
        if "level" in s:
            out["weighting_level"] = number("weights.level", s["level"], whole=True)
        if "target" in s:
            if not isinstance(s["target"], list):
                fail("weights.target", "must be a list of numbers, one per code of the level")
            out["weighting_target"] = tuple(number("weights.target", v) for v in s["target"])
    s = sections.get("aggregate", {})
    if s:
        method = s.get("method", "amean")
        methods = method if isinstance(method, list) else [method]
        out["aggregation"] = tuple(choice("aggregate.method", m, composite.AGGREGATIONS) for m in methods)
        if "p" in s:
            out["genmean_p"] = number("aggregate.p", s["p"])
            if out["genmean_p"] == 0:
                fail("aggregate.p", "must not be 0 (p = 0 is the geometric mean: use gmean)")
    s = sections.get("correlations", {})
    if s:
        out["correlation"] = choice("correlations.method", s.get("method", "pearson"), composite.CORRELATIONS)
    s = sections.get("pca", {})
    if s:
        out["pca_level"] = number("pca.level", s.get("level", 1), whole=True)
    return IndexSettings(**out)


# ------------------------------------------------------------------------------------------ inputs


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: no such file ({what})") from exc
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UsageError(f"{path}: cannot read the {what} as CSV: {str(exc).splitlines()[0]}") from exc
    frame.columns = [c.strip() for c in frame.columns]
    return frame


def _line(pos: int) -> int:
    """CSV line of the data row at position ``pos`` (the header is line 1)."""
    return pos + 2


def _to_number(text: str, where: str) -> float:
    text = text.strip()
    if text in MISSING_TEXT:
        return float("nan")
    try:
        value = float(text)
    except ValueError:
        raise UsageError(
            f"{where}: {text!r} is not a number (leave the cell empty or write NA for missing)"
        ) from None
    if math.isinf(value):
        raise UsageError(f"{where}: {text!r} is not a finite number")
    return value


def read_meta(path: Path) -> pd.DataFrame:
    """Read and check iMeta; one row per code (index ``iCode``), ``Level`` as int for the index's codes.

    Errors are one line naming the file, the CSV line, the column and the value: a missing column, an
    unknown ``Type``, a duplicate code, a ``Level`` or ``Direction`` or ``Weight`` that is not valid, a
    ``Parent`` that is not a code of the next level, an indicator not at level 1, several top codes.
    """
    meta = _read_csv(path, "iMeta")
    missing = [c for c in META_REQUIRED if c not in meta.columns]
    if missing:
        raise UsageError(
            f"{path}: missing column(s) {', '.join(missing)}; iMeta needs {', '.join(META_REQUIRED)}"
        )
    meta = meta.apply(lambda col: col.str.strip())
    for pos, row in meta.iterrows():
        where = f"{path}: line {_line(pos)}"
        if row["iCode"] == "":
            raise UsageError(f"{where}, column iCode: empty code")
        if row["Type"] not in META_TYPES:
            raise UsageError(
                f"{where}, column Type: {row['Type']!r} is not one of {', '.join(META_TYPES)}"
                f"{did_you_mean(row['Type'], META_TYPES, n=1)}"
            )
    dupes = meta.index[meta["iCode"].duplicated()]
    if len(dupes):
        pos = int(dupes[0])
        raise UsageError(f"{path}: line {_line(pos)}, column iCode: duplicate code {meta.at[pos, 'iCode']!r}")
    tree = meta[meta["Type"].isin(("Indicator", "Aggregate"))]
    levels, directions, weights = {}, {}, {}
    for pos, row in tree.iterrows():
        where = f"{path}: line {_line(pos)}"
        level = _to_number(row["Level"], f"{where}, column Level")
        if math.isnan(level) or level != int(level) or level < 1:
            raise UsageError(f"{where}, column Level: {row['Level']!r} must be a whole number >= 1")
        if row["Type"] == "Indicator" and level != 1:
            raise UsageError(
                f"{where}, column Level: indicator {row['iCode']!r} must be at level 1, not {row['Level']}"
            )
        direction = _to_number(row["Direction"] or "1", f"{where}, column Direction")
        if direction not in (1, -1):
            raise UsageError(f"{where}, column Direction: {row['Direction']!r} must be 1 or -1")
        weight = _to_number(row["Weight"] or "1", f"{where}, column Weight")
        if math.isnan(weight):
            raise UsageError(f"{where}, column Weight: {row['Weight']!r} must be a number")
        levels[pos], directions[pos], weights[pos] = int(level), int(direction), weight
    if not levels:
        raise UsageError(f"{path}: no row of Type Indicator")
    top = max(levels.values())
    codes_at = {
        lv: {tree.at[p, "iCode"] for p, v in levels.items() if v == lv} for lv in set(levels.values())
    }
    if top == 1 or len(codes_at[top]) != 1:
        raise UsageError(
            f"{path}: column Level: the top level {top} must hold exactly one code (the index), found "
            f"{', '.join(sorted(codes_at[top]))}"
        )
    for pos, level in levels.items():
        row = tree.loc[pos]
        where = f"{path}: line {_line(pos)}, column Parent"
        if level == top:
            if row["Parent"] not in MISSING_TEXT:
                raise UsageError(
                    f"{where}: the top code {row['iCode']!r} has no parent, got {row['Parent']!r}"
                )
            continue
        if level + 1 not in codes_at:
            raise UsageError(
                f"{path}: line {_line(pos)}, column Level: no code at level {level + 1} above {row['iCode']!r}"
            )
        if row["Parent"] not in codes_at[level + 1]:
            raise UsageError(
                f"{where}: {row['Parent']!r} (parent of {row['iCode']!r}) is not a code of level {level + 1}"
                f"{did_you_mean(row['Parent'], sorted(codes_at[level + 1]), n=1)}"
            )
    for lv in range(2, top + 1):
        if lv not in codes_at:
            raise UsageError(f"{path}: column Level: no code at level {lv} (levels must run 1, 2, ... {top})")
        for code in codes_at[lv]:
            if not (tree["Parent"] == code).any():
                pos = int(tree.index[tree["iCode"] == code][0])
                raise UsageError(
                    f"{path}: line {_line(pos)}, column iCode: aggregate {code!r} has no children"
                )
    out = meta.set_index("iCode", drop=False).rename_axis(None)
    out["line"] = [_line(p) for p in meta.index]
    out["Level"] = pd.array([levels.get(p) for p in meta.index], dtype="Int64")
    out["Direction"] = [float(directions.get(p, np.nan)) for p in meta.index]
    out["Weight"] = [float(weights.get(p, np.nan)) for p in meta.index]
    out["Parent"] = out["Parent"].where(~out["Parent"].isin(MISSING_TEXT), None)
    return out


def read_data(path: Path, meta: pd.DataFrame, meta_path: Path) -> pd.DataFrame:
    """Read iData against iMeta: every indicator a column, every other column known, numbers parsed.

    Returns a frame indexed by position with ``uCode`` (and ``uName``, ``Time`` when given), indicators
    and denominators as floats, groups as text. Errors name the file, line, column and value.
    """
    data = _read_csv(path, "iData")
    if "uCode" not in data.columns:
        raise UsageError(f"{path}: no uCode column (the unit code, one per row)")
    known = set(meta.index) | set(UNIT_COLUMNS)
    for col in data.columns:
        if col not in known:
            aggs = meta.index[meta["Type"] == "Aggregate"]
            kind = "an aggregate of" if col in aggs else "not an iCode of"
            raise UsageError(
                f"{path}: column {col!r} is {kind} {meta_path}{did_you_mean(col, sorted(meta.index), n=1)}"
                " (add it to iMeta with Type Indicator, Group, Denominator or Other, or remove it)"
            )
    for code in meta.index[meta["Type"] == "Indicator"]:
        if code not in data.columns:
            raise UsageError(
                f"{path}: no column {code!r} ({meta_path} line {meta.at[code, 'line']}, Type Indicator)"
            )
    data = data.apply(lambda col: col.str.strip())
    for pos, code in enumerate(data["uCode"]):
        if code == "":
            raise UsageError(f"{path}: line {_line(pos)}, column uCode: empty unit code")
    keys = ["uCode", "Time"] if "Time" in data.columns else ["uCode"]
    dupes = data.index[data.duplicated(keys)]
    if len(dupes):
        pos = int(dupes[0])
        raise UsageError(
            f"{path}: line {_line(pos)}, column uCode: unit {data.at[pos, 'uCode']!r} appears twice"
        )
    numeric = [
        c
        for c in data.columns
        if c == "Time" or meta.get("Type", pd.Series(dtype=str)).get(c) in ("Indicator", "Denominator")
    ]
    for col in numeric:
        data[col] = [_to_number(v, f"{path}: line {_line(p)}, column {col}") for p, v in enumerate(data[col])]
    return data


# ------------------------------------------------------------------------------------------ pipeline


@dataclass
class IndexResult:
    aggregated: pd.DataFrame  # units × every code of every level (index uCode)
    hierarchy: composite.Hierarchy
    weights: dict[str, float]
    treatment: pd.DataFrame | None
    correlations: pd.DataFrame
    denominator_correlations: pd.DataFrame | None
    pca: pd.DataFrame | None
    weight_optimisation: pd.DataFrame | None
    names: pd.Series
    carried_forward: pd.DataFrame | None = None  # carry_forward: uCode, iCode, value, Time, from_Time


def build_index(
    data: pd.DataFrame, meta: pd.DataFrame, settings: IndexSettings, source: str = ""
) -> IndexResult:
    """Run the steps of :mod:`analysis.evaluate.composite` that ``settings`` selects, in COINr's order:
    denominate → impute → treat → normalise → weights → aggregate; then correlations and PCA."""
    s = settings
    tree = meta[meta["Type"].isin(("Indicator", "Aggregate"))]
    hierarchy = composite.Hierarchy(
        tree[["Level", "Parent", "Weight", "Direction"]].astype({"Level": int, "Weight": float})
    )
    indicators = hierarchy.codes(1)
    groups = meta.index[meta["Type"] == "Group"].tolist()
    carried = None
    if s.imputation == "carry_forward":
        if "Time" not in data.columns:
            raise UsageError(f"{source}: impute.method carry_forward needs a Time column in iData")
        before = data
        data, source_time = composite.impute_carry_forward(
            data, "uCode", "Time", indicators, s.carry_forward_max
        )
        carried = _carried_forward(before, data, source_time, indicators)
    if "Time" in data.columns:
        latest = data["Time"].max()
        data = data[data["Time"] == latest]
        if carried is not None:
            carried = carried[carried["Time"] == latest].reset_index(drop=True)
    data = data.set_index("uCode", drop=False).rename_axis(None)
    if data.index.duplicated().any():
        raise UsageError(
            f"{source}: a unit appears twice for the latest Time; give one row per uCode and Time"
        )
    values = data[indicators].astype(float)
    if s.denominate:
        if "Denominator" not in meta.columns:
            raise UsageError(f"{source}: denominate: true needs a Denominator column in iMeta")
        by = {
            c: meta.at[c, "Denominator"] for c in indicators if meta.at[c, "Denominator"] not in MISSING_TEXT
        }
        for code, den in by.items():
            if den not in data.columns:
                raise UsageError(
                    f"iMeta line {meta.at[code, 'line']}, column Denominator: {den!r} is not an iData column"
                )
        values = composite.denominate(values, data, by)
    if s.imputation in ("mean", "median", "group_mean", "group_median"):
        how = s.imputation.removeprefix("group_")
        key = None
        if s.imputation.startswith("group_"):
            if s.imputation_group not in data.columns:
                raise UsageError(
                    f"{source}: impute.group: {s.imputation_group!r} is not an iData column{did_you_mean(s.imputation_group, groups, n=1)}"
                )
            key = data[s.imputation_group].where(data[s.imputation_group] != "", None).tolist()
        values = pd.DataFrame(
            {c: composite.impute_group(values[c].to_numpy(), key, how) for c in indicators},
            index=values.index,
        )
    treatment = None
    if s.treatment == "winsorise_log":
        rows = []
        treated = {}
        for c in indicators:
            x = values[c].to_numpy()
            treated[c], how, n_win = composite.treat_outliers(
                x, s.winmax, s.skew_threshold, s.kurtosis_threshold
            )
            rows.append(
                (
                    c,
                    how,
                    n_win,
                    composite.skewness(x),
                    composite.kurtosis(x),
                    composite.skewness(treated[c]),
                    composite.kurtosis(treated[c]),
                )
            )
        values = pd.DataFrame(treated, index=values.index)
        treatment = pd.DataFrame(
            rows,
            columns=[
                "iCode",
                "treatment",
                "n_winsorised",
                "skew_before",
                "kurtosis_before",
                "skew_after",
                "kurtosis_after",
            ],
        )
    normalised = pd.DataFrame(
        {c: _normalise_column(values, c, meta, s, source) for c in indicators}, index=values.index
    )
    weights = dict(hierarchy.meta["Weight"])
    optimisation = None
    if s.weighting == "equal":
        weights = dict.fromkeys(weights, 1.0)
    elif s.weighting in ("pca", "optimised"):
        if not 1 <= s.weighting_level < hierarchy.n_levels:
            raise UsageError(
                f"{source}: weights.level must be 1 to {hierarchy.n_levels - 1}, got {s.weighting_level}"
            )
        if s.weighting == "pca":
            scores = composite.aggregate_hierarchy(
                normalised, hierarchy, _methods(s, hierarchy), None, s.genmean_p
            )
            weights = composite.pca_weights(scores, hierarchy, s.weighting_level)
        else:
            weights, optimisation = composite.optimise_weights(
                normalised,
                hierarchy,
                s.weighting_level,
                s.weighting_target,
                s.correlation,
                _methods(s, hierarchy),
            )
    aggregated = _aggregate(normalised, hierarchy, s, weights, source)
    codes = hierarchy.meta.index.tolist()
    correlations = composite.level_correlations(aggregated[codes], hierarchy, s.correlation)
    dens = meta.index[meta["Type"] == "Denominator"]
    dens = [d for d in dens if d in data.columns]
    den_corr = (
        composite.denominator_correlations(aggregated[codes], data[dens].astype(float), s.correlation)
        if dens
        else None
    )
    pca_table = None
    if s.pca_level is not None:
        pca_table = _pca_table(aggregated, hierarchy, s.pca_level, source)
    names = data["uName"] if "uName" in data.columns else pd.Series("", index=data.index)
    return IndexResult(
        aggregated,
        hierarchy,
        weights,
        treatment,
        correlations,
        den_corr,
        pca_table,
        optimisation,
        names,
        carried,
    )


def _carried_forward(
    before: pd.DataFrame, after: pd.DataFrame, source_time: pd.DataFrame, indicators: list[str]
) -> pd.DataFrame:
    """One row per value carried forward: ``uCode, iCode, value, Time, from_Time`` (disclosure)."""
    rows = []
    for code in indicators:
        took = before[code].isna() & after[code].notna()
        for i in before.index[took]:
            rows.append(
                (
                    after.at[i, "uCode"],
                    code,
                    float(after.at[i, code]),
                    after.at[i, "Time"],
                    source_time.at[i, code],
                )
            )
    return pd.DataFrame(rows, columns=["uCode", "iCode", "value", "Time", "from_Time"])


def _aggregate(normalised, hierarchy, s: IndexSettings, weights, source: str) -> pd.DataFrame:
    """:func:`composite.aggregate_hierarchy`, a value outside a mean's domain as a one-line error."""
    methods = _methods(s, hierarchy)
    try:
        return composite.aggregate_hierarchy(normalised, hierarchy, methods, weights, s.genmean_p)
    except composite.AggregationDomainError as exc:
        raise UsageError(f"{source}: aggregate.method: {exc.method} at level {exc.level}: {exc}") from exc


def _methods(s: IndexSettings, hierarchy: composite.Hierarchy) -> list[str]:
    n = hierarchy.n_levels - 1
    if len(s.aggregation) == 1:
        return list(s.aggregation) * n
    if len(s.aggregation) != n:
        raise UsageError(
            f"aggregate.method: give one method or one per level above 1 ({n}), got {len(s.aggregation)}"
        )
    return list(s.aggregation)


def _normalise_column(
    values: pd.DataFrame, code: str, meta: pd.DataFrame, s: IndexSettings, source: str
) -> np.ndarray:
    direction = int(meta.at[code, "Direction"])
    p = {**NORMALISATION_PARAMS[s.normalisation], **s.normalisation_params}
    params: dict[str, Any] = {}
    if s.normalisation in ("minmax", "zscore", "scaled"):
        params = {k: p[k] for k in ("l_u", "m_sd", "npara", "scale_factor") if k in p}
    elif s.normalisation in ("prank", "rank", "borda"):
        params = {"ties": p["ties"]}
    elif s.normalisation == "dist2ref":
        if p["reference"] not in values.index:
            raise UsageError(f"{source}: normalise.reference: {p['reference']!r} is not a uCode of iData")
        params = {"iref": values.index.get_loc(p["reference"]), "cap_max": p["cap_max"]}
    elif s.normalisation == "dist2targ":
        target = _meta_number(meta, code, "Target")
        params = {"targ": target * direction, "cap_max": p["cap_max"]}
    elif s.normalisation == "goalposts":
        low, up = _meta_number(meta, code, "goalpost_lower"), _meta_number(meta, code, "goalpost_upper")
        gp = (up * direction, low * direction) if direction == -1 else (low, up)
        params = {"gposts": (*gp, p["scale"]), "trunc2posts": p["trunc2posts"]}
    return composite.normalise(values[code].to_numpy(dtype=float), s.normalisation, direction, **params)


def _meta_number(meta: pd.DataFrame, code: str, column: str) -> float:
    if column not in meta.columns:
        raise UsageError(f"iMeta: normalisation needs a {column} column")
    where = f"iMeta line {meta.at[code, 'line']}, column {column}"
    value = _to_number(str(meta.at[code, column]), where)
    if math.isnan(value):
        raise UsageError(f"{where}: indicator {code!r} has no {column}")
    return value


def _pca_table(
    aggregated: pd.DataFrame, hierarchy: composite.Hierarchy, level: int, source: str
) -> pd.DataFrame:
    if not 1 <= level < hierarchy.n_levels:
        raise UsageError(f"{source}: pca.level must be 1 to {hierarchy.n_levels - 1}, got {level}")
    codes = hierarchy.codes(level)
    parents = hierarchy.meta.loc[codes, "Parent"]
    rows = []
    for parent, group in parents.groupby(parents, sort=True):
        kids = group.index.tolist()
        if len(kids) < 2:
            continue
        res = composite.pca(aggregated[kids])
        for code in kids:
            rows.append(
                (parent, code, float(res["loadings"].at[code, "PC1"]), float(res["explained"]["PC1"]))
            )
    return pd.DataFrame(rows, columns=["parent", "iCode", "loading_pc1", "variance_explained_pc1"])


# ------------------------------------------------------------------------------------------ outputs


def write_outputs(result: IndexResult, out_dir: Path, settings: IndexSettings) -> list[Path]:
    """Write the CSVs: ``aggregated.csv`` (every level), per level ``scores_level<k>.csv`` and
    ``ranks_level<k>.csv``, ``weights.csv``, ``correlations.csv`` and, when made,
    ``denominator_correlations.csv``, ``treatment.csv``, ``pca.csv``, ``weight_optimisation.csv``,
    ``carried_forward.csv`` (every value carried forward and the ``Time`` it comes from);
    ``settings.json`` records the settings used."""
    out_dir.mkdir(parents=True, exist_ok=True)
    h = result.hierarchy
    units = pd.DataFrame(
        {"uCode": result.aggregated.index, "uName": result.names.reindex(result.aggregated.index).to_numpy()}
    )
    written = []

    def put(name: str, frame: pd.DataFrame) -> None:
        path = out_dir / name
        write_text_atomic(path, frame.to_csv(index=False, float_format="%.15g", lineterminator="\n"))
        written.append(path)

    codes = h.meta.index.tolist()
    put("aggregated.csv", pd.concat([units, result.aggregated[codes].reset_index(drop=True)], axis=1))
    for level in range(1, h.n_levels + 1):
        lc = h.codes(level)
        put(
            f"scores_level{level}.csv",
            pd.concat([units, result.aggregated[lc].reset_index(drop=True)], axis=1),
        )
        put(
            f"ranks_level{level}.csv",
            pd.concat([units, composite.ranks(result.aggregated[lc]).reset_index(drop=True)], axis=1),
        )
    put(
        "weights.csv",
        pd.DataFrame(
            {
                "iCode": codes,
                "Level": h.meta["Level"].to_numpy(),
                "Parent": h.meta["Parent"].to_numpy(),
                "Weight": [result.weights[c] for c in codes],
            }
        ),
    )
    put("correlations.csv", result.correlations)
    for name, frame in (
        ("denominator_correlations.csv", result.denominator_correlations),
        ("treatment.csv", result.treatment),
        ("pca.csv", result.pca),
        ("weight_optimisation.csv", result.weight_optimisation),
        ("carried_forward.csv", result.carried_forward),
    ):
        if frame is not None:
            put(name, frame)
    text = json.dumps({k: v for k, v in settings.__dict__.items()}, indent=2, default=list) + "\n"
    write_text_atomic(out_dir / "settings.json", text)
    written.append(out_dir / "settings.json")
    return written


# ------------------------------------------------------------------------------------------ command


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        required=True,
        type=Path,
        metavar="IDATA.csv",
        help="units × indicators in COINr's iData layout (uCode, uName, indicator columns)",
    )
    p.add_argument(
        "--meta",
        required=True,
        type=Path,
        metavar="IMETA.csv",
        help="COINr's iMeta: Level, iCode, iName, Parent, Direction, Weight, Type",
    )
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder for the CSVs (scores and ranks per level, weights, correlations)",
    )
    p.add_argument(
        "--settings",
        type=Path,
        metavar="FILE.yml",
        help="method choices (default: COINr's min-max 0-100 and arithmetic mean)",
    )


def main(args: argparse.Namespace) -> int:
    settings = IndexSettings()
    if args.settings is not None:
        data, _ = read_yaml(args.settings, "index settings")
        settings = parse_settings(data, str(args.settings))
    meta = read_meta(args.meta)
    data = read_data(args.data, meta, args.meta)
    result = build_index(data, meta, settings, str(args.settings or args.data))
    written = write_outputs(result, args.out, settings)
    top = result.hierarchy.codes(result.hierarchy.n_levels)[0]
    print(
        f"{len(result.aggregated)} units, {len(result.hierarchy.codes(1))} indicators, {result.hierarchy.n_levels} levels; top code {top}"
    )
    print(f"written {len(written)} files to {args.out}")
    return 0
