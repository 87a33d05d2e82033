"""Backup and restore of the whole database.

On PostgreSQL (``$DXBOARD_DATABASE_URL``, or a URL given) both go through ``pg_dump`` and
``pg_restore`` (custom format, restored in a single transaction, so a failure leaves the old
database); the DuckDB file is handled as below.

- :func:`backup` writes a consistent copy of an open store to one DuckDB file: a new database
  is attached and filled with ``COPY FROM DATABASE`` (tables, views, indexes and sequences with
  their current values) while the store's writer lock is held, so no upload of this process
  interleaves (no other process can have the file open: DuckDB locks it). The copy is written
  to a temporary file next to the destination and renamed into place, and logged (``backup``).
- :func:`restore_backup` replaces the database file by a backup. It refuses while the database
  is open (in this process or another, e.g. the running web app), refuses to replace an
  existing database unless ``force``, checks that the backup is a dxboard database, builds the
  new file next to the target and renames it into place (``os.replace``, atomic), so a crash
  leaves either the old or the new database, never a mix. Logged (``restore_db``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import duckdb

from dxboard.errors import Reason, UserError
from dxboard.paths import db_path
from dxboard.store.audit import log_event
from dxboard.store.database import (
    URL_ENV,
    DuckStore,
    Store,
    StoreBusyError,
    is_open_in_process,
    is_url,
    scalar,
)
from dxboard.store.postgres import PostgresStore
from dxboard.store.schema import MIGRATIONS


class BackupError(UserError):
    """A backup or restore that cannot be made; the message says why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(Reason.BACKUP, key, **params)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _temp_next_to(path: Path) -> Path:
    return path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _copy_database(cur: duckdb.DuckDBPyConnection, source: str, dest: Path) -> None:
    """``COPY FROM DATABASE source`` into a new file ``dest`` (attached, filled, detached)."""
    alias = f"dx_copy_{uuid.uuid4().hex[:8]}"
    cur.execute(f"ATTACH {_sql_text(str(dest))} AS {alias}")
    try:
        cur.execute(f"COPY FROM DATABASE {_quote(source)} TO {alias}")
    finally:
        cur.execute(f"DETACH {alias}")


def _install(tmp: Path, dest: Path) -> None:
    """Rename the finished ``tmp`` over ``dest`` atomically, durably."""
    if Path(f"{tmp}.wal").exists():  # DETACH checkpoints; a WAL left over would be lost
        raise BackupError("backup_incomplete")
    _fsync(tmp)
    with contextlib.suppress(FileNotFoundError):
        Path(f"{dest}.wal").unlink()
    os.replace(tmp, dest)
    _fsync(dest.parent)


def backup(store: Store, dest_path: str | Path, *, actor: str = "system") -> Path:
    """Write a consistent copy of ``store`` to ``dest_path`` (replaced if it exists): a DuckDB
    file, or for PostgreSQL a ``pg_dump`` archive; returns its path."""
    dest = Path(dest_path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_next_to(dest)
    try:
        if isinstance(store, PostgresStore):
            version = store.data_version()
            schema = scalar(store.cursor(), "SELECT current_schema()")
            _pg(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--schema={schema}",
                    f"--file={tmp}",
                    store.url,
                ]
            )
        else:
            version = _duck_copy(store, dest, tmp)
        _install(tmp, dest)
    except BaseException:
        _remove(tmp)
        raise
    with store.write() as cur:
        log_event(
            cur,
            actor,
            "backup",
            detail={"file": str(dest), "bytes": dest.stat().st_size, "data_version": int(version)},
        )
    return dest


def _duck_copy(store: Store, dest: Path, tmp: Path) -> int:
    """``COPY FROM DATABASE`` of a DuckDB store into ``tmp``; the data version copied."""
    assert isinstance(store, DuckStore)
    if str(store.path) != ":memory:" and dest.resolve() == store.path.resolve():
        raise BackupError("backup_over_itself")
    with store.exclusive() as cur:
        name = scalar(cur, "SELECT current_database()")
        version = scalar(cur, "SELECT value FROM meta WHERE key = 'data_version'")
        _copy_database(cur, name, tmp)
    return int(version)


