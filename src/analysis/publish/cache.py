"""Content-hash cache keys for incremental batch outputs (the RT scorecards).

An output is rebuilt only when its *key* changes. The key is a SHA-256 over three parts, all from content,
never from timestamps:

- **inputs**: the rows of the tables the output reads (:func:`group_digests` hashes every group of a table
  in one pass, e.g. one digest per ``rt_code``);
- **parameters**: the parameters the output is made with (:func:`digest_json`);
- **code**: :func:`code_digest` over the notebook, the package source (``*.py``), templates, CSS, label
  catalogues and data files shipped in the package, and the versions of the libraries that shape the output.

The cache itself is a small JSON file next to the outputs (:class:`CacheIndex`): per item its key and the
SHA-256 of each file it produced, so an item counts as unchanged only if its key is equal *and* its files
are still there with the recorded content.

>>> digest_json({"b": 1, "a": [1, 2]}) == digest_json({"a": [1, 2], "b": 1})
True
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the period run's nothing-changed check needs no pandas
    import numpy as np
    import pandas as pd

from analysis.core import config
from analysis.core.atomic import write_text_atomic

#: File kinds of the package that shape an output (source, templates, styles, labels, shipped data).
CODE_SUFFIXES = (".py", ".j2", ".css", ".json", ".yml", ".yaml", ".csv")

#: Libraries whose version changes what a scorecard looks like.
OUTPUT_LIBRARIES = (
    "pandas", "numpy", "pyarrow", "nbformat", "nbconvert", "papermill", "ipython", "jinja2", "weasyprint",
    "pydyf", "babel", "matplotlib",
)  # fmt: skip

CACHE_FORMAT_VERSION = 1


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``.

    >>> sha256_bytes(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def digest_json(value: Any) -> str:
    """SHA-256 of a JSON-serialisable value, independent of key order."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return sha256_bytes(text.encode("utf-8"))


def combine(parts: Iterable[str]) -> str:
    """One digest from an ordered sequence of digests (or any strings).

    >>> combine(["a", "b"]) != combine(["b", "a"])
    True
    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def frame_signature(df: pd.DataFrame) -> str:
    """The column names and dtypes of a frame, as text (part of every frame digest)."""
    return ";".join(f"{name}:{dtype}" for name, dtype in df.dtypes.items())


def _row_hashes(df: pd.DataFrame) -> np.ndarray:
    """One uint64 per row from the row's values (``pandas.util.hash_pandas_object``, fixed hash key)."""
    import numpy as np
    import pandas as pd

    if df.empty:
        return np.zeros(0, dtype="uint64")
    return pd.util.hash_pandas_object(df, index=False).to_numpy(dtype="uint64")


def frame_digest(df: pd.DataFrame) -> str:
    """SHA-256 of a frame's columns, dtypes and values, in row order (the index is ignored).

    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1.0, 2.0]})
    >>> frame_digest(a) == frame_digest(a.copy())
    True
    >>> frame_digest(a) == frame_digest(pd.DataFrame({"x": [1.0, 2.5]}))
    False
    """
    header = frame_signature(df).encode("utf-8")
    return sha256_bytes(header + b"\x00" + _row_hashes(df).tobytes())


def group_digests(df: pd.DataFrame, key: str, columns: Sequence[str] | None = None) -> dict[str, str]:
    """``{key value: digest of that group's rows}`` for every value of ``df[key]``, in one pass.

    Grain: one digest per distinct ``key`` value. ``columns`` (default: all) are the columns hashed; a
    group's digest equals :func:`frame_digest` of ``df[df[key] == value][columns]`` (rows in table order).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"rt": ["a", "b", "a"], "v": [1, 2, 3]})
    >>> d = group_digests(t, "rt")
    >>> d["a"] == frame_digest(t[t["rt"] == "a"])
    True
    """
    import numpy as np

    selected = df if columns is None else df[list(columns)]
    header = frame_signature(selected).encode("utf-8") + b"\x00"
    hashes = _row_hashes(selected)
    keys = df[key].astype("str").to_numpy()
    out: dict[str, str] = {}
    if len(keys) == 0:
        return out
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    boundaries = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    for start, stop in zip(np.r_[0, boundaries], np.r_[boundaries, len(keys)], strict=True):
        rows = order[start:stop]  # ascending positions: table order inside the group (stable sort)
        out[str(sorted_keys[start])] = sha256_bytes(header + hashes[rows].tobytes())
    return out


