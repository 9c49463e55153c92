"""Step 1 of ``python -m analysis run``: validate every parameter before anything starts and make the
:class:`Plan` (the data folder, the period (``latest`` = the newest period that has files), the language,
the formats, the engine, the notebooks of the run matrix and the parameters each declares
(:func:`declared_parameters`), the kernel). A mistake is a :class:`~analysis.core.errors.UsageError`
(one line, exit 2) or a :class:`~analysis.core.errors.ConfigError`.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from analysis.core import config
from analysis.core.atomic import owner_tag
from analysis.core.errors import ConfigError, UsageError
from analysis.core.periods import HUNDRED_DAYS_CODE, PeriodError, parse_period
from analysis.ingest.inventory import source_periods

#: Parameters every notebook of the run matrix receives (and must declare in its ``parameters`` cell).
COMMON_PARAMETERS = ("raw_dir", "processed_dir", "period", "lang", "source_name", "is_synthetic", "run_id")

FORMATS = ("html", "pdf")

EXPORTS = ("briefing", "analyst")

#: What a notebook of the run matrix reads of the processed data (``NotebookSpec.reads``): only the
#: period's cleaning files (``quality.json``, ``rejected_rows.csv``: started once the period is cleaned),
#: or its evaluation and anything else (started once the preparation is done).
READS = ("cleaning", "evaluation")

#: How notebooks are executed (``--engine``): in a worker process's IPython shell, or one kernel each.
ENGINES = ("inprocess", "papermill")

DEFAULT_ENGINE = "inprocess"

#: The 100-day period, whose evaluation the notebooks of every other period show.
HUNDRED_DAYS = HUNDRED_DAYS_CODE

#: The kernel the notebooks run in: ``--kernel``, else $KJB_KERNEL, else ``kota-jambi`` (installed by
#: ``make setup``) when it exists, else ``python3``.
PROJECT_KERNEL = "kota-jambi"

FALLBACK_KERNEL = "python3"

KERNEL_ENV = "KJB_KERNEL"

#: Time zone of the generation time in the reports (Kota Jambi is on WIB, UTC+7).
REPORT_TZ = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class NotebookSpec:
    """One row of the run matrix.

    ``notebook`` is a file in the notebooks folder; ``name`` the stem of its outputs (``<name>.html``,
    ``<name>.ipynb``, ``<name>.pdf``); ``export`` is ``briefing`` (HTML without code + PDF) or ``analyst``
    (HTML with code); ``parameters`` are extra parameters for this notebook only; ``reads`` what of the
    processed data it reads (:data:`READS`): ``evaluation`` (the default: anything), or ``cleaning``
    (only the period's cleaning files, ``quality.json`` and ``rejected_rows.csv``), which ``run`` starts as
    soon as the period is cleaned, while it is evaluated.
    """

    notebook: str
    name: str
    export: str
    parameters: dict[str, Any] = field(default_factory=dict)
    reads: str = "evaluation"

    def __post_init__(self) -> None:
        if self.export not in EXPORTS:
            raise ConfigError(
                f"run matrix: {self.notebook}: export must be one of {EXPORTS}, not {self.export!r}"
            )
        if self.reads not in READS:
            raise ConfigError(
                f"run matrix: {self.notebook}: reads must be one of {READS}, not {self.reads!r}"
            )


#: The run matrix, as data. Notebooks live in ``notebooks/``; they run in parallel, 01 (the data quality,
#: from ``quality.json`` and ``rejected_rows.csv``) from when the period is cleaned, the others after the
#: evaluation. ``--matrix FILE`` replaces it with a YAML list of the same fields.
RUN_MATRIX: tuple[NotebookSpec, ...] = (
    NotebookSpec("01_data_quality.ipynb", "01_data_quality", "analyst", reads="cleaning"),
    NotebookSpec("02_program_achievement.ipynb", "02_program_achievement", "analyst"),
    NotebookSpec("03_kampung_bahagia_index.ipynb", "03_kampung_bahagia_index", "analyst"),
    NotebookSpec("04_briefing.ipynb", "briefing", "briefing"),
)


def load_matrix(path: Path) -> tuple[NotebookSpec, ...]:
    """A run matrix from YAML: a list of ``{notebook, name, export, parameters, reads}`` mappings
    (``parameters`` and ``reads`` optional)."""
    try:
        rows = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read run matrix {path}: {exc.strerror}") from exc
    if not isinstance(rows, list) or not rows:
        raise ConfigError(f"{path}: expected a non-empty list of notebooks")
    specs = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not {"notebook", "name", "export"} <= set(row):
            raise ConfigError(f"{path}: entry {i} needs the keys notebook, name and export")
        unknown = sorted(set(row) - {"notebook", "name", "export", "parameters", "reads"})
        if unknown:
            raise ConfigError(f"{path}: entry {i} has unknown keys {unknown}")
        specs.append(
            NotebookSpec(
                str(row["notebook"]),
                str(row["name"]),
                str(row["export"]),
                dict(row.get("parameters") or {}),
                str(row.get("reads") or "evaluation"),
            )
        )
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{path}: output names used twice: {duplicates}")
    return tuple(specs)


def available_periods(raw_dir: Path) -> list[str]:
    """Periods that have at least one period file in the data source, oldest first (``periods.sort_key``)."""
    return source_periods(raw_dir)


def resolve_period(raw_dir: Path, text: str) -> str:
    """The canonical period to run: ``latest`` or any spelling ``parse_period`` knows, with files present."""
    periods = available_periods(raw_dir)
    if not periods:
        raise UsageError(f"no period files in {raw_dir} (expected e.g. realisasi/realisasi_2025-TW2.xlsx)")
    if text.strip().lower() == "latest":
        return periods[-1]
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise UsageError(str(exc)) from None
    if period not in periods:
        raise UsageError(f"no files for period {period} in {raw_dir}; periods present: {', '.join(periods)}")
    return period


def add_formats_argument(parser) -> None:
    """``--formats`` as ``run`` and ``scorecards`` take it (every list form; :func:`parse_formats` reads it)."""
    parser.add_argument(
        "--formats",
        action="extend",
        nargs="+",
        default=None,
        help="html, pdf or html,pdf (default; also --formats html pdf)",
    )


def parse_formats(text: str) -> tuple[str, ...]:
    """``html,pdf`` → ``("html", "pdf")``; an unknown format is a UsageError."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or repr(text)}; use html, pdf or html,pdf")
    return formats


