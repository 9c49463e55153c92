"""Paths and project-wide constants, in one place (cookiecutter-data-science's ``config.py``)."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_ROOT = PACKAGE_DIR.parent.parent

DATA_RAW = PROJECT_ROOT / "data" / "raw"
DATA_PROCESSED = PROJECT_ROOT / "data" / "processed"
REPORTS = PROJECT_ROOT / "reports"
NOTEBOOKS = PROJECT_ROOT / "notebooks"
CONFIG_DIR = PROJECT_ROOT / "config"
SAMPLE_SOURCE = DATA_RAW / "sample"

#: Reference data shipped inside the package (attribution in ``core/data/README.md``).
WILAYAH_CSV = PACKAGE_DIR / "core" / "data" / "kota_jambi_wilayah.csv"

#: Shown on every output made from the bundled synthetic data (issue #2).
SAMPLE_NOTICE = "DATA CONTOH — bukan data resmi"
SAMPLE_NOTICE_EN = "SAMPLE DATA — not official figures"

#: A data source whose folder holds this file is synthetic; every output made from it carries SAMPLE_NOTICE.
SYNTHETIC_MARKER = "SYNTHETIC"


#: A notebook's project root (its ``data/``): this environment variable, else found from the notebook's folder.
PROJECT_ROOT_ENV = "KJB_PROJECT_ROOT"

#: A project root holds this file and a ``data/`` folder (a clone or a copy of the repository).
PROJECT_MARKER = "pyproject.toml"


def find_project_root(start: Path | str | None = None) -> Path:
    """The project root a notebook works in: ``$KJB_PROJECT_ROOT`` when set, else the nearest folder at or
    above ``start`` (default: the working directory, which Jupyter, papermill and ``run`` set to the
    notebook's folder) holding ``pyproject.toml`` and ``data/``. Never the installed package's location:
    a copy of the repository reads and writes its own ``data/``. A :class:`~analysis.core.errors.UsageError`
    when there is none."""
    from analysis.core.errors import UsageError

    if os.environ.get(PROJECT_ROOT_ENV):
        root = Path(os.environ[PROJECT_ROOT_ENV]).resolve()
        if not root.is_dir():
            raise UsageError(f"${PROJECT_ROOT_ENV} is not a folder: {root}")
        return root
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_MARKER).is_file() and (folder / "data").is_dir():
            return folder
    raise UsageError(
        f"no project root ({PROJECT_MARKER} and data/) at or above {here}; set ${PROJECT_ROOT_ENV} "
        "or pass processed_dir"
    )


def processed_dir_for(raw_dir: Path, period: str, processed_root: Path | None = None) -> Path:
    """``data/processed/<source folder name>/<period>/`` (the default output folder of every stage)."""
    root = DATA_PROCESSED if processed_root is None else Path(processed_root)
    return root / Path(raw_dir).resolve().name / period


#: Files that only a processed *period* folder holds (written by ``clean`` and ``evaluate``).
PERIOD_FOLDER_FILES = ("quality.json", "evaluation.json")


def add_processed_argument(parser) -> None:
    """``--processed ROOT`` with one meaning for every command (the processed data root; the period folder
    is derived by :func:`processed_dir_for` and checked by :func:`check_processed_root`)."""
    parser.add_argument(
        "--processed",
        type=Path,
        default=DATA_PROCESSED,
        metavar="ROOT",
        help="processed data root: the period's tables are in ROOT/<source>/<period>/ (default data/processed/)",
    )


def check_processed_root(root: Path, raw_dir: Path) -> Path:
    """``root`` when it can be the processed data *root* of the option ``--processed`` (every command
    writes ``<root>/<source>/<period>/``), else a :class:`~analysis.core.errors.UsageError` saying what to
    pass instead: a period folder given by habit (its name is a period code, or it holds ``quality.json``
    or ``evaluation.json``) or the source's own folder (``<root>/<source>``, named like the data source and
    holding period folders) would give ``<period>/<source>/<period>/``.

    >>> check_processed_root(Path("out"), Path("data/raw/kota"))
    PosixPath('out')
    >>> check_processed_root(Path("out/kota/2025-TW2"), Path("data/raw/kota"))
    Traceback (most recent call last):
    ...
    analysis.core.errors.UsageError: --processed is the processed data root (the period folder is <root>/<source>/<period>/), not a period folder: pass --processed out (not out/kota/2025-TW2)
    """
    from analysis.core.errors import UsageError
    from analysis.core.periods import is_canonical

    root = Path(root)
    source = Path(raw_dir).resolve().name
    is_period_folder = is_canonical(root.name) or any((root / f).is_file() for f in PERIOD_FOLDER_FILES)
    if is_period_folder:
        parent = root.parent.parent if root.parent.name == source else root.parent
        raise UsageError(
            "--processed is the processed data root (the period folder is <root>/<source>/<period>/), "
            f"not a period folder: pass --processed {parent} (not {root})"
        )
    is_source_folder = root.name == source and any(
        is_canonical(child.name) and child.is_dir() for child in (root.iterdir() if root.is_dir() else ())
    )
    if is_source_folder:
        raise UsageError(
            "--processed is the processed data root (the period folder is <root>/<source>/<period>/), "
            f"not the source's folder: pass --processed {root.parent} (not {root})"
        )
    return root


def check_source_args(raw_dir: Path, period: str) -> tuple[Path, str]:
    """``(raw_dir, canonical period)`` for a command's ``--raw``/``--period``, or a
    :class:`~analysis.core.errors.UsageError` (exit 2, one line): missing folder, unknown period spelling."""
    from analysis.core.errors import UsageError
    from analysis.core.periods import PeriodError, parse_period

    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise UsageError(f"data source folder not found: {raw_dir}")
    try:
        return raw_dir, parse_period(period)
    except PeriodError as exc:
        raise UsageError(str(exc)) from None


def is_synthetic_source(raw_dir: Path) -> bool:
    """True when the data source folder is marked synthetic (holds a ``SYNTHETIC`` file)."""
    return (Path(raw_dir) / SYNTHETIC_MARKER).exists()


def load_yaml(text: str | bytes) -> object:
    """``yaml.safe_load(text)``, parsed by libyaml's ``CSafeLoader`` when PyYAML has it (about 8 × less
    CPU: the locale catalogues and ``config/*.yml`` are read by every process). The same
    ``SafeConstructor`` and resolver build the objects, so the result is the same; a document libyaml
    fails on is parsed again by the pure-Python loader, so the error raised (and its message, with the
    line and the caret) is ``safe_load``'s."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)  # noqa: S506 (CSafeLoader is the safe loader)
        except Exception:  # noqa: BLE001 (whatever libyaml raises, safe_load's error is the one raised)
            pass
    return yaml.safe_load(text)


def read_yaml(path: Path, what: str = "configuration file") -> tuple[object, bytes]:
    """Parse a YAML configuration file; return ``(data, raw bytes)`` (the bytes for a content hash).

    Errors are :class:`~analysis.core.errors.ConfigError` naming the file: ``<path>: cannot read the <what>: …``
    or ``<path>: not valid YAML: …`` (the CLI prints them on one line, exit 2).
    """
    import yaml

    from analysis.core.errors import ConfigError

    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from exc
    try:
        return load_yaml(raw), raw
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
