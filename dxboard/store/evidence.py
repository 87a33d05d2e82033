"""Evidence files attached to submissions (``evidence``): their bytes (a BLOB, so backups and
both backends carry them), SHA-256, the type decided from their content, who attached them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from dxboard.store.database import Cursor, Store, scalar

LIST_COLUMNS = [
    "id",
    "submission_id",
    "file_name",
    "media_type",
    "size",
    "sha256",
    "actor",
    "at_time",
]


@dataclass(frozen=True)
class EvidenceFile:
    """One stored evidence file with its bytes."""

    id: int
    submission_id: int
    province_code: str
    period: str
    file_name: str
    media_type: str
    sha256: str
    content: bytes


def count(cur: Cursor, submission_id: int) -> int:
    """How many files the submission holds (in the caller's transaction)."""
    return int(
        scalar(cur, "SELECT count(*) FROM evidence WHERE submission_id = ?", [submission_id])
    )


def insert(
    cur: Cursor,
    submission_id: int,
    file_name: str,
    media_type: str,
    sha256: str,
    content: bytes,
    actor: str,
    at_time: datetime,
) -> int:
    """Store one file (in the caller's transaction); its id."""
    rows = cur.execute(
        "INSERT INTO evidence (submission_id, file_name, media_type, size, sha256, content, "
        "actor, at_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [submission_id, file_name, media_type, len(content), sha256, content, actor, at_time],
    ).fetchall()
    return int(rows[0][0])


def listing(store: Store, submission_ids: Collection[int]) -> pd.DataFrame:
    """The files of ``submission_ids`` without their bytes (``LIST_COLUMNS``), oldest first."""
    return (
        store.cursor()
        .execute(
            f"SELECT {', '.join(LIST_COLUMNS)} FROM evidence "
            "WHERE submission_id IN (SELECT unnest(?::BIGINT[])) ORDER BY id",
            [sorted({int(i) for i in submission_ids})],
        )
        .df()
    )


def fetch(store: Store, evidence_id: int) -> EvidenceFile | None:
    """One file with its bytes and the province-period of its submission."""
    rows = (
        store.cursor()
        .execute(
            "SELECT e.id, e.submission_id, s.province_code, s.period, e.file_name, e.media_type, "
            "e.sha256, e.content FROM evidence e JOIN submissions s ON s.id = e.submission_id "
            "WHERE e.id = ?",
            [evidence_id],
        )
        .fetchall()
    )
    if not rows:
        return None
    eid, sid, prov, period, name, media, sha, content = rows[0]
    return EvidenceFile(int(eid), int(sid), prov, period, name, media, sha, bytes(content))
