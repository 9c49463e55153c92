"""The latent "true" world behind the synthetic sample (before anyone types it into Excel).

Everything here is invented for testing and teaching; only the program list, the kelurahan table, the
67 pilot RTs, the Rp100 juta pilot allocation and the 2026 tiers come from ``domain.md``. Each RT carries a
latent quality trait in [0, 1] that drives all four principles in every period, so a good RT stays good
and the analysis has a coherent signal to find.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from analysis.core.periods import period_info
from analysis.core.reference import kelurahan_table, make_rt_code

AGENCY_PERIODS = ("100-hari", "2025-TW2", "2025-TW3", "2025-TW4", "2026-TW1", "2026-TW2", "2026-TW3")
RT_PERIODS = ("2025-TW3", "2025-TW4", "2026-TW1", "2026-TW2", "2026-TW3")
SURVEY_PERIODS = ("2025-TW4", "2026-TW2")

#: 2025 pilot: "up to Rp100 juta per RT" (domain.md, Kampung Bahagia mechanics); every pilot gets the maximum.
PILOT_ALLOCATION_2025_IDR = 100_000_000
#: 2026 allocation tiers by households (Jumlah KK), per DPMPPA (domain.md): > 100 KK Rp100 jt, 60-99 KK
#: Rp70 jt, < 60 KK Rp50 jt. Bappeda gives Rp50/75/100 jt instead; the sample follows DPMPPA. An RT of
#: exactly 100 KK falls between the published bands; the sample puts it in the top tier.
#: (minimum KK, allocation in Rupiah), highest tier first.
KAMPUNG_BAHAGIA_TIERS_2026_DPMPPA: tuple[tuple[int, int], ...] = (
    (100, 100_000_000),
    (60, 70_000_000),
    (0, 50_000_000),
)
#: Number of pilot RTs (domain.md: launched 23 Jun 2025 with 67 pilot RTs).
PILOT_RT_COUNT = 67


def allocation_2026(households_kk: int) -> int:
    """2026 allocation of one RT in Rupiah from its households (DPMPPA tiers).

    >>> allocation_2026(45), allocation_2026(60), allocation_2026(99), allocation_2026(100)
    (50000000, 70000000, 70000000, 100000000)
    """
    for minimum, amount in KAMPUNG_BAHAGIA_TIERS_2026_DPMPPA:
        if households_kk >= minimum:
            return amount
    raise ValueError(f"households must be >= 0: {households_kk}")


# --------------------------------------------------------------------------------------------------
# Programs and indicators


@dataclass(frozen=True)
class ProgramSpec:
    code: str
    name: str
    short: str
    agency: str
    agency_slug: str
    sector: str
    budget_2025_idr: int


#: The 11 programs (domain.md). Agencies, sectors and budgets are plausible inventions.
PROGRAMS: tuple[ProgramSpec, ...] = (
    ProgramSpec("P01", "Kartu Bahagia", "", "Dinas Sosial", "dinsos", "sosial", 18_500_000_000),
    ProgramSpec("P02", "Balai Latihan Kerja Tematik", "Balikat", "Dinas Tenaga Kerja", "disnaker", "pendidikan", 4_200_000_000),
    ProgramSpec("P03", "Bantuan Kelompok Usaha Masyarakat", "Bank Harkat", "Dinas Koperasi dan UKM", "diskopukm", "sosial", 7_500_000_000),
    ProgramSpec("P04", "Rumah Milenial", "Rumel", "Dinas Pemuda dan Olahraga", "dispora", "pendidikan", 3_100_000_000),
    ProgramSpec(
        "P05", "Kampung Bahagia", "",
        "Dinas Pemberdayaan Masyarakat, Perempuan dan Perlindungan Anak", "dpmppa", "infrastruktur", 0,
    ),
    ProgramSpec("P06", "Lansia Bahagia", "", "Dinas Kesehatan", "dinkes", "kesehatan", 2_800_000_000),
    ProgramSpec("P07", "Kota Tangguh", "", "Dinas Pekerjaan Umum dan Penataan Ruang", "dinas-pupr", "infrastruktur", 45_000_000_000),
    ProgramSpec("P08", "Bahagia Berbudaya", "", "Dinas Kebudayaan dan Pariwisata", "disbudpar", "sosial", 1_900_000_000),
    ProgramSpec("P09", "Apel Kota", "", "Badan Kepegawaian dan Pengembangan SDM", "bkpsdm", "pelayanan publik", 600_000_000),
    ProgramSpec(
        "P10", "Bahagia Berintegritas Pelayanan Anti Pungli", "Balap", "Inspektorat Daerah", "inspektorat",
        "pelayanan publik", 450_000_000,
    ),
    ProgramSpec("P11", "Call Center Bahagia", "", "Dinas Komunikasi dan Informatika", "diskominfo", "pelayanan publik", 2_300_000_000),
)  # fmt: skip
PROGRAMS_BY_CODE = {p.code: p for p in PROGRAMS}

#: English names of the programs and their agencies (``nama_program_en``, ``opd_pengampu_en`` of program.csv,
#: optional columns of the contract). Our translations; Kampung Bahagia keeps its name (a proper name, as
#: the English texts of the catalogue write it).
PROGRAM_NAMES_EN: dict[str, tuple[str, str]] = {
    "P01": ("Happiness Card", "Social Affairs Office"),
    "P02": ("Thematic Vocational Training Centre", "Manpower Office"),
    "P03": ("Community Business Group Support", "Cooperatives and SMEs Office"),
    "P04": ("Millennial House", "Youth and Sports Office"),
    "P05": ("Kampung Bahagia", "Community Empowerment, Women's Empowerment and Child Protection Office"),
    "P06": ("Happy Elderly", "Health Office"),
    "P07": ("Resilient City", "Public Works and Spatial Planning Office"),
    "P08": ("Happy and Cultured", "Culture and Tourism Office"),
    "P09": ("City Roll Call", "Civil Service and Human Resources Development Agency"),
    "P10": ("Integrity in Public Service, No Illegal Levies", "Regional Inspectorate"),
    "P11": ("Happiness Call Centre", "Communication and Informatics Office"),
}


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    program: str
    name: str
    unit: str
    polarity: str  # positif | negatif
    weight: int | None  # relative weight inside the program (sums to 100); None = blank (equal weights)
    decimals: int
    targets: tuple[str | None, ...]  # one per AGENCY_PERIODS; None = no target that period


_N = None
#: 2-3 indicators per program, both polarities, point and range targets (target texts as in target.csv).
#: Targets of count indicators are cumulative within the year; P05 targets are filled in from the registry.
INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("P01-01", "P01", "Jumlah penerima Kartu Bahagia", "orang", "positif", 60, 0,
                  ("5000", "6000", "9000", "12000", "4000", "8000", "12000")),
    IndicatorSpec("P01-02", "P01", "Persentase data penerima terverifikasi", "%", "positif", 40, 1,
                  ("90", "90", "92", "95", "95", "95", "97")),
    IndicatorSpec("P02-01", "P02", "Jumlah peserta pelatihan Balikat", "orang", "positif", 50, 0,
                  ("300", "400", "700", "1000", "250", "500", "800")),
    IndicatorSpec("P02-02", "P02", "Persentase lulusan Balikat yang bekerja atau berwirausaha", "%", "positif", 50, 1,
                  (_N, _N, "60-70", "60-70", _N, "60-70", "65-75")),
    IndicatorSpec("P03-01", "P03", "Jumlah kelompok usaha penerima Bank Harkat", "kelompok", "positif", None, 0,
                  ("150", "200", "350", "500", "100", "250", "400")),
    IndicatorSpec("P03-02", "P03", "Persentase pinjaman bermasalah", "%", "negatif", None, 1,
                  ("5", "5", "5", "5", "4", "4", "4")),
    IndicatorSpec("P04-01", "P04", "Jumlah Rumah Milenial beroperasi", "unit", "positif", None, 0,
                  ("3", "4", "6", "8", "9", "10", "11")),
    IndicatorSpec("P04-02", "P04", "Jumlah kegiatan kepemudaan difasilitasi", "kegiatan", "positif", None, 0,
                  ("20", "25", "45", "60", "15", "35", "55")),
    IndicatorSpec("P05-01", "P05", "Jumlah RT pelaksana Kampung Bahagia", "RT", "positif", 50, 0,
                  ("67", "67", "67", "67", "*", "*", "*")),
    IndicatorSpec("P05-02", "P05", "Persentase RT menyampaikan LPJ tepat waktu", "%", "positif", 30, 1,
                  (_N, _N, "90", "90", "90", "90", "90")),
    IndicatorSpec("P05-03", "P05", "Serapan dana Kampung Bahagia", "%", "positif", 20, 1,
                  (_N, _N, "50", "95", "15", "45", "70")),
    IndicatorSpec("P06-01", "P06", "Jumlah lansia mendapat layanan kesehatan", "orang", "positif", None, 0,
                  ("4000", "5000", "8000", "11000", "3000", "6000", "9000")),
    IndicatorSpec("P06-02", "P06", "Jumlah posyandu lansia aktif", "unit", "positif", None, 0,
                  ("120", "130", "150", "170", "175", "180", "185")),
    IndicatorSpec("P07-01", "P07", "Jumlah titik genangan banjir", "titik", "negatif", 50, 0,
                  ("45", "44", "40", "35", "34", "30", "28")),
    IndicatorSpec("P07-02", "P07", "Panjang drainase yang dinormalisasi", "km", "positif", 30, 1,
                  ("8", "10", "18", "25", "6", "14", "22")),
    IndicatorSpec("P07-03", "P07", "Persentase jalan kota dalam kondisi mantap", "%", "positif", 20, 1,
                  ("75-80", "75-80", "78-85", "80-90", "80-90", "80-90", "82-90")),
    IndicatorSpec("P08-01", "P08", "Jumlah event budaya terselenggara", "kegiatan", "positif", None, 0,
                  ("5", "6", "10", "14", "3", "7", "11")),
    IndicatorSpec("P08-02", "P08", "Jumlah sanggar seni dibina", "sanggar", "positif", None, 0,
                  ("20", "20", "25", "30", "30", "32", "35")),
    IndicatorSpec("P09-01", "P09", "Tingkat kehadiran apel ASN", "%", "positif", 60, 1,
                  ("95-100",) * 7),
    IndicatorSpec("P09-02", "P09", "Jumlah ASN dijatuhi hukuman disiplin", "orang", "negatif", 40, 0,
                  ("10", "12", "18", "24", "5", "10", "15")),
    IndicatorSpec("P10-01", "P10", "Jumlah aduan pungli", "aduan", "negatif", 40, 0,
                  ("15", "15", "12", "10", "8", "8", "6")),
    IndicatorSpec("P10-02", "P10", "Persentase aduan pungli ditindaklanjuti", "%", "positif", 40, 1,
                  ("90", "90", "95", "95", "95", "95", "100")),
    IndicatorSpec("P10-03", "P10", "Jumlah unit layanan bebas pungli", "unit", "positif", 20, 0,
                  ("5", "6", "10", "15", "16", "18", "20")),
    IndicatorSpec("P11-01", "P11", "Rata-rata waktu respons Call Center 112", "menit", "negatif", 60, 1,
                  ("15", "15", "12", "10", "10", "8", "8")),
    IndicatorSpec("P11-02", "P11", "Persentase laporan Call Center 112 tertangani", "%", "positif", 40, 1,
                  ("90", "90", "92", "95", "95", "95", "97")),
)  # fmt: skip

#: English names of the indicators (``nama_indikator_en`` of indikator.csv, an optional column). Ours.
INDICATOR_NAMES_EN: dict[str, str] = {
    "P01-01": "Happiness Card recipients",
    "P01-02": "Share of recipients' records verified",
    "P02-01": "Balikat training participants",
    "P02-02": "Share of Balikat graduates employed or self-employed",
    "P03-01": "Business groups receiving Bank Harkat support",
    "P03-02": "Share of non-performing loans",
    "P04-01": "Millennial Houses in operation",
    "P04-02": "Youth activities supported",
    "P05-01": "RTs running Kampung Bahagia",
    "P05-02": "Share of RTs submitting their accountability report (LPJ) on time",
    "P05-03": "Kampung Bahagia funds spent",
    "P06-01": "Elderly people receiving health services",
    "P06-02": "Active elderly health posts (posyandu lansia)",
    "P07-01": "Flood-prone spots",
    "P07-02": "Length of drains restored",
    "P07-03": "Share of city roads in good condition",
    "P08-01": "Cultural events held",
    "P08-02": "Art studios supported",
    "P09-01": "Civil servants' attendance at roll call",
    "P09-02": "Civil servants given disciplinary sanctions",
    "P10-01": "Complaints of illegal levies",
    "P10-02": "Share of illegal-levy complaints followed up",
    "P10-03": "Service units free of illegal levies",
    "P11-01": "Average response time of Call Center 112",
    "P11-02": "Share of Call Center 112 reports handled",
}
INDICATORS_BY_CODE = {i.code: i for i in INDICATORS}

#: Capaian per program in the first 100 days (the story to check the mayor's "exceeded targets" against):
#: eight programs at or above 100 %, three clearly below, and the biggest budget (P07) among the low ones.
HUNDRED_DAY_ACHIEVEMENT = {
    "P01": 1.12, "P02": 1.06, "P03": 0.78, "P04": 1.25, "P05": 1.00, "P06": 1.08,
    "P07": 0.74, "P08": 1.30, "P09": 1.00, "P10": 0.84, "P11": 1.15,
}  # fmt: skip
#: Share of the year's program budget spent by the end of each period (agency reports, before noise).
SPEND_SHARE = {
    "100-hari": 0.22, "2025-TW2": 0.42, "2025-TW3": 0.66, "2025-TW4": 0.93,
    "2026-TW1": 0.18, "2026-TW2": 0.44, "2026-TW3": 0.68,
}  # fmt: skip


def parse_target_text(text: str) -> tuple[float, float]:
    """``"80-90"`` -> (80, 90); ``"15"`` -> (15, 15).

    >>> parse_target_text("80-90")
    (80.0, 90.0)
    """
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def realisation_for(achievement: float, target: str, polarity: str, unit: str, decimals: int) -> float:
    """The realisation that gives ``achievement`` (1.0 = 100 %) under the capaian rules of domain.md.

    Positive: ratio to the target (range: to the upper bound above it, the lower bound below it);
    negative: ``(2 * target - realisation) / target``. Percentages stop at 100.

    >>> realisation_for(1.1, "80-90", "positif", "%", 1)
    99.0
    >>> realisation_for(1.07, "7", "negatif", "menit", 1)
    6.5
    """
    low, high = parse_target_text(target)
    if polarity == "negatif":
        value = max(low * (2 - achievement), 0.0)
    else:
        value = high * achievement if achievement >= 1 else low * achievement
    if unit == "%":
        value = min(value, 100.0)
    return round(value, decimals)


# --------------------------------------------------------------------------------------------------
# RT registry

FIRST_NAMES = (
    "Ahmad", "Budi", "Siti", "Dewi", "Rahmat", "Hendra", "Yusuf", "Nurhayati", "Sri", "Agus", "Eko", "Rina",
    "Fauzi", "Syamsul", "Zulkifli", "Ridwan", "Hasan", "Marlina", "Yanti", "Darmawan", "Junaidi", "Firdaus",
    "Herman", "Suryani", "Wati", "Iskandar", "Maimunah", "Rosmiati", "Abdul", "Hamzah", "Irwan", "Lina",
    "Mulyadi", "Nasrul", "Fitri", "Armansyah", "Salmah", "Taufik", "Yuliana", "Zainal",
)  # fmt: skip
LAST_NAMES = (
    "Saputra", "Hidayat", "Siregar", "Nasution", "Harahap", "Lubis", "Pratama", "Wijaya", "Kurniawan",
    "Santoso", "Lestari", "Rahman", "Effendi", "Syahputra", "Sulaiman", "Hasibuan", "Daulay", "Rangkuti",
    "Purnama", "Maulana", "Hakim", "Anwar", "Yusuf", "Setiawan", "Putri", "Ramadhan",
)  # fmt: skip
#: Phone prefixes of Indonesian mobile operators (08xx).
PHONE_PREFIXES = (
    "0811",
    "0812",
    "0813",
    "0821",
    "0822",
    "0852",
    "0853",
    "0877",
    "0878",
    "0881",
    "0895",
    "0896",
)
FEMALE_FIRST = frozenset({"Siti", "Dewi", "Nurhayati", "Sri", "Rina", "Marlina", "Yanti", "Suryani", "Wati",
                          "Maimunah", "Rosmiati", "Lina", "Fitri", "Salmah", "Yuliana"})  # fmt: skip


@dataclass(frozen=True)
class RTUnit:
    """One RT of the registry, with the latent traits that drive its reports."""

    rt_code: str
    kelurahan_code: str
    kelurahan_name: str
    kecamatan_code: str
    kecamatan_name: str
    rw: int | None
    rt_number: int
    households_kk: int
    residents: int
    is_kampung_bahagia: bool
    start_year: int | None
    head_name: str
    head_nik: str
    head_phone: str
    quality: float
    role: str  # "normal" | "weak" | "strong" | "broken" (registry row rejected: never reports)
    group: str  # 2026 implementation group "A" (Jan-Jul) or "B" (Aug-Dec)
    kelurahan_rt_max: int  # highest RT number in the kelurahan (the registry holds a subset)

    @property
    def is_pilot(self) -> bool:
        return self.start_year == 2025

    def participates(self, year: int) -> bool:
        return self.is_kampung_bahagia and self.start_year is not None and self.start_year <= year

    def allocation(self, year: int) -> int:
        return PILOT_ALLOCATION_2025_IDR if year == 2025 else allocation_2026(self.households_kk)


def fake_name(rng: np.random.Generator) -> str:
    """An invented Indonesian-style name."""
    return (
        f"{FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]} {LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]}"
    )


def fake_nik(rng: np.random.Generator, kecamatan_code: str, female: bool) -> str:
    """An invented 16-digit NIK of Kota Jambi: 1571 + kecamatan + DDMMYY (+40 on the day for women) + 4 digits."""
    born = date(1960, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 40)))
    day = born.day + (40 if female else 0)
    return f"1571{kecamatan_code[-2:]}{day:02d}{born.month:02d}{born.year % 100:02d}{int(rng.integers(1, 3000)):04d}"


def fake_phone(rng: np.random.Generator) -> str:
    """An invented mobile number in one of the ways people write them."""
    prefix = PHONE_PREFIXES[int(rng.integers(len(PHONE_PREFIXES)))]
    a, b = int(rng.integers(1000, 10000)), int(rng.integers(1000, 10000))
    style = int(rng.integers(3))
    if style == 0:
        return f"{prefix}-{a}-{b}"
    if style == 1:
        return f"{prefix}{a}{b}"
    return f"+62 {prefix[1:]}-{a}-{b}"


def build_registry(rng: np.random.Generator) -> list[RTUnit]:
    """The RT registry: one pilot RT in 67 of the 68 kelurahan, 3-5 RTs joining in 2026 in every kelurahan,
    a few non-participating RTs, and five 2026 RTs whose registry rows will be broken (role ``broken``).

    Households are skewed (lognormal, median 170, 40-900); residents 3.5-4 per household.
    """
    kel = kelurahan_table().sort_values("kelurahan_code").reset_index(drop=True)
    no_pilot = int(rng.integers(len(kel)))  # the one kelurahan without a pilot RT
    non_participating = set(rng.choice(len(kel), size=8, replace=False).tolist())
    units: list[RTUnit] = []
    for i, k in kel.iterrows():
        rt_max = int(rng.integers(12, 46))
        has_rw = bool(rng.random() < 0.6)
        n_pilot = 0 if i == no_pilot else 1
        n_join = int(rng.integers(3, 6))
        n_out = 1 if i in non_participating else 0
        numbers = sorted(
            int(n) for n in rng.choice(np.arange(1, rt_max + 1), size=n_pilot + n_join + n_out, replace=False)
        )
        kinds = ["pilot"] * n_pilot + ["join"] * n_join + ["out"] * n_out
        kinds = [kinds[j] for j in rng.permutation(len(kinds))]
        for number, kind in zip(numbers, kinds, strict=True):
            kk = int(np.clip(round(float(rng.lognormal(np.log(170), 0.6))), 40, 900))
            first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
            name = f"{first} {LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]}"
            units.append(
                RTUnit(
                    rt_code=make_rt_code(k.kelurahan_code, number),
                    kelurahan_code=k.kelurahan_code,
                    kelurahan_name=k.kelurahan_name,
                    kecamatan_code=k.kecamatan_code,
                    kecamatan_name=k.kecamatan_name,
                    rw=(number - 1) // 4 + 1 if has_rw else None,
                    rt_number=number,
                    households_kk=kk,
                    residents=int(round(kk * float(rng.uniform(3.5, 4.0)))),
                    is_kampung_bahagia=kind != "out",
                    start_year={"pilot": 2025, "join": 2026}.get(kind),
                    head_name=name,
                    head_nik=fake_nik(rng, k.kecamatan_code, first in FEMALE_FIRST),
                    head_phone=fake_phone(rng),
                    quality=float(rng.beta(3.0, 2.5)),
                    role="normal",
                    group="A" if rng.random() < 0.55 else "B",
                    kelurahan_rt_max=rt_max,
                )
            )
    return _assign_roles(units, rng)


def _assign_roles(units: list[RTUnit], rng: np.random.Generator) -> list[RTUnit]:
    """Pick the weak, strong and broken RTs, and stretch households to the domain's range (~40 to ~900)."""
    from dataclasses import replace

    pilots = [i for i, u in enumerate(units) if u.start_year == 2025]
    joiners = [i for i, u in enumerate(units) if u.start_year == 2026]
    order_p = [pilots[j] for j in rng.permutation(len(pilots))]
    order_j = [joiners[j] for j in rng.permutation(len(joiners))]
    roles = {}
    for i in order_p[:3] + order_j[:4]:
        roles[i] = "weak"
    for i in order_p[3:8] + order_j[4:12]:
        roles[i] = "strong"
    for i in order_j[12:17]:
        roles[i] = "broken"
    smallest, largest = order_j[17], order_j[18]
    out = []
    for i, u in enumerate(units):
        role = roles.get(i, "normal")
        quality = u.quality
        if role == "weak":
            quality = float(rng.uniform(0.02, 0.12))
        elif role == "strong":
            quality = float(rng.uniform(0.9, 0.99))
        kk = {smallest: 41, largest: 893}.get(i, u.households_kk)
        residents = u.residents if kk == u.households_kk else int(round(kk * 3.8))
        out.append(replace(u, role=role, quality=quality, households_kk=kk, residents=residents))
    return out


