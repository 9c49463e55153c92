"""Feedback workbooks: highlighted cells, comments, the summary sheet, formats, masking, safety."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from analysis.core import i18n
from analysis.core.errors import InputFileError
from analysis.ingest import feedback
from analysis.ingest.feedback import (
    FILLS,
    CellProblem,
    feedback_path,
    write_feedback,
    write_feedback_for_source,
)
from analysis.ingest.schemas import REASONS, WARNING_CODES

DATA = Path(__file__).parent / "data" / "feedback"
SHEET = "Laporan RT"
NOTE_WITH_PII = "HP 0812-3456-7890, NIK 1571014509800001"
FORMULA_NOTE = '=HYPERLINK("http://contoh.invalid","klik")'
#: Column B's width in the builder, to check the copy keeps it.
WIDTH_B = 23.5


def build_rt_workbook(path: Path) -> Path:
    """A Kampung Bahagia report as people send it: title, two-row header with merged group cells.

    ``tests/data/feedback/laporan_rt.{ods,xls}`` are this workbook converted by LibreOffice
    (``soffice --headless --convert-to ods|xls``); ``test_fixtures_match_the_builder`` checks they agree.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = "LAPORAN KAMPUNG BAHAGIA TRIWULAN II 2025"
    ws.merge_cells("A1:H1")
    for letter, text in {
        "A": "No",
        "B": "Kelurahan",
        "C": "RT",
        "F": "Tanggal LPJ",
        "G": "Papan\nInformasi",
        "H": "Catatan",
    }.items():
        ws[f"{letter}3"] = text
        ws.merge_cells(f"{letter}3:{letter}4")
    ws["D3"] = "Anggaran (Rp)"
    ws.merge_cells("D3:E3")
    ws["D4"], ws["E4"] = "Pagu", "Realisasi"
    for cell in ("A3", "B3", "C3", "D3", "D4", "E4", "F3", "G3", "H3"):
        ws[cell].font = openpyxl.styles.Font(bold=True)
    rows = [
        (1, "Kenali Asam", "RT 014", "dua juta", 45000000, "30/06/2025", "Ya", "ok"),
        (2, "Kenali Asam", "RT 015", 100000000, 120000000, "31/02/2025", "Ya", NOTE_WITH_PII),
        (3, "Kenali Asem X", "RT 016", 50000000, 10000000, datetime(2025, 7, 1), "mungkin", FORMULA_NOTE),
    ]
    for i, values in enumerate(rows, start=5):
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=j, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # typed as text, as the sample's formula-like notes are
    ws["B8"] = "JUMLAH"
    ws.column_dimensions["B"].width = WIDTH_B
    wb.save(path)
    return path


def problems(pagu_column: str = "Anggaran (Rp) Pagu") -> list[CellProblem]:
    """The problems the cleaner would report for :func:`build_rt_workbook` (header in row 4)."""
    p = CellProblem
    return [
        p(
            SHEET,
            5,
            pagu_column,
            None,
            "dua juta",
            "unparseable",
            "cannot read 'dua juta' as money",
            "rejected",
            "money",
        ),
        p(SHEET, 5, None, None, "RT 014", "duplicate", "RT 014 also in row 9", "rejected"),
        p(SHEET, 6, "Tanggal LPJ", None, "31/02/2025", "unparseable", "not a date: '31/02/2025'", "missing"),
        p(
            SHEET,
            6,
            "Realisasi",
            "E",
            120000000,
            "overspent",
            "spent 120000000 > allocated 100000000",
            "warning",
        ),
        p(SHEET, 6, "Catatan", None, NOTE_WITH_PII, "pii_masked", "NIK-like text masked", "warning"),
        p(SHEET, 7, "Papan Informasi", None, "mungkin", "unparseable", "not yes/no: 'mungkin'", "missing"),
        p(SHEET, 7, "Kelurahan", None, "Kenali Asem X", "unknown_kelurahan", "no such kelurahan", "rejected"),
        p(
            SHEET,
            7,
            "KELURAHAN",
            None,
            "Kenali Asem X",
            "wrong_kecamatan",
            "not in that kecamatan",
            "warning",
        ),
        p(SHEET, 7, "Catatan", None, FORMULA_NOTE, "formula_text", "text a spreadsheet runs", "warning"),
        p(SHEET, 7, "Kolom Hilang", None, "x", "extra_column", "column 'Kolom Hilang' ignored", "warning"),
    ]


