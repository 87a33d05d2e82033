"""Pillar scores, the readiness index, ranks, rank change and rank sensitivity.

- Each period is scored with the pillars and indicators of its framework version
  (``metrics.frameworks``); a pillar that a version does not have is missing in its periods.
- Indicator score (0–1), distance to target as the SDG Index does: ``clip((x − L) / (T − L),
  0, 1)`` with ``T`` the target in force and ``L`` the lower bound, the mean of the ``BOTTOM``
  worst values of the indicator among the provinces of the period (all of them when fewer);
  for a ``<=`` target the scale is reversed (worst = highest). A met target scores 1; when the
  lower bound already meets the target a province that does not meet it scores 0.
- Pillar score: mean of the indicator scores available for the pillar's scored indicators;
  missing when fewer than half of them have a value.
- Index (0–100): ``100 × Σ w_p s_p / Σ w_p`` over the pillars that have a score, with the
  weights normalised over those pillars; missing when the pillars with a score carry less than
  half of the total weight. Weights are non-negative (equal by default); a zero weight removes
  the pillar.
- Ranks: competition ranks ("1, 2, 2, 4") of the index, highest first, among the provinces
  with an index in the period; the index is rounded to 9 decimals first so float noise does
  not break ties.
- Rank change: previous quarter's rank minus this quarter's (positive = moved up); missing when
  the province was not ranked then (or did not exist: legacy vs current provinces), and not
  comparable (``rank_comparable`` false, change missing) when the previous quarter was measured
  under another framework version.
- Sensitivity: best and worst rank over the base weights, each positive weight halved and
  doubled in turn, and ``samples`` random weight vectors drawn from a flat Dirichlet over the
  pillars with positive weight (``random.Random(seed).gammavariate(1, 1)``).
"""

from __future__ import annotations

import random
from collections.abc import Mapping

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, Version, load_catalogue
from dxboard.periods import Period, PeriodsLike, as_periods
from dxboard.store import Store
from dxboard.tables import KEYS, group_ids
from metrics.frameworks import FRAMEWORK, by_version, version_ids
from metrics.indicators import indicator_values
from metrics.status import assess

INDEX = "readiness_index"
RANK = "rank"
SCORE = "score"
BOTTOM = 5
MIN_SHARE = 0.5
DECIMALS = 9
SAMPLES = 200
SEED = 20200804
PROVINCE_INFO = [*KEYS, "province_name", "region"]


def pillar_codes(catalogue: Catalogue | Version | None = None) -> list[str]:
    """The pillars of one version, or of every version (``Catalogue``)."""
    return [p.code for p in (catalogue or load_catalogue()).pillars]


def _versions(frame: pd.DataFrame, catalogue: Catalogue) -> list[tuple[Version, pd.DataFrame]]:
    """The rows of ``frame`` of each framework version's periods."""
    groups = by_version(pd.unique(frame["period"]), catalogue)
    if len(groups) == 1:
        return [(groups[0][0], frame)]
    return [
        (v, frame[frame["period"].isin({str(p) for p in ps})].reset_index(drop=True))
        for v, ps in groups
    ]


def lower_bounds(assessed: pd.DataFrame, bottom: int = BOTTOM) -> np.ndarray:
    """Per row of a ``status.assess`` frame: the lower bound ``L`` of its indicator and period,
    the mean of the ``bottom`` worst values (highest for a ``<=`` target), on the oriented scale
    (values of ``<=`` targets negated); NaN when no province has a value."""
    sign = np.where(assessed["comparator"].to_numpy() == "<=", -1.0, 1.0)
    oriented = sign * assessed["value"].to_numpy(dtype=float)
    gid, first = group_ids(assessed["period"], assessed["indicator"])
    ok = ~np.isnan(oriented)
    order = np.flatnonzero(ok)[np.lexsort((oriented[ok], gid[ok]))]  # per group, worst first
    g = gid[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.array([], int)
    rank = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)]))
    keep = order[rank < bottom]
    total = np.bincount(gid[keep], oriented[keep], len(first))
    count = np.bincount(gid[keep], minlength=len(first))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (total / count)[gid]


