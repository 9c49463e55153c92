"""Schemas: declared once, enforced by pandera (pandas 3 dtypes), names as in docs/architecture.md."""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa
import pytest

from analysis.core.config import PROJECT_ROOT
from analysis.ingest.schemas import (
    DATA_DICTIONARY,
    REASONS,
    TABLES,
    check_relations,
    data_dictionary_markdown,
    empty_frame,
    pandera_schema,
    passes_schema,
    validate_table,
)


def _architecture_columns() -> dict[str, list[str]]:
    """Column lists of the cleaned-table section of docs/architecture.md (the binding interface)."""
    text = (PROJECT_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Cleaned tables", 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        m = re.match(r"\| `(\w+)` \| [^|]+ \| (.+) \|$", line)
        if m:
            cols = re.sub(r"\([^)]*\)", "", m.group(2))
            out[m.group(1)] = [c.strip() for c in cols.split(",") if c.strip()]
    return out


def test_table_and_column_names_match_architecture():
    arch = _architecture_columns()
    assert sorted(arch) == sorted(TABLES)
    for name, spec in TABLES.items():
        assert spec.columns == arch[name], name


def test_reason_codes_match_the_rules_document():
    text = (PROJECT_ROOT / "docs" / "data_quality_rules.md").read_text(encoding="utf-8")
    codes = set(re.findall(r"^\| `(\w+)` \|", text, flags=re.M))
    assert codes == set(REASONS)


@pytest.mark.parametrize("name", list(TABLES))
def test_empty_frames_pass_their_schema(name):
    df = validate_table(name, empty_frame(TABLES[name]))
    assert list(df.columns) == TABLES[name].columns


def _rt_reports(**overrides) -> pd.DataFrame:
    df = empty_frame(TABLES["rt_reports"])
    row = {
        "period": "2025-TW3", "rt_code": "15.71.07.1012.014", "kelurahan_code": "15.71.07.1012",
        "budget_allocated_idr": 1e8, "budget_spent_idr": 4.5e7, "activities_planned": 4, "activities_completed": 2,
        "is_overspent": False, "source_file": "f.xlsx", "source_sheet": "Laporan RT", "source_row": 5,
        "lpj_submitted_date": pd.Timestamp("2025-10-15"),
    }  # fmt: skip
    row.update(overrides)
    one = pd.DataFrame({c: pd.Series([row.get(c)], dtype=df[c].dtype) for c in df.columns})
    return one


def test_valid_row_passes():
    assert len(validate_table("rt_reports", _rt_reports())) == 1


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"activities_completed": 5}, id="completed_gt_planned"),
        pytest.param({"budget_spent_idr": -1.0}, id="negative_money"),
        pytest.param({"asset_status": "rusak"}, id="asset_category"),
        pytest.param({"lpj_submitted_date": pd.Timestamp("1990-01-01")}, id="date_year"),
        pytest.param({"rt_code": None}, id="required"),
    ],
)
def test_schema_is_the_guarantee(overrides):
    with pytest.raises(AssertionError, match="cleaner bug"):
        validate_table("rt_reports", _rt_reports(**overrides))


def test_schema_rejects_duplicate_key_and_wrong_dtype():
    two = pd.concat([_rt_reports(), _rt_reports()], ignore_index=True)
    with pytest.raises(AssertionError):
        validate_table("rt_reports", two)
    wrong = _rt_reports().astype({"activities_planned": "float64"})
    with pytest.raises(AssertionError):
        validate_table("rt_reports", wrong)


def test_check_relations():
    reg = empty_frame(TABLES["rt_registry"])
    with pytest.raises(AssertionError, match="not in rt_registry"):
        check_relations({"rt_registry": reg, "rt_reports": _rt_reports()})


def test_data_dictionary_is_current():
    assert DATA_DICTIONARY.read_text(encoding="utf-8") == data_dictionary_markdown(), (
        "docs/data_dictionary.md is out of date: run python -m analysis.ingest.schemas"
    )


def test_data_dictionary_documents_every_column():
    text = data_dictionary_markdown()
    for spec in TABLES.values():
        assert f"## `{spec.name}`" in text
        for f in spec.fields:
            assert f"| `{f.name}` |" in text
    assert "'" in text and "byte-order mark" in text


@pytest.mark.parametrize(
    "overrides, passes",
    [
        pytest.param({}, True, id="valid"),
        pytest.param({"activities_completed": 5}, False, id="completed_gt_planned"),
        pytest.param({"budget_spent_idr": -1.0}, False, id="negative_money"),
        pytest.param({"asset_status": "rusak"}, False, id="asset_category"),
        pytest.param({"lpj_submitted_date": pd.Timestamp("1990-01-01")}, False, id="date_year"),
        pytest.param({"rt_code": None}, False, id="required"),
    ],
)
def test_fast_check_agrees_with_pandera(overrides, passes):
    """validate_table's vectorised pre-check passes exactly where pandera's schema does (on these rows)."""
    df = _rt_reports(**overrides)
    assert passes_schema(TABLES["rt_reports"], df) is passes
    try:
        pandera_schema(TABLES["rt_reports"]).validate(df, lazy=True)
        pandera_passes = True
    except pa.errors.SchemaErrors:
        pandera_passes = False
    assert pandera_passes is passes
    two = pd.concat([df, df], ignore_index=True)
    assert passes_schema(TABLES["rt_reports"], two) is False
    assert passes_schema(TABLES["rt_reports"], df.astype({"activities_planned": "float64"})) is False
    assert passes_schema(TABLES["rt_reports"], df[df.columns[::-1]]) is False
