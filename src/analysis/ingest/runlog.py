"""The cleaner's log (:class:`RunLog`): every file read, every rejection and every cell left missing, with
the file, sheet, row, column (as written, and its letter), the value as written and a reason code, and every
warning (:func:`warning_record`). The rules (:mod:`analysis.ingest.clean_rules`), the cleaner
(:mod:`analysis.ingest.cleaning`) and the outputs (:mod:`analysis.ingest.quality`) all write or read it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from analysis.ingest import privacy
from analysis.ingest.inventory import SkippedFile
from analysis.ingest.readers import RawFile, RawRow
from analysis.ingest.schemas import (
    REASONS,
    WARNING_CODES,
)

#: Cleaned-table column -> the template column it comes from (for the ``column``/``value`` of rejections).
SOURCE_COLUMN = {
    "rt_code": "rt_number",
    "kelurahan_code": "kelurahan_name",
    "target_low": "target",
    "target_high": "target",
    "target_reported_low": "target_reported",
    "target_reported_high": "target_reported",
}


@dataclass
class RunLog:
    """Rejections and warnings collected while cleaning; raw rows kept to quote the values as written."""

    files: dict[str, RawFile] = field(default_factory=dict)
    rows: dict[tuple[str, int], RawRow] = field(default_factory=dict)
    rejections: list[dict] = field(default_factory=list)
    #: per file, then run level: warning records (:func:`warning_record`), in the order they were found
    warnings: dict[str, list[dict]] = field(default_factory=dict)
    run_warnings: list[dict] = field(default_factory=list)
    #: (table, key column) -> key value -> why the rows with that key were rejected (names the rows)
    rejected_refs: dict[tuple[str, str], dict[object, str]] = field(default_factory=dict)
    #: per file: cell counts of data rows (``value_missing``, ``filled_down``); per row: non-blank cells
    cells: dict[str, dict[str, int]] = field(default_factory=dict)
    row_cells: dict[tuple[str, int], int] = field(default_factory=dict)
    #: (file, row) -> that row's records in ``rejections`` (so that :meth:`problems_of` is not a scan)
    rejections_by_row: dict[tuple[str, int], list[dict]] = field(default_factory=dict)
    #: files of the data source not read, with the reason; files of other periods (counted, not listed)
    skipped: list[SkippedFile] = field(default_factory=list)
    other_period_files: int = 0

    def add_file(self, raw: RawFile) -> None:
        """Log a file read; two names that differ only in masked personal data get `` (2)``, `` (3)`` ..."""
        base, n = raw.rel_path, 2
        while raw.rel_path in self.files:
            raw.rel_path, n = f"{base} ({n})", n + 1
        self.files[raw.rel_path] = raw
        self.warnings.setdefault(raw.rel_path, []).extend(
            warning_record(
                w.code,
                w.message,
                raw.rel_path,
                raw.sheet,
                row=w.row,
                column=w.column,
                value=w.value,
                column_letter=w.column_letter,
            )
            for w in raw.warnings
        )
        for r in raw.rows:
            self.rows[(raw.rel_path, r.row)] = r

    def header(self, file: str, name: str | None) -> str:
        if name is None:
            return ""
        src = SOURCE_COLUMN.get(name, name)
        raw = self.files[file]
        if src in raw.headers:
            return raw.headers[src]
        try:
            return raw.template.column(src).header
        except KeyError:
            return src

    def value(self, file: str, row: int, name: str | None) -> object:
        if name is None:
            return ""
        src = SOURCE_COLUMN.get(name, name)
        return self.rows[(file, row)].values.get(src)

    def reject(
        self, file: str, row: int, name: str | None, reason_code: str, reason: str, value: object = None
    ) -> None:
        if reason_code not in REASONS:
            raise KeyError(f"unknown reason code {reason_code!r}")
        raw = self.files[file]
        cell = self.value(file, row, name) if value is None else value
        self.rejections.append(
            {
                "file": file,
                "sheet": raw.sheet or "",
                "row": int(row),
                "column": self.header(file, name),
                "value": display_value(cell),
                "reason_code": reason_code,
                # the quoted cell masked as written, then anything else a file put there (a header)
                "reason": privacy.mask_text(privacy.mask_quoted_value(reason, cell)),
            }
        )
        self.rejections[-1].update(column_letter=self.letter(file, name), severity="rejected")
        self.rejections_by_row.setdefault((file, int(row)), []).append(self.rejections[-1])

    def letter(self, file: str, name: str | None) -> str:
        """Excel column letter of cleaned column ``name`` in ``file`` ("" for a whole-row problem)."""
        if name is None or file not in self.files:
            return ""
        return self.files[file].letters.get(SOURCE_COLUMN.get(name, name), "")

    def missing(
        self, file: str, row: int, name: str, reason_code: str, reason: str, value: object = None
    ) -> None:
        """A value cell of a kept row that could not be used: reported (severity ``missing``, and a
        ``value_missing`` warning) and left missing; the row is not rejected."""
        self.reject(file, row, name, reason_code, reason, value)
        self.rejections[-1]["severity"] = "missing"
        self.count_cell(file, "value_missing")
        self.warn(
            file,
            "value_missing",
            f"row {row}: {reason}; the row is kept with {self.header(file, name)} missing",
            row=row,
            name=name,
            value=self.value(file, row, name) if value is None else value,
        )
        self.warnings[file][-1]["severity"] = "missing"

    def count_cell(self, file: str, outcome: str, n: int = 1) -> None:
        counts = self.cells.setdefault(file, {})
        counts[outcome] = counts.get(outcome, 0) + n

    def problems_of(self, file: str, row: int) -> str:
        """The rejection reasons of one row, short: ``Jumlah KK '47 KK'; duplicate``."""
        out = []
        for r in self.rejections_by_row.get((file, int(row)), ()):
            if r["severity"] == "rejected":
                text = f"{r['column']} {r['value']!r}" if r["column"] and r["value"] else r["reason_code"]
                text = r["reason_code"] if r["reason_code"] == "duplicate" else text
                if text not in out:
                    out.append(text)
        return "; ".join(out)

    def warn(
        self,
        file: str,
        code: str,
        message: str,
        row: int | None = None,
        name: str | None = None,
        value: object = None,
    ) -> None:
        """A warning about ``file`` (``row``, cleaned column ``name`` shown as its header as written, and
        ``value`` as written where they apply); ``code`` from ``analysis.ingest.schemas.WARNING_CODES``."""
        self.warnings.setdefault(file, []).append(
            warning_record(
                code,
                message,
                file,
                self.files[file].sheet if file in self.files else None,
                row=row,
                column=self.header(file, name) if name is not None and file in self.files else name,
                value=value,
                column_letter=self.letter(file, name) or None,
            )
        )

    def warn_run(self, code: str, message: str, file: str | None = None) -> None:
        """A run-level warning (not about one row), optionally naming a file."""
        self.run_warnings.append(warning_record(code, message, file))

    def run_warnings_of(self, code: str) -> list[dict]:
        return [w for w in self.run_warnings if w["code"] == code]

    def rejected_keys(self) -> set[tuple[str, int]]:
        """Rows rejected (severity ``rejected``); a value left missing does not reject its row."""
        return {(r["file"], r["row"]) for r in self.rejections if r["severity"] == "rejected"}


#: A whole float below this is written with all its digits (a 16-digit NIK typed as a number is then masked);
#: larger ones in exponent form (``1e+308``), since a float holds only about 16 significant digits.
WHOLE_DIGITS_BELOW = 1e16


def display_value(value: object) -> str:
    """A raw cell as text for ``rejected_rows.csv``, NIK/phone-like text masked.

    >>> display_value(12500000.0), display_value(None), display_value(datetime(2025, 6, 30))
    ('12500000', '', '2025-06-30')
    >>> display_value(1e308), display_value(1571014509800001.0), display_value(0.1 + 0.2)
    ('1e+308', '[NIK disamarkan]', '0.3')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer() and abs(value) < WHOLE_DIGITS_BELOW:
        text = str(int(value))
    elif isinstance(value, float):
        text = f"{value:.15g}"  # 1e+308, not 309 digits
    else:
        text = str(value)
    masked, _ = privacy.mask_personal_text(text)
    return masked


