"""The cleaned tables, declared once: columns, types, ranges, keys and cross-column rules.

Everything the cleaner enforces about a cleaned table lives here as data (``TABLES``):

* :class:`Field`: name, dtype, nullability, allowed range (and the ``rejected_rows.csv`` reason code used
  when a row falls outside it), allowed values, description;
* ``TableSpec.key``: the columns that identify a row (a second row with the same key is a ``duplicate``);
* :class:`PairRule`: ``left <= right`` within a row (``completed_gt_planned`` ...);
* :class:`ForeignKey` and :class:`LookupRule`: rules against another cleaned table (``unknown_rt``,
  ``households_gt_registry`` ...).

The cleaner turns these rules into row rejections (``analysis.ingest.cleaning``); :func:`pandera_schema` turns the
same declarations into pandera schemas that every cleaned table must then pass, and :func:`check_relations`
checks the cross-table rules. ``python -m analysis.ingest.schemas`` writes ``docs/data_dictionary.md`` from them
(``--check`` exits 1 when the file is out of date).

Column names follow ``docs/architecture.md`` (binding): English snake_case, units as suffixes, money in
Rupiah (``*_idr``, float64), counts nullable ``Int64``, booleans nullable ``boolean``, dates
``datetime64[us]`` at midnight.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.config import PROJECT_ROOT

if TYPE_CHECKING:  # pandera is imported where a schema is built: most runs never need one
    import pandera.pandas as pa

DATA_DICTIONARY = PROJECT_ROOT / "docs" / "data_dictionary.md"

#: Reason codes of ``docs/data_quality_rules.md`` (binding), with the text used in ``rejected_rows.csv``.
#: ``unknown_program`` is this module's addition (an indicator whose program is not in ``program.csv``).
REASONS: dict[str, str] = {
    "unparseable": "a typed cell that cannot be read",
    "required_missing": "a required column is blank",
    "negative_value": "negative money or count",
    "completed_gt_planned": "Kegiatan Selesai > Kegiatan Direncanakan",
    "women_gt_participants": "Peserta Perempuan > Total Peserta",
    "followed_up_gt_findings": "Temuan Ditindaklanjuti > Temuan Pemeriksaan",
    "resolved_gt_received": "Aduan Selesai > Aduan Diterima",
    "households_gt_registry": "KK Hadir Musyawarah > the RT's Jumlah KK in the registry",
    "duplicate": "the same key twice in one period (all copies rejected)",
    "unknown_rt": "RT not in the registry",
    "unknown_kelurahan": "kelurahan name that matches no Kota Jambi kelurahan",
    "unknown_indicator": "indicator code not in indikator.csv",
    "unknown_program": "program code not in program.csv",
    "out_of_range": "survey answer outside 1-5, percentage outside 0-1000 or year outside 2000-2100",
    "implausible_value": "a figure above the bound no RT or agency can reach (config/plausibility.yml)",
    "formula_without_value": "a formula cell without a saved result (a file written by a program that does not "
    "compute formulas)",
    "duplicate_column": "a column written twice, the two cells of the row differ (neither is known to be right)",
}

#: Warning codes of ``quality.json`` (``docs/data_quality_rules.md``, "Accepted with a warning or flag"): a
#: row or file accepted as it is, with something an analyst should know. ``wrong_kecamatan``, ``overspent``,
#: ``target_mismatch``, ``formula_text``, ``html_text`` and ``sheet_renamed`` are the sample generator's
#: defect kinds (``_generator/defects.csv``); ``pii_masked`` is its ``pii_in_text``.
WARNING_CODES: dict[str, str] = {
    "wrong_kecamatan": "kelurahan written under a kecamatan that does not contain it (the kelurahan decides)",
    "name_fuzzy_match": "kelurahan or kecamatan name with a typing error, read as the one official name 1-2 edits away",
    "overspent": "spending above the allocation (accepted; is_overspent on RT reports)",
    "target_mismatch": "agency Target differs from target.csv (target.csv wins; is_target_mismatch)",
    "no_target": "indicator without a target for the period in target.csv",
    "pii_masked": "NIK-like or phone-like text in free text, masked",
    "formula_text": "free text a spreadsheet would run as a formula (kept as text)",
    "html_text": "free text that looks like HTML markup (kept as text, escaped on output)",
    "sheet_renamed": "the template's sheet is missing; the workbook's only sheet was read",
    "sheet_name_variant": "the sheet name differs from the template's in case or spacing only",
    "sheet_first_of_many": "a CSV template delivered as a workbook with several sheets: the first was read",
    "extra_column": "a column not in the template, ignored",
    "duplicate_column": "a template column written twice: the first was read; rows where the copies differ "
    "are rejected",
    "csv_delimiter": "a CSV file with ';' or a tab as delimiter (read)",
    "csv_encoding": "a CSV file that is not UTF-8, read as Windows-1252",
    "reference_unusable": "a reference file could not be used (run level; the rows that need it are rejected)",
    "no_period_files": "no file for an input the period expects (agency reports; RT reports from 2025-TW3), "
    "or no period file at all (run level)",
    "sheet_picked_by_header": "the workbook has several sheets (or a hidden one): the sheet holding the "
    "template's header was read",
    "header_alias": "a column header written in another spelling declared in the contract (read as the "
    "template's column)",
    "filled_down": "an identifying column (Kecamatan, Kelurahan) written once or merged over its rows: "
    "blank cells filled from the row above",
    "value_missing": "a value cell that could not be read (or is out of range) in a kept row: left missing",
    "percent_format_unknown": "a .xls/.ods file whose cell formats cannot be read: numbers in a percent "
    "column read as written",
}

#: Valid ranges from ``docs/data_quality_rules.md``.
LIKERT_MIN, LIKERT_MAX = 1, 5  # survey answers
PERCENT_MIN, PERCENT_MAX = 0.0, 1000.0  # a percentage (realisation or target of a "%" indicator)
YEAR_MIN, YEAR_MAX = 2000, 2100  # years and dates

POLARITIES = ("positif", "negatif")
ASSET_STATUSES = ("berfungsi_penuh", "sebagian", "tidak_berfungsi", "belum_ada")

DATE_DTYPE = "datetime64[us]"


@dataclass(frozen=True)
class Field:
    """One column of a cleaned table."""

    name: str
    dtype: str  # "str", "Int64", "float64", "boolean", DATE_DTYPE
    description: str
    nullable: bool = True
    min: float | None = None
    max: float | None = None
    range_reason: str = "negative_value"  # reason code for a value outside [min, max]
    isin: tuple[str, ...] | None = None
    unique: bool = False


@dataclass(frozen=True)
class PairRule:
    """Within one row: ``left <= right`` when both are present; otherwise the row is rejected."""

    left: str
    right: str
    reason: str


@dataclass(frozen=True)
class ForeignKey:
    """Every value of ``column`` is a ``ref_column`` of ``ref_table``."""

    column: str
    ref_table: str
    ref_column: str
    reason: str


@dataclass(frozen=True)
class LookupRule:
    """``column <= ref_table.ref_column`` of the row found through ``key`` (a many-to-one lookup)."""

    column: str
    ref_table: str
    ref_column: str
    key: str
    reason: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    grain: str
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    sort_by: tuple[str, ...] = ()
    pair_rules: tuple[PairRule, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    lookups: tuple[LookupRule, ...] = ()
    template: str | None = None  # contract template key the table is read from
    notes: str = ""

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _money(name: str, description: str, nullable: bool = True) -> Field:
    return Field(name, "float64", f"{description} (Rupiah)", nullable=nullable, min=0)


def _count(name: str, description: str, nullable: bool = True) -> Field:
    return Field(name, "Int64", description, nullable=nullable, min=0)


_SOURCE = (
    Field(
        "source_file", "str", "File the row was read from, relative to the data source folder", nullable=False
    ),
    Field("source_sheet", "str", "Sheet the row was read from", nullable=False),
    Field(
        "source_row",
        "Int64",
        "Row number as Excel shows it (CSV: record number, header = 1)",
        nullable=False,
        min=1,
    ),
)

PROGRAMS = TableSpec(
    name="programs",
    grain="one row per program",
    template="program",
    key=("program_code",),
    sort_by=("program_code",),
    fields=(
        Field("program_code", "str", "Program code P01..P11 (the project's own)", nullable=False),
        Field("program_name", "str", "Canonical program name", nullable=False),
        Field("program_short", "str", "Short name (Balikat, Bank Harkat, ...)"),
        Field("agency", "str", "Agency (OPD) responsible", nullable=False),
        Field("sector", "str", "Sector", nullable=False),
        Field("program_name_en", "str", "Program name in English (optional column; missing = not given)"),
        Field("agency_en", "str", "Agency name in English (optional column; missing = not given)"),
    ),
)

INDICATORS = TableSpec(
    name="indicators",
    grain="one row per indicator",
    template="indikator",
    key=("indicator_code",),
    sort_by=("indicator_code",),
    foreign_keys=(ForeignKey("program_code", "programs", "program_code", "unknown_program"),),
    fields=(
        Field("indicator_code", "str", "Indicator code", nullable=False),
        Field("program_code", "str", "Program the indicator belongs to", nullable=False),
        Field("indicator_name", "str", "Indicator name", nullable=False),
        Field("unit", "str", "Unit of the target and realisation", nullable=False),
        Field(
            "polarity",
            "str",
            "positif (higher is better) or negatif (lower is better)",
            nullable=False,
            isin=POLARITIES,
        ),
        Field("weight", "float64", "Weight inside its program; NaN = equal weights", min=0),
        Field("indicator_name_en", "str", "Indicator name in English (optional column; missing = not given)"),
    ),
)

TARGETS = TableSpec(
    name="targets",
    grain="one row per indicator and period (all periods of target.csv)",
    template="target",
    key=("indicator_code", "period"),
    sort_by=("indicator_code", "period"),
    foreign_keys=(ForeignKey("indicator_code", "indicators", "indicator_code", "unknown_indicator"),),
    pair_rules=(PairRule("target_low", "target_high", "unparseable"),),
    fields=(
        Field("indicator_code", "str", "Indicator code", nullable=False),
        Field("period", "str", "Canonical period code (100-hari, 2025-TW2, ...)", nullable=False),
        Field(
            "target_low",
            "float64",
            "Target, lower bound (equal to target_high for a point target)",
            nullable=False,
            min=0,
        ),
        Field("target_high", "float64", "Target, upper bound", nullable=False, min=0),
        Field("target_text", "str", "Target as written in target.csv", nullable=False),
    ),
)

AGENCY_REPORTS = TableSpec(
    name="agency_reports",
    grain="one row per indicator, for the period",
    template="realisasi",
    key=("indicator_code",),
    sort_by=("indicator_code",),
    foreign_keys=(ForeignKey("indicator_code", "indicators", "indicator_code", "unknown_indicator"),),
    notes=(
        "`Realisasi` is the indicator's value at the end of the period; a percentage is on the 0-100 scale "
        f"(a `%` indicator outside {PERCENT_MIN:g}-{PERCENT_MAX:g} is rejected as `out_of_range`). "
        "Spending above the allocation is accepted with a warning."
    ),
    fields=(
        Field("period", "str", "Canonical period code", nullable=False),
        Field("indicator_code", "str", "Indicator code (in indikator.csv)", nullable=False),
        Field("target_reported_low", "float64", "Target as restated by the agency, lower bound", min=0),
        Field("target_reported_high", "float64", "Target as restated by the agency, upper bound", min=0),
        Field(
            "realisation",
            "float64",
            "Value achieved by the end of the period (unit of the indicator)",
            nullable=False,
            min=0,
        ),
        _money("budget_allocated_idr", "Program budget for the funding year (Pagu Anggaran)"),
        _money("budget_spent_idr", "Spending to the end of the period (Realisasi Anggaran)"),
        Field("note", "str", "Keterangan (free text; NIK/phone-like text masked)"),
        Field(
            "is_target_mismatch",
            "boolean",
            "The agency's target differs from target.csv (target.csv wins); NA when either is missing",
        ),
        *_SOURCE,
    ),
)

RT_REGISTRY = TableSpec(
    name="rt_registry",
    grain="one row per RT",
    template="rt",
    key=("rt_code",),
    sort_by=("rt_code",),
    notes="`Nama Ketua RT`, `NIK Ketua RT` and `No. HP` are personal data and are dropped when the file is read.",
    fields=(
        Field(
            "rt_code",
            "str",
            "kode_rt = Kemendagri kelurahan code + '.' + RT number in 3 digits",
            nullable=False,
        ),
        Field("kelurahan_code", "str", "Kemendagri kelurahan code", nullable=False),
        Field("kelurahan_name", "str", "Kelurahan (official spelling)", nullable=False),
        Field("kecamatan_code", "str", "Kemendagri kecamatan code (of the kelurahan)", nullable=False),
        Field("kecamatan_name", "str", "Kecamatan (official spelling, of the kelurahan)", nullable=False),
        Field(
            "rw", "Int64", "RW (rukun warga) number; NA when not written", min=1, range_reason="unparseable"
        ),
        Field(
            "rt_number",
            "Int64",
            "RT number inside the kelurahan",
            nullable=False,
            min=1,
            max=999,
            range_reason="unparseable",
        ),
        _count("households_kk", "Households (kartu keluarga); NA when the cell could not be read"),
        _count("residents", "Residents (jiwa)"),
        Field(
            "is_kampung_bahagia",
            "boolean",
            "Takes part in Kampung Bahagia; NA when the cell could not be read",
        ),
        Field(
            "start_year",
            "Int64",
            "Year the RT joined Kampung Bahagia (2025 = pilot)",
            min=YEAR_MIN,
            max=YEAR_MAX,
            range_reason="out_of_range",
        ),
        Field("is_pilot", "boolean", "start_year == 2025 (one of the 67 pilot RTs)", nullable=False),
    ),
)

RT_REPORTS = TableSpec(
    name="rt_reports",
    grain="one row per RT, for the period",
    template="laporan_rt",
    key=("rt_code",),
    sort_by=("rt_code",),
    foreign_keys=(ForeignKey("rt_code", "rt_registry", "rt_code", "unknown_rt"),),
    lookups=(
        LookupRule(
            "households_at_meetings", "rt_registry", "households_kk", "rt_code", "households_gt_registry"
        ),
    ),
    pair_rules=(
        PairRule("activities_completed", "activities_planned", "completed_gt_planned"),
        PairRule("participants_women", "participants_total", "women_gt_participants"),
        PairRule("audit_findings_followed_up", "audit_findings", "followed_up_gt_findings"),
        PairRule("complaints_resolved", "complaints_received", "resolved_gt_received"),
    ),
    notes=(
        "Budget and activity figures are cumulative for the funding year up to the end of the period; meetings "
        "and attendance are within the period. The kelurahan decides the RT (a kecamatan that does not match "
        "is a warning). Spending above the allocation is accepted: `is_overspent` = True and a warning."
    ),
    fields=(
        Field("period", "str", "Canonical period code", nullable=False),
        Field("rt_code", "str", "kode_rt (in the registry)", nullable=False),
        Field("kelurahan_code", "str", "Kemendagri kelurahan code", nullable=False),
        _money("budget_allocated_idr", "Funds allocated to the RT (Pagu Anggaran)", nullable=False),
        _money("budget_spent_idr", "Funds spent, cumulative (Realisasi Anggaran)", nullable=False),
        _money("swadaya_idr", "Residents' own contribution, cash and in kind (Swadaya Masyarakat)"),
        _count("activities_planned", "Activities planned (Kegiatan Direncanakan)", nullable=False),
        _count("activities_completed", "Activities completed (Kegiatan Selesai)", nullable=False),
        _count("meetings_held", "Residents' meetings held (Jumlah Musyawarah)"),
        _count("households_at_meetings", "Households represented at meetings, unique (KK Hadir Musyawarah)"),
        _count("participants_women", "Women attending (Peserta Perempuan)"),
        _count("participants_total", "People attending (Total Peserta)"),
        Field(
            "has_info_board", "boolean", "Budget information board posted in a public place (Papan Informasi)"
        ),
        Field(
            "is_spending_announced",
            "boolean",
            "Spending read out / posted to residents (Realisasi Diumumkan)",
        ),
        Field(
            "lpj_submitted_date",
            DATE_DTYPE,
            "Accountability report (LPJ) submitted (Tanggal LPJ)",
            min=YEAR_MIN,
            max=YEAR_MAX,
            range_reason="out_of_range",
        ),
        Field(
            "lpj_deadline_date",
            DATE_DTYPE,
            "LPJ deadline (Batas Waktu LPJ)",
            min=YEAR_MIN,
            max=YEAR_MAX,
            range_reason="out_of_range",
        ),
        _count("audit_findings", "Audit findings (Temuan Pemeriksaan)"),
        _count("audit_findings_followed_up", "Audit findings followed up (Temuan Ditindaklanjuti)"),
        _count("complaints_received", "Residents' complaints received (Aduan Diterima)"),
        _count("complaints_resolved", "Complaints resolved (Aduan Selesai)"),
        Field("asset_status", "str", "Assets built are functioning (Aset Berfungsi)", isin=ASSET_STATUSES),
        Field("has_maintenance_plan", "boolean", "A maintenance arrangement exists (Rencana Pemeliharaan)"),
        Field("note", "str", "Catatan (free text; NIK/phone-like text masked)"),
        Field(
            "is_overspent",
            "boolean",
            "budget_spent_idr > budget_allocated_idr (accepted, with a warning)",
            nullable=False,
        ),
        *_SOURCE,
    ),
)

SURVEY = TableSpec(
    name="survey",
    grain="one row per respondent, for the period",
    template="survei",
    key=(),  # the rules: a survey never has duplicates (respondent_no is assigned by the cleaner)
    sort_by=("rt_code", "respondent_no"),
    foreign_keys=(ForeignKey("rt_code", "rt_registry", "rt_code", "unknown_rt"),),
    notes="Respondent names/numbers are dropped when the file is read; `respondent_no` numbers the rows 1..n within an RT in file order.",
    fields=(
        Field("period", "str", "Canonical period code", nullable=False),
        Field("rt_code", "str", "kode_rt (in the registry)", nullable=False),
        Field("respondent_no", "Int64", "1..n within the RT (file order)", nullable=False, min=1),
        *(
            Field(
                item,
                "Int64",
                f"Likert answer {LIKERT_MIN}-{LIKERT_MAX}, {principle} item {n}",
                nullable=False,
                min=LIKERT_MIN,
                max=LIKERT_MAX,
                range_reason="out_of_range",
            )
            for item, principle, n in (
                ("t1", "transparansi", 1),
                ("t2", "transparansi", 2),
                ("p1", "partisipatif", 1),
                ("p2", "partisipatif", 2),
                ("a1", "akuntabilitas", 1),
                ("a2", "akuntabilitas", 2),
                ("s1", "keberlanjutan", 1),
                ("s2", "keberlanjutan", 2),
            )
        ),
        Field(
            "source_file",
            "str",
            "File the row was read from, relative to the data source folder",
            nullable=False,
        ),
        Field("source_row", "Int64", "CSV record number (header = 1)", nullable=False, min=1),
    ),
)

#: The cleaned tables in the order the cleaner builds them (references first).
TABLES: dict[str, TableSpec] = {
    t.name: t for t in (PROGRAMS, INDICATORS, TARGETS, RT_REGISTRY, AGENCY_REPORTS, RT_REPORTS, SURVEY)
}

#: Which cleaned table each input template feeds.
TABLE_OF_TEMPLATE: dict[str, str] = {spec.template: name for name, spec in TABLES.items() if spec.template}

#: ``rejected_rows.csv`` columns (UTF-8 with BOM; text starting with = + - @ is prefixed with ').
REJECTED_COLUMNS: dict[str, str] = {
    "file": "File, relative to the data source folder",
    "sheet": "Sheet (blank for CSV)",
    "row": "Row number as Excel shows it (CSV: record number, header = 1)",
    "column": "Column header as written in the file (blank for a whole-row problem)",
    "column_letter": "Excel column letter of the cell (blank for a whole-row problem)",
    "value": "The cell value as written (NIK/phone-like text masked)",
    "reason_code": "Reason code of docs/data_quality_rules.md",
    "reason": "What is wrong, in words",
    "severity": "`rejected` (the row was rejected) or `missing` (a value cell left missing in a kept row)",
}


# --------------------------------------------------------------------------------------------------
# Empty frames, dtypes, pandera


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    """A frame with the table's columns and dtypes and no rows."""
    return pd.DataFrame({f.name: pd.Series([], dtype=f.dtype) for f in spec.fields})


