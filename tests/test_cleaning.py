"""The cleaner on a tiny hand-made data source (written into tmp_path) and its rules on tiny inline frames.

Every kind of bad input in the data contract has a test here (title rows, merged cells, blank rows, JUMLAH
row, signature block, numbers as text, date / yes-no / RT / kelurahan variants, duplicate RT, RT missing
from the registry, kelurahan in the wrong kecamatan, NIK/phone in Catatan, HTML/formula text, missing
sheet, missing column, not a spreadsheet, single renamed sheet).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core.config import PROJECT_ROOT
from analysis.core.errors import UsageError
from analysis.ingest import cleaning
from analysis.ingest.cleaning import clean_source, load_cleaned
from analysis.ingest.privacy import scan_file_for_personal_data
from analysis.ingest.readers import RawFile, RawRow
from analysis.ingest.runlog import RunLog, warning_record
from analysis.ingest.schemas import TABLES, WARNING_CODES

RT_HEADER = [
    "No", "Kecamatan", "Kelurahan", "RT", "Pagu Anggaran (Rp)", "Realisasi Anggaran (Rp)", "Swadaya Masyarakat (Rp)",
    "Kegiatan Direncanakan", "Kegiatan Selesai", "Jumlah Musyawarah", "KK Hadir Musyawarah", "Peserta Perempuan",
    "Total Peserta", "Papan Informasi", "Realisasi Diumumkan", "Tanggal LPJ", "Batas Waktu LPJ",
    "Temuan Pemeriksaan", "Temuan Ditindaklanjuti", "Aduan Diterima", "Aduan Selesai", "Aset Berfungsi",
    "Rencana Pemeliharaan", "Catatan",
]  # fmt: skip
REG_HEADER = [
    "No", "Kecamatan", "Kelurahan", "RW", "RT", "Nama Ketua RT", "NIK Ketua RT", "No. HP", "Jumlah KK",
    "Jumlah Jiwa", "Kampung Bahagia", "Tahun Mulai",
]  # fmt: skip
AG_HEADER = [
    "No", "Kode Indikator", "Nama Indikator", "Satuan", "Target", "Realisasi", "Pagu Anggaran (Rp)",
    "Realisasi Anggaran (Rp)", "Keterangan",
]  # fmt: skip
NIK = "1571014509800001"
PHONE = "0812-3456-7890"


def rt_row(no, kec, kel, rt, **kw):
    """One Laporan RT row with plausible defaults; keyword arguments override by header."""
    row = dict(zip(RT_HEADER, [
        no, kec, kel, rt, 100_000_000, "Rp 45.000.000", "5 jt", 4, 2, 2, 40, 20, 50, "Ya", "Tdk",
        datetime(2025, 10, 15), "31/10/2025", 2, 1, 3, 3, "Sebagian", "Y", "",
    ], strict=True))  # fmt: skip
    for key, value in kw.items():
        (header,) = [h for h in RT_HEADER if h.split(" (")[0] == key.replace("_", " ")]
        row[header] = value
    return [row[h] for h in RT_HEADER]


def _xlsx(path: Path, sheet: str, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text typed with a leading "=", not a formula
    for m in merges:
        ws.merge_cells(m)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _csv(path: Path, rows: list[list], delimiter: str = ",", bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def write_source(root: Path) -> Path:
    """A tiny data source with one of each messiness of the data contract (period 2025-TW3)."""
    ref = root / "referensi"
    _csv(ref / "program.csv", [
        ["kode_program", "nama_program", "singkatan", "opd_pengampu", "sektor"],
        ["P01", "Kartu Bahagia", "", "Dinas Sosial", "sosial"],
        ["P05", "Kampung Bahagia", "", "DPMPPA", "sosial"],
    ])  # fmt: skip
    _csv(ref / "indikator.csv", [
        ["kode_indikator", "kode_program", "nama_indikator", "satuan", "polaritas", "bobot"],
        ["P01-01", "P01", "Jumlah penerima Kartu Bahagia", "orang", "positif", "1"],
        ["P01-02", "P01", "Persentase keluarga terlayani", "%", "positif", ""],
        ["P05-01", "P05", "Aduan warga", "aduan", "NEGATIF", "0,5"],
    ], bom=True)  # fmt: skip
    _csv(ref / "target.csv", [
        ["kode_indikator", "periode", "target"],
        ["P01-01", "2025-TW3", "5.000"],
        ["P01-02", "Triwulan III 2025", "80-90"],
        ["P05-01", "2025-TW3", "10"],
        ["P09-01", "2025-TW3", "3"],  # unknown indicator
    ], delimiter=";")  # fmt: skip
    _xlsx(ref / "rt.xlsx", "Daftar RT", [
        ["DAFTAR RT KOTA JAMBI"],
        [],
        REG_HEADER,
        [1, "Kota Baru", "Kenali Asam", "", "RT 014", "Budi", NIK, PHONE, 215, 760, "Ya", 2025],
        [2, "Kota Baru", "Kenali Asam", "", "15", "Sari", "", "", 60, 200, "Ya", 2026],
        [3, "Telanaipura", "Simpang IV Sipin", "RW 02", "RT 003/RW 002", "Ani", "", "", "120", 400, "Tidak", None],
        [4, "Kota Baru", "Kenali Asam", "", "Rt.15", "Dupe", "", "", 61, 201, "Ya", 2026],  # duplicate of row 5
        [5, "Kota Baru", "Kenali Asam", "", "RT 20", "X", "", "", 61, f"NIK {NIK}", "Ya", 2026],  # NIK as a count
    ])  # fmt: skip
    _xlsx(root / "realisasi" / "realisasi_2025-TW3_dinsos.xlsx", "Realisasi", [
        ["LAPORAN REALISASI TRIWULAN III 2025", None, None],
        ["PEMERINTAH KOTA JAMBI"],
        AG_HEADER,
        [1, "P01-01", "Jumlah penerima", "orang", 5000, "5.200", "Rp 1.500.000.000", "1,35 M", "ok"],
        [2, "p01-02", "Persentase", "%", "80 - 90", "85,5 %", 1e9, 1.2e9, "=HYPERLINK(\"http://x\")"],
        [3, "P09-09", "Tidak dikenal", "unit", 1, 1, 0, 0, ""],
        [None, "JUMLAH", None, None, None, None, 2.5e9, 2.55e9, None],
    ], merges=("A1:C1",))  # fmt: skip
    _xlsx(root / "realisasi" / "realisasi_2025-TW3_dpmppa.xlsx", "Sheet1", [  # single sheet under another name
        AG_HEADER,
        [1, "P05-01", "Aduan warga", "aduan", 12, "dua belas", 0, 0, ""],  # unparseable realisation; target mismatch
    ])  # fmt: skip
    _xlsx(root / "realisasi" / "realisasi_2025-TW3_broken.xlsx", "Realisasi", [
        ["No", "Kode Indikator", "Nama Indikator", "Target"],  # no Realisasi column
        [1, "P01-01", "x", 1],
    ])  # fmt: skip
    (root / "realisasi" / "realisasi_2025-TW3_notes.xlsx").write_text("this is not a workbook")
    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb.create_sheet("Lain")
    wb.save(root / "realisasi" / "realisasi_2025-TW3_twosheets.xlsx")
    _xlsx(root / "realisasi" / "realisasi_2025-TW2.xlsx", "Realisasi", [AG_HEADER])  # other period: not read
    lap = [
        ["LAPORAN KAMPUNG BAHAGIA TRIWULAN III 2025"],
        ["KELURAHAN KENALI ASAM"],
        [],
        RT_HEADER,
        rt_row(1, "Kota Baru", "kenali  asam", "RT 014", Catatan=f"NIK ketua {NIK}, hp {PHONE}"),  # row 5
        rt_row(
            2,
            "Telanaipura",
            "Simpang Empat Sipin",
            "003",
            Realisasi_Anggaran="Rp 120.000.000",  # overspent
            Catatan="hubungi +62 812 3456 7890",
        ),
        [],
        rt_row(3, "Kota Baru", "Kenali Asam", 15, Kegiatan_Selesai=9),  # completed > planned
        rt_row(4, "Kota Baru", "Kenali Asam", "RT 099"),  # not in registry
        rt_row(
            5, "Kota Baru", "Kenali Antah Berantah", "RT 1"
        ),  # unknown kelurahan (Kenali Aswan is now a typing error)
        rt_row(6, "Alam Barajo", "Kenali Asam", "RT 14", Tanggal_LPJ="31/02/2025"),  # dup of row 5 + bad date
        rt_row(7, "Kota Baru", "Kenali Asam", "RT 14", KK_Hadir_Musyawarah=300, Pagu_Anggaran=None),
        rt_row(
            8, "Kota Baru", "Kenali Asam", "RT 15", Peserta_Perempuan=-1, Catatan="<script>alert(1)</script>"
        ),
        ["JUMLAH", None, None, None, 300_000_000],
        [],
        [None, None, None, None, None, None, None, None, None, None, "Jambi, 30 September 2025"],
        [None, "Mengetahui,", None, None, None, None, None, None, None, None, "Ketua RT"],
        [None, "Lurah Kenali Asam", None, None, None, None, None, None, None, None, None],
        [],
        [None, "Drs. H. Ahmad", None, None, None, None, None, None, None, None, "Budi"],
        [None, "NIP. 19700101 199003 1 001"],
    ]
    _xlsx(root / "kampung_bahagia" / "laporan_rt_2025-TW3.xlsx", "Laporan RT", lap, merges=("A1:X1", "A2:X2"))
    _csv(root / "survei" / "survei_warga_2025-TW3.csv", [
        ["Kecamatan", "Kelurahan", "RT", "Responden", "T1", "T2", "P1", "P2", "A1", "A2", "S1", "S2"],
        ["Kota Baru", "Kenali Asam", "RT 014", "Ibu Siti", 4, 4, 3, 4, 5, 4, 3, 3],
        ["Kota Baru", "Kenali Asam", "RT 014", "Pak Budi", 5, 5, 5, 5, 5, 5, 5, 5],
        ["Kota Baru", "Kenali Asam", "15", "R3", 1, 2, 3, 4, 5, 6, 1, 1],  # 6 out of range
        ["Kota Baru", "Kenali Asam", "RT 014", "R4", 4, 4, 4, 4, 4, 4, 4, 4],
        ["Kota Baru", '=HYPERLINK("http://evil")', "RT 014", "R5", 4, 4, 4, 4, 4, 4, 4, 4],
    ], delimiter=";", bom=True)  # fmt: skip
    (root / "SYNTHETIC").write_text("test fixture\n")
    return root


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = write_source(tmp_path_factory.mktemp("src") / "mini")
    hashes = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}
    out = tmp_path_factory.mktemp("out")
    result = clean_source(root, "Triwulan III 2025", out)
    return root, hashes, result


def _rej(result, file_part: str, row: int) -> set[str]:
    r = result.rejected
    return set(r.loc[r["file"].str.contains(file_part, regex=False) & (r["row"] == row), "reason_code"])


# --- whole run -------------------------------------------------------------------------------------


def test_outputs_written_with_exact_table_names(run):
    _, _, result = run
    names = sorted(p.name for p in result.out_dir.iterdir())
    assert names == sorted(
        [f"{t}.parquet" for t in TABLES] + ["feedback", "quality.json", "rejected_rows.csv"]
    )
    for name, df in load_cleaned(result.out_dir).items():
        assert list(df.columns) == TABLES[name].columns
        pd.testing.assert_frame_equal(df, result.tables[name])


def test_counts_add_up_for_every_file(run):
    _, _, result = run
    q = json.loads((result.out_dir / "quality.json").read_text(encoding="utf-8"))
    for file, info in q["files"].items():
        assert info["rows_read"] == info["rows_accepted"] + info["rows_rejected"] + info["rows_non_data"], (
            file
        )
    assert q["totals"]["rows_accepted"] == sum(len(df) for df in result.tables.values())
    assert q["is_synthetic"] is True and q["period"] == "2025-TW3" and q["source"] == "mini"


def test_raw_files_never_modified(run):
    root, hashes, _ = run
    assert hashes == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def test_deterministic_outputs(run, tmp_path):
    root, _, result = run
    again = clean_source(root, "2025-TW3", tmp_path)
    files = sorted(p.relative_to(result.out_dir) for p in result.out_dir.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for rel in files:
        assert (result.out_dir / rel).read_bytes() == (again.out_dir / rel).read_bytes(), rel


def test_no_personal_data_in_any_output(run):
    _, _, result = run
    for p in (p for p in result.out_dir.rglob("*") if p.is_file()):
        text = p.read_bytes().decode("utf-8", errors="ignore")
        assert not re.search(r"\d{16}", text), p.name
        assert not re.search(r"(\+62|62|0)8\d{2}[- ]?\d{4}[- ]?\d{3,4}", text), p.name
        assert "Budi" not in text and "Ahmad" not in text and "Ibu Siti" not in text, p.name
        assert scan_file_for_personal_data(p) == [], p.name


# --- non-data rows ---------------------------------------------------------------------------------


def test_title_merged_blank_total_signature_rows_counted_not_rejected(run):
    _, _, result = run
    info = result.quality["files"]["kampung_bahagia/laporan_rt_2025-TW3.xlsx"]
    assert info["header_row"] == 4
    assert info["non_data"] == {
        "title": 2, "blank": 4, "header": 1, "header_repeat": 0, "total": 1, "section": 0, "signature": 5,
    }  # fmt: skip
    assert info["rows_read"] == 21  # every row, the header counted as non-data
    assert info["rows_accepted"] + info["rows_rejected"] == 8
    ag = result.quality["files"]["realisasi/realisasi_2025-TW3_dinsos.xlsx"]
    assert ag["non_data"]["title"] == 2 and ag["non_data"]["total"] == 1  # merged title A1:C1


# --- file-level errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        pytest.param(
            "realisasi/realisasi_2025-TW3_broken.xlsx",
            "missing required column 'Realisasi'",
            id="missing_column",
        ),
        pytest.param("realisasi/realisasi_2025-TW3_notes.xlsx", "not a spreadsheet", id="not_a_spreadsheet"),
        pytest.param(
            "realisasi/realisasi_2025-TW3_twosheets.xlsx", "missing sheet 'Realisasi'", id="missing_sheet"
        ),
    ],
)
def test_file_level_errors_reported_and_run_goes_on(run, file, expected):
    _, _, result = run
    info = result.quality["files"][file]
    assert expected in info["status"]
    assert info["rows_read"] == 0
    assert result.quality["totals"]["files_failed"] == 3
    assert len(result.tables["agency_reports"]) == 2  # the other agency files were still read


def test_single_renamed_sheet_read_with_warning(run):
    _, _, result = run
    info = result.quality["files"]["realisasi/realisasi_2025-TW3_dpmppa.xlsx"]
    assert info["status"] == "read" and info["sheet"] == "Sheet1"
    (w,) = [w for w in info["warnings"] if w["code"] == "sheet_renamed"]
    assert w["value"] == "Sheet1" and "Sheet1" in w["message"] and w["row"] is None


def test_other_period_files_not_read(run):
    _, _, result = run
    assert "realisasi/realisasi_2025-TW2.xlsx" not in result.quality["files"]


# --- rows ------------------------------------------------------------------------------------------


def test_numbers_as_text_and_percent_read(run):
    _, _, result = run
    ag = result.tables["agency_reports"].set_index("indicator_code")
    assert ag.loc["P01-01", "realisation"] == 5200.0
    assert ag.loc["P01-01", "budget_allocated_idr"] == 1_500_000_000.0
    assert ag.loc["P01-01", "budget_spent_idr"] == 1_350_000_000.0


def test_percent_indicator_and_range_target(run):
    _, _, result = run
    assert _rej(result, "dinsos", 5) == set()
    ag = result.tables["agency_reports"].set_index("indicator_code")
    assert ag.loc["P01-02", "realisation"] == 85.5
    assert (ag.loc["P01-02", "target_reported_low"], ag.loc["P01-02", "target_reported_high"]) == (80.0, 90.0)
    assert bool(ag.loc["P01-02", "is_target_mismatch"]) is False


def test_unknown_indicator_rejected(run):
    _, _, result = run
    assert _rej(result, "dinsos", 6) == {"unknown_indicator"}
    assert _rej(result, "target.csv", 5) == {"unknown_indicator"}


def test_unparseable_realisation_rejected(run):
    _, _, result = run
    assert _rej(result, "dpmppa", 2) == {"unparseable"}


def test_date_yes_no_rt_kelurahan_variants_accepted(run):
    _, _, result = run
    rep = result.tables["rt_reports"].set_index("rt_code")
    # Simpang Empat Sipin -> Simpang IV Sipin (15.71.01.1001); "003" -> RT 3
    row = rep.loc["15.71.01.1001.003"]
    assert row["has_info_board"] and not row["is_spending_announced"] and row["has_maintenance_plan"]
    assert row["lpj_submitted_date"] == pd.Timestamp("2025-10-15")
    assert row["lpj_deadline_date"] == pd.Timestamp("2025-10-31")
    assert row["swadaya_idr"] == 5_000_000.0 and row["asset_status"] == "sebagian"


def test_overspending_accepted_and_flagged(run):
    _, _, result = run
    rep = result.tables["rt_reports"].set_index("rt_code")
    assert bool(rep.loc["15.71.01.1001.003", "is_overspent"]) is True
    info = result.quality["files"]["kampung_bahagia/laporan_rt_2025-TW3.xlsx"]
    over = [w for w in info["warnings"] if w["code"] == "overspent"]
    assert over and all("above the allocation" in w["message"] for w in over)
    assert all(w["column"] and w["value"] and w["sheet"] == "Laporan RT" for w in over)


def test_duplicate_rt_all_copies_rejected_naming_each_other(run):
    _, _, result = run
    assert "duplicate" in _rej(result, "laporan_rt", 5)
    assert _rej(result, "laporan_rt", 11) >= {"duplicate", "unparseable"}  # also 31/02/2025
    assert "duplicate" in _rej(result, "laporan_rt", 12)
    r = result.rejected
    reason = r.loc[
        (r["row"] == 5) & (r["reason_code"] == "duplicate") & r["file"].str.contains("laporan"), "reason"
    ].iloc[0]
    assert "row 11" in reason and "row 12" in reason


def test_registry_duplicate_and_personal_columns_dropped(run):
    _, _, result = run
    assert _rej(result, "rt.xlsx", 5) == {"duplicate"} and _rej(result, "rt.xlsx", 7) == {"duplicate"}
    reg = result.tables["rt_registry"]
    # RT 20 (row 8) is kept although its Jumlah Jiwa holds a NIK: a value column, left missing
    assert list(reg["rt_code"]) == ["15.71.01.1001.003", "15.71.07.1012.014", "15.71.07.1012.020"]
    assert pd.isna(reg.set_index("rt_code").loc["15.71.07.1012.020", "residents"])
    assert reg.set_index("rt_code").loc["15.71.01.1001.003", "rw"] == 2
    assert bool(reg.set_index("rt_code").loc["15.71.07.1012.014", "is_pilot"]) is True


def test_rt_missing_from_registry_and_unknown_kelurahan(run):
    _, _, result = run
    # RT 15 is a registry duplicate (so unknown here) and reported twice (rows 8, 13)
    assert _rej(result, "laporan_rt", 8) == {"completed_gt_planned", "unknown_rt", "duplicate"}
    assert _rej(result, "laporan_rt", 9) == {"unknown_rt"}
    assert _rej(result, "laporan_rt", 10) == {"unknown_kelurahan"}


def test_kelurahan_in_wrong_kecamatan_is_a_warning(run):
    _, _, result = run
    warnings = result.quality["files"]["kampung_bahagia/laporan_rt_2025-TW3.xlsx"]["warnings"]
    (w,) = [w for w in warnings if w["code"] == "wrong_kecamatan" and w["row"] == 11]
    assert "Alam Barajo" in w["message"] and "the kelurahan decides" in w["message"]
    assert w["file"] == "kampung_bahagia/laporan_rt_2025-TW3.xlsx" and w["value"] == "Alam Barajo"


def test_households_and_required_and_negative(run):
    _, _, result = run
    assert _rej(result, "laporan_rt", 12) == {"households_gt_registry", "required_missing", "duplicate"}
    assert _rej(result, "laporan_rt", 13) == {"negative_value", "unknown_rt", "duplicate"}


def test_nik_phone_masked_in_note(run):
    _, _, result = run
    values = result.rejected.loc[result.rejected["row"] == 5, "value"].tolist()
    assert all(NIK not in v for v in values)
    warnings = result.quality["files"]["kampung_bahagia/laporan_rt_2025-TW3.xlsx"]["warnings"]
    (w,) = [w for w in warnings if w["code"] == "pii_masked" and w["row"] == 5]
    assert "nik" in w["message"] and "phone" in w["message"] and w["value"] is None
    rep = result.tables["rt_reports"].set_index("rt_code")
    assert rep.loc["15.71.01.1001.003", "note"] == "hubungi [nomor HP disamarkan]"


def test_nik_in_a_typed_cell_is_masked_in_value_and_reason(run):
    _, _, result = run
    r = result.rejected
    line = r[r["file"].str.endswith("rt.xlsx") & (r["row"] == 8)]
    assert list(line["reason_code"]) == ["unparseable"] and list(line["severity"]) == ["missing"]
    assert list(line["column_letter"]) == ["J"]
    assert line["value"].iloc[0] == "NIK [NIK disamarkan]" and NIK not in line["reason"].iloc[0]


def test_formula_text_kept_in_table_and_escaped_in_csv(run):
    _, _, result = run
    ag = result.tables["agency_reports"].set_index("indicator_code")
    assert ag.loc["P01-02", "note"] == '=HYPERLINK("http://x")'  # kept as text in the table
    rep = result.tables["rt_reports"]
    assert "<script>" not in "".join(rep["note"].fillna(""))  # that row was rejected for other reasons
    raw = (result.out_dir / "rejected_rows.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rej = pd.read_csv(
        result.out_dir / "rejected_rows.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert not rej["value"].str.startswith(("=", "@", "+")).any()
    assert '\'=HYPERLINK("http://evil")' in set(rej["value"])
    assert _rej(result, "survei", 6) == {"unknown_kelurahan"}


def test_survey_semicolon_bom_and_out_of_range(run):
    _, _, result = run
    sv = result.tables["survey"]
    assert _rej(result, "survei", 4) == {"out_of_range", "unknown_rt"}
    assert list(sv["respondent_no"]) == [1, 2, 3]
    assert set(sv["rt_code"]) == {"15.71.07.1012.014"}
    assert "source_sheet" not in sv.columns


def test_target_mismatch_flagged(run):
    _, _, result = run
    tg = result.tables["targets"].set_index("indicator_code")
    assert (tg.loc["P01-02", "target_low"], tg.loc["P01-02", "target_high"]) == (80.0, 90.0)
    assert tg.loc["P01-01", "target_low"] == 5000.0
    assert (tg["period"] == "2025-TW3").all()
    ag = result.tables["agency_reports"].set_index("indicator_code")
    assert bool(ag.loc["P01-01", "is_target_mismatch"]) is False


# --- API and CLI -----------------------------------------------------------------------------------


def test_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="unknown period"):
        clean_source(tmp_path, "TW5 2025", tmp_path / "o")
    with pytest.raises(UsageError, match="not found"):
        clean_source(tmp_path / "nope", "2025-TW2", tmp_path / "o")


def test_cli_exit_codes(run, tmp_path, capsys):
    from analysis.cli import main

    root, _, _ = run
    assert (
        main(["clean", "--raw", str(root), "--period", "TW III 2025", "--processed", str(tmp_path / "a")])
        == 0
    )
    out = capsys.readouterr().out
    # --processed is the processed root, as for run and scorecards: the period folder is ROOT/<source>/<period>/
    period_dir = tmp_path / "a" / "mini" / "2025-TW3"
    assert "rejected" in out and f"outputs: {period_dir}" in out
    assert (period_dir / "quality.json").is_file() and (period_dir / "rt_reports.parquet").is_file()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["mini"]
    assert (
        main(
            [
                "clean",
                "--raw",
                str(root),
                "--period",
                "2025-TW3",
                "--processed",
                str(tmp_path / "b"),
                "--strict",
            ]
        )
        == 1
    )
    assert main(["clean", "--raw", str(root), "--period", "Q9", "--processed", str(tmp_path / "c")]) == 2
    assert "unknown period" in capsys.readouterr().err
    assert main(["clean", "--raw", str(tmp_path / "none"), "--period", "2025-TW3"]) == 2


@pytest.mark.parametrize(
    "habit",
    [
        pytest.param(("mini", "2025-TW3"), id="the_period_folder"),
        pytest.param(("mini",), id="the_source_folder"),
    ],
)
def test_cli_processed_folder_by_habit(run, tmp_path, capsys, habit):
    """A period folder (or the source's folder) passed as ``--processed`` by habit is a one-line usage
    error naming the root to pass, not ``<period>/<source>/<period>/``."""
    from analysis.cli import main

    root_dir, _, _ = run
    processed = tmp_path / "processed"
    (processed / "mini" / "2025-TW3").mkdir(parents=True)
    given = processed.joinpath(*habit)
    before = sorted(p.relative_to(processed) for p in processed.rglob("*"))
    assert main(["clean", "--raw", str(root_dir), "--period", "2025-TW3", "--processed", str(given)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"pass --processed {processed} (not {given})" in err
    assert sorted(p.relative_to(processed) for p in processed.rglob("*")) == before


# --- rules on tiny inline frames ----------------------------------------------------------------------


def _log_for(df: pd.DataFrame, template_key: str) -> RunLog:
    from analysis.ingest.contract import TEMPLATES_BY_KEY

    log = RunLog()
    raw = RawFile(path=Path("f.xlsx"), rel_path="f.xlsx", template=TEMPLATES_BY_KEY[template_key], sheet="S")
    raw.rows = [RawRow(row=int(r), values={}) for r in df["_row"]]
    log.add_file(raw)
    return log


def _frame(spec_name: str, rows: list[dict]) -> pd.DataFrame:
    spec = TABLES[spec_name]
    cand = pd.DataFrame.from_records(
        [{**r, "_file": "f.xlsx", "_sheet": "S", "_row": i + 2} for i, r in enumerate(rows)]
    )
    return cleaning.cast_to_spec(cand, spec, ("_file", "_sheet", "_row"))


@pytest.mark.parametrize(
    ("left", "right", "values", "reason"),
    [
        pytest.param(
            "activities_completed", "activities_planned", (5, 3), "completed_gt_planned", id="completed"
        ),
        pytest.param(
            "participants_women", "participants_total", (60, 50), "women_gt_participants", id="women"
        ),
        pytest.param(
            "audit_findings_followed_up", "audit_findings", (2, 1), "followed_up_gt_findings", id="audit"
        ),
        pytest.param(
            "complaints_resolved", "complaints_received", (4, 3), "resolved_gt_received", id="complaints"
        ),
    ],
)
def test_pair_rules(left, right, values, reason):
    df = _frame(
        "rt_reports", [{left: values[0], right: values[1]}, {left: values[1], right: values[1]}, {left: 1}]
    )
    log = _log_for(df, "laporan_rt")
    cleaning.rule_pairs(df, TABLES["rt_reports"], log)
    assert [(r["row"], r["reason_code"]) for r in log.rejections] == [(2, reason)]


@pytest.mark.parametrize(
    ("table", "column", "value", "reason"),
    [
        pytest.param("rt_reports", "budget_spent_idr", -1.0, "negative_value", id="negative_money"),
        pytest.param("rt_reports", "meetings_held", -2, "negative_value", id="negative_count"),
        pytest.param("survey", "t1", 6, "out_of_range", id="likert_high"),
        pytest.param("survey", "s2", 0, "out_of_range", id="likert_zero"),
        pytest.param("rt_registry", "start_year", 1999, "out_of_range", id="year"),
        pytest.param(
            "rt_reports", "lpj_submitted_date", datetime(1900, 1, 1), "out_of_range", id="date_year"
        ),
        pytest.param("indicators", "polarity", "naik", "unparseable", id="polarity"),
    ],
)
def test_range_rules(table, column, value, reason):
    template = TABLES[table].template
    df = _frame(table, [{column: value}])
    log = _log_for(df, template)
    cleaning.rule_ranges(df, TABLES[table], log)
    assert [r["reason_code"] for r in log.rejections] == [reason]


def test_range_rule_accepts_valid_values():
    df = _frame("survey", [{"t1": 1, "t2": 5}])
    log = _log_for(df, "survei")
    cleaning.rule_ranges(df, TABLES["survey"], log)
    assert log.rejections == []


def test_duplicates_all_copies_named():
    df = _frame("rt_reports", [{"rt_code": "A"}, {"rt_code": "B"}, {"rt_code": "A"}, {"rt_code": "A"}])
    log = _log_for(df, "laporan_rt")
    cleaning.rule_duplicates(df, TABLES["rt_reports"], log)
    got = {r["row"]: r["reason"] for r in log.rejections}
    assert sorted(got) == [2, 4, 5]
    assert "row 4" in got[2] and "row 5" in got[2] and "row 2" in got[5]


def test_survey_has_no_duplicate_rule():
    df = _frame("survey", [{"rt_code": "A"}, {"rt_code": "A"}])
    log = _log_for(df, "survei")
    cleaning.rule_duplicates(df, TABLES["survey"], log)
    assert log.rejections == []


def test_foreign_key_and_lookup_rules():
    df = _frame(
        "rt_reports",
        [{"rt_code": "A", "households_at_meetings": 10}, {"rt_code": "B", "households_at_meetings": 5}],
    )
    reg = pd.DataFrame({"rt_code": ["A"], "households_kk": pd.array([8], dtype="Int64")})
    log = _log_for(df, "laporan_rt")
    cleaning.rule_foreign_keys(df, TABLES["rt_reports"], {"rt_registry": reg}, log)
    cleaning.rule_lookups(df, TABLES["rt_reports"], {"rt_registry": reg}, log)
    assert sorted((r["row"], r["reason_code"]) for r in log.rejections) == [
        (2, "households_gt_registry"),
        (3, "unknown_rt"),
    ]


@pytest.mark.parametrize(
    ("kind", "value", "fmt", "expected"),
    [
        pytest.param("number", 0.855, "0.0%", 85.5, id="excel_percent_format"),
        pytest.param("number", "85,5 %", None, 85.5, id="percent_text"),
        pytest.param("number", "12.500", None, 12500.0, id="thousands_dot"),
        pytest.param("money", "Rp12.500.000,-", None, 12_500_000.0, id="money"),
        pytest.param("target", 0.8, "0%", (80.0, 80.0), id="target_percent_cell"),
        pytest.param("code", " p01-01 ", None, "P01-01", id="code"),
        pytest.param("text", "  a \n b ", None, "a b", id="text"),
    ],
)
def test_parse_cell(kind, value, fmt, expected):
    assert cleaning.parse_cell(kind, value, fmt) == expected


def test_warning_codes_match_the_rules_document():
    """Every warning code is documented in data_quality_rules.md ("Accepted with a warning or flag")."""
    text = (PROJECT_ROOT / "docs" / "data_quality_rules.md").read_text(encoding="utf-8")
    section = text.split("## Accepted with a warning or flag", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^- `(\w+)`", section, flags=re.M))
    assert documented == set(WARNING_CODES)


def test_unknown_warning_code_is_a_bug():
    with pytest.raises(KeyError, match="unknown warning code 'oops'"):
        warning_record("oops", "row 1: x")


# --- no cascades: a registry value cell that cannot be read keeps its RT (issue 10, item 5) ---------


def test_registry_value_left_missing_keeps_its_rt_and_reports_cell(tmp_path):
    root = write_source(tmp_path / "src")
    _xlsx(root / "referensi" / "rt.xlsx", "Daftar RT", [
        REG_HEADER,
        [1, "Kota Baru", "Kenali Asam", "", "RT 014", "", "", "", "empat puluh tujuh KK", 760, "Ya", 2025],
        [2, "Kota Baru", "Kenali Asam", "", "15", "", "", "", 60, 200, "Ya", 20266],
        [3, "Kota Baru", "Kenali Asam", "", "15", "", "", "", 61, 200, "Ya", 2025],  # duplicate key
        [4, "Telanaipura", "Simpang IV Sipin", "", "RT 3", "", "", "", 100, 300, "Ya", 2025],
    ])  # fmt: skip
    result = clean_source(root, "2025-TW3", tmp_path / "out")
    r = result.rejected
    reg = r[r["file"] == "referensi/rt.xlsx"]
    line = reg[reg["row"] == 2].iloc[0]
    assert (line["column"], line["column_letter"], line["severity"], line["reason_code"]) == (
        "Jumlah KK", "I", "missing", "unparseable",
    )  # fmt: skip
    assert line["value"] == "empat puluh tujuh KK"
    assert set(reg.loc[reg["row"] == 3, "severity"]) == {"rejected"}  # duplicate: all lines of the row
    registry = result.tables["rt_registry"].set_index("rt_code")
    assert pd.isna(registry.loc["15.71.07.1012.014", "households_kk"])  # kept, the value missing
    assert "15.71.07.1012.015" not in registry.index
    # the report of RT 14 is no longer rejected as unknown_rt (its households check is skipped: no KK)
    assert "unknown_rt" not in _rej(result, "laporan_rt", 5)
    # a report of RT 15 names the registry rows that were rejected, not "is not in rt_registry"
    reason = r.loc[
        (r["row"] == 8) & (r["reason_code"] == "unknown_rt") & r["file"].str.contains("laporan"), "reason"
    ]
    assert (
        "its registry rows referensi/rt.xlsx:3 (duplicate); referensi/rt.xlsx:4 (duplicate) were rejected"
        in reason.iloc[0]
    )
    info = result.quality["files"]["referensi/rt.xlsx"]
    assert info["rows_rejected"] == 2 and info["rows_accepted"] == 2 and info["cells_left_missing"] == 1
    assert (
        info["cells_read"]
        == info["cells_accepted"] + info["cells_left_missing"] + info["cells_in_rejected_rows"]
    )
    (w,) = [w for w in info["warnings"] if w["code"] == "value_missing"]
    assert w["row"] == 2 and w["column_letter"] == "I" and w["severity"] == "missing"
    assert result.quality["missing_by_reason"] == {"unparseable": 1}
    assert result.has_problems


def test_registry_value_out_of_range_left_missing(tmp_path):
    root = write_source(tmp_path / "src")
    _xlsx(root / "referensi" / "rt.xlsx", "Daftar RT", [
        REG_HEADER, [1, "Kota Baru", "Kenali Asam", "", "RT 014", "", "", "", 215, 760, "Ya", 20266],
    ])  # fmt: skip
    result = clean_source(root, "2025-TW3", tmp_path / "out")
    reg = result.tables["rt_registry"].set_index("rt_code")
    assert (
        pd.isna(reg.loc["15.71.07.1012.014", "start_year"]) and not reg.loc["15.71.07.1012.014", "is_pilot"]
    )
    r = result.rejected
    (line,) = r[(r["file"] == "referensi/rt.xlsx")].itertuples()
    assert (line.reason_code, line.severity, line.column_letter) == ("out_of_range", "missing", "L")


def test_rejected_rows_csv_has_the_feedback_fields(run):
    _, _, result = run
    rej = pd.read_csv(
        result.out_dir / "rejected_rows.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert list(rej.columns) == ["file", "sheet", "row", "column", "column_letter", "value", "reason_code",
                                 "reason", "severity"]  # fmt: skip
    line = rej[
        (rej["file"].str.contains("laporan_rt"))
        & (rej["row"] == "8")
        & (rej["reason_code"] == "completed_gt_planned")
    ]
    assert list(line["column_letter"]) == ["I"] and list(line["severity"]) == ["rejected"]


def test_clean_result_problems_name_each_kind():
    """The run's one-line summary says what the problem is: a skipped file or a missing input is not called
    "0 row(s) rejected, 0 file(s) unreadable" (as it was before skipped files counted as problems)."""
    from analysis.ingest.cleaning import CleanResult

    def result(totals=None, warnings=(), skipped=()):
        t = {"rows_rejected": 0, "cells_left_missing": 0, "files_failed": 0, **(totals or {})}
        quality = {"totals": t, "warnings": list(warnings), "skipped_files": list(skipped)}
        return CleanResult(tables={}, rejected=pd.DataFrame(), quality=quality, out_dir=Path("."))

    assert result().problems() == [] and not result().has_problems
    lock = {"path": "kampung_bahagia/~$x.xlsx", "reason_code": "lock_file", "reason": "lock"}
    assert not result(skipped=[lock]).has_problems
    odd = {
        "path": "kampung_bahagia/laporan_rt_2026-TW3.pdf",
        "reason_code": "not_readable_format",
        "reason": "x",
    }
    missing = {"code": "no_period_files", "message": "no RT reports"}
    r = result({"rows_rejected": 17}, warnings=[missing], skipped=[odd, lock])
    assert r.problems() == [
        "17 row(s) rejected",
        "1 file(s) skipped",
        "1 expected input(s) without a file for the period",
    ]
