"""Nothing changed, nothing done: the stage keys of ``python -m analysis run`` (issue 15, item 2).

A run has three stages, each with a **key**, a SHA-256 over everything its output depends on, from content
(never timestamps), made with :mod:`analysis.publish.cache` (the scorecards' cache):

- **clean** of a period (:func:`clean_key`): the SHA-256 of every raw file the cleaner reads for it (the
  reference files and the period's files, ``analysis.ingest.inventory.scan_source``; the ``SYNTHETIC``
  marker), the names of every file of the source (``quality.json`` accounts for each), the data folder's
  path, the configuration files the cleaning reads (``plausibility.yml``, and any ``config/*.yml`` not known
  to be the evaluation's only), the code of ``analysis.core`` and ``analysis.ingest`` (a stage never imports a
  later one) and the library versions;
- **feedback** of a period: the feedback workbooks (``feedback/``), made from the cleaning's log, so its key
  is the clean key; recorded apart because a period cleaned only as an input (an earlier period for the
  trends, the previous period, the 100 days) gets none: a ``run`` of that period writes them later
  (:func:`ensure_feedback`, without cleaning the folder again);
- **evaluate** of a period (:func:`evaluate_key`): its clean key, the previous period's (the evaluation
  compares with it), every ``config/*.yml``, the code of ``core``, ``ingest`` and ``evaluate``, the libraries;
- **notebooks** of a report (:func:`notebooks_key`): the parameters (period, language, formats, engine,
  kernel, run matrix, folders; not the run id or ``--jobs``), the notebooks' content, the whole package's
  code and the git commit (the manifest records it, ``verify`` compares it), the libraries, every
  ``config/*.yml``, the SHA-256 of the run's raw inputs, the evaluate keys of the period and of the 100
  days, and the SHA-256 of every file in the processed folders the notebooks read (the period's, the
  previous period's, the 100 days', the earlier periods'; not the feedback workbooks, which they do not
  read).

A processed period folder records its stages in ``stages.json`` (a :class:`~analysis.publish.cache.CacheIndex`:
per stage its key and the SHA-256 of the files it wrote), so a stage is current (:func:`stage_is_current`)
when its key is equal **and** its files are there unchanged; cleaning replaces the folder, ``stages.json``
included, so anything cleaned by hand (``python -m analysis clean``) is stale for the run. The report's
``manifest.json`` records every key (``stage_keys``) and what the run rebuilt (``stages``); a report is
current (:func:`report_is_current`) when its notebooks key is equal and every output it lists is there with
its SHA-256. When in doubt a key includes more, not less: a change rebuilds what may depend on it.

Files are hashed once per process (:class:`FileHashes`: the size, modification time and inode of a file
only decide whether its SHA-256 must be computed again, within one process; the content decides).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from analysis.core import config
from analysis.core.atomic import folder_lock
from analysis.core.periods import HUNDRED_DAYS_CODE, previous_period, sort_key
from analysis.ingest.inventory import is_outside_link, scan_source, source_periods
from analysis.publish.cache import (
    OUTPUT_LIBRARIES,
    CacheEntry,
    CacheIndex,
    code_files,
    digest_json,
    merge_keys,
    sha256_file,
)
from analysis.publish.runner.release import MANIFEST_PACKAGES, git_commit, input_periods

#: The record of a processed period folder's stages (a ``CacheIndex`` file).
STAGES_FILE = "stages.json"

#: Stages recorded in a processed period folder, in the order they run (``feedback``, only for a period
#: that is the target of a run or of ``clean``, is recorded apart: :data:`FEEDBACK_STAGE`).
PROCESSED_STAGES = ("clean", "evaluate")

#: The feedback workbooks' stage (its key is the clean key; its files are those under ``feedback/``).
FEEDBACK_STAGE = "feedback"

#: The folder of the feedback workbooks in a processed period folder (``analysis.ingest.feedback``).
FEEDBACK_PREFIX = "feedback/"

#: Configuration files that only the evaluation reads (``analysis.evaluate``: achievement scale, claims,
#: index framework); every other ``config/*.yml`` (``plausibility.yml``, or a new one) is in the clean key.
EVALUATION_ONLY_CONFIG = ("achievement.yml", "claims.yml", "index_framework.yml")

#: The package sub-folders whose code each processed stage runs (the import contract: a stage imports only
#: earlier ones); the package's top-level modules are in every key.
STAGE_CODE = {"clean": ("core", "ingest"), "evaluate": ("core", "ingest", "evaluate")}

#: Libraries that shape the outputs (the manifest's and the scorecards' lists): every key covers their
#: versions, and those of every other installed distribution (:func:`libraries_digest`).
KEY_LIBRARIES = tuple(dict.fromkeys((*MANIFEST_PACKAGES, *OUTPUT_LIBRARIES, "python-calamine", "rapidfuzz")))

#: Bumped when what a key covers changes, so that older records are stale.
KEY_VERSION = 1


class FileHashes:
    """SHA-256 of files, each computed once per process while the file's size, modification time (ns),
    change time and inode stay the same (a file rewritten since is hashed again)."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple[tuple[int, ...], str]] = {}

    def __call__(self, path: Path | str) -> str:
        name = os.path.abspath(path)
        st = os.stat(name)
        signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        known = self._memo.get(name)
        if known is not None and known[0] == signature:
            return known[1]
        digest = sha256_file(Path(name))
        self._memo[name] = (signature, digest)
        return digest

    def folder(self, folder: Path, skip: Iterable[str] = (STAGES_FILE,)) -> dict[str, str]:
        """``{relative name: SHA-256}`` of every file under ``folder`` (none when it does not exist)."""
        skipped = set(skip)
        return {name: self(path) for name, path in _walk_files(str(folder)) if name not in skipped}


