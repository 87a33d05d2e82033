"""Reads behind the metrics (on ``store.analytics()``, always DuckDB): current accepted values
(wide), first receipts, datasets.

Every query filters by period (and by province when asked) in SQL, so a question about one
quarter reads one quarter. Periods and province codes are validated before they are written
into the SQL text (``Period`` strings and two-digit codes only).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.periods import Period, PeriodsLike, as_periods
from dxboard.registry import normalise_code
from dxboard.store.database import Store
from dxboard.tables import KEYS, take_str


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _where(
    periods: list[Period],
    codes: Mapping[str, Collection[str]] | None,
    every: Collection[Period] = (),
) -> str:
    """SQL predicate on period and, when given, on (era, province_code); the periods in
    ``every`` are read for every province."""
    where = f"period IN ({_sql_list(str(p) for p in periods)})"
    if codes is not None:
        parts = [
            f"(era = '{era}' AND province_code IN ({_sql_list(normalise_code(c) for c in cs)}))"
            for era, cs in codes.items()
            if era in ("legacy", "current") and cs
        ]
        if every:
            parts.append(f"period IN ({_sql_list(str(p) for p in every)})")
        where += f" AND ({' OR '.join(parts) or 'FALSE'})"
    return where


def read_raw(
    store: Store,
    periods: PeriodsLike,
    codes: Mapping[str, Collection[str]] | None = None,
    catalogue: Catalogue | None = None,
    fields: Collection[str] | None = None,
    every: PeriodsLike = (),
) -> pd.DataFrame:
    """Current accepted raw values, as reported, one row per province-period that has a report.

    Columns: ``era, province_code, period, dataset, review_state`` (``submitted``, ``approved``
    or ``returned``) and one float column per raw field (yes/no as 1.0/0.0, blank cells NaN),
    sorted by period, era and code. ``codes`` (era → province
    codes) restricts the provinces read, except in the periods ``every``; ``fields`` the fields
    read (default: all).
    """
    catalogue = catalogue or load_catalogue()
    plist = as_periods(periods)
    fields = [f for f in catalogue.field_codes if fields is None or f in fields]
    where = _where(plist, codes, as_periods(every)) if plist else "FALSE"
    columns = ", ".join(f"('{f}', {j})" for j, f in enumerate(fields))
    cur = store.analytics()
    cur.execute("BEGIN TRANSACTION")  # one snapshot for both queries
    try:
        meta = cur.execute(
            "SELECT s.id, s.era, s.province_code, s.period, s.dataset, "
            "COALESCE(r.state, 'submitted') AS review_state FROM submissions s "
            "LEFT JOIN reviews r ON r.submission_id = s.id AND r.id = "
            "(SELECT max(x.id) FROM reviews x WHERE x.submission_id = s.id) "
            f"WHERE s.status = 'accepted' AND {where} ORDER BY period, era, province_code"
        ).fetchnumpy()
        long = cur.execute(
            f"SELECT submission_id, col, value FROM current_values "
            f"JOIN (VALUES {columns}) f(field, col) USING (field) WHERE {where}"
        ).fetchnumpy()
    finally:
        cur.execute("COMMIT")
    ids = np.asarray(meta["id"], dtype=np.int64)
    order = np.argsort(ids)
    matrix = np.full((len(ids), len(fields)), np.nan)
    sub = np.asarray(long["submission_id"], dtype=np.int64)
    col = np.asarray(long["col"], dtype=np.int64)
    value = np.asarray(long["value"], dtype=float)
    pos = np.minimum(np.searchsorted(ids[order], sub), max(len(ids) - 1, 0))
    ok = (col >= 0) & (len(ids) > 0)
    ok[ok] &= ids[order][pos[ok]] == sub[ok]
    matrix[order[pos[ok]], col[ok]] = value[ok]
    index = np.arange(len(ids))
    data = {
        c: take_str(meta[c].tolist(), index) for c in ["era", "province_code", "period", "dataset"]
    }
    data["review_state"] = take_str(meta["review_state"].tolist(), index)
    data.update(zip(fields, matrix.T, strict=True))
    return pd.DataFrame(data)


def read_receipts(
    store: Store, periods: PeriodsLike, codes: Mapping[str, Collection[str]] | None = None
) -> pd.DataFrame:
    """First receipt per province-period: ``era, province_code, period, first_received``.

    ``first_received`` is the earliest ``received_at`` over the accepted and superseded
    submissions, so a later revision does not make a report late.
    """
    plist = as_periods(periods)
    if not plist:
        return pd.DataFrame(columns=[*KEYS, "first_received"])
    sql = (
        "SELECT era, province_code, period, min(received_at) AS first_received "
        f"FROM submissions WHERE status IN ('accepted', 'superseded') AND "
        f"{_where(plist, codes)} GROUP BY era, province_code, period"
    )
    return store.analytics().execute(sql).df()


def read_datasets(store: Store, periods: PeriodsLike) -> list[str]:
    """The datasets (``official``, ``demo``, …) of the accepted submissions in ``periods``."""
    plist = as_periods(periods)
    if not plist:
        return []
    sql = (
        "SELECT DISTINCT dataset FROM submissions WHERE status = 'accepted' AND "
        f"{_where(plist, None)} ORDER BY dataset"
    )
    return [r[0] for r in store.analytics().execute(sql).fetchall()]
