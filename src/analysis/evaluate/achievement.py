"""Achievement (capaian) against targets: polarity, range targets, levels, serapan, roll-ups.

Formulas (``docs/domain.md``; PermenPANRB No. 8 Tahun 2021 tentang Sistem Manajemen Kinerja PNS, Lampiran,
Bab VI "Penilaian Kinerja", A.1.b.1 (e) and (g), for the two formulas, the range rule and the worked examples):

- higher is better (``positif``, the annex's "kondisi normal"): ``capaian = R / T x 100``
- lower is better (``negatif``, "kondisi khusus"): ``capaian = (1 + (1 - R/T)) x 100 = (2T - R) / T x 100``,
  floored at 0
- range target ``low-high``: compare with ``high`` when the realisation is above the range and with ``low``
  when it is below; **inside the range counts as 100 %** (target met). That is the only value that keeps the
  rule continuous: at ``R = high`` the upper-bound formula gives 100 %, at ``R = low`` the lower-bound one
  does too. For a ``negatif`` range the same bounds are used with the lower-is-better formula.
- a **zero target** (``0 aduan pungli``) follows ``zero_target`` of ``config/achievement.yml``: by default
  ``R = 0`` on ``T = 0`` is met (100 %), a ``negatif`` ``R > 0`` is missed (0 %), a ``positif`` ``R >= 0`` is
  met; ``rule: not_computable`` restores the old behaviour (reason ``target_zero``).
- a **band target** (``band_targets`` of the config: overshooting is also bad) scores a realisation below the
  band with the ``positif`` formula against ``low`` and one above it with the ``negatif`` formula against
  ``high``; inside the band = 100 %.
- a missing or negative comparison target, or a missing realisation, is *not computable*: the row says so
  (``achievement_status = not_computable`` and a reason code), never a division error; so is every indicator
  of a program that had not started by the period's last day (``program_start``: reason
  ``program_not_started``, "tidak dapat dinilai").
- capaian below 0 % is floored at 0 for both polarities (a negative value carries no extra meaning).

Roll-ups (program, sector, agency) are weighted arithmetic means; each indicator's capaian is also capped
(``config/achievement.yml``, default 120 %) before averaging so that one indicator far above target cannot
hide another's failure; both the capped and the uncapped means are reported.

>>> compute_capaian(6.5, 7, 7, "negatif").pct
107.14285714285714
>>> compute_capaian(92, 80, 90, "positif").basis
'range_upper'
>>> compute_capaian(5, 0, 0, "positif").reason
'target_zero'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.config import CONFIG_DIR, read_yaml
from analysis.core.errors import ConfigError
from analysis.core.periods import period_info

ACHIEVEMENT_CONFIG = CONFIG_DIR / "achievement.yml"

POLARITIES = ("positif", "negatif")
STATUS_COMPUTED = "computed"
STATUS_NOT_COMPUTABLE = "not_computable"

#: Reason codes of a capaian that cannot be computed, with the Indonesian text shown to readers.
REASONS_ID: dict[str, str] = {
    "not_reported": "tidak dilaporkan: tidak ada baris realisasi untuk indikator ini pada periode ini",
    "realisation_missing": "realisasi kosong",
    "target_missing": "target tidak tersedia untuk periode ini",
    "target_zero": "target nol: persentase capaian tidak dapat dihitung",
    "target_negative": "target negatif: persentase capaian tidak bermakna",
    "target_range_invalid": "rentang target terbalik (batas bawah > batas atas)",
    "no_indicator_in_period": "tidak ada indikator bertarget/berlaporan pada periode ini",
    "no_computable_indicator": "tidak ada indikator yang capaiannya dapat dihitung",
    "zero_total_weight": "jumlah bobot indikator yang dapat dihitung = 0",
    "no_computable_program": "tidak ada program yang capaiannya dapat dihitung",
    "program_not_started": "tidak dapat dinilai: program belum dimulai pada periode ini",
}

#: 100 % = the target is met (used for ``is_target_met`` and the ``*_met`` counts).
TARGET_MET_PCT = 100.0


# --------------------------------------------------------------------------------------------- config
@dataclass(frozen=True)
class Level:
    label: str
    min_pct: float | None  # None = everything below the previous threshold


@dataclass(frozen=True)
class ZeroTargetRule:
    """How a comparison target of 0 is scored (``zero_target`` of ``config/achievement.yml``).

    ``rule``: ``score`` (``met_pct`` when the target is reached: ``negatif`` ``R <= 0``, ``positif``
    ``R >= 0``; ``missed_pct`` otherwise) or ``not_computable`` (reason ``target_zero``).
    """

    rule: str = "score"
    met_pct: float = 100.0
    missed_pct: float = 0.0


#: The zero-target rules of ``zero_target.rule``.
ZERO_TARGET_RULES = ("score", "not_computable")


@dataclass(frozen=True)
class AchievementConfig:
    """Validated content of ``config/achievement.yml``."""

    levels: tuple[Level, ...]
    cap_pct: float
    high_spend_min_pace_pct: float
    low_output_below_pct: float
    low_spend_below_pace_pct: float
    high_output_min_pct: float
    levels_source: str = ""
    cap_source: str = ""
    #: the sources in English (``source_en``, optional; the briefing's glossary in English shows them)
    levels_source_en: str = ""
    cap_source_en: str = ""
    #: decimals the capaian is rounded to (half up) before it is compared with the level thresholds; None =
    #: unrounded (half-open thresholds: 90.99 is below 91)
    level_decimals: int | None = None
    zero_target: ZeroTargetRule = ZeroTargetRule()
    #: indicator codes whose target is a band (overshooting is also bad)
    band_indicators: frozenset[str] = frozenset()
    #: program code -> first day of the program; a period ending before it is "tidak dapat dinilai"
    program_starts: tuple[tuple[str, date], ...] = ()
    program_starts_source: str = ""

    def program_start(self, program_code: str) -> date | None:
        return dict(self.program_starts).get(program_code)


def _number(value: Any, path: Path, key: str, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{path}: key '{key}' must be a number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{path}: key '{key}' must be >= {minimum:g}, got {value!r}")
    return float(value)


def _mapping(value: Any, path: Path, key: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: key '{key}' must be a mapping, got {type(value).__name__}")
    return value


def parse_achievement_config(data: Any, path: Path) -> AchievementConfig:
    """Validate the parsed YAML of ``achievement.yml``; :class:`ConfigError` names the file and key."""
    data = _mapping(data, path, "<top level>")
    optional = {"zero_target", "band_targets", "program_start"}
    unknown = sorted(set(data) - {"levels", "cap", "serapan"} - optional)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {unknown}; expected levels, cap, serapan, {', '.join(sorted(optional))}"
        )
    for key in ("levels", "cap", "serapan"):
        if key not in data:
            raise ConfigError(f"{path}: key '{key}' is missing")
    levels_cfg = _mapping(data["levels"], path, "levels")
    unknown = sorted(set(levels_cfg) - {"source", "source_en", "scale", "compare_decimals"})
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) under 'levels': {unknown}")
    decimals = levels_cfg.get("compare_decimals")
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0):
        raise ConfigError(
            f"{path}: key 'levels.compare_decimals' must be null or a whole number >= 0, got {decimals!r}"
        )
    scale = levels_cfg.get("scale")
    if not isinstance(scale, list) or len(scale) < 2:
        raise ConfigError(f"{path}: key 'levels.scale' must be a list of at least two levels")
    levels: list[Level] = []
    for i, item in enumerate(scale):
        key = f"levels.scale[{i}]"
        item = _mapping(item, path, key)
        if set(item) != {"label", "min_pct"}:
            raise ConfigError(
                f"{path}: key '{key}' must have exactly 'label' and 'min_pct', got {sorted(item)}"
            )
        label = item["label"]
        if not isinstance(label, str) or not label.strip():
            raise ConfigError(f"{path}: key '{key}.label' must be a non-empty text")
        last = i == len(scale) - 1
        if last:
            if item["min_pct"] is not None:
                raise ConfigError(
                    f"{path}: key '{key}.min_pct' of the last level must be null (everything below)"
                )
            levels.append(Level(label.strip(), None))
            continue
        min_pct = _number(item["min_pct"], path, f"{key}.min_pct")
        if levels and min_pct >= levels[-1].min_pct:
            raise ConfigError(
                f"{path}: key '{key}.min_pct' must be lower than the level above ({levels[-1].min_pct:g}), "
                f"got {min_pct:g}"
            )
        levels.append(Level(label.strip(), min_pct))
    labels = [lv.label for lv in levels]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"{path}: key 'levels.scale' has duplicate labels {labels}")
    cap_cfg = _mapping(data["cap"], path, "cap")
    cap = _number(cap_cfg.get("max_pct"), path, "cap.max_pct", minimum=TARGET_MET_PCT)
    ser = _mapping(data["serapan"], path, "serapan")
    ser_keys = (
        "high_spend_min_pace_pct",
        "low_output_below_pct",
        "low_spend_below_pace_pct",
        "high_output_min_pct",
    )
    unknown = sorted(set(ser) - set(ser_keys))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) under 'serapan': {unknown}")
    values = {k: _number(ser.get(k), path, f"serapan.{k}", minimum=0) for k in ser_keys}
    starts, starts_source = _parse_program_starts(data.get("program_start", {}), path)
    return AchievementConfig(
        levels=tuple(levels),
        cap_pct=cap,
        levels_source=str(levels_cfg.get("source", "")),
        cap_source=str(cap_cfg.get("source", "")),
        levels_source_en=str(levels_cfg.get("source_en", "")),
        cap_source_en=str(cap_cfg.get("source_en", "")),
        level_decimals=decimals,
        zero_target=_parse_zero_target(data.get("zero_target", {}), path),
        band_indicators=_parse_band_targets(data.get("band_targets", {}), path),
        program_starts=starts,
        program_starts_source=starts_source,
        **values,
    )


def _parse_zero_target(value: Any, path: Path) -> ZeroTargetRule:
    cfg = _mapping(value, path, "zero_target")
    unknown = sorted(set(cfg) - {"rule", "met_pct", "missed_pct", "source"})
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) under 'zero_target': {unknown}")
    rule = cfg.get("rule", "score")
    if rule not in ZERO_TARGET_RULES:
        raise ConfigError(
            f"{path}: key 'zero_target.rule' must be one of {list(ZERO_TARGET_RULES)}, got {rule!r}"
        )
    met = _number(cfg.get("met_pct", 100), path, "zero_target.met_pct", minimum=0)
    missed = _number(cfg.get("missed_pct", 0), path, "zero_target.missed_pct", minimum=0)
    if missed >= met:
        raise ConfigError(
            f"{path}: key 'zero_target.missed_pct' must be below met_pct ({met:g}), got {missed:g}"
        )
    return ZeroTargetRule(rule, met, missed)


def _parse_band_targets(value: Any, path: Path) -> frozenset[str]:
    cfg = _mapping(value, path, "band_targets")
    unknown = sorted(set(cfg) - {"indicators", "source"})
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) under 'band_targets': {unknown}")
    codes = cfg.get("indicators", [])
    if not isinstance(codes, list) or not all(isinstance(c, str) and c.strip() for c in codes):
        raise ConfigError(
            f"{path}: key 'band_targets.indicators' must be a list of indicator codes, got {codes!r}"
        )
    return frozenset(c.strip() for c in codes)


def _parse_program_starts(value: Any, path: Path) -> tuple[tuple[tuple[str, date], ...], str]:
    cfg = _mapping(value, path, "program_start")
    source = cfg.get("source", "")
    starts = []
    for code, item in sorted((k, v) for k, v in cfg.items() if k != "source"):
        key = f"program_start.{code}"
        if isinstance(item, str):
            try:
                item = date.fromisoformat(item)
            except ValueError as exc:
                raise ConfigError(f"{path}: key '{key}' must be a date (YYYY-MM-DD), got {item!r}") from exc
        if not isinstance(item, date):
            raise ConfigError(f"{path}: key '{key}' must be a date (YYYY-MM-DD), got {item!r}")
        starts.append((str(code), item))
    return tuple(starts), str(source)


def load_achievement_config(path: Path | None = None) -> AchievementConfig:
    """Read and validate ``config/achievement.yml`` (or ``path``)."""
    path = Path(path) if path is not None else ACHIEVEMENT_CONFIG
    data, _ = read_yaml(path, "achievement settings")
    return parse_achievement_config(data, path)


# ------------------------------------------------------------------------------------------- formulas
@dataclass(frozen=True)
class Capaian:
    """One indicator's capaian: ``pct`` (NaN when not computable), the target ``basis`` and ``comparison``
    value used, and a ``reason`` code when not computable."""

    pct: float
    basis: str | None  # point | range_upper | range_lower | range_inside
    comparison: float
    reason: str | None

    @property
    def status(self) -> str:
        return STATUS_NOT_COMPUTABLE if self.reason else STATUS_COMPUTED


def _missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _not_computable(reason: str, basis: str | None = None, comparison: float = math.nan) -> Capaian:
    return Capaian(math.nan, basis, comparison, reason)


def _ratio(realisation: float, target: float, polarity: str) -> float:
    """``R/T x 100`` (positif) or ``(2T - R)/T x 100`` (negatif), floored at 0; ``T > 0``."""
    pct = realisation / target * 100 if polarity == "positif" else (2 * target - realisation) / target * 100
    return max(pct, 0.0)


def _zero_target(realisation: float, polarity: str, rule: ZeroTargetRule) -> float:
    """Capaian against a target of 0: met when ``R <= 0`` (negatif) or ``R >= 0`` (positif)."""
    met = realisation <= 0 if polarity == "negatif" else realisation >= 0
    return rule.met_pct if met else rule.missed_pct


def compute_capaian(
    realisation: Any,
    target_low: Any,
    target_high: Any,
    polarity: str,
    zero_target: ZeroTargetRule | None = None,
    is_band: bool = False,
) -> Capaian:
    """Capaian of one indicator (percent) with polarity and range targets; see the module docstring.

    A point target has ``target_low == target_high``. ``zero_target`` (None: not computable) scores a target
    of 0; ``is_band``: below the band ``R/low``, above it ``(2 high - R)/high`` (the polarity is not used).

    >>> compute_capaian(0, 0, 0, "negatif", ZeroTargetRule()).pct  # 0 aduan pungli against a target of 0
    100.0
    >>> compute_capaian(3, 0, 0, "negatif", ZeroTargetRule()).pct
    0.0
    >>> compute_capaian(110, 90, 100, "positif", is_band=True).pct  # (2*100 - 110)/100
    90.0

    >>> round(compute_capaian(9, 8, 8, "negatif").pct, 1)
    87.5
    >>> round(compute_capaian(70, 80, 90, "positif").pct, 1)
    87.5
    >>> compute_capaian(85, 80, 90, "positif").pct
    100.0
    """
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {polarity!r}")
    if _missing(target_low) and _missing(target_high):
        return _not_computable("target_missing")
    low = float(target_high if _missing(target_low) else target_low)
    high = float(target_low if _missing(target_high) else target_high)
    if low > high:
        return _not_computable("target_range_invalid")
    if _missing(realisation):
        return _not_computable("realisation_missing")
    r = float(realisation)
    if low == high:
        basis, target = "point", high
    elif r > high:
        basis, target = "range_upper", high
    elif r < low:
        basis, target = "range_lower", low
    else:
        return Capaian(TARGET_MET_PCT, "range_inside", math.nan, None)
    if is_band:  # the side decides the formula: short of the band is "positif", beyond it "negatif"
        polarity = "negatif" if r > target else "positif"
    if target == 0:
        if zero_target is None or zero_target.rule == "not_computable":
            return _not_computable("target_zero", basis, target)
        return Capaian(_zero_target(r, polarity, zero_target), basis, target, None)
    if target < 0:
        return _not_computable("target_negative", basis, target)
    return Capaian(_ratio(r, target, polarity), basis, target, None)


def assign_level(pct: pd.Series, levels: tuple[Level, ...], decimals: int | None = None) -> pd.Series:
    """Level label of each percentage (half-open thresholds, highest first); NaN -> <NA>.

    ``decimals``: round half up to that many decimals first (``0``: 90.5 -> 91 -> the level from 91); None
    compares the unrounded value.

    >>> lv = (Level("Tinggi", 76.0), Level("Rendah", None))
    >>> assign_level(pd.Series([75.99, 76.0, float("nan")]), lv).tolist()
    ['Rendah', 'Tinggi', nan]
    >>> assign_level(pd.Series([75.5, 75.49]), lv, decimals=0).tolist()
    ['Tinggi', 'Rendah']
    """
    out = pd.Series(pd.NA, index=pct.index, dtype="str")
    values = pd.to_numeric(pct, errors="raise").astype("float64")
    if decimals is not None:
        scale = 10.0**decimals
        values = np.floor(values * scale + 0.5 + 1e-9) / scale
    assigned = values.isna()
    for level in levels:
        hit = ~assigned if level.min_pct is None else (~assigned & (values >= level.min_pct))
        out[hit] = level.label
        assigned |= hit
    return out


def serapan_pct(spent_idr: pd.Series, allocated_idr: pd.Series) -> pd.Series:
    """Serapan anggaran (budget absorption), percent: ``spent / allocated x 100``; NaN when ``allocated <= 0``
    or either is missing.

    >>> serapan_pct(pd.Series([45.0, 5.0, 1.0]), pd.Series([100.0, 0.0, None])).tolist()
    [45.0, nan, nan]
    """
    allocated = pd.to_numeric(allocated_idr).astype("float64")
    spent = pd.to_numeric(spent_idr).astype("float64")
    return spent / allocated.where(allocated > 0) * 100


def fiscal_year_elapsed_pct(period: str) -> float:
    """Share of the fiscal year (1 Jan - 31 Dec, UU 17/2003 Pasal 4) elapsed at the period's last day, percent.

    >>> round(fiscal_year_elapsed_pct("100-hari"), 2)  # 1 Jan - 30 May 2025 = 150 of 365 days
    41.1
    >>> fiscal_year_elapsed_pct("2025")
    100.0
    """
    end = period_info(period).end
    start = date(end.year, 1, 1)
    days_in_year = (date(end.year, 12, 31) - start).days + 1
    return ((end - start).days + 1) / days_in_year * 100


def add_serapan(df: pd.DataFrame, period: str, config: AchievementConfig) -> pd.DataFrame:
    """Add ``serapan_pct``, ``serapan_pace_pct`` and the two spending/output flags next to ``achievement_pct``.

    Grain unchanged. ``serapan_pace_pct = serapan_pct / fiscal_year_elapsed_pct x 100`` (100 = spending in
    step with a straight-line schedule). Flags are ``<NA>`` when either side is missing.
    """
    out = df.copy()
    out["serapan_pct"] = serapan_pct(out["budget_spent_idr"], out["budget_allocated_idr"])
    out["serapan_pace_pct"] = out["serapan_pct"] / fiscal_year_elapsed_pct(period) * 100
    pace, ach = out["serapan_pace_pct"], out["achievement_pct"]
    known = pace.notna() & ach.notna()
    high_low = (pace >= config.high_spend_min_pace_pct) & (ach < config.low_output_below_pct)
    low_high = (pace < config.low_spend_below_pace_pct) & (ach >= config.high_output_min_pct)
    out["is_high_spend_low_output"] = high_low.astype("boolean").where(known, pd.NA)
    out["is_low_spend_high_output"] = low_high.astype("boolean").where(known, pd.NA)
    return out


# ------------------------------------------------------------------------------------- indicator level
def _period_rows(df: pd.DataFrame, period: str, name: str) -> pd.DataFrame:
    rows = df[df["period"] == period].astype({"indicator_code": "str"})
    dup = rows["indicator_code"][rows["indicator_code"].duplicated()]
    if not dup.empty:
        raise ValueError(f"{name}: indicator(s) {sorted(set(dup))} appear more than once for period {period}")
    return rows


def effective_weights(indicators: pd.DataFrame) -> pd.Series:
    """Weight of each indicator inside its program (same index as ``indicators``).

    Blank weights: when every weight of the program is blank, all count 1 (equal, data contract); when only
    some are blank, a blank counts as the mean of the program's stated weights. Negative weights raise.

    >>> ind = pd.DataFrame({"program_code": ["P1", "P1", "P2", "P2"], "weight": [2.0, None, None, None]})
    >>> effective_weights(ind).tolist()
    [2.0, 2.0, 1.0, 1.0]
    """
    w = pd.to_numeric(indicators["weight"]).astype("float64")
    negative = indicators.loc[w < 0]
    if not negative.empty:
        codes = negative.get("indicator_code", negative.index.to_series()).tolist()
        raise ValueError(f"indicators: negative weight for {codes}")
    program_mean = w.groupby(indicators["program_code"]).transform("mean")
    return w.fillna(program_mean).fillna(1.0)


def program_not_started(programs: pd.Series, period: str, config: AchievementConfig) -> pd.Series:
    """Boolean per program code: the program's first day (``program_start``) is after the period's last day.

    >>> cfg = AchievementConfig((Level("A", None),), 120, 75, 76, 25, 100, program_starts=(("P05", date(2025, 6, 23)),))
    >>> program_not_started(pd.Series(["P01", "P05"]), "100-hari", cfg).tolist()
    [False, True]
    """
    end = period_info(period).end
    starts = dict(config.program_starts)
    return programs.map(lambda code: bool(code in starts and starts[code] > end)).astype("bool")


def _capaian_columns(df: pd.DataFrame, low: str, high: str, config: AchievementConfig) -> list[Capaian]:
    return [
        compute_capaian(r, lo, hi, pol, config.zero_target, code in config.band_indicators)
        for r, lo, hi, pol, code in zip(
            df["realisation"], df[low], df[high], df["polarity"], df["indicator_code"], strict=True
        )
    ]


def compute_indicator_achievement(
    tables: dict[str, pd.DataFrame], period: str, config: AchievementConfig
) -> pd.DataFrame:
    """One row per indicator that has a target or a report for ``period``.

    Columns: identity (indicator, program, agency, sector), the target (``target_low``/``target_high``,
    ``target_text``), ``realisation``, ``target_basis``, ``comparison_target``, ``achievement_pct``
    (uncapped), ``achievement_capped_pct``, ``achievement_level``, ``is_below_target``,
    ``achievement_status``/``_reason``, ``is_target_met``, ``weight_effective``, the row's budget figures (IDR)
    and their ``serapan_pct``; the agency's restated target (``target_reported_low``/``_high``) and the
    capaian under it (``achievement_reported_target_pct``, ``_capped_pct``: the same as under ``target.csv``
    when the agency restated nothing different).
    """
    indicators = tables["indicators"]
    targets = _period_rows(tables["targets"], period, "targets")
    reports = _period_rows(tables["agency_reports"], period, "agency_reports")
    codes = sorted(set(targets["indicator_code"]) | set(reports["indicator_code"]))
    unknown = sorted(set(codes) - set(indicators["indicator_code"]))
    if unknown:
        raise ValueError(
            f"targets/agency_reports of {period}: indicator code(s) not in indicators: {unknown}"
        )
    unknown_band = sorted(config.band_indicators - set(indicators["indicator_code"]))
    if unknown_band:
        raise ValueError(f"achievement.yml band_targets.indicators: not in indicators: {unknown_band}")
    ind = indicators.assign(weight_effective=effective_weights(indicators))
    ind = ind[ind["indicator_code"].isin(codes)]
    programs = tables["programs"][["program_code", "program_name", "agency", "sector"]]
    df = ind.merge(programs, on="program_code", how="left", validate="m:1")
    df = df.merge(
        targets[["indicator_code", "target_low", "target_high", "target_text"]],
        on="indicator_code",
        how="left",
        validate="1:1",
    )
    report_cols = [
        "indicator_code",
        "realisation",
        "target_reported_low",
        "target_reported_high",
        "budget_allocated_idr",
        "budget_spent_idr",
        "is_target_mismatch",
    ]
    reports = reports.reindex(columns=report_cols)
    df = df.merge(reports[report_cols], on="indicator_code", how="left", validate="1:1", indicator="_report")
    is_reported = df.pop("_report") == "both"
    for col in ("target_low", "target_high", "realisation", "target_reported_low", "target_reported_high"):
        df[col] = pd.to_numeric(df[col]).astype("float64")

    results = _capaian_columns(df, "target_low", "target_high", config)
    df["target_basis"] = pd.Series([c.basis for c in results], index=df.index, dtype="str")
    df["comparison_target"] = np.array([c.comparison for c in results], dtype="float64")
    df["achievement_pct"] = np.array([c.pct for c in results], dtype="float64")
    reason = pd.Series([c.reason for c in results], index=df.index, dtype="str")
    reason = reason.mask(~is_reported & df["target_low"].notna(), "not_reported")
    not_started = program_not_started(df["program_code"], period, config)
    reason = reason.mask(not_started, "program_not_started")
    df.loc[not_started, "achievement_pct"] = math.nan
    df["achievement_reason"] = reason
    df["achievement_status"] = np.where(reason.isna(), STATUS_COMPUTED, STATUS_NOT_COMPUTABLE)
    df["achievement_status"] = df["achievement_status"].astype("str")
    df["achievement_capped_pct"] = df["achievement_pct"].clip(upper=config.cap_pct)
    df["cap_pct"] = float(config.cap_pct)
    df["achievement_level"] = assign_level(df["achievement_pct"], config.levels, config.level_decimals)
    df["is_target_met"] = (
        (df["achievement_pct"] >= TARGET_MET_PCT)
        .astype("boolean")
        .where(df["achievement_pct"].notna(), pd.NA)
    )
    df["is_below_target"] = ~df["is_target_met"]
    df["is_target_mismatch"] = df["is_target_mismatch"].astype("boolean")
    restated = df["is_target_mismatch"].fillna(False).astype(bool) & df["target_reported_low"].notna()
    alt = _capaian_columns(df, "target_reported_low", "target_reported_high", config)
    alt_pct = np.array([c.pct for c in alt], dtype="float64")
    df["achievement_reported_target_pct"] = np.where(restated, alt_pct, df["achievement_pct"])
    df.loc[df["achievement_status"] != STATUS_COMPUTED, "achievement_reported_target_pct"] = math.nan
    df["achievement_reported_target_capped_pct"] = df["achievement_reported_target_pct"].clip(
        upper=config.cap_pct
    )
    df["period"] = period
    df["serapan_pct"] = serapan_pct(df["budget_spent_idr"], df["budget_allocated_idr"])
    columns = [
        "period", "indicator_code", "indicator_name", "program_code", "program_name", "agency", "sector",
        "unit", "polarity", "weight", "weight_effective", "target_low", "target_high", "target_text",
        "realisation", "target_basis", "comparison_target", "achievement_pct", "achievement_capped_pct",
        "cap_pct", "achievement_level", "achievement_status", "achievement_reason", "is_target_met", "is_below_target",
        "is_target_mismatch", "target_reported_low", "target_reported_high", "achievement_reported_target_pct",
        "achievement_reported_target_capped_pct", "budget_allocated_idr", "budget_spent_idr", "serapan_pct",
    ]  # fmt: skip
    for col in ("budget_allocated_idr", "budget_spent_idr", "weight"):
        df[col] = pd.to_numeric(df[col]).astype("float64")
    return df[columns].sort_values("indicator_code", kind="stable").reset_index(drop=True)


def indicators_without_target(tables: dict[str, pd.DataFrame], period: str) -> dict[str, list[str]]:
    """Program code -> codes of its indicators (``indikator.csv``) with no target for ``period``, sorted.

    >>> t = {"indicators": pd.DataFrame({"indicator_code": ["A-1", "A-2"], "program_code": ["A", "A"]}),
    ...      "targets": pd.DataFrame({"indicator_code": ["A-1"], "period": ["2025"], "target_low": [1.0],
    ...                               "target_high": [1.0]})}
    >>> indicators_without_target(t, "2025")
    {'A': ['A-2']}
    """
    targets = tables["targets"]
    given = targets["target_low"].notna() | targets["target_high"].notna()
    has_target = set(targets.loc[(targets["period"] == period) & given, "indicator_code"].astype(str))
    ind = tables["indicators"].sort_values("indicator_code")
    out: dict[str, list[str]] = {}
    for code, prog in zip(ind["indicator_code"].astype(str), ind["program_code"].astype(str), strict=True):
        if code not in has_target:
            out.setdefault(prog, []).append(code)
    return out


# ------------------------------------------------------------------------------------------- roll-ups
def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else math.nan


def rollup_programs(
    indicator_table: pd.DataFrame,
    programs: pd.DataFrame,
    period: str,
    config: AchievementConfig,
    reference: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """One row per program of ``programs`` (all of them, also those with nothing in this period).

    ``achievement_pct = sum(w * a) / sum(w)`` over the program's computable indicators (``w`` =
    ``weight_effective``, ``a`` = uncapped capaian); ``achievement_capped_pct`` the same with each ``a``
    capped at ``config.cap_pct``; ``achievement_reported_target_pct`` / ``_capped_pct`` the same under the
    agencies' restated targets. The level is that of the capped mean. Budget: :func:`program_budget`;
    serapan, its pace and the spending/output flags from that budget and the uncapped mean. A program that
    had not started by the period's end has reason ``program_not_started``. ``reference`` (the cleaned
    tables with ``indicators`` and ``targets``) adds ``indicators_defined`` and the indicators without a
    target for the period (``indicators_without_target``, ``indicators_without_target_codes``).
    """
    missing_target = indicators_without_target(reference, period) if reference is not None else {}
    defined = (
        reference["indicators"]["program_code"].astype(str).value_counts().to_dict()
        if reference is not None
        else {}
    )
    not_started = dict(
        zip(
            programs["program_code"],
            program_not_started(programs["program_code"], period, config),
            strict=True,
        )
    )
    rows = []
    for prog in programs.sort_values("program_code").itertuples(index=False):
        ind = indicator_table[indicator_table["program_code"] == prog.program_code]
        ok = ind[ind["achievement_status"] == STATUS_COMPUTED]
        w = ok["weight_effective"]
        if not_started[prog.program_code]:
            reason = "program_not_started"
        elif ind.empty:
            reason = "no_indicator_in_period"
        elif ok.empty:
            reason = "no_computable_indicator"
        elif w.sum() <= 0:
            reason = "zero_total_weight"
        else:
            reason = None
        no_target = missing_target.get(str(prog.program_code), [])

        def mean(col: str, ok: pd.DataFrame = ok, w: pd.Series = w, reason: str | None = reason) -> float:
            return math.nan if reason else _weighted_mean(ok[col], w)

        rows.append(
            {
                "period": period,
                "program_code": prog.program_code,
                "program_name": prog.program_name,
                "agency": prog.agency,
                "sector": prog.sector,
                "indicators_total": len(ind),
                "indicators_computable": len(ok),
                "indicators_met": int((ok["achievement_pct"] >= TARGET_MET_PCT).sum()),
                "indicators_defined": defined.get(str(prog.program_code), 0)
                if reference is not None
                else pd.NA,
                "indicators_without_target": len(no_target) if reference is not None else pd.NA,
                "indicators_without_target_codes": ", ".join(no_target) or None,
                "lowest_achievement_pct": float(ok["achievement_pct"].min()) if len(ok) else math.nan,
                "highest_achievement_pct": float(ok["achievement_pct"].max()) if len(ok) else math.nan,
                "achievement_pct": mean("achievement_pct"),
                "achievement_capped_pct": mean("achievement_capped_pct"),
                "achievement_reported_target_pct": mean("achievement_reported_target_pct"),
                "achievement_reported_target_capped_pct": mean("achievement_reported_target_capped_pct"),
                "achievement_reason": reason,
                **program_budget(ind),
            }
        )
    return _finish_rollup(rows, "indicators", period, config)


def program_budget(rows: pd.DataFrame) -> dict[str, Any]:
    """Pagu and spending (IDR) of one program from its indicator rows, and how they were combined.

    The agency template has budget columns on every indicator row, but the figures are the *program's*
    budget (docs/architecture.md): agencies put them on one row (the sample: the first indicator), or repeat
    them on every row. ``budget_basis``: ``single_row`` (one row has figures), ``repeated_program_budget``
    (several rows with identical figures: counted once), ``sum_of_rows`` (differing figures: summed, taken
    as a split of the program budget), ``<NA>`` (no figures).

    >>> program_budget(pd.DataFrame({"budget_allocated_idr": [100.0, 100.0], "budget_spent_idr": [40.0, 40.0]}))
    {'budget_allocated_idr': 100.0, 'budget_spent_idr': 40.0, 'budget_basis': 'repeated_program_budget'}
    """
    cols = ["budget_allocated_idr", "budget_spent_idr"]
    given = rows.loc[rows[cols].notna().any(axis=1), cols]
    if given.empty:
        return {"budget_allocated_idr": math.nan, "budget_spent_idr": math.nan, "budget_basis": None}
    if len(given) == 1 or len(given.drop_duplicates()) == 1:
        first = given.iloc[0]
        basis = "single_row" if len(given) == 1 else "repeated_program_budget"
        return {
            "budget_allocated_idr": float(first["budget_allocated_idr"]),
            "budget_spent_idr": float(first["budget_spent_idr"]),
            "budget_basis": basis,
        }
    return {
        "budget_allocated_idr": float(given["budget_allocated_idr"].sum(min_count=1)),
        "budget_spent_idr": float(given["budget_spent_idr"].sum(min_count=1)),
        "budget_basis": "sum_of_rows",
    }


def _finish_rollup(rows: list[dict], unit: str, period: str, config: AchievementConfig) -> pd.DataFrame:
    """Common columns of a roll-up: status, level of the capped mean, serapan and flags, dtypes."""
    df = pd.DataFrame(rows, columns=list(rows[0]) if rows else _EMPTY_ROLLUP_COLUMNS[unit])
    for col in (f"{unit}_total", f"{unit}_computable", f"{unit}_met"):
        df[col] = df[col].astype("Int64")
    for col in ("indicators_defined", "indicators_without_target"):
        if col in df:
            df[col] = pd.array(df[col].tolist(), dtype="Int64")
    float_cols = (
        "lowest_achievement_pct",
        "highest_achievement_pct",
        "achievement_pct",
        "achievement_capped_pct",
        "achievement_reported_target_pct",
        "achievement_reported_target_capped_pct",
    )
    for col in (*float_cols, "budget_allocated_idr", "budget_spent_idr"):
        if col in df:
            df[col] = pd.to_numeric(df[col]).astype("float64")
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].astype("str")
    df["achievement_status"] = pd.Series(
        np.where(df["achievement_reason"].isna(), STATUS_COMPUTED, STATUS_NOT_COMPUTABLE),
        index=df.index,
        dtype="str",
    )
    df["achievement_level"] = assign_level(df["achievement_capped_pct"], config.levels, config.level_decimals)
    df["cap_pct"] = float(config.cap_pct)
    capped = df["achievement_capped_pct"]
    df["is_target_met"] = (capped >= TARGET_MET_PCT).astype("boolean").where(capped.notna(), pd.NA)
    df["is_below_target"] = ~df["is_target_met"]
    df = add_serapan(df, period, config)
    identity = list(df.columns[: df.columns.get_loc("lowest_achievement_pct")])
    return df[identity + [c for c in _ROLLUP_MEASURES if c in df]]


_ROLLUP_TAIL = [
    "lowest_achievement_pct", "highest_achievement_pct", "achievement_pct", "achievement_capped_pct",
    "achievement_reason", "budget_allocated_idr", "budget_spent_idr",
]  # fmt: skip
_ROLLUP_MEASURES = [
    "lowest_achievement_pct", "highest_achievement_pct", "achievement_pct", "achievement_capped_pct", "cap_pct",
    "achievement_level", "is_target_met", "is_below_target", "achievement_status", "achievement_reason",
    "achievement_reported_target_pct", "achievement_reported_target_capped_pct",
    "budget_allocated_idr", "budget_spent_idr",
    "budget_basis", "serapan_pct", "serapan_pace_pct", "is_high_spend_low_output", "is_low_spend_high_output",
]  # fmt: skip
_EMPTY_ROLLUP_COLUMNS = {
    "indicators": [
        "period", "program_code", "program_name", "agency", "sector", "indicators_total",
        "indicators_computable", "indicators_met", "indicators_defined", "indicators_without_target",
        "indicators_without_target_codes", *_ROLLUP_TAIL, "achievement_reported_target_pct",
        "achievement_reported_target_capped_pct", "budget_basis",
    ],
    "programs": ["period", "group", "programs_total", "programs_computable", "programs_met", "program_codes", *_ROLLUP_TAIL],
}  # fmt: skip


def rollup_groups(
    program_table: pd.DataFrame, by: str, period: str, config: AchievementConfig
) -> pd.DataFrame:
    """One row per ``by`` (``sector`` or ``agency``): the unweighted mean of its programs' capaian.

    Every program counts once (programs have no weights in the data contract): ``achievement_pct`` = mean of
    the computable programs' ``achievement_pct``, ``achievement_capped_pct`` = mean of their capped means.
    Budget is summed over the programs.
    """
    if by not in ("sector", "agency"):
        raise ValueError(f"roll-up by must be 'sector' or 'agency', got {by!r}")
    rows = []
    for key, grp in program_table.groupby(by, sort=True, dropna=False):
        ok = grp[grp["achievement_status"] == STATUS_COMPUTED]
        rows.append(
            {
                "period": period,
                by: key,
                "programs_total": len(grp),
                "programs_computable": len(ok),
                "programs_met": int((ok["achievement_capped_pct"] >= TARGET_MET_PCT).sum()),
                "program_codes": ", ".join(sorted(grp["program_code"])),
                "lowest_achievement_pct": float(ok["achievement_pct"].min()) if len(ok) else math.nan,
                "highest_achievement_pct": float(ok["achievement_pct"].max()) if len(ok) else math.nan,
                "achievement_pct": float(ok["achievement_pct"].mean()) if len(ok) else math.nan,
                "achievement_capped_pct": float(ok["achievement_capped_pct"].mean()) if len(ok) else math.nan,
                "achievement_reason": None if len(ok) else "no_computable_program",
                "budget_allocated_idr": grp["budget_allocated_idr"].sum(min_count=1),
                "budget_spent_idr": grp["budget_spent_idr"].sum(min_count=1),
            }
        )
    df = _finish_rollup(rows, "programs", period, config)
    return df.rename(columns={"group": by}) if "group" in df else df


# ------------------------------------------------------------------------------- change vs previous
def add_change_vs_previous(
    current: pd.DataFrame, previous: pd.DataFrame | None, key: str, previous_period: str | None
) -> pd.DataFrame:
    """Add ``previous_period``, ``previous_achievement_pct``, ``achievement_change_pp`` (percentage points,
    uncapped) and, when the table has a capped mean, ``previous_achievement_capped_pct`` and
    ``achievement_capped_change_pp``. All NaN when there is no previous period or no data for it.
    """
    out = current.copy()
    cols = ["achievement_pct"] + (["achievement_capped_pct"] if "lowest_achievement_pct" in current else [])
    prev_names = {c: f"previous_{c}" for c in cols}
    if previous is not None and not previous.empty:
        prev = previous[[key, *cols]].rename(columns=prev_names)
        out = out.merge(prev, on=key, how="left", validate="1:1")
    else:
        for name in prev_names.values():
            out[name] = np.nan
    out.insert(1, "previous_period", pd.Series(previous_period, index=out.index, dtype="str"))
    for col in cols:
        out[col.replace("_pct", "_change_pp")] = out[col] - out[prev_names[col]]
    return out


# -------------------------------------------------------------------------------------- orchestration
ACHIEVEMENT_TABLES = (
    "achievement_indicator",
    "achievement_program",
    "achievement_sector",
    "achievement_agency",
)


def evaluate_achievement(
    tables: dict[str, pd.DataFrame],
    period: str,
    config: AchievementConfig | None = None,
    previous_tables: dict[str, pd.DataFrame] | None = None,
    previous_period: str | None = None,
) -> dict[str, pd.DataFrame]:
    """The four achievement tables of ``period`` from cleaned tables (``docs/evaluation_tables.md``).

    ``previous_tables`` (cleaned tables of ``previous_period``) add the change against that period.
    """
    config = config or load_achievement_config()
    current = _achievement_tables(tables, period, config)
    previous = _achievement_tables(previous_tables, previous_period, config) if previous_tables else {}
    keys = {
        "achievement_indicator": "indicator_code",
        "achievement_program": "program_code",
        "achievement_sector": "sector",
        "achievement_agency": "agency",
    }
    return {
        name: add_change_vs_previous(current[name], previous.get(name), keys[name], previous_period)
        for name in ACHIEVEMENT_TABLES
    }


def _achievement_tables(tables: dict[str, pd.DataFrame], period: str, config: AchievementConfig) -> dict:
    indicator = compute_indicator_achievement(tables, period, config)
    program = rollup_programs(indicator, tables["programs"], period, config, reference=tables)
    return {
        "achievement_indicator": indicator,
        "achievement_program": program,
        "achievement_sector": rollup_groups(program, "sector", period, config),
        "achievement_agency": rollup_groups(program, "agency", period, config),
    }