def _walk_files(root: str) -> list[tuple[str, str]]:
    """``[(relative posix name, path), ...]`` of every file under ``root``, sorted by name, without
    following links to folders (strings, not ``pathlib``: this runs on every check)."""
    out = []
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out += [
            (prefix + f, os.path.join(dirpath, f)) for f in files if os.path.isfile(os.path.join(dirpath, f))
        ]
    return sorted(out)


#: The process's file hashes (a ``--period all`` run hashes each raw file once).
HASHES = FileHashes()


@functools.cache
def libraries_digest() -> str:
    """Digest of Python's version and of every installed distribution's name and version (the names of the
    ``*.dist-info`` / ``*.egg-info`` entries on ``sys.path``: a superset of :data:`KEY_LIBRARIES`, read
    without parsing each one's metadata), once per process."""
    import sys

    installed = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        installed.update(n for n in names if n.endswith((".dist-info", ".egg-info")))
    return digest_json({"python": sys.version, "distributions": sorted(installed)})


@functools.cache
def _code_files(package_dir: Path) -> tuple[tuple[str, str, str], ...]:
    """``(relative name, first folder or "", path)`` of the package's code files, listed once per process
    (their content is hashed on every check)."""
    out = []
    for path in code_files(package_dir):
        rel = path.relative_to(package_dir)
        out.append((rel.as_posix(), rel.parts[0] if len(rel.parts) > 1 else "", str(path)))
    return tuple(out)


def code_digest(subpackages: tuple[str, ...] | None, hashes: FileHashes = HASHES) -> str:
    """Digest of the package's code files (``analysis.publish.cache.code_files``) in ``subpackages`` and at
    the package's top level; all of them when ``subpackages`` is None."""
    return digest_json(
        {
            name: hashes(path)
            for name, folder, path in _code_files(config.PACKAGE_DIR)
            if subpackages is None or not folder or folder in subpackages
        }
    )


def config_hashes(names: Iterable[str] | None = None, hashes: FileHashes = HASHES) -> dict[str, str]:
    """``{file name: SHA-256}`` of ``config/*.yml`` (only ``names`` when given, those present)."""
    folder = Path(config.CONFIG_DIR)
    files = sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    wanted = None if names is None else set(names)
    return {p.name: hashes(p) for p in files if wanted is None or p.name in wanted}