def default_kernel() -> str:
    """``$KJB_KERNEL``, else ``kota-jambi`` if installed, else ``python3``."""
    if os.environ.get(KERNEL_ENV):
        return os.environ[KERNEL_ENV]
    from jupyter_client.kernelspec import KernelSpecManager

    return PROJECT_KERNEL if PROJECT_KERNEL in KernelSpecManager().find_kernel_specs() else FALLBACK_KERNEL


def check_kernel(name: str) -> None:
    """UsageError unless a kernel spec ``name`` is installed."""
    from jupyter_client.kernelspec import KernelSpecManager

    installed = KernelSpecManager().find_kernel_specs()
    if name not in installed:
        raise UsageError(f"no Jupyter kernel named {name!r}; installed: {', '.join(sorted(installed))}")


def declared_parameters(path: Path) -> list[str] | None:
    """The names the notebook's ``parameters`` cell assigns at top level (``name = value``, ``name: type =
    value``), in order; ``None`` when no code cell is tagged ``parameters``. Read with ``json`` and ``ast``
    rather than ``papermill.inspect_notebook``, which would import papermill, nbclient and jupyter_client
    (about 0.9 s) into a process that only checks the notebooks; the names are the same for Python cells."""
    import ast
    import json

    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") != "code" or "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise ConfigError(
                f"{path}: the parameters cell is not valid Python: {exc.msg} (line {exc.lineno})"
            ) from exc
        names: list[str] = []
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            names += [t.id for t in targets if isinstance(t, ast.Name) and t.id not in names]
        return names
    return None


def check_notebook_parameters(path: Path, passed: Sequence[str]) -> None:
    """ConfigError unless the notebook has a ``parameters`` cell declaring every parameter passed to it."""
    declared = declared_parameters(path)
    if not declared:
        raise ConfigError(f"{path}: no cell tagged 'parameters'")
    unknown = sorted(set(passed) - set(declared))
    if unknown:
        raise ConfigError(f"{path}: the parameters cell does not declare {unknown}")


@dataclass(frozen=True)
class RunOptions:
    """Everything one run needs; built from the command line or by a caller."""

    raw_dir: Path
    period: str
    lang: str = "id"
    formats: tuple[str, ...] = FORMATS
    out_root: Path = config.REPORTS
    processed_root: Path = config.DATA_PROCESSED
    notebooks_dir: Path = config.NOTEBOOKS
    matrix: tuple[NotebookSpec, ...] = RUN_MATRIX
    jobs: int = 2
    kernel: str | None = None
    reuse_processed: bool = False
    engine: str = DEFAULT_ENGINE
    force: bool = False  # rebuild every stage, even those whose key is current
    #: periods this command has rebuilt already (``run_periods`` with ``force``): not forced again as a
    #: later period's previous period or 100 days (a period's notebooks may still be reading them)
    rebuilt: tuple[str, ...] = ()


