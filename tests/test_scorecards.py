"""Per-RT scorecards: what a card reads and shows, the in-process executor, the index page, and the batch
(one card per RT, failure isolation, incremental reruns, Dask).

Unit tests use tiny inline frames and tiny notebooks. Tests that run the real scorecard notebook are marked
slow; they share one evaluation of the bundled sample's 2025-TW4 (67 pilot RTs and one RT with an unreadable start year, about 15 s).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import UsageError
from analysis.publish import cache
from analysis.publish.scorecards import batch, build, pages
from analysis.publish.scorecards import data as scorecard_data

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = config.SAMPLE_SOURCE
PERIOD = "2025-TW4"


# --------------------------------------------------------------------------------------------------
# Tiny tables


def tiny_tables() -> dict[str, pd.DataFrame]:
    """Three RTs in two kelurahan; RT c has no report and is not scored."""
    rt_index = pd.DataFrame(
        {
            "rt_code": ["k1.001", "k1.002", "k2.001"],
            "period": [PERIOD] * 3,
            "kelurahan_code": ["k1", "k1", "k2"],
            "kelurahan_name": ["Satu", "Satu", "Dua"],
            "kecamatan_code": ["c1", "c1", "c1"],
            "kecamatan_name": ["Camat", "Camat", "Camat"],
            "rt_number": pd.array([1, 2, 1], dtype="Int64"),
            "is_pilot": pd.array([True, True, True], dtype="boolean"),
            "start_year": pd.array([2025, 2025, 2025], dtype="Int64"),
            "households_kk": pd.array([100, 50, 80], dtype="Int64"),
            "has_report": pd.array([True, True, False], dtype="boolean"),
            "status": ["dinilai", "dinilai", "data belum memadai"],
            "status_reason": ["", "", "tidak ada laporan RT untuk periode ini"],
            "n_indicators_applicable": [2, 2, 2],
            "n_indicators_available": [2, 2, 0],
            "data_coverage": [1.0, 1.0, 0.0],
            "transparansi": [80.0, 40.0, float("nan")],
            "partisipatif": [60.0, 50.0, float("nan")],
            "akuntabilitas": [70.0, 30.0, float("nan")],
            "keberlanjutan": [90.0, 20.0, float("nan")],
            "index": [75.0, 35.0, float("nan")],
            "category": ["Baik", "Kurang", ""],
            "rank": pd.array([1, 2, None], dtype="Int64"),
            "rank_p05": [1.0, 2.0, float("nan")],
            "rank_p95": [1.4, 2.0, float("nan")],
            "rank_in_group": pd.array([1, 2, None], dtype="Int64"),
            "rank_in_group_p05": [1.0, 2.0, float("nan")],
            "rank_in_group_p95": [1.0, 2.0, float("nan")],
            "n_in_group": pd.array([2, 2, 2], dtype="Int64"),
            "period_previous": ["2025-TW3"] * 3,
            "status_previous": ["dinilai", "dinilai", "dinilai"],
            "index_previous": [70.0, 40.0, 55.0],
            "rank_previous": pd.array([1, 3, 2], dtype="Int64"),
            "rank_previous_p05": [1.0, 2.0, 1.0],
            "rank_previous_p95": [2.0, 3.0, 3.0],
            "index_change": [5.0, -5.0, float("nan")],
            "rank_change": pd.array([0, 1, None], dtype="Int64"),
        }
    )
    indicators = pd.DataFrame(
        {
            "rt_code": ["k1.001", "k1.001", "k1.002", "k1.002", "k2.001", "k2.001"],
            "indicator": ["T1_papan_informasi", "A1_lpj_terlambat_hari"] * 3,
            "indicator_name": ["Papan", "LPJ"] * 3,
            "principle": ["transparansi", "akuntabilitas"] * 3,
            "unit": ["ya/tidak", "hari"] * 3,
            "state": ["ok", "ok", "ok", "ok", "missing", "missing"],
            "raw_value": [1.0, -3.0, 0.0, 12.0, float("nan"), float("nan")],
            "normalised_value": [100.0, 100.0, 0.0, 60.0, float("nan"), float("nan")],
            "median_normalised_all": [50.0, 80.0, 50.0, 80.0, 50.0, 80.0],
        }
    )
    strengths = pd.DataFrame(
        {
            "rt_code": ["k1.001", "k1.002"],
            "side": ["kekuatan", "kelemahan"],
            "position": [1, 1],
            "indicator": ["T1_papan_informasi", "T1_papan_informasi"],
            "indicator_name": ["Papan", "Papan"],
            "principle": ["transparansi", "transparansi"],
            "normalised_value": [100.0, 0.0],
            "median_normalised_all": [50.0, 50.0],
        }
    )
    reports = pd.DataFrame(
        {
            "rt_code": ["k1.001", "k1.002"],
            "kelurahan_code": ["k1", "k1"],
            "budget_allocated_idr": [100e6, 50e6],
            "budget_spent_idr": [90e6, 60e6],
            "swadaya_idr": [5e6, 1e6],
            "activities_planned": pd.array([5, 4], dtype="Int64"),
            "activities_completed": pd.array([4, 4], dtype="Int64"),
            "is_overspent": pd.array([False, True], dtype="boolean"),
            "note": ["Bapak Budi 0812-3456-7890", ""],  # free text is never read by a card
        }
    )
    kelurahan = pd.DataFrame(
        {
            "kelurahan_code": ["k1", "k2"],
            "kelurahan_name": ["Satu", "Dua"],
            "n_rt": [2, 1],
            "n_rt_scored": [2, 0],
            **{p: [70.0, float("nan")] for p in scorecard_data.PRINCIPLES},
            "index": [61.7, float("nan")],
        }
    )
    return {
        "rt_index": rt_index,
        "rt_index_indicators": indicators,
        "rt_strengths_weaknesses": strengths,
        "rt_reports": reports,
        "index_kelurahan": kelurahan,
        "index_uncertainty_settings": pd.DataFrame(
            {"setting": ["framework_path"], "value": ["config/index_framework.yml"], "description": [""]}
        ),
        scorecard_data.ACTIONS_TABLE: pd.DataFrame(
            {
                "indicator": ["T1_papan_informasi", "T1_papan_informasi", "A1_lpj_terlambat_hari"],
                "lang": ["id", "en", "id"],
                "action": ["Pasang papan informasi.", "Put up a board.", "Serahkan LPJ."],
            },
            dtype="str",
        ),
        scorecard_data.CATEGORIES_TABLE: pd.DataFrame(
            {"min_score": [80.0, 65.0, 50.0, 0.0], "label": ["Baik Sekali", "Baik", "Cukup", "Kurang"]}
        ),
    }


def card_for(tables, rt_code):
    selected = scorecard_data.select_inputs(tables, rt_code)
    return scorecard_data.Scorecard(rt_code, PERIOD, selected, scorecard_data.city_facts(tables))


# --------------------------------------------------------------------------------------------------
# What a card reads


def test_input_digests_equal_digest_of_each_selection():
    tables = tiny_tables()
    digests = scorecard_data.input_digests(tables)
    assert set(digests) == {"k1.001", "k1.002", "k2.001"}
    facts = scorecard_data.city_facts(tables)
    for rt, digest in digests.items():
        assert digest == scorecard_data.selection_digest(scorecard_data.select_inputs(tables, rt), facts)


def test_selection_equals_the_rows_compared_one_by_one():
    # an RT's rows together (a slice), apart (positions), absent (empty); a kelurahan shared by two RTs
    tables = tiny_tables()
    sw = tables["rt_strengths_weaknesses"]
    assert isinstance(sw["rt_code"].dtype, pd.StringDtype)  # the grouped path (other keys compare)
    tables["rt_strengths_weaknesses"] = pd.concat([sw, sw.iloc[:1]], ignore_index=True)  # k1.001 apart
    for rt in ("k1.001", "k1.002", "k2.001"):
        selected = scorecard_data.select_inputs(tables, rt)
        kelurahan = str(tables["rt_index"].set_index("rt_code").loc[rt, "kelurahan_code"])
        for name, (table, columns) in {**scorecard_data.RT_TABLES, **scorecard_data.KELURAHAN_TABLES}.items():
            df = tables[table]
            key, value = (
                ("rt_code", rt) if name in scorecard_data.RT_TABLES else ("kelurahan_code", kelurahan)
            )
            expected = df[df[key] == value]
            expected = expected if columns is None else expected[list(columns)]
            pd.testing.assert_frame_equal(selected[name], expected, check_exact=True)
    assert (
        len(scorecard_data.select_inputs(tables, "k1.001")["strengths"])
        == len(sw[sw["rt_code"] == "k1.001"]) + 1
    )


def test_one_font_configuration_for_many_cards_gives_the_same_pdfs():
    from analysis.publish.export import html_to_pdf

    pages = [
        "<html><body><h1>RT 001</h1><p>Nilai indeks <b>63,8</b> dari 100.</p></body></html>",
        "<html><body><h2>Rincian indikator</h2><table><tr><td>Papan informasi</td><td>1</td></tr></table></body></html>",
    ]
    alone = [html_to_pdf(page) for page in pages]  # a new font configuration per document
    shared = build.pdf_font_config()
    assert shared is build.pdf_font_config()  # one per thread
    assert [html_to_pdf(page, font_config=shared) for page in pages * 2] == alone * 2


def test_change_to_one_rt_changes_only_its_digest():
    tables = tiny_tables()
    before = scorecard_data.input_digests(tables)
    reports = tables["rt_reports"].copy()
    reports.loc[reports["rt_code"] == "k1.002", "swadaya_idr"] = 2e6
    after = scorecard_data.input_digests({**tables, "rt_reports": reports})
    assert [rt for rt in before if before[rt] != after[rt]] == ["k1.002"]


def test_change_to_kelurahan_budget_changes_the_kelurahan_rts():
    tables = tiny_tables()
    before = scorecard_data.input_digests(tables)
    reports = tables["rt_reports"].copy()
    reports.loc[reports["rt_code"] == "k1.002", "budget_spent_idr"] = 10e6  # kelurahan serapan changes
    after = scorecard_data.input_digests({**tables, "rt_reports": reports})
    assert sorted(rt for rt in before if before[rt] != after[rt]) == ["k1.001", "k1.002"]


def test_free_text_note_is_not_an_input():
    tables = tiny_tables()
    before = scorecard_data.input_digests(tables)
    reports = tables["rt_reports"].copy()
    reports.loc[0, "note"] = "lain"
    assert scorecard_data.input_digests({**tables, "rt_reports": reports}) == before
    assert "note" not in scorecard_data.select_inputs(tables, "k1.001")["report"].columns


# --------------------------------------------------------------------------------------------------
# What a card shows


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            (3, 2.0, 4.6, 10),
            "Peringkat 3 dari 10 RT yang dinilai. Bila dihitung dengan cara lain, peringkat RT Anda kemungkinan antara 2 dan 5 dari 10 RT.",
            id="with_interval",
        ),
        pytest.param((3, float("nan"), 4.0, 10), "", id="no_interval_no_rank"),
        pytest.param((pd.NA, 2.0, 4.0, 10), "", id="no_rank"),
    ],
)
def test_rank_text(args, expected):
    assert scorecard_data.rank_text(*args, "rank_all", "id") == expected


@pytest.mark.parametrize(
    ("unit", "value", "lang", "expected"),
    [
        pytest.param("ya/tidak", 0.0, "id", "Tidak", id="no"),
        pytest.param("rasio", 0.5, "en", "50.0%", id="ratio_en"),
        pytest.param("skala 1-5", 3.25, "id", "3,2 dari 5", id="scale"),
        pytest.param("hari", 0.0, "id", "tepat waktu", id="on_time"),
        pytest.param("hari", 4.4, "id", "terlambat 4 hari", id="late"),
        pytest.param("ordinal", 0.5, "id", "Sebagian", id="asset_partly"),
        pytest.param("rasio", float("nan"), "id", "—", id="missing"),
    ],
)
def test_indicator_value_text(unit, value, lang, expected):
    assert scorecard_data.indicator_value_text(unit, value, lang) == expected


def test_scored_card_shows_index_rank_interval_and_comparisons():
    card = card_for(tiny_tables(), "k1.001")
    summary = scorecard_data.section_summary(card, "id")
    assert "75,0" in summary and "Baik" in summary
    assert (
        "Peringkat 1 dari 2 RT yang dinilai. Bila dihitung dengan cara lain, peringkat RT Anda tetap 1 dari 2 RT."
        in summary
    )
    assert (
        "Kategori Baik: nilai indeks 65 sampai di bawah 80. Perlu 5,0 poin lagi untuk naik ke kategori Baik Sekali (80)."
        in summary
    )
    assert "rentang ketidakpastian" not in summary and "simulasi" not in summary
    principles = scorecard_data.section_principles(card, "id")
    assert "Transparansi" in principles and "+10,0" in principles  # 80 against kelurahan 70
    comparison = scorecard_data.section_comparison(card, "id")
    assert "61,7" in comparison and "+13,3 poin" in comparison  # 75 − 61.7
    assert (
        "Triwulan III 2025" in comparison
        and "+5,0 poin" in comparison
        and "kemungkinan antara 1 dan 2" in comparison
    )
    spending = scorecard_data.section_spending(card, "id")
    assert "Rp100.000.000" in spending and "90,0%" in spending
    assert "100,0%" in spending  # kelurahan serapan: (90 + 60) / (100 + 50)
    assert "Bapak Budi" not in "".join(
        f(card, "id") for f in (scorecard_data.section_identity, scorecard_data.section_spending)
    )


def test_overspent_rt_is_flagged():
    assert "Realisasi melebihi pagu" in scorecard_data.section_spending(
        card_for(tiny_tables(), "k1.002"), "id"
    )


def test_insufficient_card_says_so_and_shows_no_score_or_rank():
    card = card_for(tiny_tables(), "k2.001")
    summary = scorecard_data.section_summary(card, "id")
    assert "Data belum memadai" in summary
    assert "Laporan RT untuk periode ini belum diterima" in summary
    assert "Peringkat" not in summary
    assert scorecard_data.section_principles(card, "id") == ""
    assert scorecard_data.section_strengths_weaknesses(card, "id") == ""
    assert "belum diterima" in scorecard_data.section_spending(card, "id")
    assert "Belum ada nilai kelurahan" in scorecard_data.section_comparison(card, "id")
    assert "data tidak ada" in scorecard_data.section_indicators(card, "id")
    english = scorecard_data.section_summary(card, "en")
    assert "Not enough data" in english


def test_text_from_data_is_escaped():
    tables = tiny_tables()
    tables["rt_index"].loc[0, "kelurahan_name"] = "<script>x</script>"
    html = scorecard_data.section_identity(card_for(tables, "k1.001"), "id")
    assert "<script>x" not in html and "&lt;script&gt;" in html


def test_unknown_rt_is_a_usage_error(tmp_path):
    for name, df in tiny_tables().items():
        df.to_parquet(tmp_path / f"{name}.parquet")
    with pytest.raises(UsageError, match="not in"):
        scorecard_data.load_scorecard(tmp_path, "k9.999")
    assert scorecard_data.load_scorecard(tmp_path, "k1.002").rt["index"] == 35.0


# --------------------------------------------------------------------------------------------------
# Actions: what an RT can do about each weakness (index framework, ``action: {id, en}``)


def test_every_shipped_indicator_has_an_action_in_both_languages():
    from analysis.evaluate.principles import load_framework

    framework = load_framework(config.CONFIG_DIR / "index_framework.yml")
    for indicator in framework.indicators:
        texts = dict(indicator.action)
        assert set(texts) == {"id", "en"}, indicator.code
        assert all(len(t) > 30 for t in texts.values()) and texts["id"] != texts["en"], indicator.code
    actions, _ = scorecard_data.framework_frames(config.CONFIG_DIR / "index_framework.yml")
    assert len(actions) == 2 * len(framework.indicators)
    row = actions[(actions["indicator"] == "T2_realisasi_diumumkan") & (actions["lang"] == "id")]
    assert row["action"].iloc[0].startswith("Unggah laporan keuangan di papan informasi RT")


@pytest.mark.parametrize(
    ("action", "message"),
    [
        pytest.param({"id": "Pasang papan."}, "action.en: must be a non-empty text", id="missing_en"),
        pytest.param({"id": "x", "en": "  "}, "action.en: must be a non-empty text", id="blank_en"),
        pytest.param({"id": "x", "en": "y", "fr": "z"}, "unknown key(s) fr", id="unknown_language"),
        pytest.param("Pasang papan.", "must be a mapping {id: <text>, en: <text>}", id="not_a_mapping"),
    ],
)
def test_invalid_action_is_a_config_error(action, message):
    import yaml

    from analysis.core.errors import ConfigError
    from analysis.evaluate.principles import parse_framework

    data = yaml.safe_load((config.CONFIG_DIR / "index_framework.yml").read_text(encoding="utf-8"))
    data["indicators"][0]["action"] = action
    with pytest.raises(ConfigError, match=r"<x>: indicators\[T1_papan_informasi\]\.action"):
        parse_framework(data, source="<x>")
    with pytest.raises(ConfigError) as info:
        parse_framework(data, source="<x>")
    assert message in str(info.value)


def test_weakness_comes_with_its_action_strength_does_not():
    tables = tiny_tables()
    weak = scorecard_data.section_strengths_weaknesses(card_for(tables, "k1.002"), "id")
    assert "tempat umum (Transparansi): skor 0, RT pada umumnya 50" in weak
    assert "Yang bisa dilakukan: Pasang papan informasi." in weak
    assert "Put up a board." in scorecard_data.section_strengths_weaknesses(card_for(tables, "k1.002"), "en")
    strong = scorecard_data.section_strengths_weaknesses(card_for(tables, "k1.001"), "id")
    assert "tempat umum (Transparansi): skor 100" in strong and "Yang bisa dilakukan" not in strong
    assert "RT tengah" not in weak + strong
    summary = scorecard_data.section_summary(card_for(tables, "k1.002"), "id")
    assert "Langkah pertama: Pasang papan informasi." in summary  # its first weakness, on page one
    assert "Langkah pertama" not in scorecard_data.section_summary(card_for(tables, "k1.001"), "id")
    assert "First step: Put up a board." in scorecard_data.section_summary(card_for(tables, "k1.002"), "en")


def test_change_to_an_action_rebuilds_only_the_rts_with_that_weakness():
    tables = tiny_tables()
    before = scorecard_data.input_digests(tables)
    actions = tables[scorecard_data.ACTIONS_TABLE].copy()
    actions.loc[actions["indicator"] == "T1_papan_informasi", "action"] = "Pasang papan di pos ronda."
    after = scorecard_data.input_digests({**tables, scorecard_data.ACTIONS_TABLE: actions})
    assert [rt for rt in before if before[rt] != after[rt]] == ["k1.002"]  # its weakness is T1
    other = actions.copy()
    other.loc[other["indicator"] == "A1_lpj_terlambat_hari", "action"] = "Serahkan LPJ tepat waktu."
    assert scorecard_data.input_digests({**tables, scorecard_data.ACTIONS_TABLE: other}) == after
    categories = tables[scorecard_data.CATEGORIES_TABLE].copy()
    categories.loc[0, "min_score"] = 85.0
    changed = scorecard_data.input_digests({**tables, scorecard_data.CATEGORIES_TABLE: categories})
    assert all(changed[rt] != before[rt] for rt in before)  # every card explains the categories


@pytest.mark.parametrize(
    ("index", "category", "lang", "expected"),
    [
        pytest.param(
            49.94, "Kurang", "id",
            "Kategori Kurang: nilai indeks di bawah 50. Perlu 0,1 poin lagi untuk naik ke kategori Cukup (50).",
            id="just_below",
        ),
        pytest.param(
            65.0, "Baik", "en",
            "Category Good: index score 65 to below 80. 15.0 more points to reach Very good (80).",
            id="on_threshold",
        ),
        pytest.param(80.0, "Baik Sekali", "id", "Kategori Baik Sekali: nilai indeks 80 ke atas. Ini kategori tertinggi.", id="top"),
        pytest.param(float("nan"), "Kurang", "id", "", id="no_score"),
    ],
)  # fmt: skip
def test_category_text(index, category, lang, expected):
    categories = tiny_tables()[scorecard_data.CATEGORIES_TABLE]
    assert scorecard_data.category_text(index, category, categories, lang) == expected


def test_notes_explain_categories_and_the_rts_own_rank_range():
    notes = scorecard_data.section_notes(card_for(tiny_tables(), "k1.002"), "id")
    assert (
        "Baik Sekali: 80 ke atas; Baik: 65 sampai di bawah 80; Cukup: 50 sampai di bawah 65; Kurang: di bawah 50"
        in notes
    )
    assert "antara peringkat 2 dan 2" in notes and "dilaporkan sendiri" in notes
    assert 'class="sc-notes"' in notes
    unscored = scorecard_data.section_notes(card_for(tiny_tables(), "k2.001"), "id")
    assert "antara peringkat" not in unscored and "dilaporkan sendiri" in unscored


@pytest.mark.parametrize(
    ("code", "kelurahan", "expected"),
    [
        pytest.param("15.71.01.1001.003", "Simpang IV Sipin", "rt-15.71.01.1001.003_simpang-iv-sipin", id="plain"),
        pytest.param("15.71.08.1001.001", "Orang Kayo Hitam", "rt-15.71.08.1001.001_orang-kayo-hitam", id="three_words"),
        pytest.param("k1.001", "Ulu Gedong (Seberang)", "rt-k1.001_ulu-gedong-seberang", id="punctuation"),
        pytest.param("k1.002", "Pâsir Pütih", "rt-k1.002_pasir-putih", id="accents_to_ascii"),
        pytest.param("k1.003", "", "rt-k1.003", id="no_name"),
    ],
)  # fmt: skip
def test_card_file_stem(code, kelurahan, expected):
    assert (
        scorecard_data.card_file_stem(pd.Series({"rt_code": code, "kelurahan_name": kelurahan})) == expected
    )


def test_card_title_and_subtitle_name_the_rt_kelurahan_and_code():
    row = tiny_tables()["rt_index"].iloc[0]
    assert scorecard_data.title(row, "id") == "Rapor Kampung Bahagia: RT 001 Satu"
    assert scorecard_data.subtitle(row, PERIOD, "en").startswith(
        "RT code k1.001 · Kelurahan Satu, Kecamatan Camat"
    )


def test_renamed_kelurahan_rebuilds_its_cards_under_the_new_name():
    tables = tiny_tables()
    before = scorecard_data.input_digests(tables)
    rt_index = tables["rt_index"].copy()
    rt_index.loc[rt_index["kelurahan_code"] == "k2", "kelurahan_name"] = "Dua Baru"
    after = scorecard_data.input_digests({**tables, "rt_index": rt_index})
    assert [rt for rt in before if before[rt] != after[rt]] == ["k2.001"]
    assert scorecard_data.card_file_stem(rt_index.iloc[2]) == "rt-k2.001_dua-baru"


def test_job_writes_files_under_the_named_stem():
    assert build.rt_file_names("rt-k1.001_satu", ("html", "pdf")) == {
        "ipynb": "rt/rt-k1.001_satu.ipynb",
        "html": "rt/rt-k1.001_satu.html",
        "pdf": "rt/rt-k1.001_satu.pdf",
    }


# --------------------------------------------------------------------------------------------------
# Index page


def test_index_page_groups_orders_by_score_and_links(tmp_path):
    tables = tiny_tables()
    tables["rt_index"].loc[1, "index"] = 90.0  # k1.002 now first in its kelurahan
    entries = cache.CacheIndex()
    for rt in ("k1.001", "k1.002"):
        entries.entries[rt] = cache.CacheEntry(
            key="k", files={f"rt/{rt}.html": "x", f"rt/{rt}.pdf": "y", f"rt/{rt}.ipynb": "z"}
        )
    path = pages.write_index(
        tmp_path / "index.html",
        tables["rt_index"],
        tables["index_kelurahan"],
        entries,
        {"k2.001"},
        "id",
        PERIOD,
        True,
    )
    page = path.read_text(encoding="utf-8")
    assert (
        page.index('data-code="k1.002"') < page.index('data-code="k1.001"') < page.index('data-code="k2.001"')
    )
    assert 'href="rt/k1.001.html"' in page and 'href="rt/k1.001.pdf"' in page and ".ipynb" not in page
    assert "gagal dibuat" in page and "1 rapor gagal dibuat" in page
    assert "Kelurahan Satu — nilai kelurahan 61,7 (2 dari 2 RT dinilai)" in page
    assert config.SAMPLE_NOTICE in page
    assert "http://" not in page and "https://" not in page and " src=" not in page  # no CDN, self-contained
    assert "<noscript>" in page


def tiny_index(tmp_path, lang="id") -> Path:
    tables = tiny_tables()
    entries = cache.CacheIndex()
    for rt, row in tables["rt_index"].set_index("rt_code", drop=False).iterrows():
        stem = scorecard_data.card_file_stem(row)
        entries.entries[rt] = cache.CacheEntry(key="k", files={f"rt/{stem}.html": "x", f"rt/{stem}.pdf": "y"})
    return pages.write_index(
        tmp_path / "index.html",
        tables["rt_index"],
        tables["index_kelurahan"],
        entries,
        set(),
        lang,
        PERIOD,
        True,
    )


def test_index_page_lists_every_card_once_with_its_filter_attributes(tmp_path):
    import re

    page = tiny_index(tmp_path).read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="sc-rt"[^>]*>', page)
    assert len(rows) == 3 and len({re.search(r'data-code="([^"]+)"', r).group(1) for r in rows}) == 3
    expected = {
        "k1.001": ('data-kecamatan="c1"', 'data-kelurahan="k1"', 'data-category="baik"', 'data-search="rt 001 rt 1 rt001 k1.001 satu camat"'),
        "k1.002": ('data-kecamatan="c1"', 'data-kelurahan="k1"', 'data-category="kurang"', 'data-search="rt 002 rt 2 rt002 k1.002 satu camat"'),
        "k2.001": ('data-kecamatan="c1"', 'data-kelurahan="k2"', 'data-category="insufficient"', 'data-search="rt 001 rt 1 rt001 k2.001 dua camat"'),
    }  # fmt: skip
    for row in rows:
        code = re.search(r'data-code="([^"]+)"', row).group(1)
        assert all(attr in row for attr in expected[code]), row
    assert page.count('href="rt/rt-k1.001_satu.html"') == 1 and page.count('href="rt/rt-k2.001_dua.pdf"') == 1
    # filters list what is on the page; the form is hidden until the script shows it (no JS: plain list)
    assert '<form id="sc-filter" role="search" hidden>' in page
    assert '<option value="k1" data-kecamatan="c1">Satu</option>' in page
    assert '<option value="c1">Camat</option>' in page
    cats = re.search(r'<select id="sc-cat">(.*?)</select>', page).group(1)
    assert re.findall(r'value="([^"]*)"', cats) == ["", "baik", "kurang", "insufficient"]
    assert "Tanpa JavaScript, semua RT ditampilkan" in page
    assert "http://" not in page and "https://" not in page and " src=" not in page
    (tmp_path / "en").mkdir()
    english = tiny_index(tmp_path / "en", "en").read_text(encoding="utf-8")
    assert "Find an RT" in english and "Not enough data" in english


def visible_rows(page) -> list[str]:
    return page.eval_on_selector_all(
        "#sc-grouped tr.sc-rt", "rows => rows.filter(r => r.offsetParent !== null).map(r => r.dataset.code)"
    )


@pytest.mark.slow
def test_index_page_search_and_filters_in_a_browser(tmp_path):
    from tests.conftest import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    path = tiny_index(tmp_path)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND"],
        )
        page = browser.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri(), wait_until="load")
        assert page.is_visible("#sc-filter") and visible_rows(page) == ["k1.001", "k1.002", "k2.001"]
        assert page.inner_text("#sc-count") == "3 dari 3 RT ditampilkan"
        page.fill("#sc-q", "dua")  # kelurahan name
        assert visible_rows(page) == ["k2.001"] and page.inner_text("#sc-count") == "1 dari 3 RT ditampilkan"
        page.fill("#sc-q", "RT 002")  # RT number, any case
        assert visible_rows(page) == ["k1.002"]
        page.fill("#sc-q", "k1.001")  # RT code
        assert visible_rows(page) == ["k1.001"]
        page.fill("#sc-q", "satu rt 2")  # every word must match
        assert visible_rows(page) == ["k1.002"]
        page.fill("#sc-q", "tidak ada")
        assert visible_rows(page) == [] and page.is_visible("#sc-none")
        page.fill("#sc-q", "")
        page.select_option("#sc-kel", "k1")
        assert visible_rows(page) == ["k1.001", "k1.002"]
        assert not page.is_visible("tbody:has(tr[data-code='k2.001'])")  # its kelurahan group hides too
        page.select_option("#sc-cat", "kurang")
        assert visible_rows(page) == ["k1.002"]
        page.select_option("#sc-kel", "")
        page.select_option("#sc-cat", "insufficient")
        assert visible_rows(page) == ["k2.001"]
        page.check("input[value=score]")  # the city-wide order keeps the filter
        flat = page.eval_on_selector_all(
            "#sc-flat tr.sc-rt", "rows => rows.filter(r => r.offsetParent !== null).map(r => r.dataset.code)"
        )
        assert flat == ["k2.001"]
        browser.close()
    assert errors == []


# --------------------------------------------------------------------------------------------------
# The in-process executor on tiny notebooks


def tiny_notebook(path: Path, cells: list[str]) -> Path:
    import nbformat
    import nbformat.v4 as v4

    params = v4.new_code_cell("x = 1  # a number\nkode_rt = ''  # RT")
    params.metadata["tags"] = ["parameters"]
    nb = v4.new_notebook(cells=[params, *(v4.new_code_cell(c) for c in cells)])
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_in_process_execution_captures_outputs_in_order(tmp_path):
    nb_path = tiny_notebook(
        tmp_path / "t.ipynb",
        [
            "print('a'); print('b')\nfrom IPython.display import display, HTML\ndisplay(HTML('<b>x</b>'))\nprint('c')",
            "x * 21",
            "x;",
            "import sys; print('warn', file=sys.stderr)",
        ],
    )
    nb = build.execute_in_process(nb_path, {"x": 2, "kode_rt": "r"})
    assert "injected-parameters" in nb.cells[1].metadata.tags
    first = nb.cells[2].outputs
    assert [o.output_type for o in first] == ["stream", "display_data", "stream"]
    assert first[0].text == "a\nb\n" and first[1].data["text/html"] == "<b>x</b>" and first[2].text == "c\n"
    result = nb.cells[3].outputs
    assert result[0].output_type == "execute_result" and result[0].data["text/plain"] == "42"
    assert nb.cells[4].outputs == []  # a trailing semicolon shows nothing
    assert nb.cells[5].outputs[0].name == "stderr"


def test_in_process_failure_names_the_cell_and_namespace_is_reset(tmp_path):
    nb_path = tiny_notebook(tmp_path / "t.ipynb", ["secret = kode_rt", "assert kode_rt != 'bad', 'bad RT'"])
    with pytest.raises(
        build.CellFailed, match=r"cell 4 `assert kode_rt != 'bad'.*AssertionError: bad RT"
    ) as info:
        build.execute_in_process(nb_path, {"kode_rt": "bad"})
    # papermill's error banner first, its anchor before the failing cell (index 3 before they were added)
    assert info.value.notebook.cells[5].outputs[0].output_type == "error"
    assert "An Exception was encountered" in info.value.notebook.cells[0].source
    reader = tiny_notebook(tmp_path / "r.ipynb", ["'secret' in dir()"])
    nb = build.execute_in_process(reader, {"kode_rt": "good"})
    assert nb.cells[2].outputs[0].data["text/plain"] == "False", "a variable of the previous run leaked"


def test_build_scorecard_returns_failure_instead_of_raising(tmp_path):
    nb_path = tiny_notebook(tmp_path / "t.ipynb", ["1 / 0"])
    job = build.ScorecardJob(
        rt_code="r", notebook=str(nb_path), parameters={"kode_rt": "r"}, title="t", subtitle="s",
        generated_at="2025-06-30T10:00:00+07:00",
    )  # fmt: skip
    result = build.build_scorecard(job)
    assert not result.ok and "ZeroDivisionError" in result.error and result.failed_notebook


def test_option_errors_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="engine"):
        batch.run_scorecards(batch.ScorecardOptions(raw_dir=SAMPLE, period=PERIOD, engine="x"))
    with pytest.raises(UsageError, match="language"):
        batch.run_scorecards(batch.ScorecardOptions(raw_dir=SAMPLE, period=PERIOD, lang="fr"))
    with pytest.raises(UsageError, match="notebook not found"):
        batch.run_scorecards(
            batch.ScorecardOptions(raw_dir=SAMPLE, period=PERIOD, notebook=tmp_path / "none.ipynb")
        )


# --------------------------------------------------------------------------------------------------
# The batch on the sample (slow: runs the real notebook)


def _evaluate_sample_period(root: Path) -> Path:
    from analysis.evaluate.evaluation import evaluate_source

    evaluate_source(SAMPLE, PERIOD, processed_dir=root / "sample" / PERIOD)
    return root


@pytest.fixture(scope="module")
def sample_processed(build_once):
    """The sample's 2025-TW4 evaluated once per session, also under pytest-xdist (processed root with
    ``sample/2025-TW4`` in it; shared: read only, the tests' ``processed`` is a copy)."""
    root, _ = build_once("scorecards_processed", _evaluate_sample_period)
    return root


