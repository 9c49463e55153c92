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

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
    choices: dict[str, np.ndarray] = field(default_factory=dict)  # per factor, the level drawn per run


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
    choices: dict[str, np.ndarray] = field(default_factory=dict)  # per factor, the level drawn per run


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


@dataclass(frozen=True)
class Variations:
    """The choices a run draws besides the weights, the normalisation and the aggregation.

    Each is a tuple of levels, level 0 being the published (nominal) choice: ``imputation`` (e.g.
    ``("none", "kelurahan_median")``), ``goalposts`` (``("nominal", "lenient", "strict")``: the best goalpost
    as set or moved towards / away from the worst), ``rules`` (:data:`~analysis.evaluate.principles.framework.MISSING_RULES`)
    and ``leave_one_out`` (all indicators, or one left out: ``n_indicators + 1`` levels). ``matrix(method,
    imputation, goalposts, rule)`` returns the normalised RTs × indicators matrix of one combination (the
    goalpost level is ``"nominal"`` for every method but ``goalposts``); matrices are built when first drawn
    and kept (each ``RTs × indicators × 16`` bytes) in ``built``, by combination, for as long as the
    variations are: the rank simulation and the sensitivity analysis of a period draw from the same
    variations, so the second reuses the first's matrices instead of building the same ones again.
    """

    matrix: Callable[[str, str, str, str], np.ndarray]
    imputation: tuple[str, ...] = ("none",)
    goalposts: tuple[str, ...] = ("nominal",)
    rules: tuple[str, ...] = ("declared",)
    leave_one_out: bool = False
    built: dict[tuple[str, str, str, str], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True)
class Draws:
    """Every run's choices (one row or entry per run); ``drop`` = the indicator left out, or
    ``n_indicators`` for none."""

    w_ind: np.ndarray
    v_princ: np.ndarray
    method: np.ndarray
    aggregation: np.ndarray
    imputation: np.ndarray
    goalposts: np.ndarray
    rule: np.ndarray
    drop: np.ndarray


#: The factors of the sensitivity analysis, in order, with what each varies (``index_sensitivity``).
FACTORS = {
    "indicator_weights": "indicator weights perturbed",
    "principle_weights": "principle weights perturbed",
    "normalisation": "normalisation method",
    "aggregation": "aggregation across principles",
    "imputation": "imputation of missing values on/off",
    "leave_one_out": "one indicator left out (or none)",
    "goalposts": "best goalpost moved (ratio and day indicators)",
    "missing_rules": "rule for missing and not-applicable cells",
}


def _levels(settings: Settings, variations: Variations, n_ind: int) -> dict[str, int]:
    """How many levels each discrete factor has (1 = not varied)."""
    return {
        "normalisation": len(settings.uncertainty_normalisations),
        "aggregation": len(settings.uncertainty_aggregations),
        "imputation": len(variations.imputation),
        "leave_one_out": n_ind + 1 if variations.leave_one_out else 1,
        "goalposts": len(variations.goalposts),
        "missing_rules": len(variations.rules),
    }


def random_draws(
    seed: int,
    indicator_principle: np.ndarray,
    indicator_weights: np.ndarray,
    principle_weights: np.ndarray,
    settings: Settings,
    variations: Variations,
) -> Draws:
    """The Monte Carlo's draws in the module docstring's order; a factor with one level draws nothing, so
    switching the extra factors off reproduces the draws (and results) of the weights-and-methods-only
    analysis exactly."""
    n_runs, n_ind = settings.n_runs, len(indicator_principle)
    rng = np.random.default_rng(seed)
    w_ind = draw_weights(rng, indicator_weights, indicator_principle, n_runs, settings)
    w_princ = draw_weights(
        rng, principle_weights, np.zeros(len(principle_weights), dtype=int), n_runs, settings
    )
    levels = _levels(settings, variations, n_ind)
    picks = {}
    for name in ("normalisation", "aggregation", "imputation", "leave_one_out", "goalposts", "missing_rules"):
        always = name in ("normalisation", "aggregation")  # drawn as before even with one level
        picks[name] = (
            rng.integers(levels[name], size=n_runs) if always or levels[name] > 1 else np.zeros(n_runs, int)
        )
    drop = picks["leave_one_out"] - 1  # level 0 = none
    drop[drop < 0] = n_ind
    return Draws(
        w_ind, w_princ / w_princ.sum(axis=1, keepdims=True), picks["normalisation"], picks["aggregation"],
        picks["imputation"], picks["goalposts"], picks["missing_rules"], drop,
    )  # fmt: skip


