"""Claim checks: public statements about the programs, tested against the achievement tables.

``config/claims.yml`` (edited by analysts) states each claim as *readings*: a metric over a scope of
programs, a comparator and a threshold. A vague claim such as "program 100 hari kerja telah melebihi
target" has several honest readings (every program met its target; the mean did; most indicators did;
the median program did); each gets its own verdict with the numbers behind it, and the claim's overall
verdict follows the rule stated in the file (``primary``: the primary reading decides; ``all``: every
reading must hold).

Verdicts (:data:`VERDICTS`): ``didukung data`` (the data support it), ``tidak didukung data`` (the data
contradict it), ``tidak dapat diverifikasi`` (the data needed are missing or incomplete).

A reading is *not verifiable* when nothing in its scope is computable, or when coverage (computable units
/ units in scope) is below the claim's ``min_coverage_pct``. Two exceptions, both because more data could
not change the answer: an "every unit" metric (``program_achievement_min``) is *not supported* as soon as
one computable unit fails; and a share metric (``indicator_share_met_pct``) gets a verdict whenever the
comparison comes out the same with every missing unit counted as failed and as met (its ``bounds``).

Languages: the table is written in Indonesian and English at once. Texts from ``claims.yml`` go into the
columns without suffix; their optional ``*_en`` translations (``text_en``, ``speaker_en``, ``source_en``,
``interpretation_en``, ``label_en``, ``self_report_note_en``) into ``*_en`` twins (null where the file gives
none). The texts this module writes itself (evidence, metric description, verdict rule) come from
:data:`PHRASES`, :data:`METRICS` and :data:`OVERALL_RULES` / :data:`OVERALL_RULES_EN` in both languages, the
numbers formatted for each (``73,2%`` / ``73.2%``). Verdict codes (``verdict``, ``overall_verdict``) are
the Indonesian words above in every language; the briefing labels them from its catalogue.

>>> compare(100.0, ">=", 100)
True
>>> verdict_overall(["tidak didukung data", "didukung data"], [True, False], "primary")
'tidak didukung data'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.config import CONFIG_DIR, SAMPLE_NOTICE, SAMPLE_NOTICE_EN, read_yaml
from analysis.core.errors import ConfigError
from analysis.core.periods import PeriodError, parse_period
from analysis.evaluate.achievement import STATUS_COMPUTED, TARGET_MET_PCT

CLAIMS_CONFIG = CONFIG_DIR / "claims.yml"

SUPPORTED = "didukung data"
NOT_SUPPORTED = "tidak didukung data"
UNVERIFIABLE = "tidak dapat diverifikasi"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, UNVERIFIABLE)

COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}
COMPARATOR_TEXT = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}

#: Overall verdict rules, with the sentence written into the output.
OVERALL_RULES = {
    "primary": (
        "didukung data hanya jika semua pembacaan utama didukung data; tidak didukung data jika salah satunya "
        "tidak didukung; selain itu tidak dapat diverifikasi. Pembacaan lain ditampilkan sebagai pembanding."
    ),
    "all": (
        "didukung data hanya jika semua pembacaan didukung data; tidak didukung data jika salah satunya tidak "
        "didukung; selain itu tidak dapat diverifikasi."
    ),
}

#: The same rules in English (``overall_rule_en``), with the verdict words of the English label catalogue.
OVERALL_RULES_EN = {
    "primary": (
        "supported by the data only if every primary reading is supported by the data; not supported by the "
        "data if one of them is not; otherwise cannot be verified. The other readings are shown for comparison."
    ),
    "all": (
        "supported by the data only if every reading is supported by the data; not supported by the data if one "
        "of them is not; otherwise cannot be verified."
    ),
}
#: Notices prefixed to ``data_note`` and their English text for ``data_note_en`` (``analysis.core.config``).
NOTICE_EN = {SAMPLE_NOTICE: SAMPLE_NOTICE_EN}

BASES = ("capped", "uncapped")

#: The verdict words written into the evidence (the verdict columns hold the codes of :data:`VERDICTS`).
VERDICT_WORDS = {
    "id": {SUPPORTED: SUPPORTED, NOT_SUPPORTED: NOT_SUPPORTED, UNVERIFIABLE: UNVERIFIABLE},
    "en": {
        SUPPORTED: "supported by the data",
        NOT_SUPPORTED: "not supported by the data",
        UNVERIFIABLE: "cannot be verified",
    },
}
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")


# ------------------------------------------------------------------------------------------- metrics
#: Languages the claim table is written in: ``id`` (the columns without suffix) and ``en`` (``*_en``).
LANGS = ("id", "en")

#: The sentences of the evidence, per language. Placeholders are filled with numbers formatted by
#: :func:`fmt_pct` / :func:`fmt_idr` in the same language; ``{items}`` is a comma-separated list.
PHRASES: dict[str, dict[str, str]] = {
    "id": {
        "basis_capped": "capaian per indikator dibatasi {cap}",
        "basis_uncapped": "capaian tanpa batas",
        "other_of_capped": "tanpa batas",
        "other_of_uncapped": "dengan batas",
        "lowest": "Terendah {value} ({basis}).",
        "program_one": "program",
        "program_many": "program",
        "indicator_one": "indikator",
        "indicator_many": "indikator",
        "below": " Di bawah ambang ({n} {programs}): {items}.",
        "all_meet": " Semua {n} program yang dapat dihitung memenuhi ambang.",
        "not_computable": " Tidak dapat dihitung: {items}.",
        "mean": "Rerata",
        "median": "Median",
        "stat": "{word} {n} {programs} = {value} ({basis}; {other}: {other_value}). Per program: {items}.",
        "share": "{met} dari {n} indikator yang dapat dihitung mencapai ≥ 100% ({value}).",
        "share_missed": " Belum mencapai target: {items}.",
        "share_bounds": (
            " {n} {indicators} tidak dapat dihitung; jika semuanya gagal/berhasil, persentasenya {low} sampai "
            "{high}."
        ),
        "serapan": (
            "Realisasi anggaran {spent} dari pagu {allocated} = {value} ({n} dari {total} {programs} "
            "melaporkan anggaran)."
        ),
        "missing_scope": "Tidak ada dalam data: {items}. ",
        "coverage": " Cakupan {n} dari {total} ({value}); minimum {minimum}.",
        "capped_item": " (dibatasi {cap})",
        "pooled": (
            "Rerata {n} {indicators} (tiap indikator setara) = {value} ({basis}; {other}: {other_value})."
        ),
        "pagu": (
            "Rerata {n} {programs} berbobot pagu = {value} ({basis}; {other}: {other_value}); pagu terbesar: "
            "{items}."
        ),
        "no_pagu": " Tanpa pagu: {items}.",
        "not_assessable": " Tidak dapat dinilai (program belum dimulai pada periode ini): {items}.",
        "no_target": " {n} dari {total} indikator tidak punya target untuk periode ini: {items}.",
        "restated": (" Dengan target yang dinyatakan OPD ({items}): nilai {value}, {verdict}."),
        "restated_item": "{code} {reported} bukan {target}: {pct_reported} bukan {pct}",
    },
    "en": {
        "basis_capped": "each indicator's achievement capped at {cap}",
        "basis_uncapped": "uncapped achievement",
        "other_of_capped": "uncapped",
        "other_of_uncapped": "capped",
        "lowest": "Lowest {value} ({basis}).",
        "program_one": "programme",
        "program_many": "programmes",
        "indicator_one": "indicator",
        "indicator_many": "indicators",
        "below": " Below the threshold ({n} {programs}): {items}.",
        "all_meet": " Every computable programme ({n}) meets the threshold.",
        "not_computable": " Cannot be computed: {items}.",
        "mean": "Mean of",
        "median": "Median of",
        "stat": "{word} {n} {programs} = {value} ({basis}; {other}: {other_value}). Per programme: {items}.",
        "share": "{met} of {n} computable indicators reach ≥ 100% ({value}).",
        "share_missed": " Below target: {items}.",
        "share_bounds": (
            " {n} {indicators} cannot be computed; if all of them failed/met the target, the share would be "
            "{low} to {high}."
        ),
        "serapan": (
            "Budget spent {spent} of the allocation {allocated} = {value} ({n} of {total} {programs} report a "
            "budget)."
        ),
        "missing_scope": "Not in the data: {items}. ",
        "coverage": " Coverage {n} of {total} ({value}); minimum {minimum}.",
        "capped_item": " (capped at {cap})",
        "pooled": "Mean of {n} {indicators} (each counts once) = {value} ({basis}; {other}: {other_value}).",
        "pagu": (
            "Allocation-weighted mean of {n} {programs} = {value} ({basis}; {other}: {other_value}); largest "
            "allocations: {items}."
        ),
        "no_pagu": " Without an allocation: {items}.",
        "not_assessable": " Cannot be assessed (the programme had not started in this period): {items}.",
        "no_target": " {n} of {total} indicators have no target for this period: {items}.",
        "restated": " With the targets restated by the agencies ({items}): value {value}, {verdict}.",
        "restated_item": "{code} {reported} instead of {target}: {pct_reported} instead of {pct}",
    },
}


def _say(key: str, lang: str, **kwargs: object) -> str:
    return PHRASES[lang][key].format(**kwargs)


def _units(kind: str, n: int, lang: str) -> str:
    """``program``/``indicator`` in ``lang``, singular for one (Indonesian has no plural form here)."""
    return PHRASES[lang][f"{kind}_one" if n == 1 else f"{kind}_many"]


def fmt_pct(x: float, lang: str = "id") -> str:
    """Percent with one decimal, as in the briefings: decimal comma in Indonesian (``87,5%``), point in
    English (``87.5%``); ``—`` when missing.

    >>> fmt_pct(102.2222), fmt_pct(102.2222, "en")
    ('102,2%', '102.2%')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{x:.1f}%"
    return text.replace(".", ",") if lang == "id" else text


