"""Key messages: national status per target, lagging provinces, movers."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.headlines import best_provinces, headlines, laggards


@pytest.fixture(scope="module")
def q4(status_store):
    return headlines(status_store, "2024-Q4")


def test_national_status_per_target(q4):
    status = q4.status.set_index("indicator")
    # yes/no answered yes by the four provinces that reported: met nationally
    assert status.loc["steering_committee", "status"] == "met"
    assert status.loc["steering_committee", "gap"] == 0
    # level 4: 390 of 400 procedures, deadline 2021 passed
    assert status.loc["level4_share", "status"] == "overdue"
    assert status.loc["level4_share", "value"] == pytest.approx(0.975)
    assert status.loc["level4_share", "gap"] == pytest.approx(0.025)
    # smartphones 380 of 400 against 100 % without a deadline: not met, 5 points short
    assert status.loc["smartphone_share", "status"] == "not_met"
    assert status.loc["smartphone_share", "gap"] == pytest.approx(0.05)
    assert status.loc["smartphone_share", ["n_met", "n_provinces"]].tolist() == [3, 63]
    # catalogue order, scored indicators only
    assert "online_dossier_share" not in status.index
    assert status.index[0] == "steering_committee"
    assert sum(q4.counts().values()) == len(status)


def test_national_status_uses_the_national_trend(q4):
    # remote inspections 70, 80, 80 of 220 then 86 of 210: short of 50 % by 2025 on a trend
    status = q4.status.set_index("indicator")
    assert status.loc["remote_inspection_share", "status"] in {"on_track", "off_track"}
    assert status.loc["remote_inspection_share", "value"] == pytest.approx(86 / 210)


def test_best_province_per_target(q4):
    best = q4.status.set_index("indicator")
    # the three provinces at 100 % tie; the first by name (folded) is Đà Nẵng
    assert best.loc["smartphone_share", "best_name"] == "Đà Nẵng"
    assert best.loc["remote_inspection_share", "best_code"] == "01"  # 60 %


def test_best_province_lower_is_better():
    frame = pd.DataFrame(
        {
            "indicator": "x",
            "province_code": ["01", "02", "03"],
            "province_name": ["A", "B", "C"],
            "value": [0.3, 0.1, float("nan")],
            "comparator": "<=",
        }
    )
    assert best_provinces(frame)["best_code"].tolist() == ["02"]


def test_lagging_provinces_per_target(q4):
    lag = q4.lagging
    remote = lag[lag["indicator"] == "remote_inspection_share"]
    # 48 and 79 (40 %) do not meet 50 %, both score 0: tie broken by name; 01 meets
    assert remote["province_name"].tolist() == ["Đà Nẵng", "Hồ Chí Minh"]
    assert remote["order"].tolist() == [1, 2]
    assert set(lag["indicator"]) >= {"level4_share", "smartphone_share", "fiber_share"}
    assert (lag.groupby("indicator").size() <= 3).all()
    assert not lag["indicator"].isin(["steering_committee"]).any()  # met by everyone


def test_laggards_count_targets(q4):
    first = q4.laggards.iloc[0]
    # Hà Nội lags on level 4, IT budget, smartphones, fibre and digital address
    assert (first["province_code"], first["n_targets"]) == ("01", 5)
    assert laggards(q4.lagging.iloc[0:0]).empty


def test_movers_since_last_quarter(q4):
    # 2024-Q3 ranks: 01 and 31 first, 48 and 79 third; 2024-Q4: 31, then 48 and 79, then 01
    assert set(q4.risers["province_code"]) == {"48", "79"}
    assert q4.risers["rank_change"].tolist() == [1, 1]
    assert q4.fallers[["province_code", "rank_change"]].values.tolist() == [["01", -3]]


def test_no_movers_without_a_previous_quarter(status_store):
    first = headlines(status_store, "2024-Q1")
    assert first.risers.empty and first.fallers.empty


def test_lagging_provinces_table(status_store):
    from metrics.headlines import lagging_provinces

    table = lagging_provinces(status_store, "2024-Q4", n=5)
    remote = table[table["indicator"] == "remote_inspection_share"]
    assert remote["province_code"].tolist() == ["48", "79"]
    assert remote["target"].tolist() == [0.5, 0.5] and set(remote["unit"]) == {"ratio"}
    # catalogue order of the indicators, furthest first within each
    assert table["indicator"].iloc[0] == "level4_share"
    assert (
        table.groupby("indicator")["order"].apply(list).map(sorted)
        == table.groupby("indicator")["order"].apply(list)
    ).all()
