"""Capaian with polarity and ranges, levels, serapan and its flags, roll-ups with weights and cap.

Expected values are computed by hand in the comments (domain.md; PermenPANRB worked examples).
"""

import dataclasses
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import ConfigError
from analysis.evaluate.achievement import (
    AchievementConfig,
    Level,
    ZeroTargetRule,
    add_serapan,
    assign_level,
    compute_capaian,
    effective_weights,
    evaluate_achievement,
    fiscal_year_elapsed_pct,
    load_achievement_config,
    parse_achievement_config,
    program_budget,
    serapan_pct,
)

CONFIG = load_achievement_config()  # the shipped config/achievement.yml (defaults asserted below)
#: the behaviour before issue 12: a zero target is not computable (left out of the roll-ups)
CONFIG_ZERO_NOT_COMPUTABLE = dataclasses.replace(CONFIG, zero_target=ZeroTargetRule("not_computable"))


# ------------------------------------------------------------------------------------------- capaian
@pytest.mark.parametrize(
    ("realisation", "low", "high", "polarity", "expected", "basis"),
    [
        # official worked examples
        pytest.param(6.5, 7, 7, "negatif", 107.142857, "point", id="negatif_6.5_vs_7_is_107.1"),
        pytest.param(9, 8, 8, "negatif", 87.5, "point", id="negatif_9_vs_8_is_87.5"),
        pytest.param(92, 80, 90, "positif", 102.222222, "range_upper", id="range_92_vs_80-90_is_102.2"),
        pytest.param(70, 80, 90, "positif", 87.5, "range_lower", id="range_70_vs_80-90_is_87.5"),
        # positive point target: 45 / 60 = 75 %
        pytest.param(45, 60, 60, "positif", 75.0, "point", id="positif_point"),
        pytest.param(120, 100, 100, "positif", 120.0, "point", id="positif_above_target_uncapped"),
        # inside the range = 100 %; at the bounds both formulas also give 100 %
        pytest.param(85, 80, 90, "positif", 100.0, "range_inside", id="range_inside"),
        pytest.param(80, 80, 90, "positif", 100.0, "range_inside", id="range_at_lower_bound"),
        pytest.param(90, 80, 90, "positif", 100.0, "range_inside", id="range_at_upper_bound"),
        # negatif range: above the range uses the upper bound: (2*10 - 12)/10 = 80 %
        pytest.param(12, 5, 10, "negatif", 80.0, "range_upper", id="negatif_range_above"),
        # below it uses the lower bound: (2*5 - 4)/5 = 120 %
        pytest.param(4, 5, 10, "negatif", 120.0, "range_lower", id="negatif_range_below"),
        # floor at 0: (2*8 - 20)/8 = -50 % -> 0
        pytest.param(20, 8, 8, "negatif", 0.0, "point", id="negatif_floored_at_zero"),
        pytest.param(-5, 10, 10, "positif", 0.0, "point", id="positif_negative_realisation_floored"),
        # a range target whose lower bound is 0: inside = 100 %, above compares with the upper bound
        pytest.param(0, 0, 5, "negatif", 100.0, "range_inside", id="range_from_zero_inside"),
        pytest.param(6, 0, 5, "negatif", 80.0, "range_upper", id="range_from_zero_above"),
    ],
)
def test_capaian(realisation, low, high, polarity, expected, basis):
    result = compute_capaian(realisation, low, high, polarity)
    assert result.pct == pytest.approx(expected, abs=1e-6)
    assert result.basis == basis
    assert result.status == "computed"
    assert result.reason is None


def test_worked_examples_round_to_the_published_figures():
    assert round(compute_capaian(6.5, 7, 7, "negatif").pct, 1) == 107.1
    assert round(compute_capaian(92, 80, 90, "positif").pct, 1) == 102.2


@pytest.mark.parametrize(
    ("realisation", "low", "high", "polarity", "reason"),
    [
        pytest.param(5, 0, 0, "positif", "target_zero", id="zero_target_positif"),
        pytest.param(0, 0, 0, "negatif", "target_zero", id="zero_target_negatif"),
        pytest.param(5, None, None, "positif", "target_missing", id="missing_target"),
        pytest.param(5, math.nan, math.nan, "positif", "target_missing", id="nan_target"),
        pytest.param(None, 10, 10, "positif", "realisation_missing", id="missing_realisation"),
        pytest.param(pd.NA, 10, 10, "positif", "realisation_missing", id="na_realisation"),
        pytest.param(5, -10, -10, "positif", "target_negative", id="negative_target"),
        pytest.param(5, 90, 80, "positif", "target_range_invalid", id="reversed_range"),
        pytest.param(-1, 0, 5, "positif", "target_zero", id="below_range_with_zero_lower_bound"),
    ],
)
def test_capaian_not_computable(realisation, low, high, polarity, reason):
    result = compute_capaian(realisation, low, high, polarity)
    assert math.isnan(result.pct)
    assert result.status == "not_computable"
    assert result.reason == reason