# --------------------------------------------------------------------------------------------------
# Kampung Bahagia reports (truth)

#: Asset categories as written in the template (contract.ASSET_STATUS keys).
ASSET_FULL, ASSET_PART, ASSET_NONE, ASSET_NOT_YET = (
    "Berfungsi penuh",
    "Sebagian",
    "Tidak berfungsi",
    "Belum ada",
)

NOTES = (
    "Pembangunan jalan setapak selesai", "Menunggu pencairan tahap II", "Gotong royong pembersihan drainase",
    "Perbaikan pos ronda", "Kegiatan tertunda karena hujan", "Pelatihan UMKM ibu-ibu PKK", "Rehab MCK umum",
    "Penanaman pohon dan taman RT", "Pengecoran gang", "Pemasangan lampu jalan",
)  # fmt: skip
NOTES_2026 = (
    "Pengadaan CCTV dan gerobak motor sampah",
    "CCTV sudah terpasang",
    "Gerobak motor sampah diterima",
)
NOTES_WEAK = (
    "Ketua Pokja mengundurkan diri",
    "Aset rusak belum diperbaiki",
    "Warga mengeluhkan kualitas pekerjaan",
)


@dataclass(frozen=True)
class RTReport:
    """What an RT would report for one period if it typed everything correctly (see architecture.md,
    "Meaning of the reported figures": budget/activities/findings/complaints cumulative in the year,
    meetings and attendance within the period)."""

    period: str
    rt: RTUnit
    budget_allocated: int
    budget_spent: int
    swadaya: int
    activities_planned: int
    activities_completed: int
    meetings: int
    households_at_meetings: int
    participants_women: int
    participants_total: int
    info_board: bool
    announced: bool
    lpj_date: date | None
    lpj_deadline: date | None
    findings: int
    followed_up: int
    complaints: int
    resolved: int
    asset: str
    maintenance: bool
    note: str

    @property
    def is_overspent(self) -> bool:
        return self.budget_spent > self.budget_allocated


