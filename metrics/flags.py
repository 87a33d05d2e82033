"""Data-quality flags: values to review, never rejected.

- ``yes_to_no``: a yes/no field that is "no" in a quarter after the province last reported it
  as "yes" (the most recent earlier report in the window).
- ``outlier``: a quarter-on-quarter change of a ratio indicator far outside both the
  province's own earlier changes and its peers' changes in the same quarter: the modified
  z-score ``0.6745 (d − median) / MAD`` (Iglewicz–Hoaglin; ``(d − median) / (1.2533 × mean
  absolute deviation)`` when the MAD is 0) exceeds ``Z_THRESHOLD`` = 3.5 against both
  distributions, in the same direction. The scale is never below the ratio's resolution
  ``1 / denominator`` (one unit of the numerator: one industrial zone of four), so small counts
  moving by one are not outliers. Own history: the province's changes over the previous
  ``HISTORY`` quarters, at least ``MIN_HISTORY`` of them; peers: every province's change of
  the indicator in that quarter.
- ``no_report``: no report for ``MIN_QUARTERS_MISSING`` (2) or more consecutive due quarters,
  counted back from the latest due quarter.
- ``mixed_datasets``: more than one dataset (``demo``, ``official``) among the periods shown.

Quarter-on-quarter comparisons (``yes_to_no``, ``outlier``) are not made across a change of
framework version (``metrics.frameworks``): a field or indicator may mean something else.
On the as-reported view a current province's own history before the 2025 merger is taken on
the 34-province basis (:func:`merged_history`): without it, no province would have the
``MIN_HISTORY`` quarters of history until 2026-Q3.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.periods import MERGER_PERIOD, Period, PeriodsLike, as_periods, vn_today
from dxboard.registry import load_registry, normalise_code
from dxboard.store import Store
from dxboard.store.frames import read_datasets, read_raw
from dxboard.tables import KEYS, group_ids
from metrics.completeness import DEADLINE_DAYS
from metrics.frameworks import version_ids
from metrics.harmonise import harmonise_raw, source_codes
from metrics.indicators import compute_values
from metrics.review import in_scope
from metrics.status import period_index

FLAG_TYPES = ("yes_to_no", "outlier", "no_report", "mixed_datasets")
FLAG_COLUMNS = [
    *KEYS,
    "province_name",
    "flag",
    "item",
    "value",
    "previous",
    "previous_period",
    "z_own",
    "z_peer",
    "quarters",
]
Z_THRESHOLD = 3.5
MIN_HISTORY = 4
HISTORY = 12
MIN_QUARTERS_MISSING = 2
NATIONAL = "VN"


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def _sorted_by_province(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` sorted by province identity and quarter, and the province group ids."""
    idx = period_index(frame["period"])
    gid = pd.factorize(frame["era"] + "|" + frame["province_code"])[0]
    order = np.lexsort((idx, gid))
    return frame.iloc[order].reset_index(drop=True), gid[order]


