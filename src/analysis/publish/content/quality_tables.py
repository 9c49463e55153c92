"""Data-quality content (``01_data_quality``, the briefing's data section): files read, rejections by
reason, rejected rows and warnings, as formatted tables with catalogue labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.formatting import format_number
from analysis.core.i18n import t

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

from analysis.publish.content.common import label_of, style_table

#: Keys of one warning in ``quality.json`` (``analysis.ingest.runlog.warning_record``); its ``code`` is one of
#: ``analysis.ingest.schemas.WARNING_CODES`` and is labelled by the catalogue (``nb.warning_kind.<code>``).
WARNING_FIELDS = ("code", "file", "sheet", "row", "column", "value", "message")


def quality_summary(quality: Mapping, lang: str = "id") -> str:
    """One sentence with the totals of ``quality.json``."""
    tot = quality.get("totals") or {}
    n = {
        k: format_number(int(tot.get(k, 0)), lang=lang)
        for k in ("files", "files_failed", "rows_read", "rows_accepted", "rows_rejected", "rows_non_data")
    }
    return t(
        "nb.text.quality_summary",
        lang,
        files=n["files"],
        failed=n["files_failed"],
        read=n["rows_read"],
        accepted=n["rows_accepted"],
        rejected=n["rows_rejected"],
        non_data=n["rows_non_data"],
    )


def files_frame(quality: Mapping) -> pd.DataFrame:
    """One row per input file of ``quality.json``: file, template, status and the row counts."""
    rows = [
        {
            "file": name,
            "template": info.get("template", ""),
            "status": info.get("status", ""),
            "rows_read": info.get("rows_read"),
            "rows_accepted": info.get("rows_accepted"),
            "rows_rejected": info.get("rows_rejected"),
            "rows_non_data": info.get("rows_non_data"),
        }
        for name, info in sorted((quality.get("files") or {}).items())
    ]
    cols = ["file", "template", "status", "rows_read", "rows_accepted", "rows_rejected", "rows_non_data"]
    df = pd.DataFrame(rows, columns=cols)
    return df.astype({c: "Int64" for c in cols[3:]})


def files_table(quality: Mapping, lang: str = "id") -> Styler:
    """Files received, with rows read / accepted / rejected / non-data (``quality.json``)."""
    df = files_frame(quality)
    df["template"] = [label_of("nb.template", v, lang) for v in df["template"]]
    df["status"] = [label_of("nb.file_status", v, lang) for v in df["status"]]
    labels = {
        "file": t("nb.col.file", lang),
        "template": t("nb.col.kind", lang),
        "status": t("nb.col.status", lang),
        "rows_read": t("columns.rows_read", lang),
        "rows_accepted": t("columns.rows_accepted", lang),
        "rows_rejected": t("columns.rows_rejected", lang),
        "rows_non_data": t("nb.col.rows_non_data", lang),
    }
    kinds = {"file": "text", "template": "text", "status": "text", **{c: "int" for c in list(labels)[3:]}}
    return style_table(df, kinds, lang, labels=labels, table_id="files")


def file_errors(quality: Mapping) -> pd.DataFrame:
    """Files whose status is not ``read`` (file-level problems: not a spreadsheet, missing sheet/column)."""
    df = files_frame(quality)
    return df[df["status"] != "read"][["file", "template", "status"]].reset_index(drop=True)


def file_errors_table(quality: Mapping, lang: str = "id") -> Styler | str:
    """Unreadable files as a table, or a sentence saying every file was read."""
    df = file_errors(quality)
    if df.empty:
        return t("nb.text.no_file_errors", lang)
    df["template"] = [label_of("nb.template", v, lang) for v in df["template"]]
    labels = {
        "file": t("nb.col.file", lang),
        "template": t("nb.col.kind", lang),
        "status": t("nb.col.status", lang),
    }
    return style_table(df, dict.fromkeys(labels, "text"), lang, labels=labels, table_id="file_errors")


def skipped_files(quality: Mapping) -> pd.DataFrame:
    """Files of the data source not read for the period, with the reason (``quality.json``
    ``skipped_files``, :mod:`analysis.ingest.inventory`): path, reason code and reason (English)."""
    cols = ["path", "reason_code", "reason"]
    rows = [{c: f.get(c, "") for c in cols} for f in quality.get("skipped_files") or []]
    return pd.DataFrame(rows, columns=cols).astype("str")


def skipped_files_table(quality: Mapping, lang: str = "id") -> Styler | str:
    """Skipped files as a table (the reason in the catalogue's words), or a sentence saying none was; the
    count of other periods' files follows as a sentence in :func:`other_period_files_text`."""
    df = skipped_files(quality)
    if df.empty:
        return t("nb.text.no_skipped_files", lang)
    df["reason_code"] = [label_of("nb.skip_reason", v, lang) for v in df["reason_code"]]
    df = df[["path", "reason_code"]]
    labels = {"path": t("nb.col.file", lang), "reason_code": t("nb.col.reason", lang)}
    return style_table(df, dict.fromkeys(labels, "text"), lang, labels=labels, table_id="skipped_files")


def other_period_files_text(quality: Mapping, lang: str = "id") -> str | None:
    """ "N files of other periods were not read", or None when there are none."""
    n = int((quality.get("totals") or {}).get("files_other_periods") or 0)
    return t("nb.text.other_period_files", lang, n=format_number(n, lang=lang)) if n else None


def rejections_by_reason(rejected: pd.DataFrame) -> pd.DataFrame:
    """One row per reason code: ``rows`` (distinct file rows rejected for it) and ``lines`` (findings).

    ``rejected``: ``rejected_rows.csv`` (one line per problem). Sorted by rows, most first.
    """
    cols = ["reason_code", "rows", "lines"]
    if rejected.empty:
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "reason_code" else "int64") for c in cols})
    key = rejected["file"].astype("str") + "\x00" + rejected["row"].astype("str")
    out = (
        rejected.assign(_key=key)
        .groupby("reason_code", sort=True)
        .agg(rows=("_key", "nunique"), lines=("_key", "size"))
        .reset_index()
    )
    return out.sort_values(["rows", "reason_code"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )[cols]


def rejections_table(rejected: pd.DataFrame, lang: str = "id") -> Styler | str:
    """Rejected rows by reason (catalogue words), or a sentence when nothing was rejected."""
    df = rejections_by_reason(rejected)
    if df.empty:
        return t("nb.text.no_rejections", lang)
    from analysis.publish.charts import reason_text

    df["reason_code"] = [reason_text(c, lang) for c in df["reason_code"]]
    labels = {
        "reason_code": t("nb.col.reason", lang),
        "rows": t("nb.col.rows", lang),
        "lines": t("nb.col.lines", lang),
    }
    return style_table(
        df, {"reason_code": "text", "rows": "int", "lines": "int"}, lang, labels=labels, table_id="rejections"
    )


def rejected_rows_table(rejected: pd.DataFrame, lang: str = "id", limit: int = 25) -> Styler | str:
    """The first ``limit`` rejected lines (file, row, column, value as written, reason), escaped."""
    if rejected.empty:
        return t("nb.text.no_rejections", lang)
    from analysis.publish.charts import reason_text

    df = rejected.head(limit)[["file", "row", "column", "value", "reason_code"]].copy()
    df["reason_code"] = [reason_text(c, lang) for c in df["reason_code"]]
    labels = {
        "file": t("nb.col.file", lang),
        "row": t("nb.col.row", lang),
        "column": t("nb.col.column", lang),
        "value": t("nb.col.value", lang),
        "reason_code": t("nb.col.reason", lang),
    }
    kinds = {"file": "text", "row": "int", "column": "text", "value": "text", "reason_code": "text"}
    caption = t("nb.text.shown_of", lang, shown=len(df), total=len(rejected))
    return style_table(df, kinds, lang, labels=labels, caption=caption, table_id="rejected_rows")


def warnings_frame(quality: Mapping) -> pd.DataFrame:
    """One row per warning of ``quality.json``, by file and row (run-level warnings last): ``file``,
    ``code``, ``row`` (Int64), ``column``, ``value``, ``message``.

    A warning that is not an object with a ``code`` comes from a cleaner older than the warning codes:
    ``ValueError`` naming it (clean the period again).
    """
    found = [
        (0, name, w)
        for name, info in sorted((quality.get("files") or {}).items())
        for w in info.get("warnings", [])
    ]
    found += [(1, "", w) for w in quality.get("warnings", [])]
    rows = []
    for run_level, name, w in found:
        if not isinstance(w, Mapping) or "code" not in w:
            raise ValueError(
                f"quality.json: warning {w!r} of {name or 'the run'} has no code; it was written by an older "
                "cleaner: clean the period again (python -m analysis clean)"
            )
        rows.append(
            {
                "run_level": run_level,
                "file": w.get("file") or name,
                "code": w["code"],
                "row": w.get("row"),
                "column": w.get("column") or "",
                "value": w.get("value") or "",
                "message": w.get("message") or "",
            }
        )
    df = pd.DataFrame(rows, columns=["run_level", "file", "code", "row", "column", "value", "message"])
    df["row"] = df["row"].astype("Int64")
    for col in ("file", "code", "column", "value", "message"):
        df[col] = df[col].astype("str")
    df = df.sort_values(["run_level", "file", "row"], kind="mergesort", na_position="first")
    return df.drop(columns="run_level").reset_index(drop=True)


def warning_counts_table(quality: Mapping, lang: str = "id") -> Styler | str:
    """How many warnings of each kind (catalogue words), most first."""
    df = warnings_frame(quality)
    if df.empty:
        return t("nb.text.no_warnings", lang)
    counts = df.groupby("code", sort=True).size().rename("count").reset_index()
    counts = counts.sort_values(["count", "code"], ascending=[False, True], kind="mergesort")
    counts["kind"] = [t(f"nb.warning_kind.{k}", lang) for k in counts["code"]]
    counts = counts[["kind", "count"]]
    labels = {"kind": t("nb.col.warning_kind", lang), "count": t("nb.col.count", lang)}
    return style_table(
        counts, {"kind": "text", "count": "int"}, lang, labels=labels, table_id="warning_counts"
    )


def warnings_table(quality: Mapping, lang: str = "id") -> Styler | str:
    """Every warning: file, row, kind (catalogue words, by code) and the cleaner's own message (English,
    escaped)."""
    df = warnings_frame(quality)
    if df.empty:
        return t("nb.text.no_warnings", lang)
    df["kind"] = [t(f"nb.warning_kind.{k}", lang) for k in df["code"]]
    labels = {
        "file": t("nb.col.file", lang),
        "row": t("nb.col.row", lang),
        "kind": t("nb.col.warning_kind", lang),
        "message": t("nb.col.warning", lang),
    }
    kinds = {"file": "text", "row": "int", "kind": "text", "message": "text"}
    return style_table(df[list(labels)], kinds, lang, labels=labels, table_id="warnings")
