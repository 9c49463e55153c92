"""Every period of a data source in one place: a DuckDB database file over the processed period folders.

``<processed root>/<source>/history.duckdb`` holds one **view** per table of :data:`HISTORY_TABLES`, named
like the table (``rt_index``, ``achievement_indicator``, ...), stacking that table from every *complete*
period folder (:func:`complete_periods`) with a ``period`` column (the folder's period code) first, plus a
table ``periods`` (one row per period: ``period``, ``period_order`` (1 = oldest, ``core.periods.sort_key``),
``tables``: how many of the tables the folder holds). Each view reads the Parquet files themselves
(``read_parquet`` of each period's file, ``UNION ALL BY NAME``); DuckDB binds a view when it is queried, so
a period folder replaced by a rerun (the same path) is read as it is now. A period or a table that appears
only after the last refresh is seen after the next one: :func:`refresh` rebuilds the whole file from the
folders as they are (``python -m analysis run`` calls it after each published period, :func:`open_history`
when the store is older than the folders), written to a temporary file and renamed into place, so a
reader never sees a half-written store and the result does not depend on the order of the runs.

A table that a period lacks (no RT reports in ``100-hari``) is simply absent from that period's rows; a
view exists for every table held by at least one complete period. ``targets`` has its own ``period``
column (the target's period); in its view that column is ``target_period``.

Queries return pandas DataFrames: :meth:`History.query`, :meth:`History.table`, :meth:`History.trajectory`
(one RT over time), :meth:`History.movers` (the biggest changes between two periods).

From a shell (the DuckDB CLI, if installed: ``duckdb -readonly data/processed/sample/history.duckdb``), or::

    python -m analysis.evaluate.history data/processed/sample                # list the views
    python -m analysis.evaluate.history data/processed/sample "SELECT period, count(*) FROM rt_index GROUP BY 1"
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from analysis.core.errors import UsageError
from analysis.core.periods import PeriodError, parse_period, sort_key
from analysis.evaluate.achievement import ACHIEVEMENT_TABLES
from analysis.evaluate.principles.evaluate import INDEX_TABLES
from analysis.ingest.inventory import source_periods  # noqa: F401  (re-exported)
from analysis.ingest.schemas import TABLES

#: The store's file name inside ``<processed root>/<source>/``.
STORE_FILE = "history.duckdb"

#: Written last by ``analysis.evaluate.evaluation.evaluate_source``: a period folder holding it is complete.
COMPLETE_MARKER = "evaluation.json"

#: Cleaned tables (docs/data_dictionary.md) and evaluation tables (docs/evaluation_tables.md), one view each.
HISTORY_TABLES = (*TABLES, *ACHIEVEMENT_TABLES, "claims", *INDEX_TABLES)

#: Tables whose own ``period`` column is not the folder's period, and the name it takes in the view.
OWN_PERIOD_COLUMNS = {"targets": "target_period"}

#: The metadata table of the store (one row per period).
PERIODS_TABLE = "periods"

#: Levels of :meth:`History.movers`: the view, the unit's key columns, and the columns shown with it.
MOVER_LEVELS = {
    "rt": ("rt_index", ("rt_code",), ("kelurahan_name", "kecamatan_name", "rt_number")),
    "kelurahan": ("index_kelurahan", ("kelurahan_code",), ("kelurahan_name", "kecamatan_name")),
    "kecamatan": ("index_kecamatan", ("kecamatan_code",), ("kecamatan_name",)),
}

#: Columns of :meth:`History.trajectory` (one RT, one row per period), from the ``rt_index`` view.
TRAJECTORY_COLUMNS = (
    "period", "rt_code", "kelurahan_name", "kecamatan_name", "rt_number", "is_pilot", "status", "index",
    "category", "rank", "rank_p05", "rank_p95", "transparansi", "partisipatif", "akuntabilitas",
    "keberlanjutan",
)  # fmt: skip


def store_path(source_dir: Path | str) -> Path:
    """``<source_dir>/history.duckdb`` (``source_dir`` is ``<processed root>/<source>``)."""
    return Path(source_dir) / STORE_FILE


def _is_period_folder(path: Path) -> bool:
    try:
        return path.is_dir() and parse_period(path.name) == path.name
    except PeriodError:
        return False


def complete_periods(source_dir: Path | str) -> dict[str, list[str]]:
    """``{period: [tables it holds]}``, oldest period first, for every complete period folder of
    ``source_dir``: a folder named by a canonical period code (so staging, ``.failed`` and other folders
    are left out) that holds ``evaluation.json``. Tables are those of :data:`HISTORY_TABLES` present."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        return {}
    found = {}
    for folder in source_dir.iterdir():
        if _is_period_folder(folder) and (folder / COMPLETE_MARKER).is_file():
            found[folder.name] = [t for t in HISTORY_TABLES if (folder / f"{t}.parquet").is_file()]
    return {p: found[p] for p in sorted(found, key=sort_key)}


