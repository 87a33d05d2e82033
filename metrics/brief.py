"""A province brief: what a one-page summary of one province and quarter needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, Version, load_catalogue
from dxboard.periods import Period
from dxboard.registry import normalise_code
from dxboard.store import Store
from dxboard.tables import as_number
from metrics.completeness import DEADLINE_DAYS
from metrics.flags import HISTORY, Z_THRESHOLD, datasets_of, flag_inputs, flags_from_inputs
from metrics.harmonise import basis_era
from metrics.index import INDEX, RANK, pillar_codes, readiness, with_rank_change
from metrics.national import NATIONAL, summarise
from metrics.status import add_status, assess

TOP_GAPS = 3


@dataclass
class ProvinceBrief:
    """One province and quarter on one basis.

    ``pillars``: ``pillar, score, national_mean, regional_mean``; ``indicators``: one row per
    indicator with value, target, deadline, attainment, status, ``gap`` (1 − attainment) and
    the national and regional ratio of sums and "k of n" counts; ``top_gaps``: the
    ``TOP_GAPS`` scored indicators furthest from target (largest gap, catalogue order on ties);
    ``flags``: data-quality flags of the province (and ``mixed_datasets``); ``framework``: the
    version of the quarter; ``rank_comparable``: false when the quarter before was measured
    under another version (then ``rank_change`` is ``None``).
    """

    province_code: str
    era: str
    province_name: str
    region: str
    period: str
    basis: str
    index: float | None
    rank: int | None
    n_ranked: int
    previous_rank: int | None
    rank_change: int | None
    constituents_reported: int
    constituents_total: int
    datasets: list[str]
    pillars: pd.DataFrame
    indicators: pd.DataFrame
    top_gaps: pd.DataFrame
    flags: pd.DataFrame = field(repr=False)
    framework: str = ""
    rank_comparable: bool = True


def _int(x: object) -> int | None:
    number = as_number(x)
    return None if number is None else int(number)


def _pillar_table(
    table: pd.DataFrame, me: pd.Series, pillars: list[str], catalogue: Version
) -> pd.DataFrame:
    scores = table[pillars].to_numpy(dtype=float)
    in_region = (table["region"] == me["region"]).to_numpy()
    with np.errstate(all="ignore"):
        national = np.nansum(scores, axis=0) / (~np.isnan(scores)).sum(axis=0)
        regional = np.nansum(scores[in_region], axis=0) / (~np.isnan(scores[in_region])).sum(axis=0)
    return pd.DataFrame(
        {
            "pillar": pillars,
            "name_vi": [catalogue.pillar(p).name_vi for p in pillars],
            "name_en": [catalogue.pillar(p).name_en for p in pillars],
            "score": [float(me[p]) for p in pillars],
            "national_mean": national,
            "regional_mean": regional,
        }
    )


def top_gaps(indicators: pd.DataFrame, n: int = TOP_GAPS) -> pd.DataFrame:
    """The ``n`` scored indicators with the largest gap to target (> 0), ties in input order."""
    gap = indicators["gap"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        rows = np.flatnonzero(gap > 0)
    order = rows[np.argsort(-gap[rows], kind="stable")][:n]
    return indicators.take(order).reset_index(drop=True)


def province_brief(
    store: Store,
    province_code: str,
    period: str | Period,
    basis: str = "reported",
    weights: Mapping[str, float] | None = None,
    days: int = DEADLINE_DAYS,
    today: date | None = None,
    catalogue: Catalogue | None = None,
) -> ProvinceBrief:
    """Index and rank (and change), pillar scores against national and regional means, every
    indicator against its target with status, the three largest gaps and the flags of one
    province (a code of the basis' era for ``period``) and quarter. ``KeyError`` if the
    province does not exist in that period on that basis."""
    catalogue = catalogue or load_catalogue()
    p = Period.parse(period)
    code, era, text = normalise_code(province_code), basis_era(p, basis), str(p)
    raw, values = flag_inputs(store, p, basis, [code], HISTORY, catalogue)
    here = values["period"] == text
    mine = here & (values["province_code"] == code) & (values["era"] == era)
    if not mine.any():
        raise KeyError(f"no province {code} ({era}) in {text}")

    both = assess(
        values[values["period"].isin([text, str(p.previous())])].reset_index(drop=True), catalogue
    )
    now = both[both["period"] == text].reset_index(drop=True)
    table = with_rank_change(readiness(both, weights, catalogue))
    table = table[table["period"] == text].reset_index(drop=True)
    me = table[(table["province_code"] == code) & (table["era"] == era)].iloc[0]
    version = catalogue.version_for(p)
    pillars = pillar_codes(version)

    is_mine = (values["province_code"] == code) & (values["era"] == era)
    rows = add_status(
        now[(now["province_code"] == code) & (now["era"] == era)].reset_index(drop=True),
        values[is_mine],
    )
    summary = summarise(now)
    ind = version.indicator_map
    rows["pillar"] = [ind[c].pillar for c in rows["indicator"]]
    rows["unit"] = [ind[c].unit for c in rows["indicator"]]
    rows["gap"] = 1.0 - rows["attainment"]
    at = {key: i for i, key in enumerate(zip(summary["area"], summary["indicator"], strict=True))}
    for prefix, area in (("national", NATIONAL), ("regional", me["region"])):
        pick = np.array([at[(area, c)] for c in rows["indicator"]])
        rows[f"{prefix}_value"] = summary["value"].to_numpy()[pick]
        for col in ("n_met", "n_provinces"):
            rows[f"{prefix}_{col}"] = pd.array(
                summary[col].to_numpy(dtype=float, na_value=np.nan)[pick], dtype="Int64"
            )
    columns = [
        "indicator",
        "pillar",
        "unit",
        "value",
        "num",
        "den",
        "target",
        "deadline",
        "comparator",
        "met",
        "attainment",
        "gap",
        "projection",
        "status",
        "national_value",
        "national_n_met",
        "national_n_provinces",
        "regional_value",
        "regional_n_met",
        "regional_n_provinces",
    ]
    indicators = rows[columns]

    found = flags_from_inputs(
        store, raw, values, [p], basis, [code], HISTORY, Z_THRESHOLD, days, today, catalogue
    )
    found = found[
        found["province_code"].isin([code, NATIONAL])
        & (found["era"].isna() | (found["era"] == era))
    ].reset_index(drop=True)
    first = rows.iloc[0]
    return ProvinceBrief(
        province_code=code,
        era=era,
        province_name=str(first["province_name"]),
        region=str(first["region"]),
        period=text,
        basis=basis,
        index=as_number(me[INDEX]),
        rank=_int(me[RANK]),
        n_ranked=int(me["n_ranked"]),
        previous_rank=_int(me["previous_rank"]),
        rank_change=_int(me["rank_change"]),
        constituents_reported=int(first["constituents_reported"]),
        constituents_total=int(first["constituents_total"]),
        datasets=datasets_of(raw, [p]),
        pillars=_pillar_table(table, me, pillars, version),
        indicators=indicators,
        top_gaps=top_gaps(indicators),
        flags=found,
        framework=version.id,
        rank_comparable=bool(me["rank_comparable"]),
    )
