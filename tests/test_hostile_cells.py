"""Hostile cells and headers: a column written twice, formula cells without a saved result (each made in
tmp_path by code, on the tiny data source of ``test_cleaning``)."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import openpyxl

from analysis.ingest.cleaning import clean_source
from analysis.ingest.readers import formulas_without_value

# the tiny data source and row builder of test_cleaning (tests are imported by path: --import-mode=importlib)
_spec = importlib.util.spec_from_file_location(
    "_cleaning_source", Path(__file__).with_name("test_cleaning.py")
)
_cleaning = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cleaning)
RT_HEADER, _xlsx, rt_row, write_source = (
    _cleaning.RT_HEADER,
    _cleaning._xlsx,
    _cleaning.rt_row,
    _cleaning.write_source,
)

PERIOD = "2025-TW3"
RT_FILE = "kampung_bahagia/laporan_rt_2025-TW3.xlsx"


def _source(tmp_path: Path, rows: list[list], header: list[str] = RT_HEADER) -> Path:
    root = write_source(tmp_path / "raw" / "mini")
    _xlsx(root / RT_FILE, "Laporan RT", [header, *rows])
    return root


def _rejected(result, row: int):
    r = result.rejected
    return r[(r["file"] == RT_FILE) & (r["row"] == row)]


def _warnings(result, code: str) -> list[dict]:
    return [w for w in result.quality["files"][RT_FILE]["warnings"] if w["code"] == code]


# ------------------------------------------------------------------------------ a column written twice
def test_header_repeated_with_different_values_warns_and_rejects_the_differing_rows(tmp_path):
    header = [*RT_HEADER, "Realisasi Anggaran (Rp)"]  # X: a second Realisasi Anggaran column
    rows = [
        [*rt_row(1, "Kota Baru", "Kenali Asam", "RT 014"), "Rp 45.000.000"],  # same as F (45.000.000)
        [*rt_row(2, "Kota Baru", "Kenali Asam", "RT 20"), 99_000_000],  # differs from F
        [*rt_row(3, "Telanaipura", "Simpang IV Sipin", "RT 003"), 45_000_000.0],  # same value, other type
    ]
    result = clean_source(_source(tmp_path, rows, header), PERIOD, tmp_path / "out", feedback=False)
    (warning,) = _warnings(result, "duplicate_column")
    assert warning["column_letter"] == "F" and "F and Y" in warning["message"]
    assert "differ in 1 of 3 data rows (rows 3)" in warning["message"]
    assert list(_rejected(result, 3)["reason_code"]) == ["duplicate_column"]
    reason = _rejected(result, 3)["reason"].iloc[0]
    assert "'Rp 45.000.000'" in reason and "'99000000'" in reason and "Y holds" in reason
    assert _rejected(result, 2).empty and _rejected(result, 4).empty
    assert not _warnings(result, "extra_column")  # not called a column outside the template
    assert len(result.tables["rt_reports"]) == 2


def test_a_header_repeated_with_equal_values_is_only_a_warning(tmp_path):
    header = [*RT_HEADER, "Kegiatan Selesai"]
    rows = [[*rt_row(1, "Kota Baru", "Kenali Asam", "RT 014"), 2]]
    result = clean_source(_source(tmp_path, rows, header), PERIOD, tmp_path / "out", feedback=False)
    (warning,) = _warnings(result, "duplicate_column")
    assert "differ in 0 of 1 data rows" in warning["message"]
    assert result.rejected[result.rejected["file"] == RT_FILE].empty


# ------------------------------------------------------------------ formula cells without a saved value
def _with_formulas(path: Path, cells: dict[str, str]) -> None:
    """openpyxl writes formulas without computing them: the cells get no saved result."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for address, formula in cells.items():
        ws[address] = formula
    wb.save(path)


def test_formula_cells_without_saved_value_are_problems_not_blanks(tmp_path):
    rows = [
        rt_row(1, "Kota Baru", "Kenali Asam", "RT 014"),
        rt_row(2, "Kota Baru", "Kenali Asam", "RT 20"),
        rt_row(3, "Telanaipura", "Simpang IV Sipin", "RT 003"),
    ]
    root = _source(tmp_path, rows)
    _with_formulas(root / RT_FILE, {"E2": "=1000000*100", "X3": '=CONCATENATE("ok";"")'})
    result = clean_source(root, PERIOD, tmp_path / "out")
    required = _rejected(result, 2)
    assert list(required["reason_code"]) == ["formula_without_value"]  # not "required_missing"
    assert required["column_letter"].iloc[0] == "E" and "=1000000*100" in required["reason"].iloc[0]
    note = _rejected(result, 3)
    assert list(note["reason_code"]) == ["formula_without_value"] and list(note["severity"]) == ["missing"]
    assert "CONCATENATE" in note["reason"].iloc[0] and note["column"].iloc[0] == "Catatan"
    kept = result.tables["rt_reports"]
    assert len(kept) == 2 and kept["note"].isna().all()  # the row with the note formula kept, note missing
    info = result.quality["files"][RT_FILE]
    assert info["cells_left_missing"] == 1 and info["rows_rejected"] == 1
    # the feedback workbook marks both cells
    (feedback,) = (tmp_path / "out" / "feedback").glob("kampung_bahagia__laporan_rt*")
    summary = openpyxl.load_workbook(feedback).worksheets[0]
    texts = " ".join(str(c.value) for row in summary.iter_rows() for c in row if c.value)
    assert texts.count("=1000000*100") >= 1 and "hasilnya tidak tersimpan" in texts


