"""Backup and restore of the whole database: every table and row, the data version and the
sequences survive a round trip; restore refuses a database in use, writes atomically, and the
``dxboard backup`` / ``restore-db`` commands do the same."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

import dxboard.store.backup as backup_module
from cli.main import main
from dxboard.auth import authenticate, create_user, set_disabled
from dxboard.store import MIGRATIONS, Store, StoreBusyError
from dxboard.store.backup import BackupError, backup, check_backup, restore_backup
from loaders.ingest import ingest_bytes, restore
from tests.helpers import good_template, store_snapshot

TODAY = date(2026, 6, 1)
PASSWORD = "correct horse battery"


def _tables(store: Store) -> list[str]:
    return [
        r[0]
        for r in store.cursor()
        .execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1")
        .fetchall()
    ]


def _everything(path: Path) -> dict[str, object]:
    """Every row of every table, the views, the next sequence values and the data version."""
    with Store(path) as store:
        tables = _tables(store)
        out: dict[str, object] = dict(store_snapshot(store, tables))
        cur = store.cursor()
        out["_views"] = sorted(
            r[0]
            for r in cur.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        )
        out["_sequences"] = sorted(
            cur.execute("SELECT sequence_name, last_value FROM duckdb_sequences()").fetchall()
        )
        out["_data_version"] = store.data_version()
    return out


def _fill(store: Store) -> None:
    """Some of everything: accepted, superseded, restored, rejected, duplicate; accounts."""
    changes = ({}, {"it_budget": 300}, {"procedures_level4": 5000}, {"it_budget": 301})
    files = [good_template("Đà Nẵng", "2024-Q2", **extra) for extra in changes]
    for i, data in enumerate([*files, files[1]]):  # the last one is a duplicate
        ingest_bytes(store, data, f"dn{i}.xlsx", actor="cli", today=TODAY)
    ingest_bytes(store, good_template("Cần Thơ", "2025-Q4"), "ct.xlsx", today=TODAY)
    restore(store, 1, actor="cli")
    create_user(store, "ct", PASSWORD, "officer", province="92", display_name="Cán bộ")
    create_user(store, "lan", PASSWORD, "leader")
    set_disabled(store, "lan", True)
    authenticate(store, "ct", PASSWORD, now=datetime(2026, 1, 5, 8, 0))


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "live.duckdb"
    with Store(path) as store:
        _fill(store)
    return path


def test_round_trip_keeps_every_table_and_row(db: Path, tmp_path: Path) -> None:
    before = _everything(db)
    assert set(before) >= {
        "uploads",
        "submissions",
        "raw_values",
        "events",
        "users",
        "login_attempts",
        "provinces",
        "meta",
        "schema_migrations",
    }
    assert before["_data_version"] == 5 and before["_views"] == ["current_values"]
    copy = tmp_path / "backups" / "copy.duckdb"
    with Store(db) as store:
        assert backup(store, copy, actor="admin") == copy
        logged = (
            store.cursor()
            .execute("SELECT actor, action FROM events ORDER BY id DESC LIMIT 1")
            .fetchone()
        )
    assert logged == ("admin", "backup")
    assert check_backup(copy) == len(MIGRATIONS)
    assert _everything(copy) == before  # the copy is exactly the database at backup time

    restored = tmp_path / "restored" / "new.duckdb"
    assert restore_backup(copy, restored, actor="admin") == str(restored)
    after = _everything(restored)
    events = after.pop("events")
    sequences = dict(after.pop("_sequences"))
    assert after == {k: v for k, v in before.items() if k not in ("events", "_sequences")}
    expected = dict(before["_sequences"])
    expected["event_ids"] += 1  # the restore_db entry
    assert sequences == expected
    # the events are those of the backup plus one entry for the restore itself
    assert [e for e in events if e[3] != "restore_db"] == before["events"]
    assert [e[2:4] for e in events if e[3] == "restore_db"] == [("admin", "restore_db")]

    # sequences carried over: the next upload continues the numbering
    with Store(restored) as store:
        result = ingest_bytes(store, good_template("Huế", "2024-Q2"), "hue.xlsx", today=TODAY)
        assert result.status == "accepted"
        assert result.upload_id == len(before["uploads"]) + 1
        assert result.submission_ids == [len(before["submissions"]) + 1]
        assert store.data_version() == before["_data_version"] + 1
        assert authenticate(store, "ct", PASSWORD).province_code == "92"
    assert not [p for p in tmp_path.rglob("*.tmp*")]


def test_restore_refuses_a_database_in_use_and_needs_force(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    with Store(db) as store:
        backup(store, copy)
        ingest_bytes(store, good_template("Huế", "2024-Q2"), "hue.xlsx", today=TODAY)
        with pytest.raises(StoreBusyError):  # open in this process
            restore_backup(copy, db, force=True)
    changed = _everything(db)
    with pytest.raises(BackupError) as info:
        restore_backup(copy, db)
    assert "--force" in info.value.message_en
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(db)!r})
        print("ready", flush=True)
        time.sleep(60)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreBusyError):  # open in another process (the web app)
            restore_backup(copy, db, force=True)
    finally:
        holder.kill()
        holder.wait()
    assert _everything(db) == changed  # refusals changed nothing
    restore_backup(copy, db, force=True)
    now = _everything(db)
    assert now["_data_version"] == changed["_data_version"] - 1
    assert len(now["uploads"]) == len(changed["uploads"]) - 1
    assert not [p for p in tmp_path.rglob("*.tmp*")]


def test_restore_is_atomic(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "copy.duckdb"
    with Store(db) as store:
        backup(store, copy)
        ingest_bytes(store, good_template("Huế", "2024-Q2"), "hue.xlsx", today=TODAY)
    before = _everything(db)

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(backup_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        restore_backup(copy, db, force=True)
    monkeypatch.undo()
    assert _everything(db) == before  # the old database, whole
    assert not [p for p in tmp_path.rglob("*.tmp*")]


def test_restore_checks_the_backup(db: Path, tmp_path: Path) -> None:
    before = _everything(db)
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database at all" * 100)
    for bad in (other, garbage, tmp_path / "missing.duckdb"):
        with pytest.raises(BackupError):
            restore_backup(bad, db, force=True)
    with pytest.raises(BackupError):
        restore_backup(db, db, force=True)
    assert _everything(db) == before


def test_backup_never_interleaves_with_writers(tmp_path: Path) -> None:
    """Backups taken while another thread uploads are each a consistent state: the data
    version equals the number of accepted uploads, and every submission has all its values."""
    store = Store(tmp_path / "live.duckdb")
    files = [good_template("Đà Nẵng", "2024-Q2", it_budget=100 + i) for i in range(6)]
    done = threading.Event()

    def upload() -> None:
        for i, data in enumerate(files):
            ingest_bytes(store, data, f"f{i}.xlsx", today=TODAY)
        done.set()

    thread = threading.Thread(target=upload)
    thread.start()
    copies = []
    while not done.is_set() or not copies:
        copies.append(backup(store, tmp_path / f"b{len(copies)}.duckdb"))
    thread.join()
    store.close()
    for copy in copies:
        con = duckdb.connect(str(copy), read_only=True)
        version = int(
            con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]
        )
        accepted = con.execute("SELECT count(*) FROM uploads WHERE status = 'accepted'").fetchone()[
            0
        ]
        n_values = con.execute("SELECT count(*) FROM raw_values").fetchone()[0]
        events = con.execute("SELECT count(*) FROM events WHERE action = 'upload'").fetchone()[0]
        con.close()
        assert version == accepted == events and n_values == 22 * accepted


def test_cli_backup_and_restore_db(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    before = _everything(db)
    copy = tmp_path / "cli_copy.duckdb"
    assert main(["--db", str(db), "--lang", "en", "backup", str(copy)]) == 0
    assert "data version 5" in capsys.readouterr().out
    with Store(db) as store:
        ingest_bytes(store, good_template("Huế", "2024-Q2"), "hue.xlsx", today=TODAY)
    assert main(["--db", str(db), "restore-db", str(copy)]) == 1  # exists: needs --force
    assert "--force" in capsys.readouterr().err
    assert main(["--db", str(db), "restore-db", str(copy), "--force"]) == 0
    after = _everything(db)
    assert after["_data_version"] == before["_data_version"]
    assert after["uploads"] == before["uploads"] and after["raw_values"] == before["raw_values"]
    assert main(["--db", str(db), "restore-db", str(tmp_path / "nope.duckdb"), "--force"]) == 1