def test_half_given_target_is_a_point_target():
    assert compute_capaian(50, 100, None, "positif").pct == 50.0
    assert compute_capaian(50, None, 100, "positif").pct == 50.0


def test_unknown_polarity_raises():
    with pytest.raises(ValueError, match="polarity"):
        compute_capaian(1, 1, 1, "naik")


# -------------------------------------------------------------------------------------------- levels
@pytest.mark.parametrize(
    ("pct", "label"),
    [
        pytest.param(150.0, "Sangat Tinggi", id="above_100_stays_top"),
        pytest.param(91.0, "Sangat Tinggi", id="91"),
        pytest.param(90.99, "Tinggi", id="90.99"),
        pytest.param(76.0, "Tinggi", id="76"),
        pytest.param(75.99, "Sedang", id="75.99"),
        pytest.param(66.0, "Sedang", id="66"),
        pytest.param(65.99, "Rendah", id="65.99"),
        pytest.param(51.0, "Rendah", id="51"),
        pytest.param(50.99, "Sangat Rendah", id="50.99"),
        pytest.param(0.0, "Sangat Rendah", id="0"),
    ],
)
def test_default_level_boundaries(pct, label):
    assert assign_level(pd.Series([pct]), CONFIG.levels).iloc[0] == label


def test_level_of_missing_is_missing():
    assert pd.isna(assign_level(pd.Series([math.nan]), CONFIG.levels).iloc[0])


def test_custom_scale():
    levels = (Level("Baik", 80.0), Level("Kurang", None))
    assert assign_level(pd.Series([80.0, 79.9]), levels).tolist() == ["Baik", "Kurang"]


# -------------------------------------------------------------------------------------------- config
def _config_dict():
    return {
        "levels": {"scale": [{"label": "A", "min_pct": 90}, {"label": "B", "min_pct": None}]},
        "cap": {"max_pct": 120},
        "serapan": {
            "high_spend_min_pace_pct": 100,
            "low_output_below_pct": 76,
            "low_spend_below_pace_pct": 50,
            "high_output_min_pct": 100,
        },
    }


def test_shipped_config_defaults():
    assert [(lv.label, lv.min_pct) for lv in CONFIG.levels] == [
        ("Sangat Tinggi", 91.0),
        ("Tinggi", 76.0),
        ("Sedang", 66.0),
        ("Rendah", 51.0),
        ("Sangat Rendah", None),
    ]
    assert CONFIG.cap_pct == 120.0
    assert "86" in CONFIG.levels_source


def _mutate(path, value):
    data = _config_dict()
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        pytest.param(("cap", "max_pct"), 90, "cap.max_pct", id="cap_below_100"),
        pytest.param(("cap", "max_pct"), "120", "cap.max_pct", id="cap_text"),
        pytest.param(
            ("serapan", "low_output_below_pct"), None, "serapan.low_output_below_pct", id="missing_threshold"
        ),
        pytest.param(("serapan", "typo_pct"), 5, "typo_pct", id="unknown_serapan_key"),
        pytest.param(
            ("levels", "scale"),
            [{"label": "A", "min_pct": 50}, {"label": "B", "min_pct": 60}, {"label": "C", "min_pct": None}],
            "levels.scale[1].min_pct",
            id="thresholds_not_descending",
        ),
        pytest.param(
            ("levels", "scale"),
            [{"label": "A", "min_pct": 50}, {"label": "B", "min_pct": 10}],
            "levels.scale[1].min_pct",
            id="last_level_not_null",
        ),
        pytest.param(
            ("levels", "scale"),
            [{"label": "A", "min_pct": 50}, {"label": "A", "min_pct": None}],
            "duplicate",
            id="duplicate_labels",
        ),
    ],
)
def test_config_errors_name_file_and_key(path, value, key):
    with pytest.raises(ConfigError, match=rf"achievement\.yml: .*{re.escape(key)}"):
        parse_achievement_config(_mutate(path, value), Path("config/achievement.yml"))


