"""Targets, attainment and status."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from metrics.status import STATUSES, add_status, assess, attainment, indicator_status, meets


def one(frame, code, indicator):
    sel = frame[(frame["province_code"] == code) & (frame["indicator"] == indicator)]
    assert len(sel) == 1
    return sel.iloc[0]


@pytest.fixture(scope="module")
def q4(status_store):
    return indicator_status(status_store, "2024-Q4")


def test_met(q4):
    r = one(q4, "01", "remote_inspection_share")
    assert (r["status"], r["attainment"], r["target"]) == ("met", 1.0, 0.5)
    assert one(q4, "48", "level4_share")["status"] == "met"


def test_on_track(q4):
    r = one(q4, "48", "remote_inspection_share")
    assert r["status"] == "on_track"
    assert r["projection"] == pytest.approx(0.63)  # 0.39 + 0.06 × 4 quarters to 2025-Q4
    assert r["attainment"] == pytest.approx(0.8)
    assert r["deadline"] == date(2025, 12, 31)


def test_off_track(q4):
    r = one(q4, "79", "remote_inspection_share")
    assert r["status"] == "off_track"
    assert r["projection"] == pytest.approx(0.4)


def test_overdue(q4):
    r = one(q4, "01", "level4_share")
    assert (r["status"], r["attainment"]) == ("overdue", pytest.approx(0.9))


def test_no_data(q4):
    r = one(q4, "31", "remote_inspection_share")
    assert r["status"] == "no_data" and math.isnan(r["attainment"])
    assert one(q4, "02", "level4_share")["status"] == "no_data"  # did not report


def test_not_met_without_deadline_and_not_scored(q4):
    r = one(q4, "01", "smartphone_share")
    assert (r["status"], r["attainment"]) == ("not_met", pytest.approx(0.8))
    dossier = one(q4, "01", "online_dossier_share")
    assert dossier["status"] == "not_scored" and math.isnan(dossier["attainment"])
    assert dossier["value"] == pytest.approx(0.5)  # shown, not scored
    assert set(q4["status"]) <= set(STATUSES)


def test_attainment_rules():
    value = np.array([0.005, 0.02, 0.0, 1.0, np.nan, 0.2, 0.05])
    target = np.array([0.01, 0.01, 1.0, 1.0, 0.5, 0.1, 0.1])
    comparator = np.array([">=", ">=", ">=", ">=", ">=", "<=", "<="])
    unit = np.array(["ratio", "ratio", "yes_no", "yes_no", "ratio", "ratio", "ratio"])
    out = attainment(value, target, comparator, unit)
    assert out[:4].tolist() == pytest.approx([0.5, 1.0, 0.0, 1.0])
    assert math.isnan(out[4])
    assert out[5:].tolist() == pytest.approx([0.5, 1.0])
    assert meets(np.array([0.9999999999]), np.array([1.0]), np.array([">="]))[0] == 1.0


def _frame(period: str, indicator: str, values: list[float]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "era": ["current"] * n,
            "province_code": [f"{i:02d}" for i in range(1, n + 1)],
            "period": [period] * n,
            "province_name": ["x"] * n,
            "region": ["DBSH"] * n,
            "indicator": [indicator] * n,
            "value": values,
            "num": values,
            "den": [1.0] * n,
            "constituents_reported": [1] * n,
            "constituents_total": [1] * n,
            "dataset": ["x"] * n,
        }
    )


def test_staged_target_uses_stage_for_period_end():
    # remote inspections: 50 % by 2025-12-31, then 70 % by 2030-12-31
    before = assess(_frame("2025-Q4", "remote_inspection_share", [0.6]))
    after = assess(_frame("2026-Q1", "remote_inspection_share", [0.6]))
    assert (before["target"][0], before["deadline"][0], before["met"][0]) == (
        0.5,
        date(2025, 12, 31),
        1.0,
    )
    assert (after["target"][0], after["deadline"][0], after["met"][0]) == (
        0.7,
        date(2030, 12, 31),
        0.0,
    )
    assert after["attainment"][0] == pytest.approx(0.6 / 0.7)


def test_single_point_is_off_track_and_deadline_quarter_is_overdue():
    one_point = add_status(assess(_frame("2026-Q1", "remote_inspection_share", [0.6])))
    assert one_point["status"][0] == "off_track"
    at_deadline = add_status(assess(_frame("2021-Q4", "level4_share", [0.9])))
    assert at_deadline["status"][0] == "overdue"  # value at the deadline quarter's end
