"""Data-quality flags."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.completeness import timeliness
from metrics.flags import FLAG_COLUMNS, flags, mixed_datasets, no_report, robust_z

TODAY = date(2026, 1, 1)


@pytest.fixture(scope="module")
def found(flag_store):
    return flags(flag_store, "2025-Q1", today=TODAY)


def test_yes_to_no(found):
    hit = found[found["flag"] == "yes_to_no"]
    assert hit[["province_code", "item", "previous_period"]].values.tolist() == [
        ["01", "dx_resolution", "2024-Q4"]
    ]
    assert list(found.columns) == FLAG_COLUMNS


def test_outlier_against_own_history_and_peers(found):
    hit = found[found["flag"] == "outlier"]
    assert hit["province_code"].tolist() == ["46"]  # Hưng Yên 33 is volatile: not flagged
    r = hit.iloc[0]
    assert (r["item"], r["value"], r["previous"]) == (
        "fiber_share",
        pytest.approx(0.86),
        pytest.approx(0.55),
    )
    assert (r["previous_period"], r["period"]) == ("2024-Q4", "2025-Q1")
    assert r["z_own"] == pytest.approx(300, rel=1e-6)
    assert r["z_peer"] == pytest.approx(0.6745 * (0.31 - 0.011) / 0.002, rel=1e-6)


def test_no_report(found, flag_store):
    hit = found[found["flag"] == "no_report"].set_index("province_code")
    assert hit.loc["02", "quarters"] == 2
    # the fixture's reporting provinces are not flagged; silent ones are, over the whole
    # window read (2025-Q1 and the 12 quarters before)
    assert not set(hit.index) & {"01", "31", "33", "46", "48", "79", "92", "27"}
    assert hit.loc["04", "quarters"] == 13 and len(hit) == 63 - 9 + 1
    records = timeliness(flag_store, ["2024-Q3", "2024-Q4"], today=TODAY, provinces=["02"])
    assert no_report(records, "2024-Q4").empty  # one quarter is not enough


def test_mixed_datasets(found, flag_store):
    assert mixed_datasets(flag_store, "2025-Q1") == ["demo", "official"]
    assert mixed_datasets(flag_store, "2024-Q4") == ["official"]
    hit = found[found["flag"] == "mixed_datasets"]
    assert hit[["province_code", "item"]].values.tolist() == [["VN", "demo,official"]]


def test_flags_for_some_provinces(flag_store):
    out = flags(flag_store, "2025-Q1", provinces=["46"], today=TODAY)
    assert sorted(out["flag"]) == ["mixed_datasets", "outlier"]


def test_robust_z():
    med, scale = 0.01, 0.0
    assert robust_z(0.31, med, scale, 0.001) == pytest.approx(300)
    assert robust_z(0.01, med, scale) == 0 and robust_z(0.02, med, scale) == float("inf")


def test_no_report_only_for_provinces_of_the_period(merger_store):
    reported = flags(merger_store, "2025-Q3", today=TODAY)
    assert reported[reported["flag"] == "no_report"].empty  # legacy provinces are gone
    current = flags(merger_store, "2025-Q3", "current", today=TODAY)
    runs = current[current["flag"] == "no_report"].set_index("province_code")["quarters"]
    assert "92" not in runs.index and "01" not in runs.index
    assert runs.loc["04"] == 13  # Cao Bằng: nothing on current boundaries across the merger
    assert set(current["era"].dropna()) == {"current"}


MERGER_SPAN = [
    "2024-Q2",
    "2024-Q3",
    "2024-Q4",
    "2025-Q1",
    "2025-Q2",
    "2025-Q3",
    "2025-Q4",
    "2026-Q1",
]


def test_outliers_after_the_merger_use_the_34_province_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As reported, Huế (46) has only two quarters since the 2025 merger; its history before it
    is taken on the 34-province basis, so a jump in 2026-Q1 is still flagged."""
    from dxboard.store import Store
    from metrics import flags as flag_module
    from tests.metrics.conftest import FIBRE_GROWTH, load, received_after, row

    store = Store(":memory:")
    for i, period in enumerate(MERGER_SPAN):
        jump = 300 if period == MERGER_SPAN[-1] else 0
        rows = [
            row(
                code,
                period,
                households=1000,
                households_fiber=500 + rate * i + jump * (code == "46"),
            )
            for code, rate in FIBRE_GROWTH.items()
        ]
        load(store, rows, received_after(period), name=f"{period}.xlsx")
    found = flags(store, "2026-Q1", "reported", today=date(2026, 6, 1))
    hit = found[found["flag"] == "outlier"]
    assert hit[["province_code", "item"]].values.tolist() == [["46", "fiber_share"]]
    monkeypatch.setattr(flag_module, "merged_history", lambda store, values, *args: values)
    silent = flags(store, "2026-Q1", "reported", today=date(2026, 6, 1))
    assert silent[silent["flag"] == "outlier"].empty  # what the as-reported view did before
