"""Claim checks: config validation, readings, verdicts with their evidence."""

import copy
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import ConfigError
from analysis.evaluate.claims import (
    CLAIM_COLUMNS,
    NOT_SUPPORTED,
    SUPPORTED,
    UNVERIFIABLE,
    check_claims,
    load_claims,
    parse_claims_config,
    verdict_overall,
)

PATH = Path("config/claims.yml")


def _claim(**overrides):
    claim = {
        "id": "klaim",
        "text": "Program telah melebihi target.",
        "speaker": "Wali Kota",
        "source": "ANTARA",
        "is_example": False,
        "period": "100-hari",
        "scope": {"programs": "all"},
        "interpretation": "capaian >= 100 %",
        "min_coverage_pct": 100,
        "overall_rule": "primary",
        "readings": [
            {"id": "setiap", "label": "setiap program", "metric": "program_achievement_min", "comparator": ">=",
             "threshold": 100, "primary": True},
            {"id": "rerata", "label": "rerata", "metric": "program_achievement_mean", "comparator": ">=",
             "threshold": 100},
            {"id": "median", "label": "median", "metric": "program_achievement_median", "comparator": ">=",
             "threshold": 100, "basis": "uncapped"},
            {"id": "indikator", "label": "mayoritas indikator", "metric": "indicator_share_met_pct",
             "comparator": ">", "threshold": 50},
        ],
    }  # fmt: skip
    claim.update(overrides)
    return claim


def _config(*claims):
    return parse_claims_config(
        {"version": 1, "self_report_note": "laporan mandiri OPD", "claims": list(claims)}, PATH
    )


def _achievement(programs, indicators=None):
    """programs: {code: (uncapped, capped, allocated, spent)} with None = not computable."""
    prog = pd.DataFrame(
        {
            "program_code": list(programs),
            "sector": ["sosial"] * len(programs),
            "agency": ["Dinsos"] * len(programs),
            "achievement_pct": [math.nan if v[0] is None else v[0] for v in programs.values()],
            "achievement_capped_pct": [math.nan if v[1] is None else v[1] for v in programs.values()],
            "achievement_status": [
                "not_computable" if v[0] is None else "computed" for v in programs.values()
            ],
            "budget_allocated_idr": [v[2] for v in programs.values()],
            "budget_spent_idr": [v[3] for v in programs.values()],
        }
    )
    indicators = indicators or {}
    ind = pd.DataFrame(
        {
            "indicator_code": list(indicators),
            "program_code": [v[0] for v in indicators.values()],
            "achievement_pct": [math.nan if v[1] is None else v[1] for v in indicators.values()],
            "achievement_status": [
                "not_computable" if v[1] is None else "computed" for v in indicators.values()
            ],
        }
    )
    return {"achievement_program": prog, "achievement_indicator": ind}


def _verdicts(df):
    return dict(zip(df["reading_id"], df["verdict"], strict=True))


# ----------------------------------------------------------------------------------- shipped config
def test_shipped_claims_config():
    config = load_claims()
    first = config.claims[0]
    assert first.id == "program_100_hari_melebihi_target"
    assert first.periods == ("100-hari",)
    assert "ANTARA" in first.source and "24 Juni 2025" in first.source
    assert not first.is_example
    assert [r.id for r in first.readings if r.is_primary] == ["setiap_program"]
    assert "melebihi target" in first.interpretation.lower()
    assert "mandiri" in config.self_report_note
    examples = [c for c in config.claims if c.is_example]
    assert 1 <= len(examples) <= 2
    assert all(c.text.startswith("CONTOH") for c in examples)


# ------------------------------------------------------------------------------------ validation
def _bad(path, value):
    claim = _claim()
    node = claim
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return claim


