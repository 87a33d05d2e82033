"""The published DTI on the pages under AppTest, in both languages: the overview panel with its
source, DTI and its main indices on compare, the profile's DTI section; ``DXBOARD_DEMO=0``
starts with the real reference data only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from apptest import open_page, start_app, texts
from streamlit.testing.v1 import AppTest

from dxboard.i18n import t
from dxboard.store import Store
from dxboard.store.submissions import datasets, periods_with_data
from loaders.reference import ensure_reference
from metrics.dti import DTI_COLUMNS, dti_ranking
from pages.figures.dti import download_frame, source_text

SOURCE_VI = "Nguồn: Bộ KH&CN, DTI 2024 (công bố 21/10/2025)"
SOURCE_EN = "Source: Ministry of Science and Technology, DTI 2024 (published 2025-10-21)"


def charts(at: AppTest) -> dict[str, dict]:
    return {e.proto.id.rsplit("-", 1)[-1]: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


def test_the_source_line_is_the_ministrys() -> None:
    assert source_text(2024, "vi") == SOURCE_VI
    assert source_text(2024, "en") == SOURCE_EN
    assert source_text(2023, "vi") == "Nguồn: Bộ TT&TT, DTI 2023"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_shows_the_official_dti_with_its_source(demo_db: Path, lang: str) -> None:
    at = open_page("pages/overview.py", lang)
    text = texts(at)
    assert t("dti.panel_title", lang, year=2024) in text
    assert (SOURCE_VI if lang == "vi" else SOURCE_EN) in text
    assert t("dti.real", lang) in text
    assert t("banner.demo", lang) in text  # the synthetic tiles keep their banner
    average = next(m for m in at.metric if m.label == t("dti.average", lang, n=63))
    assert average.value == ("0,6961" if lang == "vi" else "0.6961")
    top, bottom, risers = (table.value for table in at.table[-3:])
    assert top.iloc[0, 1] == "Hồ Chí Minh" and bottom.iloc[0, 1] == "Quảng Bình"
    assert len(risers) == 5 and t("dti.rank_change", lang) in risers.columns


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compare_offers_the_dti_like_any_indicator(demo_db: Path, lang: str) -> None:
    at = open_page("pages/compare.py", lang)
    at.selectbox(key="compare_indicator").set_value("dti.pdti").run()
    assert not at.exception
    text = texts(at)
    assert (SOURCE_VI if lang == "vi" else SOURCE_EN) in text
    specs = charts(at)
    assert specs["compare_dti_map"]["data"][0]["type"] == "choropleth"
    assert len(specs["compare_dti_map"]["data"][0]["locations"]) == 63
    assert len(specs["compare_dti_bar"]["data"][0]["y"]) == 63
    table = at.dataframe[0].value
    assert len(table) == 63 and table.iloc[0][t("col.province", lang)] == "Hồ Chí Minh"
    assert len(at.table) == 1  # side by side
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("download.csv", lang) in labels and t("download.xlsx", lang) in labels


def test_compare_main_index_on_the_current_basis_and_derived_years(demo_db: Path) -> None:
    at = open_page("pages/compare.py", "en", basis="current")
    at.selectbox(key="compare_indicator").set_value("dti.infrastructure").run()
    table = at.dataframe[0].value
    assert len(table) == 34
    assert set(table[t("dti.status", "en")]) == {t("dti.published", "en")}
    at.selectbox(key="compare_dti_year").set_value(2022).run()
    assert t("dti.derived_note", "en", year=2022) in texts(at)
    assert t("dti.not_published", "en", year=2022) in texts(at)
    at.selectbox(key="compare_indicator").set_value("dti.pdti").run()
    table = at.dataframe[0].value
    assert set(table[t("dti.status", "en")]) == {t("dti.derived", "en")}


def test_page_downloads_carry_the_export_columns() -> None:
    with Store(":memory:") as store:
        ensure_reference(store)
        frame = download_frame(dti_ranking(store, 2024, "current", "economy"))
    assert list(frame.columns) == DTI_COLUMNS and len(frame) == 34


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_profile_shows_dti_history_indices_and_agreement(demo_db: Path, lang: str) -> None:
    at = open_page(
        "pages/profile.py",
        lang,
        basis="current",
        period="2024-Q4",
        profile_province="01",
        profile_era="current",
    )
    text = texts(at)
    assert t("dti.profile_heading", lang) in text
    assert (SOURCE_VI if lang == "vi" else SOURCE_EN) in text
    assert t("dti.derived_note", lang, year=2022) in text
    specs = charts(at)
    history = specs["profile_dti_history"]
    assert history["data"][0]["x"] == ["2022", "2023", "2024"]
    assert "profile_dti_indices" in specs and len(specs["profile_dti_indices"]["data"]) == 3
    assert "profile_dti_agreement" in specs
    assert "r = " in text and t("dti.agreement_synthetic", lang) in text


def test_profile_on_the_reported_basis_ranks_among_63(demo_db: Path) -> None:
    at = open_page(
        "pages/profile.py", "vi", period="2024-Q4", profile_province="01", profile_era="legacy"
    )
    history = charts(at)["profile_dti_history"]
    assert history["data"][1]["text"][1] == "6/63"  # Hà Nội 2023


@pytest.fixture
def no_demo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DXBOARD_DEMO", "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_demo_0_starts_with_the_real_data_only(no_demo: None, lang: str) -> None:
    at = start_app(lang)
    assert not at.exception, [e.value for e in at.exception]
    text = texts(at)
    assert (SOURCE_VI if lang == "vi" else SOURCE_EN) in text
    assert t("banner.demo", lang) not in text and "giả lập" not in text
    with Store() as store:
        assert periods_with_data(store) == [] and datasets(store) == []
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(charts(at)["compare_dti_map"]["data"][0]["locations"]) == 63
    at.switch_page("pages/profile.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("dti.profile_heading", lang) in texts(at)
    assert t("banner.demo", lang) not in texts(at)
