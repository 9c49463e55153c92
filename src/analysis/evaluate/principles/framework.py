"""The index framework (``config/index_framework.yml``): indicators, principles, settings, validated on load.

The framework declares each indicator of the four-principle index as data: its principle, how it is
computed from the cleaned columns (a small vocabulary, never free Python), its direction, its goalposts
(with their justification) and its weight. :func:`load_framework` validates everything and raises
:class:`analysis.core.errors.ConfigError` naming the file, the key and the problem.

Computation vocabulary (``compute.kind``):

``ratio``
    ``value = scale * numerator / denominator``; with ``distance_from: d`` the value is
    ``|scale * numerator / denominator - d|``; with ``compare_with: {numerator: n2, denominator: d2}`` it is
    the gap between two ratios, ``|scale * numerator / denominator - scale * n2 / d2|`` (e.g. serapan
    against physical progress, both in percent); ``gap: excess`` keeps only the part by which the first
    ratio exceeds the second, ``max(0, first - second)`` (spending ahead of works; default ``absolute``).
    ``zero_denominator`` says what a denominator of 0 means: ``missing`` (a data gap, counts against
    coverage) or ``not_applicable`` (nothing to measure; the indicator is left out for that RT).
    ``small_count: {minimum: m, prior: p}`` replaces that exemption for counts: the denominator is topped
    up to ``m`` with pseudo-cases at ``p``, ``(numerator + p * max(0, m - den)) / max(den, m)``, so zero
    complaints score ``p`` (not a pass) and an RT with ``m`` or more cases gets its plain ratio.
``boolean``
    ``value = 1`` for a yes, ``0`` for a no (nullable boolean column).
``ordinal``
    ``value = map[category]``; a category may map to ``not_applicable``. Every category of the column must
    be mapped. ``pending: {category: c, until_positive: column}``: category ``c`` is ``not_applicable``
    while ``column`` is 0 (e.g. no asset yet while no activity is completed) and scores ``map[c]`` once it
    is positive (missing ``column``: missing).
``date_diff_days``
    ``value = end - start`` in days. With ``missing_end: period_end`` a missing end date whose start date
    (a deadline) has passed by the last day of the period counts as ``period_end - start`` days (late by
    the period end); a missing end date whose deadline is after the period end is ``not_applicable``
    (not yet due).
``survey_mean``
    mean over respondents of the respondent's mean of ``items`` (Likert 1-5). An RT with fewer than
    ``min_respondents`` respondents (or none) is ``not_applicable`` by default
    (``too_few_respondents: not_applicable``): the survey is the city's optional sample, so an RT that was
    not surveyed is not penalised; ``too_few_respondents: missing`` counts it against coverage instead.
    When the period has no survey at all the indicator is ``not_applicable`` for every RT.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from analysis.core.config import CONFIG_DIR, read_yaml
from analysis.core.errors import ConfigError
from analysis.ingest import contract

#: The four principles of Kampung Bahagia (Peraturan Wali Kota Jambi No. 18 Tahun 2025), in display order.
PRINCIPLES: tuple[str, ...] = ("transparansi", "partisipatif", "akuntabilitas", "keberlanjutan")

DEFAULT_FRAMEWORK_PATH = CONFIG_DIR / "index_framework.yml"

#: Normalisations of the framework file. The first five are this index's own variants (0-100, no spread
#: scores 50, average ranks for ties); the others dispatch to :func:`analysis.evaluate.composite.normalise`
#: (COINr ``n_prank`` with ties ``"min"``, ``n_dist2max``, ``n_scaled`` on the goalposts without
#: truncation, ``n_fracmax``), times 100, an indicator without spread scoring 50 as in ``minmax``.
NORMALISATIONS = (
    "goalposts",
    "target",
    "minmax",
    "zscore",
    "rank",
    "percentile_rank",
    "dist2max",
    "scaled",
    "fracmax",
)
#: Normalisations on the RTs' own distribution (outlier treatment applies to these only).
RELATIVE_NORMALISATIONS = ("minmax", "zscore", "rank", "percentile_rank", "dist2max", "fracmax")
#: Aggregations across principles: arithmetic and geometric as :mod:`methods`; harmonic and generalised
#: (power mean with ``generalised_mean_p``) through :func:`analysis.evaluate.composite.aggregate_rows`.
AGGREGATIONS = ("arithmetic", "geometric", "harmonic", "generalised")
#: Why this index refuses Copeland (decided in issue 12, docs/evaluation_tables.md step 7): COINr
#: ``a_copeland`` gives wins minus losses against the other RTs, an ordinal count, not a 0-100 score.
COPELAND_REFUSAL = (
    "copeland is not offered for this index: it counts each RT's pairwise wins minus losses against the "
    "other RTs (from -(n-1) to n-1), an ordering, not a 0-100 score; the categories (Baik Sekali >= 80 ...), "
    "the household-weighted kelurahan/kecamatan means, the change against the previous period and the "
    "contributions all need a score, and a Copeland count rescaled to 0-100 would only restate the ranks "
    "(and change with every RT that joins). Use arithmetic, geometric, harmonic or generalised; for a "
    "Copeland ranking run python -m analysis index with aggregate: copeland"
)
#: Aggregations the Monte Carlo can draw (``uncertainty_aggregations``).
UNCERTAINTY_AGGREGATIONS = ("arithmetic", "geometric")
#: Normalisations the Monte Carlo can draw (``uncertainty_normalisations``).
UNCERTAINTY_NORMALISATIONS = ("goalposts", "target", "minmax", "zscore", "rank")
IMPUTATIONS = (
    "none",
    "kelurahan_median",
    "kecamatan_median",
    "median",
    "kelurahan_mean",
    "kecamatan_mean",
    "mean",
    "carry_forward",  # the RT's own value of the previous period (composite.impute_from_previous)
)
#: Outlier treatment before a relative normalisation: ``winsorise_log`` is COINr ``Treat()``'s default
#: (winsorise up to 5 points while |skew| >= 2 and kurtosis >= 3.5, else log), per indicator.
TREATMENTS = ("none", "winsorise_log")
WEIGHT_SCHEMES = ("uniform", "dirichlet")
#: Where the principle weights come from (``principle_weighting``): ``manual`` the file's ``principles``
#: weights; ``pca`` the loadings on the first principal component of the period's principle scores (COINr
#: ``get_PCA(by_groups = TRUE)``); ``correlation_optimised`` weights that make each principle correlate
#: equally with the index (COINr ``get_opt_weights(optype = "balance")``), both computed by
#: :mod:`analysis.evaluate.composite` on the scored RTs.
PRINCIPLE_WEIGHTINGS = ("manual", "pca", "correlation_optimised")
ROLLUPS = ("household_weighted_mean", "median")
COMPUTE_KINDS = ("ratio", "boolean", "ordinal", "date_diff_days", "survey_mean")
#: Kinds whose values are a few categories (a yes/no, a three-level status): a principle that rests only
#: on one or two of them is "thin" and takes ``thin_principle_weight_factor`` of its weight.
COARSE_KINDS = ("boolean", "ordinal")
#: Rules for missing and not-applicable cells varied by the Monte Carlo (``uncertainty_missing_rules``):
#: the framework's own; every missing cell scored as the worst goalpost; the zero-count and pending rules
#: switched off (zero complaints, zero findings and "no asset yet" not applicable).
MISSING_RULES = ("declared", "missing_as_worst", "zero_counts_not_applicable")
GAPS = ("absolute", "excess")
NOT_APPLICABLE = "not_applicable"
MISSING = "missing"

#: Directions as written in the framework (English or the ``polaritas`` words of ``indikator.csv``).
DIRECTIONS = {"positive": 1, "positif": 1, "negative": -1, "negatif": -1}

_REPORT_KINDS = {c.name: c.kind for c in contract.RT_REPORT.columns if c.kind not in ("rowno", "personal")}
_REGISTRY_KINDS = {
    c.name: c.kind for c in contract.RT_REGISTRY.columns if c.kind not in ("rowno", "personal")
}
#: Columns an indicator may use: the cleaned ``rt_reports`` and ``rt_registry`` columns (docs/architecture.md).
RT_COLUMN_KINDS: dict[str, str] = {**_REGISTRY_KINDS, **_REPORT_KINDS}
#: Likert items of the cleaned ``survey`` table.
SURVEY_ITEMS: tuple[str, ...] = tuple(c.name for c in contract.SURVEY.columns if c.kind == "int")
NUMERIC_KINDS = ("int", "money", "number")
#: Categories of ``asset_status`` in the cleaned table.
ASSET_CATEGORIES: tuple[str, ...] = tuple(contract.ASSET_STATUS.values())


@dataclass(frozen=True)
class Compute:
    """How an indicator's raw value is computed: ``kind`` plus its parameters (see module docstring)."""

    kind: str
    params: dict[str, Any]

    def columns(self) -> tuple[str, ...]:
        """The cleaned RT columns this computation reads (survey items excluded)."""
        p = self.params
        if self.kind == "ratio":
            compare = p.get("compare_with")
            extra = (compare["numerator"], compare["denominator"]) if compare else ()
            return (p["numerator"], p["denominator"], *extra)
        if self.kind in ("boolean", "ordinal"):
            return (p["column"],)
        if self.kind == "date_diff_days":
            return (p["end"], p["start"])
        return ()


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    principle: str
    compute: Compute
    direction: int  # +1 higher is better, -1 lower is better
    goalpost_low: float
    goalpost_high: float
    weight: float
    unit: str = ""
    justification: str = ""
    can_be_strength: bool = True  # False: a risk check whose absence of risk is never listed as a strength
    #: What an RT can do to raise this indicator, per language (``(("id", text), ("en", text))``): shown
    #: with the indicator when it is one of an RT's weaknesses (the scorecards); not used in scoring.
    action: tuple[tuple[str, str], ...] = ()

    def action_text(self, lang: str) -> str:
        """The action in ``lang`` (``""`` when the framework gives none)."""
        return dict(self.action).get(lang, "")

    @property
    def best(self) -> float:
        """The goalpost that scores 100 (the target in distance-to-target normalisation)."""
        return self.goalpost_high if self.direction == 1 else self.goalpost_low

    @property
    def worst(self) -> float:
        return self.goalpost_low if self.direction == 1 else self.goalpost_high


