"""Evaluate one period: clean if needed, then write the evaluation tables next to the cleaned ones.

``python -m analysis evaluate --raw DIR --period P [--processed ROOT]`` (tables in ``ROOT/<source>/<period>/``)

Steps (``evaluate_source``):

1. **Clean if needed.** The period's cleaned tables are (re)built with ``analysis.ingest.cleaning.clean_source``
   when the processed folder lacks one of them (or ``quality.json``), or when a raw file the period reads
   (the reference files and the period's files) is newer than the oldest cleaned table. Changes to the
   code or the configuration are *not* detected: after changing them, delete the processed folder or run
   ``python -m analysis clean`` first.
2. **Previous period** (``analysis.core.periods.previous_period``; none for ``100-hari``): when the data source
   has files for it, its cleaned tables are loaded (cleaned first by the same rule) for the change against
   the previous period.
3. **Evaluate**: achievement tables (``analysis.evaluate.achievement``), claim checks (``analysis.evaluate.claims``) and, when
   ``analysis.evaluate.principles`` provides ``evaluate_principles`` and the period has RT reports, the
   four-principle index tables.
4. **Write** every table as ``<name>.parquet`` plus ``evaluation.json`` (table list, row counts, what was
   and was not computed, hashes of the configuration files used) into ``data/processed/<source>/<period>/``.
   Output is deterministic: rerunning on the same inputs gives byte-identical files.

The period folder and the previous period's are locked for the whole evaluation (``analysis.core.atomic``,
taken in path order), unless the previous period's inputs are given (``previous``, read beforehand under
its own lock: :func:`load_previous`; ``run`` does so, to prepare neighbouring periods at once), and the period folder is rebuilt in a staging folder (the cleaned tables linked in,
the evaluation tables written) and swapped in whole: a concurrent run never reads a half-written folder.

Tables and columns: ``docs/evaluation_tables.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.core.atomic import folder_lock, folder_locks, staged_folder, write_text_atomic
from analysis.core.config import (
    CONFIG_DIR,
    PACKAGE_DIR,
    SAMPLE_NOTICE,
    add_processed_argument,
    check_processed_root,
    check_source_args,
    is_synthetic_source,
    processed_dir_for,
)
from analysis.core.gctune import fewer_collections
from analysis.core.periods import previous_period
from analysis.evaluate.achievement import ACHIEVEMENT_CONFIG, evaluate_achievement, load_achievement_config
from analysis.evaluate.claims import CLAIMS_CONFIG, load_claims
from analysis.evaluate.claims import check_claims as _check_claims
from analysis.ingest.quality import write_parquet
from analysis.ingest.schemas import TABLES

#: Cleaned tables (docs/architecture.md); a period folder lacking one is cleaned.
CLEANED_TABLES = tuple(TABLES)
QUALITY_FILE = "quality.json"
MANIFEST_FILE = "evaluation.json"


@dataclass
class EvaluationResult:
    """What one evaluation run produced."""

    period: str
    out_dir: Path
    tables: dict[str, pd.DataFrame]
    written: list[Path]
    cleaned: list[str] = field(default_factory=list)  # periods cleaned during this run
    previous_period: str | None = None
    previous_available: bool = False
    principles_status: str = ""


# ------------------------------------------------------------------------------------------- helpers
def period_has_files(raw_dir: Path, period: str) -> bool:
    """True when the data source holds at least one per-period file (agency/RT report, survey) of ``period``."""
    from analysis.ingest.contract import TEMPLATES
    from analysis.ingest.readers import period_files

    return any(period_files(raw_dir, t, period) for t in TEMPLATES if t.per_period)


def _raw_inputs(raw_dir: Path, period: str) -> list[Path]:
    from analysis.ingest.contract import TEMPLATES
    from analysis.ingest.readers import period_files, reference_file

    paths: list[Path] = []
    for t in TEMPLATES:
        paths += period_files(raw_dir, t, period) if t.per_period else [reference_file(raw_dir, t)]
    return [p for p in paths if p.exists()]


def needs_cleaning(raw_dir: Path, period: str, period_dir: Path) -> bool:
    """True when ``period_dir`` lacks a cleaned table or ``quality.json``, or a raw input is newer than them."""
    outputs = [period_dir / f"{name}.parquet" for name in CLEANED_TABLES] + [period_dir / QUALITY_FILE]
    if not all(p.exists() for p in outputs):
        return True
    oldest_output = min(p.stat().st_mtime for p in outputs)
    return any(p.stat().st_mtime > oldest_output for p in _raw_inputs(raw_dir, period))


def _cleaned_tables(
    raw_dir: Path, period: str, period_dir: Path, cleaned: list[str], feedback: bool = True
) -> dict[str, pd.DataFrame]:
    from analysis.ingest.cleaning import clean_source, load_cleaned

    if needs_cleaning(raw_dir, period, period_dir):
        clean_source(raw_dir, period, processed_dir=period_dir, feedback=feedback)
        cleaned.append(period)
    tables = load_cleaned(period_dir)
    missing = [name for name in CLEANED_TABLES if name not in tables]
    if missing:
        raise RuntimeError(f"{period_dir}: cleaned table(s) {missing} missing after cleaning")
    return tables


#: What an evaluation depends on besides its raw files: the code of the stages up to the evaluation and
#: the configuration files (hashed into ``evaluation.json``'s ``inputs_sha256``).
_CODE_PACKAGES = ("core", "ingest", "evaluate")


@lru_cache(maxsize=1)
def code_and_config_sha256() -> str:
    """SHA-256 over the source of ``analysis.core``/``ingest``/``evaluate`` (``.py`` and packaged data)
    and ``config/*.yml``: an evaluation made with other code or configuration is not reused."""
    digest = hashlib.sha256()
    files = [
        p
        for package in _CODE_PACKAGES
        for p in (PACKAGE_DIR / package).rglob("*")
        if p.is_file()
        and p.suffix in (".py", ".csv", ".yml", ".yaml", ".json")
        and "__pycache__" not in p.parts
    ]
    files += sorted(CONFIG_DIR.glob("*.yml"))
    for path in sorted(files):
        digest.update(str(path.relative_to(path.anchor)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def evaluation_is_current(raw_dir: Path, period: str, period_dir: Path) -> bool:
    """True when ``period_dir`` holds an evaluation of ``period`` that this code would write again:
    its ``evaluation.json`` names the period and the same code and configuration
    (:func:`code_and_config_sha256`), every table it lists is there, and the cleaned tables are current
    (:func:`needs_cleaning`: cleaning replaces the folder whole, evaluation included, so the evaluation
    was made from these cleaned tables). One function, so the "nothing changed" stage keys can replace it.
    """
    manifest_path = Path(period_dir) / MANIFEST_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("period") != period or manifest.get("inputs_sha256") != code_and_config_sha256():
        return False
    if not all((Path(period_dir) / f"{name}.parquet").exists() for name in manifest.get("tables", {})):
        return False
    return not needs_cleaning(raw_dir, period, Path(period_dir))


def _principles_module():
    """``analysis.evaluate.principles`` when it provides ``evaluate_principles``, else ``None``."""
    try:
        module = importlib.import_module("analysis.evaluate.principles")
    except ModuleNotFoundError as exc:
        if exc.name != "analysis.evaluate.principles":
            raise
        return None
    return module if hasattr(module, "evaluate_principles") else None


def run_principles(
    module,
    tables: dict[str, pd.DataFrame],
    period: str,
    previous_tables: dict[str, pd.DataFrame] | None,
    taken: set[str],
    previous_index: pd.DataFrame | None = None,
) -> tuple[dict[str, pd.DataFrame], str]:
    """The four-principle index tables (``module.evaluate_principles``) and a one-line status.

    Not computed (empty dict, status says why) when ``module`` is ``None`` or the period has no RT reports.
    A returned table whose name is already taken (``taken`` or a cleaned table) raises.
    """
    if module is None:
        return {}, "not computed: analysis.evaluate.principles.evaluate_principles is not available"
    if tables["rt_reports"].empty:
        return {}, f"not computed: no RT reports (laporan_rt) for {period}"
    if previous_index is not None:
        extra = module.evaluate_principles(tables, period, previous_tables, previous_index=previous_index)
    else:
        extra = module.evaluate_principles(tables, period, previous_tables)
    clash = sorted(set(extra) & (set(taken) | set(CLEANED_TABLES)))
    if clash:
        raise RuntimeError(f"analysis.evaluate.principles returned table name(s) already in use: {clash}")
    return extra, f"computed: {', '.join(sorted(extra))}"


def _remove_stale_outputs(out_dir: Path, names: set[str]) -> None:
    """Delete evaluation tables an earlier run listed in ``evaluation.json`` that this run does not write."""
    manifest = out_dir / MANIFEST_FILE
    if not manifest.exists():
        return
    previous = json.loads(manifest.read_text(encoding="utf-8")).get("tables", {})
    for name in sorted(set(previous) - names - set(CLEANED_TABLES)):
        (out_dir / f"{name}.parquet").unlink(missing_ok=True)


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------ evaluate
def evaluate_tables(
    tables: dict[str, pd.DataFrame],
    period: str,
    previous_tables: dict[str, pd.DataFrame] | None = None,
    previous: str | None = None,
    notice: str = "",
    achievement_config: Path | None = None,
    claims_config: Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Achievement tables and the claim check of ``period`` from cleaned tables (no files touched)."""
    config = load_achievement_config(achievement_config)
    claims = load_claims(claims_config)
    out = evaluate_achievement(tables, period, config, previous_tables, previous)
    out["claims"] = _check_claims(claims, out, period, notice=notice, cap_pct=config.cap_pct)
    return out


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write each table as ``<name>.parquet`` with the cleaner's fixed options (``analysis.ingest.quality.write_parquet``:
    pyarrow, no index), so the same frame always gives the same bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(tables):
        path = out_dir / f"{name}.parquet"
        write_parquet(tables[name].reset_index(drop=True), path)
        written.append(path)
    return written


@dataclass(frozen=True)
class PreviousInputs:
    """What the evaluation of a period reads of its previous period, read beforehand under that folder's
    lock (:func:`load_previous`): ``tables`` (the cleaned tables; ``None`` when the source has no files
    for it, ``period`` then ``None`` too) and ``rt_index`` (its own, when its evaluation is current)."""

    period: str | None
    tables: dict[str, pd.DataFrame] | None = None
    rt_index: pd.DataFrame | None = None


@fewer_collections()
def load_previous(raw_dir: Path, period: str | None, period_dir: Path | None) -> PreviousInputs:
    """The previous period ``period``'s inputs of an evaluation from its folder ``period_dir`` (cleaned
    first, without feedback workbooks, when :func:`needs_cleaning`), under that folder's lock only: the
    caller then evaluates holding its own folder's lock alone, so evaluations of neighbouring periods run
    at the same time (``run``'s worker processes)."""
    if period is None or period_dir is None:
        return PreviousInputs(period)
    with folder_lock(period_dir):
        tables = _cleaned_tables(Path(raw_dir), period, Path(period_dir), [], feedback=False)
        return PreviousInputs(period, tables, _current_rt_index(Path(raw_dir), period, Path(period_dir)))


@fewer_collections()
def evaluate_source(
    raw_dir: Path,
    period: str,
    processed_dir: Path | None = None,
    feedback: bool = True,
    previous: PreviousInputs | None = None,
) -> EvaluationResult:
    """Clean if needed, evaluate ``period`` of the data source ``raw_dir`` and write the evaluation tables.

    ``processed_dir`` is the period's output folder (default ``data/processed/<source>/<period>/``); the
    previous period's folder is its sibling ``<processed_dir>/../<previous period>/``. ``feedback``: when
    ``period`` has to be cleaned first, also write its feedback workbooks (the previous period, cleaned
    only as an input here, is cleaned without them: ``python -m analysis clean`` writes them). When the
    previous period's folder holds a current evaluation (:func:`evaluation_is_current`), its ``rt_index``
    gives the change columns instead of scoring that period again (the same values).

    ``previous``: the previous period's inputs read beforehand (:func:`load_previous`); then only this
    period's folder is locked here. Without it both folders are locked for the whole evaluation.
    """
    raw_dir, period = check_source_args(raw_dir, period)
    out_dir = Path(processed_dir) if processed_dir is not None else processed_dir_for(raw_dir, period)
    prev = previous_period(period)  # named in the tables even when the source has no files for it
    if previous is not None:
        prev_dir = None if previous.tables is None else out_dir.parent / prev
    else:
        prev_dir = out_dir.parent / prev if prev is not None and period_has_files(raw_dir, prev) else None
    locked = [out_dir] if prev_dir is None or previous is not None else [out_dir, prev_dir]
    with folder_locks(locked):
        cleaned: list[str] = []
        tables = _cleaned_tables(raw_dir, period, out_dir, cleaned, feedback=feedback)
        prev_tables = None
        prev_index = None
        if previous is not None:
            prev_tables, prev_index = previous.tables, previous.rt_index
        elif prev_dir is not None:
            prev_tables = _cleaned_tables(raw_dir, prev, prev_dir, cleaned, feedback=False)
            prev_index = _current_rt_index(raw_dir, prev, prev_dir)

        notice = SAMPLE_NOTICE if is_synthetic_source(raw_dir) else ""
        results = evaluate_tables(tables, period, prev_tables, prev, notice)

        extra, principles_status = run_principles(
            _principles_module(), tables, period, prev_tables, set(results), prev_index
        )
        results.update(extra)
        manifest = {
            "period": period,
            "previous_period": prev,
            "previous_period_available": prev_tables is not None,
            "principles": principles_status,
            "sample_notice": notice or None,
            "tables": {name: len(results[name]) for name in sorted(results)},
            "claims": [
                {"claim_id": cid, "overall_verdict": grp["overall_verdict"].iloc[0]}
                for cid, grp in results["claims"].groupby("claim_id", sort=True)
            ],
            "config": {
                "achievement.yml": _file_sha256(ACHIEVEMENT_CONFIG),
                "claims.yml": _file_sha256(CLAIMS_CONFIG),
            },
            "previous_index_reused": prev_index is not None,
            "inputs_sha256": code_and_config_sha256(),
        }
        with staged_folder(out_dir, seed=True) as staging:
            _remove_stale_outputs(staging, set(results))
            written = [out_dir / p.name for p in write_tables(results, staging)]
            write_text_atomic(
                staging / MANIFEST_FILE, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
            )
    manifest_path = out_dir / MANIFEST_FILE
    return EvaluationResult(
        period=period,
        out_dir=out_dir,
        tables=results,
        written=[*written, manifest_path],
        cleaned=cleaned,
        previous_period=prev,
        previous_available=prev_tables is not None,
        principles_status=principles_status,
    )


def _current_rt_index(raw_dir: Path, period: str, period_dir: Path) -> pd.DataFrame | None:
    """``period``'s own ``rt_index`` when its folder's evaluation is current, else ``None``."""
    path = period_dir / "rt_index.parquet"
    if not path.exists() or not evaluation_is_current(raw_dir, period, period_dir):
        return None
    return pd.read_parquet(path)


# ----------------------------------------------------------------------------------------------- CLI
def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--raw", required=True, type=Path, help="data source folder (e.g. data/raw/sample)")
    p.add_argument(
        "--period", required=True, help="period: 100-hari, 2025-TW2, 'Triwulan II 2025', 2025-S1, 2025"
    )
    add_processed_argument(p)


def main(args: argparse.Namespace) -> int:
    raw_dir, period = check_source_args(args.raw, args.period)
    out_dir = processed_dir_for(raw_dir, period, check_processed_root(args.processed, raw_dir))
    result = evaluate_source(raw_dir, period, out_dir)
    if result.cleaned:
        print(f"cleaned: {', '.join(result.cleaned)}")
    prev = result.previous_period or "—"
    print(
        f"period {result.period}; previous period {prev} ({'used' if result.previous_available else 'no data'})"
    )
    for name in sorted(result.tables):
        print(f"  {name}: {len(result.tables[name])} rows")
    print(f"principles: {result.principles_status}")
    claims = result.tables["claims"]
    for cid, grp in claims.groupby("claim_id", sort=True):
        print(f"claim {cid}: {grp['overall_verdict'].iloc[0]}")
    print(f"written to {result.out_dir}")
    return 0