def test_config_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="nope.yml: cannot read the achievement settings: No such file"):
        load_achievement_config(tmp_path / "nope.yml")


def test_config_bad_yaml(tmp_path):
    bad = tmp_path / "a.yml"
    bad.write_text("levels: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="a.yml: not valid YAML"):
        load_achievement_config(bad)


# ------------------------------------------------------------------------------------------- serapan
def test_serapan_guards_denominator():
    out = serapan_pct(pd.Series([45.0, 5.0, 5.0, None]), pd.Series([100.0, 0.0, None, 10.0]))
    assert out.iloc[0] == 45.0
    assert out.iloc[1:].isna().all()


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        pytest.param("100-hari", 150 / 365 * 100, id="100_hari_1jan_30may"),
        pytest.param("2025-TW2", 181 / 365 * 100, id="tw2"),
        pytest.param("2025-S2", 100.0, id="s2_ends_31dec"),
        pytest.param("2024-TW1", 91 / 366 * 100, id="leap_year"),
    ],
)
def test_fiscal_year_elapsed(period, expected):
    assert fiscal_year_elapsed_pct(period) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("spent", "achievement", "high_low", "low_high"),
    [
        # 2025 (whole year, elapsed 100 %): pace = serapan; defaults: high >= 75, low < 25, output < 76 / >= 100
        pytest.param(75.0, 60.0, True, False, id="high_spend_low_output"),
        pytest.param(100.0, 76.0, False, False, id="output_at_threshold_not_flagged"),
        pytest.param(74.9, 50.0, False, False, id="pace_below_75_not_flagged"),
        pytest.param(20.0, 110.0, False, True, id="low_spend_high_output"),
        pytest.param(25.0, 110.0, False, False, id="pace_at_25_not_low"),
        pytest.param(10.0, 99.0, False, False, id="low_spend_but_target_missed"),
        pytest.param(None, 50.0, None, None, id="no_budget_unknown"),
    ],
)
def test_serapan_flags_year(spent, achievement, high_low, low_high):
    df = pd.DataFrame(
        {"budget_allocated_idr": [100.0], "budget_spent_idr": [spent], "achievement_pct": [achievement]}
    )
    out = add_serapan(df, "2025", CONFIG).iloc[0]
    assert (
        (out["is_high_spend_low_output"] is pd.NA)
        if high_low is None
        else out["is_high_spend_low_output"] == high_low
    )
    assert (
        (out["is_low_spend_high_output"] is pd.NA)
        if low_high is None
        else out["is_low_spend_high_output"] == low_high
    )


def test_serapan_pace_follows_the_period():
    # 2025-TW2: 36 % spent, elapsed 181/365 = 49.59 % -> pace 72.6 %: not high spend
    df = pd.DataFrame(
        {"budget_allocated_idr": [100.0], "budget_spent_idr": [36.0], "achievement_pct": [50.0]}
    )
    out = add_serapan(df, "2025-TW2", CONFIG).iloc[0]
    assert out["serapan_pct"] == 36.0
    assert out["serapan_pace_pct"] == pytest.approx(36 / (181 / 365 * 100) * 100)
    assert not out["is_high_spend_low_output"]
    # 100-hari: 36 % spent by 30 May (elapsed 41.1 %) -> pace 87.6 % with 50 % output: flagged
    out = add_serapan(df, "100-hari", CONFIG).iloc[0]
    assert out["serapan_pace_pct"] == pytest.approx(36 / (150 / 365 * 100) * 100)
    assert out["is_high_spend_low_output"]


@pytest.mark.parametrize(
    ("allocated", "spent", "expected"),
    [
        pytest.param(
            [100.0, None, None], [40.0, None, None], (100.0, 40.0, "single_row"), id="first_row_only"
        ),
        pytest.param([100.0, 100.0], [40.0, 40.0], (100.0, 40.0, "repeated_program_budget"), id="repeated"),
        pytest.param([60.0, 40.0], [30.0, 10.0], (100.0, 40.0, "sum_of_rows"), id="split"),
        pytest.param([None, None], [None, None], (math.nan, math.nan, None), id="none"),
    ],
)
def test_program_budget(allocated, spent, expected):
    got = program_budget(
        pd.DataFrame({"budget_allocated_idr": allocated, "budget_spent_idr": spent}, dtype="float64")
    )
    assert got["budget_basis"] == expected[2]
    for key, value in zip(("budget_allocated_idr", "budget_spent_idr"), expected[:2], strict=True):
        assert (math.isnan(got[key]) and math.isnan(value)) or got[key] == value


