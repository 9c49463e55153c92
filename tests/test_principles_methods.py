"""Unit tests of the index's pure formulas (analysis.evaluate.principles.methods, audit, uncertainty)."""

import numpy as np
import pandas as pd
import pytest

from analysis.evaluate.principles import (
    IndexOptions,
    Settings,
    aggregate_arithmetic,
    aggregate_geometric,
    assign_category,
    cronbach_alpha,
    draw_weights,
    methods,
    normalise_distance_to_target,
    normalise_goalposts,
    normalise_minmax,
    normalise_rank,
    normalise_zscore,
    rank_descending,
    rank_intervals,
    simulate_ranks,
    spearman_pair,
    weighted_mean_available,
)

NAN = np.nan


@pytest.mark.parametrize(
    ("x", "low", "high", "direction", "expected"),
    [
        # 100 * (x - 0) / (0.5 - 0): 0.1 -> 20, 0.25 -> 50, 0.6 -> 120 truncated to 100
        pytest.param([0.1, 0.25, 0.6, NAN], 0.0, 0.5, 1, [20.0, 50.0, 100.0, NAN], id="positive_truncated"),
        # lower is better: 100 * (30 - x) / 30: -5 -> 116.7 -> 100, 6 -> 80, 15 -> 50, 45 -> 0
        pytest.param([-5.0, 6.0, 15.0, 45.0], 0.0, 30.0, -1, [100.0, 80.0, 50.0, 0.0], id="negative"),
        # Likert 1..5: 100 * (x - 1) / 4: 3.25 -> 56.25
        pytest.param([1.0, 3.25, 5.0], 1.0, 5.0, 1, [0.0, 56.25, 100.0], id="likert"),
    ],
)
def test_normalise_goalposts(x, low, high, direction, expected):
    got = normalise_goalposts(np.array(x), low, high, direction)
    np.testing.assert_allclose(got, expected)


def test_normalise_distance_to_target():
    # positive: 100 * (1 - (t - x) / (t - min)), t = 1, min = 0.2: 0.6 -> 100 * (1 - 0.4/0.8) = 50
    np.testing.assert_allclose(
        normalise_distance_to_target(np.array([0.2, 0.6, 1.5]), 1.0), [0.0, 50.0, 100.0]
    )
    # negative: 100 * (1 - (x - t) / (max - t)), t = 0, max = 20: 5 -> 75
    np.testing.assert_allclose(
        normalise_distance_to_target(np.array([0.0, 5.0, 20.0]), 0.0, -1), [100.0, 75.0, 0.0]
    )
    # nobody worse than the target: everyone 100
    np.testing.assert_allclose(normalise_distance_to_target(np.array([1.0, 2.0]), 1.0), [100.0, 100.0])


@pytest.mark.parametrize(
    ("x", "direction", "expected"),
    [
        pytest.param([2.0, 4.0, 6.0, NAN], 1, [0.0, 50.0, 100.0, NAN], id="positive"),
        pytest.param([2.0, 4.0, 6.0], -1, [100.0, 50.0, 0.0], id="negative"),
        pytest.param([3.0, 3.0], 1, [50.0, 50.0], id="no_spread_midpoint"),
    ],
)
def test_normalise_minmax(x, direction, expected):
    np.testing.assert_allclose(normalise_minmax(np.array(x), direction), expected)


def test_normalise_zscore():
    # mean 4, sample sd 2 (ddof=1: deviations -2, 0, 2 -> var 8/2 = 4): z = -1, 0, 1 -> 40, 50, 60
    np.testing.assert_allclose(normalise_zscore(np.array([2.0, 4.0, 6.0])), [40.0, 50.0, 60.0])
    np.testing.assert_allclose(normalise_zscore(np.array([2.0, 4.0, 6.0]), -1, 0, 1), [1.0, 0.0, -1.0])
    np.testing.assert_allclose(normalise_zscore(np.array([5.0, 5.0])), [50.0, 50.0])


