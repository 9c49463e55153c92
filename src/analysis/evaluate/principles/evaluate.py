"""The four-principle index per RT: screening, imputation, normalisation, aggregation, uncertainty, audit,
strengths and weaknesses, roll-ups (OECD/JRC Handbook 2008 steps 1-8; feature parity in spirit with COINr).

Entry point: :func:`evaluate_principles`. The tables it returns are documented in
``docs/evaluation_tables.md`` (section "Four-principle index").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.config import PROJECT_ROOT
from analysis.core.periods import parse_period, period_info, previous_period
from analysis.evaluate import composite
from analysis.evaluate.principles import methods
from analysis.evaluate.principles.audit import audit_index
from analysis.evaluate.principles.correlations import correlation_table, pca_table
from analysis.evaluate.principles.framework import (
    COARSE_KINDS,
    PRINCIPLES,
    RELATIVE_NORMALISATIONS,
    Framework,
    IndexOptions,
    Indicator,
    Settings,
    load_framework,
)
from analysis.evaluate.principles.framework import MISSING as MISSING_STATE
from analysis.evaluate.principles.framework import NOT_APPLICABLE as NOT_APPLICABLE_STATE
from analysis.evaluate.principles.indicators import (
    compute_indicator_values,
    shift_goalposts,
    without_count_rules,
)
from analysis.evaluate.principles.uncertainty import (
    RankIntervals,
    Variations,
    sensitivity_table,
    simulate_rank_intervals,
)

DEFAULT_SEED = 20250623  # the date Kampung Bahagia was launched (23 Jun 2025)
INTERVAL = (5.0, 95.0)  # percentiles of the simulated ranks published next to every rank
STATUS_SCORED = "dinilai"
STATUS_INSUFFICIENT = "data belum memadai"
SIDE_STRENGTH, SIDE_WEAKNESS = "kekuatan", "kelemahan"
#: Normalisations computed by the engine (:mod:`analysis.evaluate.composite`), see _normalise_with_engine.
ENGINE_NORMALISATIONS = ("percentile_rank", "dist2max", "scaled", "fracmax")

_REGISTRY_KEEP = [
    "rt_code",
    "kelurahan_code",
    "kelurahan_name",
    "kecamatan_code",
    "kecamatan_name",
    "rw",
    "rt_number",
    "households_kk",
    "residents",
    "is_kampung_bahagia",
    "start_year",
    "is_pilot",
]


# ------------------------------------------------------------------------------------------ scope


def select_rt_scope(tables: dict[str, pd.DataFrame], period: str) -> pd.DataFrame:
    """The RTs the index covers for ``period``, one row per RT (index ``rt_code``), registry + report columns.

    Scope = registry RTs taking part in Kampung Bahagia (``is_kampung_bahagia``) that had joined by the
    period's year (``start_year <= year``; blank start year = in scope), plus any RT that reported for the
    period. ``has_report`` says whether the RT sent a report; an RT without one is screened out later.
    """
    year = period_info(period).year
    registry = tables["rt_registry"].copy()
    missing = [c for c in ("rt_code", "households_kk") if c not in registry.columns]
    if missing:
        raise ValueError(f"rt_registry has no column(s) {missing}")
    if registry["rt_code"].duplicated().any():
        dupes = sorted(registry.loc[registry["rt_code"].duplicated(), "rt_code"].astype(str).unique())
        raise ValueError(f"rt_registry has duplicate rt_code values: {dupes[:10]}")
    reports = tables["rt_reports"]
    if "period" in reports.columns:
        reports = reports[reports["period"].astype(str) == period]
    if reports["rt_code"].duplicated().any():
        dupes = sorted(reports.loc[reports["rt_code"].duplicated(), "rt_code"].astype(str).unique())
        raise ValueError(f"rt_reports has more than one row for period {period} of RT {dupes[:10]}")

    taking_part = registry.get("is_kampung_bahagia", pd.Series(True, index=registry.index))
    taking_part = taking_part.astype("boolean").fillna(False).astype(bool)
    start = pd.to_numeric(registry.get("start_year", pd.Series(pd.NA, index=registry.index)), errors="coerce")
    joined = start.isna() | (start <= year)
    in_scope = registry[(taking_part & joined) | registry["rt_code"].isin(reports["rt_code"])]

    keep = [c for c in _REGISTRY_KEEP if c in in_scope.columns]
    report_cols = [c for c in reports.columns if c not in keep or c == "rt_code"]
    merged = in_scope[keep].merge(
        reports[report_cols].assign(has_report=True),
        on="rt_code",
        how="outer",
        validate="1:1",
        indicator=False,
    )
    if "kelurahan_code" in reports.columns:
        by_report = reports.set_index("rt_code")["kelurahan_code"]
        merged["kelurahan_code"] = merged["kelurahan_code"].fillna(merged["rt_code"].map(by_report))
    merged["has_report"] = merged["has_report"].astype("boolean").fillna(False)
    if "is_pilot" not in merged.columns:
        merged["is_pilot"] = (pd.to_numeric(merged.get("start_year"), errors="coerce") == 2025).astype(
            "boolean"
        )
    merged["is_pilot"] = merged["is_pilot"].astype("boolean")
    return merged.sort_values("rt_code").set_index("rt_code", drop=False).rename_axis(None)


def _survey_for(tables: dict[str, pd.DataFrame], period: str) -> pd.DataFrame | None:
    survey = tables.get("survey")
    if survey is None or len(survey) == 0:
        return None
    if "period" in survey.columns:
        survey = survey[survey["period"].astype(str) == period]
    return survey if len(survey) else None


# ------------------------------------------------------------------------------------------ screening


def screen_units(
    values: pd.DataFrame, applicable: pd.DataFrame, framework: Framework, has_report: pd.Series
) -> pd.DataFrame:
    """Screening by data availability (COINr ``Screen`` with ``unit_screen = "byNA"``), one row per RT.

    ``data_coverage = n_available / n_applicable`` (indicators with a value / indicators that apply, before
    any imputation). Status ``dinilai`` needs a report for the period, ``data_coverage >= min_coverage`` and
    at least ``min_indicators_per_principle`` indicators with a value in every principle; otherwise
    ``data belum memadai`` with the reason.
    """
    s = framework.settings
    available = values.notna() & applicable
    n_app = applicable.sum(axis=1).astype(int)
    n_val = available.sum(axis=1).astype(int)
    coverage = (n_val / n_app.where(n_app > 0)).astype(float)
    per_principle = pd.DataFrame(
        {p: available[[i.code for i in framework.by_principle(p)]].sum(axis=1) for p in PRINCIPLES}
    )
    # The reason depends only on these columns: write it once per distinct combination (a few dozen).
    key = pd.DataFrame(
        {
            "has_report": has_report.loc[values.index].astype(bool).to_numpy(),
            "n_val": n_val.to_numpy(),
            "n_app": n_app.to_numpy(),
            **{p: (per_principle[p] < s.min_indicators_per_principle).to_numpy() for p in PRINCIPLES},
        }
    )
    combos = key.drop_duplicates(ignore_index=True)
    combos["reason"] = [
        _screening_reason(
            row[0], row[1], row[2], [p for p, short in zip(PRINCIPLES, row[3:], strict=True) if short], s
        )
        for row in combos.itertuples(index=False, name=None)
    ]
    reasons = key.merge(combos, on=list(key.columns), how="left", validate="m:1")["reason"]
    reason = pd.Series(reasons.to_numpy(), index=values.index, dtype="str")
    return pd.DataFrame(
        {
            "status": np.where(reason == "", STATUS_SCORED, STATUS_INSUFFICIENT),
            "status_reason": reason,
            "n_indicators_applicable": n_app,
            "n_indicators_available": n_val,
            "data_coverage": coverage,
        },
        index=values.index,
    )


def _screening_reason(has_report: bool, n_val: int, n_app: int, short: list[str], s: Settings) -> str:
    """Why an RT is not scored ("" when it is): no report, too little coverage, principles too thin.

    >>> _screening_reason(True, 9, 15, ["keberlanjutan"], Settings())
    'cakupan data 60% < 67% (9 dari 15 indikator); prinsip tanpa indikator cukup: keberlanjutan'
    """
    why = []
    if not has_report:
        why.append("tidak ada laporan RT untuk periode ini")
    cov = float(np.float64(n_val) / np.float64(n_app)) if n_app > 0 else float("nan")
    if np.isnan(cov) or cov < s.min_coverage - 1e-12:
        why.append(
            f"cakupan data {0 if np.isnan(cov) else cov:.0%} < {s.min_coverage:.0%} "
            f"({n_val} dari {n_app} indikator)"
        )
    if short:
        why.append("prinsip tanpa indikator cukup: " + ", ".join(short))
    return "; ".join(why)


# ------------------------------------------------------------------------------------------ imputation


def impute_group_median(
    values: pd.DataFrame,
    applicable: pd.DataFrame,
    groups: list[pd.Series],
    donors: pd.Series,
    how: str = "median",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill missing applicable cells with the median (``how="mean"``: the mean, COINr ``i_mean_grp``) of
    the donor RTs in the same group.

    ``groups`` is a list of grouping keys tried in order (e.g. kelurahan, then kecamatan, then one group for
    all); ``donors`` marks the RTs whose values feed the medians (the scored RTs). Not-applicable cells are
    never filled. Returns ``(filled_values, is_imputed)``.

    >>> v = pd.DataFrame({"x": [1.0, 3.0, np.nan, 10.0]}, index=list("abcd"))
    >>> kel = pd.Series(["k1", "k1", "k1", "k2"], index=v.index)
    >>> filled, flag = impute_group_median(v, v.notna() | True, [kel], pd.Series(True, index=v.index))
    >>> filled["x"].tolist(), flag["x"].tolist()
    ([1.0, 3.0, 2.0, 10.0], [False, False, True, False])
    """
    if _all_float(values) and _all_bool(applicable, values):
        return _impute_group_median_float(values, applicable, groups, donors, how)
    filled = values.copy()
    flags = pd.DataFrame(False, index=values.index, columns=values.columns)
    for code in values.columns:
        need = values[code].isna() & applicable[code]
        for key in groups:
            if not need.any():
                break
            donor_values = values.loc[donors.astype(bool) & values[code].notna(), code]
            medians = donor_values.groupby(key.loc[donor_values.index]).agg(how)
            candidate = key.map(medians)
            take = need & candidate.notna()
            filled.loc[take, code] = candidate[take]
            flags.loc[take, code] = True
            need = need & ~take
    return filled, flags


