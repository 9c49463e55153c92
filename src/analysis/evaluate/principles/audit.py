"""Statistical audit of the index (OECD/JRC Handbook step 4 "multivariate analysis"; COINr ``get_corr``,
``get_cronbach``, ``get_stats``): data availability, spread, Spearman correlations inside each principle,
Cronbach's alpha per principle, and each indicator's correlation with its principle score.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from analysis.evaluate.principles.framework import PRINCIPLES, Framework

#: COINr ``get_stats`` flags an indicator whose share of available values is below 0.65 (``t_avail``).
LOW_AVAILABILITY = 0.65
MIN_PAIRS = 3  # fewer pairs than this give no correlation

AUDIT_COLUMNS = ["check", "principle", "indicator", "indicator_other", "value", "n", "flag", "message"]


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of the columns of ``items`` (rows = units, columns = indicators).

    ``alpha = k / (k - 1) * (1 - sum_i var(x_i) / var(sum_i x_i))``, computed from the covariance matrix
    ``C`` (sample covariances, ddof = 1, pairwise complete as COINr's ``get_cronbach``):
    ``alpha = k / (k - 1) * (1 - trace(C) / sum(C))``. NaN for fewer than two items or no total variance.

    >>> round(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 3, 5], "c": [1, 3, 2, 4]})), 4)
    0.9571
    """
    k = items.shape[1]
    if k < 2:
        return float("nan")
    cov = items.astype(float).cov(min_periods=2).to_numpy()
    total = np.nansum(cov)
    if not np.isfinite(total) or total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.nansum(np.diag(cov)) / total))


