"""Check a published report folder against its manifest: ``python -m analysis verify REPORT_DIR``.

A briefing forwarded by e-mail, or a report folder copied elsewhere, can be checked against what the run
published. ``manifest.json`` (written by ``analysis.publish.runner.release.write_manifest``; fields in
``reports/README.md``) holds the SHA-256 of every output, of every input file and of the notebooks, the git
commit, a digest of the package's code and the package versions. This command recomputes them:

1. **outputs**: every file listed must be in the folder with the same SHA-256 (else ``changed`` or
   ``missing``); a file in the folder that the manifest does not list is ``extra`` (the sub-folders that
   other commands write into a report, ``scorecards/``, are not part of the run and are skipped);
2. **inputs**: every input still present in the data folder (the manifest's ``raw_dir``, or ``--raw``) must
   have the same SHA-256; an input the run would read today but the manifest does not list is ``added``;
   inputs no longer there are counted, not failed (a data folder may be archived or moved);
3. **code**: the git commit, the package's code digest, the notebooks and the package versions, each
   difference on its own line. It fails the check unless ``--ignore-code`` (then it is only reported).

One line per difference, then ``OK: N outputs, M inputs verified`` (exit 0) or ``FAILED: …`` (exit 1). A
folder without a manifest, or an unreadable one, is a usage error (exit 2).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from analysis.core.errors import UsageError
from analysis.publish.cache import sha256_file
from analysis.publish.runner.release import (
    KEPT_SUBFOLDERS,
    git_state,
    input_files,
    package_digest,
    package_versions,
)

MANIFEST_FILE = "manifest.json"

#: Files that only a scorecards folder (``python -m analysis scorecards``) holds.
SCORECARD_FILES = ("cache.json", "summary.json")

#: Keys every manifest has (the run's own record; older manifests lack ``code_digest``).
REQUIRED_KEYS = ("parameters", "inputs", "outputs")


@dataclass(frozen=True)
class Difference:
    """One file or piece of code that is not as the manifest says.

    ``kind``: ``changed``, ``missing``, ``extra`` (output) / ``added`` (input) or ``code``; ``what``:
    ``output``, ``input``, ``notebook`` or ``code``.
    """

    kind: str
    what: str
    name: str
    detail: str = ""

    def line(self, ignore_code: bool = False) -> str:
        label = "code (ignored)" if self.kind == "code" and ignore_code else self.kind
        return f"{label}: {self.name}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class Verification:
    """What :func:`verify_report` found."""

    report_dir: Path
    raw_dir: Path
    outputs: int = 0
    inputs_checked: int = 0
    inputs_absent: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def failures(self, ignore_code: bool = False) -> list[Difference]:
        return [d for d in self.differences if not (ignore_code and d.kind == "code")]

    def lines(self, ignore_code: bool = False) -> list[str]:
        """The printed result: one line per difference and note, then ``OK: …`` or ``FAILED: …``."""
        out = [d.line(ignore_code) for d in self.differences]
        out += self.notes
        if self.inputs_absent:
            out.append(
                f"note: {len(self.inputs_absent)} input(s) of the manifest are no longer in {self.raw_dir} "
                f"and were not checked (e.g. {self.inputs_absent[0]}); --raw DIR points elsewhere"
            )
        counted = f"{self.outputs} outputs, {self.inputs_checked} inputs"
        failures = self.failures(ignore_code)
        if failures:
            out.append(f"FAILED: {len(failures)} difference(s); {counted} checked in {self.report_dir}")
        else:
            out.append(f"OK: {counted} verified")
        return out


def compare_files(
    expected: dict[str, str], folder: Path, what: str
) -> tuple[int, list[Difference], list[str]]:
    """Compare ``{relative path: SHA-256}`` with the files under ``folder``.

    Returns ``(files checked, differences, names absent)``: a file whose SHA-256 differs is ``changed``;
    an absent one is returned in ``names absent`` (the caller decides whether that is ``missing``).
    """
    checked, differences, absent = 0, [], []
    for name, digest in sorted(expected.items()):
        path = folder / _safe_relative(name)
        if not path.is_file():
            absent.append(name)
            continue
        checked += 1
        actual = sha256_file(path)
        if actual != digest:
            differences.append(
                Difference(
                    "changed",
                    what,
                    name,
                    f"{what} in {folder}; SHA-256 {digest[:12]}… in the manifest, {actual[:12]}… now",
                )
            )
    return checked, differences, absent


def _safe_relative(name: str) -> PurePosixPath:
    """A manifest path as a relative path inside its folder; an absolute one or one with ``..`` is refused."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise UsageError(f"manifest lists a path outside its folder: {name!r}")
    return path


