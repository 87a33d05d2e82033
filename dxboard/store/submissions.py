"""Uploads, submissions and their values: what the ingest pipeline reads and writes, restores,
and the history read back for people.

A province-period is a :data:`Key` ``(province code, period text)``; codes are unique within an
era and a period has one era, so the key is unambiguous.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from dxboard.periods import Period
from dxboard.store.database import (
    Columns,
    Cursor,
    Store,
    bump_version,
    insert_columns,
    insert_rows,
)
from dxboard.store.reviews import Reviewed, locks

Key = tuple[str, str]

UPLOAD_COLUMNS: Columns = {
    "id": "id",
    "kind": "str",
    "dataset": "str",
    "file_name": "str",
    "sha256": "str",
    "actor": "str",
    "received_at": "time",
    "status": "str",
    "province_code": "str",
    "period": "str",
    "n_reports": "id",
    "messages": "str",
}
SUBMISSION_COLUMNS: Columns = {
    "id": "id",
    "upload_id": "id",
    "province_code": "str",
    "period": "str",
    "era": "str",
    "dataset": "str",
    "content_hash": "str",
    "received_at": "time",
    "status": "str",
    "source_ref": "str",
}
VALUE_COLUMNS: Columns = {
    "submission_id": "id",
    "province_code": "str",
    "period": "str",
    "field": "str",
    "value": "float",
    "note": "str",
    "ref_no": "str",
    "ref_date": "date",
}
EVENT_COLUMNS: Columns = {
    "id": "id",
    "at_time": "time",
    "actor": "str",
    "action": "str",
    "upload_id": "id",
    "submission_id": "id",
    "detail": "str",
}

_KEYS = "(SELECT unnest(?::VARCHAR[]) AS province_code, unnest(?::VARCHAR[]) AS period)"


def _key_lists(keys: Iterable[Key]) -> list[list[str]]:
    ordered = sorted(set(keys))
    return [[k[0] for k in ordered], [k[1] for k in ordered]]


# --------------------------------------------------------------------------- the pipeline's view


@dataclass(frozen=True)
class Current:
    """The accepted submission of a province-period."""

    submission_id: int
    content_hash: str
    values: dict[str, float | None]
    file_name: str
    received_at: datetime


@dataclass(frozen=True)
class FirstLoad:
    """The first accepted upload of some exact bytes."""

    upload_id: int
    received_at: datetime


@dataclass
class IngestState:
    """What a batch of files is compared with, read in the batch's transaction."""

    current: dict[Key, Current] = field(default_factory=dict)
    yes: dict[Key, set[str]] = field(default_factory=dict)
    """The yes/no fields answered yes, by province-period (the quarters before the files')."""
    loaded: dict[str, FirstLoad] = field(default_factory=dict)
    """SHA-256 → the first accepted upload of those bytes."""
    versions: dict[tuple[Key, str], int] = field(default_factory=dict)
    """(province-period, content hash) → the newest submission with those values."""
    locks: dict[Key, Reviewed] = field(default_factory=dict)
    """The province-periods whose accepted submission is approved: no upload may change them."""


def read_state(
    cur: Cursor, keys: Collection[Key], previous: Collection[Key], shas: Collection[str]
) -> IngestState:
    """The current submissions, versions and locks of ``keys``, the yes answers of ``previous``
    and the first accepted uploads of ``shas`` (in the caller's write transaction, so a
    concurrent approval cannot slip between the lock check and the write)."""
    state = IngestState()
    if keys:
        _read_current(cur, keys, state)
        state.locks = locks(cur, keys)
        rows = cur.execute(
            "SELECT province_code, period, content_hash, max(id) FROM submissions "
            f"JOIN {_KEYS} k USING (province_code, period) "
            "GROUP BY province_code, period, content_hash",
            _key_lists(keys),
        ).fetchall()
        state.versions = {((p, q), h): int(i) for p, q, h, i in rows}
    if previous:
        rows = cur.execute(
            "SELECT province_code, period, field FROM current_values "
            f"JOIN {_KEYS} k USING (province_code, period) WHERE value = 1",
            _key_lists(previous),
        ).fetchall()
        for prov, period, fld in rows:
            state.yes.setdefault((prov, period), set()).add(fld)
    if shas:
        rows = cur.execute(
            "SELECT sha256, min(id), min(received_at) FROM uploads WHERE status = 'accepted' "
            "AND sha256 IN (SELECT unnest(?::VARCHAR[])) GROUP BY sha256",
            [sorted(set(shas))],
        ).fetchall()
        state.loaded = {sha: FirstLoad(int(i), at) for sha, i, at in rows}
    return state


