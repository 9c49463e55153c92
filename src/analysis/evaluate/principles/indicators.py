"""Raw indicator values per RT, computed from the cleaned tables with the framework's vocabulary.

Grain of the outputs: one row per RT in scope (index ``rt_code``), one column per indicator code. Each
cell is in one of three states: a value, ``missing`` (the RT should have reported it and did not: counts
against data coverage) or not applicable (nothing to measure, e.g. no complaints received: left out of the
RT's score without penalty).
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd

from analysis.evaluate.principles.framework import (
    MISSING,
    NOT_APPLICABLE,
    Compute,
    Framework,
    Indicator,
)


def _float(series: pd.Series) -> np.ndarray:
    """A numeric, nullable-integer or nullable-boolean column as float64 with NaN for missing."""
    if isinstance(series.dtype, pd.BooleanDtype) or series.dtype == bool:
        series = series.astype("boolean").astype("Float64")
    return pd.to_numeric(series, errors="raise").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _require(frame: pd.DataFrame, column: str, indicator: Indicator) -> pd.Series:
    if column not in frame.columns:
        raise ValueError(
            f"indicator {indicator.code}: the cleaned RT data has no column {column!r} "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )
    return frame[column]


def compute_ratio(rt: pd.DataFrame, indicator: Indicator) -> tuple[np.ndarray, np.ndarray]:
    """``scale * numerator / denominator`` (or ``|... - distance_from|``, or the gap ``|... - scale * n2 / d2|``
    to a second ratio given by ``compare_with``, or with ``gap: excess`` ``max(0, ... - scale * n2 / d2)``),
    per RT.

    Denominator 0 (of either ratio): NaN, applicable or not by ``zero_denominator``; denominator missing:
    NaN (missing). With ``small_count: {minimum: m, prior: q}`` a count ratio is
    ``scale * (numerator + q * max(0, m - den)) / max(den, m)`` and a zero denominator is applicable
    (scores ``q``). Returns ``(values, applicable)``.
    """
    p = indicator.compute.params
    if p.get("small_count"):
        return _small_count_ratio(rt, indicator)
    value, den = _scaled_ratio(rt, p["numerator"], p["denominator"], p["scale"], indicator)
    zero = den == 0
    if p["distance_from"] is not None:
        value = np.abs(value - p["distance_from"])
    if p.get("compare_with"):
        other, other_den = _scaled_ratio(
            rt, p["compare_with"]["numerator"], p["compare_with"]["denominator"], p["scale"], indicator
        )
        value = np.maximum(value - other, 0.0) if p.get("gap") == "excess" else np.abs(value - other)
        zero = zero | (other_den == 0)
    applicable = np.ones(len(rt), dtype=bool)
    if p["zero_denominator"] == NOT_APPLICABLE:
        applicable = ~zero
    return value, applicable


def _small_count_ratio(rt: pd.DataFrame, indicator: Indicator) -> tuple[np.ndarray, np.ndarray]:
    """A count ratio whose denominator is topped up to ``minimum`` with pseudo-cases valued ``prior``.

    >>> from analysis.evaluate.principles.framework import Compute, Indicator
    >>> params = {"numerator": "complaints_resolved", "denominator": "complaints_received", "scale": 1.0,
    ...           "small_count": {"minimum": 3.0, "prior": 0.5}}
    >>> ind = Indicator("A4", "x", "akuntabilitas", Compute("ratio", params), 1, 0.0, 1.0, 1.0)
    >>> rt = pd.DataFrame({"complaints_resolved": [0, 1, 2, 4, 0, None],
    ...                    "complaints_received": [0, 1, 2, 5, 4, None]}).astype("Int64")
    >>> compute_ratio(rt, ind)[0].round(3).tolist()
    [0.5, 0.667, 0.833, 0.8, 0.0, nan]
    """
    p = indicator.compute.params
    num = _float(_require(rt, p["numerator"], indicator))
    den = _float(_require(rt, p["denominator"], indicator))
    minimum, prior = p["small_count"]["minimum"], p["small_count"]["prior"]
    with np.errstate(invalid="ignore"):
        value = p["scale"] * (num + prior * np.maximum(minimum - den, 0.0)) / np.maximum(den, minimum)
    return value, np.ones(len(rt), dtype=bool)


def _scaled_ratio(
    rt: pd.DataFrame, numerator: str, denominator: str, scale: float, indicator: Indicator
) -> tuple[np.ndarray, np.ndarray]:
    """``scale * numerator / denominator`` (NaN where the denominator is 0 or missing) and the denominator."""
    num = _float(_require(rt, numerator, indicator))
    den = _float(_require(rt, denominator, indicator))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, scale * num / np.where(den > 0, den, 1.0), np.nan)
    return value, den


def compute_boolean(rt: pd.DataFrame, indicator: Indicator) -> tuple[np.ndarray, np.ndarray]:
    """1 for yes, 0 for no, NaN (missing) for blank."""
    col = _require(rt, indicator.compute.params["column"], indicator)
    return _float(col.astype("boolean")), np.ones(len(rt), dtype=bool)


def compute_ordinal(rt: pd.DataFrame, indicator: Indicator) -> tuple[np.ndarray, np.ndarray]:
    """``map[category]``; categories mapped to ``not_applicable`` are left out; unknown categories raise."""
    p = indicator.compute.params
    col = _require(rt, p["column"], indicator)
    present = col.dropna().astype(str)
    unknown = sorted(set(present) - set(p["map"]))
    if unknown:
        bad = present[present.isin(unknown)]
        raise ValueError(
            f"indicator {indicator.code}: column {p['column']!r} has unmapped categories {unknown} "
            f"(RT {', '.join(map(str, bad.index[:5]))})"
        )
    value = np.full(len(rt), np.nan)
    applicable = np.ones(len(rt), dtype=bool)
    pos = np.flatnonzero(col.notna().to_numpy())
    mapped = present.map(p["map"]).to_numpy(dtype=object)  # every category is mapped (checked above)
    not_applicable = mapped == NOT_APPLICABLE
    applicable[pos[not_applicable]] = False
    value[pos[~not_applicable]] = mapped[~not_applicable].astype(float)
    pending = p.get("pending")
    if pending:
        due = _float(_require(rt, pending["until_positive"], indicator))
        is_cat = (col.astype("string") == pending["category"]).fillna(False).to_numpy(dtype=bool)
        value[is_cat & np.isnan(due)] = np.nan  # cannot tell whether it is due: missing
        applicable[is_cat & (due <= 0)] = False
        value[is_cat & (due <= 0)] = np.nan
    return value, applicable


def compute_date_diff_days(
    rt: pd.DataFrame, indicator: Indicator, period_end: date
) -> tuple[np.ndarray, np.ndarray]:
    """``end - start`` in days; with ``missing_end: period_end`` a missing end counts up to the period end.

    A missing end whose start (the deadline) is after ``period_end`` is not applicable (not yet due).
    """
    p = indicator.compute.params
    end = pd.to_datetime(_require(rt, p["end"], indicator)).astype("datetime64[us]")
    start = pd.to_datetime(_require(rt, p["start"], indicator)).astype("datetime64[us]")
    value = (end - start).dt.days.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    applicable = np.ones(len(rt), dtype=bool)
    if p["missing_end"] == "period_end":
        cutoff = pd.Timestamp(period_end)
        no_end = end.isna().to_numpy() & start.notna().to_numpy()
        due = (start <= cutoff).to_numpy()
        late_days = (cutoff - start).dt.days.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        value = np.where(no_end & due, late_days, value)
        applicable = ~(no_end & ~due)
    return value, applicable


def without_count_rules(framework: Framework) -> Framework:
    """The framework with its zero-count rules switched off (Monte Carlo rule ``zero_counts_not_applicable``):
    a ``small_count`` ratio goes back to ``zero_denominator: not_applicable`` and a ``pending`` category to
    ``not_applicable`` whatever its column says."""
    out = []
    for ind in framework.indicators:
        p = dict(ind.compute.params)
        if p.get("small_count"):
            p.update(small_count=None, zero_denominator=NOT_APPLICABLE)
        if p.get("pending"):
            p["map"] = {**p["map"], p["pending"]["category"]: NOT_APPLICABLE}
            p["pending"] = None
        out.append(dataclasses.replace(ind, compute=Compute(ind.compute.kind, p)))
    return dataclasses.replace(framework, indicators=tuple(out))


def shift_goalposts(framework: Framework, fraction: float) -> Framework:
    """The framework with the best goalpost of every ``ratio`` and ``date_diff_days`` indicator moved by
    ``fraction`` of its range: ``fraction > 0`` away from the worst one (stricter), ``< 0`` towards it (more
    lenient). Yes/no, ordinal and survey indicators keep their natural ends.

    >>> from analysis.evaluate.principles.framework import load_framework
    >>> fw = shift_goalposts(load_framework(), 0.2)
    >>> [(i.goalpost_low, i.goalpost_high) for i in fw.indicators if i.code[:2] in ("P1", "A1")]
    [(0.0, 0.72), (-6.0, 30.0)]
    """
    out = []
    for ind in framework.indicators:
        if ind.compute.kind not in ("ratio", "date_diff_days") or fraction == 0:
            out.append(ind)
            continue
        step = fraction * (ind.goalpost_high - ind.goalpost_low)
        if ind.direction == 1:
            out.append(dataclasses.replace(ind, goalpost_high=ind.goalpost_high + step))
        else:
            out.append(dataclasses.replace(ind, goalpost_low=ind.goalpost_low - step))
    return dataclasses.replace(framework, indicators=tuple(out))


def survey_means(survey: pd.DataFrame, items: tuple[str, ...]) -> pd.DataFrame:
    """Per RT: ``value`` = mean over respondents of each respondent's mean of ``items``; ``n_respondents``.

    Grain: one row per rt_code. A respondent who answered none of the items is not counted.

    >>> s = pd.DataFrame({"rt_code": ["a", "a", "b"], "t1": [4, 2, 5], "t2": [5, pd.NA, 5]})
    >>> survey_means(s, ("t1", "t2")).to_dict("index")
    {'a': {'value': 3.25, 'n_respondents': 2}, 'b': {'value': 5.0, 'n_respondents': 1}}
    """
    missing = [c for c in (*items, "rt_code") if c not in survey.columns]
    if missing:
        raise ValueError(f"survey table has no column(s) {missing}")
    answers = pd.DataFrame({item: _float(survey[item]) for item in items}, index=survey.index)
    per_respondent = answers.mean(axis=1, skipna=True)
    frame = pd.DataFrame({"rt_code": survey["rt_code"].astype(str), "score": per_respondent}).dropna()
    grouped = frame.groupby("rt_code", sort=True)["score"]
    return pd.DataFrame({"value": grouped.mean(), "n_respondents": grouped.size().astype(int)})


def compute_indicator_values(
    rt: pd.DataFrame, survey: pd.DataFrame | None, framework: Framework, period_end: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw values and applicability of every indicator for every RT in ``rt`` (indexed by rt_code).

    Returns ``(values, applicable)``: two frames, rows = RTs, columns = indicator codes; ``values`` float
    (NaN = no value), ``applicable`` bool. A cell that is applicable but NaN is *missing*.
    """
    values: dict[str, np.ndarray] = {}
    applicable: dict[str, np.ndarray] = {}
    has_survey = survey is not None and len(survey) > 0
    for ind in framework.indicators:
        kind = ind.compute.kind
        if kind == "ratio":
            v, a = compute_ratio(rt, ind)
        elif kind == "boolean":
            v, a = compute_boolean(rt, ind)
        elif kind == "ordinal":
            v, a = compute_ordinal(rt, ind)
        elif kind == "date_diff_days":
            v, a = compute_date_diff_days(rt, ind, period_end)
        elif kind == "survey_mean":
            v, a = _survey_indicator(rt.index, survey if has_survey else None, ind.compute)
        else:  # pragma: no cover - the loader only accepts the vocabulary
            raise ValueError(f"unknown compute kind {kind!r}")
        values[ind.code] = np.where(a, v, np.nan)
        applicable[ind.code] = a
    return (
        pd.DataFrame(values, index=rt.index, dtype=float),
        pd.DataFrame(applicable, index=rt.index, dtype=bool),
    )


def _survey_indicator(
    rt_codes: pd.Index, survey: pd.DataFrame | None, compute: Compute
) -> tuple[np.ndarray, np.ndarray]:
    if survey is None:  # no survey this period: not collected, so not applicable for anyone
        return np.full(len(rt_codes), np.nan), np.zeros(len(rt_codes), dtype=bool)
    means = survey_means(survey, compute.params["items"])
    enough = means[means["n_respondents"] >= compute.params["min_respondents"]]
    value = enough["value"].reindex(rt_codes).to_numpy(dtype=float)
    if compute.params["too_few_respondents"] == MISSING:
        return value, np.ones(len(rt_codes), dtype=bool)
    return value, ~np.isnan(value)