def library_versions(names: Sequence[str] = OUTPUT_LIBRARIES) -> dict[str, str]:
    """``{package: version}`` (``"not installed"`` when absent)."""
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def code_files(package_dir: Path = config.PACKAGE_DIR) -> list[Path]:
    """Files of the package that shape outputs (:data:`CODE_SUFFIXES`), sorted, without caches."""
    return sorted(
        p
        for p in Path(package_dir).rglob("*")
        if p.is_file() and p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts
    )


def code_digest(extra_files: Sequence[Path] = (), package_dir: Path = config.PACKAGE_DIR) -> str:
    """SHA-256 over the package's code files (relative path + content), ``extra_files`` (e.g. the
    notebook; content only, so the same notebook in another folder gives the same digest) and
    :func:`library_versions`."""
    parts = [f"{p.relative_to(package_dir).as_posix()}={sha256_file(p)}" for p in code_files(package_dir)]
    parts += [f"extra={sha256_file(Path(p))}" for p in extra_files]
    parts.append(digest_json(library_versions()))
    return combine(parts)


@dataclass
class CacheEntry:
    """What the cache remembers of one item: its key, its files (name → SHA-256), when and by which run."""

    key: str
    files: dict[str, str]
    run_id: str = ""
    built_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CacheIndex:
    """The cache of one output folder: ``{item: CacheEntry}`` stored as JSON (``cache.json``)."""

    entries: dict[str, CacheEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> CacheIndex:
        """Read ``path``; a missing file is an empty cache. A file of another format version is ignored
        (everything is rebuilt) rather than misread; a corrupt file raises ``ValueError`` naming it."""
        path = Path(path)
        if not path.is_file():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{path}: not a valid cache file ({exc}); delete it to rebuild everything"
            ) from exc
        if not isinstance(raw, dict) or raw.get("version") != CACHE_FORMAT_VERSION:
            return cls()
        entries = {}
        for item, value in raw.get("entries", {}).items():
            entries[item] = CacheEntry(
                key=value["key"],
                files=dict(value["files"]),
                run_id=value.get("run_id", ""),
                built_at=value.get("built_at", ""),
                extra=dict(value.get("extra", {})),
            )
        return cls(entries)

    def save(self, path: Path) -> Path:
        data = {
            "version": CACHE_FORMAT_VERSION,
            "entries": {
                item: {
                    "key": e.key,
                    "files": dict(sorted(e.files.items())),
                    "run_id": e.run_id,
                    "built_at": e.built_at,
                    "extra": e.extra,
                }
                for item, e in sorted(self.entries.items())
            },
        }
        return write_text_atomic(Path(path), json.dumps(data, indent=1, ensure_ascii=False) + "\n")

    def is_fresh(self, item: str, key: str, folder: Path) -> bool:
        """True when ``item`` was built with ``key`` and each of its files is in ``folder`` unchanged."""
        entry = self.entries.get(item)
        if entry is None or entry.key != key or not entry.files:
            return False
        for name, digest in entry.files.items():
            path = Path(folder) / name
            if not path.is_file() or sha256_file(path) != digest:
                return False
        return True


def file_digests(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """``{name: sha256}`` for files ``names`` (relative to ``folder``)."""
    return {name: sha256_file(Path(folder) / name) for name in names}


def merge_keys(parts: Mapping[str, str]) -> str:
    """One key from named parts (order of names does not matter).

    >>> merge_keys({"code": "1", "inputs": "2"}) == merge_keys({"inputs": "2", "code": "1"})
    True
    """
    return combine(f"{name}={value}" for name, value in sorted(parts.items()))
