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
from analysis.core.periods import period_label
from analysis.publish.content.common import (
    LOWEST_CATEGORY,
    PRINCIPLES,
    _comparator_text,
    _label_col,
    _listed,
    claim_translation,
    index_indicator_name,
    join_items,
    label_of,
    localized,
    md_escape,
    pct,
    programs_met,
    scored,
)
from analysis.publish.content.index_tables import category_rank_span

#: Reason code of a program that had not started in the period (analysis.evaluate.achievement).
NOT_STARTED = "program_not_started"


def _not_started(programs: pd.DataFrame) -> pd.Series:
    if "achievement_reason" not in programs:
        return pd.Series(False, index=programs.index)
    return (programs["achievement_reason"] == NOT_STARTED).fillna(False).astype(bool)


def _cap_pct(df: pd.DataFrame) -> float | None:
    """The cap the table's capped capaian were capped at (column ``cap_pct``), or None (older tables)."""
    if "cap_pct" not in df or df["cap_pct"].dropna().empty:
        return None
    return float(df["cap_pct"].dropna().iloc[0])


def capped_item(row: Mapping, name: str, lang: str, cap: float | None) -> str:
    """``Balikat (87,5%)``, or ``Balikat (110,0%, dibatasi 120%)`` when the cap changed the program's mean
    (its capped and uncapped capaian differ): a capped value never shows without saying so."""
    value = row["achievement_capped_pct"]
    uncapped = row.get("achievement_pct")
    if cap is not None and uncapped is not None and not pd.isna(uncapped) and abs(uncapped - value) > 1e-9:
        return t("msg.item_pct_capped", lang, name=name, pct=pct(value, lang), cap=pct(cap, lang, 0))
    return t("msg.item_pct", lang, name=name, pct=pct(value, lang))


def _behind_items(programs: pd.DataFrame, lang: str) -> list[str]:
    """The programs below target (capped capaian < 100 %), lowest first, each with its capaian."""
    met = programs_met(programs)
    behind = programs[met.notna() & ~met.fillna(False)].sort_values(
        ["achievement_capped_pct", "program_code"], kind="mergesort"
    )
    col, cap = _label_col(behind), _cap_pct(programs)
    return [capped_item(r, md_escape(r[col]), lang, cap) for _, r in behind.iterrows()]


def message_programs(programs: pd.DataFrame, lang: str = "id") -> str | None:
    """How many programs reached their target, which are behind (lowest first), which cannot be judged.

    ``programs``: ``achievement_program`` (optionally with ``program_label``). A program that had not started
    in the period is named as "tidak dapat dinilai", apart from those whose data are incomplete.
    """
    if programs.empty:
        return None
    met = programs_met(programs)
    computable = met.notna()
    parts = [t("msg.programs", lang, met=int(met.fillna(False).sum()), total=len(programs))]
    behind = _behind_items(programs, lang)
    if behind:
        parts.append(t("msg.programs_behind", lang, items=_listed(behind, lang)))
    late = _not_started(programs)
    n_missing = int((~computable & ~late).sum())
    if n_missing:
        parts.append(t("msg.programs_not_computable", lang, n=n_missing))
    if late.any():
        col = _label_col(programs)
        names = [md_escape(v) for v in programs.loc[late].sort_values("program_code")[col]]
        parts.append(t("msg.programs_not_started", lang, items=join_items(names, lang)))
    return " ".join(parts)


#: Spending at the straight-line pace of the fiscal year (``serapan_pace_pct``): below it a program is not
#: "on schedule", however close (analysis.evaluate.achievement.add_serapan).
ON_SCHEDULE_PACE_PCT = 100.0


def message_serapan(programs: pd.DataFrame, lang: str = "id") -> str | None:
    """Programs whose spending and output disagree (``is_high_spend_low_output`` / ``is_low_spend_high_output``).

    A high-spending program is said to spend "on schedule or faster" only when every one named is at or
    above the straight-line pace (``serapan_pace_pct >= 100``); otherwise "close to the straight-line
    schedule or faster", and each program's pace is written beside it.
    """
    if programs.empty or "is_high_spend_low_output" not in programs.columns:
        return None
    col = _label_col(programs)
    has_pace = "serapan_pace_pct" in programs.columns

    def rows(flag: str) -> pd.DataFrame:
        return programs[programs[flag].fillna(False).astype(bool)].sort_values("program_code")

    def items(df: pd.DataFrame, with_pace: bool) -> list[str]:
        return [
            t(
                "msg.serapan_item_pace" if with_pace else "msg.serapan_item",
                lang,
                name=md_escape(r[col]),
                serapan=pct(r["serapan_pct"], lang),
                pace=pct(r["serapan_pace_pct"], lang, 0) if with_pace else "",
                capaian=pct(r["achievement_pct"], lang),
            )
            for _, r in df.iterrows()
        ]

    high_rows, low_rows = rows("is_high_spend_low_output"), rows("is_low_spend_high_output")
    parts = []
    if len(high_rows):
        on_schedule = has_pace and bool((high_rows["serapan_pace_pct"] >= ON_SCHEDULE_PACE_PCT).all())
        key = "msg.serapan_high" if on_schedule or not has_pace else "msg.serapan_high_near"
        high = items(high_rows, has_pace)
        parts.append(t(key, lang, n=len(high), items=join_items(high, lang)))
    if len(low_rows):
        low = items(low_rows, False)
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