def _read_current(cur: Cursor, keys: Collection[Key], state: IngestState) -> None:
    rows = cur.execute(
        "SELECT s.province_code, s.period, s.id, s.content_hash, u.file_name, s.received_at, "
        f"v.field, v.value FROM submissions s JOIN {_KEYS} k USING (province_code, period) "
        "JOIN uploads u ON u.id = s.upload_id "
        "LEFT JOIN raw_values v ON v.submission_id = s.id WHERE s.status = 'accepted'",
        _key_lists(keys),
    ).fetchall()
    for prov, period, sid, chash, file_name, at, fld, value in rows:
        key = (prov, period)
        if key not in state.current:
            state.current[key] = Current(int(sid), chash, {}, file_name, at)
        if fld is not None:
            state.current[key].values[fld] = value


# --------------------------------------------------------------------------- writing a batch


@dataclass
class BatchRows:
    """Everything one batch writes, in the column order of the tables.

    ``submissions`` hold their ids; ``values`` are column lists (``VALUE_COLUMNS``);
    ``supersede`` names the province-periods whose accepted submission in the database is
    replaced by one of this batch."""

    uploads: list[tuple[Any, ...]] = field(default_factory=list)
    submissions: list[list[Any]] = field(default_factory=list)
    values: list[list[Any]] = field(default_factory=lambda: [[] for _ in VALUE_COLUMNS])
    events: list[tuple[Any, ...]] = field(default_factory=list)
    supersede: set[Key] = field(default_factory=set)


def write_batch(cur: Cursor, rows: BatchRows) -> None:
    """One statement per table; the old accepted submissions are superseded before the new ones
    are inserted; the data version changes when a submission is written."""
    insert_rows(cur, "uploads", UPLOAD_COLUMNS, rows.uploads)
    if rows.supersede:
        cur.execute(
            f"UPDATE submissions SET status = 'superseded' FROM {_KEYS} i "
            "WHERE submissions.status = 'accepted' AND submissions.province_code = "
            "i.province_code AND submissions.period = i.period",
            _key_lists(rows.supersede),
        )
    if rows.submissions:
        insert_rows(cur, "submissions", SUBMISSION_COLUMNS, [tuple(r) for r in rows.submissions])
        insert_columns(cur, "raw_values", VALUE_COLUMNS, rows.values)
        bump_version(cur)
    insert_rows(cur, "events", EVENT_COLUMNS, rows.events)


# --------------------------------------------------------------------------- restoring


@dataclass(frozen=True)
class Version:
    """A submission (any status) with its values."""

    submission_id: int
    province_code: str
    period: str
    status: str
    values: dict[str, float | None]


def versions(cur: Cursor, submission_ids: Collection[int]) -> dict[int, Version]:
    """The submissions ``submission_ids`` with their values (unknown ids are left out)."""
    if not submission_ids:
        return {}
    rows = cur.execute(
        "SELECT s.id, s.province_code, s.period, s.status, v.field, v.value FROM submissions s "
        "LEFT JOIN raw_values v ON v.submission_id = s.id "
        "WHERE s.id IN (SELECT unnest(?::BIGINT[]))",
        [sorted(set(submission_ids))],
    ).fetchall()
    found: dict[int, Version] = {}
    for sid, prov, period, status, fld, value in rows:
        version = found.setdefault(int(sid), Version(int(sid), prov, period, status, {}))
        if fld is not None:
            version.values[fld] = value
    return found


