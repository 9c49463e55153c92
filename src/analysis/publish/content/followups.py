"""The follow-ups the data call for (the briefing's "Tindak lanjut" box, notebook 02's follow-up table).

:func:`follow_ups` applies the rules of :data:`RULES`, in that order (the order is the priority), to one
period's evaluation tables and returns one row per follow-up, each naming the agency (OPD) that has to act.
The rules, each a pure condition on columns of the tables (docs/evaluation_tables.md):

=====================  ==========================================================================  =======
rule                   condition (one row per program, indicator, kelurahan or period)              OPD
=====================  ==========================================================================  =======
``below_target_falling``  program: capped capaian < 100 % and lower than in the previous period     program
                          (``achievement_capped_change_pp < 0``) → ask for an acceleration plan
``below_target``          program: capped capaian < 100 % and not falling (or no previous period)   program
                          → ask what will close the gap
``high_spend_low_output`` program flagged ``is_high_spend_low_output`` (analysis.evaluate.achievement) program
                          → ask how the money was used
``spending_behind_output`` program: target met (capped capaian ≥ 100 %) and spending under
                          :data:`SPEND_LAG_PACE_PCT` % of the straight-line pace (``serapan_pace_pct``), program
                          or flagged ``is_low_spend_high_output`` → check the spending records
``weak_kelurahan``        kelurahan of the lowest index category (:data:`LOWEST_CATEGORY`), the        Kampung
                          :data:`MAX_WEAK_KELURAHAN` lowest by index → mentoring on its weakest        Bahagia
                          principle (:func:`analysis.publish.charts.weakest_principles` of its scores)
``indicator_data_gap``    indicator not computable for a reason other than "program not started"    program
                          → ask for the missing data
``target_mismatch``       indicator whose reported target differs from ``target.csv``               program
                          (``is_target_mismatch``) → agree on one target
``rt_data_gap``           RTs with status "data belum memadai" → ask the RTs (through the lurah)       Kampung
                          for their reports                                                          Bahagia
=====================  ==========================================================================  =======

"Kampung Bahagia" OPD is the agency of the program named :data:`KAMPUNG_BAHAGIA_PROGRAM` in the reference
file ``program.csv`` (the program whose RTs the index scores). Texts are plain (not Markdown) and do not
repeat the agency (its own column; the briefing writes it first): escape them before they go into Markdown
or HTML.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from analysis.core.formatting import MISSING, format_number
from analysis.core.i18n import t
from analysis.core.periods import period_label
from analysis.publish.content.common import (
    LOWEST_CATEGORY,
    PRINCIPLES,
    STATUS_SCORED,
    TARGET_MET_PCT,
    _label_col,
    join_items,
    label_of,
    pct,
)

#: The rules in priority order (their conditions: the module docstring).
RULES = (
    "below_target_falling",
    "below_target",
    "high_spend_low_output",
    "spending_behind_output",
    "weak_kelurahan",
    "indicator_data_gap",
    "target_mismatch",
    "rt_data_gap",
)

#: Spending below four fifths of the straight-line pace of the fiscal year while the target is met: the
#: output runs ahead of the recorded spending (spending not yet recorded, or contractors not yet paid).
#: The evaluation's own flag ``is_low_spend_high_output`` (config/achievement.yml) marks only the extreme
#: case (under 25 % of the pace); this rule asks earlier.
SPEND_LAG_PACE_PCT = 80.0

#: Kelurahan named by ``weak_kelurahan`` at most (the lowest indices first).
MAX_WEAK_KELURAHAN = 3

#: Name of the Kampung Bahagia program in ``program.csv``: its agency answers for the RT index.
KAMPUNG_BAHAGIA_PROGRAM = "Kampung Bahagia"

#: Reason code of a program that had not started in the period (analysis.evaluate.achievement).
NOT_STARTED = "program_not_started"

COLUMNS = ("rule", "priority", "subject_code", "subject", "agency", "text")


def kampung_agency(programs: pd.DataFrame, lang: str = "id") -> str:
    """The agency of the Kampung Bahagia program (``programs`` or ``achievement_program``), or ``—``; in
    another language than ``id`` its English name (``agency_en`` of the reference ``programs``) when given.

    >>> ref = pd.DataFrame({"program_name": ["Kampung Bahagia"], "agency": ["Dinas PMPPA"],
    ...                     "agency_en": ["Community Empowerment Office"]})
    >>> kampung_agency(ref), kampung_agency(ref, "en")
    ('Dinas PMPPA', 'Community Empowerment Office')
    """
    if programs.empty or "agency" not in programs:
        return MISSING
    rows = programs[programs["program_name"].astype("str").str.strip().str.casefold() == "kampung bahagia"]
    if not len(rows):
        return MISSING
    english = rows["agency_en"].iloc[0] if lang != "id" and "agency_en" in rows else None
    if english is not None and not pd.isna(english) and str(english).strip():
        return str(english)
    return str(rows["agency"].iloc[0])


def _change_text(change: object, lang: str) -> str:
    if change is None or pd.isna(change):
        return ""
    return t("followup.change", lang, change=format_number(abs(float(change)), lang=lang, decimals=1))


def _program_rows(programs: pd.DataFrame, lang: str) -> Iterator[dict]:
    if programs.empty:
        return
    col = _label_col(programs)
    df = programs.sort_values("program_code", kind="mergesort")
    capped = df["achievement_capped_pct"].astype("Float64")
    change = df.get("achievement_capped_change_pp", pd.Series(pd.NA, index=df.index)).astype("Float64")
    below = (capped < TARGET_MET_PCT).fillna(False).astype(bool)
    falling = below & (change < 0).fillna(False).astype(bool)
    prev = df["previous_period"].dropna().astype("str") if "previous_period" in df else pd.Series(dtype="str")
    prev_label = period_label(prev.iloc[0], lang) if len(prev) else ""
    for idx, r in df.iterrows():
        base = {
            "subject_code": r["program_code"],
            "subject": str(r[col]),
            "agency": str(r["agency"]),
            "sort_value": r["achievement_capped_pct"],
        }
        value = pct(r["achievement_capped_pct"], lang)
        if falling[idx]:
            yield base | {
                "rule": "below_target_falling",
                "text": t(
                    "followup.below_target_falling",
                    lang,
                    program=r[col],
                    value=value,
                    change=_change_text(change[idx], lang),
                    previous=prev_label,
                ),
            }
        elif below[idx]:
            yield base | {
                "rule": "below_target",
                "text": t("followup.below_target", lang, program=r[col], value=value),
            }
    for rule, flag in (("high_spend_low_output", "is_high_spend_low_output"),):
        if flag not in df:
            continue
        for _, r in df[df[flag].fillna(False).astype(bool)].iterrows():
            yield {
                "rule": rule,
                "subject_code": r["program_code"],
                "subject": str(r[col]),
                "agency": str(r["agency"]),
                "sort_value": r["achievement_capped_pct"],
                "text": t(
                    f"followup.{rule}",
                    lang,
                    program=r[col],
                    serapan=pct(r["serapan_pct"], lang),
                    value=pct(r["achievement_capped_pct"], lang),
                ),
            }
    if "serapan_pace_pct" in df:
        pace = df["serapan_pace_pct"].astype("Float64")
        lagging = (~below & capped.notna() & (pace < SPEND_LAG_PACE_PCT)).fillna(False).astype(bool)
        if "is_low_spend_high_output" in df:
            lagging |= df["is_low_spend_high_output"].fillna(False).astype(bool)
        for _, r in df[lagging].iterrows():
            yield {
                "rule": "spending_behind_output",
                "subject_code": r["program_code"],
                "subject": str(r[col]),
                "agency": str(r["agency"]),
                "sort_value": r["serapan_pace_pct"],
                "text": t(
                    "followup.spending_behind_output",
                    lang,
                    program=r[col],
                    value=pct(r["achievement_capped_pct"], lang),
                    serapan=pct(r["serapan_pct"], lang),
                    pace=pct(r["serapan_pace_pct"], lang, 0),
                ),
            }


def weak_kelurahan(kelurahan: pd.DataFrame, n: int = MAX_WEAK_KELURAHAN) -> pd.DataFrame:
    """The kelurahan of the lowest category (:data:`LOWEST_CATEGORY`), lowest index first (ties by code),
    at most ``n``: the "weakest kelurahan" of the briefing's page one and of :func:`follow_ups`."""
    if kelurahan.empty or "category" not in kelurahan:
        return kelurahan
    low = kelurahan[(kelurahan["category"] == LOWEST_CATEGORY) & kelurahan["index"].notna()]
    return low.sort_values(["index", "kelurahan_code"], kind="mergesort").head(n)


