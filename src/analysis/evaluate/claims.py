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
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")


# ------------------------------------------------------------------------------------------- metrics
#: Languages the claim table is written in: ``id`` (the columns without suffix) and ``en`` (``*_en``).
LANGS = ("id", "en")

#: The sentences of the evidence, per language. Placeholders are filled with numbers formatted by
#: :func:`fmt_pct` / :func:`fmt_idr` in the same language; ``{items}`` is a comma-separated list.
PHRASES: dict[str, dict[str, str]] = {
    "id": {
        "basis_capped": "capaian per indikator dibatasi (cap)",
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
    },
    "en": {
        "basis_capped": "each indicator's achievement capped",
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


@dataclass(frozen=True)
class Metric:
    description: str
    description_en: str
    unit_kind: str  # "program" | "indicator"
    uses_basis: bool
    is_every_unit: bool  # "every unit meets it": a single failing unit refutes the reading
    compute: Callable[[pd.DataFrame, pd.DataFrame, str, float, str], MetricResult]


def _achievement_col(basis: str) -> str:
    return "achievement_capped_pct" if basis == "capped" else "achievement_pct"


def _list_programs(df: pd.DataFrame, col: str, lang: str) -> str:
    return ", ".join(f"{r.program_code} {fmt_pct(getattr(r, col), lang)}" for r in df.itertuples(index=False))


def _not_computable_text(progs: pd.DataFrame, lang: str) -> str:
    bad = progs[progs["achievement_status"] != STATUS_COMPUTED]
    return _say("not_computable", lang, items=", ".join(bad["program_code"])) if len(bad) else ""


def _program_min(
    progs: pd.DataFrame, _ind: pd.DataFrame, basis: str, threshold: float, comp: str
) -> MetricResult:
    col = _achievement_col(basis)
    ok = progs[progs["achievement_status"] == STATUS_COMPUTED].sort_values([col, "program_code"])
    failing = ok[~ok[col].map(lambda v: COMPARATORS[comp](v, threshold))]
    value = float(ok[col].min()) if len(ok) else math.nan

    def evidence(lang: str) -> str:
        text = _say("lowest", lang, value=fmt_pct(value, lang), basis=_say(f"basis_{basis}", lang))
        text += (
            _say(
                "below",
                lang,
                n=len(failing),
                programs=_units("program", len(failing), lang),
                items=_list_programs(failing, col, lang),
            )
            if len(failing)
            else _say("all_meet", lang, n=len(ok))
        )
        return text + _not_computable_text(progs, lang)

    return MetricResult(value, len(progs), len(ok), {lang: evidence(lang) for lang in LANGS})


def _program_stat(stat: str) -> Callable[..., MetricResult]:
    def compute(progs: pd.DataFrame, _ind: pd.DataFrame, basis: str, _t: float, _c: str) -> MetricResult:
        col = _achievement_col(basis)
        ok = progs[progs["achievement_status"] == STATUS_COMPUTED].sort_values("program_code")
        value = float(getattr(ok[col], stat)()) if len(ok) else math.nan
        other = "achievement_pct" if basis == "capped" else "achievement_capped_pct"
        other_value = float(getattr(ok[other], stat)()) if len(ok) else math.nan

        def evidence(lang: str) -> str:
            return _say(
                "stat",
                lang,
                word=_say(stat, lang),
                n=len(ok),
                programs=_units("program", len(ok), lang),
                value=fmt_pct(value, lang),
                basis=_say(f"basis_{basis}", lang),
                other=_say(f"other_of_{basis}", lang),
                other_value=fmt_pct(other_value, lang),
                items=_list_programs(ok, col, lang),
            ) + _not_computable_text(progs, lang)

        return MetricResult(value, len(progs), len(ok), {lang: evidence(lang) for lang in LANGS})

    return compute


def _indicator_share_met(progs: pd.DataFrame, ind: pd.DataFrame, _b: str, _t: float, _c: str) -> MetricResult:
    ind = ind[ind["program_code"].isin(progs["program_code"])]
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

    return MetricResult(value, len(ind), len(ok), {lang: evidence(lang) for lang in LANGS}, bounds)


def _serapan(progs: pd.DataFrame, _ind: pd.DataFrame, _b: str, _t: float, _c: str) -> MetricResult:
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
    "verdict", "evidence", "evidence_en", "overall_verdict", "overall_rule", "overall_rule_en",
    "readings_supported", "readings_total", "data_note", "data_note_en",
]  # fmt: skip


_NON_TEXT_COLUMNS = {
    "is_example", "is_primary", "units_in_scope", "units_computable", "readings_supported", "readings_total",
    "threshold", "value", "coverage_pct",
}  # fmt: skip


def check_claims(
    config: ClaimsConfig, achievement: dict[str, pd.DataFrame], period: str, notice: str = ""
) -> pd.DataFrame:
    """One row per claim x reading for the claims that concern ``period``.

    ``achievement`` holds ``achievement_program`` and ``achievement_indicator`` of that period
    (:func:`analysis.evaluate.achievement.evaluate_achievement`). ``notice`` (e.g. the sample-data notice) is
    prefixed to ``data_note`` (and its English text, :data:`NOTICE_EN`, to ``data_note_en``).
    """
    programs = achievement["achievement_program"]
    indicators = achievement["achievement_indicator"]
    note = config.self_report_note if not notice else f"{notice}. {config.self_report_note}"
    note_en = None
    if config.self_report_note_en is not None:
        notice_en = NOTICE_EN.get(notice, notice)
        note_en = config.self_report_note_en if not notice else f"{notice_en}. {config.self_report_note_en}"
    rows = []
    for claim in config.claims:
        if period not in claim.periods:
            continue
        scope, missing = _scope_programs(claim, programs)
        claim_rows = []
        for reading in claim.readings:
            metric = METRICS[reading.metric]
            result = metric.compute(scope, indicators, reading.basis, reading.threshold, reading.comparator)
            verdict = (
                UNVERIFIABLE if missing else verdict_reading(metric, result, reading, claim.min_coverage_pct)
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
    for col in ("units_in_scope", "units_computable", "readings_supported", "readings_total"):
        df[col] = df[col].astype("Int64")
    for col in ("threshold", "value", "coverage_pct"):
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
