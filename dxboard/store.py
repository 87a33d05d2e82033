"""The DuckDB store: the one place that owns the connection, the schema and the single writer.

Tables
- ``uploads``: every file received (template or bulk table): who, when, SHA-256, status
  (accepted / rejected / duplicate) and its messages. A rejected upload writes nothing else.
- ``submissions``: one accepted report for one province and period, from an upload; status
  ``accepted`` (the current one) or ``superseded``. Earlier versions stay and can be restored.
- ``raw_values``: the values of each submission (long form, yes/no stored as 1/0).
- ``events``: the audit log (uploads, restores, ...).
- ``provinces``: the registry (both eras), copied in for joins.
- ``meta``: key/value, including ``data_version`` which changes on every accepted write.
View ``current_values``: the values of the accepted submission of every province and period.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
]

_WRITE_LOCK = threading.RLock()


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

    def __init__(self, path: str | Path | None = None, wait_seconds: float = 10.0) -> None:
        self.path = Path(path) if path is not None else db_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = _connect(self.path, wait_seconds)
        self._migrate()

    def close(self) -> None:
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
        return int(self.cursor().execute("SELECT max(version) FROM schema_migrations").fetchone()[0])

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
            (p.era, p.code, p.name, p.short_name, p.ascii_name, p.region, p.successor,
             p.valid_from, p.valid_to)
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