def target_scores(assessed: pd.DataFrame, bottom: int = BOTTOM) -> np.ndarray:
    """Distance-to-target score 0–1 of each row of a ``status.assess`` frame (NaN when not
    scored or without a value); see the module docstring."""
    sign = np.where(assessed["comparator"].to_numpy() == "<=", -1.0, 1.0)
    x = sign * assessed["value"].to_numpy(dtype=float)
    target = sign * assessed["target"].to_numpy(dtype=float)
    low = lower_bounds(assessed, bottom)
    met = assessed["met"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(target > low, (x - low) / (target - low), 0.0)
    score = np.where(met == 1.0, 1.0, np.clip(spread, 0.0, 1.0))
    scored = assessed["scored"].to_numpy(dtype=bool) & ~np.isnan(met)
    return np.where(scored, score, np.nan)


def with_scores(assessed: pd.DataFrame, bottom: int = BOTTOM) -> pd.DataFrame:
    """A copy of a ``status.assess`` frame with the ``score`` column (:func:`target_scores`)."""
    out = assessed.copy()
    out[SCORE] = target_scores(assessed, bottom)
    return out


def pillar_scores(assessed: pd.DataFrame, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """One row per province-period: ``era, province_code, period, province_name, region`` and a
    score column (0–1, NaN when missing) per pillar of any version, from a frame with the
    indicator ``score`` (:func:`with_scores`); each period scored with the pillars of its
    framework version."""
    catalogue = catalogue or load_catalogue()
    columns = [*PROVINCE_INFO, *pillar_codes(catalogue)]
    parts = [_pillar_scores(rows, v) for v, rows in _versions(assessed, catalogue)]
    if not parts:
        return _pillar_scores(assessed, catalogue.versions[-1]).reindex(columns=columns)
    return pd.concat(parts, ignore_index=True).reindex(columns=columns)


def _pillar_scores(assessed: pd.DataFrame, catalogue: Version) -> pd.DataFrame:
    pillars = pillar_codes(catalogue)
    scored = {
        i.code: pillars.index(i.pillar)
        for i in catalogue.indicators
        if i.scored and i.target is not None
    }
    needed = np.bincount(list(scored.values()), minlength=len(pillars))
    gid, first = group_ids(assessed["period"], assessed["era"], assessed["province_code"])
    pil = assessed["indicator"].map(scored).to_numpy(dtype=float)
    att = assessed[SCORE].to_numpy(dtype=float)
    ok = ~np.isnan(pil) & ~np.isnan(att)
    flat = gid[ok] * len(pillars) + pil[ok].astype(np.int64)
    size = len(first) * len(pillars)
    total = np.bincount(flat, att[ok], size).reshape(len(first), len(pillars))
    count = np.bincount(flat, minlength=size).reshape(len(first), len(pillars))
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where((needed > 0) & (count * 2 >= needed), total / count, np.nan)
    out = assessed[PROVINCE_INFO].iloc[first].reset_index(drop=True)
    return pd.concat([out, pd.DataFrame(scores, columns=pillars)], axis=1)


def normalise_weights(weights: Mapping[str, float] | None, pillars: list[str]) -> np.ndarray:
    """Weights per pillar (in ``pillars`` order) summing to 1; missing pillars weigh 0.

    ``None`` gives equal weights. Raises ``ValueError`` for a negative weight, an unknown pillar
    or weights that are all zero.
    """
    if weights is None:
        return np.full(len(pillars), 1.0 / len(pillars))
    unknown = set(weights) - set(pillars)
    if unknown:
        raise ValueError(f"unknown pillars: {', '.join(sorted(unknown))}")
    w = np.array([float(weights.get(p, 0.0)) for p in pillars])
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("pillar weights must be finite and non-negative")
    if w.sum() <= 0:
        raise ValueError("at least one pillar weight must be positive")
    return w / w.sum()


def index_values(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Index 0–100 of score rows (provinces × pillars) for one or more weight rows.

    ``weights`` is a vector (→ one index per province) or a matrix (scenarios × pillars →
    provinces × scenarios). See the module docstring for the missing-pillar rule.
    """
    w = np.atleast_2d(weights)
    present = ~np.isnan(scores)
    num = np.where(present, scores, 0.0) @ w.T
    den = present.astype(float) @ w.T
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den >= MIN_SHARE * w.sum(axis=1) - 1e-12, 100.0 * num / den, np.nan)
    return out[:, 0] if np.ndim(weights) == 1 else out


def competition_ranks(values: np.ndarray) -> np.ndarray:
    """Competition ranks, highest first (1, 2, 2, 4), per column; NaN values get NaN."""
    v = np.round(np.asarray(values, dtype=float), DECIMALS)
    flat = v.ndim == 1
    v = v.reshape(len(v), -1)
    out = np.full(v.shape, np.nan)
    for j in range(v.shape[1]):
        col = v[:, j]
        ok = ~np.isnan(col)
        ordered = np.sort(-col[ok])
        out[ok, j] = np.searchsorted(ordered, -col[ok], side="left") + 1
    return out[:, 0] if flat else out


def readiness(
    assessed: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Pillar scores, index and rank (per period) of every province-period in ``assessed``.

    Columns: ``era, province_code, period, province_name, region``, one per pillar (of any
    version), ``framework``, ``readiness_index``, ``rank`` and ``n_ranked`` (provinces with an
    index in the period). The weights of the pillars that a period's version has are used.
    """
    catalogue = catalogue or load_catalogue()
    normalise_weights(weights, pillar_codes(catalogue))  # unknown or bad weights: ValueError
    table = pillar_scores(with_scores(assessed), catalogue)
    table[FRAMEWORK] = version_ids(table["period"], catalogue)
    index = np.full(len(table), np.nan)
    for version, plist in by_version(pd.unique(table["period"]), catalogue):
        mask = table["period"].isin({str(p) for p in plist}).to_numpy()
        pillars = pillar_codes(version)
        mine = None if weights is None else {p: w for p, w in weights.items() if p in pillars}
        scores = table.loc[mask, pillars].to_numpy()
        index[mask] = index_values(scores, normalise_weights(mine, pillars))
    table[INDEX] = index
    ranks = np.full(len(table), np.nan)
    ranked = np.zeros(len(table), dtype=np.int64)
    for rows in table.groupby("period", sort=False).indices.values():
        ranks[rows] = competition_ranks(index[rows])
        ranked[rows] = int((~np.isnan(index[rows])).sum())
    table[RANK] = _int_column(ranks)
    table["n_ranked"] = ranked
    return table


def _int_column(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers with missing values (pandas ``Int64``)."""
    return pd.array(np.asarray(values, dtype=float), dtype="Int64")


def with_rank_change(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``previous_rank``, ``rank_change`` (previous − current) and ``rank_comparable`` to a
    :func:`readiness` table; the previous quarter's rows must be in ``table``. Across a change
    of framework version the change is missing and ``rank_comparable`` false."""
    prev = {p: str(Period.parse(p).previous()) for p in pd.unique(table["period"])}
    era, code, period = (table[c].to_numpy() for c in ("era", "province_code", "period"))
    rank = table[RANK].to_numpy(dtype=float, na_value=np.nan)
    framework = table[FRAMEWORK].to_numpy()
    at = {key: i for i, key in enumerate(zip(era, code, period, strict=True))}
    before = np.array(
        [at.get((e, c, prev[p]), -1) for e, c, p in zip(era, code, period, strict=True)]
    )
    found = before >= 0
    previous = np.where(found, rank[before], np.nan)
    same = ~found | (framework[before] == framework)
    out = table.copy()
    out["previous_rank"] = _int_column(previous)
    out["rank_change"] = _int_column(np.where(same, previous - rank, np.nan))
    out["rank_comparable"] = same
    return out


def readiness_index(
    store: Store,
    periods: PeriodsLike,
    basis: str = "reported",
    weights: Mapping[str, float] | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Pillar scores, index, rank, previous rank and rank change for ``periods`` on ``basis``.

    Reads each period and the quarter before it (for the rank change). One row per province
    that exists in the period; see :func:`readiness` and :func:`with_rank_change`.
    """
    plist = as_periods(periods)
    read = as_periods({q for p in plist for q in (p, p.previous())})
    values = assess(indicator_values(store, read, basis, catalogue=catalogue), catalogue)
    table = with_rank_change(readiness(values, weights, catalogue))
    wanted = {str(p) for p in plist}
    return table[table["period"].isin(wanted)].reset_index(drop=True)


def weight_scenarios(weights: np.ndarray, samples: int = SAMPLES, seed: int = SEED) -> np.ndarray:
    """Weight rows: the base, each positive weight halved then doubled, and ``samples``
    flat-Dirichlet draws over the pillars with positive weight."""
    base = np.asarray(weights, dtype=float)
    rows = [base]
    for j in np.flatnonzero(base > 0):
        for factor in (0.5, 2.0):
            w = base.copy()
            w[j] *= factor
            rows.append(w)
    rng = random.Random(seed)
    positive = np.flatnonzero(base > 0)
    for _ in range(samples):
        w = np.zeros_like(base)
        w[positive] = [rng.gammavariate(1.0, 1.0) for _ in positive]
        rows.append(w)
    out = np.array(rows)
    return out / out.sum(axis=1, keepdims=True)


def sensitivity(
    table: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    samples: int = SAMPLES,
    seed: int = SEED,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Best and worst rank of each province of one period over :func:`weight_scenarios`.

    ``table`` is a :func:`readiness` table of one period (weighted over the pillars of its
    framework version). Adds ``best_rank`` and ``worst_rank`` (NaN for provinces without an
    index under the base weights).
    """
    catalogue = catalogue or load_catalogue()
    known = len(table) and "period" in table.columns
    version = catalogue.version_for(table["period"].iloc[0]) if known else None
    pillars = pillar_codes(version or catalogue)
    mine = None if weights is None else {p: w for p, w in weights.items() if p in pillars}
    scenarios = weight_scenarios(normalise_weights(mine, pillars), samples, seed)
    ranks = competition_ranks(index_values(table[pillars].to_numpy(), scenarios))
    base = ~np.isnan(ranks[:, 0])
    ranks[~base] = 0.0  # keep nanmin/nanmax quiet; blanked below
    out = table.copy()
    out["best_rank"] = _int_column(np.where(base, np.nanmin(ranks, axis=1), np.nan))
    out["worst_rank"] = _int_column(np.where(base, np.nanmax(ranks, axis=1), np.nan))
    return out


def rank_sensitivity(
    store: Store,
    period: str | Period,
    basis: str = "reported",
    weights: Mapping[str, float] | None = None,
    samples: int = SAMPLES,
    seed: int = SEED,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Index, rank, best and worst rank per province for one period (see :func:`sensitivity`)."""
    values = assess(indicator_values(store, period, basis, catalogue=catalogue), catalogue)
    return sensitivity(readiness(values, weights, catalogue), weights, samples, seed, catalogue)