def forces(options: RunOptions, period: str) -> bool:
    """Whether ``options`` rebuild ``period`` when a run reaches it as its previous period or its 100
    days: ``--force``, unless this command has rebuilt it already (``options.rebuilt``)."""
    return options.force and period not in options.rebuilt


def validate_options(options: RunOptions) -> None:
    """UsageError for an unknown language, format or engine, or ``--jobs`` below 1."""
    from analysis.core.formatting import LANGUAGES

    if options.lang not in LANGUAGES:
        raise UsageError(f"unknown language {options.lang!r}; use {' or '.join(LANGUAGES)}")
    for fmt in options.formats:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; use html, pdf or html,pdf")
    if options.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {options.jobs}")
    if options.engine not in ENGINES:
        raise UsageError(f"unknown engine {options.engine!r}; use {' or '.join(ENGINES)}")


def validate_notebooks(options: RunOptions) -> None:
    """ConfigError unless every notebook of the run matrix exists and declares the parameters it gets."""
    for spec in options.matrix:
        path = Path(options.notebooks_dir) / spec.notebook
        if not path.is_file():
            raise ConfigError(f"run matrix: notebook not found: {path}")
        check_notebook_parameters(path, [*COMMON_PARAMETERS, *spec.parameters])


@dataclass(frozen=True)
class Plan:
    """A validated run: canonical period, resolved folders, the kernel (``None`` in process), the run id."""

    options: RunOptions
    raw_dir: Path
    period: str
    source_name: str
    is_synthetic: bool
    processed_dir: Path
    final_dir: Path
    kernel: str | None
    run_id: str
    started_at: dt.datetime
    owner: str = ""  # analysis.core.atomic.owner_tag of the run: pid, host, run id

    @property
    def staging_dir(self) -> Path:
        """``.<period>.staging-<pid>_<host>_<run id>`` beside the report (removed by a later run once
        this run's process is gone: ``analysis.core.atomic.remove_stale``)."""
        return self.final_dir.parent / f".{self.period}.staging-{self.owner or self.run_id}"

    @property
    def failed_dir(self) -> Path:
        return self.final_dir.parent / f"{self.period}.failed"

    def parameters(self, spec: NotebookSpec) -> dict[str, Any]:
        common = {
            "raw_dir": str(self.raw_dir),
            "processed_dir": str(self.processed_dir),
            "period": self.period,
            "lang": self.options.lang,
            "source_name": self.source_name,
            "is_synthetic": self.is_synthetic,
            "run_id": self.run_id,
        }
        return {**common, **spec.parameters}


def new_run_id(now: dt.datetime) -> str:
    """``20250630T101500Z-3f9a1c``: UTC time of the start and six random hex digits."""
    return now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def plan_run(options: RunOptions, validate: bool = True) -> Plan:
    """Validate ``options`` completely (no kernel is started, nothing is written).

    ``validate=False`` checks only what the plan needs (folders, period) and leaves the language, formats,
    engine, kernel and notebooks to :func:`validate_options`: the nothing-changed check of ``run`` does not
    import the notebook tools when the report is current (whose options were valid when it was made).
    """
    raw_dir = Path(options.raw_dir).resolve()
    if not raw_dir.is_dir():
        raise UsageError(f"data folder not found: {options.raw_dir}")
    if validate:
        validate_options(options)
    period = resolve_period(raw_dir, options.period)
    processed_root = config.check_processed_root(options.processed_root, raw_dir)
    processed_dir = config.processed_dir_for(raw_dir, period, processed_root)
    if options.reuse_processed and not processed_dir.is_dir():
        raise UsageError(f"--reuse-processed: no processed data in {processed_dir}; run without it first")
    kernel = None
    if options.engine == "papermill" or options.kernel:  # an explicit --kernel is checked either way
        kernel = options.kernel or default_kernel()
        if validate:
            check_kernel(kernel)
    if validate:
        validate_notebooks(options)
    now = dt.datetime.now(REPORT_TZ)
    source_name = raw_dir.name
    run_id = new_run_id(now)
    return Plan(
        options=options,
        raw_dir=raw_dir,
        period=period,
        source_name=source_name,
        is_synthetic=config.is_synthetic_source(raw_dir),
        processed_dir=processed_dir,
        final_dir=Path(options.out_root).resolve() / source_name / period,
        kernel=kernel,
        run_id=run_id,
        started_at=now,
        owner=owner_tag(run_id),
    )
