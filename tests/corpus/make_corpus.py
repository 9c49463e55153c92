"""Write the fixture corpus ``tests/corpus/source/``: a small data source typed "by other hands".

Standalone on purpose (stdlib + openpyxl, and LibreOffice for ``.xls``/``.ods``): it shares no code with the
reader it tests nor with the sample generator (``src/analysis/sample/``). Every file imitates one person's
habits (``tests/corpus/README.md``); the expectations are written by hand in ``tests/corpus/expected.json``.
All values are synthetic (names "Contoh ...", NIKs starting ``9999``, phone numbers ``0800-0000-....``).

    python tests/corpus/make_corpus.py            # rewrite tests/corpus/source/
    python tests/corpus/make_corpus.py --out DIR  # somewhere else

Byte-stable: ``.xlsx`` and ``.ods`` get fixed zip timestamps and document dates; two runs with the same
LibreOffice (7.4 on Debian 12 here) gave identical ``.xls`` files too, but another LibreOffice version may
write different bytes (same content). Formula cells carry cached values: openpyxl cannot store them, so the
script writes them into the sheet XML itself; LibreOffice keeps them when converting.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
PERIOD = "2026-TW2"
FIXED_TIME = datetime(2026, 7, 10, 8, 0, 0)
ZIP_TIME = (2026, 7, 10, 8, 0, 0)
NBSP = "\u00a0"

SYNTHETIC_TEXT = (
    "DATA CONTOH — bukan data resmi\n"
    "SAMPLE DATA — not official figures\n"
    "Fixture corpus of tests/corpus/make_corpus.py: every name, NIK, NIP, phone number and figure is invented.\n"
)


@dataclass(frozen=True)
class F:
    """A formula cell with the value Excel would have cached for it (numbers only)."""

    formula: str
    cached: float


@dataclass
class Sheet:
    """One worksheet: rows of values (row 1 first), merged ranges, a hidden flag, bold rows."""

    title: str
    rows: list[list[object]]
    merges: list[str] = field(default_factory=list)
    hidden: bool = False
    bold_rows: tuple[int, ...] = ()
    header_fill_rows: tuple[int, ...] = ()
    widths: dict[str, float] = field(default_factory=dict)
    wrap_rows: tuple[int, ...] = ()


# --------------------------------------------------------------------------------------------------
# Writers


def write_csv(path: Path, rows: list[list[object]], *, delimiter: str, encoding: str, bom: bool) -> None:
    """A CSV as Excel or Google Sheets exports it (CRLF line ends; ``None`` = empty field)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = buf.getvalue().encode(encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    """An ``.xlsx`` with merged cells, hidden sheets and formula cells with cached values, byte-stable."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    formulas: dict[int, dict[str, F]] = {}
    grey = PatternFill("solid", fgColor="FFD9D9D9")
    for index, spec in enumerate(sheets):
        ws = wb.create_sheet(spec.title)
        formulas[index] = {}
        for r, row in enumerate(spec.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c)
                if isinstance(value, F):
                    cell.value = value.formula
                    formulas[index][cell.coordinate] = value
                else:
                    cell.value = value
                if isinstance(value, (int, float, F)) and not isinstance(value, bool):
                    cell.number_format = "#,##0" if _is_big(value) else "General"
                if r in spec.bold_rows:
                    cell.font = Font(bold=True)
                if r in spec.header_fill_rows:
                    cell.fill = grey
                if r in spec.wrap_rows:
                    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        for rng in spec.merges:
            ws.merge_cells(rng)
        for col, width in spec.widths.items():
            ws.column_dimensions[col].width = width
        if spec.hidden:
            ws.sheet_state = "hidden"
    wb.properties.creator = "Contoh Operator"
    wb.properties.lastModifiedBy = "Contoh Operator"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_patch_xlsx(buf.getvalue(), formulas))


def _is_big(value: object) -> bool:
    number = value.cached if isinstance(value, F) else value
    return isinstance(number, (int, float)) and abs(number) >= 10000


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _patch_xlsx(data: bytes, formulas: dict[int, dict[str, F]]) -> bytes:
    """Write cached values into formula cells and rebuild the zip with fixed timestamps."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m and formulas.get(int(m.group(1)) - 1):
                text = content.decode("utf-8")
                for ref, f in formulas[int(m.group(1)) - 1].items():
                    pattern = re.compile(rf'(<c r="{ref}"[^>]*>)(<f>.*?</f>)<v\s*/>')
                    text, n = pattern.subn(rf"\g<1>\g<2><v>{_number_text(f.cached)}</v>", text)
                    if n != 1:
                        raise RuntimeError(f"{ref}: formula cell not found in {info.filename}")
                content = text.encode("utf-8")
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the time of saving
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            dst.writestr(_fixed_info(info.filename, zipfile.ZIP_DEFLATED), content)
    return out.getvalue()


def _fixed_info(name: str, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    return info


def convert_with_libreoffice(xlsx: Path, fmt: str, dest: Path) -> None:
    """``soffice --headless --convert-to xls|ods`` into ``dest`` (a private profile: runs may overlap)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError(f"LibreOffice (soffice) is needed to write {dest.name}; install libreoffice-calc")
    with tempfile.TemporaryDirectory(prefix="corpus-lo-") as tmp:
        profile = Path(tmp, "profile").as_uri()
        outdir = Path(tmp, "out")
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt]
            + ["--outdir", str(outdir), str(xlsx)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        produced = outdir / f"{xlsx.stem}.{fmt}"
        if not produced.is_file():
            raise RuntimeError(f"LibreOffice did not write {produced.name} from {xlsx}")
        data = produced.read_bytes()
    if fmt == "ods":
        data = _normalise_ods(data)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)


def _normalise_ods(data: bytes) -> bytes:
    """Fixed zip timestamps and document dates in ``meta.xml`` (``mimetype`` stays first, stored)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_TIME.isoformat()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "meta.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<meta:creation-date>)[^<]*", rf"\g<1>{stamp}", text)
                text = re.sub(r"(<dc:date>)[^<]*", rf"\g<1>{stamp}", text)
                text = re.sub(r"(<meta:editing-duration>)[^<]*", r"\g<1>PT0S", text)
                content = text.encode("utf-8")
            dst.writestr(_fixed_info(info.filename, info.compress_type), content)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# Reference files


def program_csv(out: Path) -> None:
    """Exported from Excel as "CSV UTF-8": comma, byte-order mark, CRLF."""
    rows = [
        ["kode_program", "nama_program", "singkatan", "opd_pengampu", "sektor"],
        ["P01", "Kartu Bahagia", "", "Dinas Sosial", "sosial"],
        [
            "P05",
            "Kampung Bahagia",
            "",
            "Dinas Pemberdayaan Masyarakat, Perempuan dan Perlindungan Anak",
            "infrastruktur",
        ],
        ["P06", "Lansia Bahagia", "", "Dinas Kesehatan", "kesehatan"],
    ]
    write_csv(out / "referensi/program.csv", rows, delimiter=",", encoding="utf-8", bom=True)


def indikator_csv(out: Path) -> None:
    """Saved from Excel with Indonesian regional settings as plain "CSV": ``;``, Windows-1252."""
    rows = [
        ["kode_indikator", "kode_program", "nama_indikator", "satuan", "polaritas", "bobot"],
        ["P01-01", "P01", "Jumlah penerima Kartu Bahagia", "orang", "positif", "60"],
        ["P01-02", "P01", "Persentase bantuan tersalur tepat waktu", "%", "positif", "40"],
        ["P01-03", "P01", "Jumlah pengaduan penyaluran bantuan", "kasus", "negatif", ""],
        ["P05-01", "P05", "Jumlah RT Kampung Bahagia aktif", "RT", "positif", ""],
        ["P06-01", "P06", "Jumlah lansia dilayani – kunjungan rumah", "orang", "positif", ""],
        ["P06-02", "P06", "Persentase posyandu lansia aktif", "%", "positif", ""],
        ["P06-03", "P06", "Jumlah lansia terlantar", "orang", "negatif", ""],
    ]
    write_csv(out / "referensi/indikator.csv", rows, delimiter=";", encoding="cp1252", bom=False)


def target_csv(out: Path) -> None:
    """Typed in Google Sheets and downloaded: comma, UTF-8 without BOM; one period written ``TW II 2026``."""
    rows = [
        ["kode_indikator", "periode", "target"],
        ["P01-01", "2026-TW1", "2500"],
        ["P01-01", "2026-TW2", "5000"],
        ["P01-02", "2026-TW2", "80-90"],
        ["P01-03", "2026-TW2", "25"],
        ["P05-01", "TW II 2026", "300"],
        ["P06-01", "2026-TW2", "12000"],
        ["P06-02", "2026-TW2", "75"],
        ["P06-03", "2026-TW2", "40"],
    ]
    write_csv(out / "referensi/target.csv", rows, delimiter=",", encoding="utf-8", bom=False)


def rt_xlsx(out: Path) -> None:
    """Registry kept by a Bappeda clerk in Excel: merged Kecamatan, ``Jml`` headers, counts with units,
    a formula ``No`` column, a duplicate RT typed again at the bottom, a JUMLAH row and a signature."""
    header = [
        "No",
        "Kecamatan",
        "Kelurahan",
        "RW",
        "RT",
        "Nama Ketua RT",
        "NIK Ketua RT",
        "No. HP",
        "Jml KK",
        "Jml Jiwa",
        "Kampung Bahagia (Ya/Tidak)",
        "Tahun Mulai",
    ]
    people = iter(range(1, 40))

    def rt(kec, kel, rw, rtn, kk, jiwa, kb, year, first=False):
        n = next(people)
        no = 1 if first else F(f"=A{n + 3}+1", n)
        return [no, kec, kel, rw, rtn, f"Contoh Ketua {n}", f"99990101900{n:05d}", f"0800-0000-{n:04d}"] + [
            kk,
            jiwa,
            kb,
            year,
        ]

    rows = [
        ["DAFTAR RT PESERTA PROGRAM KAMPUNG BAHAGIA"],
        ["KOTA JAMBI TAHUN 2026"],
        [],
        header,
        rt("Kota Baru", "Kenali Asam", None, 1, "47 KK", "235 jiwa", "Ya", 2025, first=True),  # row 5
        rt(None, "Kenali Asam", None, 2, 52, 240, "Ya", 2025),
        rt(None, "Kenali Asam", None, 3, 38, "tiga ratus", "Ya", 2026),  # row 7: Jumlah Jiwa unreadable
        rt(None, "Paal Lima", "02", "RT 001", 61, 250, "Ya", 2026),
        rt(None, "Paal Lima", "02", "RT 002", 45, 180, "Ya", 2026),
        rt(None, "Simpang III Sipin", None, 5, 70, 290, "Ya", 2025),
        rt(None, "Simpang III Sipin", None, 6, 33, 120, "Ya", 2026),
        rt("Jelutung", "Talang Jauh", None, 1, 80, 320, "Ya", 2025),  # row 12
        rt(None, "Talang Jauh", None, 2, 64, None, "Ya", 2026),
        rt(None, "Talang Jauh", None, 3, 58, 230, "Ya", 2026),
        rt(None, "Cempaka Putih", None, 4, 90, 360, "Ya", 2026),
        rt(None, "Cempaka Putih", None, 5, 41, 160, "Ya", 2026),  # row 16: duplicate of row 20
        rt("Pasar Jambi", "Beringin", None, 1, 55, 210, "Ya", 2026),  # row 17
        rt(None, "Beringin", None, 2, 49, 190, "Tidak", 2026),
        rt(None, "Sungai Asam", None, 7, 72, 300, "Ya", 2025),
        rt("Jelutung", "Cempaka Putih", None, 5, 44, 170, "Ya", 2026),  # row 20: the same RT again
        [None, "JUMLAH", None, None, None, None, None, None, F("=SUM(I5:I20)", 0), F("=SUM(J5:J20)", 0)],
        [],
        [None] * 9 + ["Jambi, 5 Januari 2026"],
        [None] * 9 + ["Kepala Bidang Pemerintahan dan Pembangunan Manusia"],
        [],
        [],
        [None] * 9 + ["CONTOH WIBOWO, S.T., M.T."],
        [None] * 9 + ["NIP. 19800101 200501 1 001"],
    ]
    kk = [47, 52, 38, 61, 45, 70, 33, 80, 64, 58, 90, 41, 55, 49, 72, 44]
    jiwa = [235, 240, 250, 180, 290, 120, 320, 230, 360, 160, 210, 190, 300, 170]  # text cells skipped
    rows[20][8] = F("=SUM(I5:I20)", sum(kk) - 47)  # SUM skips the text "47 KK"
    rows[20][9] = F("=SUM(J5:J20)", sum(jiwa) - 235)  # and "235 jiwa", "tiga ratus"
    recap = Sheet(
        "Rekap per Kecamatan",
        [
            ["Kecamatan", "Jumlah RT"],
            ["Kota Baru", F("=COUNTIF('Daftar RT'!B5:B11,\"*\")", 1)],
            ["Jelutung", 6],
            ["Pasar Jambi", 3],
        ],
        bold_rows=(1,),
    )
    write_xlsx(
        out / "referensi/rt.xlsx",
        [
            Sheet(
                "Daftar RT",
                rows,
                merges=["A1:L1", "A2:L2", "B5:B11", "B12:B16", "B17:B19", "B21:H21"],
                bold_rows=(1, 2, 4, 21),
                header_fill_rows=(4,),
                widths={"B": 14, "C": 18, "F": 18, "G": 20, "H": 16, "J": 24, "K": 14},
            ),
            recap,
        ],
    )


# --------------------------------------------------------------------------------------------------
# Agency reports


def realisasi_dinsos(out: Path, work: Path) -> None:
    """Dinas Sosial, an old Excel 97-2003 workbook (``.xls``): SIPD-like title block, program and
    sub-kegiatan label rows, ``JUMLAH SUB KEGIATAN`` sums, two signatories side by side with rank titles."""
    header = [
        "NO",
        "KODE INDIKATOR",
        "NAMA INDIKATOR",
        "SATUAN",
        "TARGET",
        "REALISASI",
        "PAGU ANGGARAN (Rp)",
        "REALISASI ANGGARAN (Rp)",
        "KETERANGAN",
    ]
    rows = [
        ["PEMERINTAH KOTA JAMBI"],
        ["DINAS SOSIAL"],
        ["LAPORAN REALISASI KINERJA DAN ANGGARAN PROGRAM PRIORITAS"],
        ["TRIWULAN II TAHUN ANGGARAN 2026"],
        [],
        header,  # row 6
        [None, "I. PROGRAM KARTU BAHAGIA"],  # row 7: section
        [None, "1.1 Sub Kegiatan Penyaluran Bantuan Sosial"],  # row 8: section
        [
            1,
            "P01-01",
            "Jumlah penerima Kartu Bahagia",
            "orang",
            "5.000",
            "5.210",
            1500000000,
            F("=210000000+225000000+240000000", 675000000),
            None,
        ],  # row 9
        [
            2,
            "P01-02",
            "Persentase bantuan tersalur tepat waktu",
            "%",
            "80-90",
            "87,5",
            None,
            None,
            "anggaran di baris 1",
        ],
        [
            None,
            "JUMLAH SUB KEGIATAN",
            None,
            None,
            None,
            None,
            F("=SUM(G9:G10)", 1500000000),
            F("=SUM(H9:H10)", 675000000),
        ],
        [None, "1.2 Sub Kegiatan Penanganan Pengaduan"],  # row 12: section
        [
            3,
            "P01-03",
            "Jumlah pengaduan penyaluran bantuan",
            "kasus",
            25,
            18,
            85000000,
            30500000,
            None,
        ],  # row 13
        [
            None,
            "JUMLAH SUB KEGIATAN",
            None,
            None,
            None,
            None,
            F("=SUM(G13)", 85000000),
            F("=SUM(H13)", 30500000),
        ],
        [None, "TOTAL PROGRAM", None, None, None, None, F("=G11+G14", 1585000000), F("=H11+H14", 705500000)],
        [],  # row 16
        [None, "Mengetahui,", None, None, None, None, None, "Jambi, 8 Juli 2026"],
        [
            None,
            "Kepala Dinas Sosial Kota Jambi",
            None,
            None,
            None,
            None,
            None,
            "Pejabat Pelaksana Teknis Kegiatan",
        ],
        [],
        [],
        [None, "Drs. H. CONTOH SUDARMAN, M.Si", None, None, None, None, None, "CONTOH RINAWATI, S.E."],
        [None, "Pembina Utama Muda", None, None, None, None, None, "Penata"],
        [None, "NIP. 19690101 199003 1 009", None, None, None, None, None, "NIP. 19850505 201001 2 011"],
    ]
    xlsx = work / "realisasi_2026-TW2_dinsos.xlsx"
    write_xlsx(
        xlsx,
        [
            Sheet(
                "Realisasi",
                rows,
                merges=[
                    "A1:I1",
                    "A2:I2",
                    "A3:I3",
                    "A4:I4",
                    "B7:I7",
                    "B8:I8",
                    "B12:I12",
                    "B11:F11",
                    "B14:F14",
                    "B15:F15",
                ],
                bold_rows=(1, 2, 3, 4, 6, 7, 11, 14, 15),
                header_fill_rows=(6,),
                widths={"C": 40, "G": 18, "H": 18, "I": 22},
            )
        ],
    )
    convert_with_libreoffice(xlsx, "xls", out / "realisasi/realisasi_2026-TW2_dinsos.xls")


def realisasi_dinkes(out: Path) -> None:
    """Dinas Kesehatan, Excel: a cover sheet first, a hidden lookup sheet, the data on sheet ``TW II``;
    columns shuffled, headers with line breaks, ``Pagu`` alone, an empty column, an extra column."""
    cover = Sheet(
        "Sampul",
        [
            ["LAPORAN CAPAIAN KINERJA PROGRAM LANSIA BAHAGIA"],
            [],
            ["DINAS KESEHATAN KOTA JAMBI"],
            [],
            ["TRIWULAN II TAHUN 2026"],
        ],
        bold_rows=(1, 3, 5),
    )
    lookup = Sheet(
        "Referensi",
        [
            ["Kode Indikator", "Nama Indikator"],
            ["P06-01", "Jumlah lansia dilayani – kunjungan rumah"],
            ["P06-02", "Persentase posyandu lansia aktif"],
            ["P06-03", "Jumlah lansia terlantar"],
        ],
        hidden=True,
    )
    header = [
        "No.",
        "Nama Indikator",
        "Kode\nIndikator",
        "Target",
        "Realisasi\n(s.d. TW II)",
        "Satuan",
        None,
        "Pagu\n(Rp)",
        "Realisasi\nAnggaran",
        "Keterangan",
        "Penanggung Jawab",
    ]
    rows = [
        ["Capaian Program Lansia Bahagia s.d. Triwulan II 2026"],
        ["Dinas Kesehatan Kota Jambi"],
        header,  # row 3
        [
            1,
            "Jumlah lansia dilayani – kunjungan rumah",
            "P06-01",
            "12.000",
            12480,
            "orang",
            None,
            2750000000,
            1100000000,
            None,
            "dr. Contoh Anggraini",
        ],
        [
            2,
            "Persentase posyandu lansia aktif",
            "P06-02",
            "75%",
            "70,6 %",
            "%",
            None,
            None,
            None,
            "Data s.d. 30 Juni 2026",
            "Contoh Yusuf, SKM",
        ],
        [
            3,
            "Jumlah lansia terlantar",
            "P06-03",
            40,
            "-",
            "orang",
            None,
            None,
            None,
            "menunggu data Dinsos",
            "Contoh Yusuf, SKM",
        ],
        [],  # row 7
        [None] * 8 + ["Telanaipura, 7 Juli 2026"],
        [None] * 8 + ["Kepala Dinas Kesehatan"],
        [],
        [None] * 8 + ["dr. CONTOH HARYANTO, M.Kes"],
        [None] * 8 + ["NIP. 19750303 200212 1 004"],
    ]
    data = Sheet(
        "TW II",
        rows,
        merges=["A1:K1", "A2:K2"],
        bold_rows=(1, 2, 3),
        header_fill_rows=(3,),
        wrap_rows=(3,),
        widths={"B": 42, "H": 16, "I": 16, "J": 24, "K": 22},
    )
    write_xlsx(out / "realisasi/realisasi_2026-TW2_dinkes.xlsx", [cover, lookup, data])


# --------------------------------------------------------------------------------------------------
# Kampung Bahagia RT reports

RT_HEADER = [
    "No",
    "Kecamatan",
    "Kelurahan",
    "RT",
    "Pagu Anggaran (Rp)",
    "Realisasi Anggaran (Rp)",
    "Swadaya Masyarakat (Rp)",
    "Kegiatan Direncanakan",
    "Kegiatan Selesai",
    "Jumlah Musyawarah",
    "KK Hadir Musyawarah",
    "Peserta Perempuan",
    "Total Peserta",
    "Papan Informasi",
    "Realisasi Diumumkan",
    "Tanggal LPJ",
    "Batas Waktu LPJ",
    "Temuan Pemeriksaan",
    "Temuan Ditindaklanjuti",
    "Aduan Diterima",
    "Aduan Selesai",
    "Aset Berfungsi",
    "Rencana Pemeliharaan",
    "Catatan",
]


def laporan_kota_baru(out: Path, work: Path) -> None:
    """Kecamatan Kota Baru, LibreOffice (``.ods``): header over two rows with merged groups
    (``Anggaran (Rp)`` above ``Pagu``/``Realisasi``/``Swadaya``, ``Kegiatan`` above ``Direncanakan``/``Selesai``),
    Kecamatan and Kelurahan merged down over their RTs, ``Kel.``/``Kelurahan``/``Kec.`` prefixes, a typo."""
    top = ["No", "Kecamatan", "Kelurahan", "RT", "Anggaran (Rp)", None, None, "Kegiatan", None] + RT_HEADER[
        9:
    ]
    sub = [None] * 4 + ["Pagu", "Realisasi", "Swadaya", "Direncanakan", "Selesai"] + [None] * 15
    tail_ok = ["Berfungsi penuh", "Ya"]
    rows = [
        ["LAPORAN PELAKSANAAN PROGRAM KAMPUNG BAHAGIA"],
        ["KECAMATAN KOTA BARU – TRIWULAN II TAHUN 2026"],
        [],
        top,  # row 4
        sub,  # row 5
        # row 6: Kenali Asam RT 1
        [1, "Kec. Kota Baru", "Kel. Kenali Asam", "RT 01", "70.000.000", "31.500.000", "2.500.000", 5, 3]
        + ["2 kali", "35 KK", 18, "40 orang", "Ya", "Ya", "Senin, 29 Juni 2026", "10/07/2026", 0, 0, 1, 1]
        + tail_ok
        + [None],
        # row 7: Kenali Asam RT 2, ambiguous Realisasi Anggaran
        [2, None, None, "RT 02", "70.000.000", "3,000.000", "-", 4, 4, 1, 30, 12, 31, "Ada", "Tidak"]
        + ["Sen, 29 Jun 2026", "10/07/2026", 1, 1, 0, 0, "Sebagian", "Ya", None],
        # row 8: Kenali Asam RT 3 (its registry row has an unreadable Jumlah Jiwa: no cascade)
        [3, None, None, "RT 03", "50.000.000", "20.000.000", "1.000.000", 3, 1, 1, 25, 10, 27, "Ya", "Ya"]
        + ["30/06/2026 14:00", "10/07/2026", 0, 0, 0, 0, "Belum ada", "Tidak", None],
        # row 9: Paal Lima RT 1, LPJ date typed as an Excel serial in a text cell
        [4, None, "Kelurahan Paal Lima", "RT 001/RW 002", "70.000.000", "12.500.000", "0", 4, 2, 2, 41, 20]
        + [44, "Ya", "Ya", "46203", "10/07/2026", 0, 0, 2, 1, "Sebagian", "Ya", None],
        # row 10: Paal Lima RT 2, ambiguous Pagu
        [5, None, None, "RT 002/RW 002", "12,500.000", "5.000.000", "-", 3, 1, 1, 20, 9, 22, "Tidak", "Tidak"]
        + ["30/06/2026", "10/07/2026", 0, 0, 0, 0, "Belum ada", "Tidak", None],
        # row 11: Simpang III Sipin RT 5, written with a typo
        [6, None, "Simpang III Sipim", 5, "100.000.000", "62.000.000", "5.000.000", 6, 2, 3, 60, 25, 58]
        + ["Ya", "Ya", "Kamis, 25 Juni 2026", "10/07/2026", 2, 1, 3, 3, "Berfungsi penuh", "Ya", None],
        # row 12: Simpang III Sipin RT 6, a phone number in Catatan next to a date, an amount and an RT code
        [7, None, None, 6, "50.000.000", "18.750.000", "750.000", 3, 2, 1, 22, 11, 25, "Ya", "Ya"]
        + ["Jumat, 26 Juni 2026", "10/07/2026", 0, 0, 1, 0, "Sebagian", "Ya"]
        + [
            "Bendahara Pokja Ibu Contoh (0800-0000-1234); LPJ 29/06/2026, sisa Rp 1.250.000; "
            "lihat juga 15.71.07.1002.005"
        ],
        [
            None,
            "Jumlah",
            None,
            None,
            F("=SUM(E6:E12)", 0),
            F("=SUM(F6:F12)", 0),
            F("=SUM(G6:G12)", 0),
        ],  # row 13
        [],
        [None] * 19 + ["Kota Baru, 6 Juli 2026"],
        [None] * 19 + ["Camat Kota Baru"],
        [],
        [],
        [None] * 19 + ["CONTOH RAHMAN, S.Sos"],
        [None] * 19 + ["NIP. 19780202 200003 1 002"],
    ]
    vertical = [
        f"{get_column_letter(c)}4:{get_column_letter(c)}5" for c in [1, 2, 3, 4] + list(range(10, 25))
    ]
    xlsx = work / "laporan_rt_2026-TW2_kota-baru.xlsx"
    write_xlsx(
        xlsx,
        [
            Sheet(
                "Laporan RT",
                rows,
                merges=["A1:X1", "A2:X2", "E4:G4", "H4:I4", "B6:B12", "C6:C8", "C9:C10", "C11:C12", "B13:D13"]
                + vertical,
                bold_rows=(1, 2, 4, 5, 13),
                header_fill_rows=(4, 5),
                wrap_rows=(4, 5),
                widths={"B": 16, "C": 20, "P": 20, "X": 40},
            )
        ],
    )
    convert_with_libreoffice(xlsx, "ods", out / "kampung_bahagia/laporan_rt_2026-TW2_kota-baru.ods")


def laporan_jelutung(out: Path) -> None:
    """Kecamatan Jelutung, Excel: columns shuffled, ``Jml``/``yg``/``Tgl`` headers, extra and empty columns,
    Kecamatan/Kelurahan written once with blanks below, section rows, per-kelurahan sub-totals, the header
    repeated for the second kelurahan, a formula Total Peserta, two signatories."""
    header = [
        "No",
        "RT",
        "Kelurahan",
        "Kecamatan",
        "Kegiatan Direncanakan",
        "Kegiatan Selesai",
        "Pagu Anggaran (Rp)",
        "Realisasi Anggaran (Rp)",
        "Swadaya Masyarakat (Rp)",
        "Jml Musyawarah",
        "KK yg Hadir Musyawarah",
        "Peserta Perempuan",
        "Peserta Laki-laki",
        "Total Peserta",
        "Papan Informasi",
        "Realisasi Diumumkan",
        "Tgl LPJ",
        "Batas Waktu LPJ",
        "Temuan Pemeriksaan",
        "Temuan Ditindaklanjuti",
        "Aduan Diterima",
        "Aduan Selesai",
        "Aset Berfungsi",
        "Rencana Pemeliharaan",
        None,
        "Nama Bendahara",
        "Catatan",
    ]

    def total(r: int, women: int, men: int) -> F:
        return F(f"=L{r}+M{r}", women + men)

    rows = [
        ["REKAPITULASI LAPORAN KAMPUNG BAHAGIA PER KELURAHAN"],
        ["TRIWULAN II TAHUN 2026"],
        header,  # row 3
        [None, "KECAMATAN JELUTUNG"],  # row 4: section
        [None, "Kelurahan Talang Jauh"],  # row 5: section
        # row 6: Talang Jauh RT 1
        [
            1,
            "RT 01",
            "Talang Jauh",
            "Jelutung",
            "+5",
            4,
            "Rp 100.000.000",
            f"{NBSP}Rp{NBSP}45.500.000",
            "2.000.000",
        ]
        + [3, 55, 20, 30, total(6, 20, 30), "Ya", "Ya", "30-06-2026", "15/07/2026", 0, 0, 2, 2]
        + ["Berfungsi penuh", "Ya", None, "Ibu Contoh Lestari", "Rapat di balai RT; hubungi 0800-0000-5678"],
        # row 7: Talang Jauh RT 2, Kelurahan and Kecamatan left blank (same as above)
        [2, "RT 02", None, None, 4, 2, "Rp 70.000.000", "Rp 35.000.000", "-", "2 kali", "40 KK", 15, 20]
        + [total(7, 15, 20), "Ya", "Tidak", "2026-06-30 14.00.00", "15/07/2026", 1, 0, 0, 0, "Sebagian", "Ya"]
        + [None, "Bapak Contoh Siregar", None],
        # rows 8-9: Talang Jauh RT 3 pasted twice
        [3, "RT 03", None, None, 3, 3, "Rp 50.000.000", "Rp 22.000.000", "-", 1, 30, 12, 16, total(8, 12, 16)]
        + ["Ya", "Ya", "29/06/2026", "15/07/2026", 0, 0, 0, 0, "Berfungsi penuh", "Ya", None, None, None],
        [3, "RT 03", None, None, 3, 3, "Rp 50.000.000", "Rp 24.000.000", "-", 1, 30, 12, 16, total(9, 12, 16)]
        + ["Ya", "Ya", "29/06/2026", "15/07/2026", 0, 0, 0, 0, "Berfungsi penuh", "Ya", None, None, "revisi"],
        [None, "Jumlah Kel. Talang Jauh", None, None, F("=SUM(E6:E9)", 10), F("=SUM(F6:F9)", 12)],  # row 10
        header,  # row 11: the header again
        [None, "Kelurahan Cempaka Putih"],  # row 12: section
        # row 13: Cempaka Putih RT 4
        [4, "RT 04", "Cempaka Putih", "Jelutung", 5, 3, "Rp 100.000.000", "Rp 51.000.000", "3.500.000", 2, 70]
        + [30, 35, total(13, 30, 35), "Ya", "Ya", "Selasa, 30 Juni 2026", "15/07/2026", 1, 1, 1, 1]
        + ["Berfungsi penuh", "Ya", None, "Ibu Contoh Marlina", None],
        # row 14: Cempaka Putih RT 5: its registry rows are duplicates (rejected)
        [5, "RT 05", None, None, 3, 1, "Rp 50.000.000", "Rp 10.000.000", "-", 1, 20, 8, 10, total(14, 8, 10)]
        + ["Tidak", "Tidak", "30/06/2026", "15/07/2026", 0, 0, 0, 0, "Belum ada", "Tidak", None, None, None],
        # row 15: Cempaka Putih RT 6: not in the registry at all
        [6, "RT 06", None, None, 2, 1, "Rp 50.000.000", "Rp 9.000.000", "-", 1, 18, 7, 9, total(15, 7, 9)]
        + [
            "Ya",
            "Tidak",
            "30/06/2026",
            "15/07/2026",
            0,
            0,
            0,
            0,
            "Belum ada",
            "Tidak",
            None,
            None,
            "RT baru",
        ],
        [
            None,
            "Jumlah Kel. Cempaka Putih",
            None,
            None,
            F("=SUM(E13:E15)", 10),
            F("=SUM(F13:F15)", 5),
        ],  # row 16
        [None, "JUMLAH KECAMATAN JELUTUNG", None, None, F("=E10+E16", 20), F("=F10+F16", 17)],  # row 17
        [],
        [None] * 20 + ["Jelutung, 6 Juli 2026"],
        [None, "Mengetahui,"] + [None] * 18 + ["Dibuat oleh,"],
        [None, "Camat Jelutung"] + [None] * 18 + ["Operator Kecamatan"],
        [],
        [],
        [None, "CONTOH HIDAYAT, S.STP, M.Si"] + [None] * 18 + ["CONTOH PUTRI, A.Md"],
        [None, "NIP. 19800808 200212 1 003"],
    ]
    write_xlsx(
        out / "kampung_bahagia/laporan_rt_2026-TW2_jelutung.xlsx",
        [
            Sheet(
                "Laporan RT",
                rows,
                merges=["A1:AA1", "A2:AA2", "B4:D4", "B5:D5", "B12:D12", "B10:D10", "B16:D16", "B17:D17"],
                bold_rows=(1, 2, 3, 4, 10, 11, 16, 17),
                header_fill_rows=(3, 11),
                widths={"C": 16, "H": 18, "Q": 20, "Z": 22, "AA": 36},
            )
        ],
    )


def laporan_pasar_jambi(out: Path) -> None:
    """Kecamatan Pasar Jambi: a workbook saved as "CSV (dipisahkan koma)" with Indonesian regional settings
    (``;``, Windows-1252): the title and signature rows come along as ``;;;`` lines, units in brackets vary."""
    header = RT_HEADER.copy()
    header[4] = "Pagu Anggaran"
    header[5] = "Realisasi Anggaran (Rp.)"
    width = len(header)

    def pad(*cells: object) -> list[object]:
        return list(cells) + [None] * (width - len(cells))

    rows = [
        pad("LAPORAN KAMPUNG BAHAGIA KECAMATAN PASAR JAMBI"),
        pad("TRIWULAN II TAHUN 2026"),
        pad(),
        header,  # row 4
        # row 5: Beringin RT 1, LPJ date exported as a serial number
        ["1", "Pasar Jambi", "Beringin", "RT.01", "Rp 55.000.000", "27.500.000,00", "-", "4", "2", "2", "30"]
        + ["14", "33", "Y", "Y", "46203", "15/07/2026", "0", "0", "0", "0", "Berfungsi penuh", "Ya"]
        + ["Dana tahap II – belum cair"],
        # row 6: Sungai Asam RT 7
        ["2", "Pasar Jambi", "Sungai Asam", "RT.07", "Rp 100.000.000", "12,5 jt", "1.000.000", "6", "6", "3"]
        + ["50", "20", "45", "Ya", "Tdk", "Jumat, 3 Juli 2026", "15/07/2026", "1", "0", "0", "0", "Sebagian"]
        + ["Tidak", "“Papan informasi” dipasang di pos ronda"],
        # row 7: a kelurahan one edit away from two official names
        [
            "3",
            "Pasar Jambi",
            "Simpang II Sipin",
            "RT.02",
            "Rp 50.000.000",
            "Rp 20.000.000",
            "-",
            "3",
            "1",
            "1",
        ]
        + ["20", "8", "21", "Ya", "Ya", "30/06/2026", "15/07/2026", "0", "0", "0", "0", "Sebagian", "Ya", ""],
        pad("TOTAL", None, None, None, "205000000", "60000000"),  # row 8
        pad(),
        pad("Pasar Jambi, 3 Juli 2026"),
        pad("Camat Pasar Jambi"),
        pad(),
        pad("CONTOH SAPUTRA, S.E."),
        pad("NIP. 19820303 200801 1 005"),
    ]
    write_csv(
        out / f"kampung_bahagia/laporan_rt_{PERIOD}_pasar-jambi.csv",
        rows,
        delimiter=";",
        encoding="cp1252",
        bom=False,
    )


# --------------------------------------------------------------------------------------------------
# Residents' survey

SURVEY_ITEMS = ["T1", "T2", "P1", "P2", "A1", "A2", "S1", "S2"]


def survei_tim_a(out: Path) -> None:
    """Survey team A: Excel "CSV UTF-8" with Indonesian settings (``;`` and a BOM); one answer out of 1-5,
    one with a trailing non-breaking space."""
    rows = [
        ["Kecamatan", "Kelurahan", "RT", "Responden", *SURVEY_ITEMS],
        ["Kota Baru", "Kel. Kenali Asam", "1", "Contoh Satu", 4, 4, 3, 4, 5, 4, 3, 3],
        ["Kota Baru", "Kel. Kenali Asam", "1", "Contoh Dua", 5, 4, 4, 4, 4, 3, 3, 4],
        ["Kota Baru", "Kel. Kenali Asam", "1", "Contoh Tiga", 3, 3, 2, 3, 4, 4, 2, 3],
        ["Kota Baru", "Kenali Asam", "RT 02", "Contoh Empat", 4, 5, 6, 4, 4, 4, 3, 3],  # row 5: P1 = 6
        ["Kota Baru", "Kenali Asam", "RT 02", "Contoh Lima", f"4{NBSP}", 4, 4, 4, 4, 4, 4, 4],
        ["Kota Baru", "Kenali Asam", "RT 02", "Contoh Enam", 2, 3, 3, 2, 3, 3, 2, 2],
    ]
    write_csv(
        out / f"survei/survei_warga_{PERIOD}_tim-a.csv", rows, delimiter=";", encoding="utf-8", bom=True
    )


def survei_tim_b(out: Path) -> None:
    """Survey team B: a Google Forms response sheet downloaded as CSV (comma, UTF-8, no BOM) with its
    ``Cap waktu`` (timestamp) column first; a kelurahan typo; an RT missing from the registry."""
    rows = [
        ["Cap waktu", "Kecamatan", "Kelurahan", "RT", "Responden", *SURVEY_ITEMS],
        [
            "2026/06/20 9:15:32 AM GMT+7",
            "Jelutung",
            "Talang Jauh",
            "1",
            "Contoh Tujuh",
            4,
            4,
            4,
            5,
            4,
            4,
            3,
            4,
        ],
        [
            "2026/06/20 9:41:07 AM GMT+7",
            "Jelutung",
            "Talang Jauh",
            "1",
            "Contoh Delapan",
            3,
            4,
            3,
            3,
            4,
            3,
            3,
            3,
        ],
        [
            "2026/06/21 4:02:55 PM GMT+7",
            "Jelutung",
            "Talang Jaoh",
            "2",
            "Contoh Sembilan",
            5,
            5,
            4,
            4,
            5,
            4,
            4,
            4,
        ],
        [
            "2026/06/21 4:30:10 PM GMT+7",
            "Jelutung",
            "Talang Jauh",
            "9",
            "Contoh Sepuluh",
            4,
            3,
            3,
            4,
            4,
            3,
            3,
            3,
        ],
    ]
    write_csv(
        out / f"survei/survei_warga_{PERIOD}_tim-b.csv", rows, delimiter=",", encoding="utf-8", bom=False
    )


# --------------------------------------------------------------------------------------------------


def build(out: Path) -> list[Path]:
    """Write the whole corpus into ``out`` (replacing it); returns the files written, sorted."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "SYNTHETIC").write_text(SYNTHETIC_TEXT, encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="corpus-work-") as tmp:
        work = Path(tmp)
        program_csv(out)
        indikator_csv(out)
        target_csv(out)
        rt_xlsx(out)
        realisasi_dinsos(out, work)
        realisasi_dinkes(out)
        laporan_kota_baru(out, work)
        laporan_jelutung(out)
        laporan_pasar_jambi(out)
        survei_tim_a(out)
        survei_tim_b(out)
    return sorted(p for p in out.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "source", help="target folder (replaced)")
    args = parser.parse_args()
    for path in build(args.out):
        print(path.relative_to(args.out))


if __name__ == "__main__":
    main()
