"""Published reference tables (the ministry's DTI): versions and scores.

A table is one (dataset, year, province list) — ``provinces`` 63 (legacy codes) or 34 (current
codes). Each load of a changed table is a new *version* (status ``accepted``; the one it replaces
becomes ``superseded``), kept and restorable like a submission. An upload row (kind
``reference``) and an event record every load that changed something.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from dxboard.store.database import (
    Columns,
    Cursor,
    Store,
    bump_version,
    insert_rows,
    next_ids,
    scalar,
)
from dxboard.store.submissions import EVENT_COLUMNS, UPLOAD_COLUMNS

INDEX_COLUMNS = (
    "awareness",
    "institutions",
    "infrastructure",
    "workforce",
    "cybersecurity",
    "government",
    "economy",
    "society",
)
"""The eight main indices of the DTI framework, in the published order."""

VERSION_COLUMNS: Columns = {
    "id": "id",
    "upload_id": "id",
    "dataset": "str",
    "year": "id",
    "provinces": "id",
    "content_hash": "str",
    "received_at": "time",
    "status": "str",
}
SCORE_COLUMNS: Columns = {
    "version_id": "id",
    "era": "str",
    "province_code": "str",
    "province_as_published": "str",
    "rank": "id",
    "pdti": "float",
    **{name: "float" for name in INDEX_COLUMNS},
    "published": "bool",
    "source": "str",
}

TableKey = tuple[int, int]
"""(year, provinces)."""


@dataclass(frozen=True)
class TableVersion:
    """A stored version of a table."""

    version_id: int
    content_hash: str
    status: str


@dataclass
class ReferencePlan:
    """What one load writes: ``new`` tables (key → content hash and score rows without the
    version id), ``reactivate`` (earlier versions with the same content made current again)."""

    dataset: str
    file_name: str
    sha256: str
    actor: str
    received_at: datetime
    new: dict[TableKey, tuple[str, list[tuple[Any, ...]]]] = field(default_factory=dict)
    reactivate: dict[TableKey, int] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return bool(self.new or self.reactivate)


def table_versions(cur: Cursor, dataset: str) -> dict[TableKey, list[TableVersion]]:
    """Every version of every table of ``dataset``, newest first."""
    rows = cur.execute(
        "SELECT year, provinces, id, content_hash, status FROM reference_versions "
        "WHERE dataset = ? ORDER BY id DESC",
        [dataset],
    ).fetchall()
    found: dict[TableKey, list[TableVersion]] = {}
    for year, provinces, vid, chash, status in rows:
        found.setdefault((int(year), int(provinces)), []).append(
            TableVersion(int(vid), chash, status)
        )
    return found


def write_plan(cur: Cursor, plan: ReferencePlan) -> int | None:
    """Write ``plan`` in the caller's transaction; the upload id (None when nothing changed)."""
    if not plan.changes:
        return None
    (upload_id,) = next_ids(cur, "upload_ids", 1)
    n = len(plan.new) + len(plan.reactivate)
    upload = (upload_id, "reference", plan.dataset, plan.file_name, plan.sha256, plan.actor)
    insert_rows(
        cur,
        "uploads",
        UPLOAD_COLUMNS,
        [(*upload, plan.received_at, "accepted", None, None, n, "[]")],
    )
    keys = sorted({*plan.new, *plan.reactivate})
    for year, provinces in keys:
        _supersede(cur, plan.dataset, year, provinces)
    for vid in plan.reactivate.values():
        cur.execute("UPDATE reference_versions SET status = 'accepted' WHERE id = ?", [vid])
    ids = next_ids(cur, "reference_ids", len(plan.new))
    versions, scores = [], []
    for vid, ((year, provinces), (chash, rows)) in zip(ids, sorted(plan.new.items()), strict=True):
        versions.append(
            (vid, upload_id, plan.dataset, year, provinces, chash, plan.received_at, "accepted")
        )
        scores += [(vid, *row) for row in rows]
    insert_rows(cur, "reference_versions", VERSION_COLUMNS, versions)
    insert_rows(cur, "reference_scores", SCORE_COLUMNS, scores)
    detail = {"file": plan.file_name, "tables": [f"{y}/{p}" for y, p in keys]}
    _event(cur, plan.actor, "reference_load", upload_id, detail)
    bump_version(cur)
    return upload_id


