"""Moving an installation from the embedded DuckDB file to PostgreSQL, checked row by row.

:func:`migrate_store` copies every table of a DuckDB store (the registry is made by the target's
own migrations) into an empty PostgreSQL store in one transaction, sets each sequence to the
source's last value, and then compares every table row by row (the same rows, in the same
order of their keys). Nothing is left half-copied: on any error the transaction rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dxboard.errors import Reason, UserError
from dxboard.store.database import Cursor, DuckStore, scalar
from dxboard.store.postgres import PostgresStore

SKIP = frozenset({"schema_migrations", "provinces"})
"""Made by the target's own migrations, not copied."""


class MigrationError(UserError):
    """The store cannot be moved: the target holds data, or the copy differs."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(Reason.BACKUP, key, **params)


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows: int
    identical: bool


def migrate_store(source: DuckStore, target: PostgresStore) -> list[TableCheck]:
    """Copy ``source`` into the empty ``target`` and compare them; one check per table."""
    tables = _tables(source)
    if any(scalar(target.cursor(), f"SELECT count(*) FROM {t}") for t in tables if t != "meta"):
        raise MigrationError("migrate_target_not_empty", target=target.location)
    with target.write() as cur:
        cur.execute("DELETE FROM meta")
        for table in tables:
            read = source.cursor().execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in read.description or []]
            cur.copy_rows(table, columns, read.fetchall())
        for name, last in (
            source.cursor()
            .execute("SELECT sequence_name, last_value FROM duckdb_sequences()")
            .fetchall()
        ):
            if last is not None:
                cur.execute("SELECT setval(?, ?)", [name, int(last)])
        checks = [_compare(source, cur, table) for table in tables]
        wrong = [c.table for c in checks if not c.identical]
        if wrong:
            raise MigrationError("migrate_differs", tables=wrong)  # rolls the copy back
    return checks


def _tables(store: DuckStore) -> list[str]:
    rows = (
        store.cursor()
        .execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name"
        )
        .fetchall()
    )
    return [r[0] for r in rows if r[0] not in SKIP]


def _compare(source: DuckStore, target: Cursor, table: str) -> TableCheck:
    """Every row of ``table`` in both stores, sorted: equal lists mean an exact copy."""
    a = _rows(source.cursor().execute(f"SELECT * FROM {table}").fetchall())
    b = _rows(target.execute(f"SELECT * FROM {table}").fetchall())
    return TableCheck(table, len(a), a == b)


def _rows(rows: list[Any]) -> list[tuple[str, ...]]:
    return sorted(tuple(_text(v) for v in row) for row in rows)


def _text(value: object) -> str:
    """A value in a form both databases give alike (floats rounded, dates in ISO form)."""
    if isinstance(value, float):
        return repr(round(value, 9))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return repr(value)
