"""Monte Carlo uncertainty analysis of the RT ranking (OECD/JRC Handbook step 7; COINr ``get_sensitivity``
with ``SA_type = "UA"``).

All random numbers are drawn first, with ``numpy.random.default_rng(seed)`` and in this order (each a
``runs × ...`` array, so run ``r`` always gets row ``r`` whatever the batching):

1. indicator weights: ``w_i * (1 + u_i)``, ``u_i ~ U(-f, f)`` (COINr ``get_noisy_weights``, noise factor
   ``f = weight_noise``), or with ``weight_scheme: dirichlet`` a Dirichlet draw inside each principle with
   parameters ``c * w_i / sum_{j in principle} w_j`` (``c = dirichlet_concentration``; mean = nominal shares);
2. principle weights: the same, over the four principles;
3. the normalisation method, uniformly among ``uncertainty_normalisations``;
4. the aggregation across principles, uniformly among ``uncertainty_aggregations``.

The index of every RT is recomputed (arithmetic mean inside each principle over the available
indicators, then the drawn aggregation across principles) and ranked (1 = best, ties share the best
rank; an RT without a score ranks last). Each run's index depends only on its own draws, and every run
goes through the same array operations whatever batch it is in, so batching changes no result.

Memory: runs are processed in batches of :func:`runs_per_batch` runs, sized from the setting
``batch_memory_mb`` (the working arrays of a batch: about :data:`BYTES_PER_RT_RUN` bytes per RT and run).
What is kept across batches is each run's rank of every RT, as ``int32`` (``runs × RTs × 4`` bytes:
660 MB for 165,000 RTs × 1,000 runs): the rank percentiles need every run's exact rank.
:func:`simulate_rank_intervals` keeps only that one array (ranks inside the groups are derived from it
afterwards, in place) and returns the per-RT intervals; :func:`simulate_ranks` returns both rank arrays.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from analysis.evaluate.principles.framework import Settings

#: Working memory of one run per RT, in bytes, with four principles: the principle numerators and
#: denominators (2 × 4 float64), the index and its sort keys, the sort order and the ranks (≈ 6 × 8).
#: Conservative: the peak of a batch measured with ``tracemalloc`` is 44-80 bytes per RT and run.
BYTES_PER_RT_RUN = 8 * (2 * 4 + 6)


@dataclass(frozen=True)
class Simulation:
    """Ranks of every RT in every run (runs × RTs), overall and inside its group, plus the draws."""

    ranks: np.ndarray
    group_ranks: np.ndarray
    normalisation: np.ndarray  # per run, the method name
    aggregation: np.ndarray  # per run, the method name


@dataclass(frozen=True)
class RankIntervals:
    """Per RT: median and ``low``/``high`` percentiles of its simulated ranks, overall and inside its group,
    plus the draws per run (see :func:`simulate_rank_intervals`)."""

    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    group_median: np.ndarray
    group_low: np.ndarray
    group_high: np.ndarray
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


def runs_per_batch(n_units: int, memory_mb: float, n_principles: int = 4) -> int:
    """Runs per batch so that a batch's working arrays stay within ``memory_mb`` (at least one run).

    >>> runs_per_batch(165_000, 256), runs_per_batch(1_650, 256), runs_per_batch(10**9, 1)
    (14, 1452, 1)
    """
    per_run = max(n_units, 1) * 8 * (2 * n_principles + 6)  # = BYTES_PER_RT_RUN with 4 principles
    return max(1, int(memory_mb * 2**20 // per_run))


def competition_ranks(keys: np.ndarray) -> np.ndarray:
    """Row-wise competition ranks of ``keys`` (runs × units), 1 = smallest key, ties share the best rank.

    ``rank = 1 + number of units in the row with a strictly smaller key`` (``scipy.stats.rankdata`` with
    ``method="min"``), as ``int32``. Keys must not be NaN.

    >>> competition_ranks(np.array([[3.0, 1.0, 3.0, 2.0], [0.0, 0.0, -1.0, np.inf]])).tolist()
    [[3, 1, 3, 2], [2, 2, 1, 4]]
    """
    keys = np.atleast_2d(keys)
    n_rows, n = keys.shape
    order = np.argsort(keys, axis=1)
    ordered = np.take_along_axis(keys, order, axis=1)
    starts = np.ones((n_rows, n), dtype=bool)  # a key differs from the one before it in sorted order
    np.not_equal(ordered[:, 1:], ordered[:, :-1], out=starts[:, 1:])
    del ordered
    first = np.where(starts, np.arange(n, dtype=np.int32), np.int32(0))  # 0-based start of each tie
    np.maximum.accumulate(first, axis=1, out=first)
    first += 1
    out = np.empty((n_rows, n), dtype=np.int32)
    np.put_along_axis(out, order, first, axis=1)
    return out


class _MonteCarlo:
    """The draws of every run and the computation of a batch of runs' ranks (see the module docstring)."""

    def __init__(
        self,
        normalised: dict[str, np.ndarray],
        indicator_principle: np.ndarray,
        indicator_weights: np.ndarray,
        principle_weights: np.ndarray,
        settings: Settings,
        seed: int,
    ):
        self.settings = settings
        self.methods = list(settings.uncertainty_normalisations)
        self.aggs = list(settings.uncertainty_aggregations)
        n_runs = settings.n_runs
        n_princ = len(principle_weights)
        rng = np.random.default_rng(seed)
        self.w_ind = draw_weights(rng, indicator_weights, indicator_principle, n_runs, settings)
        w_princ = draw_weights(rng, principle_weights, np.zeros(n_princ, dtype=int), n_runs, settings)
        self.method_idx = rng.integers(len(self.methods), size=n_runs)
        agg_idx = rng.integers(len(self.aggs), size=n_runs)
        self.agg_idx = agg_idx
        self.is_geo = np.array([self.aggs[i] == "geometric" for i in agg_idx], dtype=bool)
        self.v_princ = w_princ / w_princ.sum(axis=1, keepdims=True)
        n_ind = len(indicator_principle)
        self.incidence = np.zeros((n_ind, n_princ))
        self.incidence[np.arange(n_ind), indicator_principle] = 1.0
        self.filled: dict[str, np.ndarray] = {}
        self.mask: dict[str, np.ndarray] = {}
        for method in self.methods:
            matrix = np.asarray(normalised[method], dtype=float)
            self.mask[method] = (~np.isnan(matrix)).astype(float)
            self.filled[method] = np.nan_to_num(matrix, nan=0.0)
        self.n_units = self.filled[self.methods[0]].shape[0]
        self.n_principles = n_princ

    @property
    def n_runs(self) -> int:
        return self.settings.n_runs

    def draws(self) -> tuple[np.ndarray, np.ndarray]:
        """The normalisation and aggregation names drawn per run."""
        return (
            np.array(self.methods, dtype=object)[self.method_idx],
            np.array(self.aggs, dtype=object)[self.agg_idx],
        )

    def batches(self, batch_runs: int | None) -> Iterator[tuple[int, int]]:
        size = batch_runs
        if size is None:
            size = runs_per_batch(self.n_units, self.settings.batch_memory_mb, self.n_principles)
        if size < 1:
            raise ValueError(f"batch_runs must be >= 1, got {size}")
        for start in range(0, self.n_runs, size):
            yield start, min(start + size, self.n_runs)

    def index(self, start: int, stop: int) -> np.ndarray:
        """The index of every RT in runs ``start..stop-1`` (runs × RTs; NaN = no score)."""
        out = np.empty((stop - start, self.n_units))
        floor = self.settings.geometric_floor
        runs = np.arange(start, stop)
        for m, method in enumerate(self.methods):
            sel = runs[self.method_idx[start:stop] == m]
            if sel.size == 0:
                continue
            w = self.w_ind[sel][:, :, None] * self.incidence[None, :, :]  # runs × indicators × principles
            pscore = np.matmul(self.filled[method][None, :, :], w)  # runs × RTs × principles (numerator)
            den = np.matmul(self.mask[method][None, :, :], w)
            ok = den > 0
            np.divide(pscore, den, out=pscore, where=ok)
            pscore[~ok] = np.nan
            del den, ok
            geo = self.is_geo[sel]
            if not geo.all():  # arithmetic runs
                scores = pscore if not geo.any() else pscore[~geo]
                out[sel[~geo] - start] = np.einsum("rnp,rp->rn", scores, self.v_princ[sel[~geo]])
            if geo.any():  # geometric runs (the last use of pscore: worked on in place)
                scores = pscore if geo.all() else pscore[geo]
                np.maximum(scores, floor, out=scores)
                np.log(scores, out=scores)
                out[sel[geo] - start] = np.exp(np.einsum("rnp,rp->rn", scores, self.v_princ[sel[geo]]))
            del pscore, scores
        return out

    def ranks(self, start: int, stop: int) -> np.ndarray:
        """Overall ranks of every RT in runs ``start..stop-1`` (runs × RTs, int32; no score = last)."""
        keys = self.index(start, stop)
        np.negative(keys, out=keys)
        keys[np.isnan(keys)] = np.inf
        return competition_ranks(keys)


