"""Every file of a data source accounted for, and hostile files (issue 11, items 1 and 3).

Fixtures are made here by code in ``tmp_path``: copies of the sample's files under other names, zip
workbooks with a flag bit or a size patched, a minimal OLE2 (CFB) file holding the streams of an
Excel-encrypted workbook, symbolic links.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine

from analysis.cli import main as cli_main
from analysis.core.config import SAMPLE_SOURCE
from analysis.core.errors import UsageError
from analysis.core.periods import PeriodError, period_from_filename
from analysis.ingest import readers
from analysis.ingest.clean_rules import DUPLICATE_ROWS_NAMED, rule_duplicates
from analysis.ingest.cleaning import clean_source, summary_lines
from analysis.ingest.contract import AGENCY_REPORT, RT_REPORT, SURVEY, TEMPLATES
from analysis.ingest.inventory import SKIP_REASONS, scan_source
from analysis.ingest.readers import ENCRYPTED, ReadLimits, read_file, read_period
from analysis.ingest.runlog import RunLog
from analysis.ingest.schemas import TABLES

SURVEY_HEADER = "Kecamatan,Kelurahan,RT,Responden,T1,T2,P1,P2,A1,A2,S1,S2\n"
RT_FILE = SAMPLE_SOURCE / "kampung_bahagia" / "laporan_rt_2026-TW3.xlsx"  # 320 RT rows
PERIOD = "2026-TW3"


def make_source(root: Path, rt_names: tuple[str, ...] = ()) -> Path:
    """The sample's reference files, and the sample's 2026-TW3 RT report under each of ``rt_names``."""
    shutil.copytree(SAMPLE_SOURCE / "referensi", root / "referensi")
    (root / "kampung_bahagia").mkdir()
    for name in rt_names:
        shutil.copy(RT_FILE, root / "kampung_bahagia" / name)
    return root


# --- names: generous, never ambiguous ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "laporan_rt_2026-TW3.xlsx",
        "laporan_rt_2026-TW3 kota baru.xlsx",
        "laporan rt 2026-TW3.xlsx",
        "Laporan_RT_TW III 2026.xlsx",
        "laporan_rt_TW III 2026.xlsx",
        "LAPORAN-RT-2026-tw3.xlsx",
        "laporan_rt_Triwulan III 2026_jelutung.xlsx",
        "laporan_rt_2026-Q3.csv",
        "laporan_rt_Q3 2026 (revisi 2).xlsx",
        "laporan_rt_2026_tw3.ods",
        "laporan_rt_2026-TW3_2026.xlsx",  # its own year again is not a second period
    ],
)
def test_generous_names_are_read_for_their_period(name):
    assert period_from_filename(name, "laporan_rt") == "2026-TW3"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("realisasi_2025_dinkes.xlsx", "2025"),  # the year, not 2025-TW2
        ("realisasi_2025_semarang.xlsx", "2025"),  # "sem…" is not a semester
        ("realisasi_100 hari kerja_dinkes.xlsx", "100-hari"),
        ("laporan_rt_2026-TW2_susulan.xlsx", "2026-TW2"),
        ("survei_warga_2026-TW2_tim-1.csv", "2026-TW2"),
    ],
)
def test_longest_period_spelling_wins(name, code):
    prefix = next(t.file_prefix for t in TEMPLATES if t.per_period and name.startswith(t.file_prefix))
    assert period_from_filename(name, prefix) == code


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("laporan_rt_2025_2026-TW1.xlsx", "names two periods, 2025 and 2026-TW1"),
        ("laporan_rt_2026-TW3 revisi TW2 2026.xlsx", "names two periods, 2026-TW3 and 2026-TW2"),
        ("laporan_rt_2025-TW5.xlsx", "'2025-TW5' not understood"),
        ("laporan_rt_2025-S3.xlsx", "'2025-S3' not understood"),
    ],
)
def test_ambiguous_or_mistyped_periods_are_never_guessed(name, message):
    with pytest.raises(PeriodError, match=message):
        period_from_filename(name, "laporan_rt")


SPELLINGS = ["2026-TW3", "TW III 2026", "Triwulan 3 2026", "2026 Q3", "2026-S2", "Semester II 2026", "2026",
             "100-hari", "100 hari kerja"]  # fmt: skip


@pytest.mark.parametrize("template", [t for t in TEMPLATES if t.per_period], ids=lambda t: t.key)
def test_no_name_matches_two_templates(template):
    """Every spelling of a name of one template matches that template's prefix only (and the folders differ)."""
    others = [t for t in TEMPLATES if t.per_period and t is not template]
    for spelling in SPELLINGS:
        for sep in ("_", " ", "-"):
            name = template.file_prefix.replace("_", sep) + sep + spelling + "_x.xlsx"
            assert period_from_filename(name, template.file_prefix) is not None, name
            for other in others:
                assert period_from_filename(name, other.file_prefix) is None, (name, other.key)
    folders = [t.folder for t in TEMPLATES if t.per_period]
    assert len(set(folders)) == len(folders)


