"""Completeness and timeliness of reporting, per period and per province.

- Report date of a province and period: the ``received_at`` of its FIRST submission (accepted
  or superseded), so a later revision does not make a report late.
- Deadline: ``period.deadline(days)`` (``days`` after the quarter's end, 15 by default).
- Status per province and period: ``on_time`` (report date ≤ deadline), ``late``, ``missing``,
  or ``not_yet_due`` (no report yet and the deadline is ``today`` or later).
- On the ``current`` basis a legacy period counts a current province as reported when all its
  constituents reported, with the last constituent's date as its report date; ``partial``
  when only some did (``not_yet_due`` instead, before the deadline).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import numpy as np
import pandas as pd

from dxboard.periods import Period, PeriodsLike, as_periods, vn_today
from dxboard.store import Store
from dxboard.store.frames import read_receipts
from dxboard.tables import KEYS, group_ids
from metrics.harmonise import (
    constituents_reported,
    expected_provinces,
    grid_keys,
    grid_rows,
    source_codes,
)

DEADLINE_DAYS = 15
STATES = ("on_time", "late", "partial", "missing", "not_yet_due")
RECORD_COLUMNS = [
    *KEYS,
    "province_name",
    "region",
    "deadline",
    "reported_on",
    "days_late",
    "constituents_reported",
    "constituents_total",
    "status",
]


def timeliness(
    store: Store,
    periods: PeriodsLike,
    basis: str = "reported",
    days: int = DEADLINE_DAYS,
    today: date | None = None,
    provinces: Collection[str] | None = None,
) -> pd.DataFrame:
    """One row per expected province and period with its report date and status.

    Columns ``RECORD_COLUMNS``: ``deadline`` and ``reported_on`` are dates, ``days_late`` the
    days after the deadline (0 when on time, NaN without a report).
    """
    plist = as_periods(periods)
    receipts = read_receipts(store, plist, source_codes(plist, basis, provinces))
    return timeliness_from(receipts, plist, basis, days, today, provinces)


def timeliness_from(
    receipts: pd.DataFrame,
    periods: PeriodsLike,
    basis: str = "reported",
    days: int = DEADLINE_DAYS,
    today: date | None = None,
    provinces: Collection[str] | None = None,
) -> pd.DataFrame:
    """:func:`timeliness` from a ``frames.read_receipts`` frame (pure)."""
    today = today or vn_today()
    grid = expected_provinces(periods, basis, provinces)
    n = len(grid)
    rows = grid_rows(receipts, grid, grid_keys(periods, basis, provinces))
    received = pd.to_datetime(receipts["first_received"]).to_numpy(dtype="datetime64[D]")
    last = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    keep = rows >= 0
    as_int = received.astype(np.int64)
    latest = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(latest, rows[keep], as_int[keep])
    last[latest > np.iinfo(np.int64).min] = latest[latest > np.iinfo(np.int64).min]
    grid["constituents_reported"] = constituents_reported(rows, n)
    deadlines = {p: Period.parse(p).deadline(days) for p in pd.unique(grid["period"])}
    deadline_dates = grid["period"].map(deadlines)
    deadline = deadline_dates.to_numpy(dtype="datetime64[D]")
    complete = grid["constituents_reported"].to_numpy() >= grid["constituents_total"].to_numpy()
    some = grid["constituents_reported"].to_numpy() > 0
    due = deadline < np.datetime64(today, "D")
    late = (last - deadline).astype(np.int64)
    grid["deadline"] = deadline_dates.to_numpy(dtype=object)
    grid["reported_on"] = np.where(complete, last, np.datetime64("NaT")).astype(object)
    grid["days_late"] = np.where(complete, np.maximum(late, 0), np.nan)
    grid["status"] = np.select(
        [complete & (late <= 0), complete, ~due, some],
        ["on_time", "late", "not_yet_due", "partial"],
        "missing",
    )
    return grid[RECORD_COLUMNS]


def summarise_timeliness(records: pd.DataFrame) -> pd.DataFrame:
    """Per period: ``deadline``, ``expected`` and the count of each status (pure)."""
    pid, first = group_ids(records["period"])
    state = pd.Index(STATES).get_indexer(pd.Index(records["status"]))
    counts = np.bincount(pid * len(STATES) + state, minlength=len(first) * len(STATES))
    counts = counts.reshape(len(first), len(STATES))
    out = pd.DataFrame(
        {
            "period": records["period"].to_numpy()[first],
            "deadline": records["deadline"].to_numpy()[first],
            "expected": counts.sum(axis=1),
        }
    )
    for j, name in enumerate(STATES):
        out[name] = counts[:, j]
    out["reported"] = out["on_time"] + out["late"]
    return out


def completeness(
    store: Store,
    periods: PeriodsLike,
    basis: str = "reported",
    days: int = DEADLINE_DAYS,
    today: date | None = None,
) -> pd.DataFrame:
    """Per period: expected provinces (of the period's era on ``basis``), how many reported on
    time, late, partially (current basis, legacy periods), are missing or not yet due, and
    ``due`` (whether the deadline is before ``today``)."""
    today = today or vn_today()
    out = summarise_timeliness(timeliness(store, periods, basis, days, today))
    out.insert(2, "due", [d < today for d in out["deadline"]])
    return out


def province_record(
    store: Store,
    province_code: str,
    periods: PeriodsLike,
    basis: str = "reported",
    days: int = DEADLINE_DAYS,
    today: date | None = None,
) -> pd.DataFrame:
    """One province's reporting record over ``periods`` (rows of :func:`timeliness`).

    On the reported basis the code names the province of each period's era.
    """
    return timeliness(store, periods, basis, days, today, [province_code])