class _MonteCarlo:
    """The computation of a batch of runs' ranks from :class:`Draws` (see the module docstring)."""

    def __init__(
        self,
        normalised: dict[str, np.ndarray] | None,
        indicator_principle: np.ndarray,
        settings: Settings,
        draws: Draws,
        variations: Variations | None = None,
    ):
        self.settings = settings
        self.methods = list(settings.uncertainty_normalisations)
        self.aggs = list(settings.uncertainty_aggregations)
        self.variations = variations or _fixed_variations(normalised)
        self.d = draws
        self.is_geo = np.array([self.aggs[i] == "geometric" for i in draws.aggregation], dtype=bool)
        n_ind = len(indicator_principle)
        n_princ = draws.v_princ.shape[1]
        self.principle_of = np.asarray(indicator_principle)
        self.incidence = np.zeros((n_ind, n_princ))
        self.incidence[np.arange(n_ind), indicator_principle] = 1.0
        v = self.variations
        self.n_levels = (len(self.methods), len(v.imputation), len(v.goalposts), len(v.rules))
        goal = np.where(np.array(self.methods)[draws.method] == "goalposts", draws.goalposts, 0)
        self.code = (draws.method * self.n_levels[1] + draws.imputation) * self.n_levels[2] + goal
        self.code = self.code * self.n_levels[3] + draws.rule
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        first = self._matrices(int(self.code[0])) if len(self.code) else self._matrices(0)
        self.n_units = first[0].shape[0]
        self.n_indicators = n_ind
        self.n_principles = n_princ

    def _matrices(self, code: int) -> tuple[np.ndarray, np.ndarray]:
        """``(values with 0 for NaN, mask)`` of one combination of levels."""
        if code not in self._cache:
            rest, r = divmod(code, self.n_levels[3])
            rest, g = divmod(rest, self.n_levels[2])
            m, i = divmod(rest, self.n_levels[1])
            v = self.variations
            levels = (self.methods[m], v.imputation[i], v.goalposts[g], v.rules[r])
            if levels not in v.built:  # read only from here on (never written to)
                matrix = np.asarray(v.matrix(*levels), dtype=float)
                v.built[levels] = (np.nan_to_num(matrix, nan=0.0), (~np.isnan(matrix)).astype(float))
            self._cache[code] = v.built[levels]
        return self._cache[code]

    @property
    def n_runs(self) -> int:
        return len(self.code)

    def batches(self, batch_runs: int | None) -> Iterator[tuple[int, int]]:
        size = batch_runs
        if size is None:
            size = runs_per_batch(self.n_units, self.settings.batch_memory_mb, self.n_principles)
        if size < 1:
            raise ValueError(f"batch_runs must be >= 1, got {size}")
        for start in range(0, self.n_runs, size):
            yield start, min(start + size, self.n_runs)

    def index(self, start: int, stop: int) -> np.ndarray:
        """The index of every RT in runs ``start..stop-1`` (runs × RTs; NaN = no score).

        A left-out indicator gets weight 0; an RT left with no indicator in that principle keeps the
        left-out indicator's own value there (screening scored it with at least one per principle).
        """
        out = np.empty((stop - start, self.n_units))
        floor = self.settings.geometric_floor
        runs = np.arange(start, stop)
        codes = self.code[start:stop]
        for code in np.unique(codes):
            sel = runs[codes == code]
            filled, mask = self._matrices(int(code))
            w_runs = self.d.w_ind[sel].copy()
            drop = self.d.drop[sel]
            dropped = drop < self.n_indicators
            w_runs[np.flatnonzero(dropped), drop[dropped]] = 0.0
            w = w_runs[:, :, None] * self.incidence[None, :, :]  # runs × indicators × principles
            pscore = np.matmul(filled[None, :, :], w)  # runs × RTs × principles (numerator)
            den = np.matmul(mask[None, :, :], w)
            ok = den > 0
            np.divide(pscore, den, out=pscore, where=ok)
            pscore[~ok] = np.nan
            del den, ok
            for k in np.flatnonzero(dropped):
                d = drop[k]
                p = self.principle_of[d]
                empty = np.isnan(pscore[k, :, p]) & (mask[:, d] > 0)
                pscore[k, empty, p] = filled[empty, d]
            geo = self.is_geo[sel]
            if not geo.all():  # arithmetic runs
                scores = pscore if not geo.any() else pscore[~geo]
                out[sel[~geo] - start] = np.einsum("rnp,rp->rn", scores, self.d.v_princ[sel[~geo]])
            if geo.any():  # geometric runs (the last use of pscore: worked on in place)
                scores = pscore if geo.all() else pscore[geo]
                np.maximum(scores, floor, out=scores)
                np.log(scores, out=scores)
                out[sel[geo] - start] = np.exp(np.einsum("rnp,rp->rn", scores, self.d.v_princ[sel[geo]]))
            del pscore, scores
        return out

    def ranks(self, start: int, stop: int) -> np.ndarray:
        """Overall ranks of every RT in runs ``start..stop-1`` (runs × RTs, int32; no score = last)."""
        keys = self.index(start, stop)
        np.negative(keys, out=keys)
        keys[np.isnan(keys)] = np.inf
        return competition_ranks(keys)

    def counts(self) -> dict[str, np.ndarray]:
        """The level names drawn per run, per factor (``index_uncertainty_settings``)."""
        v = self.variations
        names = ["(none)"]  # leave-one-out: filled in by the caller with indicator codes
        return {
            "normalisation": np.array(self.methods, dtype=object)[self.d.method],
            "aggregation": np.array(self.aggs, dtype=object)[self.d.aggregation],
            "imputation": np.array(v.imputation, dtype=object)[self.d.imputation],
            "goalposts": np.array(v.goalposts, dtype=object)[self.d.goalposts],
            "missing_rules": np.array(v.rules, dtype=object)[self.d.rule],
            "leave_one_out": np.where(self.d.drop == self.n_indicators, names[0], self.d.drop.astype(str)),
        }


