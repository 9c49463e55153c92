"""Four-principle index content (``03_kampung_bahagia_index``, the briefing's RT pages): ranks with their
intervals, categories, RTs without enough data, the audit, weaknesses, kecamatan/kelurahan and groups.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.formatting import MISSING, format_number, format_percent
from analysis.core.i18n import t
from analysis.core.periods import period_label

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

from analysis.publish.content.common import (
    PRINCIPLES,
    STATUS_SCORED,
    index_indicator_name,
    label_of,
    scored,
    style_table,
)


def interval_text(rank: object, low: object, high: object, lang: str = "id") -> str:
    """``12 (8–17)``: a rank is never written without its 5–95 % interval; ``—`` if any part is missing.

    >>> interval_text(12, 8.0, 17.0)
    '12 (8–17)'
    >>> interval_text(3, 2.5, 4.0)
    '3 (2,5–4)'
    """
    if any(v is None or pd.isna(v) for v in (rank, low, high)):
        return MISSING
    return f"{format_number(int(rank), lang=lang)} ({format_number(round(float(low), 1), lang=lang)}–{format_number(round(float(high), 1), lang=lang)})"


def rank_frame(rt_index: pd.DataFrame, lang: str = "id") -> pd.DataFrame:
    """Scored RTs by rank with display columns: ``rt`` label, principle scores, index, category, and the
    overall and in-group rank each written with its interval (:func:`interval_text`)."""
    return _rank_texts(_by_rank(rt_index), lang)


def _by_rank(rt_index: pd.DataFrame) -> pd.DataFrame:
    """The scored RTs of ``rt_index`` by rank (then ``rt_code``)."""
    return scored(rt_index).sort_values(["rank", "rt_code"], kind="mergesort").copy()


def _rank_texts(sc: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``sc`` with the display columns of :func:`rank_frame`, each computed from its own row."""
    from analysis.publish.charts import rt_label

    sc["rt"] = [rt_label(r) for _, r in sc.iterrows()]
    sc["rank_text"] = [interval_text(r["rank"], r["rank_p05"], r["rank_p95"], lang) for _, r in sc.iterrows()]
    sc["group_rank_text"] = [
        interval_text(r["rank_in_group"], r["rank_in_group_p05"], r["rank_in_group_p95"], lang)
        + f" · {t('nb.group.pilot' if bool(r['is_pilot']) else 'nb.group.other', lang)}"
        for _, r in sc.iterrows()
    ]
    sc["category_text"] = [label_of("nb.category", v, lang) for v in sc["category"]]
    return sc


def rank_table(rt_index: pd.DataFrame, lang: str = "id", n: int = 10, bottom: bool = False) -> Styler | str:
    """The top (or bottom) ``n`` scored RTs with scores and ranks-with-intervals (the rows of
    :func:`rank_frame`; only the ``n`` rows shown are written out: a rank's text with its interval costs
    three number formats, and the city has 1,650 RTs)."""
    if scored(rt_index).empty:
        return t("nb.text.no_data", lang)
    sc = _by_rank(rt_index)
    if sc.empty:
        return t("nb.text.no_data", lang)
    df = _rank_texts(sc.tail(n) if bottom else sc.head(n), lang)
    labels = {
        "rt": t("nb.col.rt", lang),
        "kecamatan_name": t("columns.kecamatan_name", lang),
        **{p: t(f"principles.{p}", lang) for p in PRINCIPLES},
        "index": t("nb.col.index", lang),
        "category_text": t("nb.col.category", lang),
        "rank_text": t("nb.col.rank_interval", lang),
        "group_rank_text": t("nb.col.group_rank_interval", lang),
    }
    kinds = {c: "text" for c in labels} | {p: "score" for p in [*PRINCIPLES, "index"]}
    shown = df[list(labels)].copy()
    for col in [*PRINCIPLES, "index"]:
        shown[col] = shown[col].astype("float64").round(1)
    return style_table(shown, kinds, lang, labels=labels, table_id="ranks_bottom" if bottom else "ranks_top")


