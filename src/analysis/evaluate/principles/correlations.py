"""Correlations at every level pair of the index and against RT size, and the PCA of the principles
(OECD/JRC Handbook 2008 step 4 "multivariate analysis"; COINr ``get_corr``, ``get_corr_flags``,
``get_denom_corr``, ``get_PCA``), computed with the composite engine (:mod:`analysis.evaluate.composite`:
:func:`~analysis.evaluate.composite.level_correlations`,
:func:`~analysis.evaluate.composite.denominator_correlations`, :func:`~analysis.evaluate.composite.pca`).

The framework becomes a three-level hierarchy for the engine: indicators (level 1) under their principle
(level 2) under the index (level 3). Tables ``index_correlations`` and ``index_pca``
(docs/evaluation_tables.md).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from analysis.evaluate import composite
from analysis.evaluate.principles.framework import PRINCIPLES, Framework

#: Level names of the hierarchy, and the pseudo-level of the denominators.
LEVELS = {1: "indicator", 2: "principle", 3: "index"}
DENOMINATOR = "denominator"
#: Spearman, as the audit (``index_audit``): yes/no and three-level items make Pearson's r misleading.
METHOD = "spearman"
CORRELATION_COLUMNS = [
    "level_a", "code_a", "level_b", "code_b", "relation", "correlation", "n", "flag", "message",
]  # fmt: skip
PCA_COLUMNS = ["component", "variance_share", "variance_share_cumulative", "principle", "loading", "n"]


def framework_hierarchy(framework: Framework) -> composite.Hierarchy:
    """Indicators → principles → ``index`` as the engine's :class:`~composite.Hierarchy` (the weights are
    the framework's nominal ones; correlations do not use them)."""
    rows = [(i.code, 1, i.principle, float(i.weight), int(i.direction)) for i in framework.indicators]
    rows += [(p, 2, "index", float(framework.principle_weights[p]), 1) for p in PRINCIPLES]
    rows.append(("index", 3, None, 1.0, 1))
    meta = pd.DataFrame(rows, columns=["code", "Level", "Parent", "Weight", "Direction"]).set_index("code")
    return composite.Hierarchy(meta.rename_axis(None))


def _relation(level_a: int, level_b: int, same_parent: bool, is_parent: bool) -> str:
    """``sibling`` (same parent), ``parent`` (a code against its own principle or the index), ``other``."""
    if level_a == level_b:
        return "sibling" if same_parent else "other"
    return "parent" if is_parent else "other"


def _flag(relation: str, level_b: str, rho: float, s) -> tuple[str, str]:
    """The flags COINr's guidance raises, in plain words (thresholds: ``settings.audit``)."""
    if not np.isfinite(rho):
        return "tidak_dihitung", "fewer than three RTs with both values, or one of them does not vary"
    if level_b == DENOMINATOR:
        if abs(rho) > s.size_abs_rho:
            return "bias_ukuran", (
                f"|rho| > {s.size_abs_rho:g} with households (KK): the score follows RT size, which the "
                "per-KK and per-Rupiah indicators are meant to remove"
            )
        return "ok", ""
    if relation == "sibling" and rho < s.negative_rho:
        return "korelasi_negatif", (
            f"rho < {s.negative_rho:g} inside the same group: the two pull against each other, so one "
            "partly cancels the other in the mean"
        )
    if relation == "sibling" and abs(rho) > s.redundant_abs_rho:
        return "redundan", (
            f"|rho| > {s.redundant_abs_rho:g} inside the same group: the two measure nearly the same thing "
            "(counted twice)"
        )
    if relation == "parent" and rho < s.negative_rho:
        return "korelasi_negatif", (
            f"rho < {s.negative_rho:g} with its own {level_b}: it moves against the score it is part of"
        )
    return "ok", ""


