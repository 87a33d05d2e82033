"""Indicator values from raw values, through the catalogue's formulas.

No indicator is named in this module: a ``yes_no`` indicator is its field, a ``ratio`` is
``numerator / denominator``, both read from ``data/catalogue.toml``. The computation goes through
numerator/denominator pairs (:func:`indicator_inputs`) so that the same code serves single
provinces, provinces aggregated to current boundaries, and national ratios of sums. Each period
is computed with the indicators of the framework version in force for it (an indicator that a
version does not have has no row in its periods), and every row names that version
(``framework``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, Indicator, Version, load_catalogue
from dxboard.periods import PeriodsLike, as_periods
from dxboard.store import Store
from dxboard.store.frames import read_raw
from dxboard.tables import KEYS, take_str
from metrics.frameworks import FRAMEWORK, by_version
from metrics.harmonise import (
    all_yes,
    constituents_reported,
    expected_provinces,
    grid_keys,
    grid_rows,
    row_datasets,
    source_codes,
    sum_rows,
)
from metrics.review import in_scope

VALUE_COLUMNS = [
    *KEYS,
    "province_name",
    "region",
    "indicator",
    "value",
    "num",
    "den",
    "constituents_reported",
    "constituents_total",
    "dataset",
    FRAMEWORK,
]


def select_indicators(
    indicators: Collection[str] | None = None, catalogue: Catalogue | Version | None = None
) -> list[Indicator]:
    """The indicators of the catalogue (every code of any version) or of one version, in
    catalogue order, or those named; ``KeyError`` if unknown."""
    catalogue = catalogue or load_catalogue()
    if indicators is None:
        return list(catalogue.indicators)
    known = {i.code for i in catalogue.indicators}
    unknown = sorted(set(indicators) - known)
    if unknown:
        raise KeyError(f"unknown indicators: {', '.join(unknown)}")
    return [i for i in catalogue.indicators if i.code in set(indicators)]


def indicator_inputs(
    raw: pd.DataFrame, indicators: Sequence[Indicator]
) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator matrices (rows of ``raw`` × indicators).

    ``yes_no``: the numerator is the field (1/0), the denominator 1 when it was reported, else 0.
    ``ratio``: the numerator and denominator fields, both NaN unless both were reported
    (complete cases), so that sums over provinces pair the same provinces on both sides.
    """
    n, k = len(raw), len(indicators)
    fields = sorted({f for i in indicators for f in i.inputs})
    matrix = raw[fields].to_numpy(dtype=float)
    col = {f: matrix[:, j] for j, f in enumerate(fields)}
    num = np.full((n, k), np.nan)
    den = np.full((n, k), np.nan)
    for j, ind in enumerate(indicators):
        if ind.unit == "yes_no":
            (x,) = (col[f] for f in ind.inputs)
            num[:, j] = x
            den[:, j] = ~np.isnan(x)
        else:
            a, b = (col[f] for f in ind.inputs)
            ok = ~(np.isnan(a) | np.isnan(b))
            num[:, j] = np.where(ok, a, np.nan)
            den[:, j] = np.where(ok, b, np.nan)
    return num, den


def apply_formulas(
    num: np.ndarray, den: np.ndarray, constituents: np.ndarray, indicators: Sequence[Indicator]
) -> np.ndarray:
    """Indicator values from (aggregated) numerators and denominators (rows × indicators).

    A ratio is ``num / den``, missing (NaN) when the denominator is zero or missing, never 0
    or infinite. A yes/no is :func:`metrics.harmonise.all_yes` of ``num`` yes answers among
    ``den`` answers out of ``constituents`` provinces (1 for a province as reported).
    """
    is_ratio = np.array([i.unit == "ratio" for i in indicators])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    yes_no = all_yes(num, den, np.asarray(constituents, dtype=float)[:, None])
    return np.where(is_ratio[None, :], ratio, yes_no)


