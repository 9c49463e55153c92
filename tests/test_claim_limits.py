"""Issue 12, items 1-4: verdicts with their limits, the readings beside them, the achievement conventions and
the briefing sentences that used to mislead. Inputs and expected outputs side by side."""

import dataclasses
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.core.config import SAMPLE_SOURCE, SYNTHETIC_MARKER
from analysis.core.errors import ConfigError
from analysis.evaluate.achievement import (
    ZeroTargetRule,
    assign_level,
    compute_capaian,
    evaluate_achievement,
    load_achievement_config,
    parse_achievement_config,
)
from analysis.evaluate.claims import NOT_SUPPORTED, SUPPORTED, check_claims, parse_claims_config
from analysis.evaluate.evaluation import evaluate_source
from analysis.publish import charts
from analysis.publish.content import messages, program_tables

CONFIG = load_achievement_config()
ZERO = ZeroTargetRule()


# ------------------------------------------------------------------------------ zero and band targets
@pytest.mark.parametrize(
    ("realisation", "low", "high", "polarity", "rule", "band", "expected"),
    [
        # "0 aduan pungli": none received -> met; one received -> missed (not dropped from the roll-up)
        pytest.param(0, 0, 0, "negatif", ZERO, False, 100.0, id="zero_target_negatif_met"),
        pytest.param(1, 0, 0, "negatif", ZERO, False, 0.0, id="zero_target_negatif_missed"),
        pytest.param(0, 0, 0, "positif", ZERO, False, 100.0, id="zero_target_positif_met"),
        pytest.param(
            0, 0, 0, "negatif", ZeroTargetRule(met_pct=100, missed_pct=50), False, 100.0, id="custom"
        ),
        pytest.param(
            2, 0, 0, "negatif", ZeroTargetRule(met_pct=100, missed_pct=50), False, 50.0, id="custom_missed"
        ),
        pytest.param(0, 0, 0, "negatif", ZeroTargetRule("not_computable"), False, math.nan, id="old_rule"),
        # band 90-100: overshooting is bad too: 110 -> (200 - 110)/100 = 90 %; 81 -> 81/90 = 90 %
        pytest.param(110, 90, 100, "positif", None, True, 90.0, id="band_above"),
        pytest.param(81, 90, 100, "positif", None, True, 90.0, id="band_below"),
        pytest.param(95, 90, 100, "positif", None, True, 100.0, id="band_inside"),
        pytest.param(12, 10, 10, "positif", None, True, 80.0, id="band_point_above"),
        # the same 110 against an ordinary range: 110/100 = 110 %
        pytest.param(110, 90, 100, "positif", None, False, 110.0, id="range_not_band"),
    ],
)
def test_zero_and_band_targets(realisation, low, high, polarity, rule, band, expected):
    got = compute_capaian(realisation, low, high, polarity, rule, band).pct
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def _tables(period="100-hari", realisation=(0.0, 4.0), program_start=None):
    """Two programs: P01 (one zero-target negatif indicator, '0 aduan pungli'), P02 (one positif)."""
    programs = pd.DataFrame(
        {"program_code": ["P01", "P02"], "program_name": ["Balap", "Kampung"], "agency": ["A", "B"],
         "sector": ["s", "s"]}
    )  # fmt: skip
    indicators = pd.DataFrame(
        {"indicator_code": ["P01-01", "P02-01", "P02-02"], "program_code": ["P01", "P02", "P02"],
         "indicator_name": ["aduan pungli", "RT", "LPJ"], "unit": ["kasus", "RT", "%"],
         "polarity": ["negatif", "positif", "positif"], "weight": [None, None, None]}
    )  # fmt: skip
    targets = pd.DataFrame(
        {"indicator_code": ["P01-01", "P02-01"], "period": period, "target_low": [0.0, 4.0],
         "target_high": [0.0, 4.0], "target_text": ["0", "4"]}
    )  # fmt: skip
    reports = pd.DataFrame(
        {"period": period, "indicator_code": ["P01-01", "P02-01"], "target_reported_low": [0.0, 10.0],
         "target_reported_high": [0.0, 10.0], "realisation": list(realisation),
         "budget_allocated_idr": [100.0, 300.0], "budget_spent_idr": [10.0, 0.0], "note": "",
         "is_target_mismatch": pd.array([False, True], dtype="boolean")}
    )  # fmt: skip
    return {"programs": programs, "indicators": indicators, "targets": targets, "agency_reports": reports}