def fmt_idr(x: float, lang: str = "id") -> str:
    """Rupiah without decimals, grouped with dots in Indonesian (``Rp1.250.000``), commas in English.

    >>> fmt_idr(1250000.4), fmt_idr(1250000.4, "en")
    ('Rp1.250.000', 'Rp1,250,000')
    """
    text = f"Rp{x:,.0f}"
    return text.replace(",", ".") if lang == "id" else text


@dataclass(frozen=True)
class MetricResult:
    value: float
    units_in_scope: int
    units_computable: int
    #: the numbers behind the value in words, per language (:data:`LANGS`)
    evidence: dict[str, str]
    #: the value's range if every unit that is not computable had failed / had met the target (metrics
    #: where that range is finite); a verdict that holds over the whole range does not need full coverage
    bounds: tuple[float, float] | None = None
    #: computable units (programs or indicators) whose capaian is below 100 % (target not met); None for a
    #: metric that is not about capaian (serapan)
    units_below_target: int | None = None


@dataclass(frozen=True)
class Metric:
    description: str
    description_en: str
    unit_kind: str  # "program" | "indicator"
    uses_basis: bool
    is_every_unit: bool  # "every unit meets it": a single failing unit refutes the reading
    #: (programs, indicators, basis, threshold, comparator, cap_pct) -> MetricResult
    compute: Callable[[pd.DataFrame, pd.DataFrame, str, float, str, float], MetricResult]


