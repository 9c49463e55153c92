"""Write blank Excel templates for the city to fill in (``python -m analysis templates --out DIR``).

One workbook per template of :data:`analysis.ingest.contract.TEMPLATES`: the data sheet (header row, one example
row, dropdowns for yes/no and ``Aset Berfungsi``, Rupiah and date formats, frozen header) and a
``Petunjuk`` sheet in Indonesian explaining every column. Templates of CSV inputs are workbooks too; their
instructions say to save the sheet as "CSV UTF-8" under the contract's file name. Byte-identical on every run.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analysis.core.config import REPORTS
from analysis.core.xlsxio import save_workbook
from analysis.ingest.contract import ASSET_STATUS, TEMPLATES, YES_NO, Column, Template

DEFAULT_OUT = REPORTS / "templates"
INSTRUCTIONS_SHEET = "Petunjuk"
#: Excel number formats: Rupiah without decimals, and the date as the city writes it.
MONEY_FORMAT = '"Rp"#,##0'
DATE_FORMAT = "DD/MM/YYYY"
#: Rows below the header that get dropdowns and number formats (room for the largest submission, the
#: RT registry of one kecamatan: Kota Jambi has 1,650 RTs in 11 kecamatan, domain.md).
FORMATTED_ROWS = 500
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

#: What each column means, in Indonesian (the contract's descriptions are in English).
MEANING_ID: dict[str, str] = {
    "kode_program": "Kode program prioritas (P01 sampai P11)",
    "nama_program": "Nama resmi program",
    "singkatan": "Singkatan program, jika ada (mis. Balikat)",
    "opd_pengampu": "Perangkat daerah (OPD) penanggung jawab",
    "sektor": "Sektor (infrastruktur, pendidikan, kesehatan, sosial, pelayanan publik)",
    "nama_program_en": "Nama program dalam bahasa Inggris (boleh kosong; dipakai di laporan berbahasa Inggris)",
    "opd_pengampu_en": "Nama OPD dalam bahasa Inggris (boleh kosong; dipakai di laporan berbahasa Inggris)",
    "kode_indikator": "Kode indikator kinerja, mis. P01-01",
    "nama_indikator": "Nama indikator kinerja",
    "satuan": "Satuan target dan realisasi (orang, unit, %, menit, ...)",
    "polaritas": "positif = makin tinggi makin baik; negatif = makin rendah makin baik",
    "bobot": "Bobot indikator di dalam programnya; kosongkan bila semua indikator berbobot sama",
    "nama_indikator_en": "Nama indikator dalam bahasa Inggris (boleh kosong; dipakai di laporan berbahasa Inggris)",
    "periode": "Kode periode: 100-hari, 2025-TW1 ... 2025-TW4, 2025-S1, 2025-S2, 2025",
    "target": "Target: satu angka, atau rentang seperti 80-90",
    "No": "Nomor urut baris (boleh dikosongkan)",
    "Kecamatan": "Nama kecamatan",
    "Kelurahan": "Nama kelurahan sesuai Kepmendagri (68 kelurahan Kota Jambi)",
    "RW": "Nomor RW; boleh kosong",
    "RT": "Nomor RT di kelurahan itu, mis. 14 atau RT 014",
    "Nama Ketua RT": "Nama Ketua RT",
    "NIK Ketua RT": "NIK Ketua RT (16 digit)",
    "No. HP": "Nomor HP Ketua RT",
    "Jumlah KK": "Jumlah kepala keluarga (kartu keluarga) di RT",
    "Jumlah Jiwa": "Jumlah penduduk (jiwa) di RT",
    "Kampung Bahagia": "Apakah RT ikut program Kampung Bahagia",
    "Tahun Mulai": "Tahun RT mulai ikut Kampung Bahagia (2025 = RT percontohan)",
    "Kode Indikator": "Kode indikator sesuai referensi/indikator.csv",
    "Nama Indikator": "Nama indikator",
    "Satuan": "Satuan indikator",
    "Target": "Target periode ini (sama dengan target.csv); angka atau rentang 80-90",
    "Realisasi": "Nilai indikator pada akhir periode",
    "Pagu Anggaran (Rp)": "Pagu anggaran tahun berjalan",
    "Realisasi Anggaran (Rp)": "Anggaran yang sudah dibelanjakan sampai akhir periode (kumulatif tahun berjalan)",
    "Keterangan": "Keterangan bebas",
    "Swadaya Masyarakat (Rp)": "Nilai swadaya warga (uang dan barang/tenaga), kumulatif tahun berjalan",
    "Kegiatan Direncanakan": "Jumlah kegiatan yang direncanakan tahun ini",
    "Kegiatan Selesai": "Jumlah kegiatan yang sudah selesai sampai akhir periode",
    "Jumlah Musyawarah": "Jumlah musyawarah warga dalam periode ini",
    "KK Hadir Musyawarah": "Jumlah KK berbeda yang hadir musyawarah dalam periode ini (tidak lebih dari Jumlah KK)",
    "Peserta Perempuan": "Jumlah peserta perempuan dalam periode ini",
    "Total Peserta": "Jumlah seluruh peserta dalam periode ini",
    "Papan Informasi": "Papan informasi anggaran dipasang di tempat umum",
    "Realisasi Diumumkan": "Realisasi belanja dibacakan/ditempel untuk warga",
    "Tanggal LPJ": "Tanggal laporan pertanggungjawaban (LPJ) diserahkan; kosong bila belum",
    "Batas Waktu LPJ": "Batas waktu penyerahan LPJ",
    "Temuan Pemeriksaan": "Jumlah temuan pemeriksaan (kumulatif tahun berjalan)",
    "Temuan Ditindaklanjuti": "Jumlah temuan yang sudah ditindaklanjuti (tidak lebih dari jumlah temuan)",
    "Aduan Diterima": "Jumlah aduan warga yang diterima (kumulatif tahun berjalan)",
    "Aduan Selesai": "Jumlah aduan yang sudah diselesaikan (tidak lebih dari aduan diterima)",
    "Aset Berfungsi": "Kondisi aset hasil kegiatan",
    "Rencana Pemeliharaan": "Ada pengaturan pemeliharaan aset",
    "Catatan": "Catatan bebas. Jangan menulis NIK atau nomor HP di sini.",
    "Responden": "Nama atau kode responden",
    **{f"{p}{n}": f"Jawaban survei butir {p}{n} (skala 1-5)" for p in "TPAS" for n in (1, 2)},
}

#: How each kind of column is written, in Indonesian.
FORMAT_ID: dict[str, str] = {
    "int": "Bilangan bulat 0 atau lebih, tanpa titik (mis. 120)",
    "money": "Rupiah, angka saja tanpa titik dan tanpa 'Rp' (mis. 12500000); tampil sebagai Rp 12.500.000",
    "number": "Angka; desimal memakai koma (mis. 85,5)",
    "target": "Angka, atau rentang dengan tanda minus (mis. 80-90)",
    "date": "Tanggal DD/MM/YYYY (mis. 30/06/2025)",
    "yesno": "Pilih dari daftar: Ya / Tidak",
    "asset": "Pilih dari daftar: " + " / ".join(ASSET_STATUS),
    "text": "Teks",
    "kecamatan": "Teks (nama kecamatan)",
    "kelurahan": "Teks (nama kelurahan)",
    "rt": "Nomor RT (mis. 14 atau RT 014)",
    "rw": "Nomor RW (mis. 2); boleh kosong",
    "code": "Kode, ditulis persis seperti di referensi",
    "personal": "DATA PRIBADI",
    "rowno": "Nomor urut",
}
_SURVEY_ITEMS_NOTE = (
    "Butir survei (skala 1-5): T = transparansi, P = partisipatif, A = akuntabilitas, S = keberlanjutan; "
    "dua butir per prinsip."
)


def template_file_name(t: Template) -> str:
    """``templat_<prefix>.xlsx`` (e.g. ``templat_laporan_rt.xlsx``)."""
    return f"templat_{t.file_prefix}.xlsx"


def _target_name(t: Template) -> str:
    """Where the filled-in file goes inside a data source, as the contract names it."""
    if t.file_name:
        return f"{t.folder}/{t.file_name}"
    ext = "xlsx" if t.sheet else "csv"
    return f"{t.folder}/{t.file_prefix}_<periode>[_<nama>].{ext}"


def _data_sheet_name(t: Template) -> str:
    return t.sheet or t.file_prefix


def _example_value(col: Column, value: object) -> object:
    """Example values as Excel should hold them (dates as real dates)."""
    if col.kind == "date" and isinstance(value, str) and value:
        return datetime.strptime(value, "%d/%m/%Y")
    if value == "":
        return None
    return value


def _write_data_sheet(ws: Worksheet, t: Template) -> None:
    yes_no = DataValidation(
        type="list", formula1=f'"{",".join(YES_NO)}"', allow_blank=True, showErrorMessage=True
    )
    yes_no.error, yes_no.errorTitle = "Pilih Ya atau Tidak", "Isian tidak valid"
    asset = DataValidation(
        type="list", formula1=f'"{",".join(ASSET_STATUS)}"', allow_blank=True, showErrorMessage=True
    )
    asset.error, asset.errorTitle = "Pilih salah satu kondisi aset dari daftar", "Isian tidak valid"
    last = FORMATTED_ROWS + 1
    for j, col in enumerate(t.columns, start=1):
        letter = get_column_letter(j)
        head = ws.cell(row=1, column=j, value=col.header)
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[letter].width = (
            18 if col.kind in ("money", "personal") else max(10, min(40, len(col.header) + 4))
        )
        if col.kind == "yesno":
            yes_no.add(f"{letter}2:{letter}{last}")
        elif col.kind == "asset":
            asset.add(f"{letter}2:{letter}{last}")
        number_format = {"money": MONEY_FORMAT, "date": DATE_FORMAT}.get(col.kind)
        if col.kind in ("rt", "rw", "personal", "code"):
            number_format = "@"  # text: keeps leading zeros and all 16 digits of a NIK
        if number_format:
            for r in range(2, last + 1):
                ws.cell(row=r, column=j).number_format = number_format
    for j, (col, value) in enumerate(zip(t.columns, t.example, strict=True), start=1):
        cell = ws.cell(row=2, column=j, value=_example_value(col, value))
        cell.font = Font(italic=True, color="808080")
    if yes_no.sqref:
        ws.add_data_validation(yes_no)
    if asset.sqref:
        ws.add_data_validation(asset)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30


def _write_instructions(ws: Worksheet, t: Template) -> None:
    data_sheet = _data_sheet_name(t)
    lines = [
        f"PETUNJUK PENGISIAN: {_target_name(t)}",
        "",
        f"1. Isi data pada lembar '{data_sheet}', mulai baris 2. Baris 2 berisi CONTOH: timpa atau hapus.",
        "2. Jangan mengubah, menghapus atau mengurutkan ulang judul kolom di baris 1. Kolom tambahan boleh "
        "ditambahkan di sebelah kanan.",
        "3. Satu baris = satu data. Jangan menambah judul, baris JUMLAH/TOTAL atau tanda tangan di lembar data.",
        "4. Angka ditulis tanpa titik ribuan; desimal memakai koma. Rupiah ditulis angka saja.",
        "5. Kolom bertanda 'Wajib' harus diisi; baris yang tidak lengkap atau tidak masuk akal akan ditolak "
        "dan dilaporkan kembali dengan nomor barisnya.",
    ]
    if t.sheet:
        lines.append(
            f"6. Simpan sebagai Excel (.xlsx) dengan nama {_target_name(t)}; nama lembar data harus '{t.sheet}'."
        )
    else:
        lines.append(
            f"6. Berkas ini diterima sebagai CSV: setelah diisi, hapus lembar '{INSTRUCTIONS_SHEET}', lalu pilih "
            f"File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)' dengan nama {_target_name(t)}."
        )
    if any(c.kind == "personal" for c in t.columns):
        lines.append(
            "7. DATA PRIBADI (UU 27/2022 tentang Pelindungan Data Pribadi): kolom bertanda DATA PRIBADI "
            "(nama, NIK, nomor HP) hanya untuk verifikasi dan dihapus saat data diolah; tidak pernah "
            "ditampilkan dalam laporan. Kirim berkas hanya lewat saluran resmi."
        )
    if t.key == "survei":
        lines.append(f"8. {_SURVEY_ITEMS_NOTE}")
    r = 1
    for line in lines:
        ws.cell(row=r, column=1, value=line).font = Font(bold=r == 1)
        r += 1
    r += 1
    for j, text in enumerate(("Kolom", "Wajib?", "Cara pengisian", "Arti"), start=1):
        cell = ws.cell(row=r, column=j, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for col in t.columns:
        r += 1
        meaning = MEANING_ID.get(col.header) or col.description
        fmt = FORMAT_ID[col.kind]
        if col.kind == "personal":
            fmt = "DATA PRIBADI: dihapus saat pengolahan, tidak pernah ditampilkan"
        values = (col.header, "Wajib" if col.required else "Boleh kosong", fmt, meaning)
        for j, text in enumerate(values, start=1):
            ws.cell(row=r, column=j, value=text).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (26, 14, 50, 70), strict=True):
        ws.column_dimensions[letter].width = width


def build_template(t: Template) -> Workbook:
    """The blank workbook of one template: the data sheet first, then ``Petunjuk``."""
    wb = Workbook()
    ws = wb.active
    ws.title = _data_sheet_name(t)
    _write_data_sheet(ws, t)
    _write_instructions(wb.create_sheet(INSTRUCTIONS_SHEET), t)
    return wb


def write_templates(out_dir: Path) -> list[Path]:
    """Write one blank workbook per template into ``out_dir``; return the paths in contract order."""
    out_dir = Path(out_dir)
    return [save_workbook(build_template(t), out_dir / template_file_name(t)) for t in TEMPLATES]


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")


def main(args: argparse.Namespace) -> int:
    paths = write_templates(args.out)
    print(f"wrote {len(paths)} templates to {args.out}")
    return 0
