"""What readers see of the review: approved-only figures leave out waiting submissions and say
how many wait; the grid of approved / waiting / returned / missing; the reminder list; exports
with ``review_state``."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from helpers import good_template

from dxboard import review
from dxboard.auth import create_user
from dxboard.store import Store
from dxboard.store import reviews as rdb
from loaders.ingest import ingest_bytes
from metrics.export import export_indicators
from metrics.indicators import indicator_values
from metrics.review import in_scope, reminders, review_grid, state_counts, waiting

pytestmark = pytest.mark.backends

PERIOD = "2025-Q3"  # the 34 current provinces
TODAY = date(2025, 11, 1)  # after the due date (15/10/2025)


def _load(store: Store, name: str) -> int:
    result = ingest_bytes(store, good_template(name, PERIOD), f"{name}.xlsx", today=TODAY)
    assert result.status == "accepted", result.problems
    return result.submission_ids[0]


@pytest.fixture()
def store() -> Store:
    store = Store()
    approved = _load(store, "Đà Nẵng")
    _load(store, "Hà Nội")
    returned = _load(store, "Cần Thơ")
    review.approve(store, approved, actor="an")
    review.send_back(store, returned, [(None, "thiếu minh chứng")], actor="an")
    return store


def _codes(frame: object) -> set[str]:
    values = frame[frame["indicator"] == frame["indicator"].iloc[0]]  # type: ignore[index]
    return set(values[values["value"].notna()]["province_code"])


def test_approved_only_leaves_out_waiting_and_returned(store: Store) -> None:
    everything = indicator_values(store, PERIOD)
    approved = indicator_values(store.scoped("approved"), PERIOD)
    assert _codes(everything) == {"01", "48", "92"}
    assert _codes(approved) == {"48"}
    assert len(approved) == len(everything)  # every province still listed, without values
    grid = review_grid(store, PERIOD, TODAY)
    assert waiting(grid) == 1  # Hà Nội waits: the page says so next to the approved-only figures
    assert store.scope == "all"  # the view does not change the store


def test_in_scope_filters_rows() -> None:
    raw = pd.DataFrame({"review_state": ["approved", "submitted", "returned"], "x": [1, 2, 3]})
    assert list(in_scope(raw, "approved")["x"]) == [1]
    assert list(in_scope(raw, "all")["x"]) == [1, 2, 3]


def test_the_grid_counts_every_state(store: Store) -> None:
    grid = review_grid(store, PERIOD, TODAY)
    assert len(grid) == 34
    states = dict(zip(grid["province_code"], grid["review_state"], strict=True))
    assert (states["48"], states["01"], states["92"]) == ("approved", "submitted", "returned")
    assert list(state_counts(grid).iloc[0][["approved", "submitted", "returned", "missing"]]) == [
        1,
        1,
        1,
        31,
    ]
    assert grid["due"].iloc[0] == date(2025, 10, 15)
    assert grid["overdue"].sum() == 31
    early = review_grid(store, PERIOD, date(2025, 10, 10))
    assert not early["overdue"].any()


def test_the_reminder_list(store: Store) -> None:
    create_user(store, "ct_officer", "mat-khau-dai-du", "officer", "Cần Thơ")
    create_user(store, "hn_officer", "mat-khau-dai-du", "officer", "Hà Nội")
    with store.write() as cur:
        rdb.set_due(cur, PERIOD, "2025-10-20")
    found = reminders(store, PERIOD, TODAY)
    assert len(found) == 32  # 31 late and Cần Thơ returned; Hà Nội waits, Đà Nẵng approved
    rows = found.set_index("province_code")
    assert (
        rows.loc["92", "review_state"] == "returned" and rows.loc["92", "officers"] == "ct_officer"
    )
    assert rows.loc["92", "days_late"] == 0
    late = rows[rows["review_state"] == "missing"]
    assert set(late["days_late"]) == {12}  # 1 November is 12 days after 20 October
    assert "01" not in rows.index and "48" not in rows.index


def test_legacy_provinces_remind_the_officers_they_merged_into() -> None:
    store = Store()
    create_user(store, "ct_officer", "mat-khau-dai-du", "officer", "Cần Thơ")
    found = reminders(store, "2024-Q4", date(2025, 3, 1))
    rows = found.set_index("province_code")
    assert len(found) == 63
    # Hậu Giang (93) and Sóc Trăng (94) became part of Cần Thơ (92)
    assert rows.loc["93", "officers"] == "ct_officer" and rows.loc["94", "officers"] == "ct_officer"


def test_exports_carry_the_review_state(store: Store) -> None:
    out = export_indicators(store, PERIOD)
    states = out[out["province_code"].isin(["48", "01", "92", "79"])].groupby("province_code")[
        "review_state"
    ]
    assert states.agg(lambda s: set(s)).to_dict() == {
        "01": {"submitted"},
        "48": {"approved"},
        "79": {"missing"},
        "92": {"returned"},
    }
    national = out[out["province_code"] == "VN"]
    assert set(national["review_state"]) == {""}
    assert not np.any(out["review_state"].isna())
