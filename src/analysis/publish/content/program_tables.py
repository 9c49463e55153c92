"""Program content (``02_program_achievement``, the briefing's program pages): capaian per program,
indicator and sector, and the claim check's sections, readings and evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.formatting import MISSING, format_number
from analysis.core.i18n import t

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

from analysis.publish.content.common import (
    HUNDRED_DAYS,
    TARGET_MET_PCT,
    _comparator_text,
    _label_col,
    bullets,
    claim_translation,
    label_of,
    localized,
    md_escape,
    pct,
    slug,
    style_table,
)


def _flags_text(row: pd.Series, lang: str) -> str:
    flags = []
    if bool(pd.notna(row.get("is_high_spend_low_output")) and row.get("is_high_spend_low_output")):
        flags.append(t("nb.flag.high_spend_low_output", lang))
    if bool(pd.notna(row.get("is_low_spend_high_output")) and row.get("is_low_spend_high_output")):
        flags.append(t("nb.flag.low_spend_high_output", lang))
    return "; ".join(flags)


def level_text(row: pd.Series, lang: str = "id", pct_column: str = "achievement_capped_pct") -> str:
    """The level of a capaian, never hiding a missed target: ``Sangat Tinggi · belum mencapai target`` when
    the capaian (``pct_column``) is below 100 %; the reason in words when it cannot be computed.

    >>> level_text(pd.Series({"achievement_level": "Sangat Tinggi", "achievement_capped_pct": 99.1,
    ...                       "achievement_status": "computed"}))
    'Sangat Tinggi · belum mencapai target'
    """
    status = row.get("achievement_status", "computed")
    if status != "computed" and not pd.isna(row.get("achievement_reason")):
        return label_of("nb.na_reason", row["achievement_reason"], lang)
    text = label_of("levels", row["achievement_level"], lang)
    value = row.get(pct_column)
    if value is not None and not pd.isna(value) and value < TARGET_MET_PCT:
        text += " · " + t("msg.below_target", lang)
    return text


def capped_label(df: pd.DataFrame, lang: str = "id") -> str:
    """Header of a capped capaian column: ``Capaian (%, dibatasi 120%)`` (the table's ``cap_pct``)."""
    if "cap_pct" in df and df["cap_pct"].notna().any():
        return t(
            "nb.col.achievement_capped_cap", lang, cap=pct(float(df["cap_pct"].dropna().iloc[0]), lang, 0)
        )
    return t("nb.col.achievement_capped", lang)


def program_table(
    programs: pd.DataFrame, lang: str = "id", with_budget: bool = True, compact: bool = False
) -> Styler:
    """Capaian per program (capped and uncapped), level, indicators met, and optionally pagu, serapan, flags.

    ``compact=True`` (the briefing) keeps program, capaian, level, serapan and the flags. The capped column
    says its cap in the header and, where the cap changed a program's capaian, in the cell, as the bar
    chart does (``charts.capped_value_text``: ``120,0% (dibatasi 120%)``); the level says "belum mencapai
    target" below 100 % (:func:`level_text`).
    """
    df = programs.sort_values("program_code").copy()
    df["program"] = df[_label_col(df)]
    df["level"] = [level_text(r, lang) for _, r in df.iterrows()]
    df["indicators"] = [
        f"{format_number(m, lang=lang)}/{format_number(c, lang=lang)}"
        for m, c in zip(df["indicators_met"], df["indicators_computable"], strict=True)
    ]
    df["flags"] = [_flags_text(r, lang) for _, r in df.iterrows()]
    labels = {
        "program": t("columns.program_name", lang),
        "achievement_capped_pct": capped_label(df, lang),
        "achievement_pct": t("nb.col.achievement_uncapped", lang),
        "level": t("columns.achievement_level", lang),
        "indicators": t("nb.col.indicators", lang),
    }
    kinds = {
        "program": "text",
        "achievement_capped_pct": "percent",
        "achievement_pct": "percent",
        "level": "text",
        "indicators": "text",
    }
    if with_budget:
        labels |= {
            "budget_allocated_idr": t("columns.budget_allocated_idr", lang),
            "serapan_pct": t("columns.serapan_pct", lang),
            "flags": t("nb.col.flag", lang),
        }
        kinds |= {"budget_allocated_idr": "money_compact", "serapan_pct": "percent", "flags": "text"}
    dropped = ["achievement_pct", "indicators", "budget_allocated_idr"] if compact else []
    if not any(df["flags"]):
        dropped.append("flags")  # no flag on any program: no empty column
    for col in dropped:
        labels.pop(col, None)
        kinds.pop(col, None)
    # the capped capaian as the chart above writes it: "120,0% (dibatasi 120%)" where the cap changed it
    from analysis.publish.charts import capped_value_text

    df["achievement_capped_text"] = [capped_value_text(r, lang) for _, r in df.iterrows()]
    labels = {
        ("achievement_capped_text" if k == "achievement_capped_pct" else k): v for k, v in labels.items()
    }
    kinds = {("achievement_capped_text" if k == "achievement_capped_pct" else k): v for k, v in kinds.items()}
    kinds["achievement_capped_text"] = "text"
    styler = style_table(df[list(labels)], kinds, lang, labels=labels, table_id="programs")
    column = labels["achievement_capped_text"]
    position = list(labels).index("achievement_capped_text")
    return styler.set_properties(subset=[column], **{"text-align": "right"}).set_table_styles(
        [{"selector": f"th.col_heading.col{position}", "props": "text-align: right;"}], overwrite=False
    )


def _target_text(row: pd.Series, lang: str) -> str:
    low, high = row["target_low"], row["target_high"]
    if pd.isna(low) and pd.isna(high):
        return MISSING
    if pd.isna(high) or low == high:
        return format_number(low, lang=lang)
    return f"{format_number(low, lang=lang)}–{format_number(high, lang=lang)}"


def indicator_table(indicators: pd.DataFrame, lang: str = "id") -> Styler:
    """Capaian per indicator: target, realisation, capaian, level (or why it cannot be computed)."""
    df = indicators.sort_values(["program_code", "indicator_code"]).copy()
    df["program"] = df[_label_col(df)]
    df["target"] = [_target_text(r, lang) for _, r in df.iterrows()]
    df["level"] = [level_text(r, lang, "achievement_pct") for _, r in df.iterrows()]
    labels = {
        "program": t("columns.program_name", lang),
        "indicator_name": t("columns.indicator_name", lang),
        "unit": t("columns.unit", lang),
        "target": t("nb.col.target", lang),
        "realisation": t("nb.col.realisation", lang),
        "achievement_pct": t("columns.achievement_pct", lang),
        "level": t("columns.achievement_level", lang),
        "achievement_change_pp": t("nb.col.change_pp", lang),
    }
    kinds = {
        "program": "text",
        "indicator_name": "text",
        "unit": "text",
        "target": "text",
        "realisation": "number",
        "achievement_pct": "percent",
        "level": "text",
        "achievement_change_pp": "number",
    }
    df["achievement_change_pp"] = df["achievement_change_pp"].round(1)
    return style_table(df[list(labels)], kinds, lang, labels=labels, table_id="indicators")


def sector_table(sectors: pd.DataFrame, lang: str = "id") -> Styler:
    """Capaian per sector (unweighted mean of its programs), programs met, pagu and serapan."""
    df = sectors.sort_values("sector").copy()
    df["programs"] = [
        f"{format_number(m, lang=lang)}/{format_number(c, lang=lang)}"
        for m, c in zip(df["programs_met"], df["programs_computable"], strict=True)
    ]
    df["level"] = [level_text(r, lang) for _, r in df.iterrows()]
    labels = {
        "sector": t("columns.sector", lang),
        "programs": t("nb.col.programs", lang),
        "achievement_capped_pct": capped_label(df, lang),
        "level": t("columns.achievement_level", lang),
        "budget_allocated_idr": t("columns.budget_allocated_idr", lang),
        "serapan_pct": t("columns.serapan_pct", lang),
    }
    kinds = {
        "sector": "text",
        "programs": "text",
        "achievement_capped_pct": "percent",
        "level": "text",
        "budget_allocated_idr": "money_compact",
        "serapan_pct": "percent",
    }
    return style_table(df[list(labels)], kinds, lang, labels=labels, table_id="sectors")


def claim_sections(
    claims: pd.DataFrame, lang: str = "id", include_examples: bool = True
) -> list[tuple[str, pd.DataFrame]]:
    """Per claim (file order): a Markdown block (claim, source, interpretation, verdict, rule, data note)
    and its readings; examples (``is_example``) last or left out."""
    if claims.empty:
        return []
    out = []
    ids = list(dict.fromkeys(claims["claim_id"]))
    for cid in ids:
        rows = claims[claims["claim_id"] == cid]
        first = rows.iloc[0]
        is_example = bool(pd.notna(first["is_example"]) and first["is_example"])
        if is_example and not include_examples:
            continue
        lines = []
        if is_example:
            lines.append(f"**{t('nb.text.claim_example', lang)}**")
        lines += [
            t(
                "nb.text.claim_intro",
                lang,
                text=md_escape(first["claim_text"]),
                translation=claim_translation(first, lang),
                speaker=md_escape(localized(first, "claim_speaker", lang)),
                source=md_escape(localized(first, "claim_source", lang)),
            ),
            t(
                "nb.text.claim_interpretation",
                lang,
                text=md_escape(_comparator_text(localized(first, "interpretation", lang))),
            ),
            t(
                "nb.text.claim_verdict",
                lang,
                verdict=label_of("nb.verdict", first["overall_verdict"], lang),
                supported=int(first["readings_supported"]),
                total=int(first["readings_total"]),
            ),
            t("nb.text.claim_rule", lang, rule=md_escape(localized(first, "overall_rule", lang))),
            t("nb.text.data_note", lang, note=md_escape(localized(first, "data_note", lang))),
        ]
        out.append(("\n\n".join(lines), rows))
    examples_last = sorted(out, key=lambda item: bool(item[1]["is_example"].fillna(False).iloc[0]))
    return examples_last


def other_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """The period's claims that are not about the 100 days (those are shown with the 100-day evaluation)."""
    if claims.empty:
        return claims
    return claims[claims["period"] != HUNDRED_DAYS]


def claim_readings_table(readings: pd.DataFrame, lang: str = "id") -> Styler | None:
    """The readings of one claim side by side: reading, value, threshold, coverage, verdict (``None`` if none).

    When an agency restated a target that differs from ``target.csv`` (``value_reported_target`` set for a
    reading, ``analysis.evaluate.claims``), the value under the restated targets stands beside the value
    under ``target.csv``, with its verdict when that differs (issue 12: limits next to every verdict).
    """
    if readings.empty:
        return None
    df = readings.copy()
    df["reading"] = [
        ("★ " if pd.notna(r["is_primary"]) and bool(r["is_primary"]) else "")
        + _comparator_text(localized(r, "reading_label", lang))
        for _, r in df.iterrows()
    ]
    df["test"] = [
        f"{_comparator_text(c)} {pct(v, lang, 0)}"
        for c, v in zip(df["comparator"], df["threshold"], strict=True)
    ]
    df["verdict_text"] = [label_of("nb.verdict", v, lang) for v in df["verdict"]]
    restated = "value_reported_target" in df and df["value_reported_target"].notna().any()
    if restated:
        df["restated_text"] = [
            _restated_text(v, rv, verdict, lang)
            for v, rv, verdict in zip(
                df["value_reported_target"],
                df.get("verdict_reported_target", pd.Series(None, index=df.index)),
                df["verdict"],
                strict=True,
            )
        ]
    labels = {
        "reading": t("nb.col.reading", lang),
        "value": t("nb.col.metric_value", lang),
        **({"restated_text": t("nb.col.metric_value_reported_target", lang)} if restated else {}),
        "test": t("nb.col.threshold", lang),
        "coverage_pct": t("nb.col.coverage", lang),
        "verdict_text": t("nb.col.verdict", lang),
    }
    kinds = {
        "reading": "text",
        "value": "percent",
        "restated_text": "text",
        "test": "text",
        "coverage_pct": "percent",
        "verdict_text": "text",
    }
    kinds = {k: v for k, v in kinds.items() if k in labels}
    return style_table(
        df[list(labels)], kinds, lang, labels=labels, table_id="claim_" + slug(df["claim_id"].iloc[0])[:20]
    )


def _restated_text(value: object, verdict_restated: object, verdict: object, lang: str) -> str:
    """``32,4 %`` under the restated targets, with ``(<verdict>)`` when it differs from the verdict under
    ``target.csv``; ``—`` for a reading the restated targets do not change or cannot compute.

    >>> _restated_text(32.4, "tidak didukung data", "didukung data", "en")
    '32.4% (not supported by the data)'
    >>> _restated_text(float("nan"), None, "didukung data", "en")
    '—'
    """
    if value is None or pd.isna(value):
        return MISSING
    text = pct(value, lang, 1)
    if verdict_restated is not None and not pd.isna(verdict_restated) and verdict_restated != verdict:
        text += f" ({label_of('nb.verdict', verdict_restated, lang)})"
    return text


def claim_evidence(readings: pd.DataFrame, lang: str = "id") -> str:
    """The evidence of each reading as a Markdown list, in ``lang`` (the evaluation writes it in both)."""
    return (
        t("nb.text.claim_evidence", lang)
        + "\n\n"
        + bullets(
            f"{md_escape(_comparator_text(localized(r, 'reading_label', lang)))}: "
            f"{md_escape(localized(r, 'evidence', lang))}"
            for _, r in readings.iterrows()
        )
    )