def warning_record(
    code: str,
    message: str,
    file: str | None = None,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    column_letter: str | None = None,
    severity: str = "warning",
) -> dict:
    """One warning of ``quality.json``: fixed keys in a fixed order, ``None`` where a field does not apply;
    ``value`` as written (:func:`display_value`) and ``message`` as written except where it quotes ``value``
    (masked there, :func:`analysis.ingest.privacy.mask_quoted_value`); NIK/phone-like text in ``file``,
    ``sheet``, ``column`` and ``message`` (a header, a sheet or file name) masked too; ``severity`` is ``warning`` (the row is
    kept as it is) or ``missing`` (a value cell was left missing).

    >>> warning_record("overspent", "row 6: spending above the allocation", "f.xlsx", "Laporan RT", 6, "Realisasi", 5.1e7, "F")
    {'code': 'overspent', 'file': 'f.xlsx', 'sheet': 'Laporan RT', 'row': 6, 'column': 'Realisasi', 'column_letter': 'F', 'value': '51000000', 'severity': 'warning', 'message': 'row 6: spending above the allocation'}
    """
    if code not in WARNING_CODES:
        raise KeyError(f"unknown warning code {code!r}; known: {sorted(WARNING_CODES)}")
    mask = privacy.mask_text  # every field that may hold text from a file (file, sheet, header, message)
    return {
        "code": code,
        "file": mask(file),
        "sheet": mask(sheet) or None,
        "row": None if row is None else int(row),
        "column": mask(column) or None,
        "column_letter": column_letter or None,
        "value": None if value is None else display_value(value),
        "severity": severity,
        "message": mask(privacy.mask_quoted_value(message, value)),
    }
