"""The connection owner: one store, two backends.

- ``Store(path)`` (default): the embedded DuckDB file (``$DXBOARD_DB`` or ``var/dxboard.duckdb``),
  waiting while another process holds it; one writer per process (a lock) and per file (DuckDB's).
- ``Store(url)`` or ``$DXBOARD_DATABASE_URL=postgresql://…``: PostgreSQL, the system of record
  for several app processes (``dxboard.store.postgres``).

Either way: reads use :meth:`Store.cursor` (one statement each), writes
:meth:`Store.write` (a transaction that serialises writers), metric reads :meth:`Store.analytics`
(always DuckDB: the file itself, or an in-memory copy of a PostgreSQL store refreshed when the
data version changes). The same numbered migrations make the schema on both
(``dxboard.store.schema``); SQL is written once with ``?`` placeholders, and the few statements
that differ (drawing ids, bulk inserts) are functions here.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, ClassVar, Protocol, Self, cast

import duckdb
import pandas as pd
import pyarrow as pa
from psycopg import errors as psycopg_errors

from dxboard.errors import Reason, UserError
from dxboard.paths import db_path
from dxboard.registry import load_registry
from dxboard.store.schema import MIGRATIONS, POSTGRES_EXTRAS, ddl

WAIT_ENV = "DXBOARD_DB_WAIT"
URL_ENV = "DXBOARD_DATABASE_URL"
DEFAULT_WAIT_SECONDS = 10.0

_WRITE_LOCK = threading.RLock()
_OPEN_LOCK = threading.Lock()
_OPEN_STORES: weakref.WeakSet[DuckStore] = weakref.WeakSet()  # DuckDB files open here
BACKENDS: dict[str, type[Store]] = {}
"""``postgres`` → its store class (registered by ``dxboard.store.postgres``)."""


class Cursor(Protocol):
    """What the store's query functions use of a cursor, on either backend."""

    def execute(self, query: str, parameters: Any = None, /) -> Any: ...

    def executemany(self, query: str, parameters: Any = None, /) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def df(self) -> pd.DataFrame: ...


class BulkCursor(Cursor, Protocol):
    """A PostgreSQL cursor also copies rows in (``COPY … FROM STDIN``)."""

    def copy_rows(
        self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]
    ) -> None: ...


def wait_seconds_default() -> float:
    """How long to wait for a database held by another process: ``$DXBOARD_DB_WAIT`` or 10 s."""
    raw = os.environ.get(WAIT_ENV, "").strip()
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_WAIT_SECONDS
    except ValueError:
        return DEFAULT_WAIT_SECONDS


def is_open_in_process(path: str | Path) -> bool:
    """Whether a store of this process has the DuckDB file ``path`` open (DuckDB's file lock
    does not stop a second connection from the same process, so the backup asks here)."""
    key = Path(path).resolve()
    with _OPEN_LOCK:
        return any(s._key == key for s in list(_OPEN_STORES))


def is_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