@dataclass
class Panel:
    """Indicator values of a grid of province-periods: matrices of grid rows × indicators."""

    grid: pd.DataFrame
    indicators: list[Indicator]
    num: np.ndarray
    den: np.ndarray
    value: np.ndarray

    def long(self) -> pd.DataFrame:
        """One row per province, period and indicator (``VALUE_COLUMNS``)."""
        g, k = self.value.shape
        rep = np.repeat(np.arange(g), k)
        data = {c: self.grid[c].array.take(rep) for c in VALUE_COLUMNS if c in self.grid.columns}
        data["indicator"] = take_str(
            [i.code for i in self.indicators], np.tile(np.arange(k), g)
        ).array
        data.update(value=self.value.ravel(), num=self.num.ravel(), den=self.den.ravel())
        return pd.DataFrame({c: data[c] for c in VALUE_COLUMNS}, copy=False)


def compute_panel(
    raw: pd.DataFrame,
    periods: PeriodsLike,
    basis: str,
    provinces: Collection[str] | None,
    indicators: Collection[str] | None,
    version: Version,
    every: PeriodsLike = (),
) -> Panel:
    """Indicator values of every expected province-period, for periods of one ``version``
    (pure; see :func:`compute_values`)."""
    inds = select_indicators(indicators, version)
    grid = expected_provinces(periods, basis, provinces, every)
    grid[FRAMEWORK] = version.id
    rows = grid_rows(raw, grid, grid_keys(periods, basis, provinces, every))
    num_in, den_in = indicator_inputs(raw, inds)
    n = len(grid)
    num, den = sum_rows(rows, num_in, n), sum_rows(rows, den_in, n)
    grid["constituents_reported"] = constituents_reported(rows, n)
    grid["dataset"] = row_datasets(rows, raw["dataset"], n)
    value = apply_formulas(num, den, grid["constituents_total"].to_numpy(), inds)
    return Panel(grid, inds, num, den, value)


def compute_values(
    raw: pd.DataFrame,
    periods: PeriodsLike,
    basis: str = "reported",
    provinces: Collection[str] | None = None,
    indicators: Collection[str] | None = None,
    catalogue: Catalogue | None = None,
    every: PeriodsLike = (),
) -> pd.DataFrame:
    """Indicator values for every expected province, period and indicator (pure).

    ``raw`` is as reported (``frames.read_raw``). On the ``current`` basis legacy rows are first
    summed into their current province (numerators, denominators, yes answers), then the same
    formulas apply. Rows without data have ``value`` NaN. ``provinces`` restricts the
    provinces except in the periods ``every``. Each period gets the indicators of its framework
    version (``framework``). Columns: ``VALUE_COLUMNS``.
    """
    catalogue = catalogue or load_catalogue()
    wanted = (
        None if indicators is None else {i.code for i in select_indicators(indicators, catalogue)}
    )
    groups = by_version(periods, catalogue)
    everywhere = set(as_periods(every))
    parts = []
    for version, plist in groups:
        codes = [i.code for i in version.indicators if wanted is None or i.code in wanted]
        if not codes:
            continue
        rows = raw  # rows of other periods fall outside the grid (grid_rows: -1)
        here = [p for p in plist if p in everywhere]
        parts.append(compute_panel(rows, plist, basis, provinces, codes, version, here).long())
    if not parts:  # no period, or none of the indicators in their versions
        return compute_panel(raw, [], basis, provinces, [], catalogue.versions[-1]).long()
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def indicator_values(
    store: Store,
    periods: PeriodsLike,
    basis: str = "reported",
    provinces: Collection[str] | None = None,
    indicators: Collection[str] | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Indicator values from the current accepted raw values, for ``periods`` on ``basis``.

    One row per province that exists in the period on the basis (reported: the 63 or the 34 of
    the period's era; current: always the 34), period and indicator, with ``value`` NaN when
    there is no data. ``provinces`` (codes of the basis) restricts the provinces read.
    Columns: ``era, province_code, period, province_name, region, indicator, value, num, den,
    constituents_reported, constituents_total, dataset``.
    """
    catalogue = catalogue or load_catalogue()
    plist = as_periods(periods)
    fields = catalogue.input_fields(indicators)
    raw = in_scope(
        read_raw(store, plist, source_codes(plist, basis, provinces), catalogue, fields),
        store.scope,
    )
    return compute_values(raw, plist, basis, provinces, indicators, catalogue)
