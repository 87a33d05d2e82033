"""Metrics by framework version: each period's indicators, targets, pillars and index follow
its version; the ``framework`` column; rank changes across the change are not comparable; the
export carries the break marker (hand-computed values: ``framework_store`` in conftest.py)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dxboard.catalogue import load_catalogue
from metrics.export import export_indicators
from metrics.frameworks import by_version, method_change
from metrics.index import readiness_index
from metrics.indicators import indicator_values
from metrics.national import national
from metrics.status import indicator_status

STI = "sti_dx_budget_share"


def test_each_period_gets_the_indicators_of_its_version(framework_store):
    values = indicator_values(framework_store, ["2025-Q2", "2025-Q3"], basis="current")
    per = values.groupby(["period", "framework"])["indicator"].nunique().to_dict()
    assert per == {("2025-Q2", "2021"): 14, ("2025-Q3", "2025"): 15}
    assert STI not in set(values.loc[values["period"] == "2025-Q2", "indicator"])
    hanoi = values[(values["period"] == "2025-Q3") & (values["province_code"] == "01")]
    assert hanoi.set_index("indicator").loc[STI, "value"] == pytest.approx(0.03)


def test_status_of_sti_budget_share(framework_store):
    """≥ 3 % (Resolution 57-NQ/TW), no deadline: met, not met, no data."""
    out = indicator_status(framework_store, "2025-Q4", indicators=[STI])
    mine = out[out["province_code"].isin(["01", "48", "46"])].set_index("province_code")
    assert mine["status"].to_dict() == {"01": "met", "48": "not_met", "46": "no_data"}
    assert mine.loc["48", "attainment"] == pytest.approx(2 / 3)
    assert mine.loc["01", "attainment"] == 1.0 and math.isnan(mine.loc["46", "attainment"])
    assert set(mine["target"]) == {0.03} and mine["deadline"].isna().all()
    assert set(mine["framework"]) == {"2025"}


def test_index_uses_the_pillars_of_the_version(framework_store):
    table = readiness_index(framework_store, "2025-Q4").set_index("province_code")
    assert table.loc["01", "readiness_index"] == pytest.approx(100)
    assert table.loc["46", "readiness_index"] == pytest.approx(100)
    # sti 2 % against 3 %: lower bound mean(4 %, 2 %) = 3 % already meets → score 0
    assert table.loc["48", "readiness_index"] == pytest.approx((4 + 2 / 3) / 5 * 100)
    assert table.loc["48", "resources"] == pytest.approx(2 / 3)
    assert table.loc[["01", "46", "48"], "rank"].tolist() == [1, 1, 3]
    assert set(table["framework"]) == {"2025"}
    # within one version ranks compare: Q3 all first, so 48 moved down by two
    assert table.loc["48", "rank_change"] == -2 and table.loc["48", "rank_comparable"]


def test_rank_change_across_the_break_is_not_comparable(framework_store):
    """On current boundaries 2025-Q2 (2021 version) has ranks too, but 2025-Q3 is measured
    under the 2025 version: the previous rank is kept, the change is not."""
    table = readiness_index(framework_store, "2025-Q3", basis="current").set_index("province_code")
    hanoi = table.loc["01"]
    assert not pd.isna(hanoi["previous_rank"]) and hanoi["rank"] == 1
    assert pd.isna(hanoi["rank_change"]) and not hanoi["rank_comparable"]
    assert not table["rank_comparable"].any()


def test_national_rows_carry_the_framework(framework_store):
    nat = national(framework_store, ["2025-Q2", "2025-Q4"], basis="current", regions=False)
    sti = nat[(nat["indicator"] == STI)]
    assert sti["period"].tolist() == ["2025-Q4"] and sti["framework"].tolist() == ["2025"]
    assert sti["value"].iloc[0] == pytest.approx(0.03)
    assert (sti["n_met"].iloc[0], sti["n_provinces"].iloc[0]) == (1, 34)
    assert set(nat.loc[nat["period"] == "2025-Q2", "framework"]) == {"2021"}


@pytest.mark.parametrize(
    ("lang", "marker"),
    [("vi", "Phương pháp thay đổi từ 2025-Q3"), ("en", "Method changed in 2025-Q3")],
)
def test_export_framework_column_and_break_marker(framework_store, lang, marker):
    out = export_indicators(framework_store, "2025-Q3", basis="current", lang=lang)
    assert set(out["framework"]) == {"2025"}
    assert set(out["method_change"]) == {marker}
    later = export_indicators(framework_store, "2025-Q4", lang=lang)
    assert set(later["framework"]) == {"2025"} and later["method_change"].isna().all()
    before = export_indicators(framework_store, "2025-Q2", lang=lang)
    assert set(before["framework"]) == {"2021"} and STI not in set(before["indicator"])


def test_export_reports_sti_budget_share_with_target_and_status(framework_store):
    out = export_indicators(framework_store, "2025-Q4")
    sti = out[out["indicator"] == STI].set_index("province_code")
    assert sti.loc["01", ["value", "target", "status"]].tolist() == [0.04, 0.03, "met"]
    assert sti.loc["48", "status"] == "not_met" and sti.loc["VN", "n_met"] == 1


def test_frameworks_helpers():
    catalogue = load_catalogue()
    groups = by_version(["2025-Q3", "2025-Q1", "2025-Q2", "2026-Q1"], catalogue)
    assert [(v.id, [str(p) for p in ps]) for v, ps in groups] == [
        ("2021", ["2025-Q1", "2025-Q2"]),
        ("2025", ["2025-Q3", "2026-Q1"]),
    ]
    assert method_change("2025-Q3", catalogue) == "2025-Q3"
    assert method_change("2025-Q4", catalogue) is None
    assert method_change("2020-Q1", catalogue) is None  # the first version follows nothing
