"""The cleaner's outputs: ``quality.json`` (counts that add up), ``rejected_rows.csv`` and the Parquet tables.

Everything here is deterministic: two runs on the same input give byte-identical files (rows sorted by key,
no timestamps, Parquet written by pyarrow with fixed options, JSON with a fixed key order).

``rejected_rows.csv`` is meant for Excel users: UTF-8 with a byte-order mark, and any text that Excel would
run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, unless it is a plain
number) is written with a leading ``'`` so that it stays text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.core.atomic import atomic_path, write_bytes_atomic, write_text_atomic
from analysis.core.config import SAMPLE_NOTICE, is_synthetic_source
from analysis.ingest import privacy
from analysis.ingest.schemas import REJECTED_COLUMNS, TABLE_OF_TEMPLATE, TABLES

if TYPE_CHECKING:
    from analysis.ingest.runlog import RunLog


#: Parquet options fixed for byte-identical output (pyarrow).
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3, "version": "2.6", "write_statistics": True}
#: Characters that make Excel (and LibreOffice) treat a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?\d[\d.,]*")


def excel_safe(text: str) -> str:
    """Prefix ``'`` to text that Excel would evaluate as a formula.

    >>> excel_safe('=HYPERLINK("http://x")'), excel_safe("-5000"), excel_safe("Kenali Asam")
    ('\\'=HYPERLINK("http://x")', '-5000', 'Kenali Asam')
    """
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def rejected_for_excel(rejected: pd.DataFrame) -> pd.DataFrame:
    """``rejected_rows`` with every text cell made Excel-safe."""
    out = rejected.copy()
    for col in out.columns:
        if col != "row":
            out[col] = out[col].map(excel_safe)
    return out


def file_quality(log: RunLog, rejected: pd.DataFrame) -> dict[str, dict]:
    """Per input file: status, row counts with ``rows_read = accepted + rejected + non_data``, and cell
    counts of the data rows with ``cells_read = cells_accepted + cells_left_missing + cells_in_rejected_rows``
    (non-blank cells of the template's columns; ``cells_filled_down`` blank cells filled from the row above,
    not counted as read)."""
    is_rejected = rejected["severity"] == "rejected" if len(rejected) else pd.Series(dtype=bool)
    rejected_rows = rejected[is_rejected].groupby("file")["row"].unique().to_dict() if len(rejected) else {}
    missing = rejected[~is_rejected] if len(rejected) else rejected
    missing_cells = missing[missing["value"] != ""].groupby("file").size().to_dict() if len(missing) else {}
    out: dict[str, dict] = {}
    for rel in sorted(log.files):
        raw = log.files[rel]
        bad_rows = {int(r) for r in rejected_rows.get(rel, ())}
        n_rejected = len(bad_rows)
        n_data = len(raw.rows)
        cells = [log.row_cells.get((rel, r.row), 0) for r in raw.rows]
        in_rejected = sum(n for r, n in zip(raw.rows, cells, strict=True) if r.row in bad_rows)
        left_missing = int(missing_cells.get(rel, 0))
        out[rel] = {
            "template": raw.template.key,
            "sheet": raw.sheet,
            "status": raw.status,
            "header_row": raw.header_row,
            "rows_read": raw.rows_read,
            "rows_accepted": n_data - n_rejected,
            "rows_rejected": n_rejected,
            "rows_non_data": raw.rows_non_data,
            "non_data": dict(raw.non_data),
            "cells_read": sum(cells),
            "cells_accepted": sum(cells) - in_rejected - left_missing,
            "cells_left_missing": left_missing,
            "cells_in_rejected_rows": in_rejected,
            "cells_filled_down": int(log.cells.get(rel, {}).get("filled_down", 0)),
            "warnings": list(log.warnings.get(rel, [])),
        }
        entry = out[rel]
        if entry["rows_read"] != entry["rows_accepted"] + entry["rows_rejected"] + entry["rows_non_data"]:
            raise AssertionError(f"{rel}: row counts do not add up: {entry}")
        if entry["cells_accepted"] < 0 or entry["cells_read"] != (
            entry["cells_accepted"] + entry["cells_left_missing"] + entry["cells_in_rejected_rows"]
        ):
            raise AssertionError(f"{rel}: cell counts do not add up: {entry}")
    return out


def _check_accepted_against_tables(files: dict[str, dict], tables: dict[str, pd.DataFrame]) -> None:
    """Every accepted row is in exactly one cleaned table (counts per template and, where kept, per file)."""
    per_table: dict[str, int] = {}
    for info in files.values():
        table = TABLE_OF_TEMPLATE[info["template"]]
        per_table[table] = per_table.get(table, 0) + info["rows_accepted"]
    for name, df in tables.items():
        if len(df) != per_table.get(name, 0):
            raise AssertionError(
                f"{name}: {len(df)} rows but {per_table.get(name, 0)} accepted rows in its files"
            )
        if "source_file" in df.columns:
            counts = df["source_file"].value_counts().to_dict()
            for rel, info in files.items():
                if (
                    TABLE_OF_TEMPLATE[info["template"]] == name
                    and counts.get(rel, 0) != info["rows_accepted"]
                ):
                    raise AssertionError(
                        f"{rel}: {counts.get(rel, 0)} rows in {name}, {info['rows_accepted']} accepted"
                    )


def build_quality(
    raw_dir: Path, period: str, tables: dict[str, pd.DataFrame], log: RunLog, rejected: pd.DataFrame
) -> dict:
    """``quality.json``: run summary (source, period, synthetic flag, totals, tables, run warnings, the files
    of the source not read with the reason: ``skipped_files``) and per-file counts."""
    files = file_quality(log, rejected)
    _check_accepted_against_tables(files, tables)
    synthetic = is_synthetic_source(raw_dir)
    totals = {
        "files": len(files),
        "files_failed": sum(1 for f in files.values() if f["status"] != "read"),
        "files_skipped": len(log.skipped),
        "files_other_periods": log.other_period_files,
        **{
            k: sum(f[k] for f in files.values())
            for k in (
                "rows_read",
                "rows_accepted",
                "rows_rejected",
                "rows_non_data",
                "cells_read",
                "cells_left_missing",
                "cells_filled_down",
            )
        },
    }
    by_reason = (
        rejected.loc[rejected["severity"] == "rejected", "reason_code"].value_counts().sort_index().to_dict()
        if len(rejected)
        else {}
    )
    by_missing = (
        rejected.loc[rejected["severity"] == "missing", "reason_code"].value_counts().sort_index().to_dict()
        if len(rejected)
        else {}
    )
    quality = {
        "source": privacy.mask_text(Path(raw_dir).resolve().name),
        "period": period,
        "is_synthetic": synthetic,
        **({"notice": SAMPLE_NOTICE} if synthetic else {}),
        "totals": totals,
        "tables": {name: len(df) for name, df in tables.items()},
        "rejections_by_reason": {k: int(v) for k, v in by_reason.items()},
        "missing_by_reason": {k: int(v) for k, v in by_missing.items()},
        "warnings": list(log.run_warnings),
        "skipped_files": [f.as_dict() for f in log.skipped],
        "files": files,
    }
    return quality


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """One cleaned table -> Parquet (pyarrow, fixed options, no index), written to a temporary name and
    renamed into place (``analysis.core.atomic``): a reader never sees a part of the file."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, **PARQUET_OPTIONS)


def read_parquet_table(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path, engine="pyarrow")


def write_outputs(
    out_dir: Path, tables: dict[str, pd.DataFrame], rejected: pd.DataFrame, quality: dict
) -> None:
    """Write ``<table>.parquet`` for every cleaned table, ``rejected_rows.csv`` and ``quality.json``, each
    through a temporary name (``clean_source`` writes them into a staging folder swapped in whole)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        write_parquet(tables[name], out_dir / f"{name}.parquet")
    csv_frame = rejected_for_excel(rejected[list(REJECTED_COLUMNS)])
    write_bytes_atomic(
        out_dir / "rejected_rows.csv",
        b"\xef\xbb\xbf" + csv_frame.to_csv(index=False, lineterminator="\n").encode("utf-8"),
    )
    write_text_atomic(out_dir / "quality.json", json.dumps(quality, indent=2, ensure_ascii=False) + "\n")
