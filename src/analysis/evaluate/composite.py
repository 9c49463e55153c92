"""A generic composite-index engine: COINr's method set on a units × indicators table with a hierarchy.

Pure functions on numpy arrays and pandas frames (no files, no principle or program names). Each method
follows the R package COINr v1 (Becker et al., ``R/treat.R``, ``R/impute.R``, ``R/normalise.R``,
``R/aggregate.R``, ``R/weights.R``, ``R/PCA.R``, ``R/correlations.R``) with COINr's defaults, so a COINr
user gets the same numbers; where this module deliberately differs, the docstring says so.

Steps, in COINr's order: :func:`denominate` → imputation (:func:`impute_group`,
:func:`impute_carry_forward`, :func:`impute_from_previous`) → outlier treatment (:func:`treat_outliers`) → :func:`normalise` (on
``direction × x``) → weights (manual, :func:`pca_weights`, :func:`optimise_weights`) →
:func:`aggregate_hierarchy` (``amean``, ``gmean``, ``hmean``, ``genmean``, ``copeland``) → ranks, with
:func:`level_correlations`, :func:`denominator_correlations` and :func:`pca` for the audit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: COINr ``Treat()`` defaults (``R/treat.R``, ``Treat.data.frame``): an indicator fails when
#: ``|skew| >= 2`` and ``kurtosis >= 3.5``; up to 5 points are winsorised, then the log is tried instead.
SKEW_THRESHOLD = 2.0
KURTOSIS_THRESHOLD = 3.5
WINSORISE_MAX = 5

NORMALISATIONS = (
    "minmax",
    "zscore",
    "scaled",
    "fracmax",
    "prank",
    "rank",
    "borda",
    "dist2ref",
    "dist2max",
    "dist2targ",
    "goalposts",
    "none",
)
AGGREGATIONS = ("amean", "gmean", "hmean", "genmean", "copeland")
CORRELATIONS = ("pearson", "spearman", "kendall")


class AggregationDomainError(ValueError):
    """A value outside a mean's domain (0 for the harmonic mean, <= 0 for the geometric mean)."""

    def __init__(self, message: str, method: str = "", level: int | None = None):
        super().__init__(message)
        self.method, self.level = method, level


# ------------------------------------------------------------------------------------------ treatment


def skewness(x: np.ndarray) -> float:
    """Sample skewness as COINr ``skew`` (e1071 type 2), NaN skipped; NaN for fewer than 3 values.

    ``g1 = sqrt(n) Σd³ / (Σd²)^1.5`` and ``G1 = g1 sqrt(n (n - 1)) / (n - 2)``, ``d = x - mean(x)``.

    >>> round(skewness(np.array([1.0, 2.0, 3.0, 10.0])), 6)
    1.763633
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n < 3:
        return float("nan")
    d = x - x.mean()
    g1 = np.sqrt(n) * np.sum(d**3) / np.sum(d**2) ** 1.5
    return float(g1 * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis(x: np.ndarray) -> float:
    """Sample excess kurtosis as COINr ``kurt`` (e1071 type 2), NaN skipped; NaN for fewer than 4 values.

    ``r = n Σd⁴ / (Σd²)²`` and ``G2 = ((n + 1)(r - 3) + 6)(n - 1) / ((n - 2)(n - 3))``.

    >>> round(kurtosis(np.array([1.0, 2.0, 3.0, 10.0])), 6)
    3.228
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n < 4:
        return float("nan")
    d = x - x.mean()
    r = n * np.sum(d**4) / np.sum(d**2) ** 2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def passes_skew_kurtosis(
    x: np.ndarray, skew_threshold: float = SKEW_THRESHOLD, kurtosis_threshold: float = KURTOSIS_THRESHOLD
) -> bool:
    """COINr ``check_SkewKurt``: passes when ``|skew| < skew_threshold`` or ``kurtosis < kurtosis_threshold``.

    Too few values to compute either (NaN) passes: there is nothing to treat.
    """
    sk, kt = skewness(x), kurtosis(x)
    if np.isnan(sk) or np.isnan(kt):
        return True
    return bool(abs(sk) < skew_threshold or kt < kurtosis_threshold)


