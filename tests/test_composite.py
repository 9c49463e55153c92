"""The generic composite engine (``analysis.evaluate.composite``): COINr's method set, each with a tiny
hand-computed example (input and expected output side by side)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.evaluate import composite as C

X = np.array([1.0, 2.0, 4.0])


# ------------------------------------------------------------------------------------------ treatment


def test_skewness_and_kurtosis_are_e1071_type_2():
    # d = (-3, -2, -1, 6): Σd² = 50, Σd³ = 180, g1 = 2·180/50^1.5, G1 = g1·sqrt(12)/2
    x = np.array([1.0, 2.0, 3.0, 10.0])
    assert C.skewness(x) == pytest.approx(2 * 180 / 50**1.5 * np.sqrt(12) / 2)
    assert C.skewness(x) == pytest.approx(stats.skew(x, bias=False))
    assert C.kurtosis(x) == pytest.approx(stats.kurtosis(x, bias=False))
    assert np.isnan(C.skewness(np.array([1.0, 2.0]))) and np.isnan(C.kurtosis(np.array([1.0, 2.0, 3.0])))


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        pytest.param([1, 2, 3, 4, 5, 6, 7, 8], True, id="symmetric_passes"),
        pytest.param([1, 1, 1, 1, 1, 1, 1, 1, 1, 50], False, id="one_far_outlier_fails"),
        pytest.param([1, 2, 3, np.nan], True, id="too_few_values_pass"),
    ],
)
def test_skew_kurtosis_rule(x, expected):
    # COINr check_SkewKurt: fails only when |skew| >= 2 AND kurtosis >= 3.5
    assert C.passes_skew_kurtosis(np.array(x, dtype=float)) is expected


def test_winsorise_replaces_the_outlier_by_the_next_value():
    x = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 50.0])
    out, n = C.winsorise(x)
    assert out.tolist() == [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    assert n == 1


def test_winsorise_low_outlier_when_skew_is_negative():
    x = -np.array([1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 50.0])
    out, n = C.winsorise(x)
    assert out.min() == -3.0 and n == 1


def test_treat_outliers_falls_back_to_log_when_winsorising_is_not_enough():
    # a geometric series: winsorising 1 point leaves the next one extreme; winmax = 1 forces the log
    x = np.array([1.0] * 12 + [10.0, 100.0, 1000.0])
    treated, how, n = C.treat_outliers(x, winmax=1)
    assert how == "log" and n == 0
    np.testing.assert_allclose(treated, np.log(x - 1.0 + 0.01 * 999.0))


def test_treat_outliers_leaves_a_passing_indicator_alone():
    treated, how, n = C.treat_outliers(X)
    assert (how, n) == ("none", 0) and treated.tolist() == X.tolist()


def test_log_ct():
    assert C.log_ct(np.array([0.0, 100.0, np.nan])).round(6).tolist()[:2] == [0.0, round(np.log(101.0), 6)]


# ------------------------------------------------------------------------------------------ imputation


@pytest.mark.parametrize(
    ("x", "groups", "how", "expected"),
    [
        pytest.param([1, np.nan, 5, 10, np.nan], list("aaabb"), "mean", [1, 3, 5, 10, 10], id="group_mean"),
        pytest.param(
            [1, np.nan, 2, 9, np.nan],
            list("aaaab"),
            "median",
            [1, 2, 2, 9, np.nan],
            id="group_median_empty_group",
        ),
        pytest.param(
            [1, np.nan, 5], [None, "a", "a"], "mean", [1, 5, 5], id="unit_without_group_is_donor_free"
        ),
        pytest.param([1, np.nan, 5], None, "mean", [1, 3, 5], id="overall_mean"),
    ],
)
def test_impute_group(x, groups, how, expected):
    out = C.impute_group(np.array(x, dtype=float), groups, how)
    np.testing.assert_array_equal(out, np.array(expected, dtype=float))


def test_impute_carry_forward_takes_the_latest_earlier_value_per_unit():
    panel = pd.DataFrame(
        {
            "uCode": ["A", "A", "A", "B", "B", "B"],
            "Time": [2020, 2021, 2022, 2020, 2021, 2022],
            "x": [1.0, 2.0, np.nan, np.nan, 5.0, np.nan],
            "y": [7.0, np.nan, np.nan, np.nan, np.nan, np.nan],
        }
    )
    filled, source = C.impute_carry_forward(panel, "uCode", "Time", ["x", "y"])
    assert filled["x"].tolist()[2] == 2.0 and np.isnan(filled["x"].tolist()[3])
    assert filled["x"].tolist()[5] == 5.0
    assert filled["y"].tolist()[:3] == [7.0, 7.0, 7.0]
    assert source["y"].tolist()[:3] == [2020.0, 2020.0, 2020.0]
    limited, _ = C.impute_carry_forward(panel, "uCode", "Time", ["y"], max_periods=1)
    assert limited["y"].tolist()[:2] == [7.0, 7.0]  # one period back: 2021 takes 2020's value
    assert np.isnan(limited["y"].tolist()[2])  # 2022 would need two periods back


def test_denominate_divides_and_guards_zero():
    values = pd.DataFrame({"gdp_based": [10.0, 20.0], "plain": [1.0, 2.0]})
    dens = pd.DataFrame({"pop": [2.0, 0.0]})
    out = C.denominate(values, dens, {"gdp_based": "pop"})
    assert out["gdp_based"].tolist()[0] == 5.0 and np.isnan(out["gdp_based"].tolist()[1])
    assert out["plain"].tolist() == [1.0, 2.0]


# ------------------------------------------------------------------------------------------ normalisation


@pytest.mark.parametrize(
    ("method", "direction", "params", "expected"),
    [
        pytest.param("minmax", 1, {}, [0, 100 / 3, 100], id="minmax"),
        pytest.param("minmax", -1, {}, [100, 200 / 3, 0], id="minmax_reversed"),
        pytest.param("minmax", 1, {"l_u": (1, 2)}, [1, 4 / 3, 2], id="minmax_bounds"),
        pytest.param("zscore", 1, {}, (X - 7 / 3) / np.sqrt(42 / 18), id="zscore"),
        pytest.param(
            "zscore", 1, {"m_sd": (50, 10)}, 50 + 10 * (X - 7 / 3) / np.sqrt(42 / 18), id="zscore_50_10"
        ),
        pytest.param("scaled", 1, {"npara": (0, 10)}, [10, 20, 40], id="scaled"),
        pytest.param("fracmax", 1, {}, [0.25, 0.5, 1], id="fracmax"),
        pytest.param("prank", 1, {}, [0, 0.5, 1], id="prank"),
        pytest.param("rank", -1, {}, [3, 2, 1], id="rank_reversed"),
        pytest.param("borda", 1, {}, [0, 1, 2], id="borda"),
        pytest.param("dist2ref", 1, {"iref": 1}, [0, 1, 3], id="dist2ref"),
        pytest.param("dist2ref", 1, {"iref": 1, "cap_max": True}, [0, 1, 1], id="dist2ref_capped"),
        pytest.param("dist2max", 1, {}, [0, 1 / 3, 1], id="dist2max"),
        pytest.param("dist2targ", 1, {"targ": 3}, [0, 0.5, 1.5], id="dist2targ"),
        pytest.param("dist2targ", 1, {"targ": 3, "cap_max": True}, [0, 0.5, 1], id="dist2targ_capped"),
        pytest.param("dist2targ", -1, {"targ": -2}, [1.5, 1, 0], id="dist2targ_lower_is_better"),
        pytest.param("goalposts", 1, {"gposts": (0, 5, 100)}, [20, 40, 80], id="goalposts"),
        pytest.param("goalposts", -1, {"gposts": (-5, 0, 100)}, [80, 60, 20], id="goalposts_reversed"),
        pytest.param("goalposts", 1, {"gposts": (0, 2, 100)}, [50, 100, 100], id="goalposts_truncated"),
        pytest.param("none", -1, {}, [-1, -2, -4], id="none_directed"),
    ],
)
def test_normalise(method, direction, params, expected):
    np.testing.assert_allclose(C.normalise(X, method, direction, **params), expected, atol=1e-12)


def test_prank_ties_take_the_minimum_rank():
    assert C.normalise(np.array([1.0, 1.0, 3.0, np.nan]), "prank").tolist()[:3] == [0.0, 0.0, 1.0]


def test_no_spread_gives_nan_as_coinr():
    assert np.isnan(C.normalise(np.array([2.0, 2.0]), "minmax")).all()


def test_unknown_normalisation():
    with pytest.raises(ValueError, match="unknown normalisation 'maxmin'"):
        C.normalise(X, "maxmin")


# ------------------------------------------------------------------------------------------ aggregation


@pytest.mark.parametrize(
    ("values", "weights", "method", "expected"),
    [
        pytest.param([[1, 3]], [1, 1], "amean", [2.0], id="amean"),
        pytest.param([[1, 3]], [3, 1], "amean", [1.5], id="amean_weighted"),
        pytest.param([[np.nan, 3]], [3, 1], "amean", [3.0], id="amean_missing_skipped"),
        pytest.param([[1, 4]], [1, 1], "gmean", [2.0], id="gmean"),
        pytest.param([[2, 6]], [1, 1], "hmean", [3.0], id="hmean"),
        pytest.param([[1, 7]], [1, 1], "genmean", [5.0], id="genmean_p2"),
        pytest.param([[np.nan, np.nan]], [1, 1], "amean", [np.nan], id="all_missing"),
    ],
)
def test_aggregate_rows(values, weights, method, expected):
    np.testing.assert_allclose(C.aggregate_rows(np.array(values, dtype=float), weights, method), expected)


def test_generalised_mean_p_minus_one_is_the_harmonic_mean():
    v = np.array([[2.0, 6.0]])
    assert C.aggregate_rows(v, [1, 1], "genmean", p=-1) == pytest.approx(C.aggregate_rows(v, [1, 1], "hmean"))


@pytest.mark.parametrize("method", ["gmean", "hmean"])
def test_means_outside_their_domain_raise(method):
    with pytest.raises(ValueError, match="zero"):
        C.aggregate_rows(np.array([[0.0, 1.0]]), [1, 1], method)


def test_copeland_counts_wins_minus_losses():
    # unit 1 beats both; units 2 and 3 win one indicator each (a tie, 0.5)
    values = np.array([[3.0, 3.0], [2.0, 1.0], [1.0, 2.0]])
    assert C.aggregate_copeland(values, [1, 1]).tolist() == [2.0, -1.0, -1.0]
    # with unequal weights unit 2 now beats unit 3
    assert C.aggregate_copeland(values, [2, 1]).tolist() == [2.0, 0.0, -2.0]


def _hierarchy() -> C.Hierarchy:
    meta = pd.DataFrame(
        {
            "Level": [1, 1, 1, 2, 2, 3],
            "Parent": ["P1", "P1", "P2", "I", "I", None],
            "Weight": [1.0, 3.0, 1.0, 1.0, 1.0, 1.0],
            "Direction": [1, 1, 1, 1, 1, 1],
        },
        index=["a", "b", "c", "P1", "P2", "I"],
    )
    return C.Hierarchy(meta)


def test_aggregate_hierarchy_three_levels():
    norm = pd.DataFrame({"a": [100.0, 0.0], "b": [0.0, np.nan], "c": [50.0, 40.0]})
    out = C.aggregate_hierarchy(norm, _hierarchy())
    assert out["P1"].tolist() == [25.0, 0.0]  # (1·100 + 3·0)/4; unit 2: b missing, a alone
    assert out["P2"].tolist() == [50.0, 40.0]
    assert out["I"].tolist() == [37.5, 20.0]


def test_aggregate_hierarchy_one_method_per_level():
    norm = pd.DataFrame({"a": [100.0], "b": [100.0], "c": [25.0]})
    out = C.aggregate_hierarchy(norm, _hierarchy(), ["amean", "gmean"])
    assert out["I"].tolist() == pytest.approx([50.0])


def test_ranks_competition_style():
    r = C.ranks(pd.DataFrame({"s": [70.0, 90.0, 70.0, np.nan]}))
    assert r["s"].tolist() == [2, 1, 2, pd.NA]


# ------------------------------------------------------------------------------------------ weights, PCA


def test_pca_of_two_perfectly_correlated_columns():
    data = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 4.0, 6.0, 8.0]})
    res = C.pca(data)
    np.testing.assert_allclose(res["loadings"]["PC1"], [1 / np.sqrt(2)] * 2)
    assert res["explained"]["PC1"] == pytest.approx(1.0)


def test_pca_weights_per_parent_group():
    h = _hierarchy()
    scores = pd.DataFrame({"a": [1.0, 2.0, 3.0, 5.0], "b": [1.0, 2.0, 3.0, 5.0], "c": [4.0, 1.0, 2.0, 0.0]})
    w = C.pca_weights(scores, h, level=1)
    assert w["a"] == pytest.approx(1 / np.sqrt(2)) and w["b"] == pytest.approx(1 / np.sqrt(2))
    assert w["c"] == 1.0  # alone under P2: keeps its weight
    assert w["P1"] == 1.0


def test_optimised_weights_balance_the_correlations():
    rng = np.random.default_rng(1)
    base = rng.normal(size=60)
    # P2 has the larger spread: with equal weights it correlates more with the index (0.77 against 0.70)
    norm = pd.DataFrame(
        {"a": base + 0.1 * rng.normal(size=60), "b": base, "c": 0.2 * base + rng.normal(size=60)}
    )
    h = _hierarchy()
    weights, table = C.optimise_weights(norm, h, level=2)
    equal = C.aggregate_hierarchy(norm, h)
    before = np.array([equal["P1"].corr(equal["I"]), equal["P2"].corr(equal["I"])])
    before = before / before.sum()
    assert abs(before - 0.5).max() > 0.02
    assert table["obtained"].tolist() == pytest.approx([0.5, 0.5], abs=1e-3)
    assert weights["P1"] > weights["P2"]  # the less influential sub-index gets more weight
    assert weights["P1"] + weights["P2"] == pytest.approx(1.0)


# ------------------------------------------------------------------------------------------ correlations


def test_level_correlations_cover_every_level_pair():
    scores = C.aggregate_hierarchy(
        pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 1.0, 4.0, 3.0], "c": [4.0, 3.0, 2.0, 0.0]}),
        _hierarchy(),
    )
    table = C.level_correlations(scores, _hierarchy())
    pairs = set(zip(table["level_a"], table["level_b"], strict=True))
    assert pairs == {(1, 1), (1, 2), (1, 3), (2, 2), (2, 3)}  # level 3 has one code: no pair with itself
    row = table[(table["code_a"] == "a") & (table["code_b"] == "c")].iloc[0]
    assert row["correlation"] == pytest.approx(scores["a"].corr(scores["c"]))
    parent = table[(table["code_a"] == "c") & (table["code_b"] == "P2")].iloc[0]
    assert bool(parent["is_parent"]) and parent["correlation"] == pytest.approx(1.0)
    assert not table[(table["code_a"] == "c") & (table["code_b"] == "P1")]["is_parent"].iloc[0]


def test_denominator_correlations():
    scores = pd.DataFrame({"I": [1.0, 2.0, 3.0, 4.0]})
    dens = pd.DataFrame({"households": [10.0, 20.0, 30.0, np.nan], "area": [4.0, 3.0, 2.0, 1.0]})
    table = C.denominator_correlations(scores, dens, "spearman")
    assert table["correlation"].tolist() == pytest.approx([1.0, -1.0])
    assert table["n"].tolist() == [3, 4]


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_level_and_denominator_correlations_match_pandas_pairwise(method):
    """The engine's pair correlations (ranks reused where no column has a gap) equal pandas'
    ``Series.corr`` on the pairwise complete rows, gaps, ties and a constant column included."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.integers(0, 5, (40, 4)).astype(float), columns=["a", "b", "c", "top"])
    frame.loc[[1, 7, 9], "b"] = np.nan
    frame["c"] = 2.0  # no spread: no correlation
    meta = pd.DataFrame(
        {"Level": [1, 1, 1, 2], "Parent": ["top", "top", "top", None], "Weight": 1.0, "Direction": 1},
        index=["a", "b", "c", "top"],
    )
    got = C.level_correlations(frame, C.Hierarchy(meta), method).set_index(["code_a", "code_b"])
    for (a, b), row in got.iterrows():
        both = frame[[a, b]].dropna()
        expected = both[a].corr(both[b], method=method)
        assert row["n"] == len(both)
        assert (np.isnan(expected) and np.isnan(row["correlation"])) or row["correlation"] == pytest.approx(
            expected, abs=1e-12
        )
    dens = C.denominator_correlations(frame[["a", "b"]], frame[["top"]], method)
    both = frame[["b", "top"]].dropna()
    assert dens.set_index("code").at["b", "correlation"] == pytest.approx(
        both["b"].corr(both["top"], method=method), abs=1e-12
    )