@pytest.mark.parametrize(
    ("claim", "key"),
    [
        pytest.param(
            _bad(("readings", 1, "metric"), "average"), "claims[0].readings[1].metric", id="unknown_metric"
        ),
        pytest.param(
            _bad(("readings", 1, "comparator"), "=>"), "claims[0].readings[1].comparator", id="unknown_comp"
        ),
        pytest.param(
            _bad(("readings", 0, "comparator"), "<"), "claims[0].readings[0].comparator", id="min_with_lt"
        ),
        pytest.param(
            _bad(("readings", 1, "threshold"), "100"), "claims[0].readings[1].threshold", id="text_threshold"
        ),
        pytest.param(
            _bad(("readings", 3, "basis"), "capped"), "claims[0].readings[3].basis", id="basis_on_share"
        ),
        pytest.param(
            _bad(("readings", 1, "basis"), "plafon"), "claims[0].readings[1].basis", id="unknown_basis"
        ),
        pytest.param(
            _bad(("readings", 1, "primary"), "yes"), "claims[0].readings[1].primary", id="primary_text"
        ),
        pytest.param(_bad(("readings", 1, "id"), "setiap"), "claims[0].readings", id="duplicate_reading_id"),
        pytest.param(_bad(("readings", 1, "wieght"), 1), "claims[0].readings[1]", id="unknown_reading_key"),
        pytest.param(_bad(("overall_rule",), "majority"), "claims[0].overall_rule", id="unknown_rule"),
        pytest.param(_bad(("period",), "kuartal lima"), "claims[0].period", id="bad_period"),
        pytest.param(_bad(("scope", "kecamatan"), "all"), "claims[0].scope", id="unknown_scope_key"),
        pytest.param(_bad(("scope", "programs"), []), "claims[0].scope.programs", id="empty_scope_list"),
        pytest.param(_bad(("min_coverage_pct",), 0), "claims[0].min_coverage_pct", id="zero_coverage"),
        pytest.param(_bad(("is_example",), "no"), "claims[0].is_example", id="is_example_text"),
        pytest.param(_bad(("id",), "Klaim Satu"), "claims[0].id", id="bad_id"),
        pytest.param(_bad(("readings",), []), "claims[0].readings", id="no_readings"),
    ],
)
def test_invalid_claim_names_file_and_key(claim, key):
    with pytest.raises(ConfigError, match=rf"claims\.yml: .*{re.escape(key)}"):
        _config(claim)


def test_primary_rule_needs_a_primary_reading():
    claim = _claim()
    claim["readings"][0]["primary"] = False
    with pytest.raises(ConfigError, match=r"claims\[0\]\.readings.*primary"):
        _config(claim)


def test_missing_key_and_duplicate_claims():
    claim = _claim()
    del claim["interpretation"]
    with pytest.raises(ConfigError, match=r"claims\[0\].*missing \['interpretation'\]"):
        _config(claim)
    with pytest.raises(ConfigError, match="duplicate ids"):
        _config(_claim(), _claim())