def index_summary(rt_index: pd.DataFrame, lang: str = "id", settings: pd.DataFrame | None = None) -> str:
    """RTs scored / with insufficient data and the median index, then that the index is self-reported and,
    from ``index_uncertainty_settings``, which principles carry a reduced weight this period
    (:func:`weights_note`); or why there is no index."""
    if rt_index.empty:
        return t("nb.text.no_index", lang, reason=t("nb.text.no_index_reason", lang))
    sc = scored(rt_index)
    note = weights_note(settings, lang) if settings is not None else ""
    imputed = imputation_note(settings, lang) if settings is not None else ""
    return " ".join(
        part
        for part in (
            _summary_sentence(rt_index, sc, lang),
            t("nb.text.index_self_report", lang),
            note,
            imputed,
        )
        if part
    )


def _weight_text(value: str, lang: str) -> str:
    """A weight as the settings table writes it (``0.5``) in the reader's number format (``0,5``).

    >>> _weight_text("0.5", "id"), _weight_text("1", "en"), _weight_text("n/a", "id")
    ('0,5', '1', 'n/a')
    """
    try:
        return format_number(float(value), lang=lang)
    except ValueError:
        return value


def imputation_note(settings: pd.DataFrame, lang: str = "id") -> str:
    """How many values the imputation filled and, for ``carry_forward``, from which period (or that the
    previous period was absent), from ``index_uncertainty_settings``; ``""`` without imputation.

    >>> s = pd.DataFrame({"setting": ["imputation", "n_values_imputed", "n_rt_imputed", "imputation_source_period"],
    ...                   "value": ["carry_forward", "12", "5", "2026-TW1"]})
    >>> imputation_note(s, "en")
    "Missing values carried forward from Q1 2026: 12 values of 5 RTs take the RT's own report of that period."
    """
    if settings is None or settings.empty:
        return ""
    values = dict(zip(settings["setting"], settings["value"], strict=True))
    method = str(values.get("imputation", "none"))
    if method == "none":
        return ""
    counts = {
        "values": format_number(int(values.get("n_values_imputed", 0) or 0), lang=lang),
        "rts": format_number(int(values.get("n_rt_imputed", 0) or 0), lang=lang),
    }
    if method == "carry_forward":
        source = str(values.get("imputation_source_period", "") or "absent")
        if source == "absent":
            return t("nb.text.index_carry_absent", lang)
        return t("nb.text.index_carried_forward", lang, period=period_label(source, lang), **counts)
    return t("nb.text.index_imputed", lang, method=method, **counts)


def weights_note(settings: pd.DataFrame, lang: str = "id") -> str:
    """The disclosed weights of the principles that rest on one or two yes/no items this period, from the
    ``thin_principles`` and ``principle_weights`` settings; ``""`` when no principle was reduced.

    >>> s = pd.DataFrame({"setting": ["thin_principles", "principle_weights"],
    ...                   "value": ["transparansi", "transparansi: 0.5, partisipatif: 1"]})
    >>> weights_note(s, "en").split(" rest on")[0], weights_note(s, "en").rsplit(": ", 1)[1]
    ('This period Transparency', 'Transparency 0.5, Participation 1.')
    >>> weights_note(s, "id").rsplit(": ", 1)[1]
    'Transparansi 0,5, Partisipatif 1.'
    """
    if settings is None or settings.empty:
        return ""
    values = dict(zip(settings["setting"], settings["value"], strict=True))
    thin = [p.strip() for p in str(values.get("thin_principles", "")).split(",") if p.strip()]
    if not thin:
        return ""
    weights = dict(
        (k.strip(), v.strip())
        for k, v in (
            item.split(":") for item in str(values.get("principle_weights", "")).split(",") if ":" in item
        )
    )
    names = [t(f"principles.{p}", lang) for p in thin]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {t('msg.and', lang)} {names[-1]}"
    return t(
        "nb.text.index_thin_weights",
        lang,
        principles=listed,
        weights=", ".join(
            f"{t(f'principles.{p}', lang)} {_weight_text(weights[p], lang)}"
            for p in PRINCIPLES
            if p in weights
        ),
    )