def _year_periods(year: int) -> tuple[str, ...]:
    return tuple(p for p in RT_PERIODS if p.startswith(str(year)))


def lpj_deadline(period: str) -> date:
    """LPJ due the 15th of the month after the period ends (an invented rule of the sample)."""
    end = period_info(period).end
    return date(end.year + (end.month == 12), end.month % 12 + 1, 15)


def _spend_path(u: RTUnit, year: int, rng: np.random.Generator, overspend: bool) -> list[float]:
    """Cumulative share of the allocation spent at the end of each RT period of ``year``."""
    q = u.quality
    if year == 2025:
        f3 = float(rng.uniform(0.25, 0.65)) * (0.6 + 0.4 * q)
        f4 = float(rng.uniform(0.45, 0.75)) if u.role == "weak" else float(rng.uniform(0.85, 0.99))
        if overspend:
            f4 = float(rng.uniform(1.02, 1.06))
        return [f3, f4]
    if u.group == "A":
        path = sorted(float(x) for x in rng.uniform([0.1, 0.5, 0.88], [0.35, 0.8, 1.0]))
        if u.role == "weak":
            path = [x * 0.6 for x in path]
        if overspend:
            path[-1] = float(rng.uniform(1.01, 1.05))
        return path
    tw2 = 0.0 if rng.random() < 0.4 else float(rng.uniform(0.0, 0.04))
    return [0.0, tw2, float(rng.uniform(0.08, 0.3))]


