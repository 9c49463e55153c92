"""The briefing's last pages: a short glossary and the method ("Daftar istilah dan cara menghitung").

Every number and label in it comes from the configuration the evaluation reads, so the text cannot drift from
the code: the achievement scale, its source, the cap and the serapan flags from ``config/achievement.yml``
(:func:`analysis.evaluate.achievement.load_achievement_config`), the principles, their weights, the index
categories, the data-coverage rule and the number of simulation runs from ``config/index_framework.yml``
(:func:`analysis.evaluate.principles.framework.load_framework`). The words are catalogue labels under
``glossary.`` (``core/locales/{id,en}.yml``), which the scorecards may reuse.
"""

from __future__ import annotations

import html
from fractions import Fraction

import pandas as pd

from analysis.core.formatting import format_date, format_number, format_percent
from analysis.core.i18n import t
from analysis.evaluate.achievement import AchievementConfig, load_achievement_config
from analysis.evaluate.principles.framework import Framework, load_framework
from analysis.publish.content.common import (
    PRINCIPLES,
    TARGET_MET_PCT,
    join_items,
    label_of,
    md_escape,
    page_break,
)

#: Terms of the glossary, in reading order (catalogue keys ``glossary.<term>.term`` / ``.text``).
TERMS = (
    "capaian",
    "program_capaian",
    "level",
    "serapan",
    "not_assessable",
    "index",
    "median",
    "rank",
    "insufficient",
)


def _pct(value: float, lang: str) -> str:
    """A threshold in percent, with a decimal only when it has one (``91%``, ``50,5%``)."""
    return format_percent(value, lang=lang, decimals=0 if float(value).is_integer() else 1)


