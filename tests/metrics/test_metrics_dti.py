"""The published DTI on both bases: the ministry's 34-province rule reproduces its own 2024/34
table, ties share a rank, derived years are marked, and the export and page frames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxboard.registry import load_registry
from dxboard.store import Store
from dxboard.store.reference import INDEX_COLUMNS
from loaders.reference import ensure_reference
from metrics.dti import (
    DTI_COLUMNS,
    dti_history,
    dti_table,
    export_dti,
    index_means,
    latest_dti,
    rank_scores,
    readiness_vs_dti,
    to_current,
)


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    with Store(":memory:") as s:
        ensure_reference(s)
        yield s


def _reproduction(store: Store) -> pd.DataFrame:
    published = dti_table(store, 2024, "current")
    derived = to_current(dti_table(store, 2024, "reported"))
    return published.merge(derived, on="province_code", suffixes=("", "_rule"))


def test_the_rule_reproduces_the_official_2024_34_table(store: Store) -> None:
    both = _reproduction(store)
    assert len(both) == 34 and both["published"].all()
    assert (both["pdti"] - both["pdti_rule"]).abs().max() <= 0.0001 + 1e-12
    assert both["rank"].tolist() == both["rank_rule"].tolist()
    # the unrounded means too (the shared README's check)
    table63 = dti_table(store, 2024, "reported")
    reg = load_registry()
    for row in both.itertuples():
        parts = [p.code for p in reg.constituents(row.province_code)]
        mean = table63.loc[table63["province_code"].isin(parts), "pdti"].mean()
        assert abs(mean - row.pdti) <= 0.0001 + 1e-12, row.province_name


def test_examples_of_the_rule() -> None:
    table63 = pd.DataFrame(
        {
            "province_code": ["79", "74", "77", "31", "30"],
            "pdti": [0.8373, 0.7161, 0.7774, 0.8253, 0.7461],
        }
    )
    out = to_current(table63).set_index("province_code")
    assert out.loc["79", "pdti"] == pytest.approx(0.7769, abs=1e-4)  # HCM, published 0.7770
    assert out.loc["31", "pdti"] == pytest.approx(0.7857, abs=1e-9)  # Hải Phòng
    assert out.loc["79", "rank"] == 2 and out.loc["31", "rank"] == 1


def test_competition_ranking_shares_ranks() -> None:
    assert rank_scores(np.array([0.7, 0.8, 0.7, 0.6])).tolist() == [2, 1, 2, 4]


@pytest.mark.parametrize(("year", "rank"), [(2022, 15), (2023, 59), (2024, 13)])
def test_published_ties_share_a_rank_and_the_ranking_is_reproduced(
    store: Store, year: int, rank: int
) -> None:
    table = dti_table(store, year, "reported")
    assert len(table) == 63
    assert (table["rank"] == rank).sum() == 2
    assert rank + 1 not in set(table["rank"])
    assert rank_scores(table["pdti"].to_numpy()).tolist() == table["rank"].tolist()


@pytest.mark.parametrize("year", [2022, 2023])
def test_earlier_years_on_the_34_basis_are_derived_not_published(store: Store, year: int) -> None:
    table = dti_table(store, year, "current")
    assert len(table) == 34 and not table["published"].any()
    assert set(table["era"]) == {"current"}
    assert table[list(INDEX_COLUMNS)].isna().all().all()
    assert table["rank"].min() == 1 and table["rank"].is_monotonic_increasing
    assert table["source"].str.startswith("https://dti.gov.vn/").all()


def test_the_export_has_the_issue_columns(store: Store) -> None:
    reported = export_dti(store, 2024, "reported")
    current = export_dti(store, 2024, "current")
    assert list(reported.columns) == list(current.columns) == DTI_COLUMNS
    assert len(reported) == 63 and reported["published"].all()
    assert reported[list(INDEX_COLUMNS)].isna().all().all()
    assert len(current) == 34 and current[list(INDEX_COLUMNS)].notna().all().all()
    first = current.iloc[0]
    assert (first["province_name"], first["pdti"], first["rank"]) == ("Hà Nội", 0.8241, 1)
    last = current.iloc[-1]
    assert (last["province_name"], last["pdti"]) == ("Cao Bằng", 0.5128)
    assert export_dti(store, 2019, "current").empty


def test_press_confirmations(store: Store) -> None:
    t22 = dti_table(store, 2022, "reported").set_index("province_name")
    assert (t22.loc["Trà Vinh", "pdti"], t22.loc["Trà Vinh", "rank"]) == (0.6077, 25)
    t23 = dti_table(store, 2023, "reported").set_index("province_name")
    assert t23.loc["Quảng Ngãi", "rank"] == 21 and t23.loc["Hà Nội", "rank"] == 6


def test_latest_official_dti(store: Store) -> None:
    latest = latest_dti(store)
    assert latest is not None and (latest.year, latest.n, latest.previous) == (2024, 63, 2023)
    assert round(latest.average, 4) == 0.6961
    assert latest.top["province_name"].tolist()[0] == "Hồ Chí Minh"
    assert latest.bottom["province_name"].tolist()[0] == "Quảng Bình"
    assert len(latest.top) == len(latest.bottom) == len(latest.risers) == 5
    assert (latest.risers["rank_change"] > 0).all()
    assert latest.risers["rank_change"].is_monotonic_decreasing


def test_no_agreement_without_reports(store: Store) -> None:
    assert readiness_vs_dti(store) is None


def test_province_history_on_either_basis(store: Store) -> None:
    current = dti_history(store, "current", "01", "current")
    assert current["year"].tolist() == [2022, 2023, 2024]
    assert current["published"].tolist() == [False, False, True]
    assert current["n_ranked"].tolist() == [34, 34, 34]
    reported = dti_history(store, "legacy", "01", "reported")
    assert reported["published"].all() and reported["n_ranked"].tolist() == [63, 63, 63]
    assert reported["rank"].tolist()[1] == 6


def test_main_indices_against_national_and_regional_means(store: Store) -> None:
    means = index_means(store, 2024, "current", "current", "01")
    assert means["index"].tolist() == ["pdti", *INDEX_COLUMNS]
    table = dti_table(store, 2024, "current")
    assert means["national"].tolist() == pytest.approx(table[means["index"]].mean().tolist())
    region = table[table["region"] == table.loc[table["province_code"] == "01", "region"].item()]
    assert means["region"].tolist() == pytest.approx(region[means["index"]].mean().tolist())
    assert index_means(store, 2022, "reported", "legacy", "01")["index"].tolist() == ["pdti"]


def test_readiness_against_dti_where_both_exist(demo_db_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_db_template.read_bytes())
    with Store(path) as store:
        ensure_reference(store)  # already loaded with the demo data: nothing changes
        agreement = readiness_vs_dti(store)
    assert agreement is not None and (agreement.year, agreement.period) == (2024, "2024-Q4")
    assert 50 <= len(agreement.frame) <= 63  # provinces with both a DTI and an index
    expected = agreement.frame["pdti"].corr(agreement.frame["readiness_index"])
    assert agreement.correlation == pytest.approx(expected)
    assert -1 <= agreement.correlation <= 1