def _range_check(f: Field) -> list[pa.Check]:
    import pandera.pandas as pa

    checks: list[pa.Check] = []
    if f.dtype == DATE_DTYPE:
        if f.min is not None and f.max is not None:
            lo, hi = int(f.min), int(f.max)
            checks.append(
                pa.Check(lambda s, lo=lo, hi=hi: s.dt.year.between(lo, hi), name=f"year_in_{lo}_{hi}")
            )
        return checks
    if f.min is not None:
        checks.append(pa.Check.ge(f.min))
    if f.max is not None:
        checks.append(pa.Check.le(f.max))
    if f.isin is not None:
        checks.append(pa.Check.isin(list(f.isin)))
    return checks


def _pair_check(rule: PairRule) -> pa.Check:
    import pandera.pandas as pa

    def check(df: pd.DataFrame) -> pd.Series:
        left, right = df[rule.left], df[rule.right]
        return (left.isna() | right.isna() | (left <= right)).astype(bool)

    return pa.Check(check, name=rule.reason, error=f"{rule.left} <= {rule.right}")


def pandera_schema(spec: TableSpec) -> pa.DataFrameSchema:
    """The pandera schema of a cleaned table: dtypes, nullability, ranges, key uniqueness, pair rules."""
    import pandera.pandas as pa

    columns = {
        f.name: pa.Column(
            f.dtype, checks=_range_check(f), nullable=f.nullable, unique=f.unique, description=f.description
        )
        for f in spec.fields
    }
    return pa.DataFrameSchema(
        columns,
        checks=[_pair_check(r) for r in spec.pair_rules],
        unique=list(spec.key) or None,
        strict=True,
        ordered=True,
        name=spec.name,
    )