#: Where each problem of :func:`problems` must land, with its fill.
EXPECTED_FILLS = {
    "D5": FILLS["rejected"],
    "A5": FILLS["rejected"],
    "F6": FILLS["missing"],
    "E6": FILLS["warning"],
    "H6": FILLS["warning"],
    "G7": FILLS["missing"],
    "B7": FILLS["rejected"],  # rejected and a warning on one cell: the worse colour
    "H7": FILLS["warning"],
    "A7": FILLS["warning"],  # column not found: the row's first cell
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill_of(cell) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


def summary_table(ws) -> list[dict]:
    """The problem lines of a summary sheet as dicts keyed by the table header."""
    rows = list(ws.iter_rows())
    head_i = next(i for i, r in enumerate(rows) if r[0].value == "No" and r[2].value is not None)
    keys = [c.value for c in rows[head_i]]
    return [dict(zip(keys, r, strict=True)) for r in rows[head_i + 1 :] if r[0].value is not None]


@pytest.fixture
def rt_xlsx(tmp_path):
    return build_rt_workbook(tmp_path / "laporan_rt_2025-TW2.xlsx")


@pytest.fixture
def marked(rt_xlsx, tmp_path):
    before = sha256(rt_xlsx)
    out = write_feedback(
        rt_xlsx, problems(), tmp_path / "out.koreksi.xlsx", header_row=4, source_label="Kelurahan Kenali Asam"
    )
    assert sha256(rt_xlsx) == before, "the original was modified"
    return out


# ---------------------------------------------------------------------------------------------------
# xlsx: highlighted cells and comments


def test_problem_cells_are_filled_by_kind_and_nothing_else(marked):
    ws = openpyxl.load_workbook(marked)[SHEET]
    filled = {c.coordinate: fill_of(c) for row in ws.iter_rows() for c in row if fill_of(c)}
    assert filled == EXPECTED_FILLS


def test_comments_say_what_is_wrong_and_what_to_write(marked):
    ws = openpyxl.load_workbook(marked)[SHEET]
    d5 = ws["D5"].comment.text
    assert d5.startswith("Baris 5, kolom Anggaran (Rp) Pagu: baris ditolak.")
    assert 'Tidak dapat dibaca sebagai angka: "dua juta". Tulis angka saja, tanpa huruf, mis. 2000000.' in d5
    assert "tanggal" in ws["F6"].comment.text and "30/06/2025" in ws["F6"].comment.text
    assert "Tulis Ya atau Tidak." in ws["G7"].comment.text  # kind yesno from the contract header
    b7 = ws["B7"].comment.text  # two problems on one cell: both in one comment
    assert "tidak dikenali sebagai nama kelurahan" in b7 and "kecamatan" in b7
    assert 'Kolom "Kolom Hilang" tidak ditemukan' in ws["A7"].comment.text
    assert ws["A5"].comment.text.startswith("Baris 5: baris ditolak.")
    assert ws["C5"].comment is None


def test_copy_keeps_the_formatting_of_the_original(marked):
    ws = openpyxl.load_workbook(marked)[SHEET]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:H1", "D3:E3", "G3:G4"} <= merged
    assert ws.column_dimensions["B"].width == WIDTH_B
    assert ws["D4"].font.bold
    assert ws["D5"].value == "dua juta" and ws["E6"].value == 120000000


@pytest.mark.parametrize(
    ("column", "header_row"),
    [
        pytest.param("Pagu", 4, id="sub_header_alone"),
        pytest.param("anggaran   (rp)\npagu", 4, id="group_and_sub_any_case_spacing"),
        pytest.param("Anggaran Pagu", 3, id="header_row_is_the_group_row"),
        pytest.param("Anggaran (Rp) Pagu", None, id="header_row_unknown"),
    ],
)
def test_column_found_through_a_merged_two_row_header(rt_xlsx, tmp_path, column, header_row):
    one = [CellProblem(SHEET, 5, column, None, "dua juta", "unparseable", "x", "rejected")]
    out = write_feedback(rt_xlsx, one, tmp_path / "x.koreksi.xlsx", header_row=header_row)
    ws = openpyxl.load_workbook(out)[SHEET]
    assert fill_of(ws["D5"]) == FILLS["rejected"]
    assert "tidak ditemukan" not in ws["D5"].comment.text


def test_problem_inside_merged_cells_is_shown_on_the_merged_cell(rt_xlsx, tmp_path):
    wb = openpyxl.load_workbook(rt_xlsx)
    wb[SHEET].merge_cells("B5:B6")  # one Kelurahan cell for two RTs, as people often write it
    wb.save(rt_xlsx)
    one = [CellProblem(SHEET, 6, "Kelurahan", None, "Kenali Asam", "wrong_kecamatan", "x", "warning")]
    out = write_feedback(rt_xlsx, one, tmp_path / "x.koreksi.xlsx", header_row=4)
    wb = openpyxl.load_workbook(out)
    assert fill_of(wb[SHEET]["B5"]) == FILLS["warning"]
    assert wb[SHEET]["B5"].comment.text.startswith("Baris 6, kolom Kelurahan: perlu diperiksa.")
    line = summary_table(wb["Ringkasan"])[0]
    assert (line["Sel"].value, line["Baris"].value) == ("B5", 6)


def test_existing_comment_is_kept_below_ours(rt_xlsx, tmp_path):
    wb = openpyxl.load_workbook(rt_xlsx)
    wb[SHEET]["C6"].comment = openpyxl.comments.Comment("RT baru sejak Mei", "Ketua RT")
    wb.save(rt_xlsx)
    one = [CellProblem(SHEET, 6, "RT", None, "RT 015", "unknown_rt", "x", "rejected")]
    out = write_feedback(rt_xlsx, one, tmp_path / "x.koreksi.xlsx", header_row=4)
    text = openpyxl.load_workbook(out)[SHEET]["C6"].comment.text
    assert text.index('RT "RT 015" tidak ada') < text.index("Catatan asli di sel ini:\nRT baru sejak Mei")


# ---------------------------------------------------------------------------------------------------
# the summary sheet


def test_summary_is_the_first_sheet_with_counts_and_one_line_per_problem(marked):
    wb = openpyxl.load_workbook(marked)
    assert wb.sheetnames == ["Ringkasan", SHEET]
    assert wb.active.title == "Ringkasan"
    ws = wb["Ringkasan"]
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert texts[0] == "Koreksi data: laporan_rt_2025-TW2.xlsx"
    assert "Sumber data: Kelurahan Kenali Asam" in texts
    assert "Baris ditolak (tidak masuk data sampai diperbaiki): 2 baris, 3 masalah" in texts
    assert "Isian dianggap kosong (baris tetap dipakai): 2 sel" in texts
    assert "Perlu diperiksa (data tetap dipakai): 5 sel" in texts
    assert not any("dibuat ulang" in t for t in texts)  # an xlsx is copied, not rebuilt
    lines = summary_table(ws)
    assert [(x["Sel"].value, x["Jenis"].value) for x in lines] == [
        ("A5", "baris ditolak"),
        ("D5", "baris ditolak"),
        ("E6", "perlu diperiksa"),
        ("F6", "isian dianggap kosong"),
        ("H6", "perlu diperiksa"),
        ("A7", "perlu diperiksa"),
        ("B7", "baris ditolak"),
        ("B7", "perlu diperiksa"),
        ("G7", "isian dianggap kosong"),
        ("H7", "perlu diperiksa"),
    ]
    d5 = lines[1]
    assert d5["Lembar"].value == SHEET and d5["Baris"].value == 5
    assert d5["Kolom"].value == "Anggaran (Rp) Pagu" and d5["Isi sel"].value == "dua juta"
    assert d5["Yang sebaiknya ditulis"].value == "Tulis angka saja, tanpa huruf, mis. 2000000."
    assert d5["Jenis"].fill.fgColor.rgb == FILLS["rejected"]


def test_summary_links_each_line_to_its_cell(marked):
    lines = summary_table(openpyxl.load_workbook(marked)["Ringkasan"])
    for line in lines:
        link = line["Sel"].hyperlink
        assert link is not None and link.target is None
        assert link.location == f"'{SHEET}'!{line['Sel'].value}"


def test_english_reason_only_in_the_detail_column(marked):
    ws = openpyxl.load_workbook(marked)["Ringkasan"]
    reasons = {p.reason for p in problems()}
    detail_col = next(
        c.column
        for c in ws[next(r for r in range(1, 30) if ws.cell(r, 1).value == "No")]
        if c.value and "Rincian" in c.value
    )
    outside = [
        c.coordinate
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.column != detail_col and any(r in c.value for r in reasons)
    ]
    assert outside == []
    assert "cannot read 'dua juta' as money" in [
        x["Rincian teknis (bahasa Inggris)"].value for x in summary_table(ws)
    ]


def test_summary_in_english(rt_xlsx, tmp_path):
    out = write_feedback(rt_xlsx, problems(), tmp_path / "en.koreksi.xlsx", header_row=4, lang="en")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Summary"
    lines = summary_table(wb["Summary"])
    assert lines[1]["What is wrong"].value == 'Cannot be read as a number: "dua juta".'
    assert wb[SHEET]["D5"].comment.text.startswith("Row 5, column Anggaran (Rp) Pagu: row rejected.")


def test_no_problems_says_so(rt_xlsx, tmp_path):
    out = write_feedback(rt_xlsx, [], tmp_path / "ok.koreksi.xlsx", header_row=4)
    wb = openpyxl.load_workbook(out)
    assert "Tidak ditemukan masalah pada berkas ini. Terima kasih." in [c.value for c in wb["Ringkasan"]["A"]]
    assert summary_table(wb["Ringkasan"]) == []
    assert not [c for row in wb[SHEET].iter_rows() for c in row if fill_of(c) or c.comment]


def test_summary_name_does_not_clash_with_a_sheet_of_the_file(rt_xlsx, tmp_path):
    wb = openpyxl.load_workbook(rt_xlsx)
    wb.create_sheet("Ringkasan")
    wb.save(rt_xlsx)
    out = write_feedback(rt_xlsx, problems()[:1], tmp_path / "x.koreksi.xlsx", header_row=4)
    assert openpyxl.load_workbook(out).sheetnames == ["Ringkasan (2)", SHEET, "Ringkasan"]


# ---------------------------------------------------------------------------------------------------
# privacy and Excel safety


def test_personal_data_is_masked_in_comments_and_summary(marked):
    wb = openpyxl.load_workbook(marked)
    comment = wb[SHEET]["H6"].comment.text
    summary = " ".join(str(c.value) for row in wb["Ringkasan"].iter_rows() for c in row if c.value)
    for text in (comment, summary):
        assert "[nomor HP disamarkan]" in text and "[NIK disamarkan]" in text
        assert "1571014509800001" not in text and "3456" not in text
    # the copy may travel: NIK/phone-like text is masked in the sender's cells too (the original keeps it)
    assert wb[SHEET]["H6"].value == "HP [nomor HP disamarkan], NIK [NIK disamarkan]"


def test_formula_like_text_stays_text_in_the_summary(marked):
    wb = openpyxl.load_workbook(marked)
    cells = [c for row in wb["Ringkasan"].iter_rows() for c in row if c.value == FORMULA_NOTE]
    assert cells and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(marked) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml").decode()  # the summary is the first sheet
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_summary_texts_from_the_sender_are_never_formulas(rt_xlsx, tmp_path):
    one = [CellProblem(SHEET, 5, "=Kolom", None, "@SUM(A1)", "unparseable", "-bad", "rejected")]
    out = write_feedback(rt_xlsx, one, tmp_path / "x.koreksi.xlsx", header_row=4, source_label="=1+1")
    ws = openpyxl.load_workbook(out)["Ringkasan"]
    risky = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in risky} >= {"=Kolom", "@SUM(A1)", "-bad"}
    assert all(c.data_type == "s" for c in risky)