@dataclass(frozen=True)
class Category:
    min_score: float
    label: str


@dataclass(frozen=True)
class Settings:
    """Method choices; every field can be overridden per run with :class:`IndexOptions`."""

    normalisation: str = "goalposts"
    aggregation: str = "arithmetic"
    geometric_floor: float = 1.0  # floor of the geometric, harmonic and generalised (p < 0) means
    generalised_mean_p: float = 2.0  # power p of the generalised mean (COINr a_genmean)
    treatment: str = "none"  # outlier treatment before a relative normalisation (TREATMENTS)
    zscore_mean: float = 50.0
    zscore_sd: float = 10.0
    imputation: str = "none"
    min_coverage: float = 2 / 3
    min_indicators_per_principle: int = 1
    n_runs: int = 1000
    weight_scheme: str = "uniform"
    weight_noise: float = 0.25
    principle_weighting: str = "manual"  # PRINCIPLE_WEIGHTINGS
    dirichlet_concentration: float = 50.0
    uncertainty_normalisations: tuple[str, ...] = ("goalposts", "minmax", "rank")
    uncertainty_aggregations: tuple[str, ...] = ("arithmetic", "geometric")
    batch_memory_mb: float = 256.0  # working memory of a batch of Monte Carlo runs; changes no result
    redundant_abs_rho: float = 0.9
    negative_rho: float = 0.0
    low_alpha: float = 0.6
    size_abs_rho: float = 0.3  # audit: |Spearman rho| of a score with households (KK) above this is flagged
    thin_principle_weight_factor: float = 1.0  # weight factor of a principle resting on few coarse items
    thin_principle_max_items: int = 2
    uncertainty_imputation: bool = False  # the Monte Carlo also switches imputation on/off
    uncertainty_leave_one_out: bool = False  # ... leaves one indicator out (or none)
    uncertainty_goalpost_shift: float = 0.0  # ... moves the best goalpost by +/- this share of the range
    uncertainty_missing_rules: tuple[str, ...] = ("declared",)  # ... among these rules (MISSING_RULES)
    sensitivity_samples: int = 0  # Sobol base samples N (power of 2; 0 = no sensitivity indices)
    n_strengths: int = 3
    rollup: str = "household_weighted_mean"
    categories: tuple[Category, ...] = (
        Category(80.0, "Baik Sekali"),
        Category(65.0, "Baik"),
        Category(50.0, "Cukup"),
        Category(0.0, "Kurang"),
    )


