"""The published provincial DTI (dataset ``dti``) on either boundary basis.

``reported``: a year's own province list (63 provinces up to 2024). ``current``: the 34 current
provinces — the ministry's own 34-province table where it published one (2024), otherwise derived
by the ministry's rule: a merged province scores the **unweighted mean of its predecessors'
scores** (overall and each main index), ranked by competition ranking on the four-decimal score.
Derived rows carry ``published = False``: "derived, not published". This rule applies to
published scores only; raw counts are harmonised by ratio of sums (``metrics.harmonise``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dxboard.registry import load_registry
from dxboard.store import Store
from dxboard.store.reference import INDEX_COLUMNS, reference_scores
from dxboard.store.submissions import periods_with_data
from metrics.harmonise import check_basis, successors
from metrics.index import INDEX, competition_ranks, readiness_index

DATASET = "dti"
SCORES = ("pdti", *INDEX_COLUMNS)
DTI_COLUMNS = [
    "province_code",
    "province_name",
    "year",
    "basis",
    "pdti",
    "rank",
    *INDEX_COLUMNS,
    "published",
    "source",
]
"""The columns of ``dxboard export dti`` and of the pages' DTI downloads."""
EXTRA_COLUMNS = ["era", "region"]
PUBLISHED_ON = {2024: date(2025, 10, 21)}
"""Publication dates known for certain (the 2024 results, Decision 405/QĐ-BKHCN)."""
MINISTRY_SINCE_2024 = 2024
"""From the 2024 results on, the Ministry of Science and Technology publishes the DTI."""


def scores(store: Store) -> pd.DataFrame:
    """The accepted published scores (see ``dxboard.store.reference.reference_scores``)."""
    return reference_scores(store, DATASET)


def dti_years(store: Store) -> list[int]:
    """The years with a published table, oldest first."""
    return sorted(int(y) for y in scores(store)["year"].unique())


def to_current(table63: pd.DataFrame) -> pd.DataFrame:
    """The 34-province table derived from a 63-province one by the ministry's rule.

    ``table63``: rows of one year with ``province_code`` (legacy) and the ``SCORES`` columns.
    Each current province gets the mean of its predecessors' scores (missing if any is
    missing), rounded to four decimals like the published tables, and its competition rank.
    """
    succ = successors()
    frame = table63.assign(province_code=table63["province_code"].map(succ))
    columns = [c for c in SCORES if c in frame.columns]
    means = frame.groupby("province_code")[columns].agg(_strict_mean)
    means = means.round(4).reset_index()
    means["rank"] = rank_scores(means["pdti"].to_numpy())
    return means


def _strict_mean(values: pd.Series) -> float:
    """The mean, missing when any value is."""
    return float(values.mean(skipna=False))