# --- every file accounted for ----------------------------------------------------------------------


def test_skipped_files_are_listed_with_a_reason(tmp_path):
    src = make_source(tmp_path / "src", ("laporan rt 2026-TW3.xlsx",))
    kb = src / "kampung_bahagia"
    for name in ["laporan_rt_2026-TW2.xlsx", "laporan_rt_2026-TW1.xlsx"]:  # other periods: counted only
        (kb / name).write_bytes(b"")
    for name in ["~$laporan rt 2026-TW3.xlsx", ".DS_Store", "laporan_rt_2026-TW3.pdf", "rekap kota baru.xlsx",
                 "laporan_rt_2025-TW5.xlsx", "realisasi_2026-TW3.xlsx", "README.txt"]:  # fmt: skip
        (kb / name).write_bytes(b"x")
    (kb / "arsip").mkdir()
    (kb / "arsip" / "laporan_rt_2026-TW3.xlsx").write_bytes(b"x")
    (src / "referensi" / "catatan.docx").write_bytes(b"x")
    (src / "referensi" / "RT.ods").write_bytes(b"x")  # rt.xlsx is there and read
    (src / "laporan_rt_2026-TW3_pelayangan.xlsx").write_bytes(b"x")
    (src / "Kampung Bahagia").mkdir()
    (src / "_notes").mkdir()  # the source's own working folder, like the sample's _generator/
    (src / "SYNTHETIC").write_text("x")

    result = clean_source(src, PERIOD, processed_dir=tmp_path / "out", feedback=False)
    q = result.quality
    assert q["files"]["kampung_bahagia/laporan rt 2026-TW3.xlsx"]["rows_accepted"] > 300
    assert (
        len(result.tables["rt_reports"])
        == q["files"]["kampung_bahagia/laporan rt 2026-TW3.xlsx"]["rows_accepted"]
    )
    skipped = {s["path"]: (s["reason_code"], s["reason"]) for s in q["skipped_files"]}
    assert {path: code for path, (code, _) in skipped.items()} == {
        "Kampung Bahagia/": "not_in_contract_folder",
        "kampung_bahagia/.DS_Store": "hidden_file",
        "kampung_bahagia/arsip/": "subfolder",
        "kampung_bahagia/laporan_rt_2025-TW5.xlsx": "period_unclear",
        "kampung_bahagia/laporan_rt_2026-TW3.pdf": "not_readable_format",
        "kampung_bahagia/realisasi_2026-TW3.xlsx": "name_not_matching",
        "kampung_bahagia/rekap kota baru.xlsx": "name_not_matching",
        "kampung_bahagia/~$laporan rt 2026-TW3.xlsx": "lock_file",
        "laporan_rt_2026-TW3_pelayangan.xlsx": "not_in_contract_folder",
        "referensi/RT.ods": "reference_copy",
        "referensi/catatan.docx": "unknown_reference",
    }
    assert set(code for code, _ in skipped.values()) <= set(SKIP_REASONS)
    assert "Excel lock file" in skipped["kampung_bahagia/~$laporan rt 2026-TW3.xlsx"][1]
    assert "name does not follow laporan_rt_<periode>" in skipped["kampung_bahagia/rekap kota baru.xlsx"][1]
    assert "belongs in realisasi/" in skipped["kampung_bahagia/realisasi_2026-TW3.xlsx"][1]
    assert "did you mean kampung_bahagia/?" in skipped["Kampung Bahagia/"][1]
    assert "belongs in kampung_bahagia/" in skipped["laporan_rt_2026-TW3_pelayangan.xlsx"][1]
    assert q["totals"]["files_skipped"] == 11 and q["totals"]["files_other_periods"] == 2
    lines = summary_lines(result)
    assert (
        "  skipped: kampung_bahagia/rekap kota baru.xlsx: name does not follow laporan_rt_<periode>…" in lines
    )
    assert "  2 files of other periods not read" in lines
    assert result.has_problems  # --strict fails on a file skipped that may be an input


