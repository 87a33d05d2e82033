"""Local accounts (``users``) and sign-in attempts (``login_attempts``)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, NamedTuple

from dxboard.store.audit import log_event
from dxboard.store.database import Store, scalar


class UserRow(NamedTuple):
    username: str
    role: str
    display_name: str
    province_code: str | None
    province_era: str | None
    disabled: bool
    password_hash: str


_COLUMNS = "username, role, display_name, province_code, province_era, disabled, password_hash"


def insert_user(store: Store, row: UserRow, created_at: datetime, actor: str) -> bool:
    """Add an account and log ``user_created``; False (nothing written) when the name exists."""
    with store.write() as cur:
        if cur.execute("SELECT 1 FROM users WHERE username = ?", [row.username]).fetchall():
            return False
        cur.execute(
            f"INSERT INTO users ({_COLUMNS}, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [*row, created_at],
        )
        detail = {
            "username": row.username,
            "role": row.role,
            "province": row.province_code,
            "display_name": row.display_name,
        }
        log_event(cur, actor, "user_created", detail=detail)
    return True


def find_user(store: Store, username: str) -> UserRow | None:
    rows = store.cursor().execute(f"SELECT {_COLUMNS} FROM users WHERE username = ?", [username])
    found = rows.fetchall()
    return UserRow(*found[0]) if found else None


def all_users(store: Store) -> list[UserRow]:
    rows = store.cursor().execute(f"SELECT {_COLUMNS} FROM users ORDER BY username").fetchall()
    return [UserRow(*r) for r in rows]


def count_users(store: Store) -> int:
    return int(scalar(store.cursor(), "SELECT count(*) FROM users"))


def update_user(store: Store, username: str, actor: str, action: str, **values: Any) -> bool:
    """Set ``values`` (``disabled``, ``password_hash``) of an account and log ``action``; False
    when there is no such account."""
    assignments = ", ".join(f"{column} = ?" for column in values)
    with store.write() as cur:
        found = cur.execute(
            f"UPDATE users SET {assignments} WHERE username = ? RETURNING username",
            [*values.values(), username],
        ).fetchall()
        if found:
            log_event(cur, actor, action, detail={"username": username})
    return bool(found)


def recent_failures(store: Store, username: str, since: datetime, now: datetime) -> list[datetime]:
    """Failed attempts of ``username`` in (``since``, ``now``] after its last success, newest
    first."""
    rows = (
        store.cursor()
        .execute(
            "SELECT at_time FROM login_attempts WHERE username = ? AND NOT ok AND at_time > ? "
            "AND at_time <= ? AND at_time > coalesce((SELECT max(at_time) FROM login_attempts "
            "WHERE username = ? AND ok), TIMESTAMP '1970-01-01') ORDER BY at_time DESC",
            [username, since, now, username],
        )
        .fetchall()
    )
    return [r[0] for r in rows]


def record_attempt(
    store: Store, username: str, at_time: datetime, ok: bool | None, detail: dict[str, Any]
) -> None:
    """One sign-in attempt (``ok`` None: refused unchecked, not counted) and its event."""
    with store.write() as cur:
        if ok is not None:
            cur.execute("INSERT INTO login_attempts VALUES (?, ?, ?)", [username, at_time, ok])
        action = "login" if ok else "login_failed"
        log_event(cur, username, action, detail=detail, at_time=at_time)


SECRET_KEY = "session_secret"


def session_secret(store: Store) -> str:
    """The server secret that signs sign-in tokens (``meta.session_secret``), made on first use.

    Two processes starting together may both try to create it: the insert keeps the first.
    """
    cur = store.cursor()
    found = cur.execute("SELECT value FROM meta WHERE key = ?", [SECRET_KEY]).fetchall()
    if found:
        return str(found[0][0])
    with store.write() as wcur:
        wcur.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [SECRET_KEY, secrets.token_hex(32)],
        )
    return str(scalar(store.cursor(), "SELECT value FROM meta WHERE key = ?", [SECRET_KEY]))