def _fixed_variations(normalised: dict[str, np.ndarray] | None) -> Variations:
    if normalised is None:
        raise ValueError("give either the normalised matrices or the variations")
    return Variations(matrix=lambda method, *_: normalised[method])


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


def _monte_carlo(
    normalised: dict[str, np.ndarray] | None,
    indicator_principle: np.ndarray,
    indicator_weights: np.ndarray,
    principle_weights: np.ndarray,
    settings: Settings,
    seed: int,
    variations: Variations | None,
) -> _MonteCarlo:
    variations = variations or _fixed_variations(normalised)
    draws = random_draws(
        seed, indicator_principle, indicator_weights, principle_weights, settings, variations
    )
    return _MonteCarlo(normalised, indicator_principle, settings, draws, variations)


def simulate_ranks(
    normalised: dict[str, np.ndarray] | None,
    indicator_principle: np.ndarray,
    indicator_weights: np.ndarray,
    principle_weights: np.ndarray,
    unit_groups: np.ndarray,
    settings: Settings,
    seed: int,
    batch_runs: int | None = None,
    variations: Variations | None = None,
) -> Simulation:
    """Run the Monte Carlo and return every run's ranks (see module docstring for the draws).

    ``normalised[method]`` is the RTs × indicators matrix under each method of
    ``settings.uncertainty_normalisations`` (NaN = no value; every RT needs a value in every principle),
    or ``variations`` builds the matrix of every combination of choices (then ``normalised`` may be
    ``None``). ``indicator_principle`` holds each indicator's principle position (0..P-1); ``unit_groups``
    a label per RT for the within-group ranks (e.g. pilot / not pilot). ``batch_runs`` fixes the runs per
    batch (default: from ``settings.batch_memory_mb``); it changes no result. Holds two runs × RTs int32
    arrays: for large cities use :func:`simulate_rank_intervals`.
    """
    mc = _monte_carlo(
        normalised, indicator_principle, indicator_weights, principle_weights, settings, seed, variations
    )
    ranks = _all_ranks(mc, batch_runs)
    group_ranks = np.empty_like(ranks)
    _regroup(ranks, np.asarray(unit_groups), group_ranks, _rows_per_block(mc))
    choices = mc.counts()
    return Simulation(ranks, group_ranks, choices["normalisation"], choices["aggregation"], choices)