def source_listing(raw_dir: Path) -> list[str]:
    """Every file and folder name of the data source, relative, sorted (without following links)."""
    root = str(raw_dir)
    out = []
    for dirpath, dirs, files in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out += [prefix + d + "/" for d in dirs] + [prefix + f for f in files]
    return sorted(out)


@functools.lru_cache(maxsize=256)
def _scan_inputs(raw_dir: Path, period: str, listing: str) -> tuple[Path, ...]:
    """The files the cleaner reads for ``period`` (``scan_source``, which decides by names: remembered per
    ``listing``, the digest of :func:`source_listing`)."""
    return tuple(
        path
        for _, path in scan_source(raw_dir, period).inputs
        if path.is_file() and not is_outside_link(path, raw_dir)
    )


@functools.lru_cache(maxsize=64)
def _source_periods(raw_dir: Path, listing: str) -> tuple[str, ...]:
    return tuple(source_periods(raw_dir))


def periods_with_files(raw_dir: Path) -> tuple[str, ...]:
    """``analysis.ingest.inventory.source_periods``, computed again only when the source's names change."""
    raw_dir = Path(raw_dir).resolve()
    return _source_periods(raw_dir, digest_json(source_listing(raw_dir)))


def run_inputs(raw_dir: Path, period: str) -> list[Path]:
    """``analysis.publish.runner.release.input_files`` (what the manifest lists), from :func:`_scan_inputs`."""
    raw_dir = Path(raw_dir).resolve()
    listing = digest_json(source_listing(raw_dir))
    files = {path for p in input_periods(period) for path in _scan_inputs(raw_dir, p, listing)}
    marker = raw_dir / config.SYNTHETIC_MARKER
    if marker.is_file():
        files.add(marker)
    return sorted(files)


def clean_key(raw_dir: Path, period: str, hashes: FileHashes = HASHES) -> str:
    """The clean stage's key of ``period`` (see the module docstring)."""
    raw_dir = Path(raw_dir).resolve()
    listing = digest_json(source_listing(raw_dir))
    inputs = {
        path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else str(path): hashes(path)
        for path in _scan_inputs(raw_dir, period, listing)
    }
    marker = raw_dir / config.SYNTHETIC_MARKER
    cleaning_config = [n for n in config_hashes(hashes=hashes) if n not in EVALUATION_ONLY_CONFIG]
    return merge_keys(
        {
            "version": str(KEY_VERSION),
            "stage": "clean",
            "period": period,
            "raw_dir": str(raw_dir),
            "inputs": digest_json(inputs),
            "synthetic": str(marker.is_file()),
            "listing": listing,
            "config": digest_json(config_hashes(cleaning_config, hashes)),
            "code": code_digest(STAGE_CODE["clean"], hashes),
            "libraries": libraries_digest(),
        }
    )


def evaluated_previous(raw_dir: Path, period: str) -> str | None:
    """The previous period the evaluation of ``period`` compares with, when the source has files for it."""
    prev = previous_period(period)
    return prev if prev is not None and prev in periods_with_files(raw_dir) else None


def evaluate_key(raw_dir: Path, period: str, hashes: FileHashes = HASHES) -> str:
    """The evaluate stage's key of ``period`` (see the module docstring)."""
    prev = evaluated_previous(raw_dir, period)
    return merge_keys(
        {
            "version": str(KEY_VERSION),
            "stage": "evaluate",
            "period": period,
            "clean": clean_key(raw_dir, period, hashes),
            "previous": "" if prev is None else f"{prev}={clean_key(raw_dir, prev, hashes)}",
            "config": digest_json(config_hashes(hashes=hashes)),
            "code": code_digest(STAGE_CODE["evaluate"], hashes),
            "libraries": libraries_digest(),
        }
    )