def prepare_periods(raw_dir: Path | str, source_dir: Path | str, until: str | None = None) -> list[str]:
    """Evaluate every period of ``raw_dir`` (up to ``until``) that has no complete folder in ``source_dir``
    (``<source_dir>/<period>/``, ``analysis.evaluate.evaluation.evaluate_source``); returns those periods.
    For a notebook opened on a fresh checkout: ``run`` has made the folders of the periods it published.
    Cleaned here only as inputs of the trends, they get no feedback workbooks (``clean`` or a ``run`` of
    the period writes them)."""
    from analysis.evaluate.evaluation import evaluate_source

    done = complete_periods(source_dir)
    wanted = [p for p in source_periods(raw_dir) if until is None or sort_key(p) <= sort_key(until)]
    missing = [p for p in wanted if p not in done]
    for period in missing:
        evaluate_source(Path(raw_dir), period, processed_dir=Path(source_dir) / period, feedback=False)
    return missing


def _sql_string(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _has_period_column(path: Path) -> bool:
    import pyarrow.parquet as pq

    return "period" in pq.read_schema(path).names


def view_sql(source_dir: Path, table: str, periods: list[str]) -> str:
    """``CREATE VIEW`` of ``table`` over the Parquet files of ``periods`` (each has the table)."""
    parts = []
    for period in periods:
        path = (Path(source_dir) / period / f"{table}.parquet").resolve()
        columns = "*"
        if _has_period_column(path):
            own = OWN_PERIOD_COLUMNS.get(table)
            columns = f"* EXCLUDE (period), period AS {own}" if own else "* EXCLUDE (period)"
        parts.append(
            f"SELECT {_sql_string(period)} AS period, {columns} FROM read_parquet({_sql_string(path)})"
        )
    return f'CREATE VIEW "{table}" AS\n' + "\nUNION ALL BY NAME\n".join(parts)


def _fingerprint(source_dir: Path, periods: dict[str, list[str]]) -> str:
    """What the store was built from (the periods, their tables and their ``evaluation.json`` mtimes), as
    a SHA-256 digest."""
    state = {
        p: {"tables": tables, "mtime_ns": (Path(source_dir) / p / COMPLETE_MARKER).stat().st_mtime_ns}
        for p, tables in periods.items()
    }
    return hashlib.sha256(
        json.dumps(state, sort_keys=True).encode()
    ).hexdigest()  # a digest, not NIK-like digits


def _build(source_dir: Path, target: Path) -> dict[str, list[str]]:
    import duckdb

    periods = complete_periods(source_dir)
    fingerprint = _fingerprint(source_dir, periods)
    con = duckdb.connect(str(target))
    try:
        # one transaction: one commit written and synced to disk, not one per statement (22 views and two
        # tables: 36 fdatasync calls, ≈ 0.3 s of the run's wall time before its notebooks, no CPU)
        con.execute("BEGIN TRANSACTION")
        for table in HISTORY_TABLES:
            with_table = [p for p, tables in periods.items() if table in tables]
            if with_table:
                con.execute(view_sql(source_dir, table, with_table))
        rows = [(p, i, len(tables)) for i, (p, tables) in enumerate(periods.items(), start=1)]
        con.execute(f"CREATE TABLE {PERIODS_TABLE} (period VARCHAR, period_order INTEGER, tables INTEGER)")
        if rows:
            con.executemany(f"INSERT INTO {PERIODS_TABLE} VALUES (?, ?, ?)", rows)
        con.execute("CREATE TABLE _store (fingerprint VARCHAR)")
        con.execute("INSERT INTO _store VALUES (?)", [fingerprint])
        con.execute("COMMIT")
    finally:
        con.close()
    return periods


#: Attempts of :func:`refresh` when a period folder is replaced (renamed away) while the store is built.
REFRESH_ATTEMPTS = 3


def refresh(source_dir: Path | str) -> Path:
    """(Re)build ``<source_dir>/history.duckdb`` from the complete period folders as they are now; left
    as it is when it is current (:func:`is_current`: built from the same periods, tables and
    ``evaluation.json`` files; ``run`` refreshes it before the notebooks and again after publishing).

    Written to ``.history.duckdb.<pid>.tmp`` and renamed into place (readers see the old store or the new
    one). When a folder is swapped by a concurrent rerun while its tables are listed, the build starts
    again (up to :data:`REFRESH_ATTEMPTS` times); then the error is raised.
    """
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise UsageError(f"processed data source folder not found: {source_dir}")
    target = store_path(source_dir)
    if is_current(source_dir):
        return target
    import duckdb

    tmp = source_dir / f".{STORE_FILE}.{os.getpid()}.tmp"
    for attempt in range(1, REFRESH_ATTEMPTS + 1):
        tmp.unlink(missing_ok=True)
        try:
            _build(source_dir, tmp)
            break
        except (OSError, duckdb.IOException):
            tmp.unlink(missing_ok=True)
            if attempt == REFRESH_ATTEMPTS:
                raise
    os.replace(tmp, target)
    return target


def is_current(source_dir: Path | str) -> bool:
    """True when the store exists and was built from the period folders as they are now."""
    import duckdb

    path = store_path(source_dir)
    if not path.is_file():
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:  # not a store (damaged): rebuilt by refresh
        return False
    try:
        stored = con.execute("SELECT fingerprint FROM _store").fetchone()[0]
    except duckdb.Error:
        return False
    finally:
        con.close()
    return stored == _fingerprint(Path(source_dir), complete_periods(source_dir))


@dataclass(frozen=True)
class History:
    """The store of one data source, queried read-only (each call opens and closes a connection; inside
    :meth:`reading`, every call of the store it yields shares one)."""

    path: Path
    _con: object = field(default=None, compare=False, repr=False)

    @contextmanager
    def reading(self) -> Iterator[History]:
        """This store with one read-only connection open for the block (a connection costs about 20 ms;
        several queries in a row, e.g. the trends of a briefing, share it)."""
        import duckdb

        con = duckdb.connect(str(self.path), read_only=True)
        try:
            yield replace(self, _con=con)
        finally:
            con.close()

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """The result of ``sql`` (DuckDB SQL over the views) as a DataFrame."""
        if self._con is not None:
            return self._con.execute(sql, params or []).df()
        with self.reading() as store:
            return store.query(sql, params)

    def views(self) -> list[str]:
        """The views of the store, sorted (one per table held by at least one complete period)."""
        df = self.query("SELECT table_name FROM information_schema.tables WHERE table_type = 'VIEW'")
        return sorted(df["table_name"])

    def periods(self) -> list[str]:
        """The periods in the store, oldest first."""
        return list(self.query(f"SELECT period FROM {PERIODS_TABLE} ORDER BY period_order")["period"])

    def table(
        self, name: str, columns: Sequence[str] | None = None, within_period: Sequence[str] = ()
    ) -> pd.DataFrame:
        """Every row of the view ``name`` (all periods, oldest first; within a period in the order of the
        ``within_period`` columns, else as DuckDB returns them, which can vary from one query to the
        next); only ``columns`` when given."""
        views = self.views()
        if name not in views:
            raise UsageError(f"{self.path}: no view {name!r}; views: {', '.join(views) or 'none'}")
        selected = ", ".join(f'v."{c}"' for c in columns) if columns else "v.*"
        order = ", ".join(["p.period_order", *(f'v."{c}"' for c in within_period)])
        return self.query(
            f'SELECT {selected} FROM "{name}" v JOIN {PERIODS_TABLE} p USING (period) ORDER BY {order}'
        )

    def _since(self, since: str | None, until: str | None) -> list[str]:
        periods = self.periods()
        for value in (since, until):
            if value is not None and value not in periods:
                raise UsageError(f"{self.path}: no period {value!r}; periods: {', '.join(periods)}")
        start = periods.index(since) if since else 0
        end = periods.index(until) + 1 if until else len(periods)
        return periods[start:end]

    def trajectory(self, rt_code: str, since: str | None = None) -> pd.DataFrame:
        """One RT over time: one row per period from ``since`` (default the first) in which the RT is in
        ``rt_index`` (:data:`TRAJECTORY_COLUMNS`); empty when it never is."""
        keep = self._since(since, None)
        df = self.table("rt_index")
        df = df[(df["rt_code"] == rt_code) & df["period"].isin(keep)]
        return df[[c for c in TRAJECTORY_COLUMNS if c in df.columns]].reset_index(drop=True)

    def movers(
        self, level: str = "kelurahan", since: str | None = None, until: str | None = None
    ) -> pd.DataFrame:
        """The change of the index of each unit (``rt``, ``kelurahan``, ``kecamatan``) from its first
        scored period at or after ``since`` to its last one at or before ``until`` (default: the first and
        the last period of the store), largest increase first.

        Columns: the unit's key and names, ``period_start``, ``period_end``, ``index_start``,
        ``index_end``, ``index_change`` (``index_end - index_start``, points on the 0–100 scale), and for
        areas ``n_rt_scored_start``/``n_rt_scored_end`` (the RTs behind each average: a kelurahan whose
        scored RTs changed compares different sets of RTs). Units scored in only one period are left out.
        """
        if level not in MOVER_LEVELS:
            raise UsageError(f"unknown level {level!r}; use {', '.join(MOVER_LEVELS)}")
        view, keys, names = MOVER_LEVELS[level]
        keep = self._since(since, until)
        order = {p: i for i, p in enumerate(keep)}
        df = self.table(view)
        df = df[df["period"].isin(keep) & df["index"].notna()].copy()
        df["_order"] = df["period"].map(order)
        df = df.sort_values([*keys, "_order"])
        grouped = df.groupby(list(keys), sort=False)
        first, last = grouped.head(1).set_index(list(keys)), grouped.tail(1).set_index(list(keys))
        extra = [c for c in ("n_rt_scored",) if c in df.columns]
        out = last[[*names]].copy()
        out["period_start"], out["period_end"] = first["period"], last["period"]
        out["index_start"], out["index_end"] = first["index"], last["index"]
        out["index_change"] = out["index_end"] - out["index_start"]
        for column in extra:
            out[f"{column}_start"], out[f"{column}_end"] = first[column], last[column]
        out = out[out["period_start"] != out["period_end"]]
        return out.sort_values("index_change", ascending=False, kind="stable").reset_index()


def open_history(source_dir: Path | str, refresh_store: bool | None = None) -> History:
    """The store of ``source_dir`` (``<processed root>/<source>``): rebuilt first when ``refresh_store``
    is true, or, by default (``None``), when it is missing or older than the period folders."""
    source_dir = Path(source_dir)
    if refresh_store or (refresh_store is None and not is_current(source_dir)):
        refresh(source_dir)
    return History(store_path(source_dir))


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.evaluate.history SOURCE_DIR [SQL]``: list the views, or print a query."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.evaluate.history",
        description="Query every processed period of a data source (DuckDB views over the Parquet files).",
    )
    parser.add_argument(
        "source_dir", type=Path, help="processed data of one source, e.g. data/processed/sample"
    )
    parser.add_argument("sql", nargs="?", help="a DuckDB query over the views (default: list the views)")
    parser.add_argument("--refresh", action="store_true", help="rebuild the store first")
    args = parser.parse_args(argv)
    try:
        history = open_history(args.source_dir, refresh_store=True if args.refresh else None)
        if args.sql:
            print(history.query(args.sql).to_string(index=False))
        else:
            print(f"{history.path}: periods {', '.join(history.periods()) or 'none'}")
            for name in history.views():
                print(f"  {name}")
    except UsageError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