def test_zero_target_enters_the_rollup():
    prog = evaluate_achievement(_tables(), "100-hari", CONFIG)["achievement_program"].set_index(
        "program_code"
    )
    # before issue 12: P01 had no computable indicator (reason no_computable_indicator)
    assert prog.loc["P01", "achievement_pct"] == 100.0
    assert prog.loc["P01", "achievement_status"] == "computed"
    missed = evaluate_achievement(_tables(realisation=(1.0, 4.0)), "100-hari", CONFIG)["achievement_program"]
    assert missed.set_index("program_code").loc["P01", "achievement_pct"] == 0.0


def test_program_not_started_is_not_assessable():
    config = dataclasses.replace(CONFIG, program_starts=(("P02", date(2025, 6, 23)),))
    out = evaluate_achievement(_tables(), "100-hari", config)
    ind = out["achievement_indicator"].set_index("indicator_code")
    prog = out["achievement_program"].set_index("program_code")
    # 4 of 4 reported, but the program started on 23 Jun 2025, after day 100 (30 May): not "met"
    assert ind.loc["P02-01", "achievement_reason"] == "program_not_started"
    assert math.isnan(ind.loc["P02-01", "achievement_pct"]) and pd.isna(ind.loc["P02-01", "is_target_met"])
    assert prog.loc["P02", "achievement_reason"] == "program_not_started"
    assert pd.isna(prog.loc["P02", "is_target_met"])
    started = evaluate_achievement(_tables(period="2025-TW2"), "2025-TW2", config)["achievement_program"]
    assert started.set_index("program_code").loc["P02", "achievement_status"] == "computed"  # ends 30 Jun


def test_restated_target_capaian_and_indicators_without_target():
    out = evaluate_achievement(_tables(), "100-hari", CONFIG)
    ind = out["achievement_indicator"].set_index("indicator_code")
    prog = out["achievement_program"].set_index("program_code")
    # target.csv 4, the agency wrote 10: 4/4 = 100 % and 4/10 = 40 % side by side
    assert ind.loc["P02-01", "achievement_pct"] == 100.0
    assert ind.loc["P02-01", "achievement_reported_target_pct"] == 40.0
    assert ind.loc["P01-01", "achievement_reported_target_pct"] == 100.0  # no mismatch: the same
    assert prog.loc["P02", "achievement_reported_target_capped_pct"] == 40.0
    # P02-02 is in indikator.csv but has no target for the window: counted and named
    assert (prog.loc["P02", "indicators_defined"], prog.loc["P02", "indicators_without_target"]) == (2, 1)
    assert prog.loc["P02", "indicators_without_target_codes"] == "P02-02"
    assert pd.isna(prog.loc["P01", "indicators_without_target_codes"])


# --------------------------------------------------------------------------------------- level bands
@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        pytest.param(90.5, None, "Tinggi", id="unrounded_90.5_has_not_reached_91"),
        pytest.param(90.99, None, "Tinggi", id="unrounded_90.99"),
        pytest.param(90.5, 0, "Sangat Tinggi", id="rounded_90.5_is_91"),
        pytest.param(90.49, 0, "Tinggi", id="rounded_90.49_is_90"),
        pytest.param(91.0, None, "Sangat Tinggi", id="at_91"),
    ],
)
def test_level_boundary_90_91(value, decimals, expected):
    assert assign_level(pd.Series([value]), CONFIG.levels, decimals).iloc[0] == expected