def _summary_sentence(rt_index: pd.DataFrame, sc: pd.DataFrame, lang: str) -> str:
    return t(
        "nb.text.index_summary",
        lang,
        scored=format_number(len(sc), lang=lang),
        total=format_number(len(rt_index), lang=lang),
        insufficient=format_number(len(rt_index) - len(sc), lang=lang),
        median=format_number(sc["index"].median(), lang=lang, decimals=1) if len(sc) else MISSING,
    )


def category_rank_span(rt_index: pd.DataFrame, category: str, lang: str = "id") -> str:
    """The ranks the RTs of ``category`` reach in their 5–95 % intervals, ``"12–40"`` (best p05 to worst
    p95), or ``—``: a category is never shown without the rank interval it came from.

    >>> idx = pd.DataFrame({"status": ["dinilai"] * 3, "category": ["Kurang", "Kurang", "Baik"],
    ...                     "rank_p05": [30.0, 41.5, 1.0], "rank_p95": [48.0, 50.0, 9.0]})
    >>> category_rank_span(idx, "Kurang")
    '30–50'
    """
    sc = scored(rt_index)
    sc = sc[sc["category"] == category]
    if sc.empty or sc["rank_p05"].isna().all():
        return MISSING
    low, high = sc["rank_p05"].min(), sc["rank_p95"].max()
    return (
        f"{format_number(round(float(low), 1), lang=lang)}–{format_number(round(float(high), 1), lang=lang)}"
    )


def category_table(rt_index: pd.DataFrame, lang: str = "id") -> Styler:
    """RTs per category (scored), with the span of their rank intervals, and with insufficient data."""
    sc = scored(rt_index)
    order = ["Baik Sekali", "Baik", "Cukup", "Kurang"]
    counts = [
        (label_of("nb.category", c, lang), int((sc["category"] == c).sum()), category_rank_span(sc, c, lang))
        for c in order
    ]
    counts.append((label_of("nb.status", "data belum memadai", lang), len(rt_index) - len(sc), MISSING))
    df = pd.DataFrame(counts, columns=["category", "count", "ranks"])
    labels = {
        "category": t("nb.col.category", lang),
        "count": t("nb.col.n_rt", lang),
        "ranks": t("nb.col.category_rank_span", lang),
    }
    return style_table(
        df, {"category": "text", "count": "int", "ranks": "text"}, lang, labels=labels, table_id="categories"
    )


def sensitivity_table(sensitivity: pd.DataFrame, lang: str = "id") -> Styler | str:
    """``index_sensitivity``: the choices that move the ranks most (total Sobol index first)."""
    if sensitivity.empty:
        return t("nb.text.no_data", lang)
    df = sensitivity.sort_values(["importance", "factor"], kind="mergesort").copy()
    df["factor_text"] = [label_of("nb.sensitivity_factor", f, lang) for f in df["factor"]]
    for col in ("s1", "st"):
        df[col] = df[col].astype("float64").round(2)
    labels = {
        "factor_text": t("nb.col.sensitivity_factor", lang),
        "st": t("nb.col.sobol_total", lang),
        "s1": t("nb.col.sobol_first", lang),
    }
    return style_table(
        df[list(labels)],
        {"factor_text": "text", "st": "number", "s1": "number"},
        lang,
        labels=labels,
        table_id="sensitivity",
    )


#: The parts of ``status_reason`` as the evaluation writes them (``analysis.evaluate.principles.evaluate
#: ._screening_reason``, in Indonesian) -> catalogue key of the same sentence in the reader's language.
_REASON_PARTS = (
    (re.compile(r"^tidak ada laporan RT untuk periode ini$"), "nb.screening.no_report"),
    (
        re.compile(
            r"^cakupan data (?P<coverage>\d+)% < (?P<minimum>\d+)% \((?P<available>\d+) dari (?P<applicable>\d+) indikator\)$"
        ),
        "nb.screening.coverage",
    ),
    (re.compile(r"^prinsip tanpa indikator cukup: (?P<principles>.+)$"), "nb.screening.thin_principles"),
)


