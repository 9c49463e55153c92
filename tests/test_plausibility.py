"""Plausibility: negative figures and figures no RT or agency can reach are rejected before they reach the
evaluation (``config/plausibility.yml``, ``analysis.ingest.plausibility``)."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest
import yaml

from analysis.core.config import PROJECT_ROOT, SAMPLE_SOURCE, SYNTHETIC_MARKER
from analysis.core.errors import ConfigError
from analysis.evaluate.evaluation import evaluate_source
from analysis.ingest.cleaning import clean_source
from analysis.ingest.plausibility import PLAUSIBILITY_CONFIG, load_bounds

PERIOD = "2025-TW3"
RT_FILE = f"kampung_bahagia/laporan_rt_{PERIOD}.xlsx"
AGENCY_FILE = f"realisasi/realisasi_{PERIOD}_dinsos.xlsx"


def _sample() -> Path:
    if (SAMPLE_SOURCE / SYNTHETIC_MARKER).exists():
        return SAMPLE_SOURCE
    pytest.skip("the bundled sample is not present")


def _set(path: Path, cells: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for address, value in cells.items():
        ws[address] = value
    wb.save(path)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The sample's references, its 2025-TW3 RT reports and one agency file, with impossible figures:
    RT row 5 Pagu 1e308 (E5), RT row 6 Jumlah Musyawarah 10^15 (J6), RT row 7 Peserta Perempuan -3 (L7),
    RT row 8 Realisasi Anggaran 1e308 (F8), RT row 9 Swadaya 1e300 (G9);
    agency row 2 (P01-01, orang) Realisasi -100 (F2), a second agency file with Realisasi 10^12 orang."""
    sample = _sample()
    root = tmp_path_factory.mktemp("raw") / "hostile"
    shutil.copytree(sample / "referensi", root / "referensi")
    for rel in (RT_FILE, AGENCY_FILE):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sample / rel, root / rel)
    other = root / f"realisasi/realisasi_{PERIOD}_dinkes.xlsx"
    shutil.copy(sample / f"realisasi/realisasi_{PERIOD}_dinkes.xlsx", other)
    _set(root / RT_FILE, {"E5": 1e308, "J6": 10**15, "L7": -3, "F8": 1e308, "G9": 1e300})
    _set(root / AGENCY_FILE, {"F2": -100})
    wb = openpyxl.load_workbook(other)
    ws = wb.worksheets[0]
    (row,) = [r for r in range(1, 12) if ws.cell(r, 4).value == "orang"][:1]
    ws.cell(row, 6).value = "1.000.000.000.000"
    wb.save(other)
    return root


@pytest.fixture(scope="module")
def cleaned(hostile, tmp_path_factory):
    return clean_source(hostile, PERIOD, tmp_path_factory.mktemp("out"), feedback=False)


def _lines(result, file: str, row: int):
    r = result.rejected
    return r[(r["file"] == file) & (r["row"] == row)]


def test_negative_agency_realisation_is_rejected_naming_the_value(cleaned):
    lines = _lines(cleaned, AGENCY_FILE, 2)
    assert list(lines["reason_code"]) == ["negative_value"]
    assert "-100" in lines["reason"].iloc[0] and lines["column"].iloc[0] == "Realisasi"
    assert "P01-01" not in set(cleaned.tables["agency_reports"]["indicator_code"])


def test_negative_count_is_rejected(cleaned):
    assert "negative_value" in set(_lines(cleaned, RT_FILE, 7)["reason_code"])


def test_money_1e308_rejected_with_the_bound_in_the_reason(cleaned):
    lines = _lines(cleaned, RT_FILE, 5)
    line = lines[lines["reason_code"] == "implausible_value"].iloc[0]
    assert line["column"].strip() == "Pagu Anggaran (Rp)" and line["column_letter"] == "E"
    assert "1e+308" in line["reason"] and "1,000,000,000" in line["reason"] and "Rp100 juta" in line["reason"]
    assert line["value"] == "1e+308"  # not 309 digits, not masked as a NIK


def test_meetings_10_15_rejected_with_the_period_bound(cleaned):
    lines = _lines(cleaned, RT_FILE, 6)
    line = lines[lines["reason_code"] == "implausible_value"].iloc[0]
    assert line["column"].strip() == "Jumlah Musyawarah"
    assert "276" in line["reason"]  # 92 days of 2025-TW3 x 3 a day


def test_agency_realisation_above_the_people_bound_rejected(cleaned):
    r = cleaned.rejected
    lines = r[r["file"].str.endswith("_dinkes.xlsx") & (r["reason_code"] == "implausible_value")]
    assert len(lines) == 1 and "1,300,000" in lines["reason"].iloc[0]
    assert "649,656" in lines["reason"].iloc[0]


def test_rejected_rows_never_reach_the_tables(cleaned):
    rt = cleaned.tables["rt_reports"]
    assert rt["budget_allocated_idr"].max() <= 1e9 and rt["meetings_held"].max() <= 276
    assert (cleaned.tables["agency_reports"]["realisation"] >= 0).all()
    assert cleaned.quality["rejections_by_reason"]["implausible_value"] == 5


def test_evaluation_runs_without_overflow_warnings(hostile, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = evaluate_source(hostile, PERIOD, tmp_path / "processed")
    assert result is not None


def test_every_bound_has_a_source_and_is_listed_in_the_rules_document():
    data = yaml.safe_load(PLAUSIBILITY_CONFIG.read_text(encoding="utf-8"))
    doc = (PROJECT_ROOT / "docs" / "data_quality_rules.md").read_text(encoding="utf-8")
    section = doc.split("## Plausibility bounds", 1)[1].split("\n## ", 1)[0]
    for table, entries in data.items():
        for column, entry in entries.items():
            assert entry["source"].strip()
            assert re.search(rf"`{column}`", section), f"{table}.{column} not in docs/data_quality_rules.md"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("rt_reports:\n  budget_allocated_idr: {max: 5}\n", "source", id="no_source"),
        pytest.param("rt_reports:\n  budget_idr: {max: 5, source: x}\n", "no column", id="unknown_column"),
        pytest.param("rt_reports:\n  meetings_held: {max: -1, source: x}\n", "positive", id="negative_bound"),
        pytest.param("rt_report:\n  meetings_held: {max: 1, source: x}\n", "not a cleaned table", id="table"),
        pytest.param("rt_reports: {}\n", "indicator_values.other", id="no_other_unit_bound"),
    ],
)
def test_bad_bounds_file_names_file_and_key(tmp_path, text, message):
    path = tmp_path / "plausibility.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        load_bounds(path)
    assert str(path) in str(err.value)
