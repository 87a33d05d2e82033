"""Reading the store: current accepted values, first receipts, datasets. The only SQL in metrics.

Every query filters by period (and by province when asked) in SQL, so a question about one
quarter reads one quarter. Periods and province codes are validated before they are written
into the SQL text (``Period`` strings and two-digit codes only).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

try:  # pandas uses Arrow for strings when it is installed
    import pyarrow as pa
except ImportError:  # pragma: no cover
    pa = None

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.periods import Period
from dxboard.registry import normalise_code
from dxboard.store import Store

Basis = Literal["reported", "current"]
BASES: tuple[str, ...] = ("reported", "current")
KEYS = ["era", "province_code", "period"]
"""A province-period: provinces are identified by (era, code); legacy and current codes overlap."""

PeriodsLike = str | Period | Iterable[str | Period]


def check_basis(basis: str) -> str:
    """``basis`` if it is ``reported`` or ``current``, else ``ValueError``."""
    if basis not in BASES:
        raise ValueError(f"basis must be 'reported' or 'current', not {basis!r}")
    return basis


def as_periods(periods: PeriodsLike) -> list[Period]:
    """One period or many (strings or ``Period``) as a sorted list without duplicates."""
    if isinstance(periods, str | Period):
        periods = [periods]
    return sorted({Period.parse(p) for p in periods})


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

    Columns: ``era, province_code, period, dataset`` and one float column per raw field (yes/no
    as 1.0/0.0, blank cells NaN), sorted by period, era and code. ``codes`` (era → province
    codes) restricts the provinces read, except in the periods ``every``; ``fields`` the fields
    read (default: all).
    """
    catalogue = catalogue or load_catalogue()
    plist = as_periods(periods)
    fields = [f for f in catalogue.field_codes if fields is None or f in fields]
    where = _where(plist, codes, as_periods(every)) if plist else "FALSE"
    columns = ", ".join(f"('{f}', {j})" for j, f in enumerate(fields))
    cur = store.cursor()
    cur.execute("BEGIN TRANSACTION")  # one snapshot for both queries
    try:
        meta = cur.execute(
            "SELECT id, era, province_code, period, dataset FROM submissions "
            f"WHERE status = 'accepted' AND {where} ORDER BY period, era, province_code"
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
    data.update(zip(fields, matrix.T, strict=True))
    return pd.DataFrame(data)


def take_str(values: Sequence[str | None], index: np.ndarray) -> pd.Series:
    """``values[index]`` as a pandas string Series (``index`` -1 gives NaN), built in Arrow.

    Building large string columns from Python objects is slow in pandas 3; taking from a small
    Arrow array is not.
    """
    index = np.asarray(index, dtype=np.int64)
    if pa is None:
        arr = np.asarray([*values, None], dtype=object)[np.where(index < 0, len(values), index)]
        return pd.Series(arr, dtype="str")
    taken = pa.array(list(values), type=pa.large_string()).take(pa.array(index, mask=index < 0))
    return pd.Series(pd.array(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))


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
    return store.cursor().execute(sql).df()


def read_datasets(store: Store, periods: PeriodsLike) -> list[str]:
    """The datasets (``official``, ``demo``, …) of the accepted submissions in ``periods``."""
    plist = as_periods(periods)
    if not plist:
        return []
    sql = (
        "SELECT DISTINCT dataset FROM submissions WHERE status = 'accepted' AND "
        f"{_where(plist, None)} ORDER BY dataset"
    )
    return [r[0] for r in store.cursor().execute(sql).fetchall()]


def group_ids(*columns: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group ids (0..n-1, in order of first appearance) of the rows' combined keys, and the
    row index of each group's first row. Faster than concatenating key strings."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col)
        combined = combined * (len(uniques) + 1) + codes
    gid, _ = pd.factorize(combined)
    _, first = np.unique(gid, return_index=True)
    return gid.astype(np.int64), first
