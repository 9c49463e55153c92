"""What the cross-period notebook (``06_explore.ipynb``) says: one sentence per answer, from the tables of
:mod:`analysis.evaluate.history` (a trajectory, the movers)."""

from __future__ import annotations

import pandas as pd

from analysis.core.formatting import format_number
from analysis.core.i18n import t
from analysis.publish.content.common import md_escape


def _number(value: object, lang: str) -> str:
    return format_number(value, lang=lang, decimals=1)


def trajectory_summary(trajectory: pd.DataFrame, rt_code: str, since: str, lang: str = "id") -> str:
    """How one RT moved: first and last scored period, index and rank at each, the change; a second
    sentence when the RT starts after ``since`` (an RT that joined in 2026)."""
    scored = trajectory.dropna(subset=["index"])
    if scored.empty:
        return t("nb.text.trajectory_none", lang, rt=md_escape(rt_code))
    first, last = scored.iloc[0], scored.iloc[-1]
    text = t(
        "nb.text.trajectory",
        lang,
        rt=md_escape(rt_code),
        kelurahan=md_escape(last["kelurahan_name"]),
        kecamatan=md_escape(last["kecamatan_name"]),
        n=len(scored),
        first=first["period"],
        last=last["period"],
        first_value=_number(first["index"], lang),
        last_value=_number(last["index"], lang),
        change=_number(last["index"] - first["index"], lang),
        first_rank=format_number(first["rank"], lang=lang),
        last_rank=format_number(last["rank"], lang=lang),
    )
    if first["period"] != since:
        text += " " + t("nb.text.trajectory_later", lang, since=since, first=first["period"])
    return text


def movers_summary(movers: pd.DataFrame, movers_same: pd.DataFrame, since_same: str, lang: str = "id") -> str:
    """The kelurahan that improved most, over the whole span and with every RT at both ends."""
    if movers.empty or movers_same.empty:
        return t("nb.text.movers_none", lang)
    top, same = movers.iloc[0], movers_same.iloc[0]
    return t(
        "nb.text.movers",
        lang,
        top=md_escape(top["kelurahan_name"]),
        top_kecamatan=md_escape(top["kecamatan_name"]),
        top_change=_number(top["index_change"], lang),
        top_start=top["period_start"],
        top_end=top["period_end"],
        since_same=since_same,
        top_same=md_escape(same["kelurahan_name"]),
        top_same_change=_number(same["index_change"], lang),
    )


def trend_periods(periods: list[str], period: str) -> list[str]:
    """The periods of a trend ending at ``period``: those of the same kind (``triwulan``, ``semester``,
    ``tahun``; the 100 days stand alone) up to and including ``period``, oldest first.

    >>> trend_periods(["100-hari", "2025-TW2", "2025-TW3", "2025-S1", "2026-TW1"], "2025-TW3")
    ['2025-TW2', '2025-TW3']
    """
    from analysis.core.periods import period_info, sort_key

    kind = period_info(period).kind
    return [p for p in periods if period_info(p).kind == kind and sort_key(p) <= sort_key(period)]


def program_trend(history_programs: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Capaian per program per period: one row per program and period of ``periods`` (oldest first).

    ``history_programs``: the history store's ``achievement_program`` view (every period, with
    ``period``; optionally ``program_label``). Columns: ``period``, ``program_code``, ``program_label``,
    ``achievement_capped_pct`` (the value the briefing's tables show), ``achievement_pct`` (uncapped),
    ``cap_pct``, ``is_target_met``.
    """
    cols = ["period", "program_code", "program_label", "achievement_capped_pct", "achievement_pct", "cap_pct",
            "is_target_met"]  # fmt: skip
    if history_programs.empty:
        return pd.DataFrame(columns=cols)
    df = history_programs[history_programs["period"].isin(periods)].copy()
    if "program_label" not in df:
        df["program_label"] = df["program_name"]
    order = {p: i for i, p in enumerate(periods)}
    df = df.assign(_order=df["period"].map(order)).sort_values(["program_code", "_order"], kind="mergesort")
    return df.reindex(columns=cols).reset_index(drop=True)


def principle_trend(history_rt_index: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Median score of each principle and of the index over the scored RTs, per period of ``periods``.

    ``history_rt_index``: the history store's ``rt_index`` view. One row per period and principle
    (``principle``: the four principles, then ``index``); ``median`` (0–100), ``n_rt_scored``. The median
    over RTs is the rule of the briefing's key message (``messages.principle_medians``).
    """
    from analysis.publish.content.common import PRINCIPLES, STATUS_SCORED

    cols = ["period", "principle", "median", "n_rt_scored"]
    if history_rt_index.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for period in periods:
        sc = history_rt_index[
            (history_rt_index["period"] == period) & (history_rt_index["status"] == STATUS_SCORED)
        ]
        if sc.empty:
            continue
        for principle in (*PRINCIPLES, "index"):
            rows.append({"period": period, "principle": principle, "median": float(sc[principle].median()),
                         "n_rt_scored": len(sc)})  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def trends_intro(
    periods: list[str],
    program_trend_table: pd.DataFrame,
    lang: str = "id",
    principle_trend_table: pd.DataFrame | None = None,
    new_page: bool = False,
) -> str | None:
    """The heading and the sentence over the briefing's trend charts (Markdown), or ``None`` when the
    period has no series (the 100 days stand alone): "only one quarter so far" when there is one period.
    With ``principle_trend_table``, a second sentence when the number of scored RTs changed across the
    periods (2025: the pilot RTs only), since the medians then come from different sets of RTs.
    ``new_page``: start a new page in print (the charts fill one page; the heading stays with them)."""
    from analysis.core.periods import HUNDRED_DAYS_CODE, period_label
    from analysis.publish.content.common import pct

    if not periods or periods[-1] == HUNDRED_DAYS_CODE:
        return None
    from analysis.publish.content.common import page_break

    heading = (page_break() if new_page else "") + "### " + t("pageone.h.trends", lang)
    if len(periods) < 2:
        return heading + "\n\n" + t("pageone.trends_single", lang, period=period_label(periods[0], lang))
    cap = program_trend_table["cap_pct"].dropna() if "cap_pct" in program_trend_table else pd.Series()
    note = t(
        "pageone.trends_note",
        lang,
        cap=pct(float(cap.iloc[0]), lang, 0) if len(cap) else "—",
        first=period_label(periods[0], lang),
        last=period_label(periods[-1], lang),
    )
    if principle_trend_table is not None and not principle_trend_table.empty:
        counts = principle_trend_table.drop_duplicates("period")
        first, last = counts.iloc[0], counts.iloc[-1]
        if first["n_rt_scored"] != last["n_rt_scored"]:
            note += " " + t(
                "pageone.trends_rt_set",
                lang,
                first_n=format_number(first["n_rt_scored"], lang=lang),
                first=period_label(first["period"], lang),
                last_n=format_number(last["n_rt_scored"], lang=lang),
                last=period_label(last["period"], lang),
            )
    return heading + "\n\n" + note