class StoreBusyError(UserError):
    """Another process holds the database for writing."""

    def __init__(self, path: Path | str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(Reason.STORE_BUSY, path=str(path))


class Store:
    """An open store with the schema applied; ``Store(...)`` gives the backend the location
    names (a PostgreSQL URL, else a DuckDB file; no location: ``$DXBOARD_DATABASE_URL`` if set,
    else ``$DXBOARD_DB``)."""

    dialect: ClassVar[str]
    location: str

    def __new__(cls, location: str | Path | None = None, **options: Any) -> Store:
        backend: type[Store] = cls
        if cls is Store:
            url = location if location is not None else os.environ.get(URL_ENV) or None
            backend = BACKENDS["postgres"] if is_url(url) else DuckStore
        return super().__new__(backend)

    def cursor(self) -> Cursor:
        raise NotImplementedError

    def write(self) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def analytics(self) -> duckdb.DuckDBPyConnection:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def data_version(self) -> int:
        """A counter that changes with every accepted write: the cache key for derived data."""
        return int(scalar(self.cursor(), "SELECT value FROM meta WHERE key = 'data_version'"))

    def schema_version(self) -> int:
        return int(scalar(self.cursor(), "SELECT max(version) FROM schema_migrations"))

    def _ready(self) -> None:
        """Migrate the store just opened; close it when that fails."""
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _migrate(self) -> None:
        """Apply the migrations not applied yet, each in its own transaction, then copy the
        province registry in. An up-to-date store is only read (no writer waits)."""
        if self._pending():
            with self.write() as cur:
                cur.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_timestamp)"
                )
            for number in self._pending():
                with self.write() as cur:
                    if scalar(
                        cur, "SELECT count(*) FROM schema_migrations WHERE version = ?", [number]
                    ):
                        continue  # another process applied it meanwhile
                    cur.execute(ddl(MIGRATIONS[number - 1], self.dialect))
                    if self.dialect == "postgres" and number in POSTGRES_EXTRAS:
                        cur.execute(POSTGRES_EXTRAS[number])
                    cur.execute("INSERT INTO schema_migrations (version) VALUES (?)", [number])
        self._sync_provinces()

    def _pending(self) -> list[int]:
        """The numbers of the migrations not applied yet (all of them on a new database)."""
        try:
            rows = self.cursor().execute("SELECT version FROM schema_migrations").fetchall()
        except (duckdb.CatalogException, psycopg_errors.UndefinedTable):
            return list(range(1, len(MIGRATIONS) + 1))
        done = {r[0] for r in rows}
        return [n for n in range(1, len(MIGRATIONS) + 1) if n not in done]

    def _sync_provinces(self) -> None:
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
        if scalar(self.cursor(), "SELECT count(*) FROM provinces") == len(rows):
            return
        with self.write() as cur:
            cur.execute("DELETE FROM provinces")
            cur.executemany("INSERT INTO provinces VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


class DuckStore(Store):
    """An open DuckDB database with the schema applied.

    Reads use :meth:`cursor` (one per query, safe across threads); writes go through
    :meth:`write`, which serialises writers in this process and wraps them in a transaction.
    """

    dialect = "duckdb"

    def __init__(self, path: str | Path | None = None, wait_seconds: float | None = None) -> None:
        """``wait_seconds``: how long to wait while another process holds the file (default
        ``$DXBOARD_DB_WAIT`` or 10 s), then :class:`StoreBusyError`."""
        self.path = Path(path) if path is not None else db_path()
        self.location = str(self.path)
        self._key: Path | None = None
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        wait = wait_seconds_default() if wait_seconds is None else wait_seconds
        self.con = _connect(self.path, wait)
        if str(self.path) != ":memory:":
            self._key = self.path.resolve()
            with _OPEN_LOCK:
                _OPEN_STORES.add(self)
        self._ready()

    def close(self) -> None:
        with _OPEN_LOCK:
            _OPEN_STORES.discard(self)
        self._key = None
        self.con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one query; DuckDB cursors are cheap and thread-confined."""
        return self.con.cursor()

    def analytics(self) -> duckdb.DuckDBPyConnection:
        """The metrics read the file itself."""
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


def open_store(location: str | Path | None = None) -> Store:
    """Open (creating and migrating if needed) the store at ``location`` or the default one."""
    return Store(location)


# --------------------------------------------------------------------------- statements


def scalar(cur: Cursor, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row of ``sql`` (``None`` when there is no row)."""
    rows = cur.execute(sql, list(params)).fetchall()
    return rows[0][0] if rows else None


def bump_version(cur: Cursor) -> None:
    """Increment the data version inside the caller's write transaction."""
    cur.execute(
        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
        "WHERE key = 'data_version'"
    )


def next_ids(cur: Cursor, sequence: str, count: int) -> list[int]:
    """``count`` new ids of ``sequence`` (``upload_ids``, ``submission_ids``, ``event_ids``),
    ascending, in one statement."""
    if count <= 0:
        return []
    if isinstance(cur, duckdb.DuckDBPyConnection):
        sql = f"SELECT nextval('{sequence}') FROM range(?)"
    else:
        sql = f"SELECT nextval('{sequence}') FROM generate_series(1, ?)"
    return sorted(int(r[0]) for r in cur.execute(sql, [count]).fetchall())


Columns = dict[str, str]
"""Column name → kind (``id``, ``str``, ``float``, ``time``, ``date``, ``bool``), in table order."""

_ARROW_TYPES = {
    "id": pa.int64(),
    "str": pa.string(),
    "float": pa.float64(),
    "time": pa.timestamp("us"),
    "date": pa.date32(),
    "bool": pa.bool_(),
}


def insert_columns(cur: Cursor, table: str, columns: Columns, data: list[list[Any]]) -> None:
    """Insert the column lists ``data`` (in the order of ``columns``) into ``table`` in one
    statement: DuckDB scans an Arrow table, PostgreSQL takes a ``COPY``."""
    if not data or not len(data[0]):
        return
    if not isinstance(cur, duckdb.DuckDBPyConnection):
        cast(BulkCursor, cur).copy_rows(table, list(columns), zip(*data, strict=True))
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


def insert_rows(cur: Cursor, table: str, columns: Columns, rows: list[tuple[Any, ...]]) -> None:
    """:func:`insert_columns` of row tuples."""
    if rows:
        insert_columns(cur, table, columns, [list(c) for c in zip(*rows, strict=True)])