@dataclass(frozen=True)
class IndexOptions:
    """Per-run overrides of the framework's ``settings`` (``None`` = keep the framework's value)."""

    normalisation: str | None = None
    aggregation: str | None = None
    geometric_floor: float | None = None
    generalised_mean_p: float | None = None
    treatment: str | None = None
    imputation: str | None = None
    min_coverage: float | None = None
    min_indicators_per_principle: int | None = None
    n_runs: int | None = None
    weight_scheme: str | None = None
    weight_noise: float | None = None
    principle_weighting: str | None = None
    dirichlet_concentration: float | None = None
    uncertainty_normalisations: tuple[str, ...] | None = None
    uncertainty_aggregations: tuple[str, ...] | None = None
    batch_memory_mb: float | None = None
    uncertainty_imputation: bool | None = None
    uncertainty_leave_one_out: bool | None = None
    uncertainty_goalpost_shift: float | None = None
    uncertainty_missing_rules: tuple[str, ...] | None = None
    sensitivity_samples: int | None = None
    n_strengths: int | None = None
    rollup: str | None = None


@dataclass(frozen=True)
class Framework:
    path: str
    indicators: tuple[Indicator, ...]
    principle_weights: dict[str, float]
    principle_labels: dict[str, str]
    settings: Settings
    sha256: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    def by_principle(self, principle: str) -> list[Indicator]:
        return [i for i in self.indicators if i.principle == principle]

    def with_options(self, options: IndexOptions | None) -> Framework:
        """This framework with the non-``None`` fields of ``options`` replacing its settings (validated)."""
        if options is None:
            return self
        changes = {k: v for k, v in dataclasses.asdict(options).items() if v is not None}
        for key in ("uncertainty_normalisations", "uncertainty_aggregations", "uncertainty_missing_rules"):
            if key in changes:
                changes[key] = tuple(changes[key])
        settings = dataclasses.replace(self.settings, **changes)
        _check_settings(settings, "IndexOptions")
        _check_method_fits(settings, self.indicators, "IndexOptions")
        return dataclasses.replace(self, settings=settings)


