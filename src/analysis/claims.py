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
import yaml

from analysis.achievement import STATUS_COMPUTED, TARGET_MET_PCT
from analysis.config import CONFIG_DIR
from analysis.errors import ConfigError
from analysis.periods import PeriodError, parse_period

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

BASES = ("capped", "uncapped")
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")


# ------------------------------------------------------------------------------------------- metrics
@dataclass(frozen=True)
class MetricResult:
    value: float
    units_in_scope: int
    units_computable: int
    evidence: str
    #: the value's range if every unit that is not computable had failed / had met the target (metrics
    #: where that range is finite); a verdict that holds over the whole range does not need full coverage
    bounds: tuple[float, float] | None = None


@dataclass(frozen=True)
class Metric:
    description: str
    unit_kind: str  # "program" | "indicator"
    uses_basis: bool
    is_every_unit: bool  # "every unit meets it": a single failing unit refutes the reading
    compute: Callable[[pd.DataFrame, pd.DataFrame, str, float, str], MetricResult]


def fmt_pct(x: float) -> str:
    """Percent with one decimal and a decimal comma, as in the briefings (``87,5%``); ``—`` when missing.

    >>> fmt_pct(102.2222)
    '102,2%'
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.1f}%".replace(".", ",")


def fmt_idr(x: float) -> str:
    """Rupiah with dot grouping, no decimals (``Rp1.250.000``).

    >>> fmt_idr(1250000.4)
    'Rp1.250.000'
    """
    return f"Rp{x:,.0f}".replace(",", ".")


def _achievement_col(basis: str) -> str:
    return "achievement_capped_pct" if basis == "capped" else "achievement_pct"


def _basis_text(basis: str) -> str:
    return "capaian per indikator dibatasi (cap)" if basis == "capped" else "capaian tanpa batas"


def _list_programs(df: pd.DataFrame, col: str) -> str:
    return ", ".join(f"{r.program_code} {fmt_pct(getattr(r, col))}" for r in df.itertuples(index=False))


def _not_computable_text(progs: pd.DataFrame) -> str:
    bad = progs[progs["achievement_status"] != STATUS_COMPUTED]
    return f" Tidak dapat dihitung: {', '.join(bad['program_code'])}." if len(bad) else ""


def _program_min(
    progs: pd.DataFrame, _ind: pd.DataFrame, basis: str, threshold: float, comp: str
) -> MetricResult:
    col = _achievement_col(basis)
    ok = progs[progs["achievement_status"] == STATUS_COMPUTED].sort_values([col, "program_code"])
    failing = ok[~ok[col].map(lambda v: COMPARATORS[comp](v, threshold))]
    value = float(ok[col].min()) if len(ok) else math.nan
    parts = [f"Terendah {fmt_pct(value)} ({_basis_text(basis)})."]
    parts.append(
        f" Di bawah ambang ({len(failing)} program): {_list_programs(failing, col)}."
        if len(failing)
        else f" Semua {len(ok)} program yang dapat dihitung memenuhi ambang."
    )
    return MetricResult(value, len(progs), len(ok), "".join(parts) + _not_computable_text(progs))


def _program_stat(stat: str) -> Callable[..., MetricResult]:
    def compute(progs: pd.DataFrame, _ind: pd.DataFrame, basis: str, _t: float, _c: str) -> MetricResult:
        col = _achievement_col(basis)
        ok = progs[progs["achievement_status"] == STATUS_COMPUTED].sort_values("program_code")
        value = float(getattr(ok[col], stat)()) if len(ok) else math.nan
        other = "achievement_pct" if basis == "capped" else "achievement_capped_pct"
        other_value = float(getattr(ok[other], stat)()) if len(ok) else math.nan
        word = "Rerata" if stat == "mean" else "Median"
        other_text = "tanpa batas" if basis == "capped" else "dengan batas"
        evidence = (
            f"{word} {len(ok)} program = {fmt_pct(value)} ({_basis_text(basis)}; {other_text}: "
            f"{fmt_pct(other_value)}). Per program: {_list_programs(ok, col)}." + _not_computable_text(progs)
        )
        return MetricResult(value, len(progs), len(ok), evidence)

    return compute


def _indicator_share_met(progs: pd.DataFrame, ind: pd.DataFrame, _b: str, _t: float, _c: str) -> MetricResult:
    ind = ind[ind["program_code"].isin(progs["program_code"])]
    ok = ind[ind["achievement_status"] == STATUS_COMPUTED]
    met = ok[ok["achievement_pct"] >= TARGET_MET_PCT]
    value = len(met) / len(ok) * 100 if len(ok) else math.nan
    missed = ok[ok["achievement_pct"] < TARGET_MET_PCT].sort_values("indicator_code")
    evidence = f"{len(met)} dari {len(ok)} indikator yang dapat dihitung mencapai ≥ 100% ({fmt_pct(value)})."
    if len(missed):
        listed = ", ".join(f"{r.indicator_code} {fmt_pct(r.achievement_pct)}" for r in missed.itertuples())
        evidence += f" Belum mencapai target: {listed}."
    bounds = None
    if len(ind) > len(ok):
        bounds = (len(met) / len(ind) * 100, (len(met) + len(ind) - len(ok)) / len(ind) * 100)
        evidence += (
            f" {len(ind) - len(ok)} indikator tidak dapat dihitung; jika semuanya gagal/berhasil, persentasenya "
            f"{fmt_pct(bounds[0])} sampai {fmt_pct(bounds[1])}."
        )
    return MetricResult(value, len(ind), len(ok), evidence, bounds)


def _serapan(progs: pd.DataFrame, _ind: pd.DataFrame, _b: str, _t: float, _c: str) -> MetricResult:
    has_budget = progs[(progs["budget_allocated_idr"] > 0) & progs["budget_spent_idr"].notna()]
    allocated = float(has_budget["budget_allocated_idr"].sum())
    spent = float(has_budget["budget_spent_idr"].sum())
    value = spent / allocated * 100 if allocated > 0 else math.nan
    evidence = (
        f"Realisasi anggaran {fmt_idr(spent)} dari pagu {fmt_idr(allocated)} = {fmt_pct(value)} "
        f"({len(has_budget)} dari {len(progs)} program melaporkan anggaran)."
    )
    return MetricResult(value, len(progs), len(has_budget), evidence)


METRICS: dict[str, Metric] = {
    "program_achievement_min": Metric(
        "capaian program terendah (setiap program memenuhi ambang)", "program", True, True, _program_min
    ),
    "program_achievement_mean": Metric(
        "rerata capaian program (bobot indikator di dalam program, tiap program setara)",
        "program",
        True,
        False,
        _program_stat("mean"),
    ),
    "program_achievement_median": Metric(
        "median capaian program", "program", True, False, _program_stat("median")
    ),
    "indicator_share_met_pct": Metric(
        "persentase indikator dengan capaian ≥ 100%", "indicator", False, False, _indicator_share_met
    ),
    "serapan_pct": Metric("serapan anggaran gabungan (realisasi / pagu)", "program", False, False, _serapan),
}


# -------------------------------------------------------------------------------------------- config
@dataclass(frozen=True)
class Reading:
    id: str
    label: str
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


@dataclass(frozen=True)
class ClaimsConfig:
    self_report_note: str
    claims: tuple[Claim, ...]


_CLAIM_KEYS = {
    "id", "text", "speaker", "source", "is_example", "period", "scope", "interpretation", "min_coverage_pct",
    "overall_rule", "readings",
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
_READING_KEYS = {"id", "label", "metric", "comparator", "threshold", "primary", "basis"}
_READING_REQUIRED = {"id", "label", "metric", "comparator", "threshold"}


def _text(value: Any, path: Path, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: key '{key}' must be a non-empty text, got {value!r}")
    return " ".join(value.split())


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
    )


def parse_claims_config(data: Any, path: Path) -> ClaimsConfig:
    """Validate the parsed YAML of ``claims.yml``; :class:`ConfigError` names the file and the key."""
    data = _keys(
        data, path, "<top level>", {"version", "self_report_note", "claims"}, {"self_report_note", "claims"}
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
    return ClaimsConfig(_text(data["self_report_note"], path, "self_report_note"), claims)


def load_claims(path: Path | None = None) -> ClaimsConfig:
    """Read and validate ``config/claims.yml`` (or ``path``)."""
    path = Path(path) if path is not None else CLAIMS_CONFIG
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
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


CLAIM_COLUMNS = [
    "period", "claim_id", "claim_text", "claim_speaker", "claim_source", "is_example", "interpretation",
    "scope_programs", "reading_id", "reading_label", "is_primary", "metric", "metric_description", "basis",
    "comparator", "threshold", "value", "units_in_scope", "units_computable", "coverage_pct", "verdict",
    "evidence", "overall_verdict", "overall_rule", "readings_supported", "readings_total", "data_note",
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
    (:func:`analysis.achievement.evaluate_achievement`). ``notice`` (e.g. the sample-data notice) is
    prefixed to ``data_note``.
    """
    programs = achievement["achievement_program"]
    indicators = achievement["achievement_indicator"]
    note = config.self_report_note if not notice else f"{notice}. {config.self_report_note}"
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
            evidence = result.evidence
            if missing:
                evidence = f"Tidak ada dalam data: {', '.join(missing)}. " + evidence
            coverage = (
                result.units_computable / result.units_in_scope * 100 if result.units_in_scope else math.nan
            )
            if verdict == UNVERIFIABLE and not missing and result.bounds is None:
                evidence += (
                    f" Cakupan {result.units_computable} dari {result.units_in_scope} "
                    f"({fmt_pct(coverage)}); minimum {fmt_pct(claim.min_coverage_pct)}."
                )
            claim_rows.append(
                {
                    "period": period,
                    "claim_id": claim.id,
                    "claim_text": claim.text,
                    "claim_speaker": claim.speaker,
                    "claim_source": claim.source,
                    "is_example": claim.is_example,
                    "interpretation": claim.interpretation,
                    "scope_programs": ", ".join(scope["program_code"]),
                    "reading_id": reading.id,
                    "reading_label": reading.label,
                    "is_primary": reading.is_primary,
                    "metric": reading.metric,
                    "metric_description": metric.description,
                    "basis": reading.basis,
                    "comparator": reading.comparator,
                    "threshold": reading.threshold,
                    "value": result.value,
                    "units_in_scope": result.units_in_scope,
                    "units_computable": result.units_computable,
                    "coverage_pct": coverage,
                    "verdict": verdict,
                    "evidence": evidence,
                }
            )
        verdicts = [r["verdict"] for r in claim_rows]
        overall = verdict_overall(verdicts, [r["is_primary"] for r in claim_rows], claim.overall_rule)
        for r in claim_rows:
            r.update(
                overall_verdict=overall,
                overall_rule=f"{claim.overall_rule}: {OVERALL_RULES[claim.overall_rule]}",
                readings_supported=verdicts.count(SUPPORTED),
                readings_total=len(verdicts),
                data_note=note,
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
    "CLAIM_COLUMNS", "COMPARATORS", "METRICS", "NOT_SUPPORTED", "OVERALL_RULES", "SUPPORTED", "UNVERIFIABLE",
    "VERDICTS", "Claim", "ClaimsConfig", "Reading", "check_claims", "compare", "load_claims",
    "parse_claims_config", "verdict_overall", "verdict_reading",
]  # fmt: skip
