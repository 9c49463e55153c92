"""Every file of a data source accounted for: read for the period, another period's input, or skipped with
a reason (issue 11).

Grain: one :class:`SourceInventory` per data source and period. ``inputs`` are the files the cleaner reads,
in the order of ``contract.TEMPLATES`` (each reference file, found or not, then the period's files of each
per-period template, sorted by name); ``skipped`` lists every other entry of the source with a reason
(:data:`SKIP_REASONS`), except what is clearly not an input, which is left alone in silence:

- files of another period (``laporan_rt_2026-TW2.xlsx`` when cleaning 2026-TW3): counted in
  ``other_periods``, not listed (they are that period's inputs and listed when it runs);
- ``README*`` files anywhere, the ``SYNTHETIC`` marker, and top-level folders whose name starts with ``_``
  (a source's own working folders, like the sample's ``_generator/``).

Per-period file names follow :func:`analysis.core.periods.period_from_filename` (generous: ``_``, ``-`` or
spaces, any case, any period spelling, a free part after the period). A file or folder that is a symbolic
link resolving outside the data source is never followed (``link_outside``); links inside are read.
Reference files (``referensi/program.csv`` ...) take the contract's name, or the same name in another case or
another readable format (``rt.ods``, ``RT.xlsx``); a reference file that is such a link is passed on, and
:func:`analysis.ingest.readers.read_file` refuses it as a file-level error (the reference is required).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.errors import UsageError
from analysis.core.periods import PeriodError, period_from_filename, period_info, sort_key
from analysis.ingest.contract import TEMPLATES, Template

__all__ = [
    "CSV_SUFFIXES",
    "NEVER_DATA",
    "READABLE_SUFFIXES",
    "SKIP_REASONS",
    "SkippedFile",
    "SourceInventory",
    "check_data_source",
    "is_expected",
    "is_outside_link",
    "reference_candidates",
    "scan_source",
    "source_periods",
]

#: File suffixes read as delimited text; anything else readable is a workbook.
CSV_SUFFIXES = (".csv", ".txt")
#: Every suffix a data source file may have (the readers' formats).
READABLE_SUFFIXES = (*CSV_SUFFIXES, ".xlsx", ".xlsm", ".xls", ".ods")

#: Why a file of the data source is not read (``quality.json`` ``skipped_files[].reason_code``).
SKIP_REASONS: dict[str, str] = {
    "lock_file": "an Excel (~$...) or LibreOffice (.~lock...) lock file, left while the file is open",
    "hidden_file": "a hidden file (name starting with '.')",
    "not_readable_format": "named for the period but not in a readable format (.xlsx, .xlsm, .xls, .ods, .csv, .txt)",
    "name_not_matching": "a name that does not follow the template's <prefix>_<periode>... rule",
    "period_unclear": "a name whose period is mistyped or that names two periods",
    "subfolder": "a folder inside a template folder (files are read only directly in the template folder)",
    "not_in_contract_folder": "a file or folder outside the contract's folders",
    "unknown_reference": "a file in referensi/ that is not one of the contract's reference files",
    "reference_copy": "another copy of a reference file (another case or format); one is read",
    "not_regular_file": "not a regular file (a broken link, a pipe, a device)",
    "link_outside": "a symbolic link that leads outside the data folder (never followed)",
}
#: Skip reasons that are never an input someone sent (``--strict`` does not fail on them).
NEVER_DATA = ("lock_file", "hidden_file")

#: Per-period inputs every period should have, from this period on (``no_period_files`` when absent):
#: agency reports from the first 100 days; RT reports from 2025-TW3, when the 2025 pilot RTs start
#: reporting (docs/architecture.md, "Kampung Bahagia funding year"). The residents' survey is optional.
EXPECTED_FROM: dict[str, str] = {"realisasi": "100-hari", "laporan_rt": "2025-TW3"}


@dataclass(frozen=True)
class SkippedFile:
    """A file (or a folder, its path ending in ``/``) of the data source that is not read, and why."""

    path: str  # relative to the data source, "/" separators
    reason_code: str  # a key of SKIP_REASONS
    reason: str  # one line in English

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason_code": self.reason_code, "reason": self.reason}


@dataclass
class SourceInventory:
    """What a data source holds for one period (see the module docstring)."""

    root: Path
    period: str
    inputs: list[tuple[Template, Path]] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    other_periods: int = 0

    def files_of(self, template: Template) -> list[Path]:
        return [p for t, p in self.inputs if t.key == template.key]


def is_expected(template: Template, period: str) -> bool:
    """True when every ``period`` should have a file of ``template`` (:data:`EXPECTED_FROM`).

    >>> is_expected(TEMPLATES_BY_FOLDER["kampung_bahagia"], "2025-TW2"), is_expected(TEMPLATES_BY_FOLDER["kampung_bahagia"], "2025")
    (False, True)
    """
    first = EXPECTED_FROM.get(template.key)
    return first is not None and period_info(period).end >= period_info(first).end


#: The per-period template of each folder (one per folder: a file can match one template only).
TEMPLATES_BY_FOLDER: dict[str, Template] = {t.folder: t for t in TEMPLATES if t.per_period}
if len(TEMPLATES_BY_FOLDER) != sum(1 for t in TEMPLATES if t.per_period):  # pragma: no cover
    raise ValueError("two per-period templates share a folder: a file could match both")
REFERENCE_TEMPLATES = tuple(t for t in TEMPLATES if not t.per_period)
CONTRACT_FOLDERS = tuple(dict.fromkeys(t.folder for t in TEMPLATES))


def check_data_source(raw_dir: Path) -> None:
    """Raise :class:`~analysis.core.errors.UsageError` when ``raw_dir`` holds none of the contract's folders
    (``referensi/``, ``realisasi/``, ``kampung_bahagia/``, ``survei/``): it is not a data source."""
    if not any((Path(raw_dir) / folder).is_dir() for folder in CONTRACT_FOLDERS):
        expected = ", ".join(f"{f}/" for f in CONTRACT_FOLDERS)
        raise UsageError(f"not a data source: {raw_dir} holds none of {expected} (docs/data_contract.md)")


def is_outside_link(path: Path, root: Path) -> bool:
    """True when ``path`` (inside ``root`` as written) resolves outside ``root``: a link that leaves it."""
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return True
    return False


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() + ("/" if path.is_dir() and not path.is_symlink() else "")


def _silent(name: str) -> bool:
    return name.lower().startswith("readme")


def _skip_common(path: Path, root: Path, rel: str) -> SkippedFile | None:
    """The reasons that apply to any entry: lock files, hidden files, links outside, odd file types."""
    name = path.name
    if name.startswith("~$"):
        return SkippedFile(rel, "lock_file", "Excel lock file (left while the workbook is open): not read")
    if name.startswith(".~lock"):
        return SkippedFile(rel, "lock_file", "LibreOffice lock file (left while the file is open): not read")
    if name.startswith("."):
        return SkippedFile(rel, "hidden_file", "hidden file: not read")
    if path.is_symlink() and is_outside_link(path, root):
        return SkippedFile(rel, "link_outside", "link outside the data folder: not followed")
    if not path.is_dir() and not path.is_file():
        return SkippedFile(rel, "not_regular_file", "not a regular file (a broken link, a pipe or a device)")
    return None


def _prefix_owner(name: str) -> Template | None:
    """The per-period template whose prefix ``name`` starts with (for a hint), if any."""
    for t in TEMPLATES_BY_FOLDER.values():
        try:
            if period_from_filename(name, t.file_prefix) is not None:
                return t
        except PeriodError:
            return t
    return None


def _scan_period_folder(inv: SourceInventory, folder: Path, template: Template) -> None:
    root = inv.root
    found: list[Path] = []
    for path in sorted(folder.iterdir()):
        rel = _rel(path, root)
        if _silent(path.name):
            continue
        skip = _skip_common(path, root, rel)
        if skip is None and path.is_dir():
            skip = SkippedFile(
                rel, "subfolder", f"a folder inside {template.folder}/: files are read only directly in it"
            )
        if skip is not None:
            inv.skipped.append(skip)
            continue
        try:
            period = period_from_filename(path.name, template.file_prefix)
        except PeriodError as exc:
            inv.skipped.append(SkippedFile(rel, "period_unclear", str(exc).removeprefix(f"{path.name}: ")))
            continue
        if period is None:
            owner = _prefix_owner(path.name)
            hint = f" (a {owner.file_prefix} file belongs in {owner.folder}/)" if owner else ""
            inv.skipped.append(
                SkippedFile(
                    rel, "name_not_matching", f"name does not follow {template.file_prefix}_<periode>…{hint}"
                )
            )
        elif period != inv.period:
            inv.other_periods += 1
        elif path.suffix.lower() not in READABLE_SUFFIXES:
            inv.skipped.append(
                SkippedFile(
                    rel,
                    "not_readable_format",
                    f"not a readable format ({path.suffix or 'no extension'}; readable: "
                    f"{', '.join(READABLE_SUFFIXES)})",
                )
            )
        else:
            found.append(path)
    inv.inputs.extend((template, p) for p in found)


def reference_candidates(folder: Path, template: Template) -> list[Path]:
    """Files of ``folder`` named as the reference file, in any case and readable format; the contract's
    exact name first, then its suffix, then the order of READABLE_SUFFIXES."""
    name = str(template.file_name)
    stem, suffix = Path(name).stem.lower(), Path(name).suffix.lower()
    found = [
        p
        for p in folder.iterdir()
        if p.stem.lower() == stem and p.suffix.lower() in READABLE_SUFFIXES and not p.is_dir()
    ]
    order = {s: i for i, s in enumerate(READABLE_SUFFIXES)}
    return sorted(
        found, key=lambda p: (p.name != name, p.suffix.lower() != suffix, order[p.suffix.lower()], p.name)
    )


def _scan_reference_folder(inv: SourceInventory, folder: Path) -> dict[str, Path]:
    chosen: dict[str, Path] = {}
    claimed: dict[Path, str] = {}
    for t in REFERENCE_TEMPLATES:
        candidates = reference_candidates(folder, t)
        if candidates:
            chosen[t.key] = candidates[0]
            for other in candidates[1:]:
                claimed[other] = f"another copy of {t.folder}/{t.file_name}: {candidates[0].name} is read"
    names = ", ".join(str(t.file_name) for t in REFERENCE_TEMPLATES)
    for path in sorted(folder.iterdir()):
        if path in chosen.values() or _silent(path.name):
            continue
        rel = _rel(path, inv.root)
        skip = _skip_common(path, inv.root, rel)
        if skip is None and path in claimed:
            skip = SkippedFile(rel, "reference_copy", claimed[path])
        if skip is None:
            skip = SkippedFile(rel, "unknown_reference", f"not a reference file of the contract ({names})")
        inv.skipped.append(skip)
    return chosen


def _top_level_hint(path: Path) -> str:
    name = path.name
    if path.is_dir():
        squeezed = name.lower().replace(" ", "_").replace("-", "_")
        near = [f for f in CONTRACT_FOLDERS if f == squeezed]
        return f" (did you mean {near[0]}/?)" if near else ""
    owner = _prefix_owner(name)
    return f" (a {owner.file_prefix} file belongs in {owner.folder}/)" if owner else ""


def scan_source(raw_dir: Path, period: str) -> SourceInventory:
    """The :class:`SourceInventory` of ``raw_dir`` for the canonical ``period`` (see the module docstring)."""
    root = Path(raw_dir)
    inv = SourceInventory(root=root, period=period)
    references: dict[str, Path] = {}
    usable: set[str] = set()
    for folder in CONTRACT_FOLDERS:
        path = root / folder
        if not (path.exists() or path.is_symlink()):
            continue
        skip = _skip_common(path, root, _rel(path, root))
        if skip is None and not path.is_dir():
            skip = SkippedFile(_rel(path, root), "not_in_contract_folder", f"{folder} should be a folder")
        if skip is not None:
            inv.skipped.append(skip)
            continue
        usable.add(folder)
    if "referensi" in usable:
        references = _scan_reference_folder(inv, root / "referensi")
    for t in REFERENCE_TEMPLATES:
        inv.inputs.append((t, references.get(t.key, root / t.folder / str(t.file_name))))
    for folder, template in TEMPLATES_BY_FOLDER.items():
        if folder in usable:
            _scan_period_folder(inv, root / folder, template)
    if root.is_dir():
        for path in sorted(root.iterdir()):
            name = path.name
            if name in CONTRACT_FOLDERS or name == "SYNTHETIC" or _silent(name):
                continue
            if name.startswith("_") and path.is_dir() and not path.is_symlink():
                continue
            rel = _rel(path, root)
            skip = _skip_common(path, root, rel)
            if skip is None:
                where = ", ".join(f"{f}/" for f in CONTRACT_FOLDERS)
                what = "a folder" if path.is_dir() else "a file at the top of the data source"
                skip = SkippedFile(
                    rel, "not_in_contract_folder", f"{what}, not in {where}: not read{_top_level_hint(path)}"
                )
            inv.skipped.append(skip)
    inv.skipped.sort(key=lambda s: s.path)
    return inv


def source_periods(raw_dir: Path | str) -> list[str]:
    """Periods that have at least one period file in the data source ``raw_dir``, oldest first
    (``analysis.core.periods.sort_key``)."""
    found: set[str] = set()
    for template in TEMPLATES:
        folder = Path(raw_dir) / template.folder
        if not template.per_period or not folder.is_dir():
            continue
        for path in folder.iterdir():
            try:
                period = period_from_filename(path.name, template.file_prefix) if path.is_file() else None
            except PeriodError:
                continue
            if period:
                found.add(period)
    return sorted(found, key=sort_key)