def _all_ranks(mc: _MonteCarlo, batch_runs: int | None) -> np.ndarray:
    ranks = np.empty((mc.n_runs, mc.n_units), dtype=np.int32)
    for start, stop in mc.batches(batch_runs):
        ranks[start:stop] = mc.ranks(start, stop)
    return ranks


def _regroup(ranks: np.ndarray, unit_groups: np.ndarray, out: np.ndarray, batch_rows: int) -> None:
    """Ranks inside each group from the overall ranks (written to ``out``, which may be ``ranks``).

    Exact: an RT's overall rank is 1 + the number of RTs with a higher index, so ordering the overall
    ranks orders the index, ties included; ranking a group's overall ranks gives its ranks in the group.
    """
    for g in np.unique(unit_groups):
        cols = np.flatnonzero(unit_groups == g)
        for start in range(0, ranks.shape[0], batch_rows):
            rows = slice(start, start + batch_rows)
            out[rows, cols] = competition_ranks(ranks[rows][:, cols])


def simulate_ranks(
    normalised: dict[str, np.ndarray],
    indicator_principle: np.ndarray,
    indicator_weights: np.ndarray,
    principle_weights: np.ndarray,
    unit_groups: np.ndarray,
    settings: Settings,
    seed: int,
    batch_runs: int | None = None,
) -> Simulation:
    """Run the Monte Carlo and return every run's ranks (see module docstring for the draws).

    ``normalised[method]`` is the RTs × indicators matrix under each method of
    ``settings.uncertainty_normalisations`` (NaN = no value; every RT needs a value in every principle).
    ``indicator_principle`` holds each indicator's principle position (0..P-1); ``unit_groups`` a label per
    RT for the within-group ranks (e.g. pilot / not pilot). ``batch_runs`` fixes the runs per batch
    (default: from ``settings.batch_memory_mb``); it changes no result. Holds two runs × RTs int32 arrays:
    for large cities use :func:`simulate_rank_intervals`.
    """
    mc = _MonteCarlo(normalised, indicator_principle, indicator_weights, principle_weights, settings, seed)
    ranks = _all_ranks(mc, batch_runs)
    group_ranks = np.empty_like(ranks)
    _regroup(ranks, np.asarray(unit_groups), group_ranks, _rows_per_block(mc))
    normalisation, aggregation = mc.draws()
    return Simulation(ranks, group_ranks, normalisation, aggregation)


