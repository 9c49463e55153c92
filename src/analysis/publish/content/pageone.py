"""The briefing's page one: three questions answered from the tables, then one sentence on the claim.

1. *How are we doing?* :func:`headline_figures`: 3–5 figures, each with its value in the previous period
   and the change (an arrow and the words "naik/turun/tetap", or "—" with the reason there is none);
2. *What is off track?* :func:`off_track`: the programs below target (with their indicators below target)
   and the weakest kelurahan, each with the responsible agency (OPD);
3. *What to do next?* the follow-ups of :func:`analysis.publish.content.followups.follow_ups`.

:func:`page_one_html` lays them out (one HTML block: the tables carry ids ``kjb-headline`` and
``kjb-offtrack``, the box ``kjb-followups``). Every figure is computed here from the period's tables; the
tests read the exported HTML and PDF and compare them with these functions' values.
"""

from __future__ import annotations

import html

import pandas as pd

from analysis.core.formatting import MISSING, format_number
from analysis.core.i18n import t
from analysis.core.periods import period_info, period_label
from analysis.evaluate.achievement import fiscal_year_elapsed_pct
from analysis.publish.content.common import (
    STATUS_SCORED,
    TARGET_MET_PCT,
    _label_col,
    join_items,
    pct,
    programs_met,
    scored,
)
from analysis.publish.content.followups import kampung_agency, kelurahan_weakest_principles, weak_kelurahan

#: Columns of :func:`headline_figures`.
HEADLINE_COLUMNS = ("figure", "value", "total", "previous", "change", "unit", "no_change_reason")

#: A change smaller than this (in the figure's unit, after rounding to one decimal) reads "tetap".
STEADY_BELOW = 0.05

#: Follow-ups shown in page one's box at most (the rest: "and n more", all in notebook 02).
MAX_FOLLOW_UPS = 4

#: Indicators named under a program below target at most.
MAX_INDICATORS = 1

#: Programs below target listed in page one's table at most (the lowest first; the rest are counted in a
#: last row, and every program is in the briefing's table "Capaian per program"): with all eleven below
#: target page one would not fit on one printed page (``tests/test_pageone.py``).
MAX_OFF_TRACK_PROGRAMS = 3


def _serapan(programs: pd.DataFrame) -> float:
    """Budget-weighted serapan of the programs: Σ realisasi anggaran ÷ Σ pagu × 100 (programs with both)."""
    if programs.empty or "budget_spent_idr" not in programs:
        return float("nan")
    both = programs.dropna(subset=["budget_spent_idr", "budget_allocated_idr"])
    total = float(both["budget_allocated_idr"].sum())
    return float(both["budget_spent_idr"].sum()) / total * 100 if total > 0 else float("nan")


def _mean(values: pd.Series) -> float:
    values = values.astype("Float64").dropna()
    return float(values.mean()) if len(values) else float("nan")


def _same_fiscal_year(period: str | None, previous: str | None) -> bool:
    if not period or not previous:
        return False
    return period_info(period).year == period_info(previous).year


