"""Charts drawn once for the notebooks of a period: a disk cache of their SVGs keyed by the chart's inputs.

The briefing (04) and the analysts' notebooks 02 and 03 draw six of the same charts from the same tables
(capaian bars, serapan scatter, the two trend small multiples, the heat map, the rank intervals); a
period run executes them at the same time on two workers, the naive chain one after the other. A notebook
shows such a chart with :meth:`ChartCache.show` (``chart_cache.show(charts.achievement_chart, programs,
lang)``) instead of ``charts.show(charts.achievement_chart(programs, lang))``: whichever notebook draws it
first stores its SVGs (the page's and the phone's), its alt text and whether it was empty, and the others
display those bytes instead of building and saving the figure again (the same display bundle,
:func:`analysis.publish.charts.display_svg`, tested).

The key (:meth:`ChartCache.key`) is a SHA-256 over, all from content:

- the chart function's name and every argument: a table by its columns, dtypes (a categorical's categories),
  index and values (``pandas.util.hash_pandas_object``; in an object column also each value's type,
  which that hash ignores: ``1`` and ``"1"`` hash alike) and ``attrs``; a mapping, sequence or plain value
  by its content; anything else is a ``TypeError`` (never a key that misses a part of the input);
- the code: :func:`analysis.publish.cache.code_digest` (every file of the package, the label catalogues
  included, and the versions of the libraries that shape an output, matplotlib among them) and
  matplotlib's ``rcParams`` (a notebook that changes them gets charts of its own).

While one process draws a chart it holds a claim (``<entry>.drawing``, created exclusively, naming its
owner); another process that needs the same chart meanwhile waits for the entry (at most
:data:`WAIT_S`) instead of drawing it a second time, so the two workers of a run do not both draw a
chart the briefing's worker has started. A claim whose process is gone, or older than
:data:`CLAIM_STALE_S`, is taken over.

The cache is the folder ``.chart-cache`` beside the period folders (``<processed root>/<source>/``; not
inside a period's folder, whose files the manifest lists and ``stages.json`` hashes). Entries are
written atomically (:func:`analysis.core.atomic.write_text_atomic`); opening a cache removes the entries
of other code not used for :data:`OTHER_CODE_AFTER_S` and any entry not used for :data:`UNUSED_AFTER_S`.
A cache that cannot be written (a read-only data share) is logged and the chart shown all the same.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.atomic import owner_is_gone, owner_tag, remove_stale, write_text_atomic
from analysis.publish import cache, charts

log = logging.getLogger(__name__)

#: Name of the cache folder, beside the period folders of a source.
FOLDER_NAME = ".chart-cache"
#: Bumped when an entry's layout changes (entries of another version are never read: the key includes it).
ENTRY_FORMAT = "chart-cache-1"
#: Longest wait for a chart another process is drawing (then this process draws it too).
WAIT_S = 30.0
#: Poll interval while waiting for another process's chart.
POLL_S = 0.01
#: A claim older than this is taken over whatever its owner (no chart takes a minute to draw).
CLAIM_STALE_S = 60.0
#: Entries of other code (another commit, edited charts) are removed once unused this long (a run of
#: that code in progress keeps its entries).
OTHER_CODE_AFTER_S = 3600.0
#: Any entry not used this long is removed.
UNUSED_AFTER_S = 30 * 24 * 3600.0


@dataclass(frozen=True)
class CachedChart:
    """What a notebook shows of a chart: the page's SVG, the phone layout's (or ``None``), the alt text,
    and whether the chart had no data (``charts.show(..., skip_empty=True)`` leaves it out)."""

    svg: str
    phone_svg: str | None
    alt: str
    is_empty: bool

    @classmethod
    def of(cls, fig) -> CachedChart:
        """The SVGs and texts of a figure made by a function of :mod:`analysis.publish.charts`."""
        svg = charts.figure_svg(fig)  # then the phone layout, in the order of charts.show
        phone = charts.phone_layout(fig)
        return cls(
            svg=svg,
            phone_svg=None if phone is None else charts.figure_svg(phone),
            alt=charts.alt_text(fig),
            is_empty=charts.is_empty(fig),
        )


def _table_digest(value: pd.DataFrame | pd.Series) -> str:
    """A table's (or series's) content: columns, dtypes, index, values and ``attrs``."""
    frame = value.to_frame() if isinstance(value, pd.Series) else value
    header = [
        type(value).__name__,
        repr(getattr(value, "name", None)),
        repr(list(frame.columns)),
        repr([repr(dtype) for dtype in frame.dtypes]),
        repr(list(frame.index.names)),
        repr(frame.index.dtype),
        cache.digest_json(value.attrs),
    ]
    # pandas hashes an object column of mixed types as text (1 and "1" alike): their types are keyed too
    kinds = [
        cache.digest_json([type(v).__name__ for v in frame.iloc[:, i].tolist()])
        for i, dtype in enumerate(frame.dtypes)
        if pd.api.types.is_object_dtype(dtype)
    ]
    rows = pd.util.hash_pandas_object(frame, index=True).to_numpy(dtype="uint64") if len(frame) else None
    return cache.combine([*header, *kinds, cache.sha256_bytes(b"" if rows is None else rows.tobytes())])


def value_digest(value: Any) -> str:
    """The content of a chart's argument as a digest: tables, mappings, sequences and plain values.

    >>> value_digest({"a": 1, "b": [1.5, "x"]}) == value_digest({"b": [1.5, "x"], "a": 1})
    True
    >>> value_digest(1) == value_digest(1.0)
    False
    """
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return _table_digest(value)
    if isinstance(value, Mapping):
        items = sorted((repr(k), value_digest(v)) for k, v in value.items())
        return cache.combine(["mapping", *(f"{k}={v}" for k, v in items)])
    if isinstance(value, (list, tuple)):
        return cache.combine([type(value).__name__, *(value_digest(v) for v in value)])
    if isinstance(value, np.generic):  # a numpy scalar: by its type and value
        return cache.combine([type(value).__name__, repr(value.item())])
    if value is None or isinstance(value, (str, bool, int, float)):
        return cache.combine([type(value).__name__, repr(value)])
    raise TypeError(
        "a cached chart's argument must be a table, a mapping, a sequence or a plain value, "
        f"not {type(value).__name__}"
    )


def _rc_digest() -> str:
    """matplotlib's settings that shape a chart (the backend aside: it draws nothing here)."""
    import matplotlib

    items = sorted((k, repr(v)) for k, v in dict.items(matplotlib.rcParams) if not k.startswith("backend"))
    return cache.digest_json(items)