# --------------------------------------------------------------------------------------------- loading


def load_framework(path: Path | str | None = None) -> Framework:
    """Read and validate the framework YAML; raise :class:`ConfigError` ``"<file>: <key>: <problem>"``."""
    path = Path(path) if path is not None else DEFAULT_FRAMEWORK_PATH
    data, raw_bytes = read_yaml(path, "index framework")
    framework = parse_framework(data, source=str(path))
    return dataclasses.replace(framework, sha256=hashlib.sha256(raw_bytes).hexdigest())


def parse_framework(data: Any, source: str = "<framework>") -> Framework:
    """Validate a framework already read from YAML (a dict) and build :class:`Framework`."""
    err = _Errors(source)
    if not isinstance(data, dict):
        err.fail("(top level)", "must be a mapping with keys principles, settings, indicators")
    _no_unknown_keys(err, "(top level)", data, {"version", "principles", "settings", "indicators", "notes"})
    for key in ("principles", "indicators"):
        if key not in data:
            err.fail(key, "missing")

    principles = data["principles"]
    if not isinstance(principles, dict):
        err.fail("principles", "must be a mapping principle -> {label, weight}")
    for name in principles:
        if name not in PRINCIPLES:
            err.fail(f"principles.{name}", f"unknown principle {name!r}; allowed: {', '.join(PRINCIPLES)}")
    for name in PRINCIPLES:
        if name not in principles:
            err.fail("principles", f"principle {name!r} is missing (all four are required)")
    weights: dict[str, float] = {}
    labels: dict[str, str] = {}
    for name in PRINCIPLES:
        spec = principles[name] or {}
        if not isinstance(spec, dict):
            err.fail(f"principles.{name}", "must be a mapping with label and weight")
        _no_unknown_keys(err, f"principles.{name}", spec, {"label", "weight", "description"})
        weights[name] = _positive_number(err, f"principles.{name}.weight", spec.get("weight", 1.0))
        labels[name] = str(spec.get("label", name.capitalize()))

    settings = _parse_settings(err, data.get("settings") or {})

    items = data["indicators"]
    if not isinstance(items, list) or not items:
        err.fail("indicators", "must be a non-empty list")
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for pos, item in enumerate(items):
        ind = _parse_indicator(err, pos, item)
        if ind.code in seen:
            err.fail(f"indicators[{ind.code}].code", f"duplicate indicator code {ind.code!r}")
        seen.add(ind.code)
        indicators.append(ind)
    for name in PRINCIPLES:
        if not any(i.principle == name for i in indicators):
            err.fail("indicators", f"principle {name!r} has no indicator")
    _check_method_fits(settings, indicators, source)
    return Framework(
        path=source,
        indicators=tuple(indicators),
        principle_weights=weights,
        principle_labels=labels,
        settings=settings,
        extra={"version": data.get("version")},
    )


class _Errors:
    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str):
        raise ConfigError(f"{self.source}: {key}: {problem}")


def _no_unknown_keys(err: _Errors, key: str, mapping: dict, allowed: set[str]) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        err.fail(key, f"unknown key(s) {', '.join(map(str, unknown))}; allowed: {', '.join(sorted(allowed))}")