def _asset(u: RTUnit, spent_share: float, rng: np.random.Generator) -> str:
    if spent_share < 0.2:
        return ASSET_NOT_YET
    if u.role == "weak":
        return ASSET_NONE
    r = float(rng.random())
    if u.quality > 0.65:
        return ASSET_FULL if r < 0.9 else ASSET_PART
    if u.quality > 0.35:
        return ASSET_FULL if r < 0.6 else (ASSET_PART if r < 0.95 else ASSET_NONE)
    return ASSET_FULL if r < 0.2 else (ASSET_PART if r < 0.7 else ASSET_NONE)


def build_rt_reports(units: list[RTUnit], rng: np.random.Generator) -> dict[str, list[RTReport]]:
    """Truth of every RT report, by period. 2025: the pilots; 2026: every participating RT (about 2 % of
    RTs miss a period's report). RTs with role ``broken`` never report. A few RTs overspend by a few %."""
    out: dict[str, list[RTReport]] = {p: [] for p in RT_PERIODS}
    for year in (2025, 2026):
        periods = _year_periods(year)
        active = [u for u in units if u.participates(year) and u.role != "broken"]
        candidates = [
            i for i, u in enumerate(active) if u.role == "normal" and (year == 2025 or u.group == "A")
        ]
        overspenders = {candidates[int(j)] for j in rng.choice(len(candidates), size=3, replace=False)}
        for i, u in enumerate(active):
            out_year = _rt_year(u, year, periods, rng, overspend=i in overspenders)
            for report in out_year:
                if year == 2026 and rng.random() < 0.02:
                    continue  # this RT did not send this period's report
                out[report.period].append(report)
    return out


