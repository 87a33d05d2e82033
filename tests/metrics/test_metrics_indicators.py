"""Indicator values through the catalogue's formulas."""

from __future__ import annotations

import math
import tomllib

import pandas as pd
import pytest

from dxboard.catalogue import CATALOGUE_PATH, parse_catalogue
from dxboard.store.frames import read_raw
from metrics.indicators import VALUE_COLUMNS, compute_values, indicator_values


def value(frame: pd.DataFrame, code: str, period: str, indicator: str) -> float:
    sel = frame[
        (frame["province_code"] == code)
        & (frame["period"] == period)
        & (frame["indicator"] == indicator)
    ]
    assert len(sel) == 1
    return float(sel["value"].iloc[0])


def test_values_as_reported(merger_store):
    v = indicator_values(merger_store, "2025-Q2")
    assert list(v.columns) == VALUE_COLUMNS
    assert len(v) == 63 * 14  # every legacy province × every indicator
    assert value(v, "92", "2025-Q2", "level4_share") == pytest.approx(150 / 200)
    assert value(v, "94", "2025-Q2", "level4_share") == pytest.approx(0.5)
    assert value(v, "93", "2025-Q2", "fiber_share") == pytest.approx(0.8)
    assert value(v, "93", "2025-Q2", "industrial_zone_5g_share") == pytest.approx(0.5)
    assert value(v, "94", "2025-Q2", "dx_resolution") == 0.0
    assert value(v, "92", "2025-Q2", "steering_committee") == 1.0
    assert v.loc[v["province_code"] == "92", "era"].unique().tolist() == ["legacy"]


def test_zero_and_missing_denominators_are_missing(merger_store):
    v = indicator_values(merger_store, "2025-Q2")
    # industrial_zones = 0 (zero denominator) → missing, never 0 or infinity
    assert math.isnan(value(v, "92", "2025-Q2", "industrial_zone_5g_share"))
    assert math.isnan(value(v, "94", "2025-Q2", "industrial_zone_5g_share"))
    # adults blank (missing denominator) with smartphone users reported → missing
    assert math.isnan(value(v, "93", "2025-Q2", "smartphone_share"))
    # a province that did not report at all → missing
    assert math.isnan(value(v, "02", "2025-Q2", "level4_share"))
    assert not v["value"].isin([float("inf"), float("-inf")]).any()


def test_pairs_are_complete_cases(merger_store):
    v = indicator_values(merger_store, "2025-Q2", provinces=["93"])
    r = v[v["indicator"] == "smartphone_share"].iloc[0]
    assert math.isnan(r["num"]) and math.isnan(r["den"])  # 100 users without adults dropped


def test_provinces_and_indicators_filter(merger_store):
    v = indicator_values(
        merger_store, ["2025-Q1", "2025-Q2"], provinces=["92", "01"], indicators=["level4_share"]
    )
    assert v[["province_code", "period", "value"]].values.tolist() == [
        ["01", "2025-Q1", 0.8],
        ["92", "2025-Q1", 0.5],
        ["01", "2025-Q2", 0.8],
        ["92", "2025-Q2", 0.75],
    ]


def test_formulas_come_from_the_catalogue(merger_store):
    raw = tomllib.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    for ind in raw["indicators"]:
        if ind["code"] == "level4_share":  # a different formula under the same code
            ind["numerator"], ind["denominator"] = "households_fiber", "households"
    raw["indicators"].append(
        {
            "code": "zone_count_share",
            "pillar": "digital_infrastructure",
            "unit": "ratio",
            "numerator": "industrial_zones_5g",
            "denominator": "households",
            "scored": False,
            "name_vi": "x",
            "name_en": "x",
            "definition_vi": "x",
            "definition_en": "x",
            "sources": raw["indicators"][0]["sources"],
        }
    )
    catalogue = parse_catalogue(raw)
    v = compute_values(
        read_raw(merger_store, "2025-Q2", catalogue=catalogue), "2025-Q2", catalogue=catalogue
    )
    assert value(v, "92", "2025-Q2", "level4_share") == pytest.approx(0.6)
    assert value(v, "93", "2025-Q2", "zone_count_share") == pytest.approx(1 / 500)


def test_unknown_basis_and_indicator(merger_store):
    with pytest.raises(ValueError):
        indicator_values(merger_store, "2025-Q2", basis="merged")
    with pytest.raises(KeyError):
        indicator_values(merger_store, "2025-Q2", indicators=["nope"])