@pytest.fixture
def processed(sample_processed, tmp_path):
    """A private copy (tests change data in it)."""
    root = tmp_path / "processed"
    shutil.copytree(sample_processed, root)
    return root


def options(processed, out, **kw):
    return batch.ScorecardOptions(
        raw_dir=SAMPLE, period=PERIOD, processed_root=processed, out_dir=out, jobs=1, **kw
    )


def rt_codes(processed, n=None):
    codes = pd.read_parquet(processed / "sample" / PERIOD / "rt_index.parquet")
    insufficient = codes.loc[codes["status"] != "dinilai", "rt_code"].tolist()
    scored = codes.loc[codes["status"] == "dinilai", "rt_code"].tolist()
    return scored, insufficient


def stem(processed, rt_code) -> str:
    """The file name (without suffix) of an RT's card: ``rt-<code>_<kelurahan>``."""
    rt_index = pd.read_parquet(processed / "sample" / PERIOD / "rt_index.parquet").set_index(
        "rt_code", drop=False
    )
    return scorecard_data.card_file_stem(rt_index.loc[rt_code])


def pdf_page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(str(path)).pages]


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_unknown_rt_among_known_ones_is_a_usage_error_naming_it(processed, tmp_path, capsys):
    """``--rt A --rt TYPO --rt B``: exit 2 before any card is built, naming the unknown code with the
    closest known one; today's ``--rt`` kept only the last value and dropped the rest in silence."""
    from analysis.cli import main

    scored, _ = rt_codes(processed)
    typo = scored[1][:-1] + ("9" if scored[1][-1] != "9" else "8")
    out = tmp_path / "cards"
    argv = [
        "scorecards", "--raw", str(SAMPLE), "--period", PERIOD, "--processed", str(processed),
        "--out", str(out), "--rt", scored[0], "--rt", typo, "--rt", scored[2], "--rt", "NOPE",
    ]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"2 RT code(s) not in the {PERIOD} index of sample: {typo} (did you mean " in err
    suggested = err.split(f"{typo} (did you mean ", 1)[1].split("?)", 1)[0].split(" or ")
    assert scored[1] in suggested and "), NOPE (e.g. " in err
    assert not out.exists()