def test_level_rounding_is_configuration():
    data = {"levels": {"compare_decimals": 0, "scale": [{"label": "A", "min_pct": 91}, {"label": "B", "min_pct": None}]},
            "cap": {"max_pct": 120}, "serapan": {"high_spend_min_pace_pct": 75, "low_output_below_pct": 76,
            "low_spend_below_pace_pct": 25, "high_output_min_pct": 100}}  # fmt: skip
    assert parse_achievement_config(data, "a.yml").level_decimals == 0
    with pytest.raises(ConfigError, match=r"a.yml: key 'levels.compare_decimals'"):
        parse_achievement_config({**data, "levels": {**data["levels"], "compare_decimals": -1}}, "a.yml")
    with pytest.raises(ConfigError, match=r"a.yml: key 'zero_target.rule'"):
        parse_achievement_config({**data, "zero_target": {"rule": "drop"}}, "a.yml")
    with pytest.raises(ConfigError, match=r"a.yml: key 'program_start.P05'"):
        parse_achievement_config({**data, "program_start": {"P05": "23 Juni"}}, "a.yml")


def test_shipped_config_defaults():
    assert CONFIG.zero_target == ZeroTargetRule("score", 100.0, 0.0)
    assert CONFIG.level_decimals is None
    assert CONFIG.program_start("P05") == date(2025, 6, 23)


# ------------------------------------------------------------------------------------------ readings
def _programs(values):
    """{code: (capaian, pagu)}: capped = uncapped."""
    return pd.DataFrame(
        {"program_code": list(values), "sector": "s", "agency": "a",
         "achievement_pct": [v[0] for v in values.values()], "achievement_capped_pct": [v[0] for v in values.values()],
         "achievement_status": "computed", "achievement_reason": None,
         "budget_allocated_idr": [v[1] for v in values.values()], "budget_spent_idr": 0.0}
    )  # fmt: skip


def _claim(metric, comparator=">=", basis="capped"):
    reading = {"id": "r", "label": "r", "metric": metric, "comparator": comparator, "threshold": 100,
               "primary": True}  # fmt: skip
    if basis:
        reading["basis"] = basis
    return parse_claims_config(
        {"self_report_note": "n", "claims": [{"id": "c", "text": "t", "source": "s", "is_example": False,
         "period": "100-hari", "interpretation": "i", "overall_rule": "primary", "readings": [reading]}]},
        "claims.yml",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("metric", "comparator", "basis", "expected_value", "expected_verdict"),
    [
        # P1 150 % on pagu 1, P2 80 % on pagu 9: program mean 115 %, pagu-weighted (150 + 720)/10 = 87 %
        pytest.param("program_achievement_mean", ">=", "capped", 115.0, SUPPORTED, id="program_mean"),
        pytest.param(
            "program_achievement_pagu_weighted", ">=", "capped", 87.0, NOT_SUPPORTED, id="pagu_weighted"
        ),
        # indicators 150, 100, 80, 80 (P1 has two): pooled mean 102.5 %; program mean (125 + 80)/2
        pytest.param("indicator_achievement_mean", ">=", "capped", 102.5, SUPPORTED, id="pooled_indicators"),
        # strict "melebihi": a program exactly at 100 % meets ">=" but not ">"
        pytest.param("program_achievement_min", ">", "capped", 80.0, NOT_SUPPORTED, id="strict_exceeds"),
    ],
)
def test_readings(metric, comparator, basis, expected_value, expected_verdict):
    progs = _programs({"P1": (150.0, 1.0), "P2": (80.0, 9.0)})
    ind = pd.DataFrame(
        {"indicator_code": ["a", "b", "c", "d"], "program_code": ["P1", "P1", "P2", "P2"],
         "achievement_pct": [150.0, 100.0, 80.0, 80.0], "achievement_capped_pct": [150.0, 100.0, 80.0, 80.0],
         "achievement_status": "computed"}
    )  # fmt: skip
    out = check_claims(_claim(metric, comparator, basis), {"achievement_program": progs,
                       "achievement_indicator": ind}, "100-hari", cap_pct=120.0)  # fmt: skip
    assert out["value"].iloc[0] == pytest.approx(expected_value)
    assert out["verdict"].iloc[0] == expected_verdict


def test_strict_reading_at_exactly_100():
    progs = _programs({"P1": (100.0, 1.0), "P2": (120.0, 1.0)})
    ind = pd.DataFrame(columns=["indicator_code", "program_code", "achievement_pct", "achievement_status"])
    ach = {"achievement_program": progs, "achievement_indicator": ind}
    assert (
        check_claims(_claim("program_achievement_min", ">="), ach, "100-hari", 120.0)["verdict"][0]
        == SUPPORTED
    )
    assert (
        check_claims(_claim("program_achievement_min", ">"), ach, "100-hari", 120.0)["verdict"][0]
        == NOT_SUPPORTED
    )


