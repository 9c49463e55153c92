"""The synthetic sample source: determinism, registry facts, and a defects list that matches the files."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from analysis.core.config import SAMPLE_SOURCE, SYNTHETIC_MARKER
from analysis.core.errors import UsageError
from analysis.core.reference import kelurahan_table
from analysis.ingest import contract as C
from analysis.sample import DEFAULT_SEED, generate_sample
from analysis.sample.formats import Messer, juta
from analysis.sample.world import (
    KAMPUNG_BAHAGIA_TIERS_2026_DPMPPA,
    allocation_2026,
    build_registry,
    realisation_for,
)

#: Reason codes of docs/data_quality_rules.md ("Rejected rows").
REASON_CODES = {
    "unparseable", "required_missing", "negative_value", "completed_gt_planned", "women_gt_participants",
    "followed_up_gt_findings", "resolved_gt_received", "households_gt_registry", "duplicate", "unknown_rt",
    "unknown_kelurahan", "unknown_indicator", "out_of_range",
}  # fmt: skip
WARNING_KINDS = {
    "wrong_kecamatan", "overspent", "pii_in_text", "formula_text", "html_text", "sheet_renamed",
    "target_mismatch", "file_error", "value_missing",
}  # fmt: skip


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("sample") / "sample"
    return out, generate_sample(out, DEFAULT_SEED)


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _read_csv(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def _norm(header: object) -> str:
    """Header as compared by the contract: case, spacing and a trailing unit in brackets may vary."""
    text = re.sub(r"\s*\((rp|rupiah)\)\s*$", "", str(header or "").strip().lower())
    return " ".join(text.split())


def _header_row(ws) -> tuple[int, dict[str, int]]:
    for row in ws.iter_rows(min_row=1, max_row=10):
        names = {_norm(c.value): c.column for c in row if c.value is not None}
        if "no" in names and len(names) > 5:
            return row[0].row, names
    raise AssertionError(f"no header row in {ws.title}")


def test_regenerating_gives_the_committed_bytes(regenerated):
    out, _ = regenerated
    assert _files(out) == _files(SAMPLE_SOURCE)
    differing = [f for f in _files(out) if (out / f).read_bytes() != (SAMPLE_SOURCE / f).read_bytes()]
    assert differing == []


def test_source_is_marked_synthetic_and_small(regenerated):
    out, _ = regenerated
    assert (out / SYNTHETIC_MARKER).exists()
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "DATA CONTOH — bukan data resmi" in readme and "synthetic" in readme
    assert sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) < 3_000_000


def test_registry_world_facts():
    units = build_registry(np.random.default_rng(DEFAULT_SEED))
    assert sum(u.is_pilot for u in units) == 67
    assert len(units) >= 300
    assert {u.kelurahan_code for u in units} == set(kelurahan_table().kelurahan_code)
    kk = np.array([u.households_kk for u in units])
    assert kk.min() <= 45 and kk.max() >= 850 and kk.min() >= 40 and kk.max() <= 900
    assert ((kk >= 80) & (kk <= 300)).mean() > 0.6
    assert sum(not u.is_kampung_bahagia for u in units) >= 3
    assert len({u.rt_code for u in units}) == len(units)


def test_registry_file_holds_pilots_and_personal_data(regenerated):
    out, _ = regenerated
    ws = load_workbook(out / "referensi/rt.xlsx")[C.RT_REGISTRY.sheet]
    header_row, cols = _header_row(ws)
    rows = [
        [c.value for c in row]
        for row in ws.iter_rows(min_row=header_row + 1)
        if isinstance(row[cols["no"] - 1].value, int)
    ]
    start = [r[cols["tahun mulai"] - 1] for r in rows]
    assert start.count(2025) == 67
    assert len(rows) >= 300
    niks = [r[cols["nik ketua rt"] - 1] for r in rows]
    assert all(isinstance(n, str) and re.fullmatch(r"1571\d{12}", n) for n in niks)
    phones = [r[cols["no. hp"] - 1] for r in rows]
    assert all(re.fullmatch(r"(\+62 |0)8[\d-]+", p) for p in phones)


def test_defects_are_well_formed(regenerated):
    out, defects = regenerated
    with (out / "_generator/defects.csv").open(encoding="utf-8") as fh:
        listed = list(csv.DictReader(fh))
    assert len(listed) == len(defects)
    for d in listed:
        assert (out / d["file"]).exists(), d
        assert d["must_reject"] in ("true", "false")
        if d["must_reject"] == "true":
            assert d["defect"] in REASON_CODES, d
            assert d["row"], d
        else:
            assert d["defect"] in WARNING_KINDS, d
    assert {d["defect"] for d in listed if d["must_reject"] == "true"} == REASON_CODES


def test_defect_values_are_in_the_files(regenerated):
    """Every row-level defect names a cell whose content is the listed value."""
    out, _ = regenerated
    with (out / "_generator/defects.csv").open(encoding="utf-8") as fh:
        listed = [d for d in csv.DictReader(fh) if d["row"]]
    books = {}
    for d in listed:
        path = out / d["file"]
        if path.suffix == ".csv":
            rows = _read_csv(path)
            assert rows[int(d["row"]) - 2][d["column"]] == d["value"], d
            continue
        if d["file"] not in books:
            books[d["file"]] = load_workbook(path)
        ws = books[d["file"]][d["sheet"]]
        _, cols = _header_row(ws)
        value = ws.cell(row=int(d["row"]), column=cols[_norm(d["column"])]).value
        shown = value.date().isoformat() if hasattr(value, "date") else ("" if value is None else str(value))
        assert shown == d["value"], d


def test_duplicates_come_in_groups(regenerated):
    _, defects = regenerated
    dup = Counter(
        (d.file.rsplit("_", 1)[0] if d.file.startswith(("realisasi/", "kampung_bahagia/")) else d.file)
        for d in defects
        if d.defect == "duplicate"
    )
    assert dup and all(n >= 2 for n in dup.values()), dup


def test_rejection_rate_is_realistic(regenerated):
    out, defects = regenerated
    with (out / "_generator/expected_counts.csv").open(encoding="utf-8") as fh:
        counts = list(csv.DictReader(fh))
    data_rows = sum(int(c["rows_data"]) for c in counts)
    rejected = {(d.file, d.row) for d in defects if d.must_reject}
    assert 0.015 <= len(rejected) / data_rows <= 0.05


def test_expected_counts_add_up(regenerated):
    """Data rows + non-data rows (the header row among them) = the sheet's rows; data rows are numbered 1..n in ``No``."""
    out, defects = regenerated
    broken = {d.file for d in defects if d.defect == "file_error"}
    with (out / "_generator/expected_counts.csv").open(encoding="utf-8") as fh:
        counts = list(csv.DictReader(fh))
    assert {c["file"] for c in counts} == {f for f in _files(out) if not f.startswith("_") and "/" in f}
    for c in counts:
        path = out / c["file"]
        n_data, n_other = int(c["rows_data"]), int(c["rows_non_data"])
        if c["file"] in broken:
            assert (n_data, n_other) == (0, 0)
            continue
        if path.suffix == ".csv":
            assert len(_read_csv(path)) == n_data and n_other == 1, c  # the header row
            continue
        ws = load_workbook(path).worksheets[0]
        assert ws.max_row == n_data + n_other, c
        header_row, cols = _header_row(ws)
        numbered = [
            r[0] for r in ws.iter_rows(min_row=header_row + 1, values_only=True) if isinstance(r[0], int)
        ]
        assert numbered == list(range(1, n_data + 1)), c