def spearman_pair(x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """Spearman's rho of two vectors over the pairs where both have a value; ``(rho, n_pairs)``.

    NaN when fewer than three pairs or either vector has no spread.

    >>> spearman_pair(np.array([1.0, 2.0, 3.0, np.nan]), np.array([3.0, 2.0, 1.0, 0.0]))
    (-1.0, 3)
    """
    mask = ~np.isnan(x) & ~np.isnan(y)
    n = int(mask.sum())
    if n < MIN_PAIRS or np.ptp(x[mask]) == 0 or np.ptp(y[mask]) == 0:
        return float("nan"), n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from scipy import stats  # here, not at the top: most processes importing this never rank

        rho = stats.spearmanr(x[mask], y[mask]).statistic
    return float(rho), n


def size_checks(
    principle_scores: pd.DataFrame, index: pd.Series | None, households: pd.Series, abs_rho: float
) -> list[dict]:
    """``spearman_households`` rows: Spearman's rho of each principle score and of the index with the RT's
    households (KK), over the scored RTs; ``|rho| > abs_rho`` is flagged ``bias_ukuran`` (the score follows
    RT size, which the per-KK and per-Rupiah indicators are meant to remove; RTs range from ~40 to ~900 KK).

    >>> scores = pd.DataFrame({"transparansi": [10.0, 20, 30, 40], "partisipatif": [50.0, 40, 60, 45]})
    >>> rows = size_checks(scores, None, pd.Series([40, 100, 300, 900]), 0.3)
    >>> [(r["principle"], round(r["value"], 2), r["flag"]) for r in rows]
    [('transparansi', 1.0, 'bias_ukuran'), ('partisipatif', 0.0, 'ok')]
    """
    kk = pd.to_numeric(households.reindex(principle_scores.index), errors="coerce").astype(float).to_numpy()
    series = {p: principle_scores[p] for p in principle_scores.columns}
    if index is not None:
        series["index"] = index
    rows = []
    for name, score in series.items():
        rho, n = spearman_pair(score.reindex(principle_scores.index).to_numpy(float), kk)
        flag, msg = "ok", ""
        if np.isfinite(rho) and abs(rho) > abs_rho:
            flag = "bias_ukuran"
            msg = f"|rho| > {abs_rho:g} with households (KK): the score follows RT size"
        rows.append(_row("spearman_households", name, None, "households_kk", rho, n, flag, msg))
    return rows


def _row(check, principle, indicator=None, other=None, value=np.nan, n=0, flag="ok", message=""):
    return {
        "check": check,
        "principle": principle,
        "indicator": indicator,
        "indicator_other": other,
        "value": float(value),
        "n": int(n),
        "flag": flag,
        "message": message,
    }


def audit_index(
    normalised: pd.DataFrame,
    principle_scores: pd.DataFrame,
    raw_values: pd.DataFrame,
    applicable: pd.DataFrame,
    framework: Framework,
    households: pd.Series | None = None,
    index: pd.Series | None = None,
) -> pd.DataFrame:
    """The ``index_audit`` table (one row per check; columns :data:`AUDIT_COLUMNS`).

    ``normalised`` and ``principle_scores`` cover the scored RTs (rows) and are direction-aligned (higher is
    better), so a negative correlation means two indicators pull against each other. ``raw_values`` and
    ``applicable`` cover every RT in scope (availability). With ``households`` (KK per RT) each principle
    score and the ``index`` are checked against RT size (:func:`size_checks`).
    """
    s = framework.settings
    rows: list[dict] = []
    n_scope = len(raw_values)
    for ind in framework.indicators:
        n_app = int(applicable[ind.code].sum())
        n_val = int(raw_values[ind.code].notna().sum())
        share = n_val / n_app if n_app else float("nan")
        if n_app == 0:
            flag, msg = "tidak_dikumpulkan", "not applicable to any RT this period (e.g. no survey)"
        elif share < LOW_AVAILABILITY:
            flag = "ketersediaan_rendah"
            msg = f"values for {n_val} of {n_app} RTs it applies to (< {LOW_AVAILABILITY:.0%}); {n_scope} RTs in scope"
        else:
            flag, msg = "ok", f"values for {n_val} of {n_app} RTs it applies to; {n_scope} RTs in scope"
        rows.append(
            _row("availability", ind.principle, ind.code, value=share, n=n_app, flag=flag, message=msg)
        )
        col = normalised[ind.code].to_numpy(dtype=float) if ind.code in normalised else np.array([])
        valid = col[~np.isnan(col)]
        if valid.size:
            no_spread = np.ptp(valid) == 0
            rows.append(
                _row(
                    "spread",
                    ind.principle,
                    ind.code,
                    value=float(np.std(valid, ddof=1)) if valid.size > 1 else np.nan,
                    n=valid.size,
                    flag="tanpa_variasi" if no_spread else "ok",
                    message="every scored RT has the same normalised value" if no_spread else "",
                )
            )
    for principle in PRINCIPLES:
        codes = [i.code for i in framework.by_principle(principle) if i.code in normalised]
        for a_pos, a in enumerate(codes):
            for b in codes[a_pos + 1 :]:
                rho, n = spearman_pair(normalised[a].to_numpy(float), normalised[b].to_numpy(float))
                flag, msg = "ok", ""
                if (
                    np.isfinite(rho) and rho < s.negative_rho
                ):  # checked first: conflict matters more than overlap
                    flag, msg = (
                        "korelasi_negatif",
                        f"rho < {s.negative_rho:g}: the two pull against each other",
                    )
                elif np.isfinite(rho) and abs(rho) > s.redundant_abs_rho:
                    flag, msg = (
                        "redundan",
                        f"|rho| > {s.redundant_abs_rho:g}: the two measure nearly the same thing",
                    )
                rows.append(_row("spearman", principle, a, b, rho, n, flag, msg))
        if principle in principle_scores:
            pscore = principle_scores[principle].to_numpy(float)
            for code in codes:
                rho, n = spearman_pair(normalised[code].to_numpy(float), pscore)
                flag = "korelasi_negatif" if np.isfinite(rho) and rho < s.negative_rho else "ok"
                rows.append(_row("spearman_with_principle", principle, code, principle, rho, n, flag))
        alpha = cronbach_alpha(normalised[codes]) if codes else float("nan")
        if len(codes) < 2:
            flag, msg = "tidak_dihitung", "needs at least two indicators"
        elif not np.isfinite(alpha):
            flag, msg = "tidak_dihitung", "no total variance"
        elif alpha < s.low_alpha:
            flag, msg = "alpha_rendah", f"alpha < {s.low_alpha:g}: the indicators do not move together"
        else:
            flag, msg = "ok", ""
        rows.append(_row("cronbach_alpha", principle, value=alpha, n=len(normalised), flag=flag, message=msg))
    if households is not None:
        rows.extend(size_checks(principle_scores, index, households, s.size_abs_rho))
    table = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    return table.astype({"check": "str", "principle": "str", "flag": "str", "message": "str", "n": "int64"})
