"""The data gate against workbooks typed by other hands (issue 10): ``tests/corpus/``.

One cleaning run of ``tests/corpus/source`` (period in ``expected.json``), then, per file and per check:
row counts (rows read = accepted + rejected + non-data by kind), warnings, rejected rows with their reasons,
parsed values in the cleaned tables, and the highlighted cells of the file's feedback workbook. The
expectations are hand-written (``tests/corpus/README.md`` explains the format); the corpus is written by
``tests/corpus/make_corpus.py``, which shares no code with the reader.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.ingest.cleaning import clean_source

CORPUS = Path(__file__).resolve().parent / "corpus"
SOURCE = CORPUS / "source"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
PERIOD = EXPECTED["period"]
FILES = EXPECTED["files"]
NAMES = sorted(FILES)
#: Non-data row kinds of quality.json (issue 10): the header row(s) count too.
KINDS = ("title", "blank", "header", "header_repeat", "total", "section", "signature")
#: Names of the feedback workbook's summary sheet (Indonesian, English).
SUMMARY_SHEETS = ("Ringkasan", "Summary")
#: Fill colours that are no highlight (none, white).
NO_FILL = {None, "00000000", "FFFFFFFF", "00FFFFFF"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Clean the corpus once: quality.json, rejected_rows.csv, the cleaned tables, the output folder."""
    out = tmp_path_factory.mktemp("corpus_processed")
    clean_source(SOURCE, PERIOD, processed_dir=out)
    quality = json.loads((out / "quality.json").read_text(encoding="utf-8"))
    rejected = pd.read_csv(out / "rejected_rows.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    tables = {p.stem: pd.read_parquet(p) for p in sorted(out.glob("*.parquet"))}
    return {"out": out, "quality": quality, "rejected": rejected, "tables": tables}


def _file_quality(run, name: str) -> dict:
    files = run["quality"]["files"]
    assert name in files, f"{name} missing from quality.json (files: {sorted(files)})"
    return files[name]


def _norm(text: object) -> str:
    return " ".join(str(text or "").lower().split())


# --------------------------------------------------------------------------------------------------
# The expectations themselves


def test_expected_files_are_the_corpus():
    """expected.json names exactly the corpus files (besides the SYNTHETIC marker)."""
    on_disk = sorted(p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*") if p.is_file())
    assert [n for n in on_disk if n != "SYNTHETIC"] == NAMES
    assert (SOURCE / "SYNTHETIC").read_text(encoding="utf-8").startswith("DATA CONTOH")


@pytest.mark.parametrize("name", NAMES)
def test_expected_counts_add_up(name):
    """Hand-written counts are consistent: read = accepted + rejected + non-data; one entry per rejected row."""
    exp = FILES[name]
    assert set(exp["non_data"]) <= set(KINDS)
    assert exp["rows_read"] == exp["rows_accepted"] + exp["rows_rejected"] + sum(exp["non_data"].values())
    assert sorted({r["row"] for r in exp["rejections"]}) == sorted(r["row"] for r in exp["rejections"])
    assert len(exp["rejections"]) == exp["rows_rejected"]


def test_every_file_is_in_quality_json(run):
    assert sorted(run["quality"]["files"]) == NAMES


# --------------------------------------------------------------------------------------------------
# Per file


@pytest.mark.parametrize("name", NAMES)
def test_counts(run, name):
    """rows_read, rows_accepted, rows_rejected and the non-data rows by kind."""
    exp, got = FILES[name], _file_quality(run, name)
    assert got["status"] == "read", got["status"]
    want_kinds = {k: exp["non_data"].get(k, 0) for k in KINDS}
    got_kinds = {k: int(v) for k, v in got["non_data"].items() if v}
    assert {k: v for k, v in want_kinds.items() if v} == got_kinds, f"non-data rows by kind of {name}"
    assert (got["rows_read"], got["rows_accepted"], got["rows_rejected"]) == (
        exp["rows_read"],
        exp["rows_accepted"],
        exp["rows_rejected"],
    )
    assert got["rows_non_data"] == sum(want_kinds.values())
    if "sheet" in exp:
        assert got["sheet"] == exp["sheet"]


def _warning_matches(w: dict, spec: dict) -> bool:
    if w.get("code") != spec["code"]:
        return False
    if "row" in spec and w.get("row") != spec["row"]:
        return False
    if "column" in spec and _norm(spec["column"]) not in _norm(w.get("column")):
        return False
    if "message_contains" in spec:
        text = f"{w.get('message', '')} {w.get('value') or ''}"
        if spec["message_contains"].lower() not in text.lower():
            return False
    return True


@pytest.mark.parametrize("name", NAMES)
def test_warnings(run, name):
    """The set of warning codes, and the specific warnings (row, column as written, what they name)."""
    exp, got = FILES[name], _file_quality(run, name)
    assert got["status"] == "read", got["status"]
    warnings = got["warnings"]
    assert sorted({w["code"] for w in warnings}) == sorted(exp["warning_codes"])
    missing = [spec for spec in exp["warnings"] if not any(_warning_matches(w, spec) for w in warnings)]
    assert not missing, f"expected warnings not found: {missing}\ngot: {warnings}"


def _rejected_lines(run, name: str) -> pd.DataFrame:
    df = run["rejected"]
    df = df[df["file"] == name]
    if "severity" in df.columns:
        df = df[df["severity"] == "rejected"]
    return df


@pytest.mark.parametrize("name", NAMES)
def test_rejections(run, name):
    """Which rows are rejected, each with its reason codes, cell (column letter, header), value, reason."""
    exp = FILES[name]
    assert _file_quality(run, name)["status"] == "read", _file_quality(run, name)["status"]
    lines = _rejected_lines(run, name)
    assert sorted({int(r) for r in lines["row"]}) == sorted(r["row"] for r in exp["rejections"])
    for spec in exp["rejections"]:
        row_lines = lines[lines["row"].astype(int) == spec["row"]]
        codes = set(row_lines["reason_code"])
        assert set(spec["reason_codes"]) <= codes, f"row {spec['row']}: reasons {sorted(codes)}"
        cause = row_lines[row_lines["reason_code"].isin(spec["reason_codes"])]
        if "column_letter" in spec:
            assert "column_letter" in cause.columns, "rejected_rows.csv has no column_letter column"
            assert spec["column_letter"] in set(cause["column_letter"]), f"row {spec['row']}"
        if "column_contains" in spec:
            assert any(spec["column_contains"] in _norm(c) for c in cause["column"]), f"row {spec['row']}"
        if "value_contains" in spec:
            assert any(spec["value_contains"] in v for v in cause["value"]), f"row {spec['row']}"
        reasons = " | ".join(cause["reason"])
        for pattern in spec.get("reason_regex", []):
            assert re.search(pattern, reasons), f"row {spec['row']}: {pattern!r} not in {reasons!r}"


def _same(got: object, want: object, kind: str | None) -> bool:
    if want is None:
        return bool(pd.isna(got))
    if pd.isna(got):
        return False
    if kind == "date":
        return pd.Timestamp(got).normalize() == pd.Timestamp(want)
    if isinstance(want, bool):
        return bool(got) is want
    if isinstance(want, (int, float)):
        return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-9)
    return str(got) == want


@pytest.mark.parametrize("name", NAMES)
def test_values(run, name):
    """Parsed values of specific cells, looked up in the cleaned tables by key."""
    problems = []
    for spec in FILES[name]["values"]:
        table = run["tables"][spec["table"]]
        mask = pd.Series(True, index=table.index)
        for col, value in spec["where"].items():
            mask &= table[col].astype(str) == str(value)
        rows = table[mask]
        if spec.get("absent"):
            if len(rows):
                problems.append(f"{spec}: expected no row, found {len(rows)}")
            continue
        if "count" in spec:
            if len(rows) != spec["count"]:
                problems.append(f"{spec}: {len(rows)} rows")
            continue
        if "sorted_values" in spec:
            got = sorted(int(v) for v in rows[spec["column"]])
            if got != spec["sorted_values"]:
                problems.append(f"{spec}: got {got}")
            continue
        if len(rows) != 1:
            problems.append(f"{spec}: {len(rows)} rows match {spec['where']}")
            continue
        got = rows.iloc[0][spec["column"]]
        if "expected" in spec and not _same(got, spec["expected"], spec.get("type")):
            problems.append(f"{spec}: got {got!r}")
        for text in spec.get("contains", []):
            if text not in str(got):
                problems.append(f"{spec['where']} {spec['column']}: {text!r} not in {got!r}")
        for text in spec.get("not_contains", []):
            if text in str(got):
                problems.append(f"{spec['where']} {spec['column']}: {text!r} in {got!r}")
    assert not problems, "\n".join(problems)


def _feedback_workbook(run, name: str) -> Path:
    folder = run["out"] / "feedback"
    assert folder.is_dir(), f"no feedback folder in {run['out']}"
    rel = Path(name)
    prefixes = (
        name.replace("/", "__"),
        name.replace("/", "__").rsplit(".", 1)[0] + ".",
        rel.name,
        f"{rel.stem}.",
        f"{rel.stem}_koreksi",
        f"{rel.stem}-koreksi",
    )
    found = [
        p
        for p in sorted(folder.rglob("*.xlsx"))
        if p.name.startswith(prefixes) or p.relative_to(folder).as_posix().startswith(name)
    ]
    assert len(found) == 1, f"feedback workbook of {name}: {found or sorted(folder.rglob('*'))}"
    return found[0]


def _highlighted(cell) -> bool:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return False
    colour = fill.fgColor
    if colour is None:
        return False
    if colour.type == "rgb":
        return colour.rgb not in NO_FILL
    return True  # a theme or indexed colour set on purpose


FEEDBACK_NAMES = [n for n in NAMES if FILES[n]["feedback"] is not None]


@pytest.mark.parametrize("name", FEEDBACK_NAMES)
def test_feedback_highlights(run, name):
    """The feedback workbook of the file highlights the problem cells, and only problem rows."""
    spec = FILES[name]["feedback"]
    wb = openpyxl.load_workbook(_feedback_workbook(run, name))
    if spec["sheet"] is not None:
        assert spec["sheet"] in wb.sheetnames, wb.sheetnames
        ws = wb[spec["sheet"]]
    else:
        data_sheets = [s for s in wb.sheetnames if s not in SUMMARY_SHEETS]
        assert len(data_sheets) == 1, wb.sheetnames
        ws = wb[data_sheets[0]]
    not_lit = [ref for ref in spec["highlighted"] if not _highlighted(ws[ref])]
    assert not not_lit, f"{ws.title}: cells not highlighted: {not_lit}"
    wrongly_lit = [ref for ref in spec["not_highlighted"] if _highlighted(ws[ref])]
    assert not wrongly_lit, f"{ws.title}: cells highlighted without a problem: {wrongly_lit}"
    lit_rows = sorted(
        {c.row for row in ws.iter_rows() for c in row if _highlighted(c) and not _is_header_fill(c)}
    )
    for row in spec["highlighted_rows"]:
        assert row in lit_rows, f"{ws.title}: nothing highlighted in row {row} (highlighted rows: {lit_rows})"


def _is_header_fill(cell) -> bool:
    """The original's own header shading (grey) is not a highlight."""
    colour = cell.fill.fgColor
    return colour.type == "rgb" and colour.rgb == "FFD9D9D9"


# --------------------------------------------------------------------------------------------------
# Across files


def test_no_masking_outside_free_text(run):
    """Codes, dates and amounts are never masked: only ``note`` may hold a masking marker."""
    hits = []
    for name, df in run["tables"].items():
        for col in df.columns:
            if col == "note":
                continue
            masked = df[col].astype(str).str.contains("disamarkan", na=False)
            if masked.any():
                hits.append(f"{name}.{col}: {df.loc[masked, col].tolist()[:3]}")
    reasons = run["rejected"]["reason"]
    hits += [f"rejected_rows reason: {r}" for r in reasons[reasons.str.contains("disamarkan")]]
    assert not hits, "\n".join(hits)
