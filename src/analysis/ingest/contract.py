"""The input templates the city fills in (``docs/data_contract.md``), declared once as data.

Used by the template writer (blank Excel files), the sample generator, the readers and the data
dictionary. Each column has the header as the city writes it, the canonical snake_case name used in the
cleaned tables, a kind (how it is parsed) and whether it is required.

Kinds: ``int`` (count), ``money`` (Rupiah), ``number`` (decimal, may be a percentage), ``target``
(number or range ``80-90``), ``date``, ``yesno``, ``asset`` (``Aset Berfungsi`` category), ``text``,
``kecamatan``, ``kelurahan``, ``rt``, ``rw``, ``code``, ``personal`` (dropped at ingestion), ``rowno``
(the template's ``No`` column, kept only for error messages).

Header spellings people type are declared once per column (``aliases``) and shown in the data dictionary;
short forms (``Jml``, ``yg``, ``Tgl`` ...) are expanded for every header (``HEADER_ABBREVIATIONS``), a unit
in brackets, case, punctuation, line breaks and word order do not matter (``analysis.ingest.readers.header_key``).

Keys and values (``Template.key_columns``, ``Template.bad_value``): a cell of a key column that cannot be
read rejects its row, since the row cannot be told apart from others. In a template whose ``bad_value`` is
``"missing"`` (the RT registry, which other tables look rows up in), a value cell that cannot be read, is
blank although required, or lies outside its range is reported at cell level and left missing; the row and
its RT are kept (``docs/data_quality_rules.md``, "Keys and values"). Period reports keep ``"reject"``: any
unreadable typed cell rejects the row, which the RT or agency corrects and sends again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    header: str
    name: str
    kind: str
    required: bool = True
    description: str = ""
    #: other spellings of the header seen in real submissions (matched like the header itself)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    key: str  # short name used in code and in quality.json
    folder: str  # sub-folder of a data source
    file_prefix: str  # file name before ``_<period>``; reference files use ``file_name``
    sheet: str | None  # None for CSV
    columns: tuple[Column, ...]
    per_period: bool = True
    file_name: str | None = None  # fixed file name of a reference file
    example: tuple = field(default=())  # one example row for the blank template
    #: columns that identify a row: a bad cell here always rejects the row
    key_columns: tuple[str, ...] = ()
    #: "reject" (a bad typed cell rejects the row) or "missing" (a bad value cell is left missing)
    bad_value: str = "reject"
    #: identifying columns that may be merged down or written once over their rows (filled down)
    fill_down: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


#: ``Aset Berfungsi`` values as written in the template -> canonical category.
ASSET_STATUS = {
    "Berfungsi penuh": "berfungsi_penuh",
    "Sebagian": "sebagian",
    "Tidak berfungsi": "tidak_berfungsi",
    "Belum ada": "belum_ada",
}
YES_NO = ("Ya", "Tidak")

#: Short forms typed in headers -> the word (whole words, after lower-casing; seen in city workbooks).
HEADER_ABBREVIATIONS = {
    "jml": "jumlah",
    "jlh": "jumlah",
    "yg": "yang",
    "tgl": "tanggal",
    "kel": "kelurahan",
    "kec": "kecamatan",
    "keg": "kegiatan",
    "angg": "anggaran",
    "ket": "keterangan",
    "btas": "batas",
    "nomor": "no",
}
#: Unit words dropped from headers wherever they stand (a unit in brackets is dropped too).
HEADER_UNIT_WORDS = ("rp", "rupiah", "idr")

PROGRAM = Template(
    key="program",
    folder="referensi",
    file_prefix="program",
    file_name="program.csv",
    sheet=None,
    per_period=False,
    columns=(
        Column(
            "kode_program", "program_code", "code", description="Program code P01..P11 (the project's own)"
        ),
        Column("nama_program", "program_name", "text", description="Canonical program name"),
        Column("singkatan", "program_short", "text", required=False, description="Short name (Balikat, ...)"),
        Column("opd_pengampu", "agency", "text", description="Agency (OPD) responsible"),
        Column("sektor", "sector", "text", description="Sector"),
        Column(
            "nama_program_en",
            "program_name_en",
            "text",
            required=False,
            description="Program name in English (optional; the English briefing keeps the Indonesian name without it)",
        ),
        Column(
            "opd_pengampu_en",
            "agency_en",
            "text",
            required=False,
            description="Agency name in English (optional; the English briefing keeps the Indonesian name without it)",
        ),
    ),
    example=("P01", "Kartu Bahagia", "", "Dinas Sosial", "sosial", "Happiness Card", "Social Affairs Office"),
    key_columns=("program_code",),
)

INDICATOR = Template(
    key="indikator",
    folder="referensi",
    file_prefix="indikator",
    file_name="indikator.csv",
    sheet=None,
    per_period=False,
    columns=(
        Column("kode_indikator", "indicator_code", "code", description="Indicator code"),
        Column("kode_program", "program_code", "code", description="Program the indicator belongs to"),
        Column("nama_indikator", "indicator_name", "text", description="Indicator name"),
        Column("satuan", "unit", "text", description="Unit of the target and realisation"),
        Column("polaritas", "polarity", "text", description="positif (higher is better) or negatif"),
        Column(
            "bobot",
            "weight",
            "number",
            required=False,
            description="Weight inside its program; blank = equal",
        ),
        Column(
            "nama_indikator_en",
            "indicator_name_en",
            "text",
            required=False,
            description="Indicator name in English (optional; the English briefing keeps the Indonesian name without it)",
        ),
    ),
    example=(
        "P01-01",
        "P01",
        "Jumlah penerima Kartu Bahagia",
        "orang",
        "positif",
        "1",
        "Happiness Card recipients",
    ),
    key_columns=("indicator_code",),
)

TARGET = Template(
    key="target",
    folder="referensi",
    file_prefix="target",
    file_name="target.csv",
    sheet=None,
    per_period=False,
    columns=(
        Column("kode_indikator", "indicator_code", "code", description="Indicator code"),
        Column("periode", "period", "text", description="Period code (100-hari, 2025-TW2, ...)"),
        Column("target", "target", "target", description="A number or a range such as 80-90"),
    ),
    example=("P01-01", "2025-TW2", "5000"),
    key_columns=("indicator_code", "period"),
)

RT_REGISTRY = Template(
    key="rt",
    folder="referensi",
    file_prefix="rt",
    file_name="rt.xlsx",
    sheet="Daftar RT",
    per_period=False,
    columns=(
        Column("No", "row_no", "rowno", required=False, aliases=("No Urut",)),
        Column("Kecamatan", "kecamatan_name", "kecamatan", aliases=("Nama Kecamatan",)),
        Column("Kelurahan", "kelurahan_name", "kelurahan", aliases=("Nama Kelurahan", "Kelurahan/Desa")),
        Column("RW", "rw", "rw", required=False, description="RW number; may be blank", aliases=("No RW",)),
        Column("RT", "rt_number", "rt", aliases=("No RT", "Nama RT")),
        Column("Nama Ketua RT", "ketua_rt_name", "personal", required=False),
        Column("NIK Ketua RT", "ketua_rt_nik", "personal", required=False),
        Column("No. HP", "ketua_rt_phone", "personal", required=False),
        Column(
            "Jumlah KK",
            "households_kk",
            "int",
            description="Households (kartu keluarga)",
            aliases=("Jumlah Kepala Keluarga", "KK"),
        ),
        Column(
            "Jumlah Jiwa",
            "residents",
            "int",
            required=False,
            description="Residents",
            aliases=("Jumlah Penduduk", "Jiwa"),
        ),
        Column(
            "Kampung Bahagia",
            "is_kampung_bahagia",
            "yesno",
            description="Takes part in Kampung Bahagia",
            aliases=("Peserta Kampung Bahagia",),
        ),
        Column(
            "Tahun Mulai",
            "start_year",
            "int",
            required=False,
            description="Year the RT joined (2025 = pilot)",
            aliases=("Tahun Bergabung",),
        ),
    ),
    example=(1, "Kota Baru", "Kenali Asam", "", "RT 014", "Budi", "", "", 215, 760, "Ya", 2025),
    key_columns=("kelurahan_name", "rt_number"),
    bad_value="missing",
    fill_down=("kecamatan_name", "kelurahan_name"),
)

AGENCY_REPORT = Template(
    key="realisasi",
    folder="realisasi",
    file_prefix="realisasi",
    sheet="Realisasi",
    columns=(
        Column("No", "row_no", "rowno", required=False, aliases=("No Urut",)),
        Column("Kode Indikator", "indicator_code", "code", aliases=("Kode",)),
        Column(
            "Nama Indikator",
            "indicator_name",
            "text",
            required=False,
            aliases=("Indikator", "Indikator Kinerja", "Uraian Indikator"),
        ),
        Column("Satuan", "unit", "text", required=False),
        Column(
            "Target",
            "target_reported",
            "target",
            required=False,
            description="Target as restated by the agency",
            aliases=("Target Kinerja",),
        ),
        Column(
            "Realisasi",
            "realisation",
            "number",
            description="Value achieved by the end of the period",
            aliases=("Realisasi Kinerja", "Capaian"),
        ),
        Column(
            "Pagu Anggaran (Rp)",
            "budget_allocated_idr",
            "money",
            required=False,
            aliases=("Pagu", "Anggaran", "Pagu Dana"),
        ),
        Column(
            "Realisasi Anggaran (Rp)",
            "budget_spent_idr",
            "money",
            required=False,
            aliases=("Realisasi Keuangan", "Serapan Anggaran"),
        ),
        Column("Keterangan", "note", "text", required=False, aliases=("Catatan",)),
    ),
    example=(1, "P01-01", "Jumlah penerima Kartu Bahagia", "orang", 5000, 5200, 1500000000, 1350000000, ""),
    key_columns=("indicator_code",),
)

RT_REPORT = Template(
    key="laporan_rt",
    folder="kampung_bahagia",
    file_prefix="laporan_rt",
    sheet="Laporan RT",
    columns=(
        Column("No", "row_no", "rowno", required=False, aliases=("No Urut",)),
        Column("Kecamatan", "kecamatan_name", "kecamatan", aliases=("Nama Kecamatan",)),
        Column("Kelurahan", "kelurahan_name", "kelurahan", aliases=("Nama Kelurahan", "Kelurahan/Desa")),
        Column("RT", "rt_number", "rt", aliases=("No RT", "Nama RT")),
        Column(
            "Pagu Anggaran (Rp)",
            "budget_allocated_idr",
            "money",
            description="Funds allocated to the RT",
            aliases=("Pagu", "Anggaran", "Pagu Dana"),
        ),
        Column(
            "Realisasi Anggaran (Rp)",
            "budget_spent_idr",
            "money",
            description="Funds spent (cumulative)",
            aliases=("Realisasi Dana", "Dana Terpakai", "Serapan Anggaran"),
        ),
        Column(
            "Swadaya Masyarakat (Rp)",
            "swadaya_idr",
            "money",
            required=False,
            description="Residents' own contribution",
            aliases=("Swadaya", "Dana Swadaya", "Swadaya Anggaran"),
        ),
        Column(
            "Kegiatan Direncanakan",
            "activities_planned",
            "int",
            aliases=("Kegiatan yang Direncanakan", "Rencana Kegiatan", "Jumlah Kegiatan Direncanakan"),
        ),
        Column(
            "Kegiatan Selesai",
            "activities_completed",
            "int",
            aliases=("Kegiatan yang Selesai", "Kegiatan Terlaksana", "Jumlah Kegiatan Selesai"),
        ),
        Column("Jumlah Musyawarah", "meetings_held", "int", required=False, aliases=("Musyawarah",)),
        Column(
            "KK Hadir Musyawarah",
            "households_at_meetings",
            "int",
            required=False,
            aliases=("KK yang Hadir Musyawarah", "Jumlah KK Hadir", "KK Hadir"),
        ),
        Column("Peserta Perempuan", "participants_women", "int", required=False, aliases=("Peserta Wanita",)),
        Column("Total Peserta", "participants_total", "int", required=False, aliases=("Jumlah Peserta",)),
        Column("Papan Informasi", "has_info_board", "yesno", required=False, aliases=("Papan Info",)),
        Column("Realisasi Diumumkan", "is_spending_announced", "yesno", required=False),
        Column(
            "Tanggal LPJ",
            "lpj_submitted_date",
            "date",
            required=False,
            aliases=("Tanggal Penyampaian LPJ", "Tanggal Pengumpulan LPJ"),
        ),
        Column("Batas Waktu LPJ", "lpj_deadline_date", "date", required=False, aliases=("Batas LPJ",)),
        Column("Temuan Pemeriksaan", "audit_findings", "int", required=False, aliases=("Temuan",)),
        Column(
            "Temuan Ditindaklanjuti",
            "audit_findings_followed_up",
            "int",
            required=False,
            aliases=("Temuan yang Ditindaklanjuti", "Tindak Lanjut Temuan"),
        ),
        Column(
            "Aduan Diterima", "complaints_received", "int", required=False, aliases=("Pengaduan Diterima",)
        ),
        Column("Aduan Selesai", "complaints_resolved", "int", required=False, aliases=("Pengaduan Selesai",)),
        Column("Aset Berfungsi", "asset_status", "asset", required=False, aliases=("Kondisi Aset",)),
        Column("Rencana Pemeliharaan", "has_maintenance_plan", "yesno", required=False),
        Column("Catatan", "note", "text", required=False, aliases=("Keterangan",)),
    ),
    example=(
        1,
        "Kota Baru",
        "Kenali Asam",
        "RT 014",
        100000000,
        45000000,
        5000000,
        4,
        2,
        2,
        120,
        60,
        150,
        "Ya",
        "Ya",
        "15/10/2025",
        "31/10/2025",
        1,
        1,
        2,
        2,
        "Berfungsi penuh",
        "Ya",
        "",
    ),
    key_columns=("kelurahan_name", "rt_number"),
    fill_down=("kecamatan_name", "kelurahan_name"),
)


SURVEY = Template(
    key="survei",
    folder="survei",
    file_prefix="survei_warga",
    sheet=None,
    columns=(
        Column("Kecamatan", "kecamatan_name", "kecamatan"),
        Column("Kelurahan", "kelurahan_name", "kelurahan"),
        Column("RT", "rt_number", "rt"),
        Column("Responden", "respondent", "personal", required=False, description="Respondent (dropped)"),
        *(
            Column(item, item.lower(), "int", description=f"Likert 1-5, principle item {item}")
            for item in ("T1", "T2", "P1", "P2", "A1", "A2", "S1", "S2")
        ),
    ),
    example=("Kota Baru", "Kenali Asam", "RT 014", "R001", 4, 4, 3, 4, 5, 4, 3, 3),
    key_columns=("kelurahan_name", "rt_number"),
    fill_down=("kecamatan_name", "kelurahan_name"),
)

TEMPLATES: tuple[Template, ...] = (PROGRAM, INDICATOR, TARGET, RT_REGISTRY, AGENCY_REPORT, RT_REPORT, SURVEY)
TEMPLATES_BY_KEY = {t.key: t for t in TEMPLATES}


def _check_templates() -> None:
    """Loud at import: every key/fill-down column exists and ``bad_value`` is known."""
    for t in TEMPLATES:
        names = {c.name for c in t.columns}
        unknown = sorted((set(t.key_columns) | set(t.fill_down)) - names)
        if unknown or t.bad_value not in ("reject", "missing"):
            raise ValueError(f"template {t.key}: unknown columns {unknown} or bad_value {t.bad_value!r}")


_check_templates()