def _rt_year(
    u: RTUnit, year: int, periods: tuple[str, ...], rng: np.random.Generator, overspend: bool
) -> list[RTReport]:
    q = u.quality
    pagu = u.allocation(year)
    path = _spend_path(u, year, rng, overspend)
    planned = int(rng.integers(3, 9))
    findings_year = int(rng.poisson(0.4 + 2.0 * (1 - q)))
    complaints_year = int(rng.poisson(1.0 + 3.0 * (1 - q)))
    follow_rate = 0.0 if u.role == "weak" else float(np.clip(0.2 + 0.8 * q + rng.normal(0, 0.1), 0, 1))
    resolve_rate = float(np.clip(0.15 + 0.85 * q + rng.normal(0, 0.1), 0, 1))
    swadaya_rate = float(np.clip(0.01 + 0.12 * q + rng.normal(0, 0.02), 0, 0.2))
    board = u.role != "weak" and bool(rng.random() < 0.15 + 0.8 * q)
    year_fraction = {"TW1": 0.25, "TW2": 0.5, "TW3": 0.75, "TW4": 1.0}
    reports = []
    for period, share in zip(periods, path, strict=True):
        quarter = period[-3:]
        frac = 0.5 if period == "2025-TW3" else year_fraction[quarter]
        spent = int(round(pagu * share / 5_000)) * 5_000
        if not overspend:
            spent = min(spent, pagu)
        done = min(planned, int(round(planned * min(share, 1.0) * (0.7 + 0.3 * q))))
        if year == 2025:
            meetings = int(rng.integers(2, 5)) if quarter == "TW3" else int(rng.integers(1, 4))
        elif u.group == "A":
            meetings = {
                "TW1": int(rng.integers(2, 4)),
                "TW2": int(rng.integers(1, 3)),
                "TW3": int(rng.integers(1, 3)),
            }[quarter]
        else:
            meetings = {
                "TW1": int(rng.integers(0, 2)),
                "TW2": int(rng.integers(1, 3)),
                "TW3": int(rng.integers(2, 4)),
            }[quarter]
        if u.role == "weak":
            meetings = min(meetings, 1)
        attendance = (
            float(rng.uniform(0.03, 0.08))
            if u.role == "weak"
            else float(np.clip(0.08 + 0.55 * q + rng.normal(0, 0.06), 0.03, 0.9))
        )
        kk_present = int(round(u.households_kk * attendance)) if meetings else 0
        total = kk_present + int(round(kk_present * float(rng.uniform(0.05, 0.6))))
        women_share = float(np.clip(0.15 + 0.4 * q + rng.normal(0, 0.05), 0.05, 0.7))
        women = int(round(total * women_share))
        deadline = lpj_date = None
        if spent > 0:
            deadline = lpj_deadline(period)
            p_missing = 0.25 if u.role == "weak" else 0.02
            p_late = 0.6 if u.role == "weak" else 0.04 + 0.5 * (1 - q) ** 2
            r = float(rng.random())
            if r < p_missing:
                lpj_date = None
            elif r < p_missing + p_late:
                lpj_date = deadline + timedelta(days=int(rng.integers(2, 31)))
            else:
                lpj_date = deadline - timedelta(days=int(rng.integers(0, 15)))
        findings = int(findings_year * frac)
        complaints = int(complaints_year * frac)
        asset = _asset(u, share, rng)
        maintenance = asset != ASSET_NOT_YET and bool(rng.random() < 0.1 + 0.8 * q) and u.role != "weak"
        note = ""
        if u.role == "weak" and rng.random() < 0.5:
            note = NOTES_WEAK[int(rng.integers(len(NOTES_WEAK)))]
        elif rng.random() < 0.15:
            pool = NOTES + (NOTES_2026 if year == 2026 else ())
            note = pool[int(rng.integers(len(pool)))]
        reports.append(
            RTReport(
                period=period,
                rt=u,
                budget_allocated=pagu,
                budget_spent=spent,
                swadaya=int(round(spent * swadaya_rate / 50_000)) * 50_000,
                activities_planned=planned,
                activities_completed=done,
                meetings=meetings,
                households_at_meetings=kk_present,
                participants_women=women,
                participants_total=total,
                info_board=board,
                announced=spent > 0 and u.role != "weak" and bool(rng.random() < 0.1 + 0.85 * q),
                lpj_date=lpj_date,
                lpj_deadline=deadline,
                findings=findings,
                followed_up=int(findings * follow_rate),
                complaints=complaints,
                resolved=int(complaints * resolve_rate),
                asset=asset,
                maintenance=maintenance,
                note=note,
            )
        )
    return reports