def test_selection_keeps_every_requested_rt(processed):
    scored, insufficient = rt_codes(processed)
    codes = pd.read_parquet(processed / "sample" / PERIOD / "rt_index.parquet")["rt_code"].tolist()
    wanted = [insufficient[0], scored[2], scored[0]]
    assert batch.select_rts(wanted, codes, "x") == [c for c in codes if c in wanted]
    assert len(batch.select_rts(wanted, codes, "x")) == 3


@pytest.mark.slow
def test_cards_incremental_rerun_and_one_changed_rt(processed, tmp_path):
    scored, insufficient = rt_codes(processed)
    chosen = (scored[0], scored[1], insufficient[0])
    out = tmp_path / "cards"
    first = batch.run_scorecards(options(processed, out, rts=chosen))
    assert [(r.status, r.build) for r in first.rows] == [("ok", "rebuilt")] * 3
    for rt in chosen:
        for ext in ("html", "pdf", "ipynb"):
            assert (out / "rt" / f"{stem(processed, rt)}.{ext}").is_file()
    html = (out / "rt" / f"{stem(processed, scored[0])}.html").read_text(encoding="utf-8")
    assert config.SAMPLE_NOTICE in html and "Rapor Kampung Bahagia: RT" in html
    assert "Peringkat" in html and "kemungkinan antara" in html and "Yang bisa dilakukan:" in html
    assert "Anggaran terhadap rencana" in html and "Dengan kelurahan" in html and "Triwulan III 2025" in html
    assert "<script" not in html and "Traceback" not in html
    text = pdf_text(out / "rt" / f"{stem(processed, insufficient[0])}.pdf")
    assert "Data belum memadai" in text and "DATA CONTOH" in text
    for rt in chosen:  # the notes share their page with the indicator table's last rows
        pdf_pages = pdf_page_texts(out / "rt" / f"{stem(processed, rt)}.pdf")
        assert len(pdf_pages) <= 2, rt  # one sheet printed on both sides (scorecards.printcard)
        with_notes = [t for t in pdf_pages if "Cara membaca rapor ini" in t]
        assert len(with_notes) == 1 and "Kode pembuatan" in with_notes[0], rt
        assert "Prinsip Indikator Nilai" in with_notes[0] and "Penilaian warga atas" in with_notes[0], rt
        assert "Kode pembuatan" in pdf_pages[-1] and "Cara membaca rapor ini" in pdf_pages[-1], rt
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"] == {"rts": 3, "rebuilt": 3, "unchanged": 0, "failed": 0}
    csv_rows = pd.read_csv(out / "summary.csv")
    assert list(csv_rows.columns)[:7] == [
        "rt_code",
        "kecamatan_name",
        "kelurahan_name",
        "card",
        "status",
        "build",
        "duration_s",
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert (
        f'href="rt/{stem(processed, scored[0])}.html"' in index and "belum dibuat" in index
    )  # RTs not chosen yet

    second = batch.run_scorecards(options(processed, out, rts=chosen))
    assert [r.build for r in second.rows] == ["unchanged"] * 3, "nothing changed, nothing rebuilt"
    assert (out / "rt" / f"{stem(processed, scored[0])}.html").read_text(encoding="utf-8") == html

    # change one RT's spending in the processed data: only that card is rebuilt
    reports_path = processed / "sample" / PERIOD / "rt_reports.parquet"
    reports = pd.read_parquet(reports_path)
    kel = pd.read_parquet(processed / "sample" / PERIOD / "rt_index.parquet").set_index("rt_code")
    reports.loc[reports["rt_code"] == scored[1], "swadaya_idr"] = 123_456_789.0
    reports.to_parquet(reports_path)
    assert (
        kel["kelurahan_code"] == kel.loc[scored[1], "kelurahan_code"]
    ).sum() == 1  # pilot: 1 RT per kelurahan
    third = batch.run_scorecards(options(processed, out, rts=chosen))
    assert {r.rt_code: r.build for r in third.rows} == {
        scored[0]: "unchanged",
        scored[1]: "rebuilt",
        insufficient[0]: "unchanged",
    }
    assert "Rp123.456.789" in (out / "rt" / f"{stem(processed, scored[1])}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_failing_rt_does_not_stop_the_others(processed, tmp_path):
    import nbformat

    scored, _ = rt_codes(processed)
    bad = scored[1]
    broken = failing_notebook(tmp_path, bad)
    out = tmp_path / "cards"
    args = [
        "scorecards", "--raw", str(SAMPLE), "--period", PERIOD, "--processed", str(processed), "--out", str(out),
        "--jobs", "2", "--formats", "html", "--notebook", str(broken),
        "--rt", scored[0], "--rt", scored[1], "--rt", scored[2],  # repeated: every one is built
    ]  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "injected test failure" in proc.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    statuses = {r["rt_code"]: r["status"] for r in summary["rts"]}
    assert statuses == {scored[0]: "ok", bad: "failed", scored[2]: "ok"}
    assert (out / "rt" / f"{stem(processed, scored[0])}.html").is_file() and (
        out / "rt" / f"{stem(processed, scored[2])}.html"
    ).is_file()
    assert not (out / "rt" / f"{stem(processed, bad)}.html").exists()
    failed_nb = nbformat.read(out / "failed" / f"{bad}.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in failed_nb.cells for o in c.get("outputs", []))
    assert "gagal dibuat" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_in_process_engine_gives_the_papermill_card(processed, tmp_path):
    from analysis.publish.export import strip_run_info

    scored, _ = rt_codes(processed)
    rt = scored[0]
    fast = batch.run_scorecards(options(processed, tmp_path / "a", rts=(rt,), formats=("html",)))
    slow = batch.run_scorecards(
        options(processed, tmp_path / "b", rts=(rt,), formats=("html",), engine="papermill")
    )
    assert fast.rows[0].status == slow.rows[0].status == "ok"
    a = strip_run_info((tmp_path / "a" / "rt" / f"{stem(processed, rt)}.html").read_text(encoding="utf-8"))
    b = strip_run_info((tmp_path / "b" / "rt" / f"{stem(processed, rt)}.html").read_text(encoding="utf-8"))
    assert a == b


@pytest.mark.slow
def test_notebook_runs_under_the_papermill_cli(processed, tmp_path):
    scored, insufficient = rt_codes(processed)
    out = tmp_path / "out.ipynb"
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "papermill"), str(build.NOTEBOOK), str(out),
            "-p", "processed_dir", str(processed / "sample" / PERIOD), "-p", "period", PERIOD,
            "-p", "kode_rt", insufficient[0], "--no-progress-bar",
        ],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Data belum memadai" in out.read_text(encoding="utf-8")


def failing_notebook(folder: Path, bad_rt: str) -> Path:
    """A copy of the scorecard notebook with one more cell that raises for ``bad_rt`` (test-only hook)."""
    import nbformat

    nb = nbformat.read(build.NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f"assert kode_rt != {bad_rt!r}, 'injected test failure'"))
    path = folder / "05_scorecard_rt.ipynb"
    nbformat.write(nb, path)
    return path