def test_formulas_without_value_ignores_computed_and_cached_blank_cells(tmp_path):
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["B1"] = 5, "=A1+1"
    wb.save(path)
    assert formulas_without_value(path, "Sheet") == {(0, 1): "=A1+1"}
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 5
    wb.save(plain)
    assert formulas_without_value(plain, "Sheet") == {}


def test_saved_formula_results_are_read_as_values(tmp_path):
    """A workbook saved by a spreadsheet program stores each formula's result: read, no problem."""
    rows = [rt_row(1, "Kota Baru", "Kenali Asam", "RT 014")]
    root = _source(tmp_path, rows)
    path = root / RT_FILE
    _with_formulas(path, {"E2": "=1000000*100"})
    # add the cached value an Excel save would have written: <v>100000000</v>
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<f>1000000*100</f><v />", b"<f>1000000*100</f><v>100000000</v>")
    assert b"<v>100000000</v>" in parts[sheet]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    result = clean_source(root, PERIOD, tmp_path / "out", feedback=False)
    assert _rejected(result, 2).empty
    assert result.tables["rt_reports"]["budget_allocated_idr"].tolist() == [100_000_000.0]


# ------------------------------------------------------------- personal data in names, headers and text
PHONE_DIGITS = ("081234567890", "0812-3456-7890", "0813 9999 8888", "081399998888")
NIK_DIGITS = ("3171014509800002", "3171 0145 0980 0002")


def _leaks(text: str) -> list[str]:
    return [d for d in (*PHONE_DIGITS, *NIK_DIGITS) if d in text]


def test_personal_data_in_headers_sheet_and_file_names_never_reaches_an_output(tmp_path):
    """A phone number in an extra column's header, a NIK in another header, a phone number in the sheet's
    name and in the file's name, a NIK in a note, a NIK and a phone number in a skipped file's name: none of their digits in any output file (Parquet and
    xlsx read back, names of the files included) nor in the summary printed by the CLI."""
    import pandas as pd

    from analysis.ingest.cleaning import summary_lines

    root = write_source(tmp_path / "raw" / "mini")
    (root / RT_FILE).unlink()
    header = [*RT_HEADER, "HP Ketua 0812-3456-7890", "NIK 3171014509800002"]
    rows = [
        [*rt_row(1, "Kota Baru", "Kenali Asam", "RT 014", Catatan="ketua NIK 3171 0145 0980 0002"), "x", "y"],
        [*rt_row(2, "Kota Baru", "Kenali Asam", "RT 099"), "a", "b"],  # unknown RT: a rejected row
    ]
    name = "kampung_bahagia/laporan_rt_2025-TW3_pak budi 0813 9999 8888.xlsx"
    _xlsx(root / name, "RT 0812-3456-7890", [header, *rows])
    (root / "kampung_bahagia/scan KTP 3171014509800002 hp 081234567890.pdf").write_bytes(b"%PDF-1.4")
    out = tmp_path / "out"
    result = clean_source(root, PERIOD, out)
    (skipped,) = result.quality["skipped_files"]
    assert skipped["path"] == "kampung_bahagia/scan KTP [NIK disamarkan] hp [nomor HP disamarkan].pdf"
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".parquet", ".csv", ".json", ".xlsx"}
    for path in files:
        assert not _leaks(path.relative_to(out).as_posix()), path
        if path.suffix == ".parquet":
            text = pd.read_parquet(path).to_csv()
        elif path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path)
            text = " ".join(
                [
                    *wb.sheetnames,
                    *(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row),
                ]
            )
        else:
            text = path.read_text(encoding="utf-8-sig")
        assert not _leaks(text), (path, _leaks(text))
    printed = "\n".join(summary_lines(result))
    assert not _leaks(printed)
    masked_name = "kampung_bahagia/laporan_rt_2025-TW3_pak budi [nomor HP disamarkan].xlsx"
    info = result.quality["files"][masked_name]
    assert info["sheet"] == "RT [nomor HP disamarkan]" and info["rows_rejected"] == 1
    extra = [w for w in info["warnings"] if w["code"] == "extra_column"]
    assert {w["column"] for w in extra} == {"HP Ketua [nomor HP disamarkan]", "NIK [NIK disamarkan]"}
    (feedback,) = (out / "feedback").glob("kampung_bahagia__laporan_rt_2025-TW3_pak budi*")
    assert "RT (nomor HP disamarkan)" in openpyxl.load_workbook(feedback).sheetnames


def test_two_files_whose_names_differ_only_in_masked_digits_stay_apart(tmp_path):
    root = write_source(tmp_path / "raw" / "mini")
    (root / RT_FILE).unlink()
    for phone, rt in (("0812-3456-7890", "RT 014"), ("0813-9999-8888", "RT 003")):
        kel = "Kenali Asam" if rt == "RT 014" else "Simpang IV Sipin"
        kec = "Kota Baru" if rt == "RT 014" else "Telanaipura"
        _xlsx(root / f"kampung_bahagia/laporan_rt_2025-TW3_hp {phone}.xlsx", "Laporan RT", [
            RT_HEADER, rt_row(1, kec, kel, rt),
        ])  # fmt: skip
    result = clean_source(root, PERIOD, tmp_path / "out")
    names = [f for f in result.quality["files"] if f.startswith("kampung_bahagia/")]
    assert len(names) == 2 and len(result.tables["rt_reports"]) == 2
    assert len(list((tmp_path / "out" / "feedback").glob("kampung_bahagia__*"))) == 2
