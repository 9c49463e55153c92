"""Compare two processed folders file by file: every file byte-identical, or say which differ.

    python bench/compare_processed.py OLD_ROOT NEW_ROOT

Ignored: ``*.lock`` files (they hold a process id) and ``inputs_sha256`` in ``evaluation.json`` (the hash
of the code, which differs between two versions of the code by design). A differing Parquet file is also
read back to say whether its frame is equal. Exit status 1 when anything differs.
"""

from __future__ import annotations

import filecmp
import json
import sys
from pathlib import Path

import pandas as pd


def _files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and p.suffix != ".lock")


def _without_code_hash(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("inputs_sha256", None)
    return data


def compare(old: Path, new: Path) -> list[str]:
    """One line per difference between the two folders (empty: identical)."""
    old_files, new_files = _files(old), _files(new)
    problems = [f"only in one folder: {p}" for p in sorted(set(old_files) ^ set(new_files))]
    for rel in sorted(set(old_files) & set(new_files)):
        if filecmp.cmp(old / rel, new / rel, shallow=False):
            continue
        if rel.name == "evaluation.json" and _without_code_hash(old / rel) == _without_code_hash(new / rel):
            continue
        note = ""
        if rel.suffix == ".parquet":
            note = f" (frames equal: {pd.read_parquet(old / rel).equals(pd.read_parquet(new / rel))})"
        problems.append(f"bytes differ: {rel}{note}")
    return problems


def main(argv: list[str]) -> int:
    old, new = Path(argv[0]), Path(argv[1])
    problems = compare(old, new)
    print("\n".join(problems))
    print(f"{len(_files(old))} files compared, {len(problems)} differ")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
