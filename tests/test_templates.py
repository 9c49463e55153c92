"""Blank Excel templates: headers from the contract, dropdowns, formats, instructions, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from analysis.ingest.contract import ASSET_STATUS, TEMPLATES, Template
from analysis.ingest.templates import (
    DATE_FORMAT,
    INSTRUCTIONS_SHEET,
    MONEY_FORMAT,
    template_file_name,
    write_templates,
)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    write_templates(out)
    return out


def _book(out: Path, t: Template):
    return load_workbook(out / template_file_name(t))


def _validation_formulas(ws) -> dict[str, str]:
    """Column letter -> list formula of the data validation covering it."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for col in range(rng.min_col, rng.max_col + 1):
                found[get_column_letter(col)] = dv.formula1
    return found


def test_one_file_per_template(tmp_path):
    paths = write_templates(tmp_path)
    assert [p.name for p in paths] == [template_file_name(t) for t in TEMPLATES]


def test_templates_are_deterministic(tmp_path):
    a = write_templates(tmp_path / "a")
    b = write_templates(tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


@pytest.mark.parametrize("t", [pytest.param(t, id=t.key) for t in TEMPLATES])
def test_header_example_and_sheets(written, t):
    wb = _book(written, t)
    assert wb.sheetnames == [t.sheet or t.file_prefix, INSTRUCTIONS_SHEET]
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == [c.header for c in t.columns]
    assert ws.freeze_panes == "A2"
    example = [c.value for c in ws[2]]
    assert sum(v is not None for v in example) >= len(t.columns) // 2


@pytest.mark.parametrize("t", [pytest.param(t, id=t.key) for t in TEMPLATES])
def test_validations_and_number_formats(written, t):
    ws = _book(written, t).worksheets[0]
    formulas = _validation_formulas(ws)
    for j, col in enumerate(t.columns, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        if col.kind == "yesno":
            assert formulas.get(letter) == '"Ya,Tidak"', col.header
        elif col.kind == "asset":
            assert formulas.get(letter) == '"' + ",".join(ASSET_STATUS) + '"'
        else:
            assert letter not in formulas, col.header
        if col.kind == "money":
            assert ws.cell(row=3, column=j).number_format == MONEY_FORMAT, col.header
        if col.kind == "date":
            assert ws.cell(row=3, column=j).number_format == DATE_FORMAT, col.header
            assert ws.cell(row=2, column=j).is_date, col.header


def test_rt_report_has_both_dropdown_kinds(written):
    t = next(t for t in TEMPLATES if t.key == "laporan_rt")
    formulas = set(_validation_formulas(_book(written, t).worksheets[0]).values())
    assert formulas == {'"Ya,Tidak"', '"Berfungsi penuh,Sebagian,Tidak berfungsi,Belum ada"'}


@pytest.mark.parametrize("t", [pytest.param(t, id=t.key) for t in TEMPLATES])
def test_instructions_explain_every_column(written, t):
    ws = _book(written, t)[INSTRUCTIONS_SHEET]
    text = "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    first_col = [row[0] for row in ws.iter_rows(values_only=True)]
    for col in t.columns:
        assert col.header in first_col, col.header
    if any(c.kind == "personal" for c in t.columns):
        assert "DATA PRIBADI" in text and "UU 27/2022" in text
    if t.sheet is None:
        assert "CSV UTF-8" in text
        assert (t.file_name or t.file_prefix) in text
    else:
        assert f"'{t.sheet}'" in text
