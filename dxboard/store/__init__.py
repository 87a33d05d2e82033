"""The store: the only package that writes SQL.

``database`` owns the DuckDB connection, the migrations (``schema``) and the single writer;
``submissions`` the uploads, submissions and values (what ingest reads and writes, restores,
history); ``accounts`` the local accounts and sign-in attempts; ``audit`` the event log;
``frames`` the reads behind the metrics; ``backup`` copies of the whole database.
"""

from dxboard.store import submissions
from dxboard.store.database import (
    DEFAULT_WAIT_SECONDS,
    Store,
    StoreBusyError,
    open_store,
    wait_seconds_default,
)
from dxboard.store.schema import MIGRATIONS

__all__ = [
    "DEFAULT_WAIT_SECONDS",
    "MIGRATIONS",
    "Store",
    "StoreBusyError",
    "open_store",
    "submissions",
    "wait_seconds_default",
]
