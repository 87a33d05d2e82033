"""What the store holds, read back: submission history, upload log and raw values."""

from __future__ import annotations

import pandas as pd

from dxboard.periods import Period
from dxboard.store import Store


def raw_values(store: Store, period: str | Period | None = None) -> pd.DataFrame:
    """Current accepted raw values in long form (yes/no as 1/0), optionally for one period."""
    sql = (
        "SELECT province_code, period, era, field, value, dataset, note, ref_no, ref_date, "
        "submission_id FROM current_values"
    )
    params: list[object] = []
    if period is not None:
        sql += " WHERE period = ?"
        params.append(str(Period.parse(period)))
    return store.cursor().execute(sql + " ORDER BY period, province_code, field", params).df()


def submission_history(store: Store, province_code: str, era: str | None = None) -> pd.DataFrame:
    """Every submission of a province (newest first) with the file and upload it came from."""
    sql = (
        "SELECT s.id AS submission_id, s.period, s.era, s.status, s.dataset, s.received_at, "
        "u.file_name, u.sha256, u.actor, u.id AS upload_id, s.source_ref, "
        "(SELECT count(*) FROM raw_values v WHERE v.submission_id = s.id) AS n_values "
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
            "SELECT id, received_at, file_name, kind, dataset, actor, status, province_code, period, "
            "n_reports, messages FROM uploads ORDER BY id DESC LIMIT ?",
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
    rows = (
        store.cursor()
        .execute("SELECT DISTINCT dataset FROM submissions WHERE status = 'accepted' ORDER BY 1")
        .fetchall()
    )
    return [r[0] for r in rows]