def _html_cards_on(cluster, processed, out, rts, notebook):
    """The HTML cards of ``rts`` from ``notebook`` built on the Dask ``cluster`` into ``out``."""
    return batch.run_scorecards(
        options(
            processed, out, rts=rts, formats=("html",), notebook=notebook, scheduler=cluster.scheduler_address
        )
    )


@pytest.mark.slow
def test_dask_local_cluster_same_cache_and_failure_isolation(processed, tmp_path):
    from distributed import LocalCluster

    scored, _ = rt_codes(processed)
    chosen = tuple(scored[:3])
    notebook = failing_notebook(tmp_path, chosen[1])
    out = tmp_path / "cards"
    local = batch.run_scorecards(
        options(processed, out, rts=chosen[:1], formats=("html",), notebook=notebook)
    )
    assert local.rows[0].build == "rebuilt"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = _html_cards_on(cluster, processed, out, chosen, notebook)
    assert {r.rt_code: (r.status, r.build) for r in result.rows} == {
        chosen[0]: ("ok", "unchanged"),  # built locally before: the same cache
        chosen[1]: ("failed", "rebuilt"),
        chosen[2]: ("ok", "rebuilt"),
    }
    assert "injected test failure" in result.failed[0].message
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["dask"]["scheduler"] == cluster.scheduler_address
    assert (out / "rt" / f"{stem(processed, chosen[0])}.html").is_file() and (
        out / "rt" / f"{stem(processed, chosen[2])}.html"
    ).is_file()