# ------------------------------------------------------------------------------- the sample's 100 days
@pytest.fixture(scope="module")
def hundred(tmp_path_factory):
    """The 100-day evaluation of the bundled sample (generated when absent, as in test_evaluation)."""
    source = SAMPLE_SOURCE
    if not (source / SYNTHETIC_MARKER).exists():
        from analysis.sample import generate_sample

        source = tmp_path_factory.mktemp("raw") / "sample"
        generate_sample(source)
    root = tmp_path_factory.mktemp("processed")
    return evaluate_source(source, "100-hari", root / "sample" / "100-hari").tables


def test_sample_p02_01_restated_target_flips_two_readings(hundred):
    ind = hundred["achievement_indicator"].set_index("indicator_code")
    # target.csv 300, the agency wrote 1000; realisation 324: 108 % and 32.4 %
    assert ind.loc["P02-01", "achievement_pct"] == pytest.approx(108.0)
    assert ind.loc["P02-01", "achievement_reported_target_pct"] == pytest.approx(32.4)
    claims = hundred["claims"]
    main = claims[claims["claim_id"] == "program_100_hari_melebihi_target"].set_index("reading_id")
    flipped = main[main["verdict_reported_target"] != main["verdict"]].index.tolist()
    assert flipped == ["rerata_program", "rerata_program_tanpa_batas"]
    assert "P02-01 1.000 bukan 300: 32,4% bukan 108,0%" in main.loc["rerata_program", "evidence"]


def test_sample_kampung_bahagia_not_assessable_in_100_days(hundred):
    prog = hundred["achievement_program"].set_index("program_code")
    assert prog.loc["P05", "achievement_reason"] == "program_not_started"  # launched 23 Jun 2025
    main = hundred["claims"][hundred["claims"]["claim_id"] == "program_100_hari_melebihi_target"]
    assert (main["not_assessable_programs"] == "P05").all()
    assert (main["units_not_assessable"] == 1).all()
    assert (main["indicators_without_target_codes"] == "P02-02, P05-02, P05-03").all()
    every = main.set_index("reading_id").loc["setiap_program"]
    assert (every["units_below_target"], every["units_computable"]) == (4, 10)


def test_sample_headline_does_not_contradict_itself(hundred):
    text = messages.message_claim(hundred["claims"], None, "id")
    assert text.startswith(
        "Klaim “Program 100 hari kerja telah melebihi target” (Wali Kota Jambi Dr. dr. H. Maulana): "
        "**tidak didukung data sebagaimana dinyatakan**: rerata program 102,1%, tetapi 4 dari 10 program dan "
        "9 dari 21 indikator belum mencapai target 100 Hari Kerja (20 Feb–30 Mei 2025). "
        "4 dari 8 cara menguji klaim didukung data. Tidak dapat dinilai (belum dimulai pada periode itu): P05."
    )
    assert "kesimpulan 2 cara uji berubah" in text


def test_the_100_day_briefing_names_the_program_not_assessable(hundred):
    """In the 100-day briefing itself (its programs are the claim's), the program that had not started is
    named, not given by its code, and the programs behind are not listed twice."""
    programs = hundred["achievement_program"].assign(
        program_label=lambda d: d["program_code"].map({"P05": "Kampung Bahagia"}).fillna(d["program_code"])
    )
    found = messages.key_messages(programs, {}, "id", claims=hundred["claims"], hundred_programs=programs)
    (claim,) = [m for m in found if "Program 100 hari kerja" in m]
    assert "Tidak dapat dinilai (belum dimulai pada periode itu): Kampung Bahagia." in claim
    assert "P05" not in claim and "Belum mencapai target pada 100 hari kerja" not in claim


