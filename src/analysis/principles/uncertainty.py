"""Monte Carlo uncertainty analysis of the RT ranking (OECD/JRC Handbook step 7; COINr ``get_sensitivity``
with ``SA_type = "UA"``).

Each run draws, with ``numpy.random.default_rng(seed)`` and in this order:

1. indicator weights: ``w_i * (1 + u_i)``, ``u_i ~ U(-f, f)`` (COINr ``get_noisy_weights``, noise factor
   ``f = weight_noise``), or with ``weight_scheme: dirichlet`` a Dirichlet draw inside each principle with
   parameters ``c * w_i / sum_{j in principle} w_j`` (``c = dirichlet_concentration``; mean = nominal shares);
2. principle weights: the same, over the four principles;
3. the normalisation method, uniformly among ``uncertainty_normalisations``;
4. the aggregation across principles, uniformly among ``uncertainty_aggregations``.

The index of every RT is recomputed (arithmetic mean inside each principle over the available
indicators, then the drawn aggregation across principles) and ranked (1 = best, ties share the best
rank). Everything is vectorised per normalisation method: a chunk of runs is one batched matrix product
``(runs, RTs, indicators) x (runs, indicators, principles)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.principles.framework import Settings

CHUNK_RUNS = 200  # runs per batched product (memory: CHUNK_RUNS x RTs x 4 x 8 bytes per array)


@dataclass(frozen=True)
class Simulation:
    """Ranks of every RT in every run (runs × RTs), overall and inside its group, plus the draws."""

    ranks: np.ndarray
    group_ranks: np.ndarray
    normalisation: np.ndarray  # per run, the method name
    aggregation: np.ndarray  # per run, the method name


def draw_weights(
    rng: np.random.Generator, nominal: np.ndarray, groups: np.ndarray, n_runs: int, settings: Settings
) -> np.ndarray:
    """``n_runs`` perturbed copies of ``nominal`` weights (runs × weights); see the module docstring.

    ``groups`` gives each weight's group (its principle) for the Dirichlet scheme; uniform noise ignores it.
    """
    nominal = np.asarray(nominal, dtype=float)
    if settings.weight_scheme == "uniform":
        noise = rng.uniform(-settings.weight_noise, settings.weight_noise, size=(n_runs, nominal.size))
        return nominal * (1.0 + noise)
    shares = np.empty_like(nominal)
    for g in np.unique(groups):
        sel = groups == g
        shares[sel] = nominal[sel] / nominal[sel].sum()
    draws = rng.gamma(settings.dirichlet_concentration * shares, size=(n_runs, nominal.size))
    out = np.empty_like(draws)
    for g in np.unique(groups):
        sel = groups == g
        out[:, sel] = draws[:, sel] / draws[:, sel].sum(axis=1, keepdims=True)
    return out


def simulate_ranks(
    normalised: dict[str, np.ndarray],
    indicator_principle: np.ndarray,
    indicator_weights: np.ndarray,
    principle_weights: np.ndarray,
    unit_groups: np.ndarray,
    settings: Settings,
    seed: int,
) -> Simulation:
    """Run the Monte Carlo and return every run's ranks (see module docstring for the draws).

    ``normalised[method]`` is the RTs × indicators matrix under each method of
    ``settings.uncertainty_normalisations`` (NaN = no value; every RT needs a value in every principle).
    ``indicator_principle`` holds each indicator's principle position (0..P-1); ``unit_groups`` a label per
    RT for the within-group ranks (e.g. pilot / not pilot).
    """
    n_runs = settings.n_runs
    methods = list(settings.uncertainty_normalisations)
    aggs = list(settings.uncertainty_aggregations)
    first = normalised[methods[0]]
    n_units, n_ind = first.shape
    n_princ = len(principle_weights)
    rng = np.random.default_rng(seed)
    w_ind = draw_weights(rng, indicator_weights, indicator_principle, n_runs, settings)
    w_princ = draw_weights(rng, principle_weights, np.zeros(n_princ, dtype=int), n_runs, settings)
    method_idx = rng.integers(len(methods), size=n_runs)
    agg_idx = rng.integers(len(aggs), size=n_runs)
    is_geo = np.array([aggs[i] == "geometric" for i in agg_idx], dtype=bool)

    incidence = np.zeros((n_ind, n_princ))
    incidence[np.arange(n_ind), indicator_principle] = 1.0
    v_princ = w_princ / w_princ.sum(axis=1, keepdims=True)
    index = np.empty((n_runs, n_units))
    for m, method in enumerate(methods):
        matrix = np.asarray(normalised[method], dtype=float)
        mask = (~np.isnan(matrix)).astype(float)
        filled = np.nan_to_num(matrix, nan=0.0)
        runs = np.flatnonzero(method_idx == m)
        for start in range(0, runs.size, CHUNK_RUNS):
            sel = runs[start : start + CHUNK_RUNS]
            w = w_ind[sel][:, :, None] * incidence[None, :, :]  # runs × indicators × principles
            num = np.matmul(filled[None, :, :], w)  # runs × RTs × principles
            den = np.matmul(mask[None, :, :], w)
            with np.errstate(invalid="ignore", divide="ignore"):
                pscore = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
            arith = np.einsum("rnp,rp->rn", pscore, v_princ[sel])
            logs = np.log(np.maximum(pscore, settings.geometric_floor))
            geo = np.exp(np.einsum("rnp,rp->rn", logs, v_princ[sel]))
            index[sel] = np.where(is_geo[sel][:, None], geo, arith)
    index = np.where(np.isnan(index), -np.inf, index)  # a unit without a score ranks last
    ranks = stats.rankdata(-index, axis=1, method="min").astype(np.int32)
    group_ranks = np.empty_like(ranks)
    for g in np.unique(unit_groups):
        cols = np.flatnonzero(unit_groups == g)
        group_ranks[:, cols] = stats.rankdata(-index[:, cols], axis=1, method="min").astype(np.int32)
    return Simulation(
        ranks=ranks,
        group_ranks=group_ranks,
        normalisation=np.array(methods, dtype=object)[method_idx],
        aggregation=np.array(aggs, dtype=object)[agg_idx],
    )
