"""National and regional figures per indicator and period.

For each area (``VN`` and each socio-economic region) and indicator:
- ``n_provinces``: provinces that exist in the period on the basis; ``n_reported`` have a
  value, ``n_missing`` do not (``n_no_report`` of them sent no report at all);
- ``n_met``: provinces meeting the target in force ("k of n provinces"); NaN when not scored;
- ``value``: the ratio of sums Σ numerator / Σ denominator over the provinces with both (for a
  yes/no: yes answers / answers, counted over the reporting units as aggregated);
- ``median``: the median province value;
- ``framework``: the framework version of the period (``metrics.frameworks``).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue
from dxboard.periods import PeriodsLike
from dxboard.store import Store
from dxboard.tables import group_ids
from metrics.indicators import indicator_values
from metrics.status import assess

NATIONAL = "VN"
SUMMARY_COLUMNS = [
    "area",
    "period",
    "indicator",
    "n_provinces",
    "n_reported",
    "n_missing",
    "n_no_report",
    "n_met",
    "value",
    "median",
    "num",
    "den",
    "framework",
]


def group_median(gid: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """Median of ``values`` per group id (NaN values ignored; NaN for an empty group)."""
    ok = ~np.isnan(values)
    g, v = gid[ok], values[ok]
    order = np.lexsort((v, g))
    g, v = g[order], v[order]
    count = np.bincount(g, minlength=groups)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    lo = start + (count - 1) // 2
    hi = start + count // 2
    out = np.full(groups, np.nan)
    has = count > 0
    out[has] = (v[lo[has]] + v[hi[has]]) / 2.0
    return out


def _summary(assessed: pd.DataFrame, area: pd.Series) -> pd.DataFrame:
    gid, first = group_ids(area, assessed["period"], assessed["indicator"])
    m = len(first)
    value = assessed["value"].to_numpy(dtype=float)
    num = assessed["num"].to_numpy(dtype=float)
    den = assessed["den"].to_numpy(dtype=float)
    pair = ~np.isnan(num) & ~np.isnan(den)
    n_met = np.bincount(gid, assessed["met"].to_numpy(dtype=float) == 1.0, m)
    scored = np.bincount(gid, assessed["scored"].to_numpy(dtype=bool), m) > 0
    out = pd.DataFrame(
        {
            "area": area.to_numpy()[first],
            "period": assessed["period"].to_numpy()[first],
            "indicator": assessed["indicator"].to_numpy()[first],
            "n_provinces": np.bincount(gid, minlength=m),
            "n_reported": np.bincount(gid, ~np.isnan(value), m).astype(int),
            "n_no_report": np.bincount(
                gid, assessed["constituents_reported"].to_numpy() == 0, m
            ).astype(int),
            "n_met": pd.array(np.where(scored, n_met, np.nan), dtype="Int64"),
            "median": group_median(gid, value, m),
            "num": np.bincount(gid, np.where(pair, num, 0.0), m),
            "den": np.bincount(gid, np.where(pair, den, 0.0), m),
            "framework": assessed["framework"].to_numpy()[first],
        }
    )
    out["n_missing"] = out["n_provinces"] - out["n_reported"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value"] = np.where(out["den"] > 0, out["num"] / out["den"], np.nan)
    return out


def summarise(assessed: pd.DataFrame, regions: bool = True) -> pd.DataFrame:
    """National (``area`` = ``VN``) and, if ``regions``, regional rows (``area`` = region code)
    from a ``status.assess`` frame covering every province of each period (pure)."""
    parts = [_summary(assessed, pd.Series(NATIONAL, index=assessed.index))]
    if regions:
        parts.append(_summary(assessed, assessed["region"]))
    out = pd.concat(parts, ignore_index=True)
    return out[SUMMARY_COLUMNS]


def national(
    store: Store,
    periods: PeriodsLike,
    basis: str = "reported",
    indicators: Collection[str] | None = None,
    regions: bool = True,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """National and regional figures per indicator and period (``SUMMARY_COLUMNS``).

    ``n_met`` of ``n_provinces`` meet the target, ``n_missing`` did not report; ``value`` is the
    ratio of sums, ``median`` the median province. On the ``current`` basis the provinces are
    the 34 current ones in every period.
    """
    values = indicator_values(store, periods, basis, indicators=indicators, catalogue=catalogue)
    return summarise(assess(values, catalogue), regions)