def headline_figures(
    programs: pd.DataFrame,
    rt_index: pd.DataFrame | None = None,
    previous_programs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The headline figures of one period (one row each, :data:`HEADLINE_COLUMNS`).

    - ``programs_met``: programs whose capped capaian is ≥ 100 % (``value``) of ``total`` programs; previous:
      the same count on ``previous_achievement_capped_pct`` (the evaluation's value of the previous period);
    - ``mean_capaian``: the unweighted mean of the programs' capped capaian (%); previous: of
      ``previous_achievement_capped_pct``; change in percentage points;
    - ``serapan``: Σ budget spent ÷ Σ pagu of the programs (%); previous: the same on ``previous_programs``
      (the previous period's ``achievement_program``) when it is in the same fiscal year, since serapan
      restarts each year (``no_change_reason="new_fiscal_year"``);
    - ``median_index``: median index (0–100) of the scored RTs; previous: median of ``index_previous`` over
      the RTs scored then (``status_previous``); change in points;
    - ``rt_scored_share``: scored RTs ÷ RTs (%); previous: from ``status_previous``.

    ``no_change_reason`` says why ``change`` is missing (``no_previous_period``, ``new_fiscal_year``,
    ``no_previous_data``); ``count`` is the RTs scored; ``reference`` the share of the fiscal year elapsed
    at the period's end (``analysis.evaluate.achievement.fiscal_year_elapsed_pct``), the serapan of the
    straight-line schedule, written beside the serapan (a serapan that grows every quarter of the year
    means little without it). The RT figures are left out when ``rt_index`` is empty.
    """
    rows = []
    if not programs.empty:
        prev_code = programs["previous_period"].dropna() if "previous_period" in programs else pd.Series()
        prev_code = str(prev_code.iloc[0]) if len(prev_code) else None
        period = str(programs["period"].iloc[0]) if "period" in programs else None
        has_prev = prev_code is not None
        met = programs_met(programs)
        previous_column = "previous_achievement_capped_pct"
        previous_capped = programs.get(previous_column, pd.Series(pd.NA, index=programs.index))
        prev_known = bool(previous_capped.astype("Float64").notna().any())
        prev_met = float(programs_met(programs, previous_column).fillna(False).sum()) if prev_known else None
        rows.append(
            {
                "figure": "programs_met",
                "value": float(met.fillna(False).sum()),
                "total": float(len(programs)),
                "previous": prev_met,
                "unit": "programs",
            }
        )
        rows.append(
            {
                "figure": "mean_capaian",
                "value": _mean(programs["achievement_capped_pct"]),
                "previous": _mean(previous_capped) if prev_known else None,
                "unit": "pp",
            }
        )
        serapan_prev = None
        reason = None
        if not has_prev:
            reason = "no_previous_period"
        elif not _same_fiscal_year(period, prev_code):
            reason = "new_fiscal_year"
        elif previous_programs is None or previous_programs.empty:
            reason = "no_previous_data"
        else:
            serapan_prev = _serapan(previous_programs)
        rows.append(
            {
                "figure": "serapan",
                "value": _serapan(programs),
                "previous": serapan_prev,
                "unit": "pp",
                "no_change_reason": reason,
                "reference": fiscal_year_elapsed_pct(period) if period else None,
            }
        )
        for row in rows[:2]:
            if row["previous"] is None:
                row["no_change_reason"] = "no_previous_period" if not has_prev else "no_previous_data"
    if rt_index is not None and not rt_index.empty:
        sc = scored(rt_index)
        prev_status = rt_index.get("status_previous", pd.Series(pd.NA, index=rt_index.index))
        prev_scored = rt_index[prev_status == STATUS_SCORED]
        has_prev = bool(prev_status.notna().any())
        reason = None if has_prev else "no_previous_period"
        rows.append(
            {
                "figure": "median_index",
                "value": float(sc["index"].median()) if len(sc) else float("nan"),
                "previous": float(prev_scored["index_previous"].median()) if len(prev_scored) else None,
                "unit": "points",
                "no_change_reason": reason,
            }
        )
        rows.append(
            {
                "figure": "rt_scored_share",
                "value": len(sc) / len(rt_index) * 100,
                "total": float(len(rt_index)),
                "previous": len(prev_scored) / int(prev_status.notna().sum()) * 100 if has_prev else None,
                "unit": "pp",
                "no_change_reason": reason,
                "count": float(len(sc)),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=[*HEADLINE_COLUMNS, "count", "reference"])
    for col in (*HEADLINE_COLUMNS, "count", "reference"):
        if col not in out:
            out[col] = None
    out["previous"] = pd.to_numeric(out["previous"], errors="coerce")
    out["no_change_reason"] = (
        out["no_change_reason"].astype("object").where(out["no_change_reason"].notna(), None)
    )
    out["change"] = out["value"] - out["previous"]
    out.loc[out["change"].notna(), "no_change_reason"] = None
    out.loc[out["change"].isna() & out["no_change_reason"].isna(), "no_change_reason"] = "no_previous_data"
    return out[[*HEADLINE_COLUMNS, "count", "reference"]]


def value_text(row: pd.Series, lang: str = "id") -> str:
    """A headline figure as the reader sees it: ``7 dari 11 program``, ``101,2%``, ``59,1 dari 100``."""
    fig = row["figure"]
    if fig == "programs_met":
        return t("pageone.value.programs_met", lang, n=format_number(row["value"], lang=lang),
                 total=format_number(row["total"], lang=lang))  # fmt: skip
    if fig == "median_index":
        return t("pageone.value.median_index", lang, value=format_number(row["value"], lang=lang, decimals=1))
    if fig == "rt_scored_share":
        return t("pageone.value.rt_scored_share", lang, value=pct(row["value"], lang),
                 n=format_number(row["count"], lang=lang), total=format_number(row["total"], lang=lang))  # fmt: skip
    if fig == "serapan" and row.get("reference") is not None and not pd.isna(row.get("reference")):
        return t(
            "pageone.value.serapan", lang, value=pct(row["value"], lang), pace=pct(row["reference"], lang, 0)
        )
    return pct(row["value"], lang)


def change_parts(change: object, unit: str, lang: str = "id", reason: object = None) -> tuple[str, str]:
    """``(arrow, words)`` of a change: ``("▲", "naik 1,3 poin")``, ``("▼", "turun 2 program")``,
    ``("=", "tetap")``; ``("—", <the reason there is no change>)`` when ``change`` is missing."""
    if change is None or pd.isna(change):
        return "—", t(f"pageone.no_change.{reason or 'no_previous_data'}", lang)
    value = float(change)
    decimals = 0 if unit == "programs" else 1
    if abs(value) < (0.5 if unit == "programs" else STEADY_BELOW):
        return "=", t("pageone.steady", lang)
    key = "programs_one" if unit == "programs" and round(abs(value)) == 1 else unit  # "1 programme"
    amount = t(f"pageone.unit.{key}", lang, n=format_number(abs(value), lang=lang, decimals=decimals))
    return (
        ("▲", t("pageone.up", lang, amount=amount))
        if value > 0
        else ("▼", t("pageone.down", lang, amount=amount))
    )


def _change_html(change: object, unit: str, lang: str, reason: object = None, say_reason: bool = True) -> str:
    """The change as HTML: the arrow hidden from screen readers (the words say it); a missing change is
    "—" and, when ``say_reason``, why (the headline table says it once; the off-track table only "—")."""
    arrow, words = change_parts(change, unit, lang, reason)
    if arrow == "—" and not say_reason:
        words = t("pageone.no_change.short", lang)
    kind = {"▲": "up", "▼": "down", "=": "steady"}.get(arrow, "none")
    return (
        f'<span class="kjb-change kjb-change-{kind}"><span class="kjb-arrow" aria-hidden="true">{arrow}</span> '
        f"{html.escape(words)}</span>"
    )


def off_track(
    programs: pd.DataFrame,
    indicators: pd.DataFrame | None = None,
    kelurahan: pd.DataFrame | None = None,
    reference_programs: pd.DataFrame | None = None,
    lang: str = "id",
) -> pd.DataFrame:
    """What is off track, one row each: the programs below target (capped capaian < 100 %, lowest first)
    and the weakest kelurahan (:func:`analysis.publish.content.followups.weak_kelurahan`).

    Columns: ``kind`` (``program`` / ``kelurahan``), ``code``, ``name``, ``detail`` (the program's lowest
    indicators below target, at most :data:`MAX_INDICATORS`, or the kelurahan's kecamatan and weakest
    principle), ``value``
    (capaian % or index 0–100), ``change`` (since the previous period, points), ``unit``, ``agency``.
    """
    rows = []
    if not programs.empty:
        col = _label_col(programs)
        met = programs_met(programs)
        behind = programs[met.notna() & ~met.fillna(False)].sort_values(
            ["achievement_capped_pct", "program_code"], kind="mergesort"
        )
        ind = indicators if indicators is not None else pd.DataFrame()
        for _, r in behind.iterrows():
            detail = ""
            if not ind.empty:
                low = ind[
                    (ind["program_code"] == r["program_code"]) & (ind["achievement_pct"] < TARGET_MET_PCT)
                ]
                low = low.sort_values(["achievement_pct", "indicator_code"], kind="mergesort")
                items = [f"{n} ({pct(v, lang)})" for n, v in zip(low["indicator_name"], low["achievement_pct"],
                                                                strict=True)][:MAX_INDICATORS]  # fmt: skip
                if items:
                    detail = t("pageone.indicators_below", lang, items="; ".join(items))
            rows.append(
                {
                    "kind": "program",
                    "code": r["program_code"],
                    "name": str(r[col]),
                    "detail": detail,
                    "value": float(r["achievement_capped_pct"]),
                    "change": r.get("achievement_capped_change_pp"),
                    "unit": "pp",
                    "agency": str(r["agency"]),
                }
            )
    if kelurahan is not None and not kelurahan.empty:
        agency = kampung_agency(reference_programs if reference_programs is not None else programs, lang)
        for _, r in weak_kelurahan(kelurahan).iterrows():
            weakest = [t(f"principles.{p}", lang) for p in kelurahan_weakest_principles(r)]
            rows.append(
                {
                    "kind": "kelurahan",
                    "code": r["kelurahan_code"],
                    "name": str(r["kelurahan_name"]),
                    "detail": t(
                        "pageone.kelurahan_detail",
                        lang,
                        kecamatan=r["kecamatan_name"],
                        principles=join_items(weakest, lang) or MISSING,
                    ),
                    "value": float(r["index"]),
                    "change": r.get("index_change"),
                    "unit": "points",
                    "agency": agency,
                }
            )
    columns = ["kind", "code", "name", "detail", "value", "change", "unit", "agency"]
    out = pd.DataFrame(rows, columns=columns)
    out["change"] = pd.to_numeric(out["change"], errors="coerce")
    return out


def _table(table_id: str, caption: str, headers: list[str], body: list[list[str]], last_row: str = "") -> str:
    """An HTML table whose cells carry their column's header (``data-label``): on a phone the stylesheet
    stacks each row and writes the header before each value, so nothing runs off the screen. ``last_row``
    (escaped HTML): one more row across every column (class ``kjb-more``)."""
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headers)
    labels = [html.escape(h, quote=True) for h in headers]
    rows = "".join(
        "<tr>"
        + "".join(f'<td data-label="{lab}">{c}</td>' for lab, c in zip(labels, r, strict=True))
        + "</tr>"
        for r in body
    )
    if last_row:
        rows += f'<tr class="kjb-more"><td colspan="{len(headers)}">{last_row}</td></tr>'
    return (
        f'<table id="{table_id}" class="kjb-table kjb-pageone-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def headline_table_html(figures: pd.DataFrame, period: str, previous: str | None, lang: str = "id") -> str:
    """The headline figures as an HTML table: figure, value in ``period``, change since ``previous``."""
    headers = [
        t("pageone.col.figure", lang),
        period_label(period, lang),
        t("pageone.col.change", lang, previous=period_label(previous, lang))
        if previous
        else t("pageone.col.change_short", lang),
    ]
    body = [
        [
            html.escape(t(f"pageone.figure.{r['figure']}", lang)),
            f'<strong class="kjb-figure" data-figure="{r["figure"]}">{html.escape(value_text(r, lang))}</strong>',
            _change_html(r["change"], r["unit"], lang, r["no_change_reason"]),
        ]
        for _, r in figures.iterrows()
    ]
    return _table("kjb-headline", t("pageone.caption.headline", lang), headers, body)


def off_track_html(items: pd.DataFrame, lang: str = "id", limit: int = MAX_OFF_TRACK_PROGRAMS) -> str:
    """The off-track items: the programs below target as an HTML table (what, value, change, OPD; the
    first ``limit``, then one row counting the others), the weakest kelurahan in one sentence after it
    (they share one OPD, said once); a sentence when none is."""
    if items.empty:
        return f"<p>{html.escape(t('pageone.none_off_track', lang))}</p>"
    parts = []
    progs = items[items["kind"] == "program"]
    hidden = max(0, len(progs) - limit)
    progs = progs.head(limit)
    if len(progs):
        headers = [t("pageone.col.what", lang), t("pageone.col.value", lang), t("pageone.col.change_short", lang),
                   t("pageone.col.agency", lang)]  # fmt: skip
        body = []
        for _, r in progs.iterrows():
            what = f"<strong>{html.escape(r['name'])}</strong>"
            if r["detail"]:
                what += f'<br><span class="kjb-detail">{html.escape(r["detail"])}</span>'
            # "turun 11,9 poin" (percentage points): the short unit keeps the column to one line
            body.append([what, html.escape(pct(r["value"], lang)), _change_html(r["change"], "points", lang, say_reason=False),
                         html.escape(r["agency"])])  # fmt: skip
        more = t("pageone.more_off_track", lang, n=format_number(hidden, lang=lang)) if hidden else ""
        parts.append(
            _table("kjb-offtrack", t("pageone.caption.off_track", lang), headers, body, html.escape(more))
        )
    areas = items[items["kind"] == "kelurahan"]
    if len(areas):
        listed = [
            t(
                "pageone.kelurahan_item",
                lang,
                name=f"<strong>{html.escape(r['name'])}</strong>",
                detail=html.escape(r["detail"]),
                value=html.escape(format_number(r["value"], lang=lang, decimals=1)),
                change=" ".join(change_parts(r["change"], r["unit"], lang))
                if pd.notna(r["change"])
                else t("pageone.no_change.short", lang),
            )
            for _, r in areas.iterrows()
        ]
        sentence = t(
            "pageone.kelurahan_sentence",
            lang,
            items="; ".join(listed),
            agency=f"<strong>{html.escape(areas['agency'].iloc[0])}</strong>",
        )
        parts.append(f'<p id="kjb-weak-kelurahan">{sentence}</p>')
    return "\n".join(parts)


def select_follow_ups(actions: pd.DataFrame, limit: int = MAX_FOLLOW_UPS) -> pd.DataFrame:
    """The follow-ups page one shows: the most urgent of each rule first (the first of every rule, then
    the second of every rule, ...), at most ``limit``, shown in the priority order of the rules, so that a
    long list under one rule never hides every other kind of follow-up.

    >>> a = pd.DataFrame({"rule": ["x", "x", "x", "y"], "priority": [1, 1, 1, 2], "text": list("abcd")})
    >>> list(select_follow_ups(a, 3)["text"])
    ['a', 'b', 'd']
    """
    if actions.empty:
        return actions
    rank = actions.groupby("rule", sort=False).cumcount()
    chosen = actions.assign(_rank=rank).sort_values(["_rank", "priority"], kind="mergesort").head(limit)
    return chosen.sort_values(["priority", "_rank"], kind="mergesort").drop(columns="_rank")


def follow_ups_html(actions: pd.DataFrame, lang: str = "id", limit: int = MAX_FOLLOW_UPS) -> str:
    """The "Tindak lanjut" box: the first ``limit`` follow-ups (priority order), each led by its OPD."""
    title = html.escape(t("pageone.h.follow_ups", lang))
    if actions.empty:
        items = f"<li>{html.escape(t('pageone.no_follow_ups', lang))}</li>"
    else:
        shown = select_follow_ups(actions, limit)
        items = "".join(
            f'<li data-rule="{html.escape(r["rule"])}"><strong>{html.escape(r["agency"])}</strong>: '
            f"{html.escape(r['text'])}</li>"
            for _, r in shown.iterrows()
        )
        if len(actions) > limit:
            more = t("pageone.more_follow_ups", lang, n=format_number(len(actions) - limit, lang=lang))
            items += f'<li class="kjb-more">{html.escape(more)}</li>'
    return f'<aside id="kjb-followups" class="kjb-followups" aria-label="{title}"><h3>{title}</h3><ul>{items}</ul></aside>'


def _markdown_inline(text: str) -> str:
    """Escaped Markdown of one paragraph as inline HTML (the notebook's renderer, mistune)."""
    import mistune

    return mistune.html(text).strip().removeprefix("<p>").removesuffix("</p>")


def page_one_html(
    figures: pd.DataFrame,
    items: pd.DataFrame,
    actions: pd.DataFrame,
    period: str,
    previous: str | None,
    lang: str = "id",
    weakest_sentence: str | None = None,
    claim_sentence: str | None = None,
) -> str:
    """Page one as one HTML block: the three questions, each a heading and its table or box, then the
    sentence on the claim. ``weakest_sentence`` (``messages.message_weakest_principle``) and
    ``claim_sentence`` (``messages.claim_sentence``) are Markdown, already escaped."""
    h = lambda key: f"<h2>{html.escape(t(f'pageone.h.{key}', lang))}</h2>"  # noqa: E731
    parts = [
        '<section class="kjb-pageone">',
        h("how"),
        headline_table_html(figures, period, previous, lang),
        h("off_track"),
        off_track_html(items, lang),
    ]
    if weakest_sentence:
        parts.append(f'<p class="kjb-weakest">{_markdown_inline(weakest_sentence)}</p>')
    parts.append(follow_ups_html(actions, lang))
    if claim_sentence:
        parts.append(f'<p id="kjb-claim" class="kjb-claim">{_markdown_inline(claim_sentence)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def previous_period_of(programs: pd.DataFrame) -> str | None:
    """The previous period of the programs table (its ``previous_period`` column), or None."""
    if programs.empty or "previous_period" not in programs:
        return None
    prev = programs["previous_period"].dropna()
    return str(prev.iloc[0]) if len(prev) else None