def simulate_rank_intervals(
    normalised: dict[str, np.ndarray],
    indicator_principle: np.ndarray,
    indicator_weights: np.ndarray,
    principle_weights: np.ndarray,
    unit_groups: np.ndarray,
    settings: Settings,
    seed: int,
    interval: tuple[float, float] = (5.0, 95.0),
    batch_runs: int | None = None,
) -> RankIntervals:
    """The Monte Carlo of :func:`simulate_ranks`, summarised per RT: median and ``interval`` percentiles of
    its ranks overall and inside its group (``methods.rank_intervals``), identical to summarising
    :func:`simulate_ranks`'s arrays. Holds one runs × RTs int32 array (the group ranks overwrite it)."""
    from analysis.evaluate.principles.methods import rank_intervals

    mc = _MonteCarlo(normalised, indicator_principle, indicator_weights, principle_weights, settings, seed)
    ranks = _all_ranks(mc, batch_runs)
    overall = rank_intervals(ranks, *interval)
    unit_groups = np.asarray(unit_groups)
    if np.unique(unit_groups).size > 1:
        _regroup(ranks, unit_groups, ranks, _rows_per_block(mc))
        within = rank_intervals(ranks, *interval)
    else:  # one group: the ranks inside it are the overall ranks
        within = {k: v.copy() for k, v in overall.items()}
    del ranks
    normalisation, aggregation = mc.draws()
    return RankIntervals(
        median=overall["median"],
        low=overall["low"],
        high=overall["high"],
        group_median=within["median"],
        group_low=within["low"],
        group_high=within["high"],
        normalisation=normalisation,
        aggregation=aggregation,
    )


def _rows_per_block(mc: _MonteCarlo) -> int:
    return runs_per_batch(mc.n_units, mc.settings.batch_memory_mb, mc.n_principles)