def band_texts(minimums: list[float | None], lang: str = "id", unit: str = "") -> list[str]:
    """The range of each band of a scale given from the highest threshold down (``None`` = everything below).

    >>> band_texts([91, 76, None], "id", "%")
    ['≥ 91%', '76% sampai di bawah 91%', 'di bawah 76%']
    >>> band_texts([80, 0], "en")
    ['≥ 80', '0 to below 80']
    """

    def fmt(v: float) -> str:
        return _pct(v, lang) if unit == "%" else format_number(v, lang=lang)

    out = []
    for i, low in enumerate(minimums):
        high = minimums[i - 1] if i else None
        if low is None:
            out.append(t("glossary.range_below", lang, high=fmt(high)))
        elif high is None:
            out.append(t("glossary.range_at_least", lang, low=fmt(low)))
        else:
            out.append(t("glossary.range_between", lang, low=fmt(low), high=fmt(high)))
    return out


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """An HTML table on one line block (kept as it is by the notebook's Markdown); cells are escaped here."""
    head = "".join(f"<th>{html.escape(h, quote=False)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c, quote=False)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _kept_together(caption: str, table: str) -> str:
    """A caption and its short table in one block that print does not split across pages."""
    return (
        '<div class="kjb-keep" style="break-inside: avoid; page-break-inside: avoid">'
        f"<p>{html.escape(caption, quote=False)}</p>{table}</div>"
    )


def achievement_scale_table(config: AchievementConfig, lang: str = "id") -> str:
    """The achievement levels and their bands as a Markdown table (labels in ``lang``)."""
    ranges = band_texts([lv.min_pct for lv in config.levels], lang, "%")
    rows = [(label_of("levels", lv.label, lang), r) for lv, r in zip(config.levels, ranges, strict=True)]
    return _table((t("glossary.col_level", lang), t("glossary.col_capaian", lang)), rows)


def index_category_table(framework: Framework, lang: str = "id") -> str:
    """The index categories and their bands as a Markdown table."""
    cats = framework.settings.categories
    ranges = band_texts([c.min_score for c in cats], lang)
    rows = [(label_of("nb.category", c.label, lang), r) for c, r in zip(cats, ranges, strict=True)]
    return _table((t("glossary.col_category", lang), t("glossary.col_index", lang)), rows)


def program_table(programs: pd.DataFrame | None, lang: str = "id") -> str:
    """Each program as the report names it (its short name, else its name), its full name and its agency.

    In English the program is named as in the English report (short name, else the English name of the
    reference file; the short name followed by the English full name), and the second column gives the
    Indonesian name, so a reader can match it with Indonesian documents."""
    if programs is None or programs.empty:
        return ""
    rows = []
    for _, p in programs.sort_values("program_code").iterrows():
        name, short = _given(p.get("program_name")), _given(p.get("program_short"))
        agency = _given(p.get("agency"))
        if lang == "id":
            label, second = short or name, name if short else ""
        else:
            english = _given(p.get("program_name_en")) or name
            agency = _given(p.get("agency_en")) or agency
            label = f"{short} ({english})" if short and english != name else (short or english)
            second = name if name != (short or english) else ""
        rows.append((label, second or "—", agency))
    header = (t("glossary.col_program", lang), t("glossary.col_full_name", lang), t("columns.agency", lang))
    return _table(header, rows)


def programs_caption(programs: pd.DataFrame | None, lang: str = "id") -> str:
    """The sentence above :func:`program_table`; in English it says which names stay Indonesian."""
    shorts = []
    if programs is not None and "program_short" in programs:
        shorts = [_given(v) for v in programs.sort_values("program_code")["program_short"] if _given(v)]
    if shorts:
        return t("glossary.programs_caption_short", lang, short_names=join_items(shorts, lang))
    return t("glossary.programs_caption", lang)


def _given(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _principles_text(framework: Framework, lang: str) -> str:
    names = [t(f"principles.{p}", lang) for p in PRINCIPLES if p in framework.principle_weights]
    weights = [framework.principle_weights[p] for p in PRINCIPLES if p in framework.principle_weights]
    if len(set(weights)) == 1:
        return t("glossary.index.equal_weights", lang, principles=join_items(names, lang))
    listed = ", ".join(f"{n} {format_number(w, lang=lang)}" for n, w in zip(names, weights, strict=True))
    return t("glossary.index.weights", lang, weights=listed)


def _program_starts(config: AchievementConfig, programs: pd.DataFrame | None, lang: str) -> str:
    names = {}
    if programs is not None and not programs.empty:
        for _, p in programs.iterrows():
            names[p["program_code"]] = _given(p.get("program_short")) or (
                (_given(p.get("program_name_en")) if lang != "id" else "") or p["program_name"]
            )
    items = [
        t(
            "glossary.not_assessable.start",
            lang,
            program=md_escape(names.get(code, code)),
            date=format_date(day, lang),
        )
        for code, day in config.program_starts
    ]
    return t("glossary.not_assessable.starts", lang, items=join_items(items, lang)) if items else ""


def glossary_terms(
    lang: str = "id",
    config: AchievementConfig | None = None,
    framework: Framework | None = None,
    programs: pd.DataFrame | None = None,
) -> list[tuple[str, str]]:
    """``(term, explanation)`` for each of :data:`TERMS`, filled from the configuration (read when not given)."""
    config = config or load_achievement_config()
    framework = framework or load_framework()
    s = framework.settings
    cap = _pct(config.cap_pct, lang)
    thin = ""
    if s.thin_principle_weight_factor != 1:
        thin = t("glossary.index.thin", lang, factor=format_number(s.thin_principle_weight_factor, lang=lang))
    coverage = Fraction(s.min_coverage).limit_denominator(12)
    values = {
        "capaian": {},
        "program_capaian": {"cap": cap, "met": _pct(TARGET_MET_PCT, lang)},
        "level": {"n": len(config.levels)},
        "serapan": {
            "high_pace": _pct(config.high_spend_min_pace_pct, lang),
            "low_output": _pct(config.low_output_below_pct, lang),
            "low_pace": _pct(config.low_spend_below_pace_pct, lang),
            "high_output": _pct(config.high_output_min_pct, lang),
        },
        "not_assessable": {"starts": _program_starts(config, programs, lang)},
        "index": {
            "principles": _principles_text(framework, lang),
            "n": len(framework.indicators),
            "thin": thin,
        },
        "median": {},
        "rank": {"runs": format_number(s.n_runs, lang=lang)},
        "insufficient": {"coverage": f"{coverage.numerator}/{coverage.denominator}"},
    }
    return [
        (t(f"glossary.{k}.term", lang, **values[k]), t(f"glossary.{k}.text", lang, **values[k]))
        for k in TERMS
    ]


def glossary_section(
    lang: str = "id",
    programs: pd.DataFrame | None = None,
    config: AchievementConfig | None = None,
    framework: Framework | None = None,
) -> str:
    """The briefing's glossary and method as Markdown, starting on a new page in print."""
    config = config or load_achievement_config()
    framework = framework or load_framework()
    terms = glossary_terms(lang, config, framework, programs)
    sources = {
        "levels": (config.levels_source_en if lang != "id" else "") or config.levels_source,
        "cap": (config.cap_source_en if lang != "id" else "") or config.cap_source,
    }
    parts = [
        page_break() + "## " + t("glossary.heading", lang),
        "### " + t("glossary.terms_heading", lang),
        "\n".join(f"- **{term}** — {text}" for term, text in terms),
        "### " + t("glossary.method_heading", lang),
        t("glossary.cap_source", lang, cap=_pct(config.cap_pct, lang), source=md_escape(sources["cap"])),
        _kept_together(
            t("glossary.scale_caption", lang, source=sources["levels"]), achievement_scale_table(config, lang)
        ),
        _kept_together(t("glossary.categories_caption", lang), index_category_table(framework, lang)),
    ]
    table = program_table(programs, lang)
    if table:
        parts += [md_escape(programs_caption(programs, lang)), table]
    return "\n\n".join(parts)
