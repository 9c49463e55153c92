"""Readers: header spellings, row kinds, sheets, CSV dialects, file-level errors (tiny files in tmp_path)."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest

from analysis.ingest.contract import AGENCY_REPORT, RT_REGISTRY, SURVEY, TARGET
from analysis.ingest.contract import RT_REPORT as RT_REPORT_T
from analysis.ingest.readers import (
    normalise_header,
    period_files,
    read_file,
    read_period,
    sniff_delimiter,
)
from analysis.ingest.sheet_layout import HeaderMatch, Layout, classify_rows, find_layout

AG = ["No", "Kode Indikator", "Nama Indikator", "Satuan", "Target", "Realisasi", "Pagu Anggaran (Rp)",
      "Realisasi Anggaran (Rp)", "Keterangan"]  # fmt: skip


def _cells(*values):
    return list(values)


def find_header(grid, template):
    layout = find_layout(grid, template)
    return (
        layout.header_rows[-1],
        {n: m.index for n, m in layout.columns.items()},
        {n: m.written for n, m in layout.columns.items()},
    )


def _kinds(grid, header_index, template):
    """Row kinds with the header at ``header_index`` (its cells matched by name, required or not)."""
    names = {normalise_header(c.header): c.name for c in template.columns}
    cols = {
        names[normalise_header(v)]: HeaderMatch(j, v, False)
        for j, v in enumerate(grid[header_index])
        if isinstance(v, str) and normalise_header(v) in names
    }
    return classify_rows(grid, Layout([header_index], cols), template)


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
    assert pos["unit"] == 3 and pos["target_reported"] == 4


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
        _cells("No", "Kecamatan", "Kelurahan", "RT", "Pagu Anggaran"),  # header
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
    assert _kinds(grid, 2, RT_REPORT_T) == [
        "title", "blank", "header", "data", "blank", "data", "total", "total",
        "signature", "signature", "signature", "signature",
    ]  # fmt: skip


def test_column_numbers_under_the_header_are_a_header_row():
    """SIPD-style forms print (1) (2) (3) ... under the header; not data, not a rejection."""
    header = _cells("No", "Kecamatan", "Kelurahan", "RT", "Pagu Anggaran")
    for numbers in (
        _cells("(1)", "(2)", "(3)", "(4)", "(5)"),
        _cells(1, 2, 3, 4, 5),
        _cells("1", "2", "3", "4", "5"),
    ):
        grid = [header, numbers, _cells(1, "Kota Baru", "Kenali Asam", "RT 3", 100)]
        assert _kinds(grid, 0, RT_REPORT_T) == ["header", "header", "data"]
    grid = [header, _cells(1, 2, 3, 4, 5), _cells(1, 2, 3, 4, 5)]  # only right under the header
    assert _kinds(grid, 0, RT_REPORT_T) == ["header", "header", "data"]


def test_sparse_row_before_signature_is_data():
    grid = [_cells("No", "Kecamatan", "Kelurahan", "RT", "Pagu Anggaran"), _cells(3, None, "Kenali Asam")]
    assert _kinds(grid, 0, RT_REPORT_T) == ["header", "data"]


def test_indicator_name_starting_with_jumlah_is_data():
    grid = [_cells(*AG), _cells(1, "P01-01", "Jumlah penerima", "orang", 1, 2, 3, 4)]
    assert _kinds(grid, 0, AGENCY_REPORT) == ["header", "data"]


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
    assert row.formats == {}  # formats are read for percent-capable columns only (test_percent_formats)
    assert not {"ketua_rt_name", "ketua_rt_nik", "ketua_rt_phone"} & set(row.values)
    assert "1571014509800001" not in repr(raw)
    assert [(w.code, w.column) for w in raw.warnings] == [("extra_column", "Tanggal")]  # ignored, named
    assert raw.non_data == {
        "title": 1, "blank": 0, "header": 1, "header_repeat": 0, "total": 0, "section": 0, "signature": 0,
    }  # fmt: skip
    assert raw.rows_read == 3  # the header row counted as non-data
    assert raw.letters["households_kk"] == "I" and raw.warnings[0].column_letter == "M"


def test_sheet_choice(tmp_path):
    one = _wb(tmp_path / "a.xlsx", {"Lembar1": [AG, [1, "P01-01", "x", "o", 1, 2, 3, 4, ""]]})
    raw = read_file(one, AGENCY_REPORT, tmp_path)
    assert raw.ok and raw.sheet == "Lembar1" and "read the only sheet" in raw.warnings[0].message
    assert raw.warnings[0].code == "sheet_renamed" and raw.warnings[0].value == "Lembar1"
    two = _wb(tmp_path / "b.xlsx", {"A": [["notes"]], "B": [["more notes"]]})
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


# --- formats, layouts and row kinds of workbooks nobody here made (issue 10) ------------------------

RT_HEAD = [
    "No", "Kecamatan", "Kelurahan", "RT", "Pagu Anggaran (Rp)", "Realisasi Anggaran (Rp)", "Kegiatan Direncanakan",
    "Kegiatan Selesai",
]  # fmt: skip
MESSY = [
    ["LAPORAN KAMPUNG BAHAGIA"],
    RT_HEAD,
    ["KECAMATAN KOTA BARU"],  # section label
    [1, "Kota Baru", "Kenali Asam", "RT 01", 1000, 500, 4, 2],
    [2, "Kota Baru", "Kenali Asam", "RT 02", 2000, 1500, 3, 3],
    [None, None, "Jumlah Kel. Kenali Asam", None, 3000, 2000, 7, 5],  # sub-total naming what it adds up
    RT_HEAD,  # the header repeated half-way down (a new page)
    [3, "Kota Baru", "Simpang IV Sipin", "RT 03", 3000, 100, 2, 1],
    ["JUMLAH SUB KEGIATAN", None, None, None, 6000, 2100, 9, 6],
    [],
    [None, None, None, None, None, "Muara Bulian, 02-07-2025"],  # place and date: not "Jambi,"
    [None, "Mengetahui,", None, None, None, "Ketua Pokja"],
    [None, "Kepala Dinas PMD"],
    [None, "NIP. 19700101 199003 1 001"],
]
MESSY_KINDS = {
    "title": 1,
    "blank": 1,
    "header": 1,
    "header_repeat": 1,
    "total": 2,
    "section": 1,
    "signature": 4,
}


def _has_soffice() -> bool:
    import shutil

    return shutil.which("soffice") is not None


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """MESSY as .xlsx (openpyxl), and as .xls, .ods and a recalculated .xlsx (LibreOffice, one call each)."""
    import subprocess

    d = tmp_path_factory.mktemp("formats")
    src = _wb(d / "laporan_rt_2025-TW3.xlsx", {"Laporan RT": MESSY})
    out = {"xlsx": src}
    if not _has_soffice():
        return out
    for ext in ("xls", "ods"):
        subprocess.run(
            ["soffice", "--headless", "--convert-to", ext, "--outdir", str(d / ext), str(src)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        out[ext] = d / ext / f"laporan_rt_2025-TW3.{ext}"
    return out


def _values(raw):
    return [
        (r.row, r.values["rt_number"], r.values["kelurahan_name"], r.values["budget_spent_idr"])
        for r in raw.rows
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_every_workbook_format_reads_the_same(converted, fmt, tmp_path):
    if fmt not in converted:
        pytest.skip("LibreOffice (soffice) not installed: no .xls/.ods fixtures")
    from analysis.ingest.contract import RT_REPORT

    raw = read_file(converted[fmt], RT_REPORT, converted[fmt].parent)
    assert raw.ok, raw.status
    assert _values(raw) == [(4, "RT 01", "Kenali Asam", 500), (5, "RT 02", "Kenali Asam", 1500),
                            (8, "RT 03", "Simpang IV Sipin", 100)]  # fmt: skip
    assert {k: v for k, v in raw.non_data.items() if v} == MESSY_KINDS
    assert raw.rows_read == len(MESSY)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "codes"),
    [
        pytest.param("utf-8", ",", [], id="utf8_comma"),
        pytest.param("utf-8-sig", ";", ["csv_delimiter"], id="bom_semicolon"),
        pytest.param("cp1252", ";", ["csv_encoding", "csv_delimiter"], id="cp1252_semicolon"),
    ],
)
def test_csv_variants_read_the_same(tmp_path, encoding, delimiter, codes):
    import csv as _csv

    from analysis.ingest.contract import RT_REPORT

    rows = [[("Kenali Asám" if v == "Kenali Asam" else v) for v in r] for r in MESSY]  # a non-ASCII letter
    path = tmp_path / "laporan_rt_2025-TW3.csv"
    with path.open("w", encoding=encoding, newline="") as fh:
        _csv.writer(fh, delimiter=delimiter).writerows(rows)
    raw = read_file(path, RT_REPORT, tmp_path)
    assert raw.ok and [w.code for w in raw.warnings] == codes
    assert [(r.row, r.values["kelurahan_name"]) for r in raw.rows] == [
        (4, "Kenali Asám"), (5, "Kenali Asám"), (8, "Simpang IV Sipin"),
    ]  # fmt: skip
    assert {k: v for k, v in raw.non_data.items() if v} == MESSY_KINDS


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_engines_agree(converted, engine):
    from analysis.ingest.contract import RT_REPORT

    raw = read_file(converted["xlsx"], RT_REPORT, converted["xlsx"].parent, engine=engine)
    assert _values(raw) == [(4, "RT 01", "Kenali Asam", 500), (5, "RT 02", "Kenali Asam", 1500),
                            (8, "RT 03", "Simpang IV Sipin", 100)]  # fmt: skip
    assert {k: v for k, v in raw.non_data.items() if v} == MESSY_KINDS


def test_unknown_engine_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="unknown reading engine 'xlrd'"):
        read_file(tmp_path / "x.xlsx", AGENCY_REPORT, tmp_path, engine="xlrd")


def test_formula_cells_read_by_cached_value(tmp_path):
    if not _has_soffice():
        pytest.skip("LibreOffice (soffice) not installed: cannot store cached formula values")
    import subprocess

    rows = [AG, [1, "P01-01", "x", "orang", 10, "=E2*2", 100, "=G2/2", ""]]
    src = (
        _wb(tmp_path / "src" / "realisasi_2025-TW3.xlsx", {"Realisasi": rows})
        if (tmp_path / "src").mkdir() is None
        else None
    )
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path / "calc"), str(src)],
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    raw = read_file(tmp_path / "calc" / src.name, AGENCY_REPORT, tmp_path)
    (row,) = raw.rows
    assert row.values["realisation"] == 20 and row.values["budget_spent_idr"] == 50


def test_two_row_header_with_a_group_cell(tmp_path):
    from analysis.ingest.contract import RT_REPORT

    path = tmp_path / "laporan_rt_2025-TW3.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Laporan RT"
    ws.append(["No", "Kecamatan", "Kelurahan", "RT", "Anggaran (Rp)", None, None, "Kegiatan", None])
    ws.append([None, None, None, None, "Pagu", "Realisasi", "Swadaya", "Direncanakan", "Selesai"])
    ws.append([1, "Kota Baru", "Kenali Asam", "RT 01", 1000, 500, 50, 4, 2])
    for rng in ("A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:G1", "H1:I1"):
        ws.merge_cells(rng)
    wb.save(path)
    raw = read_file(path, RT_REPORT, tmp_path)
    assert raw.ok, raw.status
    assert raw.header_row == 2 and raw.non_data["header"] == 2
    (row,) = raw.rows
    assert row.row == 3
    assert (
        row.values["budget_allocated_idr"],
        row.values["budget_spent_idr"],
        row.values["swadaya_idr"],
    ) == (1000, 500, 50)
    assert (row.values["activities_planned"], row.values["activities_completed"]) == (4, 2)
    assert (
        raw.headers["budget_spent_idr"] == "Anggaran (Rp) / Realisasi"
        and raw.letters["budget_spent_idr"] == "F"
    )


def test_header_spellings_shuffled_extra_and_empty_columns(tmp_path):
    header = ["Jml KK", "Kelurahan", "Tahun\nBergabung", "RT", "Kecamatan", "Keterangan lain", None,
              "Kampung Bahagia (Ya/Tidak)", "Jumlah Jiwa (orang)"]  # fmt: skip
    path = _wb(
        tmp_path / "rt.xlsx",
        {"Daftar RT": [header, [215, "Kenali Asam", 2025, "RT 14", "Kota Baru", "x", None, "Ya", 700]]},
    )
    raw = read_file(path, RT_REGISTRY, tmp_path)
    assert raw.ok, raw.status
    (row,) = raw.rows
    assert row.values == {"households_kk": 215, "kelurahan_name": "Kenali Asam", "start_year": 2025,
                          "rt_number": "RT 14", "kecamatan_name": "Kota Baru", "is_kampung_bahagia": "Ya",
                          "residents": 700}  # fmt: skip
    got = [(w.code, w.column, w.column_letter) for w in raw.warnings]
    assert got == [
        ("header_alias", "Tahun Bergabung", "C"),
        ("extra_column", "Keterangan lain", "F"),
    ]  # "Jml KK" is "Jumlah KK" once the short form is expanded: no warning; the empty column G: none


def test_sheet_picked_by_header_among_several_and_hidden(tmp_path):
    path = tmp_path / "realisasi_2025-TW3.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Petunjuk"
    wb.active.append(["Isi lembar berikut"])
    old = wb.create_sheet("Lama")
    old.sheet_state = "hidden"
    old.append(AG)
    data = wb.create_sheet("Data 2025")
    data.append(AG)
    data.append([1, "P01-01", "x", "o", 1, 2, 3, 4, ""])
    wb.save(path)
    raw = read_file(path, AGENCY_REPORT, tmp_path)
    assert raw.ok and raw.sheet == "Data 2025" and len(raw.rows) == 1
    (w,) = raw.warnings
    assert w.code == "sheet_picked_by_header" and w.value == "Data 2025" and "'Lama'" in w.message


def test_hidden_sheet_alone_holds_the_header(tmp_path):
    path = tmp_path / "realisasi_2025-TW3.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    wb.active.append(["LAPORAN"])
    hidden = wb.create_sheet("Isian")
    hidden.sheet_state = "hidden"
    hidden.append(AG)
    hidden.append([1, "P01-01", "x", "o", 1, 2, 3, 4, ""])
    wb.save(path)
    raw = read_file(path, AGENCY_REPORT, tmp_path)
    assert raw.sheet == "Isian" and "(a hidden sheet)" in raw.warnings[0].message


def test_fill_down_merged_and_written_once_but_not_a_lone_blank(tmp_path):
    from analysis.ingest.contract import RT_REPORT

    rows = [RT_HEAD]
    for i in range(6):
        kel = "Kenali Asam" if i == 0 else ("Simpang IV Sipin" if i == 3 else None)
        rows.append([i + 1, "Kota Baru" if i == 0 else None, kel, f"RT {i + 1}", 1, 1, 1, 1])
    path = tmp_path / "laporan_rt_2025-TW3.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Laporan RT"
    for r in rows:
        ws.append(r)
    ws.merge_cells("B2:B7")  # Kecamatan merged down over its RTs
    wb.save(path)
    raw = read_file(path, RT_REPORT, tmp_path)
    assert [(r.values["kecamatan_name"], r.values["kelurahan_name"]) for r in raw.rows] == [
        ("Kota Baru", "Kenali Asam")] * 3 + [("Kota Baru", "Simpang IV Sipin")] * 3  # fmt: skip
    assert raw.rows[1].filled == {"kecamatan_name", "kelurahan_name"} and raw.rows[0].filled == frozenset()
    warned = {(w.code, w.column_letter): w.message for w in raw.warnings}
    assert "rows 3-7" in warned[("filled_down", "B")] and "rows 3-4, 6-7" in warned[("filled_down", "C")]
    # one blank Kelurahan among written ones is a mistake to report, not a layout: left blank
    rows = [RT_HEAD] + [
        [i, "Kota Baru", "Kenali Asam" if i != 3 else None, f"RT {i}", 1, 1, 1, 1] for i in range(1, 7)
    ]
    lone = (
        _wb(tmp_path / "b" / "laporan_rt_2025-TW3.xlsx", {"Laporan RT": rows})
        if (tmp_path / "b").mkdir() is None
        else None
    )
    raw = read_file(lone, RT_REPORT, tmp_path)
    assert raw.rows[2].values["kelurahan_name"] is None and not [
        w for w in raw.warnings if w.code == "filled_down"
    ]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_percent_formats_read_for_fractions(tmp_path, engine):
    path = tmp_path / "realisasi_2025-TW3.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Realisasi"
    ws.append(AG)
    ws.append([1, "P01-02", "Persentase", "%", 0.8, 0.855, 0, 0, ""])
    ws.append([2, "P01-01", "Jumlah penerima", "orang", 5000, 5200, 0, 0, ""])
    ws["E2"].number_format = "0%"
    ws["F2"].number_format = "0.0%"
    wb.save(path)
    raw = read_file(path, AGENCY_REPORT, tmp_path, engine=engine)
    assert [r.formats for r in raw.rows] == [{"target_reported": "0%", "realisation": "0.0%"}, {}]