# --------------------------------------------------------------------------------------------------
# Agency reports (truth)


@dataclass(frozen=True)
class AgencyValue:
    period: str
    indicator: IndicatorSpec
    target: str
    realisation: float


@dataclass
class AgencyWorld:
    """Targets per (indicator, period), realisations, and program budgets per period."""

    targets: dict[tuple[str, str], str] = field(default_factory=dict)
    values: dict[tuple[str, str], AgencyValue] = field(default_factory=dict)
    #: (program, period) -> (pagu, spent to the end of the period), Rupiah
    budget: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)


def build_agency_world(
    units: list[RTUnit], reports: dict[str, list[RTReport]], rng: np.random.Generator
) -> AgencyWorld:
    """Targets, realisations and budgets; P05 (Kampung Bahagia) is computed from the RT truth."""
    world = AgencyWorld()
    kb_2026 = [u for u in units if u.participates(2026)]
    for k, period in enumerate(AGENCY_PERIODS):
        program_ach = {
            p.code: HUNDRED_DAY_ACHIEVEMENT[p.code]
            if period == "100-hari"
            else float(np.clip(rng.normal(1.0, 0.09), 0.65, 1.3))
            for p in PROGRAMS
        }
        for ind in INDICATORS:
            target = ind.targets[k]
            if target is None:
                continue
            if target == "*":
                target = str(len(kb_2026))
            world.targets[(ind.code, period)] = target
            noise = 1.0 if period == "100-hari" and ind.program == "P05" else float(rng.uniform(0.95, 1.05))
            value = realisation_for(
                program_ach[ind.program] * noise, target, ind.polarity, ind.unit, ind.decimals
            )
            if ind.program == "P05":
                value = _kampung_bahagia_value(ind.code, period, reports, value)
            world.values[(ind.code, period)] = AgencyValue(period, ind, target, value)
        for p in PROGRAMS:
            year = 2026 if period.startswith("2026") else 2025
            if p.code == "P05":
                pagu = sum(u.allocation(year) for u in units if u.participates(year))
                spent = sum(r.budget_spent for r in reports.get(period, []))
            else:
                pagu = int(round(p.budget_2025_idr * (1.0 if year == 2025 else 1.1) / 1_000_000)) * 1_000_000
                share = SPEND_SHARE[period] * float(rng.uniform(0.8, 1.1))
                if p.code == "P07" and period == "100-hari":
                    share = 0.34  # spent fast, delivered little: the "spending without results" flag
                spent = int(round(pagu * min(share, 0.99) / 1_000)) * 1_000
            world.budget[(p.code, period)] = (pagu, spent)
    return world


