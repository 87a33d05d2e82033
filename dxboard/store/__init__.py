"""The store: the only package that writes SQL, on the embedded DuckDB file (default) or on
PostgreSQL (``$DXBOARD_DATABASE_URL``).

``database`` owns the connection, the migrations (``schema``) and the single writer, with the
DuckDB backend; ``postgres`` the PostgreSQL backend; ``submissions`` the uploads, submissions and
values (what ingest reads and writes, restores, history); ``accounts`` the local accounts and
sign-in attempts; ``audit`` the event log; ``frames`` the reads behind the metrics; ``backup``
copies of the whole database.
"""

from dxboard.store import postgres, submissions
from dxboard.store.database import (
    DEFAULT_WAIT_SECONDS,
    DuckStore,
    Store,
    StoreBusyError,
    open_store,
    wait_seconds_default,
)
from dxboard.store.postgres import PostgresStore
from dxboard.store.schema import MIGRATIONS

__all__ = [
    "DEFAULT_WAIT_SECONDS",
    "MIGRATIONS",
    "DuckStore",
    "PostgresStore",
    "Store",
    "StoreBusyError",
    "open_store",
    "postgres",
    "submissions",
    "wait_seconds_default",
]