def stage_key(stage: str, raw_dir: Path, period: str, hashes: FileHashes = HASHES) -> str:
    """:func:`clean_key` (also the feedback stage's) or :func:`evaluate_key`."""
    keys = {"clean": clean_key, FEEDBACK_STAGE: clean_key, "evaluate": evaluate_key}
    return keys[stage](raw_dir, period, hashes)


# ------------------------------------------------------------------ the record in a processed folder
def _evaluation_files(folder: Path) -> set[str]:
    """The files the evaluation wrote into ``folder``: ``evaluation.json`` and the tables it lists."""
    manifest = Path(folder) / "evaluation.json"
    if not manifest.is_file():
        return set()
    try:
        tables = json.loads(manifest.read_text(encoding="utf-8")).get("tables", {})
    except (json.JSONDecodeError, AttributeError):
        return {manifest.name}
    return {manifest.name, *(f"{name}.parquet" for name in tables)}


def stage_files(folder: Path, stage: str, hashes: FileHashes = HASHES) -> dict[str, str]:
    """``{name: SHA-256}`` of the files ``stage`` wrote into the processed ``folder``: the evaluation's
    (:func:`_evaluation_files`), the feedback workbooks (``feedback/``), or for the cleaning every other
    file."""
    files = hashes.folder(folder)
    if stage == FEEDBACK_STAGE:
        return {name: digest for name, digest in files.items() if name.startswith(FEEDBACK_PREFIX)}
    evaluated = _evaluation_files(folder)
    if stage == "evaluate":
        return {name: digest for name, digest in files.items() if name in evaluated}
    return {
        name: digest
        for name, digest in files.items()
        if name not in evaluated and not name.startswith(FEEDBACK_PREFIX)
    }


def stage_is_current(folder: Path, stage: str, key: str) -> bool:
    """True when the processed ``folder`` records ``stage`` with ``key`` and its files are there unchanged."""
    try:
        index = CacheIndex.load(Path(folder) / STAGES_FILE)
    except (ValueError, KeyError, TypeError):
        return False  # an unreadable record: rebuild
    return index.is_fresh(stage, key, Path(folder))


def record_stages(folder: Path, keys: Mapping[str, str], run_id: str = "") -> None:
    """Record ``{stage: key}`` in ``folder``'s ``stages.json`` with the files each stage wrote (under the
    folder's lock, written by rename). No run id or time: the same inputs give the same bytes, like every
    other file of the folder (``run_id`` is accepted for the callers and not stored)."""
    folder = Path(folder)
    with folder_lock(folder):
        try:
            index = CacheIndex.load(folder / STAGES_FILE)
        except (ValueError, KeyError, TypeError):
            index = CacheIndex()
        for stage, key in keys.items():
            index.entries[stage] = CacheEntry(key, stage_files(folder, stage, FileHashes()))
        index.save(folder / STAGES_FILE)


# ------------------------------------------------------------------ the notebooks and the report
def earlier_periods(raw_dir: Path, period: str) -> list[str]:
    """The periods of the source before ``period`` (oldest first) other than the 100 days: the trends of
    the briefing and of notebooks 02/03 read them (through the history store), so ``run`` evaluates them
    and the notebooks key covers their inputs and folders."""
    return sorted(
        (p for p in periods_with_files(raw_dir) if p != HUNDRED_DAYS_CODE and sort_key(p) < sort_key(period)),
        key=sort_key,
    )


def notebook_folders(plan) -> dict[str, Path]:
    """The processed folders the notebooks of ``plan`` read: the period's, the previous period's, the 100
    days' and, for the trends, every earlier period's (those that exist)."""
    root = plan.processed_dir.parent
    folders = {plan.period: plan.processed_dir}
    prev = previous_period(plan.period)
    if prev is not None:
        folders[prev] = root / prev
    folders[HUNDRED_DAYS_CODE] = root / HUNDRED_DAYS_CODE
    if plan.period != HUNDRED_DAYS_CODE:
        for period in earlier_periods(plan.raw_dir, plan.period):
            folders.setdefault(period, root / period)
    return {period: folder for period, folder in folders.items() if folder.is_dir()}