def screening_reason_text(reason: object, lang: str = "id") -> str:
    """Why an RT is not scored, in ``lang``: each part of the evaluation's ``status_reason`` from the
    catalogue (a part it does not know stays as written).

    >>> screening_reason_text("cakupan data 60% < 67% (9 dari 15 indikator); prinsip tanpa indikator cukup: keberlanjutan", "en")
    'data for 60% of the indicators, fewer than the 67% needed (9 of 15); too few indicators for Sustainability'
    """
    if reason is None or (not isinstance(reason, str) and pd.isna(reason)) or not str(reason).strip():
        return MISSING
    out = []
    for part in str(reason).split("; "):
        for pattern, key in _REASON_PARTS:
            m = pattern.match(part)
            if m:
                values = m.groupdict()
                if "principles" in values:
                    names = [label_of("principles", p.strip(), lang) for p in values["principles"].split(",")]
                    values["principles"] = ", ".join(names)
                for name in ("coverage", "minimum"):
                    if name in values:
                        values[name] = format_percent(float(values[name]), lang=lang, decimals=0)
                out.append(t(key, lang, **values))
                break
        else:
            out.append(part)
    return "; ".join(out)


def insufficient_table(rt_index: pd.DataFrame, lang: str = "id") -> Styler | str:
    """RTs with status *data belum memadai* and why (:func:`screening_reason_text`)."""
    if rt_index.empty:
        return t("nb.text.no_data", lang)
    from analysis.publish.charts import rt_label

    df = rt_index[rt_index["status"] != STATUS_SCORED].sort_values("rt_code").copy()
    if df.empty:
        return t("nb.text.no_data", lang)
    df["rt"] = [rt_label(r) for _, r in df.iterrows()]
    df["status_text"] = [label_of("nb.status", v, lang) for v in df["status"]]
    df["status_reason"] = [screening_reason_text(v, lang) for v in df["status_reason"]]
    labels = {
        "rt": t("nb.col.rt", lang),
        "status_text": t("nb.col.status_rt", lang),
        "status_reason": t("nb.col.reason", lang),
    }
    return style_table(
        df[list(labels)], dict.fromkeys(labels, "text"), lang, labels=labels, table_id="insufficient"
    )


def alpha_table(audit: pd.DataFrame, lang: str = "id") -> Styler | str:
    """Cronbach's alpha per principle with its flag."""
    if audit.empty:
        return t("nb.text.no_data", lang)
    df = audit[audit["check"] == "cronbach_alpha"].copy()
    df["principle_text"] = [
        t(f"principles.{p}", lang) if p in PRINCIPLES else str(p) for p in df["principle"]
    ]
    df["flag_text"] = [label_of("nb.audit_flag", f, lang) for f in df["flag"]]
    df["value"] = df["value"].round(2)
    labels = {
        "principle_text": t("nb.col.principle", lang),
        "value": t("nb.col.alpha", lang),
        "n": t("nb.col.n_rt_scored", lang),
        "flag_text": t("nb.col.flag", lang),
    }
    return style_table(
        df[list(labels)],
        {"principle_text": "text", "value": "number", "n": "int", "flag_text": "text"},
        lang,
        labels=labels,
        table_id="alpha",
    )


def audit_flags_table(audit: pd.DataFrame, lang: str = "id") -> Styler | str:
    """Audit findings other than ``ok`` and other than alpha (shown by :func:`alpha_table`)."""
    if audit.empty:
        return t("nb.text.no_data", lang)
    df = audit[(audit["flag"] != "ok") & (audit["check"] != "cronbach_alpha")].copy()
    if df.empty:
        return t("nb.text.audit_none", lang)
    df["principle_text"] = [
        t(f"principles.{p}", lang) if p in PRINCIPLES else str(p) for p in df["principle"]
    ]
    df["pair"] = [
        str(i) + ("" if o is None or pd.isna(o) or not str(o) else f" × {o}")
        for i, o in zip(df["indicator"], df["indicator_other"], strict=True)
    ]
    df["flag_text"] = [label_of("nb.audit_flag", f, lang) for f in df["flag"]]
    df["value"] = df["value"].astype("float64").round(2)
    labels = {
        "principle_text": t("nb.col.principle", lang),
        "pair": t("nb.col.indicator_pair", lang),
        "value": t("nb.col.audit_value", lang),
        "flag_text": t("nb.col.flag", lang),
    }
    return style_table(
        df[list(labels)],
        {"principle_text": "text", "pair": "text", "value": "number", "flag_text": "text"},
        lang,
        labels=labels,
        table_id="audit_flags",
    )