def _supersede(cur: Cursor, dataset: str, year: int, provinces: int) -> list[int]:
    rows = cur.execute(
        "UPDATE reference_versions SET status = 'superseded' WHERE status = 'accepted' "
        "AND dataset = ? AND year = ? AND provinces = ? RETURNING id",
        [dataset, year, provinces],
    ).fetchall()
    return [int(r[0]) for r in rows]


def _event(cur: Cursor, actor: str, action: str, upload_id: int | None, detail: Any) -> None:
    (eid,) = next_ids(cur, "event_ids", 1)
    text = json.dumps(detail, ensure_ascii=False, default=str)
    insert_rows(
        cur, "events", EVENT_COLUMNS, [(eid, datetime.now(), actor, action, upload_id, None, text)]
    )


def version_status(cur: Cursor, version_id: int) -> tuple[str, int, int, str] | None:
    """(dataset, year, provinces, status) of a version; None when there is none."""
    rows = cur.execute(
        "SELECT dataset, year, provinces, status FROM reference_versions WHERE id = ?",
        [version_id],
    ).fetchall()
    if not rows:
        return None
    dataset, year, provinces, status = rows[0]
    return dataset, int(year), int(provinces), status


def make_current(cur: Cursor, version_id: int, actor: str) -> int | None:
    """Make the version the accepted one of its table (in the caller's transaction); the id of
    the version it replaced (None when it was already current). The version must exist."""
    found = version_status(cur, version_id)
    assert found is not None
    dataset, year, provinces, status = found
    if status == "accepted":
        return None
    old = _supersede(cur, dataset, year, provinces)
    cur.execute("UPDATE reference_versions SET status = 'accepted' WHERE id = ?", [version_id])
    detail = {"version": version_id, "replaced": old, "table": f"{year}/{provinces}"}
    _event(cur, actor, "reference_restore", None, detail)
    bump_version(cur)
    return old[0] if old else None


def reference_scores(store: Store, dataset: str = "dti") -> pd.DataFrame:
    """The scores of the accepted versions: year, provinces, era, province_code,
    province_as_published, rank, pdti, the eight indices, published, source, version_id."""
    columns = ", ".join(f"s.{c}" for c in SCORE_COLUMNS if c != "version_id")
    return (
        store.cursor()
        .execute(
            f"SELECT v.year, v.provinces, {columns}, s.version_id FROM reference_scores s "
            "JOIN reference_versions v ON v.id = s.version_id "
            "WHERE v.status = 'accepted' AND v.dataset = ? "
            "ORDER BY v.year, v.provinces DESC, s.rank, s.province_code",
            [dataset],
        )
        .df()
    )


def reference_history(store: Store, dataset: str = "dti") -> pd.DataFrame:
    """Every version (newest first) with the file it came from and its number of rows."""
    return (
        store.cursor()
        .execute(
            "SELECT v.id AS version_id, v.year, v.provinces, v.status, v.received_at, "
            "u.file_name, u.actor, u.id AS upload_id, "
            "(SELECT count(*) FROM reference_scores s WHERE s.version_id = v.id) AS n_rows "
            "FROM reference_versions v JOIN uploads u ON u.id = v.upload_id "
            "WHERE v.dataset = ? ORDER BY v.year DESC, v.provinces DESC, v.id DESC",
            [dataset],
        )
        .df()
    )


def loaded_sha(store: Store, sha256: str, dataset: str = "dti") -> bool:
    """Whether exactly these bytes were once loaded as a reference table of ``dataset``."""
    return bool(
        scalar(
            store.cursor(),
            "SELECT count(*) FROM uploads WHERE kind = 'reference' AND dataset = ? "
            "AND sha256 = ? AND status = 'accepted'",
            [dataset, sha256],
        )
    )