def make_current(cur: Cursor, submission_ids: Collection[int]) -> dict[int, int | None]:
    """Make the submissions the accepted ones of their province-periods (in the caller's
    transaction); submission id → the accepted one it replaced (None when none)."""
    replaced: dict[int, int | None] = {}
    for sid in sorted(set(submission_ids)):
        ((prov, period),) = cur.execute(
            "SELECT province_code, period FROM submissions WHERE id = ?", [sid]
        ).fetchall()
        old = cur.execute(
            "UPDATE submissions SET status = 'superseded' WHERE status = 'accepted' AND "
            "province_code = ? AND period = ? AND id <> ? RETURNING id",
            [prov, period, sid],
        ).fetchall()
        cur.execute("UPDATE submissions SET status = 'accepted' WHERE id = ?", [sid])
        replaced[sid] = int(old[0][0]) if old else None
    if replaced:
        bump_version(cur)
    return replaced


# --------------------------------------------------------------------------- reading back


def raw_values(store: Store, period: str | Period | None = None) -> pd.DataFrame:
    """Current accepted raw values in long form (yes/no as 1/0), optionally for one period,
    with the review state of their submission (``review_state``)."""
    sql = (
        "SELECT v.province_code, v.period, v.era, v.field, v.value, v.dataset, v.note, v.ref_no, "
        "v.ref_date, v.submission_id, COALESCE(r.state, 'submitted') AS review_state "
        "FROM current_values v LEFT JOIN reviews r ON r.submission_id = v.submission_id AND "
        "r.id = (SELECT max(x.id) FROM reviews x WHERE x.submission_id = v.submission_id)"
    )
    params: list[object] = []
    if period is not None:
        sql += " WHERE v.period = ?"
        params.append(str(Period.parse(period)))
    return store.cursor().execute(sql + " ORDER BY v.period, v.province_code, v.field", params).df()


def submission_history(store: Store, province_code: str, era: str | None = None) -> pd.DataFrame:
    """Every submission of a province (newest first) with the file and upload it came from and
    its review state."""
    sql = (
        "SELECT s.id AS submission_id, s.period, s.era, s.status, s.dataset, s.received_at, "
        "u.file_name, u.sha256, u.actor, u.id AS upload_id, s.source_ref, "
        "(SELECT count(*) FROM raw_values v WHERE v.submission_id = s.id) AS n_values, "
        "COALESCE((SELECT r.state FROM reviews r WHERE r.submission_id = s.id "
        "ORDER BY r.id DESC LIMIT 1), 'submitted') AS review_state "
        "FROM submissions s JOIN uploads u ON u.id = s.upload_id WHERE s.province_code = ?"
    )
    params: list[object] = [province_code]
    if era:
        sql += " AND s.era = ?"
        params.append(era)
    return store.cursor().execute(sql + " ORDER BY s.period DESC, s.id DESC", params).df()


def uploads(store: Store, limit: int = 200) -> pd.DataFrame:
    """The most recent uploads, accepted or not, with their messages (JSON text)."""
    return (
        store.cursor()
        .execute(
            "SELECT id, received_at, file_name, kind, dataset, actor, status, province_code, "
            "period, n_reports, messages FROM uploads ORDER BY id DESC LIMIT ?",
            [limit],
        )
        .df()
    )


def periods_with_data(store: Store) -> list[str]:
    """Periods that have accepted values, oldest first."""
    rows = (
        store.cursor()
        .execute("SELECT DISTINCT period FROM submissions WHERE status = 'accepted'")
        .fetchall()
    )
    return sorted((r[0] for r in rows), key=lambda p: Period.parse(p))


def datasets(store: Store) -> list[str]:
    """The datasets (``official``, ``demo``, …) of the accepted submissions."""
    rows = (
        store.cursor()
        .execute("SELECT DISTINCT dataset FROM submissions WHERE status = 'accepted' ORDER BY 1")
        .fetchall()
    )
    return [r[0] for r in rows]


def dataset_reports(store: Store, dataset: str) -> set[tuple[str, str, str]]:
    """(province, period, content hash) of every submission of ``dataset``, any status."""
    rows = (
        store.cursor()
        .execute(
            "SELECT province_code, period, content_hash FROM submissions WHERE dataset = ?",
            [dataset],
        )
        .fetchall()
    )
    return {(p, q, h) for p, q, h in rows}