def read_manifest(report_dir: Path) -> dict[str, Any]:
    """The manifest of a report folder, or a UsageError (exit 2) saying why there is none to check."""
    report_dir = Path(report_dir)
    if not report_dir.is_dir():
        raise UsageError(f"report folder not found: {report_dir}")
    path = report_dir / MANIFEST_FILE
    if not path.is_file():
        if all((report_dir / name).is_file() for name in SCORECARD_FILES):
            raise UsageError(
                f"{report_dir} is a scorecards folder, which has no manifest.json: verify is not supported "
                "for scorecards yet; verify the period's report folder (reports/<source>/<period>/)"
            )
        raise UsageError(
            f"no {MANIFEST_FILE} in {report_dir}: not a report folder of `python -m analysis run` "
            "(reports/<source>/<period>/)"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a valid manifest ({exc})") from None
    if not isinstance(manifest, dict) or not all(isinstance(manifest.get(k), dict) for k in REQUIRED_KEYS):
        raise UsageError(f"{path}: not a valid manifest (needs the sections {', '.join(REQUIRED_KEYS)})")
    return manifest


def _folder_files(report_dir: Path) -> list[str]:
    """Every file of the report folder as a relative path, without the manifest and the kept sub-folders."""
    names = []
    for path in sorted(report_dir.rglob("*")):
        rel = path.relative_to(report_dir)
        if rel.parts[0] in KEPT_SUBFOLDERS or rel.as_posix() == MANIFEST_FILE:
            continue
        if path.is_file() or path.is_symlink():
            names.append(rel.as_posix())
    return names


def code_differences(
    manifest: dict[str, Any], notebooks_dir: Path | None
) -> tuple[list[Difference], list[str]]:
    """The manifest's code against the installed code: git commit, package digest, notebooks, versions."""
    differences: list[Difference] = []
    notes: list[str] = []
    recorded_git = manifest.get("git") or {}
    current_git = git_state()
    commit, now = recorded_git.get("commit", "unknown"), current_git.get("commit", "unknown")
    if "unknown" in (commit, now):
        notes.append(f"note: git commit not compared ({commit} in the manifest, {now} installed)")
    elif commit != now:
        differences.append(
            Difference("code", "code", "git commit", f"{commit[:12]} in the manifest, {now[:12]} installed")
        )
    digest = manifest.get("code_digest")
    if digest is None:
        notes.append(
            "note: the manifest has no code digest (written before verify existed); code files not compared"
        )
    elif digest != package_digest():
        differences.append(
            Difference(
                "code", "code", "analysis package", "its code files differ from those that made the report"
            )
        )
    notebooks = manifest.get("notebooks") or {}
    if notebooks and notebooks_dir is not None:
        _, changed, absent = compare_files(notebooks, notebooks_dir, "notebook")
        differences += [Difference("code", "notebook", d.name, d.detail) for d in changed]
        differences += [Difference("code", "notebook", name, f"not in {notebooks_dir}") for name in absent]
    recorded_versions = manifest.get("packages") or {}
    current_versions = package_versions(tuple(k for k in recorded_versions if k != "python"))
    changed_versions = [
        f"{name} {version} → {current_versions.get(name)}"
        for name, version in recorded_versions.items()
        if name in current_versions and current_versions[name] != version
    ]
    if changed_versions:
        differences.append(Difference("code", "code", "package versions", ", ".join(changed_versions)))
    return differences, notes


def verify_report(report_dir: Path, raw_dir: Path | None = None) -> Verification:
    """Compare a report folder with its ``manifest.json`` (module docstring); nothing is written."""
    report_dir = Path(report_dir)
    manifest = read_manifest(report_dir)
    parameters = manifest["parameters"]
    raw = Path(raw_dir if raw_dir is not None else parameters.get("raw_dir", ""))
    result = Verification(report_dir=report_dir, raw_dir=raw)

    outputs = manifest["outputs"]
    result.outputs, changed, absent = compare_files(outputs, report_dir, "output")
    result.differences += changed
    result.differences += [
        Difference("missing", "output", name, "output listed in the manifest") for name in absent
    ]
    result.differences += [
        Difference("extra", "output", name, "in the report folder, not in the manifest")
        for name in _folder_files(report_dir)
        if name not in outputs
    ]

    inputs = manifest["inputs"]
    if raw_dir is not None and not raw.is_dir():
        raise UsageError(f"data folder not found: {raw}")
    result.inputs_checked, changed, result.inputs_absent = compare_files(inputs, raw, "input")
    result.differences += changed
    period = parameters.get("period")
    if raw.is_dir() and period:
        for path in input_files(raw, period):
            name = path.relative_to(raw).as_posix()
            if name not in inputs:
                result.differences.append(
                    Difference("added", "input", name, f"input in {raw} that the run did not read")
                )
    elif not raw.is_dir():
        result.notes.append(
            f"note: data folder {raw} not found; inputs not checked (--raw DIR points elsewhere)"
        )
        result.inputs_absent = []

    notebooks_dir = parameters.get("notebooks_dir")
    differences, notes = code_differences(manifest, Path(notebooks_dir) if notebooks_dir else None)
    result.differences += differences
    result.notes += notes
    return result


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "report_dir",
        type=Path,
        metavar="REPORT_DIR",
        help="a published report folder, e.g. reports/sample/2025-TW4",
    )
    parser.add_argument(
        "--raw",
        type=Path,
        default=None,
        help="data source folder holding the inputs (default: the raw_dir recorded in the manifest)",
    )
    parser.add_argument(
        "--ignore-code",
        action="store_true",
        help="report a difference in the code (git commit, package, notebooks, versions) without failing",
    )


def main(args: argparse.Namespace) -> int:
    """``python -m analysis verify``: 0 when everything matches, 1 on any difference, 2 without a manifest."""
    result = verify_report(args.report_dir, args.raw)
    print("\n".join(result.lines(args.ignore_code)))
    return 1 if result.failures(args.ignore_code) else 0


if __name__ == "__main__":  # pragma: no cover
    import sys

    from analysis.cli import main as cli_main

    sys.exit(cli_main(["verify", *sys.argv[1:]]))
