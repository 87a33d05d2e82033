"""The audit log ``events``: one row per upload, refused upload, restore, sign-in, failed
sign-in, account change and backup."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pandas as pd

from dxboard.periods import vn_now
from dxboard.store.database import Cursor, Store


def log_event(
    cur: Cursor,
    actor: str,
    action: str,
    upload_id: int | None = None,
    submission_id: int | None = None,
    detail: dict[str, Any] | None = None,
    at_time: datetime | None = None,
) -> None:
    """Append one row to ``events`` inside the caller's transaction."""
    cur.execute(
        "INSERT INTO events (at_time, actor, action, upload_id, submission_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            at_time or vn_now(),
            actor,
            action,
            upload_id,
            submission_id,
            json.dumps(detail or {}, ensure_ascii=False, default=str),
        ],
    )


def record_event(store: Store, actor: str, action: str, **detail: Any) -> None:
    """:func:`log_event` in a transaction of its own."""
    with store.write() as cur:
        log_event(cur, actor, action, detail=detail)


def audit_log(store: Store, limit: int = 500) -> pd.DataFrame:
    """The newest ``limit`` events, newest first: ``id, at_time, actor, action, upload_id,
    submission_id, detail`` (JSON text)."""
    return (
        store.cursor()
        .execute(
            "SELECT id, at_time, actor, action, upload_id, submission_id, "
            "CAST(detail AS VARCHAR) AS detail FROM events ORDER BY id DESC LIMIT ?",
            [int(limit)],
        )
        .df()
    )