def _achievement_col(basis: str) -> str:
    return "achievement_capped_pct" if basis == "capped" else "achievement_pct"


def _other_col(basis: str) -> str:
    return "achievement_pct" if basis == "capped" else "achievement_capped_pct"


def _cap_text(cap: float, lang: str) -> str:
    """``120%`` (no decimals for a whole number).

    >>> _cap_text(120.0, "id"), _cap_text(112.5, "id")
    ('120%', '112,5%')
    """
    return fmt_pct(cap, lang).replace(",0%", "%").replace(".0%", "%")


def _basis_text(basis: str, lang: str, cap: float) -> str:
    return _say(f"basis_{basis}", lang, cap=_cap_text(cap, lang))


def _list_programs(df: pd.DataFrame, col: str, lang: str, cap: float | None = None) -> str:
    """``P01 114,5%, P04 120,0% (dibatasi 120%)``: a capped value says so where the cap changed it."""

    def item(r: Any) -> str:
        text = f"{r.program_code} {fmt_pct(getattr(r, col), lang)}"
        if (
            cap is not None
            and col == "achievement_capped_pct"
            and not math.isclose(r.achievement_capped_pct, r.achievement_pct)
        ):
            text += _say("capped_item", lang, cap=_cap_text(cap, lang))
        return text

    return ", ".join(item(r) for r in df.itertuples(index=False))


def _not_computable_text(progs: pd.DataFrame, lang: str) -> str:
    bad = progs[progs["achievement_status"] != STATUS_COMPUTED]
    return _say("not_computable", lang, items=", ".join(bad["program_code"])) if len(bad) else ""


def _programs_below(ok: pd.DataFrame, col: str) -> int:
    return int((ok[col] < TARGET_MET_PCT).sum())


def _program_min(
    progs: pd.DataFrame, _ind: pd.DataFrame, basis: str, threshold: float, comp: str, cap: float
) -> MetricResult:
    col = _achievement_col(basis)
    ok = progs[progs["achievement_status"] == STATUS_COMPUTED].sort_values([col, "program_code"])
    failing = ok[~ok[col].map(lambda v: COMPARATORS[comp](v, threshold))]
    value = float(ok[col].min()) if len(ok) else math.nan

    def evidence(lang: str) -> str:
        text = _say("lowest", lang, value=fmt_pct(value, lang), basis=_basis_text(basis, lang, cap))
        text += (
            _say(
                "below",
                lang,
                n=len(failing),
                programs=_units("program", len(failing), lang),
                items=_list_programs(failing, col, lang, cap),
            )
            if len(failing)
            else _say("all_meet", lang, n=len(ok))
        )
        return text + _not_computable_text(progs, lang)

    return MetricResult(
        value,
        len(progs),
        len(ok),
        {lang: evidence(lang) for lang in LANGS},
        units_below_target=_programs_below(ok, col),
    )


def _program_stat(stat: str) -> Callable[..., MetricResult]:
    def compute(
        progs: pd.DataFrame, _ind: pd.DataFrame, basis: str, _t: float, _c: str, cap: float
    ) -> MetricResult:
        col = _achievement_col(basis)
        ok = progs[progs["achievement_status"] == STATUS_COMPUTED].sort_values("program_code")
        value = float(getattr(ok[col], stat)()) if len(ok) else math.nan
        other = _other_col(basis)
        other_value = float(getattr(ok[other], stat)()) if len(ok) else math.nan

        def evidence(lang: str) -> str:
            return _say(
                "stat",
                lang,
                word=_say(stat, lang),
                n=len(ok),
                programs=_units("program", len(ok), lang),
                value=fmt_pct(value, lang),
                basis=_basis_text(basis, lang, cap),
                other=_say(f"other_of_{basis}", lang),
                other_value=fmt_pct(other_value, lang),
                items=_list_programs(ok, col, lang, cap),
            ) + _not_computable_text(progs, lang)

        return MetricResult(
            value,
            len(progs),
            len(ok),
            {lang: evidence(lang) for lang in LANGS},
            units_below_target=_programs_below(ok, col),
        )

    return compute


def _program_pagu_weighted(
    progs: pd.DataFrame, _ind: pd.DataFrame, basis: str, _t: float, _c: str, cap: float
) -> MetricResult:
    """``sum(pagu * a) / sum(pagu)`` over computable programs with a pagu above 0 (``a``: basis)."""
    col, other = _achievement_col(basis), _other_col(basis)
    computed = progs[progs["achievement_status"] == STATUS_COMPUTED]
    ok = computed[computed["budget_allocated_idr"] > 0].sort_values(
        ["budget_allocated_idr", "program_code"], ascending=[False, True]
    )
    no_pagu = computed[~computed["program_code"].isin(ok["program_code"])]
    weights = ok["budget_allocated_idr"]
    total = float(weights.sum())
    value = float((ok[col] * weights).sum() / total) if total > 0 else math.nan
    other_value = float((ok[other] * weights).sum() / total) if total > 0 else math.nan

    def evidence(lang: str) -> str:
        items = ", ".join(
            f"{r.program_code} {fmt_idr(r.budget_allocated_idr, lang)} → {fmt_pct(getattr(r, col), lang)}"
            for r in ok.head(3).itertuples(index=False)
        )
        text = _say(
            "pagu",
            lang,
            n=len(ok),
            programs=_units("program", len(ok), lang),
            value=fmt_pct(value, lang),
            basis=_basis_text(basis, lang, cap),
            other=_say(f"other_of_{basis}", lang),
            other_value=fmt_pct(other_value, lang),
            items=items,
        )
        if len(no_pagu):
            text += _say("no_pagu", lang, items=", ".join(no_pagu["program_code"]))
        return text + _not_computable_text(progs, lang)

    return MetricResult(
        value,
        len(progs),
        len(ok),
        {lang: evidence(lang) for lang in LANGS},
        units_below_target=_programs_below(ok, col),
    )


