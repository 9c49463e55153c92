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