# ---------------------------------------------------------------------------------------------------
# other formats: rebuilt from values at the same addresses


def _check_rebuilt(out: Path, ext: str, pagu_cell: str = "D5") -> openpyxl.Workbook:
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Ringkasan"
    texts = [c.value for c in wb["Ringkasan"]["A"] if isinstance(c.value, str)]
    assert any(t.startswith(f"Berkas asli berformat {ext}. Salinan ini dibuat ulang") for t in texts)
    return wb


@pytest.mark.parametrize("ext", [".ods", ".xls"])
def test_ods_and_xls_are_rebuilt_with_problems_at_the_same_cells(tmp_path, ext):
    original = tmp_path / f"laporan_rt_2025-TW2{ext}"
    shutil.copy(DATA / f"laporan_rt{ext}", original)
    before = sha256(original)
    out = write_feedback(original, problems(), tmp_path / "x.koreksi.xlsx", header_row=4)
    assert sha256(original) == before
    wb = _check_rebuilt(out, ext)
    ws = wb[SHEET]
    filled = {c.coordinate: fill_of(c) for row in ws.iter_rows() for c in row if fill_of(c)}
    assert filled == EXPECTED_FILLS  # "Anggaran (Rp) Pagu" found through the merged group cell
    assert ws["D5"].value == "dua juta" and ws["B7"].value == "Kenali Asem X"
    assert ws["H7"].value == FORMULA_NOTE and ws["H7"].data_type == "s"
    assert {"A1:H1", "D3:E3"} <= {str(r) for r in ws.merged_cells.ranges}