def test_refuses_to_overwrite_a_folder_that_is_not_a_sample(tmp_path):
    (tmp_path / "real.xlsx").write_bytes(b"x")
    with pytest.raises(UsageError, match="not a synthetic sample"):
        generate_sample(tmp_path)


@pytest.mark.parametrize(
    ("households", "expected"),
    [
        pytest.param(41, 50_000_000, id="small"),
        pytest.param(59, 50_000_000, id="below_60"),
        pytest.param(60, 70_000_000, id="60"),
        pytest.param(99, 70_000_000, id="99"),
        pytest.param(100, 100_000_000, id="100_top_tier"),
        pytest.param(893, 100_000_000, id="large"),
    ],
)
def test_allocation_2026_follows_dpmppa_tiers(households, expected):
    assert allocation_2026(households) == expected
    assert KAMPUNG_BAHAGIA_TIERS_2026_DPMPPA[0] == (100, 100_000_000)


@pytest.mark.parametrize(
    ("achievement", "target", "polarity", "unit", "expected"),
    [
        pytest.param(1.1, "100", "positif", "orang", 110.0, id="point_above"),
        pytest.param(0.875, "80-90", "positif", "%", 70.0, id="range_below_uses_low"),
        pytest.param(1.022, "80-90", "positif", "%", 92.0, id="range_above_uses_high"),
        pytest.param(0.875, "8", "negatif", "titik", 9.0, id="negative_permenpan_example"),
        pytest.param(1.5, "90", "positif", "%", 100.0, id="percent_capped"),
        pytest.param(2.5, "10", "negatif", "aduan", 0.0, id="negative_floor_zero"),
    ],
)
def test_realisation_inverts_the_capaian_rules(achievement, target, polarity, unit, expected):
    assert realisation_for(achievement, target, polarity, unit, 1) == pytest.approx(expected, abs=0.05)


def test_messer_canonical_when_rate_zero():
    m = Messer(np.random.default_rng(1), 0.0)
    assert m.money(12_500_000) == 12_500_000
    assert m.yesno(True) == "Ya" and m.yesno(False) == "Tidak"
    assert m.rt(3, 1) == "RT 003"
    assert m.kelurahan("Thehok") == "Thehok"


def test_messer_variants_are_contract_spellings():
    m = Messer(np.random.default_rng(2), 1.0)
    money = {m.money(12_500_000) for _ in range(200)}
    assert money <= {"Rp 12.500.000", "12.500.000,00", "Rp12.500.000,-", "12.500.000", "12,5 jt"}
    assert {m.yesno(True) for _ in range(200)} <= {"YA", "Y", "Ada", "✓", 1, "ya"}
    assert {m.yesno(False) for _ in range(200)} <= {"T", "Tdk", "Belum", 0, "TIDAK", "-"}
    assert {m.rt(3, 2) for _ in range(200)} <= {"RT 03", "Rt.3", "003", "3", 3, "RT 003/RW 002"}
    assert {m.number(85.5, 1, percent=True) for _ in range(100)} <= {"85,5%", "85,5 %", "85,5"}
    assert {m.kelurahan("Thehok") for _ in range(200)} >= {"The Hok", "THEHOK"}
    assert juta(12_345_000) is None