def kelurahan_weakest_principles(row: pd.Series) -> list[str]:
    """The weakest principle(s) of one kelurahan's scores (tie-aware, the briefing's one rule)."""
    from analysis.publish.charts import weakest_principles

    return weakest_principles({p: row.get(p) for p in PRINCIPLES})


def _area_rows(kelurahan: pd.DataFrame, rt_index: pd.DataFrame, agency: str, lang: str) -> Iterator[dict]:
    for _, r in weak_kelurahan(kelurahan).iterrows():
        weakest = [t(f"principles.{p}", lang) for p in kelurahan_weakest_principles(r)]
        yield {
            "rule": "weak_kelurahan",
            "subject_code": r["kelurahan_code"],
            "subject": str(r["kelurahan_name"]),
            "agency": agency,
            "sort_value": r["index"],
            "text": t(
                "followup.weak_kelurahan",
                lang,
                kelurahan=r["kelurahan_name"],
                kecamatan=r["kecamatan_name"],
                index=format_number(r["index"], lang=lang, decimals=1),
                principles=join_items(weakest, lang) or MISSING,
            ),
        }


def _indicator_rows(indicators: pd.DataFrame, lang: str) -> Iterator[dict]:
    if indicators.empty:
        return
    df = indicators.sort_values("indicator_code", kind="mergesort")
    gap = (df["achievement_status"] != "computed") & (df["achievement_reason"].fillna("") != NOT_STARTED)
    for _, r in df[gap].iterrows():
        yield {
            "rule": "indicator_data_gap",
            "subject_code": r["indicator_code"],
            "subject": str(r["indicator_name"]),
            "agency": str(r["agency"]),
            "text": t(
                "followup.indicator_data_gap",
                lang,
                indicator=r["indicator_name"],
                reason=label_of("nb.na_reason", r["achievement_reason"], lang),
            ),
        }
    if "is_target_mismatch" in df:
        for _, r in df[df["is_target_mismatch"].fillna(False).astype(bool)].iterrows():
            yield {
                "rule": "target_mismatch",
                "subject_code": r["indicator_code"],
                "subject": str(r["indicator_name"]),
                "agency": str(r["agency"]),
                "text": t("followup.target_mismatch", lang, indicator=r["indicator_name"]),
            }