# ------------------------------------------------------------------------------ briefing sentences
def _claims_table(overall, supported, below_programs=(4, 10), below_indicators=(9, 21)):
    base = {"period": "100-hari", "claim_id": "k", "claim_text": "Program telah melebihi target.",
            "claim_speaker": "Wali Kota", "is_example": False, "overall_verdict": overall,
            "readings_supported": supported, "readings_total": 3, "not_assessable_programs": None}  # fmt: skip
    rows = [
        {**base, "reading_id": "setiap", "reading_label": "Setiap program >= 100%", "is_primary": True,
         "metric": "program_achievement_min", "basis": "capped", "value": 73.2, "verdict": NOT_SUPPORTED,
         "units_below_target": below_programs[0], "units_computable": below_programs[1]},
        {**base, "reading_id": "rerata", "reading_label": "Rerata >= 100%", "is_primary": False,
         "metric": "program_achievement_mean", "basis": "capped", "value": 101.9, "verdict": SUPPORTED,
         "units_below_target": below_programs[0], "units_computable": below_programs[1]},
        {**base, "reading_id": "ind", "reading_label": "Indikator", "is_primary": False,
         "metric": "indicator_share_met_pct", "basis": "", "value": 59.1, "verdict": SUPPORTED,
         "units_below_target": below_indicators[0], "units_computable": below_indicators[1]},
    ]  # fmt: skip
    return pd.DataFrame(rows).astype({"is_example": "boolean", "is_primary": "boolean"})


@pytest.mark.parametrize(
    ("overall", "supported", "expected"),
    [
        pytest.param(
            NOT_SUPPORTED, 2,
            "Klaim “Program telah melebihi target” (Wali Kota): **tidak didukung data sebagaimana dinyatakan**: "
            "rerata program 101,9%, tetapi 4 dari 10 program dan 9 dari 21 indikator belum mencapai target "
            "100 Hari Kerja (20 Feb–30 Mei 2025). 2 dari 3 cara menguji klaim didukung data.",
            id="mixed_readings",
        ),
        pytest.param(
            NOT_SUPPORTED, 0,
            "Klaim “Program telah melebihi target” (Wali Kota): **tidak didukung data**. Uji utama "
            "“Setiap program ≥ 100%” menghasilkan 73,2%; 0 dari 3 cara menguji klaim didukung data.",
            id="no_reading_supported",
        ),
    ],
)  # fmt: skip
def test_headline(overall, supported, expected):
    assert messages.message_claim(_claims_table(overall, supported), None, "id") == expected


def test_quarterly_briefing_says_the_100_day_verdict_is_about_2025():
    programs = pd.DataFrame(
        {"period": "2026-TW3", "program_code": ["P01"], "program_name": ["Kartu"], "achievement_pct": [100.0],
         "achievement_capped_pct": [100.0]}
    )  # fmt: skip
    msgs = messages.key_messages(programs, {}, "id", claims=_claims_table(NOT_SUPPORTED, 2))
    assert msgs[1].startswith("Tentang 100 Hari Kerja (20 Feb–30 Mei 2025): Klaim")
    own = messages.key_messages(
        programs.assign(period="100-hari"), {}, "id", claims=_claims_table(NOT_SUPPORTED, 2)
    )
    assert own[1].startswith("Klaim")


@pytest.mark.parametrize(
    ("pace", "expected"),
    [
        pytest.param(
            82.7,
            "membelanjakan anggaran hampir secepat jadwal (belanja merata) atau lebih cepat",
            id="below_pace",
        ),
        pytest.param(100.0, "membelanjakan anggaran sesuai jadwal atau lebih cepat", id="at_pace"),
    ],
)
def test_serapan_on_schedule_only_at_the_straight_line_pace(pace, expected):
    df = pd.DataFrame(
        {"program_code": ["P07"], "program_name": ["Kota Tangguh"], "serapan_pct": [34.0],
         "serapan_pace_pct": [pace], "achievement_pct": [73.2],
         "is_high_spend_low_output": pd.array([True], dtype="boolean"),
         "is_low_spend_high_output": pd.array([False], dtype="boolean")}
    )  # fmt: skip
    assert expected in messages.message_serapan(df, "id")


@pytest.mark.parametrize(
    ("medians", "expected"),
    [
        pytest.param({"transparansi": 30.04, "partisipatif": 29.96, "akuntabilitas": 50.0}, ["transparansi", "partisipatif"], id="tie_as_shown"),
        pytest.param({"transparansi": 30.2, "partisipatif": 30.0, "akuntabilitas": 50.0}, ["partisipatif"], id="no_tie"),
    ],
)  # fmt: skip
def test_weakest_principles_tie_aware(medians, expected):
    assert charts.weakest_principles(medians) == expected