# ------------------------------------------------------------------------------------------- weights
@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        pytest.param([None, None, None], [1.0, 1.0, 1.0], id="all_blank_equal"),
        pytest.param([3.0, 1.0, None], [3.0, 1.0, 2.0], id="blank_gets_mean_of_stated"),
        pytest.param([0.5, 0.25, 0.25], [0.5, 0.25, 0.25], id="all_stated"),
    ],
)
def test_effective_weights(weights, expected):
    ind = pd.DataFrame({"indicator_code": ["a", "b", "c"], "program_code": ["P"] * 3, "weight": weights})
    assert effective_weights(ind).tolist() == expected


def test_negative_weight_raises_naming_indicator():
    ind = pd.DataFrame({"indicator_code": ["a", "b"], "program_code": ["P", "P"], "weight": [1.0, -1.0]})
    with pytest.raises(ValueError, match=r"negative weight.*'b'"):
        effective_weights(ind)


# ------------------------------------------------------------------------------------------ roll-ups
def _tables(period="2025-TW2", reports=None):
    """Two programs of one sector/agency + one of another; P01 weights 3:1, P02 blank, P03 nothing."""
    programs = pd.DataFrame(
        {
            "program_code": ["P01", "P02", "P03"],
            "program_name": ["Kartu Bahagia", "Balikat", "Bank Harkat"],
            "program_short": ["", "Balikat", "Bank Harkat"],
            "agency": ["Dinas Sosial", "Dinas Sosial", "Diskop"],
            "sector": ["sosial", "sosial", "ekonomi"],
        }
    )
    indicators = pd.DataFrame(
        {
            "indicator_code": ["P01-01", "P01-02", "P02-01", "P02-02", "P02-03", "P03-01"],
            "program_code": ["P01", "P01", "P02", "P02", "P02", "P03"],
            "indicator_name": ["penerima", "aduan", "peserta", "lulus", "nol", "kelompok"],
            "unit": ["orang", "kasus", "orang", "%", "kasus", "kelompok"],
            "polarity": ["positif", "negatif", "positif", "positif", "positif", "positif"],
            "weight": [3.0, 1.0, None, None, None, None],
        }
    )
    targets = pd.DataFrame(
        {
            "indicator_code": ["P01-01", "P01-02", "P02-01", "P02-02", "P02-03", "P01-01"],
            "period": [period, period, period, period, period, "2099"],
            "target_low": [100.0, 8.0, 50.0, 80.0, 0.0, 1.0],
            "target_high": [100.0, 8.0, 50.0, 90.0, 0.0, 1.0],
            "target_text": ["100", "8", "50", "80-90", "0", "1"],
        }
    )
    if reports is None:
        reports = {
            "P01-01": (150.0, 1000.0, 600.0),  # 150 % (capped 120)
            "P01-02": (9.0, 1000.0, 600.0),  # negatif: (16-9)/8 = 87.5 %
            "P02-01": (20.0, 400.0, 50.0),  # 40 %
            "P02-02": (85.0, None, None),  # inside 80-90 -> 100 %
            "P02-03": (3.0, None, None),  # target 0 -> not computable
        }
    agency_reports = pd.DataFrame(
        {
            "period": period,
            "indicator_code": list(reports),
            "target_reported_low": math.nan,
            "target_reported_high": math.nan,
            "realisation": [v[0] for v in reports.values()],
            "budget_allocated_idr": [v[1] for v in reports.values()],
            "budget_spent_idr": [v[2] for v in reports.values()],
            "note": "",
            "is_target_mismatch": pd.array([False] * len(reports), dtype="boolean"),
        }
    )
    return {
        "programs": programs,
        "indicators": indicators,
        "targets": targets,
        "agency_reports": agency_reports,
    }