def _scope_indicators(progs: pd.DataFrame, ind: pd.DataFrame) -> pd.DataFrame:
    return ind[ind["program_code"].isin(progs["program_code"])]


def _indicator_mean(
    progs: pd.DataFrame, ind: pd.DataFrame, basis: str, _t: float, _c: str, cap: float
) -> MetricResult:
    """The pooled-indicator mean: every computable indicator in scope counts once, whatever its program."""
    col, other = _achievement_col(basis), _other_col(basis)
    ind = _scope_indicators(progs, ind)
    ok = ind[ind["achievement_status"] == STATUS_COMPUTED]
    value = float(ok[col].mean()) if len(ok) else math.nan
    other_value = float(ok[other].mean()) if len(ok) else math.nan
    evidence = {
        lang: _say(
            "pooled",
            lang,
            n=len(ok),
            indicators=_units("indicator", len(ok), lang),
            value=fmt_pct(value, lang),
            basis=_basis_text(basis, lang, cap),
            other=_say(f"other_of_{basis}", lang),
            other_value=fmt_pct(other_value, lang),
        )
        for lang in LANGS
    }
    below = int((ok["achievement_pct"] < TARGET_MET_PCT).sum())
    return MetricResult(value, len(ind), len(ok), evidence, units_below_target=below)


def _indicator_share_met(
    progs: pd.DataFrame, ind: pd.DataFrame, _b: str, _t: float, _c: str, _cap: float
) -> MetricResult:
    ind = _scope_indicators(progs, ind)
    ok = ind[ind["achievement_status"] == STATUS_COMPUTED]
    met = ok[ok["achievement_pct"] >= TARGET_MET_PCT]
    value = len(met) / len(ok) * 100 if len(ok) else math.nan
    missed = ok[ok["achievement_pct"] < TARGET_MET_PCT].sort_values("indicator_code")
    bounds = None
    if len(ind) > len(ok):
        bounds = (len(met) / len(ind) * 100, (len(met) + len(ind) - len(ok)) / len(ind) * 100)

    def evidence(lang: str) -> str:
        text = _say("share", lang, met=len(met), n=len(ok), value=fmt_pct(value, lang))
        if len(missed):
            listed = ", ".join(
                f"{r.indicator_code} {fmt_pct(r.achievement_pct, lang)}" for r in missed.itertuples()
            )
            text += _say("share_missed", lang, items=listed)
        if bounds is not None:
            text += _say(
                "share_bounds",
                lang,
                n=len(ind) - len(ok),
                indicators=_units("indicator", len(ind) - len(ok), lang),
                low=fmt_pct(bounds[0], lang),
                high=fmt_pct(bounds[1], lang),
            )
        return text

    return MetricResult(
        value,
        len(ind),
        len(ok),
        {lang: evidence(lang) for lang in LANGS},
        bounds,
        units_below_target=len(missed),
    )


def _serapan(
    progs: pd.DataFrame, _ind: pd.DataFrame, _b: str, _t: float, _c: str, _cap: float
) -> MetricResult:
    has_budget = progs[(progs["budget_allocated_idr"] > 0) & progs["budget_spent_idr"].notna()]
    allocated = float(has_budget["budget_allocated_idr"].sum())
    spent = float(has_budget["budget_spent_idr"].sum())
    value = spent / allocated * 100 if allocated > 0 else math.nan
    evidence = {
        lang: _say(
            "serapan",
            lang,
            spent=fmt_idr(spent, lang),
            allocated=fmt_idr(allocated, lang),
            value=fmt_pct(value, lang),
            n=len(has_budget),
            total=len(progs),
            programs=_units("program", len(progs), lang),
        )
        for lang in LANGS
    }
    return MetricResult(value, len(progs), len(has_budget), evidence)


METRICS: dict[str, Metric] = {
    "program_achievement_min": Metric(
        "capaian program terendah (setiap program memenuhi ambang)",
        "lowest programme achievement (every programme meets the threshold)",
        "program",
        True,
        True,
        _program_min,
    ),
    "program_achievement_mean": Metric(
        "rerata capaian program (bobot indikator di dalam program, tiap program setara)",
        "mean programme achievement (indicator weights within a programme, every programme counts once)",
        "program",
        True,
        False,
        _program_stat("mean"),
    ),
    "program_achievement_median": Metric(
        "median capaian program",
        "median programme achievement",
        "program",
        True,
        False,
        _program_stat("median"),
    ),
    "program_achievement_pagu_weighted": Metric(
        "rerata capaian program berbobot pagu (program beranggaran besar lebih berat)",
        "allocation-weighted mean programme achievement (programmes with larger budgets weigh more)",
        "program",
        True,
        False,
        _program_pagu_weighted,
    ),
    "indicator_achievement_mean": Metric(
        "rerata capaian semua indikator (tiap indikator setara, lintas program)",
        "mean achievement of all indicators pooled (each indicator counts once, across programmes)",
        "indicator",
        True,
        False,
        _indicator_mean,
    ),
    "indicator_share_met_pct": Metric(
        "persentase indikator dengan capaian ≥ 100%",
        "share of indicators with achievement ≥ 100%",
        "indicator",
        False,
        False,
        _indicator_share_met,
    ),
    "serapan_pct": Metric(
        "serapan anggaran gabungan (realisasi / pagu)",
        "combined budget absorption (spending / allocation)",
        "program",
        False,
        False,
        _serapan,
    ),
}


