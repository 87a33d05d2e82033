"""Operations on PostgreSQL: moving a DuckDB installation over (checked row by row), and backup
and restore through pg_dump / pg_restore, from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from backends import fresh_schema, server_url
from helpers import good_template, store_snapshot

from cli.main import main
from dxboard.auth import authenticate, create_user
from dxboard.store import DuckStore, Store
from dxboard.store import migrate as migrate_module
from loaders.ingest import ingest_bytes, restore

TODAY = date(2026, 11, 22)
PASSWORD = "correct horse battery"
TABLES = ("uploads", "submissions", "raw_values", "events", "users", "login_attempts", "meta")


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_schema(server_url()) as url:
        yield url


@pytest.fixture
def duck_file(tmp_path: Path) -> Path:
    """A DuckDB installation with history: two versions, a restore, an account, sign-ins."""
    path = tmp_path / "old.duckdb"
    with DuckStore(path) as store:
        first = ingest_bytes(store, good_template("Huế", "2024-Q2"), "a.xlsx", today=TODAY)
        ingest_bytes(store, good_template("Huế", "2024-Q2", it_budget=300), "b.xlsx", today=TODAY)
        ingest_bytes(store, good_template("Đà Nẵng", "2025-Q4"), "c.xlsx", today=TODAY)
        restore(store, first.submission_ids)
        create_user(store, "lan", PASSWORD, "leader")
        authenticate(store, "lan", PASSWORD)
    return path


def test_migrate_store_moves_everything_and_checks_it(
    duck_file: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with DuckStore(duck_file) as source:
        before = store_snapshot(source, TABLES)
        version = source.data_version()
    assert main(["--lang", "en", "migrate-store", "--from", str(duck_file), "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert "submissions: 3 rows, identical" in out and "checked row by row" in out
    with Store(pg_url) as target:
        assert store_snapshot(target, TABLES) == before
        assert target.data_version() == version
        assert authenticate(target, "lan", PASSWORD).role == "leader"
        again = ingest_bytes(target, good_template("Huế", "2024-Q3"), "d.xlsx", today=TODAY)
        assert again.upload_id == 4 and again.submission_ids == [4]  # the numbering goes on
    assert main(["migrate-store", "--from", str(duck_file), "--to", pg_url]) == 1  # not empty
    assert "đã có số liệu" in capsys.readouterr().err


def test_a_copy_that_differs_is_rolled_back(
    duck_file: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = migrate_module._compare

    def one_differs(*args: object) -> migrate_module.TableCheck:
        check = real(*args)  # type: ignore[arg-type]
        return migrate_module.TableCheck(check.table, check.rows, check.table != "raw_values")

    monkeypatch.setattr(migrate_module, "_compare", one_differs)
    assert main(["migrate-store", "--from", str(duck_file), "--to", pg_url]) == 1
    with Store(pg_url) as target:
        assert target.cursor().execute("SELECT count(*) FROM uploads").fetchall() == [(0,)]


def test_migrate_store_needs_a_file_and_a_url(duck_file: Path) -> None:
    assert main(["migrate-store", "--from", str(duck_file), "--to", str(duck_file)]) == 2


def test_backup_and_restore_db_through_pg_dump(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("DXBOARD_DATABASE_URL", pg_url)
    with Store() as store:
        ingest_bytes(store, good_template("Huế", "2024-Q2"), "a.xlsx", today=TODAY)
        before = store_snapshot(store, ("submissions", "raw_values", "meta"))
    copy = tmp_path / "store.pgdump"
    assert main(["--lang", "en", "backup", str(copy)]) == 0
    assert copy.read_bytes()[:5] == b"PGDMP"
    with Store() as store:
        ingest_bytes(store, good_template("Huế", "2024-Q3"), "b.xlsx", today=TODAY)
    assert main(["restore-db", str(copy)]) == 1  # the database holds data: needs --force
    assert "--force" in capsys.readouterr().err
    assert main(["restore-db", str(copy), "--force"]) == 0
    with Store() as store:
        assert store_snapshot(store, ("submissions", "raw_values", "meta")) == before
        actions = [
            r[0] for r in store.cursor().execute("SELECT action FROM events ORDER BY id").fetchall()
        ]
        assert actions == ["upload", "restore_db"]  # the backup's events, then the restore
    bogus = tmp_path / "not_a_dump"
    bogus.write_bytes(b"hello")
    assert main(["restore-db", str(bogus), "--force"]) == 1