def winsorise(
    x: np.ndarray,
    winmax: int = WINSORISE_MAX,
    skew_threshold: float = SKEW_THRESHOLD,
    kurtosis_threshold: float = KURTOSIS_THRESHOLD,
) -> tuple[np.ndarray, int]:
    """COINr ``winsorise``: while the rule fails and fewer than ``winmax`` points are winsorised, replace
    the most extreme value(s) on the side of the skew by the next value inward; ``(x, n_winsorised)``.

    Positive skew: every point equal to the maximum takes the largest other value (tied points move
    together, so they count together); negative skew the same at the minimum.

    >>> winsorise(np.array([1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 50.0]))[0].tolist()
    [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    """
    x = np.asarray(x, dtype=float).copy()
    high = np.zeros(x.shape, dtype=bool)
    low = np.zeros(x.shape, dtype=bool)
    n_win = 0
    passing = passes_skew_kurtosis(x, skew_threshold, kurtosis_threshold)
    while not passing and n_win < winmax:
        if skewness(x) >= 0:
            at = x == np.nanmax(x)
            x[at] = np.nanmax(x[~at])
            high = at
        else:
            at = x == np.nanmin(x)
            x[at] = np.nanmin(x[~at])
            low = at
        n_win = int(high.sum() + low.sum())
        passing = passes_skew_kurtosis(x, skew_threshold, kurtosis_threshold)
    return x, n_win


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr ``log_CT`` (the COIN Tool's log): ``log(x - min + 0.01 (max - min))``, NaN skipped.

    >>> log_ct(np.array([0.0, 100.0])).round(6).tolist()
    [0.0, 4.615121]
    """
    x = np.asarray(x, dtype=float)
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.log(x - lo + 0.01 * (hi - lo))


def treat_outliers(
    x: np.ndarray,
    winmax: int = WINSORISE_MAX,
    skew_threshold: float = SKEW_THRESHOLD,
    kurtosis_threshold: float = KURTOSIS_THRESHOLD,
) -> tuple[np.ndarray, str, int]:
    """COINr ``Treat()`` default for one indicator: ``(treated x, how, n_winsorised)``.

    If the indicator passes the skew/kurtosis rule it is left as it is (``how = "none"``). Otherwise it is
    winsorised (up to ``winmax`` points); if it then passes, ``how = "winsorised"``; if not, the
    *original* values are log-transformed with :func:`log_ct` (``how = "log"``, COINr
    ``combine_treat = FALSE``), whether or not the log passes.
    """
    x = np.asarray(x, dtype=float)
    if passes_skew_kurtosis(x, skew_threshold, kurtosis_threshold):
        return x.copy(), "none", 0
    won, n_win = winsorise(x, winmax, skew_threshold, kurtosis_threshold)
    if passes_skew_kurtosis(won, skew_threshold, kurtosis_threshold):
        return won, "winsorised", n_win
    return log_ct(x), "log", 0


# ------------------------------------------------------------------------------------------ imputation


def impute_group(x: np.ndarray, groups: Sequence | None = None, how: str = "mean") -> np.ndarray:
    """Fill NaN with the mean (COINr ``i_mean_grp``) or median (``i_median_grp``) of the unit's group.

    ``groups=None`` uses one group for all (``i_mean`` / ``i_median``). Units whose group is missing are
    left as they are (``skip_f_na = TRUE``); a group with no value leaves its gaps.

    >>> impute_group(np.array([1.0, np.nan, 5.0, 10.0, np.nan]), ["a", "a", "a", "b", "b"]).tolist()
    [1.0, 3.0, 5.0, 10.0, 10.0]
    >>> impute_group(np.array([1.0, 2.0, 9.0, np.nan]), how="median").tolist()
    [1.0, 2.0, 9.0, 2.0]
    """
    if how not in ("mean", "median"):
        raise ValueError(f"imputation must be mean or median, got {how!r}")
    x = np.asarray(x, dtype=float).copy()
    key = pd.Series(["all"] * x.size if groups is None else list(groups), dtype=object)
    values = pd.Series(x)
    fill = values.groupby(key, dropna=True).transform(how)
    gap = values.isna() & key.notna()
    x[gap.to_numpy()] = fill[gap].to_numpy(dtype=float)
    return x


def impute_carry_forward(
    panel: pd.DataFrame,
    unit: str,
    time: str,
    columns: Sequence[str],
    max_periods: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill a unit's gaps with its latest earlier value (COINr ``impute_panel``, ``imp_type = "latest"``).

    ``panel`` has one row per unit and time; for each missing cell the most recent earlier time with a
    value is taken, looking back at most ``max_periods`` earlier times (all when ``None``). Returns the
    filled panel and, per cell, the time the value comes from (NaN where still missing).

    >>> p = pd.DataFrame({"u": ["a", "a", "a"], "t": [2020, 2021, 2022], "x": [1.0, np.nan, np.nan]})
    >>> filled, source = impute_carry_forward(p, "u", "t", ["x"], max_periods=1)
    >>> filled["x"].tolist(), source["x"].tolist()
    ([1.0, 1.0, nan], [2020.0, 2020.0, nan])
    """
    if panel.duplicated([unit, time]).any():
        dupes = panel.loc[panel.duplicated([unit, time]), [unit, time]].astype(str).agg(" ".join, axis=1)
        raise ValueError(
            f"impute_carry_forward: more than one row per {unit} and {time}: {sorted(dupes)[:5]}"
        )
    years = np.sort(panel[time].dropna().unique())
    pos = {t: k for k, t in enumerate(years)}
    filled = panel.copy()
    source = pd.DataFrame(np.nan, index=panel.index, columns=list(columns))
    for col in columns:
        source.loc[panel[col].notna(), col] = panel.loc[panel[col].notna(), time].astype(float)
    order = panel.sort_values([unit, time]).index
    for _, rows in panel.loc[order].groupby(unit, sort=False):
        idx = rows.index
        for col in columns:
            last_value, last_time = np.nan, None
            for i in idx:
                value, t = panel.at[i, col], panel.at[i, time]
                if pd.notna(value):
                    last_value, last_time = float(value), t
                    continue
                if last_time is None:
                    continue
                if max_periods is not None and pos[t] - pos[last_time] > max_periods:
                    continue
                filled.at[i, col] = last_value
                source.at[i, col] = float(last_time)
    return filled, source


def impute_from_previous(
    values: pd.DataFrame, previous: pd.DataFrame | None, fillable: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill each missing cell with the same unit's value in the previous period's table (COINr
    ``impute_panel(imp_type = "latest", max_time = 1)`` when only the previous period is given).

    ``values`` and ``previous`` are units × indicators (rows matched by index, columns by name; a unit or
    indicator absent from ``previous`` is not filled); ``fillable`` (same shape as ``values``, default:
    every cell) marks the cells that may be filled. ``previous=None`` fills nothing. Returns the filled
    table and, per cell, whether it was carried forward. Vectorised (one ``reindex``).

    >>> now = pd.DataFrame({"x": [1.0, np.nan, np.nan]}, index=["a", "b", "c"])
    >>> before = pd.DataFrame({"x": [9.0, 2.0]}, index=["a", "b"])
    >>> filled, carried = impute_from_previous(now, before)
    >>> filled["x"].tolist(), carried["x"].tolist()
    ([1.0, 2.0, nan], [False, True, False])
    """
    carried = pd.DataFrame(False, index=values.index, columns=values.columns)
    if previous is None:
        return values.copy(), carried
    prior = previous.reindex(index=values.index, columns=values.columns).astype(float)
    take = values.isna() & prior.notna()
    if fillable is not None:
        take &= fillable.reindex(index=values.index, columns=values.columns, fill_value=False).astype(bool)
    return values.mask(take, prior), take


def denominate(values: pd.DataFrame, denominators: pd.DataFrame, by: Mapping[str, str]) -> pd.DataFrame:
    """COINr ``Denominate``: divide each indicator named in ``by`` by its denominator column.

    ``by`` maps indicator code → denominator column of ``denominators`` (same index as ``values``);
    indicators not in ``by`` are unchanged. A zero denominator gives NaN, not infinity.
    """
    out = values.copy()
    for code, den in by.items():
        d = denominators[den].astype(float)
        out[code] = values[code].astype(float) / d.where(d != 0)
    return out


# ------------------------------------------------------------------------------------------ normalisation


def normalise(x: np.ndarray, method: str = "minmax", direction: int = 1, **params) -> np.ndarray:
    """COINr ``Normalise.numeric``: multiply by ``direction`` (+1/−1), then apply ``method``.

    Methods and parameters (COINr's names; defaults are COINr's):

    * ``minmax`` ``(x - min)/(max - min) × (u - l) + l``, ``l_u = (0, 100)``
    * ``zscore`` ``(x - mean)/sd × s + m``, ``m_sd = (0, 1)``; sample sd (ddof 1)
    * ``scaled`` ``(x - a)/(b - a) × scale_factor``, ``npara = (0, 100)``, ``scale_factor = 100``
    * ``fracmax`` ``x / max`` (0-1)
    * ``prank`` ``(rank - 1)/(n - 1)`` (0-1), ``rank`` ``rank``, ``borda`` ``rank - 1``; ``ties`` ``"min"``
      (or ``"average"``, ``"max"``)
    * ``dist2ref`` ``1 - (x_ref - x)/(x_ref - min)``, ``iref`` = position of the reference unit,
      ``cap_max = False`` (cap at 1)
    * ``dist2max`` ``1 - (max - x)/(max - min)`` (0-1)
    * ``dist2targ`` ``(x - min)/(targ - min)``, ``targ`` the target already multiplied by the direction
      (as COINr does with the iMeta ``Target``), ``cap_max = False``
    * ``goalposts`` ``(x - l)/(u - l) × scale``, ``gposts = (l, u, scale)`` (already multiplied by the
      direction), ``trunc2posts = True``
    * ``none`` the directed values

    No spread (``max == min``) gives NaN, as COINr (which warns).

    >>> normalise(np.array([2.0, 4.0, 6.0]), "minmax", direction=-1).tolist()
    [100.0, 50.0, 0.0]
    >>> normalise(np.array([1.0, 2.0, 4.0]), "fracmax").tolist()
    [0.25, 0.5, 1.0]
    """
    x = np.asarray(x, dtype=float) * direction
    with np.errstate(invalid="ignore", divide="ignore"):
        return _normalise_directed(x, method, params)


def _normalise_directed(x: np.ndarray, method: str, p: dict) -> np.ndarray:
    valid = x[~np.isnan(x)]
    if valid.size == 0 and method != "none":
        return x.copy()
    lo, hi = (valid.min(), valid.max()) if valid.size else (np.nan, np.nan)
    span = hi - lo if hi != lo else np.nan
    if method == "minmax":
        low, up = p.get("l_u", (0.0, 100.0))
        return (x - lo) / span * (up - low) + low
    if method == "zscore":
        m, s = p.get("m_sd", (0.0, 1.0))
        sd = valid.std(ddof=1) if valid.size > 1 else np.nan
        return (x - valid.mean()) / (sd if sd > 0 else np.nan) * s + m
    if method == "scaled":
        a, b = p.get("npara", (0.0, 100.0))
        return (x - a) / (b - a) * p.get("scale_factor", 100.0)
    if method == "fracmax":
        return x / hi
    if method in ("prank", "rank", "borda"):
        ties = p.get("ties", "min")
        r = np.full(x.shape, np.nan)
        from scipy import stats  # here, not at the top: most processes importing this never rank

        r[~np.isnan(x)] = stats.rankdata(valid, method=ties)
        if method == "rank":
            return r
        if method == "borda":
            return r - 1
        return (r - 1) / (valid.size - 1) if valid.size > 1 else np.full(x.shape, np.nan)
    if method == "dist2ref":
        ref = x[int(p["iref"])]
        y = 1 - (ref - x) / (ref - lo)
        return np.minimum(y, 1.0) if p.get("cap_max", False) else y
    if method == "dist2max":
        return 1 - (hi - x) / span
    if method == "dist2targ":
        y = (x - lo) / (float(p["targ"]) - lo)
        return np.minimum(y, 1.0) if p.get("cap_max", False) else y
    if method == "goalposts":
        low, up, scale = p["gposts"]
        y = (x - low) / (up - low)
        if p.get("trunc2posts", True):
            y = np.clip(y, 0.0, 1.0)
        return y * scale
    if method == "none":
        return x.copy()
    raise ValueError(f"unknown normalisation {method!r}; allowed: {', '.join(NORMALISATIONS)}")


# ------------------------------------------------------------------------------------------ aggregation


def aggregate_rows(values: np.ndarray, weights: Sequence[float], method: str = "amean", p: float = 2.0):
    """Row-wise weighted mean of ``values`` (units × components), skipping NaN and renormalising weights.

    * ``amean`` (COINr ``a_amean``) ``Σ w x / Σ w``
    * ``gmean`` (``a_gmean``) ``exp(Σ w log x / Σ w)``; needs x > 0
    * ``hmean`` (``a_hmean``) ``Σ w / Σ (w / x)``; needs x ≠ 0
    * ``genmean`` (``a_genmean``) ``(Σ w x^p / Σ w)^(1/p)``, p ≠ 0; x > 0 when p < 0. COINr returns NA
      when a component is missing; here the missing component is skipped like in the other means.

    A row with no value is NaN. A value outside a mean's domain raises ``ValueError`` (COINr stops too).

    >>> aggregate_rows(np.array([[100.0, 25.0]]), [1, 1], "gmean").round(6).tolist()
    [50.0]
    >>> aggregate_rows(np.array([[2.0, 6.0], [np.nan, 4.0]]), [1, 1], "hmean").tolist()
    [3.0, 4.0]
    """
    x = np.atleast_2d(np.asarray(values, dtype=float))
    w = np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    mask = ~np.isnan(x)
    wsum = np.where(mask, w, 0.0).sum(axis=1)
    present = x[mask]
    if method == "gmean" and (present <= 0).any():
        raise AggregationDomainError(
            "geometric mean: zero or negative values; normalise to positive values first"
        )
    if method == "hmean" and (present == 0).any():
        raise AggregationDomainError("harmonic mean: zero values; normalise to non-zero values first")
    if method == "genmean":
        if p == 0:
            raise ValueError("generalised mean: p = 0 is the geometric mean (use gmean)")
        if p < 0 and (present <= 0).any():
            raise AggregationDomainError("generalised mean with p < 0: zero or negative values")
    safe = np.where(mask, x, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "amean":
            out = np.where(mask, w * safe, 0.0).sum(axis=1) / wsum
        elif method == "gmean":
            out = np.exp(np.where(mask, w * np.log(safe), 0.0).sum(axis=1) / wsum)
        elif method == "hmean":
            out = wsum / np.where(mask, w / safe, 0.0).sum(axis=1)
        elif method == "genmean":
            out = (np.where(mask, w * safe**p, 0.0).sum(axis=1) / wsum) ** (1.0 / p)
        else:
            raise ValueError(f"unknown aggregation {method!r}; allowed: {', '.join(AGGREGATIONS)}")
    return np.where(mask.any(axis=1), out, np.nan)


def outranking_matrix(values: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """COINr ``outrankMatrix``: ``M[i, j] = Σ w (x_i > x_j) + Σ w (x_i = x_j) / 2`` with ``Σ w = 1``.

    A comparison with a missing value counts for neither unit; ``M[j, i] = 1 - M[i, j]`` as in COINr.
    """
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    a, b = x[:, None, :], x[None, :, :]
    with np.errstate(invalid="ignore"):
        upper = (w * (a > b)).sum(axis=2) + (w * (a == b)).sum(axis=2) / 2
    out = np.triu(upper, 1)
    out = out + np.tril(1 - out.T, -1)
    np.fill_diagonal(out, 0.0)
    return out


def aggregate_copeland(values: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """COINr ``a_copeland``: per unit, pairs it wins (outranking > 0.5) minus pairs it loses (< 0.5).

    >>> aggregate_copeland(np.array([[3.0, 3.0], [2.0, 1.0], [1.0, 2.0]]), [1, 1]).tolist()
    [2.0, -1.0, -1.0]
    """
    m = outranking_matrix(values, weights)
    score = np.sign(m - 0.5)
    np.fill_diagonal(score, 0.0)
    return score.sum(axis=1)


# ------------------------------------------------------------------------------------------ hierarchy


@dataclass(frozen=True)
class Hierarchy:
    """The index structure: every code with its level (1 = indicator), parent, weight and direction."""

    meta: pd.DataFrame  # index iCode; columns Level (int), Parent (str or None), Weight, Direction

    @property
    def n_levels(self) -> int:
        return int(self.meta["Level"].max())

    def codes(self, level: int) -> list[str]:
        return self.meta.index[self.meta["Level"] == level].tolist()

    def children(self, code: str) -> list[str]:
        return self.meta.index[self.meta["Parent"] == code].tolist()

    def parent_of(self, codes: Sequence[str], level: int) -> pd.Series:
        """The ancestor at ``level`` of each code in ``codes`` (a code is its own ancestor at its level)."""
        out = {}
        for code in codes:
            c = code
            while int(self.meta.at[c, "Level"]) < level:
                c = self.meta.at[c, "Parent"]
            out[code] = c
        return pd.Series(out)


def aggregate_hierarchy(
    normalised: pd.DataFrame,
    hierarchy: Hierarchy,
    methods: Sequence[str] | str = "amean",
    weights: Mapping[str, float] | None = None,
    p: float = 2.0,
) -> pd.DataFrame:
    """Aggregate level by level up the hierarchy (COINr ``Aggregate.coin``); all levels side by side.

    ``normalised`` has one column per indicator (level 1); each code of level ``k ≥ 2`` is the
    ``methods[k - 2]`` mean of its children with their ``weights`` (default: the hierarchy's). A missing
    child is skipped and the weights of the others renormalised (COINr ``a_amean``).
    """
    n = hierarchy.n_levels
    methods = [methods] * (n - 1) if isinstance(methods, str) else list(methods)
    if len(methods) != n - 1:
        raise ValueError(f"give one aggregation for all levels or one per level above 1 ({n - 1})")
    w = dict(hierarchy.meta["Weight"].astype(float)) if weights is None else dict(weights)
    out = normalised.copy()
    for level in range(2, n + 1):
        method = methods[level - 2]
        new = {}
        for code in hierarchy.codes(level):
            kids = hierarchy.children(code)
            x = out[kids].to_numpy(dtype=float)
            kid_w = [w[k] for k in kids]
            if method == "copeland":
                new[code] = aggregate_copeland(x, kid_w)
            else:
                try:
                    new[code] = aggregate_rows(x, kid_w, method, p)
                except AggregationDomainError as exc:
                    raise AggregationDomainError(f"{code}: {exc}", method, level) from exc
        out = pd.concat([out, pd.DataFrame(new, index=out.index)], axis=1)
    return out


def ranks(scores: pd.DataFrame) -> pd.DataFrame:
    """Competition ranks per column, 1 = highest score, ties share the best rank, NaN unranked (COINr
    ``rank(-x, ties.method = "min")``); nullable integers."""
    return scores.rank(ascending=False, method="min").astype("Int64")


# ------------------------------------------------------------------------------------------ weights


def pca(data: pd.DataFrame) -> dict[str, pd.DataFrame | pd.Series]:
    """Principal components of the standardised columns of ``data`` (COINr ``get_PCA``: ``prcomp`` with
    ``center = TRUE, scale = TRUE`` on the complete rows).

    Returns ``loadings`` (columns × components; each component's sign fixed so its loadings sum to a
    positive number: an SVD's sign is arbitrary) and ``explained`` (share of variance per component).
    """
    complete = data.dropna()
    if len(complete) < 2:
        raise ValueError(f"PCA needs at least two complete rows, got {len(complete)}")
    z = (complete - complete.mean()) / complete.std(ddof=1)
    _, s, vt = np.linalg.svd(z.to_numpy(dtype=float), full_matrices=False)
    signs = np.where(vt.sum(axis=1) < 0, -1.0, 1.0)
    vt = vt * signs[:, None]
    names = [f"PC{k + 1}" for k in range(vt.shape[0])]
    var = s**2
    return {
        "loadings": pd.DataFrame(vt.T, index=data.columns, columns=names),
        "explained": pd.Series(var / var.sum(), index=names),
    }


def pca_weights(scores: pd.DataFrame, hierarchy: Hierarchy, level: int = 1) -> dict[str, float]:
    """COINr ``get_PCA(by_groups = TRUE)`` weights: each code of ``level`` gets its loading on the first
    principal component of its siblings (the codes with the same parent); other weights unchanged.

    A group of one keeps its weight. Loadings can be negative (COINr keeps them as they are).
    """
    w = dict(hierarchy.meta["Weight"].astype(float))
    codes = hierarchy.codes(level)
    parents = hierarchy.meta.loc[codes, "Parent"]
    for _, group in parents.groupby(parents, sort=True):
        kids = group.index.tolist()
        if len(kids) < 2:
            continue
        loadings = pca(scores[kids])["loadings"]["PC1"]
        w.update({k: float(loadings[k]) for k in kids})
    return w


def optimise_weights(
    normalised: pd.DataFrame,
    hierarchy: Hierarchy,
    level: int,
    target: Sequence[float] | None = None,
    method: str = "pearson",
    methods: Sequence[str] | str = "amean",
    tolerance: float = 0.1,
    max_iter: int = 500,
    p: float = 2.0,
) -> tuple[dict[str, float], pd.DataFrame]:
    """COINr ``get_opt_weights(optype = "balance")``: weights of ``level`` such that the codes' correlations
    with the index are in the proportions ``target`` (equal by default).

    Minimises ``log(mean((t - c / Σc)²))`` with Nelder-Mead (as R's ``optim``), ``c`` the correlations of
    the level's codes with the top code, ``t`` the normalised target; ``tolerance`` is ``reltol``; ``p``
    the power of a ``genmean`` aggregation.
    Returns the weights (the level's scaled to sum to 1) and a table ``iCode, desired, obtained, weight``.
    """
    from scipy.optimize import minimize

    codes = hierarchy.codes(level)
    top = hierarchy.codes(hierarchy.n_levels)[0]
    t = np.ones(len(codes)) if target is None else np.asarray(target, dtype=float)
    if t.size != len(codes):
        raise ValueError(f"target has {t.size} values; level {level} has {len(codes)} codes")
    t = t / t.sum()
    base = dict(hierarchy.meta["Weight"].astype(float))

    def correlations(wv: np.ndarray) -> np.ndarray:
        w = dict(base)
        w.update(zip(codes, np.abs(wv) / np.abs(wv).sum(), strict=True))
        agg = aggregate_hierarchy(normalised, hierarchy, methods, w, p)
        return np.array([agg[c].corr(agg[top], method=method) for c in codes])

    def objective(wv: np.ndarray) -> float:
        c = correlations(wv)
        return float(np.log(np.sum((t - c / c.sum()) ** 2) / c.size))

    res = minimize(objective, t, method="Nelder-Mead", options={"fatol": 0.0, "maxiter": max_iter})
    wopt = np.abs(res.x) / np.abs(res.x).sum()
    obtained = correlations(wopt)
    weights = dict(base)
    weights.update(zip(codes, wopt, strict=True))
    table = pd.DataFrame(
        {"iCode": codes, "desired": t, "obtained": obtained / obtained.sum(), "weight": wopt}
    )
    return weights, table


# ------------------------------------------------------------------------------------------ correlations


def level_correlations(scores: pd.DataFrame, hierarchy: Hierarchy, method: str = "pearson") -> pd.DataFrame:
    """Correlations between the codes of every pair of levels (including a level with itself), long.

    One row per pair of codes: ``level_a, code_a, level_b, code_b, correlation, n`` (pairwise complete
    rows; COINr ``get_corr`` with ``use = "pairwise.complete.obs"``), with ``is_parent`` marking a code
    against its own ancestor (COINr's ``withparent``). ``method``: pearson, spearman or kendall.
    """
    if method not in CORRELATIONS:
        raise ValueError(f"unknown correlation {method!r}; allowed: {', '.join(CORRELATIONS)}")
    rows = []
    n = hierarchy.n_levels
    pair = _PairCorrelation(scores, method)
    for la in range(1, n + 1):
        for lb in range(la, n + 1):
            codes_b = hierarchy.codes(lb)
            for a in hierarchy.codes(la):
                ancestor = hierarchy.parent_of([a], lb).iloc[0]
                for b in codes_b:
                    if la == lb and a >= b:
                        continue
                    rho, count = pair(a, b)
                    rows.append((la, a, lb, b, rho, count, la != lb and ancestor == b))
    cols = ["level_a", "code_a", "level_b", "code_b", "correlation", "n", "is_parent"]
    return pd.DataFrame(rows, columns=cols)


def denominator_correlations(
    scores: pd.DataFrame, denominators: pd.DataFrame, method: str = "pearson"
) -> pd.DataFrame:
    """Correlation of every score column with every denominator column (e.g. size: population, GDP,
    households), long: ``code, denominator, correlation, n`` (pairwise complete rows)."""
    both = pd.concat([scores, denominators.add_prefix("\0den:")], axis=1)
    pair = _PairCorrelation(both, method)
    rows = []
    for code in scores.columns:
        for den in denominators.columns:
            rho, count = pair(code, "\0den:" + den)
            rows.append((code, den, rho, count))
    return pd.DataFrame(rows, columns=["code", "denominator", "correlation", "n"])


class _PairCorrelation:
    """Correlation of two columns over their pairwise complete rows, as ``Series.corr`` (pandas):
    ``(rho, n)``, NaN for 2 rows or fewer or no spread. Spearman ranks (average ties) are computed once
    per column and reused for the pairs where neither column has a gap; Kendall is scipy's tau-b."""

    def __init__(self, frame: pd.DataFrame, method: str):
        self.method = method
        self.values = {c: frame[c].to_numpy(dtype=float) for c in frame.columns}
        self.ok = {c: ~np.isnan(v) for c, v in self.values.items()}
        self.full_ranks: dict[str, np.ndarray] = {}

    def _ranks(self, code: str, mask: np.ndarray, complete: bool) -> np.ndarray:
        from scipy import stats  # here, not at the top: most processes importing this never rank

        if complete:
            if code not in self.full_ranks:
                self.full_ranks[code] = stats.rankdata(self.values[code])
            return self.full_ranks[code]
        return stats.rankdata(self.values[code][mask])

    def __call__(self, a: str, b: str) -> tuple[float, int]:
        mask = self.ok[a] & self.ok[b]
        count = int(mask.sum())
        if count <= 2:
            return float("nan"), count
        complete = count == mask.size
        if self.method == "spearman":
            x, y = self._ranks(a, mask, complete), self._ranks(b, mask, complete)
        else:
            x, y = self.values[a][mask], self.values[b][mask]
        if np.ptp(x) == 0 or np.ptp(y) == 0:
            return float("nan"), count
        if self.method == "kendall":
            from scipy import stats

            return float(stats.kendalltau(x, y).statistic), count
        return float(np.corrcoef(x, y)[0, 1]), count
