"""The index at scale: batched Monte Carlo and vectorised tables give exactly the results of the
straightforward implementations they replaced (kept below as ``_reference_*``, verbatim apart from names),
and the Monte Carlo's memory is bounded by ``batch_memory_mb`` rather than by runs × RTs × indicators."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from analysis.core.errors import ConfigError
from analysis.evaluate.principles import (
    PRINCIPLES,
    STATUS_INSUFFICIENT,
    STATUS_SCORED,
    IndexOptions,
    Settings,
    assign_category,
    competition_ranks,
    evaluate_principles,
    load_framework,
    normalise_minmax,
    normalise_rank,
    rank_intervals,
    runs_per_batch,
    score_period,
    screen_units,
    simulate_rank_intervals,
    simulate_ranks,
)
from analysis.evaluate.principles import methods as methods_module
from analysis.evaluate.principles.evaluate import (
    SIDE_STRENGTH,
    SIDE_WEAKNESS,
    build_indicator_table,
    build_strengths_weaknesses,
    indicator_contributions,
)
from analysis.evaluate.principles.framework import DEFAULT_FRAMEWORK_PATH
from analysis.evaluate.principles.indicators import compute_ordinal

PERIOD = "2025-TW3"

# ------------------------------------------------------------------------------------------ references
# The implementations before the index was made to scale (per-RT loops, all runs held at once).


def _reference_simulate_ranks(normalised, indicator_principle, indicator_weights, principle_weights,
                              unit_groups, settings, seed):  # fmt: skip
    from analysis.evaluate.principles.uncertainty import draw_weights

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
        for start in range(0, runs.size, 200):
            sel = runs[start : start + 200]
            w = w_ind[sel][:, :, None] * incidence[None, :, :]
            num = np.matmul(filled[None, :, :], w)
            den = np.matmul(mask[None, :, :], w)
            with np.errstate(invalid="ignore", divide="ignore"):
                pscore = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
            arith = np.einsum("rnp,rp->rn", pscore, v_princ[sel])
            logs = np.log(np.maximum(pscore, settings.geometric_floor))
            geo = np.exp(np.einsum("rnp,rp->rn", logs, v_princ[sel]))
            index[sel] = np.where(is_geo[sel][:, None], geo, arith)
    index = np.where(np.isnan(index), -np.inf, index)
    ranks = stats.rankdata(-index, axis=1, method="min").astype(np.int32)
    group_ranks = np.empty_like(ranks)
    for g in np.unique(unit_groups):
        cols = np.flatnonzero(unit_groups == g)
        group_ranks[:, cols] = stats.rankdata(-index[:, cols], axis=1, method="min").astype(np.int32)
    return ranks, group_ranks


def _reference_screen_units(values, applicable, framework, has_report):
    s = framework.settings
    available = values.notna() & applicable
    n_app = applicable.sum(axis=1).astype(int)
    n_val = available.sum(axis=1).astype(int)
    coverage = (n_val / n_app.where(n_app > 0)).astype(float)
    per_principle = pd.DataFrame(
        {p: available[[i.code for i in framework.by_principle(p)]].sum(axis=1) for p in PRINCIPLES}
    )
    reasons = []
    for rt in values.index:
        why = []
        if not bool(has_report.loc[rt]):
            why.append("tidak ada laporan RT untuk periode ini")
        cov = coverage.loc[rt]
        if np.isnan(cov) or cov < s.min_coverage - 1e-12:
            why.append(
                f"cakupan data {0 if np.isnan(cov) else cov:.0%} < {s.min_coverage:.0%} "
                f"({n_val.loc[rt]} dari {n_app.loc[rt]} indikator)"
            )
        short = [p for p in PRINCIPLES if per_principle.loc[rt, p] < s.min_indicators_per_principle]
        if short:
            why.append("prinsip tanpa indikator cukup: " + ", ".join(short))
        reasons.append("; ".join(why))
    reason = pd.Series(reasons, index=values.index, dtype="str")
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


def _reference_indicator_table(sc):
    state_arr = np.where(
        ~sc.applicable.to_numpy(), "not_applicable", np.where(sc.raw.isna().to_numpy(), "missing", "ok")
    )
    states = pd.DataFrame(state_arr, index=sc.raw.index, columns=sc.raw.columns)
    norm = sc.normalised.reindex(sc.raw.index)
    contrib = indicator_contributions(sc.normalised, sc.principles, sc.index, sc.framework)
    contrib = {k: v.reindex(sc.raw.index) for k, v in contrib.items()}
    medians = sc.normalised.median(axis=0, skipna=True)
    total_w = sum(sc.framework.principle_weights.values())
    frames = []
    for ind in sc.framework.indicators:
        c = ind.code
        frames.append(
            pd.DataFrame(
                {
                    "rt_code": sc.raw.index,
                    "indicator": c,
                    "indicator_name": ind.name,
                    "principle": ind.principle,
                    "direction": "positif" if ind.direction == 1 else "negatif",
                    "unit": ind.unit,
                    "state": states[c].to_numpy(),
                    "raw_value": sc.raw[c].to_numpy(float),
                    "is_imputed": sc.imputed[c].to_numpy(bool),
                    "value_used": sc.used[c].to_numpy(float),
                    "normalised_value": norm[c].to_numpy(float),
                    "median_normalised_all": float(medians.get(c, np.nan)),
                    "weight_nominal": ind.weight,
                    "principle_weight_share": sc.framework.principle_weights[ind.principle] / total_w,
                    "weight": contrib["weight"][c].to_numpy(float),
                    "contribution_principle": contrib["contribution_principle"][c].to_numpy(float),
                    "contribution_index": contrib["contribution_index"][c].to_numpy(float),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["value_used"] = np.where(out["state"] == "not_applicable", np.nan, out["value_used"])
    out["is_imputed"] = out["is_imputed"].astype("boolean")
    for col in ("rt_code", "indicator", "indicator_name", "principle", "direction", "unit", "state"):
        out[col] = out[col].astype("str")
    return out.sort_values(["rt_code", "indicator"], kind="stable").reset_index(drop=True)


def _reference_strengths_weaknesses(sc):
    n = sc.framework.settings.n_strengths
    cols = ["rt_code", "side", "position", "indicator", "indicator_name", "principle", "raw_value",
            "normalised_value", "median_normalised_all", "difference"]  # fmt: skip
    if n == 0 or sc.normalised.empty:
        return pd.DataFrame(columns=cols).astype({"position": "int64"})
    meta = {i.code: i for i in sc.framework.indicators}
    medians = sc.normalised.median(axis=0, skipna=True)
    long = sc.normalised.stack().rename("normalised_value").reset_index()
    long.columns = ["rt_code", "indicator", "normalised_value"]
    imputed = sc.imputed.stack()
    long = long[
        ~imputed.reindex(pd.MultiIndex.from_frame(long[["rt_code", "indicator"]]))
        .fillna(False)
        .to_numpy(bool)
    ]
    long["median_normalised_all"] = long["indicator"].map(medians)
    long["difference"] = long["normalised_value"] - long["median_normalised_all"]
    long["raw_value"] = [sc.used.at[r, c] for r, c in zip(long["rt_code"], long["indicator"], strict=True)]
    long["indicator_name"] = long["indicator"].map(lambda c: meta[c].name)
    long["principle"] = long["indicator"].map(lambda c: meta[c].principle)
    strong = long[long["difference"] > 0].sort_values(
        ["rt_code", "difference", "indicator"], ascending=[True, False, True]
    )
    weak = long[long["difference"] < 0].sort_values(
        ["rt_code", "difference", "indicator"], ascending=[True, True, True]
    )
    parts = []
    for side, frame in ((SIDE_STRENGTH, strong), (SIDE_WEAKNESS, weak)):
        top = frame.groupby("rt_code", sort=False).head(n).copy()
        top["side"] = side
        top["position"] = top.groupby("rt_code").cumcount() + 1
        parts.append(top)
    out = pd.concat(parts, ignore_index=True)[cols]
    out = out.sort_values(["rt_code", "side", "position"], kind="stable").reset_index(drop=True)
    return out.astype({"rt_code": "str", "side": "str", "indicator": "str", "indicator_name": "str",
                       "principle": "str", "position": "int64"})  # fmt: skip


# ------------------------------------------------------------------------------------------ inputs


def _mc_inputs(n_units: int, seed: int, ties: bool):
    """15 indicators in 4 principles, some cells missing, some RTs without any value (rank last)."""
    rng = np.random.default_rng(seed)
    principle = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3])
    k = principle.size
    raw = rng.uniform(0, 100, size=(n_units, k))
    if ties:
        raw = raw.round(-1)
    raw[rng.random((n_units, k)) < 0.15] = np.nan
    first = [0, 3, 7, 12]
    raw[:, first] = np.where(np.isnan(raw[:, first]), 50.0, raw[:, first])
    raw[::37] = np.nan
    matrices = {
        "goalposts": raw,
        "minmax": np.column_stack([normalise_minmax(raw[:, j]) for j in range(k)]),
        "rank": np.column_stack([normalise_rank(raw[:, j]) for j in range(k)]),
        "zscore": raw / 3.0 + 7.0,
    }
    groups = np.where(rng.random(n_units) < 0.3, "True", "False")
    weights = rng.uniform(0.5, 2.0, k)
    return matrices, principle, weights, np.array([1.0, 2.0, 1.0, 1.5]), groups


def random_city(n: int, seed: int, period: str = PERIOD) -> dict[str, pd.DataFrame]:
    """Cleaned tables of ``n`` RTs in 6 kelurahan with gaps, ties (many yes/no and equal values), RTs
    without a report and a survey of some RTs: enough to exercise screening, imputation, strengths."""
    rng = np.random.default_rng(seed)
    kel = np.array([f"15.71.0{1 + k % 3}.10{k:02d}" for k in range(6)])[rng.integers(0, 6, n)]
    codes = np.array([f"{k}.{i:03d}" for i, k in enumerate(kel, start=1)])
    kk = rng.integers(40, 400, n)

    def gaps(values, share, dtype):
        arr = pd.array(values, dtype=dtype)
        arr[rng.random(n) < share] = pd.NA
        return arr

    registry = pd.DataFrame(
        {
            "rt_code": codes,
            "kelurahan_code": kel,
            "kelurahan_name": kel,
            "kecamatan_code": [k[:8] for k in kel],
            "kecamatan_name": [k[:8] for k in kel],
            "rw": pd.array([pd.NA] * n, dtype="Int64"),
            "rt_number": pd.array(np.arange(1, n + 1), dtype="Int64"),
            "households_kk": pd.array(kk, dtype="Int64"),
            "residents": pd.array(kk * 4, dtype="Int64"),
            "is_kampung_bahagia": pd.array(np.ones(n, bool), dtype="boolean"),
            "start_year": pd.array(np.where(rng.random(n) < 0.5, 2025, 2026), dtype="Int64"),
        }
    )
    registry["is_pilot"] = (registry["start_year"] == 2025).astype("boolean")
    reporting = rng.random(n) < 0.93
    m = int(reporting.sum())
    planned = rng.integers(0, 6, n)
    findings = rng.integers(0, 3, n)
    complaints = rng.integers(0, 4, n)
    total = rng.integers(0, 80, n)
    deadline = pd.Timestamp("2025-09-15")
    rep = pd.DataFrame(
        {
            "period": period,
            "rt_code": codes,
            "kelurahan_code": kel,
            "budget_allocated_idr": np.where(rng.random(n) < 0.05, 0.0, 100_000_000.0),
            "budget_spent_idr": (rng.integers(0, 11, n) * 10_000_000).astype(float),
            "swadaya_idr": (rng.integers(0, 5, n) * 5_000_000).astype(float),
            "activities_planned": gaps(planned, 0.05, "Int64"),
            "activities_completed": gaps(np.minimum(planned, rng.integers(0, 6, n)), 0.05, "Int64"),
            "meetings_held": pd.array(rng.integers(0, 4, n), dtype="Int64"),
            "households_at_meetings": gaps((kk * rng.integers(0, 8, n)) // 10, 0.1, "Int64"),
            "participants_women": gaps(total // rng.integers(1, 4, n), 0.1, "Int64"),
            "participants_total": pd.array(total, dtype="Int64"),
            "has_info_board": gaps(rng.random(n) < 0.6, 0.1, "boolean"),
            "is_spending_announced": gaps(rng.random(n) < 0.6, 0.1, "boolean"),
            "lpj_submitted_date": (deadline + pd.to_timedelta(rng.integers(-5, 40, n), unit="D")).where(
                rng.random(n) < 0.8
            ),
            "lpj_deadline_date": deadline,
            "audit_findings": pd.array(findings, dtype="Int64"),
            "audit_findings_followed_up": pd.array(
                np.minimum(findings, rng.integers(0, 3, n)), dtype="Int64"
            ),
            "complaints_received": pd.array(complaints, dtype="Int64"),
            "complaints_resolved": pd.array(np.minimum(complaints, rng.integers(0, 4, n)), dtype="Int64"),
            "asset_status": pd.array(
                rng.choice(["berfungsi_penuh", "sebagian", "tidak_berfungsi", "belum_ada"], n), dtype="str"
            ),
            "has_maintenance_plan": gaps(rng.random(n) < 0.5, 0.15, "boolean"),
            "note": "",
            "is_overspent": pd.array(np.zeros(n, bool), dtype="boolean"),
            "source_file": "laporan.csv",
            "source_sheet": "",
            "source_row": pd.array(np.arange(n) + 2, dtype="Int64"),
        }
    )[reporting]
    rep["asset_status"] = rep["asset_status"].where(rng.random(m) < 0.95)
    for col in ("lpj_submitted_date", "lpj_deadline_date"):
        rep[col] = rep[col].astype("datetime64[us]")
    surveyed = codes[rng.random(n) < 0.4]
    resp = np.repeat(surveyed, 3)
    survey = pd.DataFrame(
        {"period": period, "rt_code": resp}
        | {
            item: pd.array(rng.integers(1, 6, resp.size), dtype="Int64")
            for item in ("t1", "t2", "p1", "p2", "a1", "a2", "s1", "s2")
        }  # fmt: skip
    )
    return {"rt_registry": registry, "rt_reports": rep.reset_index(drop=True), "survey": survey}


@pytest.fixture(scope="module")
def city_scores():
    """Scores of a 400-RT random city under three settings (none / kelurahan-median imputation, and 20
    strengths, more than there are indicators)."""
    tables = random_city(400, seed=11)
    base = load_framework()
    out = {}
    for name, options in (
        ("plain", IndexOptions(n_runs=20)),
        ("imputed", IndexOptions(n_runs=20, imputation="kelurahan_median", min_coverage=0.5)),
        ("many_strengths", IndexOptions(n_runs=0, n_strengths=20)),
    ):
        out[name] = score_period(tables, PERIOD, base.with_options(options), seed=5)
    return out


# ------------------------------------------------------------------------------------------ Monte Carlo


@pytest.mark.parametrize(
    ("n_units", "settings", "ties"),
    [
        pytest.param(300, Settings(n_runs=200), False, id="300rts_200runs"),
        pytest.param(300, Settings(n_runs=200), True, id="300rts_200runs_ties"),
        pytest.param(
            257,
            Settings(
                n_runs=130,
                weight_scheme="dirichlet",
                uncertainty_normalisations=("goalposts", "minmax", "rank", "zscore"),
                geometric_floor=5.0,
            ),
            True,
            id="dirichlet_four_normalisations",
        ),
        pytest.param(
            120, Settings(n_runs=60, uncertainty_aggregations=("geometric",)), False, id="geometric_only"
        ),
    ],
)
def test_batched_monte_carlo_equals_the_unbatched_reference(n_units, settings, ties):
    matrices, principle, w, wp, groups = _mc_inputs(n_units, seed=n_units, ties=ties)
    ref_ranks, ref_group = _reference_simulate_ranks(matrices, principle, w, wp, groups, settings, 20250623)
    ref_overall, ref_within = rank_intervals(ref_ranks), rank_intervals(ref_group)
    for batch_runs in (1, 7, settings.n_runs):
        sim = simulate_ranks(matrices, principle, w, wp, groups, settings, 20250623, batch_runs=batch_runs)
        np.testing.assert_array_equal(sim.ranks, ref_ranks)
        np.testing.assert_array_equal(sim.group_ranks, ref_group)
        summary = simulate_rank_intervals(
            matrices, principle, w, wp, groups, settings, 20250623, batch_runs=batch_runs
        )
        for key in ("median", "low", "high"):
            np.testing.assert_array_equal(getattr(summary, key), ref_overall[key])
            np.testing.assert_array_equal(getattr(summary, f"group_{key}"), ref_within[key])
        assert list(summary.normalisation) == list(sim.normalisation)


def test_one_group_reuses_the_overall_intervals():
    matrices, principle, w, wp, _ = _mc_inputs(90, seed=3, ties=True)
    groups = np.full(90, "True")
    settings = Settings(n_runs=40)
    ref_ranks, ref_group = _reference_simulate_ranks(matrices, principle, w, wp, groups, settings, 9)
    np.testing.assert_array_equal(ref_ranks, ref_group)
    summary = simulate_rank_intervals(matrices, principle, w, wp, groups, settings, 9, batch_runs=3)
    np.testing.assert_array_equal(summary.group_high, rank_intervals(ref_group)["high"])
    np.testing.assert_array_equal(summary.median, rank_intervals(ref_ranks)["median"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_competition_ranks_match_scipy_min_ranks(seed):
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 20, size=(6, 500)).astype(float)
    keys[:, ::11] = np.inf  # units without a score share the last rank
    keys[0] = 3.0  # everyone tied
    keys[1, :5] = [-0.0, 0.0, -0.0, 0.0, -1.0]  # signed zeros are equal
    expected = stats.rankdata(keys, axis=1, method="min")
    np.testing.assert_array_equal(competition_ranks(keys), expected)
    assert competition_ranks(keys).dtype == np.int32


def test_rank_intervals_in_blocks_equal_one_percentile_call(monkeypatch):
    rng = np.random.default_rng(4)
    ranks = rng.integers(1, 1000, size=(101, 1000)).astype(np.int32)
    expected = np.percentile(ranks.astype(float), [50.0, 5.0, 95.0], axis=0)
    monkeypatch.setattr(methods_module, "INTERVAL_BLOCK", 7)
    got = rank_intervals(ranks)
    for k, key in enumerate(("median", "low", "high")):
        np.testing.assert_array_equal(got[key], expected[k])


def test_runs_per_batch_follows_the_memory_budget():
    # 16,500 RTs × 112 bytes per run = 1.76 MiB per run
    assert runs_per_batch(16_500, 256) == 145
    assert runs_per_batch(16_500, 512) == 290
    assert runs_per_batch(165_000, 1) == 1  # never fewer than one run
    assert runs_per_batch(0, 256) >= 1


def test_monte_carlo_memory_is_bounded_by_the_batch_budget_not_by_runs():
    """Traced numpy memory of the whole simulation: the int32 ranks (runs × RTs × 4 bytes) plus the
    zero-filled copies of the inputs, plus about one batch; the old code held runs × RTs float64 index
    values and ranked them all at once (about 5 × the ranks)."""
    n_units, n_runs, budget_mb = 20_000, 100, 4
    matrices, principle, w, wp, groups = _mc_inputs(n_units, seed=8, ties=False)
    settings = Settings(n_runs=n_runs, batch_memory_mb=budget_mb)
    ranks_mb = n_runs * n_units * 4 / 2**20  # 7.6 MB
    inputs_mb = sum(2 * m.nbytes for m in matrices.values()) / 2**20  # filled + mask: 19.5 MB
    tracemalloc.start()
    try:
        simulate_rank_intervals(matrices, principle, w, wp, groups, settings, seed=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    bound = ranks_mb + inputs_mb + 2 * budget_mb + 4  # + a percentile block and small arrays
    assert peak / 2**20 < bound, f"peak {peak / 2**20:.1f} MB >= {bound:.1f} MB"


# ------------------------------------------------------------------------------------------ settings


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(0, id="zero"),
        pytest.param(-5, id="negative"),
        pytest.param("256MB", id="text"),
        pytest.param(True, id="boolean"),
        pytest.param(float("inf"), id="infinite"),
    ],
)
def test_batch_memory_setting_rejects_bad_values(tmp_path, value):
    data = yaml.safe_load(DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8"))
    data["settings"]["uncertainty"]["batch_memory_mb"] = value
    path = tmp_path / "framework.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"framework\.yml: settings\.uncertainty\.batch_memory_mb: must"):
        load_framework(path)
    with pytest.raises(ConfigError, match="batch_memory_mb"):
        load_framework().with_options(IndexOptions(batch_memory_mb=value))


def test_shipped_batch_memory_setting_and_override():
    fw = load_framework()
    assert fw.settings.batch_memory_mb == 256
    assert fw.with_options(IndexOptions(batch_memory_mb=16)).settings.batch_memory_mb == 16


def test_batch_memory_changes_no_published_table():
    tables = random_city(150, seed=2)
    default = evaluate_principles(tables, PERIOD, options=IndexOptions(n_runs=60))
    tiny = evaluate_principles(tables, PERIOD, options=IndexOptions(n_runs=60, batch_memory_mb=0.01))
    assert default.keys() == tiny.keys()
    for name in default:
        pd.testing.assert_frame_equal(default[name], tiny[name], check_exact=True)
    assert default["rt_index"]["rank_p95"].notna().sum() > 100


# ------------------------------------------------------------------------------------------ tables


@pytest.mark.parametrize("case", ["plain", "imputed", "many_strengths"])
def test_vectorised_tables_equal_the_reference(city_scores, case):
    sc = city_scores[case]
    assert 0 < (sc.screening["status"] == STATUS_SCORED).sum() < len(sc.rt)  # both statuses occur
    pd.testing.assert_frame_equal(
        screen_units(sc.raw, sc.applicable, sc.framework, sc.rt["has_report"]),
        _reference_screen_units(sc.raw, sc.applicable, sc.framework, sc.rt["has_report"]),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(build_indicator_table(sc), _reference_indicator_table(sc), check_exact=True)
    got = build_strengths_weaknesses(sc)
    pd.testing.assert_frame_equal(got, _reference_strengths_weaknesses(sc), check_exact=True)
    assert set(got["side"]) == {SIDE_STRENGTH, SIDE_WEAKNESS}
    if case == "imputed":
        assert sc.imputed.to_numpy().any()


def test_screening_reasons_of_every_kind(city_scores):
    reasons = city_scores["plain"].screening["status_reason"]
    assert reasons.str.contains("tidak ada laporan RT").any()
    assert reasons.str.contains("cakupan data").any()


def test_strengths_when_nothing_differs_from_the_median(city_scores):
    sc = city_scores["plain"]
    flat = sc.normalised.copy()
    flat.loc[:, :] = 50.0
    sc_flat = type(sc)(**{**sc.__dict__, "normalised": flat})
    got = build_strengths_weaknesses(sc_flat)
    pd.testing.assert_frame_equal(got, _reference_strengths_weaknesses(sc_flat), check_exact=True)
    assert got.empty


def test_assign_category_vectorised_matches_the_loop():
    thresholds = [(80.0, "Baik Sekali"), (65.0, "Baik"), (50.0, "Cukup"), (0.0, "Kurang")]
    scores = np.array([100.0, 80.0, 79.999, 65.0, 50.0, 49.9, 0.0, -0.1, np.nan])
    expected = []
    for score in scores:
        label = None
        if not np.isnan(score):
            label = next((name for minimum, name in thresholds if score >= minimum), None)
        expected.append(label)
    assert assign_category(scores, thresholds) == expected
    assert assign_category(np.array([]), thresholds) == []


def test_compute_ordinal_maps_categories_and_not_applicable():
    ind = next(i for i in load_framework().indicators if i.compute.kind == "ordinal")
    rt = pd.DataFrame(
        {
            "asset_status": pd.array(
                [
                    "sebagian",
                    None,
                    "belum_ada",
                    "berfungsi_penuh",
                    "tidak_berfungsi",
                    "belum_ada",
                    "belum_ada",
                ],
                dtype="str",
            ),
            # "belum ada" is pending (n/a) only while nothing is completed; then it scores 0; unknown: missing
            "activities_completed": pd.array([1, 1, 0, 2, 3, 2, None], dtype="Int64"),
        }  # fmt: skip
    )
    value, applicable = compute_ordinal(rt, ind)
    np.testing.assert_array_equal(value, [0.5, np.nan, np.nan, 1.0, 0.0, 0.0, np.nan])
    assert applicable.tolist() == [True, True, False, True, True, True, True]


def test_shipped_framework_scores_are_the_old_functions_bit_for_bit(city_scores):
    # The shipped framework (goalposts, arithmetic) must give exactly what the functions of
    # analysis.evaluate.principles.methods gave before the engine's methods became selectable.
    from analysis.evaluate.principles import methods
    from analysis.evaluate.principles.framework import PRINCIPLES

    sc = city_scores["plain"]
    fw = sc.framework
    used = sc.used[sc.screening["status"] == "dinilai"]
    for ind in fw.indicators:
        expected = methods.normalise_goalposts(
            used[ind.code].to_numpy(float), ind.goalpost_low, ind.goalpost_high, ind.direction
        )
        np.testing.assert_array_equal(sc.normalised[ind.code].to_numpy(float), expected)
    for p in PRINCIPLES:
        expected = methods.weighted_mean_available(
            sc.normalised[[i.code for i in fw.by_principle(p)]].to_numpy(float),
            np.array([i.weight for i in fw.by_principle(p)]),
        )
        np.testing.assert_array_equal(sc.principles[p].to_numpy(float), expected)
    index = methods.aggregate_arithmetic(
        sc.principles[list(PRINCIPLES)].to_numpy(float), [fw.principle_weights[p] for p in PRINCIPLES]
    )
    np.testing.assert_array_equal(sc.index.to_numpy(float), index)