# -------------------------------------------------------------------------------------------- config
@dataclass(frozen=True)
class Reading:
    id: str
    label: str
    label_en: str | None  # None: no English label given (the Indonesian one is shown)
    metric: str
    comparator: str
    threshold: float
    is_primary: bool
    basis: str


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    speaker: str
    source: str
    is_example: bool
    periods: tuple[str, ...]
    programs: tuple[str, ...] | None  # None = all programs
    sectors: tuple[str, ...] | None
    agencies: tuple[str, ...] | None
    interpretation: str
    min_coverage_pct: float
    overall_rule: str
    readings: tuple[Reading, ...]
    #: English translations (``*_en`` keys); None where the file gives none. ``text`` is a quote and stays
    #: Indonesian; ``text_en`` is its translation, shown next to it.
    text_en: str | None = None
    speaker_en: str | None = None
    source_en: str | None = None
    interpretation_en: str | None = None


@dataclass(frozen=True)
class ClaimsConfig:
    self_report_note: str
    claims: tuple[Claim, ...]
    self_report_note_en: str | None = None


#: Optional English keys of a claim (the Indonesian key without ``_en`` is the original).
_CLAIM_EN_KEYS = ("text_en", "speaker_en", "source_en", "interpretation_en")
_CLAIM_KEYS = {
    "id", "text", "speaker", "source", "is_example", "period", "scope", "interpretation", "min_coverage_pct",
    "overall_rule", "readings", *_CLAIM_EN_KEYS,
}  # fmt: skip
_CLAIM_REQUIRED = {
    "id",
    "text",
    "source",
    "is_example",
    "period",
    "interpretation",
    "overall_rule",
    "readings",
}
_READING_KEYS = {"id", "label", "label_en", "metric", "comparator", "threshold", "primary", "basis"}
_READING_REQUIRED = {"id", "label", "metric", "comparator", "threshold"}


