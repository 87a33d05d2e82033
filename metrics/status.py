"""Targets, attainment and status of each province, indicator and period.

- Target in force: the target of the indicator in the framework version of the period (see
  ``metrics.frameworks``), at ``target.stage_for(period.end)`` (the first stage whose deadline is
  not yet past at the quarter's end, else the last stage).
- Met: the value satisfies the comparator (``>=`` or ``<=``), with a tolerance of 1e-9.
- Attainment (scored indicators only), 0–1: a yes/no is 1 if met else 0; a ratio with a
  ``>= t`` target is ``min(value / t, 1)``; with a ``<= t`` target ``min(t / value, 1)``.
- Status: ``not_scored`` (no target), ``no_data``, ``met``, then for a target not met:
  ``not_met`` when the target has no deadline, ``overdue`` when the deadline is on or before
  the quarter's end, ``on_track`` when a least-squares line through the last four quarters
  with a value (within the last eight quarters) reaches the target by the deadline's quarter,
  else ``off_track`` (also when fewer than two quarters have a value).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.periods import Period, PeriodsLike, as_periods
from dxboard.store import Store
from dxboard.store.frames import read_raw
from metrics.harmonise import source_codes
from metrics.indicators import compute_values
from metrics.review import in_scope

STATUSES = ("met", "on_track", "off_track", "overdue", "not_met", "no_data", "not_scored")
TOLERANCE = 1e-9
TREND_QUARTERS = 4
LOOKBACK = 8
TARGET_COLUMNS = ["scored", "target", "deadline", "comparator", "met", "attainment"]


def _target_arrays(
    periods: list[str], indicators: list[str], catalogue: Catalogue
) -> dict[str, np.ndarray]:
    """Arrays (periods × indicators) of the target in force: scored, target, deadline,
    comparator and unit (an indicator that the period's version does not have: not scored)."""
    latest = {i.code: i for i in catalogue.indicators}
    shape = (len(periods), len(indicators))
    out = {
        "scored": np.zeros(shape, dtype=bool),
        "target": np.full(shape, np.nan),
        "deadline": np.full(shape, None, dtype=object),
        "comparator": np.full(shape, None, dtype=object),
        "unit": np.full(shape, None, dtype=object),
    }
    for a, text in enumerate(periods):
        end = Period.parse(text).end
        by_code = catalogue.version_for(text).indicator_map
        for b, code in enumerate(indicators):
            ind = by_code.get(code, latest[code])
            out["unit"][a, b] = ind.unit
            if code not in by_code:
                continue
            if ind.target is None:
                continue
            stage = ind.target.stage_for(end)
            out["scored"][a, b] = ind.scored
            out["target"][a, b] = stage.value
            out["deadline"][a, b] = stage.deadline
            out["comparator"][a, b] = ind.target.comparator
    return out


def meets(value: np.ndarray, target: np.ndarray, comparator: np.ndarray) -> np.ndarray:
    """1.0 where ``value`` satisfies ``comparator target``, 0.0 where not, NaN without value."""
    value, target = np.asarray(value, dtype=float), np.asarray(target, dtype=float)
    with np.errstate(invalid="ignore"):
        ok = np.where(
            np.asarray(comparator) == "<=", value <= target + TOLERANCE, value >= target - TOLERANCE
        )
    return np.where(np.isnan(value) | np.isnan(target), np.nan, ok.astype(float))


def attainment(
    value: np.ndarray, target: np.ndarray, comparator: np.ndarray, unit: np.ndarray
) -> np.ndarray:
    """Attainment 0–1 (NaN without value or target); see the module docstring."""
    value, target = np.asarray(value, dtype=float), np.asarray(target, dtype=float)
    met = meets(value, target, comparator)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(target > 0, value / target, 1.0)
        down = np.where(value > 0, target / value, 1.0)
    ratio = np.minimum(np.where(np.asarray(comparator) == "<=", down, up), 1.0)
    out = np.where(np.asarray(unit) == "yes_no", met, np.maximum(ratio, 0.0))
    return np.where(np.isnan(met), np.nan, out)


def assess(values: pd.DataFrame, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Add the target in force and how the value stands against it (no trend needed).

    Adds ``scored, target, deadline, comparator, met`` (1.0/0.0/NaN) and ``attainment``
    (NaN for indicators that are not scored) to a frame of ``indicators.VALUE_COLUMNS``.
    """
    catalogue = catalogue or load_catalogue()
    pcode, periods = pd.factorize(values["period"])
    icode, indicators = pd.factorize(values["indicator"])
    table = _target_arrays(list(periods), list(indicators), catalogue)
    t = {k: v[pcode, icode] for k, v in table.items()}
    value = values["value"].to_numpy(dtype=float)
    data = {c: values[c].array for c in values.columns}
    data.update(
        scored=t["scored"],
        target=t["target"],
        deadline=t["deadline"],
        comparator=t["comparator"],
        met=meets(value, t["target"], t["comparator"]),
        attainment=np.where(
            t["scored"], attainment(value, t["target"], t["comparator"], t["unit"]), np.nan
        ),
    )
    return pd.DataFrame(data, copy=False)


def period_index(periods: pd.Series) -> np.ndarray:
    """``Period.index`` of each period string (quarters since year 0)."""
    codes, uniques = pd.factorize(periods)
    return np.array([Period.parse(p).index for p in uniques], dtype=np.int64)[codes]


def _history_keys(frame: pd.DataFrame) -> pd.Series:
    return frame["era"] + "|" + frame["province_code"] + "|" + frame["indicator"]


def projections(
    assessed: pd.DataFrame,
    history: pd.DataFrame,
    trend_quarters: int = TREND_QUARTERS,
    lookback: int = LOOKBACK,
) -> np.ndarray:
    """Least-squares projection of each row's value to the quarter of its deadline.

    For each row of ``assessed`` (one period each) the line is fitted through the last
    ``trend_quarters`` quarters with a value among the ``lookback`` quarters up to and
    including its period, taken from ``history`` (rows of ``indicators.VALUE_COLUMNS``, same
    province identity ``(era, province_code)`` and indicator). NaN with fewer than two points
    or without a deadline.
    """
    out = np.full(len(assessed), np.nan)
    hist = history[history["value"].notna()]
    hist_idx = period_index(hist["period"])
    hist_gid, groups = pd.factorize(_history_keys(hist))
    hist_y = hist["value"].to_numpy(dtype=float)
    want_gid = pd.Index(groups).get_indexer(_history_keys(assessed))
    for period in pd.unique(assessed["period"]):
        rows = np.flatnonzero(
            (assessed["period"] == period).to_numpy()
            & assessed["deadline"].notna().to_numpy()
            & (want_gid >= 0)
        )
        if not len(rows):
            continue
        p = Period.parse(period).index
        sel = np.flatnonzero((hist_idx <= p) & (hist_idx > p - lookback))
        order = sel[np.lexsort((-hist_idx[sel], hist_gid[sel]))]  # per group, latest first
        gid = hist_gid[order]
        starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
        rank = np.arange(len(gid)) - np.repeat(starts, np.diff(np.r_[starts, len(gid)]))
        keep = order[rank < trend_quarters]
        gid, x, y = hist_gid[keep], (hist_idx[keep] - p).astype(float), hist_y[keep]
        m = len(groups)
        n, sx, sy = (np.bincount(gid, w, m) for w in (np.ones_like(x), x, y))
        sxy, sxx = np.bincount(gid, x * y, m), np.bincount(gid, x * x, m)
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
            intercept = (sy - slope * sx) / n
        g = want_gid[rows]
        deadlines = assessed["deadline"].to_numpy()[rows]
        dx = np.array([Period.containing(d).index - p for d in deadlines], dtype=float)
        proj = np.where(n[g] >= 2, intercept[g] + slope[g] * dx, np.nan)
        out[rows] = proj
    return out


def add_status(
    assessed: pd.DataFrame,
    history: pd.DataFrame | None = None,
    trend_quarters: int = TREND_QUARTERS,
    lookback: int = LOOKBACK,
) -> pd.DataFrame:
    """Add ``projection`` and ``status`` (one of ``STATUSES``) to an :func:`assess` frame.

    ``history`` holds earlier quarters of the same provinces (defaults to ``assessed`` itself).
    """
    proj = projections(assessed, assessed if history is None else history, trend_quarters, lookback)
    value = assessed["value"].to_numpy(dtype=float)
    met = assessed["met"].to_numpy(dtype=float)
    pcode, periods = pd.factorize(assessed["period"])
    period_end = np.array([Period.parse(p).end for p in periods], dtype="datetime64[D]")[pcode]
    deadline = assessed["deadline"].to_numpy()
    has_deadline = pd.notna(deadline)
    deadline_day = np.asarray(deadline, dtype="datetime64[D]")  # None becomes NaT
    past = has_deadline & (deadline_day <= period_end)
    on_track = meets(proj, assessed["target"].to_numpy(), assessed["comparator"].to_numpy()) == 1
    data = {c: assessed[c].array for c in assessed.columns}
    data["projection"] = proj
    data["status"] = np.select(
        [
            ~assessed["scored"].to_numpy(dtype=bool),
            np.isnan(value),
            met == 1.0,
            ~has_deadline,
            past,
            on_track,
        ],
        ["not_scored", "no_data", "met", "not_met", "overdue", "on_track"],
        "off_track",
    )
    return pd.DataFrame(data, copy=False)


def window(periods: PeriodsLike, lookback: int = LOOKBACK) -> list[Period]:
    """``periods`` and the ``lookback - 1`` quarters before each (the trend window)."""
    return as_periods(
        {q for p in as_periods(periods) for q in (p.previous(i) for i in range(lookback))}
    )


def indicator_status(
    store: Store,
    periods: PeriodsLike,
    basis: str = "reported",
    provinces: Collection[str] | None = None,
    indicators: Collection[str] | None = None,
    trend_quarters: int = TREND_QUARTERS,
    lookback: int = LOOKBACK,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Value, target, attainment and status per province, indicator and period.

    Reads ``periods`` and the ``lookback`` quarters before each (for the trend) and returns the
    rows of ``periods``: ``indicators.VALUE_COLUMNS`` + ``TARGET_COLUMNS`` + ``projection``,
    ``status``.
    """
    catalogue = catalogue or load_catalogue()
    now, history = values_with_history(
        store, periods, basis, provinces, indicators, lookback, catalogue
    )
    return add_status(assess(now, catalogue), history, trend_quarters, lookback)


def dated_indicators(periods: PeriodsLike, catalogue: Catalogue | None = None) -> set[str]:
    """Codes of the indicators whose target in force in any of ``periods`` has a deadline."""
    catalogue = catalogue or load_catalogue()
    return {
        i.code
        for p in as_periods(periods)
        for i in catalogue.version_for(p).indicators
        if i.target and i.target.stage_for(p.end).deadline is not None
    }


def values_with_history(
    store: Store,
    periods: PeriodsLike,
    basis: str = "reported",
    provinces: Collection[str] | None = None,
    indicators: Collection[str] | None = None,
    lookback: int = LOOKBACK,
    catalogue: Catalogue | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator values of ``periods``, and the same plus the ``lookback`` quarters before for
    the indicators with a deadline (what :func:`add_status` needs), from one read."""
    catalogue = catalogue or load_catalogue()
    plist = as_periods(periods)
    span = window(plist, lookback)
    fields = catalogue.input_fields(indicators)
    raw = in_scope(
        read_raw(store, span, source_codes(span, basis, provinces), catalogue, fields), store.scope
    )
    wanted = raw["period"].isin({str(p) for p in plist}).to_numpy()
    now = compute_values(raw[wanted], plist, basis, provinces, indicators, catalogue)
    dated = dated_indicators(plist, catalogue)
    if indicators is not None:
        dated &= set(indicators)
    earlier = [p for p in span if p not in set(plist)]
    if not dated or not earlier:
        return now, now
    before = compute_values(raw[~wanted], earlier, basis, provinces, dated, catalogue)
    return now, pd.concat([before, now], ignore_index=True)
