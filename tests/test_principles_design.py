"""Indicator design (issue 12 item 5) and the Monte Carlo's variations and sensitivity indices (item 7),
each rule with its input and expected output side by side."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.core.errors import ConfigError
from analysis.evaluate.principles import IndexOptions, Settings, evaluate_principles, load_framework
from analysis.evaluate.principles.audit import size_checks
from analysis.evaluate.principles.framework import DEFAULT_FRAMEWORK_PATH
from analysis.evaluate.principles.indicators import compute_ratio, without_count_rules
from analysis.evaluate.principles.uncertainty import (
    Variations,
    simulate_rank_intervals,
    simulate_ranks,
    sobol_indices,
)
from analysis.publish.content import index_tables, messages
from analysis.publish.scorecards import data as scorecard_data

SHIPPED = load_framework(DEFAULT_FRAMEWORK_PATH)

# the tiny inline tables of test_principles_index (imported by path: pytest runs with --import-mode=importlib)
_spec = importlib.util.spec_from_file_location(
    "_tiny_index", Path(__file__).with_name("test_principles_index.py")
)
_tiny = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tiny)
PERIOD, TINY_INDICATORS, registry, reports, rt, write_framework = (
    _tiny.PERIOD, _tiny.TINY_INDICATORS, _tiny.registry, _tiny.reports, _tiny.rt, _tiny.write_framework
)  # fmt: skip


def _indicator(code):
    return next(i for i in SHIPPED.indicators if i.code == code)


# ------------------------------------------------------------------------------ zero counts are no pass


@pytest.mark.parametrize(
    ("received", "resolved", "expected"),
    [
        pytest.param(0, 0, 0.5, id="zero_complaints_score_the_prior_not_a_pass"),
        pytest.param(1, 1, (1 + 0.5 * 2) / 3, id="one_of_one_topped_up_to_three"),
        pytest.param(2, 2, (2 + 0.5) / 3, id="two_of_two"),
        pytest.param(1, 0, (0 + 0.5 * 2) / 3, id="one_unresolved"),
        pytest.param(3, 3, 1.0, id="three_or_more_plain_share"),
        pytest.param(10, 7, 0.7, id="ten_received_seven_resolved"),
    ],
)
def test_complaints_small_count_minimum(received, resolved, expected):
    rt_frame = pd.DataFrame(
        {
            "complaints_received": pd.array([received], dtype="Int64"),
            "complaints_resolved": pd.array([resolved], dtype="Int64"),
        }
    )
    value, applicable = compute_ratio(rt_frame, _indicator("A4_aduan_diselesaikan"))
    assert applicable.tolist() == [True]
    assert value[0] == pytest.approx(expected)


def test_zero_complaints_and_findings_do_not_beat_resolving_them():
    """An RT with no complaints and no findings scores below one that resolved 3 of 3 (it was exempt before)."""
    quiet = {"rt_code": rt(1), "complaints_received": 0, "complaints_resolved": 0,
             "audit_findings": 0, "audit_findings_followed_up": 0}  # fmt: skip
    busy = {"rt_code": rt(2), "complaints_received": 3, "complaints_resolved": 3,
            "audit_findings": 4, "audit_findings_followed_up": 4}  # fmt: skip
    tables = {"rt_registry": registry([(1, 100, 2025), (2, 100, 2025)]), "rt_reports": reports([quiet, busy])}
    out = evaluate_principles(tables, PERIOD, options=IndexOptions(n_runs=20, sensitivity_samples=0))
    ind = out["rt_index_indicators"].set_index(["rt_code", "indicator"])
    assert ind.loc[(rt(1), "A4_aduan_diselesaikan"), "state"] == "ok"
    assert ind.loc[(rt(1), "A4_aduan_diselesaikan"), "normalised_value"] == pytest.approx(50.0)
    assert ind.loc[(rt(1), "A3_temuan_ditindaklanjuti"), "normalised_value"] == pytest.approx(50.0)
    assert ind.loc[(rt(2), "A4_aduan_diselesaikan"), "normalised_value"] == pytest.approx(100.0)
    akun = out["rt_index"].set_index("rt_code")["akuntabilitas"]
    assert akun[rt(1)] < akun[rt(2)]
    # the old rule (zero counts not applicable) gave the quiet RT the same accountability as the busy one
    old = without_count_rules(SHIPPED)
    value, applicable = compute_ratio(
        pd.DataFrame(
            {
                "complaints_received": pd.array([0], dtype="Int64"),
                "complaints_resolved": pd.array([0], dtype="Int64"),
            }
        ),  # fmt: skip
        next(i for i in old.indicators if i.code == "A4_aduan_diselesaikan"),
    )
    assert applicable.tolist() == [False]


@pytest.mark.parametrize(
    ("status", "completed", "value", "applicable"),
    [
        pytest.param("belum_ada", 0, np.nan, False, id="no_asset_nothing_completed_pending"),
        pytest.param("belum_ada", 2, 0.0, True, id="no_asset_after_completed_works_scores_0"),
        pytest.param("sebagian", 2, 0.5, True, id="partly"),
    ],
)
def test_no_asset_yet_is_only_pending_while_nothing_is_completed(status, completed, value, applicable):
    from analysis.evaluate.principles.indicators import compute_ordinal

    frame = pd.DataFrame(
        {
            "asset_status": pd.array([status], dtype="str"),
            "activities_completed": pd.array([completed], dtype="Int64"),
        }  # fmt: skip
    )
    got, app = compute_ordinal(frame, _indicator("S1_aset_berfungsi"))
    np.testing.assert_array_equal(got, [value])
    assert app.tolist() == [applicable]


@pytest.mark.parametrize(
    ("compute", "message"),
    [
        pytest.param({"small_count": {"minimum": 0, "prior": 0.5}}, "minimum: must be a whole number >= 1", id="min0"),
        pytest.param({"small_count": {"minimum": 3}}, "prior: must be a number", id="no_prior"),
        pytest.param({"small_count": {"minimum": 3, "prior": 0.5}, "distance_from": 1}, "plain ratio", id="with_distance"),
    ],
)  # fmt: skip
def test_small_count_validation(tmp_path, compute, message):
    ind = {
        "code": "A_x",
        "principle": "akuntabilitas",
        "direction": "positive",
        "goalposts": {"low": 0, "high": 1},
        "compute": {
            "kind": "ratio",
            "numerator": "complaints_resolved",
            "denominator": "complaints_received",
            **compute,
        },  # fmt: skip
    }
    path = write_framework(tmp_path, [*TINY_INDICATORS, ind])
    with pytest.raises(ConfigError, match=message):
        load_framework(path)


# ------------------------------------------------------------------------------ A2: a risk, not a strength


def test_spent_little_did_little_is_not_a_strength_and_spending_ahead_is_a_weakness():
    rows = [
        {"rt_code": rt(1), "budget_spent_idr": 5e6, "activities_completed": 0},  # spent 5 %, did 0 %
        {"rt_code": rt(2), "budget_spent_idr": 90e6, "activities_completed": 1},  # spent 90 %, did 25 %
        {"rt_code": rt(3), "budget_spent_idr": 50e6, "activities_completed": 2},  # in step
        {"rt_code": rt(4), "budget_spent_idr": 80e6, "activities_completed": 1},  # 80 vs 25
    ]
    tables = {
        "rt_registry": registry([(n, 100, 2025) for n in (1, 2, 3, 4)]),
        "rt_reports": reports(rows),
    }
    out = evaluate_principles(tables, PERIOD, options=IndexOptions(n_runs=20, sensitivity_samples=0))
    ind = out["rt_index_indicators"].set_index(["rt_code", "indicator"])
    a2 = "A2_deviasi_serapan"
    assert ind.loc[(rt(1), a2), "raw_value"] == pytest.approx(5.0)  # max(0, 5 − 0)
    assert ind.loc[(rt(2), a2), "raw_value"] == pytest.approx(65.0)  # spending ahead of works
    assert ind.loc[(rt(2), a2), "normalised_value"] == pytest.approx(0.0)
    sw = out["rt_strengths_weaknesses"]
    strengths = sw[(sw["side"] == "kekuatan") & (sw["indicator"] == a2)]
    assert strengths.empty  # never a strength, although RT 1 is far above the median on A2
    weak = sw[(sw["side"] == "kelemahan") & (sw["indicator"] == a2)]
    assert rt(2) in set(weak["rt_code"])


# ------------------------------------------------------------------------------ thin principles


def test_thin_principles_carry_the_disclosed_weight_without_the_survey():
    tables = {"rt_registry": registry([(1, 100, 2025), (2, 200, 2025), (3, 50, 2025)]),
              "rt_reports": reports([{"rt_code": rt(1), "has_info_board": False},
                                     {"rt_code": rt(2)}, {"rt_code": rt(3), "participants_women": 5}])}  # fmt: skip
    out = evaluate_principles(tables, PERIOD, options=IndexOptions(n_runs=20, sensitivity_samples=0))
    settings = out["index_uncertainty_settings"].set_index("setting")["value"]
    assert settings["thin_principles"] == "transparansi, keberlanjutan"
    assert settings["principle_weights"] == (
        "transparansi: 0.5, partisipatif: 1, akuntabilitas: 1, keberlanjutan: 0.5"
    )
    idx = out["rt_index"].set_index("rt_code")
    expected = (
        0.5 * idx["transparansi"] + idx["partisipatif"] + idx["akuntabilitas"] + 0.5 * idx["keberlanjutan"]
    ) / 3
    np.testing.assert_allclose(idx["index"], expected)
    note = index_tables.weights_note(out["index_uncertainty_settings"], "en")
    assert "Transparency and Sustainability" in note and "Transparency 0.5" in note
    # with the survey, transparansi has three items (one a survey mean): nothing is reduced
    survey = pd.DataFrame([{"period": PERIOD, "rt_code": rt(i), "respondent_no": r,
                            **dict.fromkeys(("t1", "t2", "p1", "p2", "a1", "a2", "s1", "s2"), 4)}
                           for i in (1, 2, 3) for r in (1, 2, 3)])  # fmt: skip
    with_survey = evaluate_principles({**tables, "survey": survey}, PERIOD, options=IndexOptions(n_runs=0))
    values = with_survey["index_uncertainty_settings"].set_index("setting")["value"]
    assert (
        values["thin_principles"] == ""
        and index_tables.weights_note(with_survey["index_uncertainty_settings"]) == ""
    )


def test_thin_weight_factor_validation(tmp_path):
    path = write_framework(tmp_path, thin_principle_weight_factor=1.5)
    with pytest.raises(ConfigError, match="thin_principle_weight_factor: must be in"):
        load_framework(path)


# ------------------------------------------------------------------------------ self-reported, categories


def test_every_index_output_says_it_is_self_reported():
    idx = pd.DataFrame({"status": ["dinilai"], "index": [70.0], "category": ["Baik"],
                        "rank_p05": [1.0], "rank_p95": [1.0]})  # fmt: skip
    for lang, word in (("id", "dilaporkan sendiri"), ("en", "self-reported")):
        assert word in index_tables.index_summary(idx, lang)
        assert word in scorecard_data._l("note_self_report", lang)


def test_category_counts_come_with_their_rank_intervals():
    idx = pd.DataFrame(
        {
            "status": ["dinilai"] * 4 + ["data belum memadai"],
            "index": [85.0, 40.0, 30.0, 60.0, np.nan],
            "category": ["Baik Sekali", "Kurang", "Kurang", "Cukup", ""],
            "rank_p05": [1.0, 2.5, 3.0, 1.0, np.nan],
            "rank_p95": [2.0, 4.0, 4.0, 3.0, np.nan],
        }  # fmt: skip
    )
    assert index_tables.category_rank_span(idx, "Kurang", "en") == "2.5–4"
    text = messages.message_rt(idx, "en")
    assert text.endswith(
        "2 RTs are still rated Poor. The RTs rated Poor are at ranks 2.5–4 (allowing for the uncertainty of ranks)."
    )
    table = index_tables.category_table(idx, "en").data
    assert table.iloc[:, 2].tolist() == ["1–2", "—", "1–3", "2.5–4", "—"]


def test_area_categories_come_with_the_rank_intervals_of_their_rts():
    from analysis.evaluate.principles.evaluate import rollup

    rt_index = pd.DataFrame(
        {
            "kecamatan_code": ["K1", "K1", "K1", "K2"],
            "kecamatan_name": ["Satu", "Satu", "Satu", "Dua"],
            "status": ["dinilai", "dinilai", "data belum memadai", "dinilai"],
            "households_kk": [100, 300, 50, 200],
            "is_pilot": [True, True, True, False],
            **{p: [60.0, 80.0, np.nan, 40.0] for p in ("transparansi", "partisipatif", "akuntabilitas", "keberlanjutan")},
            "index": [60.0, 80.0, np.nan, 40.0],
            "rank_p05": [1.5, 1.0, np.nan, 3.0],
            "rank_p95": [3.0, 2.0, np.nan, 3.0],
        }
    )  # fmt: skip
    areas = rollup(rt_index, ["kecamatan_code", "kecamatan_name"], SHIPPED)
    k1 = areas.set_index("kecamatan_code").loc["K1"]
    # household-weighted (100*60 + 300*80)/400 = 75 -> Baik; its RTs' intervals: best p05 1, worst p95 3
    assert (k1["index"], k1["category"]) == (75.0, "Baik")
    assert (k1["rt_rank_p05_min"], k1["rt_rank_p95_max"]) == (1.0, 3.0)
    table = index_tables.area_table(areas, "en", level="kecamatan").data
    row = table.set_index(table.columns[0]).loc["Satu"]
    assert row["Category"] == "Good" and row["Ranks of its RTs (5–95% intervals)"] == "1–3"
    assert row["RT scores (lowest–highest)"] == "60–80"
    # no Monte Carlo (no intervals): the category is not shown
    bare = rollup(
        rt_index.assign(rank_p05=np.nan, rank_p95=np.nan), ["kecamatan_code", "kecamatan_name"], SHIPPED
    )
    assert index_tables.area_table(bare, "en").data["Category"].tolist() == ["—", "—"]


def test_scorecard_shows_no_category_without_its_interval():
    from types import SimpleNamespace

    base = {"index": 70.0, "category": "Baik", "rank": 2, "rank_p05": 1.0, "rank_p95": 3.0,
            "is_pilot": True, "n_in_group": 3, "rank_in_group": 1, "rank_in_group_p05": 1.0,
            "rank_in_group_p95": 2.0}  # fmt: skip
    categories = pd.DataFrame(
        {"min_score": [80.0, 65.0, 50.0, 0.0], "label": ["Baik Sekali", "Baik", "Cukup", "Kurang"]}
    )
    inputs = {
        "categories": categories,
        "strengths": pd.DataFrame({"side": [], "position": [], "indicator": []}),
        "actions": pd.DataFrame({"indicator": [], "lang": [], "action": []}),
    }
    with_rank = SimpleNamespace(rt=pd.Series(base), is_scored=True, facts={"n_scored": 3}, inputs=inputs)
    html = scorecard_data.section_summary(with_rank, "id")
    assert 'class="cat"' in html
    without = SimpleNamespace(
        rt=pd.Series({**base, "rank_p05": np.nan}), is_scored=True, facts={"n_scored": 3}, inputs=inputs
    )
    assert 'class="cat"' not in scorecard_data.section_summary(without, "id")


# ------------------------------------------------------------------------------ RT size in the audit


@pytest.mark.parametrize(
    ("scores", "flag"),
    [
        pytest.param([10.0, 20, 30, 40, 50], "bias_ukuran", id="score_rises_with_households"),
        pytest.param([30.0, 50, 10, 40, 20], "ok", id="unrelated"),
    ],
)
def test_audit_checks_scores_against_households(scores, flag):
    frame = pd.DataFrame({"transparansi": scores}, index=list("abcde"))
    kk = pd.Series([40, 80, 150, 400, 900], index=list("abcde"))
    (row,) = size_checks(frame, None, kk, 0.3)
    assert (row["check"], row["indicator_other"], row["flag"], row["n"]) == (
        "spearman_households", "households_kk", flag, 5
    )  # fmt: skip


# ------------------------------------------------------------------------------ Monte Carlo variations


def _toy():
    """4 RTs × 2 indicators in each of two principles; indicator 0 alone decides the order."""
    m = np.array([[90.0, 50, 50, 50], [60, 50, 50, 50], [30, 50, 50, 50], [0, 50, 50, 50]])
    return m, np.array([0, 0, 1, 1]), np.ones(4), np.ones(2)


def test_leave_one_out_varies_the_ranks_and_is_drawn():
    m, principle, w, wp = _toy()
    s = Settings(n_runs=400, weight_noise=0.0, uncertainty_normalisations=("goalposts",),
                 uncertainty_aggregations=("arithmetic",))  # fmt: skip
    fixed = simulate_ranks({"goalposts": m}, principle, w, wp, np.zeros(4), s, seed=3)
    assert (fixed.ranks == [1, 2, 3, 4]).all()  # nothing varied: the nominal order in every run
    loo = Variations(matrix=lambda *_: m, leave_one_out=True)
    sim = simulate_ranks(None, principle, w, wp, np.zeros(4), s, seed=3, variations=loo)
    left_out_0 = sim.choices["leave_one_out"] == "0"
    assert left_out_0.any() and (sim.choices["leave_one_out"] == "(none)").any()
    assert (sim.ranks[left_out_0] == 1).all()  # indicator 0 out: every RT ties
    assert (sim.ranks[~left_out_0] == [1, 2, 3, 4]).all()


def test_left_out_indicator_is_kept_where_it_is_the_principles_only_value():
    m = np.array([[90.0, np.nan, 50, 50], [10, 40, 50, 50]])
    s = Settings(n_runs=200, weight_noise=0.0, uncertainty_normalisations=("goalposts",),
                 uncertainty_aggregations=("arithmetic",))  # fmt: skip
    sim = simulate_ranks(None, np.array([0, 0, 1, 1]), np.ones(4), np.ones(2), np.zeros(2), s, seed=1,
                         variations=Variations(matrix=lambda *_: m, leave_one_out=True))  # fmt: skip
    out0 = sim.choices["leave_one_out"] == "0"
    # RT 1 keeps 90 in principle 0 (its only value) and RT 2 scores 40 there: RT 1 still first
    assert (sim.ranks[out0] == [1, 2]).all()


def test_every_variation_is_drawn_and_the_matrix_built_for_it():
    m, principle, w, wp = _toy()
    built = set()

    def matrix(method, imputation, goalposts, rule):
        built.add((method, imputation, goalposts, rule))
        return m if rule == "declared" else m[::-1].copy()

    s = Settings(n_runs=600, uncertainty_normalisations=("goalposts", "minmax"))
    v = Variations(matrix, imputation=("none", "kelurahan_median"), goalposts=("nominal", "lenient", "strict"),
                   rules=("declared", "missing_as_worst"))  # fmt: skip
    out = simulate_rank_intervals(None, principle, w, wp, np.zeros(4), s, seed=2, variations=v)
    assert set(out.choices["imputation"]) == {"none", "kelurahan_median"}
    assert set(out.choices["goalposts"]) == {"nominal", "lenient", "strict"}
    assert {b[2] for b in built if b[0] == "minmax"} == {"nominal"}  # goalposts only move goalposts runs
    assert len(built) == 2 * 2 * 3 + 2 * 2  # goalposts runs: 2 × 3 × 2; minmax runs: 2 × 2
    assert (out.high - out.low > 0).all()  # the reversed rule moves every RT


def test_extra_variations_off_reproduce_the_previous_monte_carlo_exactly():
    m, principle, w, wp = _toy()
    s = Settings(n_runs=300, uncertainty_normalisations=("goalposts",))
    a = simulate_ranks({"goalposts": m}, principle, w, wp, np.zeros(4), s, seed=5)
    b = simulate_ranks(None, principle, w, wp, np.zeros(4), s, seed=5, variations=Variations(lambda *_: m))
    assert (a.ranks == b.ranks).all()


def test_shipped_framework_varies_every_choice_and_writes_the_sensitivity_table():
    reg = registry([(n, 40 + 37 * n, 2025) for n in range(1, 13)])
    rng = np.random.default_rng(0)
    rows = [{"rt_code": rt(n), "has_info_board": bool(n % 2), "participants_women": int(rng.integers(5, 40)),
             "complaints_received": int(n % 4), "complaints_resolved": int(n % 4 // 2),
             "budget_spent_idr": float(rng.integers(10, 95)) * 1e6, "activities_completed": int(n % 5),
             "asset_status": ["berfungsi_penuh", "sebagian", "belum_ada", "tidak_berfungsi"][n % 4]}
            for n in range(1, 13)]  # fmt: skip
    out = evaluate_principles({"rt_registry": reg, "rt_reports": reports(rows)}, PERIOD,
                              options=IndexOptions(n_runs=100, sensitivity_samples=16))  # fmt: skip
    values = out["index_uncertainty_settings"].set_index("setting")["value"]
    for factor in ("imputation", "goalposts", "missing_rules", "leave_one_out"):
        assert values[f"runs_per_{factor}"].count(":") >= 2, factor
    sens = out["index_sensitivity"]
    assert list(sens["factor"]) == [
        "indicator_weights", "principle_weights", "normalisation", "aggregation", "imputation",
        "leave_one_out", "goalposts", "missing_rules",
    ]  # fmt: skip
    assert (sens["n_runs"] == 16 * (8 + 2)).all() and values["sensitivity_runs"] == "160"
    assert sorted(sens["importance"]) == list(range(1, 9)) or sens["st"].isna().any()
    assert (sens["st"].dropna() >= sens["s1"].dropna() - 3 * sens["st_conf"].dropna().max()).all()


# ------------------------------------------------------------------------------ Sobol indices


@pytest.mark.parametrize(
    ("model", "expected_s1", "expected_st"),
    [
        # Y = 10 a + 0.1 b (a, b ~ U(0,1)): V = 100/12 + 0.01/12, S_a = 100/100.01
        pytest.param(
            lambda x: 10 * x[:, 0] + 0.1 * x[:, 1], [0.9999, 0.0001], [0.9999, 0.0001], id="additive"
        ),
        # Y = a + b: S = 0.5 each
        pytest.param(lambda x: x[:, 0] + x[:, 1], [0.5, 0.5], [0.5, 0.5], id="equal"),
        # Y = (a − 0.5)(b − 0.5): pure interaction, S1 = 0, ST = 1 for both
        pytest.param(lambda x: (x[:, 0] - 0.5) * (x[:, 1] - 0.5), [0.0, 0.0], [1.0, 1.0], id="interaction"),
    ],
)
def test_sobol_indices_on_models_with_known_answers(model, expected_s1, expected_st):
    table = sobol_indices(["a", "b"], model, 1024, seed=11)
    np.testing.assert_allclose(table["s1"], expected_s1, atol=0.05)
    np.testing.assert_allclose(table["st"], expected_st, atol=0.05)


def test_sobol_groups_of_inputs():
    # three inputs, the first two one group "w": Y = x0 + x1 + 0.1 x2 → S_w = 2/(2 + 0.01)
    table = sobol_indices(["w", "w", "m"], lambda x: x[:, 0] + x[:, 1] + 0.1 * x[:, 2], 1024, seed=3)
    assert table["factor"].tolist() == ["w", "m"]
    np.testing.assert_allclose(table["st"], [2 / 2.01, 0.01 / 2.01], atol=0.05)


def test_sobol_constant_output_gives_no_indices():
    table = sobol_indices(["a", "b"], lambda x: np.ones(len(x)), 64, seed=1)
    assert table[["s1", "st"]].isna().all().all()


def test_sensitivity_settings_validation(tmp_path):
    data = yaml.safe_load(DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8"))
    data["settings"]["uncertainty"]["sensitivity_samples"] = 100
    path = tmp_path / "fw.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError, match="sensitivity_samples: must be 0 .off. or a power of 2"):
        load_framework(path)
