"""Large swings in an upload: warn the officer (never block) before the figures are stored.

For each count or amount of a new report:

- ``own``: the value moved by ``OWN_SWING`` (50 %) or more against the province's latest
  earlier quarter with a value of the field (up to ``LOOKBACK`` quarters back, in a framework
  version that has the field), and by at least ``MIN_UNITS`` units, so 2 → 3 is not a swing.
- ``peers``: the value is ``PEER_FACTOR`` (3) times the median of the other provinces' values
  of the field in the same quarter, or a third of it or less (at least ``MIN_PEERS`` peers).

History and peers are on the 34-province basis from 2025-Q3 on (``metrics.harmonise``): the
quarter before 2025-Q3 of Cần Thơ is the sum of Cần Thơ, Hậu Giang and Sóc Trăng.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.periods import Period
from dxboard.store import Store
from dxboard.store.frames import read_raw
from metrics.harmonise import harmonise_raw

OWN_SWING = 0.5
PEER_FACTOR = 3.0
MIN_UNITS = 5.0
MIN_PEERS = 5
LOOKBACK = 4
KINDS = ("count", "amount")


@dataclass(frozen=True)
class Swing:
    """One warning: ``value`` against ``reference`` (the earlier value, or the peers' median)."""

    province_code: str
    period: str
    field: str
    basis: str  # own | peers
    value: float
    reference: float
    reference_period: str

    @property
    def change(self) -> float:
        """Relative change against the reference: −0,63 is 63 % lower."""
        return self.value / self.reference - 1.0


def own_swing(value: float, previous: float | None) -> bool:
    """Whether ``value`` moved by ``OWN_SWING`` or more (and ``MIN_UNITS``) from ``previous``."""
    if previous is None or np.isnan(previous) or previous <= 0 or np.isnan(value):
        return False
    return abs(value - previous) >= max(OWN_SWING * previous, MIN_UNITS)


def peer_swing(value: float, peers: Sequence[float]) -> float | None:
    """The peers' median when ``value`` is ``PEER_FACTOR`` times it or a third of it or less."""
    sample = np.asarray([p for p in peers if not np.isnan(p)], dtype=float)
    if len(sample) < MIN_PEERS or np.isnan(value):
        return None
    median = float(np.median(sample))
    if median <= 0 or abs(value - median) < MIN_UNITS:
        return None
    far = value >= PEER_FACTOR * median or value <= median / PEER_FACTOR
    return median if far else None


def report_swings(
    code: str,
    period: str,
    values: Mapping[str, float | None],
    history: pd.DataFrame,
) -> list[Swing]:
    """Swings of one new report (``values``: field → value) against ``history`` (raw values on
    the period's basis: the province's earlier quarters and every province in ``period``)."""
    catalogue = load_catalogue()
    fields = [f.code for f in catalogue.fields if f.kind in KINDS and f.code in values]
    mine = history[history["province_code"] == code]
    earlier = mine[mine["period"] < period].sort_values("period", ascending=False)
    peers = history[(history["period"] == period) & (history["province_code"] != code)]
    out: list[Swing] = []
    for fld in fields:
        value = values[fld]
        if value is None:
            continue
        known = earlier[earlier[fld].notna() & _continues(earlier["period"], fld, catalogue)]
        if len(known) and own_swing(value, float(known[fld].iloc[0])):
            prev = float(known[fld].iloc[0])
            out.append(Swing(code, period, fld, "own", value, prev, str(known["period"].iloc[0])))
        median = peer_swing(value, peers[fld].to_list())
        if median is not None:
            out.append(Swing(code, period, fld, "peers", value, median, period))
    return out


def _continues(periods: pd.Series, fld: str, catalogue: Catalogue) -> pd.Series:
    """Whether the field exists in the framework version of each period (a field kept by a new
    version keeps its code and meaning; a changed one is a new entry)."""
    return periods.map(lambda p: fld in catalogue.version_for(p).field_map).astype(bool)


def upload_swings(
    store: Store, reports: Iterable[tuple[str, str, Mapping[str, float | None]]]
) -> list[Swing]:
    """Swings of the reports of an upload: (province code, period, field → value) each."""
    out: list[Swing] = []
    histories: dict[str, pd.DataFrame] = {}
    for code, period, values in reports:
        if period not in histories:
            histories[period] = _history(store, Period.parse(period))
        if not histories[period].empty:
            out += report_swings(code, period, values, histories[period])
    return out


def _history(store: Store, period: Period) -> pd.DataFrame:
    """Raw values of ``period`` and the ``LOOKBACK`` quarters before, on its era's basis."""
    quarters = [period.previous(n) for n in range(LOOKBACK, 0, -1)] + [period]
    raw = read_raw(store, quarters)
    if raw.empty or period.era != "current":
        return raw
    return harmonise_raw(raw, "current")