def test_a_dask_task_builds_its_cards_in_order_in_a_card_thread_of_its_own(monkeypatch):
    import threading

    seen = []

    def fake_build(job):
        seen.append(threading.current_thread())
        return build.JobResult(job.rt_code, True, 0.0)

    monkeypatch.setattr(build, "build_scorecard", fake_build)
    jobs = [build.ScorecardJob(code, "nb.ipynb", {}, "t", "s", "2026-01-01T00:00:00+07:00") for code in "abc"]
    assert [r.rt_code for r in build.build_scorecards_on_dask(jobs)] == ["a", "b", "c"]
    # not the calling (Dask) thread, whose stack the worker's profiler samples; one thread for the chunk
    assert threading.current_thread() not in seen and len(set(seen)) == 1


@pytest.mark.slow
def test_dask_lost_worker_fails_each_rt_of_its_chunk(processed, tmp_path):
    import dask
    import nbformat
    from distributed import LocalCluster

    scored, _ = rt_codes(processed)
    chosen = tuple(scored[:8])  # 1 thread: chunks of 2 cards (build.dask_chunks)
    chunks = build.dask_chunks(list(chosen), threads=1)
    assert [len(c) for c in chunks] == [2, 2, 2, 2]
    nb = nbformat.read(build.NOTEBOOK, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            f"import os\nif kode_rt == {chosen[2]!r}:\n    os._exit(1)  # the worker dies"
        )
    )
    notebook = tmp_path / "05_scorecard_rt.ipynb"
    nbformat.write(nb, notebook)
    out = tmp_path / "cards"
    no_retry = dask.config.set({"distributed.scheduler.allowed-failures": 0})  # the killing chunk: once
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None)
    with no_retry, cluster:
        result = _html_cards_on(cluster, processed, out, chosen, notebook)
    failed = {r.rt_code for r in result.failed}
    assert len(result.rows) == len(chosen)  # every RT reported
    # the killer's chunk fails whole; the chunk queued on the same worker is lost with it (no retry here)
    assert set(chosen[2:4]) <= failed <= set(chosen[2:6])
    assert all("dask task failed" in r.message for r in result.failed)