@cache
def _cached_schema(name: str) -> pa.DataFrameSchema:
    return pandera_schema(TABLES[name])


@cache
def _empty_dtypes(name: str) -> tuple:
    return tuple(empty_frame(TABLES[name]).dtypes)


def passes_schema(spec: TableSpec, df: pd.DataFrame) -> bool:
    """Whether ``df`` passes every check of :func:`pandera_schema` (vectorised, no pandera): the columns
    exactly, in order; each column's dtype that of :func:`empty_frame` (which pandera accepts); no null
    where not nullable; the ranges, year ranges and allowed values on the non-null values; unique columns
    and key; the pair rules. At least as strict as pandera (a null counts as a duplicate), so ``True``
    means pandera would pass; on ``False`` :func:`validate_table` asks pandera for the failure cases.

    >>> passes_schema(PROGRAMS, empty_frame(PROGRAMS)), passes_schema(PROGRAMS, empty_frame(TARGETS))
    (True, False)
    """
    if list(df.columns) != [f.name for f in spec.fields]:
        return False
    if tuple(df.dtypes) != _empty_dtypes(spec.name):
        return False
    for f in spec.fields:
        col = df[f.name]
        nulls = col.isna()
        if nulls.any():
            if not f.nullable:
                return False
            col = col[~nulls]
        if f.unique and (col.size != len(df) or col.duplicated().any()):
            return False
        if not len(col):
            continue
        if f.dtype == DATE_DTYPE:
            year_ok = f.min is None or f.max is None or col.dt.year.between(int(f.min), int(f.max)).all()
            if not year_ok:
                return False
            continue
        if f.min is not None and not (col >= f.min).all():
            return False
        if f.max is not None and not (col <= f.max).all():
            return False
        if f.isin is not None and not col.isin(list(f.isin)).all():
            return False
    for rule in spec.pair_rules:
        left, right = df[rule.left], df[rule.right]
        if not (left.isna() | right.isna() | (left <= right)).astype(bool).all():
            return False
    return not (spec.key and df.duplicated(subset=list(spec.key)).any())