#: Columns of the correlation matrices: the principles, the index and RT size.
CORRELATION_COLUMNS = (*PRINCIPLES, "index", "households_kk")


def correlation_matrix(correlations: pd.DataFrame, rows: str = "principle") -> pd.DataFrame:
    """The long ``index_correlations`` as a matrix: the codes of level ``rows`` (``principle`` or
    ``indicator``) against :data:`CORRELATION_COLUMNS` (rho; 1 on the diagonal, NaN where not computed).

    >>> long = pd.DataFrame({"level_a": ["principle", "principle"], "code_a": ["akuntabilitas", "akuntabilitas"],
    ...                      "level_b": ["principle", "index"], "code_b": ["transparansi", "index"],
    ...                      "correlation": [0.25, 0.5]})
    >>> correlation_matrix(long).loc["transparansi", ["transparansi", "akuntabilitas", "index"]].tolist()
    [1.0, 0.25, nan]
    """
    if correlations.empty:
        return pd.DataFrame(columns=list(CORRELATION_COLUMNS), dtype="float64")
    both = pd.concat(
        [
            correlations[["level_a", "code_a", "code_b", "correlation"]].set_axis(["level", "row", "col", "rho"], axis=1),
            correlations.loc[correlations["level_a"] == correlations["level_b"], ["level_b", "code_b", "code_a", "correlation"]]
            .set_axis(["level", "row", "col", "rho"], axis=1),
        ]
    )  # fmt: skip
    sel = both[both["level"] == rows]
    # the framework's order: each code meets the index once, in the hierarchy's order
    order = list(PRINCIPLES) if rows == "principle" else []
    order += [c for c in dict.fromkeys(correlations.loc[correlations["code_b"] == "index", "code_a"])
              if c in set(sel["row"]) and c not in order]  # fmt: skip
    order += [c for c in dict.fromkeys(sel["row"]) if c not in order]
    wide = sel.pivot_table(index="row", columns="col", values="rho", aggfunc="first", dropna=False)
    out = wide.reindex(index=order, columns=list(CORRELATION_COLUMNS)).astype("float64")
    for code in set(order) & set(CORRELATION_COLUMNS):  # a code with itself: 1, as COINr's matrices
        out.loc[code, code] = 1.0
    return out.rename_axis(index=None, columns=None)


def pca_loadings(pca: pd.DataFrame) -> pd.DataFrame:
    """``index_pca`` as a matrix: one row per principle and a last row ``variance_share``, one column per
    component (``PC1`` …).

    >>> p = pd.DataFrame({"component": ["PC1", "PC1"], "variance_share": [0.8, 0.8],
    ...                   "principle": ["transparansi", "partisipatif"], "loading": [0.7, 0.7]})
    >>> float(pca_loadings(p).loc["variance_share", "PC1"])
    0.8
    """
    if pca.empty:
        return pd.DataFrame(dtype="float64")
    wide = pca.pivot_table(index="principle", columns="component", values="loading", aggfunc="first")
    wide = wide.reindex([p for p in PRINCIPLES if p in wide.index])
    share = pca.groupby("component", sort=True)["variance_share"].first()
    wide.loc["variance_share"] = share
    return wide.rename_axis(index=None, columns=None)


def _code_text(code: object, lang: str) -> str:
    code = str(code)
    if code in PRINCIPLES:
        return t(f"principles.{code}", lang)
    if code == "index":
        return t("nb.col.index", lang)
    if code == "households_kk":
        return t("columns.households_kk", lang)
    return code


