"""Review and approval: the ``reviews`` history and ``review_comments`` of each submission, the
locks (approved province-periods) the ingest pipeline reads in its write transaction, and the
frames the pages and the command line show.

A submission's review state is the state of its newest ``reviews`` row, ``submitted`` without
one, so it belongs to the submission: a newer upload starts a new review, and restoring an
earlier submission brings its state back. A province-period is locked while its accepted
submission is ``approved``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from dxboard.store.database import Cursor, Store

Key = tuple[str, str]

_LATEST = (
    "LEFT JOIN reviews r ON r.submission_id = s.id AND r.id = "
    "(SELECT max(x.id) FROM reviews x WHERE x.submission_id = s.id)"
)
_STATE = "COALESCE(r.state, 'submitted')"
_KEYS = "(SELECT unnest(?::VARCHAR[]) AS province_code, unnest(?::VARCHAR[]) AS period)"


@dataclass(frozen=True)
class Reviewed:
    """A submission with its review state (``actor``/``at_time``/``note``: of its newest review
    action, ``None`` before any)."""

    submission_id: int
    province_code: str
    period: str
    status: str  # accepted | superseded
    state: str  # submitted | approved | returned
    actor: str | None = None
    at_time: datetime | None = None
    note: str | None = None


def _reviewed(row: tuple) -> Reviewed:
    sid, prov, period, status, state, actor, at, note = row
    return Reviewed(int(sid), prov, period, status, state, actor, at, note)


_SELECT = (
    f"SELECT s.id, s.province_code, s.period, s.status, {_STATE}, r.actor, r.at_time, r.note "
    f"FROM submissions s {_LATEST} "
)


def submission(cur: Cursor, submission_id: int) -> Reviewed | None:
    """The submission ``submission_id`` with its review state (None when there is none)."""
    rows = cur.execute(_SELECT + "WHERE s.id = ?", [submission_id]).fetchall()
    return _reviewed(rows[0]) if rows else None


def accepted(cur: Cursor, province_code: str, period: str) -> Reviewed | None:
    """The accepted submission of a province-period with its review state."""
    rows = cur.execute(
        _SELECT + "WHERE s.status = 'accepted' AND s.province_code = ? AND s.period = ?",
        [province_code, period],
    ).fetchall()
    return _reviewed(rows[0]) if rows else None


def locks(cur: Cursor, keys: Collection[Key]) -> dict[Key, Reviewed]:
    """The province-periods among ``keys`` whose accepted submission is approved (locked)."""
    if not keys:
        return {}
    ordered = sorted(set(keys))
    rows = cur.execute(
        _SELECT + f"JOIN {_KEYS} k ON k.province_code = s.province_code AND k.period = s.period "
        f"WHERE s.status = 'accepted' AND {_STATE} = 'approved'",
        [[k[0] for k in ordered], [k[1] for k in ordered]],
    ).fetchall()
    return {(r[1], r[2]): _reviewed(r) for r in rows}


def add_review(
    cur: Cursor,
    submission_id: int,
    action: str,
    state: str,
    actor: str,
    at_time: datetime,
    note: str | None = None,
) -> None:
    """Append a review action (in the caller's transaction)."""
    cur.execute(
        "INSERT INTO reviews (submission_id, action, state, actor, at_time, note) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [submission_id, action, state, actor, at_time, note],
    )


def add_comments(
    cur: Cursor,
    submission_id: int,
    comments: Iterable[tuple[str | None, str]],
    actor: str,
    at_time: datetime,
) -> None:
    """Append ``(field or None, comment)`` pairs (in the caller's transaction)."""
    rows = [(submission_id, fld, text, actor, at_time) for fld, text in comments]
    if rows:
        cur.executemany(
            "INSERT INTO review_comments (submission_id, field, comment, actor, at_time) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )


# --------------------------------------------------------------------------- reading back


def review_states(store: Store, period: str | None = None) -> pd.DataFrame:
    """The accepted submission of every province-period with its review state: ``province_code,
    period, era, submission_id, received_at, review_state, reviewed_by, reviewed_at, note``."""
    sql = (
        "SELECT s.province_code, s.period, s.era, s.id AS submission_id, s.received_at, "
        f"{_STATE} AS review_state, r.actor AS reviewed_by, r.at_time AS reviewed_at, r.note "
        f"FROM submissions s {_LATEST} WHERE s.status = 'accepted'"
    )
    params: list[object] = []
    if period is not None:
        sql += " AND s.period = ?"
        params.append(period)
    return store.cursor().execute(sql + " ORDER BY s.period, s.province_code", params).df()


def comments(store: Store, submission_ids: Collection[int]) -> pd.DataFrame:
    """The reviewers' comments on ``submission_ids``: ``submission_id, field, comment, actor,
    at_time`` (``field`` empty for the whole report), oldest first."""
    return (
        store.cursor()
        .execute(
            "SELECT submission_id, field, comment, actor, at_time FROM review_comments "
            "WHERE submission_id IN (SELECT unnest(?::BIGINT[])) ORDER BY at_time, field",
            [sorted({int(i) for i in submission_ids})],
        )
        .df()
    )


def review_history(store: Store, submission_id: int) -> pd.DataFrame:
    """Every review action on a submission, oldest first."""
    return (
        store.cursor()
        .execute(
            "SELECT action, state, actor, at_time, note FROM reviews WHERE submission_id = ? "
            "ORDER BY id",
            [submission_id],
        )
        .df()
    )


def last_approved(
    store: Store, province_code: str, period: str, before: int | None = None
) -> int | None:
    """The newest submission of a province-period that was ever approved (with ``before``:
    among those older than that submission)."""
    rows = (
        store.cursor()
        .execute(
            "SELECT max(s.id) FROM submissions s JOIN reviews r ON r.submission_id = s.id "
            "WHERE s.province_code = ? AND s.period = ? AND r.state = 'approved' AND s.id < ?",
            [province_code, period, before if before is not None else 2**62],
        )
        .fetchall()
    )
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def officers(store: Store) -> pd.DataFrame:
    """The enabled officer accounts: ``province_code, username, display_name``."""
    return (
        store.cursor()
        .execute(
            "SELECT province_code, username, display_name FROM users "
            "WHERE role = 'officer' AND NOT disabled ORDER BY province_code, username"
        )
        .df()
    )


def due_overrides(store: Store) -> dict[str, str]:
    """Period → due date (ISO text) set in ``meta`` as ``due:<period>``."""
    rows = store.cursor().execute("SELECT key, value FROM meta WHERE key LIKE 'due:%'").fetchall()
    return {key[4:]: value for key, value in rows}


def set_due(cur: Cursor, period: str, due: str) -> None:
    """Set the due date of ``period`` (ISO date text), in the caller's transaction."""
    cur.execute("DELETE FROM meta WHERE key = ?", [f"due:{period}"])
    cur.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [f"due:{period}", due])