def simulate_rank_intervals(
    normalised: dict[str, np.ndarray] | None,
    indicator_principle: np.ndarray,
    indicator_weights: np.ndarray,
    principle_weights: np.ndarray,
    unit_groups: np.ndarray,
    settings: Settings,
    seed: int,
    interval: tuple[float, float] = (5.0, 95.0),
    batch_runs: int | None = None,
    variations: Variations | None = None,
) -> RankIntervals:
    """The Monte Carlo of :func:`simulate_ranks`, summarised per RT: median and ``interval`` percentiles of
    its ranks overall and inside its group (``methods.rank_intervals``), identical to summarising
    :func:`simulate_ranks`'s arrays. Holds one runs × RTs int32 array (the group ranks overwrite it)."""
    from analysis.evaluate.principles.methods import rank_intervals

    mc = _monte_carlo(
        normalised, indicator_principle, indicator_weights, principle_weights, settings, seed, variations
    )
    ranks = _all_ranks(mc, batch_runs)
    overall = rank_intervals(ranks, *interval)
    unit_groups = np.asarray(unit_groups)
    if np.unique(unit_groups).size > 1:
        _regroup(ranks, unit_groups, ranks, _rows_per_block(mc))
        within = rank_intervals(ranks, *interval)
    else:  # one group: the ranks inside it are the overall ranks
        within = {k: v.copy() for k, v in overall.items()}
    del ranks
    choices = mc.counts()
    return RankIntervals(
        median=overall["median"],
        low=overall["low"],
        high=overall["high"],
        group_median=within["median"],
        group_low=within["low"],
        group_high=within["high"],
        normalisation=choices["normalisation"],
        aggregation=choices["aggregation"],
        choices=choices,
    )


def _rows_per_block(mc: _MonteCarlo) -> int:
    return runs_per_batch(mc.n_units, mc.settings.batch_memory_mb, mc.n_principles)


# ------------------------------------------------------------------------------------------ sensitivity


