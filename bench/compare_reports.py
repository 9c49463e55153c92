"""Compare two reports roots period by period: the same files, the same content but for what differs
between any two runs by design.

    python bench/compare_reports.py OLD_REPORTS NEW_REPORTS [--period P ...]

``OLD_REPORTS``/``NEW_REPORTS`` are ``--out`` folders (``<root>/<source>/<period>/``). Per period: the same
file names; HTML and notebooks equal once normalised (the run id, the generation time, the roots of the
two runs' folders, the random ids itables gives its tables, papermill's per-cell timings and the kernel's
execution metadata, the random id of papermill's injected cell, object addresses in ``repr``s, widget model ids); the PDF's text equal (``pdftotext``, normalised the same way); the manifest's
``stages``, ``stage_keys`` (but the notebooks key, which covers the folders' paths), the ``processed`` file names and hashes, ``inputs``, ``preparation`` (but the
timings) and the names of ``outputs`` equal. Exit status 1 when anything differs (one line each).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")
ITABLES = re.compile(r"itables_[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?")
SHOWN_TIME = re.compile(r"\d{1,2} \w+ \d{4},? \d{2}[.:]\d{2} (WIB|UTC)")
ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
WIDGET = re.compile(r'"model_id": "[0-9a-f]{32}"')


def normalise(text: str, roots: list[str]) -> str:
    for root in roots:
        text = text.replace(root, "<ROOT>")
    text = RUN_ID.sub("<RUN>", text)
    text = ITABLES.sub("itables_<ID>", text)
    text = ISO_TIME.sub("<TIME>", text)
    text = ADDRESS.sub(" at 0x<ADDRESS>>", text)
    text = WIDGET.sub('"model_id": "<WIDGET>"', text)
    return SHOWN_TIME.sub("<SHOWN TIME>", text)


def _notebook(path: Path, roots: list[str]) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.get("metadata", {}).pop("papermill", None)
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.pop("id", None)  # papermill's injected cell gets a random id
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    return normalise(json.dumps(nb, sort_keys=True, indent=1), roots)


def _pdf_text(path: Path, roots: list[str]) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return normalise(out.stdout, roots)


def _manifest(path: Path, roots: list[str]) -> dict:
    m = json.loads(path.read_text(encoding="utf-8"))
    preparation = {k: v for k, v in (m.get("preparation") or {}).items() if k != "timings"}
    keep = {
        "stages": m.get("stages"),
        "stage_keys": {k: v for k, v in (m.get("stage_keys") or {}).items() if k != "notebooks"},
        "processed": m.get("processed"),
        "inputs": m.get("inputs"),
        "notebooks": m.get("notebooks"),
        "preparation": preparation,
        "outputs": sorted(m.get("outputs") or {}),
        "run_matrix": m.get("run_matrix"),
    }
    return json.loads(normalise(json.dumps(keep, sort_keys=True), roots))


def _run_roots(folder: Path) -> list[str]:
    """The folder a report's run wrote into as its manifest says (``--out``'s parent), which may differ
    from where the report is now (copied)."""
    try:
        out_root = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["parameters"][
            "out_root"
        ]
    except (OSError, ValueError, KeyError):
        return []
    return [str(Path(out_root).parent)]


def compare_period(old: Path, new: Path, roots: list[str]) -> list[str]:
    roots = sorted({*roots, *_run_roots(old), *_run_roots(new)}, key=len, reverse=True)
    problems = []
    old_files = sorted(p.name for p in old.iterdir() if p.is_file())
    new_files = sorted(p.name for p in new.iterdir() if p.is_file())
    if old_files != new_files:
        problems.append(f"{new}: files differ: {sorted(set(old_files) ^ set(new_files))}")
    for name in sorted(set(old_files) & set(new_files)):
        a, b = old / name, new / name
        if name.endswith(".html"):
            same = normalise(a.read_text(encoding="utf-8"), roots) == normalise(
                b.read_text(encoding="utf-8"), roots
            )
        elif name.endswith(".ipynb"):
            same = _notebook(a, roots) == _notebook(b, roots)
        elif name.endswith(".pdf"):
            same = shutil.which("pdftotext") is None or _pdf_text(a, roots) == _pdf_text(b, roots)
        elif name == "manifest.json":
            ma, mb = _manifest(a, roots), _manifest(b, roots)
            same = ma == mb
            if not same:
                name += " (" + ", ".join(k for k in ma if ma[k] != mb.get(k)) + ")"
        else:
            same = a.read_bytes() == b.read_bytes()
        if not same:
            problems.append(f"{new.name}/{name} differs")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description="Compare two reports roots (see the docstring).")
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--period", action="append", default=None)
    args = parser.parse_args()
    roots = sorted({str(p.resolve().parent) for p in (args.old, args.new)}, key=len, reverse=True)
    problems, compared = [], 0
    for source in sorted(p for p in args.old.iterdir() if p.is_dir()):
        for folder in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if args.period and folder.name not in args.period:
                continue
            other = args.new / source.name / folder.name
            if not other.is_dir():
                problems.append(f"{other}: missing")
                continue
            problems += compare_period(folder, other, roots)
            compared += 1
    for line in problems:
        print(line)
    print(f"{compared} period(s) compared, {len(problems)} difference(s)")
    return 1 if problems or not compared else 0


if __name__ == "__main__":
    sys.exit(main())