def test_every_skip_reason_is_documented():
    text = (SAMPLE_SOURCE.parents[2] / "docs" / "data_quality_rules.md").read_text(encoding="utf-8")
    section = text[text.index("## Files of the data source") : text.index("## Limits")]
    assert set(re.findall(r"`(\w+)`", section)) >= set(SKIP_REASONS)


def test_lock_and_hidden_files_alone_do_not_fail_strict(tmp_path):
    src = make_source(tmp_path / "src", ("laporan_rt_2026-TW3.xlsx",))
    (src / "realisasi").mkdir()
    shutil.copy(SAMPLE_SOURCE / "realisasi" / "realisasi_2026-TW3_dinkes.xlsx", src / "realisasi")
    (src / "kampung_bahagia" / "~$laporan_rt_2026-TW3.xlsx").write_bytes(b"x")
    (src / "kampung_bahagia" / ".hidden").write_bytes(b"x")
    inv = scan_source(src, PERIOD)
    assert [s.reason_code for s in inv.skipped] == ["hidden_file", "lock_file"]
    assert [p.name for p in inv.files_of(RT_REPORT)] == ["laporan_rt_2026-TW3.xlsx"]
    assert [p.name for p in inv.files_of(AGENCY_REPORT)] == ["realisasi_2026-TW3_dinkes.xlsx"]


def test_not_a_data_source_is_a_usage_error(tmp_path, capsys):
    folder = tmp_path / "Downloads"
    folder.mkdir()
    (folder / "laporan_rt_2026-TW3.xlsx").write_bytes(RT_FILE.read_bytes())
    with pytest.raises(
        UsageError, match="not a data source: .*Downloads holds none of referensi/, realisasi/"
    ):
        clean_source(folder, PERIOD, processed_dir=tmp_path / "out")
    assert (
        cli_main(["clean", "--raw", str(folder), "--period", PERIOD, "--processed", str(tmp_path / "o")]) == 2
    )
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a data source" in err
    assert not (tmp_path / "out").exists()


def test_no_rt_reports_warns_and_strict_fails(tmp_path, capsys):
    src = make_source(tmp_path / "src")
    (src / "realisasi").mkdir()
    shutil.copy(SAMPLE_SOURCE / "realisasi" / "realisasi_2026-TW3_dinkes.xlsx", src / "realisasi")
    result = clean_source(src, PERIOD, processed_dir=tmp_path / "out", feedback=False)
    (warning,) = [w for w in result.quality["warnings"] if w["code"] == "no_period_files"]
    assert warning["file"] == "kampung_bahagia/" and "no RT report for period 2026-TW3" in warning["message"]
    assert any("warning: no RT report for period 2026-TW3" in line for line in summary_lines(result))
    assert result.has_problems
    args = [
        "clean",
        "--raw",
        str(src),
        "--period",
        PERIOD,
        "--processed",
        str(tmp_path / "o"),
        "--no-feedback",
    ]
    assert cli_main(args) == 0
    assert cli_main([*args, "--strict"]) == 1
    # before the pilot RTs' first period (2025-TW3) no RT report is expected; agency reports are
    early = clean_source(src, "2025-TW2", processed_dir=tmp_path / "early", feedback=False)
    assert [w["file"] for w in early.quality["warnings"] if w["code"] == "no_period_files"] == ["realisasi/"]


# --- hostile files --------------------------------------------------------------------------------


def tiny_xlsx(path: Path, rows: int = 3, sheet: str = "Realisasi") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["No", "Kode Indikator", "Nama Indikator", "Satuan", "Target", "Realisasi"])
    for i in range(rows):
        ws.append([i + 1, f"P01-{i:02d}", "x", "orang", 10, 5])
    wb.save(path)
    return path