def _all_float(values: pd.DataFrame) -> bool:
    return all(dtype == np.float64 for dtype in values.dtypes)


def _all_bool(applicable: pd.DataFrame, values: pd.DataFrame) -> bool:
    same = applicable.index.equals(values.index) and applicable.columns.equals(values.columns)
    return same and all(dtype == np.bool_ for dtype in applicable.dtypes)


def _impute_group_median_float(
    values: pd.DataFrame,
    applicable: pd.DataFrame,
    groups: list[pd.Series],
    donors: pd.Series,
    how: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`impute_group_median` for float values: one groupby per grouping key for all indicators
    instead of one per indicator and key. The same medians (means): pandas' group aggregation skips the
    NaN a column's donors have, as the per-indicator version drops them first, over the same values in
    the same order."""
    x = values.to_numpy(dtype=float, copy=True)
    need = np.isnan(x) & applicable.to_numpy(dtype=bool)
    flags = np.zeros(x.shape, dtype=bool)
    is_donor = donors.astype(bool).reindex(values.index, fill_value=False).to_numpy(dtype=bool)
    donor_values = values.loc[is_donor]
    for key in groups:
        if not need.any():
            break
        labels = key.reindex(values.index)
        medians = donor_values.groupby(labels.to_numpy()[is_donor]).agg(how)
        candidate = medians.reindex(labels.to_numpy()).to_numpy(dtype=float)
        take = need & ~np.isnan(candidate)
        x[take] = candidate[take]
        flags |= take
        need &= ~take
    filled = pd.DataFrame(x, index=values.index, columns=values.columns)
    return filled, pd.DataFrame(flags, index=values.index, columns=values.columns)


def _imputation_groups(rt: pd.DataFrame, level: str) -> list[pd.Series]:
    everyone = pd.Series("semua", index=rt.index)
    kel = rt["kelurahan_code"].astype("str") if "kelurahan_code" in rt else everyone
    kec = rt["kecamatan_code"].astype("str") if "kecamatan_code" in rt else everyone
    return {
        "kelurahan": [kel, kec, everyone],
        "kecamatan": [kec, everyone],
        "": [everyone],
    }[level.removesuffix("median").removesuffix("mean").rstrip("_")]


def impute_values(
    rt: pd.DataFrame,
    raw: pd.DataFrame,
    applicable: pd.DataFrame,
    donors: pd.Series,
    imputation: str,
    previous: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Imputation named as in the framework: group imputation (``<group>_<median|mean>``, or
    ``median``/``mean`` over all scored RTs; :func:`impute_group_median`), or ``carry_forward``: a missing
    applicable cell takes the RT's own value of the previous period, ``previous`` (RTs × indicators raw
    values; :func:`composite.impute_from_previous`); without ``previous`` nothing is filled."""
    if imputation == "carry_forward":
        return composite.impute_from_previous(raw, previous, applicable)
    how = "mean" if imputation.endswith("mean") else "median"
    return impute_group_median(raw, applicable, _imputation_groups(rt, imputation), donors, how)


# ------------------------------------------------------------------------------------------ scoring


def _normalise_with_engine(x: np.ndarray, ind: Indicator, method: str) -> np.ndarray:
    """The engine's normalisations (:func:`composite.normalise`, on ``direction × x``), scaled to 0-100.

    ``percentile_rank`` COINr ``n_prank`` (ties ``"min"``); ``dist2max`` ``n_dist2max``; ``scaled``
    ``n_scaled`` with the goalposts as ``npara`` (goalposts without truncation: can leave 0-100);
    ``fracmax`` ``n_fracmax``. Where the engine gives NaN for a value (no spread, a single RT) the RT scores
    :data:`methods.NO_SPREAD_SCORE`, as in ``minmax``: it shifts every RT equally and changes no ranking.
    """
    d = ind.direction
    if method == "scaled":
        y = composite.normalise(x, "scaled", d, npara=(ind.worst * d, ind.best * d), scale_factor=100.0)
    else:
        engine = {"percentile_rank": "prank", "dist2max": "dist2max", "fracmax": "fracmax"}[method]
        y = 100.0 * composite.normalise(x, engine, d)
    return np.where(np.isnan(y) & ~np.isnan(x), methods.NO_SPREAD_SCORE, y)


def treat_matrix(values: pd.DataFrame, treatment: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Outlier treatment per indicator column (``winsorise_log``: :func:`composite.treat_outliers`, COINr
    ``Treat()``'s default); ``(treated values, how each indicator was treated)``."""
    if treatment == "none":
        return values, {}
    out, how = values.copy(), {}
    for code in values.columns:
        with np.errstate(invalid="ignore", divide="ignore"):  # no spread: no skew, nothing to treat
            out[code], how[code], _ = composite.treat_outliers(values[code].to_numpy(dtype=float))
    return out, how


def normalise_matrix(values: pd.DataFrame, framework: Framework, method: str) -> pd.DataFrame:
    """Normalise every indicator column of ``values`` (RTs × indicators) with ``method``, to 0-100.

    ``goalposts`` uses each indicator's goalposts; ``target`` the best goalpost as the target;
    ``minmax``, ``zscore`` and ``rank`` use the distribution of the RTs in ``values`` (the scored RTs), so
    their scores are not comparable between periods. ``percentile_rank``, ``dist2max``, ``scaled`` and
    ``fracmax`` are the engine's (:func:`_normalise_with_engine`). With ``settings.treatment`` the values
    are treated for outliers first, for the normalisations on the RTs' own distribution only
    (:data:`RELATIVE_NORMALISATIONS`; goalposts already truncate).
    """
    s = framework.settings
    if method in RELATIVE_NORMALISATIONS:
        values, _ = treat_matrix(values, s.treatment)
    out = {}
    for ind in framework.indicators:
        x = values[ind.code].to_numpy(dtype=float)
        if method in ENGINE_NORMALISATIONS:
            out[ind.code] = _normalise_with_engine(x, ind, method)
            continue
        if method == "goalposts":
            out[ind.code] = methods.normalise_goalposts(x, ind.goalpost_low, ind.goalpost_high, ind.direction)
        elif method == "target":
            out[ind.code] = methods.normalise_distance_to_target(x, ind.best, ind.direction)
        elif method == "minmax":
            out[ind.code] = methods.normalise_minmax(x, ind.direction)
        elif method == "zscore":
            out[ind.code] = methods.normalise_zscore(x, ind.direction, s.zscore_mean, s.zscore_sd)
        elif method == "rank":
            out[ind.code] = methods.normalise_rank(x, ind.direction)
        else:
            raise ValueError(f"unknown normalisation {method!r}")
    return pd.DataFrame(out, index=values.index, dtype=float)


def aggregate_principles(normalised: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Principle scores: weighted arithmetic mean of the principle's available normalised indicators.

    ``P_p = sum_{i in p} w_i * x_i / sum_{i in p, x_i present} w_i`` (one row per RT, one column per principle).
    """
    return pd.DataFrame(
        {
            p: methods.weighted_mean_available(
                normalised[[i.code for i in framework.by_principle(p)]].to_numpy(float),
                np.array([i.weight for i in framework.by_principle(p)]),
            )
            for p in PRINCIPLES
        },
        index=normalised.index,
    )


def aggregate_index(
    principle_scores: pd.DataFrame, framework: Framework, aggregation: str | None = None
) -> pd.Series:
    """The index from the four principle scores: weighted arithmetic or geometric mean (see ``methods``),
    or the engine's harmonic or generalised mean (:func:`composite.aggregate_rows` ``hmean``/``genmean``).

    Harmonic ``I = Σ W / Σ (W / max(P, ε))``; generalised ``I = (Σ W P^p / Σ W)^(1/p)`` with
    ``p = generalised_mean_p``, principle scores raised to ``ε = geometric_floor`` first when ``p < 0``
    (both means need positive values, as the geometric mean). NaN if any principle score is NaN.
    """
    s = framework.settings
    aggregation = aggregation or s.aggregation
    weights = [framework.principle_weights[p] for p in PRINCIPLES]
    scores = principle_scores[list(PRINCIPLES)].to_numpy(float)
    if aggregation == "arithmetic":
        value = methods.aggregate_arithmetic(scores, weights)
    elif aggregation == "geometric":
        value = methods.aggregate_geometric(scores, weights, s.geometric_floor)
    else:
        p = s.generalised_mean_p
        floored = aggregation == "harmonic" or p < 0
        x = np.maximum(scores, s.geometric_floor) if floored else scores
        engine = "hmean" if aggregation == "harmonic" else "genmean"
        value = composite.aggregate_rows(x, weights, engine, p)
        value = np.where(np.isnan(scores).any(axis=1), np.nan, value)
    return pd.Series(value, index=principle_scores.index, name="index")


def indicator_contributions(
    normalised: pd.DataFrame, principle_scores: pd.DataFrame, index: pd.Series, framework: Framework
) -> dict[str, pd.DataFrame]:
    """Effective weights and contributions of each indicator (RTs × indicators frames).

    ``weight`` = the indicator's share inside its principle after re-normalising over the RT's available
    indicators, ``w_i / sum_{j in p, present} w_j``; ``contribution_principle = weight * x_i`` (sums to the
    principle score). ``contribution_index``: arithmetic across principles,
    ``V_p * weight * x_i`` with ``V_p = W_p / sum W`` (sums to the index); any other mean, the index shared out
    by ``V_p * weight * x_i / P_p`` (each principle's share of the weights, split by its indicators' shares
    of the principle score; also sums to the index, an attribution rather than an exact decomposition).
    """
    total_w = sum(framework.principle_weights.values())
    weight = pd.DataFrame(np.nan, index=normalised.index, columns=normalised.columns)
    contrib_p = weight.copy()
    contrib_i = weight.copy()
    geometric = framework.settings.aggregation != "arithmetic"
    for p in PRINCIPLES:
        inds = framework.by_principle(p)
        codes = [i.code for i in inds]
        w = np.array([i.weight for i in inds])
        present = normalised[codes].notna().to_numpy()
        den = (present * w).sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            eff = np.where(present, w / np.where(den > 0, den, np.nan), np.nan)
        x = normalised[codes].to_numpy(float)
        v_p = framework.principle_weights[p] / total_w
        weight[codes] = eff
        contrib_p[codes] = eff * x
        if geometric:
            ps = principle_scores[p].to_numpy(float)[:, None]
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(ps > 0, eff * x / np.where(ps > 0, ps, 1.0), eff)
            contrib_i[codes] = index.to_numpy(float)[:, None] * v_p * share
        else:
            contrib_i[codes] = v_p * eff * x
    return {"weight": weight, "contribution_principle": contrib_p, "contribution_index": contrib_i}


@dataclass
class PeriodScores:
    """Everything computed for one period (internal; the public tables are built from it)."""

    period: str
    framework: Framework
    rt: pd.DataFrame
    raw: pd.DataFrame
    applicable: pd.DataFrame
    screening: pd.DataFrame
    used: pd.DataFrame  # raw values after imputation, scored RTs
    imputed: pd.DataFrame
    normalised: pd.DataFrame  # nominal method, scored RTs
    principles: pd.DataFrame
    index: pd.Series
    ranks: pd.DataFrame  # rank, rank_in_group and intervals, scored RTs
    simulation: RankIntervals | None  # per-RT rank intervals and the draws per run (no per-run ranks)
    thin_principles: tuple[str, ...] = ()  # principles whose weight was reduced (thin_principle_weights)
    nominal_weights: dict[str, float] | None = None  # before the thin rule: the file's, or pca/optimised
    sensitivity: pd.DataFrame | None = None  # index_sensitivity (None: not computed)
    carried_from: str | None = None  # carry_forward: the period the values come from (None: none given)


def thin_principle_weights(
    framework: Framework, applicable: pd.DataFrame
) -> tuple[dict[str, float], tuple[str, ...]]:
    """Principle weights for the period and the principles they reduce.

    A principle is *thin* when the indicators collected this period (applicable to at least one RT) are at
    most ``thin_principle_max_items`` and all coarse (yes/no or ordinal, :data:`COARSE_KINDS`), e.g.
    transparansi without the residents' survey; its weight is multiplied by
    ``thin_principle_weight_factor`` (justified in ``config/index_framework.yml``).
    """
    s = framework.settings
    weights, thin = dict(framework.principle_weights), []
    for p in PRINCIPLES:
        collected = [i for i in framework.by_principle(p) if bool(applicable[i.code].any())]
        coarse = all(i.compute.kind in COARSE_KINDS for i in collected)
        few = 0 < len(collected) <= s.thin_principle_max_items
        if few and coarse and s.thin_principle_weight_factor < 1:
            weights[p] *= s.thin_principle_weight_factor
            thin.append(p)
    return weights, tuple(thin)


#: The engine's mean for each aggregation across principles (:func:`composite.aggregate_rows`).
ENGINE_MEANS = {"arithmetic": "amean", "geometric": "gmean", "harmonic": "hmean", "generalised": "genmean"}


def data_driven_principle_weights(principle_scores: pd.DataFrame, framework: Framework) -> dict[str, float]:
    """Principle weights computed from the period's principle scores (``settings.principle_weighting``),
    scaled to sum to 1; the scored RTs are the rows.

    ``pca``: each principle's loading on the first principal component of the standardised principle
    scores (:func:`composite.pca_weights`, COINr ``get_PCA(by_groups = TRUE)``); a loading of 0 or below
    (a principle pulling against the others) raises ``ValueError``: such a weight cannot enter a mean.
    ``correlation_optimised``: weights that make the Pearson correlations of the four principles with the
    index equal (:func:`composite.optimise_weights`, COINr ``get_opt_weights(optype = "balance")``), the
    index aggregated as ``settings.aggregation`` (scores raised to ``geometric_floor`` first for the
    geometric and harmonic means, as :func:`aggregate_index` does).
    """
    s = framework.settings
    meta = pd.DataFrame(
        {
            "Level": [1] * len(PRINCIPLES) + [2],
            "Parent": ["index"] * len(PRINCIPLES) + [None],
            "Weight": [framework.principle_weights[p] for p in PRINCIPLES] + [1.0],
            "Direction": 1,
        },
        index=[*PRINCIPLES, "index"],
    )
    hierarchy = composite.Hierarchy(meta)
    scores = principle_scores[list(PRINCIPLES)].astype(float)
    if s.principle_weighting == "pca":
        loadings = composite.pca_weights(scores, hierarchy, level=1)
        weights = {p: loadings[p] for p in PRINCIPLES}
        bad = {p: round(w, 4) for p, w in weights.items() if not w > 0}
        if bad:
            raise ValueError(
                f"{_display_path(framework.path)}: settings.principle_weighting: pca gives loadings on the "
                f"first principal component of 0 or below {bad} "
                "(the principle pulls against the others this period); use manual or correlation_optimised"
            )
    else:
        mean = ENGINE_MEANS[s.aggregation]
        floored = mean in ("gmean", "hmean") or (mean == "genmean" and s.generalised_mean_p < 0)
        x = np.maximum(scores, s.geometric_floor) if floored else scores
        weights, _ = composite.optimise_weights(
            x.dropna(), hierarchy, level=1, methods=mean, p=s.generalised_mean_p
        )
        weights = {p: weights[p] for p in PRINCIPLES}
    total = sum(weights.values())
    return {p: float(w / total) for p, w in weights.items()}


def score_period(
    tables: dict[str, pd.DataFrame],
    period: str,
    framework: Framework,
    seed: int,
    previous: PeriodScores | None = None,
    sensitivity: bool = True,
) -> PeriodScores:
    """Compute the index for one period (all steps up to ranks with their intervals).

    ``previous`` (the previous period scored with the same framework) is the source of ``carry_forward``
    imputation: its raw values (each RT's own reported values, never values it imputed itself).
    ``sensitivity=False`` skips the Sobol sensitivity indices (``PeriodScores.sensitivity`` is then
    ``None``): the previous period's scores only feed the change columns of ``rt_index``. The ranks and
    their intervals do not depend on it (the sensitivity runs draw their own numbers, after the Monte Carlo).
    """
    period = parse_period(period)
    period_end: date = period_info(period).end
    rt = select_rt_scope(tables, period)
    survey = _survey_for(tables, period)
    raw, applicable = compute_indicator_values(rt, survey, framework, period_end)
    nominal_weights = dict(framework.principle_weights)
    weights, thin = thin_principle_weights(framework, applicable)
    framework = dataclasses.replace(framework, principle_weights=weights)
    screening = screen_units(raw, applicable, framework, rt["has_report"])
    scored = screening["status"] == STATUS_SCORED
    carry = framework.settings.imputation == "carry_forward"
    prior = previous.raw if carry and previous is not None else None
    if framework.settings.imputation == "none":
        used, imputed = raw.copy(), pd.DataFrame(False, index=raw.index, columns=raw.columns)
    else:
        used, imputed = impute_values(rt, raw, applicable, scored, framework.settings.imputation, prior)
        imputed = imputed & scored.to_numpy()[:, None]
        used = used.where(scored.to_numpy()[:, None] | ~imputed, raw)
    used_scored = used[scored]
    normalised = normalise_matrix(used_scored, framework, framework.settings.normalisation)
    principles = aggregate_principles(normalised, framework)
    if framework.settings.principle_weighting != "manual":
        nominal_weights = data_driven_principle_weights(principles, framework)
        factor = framework.settings.thin_principle_weight_factor
        weights = {p: w * (factor if p in thin else 1.0) for p, w in nominal_weights.items()}
        framework = dataclasses.replace(framework, principle_weights=weights)
    index = aggregate_index(principles, framework)
    groups = rt.loc[scored, "is_pilot"].astype("str").fillna("NA").to_numpy()
    variations = _variations(rt, raw, applicable, scored, survey, framework, period_end, prior)
    ranks, simulation, sensitivity = _rank_with_intervals(
        used_scored, index, groups, framework, seed, variations, sensitivity
    )
    return PeriodScores(
        period,
        framework,
        rt,
        raw,
        applicable,
        screening,
        used,
        imputed,
        normalised,
        principles,
        index,
        ranks,
        simulation,
        thin,
        nominal_weights,
        sensitivity,
        previous.period if carry and previous is not None else None,
    )


def _variations(
    rt: pd.DataFrame,
    raw: pd.DataFrame,
    applicable: pd.DataFrame,
    scored: pd.Series,
    survey: pd.DataFrame | None,
    framework: Framework,
    period_end: date,
    previous: pd.DataFrame | None = None,
) -> Variations:
    """The Monte Carlo's extra choices (``uncertainty_*`` settings) and the matrix of each combination,
    for the scored RTs: missing-value rule (on the raw values), then imputation, then normalisation with
    the goalposts as set or shifted. The nominal combination gives exactly the published matrix."""
    s = framework.settings
    alternative = s.imputation if s.imputation != "none" else "kelurahan_median"
    imputation = (s.imputation, "none" if s.imputation != "none" else alternative)
    imputation = imputation if s.uncertainty_imputation else imputation[:1]
    goalposts = ("nominal", "lenient", "strict") if s.uncertainty_goalpost_shift > 0 else ("nominal",)
    shifted = {
        "nominal": framework,
        "lenient": shift_goalposts(framework, -s.uncertainty_goalpost_shift),
        "strict": shift_goalposts(framework, s.uncertainty_goalpost_shift),
    }
    values: dict[tuple[str, str], pd.DataFrame] = {}
    # each rule's values are computed once and shared by every imputation level (read only)
    by_rule: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}

    def rule_values(rule: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        if rule not in by_rule:
            by_rule[rule] = _rule_values(rule)
        return by_rule[rule]

    def _rule_values(rule: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        if rule == "zero_counts_not_applicable":
            return compute_indicator_values(rt, survey, without_count_rules(framework), period_end)
        if rule == "missing_as_worst":
            worst = pd.Series({i.code: i.worst for i in framework.indicators})
            gap = raw.isna() & applicable
            return raw.mask(gap, worst, axis=1), applicable
        return raw, applicable

    def matrix(method: str, imputation_level: str, goalpost_level: str, rule: str) -> np.ndarray:
        key = (imputation_level, rule)
        if key not in values:
            base, app = rule_values(rule)
            if imputation_level != "none":
                filled, flags = impute_values(rt, base, app, scored, imputation_level, previous)
                flags = flags & scored.to_numpy()[:, None]
                base = filled.where(scored.to_numpy()[:, None] | ~flags, base)
            values[key] = base[scored]
        return normalise_matrix(values[key], shifted[goalpost_level], method).to_numpy(float)

    return Variations(
        matrix=matrix,
        imputation=imputation,
        goalposts=goalposts,
        rules=s.uncertainty_missing_rules,
        leave_one_out=s.uncertainty_leave_one_out,
    )


def _rank_with_intervals(
    used: pd.DataFrame,
    index: pd.Series,
    groups: np.ndarray,
    framework: Framework,
    seed: int,
    variations: Variations | None = None,
    with_sensitivity: bool = True,
) -> tuple[pd.DataFrame, RankIntervals | None, pd.DataFrame | None]:
    s = framework.settings
    cols = ["rank", "rank_median", "rank_p05", "rank_p95"]
    cols += ["rank_in_group", "rank_in_group_median", "rank_in_group_p05", "rank_in_group_p95", "n_in_group"]
    out = pd.DataFrame(np.nan, index=index.index, columns=cols)
    if len(index) == 0:
        return out, None, None
    out["n_in_group"] = (
        pd.Series(groups, index=index.index).map(pd.Series(groups).value_counts()).astype(float)
    )
    if s.n_runs == 0:  # no interval, so no rank (a rank is never published without its interval)
        return out, None, None
    nominal_rank = methods.rank_descending(index.to_numpy(float))
    group_rank = np.full(len(index), np.nan)
    for g in np.unique(groups):
        sel = groups == g
        group_rank[sel] = methods.rank_descending(index.to_numpy(float)[sel])
    matrices = None
    if variations is None:
        matrices = {
            m: normalise_matrix(used, framework, m).to_numpy(float) for m in s.uncertainty_normalisations
        }
    principle_pos = {p: k for k, p in enumerate(PRINCIPLES)}
    model = (
        np.array([principle_pos[i.principle] for i in framework.indicators]),
        np.array([i.weight for i in framework.indicators]),
        np.array([framework.principle_weights[p] for p in PRINCIPLES]),
    )
    simulation = simulate_rank_intervals(matrices, *model, groups, s, seed, INTERVAL, variations=variations)
    del matrices
    sensitivity = None
    if with_sensitivity and variations is not None and s.sensitivity_samples > 0 and len(index) > 1:
        sensitivity = sensitivity_table(variations, *model, nominal_rank, s, seed)
    out["rank"] = nominal_rank
    out["rank_median"], out["rank_p05"], out["rank_p95"] = (
        simulation.median,
        simulation.low,
        simulation.high,
    )
    out["rank_in_group"] = group_rank
    out["rank_in_group_median"], out["rank_in_group_p05"], out["rank_in_group_p95"] = (
        simulation.group_median,
        simulation.group_low,
        simulation.group_high,
    )
    return out, simulation, sensitivity


# ------------------------------------------------------------------------------------------ output tables

_ID_COLUMNS = [
    "rt_code",
    "kelurahan_code",
    "kelurahan_name",
    "kecamatan_code",
    "kecamatan_name",
    "rt_number",
    "is_pilot",
    "start_year",
    "households_kk",
]


@dataclass(frozen=True)
class PreviousScores:
    """What the change columns of ``rt_index`` read of the previous period (:func:`build_rt_index`):
    its screening status (every RT in scope), index and ranks with their intervals (scored RTs), indexed
    by ``rt_code``, as :func:`score_period` gives them."""

    period: str
    screening: pd.DataFrame
    index: pd.Series
    ranks: pd.DataFrame


RANK_COLUMNS_PREVIOUS = ("rank", "rank_median", "rank_p05", "rank_p95")


def previous_scores_from_index(rt_index: pd.DataFrame) -> PreviousScores:
    """:class:`PreviousScores` from the previous period's own published ``rt_index`` (written by
    :func:`evaluate_principles` with the same framework, seed and code: the caller checks that), instead of
    scoring that period again (its Monte Carlo is most of the index's time)."""
    periods = rt_index["period"].dropna().astype(str).unique()
    if len(periods) != 1:
        raise ValueError(f"the previous rt_index holds {len(periods)} periods; expected one")
    frame = rt_index.set_index(pd.Index(rt_index["rt_code"].astype("str").to_numpy(), dtype="str"))
    scored = frame["status"] == STATUS_SCORED
    screening = pd.DataFrame({"status": frame["status"].astype("str")})
    index = frame.loc[scored, "index"].astype("float64").rename("index")
    ranks = frame.loc[scored, list(RANK_COLUMNS_PREVIOUS)].astype("float64")
    return PreviousScores(str(periods[0]), screening, index, ranks)


def build_rt_index(sc: PeriodScores, previous: PeriodScores | PreviousScores | None = None) -> pd.DataFrame:
    """``rt_index``: one row per RT in scope (see docs/evaluation_tables.md)."""
    ids = [c for c in _ID_COLUMNS if c in sc.rt.columns]
    out = sc.rt[ids].copy()
    out.insert(1, "period", sc.period)
    out["has_report"] = sc.rt["has_report"].astype("boolean")
    out = out.join(sc.screening)
    out["n_indicators_imputed"] = sc.imputed.sum(axis=1).astype(int)
    out = out.join(sc.principles).join(sc.index)
    thresholds = [(c.min_score, c.label) for c in sc.framework.settings.categories]
    out["category"] = pd.Series(
        methods.assign_category(out["index"].to_numpy(float), thresholds), index=out.index, dtype="str"
    )
    out = out.join(sc.ranks)
    if previous is not None:
        prev = pd.DataFrame(
            {
                "status_previous": previous.screening["status"],
                "index_previous": previous.index,
                "rank_previous": previous.ranks["rank"],
                "rank_previous_median": previous.ranks["rank_median"],
                "rank_previous_p05": previous.ranks["rank_p05"],
                "rank_previous_p95": previous.ranks["rank_p95"],
            }
        )
        out = out.join(prev, how="left")
        out["period_previous"] = previous.period
        out["index_change"] = out["index"] - out["index_previous"]
        out["rank_change"] = out["rank_previous"] - out["rank"]
    for col in ("rank", "rank_in_group", "n_in_group", "rank_previous", "rank_change"):
        if col in out.columns:
            out[col] = out[col].round().astype("Int64")
    out["status"] = out["status"].astype("str")
    return out.reset_index(drop=True)


def _sort_positions(labels: pd.Index | list) -> np.ndarray:
    """Each label's position when ``labels`` are sorted as ``DataFrame.sort_values`` sorts them (stable)."""
    order = pd.Series(labels).sort_values(kind="stable").index.to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _grid(frame: pd.DataFrame, rt_order: np.ndarray, ind_order: np.ndarray) -> np.ndarray:
    """``frame`` (RTs × indicators) as one value per (RT, indicator) row of the long table, RT-major."""
    return frame.to_numpy()[rt_order][:, ind_order].ravel()


def build_indicator_table(sc: PeriodScores) -> pd.DataFrame:
    """``rt_index_indicators``: one row per RT in scope and indicator (long), sorted by RT then indicator.

    Built column by column in its final order (no per-indicator frames, no sort of the long table).
    """
    fw = sc.framework
    codes = fw.codes()
    rt_codes = pd.Index(sc.raw.index).astype("str")
    rt_order = np.argsort(_sort_positions(rt_codes), kind="stable")
    ind_order = np.argsort(_sort_positions(pd.Index(codes).astype("str")), kind="stable")
    inds = [fw.indicators[k] for k in ind_order]
    n_rt, n_ind = len(rt_codes), len(inds)

    def grid(frame: pd.DataFrame) -> np.ndarray:
        return _grid(frame.reindex(index=sc.raw.index, columns=codes), rt_order, ind_order)

    def per_indicator(values: list) -> np.ndarray:
        return np.tile(np.asarray(values, dtype=object if isinstance(values[0], str) else float), n_rt)

    applicable = grid(sc.applicable).astype(bool)
    state = np.where(~applicable, 2, np.where(grid(sc.raw.isna()).astype(bool), 1, 0))
    state_text = np.array(["ok", MISSING_STATE, NOT_APPLICABLE_STATE], dtype=object)[state]
    contrib = indicator_contributions(sc.normalised, sc.principles, sc.index, fw)
    medians = sc.normalised.median(axis=0, skipna=True)
    total_w = sum(fw.principle_weights.values())
    used = grid(sc.used).astype(float)
    out = pd.DataFrame(
        {
            "rt_code": np.repeat(rt_codes.to_numpy(dtype=object)[rt_order], n_ind),
            "indicator": per_indicator([i.code for i in inds]),
            "indicator_name": per_indicator([i.name for i in inds]),
            "principle": per_indicator([i.principle for i in inds]),
            "direction": per_indicator(["positif" if i.direction == 1 else "negatif" for i in inds]),
            "unit": per_indicator([i.unit for i in inds]),
            "state": state_text,
            "raw_value": grid(sc.raw).astype(float),
            "is_imputed": pd.array(grid(sc.imputed).astype(bool), dtype="boolean"),
            "value_used": np.where(state == 2, np.nan, used),
            "normalised_value": grid(sc.normalised).astype(float),
            "median_normalised_all": per_indicator([float(medians.get(i.code, np.nan)) for i in inds]),
            "weight_nominal": per_indicator([i.weight for i in inds]),
            "principle_weight_share": per_indicator(
                [fw.principle_weights[i.principle] / total_w for i in inds]
            ),
            "weight": grid(contrib["weight"]).astype(float),
            "contribution_principle": grid(contrib["contribution_principle"]).astype(float),
            "contribution_index": grid(contrib["contribution_index"]).astype(float),
        }
    )
    for col in ("rt_code", "indicator", "indicator_name", "principle", "direction", "unit", "state"):
        out[col] = out[col].astype("str")
    return out


def build_strengths_weaknesses(sc: PeriodScores) -> pd.DataFrame:
    """``rt_strengths_weaknesses``: per scored RT its ``n_strengths`` best and worst indicators.

    ``difference = normalised value - median normalised value of all scored RTs`` for that indicator.
    Strengths: the largest positive differences; weaknesses: the most negative. Imputed cells are left
    out (a strength must rest on the RT's own data), and so are risk checks (``listed_as_strength: false``,
    A2: no spending ahead of works is no achievement) from the strengths. Ties: larger |difference|
    first, then indicator code.
    Rows sorted by RT, side, position. Vectorised: one sort of each RT's indicators (RTs × indicators).
    """
    n = sc.framework.settings.n_strengths
    cols = [
        "rt_code",
        "side",
        "position",
        "indicator",
        "indicator_name",
        "principle",
        "raw_value",
        "normalised_value",
        "median_normalised_all",
        "difference",
    ]
    if n == 0 or sc.normalised.empty:
        return pd.DataFrame(columns=cols).astype({"position": "int64"})
    meta = {i.code: i for i in sc.framework.indicators}
    norm = sc.normalised
    codes = list(norm.columns)
    values = norm.to_numpy(dtype=float)
    medians = norm.median(axis=0, skipna=True).to_numpy(dtype=float)
    diff = values - medians[None, :]
    own = ~sc.imputed.reindex(index=norm.index, columns=codes, fill_value=False).to_numpy(dtype=bool)
    ind_rank = np.broadcast_to(_sort_positions(pd.Index(codes)), diff.shape)
    sides = sorted((SIDE_STRENGTH, SIDE_WEAKNESS))
    picked = []  # (row, column, side position in sort order, position)
    can_be_strength = np.array([meta[c].can_be_strength for c in codes], dtype=bool)[None, :]
    for side, sign in ((SIDE_STRENGTH, 1.0), (SIDE_WEAKNESS, -1.0)):
        with np.errstate(invalid="ignore"):
            qualifies = own & (sign * diff > 0)
        if side == SIDE_STRENGTH:  # a risk check (listed_as_strength: false) is never a strength
            qualifies &= can_be_strength
        key = np.where(qualifies, -sign * diff, np.inf)  # strengths: largest first; weaknesses: lowest
        order = np.lexsort((ind_rank, key), axis=1)[:, :n]
        rows, pos = np.nonzero(np.take_along_axis(qualifies, order, axis=1))
        picked.append((rows, order[rows, pos], np.full(rows.size, sides.index(side)), pos + 1))
    rows, colpos, side_pos, position = (np.concatenate(parts) for parts in zip(*picked, strict=True))
    final = np.lexsort((position, side_pos, _sort_positions(norm.index)[rows]))
    rows, colpos, side_pos, position = rows[final], colpos[final], side_pos[final], position[final]
    rt_pos = sc.used.index.get_indexer(norm.index)
    ind_pos = sc.used.columns.get_indexer(codes)
    if (rt_pos < 0).any() or (ind_pos < 0).any():
        raise ValueError("strengths and weaknesses: a scored RT or indicator has no used value")
    code_arr = np.asarray(codes, dtype=object)[colpos]
    out = pd.DataFrame(
        {
            "rt_code": norm.index.to_numpy(dtype=object)[rows],
            "side": np.asarray(sides, dtype=object)[side_pos],
            "position": position.astype("int64"),
            "indicator": code_arr,
            "indicator_name": np.asarray([meta[c].name for c in codes], dtype=object)[colpos],
            "principle": np.asarray([meta[c].principle for c in codes], dtype=object)[colpos],
            "raw_value": sc.used.to_numpy(dtype=float)[rt_pos[rows], ind_pos[colpos]],
            "normalised_value": values[rows, colpos],
            "median_normalised_all": medians[colpos],
            "difference": diff[rows, colpos],
        }
    )
    return out.astype(
        {
            "rt_code": "str",
            "side": "str",
            "indicator": "str",
            "indicator_name": "str",
            "principle": "str",
            "position": "int64",
        }
    )


def rollup(rt_index: pd.DataFrame, keys: list[str], framework: Framework) -> pd.DataFrame:
    """Roll the RT scores up to ``keys`` (kelurahan or kecamatan), one row per area.

    ``index`` and the principle columns: household-weighted mean over the scored RTs
    ``sum_rt KK_rt * score_rt / sum_rt KK_rt`` (RTs without a household count are left out of the weights),
    or with ``rollup: median`` the median of the scored RTs. ``index_median`` is always the plain median.
    Areas get no rank (a rank is never published without an interval); their category comes with the
    rank intervals of their RTs: ``rt_rank_p05_min`` (the best 5th percentile) and ``rt_rank_p95_max``
    (the worst 95th percentile) of the scored RTs (NaN without a Monte Carlo).
    """
    s = framework.settings
    thresholds = [(c.min_score, c.label) for c in s.categories]
    rows = []
    has_prev = "index_previous" in rt_index.columns
    # every column as one array, taken once; each area's rows by position (the same values, in the same
    # order, as slicing the frame per area)
    has_kk = "households_kk" in rt_index
    kk_all = (
        pd.to_numeric(rt_index["households_kk"], errors="coerce").astype(float).to_numpy() if has_kk else None
    )
    is_scored = (rt_index["status"] == STATUS_SCORED).to_numpy(dtype=bool)
    pilot = (
        rt_index["is_pilot"].fillna(False).astype(bool).to_numpy() if len(rt_index) else np.array([], bool)
    )
    score = {col: rt_index[col].to_numpy(float) for col in (*PRINCIPLES, "index")}
    rank_of = {
        col: rt_index[col].astype(float).to_numpy() for col in ("rank_p05", "rank_p95") if col in rt_index
    }
    if has_prev:
        prev_scored = (rt_index["status_previous"] == STATUS_SCORED).to_numpy(dtype=bool)
        prev_index = rt_index["index_previous"].to_numpy(float)
    for key, pos in rt_index.groupby(keys, sort=True, dropna=False).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        pos = np.sort(pos)
        sp = pos[is_scored[pos]]
        kk = None if kk_all is None else kk_all[sp]
        row = dict(zip(keys, key, strict=True))
        row.update(
            n_rt=len(pos),
            n_rt_scored=len(sp),
            n_rt_pilot_scored=int(pilot[sp].sum()),
            share_rt_scored=len(sp) / len(pos) if len(pos) else np.nan,
            households_kk_scored=float(pd.Series(kk).sum()) if kk is not None else np.nan,
        )
        for col in (*PRINCIPLES, "index"):
            row[col] = _area_value(score[col][sp], kk, s.rollup)
        index = score["index"][sp]
        row["index_median"] = float(np.median(index)) if len(sp) else np.nan
        row["index_min"] = float(pd.Series(index).min()) if len(sp) else np.nan
        row["index_max"] = float(pd.Series(index).max()) if len(sp) else np.nan
        # the rank intervals behind the area's category: best p05 and worst p95 of its scored RTs
        for col, name, how in (
            ("rank_p05", "rt_rank_p05_min", "min"),
            ("rank_p95", "rt_rank_p95_max", "max"),
        ):
            ranks = pd.Series(rank_of[col][sp]) if col in rank_of else pd.Series(dtype=float)
            row[name] = float(getattr(ranks, how)()) if ranks.notna().any() else np.nan
        if has_prev:
            pp = pos[prev_scored[pos]]
            pkk = kk_all[pp] if kk_all is not None else pd.Series(dtype=float).to_numpy()
            row["index_previous"] = _area_value(prev_index[pp], pkk, s.rollup)
            row["index_change"] = row["index"] - row["index_previous"]
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["category"] = pd.Series(
        methods.assign_category(out["index"].to_numpy(float), thresholds), dtype="str"
    )
    return out


def _area_value(values: np.ndarray, kk: np.ndarray | None, how: str) -> float:
    if values.size == 0:
        return float("nan")
    if how == "median" or kk is None:
        return float(np.median(values))
    ok = ~np.isnan(kk) & (kk > 0)
    if not ok.any():
        return float("nan")
    return float(np.sum(values[ok] * kk[ok]) / np.sum(kk[ok]))


def _display_path(path: str) -> str:
    """The framework path relative to the project root when it lies inside it (stable across machines)."""
    try:
        return Path(path).resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def _carry_source(sc: PeriodScores) -> str:
    if sc.framework.settings.imputation != "carry_forward":
        return ""
    return sc.carried_from or "absent"


def build_settings_table(sc: PeriodScores, seed: int) -> pd.DataFrame:
    """``index_uncertainty_settings``: one row per setting of this run (all values as text)."""
    s = sc.framework.settings
    sim = sc.simulation
    counts = lambda arr: ", ".join(f"{k}: {v}" for k, v in sorted(pd.Series(arr).value_counts().items()))  # noqa: E731
    rows = [
        ("period", sc.period, "period evaluated"),
        ("framework_path", _display_path(sc.framework.path), "index framework file"),
        ("framework_sha256", sc.framework.sha256, "SHA-256 of the framework file"),
        ("normalisation", s.normalisation, "normalisation of the published scores"),
        ("aggregation", s.aggregation, "aggregation across principles of the published scores"),
        (
            "geometric_floor",
            f"{s.geometric_floor:g}",
            "principle scores below this are raised to it before a geometric or harmonic mean",
        ),
        ("generalised_mean_p", f"{s.generalised_mean_p:g}", "power p of the generalised mean"),
        ("treatment", s.treatment, "outlier treatment before a relative normalisation"),
        (
            "imputation",
            s.imputation,
            "missing-value imputation (none = indicators left out, weights re-normalised)",
        ),
        (
            "n_values_imputed",
            str(int(sc.imputed.to_numpy().sum())),
            "values of the scored RTs filled by the imputation (rt_index_indicators.is_imputed)",
        ),
        (
            "n_rt_imputed",
            str(int(sc.imputed.any(axis=1).sum())),
            "scored RTs with at least one imputed value",
        ),
        (
            "imputation_source_period",
            _carry_source(sc),
            "carry_forward: the period whose own reported values were carried forward ('' for other "
            "imputations; 'absent' when the previous period has no data: nothing carried forward, the "
            "gaps left out and the weights renormalised as with none)",
        ),
        (
            "min_coverage",
            f"{s.min_coverage:.4f}",
            "screening: minimum share of applicable indicators with a value",
        ),
        (
            "min_indicators_per_principle",
            str(s.min_indicators_per_principle),
            "screening: minimum indicators with a value per principle",
        ),
        ("seed", str(seed), "numpy.random.default_rng seed"),
        ("n_runs", str(s.n_runs), "Monte Carlo runs (0 = no uncertainty analysis, and then no ranks)"),
        ("weight_scheme", s.weight_scheme, "weight perturbation"),
        ("weight_noise", f"{s.weight_noise:g}", "uniform scheme: weights times (1 + U(-f, f))"),
        ("dirichlet_concentration", f"{s.dirichlet_concentration:g}", "dirichlet scheme: concentration"),
        (
            "uncertainty_normalisations",
            ", ".join(s.uncertainty_normalisations),
            "normalisations drawn per run",
        ),
        ("uncertainty_aggregations", ", ".join(s.uncertainty_aggregations), "aggregations drawn per run"),
        ("rank_interval", f"p{INTERVAL[0]:02.0f}-p{INTERVAL[1]:02.0f}", "percentiles of the simulated ranks"),
        ("n_rt_in_scope", str(len(sc.rt)), "RTs in scope"),
        ("n_rt_scored", str(len(sc.index)), "RTs with status dinilai (ranked)"),
        ("runs_per_normalisation", counts(sim.normalisation) if sim else "", "draws per normalisation"),
        ("runs_per_aggregation", counts(sim.aggregation) if sim else "", "draws per aggregation"),
        (
            "principle_weighting",
            s.principle_weighting,
            "source of the principle weights: manual (the framework file), pca or correlation_optimised "
            "(computed on this period's principle scores of the scored RTs)",
        ),
        (
            "principle_weights",
            ", ".join(f"{p}: {sc.framework.principle_weights[p]:g}" for p in PRINCIPLES),
            "principle weights used this period (after the thin-principle rule)",
        ),
        (
            "thin_principles",
            ", ".join(sc.thin_principles),
            f"principles resting on at most {s.thin_principle_max_items} yes/no or ordinal items this "
            f"period, weight times {s.thin_principle_weight_factor:g} (config/index_framework.yml)",
        ),
        ("uncertainty_imputation", str(s.uncertainty_imputation).lower(), "runs switch imputation on/off"),
        (
            "uncertainty_leave_one_out",
            str(s.uncertainty_leave_one_out).lower(),
            "runs leave one indicator out",
        ),
        (
            "uncertainty_goalpost_shift",
            f"{s.uncertainty_goalpost_shift:g}",
            "runs move the best goalpost of ratio/day indicators by this share of the range (0 = not varied)",
        ),
        (
            "uncertainty_missing_rules",
            ", ".join(s.uncertainty_missing_rules),
            "missing/not-applicable rules drawn",
        ),
    ]
    choices = sim.choices if sim else {}
    codes = sc.framework.codes()
    for factor in ("imputation", "goalposts", "missing_rules", "leave_one_out"):
        drawn = choices.get(factor)
        if factor == "leave_one_out" and drawn is not None:
            drawn = np.array([codes[int(v)] if v != "(none)" else v for v in drawn], dtype=object)
        rows.append((f"runs_per_{factor}", counts(drawn) if drawn is not None else "", f"draws per {factor}"))
    sens = sc.sensitivity
    rows.append(
        (
            "sensitivity_samples",
            str(s.sensitivity_samples),
            "Sobol base samples N (index_sensitivity; 0 = not computed)",
        )
    )
    rows.append(
        (
            "sensitivity_runs",
            str(int(sens["n_runs"].iloc[0])) if sens is not None and len(sens) else "0",
            "runs of the Saltelli sample, N x (factors + 2)",
        )
    )
    return pd.DataFrame(rows, columns=["setting", "value", "description"]).astype("str")


# ------------------------------------------------------------------------------------------ entry point


#: The tables :func:`evaluate_principles` returns, in order (docs/evaluation_tables.md).
INDEX_TABLES = (
    "rt_index",
    "rt_index_indicators",
    "rt_strengths_weaknesses",
    "index_audit",
    "index_kelurahan",
    "index_kecamatan",
    "index_uncertainty_settings",
    "index_sensitivity",
    "index_correlations",
    "index_pca",
)

#: Columns of ``index_sensitivity`` (``uncertainty.sensitivity_table``).
SENSITIVITY_COLUMNS = [
    "factor", "description", "n_levels", "s1", "s1_conf", "st", "st_conf", "importance", "output_mean", "n_runs",
]  # fmt: skip


def evaluate_principles(
    tables: dict[str, pd.DataFrame],
    period: str,
    previous_tables: dict[str, pd.DataFrame] | None = None,
    framework_path: Path | None = None,
    seed: int = DEFAULT_SEED,
    options: IndexOptions | None = None,
    previous_index: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """The four-principle index for ``period``: a dict of tables to write as Parquet.

    ``tables`` holds the cleaned ``rt_registry``, ``rt_reports`` and (optionally) ``survey``;
    ``previous_tables`` the same for the previous period (adds the change columns). ``previous_index``,
    the previous period's own ``rt_index`` computed with the same framework, seed and code, is used instead
    of scoring ``previous_tables`` again (same change columns; the caller vouches that it is current,
    ``analysis.evaluate.evaluation.evaluation_is_current``). Returns ``rt_index``,
    ``rt_index_indicators``, ``rt_strengths_weaknesses``, ``index_audit``, ``index_kelurahan``,
    ``index_kecamatan``, ``index_uncertainty_settings``, ``index_sensitivity``, ``index_correlations`` and
    ``index_pca`` (docs/evaluation_tables.md).
    """
    for name in ("rt_registry", "rt_reports"):
        if name not in tables:
            raise ValueError(f"evaluate_principles needs the cleaned table {name!r}; got {sorted(tables)}")
    framework = load_framework(framework_path).with_options(options)
    carry = framework.settings.imputation == "carry_forward"
    previous: PeriodScores | PreviousScores | None = None
    if previous_index is not None and not carry:  # carry_forward needs the raw values: scored again
        previous = previous_scores_from_index(previous_index)
    elif previous_tables is not None:  # its sensitivity indices would be thrown away: not computed
        previous = score_period(
            previous_tables,
            _previous_code(previous_tables, parse_period(period)),
            framework,
            seed,
            sensitivity=False,
        )
    current = score_period(
        tables, period, framework, seed, previous if isinstance(previous, PeriodScores) else None
    )
    rt_index = build_rt_index(current, previous)
    audit = audit_index(
        current.normalised,
        current.principles,
        current.raw,
        current.applicable,
        framework,
        households=current.rt["households_kk"],
        index=current.index,
    )
    kel_keys = [
        c for c in ("kecamatan_code", "kecamatan_name", "kelurahan_code", "kelurahan_name") if c in rt_index
    ]
    kec_keys = [c for c in ("kecamatan_code", "kecamatan_name") if c in rt_index]
    tables = {
        "rt_index": rt_index,
        "rt_index_indicators": build_indicator_table(current),
        "rt_strengths_weaknesses": build_strengths_weaknesses(current),
        "index_audit": audit,
        "index_kelurahan": rollup(rt_index, kel_keys, framework),
        "index_kecamatan": rollup(rt_index, kec_keys, framework),
        "index_uncertainty_settings": build_settings_table(current, seed),
        "index_sensitivity": (
            current.sensitivity
            if current.sensitivity is not None
            else pd.DataFrame({c: pd.Series(dtype="float64") for c in SENSITIVITY_COLUMNS})
        ),
        "index_correlations": correlation_table(
            current.normalised,
            current.principles,
            current.index,
            framework,
            households=current.rt["households_kk"],
        ),
        "index_pca": pca_table(current.principles),
    }
    assert tuple(tables) == INDEX_TABLES
    return tables


def _previous_code(previous_tables: dict[str, pd.DataFrame], period: str) -> str:
    reports = previous_tables.get("rt_reports")
    if reports is not None and "period" in reports.columns:
        found = sorted(reports["period"].dropna().astype(str).unique())
        if len(found) == 1:
            return found[0]
    code = previous_period(period)
    if code is None:
        raise ValueError(f"cannot tell the previous period of {period!r}; give rt_reports a period column")
    return code
