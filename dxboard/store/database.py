"""The connection owner: opening the DuckDB file (waiting while another process holds it), the
migrations, the single writer of this process, the data version, and set-based inserts.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dxboard.errors import Reason, UserError
from dxboard.paths import db_path
from dxboard.registry import load_registry
from dxboard.store.schema import MIGRATIONS

WAIT_ENV = "DXBOARD_DB_WAIT"
DEFAULT_WAIT_SECONDS = 10.0

_WRITE_LOCK = threading.RLock()
_OPEN_LOCK = threading.Lock()
_OPEN_STORES: weakref.WeakSet[Store] = weakref.WeakSet()  # on-disk stores open in this process


def wait_seconds_default() -> float:
    """How long to wait for a database held by another process: ``$DXBOARD_DB_WAIT`` or 10 s."""
    raw = os.environ.get(WAIT_ENV, "").strip()
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_WAIT_SECONDS
    except ValueError:
        return DEFAULT_WAIT_SECONDS


def is_open_in_process(path: str | Path) -> bool:
    """Whether a :class:`Store` of this process has ``path`` open (DuckDB's file lock does not
    stop a second connection from the same process, so :mod:`dxboard.backup` asks here)."""
    key = Path(path).resolve()
    with _OPEN_LOCK:
        return any(s._key == key for s in list(_OPEN_STORES))


class StoreBusyError(UserError):
    """Another process holds the database for writing."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(Reason.STORE_BUSY, path=str(path))


class Store:
    """An open DuckDB database with the schema applied.

    Reads use :meth:`cursor` (one per query, safe across threads); writes go through
    :meth:`write`, which serialises writers in this process and wraps them in a transaction.
    """

    def __init__(self, path: str | Path | None = None, wait_seconds: float | None = None) -> None:
        """``wait_seconds``: how long to wait while another process holds the file (default
        ``$DXBOARD_DB_WAIT`` or 10 s), then :class:`StoreBusyError`."""
        self.path = Path(path) if path is not None else db_path()
        self._key: Path | None = None
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        wait = wait_seconds_default() if wait_seconds is None else wait_seconds
        self.con = _connect(self.path, wait)
        if str(self.path) != ":memory:":
            self._key = self.path.resolve()
            with _OPEN_LOCK:
                _OPEN_STORES.add(self)
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        with _OPEN_LOCK:
            _OPEN_STORES.discard(self)
        self._key = None
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one query; DuckDB cursors are cheap and thread-confined."""
        return self.con.cursor()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction under the process-wide writer lock; rolled back on any error."""
        with _WRITE_LOCK:
            cur = self.con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    @contextmanager
    def exclusive(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor under the writer lock, outside any transaction (no writer of this process
        runs meanwhile): for statements that manage their own transactions, such as a backup."""
        with _WRITE_LOCK:
            cur = self.con.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def data_version(self) -> int:
        """A counter that changes with every accepted write: the cache key for derived data."""
        return int(scalar(self.cursor(), "SELECT value FROM meta WHERE key = 'data_version'"))

    def schema_version(self) -> int:
        return int(scalar(self.cursor(), "SELECT max(version) FROM schema_migrations"))

    def _migrate(self) -> None:
        with _WRITE_LOCK:
            cur = self.con.cursor()
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_timestamp)"
            )
            done = {r[0] for r in cur.execute("SELECT version FROM schema_migrations").fetchall()}
            for number, sql in enumerate(MIGRATIONS, start=1):
                if number in done:
                    continue
                cur.execute("BEGIN TRANSACTION")
                try:
                    cur.execute(sql)
                    cur.execute("INSERT INTO schema_migrations (version) VALUES (?)", [number])
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
            self._sync_provinces(cur)

    def _sync_provinces(self, cur: duckdb.DuckDBPyConnection) -> None:
        registry = load_registry()
        rows = [
            (
                p.era,
                p.code,
                p.name,
                p.short_name,
                p.ascii_name,
                p.region,
                p.successor,
                p.valid_from,
                p.valid_to,
            )
            for era in ("legacy", "current")
            for p in registry.provinces(era)
        ]
        if scalar(cur, "SELECT count(*) FROM provinces") == len(rows):
            return
        cur.execute("BEGIN TRANSACTION")
        cur.execute("DELETE FROM provinces")
        cur.executemany("INSERT INTO provinces VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        cur.execute("COMMIT")


def scalar(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row of ``sql`` (``None`` when there is no row)."""
    rows = cur.execute(sql, list(params)).fetchall()
    return rows[0][0] if rows else None


def bump_version(cur: duckdb.DuckDBPyConnection) -> None:
    """Increment the data version inside the caller's write transaction."""
    cur.execute(
        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
        "WHERE key = 'data_version'"
    )


def _connect(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open read-write, waiting up to ``wait_seconds`` while another process holds the file."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise StoreBusyError(path, str(exc)) from None
            time.sleep(0.25)


def open_store(path: str | Path | None = None) -> Store:
    """Open (creating and migrating if needed) the store at ``path`` or the default location."""
    return Store(path)


# --------------------------------------------------------------------------- set-based inserts

Columns = dict[str, str]
"""Column name → kind (``id``, ``str``, ``float``, ``time``, ``date``), in table order."""

_ARROW_TYPES = {
    "id": pa.int64(),
    "str": pa.string(),
    "float": pa.float64(),
    "time": pa.timestamp("us"),
    "date": pa.date32(),
}


def insert_columns(
    cur: duckdb.DuckDBPyConnection, table: str, columns: Columns, data: list[list[Any]]
) -> None:
    """One ``INSERT … SELECT`` of the column lists ``data`` (in the order of ``columns``) into
    ``table``: DuckDB scans an Arrow table without looking at every value."""
    if not data or not len(data[0]):
        return
    arrow = pa.table(
        {
            name: pa.array(list(values), type=_ARROW_TYPES[kind])
            for (name, kind), values in zip(columns.items(), data, strict=True)
        }
    )
    name = f"incoming_{table}"
    cur.register(name, arrow)
    try:
        cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        cur.unregister(name)


def insert_rows(
    cur: duckdb.DuckDBPyConnection, table: str, columns: Columns, rows: list[tuple[Any, ...]]
) -> None:
    """:func:`insert_columns` of row tuples."""
    if rows:
        insert_columns(cur, table, columns, [list(c) for c in zip(*rows, strict=True)])