def _rt_index(t_scores, p_scores):
    n = len(t_scores)
    return pd.DataFrame(
        {"rt_code": [f"R{i}" for i in range(n)], "status": "dinilai", "transparansi": t_scores,
         "partisipatif": p_scores, "akuntabilitas": [90.0] * n, "keberlanjutan": [80.0] * n,
         "index": [50.0] * n}
    )  # fmt: skip


def test_weakest_principle_message_and_heatmap_alt_say_the_tie():
    rt = _rt_index([30.0, 40.0, 20.0], [30.0, 10.0, 50.0])  # both medians 30,0
    assert messages.message_weakest_principle(rt, None, "id") == (
        "Prinsip terlemah, seri: Transparansi dan Partisipatif (median masing-masing 30,0 dari 100)."
    )
    areas = rt.rename(columns={"rt_code": "kelurahan_name"}).assign(
        kecamatan_name="K", n_rt_scored=1, kelurahan_code=["a", "b", "c"], kecamatan_code="k"
    )
    fig = charts.principle_heatmap(areas, "id")
    alt = charts.alt_text(fig)
    assert "prinsip terlemah, seri: Transparansi dan Partisipatif, masing-masing dengan median 30,0" in alt


def test_capped_value_says_it_is_capped():
    progs = pd.DataFrame(
        {"program_code": ["P01", "P02"], "program_name": ["Balikat", "Rumel"], "achievement_pct": [95.0, 130.0],
         "achievement_capped_pct": [90.0, 120.0], "cap_pct": 120.0, "achievement_level": ["Tinggi", "Sangat Tinggi"],
         "achievement_status": "computed", "achievement_reason": None}
    )  # fmt: skip
    assert "Balikat (90,0%, dibatasi 120%)" in messages.message_programs(progs, "id")
    assert program_tables.capped_label(progs, "id") == "Capaian (%, dibatasi 120%)"


@pytest.mark.parametrize(
    ("level", "pct", "expected"),
    [
        pytest.param("Sangat Tinggi", 99.1, "Sangat Tinggi · belum mencapai target", id="below_target"),
        pytest.param("Sangat Tinggi", 100.0, "Sangat Tinggi", id="met"),
        pytest.param("Tinggi", np.nan, "Tinggi", id="missing"),
    ],
)
def test_level_never_hides_a_missed_target(level, pct, expected):
    row = pd.Series(
        {"achievement_level": level, "achievement_capped_pct": pct, "achievement_status": "computed"}
    )
    assert program_tables.level_text(row, "id") == expected


def test_readings_table_shows_the_value_under_the_restated_targets_beside_target_csv():
    readings = pd.DataFrame(
        {
            "claim_id": ["c", "c", "c"],
            "is_primary": [True, False, False],
            "reading_label": ["Setiap program >= 100%", "Rerata program >= 100%", "Median >= 100%"],
            "comparator": [">=", ">=", ">="],
            "threshold": [100.0, 100.0, 100.0],
            "value": [73.2, 102.1, 109.4],
            # P02-01 restated 300 instead of 1000: the mean drops under 100 % and flips; the median does not
            "value_reported_target": [32.4, 94.5, 104.9],
            "verdict": [NOT_SUPPORTED, SUPPORTED, SUPPORTED],
            "verdict_reported_target": [NOT_SUPPORTED, NOT_SUPPORTED, SUPPORTED],
            "coverage_pct": [100.0, 100.0, 100.0],
        }
    )
    table = program_tables.claim_readings_table(readings, "en").data
    assert list(table.columns[1:3]) == ["Result", "Result (agencies' restated targets)"]
    assert table.iloc[:, 2].tolist() == ["32.4%", "94.5% (not supported by the data)", "104.9%"]
    assert "32,4%" in program_tables.claim_readings_table(readings, "id").data.iloc[0, 2]
    # no restated target in the window: the column is not shown
    plain = readings.assign(value_reported_target=np.nan, verdict_reported_target=None)
    assert "Result (agencies' restated targets)" not in program_tables.claim_readings_table(plain, "en").data
