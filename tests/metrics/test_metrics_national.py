"""National and regional figures: k of n, ratio of sums, median."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.national import SUMMARY_COLUMNS, national


def area(frame, code, indicator):
    sel = frame[(frame["area"] == code) & (frame["indicator"] == indicator)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_national_counts_ratio_of_sums_and_median(status_store):
    n = national(status_store, "2024-Q4")
    assert list(n.columns) == SUMMARY_COLUMNS
    remote = area(n, "VN", "remote_inspection_share")
    # 01: 6/10 (met), 48: 40/100, 79: 40/100; 31 left the inspections blank
    assert (remote["n_provinces"], remote["n_reported"], remote["n_missing"]) == (63, 3, 60)
    assert remote["n_no_report"] == 59  # Hải Phòng reported, but left inspections blank
    assert remote["n_met"] == 1
    assert remote["value"] == pytest.approx(86 / 210)
    assert remote["median"] == pytest.approx(0.4)
    level4 = area(n, "VN", "level4_share")
    assert (level4["n_reported"], level4["n_met"]) == (4, 3)
    assert level4["value"] == pytest.approx(390 / 400)
    assert level4["median"] == pytest.approx(1.0)
    resolution = area(n, "VN", "dx_resolution")
    assert (resolution["n_met"], resolution["n_reported"], resolution["value"]) == (4, 4, 1.0)
    assert pd.isna(area(n, "VN", "online_dossier_share")["n_met"])  # not scored


def test_regional_rows(status_store):
    n = national(status_store, "2024-Q4")
    assert set(n["area"]) == {"VN", "TDMNPB", "DBSH", "BTB_DHMT", "TN", "DNB", "DBSCL"}
    dbsh = area(n, "DBSH", "remote_inspection_share")  # Hà Nội 01 and Hải Phòng 31
    assert (dbsh["n_provinces"], dbsh["n_reported"], dbsh["n_met"]) == (11, 1, 1)
    assert dbsh["value"] == pytest.approx(0.6)
    dnb = area(n, "DNB", "remote_inspection_share")  # TP. Hồ Chí Minh
    assert (dnb["n_provinces"], dnb["n_met"], dnb["value"]) == (6, 0, pytest.approx(0.4))
    empty = area(n, "TN", "level4_share")
    assert (empty["n_reported"], empty["n_met"]) == (0, 0)
    assert math.isnan(empty["value"]) and math.isnan(empty["median"])


def test_national_on_current_basis(merger_store):
    n = national(merger_store, "2025-Q2", "current", indicators=["dx_resolution", "level4_share"])
    res = area(n, "VN", "dx_resolution")
    # provinces: 01 met; 92 = 2 of 3 → not met; 32 current provinces without data
    assert (res["n_provinces"], res["n_reported"], res["n_met"]) == (34, 2, 1)
    # ratio of sums counts the legacy units: 3 yes (01, 92, 93) of 4 answers
    assert res["value"] == pytest.approx(3 / 4)
    level4 = area(n, "VN", "level4_share")
    assert level4["value"] == pytest.approx((400 + 80) / (600 + 100))
    assert level4["median"] == pytest.approx((0.8 + 400 / 600) / 2)