def _text(value: Any, path: Path, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: key '{key}' must be a non-empty text, got {value!r}")
    return " ".join(value.split())


def _optional_text(item: dict, name: str, path: Path, key: str) -> str | None:
    """An optional text key (an English translation): absent -> None; present -> a non-empty text."""
    return _text(item[name], path, f"{key}.{name}" if key else name) if name in item else None


def _bool(value: Any, path: Path, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: key '{key}' must be true or false, got {value!r}")
    return value


def _keys(item: Any, path: Path, key: str, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(item, dict):
        raise ConfigError(f"{path}: key '{key}' must be a mapping, got {type(item).__name__}")
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ConfigError(f"{path}: key '{key}' has unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    missing = sorted(required - set(item))
    if missing:
        raise ConfigError(f"{path}: key '{key}' is missing {missing}")
    return item


def _text_list(value: Any, path: Path, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{path}: key '{key}' must be 'all' or a non-empty list, got {value!r}")
    return tuple(_text(v, path, f"{key}[{i}]") for i, v in enumerate(value))


def _parse_reading(item: Any, path: Path, key: str) -> Reading:
    item = _keys(item, path, key, _READING_KEYS, _READING_REQUIRED)
    rid = _text(item["id"], path, f"{key}.id")
    if not _ID.match(rid):
        raise ConfigError(f"{path}: key '{key}.id' must be lower-case letters, digits and _, got {rid!r}")
    metric = item["metric"]
    if metric not in METRICS:
        raise ConfigError(f"{path}: key '{key}.metric': unknown metric {metric!r}; known: {sorted(METRICS)}")
    comparator = item["comparator"]
    if comparator not in COMPARATORS:
        raise ConfigError(
            f"{path}: key '{key}.comparator': unknown comparator {comparator!r}; known: {list(COMPARATORS)}"
        )
    if METRICS[metric].is_every_unit and comparator not in (">=", ">"):
        raise ConfigError(
            f"{path}: key '{key}.comparator': metric {metric} takes only >= or >, got {comparator!r}"
        )
    threshold = item["threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold):
        raise ConfigError(f"{path}: key '{key}.threshold' must be a number, got {threshold!r}")
    basis = item.get("basis", "capped")
    if basis not in BASES:
        raise ConfigError(f"{path}: key '{key}.basis': unknown basis {basis!r}; known: {list(BASES)}")
    if "basis" in item and not METRICS[metric].uses_basis:
        raise ConfigError(f"{path}: key '{key}.basis': metric {metric} has no capped/uncapped basis")
    return Reading(
        id=rid,
        label=_text(item["label"], path, f"{key}.label"),
        label_en=_optional_text(item, "label_en", path, key),
        metric=metric,
        comparator=comparator,
        threshold=float(threshold),
        is_primary=_bool(item.get("primary", False), path, f"{key}.primary"),
        basis=basis if METRICS[metric].uses_basis else "",
    )


def _parse_claim(item: Any, path: Path, key: str) -> Claim:
    item = _keys(item, path, key, _CLAIM_KEYS, _CLAIM_REQUIRED)
    cid = _text(item["id"], path, f"{key}.id")
    if not _ID.match(cid):
        raise ConfigError(f"{path}: key '{key}.id' must be lower-case letters, digits and _, got {cid!r}")
    raw_periods = item["period"] if isinstance(item["period"], list) else [item["period"]]
    periods = []
    for i, p in enumerate(raw_periods):
        try:
            periods.append(parse_period(p))
        except PeriodError as exc:
            raise ConfigError(f"{path}: key '{key}.period' [{i}]: {exc}") from exc
    scope = _keys(item.get("scope", {}), path, f"{key}.scope", {"programs", "sectors", "agencies"}, set())
    parsed_scope: dict[str, tuple[str, ...] | None] = {}
    for name in ("programs", "sectors", "agencies"):
        value = scope.get(name, "all")
        parsed_scope[name] = None if value == "all" else _text_list(value, path, f"{key}.scope.{name}")
    coverage = item.get("min_coverage_pct", 100)
    if isinstance(coverage, bool) or not isinstance(coverage, int | float) or not 0 < coverage <= 100:
        raise ConfigError(
            f"{path}: key '{key}.min_coverage_pct' must be a number in (0, 100], got {coverage!r}"
        )
    rule = item["overall_rule"]
    if rule not in OVERALL_RULES:
        raise ConfigError(
            f"{path}: key '{key}.overall_rule': unknown rule {rule!r}; known: {sorted(OVERALL_RULES)}"
        )
    raw_readings = item["readings"]
    if not isinstance(raw_readings, list) or not raw_readings:
        raise ConfigError(f"{path}: key '{key}.readings' must be a non-empty list")
    readings = tuple(_parse_reading(r, path, f"{key}.readings[{i}]") for i, r in enumerate(raw_readings))
    ids = [r.id for r in readings]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: key '{key}.readings' has duplicate ids {ids}")
    if rule == "primary" and not any(r.is_primary for r in readings):
        raise ConfigError(
            f"{path}: key '{key}.readings': overall_rule 'primary' needs a reading with primary: true"
        )
    return Claim(
        id=cid,
        text=_text(item["text"], path, f"{key}.text"),
        speaker=_text(item.get("speaker", "—"), path, f"{key}.speaker"),
        source=_text(item["source"], path, f"{key}.source"),
        is_example=_bool(item["is_example"], path, f"{key}.is_example"),
        periods=tuple(periods),
        interpretation=_text(item["interpretation"], path, f"{key}.interpretation"),
        min_coverage_pct=float(coverage),
        overall_rule=rule,
        readings=readings,
        **parsed_scope,
        **{name: _optional_text(item, name, path, key) for name in _CLAIM_EN_KEYS},
    )


def parse_claims_config(data: Any, path: Path) -> ClaimsConfig:
    """Validate the parsed YAML of ``claims.yml``; :class:`ConfigError` names the file and the key."""
    data = _keys(
        data,
        path,
        "<top level>",
        {"version", "self_report_note", "self_report_note_en", "claims"},
        {"self_report_note", "claims"},
    )
    if data.get("version", 1) != 1:
        raise ConfigError(f"{path}: key 'version' must be 1, got {data['version']!r}")
    if not isinstance(data["claims"], list) or not data["claims"]:
        raise ConfigError(f"{path}: key 'claims' must be a non-empty list")
    claims = tuple(_parse_claim(c, path, f"claims[{i}]") for i, c in enumerate(data["claims"]))
    ids = [c.id for c in claims]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ConfigError(f"{path}: key 'claims' has duplicate ids {dup}")
    return ClaimsConfig(
        _text(data["self_report_note"], path, "self_report_note"),
        claims,
        _optional_text(data, "self_report_note_en", path, ""),
    )


def load_claims(path: Path | None = None) -> ClaimsConfig:
    """Read and validate ``config/claims.yml`` (or ``path``)."""
    path = Path(path) if path is not None else CLAIMS_CONFIG
    data, _ = read_yaml(path, "claims file")
    return parse_claims_config(data, path)


# ------------------------------------------------------------------------------------------ verdicts
def compare(value: float, comparator: str, threshold: float) -> bool:
    """``value <comparator> threshold``."""
    return bool(COMPARATORS[comparator](value, threshold))


def verdict_reading(metric: Metric, result: MetricResult, reading: Reading, min_coverage_pct: float) -> str:
    """Verdict of one reading (module docstring for the rule on coverage)."""
    if result.units_in_scope == 0 or math.isnan(result.value):
        return UNVERIFIABLE
    holds = compare(result.value, reading.comparator, reading.threshold)
    if metric.is_every_unit and not holds:
        return NOT_SUPPORTED
    if result.bounds is not None:
        at_bounds = {compare(b, reading.comparator, reading.threshold) for b in result.bounds}
        if len(at_bounds) == 1:
            return SUPPORTED if at_bounds.pop() else NOT_SUPPORTED
        return UNVERIFIABLE
    if result.units_computable / result.units_in_scope * 100 < min_coverage_pct:
        return UNVERIFIABLE
    return SUPPORTED if holds else NOT_SUPPORTED


def verdict_overall(verdicts: list[str], is_primary: list[bool], rule: str) -> str:
    """Overall verdict of a claim from its readings' verdicts (:data:`OVERALL_RULES`)."""
    deciding = (
        [v for v, p in zip(verdicts, is_primary, strict=True) if p] if rule == "primary" else list(verdicts)
    )
    if NOT_SUPPORTED in deciding:
        return NOT_SUPPORTED
    if UNVERIFIABLE in deciding:
        return UNVERIFIABLE
    return SUPPORTED


def _scope_programs(claim: Claim, programs: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Programs in the claim's scope, and the scope names absent from the data."""
    missing: list[str] = []
    mask = pd.Series(True, index=programs.index)
    for name, col in (("programs", "program_code"), ("sectors", "sector"), ("agencies", "agency")):
        wanted = getattr(claim, name)
        if wanted is None:
            continue
        missing += [w for w in wanted if w not in set(programs[col])]
        mask &= programs[col].isin(wanted)
    return programs[mask].sort_values("program_code"), missing


#: Text columns come in two languages: the column without suffix is Indonesian (as in claims.yml), its
#: ``*_en`` twin English (null where claims.yml gives no ``*_en`` translation; the module's own texts, i.e.
#: metric description, evidence and rule, always have one). Verdict columns hold the codes of VERDICTS.
CLAIM_COLUMNS = [
    "period", "claim_id", "claim_text", "claim_text_en", "claim_speaker", "claim_speaker_en", "claim_source",
    "claim_source_en", "is_example", "interpretation", "interpretation_en", "scope_programs", "reading_id",
    "reading_label", "reading_label_en", "is_primary", "metric", "metric_description", "metric_description_en",
    "basis", "comparator", "threshold", "value", "units_in_scope", "units_computable", "coverage_pct",
    "units_below_target", "units_not_assessable", "not_assessable_programs", "indicators_without_target",
    "indicators_without_target_codes", "value_reported_target", "verdict_reported_target",
    "verdict", "evidence", "evidence_en", "overall_verdict", "overall_rule", "overall_rule_en",
    "readings_supported", "readings_total", "data_note", "data_note_en",
]  # fmt: skip

_INT_COLUMNS = (
    "units_in_scope", "units_computable", "units_below_target", "units_not_assessable",
    "indicators_without_target", "readings_supported", "readings_total",
)  # fmt: skip
_NON_TEXT_COLUMNS = {
    "is_example", "is_primary", *_INT_COLUMNS, "threshold", "value", "coverage_pct", "value_reported_target",
}  # fmt: skip

#: Reason code of a program that had not started in the period (``analysis.evaluate.achievement``): such a
#: program is "tidak dapat dinilai", left out of the readings' scope and named beside them.
NOT_STARTED = "program_not_started"

#: Achievement columns replaced by their ``*_reported_target_*`` twins for the restated-target check.
_RESTATED = {
    "achievement_pct": "achievement_reported_target_pct",
    "achievement_capped_pct": "achievement_reported_target_capped_pct",
}


def _split_not_started(programs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(programs that can be assessed, programs that had not started in the period)."""
    if "achievement_reason" not in programs:
        return programs, programs.iloc[0:0]
    late = programs["achievement_reason"] == NOT_STARTED
    return programs[~late], programs[late]


def _restated(df: pd.DataFrame) -> pd.DataFrame | None:
    """``df`` with its capaian under the agencies' restated targets, or None when the table has none."""
    if not set(_RESTATED.values()) <= set(df.columns):
        return None
    return df.drop(columns=list(_RESTATED)).rename(columns={v: k for k, v in _RESTATED.items()})


def _mismatches(indicators: pd.DataFrame, programs: pd.DataFrame) -> pd.DataFrame:
    """Indicators in scope whose agency restated a different target (and the capaian under it)."""
    if "is_target_mismatch" not in indicators or "target_reported_low" not in indicators:
        return indicators.iloc[0:0]
    rows = indicators[indicators["program_code"].isin(programs["program_code"])]
    rows = rows[rows["is_target_mismatch"].fillna(False).astype(bool) & rows["target_reported_low"].notna()]
    return rows[rows["achievement_status"] == STATUS_COMPUTED].sort_values("indicator_code")


def _target_text(low: float, high: float, lang: str) -> str:
    from analysis.core.formatting import format_number

    if pd.isna(high) or low == high:
        return format_number(low, lang=lang)
    return f"{format_number(low, lang=lang)}–{format_number(high, lang=lang)}"


def _restated_items(mismatched: pd.DataFrame, lang: str) -> str:
    return "; ".join(
        _say(
            "restated_item",
            lang,
            code=r.indicator_code,
            reported=_target_text(r.target_reported_low, r.target_reported_high, lang),
            target=_target_text(r.target_low, r.target_high, lang),
            pct_reported=fmt_pct(r.achievement_reported_target_pct, lang),
            pct=fmt_pct(r.achievement_pct, lang),
        )
        for r in mismatched.itertuples(index=False)
    )


def _without_target(programs: pd.DataFrame) -> tuple[int | None, int | None, str | None]:
    """(indicators defined, indicators without a target for the period, their codes) over ``programs``."""
    if "indicators_without_target" not in programs:
        return None, None, None
    n = int(programs["indicators_without_target"].fillna(0).sum())
    total = int(programs["indicators_defined"].fillna(0).sum())
    codes = [c for c in programs["indicators_without_target_codes"].dropna() if str(c).strip()]
    return total, n, ", ".join(codes) if codes else None


def check_claims(
    config: ClaimsConfig,
    achievement: dict[str, pd.DataFrame],
    period: str,
    notice: str = "",
    cap_pct: float | None = None,
) -> pd.DataFrame:
    """One row per claim x reading for the claims that concern ``period``.

    ``achievement`` holds ``achievement_program`` and ``achievement_indicator`` of that period
    (:func:`analysis.evaluate.achievement.evaluate_achievement`). ``notice`` (e.g. the sample-data notice) is
    prefixed to ``data_note`` (and its English text, :data:`NOTICE_EN`, to ``data_note_en``). ``cap_pct`` is
    the cap named in the evidence (default: ``config/achievement.yml``).

    Limits beside every verdict: programs that had not started in the period are left out of the scope and
    named (``units_not_assessable``, ``not_assessable_programs``); the indicators without a target for the
    period are counted and named (``indicators_without_target``, ``_codes``); when an agency restated a
    target that differs from ``target.csv`` the reading is computed again under the restated targets
    (``value_reported_target``, ``verdict_reported_target``) and the evidence shows both capaian.
    """
    if cap_pct is None:
        from analysis.evaluate.achievement import load_achievement_config

        cap_pct = load_achievement_config().cap_pct
    programs = achievement["achievement_program"]
    indicators = achievement["achievement_indicator"]
    note = config.self_report_note if not notice else f"{notice}. {config.self_report_note}"
    note_en = None
    if config.self_report_note_en is not None:
        notice_en = NOTICE_EN.get(notice, notice)
        note_en = config.self_report_note_en if not notice else f"{notice_en}. {config.self_report_note_en}"
    restated_programs, restated_indicators = _restated(programs), _restated(indicators)
    rows = []
    for claim in config.claims:
        if period not in claim.periods:
            continue
        full_scope, missing = _scope_programs(claim, programs)
        scope, late = _split_not_started(full_scope)
        late_codes = ", ".join(late["program_code"])
        defined, n_no_target, no_target_codes = _without_target(full_scope)
        mismatched = _mismatches(indicators, scope)
        claim_rows = []
        for reading in claim.readings:
            metric = METRICS[reading.metric]
            result = metric.compute(
                scope, indicators, reading.basis, reading.threshold, reading.comparator, cap_pct
            )
            verdict = (
                UNVERIFIABLE if missing else verdict_reading(metric, result, reading, claim.min_coverage_pct)
            )
            value_restated, verdict_restated = math.nan, None
            if len(mismatched) and restated_programs is not None and restated_indicators is not None:
                alt_scope = restated_programs[restated_programs["program_code"].isin(scope["program_code"])]
                alt = metric.compute(
                    alt_scope,
                    restated_indicators,
                    reading.basis,
                    reading.threshold,
                    reading.comparator,
                    cap_pct,
                )
                value_restated = alt.value
                verdict_restated = (
                    UNVERIFIABLE if missing else verdict_reading(metric, alt, reading, claim.min_coverage_pct)
                )
            evidence = dict(result.evidence)
            coverage = (
                result.units_computable / result.units_in_scope * 100 if result.units_in_scope else math.nan
            )
            for lang in LANGS:
                if missing:
                    evidence[lang] = _say("missing_scope", lang, items=", ".join(missing)) + evidence[lang]
                if verdict == UNVERIFIABLE and not missing and result.bounds is None:
                    evidence[lang] += _say(
                        "coverage",
                        lang,
                        n=result.units_computable,
                        total=result.units_in_scope,
                        value=fmt_pct(coverage, lang),
                        minimum=fmt_pct(claim.min_coverage_pct, lang),
                    )
                if late_codes:
                    evidence[lang] += _say("not_assessable", lang, items=late_codes)
                if metric.unit_kind == "indicator" and n_no_target:
                    evidence[lang] += _say(
                        "no_target", lang, n=n_no_target, total=defined, items=no_target_codes
                    )
                if verdict_restated is not None:
                    evidence[lang] += _say(
                        "restated",
                        lang,
                        items=_restated_items(mismatched, lang),
                        value=fmt_pct(value_restated, lang),
                        verdict=VERDICT_WORDS[lang][verdict_restated],
                    )
            claim_rows.append(
                {
                    "period": period,
                    "claim_id": claim.id,
                    "claim_text": claim.text,
                    "claim_text_en": claim.text_en,
                    "claim_speaker": claim.speaker,
                    "claim_speaker_en": claim.speaker_en,
                    "claim_source": claim.source,
                    "claim_source_en": claim.source_en,
                    "is_example": claim.is_example,
                    "interpretation": claim.interpretation,
                    "interpretation_en": claim.interpretation_en,
                    "scope_programs": ", ".join(scope["program_code"]),
                    "reading_id": reading.id,
                    "reading_label": reading.label,
                    "reading_label_en": reading.label_en,
                    "is_primary": reading.is_primary,
                    "metric": reading.metric,
                    "metric_description": metric.description,
                    "metric_description_en": metric.description_en,
                    "basis": reading.basis,
                    "comparator": reading.comparator,
                    "threshold": reading.threshold,
                    "value": result.value,
                    "units_in_scope": result.units_in_scope,
                    "units_computable": result.units_computable,
                    "coverage_pct": coverage,
                    "units_below_target": result.units_below_target,
                    "units_not_assessable": len(late),
                    "not_assessable_programs": late_codes or None,
                    "indicators_without_target": n_no_target,
                    "indicators_without_target_codes": no_target_codes,
                    "value_reported_target": value_restated,
                    "verdict_reported_target": verdict_restated,
                    "verdict": verdict,
                    "evidence": evidence["id"],
                    "evidence_en": evidence["en"],
                }
            )
        verdicts = [r["verdict"] for r in claim_rows]
        overall = verdict_overall(verdicts, [r["is_primary"] for r in claim_rows], claim.overall_rule)
        for r in claim_rows:
            r.update(
                overall_verdict=overall,
                overall_rule=f"{claim.overall_rule}: {OVERALL_RULES[claim.overall_rule]}",
                overall_rule_en=f"{claim.overall_rule}: {OVERALL_RULES_EN[claim.overall_rule]}",
                readings_supported=verdicts.count(SUPPORTED),
                readings_total=len(verdicts),
                data_note=note,
                data_note_en=note_en,
            )
        rows += claim_rows
    df = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    for col in ("is_example", "is_primary"):
        df[col] = df[col].astype("boolean")
    for col in _INT_COLUMNS:
        df[col] = pd.array(df[col].tolist(), dtype="Int64")
    for col in ("threshold", "value", "coverage_pct", "value_reported_target"):
        df[col] = df[col].astype("float64")
    for col in CLAIM_COLUMNS:
        if col not in _NON_TEXT_COLUMNS:
            df[col] = df[col].astype("str")
    return df.reset_index(drop=True)


__all__ = [
    "CLAIM_COLUMNS", "COMPARATORS", "LANGS", "METRICS", "NOT_SUPPORTED", "OVERALL_RULES", "OVERALL_RULES_EN",
    "PHRASES", "SUPPORTED", "UNVERIFIABLE", "VERDICTS", "Claim", "ClaimsConfig", "Reading", "check_claims", "compare", "load_claims",
    "parse_claims_config", "verdict_overall", "verdict_reading",
]  # fmt: skip
