"""Backup and restore of the whole database.

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
import uuid
from pathlib import Path

import duckdb

from dxboard.errors import Reason, UserError
from dxboard.paths import db_path
from dxboard.store.audit import log_event
from dxboard.store.database import Store, StoreBusyError, is_open_in_process, scalar
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
    """Write a consistent copy of ``store`` to the DuckDB file ``dest_path`` (replaced if it
    exists); returns its path."""
    dest = Path(dest_path)
    if str(store.path) != ":memory:" and dest.resolve() == store.path.resolve():
        raise BackupError("backup_over_itself")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_next_to(dest)
    try:
        with store.exclusive() as cur:
            name = scalar(cur, "SELECT current_database()")
            version = scalar(cur, "SELECT value FROM meta WHERE key = 'data_version'")
            _copy_database(cur, name, tmp)
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
) -> Path:
    """Replace the database ``db_file`` (default ``$DXBOARD_DB``) by the backup ``src``.

    Refuses (:class:`StoreBusyError`) while the database is open anywhere, and
    (:class:`BackupError`) when it exists and ``force`` is false or ``src`` is not a backup.
    """
    src, target = Path(src), Path(db_file) if db_file is not None else db_path()
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
    return target