def _read_by_notebooks(folder: Path, hashes: FileHashes) -> dict[str, str]:
    """``{name: SHA-256}`` of a processed folder's files but the feedback workbooks, which no notebook
    reads (a later run that targets an earlier period writes them: the reports that read that period for
    their trends stay current)."""
    return {n: d for n, d in hashes.folder(folder).items() if not n.startswith(FEEDBACK_PREFIX)}


def notebooks_key(plan, hashes: FileHashes = HASHES) -> str:
    """The notebooks stage's key of ``plan`` (see the module docstring); computed after the preparation."""
    options = plan.options
    parameters = {
        **{k: v for k, v in plan.parameters(options.matrix[0]).items() if k != "run_id"},
        "formats": list(options.formats),
        "engine": options.engine,
        "kernel": plan.kernel,
        "matrix": [asdict(spec) for spec in options.matrix],
        "notebooks_dir": str(Path(options.notebooks_dir).resolve()),
        "final_dir": str(plan.final_dir),
        "reuse_processed": options.reuse_processed,
    }
    notebooks = {
        spec.notebook: hashes(Path(options.notebooks_dir) / spec.notebook) for spec in options.matrix
    }
    evaluated = {}
    if not options.reuse_processed:
        for period in dict.fromkeys((plan.period, HUNDRED_DAYS_CODE)):
            if period in periods_with_files(plan.raw_dir):
                evaluated[period] = evaluate_key(plan.raw_dir, period, hashes)
    return merge_keys(
        {
            "version": str(KEY_VERSION),
            "stage": "notebooks",
            "parameters": digest_json(parameters),
            "notebooks": digest_json(notebooks),
            "code": code_digest(None, hashes),
            "git": git_commit(),  # the manifest records it and ``verify`` compares it
            "libraries": libraries_digest(),
            "config": digest_json(config_hashes(hashes=hashes)),
            "inputs": digest_json({str(p): hashes(p) for p in run_inputs(plan.raw_dir, plan.period)}),
            "earlier_inputs": digest_json(
                {
                    period: {str(p): hashes(p) for p in run_inputs(plan.raw_dir, period)}
                    for period in earlier_periods(plan.raw_dir, plan.period)
                }
                if plan.period != HUNDRED_DAYS_CODE
                else {}
            ),
            "evaluated": digest_json(evaluated),
            "processed": digest_json(
                {p: _read_by_notebooks(f, hashes) for p, f in notebook_folders(plan).items()}
            ),
        }
    )


def processed_stages(plan) -> dict[str, dict[str, str]]:
    """``{stage: {period: key}}`` of the processed folders a run of ``plan`` makes current: the period's
    cleaning, feedback workbooks and evaluation, the previous period's cleaning (when the evaluation reads it), the 100 days'
    cleaning and evaluation (when the source has them)."""
    raw, period = plan.raw_dir, plan.period
    keys: dict[str, dict[str, str]] = {"clean": {period: clean_key(raw, period)}, "evaluate": {}}
    keys[FEEDBACK_STAGE] = {period: keys["clean"][period]}  # the period's own feedback workbooks
    keys["evaluate"][period] = evaluate_key(raw, period)
    prev = evaluated_previous(raw, period)
    if prev is not None:
        keys["clean"][prev] = clean_key(raw, prev)
    if period != HUNDRED_DAYS_CODE and HUNDRED_DAYS_CODE in periods_with_files(raw):
        keys["clean"][HUNDRED_DAYS_CODE] = clean_key(raw, HUNDRED_DAYS_CODE)
        keys["evaluate"][HUNDRED_DAYS_CODE] = evaluate_key(raw, HUNDRED_DAYS_CODE)
    return keys


