"""The store: migrations, path setting, the data version, rollback, and a busy database."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dxboard.paths import db_path
from dxboard.store import MIGRATIONS, Store, StoreBusyError
from dxboard.store.database import bump_version


def test_migrations_apply_once(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    with Store(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
    with Store(path) as store:  # reopening applies nothing twice
        rows = store.cursor().execute("SELECT count(*) FROM schema_migrations").fetchone()
        assert rows[0] == len(MIGRATIONS)
        provinces = (
            store.cursor()
            .execute("SELECT era, count(*) FROM provinces GROUP BY era ORDER BY era")
            .fetchall()
        )
        assert provinces == [("current", 34), ("legacy", 63)]


def test_db_path_comes_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXBOARD_DB", str(tmp_path / "x.duckdb"))
    assert db_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("DXBOARD_DB")
    assert db_path().parts[-2:] == ("var", "dxboard.duckdb")


def test_write_rolls_back_on_error() -> None:
    store = Store(":memory:")
    with pytest.raises(RuntimeError), store.write() as cur:
        bump_version(cur)
        cur.execute("INSERT INTO events (at_time, actor, action) VALUES (now(), 'x', 'y')")
        raise RuntimeError("boom")
    assert store.data_version() == 0
    assert store.cursor().execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_busy_database_fails_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "busy.duckdb"
    Store(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        time.sleep(30)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        with pytest.raises(StoreBusyError) as info:
            Store(path, wait_seconds=0.5)
        assert time.monotonic() - started >= 0.5
        assert "đang được một tiến trình khác sử dụng" in info.value.message_vi
        assert "in use by another process" in info.value.message_en
    finally:
        holder.kill()
        holder.wait()
    with Store(path) as store:  # intact after the holder is gone
        assert store.schema_version() == len(MIGRATIONS)