def test_indicator_table():
    out = evaluate_achievement(_tables(), "2025-TW2", CONFIG_ZERO_NOT_COMPUTABLE)[
        "achievement_indicator"
    ].set_index("indicator_code")
    assert list(out.index) == [
        "P01-01",
        "P01-02",
        "P02-01",
        "P02-02",
        "P02-03",
    ]  # P03-01: no target, no report
    assert out.loc["P01-01", "achievement_pct"] == 150.0
    assert out.loc["P01-01", "achievement_capped_pct"] == 120.0
    assert out.loc["P01-02", "achievement_pct"] == 87.5
    assert out.loc["P01-02", "achievement_level"] == "Tinggi"
    assert out.loc["P02-02", "target_basis"] == "range_inside"
    assert out.loc["P02-03", "achievement_status"] == "not_computable"
    assert out.loc["P02-03", "achievement_reason"] == "target_zero"
    assert pd.isna(out.loc["P02-03", "is_target_met"])
    assert out.loc["P01-01", "is_target_met"] and not out.loc["P01-02", "is_target_met"]
    assert out.loc["P01-01", "serapan_pct"] == 60.0


def test_target_without_report_is_not_reported():
    reports = {"P01-01": (150.0, None, None)}
    out = evaluate_achievement(_tables(reports=reports), "2025-TW2", CONFIG)["achievement_indicator"]
    reasons = dict(zip(out["indicator_code"], out["achievement_reason"], strict=True))
    assert reasons["P01-02"] == "not_reported"
    assert reasons["P02-03"] == "not_reported"
    assert pd.isna(reasons["P01-01"])


def test_program_rollup_with_weights_and_cap():
    out = evaluate_achievement(_tables(), "2025-TW2", CONFIG_ZERO_NOT_COMPUTABLE)[
        "achievement_program"
    ].set_index("program_code")
    # P01: weights 3:1. Uncapped (3*150 + 1*87.5)/4 = 134.375; capped (3*120 + 87.5)/4 = 111.875
    assert out.loc["P01", "achievement_pct"] == pytest.approx(134.375)
    assert out.loc["P01", "achievement_capped_pct"] == pytest.approx(111.875)
    assert out.loc["P01", "achievement_level"] == "Sangat Tinggi"
    assert out.loc["P01", "indicators_met"] == 1
    assert out.loc["P01", "lowest_achievement_pct"] == 87.5
    # P02: blank weights = equal over the computable ones: (40 + 100)/2 = 70; the target-0 one is left out
    assert out.loc["P02", "achievement_pct"] == pytest.approx(70.0)
    assert out.loc["P02", "achievement_capped_pct"] == pytest.approx(70.0)
    assert (out.loc["P02", "indicators_total"], out.loc["P02", "indicators_computable"]) == (3, 2)
    assert out.loc["P02", "achievement_level"] == "Sedang"
    # P03: nothing in the period
    assert out.loc["P03", "achievement_status"] == "not_computable"
    assert out.loc["P03", "achievement_reason"] == "no_indicator_in_period"
    # budget: P01 repeats 1000/600 on both rows -> counted once, 60 %; P02 one row 400/50 -> 12.5 %
    assert out.loc["P01", "budget_allocated_idr"] == 1000.0
    assert out.loc["P01", "budget_basis"] == "repeated_program_budget"
    assert out.loc["P01", "serapan_pct"] == 60.0
    assert out.loc["P02", "serapan_pct"] == 12.5
    assert out.loc["P02", "budget_basis"] == "single_row"
    assert pd.isna(out.loc["P03", "budget_basis"])
    assert pd.isna(out.loc["P03", "serapan_pct"])


def test_cap_keeps_one_indicator_from_hiding_a_failure():
    # P01-01 at 300 % and P01-02 at 0 % (negatif, realisation twice the target), equal weight
    reports = {"P01-01": (300.0, None, None), "P01-02": (16.0, None, None)}
    tables = _tables(reports=reports)
    tables["indicators"]["weight"] = math.nan
    out = evaluate_achievement(tables, "2025-TW2", CONFIG)["achievement_program"].set_index("program_code")
    assert out.loc["P01", "achievement_pct"] == pytest.approx(150.0)  # looks like success
    assert out.loc["P01", "achievement_capped_pct"] == pytest.approx(60.0)  # (120 + 0)/2
    assert out.loc["P01", "achievement_level"] == "Rendah"