def test_zip_bomb_is_refused_before_parsing(tmp_path, monkeypatch):
    path = tiny_xlsx(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet9.xml", b" " * (12 * 1024 * 1024))  # 12 MB of spaces: ~12 KB zipped
    assert path.stat().st_size < 100_000

    def no_parsing(*args, **kwargs):
        raise AssertionError("calamine opened a file the limits refuse")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", no_parsing)
    ratio = read_file(path, AGENCY_REPORT, tmp_path)
    assert ratio.status.startswith("suspicious compression: xl/worksheets/sheet9.xml expands")
    assert "(limit 100 times)" in ratio.status
    size = read_file(path, AGENCY_REPORT, tmp_path, limits=ReadLimits(max_bytes=5 * 1024 * 1024))
    assert size.status.startswith("too large: 12 MB uncompressed") and "limit 5.0 MB" in size.status


def test_forged_zip_sizes_are_caught(tmp_path):
    path = tiny_xlsx(tmp_path / "forged.xlsx")
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    while central != -1:  # declare every member 1 byte long in the zip directory
        struct.pack_into("<I", data, central + 24, 1)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    raw = read_file(path, AGENCY_REPORT, tmp_path)
    assert raw.status.startswith("not a spreadsheet: a damaged zip (BadZipFile: Bad CRC-32")


def test_row_and_cell_limits(tmp_path):
    path = tiny_xlsx(tmp_path / "rows.xlsx", rows=60)
    assert read_file(path, AGENCY_REPORT, tmp_path).ok
    for engine in ("calamine", "openpyxl"):
        raw = read_file(path, AGENCY_REPORT, tmp_path, engine=engine, limits=ReadLimits(max_rows=50))
        assert raw.status.startswith("too many rows: sheet 'Realisasi' has") and "(limit 50)" in raw.status
        assert raw.rows == [] and raw.rows_read == 0
    wide = tiny_xlsx(tmp_path / "wide.xlsx", rows=1)
    wb = openpyxl.load_workbook(wide)
    wb.active.cell(row=5000, column=16000, value="x")  # one cell far away: a tiny file, a huge range
    wb.save(wide)
    raw = read_file(wide, AGENCY_REPORT, tmp_path)
    assert raw.status.startswith("too many cells: sheet 'Realisasi' spans 5,000 rows x 16,000 columns")
    csv_path = tmp_path / "survei_warga_2026-TW3.csv"
    csv_path.write_text("Kecamatan,Kelurahan,RT\n" + "Kota Baru,Kenali Asam,1\n" * 60)
    assert read_file(csv_path, SURVEY, tmp_path, limits=ReadLimits(max_rows=50)).status == (
        "too many rows: more than 50 rows (limit)"
    )
    assert read_file(csv_path, SURVEY, tmp_path, limits=ReadLimits(max_bytes=100)).status.startswith(
        "too large: 0.0 MB (limit 0.0 MB)"
    )


def test_a_sheet_of_100000_rows_is_read_and_counted(tmp_path):
    """Not timed (bench/dup_bench.py measures speed): 100,000 rows under the default limits are read."""
    path = tmp_path / "survei_warga_2026-TW3.csv"
    path.write_text(SURVEY_HEADER + "Kota Baru,Kenali Asam,RT 014,R1,4,4,3,4,5,4,3,3\n" * 100_000)
    raw = read_file(path, SURVEY, tmp_path)
    assert raw.ok and len(raw.rows) == 100_000 and raw.rows_read == 100_001


def password_zipped(path: Path) -> Path:
    """A workbook whose zip members carry the "encrypted" flag (bit 0), as a password-zipped file does."""
    data = bytearray(path.read_bytes())
    for magic, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(magic)
        while at != -1:
            flags = struct.unpack_from("<H", data, at + offset)[0]
            struct.pack_into("<H", data, at + offset, flags | 0x1)
            at = data.find(magic, at + 4)
    path.write_bytes(bytes(data))
    return path


def excel_encrypted(path: Path) -> Path:
    """A minimal OLE2 (CFB v3) file with the ``EncryptionInfo`` and ``EncryptedPackage`` streams that Excel
    writes for a password-protected ``.xlsx`` (MS-OFFCRYPTO), made byte by byte: header, one FAT sector,
    one directory sector."""
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)  # versions, byte order, sector shifts
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0]: the FAT is sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, free)
    fat = struct.pack("<II", fat_sect, end) + struct.pack("<I", free) * 126

    def entry(name: str, kind: int, left: int = free, right: int = free, child: int = free) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        e = bytearray(128)
        e[0 : len(raw)] = raw
        struct.pack_into("<HBBIII", e, 64, len(raw), kind, 1, left, right, child)
        struct.pack_into("<IQ", e, 116, end, 0)  # start sector, size: empty streams
        return bytes(e)

    directory = (
        entry("Root Entry", 5, child=1)
        + entry("EncryptionInfo", 2, right=2)
        + entry("EncryptedPackage", 2)
        + bytes(128)
    )
    path.write_bytes(bytes(header) + fat + directory)
    return path