def yes_to_no(
    raw: pd.DataFrame, periods: PeriodsLike, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """Flags for yes/no fields reported "no" after an earlier "yes" of the same province.

    ``raw`` holds raw values (``frames.read_raw`` or ``harmonise.harmonise_raw``) for
    ``periods`` and the quarters before them; the comparison is with the province's most
    recent earlier report of the field.
    """
    catalogue = catalogue or load_catalogue()
    wanted = {str(p) for p in as_periods(periods)}
    bools = [f.code for f in catalogue.fields if f.kind == "bool" and f.code in raw.columns]
    frame, gid = _sorted_by_province(raw)
    in_wanted = frame["period"].isin(wanted).to_numpy()
    periods_arr = frame["period"].to_numpy()
    version = version_ids(periods_arr, catalogue)
    who = _Who(frame)
    rows = []
    for code in bools:
        x = frame[code].to_numpy(dtype=float)
        have = np.flatnonzero(~np.isnan(x))
        if len(have) < 2:
            continue
        prev = np.r_[-1, have[:-1]]
        same = np.r_[False, gid[have[1:]] == gid[have[:-1]]]
        hit = same & (x[have] == 0.0) & (x[prev] == 1.0) & in_wanted[have]
        hit &= version[have] == version[prev]
        for i, j in zip(have[hit], prev[hit], strict=True):
            rows.append(
                {
                    **who(i),
                    "flag": "yes_to_no",
                    "item": code,
                    "value": 0.0,
                    "previous": 1.0,
                    "previous_period": periods_arr[j],
                }
            )
    return _frame(rows)


class _Who:
    """Province identity of the rows of a frame (numpy arrays, for building flag rows)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.era = frame["era"].to_numpy()
        self.code = frame["province_code"].to_numpy()
        self.period = frame["period"].to_numpy()
        self.name = frame["province_name"].to_numpy() if "province_name" in frame.columns else None

    def __call__(self, i: int) -> dict:
        era, code = self.era[i], self.code[i]
        name = self.name[i] if self.name is not None else load_registry().get(code, era).short_name
        return {"era": era, "province_code": code, "period": self.period[i], "province_name": name}


def row_median(a: np.ndarray) -> np.ndarray:
    """Median of each row of ``a``, ignoring NaN (NaN for an empty row)."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    ordered = np.sort(a, axis=1)  # NaN sort last
    n = (~np.isnan(a)).sum(axis=1)
    rows = np.arange(len(a))
    lo, hi = np.maximum((n - 1) // 2, 0), np.maximum(n // 2, 0)
    out = (ordered[rows, lo] + ordered[rows, hi]) / 2.0 if a.shape[1] else np.full(len(a), np.nan)
    return np.where(n > 0, out, np.nan)


def robust_stats(sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise median and robust scale of ``sample`` (rows NaN-padded).

    The scale is ``MAD / 0.6745``, or ``1.2533 × mean |x − median|`` when the MAD is 0.
    """
    sample = np.atleast_2d(np.asarray(sample, dtype=float))
    med = row_median(sample)
    dev = np.abs(sample - med[:, None])
    mad = row_median(dev)
    count = (~np.isnan(dev)).sum(axis=1)
    with np.errstate(all="ignore"):
        mean_ad = np.where(np.isnan(dev), 0.0, dev).sum(axis=1) / count
    return med, np.where(mad > 0, mad / 0.6745, 1.253314 * mean_ad)


def robust_z(
    x: np.ndarray, med: np.ndarray, scale: np.ndarray, floor: np.ndarray | float = 0.0
) -> np.ndarray:
    """Modified z-score ``(x − med) / max(scale, floor)``; with a zero scale 0 when ``x``
    equals the median and ±inf otherwise."""
    diff = np.asarray(x, dtype=float) - med
    scale = np.maximum(scale, floor)
    with np.errstate(all="ignore"):
        return np.where(scale > 0, diff / scale, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))


def _ranks(sorted_groups: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal values (input sorted)."""
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    return np.arange(len(sorted_groups)) - np.repeat(
        starts, np.diff(np.r_[starts, len(sorted_groups)])
    )


def outliers(
    values: pd.DataFrame,
    periods: PeriodsLike,
    threshold: float = Z_THRESHOLD,
    history: int = HISTORY,
    min_history: int = MIN_HISTORY,
    provinces: Collection[str] | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Flags for quarter-on-quarter changes of ratio indicators far outside the province's
    own history and its peers' changes (see the module docstring).

    ``values`` (``indicators.VALUE_COLUMNS``) holds every province in ``periods`` and the
    quarter before (the peers), and the ``history`` quarters before them for the provinces
    to check (all, or ``provinces``).
    """
    catalogue = catalogue or load_catalogue()
    ratios = {i.code for i in catalogue.indicators if i.unit == "ratio"}
    v = values[values["indicator"].isin(ratios) & values["value"].notna()]
    idx = period_index(v["period"])
    gid = pd.factorize(v["era"] + "|" + v["province_code"] + "|" + v["indicator"])[0]
    order = np.lexsort((idx, gid))
    v, idx, gid = v.iloc[order].reset_index(drop=True), idx[order], gid[order]
    value = v["value"].to_numpy(dtype=float)
    version = version_ids(v["period"], catalogue)
    follows = np.r_[False, (gid[1:] == gid[:-1]) & (idx[1:] == idx[:-1] + 1)]
    follows &= np.r_[False, version[1:] == version[:-1]]
    prev_value = np.where(follows, np.r_[np.nan, value[:-1]], np.nan)
    change = value - prev_value
    with np.errstate(divide="ignore"):
        resolution = 1.0 / v["den"].to_numpy(dtype=float)  # one unit of the numerator
    has = ~np.isnan(change)
    checked = (
        np.ones(len(v), dtype=bool)
        if provinces is None
        else v["province_code"].isin({normalise_code(c) for c in provinces}).to_numpy()
    )
    indicator = v["indicator"].to_numpy()
    who = _Who(v)
    rows = []
    for period in as_periods(periods):
        p = period.index
        at = has & (idx == p)
        cand = np.flatnonzero(at & checked)
        if not len(cand):
            continue
        # own history: the previous `history` changes of the same group, by position
        sample = np.full((len(cand), history), np.nan)
        for lag in range(1, history + 1):
            j = cand - lag
            ok = (
                (j >= 0)
                & (gid[np.maximum(j, 0)] == gid[cand])
                & (idx[np.maximum(j, 0)] >= p - history)
            )
            sample[ok, lag - 1] = change[j[ok]]
        enough = (~np.isnan(sample)).sum(axis=1) >= min_history
        z_own = robust_z(change[cand], *robust_stats(sample), resolution[cand])
        # peers: every province's change of each indicator in this quarter, one row each
        peer_ind, peer_pos = np.unique(indicator[at], return_inverse=True)
        order = np.argsort(peer_pos, kind="stable")
        peers = np.full((len(peer_ind), np.bincount(peer_pos).max()), np.nan)
        peers[peer_pos[order], _ranks(peer_pos[order])] = change[at][order]
        med, scale = robust_stats(peers)
        row = np.searchsorted(peer_ind, indicator[cand])
        z_peer = robust_z(change[cand], med[row], scale[row], resolution[cand])
        hit = enough & (
            ((z_own > threshold) & (z_peer > threshold))
            | ((z_own < -threshold) & (z_peer < -threshold))
        )
        for i, k in zip(np.flatnonzero(hit), cand[hit], strict=True):
            rows.append(
                {
                    **who(k),
                    "flag": "outlier",
                    "item": indicator[k],
                    "value": value[k],
                    "previous": prev_value[k],
                    "previous_period": str(period.previous()),
                    "z_own": z_own[i],
                    "z_peer": z_peer[i],
                }
            )
    return _frame(rows)


def report_records(
    values: pd.DataFrame, days: int = DEADLINE_DAYS, today: date | None = None
) -> pd.DataFrame:
    """Whether each province-period of an indicator-values frame has a report: ``status`` is
    ``reported`` (any constituent reported), ``missing`` (none, deadline passed) or
    ``not_yet_due``. Enough for :func:`no_report` without reading receipt dates."""
    today = today or vn_today()
    _, first = group_ids(values["period"], values["era"], values["province_code"])
    out = values[[*KEYS, "province_name", "constituents_reported"]].iloc[first]
    pcode, periods = pd.factorize(out["period"])
    due = np.array([Period.parse(p).deadline(days) < today for p in periods], dtype=bool)[pcode]
    reported = out["constituents_reported"].to_numpy() > 0
    status = np.where(reported, "reported", np.where(due, "missing", "not_yet_due"))
    return out.drop(columns="constituents_reported").assign(status=status)


def no_report(
    records: pd.DataFrame, periods: PeriodsLike, min_quarters: int = MIN_QUARTERS_MISSING
) -> pd.DataFrame:
    """Flags for provinces with no report for ``min_quarters`` or more consecutive due quarters.

    ``records`` (``completeness.timeliness`` or :func:`report_records`) covers ``periods`` and
    the quarters before them; the run is counted back from the latest due quarter up to each
    period.
    """
    exists = set(zip(records["era"], records["province_code"], records["period"], strict=True))
    frame, gid = _sorted_by_province(records[records["status"] != "not_yet_due"])
    idx = period_index(frame["period"])
    missing = (frame["status"] == "missing").to_numpy()
    # run[i]: consecutive missing quarters ending at row i (same province, no gap)
    run = np.zeros(len(frame), dtype=np.int64)
    for i in np.flatnonzero(missing):
        follows = i > 0 and gid[i - 1] == gid[i] and idx[i - 1] == idx[i] - 1
        run[i] = run[i - 1] + 1 if follows else 1
    rows = []
    who = _Who(frame)
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    ends = np.r_[starts[1:], len(frame)]
    for period in as_periods(periods):
        for a, b in zip(starts, ends, strict=True):
            last = a + np.searchsorted(idx[a:b], period.index, side="right") - 1
            if last < a or run[last] < min_quarters:
                continue
            if (who.era[a], who.code[a], str(period)) not in exists:
                continue  # the province does not exist in that period (basis, era)
            rows.append(
                {
                    **who(int(a)),
                    "period": str(period),
                    "flag": "no_report",
                    "quarters": int(run[last]),
                }
            )
    return _frame(rows)


def mixed_datasets(store: Store, periods: PeriodsLike) -> list[str]:
    """The datasets present among the current values of ``periods`` (mixed when > 1)."""
    return read_datasets(store, periods)


def datasets_of(raw: pd.DataFrame, periods: PeriodsLike) -> list[str]:
    """The datasets of the rows of ``periods`` in a ``frames.read_raw`` frame (as
    :func:`mixed_datasets`, without a query)."""
    wanted = raw["period"].isin({str(p) for p in as_periods(periods)})
    return sorted(raw.loc[wanted, "dataset"].dropna().unique())


def find_flags(
    raw: pd.DataFrame,
    values: pd.DataFrame,
    records: pd.DataFrame,
    datasets: list[str],
    periods: PeriodsLike,
    threshold: float = Z_THRESHOLD,
    history: int = HISTORY,
    provinces: Collection[str] | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Every flag for ``periods`` from frames covering them and ``history`` quarters before.

    ``raw``: raw values on the basis (``read_raw`` or ``harmonise_raw``); ``values``:
    indicator values; ``records``: ``completeness.timeliness``; ``datasets``: those present;
    ``provinces``: only flag these (peers are still every province in ``values``).
    """
    plist = as_periods(periods)
    parts = [
        yes_to_no(raw, plist, catalogue),
        outliers(values, plist, threshold, history, provinces=provinces, catalogue=catalogue),
        no_report(records, plist),
    ]
    if len(datasets) > 1:
        parts.append(
            _frame(
                [
                    {
                        "province_code": NATIONAL,
                        "period": str(p),
                        "flag": "mixed_datasets",
                        "item": ",".join(datasets),
                    }
                    for p in plist
                ]
            )
        )
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else _frame([])


def flag_span(periods: PeriodsLike, history: int = HISTORY) -> list[Period]:
    """``periods`` and the ``history`` quarters before each: what :func:`flags` reads."""
    return as_periods(
        {q for p in as_periods(periods) for q in (p.previous(i) for i in range(history + 1))}
    )


def raw_on_basis(raw: pd.DataFrame, basis: str, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Raw values (as reported) as shown on ``basis`` (for :func:`yes_to_no`)."""
    return harmonise_raw(raw, basis, catalogue) if basis == "current" else raw


def flag_inputs(
    store: Store,
    periods: PeriodsLike,
    basis: str = "reported",
    provinces: Collection[str] | None = None,
    history: int = HISTORY,
    catalogue: Catalogue | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw values (as reported) and indicator values that :func:`find_flags` needs.

    Every province in ``periods`` and the quarter before each (the peers); the ``history``
    quarters before that for ``provinces`` only (all when ``None``).
    """
    plist = as_periods(periods)
    near = as_periods({q for p in plist for q in (p, p.previous())})
    span = flag_span(plist, history)
    raw = in_scope(
        read_raw(store, span, source_codes(span, basis, provinces), catalogue, every=near),
        store.scope,
    )
    values = compute_values(raw, span, basis, provinces, catalogue=catalogue, every=near)
    return raw, values


def merged_history(
    store: Store,
    values: pd.DataFrame,
    periods: PeriodsLike,
    provinces: Collection[str] | None = None,
    history: int = HISTORY,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """``values`` (as reported) with each current province's history before the 2025 merger
    on the 34-province basis (its constituents summed), for :func:`outliers` only; added for
    quarters not being flagged, so they never act as peers."""
    plist = as_periods(periods)
    merger = Period.parse(MERGER_PERIOD)
    before = [q for q in flag_span(plist, history) if q < merger and q not in plist]
    if not before or not any(p.era == "current" for p in plist):
        return values
    raw = read_raw(store, before, source_codes(before, "current", provinces), catalogue)
    if raw.empty:
        return values
    extra = compute_values(raw, before, "current", provinces, catalogue=catalogue)
    extra = extra[extra["era"] == "current"]
    return pd.concat([values, extra[values.columns]], ignore_index=True)


def flags(
    store: Store,
    periods: PeriodsLike,
    basis: str = "reported",
    provinces: Collection[str] | None = None,
    history: int = HISTORY,
    threshold: float = Z_THRESHOLD,
    days: int = DEADLINE_DAYS,
    today: date | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Every flag for ``periods`` on ``basis`` (``FLAG_COLUMNS``), reading ``history`` quarters
    before them; only for ``provinces`` when given (outlier peers are still every province).
    A ``mixed_datasets`` flag is one row per period with ``province_code`` ``VN`` and the
    datasets in ``item``."""
    catalogue = catalogue or load_catalogue()
    plist = as_periods(periods)
    raw, values = flag_inputs(store, plist, basis, provinces, history, catalogue)
    found = flags_from_inputs(
        store, raw, values, plist, basis, provinces, history, threshold, days, today, catalogue
    )
    if provinces is not None:
        keep = {normalise_code(c) for c in provinces} | {NATIONAL}
        found = found[found["province_code"].isin(keep)].reset_index(drop=True)
    return found


def flags_from_inputs(
    store: Store,
    raw: pd.DataFrame,
    values: pd.DataFrame,
    plist: list[Period],
    basis: str,
    provinces: Collection[str] | None,
    history: int,
    threshold: float,
    days: int,
    today: date | None,
    catalogue: Catalogue,
) -> pd.DataFrame:
    """The flags of :func:`flag_inputs`' frames (not yet kept to ``provinces``): deadlines from
    the values as reported, outliers against the history on the 34-province basis for current
    provinces viewed as reported (:func:`merged_history`)."""
    records = report_records(values, days, today)
    if basis == "reported":
        values = merged_history(store, values, plist, provinces, history, catalogue)
    return find_flags(
        raw_on_basis(raw, basis, catalogue),
        values,
        records,
        datasets_of(raw, plist),
        plist,
        threshold=threshold,
        history=history,
        provinces=provinces,
        catalogue=catalogue,
    )