def test_sector_and_agency_rollup_count_each_program_once():
    res = evaluate_achievement(_tables(), "2025-TW2", CONFIG_ZERO_NOT_COMPUTABLE)
    sector = res["achievement_sector"].set_index("sector")
    # sosial: P01 (134.375 / 111.875) and P02 (70 / 70): means 102.1875 and 90.9375
    assert sector.loc["sosial", "achievement_pct"] == pytest.approx(102.1875)
    assert sector.loc["sosial", "achievement_capped_pct"] == pytest.approx(90.9375)
    assert sector.loc["sosial", "achievement_level"] == "Tinggi"  # 90.94 < 91
    assert sector.loc["sosial", "programs_met"] == 1
    assert sector.loc["sosial", "program_codes"] == "P01, P02"
    # budget summed over programs: (600 + 50) / (1000 + 400) = 46.43 %
    assert sector.loc["sosial", "serapan_pct"] == pytest.approx(650 / 1400 * 100)
    assert "budget_basis" not in sector
    assert sector.loc["ekonomi", "achievement_reason"] == "no_computable_program"
    agency = res["achievement_agency"].set_index("agency")
    assert agency.loc["Dinas Sosial", "achievement_capped_pct"] == pytest.approx(90.9375)
    assert agency.loc["Diskop", "programs_computable"] == 0


def test_change_against_previous_period():
    prev = _tables(period="2025-TW1", reports={"P01-01": (100.0, None, None), "P01-02": (8.0, None, None)})
    res = evaluate_achievement(
        _tables(), "2025-TW2", CONFIG, previous_tables=prev, previous_period="2025-TW1"
    )
    prog = res["achievement_program"].set_index("program_code")
    # P01 previous: both at 100 % -> 100; now capped 111.875 -> +11.875 pp
    assert prog.loc["P01", "previous_period"] == "2025-TW1"
    assert prog.loc["P01", "previous_achievement_capped_pct"] == pytest.approx(100.0)
    assert prog.loc["P01", "achievement_capped_change_pp"] == pytest.approx(11.875)
    assert prog.loc["P01", "achievement_change_pp"] == pytest.approx(34.375)
    assert pd.isna(prog.loc["P02", "previous_achievement_pct"])  # P02 not computable in TW1
    ind = res["achievement_indicator"].set_index("indicator_code")
    assert ind.loc["P01-01", "achievement_change_pp"] == pytest.approx(50.0)


def test_no_previous_period_gives_empty_change_columns():
    res = evaluate_achievement(_tables(period="100-hari"), "100-hari", CONFIG)
    prog = res["achievement_program"]
    assert prog["previous_period"].isna().all()
    assert prog["achievement_capped_change_pp"].isna().all()


def test_duplicate_report_rows_raise():
    tables = _tables()
    tables["agency_reports"] = pd.concat([tables["agency_reports"], tables["agency_reports"].iloc[[0]]])
    with pytest.raises(ValueError, match=r"agency_reports: indicator\(s\) \['P01-01'\]"):
        evaluate_achievement(tables, "2025-TW2", CONFIG)


def test_report_for_unknown_indicator_raises():
    tables = _tables(reports={"P99-01": (1.0, None, None)})
    with pytest.raises(ValueError, match="P99-01"):
        evaluate_achievement(tables, "2025-TW2", CONFIG)


def test_empty_period_gives_empty_tables_with_columns():
    tables = _tables(reports={})
    tables["targets"] = tables["targets"].iloc[0:0]
    res = evaluate_achievement(tables, "2025-TW2", CONFIG)
    assert res["achievement_indicator"].empty
    assert "achievement_capped_pct" in res["achievement_indicator"]
    prog = res["achievement_program"]
    assert len(prog) == 3 and (prog["achievement_reason"] == "no_indicator_in_period").all()


def test_dtypes():
    res = evaluate_achievement(_tables(), "2025-TW2", CONFIG)
    ind, prog = res["achievement_indicator"], res["achievement_program"]
    assert ind["achievement_pct"].dtype == "float64"
    assert ind["is_target_met"].dtype == "boolean"
    assert prog["is_high_spend_low_output"].dtype == "boolean"
    assert "is_high_spend_low_output" not in ind  # budgets are per program (docs/architecture.md)
    assert prog["indicators_total"].dtype == "Int64"
    assert prog["achievement_level"].dtype == "str"


def test_custom_config_changes_cap_and_levels():
    config = AchievementConfig(
        levels=(Level("Baik", 100.0), Level("Kurang", None)),
        cap_pct=100.0,
        high_spend_min_pace_pct=100,
        low_output_below_pct=76,
        low_spend_below_pace_pct=50,
        high_output_min_pct=100,
    )
    prog = evaluate_achievement(_tables(), "2025-TW2", config)["achievement_program"].set_index(
        "program_code"
    )
    # capped at 100: (3*100 + 87.5)/4 = 96.875 -> Kurang
    assert prog.loc["P01", "achievement_capped_pct"] == pytest.approx(96.875)
    assert prog.loc["P01", "achievement_level"] == "Kurang"