def test_fixtures_match_the_builder(tmp_path):
    """The committed .ods/.xls hold the builder's values at the builder's addresses."""
    built = openpyxl.load_workbook(build_rt_workbook(tmp_path / "b.xlsx"))[SHEET]
    expected = {c.coordinate: c.value for row in built.iter_rows() for c in row if c.value is not None}
    expected["H6"] = "HP [nomor HP disamarkan], NIK [NIK disamarkan]"  # masked in every copy
    for ext in (".ods", ".xls"):
        out = write_feedback(
            DATA / f"laporan_rt{ext}", [], tmp_path / f"{ext[1:]}.koreksi.xlsx", header_row=4
        )
        ws = openpyxl.load_workbook(out)[SHEET]
        got = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
        assert got == expected, ext


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_fixtures_are_what_libreoffice_makes_of_the_builder(tmp_path):
    """Regenerates the fixtures' content (not bytes) with LibreOffice, when it is there."""
    src = build_rt_workbook(tmp_path / "laporan_rt.xlsx")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(src)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    fresh = write_feedback(tmp_path / "laporan_rt.ods", [], tmp_path / "f.koreksi.xlsx", header_row=4)
    kept = write_feedback(DATA / "laporan_rt.ods", [], tmp_path / "k.koreksi.xlsx", header_row=4)
    values = [
        [c.value for row in openpyxl.load_workbook(p)[SHEET].iter_rows() for c in row] for p in (fresh, kept)
    ]
    assert values[0] == values[1]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        pytest.param("utf-8-sig", ";", id="bom_semicolon"),
        pytest.param("cp1252", ",", id="cp1252_comma"),
    ],
)
def test_csv_is_rebuilt_with_problems_at_the_same_lines(tmp_path, encoding, delimiter):
    lines = [
        ["Kecamatan", "Kelurahan", "RT", "T1", "Catatan"],
        ["Kota Baru", "Kenali Asam", "RT 014", "4", "ok"],
        ["Kota Baru", "Kenali Asam", "RT 015", "7", "=1+2"],
        ["Kota Baru", "Pasar Jambi é", "RT 016", "3", ""],
    ]
    original = tmp_path / "survei_warga_2025-TW2.csv"
    original.write_bytes("\r\n".join(delimiter.join(x) for x in lines).encode(encoding))
    before = sha256(original)
    found = [
        CellProblem(None, 3, "T1", None, "7", "out_of_range", "answer 7 outside 1-5", "rejected"),
        CellProblem(None, 4, "kelurahan", None, "Pasar Jambi é", "unknown_kelurahan", "x", "rejected"),
    ]
    out = write_feedback(original, found, tmp_path / "s.koreksi.xlsx", header_row=1)
    assert sha256(original) == before
    wb = _check_rebuilt(out, ".csv")
    ws = wb["Data"]
    assert fill_of(ws["D3"]) == FILLS["rejected"] and fill_of(ws["B4"]) == FILLS["rejected"]
    assert ws["B4"].value == "Pasar Jambi é"  # decoded, whichever encoding
    assert ws["E3"].value == "=1+2" and ws["E3"].data_type == "s"
    assert [x["Sel"].value for x in summary_table(wb["Ringkasan"])] == ["D3", "B4"]