def sobol_indices(
    groups: list[str], evaluate: Callable[[np.ndarray], np.ndarray], n_base: int, seed: int
) -> pd.DataFrame:
    """First-order and total Sobol indices of the groups of inputs of ``evaluate`` (SALib).

    ``groups`` names the group of each input (inputs uniform on [0, 1]); ``evaluate`` maps the sample
    (rows × inputs) to one output per row. Saltelli's scheme (``SALib.sample.sobol``, a scrambled Sobol
    sequence, ``N × (groups + 2)`` rows without second-order terms) and the Saltelli (2010) first-order and
    Jansen (1999) total estimators (``SALib.analyze.sobol``) with bootstrap 95 % confidence half-widths.
    One row per group, in order of first appearance: ``factor``, ``s1``, ``s1_conf``, ``st``, ``st_conf``.
    An output without variance gives NaN indices (nothing to apportion).

    >>> f = lambda x: 10 * x[:, 0] + 0.1 * x[:, 1]  # additive, x0 dominates: S1 = ST of x0 = 0.9999
    >>> table = sobol_indices(["a", "b"], f, 256, seed=1)
    >>> [round(float(v), 2) for v in table.loc[0, ["s1", "st"]]], round(float(table.loc[1, "st"]), 3)
    ([1.0, 1.0], 0.0)
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    order = list(dict.fromkeys(groups))
    problem = {
        "num_vars": len(groups),
        "names": [f"x{k}" for k in range(len(groups))],
        "bounds": [[0.0, 1.0]] * len(groups),
    }
    if len(order) < len(groups):
        problem["groups"] = list(groups)
    cols = ["factor", "s1", "s1_conf", "st", "st_conf"]
    if len(order) < 2:
        raise ValueError(f"a sensitivity analysis needs at least two factors, got {order}")
    sample = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    y = np.asarray(evaluate(sample), dtype=float)
    if not np.isfinite(y).all():
        raise ValueError("the sensitivity output has non-finite values")
    if np.ptp(y) == 0:
        return pd.DataFrame({"factor": order, **{c: np.nan for c in cols[1:]}})[cols]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed, print_to_console=False)
    return pd.DataFrame(
        {
            "factor": order,
            "s1": res["S1"],
            "s1_conf": res["S1_conf"],
            "st": res["ST"],
            "st_conf": res["ST_conf"],
        }
    )[cols]


def sample_draws(
    sample: np.ndarray,
    layout: list[str],
    indicator_principle: np.ndarray,
    indicator_weights: np.ndarray,
    principle_weights: np.ndarray,
    settings: Settings,
    variations: Variations,
) -> Draws:
    """:class:`Draws` from a sample on [0, 1] (rows = runs), ``layout`` naming each column's factor.

    Weights: ``uniform`` ``w × (1 + f (2u − 1))``; ``dirichlet`` the Gamma quantiles of ``u`` normalised
    inside each principle (as :func:`draw_weights`). A discrete factor with ``k`` levels takes level
    ``floor(u × k)``; a factor absent from ``layout`` stays at its nominal level (level 0).
    """
    from scipy import stats

    n_runs, n_ind = sample.shape[0], len(indicator_principle)
    cols = {name: [k for k, f in enumerate(layout) if f == name] for name in dict.fromkeys(layout)}

    def weights(name: str, nominal: np.ndarray, groups: np.ndarray) -> np.ndarray:
        nominal = np.asarray(nominal, dtype=float)
        if name not in cols:
            return np.tile(nominal, (n_runs, 1))
        u = sample[:, cols[name]]
        if settings.weight_scheme == "uniform":
            return nominal * (1.0 + settings.weight_noise * (2.0 * u - 1.0))
        shares = np.empty_like(nominal)
        for g in np.unique(groups):
            shares[groups == g] = nominal[groups == g] / nominal[groups == g].sum()
        draws = stats.gamma.ppf(np.clip(u, 1e-12, 1 - 1e-12), settings.dirichlet_concentration * shares)
        for g in np.unique(groups):
            sel = groups == g
            draws[:, sel] /= draws[:, sel].sum(axis=1, keepdims=True)
        return draws

    levels = _levels(settings, variations, n_ind)

    def level(name: str) -> np.ndarray:
        if name not in cols:
            return np.zeros(n_runs, dtype=int)
        return np.minimum((sample[:, cols[name][0]] * levels[name]).astype(int), levels[name] - 1)

    w_ind = weights("indicator_weights", indicator_weights, np.asarray(indicator_principle))
    w_princ = weights("principle_weights", principle_weights, np.zeros(len(principle_weights), dtype=int))
    drop = level("leave_one_out") - 1
    drop[drop < 0] = n_ind
    return Draws(
        w_ind, w_princ / w_princ.sum(axis=1, keepdims=True), level("normalisation"), level("aggregation"),
        level("imputation"), level("goalposts"), level("missing_rules"), drop,
    )  # fmt: skip


def sensitivity_table(
    variations: Variations,
    indicator_principle: np.ndarray,
    indicator_weights: np.ndarray,
    principle_weights: np.ndarray,
    nominal_ranks: np.ndarray,
    settings: Settings,
    seed: int,
) -> pd.DataFrame:
    """``index_sensitivity``: which choice moves the ranks most (variance-based, Sobol indices).

    Output of a run: the mean absolute shift of the RTs' ranks from their published ranks,
    ``R = (1/M) Σ_c |rank_run(c) − rank_nominal(c)|`` (Saisana, Saltelli and Tarantola 2005, JRSS A 168,
    307-323). Factors: every choice the Monte Carlo varies (:data:`FACTORS`; the weights as two groups),
    a factor with one level left out. ``settings.sensitivity_samples`` = N base samples, ``N × (factors +
    2)`` runs. One row per factor: ``factor``, ``description``, ``n_levels`` (0 for the weight groups),
    ``s1``, ``s1_conf``, ``st``, ``st_conf``, ``importance`` (1 = the largest total index),
    ``output_mean`` (mean of R over the runs), ``n_runs``.
    """
    n_ind, n_princ = len(indicator_principle), len(principle_weights)
    levels = _levels(settings, variations, n_ind)
    layout: list[str] = []
    if settings.weight_noise > 0 or settings.weight_scheme == "dirichlet":
        layout += ["indicator_weights"] * n_ind + ["principle_weights"] * n_princ
    layout += [name for name, k in levels.items() if k > 1]
    runs_total = settings.sensitivity_samples * (len(dict.fromkeys(layout)) + 2)
    outputs: list[float] = []
    nominal = np.asarray(nominal_ranks, dtype=float)

    def evaluate(sample: np.ndarray) -> np.ndarray:
        draws = sample_draws(
            sample, layout, indicator_principle, indicator_weights, principle_weights, settings, variations
        )
        mc = _MonteCarlo(None, indicator_principle, settings, draws, variations)
        y = np.empty(mc.n_runs)
        for start, stop in mc.batches(None):
            y[start:stop] = np.abs(mc.ranks(start, stop) - nominal[None, :]).mean(axis=1)
        outputs.extend(y.tolist())
        return y

    table = sobol_indices(layout, evaluate, settings.sensitivity_samples, seed)
    table["description"] = table["factor"].map(FACTORS)
    table["n_levels"] = table["factor"].map(lambda f: levels.get(f, 0)).astype("int64")
    order = table["st"].rank(ascending=False, method="min", na_option="bottom")
    table["importance"] = order.astype("int64")
    table["output_mean"] = float(np.mean(outputs)) if outputs else np.nan
    table["n_runs"] = int(runs_total)
    cols = ["factor", "description", "n_levels", "s1", "s1_conf", "st", "st_conf", "importance"]
    return table[[*cols, "output_mean", "n_runs"]].astype({"factor": "str", "description": "str"})
