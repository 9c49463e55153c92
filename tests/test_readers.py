"""Readers: header spellings, row kinds, sheets, CSV dialects, file-level errors (tiny files in tmp_path)."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest

from analysis.ingest.contract import AGENCY_REPORT, RT_REGISTRY, SURVEY, TARGET
from analysis.ingest.readers import (
    classify_rows,
    find_header,
    normalise_header,
    period_files,
    read_file,
    read_period,
    sniff_delimiter,
)

AG = ["No", "Kode Indikator", "Nama Indikator", "Satuan", "Target", "Realisasi", "Pagu Anggaran (Rp)",
      "Realisasi Anggaran (Rp)", "Keterangan"]  # fmt: skip


def _cells(*values):
    return [(v, "General") for v in values]


def _wb(path, sheets: dict[str, list[list]]):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("written", "key"),
    [
        pytest.param("PAGU ANGGARAN", "pagu anggaran", id="upper"),
        pytest.param("Pagu Anggaran (Rp.)", "pagu anggaran", id="unit_dot"),
        pytest.param("pagu  anggaran", "pagu anggaran", id="double_space"),
        pytest.param("Pagu Anggaran\n(Rp)", "pagu anggaran", id="newline"),
        pytest.param("No. HP", "no hp", id="punctuation"),
        pytest.param("kode_program", "kode program", id="snake"),
    ],
)
def test_normalise_header(written, key):
    assert normalise_header(written) == key


def test_find_header_below_titles_with_spelling_variants():
    grid = [
        _cells("LAPORAN REALISASI", None),
        _cells(None, None),
        _cells(
            "NO",
            "kode  indikator",
            "NAMA INDIKATOR",
            "Satuan",
            "Target",
            "REALISASI",
            "Pagu Anggaran (Rp.)",
            "x",
        ),
    ]
    i, pos, written = find_header(grid, AGENCY_REPORT)
    assert i == 2
    assert pos["indicator_code"] == 1 and pos["budget_allocated_idr"] == 6 and "budget_spent_idr" not in pos
    assert written["indicator_code"] == "kode indikator"


def test_find_header_missing_required_column():
    grid = [_cells("No", "Kode Indikator", "Nama Indikator", "Target")]
    with pytest.raises(ValueError, match="missing required column 'Realisasi'"):
        find_header(grid, AGENCY_REPORT)


def test_find_header_none():
    with pytest.raises(ValueError, match="no header row found"):
        find_header([_cells("just", "text")], AGENCY_REPORT)


def test_classify_rows_all_kinds():
    grid = [
        _cells("LAPORAN KAMPUNG BAHAGIA TRIWULAN II 2025"),  # title
        _cells(None, None),  # blank above header
        _cells("No", "Kecamatan", "Kelurahan", "RT"),  # header
        _cells(1, "Kota Baru", "Kenali Asam", "RT 3"),  # data
        _cells(None, "  ", None),  # blank
        _cells(2, "Kota Baru", "Kenali Asam", "RT 4"),  # data
        _cells("Jumlah Total", None, None, 5),  # total
        _cells(None, "Sub Total :"),  # total
        _cells(None, None, None, "Jambi, 30 Juni 2025"),  # signature opens
        _cells("Mengetahui,", None, "Ketua RT"),
        _cells("Budi Santoso"),  # a name inside the block
        _cells("NIP. 1970"),
    ]
    assert classify_rows(grid, 2) == [
        "title", "blank", "header", "data", "blank", "data", "total", "total",
        "signature", "signature", "signature", "signature",
    ]  # fmt: skip


def test_sparse_row_before_signature_is_data():
    grid = [_cells("No", "Kecamatan", "Kelurahan", "RT"), _cells(3, None, "Kenali Asam")]
    assert classify_rows(grid, 0) == ["header", "data"]


def test_indicator_name_starting_with_jumlah_is_data():
    grid = [_cells(*AG), _cells(1, "P01-01", "Jumlah penerima", "orang", 1, 2, 3, 4)]
    assert classify_rows(grid, 0) == ["header", "data"]


def test_read_xlsx_keeps_types_formats_and_drops_personal(tmp_path):
    path = tmp_path / "rt.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Daftar RT"
    ws.append(["DAFTAR RT"])
    ws.merge_cells("A1:F1")
    ws.append(["No", "Kecamatan", "Kelurahan", "RW", "RT", "Nama Ketua RT", "NIK Ketua RT", "No. HP", "Jumlah KK",
               "Jumlah Jiwa", "Kampung Bahagia", "Tahun Mulai", "Tanggal"])  # fmt: skip
    ws.append([1, "Kota Baru", "Kenali Asam", None, "RT 14", "Budi", "1571014509800001", "08123456789", 215, 0.5, "Ya",
               2025, datetime(2025, 6, 30)])  # fmt: skip
    ws["J3"].number_format = "0%"
    wb.save(path)
    raw = read_file(path, RT_REGISTRY, tmp_path)
    assert raw.ok and raw.rel_path == "rt.xlsx" and raw.header_row == 2
    (row,) = raw.rows
    assert row.row == 3
    assert row.values["households_kk"] == 215 and row.values["rw"] is None
    assert row.formats == {"residents": "0%"}
    assert not {"ketua_rt_name", "ketua_rt_nik", "ketua_rt_phone"} & set(row.values)
    assert "1571014509800001" not in repr(raw)
    assert [(w.code, w.column) for w in raw.warnings] == [("extra_column", "Tanggal")]  # ignored, named
    assert raw.non_data == {"title": 1, "blank": 0, "total": 0, "signature": 0}
    assert raw.rows_read == 2  # the header row is counted in neither


def test_sheet_choice(tmp_path):
    one = _wb(tmp_path / "a.xlsx", {"Lembar1": [AG, [1, "P01-01", "x", "o", 1, 2, 3, 4, ""]]})
    raw = read_file(one, AGENCY_REPORT, tmp_path)
    assert raw.ok and raw.sheet == "Lembar1" and "read the only sheet" in raw.warnings[0].message
    assert raw.warnings[0].code == "sheet_renamed" and raw.warnings[0].value == "Lembar1"
    two = _wb(tmp_path / "b.xlsx", {"A": [AG], "B": [AG]})
    assert read_file(two, AGENCY_REPORT, tmp_path).status.startswith("missing sheet 'Realisasi'")
    cased = _wb(tmp_path / "c.xlsx", {"Lain": [], "REALISASI": [AG, [1, "P01-01", "x", "o", 1, 2, 3, 4, ""]]})
    raw = read_file(cased, AGENCY_REPORT, tmp_path)
    assert raw.ok and raw.sheet == "REALISASI" and len(raw.rows) == 1
    assert [(w.code, w.value) for w in raw.warnings] == [("sheet_name_variant", "REALISASI")]


def test_not_a_spreadsheet_and_missing_file(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("hello")
    assert read_file(bad, AGENCY_REPORT, tmp_path).status.startswith("not a spreadsheet")
    assert read_file(tmp_path / "none.csv", TARGET, tmp_path).status == "file not found"


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        pytest.param(
            "Kecamatan;Kelurahan;RT;T1;T2;P1;P2;A1;A2;S1;S2\nKota Baru;Kenali Asam;3;1;2;3;4;5;1;2;3\n",
            "utf-8-sig",
            id="semicolon_bom",
        ),
        pytest.param(
            "Kecamatan,Kelurahan,RT,T1,T2,P1,P2,A1,A2,S1,S2\r\nKota Baru,Kenali Asam,3,1,2,3,4,5,1,2,3\r\n",
            "utf-8",
            id="comma_crlf",
        ),
    ],
)
def test_csv_dialects(tmp_path, content, encoding):
    path = tmp_path / "survei_warga_2025-TW3.csv"
    path.write_text(content, encoding=encoding, newline="")
    raw = read_file(path, SURVEY, tmp_path)
    assert raw.ok and raw.sheet is None
    (row,) = raw.rows
    assert row.row == 2 and row.values["kecamatan_name"] == "Kota Baru" and row.values["s2"] == "3"


def test_sniff_delimiter():
    assert sniff_delimiter("a;b;c") == ";" and sniff_delimiter("a,b") == "," and sniff_delimiter("a") == ","


def test_period_files_match_the_period_token_only(tmp_path):
    folder = tmp_path / "realisasi"
    folder.mkdir()
    for name in ["realisasi_2025-TW2.xlsx", "realisasi_2025-TW2_dinkes.xlsx", "realisasi_2025_dinkes.xlsx",
                 "realisasi_2025-TW3.xlsx", "~$realisasi_2025-TW2.xlsx", "laporan_rt_2025-TW2.xlsx"]:  # fmt: skip
        (folder / name).write_bytes(b"")
    got = [p.name for p in period_files(tmp_path, AGENCY_REPORT, "2025-TW2")]
    assert got == ["realisasi_2025-TW2.xlsx", "realisasi_2025-TW2_dinkes.xlsx"]


def test_read_period_reads_reference_files_every_period(tmp_path):
    files = read_period(tmp_path, "2025-TW2")
    assert [f.rel_path for f in files] == [
        "referensi/program.csv", "referensi/indikator.csv", "referensi/target.csv", "referensi/rt.xlsx",
    ]  # fmt: skip
    assert all(f.status == "file not found" for f in files)


def test_damaged_xlsx_is_a_file_error(tmp_path):
    import zipfile

    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<not xml")
    assert read_file(path, AGENCY_REPORT, tmp_path).status.startswith("not a spreadsheet")
