"""Completeness and timeliness."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.completeness import RECORD_COLUMNS, completeness, province_record, timeliness


def status_of(frame, code, period):
    sel = frame[(frame["province_code"] == code) & (frame["period"] == period)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_on_time_late_missing(timely_store):
    out = completeness(timely_store, "2024-Q3", today=date(2025, 1, 1)).iloc[0]
    assert out["deadline"] == date(2024, 10, 15) and bool(out["due"])
    assert (out["expected"], out["on_time"], out["late"], out["missing"]) == (63, 4, 1, 58)
    assert (out["partial"], out["not_yet_due"], out["reported"]) == (0, 0, 5)


def test_first_submission_counts_and_days_late(timely_store):
    t = timeliness(timely_store, "2024-Q3", today=date(2025, 1, 1))
    assert list(t.columns) == RECORD_COLUMNS
    hcm = status_of(t, "79", "2024-Q3")  # revised after the deadline, first one on time
    assert (hcm["status"], hcm["reported_on"]) == ("on_time", date(2024, 10, 5))
    da_nang = status_of(t, "48", "2024-Q3")
    assert (da_nang["status"], da_nang["days_late"]) == ("late", 5)
    assert status_of(t, "02", "2024-Q3")["status"] == "missing"


def test_deadline_is_configurable(timely_store):
    out = completeness(timely_store, "2024-Q3", days=30, today=date(2025, 1, 1)).iloc[0]
    assert out["deadline"] == date(2024, 10, 30)
    assert (out["on_time"], out["late"]) == (5, 0)


def test_not_yet_due(timely_store):
    out = completeness(timely_store, "2025-Q2", today=date(2025, 7, 10)).iloc[0]
    assert not out["due"]
    assert (out["on_time"], out["not_yet_due"], out["missing"]) == (1, 62, 0)
    later = completeness(timely_store, "2025-Q2", today=date(2025, 8, 1)).iloc[0]
    assert (later["on_time"], later["missing"]) == (1, 62)


def test_current_basis(timely_store):
    t = timeliness(timely_store, "2024-Q3", "current", today=date(2025, 1, 1))
    assert len(t) == 34
    can_tho = status_of(t, "92", "2024-Q3")  # 92 and 93 reported, 94 did not
    assert (can_tho["status"], can_tho["constituents_reported"], can_tho["constituents_total"]) == (
        "partial",
        2,
        3,
    )
    assert status_of(t, "01", "2024-Q3")["status"] == "on_time"
    assert status_of(t, "48", "2024-Q3")["status"] == "partial"  # Quảng Nam 49 missing
    out = completeness(timely_store, "2024-Q3", "current", today=date(2025, 1, 1)).iloc[0]
    assert (out["expected"], out["on_time"], out["partial"], out["missing"]) == (34, 1, 3, 30)


def test_province_record(timely_store):
    rec = province_record(
        timely_store, "01", ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"], today=date(2025, 7, 10)
    )
    assert rec["status"].tolist() == ["on_time", "late", "missing", "on_time"]
    assert rec["reported_on"].tolist()[:2] == [date(2024, 10, 10), date(2025, 1, 20)]
    assert pd.isna(rec["reported_on"].iloc[2])
    assert rec["days_late"].tolist()[1] == pytest.approx(5)