class ChartCache:
    """The chart cache in ``folder`` (created when first written); see the module's docstring."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.code = cache.code_digest()
        self._prune()

    @classmethod
    def beside(cls, processed: Path) -> ChartCache:
        """The cache of a period's processed folder: ``.chart-cache`` in the folder that holds it."""
        return cls(Path(processed).resolve().parent / FOLDER_NAME)

    def key(self, chart: Callable, args: tuple, kwargs: Mapping[str, Any]) -> str:
        """The entry's key: the format, the code, matplotlib's settings, the chart and its arguments."""
        parts = [ENTRY_FORMAT, self.code, _rc_digest(), f"{chart.__module__}.{chart.__qualname__}"]
        parts += [value_digest(a) for a in args]
        parts += [f"{name}={value_digest(v)}" for name, v in sorted(kwargs.items())]
        return cache.combine(parts)

    def path(self, key: str) -> Path:
        return self.folder / f"{self.code[:12]}-{key[:40]}.json"

    def get(self, chart: Callable, *args: Any, **kwargs: Any) -> CachedChart:
        """The chart ``chart(*args, **kwargs)`` as stored, or drawn now (and stored)."""
        path = self.path(self.key(chart, args, kwargs))
        claim = path.with_suffix(".drawing")
        entry = _read(path)
        if entry is not None:
            return entry
        claimed = self._claim(claim)
        if claimed is False:  # another process is drawing it
            entry = _wait_for(path, claim)
            if entry is not None:
                return entry
            claimed = self._claim(claim)  # its drawer failed, is gone or slow: draw it here
        try:
            entry = CachedChart.of(chart(*args, **kwargs))
            if claimed is not None:
                self._write(path, entry)
        finally:
            if claimed:
                claim.unlink(missing_ok=True)
        return entry

    def show(self, chart: Callable, *args: Any, skip_empty: bool = False, **kwargs: Any) -> None:
        """:func:`analysis.publish.charts.show` of ``chart(*args, **kwargs)``, drawn at most once."""
        entry = self.get(chart, *args, **kwargs)
        if skip_empty and entry.is_empty:
            return
        charts.display_svg(entry.svg, entry.alt, entry.phone_svg)

    def _claim(self, claim: Path) -> bool | None:
        """Take the claim of drawing an entry: True when taken, False when another process holds it,
        ``None`` when the cache cannot be written (logged; the chart is drawn and not stored)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        except OSError as exc:
            log.warning("chart cache %s not writable (%s): charts are drawn without it", self.folder, exc)
            return None
        with os.fdopen(fd, "w") as fh:
            fh.write(owner_tag("chart"))
        return True

    def _write(self, path: Path, entry: CachedChart) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_text_atomic(path, json.dumps(asdict(entry), ensure_ascii=False))
        except OSError as exc:
            log.warning("chart cache %s not writable (%s): charts are drawn without it", self.folder, exc)

    def _prune(self) -> None:
        """Remove entries of other code unused for an hour, any entry unused for a month, and leftovers
        (temporary files, claims) of processes that are gone."""
        if not self.folder.is_dir():
            return
        remove_stale(self.folder)
        now = time.time()
        for path in self.folder.iterdir():
            if path.suffix == ".drawing":
                if _claim_is_stale(path, now):
                    path.unlink(missing_ok=True)
                continue
            if path.suffix != ".json":
                continue
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:  # removed meanwhile by another process's pruning
                continue
            if age > UNUSED_AFTER_S or (
                not path.name.startswith(self.code[:12]) and age > OTHER_CODE_AFTER_S
            ):
                path.unlink(missing_ok=True)


def _read(path: Path) -> CachedChart | None:
    """The entry at ``path`` (its use recorded in its mtime), or ``None`` when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # no entry (or no cache folder) yet
        return None
    try:
        entry = CachedChart(**json.loads(text))
    except (json.JSONDecodeError, TypeError) as exc:
        raise ValueError(
            f"{path}: not a chart cache entry ({exc}); delete it to draw the chart again"
        ) from exc
    try:
        os.utime(path)
    except OSError as exc:  # a read-only cache: the entry is still good
        log.debug("chart cache entry %s: mtime not updated (%s)", path, exc)
    return entry


def _claim_is_stale(claim: Path, now: float | None = None) -> bool:
    """True when the process that claimed the entry is gone (this host) or the claim is too old."""
    try:
        owner = claim.read_text(encoding="utf-8")
        age = (now or time.time()) - claim.stat().st_mtime
    except FileNotFoundError:
        return True
    return age > CLAIM_STALE_S or owner_is_gone(owner)


def _wait_for(path: Path, claim: Path) -> CachedChart | None:
    """Wait while another process draws the entry: the entry, or ``None`` when the claim went (its
    drawer failed: the error is its own) or went stale, or after :data:`WAIT_S`."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        entry = _read(path)
        if entry is not None:
            return entry
        if _claim_is_stale(claim):
            claim.unlink(missing_ok=True)
            return _read(path)
        time.sleep(POLL_S)
    log.warning("chart cache: waited %.0f s for %s; drawing it here", WAIT_S, path.name)
    return None
