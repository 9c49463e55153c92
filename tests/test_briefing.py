"""Key messages and display tables from tiny hand-made evaluation tables: exact sentences, escaping."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis.core.i18n import t
from analysis.publish.content import common, index_tables, load, messages, program_tables, quality_tables


def programs(**override) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "program_code": ["P01", "P02", "P03", "P04"],
            "program_name": ["Kartu Bahagia", "Balai Latihan Kerja Tematik", "Kota Tangguh", "Apel Kota"],
            "program_label": ["Kartu Bahagia", "Balikat", "Kota Tangguh", "Apel Kota"],
            "achievement_pct": [130.0, 87.5, 73.25, np.nan],
            "achievement_capped_pct": [120.0, 87.5, 73.25, np.nan],
            "achievement_level": ["Sangat Tinggi", "Tinggi", "Sedang", None],
            "indicators_met": pd.array([2, 0, 0, 0], dtype="Int64"),
            "indicators_computable": pd.array([2, 1, 3, 0], dtype="Int64"),
            "budget_allocated_idr": [1.5e9, 2e9, 4.5e10, np.nan],
            "serapan_pct": [10.0, 20.0, 34.0, np.nan],
            "serapan_pace_pct": [20.0, 40.0, 82.7, np.nan],
            "is_high_spend_low_output": pd.array([False, False, True, pd.NA], dtype="boolean"),
            "is_low_spend_high_output": pd.array([True, False, False, pd.NA], dtype="boolean"),
        }
    )
    return df.assign(**override)


def claims() -> pd.DataFrame:
    base = {
        "period": "100-hari",
        "claim_id": "klaim",
        "claim_text": "Program 100 hari kerja telah melebihi target.",
        "claim_speaker": "Wali Kota",
        "claim_source": "ANTARA",
        "is_example": False,
        "interpretation": "capaian >= 100%",
        "overall_verdict": "tidak didukung data",
        "overall_rule": "primary",
        "readings_supported": 1,
        "readings_total": 2,
        "data_note": "DATA CONTOH",
        "comparator": ">=",
        "threshold": 100.0,
        "coverage_pct": 100.0,
    }
    rows = [
        {**base, "reading_id": "setiap", "reading_label": "Setiap program >= 100%", "is_primary": True,
         "value": 73.25, "verdict": "tidak didukung data", "evidence": "P03 73,2%"},
        {**base, "reading_id": "rerata", "reading_label": "Rerata >= 100%", "is_primary": False,
         "value": 101.9, "verdict": "didukung data", "evidence": "Rerata 101,9%"},
        {**base, "claim_id": "contoh", "is_example": True, "reading_id": "x", "reading_label": "Contoh",
         "is_primary": True, "value": 50.0, "verdict": "didukung data", "evidence": "-"},
    ]  # fmt: skip
    df = pd.DataFrame(rows)
    return df.astype({"is_example": "boolean", "is_primary": "boolean"})


def rt_index() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rt_code": ["A", "B", "C", "D"],
            "rt_number": pd.array([1, 2, 3, 4], dtype="Int64"),
            "kelurahan_name": ["Legok"] * 4,
            "kecamatan_name": ["Danau Sipin"] * 4,
            "is_pilot": pd.array([True, False, False, False], dtype="boolean"),
            "status": ["dinilai", "dinilai", "dinilai", "data belum memadai"],
            "status_reason": ["", "", "", "tidak ada laporan RT"],
            "transparansi": [20.0, 40.0, 30.0, np.nan],
            "partisipatif": [60.0, 50.0, 70.0, np.nan],
            "akuntabilitas": [70.0, 80.0, 90.0, np.nan],
            "keberlanjutan": [55.0, 65.0, 75.0, np.nan],
            "index": [51.25, 58.75, 66.25, np.nan],
            "category": ["Cukup", "Cukup", "Baik", None],
            "rank": pd.array([3, 2, 1, pd.NA], dtype="Int64"),
            "rank_p05": [2.5, 1.0, 1.0, np.nan],
            "rank_p95": [3.0, 3.0, 2.0, np.nan],
            "rank_in_group": pd.array([1, 2, 1, pd.NA], dtype="Int64"),
            "rank_in_group_p05": [1.0, 1.0, 1.0, np.nan],
            "rank_in_group_p95": [1.0, 2.0, 2.0, np.nan],
        }
    )


def _w(code, file, row, column, value, message):
    return {"code": code, "file": file, "sheet": "Laporan RT", "row": row, "column": column, "value": value,
            "message": message}  # fmt: skip


QUALITY = {
    "totals": {"files": 3, "files_failed": 1, "rows_read": 120, "rows_accepted": 95, "rows_rejected": 5, "rows_non_data": 20},
    "warnings": [],
    "files": {
        "realisasi/realisasi_2025-TW2_a.xlsx": {
            "template": "realisasi", "status": "read", "rows_read": 60, "rows_accepted": 50, "rows_rejected": 5,
            "rows_non_data": 5, "warnings": [
                _w("target_mismatch", "realisasi/realisasi_2025-TW2_a.xlsx", 4, "Target", "1000",
                   "row 4: P02-01 target as reported 1000 differs from target.csv 300; target.csv wins"),
            ],
        },
        "kampung_bahagia/laporan_rt_2025-TW2.xlsx": {
            "template": "laporan_rt", "status": "read", "rows_read": 60, "rows_accepted": 45, "rows_rejected": 0,
            "rows_non_data": 15, "warnings": [
                _w("overspent", "kampung_bahagia/laporan_rt_2025-TW2.xlsx", 6, "Realisasi Anggaran", "51775000",
                   "row 6: RT 15.71.01.1001.005 spending 51775000 above the allocation 50000000 (accepted, is_overspent)"),
                _w("pii_masked", "kampung_bahagia/laporan_rt_2025-TW2.xlsx", 9, "CATATAN", None,
                   "row 9, CATATAN: nik masked"),
                _w("html_text", "kampung_bahagia/laporan_rt_2025-TW2.xlsx", 11, "CATATAN", "<script>alert(1)</script>",
                   "row 11, CATATAN: text that looks like HTML markup, kept as text <script>alert(1)</script>"),
            ],
        },
        "survei/survei_warga_2025-TW2.csv": {
            "template": "survei", "status": "not a spreadsheet", "rows_read": 0, "rows_accepted": 0,
            "rows_rejected": 0, "rows_non_data": 0, "warnings": [],
        },
    },
}  # fmt: skip


# ------------------------------------------------------------------------------------ key messages
def test_message_programs_exact():
    assert messages.message_programs(programs(), "id") == (
        "1 dari 4 program prioritas mencapai target periode ini (capaian ≥ 100%). "
        "Tertinggal: Kota Tangguh (73,2%) dan Balikat (87,5%). "
        "1 program belum dapat dinilai karena datanya belum lengkap."
    )
    assert messages.message_programs(programs(), "en") == (
        "1 of 4 priority programmes met their target this period (achievement ≥ 100%). "
        "Behind: Kota Tangguh (73.2%) and Balikat (87.5%). "
        "Programmes that cannot be assessed yet because their data are incomplete: 1."
    )


def test_message_programs_met_uses_the_capped_mean():
    # uncapped 105 % but capped 98 %: not met (the rule of programs_met and of the claim's primary reading)
    df = programs().iloc[[0]].assign(achievement_pct=105.0, achievement_capped_pct=98.0)
    assert messages.message_programs(df, "id").startswith("0 dari 1 program")


def test_message_programs_lists_at_most_four():
    df = pd.concat([programs().iloc[[1]]] * 6, ignore_index=True)
    df["program_code"] = [f"P{i:02d}" for i in range(6)]
    df["program_label"] = [f"Prog {i}" for i in range(6)]
    assert (
        "Prog 0 (87,5%), Prog 1 (87,5%), Prog 2 (87,5%), Prog 3 (87,5%) dan +2."
        in messages.message_programs(df)
    )


def test_message_serapan_both_flags():
    # Kota Tangguh spends at 82.7 % of the straight-line pace: close to schedule, not "on schedule or faster"
    assert messages.message_serapan(programs(), "id") == (
        "1 program membelanjakan anggaran hampir secepat jadwal (belanja merata) atau lebih cepat, tetapi "
        "capaiannya di bawah kategori Tinggi: Kota Tangguh (serapan 34,0%, 83% dari laju belanja merata, "
        "capaian 73,2%). "
        "1 program mencapai target dengan serapan anggaran sangat rendah (periksa pencatatan belanja): "
        "Kartu Bahagia (serapan 10,0%, capaian 130,0%)."
    )


def test_message_serapan_none_flagged():
    df = programs(is_high_spend_low_output=False, is_low_spend_high_output=False)
    assert (
        messages.message_serapan(df, "id")
        == "Tidak ada program dengan serapan anggaran tinggi tetapi capaian rendah."
    )


def test_message_claim_with_primary_reading_and_programs_behind():
    assert messages.message_claim(claims(), programs(), "id") == (
        "Klaim “Program 100 hari kerja telah melebihi target” (Wali Kota): **tidak didukung data**. "
        "Uji utama “Setiap program ≥ 100%” menghasilkan 73,2%; 1 dari 2 cara menguji klaim didukung data. "
        "Belum mencapai target pada 100 hari kerja: Kota Tangguh (73,2%) dan Balikat (87,5%)."
    )
    assert "**not supported by the data**" in messages.message_claim(claims(), None, "en")


def _claims_en() -> pd.DataFrame:
    c = claims()
    return c.assign(
        claim_text_en=["The programme has exceeded its target."] * 2 + [None],
        claim_speaker_en="Mayor",
        claim_source_en="ANTARA (English)",
        interpretation_en="achievement >= 100%",
        reading_label_en=["Every programme >= 100%", "Mean >= 100%", None],
        evidence_en=["Lowest 73.2%", "Mean of 2 programmes = 101.9%", "-"],
        overall_rule_en="primary: supported by the data only if",
        data_note_en="SAMPLE DATA",
    )


def test_claim_in_english_uses_the_en_columns():
    c = _claims_en()
    msg = messages.message_claim(c, None, "en")
    assert msg.startswith(
        "Claim “Program 100 hari kerja telah melebihi target” [The programme has exceeded its target]"
    )
    assert "(Mayor)" in msg and "“Every programme ≥ 100%” comes to 73.2%" in msg
    text, readings = program_tables.claim_sections(c, "en")[0]
    assert "Source: ANTARA (English)" in text and "Reading tested: achievement ≥ 100%" in text
    assert "primary: supported by the data only if" in text and "SAMPLE DATA" in text
    evidence = program_tables.claim_evidence(readings, "en")
    assert "Every programme ≥ 100%: Lowest 73.2%" in evidence and "Rerata" not in evidence
    html = program_tables.claim_readings_table(readings, "en").to_html()
    assert "★ Every programme ≥ 100%" in html and "not supported by the data" in html
    # no translation for a reading: the Indonesian label is shown; Indonesian output ignores the en columns
    example = program_tables.claim_sections(c, "en")[1][1]
    assert "Contoh" in program_tables.claim_readings_table(example, "en").to_html()
    assert "[" not in messages.message_claim(c, None, "id")
    assert "Lowest" not in program_tables.claim_evidence(readings, "id")


def test_message_claim_ignores_examples_and_empty():
    only_example = claims()[claims()["is_example"]]
    assert messages.message_claim(only_example) is None
    assert messages.message_claim(pd.DataFrame()) is None


def test_message_rt_and_weakest_principle():
    assert messages.message_rt(rt_index(), "id") == (
        "3 dari 4 RT Kampung Bahagia dinilai; 1 RT datanya belum memadai. "
        "Median indeks 58,8 dari 100; 0 RT masih berkategori Kurang."
    )
    indicators = pd.DataFrame(
        {
            "indicator": ["T1", "T1", "T2", "T2"],
            "indicator_name": [
                "Papan informasi",
                "Papan informasi",
                "Realisasi diumumkan",
                "Realisasi diumumkan",
            ],
            "principle": ["transparansi"] * 4,
            "normalised_value": [0.0, 10.0, 50.0, 60.0],
        }
    )
    assert messages.message_weakest_principle(rt_index(), indicators, "id") == (
        "Prinsip terlemah: Transparansi (median 30,0 dari 100). Indikator terlemahnya: Papan informasi."
    )
    assert messages.message_weakest_principle(rt_index(), None, "en") == (
        "Weakest principle: Transparency (median 30.0 out of 100)."
    )


def test_message_quality():
    assert messages.message_quality(QUALITY, "id") == (
        "Kualitas data: 5 dari 100 baris data ditolak (5,0%); 1 berkas tidak dapat dibaca. "
        "Angka realisasi program dilaporkan sendiri oleh OPD dan belum diperiksa pihak lain."
    )


def test_key_messages_order_and_count():
    msgs = messages.key_messages(programs(), QUALITY, "id", claims(), programs(), rt_index(), None)
    assert len(msgs) == 6
    assert msgs[0].startswith("1 dari 4 program")
    assert msgs[1].startswith("Klaim")
    assert msgs[-1].startswith("Kualitas data")
    # a period without RT reports and without a claim: programs, serapan, quality
    assert len(messages.key_messages(programs(), QUALITY, "id")) == 3


def test_key_messages_escape_data_text():
    evil = programs(program_label=["<script>alert(1)</script>", "*Balikat*", "Kota_Tangguh", "Apel"])
    text = " ".join(messages.key_messages(evil, QUALITY, "id"))
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert r"\*Balikat\*" in text and r"Kota\_Tangguh" in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;", id="html"),
        pytest.param("a & b", "a &amp; b", id="ampersand"),
        pytest.param("[link](http://x)", r"\[link\](http://x)", id="link"),
        pytest.param("# judul", r"\# judul", id="heading"),
        pytest.param(float("nan"), "—", id="missing"),
    ],
)
def test_md_escape(value, expected):
    assert common.md_escape(value) == expected


# ------------------------------------------------------------------------------------------ tables
def test_program_table_formats_and_labels():
    html = program_tables.program_table(programs(), "id").to_html()
    assert "Capaian (%)" in html and "120,0%" in html and "Rp1,5 miliar" in html
    assert "Serapan tinggi, capaian rendah" in html
    assert "achievement_capped_pct" not in html  # no raw column names
    compact = program_tables.program_table(programs(), "en", compact=True).to_html()
    assert "Achievement (%)" in compact and "Budget allocated" not in compact
    assert "Very high" in compact  # level translated


def test_interval_text_never_a_rank_alone():
    assert index_tables.interval_text(12, 8.0, 17.0) == "12 (8–17)"
    assert index_tables.interval_text(12, np.nan, 17.0) == "—"


def test_rank_table_ranks_carry_intervals():
    html = index_tables.rank_table(rt_index(), "id", n=2).to_html()
    assert "1 (1–2)" in html and "2 (1–3)" in html
    assert "Peringkat (rentang 5–95%)" in html
    assert "RT 003 · Legok" in html


def test_group_comparison():
    df = index_tables.group_comparison(rt_index())
    assert df["group"].tolist() == ["pilot", "other"]
    assert df["n_rt"].tolist() == [1, 3] and df["n_rt_scored"].tolist() == [1, 2]
    assert df.loc[1, "index"] == pytest.approx(62.5)


def test_rejections_by_reason_counts_rows_and_lines():
    rejected = pd.DataFrame(
        {
            "file": ["a.xlsx", "a.xlsx", "a.xlsx", "b.xlsx"],
            "row": [5, 5, 6, 5],
            "column": ["X", "Y", "X", "X"],
            "value": ["", "", "", ""],
            "reason_code": ["unparseable", "unparseable", "duplicate", "duplicate"],
        }
    )
    out = quality_tables.rejections_by_reason(rejected)
    assert out.to_dict("list") == {
        "reason_code": ["duplicate", "unparseable"],
        "rows": [2, 1],
        "lines": [2, 2],
    }


def test_warnings_grouped_by_code_and_escaped():
    df = quality_tables.warnings_frame(QUALITY)
    assert sorted(df["code"]) == ["html_text", "overspent", "pii_masked", "target_mismatch"]
    assert df.loc[df["code"] == "overspent", "row"].tolist() == [6]
    html = quality_tables.warnings_table(QUALITY, "id").to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    counts = quality_tables.warning_counts_table(QUALITY, "id").to_html()
    assert "Belanja melebihi pagu" in counts and "Data pribadi disamarkan" in counts
    counts_en = quality_tables.warning_counts_table(QUALITY, "en").to_html()
    assert "Spending above the budget" in counts_en and "Personal data masked" in counts_en


def test_run_level_warning_without_row():
    quality = {"files": {}, "warnings": [_w("no_period_files", None, None, None, None, "no agency file")]}
    df = quality_tables.warnings_frame(quality)
    assert df["row"].isna().all() and df["code"].tolist() == ["no_period_files"]
    assert "Tidak ada berkas OPD" in quality_tables.warnings_table(quality, "id").to_html()


def test_warnings_of_an_older_cleaner_are_an_error():
    quality = {"files": {"a.xlsx": {"warnings": ["row 4: something"]}}, "warnings": []}
    with pytest.raises(ValueError, match="a.xlsx has no code.*clean the period again"):
        quality_tables.warnings_frame(quality)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_warning_code_has_a_label(lang):
    from analysis.ingest.schemas import WARNING_CODES

    assert {c: bool(t(f"nb.warning_kind.{c}", lang)) for c in WARNING_CODES} == dict.fromkeys(
        WARNING_CODES, True
    )


def test_file_errors_table():
    html = quality_tables.file_errors_table(QUALITY, "id").to_html()
    assert "survei_warga_2025-TW2.csv" in html and "not a spreadsheet" in html
    assert quality_tables.file_errors_table({"files": {}}, "id") == "Semua berkas dapat dibaca."


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_skip_reason_has_a_label(lang):
    from analysis.ingest.inventory import SKIP_REASONS

    assert [c for c in SKIP_REASONS if t(f"nb.skip_reason.{c}", lang) == c] == []


def test_skipped_files_table_and_other_periods():
    quality = {
        "skipped_files": [
            {
                "path": "kampung_bahagia/laporan_rt_2026-TW3.pdf",
                "reason_code": "not_readable_format",
                "reason": "x",
            },
            {"path": "realisasi/<b>catatan</b>.xlsx", "reason_code": "name_not_matching", "reason": "y"},
        ],
        "totals": {"files_other_periods": 94},
    }
    frame = quality_tables.skipped_files(quality)
    assert frame.to_dict("list") == {
        "path": ["kampung_bahagia/laporan_rt_2026-TW3.pdf", "realisasi/<b>catatan</b>.xlsx"],
        "reason_code": ["not_readable_format", "name_not_matching"],
        "reason": ["x", "y"],
    }
    html = quality_tables.skipped_files_table(quality, "id").to_html()
    assert "formatnya tidak terbaca" in html and "&lt;b&gt;catatan" in html and "<b>catatan" not in html
    assert quality_tables.other_period_files_text(quality, "id") == (
        "94 berkas milik periode lain tidak dibaca pada periode ini."
    )
    empty = {"skipped_files": [], "totals": {}}
    assert quality_tables.skipped_files_table(empty, "en").startswith("Every file of the data folder")
    assert quality_tables.other_period_files_text(empty, "en") is None
    assert quality_tables.skipped_files({}).empty


def test_quality_summary_sentence():
    assert quality_tables.quality_summary(QUALITY, "id") == (
        "3 berkas dibaca (1 tidak terbaca): 120 baris, 95 baris data diterima, 5 ditolak, "
        "20 baris bukan data (judul, baris kosong, jumlah, tanda tangan)."
    )


def test_claim_sections_examples_last_and_escaped():
    c = claims()
    c.loc[0, "claim_source"] = "<img src=x onerror=alert(1)>"
    sections = program_tables.claim_sections(c, "id")
    assert [s[1]["claim_id"].iloc[0] for s in sections] == ["klaim", "contoh"]
    assert "&lt;img" in sections[0][0] and "<img" not in sections[0][0]
    assert sections[1][0].startswith("**CONTOH")
    assert program_tables.claim_sections(c, "id", include_examples=False)[0][1]["claim_id"].iloc[0] == "klaim"
    html = program_tables.claim_readings_table(sections[0][1], "id").to_html()
    assert "★ Setiap program ≥ 100%" in html and "tidak didukung data" in html


def test_with_program_labels_short_name_or_name():
    progs = pd.DataFrame({"program_code": ["P01", "P02"], "program_short": [None, "Balikat"]})
    ach = pd.DataFrame(
        {"program_code": ["P01", "P02"], "program_name": ["Kartu Bahagia", "Balai Latihan Kerja Tematik"]}
    )
    assert common.with_program_labels(ach, progs)["program_label"].tolist() == ["Kartu Bahagia", "Balikat"]


def test_load_rejected_removes_the_excel_guard(tmp_path):
    (tmp_path / "rejected_rows.csv").write_bytes(
        "\ufefffile,sheet,row,column,value,reason_code,reason\na.xlsx,S,3,X,'=HYPERLINK(1),unparseable,r\n".encode()
    )
    df = load.load_rejected(tmp_path)
    assert df.loc[0, "value"] == "=HYPERLINK(1)" and df.loc[0, "row"] == 3


def test_load_tables_missing_ones_are_empty(tmp_path):
    programs().to_parquet(tmp_path / "achievement_program.parquet")
    (tmp_path / "quality.json").write_text(json.dumps(QUALITY))
    tables = load.load_tables(tmp_path)
    assert len(tables["achievement_program"]) == 4 and tables["rt_index"].empty
    assert load.load_quality(tmp_path)["totals"]["files"] == 3
    with pytest.raises(FileNotFoundError, match="processed folder"):
        load.load_tables(tmp_path / "nope")


def test_index_summary_without_index():
    assert index_tables.index_summary(pd.DataFrame(), "id").startswith("Indeks empat prinsip tidak dihitung")


@pytest.mark.parametrize(
    "fn",
    [
        pytest.param(lambda: index_tables.rank_table(pd.DataFrame(), "id"), id="rank_table"),
        pytest.param(lambda: index_tables.insufficient_table(pd.DataFrame(), "id"), id="insufficient"),
        pytest.param(lambda: index_tables.alpha_table(pd.DataFrame(), "id"), id="alpha"),
        pytest.param(lambda: index_tables.audit_flags_table(pd.DataFrame(), "id"), id="audit"),
        pytest.param(lambda: index_tables.weakness_table(pd.DataFrame(), "id"), id="weakness"),
        pytest.param(lambda: index_tables.area_table(pd.DataFrame(), "id"), id="area"),
        pytest.param(lambda: index_tables.group_table(pd.DataFrame(), "id"), id="group"),
    ],
)
def test_index_tables_without_rt_reports_say_so(fn):
    assert fn() == "Tidak ada data pada periode ini."


def test_key_messages_for_the_100_days_do_not_repeat_the_programs_behind():
    msgs = messages.key_messages(programs(), QUALITY, "id", claims(), programs())
    assert sum("Kota Tangguh (73,2%)" in m for m in msgs) == 1


def test_load_rejected_keeps_rejected_rows_apart_from_cells_left_missing(tmp_path):
    (tmp_path / "rejected_rows.csv").write_bytes(
        (
            "\ufefffile,sheet,row,column,column_letter,value,reason_code,reason,severity\n"
            "rt.xlsx,S,8,RT,E,RT 007,duplicate,r,rejected\n"
            "rt.xlsx,S,124,Jumlah KK,I,seratus,unparseable,r,missing\n"
        ).encode()
    )
    assert list(load.load_rejected(tmp_path)["row"]) == [8]
    assert list(load.load_rejected(tmp_path, "missing")["row"]) == [124]
    assert len(load.load_rejected(tmp_path, None)) == 2