def stale_stages(plan, keys: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    """``[(stage, period), ...]`` of :func:`processed_stages` that are not current in their folder."""
    root = plan.processed_dir.parent
    return [
        (stage, period)
        for stage, by_period in keys.items()
        for period, key in by_period.items()
        if not stage_is_current(root / period, stage, key)
    ]


def report_is_current(plan, key: str, hashes: FileHashes = HASHES) -> dict[str, Any] | None:
    """The published report's manifest when it was made with the notebooks ``key`` and every output it
    lists is in the report folder with its SHA-256; else ``None``."""
    path = plan.final_dir / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or (manifest.get("stage_keys") or {}).get("notebooks") != key:
        return None
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict) or not outputs:
        return None
    for name, digest in outputs.items():
        file = plan.final_dir / name
        if not file.is_file() or hashes(file) != digest:
            return None
    return manifest


# ------------------------------------------------------------------ the 100 days, in a worker
def hundred_days_current(raw_dir: Path, period: str, processed_dir: Path) -> bool:
    """True when the 100 days need nothing for the notebooks of ``period`` (none, or current)."""
    if period == HUNDRED_DAYS_CODE or HUNDRED_DAYS_CODE not in periods_with_files(raw_dir):
        return True
    folder = Path(processed_dir).parent / HUNDRED_DAYS_CODE
    return all(
        stage_is_current(folder, stage, stage_key(stage, raw_dir, HUNDRED_DAYS_CODE))
        for stage in PROCESSED_STAGES
    )


def prepare_hundred_days(raw_dir: Path, period: str, processed_dir: Path, force: bool = False) -> str:
    """The 100 days for the notebooks of ``period``, stage by stage, into ``<processed_dir>/../100-hari/``:
    ``"current"`` (nothing to do), ``"evaluated"`` (cleaned first when its clean stage was stale), or
    ``"none"`` (``period`` is the 100 days, or the source has none)."""
    if period == HUNDRED_DAYS_CODE or HUNDRED_DAYS_CODE not in periods_with_files(raw_dir):
        return "none"
    folder = Path(processed_dir).parent / HUNDRED_DAYS_CODE
    return ensure_evaluated(raw_dir, HUNDRED_DAYS_CODE, folder, force=force)[HUNDRED_DAYS_CODE]


def ensure_clean(
    raw_dir: Path, period: str, folder: Path, force: bool = False, run_id: str = "", feedback: bool = False
) -> bool:
    """Clean ``period`` into ``folder`` unless its clean stage is current; True when it cleaned.
    ``feedback``: with the feedback workbooks (recorded as the feedback stage); by default a period is
    cleaned here as an input (of the trends, of the next period's evaluation) and gets none."""
    key = clean_key(raw_dir, period)
    with folder_lock(folder):
        if not force and stage_is_current(folder, "clean", key):
            return False
        from analysis.ingest.cleaning import clean_source

        clean_source(raw_dir, period, processed_dir=folder, feedback=feedback)
        record_stages(folder, {"clean": key, **({FEEDBACK_STAGE: key} if feedback else {})}, run_id)
    return True


def feedback_is_current(raw_dir: Path, period: str, folder: Path) -> bool:
    """True when ``folder`` holds the feedback workbooks of its current cleaning."""
    return stage_is_current(folder, FEEDBACK_STAGE, clean_key(raw_dir, period))


def build_feedback(raw_dir: Path, period: str, folder: Path, inputs=None) -> tuple[Path, str]:
    """The feedback workbooks of the cleaned ``folder`` built beside it (no lock held; a worker process can
    do it): ``(staging folder, key)`` for :func:`install_feedback`. ``inputs``: the cleaning's
    ``analysis.ingest.cleaning.feedback_inputs``, else the period is cleaned again in memory for them."""
    from analysis.ingest import cleaning

    key = clean_key(raw_dir, period)
    return cleaning.build_feedback(raw_dir, period, folder, inputs), key


def install_feedback(folder: Path, built: Path, key: str, run_id: str = "") -> str:
    """Swap the workbooks :func:`build_feedback` made into ``folder`` and record the feedback stage;
    ``"written"``, or ``"stale"`` (nothing installed) when the folder was cleaned again meanwhile with
    other inputs (its clean stage no longer has ``key``)."""
    import shutil

    from analysis.ingest import cleaning

    with folder_lock(folder):
        if not stage_is_current(folder, "clean", key):
            shutil.rmtree(built, ignore_errors=True)
            return "stale"
        cleaning.install_feedback(folder, built)
        record_stages(folder, {FEEDBACK_STAGE: key}, run_id)
    return "written"


