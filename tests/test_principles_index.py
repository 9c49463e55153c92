"""End-to-end tests of evaluate_principles on tiny inline tables, with the arithmetic written out."""

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.evaluate.composite import impute_from_previous
from analysis.evaluate.principles import (
    STATUS_INSUFFICIENT,
    STATUS_SCORED,
    IndexOptions,
    evaluate_principles,
    impute_group_median,
    load_framework,
)
from analysis.evaluate.principles.indicators import compute_indicator_values, survey_means

PERIOD = "2025-TW3"  # last day 2025-09-30
KEL = "15.71.07.1012"
KEC = "15.71.07"

# Four indicators, one per principle (the "3 RTs x 4 indicators" case).
TINY_INDICATORS = [
    {
        "code": "T_papan",
        "name": "Papan informasi",
        "principle": "transparansi",
        "compute": {"kind": "boolean", "column": "has_info_board"},
        "direction": "positive",
        "goalposts": {"low": 0, "high": 1},
    },
    {
        "code": "P_perempuan",
        "name": "Porsi perempuan",
        "principle": "partisipatif",
        "compute": {"kind": "ratio", "numerator": "participants_women", "denominator": "participants_total"},
        "direction": "positive",
        "goalposts": {"low": 0, "high": 0.5},
    },
    {
        "code": "A_lpj",
        "name": "LPJ terlambat",
        "principle": "akuntabilitas",
        "compute": {
            "kind": "date_diff_days",
            "end": "lpj_submitted_date",
            "start": "lpj_deadline_date",
            "missing_end": "period_end",
        },
        "direction": "negative",
        "goalposts": {"low": 0, "high": 30},
    },
    {
        "code": "S_aset",
        "name": "Aset berfungsi",
        "principle": "keberlanjutan",
        "compute": {
            "kind": "ordinal",
            "column": "asset_status",
            "map": {
                "berfungsi_penuh": 1,
                "sebagian": 0.5,
                "tidak_berfungsi": 0,
                "belum_ada": "not_applicable",
            },
        },
        "direction": "positive",
        "goalposts": {"low": 0, "high": 1},
    },
]


def write_framework(tmp_path, indicators=TINY_INDICATORS, principle_weights=None, **settings):
    weights = principle_weights or {}
    data = {
        "principles": {
            p: {"weight": weights.get(p, 1)}
            for p in ("transparansi", "partisipatif", "akuntabilitas", "keberlanjutan")
        },
        "settings": {"n_runs": 200, **settings},
        "indicators": indicators,
    }
    path = tmp_path / "framework.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def registry(rows):
    """rt_registry with the cleaned columns; rows: (rt_number, households_kk, start_year[, kelurahan_code])."""
    out = []
    for row in rows:
        number, kk, start = row[:3]
        kel = row[3] if len(row) > 3 else KEL
        out.append(
            {
                "rt_code": f"{kel}.{number:03d}",
                "kelurahan_code": kel,
                "kelurahan_name": {KEL: "Kenali Asam"}.get(kel, "Lain"),
                "kecamatan_code": KEC,
                "kecamatan_name": "Kota Baru",
                "rw": pd.NA,
                "rt_number": number,
                "households_kk": kk,
                "residents": kk * 4,
                "is_kampung_bahagia": True,
                "start_year": start,
                "is_pilot": start == 2025,
            }
        )
    df = pd.DataFrame(out)
    return df.astype(
        {
            "rw": "Int64",
            "rt_number": "Int64",
            "households_kk": "Int64",
            "residents": "Int64",
            "is_kampung_bahagia": "boolean",
            "start_year": "Int64",
            "is_pilot": "boolean",
        }
    )


REPORT_DEFAULTS = {
    "budget_allocated_idr": 100_000_000.0,
    "budget_spent_idr": 50_000_000.0,
    "swadaya_idr": 5_000_000.0,
    "activities_planned": 4,
    "activities_completed": 2,
    "meetings_held": 2,
    "households_at_meetings": 50,
    "participants_women": 30,
    "participants_total": 60,
    "has_info_board": True,
    "is_spending_announced": True,
    "lpj_submitted_date": "2025-09-10",
    "lpj_deadline_date": "2025-09-15",
    "audit_findings": 0,
    "audit_findings_followed_up": 0,
    "complaints_received": 0,
    "complaints_resolved": 0,
    "asset_status": "berfungsi_penuh",
    "has_maintenance_plan": True,
}