@pytest.mark.slow
def test_every_rt_of_the_sample_gets_a_card(processed, tmp_path):
    out = tmp_path / "cards"
    result = batch.run_scorecards(
        options(processed, out, formats=("html",)).__class__(
            raw_dir=SAMPLE, period=PERIOD, processed_root=processed, out_dir=out, jobs=2, formats=("html",)
        )
    )
    rt_index = pd.read_parquet(processed / "sample" / PERIOD / "rt_index.parquet")
    # 68 RTs reported: the 67 pilots, plus an RT whose registry row has an unreadable Tahun Mulai (20266):
    # kept since issue 10 with start_year missing, so its 2025 reports count
    assert len(result.rows) == len(rt_index) == 68
    assert not result.failed
    assert sorted(p.stem for p in build.iter_cards(out)) == sorted(
        stem(processed, rt) for rt in rt_index["rt_code"]
    )
    assert all(p.name.isascii() and " " not in p.name for p in build.iter_cards(out))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="sc-rt"') == 68


def test_in_process_execution_leaves_main_module_alone(tmp_path):
    main_before = sys.modules["__main__"]
    build.execute_in_process(tiny_notebook(tmp_path / "t.ipynb", ["y = 1"]), {"kode_rt": "r"})
    assert sys.modules["__main__"] is main_before  # multiprocessing/Dask spawn need the real one


def test_a_new_period_run_keeps_the_published_scorecards(tmp_path):
    from analysis.publish.runner.release import publish

    final = tmp_path / "reports" / "sample" / PERIOD
    (final / "scorecards" / "rt").mkdir(parents=True)
    (final / "scorecards" / "rt" / "a.html").write_text("card", encoding="utf-8")
    (final / "briefing.html").write_text("old", encoding="utf-8")
    staging = tmp_path / "reports" / "sample" / f".{PERIOD}.staging-x-abc"
    staging.mkdir()
    (staging / "briefing.html").write_text("new", encoding="utf-8")
    publish(staging, final)
    assert (final / "briefing.html").read_text(encoding="utf-8") == "new"
    assert (final / "scorecards" / "rt" / "a.html").read_text(encoding="utf-8") == "card"