def test_normalise_rank_average_ties():
    # values 10, 20, 20, 40 -> ranks 1, 2.5, 2.5, 4 -> 100 * (r - 1) / 3 = 0, 50, 50, 100
    np.testing.assert_allclose(normalise_rank(np.array([10.0, 20.0, 20.0, 40.0])), [0.0, 50.0, 50.0, 100.0])
    np.testing.assert_allclose(normalise_rank(np.array([10.0, 20.0, 40.0]), -1), [100.0, 50.0, 0.0])


def test_weighted_mean_available_renormalises_weights():
    # row 1: (1*100 + 3*50) / 4 = 62.5; row 2: only the second value -> 40; row 3: nothing -> NaN
    got = weighted_mean_available(np.array([[100.0, 50.0], [NAN, 40.0], [NAN, NAN]]), np.array([1.0, 3.0]))
    np.testing.assert_allclose(got, [62.5, 40.0, NAN])


def test_aggregate_arithmetic_and_geometric():
    scores = np.array([[100.0, 50.0, 80.0, 50.0]])
    # arithmetic, weights 2,1,1,1: (200 + 50 + 80 + 50) / 5 = 76
    np.testing.assert_allclose(aggregate_arithmetic(scores, [2, 1, 1, 1]), [76.0])
    # geometric, equal weights: (100*50*80*50) ** (1/4) = 2e7 ** 0.25 = 66.874...
    np.testing.assert_allclose(aggregate_geometric(scores, [1, 1, 1, 1]), [2e7**0.25])
    # a zero principle is floored at 1: (1 * 100) ** 0.5 = 10
    np.testing.assert_allclose(aggregate_geometric(np.array([[0.0, 100.0]]), [1, 1]), [10.0])
    np.testing.assert_allclose(aggregate_geometric(np.array([[0.0, 100.0]]), [1, 1], floor=4.0), [20.0])


def test_rank_descending_competition_ties():
    np.testing.assert_array_equal(rank_descending(np.array([50.0, 70.0, 50.0, 90.0])), [3.0, 2.0, 3.0, 1.0])


def test_rank_intervals_percentiles():
    # unit 0 ranks over 5 runs: 1,1,2,3,5 -> median 2; p05 = 1 + 0.2*(1-1) = 1; p95 = 3 + 0.8*(5-3) = 4.6
    ranks = np.array([[1, 2], [1, 2], [2, 1], [3, 1], [5, 1]])
    r = rank_intervals(ranks)
    np.testing.assert_allclose(r["median"], [2.0, 1.0])
    np.testing.assert_allclose(r["low"], [1.0, 1.0])
    np.testing.assert_allclose(r["high"], [4.6, 2.0])


@pytest.mark.parametrize(
    ("score", "label"),
    [
        pytest.param(80.0, "Baik Sekali", id="at_80"),
        pytest.param(79.999, "Baik", id="below_80"),
        pytest.param(65.0, "Baik", id="at_65"),
        pytest.param(50.0, "Cukup", id="at_50"),
        pytest.param(0.0, "Kurang", id="zero"),
        pytest.param(NAN, None, id="nan"),
    ],
)
def test_assign_category(score, label):
    scale = [(80, "Baik Sekali"), (65, "Baik"), (50, "Cukup"), (0, "Kurang")]
    assert assign_category(np.array([score]), scale) == [label]


def test_cronbach_alpha_hand_value():
    # items a, b, c over 4 units. Variances (ddof=1): a 5/3, b 19/12, c 5/3 -> sum 59/12.
    # totals 4, 8, 8, 13 (mean 8.25): squared deviations 18.0625 + 0.0625 + 0.0625 + 22.5625 = 40.75 -> var 40.75/3.
    # alpha = 3/2 * (1 - (59/12) / (40.75/3)) = 1.5 * (1 - 4.916667/13.583333) = 0.957055
    items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 3, 5], "c": [1, 3, 2, 4]})
    assert cronbach_alpha(items) == pytest.approx(1.5 * (1 - (59 / 12) / (40.75 / 3)))
    assert cronbach_alpha(items) == pytest.approx(0.957055, abs=1e-6)