def test_excel_encrypted_xlsx_says_so(tmp_path):
    path = excel_encrypted(tmp_path / "realisasi_2026-TW3_dinkes.xlsx")
    raw = read_file(path, AGENCY_REPORT, tmp_path)
    assert raw.status == ENCRYPTED and "not a zip" not in raw.status
    assert raw.status == "password-protected / encrypted: save it without a password"


def test_password_zipped_among_17_files_stops_nothing(tmp_path):
    src = make_source(tmp_path / "src")
    folder = src / "realisasi"
    folder.mkdir()
    agency = sorted((SAMPLE_SOURCE / "realisasi").glob("realisasi_2026-TW3_*.xlsx"))
    for i in range(16):
        shutil.copy(agency[i % len(agency)], folder / f"realisasi_2026-TW3_opd-{i:02d}.xlsx")
    password_zipped(shutil.copy(agency[0], folder / "realisasi_2026-TW3_terkunci.xlsx"))
    result = clean_source(src, PERIOD, processed_dir=tmp_path / "out", feedback=False)
    files = {k: v for k, v in result.quality["files"].items() if k.startswith("realisasi/")}
    assert len(files) == 17
    assert files["realisasi/realisasi_2026-TW3_terkunci.xlsx"]["status"] == ENCRYPTED
    assert sum(f["status"] == "read" and f["rows_read"] > 0 for f in files.values()) == 16


BROKEN = [
    zipfile.BadZipFile("File is not a zip file"),
    RuntimeError("File 'xl/workbook.xml' is encrypted, password required for extraction"),
    MemoryError(),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    struct.error("unpack requires a buffer of 4 bytes"),
    OverflowError("date value out of range"),
    RecursionError("maximum recursion depth exceeded"),
    KeyError("xl/sharedStrings.xml"),
    IndexError("list index out of range"),
    python_calamine.CalamineError("Xml error"),
    EOFError(),
    ZeroDivisionError("division by zero"),
]


@pytest.mark.parametrize("exc", BROKEN, ids=lambda e: type(e).__name__)
def test_no_library_error_escapes_read_file(tmp_path, monkeypatch, exc):
    src = make_source(tmp_path / "src")
    folder = src / "realisasi"
    folder.mkdir()
    for i in range(3):
        tiny_xlsx(folder / f"realisasi_2026-TW3_opd-{i}.xlsx")
    real = python_calamine.CalamineWorkbook.from_path

    def flaky(path, *args, **kwargs):
        if path.endswith("opd-1.xlsx"):
            raise exc
        return real(path, *args, **kwargs)

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", flaky)
    files = {f.rel_path: f for f in read_period(src, PERIOD) if f.template is AGENCY_REPORT}
    bad = files.pop("realisasi/realisasi_2026-TW3_opd-1.xlsx")
    assert not bad.ok and type(exc).__name__ in bad.status and bad.rows == []
    assert all(f.ok and len(f.rows) == 3 for f in files.values())


def test_undecodable_and_ragged_csv_are_file_errors_or_read(tmp_path):
    path = tmp_path / "survei_warga_2026-TW3.csv"
    path.write_bytes(SURVEY_HEADER.encode() + b"Kota Baru,Kenali Asam,1,\xff\xfe\x81,1,1,1,1,1,1,1,1\n")
    raw = read_file(path, SURVEY, tmp_path)  # not UTF-8: read as Windows-1252, with a warning
    assert raw.ok and [w.code for w in raw.warnings] == ["csv_encoding"] and len(raw.rows) == 1
    path.write_bytes(SURVEY_HEADER.encode() + b'"a' + b"x" * 200_000 + b'"\n')  # a field over csv's limit
    raw = read_file(path, SURVEY, tmp_path)
    assert raw.status.startswith("not a readable CSV: line")


# --- links ------------------------------------------------------------------------------------------