def correlation_flags_table(correlations: pd.DataFrame, lang: str = "id") -> Styler | str:
    """The flagged rows of ``index_correlations`` (negative inside a group or with the own parent,
    redundant, following RT size) with the flag in plain words; a sentence when nothing is flagged."""
    if correlations.empty:
        return t("nb.text.no_data", lang)
    df = correlations[~correlations["flag"].isin(("ok", "tidak_dihitung"))].copy()
    if df.empty:
        return t("nb.text.correlation_none", lang)
    df["pair"] = [
        f"{_code_text(a, lang)} × {_code_text(b, lang)}"
        for a, b in zip(df["code_a"], df["code_b"], strict=True)
    ]
    df["flag_text"] = [
        t(f"nb.corr_flag.{f}_{r}" if f == "korelasi_negatif" else f"nb.corr_flag.{f}", lang)
        for f, r in zip(df["flag"], df["relation"], strict=True)
    ]
    df["correlation"] = df["correlation"].astype("float64").round(2)
    labels = {
        "pair": t("nb.col.indicator_pair", lang),
        "correlation": t("nb.col.correlation", lang),
        "n": t("nb.col.n_rt_scored", lang),
        "flag_text": t("nb.col.flag", lang),
    }
    return style_table(
        df[list(labels)],
        {"pair": "text", "correlation": "number", "n": "int", "flag_text": "text"},
        lang,
        labels=labels,
        table_id="correlation_flags",
    )