def _pg(command: list[str]) -> None:
    """Run a PostgreSQL client program; :class:`BackupError` with its message on failure."""
    if shutil.which(command[0]) is None:
        raise BackupError("backup_tool_missing", tool=command[0])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError("backup_tool_failed", tool=command[0], detail=done.stderr.strip()[-500:])


def check_backup(src: str | Path) -> int:
    """The schema version of the dxboard database ``src``; :class:`BackupError` if it is not one
    (or is newer than this program)."""
    src = Path(src)
    if not src.is_file():
        raise BackupError("backup_not_found", file=str(src))
    try:
        con = duckdb.connect(str(src), read_only=True)
    except duckdb.Error as exc:
        raise BackupError("backup_unreadable", file=str(src), detail=str(exc)) from None
    try:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
            ).fetchall()
        }
        needed = {"schema_migrations", "meta", "uploads", "submissions", "raw_values", "events"}
        if not needed <= tables:
            raise BackupError("backup_not_ours", file=str(src), tables=sorted(needed - tables))
        version = scalar(con, "SELECT max(version) FROM schema_migrations")
    finally:
        con.close()
    if version is None or int(version) > len(MIGRATIONS):
        raise BackupError("backup_newer", file=str(src), version=version, ours=len(MIGRATIONS))
    return int(version)


def _refuse_if_in_use(target: Path) -> None:
    """StoreBusyError when ``target`` is open here or in another process; else checkpoint it so
    no write-ahead log is left behind."""
    if is_open_in_process(target):
        raise StoreBusyError(target, "open in this process")
    try:
        con = duckdb.connect(str(target))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreBusyError(target, str(exc)) from None
        raise
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()


def restore_backup(
    src: str | Path,
    db_file: str | Path | None = None,
    *,
    force: bool = False,
    actor: str = "system",
) -> str:
    """Replace the database ``db_file`` (default: ``$DXBOARD_DATABASE_URL``, else
    ``$DXBOARD_DB``) by the backup ``src``; returns the database's location.

    Refuses (:class:`StoreBusyError`) while a DuckDB file is open anywhere, and
    (:class:`BackupError`) when the database holds data and ``force`` is false or ``src`` is not
    a backup. On PostgreSQL the app processes must be stopped first (see docs/DEPLOY.md).
    """
    location = db_file if db_file is not None else os.environ.get(URL_ENV) or db_path()
    if is_url(location):
        return _pg_restore(Path(src), str(location), force, actor)
    src, target = Path(src), Path(location)
    check_backup(src)
    if src.resolve() == target.resolve():
        raise BackupError("backup_is_database")
    if target.exists():
        if not force:
            raise BackupError("backup_target_exists", file=str(target))
        _refuse_if_in_use(target)
    elif is_open_in_process(target):
        raise StoreBusyError(target, "open in this process")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_next_to(target)
    try:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"ATTACH {_sql_text(str(src))} AS dx_source (READ_ONLY)")
            _copy_database(con, "dx_source", tmp)
            con.execute("DETACH dx_source")
        finally:
            con.close()
        _install(tmp, target)
    except BaseException:
        _remove(tmp)
        raise
    with Store(target) as store, store.write() as cur:  # migrates an older backup
        log_event(cur, actor, "restore_db", detail={"file": str(src)})
    return str(target)


def _pg_restore(src: Path, url: str, force: bool, actor: str) -> str:
    """``pg_restore`` of a ``pg_dump`` archive into the database ``url``, in one transaction."""
    if not src.is_file():
        raise BackupError("backup_not_found", file=str(src))
    if not src.read_bytes()[:5] == b"PGDMP":
        raise BackupError("backup_not_pg_dump", file=str(src))
    with Store(url) as store:
        has_data = scalar(store.cursor(), "SELECT count(*) FROM uploads") > 0
        location = store.location
    if has_data and not force:
        raise BackupError("backup_target_exists", file=location)
    _pg(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={url}",
            str(src),
        ]
    )
    with Store(url) as store, store.write() as cur:  # migrates an older backup
        log_event(cur, actor, "restore_db", detail={"file": str(src)})
    return url