def correlation_table(
    normalised: pd.DataFrame,
    principle_scores: pd.DataFrame,
    index: pd.Series,
    framework: Framework,
    households: pd.Series | None = None,
) -> pd.DataFrame:
    """``index_correlations``: Spearman's rho for every pair of codes at every pair of levels
    (indicator–indicator, indicator–principle, indicator–index, principle–principle, principle–index)
    and of every code with RT size (``households_kk``), over the scored RTs (the rows; pairwise complete).

    ``relation``: ``sibling`` (two codes with the same parent: two indicators of one principle, or two
    principles), ``parent`` (a code against its own principle or the index), ``other``. Flags (COINr
    ``get_corr_flags`` and ``get_denom_corr``; thresholds from ``settings.audit``): ``korelasi_negatif``
    (a sibling pair below ``negative_rho``, or a code below it with its own parent), ``redundan`` (a sibling
    pair with ``|rho| > redundant_abs_rho``, COINr's 0.9), ``bias_ukuran`` (``|rho| > size_abs_rho`` with
    households), ``tidak_dihitung`` (no correlation). Directions are already aligned (higher is better).
    """
    hierarchy = framework_hierarchy(framework)
    codes = [i.code for i in framework.indicators]
    scores = pd.concat(
        [normalised[codes], principle_scores[list(PRINCIPLES)], index.rename("index")], axis=1
    ).astype(float)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore")
        pairs = composite.level_correlations(scores, hierarchy, METHOD)
        dens = None
        if households is not None:
            kk = pd.to_numeric(households.reindex(scores.index), errors="coerce").astype(float)
            dens = composite.denominator_correlations(scores, kk.rename("households_kk").to_frame(), METHOD)
    parent = hierarchy.meta["Parent"]
    s = framework.settings
    rows = []
    for r in pairs.itertuples(index=False):
        same = r.level_a == r.level_b and parent[r.code_a] == parent[r.code_b]
        relation = _relation(r.level_a, r.level_b, same, bool(r.is_parent))
        flag, msg = _flag(relation, LEVELS[r.level_b], r.correlation, s)
        rows.append(
            (
                LEVELS[r.level_a],
                r.code_a,
                LEVELS[r.level_b],
                r.code_b,
                relation,
                r.correlation,
                r.n,
                flag,
                msg,
            )
        )
    if dens is not None:
        level_of = hierarchy.meta["Level"]
        for r in dens.itertuples(index=False):
            flag, msg = _flag("other", DENOMINATOR, r.correlation, s)
            rows.append(
                (LEVELS[int(level_of[r.code])], r.code, DENOMINATOR, r.denominator, DENOMINATOR,
                 r.correlation, r.n, flag, msg)
            )  # fmt: skip
    out = pd.DataFrame(rows, columns=CORRELATION_COLUMNS)
    return out.astype({"correlation": "float64", "n": "int64"}).astype(
        {c: "str" for c in CORRELATION_COLUMNS if c not in ("correlation", "n")}
    )


def pca_table(principle_scores: pd.DataFrame) -> pd.DataFrame:
    """``index_pca``: principal components of the standardised principle scores of the scored RTs
    (:func:`composite.pca`, COINr ``get_PCA``: ``prcomp(center = TRUE, scale = TRUE)`` on complete rows),
    one row per component and principle: the component's share of the variance (and cumulative), the
    principle's loading (each component's sign fixed so its loadings sum to a positive number).

    Empty when fewer than two RTs have all four scores or a principle does not vary (no standardisation).
    """
    scores = principle_scores[list(PRINCIPLES)].astype(float).dropna()
    if len(scores) < 2 or (scores.std(ddof=1) == 0).any():
        return pd.DataFrame({c: pd.Series(dtype="str" if c in ("component", "principle") else "float64")
                             for c in PCA_COLUMNS}).astype({"n": "int64"})  # fmt: skip
    res = composite.pca(scores)
    explained = res["explained"]
    cumulative = explained.cumsum()
    rows = [
        (pc, float(explained[pc]), float(cumulative[pc]), p, float(res["loadings"].at[p, pc]), len(scores))
        for pc in explained.index
        for p in PRINCIPLES
    ]
    return pd.DataFrame(rows, columns=PCA_COLUMNS).astype({"component": "str", "principle": "str"})
