"""Byte-identical file writing: XLSX without timestamps, CSV with ``\\n`` line endings.

openpyxl stamps the current time into ``docProps/core.xml`` (``save_workbook`` overwrites
``properties.modified``) and :mod:`zipfile` stamps every entry with the current time. We write the
workbook through openpyxl's ``ExcelWriter`` (which keeps the properties we set) into an uncompressed
archive in memory and then rewrite it, deflated, with a fixed entry time, fixed attributes and entries in
sorted order (the bytes depend only on the entries' names and contents).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from analysis.core.atomic import write_bytes_atomic

#: Stamped into ``docProps/core.xml`` (created/modified) of every generated workbook.
FIXED_DOC_TIME = datetime(2025, 2, 20, 0, 0, 0)
#: Zip entry time; 1980-01-01 is the earliest time a zip entry can hold.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: (Kept as first written, when the modules were analysis.sample and analysis.templates: it is in the bytes of the committed sample.)
CREATOR = "analysis.sample / analysis.templates (Kota Jambi Bahagia analysis)"


def workbook_bytes(wb: Workbook) -> bytes:
    """The XLSX bytes of ``wb``, identical on every run for the same workbook content."""
    wb.properties.created = FIXED_DOC_TIME
    wb.properties.modified = FIXED_DOC_TIME
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = None
    raw = io.BytesIO()
    # stored, not deflated: normalise_zip reads every entry back and deflates it once (the same bytes)
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(wb, archive).write_data()
    return normalise_zip(raw.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip archive with sorted entries, a fixed entry time and fixed attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the platform
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Write ``wb`` to ``path`` deterministically (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, workbook_bytes(wb))
    return path


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    """Write a UTF-8 CSV with ``\\n`` line endings; ``None`` becomes an empty field."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    write_bytes_atomic(path, ("\ufeff" if bom else "").encode("utf-8") + buf.getvalue().encode("utf-8"))
    return path