def rank_scores(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Competition ranks (1, 2, 2, 4) of four-decimal scores, highest first."""
    ranks = competition_ranks(np.round(np.asarray(values, dtype=float) * 10_000))
    return pd.array(ranks, dtype="Int64")


def dti_table(store: Store, year: int, basis: str = "reported") -> pd.DataFrame:
    """One year's DTI on ``basis``: ``DTI_COLUMNS`` plus ``era`` and ``region``, by rank.

    Published rows come as printed (``published`` true); on the current basis a year without a
    34-province table is derived from its 63-province one (``published`` false, main indices
    blank, ``source`` that of the table it was derived from). Empty when the year has no table.
    """
    check_basis(basis)
    frame = scores(store)
    frame = frame[frame["year"] == int(year)]
    by_list = {int(str(n)): g for n, g in frame.groupby("provinces")}
    table = by_list.get(63, by_list.get(34)) if basis == "reported" else by_list.get(34)
    if table is None and basis == "current" and 63 in by_list:
        table = _derived(by_list[63])
    if table is None:
        return pd.DataFrame(columns=[*DTI_COLUMNS, *EXTRA_COLUMNS])
    return _finish(table, int(year), basis)


def _derived(table63: pd.DataFrame) -> pd.DataFrame:
    out = to_current(table63)
    out["era"] = "current"
    out["published"] = False
    out["source"] = table63["source"].iloc[0]
    return out


def _finish(table: pd.DataFrame, year: int, basis: str) -> pd.DataFrame:
    reg = load_registry()
    out = table.copy()
    provinces = [reg.get(c, e) for c, e in zip(out["province_code"], out["era"], strict=True)]
    out["province_name"] = [p.short_name for p in provinces]
    out["region"] = [p.region for p in provinces]
    out["year"] = year
    out["basis"] = basis
    out["rank"] = pd.array(out["rank"].to_numpy(dtype=float), dtype="Int64")
    out["published"] = out["published"].astype(bool)
    out = out.sort_values(["rank", "province_code"]).reset_index(drop=True)
    return out.reindex(columns=[*DTI_COLUMNS, *EXTRA_COLUMNS])


def export_dti(store: Store, year: int, basis: str = "reported") -> pd.DataFrame:
    """The rows of ``dxboard export dti`` (columns ``DTI_COLUMNS``)."""
    return dti_table(store, year, basis)[DTI_COLUMNS]


@dataclass(frozen=True)
class Latest:
    """The latest official DTI: its year, the national (provincial) average, the five best
    and worst, and the biggest risers since the year before (empty when there is none)."""

    year: int
    average: float
    n: int
    top: pd.DataFrame
    bottom: pd.DataFrame
    risers: pd.DataFrame
    previous: int | None


def latest_dti(store: Store, n: int = 5) -> Latest | None:
    """The latest year's published table on the reported basis; None without any table."""
    years = dti_years(store)
    if not years:
        return None
    year = years[-1]
    table = dti_table(store, year, "reported")
    columns = ["rank", "province_name", "pdti"]
    previous = year - 1 if year - 1 in years else None
    risers = pd.DataFrame(columns=[*columns, "rank_change"])
    if previous is not None:
        moved = rank_changes(table, dti_table(store, previous, "reported"))
        risers = moved[moved["rank_change"] > 0].head(n)[[*columns, "rank_change"]]
    return Latest(
        year=year,
        average=float(table["pdti"].mean()),
        n=len(table),
        top=table.head(n)[columns].reset_index(drop=True),
        bottom=table.tail(n)[columns].iloc[::-1].reset_index(drop=True),
        risers=risers.reset_index(drop=True),
        previous=previous,
    )


def rank_changes(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """``now`` with ``previous_rank`` and ``rank_change`` (previous − now) of the same
    provinces, sorted by the change, largest rise first."""
    keyed = before.set_index(["era", "province_code"])["rank"]
    keys = pd.MultiIndex.from_arrays([now["era"], now["province_code"]])
    prev = keyed.reindex(keys).to_numpy(dtype=float, na_value=np.nan)
    out = now.assign(previous_rank=pd.array(prev, dtype="Int64"))
    out["rank_change"] = out["previous_rank"] - out["rank"]
    return out.sort_values(["rank_change", "rank"], ascending=[False, True], na_position="last")


def dti_history(store: Store, era: str, code: str, basis: str = "reported") -> pd.DataFrame:
    """A province's score and rank in every year on ``basis`` (the province of ``era`` and
    ``code``; the current basis needs a current province): year, pdti, rank, n_ranked,
    published, source."""
    rows = []
    for year in dti_years(store):
        table = dti_table(store, year, basis)
        n_ranked = len(table)
        mine = table[(table["era"] == era) & (table["province_code"] == code)]
        if len(mine):
            row = mine.iloc[0]
            rows.append((year, row["pdti"], row["rank"], n_ranked, row["published"], row["source"]))
    columns = ["year", "pdti", "rank", "n_ranked", "published", "source"]
    out = pd.DataFrame(rows, columns=columns)
    out["rank"] = pd.array(out["rank"].to_numpy(dtype=float, na_value=np.nan), dtype="Int64")
    return out


def index_means(store: Store, year: int, basis: str, era: str, code: str) -> pd.DataFrame:
    """The province's main indices against the national and regional means of the year's
    table on ``basis``: one row per index (``index``, ``province``, ``national``, ``region``);
    empty when the table has no main indices."""
    table = dti_table(store, year, basis)
    columns = [c for c in SCORES if table[c].notna().any()] if len(table) else []
    mine = table[(table["era"] == era) & (table["province_code"] == code)]
    if not columns or not len(mine):
        return pd.DataFrame(columns=["index", "province", "national", "region"])
    region = table[table["region"] == mine["region"].iloc[0]]
    return pd.DataFrame(
        {
            "index": columns,
            "province": mine[columns].iloc[0].to_numpy(dtype=float),
            "national": table[columns].mean().to_numpy(dtype=float),
            "region": region[columns].mean().to_numpy(dtype=float),
        }
    )


@dataclass(frozen=True)
class Agreement:
    """The readiness index (of ``period``, the year's last quarter with reports) against the
    DTI of ``year``, province by province, and their Pearson correlation (None below 3 pairs)."""

    year: int
    period: str
    frame: pd.DataFrame
    correlation: float | None


def readiness_vs_dti(store: Store, basis: str = "reported") -> Agreement | None:
    """The latest year that has both reports and a DTI table; None when there is none."""
    periods = periods_with_data(store)
    for year in reversed(dti_years(store)):
        quarters = [p for p in periods if p.startswith(f"{year}-")]
        if not quarters:
            continue
        period = quarters[-1]
        table = dti_table(store, year, basis)
        index = readiness_index(store, period, basis)
        pairs = table.merge(
            index[["era", "province_code", INDEX]], on=["era", "province_code"], how="inner"
        ).dropna(subset=["pdti", INDEX])
        frame = pairs[["province_code", "province_name", "region", "pdti", INDEX]]
        r = float(frame["pdti"].corr(frame[INDEX])) if len(frame) >= 3 else None
        return Agreement(year, period, frame.reset_index(drop=True), r)
    return None


def dti_ranking(store: Store, year: int, basis: str, column: str = "pdti") -> pd.DataFrame:
    """:func:`dti_table` with ``value`` (the score ``column``: ``pdti`` or a main index) and
    ``value_rank``: the published rank for ``pdti``, else the competition rank of the index;
    sorted by it. ``value`` is missing where the index was not published."""
    if column not in SCORES:
        raise ValueError(f"unknown DTI score {column!r}")
    table = dti_table(store, year, basis)
    table["value"] = table[column].astype(float)
    if column == "pdti":
        table["value_rank"] = table["rank"]
    else:
        table["value_rank"] = rank_scores(table["value"].to_numpy())
    return table.sort_values(["value_rank", "province_code"], na_position="last").reset_index(
        drop=True
    )