def test_top_level_errors(tmp_path):
    with pytest.raises(ConfigError, match="self_report_note"):
        parse_claims_config({"claims": [_claim()]}, PATH)
    with pytest.raises(ConfigError, match="unknown key"):
        parse_claims_config({"self_report_note": "x", "claims": [_claim()], "klaim": []}, PATH)
    bad = tmp_path / "claims.yml"
    bad.write_text("claims: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="claims.yml: not valid YAML"):
        load_claims(bad)


def test_period_spellings_are_canonicalised():
    config = _config(_claim(period=["100 hari", "Triwulan II 2025"]))
    assert config.claims[0].periods == ("100-hari", "2025-TW2")


# -------------------------------------------------------------------------------------- verdicts
def test_all_programs_met_is_supported():
    ach = _achievement(
        {"P01": (150.0, 110.0, 100.0, 40.0), "P02": (100.0, 100.0, 100.0, 40.0)},
        {"P01-01": ("P01", 150.0), "P01-02": ("P01", 100.0), "P02-01": ("P02", 100.0)},
    )
    out = check_claims(_config(_claim()), ach, "100-hari")
    assert list(out.columns) == CLAIM_COLUMNS
    assert _verdicts(out) == {
        "setiap": SUPPORTED,
        "rerata": SUPPORTED,
        "median": SUPPORTED,
        "indikator": SUPPORTED,
    }
    assert (out["overall_verdict"] == SUPPORTED).all()
    row = out.set_index("reading_id").loc["rerata"]
    assert row["value"] == pytest.approx(105.0)  # (110 + 100)/2 capped
    assert "tanpa batas: 125,0%" in row["evidence"]  # (150 + 100)/2 uncapped shown alongside
    assert out.set_index("reading_id").loc["median", "value"] == pytest.approx(125.0)  # uncapped basis
    assert (out["readings_supported"] == 4).all()


def test_one_program_below_refutes_the_primary_reading_but_mean_can_hold():
    # P02 at 80 %: every-program reading fails; the capped mean (120 + 80 + 110)/3 = 103.3 still holds
    ach = _achievement(
        {
            "P01": (200.0, 120.0, None, None),
            "P02": (80.0, 80.0, None, None),
            "P03": (110.0, 110.0, None, None),
        },
        {"a": ("P01", 200.0), "b": ("P02", 80.0), "c": ("P03", 110.0)},
    )
    out = check_claims(_config(_claim()), ach, "100-hari")
    verdicts = _verdicts(out)
    assert verdicts["setiap"] == NOT_SUPPORTED
    assert verdicts["rerata"] == SUPPORTED
    assert verdicts["indikator"] == SUPPORTED  # 2 of 3 = 66.7 % > 50
    assert (out["overall_verdict"] == NOT_SUPPORTED).all()  # primary rule
    assert (out["readings_supported"] == 3).all()
    evidence = out.set_index("reading_id").loc["setiap", "evidence"]
    assert "P02 80,0%" in evidence
    assert out.set_index("reading_id").loc["setiap", "value"] == 80.0


def test_missing_program_makes_every_reading_unverifiable_unless_refuted():
    ach = _achievement(
        {"P01": (110.0, 110.0, None, None), "P02": (None, None, None, None)}, {"a": ("P01", 110.0)}
    )
    out = check_claims(_config(_claim()), ach, "100-hari").set_index("reading_id")
    assert out.loc["setiap", "verdict"] == UNVERIFIABLE
    assert out.loc["rerata", "verdict"] == UNVERIFIABLE  # coverage 50 % < 100 %
    assert out.loc["setiap", "coverage_pct"] == 50.0
    assert "Tidak dapat dihitung: P02" in out.loc["setiap", "evidence"]
    assert "Cakupan 1 dari 2" in out.loc["rerata", "evidence"]
    assert out["overall_verdict"].iloc[0] == UNVERIFIABLE
    # ... but a computable program below target refutes "every program" whatever is missing
    ach = _achievement(
        {"P01": (90.0, 90.0, None, None), "P02": (None, None, None, None)}, {"a": ("P01", 90.0)}
    )
    out = check_claims(_config(_claim()), ach, "100-hari").set_index("reading_id")
    assert out.loc["setiap", "verdict"] == NOT_SUPPORTED


def test_lower_min_coverage_allows_a_verdict():
    ach = _achievement({"P01": (110.0, 110.0, None, None), "P02": (None, None, None, None)})
    out = check_claims(_config(_claim(min_coverage_pct=50)), ach, "100-hari").set_index("reading_id")
    assert out.loc["rerata", "verdict"] == SUPPORTED


@pytest.mark.parametrize(
    ("indicators", "verdict"),
    [
        # 3 met of 5, 1 missing: bounds 3/5 = 60 % .. 4/5 = 80 % -> > 50 either way
        pytest.param([100, 100, 100, 10, None], SUPPORTED, id="holds_whatever_the_missing_one"),
        # 1 met, 2 missed, 2 missing: bounds 20 % .. 60 % -> depends on the missing ones
        pytest.param([100, 10, 10, None, None], UNVERIFIABLE, id="depends_on_missing"),
        # 1 met of 5, 1 missing: bounds 20 % .. 40 % -> fails either way
        pytest.param([100, 10, 10, 10, None], NOT_SUPPORTED, id="fails_whatever_the_missing_one"),
        # exactly half is not more than half
        pytest.param([100, 100, 10, 10], NOT_SUPPORTED, id="half_is_not_majority"),
    ],
)
def test_indicator_share_with_missing_indicators(indicators, verdict):
    ind = {f"i{k}": ("P01", v) for k, v in enumerate(indicators)}
    ach = _achievement({"P01": (100.0, 100.0, None, None)}, ind)
    out = check_claims(_config(_claim()), ach, "100-hari").set_index("reading_id")
    assert out.loc["indikator", "verdict"] == verdict


def test_serapan_claim_and_scope():
    claim = _claim(
        id="serapan",
        scope={"programs": ["P01", "P02"]},
        overall_rule="all",
        readings=[
            {"id": "s", "label": "serapan", "metric": "serapan_pct", "comparator": ">=", "threshold": 50}
        ],
    )
    # in scope: (30 + 30) / (100 + 20) = 50 % exactly -> holds; P03 outside the scope is ignored
    ach = _achievement(
        {"P01": (1.0, 1.0, 100.0, 30.0), "P02": (1.0, 1.0, 20.0, 30.0), "P03": (1.0, 1.0, 1000.0, 0.0)}
    )
    out = check_claims(_config(claim), ach, "100-hari")
    assert out["value"].iloc[0] == pytest.approx(50.0)
    assert out["verdict"].iloc[0] == SUPPORTED
    assert out["scope_programs"].iloc[0] == "P01, P02"
    assert "Rp60 dari pagu Rp120" in out["evidence"].iloc[0]


def test_unknown_program_in_scope_is_unverifiable():
    claim = _claim(scope={"programs": ["P01", "P12"]})
    ach = _achievement({"P01": (110.0, 110.0, None, None)}, {"a": ("P01", 110.0)})
    out = check_claims(_config(claim), ach, "100-hari")
    assert (out["verdict"] == UNVERIFIABLE).all()
    assert out["evidence"].str.contains("Tidak ada dalam data: P12").all()


def test_sector_scope():
    claim = _claim(scope={"sectors": ["kesehatan"]})
    ach = _achievement({"P01": (110.0, 110.0, None, None)})
    ach["achievement_program"].loc[0, "sector"] = "kesehatan"
    assert check_claims(_config(claim), ach, "100-hari")["scope_programs"].iloc[0] == "P01"


def test_claims_of_other_periods_are_skipped_and_table_keeps_its_columns():
    ach = _achievement({"P01": (110.0, 110.0, None, None)})
    out = check_claims(_config(_claim()), ach, "2025-TW1")
    assert out.empty
    assert list(out.columns) == CLAIM_COLUMNS


def test_notice_and_self_report_note():
    ach = _achievement({"P01": (110.0, 110.0, None, None)}, {"a": ("P01", 110.0)})
    out = check_claims(_config(_claim()), ach, "100-hari", notice="DATA CONTOH — bukan data resmi")
    assert out["data_note"].iloc[0] == "DATA CONTOH — bukan data resmi. laporan mandiri OPD"
    assert out["overall_rule"].iloc[0].startswith("primary: didukung data hanya jika")


def test_nothing_in_scope_is_unverifiable():
    ach = _achievement({})
    out = check_claims(_config(_claim()), ach, "100-hari")
    assert (out["verdict"] == UNVERIFIABLE).all()


@pytest.mark.parametrize(
    ("verdicts", "primary", "rule", "expected"),
    [
        pytest.param([SUPPORTED, NOT_SUPPORTED], [True, False], "primary", SUPPORTED, id="primary_holds"),
        pytest.param(
            [UNVERIFIABLE, SUPPORTED], [True, False], "primary", UNVERIFIABLE, id="primary_unverifiable"
        ),
        pytest.param([SUPPORTED, NOT_SUPPORTED], [True, False], "all", NOT_SUPPORTED, id="all_one_fails"),
        pytest.param(
            [SUPPORTED, UNVERIFIABLE], [False, False], "all", UNVERIFIABLE, id="all_one_unverifiable"
        ),
        pytest.param(
            [UNVERIFIABLE, NOT_SUPPORTED], [False, False], "all", NOT_SUPPORTED, id="fail_beats_unknown"
        ),
        pytest.param([SUPPORTED, SUPPORTED], [False, False], "all", SUPPORTED, id="all_hold"),
    ],
)
def test_overall_rules(verdicts, primary, rule, expected):
    assert verdict_overall(verdicts, primary, rule) == expected


def test_config_is_not_mutated_by_parsing():
    claim = _claim()
    before = copy.deepcopy(claim)
    _config(claim)
    assert claim == before


# ------------------------------------------------------------------------------------------- English
#: Words of the Indonesian evidence that must not appear in the English evidence.
INDONESIAN_WORDS = re.compile(
    r"Terendah|Rerata|Di bawah|Semua|Tidak|dari|Cakupan|indikator|Belum|pagu|didukung|Realisasi|capaian|jika"
)


def test_shipped_claims_config_is_translated():
    config = load_claims()
    assert config.self_report_note_en and "self-report" in config.self_report_note_en
    for claim in config.claims:
        assert claim.text_en and claim.speaker_en and claim.source_en and claim.interpretation_en, claim.id
        assert all(r.label_en for r in claim.readings), claim.id
    assert config.claims[0].text_en.startswith("The 100-day")


@pytest.mark.parametrize(
    ("where", "key", "value", "match"),
    [
        pytest.param(
            "claim", "text_en", "", r"claims\[0\].text_en' must be a non-empty text", id="empty_text_en"
        ),
        pytest.param("claim", "text_fr", "x", r"unknown key\(s\) \['text_fr'\]", id="unknown_language"),
        pytest.param(
            "reading", "label_en", 5, r"readings\[0\].label_en' must be a non-empty text", id="label_en"
        ),
        pytest.param("top", "self_report_note_en", " ", r"key 'self_report_note_en' must be", id="note_en"),
    ],
)
def test_english_keys_validated(where, key, value, match):
    claim = _claim()
    data = {"version": 1, "self_report_note": "x", "claims": [claim]}
    {"claim": claim, "reading": claim["readings"][0], "top": data}[where][key] = value
    with pytest.raises(ConfigError, match=match):
        parse_claims_config(data, PATH)


def test_english_keys_are_optional_and_land_in_the_en_columns():
    claim = _claim(text_en="The programme exceeded its target.", interpretation_en="achievement >= 100 %")
    claim["readings"][0]["label_en"] = "every programme"
    config = parse_claims_config(
        {
            "self_report_note": "laporan mandiri OPD",
            "self_report_note_en": "agency self-report",
            "claims": [claim],
        },
        PATH,
    )
    ach = _achievement({"P01": (110.0, 110.0, None, None)}, {"a": ("P01", 110.0)})
    out = check_claims(config, ach, "100-hari", notice="DATA CONTOH — bukan data resmi").set_index(
        "reading_id"
    )
    assert out.loc["setiap", "claim_text"] == "Program telah melebihi target."  # the quote as said
    assert out.loc["setiap", "claim_text_en"] == "The programme exceeded its target."
    assert out.loc["setiap", "reading_label_en"] == "every programme"
    assert pd.isna(out.loc["rerata", "reading_label_en"]) and pd.isna(out.loc["setiap", "claim_speaker_en"])
    assert out.loc["setiap", "data_note_en"] == "SAMPLE DATA — not official figures. agency self-report"
    assert out.loc["setiap", "data_note"] == "DATA CONTOH — bukan data resmi. laporan mandiri OPD"
    assert out.loc["setiap", "overall_rule_en"].startswith("primary: supported by the data only if")
    assert out.loc["setiap", "metric_description_en"].startswith("lowest programme achievement")
    # without an English note the column is null (the briefing shows the Indonesian one)
    out = check_claims(_config(_claim()), ach, "100-hari")
    assert out["data_note_en"].isna().all() and out["claim_text_en"].isna().all()


@pytest.mark.parametrize(
    ("programs", "indicators", "claim", "id_text", "en_text"),
    [
        pytest.param(
            {"P01": (200.0, 120.0, None, None), "P02": (80.0, 80.0, None, None)},
            {"a": ("P01", 200.0), "b": ("P02", 80.0)},
            _claim(),
            "Terendah 80,0% (capaian per indikator dibatasi 120%). Di bawah ambang (1 program): P02 80,0%.",
            "Lowest 80.0% (each indicator's achievement capped at 120%). Below the threshold (1 programme): P02 80.0%.",
            id="every_program",
        ),
        pytest.param(
            {"P01": (110.0, 110.0, None, None), "P02": (None, None, None, None)},
            {"a": ("P01", 110.0)},
            _claim(),
            "Terendah 110,0% (capaian per indikator dibatasi 120%). Semua 1 program yang dapat dihitung "
            "memenuhi ambang. Tidak dapat dihitung: P02. Cakupan 1 dari 2 (50,0%); minimum 100,0%.",
            "Lowest 110.0% (each indicator's achievement capped at 120%). Every computable programme (1) meets the "
            "threshold. Cannot be computed: P02. Coverage 1 of 2 (50.0%); minimum 100.0%.",
            id="not_computable_and_coverage",
        ),
        pytest.param(
            {"P01": (1.0, 1.0, 100.0, 30.0), "P02": (1.0, 1.0, 20.0, 30.0)},
            {},
            _claim(
                readings=[
                    {
                        "id": "setiap",
                        "label": "s",
                        "metric": "serapan_pct",
                        "comparator": ">=",
                        "threshold": 50,
                    }
                ],
                overall_rule="all",
            ),  # fmt: skip
            "Realisasi anggaran Rp60 dari pagu Rp120 = 50,0% (2 dari 2 program melaporkan anggaran).",
            "Budget spent Rp60 of the allocation Rp120 = 50.0% (2 of 2 programmes report a budget).",
            id="serapan",
        ),
        pytest.param(
            {"P01": (110.0, 110.0, None, None)},
            {"a": ("P01", 110.0)},
            _claim(scope={"programs": ["P01", "P12"]}),
            "Tidak ada dalam data: P12. Terendah 110,0% (capaian per indikator dibatasi 120%). Semua 1 program "
            "yang dapat dihitung memenuhi ambang.",
            "Not in the data: P12. Lowest 110.0% (each indicator's achievement capped at 120%). Every computable "
            "programme (1) meets the threshold.",
            id="missing_scope",
        ),
    ],
)
def test_evidence_in_both_languages(programs, indicators, claim, id_text, en_text):
    out = check_claims(_config(claim), _achievement(programs, indicators), "100-hari").set_index("reading_id")
    assert out.loc["setiap", "evidence"] == id_text
    assert out.loc["setiap", "evidence_en"] == en_text


def test_english_evidence_has_no_indonesian_words():
    ach = _achievement(
        {
            "P01": (150.0, 110.0, 100.0, 40.0),
            "P02": (80.0, 80.0, 100.0, 40.0),
            "P03": (None, None, 1.0, None),
        },
        {"a": ("P01", 150.0), "b": ("P02", 80.0), "c": ("P03", None)},
    )
    out = check_claims(_config(_claim(min_coverage_pct=100)), ach, "100-hari")
    for col in ("evidence_en", "overall_rule_en", "metric_description_en"):
        for text in out[col]:
            assert not INDONESIAN_WORDS.search(text), (col, text)
    assert out["evidence"].str.contains("Terendah|Rerata|Median|indikator").all()  # Indonesian unchanged


def test_phrases_have_the_same_keys_and_placeholders_in_both_languages():
    import string

    from analysis.evaluate.claims import LANGS, PHRASES

    def fields(text):
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    ref = {k: fields(v) for k, v in PHRASES["id"].items()}
    for lang in LANGS:
        assert {k: fields(v) for k, v in PHRASES[lang].items()} == ref, lang
