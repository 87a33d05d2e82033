"""Boundary basis: provinces as reported, or every period on the 34 current provinces.

On the ``current`` basis a legacy period (before 2025-Q3) is aggregated from the legacy
provinces that merged into each current province: counts and amounts are summed over the
constituents that reported, and a yes/no is met only when every constituent met it
(:func:`all_yes`). Indicators are then computed from the aggregated raw values by the same
formula code as for reported provinces (``metrics.indicators``).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache, lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.periods import Period, PeriodsLike, as_periods
from dxboard.registry import load_registry, normalise_code
from dxboard.tables import KEYS, take_str

Basis = Literal["reported", "current"]
BASES: tuple[str, ...] = ("reported", "current")
PROVINCE_COLUMNS = [*KEYS, "province_name", "region", "constituents_total"]
MIXED = "mixed"


def check_basis(basis: str) -> str:
    """``basis`` if it is ``reported`` or ``current``, else ``ValueError``."""
    if basis not in BASES:
        raise ValueError(f"basis must be 'reported' or 'current', not {basis!r}")
    return basis


@cache
def successors() -> dict[str, str]:
    """Legacy province code → the code of the current province it merged into."""
    return {p.code: p.successor or "" for p in load_registry().provinces("legacy")}


@cache
def _tables() -> tuple[pd.DataFrame, dict[tuple[str, bool], np.ndarray]]:
    """All province rows (legacy; current; current as aggregates of legacy) and their positions."""
    reg = load_registry()
    rows: list[dict[str, object]] = []
    spans: dict[tuple[str, bool], np.ndarray] = {}
    for era, harmonised in (("legacy", False), ("current", False), ("current", True)):
        start = len(rows)
        rows += [
            {
                "era": p.era,
                "province_code": p.code,
                "province_name": p.short_name,
                "region": p.region,
                "constituents_total": len(p.constituents) if harmonised else 1,
            }
            for p in reg.provinces(era)
        ]
        spans[(era, harmonised)] = np.arange(start, len(rows))
    return pd.DataFrame(rows), spans


def basis_era(period: Period, basis: str) -> str:
    """The era of the provinces shown for ``period`` on ``basis``."""
    return "current" if check_basis(basis) == "current" else period.era


def expected_provinces(
    periods: PeriodsLike,
    basis: str = "reported",
    provinces: Collection[str] | None = None,
    every: PeriodsLike = (),
) -> pd.DataFrame:
    """The provinces that exist in each period on ``basis``, one row per province-period.

    Columns ``era, province_code, period, province_name, region, constituents_total``, sorted by
    period and code. On the ``current`` basis a legacy period lists the 34 current provinces
    with the number of legacy provinces each is made of. ``provinces`` restricts to those codes
    (except in the periods ``every``).
    """
    return _grid(*_grid_key(periods, basis, provinces, every))[0].copy()


def _grid_key(
    periods: PeriodsLike, basis: str, provinces: Collection[str] | None, every: PeriodsLike
) -> tuple:
    wanted = None if provinces is None else frozenset(normalise_code(c) for c in provinces)
    return (tuple(as_periods(periods)), check_basis(basis), wanted, frozenset(as_periods(every)))


@lru_cache(maxsize=512)
def _grid(
    periods: tuple[Period, ...],
    basis: str,
    wanted: frozenset[str] | None,
    every: frozenset[Period] = frozenset(),
) -> tuple[pd.DataFrame, pd.Index]:
    """The expected-provinces grid and its ``period|code`` keys (cached: callers copy)."""
    table, spans = _tables()
    keep = None if wanted is None else table["province_code"].isin(wanted).to_numpy()
    index, period_index = [], []
    for n, period in enumerate(periods):
        era = basis_era(period, basis)
        span = spans[(era, era != period.era)]
        if keep is not None and period not in every:
            span = span[keep[span]]
        index.append(span)
        period_index.append(np.full(len(span), n))
    if not index:
        grid = pd.DataFrame(columns=PROVINCE_COLUMNS)
        return grid, pd.Index([], dtype=object)
    grid = table.take(np.concatenate(index)).reset_index(drop=True)
    grid["period"] = take_str([str(p) for p in periods], np.concatenate(period_index))
    grid = grid[PROVINCE_COLUMNS]
    return grid, pd.Index(grid["period"] + "|" + grid["province_code"])


def source_codes(
    periods: PeriodsLike, basis: str = "reported", provinces: Collection[str] | None = None
) -> dict[str, set[str]] | None:
    """Era → codes of the reporting provinces to read for ``provinces`` on ``basis``."""
    if provinces is None:
        return None
    wanted = {normalise_code(c) for c in provinces}
    eras = {p.era for p in as_periods(periods)}
    out: dict[str, set[str]] = {era: set(wanted) for era in eras}
    if check_basis(basis) == "current" and "legacy" in eras:
        out["legacy"] = {c for c, s in successors().items() if s in wanted}
    return out


def grid_keys(
    periods: PeriodsLike,
    basis: str = "reported",
    provinces: Collection[str] | None = None,
    every: PeriodsLike = (),
) -> pd.Index:
    """``period|code`` keys of :func:`expected_provinces` (for :func:`grid_rows`)."""
    return _grid(*_grid_key(periods, basis, provinces, every))[1]


def grid_rows(frame: pd.DataFrame, grid: pd.DataFrame, keys: pd.Index | None = None) -> np.ndarray:
    """For each row of ``frame`` (as reported), the row of ``grid`` it counts towards, or -1.

    A legacy row goes to its successor when ``grid`` is on current boundaries for its period.
    """
    code = frame["province_code"]
    if (grid["era"] == "current").any() and (frame["era"] == "legacy").any():
        harmonised = (frame["era"] == "legacy") & (
            frame["period"].map(dict(zip(grid["period"], grid["era"], strict=False))) == "current"
        )
        code = code.where(~harmonised, code.map(successors()))
    if keys is None:
        keys = pd.Index(grid["period"] + "|" + grid["province_code"])
    return keys.get_indexer(pd.Index(frame["period"] + "|" + code)).astype(np.int64)


def sum_rows(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sums of ``values`` (rows × k) into ``n`` rows by ``rows``; NaN where nothing was summed."""
    keep = rows >= 0
    rows, values = rows[keep], values[keep]
    total = np.zeros((n, values.shape[1]))
    count = np.zeros((n, values.shape[1]))
    present = ~np.isnan(values)
    np.add.at(total, rows, np.where(present, values, 0.0))
    np.add.at(count, rows, present)
    total[count == 0] = np.nan
    return total