def ensure_feedback(raw_dir: Path, period: str, folder: Path, force: bool = False, run_id: str = "") -> str:
    """The feedback workbooks of the cleaned ``folder`` (whose clean stage is current): ``"current"``, or
    ``"written"`` (the period cleaned again in memory for the cleaning's log, the folder's other files
    kept as they are: :func:`build_feedback`, :func:`install_feedback`)."""
    if not force and feedback_is_current(raw_dir, period, folder):
        return "current"
    built, key = build_feedback(raw_dir, period, folder)
    return install_feedback(folder, built, key, run_id)


def ensure_evaluated(
    raw_dir: Path, period: str, folder: Path, force: bool = False, run_id: str = "", clean: bool = True
) -> dict[str, str]:
    """Evaluate ``period`` into ``folder`` unless its evaluate stage is current, after making its clean
    stage and the previous period's current (``clean=False``: the caller has done the period's), both
    cleaned here without feedback workbooks (inputs only). Returns ``{period: "current" | "evaluated"}``
    (and the previous period's ``"cleaned"``). ``force`` redoes this period's stages; the previous
    period is cleaned only when its clean stage is stale (cleaning replaces its folder, evaluation
    included, which a concurrent job may just have made).

    Locks: this period's folder is held alone while it is cleaned, then the previous period's while it is
    cleaned and read (``analysis.evaluate.evaluation.load_previous``), then this period's again while it
    is evaluated and recorded; so the evaluations of neighbouring periods can run at the same time (``run``'s
    worker processes) and never hold two folders at once."""
    folder = Path(folder)
    if not force and evaluation_is_current(raw_dir, period, folder):
        return {period: "current"}
    done: dict[str, str] = {}
    prev = evaluated_previous(raw_dir, period)
    prev_folder = None if prev is None else folder.parent / prev
    keys = {"clean": clean_key(raw_dir, period), "evaluate": evaluate_key(raw_dir, period)}
    from analysis.evaluate.evaluation import evaluate_source, load_previous

    if clean:  # first, alone: another process may be cleaning the previous period meanwhile
        ensure_clean(raw_dir, period, folder, force=force, run_id=run_id)
    previous = load_previous(raw_dir, None, None)
    if prev is not None:
        with folder_lock(prev_folder):  # not forced: that would drop the evaluation another job made
            if ensure_clean(raw_dir, prev, prev_folder, run_id=run_id):
                done[prev] = "cleaned"
            previous = load_previous(raw_dir, prev, prev_folder)
    with folder_lock(folder):
        if clean:  # current unless the folder was cleaned again meanwhile
            ensure_clean(raw_dir, period, folder, run_id=run_id)
        if not force and stage_is_current(folder, "evaluate", keys["evaluate"]):
            done[period] = "current"
            return done
        evaluate_source(raw_dir, period, processed_dir=folder, feedback=False, previous=previous)
        record_stages(folder, keys, run_id)  # both: the evaluation may have cleaned again (mtime rule)
    done[period] = "evaluated"
    return done


def evaluation_is_current(raw_dir: Path, period: str, folder: Path) -> bool:
    """True when :func:`ensure_evaluated` has nothing to do for ``period``: its clean and evaluate stages
    and the previous period's clean stage are current (checked without locks: a hint, the work is checked
    again under the folders' locks)."""
    prev = evaluated_previous(raw_dir, period)
    folder = Path(folder)
    return (
        stage_is_current(folder, "clean", clean_key(raw_dir, period))
        and stage_is_current(folder, "evaluate", evaluate_key(raw_dir, period))
        and (prev is None or stage_is_current(folder.parent / prev, "clean", clean_key(raw_dir, prev)))
    )
