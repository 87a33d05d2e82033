"""The 34-province basis: aggregation of legacy provinces to current boundaries."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dxboard.periods import period_range
from dxboard.store.frames import read_raw
from metrics.harmonise import all_yes, expected_provinces, harmonise_raw
from metrics.indicators import indicator_values
from metrics.national import national


def one(frame, code, period, indicator):
    sel = frame[
        (frame["province_code"] == code)
        & (frame["period"] == period)
        & (frame["indicator"] == indicator)
    ]
    assert len(sel) == 1
    return sel.iloc[0]


def test_can_tho_merger(merger_store):
    v = indicator_values(merger_store, "2025-Q2", basis="current")
    assert len(v) == 34 * 14
    assert set(v["era"]) == {"current"}
    res = one(v, "92", "2025-Q2", "dx_resolution")
    assert res["value"] == 0.0  # met by two of three → not met
    assert (res["num"], res["den"], res["constituents_total"]) == (2, 3, 3)  # "2 of 3"
    assert one(v, "92", "2025-Q2", "steering_committee")["value"] == 1.0
    plan = one(v, "92", "2025-Q2", "annual_dx_plan")
    assert (plan["value"], plan["num"]) == (0.0, 1)
    level4 = one(v, "92", "2025-Q2", "level4_share")
    assert (level4["num"], level4["den"]) == (400, 600)
    assert level4["value"] == pytest.approx(400 / 600)  # ratio of sums, not mean of ratios
    assert one(v, "92", "2025-Q2", "fiber_share")["value"] == pytest.approx(0.5)
    assert one(v, "92", "2025-Q2", "industrial_zone_5g_share")["value"] == pytest.approx(0.5)
    # the pair of Hậu Giang (users without adults) is left out on both sides
    assert one(v, "92", "2025-Q2", "smartphone_share")["value"] == pytest.approx(1800 / 3000)
    assert level4["constituents_reported"] == 3
    # an unchanged province passes through
    assert one(v, "01", "2025-Q2", "level4_share")["value"] == pytest.approx(0.8)
    assert one(v, "01", "2025-Q2", "level4_share")["constituents_total"] == 1


def test_partial_aggregate(merger_store):
    v = indicator_values(merger_store, "2025-Q1", basis="current", provinces=["92"])
    level4 = one(v, "92", "2025-Q1", "level4_share")
    assert (level4["constituents_reported"], level4["constituents_total"]) == (2, 3)
    assert level4["value"] == pytest.approx(150 / 300)  # the sum of what was reported
    assert math.isnan(one(v, "92", "2025-Q1", "dx_resolution")["value"])  # 2 yes, 1 unknown
    assert one(v, "92", "2025-Q1", "dx_program")["value"] == 0.0  # a constituent said no
    # none of the constituents reported → missing
    empty = indicator_values(merger_store, "2025-Q1", basis="current", provinces=["79"])
    assert empty["value"].isna().all()
    assert (empty["constituents_reported"] == 0).all()


def test_current_series_is_continuous(merger_store):
    periods = period_range("2025-Q1", "2025-Q3")
    v = indicator_values(
        merger_store, periods, "current", provinces=["92"], indicators=["level4_share"]
    )
    assert v["period"].tolist() == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert v["value"].tolist() == pytest.approx([0.5, 400 / 600, 0.9])
    grid = expected_provinces(period_range("2020-Q1", "2026-Q3"), "current")
    assert grid.groupby("period").size().eq(34).all()
    assert grid.groupby("province_code").size().eq(27).all()


def test_national_sums_equal_on_both_bases(merger_store):
    periods = ["2025-Q1", "2025-Q2"]
    a = national(merger_store, periods, "reported", regions=False)
    b = national(merger_store, periods, "current", regions=False)
    for col in ("num", "den", "value"):
        assert np.allclose(a[col], b[col], equal_nan=True)
    assert a["n_provinces"].unique().tolist() == [63]
    assert b["n_provinces"].unique().tolist() == [34]


def test_harmonise_raw_fields(merger_store):
    raw = harmonise_raw(read_raw(merger_store, "2025-Q2"))
    can_tho = raw[raw["province_code"] == "92"].iloc[0]
    assert can_tho["procedures_total"] == 600
    assert can_tho["households"] == 3000
    assert can_tho["adults"] == 3000  # summed over those who reported the field
    assert can_tho["dx_resolution"] == 0.0 and can_tho["steering_committee"] == 1.0
    assert (can_tho["constituents_reported"], can_tho["constituents_total"]) == (3, 3)
    assert set(raw["province_code"]) == {"01", "92"}


def test_all_yes():
    out = all_yes(np.array([3, 2, 2, 0, 0]), np.array([3, 3, 2, 0, 1]), np.array([3, 3, 3, 3, 1]))
    assert out[0] == 1 and out[1] == 0 and math.isnan(out[2]) and math.isnan(out[3])
    assert out[4] == 0
