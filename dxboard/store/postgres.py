"""The PostgreSQL backend: the system of record when several app processes share one store.

- Connections come from a pool (``psycopg_pool``), in autocommit mode: a read is one statement
  (:class:`ReadCursor` runs it on a pooled connection and keeps the rows); a write is a
  transaction that first takes a transaction-scoped advisory lock, so writers of every process
  queue one behind the other, as DuckDB's single writer does; a partial unique index keeps one
  accepted submission per province-period whatever happens (``schema.POSTGRES_EXTRAS``).
- The store's SQL is written once, with ``?`` placeholders: :func:`to_postgres` turns them into
  psycopg's ``%s``. JSON columns are read back as text, as DuckDB gives them.
- Metrics read an in-memory DuckDB copy of the tables they use (:meth:`PostgresStore.analytics`),
  made inside one repeatable-read snapshot and made again when the data version changes: the
  metric SQL stays DuckDB's, and fast.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pandas as pd
import psycopg
import psycopg_pool
from psycopg.types.string import TextLoader

from dxboard.errors import Reason, UserError
from dxboard.store.database import BACKENDS, URL_ENV, Store, scalar, wait_seconds_default
from dxboard.store.schema import MIGRATIONS

WRITE_LOCK_KEY = 4_458_240_001
"""The advisory lock every write transaction takes (any constant shared by all processes)."""
MIRROR_SKIP = frozenset(
    {"events", "login_attempts", "users", "schema_migrations", "evidence", "review_comments"}
)
"""Tables the metrics never read: not copied into the analytics copy."""
POOL_SIZE_ENV = "DXBOARD_PG_POOL"
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?|%")


def to_postgres(sql: str, with_parameters: bool) -> str:
    """``?`` placeholders (outside quoted text) as ``%s``; with parameters, a literal ``%`` is
    doubled."""

    def swap(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%" if with_parameters else "%"
        return token.replace("%", "%%") if with_parameters else token

    return _PLACEHOLDER.sub(swap, sql)


class StoreUnreachable(UserError):
    """The PostgreSQL server does not answer."""

    def __init__(self, location: str, detail: str) -> None:
        self.detail = detail
        super().__init__(Reason.STORE_UNREACHABLE, location=location)


class PgCursor:
    """A psycopg cursor that speaks the store's SQL (``?`` placeholders) and DuckDB's
    ``fetchall``/``df``."""

    def __init__(self, cur: psycopg.Cursor[Any]) -> None:
        self._cur = cur

    def execute(self, query: str, parameters: Any = None, /) -> PgCursor:
        params = parameters if parameters else None
        self._cur.execute(to_postgres(query, params is not None).encode(), params)
        return self

    def executemany(self, query: str, parameters: Any = None, /) -> PgCursor:
        self._cur.executemany(to_postgres(query, True).encode(), parameters or [])
        return self

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall() if self._cur.description else []

    def df(self) -> pd.DataFrame:
        columns = [c.name for c in self._cur.description or []]
        return pd.DataFrame(self.fetchall(), columns=columns)

    def copy_rows(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
        names = ", ".join(columns)
        with self._cur.copy(f"COPY {table} ({names}) FROM STDIN".encode()) as copy:
            for row in rows:
                copy.write_row(row)


class ReadCursor:
    """``store.cursor()`` on PostgreSQL: each statement runs on a pooled connection at once and
    its rows are kept, so no connection is held between statements."""

    def __init__(self, pool: psycopg_pool.ConnectionPool[Any]) -> None:
        self._pool = pool
        self._rows: list[Any] = []
        self._columns: list[str] = []

    def execute(self, query: str, parameters: Any = None, /) -> ReadCursor:
        with self._pool.connection() as conn:
            cur = PgCursor(conn.cursor()).execute(query, parameters)
            self._rows = cur.fetchall()
            self._columns = [c.name for c in cur._cur.description or []]
        return self

    def executemany(self, query: str, parameters: Any = None, /) -> ReadCursor:
        with self._pool.connection() as conn:
            PgCursor(conn.cursor()).executemany(query, parameters)
        return self

    def fetchall(self) -> list[Any]:
        return self._rows

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def df(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows, columns=self._columns)


def _configure(conn: psycopg.Connection[Any]) -> None:
    """JSON columns read back as text, as DuckDB gives them."""
    for name in ("json", "jsonb"):
        conn.adapters.register_loader(name, TextLoader)


class PostgresStore(Store):
    """A PostgreSQL database with the schema applied (see the module docstring)."""

    dialect = "postgres"

    def __init__(self, url: str | None = None, wait_seconds: float | None = None) -> None:
        self.url = url or os.environ[URL_ENV]
        self.location = re.sub(r"//[^@/]*@", "//", self.url)  # without user and password
        size = int(os.environ.get(POOL_SIZE_ENV, "8"))
        self.pool: psycopg_pool.ConnectionPool[Any] = psycopg_pool.ConnectionPool(
            self.url,
            min_size=1,
            max_size=size,
            kwargs={"autocommit": True},
            configure=_configure,
            open=False,
            name="dxboard",
        )
        wait = wait_seconds_default() if wait_seconds is None else wait_seconds
        try:
            self.pool.open(wait=True, timeout=max(wait, 1.0))
        except psycopg_pool.PoolTimeout as exc:
            self.pool.close()
            raise StoreUnreachable(self.location, str(exc)) from None
        self._mirror: duckdb.DuckDBPyConnection | None = None
        self._mirror_version: int | None = None
        self._mirror_lock = threading.Lock()
        self._ready()

    def close(self) -> None:
        self.pool.close()
        self._mirror = None

    def cursor(self) -> ReadCursor:
        return ReadCursor(self.pool)

    @contextmanager
    def write(self) -> Iterator[PgCursor]:
        """A transaction behind the advisory lock shared by every process: one writer at a
        time; rolled back on any error."""
        with self.pool.connection() as conn, conn.transaction():
            cur = PgCursor(conn.cursor())
            cur.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK_KEY])
            yield cur

    def analytics(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the in-memory DuckDB copy, made again when the data version changed
        (one copy shared by the scoped views of this store)."""
        owner = self._origin if isinstance(self._origin, PostgresStore) else self
        version = owner.data_version()
        with owner._mirror_lock:
            if owner._mirror is None or owner._mirror_version != version:
                owner._mirror, owner._mirror_version = owner._copy()
            return owner._mirror.cursor()

    def _copy(self) -> tuple[duckdb.DuckDBPyConnection, int]:
        """Every table the metrics may read, copied in one repeatable-read snapshot into a new
        in-memory DuckDB with the same schema; returns it with the data version it holds."""
        mirror = duckdb.connect(":memory:")
        for sql in MIGRATIONS:
            mirror.execute(sql)
        mirror.execute("DELETE FROM meta")
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(b"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cur = PgCursor(conn.cursor())
            version = int(scalar(cur, "SELECT value FROM meta WHERE key = 'data_version'"))
            for table in _tables(cur):
                frame = cur.execute(f"SELECT * FROM {table}").df()
                if len(frame):
                    mirror.register("incoming", frame)
                    mirror.execute(f"INSERT INTO {table} SELECT * FROM incoming")
                    mirror.unregister("incoming")
        return mirror, version


def _tables(cur: PgCursor) -> list[str]:
    rows = cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows if r[0] not in MIRROR_SKIP]


BACKENDS["postgres"] = PostgresStore