# ---------------------------------------------------------------------------------------------------
# errors and safety of writing


def test_missing_original_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.xlsx: submitted file not found"):
        write_feedback(tmp_path / "nope.xlsx", [], tmp_path / "x.koreksi.xlsx", header_row=4)


def test_unreadable_original_is_an_input_file_error(tmp_path):
    bad = tmp_path / "rusak.xlsx"
    bad.write_text("bukan excel")
    with pytest.raises(InputFileError, match=r"rusak\.xlsx: cannot be opened as XLSX"):
        write_feedback(bad, [], tmp_path / "x.koreksi.xlsx", header_row=4)
    with pytest.raises(InputFileError, match=r"\.pdf is not one feedback can be written for"):
        (tmp_path / "a.pdf").write_text("x")
        write_feedback(tmp_path / "a.pdf", [], tmp_path / "x.koreksi.xlsx", header_row=4)


def test_output_can_never_be_the_original(rt_xlsx, tmp_path):
    before = sha256(rt_xlsx)
    with pytest.raises(ValueError, match="would overwrite the submitted file"):
        write_feedback(rt_xlsx, [], rt_xlsx, header_row=4)
    with pytest.raises(ValueError, match=r"must end in \.koreksi\.xlsx"):
        write_feedback(rt_xlsx, [], tmp_path / "other.xlsx", header_row=4)
    assert sha256(rt_xlsx) == before


