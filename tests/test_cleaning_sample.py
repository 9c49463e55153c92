"""The cleaner on the bundled synthetic sample: every period cleans, counts add up, and exactly the rows the
generator made bad (``_generator/defects.csv``, ``must_reject``) are rejected; ``expected_counts.csv`` match.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.config import SAMPLE_SOURCE
from analysis.core.periods import period_from_filename, sort_key
from analysis.ingest.cleaning import clean_source
from analysis.ingest.privacy import scan_file_for_personal_data
from analysis.ingest.schemas import WARNING_CODES

#: The bundled sample; ``ANALYSIS_SAMPLE_SOURCE`` points the test at a freshly generated one instead.
SAMPLE = Path(os.environ.get("ANALYSIS_SAMPLE_SOURCE", SAMPLE_SOURCE))
GENERATOR = SAMPLE / "_generator"
PREFIXES = ("realisasi", "laporan_rt", "survei_warga")


def _sample_periods() -> list[str]:
    found = set()
    for path in SAMPLE.rglob("*"):
        for prefix in PREFIXES:
            period = period_from_filename(path.name, prefix) if path.is_file() else None
            if period:
                found.add(period)
    return sorted(found, key=sort_key)


def _period_of(file: str) -> str | None:
    name = file.rsplit("/", 1)[-1]
    for prefix in PREFIXES:
        period = period_from_filename(name, prefix)
        if period:
            return period
    return None  # a reference file: read with every period


def _truthy(v: object) -> bool:
    return str(v).strip().lower() in ("true", "1", "yes", "ya")


@pytest.fixture(scope="module")
def defects() -> pd.DataFrame:
    assert GENERATOR.is_dir(), f"the bundled sample is missing: {SAMPLE} (python -m analysis sample)"
    df = pd.read_csv(GENERATOR / "defects.csv", dtype=str, keep_default_na=False)
    df["must_reject"] = df["must_reject"].map(_truthy)
    df["row"] = pd.to_numeric(df["row"].replace("", None)).astype("Int64")  # blank for a file-level defect
    return df


@pytest.fixture(scope="module")
def expected_counts() -> pd.DataFrame:
    return pd.read_csv(GENERATOR / "expected_counts.csv", dtype={"file": str}, keep_default_na=False)


PERIODS = _sample_periods()


def test_sample_has_the_expected_periods():
    assert PERIODS[0] == "100-hari" and "2025-TW2" in PERIODS and PERIODS[-1] == "2026-TW3", PERIODS


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    """Every period of the sample, cleaned once (module scope: the tests below share the runs)."""
    hashes = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLE.rglob("*") if p.is_file()}
    runs = {period: clean_source(SAMPLE, period, tmp_path_factory.mktemp(period)) for period in PERIODS}
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLE.rglob("*") if p.is_file()}
    return runs, None, hashes == after


def test_raw_sample_never_modified(cleaned):
    assert cleaned[2]


def test_every_period_cleans_and_counts_add_up(cleaned):
    # how fast: bench/ and docs/performance.md (speed is measured in benchmarks, not in timed tests)
    runs, _, _ = cleaned
    for period, result in runs.items():
        q = result.quality
        assert q["is_synthetic"] is True and q["period"] == period
        for file, info in q["files"].items():
            assert (
                info["rows_read"] == info["rows_accepted"] + info["rows_rejected"] + info["rows_non_data"]
            ), file


def test_expected_counts_match(cleaned, expected_counts):
    runs, _, _ = cleaned
    seen = set()
    for period, result in runs.items():
        for file, info in result.quality["files"].items():
            row = expected_counts[expected_counts["file"] == file]
            assert len(row) == 1, f"{file} not in expected_counts.csv"
            seen.add(file)
            got = (info["rows_accepted"] + info["rows_rejected"], info["rows_non_data"])
            want = (int(row["rows_data"].iloc[0]), int(row["rows_non_data"].iloc[0]))
            assert got == want, (period, file, got, want)
    assert seen == set(expected_counts["file"]), set(expected_counts["file"]) - seen


def test_rejected_rows_are_exactly_the_must_reject_defects(cleaned, defects):
    runs, _, _ = cleaned
    problems = []
    for period, result in runs.items():
        files = set(result.quality["files"])
        d = defects[defects["file"].isin(files)]
        want = {(f, int(r)) for f, r, m in zip(d["file"], d["row"], d["must_reject"], strict=True) if m}
        rows = result.rejected[result.rejected["severity"] == "rejected"]
        got = set(zip(rows["file"], rows["row"].astype(int), strict=True))
        for f, r in sorted(got - want):
            reasons = result.rejected[(result.rejected["file"] == f) & (result.rejected["row"] == r)]
            problems.append(
                f"{period}: rejected but not must_reject: {f} row {r}: {reasons['reason'].tolist()}"
            )
        for f, r in sorted(want - got):
            what = d[(d["file"] == f) & (d["row"] == r)][["column", "defect"]].to_dict("records")
            problems.append(f"{period}: must_reject but accepted: {f} row {r}: {what}")
    assert not problems, "\n".join(problems[:40])


#: Defects the rules accept with a warning naming the row (data_quality_rules.md, "Accepted with a warning"):
#: defect kind of ``_generator/defects.csv`` -> warning code in ``quality.json``.
WARNED_DEFECTS = {
    "wrong_kecamatan": "wrong_kecamatan",
    "overspent": "overspent",
    "target_mismatch": "target_mismatch",
    "pii_in_text": "pii_masked",
    "formula_text": "formula_text",
    "html_text": "html_text",
    "value_missing": "value_missing",  # a registry value cell that cannot be read: the RT is kept
}


def test_accepted_defects_are_warned_or_kept(cleaned, defects):
    """Defects that must not be rejected: a warning with the defect's code naming the row and column (HTML
    and formula text also kept as text), or a file-level status (not a spreadsheet), or a renamed-sheet
    warning."""
    runs, _, _ = cleaned
    checked = set()
    for result in runs.values():
        files = result.quality["files"]
        for _, d in defects[defects["file"].isin(files) & ~defects["must_reject"]].iterrows():
            info = files[d["file"]]
            if d["defect"] in WARNED_DEFECTS:
                hits = [w for w in info["warnings"] if w["code"] == WARNED_DEFECTS[d["defect"]]]
                assert any(
                    w["row"] == d["row"] and w["file"] == d["file"] and (w["sheet"] or "") == d["sheet"]
                    and w["message"].startswith(f"row {d['row']}") for w in hits
                ), (d.to_dict(), info["warnings"])  # fmt: skip
                if d["defect"] in ("formula_text", "html_text"):
                    assert any(w["value"] == d["value"] for w in hits), d.to_dict()
                    table = result.tables["rt_reports" if "laporan_rt" in d["file"] else "agency_reports"]
                    row = table[(table["source_file"] == d["file"]) & (table["source_row"] == d["row"])]
                    assert list(row["note"]) == [d["value"]], d.to_dict()
            elif d["defect"] == "sheet_renamed":
                assert info["status"] == "read"
                assert any(
                    w["code"] == "sheet_renamed" and "read the only sheet" in w["message"]
                    for w in info["warnings"]
                )
            elif d["defect"] == "file_error":
                assert info["status"].startswith("not a spreadsheet"), info["status"]
            else:
                raise AssertionError(f"defect kind the test does not know: {d['defect']}")
            checked.add(d["defect"])
    assert checked >= {*WARNED_DEFECTS, "sheet_renamed", "file_error"}, checked


def test_every_warning_has_a_known_code_and_its_fields(cleaned):
    runs, _, _ = cleaned
    keys = ["code", "file", "sheet", "row", "column", "column_letter", "value", "severity", "message"]
    for result in runs.values():
        found = [w for info in result.quality["files"].values() for w in info["warnings"]]
        found += result.quality["warnings"]
        for w in found:
            assert list(w) == keys and w["code"] in WARNING_CODES and w["message"], w
            assert w["row"] is None or (
                isinstance(w["row"], int) and w["message"].startswith(f"row {w['row']}")
            )


def test_no_personal_data_in_outputs(cleaned):
    runs, _, _ = cleaned
    for result in runs.values():
        for p in (p for p in result.out_dir.rglob("*") if p.is_file()):
            text = p.read_bytes().decode("utf-8", errors="ignore")
            assert not re.search(r"(?<!\d)\d{16}(?!\d)", text), p
            assert scan_file_for_personal_data(p) == [], p