def reports(rows, period=PERIOD):
    """rt_reports with the cleaned columns; rows: dicts with rt_code and overrides of REPORT_DEFAULTS."""
    out = []
    for i, row in enumerate(rows):
        rec = {
            "period": period,
            "rt_code": row["rt_code"],
            "kelurahan_code": row["rt_code"][:13],
            **REPORT_DEFAULTS,
        }
        rec.update({k: v for k, v in row.items() if k != "rt_code"})
        rec.update(
            note="",
            is_overspent=False,
            source_file="kampung_bahagia/x.xlsx",
            source_sheet="Laporan RT",
            source_row=5 + i,
        )
        out.append(rec)
    df = pd.DataFrame(out)
    for col in (
        "activities_planned",
        "activities_completed",
        "meetings_held",
        "households_at_meetings",
        "participants_women",
        "participants_total",
        "audit_findings",
        "audit_findings_followed_up",
        "complaints_received",
        "complaints_resolved",
        "source_row",
    ):
        df[col] = df[col].astype("Int64")
    for col in ("has_info_board", "is_spending_announced", "has_maintenance_plan", "is_overspent"):
        df[col] = df[col].astype("boolean")
    for col in ("lpj_submitted_date", "lpj_deadline_date"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[us]")
    df["asset_status"] = df["asset_status"].astype("str")
    return df


def rt(n):
    return f"{KEL}.{n:03d}"


def tiny_tables():
    """R1, R2, R3 of the hand-computed case (see test_tiny_index_by_hand)."""
    reg = registry([(1, 100, 2025), (2, 300, 2025), (3, 60, 2026)])
    rep = reports(
        [
            {
                "rt_code": rt(1),
                "has_info_board": True,
                "participants_women": 15,
                "participants_total": 60,
                "lpj_submitted_date": "2025-09-21",
                "asset_status": "sebagian",
            },
            {
                "rt_code": rt(2),
                "has_info_board": False,
                "participants_women": 24,
                "participants_total": 40,
                "lpj_submitted_date": None,
                "asset_status": "berfungsi_penuh",
            },
            {
                "rt_code": rt(3),
                "has_info_board": True,
                "participants_women": 9,
                "participants_total": 90,
                "lpj_submitted_date": "2025-09-15",
                "asset_status": "tidak_berfungsi",
            },
        ]
    )
    return {"rt_registry": reg, "rt_reports": rep}


def test_tiny_index_by_hand(tmp_path):
    # Goalposts, equal weights, arithmetic:
    # R1: board yes -> 100; women 15/60 = 0.25 -> 100*0.25/0.5 = 50; LPJ 21 Sep vs 15 Sep = 6 days late
    #     -> 100*(30-6)/30 = 80; asset sebagian 0.5 -> 50.      index = (100 + 50 + 80 + 50) / 4 = 70.0
    # R2: board no -> 0; women 24/40 = 0.6 -> 120 -> truncated 100; LPJ missing, deadline 15 Sep passed ->
    #     late to period end 30 Sep = 15 days -> 100*(30-15)/30 = 50; asset berfungsi_penuh -> 100.
    #                                                             index = (0 + 100 + 50 + 100) / 4 = 62.5
    # R3: board yes -> 100; women 9/90 = 0.1 -> 20; LPJ on the deadline, 0 days -> 100; asset tidak_berfungsi -> 0.
    #                                                             index = (100 + 20 + 100 + 0) / 4 = 55.0
    out = evaluate_principles(tiny_tables(), PERIOD, framework_path=write_framework(tmp_path))
    idx = out["rt_index"].set_index("rt_code")
    assert (idx["status"] == STATUS_SCORED).all()
    np.testing.assert_allclose(idx["transparansi"], [100, 0, 100])
    np.testing.assert_allclose(idx["partisipatif"], [50, 100, 20])
    np.testing.assert_allclose(idx["akuntabilitas"], [80, 50, 100])
    np.testing.assert_allclose(idx["keberlanjutan"], [50, 100, 0])
    np.testing.assert_allclose(idx["index"], [70.0, 62.5, 55.0])
    assert idx["rank"].tolist() == [1, 2, 3]
    assert idx["category"].tolist() == ["Baik", "Cukup", "Cukup"]  # >= 65 Baik, >= 50 Cukup
    assert idx["data_coverage"].tolist() == [1.0, 1.0, 1.0]
    # pilot group (R1, R2) and 2026 group (R3) ranked separately
    assert idx["rank_in_group"].tolist() == [1, 2, 1]
    assert idx["n_in_group"].tolist() == [2, 2, 1]
    # every rank has its interval next to it, and the interval contains sensible values
    for prefix in ("rank", "rank_in_group"):
        assert (idx[f"{prefix}_p05"] <= idx[f"{prefix}_median"]).all()
        assert (idx[f"{prefix}_median"] <= idx[f"{prefix}_p95"]).all()
    assert idx["rank_in_group_median"].iloc[2] == 1.0

    # contributions: arithmetic -> x / 4 each; R1: 25 + 12.5 + 20 + 12.5 = 70
    ind = out["rt_index_indicators"]
    r1 = ind[ind["rt_code"] == rt(1)].set_index("indicator")
    np.testing.assert_allclose(
        r1.loc[["T_papan", "P_perempuan", "A_lpj", "S_aset"], "contribution_index"], [25, 12.5, 20, 12.5]
    )
    np.testing.assert_allclose(
        r1.loc[["T_papan", "P_perempuan", "A_lpj", "S_aset"], "raw_value"], [1, 0.25, 6, 0.5]
    )
    assert r1.loc["A_lpj", "normalised_value"] == pytest.approx(80)
    assert ind.groupby("rt_code")["contribution_index"].sum().tolist() == pytest.approx([70.0, 62.5, 55.0])
    assert (ind["weight"] == 1.0).all()  # one indicator per principle


def test_tiny_index_with_weights_geometric_and_minmax(tmp_path):
    tables = tiny_tables()
    # transparansi weight 2: R1 = (2*100 + 50 + 80 + 50) / 5 = 76; R2 = (0 + 100 + 50 + 100) / 5 = 50;
    # R3 = (200 + 20 + 100 + 0) / 5 = 64
    path = write_framework(tmp_path, principle_weights={"transparansi": 2})
    idx = evaluate_principles(tables, PERIOD, framework_path=path)["rt_index"]
    np.testing.assert_allclose(idx["index"], [76.0, 50.0, 64.0])
    assert idx["rank"].tolist() == [1, 3, 2]

    # geometric, equal weights, zeros floored at 1:
    # R1 = (100*50*80*50)^(1/4) = 2e7^0.25 = 66.874; R2 = (1*100*50*100)^(1/4) = 5e5^0.25 = 26.591;
    # R3 = (100*20*100*1)^(1/4) = 2e5^0.25 = 21.147
    path = write_framework(tmp_path)
    idx = evaluate_principles(
        tables, PERIOD, framework_path=path, options=IndexOptions(aggregation="geometric")
    )["rt_index"]
    np.testing.assert_allclose(idx["index"], [2e7**0.25, 5e5**0.25, 2e5**0.25])
    ind = evaluate_principles(
        tables, PERIOD, framework_path=path, options=IndexOptions(aggregation="geometric")
    )["rt_index_indicators"]
    assert ind.groupby("rt_code")["contribution_index"].sum().tolist() == pytest.approx(idx["index"].tolist())

    # min-max: board [1,0,1] -> [100,0,100]; women [.25,.6,.1] -> (x-.1)/.5 -> [30,100,0];
    # LPJ days [6,15,0], lower is better -> (15-x)/15 -> [60,0,100]; asset [.5,1,0] -> [50,100,0]
    # R1 = (100+30+60+50)/4 = 60; R2 = (0+100+0+100)/4 = 50; R3 = (100+0+100+0)/4 = 50 -> ranks 1, 2, 2
    idx = evaluate_principles(
        tables, PERIOD, framework_path=path, options=IndexOptions(normalisation="minmax")
    )["rt_index"]
    np.testing.assert_allclose(idx["index"], [60.0, 50.0, 50.0])
    assert idx["rank"].tolist() == [1, 2, 2]


def test_strengths_and_weaknesses_against_the_median(tmp_path):
    # medians of the normalised values over R1..R3: T 100, P 50, A 80, S 50 (R1 sits on every median).
    # R2: T 0-100 = -100, P 100-50 = +50, A 50-80 = -30, S 100-50 = +50
    # R3: T 0, P 20-50 = -30, A 100-80 = +20, S 0-50 = -50
    sw = evaluate_principles(tiny_tables(), PERIOD, framework_path=write_framework(tmp_path))[
        "rt_strengths_weaknesses"
    ]
    assert rt(1) not in set(sw["rt_code"])
    r2 = sw[sw["rt_code"] == rt(2)]
    assert r2[r2["side"] == "kekuatan"]["indicator"].tolist() == ["P_perempuan", "S_aset"]  # tie: code order
    assert r2[r2["side"] == "kelemahan"]["indicator"].tolist() == ["T_papan", "A_lpj"]
    assert r2[r2["side"] == "kelemahan"]["difference"].tolist() == pytest.approx([-100, -30])
    r3 = sw[sw["rt_code"] == rt(3)]
    assert r3[r3["side"] == "kekuatan"]["indicator"].tolist() == ["A_lpj"]
    assert r3[r3["side"] == "kelemahan"]["indicator"].tolist() == ["S_aset", "P_perempuan"]


def test_screening_marks_rts_with_too_little_data(tmp_path):
    tables = tiny_tables()
    reg = registry(
        [(1, 100, 2025), (2, 300, 2025), (3, 60, 2026), (4, 80, 2025), (5, 90, 2025), (6, 70, 2025)]
    )
    rep = pd.concat(
        [
            tables["rt_reports"],
            reports(
                [
                    # R4: asset belum_ada -> not applicable -> keberlanjutan has no indicator
                    {"rt_code": rt(4), "asset_status": "belum_ada"},
                    # R5: board and women missing -> 2 of 4 = 50 % < 2/3 (and two principles empty)
                    {
                        "rt_code": rt(5),
                        "has_info_board": None,
                        "participants_total": None,
                        "participants_women": None,
                    },
                ]
            ),
        ],
        ignore_index=True,
    )
    # R6 is in the registry but sent no report
    out = evaluate_principles(
        {"rt_registry": reg, "rt_reports": rep}, PERIOD, framework_path=write_framework(tmp_path)
    )
    idx = out["rt_index"].set_index("rt_code")
    assert idx.loc[[rt(4), rt(5), rt(6)], "status"].eq(STATUS_INSUFFICIENT).all()
    assert "keberlanjutan" in idx.loc[rt(4), "status_reason"]
    assert idx.loc[rt(4), "n_indicators_applicable"] == 3
    assert idx.loc[rt(5), "data_coverage"] == pytest.approx(0.5)
    assert "50%" in idx.loc[rt(5), "status_reason"]
    assert "tidak ada laporan" in idx.loc[rt(6), "status_reason"]
    # no score and no rank for them; the scored three keep their hand values
    assert idx.loc[[rt(4), rt(5), rt(6)], ["index", "transparansi", "rank", "rank_median"]].isna().all().all()
    np.testing.assert_allclose(idx.loc[[rt(1), rt(2), rt(3)], "index"], [70.0, 62.5, 55.0])
    # the kelurahan roll-up counts every RT but scores only the scored ones
    kel = out["index_kelurahan"].iloc[0]
    assert (kel["n_rt"], kel["n_rt_scored"], kel["n_rt_pilot_scored"]) == (6, 3, 2)
    # household-weighted: (100*70 + 300*62.5 + 60*55) / 460 = 29050 / 460
    assert kel["index"] == pytest.approx(29050 / 460)
    assert kel["index_median"] == pytest.approx(62.5)


def test_kelurahan_median_imputation_is_flagged(tmp_path):
    # Two indicators in partisipatif so that one missing cell leaves the principle scored.
    indicators = [
        *TINY_INDICATORS,
        {
            "code": "P_hadir",
            "principle": "partisipatif",
            "compute": {
                "kind": "ratio",
                "numerator": "households_at_meetings",
                "denominator": "households_kk",
            },
            "direction": "positive",
            "goalposts": {"low": 0, "high": 0.5},
        },
    ]
    path = write_framework(tmp_path, indicators=indicators)
    reg = registry([(1, 100, 2025), (2, 200, 2025), (3, 100, 2025), (4, 100, 2025)])
    rep = reports(
        [
            {"rt_code": rt(1), "households_at_meetings": 20},  # 0.2 -> 40
            {"rt_code": rt(2), "households_at_meetings": 80},  # 0.4 -> 80
            {"rt_code": rt(3), "households_at_meetings": 30},  # 0.3 -> 60
            {
                "rt_code": rt(4),
                "households_at_meetings": None,
            },  # missing; kelurahan median of 0.2, 0.4, 0.3 = 0.3
        ]
    )
    tables = {"rt_registry": reg, "rt_reports": rep}
    # Without imputation R4's partisipatif = women share only: 30/60 = 0.5 -> 100
    plain = evaluate_principles(tables, PERIOD, framework_path=path)
    assert plain["rt_index"].set_index("rt_code").loc[rt(4), "partisipatif"] == pytest.approx(100.0)
    out = evaluate_principles(
        tables, PERIOD, framework_path=path, options=IndexOptions(imputation="kelurahan_median")
    )
    idx = out["rt_index"].set_index("rt_code")
    # With it: (100 + 60) / 2 = 80
    assert idx.loc[rt(4), "partisipatif"] == pytest.approx(80.0)
    assert idx.loc[rt(4), "n_indicators_imputed"] == 1
    assert idx.loc[rt(4), "data_coverage"] == pytest.approx(4 / 5)  # screening counts the gap
    cell = out["rt_index_indicators"].set_index(["rt_code", "indicator"]).loc[(rt(4), "P_hadir")]
    assert (
        bool(cell["is_imputed"]) and np.isnan(cell["raw_value"]) and cell["value_used"] == pytest.approx(0.3)
    )
    assert not out["rt_index_indicators"].query("rt_code != @rt(4)")["is_imputed"].any()


def test_impute_falls_back_to_kecamatan_then_all():
    v = pd.DataFrame({"x": [1.0, 5.0, np.nan, 7.0]}, index=list("abcd"))
    kel = pd.Series(["k1", "k1", "k2", "k3"], index=v.index)
    kec = pd.Series(["c1", "c1", "c2", "c1"], index=v.index)
    everyone = pd.Series("all", index=v.index)
    filled, flag = impute_group_median(
        v, v.notna() | True, [kel, kec, everyone], pd.Series(True, index=v.index)
    )
    # kelurahan k2 and kecamatan c2 have no donor -> median of all donors (1, 5, 7) = 5
    assert filled.loc["c", "x"] == 5.0 and flag.loc["c", "x"]


def test_change_against_previous_period(tmp_path):
    path = write_framework(tmp_path)
    prev = tiny_tables()
    prev["rt_reports"] = prev["rt_reports"].assign(
        period="2025-TW2", has_info_board=pd.array([False, False, True], dtype="boolean")
    )
    # previous: R1 board no -> (0 + 50 + p + 50)/4 where LPJ 21 Sep vs deadline 15 Sep, period end 30 Jun:
    # deadline after the period end but submitted (21 Sep) -> 6 days -> 80: (0 + 50 + 80 + 50)/4 = 45
    # R2: LPJ missing, deadline 15 Sep after 30 Jun -> not yet due -> akuntabilitas has no indicator -> not scored
    # R3: same as now -> 55
    out = evaluate_principles(tiny_tables(), PERIOD, previous_tables=prev, framework_path=path)
    idx = out["rt_index"].set_index("rt_code")
    assert idx["period_previous"].unique().tolist() == ["2025-TW2"]
    np.testing.assert_allclose(idx["index_previous"], [45.0, np.nan, 55.0])
    np.testing.assert_allclose(idx["index_change"], [25.0, np.nan, 0.0])
    assert idx.loc[rt(2), "status_previous"] == STATUS_INSUFFICIENT
    # previous ranks: R3 55 -> 1, R1 45 -> 2; change = previous - now: R1 2-1 = +1, R3 1-3 = -2
    assert idx["rank_previous"].tolist()[0] == 2 and idx["rank_change"].tolist()[0] == 1
    assert idx.loc[rt(3), "rank_change"] == -2
    assert {"rank_previous_median", "rank_previous_p05", "rank_previous_p95"} <= set(idx.columns)
    kel = out["index_kelurahan"].iloc[0]
    # household-weighted previous: (100*45 + 60*55) / 160 = 48.75; now (100*70 + 300*62.5 + 60*55)/460
    assert kel["index_previous"] == pytest.approx(48.75)
    assert kel["index_change"] == pytest.approx(29050 / 460 - 48.75)


def test_uncertainty_same_seed_same_result_other_seed_differs(tmp_path):
    path = write_framework(tmp_path, n_runs=300)
    rng = np.random.default_rng(5)
    n = 30
    reg = registry([(i, int(rng.integers(40, 900)), 2025 if i % 3 else 2026) for i in range(1, n + 1)])
    rep = reports(
        [
            {
                "rt_code": rt(i),
                "has_info_board": bool(rng.random() < 0.6),
                "participants_women": int(rng.integers(0, 40)),
                "participants_total": 60,
                "lpj_submitted_date": str(
                    (pd.Timestamp("2025-09-05") + pd.Timedelta(days=int(rng.integers(0, 25)))).date()
                ),
                "asset_status": str(rng.choice(["berfungsi_penuh", "sebagian", "tidak_berfungsi"])),
            }
            for i in range(1, n + 1)
        ]
    )
    tables = {"rt_registry": reg, "rt_reports": rep}
    cols = [
        "rank_median",
        "rank_p05",
        "rank_p95",
        "rank_in_group_median",
        "rank_in_group_p05",
        "rank_in_group_p95",
    ]
    a = evaluate_principles(tables, PERIOD, framework_path=path, seed=11)
    b = evaluate_principles(tables, PERIOD, framework_path=path, seed=11)
    c = evaluate_principles(tables, PERIOD, framework_path=path, seed=12)
    pd.testing.assert_frame_equal(a["rt_index"][cols], b["rt_index"][cols])
    assert not a["rt_index"][cols].equals(c["rt_index"][cols])
    pd.testing.assert_series_equal(
        a["rt_index"]["index"], c["rt_index"]["index"]
    )  # the nominal index does not move
    settings = a["index_uncertainty_settings"].set_index("setting")["value"]
    assert settings["seed"] == "11" and settings["n_runs"] == "300"


def test_no_runs_means_no_ranks(tmp_path):
    out = evaluate_principles(
        tiny_tables(), PERIOD, framework_path=write_framework(tmp_path), options=IndexOptions(n_runs=0)
    )
    idx = out["rt_index"]
    assert idx["index"].notna().all()
    assert idx[["rank", "rank_median", "rank_p05", "rank_p95", "rank_in_group"]].isna().all().all()


def test_audit_flags_redundant_and_negative_pairs(tmp_path):
    # transparansi gets three indicators: board; announced, equal to board (rho = 1 -> redundan); and a
    # swadaya ratio built to move exactly against the board (rho = -1 -> korelasi_negatif, which wins over
    # |rho| > 0.9)
    indicators = [
        *TINY_INDICATORS,
        {
            "code": "T_umum",
            "principle": "transparansi",
            "compute": {"kind": "boolean", "column": "is_spending_announced"},
            "direction": "positive",
            "goalposts": {"low": 0, "high": 1},
        },
        {
            "code": "T_lawan",
            "principle": "transparansi",
            "compute": {"kind": "ratio", "numerator": "swadaya_idr", "denominator": "budget_allocated_idr"},
            "direction": "positive",
            "goalposts": {"low": 0, "high": 0.2},
        },
    ]
    path = write_framework(tmp_path, indicators=indicators)
    boards = [True, False, True, False, True]
    reg = registry([(i, 100, 2025) for i in range(1, 6)])
    rep = reports(
        [
            {
                "rt_code": rt(i + 1),
                "has_info_board": b,
                "is_spending_announced": b,
                "swadaya_idr": 1e6 if b else 1.5e7,
                "participants_women": 10 + i,
            }
            for i, b in enumerate(boards)
        ]
    )
    audit = evaluate_principles({"rt_registry": reg, "rt_reports": rep}, PERIOD, framework_path=path)[
        "index_audit"
    ]
    pairs = audit[audit["check"] == "spearman"].set_index(["indicator", "indicator_other"])
    assert pairs.loc[("T_papan", "T_umum"), "flag"] == "redundan"
    assert pairs.loc[("T_papan", "T_umum"), "value"] == pytest.approx(1.0)
    assert pairs.loc[("T_papan", "T_lawan"), "flag"] == "korelasi_negatif"
    alpha = audit[(audit["check"] == "cronbach_alpha")].set_index("principle")
    assert alpha.loc["partisipatif", "flag"] == "tidak_dihitung"  # one indicator only
    # transparansi alpha by hand on the normalised values: board = announced = 100,0,100,0,100 (mean 60);
    # T_lawan: swadaya 1e6/1e8 = 0.01 -> 100*0.01/0.2 = 5, 1.5e7/1e8 = 0.15 -> 75: 5,75,5,75,5 (mean 33).
    # var(a) = var(b) = (3*40^2 + 2*60^2)/4 = 3000; var(c) = (3*28^2 + 2*42^2)/4 = 1470;
    # cov(a,b) = 3000; cov(a,c) = cov(b,c) = (3*40*-28 + 2*-60*42)/4 = -2100.
    # trace C = 7470; sum C = 7470 + 2*(3000 - 2100 - 2100) = 5070; alpha = 3/2 * (1 - 7470/5070) = -0.710
    assert alpha.loc["transparansi", "value"] == pytest.approx(1.5 * (1 - 7470 / 5070))
    assert alpha.loc["transparansi", "flag"] == "alpha_rendah"
    spread = audit[(audit["check"] == "spread") & (audit["indicator"] == "A_lpj")]
    assert spread["flag"].tolist() == ["tanpa_variasi"]  # every RT submitted on 10 Sep


@pytest.mark.parametrize(
    ("column_values", "zero_denominator", "expected", "applicable"),
    [
        pytest.param(
            ([3, 0, pd.NA], [4, 0, 5]),
            "missing",
            [0.75, np.nan, np.nan],
            [True, True, True],
            id="zero_is_missing",
        ),
        pytest.param(
            ([3, 0, 1], [4, 0, pd.NA]),
            "not_applicable",
            [0.75, np.nan, np.nan],
            [True, False, True],
            id="zero_not_applicable",
        ),
    ],
)
def test_ratio_denominators(tmp_path, column_values, zero_denominator, expected, applicable):
    ind = {
        "code": "A_aduan",
        "principle": "akuntabilitas",
        "compute": {
            "kind": "ratio",
            "numerator": "complaints_resolved",
            "denominator": "complaints_received",
            "zero_denominator": zero_denominator,
        },
        "direction": "positive",
        "goalposts": {"low": 0, "high": 1},
    }
    fw = load_framework(write_framework(tmp_path, indicators=[*TINY_INDICATORS, ind]))
    frame = reports([{"rt_code": rt(i + 1)} for i in range(3)]).set_index("rt_code", drop=False)
    frame["complaints_resolved"] = pd.array(column_values[0], dtype="Int64")
    frame["complaints_received"] = pd.array(column_values[1], dtype="Int64")
    values, app = compute_indicator_values(frame, None, fw, pd.Timestamp("2025-09-30").date())
    np.testing.assert_allclose(values["A_aduan"], expected)
    assert app["A_aduan"].tolist() == applicable


def test_serapan_distance_and_lpj_not_yet_due(tmp_path):
    serapan = {
        "code": "A_serapan",
        "principle": "akuntabilitas",
        "compute": {
            "kind": "ratio",
            "numerator": "budget_spent_idr",
            "denominator": "budget_allocated_idr",
            "scale": 100,
            "distance_from": 100,
        },
        "direction": "negative",
        "goalposts": {"low": 0, "high": 50},
    }
    fw = load_framework(write_framework(tmp_path, indicators=[*TINY_INDICATORS, serapan]))
    frame = reports(
        [
            {"rt_code": rt(1), "budget_spent_idr": 80e6},  # |80 - 100| = 20
            {"rt_code": rt(2), "budget_spent_idr": 110e6},  # |110 - 100| = 10 (over-spending counts too)
            {"rt_code": rt(3), "lpj_submitted_date": None, "lpj_deadline_date": "2025-10-15"},  # not yet due
        ]
    ).set_index("rt_code", drop=False)
    values, app = compute_indicator_values(frame, None, fw, pd.Timestamp("2025-09-30").date())
    np.testing.assert_allclose(values["A_serapan"], [20.0, 10.0, 50.0])
    assert app["A_lpj"].tolist() == [True, True, False]
    np.testing.assert_allclose(values["A_lpj"], [-5.0, -5.0, np.nan])  # 10 Sep vs 15 Sep: 5 days early


def test_unknown_asset_category_raises(tmp_path):
    fw = load_framework(write_framework(tmp_path))
    frame = reports([{"rt_code": rt(1), "asset_status": "rusak"}]).set_index("rt_code", drop=False)
    with pytest.raises(ValueError, match=r"unmapped categories \['rusak'\].*15.71.07.1012.001"):
        compute_indicator_values(frame, None, fw, pd.Timestamp("2025-09-30").date())


@pytest.mark.parametrize(
    ("too_few", "applicable"),
    [
        pytest.param("not_applicable", [True, False, False], id="unsurveyed_not_applicable"),
        pytest.param("missing", [True, True, True], id="unsurveyed_missing"),
    ],
)
def test_survey_indicator_min_respondents_and_absent_survey(tmp_path, too_few, applicable):
    survey_ind = {
        "code": "T_survei",
        "principle": "transparansi",
        "compute": {
            "kind": "survey_mean",
            "items": ["t1", "t2"],
            "min_respondents": 2,
            "too_few_respondents": too_few,
        },
        "direction": "positive",
        "goalposts": {"low": 1, "high": 5},
    }
    fw = load_framework(write_framework(tmp_path, indicators=[*TINY_INDICATORS, survey_ind]))
    frame = reports([{"rt_code": rt(1)}, {"rt_code": rt(2)}, {"rt_code": rt(3)}]).set_index(
        "rt_code", drop=False
    )
    survey = pd.DataFrame(
        {
            "period": PERIOD,
            "rt_code": [rt(1), rt(1), rt(2)],
            "respondent_no": [1, 2, 1],
            "t1": [4, 2, 5],
            "t2": [5, 3, 5],
        }
    ).astype({"t1": "Int64", "t2": "Int64"})
    # R1: respondents (4+5)/2 = 4.5 and (2+3)/2 = 2.5 -> 3.5; R2: one respondent < 2 -> no value; R3: none
    values, app = compute_indicator_values(frame, survey, fw, pd.Timestamp("2025-09-30").date())
    np.testing.assert_allclose(values["T_survei"], [3.5, np.nan, np.nan])
    assert app["T_survei"].tolist() == applicable
    assert survey_means(survey, ("t1", "t2")).loc[rt(1), "n_respondents"] == 2
    values, app = compute_indicator_values(frame, None, fw, pd.Timestamp("2025-09-30").date())
    assert not app["T_survei"].any()  # no survey this period: not applicable, not missing


def test_shipped_framework_end_to_end_and_documented_tables(tmp_path):
    tables = tiny_tables()
    survey = pd.DataFrame(
        [
            {
                "period": PERIOD,
                "rt_code": rt(i),
                "respondent_no": r,
                **{k: 3 + (i + r) % 3 for k in ("t1", "t2", "p1", "p2", "a1", "a2", "s1", "s2")},
            }
            for i in (1, 2, 3)
            for r in (1, 2, 3)
        ]
    )
    tables["survey"] = survey
    out = evaluate_principles(tables, PERIOD, options=IndexOptions(n_runs=50))
    assert set(out) == {
        "rt_index",
        "rt_index_indicators",
        "rt_strengths_weaknesses",
        "index_audit",
        "index_kelurahan",
        "index_kecamatan",
        "index_uncertainty_settings",
        "index_sensitivity",
        "index_correlations",
        "index_pca",
    }
    idx = out["rt_index"]
    assert len(idx) == 3 and idx["index"].between(0, 100).all()
    assert len(out["rt_index_indicators"]) == 3 * 15
    for name, frame in out.items():  # every table can be written as Parquet
        frame.to_parquet(tmp_path / f"{name}.parquet")
    rank_cols = [
        c
        for c in idx.columns
        if c.startswith("rank") and not c.endswith(("_median", "_p05", "_p95", "_change"))
    ]
    for col in rank_cols:  # every rank column has its interval next to it
        assert {f"{col}_median", f"{col}_p05", f"{col}_p95"} <= set(idx.columns)


def test_rollup_median_option_and_kecamatan(tmp_path):
    # median of the scored RTs 70, 62.5, 55 = 62.5 (instead of the household-weighted 29050/460)
    out = evaluate_principles(
        tiny_tables(),
        PERIOD,
        framework_path=write_framework(tmp_path),
        options=IndexOptions(rollup="median", weight_scheme="dirichlet"),
    )
    kel, kec = out["index_kelurahan"].iloc[0], out["index_kecamatan"].iloc[0]
    assert kel["index"] == pytest.approx(62.5) and kec["index"] == pytest.approx(62.5)
    assert kel["transparansi"] == pytest.approx(100.0)  # median of 100, 0, 100
    assert (kec["kecamatan_code"], kec["n_rt"], kec["households_kk_scored"]) == (KEC, 3, 460.0)
    assert kel["category"] == "Cukup"


# ------------------------------------------------------------------ the engine's methods in a framework
# Raw values of the tiny case: board [1, 0, 1], women [.25, .6, .1], LPJ days late [6, 15, 0] (lower is
# better), asset [.5, 1, 0]; goalposts principle scores R1 [100, 50, 80, 50], R2 [0, 100, 50, 100],
# R3 [100, 20, 100, 0] (test_tiny_index_by_hand).


@pytest.mark.parametrize(
    ("settings", "expected", "ranks"),
    [
        pytest.param({}, [70.0, 62.5, 55.0], [1, 2, 3], id="goalposts_arithmetic_as_before"),
        # harmonic 4 / sum(1/P), zeros raised to the floor 1: R1 4/(.01+.02+.0125+.02) = 64;
        # R2 4/(1+.01+.02+.01) = 3.846; R3 4/(.01+.05+.01+1) = 3.738
        pytest.param({"aggregation": "harmonic"}, [64.0, 4 / 1.04, 4 / 1.07], [1, 2, 3], id="harmonic"),
        # generalised p = 2: sqrt(mean(P^2)): R1 sqrt(21400/4); R2 sqrt(22500/4) = 75; R3 sqrt(20400/4)
        pytest.param(
            {"aggregation": "generalised", "generalised_mean_p": 2},
            [5350**0.5, 75.0, 5100**0.5],
            [2, 1, 3],
            id="generalised_p2",
        ),
        # percentile rank, ties "min" (COINr n_prank): board [50, 0, 50] (the existing rank gives the tied
        # RTs 75); women [50, 100, 0]; LPJ [50, 0, 100]; asset [50, 100, 0]
        pytest.param(
            {"normalisation": "percentile_rank"}, [50.0, 50.0, 37.5], [1, 1, 3], id="percentile_rank"
        ),
        pytest.param({"normalisation": "rank"}, [56.25, 50.0, 43.75], [1, 2, 3], id="rank_average_ties"),
        # scaled (goalposts without truncation): women 0.6 / 0.5 -> 120 for R2: (0 + 120 + 50 + 100) / 4
        pytest.param({"normalisation": "scaled"}, [70.0, 67.5, 55.0], [1, 2, 3], id="scaled_untruncated"),
        # distance to the maximum: board [100, 0, 100]; women (x - .1)/.5 [30, 100, 0]; LPJ (15 - x)/15
        # [60, 0, 100]; asset [50, 100, 0] (here the same as min-max)
        pytest.param({"normalisation": "dist2max"}, [60.0, 50.0, 50.0], [1, 2, 2], id="dist2max"),
    ],
)
def test_engine_methods_chosen_in_the_framework_file(tmp_path, settings, expected, ranks):
    path = write_framework(tmp_path, **settings)
    out = evaluate_principles(tiny_tables(), PERIOD, framework_path=path)
    idx = out["rt_index"]
    np.testing.assert_allclose(idx["index"], expected)
    assert idx["rank"].tolist() == ranks
    ind = out["rt_index_indicators"]  # contributions still add up to the index
    assert ind.groupby("rt_code")["contribution_index"].sum().tolist() == pytest.approx(expected)
    shown = out["index_uncertainty_settings"].set_index("setting")["value"]
    assert shown["normalisation"] == settings.get("normalisation", "goalposts")
    assert shown["aggregation"] == settings.get("aggregation", "arithmetic")


def test_fracmax_and_no_spread_through_the_engine():
    from analysis.evaluate.principles.evaluate import _normalise_with_engine

    fw = load_framework()
    board = next(i for i in fw.indicators if i.code == "T1_papan_informasi")
    np.testing.assert_allclose(
        _normalise_with_engine(np.array([1.0, 2.0, 4.0, np.nan]), board, "fracmax"), [25, 50, 100, np.nan]
    )
    # one RT or no spread: the engine gives NaN (COINr), the index scores 50 as min-max does
    np.testing.assert_allclose(_normalise_with_engine(np.array([3.0, 3.0]), board, "dist2max"), [50, 50])
    np.testing.assert_allclose(_normalise_with_engine(np.array([3.0]), board, "percentile_rank"), [50])


def test_mean_imputation_differs_from_median():
    v = pd.DataFrame({"x": [1.0, 2.0, 6.0, np.nan]}, index=list("abcd"))
    kel = pd.Series(["k1"] * 4, index=v.index)
    everyone = pd.Series(True, index=v.index)
    median, _ = impute_group_median(v, v.notna() | True, [kel], everyone)
    mean, flag = impute_group_median(v, v.notna() | True, [kel], everyone, how="mean")
    assert (median.at["d", "x"], mean.at["d", "x"], bool(flag.at["d", "x"])) == (2.0, 3.0, True)


def test_winsorise_log_treatment_before_minmax(tmp_path):
    from analysis.evaluate.principles.evaluate import normalise_matrix

    # women's share with one outlier: COINr's rule fails (skew >= 2, kurtosis >= 3.5), one point is
    # winsorised to the next value inward (50 -> 3), and min-max then spreads (x - 1) / 2
    x = [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 50.0]
    values = pd.DataFrame({"T_papan": 1.0, "P_perempuan": x, "A_lpj": 0.0, "S_aset": 1.0}, index=range(8))
    plain = load_framework(write_framework(tmp_path, normalisation="minmax"))
    treated = load_framework(write_framework(tmp_path, normalisation="minmax", treatment="winsorise_log"))
    np.testing.assert_allclose(
        normalise_matrix(values, plain, "minmax")["P_perempuan"], [100 * (v - 1) / 49 for v in x]
    )
    np.testing.assert_allclose(
        normalise_matrix(values, treated, "minmax")["P_perempuan"], [0, 0, 0, 0, 50, 50, 100, 100]
    )
    # goalposts are fixed posts (already truncated): the treatment never touches them
    np.testing.assert_allclose(normalise_matrix(values, treated, "goalposts")["P_perempuan"], [100.0] * 8)


# ------------------------------------------------------------------ principle weights from the data


def test_pca_principle_weights_by_hand(tmp_path):
    from analysis.evaluate.principles.evaluate import data_driven_principle_weights

    # Three principles move together exactly (deviations [1, -1, 0, 0] x 10), the fourth [1, 0, -1, 0] x 10
    # correlates 0.5 with them. Correlation matrix [[1,1,1,.5],[1,1,1,.5],[1,1,1,.5],[.5,.5,.5,1]]: the first
    # eigenvector is (1, 1, 1, k) with (3 + k/2) k = 3/2 + k, k = sqrt(7) - 2; weights = loadings / sum.
    scores = pd.DataFrame(
        {
            "transparansi": [60.0, 40, 50, 50],
            "partisipatif": [60.0, 40, 50, 50],
            "akuntabilitas": [60.0, 40, 50, 50],
            "keberlanjutan": [60.0, 50, 40, 50],
        }
    )
    fw = load_framework(write_framework(tmp_path, principle_weighting="pca"))
    k = 7**0.5 - 2
    expected = [1 / (3 + k)] * 3 + [k / (3 + k)]
    got = data_driven_principle_weights(scores, fw)
    np.testing.assert_allclose([got[p] for p in scores.columns], expected)


def test_pca_principle_weights_refuse_a_negative_loading(tmp_path):
    # the tiny case's principle scores: transparansi and akuntabilitas pull against the other two
    path = write_framework(tmp_path, principle_weighting="pca")
    with pytest.raises(ValueError, match=r"framework.yml: settings.principle_weighting: pca .*transparansi"):
        evaluate_principles(tiny_tables(), PERIOD, framework_path=path)


def test_correlation_optimised_principle_weights_balance_the_correlations(tmp_path):
    from analysis.evaluate.principles.evaluate import data_driven_principle_weights

    # equal weights: shares of the correlations with the index [.338, .216, .338, .108] (keberlanjutan
    # follows the others least); the optimised weights bring every share closer to 1/4 (max gap .142 -> < .071)
    scores = pd.DataFrame(
        {
            "transparansi": [10.0, 20, 30, 40, 50],
            "partisipatif": [10.0, 30, 20, 50, 40],
            "akuntabilitas": [20.0, 10, 40, 30, 50],
            "keberlanjutan": [50.0, 10, 30, 20, 40],
        }
    )

    def shares(w):
        index = (scores * pd.Series(w)).sum(axis=1) / sum(w.values())
        rho = np.array([scores[p].corr(index) for p in scores.columns])
        return rho / rho.sum()

    fw = load_framework(write_framework(tmp_path, principle_weighting="correlation_optimised"))
    weights = data_driven_principle_weights(scores, fw)
    assert sum(weights.values()) == pytest.approx(1.0)
    equal = shares(dict.fromkeys(scores.columns, 1.0))
    np.testing.assert_allclose(equal, np.array([25, 16, 25, 8]) / 74)
    assert np.abs(shares(weights) - 0.25).max() < np.abs(equal - 0.25).max() / 2


def test_principle_weighting_end_to_end_and_shown(tmp_path):
    # correlation_optimised weights enter the index and are written to index_uncertainty_settings
    path = write_framework(tmp_path, principle_weighting="correlation_optimised")
    out = evaluate_principles(tiny_tables(), PERIOD, framework_path=path)
    shown = out["index_uncertainty_settings"].set_index("setting")["value"]
    assert shown["principle_weighting"] == "correlation_optimised"
    weights = dict(item.split(": ") for item in shown["principle_weights"].split(", "))
    w = np.array(
        [float(weights[p]) for p in ("transparansi", "partisipatif", "akuntabilitas", "keberlanjutan")]
    )
    assert w.sum() == pytest.approx(1.0, abs=1e-5) and not np.allclose(w, 0.25)
    # principle scores R1 [100, 50, 80, 50], R2 [0, 100, 50, 100], R3 [100, 20, 100, 0]
    principles = np.array([[100, 50, 80, 50], [0, 100, 50, 100], [100, 20, 100, 0]], dtype=float)
    np.testing.assert_allclose(out["rt_index"]["index"], principles @ w / w.sum(), rtol=1e-5)
    manual = evaluate_principles(tiny_tables(), PERIOD, framework_path=write_framework(tmp_path))
    shown = manual["index_uncertainty_settings"].set_index("setting")["value"]
    assert shown["principle_weighting"] == "manual"
    assert (
        shown["principle_weights"] == "transparansi: 1, partisipatif: 1, akuntabilitas: 1, keberlanjutan: 1"
    )


# ------------------------------------------------------------------ carry-forward imputation (issue 12 item 6)

# Two indicators in partisipatif, so that one missing cell leaves the principle scored.
CARRY_INDICATORS = [
    *TINY_INDICATORS,
    {
        "code": "P_hadir",
        "principle": "partisipatif",
        "compute": {"kind": "ratio", "numerator": "households_at_meetings", "denominator": "households_kk"},
        "direction": "positive",
        "goalposts": {"low": 0, "high": 0.5},
    },
]


def attendance_tables(period, attendance):
    """Four RTs of 100 KK; ``attendance`` = households at meetings per RT (None = not reported)."""
    reg = registry([(1, 100, 2025), (2, 100, 2025), (3, 100, 2025), (4, 100, 2025)])
    rep = reports(
        [{"rt_code": rt(k + 1), "households_at_meetings": a} for k, a in enumerate(attendance)], period=period
    )
    return {"rt_registry": reg, "rt_reports": rep}


@pytest.mark.parametrize(
    ("now", "before", "fillable", "filled", "carried"),
    [
        pytest.param([1.0, np.nan, np.nan], [9.0, 2.0, np.nan], None, [1.0, 2.0, np.nan], [0, 1, 0], id="gap_filled"),
        pytest.param([np.nan, np.nan, 3.0], [5.0, 6.0, 7.0], [True, False, True], [5.0, np.nan, 3.0], [1, 0, 0], id="not_fillable"),
        pytest.param([np.nan, 1.0, np.nan], None, None, [np.nan, 1.0, np.nan], [0, 0, 0], id="no_previous"),
    ],
)  # fmt: skip
def test_impute_from_previous(now, before, fillable, filled, carried):
    idx = ["a", "b", "c"]
    values = pd.DataFrame({"x": now}, index=idx)
    previous = None if before is None else pd.DataFrame({"x": before}, index=idx)
    mask = None if fillable is None else pd.DataFrame({"x": fillable}, index=idx)
    out, flags = impute_from_previous(values, previous, mask)
    np.testing.assert_array_equal(out["x"].to_numpy(), filled)
    assert flags["x"].astype(int).tolist() == carried


def test_impute_from_previous_matches_units_by_index_not_position():
    values = pd.DataFrame({"x": [np.nan, np.nan]}, index=["b", "z"])
    previous = pd.DataFrame({"x": [1.0, 2.0]}, index=["a", "b"])  # z did not exist before
    out, flags = impute_from_previous(values, previous)
    assert out["x"].tolist()[0] == 2.0 and np.isnan(out["x"].tolist()[1])
    assert flags["x"].tolist() == [True, False]


def test_carry_forward_takes_the_rts_previous_value(tmp_path):
    path = write_framework(tmp_path, indicators=CARRY_INDICATORS)
    # R4 does not report attendance this period; in 2025-TW2 it reported 40 of 100 KK = 0.4 -> 80.
    # R1 reported 0.2 now and 0.45 before: its own value stays (nothing is overwritten).
    now = attendance_tables(PERIOD, [20, 40, 30, None])
    before = attendance_tables("2025-TW2", [45, 10, 10, 40])
    options = IndexOptions(imputation="carry_forward")
    out = evaluate_principles(now, PERIOD, previous_tables=before, framework_path=path, options=options)
    idx = out["rt_index"].set_index("rt_code")
    # partisipatif of R4 = (women 30/60 = 0.5 -> 100 + attendance 0.4 -> 80) / 2 = 90
    assert idx.loc[rt(4), "partisipatif"] == pytest.approx(90.0)
    # R1 = (100 + 0.2/0.5*100 = 40) / 2 = 70: its own 0.2, not the previous 0.45
    assert idx.loc[rt(1), "partisipatif"] == pytest.approx(70.0)
    assert idx["n_indicators_imputed"].tolist() == [0, 0, 0, 1]
    assert idx.loc[rt(4), "data_coverage"] == pytest.approx(4 / 5)  # screening counts the gap
    cell = out["rt_index_indicators"].set_index(["rt_code", "indicator"]).loc[(rt(4), "P_hadir")]
    assert (
        bool(cell["is_imputed"]) and np.isnan(cell["raw_value"]) and cell["value_used"] == pytest.approx(0.4)
    )
    settings = out["index_uncertainty_settings"].set_index("setting")["value"]
    assert settings["imputation"] == "carry_forward"
    assert settings["imputation_source_period"] == "2025-TW2"
    assert settings["n_values_imputed"] == "1" and settings["n_rt_imputed"] == "1"
    from analysis.publish.content import index_tables

    summary = index_tables.index_summary(out["rt_index"], "en", out["index_uncertainty_settings"])
    assert "Missing values carried forward from Q2 2025: 1 values of 1 RTs" in summary


def test_carry_forward_without_a_previous_period_says_so_and_fills_nothing(tmp_path):
    path = write_framework(tmp_path, indicators=CARRY_INDICATORS)
    now = attendance_tables(PERIOD, [20, 40, 30, None])
    out = evaluate_principles(
        now, PERIOD, framework_path=path, options=IndexOptions(imputation="carry_forward")
    )
    plain = evaluate_principles(now, PERIOD, framework_path=path)
    # R4: attendance left out, weights renormalised: partisipatif = women share only = 100 (as none)
    idx = out["rt_index"].set_index("rt_code")
    assert idx.loc[rt(4), "partisipatif"] == pytest.approx(100.0)
    pd.testing.assert_series_equal(out["rt_index"]["index"], plain["rt_index"]["index"])
    settings = out["index_uncertainty_settings"].set_index("setting")["value"]
    assert settings["imputation_source_period"] == "absent" and settings["n_values_imputed"] == "0"
    from analysis.publish.content import index_tables

    summary = index_tables.index_summary(out["rt_index"], "id", out["index_uncertainty_settings"])
    assert "tidak diisi dari periode sebelumnya karena periode itu tidak memiliki data" in summary
    assert (
        plain["index_uncertainty_settings"].set_index("setting").loc["imputation_source_period", "value"]
        == ""
    )


def test_carry_forward_is_a_framework_choice(tmp_path):
    path = write_framework(tmp_path, indicators=CARRY_INDICATORS, imputation="carry_forward")
    assert load_framework(path).settings.imputation == "carry_forward"


# ------------------------------------------------------------------ correlations and PCA (issue 12 item 6)
CORR_INDICATORS = [
    *TINY_INDICATORS,
    {
        "code": "P_hadir",
        "principle": "partisipatif",
        "compute": {"kind": "ratio", "numerator": "households_at_meetings", "denominator": "households_kk"},
        "direction": "positive",
        "goalposts": {"low": 0, "high": 0.5},
    },
]


def test_correlations_at_every_level_pair_and_with_households(tmp_path):
    from analysis.evaluate.principles.correlations import correlation_table

    fw = load_framework(write_framework(tmp_path, indicators=CORR_INDICATORS))
    rts = ["r1", "r2", "r3", "r4"]
    norm = pd.DataFrame(
        {
            "T_papan": [100.0, 0.0, 100.0, 0.0],
            "P_perempuan": [50.0, 100.0, 20.0, 80.0],  # ranks 2 4 1 3
            "P_hadir": [100.0, 30.0, 80.0, 40.0],  # ranks 4 1 3 2
            "A_lpj": [80.0, 100.0, 0.0, 50.0],  # ranks 3 4 1 2
            "S_aset": [50.0, 100.0, 0.0, 100.0],
        },
        index=rts,
    )
    principles = pd.DataFrame(
        {
            "transparansi": norm["T_papan"],
            "partisipatif": (norm["P_perempuan"] + norm["P_hadir"]) / 2,  # 75 65 50 60: ranks 4 3 1 2
            "akuntabilitas": norm["A_lpj"],
            "keberlanjutan": norm["S_aset"],
        }
    )
    index = principles.mean(axis=1)
    kk = pd.Series([100, 200, 300, 400], index=rts)
    out = correlation_table(norm, principles, index, fw, households=kk)
    # 5 indicators, 4 principles, 1 index: 10 + 20 + 5 + 6 + 4 pairs, and 10 codes against households
    assert len(out) == 55
    assert (out["level_b"] == "denominator").sum() == 10
    got = out.set_index(["code_a", "code_b"])
    # Spearman P_perempuan (2 4 1 3) vs P_hadir (4 1 3 2): sum d^2 = 4+9+4+1 = 18, 1 - 6*18/(4*15) = -0.8
    pair = got.loc[("P_hadir", "P_perempuan")]
    assert pair["correlation"] == pytest.approx(-0.8)
    assert (pair["relation"], pair["flag"]) == ("sibling", "korelasi_negatif")
    # P_perempuan vs its principle (4 3 1 2): sum d^2 = 4+1+0+1 = 6 -> 0.4; parent, not flagged
    own = got.loc[("P_perempuan", "partisipatif")]
    assert own["correlation"] == pytest.approx(0.4) and (own["relation"], own["flag"]) == ("parent", "ok")
    # against another principle: relation other, never flagged for sign
    assert got.loc[("P_perempuan", "akuntabilitas"), "relation"] == "other"
    # A_lpj (3 4 1 2) vs households (1 2 3 4): sum d^2 = 16 -> 1 - 96/60 = -0.6; |rho| > 0.3: bias_ukuran
    size = got.loc[("A_lpj", "households_kk")]
    assert size["correlation"] == pytest.approx(-0.6) and size["flag"] == "bias_ukuran"
    # the principles against each other are siblings (same parent: the index)
    assert got.loc[("akuntabilitas", "keberlanjutan"), "relation"] == "sibling"
    assert set(out["level_a"]) == {"indicator", "principle", "index"}


def test_pca_of_principles_by_hand():
    from analysis.evaluate.principles.correlations import pca_table

    x = pd.Series([1.0, 2.0, 4.0, 8.0])
    # four principles that are linear transforms of one another: PC1 explains everything, loadings 1/2
    same = pd.DataFrame({"transparansi": x, "partisipatif": 2 * x + 1, "akuntabilitas": 10 * x,
                         "keberlanjutan": x - 3})  # fmt: skip
    out = pca_table(same)
    pc1 = out[out["component"] == "PC1"]
    np.testing.assert_allclose(pc1["loading"], [0.5] * 4, atol=1e-12)
    assert pc1["variance_share"].iloc[0] == pytest.approx(1.0)
    assert out["variance_share_cumulative"].iloc[-1] == pytest.approx(1.0) and len(out) == 16
    # a principle that does not vary: no standardisation, no PCA (empty table, same columns)
    flat = same.assign(keberlanjutan=5.0)
    assert pca_table(flat).empty and list(pca_table(flat).columns) == list(out.columns)


def test_correlation_flags_in_plain_words():
    from analysis.publish.content import index_tables

    corr = pd.DataFrame(
        {
            "level_a": ["indicator", "indicator", "indicator", "principle", "indicator"],
            "code_a": ["A_x", "A_y", "P_a", "akuntabilitas", "S_aset"],
            "level_b": ["indicator", "principle", "indicator", "denominator", "indicator"],
            "code_b": ["A_y", "akuntabilitas", "P_b", "households_kk", "T_papan"],
            "relation": ["sibling", "parent", "sibling", "denominator", "other"],
            "correlation": [-0.42, -0.1, 0.95, 0.51, -0.7],
            "n": [20, 20, 20, 20, 20],
            "flag": ["korelasi_negatif", "korelasi_negatif", "redundan", "bias_ukuran", "ok"],
        }
    )
    table = index_tables.correlation_flags_table(corr, "en").data
    assert table.iloc[:, 0].tolist() == [
        "A_x × A_y", "A_y × Accountability", "P_a × P_b", "Accountability × Households (KK)",
    ]  # fmt: skip
    assert table.iloc[:, 3].tolist() == [
        "pull against each other inside the same group (one partly cancels the other in the mean)",
        "moves against the score it is part of",
        "measure nearly the same thing (|rho| > 0.9: counted twice)",
        "follows RT size (households)",
    ]
    assert "saling berlawanan" in index_tables.correlation_flags_table(corr, "id").data.iloc[0, 3]
    calm = corr.assign(flag="ok")
    assert index_tables.correlation_flags_table(calm, "en").startswith("No correlation flagged")


@pytest.mark.parametrize("how", ["median", "mean"])
def test_group_imputation_of_float_values_same_as_per_indicator(how):
    """The one-groupby-per-key path for float values gives the per-indicator path's values and flags
    exactly (the per-indicator path runs when ``applicable`` is not a bool frame)."""
    rng = np.random.default_rng(7)
    index = [f"rt{k}" for k in range(40)]
    v = pd.DataFrame(rng.normal(50, 20, (40, 5)), index=index, columns=list("abcde"))
    v[v > 70] = np.nan
    v.loc[["rt0", "rt1", "rt2"], "e"] = np.nan  # kelurahan k0 with no donor value in e: falls to kecamatan
    applicable = pd.DataFrame(rng.random((40, 5)) > 0.1, index=index, columns=v.columns)
    kel = pd.Series([f"k{k // 3}" for k in range(40)], index=index)
    kec = pd.Series([f"c{k // 12}" for k in range(40)], index=index)
    everyone = pd.Series("semua", index=index)
    donors = pd.Series(rng.random(40) > 0.2, index=index)
    groups = [kel, kec, everyone]
    fast, fast_flags = impute_group_median(v, applicable, groups, donors, how)
    slow, slow_flags = impute_group_median(v, applicable.astype(object), groups, donors, how)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    pd.testing.assert_frame_equal(fast_flags, slow_flags)
    assert (
        fast_flags.to_numpy().sum() > 0
        and fast.isna().to_numpy().sum() == (~applicable & v.isna()).sum().sum()
    )


def test_rollup_by_position_any_row_order_and_blank_area():
    """Areas in key order whatever the row order; a blank area key is an area of its own; household
    weights skip RTs without a count; only scored RTs count (rows given, expected values beside them)."""
    from analysis.evaluate.principles.evaluate import PRINCIPLES, rollup

    rows = [  # kelurahan, status, KK, index, rank_p05, rank_p95, pilot
        ("k2", STATUS_SCORED, 10.0, 40.0, 3.0, 6.0, True),
        ("k1", STATUS_SCORED, 30.0, 80.0, 1.0, 2.0, False),
        ("k2", STATUS_SCORED, 30.0, 80.0, 1.0, 4.0, None),
        (None, STATUS_SCORED, 5.0, 50.0, 2.0, 5.0, False),
        ("k2", STATUS_INSUFFICIENT, 99.0, np.nan, np.nan, np.nan, True),
        ("k1", STATUS_SCORED, np.nan, 20.0, 4.0, 7.0, True),
    ]
    rt = pd.DataFrame(
        rows,
        columns=["kelurahan_code", "status", "households_kk", "index", "rank_p05", "rank_p95", "is_pilot"],
    )
    for p in PRINCIPLES:
        rt[p] = rt["index"]
    fw = load_framework()
    out = rollup(rt, ["kelurahan_code"], fw)
    assert out["kelurahan_code"].tolist()[:2] == ["k1", "k2"] and pd.isna(out["kelurahan_code"].iloc[2])
    assert out["n_rt"].tolist() == [2, 3, 1]
    assert out["n_rt_scored"].tolist() == [2, 2, 1]
    assert out["n_rt_pilot_scored"].tolist() == [1, 1, 0]
    assert out["households_kk_scored"].tolist() == [30.0, 40.0, 5.0]
    assert out["index"].tolist() == [80.0, 70.0, 50.0]  # k1: the RT without KK is left out of the weights
    assert out["index_median"].tolist() == [50.0, 60.0, 50.0]
    assert out["rt_rank_p05_min"].tolist() == [1.0, 1.0, 2.0]
    assert out["rt_rank_p95_max"].tolist() == [7.0, 6.0, 5.0]
    shuffled = rollup(rt.iloc[[5, 3, 0, 4, 2, 1]], ["kelurahan_code"], fw)
    pd.testing.assert_frame_equal(shuffled, out, check_exact=True)
