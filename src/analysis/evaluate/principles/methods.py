"""Pure numeric building blocks of the index: normalisation, aggregation, ranks, categories.

Every normaliser maps a raw indicator vector ``x`` (NaN = no value) to a score on 0-100 where higher is
better, taking the indicator's ``direction`` (+1 higher is better, -1 lower is better) into account. NaN
stays NaN. Definitions follow COINr (``n_goalposts``, ``n_dist2targ``, ``n_minmax``, ``n_zscore``,
``n_prank``) and the OECD/JRC Handbook (2008), section 5, scaled to 0-100.

Goalposts, min-max and the mean inside a principle are computed by the composite engine
(:func:`analysis.evaluate.composite.normalise`, :func:`~analysis.evaluate.composite.aggregate_rows`),
bit for bit the formulas they replaced (``tests/test_principles_methods.py``); min-max keeps its
no-spread rule (50, where the engine gives NaN). The mean across principles
(:func:`aggregate_arithmetic`, a matrix product with the weights scaled to sum to 1, NaN when a
principle is missing) and the geometric mean with its floor stay here: the engine's ``Σ w x / Σ w``
skips a missing principle and rounds differently in the last bit, which can break exact ties between
RTs and so change their ranks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.evaluate import composite

#: Units per block in :func:`rank_intervals` (a float64 block of 1,000 runs × 4,096 units is 33 MB).
INTERVAL_BLOCK = 4096
#: Score given to every unit when an indicator has no spread (min == max) under a relative normalisation.
NO_SPREAD_SCORE = 50.0


def normalise_goalposts(x: np.ndarray, low: float, high: float, direction: int = 1) -> np.ndarray:
    """Goalposts: the share of the way from the worst goalpost to the best, truncated to [0, 100].

    ``direction = +1``: ``100 * (x - low) / (high - low)``; ``direction = -1``: ``100 * (high - x) / (high - low)``
    (COINr ``n_goalposts`` with ``trunc2posts = TRUE``, scale 100). Values beyond a goalpost score 0 or 100.

    >>> normalise_goalposts(np.array([0.0, 0.3, 0.6, 0.9]), 0.0, 0.6).tolist()
    [0.0, 50.0, 100.0, 100.0]
    >>> normalise_goalposts(np.array([0.0, 15.0, 45.0]), 0.0, 30.0, direction=-1).tolist()
    [100.0, 50.0, 0.0]
    """
    posts = (low, high) if direction == 1 else (-high, -low)  # the engine's goalposts are on direction × x
    return composite.normalise(x, "goalposts", direction, gposts=(*posts, 100.0), trunc2posts=True)


def normalise_distance_to_target(x: np.ndarray, target: float, direction: int = 1) -> np.ndarray:
    """Distance to target (COINr ``n_dist2targ``, ``cap_max = TRUE``), scaled to 0-100.

    ``direction = +1``: ``100 * (1 - (target - x) / (target - min(x)))``, capped at 100 for ``x >= target``;
    ``direction = -1``: ``100 * (1 - (x - target) / (max(x) - target))``, capped at 100 for ``x <= target``.
    The worst observed value scores 0. If no unit is worse than the target, everyone scores 100.

    >>> normalise_distance_to_target(np.array([0.2, 0.6, 1.0, 1.2]), 1.0).tolist()
    [0.0, 50.0, 100.0, 100.0]
    """
    x = np.asarray(x, dtype=float)
    if np.all(np.isnan(x)):
        return x.copy()
    worst = np.nanmin(x) if direction == 1 else np.nanmax(x)
    gap = (target - worst) * direction
    if gap <= 0:
        return np.where(np.isnan(x), np.nan, 100.0)
    score = 1.0 - (target - x) * direction / gap
    return 100.0 * np.minimum(score, 1.0)


def normalise_minmax(x: np.ndarray, direction: int = 1) -> np.ndarray:
    """Min-max: ``100 * (x - min) / (max - min)``, or ``100 * (max - x) / (max - min)`` when lower is better.

    An indicator with no spread gives every unit :data:`NO_SPREAD_SCORE` (50; COINr returns NaN with a
    warning): it then shifts every unit's score equally and changes no ranking.

    >>> normalise_minmax(np.array([2.0, 4.0, 6.0]), direction=-1).tolist()
    [100.0, 50.0, 0.0]
    """
    x = np.asarray(x, dtype=float)
    if np.all(np.isnan(x)):
        return x.copy()
    lo, hi = np.nanmin(x), np.nanmax(x)
    if hi == lo:
        return np.where(np.isnan(x), np.nan, NO_SPREAD_SCORE)
    return composite.normalise(x, "minmax", direction, l_u=(0.0, 100.0))


def normalise_zscore(x: np.ndarray, direction: int = 1, mean: float = 50.0, sd: float = 10.0) -> np.ndarray:
    """Z-score rescaled (COINr ``n_zscore`` with ``m_sd = c(mean, sd)``): ``mean + sd * d * (x - x̄) / s``.

    ``s`` is the sample standard deviation (ddof = 1, as R's ``sd``) and ``d`` the direction. Not bounded
    to 0-100; with the default (50, 10) about 99.7 % of a normal sample lies in 20-80. No spread (or fewer
    than two values) gives ``mean``.

    >>> normalise_zscore(np.array([1.0, 2.0, 3.0])).tolist()
    [40.0, 50.0, 60.0]
    """
    x = np.asarray(x, dtype=float)
    valid = x[~np.isnan(x)]
    if valid.size < 2 or np.std(valid) == 0:
        return np.where(np.isnan(x), np.nan, mean)
    z = (x - valid.mean()) / valid.std(ddof=1)
    return mean + sd * direction * z


def normalise_rank(x: np.ndarray, direction: int = 1) -> np.ndarray:
    """Percentile rank (COINr ``n_prank``), 0-100: ``100 * (r - 1) / (n - 1)``.

    ``r`` is the rank of ``direction * x`` among the ``n`` non-missing values, ties getting their average
    rank (COINr's default is ``"min"``; the average treats tied units symmetrically). ``n = 1`` gives 50.

    >>> normalise_rank(np.array([10.0, 30.0, 20.0, np.nan])).tolist()
    [0.0, 100.0, 50.0, nan]
    """
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, np.nan)
    mask = ~np.isnan(x)
    n = int(mask.sum())
    if n == 0:
        return out
    if n == 1:
        out[mask] = NO_SPREAD_SCORE
        return out
    from scipy import stats  # here, not at the top: most processes importing this never rank

    r = stats.rankdata(direction * x[mask], method="average")
    out[mask] = 100.0 * (r - 1.0) / (n - 1.0)
    return out


def weighted_mean_available(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Arithmetic aggregation inside a principle, skipping missing indicators (row-wise).

    ``score = sum_i w_i * x_i / sum_i w_i`` over the indicators ``i`` with a value (weights re-normalised
    over what is available, as COINr's ``a_amean`` with ``na.rm``). NaN when a row has no value.
    ``values`` is units × indicators, ``weights`` one weight per indicator.

    >>> weighted_mean_available(np.array([[100.0, 50.0], [np.nan, 40.0]]), np.array([1.0, 3.0])).tolist()
    [62.5, 40.0]
    """
    return composite.aggregate_rows(values, weights, "amean")


def aggregate_arithmetic(scores: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Weighted arithmetic mean across principles: ``sum_p W_p * P_p / sum_p W_p`` (NaN if any P is NaN).

    >>> aggregate_arithmetic(np.array([[80.0, 60.0, 40.0, 20.0]]), [1, 1, 1, 1]).tolist()
    [50.0]
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    w = np.asarray(weights, dtype=float)
    return scores @ (w / w.sum())


def aggregate_geometric(scores: np.ndarray, weights: Sequence[float], floor: float = 1.0) -> np.ndarray:
    """Weighted geometric mean across principles: ``prod_p max(P_p, floor) ** (W_p / sum W)``.

    The geometric mean needs strictly positive values: a principle score below ``floor`` (default 1 point
    on the 0-100 scale) is raised to ``floor`` first, so one principle at 0 pulls the index down hard
    (a 0 would otherwise make the index 0 whatever the other principles are).

    >>> aggregate_geometric(np.array([[100.0, 25.0]]), [1, 1]).round(6).tolist()
    [50.0]
    >>> aggregate_geometric(np.array([[100.0, 0.0]]), [1, 1]).round(6).tolist()
    [10.0]
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    w = np.asarray(weights, dtype=float)
    return np.exp(np.log(np.maximum(scores, floor)) @ (w / w.sum()))


def rank_descending(values: np.ndarray) -> np.ndarray:
    """Competition ranks, 1 = highest value; ties share the best rank (``1, 2, 2, 4``); NaN stays NaN.

    >>> rank_descending(np.array([70.0, 90.0, 70.0, np.nan, 50.0])).tolist()
    [2.0, 1.0, 2.0, nan, 4.0]
    """
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    mask = ~np.isnan(values)
    if mask.any():
        from scipy import stats  # here, not at the top: most processes importing this never rank

        out[mask] = stats.rankdata(-values[mask], method="min")
    return out


def rank_intervals(ranks: np.ndarray, low: float = 5.0, high: float = 95.0) -> dict[str, np.ndarray]:
    """Median and ``low``/``high`` percentiles of simulated ranks (runs × units), per unit.

    Percentiles use numpy's default linear interpolation between order statistics, so a median of 3.5
    means half the runs put the unit at rank 3 or better and half at 4 or worse. Units are taken
    :data:`INTERVAL_BLOCK` at a time (each unit's percentiles depend only on its own column), so an
    integer ``ranks`` array is never copied whole to float.

    >>> r = rank_intervals(np.array([[1, 2], [1, 2], [2, 1], [1, 2]]))
    >>> r["median"].tolist(), r["high"].round(2).tolist()
    ([1.0, 2.0], [1.85, 2.0])
    """
    ranks = np.asarray(ranks)
    if ranks.ndim != 2:
        raise ValueError(f"ranks must be runs × units, got shape {ranks.shape}")
    q = np.empty((3, ranks.shape[1]))
    for start in range(0, ranks.shape[1], INTERVAL_BLOCK):
        block = np.ascontiguousarray(ranks[:, start : start + INTERVAL_BLOCK].T, dtype=float)
        q[:, start : start + INTERVAL_BLOCK] = np.percentile(block, [50.0, low, high], axis=1)
    return {"median": q[0], "low": q[1], "high": q[2]}


def assign_category(scores: np.ndarray, thresholds: Sequence[tuple[float, str]]) -> list[str | None]:
    """Label each score with the first category whose minimum it reaches (half-open ``score >= min``).

    ``thresholds`` is ``[(min, label), ...]`` with decreasing minima; a score below every minimum or NaN
    gets ``None``.

    >>> assign_category(np.array([80.0, 79.99, 50.0, np.nan]), [(80, "Baik Sekali"), (65, "Baik"), (50, "Cukup"), (0, "Kurang")])
    ['Baik Sekali', 'Baik', 'Cukup', None]
    """
    scores = np.asarray(scores, dtype=float)
    labels = np.full(scores.shape, None, dtype=object)
    done = np.isnan(scores)
    for minimum, name in thresholds:
        hit = ~done & (scores >= minimum)
        labels[hit] = name
        done |= hit
    return labels.tolist()