def test_links_outside_the_data_folder_are_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(RT_FILE, outside / "secret.xlsx")
    (outside / "survei").mkdir()
    src = make_source(tmp_path / "src", ("laporan_rt_2026-TW3.xlsx",))
    kb = src / "kampung_bahagia"
    (kb / "laporan_rt_2026-TW3_luar.xlsx").symlink_to(outside / "secret.xlsx")
    (kb / "laporan_rt_2026-TW3_dalam.xlsx").symlink_to(kb / "laporan_rt_2026-TW3.xlsx")  # inside: read
    (src / "survei").symlink_to(outside / "survei", target_is_directory=True)
    inv = scan_source(src, PERIOD)
    assert {s.path: s.reason for s in inv.skipped} == {
        "kampung_bahagia/laporan_rt_2026-TW3_luar.xlsx": "link outside the data folder: not followed",
        "survei": "link outside the data folder: not followed",
    }
    assert [p.name for p in inv.files_of(RT_REPORT)] == [
        "laporan_rt_2026-TW3.xlsx",
        "laporan_rt_2026-TW3_dalam.xlsx",
    ]
    files = {f.rel_path: f for f in read_period(src, PERIOD)}
    assert files["kampung_bahagia/laporan_rt_2026-TW3_dalam.xlsx"].ok  # its own name, not its target's
    assert "kampung_bahagia/laporan_rt_2026-TW3_luar.xlsx" not in files
    # a reference file is required: a link outside is that file's error, not a silent absence
    (src / "referensi" / "program.csv").unlink()
    (src / "referensi" / "program.csv").symlink_to(SAMPLE_SOURCE / "referensi" / "program.csv")
    (program,) = [f for f in read_period(src, PERIOD) if f.rel_path == "referensi/program.csv"]
    assert program.status == "link outside the data folder: not read"


def test_the_manifest_hashes_what_the_cleaner_reads(tmp_path):
    from analysis.publish.runner import release

    src = make_source(tmp_path / "src", ("Laporan RT TW III 2026.xlsx", "laporan_rt_2026-TW3.pdf"))
    (src / "kampung_bahagia" / "~$Laporan RT TW III 2026.xlsx").write_bytes(b"x")
    (src / "referensi" / "program.csv").unlink()
    (src / "referensi" / "program.csv").symlink_to(SAMPLE_SOURCE / "referensi" / "program.csv")
    names = [p.relative_to(src).as_posix() for p in release.input_files(src, PERIOD)]
    assert names == [
        "kampung_bahagia/Laporan RT TW III 2026.xlsx",
        "referensi/indikator.csv",
        "referensi/rt.xlsx",
        "referensi/target.csv",
    ]


# --- duplicates stay linear -------------------------------------------------------------------------


def test_a_duplicate_names_a_few_other_copies_and_counts_the_rest():
    spec = TABLES["rt_reports"]
    n = DUPLICATE_ROWS_NAMED + 4
    df = pd.DataFrame(
        {"rt_code": ["15.71.07.1012.014"] * n, "_file": "a.xlsx", "_sheet": "", "_row": range(5, 5 + n)}
    )
    log = RunLog()
    log.files["a.xlsx"] = readers.RawFile(path=Path("a.xlsx"), rel_path="a.xlsx", template=RT_REPORT)
    for r in df["_row"]:
        log.rows[("a.xlsx", int(r))] = readers.RawRow(row=int(r), values={"rt_number": "RT 14"})
    rule_duplicates(df, spec, log)
    reasons = [r["reason"] for r in log.rejections]
    assert len(reasons) == n and len(log.rejected_keys()) == n
    assert reasons[0] == "15.71.07.1012.014 also in row 6; row 7; row 8; row 9; row 10 and 3 more rows"
    assert reasons[-1].endswith("row 9 and 3 more rows") and "row 13" not in reasons[-1]
    assert log.problems_of("a.xlsx", 5) == "duplicate"


def test_csv_grid_reads_quoted_newlines(tmp_path):
    """The CSV row count is the record count (a quoted line break stays inside its cell)."""
    path = tmp_path / "survei_warga_2026-TW3.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(SURVEY_HEADER.strip().split(","))
    w.writerow(["Kota\nBaru", "Kenali Asam", "1", "R1", 1, 1, 1, 1, 1, 1, 1, 1])
    path.write_text(buf.getvalue())
    assert len(read_file(path, SURVEY, tmp_path, limits=ReadLimits(max_rows=2)).rows) == 1