def _number(err: _Errors, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        err.fail(key, f"must be a number, got {value!r}")
    return float(value)


def _positive_number(err: _Errors, key: str, value: Any) -> float:
    number = _number(err, key, value)
    if number <= 0:
        err.fail(key, f"must be > 0, got {value!r}")
    return number


def _choice(err: _Errors, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        err.fail(key, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _parse_indicator(err: _Errors, pos: int, item: Any) -> Indicator:
    if not isinstance(item, dict):
        err.fail(f"indicators[{pos}]", "must be a mapping")
    code = item.get("code")
    if not isinstance(code, str) or not code.strip():
        err.fail(f"indicators[{pos}].code", f"must be a non-empty text, got {code!r}")
    key = f"indicators[{code}]"
    _no_unknown_keys(
        err,
        key,
        item,
        {
            "code",
            "name",
            "principle",
            "compute",
            "direction",
            "goalposts",
            "weight",
            "unit",
            "justification",
            "listed_as_strength",
            "action",
        },
    )
    principle = item.get("principle")
    if principle not in PRINCIPLES:
        err.fail(f"{key}.principle", f"unknown principle {principle!r}; allowed: {', '.join(PRINCIPLES)}")
    direction_word = item.get("direction")
    if direction_word not in DIRECTIONS:
        err.fail(f"{key}.direction", f"{direction_word!r} is not one of {', '.join(DIRECTIONS)}")
    goalposts = item.get("goalposts")
    if not isinstance(goalposts, dict):
        err.fail(f"{key}.goalposts", "missing; write goalposts: {low: <number>, high: <number>}")
    _no_unknown_keys(err, f"{key}.goalposts", goalposts, {"low", "high"})
    low = _number(err, f"{key}.goalposts.low", goalposts.get("low"))
    high = _number(err, f"{key}.goalposts.high", goalposts.get("high"))
    if not low < high:
        err.fail(
            f"{key}.goalposts", f"low ({low:g}) must be below high ({high:g}); direction says which is best"
        )
    weight = _positive_number(err, f"{key}.weight", item.get("weight", 1.0))
    compute = _parse_compute(err, f"{key}.compute", item.get("compute"))
    strength = item.get("listed_as_strength", True)
    if not isinstance(strength, bool):
        err.fail(f"{key}.listed_as_strength", f"must be true or false, got {strength!r}")
    return Indicator(
        code=code,
        name=str(item.get("name", code)),
        principle=principle,
        compute=compute,
        direction=DIRECTIONS[direction_word],
        goalpost_low=low,
        goalpost_high=high,
        weight=weight,
        unit=str(item.get("unit", "")),
        justification=str(item.get("justification", "")).strip(),
        can_be_strength=strength,
        action=_parse_action(err, f"{key}.action", item.get("action")),
    )


#: Languages an indicator's action is written in (those of the label catalogue, ``core/locales``).
ACTION_LANGUAGES = ("id", "en")


def _parse_action(err: _Errors, key: str, value: Any) -> tuple[tuple[str, str], ...]:
    """``action: {id: <text>, en: <text>}``: both languages, non-empty text; absent = no action."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        err.fail(key, "must be a mapping {id: <text>, en: <text>}")
    _no_unknown_keys(err, key, value, set(ACTION_LANGUAGES))
    out = []
    for lang in ACTION_LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            err.fail(f"{key}.{lang}", f"must be a non-empty text (the action in {lang!r}), got {text!r}")
        out.append((lang, " ".join(text.split())))
    return tuple(out)


def _column(err: _Errors, key: str, value: Any, kinds: tuple[str, ...]) -> str:
    if value not in RT_COLUMN_KINDS:
        err.fail(
            key,
            f"unknown column {value!r}; the cleaned rt_reports/rt_registry columns are documented in docs/architecture.md",
        )
    if RT_COLUMN_KINDS[value] not in kinds:
        err.fail(
            key,
            f"column {value!r} is of kind {RT_COLUMN_KINDS[value]!r}; this computation needs {' or '.join(kinds)}",
        )
    return value


def _parse_compute(err: _Errors, key: str, spec: Any) -> Compute:
    if not isinstance(spec, dict):
        err.fail(key, "missing; write compute: {kind: ratio|boolean|ordinal|date_diff_days|survey_mean, ...}")
    kind = _choice(err, f"{key}.kind", spec.get("kind"), COMPUTE_KINDS)
    p: dict[str, Any] = {}
    if kind == "ratio":
        _no_unknown_keys(
            err,
            key,
            spec,
            {
                "kind",
                "numerator",
                "denominator",
                "scale",
                "distance_from",
                "compare_with",
                "gap",
                "zero_denominator",
                "small_count",
            },
        )
        p["numerator"] = _column(err, f"{key}.numerator", spec.get("numerator"), NUMERIC_KINDS)
        p["denominator"] = _column(err, f"{key}.denominator", spec.get("denominator"), NUMERIC_KINDS)
        p["scale"] = _positive_number(err, f"{key}.scale", spec.get("scale", 1.0))
        dist = spec.get("distance_from")
        p["distance_from"] = None if dist is None else _number(err, f"{key}.distance_from", dist)
        compare = spec.get("compare_with")
        p["compare_with"] = None
        if compare is not None:
            if dist is not None:
                err.fail(f"{key}.compare_with", "use either distance_from or compare_with, not both")
            if not isinstance(compare, dict):
                err.fail(f"{key}.compare_with", "must be a mapping {numerator: COLUMN, denominator: COLUMN}")
            _no_unknown_keys(err, f"{key}.compare_with", compare, {"numerator", "denominator"})
            p["compare_with"] = {
                part: _column(err, f"{key}.compare_with.{part}", compare.get(part), NUMERIC_KINDS)
                for part in ("numerator", "denominator")
            }
        p["gap"] = _choice(err, f"{key}.gap", spec.get("gap", "absolute"), GAPS)
        if p["gap"] != "absolute" and compare is None:
            err.fail(f"{key}.gap", "needs compare_with (the gap is between two ratios)")
        p["zero_denominator"] = _choice(
            err, f"{key}.zero_denominator", spec.get("zero_denominator", MISSING), (MISSING, NOT_APPLICABLE)
        )
        p["small_count"] = _small_count(err, f"{key}.small_count", spec.get("small_count"), dist, compare)
    elif kind == "boolean":
        _no_unknown_keys(err, key, spec, {"kind", "column"})
        p["column"] = _column(err, f"{key}.column", spec.get("column"), ("yesno",))
    elif kind == "ordinal":
        _no_unknown_keys(err, key, spec, {"kind", "column", "map", "pending"})
        p["column"] = _column(err, f"{key}.column", spec.get("column"), ("asset",))
        mapping = spec.get("map")
        if not isinstance(mapping, dict):
            err.fail(f"{key}.map", "must be a mapping category -> number or not_applicable")
        unknown = sorted(set(mapping) - set(ASSET_CATEGORIES))
        if unknown:
            err.fail(f"{key}.map", f"unknown categories {unknown}; the column has {list(ASSET_CATEGORIES)}")
        unmapped = sorted(set(ASSET_CATEGORIES) - set(mapping))
        if unmapped:
            err.fail(f"{key}.map", f"categories not mapped: {unmapped}")
        p["map"] = {
            cat: (NOT_APPLICABLE if val == NOT_APPLICABLE else _number(err, f"{key}.map.{cat}", val))
            for cat, val in mapping.items()
        }
        p["pending"] = _pending(err, f"{key}.pending", spec.get("pending"), p["map"])
    elif kind == "date_diff_days":
        _no_unknown_keys(err, key, spec, {"kind", "end", "start", "missing_end"})
        p["end"] = _column(err, f"{key}.end", spec.get("end"), ("date",))
        p["start"] = _column(err, f"{key}.start", spec.get("start"), ("date",))
        p["missing_end"] = _choice(
            err, f"{key}.missing_end", spec.get("missing_end", MISSING), (MISSING, "period_end")
        )
    else:  # survey_mean
        _no_unknown_keys(err, key, spec, {"kind", "items", "min_respondents", "too_few_respondents"})
        items = spec.get("items")
        if not isinstance(items, list) or not items:
            err.fail(f"{key}.items", "must be a non-empty list of survey items")
        for item in items:
            if item not in SURVEY_ITEMS:
                err.fail(
                    f"{key}.items", f"unknown survey item {item!r}; the survey has {', '.join(SURVEY_ITEMS)}"
                )
        p["items"] = tuple(items)
        n_min = spec.get("min_respondents", 3)
        if isinstance(n_min, bool) or not isinstance(n_min, int) or n_min < 1:
            err.fail(f"{key}.min_respondents", f"must be a whole number >= 1, got {n_min!r}")
        p["min_respondents"] = n_min
        p["too_few_respondents"] = _choice(
            err,
            f"{key}.too_few_respondents",
            spec.get("too_few_respondents", NOT_APPLICABLE),
            (NOT_APPLICABLE, MISSING),
        )
    return Compute(kind=kind, params=p)


def _small_count(err: _Errors, key: str, spec: Any, dist: Any, compare: Any) -> dict[str, float] | None:
    """``{minimum, prior}`` of a count ratio (see the module docstring), or ``None``."""
    if spec is None:
        return None
    if dist is not None or compare is not None:
        err.fail(key, "applies to a plain ratio of counts (not with distance_from or compare_with)")
    if not isinstance(spec, dict):
        err.fail(key, "must be a mapping {minimum: <whole number>, prior: <number>}")
    _no_unknown_keys(err, key, spec, {"minimum", "prior"})
    minimum = spec.get("minimum")
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        err.fail(f"{key}.minimum", f"must be a whole number >= 1, got {minimum!r}")
    return {"minimum": float(minimum), "prior": _number(err, f"{key}.prior", spec.get("prior"))}


def _pending(err: _Errors, key: str, spec: Any, mapping: dict[str, Any]) -> dict[str, str] | None:
    """``{category, until_positive}`` of an ordinal (see the module docstring), or ``None``."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        err.fail(key, "must be a mapping {category: <category>, until_positive: <column>}")
    _no_unknown_keys(err, key, spec, {"category", "until_positive"})
    category = spec.get("category")
    if category not in mapping:
        err.fail(f"{key}.category", f"unknown category {category!r}; the map has {sorted(mapping)}")
    if mapping[category] == NOT_APPLICABLE:
        err.fail(f"{key}.category", f"{category!r} must map to a number (its score once it is due)")
    column = _column(err, f"{key}.until_positive", spec.get("until_positive"), NUMERIC_KINDS)
    return {"category": category, "until_positive": column}


_SETTING_KEYS = {f.name for f in dataclasses.fields(Settings)}


def _parse_settings(err: _Errors, spec: Any) -> Settings:
    if not isinstance(spec, dict):
        err.fail("settings", "must be a mapping")
    flat: dict[str, Any] = {}
    groups = {"screening", "uncertainty", "audit", "normalisation_options"}
    for key, value in spec.items():
        if key in groups:
            if not isinstance(value, dict):
                err.fail(f"settings.{key}", "must be a mapping")
            for sub, subval in value.items():
                if sub not in _SETTING_KEYS:
                    err.fail(
                        f"settings.{key}.{sub}",
                        f"unknown setting; allowed: {', '.join(sorted(_SETTING_KEYS))}",
                    )
                flat[sub] = subval
        elif key in _SETTING_KEYS:
            flat[key] = value
        else:
            err.fail(
                f"settings.{key}", f"unknown setting; allowed: {', '.join(sorted(_SETTING_KEYS | groups))}"
            )
    if isinstance(flat.get("min_coverage"), str):
        flat["min_coverage"] = _fraction(err, "settings.screening.min_coverage", flat["min_coverage"])
    if "categories" in flat:
        cats = flat["categories"]
        if not isinstance(cats, list) or not cats:
            err.fail("settings.categories", "must be a non-empty list of {min, label}")
        parsed = []
        for pos, cat in enumerate(cats):
            if not isinstance(cat, dict) or set(cat) != {"min", "label"}:
                err.fail(
                    f"settings.categories[{pos}]", f"must be {{min: <number>, label: <text>}}, got {cat!r}"
                )
            parsed.append(
                Category(_number(err, f"settings.categories[{pos}].min", cat["min"]), str(cat["label"]))
            )
        flat["categories"] = tuple(parsed)
    for key in ("uncertainty_normalisations", "uncertainty_aggregations", "uncertainty_missing_rules"):
        if key in flat:
            if not isinstance(flat[key], list):
                err.fail(f"settings.{key}", "must be a list")
            flat[key] = tuple(flat[key])
    settings = Settings(**flat)
    _check_settings(settings, err.source)
    return settings


def _fraction(err: _Errors, key: str, text: str) -> float:
    """``"2/3"`` -> 0.666..., so that 10 of 15 indicators pass a 2/3 threshold exactly."""
    parts = text.split("/")
    try:
        if len(parts) != 2:
            raise ValueError(text)
        return float(Fraction(int(parts[0]), int(parts[1])))
    except (ValueError, ZeroDivisionError):
        err.fail(key, f"must be a number or a fraction such as 2/3, got {text!r}")
    raise AssertionError  # unreachable


def _check_settings(s: Settings, source: str) -> None:
    """Check every setting's value (used for the YAML and for :class:`IndexOptions`)."""
    err = _Errors(source)
    _choice(err, "settings.normalisation", s.normalisation, NORMALISATIONS)
    if s.aggregation == "copeland":
        err.fail("settings.aggregation", COPELAND_REFUSAL)
    _choice(err, "settings.aggregation", s.aggregation, AGGREGATIONS)
    _choice(err, "settings.imputation", s.imputation, IMPUTATIONS)
    _choice(err, "settings.treatment", s.treatment, TREATMENTS)
    if s.treatment != "none" and s.normalisation not in RELATIVE_NORMALISATIONS:
        err.fail(
            "settings.treatment",
            f"{s.treatment} changes the raw scale, so it needs a normalisation on the RTs' own distribution "
            f"({', '.join(RELATIVE_NORMALISATIONS)}), not {s.normalisation}",
        )
    p = _number(err, "settings.generalised_mean_p", s.generalised_mean_p)
    if p == 0:
        err.fail("settings.generalised_mean_p", "must not be 0 (p = 0 is the geometric mean: use geometric)")
    _choice(err, "settings.weight_scheme", s.weight_scheme, WEIGHT_SCHEMES)
    _choice(err, "settings.principle_weighting", s.principle_weighting, PRINCIPLE_WEIGHTINGS)
    _choice(err, "settings.rollup", s.rollup, ROLLUPS)
    _positive_number(err, "settings.geometric_floor", s.geometric_floor)
    _positive_number(err, "settings.zscore_sd", s.zscore_sd)
    _number(err, "settings.zscore_mean", s.zscore_mean)
    _positive_number(err, "settings.dirichlet_concentration", s.dirichlet_concentration)
    _positive_number(err, "settings.uncertainty.batch_memory_mb", s.batch_memory_mb)
    coverage = _number(err, "settings.min_coverage", s.min_coverage)
    if not 0 < coverage <= 1:
        err.fail("settings.min_coverage", f"must be in (0, 1], got {coverage!r}")
    for key in ("min_indicators_per_principle", "n_runs", "n_strengths", "thin_principle_max_items"):
        value = getattr(s, key)
        low = 1 if key in ("min_indicators_per_principle", "thin_principle_max_items") else 0
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            err.fail(f"settings.{key}", f"must be a whole number >= {low}, got {value!r}")
    noise = _number(err, "settings.weight_noise", s.weight_noise)
    if not 0 <= noise < 1:
        err.fail(
            "settings.weight_noise", f"must be in [0, 1) (a fraction of the nominal weight), got {noise!r}"
        )
    factor = _positive_number(err, "settings.thin_principle_weight_factor", s.thin_principle_weight_factor)
    if factor > 1:
        err.fail("settings.thin_principle_weight_factor", f"must be in (0, 1], got {factor!r}")
    shift = _number(err, "settings.uncertainty.uncertainty_goalpost_shift", s.uncertainty_goalpost_shift)
    if not 0 <= shift < 1:
        err.fail("settings.uncertainty.uncertainty_goalpost_shift", f"must be in [0, 1), got {shift!r}")
    rho = _number(err, "settings.audit.size_abs_rho", s.size_abs_rho)
    if not 0 < rho <= 1:
        err.fail("settings.audit.size_abs_rho", f"must be in (0, 1], got {rho!r}")
    for key in ("uncertainty_imputation", "uncertainty_leave_one_out"):
        if not isinstance(getattr(s, key), bool):
            err.fail(f"settings.uncertainty.{key}", f"must be true or false, got {getattr(s, key)!r}")
    n_sens = s.sensitivity_samples
    if isinstance(n_sens, bool) or not isinstance(n_sens, int) or n_sens < 0 or (n_sens & (n_sens - 1)):
        err.fail(
            "settings.uncertainty.sensitivity_samples",
            f"must be 0 (off) or a power of 2 (Sobol sequence), got {n_sens!r}",
        )
    if len(set(s.uncertainty_missing_rules)) != len(s.uncertainty_missing_rules):
        err.fail("settings.uncertainty_missing_rules", "lists a rule twice")
    for key, allowed in (
        ("uncertainty_normalisations", UNCERTAINTY_NORMALISATIONS),
        ("uncertainty_aggregations", UNCERTAINTY_AGGREGATIONS),
        ("uncertainty_missing_rules", MISSING_RULES),
    ):
        values = getattr(s, key)
        if not values:
            err.fail(f"settings.{key}", "must list at least one method")
        for value in values:
            _choice(err, f"settings.{key}", value, allowed)
    mins = [c.min_score for c in s.categories]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        err.fail("settings.categories", f"min values must be strictly decreasing, got {mins}")


def _check_method_fits(s: Settings, indicators: Any, source: str) -> None:
    """Methods that need something of every indicator: ``fracmax`` (``x / max``, COINr ``n_fracmax``, on
    ``direction × x``) is meaningful only for indicators where higher is better."""
    if s.normalisation == "fracmax":
        negative = [i.code for i in indicators if i.direction == -1]
        if negative:
            _Errors(source).fail(
                "settings.normalisation",
                f"fracmax (x / max) needs every indicator with direction positive; negative: {', '.join(negative)}",
            )
