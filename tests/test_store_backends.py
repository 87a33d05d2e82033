"""The store on both backends: which one opens, migrations, rollback, the one-accepted rule held
by the database itself, writers of several processes, and the analytics copy of PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import psycopg
import pytest
from backends import fresh_schema, server_url
from helpers import good_template

from dxboard.store import MIGRATIONS, DuckStore, PostgresStore, Store
from dxboard.store.database import bump_version
from dxboard.store.frames import read_raw
from dxboard.store.postgres import StoreUnreachable, to_postgres
from loaders.ingest import ingest_bytes

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 22)


def test_the_location_chooses_the_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert isinstance(Store(tmp_path / "a.duckdb"), DuckStore)
    monkeypatch.setenv("DXBOARD_DATABASE_URL", "")
    assert isinstance(Store(), DuckStore)  # an empty URL is no URL: the embedded default
    monkeypatch.setenv("DXBOARD_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(StoreUnreachable) as info:
        Store(wait_seconds=0)  # the URL wins over $DXBOARD_DB, and says it cannot connect
    assert "127.0.0.1:1/none" in info.value.message("en") and "nobody" not in str(info.value)


def test_placeholders_become_psycopgs() -> None:
    sql = "SELECT '?', '%', x FROM t WHERE a = ? AND b LIKE 'a%' AND c = ?"
    assert to_postgres(sql, True) == (
        "SELECT '?', '%%', x FROM t WHERE a = %s AND b LIKE 'a%%' AND c = %s"
    )
    assert to_postgres("SELECT 'it''s ?' || ?", False) == "SELECT 'it''s ?' || %s"
    assert to_postgres("SELECT 100 % 7", False) == "SELECT 100 % 7"


@pytest.mark.backends
def test_migrations_apply_once_and_rollback(backend: str) -> None:
    with Store() as store:
        assert store.dialect == backend
        assert store.schema_version() == len(MIGRATIONS)
    with Store() as store:  # reopening applies nothing twice
        assert store.cursor().execute("SELECT count(*) FROM schema_migrations").fetchall() == [
            (len(MIGRATIONS),)
        ]
        with pytest.raises(RuntimeError), store.write() as cur:
            bump_version(cur)
            cur.execute(
                "INSERT INTO events (at_time, actor, action) VALUES (?, 'x', 'y')",
                [datetime(2026, 1, 1)],
            )
            raise RuntimeError("boom")
        assert store.data_version() == 0
        assert store.cursor().execute("SELECT count(*) FROM events").fetchall() == [(0,)]


def test_postgres_itself_keeps_one_accepted_submission_per_province_and_period(
    pg_store: PostgresStore,
) -> None:
    """Even a write that bypasses the pipeline cannot make two accepted submissions."""
    store = pg_store
    ingest_bytes(store, good_template("Huế", "2024-Q2"), "a.xlsx", today=TODAY)
    with pytest.raises(psycopg.errors.UniqueViolation), store.write() as cur:
        cur.execute(
            "INSERT INTO submissions (upload_id, province_code, period, era, dataset, "
            "content_hash, received_at, status) SELECT upload_id, province_code, period, "
            "era, dataset, 'x', received_at, 'accepted' FROM submissions"
        )
    assert store.cursor().execute("SELECT count(*) FROM submissions").fetchall() == [(1,)]


def test_the_analytics_copy_follows_the_data_version(pg_store: PostgresStore) -> None:
    store = pg_store
    assert read_raw(store, "2024-Q2").empty
    first = store.analytics()
    assert store.analytics() is not first  # a cursor each time ...
    copy = store._mirror
    read_raw(store, "2024-Q2")
    assert store._mirror is copy  # ... on the same copy while nothing changed
    ingest_bytes(
        store, good_template("Huế", "2024-Q2", procedures_total=2000), "a.xlsx", today=TODAY
    )
    raw = read_raw(store, "2024-Q2")
    assert store._mirror is not copy and store._mirror_version == store.data_version()
    assert raw["procedures_total"].tolist() == [2000.0]


def test_writers_of_two_processes_queue_behind_the_advisory_lock(
    pg_store: PostgresStore,
) -> None:
    """A second process's write waits for the first one's transaction (DuckDB's single writer,
    across processes), then goes through."""
    child = textwrap.dedent("""
        import sys
        from dxboard.store import Store
        from dxboard.store.database import bump_version
        with Store(sys.argv[1]) as store:
            print("open", flush=True)
            with store.write() as cur:
                bump_version(cur)
            print("written", flush=True)
    """)
    with pg_store.write() as cur:
        bump_version(cur)
        proc = subprocess.Popen(
            [sys.executable, "-c", child, pg_store.url], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "open"  # an up-to-date store opens at once
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=1.5)  # its write waits for this transaction
    assert proc.stdout.readline().strip() == "written"
    assert proc.wait(timeout=60) == 0
    assert pg_store.data_version() == 2


@pytest.fixture
def pg_store() -> Iterator[PostgresStore]:
    """A PostgreSQL store in a schema of this test's own (``tests/backends.py``)."""
    with fresh_schema(server_url()) as url:
        store = PostgresStore(url)
        try:
            yield store
        finally:
            store.close()
