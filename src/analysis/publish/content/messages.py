"""The briefing's key messages (page one of ``04_briefing``): one plain-language sentence group per topic.

:func:`key_messages` combines ``message_programs``, ``message_claim``, ``message_serapan``, ``message_rt``,
``message_weakest_principle`` and ``message_quality``; each returns Markdown (already escaped) or ``None``
when it has nothing to say. Pure functions of the evaluation tables.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.core.formatting import MISSING, format_number
from analysis.core.i18n import t
from analysis.publish.content.common import (
    LOWEST_CATEGORY,
    PRINCIPLES,
    _comparator_text,
    _label_col,
    _listed,
    claim_translation,
    join_items,
    label_of,
    localized,
    md_escape,
    pct,
    programs_met,
    scored,
)
from analysis.publish.content.index_tables import category_rank_span


def message_programs(programs: pd.DataFrame, lang: str = "id") -> str | None:
    """How many programs reached their target, which are behind (lowest first), which cannot be judged.

    ``programs``: ``achievement_program`` (optionally with ``program_label``).
    """
    if programs.empty:
        return None
    met = programs_met(programs)
    computable = met.notna()
    parts = [t("msg.programs", lang, met=int(met.fillna(False).sum()), total=len(programs))]
    behind = programs[computable & ~met.fillna(False)].sort_values(
        ["achievement_capped_pct", "program_code"], kind="mergesort"
    )
    if len(behind):
        col = _label_col(behind)
        items = [
            t("msg.item_pct", lang, name=md_escape(r[col]), pct=pct(r["achievement_capped_pct"], lang))
            for _, r in behind.iterrows()
        ]
        parts.append(t("msg.programs_behind", lang, items=_listed(items, lang)))
    n_missing = int((~computable).sum())
    if n_missing:
        parts.append(t("msg.programs_not_computable", lang, n=n_missing))
    return " ".join(parts)


def message_serapan(programs: pd.DataFrame, lang: str = "id") -> str | None:
    """Programs whose spending and output disagree (``is_high_spend_low_output`` / ``is_low_spend_high_output``)."""
    if programs.empty or "is_high_spend_low_output" not in programs.columns:
        return None
    col = _label_col(programs)

    def items(flag: str) -> list[str]:
        rows = programs[programs[flag].fillna(False).astype(bool)].sort_values("program_code")
        return [
            t(
                "msg.serapan_item",
                lang,
                name=md_escape(r[col]),
                serapan=pct(r["serapan_pct"], lang),
                capaian=pct(r["achievement_pct"], lang),
            )
            for _, r in rows.iterrows()
        ]

    high, low = items("is_high_spend_low_output"), items("is_low_spend_high_output")
    parts = []
    if high:
        parts.append(t("msg.serapan_high", lang, n=len(high), items=join_items(high, lang)))
    if low:
        parts.append(t("msg.serapan_low", lang, n=len(low), items=join_items(low, lang)))
    return " ".join(parts) if parts else t("msg.serapan_none", lang)


def main_claim(claims: pd.DataFrame) -> pd.DataFrame:
    """The readings of the first claim that is not an example (``is_example`` false), in file order."""
    if claims.empty:
        return claims
    real = claims[~claims["is_example"].fillna(False).astype(bool)]
    if real.empty:
        return real
    return real[real["claim_id"] == real["claim_id"].iloc[0]]


def message_claim(
    claims: pd.DataFrame, hundred_programs: pd.DataFrame | None = None, lang: str = "id"
) -> str | None:
    """The verdict on the main public claim in one sentence, with its primary reading and how many readings hold.

    ``claims``: the ``claims`` table (one row per claim × reading); ``hundred_programs``: the 100-day
    ``achievement_program`` to name the programs below target (optional).
    """
    readings = main_claim(claims)
    if readings.empty:
        return None
    first = readings.iloc[0]
    primary = readings[readings["is_primary"].fillna(False).astype(bool)]
    lead = primary.iloc[0] if len(primary) else first
    text = t(
        "msg.claim",
        lang,
        text=md_escape(str(first["claim_text"]).rstrip(".")),
        translation=claim_translation(first, lang),
        speaker=md_escape(localized(first, "claim_speaker", lang)),
        verdict=label_of("nb.verdict", first["overall_verdict"], lang),
        label=md_escape(_comparator_text(localized(lead, "reading_label", lang))),
        value=pct(lead["value"], lang),
        supported=int(first["readings_supported"]),
        total=int(first["readings_total"]),
    )
    if hundred_programs is not None and not hundred_programs.empty:
        met = programs_met(hundred_programs)
        behind = hundred_programs[met.notna() & ~met.fillna(False)].sort_values(
            ["achievement_capped_pct", "program_code"], kind="mergesort"
        )
        if len(behind):
            col = _label_col(behind)
            items = [
                t("msg.item_pct", lang, name=md_escape(r[col]), pct=pct(r["achievement_capped_pct"], lang))
                for _, r in behind.iterrows()
            ]
            text += " " + t("msg.claim_short", lang, items=_listed(items, lang))
    return text


def message_rt(rt_index: pd.DataFrame, lang: str = "id") -> str | None:
    """How many RTs were scored, how many lack data, the median index and how many are *Kurang*, with the
    ranks their intervals span (a category is never shown without the rank interval it came from)."""
    if rt_index.empty:
        return None
    sc = scored(rt_index)
    n_low = int((sc["category"] == LOWEST_CATEGORY).sum())
    text = t(
        "msg.rt",
        lang,
        scored=format_number(len(sc), lang=lang),
        total=format_number(len(rt_index), lang=lang),
        insufficient=format_number(len(rt_index) - len(sc), lang=lang),
        median=format_number(sc["index"].median(), lang=lang, decimals=1) if len(sc) else MISSING,
        low=format_number(n_low, lang=lang),
    )
    span = category_rank_span(sc, LOWEST_CATEGORY, lang) if n_low else MISSING
    return text if span == MISSING else f"{text} {t('msg.rt_low_ranks', lang, ranks=span)}"


def principle_medians(rt_index: pd.DataFrame) -> pd.Series:
    """Median score of each principle over the scored RTs (index: principle, in :data:`PRINCIPLES` order)."""
    sc = scored(rt_index)
    return pd.Series({p: float(sc[p].median()) if len(sc) else float("nan") for p in PRINCIPLES})


def weakest_indicator(indicators: pd.DataFrame, principle: str) -> pd.Series | None:
    """The indicator of ``principle`` with the lowest median normalised value over scored RTs (``rt_index_indicators``)."""
    if indicators.empty:
        return None
    rows = indicators[(indicators["principle"] == principle) & indicators["normalised_value"].notna()]
    if rows.empty:
        return None
    med = (
        rows.groupby(["indicator", "indicator_name"], sort=True)["normalised_value"].median().reset_index()
    ).sort_values(["normalised_value", "indicator"], kind="mergesort")
    return med.iloc[0]


def message_weakest_principle(
    rt_index: pd.DataFrame, indicators: pd.DataFrame | None = None, lang: str = "id"
) -> str | None:
    """The principle with the lowest median score, and its weakest indicator when ``indicators`` are given."""
    if scored(rt_index).empty:
        return None
    medians = principle_medians(rt_index)
    low = min(PRINCIPLES, key=lambda p: (medians[p], PRINCIPLES.index(p)))
    text = t(
        "msg.weakest",
        lang,
        principle=t(f"principles.{low}", lang),
        median=format_number(medians[low], lang=lang, decimals=1),
    )
    worst = weakest_indicator(indicators, low) if indicators is not None else None
    if worst is not None:
        text += " " + t("msg.weakest_indicator", lang, indicator=md_escape(worst["indicator_name"]))
    return text


def message_quality(quality: Mapping, lang: str = "id") -> str | None:
    """Rejected data rows and unreadable files, with the self-report caveat."""
    totals = quality.get("totals") or {}
    if not totals:
        return None
    rows = int(totals.get("rows_accepted", 0)) + int(totals.get("rows_rejected", 0))
    rejected = int(totals.get("rows_rejected", 0))
    failed = int(totals.get("files_failed", 0))
    return t(
        "msg.quality",
        lang,
        rejected=format_number(rejected, lang=lang),
        rows=format_number(rows, lang=lang),
        pct=pct(rejected / rows * 100 if rows else float("nan"), lang),
        failed=t("msg.quality_failed", lang, n=failed) if failed else "",
    )


def key_messages(
    programs: pd.DataFrame,
    quality: Mapping,
    lang: str = "id",
    claims: pd.DataFrame | None = None,
    hundred_programs: pd.DataFrame | None = None,
    rt_index: pd.DataFrame | None = None,
    rt_indicators: pd.DataFrame | None = None,
) -> list[str]:
    """The briefing's key messages, most important first (3–6 Markdown sentences, already escaped):
    programs on target, the claim verdict, spending vs output, RTs scored, weakest principle, data quality.

    ``hundred_programs`` names the programs behind target in the 100 days next to the claim verdict; when it
    is the period's own table (the briefing of ``100-hari``) it is not repeated.
    """
    empty = pd.DataFrame()
    if hundred_programs is not None and hundred_programs.equals(programs):
        hundred_programs = (
            None  # the 100-day period itself: its programs behind are already in the first message
        )
    found = [
        message_programs(programs, lang),
        message_claim(claims if claims is not None else empty, hundred_programs, lang),
        message_serapan(programs, lang),
        message_rt(rt_index if rt_index is not None else empty, lang),
        message_weakest_principle(rt_index if rt_index is not None else empty, rt_indicators, lang),
        message_quality(quality, lang),
    ]
    return [m for m in found if m]