def test_cronbach_alpha_textbook_cases():
    x = pd.Series([1.0, 2.0, 4.0, 7.0])
    # two identical items: C = [[v, v], [v, v]] -> alpha = 2 * (1 - 2v / 4v) = 1
    assert cronbach_alpha(pd.DataFrame({"a": x, "b": x})) == pytest.approx(1.0)
    # two items with zero covariance: sum(C) = trace(C) -> alpha = 0
    assert cronbach_alpha(
        pd.DataFrame({"a": [1.0, -1.0, 1.0, -1.0], "b": [1.0, 1.0, -1.0, -1.0]})
    ) == pytest.approx(0.0)
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": x})))


def test_spearman_pair():
    rho, n = spearman_pair(np.array([1.0, 2.0, 3.0, 4.0, NAN]), np.array([10.0, 30.0, 20.0, 40.0, 1.0]))
    # ranks (1,2,3,4) vs (1,3,2,4): d^2 = 0+1+1+0 = 2 -> rho = 1 - 6*2/(4*15) = 0.8
    assert (rho, n) == (pytest.approx(0.8), 4)
    assert np.isnan(spearman_pair(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0]))[0])


# ----------------------------------------------------------------------------------- uncertainty


def _mc_inputs(n_units: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    k = 8
    principle = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    raw = rng.uniform(0, 100, size=(n_units, k))
    raw[rng.random((n_units, k)) < 0.1] = np.nan
    raw[:, ::2] = np.where(np.isnan(raw[:, ::2]), 50.0, raw[:, ::2])  # one value per principle at least
    matrices = {
        "goalposts": raw,
        "minmax": np.column_stack([normalise_minmax(raw[:, j]) for j in range(k)]),
        "rank": np.column_stack([normalise_rank(raw[:, j]) for j in range(k)]),
    }
    groups = np.where(np.arange(n_units) % 10 == 0, "True", "False")
    return matrices, principle, np.ones(k), np.ones(4), groups


def test_simulation_is_reproducible_with_the_seed_and_changes_with_another():
    matrices, principle, w, wp, groups = _mc_inputs(40)
    settings = Settings(n_runs=300)
    a = simulate_ranks(matrices, principle, w, wp, groups, settings, seed=20250623)
    b = simulate_ranks(matrices, principle, w, wp, groups, settings, seed=20250623)
    c = simulate_ranks(matrices, principle, w, wp, groups, settings, seed=7)
    np.testing.assert_array_equal(a.ranks, b.ranks)
    np.testing.assert_array_equal(a.group_ranks, b.group_ranks)
    assert not np.array_equal(a.ranks, c.ranks)
    ia, ic = rank_intervals(a.ranks), rank_intervals(c.ranks)
    assert not all(np.array_equal(ia[k], ic[k]) for k in ia)
    # group ranks stay inside each group's size
    assert a.group_ranks[:, groups == "True"].max() <= (groups == "True").sum()


def test_simulation_without_perturbation_reproduces_the_nominal_ranking():
    matrices, principle, w, wp, groups = _mc_inputs(25)
    settings = Settings(
        n_runs=50,
        weight_noise=0.0,
        uncertainty_normalisations=("goalposts",),
        uncertainty_aggregations=("arithmetic",),
    )
    sim = simulate_ranks(matrices, principle, w, wp, groups, settings, seed=1)
    pscores = np.column_stack(
        [weighted_mean_available(matrices["goalposts"][:, principle == p], np.ones(2)) for p in range(4)]
    )
    nominal = rank_descending(aggregate_arithmetic(pscores, wp))
    assert (sim.ranks == nominal[None, :]).all()


def test_draw_weights_uniform_bounds_and_dirichlet_sums():
    rng = np.random.default_rng(3)
    nominal = np.array([1.0, 2.0, 1.0])
    w = draw_weights(rng, nominal, np.array([0, 0, 1]), 2000, Settings(weight_noise=0.25))
    assert (w >= nominal * 0.75).all() and (w <= nominal * 1.25).all()
    d = draw_weights(rng, nominal, np.array([0, 0, 1]), 2000, Settings(weight_scheme="dirichlet"))
    np.testing.assert_allclose(d[:, :2].sum(axis=1), 1.0)
    np.testing.assert_allclose(d[:, 2], 1.0)
    # mean shares inside principle 0 are the nominal shares 1/3, 2/3
    np.testing.assert_allclose(d[:, :2].mean(axis=0), [1 / 3, 2 / 3], atol=0.01)


def test_simulation_shape_for_2000_rts_and_1000_runs():
    # how fast: bench/run.py and docs/performance.md (speed is measured in benchmarks, not timed tests)
    matrices, principle, w, wp, groups = _mc_inputs(2000)
    sim = simulate_ranks(matrices, principle, w, wp, groups, Settings(n_runs=1000), seed=1)
    assert sim.ranks.shape == (1000, 2000)
    assert sim.ranks.min() >= 1 and sim.ranks.max() <= 2000


# ------------------------------------------------------------------ legacy formulas on the engine (issue 12)
def _legacy_goalposts(x, low, high, direction=1):
    x = np.asarray(x, dtype=float)
    frac = (x - low) / (high - low) if direction == 1 else (high - x) / (high - low)
    return 100.0 * np.clip(frac, 0.0, 1.0)


def _legacy_minmax(x, direction=1):
    x = np.asarray(x, dtype=float)
    if np.all(np.isnan(x)):
        return x.copy()
    lo, hi = np.nanmin(x), np.nanmax(x)
    if hi == lo:
        return np.where(np.isnan(x), np.nan, 50.0)
    return 100.0 * ((x - lo) / (hi - lo) if direction == 1 else (hi - x) / (hi - lo))


def _legacy_weighted_mean(values, weights):
    values = np.atleast_2d(np.asarray(values, dtype=float))
    mask = ~np.isnan(values)
    w = np.broadcast_to(np.asarray(weights, dtype=float), values.shape)
    num = np.where(mask, values * w, 0.0).sum(axis=1)
    den = np.where(mask, w, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def test_goalposts_minmax_and_mean_on_the_engine_are_bit_for_bit_the_old_formulas():
    """methods.normalise_goalposts / normalise_minmax / weighted_mean_available now call the composite
    engine; on 2,000 random values (with gaps, ties, values beyond the goalposts) every bit is the same."""
    rng = np.random.default_rng(12)
    x = rng.normal(0.3, 0.4, 2000).round(rng.integers(0, 4))
    x[rng.random(2000) < 0.1] = np.nan
    for low, high in ((0.0, 0.6), (0.0, 30.0), (1.0, 5.0)):
        for d in (1, -1):
            assert np.array_equal(
                methods.normalise_goalposts(x, low, high, d),
                _legacy_goalposts(x, low, high, d),
                equal_nan=True,
            )
    for d in (1, -1):
        assert np.array_equal(methods.normalise_minmax(x, d), _legacy_minmax(x, d), equal_nan=True)
    assert np.array_equal(methods.normalise_minmax(np.full(4, 2.0)), [50.0] * 4)
    vals = rng.uniform(0, 100, (500, 4))
    vals[rng.random((500, 4)) < 0.3] = np.nan
    for w in ([1, 1, 1, 1], [0.5, 2.0, 1.0, 3.0]):
        assert np.array_equal(
            methods.weighted_mean_available(vals, np.array(w)), _legacy_weighted_mean(vals, w), equal_nan=True
        )


@pytest.mark.slow
def test_index_tables_of_the_sample_are_identical_with_the_old_formulas(tmp_path, monkeypatch):
    """The index tables of a sample period with the engine-backed methods equal, exactly, those built with
    the old formulas (monkeypatched back in)."""
    from analysis.core.config import SAMPLE_SOURCE
    from analysis.evaluate.principles import evaluate_principles
    from analysis.ingest.cleaning import clean_source

    tables = clean_source(SAMPLE_SOURCE, "2025-TW4", tmp_path / "p", feedback=False).tables
    new = evaluate_principles(tables, "2025-TW4", options=IndexOptions(n_runs=100, sensitivity_samples=8))
    monkeypatch.setattr(methods, "normalise_goalposts", _legacy_goalposts)
    monkeypatch.setattr(methods, "normalise_minmax", _legacy_minmax)
    monkeypatch.setattr(methods, "weighted_mean_available", _legacy_weighted_mean)
    old = evaluate_principles(tables, "2025-TW4", options=IndexOptions(n_runs=100, sensitivity_samples=8))
    for name in old:
        pd.testing.assert_frame_equal(new[name], old[name], check_exact=True, obj=name)