def weakness_counts(strengths: pd.DataFrame) -> pd.DataFrame:
    """How often each indicator is one of an RT's weaknesses (``rt_strengths_weaknesses``), most first."""
    cols = ["indicator", "indicator_name", "principle", "count"]
    if strengths.empty:
        return pd.DataFrame(columns=cols)
    weak = strengths[strengths["side"] == "kelemahan"]
    out = (
        weak.groupby(["indicator", "indicator_name", "principle"], sort=True)
        .size()
        .rename("count")
        .reset_index()
    )
    return out.sort_values(["count", "indicator"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )[cols]


def weakness_table(strengths: pd.DataFrame, lang: str = "id", n: int = 8) -> Styler | str:
    """The ``n`` indicators most often among the RTs' weaknesses."""
    df = weakness_counts(strengths).head(n)
    if df.empty:
        return t("nb.text.no_data", lang)
    df["principle_text"] = [
        t(f"principles.{p}", lang) if p in PRINCIPLES else str(p) for p in df["principle"]
    ]
    df["indicator_name"] = [
        index_indicator_name(c, n, lang) for c, n in zip(df["indicator"], df["indicator_name"], strict=True)
    ]
    labels = {
        "indicator_name": t("columns.indicator_name", lang),
        "principle_text": t("nb.col.principle", lang),
        "count": t("nb.col.times_weakness", lang),
    }
    return style_table(
        df[list(labels)],
        {"indicator_name": "text", "principle_text": "text", "count": "int"},
        lang,
        labels=labels,
        table_id="weaknesses",
    )


def _span(low: object, high: object, lang: str) -> str:
    """``low–high`` in the reader's number format (one number when they are equal), ``—`` when either
    is missing.

    >>> _span(2.5, 40.0, "id"), _span(71.25, 71.25, "en"), _span(float("nan"), 3.0, "en")
    ('2,5–40', '71.2', '—')
    """
    if any(v is None or pd.isna(v) for v in (low, high)):
        return MISSING
    if round(float(low), 1) == round(float(high), 1):
        return format_number(round(float(low), 1), lang=lang)
    return (
        f"{format_number(round(float(low), 1), lang=lang)}–{format_number(round(float(high), 1), lang=lang)}"
    )


def area_table(areas: pd.DataFrame, lang: str = "id", level: str = "kecamatan") -> Styler | str:
    """Roll-up per kecamatan (or kelurahan): RTs, RTs scored, the four principles, index, category with
    the rank intervals behind it (the ranks its scored RTs' 5–95 % intervals span, ``rt_rank_p05_min`` to
    ``rt_rank_p95_max``) and the range of its RTs' scores. A category is never shown without the rank
    interval it came from: without intervals (no Monte Carlo) the category is ``—``."""
    if areas.empty:
        return t("nb.text.no_data", lang)
    name = f"{level}_name"
    df = areas.sort_values(["kecamatan_name", name] if level == "kelurahan" else [name]).copy()
    low = df["rt_rank_p05_min"] if "rt_rank_p05_min" in df else pd.Series(float("nan"), index=df.index)
    high = df["rt_rank_p95_max"] if "rt_rank_p95_max" in df else pd.Series(float("nan"), index=df.index)
    df["rank_span"] = [_span(a, b, lang) for a, b in zip(low, high, strict=True)]
    df["score_range"] = [_span(a, b, lang) for a, b in zip(df["index_min"], df["index_max"], strict=True)]
    df["category_text"] = [
        label_of("nb.category", v, lang) if span != MISSING else MISSING
        for v, span in zip(df["category"], df["rank_span"], strict=True)
    ]
    labels = {
        **({"kecamatan_name": t("columns.kecamatan_name", lang)} if level == "kelurahan" else {}),
        name: t(f"columns.{name}", lang),
        "n_rt": t("nb.col.n_rt", lang),
        "n_rt_scored": t("nb.col.n_rt_scored", lang),
        **{p: t(f"principles.{p}", lang) for p in PRINCIPLES},
        "index": t("nb.col.index", lang),
        "category_text": t("nb.col.category", lang),
        "rank_span": t("nb.col.area_rank_span", lang),
        "score_range": t("nb.col.area_score_range", lang),
    }
    kinds = (
        {c: "text" for c in labels}
        | {"n_rt": "int", "n_rt_scored": "int"}
        | {p: "score" for p in [*PRINCIPLES, "index"]}
    )
    shown = df[list(labels)].copy()
    for col in [*PRINCIPLES, "index"]:
        shown[col] = shown[col].astype("float64").round(1)
    return style_table(shown, kinds, lang, labels=labels, table_id=f"area_{level}")


def group_comparison(rt_index: pd.DataFrame) -> pd.DataFrame:
    """Pilot (2025) vs other RTs: RTs in scope, scored, median of each principle and the index."""
    cols = ["group", "n_rt", "n_rt_scored", *PRINCIPLES, "index"]
    if rt_index.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for is_pilot, group in (True, "pilot"), (False, "other"):
        block = rt_index[rt_index["is_pilot"].fillna(False).astype(bool) == is_pilot]
        if block.empty:
            continue
        sc = scored(block)
        rows.append(
            {"group": group, "n_rt": len(block), "n_rt_scored": len(sc)}
            | {c: float(sc[c].median()) if len(sc) else float("nan") for c in [*PRINCIPLES, "index"]}
        )
    return pd.DataFrame(rows, columns=cols)


def group_table(rt_index: pd.DataFrame, lang: str = "id") -> Styler | str:
    """:func:`group_comparison` with catalogue labels (medians, one decimal)."""
    df = group_comparison(rt_index)
    if df.empty:
        return t("nb.text.no_data", lang)
    df["group"] = [t(f"nb.group.{g}", lang) for g in df["group"]]
    for col in [*PRINCIPLES, "index"]:
        df[col] = df[col].round(1)
    labels = {
        "group": t("nb.col.group", lang),
        "n_rt": t("nb.col.n_rt", lang),
        "n_rt_scored": t("nb.col.n_rt_scored", lang),
        **{p: t(f"principles.{p}", lang) for p in PRINCIPLES},
        "index": t("nb.col.median_index", lang),
    }
    kinds = {"group": "text", "n_rt": "int", "n_rt_scored": "int"} | {
        p: "score" for p in [*PRINCIPLES, "index"]
    }
    return style_table(df[list(labels)], kinds, lang, labels=labels, table_id="groups")


def n_runs(settings: pd.DataFrame) -> str:
    """The number of Monte Carlo runs of the rank intervals (``index_uncertainty_settings``), or ``—``."""
    if settings.empty:
        return MISSING
    row = settings[settings["setting"] == "n_runs"]
    return MISSING if row.empty else str(row["value"].iloc[0])