def test_problem_on_a_sheet_the_file_lacks_names_it(rt_xlsx, tmp_path):
    one = [CellProblem("Realisasi", 5, "Pagu", None, "x", "unparseable", "x", "rejected")]
    with pytest.raises(ValueError, match=r"sheet 'Realisasi', which the file does not have .*'Laporan RT'"):
        write_feedback(rt_xlsx, one, tmp_path / "x.koreksi.xlsx", header_row=4)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"severity": "fatal"}, "severity 'fatal'", id="severity"),
        pytest.param({"row": 0}, "row must be a row number from 1", id="row"),
        pytest.param({"column_letter": "F1"}, "column_letter must be", id="letter"),
    ],
)
def test_cell_problem_checks_its_fields(kwargs, message):
    fields = dict(sheet=SHEET, row=5, column="Pagu", column_letter=None, value="x", reason_code="unparseable")
    fields |= {"reason": "x", "severity": "rejected"} | kwargs
    with pytest.raises(ValueError, match=message):
        CellProblem(**fields)


def test_unknown_reason_code_is_loud(rt_xlsx, tmp_path):
    one = [CellProblem(SHEET, 5, "Pagu", None, "x", "no_such_code", "x", "rejected")]
    with pytest.raises(KeyError, match="no_such_code.*id.yml"):
        write_feedback(rt_xlsx, one, tmp_path / "x.koreksi.xlsx", header_row=4)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_reason_and_warning_code_has_texts(lang):
    labels = i18n.catalogue(lang)
    missing = [
        f"feedback.{group}.{code}.default"
        for code in [*REASONS, *WARNING_CODES]
        for group in ("what", "hint")
        if f"feedback.{group}.{code}.default" not in labels
    ]
    assert missing == []