def all_yes(k: np.ndarray, reported: np.ndarray, total: np.ndarray) -> np.ndarray:
    """A yes/no over constituents: 1 when all ``total`` said yes, 0 when any reported no.

    ``k`` yes answers among ``reported`` answers. Missing (NaN) when nobody reported, or when
    every constituent that reported said yes but some did not report (not known to be all).
    """
    k, reported, total = (np.asarray(a, dtype=float) for a in (k, reported, total))
    out = np.full(np.broadcast(k, reported, total).shape, np.nan)
    out[(reported > 0) & (k < reported)] = 0.0
    out[(total > 0) & (k >= total)] = 1.0
    return out


def constituents_reported(rows: np.ndarray, n: int) -> np.ndarray:
    """Number of rows (reports) counted into each of the ``n`` grid rows."""
    return np.bincount(rows[rows >= 0], minlength=n)


def row_datasets(rows: np.ndarray, datasets: pd.Series, n: int) -> pd.Series:
    """The dataset of each grid row: that of its reports, ``mixed`` if they differ, else NaN."""
    codes, names = pd.factorize(datasets)
    keep = rows >= 0
    lo = np.full(n, np.iinfo(np.int64).max)
    hi = np.full(n, -1)
    np.minimum.at(lo, rows[keep], codes[keep])
    np.maximum.at(hi, rows[keep], codes[keep])
    index = np.where(hi < 0, -1, np.where(lo == hi, hi, len(names)))
    return take_str([*map(str, names), MIXED], index)


def harmonise_raw(
    raw: pd.DataFrame, basis: str = "current", catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """Raw values (``frames.read_raw``) on ``basis``, field by field, one row per reported grid row.

    On the current basis counts and amounts are summed over the constituents that reported the
    field, and a yes/no field is 1 only when every constituent reported yes (:func:`all_yes`).
    Columns: ``PROVINCE_COLUMNS``, ``constituents_reported``, ``dataset`` and the fields.
    """
    catalogue = catalogue or load_catalogue()
    grid = expected_provinces(raw["period"].unique(), basis)
    rows = grid_rows(raw, grid)
    n = len(grid)
    codes = catalogue.field_codes
    matrix = raw[codes].to_numpy(dtype=float)
    sums = sum_rows(rows, matrix, n)
    total = grid["constituents_total"].to_numpy()
    for j, fld in enumerate(catalogue.fields):
        if fld.kind == "bool":
            reported = sum_rows(rows, (~np.isnan(matrix[:, [j]])).astype(float), n)[:, 0]
            sums[:, j] = all_yes(sums[:, j], reported, total)
    grid["constituents_reported"] = constituents_reported(rows, n)
    grid["dataset"] = row_datasets(rows, raw["dataset"], n)
    out = pd.concat([grid, pd.DataFrame(sums, columns=codes)], axis=1)
    return out[out["constituents_reported"] > 0].reset_index(drop=True)
