"""The province brief and the indicator export."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.brief import province_brief
from metrics.export import EXPORT_COLUMNS, export_indicators

TODAY = date(2025, 6, 1)


def test_brief_three_largest_gaps(status_store):
    b = province_brief(status_store, "01", "2024-Q4", today=TODAY)
    # gaps: digital address 0.7, fibre 0.5, IT budget 0.4, smartphones 0.2, level-4 0.1
    assert b.top_gaps["indicator"].tolist() == [
        "digital_address_share",
        "fiber_share",
        "it_budget_share",
    ]
    assert b.top_gaps["gap"].tolist() == pytest.approx([0.7, 0.5, 0.4])
    assert b.top_gaps["status"].tolist() == ["not_met", "not_met", "not_met"]


def test_brief_index_rank_and_pillars(status_store):
    b = province_brief(status_store, "01", "2024-Q4", today=TODAY)
    assert (b.province_name, b.region, b.era, b.period) == ("Hà Nội", "DBSH", "legacy", "2024-Q4")
    assert b.index == pytest.approx(65.0)  # distance-to-target scores: see test_metrics_index
    assert (b.rank, b.n_ranked, b.previous_rank, b.rank_change) == (4, 4, 1, -3)
    pillars = b.pillars.set_index("pillar")
    assert pillars.loc["resources", "score"] == pytest.approx(0.5)
    # national mean over the four provinces with a score: 01 0.5, 48/79/31 1.0
    assert pillars.loc["resources", "national_mean"] == pytest.approx(0.875)
    # region DBSH: Hà Nội 0.5 and Hải Phòng 1.0
    assert pillars.loc["resources", "regional_mean"] == pytest.approx(0.75)
    assert pillars.loc["digital_government", "national_mean"] == pytest.approx(
        (0.5 + 0.5 + 0.5 + 1.0) / 4
    )
    ind = b.indicators.set_index("indicator")
    assert ind.loc["level4_share", "status"] == "overdue"
    assert ind.loc["remote_inspection_share", "national_value"] == pytest.approx(86 / 210)
    assert ind.loc["remote_inspection_share", "national_n_met"] == 1
    assert b.flags.empty
    assert (b.constituents_reported, b.constituents_total) == (1, 1)


def test_brief_unknown_province(status_store):
    with pytest.raises(KeyError):
        province_brief(status_store, "93", "2025-Q3", today=TODAY)  # Hậu Giang is gone


def test_brief_on_current_basis(merger_store):
    b = province_brief(merger_store, "92", "2025-Q2", basis="current", today=TODAY)
    assert (b.era, b.constituents_reported, b.constituents_total) == ("current", 3, 3)
    res = b.indicators.set_index("indicator").loc["dx_resolution"]
    assert (res["value"], res["num"], res["den"]) == (0.0, 2, 3)


def test_brief_flags(flag_store):
    b = province_brief(flag_store, "46", "2025-Q1", today=date(2026, 1, 1))
    assert sorted(b.flags["flag"]) == ["mixed_datasets", "outlier"]
    assert b.datasets == ["demo", "official"]


def test_export_columns_and_rows(status_store):
    out = export_indicators(status_store, "2024-Q4")
    assert list(out.columns) == EXPORT_COLUMNS
    provinces = out[
        ~out["indicator"].isin(["readiness_index", "rank"]) & (out["province_code"] != "VN")
    ]
    assert len(provinces) == 63 * 14
    assert len(out) == 63 * 14 + 14 + 63 * 2
    r = provinces[
        (provinces["province_code"] == "48") & (provinces["indicator"] == "remote_inspection_share")
    ].iloc[0]
    assert (r["value"], r["attainment"], r["status"]) == (
        pytest.approx(0.4),
        pytest.approx(0.8),
        "on_track",
    )


def test_export_national_rows(status_store):
    out = export_indicators(status_store, "2024-Q4")
    vn = out[out["province_code"] == "VN"].set_index("indicator")
    assert len(vn) == 14
    assert vn.loc["remote_inspection_share", "value"] == pytest.approx(86 / 210)
    assert vn.loc["level4_share", "value"] == pytest.approx(390 / 400)
    assert (vn.loc["level4_share", "n_met"], vn.loc["level4_share", "n_provinces"]) == (3, 63)
    assert pd.isna(vn.loc["online_dossier_share", "n_met"])


def test_export_index_and_rank_rows(status_store):
    out = export_indicators(status_store, "2024-Q4")
    index = out[out["indicator"] == "readiness_index"].set_index("province_code")["value"]
    rank = out[out["indicator"] == "rank"].set_index("province_code")["value"]
    assert index.loc["01"] == pytest.approx(65.0)
    assert rank.loc[["31", "48", "79", "01"]].tolist() == [1, 2, 2, 4]
    assert pd.isna(rank.loc["02"])


def test_export_current_basis(merger_store):
    out = export_indicators(merger_store, "2025-Q2", basis="current")
    assert len(out) == 34 * 14 + 14 + 34 * 2
    res = out[(out["province_code"] == "92") & (out["indicator"] == "dx_resolution")].iloc[0]
    assert (res["value"], res["constituents_reported"], res["constituents_total"]) == (0, 3, 3)