def test_failed_save_leaves_the_previous_file_and_no_temporary(rt_xlsx, tmp_path, monkeypatch):
    out = write_feedback(rt_xlsx, [], tmp_path / "x.koreksi.xlsx", header_row=4)
    previous = sha256(out)

    def broken_write(self, data):
        self.open("wb").write(data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", broken_write)
    with pytest.raises(OSError, match="disk full"):
        write_feedback(rt_xlsx, problems(), out, header_row=4)
    assert sha256(out) == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laporan_rt_2025-TW2.xlsx", "x.koreksi.xlsx"]


# ---------------------------------------------------------------------------------------------------
# names and the whole source


@pytest.mark.parametrize(
    ("rel", "name"),
    [
        pytest.param(
            "kampung_bahagia/laporan_rt_2025-TW2.xlsx",
            "kampung_bahagia__laporan_rt_2025-TW2.koreksi.xlsx",
            id="xlsx",
        ),
        pytest.param(
            "kampung_bahagia/laporan_rt_2025-TW2.xls",
            "kampung_bahagia__laporan_rt_2025-TW2.xls.koreksi.xlsx",
            id="xls",
        ),
        pytest.param(
            "survei/survei_warga_2025-TW2.CSV", "survei__survei_warga_2025-TW2.CSV.koreksi.xlsx", id="csv"
        ),
    ],
)
def test_feedback_path(tmp_path, rel, name):
    assert feedback_path(tmp_path, rel) == tmp_path / "feedback" / name


@pytest.mark.parametrize("rel", ["", "../x.xlsx", "a//b.xlsx", "./a.xlsx"])
def test_feedback_path_refuses_paths_outside_the_source(tmp_path, rel):
    with pytest.raises(ValueError, match="not a path inside a data source"):
        feedback_path(tmp_path, rel)


def test_write_feedback_for_source(tmp_path, rt_xlsx):
    raw = tmp_path / "raw"
    (raw / "kampung_bahagia").mkdir(parents=True)
    (raw / "survei").mkdir()
    report = raw / "kampung_bahagia" / rt_xlsx.name
    shutil.move(rt_xlsx, report)
    survey = raw / "survei" / "survei_warga_2025-TW2.csv"
    survey.write_text("Kecamatan,Kelurahan,RT,T1\nKota Baru,Kenali Asam,RT 014,4\n", encoding="utf-8")
    processed = tmp_path / "processed"
    stale = processed / "feedback" / "kampung_bahagia__laporan_rt_2025-TW2_lama.koreksi.xlsx"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    other = processed / "feedback" / "catatan.txt"
    other.write_text("not ours")
    files = [(report, "kampung_bahagia/" + report.name, 4), (survey, "survei/" + survey.name, 1)]
    written = write_feedback_for_source(processed, files, {"kampung_bahagia/" + report.name: problems()})
    assert written == [feedback_path(processed, rel) for _, rel, _ in files]
    assert sorted(p.name for p in (processed / "feedback").iterdir()) == sorted(
        [w.name for w in written] + ["catatan.txt"]
    )
    assert fill_of(openpyxl.load_workbook(written[0])[SHEET]["D5"]) == FILLS["rejected"]
    assert "Tidak ditemukan masalah" in " ".join(
        str(c.value) for c in openpyxl.load_workbook(written[1])["Ringkasan"]["A"]
    )


def test_write_feedback_for_source_refuses_problems_of_unknown_files(tmp_path, rt_xlsx):
    with pytest.raises(ValueError, match="not among the files given: kampung_bahagia/lain.xlsx"):
        write_feedback_for_source(
            tmp_path, [(rt_xlsx, "kampung_bahagia/a.xlsx", 4)], {"kampung_bahagia/lain.xlsx": problems()}
        )
    assert not (tmp_path / "feedback").exists()


def test_display_value_masks_text_but_not_typed_numbers():
    assert feedback.display_value(1571014509800001, "money", 60) == "1571014509800001"
    assert feedback.display_value(1571014509800001, None, 60) == "[NIK disamarkan]"
    assert feedback.display_value("Rp 1571014509800001", "money", 60) == "Rp [NIK disamarkan]"
    assert feedback.display_value("x" * 80, "text", 10) == "xxxxxxxxx…"
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", feedback.display_value(datetime(2025, 6, 30), "date", 60))


def test_personal_columns_are_emptied_in_the_copy(tmp_path):
    """The registry's head-of-RT name, NIK and phone columns never travel in a feedback copy."""
    src = tmp_path / "rt.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Daftar RT"
    ws.append(["DAFTAR RT"])
    ws.append(["No", "Kelurahan", "RT", "Nama Ketua RT", "NIK Ketua RT", "No. HP", "Jumlah KK"])
    ws.append([1, "Kenali Asam", "RT 015", "Budi Santoso", "1571014509800001", "0812-3456-7890", "47 KK"])
    wb.save(src)
    out = write_feedback(src, [], tmp_path / "rt.koreksi.xlsx", header_row=2)
    row = [c.value for c in openpyxl.load_workbook(out)["Daftar RT"][3]]
    assert row == [1, "Kenali Asam", "RT 015", *["[data pribadi dihapus]"] * 3, "47 KK"]
    assert openpyxl.load_workbook(src)["Daftar RT"]["D3"].value == "Budi Santoso"  # the original is untouched