def _first(readings: pd.DataFrame, metric: str, basis: str | None = None) -> pd.Series | None:
    if "metric" not in readings:
        return None
    rows = readings[readings["metric"] == metric]
    if basis is not None and "basis" in rows:
        rows = rows[rows["basis"] == basis]
    return rows.iloc[0] if len(rows) else None


def _count(row: pd.Series | None, column: str) -> int | None:
    if row is None or column not in row or pd.isna(row[column]):
        return None
    return int(row[column])


def claim_headline(readings: pd.DataFrame, lang: str = "id", with_readings: bool = True) -> str:
    """The verdict and what it rests on, in words that cannot contradict each other.

    A claim that is *not supported* while some readings are (the mean is above 100 % but programs and
    indicators fell short) reads "tidak didukung data sebagaimana dinyatakan: rerata program 102,1%, tetapi
    4 dari 10 program dan 9 dari 21 indikator belum mencapai target …"; otherwise the primary reading and
    its value. Both end with how many readings the data support (unless ``with_readings`` is false: the
    one sentence of the briefing's page one, :func:`claim_sentence`).
    """
    first = readings.iloc[0]
    primary = readings[readings["is_primary"].fillna(False).astype(bool)]
    lead = primary.iloc[0] if len(primary) else first
    verdict = label_of("nb.verdict", first["overall_verdict"], lang)
    supported, total = int(first["readings_supported"]), int(first["readings_total"])
    readings_text = t("msg.claim_readings", lang, supported=supported, total=total)
    every = _first(readings, "program_achievement_min")
    share = _first(readings, "indicator_share_met_pct")
    below = []
    if _count(every, "units_below_target"):
        below.append(
            t("msg.claim_below_programs", lang, n=_count(every, "units_below_target"),
              total=_count(every, "units_computable"))
        )  # fmt: skip
    if _count(share, "units_below_target"):
        below.append(
            t("msg.claim_below_indicators", lang, n=_count(share, "units_below_target"),
              total=_count(share, "units_computable"))
        )  # fmt: skip
    mixed = first["overall_verdict"] == "tidak didukung data" and supported > 0
    if mixed and below:
        mean = _first(readings, "program_achievement_mean", "capped")
        tail = t(
            "msg.claim_below_tail",
            lang,
            items=join_items(below, lang),
            period=period_label(str(first["period"]), lang),
        )
        contrast = (
            t("msg.claim_contrast", lang, mean_label=t("msg.claim_mean_label", lang), mean=pct(mean["value"], lang),
              below=tail)
            if mean is not None and not pd.isna(mean["value"])
            else t("msg.claim_contrast_no_mean", lang, below=tail)
        )  # fmt: skip
        verdict_text = f"**{t('msg.claim_as_stated', lang, verdict=verdict)}**: {contrast}."
    else:
        verdict_text = t(
            "msg.claim_lead",
            lang,
            verdict=verdict,
            label=md_escape(_comparator_text(localized(lead, "reading_label", lang))),
            value=pct(lead["value"], lang),
        )
    headline = t(
        "msg.claim",
        lang,
        text=md_escape(str(first["claim_text"]).rstrip(".")),
        translation=claim_translation(first, lang),
        speaker=md_escape(localized(first, "claim_speaker", lang)),
        verdict_text=verdict_text,
    )
    return (
        headline + " " + readings_text
        if with_readings
        else headline.rstrip(";") + ("" if headline.endswith(".") else ".")
    )


def claim_sentence(claims: pd.DataFrame, period: str, lang: str = "id") -> str | None:
    """Page one's one sentence on the main claim: :func:`claim_headline` without the count of readings,
    dated ("Tentang 100 Hari Kerja (20 Feb–30 Mei 2025): …") in the briefing of another period unless the
    sentence already names the claim's period. ``None`` without a claim."""
    readings = main_claim(claims)
    if readings.empty:
        return None
    text = claim_headline(readings, lang, with_readings=False)
    claim_period = period_label(str(readings["period"].iloc[0]), lang)
    if str(readings["period"].iloc[0]) != period and claim_period not in text:
        text = t("msg.claim_about", lang, period=claim_period) + " " + text
    return text


