"""Write one complete synthetic data source (``data-contract.md`` layout) and list every injected defect.

The world (``world.py``) is rendered file by file; each file has its own random stream (seeded from the
run seed and the file's path) for the way values are typed, and a fixed plan of defects. Every defect is
recorded with file, sheet, Excel row, column and value in ``_generator/defects.csv``; reason codes are
those of ``docs/data_quality_rules.md``.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from analysis.core.config import SAMPLE_NOTICE, SAMPLE_NOTICE_EN, SYNTHETIC_MARKER
from analysis.core.periods import period_info, period_label
from analysis.core.xlsxio import save_workbook, write_csv
from analysis.ingest import contract as C
from analysis.sample.formats import Messer, long_date
from analysis.sample.layout import DataRow, Defect, SheetLayout, display_value, write_table
from analysis.sample.world import (
    AGENCY_PERIODS,
    INDICATOR_NAMES_EN,
    INDICATORS,
    PROGRAM_NAMES_EN,
    PROGRAMS,
    PROGRAMS_BY_CODE,
    RT_PERIODS,
    AgencyWorld,
    RTReport,
    RTUnit,
    SurveyAnswer,
    build_agency_world,
    build_registry,
    build_rt_reports,
    build_survey,
    fake_name,
    lpj_deadline,
    parse_target_text,
)

GENERATOR_DIR = "_generator"
DEFECTS_FILE = f"{GENERATOR_DIR}/defects.csv"
COUNTS_FILE = f"{GENERATOR_DIR}/expected_counts.csv"
DEFECT_COLUMNS = ("file", "sheet", "row", "column", "value", "defect", "must_reject")

H_RT = [c.header for c in C.RT_REPORT.columns]
H_AGENCY = [c.header for c in C.AGENCY_REPORT.columns]
H_REG = [c.header for c in C.RT_REGISTRY.columns]
H_SURVEY = [c.header for c in C.SURVEY.columns]

# Contract headers used below (one place, so a renamed header fails loudly here).
PAGU, SPENT, SWADAYA = "Pagu Anggaran (Rp)", "Realisasi Anggaran (Rp)", "Swadaya Masyarakat (Rp)"
PLANNED, DONE = "Kegiatan Direncanakan", "Kegiatan Selesai"
MEETINGS, KK_PRESENT, WOMEN, TOTAL = (
    "Jumlah Musyawarah",
    "KK Hadir Musyawarah",
    "Peserta Perempuan",
    "Total Peserta",
)
FINDINGS, FOLLOWED, RECEIVED, RESOLVED = (
    "Temuan Pemeriksaan",
    "Temuan Ditindaklanjuti",
    "Aduan Diterima",
    "Aduan Selesai",
)
LPJ_DATE, NOTE = "Tanggal LPJ", "Catatan"
for _h in (PAGU, SPENT, SWADAYA, PLANNED, DONE, MEETINGS, KK_PRESENT, WOMEN, TOTAL, FINDINGS, FOLLOWED, RECEIVED,
           RESOLVED, LPJ_DATE, NOTE):  # fmt: skip
    assert _h in H_RT, _h

#: Made-up places outside Kota Jambi (in Kabupaten Muaro Jambi), used as unknown kelurahan.
UNKNOWN_KELURAHAN = ("Pondok Meja", "Mendalo Darat")
EXTRA_COLUMN = "Jenis Kegiatan"  # an extra column the contract allows (one RT report file)
HTML_TEXT = "<script>alert(1)</script>"
FORMULA_TEXT = '=HYPERLINK("http://x","klik")'


def slug(text: str) -> str:
    """``Kota Baru`` -> ``kota-baru``.

    >>> slug("Danau Teluk")
    'danau-teluk'
    """
    return "-".join(text.lower().replace(",", " ").split())


def fake_nip(rng: np.random.Generator) -> str:
    """An invented civil-servant number (NIP) as printed under a signature."""
    born = date(1968, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 20)))
    return f"NIP. {born:%Y%m%d} {born.year + 25}{int(rng.integers(1, 13)):02d} {int(rng.integers(1, 3))} {int(rng.integers(1, 20)):03d}"


def header_variant(headers: list[str], style: str) -> list[str]:
    """Headers as an office may type them (the contract allows case, spacing and the unit to vary)."""
    if style == "upper":
        return [h.upper() for h in headers]
    if style == "no_unit":
        return [h.replace(" (Rp)", "") for h in headers]
    if style == "rupiah":
        return [h.replace("(Rp)", "(Rupiah)") for h in headers]
    if style == "spacing":
        return [h + " " if i % 3 == 1 else h for i, h in enumerate(headers)]
    return list(headers)


class SourceBuilder:
    """Writes the files of one data source and keeps the defect list and row counts."""

    def __init__(self, out_dir: Path, seed: int):
        self.out = Path(out_dir)
        self.seed = seed
        self.defects: list[Defect] = []
        self.counts: list[tuple[str, int, int]] = []

    def rng(self, key: str) -> np.random.Generator:
        """A random stream of its own for each file (seed + CRC32 of the key, stable across runs)."""
        return np.random.default_rng([self.seed, zlib.crc32(key.encode("utf-8"))])

    # ---- writing ----------------------------------------------------------------------------------

    def xlsx(
        self, rel: str, layout: SheetLayout, rows: list[DataRow], extra_sheets: tuple[str, ...] = ()
    ) -> None:
        _number_rows(rows, layout.headers)
        wb = Workbook()
        wb.remove(wb.active)
        defects, non_data = write_table(wb, layout, rows, rel)
        for name in extra_sheets:
            wb.create_sheet(name)
        save_workbook(wb, self.out / rel)
        self.defects.extend(defects)
        self.counts.append((rel, len(rows), non_data + 1))  # + the header row

    def csv(
        self, rel: str, headers: list[str], rows: list[DataRow], delimiter: str = ",", bom: bool = False
    ) -> None:
        write_csv(
            self.out / rel, headers, ([row.cells.get(h) for h in headers] for row in rows), delimiter, bom
        )
        for i, row in enumerate(rows):
            for column, code, must_reject in row.defects:
                self.defects.append(
                    Defect(rel, "", i + 2, column, display_value(row.cells.get(column)), code, must_reject)
                )
        self.counts.append((rel, len(rows), 1))  # the header row

    def file_defect(self, rel: str, sheet: str, column: str, value: str, code: str) -> None:
        self.defects.append(Defect(rel, sheet, None, column, value, code, False))


def _number_rows(rows: list[DataRow], headers: list[str]) -> None:
    if "No" in headers:
        for i, row in enumerate(rows, start=1):
            row.cells["No"] = i


def _pick(
    rows: list[DataRow], rng: np.random.Generator, pred: Callable[[DataRow], bool] = lambda r: True
) -> DataRow:
    """A random clean row that satisfies ``pred`` (a row carries at most one injected problem)."""
    candidates = [r for r in rows if r.is_clean and pred(r)]
    if not candidates:
        raise RuntimeError("no clean row left to inject a defect into")
    return candidates[int(rng.integers(len(candidates)))]


# --------------------------------------------------------------------------------------------------
# Reference files


def write_reference(b: SourceBuilder, world: AgencyWorld) -> None:
    """``program.csv``, ``indikator.csv`` and ``target.csv`` (defects only in the targets)."""
    b.csv(
        "referensi/program.csv",
        [c.header for c in C.PROGRAM.columns],
        [DataRow(dict(zip([c.header for c in C.PROGRAM.columns], (p.code, p.name, p.short, p.agency, p.sector, *PROGRAM_NAMES_EN[p.code]), strict=True)))
         for p in PROGRAMS],
    )  # fmt: skip
    ind_headers = [c.header for c in C.INDICATOR.columns]
    b.csv(
        "referensi/indikator.csv",
        ind_headers,
        [DataRow(dict(zip(ind_headers, (i.code, i.program, i.name, i.unit, i.polarity, i.weight, INDICATOR_NAMES_EN[i.code]), strict=True)))
         for i in INDICATORS],
    )  # fmt: skip
    t_headers = [c.header for c in C.TARGET.columns]
    rows = [
        DataRow(dict(zip(t_headers, (code, period, text), strict=True)), truth=(code, period))
        for (code, period), text in sorted(
            world.targets.items(), key=lambda kv: (kv[0][0], AGENCY_PERIODS.index(kv[0][1]))
        )
    ]
    # The same indicator and period twice with different values: both rejected.
    dup_at = next(i for i, r in enumerate(rows) if r.truth == ("P08-01", "2026-TW1"))
    copy = DataRow(dict(rows[dup_at].cells), truth=rows[dup_at].truth)
    copy.cells["target"] = str(int(rows[dup_at].cells["target"]) + 1)
    rows.insert(dup_at + 1, copy)
    for r in (rows[dup_at], copy):
        r.add("kode_indikator", "duplicate", True)
    # A target written in words.
    words = next(r for r in rows if r.truth == ("P04-02", "2026-TW3"))
    words.cells["target"] = "lima puluh lima"
    words.add("target", "unparseable", True)
    # An indicator that indikator.csv does not have.
    unknown = DataRow(
        {"kode_indikator": "P07-04", "periode": "2026-TW3", "target": "12"}, truth=("P07-04", "2026-TW3")
    )
    unknown.add("kode_indikator", "unknown_indicator", True)
    at = max(i for i, r in enumerate(rows) if r.truth[0].startswith("P07")) + 1
    rows.insert(at, unknown)
    b.csv("referensi/target.csv", t_headers, rows)


#: Targets that target.csv does not deliver (rejected rows): no mismatch can be checked against them.
TARGETS_REJECTED = {("P08-01", "2026-TW1"), ("P04-02", "2026-TW3")}


def write_registry(b: SourceBuilder, units: list[RTUnit]) -> None:
    """``referensi/rt.xlsx``: every RT; the five ``broken`` RTs get one defect each (a duplicate and an unknown
    kelurahan reject the row; a value cell that cannot be read leaves that value missing)."""
    rel = "referensi/rt.xlsx"
    rng = b.rng(rel)
    m = Messer(rng, 0.2)
    rows = [_registry_row(u, m) for u in units]
    broken = [r for r in rows if r.truth.role == "broken"]
    # 1: the same RT listed twice (a later row re-registers it with another head): both rejected.
    u0 = broken[0].truth
    again = _registry_row(replace(u0, head_name=fake_name(rng), head_phone=broken[1].truth.head_phone), m)
    rows.append(again)
    for r in (broken[0], again):
        r.add("RT", "duplicate", True)
    # 2-4: value cells (not keys) that cannot be read: the RT is kept with that value missing, and the cell
    # is reported (severity "missing"); docs/data_quality_rules.md, "Keys and values".
    # 2: a start year with a typo.
    broken[1].cells["Tahun Mulai"] = 20266
    broken[1].add("Tahun Mulai", "value_missing", False)
    # 3: households in words.
    broken[2].cells["Jumlah KK"] = "seratus dua puluh"
    broken[2].add("Jumlah KK", "value_missing", False)
    # 4: households left blank.
    broken[3].cells["Jumlah KK"] = None
    broken[3].add("Jumlah KK", "value_missing", False)
    # 5: a kelurahan outside Kota Jambi.
    broken[4].cells["Kelurahan"] = UNKNOWN_KELURAHAN[1]
    broken[4].add("Kelurahan", "unknown_kelurahan", True)
    # Warning: a kelurahan listed under the wrong kecamatan (the kelurahan decides).
    wrong = _pick(rows, rng, lambda r: r.truth.role == "normal" and r.truth.start_year == 2026)
    wrong.cells["Kecamatan"] = _other_kecamatan(wrong.truth.kecamatan_name, units, rng)
    wrong.add("Kecamatan", "wrong_kecamatan", False)
    layout = SheetLayout(
        sheet_name=C.RT_REGISTRY.sheet,
        headers=H_REG,
        titles=["DAFTAR RUKUN TETANGGA (RT) PROGRAM KAMPUNG BAHAGIA", "KOTA JAMBI TAHUN 2026"],
        blank_before=(int(rng.integers(20, len(rows) - 20)),),
        total_label="JUMLAH",
        totals={
            "Jumlah KK": sum(u.households_kk for u in units),
            "Jumlah Jiwa": sum(u.residents for u in units),
        },
        signature=[
            ("", f"Jambi, {long_date(date(2026, 1, 5))}"),
            ("", "Kepala Dinas Pemberdayaan Masyarakat,"),
            ("", "Perempuan dan Perlindungan Anak Kota Jambi"),
            ("", ""),
            ("", ""),
            ("", fake_name(rng)),
            ("", fake_nip(rng)),
        ],
    )
    b.xlsx(rel, layout, rows)


def _registry_row(u: RTUnit, m: Messer) -> DataRow:
    values = (
        None, m.kecamatan(u.kecamatan_name), m.kelurahan(u.kelurahan_name), u.rw, m.rt(u.rt_number, u.rw),
        u.head_name, u.head_nik, u.head_phone, m.count(u.households_kk), m.count(u.residents),
        m.registry_yesno(u.is_kampung_bahagia), u.start_year,
    )  # fmt: skip
    return DataRow(dict(zip(H_REG, values, strict=True)), truth=u)


def _other_kecamatan(name: str, units: list[RTUnit], rng: np.random.Generator) -> str:
    names = sorted({u.kecamatan_name for u in units} - {name})
    return names[int(rng.integers(len(names)))]


# --------------------------------------------------------------------------------------------------
# Agency reports


def _achievement(value: float, target: str, polarity: str) -> float:
    low, high = parse_target_text(target)
    if polarity == "negatif":
        return max(0.0, (2 * low - value) / low) if low else 0.0
    if value > high:
        return value / high if high else 0.0
    if value < low:
        return value / low if low else 0.0
    return 1.0


def _agency_note(ach: float, rng: np.random.Generator) -> str | None:
    if ach >= 1.05:
        return "Melebihi target" if rng.random() < 0.5 else None
    if ach >= 0.98:
        return "Tercapai" if rng.random() < 0.4 else None
    reasons = ("kendala cuaca", "anggaran belum cair", "proses pengadaan", "data masih diverifikasi")
    return f"Belum tercapai: {reasons[int(rng.integers(len(reasons)))]}"


def _agency_rows(
    world: AgencyWorld, period: str, program: str, m: Messer, rng: np.random.Generator
) -> list[DataRow]:
    rows = []
    first = True
    for ind in INDICATORS:
        if ind.program != program or (ind.code, period) not in world.values:
            continue
        v = world.values[(ind.code, period)]
        pagu, spent = world.budget[(program, period)]
        percent = ind.unit == "%"
        cells = {
            "Kode Indikator": ind.code,
            "Nama Indikator": ind.name,
            "Satuan": ind.unit,
            "Target": m.target(v.target, percent),
            "Realisasi": m.number(v.realisation, ind.decimals, percent),
            PAGU: m.money(pagu) if first else None,  # the program's budget, on its first indicator row
            SPENT: m.money(spent) if first else None,
            "Keterangan": _agency_note(_achievement(v.realisation, v.target, ind.polarity), rng),
        }
        rows.append(DataRow(cells, truth=v))
        first = False
    return rows


def write_agency_reports(b: SourceBuilder, world: AgencyWorld) -> None:
    """``realisasi/realisasi_<period>_<agency>.xlsx``: one file per agency and period, with a fixed defect plan."""
    for period in AGENCY_PERIODS:
        files: dict[str, list[DataRow]] = {}
        rngs: dict[str, np.random.Generator] = {}
        for p in PROGRAMS:
            rel = f"realisasi/realisasi_{period}_{p.agency_slug}.xlsx"
            rng = b.rng(rel)
            rows = _agency_rows(world, period, p.code, Messer(rng, float(rng.uniform(0.1, 0.4))), rng)
            if rows:
                files[p.code], rngs[p.code] = rows, rng
        sheet_names = {code: C.AGENCY_REPORT.sheet for code in files}
        extra_sheets: dict[str, tuple[str, ...]] = {}
        skip: set[str] = set()
        _inject_agency(b, period, world, files, rngs, sheet_names, extra_sheets, skip)
        for code, rows in files.items():
            if code in skip:
                continue
            p = PROGRAMS_BY_CODE[code]
            rel = f"realisasi/realisasi_{period}_{p.agency_slug}.xlsx"
            rng = rngs[code]
            pagu, spent = world.budget[(code, period)]
            end = period_info(period).end
            layout = SheetLayout(
                sheet_name=sheet_names[code],
                headers=H_AGENCY,
                written_headers=header_variant(
                    H_AGENCY, ("plain", "plain", "upper", "no_unit", "rupiah")[int(rng.integers(5))]
                ),
                titles=_agency_titles(p.agency, period)[: int(rng.integers(0, 4))],
                total_label=("JUMLAH", "TOTAL", "Jumlah Total")[int(rng.integers(3))]
                if rng.random() < 0.6
                else None,
                totals={PAGU: pagu, SPENT: spent},
                signature=[
                    ("", f"Jambi, {long_date(end + timedelta(days=int(rng.integers(10, 25))))}"),
                    ("", f"Kepala {p.agency}"),
                    ("", ""),
                    ("", ""),
                    ("", fake_name(rng)),
                    ("", fake_nip(rng)),
                ]
                if rng.random() < 0.7
                else [],
            )
            b.xlsx(rel, layout, rows, extra_sheets.get(code, ()))


def _agency_titles(agency: str, period: str) -> list[str]:
    label = (
        "100 HARI KERJA (20 FEBRUARI - 30 MEI 2025)" if period == "100-hari" else period_label(period).upper()
    )
    return ["LAPORAN REALISASI PROGRAM PRIORITAS KOTA JAMBI BAHAGIA", agency.upper(), f"PERIODE {label}"]


def _inject_agency(
    b: SourceBuilder,
    period: str,
    world: AgencyWorld,
    files: dict[str, list[DataRow]],
    rngs: dict[str, np.random.Generator],
    sheet_names: dict[str, str],
    extra_sheets: dict[str, tuple[str, ...]],
    skip: set[str],
) -> None:
    """The defect plan of the agency reports (one or two per period; one file-level error in 2025-TW3)."""

    def row_of(code: str) -> DataRow:
        return next(r for r in files[code[:3]] if r.cells["Kode Indikator"] == code)

    def mismatch(code: str, written: object) -> None:
        assert (code, period) not in TARGETS_REJECTED
        r = row_of(code)
        r.cells["Target"] = written
        r.add("Target", "target_mismatch", False)

    if period == "100-hari":
        extra = DataRow(
            {"Kode Indikator": "P12-01", "Nama Indikator": "Jumlah UMKM naik kelas", "Satuan": "unit",
             "Target": 50, "Realisasi": 64, "Keterangan": "Indikator tambahan"},
        )  # fmt: skip
        extra.add("Kode Indikator", "unknown_indicator", True)
        files["P01"].append(extra)
        mismatch("P02-01", 1000)  # the annual target instead of the 100-day one
    elif period == "2025-TW2":
        # Dinsos also reports the elderly-care indicator that Dinkes owns: the same key twice in the period.
        original = row_of("P06-01")
        copy = DataRow(dict(original.cells), truth=original.truth)
        copy.cells[PAGU] = copy.cells[SPENT] = None
        copy.cells["Realisasi"] = int(original.truth.realisation) + 150
        files["P01"].append(copy)
        for r in (original, copy):
            r.add("Kode Indikator", "duplicate", True)
        r = _pick(files["P11"], rngs["P11"])
        r.cells["Keterangan"] = FORMULA_TEXT
        r.add("Keterangan", "formula_text", False)
    elif period == "2025-TW3":
        rel = f"realisasi/realisasi_{period}_{PROGRAMS_BY_CODE['P08'].agency_slug}.xlsx"
        path = b.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            b"Yth. Bappeda Kota Jambi,\nLaporan realisasi triwulan III menyusul, file Excel rusak.\n"
            b"Terima kasih.\n"
        )
        b.file_defect(rel, "", "", "not a spreadsheet (plain text saved as .xlsx)", "file_error")
        b.counts.append((rel, 0, 0))
        skip.add("P08")
        r = _pick(files["P04"], rngs["P04"])
        r.cells["Realisasi"] = None
        r.add("Realisasi", "required_missing", True)
    elif period == "2025-TW4":
        r = row_of("P10-02")
        r.cells["Realisasi"] = "1200%"
        r.add("Realisasi", "out_of_range", True)
        mismatch("P11-01", "12")  # last quarter's target restated
        r = row_of("P02-01")
        r.cells["Realisasi"] = "lihat lampiran"
        r.add("Realisasi", "unparseable", True)
        extra_sheets["P06"] = ("Sheet2",)  # an empty default sheet next to "Realisasi": not a problem
    elif period == "2026-TW1":
        r = row_of("P03-01")
        r.cells[SPENT] = -150_000_000
        r.add(SPENT, "negative_value", True)
        rel = f"realisasi/realisasi_{period}_{PROGRAMS_BY_CODE['P09'].agency_slug}.xlsx"
        sheet_names["P09"] = "Sheet1"
        b.file_defect(rel, "Sheet1", "", "Sheet1", "sheet_renamed")
    elif period == "2026-TW2":
        original = row_of("P11-02")
        copy = DataRow(dict(original.cells), truth=original.truth)
        copy.cells[PAGU] = copy.cells[SPENT] = None
        files["P11"].append(copy)
        for r in (original, copy):
            r.add("Kode Indikator", "duplicate", True)
        mismatch("P06-02", 185)
    elif period == "2026-TW3":
        extra = DataRow(
            {"Kode Indikator": "P07-04", "Nama Indikator": "Jumlah sumur resapan dibangun", "Satuan": "unit",
             "Target": 12, "Realisasi": 9},
        )  # fmt: skip
        extra.add("Kode Indikator", "unknown_indicator", True)
        files["P07"].append(extra)
        r = row_of("P09-02")
        r.cells["Kode Indikator"] = None
        r.add("Kode Indikator", "required_missing", True)


# --------------------------------------------------------------------------------------------------
# Kampung Bahagia RT reports


def _rt_row(rep: RTReport, m: Messer) -> DataRow:
    u = rep.rt
    cells = {
        "Kecamatan": m.kecamatan(u.kecamatan_name),
        "Kelurahan": m.kelurahan(u.kelurahan_name),
        "RT": m.rt(u.rt_number, u.rw),
        PAGU: m.money(rep.budget_allocated),
        SPENT: m.money(rep.budget_spent),
        SWADAYA: m.money(rep.swadaya, dash_for_zero=True),
        PLANNED: m.count(rep.activities_planned),
        DONE: m.count(rep.activities_completed),
        MEETINGS: m.count(rep.meetings, dash_for_zero=True),
        KK_PRESENT: m.count(rep.households_at_meetings, dash_for_zero=True),
        WOMEN: m.count(rep.participants_women, dash_for_zero=True),
        TOTAL: m.count(rep.participants_total, dash_for_zero=True),
        "Papan Informasi": m.yesno(rep.info_board),
        "Realisasi Diumumkan": m.yesno(rep.announced),
        LPJ_DATE: m.date(rep.lpj_date),
        "Batas Waktu LPJ": m.date(rep.lpj_deadline),
        FINDINGS: m.count(rep.findings, dash_for_zero=True),
        FOLLOWED: m.count(rep.followed_up, dash_for_zero=True),
        RECEIVED: m.count(rep.complaints, dash_for_zero=True),
        RESOLVED: m.count(rep.resolved, dash_for_zero=True),
        "Aset Berfungsi": m.asset(rep.asset),
        "Rencana Pemeliharaan": m.yesno(rep.maintenance),
        NOTE: rep.note or None,
    }
    return DataRow(cells, truth=rep)


class RTInjector:
    """Injects defects into the rows of one RT-report period (rows may span several files)."""

    def __init__(self, rows: list[DataRow], units: list[RTUnit], m: Messer, rng: np.random.Generator):
        self.rows = rows
        self.units = units
        self.m = m
        self.rng = rng

    def pick(self, pred: Callable[[RTReport], bool] = lambda t: True) -> DataRow:
        return _pick(self.rows, self.rng, lambda r: isinstance(r.truth, RTReport) and pred(r.truth))

    def completed_gt_planned(self) -> None:
        r = self.pick()
        r.cells[PLANNED] = r.truth.activities_planned
        r.cells[DONE] = r.truth.activities_planned + int(self.rng.integers(1, 4))
        r.add(DONE, "completed_gt_planned", True)

    def women_gt_participants(self) -> None:
        r = self.pick(lambda t: t.participants_total > 0)
        r.cells[TOTAL] = r.truth.participants_total
        r.cells[WOMEN] = r.truth.participants_total + int(self.rng.integers(1, 11))
        r.add(WOMEN, "women_gt_participants", True)

    def followed_up_gt_findings(self) -> None:
        r = self.pick()
        r.cells[FINDINGS] = r.truth.findings
        r.cells[FOLLOWED] = r.truth.findings + int(self.rng.integers(1, 3))
        r.add(FOLLOWED, "followed_up_gt_findings", True)

    def resolved_gt_received(self) -> None:
        r = self.pick()
        r.cells[RECEIVED] = r.truth.complaints
        r.cells[RESOLVED] = r.truth.complaints + int(self.rng.integers(1, 4))
        r.add(RESOLVED, "resolved_gt_received", True)

    def households_gt_registry(self) -> None:
        r = self.pick(lambda t: t.rt.households_kk < 300)
        present = r.truth.rt.households_kk + int(self.rng.integers(3, 30))
        r.cells[MEETINGS] = max(r.truth.meetings, 1)
        r.cells[KK_PRESENT] = present
        r.cells[TOTAL] = present + int(present * 0.2)
        r.cells[WOMEN] = int(present * 0.4)
        r.add(KK_PRESENT, "households_gt_registry", True)

    def negative_swadaya(self) -> None:
        r = self.pick()
        r.cells[SWADAYA] = -int(self.rng.integers(2, 30)) * 100_000
        r.add(SWADAYA, "negative_value", True)

    def unparseable(self, column: str, text: str, pred: Callable[[RTReport], bool] = lambda t: True) -> None:
        r = self.pick(pred)
        r.cells[column] = text
        r.add(column, "unparseable", True)

    def required_missing(self, column: str) -> None:
        r = self.pick()
        r.cells[column] = None
        r.add(column, "required_missing", True)

    def duplicate(self, into: list[DataRow] | None = None) -> DataRow:
        """The same RT twice; the copy (a corrected resubmission) goes right after, or into ``into``."""
        r = self.pick(lambda t: t.budget_spent + 500_000 <= t.budget_allocated)
        t = replace(r.truth, budget_spent=r.truth.budget_spent + 500_000, note="Revisi laporan")
        copy = _rt_row(t, self.m)
        target = self.rows if into is None else into
        target.insert(target.index(r) + 1 if into is None else len(target), copy)
        for x in (r, copy):
            x.add("RT", "duplicate", True)
        return copy

    def unknown_rt(self) -> None:
        r = self.pick()
        u = r.truth.rt
        fake = replace(
            r.truth, rt=replace(u, rt_number=u.kelurahan_rt_max + int(self.rng.integers(1, 6)), rw=None)
        )
        row = _rt_row(fake, self.m)
        row.add("RT", "unknown_rt", True)
        self.rows.insert(self.rows.index(r) + 1, row)

    def unknown_kelurahan(self) -> None:
        r = self.pick()
        row = _rt_row(r.truth, self.m)
        row.cells["Kelurahan"] = UNKNOWN_KELURAHAN[0]
        row.cells["RT"] = f"RT {int(self.rng.integers(1, 20)):03d}"
        row.add("Kelurahan", "unknown_kelurahan", True)
        self.rows.insert(self.rows.index(r) + 1, row)

    def wrong_kecamatan(self) -> None:
        r = self.pick()
        r.cells["Kecamatan"] = _other_kecamatan(r.truth.rt.kecamatan_name, self.units, self.rng)
        r.add("Kecamatan", "wrong_kecamatan", False)

    def note(self, text: str, code: str) -> None:
        r = self.pick()
        r.cells[NOTE] = text
        r.add(NOTE, code, False)

    def nik_note(self) -> None:
        r = self.pick()
        u = r.truth.rt
        self.note(
            f"Dana diterima bendahara Pokja {fake_name(self.rng)}, NIK {u.head_nik[:-4]}{int(self.rng.integers(1000, 9999))}",
            "pii_in_text",
        )

    def phone_note(self) -> None:
        self.note(
            f"Info lebih lanjut hubungi Ketua Pokja {self.rng.choice(['0813', '0852'])}-{int(self.rng.integers(1000, 9999))}-{int(self.rng.integers(1000, 9999))}",
            "pii_in_text",
        )

    def mark_overspent(self) -> None:
        for r in self.rows:
            if isinstance(r.truth, RTReport) and r.truth.is_overspent and r.is_clean:
                r.add(SPENT, "overspent", False)


#: How each RT-report period is delivered: one combined file, or split per kecamatan.
RT_FILE_PLAN = {
    "2025-TW3": "combined",
    "2025-TW4": "per_kecamatan",
    "2026-TW1": "combined",
    "2026-TW2": "per_kecamatan",
    "2026-TW3": "combined",
}


def write_rt_reports(b: SourceBuilder, units: list[RTUnit], reports: dict[str, list[RTReport]]) -> None:
    """``kampung_bahagia/laporan_rt_<period>[_<kecamatan>].xlsx`` for every RT period, with the defect plan."""
    for period in RT_PERIODS:
        key = f"kampung_bahagia/laporan_rt_{period}"
        rng = b.rng(key)
        m = Messer(rng, float(rng.uniform(0.15, 0.35)))
        rows = [_rt_row(rep, m) for rep in reports[period]]
        inj = RTInjector(rows, units, m, rng)
        inj.mark_overspent()
        late_file: list[DataRow] = []
        if period == "2025-TW3":
            inj.completed_gt_planned()
            inj.duplicate()
            inj.nik_note()
            inj.note(HTML_TEXT, "html_text")
        elif period == "2025-TW4":
            inj.unknown_rt()
            inj.women_gt_participants()
            inj.unparseable(LPJ_DATE, "31/11/2025", lambda t: t.lpj_deadline is not None)
            inj.wrong_kecamatan()
            inj.phone_note()
            inj.note(FORMULA_TEXT, "formula_text")
        elif period == "2026-TW1":
            inj.required_missing("Kelurahan")
            inj.negative_swadaya()
            inj.unknown_kelurahan()
            inj.followed_up_gt_findings()
            inj.unparseable(SPENT, "dua juta")
            inj.duplicate()
            inj.wrong_kecamatan()
            inj.nik_note()
        elif period == "2026-TW2":
            inj.households_gt_registry()
            inj.resolved_gt_received()
            inj.required_missing("RT")
            inj.unknown_rt()
            inj.unparseable(DONE, "abc")
            inj.phone_note()
            inj.note(FORMULA_TEXT, "formula_text")
            # A late-submissions file: two RTs missing from their kecamatan files, and one RT sent twice.
            for _ in range(2):
                r = inj.pick()
                rows.remove(r)
                late_file.append(r)
            inj.duplicate(into=late_file)
        elif period == "2026-TW3":
            inj.completed_gt_planned()
            inj.women_gt_participants()
            inj.negative_swadaya()
            inj.unparseable(LPJ_DATE, "31/09/2026", lambda t: t.lpj_deadline is not None)
            inj.required_missing(PAGU)
            inj.households_gt_registry()
            inj.duplicate()
            inj.wrong_kecamatan()
            inj.nik_note()
            inj.note(HTML_TEXT, "html_text")
        _write_rt_period(b, period, rows, late_file, rng)


def _rt_layout(
    period: str, rows: list[DataRow], rng: np.random.Generator, kecamatan: str | None, sheet: str
) -> SheetLayout:
    label = period_label(period).upper()
    titles = ["PEMERINTAH KOTA JAMBI", f"LAPORAN PELAKSANAAN KAMPUNG BAHAGIA {label}"]
    if kecamatan:
        titles.append(f"KECAMATAN {kecamatan.upper()}")
    if kecamatan and rng.random() < 0.3:
        titles = []
    truths = [r.truth for r in rows if isinstance(r.truth, RTReport)]
    sign_date = lpj_deadline(period) + timedelta(days=int(rng.integers(15, 30)))
    signer = f"Camat {kecamatan}" if kecamatan else "Kepala DPMPPA Kota Jambi"
    signature = [
        ("Mengetahui,", f"Jambi, {long_date(sign_date)}"),
        (signer, "Pendamping Kampung Bahagia"),
        ("", ""),
        ("", ""),
        (fake_name(rng), fake_name(rng)),
        (fake_nip(rng), ""),
    ]
    return SheetLayout(
        sheet_name=sheet,
        headers=H_RT,
        written_headers=header_variant(
            H_RT, ("plain", "plain", "upper", "no_unit", "spacing")[int(rng.integers(5))]
        ),
        titles=titles,
        blank_after_titles=bool(rng.random() < 0.7),
        blank_before=(int(rng.integers(1, len(rows))),) if len(rows) > 3 and rng.random() < 0.5 else (),
        total_label=("JUMLAH", "TOTAL", "Jumlah Total", "Sub Total")[int(rng.integers(4))]
        if rng.random() < 0.8
        else None,
        totals={
            PAGU: sum(t.budget_allocated for t in truths),
            SPENT: sum(t.budget_spent for t in truths),
            SWADAYA: sum(t.swadaya for t in truths),
        },
        signature=signature if rng.random() < 0.85 else [],
    )


def _write_rt_period(
    b: SourceBuilder, period: str, rows: list[DataRow], late_file: list[DataRow], rng: np.random.Generator
) -> None:
    sheet = C.RT_REPORT.sheet
    base = f"kampung_bahagia/laporan_rt_{period}"
    if RT_FILE_PLAN[period] == "combined":
        layout = _rt_layout(period, rows, rng, None, sheet)
        if period == "2026-TW1":  # one file carries an extra column, which the contract allows
            layout.headers = [*H_RT, EXTRA_COLUMN]
            layout.written_headers = [*layout.written_headers, EXTRA_COLUMN]
            kinds = ("Fisik", "Non-fisik", "Fisik dan non-fisik")
            for r in rows:
                r.cells[EXTRA_COLUMN] = kinds[int(rng.integers(3))]
        b.xlsx(f"{base}.xlsx", layout, rows)
        return
    by_kec: dict[str, list[DataRow]] = {}
    for r in rows:
        kec = r.truth.rt.kecamatan_name
        by_kec.setdefault(kec, []).append(r)
    renamed = sorted(by_kec)[int(rng.integers(len(by_kec)))] if period == "2025-TW4" else None
    for kec in sorted(by_kec, key=lambda k: by_kec[k][0].truth.rt.kecamatan_code):
        rel = f"{base}_{slug(kec)}.xlsx"
        sheet_name = "Sheet1" if kec == renamed else sheet
        if kec == renamed:
            b.file_defect(rel, sheet_name, "", sheet_name, "sheet_renamed")
        b.xlsx(rel, _rt_layout(period, by_kec[kec], rng, kec, sheet_name), by_kec[kec])
    if late_file:
        layout = _rt_layout(period, late_file, rng, None, sheet)
        layout.titles = ["LAPORAN SUSULAN KAMPUNG BAHAGIA", period_label(period).upper()]
        layout.total_label = None
        b.xlsx(f"{base}_susulan.xlsx", layout, late_file)


# --------------------------------------------------------------------------------------------------
# Residents' survey


def _survey_row(a: SurveyAnswer, m: Messer) -> DataRow:
    u = a.rt
    values = (
        m.kecamatan(u.kecamatan_name),
        m.kelurahan(u.kelurahan_name),
        m.rt(u.rt_number, u.rw),
        a.respondent,
        *a.answers,
    )
    return DataRow(dict(zip(H_SURVEY, values, strict=True)), truth=a)


def write_survey(b: SourceBuilder, survey: dict[str, list[SurveyAnswer]]) -> None:
    """``survei/survei_warga_2025-TW4.csv`` (UTF-8 with BOM) and 2026-TW2 in two files, one ``;``-delimited."""
    rel = "survei/survei_warga_2025-TW4.csv"
    rng = b.rng(rel)
    m = Messer(rng, 0.25)
    rows = [_survey_row(a, m) for a in survey["2025-TW4"]]
    r = _pick(rows, rng)
    r.cells["A1"] = 6
    r.add("A1", "out_of_range", True)
    r = _pick(rows, rng)
    r.cells["P2"] = None
    r.add("P2", "required_missing", True)
    b.csv(rel, H_SURVEY, rows, bom=True)

    answers = survey["2026-TW2"]
    half = len(answers) // 2
    while half < len(answers) and answers[half].rt.rt_code == answers[half - 1].rt.rt_code:
        half += 1  # keep each RT's respondents in one file
    rel1, rel2 = "survei/survei_warga_2026-TW2_tim-1.csv", "survei/survei_warga_2026-TW2_tim-2.csv"
    rng1, rng2 = b.rng(rel1), b.rng(rel2)
    rows1 = [_survey_row(a, Messer(rng1, 0.3)) for a in answers[:half]]
    rows2 = [_survey_row(a, Messer(rng2, 0.2)) for a in answers[half:]]
    # An RT that is not in the registry: every respondent row of it is rejected.
    donor = rows1[-1].truth
    ghost_rt = replace(donor.rt, rt_number=donor.rt.kelurahan_rt_max + 7, rw=None)
    m1 = Messer(rng1, 0.3)
    for _ in range(6):
        row = _survey_row(SurveyAnswer(donor.period, ghost_rt, fake_name(rng1), donor.answers), m1)
        row.add("RT", "unknown_rt", True)
        rows1.append(row)
    r = _pick(rows1, rng1)
    r.cells["S2"] = 0
    r.add("S2", "out_of_range", True)
    r = _pick(rows2, rng2)
    r.cells["T2"] = "x"
    r.add("T2", "unparseable", True)
    r = _pick(rows2, rng2)
    r.cells["RT"] = None
    r.add("RT", "required_missing", True)
    b.csv(rel1, H_SURVEY, rows1)
    b.csv(rel2, H_SURVEY, rows2, delimiter=";")


# --------------------------------------------------------------------------------------------------
# The whole source


def build_source(out_dir: Path, seed: int) -> list[Defect]:
    """Write every file of the source into ``out_dir``; return the injected defects (also in defects.csv)."""
    b = SourceBuilder(out_dir, seed)
    world_rng = np.random.default_rng(seed)
    units = build_registry(world_rng)
    reports = build_rt_reports(units, world_rng)
    agency = build_agency_world(units, reports, world_rng)
    survey = build_survey(reports, world_rng)

    write_reference(b, agency)
    write_registry(b, units)
    write_agency_reports(b, agency)
    write_rt_reports(b, units, reports)
    write_survey(b, survey)

    defects = sorted(b.defects, key=lambda d: (d.file, d.row or 0, d.column, d.defect))
    write_csv(
        b.out / DEFECTS_FILE,
        DEFECT_COLUMNS,
        ((d.file, d.sheet, d.row, d.column, d.value, d.defect, str(d.must_reject).lower()) for d in defects),
    )
    write_csv(b.out / COUNTS_FILE, ("file", "rows_data", "rows_non_data"), sorted(b.counts))
    (b.out / SYNTHETIC_MARKER).write_bytes(f"{SAMPLE_NOTICE}\n{SAMPLE_NOTICE_EN}\n".encode())
    (b.out / "README.md").write_bytes(readme_text(seed, units, reports, defects, b.counts).encode("utf-8"))
    return defects


def readme_text(
    seed: int,
    units: list[RTUnit],
    reports: dict[str, list[RTReport]],
    defects: list[Defect],
    counts: list[tuple[str, int, int]],
) -> str:
    """The source's README, in Indonesian and English, with the defect counts."""
    by_code = Counter((d.defect, d.must_reject) for d in defects)
    table = "\n".join(
        f"| `{code}` | {'ya / yes' if rej else 'tidak / no'} | {n} |"
        for (code, rej), n in sorted(by_code.items(), key=lambda kv: (not kv[0][1], kv[0][0]))
    )
    rejected_rows = len({(d.file, d.row) for d in defects if d.must_reject})
    data_rows = sum(c[1] for c in counts)
    n_files = len(counts)
    pilots = sum(u.is_pilot for u in units)
    kel = len({u.kelurahan_code for u in units})
    per_period = ", ".join(f"{p}: {len(reports[p])}" for p in RT_PERIODS)
    return f"""# {SAMPLE_NOTICE} / {SAMPLE_NOTICE_EN}

**Bahasa Indonesia.** Seluruh isi folder ini adalah **data sintetis (buatan)** untuk menguji dan
memperagakan proyek analisis Kota Jambi Bahagia. Angka, nama, NIK dan nomor HP di sini **dikarang oleh
program**, bukan data resmi Pemerintah Kota Jambi, dan tidak boleh dikutip sebagai capaian sebenarnya.
Setiap keluaran yang dibuat dari folder ini memuat tanda "{SAMPLE_NOTICE}" (berkas penanda `{SYNTHETIC_MARKER}`).

**English.** Everything in this folder is **synthetic data** made to test and demonstrate the Kota Jambi
Bahagia analysis project. Figures, names, NIKs and phone numbers are **invented by a program**; they are not
official figures of the Kota Jambi government and must never be quoted as real results. Every output made
from this folder carries "{SAMPLE_NOTICE}" (marker file `{SYNTHETIC_MARKER}`).

## Cara membuat ulang / How it was made

```
python -m analysis sample --out data/raw/sample --seed {seed}
```

Deterministic: the same seed gives byte-identical files (fixed workbook timestamps, normalised zip entries,
`numpy.random.default_rng` only). Generator: `src/analysis/sample/`.

## Isi / Contents ({n_files} files, {data_rows} data rows)

| path | what |
|---|---|
| `referensi/program.csv` | the 11 priority programs (agencies and sectors invented) |
| `referensi/indikator.csv` | {len(INDICATORS)} indicators, both polarities; weights sum to 100 per program, blank = equal |
| `referensi/target.csv` | targets for {", ".join(AGENCY_PERIODS)}; point and range targets (`80-90`) |
| `referensi/rt.xlsx` | {len(units)} RTs in {kel} kelurahan: {pilots} pilot RTs of 2025 and RTs joining in 2026; fake names, NIKs, phone numbers |
| `realisasi/realisasi_<period>_<agency>.xlsx` | one agency report per agency and period; budget on the first indicator row of each program |
| `kampung_bahagia/laporan_rt_<period>[_<kecamatan>].xlsx` | RT reports ({per_period}); split per kecamatan in 2025-TW4 and 2026-TW2 |
| `survei/survei_warga_<period>[_<team>].csv` | residents' survey 2025-TW4 and 2026-TW2, Likert 1-5; `Responden` holds fake names |
| `_generator/defects.csv` | every injected defect: file, sheet, row (as Excel shows it; CSV header = row 1), column (contract header), value, defect, must_reject |
| `_generator/expected_counts.csv` | per file: data rows and non-data rows (title, blank, total, signature; the header row is in neither) |

The story inside: in the first 100 days most programs reach about 100 % or more and three (Bank Harkat,
Kota Tangguh, Balap) stay clearly below, while Kota Tangguh, the largest budget, spends fastest: whether the
mayor's "exceeded targets" holds depends on how one reads it. Each RT has a latent quality that drives all
four principles across periods; a handful of RTs are clearly weak (low attendance, no information board,
assets not functioning, findings not followed up) and some are strong. 2026 group B (Aug-Dec) spends little
before 2026-TW3. 2026 allocations follow the DPMPPA tiers by households (> 100 KK Rp100 jt, 60-99 KK Rp70 jt,
< 60 KK Rp50 jt).

## Cacat yang disisipkan / Injected defects

About a quarter of the cells are typed in non-canonical but valid ways (numbers as text, `Rp 12.500.000`,
`12,5 jt`, `85,5 %`, `-`, dates as text, yes/no variants, `RT 03`/`Rt.3`/`RT 003/RW 002`, kelurahan casing
and name variants), with title rows, merged titles, blank rows, total rows and signature blocks. Those are
not defects. The defects below follow `docs/data_quality_rules.md`; {rejected_rows} data rows must be
rejected.

| defect | row rejected | count |
|---|---|---|
{table}
"""