def validate_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Validate a cleaned table; a failure here is a bug in the cleaner (the row rules should have caught it).

    The vectorised :func:`passes_schema` first (the common case, about 10x cheaper than pandera on the
    cleaned tables); pandera itself only when that fails, for its verdict and failure cases."""
    if passes_schema(TABLES[name], df):
        return df
    import pandera.pandas as pa

    try:
        return _cached_schema(name).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise AssertionError(
            f"cleaned table {name!r} fails its schema (cleaner bug):\n{exc.failure_cases}"
        ) from exc


def check_relations(tables: dict[str, pd.DataFrame]) -> None:
    """Cross-table rules (foreign keys and lookups) on cleaned tables; raise :class:`AssertionError` if broken."""
    for name, spec in TABLES.items():
        if name not in tables:
            continue
        df = tables[name]
        for fk in spec.foreign_keys:
            if fk.ref_table not in tables:
                continue
            bad = ~df[fk.column].isin(tables[fk.ref_table][fk.ref_column])
            if bad.any():
                raise AssertionError(
                    f"{name}.{fk.column} not in {fk.ref_table}: {sorted(df.loc[bad, fk.column].unique())}"
                )
        for lk in spec.lookups:
            if lk.ref_table not in tables:
                continue
            ref = tables[lk.ref_table][[lk.key, lk.ref_column]].rename(columns={lk.ref_column: "_ref"})
            m = df[[lk.key, lk.column]].merge(ref, on=lk.key, how="left", validate="m:1")
            bad = m[lk.column].notna() & m["_ref"].notna() & (m[lk.column] > m["_ref"])
            if bad.any():
                raise AssertionError(
                    f"{name}.{lk.column} > {lk.ref_table}.{lk.ref_column} in {int(bad.sum())} rows"
                )


# --------------------------------------------------------------------------------------------------
# Data dictionary


def _range_text(f: Field) -> str:
    parts = []
    if f.dtype == DATE_DTYPE and f.min is not None:
        parts.append(f"year {int(f.min)}-{int(f.max)}")
    elif f.min is not None and f.max is not None:
        parts.append(f"{f.min:g}-{f.max:g}")
    elif f.min is not None:
        parts.append(f">= {f.min:g}")
    if f.isin:
        parts.append(", ".join(f"`{v}`" for v in f.isin))
    return "; ".join(parts)


def _header_text(col) -> str:
    """The input header of a template column, with its declared aliases: ```Jumlah KK` (also `KK`)``."""
    text = f"`{col.header}`"
    if col.aliases:
        text += " (also " + ", ".join(f"`{a}`" for a in col.aliases) + ")"
    return text


#: The section of the data dictionary on the history store (``analysis.evaluate.history``, a later stage:
#: written here as text, so that this module imports nothing of it).
HISTORY_SECTION = [
    "## `history.duckdb`: every period in one place",
    "",
    "`data/processed/<source>/history.duckdb` is a DuckDB database (`analysis.evaluate.history`) over every",
    "*complete* period folder of the source: a folder named by a canonical period code that holds",
    "`evaluation.json` (cleaned-only, staging and `.failed` folders are left out). `python -m analysis run`",
    "rebuilds it after each published period; the notebooks rebuild it when it is older than the folders;",
    "`python -m analysis.evaluate.history data/processed/<source> --refresh` by hand. It is written to a",
    "temporary file and renamed into place, and it is the same whatever the order of the runs.",
    "",
    "- **One view per table**, named like it: the cleaned tables above and the evaluation tables of",
    "  `docs/evaluation_tables.md` (`achievement_*`, `claims`, `rt_index`, `rt_index_indicators`,",
    "  `rt_strengths_weaknesses`, `index_*`). Columns: `period` (the period folder the row comes from) first,",
    "  then the table's own columns as documented; a column that a period's file lacks is NULL in its rows",
    "  (`UNION ALL BY NAME`). A view exists when at least one complete period has the table; a period without",
    "  it (no RT reports in `100-hari`) simply has no rows there. In `targets`, the table's own `period`",
    "  (the period a target is for) is named `target_period`.",
    "- The views read the period folders' Parquet files when queried: a rerun of a period is seen at once, a",
    "  new period after the next rebuild.",
    "- **Table `periods`**: `period`, `period_order` (1 = oldest; sort by it, not by the code), `tables` (how",
    "  many of the tables the folder holds).",
    "",
]


def data_dictionary_markdown() -> str:
    """``docs/data_dictionary.md``, generated from ``TABLES`` and the input templates."""
    from analysis.ingest.contract import TEMPLATES_BY_KEY

    out = [
        "# Data dictionary",
        "",
        "Generated by `python -m analysis.ingest.schemas` from `src/analysis/schemas.py` (do not edit by hand; a test",
        "checks that this file is current). Cleaned tables are written by `python -m analysis clean` to",
        "`data/processed/<source>/<period>/<table>.parquet`. Rules and reason codes: `docs/data_quality_rules.md`.",
        "",
        "Types: `str` text; `Int64` whole number (NA allowed); `float64` decimal (NaN = missing); `boolean`",
        "True/False (NA allowed); `datetime64[us]` a date (midnight). *Required* columns are never missing.",
        "",
    ]
    for spec in TABLES.values():
        tpl = TEMPLATES_BY_KEY.get(spec.template) if spec.template else None
        headers = {c.name: _header_text(c) for c in tpl.columns} if tpl else {}
        source = ""
        if tpl:
            where = (
                f"{tpl.folder}/{tpl.file_name}"
                if tpl.file_name
                else f"{tpl.folder}/{tpl.file_prefix}_<period>*"
            )
            source = f" Read from `{where}`" + (f", sheet `{tpl.sheet}`." if tpl.sheet else ".")
        out += [f"## `{spec.name}`", "", f"Grain: {spec.grain}." + source]
        if spec.key:
            out.append(
                f"Key: {', '.join(f'`{k}`' for k in spec.key)} (a second row with the same key: all copies rejected as `duplicate`)."
            )
        if spec.notes:
            out.append(spec.notes)
        if tpl and tpl.bad_value == "missing":
            keys = ", ".join(f"`{tpl.column(k).header}`" for k in tpl.key_columns)
            out.append(
                f"Keys: {keys} (a bad key rejects the row). Every other column is a value: a value that cannot "
                "be read, is blank or out of range is reported (`severity` `missing`) and left missing; the row is kept."
            )
        out += [
            "",
            "| column | type | required | allowed | input header | description |",
            "|---|---|---|---|---|---|",
        ]
        for f in spec.fields:
            header = headers.get(f.name, "")
            out.append(
                f"| `{f.name}` | {f.dtype} | {'yes' if not f.nullable else ''} | {_range_text(f)} | "
                f"{header} | {f.description} |"
            )
        rules = [f"`{r.left}` <= `{r.right}` (else `{r.reason}`)" for r in spec.pair_rules]
        rules += [
            f"`{fk.column}` is in `{fk.ref_table}.{fk.ref_column}` (else `{fk.reason}`)"
            for fk in spec.foreign_keys
        ]
        rules += [
            f"`{lk.column}` <= `{lk.ref_table}.{lk.ref_column}` of the same `{lk.key}` (else `{lk.reason}`)"
            for lk in spec.lookups
        ]
        if rules:
            out += ["", "Rules: " + "; ".join(rules) + "."]
        out.append("")
    out += [
        "## `rejected_rows.csv`",
        "",
        "One line per problem found in a rejected row (a row with two problems has two lines). Written for Excel:",
        "UTF-8 with a byte-order mark, comma-separated; text that Excel would run as a formula (starting with",
        "`=`, `+`, `-`, `@`) is prefixed with `'` so that it stays text. NIK-like and phone-like text is masked.",
        "",
        "| column | description |",
        "|---|---|",
        *(f"| `{k}` | {v} |" for k, v in REJECTED_COLUMNS.items()),
        "",
        "Reason codes:",
        "",
        "| reason_code | meaning |",
        "|---|---|",
        *(f"| `{k}` | {v} |" for k, v in REASONS.items()),
        "",
        "## `quality.json`",
        "",
        "- `source`, `period`, `is_synthetic` (and `notice` for a synthetic source), `totals` (files, files_failed,",
        "  files_skipped, files_other_periods, rows_read, rows_accepted, rows_rejected, rows_non_data), `tables`",
        "  (rows per cleaned table), `warnings` (run level).",
        "- `skipped_files`: every file or folder of the data source not read, other periods' files aside (counted",
        "  in `files_other_periods`): `path` (relative to the data source; a folder ends in `/`), `reason_code`",
        "  (`analysis.ingest.inventory.SKIP_REASONS`) and `reason` (an English sentence).",
        "- `files`: per input file (path relative to the data source): `template`, `sheet`, `status` (`read` or",
        "  the file-level problem), `header_row` (the last header row), `rows_read` = `rows_accepted` +",
        "  `rows_rejected` + `rows_non_data` (every row of the sheet up to its last filled row), `non_data` by kind",
        "  (title, blank, header, header_repeat, total, section, signature), `cells_read` = `cells_accepted` +",
        "  `cells_left_missing` + `cells_in_rejected_rows` (non-blank cells of data rows), `cells_filled_down`,",
        "  `warnings`. `missing_by_reason` (run level) counts the value cells left missing by reason code.",
        "- every warning (run level and per file) is an object: `code` (below), `file`, `sheet`, `row` (as Excel",
        "  shows it), `column` (header as written), `column_letter` (Excel column), `value` (as written, NIK/phone-",
        "  like text masked) where they apply, else `null`, `severity` (`warning`, or `missing` for a value left",
        "  missing) and `message` (an English sentence).",
        "",
        "Warning codes:",
        "",
        "| code | meaning |",
        "|---|---|",
        *(f"| `{k}` | {v} |" for k, v in WARNING_CODES.items()),
        "",
        *HISTORY_SECTION,
    ]
    return "\n".join(out)


def write_data_dictionary(path: Path = DATA_DICTIONARY) -> Path:
    path = Path(path)
    path.write_text(data_dictionary_markdown(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.ingest.schemas", description="Write docs/data_dictionary.md."
    )
    parser.add_argument("--out", type=Path, default=DATA_DICTIONARY)
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is not current")
    args = parser.parse_args(argv)
    if args.check:
        current = args.out.exists() and args.out.read_text(encoding="utf-8") == data_dictionary_markdown()
        print(
            f"{args.out}: {'current' if current else 'OUT OF DATE (run python -m analysis.ingest.schemas)'}"
        )
        return 0 if current else 1
    print(f"wrote {write_data_dictionary(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
