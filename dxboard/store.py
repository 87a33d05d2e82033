"""The DuckDB store: the one place that owns the connection, the schema and the single writer.

Tables
- ``uploads``: every file received (template or bulk table): who, when, SHA-256, status
  (accepted / rejected / duplicate) and its messages. A rejected upload writes nothing else.
- ``submissions``: one accepted report for one province and period, from an upload; status
  ``accepted`` (the current one) or ``superseded``. Earlier versions stay and can be restored.
- ``raw_values``: the values of each submission (long form, yes/no stored as 1/0).
- ``events``: the audit log (uploads, restores, sign-ins, account changes, ...).
- ``users`` and ``login_attempts``: local accounts and every sign-in attempt (``dxboard.auth``).
- ``provinces``: the registry (both eras), copied in for joins.
- ``meta``: key/value, including ``data_version`` which changes on every accepted write.
View ``current_values``: the values of the accepted submission of every province and period.
"""

from __future__ import annotations

import json
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from dxboard.paths import db_path

MIGRATIONS: list[str] = [
    # 1: the versioned store
    """
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
    INSERT INTO meta VALUES ('data_version', '0');
    CREATE TABLE provinces (
        era VARCHAR NOT NULL, code VARCHAR NOT NULL, name VARCHAR NOT NULL,
        short_name VARCHAR NOT NULL, ascii_name VARCHAR NOT NULL, region VARCHAR NOT NULL,
        successor VARCHAR, valid_from DATE, valid_to DATE, PRIMARY KEY (era, code));
    CREATE SEQUENCE upload_ids START 1;
    CREATE TABLE uploads (
        id BIGINT PRIMARY KEY DEFAULT nextval('upload_ids'),
        kind VARCHAR NOT NULL,              -- template | bulk | unknown
        dataset VARCHAR NOT NULL,           -- demo | official | ...
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        actor VARCHAR NOT NULL,
        received_at TIMESTAMP NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('accepted', 'rejected', 'duplicate')),
        province_code VARCHAR,              -- template uploads: the province
        period VARCHAR,                     -- template uploads: the period
        n_reports INTEGER NOT NULL DEFAULT 0,
        messages JSON NOT NULL);
    CREATE SEQUENCE submission_ids START 1;
    CREATE TABLE submissions (
        id BIGINT PRIMARY KEY DEFAULT nextval('submission_ids'),
        upload_id BIGINT NOT NULL,
        province_code VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        era VARCHAR NOT NULL,
        dataset VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL,
        received_at TIMESTAMP NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('accepted', 'superseded')),
        source_ref VARCHAR);                -- sheet and row for bulk tables
    CREATE INDEX submissions_key ON submissions (province_code, period);
    CREATE TABLE raw_values (
        submission_id BIGINT NOT NULL,
        province_code VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        field VARCHAR NOT NULL,
        value DOUBLE,
        note VARCHAR,
        ref_no VARCHAR,
        ref_date DATE,
        PRIMARY KEY (submission_id, field));
    CREATE SEQUENCE event_ids START 1;
    CREATE TABLE events (
        id BIGINT PRIMARY KEY DEFAULT nextval('event_ids'),
        at_time TIMESTAMP NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL,
        upload_id BIGINT, submission_id BIGINT, detail JSON);
    CREATE VIEW current_values AS
        SELECT v.province_code, v.period, v.field, v.value, v.note, v.ref_no, v.ref_date,
               v.submission_id, s.upload_id, s.dataset, s.era, s.received_at
        FROM raw_values v JOIN submissions s ON s.id = v.submission_id
        WHERE s.status = 'accepted';
    """,
    # 2: accounts and sign-in attempts (dxboard.auth)
    """
    CREATE TABLE users (
        username VARCHAR PRIMARY KEY,       -- lower case
        display_name VARCHAR NOT NULL DEFAULT '',
        role VARCHAR NOT NULL CHECK (role IN ('admin', 'analyst', 'leader', 'officer')),
        province_era VARCHAR,               -- officers: always 'current'
        province_code VARCHAR,              -- officers: the current province they report for
        password_hash VARCHAR NOT NULL,     -- scrypt$n$r$p$salt_b64$hash_b64
        disabled BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMP NOT NULL,
        CHECK ((role = 'officer') = (province_code IS NOT NULL)));
    CREATE TABLE login_attempts (
        username VARCHAR NOT NULL, at_time TIMESTAMP NOT NULL, ok BOOLEAN NOT NULL);
    CREATE INDEX login_attempts_user ON login_attempts (username, at_time);
    """,
]

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


def log_event(
    cur: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    upload_id: int | None = None,
    submission_id: int | None = None,
    detail: dict | None = None,
    at_time: datetime | None = None,
) -> None:
    """Append one row to the audit log ``events`` inside the caller's transaction."""
    cur.execute(
        "INSERT INTO events (at_time, actor, action, upload_id, submission_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            at_time or datetime.now(),
            actor,
            action,
            upload_id,
            submission_id,
            json.dumps(detail or {}, ensure_ascii=False, default=str),
        ],
    )


class StoreBusyError(RuntimeError):
    """Another process holds the database for writing."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.message_vi = (
            f"Cơ sở dữ liệu {path} đang được một tiến trình khác sử dụng (ví dụ ứng dụng web). "
            "Hãy thử lại sau hoặc dừng tiến trình đó."
        )
        self.message_en = (
            f"The database {path} is in use by another process (for example the web app). "
            "Try again later or stop that process."
        )
        super().__init__(f"{self.message_vi} / {self.message_en} ({detail})")


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
        row = self.cursor().execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return int(row[0])

    @staticmethod
    def bump_version(cur: duckdb.DuckDBPyConnection) -> None:
        """Increment the data version inside the caller's write transaction."""
        cur.execute(
            "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
            "WHERE key = 'data_version'"
        )

    def schema_version(self) -> int:
        sql = "SELECT max(version) FROM schema_migrations"
        return int(self.cursor().execute(sql).fetchone()[0])

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
        from dxboard.registry import load_registry

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
        (count,) = cur.execute("SELECT count(*) FROM provinces").fetchone()
        if count == len(rows):
            return
        cur.execute("BEGIN TRANSACTION")
        cur.execute("DELETE FROM provinces")
        cur.executemany("INSERT INTO provinces VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        cur.execute("COMMIT")


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
