"""What a leader reads first: national status per target, who lags most, who moved.

- National status of a scored indicator in a quarter: the national value (ratio of sums, see
  ``metrics.national``) judged against the target in force by the rules of ``metrics.status``
  (``met``, ``on_track``, ``off_track``, ``overdue``, ``not_met``, ``no_data``), the trend
  drawn through the national values of the last quarters (one national series, also across
  the 2025 merger).
- ``gap``: how far the national value is from the target, in the indicator's unit (positive:
  short of it; 0 when met).
- Best province: the province with the best value of the quarter (highest, lowest for a ``<=``
  target), shown for a target that no province meets yet.
- Lagging provinces: per scored indicator, the ``LAGGING`` provinces that do not meet the target
  with the lowest distance-to-target score (``metrics.index``), worst value first.
- Laggards: the provinces most often among the lagging provinces, most targets first.
- Movers: the ``MOVERS`` largest rank changes up and down since the previous quarter (none when
  the ranks are not comparable).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.periods import Period
from dxboard.store import Store
from dxboard.textnorm import fold
from metrics.index import SCORE, readiness, with_rank_change, with_scores
from metrics.indicators import indicator_values
from metrics.national import NATIONAL, summarise
from metrics.status import add_status, assess, window

LAGGING = 3
MOVERS = 3
STATUS_COLUMNS = [
    "indicator",
    "value",
    "target",
    "comparator",
    "deadline",
    "status",
    "gap",
    "n_met",
    "n_provinces",
    "best_code",
    "best_name",
    "best_value",
]
LAGGING_COLUMNS = ["indicator", "order", "province_code", "province_name", "value", SCORE]


@dataclass
class Headlines:
    """The key messages of one quarter on one basis (frames described in the module doc)."""

    period: str
    basis: str
    status: pd.DataFrame
    lagging: pd.DataFrame
    laggards: pd.DataFrame
    risers: pd.DataFrame
    fallers: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """Number of targets per national status (every status of ``STATUSES`` present)."""
        return {str(k): int(v) for k, v in self.status["status"].value_counts().items()}


def national_status(assessed: pd.DataFrame, period: str, catalogue: Catalogue) -> pd.DataFrame:
    """National value, target and status of each scored indicator of ``period``, from a
    ``status.assess`` frame of every province over ``period`` and the quarters before it."""
    summary = summarise(assessed, regions=False)
    frame = summary[["period", "indicator", "value", "num", "den", "n_met", "n_provinces"]].copy()
    frame["era"], frame["province_code"] = "national", NATIONAL
    judged = add_status(assess(frame, catalogue))
    now = judged[(judged["period"] == period) & judged["scored"].astype(bool)]
    order = {i.code: n for n, i in enumerate(catalogue.version_for(period).indicators)}
    now = now.assign(_o=now["indicator"].map(order)).sort_values("_o").reset_index(drop=True)
    sign = np.where(now["comparator"].to_numpy() == "<=", -1.0, 1.0)
    gap = sign * (now["target"].to_numpy(dtype=float) - now["value"].to_numpy(dtype=float))
    now["gap"] = np.where(now["status"] == "met", 0.0, gap)
    return now


def _oriented(frame: pd.DataFrame) -> np.ndarray:
    sign = np.where(frame["comparator"].to_numpy() == "<=", -1.0, 1.0)
    return sign * frame["value"].to_numpy(dtype=float)


def best_provinces(scored: pd.DataFrame) -> pd.DataFrame:
    """Per indicator the province with the best value: ``indicator, best_code, best_name,
    best_value`` (ties: the first by name)."""
    rows = scored[scored["value"].notna()].assign(_v=lambda f: _oriented(f))
    rows = rows.assign(_n=rows["province_name"].map(fold))
    best = rows.sort_values(["indicator", "_v", "_n"], ascending=[True, False, True])
    best = best.drop_duplicates("indicator")
    return pd.DataFrame(
        {
            "indicator": best["indicator"].to_numpy(),
            "best_code": best["province_code"].to_numpy(),
            "best_name": best["province_name"].to_numpy(),
            "best_value": best["value"].to_numpy(dtype=float),
        }
    )


def lagging(scored: pd.DataFrame, n: int = LAGGING) -> pd.DataFrame:
    """Per scored indicator the ``n`` provinces furthest from a target they do not meet
    (``LAGGING_COLUMNS``; ``order`` 1 = furthest), from a :func:`metrics.index.with_scores`
    frame of one quarter."""
    rows = scored[scored["scored"].astype(bool) & (scored["met"] == 0.0)]
    rows = rows.assign(_v=_oriented(rows), _n=rows["province_name"].map(fold))
    rows = rows.sort_values(["indicator", SCORE, "_v", "_n"]).groupby("indicator").head(n)
    rows = rows.assign(order=rows.groupby("indicator").cumcount() + 1)
    return rows[LAGGING_COLUMNS].reset_index(drop=True)


def laggards(lag: pd.DataFrame, n: int = LAGGING) -> pd.DataFrame:
    """The ``n`` provinces most often among :func:`lagging`: ``province_code, province_name,
    n_targets`` (ties by name)."""
    counts = lag.groupby(["province_code", "province_name"]).size().rename("n_targets")
    out = counts.reset_index()
    out = out.assign(_n=out["province_name"].map(fold))
    out = out.sort_values(["n_targets", "_n"], ascending=[False, True]).head(n)
    return out.drop(columns="_n").reset_index(drop=True)


def movers(ranks: pd.DataFrame, up: bool, n: int = MOVERS) -> pd.DataFrame:
    """The ``n`` largest rank changes up (or down): ``province_code, province_name, rank,
    rank_change``, from a :func:`metrics.index.with_rank_change` table of one quarter."""
    change = ranks["rank_change"].astype("Float64").fillna(0).to_numpy(dtype=float)
    moved = ranks[change > 0] if up else ranks[change < 0]
    moved = moved.assign(_a=moved["rank_change"].astype(float).abs())
    moved = moved.sort_values(["_a", "rank"], ascending=[False, True]).head(n)
    return moved[["province_code", "province_name", "rank", "rank_change"]].reset_index(drop=True)


def headlines_of(
    assessed: pd.DataFrame, period: str, basis: str, catalogue: Catalogue | None = None
) -> Headlines:
    """:class:`Headlines` from a ``status.assess`` frame of every province over ``period`` and
    the quarters before it (pure)."""
    catalogue = catalogue or load_catalogue()
    prev = str(Period.parse(period).previous())
    now = with_scores(assessed[assessed["period"] == period].reset_index(drop=True))
    status = national_status(assessed, period, catalogue)
    status = status.merge(best_provinces(now[now["scored"].astype(bool)]), how="left")
    two = assessed[assessed["period"].isin([period, prev])].reset_index(drop=True)
    ranks = with_rank_change(readiness(two, catalogue=catalogue))
    ranks = ranks[ranks["period"] == period]
    lag = lagging(now)
    return Headlines(
        period=period,
        basis=basis,
        status=status[STATUS_COLUMNS],
        lagging=lag,
        laggards=laggards(lag),
        risers=movers(ranks, up=True),
        fallers=movers(ranks, up=False),
    )


def headlines(
    store: Store, period: str, basis: str = "reported", catalogue: Catalogue | None = None
) -> Headlines:
    """:class:`Headlines` of ``period`` on ``basis`` (reads the trend window before it)."""
    catalogue = catalogue or load_catalogue()
    values = indicator_values(store, window([period]), basis, catalogue=catalogue)
    return headlines_of(assess(values, catalogue), str(Period.parse(period)), basis, catalogue)


def lagging_provinces(
    store: Store,
    period: str,
    basis: str = "reported",
    n: int = 5,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Per scored indicator of ``period`` the ``n`` provinces furthest from a target they do
    not meet (:func:`lagging`), with ``target``, ``comparator`` and ``unit`` of each row."""
    catalogue = catalogue or load_catalogue()
    values = indicator_values(store, period, basis, catalogue=catalogue)
    scored = with_scores(assess(values, catalogue))
    out = lagging(scored, n)
    version = catalogue.version_for(period)
    order = {i.code: k for k, i in enumerate(version.indicators)}
    out = out.merge(
        scored[["indicator", "province_code", "target", "comparator"]],
        on=["indicator", "province_code"],
    )
    out["unit"] = [version.indicator(c).unit for c in out["indicator"]]
    out = out.assign(_o=out["indicator"].map(order)).sort_values(["_o", "order"])
    return out.drop(columns="_o").reset_index(drop=True)