def _claim_limits(readings: pd.DataFrame, programs: pd.DataFrame | None, lang: str) -> list[str]:
    """The sentences on what the verdict leaves out: programs not assessable, readings that change verdict
    under the targets the agencies restated."""
    out = []
    first = readings.iloc[0]
    late = first.get("not_assessable_programs")
    if late is not None and not pd.isna(late) and str(late).strip():
        codes = [c.strip() for c in str(late).split(",")]
        names = codes
        if programs is not None and not programs.empty:
            col = _label_col(programs)
            label = dict(zip(programs["program_code"], programs[col], strict=True))
            names = [label.get(c, c) for c in codes]
        out.append(t("msg.claim_not_assessable", lang, items=join_items([md_escape(n) for n in names], lang)))
    if "verdict_reported_target" in readings:
        changed = readings[
            readings["verdict_reported_target"].notna()
            & (readings["verdict_reported_target"] != readings["verdict"])
        ]
        if len(changed):
            items = [
                t(
                    "msg.claim_restated_item",
                    lang,
                    label=md_escape(_comparator_text(localized(r, "reading_label", lang))),
                    value=pct(r["value_reported_target"], lang),
                    verdict=label_of("nb.verdict", r["verdict_reported_target"], lang),
                )
                for _, r in changed.iterrows()
            ]
            out.append(t("msg.claim_restated", lang, n=len(changed), items=join_items(items, lang)))
    return out


def message_claim(
    claims: pd.DataFrame,
    hundred_programs: pd.DataFrame | None = None,
    lang: str = "id",
    about_period: bool = False,
    name_behind: bool = True,
) -> str | None:
    """The verdict on the main public claim (:func:`claim_headline`), its limits, and the programs below target.

    ``claims``: the ``claims`` table (one row per claim × reading); ``hundred_programs``: the 100-day
    ``achievement_program``, to name programs by name rather than code and (``name_behind``) the programs
    below target (optional; the 100-day briefing names those in its first message). ``about_period``: start with the
    period the claim is about (the briefing of another period repeats the 100-day verdict: "Tentang 100 Hari
    Kerja (20 Feb–30 Mei 2025): …").
    """
    readings = main_claim(claims)
    if readings.empty:
        return None
    text = claim_headline(readings, lang)
    if about_period:
        text = (
            t("msg.claim_about", lang, period=period_label(str(readings["period"].iloc[0]), lang))
            + " "
            + text
        )
    limits = _claim_limits(readings, hundred_programs, lang)
    if limits:
        text += " " + " ".join(limits)
    if name_behind and hundred_programs is not None and not hundred_programs.empty:
        behind = _behind_items(hundred_programs, lang)
        if behind:
            text += " " + t("msg.claim_short", lang, items=_listed(behind, lang))
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
    """The principle with the lowest median score (all of them when tied: ``analysis.publish.charts
    .weakest_principles``, the rule the heat map's alt text uses too), and the weakest indicator of those
    principles when ``indicators`` are given."""
    from analysis.publish.charts import WEAKEST_DECIMALS, weakest_principles

    if scored(rt_index).empty:
        return None
    medians = principle_medians(rt_index)
    weakest = weakest_principles(medians)
    if not weakest:
        return None
    median = format_number(medians[weakest[0]], lang=lang, decimals=WEAKEST_DECIMALS)
    names = [t(f"principles.{p}", lang) for p in weakest]
    if len(weakest) == 1:
        text = t("msg.weakest", lang, principle=names[0], median=median)
    else:
        text = t("msg.weakest_tie", lang, principles=join_items(names, lang), median=median)
    worst = None
    if indicators is not None:
        candidates = [w for w in (weakest_indicator(indicators, p) for p in weakest) if w is not None]
        if candidates:
            worst = min(candidates, key=lambda w: (w["normalised_value"], w["indicator"]))
    if worst is not None:
        text += " " + t(
            "msg.weakest_indicator",
            lang,
            indicator=md_escape(index_indicator_name(worst["indicator"], worst["indicator_name"], lang)),
        )
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
    own_period = hundred_programs is not None and hundred_programs.equals(programs)
    claims = claims if claims is not None else empty
    about = (
        not own_period
        and not claims.empty
        and not programs.empty
        and "period" in programs
        and str(programs["period"].iloc[0]) != str(claims["period"].iloc[0])
    )
    found = [
        message_programs(programs, lang),
        # the 100-day period itself: its programs behind are already in the first message
        message_claim(claims, hundred_programs, lang, about_period=about, name_behind=not own_period),
        message_serapan(programs, lang),
        message_rt(rt_index if rt_index is not None else empty, lang),
        message_weakest_principle(rt_index if rt_index is not None else empty, rt_indicators, lang),
        message_quality(quality, lang),
    ]
    return [m for m in found if m]