def _rt_gap_rows(rt_index: pd.DataFrame, agency: str, lang: str) -> Iterator[dict]:
    if rt_index.empty:
        return
    gaps = rt_index[rt_index["status"] != STATUS_SCORED]
    if gaps.empty:
        return
    by_kel = gaps.groupby("kelurahan_name", sort=True).size().sort_values(ascending=False, kind="mergesort")
    if int(by_kel.iloc[0]) > 1:
        top = [f"{name} ({format_number(n, lang=lang)})" for name, n in by_kel[by_kel > 1].head(3).items()]
        where = t("followup.rt_where_most", lang, kelurahan=join_items(top, lang))
    else:
        where = t("followup.rt_where_spread", lang, n=format_number(len(by_kel), lang=lang))
    yield {
        "rule": "rt_data_gap",
        "subject_code": "",
        "subject": t("followup.rt_subject", lang, n=len(gaps)),
        "agency": agency,
        "text": t(
            "followup.rt_data_gap",
            lang,
            n=format_number(len(gaps), lang=lang),
            where=where,
        ),
    }


def follow_ups(
    programs: pd.DataFrame,
    indicators: pd.DataFrame | None = None,
    rt_index: pd.DataFrame | None = None,
    kelurahan: pd.DataFrame | None = None,
    reference_programs: pd.DataFrame | None = None,
    lang: str = "id",
) -> pd.DataFrame:
    """One row per follow-up (:data:`COLUMNS`), in the priority order of :data:`RULES`; within a rule the
    most urgent first (lowest capaian, lowest pace of spending, lowest index), then by subject code.

    ``programs``: ``achievement_program`` (optionally with ``program_label``); ``indicators``:
    ``achievement_indicator``; ``rt_index``, ``kelurahan``: ``rt_index``, ``index_kelurahan``;
    ``reference_programs``: the ``programs`` table (for the Kampung Bahagia agency; default ``programs``).
    Tables left out (or empty) contribute no follow-up.
    """
    empty = pd.DataFrame()
    indicators = indicators if indicators is not None else empty
    rt_index = rt_index if rt_index is not None else empty
    kelurahan = kelurahan if kelurahan is not None else empty
    agency = kampung_agency(reference_programs if reference_programs is not None else programs, lang)
    rows = [
        *_program_rows(programs, lang),
        *_area_rows(kelurahan, rt_index, agency, lang),
        *_indicator_rows(indicators, lang),
        *_rt_gap_rows(rt_index, agency, lang),
    ]
    if not rows:
        return pd.DataFrame(columns=list(COLUMNS))
    out = pd.DataFrame(rows)
    out["priority"] = out["rule"].map({r: i + 1 for i, r in enumerate(RULES)}).astype("int64")
    out["sort_value"] = pd.to_numeric(out.get("sort_value"), errors="coerce")
    out = out.sort_values(["priority", "sort_value", "subject_code"], kind="mergesort", na_position="last")
    out = out.reset_index(drop=True)
    return out[list(COLUMNS)]