def _kampung_bahagia_value(
    code: str, period: str, reports: dict[str, list[RTReport]], default: float
) -> float:
    """P05 indicators from the RT truth: RTs reporting, % LPJ on time (of those due), % budget spent."""
    rows = reports.get(period)
    if not rows:
        return default
    if code == "P05-01":
        return float(len(rows))
    if code == "P05-02":
        due = [r for r in rows if r.lpj_deadline is not None]
        on_time = [r for r in due if r.lpj_date is not None and r.lpj_date <= r.lpj_deadline]
        return round(100.0 * len(on_time) / len(due), 1) if due else default
    allocated = sum(r.budget_allocated for r in rows)
    return round(100.0 * sum(r.budget_spent for r in rows) / allocated, 1) if allocated else default


# --------------------------------------------------------------------------------------------------
# Residents' survey (truth)

SURVEY_ITEMS = ("T1", "T2", "P1", "P2", "A1", "A2", "S1", "S2")


@dataclass(frozen=True)
class SurveyAnswer:
    period: str
    rt: RTUnit
    respondent: str
    answers: tuple[int, ...]  # one per SURVEY_ITEMS, 1..5


def build_survey(
    reports: dict[str, list[RTReport]], rng: np.random.Generator
) -> dict[str, list[SurveyAnswer]]:
    """5-15 respondents in some reporting RTs; answers 1-5 centred on 1.8 + 2.8 x the RT's quality."""
    out: dict[str, list[SurveyAnswer]] = {}
    for period, n_rt in zip(SURVEY_PERIODS, (16, 24), strict=True):
        rts = [r.rt for r in reports[period]]
        chosen = sorted(int(j) for j in rng.choice(len(rts), size=n_rt, replace=False))
        answers = []
        for j in chosen:
            u = rts[j]
            for _ in range(int(rng.integers(5, 16))):
                centre = 1.8 + 2.8 * u.quality
                items = tuple(
                    int(np.clip(round(centre + float(rng.normal(0, 0.8))), 1, 5)) for _ in SURVEY_ITEMS
                )
                answers.append(SurveyAnswer(period, u, fake_name(rng), items))
        out[period] = answers
    return out
